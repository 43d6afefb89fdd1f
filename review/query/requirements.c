/* requirements — checks, versioned storage and reading of required-item lists. */
#include "query/requirements.h"
#include "core/category.h"
#include "core/files.h"
#include "core/text.h"
#include "core/timestamp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#define MAX_LIST_BYTES   (1u << 20)
#define MAX_FOCUS_CHARS  300
#define MAX_NOTE_CHARS   600
#define MAX_RUBRIC_CHARS 200


/* A member {code, name}: the university (3 digits) or the department (6). */
static void check_code_and_name(struct checker *c, const json_t *list, const char *key,
                                bool (*valid_code)(const char *), const char *code_rule)
{
    const json_t *value = checker_typed(c, list, "$", key, JSON_OBJECT, "object");
    if (!value)
        return;
    char p[64];
    checker_member_path(p, sizeof p, "$", key);
    checker_format(c, value, p, "code", CHECK_REQUIRED, valid_code, code_rule);
    checker_string(c, value, p, "name", CHECK_REQUIRED, 1, 100);
}

/* Adds the member `weight` (0..100, at most one decimal) to *sum. */
static void add_weight(struct checker *c, const json_t *object, const char *parent, double *sum)
{
    bool present = false;
    if (checker_number(c, object, parent, "weight", CHECK_REQUIRED, 0, 100, 1, &present) && present)
        *sum += json_number_value(json_object_get(object, "weight"));
}

static void check_weights_sum(struct checker *c, const char *path, double sum, const char *what)
{
    if (fabs(sum - 100) > 1e-9)
        checker_report(c, path, "%s weights sum to %g, not 100", what, sum);
}

static void check_stages(struct checker *c, const json_t *list)
{
    const json_t *stages = checker_array(c, list, "$", "stages", 10);
    if (!stages)
        return;
    if (json_array_size(stages) == 0) {
        checker_report(c, "$.stages", "must list at least one stage");
        return;
    }
    double sum = 0;
    size_t i;
    const json_t *stage;
    json_array_foreach(stages, i, stage) {
        char p[64];
        checker_element_path(p, sizeof p, "$.stages", i);
        if (!checker_is_object(c, stage, p))
            continue;
        const char *name = checker_string(c, stage, p, "name", CHECK_REQUIRED, 1, 20);
        add_weight(c, stage, p, &sum);
        for (size_t j = 0; name && j < i; j++) {
            const char *other = json_string_value(json_object_get(json_array_get(stages, j), "name"));
            if (other && strcmp(name, other) == 0)
                checker_report(c, p, "stage \"%s\" listed twice", name);
        }
    }
    check_weights_sum(c, "$.stages", sum, "stage");
}

static void check_rubric(struct checker *c, const json_t *item, const char *parent)
{
    const json_t *rubric = checker_typed(c, item, parent, "rubric", JSON_OBJECT, "object");
    if (!rubric)
        return;
    char p[128];
    checker_member_path(p, sizeof p, parent, "rubric");
    for (int level = 0; level < 5; level++)
        checker_string(c, rubric, p, category_rubric_levels[level], CHECK_REQUIRED, 1, MAX_RUBRIC_CHARS);
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)rubric, key, value) {
        bool known = false;
        for (int level = 0; level < 5; level++)
            known = known || strcmp(key, category_rubric_levels[level]) == 0;
        if (!known) {
            char kp[256];
            checker_member_path(kp, sizeof kp, p, key);
            checker_report(c, kp, "unknown rubric level (傑出, 優良, 普通, 待加強, 不佳)");
        }
    }
}

static bool is_item_code(const char *code)
{
    return strlen(code) == 1 && code[0] >= 'A' && code[0] <= 'Z';
}

/* One item: a known code, once; a name for R and later; weight; focus;
 * note; rubric. */
static void check_item(struct checker *c, const json_t *items, size_t index, double *sum)
{
    const json_t *item = json_array_get(items, index);
    char p[64];
    checker_element_path(p, sizeof p, "$.items", index);
    if (!checker_is_object(c, item, p))
        return;
    const char *code = checker_format(c, item, p, "code", CHECK_REQUIRED, is_item_code,
                                      "a review item code A…Z (A 修課紀錄 … Q, R and later the department's own)");
    for (size_t j = 0; code && j < index; j++) {
        const char *other = json_string_value(json_object_get(json_array_get(items, j), "code"));
        if (other && strcmp(code, other) == 0) {
            char cp[128];
            checker_member_path(cp, sizeof cp, p, "code");
            checker_report(c, cp, "code %s listed twice", code);
        }
    }
    bool own_item = code && code[0] >= 'R';
    if (own_item || json_object_get(item, "name"))
        checker_string(c, item, p, "name", CHECK_REQUIRED, 1, 30);
    add_weight(c, item, p, sum);
    checker_string(c, item, p, "focus", CHECK_REQUIRED, 1, MAX_FOCUS_CHARS);
    if (json_object_get(item, "note"))
        checker_string(c, item, p, "note", CHECK_REQUIRED, 0, MAX_NOTE_CHARS);
    check_rubric(c, item, p);
}

