/* compare_doc — the comparison sheet as PDF, from compare_table(). */
#include "render/compare_doc.h"
#include "core/timestamp.h"
#include "render/chart.h"
#include "render/layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLOR_HEADING 0x1F3A5F
#define COLOR_WARN    0xB3261E
#define MAX_COLUMNS   LAYOUT_TABLE_MAX_COLUMNS

static const struct layout_style title_style = {.size = 16, .bold = true, .color = COLOR_HEADING};
static const struct layout_style heading_style = {.size = 12, .bold = true, .color = COLOR_HEADING};
static const struct layout_style muted_style = {.size = 8.5, .color = 0x555555};
static const struct layout_style cell_style = {.size = 7.5};
static const struct layout_style cell_center = {.size = 7.5, .align = LAYOUT_CENTER};
static const struct layout_style flag_style = {.size = 7.5, .color = COLOR_WARN};
static const struct layout_style header_style = {.size = 7.5, .bold = true, .align = LAYOUT_CENTER};

static const char *text_of(const json_t *object, const char *key)
{
    const char *text = json_string_value(json_object_get(object, key));
    return text ? text : "";
}

/* The sheet's columns, decided once per section from the table. */
struct sheet_columns {
    struct layout_column columns[MAX_COLUMNS];
    struct layout_cell header[MAX_COLUMNS];
    char header_text[MAX_COLUMNS][96];
    const char *kind[MAX_COLUMNS];     /* "applicant", "average", "domain", "item", "total", "flags" */
    const char *code[MAX_COLUMNS];
    size_t count;
};

static void add_column(struct sheet_columns *c, const char *kind, const char *code,
                       double width, double fraction, const char *title)
{
    if (c->count == MAX_COLUMNS)
        return;
    size_t i = c->count++;
    c->columns[i] = (struct layout_column){.width = width, .fraction = fraction};
    snprintf(c->header_text[i], sizeof c->header_text[i], "%s", title);
    c->header[i] = (struct layout_cell){.text = c->header_text[i], .style = &header_style};
    c->kind[i] = kind;
    c->code[i] = code;
}

/* Items grouped into one column when a column per item would not fit. */
struct item_group {
    char first, last;
    const char *title;
};

static const struct item_group item_groups[] = {
    {'B', 'E', "B–E 課程學習成果"}, {'F', 'M', "F–M 多元表現"}, {'R', 'Z', "R– 其他"},
};

#define MIN_ITEM_WIDTH 44.0

/* Domains 01–08 are the sheet's A columns (00 不分 and 09 全民國防教育 are in
 * the CSV); items after A get one column each, or — when that many columns
 * would be narrower than MIN_ITEM_WIDTH on this paper (no list loaded, many
 * items) — B–E, F–M and R and later are grouped into one column each.  The
 * CSV always has a column per item. */
static void plan_columns(const json_t *table, bool self_made, double width, struct sheet_columns *c)
{
    memset(c, 0, sizeof *c);
    add_column(c, "applicant", NULL, 100, 0, "申請編號／姓名／學校");
    size_t i;
    const json_t *value;
    double fixed = 100 + 28 + 58;   /* applicant, total, flags */
    if (!self_made) {
        add_column(c, "average", NULL, 32, 0, "學業\n平均");
        fixed += 32;
        json_array_foreach(json_object_get(table, "domains"), i, value) {
            const char *code = text_of(value, "code");
            if (strcmp(code, "01") < 0 || strcmp(code, "08") > 0)
                continue;
            char title[96];
            snprintf(title, sizeof title, "A %s", text_of(value, "name"));
            add_column(c, "domain", code, 38, 0, title);
            fixed += 38;
        }
    }
    size_t items = 0;
    json_array_foreach(json_object_get(table, "items"), i, value)
        items += !(strcmp(text_of(value, "code"), "A") == 0 && !self_made);
    bool grouped = items > 0 && (width - fixed) / (double)items < MIN_ITEM_WIDTH;
    bool group_added[sizeof item_groups / sizeof item_groups[0]] = {false};
    json_array_foreach(json_object_get(table, "items"), i, value) {
        const char *code = text_of(value, "code");
        if (strcmp(code, "A") == 0 && !self_made)
            continue; /* A is the domain columns */
        size_t g = 0;
        while (grouped && g < sizeof item_groups / sizeof item_groups[0] &&
               !(code[0] >= item_groups[g].first && code[0] <= item_groups[g].last))
            g++;
        if (grouped && g < sizeof item_groups / sizeof item_groups[0]) {
            if (!group_added[g])
                add_column(c, "group", item_groups[g].title, 0, 1, item_groups[g].title);
            group_added[g] = true;
            continue;
        }
        char title[96];
        if (json_is_number(json_object_get(value, "weight")))
            snprintf(title, sizeof title, "%s %s\n%g%%", code, text_of(value, "name"),
                     json_number_value(json_object_get(value, "weight")));
        else
            snprintf(title, sizeof title, "%s %s", code, text_of(value, "name"));
        add_column(c, "item", code, 0, 1, title);
    }
    add_column(c, "total", NULL, 28, 0, "總筆數");
    add_column(c, "flags", NULL, 58, 0, "提醒");
}

/* A grouped column's cell: the records of its items summed, the
 * certified count for outcomes, the best level for performances. */
