/* cli_render — `beishen render packet|compare|scoresheet|summary` and the PDF of
 * `requirements render`.  Packets: one to a file, or many to a
 * directory with worker processes.  Each worker opens its own read-only
 * store and font map (fonts are set up after the fork), renders every Nth
 * application, and reports each finished one on a pipe so the parent can
 * draw a progress line. */
#include "cli/cli.h"
#include "core/files.h"
#include "core/text.h"
#include "core/timestamp.h"
#include "query/blind.h"
#include "query/compare.h"
#include "query/notes.h"
#include "query/query.h"
#include "render/attach.h"
#include "render/compare_doc.h"
#include "render/packet.h"
#include "render/requirements_doc.h"
#include "render/scoring_doc.h"
#include "scoring/results.h"
#include "scoring/scores.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *packet_usage =
    "usage: beishen render packet [--db FILE] APPLICATION -o FILE.pdf [--notes] [--notes-of NAME]\n"
    "                             [--blind]\n"
    "       beishen render packet [--db FILE] (APPLICATION... | --department CODE | --all)\n"
    "                             -o DIR [--jobs N] [--shard K/N]\n"
    "\n"
    "Renders the standardized review packet: a cover, A 修課紀錄 by course\n"
    "category with cohort and pool standing, B–R with their attachments drawn\n"
    "in place, an outline and page labels per item.  With several applications\n"
    "each is written to DIR/<department>-<application_no>.pdf.  Every file is\n"
    "written to a temporary name and renamed, so it appears whole or not at all.\n"
    "The same database content gives byte-identical PDFs.\n"
    "\n"
    "  -o, --output PATH   FILE.pdf for one application, else a directory\n"
    "  --department CODE   every application of the department\n"
    "  --all               every application in the database (a whole round)\n"
    "  --shard K/N         only the K-th of N shares (1 <= K <= N): the\n"
    "                      applications in application-number order, every\n"
    "                      N-th from the K-th, so N machines each render one\n"
    "                      share into their own DIR and the union is the same\n"
    "                      files, byte for byte, as one run (see README)\n"
    "  --jobs N            worker processes (default 1)\n"
    "  --notes             end with the committee's shared notes (註記)\n"
    "  --notes-of NAME     and NAME's own notes too\n"
    "  --blind             blind review: a pseudonym instead of the name, no\n"
    "                      national ID, school, gender, birth date or file names\n";

struct render_job {
    char **keys;              /* application ids to render */
    int count;
    const char *db;
    const char *output;
    bool output_is_file;
    bool notes;               /* end with the shared notes */
    const char *notes_of;     /* and this reviewer's own */
    bool blind;
};

/* A worker's blind-review pseudonyms, loaded once per department. */
struct blind_cache {
    char department[16];
    struct blind_names *names;
};

/* The extras the job asks for, added to content (the packet's JSON). */
static int add_extras(struct store *store, json_t *content, const struct render_job *job,
                      struct blind_cache *cache, struct error *err)
{
    json_t *show = json_object_get(content, "application");
    const char *department = json_string_value(json_object_get(show, "department"));
    const char *no = json_string_value(json_object_get(show, "application_no"));
    if (job->notes || job->notes_of) {
        json_t *notes = notes_list(store, department, no, job->notes_of, err);
        if (!notes)
            return -1;
        json_object_set_new(content, "notes", notes);
    }
    if (job->blind) {
        if (!cache->names || strcmp(cache->department, department) != 0) {
            blind_names_free(cache->names);
            snprintf(cache->department, sizeof cache->department, "%s", department);
            if (!(cache->names = blind_names_load(store, department, err)))
                return -1;
        }
        blind_application(show, cache->names);
    }
    return 0;
}

/* Where a packet finds an attachment: the store's file store. */
static void stored_file(const char *sha256, const char *media_type, char *path, size_t size,
                        void *store)
{
    store_file_path(store, sha256, media_type, path, size);
}

