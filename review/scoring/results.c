/* results — spreads, flags, finals, normalization, ranks and reviewer
 * statistics, computed in one pass over a department's readings. */
#include "scoring/results.h"
#include "core/csv.h"
#include "core/statistics.h"
#include "query/query.h"
#include "query/requirements.h"
#include "scoring/plan.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

struct reading {
    char reviewer[65];
    int number;
    bool submitted, drafted, has_total, changed;
    double total, normalized;
};

struct row {
    char key[32], no[16], name[256], school[256];
    char content_sha256[65];
    bool self_made;
    GArray *readings;             /* struct reading, by reading number */
    bool complete, flagged, pending, has_spread, has_final, third_reading;
    double spread, mean, mean_normalized, final;
    int rank;
    json_t *resolution;           /* the revision row, when there is one */
};

struct reviewer_stats {
    double sum, squares;
    int count;
    double mean, sd;
};

static const char *column_text(sqlite3_stmt *s, int column)
{
    const char *text = (const char *)sqlite3_column_text(s, column);
    return text ? text : "";
}

/* ---- loading ------------------------------------------------------------------ */

static GArray *load_rows(struct store *store, const char *department, const char *only,
                         struct error *err)
{
    static const char *sql =
        "SELECT a.key, a.application_no, s.name, s.school_name, a.source = 'self_made_pdf',"
        " a.content_sha256 FROM applications a JOIN students s ON s.application_id = a.id"
        " WHERE a.department = ?1 AND (?2 IS NULL OR a.application_no = ?2) ORDER BY a.application_no";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    if (only)
        sqlite3_bind_text(s, 2, only, -1, SQLITE_TRANSIENT);
    GArray *rows = g_array_new(false, true, sizeof(struct row));
    int step;
    while ((step = store_step(store, s, err)) > 0) {
        struct row row = {.readings = g_array_new(false, true, sizeof(struct reading))};
        snprintf(row.key, sizeof row.key, "%s", column_text(s, 0));
        snprintf(row.no, sizeof row.no, "%s", column_text(s, 1));
        snprintf(row.name, sizeof row.name, "%s", column_text(s, 2));
        snprintf(row.school, sizeof row.school, "%s", column_text(s, 3));
        row.self_made = sqlite3_column_int(s, 4);
        snprintf(row.content_sha256, sizeof row.content_sha256, "%s", column_text(s, 5));
        g_array_append_val(rows, row);
    }
    sqlite3_reset(s);
    if (step < 0) {
        for (guint i = 0; i < rows->len; i++)
            g_array_free(g_array_index(rows, struct row, i).readings, true);
        g_array_free(rows, true);
        return NULL;
    }
    return rows;
}

static void free_rows(GArray *rows)
{
    for (guint i = 0; rows && i < rows->len; i++) {
        struct row *row = &g_array_index(rows, struct row, i);
        g_array_free(row->readings, true);
        json_decref(row->resolution);
    }
    if (rows)
        g_array_free(rows, true);
}

