/* ingest — export package → checked → one transaction per application.
 *
 * For each application listed in the manifest: read its file (size-capped),
 * compare the manifest's SHA-256, skip it if the stored copy has the same
 * hash, parse and validate it, verify every attachment it references
 * (size, SHA-256, first bytes), then in one transaction replace any older
 * version, insert its rows, copy its attachments into the file store and
 * recompute its derived index rows. */
#include "ingest/ingest.h"
#include "core/category.h"
#include "core/files.h"
#include "core/text.h"
#include "core/timestamp.h"
#include "ingest/package.h"
#include "store/index.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Per-package state carried through the loop. */
struct ingest_run {
    struct store *store;
    struct package *package;
    struct manifest manifest;
    char manifest_sha256[65];
    struct ingest_summary *summary;
    sqlite3_int64 package_id;       /* 0 until the first application loads */
    /* Attachments already verified in this package, keyed by
     * "<sha256> <media type> <size>" as declared: a file is checked once per
     * package for each way applications declare it. */
    GHashTable *verified_files;
};

static void add_problem(struct ingest_run *run, const char *file, const char *path,
                        const char *rule)
{
    problems_add(&run->summary->problems, file, path, "%s", rule);
    struct problem *p = &run->summary->problems.items[run->summary->problems.count - 1];
    snprintf(p->package, sizeof p->package, "%s", package_path(run->package));
}

/* Stamps the package name on problems that validate added. */
static void stamp_package(struct ingest_run *run, size_t from)
{
    for (size_t i = from; i < run->summary->problems.count; i++)
        snprintf(run->summary->problems.items[i].package, sizeof run->summary->problems.items[i].package,
                 "%s", package_path(run->package));
}

/* ---- binding JSON values to statement parameters ------------------------ */

static void bind_text(sqlite3_stmt *s, int index, const json_t *object, const char *key)
{
    const json_t *value = json_object_get(object, key);
    if (json_is_string(value))
        sqlite3_bind_text(s, index, json_string_value(value), (int)json_string_length(value),
                          SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, index);
}

static void bind_number(sqlite3_stmt *s, int index, const json_t *object, const char *key)
{
    const json_t *value = json_object_get(object, key);
    if (json_is_integer(value))
        sqlite3_bind_int64(s, index, json_integer_value(value));
    else if (json_is_real(value))
        sqlite3_bind_double(s, index, json_real_value(value));
    else if (json_is_boolean(value))
        sqlite3_bind_int(s, index, json_is_true(value));
    else
        sqlite3_bind_null(s, index);
}

/* An array or object member stored as its JSON text. */
static void bind_json(sqlite3_stmt *s, int index, const json_t *object, const char *key)
{
    char *text = json_dumps(json_object_get(object, key), JSON_COMPACT | JSON_ENCODE_ANY);
    sqlite3_bind_text(s, index, text ? text : "[]", -1, SQLITE_TRANSIENT);
    free(text);
}

static int step_done(struct store *store, sqlite3_stmt *s, const char *what, struct error *err)
{
    return store_step(store, s, err) < 0 ? error_prefix(err, "%s", what) : 0;
}

/* ---- rows of one application ------------------------------------------ */

static int insert_package_and_department(struct ingest_run *run, const char *department,
                                         struct error *err)
{
    struct store *store = run->store;
    const struct manifest *m = &run->manifest;
    static const char *insert_package =
        "INSERT INTO packages(manifest_sha256, source_path, round, exported_at, university_code,"
        " university_name, ingested_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        " ON CONFLICT(manifest_sha256) DO UPDATE SET source_path = excluded.source_path"
        " RETURNING id";
    sqlite3_stmt *s = store_statement(store, insert_package, err);
    if (!s)
        return -1;
    char now[TIMESTAMP_SIZE];
    timestamp_now(now);
    sqlite3_bind_text(s, 1, run->manifest_sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, package_path(run->package), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, m->round, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, m->exported_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, m->university_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, m->university_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, now, -1, SQLITE_TRANSIENT);
    if (store_step(store, s, err) <= 0)
        return error_prefix(err, "packages");
    run->package_id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);

    const char *name = "";
    for (size_t i = 0; i < m->department_count; i++)
        if (strcmp(m->departments[i].code, department) == 0)
            name = m->departments[i].name;
    static const char *upsert_department =
        "INSERT INTO departments(code, name, university_code, university_name, round)"
        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(code) DO UPDATE SET name = excluded.name,"
        " university_code = excluded.university_code, university_name = excluded.university_name,"
        " round = excluded.round";
    if (!(s = store_statement(store, upsert_department, err)))
        return -1;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, m->university_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, m->university_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, m->round, -1, SQLITE_STATIC);
    return step_done(store, s, "departments", err);
}

