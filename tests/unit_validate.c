/* unit_validate — the export contract's rules (spec §1–§4) as review/validate.c
 * checks them, plus the format helpers it uses (validate_is_*, magic bytes),
 * util's UTF-8 / SHA-256 / masking helpers and the two rank formulas of
 * query.h.
 *
 * Approach: the sample package tests/fixtures/round-small (the project's own,
 * made once by build/generate, see tests/fixtures/README.md; run from the
 * repository root) is valid as shipped.  The two sample documents are its
 * portfolio application 001012-18010410 (3 course outcomes, 10 performances,
 * 1 cadre) and its self-made application 001022-10010627 (7 uploads, items
 * A C G O P Q R); the values the cases below name (course code, cohort,
 * dates, sizes, hashes) are theirs, read with jq.  Every case takes a fresh
 * deep copy of one sample document, applies a few edits addressed by JSON
 * path ("$.courses[0].cohort.rank"), validates it and expects either no
 * problem at all or exactly one problem at a given path whose rule contains
 * a given text.  Cases marked CONTRACT GAP describe what the contract asks
 * for and the validator does not do yet: they are meant to fail until it is
 * fixed. */
#include "core/checker.h"
#include "core/text.h"
#include "ingest/validate.h"
#include "query/query.h"
#include "unit.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXAMPLES "tests/fixtures/round-small/"
#define PORTFOLIO_FILE EXAMPLES "applications/001012-18010410.json"
#define SELF_MADE_FILE EXAMPLES "applications/001022-10010627.json"
#define MANIFEST_FILE EXAMPLES "manifest.json"

/* ---- JSON paths --------------------------------------------------------- */

/* One step of a path: ".key" or "[index]". */
struct step {
    bool is_index;
    size_t index;
    char key[128];
};

/* Splits "$.a.b[3].c" into steps; returns the number of steps or -1. */
static int parse_path(const char *path, struct step *steps, int max_steps)
{
    if (path[0] != '$')
        return -1;
    const char *p = path + 1;
    int count = 0;
    while (*p) {
        if (count == max_steps)
            return -1;
        struct step *s = &steps[count++];
        *s = (struct step){0};
        if (*p == '.') {
            size_t n = strcspn(p + 1, ".[");
            if (n == 0 || n >= sizeof s->key)
                return -1;
            memcpy(s->key, p + 1, n);
            s->key[n] = '\0';
            p += 1 + n;
        } else if (*p == '[') {
            char *end;
            s->is_index = true;
            s->index = strtoul(p + 1, &end, 10);
            if (end == p + 1 || *end != ']')
                return -1;
            p = end + 1;
        } else {
            return -1;
        }
    }
    return count;
}

static json_t *step_get(json_t *container, const struct step *s)
{
    if (s->is_index)
        return json_is_array(container) ? json_array_get(container, s->index) : NULL;
    return json_is_object(container) ? json_object_get(container, s->key) : NULL;
}

/* The value at path (borrowed), or NULL. */
static json_t *path_get(json_t *root, const char *path)
{
    struct step steps[16];
    int n = parse_path(path, steps, 16);
    if (n < 0)
        return NULL;
    json_t *node = root;
    for (int i = 0; i < n && node; i++)
        node = step_get(node, &steps[i]);
    return node;
}

/* Sets the value at path (value is stolen), or deletes it when value is
 * NULL.  An array index equal to the array's size appends.  0 or -1. */
static int path_set(json_t *root, const char *path, json_t *value)
{
    struct step steps[16];
    int n = parse_path(path, steps, 16);
    json_t *parent = root;
    for (int i = 0; n > 0 && i < n - 1 && parent; i++)
        parent = step_get(parent, &steps[i]);
    int rc = -1;
    if (n > 0 && parent) {
        const struct step *last = &steps[n - 1];
        if (last->is_index && json_is_array(parent)) {
            size_t size = json_array_size(parent);
            if (!value)
                rc = json_array_remove(parent, last->index);
            else if (last->index < size)
                rc = json_array_set(parent, last->index, value);
            else if (last->index == size)
                rc = json_array_append(parent, value);
        } else if (!last->is_index && json_is_object(parent)) {
            rc = value ? json_object_set(parent, last->key, value)
                       : json_object_del(parent, last->key);
        }
    }
    json_decref(value);
    return rc;
}

/* ---- cases -------------------------------------------------------------- */

/* One edit: path and new value as JSON text; value NULL deletes; "@<path>"
 * copies the value found at that path of the same document. */
struct op {
    const char *path;
    const char *value;
};

