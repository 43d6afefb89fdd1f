/* score_handlers — scoring routes: queues, sheets, saves, the office's
 * actions and the results. */
#include "server/score_handlers.h"
#include "scoring/assign.h"
#include "scoring/plan.h"
#include "scoring/results.h"
#include "scoring/scores.h"
#include "server/audit.h"
#include "server/auth.h"
#include "server/pdf_jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_office(const struct http_call *call)
{
    return call->session->role == AUTH_OFFICE;
}

static enum MHD_Result office_only(struct http_call *call)
{
    return http_reply_error(call, MHD_HTTP_FORBIDDEN, "the admissions office only");
}

/* The {id} parameter's department and number, once the session sees it. */
static bool application_parts(struct http_call *call, char department[8], char no[16],
                              enum MHD_Result *result)
{
    sqlite3_int64 id;
    if (!http_application(call, &id, result))
        return false;
    const char *dash = strchr(call->params[0], '-');
    snprintf(department, 8, "%.*s", (int)(dash - call->params[0]), call->params[0]);
    snprintf(no, 16, "%s", dash + 1);
    return true;
}


/* ---- the reviewer's side ------------------------------------------------------------ */

enum MHD_Result handle_scoring_plan(struct http_call *call)
{
    static const char *const names[] = {"department", NULL};
    const char *v[HTTP_QUERY_VALUES_MAX] = {0};
    enum MHD_Result result;
    if (!http_query_values(call, names, v, &result))
        return result;
    const char *department = http_department(call, v[0], &result);
    if (!department)
        return result;
    struct review_plan plan;
    struct error err;
    if (plan_load(call->store, department, &plan, NULL, &err) != 0)
        return http_reply_failure(call, "plan", &err);
    return http_reply_json(call, MHD_HTTP_OK, plan_to_json(&plan));
}

enum MHD_Result handle_scoring_queue(struct http_call *call)
{
    static const char *const names[] = {"department", NULL};
    const char *v[HTTP_QUERY_VALUES_MAX] = {0};
    enum MHD_Result result;
    if (!http_query_values(call, names, v, &result))
        return result;
    const char *department = http_department(call, v[0], &result);
    if (!department)
        return result;
    struct error err;
    json_t *queue = is_office(call)
        ? json_pack("{s:s, s:o*}", "department", department, "items",
                    assign_list(call->store, department, NULL, &err))
        : scores_queue(call->store, department, call->session->user, &err);
    if (!queue || !json_object_get(queue, "items")) {
        json_decref(queue);
        return http_reply_failure(call, "queue", &err);
    }
    char detail[64];
    snprintf(detail, sizeof detail, "department=%s", department);
    return http_reply_recorded(call, queue, "scoring_queue", NULL, detail);
}

enum MHD_Result handle_scoring_sheet(struct http_call *call)
{
    static const char *const names[] = {"reviewer", NULL};
    const char *v[HTTP_QUERY_VALUES_MAX] = {0};
    char department[8], no[16];
    enum MHD_Result result;
    if (!http_query_values(call, names, v, &result) ||
        !application_parts(call, department, no, &result))
        return result;
    /* A reviewer reads only their own sheet; the office any. */
    const char *reviewer = is_office(call) && v[0] ? v[0] : call->session->user;
    if (!is_office(call) && v[0] && strcmp(v[0], call->session->user) != 0)
        return http_reply_not_found(call, "no such sheet");
    struct error err;
    json_t *sheet = scores_sheet(call->store, department, no, reviewer, &err);
    if (!sheet)
        return http_reply_failure(call, "sheet", &err);
    return http_reply_recorded(call, sheet, "scoring_sheet", call->params[0], reviewer);
}

/* PUT (save) and POST …/submit: the reviewer's own sheet. */
static enum MHD_Result save(struct http_call *call, bool submit)
{
    char department[8], no[16];
    enum MHD_Result result;
    if (!application_parts(call, department, no, &result))
        return result;
    if (is_office(call))
        return http_reply_error(call, MHD_HTTP_FORBIDDEN, "a sheet is scored by its reviewer");
    json_t *body = http_json_body(call, &result);
    if (!body)
        return result;
    const json_t *version = json_object_get(body, "version");
    const json_t *items = json_object_get(body, "items");
    if (!json_is_integer(version) || !json_is_object(items)) {
        json_decref(body);
        return http_reply_error(call, MHD_HTTP_BAD_REQUEST, "give {\"version\": N, \"items\": {…}}");
    }
    struct scores_change change = {
        .department = department, .application_no = no, .reviewer = call->session->user,
        .user = call->session->user, .version = json_integer_value(version), .items = items,
    };
    struct error err;
    json_t *sheet = NULL;
    int rc = store_begin(call->store, &err);
    if (rc == 0 && scores_save(call->store, &change, submit, &sheet, &err) != 0) {
        store_rollback(call->store);
        rc = -1;
    }
    json_decref(body);
    if (rc != 0 && err.kind == ERROR_CONFLICT) {
        /* Nothing is lost: the client gets the sheet as it is now. */
        struct error ignored;
        json_t *current = scores_sheet(call->store, department, no, call->session->user, &ignored);
        return http_reply_json(call, MHD_HTTP_CONFLICT, json_pack("{s:s, s:o*}", "error", err.message,
                                                                  "sheet", current));
    }
    if (rc != 0)
        return http_reply_failure(call, "score", &err);
    return http_commit_recorded(call, submit ? "score_submit" : "score_save", call->params[0],
                           call->session->user, MHD_HTTP_OK, sheet);
}

