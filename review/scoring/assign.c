/* assign — readers for applications, conflicts, reassignment, third readers.
 *
 * The assignment is greedy and deterministic.  Applications are taken most
 * constrained first (fewest eligible reviewers), ties in an order drawn
 * from the seed; each reading goes to the eligible reviewer with the
 * lightest load, then the fewest readings shared with the application's
 * other readers (pairs spread), then the seed's order.  Least-loaded first
 * keeps every load within one of the others unless conflicts forbid it. */
#include "scoring/assign.h"
#include "core/timestamp.h"
#include "scoring/plan.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#define NAME_MAX_BYTES 65

struct candidate_app {
    char no[16];
    char school[16];
    int readers[8];               /* reviewer indexes already reading it */
    int count;                    /* readers it has (of the listed reviewers or not) */
    int next_reading;
    int need;
    int eligible;
    uint64_t order;
};

struct pool {
    char (*names)[NAME_MAX_BYTES];
    size_t count;
    int *load;
    int *pairs;                   /* count × count readings shared */
    json_t *conflicts;            /* {reviewer: {"school:CODE": true, "application:NO": true}} */
};

/* splitmix64: a well-mixed 64-bit value from a seed and a text. */
static uint64_t mix(uint64_t seed, const char *a, const char *b)
{
    uint64_t x = seed ^ 0x9E3779B97F4A7C15ULL;
    for (const char *t = a; t && *t; t++)
        x = (x ^ (unsigned char)*t) * 0x100000001B3ULL;
    x ^= 0xFF;
    for (const char *t = b; t && *t; t++)
        x = (x ^ (unsigned char)*t) * 0x100000001B3ULL;
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static bool conflicted(const struct pool *pool, size_t r, const struct candidate_app *app)
{
    const json_t *mine = json_object_get(pool->conflicts, pool->names[r]);
    if (!mine)
        return false;
    char key[64];
    snprintf(key, sizeof key, "school:%s", app->school);
    if (json_object_get(mine, key))
        return true;
    snprintf(key, sizeof key, "application:%s", app->no);
    return json_object_get(mine, key) != NULL;
}

static bool reads(const struct candidate_app *app, int r)
{
    for (int i = 0; i < app->count && i < 8; i++)
        if (app->readers[i] == r)
            return true;
    return false;
}

static bool eligible(const struct pool *pool, size_t r, const struct candidate_app *app)
{
    return !reads(app, (int)r) && !conflicted(pool, r, app);
}

/* ---- loading ----------------------------------------------------------------- */

/* The department's reviewers: the accounts granted it. */
static json_t *department_reviewers(struct store *store, const char *department, struct error *err)
{
    static const char *sql =
        "SELECT u.name FROM users u JOIN user_departments d ON d.user_id = u.id"
        " WHERE u.role = 'reviewer' AND d.department = ?1 ORDER BY u.name";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    json_t *names = json_array();
    int row;
    while ((row = store_step(store, s, err)) > 0)
        json_array_append_new(names, json_string((const char *)sqlite3_column_text(s, 0)));
    sqlite3_reset(s);
    if (row < 0) {
        json_decref(names);
        return NULL;
    }
    return names;
}

static int load_pool(struct store *store, const struct assign_request *request, struct pool *pool,
                     struct error *err)
{
    json_t *known = department_reviewers(store, request->department, err);
    if (!known)
        return -1;
    size_t count = request->reviewers ? request->reviewer_count : json_array_size(known);
    int rc = 0;
    if (count == 0 || count > ASSIGN_REVIEWERS_MAX) {
        rc = error_set(err, ERROR_INVALID, "department %s: %zu reviewers (1 to %d; reviewers are "
                       "accounts granted the department)", request->department, count,
                       ASSIGN_REVIEWERS_MAX);
    }
    pool->names = g_malloc0(sizeof *pool->names * (count ? count : 1));
    for (size_t i = 0; rc == 0 && i < count; i++) {
        const char *name = request->reviewers ? request->reviewers[i]
                                              : json_string_value(json_array_get(known, i));
        bool found = false;
        size_t k;
        json_t *value;
        json_array_foreach(known, k, value)
            found = found || strcmp(json_string_value(value), name) == 0;
        for (size_t j = 0; j < i; j++)
            if (strcmp(pool->names[j], name) == 0)
                rc = error_set(err, ERROR_INVALID, "reviewer %s named twice", name);
        if (!found)
            rc = error_set(err, ERROR_INVALID, "%s is not a reviewer account of department %s",
                           name, request->department);
        snprintf(pool->names[i], NAME_MAX_BYTES, "%s", name);
    }
    json_decref(known);
    pool->count = count;
    pool->load = g_malloc0(sizeof *pool->load * (count ? count : 1));
    pool->pairs = g_malloc0(sizeof *pool->pairs * (count ? count * count : 1));
    pool->conflicts = json_object();
    if (rc != 0)
        return -1;
    static const char *sql =
        "SELECT reviewer, kind, value FROM reviewer_conflicts WHERE department = ?1";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, request->department, -1, SQLITE_TRANSIENT);
    int row;
    while ((row = store_step(store, s, err)) > 0) {
        const char *reviewer = (const char *)sqlite3_column_text(s, 0);
        json_t *mine = json_object_get(pool->conflicts, reviewer);
        if (!mine)
            json_object_set_new(pool->conflicts, reviewer, mine = json_object());
        char key[96];
        snprintf(key, sizeof key, "%s:%s", (const char *)sqlite3_column_text(s, 1),
                 (const char *)sqlite3_column_text(s, 2));
        json_object_set_new(mine, key, json_true());
    }
    sqlite3_reset(s);
    return row < 0 ? -1 : 0;
}

