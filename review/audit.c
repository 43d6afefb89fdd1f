/* audit — appending to and reading the audit log (table audit_log). */
#include "audit.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Binds text cut to AUDIT_FIELD_MAX bytes, at a UTF-8 character boundary
 * so that the stored text stays valid. */
static void bind_capped(sqlite3_stmt *s, int column, const char *text)
{
    if (!text) {
        sqlite3_bind_null(s, column);
        return;
    }
    size_t length = strlen(text);
    if (length > AUDIT_FIELD_MAX) {
        length = AUDIT_FIELD_MAX;
        while (length > 0 && ((unsigned char)text[length] & 0xC0) == 0x80)
            length--;
    }
    sqlite3_bind_text(s, column, text, (int)length, SQLITE_TRANSIENT);
}

static void utc_now(char out[32])
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char seconds[24];
    strftime(seconds, sizeof seconds, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03ldZ", seconds, now.tv_nsec / 1000000);
}

int audit_record(struct store *store, const struct audit_entry *entry, struct error *err)
{
    static const char *sql =
        "INSERT INTO audit_log (at, user, action, application, detail, remote)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    if (!entry->user || !entry->action)
        return error_set(err, "audit: user and action are required");
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    char at[32];
    utc_now(at);
    sqlite3_bind_text(s, 1, at, -1, SQLITE_TRANSIENT);
    bind_capped(s, 2, entry->user);
    bind_capped(s, 3, entry->action);
    bind_capped(s, 4, entry->application);
    bind_capped(s, 5, entry->detail);
    bind_capped(s, 6, entry->remote);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return error_set(err, "audit: %s", sqlite3_errmsg(store_db(store)));
    return 0;
}

/* Reads exactly `count` digits into *value. */
static bool digits(const char **p, int count, int *value)
{
    *value = 0;
    for (int i = 0; i < count; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return false;
        *value = *value * 10 + (**p - '0');
    }
    return true;
}

int audit_parse_time(const char *text, char *out, size_t out_size, struct error *err)
{
    const char *p = text;
    int year, month, day, hour = 0, minute = 0, second = 0;
    bool ok = digits(&p, 4, &year) && *p++ == '-' && digits(&p, 2, &month) && *p++ == '-' &&
              digits(&p, 2, &day);
    if (ok && (*p == 'T' || *p == ' ')) {
        p++;
        ok = digits(&p, 2, &hour) && *p++ == ':' && digits(&p, 2, &minute);
        if (ok && *p == ':') {
            p++;
            ok = digits(&p, 2, &second);
        }
    }
    if (ok && *p == 'Z')
        p++;
    if (!ok || *p || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
        minute > 59 || second > 60)
        return error_set(err, "'%.64s': not a time (YYYY-MM-DD[THH:MM[:SS]][Z], UTC)", text);
    if (out_size < 25)
        return error_set(err, "audit_parse_time: buffer too small");
    snprintf(out, out_size, "%04d-%02d-%02dT%02d:%02d:%02d.000Z", year, month, day, hour,
             minute, second);
    return 0;
}

json_t *audit_list(struct store *store, const struct audit_filter *filter, struct error *err)
{
    /* The newest `limit` rows, handed back oldest first. */
    static const char *sql =
        "SELECT * FROM (SELECT id, at, user, action, application, detail, remote FROM audit_log"
        " WHERE (?1 IS NULL OR user = ?1) AND (?2 IS NULL OR application = ?2)"
        "  AND (?3 IS NULL OR at >= ?3) ORDER BY id DESC LIMIT ?4) ORDER BY id";
    char since[32];
    if (filter->since && audit_parse_time(filter->since, since, sizeof since, err) != 0)
        return NULL;
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return NULL;
    if (filter->user)
        sqlite3_bind_text(s, 1, filter->user, -1, SQLITE_TRANSIENT);
    if (filter->application)
        sqlite3_bind_text(s, 2, filter->application, -1, SQLITE_TRANSIENT);
    if (filter->since)
        sqlite3_bind_text(s, 3, since, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, filter->limit > 0 ? filter->limit : -1);
    json_t *list = json_array();
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *row = json_object();
        for (int i = 0; i < sqlite3_column_count(s); i++) {
            const char *name = sqlite3_column_name(s, i);
            if (sqlite3_column_type(s, i) == SQLITE_INTEGER)
                json_object_set_new(row, name, json_integer(sqlite3_column_int64(s, i)));
            else if (sqlite3_column_type(s, i) == SQLITE_NULL)
                json_object_set_new(row, name, json_null());
            else {
                /* Rows hold network text; never let one bad row lose the list. */
                json_t *text = json_string((const char *)sqlite3_column_text(s, i));
                json_object_set_new(row, name, text ? text : json_string("(not UTF-8)"));
            }
        }
        json_array_append_new(list, row);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        json_decref(list);
        error_set(err, "audit: %s", sqlite3_errmsg(store_db(store)));
        return NULL;
    }
    return list;
}

