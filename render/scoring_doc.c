/* scoring_doc — 評分表 and 書審成績總表 from layout primitives. */
#include "render/scoring_doc.h"
#include "core/timestamp.h"
#include "render/chart.h"
#include "render/layout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLOR_HEADING 0x1F3A5F
#define COLOR_MUTED   0x555555
#define COLOR_WARN    0xB3261E
#define COLOR_GOOD    0x1B7F3B

static const struct layout_style title_style = {.size = 18, .bold = true, .color = COLOR_HEADING};
static const struct layout_style heading_style = {.size = 12, .bold = true, .color = COLOR_HEADING};
static const struct layout_style muted_style = {.size = 8.5, .color = COLOR_MUTED};
static const struct layout_style body_style = {.size = 9.5};
static const struct layout_style cell_right = {.size = 9, .align = LAYOUT_RIGHT};
static const struct layout_style cell_center = {.size = 9, .align = LAYOUT_CENTER};
static const struct layout_style warn_cell = {.size = 9, .color = COLOR_WARN};
static const struct layout_style good_style = {.size = 9.5, .bold = true, .color = COLOR_GOOD};
static const struct layout_style warn_style = {.size = 9.5, .bold = true, .color = COLOR_WARN};

static const char *text_of(const json_t *object, const char *key)
{
    const char *text = json_string_value(json_object_get(object, key));
    return text ? text : "";
}

static void format_number(const json_t *value, const char *format, char *out, size_t size)
{
    if (json_is_number(value))
        snprintf(out, size, format, json_number_value(value));
    else
        snprintf(out, size, "—");
}

/* Title, department line, and the date the document is about. */
static void document_head(struct layout_doc *doc, const json_t *department, const char *title,
                          const char *subtitle)
{
    char line[512];
    layout_text(doc, &title_style, title);
    snprintf(line, sizeof line, "%s　%s %s　%s", text_of(department, "university_name"),
             text_of(department, "department"), text_of(department, "department_name"),
             text_of(department, "round"));
    layout_text(doc, &muted_style, line);
    if (subtitle)
        layout_text(doc, &body_style, subtitle);
    layout_space(doc, 8);
}

static int render(const json_t *input, const char *title, const char *output_path,
                  layout_content_fn content, enum layout_paper paper,
                  struct scoring_doc_result *result, struct error *err)
{
    const json_t *department = json_object_get(input, "department");
    char date[TIMESTAMP_SIZE], header_left[256];
    if (timestamp_to_utc(text_of(department, "exported_at"), date, NULL) != 0)
        snprintf(date, sizeof date, "2000-01-01T00:00:00Z");
    snprintf(header_left, sizeof header_left, "%s %s %s", text_of(department, "university_name"),
             text_of(department, "department"), text_of(department, "department_name"));
    struct layout_options options = {
        .paper = paper, .date_utc = date, .title = title, .author = "beishen",
        .subject = text_of(department, "round"), .header_left = header_left,
        .header_right = title, .footer_left = text_of(department, "round"),
    };
    struct layout_result layout_result = {0};
    int rc = layout_render(output_path, &options, content, (void *)input, &layout_result, err);
    if (result) {
        result->pages = layout_result.pages;
        result->unknown_glyphs = layout_result.unknown_glyphs;
    }
    return rc;
}

/* ---- 評分表 ------------------------------------------------------------------ */