static void free_pool(struct pool *pool)
{
    g_free(pool->names);
    g_free(pool->load);
    g_free(pool->pairs);
    json_decref(pool->conflicts);
}

static int reviewer_index(const struct pool *pool, const char *name)
{
    for (size_t i = 0; i < pool->count; i++)
        if (strcmp(pool->names[i], name) == 0)
            return (int)i;
    return -1;
}

/* The department's applications with their school and current readers;
 * loads and shared readings of the pool's reviewers counted on the way. */
static GArray *load_applications(struct store *store, const char *department, struct pool *pool,
                                 struct error *err)
{
    static const char *apps_sql =
        "SELECT a.application_no, s.school_code FROM applications a"
        " JOIN students s ON s.application_id = a.id WHERE a.department = ?1 ORDER BY a.application_no";
    static const char *readers_sql =
        "SELECT application_no, reviewer, reading FROM assignments WHERE department = ?1"
        " ORDER BY application_no, reading";
    GArray *apps = g_array_new(false, true, sizeof(struct candidate_app));
    GHashTable *by_no = g_hash_table_new(g_str_hash, g_str_equal);
    sqlite3_stmt *s = store_statement(store, apps_sql, err);
    int row = -1;
    if (s) {
        sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
        while ((row = store_step(store, s, err)) > 0) {
            struct candidate_app app = {.next_reading = 1};
            snprintf(app.no, sizeof app.no, "%s", (const char *)sqlite3_column_text(s, 0));
            snprintf(app.school, sizeof app.school, "%s", (const char *)sqlite3_column_text(s, 1));
            g_array_append_val(apps, app);
        }
        sqlite3_reset(s);
    }
    for (guint i = 0; i < apps->len; i++)
        g_hash_table_insert(by_no, g_array_index(apps, struct candidate_app, i).no,
                            GUINT_TO_POINTER(i + 1));
    if (row == 0 && (s = store_statement(store, readers_sql, err)) != NULL) {
        sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
        while ((row = store_step(store, s, err)) > 0) {
            guint at = GPOINTER_TO_UINT(g_hash_table_lookup(by_no, sqlite3_column_text(s, 0)));
            if (!at)
                continue;   /* an application no longer in the store keeps its rows */
            struct candidate_app *app = &g_array_index(apps, struct candidate_app, at - 1);
            int r = reviewer_index(pool, (const char *)sqlite3_column_text(s, 1));
            for (int i = 0; r >= 0 && i < app->count && i < 8; i++)
                if (app->readers[i] >= 0) {
                    pool->pairs[r * (int)pool->count + app->readers[i]]++;
                    pool->pairs[app->readers[i] * (int)pool->count + r]++;
                }
            if (app->count < 8)
                app->readers[app->count] = r;
            app->count++;
            if (r >= 0)
                pool->load[r]++;
            int reading = sqlite3_column_int(s, 2);
            if (reading >= app->next_reading)
                app->next_reading = reading + 1;
        }
        sqlite3_reset(s);
    }
    g_hash_table_destroy(by_no);
    if (row < 0) {
        g_array_free(apps, true);
        return NULL;
    }
    return apps;
}

