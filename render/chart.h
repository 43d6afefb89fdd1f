/* chart — the score histograms of review packets and pool summaries, drawn
 * with Cairo into a box that a layout document reserved (a table cell, or a
 * block in the flow).  Owns nothing: every call draws and returns.  Text
 * goes through the document's layouts, so it uses the document's fonts and
 * its missing glyphs are counted; labels that would not fit the box are left
 * out rather than allowed to overflow it.  Same threading as its document. */
#ifndef BEISHEN_CHART_H
#define BEISHEN_CHART_H

#include <stdbool.h>

#include <cairo.h>

#include "render/layout.h"

/* Scores 0–100 in ten bins: bin k holds [10k, 10k + 10); the last bin also
 * holds 100. */
#define CHART_BINS 10

struct chart_histogram {
    unsigned counts[CHART_BINS];
    int marked_bin;           /* the applicant's bin, drawn dark; -1 for none */
    bool has_marker;          /* draw a vertical line at `marker` (0–100) */
    double marker;
    bool axis_labels;         /* mini chart: "0 … 100" under the axis when it fits */
    const char *title;        /* full chart: title above the plot; may be NULL */
    const char *x_title;      /* full chart: caption under the axis; may be NULL */
};

/* The bin a score falls in, or -1 for a score outside 0–100 (or NaN). */
int chart_bin_of(double score);

/* A compact histogram for a table cell (about 60–120 x 16–40 points): bars,
 * baseline, marked bin, marker, optional end labels. */
void chart_histogram_mini(struct layout_doc *doc, cairo_t *cr, struct layout_box box,
                          const struct chart_histogram *histogram);

/* A histogram with a title, count axis with gridlines, score ticks 0–100,
 * counts over the bars and a legend for the marked bin, for pool summaries
 * (at least about 200 x 120 points). */
void chart_histogram_full(struct layout_doc *doc, cairo_t *cr, struct layout_box box,
                          const struct chart_histogram *histogram);

/* The same two as layout_draw_fn callbacks: `histogram` is a
 * const struct chart_histogram *, borrowed until the drawing is done.  Use
 * them as a table cell's `draw`. */
void chart_draw_mini(struct layout_doc *doc, cairo_t *cr, struct layout_box box, void *histogram);
void chart_draw_full(struct layout_doc *doc, cairo_t *cr, struct layout_box box, void *histogram);

/* One row of a means chart: a label, a mean and the spread around it. */
struct chart_mean {
    const char *label;
    double mean, sd;
    int n;
};

/* Each row's mean as a dot with a ±1 SD whisker on a 0–100 scale, a
 * dashed line at `reference` (the mean of all), ticks every 10 and the
 * labels at the left: the reviewers' leniency side by side.  Rows are
 * borrowed; `box` is about 20 points high per row plus 24. */
struct chart_means {
    const struct chart_mean *rows;
    int count;
    double reference;
};
void chart_means(struct layout_doc *doc, cairo_t *cr, struct layout_box box,
                 const struct chart_means *means);
void chart_draw_means(struct layout_doc *doc, cairo_t *cr, struct layout_box box, void *means);

/* Places a full histogram of width x height points (width 0: the content
 * width) at the document's cursor.  `histogram` must stay valid until the
 * call returns.  Returns 0 or -1, as layout primitives do. */
int chart_histogram_block(struct layout_doc *doc, double width, double height,
                          const struct chart_histogram *histogram);

#endif
