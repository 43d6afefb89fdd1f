/* checker — checks of parsed JSON, one member at a time, that name the JSON
 * path of every problem ("$.courses[3].score: 100.5 out of range 0..100").
 * Shared by the export contract (validate.c) and the formats beishen owns
 * (requirements.c).  A helper reports a missing member, a wrong type or a
 * broken range and returns the value (or a failure) so that the caller can
 * go on checking.
 *
 * Ownership: a problem_list grows as problems are added and is freed with
 * problems_free; returned strings and JSON values are borrowed from the
 * checked JSON.  Thread-safe (a checker is one walk of one file). */
#ifndef BEISHEN_CHECKER_H
#define BEISHEN_CHECKER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* One broken rule: in which file, where in it (a JSON path such as
 * $.course_outcomes[0].summary, or "" for the whole file), what rule. */
struct problem {
    char package[256];        /* filled by ingest; empty otherwise */
    char file[256];
    char path[256];
    char rule[512];
};

/* A growing list; problems_free releases it.  It keeps the first
 * PROBLEMS_KEPT_MAX problems and only counts the others (`omitted`): a
 * hostile file can break a rule millions of times, and each problem takes
 * over a kilobyte. */
#define PROBLEMS_KEPT_MAX 1000
struct problem_list {
    struct problem *items;
    size_t count, capacity;
    size_t omitted;           /* problems found beyond the kept ones */
};

void problems_add(struct problem_list *list, const char *file, const char *path,
                  const char *format, ...) __attribute__((format(printf, 4, 5)));
void problems_free(struct problem_list *list);
/* Moves every problem of `from` to the end of `to` (up to the cap; the rest
 * are counted as omitted) and empties `from`. */
void problems_move(struct problem_list *to, struct problem_list *from);
/* Every problem found: kept and omitted. */
size_t problems_total(const struct problem_list *list);

/* Walks one file: its name, where problems go, how many this walk added. */
struct checker {
    const char *file;
    struct problem_list *problems;
    size_t found;
};

enum checker_presence { CHECK_REQUIRED, CHECK_NULLABLE };

void checker_report(struct checker *c, const char *path, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* "<parent>.<key>" and "<parent>[<index>]" */
void checker_member_path(char *out, size_t size, const char *parent, const char *key);
void checker_element_path(char *out, size_t size, const char *parent, size_t index);
const char *checker_type_name(const json_t *value);
bool checker_in_list(const char *text, const char *const *values);

/* The member, or NULL after reporting it missing.  With CHECK_NULLABLE a
 * JSON null gives NULL without a report and *is_null (may be NULL) true. */
const json_t *checker_member(struct checker *c, const json_t *object, const char *parent,
                             const char *key, enum checker_presence presence, bool *is_null);
bool checker_expect_type(struct checker *c, const json_t *value, const char *path,
                         json_type type, const char *wanted);
bool checker_is_object(struct checker *c, const json_t *value, const char *path);

/* A string value at `path` of min..max Unicode characters: valid UTF-8,
 * no NUL, normalization form NFC (spec: "human text is UTF-8 (NFC)"). */
/* No control character in `text` (valid UTF-8): C0 (U+0000-U+001F), DEL
 * and C1 (U+0080-U+009F) are refused, except line feed and tab when
 * `multiline`.  Returns false after reporting the first one at `path`. */
bool checker_no_controls(struct checker *c, const char *path, const char *text, bool multiline);
const char *checker_text(struct checker *c, const json_t *value, const char *path,
                         size_t min_chars, size_t max_chars);
/* The same for an object member. */
const char *checker_string(struct checker *c, const json_t *object, const char *parent,
                           const char *key, enum checker_presence presence,
                           size_t min_chars, size_t max_chars);
bool checker_integer(struct checker *c, const json_t *object, const char *parent,
                     const char *key, long long min, long long max, long long *out);
/* A number in [min, max] with at most `decimals` decimals (-1: any), or
 * null when CHECK_NULLABLE; *present says whether a number was given. */
bool checker_number(struct checker *c, const json_t *object, const char *parent,
                    const char *key, enum checker_presence presence, double min, double max,
                    int decimals, bool *present);
bool checker_boolean(struct checker *c, const json_t *object, const char *parent,
                     const char *key, enum checker_presence presence);
/* A string that is one of values (NULL-terminated). */
const char *checker_enum(struct checker *c, const json_t *object, const char *parent,
                         const char *key, enum checker_presence presence,
                         const char *const *values);
/* Exactly `count` ASCII digits; and the three lengths codes come in
 * (application numbers, department codes, university codes), shaped for
 * checker_format(). */
bool checker_is_digits(const char *text, size_t count);
bool checker_is_eight_digits(const char *text);
bool checker_is_six_digits(const char *text);
bool checker_is_three_digits(const char *text);

/* A short string accepted by valid(); format_name says what was expected. */
const char *checker_format(struct checker *c, const json_t *object, const char *parent,
                           const char *key, enum checker_presence presence,
                           bool (*valid)(const char *), const char *format_name);
const json_t *checker_typed(struct checker *c, const json_t *object, const char *parent,
                            const char *key, json_type type, const char *wanted);
/* An array of at most max_items (a longer one is reported and still returned). */
const json_t *checker_array(struct checker *c, const json_t *object, const char *parent,
                            const char *key, size_t max_items);

#endif
