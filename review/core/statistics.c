/* statistics — count, mean, SD, quartiles, histogram, percentile rank. */
#include "core/statistics.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

double statistics_round2(double value) { return round(value * 100.0) / 100.0; }

double statistics_percentile_rank(size_t below, size_t equal, size_t n)
{
    if (n == 0)
        return 0;
    return round(1000.0 * ((double)below + (double)equal / 2.0) / (double)n) / 10.0;
}

/* Quantile by linear interpolation between order statistics (R type 7). */
static double quantile(const double *ascending, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lower = (size_t)floor(h);
    size_t upper = lower + 1 < n ? lower + 1 : lower;
    return ascending[lower] + (h - (double)lower) * (ascending[upper] - ascending[lower]);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void statistics_describe(double *values, size_t n, struct statistics *out)
{
    *out = (struct statistics){.n = n};
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += values[i];
        int bin = (int)(values[i] / 10.0);
        out->histogram[bin > STATISTICS_BINS - 1 ? STATISTICS_BINS - 1 : bin < 0 ? 0 : bin]++;
    }
    if (n == 0)
        return;
    /* Pools are usually read already sorted (pool_scores is keyed by score). */
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = values[i - 1] <= values[i];
    if (!sorted)
        qsort(values, n, sizeof *values, compare_doubles);
    double mean = sum / (double)n, squares = 0;
    for (size_t i = 0; i < n; i++)
        squares += (values[i] - mean) * (values[i] - mean);
    out->mean = statistics_round2(mean);
    out->sd = statistics_round2(sqrt(squares / (double)n));
    out->min = values[0];
    out->q1 = statistics_round2(quantile(values, n, 0.25));
    out->median = statistics_round2(quantile(values, n, 0.5));
    out->q3 = statistics_round2(quantile(values, n, 0.75));
    out->max = values[n - 1];
}

json_t *statistics_json(const struct statistics *statistics)
{
    json_t *result = json_object();
    json_t *histogram = json_array();
    for (int i = 0; i < STATISTICS_BINS; i++)
        json_array_append_new(histogram, json_integer(statistics->histogram[i]));
    json_object_set_new(result, "n", json_integer((json_int_t)statistics->n));
    const char *const keys[] = {"mean", "sd", "min", "q1", "median", "q3", "max"};
    const double figures[] = {statistics->mean, statistics->sd, statistics->min, statistics->q1,
                              statistics->median, statistics->q3, statistics->max};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        json_object_set_new(result, keys[i], statistics->n ? json_real(figures[i]) : json_null());
    json_object_set_new(result, "histogram", histogram);
    return result;
}
