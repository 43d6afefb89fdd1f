/* assign — who reads which application: balanced, deterministic
 * assignment of readers to a department's applications, the reviewers'
 * declared conflicts (迴避: a school, or one application, a reviewer must
 * never read), reassigning one application, and the third reader of a
 * flagged application.  Owns tables assignments and reviewer_conflicts
 * (schema 009).
 *
 * Readers are reviewer accounts granted the department.  Assignment keeps
 * loads within one of each other (max − min ≤ 1) whenever the conflicts
 * leave room, never puts a reviewer twice on one application, spreads the
 * pairs of readers, and gives the same result for the same seed and data.
 *
 * Ownership: json_t results are new references the caller json_decrefs.
 * Threads: any number at once, each with its own store; writes run in
 * their own (nested) transaction. */
#ifndef BEISHEN_ASSIGN_H
#define BEISHEN_ASSIGN_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"
#include "store/store.h"

#define ASSIGN_REVIEWERS_MAX 256

struct assign_request {
    const char *department;
    int readers;                          /* readers per application; 0: the plan's */
    const char *const *reviewers;         /* who reads; NULL: every reviewer of the department */
    size_t reviewer_count;
    unsigned long long seed;              /* the same seed, the same assignment */
    const char *by;                       /* who assigns (recorded) */
};

/* Gives every application of the department that has fewer readers than
 * asked enough of them.  Returns {department, readers, assigned: n,
 * loads: {reviewer: n}, unassigned: [application_no]} (the applications
 * the conflicts left without enough readers), or NULL. */
json_t *assign_readers(struct store *store, const struct assign_request *request,
                       struct error *err);

/* Declares a conflict: kind "school" (a school code) or "application" (an
 * application number) of the department.  Refused (ERROR_INVALID) when the
 * reviewer already reads such an application: reassign it first. */
int assign_conflict_add(struct store *store, const char *reviewer, const char *department,
                        const char *kind, const char *value, struct error *err);
/* [{reviewer, kind, value, declared_at}] of the department. */
json_t *assign_conflicts(struct store *store, const char *department, struct error *err);

/* Hands `from`'s reading of an application to `to` (an eligible reviewer
 * not already reading it).  Refused when `from` has submitted: the office
 * reopens the sheet first.  A draft of `from` is dropped, and kept in the
 * sheet's history. */
int assign_reassign(struct store *store, const char *department, const char *application_no,
                    const char *from, const char *to, const char *by, struct error *err);

/* Adds the next reading of an application: the least loaded eligible
 * reviewer not already reading it.  `chosen` receives their name (65 bytes). */
int assign_next_reader(struct store *store, const char *department, const char *application_no,
                       const char *by, char chosen[65], struct error *err);

/* [{application, application_no, reviewer, reading, status, total}] of the
 * department (reviewer NULL) or of one reviewer, by application number;
 * status is "unscored", "draft" or "submitted". */
json_t *assign_list(struct store *store, const char *department, const char *reviewer,
                    struct error *err);

#endif