/* The readings and the revision resolutions onto the rows. */
static int load_readings(struct store *store, const char *department, const char *only,
                         GArray *rows, struct error *err)
{
    static const char *readings_sql =
        "SELECT g.application_no, g.reviewer, g.reading, h.status, h.total, h.content_sha256"
        " FROM assignments g LEFT JOIN score_sheets h ON h.department = g.department"
        "  AND h.application_no = g.application_no AND h.reviewer = g.reviewer"
        " WHERE g.department = ?1 AND (?2 IS NULL OR g.application_no = ?2)"
        " ORDER BY g.application_no, g.reading";
    static const char *resolutions_sql =
        "SELECT application_no, method, decided_by, decided_at FROM score_resolutions"
        " WHERE department = ?1 AND (?2 IS NULL OR application_no = ?2)";
    GHashTable *by_no = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < rows->len; i++)
        g_hash_table_insert(by_no, g_array_index(rows, struct row, i).no, &g_array_index(rows, struct row, i));
    sqlite3_stmt *s = store_statement(store, readings_sql, err);
    int step = -1;
    if (s) {
        sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
        if (only)
            sqlite3_bind_text(s, 2, only, -1, SQLITE_TRANSIENT);
        while ((step = store_step(store, s, err)) > 0) {
            struct row *row = g_hash_table_lookup(by_no, column_text(s, 0));
            if (!row)
                continue;   /* scores of an application no longer in the store wait for it */
            struct reading r = {.number = sqlite3_column_int(s, 2)};
            snprintf(r.reviewer, sizeof r.reviewer, "%s", column_text(s, 1));
            r.submitted = strcmp(column_text(s, 3), "submitted") == 0;
            r.drafted = strcmp(column_text(s, 3), "draft") == 0;
            r.has_total = sqlite3_column_type(s, 4) != SQLITE_NULL;
            r.total = r.normalized = sqlite3_column_double(s, 4);
            r.changed = sqlite3_column_type(s, 5) != SQLITE_NULL &&
                        strcmp(column_text(s, 5), row->content_sha256) != 0;
            g_array_append_val(row->readings, r);
        }
        sqlite3_reset(s);
    }
    if (step == 0 && (s = store_statement(store, resolutions_sql, err)) != NULL) {
        sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
        if (only)
            sqlite3_bind_text(s, 2, only, -1, SQLITE_TRANSIENT);
        while ((step = store_step(store, s, err)) > 0) {
            struct row *row = g_hash_table_lookup(by_no, column_text(s, 0));
            if (row)
                row->resolution = json_pack("{s:s, s:s, s:s}", "method", column_text(s, 1),
                                            "decided_by", column_text(s, 2),
                                            "decided_at", column_text(s, 3));
        }
        sqlite3_reset(s);
    }
    g_hash_table_destroy(by_no);
    return step < 0 ? -1 : 0;
}

/* ---- computing ------------------------------------------------------------------ */

static double round2(double value) { return statistics_round2(value); }

/* Each reviewer's mean and SD, the department's, and every reading's
 * normalized total. */
static void normalize(GArray *rows, GHashTable *reviewers, double *overall_mean, double *overall_sd)
{
    double sum = 0, squares = 0;
    int count = 0;
    for (guint i = 0; i < rows->len; i++) {
        GArray *readings = g_array_index(rows, struct row, i).readings;
        for (guint k = 0; k < readings->len; k++) {
            struct reading *r = &g_array_index(readings, struct reading, k);
            if (!r->submitted || !r->has_total)
                continue;
            struct reviewer_stats *stats = g_hash_table_lookup(reviewers, r->reviewer);
            if (!stats)
                g_hash_table_insert(reviewers, r->reviewer, stats = g_new0(struct reviewer_stats, 1));
            stats->sum += r->total;
            stats->squares += r->total * r->total;
            stats->count++;
            sum += r->total;
            squares += r->total * r->total;
            count++;
        }
    }
    *overall_mean = count ? sum / count : 0;
    *overall_sd = count ? sqrt(fmax(0, squares / count - *overall_mean * *overall_mean)) : 0;
    GHashTableIter iter;
    void *value;
    g_hash_table_iter_init(&iter, reviewers);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        struct reviewer_stats *stats = value;
        stats->mean = stats->sum / stats->count;
        stats->sd = sqrt(fmax(0, stats->squares / stats->count - stats->mean * stats->mean));
    }
    for (guint i = 0; i < rows->len; i++) {
        GArray *readings = g_array_index(rows, struct row, i).readings;
        for (guint k = 0; k < readings->len; k++) {
            struct reading *r = &g_array_index(readings, struct reading, k);
            struct reviewer_stats *stats = g_hash_table_lookup(reviewers, r->reviewer);
            if (r->submitted && r->has_total && stats && stats->count >= 2 && stats->sd > 1e-9)
                r->normalized = *overall_mean + *overall_sd * (r->total - stats->mean) / stats->sd;
        }
    }
}

/* The mean of n totals given in whole cents (sum ≥ 0), two decimals, half
 * up, exactly: in doubles, 51.115 is 51.11499… and would round down. */
