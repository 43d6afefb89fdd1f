/* http — what every request handler of the workstation uses: a request's
 * state from its first callback to its last, the call a handler is given,
 * JSON and file answers, the audit row that must be written before data
 * goes out, reading path parameters, query values and JSON bodies under
 * hard caps, and the one read transaction of a GET.
 *
 * Threads: a call belongs to the worker thread running it; nothing here
 * keeps state between calls.  Answers are libmicrohttpd responses, queued
 * and released here (http_send). */
#ifndef BEISHEN_HTTP_H
#define BEISHEN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <glib.h>
#include <jansson.h>
#include <microhttpd.h>

#include "core/error.h"
#include "query/blind.h"
#include "server/auth.h"
#include "store/store.h"

#define HTTP_PATH_CAP 2048            /* raw request path bytes */
#define HTTP_SEGMENTS_MAX 8           /* path segments a route may have */
#define HTTP_PARAM_CAP 1024           /* a decoded path segment or query value, bytes */
#define HTTP_QUERY_VALUES_MAX 8       /* query values one handler reads */
#define HTTP_QUERY_CAP 4096           /* the raw query string, bytes */
#define HTTP_QUERY_PARAMS_MAX 32      /* parameters in it; more answer 414 */
#define HTTP_CACHE_NAME_CAP 96        /* a cached PDF's file name */
#define HTTP_COOKIE_NAME "beishen_session"
#define HTTP_CSRF_HEADER "X-CSRF-Token"

enum http_render_state { HTTP_RENDER_NONE, HTTP_RENDER_WAITING, HTTP_RENDER_DONE };

/* One request, from the URI callback to the completion callback (the
 * server allocates and frees it). */
struct http_request {
    double received_at;           /* monotonic seconds, when timing */
    char path[HTTP_PATH_CAP + 1];
    bool path_too_long;
    bool query_too_long;          /* over HTTP_QUERY_CAP or HTTP_QUERY_PARAMS_MAX */
    bool started;                 /* the access handler has seen the headers */
    char *body;                   /* at most the body limit, NUL-terminated */
    size_t body_length;
    bool body_too_large;
    /* a PDF being rendered (pdf_jobs.c): what to serve and record once done */
    enum http_render_state render;
    int render_status;
    char render_message[512];
    char cache_name[HTTP_CACHE_NAME_CAP];
    char download_name[96];
    char audit_user[AUTH_NAME_MAX + 1];
    char audit_action[32];
    char audit_application[2 * AUTH_CODE_MAX + 2];
    char audit_detail[64];
};

struct audit_writer;
struct guard;
struct pdf_jobs;
struct worker;

/* What the server shares with every handler; set up once by server.c. */
struct http_shared {
    struct audit_writer *audit;
    const struct auth_policy *policy;
    struct pdf_jobs *pdf_jobs;
    bool tls;                     /* served over TLS: answers carry Strict-Transport-Security */
    bool secure_cookies;          /* session cookies carry Secure (TLS here or at a proxy) */
    struct guard *guard;          /* connections and client addresses */
};

/* What a handler gets. */
struct http_call {
    const struct http_shared *shared;
    struct MHD_Connection *connection;
    struct http_request *request;
    struct worker *worker;                /* the thread's state (worker.h) */
    struct store *store;                  /* its connection */
    const struct auth_session *session;   /* NULL on public routes */
    const char *token;                    /* the session cookie, when valid */
    bool reading;                         /* a read transaction is open on store */
    const char *params[HTTP_SEGMENTS_MAX];   /* decoded {…} segments, in order */
    char remote[64];                      /* the client's address */
};

/* "2026-03-27T01:00:00Z beishen serve: message" on stderr. */
void http_log_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* ---- answers.  Each queues its response and returns MHD's result. */

/* Adds the headers every answer carries, queues and releases response
 * (NULL: out of memory, the connection is closed). */
enum MHD_Result http_send(struct http_call *call, unsigned status, struct MHD_Response *response);
/* The compact JSON text of value (a new reference, stolen); NULL when out of memory. */
GBytes *http_json_bytes(json_t *value);
/* A JSON response of json_text (a reference, stolen), or of value (stolen). */
struct MHD_Response *http_bytes_response(GBytes *json_text);
struct MHD_Response *http_json_response(json_t *value);
enum MHD_Result http_reply_json(struct http_call *call, unsigned status, json_t *value);
enum MHD_Result http_reply_error(struct http_call *call, unsigned status, const char *message);
enum MHD_Result http_reply_not_found(struct http_call *call, const char *message);
/* 500 "internal error"; the details go to the log, not to the client. */
enum MHD_Result http_reply_internal(struct http_call *call, const char *what,
                                    const struct error *err);
