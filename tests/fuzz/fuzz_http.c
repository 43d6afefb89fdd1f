/* fuzz_http — the workstation's request path up to its handlers, in the
 * pure functions that take what a client sends (server/routes.c,
 * server/http.c, server/auth.c, scoring/scores.c).  An input is
 *
 *     METHOD \n REQUEST-TARGET \n CONTENT-TYPE \n BODY…
 *
 * (missing lines are empty).  The target goes through
 * http_request_set_path (as on_uri keeps it) and routes_match (the table,
 * placeholders percent-decoded); its query values through
 * http_query_text_ok as MHD hands them over (decoded, with their length);
 * the body through http_parse_json_body and, as a score sheet's
 * "items", scores_check_items against a list and two plans.  Decoded
 * parameters are also tried as account names, codes and an attachment's
 * file name (http_content_disposition).  Promises:
 *  - nothing crashes, leaks or overruns;
 *  - a matched route's parameters are NUL-free, control-free UTF-8
 *    within HTTP_PARAM_CAP; a route found means a path known, a known
 *    path names its methods for 405;
 *  - a Content-Disposition header has no control character (no header
 *    splitting) and is never cut short;
 *  - a complete score sheet that passes totals within 0..100. */
#include "fuzz.h"
#include "core/text.h"
#include "query/requirements.h"
#include "scoring/plan.h"
#include "scoring/scores.h"
#include "server/auth.h"
#include "server/http.h"
#include "server/routes.h"

#include <string.h>

#include <glib.h>

static json_t *list;                 /* a required-item list that passes requirements_check */
static struct review_plan plans[2];  /* the defaults, and bands of our own */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static const char *const codes[] = {"A", "B", "J", "N", "O", "P", "Q"};
    static const double weights[] = {25, 20, 10, 10.5, 9.5, 15, 10};
    json_t *items = json_array();
    for (size_t i = 0; i < G_N_ELEMENTS(codes); i++)
        json_array_append_new(items, json_pack(
            "{s:s, s:f, s:s, s:{s:s, s:s, s:s, s:s, s:s}}", "code", codes[i], "weight", weights[i],
            "focus", "重點", "rubric", "傑出", "a", "優良", "b", "普通", "c", "待加強", "d", "不佳", "e"));
    list = json_pack("{s:s, s:i, s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:[{s:s, s:i}], s:o}",
                     "format", "beishen-requirements", "version", 1,
                     "university", "code", "001", "name", "國立臺灣大學",
                     "department", "code", "001012", "name", "中國文學系",
                     "round", "115學年度大學個人申請入學",
                     "stages", "name", "審查資料", "weight", 100, "items", items);
    struct problem_list problems = {0};
    FUZZ_CHECK(requirements_check(list, "list", &problems) == 0, "the fixed list: %s %s",
               problems.count ? problems.items[0].path : "", problems.count ? problems.items[0].rule : "");
    problems_free(&problems);
    plan_defaults("001012", &plans[0]);
    plan_defaults("001012", &plans[1]);
    static const int low[] = {95, 85, 70, 50, 0}, high[] = {100, 94, 84, 69, 49};
    memcpy(plans[1].low, low, sizeof low);
    memcpy(plans[1].high, high, sizeof high);
    return 0;
}

static void check_text(const char *text, size_t cap, const char *what)
{
    size_t length = strlen(text);
    FUZZ_CHECK(length <= cap && text_is_utf8(text, length), "%s is not text within %zu bytes", what, cap);
    for (const char *p = text; *p; p++)
        FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f, "%s has a control character", what);
}

/* What handlers do with a decoded parameter that names things. */
static void use_parameter(const char *value)
{
    auth_valid_user_name(value);
    auth_valid_code(value);
    char disposition[1024];
    http_content_disposition(value, "attachment.pdf", disposition, sizeof disposition);
    FUZZ_CHECK(strlen(disposition) < sizeof disposition - 1, "Content-Disposition cut short");
    check_text(disposition, sizeof disposition, "Content-Disposition");
}

static void route(const char *method, const char *target)
{
    struct http_request *request = g_new0(struct http_request, 1);
    http_request_set_path(request, target);
    if (!request->path_too_long && request->path[0] == '/') {
        struct routes_match *match = g_new(struct routes_match, 1);
        routes_match(strcmp(method, "HEAD") == 0 ? "GET" : method, request->path, match);
        FUZZ_CHECK(match->route < 0 || match->path_known, "a route for an unknown path");
        FUZZ_CHECK(match->path_known == (match->allow[0] != '\0'), "Allow \"%s\"", match->allow);
        FUZZ_CHECK(match->param_count <= HTTP_SEGMENTS_MAX, "%zu parameters", match->param_count);
        for (size_t i = 0; match->route >= 0 && match->params_ok && i < match->param_count; i++) {
            check_text(match->params[i], HTTP_PARAM_CAP, "a path parameter");
            use_parameter(match->params[i]);
        }
        g_free(match);
    }
    g_free(request);

    /* Query values, decoded as MHD decodes them (its length, NULs kept). */
    const char *query = strchr(target, '?');
    if (!query)
        return;
    gchar **pairs = g_strsplit(query + 1, "&", 16);
    for (gchar **pair = pairs; *pair; pair++) {
        const char *value = strchr(*pair, '=');
        value = value ? value + 1 : *pair;
        GBytes *decoded = g_uri_unescape_bytes(value, -1, NULL, NULL);
        if (!decoded)
            continue;
        gsize length;
        const char *bytes = g_bytes_get_data(decoded, &length);
        char *text = g_malloc(length + 1);
        memcpy(text, bytes, length);
        text[length] = '\0';
        if (http_query_text_ok(text, length)) {
            check_text(text, HTTP_PARAM_CAP, "a query value");
            use_parameter(text);
        }
        g_free(text);
        g_bytes_unref(decoded);
    }
    g_strfreev(pairs);
}

static void body(const char *content_type, const char *data, size_t size)
{
    unsigned status = 0;
    const char *message = NULL;
    json_t *json = http_parse_json_body(content_type, data, size, &status, &message);
    if (!json) {
        FUZZ_CHECK((status == 415 || status == 400) && message, "status %u", status);
        return;
    }
    FUZZ_CHECK(json_is_object(json), "a body that is not an object");
    const json_t *items = json_object_get(json, "items");
    for (int p = 0; items && p < 2; p++)
        for (int complete = 0; complete <= 1; complete++) {
            bool all = false;
            double total = -1;
            struct error err;
            int rc = scores_check_items(items, list, &plans[p], complete, &all, &total, &err);
            FUZZ_CHECK(rc == 0 || err.kind == ERROR_INVALID, "kind %d", err.kind);
            if (rc == 0 && complete)
                FUZZ_CHECK(all && total >= 0 && total <= 100, "a complete sheet totals %g", total);
        }
    const char *name = json_string_value(json_object_get(json, "name"));
    if (name)
        use_parameter(name);
    json_decref(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Three lines, then the body as bytes (NULs and all). */
    char *lines[3] = {NULL, NULL, NULL};
    size_t at = 0;
    for (int i = 0; i < 3; i++) {
        const uint8_t *end = memchr(data + at, '\n', size - at);
        size_t length = end ? (size_t)(end - (data + at)) : size - at;
        lines[i] = g_strndup((const char *)data + at, length);   /* stops at a NUL */
        at += length + (end ? 1 : 0);
    }
    route(lines[0], lines[1]);
    body(lines[2][0] ? lines[2] : NULL, (const char *)data + at, size - at);
    for (int i = 0; i < 3; i++)
        g_free(lines[i]);
    return 0;
}
