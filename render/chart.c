/* chart — score histograms drawn into a reserved box.  Stateless. */
#include "render/chart.h"

#include <math.h>
#include <stdio.h>

#define BAR_COLOR 0x9FB6CD
#define MARKED_COLOR 0x1F4E79
#define MARKER_COLOR 0xC0392B
#define AXIS_COLOR 0x606060
#define GRID_COLOR 0xDDDDDD
#define TEXT_COLOR 0x333333

static void set_color(cairo_t *cr, uint32_t rgb)
{
    cairo_set_source_rgb(cr, ((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0,
                         (rgb & 0xFF) / 255.0);
}

static double clamp(double value, double low, double high)
{
    return value < low ? low : value > high ? high : value;
}

int chart_bin_of(double score)
{
    if (!(score >= 0 && score <= 100))   /* also rejects NaN */
        return -1;
    int bin = (int)(score / 10);
    return bin >= CHART_BINS ? CHART_BINS - 1 : bin;
}

static unsigned largest_count(const struct chart_histogram *h)
{
    unsigned largest = 0;
    for (int k = 0; k < CHART_BINS; k++)
        if (h->counts[k] > largest)
            largest = h->counts[k];
    return largest;
}

/* Bars scaled so that `scale_top` reaches the top of `plot`; a thin gap
 * between bars keeps neighbouring bins apart even at small sizes. */
static void draw_bars(cairo_t *cr, struct layout_box plot, const struct chart_histogram *h,
                      double scale_top)
{
    double bin_width = plot.width / CHART_BINS;
    double gap = fmax(0.5, bin_width * 0.12);
    double bottom = plot.y + plot.height;

    for (int k = 0; k < CHART_BINS; k++) {
        if (h->counts[k] == 0 || scale_top <= 0)
            continue;
        double height = plot.height * h->counts[k] / scale_top;
        set_color(cr, k == h->marked_bin ? MARKED_COLOR : BAR_COLOR);
        cairo_rectangle(cr, plot.x + k * bin_width + gap / 2, bottom - height, bin_width - gap,
                        height);
        cairo_fill(cr);
    }
    set_color(cr, AXIS_COLOR);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, plot.x, bottom);
    cairo_line_to(cr, plot.x + plot.width, bottom);
    cairo_stroke(cr);
}

static void draw_marker(cairo_t *cr, struct layout_box plot, const struct chart_histogram *h,
                        double width)
{
    if (!h->has_marker || !(h->marker >= 0 && h->marker <= 100))
        return;
    double x = plot.x + plot.width * h->marker / 100;
    set_color(cr, MARKER_COLOR);
    cairo_set_line_width(cr, width);
    cairo_move_to(cr, x, plot.y);
    cairo_line_to(cr, x, plot.y + plot.height);
    cairo_stroke(cr);
}

void chart_histogram_mini(struct layout_doc *doc, cairo_t *cr, struct layout_box box,
                          const struct chart_histogram *h)
{
    struct layout_style label = { .size = clamp(box.height * 0.26, 4.5, 6.5), .color = TEXT_COLOR };
    struct layout_style right = label, centre = label;
    right.align = LAYOUT_RIGHT;
    centre.align = LAYOUT_CENTER;
    double zero_w, hundred_w, fifty_w, label_h = 0;
    bool labels = h->axis_labels && box.height >= 16;

    if (labels) {
        layout_text_size(doc, &label, "0", &zero_w, &label_h);
        layout_text_size(doc, &label, "100", &hundred_w, NULL);
        layout_text_size(doc, &label, "50", &fifty_w, NULL);
        labels = zero_w + hundred_w + 4 <= box.width;
    }
    struct layout_box plot = box;
    if (labels)
        plot.height -= label_h;

    cairo_save(cr);
    draw_bars(cr, plot, h, largest_count(h));
    draw_marker(cr, plot, h, 0.75);
    cairo_restore(cr);

    if (labels) {
        double y = plot.y + plot.height;
        layout_label_at(doc, &label, "0", box.x, y, zero_w + 1);
        layout_label_at(doc, &right, "100", box.x + box.width - hundred_w - 1, y, hundred_w + 1);
        if (zero_w + fifty_w + hundred_w + 12 <= box.width)
            layout_label_at(doc, &centre, "50", box.x + (box.width - fifty_w) / 2 - 0.5, y,
                            fifty_w + 1);
    }
}

/* 1, 2 or 5 times a power of ten, so that about four steps reach `largest`. */
static unsigned count_step(unsigned largest)
{
    double raw = fmax(1, largest / 4.0);
    double magnitude = pow(10, floor(log10(raw)));
    double normalised = raw / magnitude;
    double step = (normalised <= 1 ? 1 : normalised <= 2 ? 2 : normalised <= 5 ? 5 : 10) * magnitude;
    return (unsigned)fmax(1, step);
}

void chart_histogram_full(struct layout_doc *doc, cairo_t *cr, struct layout_box box,
                          const struct chart_histogram *h)
{
    double size = clamp(box.height / 24, 5.5, 8);
    struct layout_style tick = { .size = size, .color = TEXT_COLOR };
    struct layout_style tick_right = tick, tick_centre = tick;
    tick_right.align = LAYOUT_RIGHT;
    tick_centre.align = LAYOUT_CENTER;
    struct layout_style title = { .size = fmin(10, size + 2), .bold = true, .color = TEXT_COLOR };
    double line_h, title_h = 0, top = box.y;
    char text[32];

    layout_text_size(doc, &tick, "0", NULL, &line_h);

    /* Title on the left, legend for the marked bin on the right if room. */
    double legend_w = 0;
    const char *legend = "申請人所在區間";
    if (h->marked_bin >= 0) {
        layout_text_size(doc, &tick, legend, &legend_w, NULL);
        legend_w += line_h * 0.8 + 3;
    }
    if (h->title && h->title[0]) {
        double title_w = box.width - (legend_w > 0 ? legend_w + 12 : 0);
        if (title_w < box.width * 0.4) {
            legend_w = 0;
            title_w = box.width;
        }
        title_h = layout_label_at(doc, &title, h->title, box.x, top, title_w);
    }
    if (legend_w > 0 && legend_w <= box.width) {
        double y = top + fmax(0, (title_h - line_h) / 2), swatch = line_h * 0.6;
        set_color(cr, MARKED_COLOR);
        cairo_rectangle(cr, box.x + box.width - legend_w, y + (line_h - swatch) / 2, swatch, swatch);
        cairo_fill(cr);
        layout_label_at(doc, &tick, legend, box.x + box.width - legend_w + line_h * 0.8 + 3, y,
                        legend_w - line_h * 0.8 - 3 + 1);
        title_h = fmax(title_h, line_h);
    }
    if (title_h > 0)
        top += title_h + 4;

    unsigned largest = largest_count(h);
    unsigned step = count_step(largest);
    unsigned scale_top = largest == 0 ? step : (largest + step - 1) / step * step;

    /* Room for the widest count label on the left, half a "100" on the right. */
    double count_w, hundred_w;
    snprintf(text, sizeof text, "%u", scale_top);
    layout_text_size(doc, &tick, text, &count_w, NULL);
    layout_text_size(doc, &tick, "100", &hundred_w, NULL);
    double x_title_h = h->x_title && h->x_title[0] ? line_h + 2 : 0;

    struct layout_box plot;
    plot.x = box.x + count_w + 6;
    plot.width = box.x + box.width - hundred_w / 2 - 1 - plot.x;
    plot.y = top + line_h;                         /* counts over the tallest bar */
    plot.height = box.y + box.height - x_title_h - line_h - 3 - plot.y;
    if (plot.width <= 20 || plot.height <= 10) {   /* no room for a full chart */
        chart_histogram_mini(doc, cr, box, h);
        return;
    }

    cairo_save(cr);
    set_color(cr, GRID_COLOR);
    cairo_set_line_width(cr, 0.4);
    for (unsigned value = step; value <= scale_top; value += step) {
        double y = plot.y + plot.height * (1 - (double)value / scale_top);
        cairo_move_to(cr, plot.x, y);
        cairo_line_to(cr, plot.x + plot.width, y);
    }
    cairo_stroke(cr);
    draw_bars(cr, plot, h, scale_top);
    draw_marker(cr, plot, h, 1.2);

    /* Score ticks every 10, labelled every 10 or, when crowded, every 20. */
    set_color(cr, AXIS_COLOR);
    cairo_set_line_width(cr, 0.5);
    double bottom = plot.y + plot.height;
    for (int k = 0; k <= CHART_BINS; k++) {
        double x = plot.x + plot.width * k / CHART_BINS;
        cairo_move_to(cr, x, bottom);
        cairo_line_to(cr, x, bottom + 3);
    }
    cairo_move_to(cr, plot.x, plot.y);
    cairo_line_to(cr, plot.x, bottom);
    cairo_stroke(cr);
    cairo_restore(cr);

    int label_every = hundred_w + 4 <= plot.width / CHART_BINS ? 1 : 2;
    for (int k = 0; k <= CHART_BINS; k += label_every) {
        double x = plot.x + plot.width * k / CHART_BINS, w;
        snprintf(text, sizeof text, "%d", k * 10);
        layout_text_size(doc, &tick, text, &w, NULL);
        layout_label_at(doc, &tick_centre, text, x - w / 2 - 0.5, bottom + 3, w + 1);
    }
    for (unsigned value = 0; value <= scale_top; value += step) {
        double y = plot.y + plot.height * (1 - (double)value / scale_top) - line_h / 2;
        snprintf(text, sizeof text, "%u", value);
        layout_label_at(doc, &tick_right, text, box.x, y, count_w + 1);
    }

    /* Counts over the bars, only where the number fits the bar's width. */
    double bin_width = plot.width / CHART_BINS;
    for (int k = 0; k < CHART_BINS; k++) {
        double w;
        if (h->counts[k] == 0)
            continue;
        snprintf(text, sizeof text, "%u", h->counts[k]);
        layout_text_size(doc, &tick, text, &w, NULL);
        if (w > bin_width - 1)
            continue;
        double bar_top = plot.y + plot.height * (1 - (double)h->counts[k] / scale_top);
        layout_label_at(doc, &tick_centre, text, plot.x + k * bin_width + (bin_width - w) / 2 - 0.5,
                        bar_top - line_h, w + 1);
    }

    if (x_title_h > 0)
        layout_label_at(doc, &tick_centre, h->x_title, plot.x, box.y + box.height - line_h,
                        plot.width);
}

void chart_draw_mini(struct layout_doc *doc, cairo_t *cr, struct layout_box box, void *histogram)
{
    chart_histogram_mini(doc, cr, box, histogram);
}

void chart_draw_full(struct layout_doc *doc, cairo_t *cr, struct layout_box box, void *histogram)
{
    chart_histogram_full(doc, cr, box, histogram);
}

int chart_histogram_block(struct layout_doc *doc, double width, double height,
                          const struct chart_histogram *histogram)
{
    /* layout_drawing() passes user data as void *; the chart only reads it. */
    return layout_drawing(doc, width, height, chart_draw_full, (void *)histogram);
}

void chart_means(struct layout_doc *doc, cairo_t *cr, struct layout_box box,
                 const struct chart_means *m)
{
    struct layout_style label = {.size = 8, .color = TEXT_COLOR};
    struct layout_style tick = {.size = 6.5, .color = TEXT_COLOR};
    double label_width = 0;
    for (int i = 0; i < m->count; i++) {
        double w;
        layout_text_size(doc, &label, m->rows[i].label, &w, NULL);
        label_width = fmax(label_width, w);
    }
    label_width = fmin(label_width + 6, box.width * 0.35);
    struct layout_box plot = {box.x + label_width, box.y + 4, box.width - label_width - 8,
                              box.height - 20};
    double row_height = m->count > 0 ? plot.height / m->count : plot.height;
    cairo_save(cr);
    cairo_set_line_width(cr, 0.4);
    for (int t = 0; t <= 100; t += 10) {
        double x = plot.x + plot.width * t / 100;
        set_color(cr, GRID_COLOR);
        cairo_move_to(cr, x, plot.y);
        cairo_line_to(cr, x, plot.y + plot.height);
        cairo_stroke(cr);
    }
    set_color(cr, MARKER_COLOR);
    double reference = plot.x + plot.width * fmin(100, fmax(0, m->reference)) / 100;
    const double dash[] = {3, 2};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, reference, plot.y);
    cairo_line_to(cr, reference, plot.y + plot.height);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    for (int i = 0; i < m->count; i++) {
        const struct chart_mean *row = &m->rows[i];
        double y = plot.y + row_height * (i + 0.5);
        double x = plot.x + plot.width * fmin(100, fmax(0, row->mean)) / 100;
        double low = plot.x + plot.width * fmin(100, fmax(0, row->mean - row->sd)) / 100;
        double high = plot.x + plot.width * fmin(100, fmax(0, row->mean + row->sd)) / 100;
        set_color(cr, BAR_COLOR);
        cairo_set_line_width(cr, 2);
        cairo_move_to(cr, low, y);
        cairo_line_to(cr, high, y);
        cairo_stroke(cr);
        set_color(cr, MARKED_COLOR);
        cairo_arc(cr, x, y, 3, 0, 2 * G_PI);
        cairo_fill(cr);
    }
    set_color(cr, AXIS_COLOR);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, plot.x, plot.y + plot.height);
    cairo_line_to(cr, plot.x + plot.width, plot.y + plot.height);
    cairo_stroke(cr);
    cairo_restore(cr);
    for (int i = 0; i < m->count; i++) {
        double h;
        layout_text_size(doc, &label, m->rows[i].label, NULL, &h);
        layout_label_at(doc, &label, m->rows[i].label, box.x,
                        plot.y + row_height * (i + 0.5) - h / 2, label_width - 4);
    }
    for (int t = 0; t <= 100; t += 20) {
        char text[8];
        snprintf(text, sizeof text, "%d", t);
        double w;
        layout_text_size(doc, &tick, text, &w, NULL);
        layout_label_at(doc, &tick, text, plot.x + plot.width * t / 100 - w / 2,
                        plot.y + plot.height + 2, w + 1);
    }
}

void chart_draw_means(struct layout_doc *doc, cairo_t *cr, struct layout_box box, void *means)
{
    chart_means(doc, cr, box, means);
}
