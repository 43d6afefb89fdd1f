/* server — the workstation's HTTP server: starting and stopping it, the
 * libmicrohttpd callbacks a request passes through, and the maintenance
 * thread (purges, WAL checkpoints).  guard.c watches every connection.
 *
 * A request goes: URI callback (keeps the raw path, so that an encoded '/'
 * in a category name stays inside its segment) -> access handler (body
 * collected under a cap) -> dispatch: the worker thread's store (worker.c)
 * and a GET's read transaction -> routes.c (route, session, CSRF,
 * parameters) -> the route's handler (handlers.c), which answers with
 * query.c's JSON after writing the audit row (audit.c); PDFs go through
 * pdf_jobs.c. */
#include "server/server.h"
#include "core/files.h"
#include "core/text.h"
#include "core/timestamp.h"
#include "query/query.h"
#include "server/audit.h"
#include "server/auth.h"
#include "server/guard.h"
#include "server/http.h"
#include "server/pdf_jobs.h"
#include "server/routes.h"
#include "server/worker.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <sodium.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHECKPOINT_SECONDS 2       /* the WAL is copied back this often, off the request path */
#define PURGE_SECONDS 60           /* expired sessions and old failed logins go this often */
#define WAL_TRUNCATE_BYTES ((off_t)4 << 20)   /* a larger WAL is truncated after its checkpoint */
#define WAL_TRUNCATE_WAIT_MS 50    /* the longest a truncation holds writers up waiting for readers */

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
    char wal_path[4100];          /* <db>-wal */
    char url[128];
    struct auth_policy policy;
    struct http_shared shared;    /* the audit writer, the policy, the PDF jobs */
    struct MHD_Daemon *daemon;
    struct worker_pool *workers;  /* every worker thread's store and views */
    /* maintenance: purging sessions, checkpointing the WAL */
    pthread_t maintenance;
    bool maintenance_started;
    pthread_mutex_t stop_lock;
    pthread_cond_t stop_cond;
    bool stopping;
    /* TLS: the PEM texts, which the daemon reads; zeroed and freed at stop */
    char *tls_cert;
    size_t tls_cert_length;
    char *tls_key;
    size_t tls_key_length;
    /* libmicrohttpd's first message, for a start that fails */
    pthread_mutex_t log_lock;
    char first_log[512];
};

/* ---- MHD callbacks ------------------------------------------------------------------ */

/* libmicrohttpd's own messages (a refused TLS key, a port in use, a client
 * that spoke plain HTTP to the TLS port).  The first one, the cause where
 * several follow, is kept for server_start's error.  A hostile client can
 * cause one per connection ("Connection socket is closed when reading
 * request ..."), and 300 of them a second must not fill a disk with a log:
 * at most MHD_LOG_PER_MINUTE are written a minute, and how many were left
 * out goes with the next one written. */
#define MHD_LOG_PER_MINUTE 20

static void log_mhd(void *cls, const char *format, va_list args)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static long long minute;
    static unsigned long written, dropped;
    struct server *server = cls;
    char message[512];
    vsnprintf(message, sizeof message, format, args);
    message[strcspn(message, "\r\n")] = '\0';
    pthread_mutex_lock(&server->log_lock);
    if (!server->first_log[0])
        snprintf(server->first_log, sizeof server->first_log, "%s", message);
    pthread_mutex_unlock(&server->log_lock);
    long long now = (long long)(timestamp_monotonic() / 60);
    pthread_mutex_lock(&lock);
    if (now != minute) {
        minute = now;
        written = 0;
    }
    bool write = written < MHD_LOG_PER_MINUTE;
    unsigned long left_out = write ? dropped : 0;
    if (write) {
        written++;
        dropped = 0;
    } else {
        dropped++;
    }
    pthread_mutex_unlock(&lock);
    if (write && left_out)
        http_log_error("libmicrohttpd: %s (and %lu messages left out before it)", message, left_out);
    else if (write)
        http_log_error("libmicrohttpd: %s", message);
}

/* Runs a request whose body is complete: the thread's store, a GET's
 * read transaction, then the route. */