static void one_sheet(struct layout_doc *doc, const json_t *input, const json_t *sheet, int number)
{
    static const struct layout_column columns[] = {
        {.fraction = 1}, {.width = 40}, {.width = 46}, {.width = 40}, {.fraction = 1.6},
    };
    static const struct layout_cell header[] = {
        {.text = "項目"}, {.text = "權重"}, {.text = "等第"}, {.text = "分數"}, {.text = "評語"},
    };
    const char *no = text_of(sheet, "application_no");
    char heading[512], destination[32], text[5][256];
    /* Under blind review the names are pseudonyms (scores_sheets_content). */
    const char *name = text_of(json_object_get(input, "names"), no);
    snprintf(heading, sizeof heading, "%d. %s%s%s", number, text_of(sheet, "application"),
             name[0] ? "　" : "", name);
    snprintf(destination, sizeof destination, "sheet-%s", no);
    layout_space(doc, 10);
    layout_destination(doc, destination);
    layout_outline(doc, LAYOUT_OUTLINE_ROOT, heading, destination, false);
    layout_heading(doc, &heading_style, heading);
    layout_space(doc, 3);
    struct layout_table table = {.columns = columns, .column_count = 5, .header = header,
                                 .zebra_fill = 0xF7F7F7, .padding = 3};
    layout_table_begin(doc, &table);
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(sheet, "rubric"), i, item) {
        const char *code = text_of(item, "code");
        const json_t *given = json_object_get(json_object_get(sheet, "items"), code);
        snprintf(text[0], sizeof text[0], "%s %s", code, text_of(item, "name"));
        snprintf(text[1], sizeof text[1], "%g%%", json_number_value(json_object_get(item, "weight")));
        snprintf(text[2], sizeof text[2], "%s", json_is_string(json_object_get(given, "level"))
                                                    ? text_of(given, "level") : "—");
        format_number(json_object_get(given, "score"), "%.0f", text[3], sizeof text[3]);
        snprintf(text[4], sizeof text[4], "%s", text_of(given, "comment"));
        struct layout_cell cells[] = {{.text = text[0]}, {.text = text[1], .style = &cell_right},
                                      {.text = text[2], .style = &cell_center},
                                      {.text = text[3], .style = &cell_right}, {.text = text[4]}};
        layout_table_row(doc, cells);
    }
    layout_table_end(doc);
    char total[128], amount[32];
    format_number(json_object_get(sheet, "total"), "%.2f", amount, sizeof amount);
    bool submitted = strcmp(text_of(sheet, "status"), "submitted") == 0;
    snprintf(total, sizeof total, "總分 %s　%s", amount,
             submitted ? "已送出" : strcmp(text_of(sheet, "status"), "draft") == 0 ? "草稿（未送出）" : "未評分");
    layout_space(doc, 2);
    layout_text(doc, submitted ? &good_style : &warn_style, total);
    if (json_is_true(json_object_get(sheet, "changed_after_scoring")))
        layout_text(doc, &warn_style, "申請資料於評分後已更新，請重新檢視");
}

static int sheets_content(struct layout_doc *doc, void *user)
{
    const json_t *input = user;
    const json_t *sheets = json_object_get(input, "sheets");
    char subtitle[256];
    int submitted = 0;
    size_t i;
    const json_t *sheet;
    json_array_foreach(sheets, i, sheet)
        submitted += strcmp(text_of(sheet, "status"), "submitted") == 0;
    snprintf(subtitle, sizeof subtitle, "評分委員：%s　分配 %zu 件，已送出 %d 件",
             text_of(input, "reviewer"), json_array_size(sheets), submitted);
    layout_running_item(doc, text_of(input, "reviewer"));
    document_head(doc, json_object_get(input, "department"), "書面審查評分表", subtitle);
    layout_text(doc, &muted_style, "總分 = Σ（項目權重 × 項目分數）/ 100，取至小數第二位；"
                                   "分數須落在所選等第的分數區間內。");
    json_array_foreach(sheets, i, sheet)
        one_sheet(doc, input, sheet, (int)i + 1);
    layout_space(doc, 30);
    layout_heading(doc, &body_style, "以上評分確為本人依本系評量尺規評定。");
    layout_space(doc, 24);
    layout_text(doc, &(struct layout_style){.size = 11}, "評分委員簽名：＿＿＿＿＿＿＿＿＿＿＿＿　　日期：＿＿＿＿＿＿＿＿");
    return 0;
}

int scoring_doc_sheets(const json_t *input, const char *output_path,
                       struct scoring_doc_result *result, struct error *err)
{
    return render(input, "書面審查評分表", output_path, sheets_content, LAYOUT_A4_PORTRAIT,
                  result, err);
}