/* ---- the group-commit writer ---------------------------------------------- */

#define WRITER_QUEUE_MAX 4096   /* waiting rows; callers beyond wait for room */

/* A caller's row and its outcome; lives on the caller's stack while it waits. */
struct ticket {
    const struct audit_entry *entry;
    bool done;
    bool ok;
    char message[256];
};

struct audit_writer {
    struct store *store;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work;        /* the writer waits here for rows */
    pthread_cond_t finished;    /* callers wait here for their batch */
    struct ticket *queue[WRITER_QUEUE_MAX];
    size_t queued;
    struct ticket *batch[WRITER_QUEUE_MAX];   /* the writer thread's own copy */
    bool stopping;
};

static void *writer_main(void *argument)
{
    struct audit_writer *w = argument;
    struct ticket **batch = w->batch;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->queued && !w->stopping)
            pthread_cond_wait(&w->work, &w->lock);
        if (!w->queued && w->stopping)
            break;
        size_t n = w->queued;
        memcpy(batch, w->queue, n * sizeof w->queue[0]);
        w->queued = 0;
        pthread_cond_broadcast(&w->finished);   /* room in the queue again */
        pthread_mutex_unlock(&w->lock);
        /* Everything queued meanwhile goes into one transaction. */
        struct error err = {""};
        bool ok = store_begin(w->store, &err) == 0;
        for (size_t i = 0; ok && i < n; i++)
            ok = audit_record(w->store, batch[i]->entry, &err) == 0;
        if (ok)
            ok = store_commit(w->store, &err) == 0;
        if (!ok)
            store_rollback(w->store);
        pthread_mutex_lock(&w->lock);
        for (size_t i = 0; i < n; i++) {
            batch[i]->ok = ok;
            batch[i]->done = true;
            if (!ok)
                snprintf(batch[i]->message, sizeof batch[i]->message, "%s", err.message);
        }
        pthread_cond_broadcast(&w->finished);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int audit_writer_start(const char *db_path, struct audit_writer **out, struct error *err)
{
    struct audit_writer *w = calloc(1, sizeof *w);
    if (!w)
        return error_set(err, "out of memory");
    if (store_open(db_path, &w->store, err) != 0) {
        free(w);
        return -1;
    }
    /* A checkpoint inside a commit would make every waiting request wait
     * for it; the caller checkpoints from its own connection instead. */
    store_exec(w->store, "PRAGMA wal_autocheckpoint = 0;", NULL);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->finished, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        store_close(w->store);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->work);
        pthread_cond_destroy(&w->finished);
        free(w);
        return error_set(err, "cannot start the audit writer thread");
    }
    *out = w;
    return 0;
}

int audit_writer_record(struct audit_writer *w, const struct audit_entry *entry, struct error *err)
{
    if (!entry->user || !entry->action)
        return error_set(err, "audit: user and action are required");
    struct ticket ticket = {.entry = entry};
    pthread_mutex_lock(&w->lock);
    while (w->queued == WRITER_QUEUE_MAX && !w->stopping)
        pthread_cond_wait(&w->finished, &w->lock);
    if (w->stopping) {
        pthread_mutex_unlock(&w->lock);
        return error_set(err, "audit: the writer is stopping");
    }
    w->queue[w->queued++] = &ticket;
    pthread_cond_signal(&w->work);
    while (!ticket.done)
        pthread_cond_wait(&w->finished, &w->lock);
    pthread_mutex_unlock(&w->lock);
    if (!ticket.ok)
        return error_set(err, "audit: %s", ticket.message);
    return 0;
}

void audit_writer_stop(struct audit_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_broadcast(&w->work);
    pthread_cond_broadcast(&w->finished);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    store_close(w->store);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->finished);
    free(w);
}
