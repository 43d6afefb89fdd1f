/* package — read access to an export package, whether a directory or a
 * .zip holding the same tree at its root (docs/export-format.md §2).  Owns
 * the open directory path or zip handle, from package_open to
 * package_close.  Member paths are checked before any read: a path that is
 * absolute, has "..", "." or empty segments, or a backslash is refused,
 * and a member that resolves outside the package is refused.
 * Threads: one package is used by one thread at a time. */
#ifndef BEISHEN_PACKAGE_H
#define BEISHEN_PACKAGE_H

#include <stdbool.h>
#include <stddef.h>
#include "core/error.h"

struct package;

enum package_status { PACKAGE_OK = 0, PACKAGE_MISSING = 1, PACKAGE_ERROR = -1 };

/* The most members a package may have: the entries of a zip (checked at
 * package_open, before anything is read), or the files directly under a
 * directory package's applications/ (checked by package_list).  A manifest
 * within its 16 MiB cap can list at most about 100,000 applications (an
 * entry takes at least 170 bytes); the rest leaves room for their files,
 * which applications share by hash.  Without a cap a zip
 * of 300,000 empty entries took 504 MB and printed 300,000 lines. */
#define PACKAGE_MAX_MEMBERS 200000

/* Opens a directory or a zip; a zip of more than PACKAGE_MAX_MEMBERS
 * entries is refused (ERROR_INVALID). */
int package_open(const char *path, struct package **out, struct error *err);
void package_close(struct package *package);
const char *package_path(const struct package *package);

/* True when `member` is a safe relative path inside a package. */
bool package_member_path_is_safe(const char *member);

/* Reads a member into a malloc'd NUL-terminated buffer (caller frees).
 * Returns PACKAGE_OK, PACKAGE_MISSING (no such member) or PACKAGE_ERROR
 * (unsafe path, too large, unreadable), with err filled. */
enum package_status package_read(struct package *package, const char *member,
                                 size_t max_bytes, char **data, size_t *length,
                                 struct error *err);

/* Calls visit for every regular member directly under `directory` (e.g.
 * "applications"), in sorted order, with its member path.  More than
 * PACKAGE_MAX_MEMBERS of them fail it (ERROR_INVALID) before any visit. */
int package_list(struct package *package, const char *directory,
                 void (*visit)(const char *member, void *context), void *context,
                 struct error *err);

#endif
