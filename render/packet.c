/* packet — the review packet of one application, built from layout
 * primitives over the content it is handed (packet.h).
 *
 * Layout: a cover (applicant, department, source, counts per group,
 * completeness warnings, contents), then one section per item present, each
 * starting on a new page with its own page labels (A-1, A-2 …, B-1 …), a
 * bookmark, and the item in the running footer.  A is split by course
 * category, followed by the semester averages and the course-plan data that
 * every course name links to.  Attachments are drawn in place: images
 * scaled into the page, PDF pages through attach.c (sanitised in a child
 * process with resource limits), audio and video listed with name, size
 * and SHA-256. */
#include "render/packet.h"
#include "core/category.h"
#include "core/files.h"
#include "core/text.h"
#include "core/timestamp.h"
#include "render/attach.h"
#include "render/chart.h"
#include "render/layout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SELF_MADE_BAND "自行上傳PDF：無教師認證、無時點歷程紀錄"

#define COLOR_HEADING   0x1F3A5F
#define COLOR_MUTED     0x555555
#define COLOR_GOOD      0x1B7F3B
#define COLOR_WARN      0xB3261E
#define COLOR_WARN_FILL 0xFDECEA
#define COLOR_NOTE_FILL 0xF3F6FA

static const struct layout_style title_style = {.size = 20, .bold = true, .color = COLOR_HEADING};
static const struct layout_style heading_style = {.size = 15, .bold = true, .color = COLOR_HEADING};
static const struct layout_style subheading_style = {.size = 11.5, .bold = true, .color = COLOR_HEADING};
static const struct layout_style record_title_style = {.size = 11, .bold = true};
static const struct layout_style body_style = {.size = 9.5};
static const struct layout_style text_style = {.size = 10.5, .family = FONTS_SERIF};
static const struct layout_style muted_style = {.size = 8.5, .color = COLOR_MUTED};
static const struct layout_style good_style = {.size = 9.5, .bold = true, .color = COLOR_GOOD};
static const struct layout_style warn_style = {.size = 9.5, .bold = true, .color = COLOR_WARN};
static const struct layout_style cell_center = {.size = 8.5, .align = LAYOUT_CENTER};
static const struct layout_style cell_right = {.size = 8.5, .align = LAYOUT_RIGHT};
static const struct layout_style cell_tiny = {.size = 6.5, .color = COLOR_MUTED, .align = LAYOUT_CENTER};

/* A PDF attachment sanitised before layout (attach.c), by SHA-256. */
struct prepared_pdf {
    char sha256[65];
    struct attach_file *file;
    bool unreadable;              /* shown as 附件無法顯示 */
    char reason[256];
};

struct packet {
    packet_file_path_fn file_path;
    void *file_user;
    const json_t *show;           /* query_show(): header and every category */
    bool self_made;
    const json_t *list;           /* the department's required-item list, or NULL */
    const json_t *notes;          /* reviewers' notes to print last, or NULL */
    struct prepared_pdf *pdfs;
    size_t pdf_count;
    int attachments_unreadable;
};

/* ---- small helpers ---------------------------------------------------- */

static const char *text_of(const json_t *object, const char *key)
{
    const char *text = json_string_value(json_object_get(object, key));
    return text ? text : "";
}

static long long integer_of(const json_t *object, const char *key)
{
    return json_integer_value(json_object_get(object, key));
}

/* A score as a reviewer reads it: "80", "79.9", "91.25". */
static void format_score(const json_t *value, char *out, size_t size)
{
    if (!json_is_number(value)) {
        snprintf(out, size, "—");
        return;
    }
    double v = json_number_value(value);
    if (fabs(v - round(v)) < 1e-9)
        snprintf(out, size, "%.0f", v);
    else if (fabs(v * 10 - round(v * 10)) < 1e-9)
        snprintf(out, size, "%.1f", v);
    else
        snprintf(out, size, "%.2f", v);
}

static void format_size(long long bytes, char *out, size_t size)
{
    if (bytes >= 1024 * 1024)
        snprintf(out, size, "%.1f MB", bytes / 1048576.0);
    else
        snprintf(out, size, "%.0f KB", ceil(bytes / 1024.0));
}

/* "2023-02-21T10:00:00+08:00" -> "2023-02-21 10:00" for display. */
static void format_time(const char *rfc3339, char *out, size_t size)
{
    if (!rfc3339 || !rfc3339[0])
        snprintf(out, size, "—");
    else
        timestamp_display(rfc3339, out, size);
}

/* An item category ("B 書面報告", "A 修課紀錄" of a self-made upload), as
 * opposed to a course-record category ("部定必修-數學") or 基本資料. */
static bool is_item_category(const json_t *category)
{
    const char *name = text_of(category, "category");
    return name[0] >= 'A' && name[0] <= 'Z' && name[1] == ' ';
}

static const json_t *find_category(const json_t *show, const char *item_prefix)
{
    size_t i;
    const json_t *category;
    json_array_foreach(json_object_get(show, "categories"), i, category)
        if (strncmp(text_of(category, "category"), item_prefix, strlen(item_prefix)) == 0)
            return category;
    return NULL;
}

/* Starts an item's section: new page, labels, running item, bookmark. */
/* The list's entry for an item code, or NULL (no list, or not listed). */
static const json_t *listed_item(const struct packet *p, const char *code)
{
    size_t i;
    const json_t *item;
    json_array_foreach(p->list ? json_object_get(p->list, "items") : NULL, i, item)
        if (strcmp(text_of(item, "code"), code) == 0)
            return item;
    return NULL;
}

static int begin_section(struct layout_doc *doc, const struct packet *p, const char *code,
                         const char *title, int *outline_id)
{
    char label_prefix[8], destination[16];
    snprintf(label_prefix, sizeof label_prefix, "%s-", code);
    snprintf(destination, sizeof destination, "item-%s", code);
    layout_new_page(doc);
    layout_page_labels(doc, label_prefix);
    layout_running_item(doc, title);
    layout_destination(doc, destination);
    *outline_id = layout_outline(doc, LAYOUT_OUTLINE_ROOT, title, destination, false);
    layout_text(doc, &heading_style, title);
    layout_rule(doc, 1.2, COLOR_HEADING);
    const json_t *item = listed_item(p, code);
    if (item) {
        /* The department's weight and focus head the item. */
        char text[1536];
        snprintf(text, sizeof text, "本系採計：占審查資料 %g%%\n審查重點：%s%s%s",
                 json_number_value(json_object_get(item, "weight")), text_of(item, "focus"),
                 text_of(item, "note")[0] ? "\n說明：" : "", text_of(item, "note"));
        layout_space(doc, 4);
        layout_notice(doc, &(struct layout_style){.size = 9.5, .color = COLOR_HEADING}, text,
                      COLOR_HEADING, COLOR_NOTE_FILL);
    }
    return layout_space(doc, 6);
}