static double mean_of_cents(long long sum, int n)
{
    return (double)((2 * sum + n) / (2 * (long long)n)) / 100.0;
}

/* The mean of the two closest of n totals in cents (the earlier pair on a tie). */
static double closest_two(const long long *cents, int n)
{
    int a = 0, b = 1;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (llabs(cents[i] - cents[j]) < llabs(cents[a] - cents[b]))
                a = i, b = j;
    return mean_of_cents(cents[a] + cents[b], 2);
}

static void settle(struct row *row, const struct review_plan *plan)
{
    GArray *readings = row->readings;
    int first = 0, first_submitted = 0, extra = 0, extra_submitted = 0;
    double low = INFINITY, high = -INFINITY;
    for (guint k = 0; k < readings->len; k++) {
        struct reading *r = &g_array_index(readings, struct reading, k);
        if ((int)k < plan->readers) {
            first++;
            if (r->submitted && r->has_total) {
                first_submitted++;
                low = fmin(low, r->total);
                high = fmax(high, r->total);
            }
        } else {
            extra++;
            extra_submitted += r->submitted && r->has_total;
        }
    }
    row->complete = first == plan->readers && first_submitted == plan->readers;
    row->has_spread = row->complete;
    row->spread = row->complete ? round2(high - low) : 0;
    row->flagged = row->complete && row->spread > plan->threshold + 1e-9;
    row->pending = row->flagged && !(extra > 0 && extra_submitted == extra);
    row->third_reading = row->flagged && !row->pending;
    if (!row->flagged && row->resolution &&
        strcmp(json_string_value(json_object_get(row->resolution, "method")), "revision") != 0) {
        json_decref(row->resolution);   /* only a revision is recorded; a third reading shows itself */
        row->resolution = NULL;
    }
    if (!row->complete || row->pending)
        return;
    long long cents[16];          /* totals have two decimals: whole cents */
    double normalized[16];
    int n = 0;
    for (guint k = 0; k < readings->len && n < 16; k++) {
        struct reading *r = &g_array_index(readings, struct reading, k);
        if (r->submitted && r->has_total) {
            cents[n] = llround(r->total * 100.0);
            normalized[n++] = r->normalized;
        }
    }
    long long sum = 0;
    double sum_normalized = 0;
    for (int i = 0; i < n; i++) {
        sum += cents[i];
        sum_normalized += normalized[i];
    }
    row->mean = mean_of_cents(sum, n);
    row->mean_normalized = round2(sum_normalized / n);
    row->final = plan->rule == PLAN_NORMALIZED ? row->mean_normalized
               : plan->rule == PLAN_CLOSEST_TWO && n >= 3 ? closest_two(cents, n)
               : row->mean;
    row->has_final = true;
}

static int compare_finals(const void *a, const void *b)
{
    const struct row *x = *(struct row *const *)a, *y = *(struct row *const *)b;
    if (x->final != y->final)
        return x->final > y->final ? -1 : 1;
    return strcmp(x->no, y->no);
}

static void rank_rows(GArray *rows)
{
    GPtrArray *finals = g_ptr_array_new();
    for (guint i = 0; i < rows->len; i++)
        if (g_array_index(rows, struct row, i).has_final)
            g_ptr_array_add(finals, &g_array_index(rows, struct row, i));
    if (finals->len > 1)          /* pdata is NULL while empty: qsort must not see it */
        qsort(finals->pdata, finals->len, sizeof(void *), compare_finals);
    for (guint i = 0; i < finals->len; i++) {
        struct row *row = finals->pdata[i];
        struct row *before = i ? finals->pdata[i - 1] : NULL;
        row->rank = before && fabs(before->final - row->final) < 1e-9 ? before->rank : (int)i + 1;
    }
    g_ptr_array_free(finals, true);
}

