/* audit — appending to and reading the audit log (table audit_log). */
#define _GNU_SOURCE   /* SCHED_IDLE */
#include "server/audit.h"
#include "core/files.h"
#include "core/timestamp.h"

#include <ctype.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sodium.h>

/* The length of `text` cut to AUDIT_FIELD_MAX bytes, at a UTF-8 character
 * boundary so that the stored text stays valid. */
static size_t capped_length(const char *text)
{
    size_t length = strlen(text);
    if (length > AUDIT_FIELD_MAX) {
        length = AUDIT_FIELD_MAX;
        while (length > 0 && ((unsigned char)text[length] & 0xC0) == 0x80)
            length--;
    }
    return length;
}

static void bind_capped(sqlite3_stmt *s, int column, const char *text)
{
    if (text)
        sqlite3_bind_text(s, column, text, (int)capped_length(text), SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, column);
}

int audit_record(struct store *store, const struct audit_entry *entry, struct error *err)
{
    static const char *sql =
        "INSERT INTO audit_log (at, user, action, application, detail, remote)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    if (!entry->user || !entry->action)
        return error_set(err, ERROR_INVALID, "audit: user and action are required");
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    char at[TIMESTAMP_SIZE];
    timestamp_now_milliseconds(at);
    sqlite3_bind_text(s, 1, at, -1, SQLITE_TRANSIENT);
    bind_capped(s, 2, entry->user);
    bind_capped(s, 3, entry->action);
    bind_capped(s, 4, entry->application);
    bind_capped(s, 5, entry->detail);
    bind_capped(s, 6, entry->remote);
    int rc = store_step(store, s, err);
    sqlite3_reset(s);
    return rc < 0 ? error_prefix(err, "audit") : 0;
}