static int insert_assignment(struct store *store, const char *department, const char *no,
                             const char *reviewer, int reading, const char *by, struct error *err)
{
    static const char *sql =
        "INSERT INTO assignments (department, application_no, reviewer, reading, assigned_at,"
        " assigned_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    char now[TIMESTAMP_SIZE];
    timestamp_now(now);
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, reviewer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 4, reading);
    sqlite3_bind_text(s, 5, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, by, -1, SQLITE_TRANSIENT);
    return store_step(store, s, err) < 0 ? error_prefix(err, "assignments") : 0;
}

/* ---- choosing ------------------------------------------------------------------- */

static int compare_apps(const void *a, const void *b)
{
    const struct candidate_app *x = a, *y = b;
    if (x->eligible != y->eligible)
        return x->eligible < y->eligible ? -1 : 1;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return strcmp(x->no, y->no);
}

/* The best reviewer for the app's next reading, or -1 when none is eligible. */
static int choose(const struct pool *pool, const struct candidate_app *app, uint64_t seed)
{
    int best = -1;
    int best_shared = 0;
    uint64_t best_order = 0;
    for (size_t r = 0; r < pool->count; r++) {
        if (!eligible(pool, r, app))
            continue;
        int shared = 0;
        for (int i = 0; i < app->count && i < 8; i++)
            if (app->readers[i] >= 0)
                shared += pool->pairs[r * pool->count + (size_t)app->readers[i]];
        uint64_t order = mix(seed, app->no, pool->names[r]);
        bool better = best < 0 || pool->load[r] < pool->load[best] ||
                      (pool->load[r] == pool->load[best] &&
                       (shared < best_shared || (shared == best_shared && order < best_order)));
        if (better) {
            best = (int)r;
            best_shared = shared;
            best_order = order;
        }
    }
    return best;
}

static void take(struct pool *pool, struct candidate_app *app, int r)
{
    for (int i = 0; i < app->count && i < 8; i++)
        if (app->readers[i] >= 0) {
            pool->pairs[(size_t)r * pool->count + (size_t)app->readers[i]]++;
            pool->pairs[(size_t)app->readers[i] * pool->count + (size_t)r]++;
        }
    if (app->count < 8)
        app->readers[app->count] = r;
    app->count++;
    pool->load[r]++;
}

