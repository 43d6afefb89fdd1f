/* backup — online backups of the database and its file store, their
 * check, and restore (see backup.h for the layout and the guarantees). */
#define _XOPEN_SOURCE 700   /* nftw */
#include "store/backup.h"
#include "core/files.h"
#include "core/text.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>
#include <sqlite3.h>

#define PATH_CAP 4096
#define MANIFEST_MAX (1024 * 1024)
#define COPY_CHUNK (256 * 1024)
#define LOCK_WAIT_MS 10000          /* how long a restore waits for SQLite's locks */

/* ---- small file helpers ------------------------------------------------------------ */

static int path_join(char *out, size_t size, struct error *err, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
static int path_join(char *out, size_t size, struct error *err, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    int n = vsnprintf(out, size, format, arguments);
    va_end(arguments);
    if (n < 0 || (size_t)n >= size)
        return error_set(err, ERROR_INVALID, "path too long: %.200s…", out);
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* rm -r of a directory this module made (never follows symbolic links). */
static void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int sync_path(const char *path, struct error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return error_set(err, ERROR_IO, "%s: %s", path, strerror(saved));
    }
    close(fd);
    return 0;
}

/* Streams `from` into `to` (an open stream) computing its SHA-256; fails
 * when the size or the hash is not the expected one (either may be
 * unchecked: size < 0, sha256 NULL).  hex receives the hash when not NULL. */
static int copy_checked(const char *from, FILE *to, const char *to_name, long long size,
                        const char *sha256, char hex[65], struct error *err)
{
    int fd = open(from, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return error_set(err, errno == ENOENT ? ERROR_NOT_FOUND : ERROR_IO, "%s: %s", from,
                         strerror(errno));
    GChecksum *checksum = g_checksum_new(G_CHECKSUM_SHA256);
    char *buffer = malloc(COPY_CHUNK);
    long long total = 0;
    int rc = buffer ? 0 : error_set(err, ERROR_INTERNAL, "out of memory");
    while (rc == 0) {
        ssize_t n = read(fd, buffer, COPY_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = error_set(err, ERROR_IO, "%s: %s", from, strerror(errno));
        if (n <= 0)
            break;
        g_checksum_update(checksum, (const guchar *)buffer, (gssize)n);
        if (to && fwrite(buffer, 1, (size_t)n, to) != (size_t)n)
            rc = error_set(err, ERROR_IO, "%s: write failed: %s", to_name, strerror(errno));
        total += n;
    }
    close(fd);
    free(buffer);
    const char *actual = g_checksum_get_string(checksum);
    if (rc == 0 && size >= 0 && total != size)
        rc = error_set(err, ERROR_IO, "%s: %lld bytes, %lld expected", from, total, size);
    else if (rc == 0 && sha256 && strcmp(actual, sha256) != 0)
        rc = error_set(err, ERROR_IO, "%s: SHA-256 %s, %s expected", from, actual, sha256);
    if (rc == 0 && hex)
        snprintf(hex, 65, "%s", actual);
    g_checksum_free(checksum);
    return rc;
}

/* True when path holds size bytes with this SHA-256. */
static bool file_matches(const char *path, long long size, const char *sha256)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != size)
        return false;
    struct error ignored;
    return copy_checked(path, NULL, NULL, size, sha256, NULL, &ignored) == 0;
}

/* Copies `from` to `to` checked, under a temporary name, flushed, renamed. */
static int copy_file_atomic(const char *from, const char *to, long long size, const char *sha256,
                            struct error *err)
{
    struct files_output output;
    if (files_output_open(&output, to, err) != 0)
        return -1;
    if (copy_checked(from, output.file, output.temporary, size, sha256, NULL, err) != 0) {
        files_output_abort(&output);
        return -1;
    }
    return files_output_commit(&output, err);
}

/* Copies a file with a new name in a directory being built (flushed; the
 * directory is flushed by the caller). */
static int copy_file_into(const char *from, const char *to, long long size, const char *sha256,
                          struct error *err)
{
    FILE *out = fopen(to, "wbx");
    if (!out)
        return error_set(err, ERROR_IO, "%s: %s", to, strerror(errno));
    int rc = copy_checked(from, out, to, size, sha256, NULL, err);
    if (rc == 0 && (fflush(out) != 0 || fsync(fileno(out)) != 0))
        rc = error_set(err, ERROR_IO, "%s: %s", to, strerror(errno));
    if (fclose(out) != 0 && rc == 0)
        rc = error_set(err, ERROR_IO, "%s: %s", to, strerror(errno));
    return rc;
}

/* ---- SQLite ------------------------------------------------------------------------- */

static int sqlite_failure(sqlite3 *db, struct error *err, const char *what)
{
    return error_set(err, store_error_kind(sqlite3_extended_errcode(db)), "%s: %s", what,
                     db ? sqlite3_errmsg(db) : "cannot open");
}

static int open_database(const char *path, int flags, sqlite3 **db, struct error *err)
{
    if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
        sqlite_failure(*db, err, path);
        sqlite3_close(*db);
        *db = NULL;
        return -1;
    }
    sqlite3_busy_timeout(*db, LOCK_WAIT_MS);
    return 0;
}

