/* compare_doc — the comparison sheet as PDF, from compare_table(). */
#include "render/compare_doc.h"
#include "core/timestamp.h"
#include "render/chart.h"
#include "render/layout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#define COLOR_HEADING 0x1F3A5F
#define COLOR_WARN    0xB3261E

static const struct layout_style title_style = {.size = 16, .bold = true, .color = COLOR_HEADING};
static const struct layout_style heading_style = {.size = 12, .bold = true, .color = COLOR_HEADING};
static const struct layout_style muted_style = {.size = 8.5, .color = 0x555555};
static const struct layout_style cell_center = {.size = 7.5, .align = LAYOUT_CENTER};

static const char *text_of(const json_t *object, const char *key)
{
    const char *text = json_string_value(json_object_get(object, key));
    return text ? text : "";
}

/* A sheet's column: what it shows of a row, its header, and its width. */
enum column_kind { COLUMN_AVERAGE, COLUMN_DOMAIN, COLUMN_ITEM, COLUMN_TOTAL, COLUMN_FLAGS };

struct sheet_column {
    enum column_kind kind;
    char code[8];                 /* the domain or item code */
    char header[128];
    double width;                 /* natural width: its widest line, unbroken */
};

#define MAX_SHEET_COLUMNS 64
/* Columns no narrower than this, and the applicant column no wider. */
#define MIN_COLUMN_WIDTH 30.0
#define MAX_APPLICANT_WIDTH 150.0

struct sheet {
    const json_t *table;
    bool a3;
    struct layout_style cell, number, header, flags;
};

/* A cell's text: what the CSV has, laid out for the sheet.  Numbers are
 * right-aligned with fixed decimals; every number of the CSV is here. */
static void cell_text(const json_t *row, const struct sheet_column *column, char *out, size_t size)
{
    out[0] = '\0';
    switch (column->kind) {
    case COLUMN_AVERAGE: {
        const json_t *average = json_object_get(row, "average");
        if (json_is_number(average))
            snprintf(out, size, "%.2f\n%lld科", json_number_value(average),
                     json_integer_value(json_object_get(row, "courses")));
        else
            snprintf(out, size, "—");
        break;
    }
    case COLUMN_DOMAIN:
    case COLUMN_ITEM: {
        const json_t *texts = json_object_get(json_object_get(row, "texts"),
                                              column->kind == COLUMN_DOMAIN ? "domains" : "items");
        const char *given = json_string_value(json_object_get(texts, column->code));
        snprintf(out, size, "%s", given ? given : "—");
        char *space = column->kind == COLUMN_DOMAIN ? strstr(out, " (") : NULL;
        if (space) {   /* "85.20 (PR 73.5)" as two lines: "85.20" over "PR 73.5" */
            memmove(space + 1, space + 2, strlen(space + 2) + 1);
            *space = '\n';
            char *close = strrchr(out, ')');
            if (close)
                *close = '\0';
        }
        break;
    }
    case COLUMN_TOTAL:
        snprintf(out, size, "%lld", json_integer_value(json_object_get(row, "total_records")));
        break;
    case COLUMN_FLAGS: {
        size_t f;
        const json_t *flag;
        json_array_foreach(json_object_get(row, "flags"), f, flag)
            snprintf(out + strlen(out), size - strlen(out), "%s%s", f ? "\n" : "",
                     json_string_value(flag));
        break;
    }
    }
}

static const struct layout_style *column_style(const struct sheet *sheet, enum column_kind kind)
{
    return kind == COLUMN_FLAGS ? &sheet->flags
         : kind == COLUMN_ITEM ? &sheet->cell : &sheet->number;
}

/* The width of the widest line of text, as set unbroken. */
static double widest_line(struct layout_doc *doc, const struct layout_style *style, const char *text)
{
    double widest = 0;
    char **lines = g_strsplit(text, "\n", -1);
    for (char **line = lines; *line; line++) {
        double width;
        layout_text_size(doc, style, *line, &width, NULL);
        widest = fmax(widest, width);
    }
    g_strfreev(lines);
    return widest;
}

/* The section's columns, each as wide as its header's and cells' widest
 * line (headers and cells never break inside a word). */