/* ---- attachments ------------------------------------------------------- */

static int read_attachment(struct packet *p, const json_t *file, char **data, size_t *length,
                           struct error *err)
{
    char path[4096];
    p->file_path(text_of(file, "sha256"), text_of(file, "media_type"), path, sizeof path,
                 p->file_user);
    return files_read(path, 16u << 20, data, length, err);
}

static void attachment_caption(struct layout_doc *doc, const json_t *file, int number)
{
    char size[32], caption[1024];
    format_size(integer_of(file, "size"), size, sizeof size);
    snprintf(caption, sizeof caption, "附件 %d：%s（%s，%s）", number, text_of(file, "name"),
             text_of(file, "media_type"), size);
    layout_heading(doc, &muted_style, caption);   /* kept with the attachment */
}

static void unreadable_placeholder(struct layout_doc *doc, const json_t *file, const char *why)
{
    char text[1024];
    snprintf(text, sizeof text, "附件無法顯示\n%s\nSHA-256 %s\n%s", text_of(file, "name"),
             text_of(file, "sha256"), why);
    layout_notice(doc, &warn_style, text, COLOR_WARN, COLOR_WARN_FILL);
}

static void draw_attachment(struct packet *p, struct layout_doc *doc, const json_t *file,
                            int number)
{
    const char *media = text_of(file, "media_type");
    layout_space(doc, 4);
    attachment_caption(doc, file, number);
    if (strncmp(media, "audio/", 6) == 0 || strncmp(media, "video/", 6) == 0) {
        char text[512];
        snprintf(text, sizeof text, "%s檔案，請於審查系統播放。\nSHA-256 %s",
                 media[0] == 'a' ? "音訊" : "影片", text_of(file, "sha256"));
        layout_notice(doc, &body_style, text, 0xAAAAAA, COLOR_NOTE_FILL);
        return;
    }
    if (strcmp(media, "application/pdf") == 0) {
        for (size_t i = 0; i < p->pdf_count; i++)
            if (strcmp(p->pdfs[i].sha256, text_of(file, "sha256")) == 0) {
                attach_draw(doc, p->pdfs[i].file);
                return;
            }
        unreadable_placeholder(doc, file, "附件未準備");
        return;
    }
    char *data = NULL;
    size_t length = 0;
    struct error err;
    if (read_attachment(p, file, &data, &length, &err) != 0) {
        unreadable_placeholder(doc, file, err.message);
        return;
    }
    if (layout_image(doc, data, length, 0, 420, &err) != 0)
        unreadable_placeholder(doc, file, err.message);
    free(data);
}

static void draw_attachments(struct packet *p, struct layout_doc *doc, const json_t *record)
{
    size_t i;
    const json_t *file;
    json_array_foreach(json_object_get(record, "files"), i, file)
        draw_attachment(p, doc, file, (int)i + 1);
}

/* ---- cover ------------------------------------------------------------- */

/* Completeness warnings: an empty group, an uncertified outcome, a blank
 * statement.  Appends lines to out. */
static void completeness_warnings(const struct packet *p, char *out, size_t size)
{
    static const char *const groups[] = {"修課紀錄", "課程學習成果", "多元表現", "學習歷程自述", NULL};
    size_t used = 0;
    out[0] = '\0';
#define WARN(...) used += (size_t)snprintf(out + used, used < size ? size - used : 0, __VA_ARGS__)
    for (const char *const *g = groups; *g; g++) {
        bool any = false;
        size_t i;
        const json_t *category;
        json_array_foreach(json_object_get(p->show, "categories"), i, category)
            if (strcmp(text_of(category, "group"), *g) == 0 &&
                json_array_size(json_object_get(category, "records")) > 0)
                any = true;
        if (!any)
            WARN("・「%s」沒有任何資料\n", *g);
    }
    static const char *const statements[] = {"O", "P", "Q", NULL};
    for (const char *const *s = statements; *s; s++) {
        char prefix[4];
        snprintf(prefix, sizeof prefix, "%s ", *s);
        const json_t *category = find_category(p->show, prefix);
        bool blank = true;
        size_t i;
        const json_t *record;
        json_array_foreach(category ? json_object_get(category, "records") : NULL, i, record)
            if (text_of(record, "text")[0] || json_array_size(json_object_get(record, "files")))
                blank = false;
        if (blank)
            WARN("・學習歷程自述 %s %s：空白或未提供\n", *s, category_item_name((*s)[0]));
    }
    size_t i, j;
    const json_t *category, *record, *item;
    json_array_foreach(p->list ? json_object_get(p->list, "items") : NULL, i, item) {
        const char *code = text_of(item, "code");
        char prefix[4];
        snprintf(prefix, sizeof prefix, "%s ", code);
        bool supplied = find_category(p->show, prefix) != NULL ||
                        (strcmp(code, "A") == 0 && !p->self_made);
        const char *name = json_object_get(item, "name") ? text_of(item, "name") : category_item_name(code[0]);
        if (!supplied)
            WARN("・本系參採項目 %s %s：未提供\n", code, name ? name : "其他");
    }
    json_array_foreach(json_object_get(p->show, "categories"), i, category)
        json_array_foreach(json_object_get(category, "records"), j, record)
            if (strcmp(text_of(record, "type"), "outcome") == 0 &&
                !json_is_true(json_object_get(record, "certified")))
                WARN("・%s「%s」未經教師認證\n", text_of(category, "category"), text_of(record, "title"));
    /* Attachments this packet cannot show: the reviewer must know before
     * reading that something is missing, and where. */
    size_t k;
    const json_t *file;
    json_array_foreach(json_object_get(p->show, "categories"), i, category)
        json_array_foreach(json_object_get(category, "records"), j, record)
            json_array_foreach(json_object_get(record, "files"), k, file)
                for (size_t n = 0; n < p->pdf_count; n++)
                    if (p->pdfs[n].unreadable && strcmp(p->pdfs[n].sha256, text_of(file, "sha256")) == 0)
                        WARN("・附件無法顯示：%s「%s」（%s）\n", text_of(category, "category"),
                             text_of(file, "name"), p->pdfs[n].reason);
#undef WARN
    if (used && out[used - 1] == '\n')
        out[used - 1] = '\0';
}