static int exec(sqlite3 *db, const char *sql, struct error *err)
{
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
        error_set(err, store_error_kind(sqlite3_extended_errcode(db)), "%s: %s", sql,
                  message ? message : sqlite3_errmsg(db));
        sqlite3_free(message);
        return -1;
    }
    return 0;
}

static long long query_integer(sqlite3 *db, const char *sql, long long fallback)
{
    sqlite3_stmt *s;
    long long value = fallback;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            value = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    return value;
}

/* Every page of source's main database into destination's, in one step
 * (one read transaction on the source: one snapshot). */
static int copy_pages(sqlite3 *source, sqlite3 *destination, const char *what, struct error *err)
{
    sqlite3_backup *backup = sqlite3_backup_init(destination, "main", source, "main");
    if (!backup)
        return sqlite_failure(destination, err, what);
    int rc;
    for (int waited = 0;; waited += 10) {
        rc = sqlite3_backup_step(backup, -1);
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || waited >= LOCK_WAIT_MS)
            break;
        sqlite3_sleep(10);
    }
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE)
        return error_set(err, store_error_kind(rc), "%s: %s", what, sqlite3_errstr(rc));
    return 0;
}

/* The files a database references: sha256, media_type, size per row. */
typedef int (*file_visitor)(const char *sha256, const char *media_type, long long size, void *context,
                            struct error *err);

static int each_file(sqlite3 *db, file_visitor visit, void *context, struct error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT sha256, media_type, size FROM files ORDER BY sha256", -1, &s,
                           NULL) != SQLITE_OK)
        return sqlite_failure(db, err, "files");
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        const char *sha256 = (const char *)sqlite3_column_text(s, 0);
        const char *media_type = (const char *)sqlite3_column_text(s, 1);
        if (!sha256 || !text_is_sha256_hex(sha256) || !media_type)
            rc = error_set(err, ERROR_INVALID, "files: a row with a malformed SHA-256 or media type");
        else
            rc = visit(sha256, media_type, sqlite3_column_int64(s, 2), context, err);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = sqlite_failure(db, err, "files");
    sqlite3_finalize(s);
    return rc;
}

/* ---- backup_create ------------------------------------------------------------------ */

struct copy_run {
    const char *from_dir;         /* a file store: "<db>.files" */
    const char *to_dir;
    long long files, bytes;
    long long copied, present;    /* restore */
    GHashTable *names;            /* restore with replace: file names the backup has */
};

static int copy_into_backup(const char *sha256, const char *media_type, long long size, void *context,
                            struct error *err)
{
    struct copy_run *run = context;
    char from[PATH_CAP], to[PATH_CAP], directory[PATH_CAP];
    store_file_path_in(run->from_dir, sha256, media_type, from, sizeof from);
    store_file_path_in(run->to_dir, sha256, media_type, to, sizeof to);
    if (path_join(directory, sizeof directory, err, "%s/%.2s", run->to_dir, sha256) != 0)
        return -1;
    if (mkdir(directory, 0700) != 0 && errno != EEXIST)
        return error_set(err, ERROR_IO, "%s: %s", directory, strerror(errno));
    if (copy_file_into(from, to, size, sha256, err) != 0)
        return error_prefix(err, "file store");
    run->files++;
    run->bytes += size;
    return 0;
}

/* The journals being gathered: their whole lines, one after another. */
struct journal_lines {
    GString *text;
    struct error *err;
};

