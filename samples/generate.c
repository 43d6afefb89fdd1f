/*
 * generate — writes a synthetic central portfolio export (學習歷程檔案匯出,
 * format "lp-export" version 1, see docs/export-format.md) for
 * beishen's demos, tests and benchmarks.
 *
 *   generate [--seed N] [--apps N] --out DIR
 *
 * The package is invented but meant to look real to a reviewer: Chinese
 * names, real senior high school names, a 108-curriculum course history over
 * three years with cohort statistics, course outcomes, diverse performances,
 * statements, and real PDF, PNG, JPEG and MP3 attachments.
 *
 * Everything comes from seeded random streams and fixed dates, never from the
 * clock, so the same arguments always give byte-identical output.  The
 * attachments are drawn once from a fixed pool and shared by every
 * application that cites them, so files/ stays small even for a round of ten
 * thousand applications.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <jansson.h>
#include <jpeglib.h>
#include <pango/pangocairo.h>

#define ROUND_NAME      "115學年度大學個人申請入學"
#define EXPORTED_AT     "2026-03-27T09:00:00+08:00"
#define UNIVERSITY_CODE "001"
#define UNIVERSITY_NAME "國立臺灣大學"
#define ENTRY_YEAR      112  /* ROC year the applicants entered senior high */
#define GRADUATION_YEAR 115
#define CURRENT_YEAR    114  /* the school year in progress at export time */
#define PASS_MARK       6000 /* scores are kept in hundredths of a point */
#define FONT_FAMILY     "Noto Sans CJK TC"
/* Fixed PDF dates: cairo would otherwise stamp the current time. */
#define PDF_DATE        "2026-03-01T10:00:00+08:00"
/* Nothing the applicants uploaded is later than this day. */
#define LAST_UPLOAD_DAY days_from_civil(2026, 3, 10)

#define JSON_FLAGS (JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

#define COUNT_OF(array) ((int)(sizeof(array) / sizeof((array)[0])))
#define PICK(rng, array) ((array)[rng_int((rng), 0, COUNT_OF(array) - 1)])

/* ------------------------------------------------------------------------
 * Random numbers
 * ------------------------------------------------------------------------ */

struct rng {
    uint64_t state;
};

