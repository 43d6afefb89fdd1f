/* ingest — export package → checked → written in batched transactions.
 *
 * Two threads share an ingest.  The preparing thread takes the applications
 * the manifest lists, in order: it reads each file (size-capped), compares
 * the manifest's SHA-256, skips the application when the database held the
 * same hash as the ingest began, parses and validates it, and verifies and
 * copies every attachment it references.  It hands the parsed application
 * and the problems found on through a bounded queue.  The calling thread
 * writes them, in the same order: inside the write transaction it checks
 * the stored hash again (another process may have written the application
 * since), deletes any older version, inserts the rows and recomputes the
 * derived index rows.
 *
 * A write transaction holds up to INGEST_BATCH_APPLICATIONS applications,
 * or what INGEST_BATCH_SECONDS allows, and commits whole: after a crash or
 * kill -9 every application is whole or absent, and an absent one is
 * loaded by the next ingest (unchanged detection is by hash).  A failure
 * while writing rolls the open batch back and ends the ingest.  Savepoints
 * per application were measured and left out: inside a savepoint every
 * course row's insert (with its trigger) journals the pages it touches
 * into a sub-journal that only the savepoint's end frees, which doubled
 * the time of the course inserts; without them no application can be
 * half-written either, because a write fails only on a database failure,
 * which ends the ingest. */
#include "ingest/ingest.h"
#include "core/category.h"
#include "core/files.h"
#include "core/text.h"
#include "core/timestamp.h"
#include "ingest/package.h"
#include "store/index.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Applications per write transaction, and the longest one stays open (a
 * process waiting to write, such as the workstation saving a score, waits
 * at most about this long). */
#define INGEST_BATCH_APPLICATIONS 250
#define INGEST_BATCH_SECONDS      0.5
/* The pause after each commit, in microseconds (see batch_commit). */
#define INGEST_BATCH_PAUSE_US     2000
/* Applications prepared ahead of the writer: bounds the memory of parsed
 * JSON held at once. */
#define INGEST_QUEUE_DEPTH        16
/* The writer's page cache during an ingest (KiB); the connection's own
 * setting is restored afterwards.  Each application touches pages of every
 * index of the course rows; with SQLite's default 2 MB most of them were
 * read back from the WAL for every application. */
#define INGEST_CACHE_KIB          65536

enum prepared_outcome {
    PREPARED_REJECTED,      /* problems found: not loaded */
    PREPARED_UNCHANGED,     /* the database held the same hash as the ingest began */
    PREPARED_WRITE,         /* checked: application holds the parsed JSON */
    PREPARED_FAILED,        /* a failure of our own (the file store): err */
    PREPARED_END,           /* no more */
};

/* One application on its way from the preparing thread to the writer. */
struct prepared {
    enum prepared_outcome outcome;
    char key[32];                   /* <department>-<application_no> */
    char sha256[65];
    json_t *application;
    struct problem_list problems;   /* found while preparing, in order */
    struct error err;
};

/* Per-package state.  The preparing thread alone uses `package`,
 * `verified_files` and `items` it has taken from `free_items`; `stored` is
 * read-only while it runs; the writer alone uses `store` and `summary`. */
struct ingest_run {
    struct store *store;
    struct package *package;
    struct manifest manifest;
    char manifest_sha256[65];
    char source[PATH_MAX];          /* the package as named, for rows and problem lines */
    char files_dir[4096];           /* <db>.files */
    struct ingest_summary *summary;
    sqlite3_int64 package_id;       /* 0 until the first application loads */
    /* Attachments already verified in this package, keyed by
     * "<sha256> <media type> <size>" as declared: a file is checked once per
     * package for each way applications declare it. */
    GHashTable *verified_files;
    GHashTable *stored;             /* key → content_sha256 as the ingest began */
    struct prepared items[INGEST_QUEUE_DEPTH];
    struct prepared end;
    GAsyncQueue *free_items;        /* items the preparing thread may fill */
    GAsyncQueue *ready;             /* filled items in manifest order, then &end */
    gint stop;                      /* set by the writer: prepare no more */
};

