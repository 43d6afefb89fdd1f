/* plan — review plans: defaults, checks of the JSON format, storage. */
#include "scoring/plan.h"
#include "core/files.h"
#include "core/timestamp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PLAN_BYTES (64u << 10)

static const char *const rule_names[] = {"mean", "closest-two", "normalized", NULL};

const char *plan_rule_name(enum plan_rule rule)
{
    return rule_names[rule];
}

int plan_level_index(const char *name)
{
    for (int i = 0; name && i < CATEGORY_RUBRIC_LEVELS; i++)
        if (strcmp(name, category_rubric_levels[i]) == 0)
            return i;
    return -1;
}

void plan_defaults(const char *department, struct review_plan *plan)
{
    static const int low[] = {90, 80, 70, 60, 0}, high[] = {100, 89, 79, 69, 59};
    *plan = (struct review_plan){.readers = 2, .threshold = 15, .rule = PLAN_MEAN,
                                 .automatic_third_reader = true};
    snprintf(plan->department, sizeof plan->department, "%s", department ? department : "");
    memcpy(plan->low, low, sizeof low);
    memcpy(plan->high, high, sizeof high);
}

/* The levels' bands: every level once, each [low, high] inside 0..100,
 * the better level above the worse, none overlapping. */
static void check_levels(struct checker *c, const json_t *levels)
{
    long long low[CATEGORY_RUBRIC_LEVELS], high[CATEGORY_RUBRIC_LEVELS];
    bool all = true;
    for (int i = 0; i < CATEGORY_RUBRIC_LEVELS; i++) {
        char p[96];
        checker_member_path(p, sizeof p, "$.levels", category_rubric_levels[i]);
        const json_t *band = checker_typed(c, levels, "$.levels", category_rubric_levels[i],
                                           JSON_ARRAY, "array [low, high]");
        if (!band) {
            all = false;
            continue;
        }
        const json_t *a = json_array_get(band, 0), *b = json_array_get(band, 1);
        if (json_array_size(band) != 2 || !json_is_integer(a) || !json_is_integer(b)) {
            checker_report(c, p, "a band is [low, high], two whole numbers");
            all = false;
            continue;
        }
        low[i] = json_integer_value(a);
        high[i] = json_integer_value(b);
        if (low[i] < 0 || high[i] > 100 || low[i] > high[i]) {
            checker_report(c, p, "[%lld, %lld] is not a band inside 0..100", low[i], high[i]);
            all = false;
        }
    }
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)levels, key, value) {
        if (plan_level_index(key) < 0) {
            char p[96];
            checker_member_path(p, sizeof p, "$.levels", key);
            checker_report(c, p, "unknown level (傑出, 優良, 普通, 待加強, 不佳)");
        }
    }
    for (int i = 1; all && i < CATEGORY_RUBRIC_LEVELS; i++)
        if (high[i] >= low[i - 1])
            checker_report(c, "$.levels", "%s [%lld, %lld] reaches into %s [%lld, %lld]: "
                           "a better level's band lies above a worse one's, without overlap",
                           category_rubric_levels[i], low[i], high[i],
                           category_rubric_levels[i - 1], low[i - 1], high[i - 1]);
}

size_t plan_check(const json_t *json, const char *file, struct problem_list *problems)
{
    struct checker checker = {file, problems, 0};
    struct checker *c = &checker;
    if (!json_is_object(json)) {
        checker_report(c, "$", "expected object, found %s", checker_type_name(json));
        return c->found;
    }
    static const char *const formats[] = {"beishen-review-plan", NULL};
    checker_enum(c, json, "$", "format", CHECK_REQUIRED, formats);
    checker_integer(c, json, "$", "version", 1, 1, NULL);
    checker_format(c, json, "$", "department", CHECK_REQUIRED, checker_is_six_digits, "6 digits");
    checker_integer(c, json, "$", "readers", 1, 5, NULL);
    bool present;
    checker_number(c, json, "$", "threshold", CHECK_REQUIRED, 0, 100, 2, &present);
    const json_t *levels = checker_typed(c, json, "$", "levels", JSON_OBJECT, "object");
    if (levels)
        check_levels(c, levels);
    checker_enum(c, json, "$", "final_rule", CHECK_REQUIRED, rule_names);
    checker_boolean(c, json, "$", "blind_review", CHECK_REQUIRED);
    checker_boolean(c, json, "$", "automatic_third_reader", CHECK_REQUIRED);
    static const char *const known[] = {"format", "version", "department", "readers", "threshold",
                                        "levels", "final_rule", "blind_review",
                                        "automatic_third_reader", NULL};
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)json, key, value) {
        if (!checker_in_list(key, known)) {
            char p[128];
            checker_member_path(p, sizeof p, "$", key);
            checker_report(c, p, "unknown member");
        }
    }
    return c->found;
}

