/* validate — the export contract's rules (docs/export-format.md), checked
 * on parsed JSON with core/checker.h, which names the JSON path of every
 * problem.  One function per part of the contract: the manifest, the
 * student, cadres, courses and their catalog, outcomes, performances,
 * uploads and file references; each reports every rule broken and goes on. */
#include "ingest/validate.h"
#include "core/text.h"

#include <glib.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void file_references_add(struct file_reference_list *list, const struct file_reference *ref)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 16;
        struct file_reference *items = realloc(list->items, capacity * sizeof *items);
        if (!items)
            return;
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count++] = *ref;
}

void file_references_free(struct file_reference_list *list)
{
    free(list->items);
    *list = (struct file_reference_list){0};
}

/* ---- text fields ------------------------------------------------------- */

/* Text that a terminal, a table cell or a file name shows on one line
 * (names, titles, attachment names …): no control character at all, so no
 * escape sequence or line break can reach a reviewer's terminal. */
static const char *line_string(struct checker *c, const json_t *object, const char *parent,
                               const char *key, enum checker_presence presence,
                               size_t min_chars, size_t max_chars)
{
    const char *text = checker_string(c, object, parent, key, presence, min_chars, max_chars);
    char path[256];
    checker_member_path(path, sizeof path, parent, key);
    return text && checker_no_controls(c, path, text, false) ? text : NULL;
}

/* Running text (summaries, syllabi, remarks, statements): line feeds and
 * tabs, and no other control character. */
static const char *long_string(struct checker *c, const json_t *object, const char *parent,
                               const char *key, enum checker_presence presence,
                               size_t min_chars, size_t max_chars)
{
    const char *text = checker_string(c, object, parent, key, presence, min_chars, max_chars);
    char path[256];
    checker_member_path(path, sizeof path, parent, key);
    return text && checker_no_controls(c, path, text, true) ? text : NULL;
}

/* ---- format checks ----------------------------------------------------- */

static bool all_digits(const char *text, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (text[i] < '0' || text[i] > '9')
            return false;
    return true;
}

static int number_at(const char *text, size_t count)
{
    int value = 0;
    for (size_t i = 0; i < count; i++)
        value = value * 10 + (text[i] - '0');
    return value;
}

static bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

/* The first 10 characters are YYYY-MM-DD naming a day that exists. */
static bool date_prefix_valid(const char *text)
{
    if (strlen(text) < 10 || !all_digits(text, 4) || text[4] != '-' ||
        !all_digits(text + 5, 2) || text[7] != '-' || !all_digits(text + 8, 2))
        return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int year = number_at(text, 4), month = number_at(text + 5, 2), day = number_at(text + 8, 2);
    if (month < 1 || month > 12 || day < 1)
        return false;
    int limit = days[month - 1] + (month == 2 && is_leap(year));
    return day <= limit;
}

bool validate_is_date(const char *text)
{
    return strlen(text) == 10 && date_prefix_valid(text);
}

bool validate_is_time(const char *text)
{
    /* YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM) */
    if (!date_prefix_valid(text) || (text[10] != 'T' && text[10] != 't'))
        return false;
    const char *t = text + 11;
    if (strlen(t) < 9 || !all_digits(t, 2) || t[2] != ':' || !all_digits(t + 3, 2) ||
        t[5] != ':' || !all_digits(t + 6, 2))
        return false;
    if (number_at(t, 2) > 23 || number_at(t + 3, 2) > 59 || number_at(t + 6, 2) > 60)
        return false;
    t += 8;
    if (*t == '.') {
        t++;
        if (!(*t >= '0' && *t <= '9'))
            return false;
        while (*t >= '0' && *t <= '9')
            t++;
    }
    if ((*t == 'Z' || *t == 'z') && t[1] == '\0')
        return true;
    return (*t == '+' || *t == '-') && strlen(t) == 6 && all_digits(t + 1, 2) && t[3] == ':' &&
           all_digits(t + 4, 2) && number_at(t + 1, 2) <= 23 && number_at(t + 4, 2) <= 59;
}

