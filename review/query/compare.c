/* compare — the comparison table, built from query.c and requirements.c. */
#include "query/compare.h"
#include "core/csv.h"
#include "core/text.h"
#include "core/category.h"
#include "query/query.h"
#include "query/requirements.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

static const char *text_of(const json_t *object, const char *key)
{
    const char *text = json_string_value(json_object_get(object, key));
    return text ? text : "";
}

/* Competition levels, best first; anything else ranks below them. */
static int level_rank(const char *level)
{
    static const char *const levels[] = {"國際", "全國", "區域", "縣市", "校際", "校內", NULL};
    for (int i = 0; level && levels[i]; i++)
        if (strstr(level, levels[i]))
            return i;
    return level && level[0] ? 50 : 99;
}

/* The columns: the list's items in its order, or every item present. */
static json_t *item_columns(struct store *store, const char *department, json_t *table,
                            struct error *err)
{
    json_t *items = json_array();
    json_t *list = requirements_latest(store, department, err);
    if (list) {
        json_object_set_new(table, "requirements", json_pack("{s:O, s:O}",
            "version", json_object_get(list, "loaded_version"),
            "loaded_at", json_object_get(list, "loaded_at")));
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(list, "items"), i, item) {
            const char *code = text_of(item, "code");
            const char *name = json_object_get(item, "name") ? text_of(item, "name")
                                                            : category_item_name(code[0]);
            json_array_append_new(items, json_pack("{s:s, s:s, s:O, s:O}", "code", code,
                "name", name ? name : "其他", "weight", json_object_get(item, "weight"),
                "focus", json_object_get(item, "focus")));
        }
        json_decref(list);
        return items;
    }
    if (err->kind != ERROR_NOT_FOUND) {
        json_decref(items);
        return NULL;
    }
    error_clear(err);
    json_object_set_new(table, "requirements", json_null());
    static const char *sql =
        "SELECT DISTINCT CASE WHEN c.item IS NULL THEN 'A' ELSE c.item END AS code, min(c.name)"
        " FROM categories c JOIN applications a ON a.id = c.application_id"
        " WHERE a.department = ?1 AND c.grp <> '基本資料' GROUP BY code ORDER BY code";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s) {
        json_decref(items);
        return NULL;
    }
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    int row;
    while ((row = store_step(store, s, err)) > 0) {
        const char *code = (const char *)sqlite3_column_text(s, 0);
        const char *name = category_item_name(code[0]);
        /* R and later are named by the upload: "R 英文自傳" */
        const char *own = (const char *)sqlite3_column_text(s, 1);
        if (code[0] >= 'R' && own && strlen(own) > 2)
            name = own + 2;
        json_array_append_new(items, json_pack("{s:s, s:s, s:n, s:n}", "code", code,
                                               "name", name ? name : "其他", "weight", "focus"));
    }
    sqlite3_reset(s);
    if (row < 0) {
        json_decref(items);
        return NULL;
    }
    return items;
}

/* Domains with graded rows in the pool, and each one's statistics, as
 * precomputed per pool (query_department_distributions). */
static int domain_pools(struct store *store, const char *department, json_t *table,
                        struct error *err)
{
    json_t *distributions = query_department_distributions(store, department, DIST_DOMAIN, err);
    if (!distributions)
        return -1;
    json_t *domains = json_array();
    const char *code;
    json_t *d;
    json_object_foreach(distributions, code, d) {
        const char *name = category_domain_name(code);
        char fallback[32];
        snprintf(fallback, sizeof fallback, "領域%s", code);
        json_array_append_new(domains, json_pack("{s:s, s:s}", "code", code, "name", name ? name : fallback));
    }
    json_object_set_new(table, "domains", domains);
    json_object_set_new(json_object_get(table, "pool"), "distributions", distributions);
    return 0;
}

/* {domain: {id: {average, percentile}}}: every application's standing in
 * each domain's pool, built once so that a row is a lookup, not a scan. */
