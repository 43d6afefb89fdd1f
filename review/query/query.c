/* query — reads for browsing: applicants, categories, records, pools.
 *
 * A course row's pool percentile sums the per-score row counts of its
 * pool (pool_score_counts, schema 005: one course code in one term among
 * one department's applicants), which triggers keep current inside each
 * application's transaction: a few dozen rows, never stale.  Whole
 * distributions come from pool_scores and pool_statistics (store/index.h). */
#include "query/query.h"
#include "query/requirements.h"
#include "core/category.h"
#include "core/statistics.h"
#include "core/text.h"
#include "store/index.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---------------------------------------------------- */

double query_percentile_rank(int below, int equal, int n)
{
    return n <= 0 ? 0 : statistics_percentile_rank((size_t)below, (size_t)equal, (size_t)n);
}

int query_cohort_rank_percent(int rank, int size)
{
    if (size <= 0 || rank < 1)
        return 0;
    return (rank - 1) * 100 / size + 1;
}

#define round2 statistics_round2

static json_t *column_value(sqlite3_stmt *s, int column)
{
    switch (sqlite3_column_type(s, column)) {
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(s, column));
    case SQLITE_FLOAT: return json_real(sqlite3_column_double(s, column));
    case SQLITE_TEXT: return json_string((const char *)sqlite3_column_text(s, column));
    default: return json_null();
    }
}

static bool in_names(const char *name, const char *const *names)
{
    for (; names && *names; names++)
        if (strcmp(name, *names) == 0)
            return true;
    return false;
}

/* The current row as an object keyed by column name; columns named in
 * booleans become true/false/null, in json_columns are parsed JSON text. */
static json_t *row_object(sqlite3_stmt *s, const char *const *booleans,
                          const char *const *json_columns)
{
    json_t *object = json_object();
    for (int i = 0; i < sqlite3_column_count(s); i++) {
        const char *name = sqlite3_column_name(s, i);
        json_t *value;
        if (in_names(name, booleans) && sqlite3_column_type(s, i) != SQLITE_NULL)
            value = json_boolean(sqlite3_column_int(s, i));
        else if (in_names(name, json_columns) && sqlite3_column_type(s, i) == SQLITE_TEXT)
            value = json_loads((const char *)sqlite3_column_text(s, i), JSON_DECODE_ANY, NULL);
        else
            value = column_value(s, i);
        json_object_set_new(object, name, value ? value : json_null());
    }
    return object;
}

static sqlite3_stmt *prepare(struct store *store, const char *sql, struct error *err)
{
    return store_statement(store, sql, err);
}

/* Every row of a bound statement as row_object()s; NULL on a failure. */
static json_t *collect_rows(struct store *store, sqlite3_stmt *s, const char *const *booleans,
                            const char *const *json_columns, struct error *err)
{
    json_t *rows = json_array();
    int row;
    while ((row = store_step(store, s, err)) > 0)
        json_array_append_new(rows, row_object(s, booleans, json_columns));
    sqlite3_reset(s);
    if (row < 0) {
        json_decref(rows);
        return NULL;
    }
    return rows;
}

/* The one row of a bound statement, or NULL: ERROR_NOT_FOUND with
 * `missing` as the message when there is none. */
static json_t *one_row(struct store *store, sqlite3_stmt *s, const char *const *booleans,
                       const char *missing, struct error *err)
{
    int row = store_step(store, s, err);
    json_t *object = row > 0 ? row_object(s, booleans, NULL) : NULL;
    sqlite3_reset(s);
    if (row == 0)
        error_set(err, ERROR_NOT_FOUND, "%s", missing);
    return object;
}

static void set_masked_id(json_t *object, const char *key, bool show_whole)
{
    const char *id = json_string_value(json_object_get(object, key));
    if (!id || show_whole)
        return;
    char masked[32];
    text_mask_national_id(id, masked, sizeof masked);
    json_object_set_new(object, key, json_string(masked));
}

/* ---- resolving an application ------------------------------------------ */

int query_resolve_application(struct store *store, const char *id_or_number,
                              sqlite3_int64 *application_id, struct error *err)
{
    return query_resolve_key(store, id_or_number, application_id, NULL, err);
}

