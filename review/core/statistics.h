/* statistics — descriptive statistics of a list of scores, the one
 * definition every figure a reviewer reads is computed by: the count,
 * mean, population SD, minimum, quartiles (linear interpolation between
 * order statistics, R type 7), maximum and a 10-bin histogram ([0,10) …
 * [90,100], scores of 100 in the last bin), and the percentile rank with
 * ties counted half.  Pure functions; owns nothing; thread-safe. */
#ifndef BEISHEN_STATISTICS_H
#define BEISHEN_STATISTICS_H

#include <stddef.h>
#include <jansson.h>

#define STATISTICS_BINS 10

struct statistics {
    size_t n;
    double mean, sd, min, q1, median, q3, max;   /* rounded to 2 decimals; 0 when n is 0 */
    int histogram[STATISTICS_BINS];
};

/* Describes values[0..n) (sorted ascending here, in place). */
void statistics_describe(double *values, size_t n, struct statistics *out);

/* {n, mean, sd, min, q1, median, q3, max, histogram:[10]}, the form every
 * distribution is stored and answered in; the figures are null when n is
 * 0.  A new reference the caller json_decrefs. */
json_t *statistics_json(const struct statistics *statistics);

/* 100 * (below + equal / 2) / n, rounded to one decimal; 0 when n is 0. */
double statistics_percentile_rank(size_t below, size_t equal, size_t n);

/* Rounded to two decimals, as every stored score and average is. */
double statistics_round2(double value);

#endif