/* Pearson's r of paired values; NAN when fewer than 3 pairs or no spread. */
static double pearson(const double *x, const double *y, int n)
{
    if (n < 3)
        return NAN;
    double mx = 0, my = 0;
    for (int i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 1e-12 && syy > 1e-12 ? sxy / sqrt(sxx * syy) : NAN;
}

static json_t *number_or_null(double value, bool present)
{
    return present && isfinite(value) ? json_real(round2(value)) : json_null();
}

/* Reviewer statistics and the department's agreement. */
static void reviewer_statistics(GArray *rows, GHashTable *reviewers, json_t *table)
{
    json_t *list = json_array();
    GList *names = g_list_sort(g_hash_table_get_keys(reviewers), (GCompareFunc)strcmp);
    for (GList *name = names; name; name = name->next) {
        const struct reviewer_stats *stats = g_hash_table_lookup(reviewers, name->data);
        GArray *own = g_array_new(false, false, sizeof(double));
        GArray *others = g_array_new(false, false, sizeof(double));
        double differences = 0;
        int pairs = 0;
        for (guint i = 0; i < rows->len; i++) {
            GArray *readings = g_array_index(rows, struct row, i).readings;
            const struct reading *mine = NULL;
            double other_sum = 0;
            int other_count = 0;
            for (guint k = 0; k < readings->len; k++) {
                const struct reading *r = &g_array_index(readings, struct reading, k);
                if (!r->submitted || !r->has_total)
                    continue;
                if (strcmp(r->reviewer, name->data) == 0)
                    mine = r;
                else {
                    other_sum += r->total;
                    other_count++;
                }
            }
            if (!mine || other_count == 0)
                continue;
            for (guint k = 0; k < readings->len; k++) {
                const struct reading *r = &g_array_index(readings, struct reading, k);
                if (r != mine && r->submitted && r->has_total) {
                    differences += fabs(mine->total - r->total);
                    pairs++;
                }
            }
            double mean_others = other_sum / other_count;
            g_array_append_val(own, mine->total);
            g_array_append_val(others, mean_others);
        }
        double r = pearson((double *)own->data, (double *)others->data, (int)own->len);
        json_array_append_new(list, json_pack("{s:s, s:i, s:o, s:o, s:o, s:o, s:i}",
            "reviewer", (const char *)name->data, "count", stats->count,
            "mean", json_real(round2(stats->mean)), "sd", json_real(round2(stats->sd)),
            "mad", number_or_null(pairs ? differences / pairs : NAN, pairs > 0),
            "agreement", isfinite(r) ? json_real(round(r * 1000) / 1000) : json_null(),
            "shared", (int)own->len));
        g_array_free(own, true);
        g_array_free(others, true);
    }
    g_list_free(names);
    json_object_set_new(table, "reviewers", list);
    /* First against second reading, over the applications with both. */
    GArray *first = g_array_new(false, false, sizeof(double));
    GArray *second = g_array_new(false, false, sizeof(double));
    for (guint i = 0; i < rows->len; i++) {
        GArray *readings = g_array_index(rows, struct row, i).readings;
        if (readings->len < 2)
            continue;
        const struct reading *a = &g_array_index(readings, struct reading, 0);
        const struct reading *b = &g_array_index(readings, struct reading, 1);
        if (a->submitted && b->submitted && a->has_total && b->has_total) {
            g_array_append_val(first, a->total);
            g_array_append_val(second, b->total);
        }
    }
    double r = pearson((double *)first->data, (double *)second->data, (int)first->len);
    json_object_set_new(table, "agreement", json_pack("{s:o, s:i}", "pearson",
        isfinite(r) ? json_real(round(r * 1000) / 1000) : json_null(), "pairs", (int)first->len));
    g_array_free(first, true);
    g_array_free(second, true);
}

static json_t *row_json(const struct row *row)
{
    json_t *readers = json_array();
    int submitted = 0;
    bool changed = false;
    for (guint k = 0; k < row->readings->len; k++) {
        const struct reading *r = &g_array_index(row->readings, struct reading, k);
        submitted += r->submitted;
        changed = changed || r->changed;
        json_array_append_new(readers, json_pack("{s:s, s:i, s:s, s:o, s:o}",
            "reviewer", r->reviewer, "reading", r->number,
            "status", r->submitted ? "submitted" : r->drafted ? "draft" : "unscored",
            "total", number_or_null(r->total, r->has_total),
            "normalized", number_or_null(r->normalized, r->has_total && r->submitted)));
    }
    json_t *resolution = json_null();
    if (row->third_reading)
        resolution = json_pack("{s:s}", "method", "third_reading");
    else if (row->resolution)
        resolution = json_incref(row->resolution);
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:i, s:b, s:o, s:b, s:o, s:b, s:o, s:o, s:o, s:o, s:b}",
        "application", row->key, "application_no", row->no, "name", row->name,
        "school", row->school, "self_made", row->self_made, "readers", readers,
        "submitted", submitted, "complete", row->complete,
        "spread", number_or_null(row->spread, row->has_spread), "flagged", row->flagged,
        "resolution", resolution, "pending", row->pending,
        "mean", number_or_null(row->mean, row->has_final),
        "mean_normalized", number_or_null(row->mean_normalized, row->has_final),
        "final", number_or_null(row->final, row->has_final),
        "rank", row->has_final ? json_integer(row->rank) : json_null(),
        "changed_after_scoring", changed);
}