/* Stamps the package name on problems added from `from` on. */
static void stamp_package(struct ingest_run *run, struct problem_list *problems, size_t from)
{
    for (size_t i = from; i < problems->count; i++)
        snprintf(problems->items[i].package, sizeof problems->items[i].package, "%s", run->source);
}

static void add_problem(struct ingest_run *run, struct problem_list *problems, const char *file,
                        const char *path, const char *rule)
{
    size_t before = problems->count;
    problems_add(problems, file, path, "%s", rule);
    stamp_package(run, problems, before);
}

/* ---- binding JSON values to statement parameters ------------------------ */

/* Text is bound with SQLITE_STATIC, not copied: every value outlives the
 * step that reads it (the application's JSON lives until the application
 * is written, local buffers until the function that steps returns), and
 * store_statement clears the bindings before a statement is used again. */
static void bind_text(sqlite3_stmt *s, int index, const json_t *object, const char *key)
{
    const json_t *value = json_object_get(object, key);
    if (json_is_string(value))
        sqlite3_bind_text(s, index, json_string_value(value), (int)json_string_length(value),
                          SQLITE_STATIC);
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
    if (text)
        sqlite3_bind_text(s, index, text, -1, free);   /* SQLite frees it */
    else
        sqlite3_bind_text(s, index, "[]", -1, SQLITE_STATIC);
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
    sqlite3_bind_text(s, 2, run->source, -1, SQLITE_STATIC);
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

/* "n0,n1,…,n9" (validated: 10 counts of 0..1,000,000), written by hand:
 * snprintf was a measurable part of the writer's time. */
static void histogram_text(const json_t *histogram, char *out, size_t size)
{
    size_t used = 0, i;
    const json_t *count;
    out[0] = '\0';
    json_array_foreach(histogram, i, count) {
        char digits[24];
        size_t n = 0;
        long long value = json_integer_value(count);
        bool negative = value < 0;
        unsigned long long magnitude = negative ? 0ULL - (unsigned long long)value : (unsigned long long)value;
        do
            digits[n++] = (char)('0' + magnitude % 10);
        while ((magnitude /= 10) > 0);
        if (negative)
            digits[n++] = '-';
        if (used + n + 2 > size)
            break;
        if (i)
            out[used++] = ',';
        while (n > 0)
            out[used++] = digits[--n];
        out[used] = '\0';
    }
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
        sqlite3_bind_text(s, 17, histogram, -1, SQLITE_STATIC);
    }
    bind_text(s, 18, course, "remark");
    sqlite3_bind_text(s, 19, department, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 20, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 21, domain, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 22, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 23, category, -1, SQLITE_STATIC);
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
        sqlite3_bind_text(s, 2, code, -1, SQLITE_STATIC);
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

/* Copies a verified attachment into <db>.files/ unless it is there already:
 * temporary name then rename, so a stored file is always whole. */
static int store_file_bytes(const char *files_dir, const char *sha256, const char *media_type,
                            const char *data, size_t length, struct error *err)
{
    char path[4096], directory[4096];
    store_file_path_in(files_dir, sha256, media_type, path, sizeof path);
    struct stat st;
    if (stat(path, &st) == 0 && (size_t)st.st_size == length)
        return 0;
    snprintf(directory, sizeof directory, "%s/%.2s", files_dir, sha256);
    if (files_make_directories(directory, err) != 0)
        return -1;
    return files_write_atomic(path, data, length, err);
}

/* Reads and checks one referenced file; on success copies it into the
 * file store (before the application's transaction, which is fine: the
 * store is content-addressed, so an orphan left by a crash is harmless,
 * and the copy is durable before any row names it).  Returns 0, or 1
 * after adding a problem, or -1 on a failure of the file store. */
static int verify_and_copy_file(struct ingest_run *run, struct problem_list *problems,
                                const char *file_name, const struct file_reference *ref,
                                struct error *err)
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
        add_problem(run, problems, file_name, ref->path, rule);
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
        add_problem(run, problems, file_name, ref->path, rule);
        return 1;
    }
    int rc = store_file_bytes(run->files_dir, ref->sha256, ref->media_type, data, length, err);
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
static json_t *parse_json(struct ingest_run *run, struct problem_list *problems, const char *file,
                          const char *data, size_t length)
{
    json_error_t json_err;
    /* NUL is allowed through the parser so that validate can name the field. */
    json_t *root = json_loadb(data, length, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &json_err);
    if (!root) {
        char rule[600];
        snprintf(rule, sizeof rule, "not valid JSON: %s (line %d, column %d)%s", json_err.text,
                 json_err.line, json_err.column,
                 strstr(json_err.text, "decode byte") ? ": the text is not valid UTF-8" : "");
        add_problem(run, problems, file, "", rule);
    }
    return root;
}

