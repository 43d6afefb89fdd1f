/* http — answers, audit rows, parameters and read transactions of a call. */
#include "server/http.h"
#include "core/text.h"
#include "core/timestamp.h"
#include "scoring/plan.h"
#include "server/audit.h"
#include "server/guard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void http_log_error(const char *format, ...)
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

/* ---- answers ----------------------------------------------------------------- */

static void add_common_headers(struct MHD_Response *response)
{
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(response, "X-Frame-Options", "SAMEORIGIN");
    MHD_add_response_header(response, "Cross-Origin-Resource-Policy", "same-origin");
}

enum MHD_Result http_send(struct http_call *call, unsigned status, struct MHD_Response *response)
{
    if (!response)
        return MHD_NO;
    add_common_headers(response);
    if (call->shared->tls)
        MHD_add_response_header(response, "Strict-Transport-Security", "max-age=31536000");
    enum MHD_Result result = MHD_queue_response(call->connection, status, response);
    MHD_destroy_response(response);
    return result;
}

GBytes *http_json_bytes(json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(value);
    return text ? g_bytes_new_with_free_func(text, strlen(text), free, text) : NULL;
}

static void release_bytes(void *bytes)
{
    g_bytes_unref(bytes);
}

struct MHD_Response *http_bytes_response(GBytes *json_text)
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

struct MHD_Response *http_json_response(json_t *value)
{
    return http_bytes_response(http_json_bytes(value));
}

enum MHD_Result http_reply_json(struct http_call *call, unsigned status, json_t *value)
{
    return http_send(call, status, http_json_response(value));
}

enum MHD_Result http_reply_error(struct http_call *call, unsigned status, const char *message)
{
    return http_reply_json(call, status, json_pack("{s:s}", "error", message));
}

enum MHD_Result http_reply_not_found(struct http_call *call, const char *message)
{
    return http_reply_error(call, MHD_HTTP_NOT_FOUND, message);
}

enum MHD_Result http_reply_internal(struct http_call *call, const char *what,
                                    const struct error *err)
{
    http_log_error("%s: %s", what, err ? err->message : "failed");
    return http_reply_error(call, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
}

enum MHD_Result http_reply_failure(struct http_call *call, const char *what,
                                   const struct error *err)
{
    switch (err ? err->kind : ERROR_INTERNAL) {
    case ERROR_NOT_FOUND:
        return http_reply_not_found(call, err->message);
    case ERROR_INVALID:
        return http_reply_error(call, MHD_HTTP_BAD_REQUEST, err->message);
    case ERROR_CONFLICT:
        return http_reply_error(call, MHD_HTTP_CONFLICT, err->message);
    case ERROR_BUSY: {
        http_log_error("%s: %s", what, err->message);
        struct MHD_Response *response = http_json_response(json_pack("{s:s}", "error", "busy; try again shortly"));
        if (response)   /* a client that retries by itself waits this long */
            MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, "5");
        return http_send(call, MHD_HTTP_SERVICE_UNAVAILABLE, response);
    }
    default:
        return http_reply_internal(call, what, err);
    }
}

enum MHD_Result http_reply_file(struct http_call *call, int fd, off_t size, const char *media_type,
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
    return http_send(call, MHD_HTTP_OK, response);
}