static json_t *domain_lookup(struct store *store, const char *department, const json_t *domains,
                             struct error *err)
{
    json_t *lookup = json_object();
    size_t i;
    json_t *domain;
    json_array_foreach(domains, i, domain) {
        const char *code = text_of(domain, "code");
        json_t *standings = query_pool_standings(store, department, DIST_DOMAIN, code, err);
        if (!standings) {
            json_decref(lookup);
            return NULL;
        }
        json_object_set_new(lookup, code, standings);
    }
    return lookup;
}

/* {average, percentile} of an application in each domain's pool. */
static json_t *domain_cells(const json_t *lookup, const char *id)
{
    json_t *cells = json_object();
    const char *code;
    json_t *by_id;
    json_object_foreach((json_t *)lookup, code, by_id) {
        json_t *cell = json_object_get(by_id, id);
        if (cell)
            json_object_set(cells, code, cell);
    }
    return cells;
}

/* Item cells of one application, keyed by item letter. */
static json_t *item_cells(struct store *store, sqlite3_int64 id, struct error *err)
{
    static const char *outcomes =
        "SELECT item, count(*), sum(certified) FROM outcomes WHERE application_id = ?1 GROUP BY item";
    static const char *performances =
        "SELECT item, level, award FROM performances WHERE application_id = ?1 ORDER BY position";
    static const char *uploads =
        "SELECT u.item, coalesce(length(u.text), 0),"
        " (SELECT count(*) FROM attachments a WHERE a.owner_kind = 'upload' AND a.owner_id = u.id),"
        " u.text FROM uploads u WHERE u.application_id = ?1 ORDER BY u.position";
    json_t *cells = json_object();
    sqlite3_stmt *s = store_statement(store, outcomes, err);
    if (!s)
        goto fail;
    sqlite3_bind_int64(s, 1, id);
    int row;
    while ((row = store_step(store, s, err)) > 0)
        json_object_set_new(cells, (const char *)sqlite3_column_text(s, 0), json_pack("{s:i, s:i}",
            "count", sqlite3_column_int(s, 1), "certified", sqlite3_column_int(s, 2)));
    sqlite3_reset(s);
    if (row < 0)
        goto fail;

    if (!(s = store_statement(store, performances, err)))
        goto fail;
    sqlite3_bind_int64(s, 1, id);
    while ((row = store_step(store, s, err)) > 0) {
        const char *item = (const char *)sqlite3_column_text(s, 0);
        const char *level = (const char *)sqlite3_column_text(s, 1);
        const char *award = (const char *)sqlite3_column_text(s, 2);
        json_t *cell = json_object_get(cells, item);
        if (!cell) {
            cell = json_pack("{s:i, s:n, s:n}", "count", 0, "best_level", "best_award");
            json_object_set_new(cells, item, cell);
        }
        json_object_set_new(cell, "count", json_integer(json_integer_value(json_object_get(cell, "count")) + 1));
        const char *best = json_string_value(json_object_get(cell, "best_level"));
        if (level && level_rank(level) < level_rank(best)) {
            json_object_set_new(cell, "best_level", json_string(level));
            json_object_set_new(cell, "best_award", award ? json_string(award) : json_null());
        }
    }
    sqlite3_reset(s);
    if (row < 0)
        goto fail;

    if (!(s = store_statement(store, uploads, err)))
        goto fail;
    sqlite3_bind_int64(s, 1, id);
    while ((row = store_step(store, s, err)) > 0) {
        int characters = sqlite3_column_int(s, 1), files = sqlite3_column_int(s, 2);
        const char *text = (const char *)sqlite3_column_text(s, 3);
        json_t *cell = json_pack("{s:b, s:i, s:i}", "supplied", characters > 0 || files > 0,
                                 "characters", characters, "files", files);
        /* An English statement's length is its words, as its readers count it. */
        if (text && text_is_mostly_latin(text))
            json_object_set_new(cell, "words", json_integer((json_int_t)text_words(text)));
        json_object_set_new(cells, (const char *)sqlite3_column_text(s, 0), cell);
    }
    sqlite3_reset(s);
    if (row < 0)
        goto fail;
    return cells;
fail:
    json_decref(cells);
    return NULL;
}