/* splitmix64: small, fast, and fixed forever, which GRand does not promise. */
static uint64_t rng_next(struct rng *rng)
{
    uint64_t z = (rng->state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* A stream of its own for one named part of the output ("student 12",
 * "cohort <code> 112 1").  Parts never share a stream, so a change in how
 * much one part draws does not shift all the others, and two applicants of
 * the same school see the same cohort for the same course. */
static struct rng rng_for(uint64_t seed, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static struct rng rng_for(uint64_t seed, const char *format, ...)
{
    char key[256];
    va_list args;
    va_start(args, format);
    vsnprintf(key, sizeof key, format, args);
    va_end(args);

    uint64_t hash = UINT64_C(0xcbf29ce484222325); /* FNV-1a */
    for (const char *p = key; *p; p++)
        hash = (hash ^ (unsigned char)*p) * UINT64_C(0x100000001b3);
    struct rng rng = { hash ^ (seed * UINT64_C(0x9e3779b97f4a7c15)) };
    rng_next(&rng);
    return rng;
}

/* A whole number in [low, high]. */
static int rng_int(struct rng *rng, int low, int high)
{
    return low + (int)(rng_next(rng) % (uint64_t)(high - low + 1));
}

/* A number in [0, 1). */
static double rng_unit(struct rng *rng)
{
    return (double)(rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

static bool rng_chance(struct rng *rng, double probability)
{
    return rng_unit(rng) < probability;
}

/* Standard normal, by Box–Muller. */
static double rng_normal(struct rng *rng)
{
    double u = rng_unit(rng) + 1e-12, v = rng_unit(rng);
    return sqrt(-2.0 * log(u)) * cos(2.0 * G_PI * v);
}

/* Index into weights[] with probability proportional to each weight. */
static int rng_weighted(struct rng *rng, const int *weights, int count)
{
    int total = 0;
    for (int i = 0; i < count; i++)
        total += weights[i];
    int ticket = rng_int(rng, 0, total - 1);
    for (int i = 0; i < count; i++) {
        if (ticket < weights[i])
            return i;
        ticket -= weights[i];
    }
    return count - 1;
}

static void rng_shuffle(struct rng *rng, int *items, int count)
{
    for (int i = count - 1; i > 0; i--) {
        int j = rng_int(rng, 0, i);
        int swap = items[i];
        items[i] = items[j];
        items[j] = swap;
    }
}

static double clamp(double value, double low, double high)
{
    return value < low ? low : value > high ? high : value;
}

/* ------------------------------------------------------------------------
 * Dates.  A day is a count of days since 1970-01-01; the conversions are
 * Howard Hinnant's civil-calendar algorithms.
 * ------------------------------------------------------------------------ */

static long days_from_civil(int year, int month, int day)
{
    year -= month <= 2;
    long era = (year >= 0 ? year : year - 399) / 400;
    long year_of_era = year - era * 400;
    long day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

static void civil_from_days(long days, int *year, int *month, int *day)
{
    days += 719468;
    long era = (days >= 0 ? days : days - 146096) / 146097;
    long day_of_era = days - era * 146097;
    long year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    long day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    long shifted_month = (5 * day_of_year + 2) / 153;
    *day = (int)(day_of_year - (153 * shifted_month + 2) / 5 + 1);
    *month = (int)(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
    *year = (int)(year_of_era + era * 400 + (*month <= 2));
}

/* "YYYY-MM-DD" */
static json_t *json_date(long day)
{
    int year, month, date;
    civil_from_days(day, &year, &month, &date);
    char text[32];
    snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, date);
    return json_string(text);
}

/* RFC 3339 in Taiwan time, e.g. "2026-03-24T17:14:00+08:00". */
static json_t *json_time(long day, int minute_of_day)
{
    int year, month, date;
    civil_from_days(day, &year, &month, &date);
    char text[64];
    snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:00+08:00", year, month, date,
             minute_of_day / 60, minute_of_day % 60);
    return json_string(text);
}

/* Semester 1 of ROC school year Y runs from September of Y+1911 to January,
 * semester 2 from February to June. */
static long semester_first_day(int year, int semester)
{
    return semester == 1 ? days_from_civil(year + 1911, 9, 1) : days_from_civil(year + 1912, 2, 12);
}

static long semester_last_day(int year, int semester)
{
    return semester == 1 ? days_from_civil(year + 1912, 1, 20) : days_from_civil(year + 1912, 6, 30);
}

/* ------------------------------------------------------------------------
 * Text
 * ------------------------------------------------------------------------ */

/* Unicode characters in a UTF-8 string: every byte that does not continue
 * a sequence starts a character. */
static size_t utf8_chars(const char *text)
{
    size_t count = 0;
    for (; *text; text++)
        if (((unsigned char)*text & 0xC0) != 0x80)
            count++;
    return count;
}

static int list_length(const char *const *list)
{
    int count = 0;
    while (list[count])
        count++;
    return count;
}

/* Appends a sentence when the text stays within max_chars characters. */
static bool append_if_fits(GString *text, const char *sentence, size_t max_chars)
{
    if (utf8_chars(text->str) + utf8_chars(sentence) > max_chars)
        return false;
    g_string_append(text, sentence);
    return true;
}

/* Appends `want` sentences of a NULL-terminated pool, chosen at random but
 * kept in the pool's order (the pools are written to be read in order, and
 * the first sentence, which opens the text, is always taken), in paragraphs
 * of `per_paragraph` sentences, within max_chars characters. */
static void append_in_order(GString *text, struct rng *rng, const char *const *pool, int want,
                            int per_paragraph, size_t max_chars)
{
    int size = list_length(pool);
    int written = 0;
    for (int i = 0; i < size && written < want; i++) {
        /* Selection sampling: take item i with probability needed / left. */
        if (i > 0 && rng_int(rng, 0, size - i - 1) >= want - written)
            continue;
        if (written > 0 && written % per_paragraph == 0 && !append_if_fits(text, "\n", max_chars))
            break;
        /* English sentences are separated by a space, Chinese ones are not. */
        bool english = (unsigned char)pool[i][0] < 0x80;
        if (english && text->len > 0 && text->str[text->len - 1] != '\n' && !append_if_fits(text, " ", max_chars))
            break;
        if (!append_if_fits(text, pool[i], max_chars))
            break;
        written++;
    }
}

/* ------------------------------------------------------------------------
 * The university, its departments, and where applicants come from
 * ------------------------------------------------------------------------ */

/* Which department a record, an attachment or an applicant leans to. */
enum leaning { LEAN_ANY, LEAN_CHINESE, LEAN_FOREIGN };

enum { DEPT_CHINESE, DEPT_FOREIGN, DEPT_COUNT };

static const struct department {
    const char *code, *name;
    enum leaning leaning;
} departments[DEPT_COUNT] = {
    [DEPT_CHINESE] = { "001012", "中國文學系", LEAN_CHINESE },
    [DEPT_FOREIGN] = { "001022", "外國語文學系", LEAN_FOREIGN },
};

static const struct city {
    const char *name;
    char id_letter;    /* first letter of national IDs issued there */
    int exam_district; /* first two digits of the exam number */
} cities[] = {
    { "臺北市", 'A', 10 }, { "新北市", 'F', 11 }, { "宜蘭縣", 'G', 12 }, { "桃園市", 'H', 13 },
    { "新竹市", 'O', 14 }, { "臺中市", 'B', 17 }, { "彰化縣", 'N', 18 }, { "嘉義市", 'I', 20 },
    { "臺南市", 'D', 21 }, { "高雄市", 'E', 23 }, { "屏東縣", 'T', 25 }, { "花蓮縣", 'U', 28 },
};

static const struct school {
    const char *code, *name, *city;
    char gender;        /* 'M' boys only, 'F' girls only, 0 mixed */
    int classes;        /* classes per grade, about 36 students each */
    int mean;           /* a typical semester average */
    int decimals;       /* how the school writes scores: 0, 1 or 2 decimals */
    bool full_width;    /* writes （一） rather than (一) in its own course names */
    bool split_science; /* physics and chemistry in one semester, biology and earth science in the next */
    bool group_time;    /* lists 團體活動時間 on transcripts */
} schools[] = {
    { "353301", "臺北市立建國高級中學", "臺北市", 'M', 27, 78, 0, true, false, false },
    { "353302", "臺北市立第一女子高級中學", "臺北市", 'F', 25, 79, 0, true, true, false },
    { "330301", "國立臺灣師範大學附屬高級中學", "臺北市", 0, 24, 77, 1, false, false, true },
    { "343302", "臺北市立中山女子高級中學", "臺北市", 'F', 22, 76, 0, true, false, false },
    { "343301", "臺北市立成功高級中學", "臺北市", 'M', 22, 74, 1, false, true, false },
    { "313302", "臺北市立大直高級中學", "臺北市", 0, 12, 72, 0, true, false, true },
    { "373301", "臺北市立景美女子高級中學", "臺北市", 'F', 15, 73, 0, false, true, false },
    { "383301", "臺北市立萬芳高級中學", "臺北市", 0, 10, 71, 1, true, false, false },
    { "014302", "新北市立板橋高級中學", "新北市", 0, 20, 74, 0, true, false, false },
    { "014357", "新北市立中和高級中學", "新北市", 0, 14, 71, 0, false, true, true },
    { "034319", "桃園市立武陵高級中等學校", "桃園市", 0, 23, 76, 0, true, false, false },
    { "180301", "國立新竹高級中學", "新竹市", 0, 18, 75, 1, true, true, false },
    { "180302", "國立新竹女子高級中學", "新竹市", 'F', 18, 75, 0, false, false, false },
    { "063301", "臺中市立臺中第一高級中等學校", "臺中市", 0, 26, 77, 0, true, false, false },
    { "063302", "臺中市立臺中女子高級中等學校", "臺中市", 'F', 23, 76, 1, true, true, false },
    { "193301", "國立中興大學附屬高級中學", "臺中市", 0, 16, 73, 0, false, false, true },
    { "073301", "國立彰化高級中學", "彰化縣", 'M', 18, 74, 0, true, false, false },
    { "073302", "國立彰化女子高級中學", "彰化縣", 'F', 18, 74, 2, false, true, false },
    { "200301", "國立嘉義女子高級中學", "嘉義市", 'F', 17, 74, 1, true, false, false },
    { "213301", "國立臺南第一高級中學", "臺南市", 0, 22, 76, 0, true, false, false },
    { "213302", "國立臺南女子高級中學", "臺南市", 'F', 20, 76, 0, false, true, false },
    { "523301", "高雄市立高雄高級中學", "高雄市", 0, 24, 76, 0, true, false, false },
    { "523302", "高雄市立高雄女子高級中學", "高雄市", 'F', 24, 76, 1, true, false, false },
    { "580301", "國立高雄師範大學附屬高級中學", "高雄市", 0, 14, 74, 2, false, false, true },
    { "023301", "國立蘭陽女子高級中學", "宜蘭縣", 'F', 12, 73, 0, true, false, false },
    { "153301", "國立花蓮高級中學", "花蓮縣", 0, 12, 72, 1, false, true, false },
    { "133301", "國立屏東女子高級中學", "屏東縣", 'F', 13, 73, 0, true, false, false },
};

static const struct city *city_of(const struct school *school)
{
    for (int i = 0; i < COUNT_OF(cities); i++)
        if (strcmp(cities[i].name, school->city) == 0)
            return &cities[i];
    return &cities[0];
}

/* ------------------------------------------------------------------------
 * Names.  Common surnames appear more than once so they come up more often.
 * ------------------------------------------------------------------------ */

static const char *const surnames[] = {
    "陳", "陳", "陳", "陳", "林", "林", "林", "黃", "黃", "張", "張", "李", "李", "王", "王",
    "吳", "吳", "劉", "劉", "蔡", "蔡", "楊", "楊", "許", "鄭", "謝", "郭", "洪", "曾", "邱",
    "廖", "賴", "周", "徐", "蘇", "葉", "莊", "呂", "江", "何", "蕭", "羅", "高", "簡", "朱",
    "鍾", "施", "游", "詹", "沈", "彭", "胡", "余", "盧", "潘", "顏", "梁", "趙", "柯", "翁",
    "魏", "方", "孫", "戴", "范", "宋", "鄧", "杜", "傅", "侯", "曹", "薛", "丁", "卓", "馬",
    "阮", "董", "唐", "溫", "藍", "蔣", "石", "古", "紀", "姚", "連", "馮", "歐", "程", "湯",
    "田", "康", "姜", "白", "汪", "鄒", "巫", "鐘", "黎", "涂", "龔", "嚴", "韓", "袁", "金",
    "童", "陸", "夏", "柳", "邵", "錢", "倪", "于", "譚", "駱", "熊", "甘", "秦", "毛", "饒",
    "張簡", "歐陽", "范姜",
};

static const char *const male_given[] = {
    "宇", "承", "翰", "柏", "彥", "睿", "哲", "宥", "廷", "恩", "冠", "皓", "昱", "均", "杰",
    "晨", "宸", "軒", "佑", "勳", "品", "聖", "家", "俊", "志", "偉", "宗", "建", "育", "祐",
    "子", "浩", "博", "紹", "維", "凱", "辰", "奕", "叡", "璿", "霖", "澤", "秉", "允", "昊",
};

static const char *const female_given[] = {
    "婷", "涵", "筠", "萱", "瑜", "庭", "芸", "妤", "安", "恩", "琪", "雅", "欣", "瑄", "亭",
    "甯", "昕", "彤", "語", "心", "佳", "怡", "詩", "宜", "韻", "靖", "思", "品", "沛", "芷",
    "以", "若", "樂", "晴", "妍", "采", "嘉", "卉", "蓁", "綺", "薇", "宣", "禹", "羽", "柔",
};

/* Characters outside the Basic Multilingual Plane (CJK Extension B) or in
 * Extension A that the Unihan database records as used in personal names,
 * all with a Taiwan source except 䶮.  They test every reader's handling of
 * 4-byte UTF-8 and of fonts without the glyph. */
static const char *const rare_male_ext_b[] = { "𠮷", "𢖽", "𨓈" };   /* U+20BB7 U+225BD U+284C8 */
static const char *const rare_female_ext_b[] = { "𡝠" };             /* U+21760 */
static const char *const rare_ext_a = "䶮";                          /* U+4DAE */

/* ------------------------------------------------------------------------
 * The course plan of a 普通科 student (108 curriculum)
 * ------------------------------------------------------------------------ */

enum subject_group {
    GROUP_CHINESE, GROUP_ENGLISH, GROUP_MATH, GROUP_SOCIAL, GROUP_SCIENCE, GROUP_ARTS, GROUP_OTHER,
    GROUP_COUNT
};

enum course_id {
    /* 部定必修 */
    COURSE_CHINESE, COURSE_ENGLISH, COURSE_MATH, COURSE_MATH_A, COURSE_MATH_B, COURSE_HISTORY,
    COURSE_GEOGRAPHY, COURSE_CIVICS, COURSE_PHYSICS, COURSE_CHEMISTRY, COURSE_BIOLOGY,
    COURSE_EARTH, COURSE_INQUIRY, COURSE_MUSIC, COURSE_ART, COURSE_ARTS_LIFE, COURSE_LIFE_ED,
    COURSE_CAREER, COURSE_HOME_EC, COURSE_TECH, COURSE_IT, COURSE_HEALTH, COURSE_PE, COURSE_DEFENSE,
    /* 校訂必修 */
    COURSE_PROJECT, COURSE_READING, COURSE_GLOBAL, COURSE_FIELD,
    /* 加深加廣選修 */
    COURSE_LITERATURE, COURSE_TOPIC_READING, COURSE_EXPRESSION, COURSE_ENGLISH_RW,
    COURSE_ENGLISH_LS, COURSE_MATH_ADV_A, COURSE_MATH_ADV_B, COURSE_HISTORY_ADV,
    COURSE_GEOGRAPHY_ADV, COURSE_CIVICS_ADV, COURSE_PHYSICS_ADV, COURSE_CHEMISTRY_ADV,
    COURSE_BIOLOGY_ADV,
    /* 補強性選修 */
    COURSE_MATH_REMEDIAL, COURSE_ENGLISH_REMEDIAL,
    /* 多元選修 */
    COURSE_POETRY, COURSE_JAPANESE, COURSE_FILM_ENGLISH, COURSE_CHANTING, COURSE_MODELING,
    COURSE_PSYCHOLOGY, COURSE_LAW, COURSE_LOCAL_HISTORY, COURSE_ASTRONOMY, COURSE_PHOTOGRAPHY,
    COURSE_DRAMA, COURSE_BOARD_GAMES, COURSE_PROGRAMMING, COURSE_SPORTS_SCIENCE,
    COURSE_SUSTAINABILITY, COURSE_CRITICAL,
    /* 校訂選修, 團體活動時間, 彈性學習時間, 大學預修課程 */
    COURSE_CALLIGRAPHY, COURSE_CLUB, COURSE_SELF_STUDY, COURSE_UNIVERSITY,
    COURSE_COUNT
};

static const struct course_def {
    const char *name;    /* two-semester courses get (一)/(二) appended */
    const char *name_en;
    char category;       /* code position 17 */
    const char *domain;  /* code positions 20–21 */
    const char *subject; /* code positions 22–23 */
    enum subject_group group;
    enum leaning leaning; /* which applicants tend to choose it, for electives */
    const char *content;  /* what the course covers, for the syllabus */
} courses[COURSE_COUNT] = {
    [COURSE_CHINESE] = { "國語文", "Chinese", '1', "01", "01", GROUP_CHINESE, LEAN_ANY,
        "選讀先秦諸子、唐宋古文、古典詩詞與臺灣現當代文學作品，練習摘要、評析與各類文體的寫作。" },
    [COURSE_ENGLISH] = { "英語文", "English", '1', "01", "02", GROUP_ENGLISH, LEAN_ANY,
        "以主題式閱讀與聽說練習為主，選材涵蓋短篇文學、新聞與科普文章，培養英語溝通與思辨能力。" },
    [COURSE_MATH] = { "數學", "Mathematics", '1', "02", "01", GROUP_MATH, LEAN_ANY,
        "涵蓋數與式、多項式函數、直線與圓、數列與級數、排列組合與機率。" },
    [COURSE_MATH_A] = { "數學A", "Mathematics A", '1', "02", "02", GROUP_MATH, LEAN_ANY,
        "涵蓋三角函數、指數與對數、平面向量、空間概念與矩陣，為理工相關學習奠定基礎。" },
    [COURSE_MATH_B] = { "數學B", "Mathematics B", '1', "02", "03", GROUP_MATH, LEAN_ANY,
        "涵蓋三角函數、指數與對數、數據分析與機率統計，著重數學在社會情境中的應用。" },
    [COURSE_HISTORY] = { "歷史", "History", '1', "03", "01", GROUP_SOCIAL, LEAN_ANY,
        "以臺灣史、東亞史與世界史的主題為主軸，練習史料閱讀並比較不同觀點的歷史解釋。" },
    [COURSE_GEOGRAPHY] = { "地理", "Geography", '1', "03", "02", GROUP_SOCIAL, LEAN_ANY,
        "認識地理學的基本概念與方法，探討臺灣與世界的自然環境、人口與區域發展。" },
    [COURSE_CIVICS] = { "公民與社會", "Civics and Society", '1', "03", "03", GROUP_SOCIAL, LEAN_ANY,
        "探討身分認同、民主政治、法律與經濟生活，培養關心公共議題與參與社會的素養。" },
    [COURSE_PHYSICS] = { "物理", "Physics", '1', "04", "01", GROUP_SCIENCE, LEAN_ANY,
        "介紹物體的運動、能量、電與磁及近代物理的基本概念。" },
    [COURSE_CHEMISTRY] = { "化學", "Chemistry", '1', "04", "02", GROUP_SCIENCE, LEAN_ANY,
        "介紹物質的組成、化學反應與能量，以及化學在日常生活中的應用。" },
    [COURSE_BIOLOGY] = { "生物", "Biology", '1', "04", "03", GROUP_SCIENCE, LEAN_ANY,
        "介紹細胞、遺傳、演化與生態系的基本概念，並討論生物多樣性的保育。" },
    [COURSE_EARTH] = { "地球科學", "Earth Science", '1', "04", "04", GROUP_SCIENCE, LEAN_ANY,
        "介紹地球的構造、大氣與海洋、天文觀測，以及臺灣的地質環境與災害。" },
    [COURSE_INQUIRY] = { "自然科學探究與實作", "Integrated Science Inquiry", '1', "04", "05", GROUP_SCIENCE, LEAN_ANY,
        "以跨科主題帶領學生經歷發現問題、規劃與研究、論證與建模、表達與分享的完整探究歷程。" },
    [COURSE_MUSIC] = { "音樂", "Music", '1', "05", "01", GROUP_ARTS, LEAN_ANY,
        "透過欣賞、歌唱與創作活動，認識不同時代與文化的音樂風格。" },
    [COURSE_ART] = { "美術", "Fine Arts", '1', "05", "02", GROUP_ARTS, LEAN_ANY,
        "認識造形原理與媒材技法，並從臺灣與世界藝術作品中練習審美判斷。" },
    [COURSE_ARTS_LIFE] = { "藝術生活", "Arts and Life", '1', "05", "03", GROUP_ARTS, LEAN_ANY,
        "以生活中的設計、影像與表演藝術為題材，進行欣賞與實作。" },
    [COURSE_LIFE_ED] = { "生命教育", "Life Education", '1', "06", "01", GROUP_OTHER, LEAN_ANY,
        "探討人生意義、價值思辨與倫理議題，培養尊重生命與自我反思的態度。" },
    [COURSE_CAREER] = { "生涯規劃", "Career Planning", '1', "06", "02", GROUP_OTHER, LEAN_ANY,
        "透過興趣與性向探索、學群介紹與職涯訪談，協助學生規劃選課與升學方向。" },
    [COURSE_HOME_EC] = { "家政", "Home Economics", '1', "06", "03", GROUP_OTHER, LEAN_ANY,
        "以飲食、衣著與居家生活為主題，培養生活管理與實作能力。" },
    [COURSE_TECH] = { "生活科技", "Living Technology", '1', "07", "01", GROUP_OTHER, LEAN_ANY,
        "以設計與製作為核心，學習工具使用、機構原理與工程設計流程。" },
    [COURSE_IT] = { "資訊科技", "Information Technology", '1', "07", "02", GROUP_OTHER, LEAN_ANY,
        "學習演算法與程式設計基礎、資料處理，並討論資訊社會的倫理與法律議題。" },
    [COURSE_HEALTH] = { "健康與護理", "Health and Nursing", '1', "08", "01", GROUP_OTHER, LEAN_ANY,
        "探討身心健康、疾病預防、急救技能與健康消費等生活議題。" },
    [COURSE_PE] = { "體育", "Physical Education", '1', "08", "02", GROUP_OTHER, LEAN_ANY,
        "透過球類、田徑、游泳與體適能訓練，培養規律運動的習慣與運動家精神。" },
    [COURSE_DEFENSE] = { "全民國防教育", "All-out Defense Education", '1', "09", "01", GROUP_OTHER, LEAN_ANY,
        "認識國際情勢、國家安全與防衛動員，並學習基本的防災與救護技能。" },

    [COURSE_PROJECT] = { "專題研究", "Independent Research", '2', "00", "11", GROUP_OTHER, LEAN_ANY,
        "學生依興趣組成小組，在教師指導下完成一項小型研究，並於期末公開發表。" },
    [COURSE_READING] = { "閱讀素養", "Reading Literacy", '2', "01", "12", GROUP_CHINESE, LEAN_ANY,
        "以跨領域的長篇文本與圖表資料為材料，練習擷取訊息、統整解釋與省思評鑑。" },
    [COURSE_GLOBAL] = { "國際視野", "Global Perspectives", '2', "00", "13", GROUP_OTHER, LEAN_ANY,
        "以全球議題為主軸，結合英文閱讀與小組討論，認識不同文化並練習國際交流。" },
    [COURSE_FIELD] = { "在地踏查", "Local Field Studies", '2', "03", "14", GROUP_SOCIAL, LEAN_ANY,
        "走訪學校所在社區的歷史街區與產業，練習訪談、紀錄與撰寫踏查報告。" },

    [COURSE_LITERATURE] = { "各類文學選讀", "Selected Readings in Literature", '3', "01", "21", GROUP_CHINESE, LEAN_CHINESE,
        "依文類選讀古今詩歌、散文、小說與戲劇作品，比較不同文類的表現手法。" },
    [COURSE_TOPIC_READING] = { "專題閱讀與研究", "Thematic Reading and Research", '3', "01", "22", GROUP_CHINESE, LEAN_CHINESE,
        "學生自訂閱讀主題，進行文獻蒐集、整理與評述，完成一篇專題小論文。" },
    [COURSE_EXPRESSION] = { "語文表達及傳播應用", "Language Expression and Media", '3', "01", "23", GROUP_CHINESE, LEAN_CHINESE,
        "練習口語表達、簡報與新聞寫作，並分析媒體文本的傳播策略。" },
    [COURSE_ENGLISH_RW] = { "英文閱讀與寫作", "English Reading and Writing", '3', "01", "24", GROUP_ENGLISH, LEAN_FOREIGN,
        "精讀英文短篇小說與評論文章，練習段落組織、摘要與議論文寫作。" },
    [COURSE_ENGLISH_LS] = { "英語聽講", "English Listening and Speaking", '3', "01", "25", GROUP_ENGLISH, LEAN_FOREIGN,
        "以演講、訪談與影片為素材，練習聽力理解、口頭報告與即席回應。" },
    [COURSE_MATH_ADV_A] = { "選修數學甲", "Advanced Mathematics A", '3', "02", "21", GROUP_MATH, LEAN_ANY,
        "涵蓋極限、微分、積分與其應用，以及複數與空間中的向量。" },
    [COURSE_MATH_ADV_B] = { "選修數學乙", "Advanced Mathematics B", '3', "02", "22", GROUP_MATH, LEAN_ANY,
        "涵蓋機率分布、統計推論與線性規劃，並介紹微積分的基本概念。" },
    [COURSE_HISTORY_ADV] = { "選修歷史", "Advanced History", '3', "03", "21", GROUP_SOCIAL, LEAN_ANY,
        "以歷史學探究為主軸，練習提出問題、分析史料並撰寫歷史小論文。" },
    [COURSE_GEOGRAPHY_ADV] = { "選修地理", "Advanced Geography", '3', "03", "22", GROUP_SOCIAL, LEAN_ANY,
        "探討空間資訊科技與社會環境議題，練習地圖判讀與區域分析。" },
    [COURSE_CIVICS_ADV] = { "選修公民與社會", "Advanced Civics and Society", '3', "03", "23", GROUP_SOCIAL, LEAN_ANY,
        "深入探討民主政治、法律與經濟議題，練習議題分析與公共論述。" },
    [COURSE_PHYSICS_ADV] = { "選修物理", "Advanced Physics", '3', "04", "21", GROUP_SCIENCE, LEAN_ANY,
        "涵蓋力學、熱學、波動與電磁學，著重數學推導與實驗驗證。" },
    [COURSE_CHEMISTRY_ADV] = { "選修化學", "Advanced Chemistry", '3', "04", "22", GROUP_SCIENCE, LEAN_ANY,
        "涵蓋物質構造、化學平衡、酸鹼與氧化還原反應，以及有機化學。" },
    [COURSE_BIOLOGY_ADV] = { "選修生物", "Advanced Biology", '3', "04", "23", GROUP_SCIENCE, LEAN_ANY,
        "涵蓋細胞與分子生物學、動植物生理與遺傳學的進階內容。" },

    [COURSE_MATH_REMEDIAL] = { "數學補強", "Remedial Mathematics", '4', "02", "41", GROUP_MATH, LEAN_ANY,
        "針對學習落後的單元重新講解並分層練習，協助學生補足基本能力。" },
    [COURSE_ENGLISH_REMEDIAL] = { "英語文補強", "Remedial English", '4', "01", "41", GROUP_ENGLISH, LEAN_ANY,
        "加強基礎字彙、文法與閱讀策略，搭配個別化的練習與回饋。" },

    [COURSE_POETRY] = { "新詩創作", "Modern Poetry Writing", '5', "01", "31", GROUP_CHINESE, LEAN_CHINESE,
        "閱讀臺灣現代詩人的作品，練習意象經營與分行技巧，期末編成班級詩集。" },
    [COURSE_JAPANESE] = { "日語入門", "Introductory Japanese", '5', "01", "32", GROUP_ENGLISH, LEAN_FOREIGN,
        "學習五十音、基本文法與生活會話，並認識日本的文化與節慶。" },
    [COURSE_FILM_ENGLISH] = { "影視英文", "English through Film", '5', "01", "33", GROUP_ENGLISH, LEAN_FOREIGN,
        "透過電影片段學習道地的英語表達，並分析影像敘事與文化背景。" },
    [COURSE_CHANTING] = { "古典詩詞吟唱", "Chanting Classical Poetry", '5', "01", "34", GROUP_CHINESE, LEAN_CHINESE,
        "認識詩詞格律與平仄，學習傳統吟唱調並嘗試為詩詞譜寫新曲。" },
    [COURSE_MODELING] = { "數學建模", "Mathematical Modeling", '5', "02", "31", GROUP_MATH, LEAN_ANY,
        "以真實情境的問題為起點，練習建立數學模型並以試算表驗證。" },
    [COURSE_PSYCHOLOGY] = { "心理學概論", "Introduction to Psychology", '5', "03", "31", GROUP_SOCIAL, LEAN_ANY,
        "介紹知覺、學習、記憶與人格等心理學主題，並設計簡單的問卷研究。" },
    [COURSE_LAW] = { "法律與生活", "Law in Everyday Life", '5', "03", "32", GROUP_SOCIAL, LEAN_ANY,
        "以租屋、打工、網路言論等生活案例認識法律，並進行模擬法庭。" },
    [COURSE_LOCAL_HISTORY] = { "臺灣文史踏查", "Taiwanese Local History", '5', "03", "33", GROUP_SOCIAL, LEAN_CHINESE,
        "走訪古蹟與老街，閱讀地方文獻與文學作品，完成文史踏查報告。" },
    [COURSE_ASTRONOMY] = { "天文觀測", "Astronomical Observation", '5', "04", "31", GROUP_SCIENCE, LEAN_ANY,
        "學習星圖判讀與望遠鏡操作，並實際進行夜間觀測與紀錄。" },
    [COURSE_PHOTOGRAPHY] = { "影像美學", "Photography and Visual Aesthetics", '5', "05", "31", GROUP_ARTS, LEAN_ANY,
        "學習構圖、光線與色彩的原理，以攝影作品記錄校園與社區。" },
    [COURSE_DRAMA] = { "戲劇表演", "Drama and Performance", '5', "05", "32", GROUP_ARTS, LEAN_FOREIGN,
        "透過肢體開發、即興與劇本分析，分組完成一齣短劇的公開演出。" },
    [COURSE_BOARD_GAMES] = { "桌遊設計", "Board Game Design", '5', "06", "31", GROUP_OTHER, LEAN_ANY,
        "分析桌遊的規則與機制，分組設計一款以在地文化為題的桌遊。" },
    [COURSE_PROGRAMMING] = { "程式設計入門", "Introduction to Programming", '5', "07", "31", GROUP_OTHER, LEAN_ANY,
        "以 Python 學習變數、條件、迴圈與函式，完成小型的資料處理專題。" },
    [COURSE_SPORTS_SCIENCE] = { "運動科學", "Sports Science", '5', "08", "31", GROUP_OTHER, LEAN_ANY,
        "認識運動生理與運動傷害防護，並以穿戴裝置記錄與分析訓練數據。" },
    [COURSE_SUSTAINABILITY] = { "永續發展與社會創新", "Sustainability and Social Innovation", '5', "00", "31", GROUP_OTHER, LEAN_ANY,
        "以聯合國永續發展目標為架構，分組提出改善校園或社區問題的行動方案。" },
    [COURSE_CRITICAL] = { "思辨與表達", "Critical Thinking and Expression", '5', "00", "32", GROUP_CHINESE, LEAN_CHINESE,
        "練習辨識論證結構與常見謬誤，並透過辯論與評論寫作表達立場。" },

    [COURSE_CALLIGRAPHY] = { "書法與篆刻", "Calligraphy and Seal Carving", '7', "05", "71", GROUP_ARTS, LEAN_CHINESE,
        "臨摹楷書與行書名帖，認識篆刻的章法與刀法，完成個人印章一方。" },
    [COURSE_CLUB] = { "社團活動", "Club Activities", '8', "00", "81", GROUP_OTHER, LEAN_ANY,
        "學生依興趣參加社團，每週固定時段進行社課，學期末舉辦成果發表。" },
    [COURSE_SELF_STUDY] = { "自主學習", "Self-directed Learning", '9', "00", "91", GROUP_OTHER, LEAN_ANY,
        "學生自訂主題並撰寫計畫，於彈性學習時間執行，學期末公開發表成果。" },
    [COURSE_UNIVERSITY] = { "文學概論（大學預修）", "Introduction to Literature (university preparatory)", 'A', "01", "01",
        GROUP_CHINESE, LEAN_CHINESE,
        "由大學教師開設，介紹文學的本質、文類與批評方法，修畢可申請大學學分抵免。" },
};

static const char *const domain_names[] = {
    "不分", "語文", "數學", "社會", "自然科學", "藝術", "綜合活動", "科技", "健康與體育", "全民國防教育",
};

/* Diverse electives on offer; each student takes a few. */
static const enum course_id diverse_electives[] = {
    COURSE_POETRY, COURSE_JAPANESE, COURSE_FILM_ENGLISH, COURSE_CHANTING, COURSE_MODELING,
    COURSE_PSYCHOLOGY, COURSE_LAW, COURSE_LOCAL_HISTORY, COURSE_ASTRONOMY, COURSE_PHOTOGRAPHY,
    COURSE_DRAMA, COURSE_BOARD_GAMES, COURSE_PROGRAMMING, COURSE_SPORTS_SCIENCE,
    COURSE_SUSTAINABILITY, COURSE_CRITICAL,
};

static const char *const teacher_remarks[] = {
    "學習態度積極，課堂參與度高。",
    "作業完整，書面報告條理清晰。",
    "口語表達流暢，能主動提問並回應同學。",
    "小組合作時能擔任協調角色，帶動討論。",
    "寫作能力突出，作品曾刊登於校刊。",
    "實作細心，紀錄完整，能反思改進。",
    "閱讀廣泛，能連結課堂內容與課外讀物。",
    "期末專題表現優異，獲選為班級代表發表。",
};

/* ------------------------------------------------------------------------
 * School cadres (幹部) on the school's records
 * ------------------------------------------------------------------------ */

static const char *const class_cadre_titles[] = {
    "班長", "副班長", "學藝股長", "風紀股長", "總務股長", "衛生股長", "康樂股長", "輔導股長", "資訊股長",
};
static const char *const clubs[] = {
    "文學社", "校刊社", "辯論社", "英語話劇社", "吉他社", "國樂社", "模擬聯合國社", "詩社", "攝影社", "熱音社",
};
static const char *const club_cadre_titles[] = { "社長", "副社長", "文書", "公關", "教學" };
static const struct {
    const char *unit, *title;
} school_cadres[] = {
    { "班聯會", "會長" }, { "班聯會", "副會長" }, { "班聯會", "文書部長" }, { "學生會", "秘書長" },
    { "畢業紀念冊編輯委員會", "總編輯" }, { "畢業紀念冊編輯委員會", "美術編輯" },
};

/* ------------------------------------------------------------------------
 * Review items (校系參採項目)
 * ------------------------------------------------------------------------ */

/* The name of a review item; a department may name its own items from R on. */
static const char *item_name(char item, int department)
{
    if (item == 'R' && department == DEPT_FOREIGN)
        return "英文自傳";
    static const char *const names[] = {
        "修課紀錄", "書面報告", "實作作品", "自然科學領域探究與實作成果", "社會領域探究活動成果",
        "高中自主學習計畫與成果", "社團活動經驗", "擔任幹部經驗", "服務學習經驗", "競賽表現",
        "非修課紀錄之成果作品", "檢定證照", "特殊優良表現證明", "多元表現綜整心得", "高中學習歷程反思",
        "就讀動機", "未來學習計畫與生涯規劃", "其他有利審查資料",
    };
    return names[item - 'A'];
}

/* ------------------------------------------------------------------------
 * Statements.  Each pool is written to be read in order; an applicant's
 * text is an ordered selection of it (append_in_order).
 * ------------------------------------------------------------------------ */

static const char *const reflection_sentences[] = {
    "高一剛入學時，我習慣把課本讀熟就覺得足夠，直到第一次分組報告被老師追問資料來源，才發現自己只會整理、不會提問。",
    "在國語文課的專題寫作中，我第一次完整經歷找題目、讀文獻、寫初稿、被退回再修改的過程，也學會為每一段引文標註出處。",
    "探究與實作課要求我們從生活中提出問題，我們這組的題目改了三次，過程雖然挫折，卻讓我理解研究問題必須聚焦。",
    "數學一直不是我的強項，但我固定在放學後到圖書館整理錯題，高二下學期的成績終於回到班上平均以上。",
    "高二的自主學習計畫讓我必須自己安排進度，前兩個月進度嚴重落後，後來改用每週檢核表，才把計畫拉回正軌。",
    "擔任社團幹部期間，我需要協調十幾位社員的時間，這讓我明白好的溝通不是說服別人，而是先聽懂彼此的難處。",
    "在服務學習中陪伴國小學童閱讀，我發現要把一個簡單的故事講清楚並不容易，這讓我更重視表達的精準。",
    "我也曾因為同時參加比賽與準備段考而身心俱疲，這段經驗讓我學會排定優先順序，並適時向師長求助。",
    "閱讀課外書籍是我調整步調的方式，從小說到歷史普及讀物，閱讀讓我在忙碌中保有思考的空間。",
    "每次完成學習成果後，我都會寫下一段反思，記錄哪裡做得好、哪裡可以更好，這些紀錄也成為我撰寫這份自述的基礎。",
    "高三面對學測壓力時，我仍保留每週一次的寫作練習，因為那是我確認自己真正喜歡什麼的方式。",
    "回顧三年，我最大的改變是從被動接受答案，轉為主動追問為什麼，並願意把不成熟的想法拿出來和同學討論。",
    NULL,
};

static const char *const motivation_chinese_sentences[] = {
    "我對中文系的嚮往，始於國中時讀到蘇軾〈定風波〉中「一蓑煙雨任平生」的豁達，那是我第一次感受到文字能安頓人心。",
    "高中三年，我在國語文與各類文學選讀課程中接觸了從《詩經》到臺灣現代文學的作品，越讀越想理解文本背後的時代與思想。",
    "撰寫書面報告時，我發現自己最享受的是在文本細節中尋找線索，再把零散的觀察整理成有條理的論述。",
    "參與文學社與校刊編輯的經驗，讓我了解文學不只存在於書頁之中，也存在於與讀者的對話裡。",
    "國立臺灣大學中國文學系在古典文獻、思想與現代文學三方面都有完整的課程，也重視文字、聲韻、訓詁等基礎訓練，正是我想紮穩根基的地方。",
    "我也期待修習系上的現代文學與文學理論課程，學習用不同的理論視角重新閱讀熟悉的作品。",
    "我相信中文系的訓練能讓我更精準地理解與表達，而這正是任何領域都需要的能力。",
    "對我而言，就讀中文系不是逃避數理的選擇，而是經過三年探索後，最確定想投入的方向。",
    NULL,
};

static const char *const motivation_foreign_sentences[] = {
    "我對外國語文學系的興趣，來自高一英文課讀到 Robert Frost 的一首短詩，短短幾行卻讓我反覆思考選擇與遺憾。",
    "高中期間，我修習英文閱讀與寫作及英語聽講等課程，也在影視英文課中發現語言背後的文化差異。",
    "翻譯《小王子》片段的自主學習經驗，讓我體會到譯者必須在忠實與流暢之間不斷取捨，這正是語言最迷人的地方。",
    "參與英語話劇社公演時，我負責劇本改編，這段經驗讓我明白理解一部作品，需要同時掌握語言、角色與觀眾。",
    "國立臺灣大學外國語文學系兼重文學、語言學與文化研究，並開設多種第二外語課程，能讓我從英美文學出發，延伸到更廣的世界文學。",
    "我特別期待系上的英詩選讀與戲劇課程，希望能把文本轉化為舞台上的聲音與動作。",
    "除了英文，我也自學日文並通過初級檢定，希望在大學期間進一步學習第二外語，拓展閱讀的範圍。",
    "我相信外語能力不只是工具，更是理解他人處境的一扇窗，而外文系的訓練能讓我把這扇窗開得更大。",
    NULL,
};

/* 外國語文學系 also accepts a motivation in English, and asks for an English
 * autobiography as its own item R (英文自傳). */
static const char *const motivation_english_sentences[] = {
    "I want to study in the Department of Foreign Languages and Literatures because reading in English has changed the way I see my own language.",
    "Courses such as English Reading and Writing showed me that a novel can be read as history, as psychology and as art.",
    "Writing a term paper on The Great Gatsby taught me to support every claim with evidence from the text.",
    "The department's courses in poetry, drama and translation match the interests I have followed since my first year of senior high school.",
    "I also look forward to learning a second foreign language, so that I can read more of the world's literature in the original.",
    "I believe the training of this department will make me a more careful reader, a clearer writer and a more open-minded person.",
    NULL,
};

static const char *const autobiography_sentences[] = {
    "I grew up in a small apartment above my grandparents' noodle shop, where the radio was always on and customers argued about the news in three languages.",
    "My grandmother spoke Taiwanese, my parents spoke Mandarin, and the English I first loved came from picture books my aunt mailed from abroad.",
    "In junior high school I began keeping a notebook of English words I liked for their sound, such as lantern, meadow and whisper.",
    "At senior high school I joined the English drama club, and a small part in A Midsummer Night's Dream taught me that one line of Shakespeare can be funny, sad and beautiful at once.",
    "Translating short poems for my self-directed learning project showed me how much is lost, and sometimes found, when words cross from one language to another.",
    "Volunteering as a reading buddy for elementary school children reminded me that language is, above all, a way to make someone feel understood.",
    "I am not always confident when I speak, but I have learned to prepare carefully, listen closely and try again.",
    "I hope to study literature and linguistics at National Taiwan University, and one day to translate Taiwanese stories for readers around the world.",
    NULL,
};

static const char *const plan_chinese_sentences[] = {
    "大一時，我會先修好文字學、詩選與中國文學史等基礎課程，補足自己在古典文獻閱讀上的不足。",
    "課餘時間，我計畫參加系上的讀書會，培養長時間閱讀與討論的習慣。",
    "大二、大三時，我希望依興趣選修現代文學與文學理論的進階課程，並嘗試參與老師的研究計畫，學習撰寫學術論文。",
    "我對出版產業也有興趣，希望能到出版社或文學雜誌實習，了解一本書從企劃到上市的過程。",
    "課外方面，我希望延續高中時的服務經驗，參與偏鄉課輔或閱讀推廣的志工活動。",
    "畢業後，我考慮繼續攻讀研究所，專注於臺灣現代文學研究，或投入國語文教育，成為能引導學生閱讀的老師。",
    "在大學四年中，我會定期檢視自己的學習目標，讓規劃成為前進的地圖而不是束縛。",
    NULL,
};

static const char *const plan_foreign_sentences[] = {
    "大一時，我會加強英文寫作與口語表達，打好文學導讀與語言學概論的基礎。",
    "同時我會開始修習第二外語，希望在畢業前達到日文中級程度。",
    "大二、大三時，我希望選修英詩、戲劇與翻譯相關課程，並累積實際的筆譯作品。",
    "我也計畫申請交換學生，到英語系國家生活一學期，親身體驗語言與文化的差異。",
    "課外方面，我希望參與系上的戲劇公演與國際志工活動，把所學帶到課堂之外。",
    "畢業後，我希望朝文學翻譯或國際文化交流的方向發展，讓更多臺灣的作品被世界看見。",
    "在大學四年中，我會定期檢視自己的學習目標，讓規劃成為前進的地圖而不是束縛。",
    NULL,
};

/* Building blocks of 多元表現綜整心得; {t} is a performance title. */
static const char *const summary_openings[] = {
    "高中三年的多元表現，大致可以分為社團、競賽與服務學習三個面向，每一段經驗都讓我更認識自己。",
    "回顧高中的課外經驗，我最大的收穫是學會把興趣轉化為具體的行動，並在過程中與他人合作。",
    "我的多元表現圍繞著閱讀、寫作與語言，這些經驗彼此串連，逐漸勾勒出我想走的方向。",
};
static const char *const summary_links[] = {
    "在「{t}」中，我學會把想法落實為具體的行動，也體會到團隊分工的重要。",
    "「{t}」的經驗讓我面對挫折時不再急著放棄，而是先分析問題出在哪裡。",
    "透過「{t}」，我發現自己真正在意的是與人分享閱讀與寫作的樂趣。",
    "參與「{t}」時，我必須在有限的時間內完成任務，這讓我更懂得規劃與取捨。",
    "「{t}」讓我走出教室，看見課本以外的世界，也讓我重新思考學習的意義。",
};
static const char *const summary_closings[] = {
    "這些經驗彼此串連，讓我確認自己想在大學繼續探索語言與文學。",
    "回頭看這些紀錄，我最珍惜的不是獎項本身，而是每一次準備過程中的成長。",
    "我期待在大學裡延續這些經驗，把熱情轉化為更紮實的專業能力。",
};

/* ------------------------------------------------------------------------
 * The attachment pool.  Each file is drawn once, and every application that
 * cites it shares the same bytes.
 * ------------------------------------------------------------------------ */

enum file_kind { KIND_PDF, KIND_PNG, KIND_JPEG, KIND_MP3 };

enum design {
    DESIGN_REPORT, DESIGN_ENGLISH_REPORT, DESIGN_STATEMENT, DESIGN_ENGLISH_STATEMENT, DESIGN_CERTIFICATE,
    DESIGN_TRANSCRIPT,
    DESIGN_POEMS, DESIGN_PORTFOLIO, DESIGN_BAR_CHART, DESIGN_LINE_CHART, DESIGN_POSTER,
    DESIGN_MIND_MAP, DESIGN_BEACH, DESIGN_STAGE, DESIGN_AWARD, DESIGN_STREET, DESIGN_CLASSROOM,
    DESIGN_AUDIO,
};

enum attachment_id {
    FILE_REDMANSION, FILE_MOON, FILE_GATSBY, FILE_DADAOCHENG, FILE_STOMATA, FILE_SCRIPT,
    FILE_SELF_STUDY_TAIWAN, FILE_POEMS, FILE_CLUB_REPORT, FILE_REFLECTION, FILE_MOTIVATION_CHINESE,
    FILE_MOTIVATION_FOREIGN, FILE_PLAN_CHINESE, FILE_PLAN_FOREIGN, FILE_PORTFOLIO, FILE_AUTOBIOGRAPHY,
    FILE_TRANSCRIPT,
    FILE_CERT_COMPETITION, FILE_CERT_SERVICE, FILE_CERT_GEPT, FILE_SOCIAL_MEDIA_CHART, FILE_STOMATA_CHART,
    FILE_CLUB_POSTER, FILE_DRAMA_POSTER, FILE_REDMANSION_MAP, FILE_READING_CHART, FILE_BEACH_PHOTO,
    FILE_STAGE_PHOTO, FILE_AWARD_PHOTO, FILE_STREET_PHOTO, FILE_TUTORING_PHOTO, FILE_PODCAST,
    FILE_POETRY_READING,
    FILE_COUNT,
    FILE_NONE = -1
};

struct attachment_spec {
    enum file_kind kind;
    enum design design;
    const char *items;       /* review items it can be attached to */
    enum leaning leaning;
    const char *file_name;   /* what an applicant would call it, without extension */
    const char *title;
    const char *subtitle;
    int pages;               /* PDF pages, or seconds of audio */
    const char *const *body; /* NULL-terminated: sentences, lines or chart labels */
    const int *values;       /* chart values, one per label */
    enum attachment_id figure; /* a picture of the pool shown on the last page */
};

static const char *const report_headings[] = {
    "一、研究動機與目的", "二、研究方法", "三、分析與發現", "四、結論與反思",
};
static const char *const english_headings[] = {
    "1. Introduction", "2. The Green Light", "3. The Valley of Ashes", "4. Conclusion",
};
/* Shared closing sentences that pad a report section to a natural length. */
static const char *const report_fillers[] = {
    "以上觀察仍有不足之處，未來若有更多時間，希望能擴大資料範圍再做比較。",
    "在這個階段，我和指導老師討論了三次，逐步修正論點的架構。",
    "為了避免只憑印象下結論，我把每一項觀察都對照原始資料再確認一次。",
    "這一部分的整理花了最多時間，卻也是我收穫最多的地方。",
};

static const char *const body_redmansion[] = {
    "《紅樓夢》描寫的飲食多達數百種，從茄鯗、蓮葉羹到螃蟹宴，每一道菜都不只是食物，更是人物身分與家族興衰的縮影。",
    "本報告以第四十一回劉姥姥品嘗茄鯗的情節為起點，整理書中主要的飲食場景，分析作者如何以飲食描寫呈現賈府的排場。",
    "研究方法以文本細讀為主，並參考紅學研究者對清代飲食文化的考證。",
    "我將書中的飲食場景依場合分為家宴、節慶與日常三類，逐一記錄菜名、食材與在場人物。",
    "家宴場景的菜餚往往工序繁複、用料珍貴，一道茄鯗需要十幾隻雞來配，凸顯貴族生活的奢華。",
    "相較之下，第七十五回中秋夜宴的冷清與菜色的簡省，暗示賈府經濟已經衰敗，飲食成為盛衰轉折的伏筆。",
    "透過這次報告，我理解到小說中的細節描寫往往承載作者的深意，閱讀時不能只追求情節。",
    "未來我希望延伸探討服飾與居室陳設在《紅樓夢》中的象徵意義，進一步理解曹雪芹如何以物寫人。",
    NULL,
};
static const char *const body_moon[] = {
    "月亮是唐詩中最常見的意象之一，李白與杜甫都留下許多詠月的名篇。",
    "本報告比較兩位詩人筆下的月亮，探討相同的意象如何承載不同的生命情懷。",
    "我從《唐詩三百首》中挑出兩人與月亮相關的作品共十四首，依寫作時間與主題分類。",
    "再逐首標記月亮出現的位置、搭配的景物與詩人當時的處境。",
    "李白的月亮多半是浪漫而親近的，〈月下獨酌〉中舉杯邀月，月亮成為排遣孤獨的知己。",
    "杜甫的月亮則常與離亂和思鄉相連，〈月夜〉以妻子望月的想像，寫出戰亂中一家人的牽掛。",
    "同樣一輪明月，在李白筆下是自由的象徵，在杜甫筆下卻是亂世的見證。",
    "這讓我體會到意象的意義並非固定，而是由詩人的生命經驗賦予。",
    NULL,
};
static const char *const body_gatsby[] = {
    "F. Scott Fitzgerald's The Great Gatsby tells the story of a dream that cannot be reached.",
    "This report looks at how three symbols carry that idea through the novel.",
    "The green light at the end of Daisy's dock stands for everything Gatsby hopes for.",
    "When he finally meets Daisy again, the light loses its magic, because a dream held too close becomes ordinary.",
    "Between West Egg and New York lies the valley of ashes, a grey land watched over by the eyes of Doctor T. J. Eckleburg.",
    "It shows the cost of the rich characters' careless lives, paid by people like George Wilson.",
    "Reading the novel closely taught me that symbols are not decorations but the way a story thinks.",
    "Writing this report in English also made me more careful with evidence and quotation.",
    NULL,
};
static const char *const body_dadaocheng[] = {
    "大稻埕曾是臺北最繁華的商業區，茶葉與布匹貿易帶動了街區的興盛。",
    "本報告想了解這個街區如何從貿易重鎮轉變為今日的文創與觀光街區，以及居民如何看待這些變化。",
    "我們小組三次走訪迪化街一帶，拍攝街屋立面並記錄店家類型。",
    "也訪談了四位在地經營超過三十年的店家，請他們描述街區的變化。",
    "我們發現老茶行與南北貨店仍是街區的骨幹，但近十年新開設的咖啡館與選物店明顯增加。",
    "受訪店家對觀光人潮看法不一，有人樂見生意回溫，也有人擔心租金上漲讓老店難以為繼。",
    "街區的變遷不只是建築與產業的改變，也牽動居民的生活與記憶。",
    "這次踏查讓我學會傾聽不同立場的聲音，也體會到社會議題很少只有一種答案。",
    NULL,
};
static const char *const body_stomata[] = {
    "植物透過葉片上的氣孔進行氣體交換，氣孔的多寡可能與生長環境的光照有關。",
    "本實驗比較校園中向陽與背陽處同種植物的葉片，探討光照對氣孔密度的影響。",
    "我們選擇校園中常見的朱槿，在向陽與背陽處各採集十片葉子。",
    "以透明指甲油拓印葉背表皮，在顯微鏡四百倍視野下計數氣孔，每片葉子計數三個視野取平均。",
    "向陽處葉片的平均氣孔密度明顯高於背陽處，差距約三成。",
    "我們也發現同一片葉子不同位置的氣孔密度有差異，因此統一取葉片中段計數以減少誤差。",
    "實驗結果支持光照較強的環境下植物會發育出較多氣孔的假設。",
    "但樣本數有限，未來可增加植物種類與測量季節，讓結論更可靠。",
    NULL,
};
static const char *const body_script[] = {
    "本劇改編自《小王子》第二十一章，描寫小王子與狐狸相遇並學會「馴服」的故事。",
    "Fox: Please, tame me! One only understands the things that one tames.",
    "Prince: And how does one tame you?",
    "Fox: You must be very patient. First you will sit down at a little distance from me, in the grass.",
    "改編時我們把原文的長段敘述改為對話，並加入旁白串場，讓十分鐘的演出節奏更緊湊。",
    "Prince: Goodbye. Fox: Goodbye. Here is my secret: it is only with the heart that one can see rightly.",
    "演出後我們根據同學回饋，調整了狐狸的台詞速度與走位。",
    "這次改編讓我體會到劇本與小說的差異：舞台上的每一句話都必須推動情節。",
    NULL,
};
static const char *const body_self_study_taiwan[] = {
    "我的自主學習主題是閱讀五位臺灣作家的代表作，認識臺灣文學的發展脈絡。",
    "計畫從賴和、楊逵到吳晟與李昂，每三週讀完一位作家的作品並撰寫讀書筆記。",
    "每週二的彈性學習時間閱讀兩小時，週末再整理筆記與心得。",
    "每位作家的筆記包含作家生平、作品摘要、我最喜歡的段落與提問。",
    "讀賴和時，我第一次意識到日治時期的作家如何以白話文書寫被殖民者的處境。",
    "讀吳晟的詩，則讓我重新看見農村與土地，也想起外公種田的身影。",
    "計畫中途一度因段考落後，我調整為每位作家只精讀一篇代表作，其餘略讀。",
    "期末我以簡報向同學分享五位作家的作品，也把讀書筆記整理成這份成果。",
    NULL,
};
static const char *const body_poems[] = {
    "〈十七歲的雨〉\n雨落在操場的跑道上\n把昨天的腳印\n一格一格擦亮\n我撐著傘站在看台\n等一個還沒想好的答案",
    "〈外公的田〉\n稻子低頭的時候\n外公也低著頭\n他說土地不會說謊\n我在課本裡讀到吳晟\n才知道那是一首詩",
    "〈晚自習〉\n日光燈嗡嗡地念著\n一整排沒寫完的題目\n窗外的公車亮著燈\n載走了誰的夢\n又載來了明天",
    NULL,
};
static const char *const body_club_report[] = {
    "本學年文學社共有社員二十八人，每週四下午進行社課。",
    "社課內容包括作品共讀、寫作練習與作家講座，上下學期各邀請一位作家到校分享。",
    "上學期我們出版了社刊《字裡行間》第三十期，收錄社員的詩、散文與小說共二十二篇。",
    "下學期籌辦年度文學成果展，展出社員作品與手作書，參觀人次超過四百人。",
    "籌備期間遇到經費不足的問題，我們改以校內募集二手書義賣的方式補足印刷費用。",
    "成果展結束後，社員回饋表示最大的收穫是學會為自己的作品負責。",
    NULL,
};
static const char *const body_portfolio[] = {
    "作品一：校刊專題〈我們的十七歲〉\n訪談六位不同班級的同學，記錄他們對升學與未來的想像，擔任企劃與主筆。",
    "作品二：文學社成果展主視覺\n以「字裡行間」為題設計海報與邀請卡，手寫字搭配拼貼。",
    "作品三：英語話劇公演劇照\n改編《仲夏夜之夢》並擔任主要演員，本頁附排練與演出紀錄。",
    "作品四：社區閱讀推廣活動\n在社區圖書館設計三場親子共讀活動，附活動流程與回饋統計。",
    NULL,
};
static const char *const body_cert_competition[] = {
    "獎　狀",
    "○○○ 同學參加全國高級中等學校小論文寫作比賽，表現優異，榮獲特優，特頒此狀，以資鼓勵。",
    "中學生網站",
    "中華民國一一三年十一月二十日",
    NULL,
};
static const char *const body_cert_service[] = {
    "服務學習時數證明",
    "茲證明 ○○○ 同學於本館擔任兒童閱讀推廣志工，協助說故事與延伸活動，累計服務時數三十二小時，服務認真負責，特此證明。",
    "社區圖書館",
    "中華民國一一三年六月二十八日",
    NULL,
};
static const char *const body_cert_gept[] = {
    "全民英語能力分級檢定測驗 成績證明",
    "考生 ○○○ 參加全民英檢中高級初試，聽力測驗與閱讀能力測驗成績均達通過標準，准予參加複試。",
    "財團法人語言訓練測驗中心",
    "中華民國一一三年八月十六日",
    NULL,
};

static const char *const labels_social_media[] = { "1小時內", "1–2小時", "2–3小時", "3–4小時", "4小時以上", NULL };
static const int values_social_media[] = { 12, 35, 41, 24, 14 };
static const char *const labels_stomata[] = { "2", "4", "6", "8", "10", NULL };
static const int values_stomata[] = { 112, 135, 158, 171, 176 };
static const char *const labels_reading[] = { "9月", "10月", "11月", "12月", "1月", NULL };
static const int values_reading[] = { 8, 12, 10, 15, 9 };
static const char *const lines_club_poster[] = { "字裡行間：我們的十七歲", "12/18–12/22", "圖書館一樓展覽區", NULL };
static const char *const lines_drama_poster[] = { "A Midsummer Night's Dream", "5/24（五）19:00", "活動中心", NULL };
static const char *const nodes_redmansion[] = { "賈母", "王熙鳳", "賈寶玉", "林黛玉", "薛寶釵", "劉姥姥", NULL };

#define PDF_FILE(id_, design_, items_, leaning_, file_, title_, subtitle_, pages_, body_, figure_) \
    [id_] = { KIND_PDF, design_, items_, leaning_, file_, title_, subtitle_, pages_, body_, NULL, figure_ }

static const struct attachment_spec attachment_specs[FILE_COUNT] = {
    PDF_FILE(FILE_REDMANSION, DESIGN_REPORT, "B", LEAN_CHINESE, "紅樓夢飲食書寫報告",
             "從《紅樓夢》飲食書寫看清代貴族生活", "國語文 書面報告", 3, body_redmansion, FILE_REDMANSION_MAP),
    PDF_FILE(FILE_MOON, DESIGN_REPORT, "B", LEAN_CHINESE, "唐詩月亮意象",
             "唐詩中的月亮意象：李白與杜甫的比較", "各類文學選讀 書面報告", 2, body_moon, FILE_NONE),
    PDF_FILE(FILE_GATSBY, DESIGN_ENGLISH_REPORT, "B", LEAN_FOREIGN, "Gatsby_report",
             "Symbolism in The Great Gatsby", "English Reading and Writing — Term Paper", 2, body_gatsby, FILE_NONE),
    PDF_FILE(FILE_DADAOCHENG, DESIGN_REPORT, "E", LEAN_ANY, "大稻埕踏查報告",
             "大稻埕街區的空間變遷與記憶", "社會領域探究活動成果", 3, body_dadaocheng, FILE_STREET_PHOTO),
    PDF_FILE(FILE_STOMATA, DESIGN_REPORT, "D", LEAN_ANY, "氣孔密度實驗報告",
             "校園植物葉片氣孔密度與光照", "自然科學探究與實作 成果報告", 2, body_stomata, FILE_STOMATA_CHART),
    PDF_FILE(FILE_SCRIPT, DESIGN_STATEMENT, "C", LEAN_FOREIGN, "小王子英文劇本",
             "英文短劇劇本改編：《小王子》", "改編自《小王子》第二十一章", 2, body_script, FILE_STAGE_PHOTO),
    PDF_FILE(FILE_SELF_STUDY_TAIWAN, DESIGN_STATEMENT, "F", LEAN_CHINESE, "自主學習成果_臺灣文學",
             "自主學習計畫與成果：臺灣文學作家閱讀計畫", "高二下學期 自主學習", 2, body_self_study_taiwan, FILE_READING_CHART),
    PDF_FILE(FILE_POEMS, DESIGN_POEMS, "CK", LEAN_CHINESE, "詩集_十七歲的雨",
             "《十七歲的雨》詩選", "個人創作", 3, body_poems, FILE_NONE),
    PDF_FILE(FILE_CLUB_REPORT, DESIGN_STATEMENT, "GH", LEAN_ANY, "文學社成果報告",
             "文學社年度成果報告", "社團活動經驗", 2, body_club_report, FILE_CLUB_POSTER),
    PDF_FILE(FILE_REFLECTION, DESIGN_STATEMENT, "O", LEAN_ANY, "學習歷程反思",
             "高中學習歷程反思", NULL, 2, reflection_sentences, FILE_NONE),
    PDF_FILE(FILE_MOTIVATION_CHINESE, DESIGN_STATEMENT, "P", LEAN_CHINESE, "就讀動機",
             "就讀動機", "國立臺灣大學中國文學系", 1, motivation_chinese_sentences, FILE_NONE),
    PDF_FILE(FILE_MOTIVATION_FOREIGN, DESIGN_STATEMENT, "P", LEAN_FOREIGN, "就讀動機",
             "就讀動機", "國立臺灣大學外國語文學系", 1, motivation_foreign_sentences, FILE_NONE),
    PDF_FILE(FILE_PLAN_CHINESE, DESIGN_STATEMENT, "Q", LEAN_CHINESE, "未來學習計畫",
             "未來學習計畫與生涯規劃", NULL, 1, plan_chinese_sentences, FILE_NONE),
    PDF_FILE(FILE_PLAN_FOREIGN, DESIGN_STATEMENT, "Q", LEAN_FOREIGN, "未來學習計畫",
             "未來學習計畫與生涯規劃", NULL, 1, plan_foreign_sentences, FILE_NONE),
    PDF_FILE(FILE_AUTOBIOGRAPHY, DESIGN_ENGLISH_STATEMENT, "R", LEAN_FOREIGN, "English_Autobiography",
             "Autobiography", "Department of Foreign Languages and Literatures", 1, autobiography_sentences, FILE_NONE),
    PDF_FILE(FILE_PORTFOLIO, DESIGN_PORTFOLIO, "R", LEAN_CHINESE, "作品集",
             "作品集", "其他有利審查資料", 4, body_portfolio, FILE_NONE),
    PDF_FILE(FILE_TRANSCRIPT, DESIGN_TRANSCRIPT, "A", LEAN_ANY, "修課紀錄",
             "高級中等學校歷年修課紀錄（自行整理）", NULL, 2, NULL, FILE_NONE),
    PDF_FILE(FILE_CERT_COMPETITION, DESIGN_CERTIFICATE, "J", LEAN_ANY, "獎狀_小論文",
             "獎狀", NULL, 1, body_cert_competition, FILE_NONE),
    /* Certificates that applicants photograph rather than scan to PDF. */
    [FILE_CERT_SERVICE] = { KIND_JPEG, DESIGN_CERTIFICATE, "I", LEAN_ANY, "服務時數證明",
        "服務學習時數證明", NULL, 1, body_cert_service, NULL, FILE_NONE },
    [FILE_CERT_GEPT] = { KIND_JPEG, DESIGN_CERTIFICATE, "L", LEAN_FOREIGN, "全民英檢成績證明",
        "全民英檢成績證明", NULL, 1, body_cert_gept, NULL, FILE_NONE },

    [FILE_SOCIAL_MEDIA_CHART] = { KIND_PNG, DESIGN_BAR_CHART, "ER", LEAN_ANY, "問卷統計圖",
        "每日使用社群媒體時間", "有效問卷 126 份（人數）", 0, labels_social_media, values_social_media, FILE_NONE },
    [FILE_STOMATA_CHART] = { KIND_PNG, DESIGN_LINE_CHART, "D", LEAN_ANY, "氣孔密度折線圖",
        "日照時數與葉片氣孔密度", "橫軸：日照時數（小時）；縱軸：氣孔數／mm²", 0, labels_stomata, values_stomata, FILE_NONE },
    [FILE_CLUB_POSTER] = { KIND_PNG, DESIGN_POSTER, "CGHR", LEAN_CHINESE, "成果展海報",
        "文學社第三十屆成果展", NULL, 0, lines_club_poster, NULL, FILE_NONE },
    [FILE_DRAMA_POSTER] = { KIND_PNG, DESIGN_POSTER, "GH", LEAN_FOREIGN, "公演海報",
        "英語話劇社年度公演", NULL, 0, lines_drama_poster, NULL, FILE_NONE },
    [FILE_REDMANSION_MAP] = { KIND_PNG, DESIGN_MIND_MAP, "BF", LEAN_CHINESE, "紅樓夢人物關係圖",
        "賈府", NULL, 0, nodes_redmansion, NULL, FILE_NONE },
    [FILE_READING_CHART] = { KIND_PNG, DESIGN_BAR_CHART, "F", LEAN_ANY, "閱讀時數統計",
        "自主學習每月閱讀時數", "單位：小時", 0, labels_reading, values_reading, FILE_NONE },

    [FILE_BEACH_PHOTO] = { KIND_JPEG, DESIGN_BEACH, "I", LEAN_ANY, "IMG_2087",
        "淨灘行動", NULL, 0, NULL, NULL, FILE_NONE },
    [FILE_STAGE_PHOTO] = { KIND_JPEG, DESIGN_STAGE, "CGK", LEAN_FOREIGN, "IMG_3412",
        "公演劇照", NULL, 0, NULL, NULL, FILE_NONE },
    [FILE_AWARD_PHOTO] = { KIND_JPEG, DESIGN_AWARD, "JM", LEAN_ANY, "IMG_1530",
        "頒獎典禮", NULL, 0, NULL, NULL, FILE_NONE },
    [FILE_STREET_PHOTO] = { KIND_JPEG, DESIGN_STREET, "CEKR", LEAN_ANY, "IMG_0925",
        "大稻埕", NULL, 0, NULL, NULL, FILE_NONE },
    [FILE_TUTORING_PHOTO] = { KIND_JPEG, DESIGN_CLASSROOM, "I", LEAN_ANY, "IMG_2264",
        "課後伴讀", NULL, 0, NULL, NULL, FILE_NONE },

    [FILE_PODCAST] = { KIND_MP3, DESIGN_AUDIO, "CK", LEAN_CHINESE, "古典詩新聲_EP01",
        "古典詩新聲 EP01：月下獨酌", "古典詩新聲", 4, NULL, NULL, FILE_NONE },
    [FILE_POETRY_READING] = { KIND_MP3, DESIGN_AUDIO, "CK", LEAN_FOREIGN, "poetry_reading",
        "The Road Not Taken — a reading", "English Poetry Reading", 3, NULL, NULL, FILE_NONE },
};

static const char *const media_types[] = {
    [KIND_PDF] = "application/pdf", [KIND_PNG] = "image/png", [KIND_JPEG] = "image/jpeg",
    [KIND_MP3] = "audio/mpeg",
};
static const char *const extensions[] = {
    [KIND_PDF] = "pdf", [KIND_PNG] = "png", [KIND_JPEG] = "jpg", [KIND_MP3] = "mp3",
};

/* A drawn attachment: its bytes, their hash, and whether any application
 * cites it (only those are written). */
struct attachment {
    GByteArray *bytes;
    char *sha256;
    bool used;
};

/* ------------------------------------------------------------------------
 * Drawing the attachments
 * ------------------------------------------------------------------------ */

#define PAGE_WIDTH    595.0 /* A4 in points */
#define PAGE_HEIGHT   842.0
#define PAGE_MARGIN   64.0
#define PICTURE_WIDTH  480
#define PICTURE_HEIGHT 320

static cairo_status_t append_bytes(void *closure, const unsigned char *data, unsigned int length)
{
    g_byte_array_append(closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

static void set_color(cairo_t *cr, unsigned rgb)
{
    cairo_set_source_rgb(cr, ((rgb >> 16) & 255) / 255.0, ((rgb >> 8) & 255) / 255.0, (rgb & 255) / 255.0);
}

static void fill_rectangle(cairo_t *cr, unsigned rgb, double x, double y, double width, double height)
{
    set_color(cr, rgb);
    cairo_rectangle(cr, x, y, width, height);
    cairo_fill(cr);
}

static void fill_circle(cairo_t *cr, unsigned rgb, double x, double y, double radius)
{
    set_color(cr, rgb);
    cairo_new_path(cr); /* no line from wherever the last text ended */
    cairo_arc(cr, x, y, radius, 0, 2 * G_PI);
    cairo_fill(cr);
}

/* Lays out text in a box `width` wide at (x, y), wrapping as needed, in the
 * current colour; returns the height used. */
static double draw_text(cairo_t *cr, const char *text, double x, double y, double width, double size,
                        bool bold, PangoAlignment alignment)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *font = pango_font_description_new();
    pango_font_description_set_family(font, FONT_FAMILY);
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    /* No bold in PDFs: cairo embeds each weight of a CJK font whole with its
     * subroutines (50 KB or more), so a second weight would double the file. */
    if (cairo_surface_get_type(cairo_get_target(cr)) == CAIRO_SURFACE_TYPE_PDF)
        bold = false;
    pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(layout, font);
    pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout, alignment);
    pango_layout_set_spacing(layout, (int)(size * 0.45 * PANGO_SCALE));
    pango_layout_set_text(layout, text, -1);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, layout);
    int layout_width, layout_height;
    pango_layout_get_size(layout, &layout_width, &layout_height);
    pango_font_description_free(font);
    g_object_unref(layout);
    return (double)layout_height / PANGO_SCALE;
}

static void draw_page_number(cairo_t *cr, int page, int pages)
{
    char text[64];
    snprintf(text, sizeof text, "— %d / %d —", page + 1, pages);
    set_color(cr, 0x888888);
    draw_text(cr, text, 0, PAGE_HEIGHT - 40, PAGE_WIDTH, 9, false, PANGO_ALIGN_CENTER);
}

/* Title and subtitle at the top of a first page; returns where text goes on. */
static double draw_title_block(cairo_t *cr, const struct attachment_spec *spec)
{
    double y = PAGE_MARGIN;
    set_color(cr, 0x1a1a1a);
    y += draw_text(cr, spec->title, PAGE_MARGIN, y, PAGE_WIDTH - 2 * PAGE_MARGIN, 20, true, PANGO_ALIGN_CENTER);
    if (spec->subtitle) {
        set_color(cr, 0x666666);
        y += 6 + draw_text(cr, spec->subtitle, PAGE_MARGIN, y + 6, PAGE_WIDTH - 2 * PAGE_MARGIN, 11, false,
                           PANGO_ALIGN_CENTER);
    }
    set_color(cr, 0xb0b0b0);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, PAGE_MARGIN, y + 14);
    cairo_line_to(cr, PAGE_WIDTH - PAGE_MARGIN, y + 14);
    cairo_stroke(cr);
    return y + 32;
}

static void draw_picture(cairo_t *cr, const struct attachment_spec *spec);

/* A picture of the pool drawn into a PDF page below y, with a caption. */
static void draw_figure(cairo_t *cr, const struct attachment_spec *picture, double y)
{
    const double width = 330, height = width * PICTURE_HEIGHT / PICTURE_WIDTH;
    if (y + height + 50 > PAGE_HEIGHT - 60)
        return;
    double x = (PAGE_WIDTH - width) / 2;
    cairo_save(cr);
    cairo_translate(cr, x, y + 10);
    cairo_scale(cr, width / PICTURE_WIDTH, width / PICTURE_WIDTH);
    cairo_rectangle(cr, 0, 0, PICTURE_WIDTH, PICTURE_HEIGHT);
    cairo_clip(cr);
    draw_picture(cr, picture);
    cairo_restore(cr);
    char *caption = g_strconcat("圖一　", picture->title, NULL);
    set_color(cr, 0x555555);
    draw_text(cr, caption, PAGE_MARGIN, y + height + 18, PAGE_WIDTH - 2 * PAGE_MARGIN, 10, false,
              PANGO_ALIGN_CENTER);
    g_free(caption);
}

/* A report: four numbered sections spread over the pages, each made of the
 * next sentences of the body. */
static void draw_report(cairo_t *cr, const struct attachment_spec *spec)
{
    bool english = spec->design == DESIGN_ENGLISH_REPORT;
    const char *const *headings = english ? english_headings : report_headings;
    int per_section = list_length(spec->body) / 4;
    double width = PAGE_WIDTH - 2 * PAGE_MARGIN;

    for (int page = 0; page < spec->pages; page++) {
        double y = page == 0 ? draw_title_block(cr, spec) : PAGE_MARGIN;
        for (int section = page * 4 / spec->pages; section < (page + 1) * 4 / spec->pages; section++) {
            GString *paragraph = g_string_new(NULL);
            for (int i = 0; i < per_section; i++) {
                if (english && i > 0)
                    g_string_append_c(paragraph, ' ');
                g_string_append(paragraph, spec->body[section * per_section + i]);
            }
            /* Longer reports read better with a closing thought per section. */
            if (!english && spec->pages >= 3)
                g_string_append(paragraph, report_fillers[section]);
            set_color(cr, 0x1a1a1a);
            y += 10 + draw_text(cr, headings[section], PAGE_MARGIN, y, width, 14, true, PANGO_ALIGN_LEFT);
            set_color(cr, 0x2a2a2a);
            y += 22 + draw_text(cr, paragraph->str, PAGE_MARGIN, y, width, 11.5, false, PANGO_ALIGN_LEFT);
            g_string_free(paragraph, TRUE);
        }
        if (page == spec->pages - 1 && spec->figure != FILE_NONE)
            draw_figure(cr, &attachment_specs[spec->figure], y);
        draw_page_number(cr, page, spec->pages);
        cairo_show_page(cr);
    }
}

/* A statement, plan or script: the body as paragraphs over the pages,
 * Chinese ones indented by two full-width spaces. */
static void draw_statement(cairo_t *cr, const struct attachment_spec *spec)
{
    const char *indent = spec->design == DESIGN_ENGLISH_STATEMENT ? "" : "　　";
    int count = list_length(spec->body);
    int per_page = (count + spec->pages - 1) / spec->pages;
    double width = PAGE_WIDTH - 2 * PAGE_MARGIN;
    for (int page = 0; page < spec->pages; page++) {
        double y = page == 0 ? draw_title_block(cr, spec) : PAGE_MARGIN;
        for (int i = page * per_page; i < (page + 1) * per_page && i < count; i++) {
            set_color(cr, 0x2a2a2a);
            char *indented = g_strconcat(indent, spec->body[i], NULL);
            y += 14 + draw_text(cr, indented, PAGE_MARGIN, y, width, 12, false, PANGO_ALIGN_LEFT);
            g_free(indented);
        }
        if (page == spec->pages - 1 && spec->figure != FILE_NONE)
            draw_figure(cr, &attachment_specs[spec->figure], y);
        draw_page_number(cr, page, spec->pages);
        cairo_show_page(cr);
    }
}

/* A certificate: body is {heading, text, issuer, date}. */
static void draw_certificate(cairo_t *cr, const struct attachment_spec *spec)
{
    set_color(cr, 0xb8862b);
    cairo_set_line_width(cr, 6);
    cairo_rectangle(cr, 36, 36, PAGE_WIDTH - 72, PAGE_HEIGHT - 72);
    cairo_stroke(cr);
    cairo_set_line_width(cr, 1.5);
    cairo_rectangle(cr, 50, 50, PAGE_WIDTH - 100, PAGE_HEIGHT - 100);
    cairo_stroke(cr);

    double width = PAGE_WIDTH - 220;
    set_color(cr, 0x8b1a1a);
    bool short_heading = utf8_chars(spec->body[0]) <= 4; /* 獎狀 is written large */
    draw_text(cr, spec->body[0], 60, short_heading ? 150 : 170, PAGE_WIDTH - 120, short_heading ? 40 : 24, true,
              PANGO_ALIGN_CENTER);
    set_color(cr, 0x1a1a1a);
    draw_text(cr, spec->body[1], 110, 300, width, 19, false, PANGO_ALIGN_LEFT);
    draw_text(cr, spec->body[2], 110, 560, width - 90, 19, false, PANGO_ALIGN_RIGHT);
    draw_text(cr, spec->body[3], 60, 690, PAGE_WIDTH - 120, 16, false, PANGO_ALIGN_CENTER);
    fill_circle(cr, 0xc0392b, PAGE_WIDTH - 140, 575, 30);
    set_color(cr, 0xffffff);
    draw_text(cr, "印", PAGE_WIDTH - 170, 562, 60, 20, true, PANGO_ALIGN_CENTER);
}

static const struct transcript_row {
    int grade, semester;
    const char *name;
    int credits;
} transcript_rows[] = {
    { 1, 1, "國語文", 4 }, { 1, 1, "英語文", 4 }, { 1, 1, "數學", 4 }, { 1, 1, "歷史", 2 },
    { 1, 1, "地理", 2 }, { 1, 1, "公民與社會", 2 }, { 1, 1, "物理", 2 }, { 1, 1, "化學", 2 },
    { 1, 1, "音樂", 1 }, { 1, 1, "體育", 2 }, { 1, 2, "國語文", 4 }, { 1, 2, "英語文", 4 },
    { 1, 2, "數學", 4 }, { 1, 2, "歷史", 2 }, { 1, 2, "地理", 2 }, { 1, 2, "公民與社會", 2 },
    { 1, 2, "生物", 2 }, { 1, 2, "地球科學", 2 }, { 1, 2, "美術", 1 }, { 1, 2, "體育", 2 },
    { 2, 1, "國語文", 4 }, { 2, 1, "英語文", 3 }, { 2, 1, "數學B", 4 }, { 2, 1, "歷史", 2 },
    { 2, 1, "各類文學選讀(一)", 2 }, { 2, 1, "自然科學探究與實作(一)", 2 }, { 2, 1, "體育", 2 },
    { 2, 2, "國語文", 4 }, { 2, 2, "英語文", 3 }, { 2, 2, "數學B", 4 }, { 2, 2, "選修地理(一)", 2 },
    { 2, 2, "各類文學選讀(二)", 2 }, { 2, 2, "自然科學探究與實作(二)", 2 }, { 2, 2, "體育", 2 },
    { 3, 1, "國語文", 2 }, { 3, 1, "英語文", 2 }, { 3, 1, "選修數學乙(一)", 4 }, { 3, 1, "選修歷史(一)", 2 },
    { 3, 1, "英文閱讀與寫作(一)", 2 }, { 3, 1, "專題閱讀與研究", 2 }, { 3, 1, "體育", 2 },
    { 3, 2, "國語文", 2 }, { 3, 2, "英語文", 2 }, { 3, 2, "選修數學乙(二)", 4 }, { 3, 2, "選修歷史(二)", 2 },
    { 3, 2, "英文閱讀與寫作(二)", 2 }, { 3, 2, "體育", 2 },
};

/* A self-made transcript (item A): grades 1–2 on the first page, grade 3 on
 * the second. */
static void draw_transcript(cairo_t *cr, const struct attachment_spec *spec, struct rng *rng)
{
    static const double columns[] = { PAGE_MARGIN, 140, 190, 400, 455, PAGE_WIDTH - PAGE_MARGIN };
    static const char *const headers[] = { "學年度", "學期", "科目名稱", "學分", "成績" };
    int row = 0;
    for (int page = 0; page < 2; page++) {
        double y = page == 0 ? draw_title_block(cr, spec) : PAGE_MARGIN;
        fill_rectangle(cr, 0xe8eef5, columns[0], y, columns[5] - columns[0], 22);
        set_color(cr, 0x1a1a1a);
        for (int c = 0; c < 5; c++)
            draw_text(cr, headers[c], columns[c] + 4, y + 3, columns[c + 1] - columns[c] - 8, 11, true,
                      PANGO_ALIGN_LEFT);
        y += 22;
        for (; row < COUNT_OF(transcript_rows); row++) {
            const struct transcript_row *r = &transcript_rows[row];
            if ((page == 0) != (r->grade < 3))
                break;
            char year[16], semester[16], credits[16], score[16];
            snprintf(year, sizeof year, "%d", ENTRY_YEAR + r->grade - 1);
            snprintf(semester, sizeof semester, "%s", r->semester == 1 ? "上" : "下");
            snprintf(credits, sizeof credits, "%d", r->credits);
            if (r->grade == 3 && r->semester == 2)
                snprintf(score, sizeof score, "修課中");
            else
                snprintf(score, sizeof score, "%d", rng_int(rng, 68, 96));
            const char *cells[] = { year, semester, r->name, credits, score };
            set_color(cr, 0x2a2a2a);
            for (int c = 0; c < 5; c++)
                draw_text(cr, cells[c], columns[c] + 4, y + 2, columns[c + 1] - columns[c] - 8, 9.5, false,
                          PANGO_ALIGN_LEFT);
            set_color(cr, 0xd0d0d0);
            cairo_set_line_width(cr, 0.5);
            cairo_move_to(cr, columns[0], y + 17);
            cairo_line_to(cr, columns[5], y + 17);
            cairo_stroke(cr);
            y += 17;
        }
        if (page == 1) {
            set_color(cr, 0x666666);
            draw_text(cr, "說明：本表由申請人依學校核發之歷年成績單自行整理，如有出入以學校正式文件為準。",
                      PAGE_MARGIN, y + 24, PAGE_WIDTH - 2 * PAGE_MARGIN, 10, false, PANGO_ALIGN_LEFT);
        }
        draw_page_number(cr, page, 2);
        cairo_show_page(cr);
    }
}

/* One poem a page; each body entry is a title line followed by verse lines. */
static void draw_poems(cairo_t *cr, const struct attachment_spec *spec)
{
    for (int page = 0; page < spec->pages; page++) {
        double y = page == 0 ? draw_title_block(cr, spec) + 30 : PAGE_MARGIN + 60;
        set_color(cr, 0x2a2a2a);
        draw_text(cr, spec->body[page], 150, y, PAGE_WIDTH - 300, 14, false, PANGO_ALIGN_LEFT);
        draw_page_number(cr, page, spec->pages);
        cairo_show_page(cr);
    }
}

/* A portfolio (item R): one work a page, with a picture of it. */
static void draw_portfolio(cairo_t *cr, const struct attachment_spec *spec)
{
    static const enum attachment_id pictures[] = {
        FILE_STREET_PHOTO, FILE_CLUB_POSTER, FILE_STAGE_PHOTO, FILE_TUTORING_PHOTO,
    };
    for (int page = 0; page < spec->pages; page++) {
        double y = page == 0 ? draw_title_block(cr, spec) : PAGE_MARGIN;
        set_color(cr, 0x2a2a2a);
        y += 24 + draw_text(cr, spec->body[page], PAGE_MARGIN, y, PAGE_WIDTH - 2 * PAGE_MARGIN, 12.5, false,
                            PANGO_ALIGN_LEFT);
        double scale = (PAGE_WIDTH - 2 * PAGE_MARGIN) / PICTURE_WIDTH;
        cairo_save(cr);
        cairo_translate(cr, PAGE_MARGIN, y);
        cairo_scale(cr, scale, scale);
        cairo_rectangle(cr, 0, 0, PICTURE_WIDTH, PICTURE_HEIGHT);
        cairo_clip(cr);
        draw_picture(cr, &attachment_specs[pictures[page % COUNT_OF(pictures)]]);
        cairo_restore(cr);
        draw_page_number(cr, page, spec->pages);
        cairo_show_page(cr);
    }
}

static GByteArray *render_pdf(const struct attachment_spec *spec, struct rng *rng)
{
    GByteArray *bytes = g_byte_array_new();
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(append_bytes, bytes, PAGE_WIDTH, PAGE_HEIGHT);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, spec->title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, PDF_DATE);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, PDF_DATE);
    cairo_t *cr = cairo_create(surface);
    switch (spec->design) {
    case DESIGN_REPORT:
    case DESIGN_ENGLISH_REPORT: draw_report(cr, spec); break;
    case DESIGN_CERTIFICATE:    draw_certificate(cr, spec); cairo_show_page(cr); break;
    case DESIGN_TRANSCRIPT:     draw_transcript(cr, spec, rng); break;
    case DESIGN_POEMS:          draw_poems(cr, spec); break;
    case DESIGN_PORTFOLIO:      draw_portfolio(cr, spec); break;
    default:                    draw_statement(cr, spec); break;
    }
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "generate: cannot draw %s: %s\n", spec->title,
                cairo_status_to_string(cairo_surface_status(surface)));
        exit(1);
    }
    cairo_surface_destroy(surface);
    return bytes;
}

