/* index — derived categories, summaries, pool scores and pool statistics.
 *
 * Category order (documented in README): 基本資料; then course groups by
 * course category 1, 2, 3, 4, 5, 7, 8, 9, A, 6, then domain code, then the
 * smallest course code in the group; then items B…Z by letter. */
#include "store/index.h"
#include "core/category.h"
#include "core/statistics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int insert_category(struct store *store, sqlite3_int64 application_id, int position,
                           const char *name, const char *group, const char *item, int count,
                           struct error *err)
{
    static const char *sql =
        "INSERT INTO categories(application_id, position, name, grp, item, count) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, application_id);
    sqlite3_bind_int(s, 2, position);
    /* stepped before the caller's buffers go away: no copies */
    sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, group, -1, SQLITE_STATIC);
    if (item)
        sqlite3_bind_text(s, 5, item, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 6, count);
    return store_step(store, s, err) < 0 ? -1 : 0;
}

static int index_categories(struct store *store, sqlite3_int64 id, struct error *err)
{
    static const char *cadre_count = "SELECT count(*) FROM cadres WHERE application_id = ?1";
    static const char *course_groups =
        "SELECT category, count(*) FROM courses WHERE application_id = ?1 GROUP BY category "
        "ORDER BY min(instr('12345789A6', course_type)), min(domain_code), min(code), category";
    static const char *item_groups =
        "SELECT item, count(*), min(title) FROM ("
        "  SELECT item, NULL AS title FROM outcomes WHERE application_id = ?1"
        "  UNION ALL SELECT item, NULL FROM performances WHERE application_id = ?1"
        "  UNION ALL SELECT item, title FROM uploads WHERE application_id = ?1)"
        " GROUP BY item ORDER BY item";
    int position = 0;

    sqlite3_stmt *s = store_statement(store, cadre_count, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    int row = store_step(store, s, err);
    if (row < 0)
        return -1;
    int cadres = row ? sqlite3_column_int(s, 0) : 0;
    sqlite3_reset(s);
    if (insert_category(store, id, position++, CATEGORY_GROUP_BASIC, CATEGORY_GROUP_BASIC,
                        NULL, 1 + cadres, err) != 0)
        return -1;

    /* Rows are copied before the next statement runs: insert_category
     * reuses the statement cache, not these statements. */
    if (!(s = store_statement(store, course_groups, err)))
        return -1;
    sqlite3_bind_int64(s, 1, id);
    while ((row = store_step(store, s, err)) > 0) {
        char name[CATEGORY_NAME_MAX];
        snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(s, 0));
        if (insert_category(store, id, position++, name, CATEGORY_GROUP_COURSES, NULL,
                            sqlite3_column_int(s, 1), err) != 0)
            return -1;
    }
    if (row < 0)
        return -1;

    if (!(s = store_statement(store, item_groups, err)))
        return -1;
    sqlite3_bind_int64(s, 1, id);
    while ((row = store_step(store, s, err)) > 0) {
        const char *item = (const char *)sqlite3_column_text(s, 0);
        const char *title = (const char *)sqlite3_column_text(s, 2);
        const char *standard = category_item_name(item[0]);
        const char *group = category_item_group(item[0]);
        char name[CATEGORY_NAME_MAX];
        /* R and later carry the department's own names, given in the upload title. */
        snprintf(name, sizeof name, "%s %s", item, item[0] >= 'R' && title ? title
                                                 : standard ? standard : "其他");
        char letter[2] = {item[0], '\0'};
        if (insert_category(store, id, position++, name, group ? group : "其他", letter,
                            sqlite3_column_int(s, 1), err) != 0)
            return -1;
    }
    return row < 0 ? -1 : 0;
}

static int index_summary(struct store *store, sqlite3_int64 id, struct error *err)
{
    static const char *sql =
        "UPDATE applications SET "
        " average = (SELECT round(sum(score * credits) / sum(credits), 2) FROM courses"
        "            WHERE application_id = ?1 AND graded AND counted = 1 AND credits > 0),"
        " credits_counted = (SELECT coalesce(sum(credits), 0) FROM courses"
        "            WHERE application_id = ?1 AND graded AND counted = 1),"
        " course_count = (SELECT count(*) FROM courses WHERE application_id = ?1),"
        " outcome_count = (SELECT count(*) FROM outcomes WHERE application_id = ?1),"
        " certified_count = (SELECT count(*) FROM outcomes WHERE application_id = ?1 AND certified),"
        " performance_count = (SELECT count(*) FROM performances WHERE application_id = ?1),"
        " upload_count = (SELECT count(*) FROM uploads WHERE application_id = ?1),"
        " group_counts = coalesce((SELECT json_group_object(grp, total) FROM"
        "   (SELECT grp, sum(count) AS total FROM categories WHERE application_id = ?1 GROUP BY grp)), '{}')"
        " WHERE id = ?1";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    return store_step(store, s, err) < 0 ? -1 : 0;
}

/* The application's score in every pool it belongs to (schema 004):
 * one statement per kind of key, each the credit-weighted mean of its
 * graded rows (plain mean when they carry no credits). */
