/* unit_category — known answers for review/core/category.c against the
 * export contract (docs/export-format.md): §7, the course groups a reviewer
 * switches to, and their order; §11, item letters, their names and groups.
 *
 * Decision documented here: a course name that is nothing but a
 * parenthesised part, e.g. "(一)", keeps it (the subject would otherwise be
 * empty and the category "部定必修-"). */
#include "core/category.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>

/* A 23-character course code: sample prefix, category at position 17,
 * domain at positions 20–21. */
static void make_code(char out[24], char category, const char *domain)
{
    snprintf(out, 24, "111523301H11101A%c11%s01", category, domain);
}

static void check_subject(const char *name, const char *expected)
{
    char out[CATEGORY_NAME_MAX];
    category_subject(name, out, sizeof out);
    CHECK(strcmp(out, expected) == 0, "subject of \"%s\" is \"%s\" (got \"%s\")", name, expected, out);
}

static void check_course(char category, const char *domain, const char *name, const char *expected)
{
    char code[24], out[CATEGORY_NAME_MAX] = "";
    make_code(code, category, domain);
    int rc = category_of_course(code, name, out, sizeof out);
    CHECK(rc == 0 && strcmp(out, expected) == 0, "category of %s \"%s\" is \"%s\" (got %d \"%s\")",
          code, name, expected, rc, out);
}

static void check_rejected(const char *code, const char *why)
{
    char out[CATEGORY_NAME_MAX] = "";
    CHECK(category_of_course(code, "數學(一)", out, sizeof out) == -1, "category_of_course rejects %s", why);
}

static void test_subject(void)
{
    check_subject("數學(一)", "數學");
    check_subject("實務專題（二）", "實務專題");
    check_subject("選修化學-物質與能量(一)", "選修化學-物質與能量");
    check_subject("選修數學甲(二)", "選修數學甲");
    check_subject("選修物理-力學一(一)", "選修物理-力學一");
    /* only one trailing part goes */
    check_subject("A(甲)(一)", "A(甲)");
    check_subject("物理（甲）（一）", "物理（甲）");
    check_subject("(一)(二)", "(一)");
    /* no trailing parenthesis: unchanged */
    check_subject("國語文", "國語文");
    check_subject("第二外國語文-日語", "第二外國語文-日語");
    check_subject("數學(一)補充", "數學(一)補充");
    check_subject("數學)", "數學)");
    check_subject("", "");
    /* the space before the removed part goes with it */
    check_subject("數學 (一)", "數學");
    check_subject("English (I)", "English");
    check_subject("數學()", "數學");
    /* decided: a name that is only a parenthesised part is kept whole */
    check_subject("(一)", "(一)");
    check_subject("（一）", "（一）");
    /* CATEGORY FINDING: the trailing parenthesised part of a name with nested
     * parentheses is the whole "(實作(一))"; category_subject cuts at the
     * innermost opener and leaves the unbalanced "專題(實作". */
    check_subject("專題(實作(一))", "專題");
}

static void test_course_categories(void)
{
    static const char *const domains[] = {"00", "01", "02", "03", "04", "05", "06", "07", "08", "09"};
    static const char *const domain_names[] = {"不分", "語文", "數學", "社會", "自然科學", "藝術",
                                               "綜合活動", "科技", "健康與體育", "全民國防教育"};
    static const struct { char code; const char *name; } electives[] = {
        {'3', "加深加廣選修"}, {'4', "補強性選修"}, {'5', "多元選修"}, {'7', "校訂選修"},
    };
    static const struct { char code; const char *name; } named_only[] = {
        {'8', "團體活動時間"}, {'9', "彈性學習時間"}, {'A', "大學預修課程"}, {'6', "其他"},
    };

    for (size_t d = 0; d < 10; d++) {
        /* categories 1 and 2: the subject, whatever the domain */
        check_course('1', domains[d], "數學(一)", "部定必修-數學");
        check_course('2', domains[d], "實務專題（二）", "校訂必修-實務專題");
        for (size_t e = 0; e < 4; e++) {
            char expected[CATEGORY_NAME_MAX];
            snprintf(expected, sizeof expected, "選修-%s-%s領域", electives[e].name, domain_names[d]);
            check_course(electives[e].code, domains[d], "選修地理(一)", expected);
        }
        for (size_t n = 0; n < 4; n++)
            check_course(named_only[n].code, domains[d], "自主學習", named_only[n].name);
    }
    /* domains with no known name */
    check_course('5', "A1", "程式設計入門", "選修-多元選修-領域A1");
    check_course('3', "A1", "機械原理(一)", "選修-加深加廣選修-領域A1");
    check_course('4', "10", "補強數學", "選修-補強性選修-領域10");
    check_course('7', "0A", "專題", "選修-校訂選修-領域0A");
    check_course('9', "A1", "自主學習", "彈性學習時間");
    check_course('1', "A1", "機械製造(一)", "部定必修-機械製造");
    /* the spec's own examples */
    check_course('5', "03", "在地踏查", "選修-多元選修-社會領域");
    check_course('5', "00", "跨域專題", "選修-多元選修-不分領域");
    check_course('1', "02", "數學(一)", "部定必修-數學");
    check_course('2', "01", "閱讀素養", "校訂必修-閱讀素養");

    char code[24];
    make_code(code, 'B', "01");
    check_rejected(code, "category B");
    make_code(code, '0', "01");
    check_rejected(code, "category 0");
    make_code(code, 'a', "01");
    check_rejected(code, "category a (lowercase)");
    check_rejected("111523301H11101A111010", "a 22-character code");
    check_rejected("111523301H11101A11101011", "a 24-character code");
    check_rejected("", "an empty code");
}

