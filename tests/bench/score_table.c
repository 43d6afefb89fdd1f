/* score_table — in-process timing of a department's score table
 * (results_table: every application's readers and totals, spread and 差分
 * flag, each total normalized by its reviewer, finals by the plan's rule,
 * ranks, reviewer statistics), against a baseline on the same connection:
 * one plain SELECT of every submitted total of the department, stepped to
 * the end (the least any table must read).  Both run RUNS times after one
 * warm-up run each; min and median are printed, and the ratio of medians.
 *
 *     score_table DATABASE DEPARTMENT [RUNS]
 *
 * Output (one line each):
 *     table    A applications, R readings, G flagged, F finals: min X ms, median Y ms
 *     baseline N submitted totals: min X ms, median Y ms
 *     ratio    Z */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timestamp.h"
#include "scoring/results.h"

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts and returns the median; *min is the smallest. */
static double median(double *ms, int n, double *min)
{
    qsort(ms, n, sizeof *ms, compare_doubles);
    *min = ms[0];
    return n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
}

/* The baseline: every submitted total of the department, read once. */
static int select_totals(struct store *store, const char *department, double *sum)
{
    static const char *sql =
        "SELECT application_no, reviewer, total FROM score_sheets"
        " WHERE department = ?1 AND status = 'submitted'";
    struct error err;
    sqlite3_stmt *s = store_statement(store, sql, &err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    int n = 0, row;
    while ((row = store_step(store, s, &err)) > 0) {
        *sum += sqlite3_column_double(s, 2) + (double)sqlite3_column_bytes(s, 0) +
                (double)sqlite3_column_bytes(s, 1);
        n++;
    }
    sqlite3_reset(s);
    return row < 0 ? -1 : n;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: score_table DATABASE DEPARTMENT [RUNS]\n");
        return 2;
    }
    const char *department = argv[2];
    int runs = argc > 3 ? atoi(argv[3]) : 20;
    if (runs < 1 || runs > 100000) {
        fprintf(stderr, "score_table: RUNS is 1 to 100000\n");
        return 2;
    }
    struct store *store;
    struct error err = {0};
    if (store_open_readonly(argv[1], &store, &err) != 0) {
        fprintf(stderr, "score_table: %s\n", err.message);
        return 1;
    }
    double *table_ms = malloc(sizeof *table_ms * runs), *select_ms = malloc(sizeof *select_ms * runs);
    long long applications = 0, readings = 0, flagged = 0, finals = 0;
    int totals = 0;
    double sum = 0;
    int rc = 0;
    for (int i = -1; rc == 0 && i < runs; i++) {   /* run -1 warms the caches */
        double started = timestamp_monotonic();
        json_t *table = results_table(store, department, &err);
        double ms = (timestamp_monotonic() - started) * 1000;
        if (!table) {
            fprintf(stderr, "score_table: %s\n", err.message);
            rc = 1;
            break;
        }
        if (i >= 0)
            table_ms[i] = ms;
        const json_t *counts = json_object_get(table, "counts");
        applications = json_integer_value(json_object_get(counts, "applications"));
        flagged = json_integer_value(json_object_get(counts, "flagged"));
        finals = json_integer_value(json_object_get(counts, "final"));
        readings = 0;
        size_t k;
        const json_t *row;
        json_array_foreach(json_object_get(table, "applications"), k, row)
            readings += (long long)json_array_size(json_object_get(row, "readers"));
        json_decref(table);

        started = timestamp_monotonic();
        totals = select_totals(store, department, &sum);
        ms = (timestamp_monotonic() - started) * 1000;
        if (totals < 0) {
            fprintf(stderr, "score_table: the baseline SELECT failed\n");
            rc = 1;
        } else if (i >= 0) {
            select_ms[i] = ms;
        }
    }
    if (rc == 0) {
        double table_min, select_min;
        double table_median = median(table_ms, runs, &table_min);
        double select_median = median(select_ms, runs, &select_min);
        printf("table    %lld applications, %lld readings, %lld flagged, %lld finals: min %.2f ms,"
               " median %.2f ms\n", applications, readings, flagged, finals, table_min, table_median);
        printf("baseline %d submitted totals: min %.3f ms, median %.3f ms\n", totals, select_min,
               select_median);
        printf("ratio    %.1f\n", select_median > 0 ? table_median / select_median : 0);
    }
    free(table_ms);
    free(select_ms);
    store_close(store);
    return rc;
}