json_t *assign_readers(struct store *store, const struct assign_request *request,
                       struct error *err)
{
    struct review_plan plan;
    if (plan_load(store, request->department, &plan, NULL, err) != 0)
        return NULL;
    int readers = request->readers > 0 ? request->readers : plan.readers;
    if (readers < 1 || readers > 5) {
        error_set(err, ERROR_INVALID, "readers per application: %d (1 to 5)", readers);
        return NULL;
    }
    struct pool pool = {0};
    if (store_begin(store, err) != 0)
        return NULL;
    json_t *result = NULL;
    GArray *apps = NULL;
    if (load_pool(store, request, &pool, err) != 0 ||
        !(apps = load_applications(store, request->department, &pool, err)))
        goto done;
    if (apps->len == 0) {
        error_set(err, ERROR_NOT_FOUND, "department %s has no applications", request->department);
        goto done;
    }
    for (guint i = 0; i < apps->len; i++) {
        struct candidate_app *app = &g_array_index(apps, struct candidate_app, i);
        app->need = app->count < readers ? readers - app->count : 0;
        for (size_t r = 0; r < pool.count; r++)
            app->eligible += eligible(&pool, r, app);
        app->order = mix(request->seed, app->no, "");
    }
    qsort(apps->data, apps->len, sizeof(struct candidate_app), compare_apps);
    json_t *unassigned = json_array();
    int assigned = 0;
    for (guint i = 0; i < apps->len; i++) {
        struct candidate_app *app = &g_array_index(apps, struct candidate_app, i);
        bool short_of_readers = false;
        for (int k = 0; k < app->need; k++) {
            int r = choose(&pool, app, request->seed);
            if (r < 0) {
                short_of_readers = true;
                break;
            }
            take(&pool, app, r);
            if (insert_assignment(store, request->department, app->no, pool.names[r],
                                  app->next_reading++, request->by, err) != 0) {
                json_decref(unassigned);
                goto done;
            }
            assigned++;
        }
        if (short_of_readers)
            json_array_append_new(unassigned, json_string(app->no));
    }
    json_t *loads = json_object();
    for (size_t r = 0; r < pool.count; r++)
        json_object_set_new(loads, pool.names[r], json_integer(pool.load[r]));
    result = json_pack("{s:s, s:i, s:i, s:o, s:o}", "department", request->department,
                       "readers", readers, "assigned", assigned, "loads", loads,
                       "unassigned", unassigned);
done:
    if (apps)
        g_array_free(apps, true);
    free_pool(&pool);
    if (result && store_commit(store, err) == 0)
        return result;
    store_rollback(store);
    json_decref(result);
    return NULL;
}

/* ---- conflicts, reassignment, the next reader ---------------------------------------- */

/* 1 when a row answers sql (bound: department, reviewer, value), 0, or -1. */
static int exists(struct store *store, const char *sql, const char *a, const char *b,
                  const char *c, struct error *err)
{
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, a, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, b, -1, SQLITE_TRANSIENT);
    if (c)
        sqlite3_bind_text(s, 3, c, -1, SQLITE_TRANSIENT);
    int row = store_step(store, s, err);
    sqlite3_reset(s);
    return row;
}

int assign_conflict_add(struct store *store, const char *reviewer, const char *department,
                        const char *kind, const char *value, struct error *err)
{
    static const char *reads_school =
        "SELECT 1 FROM assignments g JOIN applications a ON a.department = g.department"
        " AND a.application_no = g.application_no JOIN students s ON s.application_id = a.id"
        " WHERE g.department = ?1 AND g.reviewer = ?2 AND s.school_code = ?3";
    static const char *reads_application =
        "SELECT 1 FROM assignments WHERE department = ?1 AND reviewer = ?2 AND application_no = ?3";
    static const char *insert =
        "INSERT OR IGNORE INTO reviewer_conflicts (reviewer, department, kind, value, declared_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5)";
    bool school = strcmp(kind, "school") == 0;
    if (!school && strcmp(kind, "application") != 0)
        return error_set(err, ERROR_INVALID, "a conflict is a school or an application");
    if (!value[0] || strlen(value) > 16)
        return error_set(err, ERROR_INVALID, "'%.32s' is not a school code or application number", value);
    if (store_begin(store, err) != 0)
        return -1;
    int reading = exists(store, school ? reads_school : reads_application, department, reviewer,
                         value, err);
    int rc = reading < 0 ? -1 : 0;
    if (reading > 0)
        rc = error_set(err, ERROR_INVALID, "%s already reads %s %s of department %s: reassign "
                       "it first", reviewer, school ? "an applicant of school" : "application",
                       value, department);
    sqlite3_stmt *s = rc == 0 ? store_statement(store, insert, err) : NULL;
    if (rc == 0 && !s)
        rc = -1;
    if (s) {
        char now[TIMESTAMP_SIZE];
        timestamp_now(now);
        sqlite3_bind_text(s, 1, reviewer, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, department, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, value, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 5, now, -1, SQLITE_TRANSIENT);
        rc = store_step(store, s, err) < 0 ? -1 : 0;
    }
    if (rc == 0 && store_commit(store, err) == 0)
        return 0;
    store_rollback(store);
    return -1;
}