static void group_cell_text(const json_t *row, const char *title, char *out, size_t size)
{
    const struct item_group *group = NULL;
    for (size_t g = 0; g < sizeof item_groups / sizeof item_groups[0]; g++)
        if (strcmp(item_groups[g].title, title) == 0)
            group = &item_groups[g];
    long long count = 0, certified = 0, supplied = 0;
    const char *best_level = NULL;
    const char *code;
    const json_t *cell;
    json_object_foreach(json_object_get(row, "items"), code, cell) {
        if (!group || code[0] < group->first || code[0] > group->last)
            continue;
        count += json_integer_value(json_object_get(cell, "count"));
        certified += json_integer_value(json_object_get(cell, "certified"));
        supplied += json_is_true(json_object_get(cell, "supplied"));
        const char *level = json_string_value(json_object_get(cell, "best_level"));
        if (level && !best_level)
            best_level = level;
    }
    if (!group || (count == 0 && supplied == 0))
        snprintf(out, size, "—");
    else if (group->first == 'B')
        snprintf(out, size, "%lld（認證%lld）", count, certified);
    else if (group->first == 'F')
        snprintf(out, size, "%lld%s%s", count, best_level ? "・" : "", best_level ? best_level : "");
    else
        snprintf(out, size, "%lld 項", supplied + count);
}

static void row_cells(const json_t *row, bool self_made,
                      const struct sheet_columns *c, char text[][160], struct layout_cell *cells)
{
    for (size_t i = 0; i < c->count; i++) {
        const char *kind = c->kind[i];
        text[i][0] = '\0';
        cells[i] = (struct layout_cell){.text = text[i], .style = &cell_center};
        if (strcmp(kind, "applicant") == 0) {
            snprintf(text[i], 160, "%s\n%s\n%s%s", text_of(row, "id"), text_of(row, "name"),
                     text_of(row, "school"), self_made ? "\n【自行上傳PDF】" : "");
            cells[i].style = &cell_style;
        } else if (strcmp(kind, "average") == 0) {
            const json_t *average = json_object_get(row, "average");
            snprintf(text[i], 160, json_is_number(average) ? "%.2f\n%lld科" : "—",
                     json_number_value(average), json_integer_value(json_object_get(row, "courses")));
        } else if (strcmp(kind, "group") == 0) {
            group_cell_text(row, c->code[i], text[i], 160);
        } else if (strcmp(kind, "domain") == 0 || strcmp(kind, "item") == 0) {
            const json_t *texts = json_object_get(json_object_get(row, "texts"),
                                                  strcmp(kind, "domain") == 0 ? "domains" : "items");
            const char *given = json_string_value(json_object_get(texts, c->code[i]));
            snprintf(text[i], 160, "%s", given ? given : "—");
            char *space = strcmp(kind, "domain") == 0 ? strchr(text[i], ' ') : NULL;
            if (space)
                *space = '\n'; /* "85.20\n(PR 73.5)" */
        } else if (strcmp(kind, "total") == 0) {
            snprintf(text[i], 160, "%lld", json_integer_value(json_object_get(row, "total_records")));
        } else {
            size_t f;
            const json_t *flag;
            json_array_foreach(json_object_get(row, "flags"), f, flag)
                snprintf(text[i] + strlen(text[i]), 160 - strlen(text[i]), "%s%s", f ? " " : "",
                         json_string_value(flag));
            cells[i].style = &flag_style;
        }
    }
}

static void section_table(struct layout_doc *doc, const json_t *table, const json_t *section,
                          int number)
{
    bool self_made = strcmp(text_of(section, "name"), "self_made") == 0;
    char destination[32], title[256];
    snprintf(destination, sizeof destination, "section-%d", number);
    layout_new_page(doc);
    layout_running_item(doc, self_made ? "自行上傳PDF申請者" : "學習歷程檔案申請者");
    layout_destination(doc, destination);
    const json_t *rows = json_object_get(section, "rows");
    snprintf(title, sizeof title, "%s（%zu 人）", self_made ? "自行上傳PDF申請者" : "學習歷程檔案申請者",
             json_array_size(rows));
    layout_outline(doc, LAYOUT_OUTLINE_ROOT, title, destination, false);
    layout_text(doc, &heading_style, title);
    if (self_made)
        layout_notice(doc, &(struct layout_style){.size = 9, .bold = true, .color = COLOR_WARN},
                      "自行上傳PDF：無教師認證、無時點歷程紀錄。僅列出各項目是否提供，不計算平均與百分等級，"
                      "不與學習歷程檔案申請者排序比較。", COLOR_WARN, 0xFDECEA);
    layout_space(doc, 4);
    if (json_array_size(rows) == 0) {
        layout_text(doc, &muted_style, "（無）");
        return;
    }
    struct sheet_columns *c = malloc(sizeof *c);
    char (*text)[160] = malloc(sizeof(char[160]) * MAX_COLUMNS);
    plan_columns(table, self_made, layout_content_box(doc).width, c);
    struct layout_table layout = {.columns = c->columns, .column_count = c->count,
                                  .header = c->header, .padding = 2.5, .zebra_fill = 0xF4F6F9};
    layout_table_begin(doc, &layout);
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row) {
        struct layout_cell cells[MAX_COLUMNS];
        row_cells(row, self_made, c, text, cells);
        layout_table_row(doc, cells);
    }
    layout_table_end(doc);
    free(text);
    free(c);
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
    const json_t *table = user;
    pool_summary(doc, table);
    size_t i;
    const json_t *section;
    json_array_foreach(json_object_get(table, "sections"), i, section)
        section_table(doc, table, section, (int)i + 1);
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
    struct layout_result layout_result = {0};
    int rc = layout_render(output_path, &layout_options, content, (void *)table, &layout_result, err);
    if (result) {
        result->pages = layout_result.pages;
        result->unknown_glyphs = layout_result.unknown_glyphs;
    }
    return rc;
}