static int insert_application(struct ingest_run *run, const json_t *app, const char *key,
                              const char *sha256, sqlite3_int64 *id, struct error *err)
{
    static const char *sql =
        "INSERT INTO applications(key, application_no, department, source, submitted_at,"
        " content_sha256, package_id, exported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    sqlite3_stmt *s = store_statement(run->store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    bind_text(s, 2, app, "application_no");
    bind_text(s, 3, app, "department");
    bind_text(s, 4, app, "source");
    bind_text(s, 5, app, "submitted_at");
    sqlite3_bind_text(s, 6, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, run->package_id);
    sqlite3_bind_text(s, 8, run->manifest.exported_at, -1, SQLITE_STATIC);
    if (step_done(run->store, s, "applications", err) != 0)
        return -1;
    *id = sqlite3_last_insert_rowid(store_db(run->store));
    return 0;
}

static int insert_student(struct store *store, sqlite3_int64 id, const json_t *student,
                          struct error *err)
{
    static const char *sql =
        "INSERT INTO students(application_id, name, national_id, gender, birth_date, school_code,"
        " school_name, program, class_name, seat_no, entry_year, graduation_year, status)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    const json_t *school = json_object_get(student, "school");
    sqlite3_bind_int64(s, 1, id);
    bind_text(s, 2, student, "name");
    bind_text(s, 3, student, "national_id");
    bind_text(s, 4, student, "gender");
    bind_text(s, 5, student, "birth_date");
    bind_text(s, 6, school, "code");
    bind_text(s, 7, school, "name");
    bind_text(s, 8, student, "program");
    bind_text(s, 9, student, "class_name");
    bind_number(s, 10, student, "seat_no");
    bind_number(s, 11, student, "entry_year");
    bind_number(s, 12, student, "graduation_year");
    bind_text(s, 13, student, "status");
    return step_done(store, s, "students", err);
}

static int insert_cadres(struct store *store, sqlite3_int64 id, const json_t *cadres,
                         struct error *err)
{
    static const char *sql =
        "INSERT INTO cadres(application_id, position, unit, title, start_date, end_date, level)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    size_t i;
    const json_t *cadre;
    json_array_foreach(cadres, i, cadre) {
        sqlite3_stmt *s = store_statement(store, sql, err);
        if (!s)
            return -1;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int(s, 2, (int)i);
        bind_text(s, 3, cadre, "unit");
        bind_text(s, 4, cadre, "title");
        bind_text(s, 5, cadre, "start");
        bind_text(s, 6, cadre, "end");
        bind_number(s, 7, cadre, "level");
        if (step_done(store, s, "cadres", err) != 0)
            return -1;
    }
    return 0;
}

/* "n0,n1,…,n9" */
static void histogram_text(const json_t *histogram, char *out, size_t size)
{
    size_t used = 0, i;
    const json_t *count;
    out[0] = '\0';
    json_array_foreach(histogram, i, count)
        used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s%lld",
                                 i ? "," : "", json_integer_value(count));
}