json_t *assign_conflicts(struct store *store, const char *department, struct error *err)
{
    static const char *sql =
        "SELECT reviewer, kind, value, declared_at FROM reviewer_conflicts WHERE department = ?1"
        " ORDER BY reviewer, kind, value";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    json_t *list = json_array();
    int row;
    while ((row = store_step(store, s, err)) > 0)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}",
            "reviewer", (const char *)sqlite3_column_text(s, 0),
            "kind", (const char *)sqlite3_column_text(s, 1),
            "value", (const char *)sqlite3_column_text(s, 2),
            "declared_at", (const char *)sqlite3_column_text(s, 3)));
    sqlite3_reset(s);
    if (row < 0) {
        json_decref(list);
        return NULL;
    }
    return list;
}

/* Loads one application as a candidate, with the department's reviewers. */
static int one_application(struct store *store, const char *department, const char *no,
                           struct pool *pool, struct candidate_app *out, struct error *err)
{
    struct assign_request request = {.department = department};
    if (load_pool(store, &request, pool, err) != 0)
        return -1;
    GArray *apps = load_applications(store, department, pool, err);
    if (!apps)
        return -1;
    int rc = error_set(err, ERROR_NOT_FOUND, "no application %s-%s", department, no);
    for (guint i = 0; i < apps->len; i++)
        if (strcmp(g_array_index(apps, struct candidate_app, i).no, no) == 0) {
            *out = g_array_index(apps, struct candidate_app, i);
            error_clear(err);
            rc = 0;
        }
    g_array_free(apps, true);
    return rc;
}

int assign_next_reader(struct store *store, const char *department, const char *application_no,
                       const char *by, char chosen[65], struct error *err)
{
    struct pool pool = {0};
    struct candidate_app app;
    if (store_begin(store, err) != 0)
        return -1;
    int rc = one_application(store, department, application_no, &pool, &app, err);
    int r = rc == 0 ? choose(&pool, &app, 0) : -1;
    if (rc == 0 && r < 0)
        rc = error_set(err, ERROR_INVALID, "%s-%s: no reviewer left who may read it",
                       department, application_no);
    if (rc == 0) {
        snprintf(chosen, 65, "%s", pool.names[r]);
        rc = insert_assignment(store, department, application_no, pool.names[r], app.next_reading,
                               by, err);
    }
    free_pool(&pool);
    if (rc == 0 && store_commit(store, err) == 0)
        return 0;
    store_rollback(store);
    return -1;
}