json_t *audit_list(struct store *store, const struct audit_filter *filter, struct error *err)
{
    /* The newest `limit` rows, handed back oldest first. */
    static const char *sql =
        "SELECT * FROM (SELECT id, at, user, action, application, detail, remote, count FROM audit_log"
        " WHERE (?1 IS NULL OR user = ?1) AND (?2 IS NULL OR application = ?2)"
        "  AND (?3 IS NULL OR at >= ?3) ORDER BY id DESC LIMIT ?4) ORDER BY id";
    char since[TIMESTAMP_SIZE];
    if (filter->since && timestamp_parse_filter(filter->since, since, err) != 0)
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
    while ((rc = store_step(store, s, err)) > 0) {
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
    if (rc < 0) {
        json_decref(list);
        error_prefix(err, "audit");
        return NULL;
    }
    return list;
}

/* ---- the journal and its importer -----------------------------------------
 *
 * Each server has a journal of its own, <db>.audit-journal.<run>, locked
 * (flock, exclusive) for as long as it runs, so that servers sharing a
 * database never wait for each other and each empties its own.  A
 * journal whose lock is free is an orphan: its server was killed (or it
 * is <db>.audit-journal, which a restore and older versions write).  Any
 * server adopts orphans, at start, on a flush and every few seconds:
 * imports them and removes them.
 *
 * A request appends its row to the journal file with one write() and
 * answers; the importer thread moves journal lines into audit_log in batches
 * (INSERT OR IGNORE on journal_key, so a line imported twice is stored once)
 * and truncates the journal when it has grown.  A row written to the journal
 * survives the process dying; like a commit under synchronous=NORMAL, it
 * can be lost only with the machine.  Appends share `append_lock`; the
 * truncation takes it alone, so no line is cut off.
 *
 * The importer runs only on a core nothing else wants (SCHED_IDLE): even a
 * niced thread takes a core from a request thread for a whole time slice,
 * and a client sees that as milliseconds of delay (in the bench, the
 * 99th percentile of a category switch on one core went from 6.6-25 ms to
 * 2.6-3.0 ms).  Under load the journal just grows, up to its cap: an
 * appender that finds that many bytes not yet imported imports them
 * first, in its own thread, and when even that cannot bring them down the
 * row is refused (the request then hands out nothing).  A reader who needs the log whole
 * (audit_writer_flush) imports it in its own thread.
 *
 * Refused logins are counted, not written one by one (audit_writer_refused):
 * a flood of them wrote a row per request, 30,000 rows and 15 MB a second. */

#define JOURNAL_LINE_MAX 16384                   /* 6 capped fields, escaped */
#define JOURNAL_READ_CHUNK ((size_t)1 << 20)
#define JOURNAL_TRUNCATE_BYTES ((off_t)4 << 20)
#define JOURNAL_CAP_DEFAULT ((size_t)64 << 20)
#define JOURNAL_FIELDS 8           /* key, at, user, action, application, detail, remote, count */
#define JOURNAL_FIELDS_BEFORE_COUNT 7                 /* lines written before schema 011 */
#define IMPORT_INTERVAL_MS 250
#define FULL_WAIT_MS 1000          /* a request finding the journal full waits this long, then 503 */
#define ORPHAN_INTERVAL_ROUNDS 40        /* orphans are looked for every 10 s */
#define JOURNAL_SUFFIX ".audit-journal"
#define JOURNAL_PATH_MAX 4200

#define REFUSAL_SLOTS 1024         /* client addresses counted at once (open addressing) */
#define REFUSAL_SOURCES_MAX 768    /* past this many in a minute, the others share one row */
#define REFUSAL_ACCOUNTS 8         /* account names a row lists */
#define REFUSAL_MANY "(many addresses)"

/* The refused logins of one client address in one minute: one audit row. */
struct refusal {
    bool used;
    long long minute;                       /* Unix seconds / 60 */
    char remote[64];
    char key[48];                           /* the row's journal key */
    char at[32];                            /* the first refusal */
    long count, wrong, limited;
    long written;                           /* the count the journal has */
    char accounts[REFUSAL_ACCOUNTS][72];
    int account_count;
    bool more_accounts;
};

struct audit_writer {
    int fd;                         /* this server's journal, O_APPEND, locked */
    char path[JOURNAL_PATH_MAX];    /* its name: <db>.audit-journal.<run> */
    char prefix[JOURNAL_PATH_MAX];  /* <db>.audit-journal: every journal's name begins so */
    char run[17];                   /* this run's part of every journal key */
    int rounds;                     /* import rounds, for ORPHAN_INTERVAL_ROUNDS; importer only */
    size_t journal_cap;             /* bytes */
    off_t truncate_at;              /* journal bytes imported before it is emptied */
    pthread_rwlock_t append_lock;
    _Atomic long long backlog;      /* journal bytes not yet imported (this process's view) */
    pthread_t thread;
    pthread_mutex_t lock;
    unsigned long long sequence;    /* under `lock` */
    pthread_cond_t work;            /* the importer waits here, under `lock` */
    bool stopping;                  /* under `lock` */
    pthread_mutex_t import_lock;    /* held by whoever imports: the importer or a flush */
    struct store *store;            /* the connection that imports, under `import_lock` */
    off_t imported;                 /* journal bytes already in audit_log, under `import_lock` */
    pthread_mutex_t refusal_lock;   /* the refusals below */
    struct refusal refusals[REFUSAL_SLOTS];
    int refusal_sources;            /* slots in use */
};

/* Appends `text` (NULL: \N) cut to AUDIT_FIELD_MAX bytes at a character
 * boundary, with backslash, tab, newline and CR escaped. */
static void append_field(char *line, size_t *length, const char *text)
{
    if (!text) {
        line[(*length)++] = '\\';
        line[(*length)++] = 'N';
        return;
    }
    size_t cut = capped_length(text);
    for (size_t i = 0; i < cut; i++) {
        char c = text[i], escaped = c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : 0;
        if (escaped) {
            line[(*length)++] = '\\';
            line[(*length)++] = escaped;
        } else {
            line[(*length)++] = c;
        }
    }
}

/* Undoes append_field's escapes in place. */
static void unescape(char *text)
{
    char *out = text;
    for (const char *p = text; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            *out++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p;
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
}

/* Splits one journal line (without its newline) into fields, unescaped in
 * place; a field that is exactly \N becomes NULL (text "\N" itself was
 * written as \\N).  A line of a journal written before schema 011 has no
 * count: fields[7] is NULL then.  False for a line of the wrong shape. */
static bool parse_line(char *line, char *fields[JOURNAL_FIELDS])
{
    int count = 0;
    for (char *field = line; field; count++) {
        if (count == JOURNAL_FIELDS)
            return false;
        char *tab = strchr(field, '\t');   /* raw tabs only separate fields */
        if (tab)
            *tab = '\0';
        if (strcmp(field, "\\N") == 0) {
            fields[count] = NULL;
        } else {
            unescape(field);
            fields[count] = field;
        }
        field = tab ? tab + 1 : NULL;
    }
    if (count == JOURNAL_FIELDS_BEFORE_COUNT)
        fields[count++] = NULL;
    return count == JOURNAL_FIELDS && fields[0] && fields[1] && fields[2] && fields[3];
}

/* Inserts the complete lines of `data` in the current transaction; returns
 * how many bytes they span, or -1 on a database error.  A second line with
 * the key of a login_refused row carries that row's final count: it
 * updates the row (the count only grows).  Any other line whose key is
 * already stored changes nothing. */
static long import_lines(struct store *store, char *data, size_t size, struct error *err)
{
    static const char *sql =
        "INSERT INTO audit_log (journal_key, at, user, action, application, detail, remote, count)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(?8, 1))"
        " ON CONFLICT (journal_key) WHERE journal_key IS NOT NULL DO UPDATE"
        "  SET count = excluded.count, detail = excluded.detail, user = excluded.user"
        "  WHERE audit_log.action = 'login_refused' AND excluded.action = 'login_refused'"
        "   AND excluded.count > audit_log.count";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    size_t done = 0;
    for (;;) {
        char *newline = memchr(data + done, '\n', size - done);
        if (!newline)
            break;
        *newline = '\0';
        char *fields[JOURNAL_FIELDS];
        if (parse_line(data + done, fields)) {   /* a malformed line is skipped */
            for (int i = 0; i < JOURNAL_FIELDS - 1; i++) {
                if (fields[i])
                    sqlite3_bind_text(s, i + 1, fields[i], -1, SQLITE_STATIC);
                else
                    sqlite3_bind_null(s, i + 1);
            }
            long count = fields[7] ? strtol(fields[7], NULL, 10) : 1;
            sqlite3_bind_int64(s, JOURNAL_FIELDS, count > 0 ? count : 1);
            int rc = store_step(store, s, err);
            sqlite3_reset(s);
            if (rc < 0)
                return error_prefix(err, "audit");
        }
        done = (size_t)(newline - data) + 1;
    }
    return (long)done;
}

/* Moves every complete line of journal `fd` after *imported into
 * audit_log, in one transaction per chunk, advancing *imported.  The
 * caller holds import_lock. */
static int import_file(struct store *store, int fd, off_t *imported, struct error *err)
{
    char *buffer = malloc(JOURNAL_READ_CHUNK);
    if (!buffer)
        return error_set(err, ERROR_INTERNAL, "out of memory");
    int status = 0;
    for (;;) {
        ssize_t got = pread(fd, buffer, JOURNAL_READ_CHUNK, *imported);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            if (got < 0)
                status = error_set(err, ERROR_IO, "audit journal: %s", strerror(errno));
            break;
        }
        if (store_begin(store, err) != 0) {
            status = -1;
            break;
        }
        long used = import_lines(store, buffer, (size_t)got, err);
        if (used < 0 || store_commit(store, err) != 0) {
            store_rollback(store);
            status = -1;
            break;
        }
        if (used == 0)   /* a line still being written, or one longer than a chunk */
            break;
        *imported += used;
    }
    free(buffer);
    return status;
}

/* This server's journal into audit_log.  The caller holds import_lock. */
static int import_journal(struct audit_writer *w, struct error *err)
{
    int status = import_file(w->store, w->fd, &w->imported, err);
    struct stat st;
    if (status == 0 && fstat(w->fd, &st) == 0 && st.st_size >= w->imported)
        atomic_store(&w->backlog, (long long)(st.st_size - w->imported));
    return status;
}

/* Imports and removes the journal at `path` if it is an orphan (its lock
 * is free).  A journal a server is still creating (".new") is left alone. */
static int adopt_orphan(const char *path, void *data)
{
    struct audit_writer *w = data;
    const char *rest = path + strlen(w->prefix);
    if (strcmp(path, w->path) == 0 || (rest[0] != '\0' && rest[0] != '.') || g_str_has_suffix(rest, ".new"))
        return 0;
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0;   /* gone meanwhile: another server adopted it */
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {   /* no server holds it */
        struct error err;
        off_t imported = 0;
        struct stat st;
        if (import_file(w->store, fd, &imported, &err) != 0)
            fprintf(stderr, "beishen serve: %s: %s\n", path, err.message);
        else if (fstat(fd, &st) == 0 && st.st_size == imported)
            unlink(path);   /* a last line without its newline (cut by a crash) keeps it */
    }
    close(fd);
    return 0;   /* one orphan that cannot be imported now does not stop the others */
}

/* Every orphaned journal into audit_log.  The caller holds import_lock. */
static int adopt_orphans(struct audit_writer *w, struct error *err)
{
    return files_each_with_prefix(w->prefix, adopt_orphan, w, err);
}

/* Imports what is left and empties the journal, with appends held off.
 * The caller holds import_lock. */
static int truncate_journal(struct audit_writer *w, struct error *err)
{
    pthread_rwlock_wrlock(&w->append_lock);
    int status = import_journal(w, err);
    struct stat st;
    if (status == 0 && fstat(w->fd, &st) == 0 && st.st_size == w->imported) {
        if (ftruncate(w->fd, 0) == 0) {
            w->imported = 0;
            atomic_store(&w->backlog, 0);
        } else {
            status = error_set(err, ERROR_IO, "audit journal: %s", strerror(errno));
        }
    }
    pthread_rwlock_unlock(&w->append_lock);
    return status;
}

/* This server's journal into audit_log, and the truncation when it has
 * grown.  The caller holds import_lock. */
static int import_and_trim(struct audit_writer *w, struct error *err)
{
    int status = import_journal(w, err);
    if (status == 0 && w->imported >= w->truncate_at)
        status = truncate_journal(w, err);
    return status;
}

/* One round of import, and the truncation when the journal has grown;
 * with `orphans`, orphaned journals too. */
static int import_round(struct audit_writer *w, bool orphans, struct error *err)
{
    pthread_mutex_lock(&w->import_lock);
    int status = orphans ? adopt_orphans(w, err) : 0;
    if (status == 0)
        status = import_and_trim(w, err);
    pthread_mutex_unlock(&w->import_lock);
    return status;
}

/* The journal is full: imports it in the caller's thread, waiting at most
 * FULL_WAIT_MS for the importer and as long again for the database (a
 * request must not hang for the importer's full wait on a long lock). */
static void import_when_full(struct audit_writer *w)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += FULL_WAIT_MS / 1000;
    if (pthread_mutex_timedlock(&w->import_lock, &until) != 0)
        return;
    struct error err;
    store_set_lock_wait(w->store, FULL_WAIT_MS);
    int status = import_and_trim(w, &err);
    store_set_lock_wait(w->store, -1);
    pthread_mutex_unlock(&w->import_lock);
    if (status != 0)
        fprintf(stderr, "beishen serve: %s\n", err.message);
}

