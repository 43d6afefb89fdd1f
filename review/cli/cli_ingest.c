/* cli_ingest — `beishen ingest`: load packages, report problems, summarise. */
#include "cli/cli.h"
#include "core/text.h"
#include "core/timestamp.h"
#include "ingest/ingest.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *usage =
    "usage: beishen ingest [--db FILE] [--json] PACKAGE...\n"
    "\n"
    "Loads export packages (a directory or a .zip, format lp-export 1) into the\n"
    "database.  Every application is checked against the export contract; a\n"
    "damaged one is rejected whole and the valid ones load.  Each problem is one\n"
    "line on stderr: PACKAGE: FILE: JSON-PATH: RULE (the first 100; then how many\n"
    "more).  Ingesting the same package again changes nothing; a changed\n"
    "application replaces the stored one.  A second ingest into the same\n"
    "database waits for the first to finish, and says so.\n"
    "\n"
    "  --db FILE   database (default $BEISHEN_DB, else ./beishen.db)\n"
    "  --json      print the summary and the problems as JSON on stdout\n"
    "\n"
    "Exit status: 0 all loaded, 1 something was rejected, reported or refused,\n"
    "2 usage error.\n";

struct progress_state {
    double started;
    double last_drawn;
    const char *package;
};

/* A single self-overwriting line on a terminal; nothing when piped. */
static void draw_progress(int done, int total, void *context)
{
    struct progress_state *state = context;
    double now = timestamp_monotonic();
    if (done != total && now - state->last_drawn < 0.1)
        return;
    state->last_drawn = now;
    double rate = done / (now - state->started > 1e-6 ? now - state->started : 1e-6);
    fprintf(stderr, "\r%s: %d/%d applications, %.0f/s   ", state->package, done, total, rate);
    if (done == total)
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

/* Problem lines printed on stderr; the rest are counted in one line (all
 * that were kept are in --json). */
#define PRINTED_PROBLEMS_MAX 100

/* Every part of a problem line can carry bytes from the package (a member
 * name, a value quoted in a rule): control characters are shown escaped,
 * never sent to the terminal as they are. */
static void print_problem_line(const struct problem *p)
{
    char package[4 * sizeof p->package], file[4 * sizeof p->file], path[4 * sizeof p->path],
         rule[4 * sizeof p->rule];
    text_escape_controls(p->package, package, sizeof package);
    text_escape_controls(p->file, file, sizeof file);
    text_escape_controls(p->path, path, sizeof path);
    text_escape_controls(p->rule, rule, sizeof rule);
    if (file[0] && path[0])
        fprintf(stderr, "%s: %s: %s: %s\n", package, file, path, rule);
    else if (file[0])
        fprintf(stderr, "%s: %s: %s\n", package, file, rule);
    else
        fprintf(stderr, "%s: %s\n", package, rule);
}

static void say_waiting(const char *database, void *context)
{
    (void)context;
    char shown[8192];
    fprintf(stderr, "beishen ingest: another ingest into %s is running; waiting for it to finish\n",
            text_escape_controls(database, shown, sizeof shown));
}

static json_t *summary_json(const struct ingest_summary *s)
{
    json_t *problems = json_array();
    for (size_t i = 0; i < s->problems.count; i++) {
        const struct problem *p = &s->problems.items[i];
        json_array_append_new(problems, json_pack("{s:s, s:s, s:s, s:s}", "package", p->package,
                                                  "file", p->file, "path", p->path, "rule", p->rule));
    }
    return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:I}", "loaded", s->loaded,
                     "unchanged", s->unchanged, "replaced", s->replaced, "rejected", s->rejected,
                     "reported", s->reported, "refused", s->refused, "problems", problems,
                     "problems_omitted", (json_int_t)s->problems.omitted);
}

int cli_ingest(int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *db = NULL;
    bool as_json = false;
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (option) {
        case 'd': db = optarg; break;
        case 'j': as_json = true; break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: return cli_usage_error("ingest", "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage_error("ingest", "no PACKAGE given");

    struct store *store;
    struct error err;
    if (store_open(cli_database_path(db), &store, &err) != 0) {
        fprintf(stderr, "beishen ingest: %s\n", err.message);
        return EXIT_FAILED;
    }
    struct ingest_lock *lock;
    if (ingest_lock_acquire(store, say_waiting, NULL, &lock, &err) != 0) {
        fprintf(stderr, "beishen ingest: %s\n", err.message);
        store_close(store);
        return EXIT_FAILED;
    }
    struct ingest_summary summary = {0};
    bool show_progress = isatty(STDERR_FILENO);
    int status = EXIT_OK;
    size_t printed = 0;
    for (int i = optind; i < argc && status == EXIT_OK; i++) {
        struct progress_state progress = {timestamp_monotonic(), 0, argv[i]};
        size_t first_problem = summary.problems.count;
        if (ingest_package(store, argv[i], &summary, show_progress ? draw_progress : NULL,
                           &progress, &err) != 0) {
            fprintf(stderr, "beishen ingest: %s: %s\n", argv[i], err.message);
            status = EXIT_FAILED;
        }
        for (size_t p = first_problem; p < summary.problems.count && printed < PRINTED_PROBLEMS_MAX; p++, printed++)
            print_problem_line(&summary.problems.items[p]);
    }
    ingest_lock_release(lock);
    size_t total = problems_total(&summary.problems);
    if (total > printed)
        fprintf(stderr, "… and %zu more problems (%zu in all; %s the first %d)\n", total - printed,
                total, as_json ? "the JSON lists" : "--json lists", PROBLEMS_KEPT_MAX);
    fprintf(stderr, "loaded %d, unchanged %d, replaced %d, rejected %d\n", summary.loaded,
            summary.unchanged, summary.replaced, summary.rejected);
    if (as_json) {
        json_t *json = summary_json(&summary);
        cli_print_json(json);
        json_decref(json);
    }
    if (summary.rejected || summary.reported || summary.refused)
        status = EXIT_FAILED;
    ingest_summary_free(&summary);
    store_close(store);
    return status;
}