/* ---- 書審成績總表 ---------------------------------------------------------------- */

static void readers_text(const json_t *row, char *out, size_t size)
{
    out[0] = '\0';
    size_t k;
    const json_t *reader;
    json_array_foreach(json_object_get(row, "readers"), k, reader) {
        char figure[32] = "未送出";
        if (strcmp(text_of(reader, "status"), "submitted") == 0)
            format_number(json_object_get(reader, "total"), "%.2f", figure, sizeof figure);
        snprintf(out + strlen(out), size - strlen(out), "%s%s %s", k ? "\n" : "",
                 text_of(reader, "reviewer"), figure);
    }
}

static const char *resolution_text(const json_t *row)
{
    const json_t *resolution = json_object_get(row, "resolution");
    if (json_is_true(json_object_get(row, "pending")))
        return "差分待處理";
    if (!json_is_true(json_object_get(row, "flagged")) && !json_is_object(resolution))
        return "";
    const char *method = text_of(resolution, "method");
    return strcmp(method, "third_reading") == 0 ? "第三人評閱"
         : strcmp(method, "revision") == 0 ? "評分者修正" : "";
}

static void final_table(struct layout_doc *doc, const json_t *results, const json_t *ranked)
{
    static const struct layout_column columns[] = {
        {.width = 34}, {.width = 96}, {.fraction = 1}, {.width = 56}, {.fraction = 1.4},
        {.width = 44}, {.fraction = 1.2},
    };
    static const struct layout_cell header[] = {
        {.text = "名次"}, {.text = "申請編號"}, {.text = "姓名"}, {.text = "書審成績"},
        {.text = "評分者總分"}, {.text = "差分"}, {.text = "備註"},
    };
    (void)results;
    struct layout_table table = {.columns = columns, .column_count = 7, .header = header,
                                 .zebra_fill = 0xF4F6F9, .padding = 3};
    layout_table_begin(doc, &table);
    size_t i;
    const json_t *row;
    json_array_foreach(ranked, i, row) {
        char rank[16], final[32], readers[512], spread[32], note[256];
        format_number(json_object_get(row, "rank"), "%.0f", rank, sizeof rank);
        format_number(json_object_get(row, "final"), "%.2f", final, sizeof final);
        format_number(json_object_get(row, "spread"), "%.2f", spread, sizeof spread);
        readers_text(row, readers, sizeof readers);
        const char *resolution = resolution_text(row);
        snprintf(note, sizeof note, "%s%s%s%s%s",
                 json_is_true(json_object_get(row, "self_made")) ? "自行上傳PDF\n" : "", resolution,
                 resolution[0] ? "\n" : "",
                 !json_is_true(json_object_get(row, "complete")) ? "評分未完成\n" : "",
                 json_is_true(json_object_get(row, "changed_after_scoring")) ? "評分後資料已更新" : "");
        size_t length = strlen(note);
        if (length && note[length - 1] == '\n')
            note[length - 1] = '\0';
        struct layout_cell cells[] = {
            {.text = rank, .style = &cell_center}, {.text = text_of(row, "application")},
            {.text = text_of(row, "name")}, {.text = final, .style = &cell_right},
            {.text = readers}, {.text = spread, .style = &cell_right},
            {.text = note, .style = json_is_true(json_object_get(row, "pending")) ? &warn_cell : NULL},
        };
        layout_table_row(doc, cells);
    }
    layout_table_end(doc);
}

