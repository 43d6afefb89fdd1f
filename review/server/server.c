/* server — the workstation's HTTP server: routing table, request handling,
 * per-worker stores, the render helper process and the PDF cache.
 *
 * A request goes: URI callback (keeps the raw path, so that an encoded '/'
 * in a category name stays inside its segment) -> access handler (body
 * collected under a cap) -> dispatch: route lookup in `routes[]`, session
 * for every /api/ path but login, CSRF for state-changing routes, path
 * parameters decoded and checked -> the route's handler, which answers
 * with query.c's JSON after writing the audit row. */
#include "server/server.h"
#include "core/text.h"
#include "core/timestamp.h"
#include "query/compare.h"
#include "query/query.h"
#include "query/requirements.h"
#include "render/compare_doc.h"
#include "render/packet.h"
#include "server/audit.h"
#include "server/auth.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <glib.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PATH_CAP 2048             /* raw request path bytes */
#define SEGMENTS_MAX 8            /* path segments a route may have */
#define PARAM_CAP 1024            /* a decoded path segment or query value, bytes */
#define PENDING_RENDERS_MAX 8     /* renders queued or running; more answer 503 */
#define CACHE_NAME_CAP 96
#define COOKIE_NAME "beishen_session"
#define CSRF_HEADER "X-CSRF-Token"
#define CHECKPOINT_SECONDS 2       /* the WAL is copied back this often, off the request path */
#define PURGE_SECONDS 60           /* expired sessions and old failed logins go this often */

/* ---- the render helper's protocol (fixed-size messages on a SEQPACKET pair) */

enum render_kind { RENDER_PACKET = 1, RENDER_COMPARE = 2 };

struct render_job {
    uint64_t id;
    int kind;
    sqlite3_int64 application_id;            /* RENDER_PACKET */
    char department[AUTH_CODE_MAX + 1];      /* RENDER_COMPARE */
    char output[4096 + CACHE_NAME_CAP];
};

struct render_reply {
    uint64_t id;
    int status;                              /* 0: the file is written */
    char message[512];
};

/* ---- state ---------------------------------------------------------------- */

enum render_state { RENDER_NONE, RENDER_WAITING, RENDER_DONE };

/* One request, from the URI callback to the completion callback. */
struct request {
    double received_at;           /* monotonic seconds, with options.timing */
    char path[PATH_CAP + 1];
    bool path_too_long;
    bool started;                 /* the access handler has seen the headers */
    char *body;                   /* at most options.body_limit bytes, NUL-terminated */
    size_t body_length;
    bool body_too_large;
    /* a render in progress: what to serve and record once it is done */
    enum render_state render;
    int render_status;
    char render_message[512];
    char cache_name[CACHE_NAME_CAP];
    char download_name[96];
    char audit_user[AUTH_NAME_MAX + 1];
    char audit_action[32];
    char audit_application[2 * AUTH_CODE_MAX + 2];
    char audit_detail[64];
};

struct pending_render {
    uint64_t id;
    struct MHD_Connection *connection;
    struct request *request;
};

struct cache_entry {
    char name[CACHE_NAME_CAP];
    size_t size;
    uint64_t used;                /* cache clock at the last use */
};

/* With options.timing: how many requests took each 10 µs step of time in
 * the server, from the moment their request line was read to the moment
 * their reply was handed to the socket.  That leaves out time spent
 * waiting in the socket before a thread reads it, and the client's own
 * time, which a client-side figure (wrk's) adds; the two side by side say
 * where a latency tail comes from. */
#define TIMING_STEP_US 10
#define TIMING_STEPS 10000                      /* 10 µs steps up to 100 ms; the last holds the rest */

struct server {
    struct server_options options;
    _Atomic unsigned long timing[TIMING_STEPS];
    _Atomic unsigned long timing_longest_us;
    char db_path[4096];
    char url[128];
    struct auth_policy policy;
    struct MHD_Daemon *daemon;
    struct audit_writer *audit;   /* the audit journal and its importer */
    pthread_mutex_t lock;         /* workers, pending renders, cache, helper state */
    struct worker **workers;      /* every worker thread's state, freed by server_stop */
    size_t worker_count, worker_capacity;
    /* the render helper */
    pid_t helper;
    int helper_socket;
    bool helper_dead;
    pthread_t dispatcher;
    bool dispatcher_started;
    uint64_t next_job;
    struct pending_render pending[PENDING_RENDERS_MAX];
    size_t pending_count;
    /* the PDF cache */
    char cache_dir[4096];
    struct cache_entry *cache;
    size_t cache_count, cache_capacity, cache_total;
    uint64_t cache_clock;
    /* maintenance: purging sessions, checkpointing the WAL */
    pthread_t maintenance;
    bool maintenance_started;
    pthread_mutex_t stop_lock;
    pthread_cond_t stop_cond;
    bool stopping;
};

/* What a handler gets. */
struct worker;

struct call {
    struct server *server;
    struct MHD_Connection *connection;
    struct request *request;
    struct worker *worker;                /* the thread's state, see current_worker */
    struct store *store;                  /* its connection */
    const struct auth_session *session;   /* NULL on public routes */
    const char *token;                    /* the session cookie, when valid */
    bool reading;                         /* a read transaction is open on store */
    const char *params[SEGMENTS_MAX];     /* decoded {…} segments, in order */
    char remote[64];
};

typedef enum MHD_Result (*route_handler)(struct call *call);

enum route_flags {
    ROUTE_PUBLIC = 1,             /* no session needed */
    ROUTE_CSRF = 2,               /* state-changing: needs the X-CSRF-Token header */
    ROUTE_ADMIN = 4,              /* admin accounts only */
};

struct route {
    const char *method;
    const char *pattern;          /* literal segments and {name} placeholders */
    route_handler handler;
    int flags;
};

/* ---- helpers: time, logging ---------------------------------------------- */

