/* purge — removing a finished round's applications, what is keyed by
 * them, and their files (see purge.h). */
#include "store/purge.h"
#include "core/text.h"
#include "store/index.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

/* The applications of the round and the files they reference, in
 * temporary tables of this connection (gone with a rollback). */
static const char *const prepare_sql =
    "DROP TABLE IF EXISTS temp.purge_apps; DROP TABLE IF EXISTS temp.purge_files;"
    "CREATE TEMP TABLE purge_apps (id INTEGER PRIMARY KEY, department TEXT NOT NULL,"
    "                              application_no TEXT NOT NULL);"
    "CREATE TEMP TABLE purge_files (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL);";

static const char *const select_apps_sql =
    "INSERT INTO temp.purge_apps SELECT a.id, a.department, a.application_no"
    "  FROM applications a JOIN packages p ON p.id = a.package_id WHERE p.round = ?1";

static const char *const select_files_sql =
    "INSERT OR IGNORE INTO temp.purge_files SELECT f.sha256, f.size FROM files f"
    "  WHERE f.sha256 IN (SELECT sha256 FROM attachments"
    "                     WHERE application_id IN (SELECT id FROM temp.purge_apps))";

/* What is counted, then deleted, in this order.  Rows keyed by department
 * and application number go first; then the applications, whose cascade
 * takes every row hanging off them. */
struct step {
    const char *count;              /* SELECT count(*) … */
    const char *remove;             /* DELETE …, or NULL (the cascade does it) */
    size_t offset;                  /* where the count goes in struct purge_counts */
};

#define IN_APPS "(SELECT id FROM temp.purge_apps)"
#define KEYED "(department, application_no) IN (SELECT department, application_no FROM temp.purge_apps)"
#define COUNT_OF(field) offsetof(struct purge_counts, field)

static const struct step steps[] = {
    {"SELECT count(*) FROM score_sheets WHERE " KEYED " AND status = 'draft'", NULL, COUNT_OF(draft_sheets)},
    {"SELECT count(*) FROM score_sheets WHERE " KEYED, "DELETE FROM score_sheets WHERE " KEYED,
     COUNT_OF(score_sheets)},
    {"SELECT count(*) FROM score_history WHERE " KEYED, "DELETE FROM score_history WHERE " KEYED,
     COUNT_OF(score_history)},
    {"SELECT count(*) FROM assignments WHERE " KEYED, "DELETE FROM assignments WHERE " KEYED,
     COUNT_OF(assignments)},
    {"SELECT count(*) FROM score_resolutions WHERE " KEYED, "DELETE FROM score_resolutions WHERE " KEYED,
     COUNT_OF(resolutions)},
    {"SELECT count(*) FROM notes WHERE " KEYED, "DELETE FROM notes WHERE " KEYED, COUNT_OF(notes)},
    {"SELECT count(*) FROM blind_numbers WHERE " KEYED, "DELETE FROM blind_numbers WHERE " KEYED,
     COUNT_OF(blind_numbers)},
    {"SELECT count(*) FROM reviewer_conflicts WHERE kind = 'application' AND (department, value) IN"
     " (SELECT department, application_no FROM temp.purge_apps)",
     "DELETE FROM reviewer_conflicts WHERE kind = 'application' AND (department, value) IN"
     " (SELECT department, application_no FROM temp.purge_apps)", COUNT_OF(conflicts)},
    {"SELECT count(*) FROM students WHERE application_id IN " IN_APPS, NULL, COUNT_OF(students)},
    {"SELECT count(*) FROM cadres WHERE application_id IN " IN_APPS, NULL, COUNT_OF(cadres)},
    {"SELECT count(*) FROM courses WHERE application_id IN " IN_APPS, NULL, COUNT_OF(course_rows)},
    {"SELECT count(*) FROM course_catalog WHERE application_id IN " IN_APPS, NULL, COUNT_OF(catalog_rows)},
    {"SELECT count(*) FROM outcomes WHERE application_id IN " IN_APPS, NULL, COUNT_OF(outcomes)},
    {"SELECT count(*) FROM performances WHERE application_id IN " IN_APPS, NULL, COUNT_OF(performances)},
    {"SELECT count(*) FROM uploads WHERE application_id IN " IN_APPS, NULL, COUNT_OF(uploads)},
    {"SELECT count(*) FROM attachments WHERE application_id IN " IN_APPS, NULL, COUNT_OF(attachments)},
    {"SELECT count(*) FROM temp.purge_apps", "DELETE FROM applications WHERE id IN " IN_APPS,
     COUNT_OF(applications)},
};

