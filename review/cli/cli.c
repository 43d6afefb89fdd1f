/* cli — command table and shared option helpers. */
#include "cli/cli.h"
#include "core/files.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"ingest", cli_ingest, "load export packages (directories or .zip) into the database"},
    {"applicants", cli_applicants, "list applications"},
    {"categories", cli_categories, "an application's categories with record counts"},
    {"show", cli_show, "an application's records, by category"},
    {"dist", cli_dist, "a department's score distribution for a course, subject or category"},
    {"requirements", cli_requirements, "departments' required-item lists: check, load, versions, render"},
    {"render", cli_render, "render PDFs: review packets and comparison sheets"},
    {"serve", cli_serve, "run the reviewers' workstation (browser UI and JSON API)"},
    {"user", cli_user, "workstation accounts: add, passwd, remove, list"},
    {"audit", cli_audit, "the workstation's audit log"},
    {"plan", cli_plan, "a department's review plan: readers, 差分 threshold, level bands, final rule"},
    {"assign", cli_assign, "assign readers to applications; reassign; a third reader"},
    {"conflict", cli_conflict, "reviewers' declared conflicts (迴避): add, list"},
    {"score", cli_score, "one reviewer's score sheet of an application: show, save, submit, reopen"},
    {"scores", cli_scores, "a department's scores: readers' totals, 差分, finals, ranks"},
    {"backup", cli_backup, "copy the database and its files while in use (online backup)"},
    {"restore", cli_restore, "check a backup, or put it back"},
    {"purge", cli_purge, "remove a finished round's personal data and files (audited)"},
    {"check", cli_check, "check the installation: fonts, database integrity, stored files"},
};

static void print_usage(FILE *out)
{
    fprintf(out, "usage: beishen <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nEvery command takes --help.  The database is --db FILE, else $BEISHEN_DB,\n"
                 "else ./beishen.db.  Exit status: 0 success, 1 something was rejected or\n"
                 "failed, 2 usage error.  Manual: man beishen, man beishen-COMMAND.\n");
}

int cli_main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        print_usage(stdout);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "beishen: unknown command '%s'\n", argv[1]);
    print_usage(stderr);
    return EXIT_USAGE;
}

const char *cli_database_path(const char *option_value)
{
    if (option_value)
        return option_value;
    const char *env = getenv("BEISHEN_DB");
    return env && env[0] ? env : "beishen.db";
}

int cli_open_readonly(const char *db_option, struct store **store)
{
    const char *path = cli_database_path(db_option);
    struct error err;
    if (access(path, F_OK) != 0) {
        fprintf(stderr, "beishen: %s: no such database (run beishen ingest first)\n", path);
        return -1;
    }
    if (store_open_readonly(path, store, &err) != 0) {
        /* A database made by an older beishen: migrate it once, then read. */
        struct store *writable;
        if (store_open(path, &writable, &err) != 0) {
            fprintf(stderr, "beishen: %s\n", err.message);
            return -1;
        }
        store_close(writable);
        if (store_open_readonly(path, store, &err) != 0) {
            fprintf(stderr, "beishen: %s\n", err.message);
            return -1;
        }
    }
    return 0;
}

int cli_usage_error(const char *command, const char *format, ...)
{
    va_list args;
    fprintf(stderr, "beishen %s: ", command);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, "\nTry 'beishen %s --help'.\n", command);
    return EXIT_USAGE;
}

void cli_print_json(const json_t *value)
{
    json_dumpf(value, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(12));
    fputc('\n', stdout);
}

int cli_open_writable(const char *db_option, struct store **store)
{
    const char *path = cli_database_path(db_option);
    struct error err;
    if (access(path, F_OK) != 0) {
        fprintf(stderr, "beishen: %s: no such database (run beishen ingest first)\n", path);
        return -1;
    }
    if (store_open(path, store, &err) != 0) {
        fprintf(stderr, "beishen: %s\n", err.message);
        return -1;
    }
    return 0;
}

int cli_write_csv(const char *path, int (*write)(const json_t *, FILE *), const json_t *table,
                  const char *command)
{
    char *buffer = NULL;
    size_t length = 0;
    FILE *memory = open_memstream(&buffer, &length);
    if (!memory || write(table, memory) != 0) {
        if (memory)
            fclose(memory);
        free(buffer);
        fprintf(stderr, "beishen %s: cannot build the CSV\n", command);
        return EXIT_FAILED;
    }
    fclose(memory);
    struct error err;
    int rc = files_write_atomic(path, buffer, length, &err);
    free(buffer);
    if (rc != 0) {
        fprintf(stderr, "beishen %s: %s\n", command, err.message);
        return EXIT_FAILED;
    }
    return EXIT_OK;
}