int query_resolve_key(struct store *store, const char *id_or_number,
                      sqlite3_int64 *application_id, char key[QUERY_KEY_SIZE], struct error *err)
{
    static const char *by_key = "SELECT id, key FROM applications WHERE key = ?1";
    static const char *by_number =
        "SELECT id, key FROM applications WHERE application_no = ?1 ORDER BY key";
    bool is_key = strchr(id_or_number, '-') != NULL;
    sqlite3_stmt *s = prepare(store, is_key ? by_key : by_number, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, id_or_number, -1, SQLITE_TRANSIENT);
    char keys[512] = "";
    int found = 0, row;
    while ((row = store_step(store, s, err)) > 0) {
        if (found++ == 0) {
            *application_id = sqlite3_column_int64(s, 0);
            if (key)
                snprintf(key, QUERY_KEY_SIZE, "%s", (const char *)sqlite3_column_text(s, 1));
        }
        size_t used = strlen(keys);
        snprintf(keys + used, sizeof keys - used, "%s%s", used ? ", " : "",
                 (const char *)sqlite3_column_text(s, 1));
    }
    sqlite3_reset(s);
    if (row < 0)
        return -1;
    if (found == 0)
        return error_set(err, ERROR_NOT_FOUND, "%s: no such application", id_or_number);
    if (found > 1)
        return error_set(err, ERROR_INVALID, "%s: applied to several departments; name one of %s",
                         id_or_number, keys);
    return 0;
}

/* ---- applicants -------------------------------------------------------- */

json_t *query_applicants(struct store *store, const struct applicant_filter *filter,
                         struct error *err)
{
    /* One statement per sort order: ORDER BY cannot be a parameter.  Built
     * at compile time, so concurrent server threads share nothing mutable. */
#define APPLICANTS_SQL                                                                        \
        "SELECT a.key AS id, a.application_no, a.department, a.source,"                      \
        " a.source = 'self_made_pdf' AS self_made, s.name, s.school_code, s.school_name AS school," \
        " s.national_id, a.average, a.credits_counted, a.course_count,"                     \
        " a.certified_count AS certified_outcomes, a.group_counts AS counts"                \
        " FROM applications a JOIN students s ON s.application_id = a.id"                    \
        " WHERE (?1 IS NULL OR a.department = ?1) AND (?2 IS NULL OR a.source = ?2)"          \
        "  AND (?3 IS NULL OR EXISTS (SELECT 1 FROM categories c WHERE c.application_id = a.id" \
        "       AND c.name = ?3 AND c.count > 0))"
    static const char *by_number = APPLICANTS_SQL " ORDER BY a.application_no, a.department";
    static const char *by_name = APPLICANTS_SQL " ORDER BY s.name, a.application_no, a.department";
    static const char *by_average = APPLICANTS_SQL
        " ORDER BY a.average IS NULL, a.average DESC, a.application_no, a.department";
#undef APPLICANTS_SQL
    const char *sort = filter->sort ? filter->sort : "application_no";
    const char *sql = strcmp(sort, "name") == 0 ? by_name
                    : strcmp(sort, "average") == 0 ? by_average
                    : strcmp(sort, "application_no") == 0 ? by_number : NULL;
    if (!sql) {
        error_set(err, ERROR_INVALID, "unknown sort '%s' (application_no, name or average)", sort);
        return NULL;
    }
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s)
        return NULL;
    if (filter->department)
        sqlite3_bind_text(s, 1, filter->department, -1, SQLITE_TRANSIENT);
    if (filter->source)
        sqlite3_bind_text(s, 2, filter->source, -1, SQLITE_TRANSIENT);
    if (filter->category)
        sqlite3_bind_text(s, 3, filter->category, -1, SQLITE_TRANSIENT);
    static const char *const booleans[] = {"self_made", NULL};
    static const char *const json_columns[] = {"counts", NULL};
    json_t *list = collect_rows(store, s, booleans, json_columns, err);
    size_t i;
    json_t *row;
    json_array_foreach(list, i, row)
        set_masked_id(row, "national_id", filter->show_national_id);
    return list;
}

/* ---- categories -------------------------------------------------------- */

json_t *query_categories(struct store *store, sqlite3_int64 application_id, struct error *err)
{
    static const char *sql =
        "SELECT name AS category, grp AS \"group\", item, count FROM categories"
        " WHERE application_id = ?1 ORDER BY position";
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, application_id);
    return collect_rows(store, s, NULL, NULL, err);
}

/* ---- records of a category --------------------------------------------- */