/* Appends one journal's whole lines (its server may be appending to it). */
static int gather_journal(const char *path, void *data)
{
    struct journal_lines *lines = data;
    FILE *in = fopen(path, "rb");
    if (!in)   /* gone meanwhile: its server stopped and imported it */
        return errno == ENOENT ? 0 : error_set(lines->err, ERROR_IO, "%s: %s", path, strerror(errno));
    size_t start = lines->text->len;
    char buffer[COPY_CHUNK / 4];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, in)) > 0)
        g_string_append_len(lines->text, buffer, (gssize)n);
    int rc = ferror(in) ? error_set(lines->err, ERROR_IO, "%s: read failed", path) : 0;
    fclose(in);
    size_t whole = lines->text->len;
    while (whole > start && lines->text->str[whole - 1] != '\n')
        whole--;
    g_string_truncate(lines->text, whole);
    return rc;
}

/* Copies the whole lines of every audit journal of the database (each
 * server's <db>.audit-journal.<run>, and <db>.audit-journal) into `to`. */
static int copy_journal(const char *journal_prefix, const char *to, bool *copied, struct error *err)
{
    *copied = false;
    struct journal_lines lines = {g_string_new(NULL), err};
    int rc = files_each_with_prefix(journal_prefix, gather_journal, &lines, err);
    if (rc == 0 && lines.text->len > 0) {
        FILE *out = fopen(to, "wbx");
        if (!out || fwrite(lines.text->str, 1, lines.text->len, out) != lines.text->len || fflush(out) != 0 ||
            fsync(fileno(out)) != 0)
            rc = error_set(err, ERROR_IO, "%s: %s", to, strerror(errno));
        if (out && fclose(out) != 0 && rc == 0)
            rc = error_set(err, ERROR_IO, "%s: %s", to, strerror(errno));
        *copied = rc == 0;
    }
    g_string_free(lines.text, TRUE);
    return rc;
}

static json_t *summary_json(const struct backup_summary *summary, const char *database_sha256)
{
    return json_pack("{s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:I, s:I, s:I, s:I, s:b}",
                     "format", BACKUP_FORMAT, "version", BACKUP_VERSION,
                     "created_at", summary->created_at, "source", summary->source,
                     "schema_version", summary->schema_version,
                     "database", BACKUP_DATABASE, "database_sha256", database_sha256,
                     "database_bytes", (json_int_t)summary->database_bytes,
                     "applications", (json_int_t)summary->applications,
                     "files", (json_int_t)summary->files,
                     "file_bytes", (json_int_t)summary->file_bytes,
                     "journal", summary->journal);
}

/* Builds the backup in `work`, a new empty directory. */
static int build_backup(const char *db_path, const char *work, struct backup_summary *summary,
                        struct error *err)
{
    char database[PATH_CAP], files[PATH_CAP], path[PATH_CAP];
    if (path_join(database, sizeof database, err, "%s/" BACKUP_DATABASE, work) != 0 ||
        path_join(files, sizeof files, err, "%s/" BACKUP_FILES, work) != 0)
        return -1;

    /* The snapshot. */
    struct store *source;
    if (store_open_readonly(db_path, &source, err) != 0)
        return -1;
    sqlite3 *copy;
    int rc = open_database(database, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE,
                           &copy, err);
    if (rc == 0)
        rc = copy_pages(store_db(source), copy, "database", err);
    char source_files[PATH_CAP];
    snprintf(source_files, sizeof source_files, "%s", store_files_dir(source));
    store_close(source);
    /* A single file: no -wal beside it. */
    if (rc == 0)
        rc = exec(copy, "PRAGMA journal_mode=DELETE", err);

    /* Its files. */
    struct copy_run run = {.from_dir = source_files, .to_dir = files};
    if (rc == 0 && mkdir(files, 0700) != 0)
        rc = error_set(err, ERROR_IO, "%s: %s", files, strerror(errno));
    if (rc == 0)
        rc = each_file(copy, copy_into_backup, &run, err);
    if (rc == 0) {
        summary->schema_version = (int)query_integer(copy, "PRAGMA user_version", -1);
        summary->applications = query_integer(copy, "SELECT count(*) FROM applications", -1);
        summary->files = run.files;
        summary->file_bytes = run.bytes;
    }
    if (copy && sqlite3_close(copy) != SQLITE_OK && rc == 0)
        rc = error_set(err, ERROR_IO, "%s: cannot close", database);
    if (rc != 0)
        return -1;
    for (int i = 0; i < 256; i++) {
        snprintf(path, sizeof path, "%s/%02x", files, i);
        if (access(path, F_OK) == 0 && sync_path(path, err) != 0)
            return -1;
    }
    if (sync_path(files, err) != 0 || sync_path(database, err) != 0)
        return -1;