int assign_reassign(struct store *store, const char *department, const char *application_no,
                    const char *from, const char *to, const char *by, struct error *err)
{
    static const char *sheet_sql =
        "SELECT status, items, total FROM score_sheets"
        " WHERE department = ?1 AND application_no = ?2 AND reviewer = ?3";
    static const char *move_sql =
        "UPDATE assignments SET reviewer = ?4, assigned_at = ?5, assigned_by = ?6"
        " WHERE department = ?1 AND application_no = ?2 AND reviewer = ?3";
    static const char *drop_sql =
        "DELETE FROM score_sheets WHERE department = ?1 AND application_no = ?2 AND reviewer = ?3";
    static const char *history_sql =
        "INSERT INTO score_history (department, application_no, reviewer, at, user, action, old, new)"
        " VALUES (?1, ?2, ?3, ?4, ?5, 'reassign', ?6, ?7)";
    struct pool pool = {0};
    struct candidate_app app;
    char now[TIMESTAMP_SIZE];
    timestamp_now(now);
    if (store_begin(store, err) != 0)
        return -1;
    int rc = one_application(store, department, application_no, &pool, &app, err);
    int target = rc == 0 ? reviewer_index(&pool, to) : -1;
    int source = rc == 0 ? reviewer_index(&pool, from) : -1;
    bool reading = false;
    for (int i = 0; rc == 0 && i < app.count && i < 8; i++)
        reading = reading || (source >= 0 && app.readers[i] == source);
    if (rc == 0 && !reading)
        rc = error_set(err, ERROR_NOT_FOUND, "%s does not read %s-%s", from, department, application_no);
    if (rc == 0 && (target < 0 || !eligible(&pool, (size_t)target, &app)))
        rc = error_set(err, ERROR_INVALID, "%s may not read %s-%s (not a reviewer of the "
                       "department, already reading it, or a declared conflict)", to, department,
                       application_no);
    sqlite3_stmt *s = rc == 0 ? store_statement(store, sheet_sql, err) : NULL;
    if (rc == 0 && !s)
        rc = -1;
    char *old = NULL;
    if (s) {
        sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, application_no, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, from, -1, SQLITE_TRANSIENT);
        int row = store_step(store, s, err);
        if (row > 0 && strcmp((const char *)sqlite3_column_text(s, 0), "submitted") == 0)
            rc = error_set(err, ERROR_CONFLICT, "%s has submitted %s-%s: the office reopens the "
                           "sheet first", from, department, application_no);
        else if (row > 0)
            old = g_strdup_printf("{\"status\":\"draft\",\"items\":%s}", sqlite3_column_text(s, 1));
        rc = row < 0 ? -1 : rc;
        sqlite3_reset(s);
    }
    const char *sqls[] = {move_sql, drop_sql, old ? history_sql : NULL};
    for (int k = 0; rc == 0 && k < 3 && sqls[k]; k++) {
        if (!(s = store_statement(store, sqls[k], err))) {
            rc = -1;
            break;
        }
        sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, application_no, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, from, -1, SQLITE_TRANSIENT);
        if (k == 0) {
            sqlite3_bind_text(s, 4, to, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 5, now, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 6, by, -1, SQLITE_TRANSIENT);
        } else if (k == 2) {
            sqlite3_bind_text(s, 4, now, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 5, by, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 6, old, -1, SQLITE_TRANSIENT);
            char *to_json = g_strdup_printf("{\"reassigned_to\":\"%s\"}", to);
            sqlite3_bind_text(s, 7, to_json, -1, g_free);
        }
        rc = store_step(store, s, err) < 0 ? -1 : 0;
    }
    g_free(old);
    free_pool(&pool);
    if (rc == 0 && store_commit(store, err) == 0)
        return 0;
    store_rollback(store);
    return -1;
}

json_t *assign_list(struct store *store, const char *department, const char *reviewer,
                    struct error *err)
{
    static const char *sql =
        "SELECT g.department || '-' || g.application_no AS application, g.application_no,"
        " g.reviewer, g.reading, coalesce(h.status, 'unscored') AS status, h.total"
        " FROM assignments g LEFT JOIN score_sheets h ON h.department = g.department"
        "  AND h.application_no = g.application_no AND h.reviewer = g.reviewer"
        " WHERE g.department = ?1 AND (?2 IS NULL OR g.reviewer = ?2)"
        " ORDER BY g.application_no, g.reading";
    sqlite3_stmt *s = store_statement(store, sql, err);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    if (reviewer)
        sqlite3_bind_text(s, 2, reviewer, -1, SQLITE_TRANSIENT);
    json_t *list = json_array();
    int row;
    while ((row = store_step(store, s, err)) > 0)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:i, s:s, s:o}",
            "application", (const char *)sqlite3_column_text(s, 0),
            "application_no", (const char *)sqlite3_column_text(s, 1),
            "reviewer", (const char *)sqlite3_column_text(s, 2),
            "reading", sqlite3_column_int(s, 3),
            "status", (const char *)sqlite3_column_text(s, 4),
            "total", sqlite3_column_type(s, 5) == SQLITE_NULL ? json_null()
                                                              : json_real(sqlite3_column_double(s, 5))));
    sqlite3_reset(s);
    if (row < 0) {
        json_decref(list);
        return NULL;
    }
    return list;
}