static json_t *student_record(struct store *store, sqlite3_int64 id, bool show_id,
                              struct error *err)
{
    static const char *sql =
        "SELECT 'student' AS type, name, national_id, gender, birth_date, school_code, school_name,"
        " program, class_name, seat_no, entry_year, graduation_year, status"
        " FROM students WHERE application_id = ?1";
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, id);
    json_t *record = one_row(store, s, NULL, "application has no student record", err);
    if (!record)
        return NULL;
    set_masked_id(record, "national_id", show_id);
    return record;
}

static int append_basic_records(struct store *store, sqlite3_int64 id, bool show_id,
                                json_t *records, struct error *err)
{
    json_t *student = student_record(store, id, show_id, err);
    if (!student)
        return -1;
    json_array_append_new(records, student);
    static const char *sql =
        "SELECT 'cadre' AS type, unit, title, start_date AS start, end_date AS end, level"
        " FROM cadres WHERE application_id = ?1 ORDER BY position";
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    json_t *cadres = collect_rows(store, s, NULL, NULL, err);
    json_array_extend(records, cadres);
    json_decref(cadres);
    return cadres ? 0 : -1;
}

/* "3,5,…" -> [3,5,…] */
static json_t *histogram_array(const char *text)
{
    if (!text)
        return json_null();
    json_t *array = json_array();
    for (const char *p = text; *p;) {
        char *end;
        long value = strtol(p, &end, 10);
        if (end == p)
            break;
        json_array_append_new(array, json_integer(value));
        p = *end == ',' ? end + 1 : end;
    }
    return array;
}

/* Adds pool_n, pool_percentile and pool_too_small for a graded course
 * row: its standing among the graded rows of the same subject in the same
 * grade and semester of the department's applicants (pool_term_counts,
 * schema 008). */
static int add_pool_percentile(struct store *store, json_t *course, struct error *err)
{
    static const char *sql =
        "SELECT coalesce(sum(rows), 0), coalesce(sum(rows) FILTER (WHERE score < ?5), 0),"
        " coalesce(sum(rows) FILTER (WHERE score = ?5), 0) FROM pool_term_counts"
        " WHERE department = ?1 AND subject = ?2 AND grade = ?3 AND semester = ?4";
    json_t *score = json_object_get(course, "score");
    if (!json_is_true(json_object_get(course, "graded")) || !json_is_number(score)) {
        json_object_set_new(course, "pool_n", json_null());
        json_object_set_new(course, "pool_percentile", json_null());
        json_object_set_new(course, "pool_too_small", json_null());
        return 0;
    }
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, json_string_value(json_object_get(course, "department")), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, json_string_value(json_object_get(course, "subject")), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, json_integer_value(json_object_get(course, "grade")));
    sqlite3_bind_int64(s, 4, json_integer_value(json_object_get(course, "semester")));
    sqlite3_bind_double(s, 5, json_number_value(score));
    int n = 0, below = 0, equal = 0;
    int row = store_step(store, s, err);
    if (row > 0) {
        n = sqlite3_column_int(s, 0);
        below = sqlite3_column_int(s, 1);
        equal = sqlite3_column_int(s, 2);
    }
    sqlite3_reset(s);
    if (row < 0)
        return -1;
    json_object_set_new(course, "pool_n", json_integer(n));
    json_object_set_new(course, "pool_percentile", json_real(query_percentile_rank(below, equal, n)));
    json_object_set_new(course, "pool_too_small", json_boolean(n < QUERY_MIN_POOL));
    return 0;
}