/* "缺P", "B未認證1" … for the listed items; with no list loaded, a missing
 * item is flagged only for the statements O–Q, which every department reads. */
static json_t *row_flags(const json_t *items, const json_t *cells, bool self_made, bool listed)
{
    json_t *flags = json_array();
    size_t i;
    const json_t *item;
    json_array_foreach(items, i, item) {
        const char *code = text_of(item, "code");
        const json_t *cell = json_object_get(cells, code);
        bool supplied = cell && (json_integer_value(json_object_get(cell, "count")) > 0 ||
                                 json_is_true(json_object_get(cell, "supplied")));
        if (strcmp(code, "A") == 0 && !self_made)
            continue; /* A is the course record: never missing for a portfolio */
        char flag[32];
        bool statement = code[0] >= 'O' && code[0] <= 'Q';
        if (!supplied && (listed || statement)) {
            snprintf(flag, sizeof flag, "缺%s", code);
            json_array_append_new(flags, json_string(flag));
        } else if (code[0] >= 'B' && code[0] <= 'E' && !self_made) {
            long long uncertified = json_integer_value(json_object_get(cell, "count")) -
                                    json_integer_value(json_object_get(cell, "certified"));
            if (uncertified > 0) {
                snprintf(flag, sizeof flag, "%s未認證%lld", code, uncertified);
                json_array_append_new(flags, json_string(flag));
            }
        }
    }
    return flags;
}

static long long total_records(const json_t *applicant)
{
    long long total = 0;
    const char *group;
    json_t *count;
    json_object_foreach(json_object_get(applicant, "counts"), group, count)
        if (strcmp(group, CATEGORY_GROUP_BASIC) != 0)
            total += json_integer_value(count);
    return total;
}

/* A domain pool too small for a percentile to mean anything. */
static bool pool_too_small(const json_t *table, const char *code)
{
    const json_t *d = json_object_get(json_object_get(json_object_get(table, "pool"), "distributions"),
                                      code);
    return json_integer_value(json_object_get(d, "n")) < QUERY_MIN_POOL;
}

/* One cell as the sheet and the CSV show it, e.g. "85.20 (PR 73.5)",
 * "85.20 (n過少)", "2（認證1）", "1・全國・佳作", "812字", "312 words". */
static void cell_text(const json_t *table, const json_t *row, const char *column_kind,
                      const char *code, char *out, size_t size)
{
    out[0] = '\0';
    if (strcmp(column_kind, "domain") == 0) {
        const json_t *cell = json_object_get(json_object_get(row, "domains"), code);
        if (cell && pool_too_small(table, code))
            snprintf(out, size, "%.2f (n過少)", json_number_value(json_object_get(cell, "average")));
        else if (cell)
            snprintf(out, size, "%.2f (PR %.1f)", json_number_value(json_object_get(cell, "average")),
                     json_number_value(json_object_get(cell, "percentile")));
        else
            snprintf(out, size, "—");
        return;
    }
    const json_t *cell = json_object_get(json_object_get(row, "items"), code);
    if (!cell && strcmp(code, "A") == 0 && json_is_integer(json_object_get(row, "courses"))) {
        /* A portfolio's course record: its numbers are the domain columns */
        snprintf(out, size, "%lld科", json_integer_value(json_object_get(row, "courses")));
        return;
    }
    if (!cell) {
        snprintf(out, size, "—");
        return;
    }
    if (json_object_get(cell, "supplied")) {
        long long characters = json_integer_value(json_object_get(cell, "characters"));
        long long files = json_integer_value(json_object_get(cell, "files"));
        char length[48];
        if (json_is_integer(json_object_get(cell, "words")))
            snprintf(length, sizeof length, "%lld words", json_integer_value(json_object_get(cell, "words")));
        else
            snprintf(length, sizeof length, "%lld字", characters);
        if (!json_is_true(json_object_get(cell, "supplied")))
            snprintf(out, size, "空白");
        else if (characters > 0 && files > 0)
            snprintf(out, size, "%s+%lld檔", length, files);
        else if (characters > 0)
            snprintf(out, size, "%s", length);
        else
            snprintf(out, size, "PDF %lld檔", files);
    } else if (json_object_get(cell, "certified")) {
        snprintf(out, size, "%lld（認證%lld）", json_integer_value(json_object_get(cell, "count")),
                 json_integer_value(json_object_get(cell, "certified")));
    } else {
        const char *level = json_string_value(json_object_get(cell, "best_level"));
        const char *award = json_string_value(json_object_get(cell, "best_award"));
        snprintf(out, size, "%lld%s%s%s%s", json_integer_value(json_object_get(cell, "count")),
                 level ? "・" : "", level ? level : "", award ? "・" : "", award ? award : "");
    }
}

