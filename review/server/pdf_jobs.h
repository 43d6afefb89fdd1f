/* pdf_jobs — the workstation's PDFs (review packets, comparison sheets):
 * rendered outside the server's threads and kept in a cache.
 *
 * A handler hands over the JSON a document is drawn from (the same JSON
 * whose SHA-256 names the cached file, read in the request's one
 * snapshot).  On a cache miss the JSON is written beside the cache and a
 * render helper process, forked before the server had threads, renders it
 * in a fresh child per job (Pango and fontconfig never run in a server
 * thread), one job at a time, under a deadline; the request's connection
 * is suspended meanwhile instead of holding a worker thread.  The cache
 * lives beside the database, in <db>.cache/ (0700): each running server
 * has its own directory there, run-XXXXXX, of at most cache_bytes (least
 * recently used out first), locked (flock) while the server lives and
 * removed by pdf_jobs_stop.  A server killed or crashed leaves its
 * directory; the next start on that database removes every directory
 * whose lock it can take.  Nothing goes to /tmp.
 *
 * Threads: pdf_jobs_serve and pdf_jobs_finish run on worker threads; one
 * lock guards the cache and the jobs in flight. */
#ifndef BEISHEN_PDF_JOBS_H
#define BEISHEN_PDF_JOBS_H

#include <stddef.h>

#include <jansson.h>
#include <microhttpd.h>

#include "core/error.h"
#include "server/http.h"

enum pdf_kind {
    PDF_PACKET = 1,      /* content: query_packet_content() */
    PDF_COMPARE = 2,     /* content: {table: compare_table()} */
    PDF_SCORESHEET = 3,  /* content: scores_sheets_content() */
    PDF_SUMMARY = 4,     /* content: results_summary_content() */
};

struct pdf_jobs_options {
    const char *db_path;          /* attachments are under "<db_path>.files" */
    int render_timeout;           /* seconds one render may take */
    size_t cache_bytes;           /* cached PDFs kept before the least recently used go */
};

/* Forks the render helper (call before the process starts any thread),
 * removes dead servers' caches, makes this one's and starts the thread that resumes finished
 * requests.  *out is released by pdf_jobs_stop. */
int pdf_jobs_start(const struct pdf_jobs_options *options, struct pdf_jobs **out,
                   struct error *err);
/* Ends the helper (failing what is pending), removes the cache.  NULL is fine. */
void pdf_jobs_stop(struct pdf_jobs *jobs);

/* A document a request asks for, and the audit row of handing it out. */
struct pdf_document {
    enum pdf_kind kind;
    const char *prefix;           /* the cached file's name: "<prefix>-<sha256>.pdf" */
    const json_t *content;        /* borrowed until pdf_jobs_serve returns */
    const char *action;           /* audit action, e.g. "packet_pdf" */
    const char *application;      /* audit application key, or NULL */
    const char *detail;           /* audit detail, or NULL */
    const char *download_name;    /* the file name the browser is offered */
};

/* Serves the cached PDF of the content, or starts rendering it and
 * suspends the connection: the handler is then called again with
 * call->request->render == HTTP_RENDER_DONE and must return
 * pdf_jobs_finish(call). */
enum MHD_Result pdf_jobs_serve(struct http_call *call, const struct pdf_document *document);
enum MHD_Result pdf_jobs_finish(struct http_call *call);

#endif
