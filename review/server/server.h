/* server — the reviewers' workstation: an HTTP server (libmicrohttpd, an
 * internal polling thread per worker in a thread pool) answering the JSON
 * API, serving attachments and on-demand PDFs, and the browser UI under
 * review/server/web/ (compiled in).  This module starts and stops it; the
 * parts are: routes.c (the routing table and the checks before a
 * handler), handlers.c (one function per route), http.c (answers,
 * parameters, audit rows), worker.c (one store per worker thread),
 * pdf_jobs.c (the render helper process and the PDF cache), auth.c
 * (accounts, sessions, access) and audit.c (the audit log and journal).
 *
 * Owns, from server_start to server_stop: the daemon and its threads, the
 * worker pool, the PDF jobs, the audit writer and the maintenance thread
 * (WAL checkpoints, purging expired sessions).  A request's audit row is
 * in the journal before it answers; a GET's reads run in one read
 * transaction (one snapshot).
 *
 * Every buffer filled from the network has a hard cap (path, query values
 * and their number, headers through the connection memory limit, the
 * body); clients that hold connections without finishing a request are
 * cut off (guard.c: a deadline for the whole request, a cap per address,
 * room made near the connection cap), idle ones by the idle timeout, and
 * renders suspend their connection instead of holding a worker. */
#ifndef BEISHEN_SERVER_H
#define BEISHEN_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include "core/error.h"

struct server_options {
    const char *db_path;          /* an existing database (required) */
    const char *listen;           /* "127.0.0.1:8080", "[::1]:8080"; port 0 picks a free one */
    unsigned threads;             /* worker threads; 0: the number of CPUs, at least 2 */
    unsigned connection_limit;    /* open connections at once */
    unsigned connection_timeout;  /* seconds a connection may stay idle */
    size_t body_limit;            /* request body bytes */
    size_t connection_memory;     /* per-connection buffer: caps the request line and headers */
    int session_seconds;          /* lifetime of a login session */
    int render_timeout;           /* seconds one PDF render may take */
    size_t cache_bytes;           /* PDF cache size before the least recently used go */
    bool allow_remote;            /* listen on a non-loopback address without TLS (refused otherwise) */
    const char *tls_cert;         /* PEM certificate (chain) file: serve HTTPS only; NULL: plain HTTP */
    const char *tls_key;          /* PEM private key file, with tls_cert */
    bool secure_cookies;          /* Secure session cookies without tls_cert (a TLS proxy in front) */
    unsigned per_address_limit;   /* open connections one client address may hold; 0: no cap */
    unsigned request_timeout;     /* seconds a client has to send a whole request */
    const char *const *trusted_proxies;   /* addresses whose X-Forwarded-For is believed */
    size_t trusted_proxy_count;
    bool timing;                  /* time every request; server_stop prints the percentiles */
    size_t journal_cap;           /* audit rows (bytes) that may wait for the database; 0: 64 MiB */
};

/* Fills the defaults: 127.0.0.1:8080, 256 connections (32 per client
 * address), 30 s idle timeout, 10 s to send a request, 16 KiB bodies,
 * 32 KiB of headers, 8 h sessions, 300 s renders, 512 MiB of cached PDFs,
 * no trusted proxy. */
void server_default_options(struct server_options *options);

struct server;

/* Cap on the TLS certificate and key files (each). */
#define SERVER_TLS_FILE_MAX (256 * 1024)

/* Forks the render helper, checks and migrates the database, and starts
 * listening (HTTPS only when options->tls_cert is set: session cookies are
 * then Secure and answers carry Strict-Transport-Security).  The caller blocks SIGINT and SIGTERM first if it wants to
 * take them itself (the worker threads inherit the signal mask).  *out is
 * released by server_stop. */
int server_start(const struct server_options *options, struct server **out, struct error *err);

/* "http://127.0.0.1:8080/" (https:// with TLS) with the port actually bound.  Owned by the server. */
const char *server_url(const struct server *server);

/* Stops listening, finishes or fails the renders in progress, closes every
 * connection and every worker's store, ends the render helper, removes the
 * PDF cache and frees the server.  With options.timing, first prints to
 * stderr how long requests spent in the server (see server.c). */
void server_stop(struct server *server);

/* The browser UI, compiled in from review/web/ by the build
 * (server.mk generates build/web_assets.c). */
struct server_asset {
    const char *path;             /* "/app.js" */
    const char *content_type;
    const unsigned char *data;
    size_t size;
};
extern const struct server_asset server_assets[];
extern const size_t server_asset_count;

#endif