/* ---- pictures, 480 × 320 ---- */

static void draw_bar_chart(cairo_t *cr, const struct attachment_spec *spec)
{
    static const unsigned palette[] = { 0x4e79a7, 0xf28e2b, 0x59a14f, 0xe15759, 0x76b7b2 };
    const double left = 60, right = 455, top = 80, bottom = 270;
    int count = list_length(spec->body), largest = 1;
    for (int i = 0; i < count; i++)
        largest = spec->values[i] > largest ? spec->values[i] : largest;
    int axis_top = (largest / 20 + 1) * 20; /* four round steps */

    fill_rectangle(cr, 0xffffff, 0, 0, PICTURE_WIDTH, PICTURE_HEIGHT);
    set_color(cr, 0x222222);
    draw_text(cr, spec->title, 0, 14, PICTURE_WIDTH, 18, true, PANGO_ALIGN_CENTER);
    set_color(cr, 0x777777);
    draw_text(cr, spec->subtitle, 0, 44, PICTURE_WIDTH, 11, false, PANGO_ALIGN_CENTER);
    for (int tick = 0; tick <= 4; tick++) {
        double y = bottom - (bottom - top) * tick / 4.0;
        set_color(cr, 0xdddddd);
        cairo_set_line_width(cr, 1);
        cairo_move_to(cr, left, y);
        cairo_line_to(cr, right, y);
        cairo_stroke(cr);
        char label[16];
        snprintf(label, sizeof label, "%d", axis_top * tick / 4);
        set_color(cr, 0x777777);
        draw_text(cr, label, 10, y - 8, left - 16, 10, false, PANGO_ALIGN_RIGHT);
    }
    double slot = (right - left) / count;
    for (int i = 0; i < count; i++) {
        double height = (bottom - top) * spec->values[i] / axis_top;
        double x = left + slot * i + slot * 0.2;
        fill_rectangle(cr, palette[i % COUNT_OF(palette)], x, bottom - height, slot * 0.6, height);
        char value[16];
        snprintf(value, sizeof value, "%d", spec->values[i]);
        set_color(cr, 0x333333);
        draw_text(cr, value, x - 10, bottom - height - 18, slot * 0.6 + 20, 11, true, PANGO_ALIGN_CENTER);
        draw_text(cr, spec->body[i], left + slot * i, bottom + 8, slot, 11, false, PANGO_ALIGN_CENTER);
    }
}