    /* The audit rows not yet in the snapshot's audit_log. */
    char journal[PATH_CAP];
    if (path_join(journal, sizeof journal, err, "%s.audit-journal", db_path) != 0 ||
        path_join(path, sizeof path, err, "%s/" BACKUP_JOURNAL, work) != 0 ||
        copy_journal(journal, path, &summary->journal, err) != 0)
        return -1;

    /* The manifest, last. */
    char database_sha256[65];
    if (copy_checked(database, NULL, NULL, -1, NULL, database_sha256, err) != 0)
        return -1;
    struct stat st;
    summary->database_bytes = stat(database, &st) == 0 ? (long long)st.st_size : 0;
    json_t *manifest = summary_json(summary, database_sha256);
    char *text = manifest ? json_dumps(manifest, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(manifest);
    if (!text)
        return error_set(err, ERROR_INTERNAL, "out of memory");
    rc = path_join(path, sizeof path, err, "%s/" BACKUP_MANIFEST, work);
    if (rc == 0)
        rc = files_write_atomic(path, text, strlen(text), err);
    free(text);
    return rc;
}

int backup_create(const char *db_path, const char *given, struct backup_summary *summary,
                  struct error *err)
{
    /* "DIR/" names DIR: the temporary directory goes beside it, not in it. */
    char directory[PATH_CAP];
    if (path_join(directory, sizeof directory, err, "%s", given) != 0)
        return -1;
    for (size_t n = strlen(directory); n > 1 && directory[n - 1] == '/'; n--)
        directory[n - 1] = '\0';
    memset(summary, 0, sizeof *summary);
    timestamp_now(summary->created_at);
    snprintf(summary->source, sizeof summary->source, "%s", db_path);
    struct stat st;
    if (lstat(directory, &st) == 0)
        return error_set(err, ERROR_CONFLICT, "%s exists; a backup goes into a new directory", directory);
    char work[PATH_CAP];
    if (path_join(work, sizeof work, err, "%s.tmp-XXXXXX", directory) != 0)
        return -1;
    if (!mkdtemp(work))
        return error_set(err, ERROR_IO, "cannot create %s: %s", work, strerror(errno));
    if (build_backup(db_path, work, summary, err) != 0 || sync_path(work, err) != 0) {
        remove_tree(work);
        return -1;
    }
    /* rename() onto a directory that appeared meanwhile would replace it
     * if empty: check again, then rename. */
    if (lstat(directory, &st) == 0) {
        remove_tree(work);
        return error_set(err, ERROR_CONFLICT, "%s appeared while the backup was made", directory);
    }
    if (rename(work, directory) != 0) {
        error_set(err, ERROR_IO, "%s: %s", directory, strerror(errno));
        remove_tree(work);
        return -1;
    }
    char *parent = g_path_get_dirname(directory);
    int rc = sync_path(parent, err);
    g_free(parent);
    return rc;
}

/* ---- backup_check ------------------------------------------------------------------- */

static int read_manifest(const char *directory, struct backup_summary *summary, char sha256[65],
                         struct error *err)
{
    char path[PATH_CAP];
    if (path_join(path, sizeof path, err, "%s/" BACKUP_MANIFEST, directory) != 0)
        return -1;
    char *data;
    size_t length;
    if (files_read(path, MANIFEST_MAX, &data, &length, err) != 0) {
        char reason[sizeof err->message];
        snprintf(reason, sizeof reason, "%s", err->message);
        return error_set(err, ERROR_INVALID, "%s: not a beishen backup (%s)", directory, reason);
    }
    json_error_t json_err;
    json_t *root = json_loadb(data, length, 0, &json_err);
    free(data);
    const char *format = NULL, *created = NULL, *source = NULL, *database = NULL, *hash = NULL;
    int version = 0, journal = 0;
    json_int_t files = -1, bytes = -1, applications = -1, database_bytes = -1;
    int schema = 0;
    int rc = 0;
    if (!root || json_unpack(root, "{s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:I, s:I, s:I, s:I, s:b}",
                             "format", &format, "version", &version, "created_at", &created,
                             "source", &source, "schema_version", &schema, "database", &database,
                             "database_sha256", &hash, "database_bytes", &database_bytes,
                             "applications", &applications, "files", &files, "file_bytes", &bytes,
                             "journal", &journal) != 0)
        rc = error_set(err, ERROR_INVALID, "%s: not a beishen backup manifest", path);
    else if (strcmp(format, BACKUP_FORMAT) != 0 || version != BACKUP_VERSION)
        rc = error_set(err, ERROR_INVALID, "%s: format %s version %d, expected %s version %d", path, format,
                       version, BACKUP_FORMAT, BACKUP_VERSION);
    else if (strcmp(database, BACKUP_DATABASE) != 0 || !text_is_sha256_hex(hash))
        rc = error_set(err, ERROR_INVALID, "%s: malformed database entry", path);
    if (rc == 0) {
        snprintf(summary->created_at, sizeof summary->created_at, "%s", created);
        snprintf(summary->source, sizeof summary->source, "%s", source);
        summary->schema_version = schema;
        summary->database_bytes = database_bytes;
        summary->applications = applications;
        summary->files = files;
        summary->file_bytes = bytes;
        summary->journal = journal;
        snprintf(sha256, 65, "%s", hash);
    }
    json_decref(root);
    return rc;
}

/* "ok" from integrity_check and no rows from foreign_key_check. */
static int check_database(sqlite3 *db, const char *path, struct error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
        return sqlite_failure(db, err, path);
    int rc = 0;
    if (sqlite3_step(s) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0)
        rc = error_set(err, ERROR_INVALID, "%s: integrity_check: %s", path,
                       sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0)
                                                 : sqlite3_errmsg(db));
    sqlite3_finalize(s);
    if (rc == 0 && query_integer(db, "SELECT count(*) FROM pragma_foreign_key_check", -1) != 0)
        rc = error_set(err, ERROR_INVALID, "%s: foreign_key_check finds rows without their parent", path);
    long long version = query_integer(db, "PRAGMA user_version", -1);
    if (rc == 0 && (version < 1 || version > store_newest_schema_version()))
        rc = error_set(err, ERROR_INVALID, "%s: schema version %lld; this beishen reads 1 to %d", path,
                       version, store_newest_schema_version());
    return rc;
}