static void log_error(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void log_error(const char *format, ...)
{
    char stamp[TIMESTAMP_SIZE];
    timestamp_now(stamp);
    va_list args;
    va_start(args, format);
    char message[1200];
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    fprintf(stderr, "%s beishen serve: %s\n", stamp, message);
}

/* ---- responses -------------------------------------------------------------- */

static void add_common_headers(struct MHD_Response *response)
{
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(response, "X-Frame-Options", "SAMEORIGIN");
    MHD_add_response_header(response, "Cross-Origin-Resource-Policy", "same-origin");
}

/* Queues and releases the response. */
static enum MHD_Result send_response(struct call *call, unsigned status, struct MHD_Response *response)
{
    if (!response)
        return MHD_NO;
    add_common_headers(response);
    enum MHD_Result result = MHD_queue_response(call->connection, status, response);
    MHD_destroy_response(response);
    return result;
}

/* The JSON text of value (a new reference, stolen); NULL when out of memory. */
static GBytes *json_bytes(json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(value);
    return text ? g_bytes_new_with_free_func(text, strlen(text), free, text) : NULL;
}

static void release_bytes(void *bytes)
{
    g_bytes_unref(bytes);
}

/* A JSON response holding json_text (a reference, stolen); NULL on failure. */
static struct MHD_Response *bytes_response(GBytes *json_text)
{
    if (!json_text)
        return NULL;
    gsize size;
    /* MHD only reads the buffer; its prototype lacks the const. */
    void *data = (void *)(uintptr_t)g_bytes_get_data(json_text, &size);
    struct MHD_Response *response = MHD_create_response_from_buffer_with_free_callback_cls(
        size, data, release_bytes, json_text);
    if (!response) {
        g_bytes_unref(json_text);
        return NULL;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return response;
}

static struct MHD_Response *json_response(json_t *value)
{
    return bytes_response(json_bytes(value));
}

/* Answers value (a new reference, stolen) as JSON. */
static enum MHD_Result reply_json(struct call *call, unsigned status, json_t *value)
{
    return send_response(call, status, json_response(value));
}

static enum MHD_Result reply_error(struct call *call, unsigned status, const char *message)
{
    return reply_json(call, status, json_pack("{s:s}", "error", message));
}

static enum MHD_Result reply_internal(struct call *call, const char *what, const struct error *err)
{
    log_error("%s: %s", what, err ? err->message : "failed");
    return reply_error(call, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
}

static enum MHD_Result reply_not_found(struct call *call, const char *what)
{
    return reply_error(call, MHD_HTTP_NOT_FOUND, what);
}

/* ---- read transactions ------------------------------------------------------ */

/* A GET runs its reads in one read transaction: one snapshot for the whole
 * answer, and one lock round instead of one per statement.  It ends before
 * the request waits for its audit row, so that no snapshot is held while
 * waiting (held snapshots keep the WAL from being checkpointed). */
static void begin_reads(struct call *call)
{
    call->reading = store_exec(call->store, "BEGIN", NULL) == 0;
}

static void end_reads(struct call *call)
{
    if (call->reading) {
        store_exec(call->store, "COMMIT", NULL);
        call->reading = false;
    }
}

/* ---- audit ------------------------------------------------------------------ */

static int record(struct call *call, const char *action, const char *application,
                  const char *detail)
{
    end_reads(call);
    struct error err;
    struct audit_entry entry = {
        .user = call->session ? call->session->user : "(anonymous)",
        .action = action, .application = application, .detail = detail, .remote = call->remote,
    };
    if (audit_writer_record(call->server->audit, &entry, &err) != 0) {
        log_error("audit: %s", err.message);
        return -1;
    }
    return 0;
}

/* Records the view, then answers the JSON text (a reference, stolen); no
 * row, no data. */
static enum MHD_Result reply_recorded_text(struct call *call, GBytes *json_text, const char *action,
                                           const char *application, const char *detail)
{
    if (record(call, action, application, detail) != 0) {
        if (json_text)
            g_bytes_unref(json_text);
        return reply_internal(call, "audit", NULL);
    }
    return send_response(call, MHD_HTTP_OK, bytes_response(json_text));
}

static enum MHD_Result reply_recorded(struct call *call, json_t *value, const char *action,
                                      const char *application, const char *detail)
{
    return reply_recorded_text(call, json_bytes(value), action, application, detail);
}

/* ---- parameters ------------------------------------------------------------ */

static bool has_control(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
            return true;
    return false;
}

/* Percent-decodes one raw path segment of `length` bytes into out (out_size
 * bytes).  Fails on a malformed escape, a NUL, a control character,
 * invalid UTF-8 or a result that does not fit. */
static bool decode_segment(const char *raw, size_t length, char *out, size_t out_size)
{
    GBytes *bytes = g_uri_unescape_bytes(raw, (gssize)length, NULL, NULL);
    if (!bytes)
        return false;
    size_t used;
    const char *decoded = g_bytes_get_data(bytes, &used);
    bool ok = used < out_size && text_is_utf8(decoded, used) && !has_control(decoded, used);
    if (ok) {
        memcpy(out, decoded, used);
        out[used] = '\0';
    }
    g_bytes_unref(bytes);
    return ok;
}

/* A query value: NULL when absent or empty, else checked text.  Returns
 * false when the value is present but unusable. */
static bool query_value(struct call *call, const char *name, const char **out)
{
    const char *value = NULL;
    size_t length = 0;
    *out = NULL;
    if (MHD_lookup_connection_value_n(call->connection, MHD_GET_ARGUMENT_KIND, name, strlen(name),
                                      &value, &length) != MHD_YES || !value || length == 0)
        return true;
    if (length > PARAM_CAP || strlen(value) != length || !text_is_utf8(value, length) ||
        has_control(value, length))
        return false;
    *out = value;
    return true;
}

/* Reads several query values; answers 400 naming the first bad one. */
#define QUERY_VALUES_MAX 8
static bool query_values(struct call *call, const char *const *names, const char **values,
                         enum MHD_Result *result)
{
    for (size_t i = 0; names[i]; i++) {
        if (!query_value(call, names[i], &values[i])) {
            char message[128];
            snprintf(message, sizeof message, "bad value for '%s'", names[i]);
            *result = reply_error(call, MHD_HTTP_BAD_REQUEST, message);
            return false;
        }
    }
    return true;
}

static bool parse_int(const char *text, long min, long max, int *out)
{
    if (!text)
        return false;
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end || value < min || value > max)
        return false;
    *out = (int)value;
    return true;
}

/* ---- per-worker state --------------------------------------------------------- */

/* What each worker thread keeps: its own connection (SQLite connections and
 * the store's statement cache are never shared between threads), and its
 * recent category views.  A reviewer switches back and forth between an
 * applicant's categories, and the answer for (application, category) only
 * changes with the application data, which content_version (schema 007)
 * numbers: the cache holds the JSON text of answers given under one
 * version and is dropped whole when the version moves or it outgrows
 * VIEW_CACHE_BYTES.  Every view is still authorised and audited. */
#define VIEW_CACHE_BYTES ((size_t)16 << 20)

struct worker {
    struct store *store;
    GHashTable *views;              /* "<application id>/<category>" -> GBytes */
    sqlite3_int64 views_version;
    size_t views_bytes;
};

static _Thread_local struct worker *thread_worker;
static _Thread_local const struct server *thread_worker_owner;

static void worker_free(struct worker *worker)
{
    store_close(worker->store);
    g_hash_table_destroy(worker->views);
    free(worker);
}

static struct worker *current_worker(struct server *server, struct error *err)
{
    if (thread_worker && thread_worker_owner == server)
        return thread_worker;
    struct worker *worker = calloc(1, sizeof *worker);
    if (!worker) {
        error_set(err, ERROR_INTERNAL, "out of memory");
        return NULL;
    }
    if (store_open(server->db_path, &worker->store, err) != 0) {
        free(worker);
        return NULL;
    }
    worker->views = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
    worker->views_version = -1;
    /* A larger page cache per worker than SQLite's 2 MB default. */
    store_exec(worker->store, "PRAGMA cache_size = -32768;", NULL);
    pthread_mutex_lock(&server->lock);
    if (server->worker_count == server->worker_capacity) {
        size_t capacity = server->worker_capacity ? 2 * server->worker_capacity : 8;
        struct worker **grown = realloc(server->workers, capacity * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&server->lock);
            worker_free(worker);
            error_set(err, ERROR_INTERNAL, "out of memory");
            return NULL;
        }
        server->workers = grown;
        server->worker_capacity = capacity;
    }
    server->workers[server->worker_count++] = worker;
    pthread_mutex_unlock(&server->lock);
    thread_worker = worker;
    thread_worker_owner = server;
    return worker;
}

/* The worker's cached answer for `key`, after dropping the cache if the
 * application data changed since it was filled.  Borrowed, or NULL. */
static GBytes *cached_view(struct worker *worker, const char *key)
{
    static const char *sql = "SELECT version FROM content_version WHERE id = 1";
    struct error err;
    sqlite3_stmt *s = store_statement(worker->store, sql, &err);
    sqlite3_int64 version = -1;
    if (s && sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int64(s, 0);
    if (s)
        sqlite3_reset(s);
    if (version != worker->views_version || version < 0) {
        g_hash_table_remove_all(worker->views);
        worker->views_bytes = 0;
        worker->views_version = version;
    }
    return g_hash_table_lookup(worker->views, key);
}

static void keep_view(struct worker *worker, const char *key, GBytes *answer)
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

/* ---- the PDF cache ----------------------------------------------------------------- */

static void cache_path(const struct server *server, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", server->cache_dir, name);
}

/* Opens a cached file (and marks it used); -1 when it is not cached. */
static int cache_open(struct server *server, const char *name, off_t *size)
{
    int fd = -1;
    pthread_mutex_lock(&server->lock);
    for (size_t i = 0; i < server->cache_count; i++) {
        if (strcmp(server->cache[i].name, name) != 0)
            continue;
        char path[sizeof server->cache_dir + CACHE_NAME_CAP];
        cache_path(server, name, path, sizeof path);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0) {
            *size = st.st_size;
            server->cache[i].used = ++server->cache_clock;
        } else if (fd >= 0) {
            close(fd);
            fd = -1;
        }
        break;
    }
    pthread_mutex_unlock(&server->lock);
    return fd;
}

/* Enters a freshly rendered file, then removes the least recently used
 * files until the cache fits its size (never the new one). */
static void cache_add(struct server *server, const char *name)
{
    char path[sizeof server->cache_dir + CACHE_NAME_CAP];
    cache_path(server, name, path, sizeof path);
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    pthread_mutex_lock(&server->lock);
    size_t index = server->cache_count;
    for (size_t i = 0; i < server->cache_count; i++)
        if (strcmp(server->cache[i].name, name) == 0)
            index = i;
    if (index == server->cache_count) {
        if (server->cache_count == server->cache_capacity) {
            size_t capacity = server->cache_capacity ? 2 * server->cache_capacity : 32;
            struct cache_entry *grown = realloc(server->cache, capacity * sizeof *grown);
            if (!grown) {
                pthread_mutex_unlock(&server->lock);
                unlink(path);
                return;
            }
            server->cache = grown;
            server->cache_capacity = capacity;
        }
        snprintf(server->cache[index].name, CACHE_NAME_CAP, "%s", name);
        server->cache[index].size = 0;
        server->cache_count++;
    }
    server->cache_total += (size_t)st.st_size - server->cache[index].size;
    server->cache[index].size = (size_t)st.st_size;
    server->cache[index].used = ++server->cache_clock;
    while (server->cache_total > server->options.cache_bytes && server->cache_count > 1) {
        size_t oldest = index == 0 ? 1 : 0;
        for (size_t i = 0; i < server->cache_count; i++)
            if (i != index && server->cache[i].used < server->cache[oldest].used)
                oldest = i;
        char old_path[sizeof server->cache_dir + CACHE_NAME_CAP];
        cache_path(server, server->cache[oldest].name, old_path, sizeof old_path);
        unlink(old_path);   /* a response still sending it keeps its open descriptor */
        server->cache_total -= server->cache[oldest].size;
        server->cache[oldest] = server->cache[--server->cache_count];
        if (index == server->cache_count)
            index = oldest;
    }
    pthread_mutex_unlock(&server->lock);
}

/* ---- the render helper --------------------------------------------------------------- */

/* In the job's own process: renders and exits.  Pango and fontconfig are
 * initialised here, in a process with one thread, and die with it. */
static void render_child(const struct render_job *job, const char *db_path, int report)
{
    struct error err = {0};
    struct store *store = NULL;
    int rc = store_open_readonly(db_path, &store, &err);
    if (rc == 0 && job->kind == RENDER_PACKET) {
        struct packet_result result;
        rc = packet_render(store, job->application_id, job->output, &result, &err);
    } else if (rc == 0 && job->kind == RENDER_COMPARE) {
        struct compare_request request = {.department = job->department};
        json_t *table = compare_table(store, &request, &err);
        struct compare_doc_options options = {.a3 = false};
        struct compare_doc_result result;
        rc = table ? compare_doc_render(table, &options, job->output, &result, &err) : -1;
        json_decref(table);
    } else if (rc == 0) {
        rc = error_set(&err, ERROR_INTERNAL, "unknown render kind");
    }
    store_close(store);
    /* The outcome travels on the pipe, not in the exit status, which a
     * tool such as valgrind may replace with its own. */
    char report_text[sizeof err.message + 1];
    int length = snprintf(report_text, sizeof report_text, "%c%s", rc == 0 ? '0' : '1',
                          rc == 0 ? "" : err.message);
    ssize_t ignored = write(report, report_text, (size_t)length < sizeof report_text
                                                 ? (size_t)length : sizeof report_text - 1);
    (void)ignored;
    /* _exit: the parent's heap and atexit handlers are not this process's to clean. */
    _exit(rc == 0 ? 0 : 1);
}

/* In the helper: runs one job in a child, with a deadline. */
static void run_job(const struct render_job *job, const char *db_path, int timeout_seconds,
                    struct render_reply *reply)
{
    int pipe_fds[2];
    reply->status = -1;
    /* pipe + FD_CLOEXEC is race-free here: the helper has one thread. */
    if (pipe(pipe_fds) != 0 || fcntl(pipe_fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(pipe_fds[1], F_SETFD, FD_CLOEXEC) != 0) {
        snprintf(reply->message, sizeof reply->message, "pipe: %s", strerror(errno));
        return;
    }
    pid_t child = fork();
    if (child < 0) {
        snprintf(reply->message, sizeof reply->message, "fork: %s", strerror(errno));
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        return;
    }
    if (child == 0) {
        close(pipe_fds[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        render_child(job, db_path, pipe_fds[1]);
    }
    close(pipe_fds[1]);
    char text[sizeof reply->message + 1];
    size_t used = 0;
    bool timed_out = false;
    double deadline = timestamp_monotonic() + timeout_seconds;
    for (;;) {
        int left = (int)((deadline - timestamp_monotonic()) * 1000);
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd p = {pipe_fds[0], POLLIN, 0};
        int ready = poll(&p, 1, left);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0) {
            timed_out = ready == 0;
            break;
        }
        ssize_t n = read(pipe_fds[0], text + used, sizeof text - 1 - used);
        if (n <= 0)
            break;   /* EOF: the child has exited or is exiting */
        used += (size_t)n;
        if (used == sizeof text - 1)
            break;
    }
    text[used] = '\0';
    snprintf(reply->message, sizeof reply->message, "%s", used > 1 ? text + 1 : "");
    close(pipe_fds[0]);
    if (timed_out)
        kill(child, SIGKILL);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    if (timed_out)
        snprintf(reply->message, sizeof reply->message, "rendering took longer than %d s",
                 timeout_seconds);
    else if (used > 0 && text[0] == '0' && access(job->output, F_OK) == 0)
        reply->status = 0;
    else if (used == 0 && WIFSIGNALED(status))
        snprintf(reply->message, sizeof reply->message, "the renderer died (signal %d)",
                 WTERMSIG(status));
    else if (!reply->message[0])
        snprintf(reply->message, sizeof reply->message, "rendering failed");
}

/* The helper process: one job at a time, each in a fresh child.  It was
 * forked before the server had threads, so forking again here is safe. */
static void helper_main(int socket_fd, const char *db_path, int timeout_seconds)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (;;) {
        struct render_job job;
        ssize_t n = recv(socket_fd, &job, sizeof job, 0);
        if (n == 0)
            _exit(0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            _exit(1);
        }
        if ((size_t)n != sizeof job)
            continue;
        job.output[sizeof job.output - 1] = '\0';
        job.department[sizeof job.department - 1] = '\0';
        struct render_reply reply = {.id = job.id};
        run_job(&job, db_path, timeout_seconds, &reply);
        if (send(socket_fd, &reply, sizeof reply, MSG_NOSIGNAL) < 0 && errno != EINTR)
            _exit(1);
    }
}

/* Marks a waiting request done and lets MHD run it again.  Lock held. */
static void complete_pending(struct server *server, size_t index, int status, const char *message)
{
    struct pending_render p = server->pending[index];
    p.request->render_status = status;
    snprintf(p.request->render_message, sizeof p.request->render_message, "%s", message);
    p.request->render = RENDER_DONE;
    server->pending[index] = server->pending[--server->pending_count];
    MHD_resume_connection(p.connection);
}

/* Reads the helper's replies and resumes the connections waiting for them. */
static void *dispatcher_main(void *argument)
{
    struct server *server = argument;
    for (;;) {
        struct render_reply reply;
        ssize_t n = recv(server->helper_socket, &reply, sizeof reply, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if ((size_t)n != sizeof reply)
            continue;
        reply.message[sizeof reply.message - 1] = '\0';
        pthread_mutex_lock(&server->lock);
        for (size_t i = 0; i < server->pending_count; i++) {
            if (server->pending[i].id == reply.id) {
                complete_pending(server, i, reply.status, reply.message);
                break;
            }
        }
        pthread_mutex_unlock(&server->lock);
    }
    pthread_mutex_lock(&server->lock);
    server->helper_dead = true;
    while (server->pending_count > 0)
        complete_pending(server, 0, -1, "the renderer has stopped");
    pthread_mutex_unlock(&server->lock);
    return NULL;
}

/* Hands a render to the helper and suspends the connection until it is
 * done; the handler runs again then (finish_render). */
static enum MHD_Result start_render(struct call *call, int kind, sqlite3_int64 application_id,
                                    const char *department)
{
    struct server *server = call->server;
    struct render_job job = {.kind = kind, .application_id = application_id};
    snprintf(job.department, sizeof job.department, "%s", department ? department : "");
    cache_path(server, call->request->cache_name, job.output, sizeof job.output);
    pthread_mutex_lock(&server->lock);
    if (server->helper_dead) {
        pthread_mutex_unlock(&server->lock);
        return reply_error(call, MHD_HTTP_SERVICE_UNAVAILABLE, "the renderer is not running");
    }
    if (server->pending_count == PENDING_RENDERS_MAX) {
        pthread_mutex_unlock(&server->lock);
        return reply_error(call, MHD_HTTP_SERVICE_UNAVAILABLE, "busy rendering; try again shortly");
    }
    job.id = ++server->next_job;
    server->pending[server->pending_count++] =
        (struct pending_render){job.id, call->connection, call->request};
    call->request->render = RENDER_WAITING;
    /* Suspended before the job is sent, under the lock the dispatcher takes
     * to resume: a reply can never resume a connection not yet suspended. */
    MHD_suspend_connection(call->connection);
    if (send(server->helper_socket, &job, sizeof job, MSG_NOSIGNAL) != (ssize_t)sizeof job)
        complete_pending(server, server->pending_count - 1, -1, "the renderer is not running");
    pthread_mutex_unlock(&server->lock);
    return MHD_YES;
}

/* ---- files ---------------------------------------------------------------------- */

/* Content-Disposition from an applicant's display name: the last path
 * component only, no control characters, quotes, backslashes or
 * semicolons, at most 120 bytes (cut at a character boundary); an ASCII
 * fallback name and the UTF-8 name as RFC 5987 filename*. */
static void content_disposition(const char *display_name, const char *fallback, char *out,
                                size_t size)
{
    const char *base = display_name ? display_name : "";
    for (const char *p = base; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    char clean[128];
    size_t used = 0;
    for (const unsigned char *p = (const unsigned char *)base; *p && used < 120; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\' || *p == ';')
            continue;
        clean[used++] = (char)*p;
    }
    /* A cut in the middle of a character: drop the partial character. */
    while (used > 0 && !text_is_utf8(clean, used))
        used--;
    clean[used] = '\0';
    if (!used || strcmp(clean, ".") == 0 || strcmp(clean, "..") == 0)
        snprintf(clean, sizeof clean, "%s", fallback);
    char ascii[128];
    size_t a = 0;
    for (const unsigned char *p = (const unsigned char *)clean; *p && a < sizeof ascii - 1; p++) {
        if (*p < 0x80)
            ascii[a++] = (char)*p;
        else if ((*p & 0xC0) != 0x80)
            ascii[a++] = '_';
    }
    ascii[a] = '\0';
    char *encoded = g_uri_escape_string(clean, NULL, false);
    snprintf(out, size, "inline; filename=\"%s\"; filename*=UTF-8''%s", ascii, encoded);
    g_free(encoded);
}

static enum MHD_Result reply_file(struct call *call, int fd, off_t size, const char *media_type,
                                  const char *disposition)
{
    struct MHD_Response *response = MHD_create_response_from_fd64((uint64_t)size, fd);
    if (!response) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, media_type);
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "private, no-store");
    /* Images and media opened on their own get a policy that runs nothing;
     * PDFs get none, since Chromium's viewer will not draw under one. */
    if (strcmp(media_type, "application/pdf") != 0)
        MHD_add_response_header(response, "Content-Security-Policy", "default-src 'none'; "
                                "img-src 'self'; media-src 'self'; style-src 'unsafe-inline'");
    return send_response(call, MHD_HTTP_OK, response);
}

/* Serves a cached PDF after recording it. */
static enum MHD_Result reply_cached_pdf(struct call *call, const char *name, const char *user,
                                        const char *action, const char *application,
                                        const char *detail, const char *download_name)
{
    off_t size = 0;
    int fd = cache_open(call->server, name, &size);
    if (fd < 0)
        return reply_internal(call, "PDF cache", NULL);
    end_reads(call);
    struct audit_entry entry = {user, action, application, detail, call->remote};
    struct error err;
    if (audit_writer_record(call->server->audit, &entry, &err) != 0) {
        close(fd);
        return reply_internal(call, "audit", &err);
    }
    char disposition[256];
    snprintf(disposition, sizeof disposition, "inline; filename=\"%s\"", download_name);
    return reply_file(call, fd, size, "application/pdf", disposition);
}

/* The connection was resumed: serve the rendered PDF or the failure. */
static enum MHD_Result finish_render(struct call *call)
{
    struct request *r = call->request;
    r->render = RENDER_NONE;
    if (r->render_status != 0) {
        /* The details (paths, library messages) go to the log, not the client. */
        log_error("render %s: %s", r->cache_name, r->render_message);
        return reply_error(call, MHD_HTTP_INTERNAL_SERVER_ERROR, "rendering failed");
    }
    cache_add(call->server, r->cache_name);
    char detail[96];
    snprintf(detail, sizeof detail, "%s%srendered", r->audit_detail, r->audit_detail[0] ? " " : "");
    return reply_cached_pdf(call, r->cache_name, r->audit_user, r->audit_action,
                            r->audit_application[0] ? r->audit_application : NULL, detail,
                            r->download_name);
}

/* Cache hit: serve; miss: render.  The cache name is the SHA-256 of the
 * JSON the document is drawn from (content), so changed data is a miss. */
static enum MHD_Result serve_pdf(struct call *call, const char *prefix, const char *content,
                                 int kind, sqlite3_int64 application_id, const char *department,
                                 const char *action, const char *application,
                                 const char *detail, const char *download_name)
{
    struct request *r = call->request;
    char hash[65];
    text_sha256_hex(content, strlen(content), hash);
    snprintf(r->cache_name, sizeof r->cache_name, "%s-%s.pdf", prefix, hash);
    snprintf(r->download_name, sizeof r->download_name, "%s", download_name);
    snprintf(r->audit_user, sizeof r->audit_user, "%s", call->session->user);
    snprintf(r->audit_action, sizeof r->audit_action, "%s", action);
    snprintf(r->audit_application, sizeof r->audit_application, "%s", application ? application : "");
    snprintf(r->audit_detail, sizeof r->audit_detail, "%s", detail ? detail : "");
    off_t size;
    int fd = cache_open(call->server, r->cache_name, &size);
    if (fd >= 0) {
        close(fd);
        char cached[96];
        snprintf(cached, sizeof cached, "%s%scached", r->audit_detail, r->audit_detail[0] ? " " : "");
        return reply_cached_pdf(call, r->cache_name, r->audit_user, action, application, cached,
                                download_name);
    }
    return start_render(call, kind, application_id, department);
}

/* ---- handlers: session -------------------------------------------------------- */

static json_t *session_json(const struct auth_session *session)
{
    json_t *departments = json_array();
    for (size_t i = 0; i < session->department_count; i++)
        json_array_append_new(departments, json_string(session->departments[i]));
    return json_pack("{s:s, s:s, s:s?, s:s, s:I, s:o}", "user", session->user,
                     "role", auth_role_name(session->role),
                     "university", session->university[0] ? session->university : NULL,
                     "csrf", session->csrf, "expires_at", (json_int_t)session->expires_at,
                     "departments", departments);
}

static bool is_json_body(struct call *call)
{
    const char *type = MHD_lookup_connection_value(call->connection, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
    return type && strncasecmp(type, "application/json", 16) == 0;
}

/* The body as a JSON object, or NULL after answering 400/415. */
static json_t *json_body(struct call *call, enum MHD_Result *result)
{
    if (!is_json_body(call)) {
        *result = reply_error(call, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "the body must be JSON "
                              "(Content-Type: application/json)");
        return NULL;
    }
    json_error_t error;
    json_t *body = call->request->body
        ? json_loadb(call->request->body, call->request->body_length, JSON_REJECT_DUPLICATES, &error)
        : NULL;
    if (!json_is_object(body)) {
        json_decref(body);
        *result = reply_error(call, MHD_HTTP_BAD_REQUEST, "the body must be a JSON object");
        return NULL;
    }
    return body;
}

static enum MHD_Result h_login(struct call *call)
{
    enum MHD_Result result;
    json_t *body = json_body(call, &result);
    if (!body)
        return result;
    const char *user = json_string_value(json_object_get(body, "user"));
    const char *password = json_string_value(json_object_get(body, "password"));
    if (!user || !password) {
        json_decref(body);
        return reply_error(call, MHD_HTTP_BAD_REQUEST, "give \"user\" and \"password\"");
    }
    char token[AUTH_TOKEN_HEX + 1];
    struct auth_session session;
    enum auth_login_outcome outcome;
    struct error err;
    int rc = auth_login(call->store, &call->server->policy, user, password, call->remote, token,
                        &session, &outcome, &err);
    /* The name as given is recorded only when it could be an account name:
     * a password typed into the name field must not land in the log. */
    char named[AUTH_NAME_MAX + 1];
    snprintf(named, sizeof named, "%s", auth_valid_user_name(user) ? user : "(invalid)");
    json_decref(body);
    if (rc != 0)
        return reply_internal(call, "login", &err);
    struct audit_entry entry = {.user = named, .remote = call->remote};
    if (outcome == AUTH_LOGIN_LIMITED) {
        entry.action = "login_limited";
        audit_writer_record(call->server->audit, &entry, &err);
        struct MHD_Response *response = json_response(json_pack("{s:s}", "error",
            "too many failed logins; try again later"));
        if (response)
            MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, "900");
        return send_response(call, MHD_HTTP_TOO_MANY_REQUESTS, response);
    }
    if (outcome == AUTH_LOGIN_DENIED) {
        entry.action = "login_failed";
        audit_writer_record(call->server->audit, &entry, &err);
        return reply_error(call, MHD_HTTP_UNAUTHORIZED, "wrong user or password");
    }
    entry.action = "login";
    if (audit_writer_record(call->server->audit, &entry, &err) != 0) {
        auth_logout(call->store, token, &err);
        return reply_internal(call, "audit", &err);
    }
    struct MHD_Response *response = json_response(session_json(&session));
    if (!response)
        return MHD_NO;
    char cookie[256];
    snprintf(cookie, sizeof cookie, COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d",
             token, call->server->policy.session_seconds);
    MHD_add_response_header(response, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    return send_response(call, MHD_HTTP_OK, response);
}

static enum MHD_Result h_logout(struct call *call)
{
    struct error err;
    if (auth_logout(call->store, call->token, &err) != 0)
        return reply_internal(call, "logout", &err);
    record(call, "logout", NULL, NULL);
    struct MHD_Response *response = json_response(json_pack("{s:b}", "ok", 1));
    if (!response)
        return MHD_NO;
    MHD_add_response_header(response, MHD_HTTP_HEADER_SET_COOKIE,
                            COOKIE_NAME "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return send_response(call, MHD_HTTP_OK, response);
}

static enum MHD_Result h_session(struct call *call)
{
    return reply_json(call, MHD_HTTP_OK, session_json(call->session));
}

static enum MHD_Result h_departments(struct call *call)
{
    struct error err;
    json_t *list = auth_departments(call->store, call->session, &err);
    return list ? reply_json(call, MHD_HTTP_OK, list) : reply_internal(call, "departments", &err);
}

/* ---- handlers: applications ------------------------------------------------------ */

/* The department a request names, or the session's only one.  NULL after
 * answering (400, or 404 for a department the session does not see). */
static const char *requested_department(struct call *call, const char *given, enum MHD_Result *result)
{
    if (!given) {
        if (call->session->department_count == 1)
            return call->session->departments[0];
        *result = reply_error(call, MHD_HTTP_BAD_REQUEST, "give department=CODE");
        return NULL;
    }
    if (!auth_valid_code(given) || !auth_sees_department(call->session, given)) {
        *result = reply_not_found(call, "no such department");
        return NULL;
    }
    return given;
}

static enum MHD_Result h_applicants(struct call *call)
{
    static const char *const names[] = {"department", "category", "source", "sort", NULL};
    const char *v[QUERY_VALUES_MAX] = {0};
    enum MHD_Result result;
    if (!query_values(call, names, v, &result))
        return result;
    const char *department = requested_department(call, v[0], &result);
    if (!department)
        return result;
    if (v[2] && strcmp(v[2], "portfolio") && strcmp(v[2], "self_made_pdf"))
        return reply_error(call, MHD_HTTP_BAD_REQUEST, "source is portfolio or self_made_pdf");
    if (v[3] && strcmp(v[3], "application_no") && strcmp(v[3], "name") && strcmp(v[3], "average"))
        return reply_error(call, MHD_HTTP_BAD_REQUEST, "sort is application_no, name or average");
    struct applicant_filter filter = {department, v[2], v[1], v[3], false};
    struct error err;
    json_t *list = query_applicants(call->store, &filter, &err);
    if (!list)
        return reply_internal(call, "applicants", &err);
    char detail[64];
    snprintf(detail, sizeof detail, "department=%s", department);
    return reply_recorded(call, list, "list_applicants", NULL, detail);
}

/* The application of the {id} parameter, or answers 404. */
static bool application_of(struct call *call, sqlite3_int64 *id, enum MHD_Result *result)
{
    bool found;
    struct error err;
    if (auth_resolve_application(call->store, call->session, call->params[0], id, &found, &err) != 0) {
        *result = reply_internal(call, "resolve", &err);
        return false;
    }
    if (!found) {
        *result = reply_not_found(call, "no such application");
        return false;
    }
    return true;
}

static enum MHD_Result h_applicant(struct call *call)
{
    sqlite3_int64 id;
    enum MHD_Result result;
    if (!application_of(call, &id, &result))
        return result;
    struct error err;
    json_t *show = query_show(call->store, id, NULL, false, &err);
    if (!show)
        return reply_internal(call, "show", &err);
    return reply_recorded(call, show, "view_application", call->params[0], NULL);
}

static enum MHD_Result h_categories(struct call *call)
{
    sqlite3_int64 id;
    enum MHD_Result result;
    if (!application_of(call, &id, &result))
        return result;
    struct error err;
    json_t *list = query_categories(call->store, id, &err);
    if (!list)
        return reply_internal(call, "categories", &err);
    return reply_recorded(call, list, "view_categories", call->params[0], NULL);
}

static enum MHD_Result h_category(struct call *call)
{
    sqlite3_int64 id;
    enum MHD_Result result;
    if (!application_of(call, &id, &result))
        return result;
    char key[512];
    /* A name too long for the key is answered without the cache, never cut
     * (two names cut alike would share an answer). */
    bool cacheable = snprintf(key, sizeof key, "%lld/%s", (long long)id, call->params[1]) < (int)sizeof key;
    GBytes *answer = cacheable ? cached_view(call->worker, key) : NULL;
    if (answer) {
        g_bytes_ref(answer);
    } else {
        struct error err;
        /* query_show fails for a category the application does not have; an
         * existing application always has its header, so that is the one
         * failure to expect here. */
        json_t *show = query_show(call->store, id, call->params[1], false, &err);
        if (!show)
            return reply_not_found(call, "no such category");
        if (!(answer = json_bytes(show)))
            return reply_internal(call, "category", NULL);
        if (cacheable)
            keep_view(call->worker, key, answer);
    }
    return reply_recorded_text(call, answer, "view_category", call->params[0], call->params[1]);
}

static enum MHD_Result h_distribution(struct call *call)
{
    static const char *const names[] = {"department", "course", "subject", "category", "domain",
                                        "year", "semester", NULL};
    const char *v[QUERY_VALUES_MAX] = {0};
    enum MHD_Result result;
    if (!query_values(call, names, v, &result))
        return result;
    const char *department = requested_department(call, v[0], &result);
    if (!department)
        return result;
    int keys = !!v[1] + !!v[2] + !!v[3] + !!v[4];
    if (keys != 1)
        return reply_error(call, MHD_HTTP_BAD_REQUEST,
                           "give one of course, subject, category or domain");
    struct distribution_request request = {
        .department = department,
        .key = v[1] ? DIST_COURSE : v[2] ? DIST_SUBJECT : v[3] ? DIST_CATEGORY : DIST_DOMAIN,
        .value = v[1] ? v[1] : v[2] ? v[2] : v[3] ? v[3] : v[4],
    };
    if (v[5] || v[6]) {
        if (!v[1] || !parse_int(v[5], 1, 9999, &request.year) ||
            !parse_int(v[6], 1, 2, &request.semester))
            return reply_error(call, MHD_HTTP_BAD_REQUEST,
                               "year and semester (1 or 2) go together, with course");
    }
    struct error err;
    json_t *dist = query_distribution(call->store, &request, &err);
    if (!dist)
        return reply_internal(call, "distribution", &err);
    static const char *const key_names[] = {"course", "subject", "category", "domain"};
    char detail[AUDIT_FIELD_MAX];
    snprintf(detail, sizeof detail, "department=%s %s=%s", department, key_names[request.key],
             request.value);
    return reply_recorded(call, dist, "distribution", NULL, detail);
}

static enum MHD_Result h_requirements(struct call *call)
{
    const char *department = call->params[0];
    if (!auth_valid_code(department) || !auth_sees_department(call->session, department))
        return reply_not_found(call, "no such department");
    struct error err = {0};
    json_t *list = requirements_latest(call->store, department, &err);
    if (!list && err.message[0])
        return reply_internal(call, "requirements", &err);
    if (!list)
        return reply_not_found(call, "no requirement list loaded for this department");
    return reply_json(call, MHD_HTTP_OK, list);
}

static enum MHD_Result h_file(struct call *call)
{
    struct auth_file file;
    bool found;
    struct error err;
    if (auth_find_file(call->store, call->session, call->params[0], &file, &found, &err) != 0)
        return reply_internal(call, "file", &err);
    if (!found)
        return reply_not_found(call, "no such file");
    char path[4096 + 200];
    store_file_path(call->store, call->params[0], file.media_type, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        log_error("%s: missing from the file store", path);
        return reply_error(call, MHD_HTTP_INTERNAL_SERVER_ERROR, "the file is missing from the store");
    }
    if (record(call, "file", file.application, call->params[0]) != 0) {
        close(fd);
        return reply_internal(call, "audit", NULL);
    }
    char fallback[32], disposition[1024];
    const char *extension = store_extension_for(file.media_type);
    snprintf(fallback, sizeof fallback, "attachment.%s", extension ? extension : "bin");
    content_disposition(file.name, fallback, disposition, sizeof disposition);
    return reply_file(call, fd, st.st_size, file.media_type, disposition);
}

static enum MHD_Result h_packet(struct call *call)
{
    sqlite3_int64 id;
    enum MHD_Result result;
    if (call->request->render == RENDER_DONE)
        return finish_render(call);
    if (!application_of(call, &id, &result))
        return result;
    /* What the packet is drawn from: the application as query_show gives it
     * (pool percentiles included) and the department's requirement list. */
    struct error err = {0};
    json_t *show = query_show(call->store, id, NULL, false, &err);
    if (!show)
        return reply_internal(call, "packet", &err);
    err.message[0] = '\0';
    json_t *list = requirements_latest(call->store, call->params[0], &err);
    json_t *content = json_pack("{s:s, s:o, s:o}", "document", "packet-1", "application", show,
                                "requirements", list ? list : json_null());
    char *text = json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(content);
    if (!text)
        return reply_internal(call, "packet", NULL);
    char download[96];
    snprintf(download, sizeof download, "packet-%s.pdf", call->params[0]);
    result = serve_pdf(call, "packet", text, RENDER_PACKET, id, NULL, "packet_pdf",
                       call->params[0], NULL, download);
    free(text);
    return result;
}

static enum MHD_Result h_compare(struct call *call)
{
    if (call->request->render == RENDER_DONE)
        return finish_render(call);
    static const char *const names[] = {"department", NULL};
    const char *v[QUERY_VALUES_MAX] = {0};
    enum MHD_Result result;
    if (!query_values(call, names, v, &result))
        return result;
    const char *department = requested_department(call, v[0], &result);
    if (!department)
        return result;
    struct compare_request request = {.department = department};
    struct error err;
    json_t *table = compare_table(call->store, &request, &err);
    if (!table)
        return reply_internal(call, "compare", &err);
    json_t *content = json_pack("{s:s, s:o}", "document", "compare-1", "table", table);
    char *text = json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(content);
    if (!text)
        return reply_internal(call, "compare", NULL);
    char download[96], detail[64];
    snprintf(download, sizeof download, "compare-%s.pdf", department);
    snprintf(detail, sizeof detail, "department=%s", department);
    result = serve_pdf(call, "compare", text, RENDER_COMPARE, 0, department, "compare_pdf", NULL,
                       detail, download);
    free(text);
    return result;
}

/* ---- handlers: administration ------------------------------------------------- */

static enum MHD_Result h_users(struct call *call)
{
    struct error err;
    json_t *list = auth_user_list(call->store, &err);
    return list ? reply_json(call, MHD_HTTP_OK, list) : reply_internal(call, "users", &err);
}

static enum MHD_Result h_user_add(struct call *call)
{
    enum MHD_Result result;
    json_t *body = json_body(call, &result);
    if (!body)
        return result;
    const char *name = json_string_value(json_object_get(body, "user"));
    const char *password = json_string_value(json_object_get(body, "password"));
    int role = auth_role_parse(json_string_value(json_object_get(body, "role")));
    json_t *departments = json_object_get(body, "departments");
    const char *codes[AUTH_MAX_DEPARTMENTS];
    size_t count = 0;
    bool ok = name && password && role >= 0 && (!departments || json_is_array(departments)) &&
              json_array_size(departments) <= AUTH_MAX_DEPARTMENTS;
    size_t i;
    json_t *code;
    json_array_foreach(departments, i, code) {
        if (!ok || !json_is_string(code))
            ok = false;
        else
            codes[count++] = json_string_value(code);
    }
    if (!ok) {
        json_decref(body);
        return reply_error(call, MHD_HTTP_BAD_REQUEST, "give user, password, role "
                           "(reviewer, office or admin), departments [codes] or university");
    }
    struct auth_account account = {
        .name = name, .role = (enum auth_role)role,
        .university = json_string_value(json_object_get(body, "university")),
        .departments = codes, .department_count = count, .password = password,
    };
    struct error err;
    if (auth_user_add(call->store, &account, &err) != 0) {
        json_decref(body);
        return reply_error(call, MHD_HTTP_BAD_REQUEST, err.message);
    }
    char detail[96];
    snprintf(detail, sizeof detail, "%s %s", name, auth_role_name(account.role));
    json_decref(body);
    record(call, "user_add", NULL, detail);
    return reply_json(call, MHD_HTTP_CREATED, json_pack("{s:b}", "ok", 1));
}

static enum MHD_Result h_user_remove(struct call *call)
{
    const char *name = call->params[0];
    bool found = false;
    struct error err;
    if (!auth_valid_user_name(name))
        return reply_not_found(call, "no such user");
    if (auth_user_remove(call->store, name, &found, &err) != 0)
        return reply_internal(call, "remove user", &err);
    if (!found)
        return reply_not_found(call, "no such user");
    record(call, "user_remove", NULL, name);
    return reply_json(call, MHD_HTTP_OK, json_pack("{s:b}", "ok", 1));
}

static enum MHD_Result h_audit(struct call *call)
{
    static const char *const names[] = {"user", "application", "since", "limit", NULL};
    const char *v[QUERY_VALUES_MAX] = {0};
    enum MHD_Result result;
    if (!query_values(call, names, v, &result))
        return result;
    int limit = 1000;
    if (v[3] && !parse_int(v[3], 1, 100000, &limit))
        return reply_error(call, MHD_HTTP_BAD_REQUEST, "limit is 1 to 100000");
    struct audit_filter filter = {v[0], v[1], v[2], limit};
    struct error err;
    /* The log whole: rows still in the journal first, then a fresh snapshot. */
    end_reads(call);
    if (audit_writer_flush(call->server->audit, &err) != 0)
        return reply_internal(call, "audit", &err);
    begin_reads(call);
    json_t *list = audit_list(call->store, &filter, &err);
    if (!list)
        return reply_error(call, MHD_HTTP_BAD_REQUEST, err.message);
    return reply_json(call, MHD_HTTP_OK, list);
}

/* ---- handlers: the browser UI ---------------------------------------------------- */

static enum MHD_Result h_static(struct call *call)
{
    const char *path = strcmp(call->request->path, "/") == 0 ? "/index.html" : call->request->path;
    for (size_t i = 0; i < server_asset_count; i++) {
        if (strcmp(server_assets[i].path, path) != 0)
            continue;
        struct MHD_Response *response = MHD_create_response_from_buffer(
            server_assets[i].size, (void *)server_assets[i].data, MHD_RESPMEM_PERSISTENT);
        if (!response)
            return MHD_NO;
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, server_assets[i].content_type);
        MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
        /* Application text is inserted as text by app.js; the policy is the
         * second line: no inline script, nothing from elsewhere. */
        MHD_add_response_header(response, "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; frame-src 'self'; media-src 'self'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'");
        return send_response(call, MHD_HTTP_OK, response);
    }
    return reply_not_found(call, "not found");
}

/* ---- the routing table --------------------------------------------------------- */

static const struct route routes[] = {
    {"GET", "/", h_static, ROUTE_PUBLIC},
    {"GET", "/index.html", h_static, ROUTE_PUBLIC},
    {"GET", "/app.js", h_static, ROUTE_PUBLIC},
    {"GET", "/style.css", h_static, ROUTE_PUBLIC},
    {"POST", "/api/login", h_login, ROUTE_PUBLIC},
    {"POST", "/api/logout", h_logout, ROUTE_CSRF},
    {"GET", "/api/session", h_session, 0},
    {"GET", "/api/departments", h_departments, 0},
    {"GET", "/api/applicants", h_applicants, 0},
    {"GET", "/api/applicants/{id}", h_applicant, 0},
    {"GET", "/api/applicants/{id}/categories", h_categories, 0},
    {"GET", "/api/applicants/{id}/categories/{name}", h_category, 0},
    {"GET", "/api/applicants/{id}/packet.pdf", h_packet, 0},
    {"GET", "/api/distributions", h_distribution, 0},
    {"GET", "/api/requirements/{department}", h_requirements, 0},
    {"GET", "/api/files/{sha256}", h_file, 0},
    {"GET", "/api/compare.pdf", h_compare, 0},
    {"GET", "/api/users", h_users, ROUTE_ADMIN},
    {"POST", "/api/users", h_user_add, ROUTE_ADMIN | ROUTE_CSRF},
    {"DELETE", "/api/users/{name}", h_user_remove, ROUTE_ADMIN | ROUTE_CSRF},
    {"GET", "/api/audit", h_audit, ROUTE_ADMIN},
};

struct segments {
    size_t count;
    const char *start[SEGMENTS_MAX + 1];
    size_t length[SEGMENTS_MAX + 1];
};

/* Splits "/a/b/c" into segments; false when there are too many. */
static bool split_path(const char *path, struct segments *out)
{
    out->count = 0;
    if (strcmp(path, "/") == 0)
        return true;
    const char *p = path + 1;
    for (;;) {
        if (out->count == SEGMENTS_MAX + 1)
            return false;
        const char *slash = strchr(p, '/');
        size_t length = slash ? (size_t)(slash - p) : strlen(p);
        out->start[out->count] = p;
        out->length[out->count++] = length;
        if (!slash)
            return out->count <= SEGMENTS_MAX;
        p = slash + 1;
    }
}

/* Does the raw path fit the pattern?  Placeholders match any non-empty
 * segment; their indexes go to captured[]. */
static bool route_matches(const struct route *route, const struct segments *path,
                          size_t *captured, size_t *capture_count)
{
    struct segments pattern;
    split_path(route->pattern, &pattern);
    if (pattern.count != path->count)
        return false;
    *capture_count = 0;
    for (size_t i = 0; i < pattern.count; i++) {
        if (pattern.length[i] > 0 && pattern.start[i][0] == '{') {
            if (path->length[i] == 0)
                return false;
            captured[(*capture_count)++] = i;
        } else if (pattern.length[i] != path->length[i] ||
                   memcmp(pattern.start[i], path->start[i], path->length[i]) != 0) {
            return false;
        }
    }
    return true;
}

static void remote_address(struct MHD_Connection *connection, char *out, size_t size)
{
    snprintf(out, size, "?");
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr)
        return;
    const struct sockaddr *address = info->client_addr;
    if (address->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)address)->sin_addr, out, (socklen_t)size);
    else if (address->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)address)->sin6_addr, out, (socklen_t)size);
}

