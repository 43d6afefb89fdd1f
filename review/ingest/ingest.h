/* ingest — loads export packages (the contract: docs/export-format.md)
 * into the store.  Owns the mapping from export JSON to table rows and the
 * copying of verified attachments into the file store.  Each application is
 * one transaction: it loads whole or not at all.  A package whose manifest
 * cannot be read loads nothing.
 *
 * Ownership: the summary's problem list is the caller's, freed with
 * ingest_summary_free.  Threads: one ingest per store; a second process
 * ingesting into the same database waits for the write lock. */
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

#endif