static int append_course_records(struct store *store, sqlite3_int64 id, const char *category,
                                 json_t *records, struct error *err)
{
    static const char *sql =
        "SELECT 'course' AS type, c.year, c.semester, c.grade, c.code, c.name, c.subject, c.credits,"
        " c.score, c.passed, c.makeup_score, c.counted, c.record_type, c.in_progress, c.graded,"
        " c.cohort_size, c.cohort_rank, c.cohort_histogram, c.remark, c.department,"
        " c.course_type, c.domain_code, k.name_en, k.teacher_source, k.required, k.domain,"
        " k.cross_domain, k.origin, k.competencies, k.syllabus"
        " FROM courses c LEFT JOIN course_catalog k ON k.application_id = c.application_id"
        "  AND k.code = c.code"
        " WHERE c.application_id = ?1 AND c.category = ?2 ORDER BY c.year, c.semester, c.position";
    static const char *const booleans[] = {"passed", "in_progress", "graded", "required", NULL};
    static const char *const json_columns[] = {"teacher_source", "competencies", NULL};
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, category, -1, SQLITE_TRANSIENT);
    json_t *rows = json_array();
    int step;
    while ((step = store_step(store, s, err)) > 0) {
        json_t *row = row_object(s, booleans, json_columns);
        json_object_set_new(row, "cohort_histogram",
                            histogram_array((const char *)sqlite3_column_text(s, 17)));
        int size = sqlite3_column_int(s, 15), rank = sqlite3_column_int(s, 16);
        json_object_set_new(row, "cohort_rank_pct", sqlite3_column_type(s, 15) == SQLITE_NULL
                            ? json_null() : json_integer(query_cohort_rank_percent(rank, size)));
        /* The catalog data travels as one object, reachable from the course. */
        json_t *catalog = json_object();
        static const char *const catalog_keys[] = {"name_en", "teacher_source", "required",
            "domain", "cross_domain", "origin", "competencies", "syllabus", NULL};
        for (const char *const *k = catalog_keys; *k; k++) {
            json_object_set(catalog, *k, json_object_get(row, *k));
            json_object_del(row, *k);
        }
        /* Competencies' names beside their codes, as the packet prints them. */
        json_t *names = json_array();
        size_t c;
        json_t *code;
        json_array_foreach(json_object_get(catalog, "competencies"), c, code) {
            const char *name = json_is_string(code) ? category_competency_name(json_string_value(code)) : NULL;
            json_array_append_new(names, name ? json_string(name) : json_null());
        }
        json_object_set_new(catalog, "competency_names", names);
        json_object_set_new(row, "catalog", catalog);
        json_array_append_new(rows, row);
    }
    sqlite3_reset(s);
    if (step < 0) {
        json_decref(rows);
        return -1;
    }
    /* Pool percentiles after the walk: they use other cached statements. */
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        if (add_pool_percentile(store, row, err) != 0) {
            json_decref(rows);
            return -1;
        }
    }
    json_array_extend(records, rows);
    json_decref(rows);
    return 0;
}

static json_t *attachments_of(struct store *store, const char *owner_kind, sqlite3_int64 owner_id,
                              struct error *err)
{
    static const char *sql =
        "SELECT name, media_type, size, sha256 FROM attachments"
        " WHERE owner_kind = ?1 AND owner_id = ?2 ORDER BY position";
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, owner_kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, owner_id);
    return collect_rows(store, s, NULL, NULL, err);
}

/* Runs an item query (outcomes, performances or uploads of one item) and
 * attaches each record's files. */
static int append_item_records(struct store *store, sqlite3_int64 id, const char *item,
                               const char *sql, const char *owner_kind,
                               const char *const *booleans, const char *const *json_columns,
                               json_t *records, struct error *err)
{
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, item, -1, SQLITE_TRANSIENT);
    json_t *rows = collect_rows(store, s, booleans, json_columns, err);
    if (!rows)
        return -1;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_t *files = attachments_of(store, owner_kind,
                                       json_integer_value(json_object_get(row, "row_id")), err);
        if (!files) {
            json_decref(rows);
            return -1;
        }
        json_object_del(row, "row_id");
        json_object_set_new(row, "files", files);
    }
    json_array_extend(records, rows);
    json_decref(rows);
    return 0;
}

static int append_item(struct store *store, sqlite3_int64 id, const char *item, json_t *records,
                       struct error *err)
{
    static const char *outcomes =
        "SELECT id AS row_id, 'outcome' AS type, export_id AS id, item, year, semester, course_code,"
        " course_name, title, summary, certified, certified_at, uploaded_at"
        " FROM outcomes WHERE application_id = ?1 AND item = ?2 ORDER BY position";
    static const char *performances =
        "SELECT id AS row_id, 'performance' AS type, export_id AS id, item, kind, year, semester,"
        " title, organizer, start_date AS start, end_date AS end, hours, level, award, summary,"
        " uploaded_at, links FROM performances WHERE application_id = ?1 AND item = ?2"
        " ORDER BY position";
    static const char *uploads =
        "SELECT id AS row_id, 'upload' AS type, item, title, text, length(text) AS text_length"
        " FROM uploads WHERE application_id = ?1 AND item = ?2 ORDER BY position";
    static const char *const outcome_booleans[] = {"certified", NULL};
    static const char *const performance_json[] = {"links", NULL};
    if (append_item_records(store, id, item, outcomes, "outcome", outcome_booleans, NULL,
                            records, err) != 0 ||
        append_item_records(store, id, item, performances, "performance", NULL, performance_json,
                            records, err) != 0 ||
        append_item_records(store, id, item, uploads, "upload", NULL, NULL, records, err) != 0)
        return -1;
    return 0;
}

