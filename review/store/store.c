/* store — the SQLite connection, migrations, statement cache, transactions
 * and the file store's paths. */
#include "store/store.h"
#include "store/schema_sql.h"
#include "core/text.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

/* Statements kept before the least recently added one that is not in use
 * is finalized to make room (one in use is never finalized). */
#define STATEMENT_CACHE_SIZE 64

struct cached_statement {
    const char *sql;          /* the caller's string literal: its address is the key */
    sqlite3_stmt *statement;
};

struct store {
    sqlite3 *db;
    char files_dir[4096];
    struct cached_statement *cache;
    int cached, capacity;
    int depth;                /* store_begin calls not yet committed or rolled back */
    bool holds_write_lock;    /* this store's transaction holds process_write_lock */
};

/* Writers of one process (the server's worker threads) queue here for the
 * write transaction instead of in SQLite's busy handler, which can only
 * sleep and retry: the waiter wakes as soon as the lock is free.  Recursive,
 * so one thread with two connections behaves as before (SQLite's own lock
 * decides). */
static GRecMutex process_write_lock;

static void release_write_lock(struct store *store)
{
    if (store->holds_write_lock) {
        store->holds_write_lock = false;
        g_rec_mutex_unlock(&process_write_lock);
    }
}

enum error_kind store_error_kind(int sqlite_code)
{
    switch (sqlite_code & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ERROR_BUSY;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return ERROR_IO;
    case SQLITE_CONSTRAINT:
        return ERROR_INVALID;
    default:
        return ERROR_INTERNAL;
    }
}

int store_error(struct store *store, struct error *err, const char *what)
{
    int code = sqlite3_extended_errcode(store->db);
    return error_set(err, store_error_kind(code), "%s: %s", what, sqlite3_errmsg(store->db));
}

int store_step(struct store *store, sqlite3_stmt *statement, struct error *err)
{
    int rc = sqlite3_step(statement);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    /* The statement's own message: sqlite3_errmsg may already be another's. */
    error_set(err, store_error_kind(rc), "database: %s (%.80s)", sqlite3_errmsg(store->db),
              sqlite3_sql(statement));
    sqlite3_reset(statement);
    return -1;
}

