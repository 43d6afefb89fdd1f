/* checker — field-by-field checks of parsed JSON that name the JSON path
 * of every problem: shared by the export contract (validate.c) and our own
 * formats (requirements.c). */
#include "core/checker.h"
#include "core/text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- problem and file-reference lists ---------------------------------- */

void problems_add(struct problem_list *list, const char *file, const char *path,
                  const char *format, ...)
{
    if (list->count >= PROBLEMS_KEPT_MAX) {
        list->omitted++;
        return;
    }
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 16;
        struct problem *items = realloc(list->items, capacity * sizeof *items);
        if (!items) {
            list->omitted++;   /* out of memory: counted, not kept */
            return;
        }
        list->items = items;
        list->capacity = capacity;
    }
    struct problem *p = &list->items[list->count++];
    snprintf(p->file, sizeof p->file, "%s", file);
    snprintf(p->path, sizeof p->path, "%s", path);
    va_list args;
    va_start(args, format);
    vsnprintf(p->rule, sizeof p->rule, format, args);
    va_end(args);
}

void problems_free(struct problem_list *list)
{
    free(list->items);
    *list = (struct problem_list){0};
}

void problems_move(struct problem_list *to, struct problem_list *from)
{
    for (size_t i = 0; i < from->count; i++) {
        size_t before = to->count;
        problems_add(to, from->items[i].file, from->items[i].path, "%s", from->items[i].rule);
        if (to->count > before)
            snprintf(to->items[before].package, sizeof to->items[before].package, "%s",
                     from->items[i].package);
    }
    to->omitted += from->omitted;
    problems_free(from);
}

size_t problems_total(const struct problem_list *list)
{
    return list->count + list->omitted;
}

/* ---- the checker and its field helpers --------------------------------- */

void checker_report(struct checker *c, const char *path, const char *format, ...)
{
    char rule[512];
    va_list args;
    va_start(args, format);
    vsnprintf(rule, sizeof rule, format, args);
    va_end(args);
    problems_add(c->problems, c->file, path, "%s", rule);
    c->found++;
}

/* Paths are built for every member checked, problem or not: by hand,
 * since snprintf was most of the time validation took.  What does not
 * fit goes through snprintf, which truncates as it always did. */

/* path of object member: "<parent>.<key>" */
void checker_member_path(char *out, size_t size, const char *parent, const char *key)
{
    size_t p = strlen(parent), k = strlen(key);
    if (p + 1 + k < size) {
        memcpy(out, parent, p);
        out[p] = '.';
        memcpy(out + p + 1, key, k + 1);
        return;
    }
    snprintf(out, size, "%s.%s", parent, key);
}

/* path of array element: "<parent>[<index>]" */
void checker_element_path(char *out, size_t size, const char *parent, size_t index)
{
    char digits[24];
    size_t n = 0, value = index, p = strlen(parent);
    do
        digits[n++] = (char)('0' + value % 10);
    while ((value /= 10) > 0);
    if (p + n + 2 < size) {
        memcpy(out, parent, p);
        out[p++] = '[';
        while (n > 0)
            out[p++] = digits[--n];
        out[p++] = ']';
        out[p] = '\0';
        return;
    }
    snprintf(out, size, "%s[%zu]", parent, index);
}

const char *checker_type_name(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "number";
    case JSON_TRUE: case JSON_FALSE: return "boolean";
    default: return "null";
    }
}

/* The member, or NULL after reporting that it is missing.  With CHECK_NULLABLE a
 * JSON null is returned as NULL without a report; *is_null tells which. */
const json_t *checker_member(struct checker *c, const json_t *object, const char *parent,
                            const char *key, enum checker_presence presence, bool *is_null)
{
    char path[256];
    checker_member_path(path, sizeof path, parent, key);
    const json_t *value = json_object_get(object, key);
    if (is_null)
        *is_null = false;
    if (!value) {
        checker_report(c, path, "missing");
        return NULL;
    }
    if (json_is_null(value)) {
        if (presence == CHECK_NULLABLE) {
            if (is_null)
                *is_null = true;
            return NULL;
        }
        checker_report(c, path, "must not be null");
        return NULL;
    }
    return value;
}