static enum MHD_Result dispatch(struct server *server, struct MHD_Connection *connection,
                                struct http_request *request, const char *method)
{
    struct http_call call = {.shared = &server->shared, .connection = connection, .request = request};
    http_remote_address(&call);
    struct error err;
    if ((call.worker = worker_current(server->workers, &err)) != NULL)
        call.store = worker_store(call.worker);
    if (!call.store)
        return http_reply_internal(&call, "database", &err);
    bool read_only = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (read_only)
        http_begin_reads(&call);
    enum MHD_Result result = routes_dispatch(&call, method);
    http_end_reads(&call);
    return result;
}


/* Called with the raw request target before MHD decodes it: the path is
 * kept raw so that an escaped '/' stays inside its segment. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *connection)
{
    const struct server *server = cls;
    (void)connection;
    struct http_request *request = calloc(1, sizeof *request);
    if (!request)
        return NULL;
    if (server->options.timing)
        request->received_at = timestamp_monotonic();
    http_request_set_path(request, uri);
    size_t length = strcspn(uri, "?#");
    if (uri[length] == '?') {
        const char *query = uri + length + 1;
        size_t parameters = 1;
        for (const char *p = query; *p && parameters <= HTTP_QUERY_PARAMS_MAX; p++)
            parameters += *p == '&';
        if (parameters > HTTP_QUERY_PARAMS_MAX || strlen(query) > HTTP_QUERY_CAP) {
            /* libmicrohttpd (0.9.75) splits the query into parameters right
             * after this callback, each a record in the connection's memory
             * pool: ~480 parameters fill the 32 KiB pool and the request
             * then gets no answer at all (not even MHD's own 431, which
             * needs the pool too).  The query is ended here, in MHD's read
             * buffer (writable; MHD cuts it up itself while parsing), so
             * nothing is parsed, and the access handler answers 414. */
            ((char *)query)[0] = '\0';
            request->query_too_long = true;
        }
    }
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
    (void)code;
    guard_request_done(connection);   /* the next request's deadline starts */
    struct http_request *request = *context;
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
    struct http_request *request = *context;
    if (!request)
        return MHD_NO;   /* out of memory in on_uri */
    struct http_call call = {.shared = &server->shared, .connection = connection, .request = request};
    if (!request->started) {
        request->started = true;
        if (request->path_too_long || request->query_too_long) {
            guard_request_received(connection);
            http_remote_address(&call);
            return http_reply_error(&call, MHD_HTTP_URI_TOO_LONG, request->path_too_long
                                    ? "request path too long" : "too many query parameters");
        }
        /* Refused before a byte of an oversized body is read. */
        const char *length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length && strtoull(length, NULL, 10) > server->options.body_limit) {
            guard_request_received(connection);
            return http_reply_error(&call, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
        }
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
    /* The whole request is in: the deadline for sending it is met. */
    guard_request_received(connection);
    if (request->body_too_large)
        return http_reply_error(&call, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
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
        http_log_error("maintenance: %s", err.message);
        return NULL;
    }
    double next_purge = 0;
    pthread_mutex_lock(&server->stop_lock);
    while (!server->stopping) {
        pthread_mutex_unlock(&server->stop_lock);
        if (timestamp_monotonic() >= next_purge) {
            if (auth_purge(store, &server->policy, &err) != 0)
                http_log_error("purge: %s", err.message);
            next_purge = timestamp_monotonic() + PURGE_SECONDS;
        }
        store_exec(store, "PRAGMA wal_checkpoint(PASSIVE);", NULL);
        /* A passive checkpoint never shrinks the WAL: after a burst (a
         * flood of audit rows once wrote 80 MB of it) it would stay that
         * large for good.  Truncated when it has grown; busy readers just
         * put it off to the next round. */
        struct stat wal;
        if (stat(server->wal_path, &wal) == 0 && wal.st_size > WAL_TRUNCATE_BYTES &&
            store_wal_truncate(store, WAL_TRUNCATE_WAIT_MS, &err) != 0 && err.kind != ERROR_BUSY)
            http_log_error("checkpoint: %s", err.message);
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


static void forget_secret(char **text, size_t *length)
{
    if (*text) {
        sodium_memzero(*text, *length);
        free(*text);
    }
    *text = NULL;
    *length = 0;
}

/* Reads the certificate and key (each at most SERVER_TLS_FILE_MAX bytes)
 * and checks they are PEM; whether they match is the daemon's to say. */
static int read_tls_files(struct server *server, const struct server_options *options,
                          struct error *err)
{
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return error_set(err, ERROR_INVALID, "this libmicrohttpd was built without TLS");
    if (files_read(options->tls_cert, SERVER_TLS_FILE_MAX, &server->tls_cert, &server->tls_cert_length,
                   err) != 0)
        return error_prefix(err, "--tls-cert");
    if (files_read(options->tls_key, SERVER_TLS_FILE_MAX, &server->tls_key, &server->tls_key_length,
                   err) != 0)
        return error_prefix(err, "--tls-key");
    if (!strstr(server->tls_cert, "-----BEGIN CERTIFICATE-----"))
        return error_set(err, ERROR_INVALID, "--tls-cert %s: not a PEM certificate", options->tls_cert);
    if (!strstr(server->tls_key, "-----BEGIN ") || !strstr(server->tls_key, "PRIVATE KEY-----"))
        return error_set(err, ERROR_INVALID, "--tls-key %s: not a PEM private key", options->tls_key);
    if (strstr(server->tls_key, "ENCRYPTED"))
        return error_set(err, ERROR_INVALID, "--tls-key %s: the key is encrypted; give it unencrypted "
                         "(readable by the server's user only)", options->tls_key);
    return 0;
}

void server_default_options(struct server_options *options)
{
    *options = (struct server_options){
        .listen = "127.0.0.1:8080",
        .threads = 0,
        .connection_limit = 256,
        .per_address_limit = 32,
        .connection_timeout = 30,
        .request_timeout = 10,
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
        return error_set(err, ERROR_INVALID, "--listen: '%s' is not HOST:PORT", text);
    size_t host_length = (size_t)(colon - text);
    char host[64];
    if (host_length == 0 || host_length >= sizeof host)
        return error_set(err, ERROR_INVALID, "--listen: '%s' is not HOST:PORT", text);
    memcpy(host, text, host_length);
    host[host_length] = '\0';
    long port;
    if (!text_parse_integer(colon + 1, 0, 65535, &port))
        return error_set(err, ERROR_INVALID, "--listen: bad port in '%s'", text);
    out->port = (unsigned)port;
    if (host[0] == '[' && host[host_length - 1] == ']') {
        host[host_length - 1] = '\0';
        memmove(host, host + 1, host_length - 1);
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out->address;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return error_set(err, ERROR_INVALID, "--listen: bad IPv6 address '%s'", host);
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
        return error_set(err, ERROR_INVALID, "--listen: bad IPv4 address '%s'", host);
    out->loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    snprintf(out->host, sizeof out->host, "%s", host);
    return 0;
}

void server_stop(struct server *server)
{
    if (!server)
        return;
    /* No new connections; the listening socket is ours to close, but only
     * once the daemon's threads are gone. */
    MHD_socket listening = server->daemon ? MHD_quiesce_daemon(server->daemon) : MHD_INVALID_SOCKET;
    pdf_jobs_stop(server->shared.pdf_jobs);   /* fails the renders in progress */
    server->shared.pdf_jobs = NULL;
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
    if (server->shared.guard) {
        struct guard_counts counts = guard_counts(server->shared.guard);
        if (counts.refused || counts.timed_out || counts.evicted || counts.full)
            fprintf(stderr, "beishen serve: connections refused at the per-address cap %lu, "
                    "cut at the request deadline %lu, cut to make room at the connection cap %lu, "
                    "refused with every connection busy %lu\n",
                    counts.refused, counts.timed_out, counts.evicted, counts.full);
    }
    guard_stop(server->shared.guard);   /* after the daemon: its connections are gone */
    if (listening != MHD_INVALID_SOCKET)
        close(listening);
    audit_writer_stop(server->shared.audit);   /* after the workers: their rows are in */
    /* The worker threads are gone: their state can be freed here. */
    worker_pool_free(server->workers);
    pthread_mutex_destroy(&server->stop_lock);
    pthread_cond_destroy(&server->stop_cond);
    pthread_mutex_destroy(&server->log_lock);
    forget_secret(&server->tls_cert, &server->tls_cert_length);
    forget_secret(&server->tls_key, &server->tls_key_length);
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
        return error_set(err, ERROR_INVALID, "no database given");
    if (parse_listen(options->listen, &listen, err) != 0)
        return -1;
    bool tls = options->tls_cert || options->tls_key;
    if (tls && !(options->tls_cert && options->tls_key))
        return error_set(err, ERROR_INVALID, "--tls-cert and --tls-key go together");
    if (!listen.loopback && !options->allow_remote && !tls)
        return error_set(err, ERROR_INVALID, "--listen %s is not a loopback address and there is no TLS "
                         "(give --tls-cert and --tls-key, or put the server behind a TLS proxy and pass "
                         "--allow-remote)", options->listen);
    if (access(options->db_path, F_OK) != 0)
        return error_set(err, ERROR_NOT_FOUND, "%s: no such database (run beishen ingest first)", options->db_path);
    if (auth_init(err) != 0)
        return -1;
    struct server *server = calloc(1, sizeof *server);
    if (!server)
        return error_set(err, ERROR_INTERNAL, "out of memory");
    server->options = *options;
    snprintf(server->db_path, sizeof server->db_path, "%s", options->db_path);
    snprintf(server->wal_path, sizeof server->wal_path, "%s-wal", options->db_path);
    auth_default_policy(&server->policy);
    server->policy.session_seconds = options->session_seconds;
    server->shared.policy = &server->policy;
    pthread_mutex_init(&server->stop_lock, NULL);
    pthread_cond_init(&server->stop_cond, NULL);
    pthread_mutex_init(&server->log_lock, NULL);
    server->shared.tls = tls;
    server->shared.secure_cookies = tls || options->secure_cookies;
    if (tls && read_tls_files(server, options, err) != 0) {
        server_stop(server);
        return -1;
    }

    /* The render helper first, while this process still has one thread. */
    struct pdf_jobs_options jobs = {
        .db_path = options->db_path, .render_timeout = options->render_timeout,
        .cache_bytes = options->cache_bytes,
    };
    if (!(server->workers = worker_pool_new(options->db_path))) {
        server_stop(server);
        return error_set(err, ERROR_INTERNAL, "out of memory");
    }
    if (pdf_jobs_start(&jobs, &server->shared.pdf_jobs, err) != 0) {
        server_stop(server);
        return -1;
    }

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
    if (audit_writer_start(server->db_path, options->journal_cap, &server->shared.audit, err) != 0) {
        server_stop(server);
        return -1;
    }

    struct guard_options guard = {
        .connection_limit = options->connection_limit, .per_address = options->per_address_limit,
        .request_timeout = options->request_timeout, .trusted_proxies = options->trusted_proxies,
        .trusted_count = options->trusted_proxy_count,
    };
    if (guard_start(&guard, &server->shared.guard, err) != 0) {
        server_stop(server);
        return -1;
    }

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
                     MHD_USE_ERROR_LOG | (listen.ipv6 ? MHD_USE_IPv6 : 0) | (tls ? MHD_USE_TLS : 0);
    /* TLS 1.2 and 1.3 only; GnuTLS's NORMAL set of ciphers otherwise. */
    struct MHD_OptionItem tls_options[] = {
        {MHD_OPTION_HTTPS_MEM_KEY, 0, server->tls_key},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, server->tls_cert},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_OptionItem no_options[] = {{MHD_OPTION_END, 0, NULL}};
    server->daemon = MHD_start_daemon(flags, (uint16_t)listen.port, guard_accept, server->shared.guard,
        on_request, server,
        MHD_OPTION_EXTERNAL_LOGGER, log_mhd, server,   /* first, or MHD logs the others' messages itself */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&listen.address,
        MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 0,   /* 1: no pool, one thread */
        MHD_OPTION_CONNECTION_LIMIT, guard_daemon_limit(options->connection_limit),
        MHD_OPTION_CONNECTION_TIMEOUT, options->connection_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, options->connection_memory,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, server,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, server,
        MHD_OPTION_ARRAY, tls ? tls_options : no_options,
        MHD_OPTION_NOTIFY_CONNECTION, guard_connection, server->shared.guard,
        MHD_OPTION_END);
    if (!server->daemon) {
        pthread_mutex_lock(&server->log_lock);
        error_set(err, ERROR_IO, "cannot listen on %s%s%s", options->listen,
                  server->first_log[0] ? ": " : " (in use?)", server->first_log);
        pthread_mutex_unlock(&server->log_lock);
        server_stop(server);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : listen.port;
    snprintf(server->url, sizeof server->url, "%s://%s:%u/", tls ? "https" : "http", listen.host, port);
    *out = server;
    return 0;
}