struct check_run {
    const char *files_dir;
    long long files, bytes;
};

static int check_one_file(const char *sha256, const char *media_type, long long size, void *context,
                          struct error *err)
{
    struct check_run *run = context;
    char path[PATH_CAP];
    store_file_path_in(run->files_dir, sha256, media_type, path, sizeof path);
    if (copy_checked(path, NULL, NULL, size, sha256, NULL, err) != 0) {
        err->kind = ERROR_INVALID;   /* the message names the file */
        return -1;
    }
    run->files++;
    run->bytes += size;
    return 0;
}

/* Opens the backup's database read-only after checking it; *db is closed
 * by the caller. */
static int open_checked(const char *directory, struct backup_summary *summary, sqlite3 **db,
                        struct error *err)
{
    memset(summary, 0, sizeof *summary);
    *db = NULL;
    char expected[65], actual[65], database[PATH_CAP], files[PATH_CAP];
    if (read_manifest(directory, summary, expected, err) != 0 ||
        path_join(database, sizeof database, err, "%s/" BACKUP_DATABASE, directory) != 0 ||
        path_join(files, sizeof files, err, "%s/" BACKUP_FILES, directory) != 0)
        return -1;
    if (copy_checked(database, NULL, NULL, summary->database_bytes, expected, actual, err) != 0) {
        err->kind = ERROR_INVALID;
        return -1;
    }
    if (open_database(database, SQLITE_OPEN_READONLY, db, err) != 0)
        return -1;
    struct check_run run = {.files_dir = files};
    if (check_database(*db, database, err) != 0 || each_file(*db, check_one_file, &run, err) != 0)
        return -1;
    if (run.files != summary->files || run.bytes != summary->file_bytes)
        return error_set(err, ERROR_INVALID, "%s: %lld files of %lld bytes, the manifest says %lld of %lld",
                         directory, run.files, run.bytes, summary->files, summary->file_bytes);
    return 0;
}