bool validate_is_course_code(const char *text)
{
    if (strlen(text) != 23)
        return false;
    for (int i = 0; i < 23; i++) {
        char c = text[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return false;
    }
    return strchr("123456789A", text[16]) != NULL;
}

bool validate_is_https_url(const char *text)
{
    if (strncmp(text, "https://", 8) != 0 || strlen(text) > 2000)
        return false;
    const char *host = text + 8;
    if (*host == '\0' || *host == '/' || *host == '.')
        return false;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
            return false;
    return true;
}

bool validate_magic_matches(const char *media_type, const unsigned char *data, size_t length)
{
    if (strcmp(media_type, "application/pdf") == 0)
        return length >= 5 && memcmp(data, "%PDF-", 5) == 0;
    if (strcmp(media_type, "image/jpeg") == 0)
        return length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;
    if (strcmp(media_type, "image/png") == 0)
        return length >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0;
    if (strcmp(media_type, "audio/mpeg") == 0)
        return (length >= 3 && memcmp(data, "ID3", 3) == 0) ||
               (length >= 2 && data[0] == 0xFF && (data[1] & 0xE0) == 0xE0);
    if (strcmp(media_type, "video/mp4") == 0)
        return length >= 8 && memcmp(data + 4, "ftyp", 4) == 0;
    return false;
}

/* Version 1 is the only one this reader knows. */
static bool check_version(struct checker *c, const json_t *root)
{
    long long version = 0;
    if (!checker_integer(c, root, "$", "version", 0, 1000000, &version))
        return false;
    if (version != 1) {
        checker_report(c, "$.version", "unknown version %lld (this beishen reads version 1)", version);
        return false;
    }
    return true;
}

/* ---- parts of an application ------------------------------------------- */

static bool is_student_id(const char *text)
{
    return strlen(text) == 10 && text[0] >= 'A' && text[0] <= 'Z' && all_digits(text + 1, 9);
}

static void check_student(struct checker *c, const json_t *application)
{
    const json_t *student = checker_typed(c, application, "$", "student", JSON_OBJECT, "object");
    if (!student)
        return;
    const char *p = "$.student";
    static const char *const genders[] = {"M", "F", NULL};
    line_string(c, student, p, "name", CHECK_REQUIRED, 1, 100);
    checker_format(c, student, p, "national_id", CHECK_REQUIRED, is_student_id,
                  "a letter followed by 9 digits");
    checker_enum(c, student, p, "gender", CHECK_REQUIRED, genders);
    checker_format(c, student, p, "birth_date", CHECK_REQUIRED, validate_is_date, "a date YYYY-MM-DD");
    const json_t *school = checker_typed(c, student, p, "school", JSON_OBJECT, "object");
    if (school) {
        line_string(c, school, "$.student.school", "code", CHECK_REQUIRED, 6, 6);
        line_string(c, school, "$.student.school", "name", CHECK_REQUIRED, 1, VALIDATE_MAX_SHORT_TEXT);
    }
    line_string(c, student, p, "program", CHECK_REQUIRED, 1, VALIDATE_MAX_SHORT_TEXT);
    line_string(c, student, p, "class_name", CHECK_REQUIRED, 1, VALIDATE_MAX_SHORT_TEXT);
    checker_integer(c, student, p, "seat_no", 0, 999, NULL);
    checker_integer(c, student, p, "entry_year", 1, 999, NULL);
    checker_integer(c, student, p, "graduation_year", 1, 999, NULL);
    line_string(c, student, p, "status", CHECK_REQUIRED, 1, VALIDATE_MAX_SHORT_TEXT);
}

/* start <= end when both are valid dates */
static void check_date_order(struct checker *c, const char *parent, const char *start,
                             const char *end)
{
    if (start && end && strcmp(start, end) > 0) {
        char path[256];
        checker_member_path(path, sizeof path, parent, "end");
        checker_report(c, path, "%s is before start %s", end, start);
    }
}

static void check_cadres(struct checker *c, const json_t *application)
{
    const json_t *cadres = checker_array(c, application, "$", "cadres", 1000);
    size_t i;
    const json_t *cadre;
    json_array_foreach(cadres, i, cadre) {
        char p[256];
        checker_element_path(p, sizeof p, "$.cadres", i);
        if (!checker_is_object(c, cadre, p))
            continue;
        line_string(c, cadre, p, "unit", CHECK_REQUIRED, 1, VALIDATE_MAX_SHORT_TEXT);
        line_string(c, cadre, p, "title", CHECK_REQUIRED, 1, VALIDATE_MAX_SHORT_TEXT);
        const char *start = checker_format(c, cadre, p, "start", CHECK_REQUIRED, validate_is_date, "a date YYYY-MM-DD");
        const char *end = checker_format(c, cadre, p, "end", CHECK_REQUIRED, validate_is_date, "a date YYYY-MM-DD");
        check_date_order(c, p, start, end);
        checker_integer(c, cadre, p, "level", 1, 3, NULL);
    }
}

#define MAX_COHORT 1000000   /* students in one cohort */

static void check_cohort(struct checker *c, const json_t *course, const char *parent)
{
    const json_t *cohort = json_object_get(course, "cohort");
    if (!cohort)
        return; /* absent is allowed */
    char p[256];
    checker_member_path(p, sizeof p, parent, "cohort");
    if (!checker_is_object(c, cohort, p))
        return;
    long long size = 0, rank = 0;
    bool have_size = checker_integer(c, cohort, p, "size", 1, MAX_COHORT, &size);
    bool have_rank = checker_integer(c, cohort, p, "rank", 1, MAX_COHORT, &rank);
    if (have_size && have_rank && rank > size) {
        char rank_path[256];
        checker_member_path(rank_path, sizeof rank_path, p, "rank");
        checker_report(c, rank_path, "rank %lld is larger than size %lld", rank, size);
    }
    const json_t *histogram = checker_typed(c, cohort, p, "histogram", JSON_ARRAY, "array");
    if (!histogram)
        return;
    char hp[256];
    checker_member_path(hp, sizeof hp, p, "histogram");
    if (json_array_size(histogram) != 10) {
        checker_report(c, hp, "%zu counts, expected 10", json_array_size(histogram));
        return;
    }
    long long sum = 0;
    size_t i;
    const json_t *count;
    json_array_foreach(histogram, i, count) {
        char ep[256];
        checker_element_path(ep, sizeof ep, hp, i);
        if (!checker_expect_type(c, count, ep, JSON_INTEGER, "integer"))
            return;
        if (json_integer_value(count) < 0) {
            checker_report(c, ep, "negative count");
            return;
        }
        /* The counts add up to the size, so none can pass the largest
         * size; and ten counts near 2^63 would overflow the sum. */
        if (json_integer_value(count) > MAX_COHORT) {
            checker_report(c, ep, "%lld is more than a cohort's largest size %d",
                           (long long)json_integer_value(count), MAX_COHORT);
            return;
        }
        sum += json_integer_value(count);
    }
    if (have_size && sum != size)
        checker_report(c, hp, "counts sum to %lld, size is %lld", sum, size);
}

static void check_course(struct checker *c, const json_t *course, const char *p)
{
    static const char *const record_types[] = {"regular", "makeup", "retake", "reread", "transfer", NULL};
    checker_integer(c, course, p, "year", 1, 999, NULL);
    checker_integer(c, course, p, "semester", 1, 2, NULL);
    checker_integer(c, course, p, "grade", 1, 3, NULL);
    checker_format(c, course, p, "code", CHECK_REQUIRED, validate_is_course_code,
                  "a 23-character course code with a known category at position 17");
    line_string(c, course, p, "name", CHECK_REQUIRED, 1, VALIDATE_MAX_SHORT_TEXT);
    checker_integer(c, course, p, "credits", 0, 10, NULL);
    bool has_score = false, has_makeup = false;
    checker_number(c, course, p, "score", CHECK_NULLABLE, 0, 100, 2, &has_score);
    checker_boolean(c, course, p, "passed", CHECK_NULLABLE);
    checker_number(c, course, p, "makeup_score", CHECK_NULLABLE, 0, 100, 2, &has_makeup);
    checker_integer(c, course, p, "counted", 1, 3, NULL);
    checker_enum(c, course, p, "record_type", CHECK_REQUIRED, record_types);
    if (checker_boolean(c, course, p, "in_progress", CHECK_REQUIRED) &&
        json_is_true(json_object_get(course, "in_progress")) && has_score) {
        char sp[256];
        checker_member_path(sp, sizeof sp, p, "score");
        checker_report(c, sp, "must be null while the course is in progress");
    }
    check_cohort(c, course, p);
    if (json_object_get(course, "remark"))
        long_string(c, course, p, "remark", CHECK_REQUIRED, 0, VALIDATE_MAX_LONG_TEXT);
}

static void check_courses(struct checker *c, const json_t *application)
{
    const json_t *courses = checker_array(c, application, "$", "courses", 1000);
    size_t i;
    const json_t *course;
    json_array_foreach(courses, i, course) {
        char p[256];
        checker_element_path(p, sizeof p, "$.courses", i);
        if (checker_is_object(c, course, p))
            check_course(c, course, p);
    }
}

/* Every element of an array member is a string from `values`. */
static void check_string_array(struct checker *c, const json_t *object, const char *parent,
                               const char *key, const char *const *values)
{
    const json_t *array = checker_array(c, object, parent, key, 100);
    char p[256];
    checker_member_path(p, sizeof p, parent, key);
    size_t i;
    const json_t *value;
    json_array_foreach(array, i, value) {
        char ep[256];
        checker_element_path(ep, sizeof ep, p, i);
        if (!checker_text(c, value, ep, 1, 200))
            continue;
        if (!checker_in_list(json_string_value(value), values))
            checker_report(c, ep, "\"%s\" is not one of the allowed values", json_string_value(value));
    }
}

static void check_catalog(struct checker *c, const json_t *application)
{
    static const char *const teacher_sources[] = {"校內專任", "校內跨科協同", "跨校協同", "外聘(大學)", "外聘(其他)", NULL};
    static const char *const cross_domains[] = {"統整型", "探究型", "實作型", NULL};
    static const char *const competencies[] = {"A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3", NULL};
    const json_t *catalog = checker_typed(c, application, "$", "course_catalog", JSON_OBJECT, "object");
    const char *code;
    const json_t *entry;
    json_object_foreach((json_t *)catalog, code, entry) {
        char p[256];
        checker_member_path(p, sizeof p, "$.course_catalog", code);
        if (!validate_is_course_code(code)) {
            checker_report(c, p, "key is not a 23-character course code");
            continue;
        }
        if (!checker_is_object(c, entry, p))
            continue;
        line_string(c, entry, p, "name_en", CHECK_REQUIRED, 0, VALIDATE_MAX_SHORT_TEXT);
        check_string_array(c, entry, p, "teacher_source", teacher_sources);
        checker_boolean(c, entry, p, "required", CHECK_REQUIRED);
        line_string(c, entry, p, "domain", CHECK_REQUIRED, 0, VALIDATE_MAX_SHORT_TEXT);
        checker_enum(c, entry, p, "cross_domain", CHECK_NULLABLE, cross_domains);
        line_string(c, entry, p, "origin", CHECK_REQUIRED, 0, VALIDATE_MAX_SHORT_TEXT);
        check_string_array(c, entry, p, "competencies", competencies);
        long_string(c, entry, p, "syllabus", CHECK_REQUIRED, 0, 2000);
    }
}

/* Checks files[] of an outcome, performance or upload and collects the
 * references.  Returns the number of valid references. */
static size_t check_files(struct checker *c, const json_t *owner, const char *parent,
                          struct file_reference_list *files)
{
    static const char *const media_types[] = {"application/pdf", "image/jpeg", "image/png",
                                              "audio/mpeg", "video/mp4", NULL};
    const json_t *array = checker_array(c, owner, parent, "files", 100);
    char fp[256];
    checker_member_path(fp, sizeof fp, parent, "files");
    size_t i, valid = 0;
    const json_t *file;
    json_array_foreach(array, i, file) {
        char p[256];
        checker_element_path(p, sizeof p, fp, i);
        if (!checker_is_object(c, file, p))
            continue;
        size_t before = c->found;
        const char *sha = line_string(c, file, p, "sha256", CHECK_REQUIRED, 64, 64);
        if (sha && !text_is_sha256_hex(sha)) {
            char sp[256];
            checker_member_path(sp, sizeof sp, p, "sha256");
            checker_report(c, sp, "not 64 lowercase hexadecimal digits");
        }
        line_string(c, file, p, "name", CHECK_REQUIRED, 1, 255);
        const char *media = checker_enum(c, file, p, "media_type", CHECK_REQUIRED, media_types);
        long long size = 0;
        long long cap = media && (strncmp(media, "audio/", 6) == 0 || strncmp(media, "video/", 6) == 0)
                            ? VALIDATE_MAX_MEDIA_BYTES : VALIDATE_MAX_IMAGE_BYTES;
        checker_integer(c, file, p, "size", 1, cap, &size);
        if (c->found == before) {
            struct file_reference ref = {.size = size};
            snprintf(ref.sha256, sizeof ref.sha256, "%s", sha);
            snprintf(ref.media_type, sizeof ref.media_type, "%s", media);
            snprintf(ref.path, sizeof ref.path, "%s", p);
            file_references_add(files, &ref);
            valid++;
        }
    }
    return valid;
}

/* ids must be unique across outcomes and performances of one application */
struct id_set {
    const char *ids[16];
    size_t count;
};

static void check_unique_id(struct checker *c, struct id_set *seen, const char *id, const char *parent)
{
    if (!id)
        return;
    for (size_t i = 0; i < seen->count; i++) {
        if (strcmp(seen->ids[i], id) == 0) {
            char p[256];
            checker_member_path(p, sizeof p, parent, "id");
            checker_report(c, p, "id \"%s\" is not unique in the application", id);
            return;
        }
    }
    if (seen->count < sizeof seen->ids / sizeof seen->ids[0])
        seen->ids[seen->count++] = id;
}

static bool is_item_letter(const char *text, char first, char last)
{
    return text && strlen(text) == 1 && text[0] >= first && text[0] <= last;
}

static void check_item(struct checker *c, const json_t *object, const char *parent,
                       char first, char last)
{
    char p[256];
    checker_member_path(p, sizeof p, parent, "item");
    const char *item = line_string(c, object, parent, "item", CHECK_REQUIRED, 1, 1);
    if (item && !is_item_letter(item, first, last))
        checker_report(c, p, "\"%s\" is not an item letter %c..%c", item, first, last);
}

static void check_outcomes(struct checker *c, const json_t *application, bool self_made,
                           struct id_set *ids, struct file_reference_list *files)
{
    const json_t *outcomes = checker_array(c, application, "$", "course_outcomes", 3);
    if (self_made && outcomes && json_array_size(outcomes) > 0)
        checker_report(c, "$.course_outcomes", "must be empty for a self_made_pdf application");
    size_t i;
    const json_t *outcome;
    json_array_foreach(outcomes, i, outcome) {
        char p[256];
        checker_element_path(p, sizeof p, "$.course_outcomes", i);
        if (!checker_is_object(c, outcome, p))
            continue;
        check_unique_id(c, ids, line_string(c, outcome, p, "id", CHECK_REQUIRED, 1, 64), p);
        check_item(c, outcome, p, 'B', 'E');
        checker_integer(c, outcome, p, "year", 1, 999, NULL);
        checker_integer(c, outcome, p, "semester", 1, 2, NULL);
        checker_format(c, outcome, p, "course_code", CHECK_REQUIRED, validate_is_course_code,
                      "a 23-character course code with a known category at position 17");
        line_string(c, outcome, p, "course_name", CHECK_REQUIRED, 1, VALIDATE_MAX_SHORT_TEXT);
        line_string(c, outcome, p, "title", CHECK_REQUIRED, 1, VALIDATE_MAX_SHORT_TEXT);
        long_string(c, outcome, p, "summary", CHECK_REQUIRED, 0, 100);
        checker_boolean(c, outcome, p, "certified", CHECK_REQUIRED);
        checker_format(c, outcome, p, "certified_at", CHECK_NULLABLE, validate_is_time, "an RFC 3339 time");
        checker_format(c, outcome, p, "uploaded_at", CHECK_REQUIRED, validate_is_time, "an RFC 3339 time");
        check_files(c, outcome, p, files);
    }
}

static void check_links(struct checker *c, const json_t *performance, const char *parent)
{
    const json_t *links = checker_array(c, performance, parent, "links", 20);
    char lp[256];
    checker_member_path(lp, sizeof lp, parent, "links");
    size_t i;
    const json_t *link;
    json_array_foreach(links, i, link) {
        char p[256];
        checker_element_path(p, sizeof p, lp, i);
        if (checker_text(c, link, p, 1, 2000) && !validate_is_https_url(json_string_value(link)))
            checker_report(c, p, "not an https URL");
    }
}

static void check_performances(struct checker *c, const json_t *application, bool self_made,
                               struct id_set *ids, struct file_reference_list *files)
{
    static const char *const kinds[] = {"cadre", "competition", "certificate", "service",
        "flexible_learning", "group_activity", "workplace", "work", "advanced_course", "other", NULL};
    const json_t *performances = checker_array(c, application, "$", "performances", 10);
    if (self_made && performances && json_array_size(performances) > 0)
        checker_report(c, "$.performances", "must be empty for a self_made_pdf application");
    size_t i;
    const json_t *performance;
    json_array_foreach(performances, i, performance) {
        char p[256];
        checker_element_path(p, sizeof p, "$.performances", i);
        if (!checker_is_object(c, performance, p))
            continue;
        check_unique_id(c, ids, line_string(c, performance, p, "id", CHECK_REQUIRED, 1, 64), p);
        check_item(c, performance, p, 'F', 'M');
        checker_enum(c, performance, p, "kind", CHECK_REQUIRED, kinds);
        checker_integer(c, performance, p, "year", 1, 999, NULL);
        checker_integer(c, performance, p, "semester", 1, 2, NULL);
        line_string(c, performance, p, "title", CHECK_REQUIRED, 1, VALIDATE_MAX_SHORT_TEXT);
        line_string(c, performance, p, "organizer", CHECK_NULLABLE, 0, VALIDATE_MAX_SHORT_TEXT);
        const char *start = checker_format(c, performance, p, "start", CHECK_NULLABLE, validate_is_date, "a date YYYY-MM-DD");
        const char *end = checker_format(c, performance, p, "end", CHECK_NULLABLE, validate_is_date, "a date YYYY-MM-DD");
        check_date_order(c, p, start, end);
        bool present;
        checker_number(c, performance, p, "hours", CHECK_NULLABLE, 0, 100000, -1, &present);
        line_string(c, performance, p, "level", CHECK_NULLABLE, 0, VALIDATE_MAX_SHORT_TEXT);
        line_string(c, performance, p, "award", CHECK_NULLABLE, 0, VALIDATE_MAX_SHORT_TEXT);
        long_string(c, performance, p, "summary", CHECK_REQUIRED, 0, 100);
        checker_format(c, performance, p, "uploaded_at", CHECK_REQUIRED, validate_is_time, "an RFC 3339 time");
        check_files(c, performance, p, files);
        check_links(c, performance, p);
    }
}

static void check_uploads(struct checker *c, const json_t *application, bool self_made,
                          struct file_reference_list *files)
{
    const json_t *uploads = checker_array(c, application, "$", "uploads", 26);
    size_t i;
    const json_t *upload;
    json_array_foreach(uploads, i, upload) {
        char p[256];
        checker_element_path(p, sizeof p, "$.uploads", i);
        if (!checker_is_object(c, upload, p))
            continue;
        /* Portfolio applications upload N and later; self-made ones every item. */
        check_item(c, upload, p, self_made ? 'A' : 'N', 'Z');
        const char *item = json_string_value(json_object_get(upload, "item"));
        line_string(c, upload, p, "title", CHECK_REQUIRED, 1, VALIDATE_MAX_SHORT_TEXT);
        size_t limit = item && strcmp(item, "N") == 0 ? 800 : VALIDATE_MAX_LONG_TEXT;
        long_string(c, upload, p, "text", CHECK_NULLABLE, 0, limit);
        size_t before = files->count;
        check_files(c, upload, p, files);
        if (self_made) {
            const json_t *list = json_object_get(upload, "files");
            char fp[256];
            checker_member_path(fp, sizeof fp, p, "files");
            if (json_is_array(list) && json_array_size(list) != 1)
                checker_report(c, fp, "a self-made upload has exactly one PDF file, found %zu",
                       json_array_size(list));
            else if (files->count == before + 1 &&
                     strcmp(files->items[before].media_type, "application/pdf") != 0)
                checker_report(c, fp, "a self-made upload must be a PDF, found %s",
                       files->items[before].media_type);
        }
    }
}

size_t validate_application(const json_t *root, const char *file,
                            const struct manifest *manifest,
                            const struct manifest_entry *entry,
                            struct problem_list *problems,
                            struct file_reference_list *files)
{
    struct checker checker = {file, problems, 0};
    struct checker *c = &checker;
    if (!json_is_object(root)) {
        checker_report(c, "$", "expected object, found %s", checker_type_name(root));
        return c->found;
    }
    static const char *const formats[] = {"lp-application", NULL};
    static const char *const sources[] = {"portfolio", "self_made_pdf", NULL};
    checker_enum(c, root, "$", "format", CHECK_REQUIRED, formats);
    check_version(c, root);
    const char *number = checker_format(c, root, "$", "application_no", CHECK_REQUIRED, checker_is_eight_digits, "8 digits");
    const char *department = checker_format(c, root, "$", "department", CHECK_REQUIRED, checker_is_six_digits, "6 digits");
    if (number && entry && strcmp(number, entry->application_no) != 0)
        checker_report(c, "$.application_no", "\"%s\" differs from the manifest's \"%s\"", number, entry->application_no);
    if (department && entry && strcmp(department, entry->department) != 0)
        checker_report(c, "$.department", "\"%s\" differs from the manifest's \"%s\"", department, entry->department);
    else if (department && manifest && !manifest_has_department(manifest, department))
        checker_report(c, "$.department", "\"%s\" is not one of the manifest's departments", department);
    const char *source = checker_enum(c, root, "$", "source", CHECK_REQUIRED, sources);
    bool self_made = source && strcmp(source, "self_made_pdf") == 0;
    checker_format(c, root, "$", "submitted_at", CHECK_REQUIRED, validate_is_time, "an RFC 3339 time");

    struct id_set ids = {0};
    check_student(c, root);
    check_cadres(c, root);
    check_courses(c, root);
    check_catalog(c, root);
    check_outcomes(c, root, self_made, &ids, files);
    check_performances(c, root, self_made, &ids, files);
    check_uploads(c, root, self_made, files);
    return c->found;
}

/* ---- the manifest ------------------------------------------------------ */

void manifest_free(struct manifest *manifest)
{
    free(manifest->departments);
    free(manifest->entries);
    *manifest = (struct manifest){0};
}

bool manifest_has_department(const struct manifest *manifest, const char *code)
{
    for (size_t i = 0; i < manifest->department_count; i++)
        if (strcmp(manifest->departments[i].code, code) == 0)
            return true;
    return false;
}

static int check_manifest_departments(struct checker *c, const json_t *root, struct manifest *out)
{
    const json_t *departments = checker_array(c, root, "$", "departments", 10000);
    if (!departments)
        return -1;
    out->departments = calloc(json_array_size(departments) + 1, sizeof *out->departments);
    if (!out->departments)
        return -1;
    size_t before = c->found, i;
    const json_t *department;
    json_array_foreach(departments, i, department) {
        char p[256];
        checker_element_path(p, sizeof p, "$.departments", i);
        if (!checker_is_object(c, department, p))
            continue;
        const char *code = checker_format(c, department, p, "code", CHECK_REQUIRED, checker_is_six_digits, "6 digits");
        const char *name = line_string(c, department, p, "name", CHECK_REQUIRED, 1, 200);
        if (code && manifest_has_department(out, code))
            checker_report(c, p, "department %s listed twice", code);
        else if (code && name) {
            snprintf(out->departments[out->department_count].code, 8, "%s", code);
            snprintf(out->departments[out->department_count].name, 256, "%s", name);
            out->department_count++;
        }
    }
    return c->found == before ? 0 : -1;
}

static void check_manifest_entry(struct checker *c, const json_t *value, const char *p,
                                 const struct manifest *manifest, struct manifest_entry *entry)
{
    entry->usable = false;
    if (!checker_is_object(c, value, p))
        return;
    size_t before = c->found;
    const char *number = checker_format(c, value, p, "application_no", CHECK_REQUIRED, checker_is_eight_digits, "8 digits");
    const char *department = checker_format(c, value, p, "department", CHECK_REQUIRED, checker_is_six_digits, "6 digits");
    const char *path = line_string(c, value, p, "path", CHECK_REQUIRED, 1, 200);
    const char *sha = line_string(c, value, p, "sha256", CHECK_REQUIRED, 64, 64);
    char mp[256];
    if (department && !manifest_has_department(manifest, department)) {
        checker_member_path(mp, sizeof mp, p, "department");
        checker_report(c, mp, "\"%s\" is not one of the manifest's departments", department);
    }
    if (sha && !text_is_sha256_hex(sha)) {
        checker_member_path(mp, sizeof mp, p, "sha256");
        checker_report(c, mp, "not 64 lowercase hexadecimal digits");
    }
    if (path && (strncmp(path, "applications/", 13) != 0 || strstr(path, "..") ||
                 strchr(path + 13, '/') || strchr(path, '\\'))) {
        checker_member_path(mp, sizeof mp, p, "path");
        checker_report(c, mp, "\"%s\" leaves the package's applications/ directory", path);
    }
    if (number)
        snprintf(entry->application_no, sizeof entry->application_no, "%s", number);
    if (department)
        snprintf(entry->department, sizeof entry->department, "%s", department);
    if (path)
        snprintf(entry->path, sizeof entry->path, "%s", path);
    if (sha)
        snprintf(entry->sha256, sizeof entry->sha256, "%s", sha);
    entry->usable = c->found == before;
}

int validate_manifest(const json_t *root, const char *file, struct manifest *out,
                      struct problem_list *problems)
{
    *out = (struct manifest){0};
    struct checker checker = {file, problems, 0};
    struct checker *c = &checker;
    if (!json_is_object(root)) {
        checker_report(c, "$", "expected object, found %s", checker_type_name(root));
        return -1;
    }
    /* Format and version first: an unknown one means we cannot read the rest. */
    static const char *const formats[] = {"lp-export", NULL};
    if (!checker_enum(c, root, "$", "format", CHECK_REQUIRED, formats) ||
        !check_version(c, root))
        return -1;
    const char *round = line_string(c, root, "$", "round", CHECK_REQUIRED, 1, 200);
    const char *exported = checker_format(c, root, "$", "exported_at", CHECK_REQUIRED, validate_is_time, "an RFC 3339 time");
    const json_t *university = checker_typed(c, root, "$", "university", JSON_OBJECT, "object");
    const char *university_code = NULL, *university_name = NULL;
    if (university) {
        university_code = checker_format(c, university, "$.university", "code", CHECK_REQUIRED, checker_is_three_digits, "3 digits");
        university_name = line_string(c, university, "$.university", "name", CHECK_REQUIRED, 1, 200);
    }
    int departments_ok = check_manifest_departments(c, root, out);
    const json_t *applications = checker_array(c, root, "$", "applications", 1000000);
    if (!round || !exported || !university_code || !university_name || departments_ok != 0 ||
        !applications)
        return -1;
    snprintf(out->round, sizeof out->round, "%s", round);
    snprintf(out->exported_at, sizeof out->exported_at, "%s", exported);
    snprintf(out->university_code, sizeof out->university_code, "%s", university_code);
    snprintf(out->university_name, sizeof out->university_name, "%s", university_name);

    out->entries = calloc(json_array_size(applications) + 1, sizeof *out->entries);
    if (!out->entries)
        return -1;
    /* The first entry of each application and of each path, by index + 1:
     * a hostile manifest of 100,000 entries compared pairwise took minutes. */
    GHashTable *first_of_application = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GHashTable *first_of_path = g_hash_table_new(g_str_hash, g_str_equal);
    size_t i;
    const json_t *value;
    json_array_foreach(applications, i, value) {
        char p[256];
        checker_element_path(p, sizeof p, "$.applications", i);
        struct manifest_entry *entry = &out->entries[out->entry_count++];
        check_manifest_entry(c, value, p, out, entry);
        char *key = g_strdup_printf("%s-%s", entry->department, entry->application_no);
        size_t same_application = GPOINTER_TO_SIZE(g_hash_table_lookup(first_of_application, key));
        size_t same_path = GPOINTER_TO_SIZE(g_hash_table_lookup(first_of_path, entry->path));
        if (entry->usable && same_application &&
            (!same_path || same_application <= same_path)) {
            /* Which listing is right cannot be known: neither loads. */
            checker_report(c, p, "%s-%s is listed twice", entry->department, entry->application_no);
            entry->usable = false;
            out->entries[same_application - 1].usable = false;
        } else if (entry->usable && same_path) {
            char mp[256];
            checker_member_path(mp, sizeof mp, p, "path");
            checker_report(c, mp, "path \"%s\" is listed twice", entry->path);
            entry->usable = false;
        }
        if (!same_application)
            g_hash_table_insert(first_of_application, key, GSIZE_TO_POINTER(out->entry_count));
        else
            g_free(key);
        if (!same_path)
            g_hash_table_insert(first_of_path, entry->path, GSIZE_TO_POINTER(out->entry_count));
        if (entry->usable) {
            /* docs/export-format.md §2: applications/<department>-<application_no>.json */
            char expected[64], mp[256];
            snprintf(expected, sizeof expected, "applications/%s-%s.json", entry->department,
                     entry->application_no);
            if (strcmp(entry->path, expected) != 0) {
                checker_member_path(mp, sizeof mp, p, "path");
                checker_report(c, mp, "\"%s\" is not %s", entry->path, expected);
                entry->usable = false;
            }
        }
    }
    g_hash_table_destroy(first_of_path);
    g_hash_table_destroy(first_of_application);
    return 0;
}