static void cover_row(struct layout_doc *doc, const char *label, const char *value)
{
    static const struct layout_style label_style = {.size = 9.5, .bold = true, .color = COLOR_MUTED};
    struct layout_cell cells[2] = {{.text = label, .style = &label_style}, {.text = value}};
    layout_table_row(doc, cells);
}

static void cover_applicant_table(struct layout_doc *doc, const struct packet *p)
{
    const json_t *show = p->show, *student = json_object_get(show, "student");
    static const struct layout_column columns[] = {{.width = 90}, {.fraction = 1}};
    static const struct layout_style table_body = {.size = 10};
    struct layout_table table = {.columns = columns, .column_count = 2, .body_style = &table_body,
                                 .border_width = 0.5, .zebra_fill = 0xF7F7F7};
    char text[512];
    layout_table_begin(doc, &table);
    bool blind = json_is_true(json_object_get(show, "blind"));
    if (blind) {
        /* Blind review (query/blind.c): only the pseudonym identifies. */
        cover_row(doc, "審查代號", text_of(student, "name"));
        cover_row(doc, "應試號碼", text_of(show, "application_no"));
        cover_row(doc, "盲審", "已隱去姓名、身分證字號、學校、性別、出生日期與附件檔名");
        cover_row(doc, "科班", text_of(student, "program"));
    } else {
        cover_row(doc, "姓名", text_of(student, "name"));
        cover_row(doc, "應試號碼", text_of(show, "application_no"));
        cover_row(doc, "身分證字號", text_of(student, "national_id"));
        snprintf(text, sizeof text, "%s（%s）", text_of(student, "school_name"), text_of(student, "school_code"));
        cover_row(doc, "就讀學校", text);
        snprintf(text, sizeof text, "%s　%s班 %lld號", text_of(student, "program"),
                 text_of(student, "class_name"), integer_of(student, "seat_no"));
        cover_row(doc, "科班・班級座號", text);
    }
    snprintf(text, sizeof text, "%lld 學年度入學，%lld 學年度畢業（%s）", integer_of(student, "entry_year"),
             integer_of(student, "graduation_year"), text_of(student, "status"));
    cover_row(doc, "學籍", text);
    snprintf(text, sizeof text, "%s %s（%s）", text_of(show, "university_name"),
             text_of(show, "department_name"), text_of(show, "department"));
    cover_row(doc, "申請校系", text);
    cover_row(doc, "招生管道", text_of(show, "round"));
    cover_row(doc, "資料來源", p->self_made ? "自行上傳PDF（無學習歷程檔案）" : "學習歷程中央資料庫");
    format_time(text_of(show, "submitted_at"), text, sizeof text);
    cover_row(doc, "送出時間", text);
    layout_table_end(doc);
}

/* The applicant's averages: overall (counted rows, credit-weighted) and
 * per domain (graded rows, credit-weighted), as the comparison sheet has
 * them.  Portfolio applicants only: a self-made application is not
 * averaged with them. */
static void cover_averages(struct layout_doc *doc, const struct packet *p)
{
    const json_t *average = json_object_get(p->show, "average");
    const json_t *domains = json_object_get(p->show, "domain_averages");
    if (p->self_made || (!json_is_number(average) && json_array_size(domains) == 0))
        return;
    /* Three domains to a row: name, average. */
    static const struct layout_column columns[] = {
        {.fraction = 1}, {.width = 48}, {.fraction = 1}, {.width = 48}, {.fraction = 1}, {.width = 48},
    };
    static const struct layout_style name_style = {.size = 8.5, .color = COLOR_MUTED};
    struct layout_table table = {.columns = columns, .column_count = 6, .padding = 3};
    char text[128];
    layout_heading(doc, &subheading_style, "學業平均");
    layout_space(doc, 2);
    if (json_is_number(average)) {
        snprintf(text, sizeof text, "總平均 %.2f（採計科目，依學分加權）", json_number_value(average));
        layout_text(doc, &body_style, text);
        layout_space(doc, 2);
    }
    size_t count = json_array_size(domains);
    char names[3][96], values[3][32];
    if (count > 0)
        layout_table_begin(doc, &table);
    for (size_t row = 0; row < count; row += 3) {
        struct layout_cell cells[6] = {{0}};
        for (size_t k = 0; k < 3; k++) {
            const json_t *domain = json_array_get(domains, row + k);
            names[k][0] = values[k][0] = '\0';
            if (domain) {
                snprintf(names[k], sizeof names[k], "%s領域", text_of(domain, "name"));
                snprintf(values[k], sizeof values[k], "%.2f",
                         json_number_value(json_object_get(domain, "average")));
            }
            cells[2 * k] = (struct layout_cell){.text = names[k], .style = &name_style};
            cells[2 * k + 1] = (struct layout_cell){.text = values[k], .style = &cell_right};
        }
        layout_table_row(doc, cells);
    }
    if (count > 0)
        layout_table_end(doc);
    layout_space(doc, 10);
}

static void cover_counts_and_contents(struct layout_doc *doc, const struct packet *p)
{
    static const struct layout_column columns[] = {{.fraction = 1}, {.width = 110}, {.width = 60}};
    static const struct layout_cell header[] = {{.text = "項目"}, {.text = "類別"}, {.text = "筆數"}};
    struct layout_table table = {.columns = columns, .column_count = 3, .header = header,
                                 .zebra_fill = 0xF7F7F7};
    layout_heading(doc, &subheading_style, "資料項目");
    layout_space(doc, 3);
    layout_table_begin(doc, &table);
    size_t i;
    const json_t *category;
    int courses = 0;
    json_array_foreach(json_object_get(p->show, "categories"), i, category)
        if (strcmp(text_of(category, "group"), CATEGORY_GROUP_COURSES) == 0 && !p->self_made)
            courses += (int)json_array_size(json_object_get(category, "records"));
    if (courses > 0) {
        char count_text[16];
        snprintf(count_text, sizeof count_text, "%d", courses);
        struct layout_cell cells[] = {{.text = "A 修課紀錄", .link = "item-A"},
                                      {.text = "修課紀錄"}, {.text = count_text, .style = &cell_right}};
        layout_table_row(doc, cells);
    }
    json_array_foreach(json_object_get(p->show, "categories"), i, category) {
        const char *group = text_of(category, "group");
        if (!is_item_category(category))
            continue; /* 基本資料 is on this page; courses are the A row above */
        const char *name = text_of(category, "category");
        char code[2] = {name[0], '\0'};
        if (p->list && !listed_item(p, code))
            continue; /* the department does not use this item */
        char count_text[16], destination[16];
        snprintf(count_text, sizeof count_text, "%zu", json_array_size(json_object_get(category, "records")));
        snprintf(destination, sizeof destination, "item-%c", name[0]);
        struct layout_cell cells[] = {{.text = name, .link = destination},
                                      {.text = group},
                                      {.text = count_text, .style = &cell_right}};
        layout_table_row(doc, cells);
    }
    layout_table_end(doc);
}