static int render_one(struct store *store, const char *key, const struct render_job *job,
                      struct blind_cache *cache)
{
    sqlite3_int64 id;
    struct error err;
    char path[4096];
    if (query_resolve_application(store, key, &id, &err) != 0) {
        fprintf(stderr, "beishen render: %s\n", err.message);
        return -1;
    }
    if (job->output_is_file)
        snprintf(path, sizeof path, "%s", job->output);
    else
        snprintf(path, sizeof path, "%s/%s.pdf", job->output, key);
    json_t *content = query_packet_content(store, id, &err);
    struct packet_result result;
    int rc = content && add_extras(store, content, job, cache, &err) == 0
           ? packet_render(content, stored_file, store, path, &result, &err) : -1;
    json_decref(content);
    if (rc != 0) {
        fprintf(stderr, "beishen render: %s: %s\n", key, err.message);
        return -1;
    }
    if (result.unknown_glyphs > 0)
        fprintf(stderr, "beishen render: %s: %ld characters without a glyph\n", key,
                result.unknown_glyphs);
    return result.unknown_glyphs > 0 ? -1 : 0;
}

/* A worker: renders keys worker, worker + jobs, …; writes one byte per
 * finished packet to progress_fd.  Returns its exit status. */
static int run_worker(const struct render_job *job, int worker, int jobs, int progress_fd)
{
    struct store *store;
    struct error err;
    if (store_open_readonly(cli_database_path(job->db), &store, &err) != 0) {
        fprintf(stderr, "beishen render: %s\n", err.message);
        return EXIT_FAILED;
    }
    int status = EXIT_OK;
    struct blind_cache cache = {0};
    for (int i = worker; i < job->count; i += jobs) {
        if (render_one(store, job->keys[i], job, &cache) != 0)
            status = EXIT_FAILED;
        char done = status == EXIT_OK ? '.' : '!';
        if (progress_fd >= 0 && write(progress_fd, &done, 1) < 0)
            progress_fd = -1;
    }
    blind_names_free(cache.names);
    attach_forget_outcomes();
    layout_forget_kept();
    store_close(store);
    return status;
}

static int run_workers(const struct render_job *job, int jobs)
{
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) {
        perror("beishen render: pipe");
        return EXIT_FAILED;
    }
    pid_t *children = calloc((size_t)jobs, sizeof *children);
    if (!children) {
        fprintf(stderr, "beishen render: out of memory\n");
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        return EXIT_FAILED;
    }
    for (int w = 0; w < jobs; w++) {
        fflush(NULL);
        children[w] = fork();
        if (children[w] == 0) {
            close(pipe_fds[0]);
            free(children);   /* the parent's; the worker leaves by _exit */
            _exit(run_worker(job, w, jobs, pipe_fds[1]));
        }
        if (children[w] < 0) {
            perror("beishen render: fork");
            jobs = w;
            break;
        }
    }
    close(pipe_fds[1]);
    bool terminal = isatty(STDERR_FILENO);
    double started = timestamp_monotonic();
    int done = 0;
    char buffer[256];
    ssize_t got;
    while ((got = read(pipe_fds[0], buffer, sizeof buffer)) > 0 || (got < 0 && errno == EINTR)) {
        done += got > 0 ? (int)got : 0;
        if (terminal)
            fprintf(stderr, "\rrender: %d/%d packets, %.1f/s   ", done, job->count,
                    done / (timestamp_monotonic() - started + 1e-9));
    }
    close(pipe_fds[0]);
    if (terminal)
        fputs("\r\033[K", stderr);
    int status = EXIT_OK;
    for (int w = 0; w < jobs; w++) {
        int child_status = 0;
        waitpid(children[w], &child_status, 0);
        if (!WIFEXITED(child_status) || WEXITSTATUS(child_status) != 0)
            status = EXIT_FAILED;
    }
    free(children);
    if (jobs == 0)
        status = EXIT_FAILED;
    return status;
}