static void draw_line_chart(cairo_t *cr, const struct attachment_spec *spec)
{
    const double left = 60, right = 450, top = 80, bottom = 260, low = 100, high = 180;
    int count = list_length(spec->body);

    fill_rectangle(cr, 0xfbfbf8, 0, 0, PICTURE_WIDTH, PICTURE_HEIGHT);
    set_color(cr, 0x222222);
    draw_text(cr, spec->title, 0, 14, PICTURE_WIDTH, 18, true, PANGO_ALIGN_CENTER);
    for (int tick = 0; tick <= 4; tick++) {
        double y = bottom - (bottom - top) * tick / 4.0;
        set_color(cr, 0xdddddd);
        cairo_set_line_width(cr, 1);
        cairo_move_to(cr, left, y);
        cairo_line_to(cr, right, y);
        cairo_stroke(cr);
        char label[16];
        snprintf(label, sizeof label, "%d", (int)(low + (high - low) * tick / 4));
        set_color(cr, 0x777777);
        draw_text(cr, label, 10, y - 8, left - 16, 10, false, PANGO_ALIGN_RIGHT);
    }
    set_color(cr, 0x2e7d32);
    cairo_set_line_width(cr, 3);
    for (int i = 0; i < count; i++) {
        double x = left + (right - left) * i / (count - 1);
        double y = bottom - (bottom - top) * (spec->values[i] - low) / (high - low);
        if (i == 0)
            cairo_move_to(cr, x, y);
        else
            cairo_line_to(cr, x, y);
    }
    cairo_stroke(cr);
    for (int i = 0; i < count; i++) {
        double x = left + (right - left) * i / (count - 1);
        double y = bottom - (bottom - top) * (spec->values[i] - low) / (high - low);
        fill_circle(cr, 0x2e7d32, x, y, 5);
        set_color(cr, 0x444444);
        draw_text(cr, spec->body[i], x - 20, bottom + 6, 40, 11, false, PANGO_ALIGN_CENTER);
    }
    set_color(cr, 0x777777);
    draw_text(cr, spec->subtitle, 0, 292, PICTURE_WIDTH, 10, false, PANGO_ALIGN_CENTER);
}

static void draw_poster(cairo_t *cr, const struct attachment_spec *spec)
{
    bool warm = spec->leaning == LEAN_CHINESE;
    cairo_pattern_t *gradient = cairo_pattern_create_linear(0, 0, 0, PICTURE_HEIGHT);
    cairo_pattern_add_color_stop_rgb(gradient, 0, warm ? 0.55 : 0.10, warm ? 0.16 : 0.22, warm ? 0.12 : 0.45);
    cairo_pattern_add_color_stop_rgb(gradient, 1, warm ? 0.93 : 0.36, warm ? 0.62 : 0.66, warm ? 0.35 : 0.85);
    cairo_set_source(cr, gradient);
    cairo_paint(cr);
    cairo_pattern_destroy(gradient);
    for (int i = 0; i < 6; i++) {
        cairo_set_source_rgba(cr, 1, 1, 1, 0.08 + 0.03 * i);
        cairo_arc(cr, 40 + 85 * i, 290 - 25 * (i % 3), 30 + 9 * i, 0, 2 * G_PI);
        cairo_fill(cr);
    }
    set_color(cr, 0xffffff);
    draw_text(cr, spec->title, 20, 40, PICTURE_WIDTH - 40, 30, true, PANGO_ALIGN_CENTER);
    draw_text(cr, spec->body[0], 20, 130, PICTURE_WIDTH - 40, 19, false, PANGO_ALIGN_CENTER);
    draw_text(cr, spec->body[1], 20, 196, PICTURE_WIDTH - 40, 17, true, PANGO_ALIGN_CENTER);
    draw_text(cr, spec->body[2], 20, 228, PICTURE_WIDTH - 40, 14, false, PANGO_ALIGN_CENTER);
}

static void draw_mind_map(cairo_t *cr, const struct attachment_spec *spec)
{
    const double center_x = PICTURE_WIDTH / 2.0, center_y = PICTURE_HEIGHT / 2.0;
    int count = list_length(spec->body);
    fill_rectangle(cr, 0xfffdf5, 0, 0, PICTURE_WIDTH, PICTURE_HEIGHT);
    for (int i = 0; i < count; i++) {
        double angle = 2 * G_PI * i / count - G_PI / 2;
        double x = center_x + 175 * cos(angle), y = center_y + 112 * sin(angle);
        set_color(cr, 0xb0a080);
        cairo_set_line_width(cr, 2);
        cairo_move_to(cr, center_x, center_y);
        cairo_line_to(cr, x, y);
        cairo_stroke(cr);
        fill_rectangle(cr, 0xf4e4c1, x - 40, y - 16, 80, 32);
        set_color(cr, 0x5a3e1b);
        draw_text(cr, spec->body[i], x - 40, y - 10, 80, 14, false, PANGO_ALIGN_CENTER);
    }
    set_color(cr, 0x9c2a2a);
    cairo_save(cr);
    cairo_translate(cr, center_x, center_y);
    cairo_scale(cr, 1.6, 1);
    cairo_arc(cr, 0, 0, 34, 0, 2 * G_PI);
    cairo_restore(cr);
    cairo_fill(cr);
    set_color(cr, 0xffffff);
    draw_text(cr, spec->title, center_x - 50, center_y - 13, 100, 20, true, PANGO_ALIGN_CENTER);
}

static void draw_person(cairo_t *cr, double x, double ground, double height, unsigned shirt)
{
    fill_rectangle(cr, shirt, x - height * 0.14, ground - height * 0.75, height * 0.28, height * 0.45);
    fill_rectangle(cr, 0x2b2b3a, x - height * 0.12, ground - height * 0.32, height * 0.24, height * 0.32);
    fill_circle(cr, 0xe0b48c, x, ground - height * 0.86, height * 0.12);
    fill_circle(cr, 0x1e1a18, x, ground - height * 0.92, height * 0.1);
}

static void draw_sky(cairo_t *cr, double horizon, double top_red, double top_green, double top_blue)
{
    cairo_pattern_t *sky = cairo_pattern_create_linear(0, 0, 0, horizon);
    cairo_pattern_add_color_stop_rgb(sky, 0, top_red, top_green, top_blue);
    cairo_pattern_add_color_stop_rgb(sky, 1, 0.92, 0.95, 0.98);
    cairo_set_source(cr, sky);
    cairo_rectangle(cr, 0, 0, PICTURE_WIDTH, horizon);
    cairo_fill(cr);
    cairo_pattern_destroy(sky);
}

static void draw_beach(cairo_t *cr, const struct attachment_spec *spec)
{
    draw_sky(cr, 160, 0.45, 0.68, 0.90);
    fill_circle(cr, 0xfff3c4, 400, 60, 28);
    fill_rectangle(cr, 0x2f6f9f, 0, 150, PICTURE_WIDTH, 60);
    for (int i = 0; i < 4; i++)
        fill_rectangle(cr, 0x5b93bd, 30 + 110 * i, 165 + 10 * (i % 2), 70, 3);
    fill_rectangle(cr, 0xe8d5a8, 0, 205, PICTURE_WIDTH, PICTURE_HEIGHT - 205);
    static const unsigned shirts[] = { 0x2e7d32, 0x2e7d32, 0xf9a825, 0x2e7d32, 0x1565c0 };
    for (int i = 0; i < COUNT_OF(shirts); i++)
        draw_person(cr, 250 + 45 * i, 300 - 12 * (i % 2), 80 - 4 * (i % 3), shirts[i]);
    fill_rectangle(cr, 0xffffff, 30, 236, 170, 40);
    set_color(cr, 0x2e7d32);
    draw_text(cr, spec->title, 30, 243, 170, 20, true, PANGO_ALIGN_CENTER);
}

static void draw_stage(cairo_t *cr, const struct attachment_spec *spec)
{
    (void)spec;
    fill_rectangle(cr, 0x17171f, 0, 0, PICTURE_WIDTH, PICTURE_HEIGHT);
    cairo_pattern_t *light = cairo_pattern_create_radial(240, 170, 10, 240, 170, 190);
    cairo_pattern_add_color_stop_rgba(light, 0, 1, 0.95, 0.8, 0.55);
    cairo_pattern_add_color_stop_rgba(light, 1, 1, 0.95, 0.8, 0);
    cairo_set_source(cr, light);
    cairo_paint(cr);
    cairo_pattern_destroy(light);
    fill_rectangle(cr, 0x5a3b22, 0, 250, PICTURE_WIDTH, 70);
    fill_rectangle(cr, 0x8e1b1b, 0, 0, 70, 260);
    fill_rectangle(cr, 0x8e1b1b, PICTURE_WIDTH - 70, 0, 70, 260);
    fill_rectangle(cr, 0x7a1515, 0, 0, PICTURE_WIDTH, 28);
    draw_person(cr, 180, 262, 120, 0x6a1b9a);
    draw_person(cr, 250, 262, 130, 0xc9a227);
    draw_person(cr, 320, 262, 115, 0x00796b);
}