static int insert_course(struct store *store, sqlite3_int64 id, const char *department,
                         bool self_made, size_t position, const json_t *course, struct error *err)
{
    static const char *sql =
        "INSERT INTO courses(application_id, position, year, semester, grade, code, name, credits,"
        " score, passed, makeup_score, counted, record_type, in_progress, cohort_size, cohort_rank,"
        " cohort_histogram, remark, department, course_type, domain_code, subject, category, graded)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
        " ?19, ?20, ?21, ?22, ?23, ?24)";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    const char *code = json_string_value(json_object_get(course, "code"));
    const char *name = json_string_value(json_object_get(course, "name"));
    char category[CATEGORY_NAME_MAX], subject[CATEGORY_NAME_MAX], histogram[256];
    char type[2] = {code[16], '\0'}, domain[3] = {code[19], code[20], '\0'};
    category_of_course(code, name, category, sizeof category);
    category_subject(name, subject, sizeof subject);
    const json_t *cohort = json_object_get(course, "cohort");
    bool in_progress = json_is_true(json_object_get(course, "in_progress"));
    bool has_score = json_is_number(json_object_get(course, "score"));
    long long counted = json_integer_value(json_object_get(course, "counted"));

    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, (int)position);
    bind_number(s, 3, course, "year");
    bind_number(s, 4, course, "semester");
    bind_number(s, 5, course, "grade");
    bind_text(s, 6, course, "code");
    bind_text(s, 7, course, "name");
    bind_number(s, 8, course, "credits");
    bind_number(s, 9, course, "score");
    bind_number(s, 10, course, "passed");
    bind_number(s, 11, course, "makeup_score");
    bind_number(s, 12, course, "counted");
    bind_text(s, 13, course, "record_type");
    sqlite3_bind_int(s, 14, in_progress);
    if (cohort) {
        bind_number(s, 15, cohort, "size");
        bind_number(s, 16, cohort, "rank");
        histogram_text(json_object_get(cohort, "histogram"), histogram, sizeof histogram);
        sqlite3_bind_text(s, 17, histogram, -1, SQLITE_TRANSIENT);
    }
    bind_text(s, 18, course, "remark");
    sqlite3_bind_text(s, 19, department, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 20, type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 21, domain, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 22, subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 23, category, -1, SQLITE_TRANSIENT);
    /* Pools and averages use graded rows only: a score, over, and not
     * "not graded" (counted 3), of a portfolio application — a self-made
     * application is never ranked with portfolio applicants. */
    sqlite3_bind_int(s, 24, has_score && !in_progress && counted != 3 && !self_made);
    return step_done(store, s, "courses", err);
}

static int insert_catalog(struct store *store, sqlite3_int64 id, const json_t *catalog,
                          struct error *err)
{
    static const char *sql =
        "INSERT INTO course_catalog(application_id, code, name_en, teacher_source, required,"
        " domain, cross_domain, origin, competencies, syllabus)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    const char *code;
    const json_t *entry;
    json_object_foreach((json_t *)catalog, code, entry) {
        sqlite3_stmt *s = store_statement(store, sql, err);
        if (!s)
            return -1;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_text(s, 2, code, -1, SQLITE_TRANSIENT);
        bind_text(s, 3, entry, "name_en");
        bind_json(s, 4, entry, "teacher_source");
        bind_number(s, 5, entry, "required");
        bind_text(s, 6, entry, "domain");
        bind_text(s, 7, entry, "cross_domain");
        bind_text(s, 8, entry, "origin");
        bind_json(s, 9, entry, "competencies");
        bind_text(s, 10, entry, "syllabus");
        if (step_done(store, s, "course_catalog", err) != 0)
            return -1;
    }
    return 0;
}

/* Copies a verified attachment into <db>.files/ unless it is there already:
 * temporary name then rename, so a stored file is always whole. */
static int store_file_bytes(struct store *store, const char *sha256, const char *media_type,
                            const char *data, size_t length, struct error *err)
{
    char path[4096], directory[4096];
    store_file_path(store, sha256, media_type, path, sizeof path);
    struct stat st;
    if (stat(path, &st) == 0 && (size_t)st.st_size == length)
        return 0;
    snprintf(directory, sizeof directory, "%s/%.2s", store_files_dir(store), sha256);
    if (files_make_directories(directory, err) != 0)
        return -1;
    return files_write_atomic(path, data, length, err);
}