static void cover_cadres(struct layout_doc *doc, const struct packet *p)
{
    const json_t *basic = find_category(p->show, CATEGORY_GROUP_BASIC);
    static const struct layout_column columns[] = {{.fraction = 1}, {.fraction = 1}, {.width = 150}, {.width = 50}};
    static const struct layout_cell header[] = {{.text = "單位"}, {.text = "職稱"}, {.text = "期間"}, {.text = "層級"}};
    struct layout_table table = {.columns = columns, .column_count = 4, .header = header};
    static const char *const levels[] = {"", "校級", "班級", "社團"};
    bool any = false;
    size_t i;
    const json_t *record;
    json_array_foreach(basic ? json_object_get(basic, "records") : NULL, i, record) {
        if (strcmp(text_of(record, "type"), "cadre") != 0)
            continue;
        if (!any) {
            layout_space(doc, 10);
            layout_heading(doc, &subheading_style, "幹部經歷（學校登錄）");
            layout_space(doc, 3);
            layout_table_begin(doc, &table);
            any = true;
        }
        char period[64];
        snprintf(period, sizeof period, "%s ~ %s", text_of(record, "start"), text_of(record, "end"));
        long long level = integer_of(record, "level");
        struct layout_cell cells[] = {{.text = text_of(record, "unit")}, {.text = text_of(record, "title")},
                                      {.text = period}, {.text = level >= 1 && level <= 3 ? levels[level] : ""}};
        layout_table_row(doc, cells);
    }
    if (any)
        layout_table_end(doc);
}

static int cover(struct layout_doc *doc, struct packet *p)
{
    layout_page_labels(doc, "封面-");
    layout_running_item(doc, "封面");
    layout_destination(doc, "cover");
    layout_outline(doc, LAYOUT_OUTLINE_ROOT, "封面", "cover", false);
    layout_text(doc, &title_style, "個人申請　審查資料");
    char line[512];
    snprintf(line, sizeof line, "%s　%s　%s", text_of(p->show, "university_name"),
             text_of(p->show, "department_name"), text_of(p->show, "round"));
    layout_text(doc, &(struct layout_style){.size = 11, .color = COLOR_MUTED}, line);
    layout_space(doc, 10);
    if (p->self_made) {
        layout_notice(doc, &(struct layout_style){.size = 13, .bold = true, .color = COLOR_WARN},
                      "本申請者以「自行上傳PDF」提供審查資料\n"
                      "無教師認證、無時點歷程紀錄；內容由申請者自行製作，請與學習歷程檔案分開審閱。",
                      COLOR_WARN, COLOR_WARN_FILL);
        layout_space(doc, 8);
    }
    cover_applicant_table(doc, p);
    layout_space(doc, 12);
    char warnings[4096];
    completeness_warnings(p, warnings, sizeof warnings);
    if (warnings[0]) {
        layout_heading(doc, &subheading_style, "完整性提醒");
        layout_space(doc, 3);
        layout_notice(doc, &(struct layout_style){.size = 9.5, .color = COLOR_WARN}, warnings,
                      COLOR_WARN, COLOR_WARN_FILL);
        layout_space(doc, 10);
    }
    cover_averages(doc, p);
    cover_counts_and_contents(doc, p);
    cover_cadres(doc, p);
    return 0;
}

/* ---- A 修課紀錄 ----------------------------------------------------------- */

static const char *counted_text(long long counted)
{
    return counted == 1 ? "採計" : counted == 2 ? "不採計" : "不計分";
}