static int append_category_records(struct store *store, sqlite3_int64 id, const char *name,
                                   const char *group, const char *item, bool show_id,
                                   json_t *records, struct error *err)
{
    if (strcmp(group, CATEGORY_GROUP_BASIC) == 0)
        return append_basic_records(store, id, show_id, records, err);
    if (item)
        return append_item(store, id, item, records, err);
    return append_course_records(store, id, name, records, err);
}

static json_t *application_header(struct store *store, sqlite3_int64 id, bool show_id,
                                  struct error *err)
{
    static const char *sql =
        "SELECT a.key AS id, a.application_no, a.department, d.name AS department_name, a.source,"
        " a.source = 'self_made_pdf' AS self_made, d.round, d.university_name, a.submitted_at,"
        " a.exported_at, a.average, a.credits_counted"
        " FROM applications a JOIN departments d ON d.code = a.department WHERE a.id = ?1";
    static const char *const booleans[] = {"self_made", NULL};
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, id);
    json_t *header = one_row(store, s, booleans, "no such application", err);
    if (!header)
        return NULL;
    json_t *student = student_record(store, id, show_id, err);
    if (!student) {
        json_decref(header);
        return NULL;
    }
    json_object_del(student, "type");
    json_object_set_new(header, "student", student);
    return header;
}

json_t *query_show(struct store *store, sqlite3_int64 application_id, const char *category,
                   bool show_national_id, struct error *err)
{
    static const char *sql =
        "SELECT name, grp, item FROM categories WHERE application_id = ?1"
        " AND (?2 IS NULL OR name = ?2) ORDER BY position";
    json_t *result = application_header(store, application_id, show_national_id, err);
    if (!result)
        return NULL;
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s) {
        json_decref(result);
        return NULL;
    }
    sqlite3_bind_int64(s, 1, application_id);
    if (category)
        sqlite3_bind_text(s, 2, category, -1, SQLITE_TRANSIENT);
    /* Copy the category list first: filling records runs other statements. */
    json_t *categories = json_array();
    int row;
    while ((row = store_step(store, s, err)) > 0)
        json_array_append_new(categories, json_pack("{s:s, s:s, s:s?}",
            "category", (const char *)sqlite3_column_text(s, 0),
            "group", (const char *)sqlite3_column_text(s, 1),
            "item", (const char *)sqlite3_column_text(s, 2)));
    sqlite3_reset(s);
    json_object_set_new(result, "categories", categories);
    if (row < 0) {
        json_decref(result);
        return NULL;
    }
    if (category && json_array_size(categories) == 0) {
        error_set(err, ERROR_NOT_FOUND, "%s: no category '%s' (see beishen categories)",
                  json_string_value(json_object_get(result, "id")), category);
        json_decref(result);
        return NULL;
    }
    size_t i;
    json_t *entry;
    json_array_foreach(categories, i, entry) {
        json_t *records = json_array();
        json_object_set_new(entry, "records", records);
        json_t *item = json_object_get(entry, "item");
        if (append_category_records(store, application_id,
                                    json_string_value(json_object_get(entry, "category")),
                                    json_string_value(json_object_get(entry, "group")),
                                    item ? json_string_value(item) : NULL, show_national_id,
                                    records, err) != 0) {
            json_decref(result);
            return NULL;
        }
        json_object_del(entry, "item");
    }
    return result;
}

/* ---- distributions ----------------------------------------------------- */

struct scored {
    json_t *entry;
    double score;
};

static int compare_scored_descending(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return strcmp(json_string_value(json_object_get(x->entry, "id")),
                  json_string_value(json_object_get(y->entry, "id")));
}

/* Percentile of each application: ties counted half, over the pool. */
static json_t *ranked_applications(struct scored *items, int n)
{
    qsort(items, n, sizeof *items, compare_scored_descending);
    json_t *list = json_array();
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && items[j].score == items[i].score)
            j++;
        int below = n - j, equal = j - i;
        for (int k = i; k < j; k++) {
            json_object_set_new(items[k].entry, "percentile",
                                json_real(query_percentile_rank(below, equal, n)));
            json_array_append(list, items[k].entry);
        }
        i = j;
    }
    return list;
}

