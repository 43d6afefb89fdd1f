/* server — the reviewers' workstation: an HTTP server (libmicrohttpd, an
 * internal polling thread per worker in a thread pool) answering the JSON
 * API from query.c, requirements.c and compare.c, serving attachments and
 * on-demand PDFs, and the browser UI under review/web/ (compiled in).
 *
 * Owns: the routing table; one store per worker thread (opened on the
 * thread's first request, closed by server_stop); the render helper
 * process, forked before any thread exists, that renders PDFs in a fresh
 * child per job, one job at a time (Pango and fontconfig never run in a
 * server thread); and the PDF cache, a private directory removed by
 * server_stop.  Access decisions are auth.c's; a request's audit row is in
 * audit.c's journal before it answers (a background thread moves the
 * journal into the database).  A GET's reads run in one read transaction
 * (one snapshot).
 *
 * Every buffer filled from the network has a hard cap (path, query values,
 * headers through the connection memory limit, the body); slow clients are
 * cut off by the per-connection timeout, and renders suspend their
 * connection instead of holding a worker. */
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
    bool allow_remote;            /* listen on a non-loopback address (refused otherwise) */
    bool timing;                  /* time every request; server_stop prints the percentiles */
};

/* Fills the defaults: 127.0.0.1:8080, 256 connections, 30 s timeout,
 * 16 KiB bodies, 32 KiB of headers, 8 h sessions, 300 s renders, 512 MiB
 * of cached PDFs. */
void server_default_options(struct server_options *options);

struct server;

/* Forks the render helper, checks and migrates the database, and starts
 * listening.  The caller blocks SIGINT and SIGTERM first if it wants to
 * take them itself (the worker threads inherit the signal mask).  *out is
 * released by server_stop. */
int server_start(const struct server_options *options, struct server **out, struct error *err);

/* "http://127.0.0.1:8080/" with the port actually bound.  Owned by the server. */
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
