/* note_handlers — reviewers' notes over HTTP (see note_handlers.h). */
#include "server/note_handlers.h"
#include "core/text.h"
#include "query/notes.h"

#include <stdio.h>
#include <string.h>

/* The {id} parameter's department and number once the session sees it. */
static bool note_application(struct http_call *call, char department[16], char no[16],
                             enum MHD_Result *result)
{
    sqlite3_int64 id;
    if (!http_application(call, &id, result))
        return false;
    http_application_department(call, department);
    snprintf(no, 16, "%s", strchr(call->params[0], '-') + 1);
    return true;
}

static bool reviewer_only(struct http_call *call, enum MHD_Result *result)
{
    if (call->session->role == AUTH_REVIEWER)
        return true;
    *result = http_reply_error(call, MHD_HTTP_FORBIDDEN, "notes are written by reviewers");
    return false;
}

/* The {note} parameter as a number; false after answering 404. */
static bool note_id(struct http_call *call, long long *id, enum MHD_Result *result)
{
    long value;
    if (text_parse_integer(call->params[1], 1, 1L << 53, &value)) {
        *id = value;
        return true;
    }
    *result = http_reply_not_found(call, "no such note");
    return false;
}

/* Commits the change with its audit row ("note N"). */
static enum MHD_Result commit_note(struct http_call *call, const char *action, long long id,
                                   unsigned status, json_t *value)
{
    char detail[48];
    snprintf(detail, sizeof detail, "note %lld", id);
    return http_commit_recorded(call, action, call->params[0], detail, status, value);
}

enum MHD_Result handle_notes(struct http_call *call)
{
    char department[16], no[16];
    enum MHD_Result result;
    if (!note_application(call, department, no, &result))
        return result;
    struct error err;
    const char *reader = call->session->role == AUTH_REVIEWER ? call->session->user : NULL;
    json_t *notes = notes_list(call->store, department, no, reader, &err);
    if (!notes)
        return http_reply_failure(call, "notes", &err);
    return http_reply_recorded(call, notes, "view_notes", call->params[0], NULL);
}

enum MHD_Result handle_note_add(struct http_call *call)
{
    char department[16], no[16];
    enum MHD_Result result;
    if (!reviewer_only(call, &result) || !note_application(call, department, no, &result))
        return result;
    json_t *body = http_json_body(call, &result);
    if (!body)
        return result;
    struct note_input input = {
        .category = json_string_value(json_object_get(body, "category")),
        .record = json_string_value(json_object_get(body, "record")),
        .text = json_string_value(json_object_get(body, "text")),
        .shared = json_is_true(json_object_get(body, "shared")),
    };
    struct error err;
    json_t *note = NULL;
    if (store_begin(call->store, &err) == 0 &&
        !(note = notes_add(call->store, department, no, call->session->user, &input, &err)))
        store_rollback(call->store);
    json_decref(body);
    if (!note)
        return http_reply_failure(call, "note", &err);
    return commit_note(call, "note_add", json_integer_value(json_object_get(note, "id")),
                           MHD_HTTP_CREATED, note);
}

enum MHD_Result handle_note_update(struct http_call *call)
{
    char department[16], no[16];
    long long id;
    enum MHD_Result result;
    if (!reviewer_only(call, &result) || !note_application(call, department, no, &result) ||
        !note_id(call, &id, &result))
        return result;
    json_t *body = http_json_body(call, &result);
    if (!body)
        return result;
    const json_t *version = json_object_get(body, "version");
    const char *text = json_string_value(json_object_get(body, "text"));
    struct error err;
    json_t *note = NULL;
    if (!json_is_integer(version) || !text) {
        json_decref(body);
        return http_reply_error(call, MHD_HTTP_BAD_REQUEST, "give {\"version\": N, \"text\": …, \"shared\": …}");
    }
    if (store_begin(call->store, &err) == 0 &&
        !(note = notes_update(call->store, department, no, id, call->session->user,
                              json_integer_value(version), text,
                              json_is_true(json_object_get(body, "shared")), &err)))
        store_rollback(call->store);
    json_decref(body);
    if (!note)
        return http_reply_failure(call, "note", &err);
    return commit_note(call, "note_edit", id, MHD_HTTP_OK, note);
}

enum MHD_Result handle_note_delete(struct http_call *call)
{
    char department[16], no[16];
    long long id;
    enum MHD_Result result;
    if (!reviewer_only(call, &result) || !note_application(call, department, no, &result) ||
        !note_id(call, &id, &result))
        return result;
    struct error err;
    int rc = store_begin(call->store, &err);
    if (rc == 0 && (rc = notes_delete(call->store, department, no, id, call->session->user, &err)) != 0)
        store_rollback(call->store);
    if (rc != 0)
        return http_reply_failure(call, "note", &err);
    return commit_note(call, "note_delete", id, MHD_HTTP_OK, NULL);
}
