/* cli — the `beishen` command line: the command table, option helpers every
 * command shares (--db, --help, --json), and the commands themselves, one
 * file per group (cli_ingest.c, cli_browse.c …).  Commands parse options,
 * call library functions, and print; they hold no logic of their own that
 * the server would need.  One thread; what a command opens it closes. */
#ifndef BEISHEN_CLI_H
#define BEISHEN_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include "store/store.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

/* Runs `beishen <command> ...`; returns the exit status. */
int cli_main(int argc, char **argv);

/* The database path: --db, else $BEISHEN_DB, else ./beishen.db. */
const char *cli_database_path(const char *option_value);

/* Opens the store for reading (fails with a message if it does not exist). */
int cli_open_readonly(const char *db_option, struct store **store);
/* Opens an existing store for writing, migrating it (a message on failure). */
int cli_open_writable(const char *db_option, struct store **store);

/* Prints a usage error and returns EXIT_USAGE. */
int cli_usage_error(const char *command, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes a CSV made by `write` from table to path, through memory and
 * then atomically (whole or not at all).  Returns an exit status, after a
 * message naming the command on failure. */
int cli_write_csv(const char *path, int (*write)(const json_t *, FILE *), const json_t *table,
                  const char *command);

/* Prints JSON to stdout with a newline (takes no ownership). */
void cli_print_json(const json_t *value);

/* Each command: argv[0] is the command name. */
int cli_ingest(int argc, char **argv);
int cli_applicants(int argc, char **argv);
int cli_categories(int argc, char **argv);
int cli_show(int argc, char **argv);
int cli_dist(int argc, char **argv);
int cli_requirements(int argc, char **argv);

/* Renders a loaded requirement list to a PDF (cli_render.c). */
int cli_render_requirements(struct store *store, const json_t *list, const char *output);
int cli_render(int argc, char **argv);

/* The workstation (cli_server.c): serve, accounts, audit log. */
int cli_serve(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_audit(int argc, char **argv);

/* Running it as installed software (cli_admin.c). */
int cli_backup(int argc, char **argv);
int cli_restore(int argc, char **argv);
int cli_purge(int argc, char **argv);
int cli_check(int argc, char **argv);

/* Review scoring (cli_scoring.c). */
int cli_plan(int argc, char **argv);
int cli_assign(int argc, char **argv);
int cli_conflict(int argc, char **argv);
int cli_score(int argc, char **argv);
int cli_scores(int argc, char **argv);

#endif