static void test_course_rank(void)
{
    static const char order[] = {'1', '2', '3', '4', '5', '7', '8', '9', 'A', '6'};
    char code[24];
    int previous = 0;
    for (size_t i = 0; i < sizeof order; i++) {
        make_code(code, order[i], "01");
        int rank = category_course_rank(code);
        if (i > 0)
            CHECK(rank > previous, "category %c ranks after %c (%d > %d)", order[i], order[i - 1], rank, previous);
        previous = rank;
    }
    /* the domain does not change the category's rank */
    char other[24];
    make_code(code, '5', "01");
    make_code(other, '5', "A1");
    CHECK(category_course_rank(code) == category_course_rank(other), "rank ignores the domain");
    /* unknown categories and bad codes sort after every known one */
    make_code(code, 'B', "01");
    CHECK(category_course_rank(code) > previous, "unknown category sorts last");
    CHECK(category_course_rank("111523301H11101A111010") > previous, "22-character code sorts last");
    CHECK(category_course_rank("") > previous, "empty code sorts last");
}

static void test_names(void)
{
    static const struct { char code; const char *name; } types[] = {
        {'1', "部定必修"}, {'2', "校訂必修"}, {'3', "加深加廣選修"}, {'4', "補強性選修"},
        {'5', "多元選修"}, {'6', "其他"}, {'7', "校訂選修"}, {'8', "團體活動時間"},
        {'9', "彈性學習時間"}, {'A', "大學預修課程"},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        const char *name = category_course_type_name(types[i].code);
        CHECK(name && strcmp(name, types[i].name) == 0, "course type %c is %s", types[i].code, types[i].name);
    }
    CHECK(category_course_type_name('0') == NULL, "course type 0 is unknown");
    CHECK(category_course_type_name('B') == NULL, "course type B is unknown");
    CHECK(category_course_type_name('a') == NULL, "course type a is unknown");

    static const char *const domains[][2] = {
        {"00", "不分"}, {"01", "語文"}, {"02", "數學"}, {"03", "社會"}, {"04", "自然科學"},
        {"05", "藝術"}, {"06", "綜合活動"}, {"07", "科技"}, {"08", "健康與體育"}, {"09", "全民國防教育"},
    };
    for (size_t i = 0; i < 10; i++) {
        const char *name = category_domain_name(domains[i][0]);
        CHECK(name && strcmp(name, domains[i][1]) == 0, "domain %s is %s", domains[i][0], domains[i][1]);
    }
    CHECK(category_domain_name("10") == NULL, "domain 10 has no name");
    CHECK(category_domain_name("A1") == NULL, "domain A1 has no name");
    CHECK(category_domain_name("0A") == NULL, "domain 0A has no name");
}

static void test_items(void)
{
    static const struct { char item; const char *name, *group; } items[] = {
        {'A', "修課紀錄", "修課紀錄"},
        {'B', "書面報告", "課程學習成果"},
        {'C', "實作作品", "課程學習成果"},
        {'D', "自然科學領域探究與實作成果", "課程學習成果"},
        {'E', "社會領域探究活動成果", "課程學習成果"},
        {'F', "高中自主學習計畫與成果", "多元表現"},
        {'G', "社團活動經驗", "多元表現"},
        {'H', "擔任幹部經驗", "多元表現"},
        {'I', "服務學習經驗", "多元表現"},
        {'J', "競賽表現", "多元表現"},
        {'K', "非修課紀錄之成果作品", "多元表現"},
        {'L', "檢定證照", "多元表現"},
        {'M', "特殊優良表現證明", "多元表現"},
        {'N', "多元表現綜整心得", "多元表現"},
        {'O', "高中學習歷程反思", "學習歷程自述"},
        {'P', "就讀動機", "學習歷程自述"},
        {'Q', "未來學習計畫與生涯規劃", "學習歷程自述"},
        {'R', "其他有利審查資料", "其他"},
        /* later letters: named by the department; "其他" by default */
        {'S', "其他", "其他"},
        {'T', "其他", "其他"},
        {'Z', "其他", "其他"},
    };
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        const char *name = category_item_name(items[i].item);
        const char *group = category_item_group(items[i].item);
        CHECK(name && strcmp(name, items[i].name) == 0, "item %c is named %s (got %s)",
              items[i].item, items[i].name, name ? name : "NULL");
        CHECK(group && strcmp(group, items[i].group) == 0, "item %c is in group %s (got %s)",
              items[i].item, items[i].group, group ? group : "NULL");
    }
    static const char not_items[] = {'a', 's', '@', '[', '1', ' '};
    for (size_t i = 0; i < sizeof not_items; i++)
        CHECK(category_item_name(not_items[i]) == NULL && category_item_group(not_items[i]) == NULL,
              "'%c' is not an item letter", not_items[i]);
}

int main(void)
{
    test_subject();
    test_course_categories();
    test_course_rank();
    test_names();
    test_items();
    return unit_finish();
}
