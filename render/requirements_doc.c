/* requirements_doc — a department's published required-item list as PDF. */
#include "render/requirements_doc.h"
#include "core/category.h"
#include "core/timestamp.h"
#include "render/layout.h"

#include <stdio.h>
#include <string.h>

static const struct layout_style title_style = {.size = 16, .bold = true, .family = FONTS_SERIF,
                                                .align = LAYOUT_CENTER};
static const struct layout_style subtitle_style = {.size = 10.5, .align = LAYOUT_CENTER, .color = 0x444444};
static const struct layout_style heading_style = {.size = 12, .bold = true, .color = 0x1F3A5F};
static const struct layout_style small_style = {.size = 8};
static const struct layout_style center_style = {.size = 9, .align = LAYOUT_CENTER};
static const struct layout_style note_style = {.size = 9, .color = 0x333333};

static const char *text_of(const json_t *object, const char *key)
{
    const char *text = json_string_value(json_object_get(object, key));
    return text ? text : "";
}

static const char *item_name(const json_t *item)
{
    const char *code = text_of(item, "code");
    if (json_is_string(json_object_get(item, "name")))
        return text_of(item, "name");
    const char *name = category_item_name(code[0]);
    return name ? name : "其他";
}

static void stage_table(struct layout_doc *doc, const json_t *list)
{
    const json_t *stages = json_object_get(list, "stages");
    size_t count = json_array_size(stages);
    struct layout_column columns[LAYOUT_TABLE_MAX_COLUMNS];
    struct layout_cell header[LAYOUT_TABLE_MAX_COLUMNS], cells[LAYOUT_TABLE_MAX_COLUMNS];
    char weights[LAYOUT_TABLE_MAX_COLUMNS][32];
    if (count == 0 || count > LAYOUT_TABLE_MAX_COLUMNS)
        return;
    for (size_t i = 0; i < count; i++) {
        const json_t *stage = json_array_get(stages, i);
        columns[i] = (struct layout_column){.fraction = 1};
        header[i] = (struct layout_cell){.text = text_of(stage, "name"), .style = &center_style};
        snprintf(weights[i], sizeof weights[i], "%g%%", json_number_value(json_object_get(stage, "weight")));
        cells[i] = (struct layout_cell){.text = weights[i], .style = &center_style};
    }
    struct layout_table table = {.columns = columns, .column_count = count, .header = header};
    layout_text(doc, &heading_style, "一、甄選總成績採計比例");
    layout_space(doc, 3);
    layout_table_begin(doc, &table);
    layout_table_row(doc, cells);
    layout_table_end(doc);
}

static void item_table(struct layout_doc *doc, const json_t *list)
{
    static const struct layout_column columns[] = {
        {.width = 34}, {.width = 96}, {.width = 52}, {.fraction = 1.4}, {.fraction = 1},
    };
    static const struct layout_cell header[] = {
        {.text = "代碼", .style = &center_style}, {.text = "審查項目"}, {.text = "占審查資料", .style = &center_style},
        {.text = "審查重點"}, {.text = "說明"},
    };
    struct layout_table table = {.columns = columns, .column_count = 5, .header = header,
                                 .zebra_fill = 0xF5F7FA};
    layout_space(doc, 12);
    layout_text(doc, &heading_style, "二、審查資料參採項目及審查重點");
    layout_space(doc, 3);
    layout_table_begin(doc, &table);
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(list, "items"), i, item) {
        const char *code = text_of(item, "code");
        char weight[32], name[128];
        snprintf(weight, sizeof weight, "%g%%", json_number_value(json_object_get(item, "weight")));
        const char *group = category_item_group(code[0]);
        snprintf(name, sizeof name, "%s\n（%s）", item_name(item), group ? group : "其他");
        struct layout_cell cells[] = {
            {.text = code, .style = &center_style}, {.text = name}, {.text = weight, .style = &center_style},
            {.text = text_of(item, "focus")}, {.text = text_of(item, "note")},
        };
        layout_table_row(doc, cells);
    }
    layout_table_end(doc);
}