static int insert_attachments(struct ingest_run *run, sqlite3_int64 id, const char *owner_kind,
                              sqlite3_int64 owner_id, const json_t *files, struct error *err)
{
    static const char *file_sql =
        "INSERT INTO files(sha256, media_type, size) VALUES (?1, ?2, ?3)"
        " ON CONFLICT(sha256) DO NOTHING";
    static const char *attachment_sql =
        "INSERT INTO attachments(application_id, owner_kind, owner_id, position, sha256, name,"
        " media_type, size) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    size_t i;
    const json_t *file;
    json_array_foreach(files, i, file) {
        sqlite3_stmt *s = store_statement(run->store, file_sql, err);
        if (!s)
            return -1;
        bind_text(s, 1, file, "sha256");
        bind_text(s, 2, file, "media_type");
        bind_number(s, 3, file, "size");
        if (step_done(run->store, s, "files", err) != 0)
            return -1;
        if (!(s = store_statement(run->store, attachment_sql, err)))
            return -1;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_text(s, 2, owner_kind, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, owner_id);
        sqlite3_bind_int(s, 4, (int)i);
        bind_text(s, 5, file, "sha256");
        bind_text(s, 6, file, "name");
        bind_text(s, 7, file, "media_type");
        bind_number(s, 8, file, "size");
        if (step_done(run->store, s, "attachments", err) != 0)
            return -1;
    }
    return 0;
}

static int insert_outcomes(struct ingest_run *run, sqlite3_int64 id, const json_t *outcomes,
                           struct error *err)
{
    static const char *sql =
        "INSERT INTO outcomes(application_id, position, export_id, item, year, semester,"
        " course_code, course_name, title, summary, certified, certified_at, uploaded_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
    size_t i;
    const json_t *o;
    json_array_foreach(outcomes, i, o) {
        sqlite3_stmt *s = store_statement(run->store, sql, err);
        if (!s)
            return -1;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int(s, 2, (int)i);
        bind_text(s, 3, o, "id");
        bind_text(s, 4, o, "item");
        bind_number(s, 5, o, "year");
        bind_number(s, 6, o, "semester");
        bind_text(s, 7, o, "course_code");
        bind_text(s, 8, o, "course_name");
        bind_text(s, 9, o, "title");
        bind_text(s, 10, o, "summary");
        bind_number(s, 11, o, "certified");
        bind_text(s, 12, o, "certified_at");
        bind_text(s, 13, o, "uploaded_at");
        if (step_done(run->store, s, "outcomes", err) != 0 ||
            insert_attachments(run, id, "outcome", sqlite3_last_insert_rowid(store_db(run->store)),
                               json_object_get(o, "files"), err) != 0)
            return -1;
    }
    return 0;
}

static int insert_performances(struct ingest_run *run, sqlite3_int64 id,
                               const json_t *performances, struct error *err)
{
    static const char *sql =
        "INSERT INTO performances(application_id, position, export_id, item, kind, year, semester,"
        " title, organizer, start_date, end_date, hours, level, award, summary, uploaded_at, links)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
    size_t i;
    const json_t *p;
    json_array_foreach(performances, i, p) {
        sqlite3_stmt *s = store_statement(run->store, sql, err);
        if (!s)
            return -1;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int(s, 2, (int)i);
        bind_text(s, 3, p, "id");
        bind_text(s, 4, p, "item");
        bind_text(s, 5, p, "kind");
        bind_number(s, 6, p, "year");
        bind_number(s, 7, p, "semester");
        bind_text(s, 8, p, "title");
        bind_text(s, 9, p, "organizer");
        bind_text(s, 10, p, "start");
        bind_text(s, 11, p, "end");
        bind_number(s, 12, p, "hours");
        bind_text(s, 13, p, "level");
        bind_text(s, 14, p, "award");
        bind_text(s, 15, p, "summary");
        bind_text(s, 16, p, "uploaded_at");
        bind_json(s, 17, p, "links");
        if (step_done(run->store, s, "performances", err) != 0 ||
            insert_attachments(run, id, "performance", sqlite3_last_insert_rowid(store_db(run->store)),
                               json_object_get(p, "files"), err) != 0)
            return -1;
    }
    return 0;
}

