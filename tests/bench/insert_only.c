/* insert_only — benchmark baselines: insert the rows an ingest produced into
 * a fresh database, without reading or checking any export file.  The
 * source rows come from an already ingested database through ATTACH, so
 * the time measured is the inserts alone.
 *
 *   insert_only INGESTED.db FRESH.db
 *       the same schema, indexes and triggers (store_open migrates FRESH),
 *       one transaction per application: what ingest did before it batched;
 *   insert_only --plain [--batch N] INGESTED.db FRESH.db
 *       plain tables: the same columns with no key, index, constraint or
 *       trigger, N applications per transaction (default 1): the cost of
 *       writing the rows and nothing else.
 *
 * prints "applications seconds" */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "core/timestamp.h"
#include "store/store.h"

static const char *tables[] = {
    "applications", "students", "cadres", "courses", "course_catalog", "outcomes",
    "performances", "uploads", "attachments", "categories", "pool_scores",
};
#define TABLE_COUNT (sizeof tables / sizeof tables[0])

static const char *copy_statements[TABLE_COUNT] = {
    "INSERT INTO applications SELECT * FROM source.applications WHERE id = ?1",
    "INSERT INTO students SELECT * FROM source.students WHERE application_id = ?1",
    "INSERT INTO cadres SELECT * FROM source.cadres WHERE application_id = ?1",
    "INSERT INTO courses SELECT * FROM source.courses WHERE application_id = ?1",
    "INSERT INTO course_catalog SELECT * FROM source.course_catalog WHERE application_id = ?1",
    "INSERT INTO outcomes SELECT * FROM source.outcomes WHERE application_id = ?1",
    "INSERT INTO performances SELECT * FROM source.performances WHERE application_id = ?1",
    "INSERT INTO uploads SELECT * FROM source.uploads WHERE application_id = ?1",
    "INSERT INTO attachments SELECT * FROM source.attachments WHERE application_id = ?1",
    "INSERT INTO categories SELECT * FROM source.categories WHERE application_id = ?1",
    "INSERT INTO pool_scores SELECT * FROM source.pool_scores WHERE application_id = ?1",
};

static int fail(sqlite3 *db, const char *what)
{
    fprintf(stderr, "insert_only: %s: %s\n", what, sqlite3_errmsg(db));
    return 1;
}

/* The ids are read first: a statement still reading during the inserts
 * would hold a read transaction open across every commit. */
static sqlite3_int64 *application_ids(sqlite3 *db, size_t *total)
{
    sqlite3_stmt *ids;
    if (sqlite3_prepare_v2(db, "SELECT id FROM source.applications ORDER BY id", -1, &ids, NULL) != SQLITE_OK)
        return NULL;
    size_t capacity = 1024;
    sqlite3_int64 *all = malloc(capacity * sizeof *all);
    *total = 0;
    while (all && sqlite3_step(ids) == SQLITE_ROW) {
        if (*total == capacity) {
            sqlite3_int64 *grown = realloc(all, (capacity *= 2) * sizeof *all);
            if (!grown) {
                free(all);
                all = NULL;
                break;
            }
            all = grown;
        }
        all[(*total)++] = sqlite3_column_int64(ids, 0);
    }
    sqlite3_finalize(ids);
    return all;
}

/* Plain tables, batch applications per transaction, raw SQLite. */
static int plain(const char *source, const char *fresh, long batch)
{
    sqlite3 *db;
    if (sqlite3_open(fresh, &db) != SQLITE_OK)
        return fail(db, fresh);
    char sql[4400];
    snprintf(sql, sizeof sql, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
             "ATTACH DATABASE '%s' AS source;", source);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "attach");
    for (size_t t = 0; t < TABLE_COUNT; t++) {
        snprintf(sql, sizeof sql, "CREATE TABLE main.%s AS SELECT * FROM source.%s LIMIT 0",
                 tables[t], tables[t]);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
            return fail(db, tables[t]);
    }
    sqlite3_stmt *copy[TABLE_COUNT];
    for (size_t t = 0; t < TABLE_COUNT; t++) {
        snprintf(sql, sizeof sql, "INSERT INTO main.%s%s", tables[t],
                 copy_statements[t] + strlen("INSERT INTO ") + strlen(tables[t]));
        if (sqlite3_prepare_v2(db, sql, -1, &copy[t], NULL) != SQLITE_OK)
            return fail(db, sql);
    }
    size_t total;
    sqlite3_int64 *all = application_ids(db, &total);
    if (!all)
        return fail(db, "ids");
    double started = timestamp_monotonic();
    for (size_t n = 0; n < total; n++) {
        if (n % (size_t)batch == 0 && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            return fail(db, "begin");
        for (size_t t = 0; t < TABLE_COUNT; t++) {
            sqlite3_bind_int64(copy[t], 1, all[n]);
            if (sqlite3_step(copy[t]) != SQLITE_DONE)
                return fail(db, tables[t]);
            sqlite3_reset(copy[t]);
        }
        if ((n % (size_t)batch == (size_t)batch - 1 || n + 1 == total) &&
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            return fail(db, "commit");
    }
    printf("%zu %.3f\n", total, timestamp_monotonic() - started);
    for (size_t t = 0; t < TABLE_COUNT; t++)
        sqlite3_finalize(copy[t]);
    free(all);
    sqlite3_close(db);
    return 0;
}

int main(int argc, char **argv)
{
    bool plain_tables = false;
    long batch = 1;
    int a = 1;
    for (; a < argc && strncmp(argv[a], "--", 2) == 0; a++) {
        if (strcmp(argv[a], "--plain") == 0)
            plain_tables = true;
        else if (strcmp(argv[a], "--batch") == 0 && a + 1 < argc && atol(argv[a + 1]) > 0)
            batch = atol(argv[++a]);
        else
            break;
    }
    if (argc - a != 2) {
        fprintf(stderr, "usage: insert_only [--plain [--batch N]] INGESTED.db FRESH.db\n");
        return 2;
    }
    if (plain_tables)
        return plain(argv[a], argv[a + 1], batch);

    struct store *store;
    struct error err;
    if (store_open(argv[a + 1], &store, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    sqlite3 *db = store_db(store);
    char attach[4200];
    snprintf(attach, sizeof attach, "ATTACH DATABASE '%s' AS source;"
             "INSERT INTO packages SELECT * FROM source.packages;"
             "INSERT INTO departments SELECT * FROM source.departments;"
             "INSERT INTO files SELECT * FROM source.files;", argv[a]);
    if (store_exec(store, attach, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    size_t total;
    sqlite3_int64 *all = application_ids(db, &total);
    if (!all)
        return fail(db, "ids");
    double started = timestamp_monotonic();
    for (size_t n = 0; n < total; n++) {
        if (store_begin(store, &err) != 0) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        for (size_t t = 0; t < TABLE_COUNT; t++) {
            sqlite3_stmt *s = store_statement(store, copy_statements[t], &err);
            if (!s)
                return fail(db, copy_statements[t]);
            sqlite3_bind_int64(s, 1, all[n]);
            if (sqlite3_step(s) != SQLITE_DONE)
                return fail(db, copy_statements[t]);
        }
        if (store_commit(store, &err) != 0) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
    }
    printf("%zu %.3f\n", total, timestamp_monotonic() - started);
    free(all);
    store_close(store);
    return 0;
}