/* {items: {code: text}, domains: {code: text}}: each column's cell as text. */
static json_t *cell_texts(const json_t *table, const json_t *row)
{
    json_t *texts = json_pack("{s:{}, s:{}}", "items", "domains");
    const char *const kinds[] = {"items", "domains"};
    const char *const column_kinds[] = {"item", "domain"};
    for (int k = 0; k < 2; k++) {
        size_t i;
        const json_t *column;
        json_array_foreach(json_object_get(table, kinds[k]), i, column) {
            if (k == 1 && !json_object_get(row, "domains"))
                break;
            char text[256];
            cell_text(table, row, column_kinds[k], text_of(column, "code"), text, sizeof text);
            json_object_set_new(json_object_get(texts, kinds[k]), text_of(column, "code"),
                                json_string(text));
        }
    }
    return texts;
}

static json_t *build_row(struct store *store, const json_t *table, const json_t *lookup,
                         const json_t *applicant, struct error *err)
{
    const char *id = text_of(applicant, "id");
    sqlite3_int64 application_id;
    if (query_resolve_application(store, id, &application_id, err) != 0)
        return NULL;
    json_t *cells = item_cells(store, application_id, err);
    if (!cells)
        return NULL;
    bool self_made = json_is_true(json_object_get(applicant, "self_made"));
    json_t *row = json_pack("{s:s, s:s, s:s, s:s}", "id", id,
        "application_no", text_of(applicant, "application_no"), "name", text_of(applicant, "name"),
        "school", text_of(applicant, "school"));
    if (!self_made) {
        json_object_set(row, "average", json_object_get(applicant, "average"));
        json_object_set(row, "courses", json_object_get(applicant, "course_count"));
        json_object_set_new(row, "domains", domain_cells(lookup, id));
    }
    json_object_set_new(row, "flags", row_flags(json_object_get(table, "items"), cells, self_made,
                                                json_is_object(json_object_get(table, "requirements"))));
    json_object_set_new(row, "items", cells);
    json_object_set_new(row, "total_records", json_integer(total_records(applicant)));
    json_object_set_new(row, "texts", cell_texts(table, row));
    return row;
}

/* Sort key of a row for --sort: larger first, except application_no. */
static double sort_value(const json_t *row, const char *sort)
{
    if (strcmp(sort, "average") == 0 || strcmp(sort, "A") == 0) {
        const json_t *average = json_object_get(row, "average");
        return json_is_number(average) ? json_number_value(average) : -1;
    }
    const json_t *cell = json_object_get(json_object_get(row, "items"), sort);
    if (!cell)
        return -1;
    if (json_object_get(cell, "characters"))
        return (double)json_integer_value(json_object_get(cell, "characters")) +
               (double)json_integer_value(json_object_get(cell, "files")) * 1e6;
    return (double)json_integer_value(json_object_get(cell, "count"));
}

static int compare_rows(const void *a, const void *b, void *sort_key)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    const char *sort = sort_key;
    if (strcmp(sort, "application_no") != 0) {
        double vx = sort_value(x, sort), vy = sort_value(y, sort);
        if (vx != vy)
            return vx < vy ? 1 : -1;
    }
    return strcmp(text_of(x, "application_no"), text_of(y, "application_no"));
}