static const char *record_type_text(const char *type)
{
    static const char *const names[][2] = {{"makeup", "補修"}, {"retake", "重修"},
                                           {"reread", "重讀"}, {"transfer", "抵免"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(type, names[i][0]) == 0)
            return names[i][1];
    return NULL;
}

#define COURSE_COLUMNS 10

static const struct layout_column course_columns[COURSE_COLUMNS] = {
    {.width = 38}, {.fraction = 1}, {.width = 26}, {.width = 34}, {.width = 30},
    {.width = 28}, {.width = 34}, {.width = 44}, {.width = 64}, {.width = 48},
};
/* 校排 and PR run opposite ways: each header says which way is better. */
static const struct layout_cell course_header[COURSE_COLUMNS] = {
    {.text = "學年期"}, {.text = "科目名稱"}, {.text = "學分"}, {.text = "成績"}, {.text = "補考"},
    {.text = "及格"}, {.text = "採計"}, {.text = "校排前\n(小者佳)"}, {.text = "校內分布"},
    {.text = "本系PR\n(大者佳)"},
};

static void course_row(struct layout_doc *doc, const json_t *r, struct chart_histogram *histogram)
{
    char term[16], name[512], credits[8], score[16], makeup[16], rank[16], pool[32], cohort_n[24];
    char destination[80];
    snprintf(term, sizeof term, "%lld-%lld", integer_of(r, "year"), integer_of(r, "semester"));
    const char *type = record_type_text(text_of(r, "record_type"));
    snprintf(name, sizeof name, "%s%s%s%s", text_of(r, "name"), type ? "（" : "", type ? type : "",
             type ? "）" : "");
    snprintf(credits, sizeof credits, "%lld", integer_of(r, "credits"));
    if (json_is_true(json_object_get(r, "in_progress")))
        snprintf(score, sizeof score, "修課中");
    else
        format_score(json_object_get(r, "score"), score, sizeof score);
    makeup[0] = '\0';
    if (json_is_number(json_object_get(r, "makeup_score")))
        format_score(json_object_get(r, "makeup_score"), makeup, sizeof makeup);
    const json_t *passed = json_object_get(r, "passed");
    rank[0] = '\0';
    if (json_is_integer(json_object_get(r, "cohort_rank_pct")))
        snprintf(rank, sizeof rank, "前%lld%%", integer_of(r, "cohort_rank_pct"));
    pool[0] = '\0';
    if (json_is_true(json_object_get(r, "pool_too_small")))
        snprintf(pool, sizeof pool, "n過少\n(n=%lld)", integer_of(r, "pool_n"));
    else if (json_is_number(json_object_get(r, "pool_percentile")))
        snprintf(pool, sizeof pool, "%.1f\n(n=%lld)", json_number_value(json_object_get(r, "pool_percentile")),
                 integer_of(r, "pool_n"));
    snprintf(destination, sizeof destination, "plan-%s", text_of(r, "code"));

    const json_t *cohort = json_object_get(r, "cohort_histogram");
    bool has_histogram = json_array_size(cohort) == 10;
    cohort_n[0] = '\0';
    if (has_histogram) {
        for (int b = 0; b < CHART_BINS; b++)
            histogram->counts[b] = (unsigned)json_integer_value(json_array_get(cohort, (size_t)b));
        const json_t *value = json_object_get(r, "score");
        histogram->marked_bin = json_is_number(value) ? chart_bin_of(json_number_value(value)) : -1;
        /* The scale: how many students, and the score axis 0–100. */
        histogram->axis_labels = true;
        snprintf(cohort_n, sizeof cohort_n, "n=%lld", integer_of(r, "cohort_size"));
    }
    struct layout_cell cells[COURSE_COLUMNS] = {
        {.text = term, .style = &cell_center},
        {.text = name, .link = destination},
        {.text = credits, .style = &cell_right},
        {.text = score, .style = &cell_right},
        {.text = makeup, .style = &cell_right},
        {.text = json_is_boolean(passed) ? (json_is_true(passed) ? "是" : "否") : "—",
         .style = &cell_center},
        {.text = counted_text(integer_of(r, "counted")), .style = &cell_center},
        {.text = rank, .style = &cell_center},
        {.text = cohort_n, .style = &cell_tiny, .draw = has_histogram ? chart_draw_mini : NULL,
         .draw_user = histogram, .draw_height = has_histogram ? 20 : 0},
        {.text = pool, .style = &cell_center},
    };
    layout_table_row(doc, cells);
}

static void course_table(struct layout_doc *doc, const json_t *category)
{
    struct layout_table table = {.columns = course_columns, .column_count = COURSE_COLUMNS,
                                 .header = course_header, .zebra_fill = 0xF7F7F7, .padding = 3};
    const json_t *records = json_object_get(category, "records");
    /* Each row's histogram must live until the row is drawn. */
    struct chart_histogram *histograms = calloc(json_array_size(records) + 1, sizeof *histograms);
    layout_table_begin(doc, &table);
    size_t i;
    const json_t *record;
    json_array_foreach(records, i, record)
        course_row(doc, record, &histograms[i]);
    layout_table_end(doc);
    free(histograms);
}

/* Credit-weighted averages per term over counted, graded rows. */
static void semester_averages(struct layout_doc *doc, const json_t *show)
{
    struct term { int year, semester; double weighted, credits; } terms[16];
    int count = 0;
    size_t i, j;
    const json_t *category, *r;
    json_array_foreach(json_object_get(show, "categories"), i, category) {
        if (strcmp(text_of(category, "group"), CATEGORY_GROUP_COURSES) != 0)
            continue;
        json_array_foreach(json_object_get(category, "records"), j, r) {
            if (!json_is_true(json_object_get(r, "graded")) || integer_of(r, "counted") != 1 ||
                integer_of(r, "credits") <= 0)
                continue;
            int year = (int)integer_of(r, "year"), semester = (int)integer_of(r, "semester"), t;
            for (t = 0; t < count && !(terms[t].year == year && terms[t].semester == semester); t++)
                ;
            if (t == count) {
                if (count == 16)
                    continue;
                terms[count++] = (struct term){year, semester, 0, 0};
            }
            terms[t].weighted += json_number_value(json_object_get(r, "score")) * integer_of(r, "credits");
            terms[t].credits += (double)integer_of(r, "credits");
        }
    }
    for (int a = 1; a < count; a++) /* insertion sort by term */
        for (int b = a; b > 0 && terms[b - 1].year * 10 + terms[b - 1].semester >
                                     terms[b].year * 10 + terms[b].semester; b--) {
            struct term swap = terms[b];
            terms[b] = terms[b - 1];
            terms[b - 1] = swap;
        }
    if (count == 0)
        return;
    static const struct layout_column columns[] = {{.fraction = 1}, {.fraction = 1}, {.fraction = 1}};
    static const struct layout_cell header[] = {{.text = "學年期"}, {.text = "採計學分"}, {.text = "學期加權平均"}};
    struct layout_table table = {.columns = columns, .column_count = 3, .header = header};
    layout_space(doc, 10);
    layout_destination(doc, "averages");
    layout_heading(doc, &subheading_style, "學期成績加權平均（採計且已評分之科目，依學分加權）");
    layout_space(doc, 3);
    layout_table_begin(doc, &table);
    for (int t = 0; t < count; t++) {
        char term[16], credits[16], average[16];
        snprintf(term, sizeof term, "%d-%d", terms[t].year, terms[t].semester);
        snprintf(credits, sizeof credits, "%.0f", terms[t].credits);
        snprintf(average, sizeof average, "%.2f", terms[t].weighted / terms[t].credits);
        struct layout_cell cells[] = {{.text = term, .style = &cell_center},
                                      {.text = credits, .style = &cell_center},
                                      {.text = average, .style = &cell_center}};
        layout_table_row(doc, cells);
    }
    layout_table_end(doc);
}

/* The course-plan data (課程計畫), one block per course code, each the
 * destination of that course's name in the tables above. */
static void course_plans(struct layout_doc *doc, const json_t *show, int outline_parent)
{
    layout_new_page(doc);
    layout_destination(doc, "plans");
    layout_outline(doc, outline_parent, "課程計畫資料", "plans", false);
    layout_text(doc, &subheading_style, "課程計畫資料（課程計畫平臺）");
    layout_space(doc, 4);
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    size_t i, j;
    const json_t *category, *r;
    json_array_foreach(json_object_get(show, "categories"), i, category) {
        if (strcmp(text_of(category, "group"), CATEGORY_GROUP_COURSES) != 0)
            continue;
        json_array_foreach(json_object_get(category, "records"), j, r) {
            const char *code = text_of(r, "code");
            if (g_hash_table_contains(seen, code))
                continue;
            g_hash_table_add(seen, (char *)code);
            const json_t *plan = json_object_get(r, "catalog");
            char destination[80], line[1536], list[512] = "", sources[256] = "";
            snprintf(destination, sizeof destination, "plan-%s", code);
            size_t k;
            const json_t *value;
            json_array_foreach(json_object_get(plan, "competencies"), k, value) {
                const char *competency = json_string_value(value);
                const char *named = category_competency_name(competency ? competency : "");
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s%s%s", k ? "、" : "",
                         competency ? competency : "", named ? " " : "", named ? named : "");
            }
            json_array_foreach(json_object_get(plan, "teacher_source"), k, value)
                snprintf(sources + strlen(sources), sizeof sources - strlen(sources), "%s%s",
                         k ? "、" : "", json_string_value(value));
            layout_space(doc, 5);
            layout_destination(doc, destination);
            snprintf(line, sizeof line, "%s　%s", text_of(r, "subject"), code);
            layout_heading(doc, &record_title_style, line);
            snprintf(line, sizeof line, "%s　領域：%s　來源：%s　核心素養：%s　跨領域：%s　授課：%s",
                     text_of(category, "category"), text_of(plan, "domain"), text_of(plan, "origin"),
                     list[0] ? list : "—", json_is_string(json_object_get(plan, "cross_domain"))
                         ? text_of(plan, "cross_domain") : "—", sources[0] ? sources : "—");
            layout_text(doc, &muted_style, line);
            /* The syllabus whole (the contract allows 2,000 characters). */
            const char *syllabus = text_of(plan, "syllabus");
            if (syllabus[0])
                layout_text(doc, &body_style, syllabus);
        }
    }
    g_hash_table_destroy(seen);
}

