/* handlers — the workstation's API, one function per route (routes.c
 * holds the table): sessions, the applications a session may see, their
 * PDFs, accounts and the audit log, and the browser UI's files.  Each
 * handler checks what it is given, asks auth.c what the session may see,
 * reads through query.c and answers after its audit row is written. */
#include "server/handlers.h"
#include "core/text.h"
#include "query/compare.h"
#include "query/notes.h"
#include "query/query.h"
#include "query/requirements.h"
#include "server/audit.h"
#include "server/auth.h"
#include "server/pdf_jobs.h"
#include "server/server.h"
#include "server/worker.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

enum MHD_Result handle_login(struct http_call *call)
{
    enum MHD_Result result;
    json_t *body = http_json_body(call, &result);
    if (!body)
        return result;
    const char *user = json_string_value(json_object_get(body, "user"));
    const char *password = json_string_value(json_object_get(body, "password"));
    if (!user || !password) {
        json_decref(body);
        return http_reply_error(call, MHD_HTTP_BAD_REQUEST, "give \"user\" and \"password\"");
    }
    char token[AUTH_TOKEN_HEX + 1];
    struct auth_session session;
    enum auth_login_outcome outcome;
    struct error err;
    int rc = auth_login(call->store, call->shared->policy, user, password, call->remote, token,
                        &session, &outcome, &err);
    /* The name as given is recorded only when it could be an account name:
     * a password typed into the name field must not land in the log. */
    char named[AUTH_NAME_MAX + 1];
    snprintf(named, sizeof named, "%s", auth_valid_user_name(user) ? user : "(invalid)");
    json_decref(body);
    if (rc != 0)
        return http_reply_internal(call, "login", &err);
    if (outcome != AUTH_LOGIN_OK &&
        audit_writer_refused(call->shared->audit, named, call->remote,
                             outcome == AUTH_LOGIN_LIMITED, &err) != 0)
        http_log_error("audit: %s", err.message);
    if (outcome == AUTH_LOGIN_LIMITED) {
        struct MHD_Response *response = http_json_response(json_pack("{s:s}", "error",
            "too many failed logins; try again later"));
        if (response)
            MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, "900");
        return http_send(call, MHD_HTTP_TOO_MANY_REQUESTS, response);
    }
    if (outcome == AUTH_LOGIN_DENIED)
        return http_reply_error(call, MHD_HTTP_UNAUTHORIZED, "wrong user or password");
    struct audit_entry entry = {.user = named, .action = "login", .remote = call->remote};
    if (audit_writer_record(call->shared->audit, &entry, &err) != 0) {
        struct error ignored;
        auth_logout(call->store, token, &ignored);
        return http_reply_failure(call, "audit", &err);
    }
    struct MHD_Response *response = http_json_response(session_json(&session));
    if (!response)
        return MHD_NO;
    char cookie[256];
    snprintf(cookie, sizeof cookie, HTTP_COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
             token, call->shared->policy->session_seconds, call->shared->secure_cookies ? "; Secure" : "");
    MHD_add_response_header(response, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    return http_send(call, MHD_HTTP_OK, response);
}

