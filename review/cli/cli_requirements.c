/* cli_requirements — `beishen requirements check|load|versions|render`:
 * departments' required-item lists (校系參採項目). */
#include "cli/cli.h"
#include "query/requirements.h"

#include <stdio.h>
#include <string.h>

static const char *usage =
    "usage: beishen requirements check FILE...\n"
    "       beishen requirements load [--db FILE] FILE...\n"
    "       beishen requirements versions [--db FILE] DEPARTMENT\n"
    "       beishen requirements render [--db FILE] DEPARTMENT (-o FILE.pdf | --json)\n"
    "\n"
    "A required-item list (format documented in schema/requirements.md) names a\n"
    "department's review items in its order with weights (percent of 審查資料,\n"
    "summing to 100), 審查重點, notes and a five-level rubric.\n"
    "  check     reports every problem as FILE: JSON-PATH: RULE; exit 1 when any\n"
    "  load      checks, then stores the list as the department's next version\n"
    "            (an unchanged list keeps its version); packets and comparison\n"
    "            sheets follow the newest version\n"
    "  versions  lists the stored versions with their load times\n"
    "  render    the publishable list as PDF, or --json: the list as loaded\n";

static void print_problems(const struct problem_list *problems, size_t from)
{
    for (size_t i = from; i < problems->count; i++) {
        const struct problem *p = &problems->items[i];
        if (p->path[0])
            fprintf(stderr, "%s: %s: %s\n", p->file, p->path, p->rule);
        else
            fprintf(stderr, "%s: %s\n", p->file, p->rule);
    }
}

/* Reads and checks each file; with store, loads the good ones. */
static int check_or_load(int argc, char **argv, struct store *store)
{
    int status = EXIT_OK;
    struct problem_list problems = {0};
    for (int i = 0; i < argc; i++) {
        json_t *list = NULL;
        size_t before = problems.count;
        int found = requirements_read(argv[i], &list, &problems);
        print_problems(&problems, before);
        if (found != 0) {
            fprintf(stderr, "%s: %d problem%s\n", argv[i], found < 0 ? 1 : found, found == 1 ? "" : "s");
            status = EXIT_FAILED;
        } else if (!store) {
            printf("%s: ok\n", argv[i]);
        } else {
            int version;
            bool added;
            struct error err;
            const char *department = json_string_value(json_object_get(json_object_get(list, "department"), "code"));
            if (requirements_store(store, list, &version, &added, &err) != 0) {
                fprintf(stderr, "%s: %s\n", argv[i], err.message);
                status = EXIT_FAILED;
            } else {
                printf("%s: department %s, version %d%s\n", argv[i], department, version,
                       added ? "" : " (unchanged)");
            }
        }
        json_decref(list);
    }
    problems_free(&problems);
    return status;
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"output", required_argument, NULL, 'o'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *db = NULL, *output = NULL;
    bool as_json = false;
    int option;
    optind = 1;
    while ((option = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
        switch (option) {
        case 'd': db = optarg; break;
        case 'o': output = optarg; break;
        case 'j': as_json = true; break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: return cli_usage_error("requirements", "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage_error("requirements", "check, load, versions or render?");
    const char *action = argv[optind++];
    int rest = argc - optind;
    char **args = argv + optind;
    if (strcmp(action, "check") == 0) {
        if (rest < 1)
            return cli_usage_error("requirements", "check needs FILE...");
        return check_or_load(rest, args, NULL);
    }
    struct store *store;
    struct error err;
    if (strcmp(action, "load") == 0) {
        if (rest < 1)
            return cli_usage_error("requirements", "load needs FILE...");
        if (store_open(cli_database_path(db), &store, &err) != 0) {
            fprintf(stderr, "beishen requirements: %s\n", err.message);
            return EXIT_FAILED;
        }
        int status = check_or_load(rest, args, store);
        store_close(store);
        return status;
    }
    if (strcmp(action, "versions") != 0 && strcmp(action, "render") != 0)
        return cli_usage_error("requirements", "unknown action '%s'", action);
    if (rest != 1)
        return cli_usage_error("requirements", "%s needs one DEPARTMENT", action);
    if (strcmp(action, "render") == 0 && !as_json && !output)
        return cli_usage_error("requirements", "render needs -o FILE.pdf or --json");
    if (cli_open_readonly(db, &store) != 0)
        return EXIT_FAILED;
    int status = EXIT_OK;
    json_t *result = strcmp(action, "versions") == 0 ? requirements_versions(store, args[0], &err)
                                                     : requirements_latest(store, args[0], &err);
    if (!result) {
        fprintf(stderr, "beishen requirements: %s\n",
                err.message[0] ? err.message : "no requirement list loaded for this department");
        status = EXIT_FAILED;
    } else if (strcmp(action, "versions") == 0 || as_json) {
        cli_print_json(result);
    } else {
        status = cli_render_requirements(store, result, output);
    }
    json_decref(result);
    store_close(store);
    return status;
}

int cli_requirements(int argc, char **argv)
{
    return run(argc, argv);
}