static void section_courses(struct layout_doc *doc, struct packet *p)
{
    int outline_id;
    begin_section(doc, p, "A", "A 修課紀錄", &outline_id);
    layout_text(doc, &muted_style,
                "校排前：同校修習相同課程代碼者中的排名百分比 floor((名次−1)×100/人數)+1，"
                "數值愈小愈前（1 為最前）。"
                "校內分布：同校同課程 n 人的成績，0–100 分每 10 分一組，深色為申請者所在組。"
                "本系PR：本系申請者同一科目、同一年級學期之成績中的百分等級（同分計一半），"
                "數值愈大愈前（100 為最高）；不足 10 筆時不計百分等級，標示「n過少」。"
                "科目名稱連結至課程計畫資料。");
    size_t i;
    const json_t *category;
    int index = 0;
    json_array_foreach(json_object_get(p->show, "categories"), i, category) {
        if (strcmp(text_of(category, "group"), CATEGORY_GROUP_COURSES) != 0)
            continue;
        char destination[32];
        snprintf(destination, sizeof destination, "course-category-%d", index++);
        layout_space(doc, 8);
        layout_destination(doc, destination);
        layout_outline(doc, outline_id, text_of(category, "category"), destination, false);
        layout_heading(doc, &subheading_style, text_of(category, "category"));
        layout_space(doc, 2);
        course_table(doc, category);
    }
    semester_averages(doc, p->show);
    course_plans(doc, p->show, outline_id);
}

/* ---- B–E, F–M, N–R ----------------------------------------------------- */

static void outcome_record(struct packet *p, struct layout_doc *doc, const json_t *r)
{
    char line[1024], time_text[32];
    layout_text(doc, &record_title_style, text_of(r, "title"));
    snprintf(line, sizeof line, "課程：%s（%s）　%lld 學年度第 %lld 學期", text_of(r, "course_name"),
             text_of(r, "course_code"), integer_of(r, "year"), integer_of(r, "semester"));
    layout_text(doc, &muted_style, line);
    if (json_is_true(json_object_get(r, "certified"))) {
        format_time(text_of(r, "certified_at"), time_text, sizeof time_text);
        snprintf(line, sizeof line, "【教師認證】認證時間 %s", time_text);
        layout_text(doc, &good_style, line);
    } else {
        layout_text(doc, &warn_style, "【未認證】教師未認證此成果來自該課程");
    }
    format_time(text_of(r, "uploaded_at"), time_text, sizeof time_text);
    snprintf(line, sizeof line, "上傳時間 %s", time_text);
    layout_text(doc, &muted_style, line);
    if (text_of(r, "summary")[0]) {
        layout_space(doc, 2);
        layout_text(doc, &body_style, text_of(r, "summary"));
    }
    draw_attachments(p, doc, r);
}

