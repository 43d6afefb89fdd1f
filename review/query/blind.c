/* blind — blind review's pseudonyms and the removal of identity from JSON
 * answers (see blind.h). */
#include "query/blind.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

/* What stands in for an identifying value found inside other text: a code
 * (ASCII, e.g. the school's code inside a course code) becomes as many
 * X, so the course code stays a code; a name becomes ○○. */
#define BLIND_MASK "○○"
/* Values shorter than this are not searched for in text (a one-character
 * name would blank every sentence that uses the character). */
#define BLIND_MIN_CHARACTERS 2
#define BLIND_VALUES_MAX 8

struct blind_names {
    GHashTable *pseudonyms;       /* application_no -> "考生 007" */
};

struct blind_names *blind_names_load(struct store *store, const char *department, struct error *err)
{
    /* The stored numbers (index_blind_numbers).  An application without
     * one (an ingest killed between its last batch and its numbering)
     * takes the number the next ingest will give it: after the highest,
     * in keyed-hash order. */
    sqlite3_stmt *s = store_statement(store,
        "SELECT a.application_no, b.number FROM applications a"
        "  LEFT JOIN blind_numbers b ON b.department = a.department AND b.application_no = a.application_no"
        " WHERE a.department = ?1"
        " ORDER BY b.number IS NULL, b.number,"
        "          CASE WHEN b.number IS NULL THEN"
        "            hmac_sha256((SELECT secret FROM blind_secret WHERE only = 1), a.department || '-' || a.application_no)"
        "          END",
        err);
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    GArray *numbers = g_array_new(false, false, sizeof(long long));
    GPtrArray *applications = g_ptr_array_new_with_free_func(g_free);
    long long highest = 0;
    int row;
    while ((row = store_step(store, s, err)) > 0) {
        long long number = sqlite3_column_type(s, 1) == SQLITE_NULL ? ++highest : sqlite3_column_int64(s, 1);
        if (number > highest)
            highest = number;
        g_array_append_val(numbers, number);
        g_ptr_array_add(applications, g_strdup((const char *)sqlite3_column_text(s, 0)));
    }
    sqlite3_reset(s);
    if (row < 0) {
        g_array_free(numbers, true);
        g_ptr_array_free(applications, true);
        return NULL;
    }
    struct blind_names *names = g_new0(struct blind_names, 1);
    names->pseudonyms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    int width = highest >= 1000 ? 4 : 3;
    for (guint i = 0; i < applications->len; i++)
        g_hash_table_insert(names->pseudonyms, g_strdup(g_ptr_array_index(applications, i)),
                            g_strdup_printf("考生 %0*lld", width, g_array_index(numbers, long long, i)));
    g_array_free(numbers, true);
    g_ptr_array_free(applications, true);
    return names;
}

void blind_names_free(struct blind_names *names)
{
    if (!names)
        return;
    g_hash_table_destroy(names->pseudonyms);
    g_free(names);
}

const char *blind_pseudonym(const struct blind_names *names, const char *application_no)
{
    const char *pseudonym = application_no ? g_hash_table_lookup(names->pseudonyms, application_no) : NULL;
    return pseudonym ? pseudonym : "考生";
}

/* ---- taking the identity out ------------------------------------------------------ */

/* The identifying values of one applicant, to be searched for in text. */
struct identity {
    const char *values[BLIND_VALUES_MAX];
    int count;
};

static void identity_add(struct identity *identity, const json_t *value)
{
    const char *text = json_string_value(value);
    if (text && g_utf8_strlen(text, -1) >= BLIND_MIN_CHARACTERS && identity->count < BLIND_VALUES_MAX)
        identity->values[identity->count++] = text;
}

/* text with every occurrence of the identity's values masked; NULL when
 * there was none. */
static char *masked(const char *text, const struct identity *identity)
{
    char *result = NULL;
    for (int i = 0; i < identity->count; i++) {
        const char *current = result ? result : text;
        if (!strstr(current, identity->values[i]))
            continue;
        GString *out = g_string_new(NULL);
        size_t length = strlen(identity->values[i]);
        for (const char *p = current, *hit; (hit = strstr(p, identity->values[i])) != NULL;
             p = hit + length) {
            g_string_append_len(out, p, hit - p);
            if (g_str_is_ascii(identity->values[i]))
                for (size_t k = 0; k < length; k++)
                    g_string_append_c(out, 'X');
            else
                g_string_append(out, BLIND_MASK);
            if (!strstr(hit + length, identity->values[i]))
                g_string_append(out, hit + length);
        }
        g_free(result);
        result = g_string_free(out, false);
    }
    return result;
}