static void draw_award(cairo_t *cr, const struct attachment_spec *spec)
{
    fill_rectangle(cr, 0xe9e2d0, 0, 0, PICTURE_WIDTH, PICTURE_HEIGHT);
    fill_rectangle(cr, 0xb71c1c, 60, 26, 360, 54);
    set_color(cr, 0xfff3c4);
    draw_text(cr, spec->title, 60, 36, 360, 24, true, PANGO_ALIGN_CENTER);
    fill_rectangle(cr, 0x9a9088, 0, 250, PICTURE_WIDTH, 70);
    fill_rectangle(cr, 0x6d4c2f, 200, 190, 80, 130);
    draw_person(cr, 140, 290, 150, 0x263238);
    draw_person(cr, 340, 290, 140, 0xeceff1);
    fill_rectangle(cr, 0xf5f5f5, 226, 150, 30, 22);
    for (int i = 0; i < 5; i++)
        fill_circle(cr, i % 2 ? 0xe91e63 : 0xffc107, 30 + 10 * i, 240 - 6 * (i % 2), 9);
}

static void draw_street(cairo_t *cr, const struct attachment_spec *spec)
{
    static const unsigned facades[] = { 0xb5523b, 0xe8dcc2, 0xa9483a, 0xd9c7a5, 0xc0674c, 0xe3d3b5 };
    draw_sky(cr, 120, 0.55, 0.72, 0.88);
    for (int i = 0; i < COUNT_OF(facades); i++) {
        double x = 80 * i, top = 60 + 18 * (i % 3);
        fill_rectangle(cr, facades[i], x, top, 80, 240 - top);
        for (int window = 0; window < 2; window++) {
            set_color(cr, 0x3e2c23);
            cairo_arc(cr, x + 22 + 36 * window, top + 40, 12, G_PI, 2 * G_PI);
            cairo_rectangle(cr, x + 10 + 36 * window, top + 40, 24, 30);
            cairo_fill(cr);
        }
        set_color(cr, 0x2b211c);
        cairo_arc(cr, x + 40, 250, 30, G_PI, 2 * G_PI);
        cairo_rectangle(cr, x + 10, 250, 60, 40);
        cairo_fill(cr);
    }
    fill_rectangle(cr, 0x7d7d7d, 0, 290, PICTURE_WIDTH, 30);
    fill_rectangle(cr, 0xf7f1e1, 170, 112, 44, 96);
    set_color(cr, 0x8b1a1a);
    draw_text(cr, "大\n稻\n埕", 170, 118, 44, 22, true, PANGO_ALIGN_CENTER);
    (void)spec;
}

static void draw_classroom(cairo_t *cr, const struct attachment_spec *spec)
{
    fill_rectangle(cr, 0xf0ead8, 0, 0, PICTURE_WIDTH, PICTURE_HEIGHT);
    fill_rectangle(cr, 0x6d4c2f, 54, 24, 372, 132);
    fill_rectangle(cr, 0x2e4d3a, 60, 30, 360, 120);
    set_color(cr, 0xf5f5f0);
    draw_text(cr, spec->title, 60, 62, 360, 28, false, PANGO_ALIGN_CENTER);
    fill_rectangle(cr, 0xb9b2a0, 0, 230, PICTURE_WIDTH, 90);
    for (int row = 0; row < 2; row++)
        for (int i = 0; i < 4; i++) {
            double x = 40 + 110 * i + 20 * row, y = 210 + 55 * row;
            draw_person(cr, x + 35, y + 10, 70, i % 2 ? 0xffffff : 0x90caf9);
            fill_rectangle(cr, 0xa1887f, x, y, 80, 14);
        }
}

static void draw_picture(cairo_t *cr, const struct attachment_spec *spec)
{
    switch (spec->design) {
    case DESIGN_BAR_CHART:  draw_bar_chart(cr, spec); break;
    case DESIGN_LINE_CHART: draw_line_chart(cr, spec); break;
    case DESIGN_POSTER:     draw_poster(cr, spec); break;
    case DESIGN_MIND_MAP:   draw_mind_map(cr, spec); break;
    case DESIGN_BEACH:      draw_beach(cr, spec); break;
    case DESIGN_STAGE:      draw_stage(cr, spec); break;
    case DESIGN_AWARD:      draw_award(cr, spec); break;
    case DESIGN_STREET:     draw_street(cr, spec); break;
    default:                draw_classroom(cr, spec); break;
    }
}

/* A picture, or a certificate photographed at A4 proportions. */
static cairo_surface_t *paint_picture(const struct attachment_spec *spec)
{
    bool certificate = spec->design == DESIGN_CERTIFICATE;
    int width = certificate ? 420 : PICTURE_WIDTH, height = certificate ? 595 : PICTURE_HEIGHT;
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    cairo_t *cr = cairo_create(surface);
    if (certificate) {
        fill_rectangle(cr, 0xfbf8f0, 0, 0, width, height);
        cairo_scale(cr, width / PAGE_WIDTH, width / PAGE_WIDTH);
        draw_certificate(cr, spec);
    } else {
        draw_picture(cr, spec);
    }
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    return surface;
}

static GByteArray *render_png(const struct attachment_spec *spec)
{
    cairo_surface_t *surface = paint_picture(spec);
    GByteArray *bytes = g_byte_array_new();
    if (cairo_surface_write_to_png_stream(surface, append_bytes, bytes) != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "generate: cannot encode %s as PNG\n", spec->title);
        exit(1);
    }
    cairo_surface_destroy(surface);
    return bytes;
}

/* A "photo": the drawing with a little grain, as a camera would give. */
static GByteArray *render_jpeg(const struct attachment_spec *spec, struct rng *rng)
{
    cairo_surface_t *surface = paint_picture(spec);
    const unsigned char *pixels = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    int width = cairo_image_surface_get_width(surface), height = cairo_image_surface_get_height(surface);

    struct jpeg_compress_struct jpeg;
    struct jpeg_error_mgr errors;
    jpeg.err = jpeg_std_error(&errors); /* its default on error is to exit */
    jpeg_create_compress(&jpeg);
    unsigned char *buffer = NULL;
    unsigned long size = 0;
    jpeg_mem_dest(&jpeg, &buffer, &size);
    jpeg.image_width = (JDIMENSION)width;
    jpeg.image_height = (JDIMENSION)height;
    jpeg.input_components = 3;
    jpeg.in_color_space = JCS_RGB;
    jpeg_set_defaults(&jpeg);
    jpeg_set_quality(&jpeg, 80, TRUE);
    jpeg_start_compress(&jpeg, TRUE);

    unsigned char *row = g_malloc((size_t)width * 3);
    while (jpeg.next_scanline < jpeg.image_height) {
        const uint32_t *source = (const uint32_t *)(pixels + (size_t)jpeg.next_scanline * stride);
        for (int x = 0; x < width; x++) {
            int grain = rng_int(rng, -3, 3);
            for (int channel = 0; channel < 3; channel++) {
                int value = (int)((source[x] >> (16 - 8 * channel)) & 0xff) + grain;
                row[3 * x + channel] = (unsigned char)clamp(value, 0, 255);
            }
        }
        JSAMPROW rows[1] = { row };
        jpeg_write_scanlines(&jpeg, rows, 1);
    }
    jpeg_finish_compress(&jpeg);
    jpeg_destroy_compress(&jpeg);
    g_free(row);
    cairo_surface_destroy(surface);

    GByteArray *bytes = g_byte_array_new();
    g_byte_array_append(bytes, buffer, (guint)size);
    free(buffer);
    return bytes;
}

/* ID3v2.4 sizes are "syncsafe": 7 bits in each byte. */
static void append_syncsafe(GByteArray *bytes, guint value)
{
    guint8 encoded[4] = { (value >> 21) & 0x7f, (value >> 14) & 0x7f, (value >> 7) & 0x7f, value & 0x7f };
    g_byte_array_append(bytes, encoded, 4);
}

static void append_id3_text_frame(GByteArray *frames, const char *id, const char *text)
{
    static const guint8 no_flags[2] = { 0, 0 }, utf8_encoding = 3;
    g_byte_array_append(frames, (const guint8 *)id, 4);
    append_syncsafe(frames, (guint)strlen(text) + 1);
    g_byte_array_append(frames, no_flags, 2);
    g_byte_array_append(frames, &utf8_encoding, 1);
    g_byte_array_append(frames, (const guint8 *)text, (guint)strlen(text));
}

/* A short silent MP3: an ID3v2.4 tag with the title, then MPEG-1 Layer III
 * frames at 32 kbit/s, 48 kHz, mono.  Each frame is 144 * 32000 / 48000 = 96
 * bytes: the 4-byte header and an all-zero body, which decodes as silence. */
static GByteArray *render_mp3(const struct attachment_spec *spec)
{
    static const guint8 frame_header[4] = { 0xFF, 0xFB, 0x14, 0xC4 };
    static const guint8 silence[92] = { 0 };
    GByteArray *frames = g_byte_array_new();
    append_id3_text_frame(frames, "TIT2", spec->title);
    append_id3_text_frame(frames, "TALB", spec->subtitle);

    GByteArray *bytes = g_byte_array_new();
    static const guint8 tag_header[6] = { 'I', 'D', '3', 4, 0, 0 };
    g_byte_array_append(bytes, tag_header, 6);
    append_syncsafe(bytes, frames->len);
    g_byte_array_append(bytes, frames->data, frames->len);
    g_byte_array_free(frames, TRUE);

    int frame_count = spec->pages * 48000 / 1152;
    for (int i = 0; i < frame_count; i++) {
        g_byte_array_append(bytes, frame_header, 4);
        g_byte_array_append(bytes, silence, sizeof silence);
    }
    return bytes;
}

/* Draws every file of the pool.  The pool does not depend on the seed: the
 * seed only decides which files an application cites. */
static void make_attachments(struct attachment *pool)
{
    for (int id = 0; id < FILE_COUNT; id++) {
        const struct attachment_spec *spec = &attachment_specs[id];
        struct rng rng = rng_for(0, "attachment %d", id);
        switch (spec->kind) {
        case KIND_PDF:  pool[id].bytes = render_pdf(spec, &rng); break;
        case KIND_PNG:  pool[id].bytes = render_png(spec); break;
        case KIND_JPEG: pool[id].bytes = render_jpeg(spec, &rng); break;
        case KIND_MP3:  pool[id].bytes = render_mp3(spec); break;
        }
        pool[id].sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, pool[id].bytes->data,
                                                      pool[id].bytes->len);
        pool[id].used = false;
    }
    /* Drawing is over: drop pango's global font map and its caches, so that
     * leak checkers (make asan) see less that this program does not own. */
    pango_cairo_font_map_set_default(NULL);
}

/* ------------------------------------------------------------------------
 * Course outcomes (B–E) and diverse performances (F–M) an applicant may
 * have in the central database.  Each is tied to attachments of the pool
 * that show it.
 * ------------------------------------------------------------------------ */

static const struct outcome_template {
    char item;
    enum subject_group group; /* the kind of course it came from */
    enum leaning leaning;
    const char *title, *lead;
    enum attachment_id files[2];
} outcome_templates[] = {
    { 'B', GROUP_CHINESE, LEAN_CHINESE, "從《紅樓夢》飲食書寫看清代貴族生活",
      "整理《紅樓夢》主要的飲食場景，分析菜餚如何呈現賈府的排場與盛衰。", { FILE_REDMANSION, FILE_REDMANSION_MAP } },
    { 'B', GROUP_CHINESE, LEAN_CHINESE, "唐詩中的月亮意象：李白與杜甫的比較",
      "比較李白與杜甫的詠月詩，說明兩人如何以月亮寄託不同的生命情懷。", { FILE_MOON, FILE_NONE } },
    { 'B', GROUP_ENGLISH, LEAN_FOREIGN, "Symbolism in The Great Gatsby",
      "以英文分析《大亨小傳》中綠光與灰燼谷等象徵，說明夢想與現實的落差。", { FILE_GATSBY, FILE_NONE } },
    { 'C', GROUP_CHINESE, LEAN_CHINESE, "校園文學地圖",
      "踏查學校周邊與作家相關的地點，製作結合導覽文字與 QR Code 的文學地圖。", { FILE_STREET_PHOTO, FILE_NONE } },
    { 'C', GROUP_CHINESE, LEAN_CHINESE, "古典詩新聲：唐詩朗讀錄音",
      "選讀唐詩名篇並設計配樂，錄製朗讀作品，附上創作理念說明。", { FILE_PODCAST, FILE_NONE } },
    { 'C', GROUP_ENGLISH, LEAN_FOREIGN, "英文短劇劇本改編：《小王子》",
      "將《小王子》第二十一章改編為十分鐘英文短劇，並於課堂中演出。", { FILE_SCRIPT, FILE_STAGE_PHOTO } },
    { 'C', GROUP_ENGLISH, LEAN_FOREIGN, "英詩朗讀：The Road Not Taken",
      "練習英詩的節奏與重音，錄製朗讀作品並撰寫詩作賞析。", { FILE_POETRY_READING, FILE_NONE } },
    { 'C', GROUP_ARTS, LEAN_ANY, "文學社成果展主視覺設計",
      "以「字裡行間」為題設計成果展海報，說明配色與版面安排的構想。", { FILE_CLUB_POSTER, FILE_NONE } },
    { 'D', GROUP_SCIENCE, LEAN_ANY, "校園植物葉片氣孔密度與光照",
      "比較向陽與背陽處的朱槿葉片，以顯微鏡計數氣孔密度並分析差異。", { FILE_STOMATA, FILE_STOMATA_CHART } },
    { 'E', GROUP_SOCIAL, LEAN_ANY, "大稻埕街區的空間變遷與記憶",
      "走訪大稻埕並訪談在地店家，整理街區從茶葉貿易到文創產業的變遷。", { FILE_DADAOCHENG, FILE_STREET_PHOTO } },
    { 'E', GROUP_SOCIAL, LEAN_ANY, "高中生社群媒體使用與睡眠品質調查",
      "以問卷調查一百二十六位高中生，分析社群媒體使用時間與睡眠品質的關係。",
      { FILE_SOCIAL_MEDIA_CHART, FILE_NONE } },
};

/* A second sentence for an outcome summary, two for each item B–E. */
static const char *const outcome_closings[][2] = {
    { "報告依老師回饋修改兩次後定稿。", "撰寫過程中學會引用文獻並標註出處。" },
    { "完成後於課堂中公開發表並接受回饋。", "作品從發想、草圖到完成歷時約六週。" },
    { "實驗重複測量三次並討論誤差來源。", "最後檢討實驗設計的限制與改進方向。" },
    { "最後提出具體的改善建議。", "以圖表呈現資料並與同學討論結果。" },
};

enum link_kind { LINK_NONE, LINK_VIDEO, LINK_SITE };

/* {school}, {city} and {bureau} are filled in from the applicant's school. */
static const struct performance_template {
    char item;
    const char *kind;
    enum leaning leaning;
    const char *title, *organizer, *level;
    const char *awards;       /* choices separated by '|', or NULL */
    int hours_low, hours_high; /* both 0: hours is null */
    int days;                 /* how long it ran: 0 one day (no end date), -1 a school year */
    const char *lead;
    enum attachment_id files[2];
    enum link_kind link;
} performance_templates[] = {
    { 'F', "flexible_learning", LEAN_CHINESE, "自主學習：臺灣文學作家閱讀計畫", "{school}", "校內", NULL, 18, 36, 110,
      "一學期閱讀五位臺灣作家的代表作，每週撰寫讀書筆記並於期末發表。", { FILE_SELF_STUDY_TAIWAN, FILE_READING_CHART }, LINK_NONE },
    { 'F', "flexible_learning", LEAN_FOREIGN, "自主學習：英詩翻譯練習", "{school}", "校內", NULL, 18, 36, 110,
      "選讀 Frost 與 Dickinson 的十首短詩，嘗試翻譯並比較既有譯本的取捨。", { FILE_NONE, FILE_NONE }, LINK_SITE },
    { 'F', "flexible_learning", LEAN_ANY, "自主學習：用 Python 統計唐詩常見意象", "{school}", "校內", NULL, 12, 30, 100,
      "以程式統計全唐詩中常見的意象字詞，製作圖表並撰寫觀察心得。", { FILE_READING_CHART, FILE_NONE }, LINK_SITE },
    { 'F', "flexible_learning", LEAN_FOREIGN, "自主學習：日劇字幕翻譯與日語檢定準備", "{school}", "校內", NULL, 18, 36, 110,
      "每週翻譯一段日劇對白並整理文法筆記，期末通過日語能力試驗 N4。", { FILE_NONE, FILE_NONE }, LINK_NONE },
    { 'G', "group_activity", LEAN_CHINESE, "文學社：社刊編輯與年度成果展", "{school}", "校內", NULL, 30, 60, -1,
      "參與社刊企劃、邀稿與校對，並協助籌辦年度文學成果展。", { FILE_CLUB_REPORT, FILE_CLUB_POSTER }, LINK_NONE },
    { 'G', "group_activity", LEAN_FOREIGN, "英語話劇社：年度公演", "{school}", "校內", NULL, 40, 80, -1,
      "擔任公演演員並參與劇本改編，從讀劇、排練到正式演出歷時一學期。", { FILE_DRAMA_POSTER, FILE_STAGE_PHOTO }, LINK_VIDEO },
    { 'G', "group_activity", LEAN_ANY, "辯論社：校際盃辯論賽備賽", "{school}", "校內", NULL, 20, 50, -1,
      "每週練習申論與質詢，學習在有限時間內組織論點並回應對手。", { FILE_NONE, FILE_NONE }, LINK_NONE },
    { 'G', "group_activity", LEAN_ANY, "模擬聯合國社：校內模擬會議", "{school}", "校內", NULL, 16, 40, -1,
      "代表指定國家撰寫立場文件，依議事規則與各國代表協商決議草案。", { FILE_NONE, FILE_NONE }, LINK_NONE },
    { 'H', "cadre", LEAN_CHINESE, "校刊社總編輯", "{school}", "校內", NULL, 0, 0, -1,
      "統籌校刊一年兩期的企劃與出刊，帶領十二位編輯完成採訪、撰稿與排版。", { FILE_CLUB_REPORT, FILE_NONE }, LINK_NONE },
    { 'H', "cadre", LEAN_FOREIGN, "英語話劇社社長", "{school}", "校內", NULL, 0, 0, -1,
      "負責社團年度規劃、招生與公演行政，協調演員與幕後組的排練時程。", { FILE_DRAMA_POSTER, FILE_NONE }, LINK_NONE },
    { 'H', "cadre", LEAN_ANY, "畢業紀念冊編輯委員會主編", "{school}", "校內", NULL, 0, 0, -1,
      "規劃畢冊架構與班級頁面，與廠商溝通印製時程並控管預算。", { FILE_NONE, FILE_NONE }, LINK_NONE },
    { 'I', "service", LEAN_ANY, "社區圖書館說故事志工", "{city}立圖書館", NULL, NULL, 16, 40, 100,
      "每月兩次在兒童室為國小學童說故事，並設計延伸的繪畫與提問活動。", { FILE_CERT_SERVICE, FILE_TUTORING_PHOTO }, LINK_NONE },
    { 'I', "service", LEAN_FOREIGN, "國小課後英語伴讀志工", "{school}", "校內", NULL, 12, 30, 90,
      "每週一次陪伴國小學童閱讀英文繪本，並協助完成課後作業。", { FILE_TUTORING_PHOTO, FILE_NONE }, LINK_NONE },
    { 'I', "service", LEAN_ANY, "海岸淨灘服務", "社團法人中華民國荒野保護協會", NULL, NULL, 4, 8, 0,
      "參與海岸淨灘並分類記錄廢棄物，整理數據後在班上分享海洋垃圾問題。", { FILE_BEACH_PHOTO, FILE_NONE }, LINK_NONE },
    { 'J', "competition", LEAN_CHINESE, "全國語文競賽 作文 高中學生組", "教育部", "全國", "特優|優等|甲等", 0, 0, 0,
      "代表縣市參加全國賽，在九十分鐘內完成限時作文。", { FILE_AWARD_PHOTO, FILE_NONE }, LINK_NONE },
    { 'J', "competition", LEAN_CHINESE, "{city}語文競賽 字音字形 高中學生組", "{bureau}", "縣市", "第一名|第二名|第三名|優等", 0, 0, 0,
      "賽前每日練習常見易錯字形與多音字，於縣市賽中獲獎。", { FILE_AWARD_PHOTO, FILE_NONE }, LINK_NONE },
    { 'J', "competition", LEAN_CHINESE, "台積電青年學生文學獎 散文類", "台積電文教基金會", "全國", "優勝|入圍", 0, 0, 0,
      "以家族老屋改建為題材撰寫散文，描寫三代人對同一空間的不同記憶。", { FILE_NONE, FILE_NONE }, LINK_NONE },
    { 'J', "competition", LEAN_ANY, "全國高級中等學校小論文寫作比賽", "中學生網站", "全國", "特優|優等|甲等", 0, 0, 0,
      "與同學合作撰寫小論文，從選題、文獻回顧到分析論證皆依格式完成。", { FILE_CERT_COMPETITION, FILE_NONE }, LINK_NONE },
    { 'J', "competition", LEAN_FOREIGN, "校內英文作文比賽", "{school}", "校內", "第一名|第二名|第三名|佳作", 0, 0, 0,
      "以科技與人際關係為題，在限時內完成一篇英文議論文。", { FILE_NONE, FILE_NONE }, LINK_NONE },
    { 'J', "competition", LEAN_FOREIGN, "{city}高中英語演講比賽", "{bureau}", "縣市", "第一名|第二名|第三名|優等", 0, 0, 0,
      "以 The Power of Stories 為題發表五分鐘英語演講，並回答評審提問。", { FILE_AWARD_PHOTO, FILE_NONE }, LINK_VIDEO },
    { 'J', "competition", LEAN_ANY, "校內詩詞朗誦比賽", "{school}", "校內", "第一名|第二名|第三名|佳作", 0, 0, 0,
      "以〈將進酒〉參賽，練習以聲音的輕重緩急表現詩中的情感起伏。", { FILE_NONE, FILE_NONE }, LINK_NONE },
    { 'K', "work", LEAN_CHINESE, "個人詩集《十七歲的雨》", NULL, NULL, NULL, 0, 0, 120,
      "收錄高中三年創作的二十首新詩，自行排版印製三十本與師友分享。", { FILE_POEMS, FILE_NONE }, LINK_NONE },
    { 'K', "work", LEAN_CHINESE, "Podcast《古典詩新聲》", NULL, NULL, NULL, 10, 24, 120,
      "與同學合作錄製六集節目，以口語方式介紹唐詩名篇與詩人故事。", { FILE_PODCAST, FILE_NONE }, LINK_SITE },
    { 'K', "work", LEAN_FOREIGN, "英詩朗讀錄音作品", NULL, NULL, NULL, 0, 0, 30,
      "錄製 Robert Frost 詩作的朗讀，練習英語的節奏與重音表現。", { FILE_POETRY_READING, FILE_NONE }, LINK_NONE },
    { 'K', "work", LEAN_ANY, "校園文學地圖網站", NULL, NULL, NULL, 12, 30, 90,
      "踏查校園周邊與作家相關的地點，製作互動式文學地圖網站。", { FILE_STREET_PHOTO, FILE_NONE }, LINK_SITE },
    { 'L', "certificate", LEAN_FOREIGN, "全民英檢中高級初試通過", "財團法人語言訓練測驗中心", "全國", NULL, 0, 0, 0,
      "通過全民英檢中高級初試，聽力與閱讀成績均達通過標準。", { FILE_CERT_GEPT, FILE_NONE }, LINK_NONE },
    { 'L', "certificate", LEAN_ANY, "全民英檢中級通過", "財團法人語言訓練測驗中心", "全國", NULL, 0, 0, 0,
      "通過全民英檢中級初試與複試，能在日常與學習情境中以英語溝通。", { FILE_NONE, FILE_NONE }, LINK_NONE },
    { 'L', "certificate", LEAN_FOREIGN, "多益測驗 860 分", "忠欣股份有限公司", "國際", NULL, 0, 0, 0,
      "利用寒假準備多益測驗，聽力與閱讀合計取得 860 分。", { FILE_NONE, FILE_NONE }, LINK_NONE },
    { 'L', "certificate", LEAN_FOREIGN, "日本語能力試驗 N3 合格", "財團法人語言訓練測驗中心", "國際", NULL, 0, 0, 0,
      "自學日語兩年，通過日本語能力試驗 N3。", { FILE_NONE, FILE_NONE }, LINK_NONE },
    { 'M', "advanced_course", LEAN_CHINESE, "大學先修課程：文學概論", "國立臺灣師範大學", NULL, NULL, 18, 36, 110,
      "修習大學開設的文學概論先修課程，完成期末報告並取得修課證明。", { FILE_NONE, FILE_NONE }, LINK_NONE },
    { 'M', "workplace", LEAN_ANY, "文學館暑期見習", "國立臺灣文學館", NULL, NULL, 24, 40, 14,
      "在文學館教育推廣組見習兩週，協助導覽活動與展覽文宣的校對。", { FILE_NONE, FILE_NONE }, LINK_NONE },
    { 'M', "other", LEAN_ANY, "校內模範生", "{school}", "校內", NULL, 0, 0, 0,
      "經班級同學推選並由導師推薦，獲選為年度模範生。", { FILE_AWARD_PHOTO, FILE_NONE }, LINK_NONE },
    { 'M', "other", LEAN_ANY, "{city}孝悌楷模", "{bureau}", "縣市", NULL, 0, 0, 0,
      "長期協助照顧家中長輩並兼顧學業，經學校推薦獲{city}表揚。", { FILE_AWARD_PHOTO, FILE_NONE }, LINK_NONE },
};

