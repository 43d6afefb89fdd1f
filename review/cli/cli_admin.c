/* cli_admin — running beishen as installed software: `beishen backup`,
 * `beishen restore`, `beishen purge` and `beishen check`.  Parses options,
 * calls store/backup.c and store/purge.c, writes the audit rows (in the
 * same transaction as the change where there is one) and prints. */
#include "cli/cli.h"
#include "core/text.h"
#include "fonts/fonts.h"
#include "ingest/ingest.h"
#include "server/audit.h"
#include "store/backup.h"
#include "store/purge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CLI_USER "(command line)"

enum {
    OPT_DB = 1000, OPT_TO, OPT_FROM, OPT_FORCE, OPT_CHECK, OPT_ROUND, OPT_YES, OPT_LIST, OPT_JSON,
    OPT_HASHES, OPT_HELP,
};

static void print_bytes(FILE *out, long long bytes)
{
    if (bytes >= 1024 * 1024)
        fprintf(out, "%.1f MiB", (double)bytes / (1024 * 1024));
    else if (bytes >= 1024)
        fprintf(out, "%.1f KiB", (double)bytes / 1024);
    else
        fprintf(out, "%lld bytes", bytes);
}

/* One audit row on its own (for what changes no row: a backup). */
static int record(const char *db_path, const char *action, const char *detail, struct error *err)
{
    struct store *store;
    if (store_open(db_path, &store, err) != 0)
        return -1;
    struct audit_entry entry = {CLI_USER, action, NULL, detail, NULL};
    int rc = audit_record(store, &entry, err);
    store_close(store);
    return rc;
}

static json_t *summary_json(const struct backup_summary *s)
{
    return json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:b}", "created_at", s->created_at,
                     "source", s->source, "schema_version", s->schema_version,
                     "database_bytes", (json_int_t)s->database_bytes,
                     "applications", (json_int_t)s->applications, "files", (json_int_t)s->files,
                     "file_bytes", (json_int_t)s->file_bytes, "journal", s->journal);
}

static void print_summary(const struct backup_summary *s)
{
    printf("  made        %s from %s\n  schema      version %d\n  database    ", s->created_at, s->source,
           s->schema_version);
    print_bytes(stdout, s->database_bytes);
    printf(", %lld applications\n  files       %lld, ", s->applications, s->files);
    print_bytes(stdout, s->file_bytes);
    printf("\n  journal     %s\n", s->journal ? "audit rows not yet in the log came along" : "none");
}

/* ---- backup --------------------------------------------------------------------------- */