/* Appends one line: 0 once it is in the journal.  When the lines not yet
 * imported reach the cap, the journal is imported first; one that cannot
 * be brought down refuses the line (ERROR_BUSY: the request answers 503). */
static int append_line(struct audit_writer *w, const char *key, const char *at,
                       const struct audit_entry *entry, long count, struct error *err)
{
    if ((size_t)atomic_load(&w->backlog) >= w->journal_cap) {
        import_when_full(w);
        if ((size_t)atomic_load(&w->backlog) >= w->journal_cap)
            return error_set(err, ERROR_BUSY, "audit journal full (%zu bytes) and the database is locked",
                             w->journal_cap);
    }
    char line[JOURNAL_LINE_MAX];
    size_t length = (size_t)snprintf(line, sizeof line, "%s\t%s\t", key, at);
    const char *fields[] = {entry->user, entry->action, entry->application, entry->detail, entry->remote};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        append_field(line, &length, fields[i]);
        line[length++] = '\t';
    }
    length += (size_t)snprintf(line + length, sizeof line - length, "%ld\n", count);
    pthread_rwlock_rdlock(&w->append_lock);
    ssize_t written = write(w->fd, line, length);
    if (written > 0)
        atomic_fetch_add(&w->backlog, (long long)written);
    pthread_rwlock_unlock(&w->append_lock);
    if (written != (ssize_t)length)
        return error_set(err, ERROR_IO, "audit journal: %s", written < 0 ? strerror(errno) : "short write");
    return 0;
}