size_t requirements_check(const json_t *list, const char *file, struct problem_list *problems)
{
    struct checker checker = {file, problems, 0};
    struct checker *c = &checker;
    if (!json_is_object(list)) {
        checker_report(c, "$", "expected object, found %s", checker_type_name(list));
        return c->found;
    }
    static const char *const formats[] = {"beishen-requirements", NULL};
    checker_enum(c, list, "$", "format", CHECK_REQUIRED, formats);
    checker_integer(c, list, "$", "version", 1, 1, NULL);
    check_code_and_name(c, list, "university", checker_is_three_digits, "3 digits");
    check_code_and_name(c, list, "department", checker_is_six_digits, "6 digits");
    checker_string(c, list, "$", "round", CHECK_REQUIRED, 1, 100);
    check_stages(c, list);
    const json_t *items = checker_array(c, list, "$", "items", 26);
    if (items && json_array_size(items) == 0)
        checker_report(c, "$.items", "must list at least one item");
    double sum = 0;
    for (size_t i = 0; items && i < json_array_size(items); i++)
        check_item(c, items, i, &sum);
    if (items && json_array_size(items) > 0)
        check_weights_sum(c, "$.items", sum, "item");
    if (json_object_get(list, "notes"))
        checker_string(c, list, "$", "notes", CHECK_REQUIRED, 0, 2000);
    return c->found;
}

int requirements_read(const char *path, json_t **out, struct problem_list *problems)
{
    char *data = NULL;
    size_t length = 0;
    struct error err;
    *out = NULL;
    if (files_read(path, MAX_LIST_BYTES, &data, &length, &err) != 0) {
        problems_add(problems, path, "", "%s", err.message);
        return -1;
    }
    json_error_t json_err;
    json_t *list = json_loadb(data, length, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &json_err);
    free(data);
    if (!list) {
        problems_add(problems, path, "", "not valid JSON: %s (line %d, column %d)", json_err.text,
                     json_err.line, json_err.column);
        return -1;
    }
    size_t found = requirements_check(list, path, problems);
    *out = list;
    return (int)found;
}

static int newest_version(struct store *store, const char *department, int *version,
                          char sha256[65], struct error *err)
{
    static const char *sql =
        "SELECT version, sha256 FROM requirement_lists WHERE department = ?1"
        " ORDER BY version DESC LIMIT 1";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    *version = 0;
    sha256[0] = '\0';
    int row = store_step(store, s, err);
    if (row > 0) {
        *version = sqlite3_column_int(s, 0);
        snprintf(sha256, 65, "%s", (const char *)sqlite3_column_text(s, 1));
    }
    sqlite3_reset(s);
    return row < 0 ? -1 : 0;
}

int requirements_store(struct store *store, const json_t *list, int *version, bool *added,
                       struct error *err)
{
    const char *department = json_string_value(json_object_get(json_object_get(list, "department"), "code"));
    /* Canonical text: the same list loaded twice has the same hash. */
    char *document = json_dumps(list, JSON_COMPACT | JSON_SORT_KEYS);
    if (!document || !department) {
        free(document);
        return error_set(err, ERROR_INTERNAL, "requirement list cannot be stored");
    }
    char sha[65], newest_sha[65];
    text_sha256_hex(document, strlen(document), sha);
    static const char *insert =
        "INSERT INTO requirement_lists(department, version, loaded_at, sha256, document)"
        " VALUES (?1, ?2, ?3, ?4, ?5)";
    int rc = store_begin(store, err);
    if (rc == 0)
        rc = newest_version(store, department, version, newest_sha, err);
    *added = rc == 0 && strcmp(sha, newest_sha) != 0;
    if (rc == 0 && *added) {
        sqlite3_stmt *s = store_statement(store, insert, err);
        char now[TIMESTAMP_SIZE];
        timestamp_now(now);
        if (!s) {
            rc = -1;
        } else {
            sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(s, 2, *version + 1);
            sqlite3_bind_text(s, 3, now, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 4, sha, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 5, document, -1, SQLITE_TRANSIENT);
            if (store_step(store, s, err) < 0)
                rc = -1;
            else
                (*version)++;
        }
    }
    free(document);
    if (rc == 0)
        rc = store_commit(store, err);
    if (rc != 0)
        store_rollback(store);
    return rc;
}

json_t *requirements_latest(struct store *store, const char *department, struct error *err)
{
    static const char *sql =
        "SELECT document, version, loaded_at FROM requirement_lists WHERE department = ?1"
        " ORDER BY version DESC LIMIT 1";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    json_t *list = NULL;
    int row = store_step(store, s, err);
    if (row == 0)
        error_set(err, ERROR_NOT_FOUND, "no requirement list loaded for department %s", department);
    if (row > 0) {
        list = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
        if (list) {
            json_object_set_new(list, "loaded_version", json_integer(sqlite3_column_int(s, 1)));
            json_object_set_new(list, "loaded_at", json_string((const char *)sqlite3_column_text(s, 2)));
        } else {
            error_set(err, ERROR_INTERNAL, "stored requirement list of %s is unreadable", department);
        }
    }
    sqlite3_reset(s);
    return list;
}

json_t *requirements_versions(struct store *store, const char *department, struct error *err)
{
    static const char *sql =
        "SELECT version, loaded_at, sha256 FROM requirement_lists WHERE department = ?1"
        " ORDER BY version";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    json_t *versions = json_array();
    int row;
    while ((row = store_step(store, s, err)) > 0)
        json_array_append_new(versions, json_pack("{s:i, s:s, s:s}",
            "version", sqlite3_column_int(s, 0),
            "loaded_at", (const char *)sqlite3_column_text(s, 1),
            "sha256", (const char *)sqlite3_column_text(s, 2)));
    sqlite3_reset(s);
    if (row < 0) {
        json_decref(versions);
        return NULL;
    }
    return versions;
}
