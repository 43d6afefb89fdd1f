/* purge — removing a finished admission round's personal data, as the
 * personal-data rules require once a round's review is over.
 *
 * A round is the `round` of the packages its applications were ingested
 * from.  Purging it removes every application of the round with all that
 * hangs off it (students, cadres, course rows and their catalog, outcomes,
 * performances, uploads, attachments, categories, pool scores: the
 * schema's ON DELETE CASCADE, whose triggers keep the pool counts and
 * statistics and the content version right), everything keyed by those
 * applications' department and application number (score sheets and
 * their history, assignments, 差分 resolutions, notes, conflicts declared
 * against one application), the stored files no remaining application
 * references, the round's packages, and the departments left without
 * applications.  What is not an applicant's is kept: accounts, review
 * plans, required-item lists, school conflicts, and the audit log, whose
 * rows name applications only by their key.
 *
 * Deleted rows are overwritten (PRAGMA secure_delete), and purge_compact
 * rebuilds the database (VACUUM) and truncates its WAL, so that no byte of
 * a purged application is left in <db> or <db>-wal.  Removed files are
 * unlinked; the file system may keep their blocks (keep the store on an
 * encrypted volume).  Backups made before are not touched.
 *
 * The steps, in order, on one writable store (one thread):
 *   store_begin; purge_round; (the caller's audit row); store_commit;
 *   purge_remove_files; purge_compact.
 * purge_remove_files sweeps every stored file that no row of `files`
 * names, so a crash before it only delays the removal to the next purge.
 * Ingest copies a package's files into the store before the transaction
 * that references them: the caller holds the ingest lock
 * (ingest_lock_acquire, review/ingest) from before purge_round until the
 * sweep is done, or a file an ingest is about to reference may be swept.
 * The server may run: its caches follow the content version, which the
 * deletions move (its PDF cache is only dropped when it stops). */
#ifndef BEISHEN_PURGE_H
#define BEISHEN_PURGE_H

#include <jansson.h>
#include "store/store.h"

struct purge_counts {
    long long applications, students, cadres, course_rows, catalog_rows, outcomes, performances,
              uploads, attachments;
    long long files, file_bytes;           /* stored files no application references any more */
    long long score_sheets, draft_sheets, score_history, assignments, resolutions, notes, conflicts;
    long long blind_numbers;               /* blind review's numbers of the round's applications */
    long long packages, departments;       /* left without applications, so removed */
};

/* Every round in the database, oldest ingest first:
 * [{round, applications, departments: [codes], packages, first_ingested,
 *   last_ingested}].  A new reference. */
json_t *purge_rounds(struct store *store, struct error *err);

/* Removes the round's rows (see above) inside a transaction of its own,
 * nested in the caller's when there is one: the caller commits it
 * together with its audit row, or rolls it back (a dry run).  Fills counts.
 * ERROR_NOT_FOUND when no application belongs to the round. */
int purge_round(struct store *store, const char *round, struct purge_counts *counts,
                struct error *err);

/* After the commit: unlinks every stored file (<db>.files/<aa>/<sha256>.<ext>)
 * that no row of `files` names, under the write lock, and the emptied <aa>
 * directories.  *removed counts the files unlinked. */
int purge_remove_files(struct store *store, long long *removed, struct error *err);

/* VACUUM, then a TRUNCATE checkpoint.  ERROR_BUSY when the WAL could not
 * be truncated because a reader kept it (the data is gone from the
 * database; run it again when the server is idle or stopped). */
int purge_compact(struct store *store, struct error *err);

/* The counts as "applications=5 students=4 …", for the audit row and the
 * CLI (no personal data: numbers only).  Fills out. */
void purge_describe(const struct purge_counts *counts, char *out, size_t size);

#endif