/* Adds a copy of key to job->keys (sized for every key beforehand). */
static int add_key(struct render_job *job, const char *key)
{
    if (!(job->keys[job->count] = strdup(key))) {
        fprintf(stderr, "beishen render: out of memory\n");
        return -1;
    }
    job->count++;
    return 0;
}

/* Fills job->keys from the arguments or the department's applications;
 * bare numbers are resolved now, so that file names are always
 * <department>-<application_no>. */
/* Keeps every shard_count-th key from the shard-th (1-based). */
static void keep_shard(struct render_job *job, long shard, long shard_count)
{
    int kept = 0;
    for (int i = 0; i < job->count; i++) {
        if (i % shard_count == shard - 1)
            job->keys[kept++] = job->keys[i];
        else
            free(job->keys[i]);
    }
    job->count = kept;
}

static int collect_keys(struct render_job *job, const char *department, bool all, int argc,
                        char **argv)
{
    struct store *store;
    if (cli_open_readonly(job->db, &store) != 0)
        return -1;
    int rc = 0;
    struct error err;
    json_t *list = NULL;
    if (department || all) {
        struct applicant_filter filter = {.department = department};
        if (!(list = query_applicants(store, &filter, &err))) {
            fprintf(stderr, "beishen render: %s\n", err.message);
            store_close(store);
            return -1;
        }
    }
    bool listed = department || all;
    size_t wanted = listed ? json_array_size(list) : (size_t)argc;
    if (!(job->keys = calloc(wanted + 1, sizeof *job->keys))) {
        fprintf(stderr, "beishen render: out of memory\n");
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && listed && i < wanted; i++)
        rc = add_key(job, json_string_value(json_object_get(json_array_get(list, i), "id")));
    for (int i = 0; job->keys && !listed && i < argc; i++) {
        sqlite3_int64 id;
        char key[QUERY_KEY_SIZE];
        if (query_resolve_key(store, argv[i], &id, key, &err) != 0) {
            fprintf(stderr, "beishen render: %s\n", err.message);
            rc = -1;   /* reported; the others are still rendered */
        } else if (add_key(job, key) != 0) {
            rc = -1;
            break;
        }
    }
    if (rc == 0 && listed && job->count == 0) {
        fprintf(stderr, "beishen render: %s%s has no applications\n", department ? "department " : "the database",
                department ? department : "");
        rc = -1;
    }
    json_decref(list);
    store_close(store);
    return rc;
}

static int render_packet(int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"output", required_argument, NULL, 'o'},
        {"department", required_argument, NULL, 'D'},
        {"jobs", required_argument, NULL, 'j'},
        {"all", no_argument, NULL, 'a'},
        {"shard", required_argument, NULL, 's'},
        {"notes", no_argument, NULL, 'n'},
        {"notes-of", required_argument, NULL, 'N'},
        {"blind", no_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    struct render_job job = {0};
    const char *department = NULL;
    bool all = false;
    long jobs = 1, shard = 0, shard_count = 0;
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
        switch (option) {
        case 'd': job.db = optarg; break;
        case 'o': job.output = optarg; break;
        case 'D': department = optarg; break;
        case 'j':
            if (!text_parse_integer(optarg, 1, 64, &jobs))
                return cli_usage_error("render packet", "--jobs is 1 to 64");
            break;
        case 'a': all = true; break;
        case 's': {
            char *slash = strchr(optarg, '/');
            if (!slash)
                return cli_usage_error("render packet", "--shard is K/N, e.g. 2/8");
            *slash = '\0';
            if (!text_parse_integer(optarg, 1, 100000, &shard) ||
                !text_parse_integer(slash + 1, 1, 100000, &shard_count) || shard > shard_count)
                return cli_usage_error("render packet", "--shard K/N needs 1 <= K <= N <= 100000");
            break;
        }
        case 'n': job.notes = true; break;
        case 'N': job.notes_of = optarg; break;
        case 'b': job.blind = true; break;
        case 'h': fputs(packet_usage, stdout); return EXIT_OK;
        default: return cli_usage_error("render packet", "unknown option");
        }
    }
    int named = argc - optind;
    if (!job.output)
        return cli_usage_error("render packet", "-o FILE.pdf or -o DIR is required");
    if ((named > 0) + (department != NULL) + all != 1)
        return cli_usage_error("render packet", "give APPLICATION..., --department CODE or --all");
    size_t length = strlen(job.output);
    job.output_is_file = named == 1 && !shard && length > 4 &&
                         strcmp(job.output + length - 4, ".pdf") == 0;
    if (!job.output_is_file) {
        struct error err;
        if (files_make_directories(job.output, &err) != 0) {
            fprintf(stderr, "beishen render: %s\n", err.message);
            return EXIT_FAILED;
        }
    }
    int status = collect_keys(&job, department, all, named, argv + optind) == 0 ? EXIT_OK : EXIT_FAILED;
    if (shard)
        keep_shard(&job, shard, shard_count);
    if (job.count > 0) {
        int rendered = run_workers(&job, jobs < job.count ? (int)jobs : job.count);
        if (rendered != EXIT_OK)
            status = rendered;
    }
    for (int i = 0; i < job.count; i++)
        free(job.keys[i]);
    free(job.keys);
    return status;
}