/* The answer err's kind calls for: ERROR_NOT_FOUND 404, ERROR_INVALID 400
 * and ERROR_CONFLICT 409 with err's message, ERROR_BUSY 503, anything
 * else 500 as above. */
enum MHD_Result http_reply_failure(struct http_call *call, const char *what,
                                   const struct error *err);
/* Answers the open file fd (taken) of size bytes. */
enum MHD_Result http_reply_file(struct http_call *call, int fd, off_t size, const char *media_type,
                                const char *disposition);
/* Content-Disposition for an applicant's file name: the last path
 * component only, without control characters, quotes or semicolons, at
 * most 120 bytes; `fallback` when nothing is left; RFC 5987 filename*. */
void http_content_disposition(const char *display_name, const char *fallback, char *out,
                              size_t size);

/* ---- the read transaction of a GET: one snapshot for the whole answer.
 * It ends before the request waits for its audit row. */
void http_begin_reads(struct http_call *call);
void http_end_reads(struct http_call *call);

/* ---- audit: no row, no data. */

/* Appends the call's audit row (the session's user, or "(anonymous)").
 * Returns 0, or -1 after logging why, with err (may be NULL) set: its kind
 * is ERROR_BUSY when the audit journal is full, so that http_reply_failure
 * answers 503 (try again) rather than 500. */
int http_record(struct http_call *call, const char *action, const char *application,
                const char *detail, struct error *err);
/* Records, then answers 200 with json_text (stolen) or value (stolen). */
enum MHD_Result http_reply_recorded_text(struct http_call *call, GBytes *json_text,
                                         const char *action, const char *application,
                                         const char *detail);
enum MHD_Result http_reply_recorded(struct http_call *call, json_t *value, const char *action,
                                    const char *application, const char *detail);

/* ---- what the client sent. */

/* Percent-decodes one raw path segment of `length` bytes into out; false
 * on a malformed escape, a NUL or control character, invalid UTF-8 or a
 * result that does not fit. */
bool http_decode_segment(const char *raw, size_t length, char *out, size_t out_size);
/* The raw path of a request target (the part before '?' or '#', not
 * decoded, so that an escaped '/' stays inside its segment) into
 * request->path; request->path_too_long when it exceeds HTTP_PATH_CAP. */
void http_request_set_path(struct http_request *request, const char *target);
/* A query value of `length` bytes is usable text: at most HTTP_PARAM_CAP
 * bytes, no NUL or control character, valid UTF-8. */
bool http_query_text_ok(const char *value, size_t length);
/* A request body as a JSON object (a new reference), or NULL with the
 * status to answer in *status (415: the Content-Type is not JSON; 400: not
 * a JSON object) and why in *message.  Pure: http_json_body answers from it. */
json_t *http_parse_json_body(const char *content_type, const char *body, size_t length,
                             unsigned *status, const char **message);
/* The query values named (NULL-terminated, at most HTTP_QUERY_VALUES_MAX)
 * into values[] (NULL when absent or empty; borrowed from MHD).  false
 * after answering 400 for a value that is too long or not text. */
bool http_query_values(struct http_call *call, const char *const *names, const char **values,
                       enum MHD_Result *result);
/* The body as a JSON object (a new reference), or NULL after answering
 * 415 (not application/json) or 400. */
json_t *http_json_body(struct http_call *call, enum MHD_Result *result);
/* The department a request names (or the session's only one), when the
 * session sees it; NULL after answering 400, or 404 for one it does not see. */
const char *http_department(struct http_call *call, const char *given, enum MHD_Result *result);
/* The application of the {id} path parameter ("<department>-<no>") when
 * the session sees it; false after answering 404 (or 500). */
bool http_application(struct http_call *call, sqlite3_int64 *id, enum MHD_Result *result);

/* Ends a change begun on call->store: its audit row (action, application,
 * detail) first, then the commit; a change whose row cannot be written is
 * rolled back, and a failed commit is recorded as "<action>_failed" (the
 * row above said it happened).  Answers value (stolen; NULL: {"ok": true})
 * with status, or the failure. */
enum MHD_Result http_commit_recorded(struct http_call *call, const char *action,
                                     const char *application, const char *detail, unsigned status,
                                     json_t *value);

/* Blind review: *names is the department's pseudonyms when this session
 * reads it blind (a reviewer, and the department's plan says so; the
 * office always has the full view), else NULL.  false after answering 500.
 * The caller frees *names with blind_names_free. */
bool http_blind(struct http_call *call, const char *department, struct blind_names **names,
                enum MHD_Result *result);
/* The department part of the {id} parameter ("<department>-<no>"). */
void http_application_department(const struct http_call *call, char out[16]);

/* Fills call->remote: the client's address as text, "?" when unknown
 * (behind a trusted proxy, the one it names: guard.h). */
void http_remote_address(struct http_call *call);

#endif
