/* routes — the workstation's routing table and what happens between a
 * request and its handler: the route is found by method and path
 * (literal segments and {placeholders}), a session is required for every
 * /api/ path but the public ones (before anything about the path is
 * told), admin routes need an admin, changes need the CSRF header, and
 * placeholders are percent-decoded and checked. */
#include "server/routes.h"
#include "server/auth.h"
#include "server/handlers.h"
#include "server/note_handlers.h"
#include "server/score_handlers.h"

#include <stdio.h>
#include <string.h>

typedef enum MHD_Result (*route_handler)(struct http_call *call);

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

static const struct route routes[] = {
    {"GET", "/", handle_static, ROUTE_PUBLIC},
    {"GET", "/index.html", handle_static, ROUTE_PUBLIC},
    {"GET", "/app.js", handle_static, ROUTE_PUBLIC},
    {"GET", "/scoring.js", handle_static, ROUTE_PUBLIC},
    {"GET", "/notes.js", handle_static, ROUTE_PUBLIC},
    {"GET", "/style.css", handle_static, ROUTE_PUBLIC},
    {"POST", "/api/login", handle_login, ROUTE_PUBLIC},
    {"POST", "/api/logout", handle_logout, ROUTE_CSRF},
    {"GET", "/api/session", handle_session, 0},
    {"GET", "/api/departments", handle_departments, 0},
    {"GET", "/api/applicants", handle_applicants, 0},
    {"GET", "/api/applicants/{id}", handle_applicant, 0},
    {"GET", "/api/applicants/{id}/overview", handle_overview, 0},
    {"GET", "/api/applicants/{id}/categories", handle_categories, 0},
    {"GET", "/api/applicants/{id}/categories/{name}", handle_category, 0},
    {"GET", "/api/applicants/{id}/packet.pdf", handle_packet, 0},
    {"GET", "/api/applicants/{id}/notes", handle_notes, 0},
    {"POST", "/api/applicants/{id}/notes", handle_note_add, ROUTE_CSRF},
    {"PUT", "/api/applicants/{id}/notes/{note}", handle_note_update, ROUTE_CSRF},
    {"DELETE", "/api/applicants/{id}/notes/{note}", handle_note_delete, ROUTE_CSRF},
    {"GET", "/api/distributions", handle_distribution, 0},
    {"GET", "/api/requirements/{department}", handle_requirements, 0},
    {"GET", "/api/files/{sha256}", handle_file, 0},
    {"GET", "/api/compare.pdf", handle_compare, 0},
    {"GET", "/api/users", handle_users, ROUTE_ADMIN},
    {"POST", "/api/users", handle_user_add, ROUTE_ADMIN | ROUTE_CSRF},
    {"DELETE", "/api/users/{name}", handle_user_remove, ROUTE_ADMIN | ROUTE_CSRF},
    {"POST", "/api/users/{name}/unlock", handle_user_unlock, ROUTE_ADMIN | ROUTE_CSRF},
    {"GET", "/api/audit", handle_audit, ROUTE_ADMIN},
    {"GET", "/api/scoring/plan", handle_scoring_plan, 0},
    {"GET", "/api/scoring/queue", handle_scoring_queue, 0},
    {"GET", "/api/scoring/sheets/{id}", handle_scoring_sheet, 0},
    {"PUT", "/api/scoring/sheets/{id}", handle_scoring_save, ROUTE_CSRF},
    {"POST", "/api/scoring/sheets/{id}/submit", handle_scoring_submit, ROUTE_CSRF},
    {"POST", "/api/scoring/sheets/{id}/reopen", handle_scoring_reopen, ROUTE_CSRF},
    {"POST", "/api/scoring/applications/{id}/next-reader", handle_scoring_next_reader, ROUTE_CSRF},
    {"POST", "/api/scoring/applications/{id}/reassign", handle_scoring_reassign, ROUTE_CSRF},
    {"GET", "/api/scoring/applications/{id}/history", handle_scoring_history, 0},
    {"GET", "/api/scoring/results", handle_scoring_results, 0},
    {"GET", "/api/scoring/results.csv", handle_scoring_csv, 0},
    {"GET", "/api/scoring/summary.pdf", handle_scoring_summary, 0},
    {"GET", "/api/scoring/scoresheet.pdf", handle_scoring_scoresheet, 0},
};