static void flags_table(struct layout_doc *doc, const json_t *ranked)
{
    static const struct layout_column columns[] = {
        {.width = 96}, {.fraction = 1}, {.width = 48}, {.fraction = 1}, {.width = 56},
    };
    static const struct layout_cell header[] = {
        {.text = "申請編號"}, {.text = "評分者總分"}, {.text = "差分"}, {.text = "處理"}, {.text = "書審成績"},
    };
    struct layout_table table = {.columns = columns, .column_count = 5, .header = header,
                                 .padding = 3};
    int flagged = 0;
    size_t i;
    const json_t *row;
    json_array_foreach(ranked, i, row)
        flagged += json_is_true(json_object_get(row, "flagged")) ||
                   json_is_object(json_object_get(row, "resolution"));
    layout_space(doc, 12);
    layout_destination(doc, "flags");
    layout_outline(doc, LAYOUT_OUTLINE_ROOT, "差分處理", "flags", false);
    layout_heading(doc, &heading_style, "差分處理");
    if (flagged == 0) {
        layout_text(doc, &body_style, "無差分超過門檻之申請案。");
        return;
    }
    layout_space(doc, 3);
    layout_table_begin(doc, &table);
    json_array_foreach(ranked, i, row) {
        if (!json_is_true(json_object_get(row, "flagged")) &&
            !json_is_object(json_object_get(row, "resolution")))
            continue;
        char readers[512], spread[32], final[32], how[256];
        readers_text(row, readers, sizeof readers);
        format_number(json_object_get(row, "spread"), "%.2f", spread, sizeof spread);
        format_number(json_object_get(row, "final"), "%.2f", final, sizeof final);
        const json_t *resolution = json_object_get(row, "resolution");
        snprintf(how, sizeof how, "%s%s%s", resolution_text(row),
                 json_is_string(json_object_get(resolution, "decided_by")) ? "\n" : "",
                 text_of(resolution, "decided_by"));
        struct layout_cell cells[] = {{.text = text_of(row, "application")}, {.text = readers},
                                      {.text = spread, .style = &cell_right},
                                      {.text = how, .style = json_is_true(json_object_get(row, "pending")) ? &warn_cell : NULL},
                                      {.text = final, .style = &cell_right}};
        layout_table_row(doc, cells);
    }
    layout_table_end(doc);
}

static void reviewers_section(struct layout_doc *doc, const json_t *results)
{
    static const struct layout_column columns[] = {
        {.fraction = 1}, {.width = 50}, {.width = 56}, {.width = 56}, {.width = 80}, {.width = 80},
    };
    static const struct layout_cell header[] = {
        {.text = "評分者"}, {.text = "件數"}, {.text = "平均"}, {.text = "標準差"},
        {.text = "與同案評分者\n平均差距"}, {.text = "一致性\n(Pearson r)"},
    };
    const json_t *reviewers = json_object_get(results, "reviewers");
    layout_new_page(doc);
    layout_destination(doc, "reviewers");
    layout_outline(doc, LAYOUT_OUTLINE_ROOT, "評分者統計", "reviewers", false);
    layout_heading(doc, &heading_style, "評分者統計（寬嚴與一致性）");
    layout_text(doc, &muted_style, "平均、標準差：該評分者已送出之總分。與同案評分者平均差距：同一申請案"
                                   "兩兩總分差之絕對值平均。一致性：該評分者總分與同案其他評分者總分平均之"
                                   "Pearson 相關係數（至少 3 件）。");
    layout_space(doc, 4);
    struct layout_table table = {.columns = columns, .column_count = 6, .header = header,
                                 .zebra_fill = 0xF7F7F7, .padding = 3};
    layout_table_begin(doc, &table);
    size_t n = json_array_size(reviewers), i;
    struct chart_mean *rows = calloc(n + 1, sizeof *rows);
    char (*labels)[96] = calloc(n + 1, sizeof *labels);
    const json_t *reviewer;
    json_array_foreach(reviewers, i, reviewer) {
        char count[16], mean[32], sd[32], mad[32], agreement[32];
        snprintf(count, sizeof count, "%lld", json_integer_value(json_object_get(reviewer, "count")));
        format_number(json_object_get(reviewer, "mean"), "%.2f", mean, sizeof mean);
        format_number(json_object_get(reviewer, "sd"), "%.2f", sd, sizeof sd);
        format_number(json_object_get(reviewer, "mad"), "%.2f", mad, sizeof mad);
        format_number(json_object_get(reviewer, "agreement"), "%.3f", agreement, sizeof agreement);
        struct layout_cell cells[] = {{.text = text_of(reviewer, "reviewer")},
                                      {.text = count, .style = &cell_right},
                                      {.text = mean, .style = &cell_right},
                                      {.text = sd, .style = &cell_right},
                                      {.text = mad, .style = &cell_right},
                                      {.text = agreement, .style = &cell_right}};
        layout_table_row(doc, cells);
        snprintf(labels[i], sizeof labels[i], "%s（%lld）", text_of(reviewer, "reviewer"),
                 json_integer_value(json_object_get(reviewer, "count")));
        rows[i] = (struct chart_mean){labels[i], json_number_value(json_object_get(reviewer, "mean")),
                                      json_number_value(json_object_get(reviewer, "sd")),
                                      (int)json_integer_value(json_object_get(reviewer, "count"))};
    }
    layout_table_end(doc);
    const json_t *agreement = json_object_get(results, "agreement");
    char line[256], r[32];
    format_number(json_object_get(agreement, "pearson"), "%.3f", r, sizeof r);
    snprintf(line, sizeof line, "全系一致性：第一與第二評分者總分之 Pearson r = %s（%lld 件）；"
             "全體總分平均 %.2f，標準差 %.2f。", r, json_integer_value(json_object_get(agreement, "pairs")),
             json_number_value(json_object_get(json_object_get(results, "totals"), "mean")),
             json_number_value(json_object_get(json_object_get(results, "totals"), "sd")));
    layout_space(doc, 4);
    layout_text(doc, &body_style, line);
    if (n > 0) {
        struct chart_means means = {rows, (int)n,
                                    json_number_value(json_object_get(json_object_get(results, "totals"), "mean"))};
        layout_space(doc, 6);
        layout_heading(doc, &body_style, "各評分者總分平均（點）與 ±1 標準差（線）；虛線為全體平均");
        layout_drawing(doc, 0, 24 + 20.0 * (double)n, chart_draw_means, &means);
    }
    free(rows);
    free(labels);
}