int store_exec(struct store *store, const char *sql, struct error *err)
{
    char *message = NULL;
    int rc = sqlite3_exec(store->db, sql, NULL, NULL, &message);
    if (rc != SQLITE_OK) {
        error_set(err, store_error_kind(rc), "database: %s",
                  message ? message : sqlite3_errmsg(store->db));
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

int store_newest_schema_version(void)
{
    return schema_migrations[schema_migration_count - 1].version;
}

/* Applies every schema file newer than the database, each in its own
 * transaction together with the user_version bump. */
static int migrate(struct store *store, struct error *err)
{
    int current = store_schema_version(store);
    int newest = schema_migrations[schema_migration_count - 1].version;
    if (current > newest)
        return error_set(err, ERROR_INVALID, "database schema version %d is newer than this beishen (%d)",
                         current, newest);
    for (int i = 0; i < schema_migration_count; i++) {
        const struct schema_migration *m = &schema_migrations[i];
        if (m->version <= current)
            continue;
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d;", m->version);
        if (store_begin(store, err) != 0)
            return -1;
        /* Read again under the write lock: another process opening the
         * same new database may have applied it meanwhile. */
        if (store_schema_version(store) >= m->version) {
            current = store_schema_version(store);
            store_rollback(store);
            continue;
        }
        if (store_exec(store, m->sql, err) != 0 || store_exec(store, bump, err) != 0) {
            store_rollback(store);
            return error_prefix(err, "%s", m->file);
        }
        if (store_commit(store, err) != 0)
            return -1;
    }
    return 0;
}

/* SQLite's busy handler: called while another connection holds the write
 * lock.  sqlite3_busy_timeout's back-off sleeps 1, 2, 5 … 100 ms, so a
 * waiter oversleeps a lock held for a fraction of a millisecond (a score
 * save) and the last of 32 clients waits 100 ms.  Poll every 0.2 ms for
 * the first second, then every 10 ms, and give up after about 10 s. */
#define LOCK_POLLS_FAST 5000         /* × 0.2 ms = 1 s */
#define LOCK_POLLS_SLOW 900          /* × 10 ms = 9 s */
static int wait_for_lock(void *unused, int count)
{
    (void)unused;
    if (count >= LOCK_POLLS_FAST + LOCK_POLLS_SLOW)
        return 0;
    g_usleep(count < LOCK_POLLS_FAST ? 200 : 10000);
    return 1;
}

/* Once per process, before SQLite's first use: no statistics of memory
 * use, which nothing reads and which take a process-wide mutex around
 * every allocation SQLite makes (a measurable part of an ingest's writes).
 * If something initialised SQLite earlier the call fails harmlessly. */
static gpointer configure_sqlite(gpointer unused)
{
    (void)unused;
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
    return NULL;
}

/* SQL hmac_sha256(KEY, MESSAGE): see store.h.  NULL when either is NULL. */
static void hmac_sha256_function(sqlite3_context *context, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(context);
        return;
    }
    const void *key = sqlite3_value_blob(argv[0]);
    int key_size = sqlite3_value_bytes(argv[0]);
    const unsigned char *message = sqlite3_value_text(argv[1]);
    int message_size = sqlite3_value_bytes(argv[1]);
    char *hex = g_compute_hmac_for_data(G_CHECKSUM_SHA256, key ? key : (const void *)"", (gsize)key_size,
                                        message, (gsize)message_size);
    sqlite3_result_text(context, hex, -1, g_free);
}

static int open_connection(const char *path, int flags, struct store **out, struct error *err)
{
    static GOnce configured = G_ONCE_INIT;
    g_once(&configured, configure_sqlite, NULL);
    struct store *store = calloc(1, sizeof *store);
    if (!store)
        return error_set(err, ERROR_INTERNAL, "out of memory");
    if (snprintf(store->files_dir, sizeof store->files_dir, "%s.files", path) >=
        (int)sizeof store->files_dir) {
        free(store);
        return error_set(err, ERROR_INVALID, "%s: path too long", path);
    }
    /* A connection is only ever used by one thread at a time (the server
     * gives each worker thread its own), so SQLite's per-call mutexes are
     * pure overhead. */
    int rc = sqlite3_open_v2(path, &store->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        error_set(err, rc == SQLITE_CANTOPEN && !(flags & SQLITE_OPEN_CREATE) ? ERROR_NOT_FOUND
                                                                              : store_error_kind(rc),
                  "%s: %s", path, store->db ? sqlite3_errmsg(store->db) : "cannot open");
        store_close(store);
        return -1;
    }
    sqlite3_busy_handler(store->db, wait_for_lock, NULL);
    sqlite3_create_function_v2(store->db, "hmac_sha256", 2,
                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                               hmac_sha256_function, NULL, NULL, NULL);
    *out = store;
    return 0;
}

static int open_configured(const char *path, struct store **out, struct error *err)
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
        store_close(store);
        return error_prefix(err, "%s", path);
    }
    *out = store;
    return 0;
}

/* Two processes opening a new database at once: while the file is still in
 * rollback-journal mode, SQLite answers SQLITE_BUSY at once where waiting
 * could deadlock, without calling the busy handler.  The one refused tries
 * again shortly (for up to about 5 s). */
#define OPEN_BUSY_RETRIES 250
int store_open(const char *path, struct store **out, struct error *err)
{
    for (int attempt = 0;; attempt++) {
        if (open_configured(path, out, err) == 0)
            return 0;
        if (err->kind != ERROR_BUSY || attempt >= OPEN_BUSY_RETRIES)
            return -1;
        g_usleep(20000);
    }
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
        return error_set(err, ERROR_INVALID, "%s: schema version %d, expected %d (run ingest to create or upgrade it)",
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
    free(store->cache);
    sqlite3_close(store->db);
    release_write_lock(store);
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

void store_file_path_in(const char *files_dir, const char *sha256, const char *media_type,
                        char *out, size_t out_size)
{
    const char *extension = store_extension_for(media_type);
    snprintf(out, out_size, "%s/%.2s/%s.%s", files_dir, sha256, sha256,
             extension ? extension : "bin");
}

void store_file_path(struct store *store, const char *sha256, const char *media_type,
                     char *out, size_t out_size)
{
    store_file_path_in(store->files_dir, sha256, media_type, out, out_size);
}

/* Makes room for one more statement: finalizes the oldest one not in use,
 * or grows the cache when every cached statement is in use. */
static int make_room(struct store *store, struct error *err)
{
    if (store->cached < STATEMENT_CACHE_SIZE && store->cached < store->capacity)
        return 0;
    for (int i = 0; store->cached >= STATEMENT_CACHE_SIZE && i < store->cached; i++) {
        if (sqlite3_stmt_busy(store->cache[i].statement))
            continue;
        sqlite3_finalize(store->cache[i].statement);
        memmove(store->cache + i, store->cache + i + 1,
                sizeof store->cache[0] * (size_t)(store->cached - i - 1));
        store->cached--;
        return 0;
    }
    if (store->cached < store->capacity)
        return 0;
    int capacity = store->capacity ? 2 * store->capacity : STATEMENT_CACHE_SIZE;
    struct cached_statement *grown = realloc(store->cache, sizeof *grown * (size_t)capacity);
    if (!grown)
        return error_set(err, ERROR_INTERNAL, "statement cache: out of memory");
    store->cache = grown;
    store->capacity = capacity;
    return 0;
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
    if (make_room(store, err) != 0)
        return NULL;
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL) != SQLITE_OK) {
        store_error(store, err, "prepare");
        return NULL;
    }
    store->cache[store->cached++] = (struct cached_statement){sql, statement};
    return statement;
}