static void rubric_table(struct layout_doc *doc, const json_t *list)
{
    static const struct layout_column columns[] = {
        {.width = 70}, {.fraction = 1}, {.fraction = 1}, {.fraction = 1}, {.fraction = 1}, {.fraction = 1},
    };
    static const struct layout_cell header[] = {
        {.text = "項目"}, {.text = "傑出"}, {.text = "優良"}, {.text = "普通"}, {.text = "待加強"}, {.text = "不佳"},
    };
    struct layout_table table = {.columns = columns, .column_count = 6, .header = header,
                                 .body_style = &small_style, .padding = 3, .zebra_fill = 0xF5F7FA};
    layout_space(doc, 12);
    layout_text(doc, &heading_style, "三、評分規準（五級）");
    layout_space(doc, 3);
    layout_table_begin(doc, &table);
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(list, "items"), i, item) {
        const json_t *rubric = json_object_get(item, "rubric");
        char label[128];
        snprintf(label, sizeof label, "%s %s", text_of(item, "code"), item_name(item));
        struct layout_cell cells[6] = {{.text = label}};
        for (int level = 0; level < 5; level++)
            cells[level + 1] = (struct layout_cell){.text = text_of(rubric, category_rubric_levels[level])};
        layout_table_row(doc, cells);
    }
    layout_table_end(doc);
}

static int content(struct layout_doc *doc, void *user)
{
    const json_t *list = user;
    const json_t *university = json_object_get(list, "university");
    const json_t *department = json_object_get(list, "department");
    char line[512];
    layout_destination(doc, "list");
    snprintf(line, sizeof line, "%s %s", text_of(university, "name"), text_of(department, "name"));
    layout_outline(doc, LAYOUT_OUTLINE_ROOT, line, "list", true);
    layout_text(doc, &title_style, line);
    snprintf(line, sizeof line, "%s　校系代碼 %s　校系參採項目及審查重點", text_of(list, "round"),
             text_of(department, "code"));
    layout_text(doc, &subtitle_style, line);
    layout_space(doc, 12);
    stage_table(doc, list);
    item_table(doc, list);
    rubric_table(doc, list);
    if (text_of(list, "notes")[0]) {
        layout_space(doc, 12);
        layout_text(doc, &heading_style, "四、備註");
        layout_space(doc, 3);
        layout_text(doc, &note_style, text_of(list, "notes"));
    }
    layout_space(doc, 10);
    snprintf(line, sizeof line, "第 %lld 版，載入於 %s", json_integer_value(json_object_get(list, "loaded_version")),
             text_of(list, "loaded_at"));
    layout_text(doc, &(struct layout_style){.size = 8, .color = 0x777777, .align = LAYOUT_RIGHT}, line);
    return 0;
}

int requirements_doc_render(const json_t *list, const char *output_path,
                            struct requirements_doc_result *result, struct error *err)
{
    const json_t *department = json_object_get(list, "department");
    char header_left[256], title[256], date[32];
    snprintf(header_left, sizeof header_left, "%s %s %s", text_of(json_object_get(list, "university"), "name"),
             text_of(department, "code"), text_of(department, "name"));
    snprintf(title, sizeof title, "校系參採項目及審查重點 %s %s", text_of(department, "code"),
             text_of(department, "name"));
    /* The document's date is its load time, so the same version renders the same bytes. */
    if (timestamp_to_utc(text_of(list, "loaded_at"), date, NULL) != 0)
        snprintf(date, sizeof date, "2000-01-01T00:00:00Z");
    struct layout_options options = {
        .paper = LAYOUT_A4_PORTRAIT, .date_utc = date, .title = title, .author = "beishen",
        .subject = text_of(list, "round"), .header_left = header_left,
        .header_right = "校系參採項目", .footer_left = text_of(list, "round"),
    };
    struct layout_result layout_result = {0};
    int rc = layout_render(output_path, &options, content, (void *)list, &layout_result, err);
    if (result) {
        result->pages = layout_result.pages;
        result->unknown_glyphs = layout_result.unknown_glyphs;
    }
    return rc;
}