int backup_check(const char *directory, struct backup_summary *summary, struct error *err)
{
    sqlite3 *db;
    int rc = open_checked(directory, summary, &db, err);
    sqlite3_close(db);
    return rc;
}

int backup_check_database(const char *db_path, struct backup_summary *summary, struct error *err)
{
    memset(summary, 0, sizeof *summary);
    snprintf(summary->source, sizeof summary->source, "%s", db_path);
    struct store *store;
    if (store_open_readonly(db_path, &store, err) != 0)
        return -1;
    sqlite3 *db = store_db(store);
    struct check_run run = {.files_dir = store_files_dir(store)};
    int rc = 0;
    /* One read transaction: the files checked are the ones of one snapshot. */
    if (exec(db, "BEGIN", err) != 0 || check_database(db, db_path, err) != 0 ||
        each_file(db, check_one_file, &run, err) != 0)
        rc = -1;
    summary->schema_version = (int)query_integer(db, "PRAGMA user_version", -1);
    summary->applications = query_integer(db, "SELECT count(*) FROM applications", -1);
    summary->files = run.files;
    summary->file_bytes = run.bytes;
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    store_close(store);
    return rc;
}

/* ---- backup_restore ----------------------------------------------------------------- */

static int copy_into_store(const char *sha256, const char *media_type, long long size, void *context,
                           struct error *err)
{
    struct copy_run *run = context;
    char from[PATH_CAP], to[PATH_CAP], directory[PATH_CAP];
    store_file_path_in(run->from_dir, sha256, media_type, from, sizeof from);
    store_file_path_in(run->to_dir, sha256, media_type, to, sizeof to);
    if (run->names)
        g_hash_table_add(run->names, g_path_get_basename(to));
    if (file_matches(to, size, sha256)) {
        run->present++;
        return 0;
    }
    if (path_join(directory, sizeof directory, err, "%s/%.2s", run->to_dir, sha256) != 0 ||
        files_make_directories(directory, err) != 0 || copy_file_atomic(from, to, size, sha256, err) != 0)
        return -1;
    run->copied++;
    return 0;
}

/* What the restored database references, as SHA-256 keys: the copied
 * files' names without their extension. */
static GHashTable *hashes_of(GHashTable *names)
{
    GHashTable *hashes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GHashTableIter it;
    gpointer name;
    g_hash_table_iter_init(&it, names);
    while (g_hash_table_iter_next(&it, &name, NULL))
        g_hash_table_add(hashes, g_strndup(name, 64));
    return hashes;
}