bool checker_expect_type(struct checker *c, const json_t *value, const char *path,
                        json_type type, const char *wanted)
{
    bool ok = json_typeof(value) == type ||
              (type == JSON_TRUE && json_is_boolean(value));
    if (!ok)
        checker_report(c, path, "expected %s, found %s", wanted, checker_type_name(value));
    return ok;
}

/* A string member: valid UTF-8 without NUL, min..max Unicode characters. */
const char *checker_text(struct checker *c, const json_t *value, const char *path,
                         size_t min_chars, size_t max_chars)
{
    if (!checker_expect_type(c, value, path, JSON_STRING, "string"))
        return NULL;
    const char *text = json_string_value(value);
    size_t length = json_string_length(value);
    if (!text_is_utf8(text, length)) {
        checker_report(c, path, "contains a NUL character or invalid UTF-8");
        return NULL;
    }
    if (!text_is_nfc(text, length)) {
        checker_report(c, path, "text is not in Unicode normalization form NFC");
        return NULL;
    }
    size_t chars = text_characters(text, length);
    if (chars < min_chars) {
        checker_report(c, path, min_chars == 1 ? "must not be empty" : "%zu characters, at least %zu",
                       chars, min_chars);
        return NULL;
    }
    if (chars > max_chars) {
        checker_report(c, path, "%zu characters, limit %zu", chars, max_chars);
        return NULL;
    }
    return text;
}

bool checker_no_controls(struct checker *c, const char *path, const char *text, bool multiline)
{
    size_t position;
    long control = text_find_control(text, multiline, &position);
    if (control < 0)
        return true;
    checker_report(c, path, multiline
                   ? "control character U+%04lX at character %zu: only line feeds and tabs are allowed"
                   : control > 0xFF
                   ? "bidirectional control character U+%04lX at character %zu: it would show the text "
                     "in another order; none is allowed in a one-line field"
                   : "control character U+%04lX at character %zu: none is allowed in a one-line field",
                   control, position + 1);
    return false;
}

const char *checker_string(struct checker *c, const json_t *object, const char *parent,
                           const char *key, enum checker_presence presence,
                           size_t min_chars, size_t max_chars)
{
    char path[256];
    checker_member_path(path, sizeof path, parent, key);
    const json_t *value = checker_member(c, object, parent, key, presence, NULL);
    return value ? checker_text(c, value, path, min_chars, max_chars) : NULL;
}

/* An integer member within [min, max]; returns false after reporting. */
bool checker_integer(struct checker *c, const json_t *object, const char *parent,
                           const char *key, long long min, long long max, long long *out)
{
    char path[256];
    checker_member_path(path, sizeof path, parent, key);
    const json_t *value = checker_member(c, object, parent, key, CHECK_REQUIRED, NULL);
    if (!value || !checker_expect_type(c, value, path, JSON_INTEGER, "integer"))
        return false;
    long long v = json_integer_value(value);
    if (v < min || v > max) {
        checker_report(c, path, "%lld out of range %lld..%lld", v, min, max);
        return false;
    }
    if (out)
        *out = v;
    return true;
}

/* A number (integer or real) within [min, max] with at most `decimals`
 * decimals, or null when CHECK_NULLABLE.  *present says whether one was given. */