/* A second sentence for a performance summary, two for each item F–M. */
static const char *const performance_closings[][2] = {
    { "過程中以學習日誌記錄進度與反思。", "期末於自主學習發表會分享成果。" },
    { "每週社課與期末成果發表皆全程參與。", "也學會與不同背景的同學合作溝通。" },
    { "任內定期召開幹部會議並追蹤進度。", "這段經驗讓我更懂得分工與溝通。" },
    { "服務過程中學習與不同年齡層的人溝通。", "也讓我體會到持續付出的意義。" },
    { "賽前與指導老師反覆討論並修改作品。", "比賽經驗讓我學會在壓力下穩定表現。" },
    { "作品完成後公開分享並蒐集讀者回饋。", "製作過程中學會規劃時程與分工。" },
    { "利用課餘時間自學準備。", "檢定過程讓我更清楚自己的程度與不足。" },
    { "這段經驗讓我更認識相關領域的工作。", "也提醒自己持續精進。" },
};

/* ------------------------------------------------------------------------
 * The generator's state
 * ------------------------------------------------------------------------ */

struct manifest_entry {
    char application_no[16];
    int department;
    char *sha256;
};

struct generator {
    uint64_t seed;
    const char *out_dir;
    struct attachment pool[FILE_COUNT];
    GHashTable *catalog;  /* course code → catalog entry, shared by all applicants of a school */
    int exam_serial[100]; /* the last exam number handed out in each district, 0 before the first */
    GArray *manifest;     /* struct manifest_entry */
    /* what was made, for the closing summary */
    int applications[DEPT_COUNT], self_made, course_rows, students, both_departments, rare_names;
    GString *notes;
};

/* Which departments one applicant applies to, and how. */
struct plan {
    bool applies[DEPT_COUNT];
    bool self_made[DEPT_COUNT];
    bool has_records; /* has course records in the central database */
};

struct course_row {
    enum course_id course;
    char code[32];
    int year, semester, grade, part, credits;
    int score, makeup; /* hundredths of a point, -1 for null */
    int passed;        /* 1, 0, or -1 for null */
    int counted;
    const char *record_type;
    const char *remark;
    bool in_progress;
    bool fail;         /* chosen to fail before grading */
    bool has_cohort;
    int cohort_size, cohort_rank, histogram[10];
};

/* Something the applicant may select for a department. */
struct record {
    json_t *json;
    enum leaning leaning;
};

struct student {
    int index;
    const struct school *school;
    char application_no[16];
    char name[64];
    char national_id[16];
    char gender;
    long birth_day;
    char class_name[16];  /* in grade 3, e.g. "301" */
    char first_class[16]; /* in grade 1 */
    int seat_no;
    enum leaning leaning;
    bool has_records, science_track, transferred, rare_name;
    double strength[GROUP_COUNT]; /* expected rank fraction by subject: 0 top, 1 bottom */
    GArray *rows;                 /* struct course_row */
    json_t *student_json, *cadres, *courses, *catalog;
    struct record outcomes[8];
    int outcome_count;
    struct record performances[16];
    int performance_count;
};

/* ------------------------------------------------------------------------
 * The applicant
 * ------------------------------------------------------------------------ */

/* Larger and more selective schools send more applicants to this university. */
static const struct school *pick_school(struct rng *rng)
{
    int weights[COUNT_OF(schools)];
    for (int i = 0; i < COUNT_OF(schools); i++)
        weights[i] = schools[i].classes * (schools[i].mean - 68);
    return &schools[rng_weighted(rng, weights, COUNT_OF(schools))];
}

static void make_name(struct student *s, struct rng *rng, bool force_ext_b)
{
    const char *surname = PICK(rng, surnames);
    const char *first = s->gender == 'M' ? PICK(rng, male_given) : PICK(rng, female_given);
    const char *second = first;
    while (second == first || strcmp(second, first) == 0)
        second = s->gender == 'M' ? PICK(rng, male_given) : PICK(rng, female_given);
    bool single = rng_chance(rng, 0.07);

    /* About one name in fifteen has a character outside the BMP or in Extension A. */
    if (force_ext_b || rng_chance(rng, 1.0 / 15)) {
        const char *rare = force_ext_b || rng_chance(rng, 0.75)
            ? (s->gender == 'M' ? PICK(rng, rare_male_ext_b) : PICK(rng, rare_female_ext_b))
            : rare_ext_a;
        if (single || rng_chance(rng, 0.5))
            first = rare;
        else
            second = rare;
        s->rare_name = true;
    }
    snprintf(s->name, sizeof s->name, "%s%s%s", surname, first, single ? "" : second);
}

/* A letter, the gender digit (1 male, 2 female), seven digits and a check
 * digit that makes the weighted sum a multiple of ten, as real IDs do. */
static void make_national_id(struct student *s, struct rng *rng)
{
    static const int letter_values[26] = {
        10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33,
    };
    char letter = rng_chance(rng, 0.85) ? city_of(s->school)->id_letter : PICK(rng, cities).id_letter;
    int digits[9];
    digits[0] = s->gender == 'M' ? 1 : 2;
    for (int i = 1; i < 8; i++)
        digits[i] = rng_int(rng, 0, 9);
    int value = letter_values[letter - 'A'];
    int sum = value / 10 + (value % 10) * 9;
    for (int i = 0; i < 8; i++)
        sum += digits[i] * (8 - i);
    digits[8] = (10 - sum % 10) % 10;
    s->national_id[0] = letter;
    for (int i = 0; i < 9; i++)
        s->national_id[i + 1] = (char)('0' + digits[i]);
    s->national_id[10] = '\0';
}

/* Exam numbers: two digits of the exam district, then a running number. */
static void make_application_no(struct generator *gen, struct student *s)
{
    int district = city_of(s->school)->exam_district;
    int *serial = &gen->exam_serial[district];
    if (*serial == 0) {
        struct rng start = rng_for(gen->seed, "district %d", district);
        *serial = 10000 + rng_int(&start, 0, 900);
    }
    struct rng step = rng_for(gen->seed, "exam number %d", s->index);
    *serial += rng_int(&step, 1, 9);
    snprintf(s->application_no, sizeof s->application_no, "%02d%06d", district, *serial);
}

static json_t *make_student_json(const struct student *s)
{
    json_t *student = json_object();
    json_object_set_new(student, "name", json_string(s->name));
    json_object_set_new(student, "national_id", json_string(s->national_id));
    json_object_set_new(student, "gender", json_string(s->gender == 'M' ? "M" : "F"));
    json_object_set_new(student, "birth_date", json_date(s->birth_day));
    json_t *school = json_object();
    json_object_set_new(school, "code", json_string(s->school->code));
    json_object_set_new(school, "name", json_string(s->school->name));
    json_object_set_new(student, "school", school);
    json_object_set_new(student, "program", json_string("普通科"));
    json_object_set_new(student, "class_name", json_string(s->class_name));
    json_object_set_new(student, "seat_no", json_integer(s->seat_no));
    json_object_set_new(student, "entry_year", json_integer(ENTRY_YEAR));
    json_object_set_new(student, "graduation_year", json_integer(GRADUATION_YEAR));
    json_object_set_new(student, "status", json_string("在學"));
    return student;
}

/* The class the student was in at a grade: classes are reshuffled after
 * grade 1, then kept, so grade 2 and 3 share the last two digits. */
static void class_at_grade(const struct student *s, int grade, char *out, size_t size)
{
    if (grade == 1) {
        snprintf(out, size, "%s", s->first_class);
    } else {
        snprintf(out, size, "%d%s", grade, s->class_name + 1);
    }
}

/* School cadres: up to three terms as class, club or school officer. */
static json_t *make_cadres(const struct student *s, struct rng *rng)
{
    static const int count_weights[] = { 35, 35, 20, 10 }; /* none, one, two or three terms */
    static const int level_weights[] = { 15, 60, 25 };     /* school, class, club */
    json_t *cadres = json_array();
    int count = rng_weighted(rng, count_weights, 4);
    int terms[] = { 0, 1, 2, 3, 4 }; /* 112-1 … 114-1: terms that are over */
    rng_shuffle(rng, terms, 5);
    /* In term order, so the list reads chronologically. */
    for (int t = 0; t < 5; t++) {
        bool chosen = false;
        for (int i = 0; i < count; i++)
            chosen |= terms[i] == t;
        if (!chosen)
            continue;
        int grade = 1 + t / 2, semester = 1 + t % 2, year = ENTRY_YEAR + grade - 1;
        json_t *cadre = json_object();
        char unit[64];
        const char *title;
        int level = rng_weighted(rng, level_weights, 3) + 1;
        if (level == 2) {
            class_at_grade(s, grade, unit, sizeof unit);
            strcat(unit, "班");
            title = PICK(rng, class_cadre_titles);
        } else if (level == 3) {
            snprintf(unit, sizeof unit, "%s", PICK(rng, clubs));
            title = PICK(rng, club_cadre_titles);
        } else {
            int which = rng_int(rng, 0, COUNT_OF(school_cadres) - 1);
            snprintf(unit, sizeof unit, "%s", school_cadres[which].unit);
            title = school_cadres[which].title;
        }
        json_object_set_new(cadre, "unit", json_string(unit));
        json_object_set_new(cadre, "title", json_string(title));
        json_object_set_new(cadre, "start", json_date(semester_first_day(year, semester)));
        json_object_set_new(cadre, "end", json_date(semester_last_day(year, semester)));
        json_object_set_new(cadre, "level", json_integer(level));
        json_array_append_new(cadres, cadre);
    }
    return cadres;
}

/* ------------------------------------------------------------------------
 * Course records
 * ------------------------------------------------------------------------ */

/* The 23-character course code; see the contract for the positions. */
static void course_code(char *out, size_t size, const struct school *school, enum course_id id)
{
    const struct course_def *def = &courses[id];
    /* Electives are taken across classes (2), university courses across schools (3). */
    char delivery = strchr("3457", def->category) ? '2' : def->category == 'A' ? '3' : '1';
    snprintf(out, size, "%03d%sH11101A%c%c1%s%s", ENTRY_YEAR, school->code, def->category, delivery,
             def->domain, def->subject);
}

/* The name the school uses: two-semester courses end in (一)/(二), written
 * full-width by schools that do so for their own (校訂) courses. */
static void course_name(const struct student *s, const struct course_row *row, char *out, size_t size)
{
    const struct course_def *def = &courses[row->course];
    bool full_width = def->category == '2' && s->school->full_width;
    const char *number = row->part == 1 ? "一" : "二";
    if (row->part == 0)
        snprintf(out, size, "%s", def->name);
    else
        snprintf(out, size, full_width ? "%s（%s）" : "%s(%s)", def->name, number);
}

static void add_course(struct student *s, enum course_id course, int grade, int semester, int credits, int part)
{
    struct course_row row;
    memset(&row, 0, sizeof row);
    row.course = course;
    course_code(row.code, sizeof row.code, s->school, course);
    row.grade = grade;
    row.semester = semester;
    row.year = ENTRY_YEAR + grade - 1;
    row.part = part;
    row.credits = credits;
    row.score = row.makeup = row.passed = -1;
    row.record_type = "regular";
    row.in_progress = row.year == CURRENT_YEAR && semester == 2;
    /* 團體活動時間 and 彈性學習時間 carry no credits and no grade. */
    row.counted = strchr("89", courses[course].category) ? 3 : 1;
    if (row.counted == 3)
        row.credits = 0;
    g_array_append_val(s->rows, row);
}

static void add_both_semesters(struct student *s, enum course_id course, int grade, int credits)
{
    add_course(s, course, grade, 1, credits, 0);
    add_course(s, course, grade, 2, credits, 0);
}

/* A course over two consecutive semesters, named (一) and (二). */
static void add_pair(struct student *s, enum course_id course, int grade, int semester, int credits)
{
    add_course(s, course, grade, semester, credits, 1);
    if (semester == 1)
        add_course(s, course, grade, 2, credits, 2);
    else
        add_course(s, course, grade + 1, 1, credits, 2);
}

/* 部定必修: about 118 credits over three years. */
static void plan_required_courses(struct student *s, struct rng *rng)
{
    static const enum course_id grade_one[] = {
        COURSE_CHINESE, COURSE_ENGLISH, COURSE_MATH, COURSE_HISTORY, COURSE_GEOGRAPHY, COURSE_CIVICS,
        COURSE_MUSIC, COURSE_ART, COURSE_TECH, COURSE_IT, COURSE_HEALTH, COURSE_PE, COURSE_DEFENSE,
    };
    static const int grade_one_credits[] = { 4, 4, 4, 2, 2, 2, 1, 1, 1, 1, 1, 2, 1 };
    for (int i = 0; i < COUNT_OF(grade_one); i++)
        add_both_semesters(s, grade_one[i], 1, grade_one_credits[i]);
    if (s->school->split_science) {
        add_course(s, COURSE_PHYSICS, 1, 1, 2, 0);
        add_course(s, COURSE_CHEMISTRY, 1, 1, 2, 0);
        add_course(s, COURSE_BIOLOGY, 1, 2, 2, 0);
        add_course(s, COURSE_EARTH, 1, 2, 2, 0);
    } else {
        add_both_semesters(s, COURSE_PHYSICS, 1, 1);
        add_both_semesters(s, COURSE_CHEMISTRY, 1, 1);
        add_both_semesters(s, COURSE_BIOLOGY, 1, 1);
        add_both_semesters(s, COURSE_EARTH, 1, 1);
    }
    add_course(s, COURSE_LIFE_ED, 1, 1, 1, 0);
    add_course(s, COURSE_CAREER, 1, 2, 1, 0);

    add_both_semesters(s, COURSE_CHINESE, 2, 4);
    add_both_semesters(s, COURSE_ENGLISH, 2, rng_chance(rng, 0.5) ? 3 : 4);
    add_both_semesters(s, s->science_track ? COURSE_MATH_A : COURSE_MATH_B, 2, 4);
    add_course(s, COURSE_HISTORY, 2, 1, 2, 0);
    add_course(s, COURSE_GEOGRAPHY, 2, 1, 2, 0);
    add_course(s, COURSE_CIVICS, 2, 1, 2, 0);
    add_pair(s, COURSE_INQUIRY, 2, 1, 2);
    add_both_semesters(s, COURSE_ARTS_LIFE, 2, 1);
    add_course(s, COURSE_LIFE_ED, 2, 1, 1, 0);
    add_course(s, COURSE_HOME_EC, 2, 2, 1, 0);
    add_both_semesters(s, COURSE_PE, 2, 2);

    add_both_semesters(s, COURSE_CHINESE, 3, rng_chance(rng, 0.6) ? 2 : 3);
    add_both_semesters(s, COURSE_ENGLISH, 3, 2);
    add_both_semesters(s, COURSE_PE, 3, 2);
}

/* 校訂必修 and the school's other own courses: the same for every student
 * of a school, so they come from the school's stream. */
static void plan_school_courses(struct student *s, uint64_t seed)
{
    struct rng school = rng_for(seed, "school plan %s", s->school->code);
    add_pair(s, rng_chance(&school, 0.5) ? COURSE_READING : COURSE_GLOBAL, 1, 1, 1);
    add_course(s, COURSE_PROJECT, 2, 1, 2, 0);
    if (rng_chance(&school, 0.5))
        add_course(s, COURSE_FIELD, 2, 2, 2, 0);
    if (rng_chance(&school, 0.25))
        add_course(s, COURSE_CALLIGRAPHY, 2, 2, 2, 0);
    if (s->school->group_time) {
        add_both_semesters(s, COURSE_CLUB, 1, 0);
        add_both_semesters(s, COURSE_CLUB, 2, 0);
    }
    for (int grade = 1; grade <= 3; grade++)
        add_both_semesters(s, COURSE_SELF_STUDY, grade, 0);
}

/* 加深加廣選修 by track, a few 多元選修, and the odd remedial or
 * university course. */
static void plan_electives(struct student *s, struct rng *rng)
{
    add_pair(s, COURSE_LITERATURE, 2, 1, 2);
    add_pair(s, COURSE_ENGLISH_RW, 3, 1, 2);
    if (s->science_track) {
        enum course_id sciences[] = { COURSE_PHYSICS_ADV, COURSE_CHEMISTRY_ADV, COURSE_BIOLOGY_ADV };
        int skip = rng_int(rng, 0, 2);
        for (int i = 0; i < 3; i++)
            if (i != skip)
                add_pair(s, sciences[i], i == 1 ? 3 : 2, i == 1 ? 1 : 2, 2);
        add_pair(s, COURSE_MATH_ADV_A, 3, 1, 4);
        add_course(s, COURSE_ENGLISH_LS, 2, 2, 2, 0);
    } else {
        add_course(s, COURSE_ENGLISH_LS, 2, 2, 2, 0);
        add_pair(s, COURSE_GEOGRAPHY_ADV, 2, 2, 2);
        add_pair(s, rng_chance(rng, 0.5) ? COURSE_HISTORY_ADV : COURSE_CIVICS_ADV, 3, 1, 2);
        add_pair(s, COURSE_MATH_ADV_B, 3, 1, 4);
        add_course(s, COURSE_TOPIC_READING, 3, 1, 2, 0);
        add_course(s, COURSE_EXPRESSION, 3, 2, 2, 0);
    }

    /* Diverse electives: grades 1 and 2 each semester, sometimes grade 3. */
    static const int slots[][2] = { { 1, 1 }, { 1, 2 }, { 2, 1 }, { 2, 2 }, { 3, 1 } };
    int slot_count = rng_chance(rng, 0.5) ? 5 : 4;
    bool taken[COUNT_OF(diverse_electives)] = { false };
    for (int slot = 0; slot < slot_count; slot++) {
        int pick;
        do {
            pick = rng_int(rng, 0, COUNT_OF(diverse_electives) - 1);
            enum leaning leaning = courses[diverse_electives[pick]].leaning;
            /* Applicants to literature departments lean to their kind of elective. */
            if (leaning != LEAN_ANY && leaning != s->leaning && rng_chance(rng, 0.6))
                continue;
        } while (taken[pick]);
        taken[pick] = true;
        add_course(s, diverse_electives[pick], slots[slot][0], slots[slot][1], 2, 0);
    }

    if (rng_chance(rng, 0.08))
        add_course(s, rng_chance(rng, 0.5) ? COURSE_MATH_REMEDIAL : COURSE_ENGLISH_REMEDIAL, 2, 1, 1, 0);
    if (rng_chance(rng, 0.05)) {
        add_course(s, COURSE_UNIVERSITY, 3, 1, 2, 0);
        /* University credits do not count toward graduation. */
        g_array_index(s->rows, struct course_row, s->rows->len - 1).counted = 2;
    }
}

/* A student who transferred in grade 2: grade-1 courses are recognised
 * from the old school, and one course it did not offer is made up later. */
static void mark_transfer(struct student *s)
{
    bool remarked = false;
    for (guint i = 0; i < s->rows->len; i++) {
        struct course_row *row = &g_array_index(s->rows, struct course_row, i);
        if (row->grade != 1 || row->counted == 3)
            continue;
        if (row->course == COURSE_LIFE_ED) {
            row->record_type = "makeup";
            row->year = ENTRY_YEAR + 1;
            row->semester = 2;
            row->remark = "轉入後補修。";
            continue;
        }
        row->record_type = "transfer";
        if (!remarked)
            row->remark = "轉學生，高一成績依原就讀學校採認。";
        remarked = true;
    }
}

/* ---- cohorts and scores ---- */

struct cohort {
    int size;
    int histogram[10];
    bool shown;
};

static double normal_cdf(double x, double mean, double spread)
{
    return 0.5 * erfc((mean - x) / (spread * sqrt(2.0)));
}

/* The school's students in one course and semester: a bell-shaped spread of
 * scores.  It depends only on school, code and semester, so every applicant
 * of the school sees the same cohort. */
static void make_cohort(uint64_t seed, const struct school *school, const struct course_row *row,
                        struct cohort *cohort)
{
    const struct course_def *def = &courses[row->course];
    struct rng rng = rng_for(seed, "cohort %s %d %d", row->code, row->year, row->semester);
    int grade_size = school->classes * 36;
    double mean = school->mean + rng_int(&rng, -4, 4), spread = rng_int(&rng, 85, 135) / 10.0;
    switch (def->category) {
    case '1':
    case '2': cohort->size = grade_size - rng_int(&rng, 0, grade_size / 25); break;
    case '3': cohort->size = grade_size * rng_int(&rng, 20, 55) / 100; break;
    case '4': cohort->size = rng_int(&rng, 12, 36); mean -= 10; break;
    default:  cohort->size = rng_int(&rng, 22, 46); mean += 6; spread -= 3; break;
    }
    if (def->group == GROUP_MATH || def->group == GROUP_SCIENCE)
        mean -= 4;

    /* Expected count per ten-point bin, then whole counts by largest remainder. */
    double expected[10], below = 0;
    int assigned = 0;
    for (int bin = 0; bin < 10; bin++) {
        double upto = bin == 9 ? 1.0 : normal_cdf((bin + 1) * 10.0, mean, spread);
        expected[bin] = (upto - below) * cohort->size;
        below = upto;
        cohort->histogram[bin] = (int)expected[bin];
        assigned += cohort->histogram[bin];
    }
    for (; assigned < cohort->size; assigned++) {
        int best = 0;
        for (int bin = 1; bin < 10; bin++)
            if (expected[bin] - cohort->histogram[bin] > expected[best] - cohort->histogram[best])
                best = bin;
        cohort->histogram[best]++;
    }
    cohort->shown = rng_chance(&rng, 0.9);
}

/* The score of the student ranked `rank` (1 = best): inside the histogram
 * bin that holds that rank, spread evenly, so score, rank and histogram
 * always agree.  In hundredths, rounded down to the school's decimals. */
static int score_for_rank(const struct cohort *cohort, int rank, int decimals)
{
    static const int steps[] = { 100, 10, 1 };
    int above = 0;
    for (int bin = 9; bin >= 0; bin--) {
        int count = cohort->histogram[bin];
        if (rank <= above + count) {
            double fraction = (count - (rank - above) + 0.5) / count;
            int score = bin * 1000 + (int)(fraction * (bin == 9 ? 1001 : 1000));
            score -= score % steps[decimals];
            return score > 10000 ? 10000 : score;
        }
        above += count;
    }
    return PASS_MARK;
}

static void grade_row(uint64_t seed, const struct student *s, struct course_row *row, struct rng *rng)
{
    if (row->counted == 3 || row->in_progress)
        return;
    const struct course_def *def = &courses[row->course];
    struct cohort cohort;
    make_cohort(seed, s->school, row, &cohort);

    double fraction = clamp(s->strength[def->group] + 0.12 * rng_normal(rng), 0.001, 0.999);
    int rank = 1 + (int)(fraction * cohort.size);
    if (rank > cohort.size)
        rank = cohort.size;
    if (row->fail) {
        int failing = 0;
        for (int bin = 0; bin < 6; bin++)
            failing += cohort.histogram[bin];
        if (failing > 0)
            rank = cohort.size - rng_int(rng, 0, failing - 1);
    }
    row->score = score_for_rank(&cohort, rank, s->school->decimals);
    row->passed = row->score >= PASS_MARK;
    if (!row->passed && rng_chance(rng, 0.55))
        row->makeup = rng_int(rng, 40, 85) * 100;
    /* Cohorts are only known for courses taken here in the regular way. */
    row->has_cohort = cohort.shown && strcmp(row->record_type, "regular") == 0;
    row->cohort_size = cohort.size;
    row->cohort_rank = rank;
    memcpy(row->histogram, cohort.histogram, sizeof row->histogram);
}

/* A failed course not passed at the make-up exam is often retaken (重修)
 * the next school year; the retake then carries the credits. */