static const char *compare_usage =
    "usage: beishen render compare [--db FILE] --department CODE [APPLICATION...]\n"
    "         [--sort application_no|average|ITEM] [--paper A4|A3]\n"
    "         (-o FILE.pdf | --csv FILE | both)\n"
    "\n"
    "The comparison sheet of a department's applicants: a pool summary page, then\n"
    "one row per applicant and one column group per item of the department's\n"
    "required-item list (every item present when none is loaded): A as the\n"
    "credit-weighted average of each domain with its pool percentile, B–E count\n"
    "and certified count, F–M count with the best level and award, N and later\n"
    "supplied or not with length.  Self-made-PDF applicants follow in their own\n"
    "section.  --csv writes the same table as CSV (UTF-8 with BOM, for Excel).\n";

static int render_compare(int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"output", required_argument, NULL, 'o'},
        {"department", required_argument, NULL, 'D'},
        {"sort", required_argument, NULL, 's'},
        {"paper", required_argument, NULL, 'p'},
        {"csv", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *db = NULL, *output = NULL, *department = NULL, *sort = NULL, *csv = NULL;
    bool a3 = false;
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
        switch (option) {
        case 'd': db = optarg; break;
        case 'o': output = optarg; break;
        case 'D': department = optarg; break;
        case 's': sort = optarg; break;
        case 'c': csv = optarg; break;
        case 'p':
            if (strcmp(optarg, "A3") && strcmp(optarg, "A4"))
                return cli_usage_error("render compare", "--paper is A4 or A3");
            a3 = strcmp(optarg, "A3") == 0;
            break;
        case 'h': fputs(compare_usage, stdout); return EXIT_OK;
        default: return cli_usage_error("render compare", "unknown option");
        }
    }
    if (!department)
        return cli_usage_error("render compare", "--department CODE is required");
    if (!output && !csv)
        return cli_usage_error("render compare", "-o FILE.pdf and/or --csv FILE is required");
    struct store *store;
    if (cli_open_readonly(db, &store) != 0)
        return EXIT_FAILED;
    /* argv is NULL-terminated, so the named applications are a ready list */
    struct compare_request request = {department, optind < argc ? (const char *const *)argv + optind : NULL, sort};
    struct error err;
    json_t *table = compare_table(store, &request, &err);
    int status = EXIT_OK;
    if (!table) {
        fprintf(stderr, "beishen render compare: %s\n", err.message);
        status = EXIT_FAILED;
    }
    if (table && csv)
        status = cli_write_csv(csv, compare_write_csv, table, "render compare");
    if (table && output && status == EXIT_OK) {
        struct compare_doc_options doc_options = {a3};
        struct compare_doc_result result;
        if (compare_doc_render(table, &doc_options, output, &result, &err) != 0) {
            fprintf(stderr, "beishen render compare: %s\n", err.message);
            status = EXIT_FAILED;
        } else if (result.unknown_glyphs > 0) {
            fprintf(stderr, "beishen render compare: %ld characters without a glyph\n", result.unknown_glyphs);
            status = EXIT_FAILED;
        }
    }
    json_decref(table);
    store_close(store);
    return status;
}