bool checker_number(struct checker *c, const json_t *object, const char *parent,
                          const char *key, enum checker_presence presence, double min, double max,
                          int decimals, bool *present)
{
    char path[256];
    checker_member_path(path, sizeof path, parent, key);
    bool is_null = false;
    *present = false;
    const json_t *value = checker_member(c, object, parent, key, presence, &is_null);
    if (!value)
        return is_null;
    if (!json_is_number(value)) {
        checker_report(c, path, "expected number, found %s", checker_type_name(value));
        return false;
    }
    double v = json_number_value(value);
    if (!(v >= min && v <= max)) {
        checker_report(c, path, "%g out of range %g..%g", v, min, max);
        return false;
    }
    if (decimals >= 0) {
        double scaled = v * pow(10, decimals);
        /* Doubles of at most 2 decimals below 10^4 are off by ~1e-12 once scaled. */
        if (fabs(scaled - round(scaled)) > 1e-9) {
            checker_report(c, path, "%g has more than %d decimals", v, decimals);
            return false;
        }
    }
    *present = true;
    return true;
}

bool checker_boolean(struct checker *c, const json_t *object, const char *parent,
                           const char *key, enum checker_presence presence)
{
    char path[256];
    checker_member_path(path, sizeof path, parent, key);
    bool is_null;
    const json_t *value = checker_member(c, object, parent, key, presence, &is_null);
    if (!value)
        return is_null;
    return checker_expect_type(c, value, path, JSON_TRUE, "boolean");
}

bool checker_in_list(const char *text, const char *const *values)
{
    for (; *values; values++)
        if (strcmp(text, *values) == 0)
            return true;
    return false;
}

/* A string member that must be one of values. */
const char *checker_enum(struct checker *c, const json_t *object, const char *parent,
                           const char *key, enum checker_presence presence,
                           const char *const *values)
{
    char path[256];
    checker_member_path(path, sizeof path, parent, key);
    const char *text = checker_string(c, object, parent, key, presence, 0, 200);
    if (text && !checker_in_list(text, values)) {
        checker_report(c, path, "\"%s\" is not one of the allowed values", text);
        return NULL;
    }
    return text;
}

/* A string member checked by a format predicate. */
const char *checker_format(struct checker *c, const json_t *object, const char *parent,
                           const char *key, enum checker_presence presence,
                           bool (*valid)(const char *), const char *format_name)
{
    char path[256];
    checker_member_path(path, sizeof path, parent, key);
    const char *text = checker_string(c, object, parent, key, presence, 0, 64);
    if (text && !valid(text)) {
        checker_report(c, path, "\"%s\" is not %s", text, format_name);
        return NULL;
    }
    return text;
}

const json_t *checker_typed(struct checker *c, const json_t *object, const char *parent,
                                  const char *key, json_type type, const char *wanted)
{
    char path[256];
    checker_member_path(path, sizeof path, parent, key);
    const json_t *value = checker_member(c, object, parent, key, CHECK_REQUIRED, NULL);
    if (value && !checker_expect_type(c, value, path, type, wanted))
        return NULL;
    return value;
}

/* An array member with at most max_items elements (reported, still returned). */
const json_t *checker_array(struct checker *c, const json_t *object, const char *parent,
                                  const char *key, size_t max_items)
{
    char path[256];
    checker_member_path(path, sizeof path, parent, key);
    const json_t *array = checker_typed(c, object, parent, key, JSON_ARRAY, "array");
    if (array && json_array_size(array) > max_items)
        checker_report(c, path, "%zu items, limit %zu", json_array_size(array), max_items);
    return array;
}

bool checker_is_object(struct checker *c, const json_t *value, const char *path)
{
    return checker_expect_type(c, value, path, JSON_OBJECT, "object");
}

bool checker_is_digits(const char *text, size_t count)
{
    if (strlen(text) != count)
        return false;
    for (size_t i = 0; i < count; i++)
        if (text[i] < '0' || text[i] > '9')
            return false;
    return true;
}

bool checker_is_eight_digits(const char *text) { return checker_is_digits(text, 8); }
bool checker_is_six_digits(const char *text) { return checker_is_digits(text, 6); }
bool checker_is_three_digits(const char *text) { return checker_is_digits(text, 3); }
