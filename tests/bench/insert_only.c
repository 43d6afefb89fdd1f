/* insert_only — benchmark baseline: insert the rows an ingest produced into
 * a fresh database with the same schema, one transaction per application,
 * without reading or checking any export file.  The source rows come from
 * an already ingested database through ATTACH, so the time measured is the
 * inserts and their index maintenance.
 * usage: insert_only INGESTED.db FRESH.db   prints "applications seconds" */
#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>
#include "core/timestamp.h"
#include "store/store.h"

static const char *copy_statements[] = {
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

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: insert_only INGESTED.db FRESH.db\n");
        return 2;
    }
    struct store *store;
    struct error err;
    if (store_open(argv[2], &store, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    sqlite3 *db = store_db(store);
    char attach[4200];
    snprintf(attach, sizeof attach, "ATTACH DATABASE '%s' AS source;"
             "INSERT INTO packages SELECT * FROM source.packages;"
             "INSERT INTO departments SELECT * FROM source.departments;"
             "INSERT INTO files SELECT * FROM source.files;", argv[1]);
    if (store_exec(store, attach, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    /* The ids are read first: a statement still reading during the inserts
     * would hold a read transaction open across every commit. */
    sqlite3_stmt *ids;
    sqlite3_prepare_v2(db, "SELECT id FROM source.applications ORDER BY id", -1, &ids, NULL);
    size_t total = 0, capacity = 1024;
    sqlite3_int64 *all = malloc(capacity * sizeof *all);
    while (all && sqlite3_step(ids) == SQLITE_ROW) {
        if (total == capacity)
            all = realloc(all, (capacity *= 2) * sizeof *all);
        if (all)
            all[total++] = sqlite3_column_int64(ids, 0);
    }
    sqlite3_finalize(ids);
    double started = timestamp_monotonic();
    long count = 0;
    for (size_t n = 0; all && n < total; n++) {
        sqlite3_int64 id = all[n];
        store_begin(store, &err);
        for (size_t i = 0; i < sizeof copy_statements / sizeof copy_statements[0]; i++) {
            sqlite3_stmt *s = store_statement(store, copy_statements[i], &err);
            sqlite3_bind_int64(s, 1, id);
            if (!s || sqlite3_step(s) != SQLITE_DONE) {
                fprintf(stderr, "%s\n", sqlite3_errmsg(db));
                return 1;
            }
        }
        store_commit(store, &err);
        count++;
    }
    printf("%ld %.3f\n", count, timestamp_monotonic() - started);
    free(all);
    store_close(store);
    return 0;
}
