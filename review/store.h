/* store — the SQLite database and the content-addressed file store beside it.
 * Owns the connection, schema migrations (the schema/ files, PRAGMA user_version),
 * transactions, a cache of prepared statements, and <db>.files/.
 * Other modules run their own SQL through store_statement(). */
#ifndef BEISHEN_STORE_H
#define BEISHEN_STORE_H

#include <sqlite3.h>
#include "util.h"

struct store;

/* Opens (creating if needed) the database at path and migrates it to the
 * newest schema.  WAL mode, foreign keys on.  *out is freed by store_close. */
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
/* "pdf", "jpg", "png", "mp3", "mp4" for a media type; NULL if unknown. */
const char *store_extension_for(const char *media_type);

/* A prepared statement for sql, cached by the SQL text's address, reset and
 * with bindings cleared.  Owned by the store: do not finalize. */
sqlite3_stmt *store_statement(struct store *store, const char *sql, struct error *err);

/* Runs SQL with no results (may hold several statements). */
int store_exec(struct store *store, const char *sql, struct error *err);

int store_begin(struct store *store, struct error *err);   /* BEGIN IMMEDIATE */
int store_commit(struct store *store, struct error *err);
void store_rollback(struct store *store);

/* The schema version the database is at. */
int store_schema_version(struct store *store);

#endif
