/* store — the SQLite database and the content-addressed file store beside it.
 * Owns the connection, schema migrations (the schema/ files, PRAGMA user_version),
 * transactions, a cache of prepared statements, and <db>.files/.
 * Other modules run their own SQL through store_statement() and step it
 * with store_step(), which tells a finished statement from a failed one.
 *
 * Threads: a store is one connection, opened without SQLite's mutexes.
 * Use each store from one thread at a time (the server gives every worker
 * thread its own); any number of stores may be open on one database.
 *
 * Errors: a failed SQLite call is reported with the kind its code means:
 * SQLITE_BUSY/LOCKED ERROR_BUSY, I/O, full, corrupt ERROR_IO, a broken
 * constraint ERROR_INVALID, anything else ERROR_INTERNAL. */
#ifndef BEISHEN_STORE_H
#define BEISHEN_STORE_H

#include <glib.h>
#include <sqlite3.h>
#include <stddef.h>

#include "core/error.h"

struct store;

/* Opens (creating if needed) the database at path and migrates it to the
 * newest schema.  WAL mode, foreign keys on.  *out is freed by store_close.
 * Every connection has the SQL function hmac_sha256(KEY, MESSAGE): the
 * HMAC-SHA256 of the text MESSAGE keyed by the blob KEY, as 64 lowercase
 * hex digits (blind review's numbering, schema 013, keys on it). */
int store_open(const char *path, struct store **out, struct error *err);
/* Opens an existing database read-only (no migration, no creation). */
int store_open_readonly(const char *path, struct store **out, struct error *err);
void store_close(struct store *store);

sqlite3 *store_db(struct store *store);
/* Directory of the file store: "<db>.files".  Owned by the store. */
const char *store_files_dir(struct store *store);
/* Path of a stored file: <db>.files/<aa>/<sha256>.<ext>.  Fills out. */
void store_file_path(struct store *store, const char *sha256, const char *media_type,
                     char *out, size_t out_size);
/* The same under a file store directory ("<db>.files"), for a process
 * that has the database's name but no connection to it. */
void store_file_path_in(const char *files_dir, const char *sha256, const char *media_type,
                        char *out, size_t out_size);
/* Removes from the file store at files_dir every stored file
 * (<2 hex>/<sha256>.<ext>) whose SHA-256 (64 lowercase hex, the key of
 * keep) is not in keep, and the subfolders left empty; anything else there
 * is left alone.  Adds the count to *removed.  Returns 0 or -1 (ERROR_IO). */
int store_remove_files_except(const char *files_dir, GHashTable *keep, long long *removed,
                              struct error *err);
/* "pdf", "jpg", "png", "mp3", "mp4" for a media type; NULL if unknown. */
const char *store_extension_for(const char *media_type);

/* A prepared statement for sql, reset and with its bindings cleared.
 * The cache's contract:
 * - it is keyed by the SQL text's address: pass a string literal or a
 *   static array, never text built at run time;
 * - the statement is owned by the store: never finalize it;
 * - asking for the same SQL again resets it: finish iterating it first;
 * - a statement in use (sqlite3_stmt_busy: stepped and not yet reset or
 *   done) is never evicted; when more statements than the cache holds are
 *   in use at once, the cache grows. */
sqlite3_stmt *store_statement(struct store *store, const char *sql, struct error *err);

/* Steps a statement: 1 for a row, 0 when it is done, -1 on an error (err
 * filled, the statement reset).  Loops read
 *     while ((row = store_step(store, s, err)) > 0) { ... }
 *     if (row < 0) fail;                                              */
int store_step(struct store *store, sqlite3_stmt *statement, struct error *err);

/* The kind of error an SQLite result code means. */
enum error_kind store_error_kind(int sqlite_code);
/* Fills err from the connection's last error, "what: message"; returns -1. */
int store_error(struct store *store, struct error *err, const char *what);

/* Runs SQL with no results (may hold several statements). */
int store_exec(struct store *store, const char *sql, struct error *err);

/* Transactions nest: the outermost store_begin is BEGIN IMMEDIATE (the
 * write lock taken at once), inner ones are savepoints, so a function that
 * writes in a transaction of its own can run inside its caller's (an
 * account change and its audit row commit together).  Every store_begin
 * is ended by one store_commit or one store_rollback; rolling back an
 * inner one undoes only its part.  A failed outermost COMMIT must still be
 * followed by store_rollback. */
int store_begin(struct store *store, struct error *err);
int store_commit(struct store *store, struct error *err);
void store_rollback(struct store *store);

/* How long this connection waits for another's write lock before its
 * statement fails with ERROR_BUSY: wait_ms, or with wait_ms < 0 the
 * default (about 10 s, polling fast at first: see store.c). */
void store_set_lock_wait(struct store *store, int wait_ms);

/* Copies the whole WAL into the database and truncates the WAL file to
 * zero bytes (SQLite's TRUNCATE checkpoint), waiting at most wait_ms for
 * readers of older snapshots and for a writer; writers wait while it runs.
 * A WAL is otherwise reused, never shrunk: it keeps the size of its
 * largest burst.  Returns 0, or -1 (ERROR_BUSY when others kept it from
 * finishing; try again later). */
int store_wal_truncate(struct store *store, int wait_ms, struct error *err);

/* The schema version the database is at. */
int store_schema_version(struct store *store);
/* The newest schema version this beishen knows (its last migration). */
int store_newest_schema_version(void);

#endif