enum MHD_Result handle_scoring_save(struct http_call *call)
{
    return save(call, false);
}

enum MHD_Result handle_scoring_submit(struct http_call *call)
{
    return save(call, true);
}

/* ---- the office's side ------------------------------------------------------------------ */

enum MHD_Result handle_scoring_reopen(struct http_call *call)
{
    char department[8], no[16];
    enum MHD_Result result;
    if (!is_office(call))
        return office_only(call);
    if (!application_parts(call, department, no, &result))
        return result;
    json_t *body = http_json_body(call, &result);
    if (!body)
        return result;
    const char *reviewer = json_string_value(json_object_get(body, "reviewer"));
    bool revision = json_is_true(json_object_get(body, "revision"));
    char detail[128];
    snprintf(detail, sizeof detail, "%s%s", reviewer ? reviewer : "", revision ? " revision" : "");
    struct error err;
    int rc = reviewer && auth_valid_user_name(reviewer) ? store_begin(call->store, &err)
           : error_set(&err, ERROR_INVALID, "give {\"reviewer\": NAME, \"revision\": true|false}");
    if (rc == 0 && scores_reopen(call->store, department, no, reviewer, call->session->user,
                                 revision, &err) != 0) {
        store_rollback(call->store);
        rc = -1;
    }
    json_decref(body);
    if (rc != 0)
        return http_reply_failure(call, "reopen", &err);
    return http_commit_recorded(call, "score_reopen", call->params[0], detail, MHD_HTTP_OK, NULL);
}

enum MHD_Result handle_scoring_next_reader(struct http_call *call)
{
    char department[8], no[16], chosen[65];
    enum MHD_Result result;
    if (!is_office(call))
        return office_only(call);
    if (!application_parts(call, department, no, &result))
        return result;
    struct error err;
    int rc = store_begin(call->store, &err);
    if (rc == 0 && assign_next_reader(call->store, department, no, call->session->user, chosen,
                                      &err) != 0) {
        store_rollback(call->store);
        rc = -1;
    }
    if (rc != 0)
        return http_reply_failure(call, "next reader", &err);
    return http_commit_recorded(call, "assign_next_reader", call->params[0], chosen, MHD_HTTP_OK,
                           json_pack("{s:s}", "reviewer", chosen));
}

enum MHD_Result handle_scoring_reassign(struct http_call *call)
{
    char department[8], no[16];
    enum MHD_Result result;
    if (!is_office(call))
        return office_only(call);
    if (!application_parts(call, department, no, &result))
        return result;
    json_t *body = http_json_body(call, &result);
    if (!body)
        return result;
    const char *from = json_string_value(json_object_get(body, "from"));
    const char *to = json_string_value(json_object_get(body, "to"));
    struct error err;
    char detail[160];
    snprintf(detail, sizeof detail, "%s -> %s", from ? from : "", to ? to : "");
    int rc = from && to && auth_valid_user_name(from) && auth_valid_user_name(to)
           ? store_begin(call->store, &err)
           : error_set(&err, ERROR_INVALID, "give {\"from\": NAME, \"to\": NAME}");
    if (rc == 0 && assign_reassign(call->store, department, no, from, to, call->session->user,
                                   &err) != 0) {
        store_rollback(call->store);
        rc = -1;
    }
    json_decref(body);
    if (rc != 0)
        return http_reply_failure(call, "reassign", &err);
    return http_commit_recorded(call, "assign_reassign", call->params[0], detail, MHD_HTTP_OK, NULL);
}

enum MHD_Result handle_scoring_history(struct http_call *call)
{
    char department[8], no[16];
    enum MHD_Result result;
    if (!is_office(call))
        return office_only(call);
    if (!application_parts(call, department, no, &result))
        return result;
    struct error err;
    json_t *history = scores_history(call->store, department, no, &err);
    if (!history)
        return http_reply_failure(call, "history", &err);
    return http_reply_recorded(call, history, "scoring_history", call->params[0], NULL);
}

