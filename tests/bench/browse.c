/* browse — in-process benchmark of the reviewer's browsing calls on a large
 * database: a category switch (query_categories + query_show of one
 * category, as the server will call them), a department listing, and every
 * pool distribution of a department.  Prints p50/p99 in milliseconds.
 * usage: browse DATABASE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/timestamp.h"
#include "query/query.h"

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void print_percentiles(const char *what, double *ms, int n)
{
    qsort(ms, n, sizeof *ms, compare_doubles);
    printf("%-34s n=%-5d p50 %8.3f ms   p99 %8.3f ms   max %8.3f ms\n", what, n,
           ms[n / 2], ms[(int)(n * 0.99)], ms[n - 1]);
}

/* Random application ids and one of each one's categories. */
static int category_switches(struct store *store, int samples)
{
    sqlite3_stmt *pick;
    sqlite3_prepare_v2(store_db(store),
        "SELECT c.application_id, c.name FROM categories c"
        " JOIN (SELECT id, (SELECT count(*) FROM categories WHERE application_id = applications.id) AS n"
        "       FROM applications ORDER BY (id * 2654435761) % 1000003 LIMIT ?1) a"
        " ON c.application_id = a.id AND c.position = (a.id * 7919) % a.n", -1, &pick, NULL);
    sqlite3_bind_int(pick, 1, samples);
    double *ms = malloc(sizeof *ms * samples);
    int n = 0;
    struct error err;
    while (sqlite3_step(pick) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(pick, 0);
        char category[256];
        snprintf(category, sizeof category, "%s", (const char *)sqlite3_column_text(pick, 1));
        double started = timestamp_monotonic();
        json_t *categories = query_categories(store, id, &err);
        json_t *records = query_show(store, id, category, false, &err);
        ms[n++] = (timestamp_monotonic() - started) * 1000;
        if (!categories || !records) {
            fprintf(stderr, "browse: %s\n", err.message);
            return -1;
        }
        json_decref(categories);
        json_decref(records);
    }
    sqlite3_finalize(pick);
    print_percentiles("category switch", ms, n);
    free(ms);
    return 0;
}

static void department_listing(struct store *store, const char *department, int runs)
{
    double *ms = malloc(sizeof *ms * runs);
    struct error err;
    size_t count = 0;
    for (int i = 0; i < runs; i++) {
        struct applicant_filter filter = {.department = department, .sort = i % 2 ? "average" : NULL};
        double started = timestamp_monotonic();
        json_t *list = query_applicants(store, &filter, &err);
        ms[i] = (timestamp_monotonic() - started) * 1000;
        count = json_array_size(list);
        json_decref(list);
    }
    char what[64];
    snprintf(what, sizeof what, "department listing (%zu rows)", count);
    print_percentiles(what, ms, runs);
    free(ms);
}

/* Every pool distribution of the department, one kind of key at a time,
 * as query_department_distributions computes them. */
static void all_distributions(struct store *store, const char *department)
{
    static const struct { enum distribution_key key; const char *name; } kinds[] = {
        {DIST_COURSE, "course code"}, {DIST_SUBJECT, "subject"},
        {DIST_CATEGORY, "category"}, {DIST_DOMAIN, "domain"},
    };
    double total = 0;
    size_t count = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        struct error err;
        double started = timestamp_monotonic();
        json_t *all = query_department_distributions(store, department, kinds[k].key, &err);
        double ms = (timestamp_monotonic() - started) * 1000;
        printf("all %-11s distributions of %s: %5zu in %8.1f ms\n", kinds[k].name, department,
               json_object_size(all), ms);
        total += ms;
        count += json_object_size(all);
        json_decref(all);
    }
    printf("every pool distribution of %s:      %5zu in %8.1f ms   (precomputed, schema 006)\n",
           department, count, total);
    /* Baseline: the same statistics computed from the pool rows, as a
     * reader does for pools changed since the last ingest finished. */
    double started = timestamp_monotonic();
    size_t computed = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        struct error err;
        json_t *all = query_department_distributions(store, department, kinds[k].key, &err);
        const char *pool;
        json_t *cached;
        json_object_foreach(all, pool, cached) {
            json_t *live = index_pool_statistics(store, department, (enum pool_kind)kinds[k].key, pool, &err);
            computed += live != NULL;
            json_decref(live);
        }
        json_decref(all);
    }
    printf("every pool distribution of %s:      %5zu in %8.1f ms   (baseline: computed from pool_scores)\n",
           department, computed, (timestamp_monotonic() - started) * 1000);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: browse DATABASE\n");
        return 2;
    }
    struct store *store;
    struct error err;
    if (store_open_readonly(argv[1], &store, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    sqlite3_stmt *s;
    sqlite3_prepare_v2(store_db(store), "SELECT department FROM applications GROUP BY department"
                       " ORDER BY count(*) DESC LIMIT 1", -1, &s, NULL);
    char department[16] = "";
    if (sqlite3_step(s) == SQLITE_ROW)
        snprintf(department, sizeof department, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    int rc = category_switches(store, 2000);
    department_listing(store, department, 40);
    all_distributions(store, department);
    store_close(store);
    return rc ? 1 : 0;
}