/* Fills `item` for one manifest entry (the preparing thread). */
static void prepare_application(struct ingest_run *run, const struct manifest_entry *entry,
                                struct prepared *item)
{
    item->outcome = PREPARED_REJECTED;
    if (!entry->usable)
        return;
    snprintf(item->key, sizeof item->key, "%s-%s", entry->department, entry->application_no);
    char *data = NULL;
    size_t length = 0;
    struct error read_err;
    if (package_read(run->package, entry->path, VALIDATE_MAX_APPLICATION_BYTES, &data, &length,
                     &read_err) != PACKAGE_OK) {
        /* read_err names the member; the problem line names it already */
        const char *rule = strncmp(read_err.message, entry->path, strlen(entry->path)) == 0 &&
                           read_err.message[strlen(entry->path)] == ':'
                           ? read_err.message + strlen(entry->path) + 2 : read_err.message;
        add_problem(run, &item->problems, entry->path, "", rule);
        return;
    }
    text_sha256_hex(data, length, item->sha256);
    if (strcmp(item->sha256, entry->sha256) != 0) {
        char rule[200];
        snprintf(rule, sizeof rule, "SHA-256 is %s, the manifest says %s", item->sha256, entry->sha256);
        add_problem(run, &item->problems, entry->path, "", rule);
        free(data);
        return;
    }
    const char *stored = g_hash_table_lookup(run->stored, item->key);
    if (stored && strcmp(stored, item->sha256) == 0) {
        item->outcome = PREPARED_UNCHANGED;
        free(data);
        return;
    }
    json_t *app = parse_json(run, &item->problems, entry->path, data, length);
    free(data);
    if (!app)
        return;
    struct file_reference_list files = {0};
    size_t before = item->problems.count;
    size_t found = validate_application(app, entry->path, &run->manifest, entry,
                                        &item->problems, &files);
    stamp_package(run, &item->problems, before);
    int rc = 0;
    for (size_t i = 0; found == 0 && rc == 0 && i < files.count; i++) {
        rc = verify_and_copy_file(run, &item->problems, entry->path, &files.items[i], &item->err);
        if (rc == 1) {
            found++;
            rc = 0;
        }
    }
    file_references_free(&files);
    if (rc != 0 || found > 0) {
        item->outcome = rc != 0 ? PREPARED_FAILED : PREPARED_REJECTED;
        json_decref(app);
        return;
    }
    item->application = app;
    item->outcome = PREPARED_WRITE;
}

static void prepared_clear(struct prepared *item)
{
    json_decref(item->application);
    problems_free(&item->problems);
    *item = (struct prepared){0};
}

/* The preparing thread: every manifest entry in order, then the end. */
static gpointer prepare_all(gpointer data)
{
    struct ingest_run *run = data;
    for (size_t i = 0; i < run->manifest.entry_count; i++) {
        struct prepared *item = g_async_queue_pop(run->free_items);
        /* Freed here, not by the writer: freeing a parsed application
         * costs time the writer is shorter of. */
        prepared_clear(item);
        if (g_atomic_int_get(&run->stop)) {
            g_async_queue_push(run->free_items, item);
            break;
        }
        prepare_application(run, &run->manifest.entries[i], item);
        g_async_queue_push(run->ready, item);
    }
    g_async_queue_push(run->ready, &run->end);
    return NULL;
}

/* The open write transaction and what it will have loaded once committed. */
struct batch {
    bool open;
    int applications;
    double started;
    int loaded, replaced;
};

