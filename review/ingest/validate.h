/* validate — every rule the export contract (docs/export-format.md) states
 * about a manifest and an application, checked on parsed JSON.  Pure: it
 * reads JSON and fills a problem list; it never touches the store or the
 * package.  File bytes are checked by ingest against the references this
 * module collects.
 *
 * Ownership: a struct manifest and a file_reference_list are filled here
 * and freed by the caller (manifest_free, file_references_free).
 * Thread-safe. */
#ifndef BEISHEN_VALIDATE_H
#define BEISHEN_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "core/checker.h"

/* Hard caps on untrusted input (beyond the contract's own limits). */
#define VALIDATE_MAX_MANIFEST_BYTES    (16u << 20)
#define VALIDATE_MAX_APPLICATION_BYTES (32u << 20)
#define VALIDATE_MAX_SHORT_TEXT        1000   /* names, titles, organizers … */
#define VALIDATE_MAX_LONG_TEXT         20000  /* statements and remarks */
#define VALIDATE_MAX_IMAGE_BYTES       (4u << 20)
#define VALIDATE_MAX_MEDIA_BYTES       (10u << 20)


/* A file an application references, with the JSON path of the reference. */
struct file_reference {
    char sha256[65];
    char media_type[32];
    long long size;
    char path[128];
};

struct file_reference_list {
    struct file_reference *items;
    size_t count, capacity;
};
void file_references_free(struct file_reference_list *list);

/* The manifest entry an application file must agree with. */
struct manifest_entry {
    char application_no[16];
    char department[16];
    char path[256];
    char sha256[65];
    bool usable;              /* false when the entry itself breaks a rule */
};

struct manifest {
    char round[512];
    char exported_at[64];
    char university_code[8];
    char university_name[256];
    size_t department_count;
    struct { char code[8]; char name[256]; } *departments;
    size_t entry_count;
    struct manifest_entry *entries;
};

/* Checks a manifest.  Returns 0 when the package is readable (entries that
 * break a rule are marked unusable and reported in problems), or -1 when the
 * manifest itself is unreadable: then nothing in the package may load.
 * manifest_free releases *out either way. */
int validate_manifest(const json_t *root, const char *file, struct manifest *out,
                      struct problem_list *problems);
void manifest_free(struct manifest *manifest);
bool manifest_has_department(const struct manifest *manifest, const char *code);

/* Checks an application against the contract and the manifest entry it was
 * listed under; appends every problem and collects its file references.
 * Returns the number of problems found. */
size_t validate_application(const json_t *root, const char *file,
                            const struct manifest *manifest,
                            const struct manifest_entry *entry,
                            struct problem_list *problems,
                            struct file_reference_list *files);

/* Format checks, exposed for unit tests and other modules. */
bool validate_is_date(const char *text);          /* YYYY-MM-DD, a real day */
bool validate_is_time(const char *text);          /* RFC 3339 date-time */
bool validate_is_course_code(const char *text);
bool validate_is_https_url(const char *text);
/* First bytes of a file match its media type. */
bool validate_magic_matches(const char *media_type, const unsigned char *data, size_t length);

#endif