/* The whole computation, for every application or only one. */
static json_t *build(struct store *store, const char *department, const char *only,
                     struct error *err)
{
    struct review_plan plan;
    if (plan_load(store, department, &plan, NULL, err) != 0)
        return NULL;
    json_t *list = requirements_latest(store, department, err);
    if (!list && err->kind != ERROR_NOT_FOUND)
        return NULL;
    error_clear(err);
    GArray *rows = load_rows(store, department, NULL, err);
    if (!rows || load_readings(store, department, NULL, rows, err) != 0) {
        free_rows(rows);
        json_decref(list);
        return NULL;
    }
    /* Normalization needs every reading of the department, even for one row. */
    GHashTable *reviewers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    double overall_mean, overall_sd;
    normalize(rows, reviewers, &overall_mean, &overall_sd);
    int complete = 0, flagged = 0, pending = 0, finals = 0;
    for (guint i = 0; i < rows->len; i++) {
        struct row *row = &g_array_index(rows, struct row, i);
        settle(row, &plan);
        complete += row->complete;
        flagged += row->flagged;
        pending += row->pending;
        finals += row->has_final;
    }
    rank_rows(rows);
    json_t *applications = json_array();
    for (guint i = 0; i < rows->len; i++) {
        const struct row *row = &g_array_index(rows, struct row, i);
        if (!only || strcmp(row->no, only) == 0)
            json_array_append_new(applications, row_json(row));
    }
    json_t *table = json_pack("{s:s, s:o, s:o, s:o, s:{s:f, s:f}, s:{s:i, s:i, s:i, s:i, s:i}}",
        "department", department, "plan", plan_to_json(&plan),
        "list_version", list ? json_incref(json_object_get(list, "loaded_version")) : json_null(),
        "applications", applications,
        "totals", "mean", round2(overall_mean), "sd", round2(overall_sd),
        "counts", "applications", (int)rows->len, "complete", complete, "flagged", flagged,
        "pending", pending, "final", finals);
    reviewer_statistics(rows, reviewers, table);
    g_hash_table_destroy(reviewers);
    free_rows(rows);
    json_decref(list);
    return table;
}

json_t *results_table(struct store *store, const char *department, struct error *err)
{
    return build(store, department, NULL, err);
}

json_t *results_application(struct store *store, const char *department,
                            const char *application_no, struct error *err)
{
    json_t *table = build(store, department, application_no, err);
    if (!table)
        return NULL;
    json_t *row = json_incref(json_array_get(json_object_get(table, "applications"), 0));
    json_decref(table);
    if (!row)
        error_set(err, ERROR_NOT_FOUND, "no application %s-%s", department, application_no);
    return row;
}