json_t *query_distribution(struct store *store, const struct distribution_request *request,
                           struct error *err)
{
    /* Credit-weighted mean per application; a pool of rows without credits
     * falls back to the plain mean.  One statement per key, so that each
     * uses its own partial index. */
#define DISTRIBUTION_SQL(condition)                                                         \
        "SELECT a.key AS id, a.application_no, s.name,"                                     \
        " CASE WHEN sum(c.credits) > 0 THEN sum(c.score * c.credits) / sum(c.credits)"      \
        "      ELSE avg(c.score) END AS score, count(*) AS rows"                            \
        " FROM courses c JOIN applications a ON a.id = c.application_id"                    \
        " JOIN students s ON s.application_id = a.id"                                       \
        " WHERE c.graded AND c.department = ?1 AND " condition " GROUP BY a.id"
    /* One term of a course code is read from the course rows; every other
     * pool was derived at ingest into pool_scores (index.c). */
    static const char *by_term = DISTRIBUTION_SQL("c.code = ?3 AND c.year = ?4 AND c.semester = ?5");
#undef DISTRIBUTION_SQL
    /* A subject in one grade and semester: every graded row is one entry,
     * as in a course row's pool percentile (pool_term_counts). */
    static const char *by_subject_term =
        "SELECT a.key AS id, a.application_no, s.name, c.score AS score, 1 AS rows"
        " FROM courses c JOIN applications a ON a.id = c.application_id"
        " JOIN students s ON s.application_id = a.id"
        " WHERE c.graded AND c.department = ?1 AND c.subject = ?3 AND c.grade = ?4 AND c.semester = ?5";
    static const char *from_pool =
        "SELECT a.key AS id, a.application_no, s.name, p.score, p.rows FROM pool_scores p"
        " JOIN applications a ON a.id = p.application_id JOIN students s ON s.application_id = a.id"
        " WHERE p.department = ?1 AND p.kind = ?2 AND p.key = ?3";
    bool term = (request->key == DIST_COURSE && request->year) || request->key == DIST_TERM;
    const char *sql = request->key == DIST_TERM ? by_subject_term : term ? by_term : from_pool;
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, request->department, -1, SQLITE_TRANSIENT);
    if (!term)
        sqlite3_bind_int(s, 2, (int)request->key);
    sqlite3_bind_text(s, 3, request->value, -1, SQLITE_TRANSIENT);
    if (term) {
        sqlite3_bind_int(s, 4, request->key == DIST_TERM ? request->grade : request->year);
        sqlite3_bind_int(s, 5, request->semester);
    }
    size_t capacity = 64, n = 0;
    struct scored *items = malloc(capacity * sizeof *items);
    int row = 0;
    while (items && (row = store_step(store, s, err)) > 0) {
        if (n == capacity) {
            struct scored *grown = realloc(items, 2 * capacity * sizeof *items);
            if (!grown) {
                row = error_set(err, ERROR_INTERNAL, "out of memory");
                break;
            }
            items = grown;
            capacity *= 2;
        }
        json_t *entry = row_object(s, NULL, NULL);
        double score = round2(sqlite3_column_double(s, 3));
        json_object_set_new(entry, "score", json_real(score));
        items[n++] = (struct scored){entry, score};
    }
    sqlite3_reset(s);
    if (!items || row < 0) {
        for (size_t i = 0; i < n; i++)
            json_decref(items[i].entry);
        free(items);
        if (!items)
            error_set(err, ERROR_INTERNAL, "out of memory");
        return NULL;
    }
    static const char *const key_names[] = {"course", "subject", "category", "domain", "subject"};
    json_t *result = json_pack("{s:s, s:s, s:s}", "department", request->department,
                               "key", key_names[request->key], "value", request->value);
    if (request->key == DIST_COURSE && request->year)
        json_object_set_new(result, "term", json_pack("{s:i, s:i}", "year", request->year,
                                                      "semester", request->semester));
    if (request->key == DIST_TERM)
        json_object_set_new(result, "term", json_pack("{s:i, s:i}", "grade", request->grade,
                                                      "semester", request->semester));
    json_object_set_new(result, "min_pool", json_integer(QUERY_MIN_POOL));
    double *values = malloc(sizeof *values * (n + 1));
    for (size_t i = 0; values && i < n; i++)
        values[i] = items[i].score;
    struct statistics statistics;
    statistics_describe(values, values ? n : 0, &statistics);
    free(values);
    json_t *described = statistics_json(&statistics);
    json_object_update(result, described);
    json_decref(described);
    json_object_set_new(result, "applications", ranked_applications(items, (int)n));
    for (size_t i = 0; i < n; i++)
        json_decref(items[i].entry);
    free(items);
    return result;
}