static void add_retakes(struct student *s, struct rng *rng)
{
    guint count = s->rows->len;
    for (guint i = 0; i < count; i++) {
        struct course_row failed = g_array_index(s->rows, struct course_row, i);
        if (failed.passed != 0 || failed.makeup >= PASS_MARK || !rng_chance(rng, 0.6))
            continue;
        int year = failed.year + 1;
        if (year > CURRENT_YEAR || (year == CURRENT_YEAR && failed.semester == 2))
            continue;
        g_array_index(s->rows, struct course_row, i).counted = 2;
        struct course_row retake = failed;
        retake.year = year;
        retake.record_type = "retake";
        retake.score = rng_int(rng, 60, 78) * 100;
        retake.passed = 1;
        retake.makeup = -1;
        retake.counted = 1;
        retake.has_cohort = false;
        retake.remark = NULL;
        g_array_append_val(s->rows, retake);
    }
}

static int record_type_order(const char *type)
{
    return strcmp(type, "regular") == 0 ? 0 : strcmp(type, "transfer") == 0 ? 1 : 2;
}

/* Transcript order: school year, semester, course code, part. */
static int compare_rows(const void *a, const void *b)
{
    const struct course_row *x = a, *y = b;
    if (x->year != y->year)
        return x->year - y->year;
    if (x->semester != y->semester)
        return x->semester - y->semester;
    int by_code = strcmp(x->code, y->code);
    if (by_code != 0)
        return by_code;
    if (x->part != y->part)
        return x->part - y->part;
    return record_type_order(x->record_type) - record_type_order(y->record_type);
}

static void make_course_rows(uint64_t seed, struct student *s, struct rng *rng)
{
    plan_required_courses(s, rng);
    plan_school_courses(s, seed);
    plan_electives(s, rng);
    if (s->transferred)
        mark_transfer(s);

    /* A third of the students fail a course or more. */
    static const int fail_weights[] = { 65, 20, 10, 5 }; /* how many of 0–3 */
    int fails = rng_weighted(rng, fail_weights, 4);
    for (int i = 0; i < fails; i++) {
        struct course_row *row = &g_array_index(s->rows, struct course_row, rng_int(rng, 0, (int)s->rows->len - 1));
        char category = courses[row->course].category;
        if (row->counted == 1 && !row->in_progress && (category == '1' || category == '3'))
            row->fail = true;
    }
    for (guint i = 0; i < s->rows->len; i++)
        grade_row(seed, s, &g_array_index(s->rows, struct course_row, i), rng);
    add_retakes(s, rng);
    for (guint i = 0; i < s->rows->len; i++) {
        struct course_row *row = &g_array_index(s->rows, struct course_row, i);
        /* Teachers write remarks about students who do well. */
        if (row->score >= 7500 && !row->remark && strcmp(row->record_type, "regular") == 0 && rng_chance(rng, 0.05))
            row->remark = PICK(rng, teacher_remarks);
    }
    qsort(s->rows->data, s->rows->len, sizeof(struct course_row), compare_rows);
}

/* A score as JSON: an integer when whole, else a number with one or two decimals. */
static json_t *json_score(int hundredths)
{
    if (hundredths < 0)
        return json_null();
    if (hundredths % 100 == 0)
        return json_integer(hundredths / 100);
    return json_real(hundredths / 100.0);
}

static json_t *make_courses_json(const struct student *s)
{
    json_t *array = json_array();
    for (guint i = 0; i < s->rows->len; i++) {
        const struct course_row *row = &g_array_index(s->rows, struct course_row, i);
        char name[128];
        course_name(s, row, name, sizeof name);
        json_t *course = json_object();
        json_object_set_new(course, "year", json_integer(row->year));
        json_object_set_new(course, "semester", json_integer(row->semester));
        json_object_set_new(course, "grade", json_integer(row->grade));
        json_object_set_new(course, "code", json_string(row->code));
        json_object_set_new(course, "name", json_string(name));
        json_object_set_new(course, "credits", json_integer(row->credits));
        json_object_set_new(course, "score", json_score(row->score));
        json_object_set_new(course, "passed", row->passed < 0 ? json_null() : json_boolean(row->passed));
        json_object_set_new(course, "makeup_score", json_score(row->makeup));
        json_object_set_new(course, "counted", json_integer(row->counted));
        json_object_set_new(course, "record_type", json_string(row->record_type));
        json_object_set_new(course, "in_progress", json_boolean(row->in_progress));
        if (row->has_cohort) {
            json_t *cohort = json_object(), *histogram = json_array();
            for (int bin = 0; bin < 10; bin++)
                json_array_append_new(histogram, json_integer(row->histogram[bin]));
            json_object_set_new(cohort, "size", json_integer(row->cohort_size));
            json_object_set_new(cohort, "rank", json_integer(row->cohort_rank));
            json_object_set_new(cohort, "histogram", histogram);
            json_object_set_new(course, "cohort", cohort);
        }
        if (row->remark)
            json_object_set_new(course, "remark", json_string(row->remark));
        json_array_append_new(array, course);
    }
    return array;
}

/* ---- the course plan platform (課程計畫平臺) ---- */

static const char *const syllabus_goals[] = {
    "理解{c}的核心概念，並能運用於生活情境。",
    "培養閱讀、分析與表達的能力，能有條理地說明自己的觀點。",
    "透過小組合作與公開發表，提升溝通表達與團隊合作能力。",
    "養成自主學習的習慣，能規劃並反思自己的學習歷程。",
    "發展批判思考能力，能從多元觀點檢視資料與論述。",
};
static const char *const syllabus_methods[] = {
    "以講述、提問與小組討論交錯進行。",
    "搭配學習單與線上平臺，引導學生課前預習、課後延伸。",
    "安排分組專題，學生需完成書面成果並公開發表。",
    "每學期邀請校外講者分享實務經驗。",
    "透過實驗、實作或實地踏查，讓學生親身蒐集資料。",
};
static const char *const syllabus_assessments[] = {
    "平時表現30%、作業與學習單30%、期中與期末評量40%。",
    "課堂參與20%、小組專題40%、紙筆測驗40%。",
    "學習單與作業30%、實作成果40%、課堂表現30%。",
};

static char *make_syllabus(const struct course_def *def, struct rng *rng)
{
    GString *text = g_string_new("【學習目標】");
    g_string_append(text, PICK(rng, syllabus_goals));
    g_string_append(text, "【課程內容】");
    g_string_append(text, def->content);
    if (rng_chance(rng, 0.4)) {
        g_string_append(text, "【教學方法】");
        g_string_append(text, PICK(rng, syllabus_methods));
    }
    g_string_append(text, "【評量方式】");
    if (strchr("89", def->category))
        g_string_append(text, "本課程不評定學期成績，以計畫書、學習紀錄與成果發表檢核。");
    else
        g_string_append(text, PICK(rng, syllabus_assessments));
    g_string_replace(text, "{c}", def->name, 0);
    return g_string_free(text, FALSE);
}

static json_t *string_list(int count, const char *const *items)
{
    json_t *array = json_array();
    for (int i = 0; i < count; i++)
        json_array_append_new(array, json_string(items[i]));
    return array;
}

/* The catalog entry of one course code, made once and shared by every
 * application that cites the code. */
static json_t *catalog_entry(struct generator *gen, const struct course_row *row)
{
    json_t *entry = g_hash_table_lookup(gen->catalog, row->code);
    if (entry)
        return entry;
    const struct course_def *def = &courses[row->course];
    struct rng rng = rng_for(gen->seed, "catalog %s", row->code);
    bool elective = strchr("57A", def->category) != NULL;

    entry = json_object();
    json_object_set_new(entry, "name_en", json_string(def->name_en));
    int roll = rng_int(&rng, 0, 99);
    if (def->category == 'A')
        json_object_set_new(entry, "teacher_source", string_list(1, (const char *[]){ "外聘(大學)" }));
    else if (elective && roll < 20)
        json_object_set_new(entry, "teacher_source", string_list(1, (const char *[]){ "外聘(大學)" }));
    else if (elective && roll < 30)
        json_object_set_new(entry, "teacher_source", string_list(2, (const char *[]){ "校內專任", "外聘(其他)" }));
    else if (elective && roll < 38)
        json_object_set_new(entry, "teacher_source", string_list(1, (const char *[]){ "跨校協同" }));
    else if (roll < 12)
        json_object_set_new(entry, "teacher_source", string_list(2, (const char *[]){ "校內專任", "校內跨科協同" }));
    else
        json_object_set_new(entry, "teacher_source", string_list(1, (const char *[]){ "校內專任" }));
    json_object_set_new(entry, "required", json_boolean(strchr("128", def->category) != NULL));
    json_object_set_new(entry, "domain", json_string(domain_names[atoi(def->domain)]));
    /* Only the school's own courses are designed as cross-domain courses. */
    static const char *const cross_domains[] = { NULL, "統整型", "探究型", "實作型" };
    const char *cross = strchr("257", def->category) ? PICK(&rng, cross_domains) : NULL;
    json_object_set_new(entry, "cross_domain", cross ? json_string(cross) : json_null());
    json_object_set_new(entry, "origin", json_string(strchr("13", def->category) ? "部定" : "學校自行規劃"));
    /* Two to four core competencies, in order (selection sampling). */
    static const char *const competencies[] = { "A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3" };
    json_t *list = json_array();
    int wanted = rng_int(&rng, 2, 4);
    for (int i = 0; i < COUNT_OF(competencies) && wanted > 0; i++) {
        if (rng_int(&rng, 0, COUNT_OF(competencies) - i - 1) < wanted) {
            json_array_append_new(list, json_string(competencies[i]));
            wanted--;
        }
    }
    json_object_set_new(entry, "competencies", list);
    char *syllabus = make_syllabus(def, &rng);
    json_object_set_new(entry, "syllabus", json_string(syllabus));
    g_free(syllabus);

    g_hash_table_insert(gen->catalog, g_strdup(row->code), entry);
    return entry;
}

static int compare_codes(const void *a, const void *b)
{
    const struct course_row *const *x = a, *const *y = b;
    return strcmp((*x)->code, (*y)->code);
}

/* Every course code the applicant's records use, in code order. */
static json_t *make_catalog_json(struct generator *gen, const struct student *s)
{
    if (s->rows->len == 0)
        return json_object();
    const struct course_row **rows = g_new(const struct course_row *, s->rows->len);
    for (guint i = 0; i < s->rows->len; i++)
        rows[i] = &g_array_index(s->rows, struct course_row, i);
    qsort(rows, s->rows->len, sizeof *rows, compare_codes);
    json_t *catalog = json_object();
    for (guint i = 0; i < s->rows->len; i++)
        if (!json_object_get(catalog, rows[i]->code))
            json_object_set(catalog, rows[i]->code, catalog_entry(gen, rows[i]));
    g_free(rows);
    return catalog;
}

/* ------------------------------------------------------------------------
 * Outcomes, performances and their files
 * ------------------------------------------------------------------------ */

/* Replaces {school}, {city} and {bureau} (the city's education bureau). */
static char *fill_in(const char *template, const struct school *school)
{
    GString *text = g_string_new(template);
    char *bureau = g_strconcat(school->city, g_str_has_suffix(school->city, "市") ? "政府教育局" : "政府教育處", NULL);
    g_string_replace(text, "{school}", school->name, 0);
    g_string_replace(text, "{city}", school->city, 0);
    g_string_replace(text, "{bureau}", bureau, 0);
    g_free(bureau);
    return g_string_free(text, FALSE);
}

/* A file reference {sha256, name, media_type, size}; the name is what this
 * applicant happened to call the shared file. */
static json_t *file_ref(struct generator *gen, enum attachment_id id, struct rng *rng)
{
    static const char *const suffixes[] = { "", "", "", "_定稿", "_final", "(1)", "_v2" };
    const struct attachment_spec *spec = &attachment_specs[id];
    const struct attachment *attachment = &gen->pool[id];
    char name[256];
    snprintf(name, sizeof name, "%s%s.%s", spec->file_name, spec->kind == KIND_JPEG ? "" : PICK(rng, suffixes),
             extensions[spec->kind]);
    json_t *ref = json_object();
    json_object_set_new(ref, "sha256", json_string(attachment->sha256));
    json_object_set_new(ref, "name", json_string(name));
    json_object_set_new(ref, "media_type", json_string(media_types[spec->kind]));
    json_object_set_new(ref, "size", json_integer(attachment->bytes->len));
    return ref;
}

/* The files of a record: the first usually, the second sometimes. */
static json_t *record_files(struct generator *gen, const enum attachment_id files[2], double first_chance,
                            struct rng *rng)
{
    json_t *array = json_array();
    if (files[0] != FILE_NONE && rng_chance(rng, first_chance))
        json_array_append_new(array, file_ref(gen, files[0], rng));
    if (files[1] != FILE_NONE && rng_chance(rng, 0.5))
        json_array_append_new(array, file_ref(gen, files[1], rng));
    return array;
}

/* A summary: the lead sentence, and a closing one when both fit in 100 characters. */
static char *summary(const char *lead, const char *closing)
{
    GString *text = g_string_new(lead);
    append_if_fits(text, closing, 100);
    return g_string_free(text, FALSE);
}

/* Upload times: students upload at night, near the end of the semester. */
static long upload_day(int year, int semester, struct rng *rng)
{
    if (semester == 1)
        return days_from_civil(year + 1911, 12, 1) + rng_int(rng, 0, 48);
    return days_from_civil(year + 1912, 5, 20) + rng_int(rng, 0, 38);
}

static int evening_minute(struct rng *rng)
{
    return rng_int(rng, 19 * 60, 23 * 60 + 59);
}

static bool suits(enum leaning record, enum leaning wanted)
{
    return record == LEAN_ANY || record == wanted;
}

/* 2–6 course outcomes, each from a graded course of the right kind. */
static void make_outcomes(struct generator *gen, struct student *s, struct rng *rng)
{
    int order[COUNT_OF(outcome_templates)];
    for (int i = 0; i < COUNT_OF(order); i++)
        order[i] = i;
    rng_shuffle(rng, order, COUNT_OF(order));
    int target = rng_int(rng, 2, 6);
    for (int t = 0; t < COUNT_OF(order) && s->outcome_count < target; t++) {
        const struct outcome_template *template = &outcome_templates[order[t]];
        if (!suits(template->leaning, s->leaning) && !rng_chance(rng, 0.3))
            continue;
        int candidates[256], count = 0;
        for (guint i = 0; i < s->rows->len && count < COUNT_OF(candidates); i++) {
            const struct course_row *row = &g_array_index(s->rows, struct course_row, i);
            if (courses[row->course].group == template->group && row->score >= 0 &&
                strcmp(row->record_type, "regular") == 0)
                candidates[count++] = (int)i;
        }
        if (count == 0)
            continue;
        const struct course_row *row = &g_array_index(s->rows, struct course_row, candidates[rng_int(rng, 0, count - 1)]);
        char id[16], name[128];
        snprintf(id, sizeof id, "CO%d", s->outcome_count + 1);
        course_name(s, row, name, sizeof name);
        long uploaded = upload_day(row->year, row->semester, rng);
        bool certified = rng_chance(rng, 0.88);
        /* One draw per statement: the order in which a compiler evaluates
         * arguments is unspecified, and the output must not depend on it. */
        long certified_day = uploaded + rng_int(rng, 2, 20);
        int certified_minute = rng_int(rng, 9 * 60, 17 * 60);
        char *text = summary(template->lead, outcome_closings[template->item - 'B'][rng_int(rng, 0, 1)]);

        json_t *outcome = json_object();
        json_object_set_new(outcome, "id", json_string(id));
        json_object_set_new(outcome, "item", json_stringn(&template->item, 1));
        json_object_set_new(outcome, "year", json_integer(row->year));
        json_object_set_new(outcome, "semester", json_integer(row->semester));
        json_object_set_new(outcome, "course_code", json_string(row->code));
        json_object_set_new(outcome, "course_name", json_string(name));
        json_object_set_new(outcome, "title", json_string(template->title));
        json_object_set_new(outcome, "summary", json_string(text));
        json_object_set_new(outcome, "certified", json_boolean(certified));
        json_object_set_new(outcome, "certified_at", certified ? json_time(certified_day, certified_minute) : json_null());
        json_object_set_new(outcome, "uploaded_at", json_time(uploaded, evening_minute(rng)));
        json_object_set_new(outcome, "files", record_files(gen, template->files, 1.0, rng));
        g_free(text);
        s->outcomes[s->outcome_count++] = (struct record){ outcome, template->leaning };
    }
}

static json_t *make_links(enum link_kind kind, struct rng *rng)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    json_t *links = json_array();
    if (kind == LINK_NONE || !rng_chance(rng, 0.6))
        return links;
    char token[16], url[128];
    int length = kind == LINK_VIDEO ? 11 : rng_int(rng, 6, 10);
    for (int i = 0; i < length; i++)
        token[i] = kind == LINK_VIDEO ? alphabet[rng_int(rng, 0, 63)] : alphabet[rng_int(rng, 26, 51)];
    token[length] = '\0';
    if (kind == LINK_VIDEO)
        snprintf(url, sizeof url, "https://www.youtube.com/watch?v=%s", token);
    else if (rng_chance(rng, 0.5))
        snprintf(url, sizeof url, "https://sites.google.com/view/%s", token);
    else
        snprintf(url, sizeof url, "https://hackmd.io/@%s/portfolio", token);
    json_array_append_new(links, json_string(url));
    return links;
}

static void set_filled(json_t *object, const char *key, const char *template, const struct school *school)
{
    if (!template) {
        json_object_set_new(object, key, json_null());
        return;
    }
    char *text = fill_in(template, school);
    json_object_set_new(object, key, json_string(text));
    g_free(text);
}

static json_t *make_performance(struct generator *gen, struct student *s, const struct performance_template *template,
                                struct rng *rng)
{
    /* Terms that are over: 112-1 … 114-1. */
    static const int terms[][2] = { { 112, 1 }, { 112, 2 }, { 113, 1 }, { 113, 2 }, { 114, 1 } };
    int term = rng_int(rng, 0, COUNT_OF(terms) - 1);
    int year = terms[term][0], semester = terms[term][1];
    long start, end = -1;
    if (template->days < 0) { /* the school year, or its first half if still running */
        semester = 1;
        start = semester_first_day(year, 1);
        end = semester_last_day(year, year < CURRENT_YEAR ? 2 : 1);
    } else {
        long first = semester_first_day(year, semester), last = semester_last_day(year, semester);
        long room = last - first - template->days;
        start = first + rng_int(rng, 0, room > 0 ? (int)room : 0);
        if (template->days > 0)
            end = start + rng_int(rng, template->days / 2, template->days);
    }
    long uploaded = (end >= 0 ? end : start) + rng_int(rng, 3, 40);
    if (uploaded > LAST_UPLOAD_DAY)
        uploaded = LAST_UPLOAD_DAY;

    char id[16];
    snprintf(id, sizeof id, "MP%d", s->performance_count + 1);
    json_t *performance = json_object();
    json_object_set_new(performance, "id", json_string(id));
    json_object_set_new(performance, "item", json_stringn(&template->item, 1));
    json_object_set_new(performance, "kind", json_string(template->kind));
    json_object_set_new(performance, "year", json_integer(year));
    json_object_set_new(performance, "semester", json_integer(semester));
    set_filled(performance, "title", template->title, s->school);
    set_filled(performance, "organizer", template->organizer, s->school);
    json_object_set_new(performance, "start", json_date(start));
    json_object_set_new(performance, "end", end >= 0 ? json_date(end) : json_null());
    if (template->hours_high == 0)
        json_object_set_new(performance, "hours", json_null());
    else if (template->item == 'I' && rng_chance(rng, 0.3)) /* service hours come in halves */
        json_object_set_new(performance, "hours", json_real(rng_int(rng, template->hours_low, template->hours_high) + 0.5));
    else
        json_object_set_new(performance, "hours", json_integer(rng_int(rng, template->hours_low, template->hours_high)));
    set_filled(performance, "level", template->level, s->school);
    if (template->awards) {
        char **awards = g_strsplit(template->awards, "|", 0);
        json_object_set_new(performance, "award", json_string(awards[rng_int(rng, 0, (int)g_strv_length(awards) - 1)]));
        g_strfreev(awards);
    } else {
        json_object_set_new(performance, "award", json_null());
    }
    char *lead = fill_in(template->lead, s->school);
    char *text = summary(lead, performance_closings[template->item - 'F'][rng_int(rng, 0, 1)]);
    json_object_set_new(performance, "summary", json_string(text));
    g_free(text);
    g_free(lead);
    json_object_set_new(performance, "uploaded_at", json_time(uploaded, evening_minute(rng)));
    json_object_set_new(performance, "files", record_files(gen, template->files, 0.8, rng));
    json_object_set_new(performance, "links", make_links(template->link, rng));
    return performance;
}

/* 2–14 performances, mostly ones that suit the applicant. */
static void make_performances(struct generator *gen, struct student *s, struct rng *rng)
{
    int order[COUNT_OF(performance_templates)];
    for (int i = 0; i < COUNT_OF(order); i++)
        order[i] = i;
    rng_shuffle(rng, order, COUNT_OF(order));
    int target = rng_int(rng, 2, 14);
    for (int t = 0; t < COUNT_OF(order) && s->performance_count < target; t++) {
        const struct performance_template *template = &performance_templates[order[t]];
        if (!suits(template->leaning, s->leaning) && !rng_chance(rng, 0.3))
            continue;
        json_t *performance = make_performance(gen, s, template, rng);
        s->performances[s->performance_count++] = (struct record){ performance, template->leaning };
    }
}

/* ------------------------------------------------------------------------
 * The applicant, whole
 * ------------------------------------------------------------------------ */

static void make_student(struct generator *gen, struct student *s, int index, const struct plan *plan)
{
    struct rng rng = rng_for(gen->seed, "student %d", index);
    memset(s, 0, sizeof *s);
    s->index = index;
    s->school = pick_school(&rng);
    s->gender = s->school->gender ? s->school->gender : rng_chance(&rng, 0.62) ? 'F' : 'M';
    /* The fifth applicant always has a CJK Extension B name, so every round tests one. */
    make_name(s, &rng, index == 4);
    make_national_id(s, &rng);
    make_application_no(gen, s);
    s->birth_day = days_from_civil(2007, 9, 2) + rng_int(&rng, 0, 364);
    snprintf(s->class_name, sizeof s->class_name, "3%02d", rng_int(&rng, 1, s->school->classes));
    snprintf(s->first_class, sizeof s->first_class, "1%02d", rng_int(&rng, 1, s->school->classes));
    s->seat_no = rng_int(&rng, 1, 36);
    s->has_records = plan->has_records;
    if (plan->applies[DEPT_CHINESE] && plan->applies[DEPT_FOREIGN])
        s->leaning = rng_chance(&rng, 0.5) ? LEAN_CHINESE : LEAN_FOREIGN;
    else
        s->leaning = departments[plan->applies[DEPT_CHINESE] ? DEPT_CHINESE : DEPT_FOREIGN].leaning;
    s->science_track = rng_chance(&rng, 0.18);
    /* The third applicant always transferred in grade 2, so every round has
     * transfer and make-up (補修) records. */
    s->transferred = index == 2 || rng_chance(&rng, 0.03);

    /* Rank fraction by subject (0 best): good students, stronger in languages. */
    double ability = 0.04 + 0.5 * pow(rng_unit(&rng), 1.3);
    for (int group = 0; group < GROUP_COUNT; group++)
        s->strength[group] = ability + 0.1 * rng_normal(&rng);
    s->strength[s->leaning == LEAN_CHINESE ? GROUP_CHINESE : GROUP_ENGLISH] -= 0.1;
    if (!s->science_track) {
        s->strength[GROUP_MATH] += 0.12;
        s->strength[GROUP_SCIENCE] += 0.12;
    }
    for (int group = 0; group < GROUP_COUNT; group++)
        s->strength[group] = clamp(s->strength[group], 0.01, 0.95);

    s->rows = g_array_new(FALSE, FALSE, sizeof(struct course_row));
    s->student_json = make_student_json(s);
    if (s->has_records) {
        s->cadres = make_cadres(s, &rng);
        make_course_rows(gen->seed, s, &rng);
        make_outcomes(gen, s, &rng);
        make_performances(gen, s, &rng);
    } else {
        s->cadres = json_array();
    }
    s->courses = make_courses_json(s);
    s->catalog = make_catalog_json(gen, s);
}

static void free_student(struct student *s)
{
    g_array_free(s->rows, TRUE);
    json_decref(s->student_json);
    json_decref(s->cadres);
    json_decref(s->courses);
    json_decref(s->catalog);
    for (int i = 0; i < s->outcome_count; i++)
        json_decref(s->outcomes[i].json);
    for (int i = 0; i < s->performance_count; i++)
        json_decref(s->performances[i].json);
}