void store_set_lock_wait(struct store *store, int wait_ms)
{
    if (wait_ms < 0)
        sqlite3_busy_handler(store->db, wait_for_lock, NULL);
    else
        sqlite3_busy_timeout(store->db, wait_ms);   /* replaces wait_for_lock */
}

int store_wal_truncate(struct store *store, int wait_ms, struct error *err)
{
    store_set_lock_wait(store, wait_ms);   /* for this call */
    int rc = sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    store_set_lock_wait(store, -1);
    if (rc != SQLITE_OK)
        return error_set(err, store_error_kind(rc), "checkpoint: %s", sqlite3_errstr(rc));
    return 0;
}

int store_begin(struct store *store, struct error *err)
{
    char sql[48];
    if (store->depth == 0) {
        snprintf(sql, sizeof sql, "BEGIN IMMEDIATE");
        g_rec_mutex_lock(&process_write_lock);
        store->holds_write_lock = true;
    } else {
        snprintf(sql, sizeof sql, "SAVEPOINT nested_%d", store->depth);
    }
    if (store_exec(store, sql, err) != 0) {
        if (store->depth == 0)
            release_write_lock(store);
        return -1;
    }
    store->depth++;
    return 0;
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
    if (store->depth > 1) {
        char sql[48];
        snprintf(sql, sizeof sql, "RELEASE nested_%d", --store->depth);
        return store_exec(store, sql, err);
    }
    store->depth = 0;
    reset_statements(store);
    int rc = store_exec(store, "COMMIT", err);
    if (sqlite3_get_autocommit(store->db))
        release_write_lock(store);   /* else the caller rolls back */
    return rc;
}

void store_rollback(struct store *store)
{
    if (store->depth > 1) {
        char sql[96];
        --store->depth;
        snprintf(sql, sizeof sql, "ROLLBACK TO nested_%d; RELEASE nested_%d", store->depth,
                 store->depth);
        sqlite3_exec(store->db, sql, NULL, NULL, NULL);
        return;
    }
    store->depth = 0;
    reset_statements(store);
    if (!sqlite3_get_autocommit(store->db))
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    release_write_lock(store);
}

/* <sha256>.<ext> in the folder named by its first two hex digits: what
 * ingest writes. */
static bool is_stored_name(const char *name, const char *prefix)
{
    char hash[65];
    if (strlen(name) < 66 || name[64] != '.' || strncmp(name, prefix, 2) != 0)
        return false;
    snprintf(hash, sizeof hash, "%.64s", name);
    return text_is_sha256_hex(hash);
}

int store_remove_files_except(const char *files_dir, GHashTable *keep, long long *removed,
                              struct error *err)
{
    DIR *top = opendir(files_dir);
    if (!top)
        return errno == ENOENT ? 0 : error_set(err, ERROR_IO, "%s: %s", files_dir, strerror(errno));
    struct dirent *entry;
    int rc = 0;
    while (rc == 0 && (entry = readdir(top)) != NULL) {
        if (strlen(entry->d_name) != 2 || !g_ascii_isxdigit(entry->d_name[0]) ||
            !g_ascii_isxdigit(entry->d_name[1]))
            continue;
        char *sub = g_build_filename(files_dir, entry->d_name, NULL);
        DIR *inner = opendir(sub);
        struct dirent *file;
        while (inner && rc == 0 && (file = readdir(inner)) != NULL) {
            if (!is_stored_name(file->d_name, entry->d_name))
                continue;
            char hash[65];
            snprintf(hash, sizeof hash, "%.64s", file->d_name);
            if (g_hash_table_contains(keep, hash))
                continue;
            char *path = g_build_filename(sub, file->d_name, NULL);
            if (unlink(path) == 0)
                (*removed)++;
            else if (errno != ENOENT)
                rc = error_set(err, ERROR_IO, "%s: %s", path, strerror(errno));
            g_free(path);
        }
        if (inner)
            closedir(inner);
        rmdir(sub);   /* only when empty */
        g_free(sub);
    }
    closedir(top);
    return rc;
}