static int insert_uploads(struct ingest_run *run, sqlite3_int64 id, const json_t *uploads,
                          struct error *err)
{
    static const char *sql =
        "INSERT INTO uploads(application_id, position, item, title, text)"
        " VALUES (?1, ?2, ?3, ?4, ?5)";
    size_t i;
    const json_t *u;
    json_array_foreach(uploads, i, u) {
        sqlite3_stmt *s = store_statement(run->store, sql, err);
        if (!s)
            return -1;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int(s, 2, (int)i);
        bind_text(s, 3, u, "item");
        bind_text(s, 4, u, "title");
        bind_text(s, 5, u, "text");
        if (step_done(run->store, s, "uploads", err) != 0 ||
            insert_attachments(run, id, "upload", sqlite3_last_insert_rowid(store_db(run->store)),
                               json_object_get(u, "files"), err) != 0)
            return -1;
    }
    return 0;
}

/* ---- attachments: verify in the package, then copy ------------------- */

/* Reads and checks one referenced file; on success copies it into the
 * file store (outside the transaction is fine: the store is content-addressed,
 * so an orphan left by a crash is harmless).  Returns 0, or 1 after adding a
 * problem. */
static int verify_and_copy_file(struct ingest_run *run, const char *file_name,
                                const struct file_reference *ref, struct error *err)
{
    char key[128];
    snprintf(key, sizeof key, "%s %s %lld", ref->sha256, ref->media_type, ref->size);
    if (g_hash_table_contains(run->verified_files, key))
        return 0;
    const char *extension = store_extension_for(ref->media_type);
    char member[128], rule[600];
    snprintf(member, sizeof member, "files/%s.%s", ref->sha256, extension);
    size_t cap = (size_t)ref->size;
    char *data = NULL;
    size_t length = 0;
    struct error read_err;
    enum package_status status = package_read(run->package, member, cap, &data, &length, &read_err);
    if (status != PACKAGE_OK) {
        snprintf(rule, sizeof rule, "attachment %s", read_err.message);
        if (status == PACKAGE_ERROR && strstr(read_err.message, "limit"))
            snprintf(rule, sizeof rule, "attachment %s: larger than the declared size %lld", member, ref->size);
        add_problem(run, file_name, ref->path, rule);
        return 1;
    }
    char actual[65];
    text_sha256_hex(data, length, actual);
    if ((long long)length != ref->size)
        snprintf(rule, sizeof rule, "attachment %s: %zu bytes, declared %lld", member, length, ref->size);
    else if (strcmp(actual, ref->sha256) != 0)
        snprintf(rule, sizeof rule, "attachment %s: SHA-256 is %s", member, actual);
    else if (!validate_magic_matches(ref->media_type, (const unsigned char *)data, length))
        snprintf(rule, sizeof rule, "attachment %s: first bytes do not match %s", member, ref->media_type);
    else
        rule[0] = '\0';
    if (rule[0]) {
        free(data);
        add_problem(run, file_name, ref->path, rule);
        return 1;
    }
    int rc = store_file_bytes(run->store, ref->sha256, ref->media_type, data, length, err);
    free(data);
    if (rc != 0)
        return -1;
    g_hash_table_add(run->verified_files, g_strdup(key));
    return 0;
}

/* ---- one application ----------------------------------------------------- */