void http_content_disposition(const char *display_name, const char *fallback, char *out,
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

/* ---- read transactions ---------------------------------------------------------- */

/* One lock round instead of one per statement, and no snapshot held while
 * the request waits (held snapshots keep the WAL from being checkpointed). */
void http_begin_reads(struct http_call *call)
{
    call->reading = store_exec(call->store, "BEGIN", NULL) == 0;
}

void http_end_reads(struct http_call *call)
{
    if (call->reading) {
        store_exec(call->store, "COMMIT", NULL);
        call->reading = false;
    }
}

/* ---- audit -------------------------------------------------------------------------- */

int http_record(struct http_call *call, const char *action, const char *application,
                const char *detail, struct error *err_out)
{
    http_end_reads(call);
    struct error ignored, *err = err_out ? err_out : &ignored;
    struct audit_entry entry = {
        .user = call->session ? call->session->user : "(anonymous)",
        .action = action, .application = application, .detail = detail, .remote = call->remote,
    };
    if (audit_writer_record(call->shared->audit, &entry, err) != 0) {
        http_log_error("audit: %s", err->message);
        return -1;
    }
    return 0;
}

enum MHD_Result http_reply_recorded_text(struct http_call *call, GBytes *json_text,
                                         const char *action, const char *application,
                                         const char *detail)
{
    struct error err;
    if (http_record(call, action, application, detail, &err) != 0) {
        if (json_text)
            g_bytes_unref(json_text);
        return http_reply_failure(call, "audit", &err);
    }
    return http_send(call, MHD_HTTP_OK, http_bytes_response(json_text));
}

enum MHD_Result http_reply_recorded(struct http_call *call, json_t *value, const char *action,
                                    const char *application, const char *detail)
{
    return http_reply_recorded_text(call, http_json_bytes(value), action, application, detail);
}

/* ---- what the client sent ------------------------------------------------------------ */

static bool has_control(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
            return true;
    return false;
}

bool http_decode_segment(const char *raw, size_t length, char *out, size_t out_size)
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

void http_request_set_path(struct http_request *request, const char *target)
{
    size_t length = strcspn(target, "?#");
    request->path_too_long = length > HTTP_PATH_CAP;
    if (!request->path_too_long) {
        memcpy(request->path, target, length);
        request->path[length] = '\0';
    }
}

bool http_query_text_ok(const char *value, size_t length)
{
    /* strlen: MHD hands over the length, and a value with a NUL inside
     * would be cut short wherever it is used as a C string. */
    return length <= HTTP_PARAM_CAP && strlen(value) == length && text_is_utf8(value, length) &&
           !has_control(value, length);
}

/* A query value: NULL when absent or empty, else checked text.  Returns
 * false when the value is present but unusable. */
static bool query_value(struct http_call *call, const char *name, const char **out)
{
    const char *value = NULL;
    size_t length = 0;
    *out = NULL;
    if (MHD_lookup_connection_value_n(call->connection, MHD_GET_ARGUMENT_KIND, name, strlen(name),
                                      &value, &length) != MHD_YES || !value || length == 0)
        return true;
    if (!http_query_text_ok(value, length))
        return false;
    *out = value;
    return true;
}

bool http_query_values(struct http_call *call, const char *const *names, const char **values,
                       enum MHD_Result *result)
{
    for (size_t i = 0; names[i] && i < HTTP_QUERY_VALUES_MAX; i++) {
        if (!query_value(call, names[i], &values[i])) {
            char message[128];
            snprintf(message, sizeof message, "bad value for '%s'", names[i]);
            *result = http_reply_error(call, MHD_HTTP_BAD_REQUEST, message);
            return false;
        }
    }
    return true;
}

json_t *http_parse_json_body(const char *content_type, const char *body, size_t length,
                             unsigned *status, const char **message)
{
    if (!content_type || strncasecmp(content_type, "application/json", 16) != 0) {
        *status = MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
        *message = "the body must be JSON (Content-Type: application/json)";
        return NULL;
    }
    json_error_t error;
    json_t *json = body ? json_loadb(body, length, JSON_REJECT_DUPLICATES, &error) : NULL;
    if (!json_is_object(json)) {
        json_decref(json);
        *status = MHD_HTTP_BAD_REQUEST;
        *message = "the body must be a JSON object";
        return NULL;
    }
    return json;
}

json_t *http_json_body(struct http_call *call, enum MHD_Result *result)
{
    const char *type = MHD_lookup_connection_value(call->connection, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
    unsigned status;
    const char *message;
    json_t *body = http_parse_json_body(type, call->request->body, call->request->body_length,
                                        &status, &message);
    if (!body)
        *result = http_reply_error(call, status, message);
    return body;
}

void http_remote_address(struct http_call *call)
{
    guard_client_address(call->shared->guard, call->connection, call->remote, sizeof call->remote);
}

/* ---- what the session may see ---------------------------------------------------------- */

/* The department a request names, or the session's only one.  NULL after
 * answering (400, or 404 for a department the session does not see). */
const char *http_department(struct http_call *call, const char *given, enum MHD_Result *result)
{
    if (!given) {
        if (call->session->department_count == 1)
            return call->session->departments[0];
        *result = http_reply_error(call, MHD_HTTP_BAD_REQUEST, "give department=CODE");
        return NULL;
    }
    if (!auth_valid_code(given) || !auth_sees_department(call->session, given)) {
        *result = http_reply_not_found(call, "no such department");
        return NULL;
    }
    return given;
}

/* The application of the {id} parameter, or answers 404. */
bool http_application(struct http_call *call, sqlite3_int64 *id, enum MHD_Result *result)
{
    bool found;
    struct error err;
    if (auth_resolve_application(call->store, call->session, call->params[0], id, &found, &err) != 0) {
        *result = http_reply_internal(call, "resolve", &err);
        return false;
    }
    if (!found) {
        *result = http_reply_not_found(call, "no such application");
        return false;
    }
    return true;
}

bool http_blind(struct http_call *call, const char *department, struct blind_names **names,
                enum MHD_Result *result)
{
    *names = NULL;
    if (call->session->role != AUTH_REVIEWER)
        return true;
    struct review_plan plan;
    struct error err;
    if (plan_load(call->store, department, &plan, NULL, &err) != 0) {
        *result = http_reply_internal(call, "plan", &err);
        return false;
    }
    if (!plan.blind)
        return true;
    if (!(*names = blind_names_load(call->store, department, &err))) {
        *result = http_reply_internal(call, "blind review", &err);
        return false;
    }
    return true;
}

void http_application_department(const struct http_call *call, char out[16])
{
    const char *id = call->params[0];
    const char *dash = strchr(id, '-');
    snprintf(out, 16, "%.*s", dash ? (int)(dash - id) : 0, id);
}

enum MHD_Result http_commit_recorded(struct http_call *call, const char *action,
                                     const char *application, const char *detail, unsigned status,
                                     json_t *value)
{
    struct error err;
    if (http_record(call, action, application, detail, &err) != 0) {
        store_rollback(call->store);
        json_decref(value);
        return http_reply_failure(call, "audit", &err);
    }
    if (store_commit(call->store, &err) != 0) {
        store_rollback(call->store);
        json_decref(value);
        char failed[64];
        snprintf(failed, sizeof failed, "%s_failed", action);
        http_record(call, failed, application, detail, NULL);
        return http_reply_failure(call, action, &err);
    }
    return http_reply_json(call, status, value ? value : json_pack("{s:b}", "ok", 1));
}