/* Every string under value (object members, array elements) masked. */
static void mask_strings(json_t *value, const struct identity *identity)
{
    if (json_is_object(value)) {
        const char *key;
        json_t *member;
        json_object_foreach(value, key, member) {
            if (json_is_string(member)) {
                char *replacement = masked(json_string_value(member), identity);
                if (replacement)
                    json_object_set_new(value, key, json_string(replacement));
                g_free(replacement);
            } else {
                mask_strings(member, identity);
            }
        }
    } else if (json_is_array(value)) {
        size_t i;
        json_t *element;
        json_array_foreach(value, i, element) {
            if (json_is_string(element)) {
                char *replacement = masked(json_string_value(element), identity);
                if (replacement)
                    json_array_set_new(value, i, json_string(replacement));
                g_free(replacement);
            } else {
                mask_strings(element, identity);
            }
        }
    }
}

static const char *const identifying_keys[] = {
    "national_id", "gender", "birth_date", "school_code", "school_name", "school", "class_name",
    "seat_no",
};

static void remove_identifying_keys(json_t *object)
{
    for (size_t i = 0; i < G_N_ELEMENTS(identifying_keys); i++)
        json_object_del(object, identifying_keys[i]);
}

/* Attachments renamed by their order in the document: 附件 3.pdf. */
static void rename_files(json_t *value, int *number)
{
    if (json_is_object(value)) {
        json_t *files = json_object_get(value, "files");
        size_t i;
        json_t *file;
        if (json_is_array(files))
            json_array_foreach(files, i, file) {
                const char *name = json_string_value(json_object_get(file, "name"));
                const char *dot = name ? strrchr(name, '.') : NULL;
                char renamed[64];
                snprintf(renamed, sizeof renamed, "附件 %d%.10s", ++*number,
                         dot && strlen(dot) <= 10 ? dot : "");
                if (json_is_object(file))
                    json_object_set_new(file, "name", json_string(renamed));
            }
        const char *key;
        json_t *member;
        json_object_foreach(value, key, member)
            if (strcmp(key, "files") != 0)
                rename_files(member, number);
    } else if (json_is_array(value)) {
        size_t i;
        json_t *element;
        json_array_foreach(value, i, element)
            rename_files(element, number);
    }
}

/* The student object as a blind reviewer sees it. */
static void blind_student(json_t *student, const char *pseudonym)
{
    if (!json_is_object(student))
        return;
    remove_identifying_keys(student);
    json_object_set_new(student, "name", json_string(pseudonym));
}

void blind_application(json_t *document, const struct blind_names *names)
{
    const char *pseudonym = blind_pseudonym(names, json_string_value(json_object_get(document, "application_no")));
    json_t *student = json_object_get(document, "student");
    struct identity identity = {0};
    /* Copies: the values are removed below but searched for after. */
    json_t *kept = json_pack("[O?, O?, O?, O?, O?]", json_object_get(student, "name"),
                             json_object_get(student, "school_name"), json_object_get(student, "school_code"),
                             json_object_get(student, "birth_date"), json_object_get(student, "national_id"));
    size_t i;
    json_t *value;
    json_array_foreach(kept, i, value)
        identity_add(&identity, value);
    blind_student(student, pseudonym);
    json_t *categories = json_object_get(document, "categories");
    json_t *category;
    json_array_foreach(categories, i, category) {
        size_t k;
        json_t *record;
        json_array_foreach(json_object_get(category, "records"), k, record)
            if (g_strcmp0(json_string_value(json_object_get(record, "type")), "student") == 0)
                blind_student(record, pseudonym);
    }
    int number = 0;
    rename_files(document, &number);
    mask_strings(document, &identity);
    json_object_set_new(document, "blind", json_true());
    json_decref(kept);
}

void blind_rows(json_t *rows, const struct blind_names *names)
{
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        if (!json_is_object(row))
            continue;
        struct identity identity = {0};
        json_t *kept = json_pack("[O?, O?, O?, O?]", json_object_get(row, "name"), json_object_get(row, "school"),
                                 json_object_get(row, "school_code"), json_object_get(row, "national_id"));
        size_t k;
        json_t *value;
        json_array_foreach(kept, k, value)
            identity_add(&identity, value);
        remove_identifying_keys(row);
        json_object_set_new(row, "name", json_string(blind_pseudonym(names,
            json_string_value(json_object_get(row, "application_no")))));
        json_object_set_new(row, "blind", json_true());
        mask_strings(row, &identity);
        json_decref(kept);
    }
}

static int by_pseudonym(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int order = g_strcmp0(json_string_value(json_object_get(x, "name")),
                          json_string_value(json_object_get(y, "name")));
    return order ? order : g_strcmp0(json_string_value(json_object_get(x, "application_no")),
                                     json_string_value(json_object_get(y, "application_no")));
}

void blind_sort_by_name(json_t *rows)
{
    size_t count = json_array_size(rows);
    if (count < 2)
        return;
    json_t **sorted = g_new(json_t *, count);
    for (size_t i = 0; i < count; i++)
        sorted[i] = json_incref(json_array_get(rows, i));
    qsort(sorted, count, sizeof *sorted, by_pseudonym);
    json_array_clear(rows);
    for (size_t i = 0; i < count; i++)
        json_array_append_new(rows, sorted[i]);
    g_free(sorted);
}
