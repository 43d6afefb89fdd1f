/* files — reading and writing whole files the way every output of beishen
 * must appear: whole or not at all, and still there after a power cut.
 *
 * An output is written under a temporary name in its own directory, then
 * flushed to disk, renamed over the final name, and the directory itself
 * is flushed so that the rename is durable.  A reader never sees half a
 * file; a crash leaves the old file or the new one.
 * Owns nothing global; thread-safe. */
#ifndef BEISHEN_FILES_H
#define BEISHEN_FILES_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

/* Reads a whole regular file into a malloc'd, NUL-terminated buffer;
 * refuses files larger than max_bytes (ERROR_INVALID) or unreadable
 * (ERROR_NOT_FOUND when absent, else ERROR_IO).  Caller frees *data. */
int files_read(const char *path, size_t max_bytes, char **data, size_t *length,
               struct error *err);

/* Writes `length` bytes to path atomically and durably (see above). */
int files_write_atomic(const char *path, const void *data, size_t length, struct error *err);

/* An output file being written: `file` writes to `temporary` until
 * files_output_commit() puts it in place or files_output_abort() removes
 * it.  Both free the struct's strings; exactly one of them must be called. */
struct files_output {
    FILE *file;
    char *path;               /* the final name */
    char *temporary;          /* "<path>.tmp-XXXXXX", mode 0644 */
};

int files_output_open(struct files_output *output, const char *path, struct error *err);
/* Flushes, syncs, closes, renames and syncs the directory.  On failure
 * the temporary file is removed and nothing is at path that was not
 * there before. */
int files_output_commit(struct files_output *output, struct error *err);
void files_output_abort(struct files_output *output);

/* Calls each(path, data) for every directory entry whose full path starts
 * with path_prefix (the entries of path_prefix's directory, in no set
 * order), e.g. "/srv/beishen.db.audit-journal" finds that file and every
 * "/srv/beishen.db.audit-journal.*".  A non-zero return from each stops
 * the walk and is returned.  An absent directory is no entry. */
int files_each_with_prefix(const char *path_prefix, int (*each)(const char *path, void *data), void *data,
                           struct error *err);

/* mkdir -p with mode 0755. */
int files_make_directories(const char *path, struct error *err);

#endif