static int batch_commit(struct ingest_run *run, struct batch *batch, struct error *err)
{
    if (!batch->open)
        return 0;
    batch->open = false;
    if (store_commit(run->store, err) != 0) {
        store_rollback(run->store);
        return -1;
    }
    run->summary->loaded += batch->loaded;
    run->summary->replaced += batch->replaced;
    *batch = (struct batch){0};
    /* Leave the write lock free a moment: another process waiting for it
     * (the workstation saving a score polls every 0.2 ms) gets it here,
     * instead of finding the next batch already begun. */
    g_usleep(INGEST_BATCH_PAUSE_US);
    return 0;
}

/* After a failure: nothing of the open batch stays. */
static void batch_abandon(struct ingest_run *run, struct batch *batch)
{
    if (batch->open)
        store_rollback(run->store);
    *batch = (struct batch){0};
}

static bool batch_is_due(const struct batch *batch)
{
    return batch->open && (batch->applications >= INGEST_BATCH_APPLICATIONS ||
                           timestamp_monotonic() - batch->started >= INGEST_BATCH_SECONDS);
}

/* Writes one checked application into the open batch (opening one when
 * none is).  The stored hash is read again inside the transaction: another
 * ingest may have loaded the application since the preparing thread
 * looked, and then it is unchanged, or changed, and then it is replaced. */
static int write_prepared(struct ingest_run *run, struct batch *batch, struct prepared *item,
                          struct error *err)
{
    if (!batch->open) {
        if (store_begin(run->store, err) != 0)
            return -1;
        batch->open = true;
        batch->started = timestamp_monotonic();
    }
    char existing[65];
    if (stored_hash(run->store, item->key, existing, err) != 0)
        return -1;
    if (strcmp(existing, item->sha256) == 0) {
        run->summary->unchanged++;
        return 0;
    }
    bool replacing = existing[0] != '\0';
    if (write_application(run, item->application, item->key, item->sha256, replacing, err) != 0)
        return -1;
    if (replacing)
        batch->replaced++;
    else
        batch->loaded++;
    batch->applications++;
    return 0;
}

/* The writer: takes the prepared applications in manifest order until the
 * end marker.  After a failure it only drains the queue, so that the
 * preparing thread, told to stop, can finish.  Returns 0 or -1 (err). */
static int write_all(struct ingest_run *run, ingest_progress_fn progress, void *progress_context,
                     struct error *err)
{
    struct batch batch = {0};
    int rc = 0, done = 0, total = (int)run->manifest.entry_count;
    for (;;) {
        struct prepared *item;
        if (batch.open) {
            /* A batch is not held open while the preparing thread is slow
             * (a large attachment): commit when its time is up. */
            double left = INGEST_BATCH_SECONDS - (timestamp_monotonic() - batch.started);
            item = left > 0 ? g_async_queue_timeout_pop(run->ready, (guint64)(left * 1e6) + 1) : NULL;
            if (!item) {
                if (batch_commit(run, &batch, err) != 0) {
                    rc = -1;
                    g_atomic_int_set(&run->stop, 1);
                }
                continue;
            }
        } else {
            item = g_async_queue_pop(run->ready);
        }
        if (item == &run->end)
            break;
        if (rc == 0) {
            problems_move(&run->summary->problems, &item->problems);
            switch (item->outcome) {
            case PREPARED_REJECTED: run->summary->rejected++; break;
            case PREPARED_UNCHANGED: run->summary->unchanged++; break;
            case PREPARED_FAILED: *err = item->err; rc = -1; break;
            case PREPARED_WRITE: rc = write_prepared(run, &batch, item, err); break;
            case PREPARED_END: break;
            }
            if (rc == 0 && batch_is_due(&batch))
                rc = batch_commit(run, &batch, err);
            if (rc != 0) {
                batch_abandon(run, &batch);
                g_atomic_int_set(&run->stop, 1);
            } else if (progress) {
                progress(++done, total, progress_context);
            }
        }
        g_async_queue_push(run->free_items, item);
    }
    if (rc == 0 && batch_commit(run, &batch, err) != 0)
        rc = -1;
    return rc;
}

