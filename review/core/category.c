/* category — names and order of the review interface's categories. */
#include "core/category.h"

#include <stdio.h>
#include <string.h>

static const struct { char code; const char *name; int rank; } course_types[] = {
    {'1', "部定必修", 1},   {'2', "校訂必修", 2},     {'3', "加深加廣選修", 3},
    {'4', "補強性選修", 4}, {'5', "多元選修", 5},     {'7', "校訂選修", 6},
    {'8', "團體活動時間", 7}, {'9', "彈性學習時間", 8}, {'A', "大學預修課程", 9},
    {'6', "其他", 10},
};

static const char *domain_names[] = {
    "不分", "語文", "數學", "社會", "自然科學", "藝術",
    "綜合活動", "科技", "健康與體育", "全民國防教育",
};

static const struct { char item; const char *name; const char *group; } items[] = {
    {'A', "修課紀錄", "修課紀錄"},
    {'B', "書面報告", "課程學習成果"}, {'C', "實作作品", "課程學習成果"},
    {'D', "自然科學領域探究與實作成果", "課程學習成果"},
    {'E', "社會領域探究活動成果", "課程學習成果"},
    {'F', "高中自主學習計畫與成果", "多元表現"}, {'G', "社團活動經驗", "多元表現"},
    {'H', "擔任幹部經驗", "多元表現"}, {'I', "服務學習經驗", "多元表現"},
    {'J', "競賽表現", "多元表現"}, {'K', "非修課紀錄之成果作品", "多元表現"},
    {'L', "檢定證照", "多元表現"}, {'M', "特殊優良表現證明", "多元表現"},
    {'N', "多元表現綜整心得", "多元表現"},
    {'O', "高中學習歷程反思", "學習歷程自述"}, {'P', "就讀動機", "學習歷程自述"},
    {'Q', "未來學習計畫與生涯規劃", "學習歷程自述"},
    {'R', "其他有利審查資料", "其他"},
};

const char *category_course_type_name(char code)
{
    for (size_t i = 0; i < sizeof course_types / sizeof course_types[0]; i++)
        if (course_types[i].code == code)
            return course_types[i].name;
    return NULL;
}

const char *category_domain_name(const char *domain_code)
{
    if (domain_code[0] == '0' && domain_code[1] >= '0' && domain_code[1] <= '9')
        return domain_names[domain_code[1] - '0'];
    return NULL;
}

/* Length in bytes of the parenthesis character at `p` (ASCII or full
 * width), positive for an opener, negative for a closer, 0 for neither. */
static int parenthesis_at(const char *p)
{
    if (*p == '(')
        return 1;
    if (*p == ')')
        return -1;
    if (strncmp(p, "（", 3) == 0)
        return 3;
    if (strncmp(p, "）", 3) == 0)
        return -3;
    return 0;
}

/* Byte length of the balanced parenthesised part that ends `name`
 * ("(一)", "（實作(一)）"), or 0 when the name does not end in one or
 * consists of nothing else. */
static size_t trailing_parenthesis_length(const char *name, size_t length)
{
    if (length == 0)
        return 0;
    /* Walk back character by character, counting depth. */
    int depth = 0;
    size_t position = length;
    while (position > 0) {
        size_t start = position - 1;
        while (start > 0 && ((unsigned char)name[start] & 0xC0) == 0x80)
            start--;
        int kind = parenthesis_at(name + start);
        if (position == length && kind >= 0)
            return 0; /* the name does not end in a closer */
        if (kind < 0)
            depth++;
        else if (kind > 0 && --depth == 0)
            return start > 0 ? length - start : 0;
        position = start;
    }
    return 0;
}

void category_subject(const char *course_name, char *out, size_t out_size)
{
    size_t length = strlen(course_name);
    length -= trailing_parenthesis_length(course_name, length);
    while (length > 0 && course_name[length - 1] == ' ')
        length--;
    snprintf(out, out_size, "%.*s", (int)length, course_name);
}

int category_of_course(const char *code, const char *name, char *out, size_t out_size)
{
    if (strlen(code) != 23)
        return -1;
    char type = code[16];
    const char *type_name = category_course_type_name(type);
    if (!type_name)
        return -1;
    char domain_code[3] = {code[19], code[20], '\0'};
    const char *domain = category_domain_name(domain_code);
    char subject[CATEGORY_NAME_MAX];

    switch (type) {
    case '1':
    case '2':
        category_subject(name, subject, sizeof subject);
        snprintf(out, out_size, "%s-%s", type_name, subject);
        break;
    case '3': case '4': case '5': case '7':
        if (domain)
            snprintf(out, out_size, "選修-%s-%s領域", type_name, domain);
        else
            snprintf(out, out_size, "選修-%s-領域%s", type_name, domain_code);
        break;
    default:
        snprintf(out, out_size, "%s", type_name);
        break;
    }
    return 0;
}

int category_course_rank(const char *code)
{
    int rank = 99;
    for (size_t i = 0; i < sizeof course_types / sizeof course_types[0]; i++)
        if (strlen(code) == 23 && course_types[i].code == code[16])
            rank = course_types[i].rank;
    return rank;
}

const char *category_item_name(char item)
{
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        if (items[i].item == item)
            return items[i].name;
    return item > 'R' && item <= 'Z' ? "其他" : NULL;
}

const char *category_item_group(char item)
{
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        if (items[i].item == item)
            return items[i].group;
    return item > 'R' && item <= 'Z' ? "其他" : NULL;
}

const char *const category_rubric_levels[CATEGORY_RUBRIC_LEVELS] = {"傑出", "優良", "普通", "待加強", "不佳"};

const char *category_competency_name(const char *code)
{
    static const char *const names[][2] = {
        {"A1", "身心素質與自我精進"}, {"A2", "系統思考與解決問題"}, {"A3", "規劃執行與創新應變"},
        {"B1", "符號運用與溝通表達"}, {"B2", "科技資訊與媒體素養"}, {"B3", "藝術涵養與美感素養"},
        {"C1", "道德實踐與公民意識"}, {"C2", "人際關係與團隊合作"}, {"C3", "多元文化與國際理解"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(code, names[i][0]) == 0)
            return names[i][1];
    return NULL;
}
