/* worker — what each of the server's worker threads keeps: its own store
 * (SQLite connections and their statement caches are never shared between
 * threads) and its recent category views.
 *
 * A reviewer switches back and forth between an applicant's categories,
 * and the answer for (application, category) only changes with the
 * application data, which content_version (schema 007) numbers: the cache
 * holds the JSON text of answers given under one version and is dropped
 * whole when the version moves or it outgrows its budget.  Every view is
 * still authorised and audited by the handler.
 *
 * Ownership: the pool owns every worker; a worker is made on its thread's
 * first request and freed by worker_pool_free once the threads are gone. */
#ifndef BEISHEN_WORKER_H
#define BEISHEN_WORKER_H

#include <glib.h>

#include "core/error.h"
#include "store/store.h"

struct worker_pool;
struct worker;

/* A pool for the workers of one database.  NULL when out of memory. */
struct worker_pool *worker_pool_new(const char *db_path);
/* Frees every worker and closes their stores: call after the threads end. */
void worker_pool_free(struct worker_pool *pool);

/* The calling thread's worker, made (and its store opened) on first use.
 * Thread-safe. */
struct worker *worker_current(struct worker_pool *pool, struct error *err);
struct store *worker_store(struct worker *worker);

/* The worker's cached answer for key (borrowed), after dropping the cache
 * when the application data changed since it was filled; NULL when none. */
GBytes *worker_cached_view(struct worker *worker, const char *key);
/* Keeps answer (a reference is taken) for key under the current version. */
void worker_keep_view(struct worker *worker, const char *key, GBytes *answer);

#endif
