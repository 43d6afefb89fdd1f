/* notes — reviewers' notes on applications (see notes.h). */
#include "query/notes.h"
#include "core/text.h"
#include "core/timestamp.h"

#include <stdio.h>
#include <string.h>

#define NOTE_COLUMNS \
    "id, author, category, record, text, shared, version, created_at, updated_at"

static json_t *text_or_null(sqlite3_stmt *s, int column)
{
    return sqlite3_column_type(s, column) == SQLITE_NULL ? json_null()
         : json_string((const char *)sqlite3_column_text(s, column));
}

static json_t *note_json(sqlite3_stmt *s, const char *reader)
{
    const char *author = (const char *)sqlite3_column_text(s, 1);
    return json_pack("{s:I, s:s, s:o, s:o, s:s, s:b, s:I, s:s, s:s, s:b}",
        "id", (json_int_t)sqlite3_column_int64(s, 0), "author", author,
        "category", text_or_null(s, 2), "record", text_or_null(s, 3),
        "text", (const char *)sqlite3_column_text(s, 4), "shared", sqlite3_column_int(s, 5),
        "version", (json_int_t)sqlite3_column_int64(s, 6),
        "created_at", (const char *)sqlite3_column_text(s, 7),
        "updated_at", (const char *)sqlite3_column_text(s, 8),
        "mine", reader && strcmp(reader, author) == 0);
}

json_t *notes_list(struct store *store, const char *department, const char *application_no,
                   const char *reader, struct error *err)
{
    static const char *sql =
        "SELECT " NOTE_COLUMNS " FROM notes WHERE department = ?1 AND application_no = ?2"
        " AND (shared = 1 OR author = ?3) ORDER BY id";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, application_no, -1, SQLITE_TRANSIENT);
    if (reader)
        sqlite3_bind_text(s, 3, reader, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, 3);
    json_t *list = json_array();
    int row;
    while ((row = store_step(store, s, err)) > 0)
        json_array_append_new(list, note_json(s, reader));
    sqlite3_reset(s);
    if (row < 0) {
        json_decref(list);
        return NULL;
    }
    return list;
}

/* One note by id on the application, as reader sees it; NULL with
 * ERROR_NOT_FOUND when absent. */
static json_t *note_by_id(struct store *store, const char *department, const char *application_no,
                          long long id, const char *reader, struct error *err)
{
    static const char *sql =
        "SELECT " NOTE_COLUMNS " FROM notes WHERE id = ?1 AND department = ?2 AND application_no = ?3";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, department, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, application_no, -1, SQLITE_TRANSIENT);
    json_t *note = NULL;
    int row = store_step(store, s, err);
    if (row > 0)
        note = note_json(s, reader);
    sqlite3_reset(s);
    if (row == 0)
        error_set(err, ERROR_NOT_FOUND, "no note %lld on %s-%s", id, department, application_no);
    return note;
}

static int check_text(const char *text, struct error *err)
{
    if (!text || !text_is_utf8(text, strlen(text)) || text[strspn(text, " \t\r\n")] == '\0')
        return error_set(err, ERROR_INVALID, "$.text: a note has text");
    if (text_characters(text, strlen(text)) > NOTES_TEXT_MAX)
        return error_set(err, ERROR_INVALID, "$.text: at most %d characters", NOTES_TEXT_MAX);
    return 0;
}

static int check_key(const char *key, const char *path, struct error *err)
{
    if (key && (!text_is_utf8(key, strlen(key)) || text_characters(key, strlen(key)) > NOTES_KEY_MAX ||
                !*key))
        return error_set(err, ERROR_INVALID, "%s: 1 to %d characters", path, NOTES_KEY_MAX);
    return 0;
}

static int count_notes(struct store *store, const char *department, const char *application_no,
                       long long *count, struct error *err)
{
    sqlite3_stmt *s = store_statement(store,
        "SELECT count(*) FROM notes WHERE department = ?1 AND application_no = ?2", err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, application_no, -1, SQLITE_TRANSIENT);
    int row = store_step(store, s, err);
    *count = row > 0 ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return row < 0 ? -1 : 0;
}