json_t *query_pool_standings(struct store *store, const char *department,
                             enum distribution_key key, const char *value, struct error *err)
{
    static const char *sql =
        "SELECT a.key, p.score FROM pool_scores p JOIN applications a ON a.id = p.application_id"
        " WHERE p.department = ?1 AND p.kind = ?2 AND p.key = ?3 ORDER BY p.score";
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, (int)key);
    sqlite3_bind_text(s, 3, value, -1, SQLITE_TRANSIENT);
    json_t *ids = json_array(), *scores = json_array();
    int row;
    while ((row = store_step(store, s, err)) > 0) {
        json_array_append_new(ids, json_string((const char *)sqlite3_column_text(s, 0)));
        json_array_append_new(scores, json_real(round2(sqlite3_column_double(s, 1))));
    }
    sqlite3_reset(s);
    if (row < 0) {
        json_decref(ids);
        json_decref(scores);
        return NULL;
    }
    /* Ascending scores: a run of equal ones has `first` rows below it. */
    json_t *standings = json_object();
    size_t n = json_array_size(ids);
    for (size_t first = 0; first < n;) {
        double score = json_real_value(json_array_get(scores, first));
        size_t end = first;
        while (end < n && json_real_value(json_array_get(scores, end)) == score)
            end++;
        double percentile = query_percentile_rank((int)first, (int)(end - first), (int)n);
        for (size_t k = first; k < end; k++)
            json_object_set_new(standings, json_string_value(json_array_get(ids, k)),
                json_pack("{s:O, s:f}", "average", json_array_get(scores, k), "percentile", percentile));
        first = end;
    }
    json_decref(ids);
    json_decref(scores);
    return standings;
}

json_t *query_department_distributions(struct store *store, const char *department,
                                       enum distribution_key key, struct error *err)
{
    static const char *sql =
        "SELECT key, statistics FROM pool_statistics WHERE department = ?1 AND kind = ?2 ORDER BY key";
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, (int)key);
    /* Rows first: a stale row (changed since the last ingest finished) is
     * computed from pool_scores, which runs another statement. */
    json_t *rows = collect_rows(store, s, NULL, NULL, err);
    if (!rows)
        return NULL;
    json_t *result = json_object();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *pool = json_string_value(json_object_get(row, "key"));
        const char *cached = json_string_value(json_object_get(row, "statistics"));
        json_t *statistics = cached ? json_loads(cached, 0, NULL)
                                    : index_pool_statistics(store, department, (enum pool_kind)key,
                                                            pool, err);
        if (statistics) {
            json_object_set_new(result, pool, statistics);
        } else if (err->kind != ERROR_NOT_FOUND) {   /* an emptied pool has no distribution */
            json_decref(result);
            result = NULL;
            break;
        }
    }
    json_decref(rows);
    if (result)
        error_clear(err);
    return result;
}

/* [{code, name, average}]: the application's credit-weighted average of
 * each domain it has graded rows in (pool_scores, the figures the
 * comparison sheet shows). */
static json_t *domain_averages(struct store *store, sqlite3_int64 application_id, struct error *err)
{
    static const char *sql =
        "SELECT key AS code, round(score, 2) AS average FROM pool_scores"
        " WHERE application_id = ?1 AND kind = 3 ORDER BY key";
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, application_id);
    json_t *rows = collect_rows(store, s, NULL, NULL, err);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *code = json_string_value(json_object_get(row, "code"));
        const char *name = code ? category_domain_name(code) : NULL;
        char fallback[32];
        snprintf(fallback, sizeof fallback, "領域%s", code ? code : "");
        json_object_set_new(row, "name", json_string(name ? name : fallback));
    }
    return rows;
}

json_t *query_packet_content(struct store *store, sqlite3_int64 application_id, struct error *err)
{
    json_t *show = query_show(store, application_id, NULL, false, err);
    if (!show)
        return NULL;
    json_t *domains = domain_averages(store, application_id, err);
    if (!domains) {
        json_decref(show);
        return NULL;
    }
    json_object_set_new(show, "domain_averages", domains);
    json_t *list = requirements_latest(store, json_string_value(json_object_get(show, "department")),
                                       err);
    if (!list && err->kind != ERROR_NOT_FOUND) {
        json_decref(show);
        return NULL;
    }
    error_clear(err);
    return json_pack("{s:s, s:o, s:o}", "document", "packet-1", "application", show,
                     "requirements", list ? list : json_null());
}