static const char *kind_text(const char *kind)
{
    static const char *const names[][2] = {
        {"cadre", "幹部"}, {"competition", "競賽"}, {"certificate", "檢定證照"},
        {"service", "服務學習"}, {"flexible_learning", "彈性學習"}, {"group_activity", "團體活動"},
        {"workplace", "職場學習"}, {"work", "作品成果"}, {"advanced_course", "大學先修課程"},
        {"other", "其他"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(kind, names[i][0]) == 0)
            return names[i][1];
    return kind;
}

static void performance_record(struct packet *p, struct layout_doc *doc, const json_t *r)
{
    char line[1536], hours[32] = "—", time_text[32];
    layout_text(doc, &record_title_style, text_of(r, "title"));
    /* Marked as B–E are: the export carries no teacher certification for
     * diverse performances, so none is claimed. */
    layout_text(doc, &warn_style, "【未認證】多元表現由學生登錄上傳，無教師認證");
    if (json_is_number(json_object_get(r, "hours")))
        snprintf(hours, sizeof hours, "%g 小時", json_number_value(json_object_get(r, "hours")));
    snprintf(line, sizeof line, "%s　主辦：%s　期間：%s ~ %s　%lld 學年度第 %lld 學期",
             kind_text(text_of(r, "kind")), text_of(r, "organizer")[0] ? text_of(r, "organizer") : "—",
             text_of(r, "start")[0] ? text_of(r, "start") : "—",
             text_of(r, "end")[0] ? text_of(r, "end") : "—", integer_of(r, "year"),
             integer_of(r, "semester"));
    layout_text(doc, &muted_style, line);
    format_time(text_of(r, "uploaded_at"), time_text, sizeof time_text);
    snprintf(line, sizeof line, "層級：%s　獎項：%s　時數：%s　上傳時間 %s",
             text_of(r, "level")[0] ? text_of(r, "level") : "—",
             text_of(r, "award")[0] ? text_of(r, "award") : "—", hours, time_text);
    layout_text(doc, &muted_style, line);
    if (text_of(r, "summary")[0]) {
        layout_space(doc, 2);
        layout_text(doc, &body_style, text_of(r, "summary"));
    }
    size_t i;
    const json_t *link;
    json_array_foreach(json_object_get(r, "links"), i, link) {
        snprintf(line, sizeof line, "連結：%s", json_string_value(link));
        layout_text(doc, &muted_style, line);
    }
    draw_attachments(p, doc, r);
}

static void upload_record(struct packet *p, struct layout_doc *doc, const json_t *r)
{
    layout_text(doc, &record_title_style, text_of(r, "title"));
    const char *text = text_of(r, "text");
    if (text[0]) {
        char count[64];
        /* English is counted in words, as its length is read; other text
         * in characters. */
        if (text_is_mostly_latin(text))
            snprintf(count, sizeof count, "共 %zu 個英文字（words）", text_words(text));
        else
            snprintf(count, sizeof count, "共 %zu 字", text_characters(text, strlen(text)));
        layout_text(doc, &muted_style, count);
        layout_space(doc, 4);
        layout_text(doc, &text_style, text);
    } else if (json_array_size(json_object_get(r, "files")) == 0) {
        layout_notice(doc, &warn_style, "未提供內容", COLOR_WARN, COLOR_WARN_FILL);
    }
    draw_attachments(p, doc, r);
}

static void section_item(struct layout_doc *doc, struct packet *p, const json_t *category)
{
    const char *name = text_of(category, "category");
    char code[2] = {name[0], '\0'};
    int outline_id;
    begin_section(doc, p, code, name, &outline_id);
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(category, "records"), i, r) {
        if (i > 0) {
            layout_space(doc, 8);
            layout_rule(doc, 0.5, 0xBBBBBB);
            layout_space(doc, 6);
        }
        const char *type = text_of(r, "type");
        if (strcmp(type, "outcome") == 0)
            outcome_record(p, doc, r);
        else if (strcmp(type, "performance") == 0)
            performance_record(p, doc, r);
        else
            upload_record(p, doc, r);
    }
}

/* ---- the document ------------------------------------------------------- */

/* A listed item the applicant did not supply: an explicit page entry. */
static void section_missing(struct layout_doc *doc, struct packet *p, const json_t *item)
{
    const char *code = text_of(item, "code");
    const char *name = json_object_get(item, "name") ? text_of(item, "name") : category_item_name(code[0]);
    char title[128];
    snprintf(title, sizeof title, "%s %s", code, name ? name : "其他");
    int outline_id;
    begin_section(doc, p, code, title, &outline_id);
    layout_notice(doc, &(struct layout_style){.size = 13, .bold = true, .color = COLOR_WARN},
                  "未提供\n申請者未提供本項目資料。", COLOR_WARN, COLOR_WARN_FILL);
}

/* With a required-item list: only the listed items, in the list's order. */
/* Whether the packet has an A section of course tables: a portfolio
 * application with course records (a self-made one is reviewed on its
 * uploads only). */
/* True when the application has central course records. */
static bool has_course_records(const struct packet *p)
{
    size_t i;
    const json_t *category;
    json_array_foreach(json_object_get(p->show, "categories"), i, category)
        if (strcmp(text_of(category, "group"), CATEGORY_GROUP_COURSES) == 0 &&
            !is_item_category(category))
            return true;
    return false;
}

/* A 修課紀錄 of a portfolio application. */
static bool has_course_section(const struct packet *p)
{
    return !p->self_made && has_course_records(p);
}

/* The central course records that came with a self-made application: in
 * a section of their own, marked as reference only, with no pool figures
 * (a self-made application is never pooled with portfolio applicants). */
static void section_central_courses(struct layout_doc *doc, struct packet *p)
{
    if (!p->self_made || !has_course_records(p))
        return;
    const char *title = "中央資料庫修課紀錄（參考）";
    layout_new_page(doc);
    layout_page_labels(doc, "參考-");
    layout_running_item(doc, title);
    layout_destination(doc, "central-courses");
    int outline_id = layout_outline(doc, LAYOUT_OUTLINE_ROOT, title, "central-courses", false);
    layout_text(doc, &heading_style, title);
    layout_rule(doc, 1.2, COLOR_HEADING);
    layout_space(doc, 4);
    layout_notice(doc, &(struct layout_style){.size = 9.5, .bold = true, .color = COLOR_WARN},
                  "本申請者以自行上傳PDF申請，以下為中央資料庫隨附的修課紀錄，僅供參考：\n"
                  "不計入本系申請者分布（無本系PR），亦不與學習歷程檔案申請者排序比較。",
                  COLOR_WARN, COLOR_WARN_FILL);
    size_t i;
    const json_t *category;
    int index = 0;
    json_array_foreach(json_object_get(p->show, "categories"), i, category) {
        if (strcmp(text_of(category, "group"), CATEGORY_GROUP_COURSES) != 0 ||
            is_item_category(category))
            continue;
        char destination[40];
        snprintf(destination, sizeof destination, "central-category-%d", index++);
        layout_space(doc, 8);
        layout_destination(doc, destination);
        layout_outline(doc, outline_id, text_of(category, "category"), destination, false);
        layout_heading(doc, &subheading_style, text_of(category, "category"));
        layout_space(doc, 2);
        course_table(doc, category);
    }
}

/* Reviewers' notes (註記), when the content carries them: last, each with
 * who wrote it, whether it is shared, and what it is about. */