static int index_pools(struct store *store, sqlite3_int64 id, struct error *err)
{
#define POOL_SQL(kind, column)                                                               \
        "INSERT INTO pool_scores(department, kind, key, application_id, score, rows)"       \
        " SELECT department, " #kind ", " column ", application_id,"                         \
        " CASE WHEN sum(credits) > 0 THEN sum(score * credits) / sum(credits)"               \
        "      ELSE avg(score) END, count(*)"                                                \
        " FROM courses WHERE application_id = ?1 AND graded GROUP BY " column
    static const char *statements[] = {
        "DELETE FROM pool_scores WHERE application_id = ?1",
        POOL_SQL(0, "code"), POOL_SQL(1, "subject"), POOL_SQL(2, "category"), POOL_SQL(3, "domain_code"),
    };
#undef POOL_SQL
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
        sqlite3_stmt *s = store_statement(store, statements[i], err);
        if (!s)
            return -1;
        sqlite3_bind_int64(s, 1, id);
        if (store_step(store, s, err) < 0)
            return -1;
    }
    return 0;
}

int index_application(struct store *store, sqlite3_int64 application_id, struct error *err)
{
    static const char *clear = "DELETE FROM categories WHERE application_id = ?1";
    sqlite3_stmt *s = store_statement(store, clear, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, application_id);
    if (store_step(store, s, err) < 0)
        return -1;
    if (index_categories(store, application_id, err) != 0 ||
        index_pools(store, application_id, err) != 0)
        return -1;
    return index_summary(store, application_id, err);
}

json_t *index_pool_statistics(struct store *store, const char *department, enum pool_kind kind,
                              const char *key, struct error *err)
{
    static const char *sql =
        "SELECT score FROM pool_scores WHERE department = ?1 AND kind = ?2 AND key = ?3";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, (int)kind);
    sqlite3_bind_text(s, 3, key, -1, SQLITE_TRANSIENT);
    size_t capacity = 1024, n = 0;
    double *values = malloc(capacity * sizeof *values);
    int row = 0;
    while (values && (row = store_step(store, s, err)) > 0) {
        if (n == capacity) {
            double *grown = realloc(values, 2 * capacity * sizeof *values);
            if (!grown) {
                free(values);
                values = NULL;
                break;
            }
            values = grown;
            capacity *= 2;
        }
        values[n++] = statistics_round2(sqlite3_column_double(s, 0));
    }
    sqlite3_reset(s);
    if (!values) {
        error_set(err, ERROR_INTERNAL, "pool statistics: out of memory");
        return NULL;
    }
    json_t *result = NULL;
    if (row == 0 && n == 0) {
        error_set(err, ERROR_NOT_FOUND, "%s: no pool '%s'", department, key);
    } else if (row == 0) {
        struct statistics statistics;
        statistics_describe(values, n, &statistics);
        result = statistics_json(&statistics);
    }
    free(values);
    return result;
}

int index_blind_numbers(struct store *store, struct error *err)
{
    static const char *sql =
        "INSERT INTO blind_numbers (department, application_no, number)"
        " SELECT a.department, a.application_no,"
        "        coalesce((SELECT max(number) FROM blind_numbers b WHERE b.department = a.department), 0)"
        "        + row_number() OVER (PARTITION BY a.department"
        "            ORDER BY hmac_sha256((SELECT secret FROM blind_secret WHERE only = 1),"
        "                                 a.department || '-' || a.application_no))"
        "   FROM applications a"
        "  WHERE NOT EXISTS (SELECT 1 FROM blind_numbers b"
        "                     WHERE b.department = a.department AND b.application_no = a.application_no)";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    int rc = store_step(store, s, err);
    sqlite3_reset(s);
    return rc < 0 ? error_prefix(err, "blind review numbers") : 0;
}

int index_refresh_pool_statistics(struct store *store, struct error *err)
{
    static const char *stale_sql =
        "SELECT department, kind, key FROM pool_statistics WHERE statistics IS NULL";
    static const char *update_sql =
        "UPDATE pool_statistics SET statistics = ?4 WHERE department = ?1 AND kind = ?2 AND key = ?3";
    static const char *delete_sql =
        "DELETE FROM pool_statistics WHERE department = ?1 AND kind = ?2 AND key = ?3";
    sqlite3_stmt *stale = store_statement(store, stale_sql, err);
    if (!stale)
        return -1;
    /* Collect first: the updates below change the table being read. */
    json_t *pools = json_array();
    int row;
    while ((row = store_step(store, stale, err)) > 0)
        json_array_append_new(pools, json_pack("[s, i, s]",
            (const char *)sqlite3_column_text(stale, 0), sqlite3_column_int(stale, 1),
            (const char *)sqlite3_column_text(stale, 2)));
    sqlite3_reset(stale);
    int rc = row < 0 ? -1 : 0;
    size_t i;
    json_t *pool;
    json_array_foreach(pools, i, pool) {
        if (rc != 0)
            break;
        const char *department = json_string_value(json_array_get(pool, 0));
        int kind = (int)json_integer_value(json_array_get(pool, 1));
        const char *key = json_string_value(json_array_get(pool, 2));
        /* Only a pool that has become empty loses its row; a failure to
         * read one fails the refresh and leaves the row stale. */
        json_t *statistics = index_pool_statistics(store, department, (enum pool_kind)kind, key, err);
        if (!statistics && err->kind != ERROR_NOT_FOUND) {
            rc = -1;
            break;
        }
        char *text = statistics ? json_dumps(statistics, JSON_COMPACT) : NULL;
        json_decref(statistics);
        sqlite3_stmt *s = store_statement(store, text ? update_sql : delete_sql, err);
        if (!s) {
            free(text);
            rc = -1;
            break;
        }
        sqlite3_bind_text(s, 1, department, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, kind);
        sqlite3_bind_text(s, 3, key, -1, SQLITE_STATIC);
        if (text)
            sqlite3_bind_text(s, 4, text, -1, free);
        if (store_step(store, s, err) < 0)
            rc = -1;
    }
    json_decref(pools);
    if (rc == 0)
        error_clear(err);
    return rc;
}