static void sort_rows(json_t *rows, const char *sort)
{
    size_t n = json_array_size(rows);
    json_t **items = g_new(json_t *, n + 1);
    for (size_t i = 0; i < n; i++)
        items[i] = json_incref(json_array_get(rows, i));
    /* Server threads build tables at once: the sort key travels as data. */
    g_qsort_with_data(items, (gint)n, sizeof *items, compare_rows, (void *)sort);
    json_array_clear(rows);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(rows, items[i]);
    g_free(items);
}

/* The requested applications as a set of the names given (an id
 * "<department>-<application_no>" or a bare application number); NULL
 * when every application of the department is wanted. */
static json_t *requested_set(const struct compare_request *request)
{
    if (!request->applications)
        return NULL;
    json_t *set = json_object();
    for (const char *const *a = request->applications; *a; a++)
        json_object_set_new(set, *a, json_true());
    return set;
}

static bool requested(const json_t *set, const char *id)
{
    return !set || json_object_get(set, id) || (strlen(id) > 7 && json_object_get(set, id + 7));
}

json_t *compare_table(struct store *store, const struct compare_request *request,
                      struct error *err)
{
    const char *sort = request->sort ? request->sort : "application_no";
    bool known_sort = strcmp(sort, "application_no") == 0 || strcmp(sort, "average") == 0 ||
                      (strlen(sort) == 1 && sort[0] >= 'A' && sort[0] <= 'Z');
    if (!known_sort) {
        error_set(err, ERROR_INVALID, "unknown sort '%s' (application_no, average or an item code)", sort);
        return NULL;
    }
    json_t *table = query_department(store, request->department, err);
    if (!table)
        return NULL;
    json_object_set_new(table, "pool", json_object());
    json_t *items = item_columns(store, request->department, table, err);
    if (!items || domain_pools(store, request->department, table, err) != 0) {
        json_decref(items);
        json_decref(table);
        return NULL;
    }
    json_object_set_new(table, "items", items);
    struct applicant_filter filter = {.department = request->department};
    json_t *applicants = query_applicants(store, &filter, err);
    if (!applicants) {
        json_decref(table);
        return NULL;
    }
    json_t *portfolio = json_array(), *self_made = json_array();
    json_t *lookup = domain_lookup(store, request->department, json_object_get(table, "domains"), err);
    if (!lookup) {
        json_decref(applicants);
        json_decref(portfolio);
        json_decref(self_made);
        json_decref(table);
        return NULL;
    }
    size_t i;
    json_t *applicant;
    json_t *wanted = requested_set(request);
    json_array_foreach(applicants, i, applicant) {
        if (!requested(wanted, text_of(applicant, "id")))
            continue;
        json_t *row = build_row(store, table, lookup, applicant, err);
        if (!row) {
            json_decref(wanted);
            json_decref(lookup);
            json_decref(portfolio);
            json_decref(self_made);
            json_decref(applicants);
            json_decref(table);
            return NULL;
        }
        json_array_append_new(json_is_true(json_object_get(applicant, "self_made")) ? self_made : portfolio, row);
    }
    json_decref(wanted);
    json_decref(applicants);
    json_decref(lookup);
    sort_rows(portfolio, sort);
    sort_rows(self_made, strcmp(sort, "average") == 0 || strcmp(sort, "A") == 0 ? "application_no" : sort);
    char label[96];
    if (strcmp(sort, "application_no") == 0)
        snprintf(label, sizeof label, "依申請編號");
    else if (strcmp(sort, "average") == 0 || strcmp(sort, "A") == 0)
        snprintf(label, sizeof label, "依學業平均由高至低，同分依申請編號；自行上傳PDF申請者依申請編號");
    else
        snprintf(label, sizeof label, "依 %s 項由多至少，同數依申請編號", sort);
    json_object_set_new(table, "sort", json_pack("{s:s, s:s}", "key", sort, "label", label));
    json_t *pool = json_object_get(table, "pool");
    json_object_set_new(pool, "portfolio", json_integer((json_int_t)json_array_size(portfolio)));
    json_object_set_new(pool, "self_made", json_integer((json_int_t)json_array_size(self_made)));
    json_object_set_new(table, "sections", json_pack("[{s:s, s:s, s:o}, {s:s, s:s, s:o}]",
        "name", "portfolio", "title", "學習歷程檔案申請者", "rows", portfolio,
        "name", "self_made", "title", "自行上傳PDF申請者（無教師認證、無時點歷程紀錄；不與上表排序比較）",
        "rows", self_made));
    return table;
}