static int summary_content(struct layout_doc *doc, void *user)
{
    const json_t *input = user;
    const json_t *results = json_object_get(input, "results");
    const json_t *plan = json_object_get(results, "plan");
    const json_t *counts = json_object_get(results, "counts");
    char subtitle[512];
    snprintf(subtitle, sizeof subtitle, "每件 %lld 位評分者；差分門檻 %g 分；成績計算：%s。"
             "共 %lld 件，完成 %lld 件，差分 %lld 件（待處理 %lld 件），已有書審成績 %lld 件。",
             json_integer_value(json_object_get(plan, "readers")),
             json_number_value(json_object_get(plan, "threshold")),
             strcmp(text_of(plan, "final_rule"), "closest-two") == 0 ? "三位評分者時取最接近之兩位平均"
             : strcmp(text_of(plan, "final_rule"), "normalized") == 0 ? "各評分者標準化後平均"
             : "評分者總分平均",
             json_integer_value(json_object_get(counts, "applications")),
             json_integer_value(json_object_get(counts, "complete")),
             json_integer_value(json_object_get(counts, "flagged")),
             json_integer_value(json_object_get(counts, "pending")),
             json_integer_value(json_object_get(counts, "final")));
    layout_running_item(doc, "書審成績總表");
    layout_destination(doc, "final");
    layout_outline(doc, LAYOUT_OUTLINE_ROOT, "書審成績（依名次）", "final", false);
    document_head(doc, json_object_get(input, "department"), "書面審查成績總表", subtitle);
    const json_t *ranked = json_object_get(input, "ranked");
    final_table(doc, results, ranked);
    flags_table(doc, ranked);
    reviewers_section(doc, results);
    return 0;
}

int scoring_doc_summary(const json_t *input, const char *output_path,
                        struct scoring_doc_result *result, struct error *err)
{
    if (!json_is_array(json_object_get(input, "ranked")))
        return error_set(err, ERROR_INVALID, "the summary needs its ranked rows");
    return render(input, "書面審查成績總表", output_path, summary_content, LAYOUT_A4_PORTRAIT,
                  result, err);
}