/* The content hash of every stored application, for the preparing thread
 * to skip unchanged ones without parsing them. */
static int load_stored_hashes(struct ingest_run *run, struct error *err)
{
    static const char *sql = "SELECT key, content_sha256 FROM applications";
    sqlite3_stmt *s = store_statement(run->store, sql, err);
    if (!s)
        return -1;
    int row;
    while ((row = store_step(run->store, s, err)) > 0)
        g_hash_table_insert(run->stored, g_strdup((const char *)sqlite3_column_text(s, 0)),
                            g_strdup((const char *)sqlite3_column_text(s, 1)));
    sqlite3_reset(s);
    return row < 0 ? -1 : 0;
}

/* Runs the preparing thread and the writer over every manifest entry. */
static int ingest_applications(struct ingest_run *run, ingest_progress_fn progress,
                               void *progress_context, struct error *err)
{
    run->verified_files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    run->stored = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    run->free_items = g_async_queue_new();
    run->ready = g_async_queue_new();
    for (size_t i = 0; i < INGEST_QUEUE_DEPTH; i++)
        g_async_queue_push(run->free_items, &run->items[i]);
    int rc = load_stored_hashes(run, err);
    GThread *thread = NULL;
    if (rc == 0) {
        GError *thread_error = NULL;
        thread = g_thread_try_new("ingest-prepare", prepare_all, run, &thread_error);
        if (!thread) {
            rc = error_set(err, ERROR_INTERNAL, "cannot start the preparing thread: %s",
                           thread_error->message);
            g_error_free(thread_error);
        }
    }
    if (thread) {
        rc = write_all(run, progress, progress_context, err);
        g_thread_join(thread);
    }
    for (size_t i = 0; i < INGEST_QUEUE_DEPTH; i++)
        prepared_clear(&run->items[i]);
    g_async_queue_unref(run->ready);
    g_async_queue_unref(run->free_items);
    g_hash_table_destroy(run->stored);
    g_hash_table_destroy(run->verified_files);
    return rc;
}

/* ---- the package ------------------------------------------------------- */

struct unlisted {
    struct ingest_run *run;
    GHashTable *listed;             /* manifest paths */
};

static void report_unlisted(const char *member, void *context)
{
    struct unlisted *unlisted = context;
    if (g_hash_table_contains(unlisted->listed, member))
        return;
    add_problem(unlisted->run, &unlisted->run->summary->problems, member, "",
                "not listed in the manifest; not loaded");
    unlisted->run->summary->reported++;
}

/* Reports the files under applications/ that the manifest does not list.
 * Returns 0, or 1 when the package is refused (too many members). */
static int check_unlisted(struct ingest_run *run)
{
    struct unlisted unlisted = {run, g_hash_table_new(g_str_hash, g_str_equal)};
    for (size_t i = 0; i < run->manifest.entry_count; i++)
        g_hash_table_add(unlisted.listed, run->manifest.entries[i].path);
    struct error list_err;
    int rc = package_list(run->package, "applications", report_unlisted, &unlisted, &list_err);
    g_hash_table_destroy(unlisted.listed);
    if (rc != 0) {
        add_problem(run, &run->summary->problems, "applications", "", list_err.message);
        return list_err.kind == ERROR_INVALID ? 1 : 0;
    }
    return 0;
}

/* Reads and checks manifest.json.  Returns 0 if the package is readable,
 * 1 if it is refused (problem added). */
static int read_manifest(struct ingest_run *run)
{
    struct problem_list *problems = &run->summary->problems;
    char *data = NULL;
    size_t length = 0;
    struct error read_err;
    if (package_read(run->package, "manifest.json", VALIDATE_MAX_MANIFEST_BYTES, &data, &length,
                     &read_err) != PACKAGE_OK) {
        add_problem(run, problems, "manifest.json", "", read_err.message);
        return 1;
    }
    text_sha256_hex(data, length, run->manifest_sha256);
    json_t *root = parse_json(run, problems, "manifest.json", data, length);
    free(data);
    if (!root)
        return 1;
    size_t before = problems->count;
    int rc = validate_manifest(root, "manifest.json", &run->manifest, problems);
    stamp_package(run, problems, before);
    json_decref(root);
    return rc == 0 ? 0 : 1;
}

