/* index — what is derived from an application's stored rows so that
 * browsing is index lookups: its categories in the documented order with
 * record counts (table `categories`) and its summary columns (average,
 * counts).  Called by ingest inside the application's transaction, so the
 * derived rows are never stale. */
#ifndef BEISHEN_INDEX_H
#define BEISHEN_INDEX_H

#include <sqlite3.h>
#include "store/store.h"

/* Recomputes the categories and summaries of one application. */
int index_application(struct store *store, sqlite3_int64 application_id, struct error *err);

/* Recomputes every pool_statistics row marked stale by the triggers of
 * schema 006 (and drops the rows of pools that became empty).  The caller
 * runs it inside a transaction, after a batch of applications. */
int index_refresh_pool_statistics(struct store *store, struct error *err);

#endif