int cli_render_requirements(struct store *store, const json_t *list, const char *output)
{
    (void)store;
    struct requirements_doc_result result;
    struct error err;
    if (requirements_doc_render(list, output, &result, &err) != 0) {
        fprintf(stderr, "beishen requirements render: %s\n", err.message);
        return EXIT_FAILED;
    }
    if (result.unknown_glyphs > 0) {
        fprintf(stderr, "beishen requirements render: %ld characters without a glyph\n", result.unknown_glyphs);
        return EXIT_FAILED;
    }
    return EXIT_OK;
}

static const char *scoring_usage =
    "usage: beishen render scoresheet --department CODE --reviewer NAME -o FILE.pdf\n"
    "       beishen render summary --department CODE -o FILE.pdf\n"
    "\n"
    "scoresheet: a reviewer's 評分表 (each application they read, every item's\n"
    "level, score and comment, the total, a line to sign).  summary: the\n"
    "department's 書審成績總表 (ranked final scores, readers and totals, 差分 flags\n"
    "and how each was resolved, reviewers' statistics with a chart).\n";

/* render scoresheet | render summary */
static int render_scoring(int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"output", required_argument, NULL, 'o'},
        {"department", required_argument, NULL, 'D'},
        {"reviewer", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *db = NULL, *output = NULL, *department = NULL, *reviewer = NULL;
    bool summary = strcmp(argv[0], "summary") == 0;
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
        switch (option) {
        case 'd': db = optarg; break;
        case 'o': output = optarg; break;
        case 'D': department = optarg; break;
        case 'r': reviewer = optarg; break;
        case 'h': fputs(scoring_usage, stdout); return EXIT_OK;
        default: return cli_usage_error("render", "unknown option");
        }
    }
    if (!department || !output || optind < argc || (!summary && !reviewer) || (summary && reviewer))
        return cli_usage_error("render", summary ? "give --department CODE and -o FILE.pdf"
                                                 : "give --department CODE, --reviewer NAME and -o FILE.pdf");
    struct store *store;
    if (cli_open_readonly(db, &store) != 0)
        return EXIT_FAILED;
    struct error err = {0};
    json_t *input = summary ? results_summary_content(store, department, &err)
                            : scores_sheets_content(store, department, reviewer, &err);
    store_close(store);
    struct scoring_doc_result result = {0};
    int rc = !input ? -1 : summary ? scoring_doc_summary(input, output, &result, &err)
                                   : scoring_doc_sheets(input, output, &result, &err);
    json_decref(input);
    if (rc != 0) {
        fprintf(stderr, "beishen render %s: %s\n", argv[0], err.message);
        return EXIT_FAILED;
    }
    if (result.unknown_glyphs > 0) {
        fprintf(stderr, "beishen render %s: %ld characters without a glyph\n", argv[0], result.unknown_glyphs);
        return EXIT_FAILED;
    }
    return EXIT_OK;
}

int cli_render(int argc, char **argv)
{
    static const struct { const char *name; int (*run)(int, char **); } documents[] = {
        {"packet", render_packet},
        {"compare", render_compare},
        {"scoresheet", render_scoring},
        {"summary", render_scoring},
    };
    if (argc >= 2) {
        for (size_t i = 0; i < sizeof documents / sizeof documents[0]; i++)
            if (strcmp(argv[1], documents[i].name) == 0)
                return documents[i].run(argc - 1, argv + 1);
    }
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        fputs("usage: beishen render packet|compare|scoresheet|summary ...   (see beishen render packet --help)\n", stdout);
        return EXIT_OK;
    }
    return cli_usage_error("render", "which document? packet or compare");
}