static enum MHD_Result route_call(struct call *call, const char *method);

static enum MHD_Result dispatch(struct server *server, struct MHD_Connection *connection,
                                struct request *request, const char *method)
{
    struct call call = {.server = server, .connection = connection, .request = request};
    remote_address(connection, call.remote, sizeof call.remote);
    struct error err;
    if ((call.worker = current_worker(server, &err)) != NULL)
        call.store = call.worker->store;
    if (!call.store)
        return reply_internal(&call, "database", &err);
    bool read_only = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (read_only)
        begin_reads(&call);
    enum MHD_Result result = route_call(&call, method);
    end_reads(&call);
    return result;
}

/* Finds the route, checks the session, CSRF and parameters, runs the handler. */
static enum MHD_Result route_call(struct call *call, const char *method)
{

    struct MHD_Connection *connection = call->connection;
    struct request *request = call->request;
    struct error err;
    const char *path = request->path;
    if (path[0] != '/')
        return reply_error(call, MHD_HTTP_BAD_REQUEST, "bad request path");
    /* HEAD is GET without the body; MHD leaves the body out. */
    const char *wanted = strcmp(method, "HEAD") == 0 ? "GET" : method;
    struct segments segments;
    bool splittable = split_path(path, &segments);
    const struct route *route = NULL;
    bool path_known = false;
    size_t captured[SEGMENTS_MAX], capture_count = 0;
    for (size_t i = 0; splittable && i < sizeof routes / sizeof routes[0]; i++) {
        size_t c[SEGMENTS_MAX], n;
        if (!route_matches(&routes[i], &segments, c, &n))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, wanted) == 0) {
            route = &routes[i];
            memcpy(captured, c, sizeof c);
            capture_count = n;
            break;
        }
    }
    bool api = strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0;
    struct auth_session session;
    const char *token = MHD_lookup_connection_value(connection, MHD_COOKIE_KIND, COOKIE_NAME);
    bool has_session = false;
    if (api && !(route && (route->flags & ROUTE_PUBLIC))) {
        /* Before anything about the path is told: unknown /api/ paths too. */
        if (auth_session_lookup(call->store, token, &session, &has_session, &err) != 0)
            return reply_internal(call, "session", &err);
        if (!has_session)
            return reply_error(call, MHD_HTTP_UNAUTHORIZED, "not logged in");
        call->session = &session;
        call->token = token;
    }
    if (!path_known)
        return reply_not_found(call, "not found");
    if (!route) {
        struct MHD_Response *response = json_response(json_pack("{s:s}", "error", "method not allowed"));
        if (response) {
            char allow[64] = "";
            for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
                size_t c[SEGMENTS_MAX], n;
                if (route_matches(&routes[i], &segments, c, &n))
                    snprintf(allow + strlen(allow), sizeof allow - strlen(allow), "%s%s",
                             allow[0] ? ", " : "", routes[i].method);
            }
            MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow);
        }
        return send_response(call, MHD_HTTP_METHOD_NOT_ALLOWED, response);
    }
    if ((route->flags & ROUTE_ADMIN) && session.role != AUTH_ADMIN)
        return reply_error(call, MHD_HTTP_FORBIDDEN, "administrators only");
    if (route->flags & ROUTE_CSRF) {
        const char *csrf = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, CSRF_HEADER);
        if (!auth_csrf_ok(&session, csrf))
            return reply_error(call, MHD_HTTP_FORBIDDEN, "missing or wrong " CSRF_HEADER " header");
    }
    char decoded[SEGMENTS_MAX][PARAM_CAP + 1];
    for (size_t i = 0; i < capture_count; i++) {
        size_t s = captured[i];
        if (!decode_segment(segments.start[s], segments.length[s], decoded[i], sizeof decoded[i]))
            return reply_error(call, MHD_HTTP_BAD_REQUEST, "bad path parameter");
        call->params[i] = decoded[i];
    }
    return route->handler(call);
}

