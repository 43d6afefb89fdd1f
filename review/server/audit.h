/* audit — the audit log: who viewed which application's data, downloaded
 * which file, had which PDF rendered, logged in or failed to, and changed
 * which account, and when.  Owns table audit_log (schema/003_accounts.sql,
 * 007) and the workstation's journal file.
 * Rows are only ever added; `beishen audit` and GET /api/audit read them.
 *
 * Ownership: audit_list returns a new reference the caller json_decrefs.
 * Threads: audit_record and audit_list use the caller's store (one per
 * thread); the writer is shared by every server thread and thread-safe. */
#ifndef BEISHEN_AUDIT_H
#define BEISHEN_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "store/store.h"

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

/* The server's writer.  A request appends its row to a journal file beside
 * the database (<db>.audit-journal.<run>, one per server) with one write() and may answer as soon
 * as that succeeded; a thread with its own connection moves the journal
 * into audit_log in batches, every quarter second when a core is free, and
 * keeps the journal short.  Requests never wait for SQLite, and a row
 * written survives the process being killed (the next start imports it;
 * each journal line has a unique key, so nothing is stored twice).  The
 * journal has a cap: an append that finds that many bytes not yet
 * imported imports them first, in the caller's thread, and fails
 * (ERROR_BUSY) when it cannot.  Servers sharing a database have a journal
 * each; the journal of one that was killed (or <db>.audit-journal, left
 * by a restore) is imported and removed by any writer, at start, on a
 * flush and every few seconds. */
struct audit_writer;

/* Opens its own connection and the journal, imports what a previous run
 * left in it, and starts the thread.  journal_cap: the journal's cap in
 * bytes (0: 64 MiB).  That connection never checkpoints the WAL: the
 * caller must (from another connection, every few seconds).  *out is
 * released by audit_writer_stop. */
int audit_writer_start(const char *db_path, size_t journal_cap, struct audit_writer **out,
                       struct error *err);
/* Appends one row to the journal: 0 once it is there, -1 when it could not
 * be written (the caller must then not hand out the data).  Thread-safe;
 * the entry's strings are borrowed until it returns. */
int audit_writer_record(struct audit_writer *writer, const struct audit_entry *entry,
                        struct error *err);
/* A refused login: a wrong name or password, or one refused by the rate
 * limits (`limited`).  They are counted, one row per client address and
 * minute: action "login_refused", `count` the refusals, the detail "refused
 * N: wrong W, limited L; accounts a, b" (up to 8 names, then "and others"),
 * the user the one account tried or "(several)".  The minute's first
 * refusal puts the row in the journal at once; its final count follows
 * when the minute is over (the importer, within a second) or the writer
 * stops, as a second line with the same key.  Past 768 addresses in one
 * minute, the others share a row whose remote is "(many addresses)".
 * A killed server loses at most the count of its last minute.  Thread-safe. */
int audit_writer_refused(struct audit_writer *writer, const char *user, const char *remote,
                         bool limited, struct error *err);
/* Moves every row recorded before the call into audit_log, in the
 * caller's thread (the importer runs only on an idle core): for readers of
 * the log that must see it whole.  -1 on a database error. */
int audit_writer_flush(struct audit_writer *writer, struct error *err);
/* Journal bytes this writer knows are not yet imported. */
size_t audit_writer_backlog(struct audit_writer *writer);
/* Writes the refusals' counts, imports what is left, stops the thread,
 * closes the connection. */
void audit_writer_stop(struct audit_writer *writer);

struct audit_filter {
    const char *user;          /* NULL: everyone */
    const char *application;   /* NULL: every application */
    const char *since;         /* a time accepted by timestamp_parse_filter, or NULL */
    long limit;                /* 0: no limit; else the newest `limit` rows */
};

/* [{id, at, user, action, application, detail, remote, count}] oldest
 * first (count: the requests a row stands for, 1 but for login_refused).
 * Fails on a malformed `since`. */
json_t *audit_list(struct store *store, const struct audit_filter *filter, struct error *err);

#endif