enum MHD_Result handle_logout(struct http_call *call)
{
    struct error err;
    if (auth_logout(call->store, call->token, &err) != 0)
        return http_reply_internal(call, "logout", &err);
    http_record(call, "logout", NULL, NULL, NULL);
    struct MHD_Response *response = http_json_response(json_pack("{s:b}", "ok", 1));
    if (!response)
        return MHD_NO;
    MHD_add_response_header(response, MHD_HTTP_HEADER_SET_COOKIE,
                            call->shared->secure_cookies
                                ? HTTP_COOKIE_NAME "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
                                : HTTP_COOKIE_NAME "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return http_send(call, MHD_HTTP_OK, response);
}

enum MHD_Result handle_session(struct http_call *call)
{
    return http_reply_json(call, MHD_HTTP_OK, session_json(call->session));
}

enum MHD_Result handle_departments(struct http_call *call)
{
    struct error err;
    json_t *list = auth_departments(call->store, call->session, &err);
    return list ? http_reply_json(call, MHD_HTTP_OK, list) : http_reply_internal(call, "departments", &err);
}

/* ---- handlers: applications ------------------------------------------------------ */

/* The application's document as this session may see it: blind for a
 * reviewer of a department that reviews blind.  false after answering. */
static bool blind_if_needed(struct http_call *call, json_t *document, enum MHD_Result *result)
{
    char department[16];
    http_application_department(call, department);
    struct blind_names *blind;
    if (!http_blind(call, department, &blind, result))
        return false;
    if (blind)
        blind_application(document, blind);
    blind_names_free(blind);
    return true;
}

enum MHD_Result handle_applicants(struct http_call *call)
{
    static const char *const names[] = {"department", "category", "source", "sort", NULL};
    const char *v[HTTP_QUERY_VALUES_MAX] = {0};
    enum MHD_Result result;
    if (!http_query_values(call, names, v, &result))
        return result;
    const char *department = http_department(call, v[0], &result);
    if (!department)
        return result;
    if (v[2] && strcmp(v[2], "portfolio") && strcmp(v[2], "self_made_pdf"))
        return http_reply_error(call, MHD_HTTP_BAD_REQUEST, "source is portfolio or self_made_pdf");
    if (v[3] && strcmp(v[3], "application_no") && strcmp(v[3], "name") && strcmp(v[3], "average"))
        return http_reply_error(call, MHD_HTTP_BAD_REQUEST, "sort is application_no, name or average");
    struct applicant_filter filter = {department, v[2], v[1], v[3], false};
    struct blind_names *blind;
    if (!http_blind(call, department, &blind, &result))
        return result;
    struct error err;
    json_t *list = query_applicants(call->store, &filter, &err);
    if (!list) {
        blind_names_free(blind);
        return http_reply_internal(call, "applicants", &err);
    }
    if (blind) {
        blind_rows(list, blind);
        /* Sorted by the pseudonyms, not by the names they replace. */
        if (v[3] && strcmp(v[3], "name") == 0)
            blind_sort_by_name(list);
    }
    blind_names_free(blind);
    char detail[64];
    snprintf(detail, sizeof detail, "department=%s", department);
    return http_reply_recorded(call, list, "list_applicants", NULL, detail);
}

enum MHD_Result handle_applicant(struct http_call *call)
{
    sqlite3_int64 id;
    enum MHD_Result result;
    if (!http_application(call, &id, &result))
        return result;
    struct error err;
    json_t *show = query_show(call->store, id, NULL, false, &err);
    if (!show)
        return http_reply_internal(call, "show", &err);
    if (!blind_if_needed(call, show, &result)) {
        json_decref(show);
        return result;
    }
    return http_reply_recorded(call, show, "view_application", call->params[0], NULL);
}

enum MHD_Result handle_overview(struct http_call *call)
{
    sqlite3_int64 id;
    enum MHD_Result result;
    if (!http_application(call, &id, &result))
        return result;
    struct error err;
    json_t *overview = query_overview(call->store, id, &err);
    if (!overview)
        return http_reply_internal(call, "overview", &err);
    if (!blind_if_needed(call, overview, &result)) {
        json_decref(overview);
        return result;
    }
    return http_reply_recorded(call, overview, "view_overview", call->params[0], NULL);
}

enum MHD_Result handle_categories(struct http_call *call)
{
    sqlite3_int64 id;
    enum MHD_Result result;
    if (!http_application(call, &id, &result))
        return result;
    struct error err;
    json_t *list = query_categories(call->store, id, &err);
    if (!list)
        return http_reply_internal(call, "categories", &err);
    return http_reply_recorded(call, list, "view_categories", call->params[0], NULL);
}

enum MHD_Result handle_category(struct http_call *call)
{
    sqlite3_int64 id;
    enum MHD_Result result;
    if (!http_application(call, &id, &result))
        return result;
    char department[16], key[512];
    http_application_department(call, department);
    struct blind_names *blind;
    if (!http_blind(call, department, &blind, &result))
        return result;
    /* A name too long for the key is answered without the cache, never cut
     * (two names cut alike would share an answer); blind answers are
     * cached apart from full ones. */
    bool cacheable = snprintf(key, sizeof key, "%s%lld/%s", blind ? "blind/" : "", (long long)id,
                              call->params[1]) < (int)sizeof key;
    GBytes *answer = cacheable ? worker_cached_view(call->worker, key) : NULL;
    if (answer) {
        g_bytes_ref(answer);
    } else {
        struct error err;
        /* query_show fails for a category the application does not have; an
         * existing application always has its header, so that is the one
         * failure to expect here. */
        json_t *show = query_show(call->store, id, call->params[1], false, &err);
        if (!show) {
            blind_names_free(blind);
            return http_reply_not_found(call, "no such category");
        }
        if (blind)
            blind_application(show, blind);
        if (!(answer = http_json_bytes(show))) {
            blind_names_free(blind);
            return http_reply_internal(call, "category", NULL);
        }
        if (cacheable)
            worker_keep_view(call->worker, key, answer);
    }
    blind_names_free(blind);
    return http_reply_recorded_text(call, answer, "view_category", call->params[0], call->params[1]);
}

enum MHD_Result handle_distribution(struct http_call *call)
{
    static const char *const names[] = {"department", "course", "subject", "category", "domain",
                                        "year", "semester", "grade", NULL};
    const char *v[HTTP_QUERY_VALUES_MAX] = {0};
    enum MHD_Result result;
    if (!http_query_values(call, names, v, &result))
        return result;
    const char *department = http_department(call, v[0], &result);
    if (!department)
        return result;
    int keys = !!v[1] + !!v[2] + !!v[3] + !!v[4];
    if (keys != 1)
        return http_reply_error(call, MHD_HTTP_BAD_REQUEST,
                           "give one of course, subject, category or domain");
    struct distribution_request request = {
        .department = department,
        .key = v[1] ? DIST_COURSE : v[2] ? DIST_SUBJECT : v[3] ? DIST_CATEGORY : DIST_DOMAIN,
        .value = v[1] ? v[1] : v[2] ? v[2] : v[3] ? v[3] : v[4],
    };
    long year = 0, grade = 0, semester = 0;
    /* A term: year and semester of a course code, or grade and semester
     * of a subject (a course row's pool). */
    bool course_term = v[1] && v[5] && !v[7], subject_term = v[2] && v[7] && !v[5];
    if ((v[5] || v[6] || v[7]) &&
        (!(course_term || subject_term) || !text_parse_integer(v[6], 1, 2, &semester) ||
         (course_term && !text_parse_integer(v[5], 1, 9999, &year)) ||
         (subject_term && !text_parse_integer(v[7], 1, 3, &grade))))
        return http_reply_error(call, MHD_HTTP_BAD_REQUEST, "semester (1 or 2) goes with year "
                                "and course, or with grade (1 to 3) and subject");
    request.year = (int)year;
    request.grade = (int)grade;
    request.semester = (int)semester;
    if (subject_term)
        request.key = DIST_TERM;
    struct error err;
    json_t *dist = query_distribution(call->store, &request, &err);
    if (!dist)
        return http_reply_failure(call, "distribution", &err);
    /* The pool's list of applicants names them: blind for a blind reviewer. */
    struct blind_names *blind;
    if (!http_blind(call, department, &blind, &result)) {
        json_decref(dist);
        return result;
    }
    if (blind)
        blind_rows(json_object_get(dist, "applications"), blind);
    blind_names_free(blind);
    static const char *const key_names[] = {"course", "subject", "category", "domain", "subject"};
    char detail[AUDIT_FIELD_MAX];
    snprintf(detail, sizeof detail, "department=%s %s=%s", department, key_names[request.key],
             request.value);
    return http_reply_recorded(call, dist, "distribution", NULL, detail);
}

enum MHD_Result handle_requirements(struct http_call *call)
{
    const char *department = call->params[0];
    if (!auth_valid_code(department) || !auth_sees_department(call->session, department))
        return http_reply_not_found(call, "no such department");
    struct error err = {0};
    json_t *list = requirements_latest(call->store, department, &err);
    if (!list && err.kind == ERROR_NOT_FOUND)
        return http_reply_not_found(call, "no requirement list loaded for this department");
    if (!list)
        return http_reply_internal(call, "requirements", &err);
    return http_reply_json(call, MHD_HTTP_OK, list);
}

enum MHD_Result handle_file(struct http_call *call)
{
    struct auth_file file;
    bool found;
    struct error err;
    if (auth_find_file(call->store, call->session, call->params[0], &file, &found, &err) != 0)
        return http_reply_internal(call, "file", &err);
    if (!found)
        return http_reply_not_found(call, "no such file");
    char path[4096 + 200];
    store_file_path(call->store, call->params[0], file.media_type, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        http_log_error("%s: missing from the file store", path);
        return http_reply_error(call, MHD_HTTP_INTERNAL_SERVER_ERROR, "the file is missing from the store");
    }
    if (http_record(call, "file", file.application, call->params[0], &err) != 0) {
        close(fd);
        return http_reply_failure(call, "audit", &err);
    }
    char fallback[32], disposition[1024];
    const char *extension = store_extension_for(file.media_type);
    snprintf(fallback, sizeof fallback, "attachment.%s", extension ? extension : "bin");
    /* Under blind review the applicant's own file name is not sent. */
    char department[16];
    snprintf(department, sizeof department, "%.*s", (int)strcspn(file.application, "-"), file.application);
    struct blind_names *blind;
    enum MHD_Result result;
    if (!http_blind(call, department, &blind, &result)) {
        close(fd);
        return result;
    }
    http_content_disposition(blind ? fallback : file.name, fallback, disposition, sizeof disposition);
    blind_names_free(blind);
    return http_reply_file(call, fd, st.st_size, file.media_type, disposition);
}

enum MHD_Result handle_packet(struct http_call *call)
{
    sqlite3_int64 id;
    enum MHD_Result result;
    if (call->request->render == HTTP_RENDER_DONE)
        return pdf_jobs_finish(call);
    if (!http_application(call, &id, &result))
        return result;
    struct error err = {0};
    json_t *content = query_packet_content(call->store, id, &err);
    if (!content)
        return http_reply_failure(call, "packet", &err);
    if (!blind_if_needed(call, json_object_get(content, "application"), &result)) {
        json_decref(content);
        return result;
    }
    /* The reader's notes and the committee's shared ones close the packet. */
    char department[16];
    http_application_department(call, department);
    json_t *notes = notes_list(call->store, department, strchr(call->params[0], '-') + 1,
                               call->session->role == AUTH_REVIEWER ? call->session->user : NULL, &err);
    if (!notes) {
        json_decref(content);
        return http_reply_failure(call, "notes", &err);
    }
    json_object_set_new(content, "notes", notes);
    char download[96];
    snprintf(download, sizeof download, "packet-%s.pdf", call->params[0]);
    struct pdf_document document = {
        .kind = PDF_PACKET, .prefix = "packet", .content = content, .action = "packet_pdf",
        .application = call->params[0], .download_name = download,
    };
    result = pdf_jobs_serve(call, &document);
    json_decref(content);
    return result;
}

enum MHD_Result handle_compare(struct http_call *call)
{
    if (call->request->render == HTTP_RENDER_DONE)
        return pdf_jobs_finish(call);
    static const char *const names[] = {"department", NULL};
    const char *v[HTTP_QUERY_VALUES_MAX] = {0};
    enum MHD_Result result;
    if (!http_query_values(call, names, v, &result))
        return result;
    const char *department = http_department(call, v[0], &result);
    if (!department)
        return result;
    struct compare_request request = {.department = department};
    struct error err;
    struct blind_names *blind;
    if (!http_blind(call, department, &blind, &result))
        return result;
    json_t *table = compare_table(call->store, &request, &err);
    if (!table) {
        blind_names_free(blind);
        return http_reply_failure(call, "compare", &err);
    }
    size_t i;
    json_t *section;
    if (blind)
        json_array_foreach(json_object_get(table, "sections"), i, section)
            blind_rows(json_object_get(section, "rows"), blind);
    blind_names_free(blind);
    json_t *content = json_pack("{s:s, s:o}", "document", "compare-1", "table", table);
    char download[96], detail[64];
    snprintf(download, sizeof download, "compare-%s.pdf", department);
    snprintf(detail, sizeof detail, "department=%s", department);
    struct pdf_document document = {
        .kind = PDF_COMPARE, .prefix = "compare", .content = content, .action = "compare_pdf",
        .detail = detail, .download_name = download,
    };
    result = pdf_jobs_serve(call, &document);
    json_decref(content);
    return result;
}

/* ---- handlers: administration ------------------------------------------------- */


enum MHD_Result handle_users(struct http_call *call)
{
    struct error err;
    json_t *list = auth_user_list(call->store, call->shared->policy, &err);
    return list ? http_reply_json(call, MHD_HTTP_OK, list) : http_reply_internal(call, "users", &err);
}

enum MHD_Result handle_user_add(struct http_call *call)
{
    enum MHD_Result result;
    json_t *body = http_json_body(call, &result);
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
        return http_reply_error(call, MHD_HTTP_BAD_REQUEST, "give user, password, role "
                           "(reviewer, office or admin), departments [codes] or university");
    }
    struct auth_account account = {
        .name = name, .role = (enum auth_role)role,
        .university = json_string_value(json_object_get(body, "university")),
        .departments = codes, .department_count = count, .password = password,
    };
    char detail[96];
    snprintf(detail, sizeof detail, "%s %s", name, auth_role_name(account.role));
    struct error err;
    int rc = store_begin(call->store, &err) == 0 ? 0 : -1;
    if (rc == 0 && auth_user_add(call->store, &account, &err) != 0) {
        store_rollback(call->store);
        rc = -1;
    }
    json_decref(body);
    if (rc != 0)
        return http_reply_failure(call, "add user", &err);
    return http_commit_recorded(call, "user_add", NULL, detail, MHD_HTTP_CREATED, NULL);
}