struct segments {
    size_t count;
    const char *start[HTTP_SEGMENTS_MAX + 1];
    size_t length[HTTP_SEGMENTS_MAX + 1];
};

/* Splits "/a/b/c" into segments; false when there are too many. */
static bool split_path(const char *path, struct segments *out)
{
    out->count = 0;
    if (strcmp(path, "/") == 0)
        return true;
    const char *p = path + 1;
    for (;;) {
        if (out->count == HTTP_SEGMENTS_MAX + 1)
            return false;
        const char *slash = strchr(p, '/');
        size_t length = slash ? (size_t)(slash - p) : strlen(p);
        out->start[out->count] = p;
        out->length[out->count++] = length;
        if (!slash)
            return out->count <= HTTP_SEGMENTS_MAX;
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

void routes_match(const char *method, const char *path, struct routes_match *match)
{
    match->route = -1;
    match->flags = 0;
    match->path_known = false;
    match->allow[0] = '\0';
    match->param_count = 0;
    match->params_ok = true;
    struct segments segments;
    if (!split_path(path, &segments))
        return;
    size_t captured[HTTP_SEGMENTS_MAX];
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        size_t c[HTTP_SEGMENTS_MAX], n;
        if (!route_matches(&routes[i], &segments, c, &n))
            continue;
        match->path_known = true;
        size_t used = strlen(match->allow);
        snprintf(match->allow + used, sizeof match->allow - used, "%s%s", used ? ", " : "",
                 routes[i].method);
        if (match->route < 0 && strcmp(routes[i].method, method) == 0) {
            match->route = (int)i;
            match->flags = routes[i].flags;
            memcpy(captured, c, sizeof c);
            match->param_count = n;
        }
    }
    for (size_t i = 0; i < match->param_count && match->params_ok; i++) {
        size_t s = captured[i];
        match->params_ok = http_decode_segment(segments.start[s], segments.length[s],
                                               match->params[i], sizeof match->params[i]);
    }
}

/* Finds the route, checks the session, CSRF and parameters, runs the handler. */
enum MHD_Result routes_dispatch(struct http_call *call, const char *method)
{

    struct MHD_Connection *connection = call->connection;
    struct http_request *request = call->request;
    struct error err;
    const char *path = request->path;
    if (path[0] != '/')
        return http_reply_error(call, MHD_HTTP_BAD_REQUEST, "bad request path");
    /* HEAD is GET without the body; MHD leaves the body out. */
    const char *wanted = strcmp(method, "HEAD") == 0 ? "GET" : method;
    struct routes_match match;
    routes_match(wanted, path, &match);
    const struct route *route = match.route >= 0 ? &routes[match.route] : NULL;
    bool api = strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0;
    struct auth_session session;
    const char *token = MHD_lookup_connection_value(connection, MHD_COOKIE_KIND, HTTP_COOKIE_NAME);
    bool has_session = false;
    if (api && !(route && (route->flags & ROUTE_PUBLIC))) {
        /* Before anything about the path is told: unknown /api/ paths too. */
        if (auth_session_lookup(call->store, token, &session, &has_session, &err) != 0)
            return http_reply_internal(call, "session", &err);
        if (!has_session)
            return http_reply_error(call, MHD_HTTP_UNAUTHORIZED, "not logged in");
        call->session = &session;
        call->token = token;
    }
    if (!match.path_known)
        return http_reply_not_found(call, "not found");
    if (!route) {
        struct MHD_Response *response = http_json_response(json_pack("{s:s}", "error", "method not allowed"));
        if (response)
            MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, match.allow);
        return http_send(call, MHD_HTTP_METHOD_NOT_ALLOWED, response);
    }
    if ((route->flags & ROUTE_ADMIN) && session.role != AUTH_ADMIN)
        return http_reply_error(call, MHD_HTTP_FORBIDDEN, "administrators only");
    if (route->flags & ROUTE_CSRF) {
        const char *csrf = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, HTTP_CSRF_HEADER);
        if (!auth_csrf_ok(&session, csrf))
            return http_reply_error(call, MHD_HTTP_FORBIDDEN, "missing or wrong " HTTP_CSRF_HEADER " header");
    }
    if (!match.params_ok)
        return http_reply_error(call, MHD_HTTP_BAD_REQUEST, "bad path parameter");
    for (size_t i = 0; i < match.param_count; i++)
        call->params[i] = match.params[i];
    return route->handler(call);
}
