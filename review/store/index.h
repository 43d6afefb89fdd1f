/* index — what is derived from an application's stored rows so that
 * browsing is index lookups: its categories in the documented order with
 * record counts (table `categories`), its summary columns (average,
 * counts) and its score in every pool (`pool_scores`); and the statistics
 * of each pool (`pool_statistics`).  index_application is called by ingest
 * inside the application's transaction, so the derived rows are never
 * stale.  Same threading as the store it is given.
 *
 * Ownership: json_t results are new references the caller json_decrefs. */
#ifndef BEISHEN_INDEX_H
#define BEISHEN_INDEX_H

#include <jansson.h>
#include <sqlite3.h>
#include "store/store.h"

/* The kinds of pool, as pool_scores.kind and pool_statistics.kind store
 * them: the applications of one department with graded rows of one
 * course code, subject, course-group category or domain. */
enum pool_kind { POOL_COURSE = 0, POOL_SUBJECT = 1, POOL_CATEGORY = 2, POOL_DOMAIN = 3 };

/* Recomputes the categories and summaries of one application. */
int index_application(struct store *store, sqlite3_int64 application_id, struct error *err);

/* {n, mean, sd, min, q1, median, q3, max, histogram} of one pool, from its
 * pool_scores rows (core/statistics.h).  NULL with ERROR_NOT_FOUND when the
 * pool has no rows, or with another kind on failure. */
json_t *index_pool_statistics(struct store *store, const char *department, enum pool_kind kind,
                              const char *key, struct error *err);

/* Gives every application that has no blind review number yet (table
 * blind_numbers, schema 013) the next numbers of its department, ranked
 * among the new ones by hmac_sha256 of "<department>-<application_no>"
 * keyed by the database's blind_secret, so that the numbers tell nothing
 * of application numbers, schools or the export's order.  A number once
 * given never changes.  The caller runs it inside a transaction, once the
 * applications of a package are in (all at once: numbering batch by batch
 * would follow the export's order). */
int index_blind_numbers(struct store *store, struct error *err);

/* Recomputes every pool_statistics row marked stale by the triggers of
 * schema 006, and drops the rows of pools that became empty; a pool that
 * cannot be read fails it (its row stays stale).  The caller runs it
 * inside a transaction, after a batch of applications. */
int index_refresh_pool_statistics(struct store *store, struct error *err);

#endif