int plan_read(const char *path, json_t **out, struct problem_list *problems)
{
    char *data = NULL;
    size_t length = 0;
    struct error err;
    *out = NULL;
    if (files_read(path, MAX_PLAN_BYTES, &data, &length, &err) != 0) {
        problems_add(problems, path, "", "%s", err.message);
        return -1;
    }
    json_error_t json_err;
    json_t *json = json_loadb(data, length, JSON_REJECT_DUPLICATES, &json_err);
    free(data);
    if (!json) {
        problems_add(problems, path, "", "not valid JSON: %s (line %d, column %d)", json_err.text,
                     json_err.line, json_err.column);
        return -1;
    }
    *out = json;
    return (int)plan_check(json, path, problems);
}

void plan_from_json(const json_t *json, struct review_plan *plan)
{
    plan_defaults(json_string_value(json_object_get(json, "department")), plan);
    plan->readers = (int)json_integer_value(json_object_get(json, "readers"));
    plan->threshold = json_number_value(json_object_get(json, "threshold"));
    const json_t *levels = json_object_get(json, "levels");
    for (int i = 0; i < CATEGORY_RUBRIC_LEVELS; i++) {
        const json_t *band = json_object_get(levels, category_rubric_levels[i]);
        plan->low[i] = (int)json_integer_value(json_array_get(band, 0));
        plan->high[i] = (int)json_integer_value(json_array_get(band, 1));
    }
    const char *rule = json_string_value(json_object_get(json, "final_rule"));
    for (int r = 0; rule_names[r]; r++)
        if (rule && strcmp(rule, rule_names[r]) == 0)
            plan->rule = (enum plan_rule)r;
    plan->blind = json_is_true(json_object_get(json, "blind_review"));
    plan->automatic_third_reader = json_is_true(json_object_get(json, "automatic_third_reader"));
}

json_t *plan_to_json(const struct review_plan *plan)
{
    json_t *levels = json_object();
    for (int i = 0; i < CATEGORY_RUBRIC_LEVELS; i++)
        json_object_set_new(levels, category_rubric_levels[i],
                            json_pack("[i, i]", plan->low[i], plan->high[i]));
    return json_pack("{s:s, s:i, s:s, s:i, s:f, s:o, s:s, s:b, s:b}",
                     "format", "beishen-review-plan", "version", 1, "department", plan->department,
                     "readers", plan->readers, "threshold", plan->threshold, "levels", levels,
                     "final_rule", plan_rule_name(plan->rule), "blind_review", plan->blind,
                     "automatic_third_reader", plan->automatic_third_reader);
}

int plan_store(struct store *store, const json_t *json, const char *by, struct error *err)
{
    static const char *sql =
        "INSERT INTO review_plans (department, plan, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)"
        " ON CONFLICT(department) DO UPDATE SET plan = excluded.plan,"
        " updated_at = excluded.updated_at, updated_by = excluded.updated_by";
    struct review_plan plan;
    plan_from_json(json, &plan);
    json_t *canonical = plan_to_json(&plan);
    char *text = json_dumps(canonical, JSON_COMPACT);
    json_decref(canonical);
    sqlite3_stmt *s = text ? store_statement(store, sql, err) : NULL;
    if (!s) {
        free(text);
        return text ? -1 : error_set(err, ERROR_INTERNAL, "out of memory");
    }
    char now[TIMESTAMP_SIZE];
    timestamp_now(now);
    sqlite3_bind_text(s, 1, plan.department, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, text, -1, free);
    sqlite3_bind_text(s, 3, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, by, -1, SQLITE_TRANSIENT);
    return store_step(store, s, err) < 0 ? error_prefix(err, "review plan") : 0;
}

int plan_load(struct store *store, const char *department, struct review_plan *plan,
              bool *stored, struct error *err)
{
    static const char *sql = "SELECT plan FROM review_plans WHERE department = ?1";
    plan_defaults(department, plan);
    if (stored)
        *stored = false;
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    int row = store_step(store, s, err);
    json_t *json = row > 0 ? json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL) : NULL;
    sqlite3_reset(s);
    if (row < 0)
        return -1;
    if (row > 0 && !json)
        return error_set(err, ERROR_INTERNAL, "the stored plan of %s is unreadable", department);
    if (json) {
        plan_from_json(json, plan);
        json_decref(json);
        if (stored)
            *stored = true;
    }
    return 0;
}
