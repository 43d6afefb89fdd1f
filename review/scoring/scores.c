/* scores — score sheets: reading, checking, saving, submitting, reopening. */
#include "scoring/scores.h"
#include "core/category.h"
#include "core/checker.h"
#include "core/text.h"
#include "core/timestamp.h"
#include "query/blind.h"
#include "query/query.h"
#include "query/requirements.h"
#include "scoring/assign.h"
#include "scoring/plan.h"
#include "scoring/results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A sheet as stored, or a blank one. */
struct stored_sheet {
    bool exists;
    char status[16];
    json_t *items;                /* owned */
    long long version;
    char content_sha256[65];
    int list_version;
};

static int read_sheet(struct store *store, const char *department, const char *no,
                      const char *reviewer, struct stored_sheet *out, struct error *err)
{
    static const char *sql =
        "SELECT status, items, version, coalesce(content_sha256, ''), list_version FROM score_sheets"
        " WHERE department = ?1 AND application_no = ?2 AND reviewer = ?3";
    *out = (struct stored_sheet){0};
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, reviewer, -1, SQLITE_TRANSIENT);
    int row = store_step(store, s, err);
    if (row > 0) {
        out->exists = true;
        snprintf(out->status, sizeof out->status, "%s", (const char *)sqlite3_column_text(s, 0));
        out->items = json_loads((const char *)sqlite3_column_text(s, 1), 0, NULL);
        out->version = sqlite3_column_int64(s, 2);
        snprintf(out->content_sha256, sizeof out->content_sha256, "%s",
                 (const char *)sqlite3_column_text(s, 3));
        out->list_version = sqlite3_column_int(s, 4);
    }
    sqlite3_reset(s);
    if (!out->items)
        out->items = json_object();
    return row < 0 ? -1 : 0;
}

/* The reading number of the reviewer's assignment, 0 when none. */
static int reading_of(struct store *store, const char *department, const char *no,
                      const char *reviewer, struct error *err)
{
    static const char *sql =
        "SELECT reading FROM assignments WHERE department = ?1 AND application_no = ?2 AND reviewer = ?3";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, reviewer, -1, SQLITE_TRANSIENT);
    int row = store_step(store, s, err);
    int reading = row > 0 ? sqlite3_column_int(s, 0) : 0;
    sqlite3_reset(s);
    return row < 0 ? -1 : reading;
}

/* The application's content hash now, "" when it is not in the store. */
static int content_of(struct store *store, const char *department, const char *no, char out[65],
                      struct error *err)
{
    static const char *sql =
        "SELECT content_sha256 FROM applications WHERE department = ?1 AND application_no = ?2";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, no, -1, SQLITE_TRANSIENT);
    int row = store_step(store, s, err);
    snprintf(out, 65, "%s", row > 0 ? (const char *)sqlite3_column_text(s, 0) : "");
    sqlite3_reset(s);
    return row < 0 ? -1 : 0;
}

/* The rubric to score against: the newest list's items with their bands. */
static json_t *rubric(const json_t *list, const struct review_plan *plan)
{
    json_t *items = json_array();
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(list, "items"), i, item) {
        const char *code = json_string_value(json_object_get(item, "code"));
        const char *name = json_string_value(json_object_get(item, "name"));
        if (!name)
            name = category_item_name(code[0]);
        json_t *levels = json_array();
        for (int l = 0; l < CATEGORY_RUBRIC_LEVELS; l++)
            json_array_append_new(levels, json_pack("{s:s, s:i, s:i, s:O}", "name",
                category_rubric_levels[l], "low", plan->low[l], "high", plan->high[l], "text",
                json_object_get(json_object_get(item, "rubric"), category_rubric_levels[l])));
        json_array_append_new(items, json_pack("{s:s, s:s, s:O, s:O, s:o}", "code", code,
            "name", name ? name : "其他", "weight", json_object_get(item, "weight"),
            "focus", json_object_get(item, "focus"), "levels", levels));
    }
    return items;
}