static size_t plan_columns(struct layout_doc *doc, const struct sheet *sheet, const json_t *rows,
                           bool self_made, struct sheet_column *columns)
{
    size_t count = 0, i;
    const json_t *value;
    if (!self_made) {
        columns[count++] = (struct sheet_column){.kind = COLUMN_AVERAGE, .header = "學業平均\n修課數"};
        json_array_foreach(json_object_get(sheet->table, "domains"), i, value) {
            struct sheet_column *c = &columns[count++];
            *c = (struct sheet_column){.kind = COLUMN_DOMAIN};
            snprintf(c->code, sizeof c->code, "%s", text_of(value, "code"));
            snprintf(c->header, sizeof c->header, "A %s\n平均・PR", text_of(value, "name"));
            if (count == MAX_SHEET_COLUMNS - 3)
                break;
        }
    }
    json_array_foreach(json_object_get(sheet->table, "items"), i, value) {
        const char *code = text_of(value, "code");
        if ((strcmp(code, "A") == 0 && !self_made) || count == MAX_SHEET_COLUMNS - 2)
            continue;   /* a portfolio's A is its domain columns */
        struct sheet_column *c = &columns[count++];
        *c = (struct sheet_column){.kind = COLUMN_ITEM};
        snprintf(c->code, sizeof c->code, "%s", code);
        if (json_is_number(json_object_get(value, "weight")))
            snprintf(c->header, sizeof c->header, "%s %s\n%g%%", code, text_of(value, "name"),
                     json_number_value(json_object_get(value, "weight")));
        else
            snprintf(c->header, sizeof c->header, "%s %s", code, text_of(value, "name"));
    }
    columns[count++] = (struct sheet_column){.kind = COLUMN_TOTAL, .header = "總筆數"};
    columns[count++] = (struct sheet_column){.kind = COLUMN_FLAGS, .header = "提醒"};
    double padding = 2 * 2.5 + 1;
    for (size_t c = 0; c < count; c++) {
        double width = widest_line(doc, &sheet->header, columns[c].header);
        json_array_foreach(rows, i, value) {
            char text[256];
            cell_text(value, &columns[c], text, sizeof text);
            width = fmax(width, widest_line(doc, column_style(sheet, columns[c].kind), text));
        }
        columns[c].width = fmax(MIN_COLUMN_WIDTH, width + padding);
    }
    return count;
}

/* "申請編號／姓名／學校": as wide as its longest line, within a cap (a
 * long school name wraps there). */
static double applicant_width(struct layout_doc *doc, const struct sheet *sheet, const json_t *rows)
{
    double width = widest_line(doc, &sheet->header, "申請編號／姓名／學校");
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row) {
        width = fmax(width, widest_line(doc, &sheet->cell, text_of(row, "id")));
        width = fmax(width, widest_line(doc, &sheet->cell, text_of(row, "school")));
    }
    return fmin(MAX_APPLICANT_WIDTH, width + 2 * 2.5 + 1);
}

static void applicant_cell(const json_t *row, bool self_made, char *out, size_t size)
{
    snprintf(out, size, "%s\n%s\n%s%s", text_of(row, "id"), text_of(row, "name"),
             text_of(row, "school"), self_made ? "\n【自行上傳PDF】" : "");
}

/* One band: the applicant column and columns[first, last) across the
 * page, every row; the header repeats on every page. */
static void band_table(struct layout_doc *doc, const struct sheet *sheet, const json_t *rows,
                       bool self_made, const struct sheet_column *columns, size_t first,
                       size_t last, double applicant, double spare)
{
    struct layout_column layout_columns[LAYOUT_TABLE_MAX_COLUMNS];
    struct layout_cell header[LAYOUT_TABLE_MAX_COLUMNS];
    size_t n = 0;
    double natural = 0;
    for (size_t c = first; c < last; c++)
        natural += columns[c].width;
    layout_columns[n] = (struct layout_column){.width = applicant};
    header[n++] = (struct layout_cell){.text = "申請編號／姓名／學校", .style = &sheet->header};
    for (size_t c = first; c < last; c++) {
        /* The band's spare width goes to its columns in proportion. */
        layout_columns[n] = (struct layout_column){.width = columns[c].width * (1 + spare / natural)};
        header[n++] = (struct layout_cell){.text = columns[c].header, .style = &sheet->header};
    }
    struct layout_table table = {.columns = layout_columns, .column_count = n, .header = header,
                                 .padding = 2.5, .zebra_fill = 0xF4F6F9};
    layout_table_begin(doc, &table);
    size_t i;
    const json_t *row;
    char (*text)[256] = g_malloc(sizeof *text * n);
    json_array_foreach(rows, i, row) {
        struct layout_cell cells[LAYOUT_TABLE_MAX_COLUMNS];
        applicant_cell(row, self_made, text[0], sizeof text[0]);
        cells[0] = (struct layout_cell){.text = text[0], .style = &sheet->cell};
        for (size_t c = first, k = 1; c < last; c++, k++) {
            cell_text(row, &columns[c], text[k], sizeof text[k]);
            cells[k] = (struct layout_cell){.text = text[k], .style = column_style(sheet, columns[c].kind)};
        }
        layout_table_row(doc, cells);
    }
    g_free(text);
    layout_table_end(doc);
}