/* After the applications: files, packages and departments left over. */
static const char *const unreferenced_files_sql =
    "DELETE FROM temp.purge_files WHERE sha256 IN (SELECT sha256 FROM attachments)";
static const char *const count_files_sql =
    "SELECT count(*), coalesce(sum(size), 0) FROM temp.purge_files";
static const char *const delete_files_sql =
    "DELETE FROM files WHERE sha256 IN (SELECT sha256 FROM temp.purge_files)";
static const char *const delete_packages_sql =
    "DELETE FROM packages WHERE round = ?1 AND id NOT IN (SELECT package_id FROM applications)";
static const char *const delete_departments_sql =
    "DELETE FROM departments WHERE code IN (SELECT department FROM temp.purge_apps)"
    "   AND code NOT IN (SELECT department FROM applications)";
/* A department that keeps applications of another round names that
 * round (the newest ingested) instead of the purged one. */
static const char *const retag_departments_sql =
    "UPDATE departments SET round = (SELECT p.round FROM applications a JOIN packages p ON p.id = a.package_id"
    "                                 WHERE a.department = departments.code"
    "                                 ORDER BY p.ingested_at DESC, p.id DESC LIMIT 1)"
    " WHERE round = ?1";

static int run(struct store *store, const char *sql, const char *round, long long *count,
               long long *second, struct error *err)
{
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    if (round && sqlite3_bind_parameter_count(s) > 0)
        sqlite3_bind_text(s, 1, round, -1, SQLITE_TRANSIENT);
    int row = store_step(store, s, err);
    if (row < 0)
        return -1;
    if (row > 0 && count)
        *count = sqlite3_column_int64(s, 0);
    if (row > 0 && second)
        *second = sqlite3_column_int64(s, 1);
    sqlite3_reset(s);
    return 0;
}

static int remove_rows(struct store *store, const char *round, struct purge_counts *counts,
                       struct error *err)
{
    if (store_exec(store, prepare_sql, err) != 0 || run(store, select_apps_sql, round, NULL, NULL, err) != 0)
        return -1;
    long long applications = 0;
    if (run(store, "SELECT count(*) FROM temp.purge_apps", NULL, &applications, NULL, err) != 0)
        return -1;
    if (applications == 0)
        return error_set(err, ERROR_NOT_FOUND, "no application belongs to round '%s'", round);
    if (run(store, select_files_sql, NULL, NULL, NULL, err) != 0)
        return -1;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        long long *slot = (long long *)((char *)counts + steps[i].offset);
        if (run(store, steps[i].count, NULL, slot, NULL, err) != 0 ||
            (steps[i].remove && run(store, steps[i].remove, NULL, NULL, NULL, err) != 0))
            return -1;
    }
    sqlite3 *db = store_db(store);
    if (run(store, unreferenced_files_sql, NULL, NULL, NULL, err) != 0 ||
        run(store, count_files_sql, NULL, &counts->files, &counts->file_bytes, err) != 0 ||
        run(store, delete_files_sql, NULL, NULL, NULL, err) != 0 ||
        run(store, delete_packages_sql, round, NULL, NULL, err) != 0)
        return -1;
    counts->packages = sqlite3_changes(db);
    if (run(store, delete_departments_sql, NULL, NULL, NULL, err) != 0)
        return -1;
    counts->departments = sqlite3_changes(db);
    if (run(store, retag_departments_sql, round, NULL, NULL, err) != 0)
        return -1;
    /* Pools the round was part of: recomputed, or dropped when emptied. */
    return index_refresh_pool_statistics(store, err);
}