/* This run's next journal key. */
static void next_key(struct audit_writer *w, char *out, size_t size)
{
    pthread_mutex_lock(&w->lock);
    unsigned long long sequence = ++w->sequence;
    pthread_mutex_unlock(&w->lock);
    snprintf(out, size, "%s-%llu", w->run, sequence);
}

/* ---- refused logins ---------------------------------------------------------- */

static unsigned long hash_text(const char *text)
{
    unsigned long hash = 2166136261u;   /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        hash = (hash ^ *p) * 16777619u;
    return hash;
}

/* The slot of `remote`, or the free slot where it would go.  Never full:
 * at most REFUSAL_SOURCES_MAX + 1 of REFUSAL_SLOTS are used. */
static struct refusal *refusal_slot(struct audit_writer *w, const char *remote)
{
    size_t i = hash_text(remote) % REFUSAL_SLOTS;
    while (w->refusals[i].used && strcmp(w->refusals[i].remote, remote) != 0)
        i = (i + 1) % REFUSAL_SLOTS;
    return &w->refusals[i];
}

/* The row of a refusal slot: "refused N: wrong W, limited L; accounts a, b". */
static int write_refusal(struct audit_writer *w, struct refusal *r, struct error *err)
{
    char detail[AUDIT_FIELD_MAX];
    int used = snprintf(detail, sizeof detail, "refused %ld: wrong %ld, limited %ld; accounts ",
                        r->count, r->wrong, r->limited);
    for (int i = 0; i < r->account_count && used < (int)sizeof detail; i++)
        used += snprintf(detail + used, sizeof detail - (size_t)used, "%s%s", i ? ", " : "", r->accounts[i]);
    if (r->more_accounts && used < (int)sizeof detail)
        snprintf(detail + used, sizeof detail - (size_t)used, " and others");
    struct audit_entry entry = {
        .user = r->account_count == 1 && !r->more_accounts ? r->accounts[0] : "(several)",
        .action = "login_refused", .detail = detail, .remote = r->remote,
    };
    if (append_line(w, r->key, r->at, &entry, r->count, err) != 0)
        return -1;
    r->written = r->count;
    return 0;
}

