/* store — SQLite connection, migrations, statement cache, file store. */
#include "store.h"
#include "schema_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATEMENT_CACHE_SIZE 64

struct cached_statement {
    const char *sql;          /* the caller's string literal: its address is the key */
    sqlite3_stmt *statement;
};

struct store {
    sqlite3 *db;
    char files_dir[4096];
    struct cached_statement cache[STATEMENT_CACHE_SIZE];
    int cached;
};

static int sql_error(struct store *store, struct error *err, const char *what)
{
    return error_set(err, "%s: %s", what, sqlite3_errmsg(store->db));
}

int store_exec(struct store *store, const char *sql, struct error *err)
{
    char *message = NULL;
    if (sqlite3_exec(store->db, sql, NULL, NULL, &message) != SQLITE_OK) {
        error_set(err, "database: %s", message ? message : sqlite3_errmsg(store->db));
        sqlite3_free(message);
        return -1;
    }
    return 0;
}

int store_schema_version(struct store *store)
{
    sqlite3_stmt *statement;
    int version = -1;
    if (sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &statement, NULL) == SQLITE_OK) {
        if (sqlite3_step(statement) == SQLITE_ROW)
            version = sqlite3_column_int(statement, 0);
        sqlite3_finalize(statement);
    }
    return version;
}

/* Applies every schema file newer than the database, each in its own
 * transaction together with the user_version bump. */
static int migrate(struct store *store, struct error *err)
{
    int current = store_schema_version(store);
    int newest = schema_migrations[schema_migration_count - 1].version;
    if (current > newest)
        return error_set(err, "database schema version %d is newer than this beishen (%d)",
                         current, newest);
    for (int i = 0; i < schema_migration_count; i++) {
        const struct schema_migration *m = &schema_migrations[i];
        if (m->version <= current)
            continue;
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d;", m->version);
        if (store_begin(store, err) != 0)
            return -1;
        if (store_exec(store, m->sql, err) != 0 || store_exec(store, bump, err) != 0) {
            store_rollback(store);
            return error_set(err, "%s: %s", m->file, err->message);
        }
        if (store_commit(store, err) != 0)
            return -1;
    }
    return 0;
}

static int open_connection(const char *path, int flags, struct store **out, struct error *err)
{
    struct store *store = calloc(1, sizeof *store);
    if (!store)
        return error_set(err, "out of memory");
    if (snprintf(store->files_dir, sizeof store->files_dir, "%s.files", path) >=
        (int)sizeof store->files_dir) {
        free(store);
        return error_set(err, "%s: path too long", path);
    }
    /* A connection is only ever used by one thread at a time (the server
     * gives each worker thread its own), so SQLite's per-call mutexes are
     * pure overhead. */
    if (sqlite3_open_v2(path, &store->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        error_set(err, "%s: %s", path, store->db ? sqlite3_errmsg(store->db) : "cannot open");
        store_close(store);
        return -1;
    }
    sqlite3_busy_timeout(store->db, 10000);
    *out = store;
    return 0;
}

int store_open(const char *path, struct store **out, struct error *err)
{
    struct store *store;
    if (open_connection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &store, err) != 0)
        return -1;
    /* WAL + synchronous=NORMAL: a crash or kill -9 never loses a committed
     * transaction's consistency, and readers never block the writer. */
    if (store_exec(store, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                          "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
                          /* checkpoints fsync: fewer, larger ones (WAL up to ~64 MB) */
                          "PRAGMA wal_autocheckpoint=16384;", err) != 0 ||
        migrate(store, err) != 0) {
        char message[sizeof err->message];
        snprintf(message, sizeof message, "%s", err->message);
        store_close(store);
        return error_set(err, "%s: %s", path, message);
    }
    *out = store;
    return 0;
}

int store_open_readonly(const char *path, struct store **out, struct error *err)
{
    struct store *store;
    if (open_connection(path, SQLITE_OPEN_READONLY, &store, err) != 0)
        return -1;
    int newest = schema_migrations[schema_migration_count - 1].version;
    int version = store_schema_version(store);
    if (version != newest) {
        store_close(store);
        return error_set(err, "%s: schema version %d, expected %d (run ingest to create or upgrade it)",
                         path, version, newest);
    }
    store_exec(store, "PRAGMA foreign_keys=ON;", NULL);
    *out = store;
    return 0;
}

void store_close(struct store *store)
{
    if (!store)
        return;
    for (int i = 0; i < store->cached; i++)
        sqlite3_finalize(store->cache[i].statement);
    sqlite3_close(store->db);
    free(store);
}

sqlite3 *store_db(struct store *store) { return store->db; }
const char *store_files_dir(struct store *store) { return store->files_dir; }

const char *store_extension_for(const char *media_type)
{
    static const char *pairs[][2] = {
        {"application/pdf", "pdf"}, {"image/jpeg", "jpg"}, {"image/png", "png"},
        {"audio/mpeg", "mp3"},      {"video/mp4", "mp4"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (strcmp(media_type, pairs[i][0]) == 0)
            return pairs[i][1];
    return NULL;
}

void store_file_path(struct store *store, const char *sha256, const char *media_type,
                     char *out, size_t out_size)
{
    const char *extension = store_extension_for(media_type);
    snprintf(out, out_size, "%s/%.2s/%s.%s", store->files_dir, sha256, sha256,
             extension ? extension : "bin");
}

sqlite3_stmt *store_statement(struct store *store, const char *sql, struct error *err)
{
    for (int i = 0; i < store->cached; i++) {
        if (store->cache[i].sql == sql) {
            sqlite3_reset(store->cache[i].statement);
            sqlite3_clear_bindings(store->cache[i].statement);
            return store->cache[i].statement;
        }
    }
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL) != SQLITE_OK) {
        sql_error(store, err, "prepare");
        return NULL;
    }
    if (store->cached == STATEMENT_CACHE_SIZE) {
        /* Full: evict the oldest; statements are cheap to prepare again. */
        sqlite3_finalize(store->cache[0].statement);
        memmove(store->cache, store->cache + 1, sizeof store->cache[0] * (STATEMENT_CACHE_SIZE - 1));
        store->cached--;
    }
    store->cache[store->cached++] = (struct cached_statement){sql, statement};
    return statement;
}

int store_begin(struct store *store, struct error *err)
{
    return store_exec(store, "BEGIN IMMEDIATE", err);
}

/* Resets every cached statement.  A statement left after returning a row
 * keeps its read transaction open, and with it the WAL cannot be
 * checkpointed: it would grow without bound during a long ingest. */
static void reset_statements(struct store *store)
{
    for (int i = 0; i < store->cached; i++)
        sqlite3_reset(store->cache[i].statement);
}

int store_commit(struct store *store, struct error *err)
{
    reset_statements(store);
    return store_exec(store, "COMMIT", err);
}

void store_rollback(struct store *store)
{
    reset_statements(store);
    if (!sqlite3_get_autocommit(store->db))
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}
