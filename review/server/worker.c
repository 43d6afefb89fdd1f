/* worker — each worker thread's store and its cache of category views. */
#include "server/worker.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define VIEW_CACHE_BYTES ((size_t)16 << 20)

struct worker {
    struct store *store;
    GHashTable *views;              /* "<application id>/<category>" -> GBytes */
    sqlite3_int64 views_version;
    size_t views_bytes;
};

struct worker_pool {
    char *db_path;
    pthread_mutex_t lock;
    struct worker **workers;
    size_t count, capacity;
};

static _Thread_local struct worker *thread_worker;
static _Thread_local const struct worker_pool *thread_worker_pool;

struct worker_pool *worker_pool_new(const char *db_path)
{
    struct worker_pool *pool = calloc(1, sizeof *pool);
    if (!pool || !(pool->db_path = strdup(db_path))) {
        free(pool);
        return NULL;
    }
    pthread_mutex_init(&pool->lock, NULL);
    return pool;
}

static void worker_free(struct worker *worker)
{
    store_close(worker->store);
    g_hash_table_destroy(worker->views);
    free(worker);
}

void worker_pool_free(struct worker_pool *pool)
{
    if (!pool)
        return;
    for (size_t i = 0; i < pool->count; i++)
        worker_free(pool->workers[i]);
    free(pool->workers);
    pthread_mutex_destroy(&pool->lock);
    free(pool->db_path);
    free(pool);
}

struct worker *worker_current(struct worker_pool *pool, struct error *err)
{
    if (thread_worker && thread_worker_pool == pool)
        return thread_worker;
    struct worker *worker = calloc(1, sizeof *worker);
    if (!worker) {
        error_set(err, ERROR_INTERNAL, "out of memory");
        return NULL;
    }
    if (store_open(pool->db_path, &worker->store, err) != 0) {
        free(worker);
        return NULL;
    }
    worker->views = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
    worker->views_version = -1;
    /* A larger page cache per worker than SQLite's 2 MB default. */
    store_exec(worker->store, "PRAGMA cache_size = -32768;", NULL);
    pthread_mutex_lock(&pool->lock);
    if (pool->count == pool->capacity) {
        size_t capacity = pool->capacity ? 2 * pool->capacity : 8;
        struct worker **grown = realloc(pool->workers, capacity * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&pool->lock);
            worker_free(worker);
            error_set(err, ERROR_INTERNAL, "out of memory");
            return NULL;
        }
        pool->workers = grown;
        pool->capacity = capacity;
    }
    pool->workers[pool->count++] = worker;
    pthread_mutex_unlock(&pool->lock);
    thread_worker = worker;
    thread_worker_pool = pool;
    return worker;
}

struct store *worker_store(struct worker *worker) { return worker->store; }

GBytes *worker_cached_view(struct worker *worker, const char *key)
{
    static const char *sql = "SELECT version FROM content_version WHERE id = 1";
    struct error err;
    sqlite3_stmt *s = store_statement(worker->store, sql, &err);
    sqlite3_int64 version = -1;
    if (s && store_step(worker->store, s, &err) > 0)
        version = sqlite3_column_int64(s, 0);
    if (s)
        sqlite3_reset(s);
    /* An unreadable version (-1) empties the cache and keeps nothing. */
    if (version != worker->views_version || version < 0) {
        g_hash_table_remove_all(worker->views);
        worker->views_bytes = 0;
        worker->views_version = version;
    }
    return g_hash_table_lookup(worker->views, key);
}

void worker_keep_view(struct worker *worker, const char *key, GBytes *answer)
{
    if (worker->views_version < 0)
        return;
    size_t size = g_bytes_get_size(answer) + strlen(key);
    if (worker->views_bytes + size > VIEW_CACHE_BYTES) {
        g_hash_table_remove_all(worker->views);
        worker->views_bytes = 0;
    }
    g_hash_table_replace(worker->views, g_strdup(key), g_bytes_ref(answer));
    worker->views_bytes += size;
}