/* Writes the final count of every minute that has ended (all of them
 * when `everything`) and frees their slots.  refusal_lock held. */
static int close_refusals(struct audit_writer *w, bool everything, struct error *err)
{
    long long minute = timestamp_unix_now() / 60;
    int status = 0;
    bool freed = false;
    for (size_t i = 0; i < REFUSAL_SLOTS; i++) {
        struct refusal *r = &w->refusals[i];
        if (!r->used || (!everything && r->minute >= minute))
            continue;
        if (r->count > r->written && write_refusal(w, r, err) != 0)
            status = -1;   /* counted, not written: the row keeps its earlier count */
        r->used = false;
        freed = true;
        w->refusal_sources--;
    }
    if (!freed)
        return status;
    /* Open addressing: the slots left are placed again, so that none sits
     * behind a freed one its search would stop at. */
    struct refusal *kept = malloc(sizeof w->refusals);
    if (!kept)
        return error_set(err, ERROR_INTERNAL, "out of memory");
    memcpy(kept, w->refusals, sizeof w->refusals);
    memset(w->refusals, 0, sizeof w->refusals);
    for (size_t i = 0; i < REFUSAL_SLOTS; i++)
        if (kept[i].used)
            *refusal_slot(w, kept[i].remote) = kept[i];
    free(kept);
    return status;
}

