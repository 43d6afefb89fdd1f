/* audit — the audit log: who viewed which application's data, downloaded
 * which file, had which PDF rendered, logged in or failed to, and changed
 * which account, and when.  Owns table audit_log (schema/003_accounts.sql).
 * Rows are only ever added; `beishen audit` and GET /api/audit read them.
 *
 * Ownership: audit_list returns a new reference the caller json_decrefs. */
#ifndef BEISHEN_AUDIT_H
#define BEISHEN_AUDIT_H

#include <jansson.h>
#include "store.h"

/* One event.  user and action are required; the others may be NULL.
 * application is the key "<department>-<application_no>".  Strings longer
 * than AUDIT_FIELD_MAX bytes are cut (they may come from the network). */
struct audit_entry {
    const char *user;
    const char *action;
    const char *application;
    const char *detail;
    const char *remote;       /* the client address */
};

#define AUDIT_FIELD_MAX 1024

/* Appends one row stamped with the current UTC time.  Returns 0 or -1;
 * callers that are about to hand out data must not do so when it fails. */
int audit_record(struct store *store, const struct audit_entry *entry, struct error *err);

/* The server's writer: one thread with its own connection that commits the
 * rows of all concurrent callers together (group commit).  Request threads
 * never take SQLite's write lock, so they never wait in its busy handler,
 * and still answer only after their row is committed. */
struct audit_writer;

/* Opens its own connection to the database and starts the thread.  That
 * connection never checkpoints the WAL: the caller must (PASSIVE, from
 * another connection, every few seconds).  *out is released by
 * audit_writer_stop. */
int audit_writer_start(const char *db_path, struct audit_writer **out, struct error *err);
/* Appends one row and returns once it is committed, 0; -1 when the
 * transaction holding it failed.  Thread-safe; the entry's strings are
 * borrowed until it returns. */
int audit_writer_record(struct audit_writer *writer, const struct audit_entry *entry,
                        struct error *err);
/* Commits what is queued, stops the thread, closes the connection. */
void audit_writer_stop(struct audit_writer *writer);

struct audit_filter {
    const char *user;          /* NULL: everyone */
    const char *application;   /* NULL: every application */
    const char *since;         /* a time accepted by audit_parse_time, or NULL */
    long limit;                /* 0: no limit; else the newest `limit` rows */
};

/* [{id, at, user, action, application, detail, remote}] oldest first.
 * Fails on a malformed `since`. */
json_t *audit_list(struct store *store, const struct audit_filter *filter, struct error *err);

/* "2025-03-01", "2025-03-01T09:30", "2025-03-01T09:30:00", optionally
 * followed by "Z" (times are UTC) -> "2025-03-01T09:30:00.000Z", the form
 * audit_log.at is stored in, so that text order is time order.
 * out must hold 25 bytes.  Returns 0 or -1 with a message. */
int audit_parse_time(const char *text, char *out, size_t out_size, struct error *err);

#endif