static void add_package_problem(struct ingest_summary *summary, const char *package,
                                const char *rule)
{
    size_t before = summary->problems.count;
    problems_add(&summary->problems, "", "", "%s", rule);
    if (summary->problems.count > before)
        snprintf(summary->problems.items[before].package, sizeof summary->problems.items[0].package,
                 "%s", package);
}

/* The connection's page cache: read, and set for the ingest. */
static int cache_size(struct store *store)
{
    sqlite3_stmt *s;
    int pages = -2000;
    if (sqlite3_prepare_v2(store_db(store), "PRAGMA cache_size", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            pages = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    return pages;
}

static void set_cache_size(struct store *store, int pages)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %d", pages);
    sqlite3_exec(store_db(store), sql, NULL, NULL, NULL);
}

int ingest_package(struct store *store, const char *package_path_name,
                   struct ingest_summary *summary,
                   ingest_progress_fn progress, void *progress_context,
                   struct error *err)
{
    struct ingest_run run = {.store = store, .summary = summary};
    snprintf(run.source, sizeof run.source, "%s", package_path_name);
    snprintf(run.files_dir, sizeof run.files_dir, "%s", store_files_dir(store));
    struct error open_err;
    if (package_open(package_path_name, &run.package, &open_err) != 0) {
        add_package_problem(summary, package_path_name, open_err.message);
        summary->refused++;
        return 0;
    }
    int rc = 0;
    const char *refusal = NULL;
    if (read_manifest(&run) != 0)
        refusal = "package refused: the manifest cannot be read; nothing was loaded";
    else if (check_unlisted(&run) != 0)
        refusal = "package refused: too many files under applications/; nothing was loaded";
    if (refusal) {
        add_package_problem(summary, package_path_name, refusal);
        summary->refused++;
    } else {
        int pages = cache_size(store);
        set_cache_size(store, -INGEST_CACHE_KIB);
        rc = ingest_applications(&run, progress, progress_context, err);
        /* Once per package, not per application: every application touches
         * most pools of its department, and the new applications' blind
         * review numbers are ranked among themselves. */
        if (rc == 0 && (store_begin(store, err) != 0 || index_refresh_pool_statistics(store, err) != 0 ||
                        index_blind_numbers(store, err) != 0 || store_commit(store, err) != 0)) {
            store_rollback(store);
            rc = -1;
        }
        set_cache_size(store, pages);
    }
    manifest_free(&run.manifest);
    package_close(run.package);
    return rc;
}

void ingest_summary_free(struct ingest_summary *summary)
{
    problems_free(&summary->problems);
}

/* ---- one ingest at a time ------------------------------------------------ */

struct ingest_lock {
    int fd;
};

int ingest_lock_acquire(struct store *store, void (*on_wait)(const char *path, void *context),
                        void *context, struct ingest_lock **out, struct error *err)
{
    *out = NULL;
    const char *database = sqlite3_db_filename(store_db(store), "main");
    if (!database || !database[0])
        return 0;   /* a temporary or in-memory database: no other process sees it */
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s.ingest-lock", database);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return error_set(err, ERROR_IO, "%s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) {
            error_set(err, ERROR_IO, "%s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        if (on_wait)
            on_wait(database, context);
        while (flock(fd, LOCK_EX) != 0) {
            if (errno != EINTR) {
                error_set(err, ERROR_IO, "%s: %s", path, strerror(errno));
                close(fd);
                return -1;
            }
        }
    }
    struct ingest_lock *lock = malloc(sizeof *lock);
    if (!lock) {
        close(fd);
        return error_set(err, ERROR_INTERNAL, "out of memory");
    }
    lock->fd = fd;
    *out = lock;
    return 0;
}

void ingest_lock_release(struct ingest_lock *lock)
{
    if (!lock)
        return;
    close(lock->fd);   /* releases the flock */
    free(lock);
}