json_t *notes_add(struct store *store, const char *department, const char *application_no,
                  const char *author, const struct note_input *input, struct error *err)
{
    static const char *sql =
        "INSERT INTO notes (department, application_no, author, category, record, text, shared,"
        " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)";
    long long count;
    if (check_text(input->text, err) != 0 || check_key(input->category, "$.category", err) != 0 ||
        check_key(input->record, "$.record", err) != 0 ||
        count_notes(store, department, application_no, &count, err) != 0)
        return NULL;
    if (input->record && !input->category) {
        error_set(err, ERROR_INVALID, "$.record: a record's note names its category too");
        return NULL;
    }
    if (count >= NOTES_PER_APPLICATION_MAX) {
        error_set(err, ERROR_INVALID, "%s-%s has %d notes already", department, application_no,
                  NOTES_PER_APPLICATION_MAX);
        return NULL;
    }
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return NULL;
    char now[TIMESTAMP_SIZE];
    timestamp_now(now);
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, application_no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, author, -1, SQLITE_TRANSIENT);
    if (input->category)
        sqlite3_bind_text(s, 4, input->category, -1, SQLITE_TRANSIENT);
    if (input->record)
        sqlite3_bind_text(s, 5, input->record, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, input->text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 7, input->shared);
    sqlite3_bind_text(s, 8, now, -1, SQLITE_TRANSIENT);
    int row = store_step(store, s, err);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (row < 0)
        return NULL;
    return note_by_id(store, department, application_no,
                      sqlite3_last_insert_rowid(store_db(store)), author, err);
}

/* The author's note, or NOT_FOUND for anyone else's (a note one may not
 * change is answered as absent, as elsewhere: in the same words as
 * note_by_id's, so the answer does not tell that the number is taken). */
static json_t *own_note(struct store *store, const char *department, const char *application_no,
                        long long id, const char *author, struct error *err)
{
    json_t *note = note_by_id(store, department, application_no, id, author, err);
    if (note && !json_is_true(json_object_get(note, "mine"))) {
        json_decref(note);
        error_set(err, ERROR_NOT_FOUND, "no note %lld on %s-%s", id, department, application_no);
        return NULL;
    }
    return note;
}

json_t *notes_update(struct store *store, const char *department, const char *application_no,
                     long long id, const char *author, long long version, const char *text,
                     bool shared, struct error *err)
{
    static const char *sql =
        "UPDATE notes SET text = ?2, shared = ?3, version = version + 1, updated_at = ?4"
        " WHERE id = ?1";
    if (check_text(text, err) != 0)
        return NULL;
    json_t *note = own_note(store, department, application_no, id, author, err);
    if (!note)
        return NULL;
    long long current = json_integer_value(json_object_get(note, "version"));
    json_decref(note);
    if (current != version) {
        error_set(err, ERROR_CONFLICT, "note %lld is at version %lld, not %lld", id, current, version);
        return NULL;
    }
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return NULL;
    char now[TIMESTAMP_SIZE];
    timestamp_now(now);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, shared);
    sqlite3_bind_text(s, 4, now, -1, SQLITE_TRANSIENT);
    int row = store_step(store, s, err);
    sqlite3_reset(s);
    if (row < 0)
        return NULL;
    return note_by_id(store, department, application_no, id, author, err);
}

int notes_delete(struct store *store, const char *department, const char *application_no,
                 long long id, const char *author, struct error *err)
{
    json_t *note = own_note(store, department, application_no, id, author, err);
    if (!note)
        return -1;
    json_decref(note);
    sqlite3_stmt *s = store_statement(store, "DELETE FROM notes WHERE id = ?1", err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    int row = store_step(store, s, err);
    sqlite3_reset(s);
    return row < 0 ? -1 : 0;
}