static void section_notes(struct layout_doc *doc, struct packet *p)
{
    if (json_array_size(p->notes) == 0)
        return;
    const char *title = "審查註記";
    layout_new_page(doc);
    layout_page_labels(doc, "註記-");
    layout_running_item(doc, title);
    layout_destination(doc, "notes");
    layout_outline(doc, LAYOUT_OUTLINE_ROOT, title, "notes", false);
    layout_text(doc, &heading_style, title);
    layout_rule(doc, 1.2, COLOR_HEADING);
    size_t i;
    const json_t *note;
    json_array_foreach(p->notes, i, note) {
        char line[1024], when[64];
        const char *category = json_string_value(json_object_get(note, "category"));
        const char *record = json_string_value(json_object_get(note, "record"));
        format_time(text_of(note, "updated_at"), when, sizeof when);
        snprintf(line, sizeof line, "%s　%s　%s%s%s　%s",
                 json_is_true(json_object_get(note, "shared")) ? "【共享】" : "【個人】",
                 text_of(note, "author"), category ? category : "整體", record ? "・" : "",
                 record ? record : "", when);
        layout_space(doc, 6);
        layout_heading(doc, &record_title_style, line);
        layout_text(doc, &body_style, text_of(note, "text"));
    }
}

static void listed_sections(struct layout_doc *doc, struct packet *p)
{
    bool has_courses = has_course_section(p);
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(p->list, "items"), i, item) {
        const char *code = text_of(item, "code");
        char prefix[4];
        snprintf(prefix, sizeof prefix, "%s ", code);
        const json_t *category = find_category(p->show, prefix);
        if (strcmp(code, "A") == 0 && has_courses)
            section_courses(doc, p);
        else if (category)
            section_item(doc, p, category);
        else
            section_missing(doc, p, item);
    }
    section_central_courses(doc, p);
}

static int packet_content(struct layout_doc *doc, void *user)
{
    struct packet *p = user;
    cover(doc, p);
    if (p->list) {
        listed_sections(doc, p);
        section_notes(doc, p);
        return 0;
    }
    if (has_course_section(p))
        section_courses(doc, p);
    size_t i;
    const json_t *category;
    json_array_foreach(json_object_get(p->show, "categories"), i, category) {
        /* A self-made application is reviewed on its uploads; course
         * records that came along follow in a section of their own. */
        if (is_item_category(category))
            section_item(doc, p, category);
    }
    section_central_courses(doc, p);
    section_notes(doc, p);
    return 0;
}

/* Sanitises every PDF attachment once, before layout: the content runs
 * twice and must not fork children each time. */
static int prepare_pdfs(struct packet *p)
{
    size_t capacity = 0, i, j, k;
    const json_t *category, *record, *file;
    json_array_foreach(json_object_get(p->show, "categories"), i, category)
        json_array_foreach(json_object_get(category, "records"), j, record)
            capacity += json_array_size(json_object_get(record, "files"));
    p->pdfs = calloc(capacity + 1, sizeof *p->pdfs);
    if (!p->pdfs)
        return -1;
    json_array_foreach(json_object_get(p->show, "categories"), i, category)
        json_array_foreach(json_object_get(category, "records"), j, record)
            json_array_foreach(json_object_get(record, "files"), k, file) {
                const char *sha = text_of(file, "sha256");
                bool seen = strcmp(text_of(file, "media_type"), "application/pdf") != 0;
                for (size_t n = 0; n < p->pdf_count && !seen; n++)
                    seen = strcmp(p->pdfs[n].sha256, sha) == 0;
                if (seen)
                    continue;
                char path[4096];
                struct error err;
                struct prepared_pdf *pdf = &p->pdfs[p->pdf_count];
                p->file_path(sha, "application/pdf", path, sizeof path, p->file_user);
                snprintf(pdf->sha256, sizeof pdf->sha256, "%s", sha);
                enum attach_status status = attach_prepare(path, text_of(file, "name"), NULL, &pdf->file, &err);
                if (!pdf->file)
                    return -1;
                if (status != ATTACH_OK && status != ATTACH_TRUNCATED) {
                    p->attachments_unreadable++;
                    pdf->unreadable = true;
                    snprintf(pdf->reason, sizeof pdf->reason, "%s", err.message);
                }
                p->pdf_count++;
            }
    return 0;
}

static void free_pdfs(struct packet *p)
{
    for (size_t i = 0; i < p->pdf_count; i++)
        attach_free(p->pdfs[i].file);
    free(p->pdfs);
}

int packet_render(const json_t *content, packet_file_path_fn file_path, void *file_user,
                  const char *output_path, struct packet_result *result, struct error *err)
{
    struct packet p = {.file_path = file_path, .file_user = file_user};
    p.show = json_object_get(content, "application");
    p.notes = json_object_get(content, "notes");
    if (!json_is_object(p.show) || !json_is_array(json_object_get(p.show, "categories")))
        return error_set(err, ERROR_INVALID, "packet: the content has no application with categories");
    p.self_made = json_is_true(json_object_get(p.show, "self_made"));
    p.list = json_object_get(content, "requirements");
    if (!json_is_object(p.list))
        p.list = NULL;
    if (prepare_pdfs(&p) != 0) {
        free_pdfs(&p);
        return error_set(err, ERROR_INTERNAL, "out of memory preparing attachments");
    }
    const json_t *student = json_object_get(p.show, "student");
    char date[TIMESTAMP_SIZE], header_left[512], header_right[512], title[512];
    if (timestamp_to_utc(text_of(p.show, "exported_at"), date, NULL) != 0)
        snprintf(date, sizeof date, "2000-01-01T00:00:00Z");
    snprintf(header_left, sizeof header_left, "%s %s %s", text_of(p.show, "university_name"),
             text_of(p.show, "department"), text_of(p.show, "department_name"));
    snprintf(header_right, sizeof header_right, "應試號碼 %s　%s%s%s",
             text_of(p.show, "application_no"), text_of(student, "name"),
             json_object_get(student, "national_id") ? "　" : "", text_of(student, "national_id"));
    snprintf(title, sizeof title, "審查資料 %s %s", text_of(p.show, "id"), text_of(student, "name"));
    struct layout_options options = {
        .paper = LAYOUT_A4_PORTRAIT,
        .date_utc = date,
        .title = title,
        .author = "beishen",
        .subject = text_of(p.show, "round"),
        .header_left = header_left,
        .header_right = header_right,
        .footer_left = text_of(p.show, "round"),
        .band_text = p.self_made ? SELF_MADE_BAND : NULL,
    };
    struct layout_result layout_result = {0};
    int rc = layout_render(output_path, &options, packet_content, &p, &layout_result, err);
    if (result) {
        result->pages = layout_result.pages;
        result->unknown_glyphs = layout_result.unknown_glyphs;
        result->attachments_unreadable = p.attachments_unreadable;
    }
    free_pdfs(&p);
    return rc;
}