/* ---- cells as text, and the CSV ----------------------------------------- */

/* Fields go through csv_field (core/csv.h): quoted when needed, formulas
 * (= + - @ …) kept as text. */

int compare_write_csv(const json_t *table, FILE *out)
{
    fputs("\xEF\xBB\xBF", out);
    const json_t *domains = json_object_get(table, "domains"), *items = json_object_get(table, "items");
    char header[256];
    csv_field(out, "區段", false);
    csv_field(out, "申請編號", false);
    csv_field(out, "姓名", false);
    csv_field(out, "學校", false);
    csv_field(out, "學業平均", false);
    csv_field(out, "修課數", false);
    size_t i;
    const json_t *value;
    json_array_foreach(domains, i, value) {
        snprintf(header, sizeof header, "%s平均", text_of(value, "name"));
        csv_field(out, header, false);
        snprintf(header, sizeof header, "%sPR", text_of(value, "name"));
        csv_field(out, header, false);
    }
    json_array_foreach(items, i, value) {
        snprintf(header, sizeof header, "%s %s", text_of(value, "code"), text_of(value, "name"));
        csv_field(out, header, false);
    }
    csv_field(out, "總筆數", false);
    csv_field(out, "提醒", true);

    size_t s, r;
    const json_t *section, *row;
    json_array_foreach(json_object_get(table, "sections"), s, section) {
        bool self_made = strcmp(text_of(section, "name"), "self_made") == 0;
        json_array_foreach(json_object_get(section, "rows"), r, row) {
            char text[256];
            csv_field(out, self_made ? "自行上傳PDF" : "學習歷程檔案", false);
            csv_field(out, text_of(row, "id"), false);
            csv_field(out, text_of(row, "name"), false);
            csv_field(out, text_of(row, "school"), false);
            const json_t *average = json_object_get(row, "average");
            snprintf(text, sizeof text, json_is_number(average) ? "%.2f" : "", json_number_value(average));
            csv_field(out, text, false);
            snprintf(text, sizeof text, self_made ? "" : "%lld", json_integer_value(json_object_get(row, "courses")));
            csv_field(out, text, false);
            json_array_foreach(domains, i, value) {
                const json_t *cell = json_object_get(json_object_get(row, "domains"), text_of(value, "code"));
                snprintf(text, sizeof text, cell ? "%.2f" : "", json_number_value(json_object_get(cell, "average")));
                csv_field(out, text, false);
                if (cell && pool_too_small(table, text_of(value, "code")))
                    snprintf(text, sizeof text, "n過少");
                else
                    snprintf(text, sizeof text, cell ? "%.1f" : "", json_number_value(json_object_get(cell, "percentile")));
                csv_field(out, text, false);
            }
            const json_t *texts = json_object_get(json_object_get(row, "texts"), "items");
            json_array_foreach(items, i, value) {
                csv_field(out, text_of(texts, text_of(value, "code")), false);
            }
            snprintf(text, sizeof text, "%lld", json_integer_value(json_object_get(row, "total_records")));
            csv_field(out, text, false);
            text[0] = '\0';
            json_array_foreach(json_object_get(row, "flags"), i, value)
                snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s", i ? " " : "",
                         json_string_value(value));
            csv_field(out, text, true);
        }
    }
    return ferror(out) ? -1 : 0;
}
