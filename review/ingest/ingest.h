/* ingest — loads export packages (the contract: docs/export-format.md)
 * into the store.  Owns the mapping from export JSON to table rows and the
 * copying of verified attachments into the file store.  Every application
 * loads whole or not at all, also after a crash: applications are written
 * in batches, each one transaction.  A package whose manifest cannot be
 * read loads nothing.
 *
 * Ownership: the summary's problem list is the caller's, freed with
 * ingest_summary_free; it keeps the first PROBLEMS_KEPT_MAX problems and
 * counts the rest.
 * Threads: ingest_package runs a thread of its own that reads, parses and
 * checks applications while the calling thread writes; it returns after
 * that thread has ended.  One ingest per store at a time.  Ingests of
 * several processes into one database are serialised by ingest_lock_acquire
 * (without it a second one waits for SQLite's write lock between batches,
 * and may give up); either way an application is written once, since the
 * check for a stored copy is made inside the write transaction. */
#ifndef BEISHEN_INGEST_H
#define BEISHEN_INGEST_H

#include <stdbool.h>
#include "store/store.h"
#include "ingest/validate.h"

struct ingest_summary {
    int loaded;        /* new applications */
    int unchanged;     /* same content hash as already stored: skipped */
    int replaced;      /* same application, new content: replaced atomically */
    int rejected;      /* damaged applications, not loaded */
    int reported;      /* files under applications/ the manifest does not list */
    int refused;       /* packages whose manifest could not be read */
    struct problem_list problems;   /* every problem, in order found */
};

/* Called after each application with (done, total); may be NULL. */
typedef void (*ingest_progress_fn)(int done, int total, void *context);

/* Ingests one package (directory or .zip) and adds to *summary.
 * Returns 0 when the job ran (even if applications were rejected), -1 on a
 * failure of our own (database error), with err filled. */
int ingest_package(struct store *store, const char *package_path,
                   struct ingest_summary *summary,
                   ingest_progress_fn progress, void *progress_context,
                   struct error *err);

void ingest_summary_free(struct ingest_summary *summary);

/* One ingest into a database at a time: an exclusive lock (flock) on
 * "<db>.ingest-lock", which the kernel releases when the process ends, even
 * by kill -9.  When another process holds it, on_wait (may be NULL) is
 * called once with the database's path, and the call blocks until the lock
 * is free.  *lock is NULL for a database without a file.  Returns 0, or -1
 * with err filled. */
struct ingest_lock;
int ingest_lock_acquire(struct store *store, void (*on_wait)(const char *database, void *context),
                        void *context, struct ingest_lock **lock, struct error *err);
void ingest_lock_release(struct ingest_lock *lock);

#endif