/* See scores.h. */
int scores_check_items(const json_t *items, const json_t *list, const struct review_plan *plan,
                       bool complete, bool *all_scored, double *total, struct error *err)
{
    struct problem_list problems = {0};
    struct checker checker = {"score sheet", &problems, 0};
    struct checker *c = &checker;
    const json_t *listed = json_object_get(list, "items");
    /* Σ (10 × weight) × score, exact: weights have at most one decimal
     * (schema/requirements.md), so the sum in doubles of 10.1 × 5 … would
     * round half-cent totals down now and then. */
    long long tenths = 0;
    bool all = true;
    if (!json_is_object(items))
        checker_report(c, "$", "the items are an object {code: {level, score, comment}}");
    const char *code;
    const json_t *value;
    json_object_foreach((json_t *)items, code, value) {
        bool known = false;
        size_t i;
        const json_t *item;
        json_array_foreach(listed, i, item)
            known = known || strcmp(json_string_value(json_object_get(item, "code")), code) == 0;
        char p[64];
        checker_member_path(p, sizeof p, "$", code);
        if (!known)
            checker_report(c, p, "item %s is not on the department's list", code);
        else if (checker_is_object(c, value, p) && json_object_get(value, "comment"))
            checker_string(c, value, p, "comment", CHECK_NULLABLE, 0, SCORES_COMMENT_MAX);
    }
    size_t i;
    const json_t *item;
    json_array_foreach(listed, i, item) {
        const char *code_listed = json_string_value(json_object_get(item, "code"));
        const json_t *given = json_object_get(items, code_listed);
        char p[64];
        checker_member_path(p, sizeof p, "$", code_listed);
        const json_t *level = json_object_get(given, "level"), *score = json_object_get(given, "score");
        if (!json_is_object(given) || (json_is_null(level) && json_is_null(score)) || (!level && !score)) {
            all = false;
            if (complete)
                checker_report(c, p, "not scored: every item is scored before submitting");
            continue;
        }
        int l = plan_level_index(json_string_value(level));
        char lp[96], sp[96];
        checker_member_path(lp, sizeof lp, p, "level");
        checker_member_path(sp, sizeof sp, p, "score");
        if (l < 0) {
            checker_report(c, lp, "a level is one of 傑出, 優良, 普通, 待加強, 不佳");
            all = false;
        } else if (!json_is_integer(score)) {
            checker_report(c, sp, "a score is a whole number");
            all = false;
        } else if (json_integer_value(score) < plan->low[l] || json_integer_value(score) > plan->high[l]) {
            checker_report(c, sp, "%lld is outside %s %d–%d", json_integer_value(score),
                           category_rubric_levels[l], plan->low[l], plan->high[l]);
            all = false;
        } else {
            tenths += llround(json_number_value(json_object_get(item, "weight")) * 10.0) *
                      json_integer_value(score);
        }
    }
    int rc = 0;
    if (problems.count > 0)
        rc = error_set(err, ERROR_INVALID, "%s: %s", problems.items[0].path, problems.items[0].rule);
    problems_free(&problems);
    *all_scored = all;
    *total = (double)((tenths + 5) / 10) / 100.0;   /* Σ weight × score / 100, two decimals, half up */
    return rc;
}

/* The sheet's JSON for callers: the stored state with the rubric. */
static json_t *sheet_json(const char *department, const char *no, const char *reviewer,
                          int reading, const struct stored_sheet *sheet, const json_t *list,
                          const struct review_plan *plan, const char *content_now)
{
    bool all;
    double total;
    struct error ignored;
    bool totalled = sheet->exists && scores_check_items(sheet->items, list, plan, false, &all, &total,
                                                 &ignored) == 0 && all;
    char key[32];
    snprintf(key, sizeof key, "%s-%s", department, no);
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:I, s:O, s:O, s:o, s:b, s:o}",
        "application", key, "department", department, "application_no", no, "reviewer", reviewer,
        "reading", reading, "status", sheet->exists ? sheet->status : "unscored",
        "version", (json_int_t)sheet->version, "list_version", json_object_get(list, "loaded_version"),
        "items", sheet->items, "total", totalled ? json_real(total) : json_null(),
        "changed_after_scoring", sheet->exists && sheet->content_sha256[0] &&
                                 strcmp(sheet->content_sha256, content_now) != 0,
        "rubric", rubric(list, plan));
}

/* The list and plan a department's sheets are scored against. */
static json_t *scoring_basis(struct store *store, const char *department, struct review_plan *plan,
                             struct error *err)
{
    if (plan_load(store, department, plan, NULL, err) != 0)
        return NULL;
    json_t *list = requirements_latest(store, department, err);
    if (!list && err->kind == ERROR_NOT_FOUND)
        error_set(err, ERROR_INVALID, "department %s has no required-item list: load one before "
                  "scoring (beishen requirements load)", department);
    return list;
}