/* ------------------------------------------------------------------------
 * One application
 * ------------------------------------------------------------------------ */

/* Up to `want` records for a department: those that suit it first, then
 * listed in the applicant's own order. */
static json_t *select_records(const struct record *records, int count, int want, enum leaning department,
                              struct rng *rng)
{
    int order[16];
    double keys[16];
    for (int i = 0; i < count; i++) {
        order[i] = i;
        keys[i] = (suits(records[i].leaning, department) ? 0 : 1) + rng_unit(rng);
    }
    for (int i = 1; i < count; i++) /* insertion sort by key */
        for (int j = i; j > 0 && keys[order[j]] < keys[order[j - 1]]; j--) {
            int swap = order[j];
            order[j] = order[j - 1];
            order[j - 1] = swap;
        }
    bool chosen[16] = { false };
    for (int i = 0; i < count && i < want; i++)
        chosen[order[i]] = true;
    json_t *array = json_array();
    for (int i = 0; i < count; i++)
        if (chosen[i])
            json_array_append(array, records[i].json);
    return array;
}

static json_t *upload(char item, int department, const char *text, json_t *files)
{
    json_t *entry = json_object();
    json_object_set_new(entry, "item", json_stringn(&item, 1));
    json_object_set_new(entry, "title", json_string(item_name(item, department)));
    json_object_set_new(entry, "text", text ? json_string(text) : json_null());
    json_object_set_new(entry, "files", files ? files : json_array());
    return entry;
}

/* A PDF of the pool for an item, one that suits the department if there is one. */
static enum attachment_id pick_pdf(char item, enum leaning leaning, struct rng *rng)
{
    int fitting[FILE_COUNT], fitting_count = 0, any[FILE_COUNT], any_count = 0;
    for (int id = 0; id < FILE_COUNT; id++) {
        const struct attachment_spec *spec = &attachment_specs[id];
        if (spec->kind != KIND_PDF || !strchr(spec->items, item))
            continue;
        any[any_count++] = id;
        if (suits(spec->leaning, leaning))
            fitting[fitting_count++] = id;
    }
    if (fitting_count > 0)
        return (enum attachment_id)fitting[rng_int(rng, 0, fitting_count - 1)];
    if (any_count == 0) {
        fprintf(stderr, "generate: no PDF in the pool for item %c\n", item);
        exit(1);
    }
    return (enum attachment_id)any[rng_int(rng, 0, any_count - 1)];
}

static json_t *one_file(struct generator *gen, enum attachment_id id, struct rng *rng)
{
    json_t *files = json_array();
    json_array_append_new(files, file_ref(gen, id, rng));
    return files;
}

/* 多元表現綜整心得 (at most 800 characters), drawing on the performances chosen. */
static char *performance_summary(json_t *performances, struct rng *rng)
{
    const size_t limit = 800, closing_room = 40;
    GString *text = g_string_new(PICK(rng, summary_openings));
    int link = rng_int(rng, 0, COUNT_OF(summary_links) - 1), used = 0;
    size_t index;
    json_t *performance;
    json_array_foreach(performances, index, performance) {
        if (used == 4)
            break;
        GString *sentence = g_string_new(summary_links[(link + used) % COUNT_OF(summary_links)]);
        g_string_replace(sentence, "{t}", json_string_value(json_object_get(performance, "title")), 0);
        if (append_if_fits(text, sentence->str, limit - closing_room))
            used++;
        g_string_free(sentence, TRUE);
    }
    append_if_fits(text, PICK(rng, summary_closings), limit);
    return g_string_free(text, FALSE);
}

/* N, O, P and Q, sometimes R: mostly typed text, now and then a PDF. */
static json_t *portfolio_uploads(struct generator *gen, const struct student *s, int department,
                                 json_t *performances, struct rng *rng)
{
    enum leaning leaning = departments[department].leaning;
    json_t *uploads = json_array();
    char *text = performance_summary(performances, rng);
    json_array_append_new(uploads, upload('N', department, text, NULL));
    g_free(text);

    /* The reflection is about the applicant, not the department: both of a
     * two-department applicant's applications carry the same one. */
    struct rng reflection_rng = rng_for(gen->seed, "reflection %d", s->index);
    if (rng_chance(&reflection_rng, 0.8)) {
        GString *reflection = g_string_new(NULL);
        append_in_order(reflection, &reflection_rng, reflection_sentences, rng_int(&reflection_rng, 6, 9), 3, 1000);
        json_array_append_new(uploads, upload('O', department, reflection->str, NULL));
        g_string_free(reflection, TRUE);
    } else {
        json_array_append_new(uploads, upload('O', department, NULL, one_file(gen, FILE_REFLECTION, &reflection_rng)));
    }

    const char *const *motivation = leaning == LEAN_CHINESE ? motivation_chinese_sentences : motivation_foreign_sentences;
    const char *const *plan = leaning == LEAN_CHINESE ? plan_chinese_sentences : plan_foreign_sentences;
    /* 外國語文學系 takes a motivation in English too; some applicants write one. */
    if (leaning == LEAN_FOREIGN && rng_chance(rng, 0.3))
        motivation = motivation_english_sentences;
    const char items[] = { 'P', 'Q' };
    for (int i = 0; i < 2; i++) {
        if (rng_chance(rng, 0.82)) {
            GString *statement = g_string_new(NULL);
            append_in_order(statement, rng, i == 0 ? motivation : plan, rng_int(rng, 5, 7), 2, 1000);
            json_array_append_new(uploads, upload(items[i], department, statement->str, NULL));
            g_string_free(statement, TRUE);
        } else {
            enum attachment_id pdf = i == 0 ? (leaning == LEAN_CHINESE ? FILE_MOTIVATION_CHINESE : FILE_MOTIVATION_FOREIGN)
                                            : (leaning == LEAN_CHINESE ? FILE_PLAN_CHINESE : FILE_PLAN_FOREIGN);
            json_array_append_new(uploads, upload(items[i], department, NULL, one_file(gen, pdf, rng)));
        }
    }

    /* R is the department's own item: 英文自傳 at 外國語文學系, which nearly
     * everyone supplies; 其他有利審查資料 elsewhere, which few do. */
    if (department == DEPT_FOREIGN) {
        if (rng_chance(rng, 0.85)) {
            GString *autobiography = g_string_new(NULL);
            append_in_order(autobiography, rng, autobiography_sentences, rng_int(rng, 5, 8), 3, 3000);
            g_string_replace(autobiography, "\n", "\n\n", 0); /* English paragraphs */
            json_array_append_new(uploads, upload('R', department, autobiography->str, NULL));
            g_string_free(autobiography, TRUE);
        } else if (rng_chance(rng, 0.7)) {
            json_array_append_new(uploads, upload('R', department, NULL, one_file(gen, FILE_AUTOBIOGRAPHY, rng)));
        }
    } else if (rng_chance(rng, 0.12)) {
        static const enum attachment_id pictures[] = { FILE_SOCIAL_MEDIA_CHART, FILE_CLUB_POSTER, FILE_STREET_PHOTO };
        json_t *files = json_array();
        if (rng_chance(rng, 0.5)) {
            json_array_append_new(files, file_ref(gen, FILE_PORTFOLIO, rng));
        } else {
            int first = rng_int(rng, 0, COUNT_OF(pictures) - 1), count = rng_int(rng, 1, 2);
            for (int i = 0; i < count; i++)
                json_array_append_new(files, file_ref(gen, pictures[(first + i) % COUNT_OF(pictures)], rng));
        }
        json_array_append_new(uploads, upload('R', department, rng_chance(rng, 0.3)
            ? "附上高中期間的代表作品，包含校刊專題、成果展主視覺與公演紀錄，供教授參考。" : NULL, files));
    }
    return uploads;
}

/* A self-made application: every item is an upload with one PDF. */
static json_t *self_made_uploads(struct generator *gen, int department, struct rng *rng)
{
    enum leaning leaning = departments[department].leaning;
    char items[24];
    int count = 0;
    items[count++] = 'A';
    items[count++] = rng_chance(rng, 0.75) ? 'B' : 'C';
    if (rng_chance(rng, 0.3))
        items[count++] = rng_chance(rng, 0.5) ? 'D' : 'E';
    char extras[] = "FGHJK"; /* the other items the pool has a PDF for */
    int extra_count = rng_int(rng, 1, 3);
    for (int i = 0; i < extra_count; i++) {
        int pick = rng_int(rng, 0, (int)strlen(extras) - 1);
        items[count++] = extras[pick];
        memmove(extras + pick, extras + pick + 1, strlen(extras + pick)); /* no item twice */
    }
    items[count++] = 'O';
    items[count++] = 'P';
    items[count++] = 'Q';
    if (department == DEPT_FOREIGN || rng_chance(rng, 0.15)) /* 英文自傳 is asked for there */
        items[count++] = 'R';

    json_t *uploads = json_array();
    for (char item = 'A'; item <= 'R'; item++) /* in item order */
        if (memchr(items, item, (size_t)count))
            json_array_append_new(uploads, upload(item, department, NULL, one_file(gen, pick_pdf(item, leaning, rng), rng)));
    return uploads;
}

static json_t *make_application(struct generator *gen, const struct student *s, int department, bool self_made)
{
    struct rng rng = rng_for(gen->seed, "application %d %d", s->index, department);
    long submitted_day = days_from_civil(2026, 3, 16) + rng_int(&rng, 0, 10);
    int submitted_minute = rng_int(&rng, 8 * 60, 23 * 60 + 30);
    json_t *app = json_object();
    json_object_set_new(app, "format", json_string("lp-application"));
    json_object_set_new(app, "version", json_integer(1));
    json_object_set_new(app, "application_no", json_string(s->application_no));
    json_object_set_new(app, "department", json_string(departments[department].code));
    json_object_set_new(app, "source", json_string(self_made ? "self_made_pdf" : "portfolio"));
    json_object_set_new(app, "submitted_at", json_time(submitted_day, submitted_minute));
    /* The student and course records are the same in every application of an applicant. */
    json_object_set(app, "student", s->student_json);
    json_object_set(app, "cadres", s->cadres);
    json_object_set(app, "courses", s->courses);
    json_object_set(app, "course_catalog", s->catalog);
    if (self_made) {
        json_object_set_new(app, "course_outcomes", json_array());
        json_object_set_new(app, "performances", json_array());
        json_object_set_new(app, "uploads", self_made_uploads(gen, department, &rng));
    } else {
        static const int outcome_weights[] = { 5, 8, 15, 72 }; /* how many of 0–3 */
        enum leaning leaning = departments[department].leaning;
        int outcomes = rng_weighted(&rng, outcome_weights, 4);
        int performances = rng_chance(&rng, 0.06) ? 0 : rng_int(&rng, 3, 10);
        json_t *chosen = select_records(s->performances, s->performance_count, performances, leaning, &rng);
        json_object_set_new(app, "course_outcomes", select_records(s->outcomes, s->outcome_count, outcomes, leaning, &rng));
        json_object_set_new(app, "performances", chosen);
        json_object_set_new(app, "uploads", portfolio_uploads(gen, s, department, chosen, &rng));
    }
    return app;
}

/* ------------------------------------------------------------------------
 * Writing the package
 * ------------------------------------------------------------------------ */

static void write_file(const char *path, const void *data, size_t size)
{
    FILE *file = fopen(path, "wb");
    if (!file) {
        fprintf(stderr, "generate: cannot create %s: %s\n", path, strerror(errno));
        exit(1);
    }
    bool written = fwrite(data, 1, size, file) == size;
    if (fclose(file) != 0 || !written) {
        fprintf(stderr, "generate: cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

/* Copies the JSON string literal at `in` to `out`; returns the ends of both. */
static void copy_string_literal(const char **in, char **out)
{
    *(*out)++ = *(*in)++; /* the opening quote */
    while (**in && **in != '"') {
        if (**in == '\\')
            *(*out)++ = *(*in)++;
        *(*out)++ = *(*in)++;
    }
    *(*out)++ = *(*in)++; /* the closing quote */
}

/* True when the array opening at `text` holds only plain values. */
static bool is_flat_array(const char *text)
{
    for (const char *p = text + 1; *p; p++) {
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\')
                    p++;
        } else if (*p == '[' || *p == '{') {
            return false;
        } else if (*p == ']') {
            return true;
        }
    }
    return false;
}

/* Puts arrays of plain values on one line, "[\n   1,\n   2\n  ]" becoming
 * "[1, 2]": a cohort histogram then reads at a glance, and the package is
 * a fifth smaller.  Works in place: the text only shrinks. */
static void join_flat_arrays(char *text)
{
    const char *in = text;
    char *out = text;
    while (*in) {
        if (*in == '"') {
            copy_string_literal(&in, &out);
        } else if (*in == '[' && is_flat_array(in)) {
            *out++ = *in++;
            while (*in != ']') {
                if (*in == '"')
                    copy_string_literal(&in, &out);
                else if (*in == ',') {
                    *out++ = ',';
                    *out++ = ' ';
                    in++;
                } else if (*in == ' ' || *in == '\n')
                    in++;
                else
                    *out++ = *in++;
            }
            *out++ = *in++;
        } else {
            *out++ = *in++;
        }
    }
    *out = '\0';
}

/* Writes a JSON document (with a final newline) and returns its SHA-256. */
static char *write_json(const char *path, json_t *document)
{
    char *text = json_dumps(document, JSON_FLAGS);
    if (!text) {
        fprintf(stderr, "generate: cannot serialise %s\n", path);
        exit(1);
    }
    join_flat_arrays(text);
    size_t length = strlen(text);
    text = realloc(text, length + 2);
    if (!text) {
        fprintf(stderr, "generate: out of memory\n");
        exit(1);
    }
    text[length++] = '\n';
    text[length] = '\0';
    write_file(path, text, length);
    char *sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)text, length);
    free(text);
    return sha256;
}

/* Marks the pool files an application cites, so that only those are
 * written (a record the applicant did not select cites files too). */
static void mark_cited_files(struct generator *gen, json_t *app)
{
    static const char *const lists[] = { "course_outcomes", "performances", "uploads" };
    for (int l = 0; l < COUNT_OF(lists); l++) {
        size_t i, j;
        json_t *entry, *file;
        json_array_foreach(json_object_get(app, lists[l]), i, entry) {
            json_array_foreach(json_object_get(entry, "files"), j, file) {
                const char *sha256 = json_string_value(json_object_get(file, "sha256"));
                for (int id = 0; id < FILE_COUNT; id++)
                    if (strcmp(gen->pool[id].sha256, sha256) == 0)
                        gen->pool[id].used = true;
            }
        }
    }
}

static void write_application(struct generator *gen, const struct student *s, int department, bool self_made)
{
    json_t *app = make_application(gen, s, department, self_made);
    mark_cited_files(gen, app);
    char relative[64];
    snprintf(relative, sizeof relative, "applications/%s-%s.json", departments[department].code, s->application_no);
    char *path = g_build_filename(gen->out_dir, relative, NULL);
    struct manifest_entry entry = { .department = department };
    snprintf(entry.application_no, sizeof entry.application_no, "%s", s->application_no);
    entry.sha256 = write_json(path, app);
    g_array_append_val(gen->manifest, entry);
    g_free(path);
    json_decref(app);

    gen->applications[department]++;
    gen->self_made += self_made;
    gen->course_rows += (int)s->rows->len;
}

static int compare_entries(const void *a, const void *b)
{
    const struct manifest_entry *x = a, *y = b;
    int by_number = strcmp(x->application_no, y->application_no);
    return by_number != 0 ? by_number : x->department - y->department;
}

static void write_manifest(struct generator *gen)
{
    qsort(gen->manifest->data, gen->manifest->len, sizeof(struct manifest_entry), compare_entries);
    json_t *manifest = json_object();
    json_object_set_new(manifest, "format", json_string("lp-export"));
    json_object_set_new(manifest, "version", json_integer(1));
    json_object_set_new(manifest, "round", json_string(ROUND_NAME));
    json_object_set_new(manifest, "exported_at", json_string(EXPORTED_AT));
    json_t *university = json_object();
    json_object_set_new(university, "code", json_string(UNIVERSITY_CODE));
    json_object_set_new(university, "name", json_string(UNIVERSITY_NAME));
    json_object_set_new(manifest, "university", university);
    json_t *list = json_array();
    for (int d = 0; d < DEPT_COUNT; d++) {
        json_t *department = json_object();
        json_object_set_new(department, "code", json_string(departments[d].code));
        json_object_set_new(department, "name", json_string(departments[d].name));
        json_array_append_new(list, department);
    }
    json_object_set_new(manifest, "departments", list);
    json_t *applications = json_array();
    for (guint i = 0; i < gen->manifest->len; i++) {
        const struct manifest_entry *entry = &g_array_index(gen->manifest, struct manifest_entry, i);
        char path[64];
        snprintf(path, sizeof path, "applications/%s-%s.json", departments[entry->department].code,
                 entry->application_no);
        json_t *application = json_object();
        json_object_set_new(application, "application_no", json_string(entry->application_no));
        json_object_set_new(application, "department", json_string(departments[entry->department].code));
        json_object_set_new(application, "path", json_string(path));
        json_object_set_new(application, "sha256", json_string(entry->sha256));
        json_array_append_new(applications, application);
    }
    json_object_set_new(manifest, "applications", applications);
    char *path = g_build_filename(gen->out_dir, "manifest.json", NULL);
    g_free(write_json(path, manifest));
    g_free(path);
    json_decref(manifest);
}

/* Only the attachments some application cites are written. */
static size_t write_attachments(struct generator *gen, int *count)
{
    size_t total = 0;
    *count = 0;
    for (int id = 0; id < FILE_COUNT; id++) {
        const struct attachment *attachment = &gen->pool[id];
        if (!attachment->used)
            continue;
        char name[128];
        snprintf(name, sizeof name, "files/%s.%s", attachment->sha256, extensions[attachment_specs[id].kind]);
        char *path = g_build_filename(gen->out_dir, name, NULL);
        write_file(path, attachment->bytes->data, attachment->bytes->len);
        g_free(path);
        total += attachment->bytes->len;
        (*count)++;
    }
    return total;
}

/* Creates DIR, DIR/applications and DIR/files.  DIR must be new or empty,
 * so no file of an earlier run can linger in the package. */
static bool prepare_directory(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "generate: cannot create %s: %s\n", path, strerror(errno));
        return false;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, "generate: cannot open %s: %s\n", path, strerror(errno));
        return false;
    }
    bool empty = true;
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;)
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            empty = false;
    closedir(dir);
    if (!empty) {
        fprintf(stderr, "generate: %s is not empty\n", path);
        return false;
    }
    const char *const subdirectories[] = { "applications", "files" };
    for (int i = 0; i < 2; i++) {
        char *sub = g_build_filename(path, subdirectories[i], NULL);
        bool made = mkdir(sub, 0777) == 0;
        if (!made)
            fprintf(stderr, "generate: cannot create %s: %s\n", sub, strerror(errno));
        g_free(sub);
        if (!made)
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------------
 * The round: who applies where
 * ------------------------------------------------------------------------ */

/* Spreads `apps` applications over applicants.  A few are fixed so that every
 * round of ten or more has the cases a reader must handle: the second
 * applicant applies to both departments, and the fourth and eighth have no
 * records in the central database and so upload self-made PDFs. */
static GArray *plan_round(uint64_t seed, int apps)
{
    struct rng rng = rng_for(seed, "round");
    GArray *plans = g_array_new(FALSE, TRUE, sizeof(struct plan));
    for (int index = 0, left = apps; left > 0; index++) {
        struct plan plan = { .has_records = true };
        bool both = left >= 2 && (index == 1 || rng_chance(&rng, 0.16));
        if (both)
            plan.applies[DEPT_CHINESE] = plan.applies[DEPT_FOREIGN] = true;
        else
            plan.applies[rng_chance(&rng, 0.5) ? DEPT_CHINESE : DEPT_FOREIGN] = true;
        if (index == 3 || index == 7 || rng_chance(&rng, 0.09))
            plan.has_records = false;
        for (int d = 0; d < DEPT_COUNT; d++)
            plan.self_made[d] = plan.applies[d] && (!plan.has_records || rng_chance(&rng, 0.04));
        left -= both ? 2 : 1;
        g_array_append_val(plans, plan);
    }
    return plans;
}

static void generate(struct generator *gen, int apps)
{
    GArray *plans = plan_round(gen->seed, apps);
    for (guint index = 0; index < plans->len; index++) {
        const struct plan *plan = &g_array_index(plans, struct plan, index);
        struct student student;
        make_student(gen, &student, (int)index, plan);
        for (int d = 0; d < DEPT_COUNT; d++)
            if (plan->applies[d])
                write_application(gen, &student, d, plan->self_made[d]);

        gen->students++;
        if (plan->applies[DEPT_CHINESE] && plan->applies[DEPT_FOREIGN]) {
            gen->both_departments++;
            if (gen->both_departments <= 5)
                g_string_append_printf(gen->notes, "  both departments: %s %s%s\n", student.application_no, student.name,
                                       plan->self_made[0] != plan->self_made[1] ? " (different sources)" : "");
        }
        if (student.rare_name && ++gen->rare_names <= 5)
            g_string_append_printf(gen->notes, "  rare character in name: %s %s\n", student.application_no, student.name);
        free_student(&student);
    }
    g_array_free(plans, TRUE);
    write_manifest(gen);
}

static void release_json(gpointer json)
{
    json_decref(json);
}

/* ------------------------------------------------------------------------
 * Command line
 * ------------------------------------------------------------------------ */

static void usage(void)
{
    printf(
            "usage: generate [--seed N] [--apps N] --out DIR\n"
            "\n"
            "Writes a synthetic lp-export package (manifest.json, applications/, files/)\n"
            "for the round " ROUND_NAME " into DIR, which must be new or empty.\n"
            "\n"
            "  --seed N   random seed (default 115); the same arguments give the same bytes\n"
            "  --apps N   number of applications, spread over both departments (default 40)\n"
            "  --out DIR  output directory (required)\n"
            "  --help     show this text\n");
}

static bool parse_number(const char *text, unsigned long long max, unsigned long long *value)
{
    char *end;
    errno = 0;
    if (!text || *text == '\0' || *text == '-')
        return false;
    *value = strtoull(text, &end, 10);
    return errno == 0 && *end == '\0' && *value <= max;
}

int main(int argc, char **argv)
{
    unsigned long long seed = 115, apps = 40;
    const char *out_dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *option = argv[i];
        if (strcmp(option, "--help") == 0 || strcmp(option, "-h") == 0) {
            usage();
            return 0;
        }
        const char *value = i + 1 < argc ? argv[++i] : NULL, *wanted;
        bool good;
        if (strcmp(option, "--seed") == 0) {
            good = parse_number(value, UINT64_MAX, &seed);
            wanted = "a number";
        } else if (strcmp(option, "--apps") == 0) {
            good = parse_number(value, 1000000, &apps) && apps > 0;
            wanted = "a number from 1 to 1000000";
        } else if (strcmp(option, "--out") == 0) {
            good = (out_dir = value) != NULL;
            wanted = "a directory";
        } else {
            fprintf(stderr, "generate: unknown option '%s' (see --help)\n", option);
            return 2;
        }
        if (!good) {
            fprintf(stderr, "generate: %s needs %s (see --help)\n", option, wanted);
            return 2;
        }
    }
    if (!out_dir) {
        fprintf(stderr, "generate: --out DIR is required (see --help)\n");
        return 2;
    }
    if (!prepare_directory(out_dir))
        return 1;

    struct generator gen = {
        .seed = seed,
        .out_dir = out_dir,
        .catalog = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, release_json),
        .manifest = g_array_new(FALSE, FALSE, sizeof(struct manifest_entry)),
        .notes = g_string_new(NULL),
    };
    make_attachments(gen.pool);

    generate(&gen, (int)apps);
    int file_count;
    size_t file_bytes = write_attachments(&gen, &file_count);

    printf("wrote %s: %d applications (%s %d, %s %d; self_made_pdf %d) from %d applicants, "
           "%d to both departments, %d with rare characters in their names; %d course rows; %d files, %zu bytes\n%s",
           out_dir, (int)gen.manifest->len, departments[0].code, gen.applications[0], departments[1].code,
           gen.applications[1], gen.self_made, gen.students, gen.both_departments, gen.rare_names, gen.course_rows,
           file_count, file_bytes, gen.notes->str);

    for (guint i = 0; i < gen.manifest->len; i++)
        g_free(g_array_index(gen.manifest, struct manifest_entry, i).sha256);
    g_array_free(gen.manifest, TRUE);
    g_hash_table_destroy(gen.catalog);
    g_string_free(gen.notes, TRUE);
    for (int id = 0; id < FILE_COUNT; id++) {
        g_byte_array_free(gen.pool[id].bytes, TRUE);
        g_free(gen.pool[id].sha256);
    }
    return 0;
}
