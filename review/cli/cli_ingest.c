/* cli_ingest — `beishen ingest`: load packages, report problems, summarise. */
#include "cli/cli.h"
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
    "line on stderr: PACKAGE: FILE: JSON-PATH: RULE.  Ingesting the same package\n"
    "again changes nothing; a changed application replaces the stored one.\n"
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

static void print_problem_line(const struct problem *p)
{
    if (p->file[0] && p->path[0])
        fprintf(stderr, "%s: %s: %s: %s\n", p->package, p->file, p->path, p->rule);
    else if (p->file[0])
        fprintf(stderr, "%s: %s: %s\n", p->package, p->file, p->rule);
    else
        fprintf(stderr, "%s: %s\n", p->package, p->rule);
}

static json_t *summary_json(const struct ingest_summary *s)
{
    json_t *problems = json_array();
    for (size_t i = 0; i < s->problems.count; i++) {
        const struct problem *p = &s->problems.items[i];
        json_array_append_new(problems, json_pack("{s:s, s:s, s:s, s:s}", "package", p->package,
                                                  "file", p->file, "path", p->path, "rule", p->rule));
    }
    return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:o}", "loaded", s->loaded,
                     "unchanged", s->unchanged, "replaced", s->replaced, "rejected", s->rejected,
                     "reported", s->reported, "refused", s->refused, "problems", problems);
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
    struct ingest_summary summary = {0};
    bool show_progress = isatty(STDERR_FILENO);
    int status = EXIT_OK;
    for (int i = optind; i < argc && status == EXIT_OK; i++) {
        struct progress_state progress = {timestamp_monotonic(), 0, argv[i]};
        size_t first_problem = summary.problems.count;
        if (ingest_package(store, argv[i], &summary, show_progress ? draw_progress : NULL,
                           &progress, &err) != 0) {
            fprintf(stderr, "beishen ingest: %s: %s\n", argv[i], err.message);
            status = EXIT_FAILED;
        }
        for (size_t p = first_problem; p < summary.problems.count; p++)
            print_problem_line(&summary.problems.items[p]);
    }
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