static void section_table(struct layout_doc *doc, const struct sheet *sheet, const json_t *section,
                          int number)
{
    bool self_made = strcmp(text_of(section, "name"), "self_made") == 0;
    const char *name = self_made ? "自行上傳PDF申請者" : "學習歷程檔案申請者";
    const json_t *rows = json_object_get(section, "rows");
    char destination[32], title[256], line[256];
    snprintf(title, sizeof title, "%s（%zu 人）", name, json_array_size(rows));
    struct sheet_column *columns = g_new0(struct sheet_column, MAX_SHEET_COLUMNS);
    size_t count = plan_columns(doc, sheet, rows, self_made, columns);
    double applicant = applicant_width(doc, sheet, rows);
    double room = layout_content_box(doc).width - applicant;
    /* Bands: as many columns as fit across the page, in order. */
    size_t starts[MAX_SHEET_COLUMNS + 1], bands = 0;
    for (size_t c = 0; c < count;) {
        starts[bands++] = c;
        double used = columns[c++].width;
        while (c < count && used + columns[c].width <= room &&
               c - starts[bands - 1] < LAYOUT_TABLE_MAX_COLUMNS - 1)
            used += columns[c++].width;
    }
    starts[bands] = count;
    int outline = 0;
    for (size_t band = 0; band < bands; band++) {
        snprintf(destination, sizeof destination, "section-%d-%zu", number, band + 1);
        layout_new_page(doc);
        layout_running_item(doc, name);
        layout_destination(doc, destination);
        if (band == 0)
            outline = layout_outline(doc, LAYOUT_OUTLINE_ROOT, title, destination, false);
        if (bands > 1) {
            snprintf(line, sizeof line, "第 %zu / %zu 部分", band + 1, bands);
            layout_outline(doc, outline, line, destination, false);
            snprintf(line, sizeof line, "%s　第 %zu / %zu 部分", title, band + 1, bands);
        } else {
            snprintf(line, sizeof line, "%s", title);
        }
        layout_text(doc, &heading_style, line);
        snprintf(line, sizeof line, "排序：%s", text_of(json_object_get(sheet->table, "sort"), "label"));
        layout_text(doc, &muted_style, line);
        if (self_made)
            layout_notice(doc, &(struct layout_style){.size = 9, .bold = true, .color = COLOR_WARN},
                          "自行上傳PDF：無教師認證、無時點歷程紀錄。僅列出各項目是否提供，不計算平均與百分等級，"
                          "不與學習歷程檔案申請者排序比較。", COLOR_WARN, 0xFDECEA);
        layout_space(doc, 4);
        if (json_array_size(rows) == 0) {
            layout_text(doc, &muted_style, "（無）");
            break;
        }
        double used = 0;
        for (size_t c = starts[band]; c < starts[band + 1]; c++)
            used += columns[c].width;
        band_table(doc, sheet, rows, self_made, columns, starts[band], starts[band + 1], applicant,
                   fmax(0, room - used));
    }
    g_free(columns);
}

/* The pool page: counts by source, then one histogram per domain average. */
struct domain_chart {
    struct chart_histogram histogram;
    char title[96];
};

#define CHARTS_PER_ROW 5

struct chart_row {
    struct domain_chart charts[CHARTS_PER_ROW];
    int count;
};

static void draw_chart_row(struct layout_doc *doc, cairo_t *cr, struct layout_box box, void *user)
{
    const struct chart_row *row = user;
    double gap = 12, width = (box.width - gap * (CHARTS_PER_ROW - 1)) / CHARTS_PER_ROW;
    for (int i = 0; i < row->count; i++) {
        struct layout_box cell = {box.x + i * (width + gap), box.y, width, box.height};
        chart_histogram_full(doc, cr, cell, &row->charts[i].histogram);
    }
}