json_t *scores_sheet(struct store *store, const char *department, const char *application_no,
                     const char *reviewer, struct error *err)
{
    struct review_plan plan;
    int reading = reading_of(store, department, application_no, reviewer, err);
    if (reading < 0)
        return NULL;
    if (reading == 0) {
        error_set(err, ERROR_NOT_FOUND, "%s does not read %s-%s", reviewer, department, application_no);
        return NULL;
    }
    json_t *list = scoring_basis(store, department, &plan, err);
    if (!list)
        return NULL;
    struct stored_sheet sheet;
    char content[65];
    json_t *result = NULL;
    if (read_sheet(store, department, application_no, reviewer, &sheet, err) == 0 &&
        content_of(store, department, application_no, content, err) == 0)
        result = sheet_json(department, application_no, reviewer, reading, &sheet, list, &plan, content);
    json_decref(sheet.items);
    json_decref(list);
    return result;
}

/* A sheet's state as history keeps it. */
static char *state_text(const char *status, const json_t *items, double total, bool totalled)
{
    json_t *state = json_pack("{s:s, s:O, s:o}", "status", status, "items", items,
                              "total", totalled ? json_real(total) : json_null());
    /* 15 significant digits: 84.6, not 84.599999999999994. */
    char *text = json_dumps(state, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    json_decref(state);
    return text;
}

static int add_history(struct store *store, const char *department, const char *no,
                       const char *reviewer, const char *user, const char *action, const char *old,
                       const char *new, struct error *err)
{
    static const char *sql =
        "INSERT INTO score_history (department, application_no, reviewer, at, user, action, old, new)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    char now[TIMESTAMP_SIZE];
    timestamp_now_milliseconds(now);
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, reviewer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, action, -1, SQLITE_TRANSIENT);
    if (old)
        sqlite3_bind_text(s, 7, old, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 8, new, -1, SQLITE_TRANSIENT);
    return store_step(store, s, err) < 0 ? error_prefix(err, "score history") : 0;
}

/* After a submission: a newly flagged application gets its next reader
 * when the plan says so and it has none beyond the plan's readers yet. */
static int after_submit(struct store *store, const char *department, const char *no,
                        const struct review_plan *plan, const char *user, struct error *err)
{
    /* The flag is computed only when it could assign a reader: it reads the
     * department's readings, inside the write transaction. */
    if (!plan->automatic_third_reader)
        return 0;
    json_t *row = results_application(store, department, no, err);
    if (!row)
        return -1;
    bool needs_reader = json_is_true(json_object_get(row, "pending")) &&
                        (int)json_array_size(json_object_get(row, "readers")) <= plan->readers;
    json_decref(row);
    if (!needs_reader)
        return 0;
    char chosen[65];
    if (assign_next_reader(store, department, no, user, chosen, err) == 0)
        return 0;
    /* No eligible reviewer left: the flag waits in the office's queue. */
    if (err->kind == ERROR_INVALID) {
        error_clear(err);
        return 0;
    }
    return -1;
}

