/* backup — a whole copy of a beishen database and its file store, made
 * while the database is in use (a server serving, an ingest running), a
 * check of such a copy, and putting it back.
 *
 * A backup is a directory:
 *   backup.json         what it holds: format "beishen-backup", version 1,
 *                       when it was made and from which database, the
 *                       schema version, the database file's size and
 *                       SHA-256, the number of applications and of files
 *   beishen.db          the database as of one moment: SQLite's online
 *                       backup API in one step, so one read transaction and
 *                       one consistent snapshot; a single file (rollback
 *                       journal mode, no -wal beside it)
 *   beishen.db.files/   every file that snapshot references, as in the
 *                       store (<aa>/<sha256>.<ext>), each checked against
 *                       its size and SHA-256 while it is copied
 *   audit-journal       the servers' audit journals as they were (rows not yet
 *                       moved into audit_log), whole lines; absent when
 *                       there was none
 * It is written under "<directory>.tmp-XXXXXX" beside the final name,
 * flushed to disk and then renamed: a backup directory is whole or absent.
 * Stored files are only ever added (and removed by purge, which a backup
 * must not run beside), so copying the snapshot's files after taking it
 * copies exactly what it references.
 *
 * Threads: one caller at a time; every function opens and closes its own
 * connections.  Nothing is kept between calls. */
#ifndef BEISHEN_BACKUP_H
#define BEISHEN_BACKUP_H

#include <stdbool.h>
#include "core/error.h"
#include "core/timestamp.h"

#define BACKUP_FORMAT "beishen-backup"
#define BACKUP_VERSION 1
#define BACKUP_DATABASE "beishen.db"
#define BACKUP_FILES "beishen.db.files"
#define BACKUP_JOURNAL "audit-journal"
#define BACKUP_MANIFEST "backup.json"

/* What a backup holds (backup.json). */
struct backup_summary {
    char created_at[TIMESTAMP_SIZE];
    char source[1024];            /* the database it was made from, as given */
    int schema_version;
    long long database_bytes;
    long long applications;
    long long files;
    long long file_bytes;
    bool journal;                 /* an audit journal came along */
};

/* Copies the database at db_path (which must be at the newest schema
 * version) and its file store into directory, which must not exist; its
 * parent must.  Fails with ERROR_CONFLICT when directory exists, ERROR_IO
 * (naming the file) when a stored file is missing or differs from its
 * size or SHA-256, and leaves nothing behind on any failure. */
int backup_create(const char *db_path, const char *directory, struct backup_summary *summary,
                  struct error *err);

/* Checks a backup without changing anything: backup.json, the database
 * file's SHA-256, PRAGMA integrity_check and foreign_key_check, a schema
 * version this beishen can open, and every referenced file's size and
 * SHA-256.  ERROR_INVALID names the first problem. */
int backup_check(const char *directory, struct backup_summary *summary, struct error *err);

/* The same checks on a database in use and its file store: integrity and
 * foreign keys, the schema version, every stored file's size and SHA-256.
 * Fills the summary's schema_version, applications, files and file_bytes. */
int backup_check_database(const char *db_path, struct backup_summary *summary, struct error *err);

struct backup_restore_result {
    struct backup_summary backup;
    long long files_copied;       /* copied into <db>.files */
    long long files_present;      /* already there with the right size and SHA-256 */
    long long files_removed;      /* in <db>.files but not referenced by the backup */
    bool replaced;                /* an existing database was overwritten */
};

/* Checks the backup (backup_check), then puts it at db_path: its files
 * first (into <db>.files, each written whole), then the database.  A
 * database already at db_path is refused (ERROR_CONFLICT) unless replace;
 * with replace it is overwritten in place through SQLite's backup API
 * while holding an exclusive lock, refused with ERROR_BUSY when another
 * process has it open (a running server), and its content version is
 * moved past both (so no cache of the old content is ever taken for
 * current).  Stored files (<sha256>.<ext> in <db>.files) that the backup
 * does not reference are then removed.  The
 * backup's audit journal is appended to <db>.audit-journal, whose rows the
 * next server start (or audit_writer_start) imports; audit rows are never
 * lost by a restore.  The restored database keeps the backup's schema
 * version; the next store_open migrates it. */
int backup_restore(const char *directory, const char *db_path, bool replace,
                   struct backup_restore_result *result, struct error *err);

#endif