enum MHD_Result handle_user_remove(struct http_call *call)
{
    const char *name = call->params[0];
    bool found = false;
    struct error err;
    if (!auth_valid_user_name(name))
        return http_reply_not_found(call, "no such user");
    if (store_begin(call->store, &err) != 0)
        return http_reply_failure(call, "remove user", &err);
    if (auth_user_remove(call->store, name, &found, &err) != 0 || !found) {
        store_rollback(call->store);
        return found ? http_reply_failure(call, "remove user", &err)
                     : http_reply_not_found(call, "no such user");
    }
    return http_commit_recorded(call, "user_remove", NULL, name, MHD_HTTP_OK, NULL);
}

enum MHD_Result handle_user_unlock(struct http_call *call)
{
    const char *name = call->params[0];
    bool found = false;
    long cleared = 0;
    struct error err;
    if (!auth_valid_user_name(name))
        return http_reply_not_found(call, "no such user");
    if (store_begin(call->store, &err) != 0)
        return http_reply_failure(call, "unlock user", &err);
    if (auth_unlock(call->store, name, &found, &cleared, &err) != 0 || !found) {
        store_rollback(call->store);
        return found ? http_reply_failure(call, "unlock user", &err)
                     : http_reply_not_found(call, "no such user");
    }
    char detail[AUTH_NAME_MAX + 64];
    snprintf(detail, sizeof detail, "%s: %ld failed login%s forgotten", name, cleared,
             cleared == 1 ? "" : "s");
    return http_commit_recorded(call, "user_unlock", NULL, detail, MHD_HTTP_OK,
                                json_pack("{s:b, s:s, s:I}", "ok", 1, "user", name,
                                          "cleared", (json_int_t)cleared));
}