int scores_save(struct store *store, const struct scores_change *change, bool submit,
                json_t **result, struct error *err)
{
    static const char *upsert =
        "INSERT INTO score_sheets (department, application_no, reviewer, list_version, status,"
        " items, total, version, content_sha256, updated_at, submitted_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        " ON CONFLICT(department, application_no, reviewer) DO UPDATE SET"
        " list_version = excluded.list_version, status = excluded.status, items = excluded.items,"
        " total = excluded.total, version = excluded.version, content_sha256 = excluded.content_sha256,"
        " updated_at = excluded.updated_at, submitted_at = excluded.submitted_at";
    if (result)
        *result = NULL;
    struct review_plan plan;
    struct stored_sheet sheet = {0};
    json_t *list = NULL;
    char *old = NULL, *new = NULL;
    char content[65];
    if (store_begin(store, err) != 0)
        return -1;
    int rc = 0;
    int reading = reading_of(store, change->department, change->application_no, change->reviewer, err);
    if (reading < 0)
        rc = -1;
    else if (reading == 0)
        rc = error_set(err, ERROR_NOT_FOUND, "%s does not read %s-%s", change->reviewer,
                       change->department, change->application_no);
    if (rc == 0 && !(list = scoring_basis(store, change->department, &plan, err)))
        rc = -1;
    if (rc == 0)
        rc = read_sheet(store, change->department, change->application_no, change->reviewer, &sheet, err);
    if (rc == 0 && sheet.exists && strcmp(sheet.status, "submitted") == 0)
        rc = error_set(err, ERROR_CONFLICT, "the sheet is submitted and locked: only the office "
                       "can reopen it");
    if (rc == 0 && change->version != sheet.version)
        rc = error_set(err, ERROR_CONFLICT, "the sheet changed since version %lld: it is at version "
                       "%lld now", change->version, sheet.version);
    bool all = false;
    double total = 0;
    if (rc == 0)
        rc = scores_check_items(change->items, list, &plan, submit, &all, &total, err);
    if (rc == 0)
        rc = content_of(store, change->department, change->application_no, content, err);
    /* Comments that are empty are not kept. */
    json_t *items = rc == 0 ? json_deep_copy(change->items) : NULL;
    const char *code;
    json_t *value;
    json_object_foreach(items, code, value)
        if (json_is_string(json_object_get(value, "comment")) &&
            !json_string_value(json_object_get(value, "comment"))[0])
            json_object_del(value, "comment");
    if (rc == 0) {
        if (sheet.exists)
            old = state_text(sheet.status, sheet.items, 0, false);
        new = state_text(submit ? "submitted" : "draft", items, total, all);
        sqlite3_stmt *s = store_statement(store, upsert, err);
        if (!s) {
            rc = -1;
        } else {
            char now[TIMESTAMP_SIZE];
            timestamp_now(now);
            char *text = json_dumps(items, JSON_COMPACT | JSON_SORT_KEYS);
            sqlite3_bind_text(s, 1, change->department, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 2, change->application_no, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 3, change->reviewer, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 4, json_integer_value(json_object_get(list, "loaded_version")));
            sqlite3_bind_text(s, 5, submit ? "submitted" : "draft", -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 6, text, -1, free);
            if (all)
                sqlite3_bind_double(s, 7, total);
            sqlite3_bind_int64(s, 8, sheet.version + 1);
            sqlite3_bind_text(s, 9, content, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 10, now, -1, SQLITE_TRANSIENT);
            if (submit)
                sqlite3_bind_text(s, 11, now, -1, SQLITE_TRANSIENT);
            rc = store_step(store, s, err) < 0 ? error_prefix(err, "score sheet") : 0;
        }
    }
    if (rc == 0)
        rc = add_history(store, change->department, change->application_no, change->reviewer,
                         change->user, submit ? "submit" : "save", old, new, err);
    if (rc == 0 && submit)
        rc = after_submit(store, change->department, change->application_no, &plan, change->user, err);
    if (rc == 0 && result) {
        struct stored_sheet saved = {0};
        rc = read_sheet(store, change->department, change->application_no, change->reviewer, &saved, err);
        if (rc == 0)
            *result = sheet_json(change->department, change->application_no, change->reviewer,
                                 reading, &saved, list, &plan, content);
        json_decref(saved.items);
    }
    free(old);
    free(new);
    json_decref(items);
    json_decref(sheet.items);
    json_decref(list);
    if (rc == 0 && store_commit(store, err) == 0)
        return 0;
    store_rollback(store);
    if (result) {
        json_decref(*result);
        *result = NULL;
    }
    return -1;
}

int scores_reopen(struct store *store, const char *department, const char *application_no,
                  const char *reviewer, const char *user, bool for_revision, struct error *err)
{
    static const char *reopen =
        "UPDATE score_sheets SET status = 'draft', version = version + 1, submitted_at = NULL,"
        " updated_at = ?4 WHERE department = ?1 AND application_no = ?2 AND reviewer = ?3";
    static const char *resolution =
        "INSERT INTO score_resolutions (department, application_no, method, decided_by, decided_at)"
        " VALUES (?1, ?2, 'revision', ?3, ?4) ON CONFLICT(department, application_no) DO UPDATE SET"
        " method = 'revision', decided_by = excluded.decided_by, decided_at = excluded.decided_at";
    struct stored_sheet sheet;
    char now[TIMESTAMP_SIZE];
    timestamp_now(now);
    if (store_begin(store, err) != 0)
        return -1;
    int rc = read_sheet(store, department, application_no, reviewer, &sheet, err);
    if (rc == 0 && (!sheet.exists || strcmp(sheet.status, "submitted") != 0))
        rc = error_set(err, ERROR_CONFLICT, "%s's sheet of %s-%s is not submitted", reviewer,
                       department, application_no);
    char *old = rc == 0 ? state_text("submitted", sheet.items, 0, false) : NULL;
    char *new = rc == 0 ? state_text("draft", sheet.items, 0, false) : NULL;
    sqlite3_stmt *s = rc == 0 ? store_statement(store, reopen, err) : NULL;
    if (rc == 0 && !s)
        rc = -1;
    if (s) {
        sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, application_no, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, reviewer, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, now, -1, SQLITE_TRANSIENT);
        rc = store_step(store, s, err) < 0 ? -1 : 0;
    }
    if (rc == 0)
        rc = add_history(store, department, application_no, reviewer, user, "reopen", old, new, err);
    if (rc == 0 && for_revision) {
        if (!(s = store_statement(store, resolution, err))) {
            rc = -1;
        } else {
            sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 2, application_no, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 3, user, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 4, now, -1, SQLITE_TRANSIENT);
            rc = store_step(store, s, err) < 0 ? -1 : 0;
        }
    }
    free(old);
    free(new);
    json_decref(sheet.items);
    if (rc == 0 && store_commit(store, err) == 0)
        return 0;
    store_rollback(store);
    return -1;
}