int audit_writer_refused(struct audit_writer *w, const char *user, const char *remote,
                         bool limited, struct error *err)
{
    long long minute = timestamp_unix_now() / 60;
    const char *source = remote && remote[0] ? remote : "?";
    int status = 0;
    pthread_mutex_lock(&w->refusal_lock);
    struct refusal *r = refusal_slot(w, source);
    if (r->used && r->minute != minute) {
        status = close_refusals(w, false, err);   /* its minute is over: written, slot freed */
        r = refusal_slot(w, source);
    }
    if (!r->used && w->refusal_sources >= REFUSAL_SOURCES_MAX) {
        source = REFUSAL_MANY;
        r = refusal_slot(w, source);
    }
    if (!r->used) {
        *r = (struct refusal){.used = true, .minute = minute};
        snprintf(r->remote, sizeof r->remote, "%s", source);
        next_key(w, r->key, sizeof r->key);
        timestamp_now_milliseconds(r->at);
        w->refusal_sources++;
    }
    r->count++;
    if (limited)
        r->limited++;
    else
        r->wrong++;
    const char *name = user ? user : "?";
    bool listed = false;
    for (int i = 0; i < r->account_count && !listed; i++)
        listed = strcmp(r->accounts[i], name) == 0;
    if (!listed && r->account_count < REFUSAL_ACCOUNTS)
        snprintf(r->accounts[r->account_count++], sizeof r->accounts[0], "%s", name);
    else if (!listed)
        r->more_accounts = true;
    /* The minute's first refusal is in the journal at once: a killed
     * server loses at most the count of the rest. */
    if (status == 0 && r->count == 1)
        status = write_refusal(w, r, err);
    pthread_mutex_unlock(&w->refusal_lock);
    return status;
}

static void *importer_main(void *argument)
{
    struct audit_writer *w = argument;
    /* See the comment above the journal: requests come first.  Without
     * the idle class (a kernel without it), nice 10 will do. */
    struct sched_param idle = {0};
    if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle) != 0)
        setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
    pthread_mutex_lock(&w->lock);
    while (!w->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += IMPORT_INTERVAL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->work, &w->lock, &until);
        if (w->stopping)
            break;
        pthread_mutex_unlock(&w->lock);
        struct error err;
        pthread_mutex_lock(&w->refusal_lock);
        int closed = close_refusals(w, false, &err);
        pthread_mutex_unlock(&w->refusal_lock);
        if (closed != 0)
            fprintf(stderr, "beishen serve: %s\n", err.message);
        bool orphans = ++w->rounds % ORPHAN_INTERVAL_ROUNDS == 0;
        if (import_round(w, orphans, &err) != 0)
            fprintf(stderr, "beishen serve: %s\n", err.message);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* A journal run's key: 8 random bytes in hex. */
static void random_run_id(char out[17])
{
    unsigned char bytes[8];
    randombytes_buf(bytes, sizeof bytes);
    sodium_bin2hex(out, 17, bytes, sizeof bytes);
}

/* Creates this server's journal, locked before it has its name, so that no
 * other server ever finds it unlocked and adopts it. */