enum MHD_Result handle_audit(struct http_call *call)
{
    static const char *const names[] = {"user", "application", "since", "limit", NULL};
    const char *v[HTTP_QUERY_VALUES_MAX] = {0};
    enum MHD_Result result;
    if (!http_query_values(call, names, v, &result))
        return result;
    long limit = 1000;
    if (v[3] && !text_parse_integer(v[3], 1, 100000, &limit))
        return http_reply_error(call, MHD_HTTP_BAD_REQUEST, "limit is 1 to 100000");
    struct audit_filter filter = {v[0], v[1], v[2], limit};
    struct error err;
    /* The log whole: rows still in the journal first, then a fresh snapshot. */
    http_end_reads(call);
    if (audit_writer_flush(call->shared->audit, &err) != 0)
        return http_reply_internal(call, "audit", &err);
    http_begin_reads(call);
    json_t *list = audit_list(call->store, &filter, &err);
    if (!list)
        return http_reply_failure(call, "audit", &err);   /* a malformed since is 400 */
    return http_reply_json(call, MHD_HTTP_OK, list);
}

/* ---- handlers: the browser UI ---------------------------------------------------- */

enum MHD_Result handle_static(struct http_call *call)
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
        return http_send(call, MHD_HTTP_OK, response);
    }
    return http_reply_not_found(call, "not found");
}