json_t *scores_history(struct store *store, const char *department, const char *application_no,
                       struct error *err)
{
    static const char *sql =
        "SELECT reviewer, at, user, action, old, new FROM score_history"
        " WHERE department = ?1 AND application_no = ?2 ORDER BY id";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, application_no, -1, SQLITE_TRANSIENT);
    json_t *list = json_array();
    int row;
    while ((row = store_step(store, s, err)) > 0) {
        json_t *old = sqlite3_column_type(s, 4) == SQLITE_NULL ? json_null()
                    : json_loads((const char *)sqlite3_column_text(s, 4), 0, NULL);
        json_t *new = json_loads((const char *)sqlite3_column_text(s, 5), 0, NULL);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}",
            "reviewer", (const char *)sqlite3_column_text(s, 0),
            "at", (const char *)sqlite3_column_text(s, 1),
            "user", (const char *)sqlite3_column_text(s, 2),
            "action", (const char *)sqlite3_column_text(s, 3),
            "old", old ? old : json_null(), "new", new ? new : json_null()));
    }
    sqlite3_reset(s);
    if (row < 0) {
        json_decref(list);
        return NULL;
    }
    return list;
}

json_t *scores_queue(struct store *store, const char *department, const char *reviewer,
                     struct error *err)
{
    json_t *items = assign_list(store, department, reviewer, err);
    if (!items)
        return NULL;
    int submitted = 0, drafts = 0;
    const char *next = NULL;
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        const char *status = json_string_value(json_object_get(item, "status"));
        submitted += strcmp(status, "submitted") == 0;
        drafts += strcmp(status, "draft") == 0;
        if (!next && strcmp(status, "submitted") != 0)
            next = json_string_value(json_object_get(item, "application"));
    }
    return json_pack("{s:s, s:s, s:i, s:i, s:i, s:s?, s:o}", "reviewer", reviewer,
                     "department", department, "assigned", (int)json_array_size(items),
                     "submitted", submitted, "drafts", drafts, "next", next, "items", items);
}

json_t *scores_reviewer_sheets(struct store *store, const char *department, const char *reviewer,
                               struct error *err)
{
    json_t *items = assign_list(store, department, reviewer, err);
    if (!items)
        return NULL;
    json_t *sheets = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        json_t *sheet = scores_sheet(store, department,
                                     json_string_value(json_object_get(item, "application_no")),
                                     reviewer, err);
        if (!sheet) {
            json_decref(sheets);
            sheets = NULL;
            break;
        }
        json_array_append_new(sheets, sheet);
    }
    json_decref(items);
    return sheets;
}

json_t *scores_sheets_content(struct store *store, const char *department, const char *reviewer,
                              struct error *err)
{
    struct review_plan plan;
    if (plan_load(store, department, &plan, NULL, err) != 0)
        return NULL;
    json_t *header = query_department(store, department, err);
    json_t *sheets = header ? scores_reviewer_sheets(store, department, reviewer, err) : NULL;
    json_t *results = sheets ? results_table(store, department, err) : NULL;
    if (!results) {
        json_decref(header);
        json_decref(sheets);
        return NULL;
    }
    json_t *names = json_object();
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(results, "applications"), i, row)
        json_object_set(names, json_string_value(json_object_get(row, "application_no")),
                        json_object_get(row, "name"));
    json_decref(results);
    /* Blind review: a reviewer's own 評分表 names applicants by their
     * pseudonyms, as the workstation shows them. */
    if (plan.blind) {
        struct blind_names *pseudonyms = blind_names_load(store, department, err);
        if (!pseudonyms) {
            json_decref(header);
            json_decref(sheets);
            json_decref(names);
            return NULL;
        }
        const char *no;
        json_t *value;
        void *next;
        json_object_foreach_safe(names, next, no, value)
            json_object_set_new(names, no, json_string(blind_pseudonym(pseudonyms, no)));
        blind_names_free(pseudonyms);
    }
    return json_pack("{s:s, s:o, s:s, s:b, s:o, s:o}", "document", "scoresheet-1",
                     "department", header, "reviewer", reviewer, "blind", plan.blind,
                     "names", names, "sheets", sheets);
}