static int create_journal(struct audit_writer *w, const char *db_path, struct error *err)
{
    char creating[JOURNAL_PATH_MAX + 8];
    if (snprintf(w->prefix, sizeof w->prefix, "%s" JOURNAL_SUFFIX, db_path) >= (int)sizeof w->prefix ||
        snprintf(w->path, sizeof w->path, "%s.%s", w->prefix, w->run) >= (int)sizeof w->path)
        return error_set(err, ERROR_IO, "%s: path too long", db_path);
    snprintf(creating, sizeof creating, "%s.new", w->path);
    w->fd = open(creating, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (w->fd >= 0 && (flock(w->fd, LOCK_EX) != 0 || rename(creating, w->path) != 0)) {
        unlink(creating);
        close(w->fd);
        w->fd = -1;
    }
    return w->fd >= 0 ? 0 : error_set(err, ERROR_IO, "%s: %s", w->path, strerror(errno));
}

static void writer_free(struct audit_writer *w)
{
    if (w->fd >= 0)
        close(w->fd);
    store_close(w->store);
    pthread_rwlock_destroy(&w->append_lock);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->work);
    pthread_mutex_destroy(&w->import_lock);
    pthread_mutex_destroy(&w->refusal_lock);
    free(w);
}

int audit_writer_start(const char *db_path, size_t journal_cap, struct audit_writer **out,
                       struct error *err)
{
    struct audit_writer *w = calloc(1, sizeof *w);
    if (!w)
        return error_set(err, ERROR_INTERNAL, "out of memory");
    w->fd = -1;
    w->journal_cap = journal_cap ? journal_cap : JOURNAL_CAP_DEFAULT;
    w->truncate_at = (off_t)(w->journal_cap / 2) < JOURNAL_TRUNCATE_BYTES
        ? (off_t)(w->journal_cap / 2) : JOURNAL_TRUNCATE_BYTES;
    pthread_rwlock_init(&w->append_lock, NULL);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_mutex_init(&w->import_lock, NULL);
    pthread_mutex_init(&w->refusal_lock, NULL);
    random_run_id(w->run);
    if (store_open(db_path, &w->store, err) != 0) {
        writer_free(w);
        return -1;
    }
    /* A checkpoint inside an import would hold the importer; the caller
     * checkpoints from its own connection instead. */
    store_exec(w->store, "PRAGMA wal_autocheckpoint = 0;", NULL);
    if (create_journal(w, db_path, err) != 0) {
        writer_free(w);
        return -1;
    }
    /* Rows a previous run wrote but did not import (it was killed). */
    if (import_round(w, true, err) != 0) {
        unlink(w->path);
        writer_free(w);
        return -1;
    }
    if (pthread_create(&w->thread, NULL, importer_main, w) != 0) {
        writer_free(w);
        return error_set(err, ERROR_INTERNAL, "cannot start the audit importer thread");
    }
    *out = w;
    return 0;
}

int audit_writer_record(struct audit_writer *w, const struct audit_entry *entry, struct error *err)
{
    if (!entry->user || !entry->action)
        return error_set(err, ERROR_INVALID, "audit: user and action are required");
    char key[48], at[TIMESTAMP_SIZE];
    next_key(w, key, sizeof key);
    timestamp_now_milliseconds(at);
    /* No signal: the importer takes the journal in batches every
     * IMPORT_INTERVAL_MS, so that the database (and with it every reader's
     * page cache) changes a few times a second, not at every request. */
    return append_line(w, key, at, entry, 1, err);
}

int audit_writer_flush(struct audit_writer *w, struct error *err)
{
    /* In the caller's thread: the importer may not get a core for a while. */
    return import_round(w, true, err);
}

size_t audit_writer_backlog(struct audit_writer *w)
{
    long long backlog = atomic_load(&w->backlog);
    return backlog > 0 ? (size_t)backlog : 0;
}

void audit_writer_stop(struct audit_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    struct error err;
    pthread_mutex_lock(&w->refusal_lock);
    if (close_refusals(w, true, &err) != 0)
        fprintf(stderr, "beishen serve: %s\n", err.message);
    pthread_mutex_unlock(&w->refusal_lock);
    /* Everything imported: the journal goes.  Otherwise it stays, for the
     * next server to adopt. */
    pthread_mutex_lock(&w->import_lock);
    int status = import_journal(w, &err);
    pthread_mutex_unlock(&w->import_lock);
    struct stat st;
    if (status != 0)
        fprintf(stderr, "beishen serve: %s\n", err.message);
    else if (fstat(w->fd, &st) == 0 && st.st_size == w->imported)
        unlink(w->path);
    writer_free(w);
}