static int stored_hash(struct store *store, const char *key, char out[65], struct error *err)
{
    static const char *sql = "SELECT content_sha256 FROM applications WHERE key = ?1";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    out[0] = '\0';
    int row = store_step(store, s, err);
    if (row > 0)
        snprintf(out, 65, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return row < 0 ? -1 : 0;
}

static int write_application(struct ingest_run *run, const json_t *app, const char *key,
                             const char *sha256, bool replacing, struct error *err)
{
    struct store *store = run->store;
    const char *department = json_string_value(json_object_get(app, "department"));
    bool self_made = strcmp(json_string_value(json_object_get(app, "source")), "self_made_pdf") == 0;
    sqlite3_int64 id;
    static const char *remove_old = "DELETE FROM applications WHERE key = ?1";
    if (replacing) {
        sqlite3_stmt *s = store_statement(store, remove_old, err);
        if (!s)
            return -1;
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        if (step_done(store, s, "replace", err) != 0)
            return -1;
    }
    if (insert_package_and_department(run, department, err) != 0 ||
        insert_application(run, app, key, sha256, &id, err) != 0 ||
        insert_student(store, id, json_object_get(app, "student"), err) != 0 ||
        insert_cadres(store, id, json_object_get(app, "cadres"), err) != 0)
        return -1;
    const json_t *courses = json_object_get(app, "courses");
    size_t i;
    const json_t *course;
    json_array_foreach(courses, i, course)
        if (insert_course(store, id, department, self_made, i, course, err) != 0)
            return -1;
    if (insert_catalog(store, id, json_object_get(app, "course_catalog"), err) != 0 ||
        insert_outcomes(run, id, json_object_get(app, "course_outcomes"), err) != 0 ||
        insert_performances(run, id, json_object_get(app, "performances"), err) != 0 ||
        insert_uploads(run, id, json_object_get(app, "uploads"), err) != 0)
        return -1;
    return index_application(store, id, err);
}

/* Parses JSON, reporting a syntax error as a problem.  Caller owns the result. */
static json_t *parse_json(struct ingest_run *run, const char *file, const char *data,
                          size_t length)
{
    json_error_t json_err;
    /* NUL is allowed through the parser so that validate can name the field. */
    json_t *root = json_loadb(data, length, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &json_err);
    if (!root) {
        char rule[600];
        snprintf(rule, sizeof rule, "not valid JSON: %s (line %d, column %d)%s", json_err.text,
                 json_err.line, json_err.column,
                 strstr(json_err.text, "decode byte") ? ": the text is not valid UTF-8" : "");
        add_problem(run, file, "", rule);
    }
    return root;
}

/* Returns 0 when the application was handled (loaded, skipped or
 * rejected), -1 on a database or file-store failure. */
static int ingest_application(struct ingest_run *run, const struct manifest_entry *entry,
                              struct error *err)
{
    struct ingest_summary *summary = run->summary;
    if (!entry->usable) {
        summary->rejected++;
        return 0;
    }
    char key[32];
    snprintf(key, sizeof key, "%s-%s", entry->department, entry->application_no);
    char *data = NULL;
    size_t length = 0;
    struct error read_err;
    if (package_read(run->package, entry->path, VALIDATE_MAX_APPLICATION_BYTES, &data, &length,
                     &read_err) != PACKAGE_OK) {
        /* read_err names the member; the problem line names it already */
        const char *rule = strncmp(read_err.message, entry->path, strlen(entry->path)) == 0 &&
                           read_err.message[strlen(entry->path)] == ':'
                           ? read_err.message + strlen(entry->path) + 2 : read_err.message;
        add_problem(run, entry->path, "", rule);
        summary->rejected++;
        return 0;
    }
    char actual[65], existing[65];
    text_sha256_hex(data, length, actual);
    if (strcmp(actual, entry->sha256) != 0) {
        char rule[200];
        snprintf(rule, sizeof rule, "SHA-256 is %s, the manifest says %s", actual, entry->sha256);
        add_problem(run, entry->path, "", rule);
        summary->rejected++;
        free(data);
        return 0;
    }
    if (stored_hash(run->store, key, existing, err) != 0) {
        free(data);
        return -1;
    }
    if (strcmp(existing, actual) == 0) {
        summary->unchanged++;
        free(data);
        return 0;
    }
    json_t *app = parse_json(run, entry->path, data, length);
    free(data);
    if (!app) {
        summary->rejected++;
        return 0;
    }
    struct file_reference_list files = {0};
    size_t before = summary->problems.count;
    size_t found = validate_application(app, entry->path, &run->manifest, entry,
                                       &summary->problems, &files);
    stamp_package(run, before);
    int rc = 0;
    for (size_t i = 0; found == 0 && rc == 0 && i < files.count; i++) {
        rc = verify_and_copy_file(run, entry->path, &files.items[i], err);
        if (rc == 1) {
            found++;
            rc = 0;
        }
    }
    file_references_free(&files);
    if (rc == 0 && found > 0) {
        summary->rejected++;
    } else if (rc == 0) {
        bool replacing = existing[0] != '\0';
        if (store_begin(run->store, err) != 0 ||
            write_application(run, app, key, actual, replacing, err) != 0 ||
            store_commit(run->store, err) != 0) {
            store_rollback(run->store);
            rc = -1;
        } else if (replacing) {
            summary->replaced++;
        } else {
            summary->loaded++;
        }
    }
    json_decref(app);
    return rc;
}

/* ---- the package ------------------------------------------------------- */

static void report_unlisted(const char *member, void *context)
{
    struct ingest_run *run = context;
    for (size_t i = 0; i < run->manifest.entry_count; i++)
        if (strcmp(run->manifest.entries[i].path, member) == 0)
            return;
    add_problem(run, member, "", "not listed in the manifest; not loaded");
    run->summary->reported++;
}

/* Reads and checks manifest.json.  Returns 0 if the package is readable,
 * 1 if it is refused (problem added), -1 on our own failure. */
static int read_manifest(struct ingest_run *run)
{
    char *data = NULL;
    size_t length = 0;
    struct error read_err;
    if (package_read(run->package, "manifest.json", VALIDATE_MAX_MANIFEST_BYTES, &data, &length,
                     &read_err) != PACKAGE_OK) {
        add_problem(run, "manifest.json", "", read_err.message);
        return 1;
    }
    text_sha256_hex(data, length, run->manifest_sha256);
    json_t *root = parse_json(run, "manifest.json", data, length);
    free(data);
    if (!root)
        return 1;
    size_t before = run->summary->problems.count;
    int rc = validate_manifest(root, "manifest.json", &run->manifest, &run->summary->problems);
    stamp_package(run, before);
    json_decref(root);
    return rc == 0 ? 0 : 1;
}

static void add_package_problem(struct ingest_summary *summary, const char *package,
                                const char *rule)
{
    problems_add(&summary->problems, "", "", "%s", rule);
    snprintf(summary->problems.items[summary->problems.count - 1].package,
             sizeof summary->problems.items[0].package, "%s", package);
}

int ingest_package(struct store *store, const char *package_path_name,
                   struct ingest_summary *summary,
                   ingest_progress_fn progress, void *progress_context,
                   struct error *err)
{
    struct ingest_run run = {.store = store, .summary = summary};
    struct error open_err;
    if (package_open(package_path_name, &run.package, &open_err) != 0) {
        add_package_problem(summary, package_path_name, open_err.message);
        summary->refused++;
        return 0;
    }
    int rc = 0;
    if (read_manifest(&run) != 0) {
        add_package_problem(summary, package_path_name,
                            "package refused: the manifest cannot be read; nothing was loaded");
        summary->refused++;
    } else {
        run.verified_files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        struct error list_err;
        if (package_list(run.package, "applications", report_unlisted, &run, &list_err) != 0)
            add_problem(&run, "applications", "", list_err.message);
        for (size_t i = 0; rc == 0 && i < run.manifest.entry_count; i++) {
            rc = ingest_application(&run, &run.manifest.entries[i], err);
            if (progress)
                progress((int)i + 1, (int)run.manifest.entry_count, progress_context);
        }
        g_hash_table_destroy(run.verified_files);
        /* Once per package, not per application: every application touches
         * most pools of its department. */
        if (rc == 0 && (store_begin(store, err) != 0 || index_refresh_pool_statistics(store, err) != 0 ||
                        store_commit(store, err) != 0)) {
            store_rollback(store);
            rc = -1;
        }
    }
    manifest_free(&run.manifest);
    package_close(run.package);
    return rc;
}

void ingest_summary_free(struct ingest_summary *summary)
{
    problems_free(&summary->problems);
}