/* ---- MHD callbacks ------------------------------------------------------------------ */

/* Called with the raw request target before MHD decodes it: the path is
 * kept raw so that an escaped '/' stays inside its segment. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *connection)
{
    const struct server *server = cls;
    (void)connection;
    struct request *request = calloc(1, sizeof *request);
    if (!request)
        return NULL;
    if (server->options.timing)
        request->received_at = timestamp_monotonic();
    size_t length = strcspn(uri, "?#");
    if (length > PATH_CAP)
        request->path_too_long = true;
    else
        memcpy(request->path, uri, length);
    return request;
}

static void record_timing(struct server *server, double seconds)
{
    unsigned long us = seconds > 0 ? (unsigned long)(seconds * 1e6) : 0;
    unsigned long step = us / TIMING_STEP_US;
    atomic_fetch_add(&server->timing[step < TIMING_STEPS ? step : TIMING_STEPS - 1], 1);
    unsigned long longest = atomic_load(&server->timing_longest_us);
    while (us > longest && !atomic_compare_exchange_weak(&server->timing_longest_us, &longest, us))
        ;
}

/* "N requests; in the server p50 … p99 … p99.9 … max …" on stderr. */
static void print_timing(struct server *server)
{
    unsigned long total = 0;
    for (size_t i = 0; i < TIMING_STEPS; i++)
        total += atomic_load(&server->timing[i]);
    if (total == 0)
        return;
    const double quantiles[] = {0.5, 0.99, 0.999};
    double at[3] = {0};
    unsigned long seen = 0;
    size_t q = 0;
    for (size_t i = 0; i < TIMING_STEPS && q < 3; i++) {
        seen += atomic_load(&server->timing[i]);
        while (q < 3 && seen >= quantiles[q] * (double)total)
            at[q++] = (double)((i + 1) * TIMING_STEP_US) / 1000;   /* the step's upper end */
    }
    fprintf(stderr, "beishen serve: %lu requests; time in the server (request line read to reply "
            "sent): p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n", total, at[0], at[1],
            at[2], (double)atomic_load(&server->timing_longest_us) / 1000);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **context,
                         enum MHD_RequestTerminationCode code)
{
    struct server *server = cls;
    (void)connection;
    (void)code;
    struct request *request = *context;
    if (request) {
        if (server->options.timing)
            record_timing(server, timestamp_monotonic() - request->received_at);
        free(request->body);
        free(request);
        *context = NULL;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size, void **context)
{
    (void)url;
    (void)version;
    struct server *server = cls;
    struct request *request = *context;
    if (!request)
        return MHD_NO;   /* out of memory in on_uri */
    struct call call = {.server = server, .connection = connection, .request = request};
    if (!request->started) {
        request->started = true;
        if (request->path_too_long) {
            remote_address(connection, call.remote, sizeof call.remote);
            return reply_error(&call, MHD_HTTP_URI_TOO_LONG, "request path too long");
        }
        /* Refused before a byte of an oversized body is read. */
        const char *length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length && strtoull(length, NULL, 10) > server->options.body_limit)
            return reply_error(&call, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        /* Chunked bodies have no length up front: keep up to the cap and
         * drop the rest, answering 413 at the end. */
        size_t size = *upload_data_size;
        *upload_data_size = 0;
        if (request->body_too_large || request->body_length + size > server->options.body_limit) {
            request->body_too_large = true;
            return MHD_YES;
        }
        char *grown = realloc(request->body, request->body_length + size + 1);
        if (!grown)
            return MHD_NO;
        memcpy(grown + request->body_length, upload_data, size);
        request->body = grown;
        request->body_length += size;
        request->body[request->body_length] = '\0';
        return MHD_YES;
    }
    if (request->body_too_large)
        return reply_error(&call, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
    return dispatch(server, connection, request, method);
}

/* ---- maintenance ---------------------------------------------------------------------- */

static void *maintenance_main(void *argument)
{
    /* Checkpoints run here, PASSIVE, on their own connection: they neither
     * block readers nor writers, and no request waits for one (the audit
     * writer's connection has automatic checkpoints turned off). */
    struct server *server = argument;
    struct store *store = NULL;
    struct error err;
    if (store_open(server->db_path, &store, &err) != 0) {
        log_error("maintenance: %s", err.message);
        return NULL;
    }
    double next_purge = 0;
    pthread_mutex_lock(&server->stop_lock);
    while (!server->stopping) {
        pthread_mutex_unlock(&server->stop_lock);
        if (timestamp_monotonic() >= next_purge) {
            if (auth_purge(store, &server->policy, &err) != 0)
                log_error("purge: %s", err.message);
            next_purge = timestamp_monotonic() + PURGE_SECONDS;
        }
        store_exec(store, "PRAGMA wal_checkpoint(PASSIVE);", NULL);
        pthread_mutex_lock(&server->stop_lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += CHECKPOINT_SECONDS;
        while (!server->stopping &&
               pthread_cond_timedwait(&server->stop_cond, &server->stop_lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&server->stop_lock);
    store_close(store);
    return NULL;
}

/* ---- start and stop -------------------------------------------------------------------- */

void server_default_options(struct server_options *options)
{
    *options = (struct server_options){
        .listen = "127.0.0.1:8080",
        .threads = 0,
        .connection_limit = 256,
        .connection_timeout = 30,
        .body_limit = 16 * 1024,
        .connection_memory = 32 * 1024,
        .session_seconds = 8 * 3600,
        .render_timeout = 300,
        .cache_bytes = (size_t)512 * 1024 * 1024,
    };
}

const char *server_url(const struct server *server) { return server->url; }

struct listen_address {
    struct sockaddr_storage address;
    bool ipv6;
    bool loopback;
    char host[64];
    unsigned port;
};

static int parse_listen(const char *text, struct listen_address *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    const char *colon = strrchr(text, ':');
    if (!colon)
        return error_set(err, ERROR_INTERNAL, "--listen: '%s' is not HOST:PORT", text);
    size_t host_length = (size_t)(colon - text);
    char host[64];
    if (host_length == 0 || host_length >= sizeof host)
        return error_set(err, ERROR_INTERNAL, "--listen: '%s' is not HOST:PORT", text);
    memcpy(host, text, host_length);
    host[host_length] = '\0';
    int port;
    if (!parse_int(colon + 1, 0, 65535, &port))
        return error_set(err, ERROR_INTERNAL, "--listen: bad port in '%s'", text);
    out->port = (unsigned)port;
    if (host[0] == '[' && host[host_length - 1] == ']') {
        host[host_length - 1] = '\0';
        memmove(host, host + 1, host_length - 1);
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out->address;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return error_set(err, ERROR_INTERNAL, "--listen: bad IPv6 address '%s'", host);
        out->ipv6 = true;
        out->loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
        snprintf(out->host, sizeof out->host, "[%s]", host);
        return 0;
    }
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    struct sockaddr_in *a = (struct sockaddr_in *)&out->address;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
        return error_set(err, ERROR_INTERNAL, "--listen: bad IPv4 address '%s'", host);
    out->loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    snprintf(out->host, sizeof out->host, "%s", host);
    return 0;
}

/* Empties and removes the cache directory.  It is private (mkdtemp, 0700):
 * everything in it is ours, including a killed render's temporary file. */
static void remove_cache(struct server *server)
{
    if (!server->cache_dir[0])
        return;
    DIR *dir = opendir(server->cache_dir);
    struct dirent *entry;
    while (dir && (entry = readdir(dir))) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        char path[sizeof server->cache_dir + 256];
        snprintf(path, sizeof path, "%s/%s", server->cache_dir, entry->d_name);
        unlink(path);
    }
    if (dir)
        closedir(dir);
    if (rmdir(server->cache_dir) != 0 && errno != ENOENT)
        log_error("%s: not removed: %s", server->cache_dir, strerror(errno));
}

static void stop_helper(struct server *server)
{
    if (server->helper > 0) {
        kill(server->helper, SIGKILL);
        while (waitpid(server->helper, NULL, 0) < 0 && errno == EINTR)
            ;
        server->helper = 0;
    }
    if (server->dispatcher_started) {
        /* The helper is gone: the dispatcher reads EOF, fails what was
         * pending and resumes those connections. */
        shutdown(server->helper_socket, SHUT_RDWR);
        pthread_join(server->dispatcher, NULL);
        server->dispatcher_started = false;
    }
    if (server->helper_socket >= 0) {
        close(server->helper_socket);
        server->helper_socket = -1;
    }
}

void server_stop(struct server *server)
{
    if (!server)
        return;
    /* No new connections; the listening socket is ours to close, but only
     * once the daemon's threads are gone. */
    MHD_socket listening = server->daemon ? MHD_quiesce_daemon(server->daemon) : MHD_INVALID_SOCKET;
    stop_helper(server);
    if (server->maintenance_started) {
        pthread_mutex_lock(&server->stop_lock);
        server->stopping = true;
        pthread_cond_signal(&server->stop_cond);
        pthread_mutex_unlock(&server->stop_lock);
        pthread_join(server->maintenance, NULL);
    }
    if (server->daemon)
        MHD_stop_daemon(server->daemon);
    if (server->options.timing)
        print_timing(server);   /* every request has completed now */
    if (listening != MHD_INVALID_SOCKET)
        close(listening);
    audit_writer_stop(server->audit);   /* after the workers: their rows are in */
    /* The worker threads are gone: their state can be freed here. */
    for (size_t i = 0; i < server->worker_count; i++)
        worker_free(server->workers[i]);
    free(server->workers);
    remove_cache(server);
    free(server->cache);
    pthread_mutex_destroy(&server->lock);
    pthread_mutex_destroy(&server->stop_lock);
    pthread_cond_destroy(&server->stop_cond);
    free(server);
}

static unsigned cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

int server_start(const struct server_options *options, struct server **out, struct error *err)
{
    struct listen_address listen;
    if (!options->db_path)
        return error_set(err, ERROR_INTERNAL, "no database given");
    if (parse_listen(options->listen, &listen, err) != 0)
        return -1;
    if (!listen.loopback && !options->allow_remote)
        return error_set(err, ERROR_INTERNAL, "--listen %s is not a loopback address; the server has no TLS "
                         "(put it behind a TLS proxy and pass --allow-remote)", options->listen);
    if (access(options->db_path, F_OK) != 0)
        return error_set(err, ERROR_INTERNAL, "%s: no such database (run beishen ingest first)", options->db_path);
    if (auth_init(err) != 0)
        return -1;
    struct server *server = calloc(1, sizeof *server);
    if (!server)
        return error_set(err, ERROR_INTERNAL, "out of memory");
    server->options = *options;
    server->helper_socket = -1;
    snprintf(server->db_path, sizeof server->db_path, "%s", options->db_path);
    auth_default_policy(&server->policy);
    server->policy.session_seconds = options->session_seconds;
    pthread_mutex_init(&server->lock, NULL);
    pthread_mutex_init(&server->stop_lock, NULL);
    pthread_cond_init(&server->stop_cond, NULL);

    /* The render helper first, while this process still has one thread. */
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
        error_set(err, ERROR_INTERNAL, "socketpair: %s", strerror(errno));
        server_stop(server);
        return -1;
    }
    fflush(NULL);
    pid_t helper = fork();
    if (helper < 0) {
        error_set(err, ERROR_INTERNAL, "fork: %s", strerror(errno));
        close(pair[0]);
        close(pair[1]);
        server_stop(server);
        return -1;
    }
    if (helper == 0) {
        close(pair[0]);
        helper_main(pair[1], options->db_path, options->render_timeout);
        _exit(0);
    }
    close(pair[1]);
    server->helper = helper;
    server->helper_socket = pair[0];

    /* Migrate (schema 003 adds the accounts) before any worker opens it. */
    struct store *store;
    if (store_open(server->db_path, &store, err) != 0) {
        server_stop(server);
        return -1;
    }
    /* query_applicants fills static SQL buffers on its first call; make
     * that call here, before there are threads to race on them. */
    struct applicant_filter warm = {.department = ""};
    json_decref(query_applicants(store, &warm, err));
    store_close(store);
    if (audit_writer_start(server->db_path, &server->audit, err) != 0) {
        server_stop(server);
        return -1;
    }

    const char *tmp = getenv("TMPDIR");
    snprintf(server->cache_dir, sizeof server->cache_dir, "%s/beishen-pdf.XXXXXX",
             tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(server->cache_dir)) {
        error_set(err, ERROR_INTERNAL, "%s: %s", server->cache_dir, strerror(errno));
        server->cache_dir[0] = '\0';
        server_stop(server);
        return -1;
    }
    if (pthread_create(&server->dispatcher, NULL, dispatcher_main, server) != 0) {
        error_set(err, ERROR_INTERNAL, "cannot start a thread");
        server_stop(server);
        return -1;
    }
    server->dispatcher_started = true;
    if (pthread_create(&server->maintenance, NULL, maintenance_main, server) != 0) {
        error_set(err, ERROR_INTERNAL, "cannot start a thread");
        server_stop(server);
        return -1;
    }
    server->maintenance_started = true;

    /* One thread per core.  More threads than cores only take turns on
     * them, and a request whose thread loses its core mid-way waits for the
     * others' whole time slices (in the bench, on 2 cores: 99th percentile
     * of time in the server 2.2 ms with 4 threads, 0.4-0.9 ms with 2).  At
     * least 2, so that a login (Argon2id, about 0.1 s) holds up only part
     * of the connections. */
    unsigned threads = options->threads ? options->threads : cpu_count();
    if (!options->threads && threads < 2)
        threads = 2;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG | (listen.ipv6 ? MHD_USE_IPv6 : 0);
    server->daemon = MHD_start_daemon(flags, (uint16_t)listen.port, NULL, NULL, on_request, server,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&listen.address,
        MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 0,   /* 1: no pool, one thread */
        MHD_OPTION_CONNECTION_LIMIT, options->connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, options->connection_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, options->connection_memory,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, server,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, server,
        MHD_OPTION_END);
    if (!server->daemon) {
        error_set(err, ERROR_INTERNAL, "cannot listen on %s (in use?)", options->listen);
        server_stop(server);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : listen.port;
    snprintf(server->url, sizeof server->url, "http://%s:%u/", listen.host, port);
    *out = server;
    return 0;
}