/* Outcomes (B–E) with and without teacher certification; performances
 * (F–M) are never certified (the student enters them). */
static json_t *certification_counts(struct store *store, sqlite3_int64 application_id, struct error *err)
{
    static const char *sql =
        "SELECT (SELECT count(*) FROM outcomes WHERE application_id = ?1 AND certified = 1),"
        " (SELECT count(*) FROM outcomes WHERE application_id = ?1 AND certified = 0),"
        " (SELECT count(*) FROM performances WHERE application_id = ?1)";
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, application_id);
    json_t *counts = NULL;
    if (store_step(store, s, err) > 0)
        counts = json_pack("{s:i, s:i, s:i}", "outcomes_certified", sqlite3_column_int(s, 0),
                           "outcomes_uncertified", sqlite3_column_int(s, 1),
                           "performances_uncertified", sqlite3_column_int(s, 2));
    sqlite3_reset(s);
    return counts;
}

/* The list's items, each with how many records the application has for it. */
static json_t *item_counts(const json_t *list, const json_t *categories)
{
    json_t *items = json_array();
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(list, "items"), i, item) {
        const char *code = json_string_value(json_object_get(item, "code"));
        long long count = 0;
        size_t k;
        const json_t *category;
        json_array_foreach(categories, k, category) {
            const char *category_item = json_string_value(json_object_get(category, "item"));
            const char *group = json_string_value(json_object_get(category, "group"));
            bool courses = group && strcmp(group, CATEGORY_GROUP_COURSES) == 0;
            if ((courses && code && strcmp(code, "A") == 0) ||
                (!courses && category_item && code && strcmp(category_item, code) == 0))
                count += json_integer_value(json_object_get(category, "count"));
        }
        const char *name = json_string_value(json_object_get(item, "name"));
        if (!name && code)
            name = category_item_name(code[0]);
        json_array_append_new(items, json_pack("{s:s?, s:s?, s:O, s:I, s:b}", "code", code,
            "name", name, "weight", json_object_get(item, "weight"), "count", (json_int_t)count,
            "missing", count == 0));
    }
    return items;
}

json_t *query_overview(struct store *store, sqlite3_int64 application_id, struct error *err)
{
    json_t *overview = application_header(store, application_id, false, err);
    if (!overview)
        return NULL;
    json_t *categories = query_categories(store, application_id, err);
    json_t *domains = categories ? domain_averages(store, application_id, err) : NULL;
    json_t *certification = domains ? certification_counts(store, application_id, err) : NULL;
    json_t *list = NULL;
    if (certification) {
        list = requirements_latest(store, json_string_value(json_object_get(overview, "department")), err);
        if (!list && err->kind == ERROR_NOT_FOUND)
            error_clear(err);
        else if (!list)
            json_decref(certification), certification = NULL;
    }
    if (!certification) {
        json_decref(overview);
        json_decref(categories);
        json_decref(domains);
        return NULL;
    }
    json_object_set_new(overview, "items", list ? item_counts(list, categories) : json_null());
    json_object_set_new(overview, "list_version", list ? json_incref(json_object_get(list, "loaded_version"))
                                                       : json_null());
    json_object_set_new(overview, "categories", categories);
    json_object_set_new(overview, "domain_averages", domains);
    json_object_set_new(overview, "certification", certification);
    json_decref(list);
    return overview;
}

json_t *query_department(struct store *store, const char *department, struct error *err)
{
    static const char *sql =
        "SELECT d.code AS department, d.name AS department_name, d.university_name, d.round,"
        " (SELECT max(exported_at) FROM applications WHERE department = d.code) AS exported_at"
        " FROM departments d WHERE d.code = ?1";
    sqlite3_stmt *s = prepare(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    json_t *header = NULL;
    int row = store_step(store, s, err);
    if (row > 0)
        header = json_pack("{s:s, s:s, s:s, s:s, s:s?}",
            "department", (const char *)sqlite3_column_text(s, 0),
            "department_name", (const char *)sqlite3_column_text(s, 1),
            "university_name", (const char *)sqlite3_column_text(s, 2),
            "round", (const char *)sqlite3_column_text(s, 3),
            "exported_at", (const char *)sqlite3_column_text(s, 4));
    sqlite3_reset(s);
    if (row == 0)
        error_set(err, ERROR_NOT_FOUND, "department %s has no applications", department);
    return header;
}