static bool apply_op(json_t *doc, const struct op *op)
{
    json_t *value = NULL;
    if (op->value && op->value[0] == '@') {
        json_t *source = path_get(doc, op->value + 1);
        if (!source)
            return false;
        value = json_deep_copy(source);
    } else if (op->value) {
        json_error_t error;
        value = json_loads(op->value, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
        if (!value) {
            printf("     bad JSON in test table: %s (%s)\n", op->value, error.text);
            return false;
        }
    }
    return path_set(doc, op->path, value) == 0;
}

static bool apply_ops(json_t *doc, const struct op *ops, size_t count)
{
    bool ok = true;
    for (size_t i = 0; i < count && ops[i].path; i++)
        ok = apply_op(doc, &ops[i]) && ok;
    return ok;
}

static void print_problems(const struct problem_list *problems)
{
    for (size_t i = 0; i < problems->count; i++)
        printf("     found: %s: %s\n", problems->items[i].path, problems->items[i].rule);
}

/* Exactly one problem at path whose rule contains rule_part, or none when
 * path is NULL. */
static bool problems_match(const struct problem_list *problems, const char *path,
                           const char *rule_part)
{
    if (!path)
        return problems->count == 0;
    return problems->count == 1 && strcmp(problems->items[0].path, path) == 0 &&
           strstr(problems->items[0].rule, rule_part) != NULL;
}

static void check_problems(const char *name, const struct problem_list *problems,
                           const char *path, const char *rule_part)
{
    bool ok = problems_match(problems, path, rule_part);
    if (path)
        CHECK(ok, "%s: exactly one problem at %s containing \"%s\"", name, path, rule_part);
    else
        CHECK(ok, "%s: no problem", name);
    if (!ok)
        print_problems(problems);
}

/* ---- loading the samples ------------------------------------------------ */

static json_t *load_json(const char *path)
{
    json_error_t error;
    json_t *root = json_load_file(path, 0, &error);
    CHECK(root != NULL, "load %s%s%s", path, root ? "" : ": ", root ? "" : error.text);
    return root;
}

/* A JSON string literal of `count` copies of `unit`; caller frees. */
static char *repeated_json_string(const char *unit, size_t count)
{
    size_t unit_length = strlen(unit);
    char *text = malloc(count * unit_length + 3);
    if (!text)
        abort();
    char *p = text;
    *p++ = '"';
    for (size_t i = 0; i < count; i++, p += unit_length)
        memcpy(p, unit, unit_length);
    *p++ = '"';
    *p = '\0';
    return text;
}

static const struct manifest_entry *find_entry(const struct manifest *manifest,
                                               const char *department, const char *number)
{
    for (size_t i = 0; i < manifest->entry_count; i++)
        if (strcmp(manifest->entries[i].department, department) == 0 &&
            strcmp(manifest->entries[i].application_no, number) == 0)
            return &manifest->entries[i];
    return NULL;
}

/* ---- the manifest ------------------------------------------------------- */

struct manifest_case {
    const char *name;
    struct op ops[3];
    int expect_return;          /* 0 readable, -1 unreadable */
    const char *expect_path;    /* NULL: no problem */
    const char *expect_rule;
    int unusable_entry;         /* index that must be marked unusable, or -1 */
};

static void run_manifest_case(const json_t *base, const struct manifest_case *t)
{
    json_t *doc = json_deep_copy(base);
    CHECK(apply_ops(doc, t->ops, 3), "%s: edits apply", t->name);
    struct manifest manifest;
    struct problem_list problems = {0};
    int rc = validate_manifest(doc, "manifest.json", &manifest, &problems);
    CHECK(rc == t->expect_return, "%s: returns %d (got %d)", t->name, t->expect_return, rc);
    check_problems(t->name, &problems, t->expect_path, t->expect_rule);
    if (t->unusable_entry >= 0)
        CHECK((size_t)t->unusable_entry < manifest.entry_count &&
              !manifest.entries[t->unusable_entry].usable,
              "%s: entry %d is unusable", t->name, t->unusable_entry);
    manifest_free(&manifest);
    problems_free(&problems);
    json_decref(doc);
}

static void test_manifest(const json_t *base)
{
    /* untouched: readable, every entry usable */
    struct manifest manifest;
    struct problem_list problems = {0};
    int rc = validate_manifest(base, "manifest.json", &manifest, &problems);
    CHECK(rc == 0 && problems.count == 0, "sample manifest is valid");
    print_problems(&problems);
    CHECK(manifest.department_count == 2 && strcmp(manifest.departments[1].code, "001022") == 0,
          "sample manifest: 2 departments");
    CHECK(manifest.entry_count == 10, "sample manifest: 10 entries");
    size_t usable = 0;
    for (size_t i = 0; i < manifest.entry_count; i++)
        usable += manifest.entries[i].usable;
    CHECK(usable == 10, "sample manifest: every entry usable");
    CHECK(strcmp(manifest.university_code, "001") == 0, "sample manifest: university code");
    CHECK(manifest_has_department(&manifest, "001012") && !manifest_has_department(&manifest, "001032"),
          "manifest_has_department");
    manifest_free(&manifest);
    problems_free(&problems);

    /* not an object at all */
    json_t *array = json_array();
    rc = validate_manifest(array, "manifest.json", &manifest, &problems);
    CHECK(rc == -1 && problems_match(&problems, "$", "expected object"), "manifest that is an array is unreadable");
    manifest_free(&manifest);
    problems_free(&problems);
    json_decref(array);

    /* entry 0's own hash (001012-10010627), upper-cased, cut to 63, a 'g' first */
    static const char *const sha_upper = "\"E4465469587678A528A6CD2AE5A6B729B008BCB66B83E34BDE3C8E456C828BE4\"";
    static const char *const sha_63 = "\"e4465469587678a528a6cd2ae5a6b729b008bcb66b83e34bde3c8e456c828be\"";
    static const char *const sha_g = "\"g4465469587678a528a6cd2ae5a6b729b008bcb66b83e34bde3c8e456c828be4\"";
    const struct manifest_case cases[] = {
        /* format and version: unknown ones make the package unreadable */
        {"manifest format lp-exports", {{"$.format", "\"lp-exports\""}}, -1, "$.format", "not one of the allowed values", -1},
        {"manifest format missing", {{"$.format", NULL}}, -1, "$.format", "missing", -1},
        {"manifest version 2", {{"$.version", "2"}}, -1, "$.version", "unknown version", -1},
        {"manifest version 0", {{"$.version", "0"}}, -1, "$.version", "unknown version", -1},
        {"manifest version \"1\"", {{"$.version", "\"1\""}}, -1, "$.version", "expected integer", -1},
        {"manifest version missing", {{"$.version", NULL}}, -1, "$.version", "missing", -1},
        /* the rest of the header */
        {"manifest round missing", {{"$.round", NULL}}, -1, "$.round", "missing", -1},
        {"manifest round empty", {{"$.round", "\"\""}}, -1, "$.round", "must not be empty", -1},
        {"manifest exported_at a date", {{"$.exported_at", "\"2026-03-27\""}}, -1, "$.exported_at", "RFC 3339", -1},
        {"manifest exported_at with Z", {{"$.exported_at", "\"2026-03-27T01:00:00Z\""}}, 0, NULL, NULL, -1},
        {"manifest university missing", {{"$.university", NULL}}, -1, "$.university", "missing", -1},
        {"manifest university a string", {{"$.university", "\"001\""}}, -1, "$.university", "expected object", -1},
        {"manifest university code 2 digits", {{"$.university.code", "\"01\""}}, -1, "$.university.code", "3 digits", -1},
        {"manifest university code letters", {{"$.university.code", "\"0A1\""}}, -1, "$.university.code", "3 digits", -1},
        {"manifest university name missing", {{"$.university.name", NULL}}, -1, "$.university.name", "missing", -1},
        /* departments */
        {"manifest departments missing", {{"$.departments", NULL}}, -1, "$.departments", "missing", -1},
        {"manifest department code 5 digits", {{"$.departments[0].code", "\"00101\""}}, -1, "$.departments[0].code", "6 digits", -1},
        {"manifest department code 7 digits", {{"$.departments[0].code", "\"0010120\""}}, -1, "$.departments[0].code", "6 digits", -1},
        {"manifest department name empty", {{"$.departments[0].name", "\"\""}}, -1, "$.departments[0].name", "must not be empty", -1},
        {"manifest department listed twice", {{"$.departments[1].code", "\"001012\""}}, -1, "$.departments[1]", "listed twice", -1},
        {"manifest department not an object", {{"$.departments[1]", "\"001022\""}}, -1, "$.departments[1]", "expected object", -1},
        {"manifest third department", {{"$.departments[2]", "{\"code\":\"001032\",\"name\":\"哲學系\"}"}}, 0, NULL, NULL, -1},
        /* applications: a broken entry is reported and unusable, the rest loads */
        {"manifest applications missing", {{"$.applications", NULL}}, -1, "$.applications", "missing", -1},
        {"manifest applications empty", {{"$.applications", "[]"}}, 0, NULL, NULL, -1},
        {"manifest entry not an object", {{"$.applications[0]", "\"x\""}}, 0, "$.applications[0]", "expected object", 0},
        {"manifest entry application_no missing", {{"$.applications[0].application_no", NULL}}, 0, "$.applications[0].application_no", "missing", 0},
        {"manifest entry application_no 7 digits", {{"$.applications[0].application_no", "\"1001062\""}}, 0, "$.applications[0].application_no", "8 digits", 0},
        {"manifest entry department missing", {{"$.applications[0].department", NULL}}, 0, "$.applications[0].department", "missing", 0},
        {"manifest entry department not listed", {{"$.applications[0].department", "\"001032\""}}, 0, "$.applications[0].department", "not one of the manifest's departments", 0},
        {"manifest entry path missing", {{"$.applications[0].path", NULL}}, 0, "$.applications[0].path", "missing", 0},
        {"manifest entry sha256 missing", {{"$.applications[0].sha256", NULL}}, 0, "$.applications[0].sha256", "missing", 0},
        {"manifest entry sha256 uppercase", {{"$.applications[0].sha256", sha_upper}}, 0, "$.applications[0].sha256", "not 64 lowercase hexadecimal", 0},
        {"manifest entry sha256 non-hex", {{"$.applications[0].sha256", sha_g}}, 0, "$.applications[0].sha256", "not 64 lowercase hexadecimal", 0},
        {"manifest entry sha256 63 digits", {{"$.applications[0].sha256", sha_63}}, 0, "$.applications[0].sha256", "63 characters, at least 64", 0},
        {"manifest entry path with ..", {{"$.applications[0].path", "\"applications/../manifest.json\""}}, 0, "$.applications[0].path", "leaves the package", 0},
        {"manifest entry path outside applications/", {{"$.applications[0].path", "\"files/001012-10010627.json\""}}, 0, "$.applications[0].path", "leaves the package", 0},
        {"manifest entry path absolute", {{"$.applications[0].path", "\"/applications/001012-10010627.json\""}}, 0, "$.applications[0].path", "leaves the package", 0},
        {"manifest entry path in a subdirectory", {{"$.applications[0].path", "\"applications/x/001012-10010627.json\""}}, 0, "$.applications[0].path", "leaves the package", 0},
        {"manifest entry path with backslash", {{"$.applications[0].path", "\"applications\\\\001012-10010627.json\""}}, 0, "$.applications[0].path", "leaves the package", 0},
        {"manifest entry listed twice", {{"$.applications[1]", "@$.applications[0]"}}, 0, "$.applications[1]", "listed twice", 1},
        {"manifest same application under another path",
         {{"$.applications[1]", "@$.applications[0]"}, {"$.applications[1].path", "\"applications/001012-10010627-copy.json\""}},
         0, "$.applications[1]", "001012-10010627 is listed twice", 1},
        /* Two different applications sharing one path: the message names the
         * shared path, at the path member. */
        {"manifest two applications share one path",
         {{"$.applications[1].path", "\"applications/001012-10010627.json\""}},
         0, "$.applications[1].path", "applications/001012-10010627.json", 1},
        /* §1 lays application files out as
         * applications/<department>-<application_no>.json; an entry whose
         * path names another application (or no application) is accepted. */
        {"manifest entry path names another application",
         {{"$.applications[0].path", "\"applications/001012-10010628.json\""}},
         0, "$.applications[0].path", "", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_manifest_case(base, &cases[i]);
}

/* ---- applications ------------------------------------------------------- */

enum base { PORTFOLIO, SELF_MADE };

struct app_case {
    const char *name;
    enum base base;
    struct op ops[3];
    const char *expect_path;    /* NULL: no problem */
    const char *expect_rule;
    bool without_entry;         /* validate against the manifest only */
};

static void run_app_case(json_t *const bases[2], const struct manifest *manifest,
                         const struct app_case *t)
{
    const json_t *base = bases[t->base];
    const struct manifest_entry *entry = NULL;
    if (!t->without_entry)
        entry = find_entry(manifest, json_string_value(json_object_get(base, "department")),
                           json_string_value(json_object_get(base, "application_no")));
    json_t *doc = json_deep_copy(base);
    CHECK(apply_ops(doc, t->ops, 3), "%s: edits apply", t->name);
    struct problem_list problems = {0};
    struct file_reference_list files = {0};
    size_t found = validate_application(doc, "application.json", manifest, entry, &problems, &files);
    CHECK(found == problems.count, "%s: returns the number of problems", t->name);
    check_problems(t->name, &problems, t->expect_path, t->expect_rule);
    problems_free(&problems);
    file_references_free(&files);
    json_decref(doc);
}

#define CODE_1 "112073302H11101A1110101" /* courses[0].code, in the catalog */
#define CATALOG "$.course_catalog." CODE_1
#define CO0 "$.course_outcomes[0]"
#define FILE0 CO0 ".files[0]"                      /* a PDF */
#define PNG1 "$.course_outcomes[1].files[1]"           /* a PNG */
#define JPEG1 "$.course_outcomes[2].files[1]"          /* a JPEG */
#define MP0 "$.performances[0]"
#define C0 "$.courses[0]"
#define CR "$.courses[53]"                        /* has a remark */
#define T_FORMAT "an RFC 3339 time"
#define D_FORMAT "a date YYYY-MM-DD"

static const char *const outcome_json =
    "{\"id\":\"CO9\",\"item\":\"B\",\"year\":113,\"semester\":1,"
    "\"course_code\":\"" CODE_1 "\",\"course_name\":\"國語文\",\"title\":\"報告\","
    "\"summary\":\"摘要\",\"certified\":false,\"certified_at\":null,"
    "\"uploaded_at\":\"2025-01-03T20:00:00+08:00\",\"files\":[]}";
static const char *const performance_json =
    "{\"id\":\"MP99\",\"item\":\"J\",\"kind\":\"competition\",\"year\":112,\"semester\":1,"
    "\"title\":\"科展\",\"organizer\":null,\"start\":null,\"end\":null,\"hours\":null,"
    "\"level\":null,\"award\":null,\"summary\":\"摘要\","
    "\"uploaded_at\":\"2024-07-24T09:00:00+08:00\",\"files\":[],\"links\":[]}";

static void test_applications(json_t *const bases[2], const struct manifest *manifest)
{
    /* the samples as shipped */
    for (int b = PORTFOLIO; b <= SELF_MADE; b++) {
        const json_t *base = bases[b];
        const struct manifest_entry *entry =
            find_entry(manifest, json_string_value(json_object_get(base, "department")),
                       json_string_value(json_object_get(base, "application_no")));
        CHECK(entry != NULL, "sample %d is listed in the manifest", b);
        struct problem_list problems = {0};
        struct file_reference_list files = {0};
        size_t found = validate_application(base, "application.json", manifest, entry, &problems, &files);
        CHECK(found == 0 && problems.count == 0, "sample %s is valid",
              b == PORTFOLIO ? "portfolio application" : "self-made application");
        print_problems(&problems);
        if (b == PORTFOLIO) {
            /* 5 outcome files (1 + 2 + 2), 4 performance files (the 2nd,
             * 7th, 9th and 10th have one each), no upload files */
            CHECK(files.count == 9, "portfolio sample: 9 file references (got %zu)", files.count);
            CHECK(files.count > 0 && strcmp(files.items[0].path, "$.course_outcomes[0].files[0]") == 0 &&
                  strcmp(files.items[0].media_type, "application/pdf") == 0 && files.items[0].size == 127470 &&
                  strcmp(files.items[0].sha256, "cea8c0970798f5ab202ea84f21bbe33c352cc4727066e4e0bfb06a13f6793acd") == 0,
                  "portfolio sample: first reference collected whole");
        } else {
            CHECK(files.count == 7, "self-made sample: 7 file references (got %zu)", files.count);
        }
        problems_free(&problems);
        file_references_free(&files);
    }

    /* without a manifest or entry the cross-checks are skipped */
    struct problem_list problems = {0};
    struct file_reference_list files = {0};
    CHECK(validate_application(bases[PORTFOLIO], "a.json", NULL, NULL, &problems, &files) == 0,
          "portfolio sample is valid without a manifest");
    problems_free(&problems);
    file_references_free(&files);

    /* an application that is not an object */
    json_t *number = json_integer(1);
    validate_application(number, "a.json", manifest, NULL, &problems, &files);
    CHECK(problems_match(&problems, "$", "expected object"), "application that is a number");
    problems_free(&problems);
    file_references_free(&files);
    json_decref(number);

    char *summary100 = repeated_json_string("學", 100), *summary101 = repeated_json_string("學", 101);
    char *text800 = repeated_json_string("心", 800), *text801 = repeated_json_string("心", 801);
    char *long20000 = repeated_json_string("思", 20000), *long20001 = repeated_json_string("思", 20001);
    char *syllabus2000 = repeated_json_string("課", 2000), *syllabus2001 = repeated_json_string("課", 2001);
    char *ascii101 = repeated_json_string("a", 101);

    const struct app_case cases[] = {
        /* §2 top level */
        {"format lp-app", PORTFOLIO, {{"$.format", "\"lp-app\""}}, "$.format", "not one of the allowed values", false},
        {"format missing", PORTFOLIO, {{"$.format", NULL}}, "$.format", "missing", false},
        {"version 2", PORTFOLIO, {{"$.version", "2"}}, "$.version", "unknown version", false},
        {"version 1.0", PORTFOLIO, {{"$.version", "1.0"}}, "$.version", "expected integer", false},
        {"application_no 7 digits", PORTFOLIO, {{"$.application_no", "\"1801041\""}}, "$.application_no", "8 digits", false},
        {"application_no with a letter", PORTFOLIO, {{"$.application_no", "\"1801041X\""}}, "$.application_no", "8 digits", false},
        {"application_no a number", PORTFOLIO, {{"$.application_no", "18010410"}}, "$.application_no", "expected string", false},
        {"application_no differs from the manifest entry", PORTFOLIO, {{"$.application_no", "\"18010411\""}}, "$.application_no", "differs from the manifest's \"18010410\"", false},
        {"application_no checked against the manifest only", PORTFOLIO, {{"$.application_no", "\"18010411\""}}, NULL, NULL, true},
        {"department 5 digits", PORTFOLIO, {{"$.department", "\"01012\""}}, "$.department", "6 digits", false},
        {"department differs from the manifest entry", PORTFOLIO, {{"$.department", "\"001022\""}}, "$.department", "differs from the manifest's \"001012\"", false},
        {"department not in the manifest", PORTFOLIO, {{"$.department", "\"001032\""}}, "$.department", "not one of the manifest's departments", true},
        {"department another of the manifest's", PORTFOLIO, {{"$.department", "\"001022\""}}, NULL, NULL, true},
        {"source unknown", PORTFOLIO, {{"$.source", "\"both\""}}, "$.source", "not one of the allowed values", false},
        {"source missing", PORTFOLIO, {{"$.source", NULL}}, "$.source", "missing", false},
        {"source an array", PORTFOLIO, {{"$.source", "[\"portfolio\"]"}}, "$.source", "expected string", false},
        {"submitted_at without zone", PORTFOLIO, {{"$.submitted_at", "\"2026-03-17T16:58:00\""}}, "$.submitted_at", T_FORMAT, false},
        {"submitted_at with a space", PORTFOLIO, {{"$.submitted_at", "\"2026-03-17 16:58:00+08:00\""}}, "$.submitted_at", T_FORMAT, false},
        {"submitted_at hour 24", PORTFOLIO, {{"$.submitted_at", "\"2026-03-17T24:58:00+08:00\""}}, "$.submitted_at", T_FORMAT, false},
        {"submitted_at on 2026-02-29", PORTFOLIO, {{"$.submitted_at", "\"2026-02-29T16:58:00+08:00\""}}, "$.submitted_at", T_FORMAT, false},
        {"submitted_at with Z", PORTFOLIO, {{"$.submitted_at", "\"2026-03-17T08:58:00Z\""}}, NULL, NULL, false},
        {"submitted_at with fractional seconds", PORTFOLIO, {{"$.submitted_at", "\"2026-03-17T16:58:00.250+08:00\""}}, NULL, NULL, false},
        {"submitted_at with negative offset", PORTFOLIO, {{"$.submitted_at", "\"2026-03-17T04:58:00-04:00\""}}, NULL, NULL, false},
        {"submitted_at missing", PORTFOLIO, {{"$.submitted_at", NULL}}, "$.submitted_at", "missing", false},

        /* §2.1 student */
        {"student missing", PORTFOLIO, {{"$.student", NULL}}, "$.student", "missing", false},
        {"student an array", PORTFOLIO, {{"$.student", "[]"}}, "$.student", "expected object", false},
        {"student name empty", PORTFOLIO, {{"$.student.name", "\"\""}}, "$.student.name", "must not be empty", false},
        {"student name with NUL", PORTFOLIO, {{"$.student.name", "\"楊\\u0000嘉彤\""}}, "$.student.name", "NUL character", false},
        {"student name null", PORTFOLIO, {{"$.student.name", "null"}}, "$.student.name", "must not be null", false},
        /* "human text is UTF-8 (NFC)"; a decomposed (NFD) name,
         * e + U+0301 instead of U+00E9, is rejected. */
        {"student name not NFC", PORTFOLIO, {{"$.student.name", "\"Jose\\u0301\""}}, "$.student.name", "NFC", false},
        {"student name precomposed", PORTFOLIO, {{"$.student.name", "\"Jos\\u00e9\""}}, NULL, NULL, false},
        {"national_id lowercase letter", PORTFOLIO, {{"$.student.national_id", "\"n221255161\""}}, "$.student.national_id", "a letter followed by 9 digits", false},
        {"national_id 8 digits", PORTFOLIO, {{"$.student.national_id", "\"N22125516\""}}, "$.student.national_id", "a letter followed by 9 digits", false},
        {"national_id 10 digits", PORTFOLIO, {{"$.student.national_id", "\"1221255161\""}}, "$.student.national_id", "a letter followed by 9 digits", false},
        {"national_id another valid one", PORTFOLIO, {{"$.student.national_id", "\"A123456789\""}}, NULL, NULL, false},
        {"gender M", PORTFOLIO, {{"$.student.gender", "\"M\""}}, NULL, NULL, false},
        {"gender X", PORTFOLIO, {{"$.student.gender", "\"X\""}}, "$.student.gender", "not one of the allowed values", false},
        {"gender lowercase", PORTFOLIO, {{"$.student.gender", "\"m\""}}, "$.student.gender", "not one of the allowed values", false},
        {"birth_date leap day 2008-02-29", PORTFOLIO, {{"$.student.birth_date", "\"2008-02-29\""}}, NULL, NULL, false},
        {"birth_date 2007-02-29", PORTFOLIO, {{"$.student.birth_date", "\"2007-02-29\""}}, "$.student.birth_date", D_FORMAT, false},
        {"birth_date 2008-5-28", PORTFOLIO, {{"$.student.birth_date", "\"2008-5-28\""}}, "$.student.birth_date", D_FORMAT, false},
        {"birth_date with a time", PORTFOLIO, {{"$.student.birth_date", "\"2008-05-28T00:00:00Z\""}}, "$.student.birth_date", D_FORMAT, false},
        {"school missing", PORTFOLIO, {{"$.student.school", NULL}}, "$.student.school", "missing", false},
        {"school code 5 characters", PORTFOLIO, {{"$.student.school.code", "\"07330\""}}, "$.student.school.code", "5 characters, at least 6", false},
        {"school code 7 characters", PORTFOLIO, {{"$.student.school.code", "\"0733020\""}}, "$.student.school.code", "7 characters, limit 6", false},
        {"school name missing", PORTFOLIO, {{"$.student.school.name", NULL}}, "$.student.school.name", "missing", false},
        {"program missing", PORTFOLIO, {{"$.student.program", NULL}}, "$.student.program", "missing", false},
        {"class_name empty", PORTFOLIO, {{"$.student.class_name", "\"\""}}, "$.student.class_name", "must not be empty", false},
        {"seat_no a string", PORTFOLIO, {{"$.student.seat_no", "\"34\""}}, "$.student.seat_no", "expected integer", false},
        {"seat_no 1000", PORTFOLIO, {{"$.student.seat_no", "1000"}}, "$.student.seat_no", "out of range", false},
        {"entry_year 0", PORTFOLIO, {{"$.student.entry_year", "0"}}, "$.student.entry_year", "out of range", false},
        {"graduation_year missing", PORTFOLIO, {{"$.student.graduation_year", NULL}}, "$.student.graduation_year", "missing", false},
        {"status null", PORTFOLIO, {{"$.student.status", "null"}}, "$.student.status", "must not be null", false},

        /* §2.2 cadres */
        {"cadres missing", PORTFOLIO, {{"$.cadres", NULL}}, "$.cadres", "missing", false},
        {"cadres an object", PORTFOLIO, {{"$.cadres", "{}"}}, "$.cadres", "expected array", false},
        {"cadres empty", PORTFOLIO, {{"$.cadres", "[]"}}, NULL, NULL, false},
        {"cadre not an object", PORTFOLIO, {{"$.cadres[0]", "1"}}, "$.cadres[0]", "expected object", false},
        {"cadre unit missing", PORTFOLIO, {{"$.cadres[0].unit", NULL}}, "$.cadres[0].unit", "missing", false},
        {"cadre title empty", PORTFOLIO, {{"$.cadres[0].title", "\"\""}}, "$.cadres[0].title", "must not be empty", false},
        {"cadre start month 13", PORTFOLIO, {{"$.cadres[0].start", "\"2024-13-01\""}}, "$.cadres[0].start", D_FORMAT, false},
        {"cadre end null", PORTFOLIO, {{"$.cadres[0].end", "null"}}, "$.cadres[0].end", "must not be null", false},
        {"cadre end before start", PORTFOLIO, {{"$.cadres[0].end", "\"2024-08-31\""}}, "$.cadres[0].end", "before start", false},
        {"cadre end equal to start", PORTFOLIO, {{"$.cadres[0].end", "\"2024-09-01\""}}, NULL, NULL, false},
        {"cadre level 1", PORTFOLIO, {{"$.cadres[0].level", "1"}}, NULL, NULL, false},
        {"cadre level 3", PORTFOLIO, {{"$.cadres[0].level", "3"}}, NULL, NULL, false},
        {"cadre level 4", PORTFOLIO, {{"$.cadres[0].level", "4"}}, "$.cadres[0].level", "out of range 1..3", false},
        {"cadre level 0", PORTFOLIO, {{"$.cadres[0].level", "0"}}, "$.cadres[0].level", "out of range 1..3", false},

        /* §2.3 courses */
        {"courses missing", PORTFOLIO, {{"$.courses", NULL}}, "$.courses", "missing", false},
        {"course not an object", PORTFOLIO, {{"$.courses[0]", "[]"}}, "$.courses[0]", "expected object", false},
        {"course year a string", PORTFOLIO, {{C0 ".year", "\"111\""}}, C0 ".year", "expected integer", false},
        {"course semester 2", PORTFOLIO, {{C0 ".semester", "2"}}, NULL, NULL, false},
        {"course semester 3", PORTFOLIO, {{C0 ".semester", "3"}}, C0 ".semester", "out of range 1..2", false},
        {"course semester 0", PORTFOLIO, {{C0 ".semester", "0"}}, C0 ".semester", "out of range 1..2", false},
        {"course grade 3", PORTFOLIO, {{C0 ".grade", "3"}}, NULL, NULL, false},
        {"course grade 4", PORTFOLIO, {{C0 ".grade", "4"}}, C0 ".grade", "out of range 1..3", false},
        {"course grade 0", PORTFOLIO, {{C0 ".grade", "0"}}, C0 ".grade", "out of range 1..3", false},
        {"course code 22 characters", PORTFOLIO, {{C0 ".code", "\"112073302H11101A111010\""}}, C0 ".code", "23-character course code", false},
        {"course code 24 characters", PORTFOLIO, {{C0 ".code", "\"112073302H11101A11101010\""}}, C0 ".code", "23-character course code", false},
        {"course code unknown category B", PORTFOLIO, {{C0 ".code", "\"112073302H11101AB110101\""}}, C0 ".code", "known category at position 17", false},
        {"course code unknown category 0", PORTFOLIO, {{C0 ".code", "\"112073302H11101A0110101\""}}, C0 ".code", "known category at position 17", false},
        {"course code with a dash", PORTFOLIO, {{C0 ".code", "\"112073302H11101A1110-01\""}}, C0 ".code", "23-character course code", false},
        {"course code category A", PORTFOLIO, {{C0 ".code", "\"112073302H11101AA110101\""}}, NULL, NULL, false},
        {"course name empty", PORTFOLIO, {{C0 ".name", "\"\""}}, C0 ".name", "must not be empty", false},
        {"credits 0", PORTFOLIO, {{C0 ".credits", "0"}}, NULL, NULL, false},
        {"credits 10", PORTFOLIO, {{C0 ".credits", "10"}}, NULL, NULL, false},
        {"credits 11", PORTFOLIO, {{C0 ".credits", "11"}}, C0 ".credits", "out of range 0..10", false},
        {"credits -1", PORTFOLIO, {{C0 ".credits", "-1"}}, C0 ".credits", "out of range 0..10", false},
        {"credits 2.5", PORTFOLIO, {{C0 ".credits", "2.5"}}, C0 ".credits", "expected integer", false},
        {"score 100", PORTFOLIO, {{C0 ".score", "100"}}, NULL, NULL, false},
        {"score 100.0", PORTFOLIO, {{C0 ".score", "100.0"}}, NULL, NULL, false},
        {"score 0", PORTFOLIO, {{C0 ".score", "0"}}, NULL, NULL, false},
        {"score 99.99", PORTFOLIO, {{C0 ".score", "99.99"}}, NULL, NULL, false},
        {"score 60.05", PORTFOLIO, {{C0 ".score", "60.05"}}, NULL, NULL, false},
        {"score null, not graded", PORTFOLIO, {{C0 ".score", "null"}}, NULL, NULL, false},
        /* 100.01 has two decimals but is above the range 0..100 */
        {"score 100.01", PORTFOLIO, {{C0 ".score", "100.01"}}, C0 ".score", "out of range", false},
        {"score 100.5", PORTFOLIO, {{C0 ".score", "100.5"}}, C0 ".score", "out of range", false},
        {"score -0.5", PORTFOLIO, {{C0 ".score", "-0.5"}}, C0 ".score", "out of range", false},
        {"score 99.999", PORTFOLIO, {{C0 ".score", "99.999"}}, C0 ".score", "more than 2 decimals", false},
        /* "at most 2 decimals": once checked with a tolerance of
         * 1e-6 on score * 100; a score written with 9 decimals must fail. */
        {"score 79.000000001 (9 decimals)", PORTFOLIO, {{C0 ".score", "79.000000001"}}, C0 ".score", "more than 2 decimals", false},
        {"score a string", PORTFOLIO, {{C0 ".score", "\"79\""}}, C0 ".score", "expected number", false},
        {"score missing", PORTFOLIO, {{C0 ".score", NULL}}, C0 ".score", "missing", false},
        {"passed null", PORTFOLIO, {{C0 ".passed", "null"}}, NULL, NULL, false},
        {"passed false", PORTFOLIO, {{C0 ".passed", "false"}}, NULL, NULL, false},
        {"passed a string", PORTFOLIO, {{C0 ".passed", "\"yes\""}}, C0 ".passed", "expected boolean", false},
        {"passed missing", PORTFOLIO, {{C0 ".passed", NULL}}, C0 ".passed", "missing", false},
        {"makeup_score 60", PORTFOLIO, {{C0 ".makeup_score", "60"}}, NULL, NULL, false},
        {"makeup_score 60.125", PORTFOLIO, {{C0 ".makeup_score", "60.125"}}, C0 ".makeup_score", "more than 2 decimals", false},
        {"makeup_score a string", PORTFOLIO, {{C0 ".makeup_score", "\"60\""}}, C0 ".makeup_score", "expected number", false},
        {"counted 2", PORTFOLIO, {{C0 ".counted", "2"}}, NULL, NULL, false},
        {"counted 3", PORTFOLIO, {{C0 ".counted", "3"}}, NULL, NULL, false},
        {"counted 4", PORTFOLIO, {{C0 ".counted", "4"}}, C0 ".counted", "out of range 1..3", false},
        {"counted true", PORTFOLIO, {{C0 ".counted", "true"}}, C0 ".counted", "expected integer", false},
        {"record_type retake", PORTFOLIO, {{C0 ".record_type", "\"retake\""}}, NULL, NULL, false},
        {"record_type transfer", PORTFOLIO, {{C0 ".record_type", "\"transfer\""}}, NULL, NULL, false},
        {"record_type unknown", PORTFOLIO, {{C0 ".record_type", "\"audit\""}}, C0 ".record_type", "not one of the allowed values", false},
        {"in_progress missing", PORTFOLIO, {{C0 ".in_progress", NULL}}, C0 ".in_progress", "missing", false},
        {"in_progress a number", PORTFOLIO, {{C0 ".in_progress", "0"}}, C0 ".in_progress", "expected boolean", false},
        {"in_progress with a score", PORTFOLIO, {{C0 ".in_progress", "true"}}, C0 ".score", "must be null while the course is in progress", false},
        {"in_progress with a null score", PORTFOLIO, {{C0 ".in_progress", "true"}, {C0 ".score", "null"}}, NULL, NULL, false},
        {"in_progress course given a score", PORTFOLIO, {{"$.courses[75].score", "80"}}, "$.courses[75].score", "must be null while the course is in progress", false},
        /* remark: optional; courses[53] is the sample's one course with a remark */
        {"remark absent", PORTFOLIO, {{CR ".remark", NULL}}, NULL, NULL, false},
        {"remark added to a course without one", PORTFOLIO, {{C0 ".remark", "\"補考及格\""}}, NULL, NULL, false},
        {"remark empty", PORTFOLIO, {{CR ".remark", "\"\""}}, NULL, NULL, false},
        {"remark null", PORTFOLIO, {{CR ".remark", "null"}}, CR ".remark", "must not be null", false},
        {"remark a number", PORTFOLIO, {{CR ".remark", "1"}}, CR ".remark", "expected string", false},
        {"remark 20000 characters", PORTFOLIO, {{CR ".remark", long20000}}, NULL, NULL, false},
        {"remark 20001 characters", PORTFOLIO, {{CR ".remark", long20001}}, CR ".remark", "20001 characters, limit 20000", false},
        /* cohort: courses[0] has size 640, rank 89, histogram
         * [0,0,0,1,12,54,137,194,154,88] */
        {"cohort absent", PORTFOLIO, {{C0 ".cohort", NULL}}, NULL, NULL, false},
        {"cohort null", PORTFOLIO, {{C0 ".cohort", "null"}}, C0 ".cohort", "expected object, found null", false},
        {"cohort an array", PORTFOLIO, {{C0 ".cohort", "[]"}}, C0 ".cohort", "expected object", false},
        {"cohort rank 1", PORTFOLIO, {{C0 ".cohort.rank", "1"}}, NULL, NULL, false},
        {"cohort rank == size", PORTFOLIO, {{C0 ".cohort.rank", "640"}}, NULL, NULL, false},
        {"cohort rank > size", PORTFOLIO, {{C0 ".cohort.rank", "641"}}, C0 ".cohort.rank", "rank 641 is larger than size 640", false},
        {"cohort rank 0", PORTFOLIO, {{C0 ".cohort.rank", "0"}}, C0 ".cohort.rank", "out of range", false},
        {"cohort rank missing", PORTFOLIO, {{C0 ".cohort.rank", NULL}}, C0 ".cohort.rank", "missing", false},
        {"cohort size 0", PORTFOLIO, {{C0 ".cohort.size", "0"}}, C0 ".cohort.size", "out of range", false},
        {"cohort size a string", PORTFOLIO, {{C0 ".cohort.size", "\"640\""}}, C0 ".cohort.size", "expected integer", false},
        {"cohort size 1, rank 1, one count", PORTFOLIO,
         {{C0 ".cohort", "{\"size\":1,\"rank\":1,\"histogram\":[0,0,0,0,0,0,0,1,0,0]}"}}, NULL, NULL, false},
        {"histogram summing exactly after a move", PORTFOLIO,
         {{C0 ".cohort.histogram[0]", "1"}, {C0 ".cohort.histogram[4]", "11"}}, NULL, NULL, false},
        {"histogram summing to size + 1", PORTFOLIO, {{C0 ".cohort.histogram[0]", "1"}}, C0 ".cohort.histogram", "counts sum to 641, size is 640", false},
        {"histogram summing to size - 1", PORTFOLIO, {{C0 ".cohort.histogram[9]", "87"}}, C0 ".cohort.histogram", "counts sum to 639, size is 640", false},
        {"histogram 9 counts", PORTFOLIO, {{C0 ".cohort.histogram[9]", NULL}}, C0 ".cohort.histogram", "9 counts, expected 10", false},
        {"histogram 11 counts", PORTFOLIO, {{C0 ".cohort.histogram[10]", "0"}}, C0 ".cohort.histogram", "11 counts, expected 10", false},
        {"histogram negative count", PORTFOLIO,
         {{C0 ".cohort.histogram[0]", "-1"}, {C0 ".cohort.histogram[4]", "13"}}, C0 ".cohort.histogram[0]", "negative count", false},
        {"histogram fractional count", PORTFOLIO, {{C0 ".cohort.histogram[4]", "12.0"}}, C0 ".cohort.histogram[4]", "expected integer", false},
        {"histogram missing", PORTFOLIO, {{C0 ".cohort.histogram", NULL}}, C0 ".cohort.histogram", "missing", false},
        {"histogram an object", PORTFOLIO, {{C0 ".cohort.histogram", "{}"}}, C0 ".cohort.histogram", "expected array", false},

        /* §2.4 course_catalog */
        {"catalog missing", PORTFOLIO, {{"$.course_catalog", NULL}}, "$.course_catalog", "missing", false},
        {"catalog an array", PORTFOLIO, {{"$.course_catalog", "[]"}}, "$.course_catalog", "expected object", false},
        {"catalog key not a course code", PORTFOLIO, {{"$.course_catalog.XYZ", "@" CATALOG}}, "$.course_catalog.XYZ", "key is not a 23-character course code", false},
        {"catalog entry not an object", PORTFOLIO, {{CATALOG, "\"x\""}}, CATALOG, "expected object", false},
        {"catalog name_en missing", PORTFOLIO, {{CATALOG ".name_en", NULL}}, CATALOG ".name_en", "missing", false},
        {"catalog name_en given", PORTFOLIO, {{CATALOG ".name_en", "\"Chinese\""}}, NULL, NULL, false},
        {"catalog teacher_source all five", PORTFOLIO,
         {{CATALOG ".teacher_source", "[\"校內專任\",\"校內跨科協同\",\"跨校協同\",\"外聘(大學)\",\"外聘(其他)\"]"}}, NULL, NULL, false},
        {"catalog teacher_source unknown", PORTFOLIO, {{CATALOG ".teacher_source", "[\"校內專任\",\"家長\"]"}}, CATALOG ".teacher_source[1]", "not one of the allowed values", false},
        {"catalog teacher_source a string", PORTFOLIO, {{CATALOG ".teacher_source", "\"校內專任\""}}, CATALOG ".teacher_source", "expected array", false},
        {"catalog teacher_source element a number", PORTFOLIO, {{CATALOG ".teacher_source", "[1]"}}, CATALOG ".teacher_source[0]", "expected string", false},
        {"catalog required a string", PORTFOLIO, {{CATALOG ".required", "\"yes\""}}, CATALOG ".required", "expected boolean", false},
        {"catalog required false", PORTFOLIO, {{CATALOG ".required", "false"}}, NULL, NULL, false},
        {"catalog domain missing", PORTFOLIO, {{CATALOG ".domain", NULL}}, CATALOG ".domain", "missing", false},
        {"catalog cross_domain 探究型", PORTFOLIO, {{CATALOG ".cross_domain", "\"探究型\""}}, NULL, NULL, false},
        {"catalog cross_domain 實作型", PORTFOLIO, {{CATALOG ".cross_domain", "\"實作型\""}}, NULL, NULL, false},
        {"catalog cross_domain unknown", PORTFOLIO, {{CATALOG ".cross_domain", "\"跨域型\""}}, CATALOG ".cross_domain", "not one of the allowed values", false},
        {"catalog origin missing", PORTFOLIO, {{CATALOG ".origin", NULL}}, CATALOG ".origin", "missing", false},
        {"catalog competencies A1..C3", PORTFOLIO, {{CATALOG ".competencies", "[\"A2\",\"B1\",\"B2\",\"C2\",\"C3\"]"}}, NULL, NULL, false},
        {"catalog competencies D1", PORTFOLIO, {{CATALOG ".competencies", "[\"A1\",\"D1\"]"}}, CATALOG ".competencies[1]", "not one of the allowed values", false},
        {"catalog competencies empty", PORTFOLIO, {{CATALOG ".competencies", "[]"}}, NULL, NULL, false},
        {"catalog syllabus 2000 characters", PORTFOLIO, {{CATALOG ".syllabus", syllabus2000}}, NULL, NULL, false},
        {"catalog syllabus 2001 characters", PORTFOLIO, {{CATALOG ".syllabus", syllabus2001}}, CATALOG ".syllabus", "2001 characters, limit 2000", false},
        {"catalog syllabus empty", PORTFOLIO, {{CATALOG ".syllabus", "\"\""}}, NULL, NULL, false},

        /* §2.5 course_outcomes */
        {"outcomes missing", PORTFOLIO, {{"$.course_outcomes", NULL}}, "$.course_outcomes", "missing", false},
        {"outcomes empty", PORTFOLIO, {{"$.course_outcomes", "[]"}}, NULL, NULL, false},
        {"4 outcomes", PORTFOLIO, {{"$.course_outcomes[3]", "@" CO0}, {"$.course_outcomes[3].id", "\"CO4\""}}, "$.course_outcomes", "4 items, limit 3", false},
        {"outcome not an object", PORTFOLIO, {{CO0, "\"CO1\""}}, CO0, "expected object", false},
        {"outcome id repeated", PORTFOLIO, {{"$.course_outcomes[1].id", "\"CO1\""}}, "$.course_outcomes[1].id", "not unique", false},
        {"outcome id empty", PORTFOLIO, {{CO0 ".id", "\"\""}}, CO0 ".id", "must not be empty", false},
        {"outcome item C", PORTFOLIO, {{CO0 ".item", "\"C\""}}, NULL, NULL, false},
        {"outcome item E", PORTFOLIO, {{CO0 ".item", "\"E\""}}, NULL, NULL, false},
        {"outcome item A", PORTFOLIO, {{CO0 ".item", "\"A\""}}, CO0 ".item", "not an item letter B..E", false},
        {"outcome item F", PORTFOLIO, {{CO0 ".item", "\"F\""}}, CO0 ".item", "not an item letter B..E", false},
        {"outcome item lowercase b", PORTFOLIO, {{CO0 ".item", "\"b\""}}, CO0 ".item", "not an item letter B..E", false},
        {"outcome item missing", PORTFOLIO, {{CO0 ".item", NULL}}, CO0 ".item", "missing", false},
        {"outcome year missing", PORTFOLIO, {{CO0 ".year", NULL}}, CO0 ".year", "missing", false},
        {"outcome semester 3", PORTFOLIO, {{CO0 ".semester", "3"}}, CO0 ".semester", "out of range 1..2", false},
        {"outcome course_code bad", PORTFOLIO, {{CO0 ".course_code", "\"112073302H11101A11101\""}}, CO0 ".course_code", "23-character course code", false},
        {"outcome course_name empty", PORTFOLIO, {{CO0 ".course_name", "\"\""}}, CO0 ".course_name", "must not be empty", false},
        {"outcome title missing", PORTFOLIO, {{CO0 ".title", NULL}}, CO0 ".title", "missing", false},
        {"outcome summary 100 characters", PORTFOLIO, {{CO0 ".summary", summary100}}, NULL, NULL, false},
        {"outcome summary 101 characters", PORTFOLIO, {{CO0 ".summary", summary101}}, CO0 ".summary", "101 characters, limit 100", false},
        {"outcome summary 101 ASCII characters", PORTFOLIO, {{CO0 ".summary", ascii101}}, CO0 ".summary", "101 characters, limit 100", false},
        {"outcome summary empty", PORTFOLIO, {{CO0 ".summary", "\"\""}}, NULL, NULL, false},
        {"outcome certified false", PORTFOLIO, {{CO0 ".certified", "false"}, {CO0 ".certified_at", "null"}}, NULL, NULL, false},
        {"outcome certified a string", PORTFOLIO, {{CO0 ".certified", "\"true\""}}, CO0 ".certified", "expected boolean", false},
        {"outcome certified null", PORTFOLIO, {{CO0 ".certified", "null"}}, CO0 ".certified", "must not be null", false},
        {"outcome certified_at null", PORTFOLIO, {{CO0 ".certified_at", "null"}}, NULL, NULL, false},
        {"outcome certified_at a date", PORTFOLIO, {{CO0 ".certified_at", "\"2025-02-15\""}}, CO0 ".certified_at", T_FORMAT, false},
        {"outcome certified_at missing", PORTFOLIO, {{CO0 ".certified_at", NULL}}, CO0 ".certified_at", "missing", false},
        {"outcome uploaded_at null", PORTFOLIO, {{CO0 ".uploaded_at", "null"}}, CO0 ".uploaded_at", "must not be null", false},
        {"outcome uploaded_at without zone", PORTFOLIO, {{CO0 ".uploaded_at", "\"2025-01-03T20:00:00\""}}, CO0 ".uploaded_at", T_FORMAT, false},

        /* §2.6 performances */
        {"performances missing", PORTFOLIO, {{"$.performances", NULL}}, "$.performances", "missing", false},
        {"11 performances", PORTFOLIO, {{"$.performances[10]", "@" MP0}, {"$.performances[10].id", "\"MP11\""}}, "$.performances", "11 items, limit 10", false},
        {"performance id used by an outcome", PORTFOLIO, {{MP0 ".id", "\"CO1\""}}, MP0 ".id", "not unique", false},
        {"performance id repeated", PORTFOLIO, {{"$.performances[9].id", "\"MP1\""}}, "$.performances[9].id", "not unique", false},
        {"performance item M", PORTFOLIO, {{MP0 ".item", "\"M\""}}, NULL, NULL, false},
        {"performance item E", PORTFOLIO, {{MP0 ".item", "\"E\""}}, MP0 ".item", "not an item letter F..M", false},
        {"performance item N", PORTFOLIO, {{MP0 ".item", "\"N\""}}, MP0 ".item", "not an item letter F..M", false},
        {"performance kind workplace", PORTFOLIO, {{MP0 ".kind", "\"workplace\""}}, NULL, NULL, false},
        {"performance kind advanced_course", PORTFOLIO, {{MP0 ".kind", "\"advanced_course\""}}, NULL, NULL, false},
        {"performance kind unknown", PORTFOLIO, {{MP0 ".kind", "\"sport\""}}, MP0 ".kind", "not one of the allowed values", false},
        {"performance year a string", PORTFOLIO, {{MP0 ".year", "\"112\""}}, MP0 ".year", "expected integer", false},
        {"performance semester 0", PORTFOLIO, {{MP0 ".semester", "0"}}, MP0 ".semester", "out of range 1..2", false},
        {"performance title empty", PORTFOLIO, {{MP0 ".title", "\"\""}}, MP0 ".title", "must not be empty", false},
        {"performance organizer null", PORTFOLIO, {{MP0 ".organizer", "null"}}, NULL, NULL, false},
        {"performance organizer a number", PORTFOLIO, {{MP0 ".organizer", "1"}}, MP0 ".organizer", "expected string", false},
        {"performance organizer missing", PORTFOLIO, {{MP0 ".organizer", NULL}}, MP0 ".organizer", "missing", false},
        {"performance start null", PORTFOLIO, {{MP0 ".start", "null"}}, NULL, NULL, false},
        {"performance start 2023-02-29", PORTFOLIO, {{MP0 ".start", "\"2023-02-29\""}}, MP0 ".start", D_FORMAT, false},
        {"performance end after start", PORTFOLIO, {{MP0 ".end", "\"2024-01-31\""}}, NULL, NULL, false},
        {"performance end equal to start", PORTFOLIO, {{MP0 ".end", "\"2023-12-14\""}}, NULL, NULL, false},
        {"performance end before start", PORTFOLIO, {{MP0 ".end", "\"2023-12-13\""}}, MP0 ".end", "before start", false},
        {"performance end missing", PORTFOLIO, {{MP0 ".end", NULL}}, MP0 ".end", "missing", false},
        {"performance hours null", PORTFOLIO, {{MP0 ".hours", "null"}}, NULL, NULL, false},
        {"performance hours 2.5", PORTFOLIO, {{MP0 ".hours", "2.5"}}, NULL, NULL, false},
        {"performance hours -1", PORTFOLIO, {{MP0 ".hours", "-1"}}, MP0 ".hours", "out of range", false},
        {"performance hours a string", PORTFOLIO, {{MP0 ".hours", "\"8\""}}, MP0 ".hours", "expected number", false},
        {"performance level null", PORTFOLIO, {{MP0 ".level", "null"}}, NULL, NULL, false},
        {"performance level 國際", PORTFOLIO, {{MP0 ".level", "\"國際\""}}, NULL, NULL, false},
        {"performance level a number", PORTFOLIO, {{MP0 ".level", "3"}}, MP0 ".level", "expected string", false},
        {"performance award null", PORTFOLIO, {{MP0 ".award", "null"}}, NULL, NULL, false},
        {"performance award given", PORTFOLIO, {{MP0 ".award", "\"第一名\""}}, NULL, NULL, false},
        {"performance award false", PORTFOLIO, {{MP0 ".award", "false"}}, MP0 ".award", "expected string", false},
        {"performance summary 100 characters", PORTFOLIO, {{MP0 ".summary", summary100}}, NULL, NULL, false},
        {"performance summary 101 characters", PORTFOLIO, {{MP0 ".summary", summary101}}, MP0 ".summary", "101 characters, limit 100", false},
        {"performance uploaded_at a date", PORTFOLIO, {{MP0 ".uploaded_at", "\"2024-07-05\""}}, MP0 ".uploaded_at", T_FORMAT, false},
        {"performance links https", PORTFOLIO, {{MP0 ".links", "[\"https://example.org/a?b=1#c\"]"}}, NULL, NULL, false},
        {"performance links http", PORTFOLIO, {{MP0 ".links", "[\"http://example.org/a\"]"}}, MP0 ".links[0]", "not an https URL", false},
        {"performance links javascript", PORTFOLIO, {{MP0 ".links", "[\"https://example.org\",\"javascript:alert(1)\"]"}}, MP0 ".links[1]", "not an https URL", false},
        {"performance links a number", PORTFOLIO, {{MP0 ".links", "[5]"}}, MP0 ".links[0]", "expected string", false},
        {"performance links missing", PORTFOLIO, {{MP0 ".links", NULL}}, MP0 ".links", "missing", false},
        {"performance in a portfolio application", PORTFOLIO, {{"$.performances[1]", performance_json}}, NULL, NULL, false},

        /* §3 files */
        {"files missing", PORTFOLIO, {{CO0 ".files", NULL}}, CO0 ".files", "missing", false},
        {"files a string", PORTFOLIO, {{CO0 ".files", "\"x\""}}, CO0 ".files", "expected array", false},
        {"file not an object", PORTFOLIO, {{FILE0, "\"abc\""}}, FILE0, "expected object", false},
        {"file sha256 uppercase", PORTFOLIO, {{FILE0 ".sha256", "\"CEA8C0970798F5AB202EA84F21BBE33C352CC4727066E4E0BFB06A13F6793ACD\""}}, FILE0 ".sha256", "not 64 lowercase hexadecimal", false},
        {"file sha256 63 digits", PORTFOLIO, {{FILE0 ".sha256", "\"cea8c0970798f5ab202ea84f21bbe33c352cc4727066e4e0bfb06a13f6793ac\""}}, FILE0 ".sha256", "63 characters, at least 64", false},
        {"file sha256 missing", PORTFOLIO, {{FILE0 ".sha256", NULL}}, FILE0 ".sha256", "missing", false},
        {"file name empty", PORTFOLIO, {{FILE0 ".name", "\"\""}}, FILE0 ".name", "must not be empty", false},
        {"file name missing", PORTFOLIO, {{FILE0 ".name", NULL}}, FILE0 ".name", "missing", false},
        {"file media_type image/gif", PORTFOLIO, {{FILE0 ".media_type", "\"image/gif\""}}, FILE0 ".media_type", "not one of the allowed values", false},
        {"file media_type uppercase", PORTFOLIO, {{FILE0 ".media_type", "\"APPLICATION/PDF\""}}, FILE0 ".media_type", "not one of the allowed values", false},
        {"file media_type image/png", PORTFOLIO, {{FILE0 ".media_type", "\"image/png\""}}, NULL, NULL, false},
        {"file size 0", PORTFOLIO, {{FILE0 ".size", "0"}}, FILE0 ".size", "out of range", false},
        {"file size a string", PORTFOLIO, {{FILE0 ".size", "\"127470\""}}, FILE0 ".size", "expected integer", false},
        {"jpeg 4 MiB", PORTFOLIO, {{JPEG1 ".size", "4194304"}}, NULL, NULL, false},
        {"jpeg 4 MiB + 1", PORTFOLIO, {{JPEG1 ".size", "4194305"}}, JPEG1 ".size", "out of range 1..4194304", false},
        {"pdf of the first outcome 4 MiB + 1", PORTFOLIO, {{FILE0 ".size", "4194305"}}, FILE0 ".size", "out of range 1..4194304", false},
        {"pdf 4 MiB", PORTFOLIO, {{"$.course_outcomes[1].files[0].size", "4194304"}}, NULL, NULL, false},
        {"pdf 4 MiB + 1", PORTFOLIO, {{"$.course_outcomes[1].files[0].size", "4194305"}}, "$.course_outcomes[1].files[0].size", "out of range 1..4194304", false},
        {"png 4 MiB", PORTFOLIO, {{PNG1 ".size", "4194304"}}, NULL, NULL, false},
        {"png 4 MiB + 1", PORTFOLIO, {{PNG1 ".size", "4194305"}}, PNG1 ".size", "out of range 1..4194304", false},
        {"png 10 MiB", PORTFOLIO, {{PNG1 ".size", "10485760"}}, PNG1 ".size", "out of range 1..4194304", false},
        {"mp4 10 MiB", PORTFOLIO, {{FILE0 ".media_type", "\"video/mp4\""}, {FILE0 ".size", "10485760"}}, NULL, NULL, false},
        {"mp4 10 MiB + 1", PORTFOLIO, {{FILE0 ".media_type", "\"video/mp4\""}, {FILE0 ".size", "10485761"}}, FILE0 ".size", "out of range 1..10485760", false},
        {"mp3 10 MiB", PORTFOLIO, {{FILE0 ".media_type", "\"audio/mpeg\""}, {FILE0 ".size", "10485760"}}, NULL, NULL, false},
        {"mp3 10 MiB + 1", PORTFOLIO, {{FILE0 ".media_type", "\"audio/mpeg\""}, {FILE0 ".size", "10485761"}}, FILE0 ".size", "out of range 1..10485760", false},
        {"performance file checked too", PORTFOLIO, {{"$.performances[1].files[0].media_type", "\"text/plain\""}}, "$.performances[1].files[0].media_type", "not one of the allowed values", false},
        {"upload file in a portfolio application", PORTFOLIO, {{"$.uploads[0].files[0]", "@" FILE0}}, NULL, NULL, false},
        {"upload file checked too", PORTFOLIO, {{"$.uploads[0].files[0]", "@" FILE0}, {"$.uploads[0].files[0].size", "0"}}, "$.uploads[0].files[0].size", "out of range", false},

        /* §2.7 uploads of a portfolio application */
        {"uploads missing", PORTFOLIO, {{"$.uploads", NULL}}, "$.uploads", "missing", false},
        {"uploads empty", PORTFOLIO, {{"$.uploads", "[]"}}, NULL, NULL, false},
        {"upload not an object", PORTFOLIO, {{"$.uploads[0]", "\"N\""}}, "$.uploads[0]", "expected object", false},
        {"upload N text 800 characters", PORTFOLIO, {{"$.uploads[0].text", text800}}, NULL, NULL, false},
        {"upload N text 801 characters", PORTFOLIO, {{"$.uploads[0].text", text801}}, "$.uploads[0].text", "801 characters, limit 800", false},
        {"upload Q text 801 characters (no 800 limit)", PORTFOLIO, {{"$.uploads[3].text", text801}}, NULL, NULL, false},
        {"upload O text 20001 characters", PORTFOLIO, {{"$.uploads[1].text", long20001}}, "$.uploads[1].text", "20001 characters, limit 20000", false},
        {"upload text null", PORTFOLIO, {{"$.uploads[0].text", "null"}}, NULL, NULL, false},
        {"upload text missing", PORTFOLIO, {{"$.uploads[0].text", NULL}}, "$.uploads[0].text", "missing", false},
        {"upload text a number", PORTFOLIO, {{"$.uploads[0].text", "1"}}, "$.uploads[0].text", "expected string", false},
        {"upload title missing", PORTFOLIO, {{"$.uploads[0].title", NULL}}, "$.uploads[0].title", "missing", false},
        {"upload item R", PORTFOLIO, {{"$.uploads[0].item", "\"R\""}}, NULL, NULL, false},
        {"upload item S", PORTFOLIO, {{"$.uploads[0].item", "\"S\""}}, NULL, NULL, false},
        {"upload item Z", PORTFOLIO, {{"$.uploads[0].item", "\"Z\""}}, NULL, NULL, false},
        {"upload item M in a portfolio application", PORTFOLIO, {{"$.uploads[0].item", "\"M\""}}, "$.uploads[0].item", "not an item letter N..Z", false},
        {"upload item A in a portfolio application", PORTFOLIO, {{"$.uploads[0].item", "\"A\""}}, "$.uploads[0].item", "not an item letter N..Z", false},
        {"upload item 1", PORTFOLIO, {{"$.uploads[0].item", "\"1\""}}, "$.uploads[0].item", "not an item letter N..Z", false},
        {"upload item two letters", PORTFOLIO, {{"$.uploads[0].item", "\"NO\""}}, "$.uploads[0].item", "2 characters, limit 1", false},

        /* self_made_pdf applications */
        {"self-made with no courses or catalog", SELF_MADE, {{"$.courses", "[]"}}, NULL, NULL, false},
        {"self-made with an outcome", SELF_MADE, {{"$.course_outcomes[0]", outcome_json}}, "$.course_outcomes", "must be empty for a self_made_pdf application", false},
        {"self-made with a performance", SELF_MADE, {{"$.performances[0]", performance_json}}, "$.performances", "must be empty for a self_made_pdf application", false},
        {"self-made upload item M", SELF_MADE, {{"$.uploads[1].item", "\"M\""}}, NULL, NULL, false},
        {"self-made upload item Z", SELF_MADE, {{"$.uploads[1].item", "\"Z\""}}, NULL, NULL, false},
        {"self-made upload item lowercase", SELF_MADE, {{"$.uploads[1].item", "\"b\""}}, "$.uploads[1].item", "not an item letter A..Z", false},
        {"self-made upload with no file", SELF_MADE, {{"$.uploads[0].files", "[]"}}, "$.uploads[0].files", "exactly one PDF file, found 0", false},
        {"self-made upload with two files", SELF_MADE, {{"$.uploads[0].files[1]", "@$.uploads[1].files[0]"}}, "$.uploads[0].files", "exactly one PDF file, found 2", false},
        {"self-made upload a PNG", SELF_MADE, {{"$.uploads[0].files[0].media_type", "\"image/png\""}}, "$.uploads[0].files", "must be a PDF, found image/png", false},
        {"self-made upload a JPEG", SELF_MADE, {{"$.uploads[2].files[0].media_type", "\"image/jpeg\""}}, "$.uploads[2].files", "must be a PDF, found image/jpeg", false},
        {"self-made PDF 4 MiB", SELF_MADE, {{"$.uploads[0].files[0].size", "4194304"}}, NULL, NULL, false},
        {"self-made PDF 4 MiB + 1", SELF_MADE, {{"$.uploads[0].files[0].size", "4194305"}}, "$.uploads[0].files[0].size", "out of range 1..4194304", false},
        {"self-made N text 801 characters", SELF_MADE, {{"$.uploads[3].item", "\"N\""}, {"$.uploads[3].text", text801}}, "$.uploads[3].text", "801 characters, limit 800", false},
        {"self-made items under source portfolio", SELF_MADE, {{"$.source", "\"portfolio\""}, {"$.uploads[0]", NULL}, {"$.uploads[0]", NULL}}, "$.uploads[0].item", "not an item letter N..Z", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_app_case(bases, manifest, &cases[i]);

    free(summary100);
    free(summary101);
    free(text800);
    free(text801);
    free(long20000);
    free(long20001);
    free(syllabus2000);
    free(syllabus2001);
    free(ascii101);
}

/* Every application of the sample package is valid against its entry. */
static void test_all_samples(const struct manifest *manifest)
{
    size_t valid = 0;
    for (size_t i = 0; i < manifest->entry_count; i++) {
        char path[512];
        snprintf(path, sizeof path, EXAMPLES "%s", manifest->entries[i].path);
        json_t *root = json_load_file(path, 0, NULL);
        struct problem_list problems = {0};
        struct file_reference_list files = {0};
        if (root && validate_application(root, path, manifest, &manifest->entries[i], &problems, &files) == 0)
            valid++;
        print_problems(&problems);
        problems_free(&problems);
        file_references_free(&files);
        json_decref(root);
    }
    CHECK(valid == manifest->entry_count && valid == 10, "all %zu sample applications are valid", valid);
}

/* ---- format helpers ----------------------------------------------------- */

static void test_dates_and_times(void)
{
    CHECK(validate_is_date("2025-03-28"), "date 2025-03-28");
    CHECK(validate_is_date("2008-02-29"), "date 2008-02-29 (leap year)");
    CHECK(validate_is_date("2000-02-29"), "date 2000-02-29 (divisible by 400)");
    CHECK(!validate_is_date("1900-02-29"), "date 1900-02-29 (century, not leap)");
    CHECK(!validate_is_date("2007-02-29"), "date 2007-02-29");
    CHECK(validate_is_date("2024-12-31"), "date 2024-12-31");
    CHECK(!validate_is_date("2024-04-31"), "date 2024-04-31");
    CHECK(!validate_is_date("2024-13-01"), "date month 13");
    CHECK(!validate_is_date("2024-00-10"), "date month 0");
    CHECK(!validate_is_date("2024-01-00"), "date day 0");
    CHECK(!validate_is_date("2024-1-01"), "date one-digit month");
    CHECK(!validate_is_date("2024/01/01"), "date with slashes");
    CHECK(!validate_is_date("2024-01-01T00:00:00Z"), "a time is not a date");
    CHECK(!validate_is_date("2024-01-01 "), "date with a trailing space");
    CHECK(!validate_is_date(""), "empty date");

    CHECK(validate_is_time("2025-03-28T09:00:00+08:00"), "time with +08:00");
    CHECK(validate_is_time("2025-03-28T01:00:00Z"), "time with Z");
    CHECK(validate_is_time("2025-03-28t01:00:00z"), "time with lowercase t and z");
    CHECK(validate_is_time("2025-03-28T01:00:00.5Z"), "time with fractional seconds");
    CHECK(validate_is_time("2025-03-28T09:00:00.123456+08:00"), "time with microseconds and offset");
    CHECK(validate_is_time("2025-03-27T21:00:00-04:00"), "time with a negative offset");
    CHECK(validate_is_time("2024-02-29T23:59:59Z"), "time on a leap day");
    CHECK(!validate_is_time("2025-03-28T09:00:00"), "time without zone");
    CHECK(!validate_is_time("2025-03-28 09:00:00Z"), "time with a space");
    CHECK(!validate_is_time("2025-03-28T09:00Z"), "time without seconds");
    CHECK(!validate_is_time("2025-03-28T09:00:00.Z"), "time with an empty fraction");
    CHECK(!validate_is_time("2025-03-28T09:00:00+0800"), "offset without colon");
    CHECK(!validate_is_time("2025-03-28T09:00:00+08"), "offset without minutes");
    CHECK(!validate_is_time("2025-03-28T09:00:00+24:00"), "offset hour 24");
    CHECK(!validate_is_time("2025-03-28T24:00:00Z"), "hour 24");
    CHECK(!validate_is_time("2025-03-28T23:60:00Z"), "minute 60");
    CHECK(!validate_is_time("2025-03-28T23:59:61Z"), "second 61");
    CHECK(!validate_is_time("2023-02-29T09:00:00Z"), "time on a missing day");
    CHECK(!validate_is_time("2025-03-28T09:00:00Zjunk"), "time with trailing text");
    CHECK(!validate_is_time("2025-03-28"), "a date is not a time");
    CHECK(!validate_is_time(""), "empty time");
}

static void test_digits_codes_urls(void)
{
    CHECK(checker_is_digits("10010008", 8), "8 digits");
    CHECK(!checker_is_digits("1001000", 8), "7 digits for 8");
    CHECK(!checker_is_digits("100100080", 8), "9 digits for 8");
    CHECK(!checker_is_digits("1001000a", 8), "a letter among digits");
    CHECK(!checker_is_digits("１００１００", 6), "full-width digits");
    CHECK(checker_is_digits("", 0), "0 digits");

    CHECK(validate_is_course_code("112073302H11101A1110101"), "course code from the sample");
    CHECK(validate_is_course_code("112073302H11101A9110001"), "course code category 9");
    CHECK(validate_is_course_code("112073302H11101AA11A101"), "course code category A, domain A1");
    CHECK(!validate_is_course_code("112073302H11101A111010"), "course code of 22");
    CHECK(!validate_is_course_code("112073302H11101A11101011"), "course code of 24");
    CHECK(!validate_is_course_code("112073302H11101AB110101"), "course code category B");
    CHECK(!validate_is_course_code("112073302H11101Aa110101"), "course code category a");
    CHECK(!validate_is_course_code("112073302H11101A0110101"), "course code category 0");
    CHECK(!validate_is_course_code("112073302H11101A11101 1"), "course code with a space");
    CHECK(!validate_is_course_code(""), "empty course code");

    CHECK(validate_is_https_url("https://example.org/works/10010008/5"), "https URL");
    CHECK(validate_is_https_url("https://example.org"), "https URL without path");
    CHECK(!validate_is_https_url("http://example.org/"), "http URL");
    CHECK(!validate_is_https_url("ftp://example.org/"), "ftp URL");
    CHECK(!validate_is_https_url("https://"), "https:// alone");
    CHECK(!validate_is_https_url("https:///path"), "https URL without host");
    CHECK(!validate_is_https_url("https://.example.org"), "host starting with a dot");
    CHECK(!validate_is_https_url("https://exa mple.org"), "URL with a space");
    CHECK(!validate_is_https_url("https://example.org/\"><script>"), "URL with quote and angle brackets");
    CHECK(!validate_is_https_url("https://example.org/\\x"), "URL with a backslash");
    CHECK(!validate_is_https_url("javascript:alert(1)"), "javascript URL");
    CHECK(!validate_is_https_url(" https://example.org"), "URL with a leading space");
    CHECK(!validate_is_https_url(""), "empty URL");
}

static void test_magic(void)
{
    static const unsigned char pdf[] = "%PDF-1.7\n";
    static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'};
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 0x0D};
    static const unsigned char id3[] = {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 0};
    static const unsigned char frame[] = {0xFF, 0xFB, 0x90, 0x64};
    static const unsigned char frame2[] = {0xFF, 0xF3, 0x48, 0xC4};
    static const unsigned char mp4[] = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
    static const unsigned char not_sync[] = {0xFF, 0x0B, 0x90, 0x64};
    static const unsigned char ftyp_at_0[] = {'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};

    CHECK(validate_magic_matches("application/pdf", pdf, sizeof pdf - 1), "magic: PDF");
    CHECK(!validate_magic_matches("application/pdf", pdf, 4), "magic: PDF cut to 4 bytes");
    CHECK(!validate_magic_matches("application/pdf", (const unsigned char *)"%PDX-1.7", 8), "magic: %%PDX");
    CHECK(!validate_magic_matches("application/pdf", png, sizeof png), "magic: PNG bytes as a PDF");
    CHECK(validate_magic_matches("image/jpeg", jpeg, sizeof jpeg), "magic: JPEG");
    CHECK(!validate_magic_matches("image/jpeg", jpeg, 2), "magic: JPEG cut to 2 bytes");
    CHECK(!validate_magic_matches("image/jpeg", frame, sizeof frame), "magic: MP3 frame as a JPEG");
    CHECK(validate_magic_matches("image/png", png, sizeof png), "magic: PNG");
    CHECK(!validate_magic_matches("image/png", png, 7), "magic: PNG cut to 7 bytes");
    CHECK(!validate_magic_matches("image/png", jpeg, sizeof jpeg), "magic: JPEG bytes as a PNG");
    CHECK(validate_magic_matches("audio/mpeg", id3, sizeof id3), "magic: MP3 with ID3");
    CHECK(validate_magic_matches("audio/mpeg", frame, sizeof frame), "magic: MP3 frame sync FF FB");
    CHECK(validate_magic_matches("audio/mpeg", frame2, sizeof frame2), "magic: MP3 frame sync FF F3");
    CHECK(!validate_magic_matches("audio/mpeg", not_sync, sizeof not_sync), "magic: FF 0B is no frame sync");
    CHECK(!validate_magic_matches("audio/mpeg", pdf, sizeof pdf - 1), "magic: PDF bytes as MP3");
    CHECK(!validate_magic_matches("audio/mpeg", frame, 1), "magic: MP3 cut to 1 byte");
    CHECK(validate_magic_matches("video/mp4", mp4, sizeof mp4), "magic: MP4 ftyp at 4");
    CHECK(!validate_magic_matches("video/mp4", ftyp_at_0, sizeof ftyp_at_0), "magic: ftyp at 0");
    CHECK(!validate_magic_matches("video/mp4", mp4, 7), "magic: MP4 cut to 7 bytes");
    CHECK(!validate_magic_matches("video/mp4", id3, sizeof id3), "magic: MP3 bytes as MP4");
    CHECK(!validate_magic_matches("image/gif", (const unsigned char *)"GIF89a", 6), "magic: unknown media type");
    CHECK(!validate_magic_matches("application/pdf", pdf, 0), "magic: empty file");
}

/* ---- util --------------------------------------------------------------- */

static void test_util(void)
{
    CHECK(text_characters("abc", 3) == 3, "text_characters ASCII");
    CHECK(text_characters("數學", strlen("數學")) == 2, "text_characters CJK");
    CHECK(text_characters("é😀a", strlen("é😀a")) == 3, "text_characters 2-, 4- and 1-byte characters");
    CHECK(text_characters("", 0) == 0, "text_characters empty");
    CHECK(text_characters("數學", 3) == 1, "text_characters honours the length");

    CHECK(text_is_utf8("abc", 3), "text_is_utf8 ASCII");
    CHECK(text_is_utf8("數學（一）", strlen("數學（一）")), "text_is_utf8 CJK");
    CHECK(text_is_utf8("", 0), "text_is_utf8 empty");
    CHECK(!text_is_utf8("a\0b", 3), "text_is_utf8 rejects a NUL");
    CHECK(!text_is_utf8("\xE6\x95", 2), "text_is_utf8 rejects a cut sequence");
    CHECK(!text_is_utf8("a\x80" "b", 3), "text_is_utf8 rejects a lone continuation byte");
    CHECK(!text_is_utf8("\xC0\xAF", 2), "text_is_utf8 rejects an overlong form");
    CHECK(!text_is_utf8("\xED\xA0\x80", 3), "text_is_utf8 rejects a surrogate");
    CHECK(!text_is_utf8("\xFF", 1), "text_is_utf8 rejects 0xFF");

    char hex[65];
    text_sha256_hex("abc", 3, hex);
    CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
          "sha256(\"abc\")");
    text_sha256_hex("", 0, hex);
    CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0,
          "sha256(\"\")");
    CHECK(text_is_sha256_hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), "text_is_sha256_hex");
    CHECK(!text_is_sha256_hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"), "text_is_sha256_hex uppercase");
    CHECK(!text_is_sha256_hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a"), "text_is_sha256_hex 63");
    CHECK(!text_is_sha256_hex(""), "text_is_sha256_hex empty");

    char masked[16];
    text_mask_national_id("A123456789", masked, sizeof masked);
    CHECK(strcmp(masked, "A*****6789") == 0, "mask A123456789 -> %s", masked);
    text_mask_national_id("U189528378", masked, sizeof masked);
    CHECK(strcmp(masked, "U*****8378") == 0, "mask U189528378 -> %s", masked);
    text_mask_national_id("a123456789", masked, sizeof masked);
    CHECK(strcmp(masked, "**********") == 0, "mask lowercase letter -> %s", masked);
    text_mask_national_id("A12345678", masked, sizeof masked);
    CHECK(strcmp(masked, "**********") == 0, "mask 8 digits -> %s", masked);
    text_mask_national_id("A1234567890", masked, sizeof masked);
    CHECK(strcmp(masked, "**********") == 0, "mask 10 digits -> %s", masked);
    text_mask_national_id("AB23456789", masked, sizeof masked);
    CHECK(strcmp(masked, "**********") == 0, "mask two letters -> %s", masked);
    text_mask_national_id("", masked, sizeof masked);
    CHECK(strcmp(masked, "**********") == 0, "mask empty -> %s", masked);
    text_mask_national_id(NULL, masked, sizeof masked);
    CHECK(strcmp(masked, "**********") == 0, "mask NULL -> %s", masked);
}

/* ---- control characters ------------------------------------------------- */

static void test_controls(void)
{
    size_t at = 99;
    CHECK(text_find_control("王小明", false, &at) == -1, "no control in plain CJK");
    CHECK(text_find_control("王\x1b[2J", false, &at) == 0x1B && at == 1, "ESC found at character 2");
    CHECK(text_find_control("a\nb\tc", true, &at) == -1, "LF and tab allowed in running text");
    CHECK(text_find_control("a\nb", false, &at) == 0x0A && at == 1, "LF refused on one line");
    CHECK(text_find_control("a\r\nb", true, &at) == 0x0D && at == 1, "CR refused in running text");
    CHECK(text_find_control("數\xc2\x9b" "2J", true, &at) == 0x9B && at == 1, "C1 CSI found");
    CHECK(text_find_control("x\x7f", false, &at) == 0x7F && at == 1, "DEL found");
    CHECK(text_find_control("é\xc2\xa0", false, &at) == -1, "U+00A0 is not a control character");
    CHECK(text_find_control("王\xe2\x80\xae明", false, &at) == 0x202E && at == 1,
          "a right-to-left override found in one-line text");
    CHECK(text_find_control("ab\xe2\x81\xa9", false, &at) == 0x2069 && at == 2, "a pop directional isolate found");
    CHECK(text_find_control("王\xe2\x80\xae明", true, &at) == -1, "allowed in running text");
    CHECK(text_find_control("a\xe2\x80\x94\xe2\x80\xa9" "b", false, &at) == -1,
          "the neighbours U+2014 and U+2029 are not bidirectional controls");

    char out[64];
    CHECK(strcmp(text_escape_controls("a\x1b[31mb", out, sizeof out), "a\\x1B[31mb") == 0,
          "ESC escaped: %s", out);
    CHECK(strcmp(text_escape_controls("\xc2\x9b數\n", out, sizeof out), "\\u009B數\\x0A") == 0,
          "C1 and LF escaped: %s", out);
    CHECK(strcmp(text_escape_controls("名\xe2\x80\xae" "abc", out, sizeof out), "名\\u202Eabc") == 0,
          "a right-to-left override escaped: %s", out);
    CHECK(strcmp(text_escape_controls("a\xff\xe6\x95", out, sizeof out), "a\\xFF\\xE6\\x95") == 0,
          "invalid UTF-8 escaped byte by byte: %s", out);
    CHECK(strcmp(text_escape_controls("\x1b\x1b\x1b", out, 9), "\\x1B\\x1B") == 0,
          "escapes are never cut: %s", out);

    json_t *object = json_pack("{s:s, s:s}", "name", "名\x1b]0;x\x07", "summary", "一\n二");
    struct problem_list problems = {0};
    struct checker checker = {"f.json", &problems, 0};
    CHECK(!checker_no_controls(&checker, "$.name", json_string_value(json_object_get(object, "name")), false) &&
          problems.count == 1 && strcmp(problems.items[0].path, "$.name") == 0 &&
          strstr(problems.items[0].rule, "U+001B at character 2") != NULL,
          "checker_no_controls names the path and the character: %s",
          problems.count ? problems.items[0].rule : "");
    CHECK(checker_no_controls(&checker, "$.summary", json_string_value(json_object_get(object, "summary")), true),
          "checker_no_controls lets LF through in running text");
    problems_free(&problems);
    json_decref(object);

    /* The list keeps PROBLEMS_KEPT_MAX and counts the rest. */
    for (int i = 0; i < PROBLEMS_KEPT_MAX + 5; i++)
        problems_add(&problems, "f", "$", "rule %d", i);
    CHECK(problems.count == PROBLEMS_KEPT_MAX && problems.omitted == 5 &&
          problems_total(&problems) == PROBLEMS_KEPT_MAX + 5, "problem list capped: %zu kept, %zu omitted",
          problems.count, problems.omitted);
    struct problem_list more = {0};
    problems_add(&more, "g", "$", "one more");
    problems_move(&problems, &more);
    CHECK(problems.count == PROBLEMS_KEPT_MAX && problems.omitted == 6 && more.count == 0,
          "problems_move past the cap counts, empties the source");
    problems_free(&problems);
}

/* ---- query's rank formulas ---------------------------------------------- */

static void test_ranks(void)
{
    CHECK(query_percentile_rank(0, 0, 0) == 0.0, "percentile rank n = 0");
    CHECK(query_percentile_rank(0, 5, 5) == 50.0, "percentile rank all tied");
    CHECK(query_percentile_rank(0, 1, 1) == 50.0, "percentile rank alone");
    CHECK(query_percentile_rank(0, 1, 4) == 12.5, "percentile rank lowest of 4, no ties");
    CHECK(query_percentile_rank(3, 1, 4) == 87.5, "percentile rank highest of 4, no ties");
    CHECK(query_percentile_rank(1, 1, 4) == 37.5, "percentile rank second of 4, no ties");
    CHECK(query_percentile_rank(2, 2, 5) == 60.0, "percentile rank ties counted half");
    CHECK(query_percentile_rank(1, 3, 10) == 25.0, "percentile rank three tied");
    CHECK(query_percentile_rank(0, 1, 3) == 16.7, "percentile rank rounded to one decimal");
    CHECK(query_percentile_rank(2, 1, 3) == 83.3, "percentile rank rounded down");

    CHECK(query_cohort_rank_percent(1, 364) == 1, "cohort rank 1 -> 1");
    CHECK(query_cohort_rank_percent(364, 364) == 100, "cohort rank == size -> 100");
    CHECK(query_cohort_rank_percent(1, 1) == 1, "cohort size 1 -> 1");
    CHECK(query_cohort_rank_percent(78, 364) == 22, "cohort 78 of 364 -> floor(7700/364)+1 = 22");
    CHECK(query_cohort_rank_percent(2, 3) == 34, "cohort 2 of 3 -> 34");
    CHECK(query_cohort_rank_percent(3, 3) == 67, "cohort 3 of 3 -> 67");
    CHECK(query_cohort_rank_percent(2, 100) == 2, "cohort 2 of 100 -> 2");
    CHECK(query_cohort_rank_percent(101, 200) == 51, "cohort 101 of 200 -> 51");
    CHECK(query_cohort_rank_percent(2, 200) == 1, "cohort 2 of 200 -> 1");
}

int main(void)
{
    test_dates_and_times();
    test_digits_codes_urls();
    test_magic();
    test_util();
    test_controls();
    test_ranks();

    json_t *manifest_root = load_json(MANIFEST_FILE);
    json_t *bases[2] = {load_json(PORTFOLIO_FILE), load_json(SELF_MADE_FILE)};
    if (manifest_root && bases[PORTFOLIO] && bases[SELF_MADE]) {
        test_manifest(manifest_root);
        struct manifest manifest;
        struct problem_list problems = {0};
        if (validate_manifest(manifest_root, "manifest.json", &manifest, &problems) == 0) {
            test_applications(bases, &manifest);
            test_all_samples(&manifest);
        }
        manifest_free(&manifest);
        problems_free(&problems);
    }
    json_decref(manifest_root);
    json_decref(bases[PORTFOLIO]);
    json_decref(bases[SELF_MADE]);
    return unit_finish();
}
