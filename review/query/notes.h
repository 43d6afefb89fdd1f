/* notes — reviewers' notes (註記) on applications: on the whole
 * application, one category of it, or one record (an item's id, or a
 * course as "code/year-semester").  A note is private to its author or
 * shared with the department's committee; only its author changes or
 * deletes it, with the note's version so a stale edit is refused.  Keyed
 * by department and application number, so re-ingest keeps them.  Owns
 * table notes (schema 010).  Callers audit the changes in the same
 * transaction.
 *
 * Ownership: returned json_t values are new references the caller
 * json_decrefs.  Threads: any number at once, each with its own store. */
#ifndef BEISHEN_NOTES_H
#define BEISHEN_NOTES_H

#include <stdbool.h>
#include <jansson.h>
#include "core/error.h"
#include "store/store.h"

#define NOTES_TEXT_MAX 4000        /* characters */
#define NOTES_KEY_MAX 200          /* characters of a category or record key */
#define NOTES_PER_APPLICATION_MAX 500

struct note_input {
    const char *category;          /* NULL: the whole application */
    const char *record;            /* NULL: the whole category */
    const char *text;
    bool shared;
};

/* The notes reader sees on an application, oldest first: their own and
 * the shared ones; reader NULL: the shared ones only.  Each is {id,
 * author, category, record, text, shared, version, created_at,
 * updated_at, mine}. */
json_t *notes_list(struct store *store, const char *department, const char *application_no,
                   const char *reader, struct error *err);

/* Adds author's note; the new note, or NULL with ERROR_INVALID (empty or
 * too long text, keys too long, too many notes) or another kind. */
json_t *notes_add(struct store *store, const char *department, const char *application_no,
                  const char *author, const struct note_input *input, struct error *err);

/* Changes the text and sharing of author's note id at version.  The note
 * as it is now; NULL with ERROR_NOT_FOUND (no such note of theirs on that
 * application), ERROR_CONFLICT (it changed since version) or
 * ERROR_INVALID. */
json_t *notes_update(struct store *store, const char *department, const char *application_no,
                     long long id, const char *author, long long version, const char *text,
                     bool shared, struct error *err);

/* Deletes author's note id; ERROR_NOT_FOUND when it is not theirs. */
int notes_delete(struct store *store, const char *department, const char *application_no,
                 long long id, const char *author, struct error *err);

#endif