int purge_round(struct store *store, const char *round, struct purge_counts *counts,
                struct error *err)
{
    memset(counts, 0, sizeof *counts);
    /* Deleted cells are overwritten with zeros, in the pages written to the
     * WAL as well as in the database. */
    if (store_exec(store, "PRAGMA secure_delete = ON", err) != 0 || store_begin(store, err) != 0)
        return -1;
    if (remove_rows(store, round, counts, err) != 0) {
        store_rollback(store);
        return -1;
    }
    return store_commit(store, err);
}


int purge_remove_files(struct store *store, long long *removed, struct error *err)
{
    *removed = 0;
    /* Under the write lock: no commit adds a reference while we sweep. */
    if (store_begin(store, err) != 0)
        return -1;
    GHashTable *referenced = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    static const char *const sql = "SELECT sha256 FROM files";
    sqlite3_stmt *s = store_statement(store, sql, err);
    int row = s ? 0 : -1;
    while (s && (row = store_step(store, s, err)) > 0)
        g_hash_table_add(referenced, g_strdup((const char *)sqlite3_column_text(s, 0)));
    int rc = row < 0 ? -1 : store_remove_files_except(store_files_dir(store), referenced, removed, err);
    g_hash_table_destroy(referenced);
    if (rc == 0)
        rc = store_commit(store, err);
    if (rc != 0)
        store_rollback(store);
    store_exec(store, "DROP TABLE IF EXISTS temp.purge_apps; DROP TABLE IF EXISTS temp.purge_files;", NULL);
    return rc;
}

int purge_compact(struct store *store, struct error *err)
{
    if (store_exec(store, "VACUUM", err) != 0)
        return error_prefix(err, "VACUUM");
    int log = 0, checkpointed = 0;
    int rc = sqlite3_wal_checkpoint_v2(store_db(store), NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &checkpointed);
    if (rc != SQLITE_OK)
        return error_set(err, store_error_kind(rc), "the WAL could not be truncated (%s): a reader holds it; "
                         "the purged rows are gone from the database, their old pages may remain in the "
                         "-wal file until a purge is run again with the server stopped",
                         sqlite3_errstr(rc));
    return 0;
}

void purge_describe(const struct purge_counts *c, char *out, size_t size)
{
    snprintf(out, size,
             "applications=%lld students=%lld cadres=%lld course_rows=%lld catalog_rows=%lld outcomes=%lld "
             "performances=%lld uploads=%lld attachments=%lld files=%lld file_bytes=%lld score_sheets=%lld "
             "draft_sheets=%lld score_history=%lld assignments=%lld resolutions=%lld notes=%lld conflicts=%lld "
             "blind_numbers=%lld packages=%lld departments=%lld",
             c->applications, c->students, c->cadres, c->course_rows, c->catalog_rows, c->outcomes,
             c->performances, c->uploads, c->attachments, c->files, c->file_bytes, c->score_sheets,
             c->draft_sheets, c->score_history, c->assignments, c->resolutions, c->notes, c->conflicts,
             c->blind_numbers, c->packages, c->departments);
}

json_t *purge_rounds(struct store *store, struct error *err)
{
    static const char *const sql =
        "SELECT p.round, count(a.id), json_group_array(DISTINCT a.department),"
        "       count(DISTINCT p.id), min(p.ingested_at), max(p.ingested_at)"
        "  FROM packages p JOIN applications a ON a.package_id = p.id"
        " GROUP BY p.round ORDER BY min(p.ingested_at), p.round";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return NULL;
    json_t *list = json_array();
    int row;
    while ((row = store_step(store, s, err)) > 0) {
        json_t *departments = json_loads((const char *)sqlite3_column_text(s, 2), 0, NULL);
        json_array_append_new(list, json_pack("{s:s, s:I, s:o, s:I, s:s, s:s}",
            "round", (const char *)sqlite3_column_text(s, 0),
            "applications", (json_int_t)sqlite3_column_int64(s, 1),
            "departments", departments ? departments : json_array(),
            "packages", (json_int_t)sqlite3_column_int64(s, 3),
            "first_ingested", (const char *)sqlite3_column_text(s, 4),
            "last_ingested", (const char *)sqlite3_column_text(s, 5)));
    }
    if (row < 0) {
        json_decref(list);
        return NULL;
    }
    return list;
}