/* The office's department from ?department=. */
static const char *office_department(struct http_call *call, enum MHD_Result *result)
{
    static const char *const names[] = {"department", "reviewer", NULL};
    const char *v[HTTP_QUERY_VALUES_MAX] = {0};
    if (!http_query_values(call, names, v, result))
        return NULL;
    return http_department(call, v[0], result);
}

enum MHD_Result handle_scoring_results(struct http_call *call)
{
    enum MHD_Result result;
    if (!is_office(call))
        return office_only(call);
    const char *department = office_department(call, &result);
    if (!department)
        return result;
    struct error err;
    json_t *table = results_table(call->store, department, &err);
    if (!table)
        return http_reply_failure(call, "results", &err);
    char detail[64];
    snprintf(detail, sizeof detail, "department=%s", department);
    return http_reply_recorded(call, table, "scoring_results", NULL, detail);
}

enum MHD_Result handle_scoring_csv(struct http_call *call)
{
    enum MHD_Result result;
    if (!is_office(call))
        return office_only(call);
    const char *department = office_department(call, &result);
    if (!department)
        return result;
    struct error err;
    json_t *table = results_table(call->store, department, &err);
    if (!table)
        return http_reply_failure(call, "results", &err);
    char *buffer = NULL;
    size_t length = 0;
    FILE *memory = open_memstream(&buffer, &length);
    int rc = memory ? results_write_csv(table, memory) : -1;
    if (memory)
        fclose(memory);
    json_decref(table);
    char detail[64];
    snprintf(detail, sizeof detail, "department=%s", department);
    if (rc != 0) {
        free(buffer);
        return http_reply_internal(call, "results csv", NULL);
    }
    if (http_record(call, "scoring_csv", NULL, detail, &err) != 0) {
        free(buffer);
        return http_reply_failure(call, "audit", &err);
    }
    struct MHD_Response *response = MHD_create_response_from_buffer(length, buffer, MHD_RESPMEM_MUST_FREE);
    if (!response) {
        free(buffer);
        return MHD_NO;
    }
    char disposition[96];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"scores-%s.csv\"", department);
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "text/csv; charset=utf-8");
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "private, no-store");
    return http_send(call, MHD_HTTP_OK, response);
}

enum MHD_Result handle_scoring_summary(struct http_call *call)
{
    enum MHD_Result result;
    if (call->request->render == HTTP_RENDER_DONE)
        return pdf_jobs_finish(call);
    if (!is_office(call))
        return office_only(call);
    const char *department = office_department(call, &result);
    if (!department)
        return result;
    struct error err;
    json_t *content = results_summary_content(call->store, department, &err);
    if (!content)
        return http_reply_failure(call, "summary", &err);
    char download[64], detail[64];
    snprintf(download, sizeof download, "scores-%s.pdf", department);
    snprintf(detail, sizeof detail, "department=%s", department);
    struct pdf_document document = {
        .kind = PDF_SUMMARY, .prefix = "summary", .content = content, .action = "summary_pdf",
        .detail = detail, .download_name = download,
    };
    result = pdf_jobs_serve(call, &document);
    json_decref(content);
    return result;
}

enum MHD_Result handle_scoring_scoresheet(struct http_call *call)
{
    static const char *const names[] = {"department", "reviewer", NULL};
    const char *v[HTTP_QUERY_VALUES_MAX] = {0};
    enum MHD_Result result;
    if (call->request->render == HTTP_RENDER_DONE)
        return pdf_jobs_finish(call);
    if (!http_query_values(call, names, v, &result))
        return result;
    const char *department = http_department(call, v[0], &result);
    if (!department)
        return result;
    const char *reviewer = is_office(call) && v[1] ? v[1] : call->session->user;
    if (!is_office(call) && v[1] && strcmp(v[1], call->session->user) != 0)
        return http_reply_not_found(call, "no such score sheet");
    if (!auth_valid_user_name(reviewer))
        return http_reply_error(call, MHD_HTTP_BAD_REQUEST, "bad reviewer name");
    struct error err;
    json_t *content = scores_sheets_content(call->store, department, reviewer, &err);
    if (!content)
        return http_reply_failure(call, "score sheets", &err);
    char download[128], detail[128];
    snprintf(download, sizeof download, "scoresheet-%s-%s.pdf", department, reviewer);
    snprintf(detail, sizeof detail, "department=%s reviewer=%s", department, reviewer);
    struct pdf_document document = {
        .kind = PDF_SCORESHEET, .prefix = "scoresheet", .content = content,
        .action = "scoresheet_pdf", .detail = detail, .download_name = download,
    };
    result = pdf_jobs_serve(call, &document);
    json_decref(content);
    return result;
}
