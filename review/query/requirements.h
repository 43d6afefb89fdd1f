/* requirements — departments' required-item lists (校系參採項目): the
 * checks of our documented JSON format (schema/requirements.md), versioned
 * storage, and reading the newest list back.  Owns table requirement_lists.
 *
 * Ownership: returned json_t values are new references the caller
 * json_decrefs.  Threads: any number at once, each with its own store. */
#ifndef BEISHEN_REQUIREMENTS_H
#define BEISHEN_REQUIREMENTS_H

#include <jansson.h>
#include "store/store.h"
#include "core/checker.h"

/* Checks a parsed list; appends every problem (file, JSON path, rule).
 * Returns the number of problems. */
size_t requirements_check(const json_t *list, const char *file, struct problem_list *problems);

/* Reads and parses a list file (size-capped) and checks it.  On success
 * *out is the parsed list.  Returns the number of problems, or -1 when the
 * file cannot be read or parsed (a problem is added either way). */
int requirements_read(const char *path, json_t **out, struct problem_list *problems);

/* Stores a checked list as the department's next version.  When it equals
 * the newest stored version nothing changes.  *version is the version now
 * in force, *added whether a new version was stored. */
int requirements_store(struct store *store, const json_t *list, int *version, bool *added,
                       struct error *err);

/* The newest list of a department with "loaded_version" and "loaded_at"
 * added; NULL with ERROR_NOT_FOUND when none is loaded, another kind on
 * failure. */
json_t *requirements_latest(struct store *store, const char *department, struct error *err);

/* Every stored version of a department: [{version, loaded_at, sha256}]. */
json_t *requirements_versions(struct store *store, const char *department, struct error *err);

#endif