static int compare_ranked(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    const json_t *rx = json_object_get(x, "rank"), *ry = json_object_get(y, "rank");
    if (json_is_integer(rx) != json_is_integer(ry))
        return json_is_integer(rx) ? -1 : 1;
    if (json_is_integer(rx) && json_integer_value(rx) != json_integer_value(ry))
        return json_integer_value(rx) < json_integer_value(ry) ? -1 : 1;
    return strcmp(json_string_value(json_object_get(x, "application_no")),
                  json_string_value(json_object_get(y, "application_no")));
}

json_t *results_ranked(const json_t *table)
{
    const json_t *applications = json_object_get(table, "applications");
    size_t n = json_array_size(applications);
    json_t **items = g_new(json_t *, n + 1);
    for (size_t i = 0; i < n; i++)
        items[i] = json_array_get(applications, i);
    qsort(items, n, sizeof *items, compare_ranked);
    json_t *ranked = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(ranked, items[i]);
    g_free(items);
    return ranked;
}

/* Fields go through csv_field (core/csv.h), formulas kept as text. */

int results_write_csv(const json_t *table, FILE *out)
{
    fputs("\xEF\xBB\xBF", out);
    static const char *const header[] = {"應試號碼", "校系代碼", "書審成績", "名次", "評分者總分",
                                         "差分", "備註"};
    for (size_t i = 0; i < sizeof header / sizeof header[0]; i++)
        csv_field(out, header[i], i + 1 == sizeof header / sizeof header[0]);
    json_t *ranked = results_ranked(table);
    size_t i;
    const json_t *row;
    json_array_foreach(ranked, i, row) {
        char final[32] = "", rank[16] = "", spread[32] = "", totals[512] = "", note[256] = "";
        if (json_is_number(json_object_get(row, "final")))
            snprintf(final, sizeof final, "%.2f", json_number_value(json_object_get(row, "final")));
        if (json_is_integer(json_object_get(row, "rank")))
            snprintf(rank, sizeof rank, "%lld", json_integer_value(json_object_get(row, "rank")));
        if (json_is_number(json_object_get(row, "spread")))
            snprintf(spread, sizeof spread, "%.2f", json_number_value(json_object_get(row, "spread")));
        size_t k;
        const json_t *reader;
        json_array_foreach(json_object_get(row, "readers"), k, reader) {
            const json_t *total = json_object_get(reader, "total");
            char figure[32] = "未送出";
            if (json_is_number(total) &&
                strcmp(json_string_value(json_object_get(reader, "status")), "submitted") == 0)
                snprintf(figure, sizeof figure, "%.2f", json_number_value(total));
            snprintf(totals + strlen(totals), sizeof totals - strlen(totals), "%s%s %s", k ? "; " : "",
                     json_string_value(json_object_get(reader, "reviewer")), figure);
        }
        if (json_is_true(json_object_get(row, "self_made")))
            snprintf(note + strlen(note), sizeof note - strlen(note), "自行上傳PDF ");
        if (json_is_true(json_object_get(row, "pending")))
            snprintf(note + strlen(note), sizeof note - strlen(note), "差分待處理 ");
        else if (!json_is_true(json_object_get(row, "complete")))
            snprintf(note + strlen(note), sizeof note - strlen(note), "評分未完成 ");
        if (json_is_true(json_object_get(row, "changed_after_scoring")))
            snprintf(note + strlen(note), sizeof note - strlen(note), "評分後資料已更新 ");
        csv_field(out, json_string_value(json_object_get(row, "application_no")), false);
        csv_field(out, json_string_value(json_object_get(table, "department")), false);
        csv_field(out, final, false);
        csv_field(out, rank, false);
        csv_field(out, totals, false);
        csv_field(out, spread, false);
        csv_field(out, g_strstrip(note), true);
    }
    json_decref(ranked);
    return ferror(out) ? -1 : 0;
}

json_t *results_summary_content(struct store *store, const char *department, struct error *err)
{
    json_t *header = query_department(store, department, err);
    json_t *table = header ? results_table(store, department, err) : NULL;
    if (!table) {
        json_decref(header);
        return NULL;
    }
    return json_pack("{s:s, s:o, s:o, s:o}", "document", "summary-1", "department", header,
                     "ranked", results_ranked(table), "results", table);
}