int cli_backup(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen backup --to DIR [--db FILE] [--json]\n"
        "\n"
        "Copies the database and its file store into DIR, a new directory, while\n"
        "the database is in use: the database as of one moment (SQLite's online\n"
        "backup), every file it references (each checked against its SHA-256 as\n"
        "it is copied), the audit journal, and backup.json describing them.  DIR\n"
        "is written under a temporary name and renamed when complete, so it is\n"
        "whole or absent.  The backup is recorded in the audit log first: a\n"
        "backup the log cannot record is not made.  Do not run it beside\n"
        "`beishen purge`.  Restore with beishen restore.\n";
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"to", required_argument, NULL, OPT_TO},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, OPT_HELP},
        {0, 0, 0, 0},
    };
    const char *db = NULL, *to = NULL;
    bool json = false;
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (option) {
        case OPT_DB: db = optarg; break;
        case OPT_TO: to = optarg; break;
        case OPT_JSON: json = true; break;
        case OPT_HELP: fputs(usage, stdout); return EXIT_OK;
        default: return cli_usage_error("backup", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error("backup", "unexpected argument '%s'", argv[optind]);
    if (!to)
        return cli_usage_error("backup", "give --to DIR");
    const char *path = cli_database_path(db);
    struct store *store;
    if (cli_open_readonly(db, &store) != 0)   /* exists, and migrated when old */
        return EXIT_FAILED;
    store_close(store);
    struct error err;
    char detail[AUDIT_FIELD_MAX];
    snprintf(detail, sizeof detail, "to %s", to);
    if (record(path, "backup", detail, &err) != 0) {
        fprintf(stderr, "beishen backup: the audit log cannot record it: %s\n", err.message);
        return EXIT_FAILED;
    }
    struct backup_summary summary;
    if (backup_create(path, to, &summary, &err) != 0) {
        fprintf(stderr, "beishen backup: %s\n", err.message);
        struct error ignored;
        char failed[AUDIT_FIELD_MAX];
        snprintf(failed, sizeof failed, "to %s: %s", to, err.message);
        record(path, "backup_failed", failed, &ignored);
        return EXIT_FAILED;
    }
    if (json) {
        json_t *out = summary_json(&summary);
        json_object_set_new(out, "directory", json_string(to));
        cli_print_json(out);
        json_decref(out);
    } else {
        printf("backup of %s in %s\n", path, to);
        print_summary(&summary);
    }
    return EXIT_OK;
}

/* ---- restore -------------------------------------------------------------------------- */

int cli_restore(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen restore --from DIR [--db FILE] [--force] [--json]\n"
        "       beishen restore --from DIR --check [--json]\n"
        "\n"
        "Puts a backup made by beishen backup back: checks it whole first\n"
        "(backup.json, the database's SHA-256, PRAGMA integrity_check and\n"
        "foreign_key_check, and every referenced file's size and SHA-256), copies\n"
        "its files into <db>.files, then writes the database.  An existing\n"
        "database is refused unless --force, which overwrites it in place and is\n"
        "refused while another process (beishen serve) has it open; files in\n"
        "<db>.files that the backup does not reference are removed.  The audit\n"
        "rows the backup's journal held are imported, and the restore itself is\n"
        "recorded in the restored database's audit log.  --check only checks the\n"
        "backup and changes nothing.\n";
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"from", required_argument, NULL, OPT_FROM},
        {"force", no_argument, NULL, OPT_FORCE},
        {"check", no_argument, NULL, OPT_CHECK},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, OPT_HELP},
        {0, 0, 0, 0},
    };
    const char *db = NULL, *from = NULL;
    bool force = false, check = false, json = false;
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (option) {
        case OPT_DB: db = optarg; break;
        case OPT_FROM: from = optarg; break;
        case OPT_FORCE: force = true; break;
        case OPT_CHECK: check = true; break;
        case OPT_JSON: json = true; break;
        case OPT_HELP: fputs(usage, stdout); return EXIT_OK;
        default: return cli_usage_error("restore", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error("restore", "unexpected argument '%s'", argv[optind]);
    if (!from)
        return cli_usage_error("restore", "give --from DIR");
    if (check && (force || db))
        return cli_usage_error("restore", "--check takes no --db or --force");
    struct error err;
    if (check) {
        struct backup_summary summary;
        if (backup_check(from, &summary, &err) != 0) {
            fprintf(stderr, "beishen restore: %s\n", err.message);
            return EXIT_FAILED;
        }
        if (json) {
            json_t *out = summary_json(&summary);
            json_object_set_new(out, "ok", json_true());
            cli_print_json(out);
            json_decref(out);
        } else {
            printf("backup %s is whole\n", from);
            print_summary(&summary);
        }
        return EXIT_OK;
    }
    const char *path = cli_database_path(db);
    struct backup_restore_result result;
    if (backup_restore(from, path, force, &result, &err) != 0) {
        fprintf(stderr, "beishen restore: %s\n", err.message);
        return EXIT_FAILED;
    }
    /* The backup's journal rows into the log, then the restore's own row
     * (opening the store migrates an older backup's schema first). */
    struct audit_writer *writer;
    if (audit_writer_start(path, 0, &writer, &err) != 0) {
        fprintf(stderr, "beishen restore: restored, but the audit journal was not imported: %s\n",
                err.message);
        return EXIT_FAILED;
    }
    audit_writer_stop(writer);
    char detail[AUDIT_FIELD_MAX];
    snprintf(detail, sizeof detail, "from %s: backup of %s made %s (%lld applications, %lld files)%s", from,
             result.backup.source, result.backup.created_at, result.backup.applications, result.backup.files,
             result.replaced ? ", over the database that was there" : "");
    if (record(path, "restore", detail, &err) != 0) {
        fprintf(stderr, "beishen restore: restored, but the audit log cannot record it: %s\n", err.message);
        return EXIT_FAILED;
    }
    if (json) {
        json_t *out = summary_json(&result.backup);
        json_object_set_new(out, "database", json_string(path));
        json_object_set_new(out, "replaced", json_boolean(result.replaced));
        json_object_set_new(out, "files_copied", json_integer(result.files_copied));
        json_object_set_new(out, "files_present", json_integer(result.files_present));
        json_object_set_new(out, "files_removed", json_integer(result.files_removed));
        cli_print_json(out);
        json_decref(out);
    } else {
        printf("restored %s from %s%s\n", path, from, result.replaced ? " (the database there was replaced)" : "");
        print_summary(&result.backup);
        printf("  store       %lld files copied, %lld already there, %lld not in the backup removed\n",
               result.files_copied, result.files_present, result.files_removed);
    }
    return EXIT_OK;
}

/* ---- purge ---------------------------------------------------------------------------- */

static void print_counts(const struct purge_counts *c, const char *verb)
{
    printf("%s:\n", verb);
    printf("  applications    %lld (students %lld, cadre records %lld, course rows %lld, course plans %lld,\n"
           "                  outcomes %lld, performances %lld, uploads %lld, attachments %lld)\n",
           c->applications, c->students, c->cadres, c->course_rows, c->catalog_rows, c->outcomes,
           c->performances, c->uploads, c->attachments);
    printf("  stored files    %lld no longer referenced, ", c->files);
    print_bytes(stdout, c->file_bytes);
    printf("\n  review          %lld score sheets (%lld drafts), %lld history rows, %lld assignments,\n"
           "                  %lld 差分 resolutions, %lld notes, %lld conflicts with one application,\n"
           "                  %lld blind review numbers\n",
           c->score_sheets, c->draft_sheets, c->score_history, c->assignments, c->resolutions, c->notes,
           c->conflicts, c->blind_numbers);
    printf("  packages        %lld\n  departments     %lld left without applications\n", c->packages,
           c->departments);
}

static json_t *counts_json(const struct purge_counts *c)
{
    json_t *out = json_object();
    const struct { const char *name; long long value; } fields[] = {
        {"applications", c->applications}, {"students", c->students}, {"cadres", c->cadres},
        {"course_rows", c->course_rows}, {"catalog_rows", c->catalog_rows}, {"outcomes", c->outcomes},
        {"performances", c->performances}, {"uploads", c->uploads}, {"attachments", c->attachments},
        {"files", c->files}, {"file_bytes", c->file_bytes}, {"score_sheets", c->score_sheets},
        {"draft_sheets", c->draft_sheets}, {"score_history", c->score_history},
        {"assignments", c->assignments}, {"resolutions", c->resolutions}, {"notes", c->notes},
        {"conflicts", c->conflicts}, {"blind_numbers", c->blind_numbers},
        {"packages", c->packages}, {"departments", c->departments},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        json_object_set_new(out, fields[i].name, json_integer(fields[i].value));
    return out;
}

static int purge_list(struct store *store, bool json)
{
    struct error err;
    json_t *rounds = purge_rounds(store, &err);
    if (!rounds) {
        fprintf(stderr, "beishen purge: %s\n", err.message);
        return EXIT_FAILED;
    }
    if (json) {
        cli_print_json(rounds);
    } else {
        size_t i, j;
        json_t *round, *code;
        json_array_foreach(rounds, i, round) {
            printf("%s  %lld applications, ingested %s", json_string_value(json_object_get(round, "round")),
                   (long long)json_integer_value(json_object_get(round, "applications")),
                   json_string_value(json_object_get(round, "first_ingested")));
            printf("; departments ");
            json_array_foreach(json_object_get(round, "departments"), j, code)
                printf("%s%s", j ? "," : "", json_string_value(code));
            printf("\n");
        }
        printf("%zu rounds\n", json_array_size(rounds));
    }
    json_decref(rounds);
    return EXIT_OK;
}

static void say_waiting(const char *database, void *context)
{
    (void)context;
    char shown[8192];
    fprintf(stderr, "beishen purge: an ingest into %s is running; waiting for it to finish\n",
            text_escape_controls(database, shown, sizeof shown));
}

int cli_purge(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen purge --round ROUND [--db FILE] [--yes] [--force] [--json]\n"
        "       beishen purge --list [--db FILE] [--json]\n"
        "\n"
        "Removes a finished admission round's personal data, as the personal-data\n"
        "rules require once its review is over: every application of the round\n"
        "(the round named in its package's manifest, as --list shows) with its\n"
        "records, attachments and derived rows; the score sheets, their history,\n"
        "assignments, 差分 resolutions, notes and conflicts keyed by those\n"
        "applications; the stored files no remaining application references; the\n"
        "round's packages and the departments left without applications.\n"
        "Accounts, review plans, required-item lists and the audit log stay.\n"
        "Without --yes it is a dry run that prints what would go.  With --yes the\n"
        "removal and its audit row (the counts, no personal data) commit together;\n"
        "deleted rows are overwritten, the database is rebuilt (VACUUM) and its\n"
        "WAL truncated, so no byte of the round is left in the database files.  A\n"
        "round with draft score sheets is refused unless --force.  Backups made\n"
        "before keep the round: expire them too.  It waits for an ingest into the\n"
        "database to finish and holds ingests off until it is done; do not run\n"
        "it beside a backup.  A running beishen serve keeps rendered PDFs in its\n"
        "cache until it stops.\n";
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"round", required_argument, NULL, OPT_ROUND},
        {"yes", no_argument, NULL, OPT_YES},
        {"force", no_argument, NULL, OPT_FORCE},
        {"list", no_argument, NULL, OPT_LIST},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, OPT_HELP},
        {0, 0, 0, 0},
    };
    const char *db = NULL, *round = NULL;
    bool yes = false, force = false, list = false, json = false;
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (option) {
        case OPT_DB: db = optarg; break;
        case OPT_ROUND: round = optarg; break;
        case OPT_YES: yes = true; break;
        case OPT_FORCE: force = true; break;
        case OPT_LIST: list = true; break;
        case OPT_JSON: json = true; break;
        case OPT_HELP: fputs(usage, stdout); return EXIT_OK;
        default: return cli_usage_error("purge", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error("purge", "unexpected argument '%s'", argv[optind]);
    if (list == (round != NULL))
        return cli_usage_error("purge", "give --round ROUND or --list");
    if (list && (yes || force))
        return cli_usage_error("purge", "--yes and --force go with --round");
    if (round && (round[0] == '\0' || strlen(round) > 200))
        return cli_usage_error("purge", "--round is 1 to 200 bytes");

    struct store *store;
    if (cli_open_writable(db, &store) != 0)
        return EXIT_FAILED;
    if (list) {
        int rc = purge_list(store, json);
        store_close(store);
        return rc;
    }

    struct error err;
    struct purge_counts counts;
    char detail[AUDIT_FIELD_MAX], numbers[AUDIT_FIELD_MAX - 256];
    /* Ingest stores a package's files before the transaction that names
     * them: no ingest may run between the sweep's reading of `files` and
     * its unlinking, so none runs until the purge is done. */
    struct ingest_lock *lock = NULL;
    if (yes && ingest_lock_acquire(store, say_waiting, NULL, &lock, &err) != 0) {
        fprintf(stderr, "beishen purge: %s\n", err.message);
        store_close(store);
        return EXIT_FAILED;
    }
    int rc = store_begin(store, &err);
    if (rc == 0)
        rc = purge_round(store, round, &counts, &err);
    bool refused = rc == 0 && yes && counts.draft_sheets > 0 && !force;
    if (rc == 0 && yes && !refused) {
        purge_describe(&counts, numbers, sizeof numbers);
        snprintf(detail, sizeof detail, "round %s: %s", round, numbers);
        struct audit_entry entry = {CLI_USER, "purge_round", NULL, detail, NULL};
        rc = audit_record(store, &entry, &err);
        if (rc == 0)
            rc = store_commit(store, &err);
    }
    if (rc != 0 || !yes || refused)
        store_rollback(store);
    if (rc != 0) {
        fprintf(stderr, "beishen purge: %s\n", err.message);
        ingest_lock_release(lock);
        store_close(store);
        return EXIT_FAILED;
    }
    long long swept = 0;
    int status = EXIT_OK;
    if (yes && !refused) {
        if (purge_remove_files(store, &swept, &err) != 0 || purge_compact(store, &err) != 0) {
            fprintf(stderr, "beishen purge: %s\n", err.message);
            status = EXIT_FAILED;
        }
    }
    ingest_lock_release(lock);
    store_close(store);
    if (json) {
        json_t *out = json_pack("{s:s, s:b, s:o, s:I}", "round", round, "removed", yes && !refused,
                                "counts", counts_json(&counts), "files_unlinked", (json_int_t)swept);
        cli_print_json(out);
        json_decref(out);
    } else {
        char heading[512];
        snprintf(heading, sizeof heading, "round %s: %s", round, yes && !refused ? "removed" : "would remove");
        print_counts(&counts, heading);
        if (yes && !refused)
            printf("%lld files unlinked from the store; database rebuilt and its WAL truncated%s\n", swept,
                   status == EXIT_OK ? "" : " (see the message above)");
        else if (!refused)
            printf("dry run: nothing removed (--yes removes it%s)\n",
                   counts.draft_sheets > 0 && !force ? "; with draft score sheets, only with --force" : "");
    }
    if (refused) {
        fprintf(stderr, "beishen purge: round %s has %lld draft score sheets: its review is not finished "
                        "(--force purges it anyway)\n", round, counts.draft_sheets);
        return EXIT_FAILED;
    }
    return status;
}

/* ---- check ------------------------------------------------------------------------------ */

int cli_check(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen check [--db FILE]\n"
        "\n"
        "Checks an installation: where the Beishen faces are read from and that\n"
        "every font resolves (Regular and real Bold, CJK Extension A and B), and,\n"
        "when the database exists, PRAGMA integrity_check, foreign keys, and that\n"
        "every stored file is there with its size and SHA-256.  Read-only.\n";
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"help", no_argument, NULL, OPT_HELP},
        {0, 0, 0, 0},
    };
    const char *db = NULL;
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (option) {
        case OPT_DB: db = optarg; break;
        case OPT_HELP: fputs(usage, stdout); return EXIT_OK;
        default: return cli_usage_error("check", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error("check", "unexpected argument '%s'", argv[optind]);
    struct error err;
    int status = EXIT_OK;
    const char *directory = fonts_directory(&err);
    if (!directory || fonts_check(&err) != 0) {
        printf("fonts       FAILED: %s\n", err.message);
        status = EXIT_FAILED;
    } else {
        printf("fonts       ok: Beishen faces in %s\n", directory);
    }
    fonts_shutdown();
    const char *path = cli_database_path(db);
    if (access(path, F_OK) != 0) {
        printf("database    %s: none%s\n", path, db ? " (FAILED: it was named)" : "");
        return db ? EXIT_FAILED : status;
    }
    struct backup_summary summary;
    if (backup_check_database(path, &summary, &err) != 0) {
        printf("database    %s: FAILED: %s\n", path, err.message);
        return EXIT_FAILED;
    }
    printf("database    %s: ok, schema version %d, %lld applications, %lld stored files (", path,
           summary.schema_version, summary.applications, summary.files);
    print_bytes(stdout, summary.file_bytes);
    printf(") whole\n");
    return status;
}