static void pool_summary(struct layout_doc *doc, const json_t *table)
{
    const json_t *pool = json_object_get(table, "pool");
    char line[512];
    layout_destination(doc, "pool");
    layout_outline(doc, LAYOUT_OUTLINE_ROOT, "申請者概況", "pool", false);
    layout_running_item(doc, "申請者概況");
    snprintf(line, sizeof line, "%s %s　申請者比較表", text_of(table, "university_name"),
             text_of(table, "department_name"));
    layout_text(doc, &title_style, line);
    const json_t *requirements = json_object_get(table, "requirements");
    snprintf(line, sizeof line, "%s　校系代碼 %s　%s", text_of(table, "round"), text_of(table, "department"),
             json_is_object(requirements) ? "依本系校系參採項目（最新版本）排列" : "未載入校系參採項目：列出申請者具有的所有項目");
    layout_text(doc, &muted_style, line);
    layout_space(doc, 8);
    static const struct layout_column columns[] = {{.fraction = 1}, {.fraction = 1}, {.fraction = 1}};
    static const struct layout_cell header[] = {{.text = "學習歷程檔案"}, {.text = "自行上傳PDF"}, {.text = "合計"}};
    struct layout_table counts = {.columns = columns, .column_count = 3, .header = header};
    long long portfolio = json_integer_value(json_object_get(pool, "portfolio"));
    long long self_made = json_integer_value(json_object_get(pool, "self_made"));
    char a[32], b[32], total[32];
    snprintf(a, sizeof a, "%lld 人", portfolio);
    snprintf(b, sizeof b, "%lld 人", self_made);
    snprintf(total, sizeof total, "%lld 人", portfolio + self_made);
    layout_text(doc, &heading_style, "申請人數（依資料來源）");
    layout_space(doc, 3);
    layout_table_begin(doc, &counts);
    layout_table_row(doc, (struct layout_cell[]){{.text = a, .style = &cell_center},
                                                 {.text = b, .style = &cell_center},
                                                 {.text = total, .style = &cell_center}});
    layout_table_end(doc);
    layout_space(doc, 10);
    layout_text(doc, &heading_style, "各領域學業平均之分布（學習歷程檔案申請者，依學分加權）");
    layout_space(doc, 4);
    struct chart_row row = {0};
    size_t i;
    const json_t *domain;
    json_array_foreach(json_object_get(table, "domains"), i, domain) {
        const json_t *d = json_object_get(json_object_get(pool, "distributions"), text_of(domain, "code"));
        struct domain_chart *chart = &row.charts[row.count++];
        memset(chart, 0, sizeof *chart);
        for (int b = 0; b < CHART_BINS; b++)
            chart->histogram.counts[b] = (unsigned)json_integer_value(json_array_get(json_object_get(d, "histogram"), (size_t)b));
        chart->histogram.marked_bin = -1;
        snprintf(chart->title, sizeof chart->title, "%s（n=%lld，平均 %.1f）", text_of(domain, "name"),
                 json_integer_value(json_object_get(d, "n")), json_number_value(json_object_get(d, "mean")));
        chart->histogram.title = chart->title;
        chart->histogram.x_title = "領域平均";
        if (row.count == CHARTS_PER_ROW || i + 1 == json_array_size(json_object_get(table, "domains"))) {
            layout_drawing(doc, 0, 120, draw_chart_row, &row);
            layout_space(doc, 8);
            row.count = 0; /* layout_drawing draws at once, so the row can be reused */
        }
    }
}

static int content(struct layout_doc *doc, void *user)
{
    const struct sheet *sheet = user;
    pool_summary(doc, sheet->table);
    size_t i;
    const json_t *section;
    json_array_foreach(json_object_get(sheet->table, "sections"), i, section)
        section_table(doc, sheet, section, (int)i + 1);
    return 0;
}

int compare_doc_render(const json_t *table, const struct compare_doc_options *options,
                       const char *output_path, struct compare_doc_result *result,
                       struct error *err)
{
    char date[TIMESTAMP_SIZE], header_left[256], title[256];
    if (timestamp_to_utc(text_of(table, "exported_at"), date, NULL) != 0)
        snprintf(date, sizeof date, "2000-01-01T00:00:00Z");
    snprintf(header_left, sizeof header_left, "%s %s %s", text_of(table, "university_name"),
             text_of(table, "department"), text_of(table, "department_name"));
    snprintf(title, sizeof title, "申請者比較表 %s %s", text_of(table, "department"),
             text_of(table, "department_name"));
    struct layout_options layout_options = {
        .paper = options && options->a3 ? LAYOUT_A3_LANDSCAPE : LAYOUT_A4_LANDSCAPE,
        .margin_left = 30, .margin_right = 30, .margin_top = 46, .margin_bottom = 40,
        .date_utc = date, .title = title, .author = "beishen", .subject = text_of(table, "round"),
        .header_left = header_left, .header_right = "申請者比較表", .footer_left = text_of(table, "round"),
    };
    /* A3 has room for larger type. */
    double size = options && options->a3 ? 9 : 7.5;
    struct sheet sheet = {
        .table = table, .a3 = options && options->a3,
        .cell = {.size = size}, .number = {.size = size, .align = LAYOUT_RIGHT},
        .header = {.size = size, .bold = true, .align = LAYOUT_CENTER},
        .flags = {.size = size, .color = COLOR_WARN},
    };
    struct layout_result layout_result = {0};
    int rc = layout_render(output_path, &layout_options, content, &sheet, &layout_result, err);
    if (result) {
        result->pages = layout_result.pages;
        result->unknown_glyphs = layout_result.unknown_glyphs;
    }
    return rc;
}