/* Appends the backup's journal lines to <db>.audit-journal. */
static int restore_journal(const char *directory, const char *db_path, struct error *err)
{
    char from[PATH_CAP], to[PATH_CAP];
    if (path_join(from, sizeof from, err, "%s/" BACKUP_JOURNAL, directory) != 0 ||
        path_join(to, sizeof to, err, "%s.audit-journal", db_path) != 0)
        return -1;
    if (access(from, F_OK) != 0)
        return 0;
    int fd = open(to, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    FILE *out = fd >= 0 ? fdopen(fd, "ab") : NULL;
    if (!out) {
        if (fd >= 0)
            close(fd);
        return error_set(err, ERROR_IO, "%s: %s", to, strerror(errno));
    }
    int rc = copy_checked(from, out, to, -1, NULL, NULL, err);
    if (rc == 0 && (fflush(out) != 0 || fsync(fileno(out)) != 0))
        rc = error_set(err, ERROR_IO, "%s: %s", to, strerror(errno));
    fclose(out);
    return rc;
}

/* A new database at db_path: pages into a temporary file beside it, which
 * is renamed into place once whole. */
static int restore_new(sqlite3 *source, const char *db_path, struct error *err)
{
    char temporary[PATH_CAP];
    if (path_join(temporary, sizeof temporary, err, "%s.restore-XXXXXX", db_path) != 0)
        return -1;
    int fd = mkstemp(temporary);
    if (fd < 0)
        return error_set(err, ERROR_IO, "cannot create %s: %s", temporary, strerror(errno));
    close(fd);
    sqlite3 *db;
    int rc = open_database(temporary, SQLITE_OPEN_READWRITE, &db, err);
    if (rc == 0)
        rc = copy_pages(source, db, db_path, err);
    if (rc == 0)
        rc = exec(db, "PRAGMA journal_mode=DELETE", err);
    if (db && sqlite3_close(db) != SQLITE_OK && rc == 0)
        rc = error_set(err, ERROR_IO, "%s: cannot close", temporary);
    if (rc == 0)
        rc = sync_path(temporary, err);
    if (rc == 0 && rename(temporary, db_path) != 0)
        rc = error_set(err, ERROR_IO, "%s: %s", db_path, strerror(errno));
    if (rc != 0) {
        unlink(temporary);
        return -1;
    }
    char *parent = g_path_get_dirname(db_path);
    rc = sync_path(parent, err);
    g_free(parent);
    return rc;
}

/* Overwrites the database at db_path in place, holding an exclusive lock
 * (so refused while any other process has it open). */
static int restore_replace(sqlite3 *source, const char *db_path, struct error *err)
{
    sqlite3 *db;
    if (open_database(db_path, SQLITE_OPEN_READWRITE, &db, err) != 0)
        return -1;
    sqlite3_busy_timeout(db, 200);
    int rc = exec(db, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;", err);
    if (rc != 0 && err->kind == ERROR_BUSY)
        rc = error_set(err, ERROR_BUSY, "%s is in use by another process (stop beishen serve, or "
                       "wait for the command using it)", db_path);
    long long old_version = rc == 0 ? query_integer(db, "SELECT version FROM content_version", 0) : 0;
    if (rc == 0)
        rc = copy_pages(source, db, db_path, err);
    long long new_version = rc == 0 ? query_integer(db, "SELECT version FROM content_version", -1) : -1;
    if (rc == 0 && new_version >= 0) {
        char sql[128];
        snprintf(sql, sizeof sql, "UPDATE content_version SET version = %lld WHERE id = 1",
                 (old_version > new_version ? old_version : new_version) + 1);
        rc = exec(db, sql, err);
    }
    if (sqlite3_close(db) != SQLITE_OK && rc == 0)
        rc = error_set(err, ERROR_IO, "%s: cannot close", db_path);
    return rc;
}

int backup_restore(const char *directory, const char *db_path, bool replace,
                   struct backup_restore_result *result, struct error *err)
{
    memset(result, 0, sizeof *result);
    sqlite3 *source;
    if (open_checked(directory, &result->backup, &source, err) != 0) {
        sqlite3_close(source);
        return -1;
    }
    int rc = 0;
    char path[PATH_CAP], backup_files[PATH_CAP], store_files[PATH_CAP];
    bool exists = access(db_path, F_OK) == 0;
    if (exists && !replace)
        rc = error_set(err, ERROR_CONFLICT, "%s exists (restore --force overwrites it)", db_path);
    if (rc == 0 && !exists && path_join(path, sizeof path, err, "%s-wal", db_path) == 0 &&
        access(path, F_OK) == 0)
        rc = error_set(err, ERROR_CONFLICT, "%s is there without its database; remove it first", path);
    if (rc == 0)
        rc = path_join(backup_files, sizeof backup_files, err, "%s/" BACKUP_FILES, directory);
    if (rc == 0)
        rc = path_join(store_files, sizeof store_files, err, "%s.files", db_path);

    /* Files first: the database never references one that is not there. */
    struct copy_run run = {.from_dir = backup_files, .to_dir = store_files,
                           .names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
    if (rc == 0)
        rc = files_make_directories(store_files, err);
    if (rc == 0)
        rc = each_file(source, copy_into_store, &run, err);
    if (rc == 0)
        rc = exists ? restore_replace(source, db_path, err) : restore_new(source, db_path, err);
    sqlite3_close(source);
    /* What no longer belongs: files of the replaced database, or left
     * from an earlier one of this name. */
    if (rc == 0) {
        GHashTable *keep = hashes_of(run.names);
        rc = store_remove_files_except(store_files, keep, &result->files_removed, err);
        g_hash_table_destroy(keep);
    }
    g_hash_table_destroy(run.names);
    if (rc == 0)
        rc = restore_journal(directory, db_path, err);
    result->files_copied = run.copied;
    result->files_present = run.present;
    result->replaced = exists;
    return rc;
}
