/* cli_scoring — review scoring on the command line: `beishen plan`,
 * `assign`, `conflict`, `score` and `scores`.  Every change is committed
 * together with its audit row (user "(command line)" unless --as names
 * the account acting). */
#include "cli/cli.h"
#include "core/text.h"
#include "query/query.h"
#include "scoring/assign.h"
#include "scoring/plan.h"
#include "scoring/results.h"
#include "scoring/scores.h"
#include "server/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMMAND_LINE "(command line)"
#define SET_MAX 32

/* The options every scoring command may take; each command says which. */
enum {
    OPT_DB = 2000, OPT_JSON, OPT_DEPARTMENT, OPT_READERS, OPT_REVIEWER, OPT_SEED, OPT_REASSIGN,
    OPT_FROM, OPT_TO, OPT_NEXT_READER, OPT_LIST, OPT_SCHOOL, OPT_APPLICATION, OPT_SET, OPT_SUBMIT,
    OPT_VERSION, OPT_REOPEN, OPT_REVISION, OPT_HISTORY, OPT_CSV, OPT_AS, OPT_HELP,
};

static const struct option all_options[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"json", no_argument, NULL, OPT_JSON},
    {"department", required_argument, NULL, OPT_DEPARTMENT},
    {"readers", required_argument, NULL, OPT_READERS},
    {"reviewer", required_argument, NULL, OPT_REVIEWER},
    {"seed", required_argument, NULL, OPT_SEED},
    {"reassign", required_argument, NULL, OPT_REASSIGN},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"next-reader", required_argument, NULL, OPT_NEXT_READER},
    {"list", no_argument, NULL, OPT_LIST},
    {"school", required_argument, NULL, OPT_SCHOOL},
    {"application", required_argument, NULL, OPT_APPLICATION},
    {"set", required_argument, NULL, OPT_SET},
    {"submit", no_argument, NULL, OPT_SUBMIT},
    {"version", required_argument, NULL, OPT_VERSION},
    {"reopen", no_argument, NULL, OPT_REOPEN},
    {"revision", no_argument, NULL, OPT_REVISION},
    {"history", no_argument, NULL, OPT_HISTORY},
    {"csv", required_argument, NULL, OPT_CSV},
    {"as", required_argument, NULL, OPT_AS},
    {"help", no_argument, NULL, OPT_HELP},
    {0, 0, 0, 0},
};

struct scoring_options {
    const char *db, *department, *reassign, *from, *to, *next_reader, *school, *application;
    const char *csv, *as;
    const char *reviewers[ASSIGN_REVIEWERS_MAX];
    size_t reviewer_count;
    const char *sets[SET_MAX];
    size_t set_count;
    long readers, version;
    unsigned long long seed;
    bool json, list, submit, reopen, revision, history, version_given;
};

/* Parses the options; `allowed` lists the codes this command takes.
 * Returns 1 after --help, EXIT_USAGE on a usage error, else 0. */
static int parse(int argc, char **argv, const int *allowed, const char *usage,
                 struct scoring_options *o)
{
    memset(o, 0, sizeof *o);
    optind = 1;
    int option;
    while ((option = getopt_long(argc, argv, "", all_options, NULL)) != -1) {
        bool ok = option == OPT_HELP;
        for (const int *a = allowed; *a && !ok; a++)
            ok = *a == option;
        if (!ok)
            return cli_usage_error(argv[0], "option not accepted here");
        long value;
        switch (option) {
        case OPT_DB: o->db = optarg; break;
        case OPT_JSON: o->json = true; break;
        case OPT_DEPARTMENT: o->department = optarg; break;
        case OPT_READERS:
            if (!text_parse_integer(optarg, 1, 5, &o->readers))
                return cli_usage_error(argv[0], "--readers is 1 to 5");
            break;
        case OPT_REVIEWER:
            if (o->reviewer_count == ASSIGN_REVIEWERS_MAX)
                return cli_usage_error(argv[0], "at most %d reviewers", ASSIGN_REVIEWERS_MAX);
            o->reviewers[o->reviewer_count++] = optarg;
            break;
        case OPT_SEED:
            if (!text_parse_integer(optarg, 0, 2147483647L, &value))
                return cli_usage_error(argv[0], "--seed is a whole number 0 to 2147483647");
            o->seed = (unsigned long long)value;
            break;
        case OPT_REASSIGN: o->reassign = optarg; break;
        case OPT_FROM: o->from = optarg; break;
        case OPT_TO: o->to = optarg; break;
        case OPT_NEXT_READER: o->next_reader = optarg; break;
        case OPT_LIST: o->list = true; break;
        case OPT_SCHOOL: o->school = optarg; break;
        case OPT_APPLICATION: o->application = optarg; break;
        case OPT_SET:
            if (o->set_count == SET_MAX)
                return cli_usage_error(argv[0], "at most %d --set", SET_MAX);
            o->sets[o->set_count++] = optarg;
            break;
        case OPT_SUBMIT: o->submit = true; break;
        case OPT_VERSION:
            if (!text_parse_integer(optarg, 0, 1L << 30, &o->version))
                return cli_usage_error(argv[0], "--version is a whole number");
            o->version_given = true;
            break;
        case OPT_REOPEN: o->reopen = true; break;
        case OPT_REVISION: o->revision = true; break;
        case OPT_HISTORY: o->history = true; break;
        case OPT_CSV: o->csv = optarg; break;
        case OPT_AS: o->as = optarg; break;
        case OPT_HELP: fputs(usage, stdout); return 1;
        }
    }
    return 0;
}

/* Runs a change and its audit row in one transaction. */
static int audited(struct store *store, const char *user, const char *action,
                   const char *application, const char *detail, int rc_of_change,
                   struct error *err)
{
    if (rc_of_change != 0)
        return -1;
    struct audit_entry entry = {user, action, application, detail, NULL};
    return audit_record(store, &entry, err);
}

static int fail(const char *command, struct store *store, const struct error *err)
{
    fprintf(stderr, "beishen %s: %s\n", command, err->message);
    store_close(store);
    return EXIT_FAILED;
}

/* ---- plan ------------------------------------------------------------------------ */

int cli_plan(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen plan set FILE [--db FILE]\n"
        "       beishen plan show DEPARTMENT [--json] [--db FILE]\n"
        "\n"
        "A department's review plan (format: schema/review-plan.md): readers per\n"
        "application, the 差分 threshold, the score band of each rubric level, the\n"
        "final-score rule (mean, closest-two, normalized), blind review and whether\n"
        "a flagged application gets a third reader at once.  Without a plan a\n"
        "department has the defaults: 2 readers, threshold 15, 傑出 90-100, 優良\n"
        "80-89, 普通 70-79, 待加強 60-69, 不佳 0-59, mean, automatic third readers.\n";
    static const int allowed[] = {OPT_DB, OPT_JSON, OPT_AS, 0};
    struct scoring_options o;
    int rc = parse(argc, argv, allowed, usage, &o);
    if (rc)
        return rc == 1 ? EXIT_OK : rc;
    if (argc - optind != 2 || (strcmp(argv[optind], "set") && strcmp(argv[optind], "show")))
        return cli_usage_error("plan", "give set FILE or show DEPARTMENT");
    struct store *store;
    struct error err = {0};
    if (strcmp(argv[optind], "set") == 0) {
        struct problem_list problems = {0};
        json_t *json = NULL;
        int found = plan_read(argv[optind + 1], &json, &problems);
        for (size_t i = 0; i < problems.count; i++)
            fprintf(stderr, "%s: %s%s%s\n", problems.items[i].file, problems.items[i].path,
                    problems.items[i].path[0] ? ": " : "", problems.items[i].rule);
        problems_free(&problems);
        if (found != 0) {
            json_decref(json);
            return EXIT_FAILED;
        }
        if (cli_open_writable(o.db, &store) != 0) {
            json_decref(json);
            return EXIT_FAILED;
        }
        const char *user = o.as ? o.as : COMMAND_LINE;
        /* A copy: the plan's JSON is released before the department is printed. */
        char department[8];
        snprintf(department, sizeof department, "%s",
                 json_string_value(json_object_get(json, "department")));
        rc = store_begin(store, &err);
        rc = audited(store, user, "plan_set", NULL, department,
                     rc == 0 ? plan_store(store, json, user, &err) : -1, &err);
        rc = rc == 0 ? store_commit(store, &err) : -1;
        json_decref(json);
        if (rc != 0) {
            store_rollback(store);
            return fail("plan", store, &err);
        }
        printf("plan of %s set\n", department);
        store_close(store);
        return EXIT_OK;
    }
    const char *department = argv[optind + 1];
    if (!checker_is_six_digits(department))
        return cli_usage_error("plan", "a department code is 6 digits");
    if (cli_open_readonly(o.db, &store) != 0)
        return EXIT_FAILED;
    struct review_plan plan;
    bool stored;
    if (plan_load(store, department, &plan, &stored, &err) != 0)
        return fail("plan", store, &err);
    if (o.json) {
        json_t *json = plan_to_json(&plan);
        cli_print_json(json);
        json_decref(json);
    } else {
        printf("%s review plan%s\n", department, stored ? "" : " (the defaults: none set)");
        printf("  readers per application  %d\n  差分 threshold           %g\n", plan.readers,
               plan.threshold);
        for (int l = 0; l < CATEGORY_RUBRIC_LEVELS; l++)
            printf("  %-6s                 %d-%d\n", category_rubric_levels[l], plan.low[l], plan.high[l]);
        printf("  final score              %s\n  blind review             %s\n"
               "  third reader             %s\n", plan_rule_name(plan.rule), plan.blind ? "on" : "off",
               plan.automatic_third_reader ? "automatic" : "by the office");
    }
    store_close(store);
    return EXIT_OK;
}

/* ---- assign ---------------------------------------------------------------------- */

static void print_assignments(const json_t *list)
{
    size_t i;
    const json_t *row;
    json_array_foreach(list, i, row) {
        const json_t *total = json_object_get(row, "total");
        printf("%-16s %-20s %d  %-9s", json_string_value(json_object_get(row, "application")),
               json_string_value(json_object_get(row, "reviewer")),
               (int)json_integer_value(json_object_get(row, "reading")),
               json_string_value(json_object_get(row, "status")));
        if (json_is_number(total))
            printf(" %7.2f", json_number_value(total));
        printf("\n");
    }
}

int cli_assign(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen assign --department CODE [--readers N] [--reviewer NAME]... [--seed N] [--json]\n"
        "       beishen assign --department CODE --reassign APPLICATION_NO --from NAME --to NAME\n"
        "       beishen assign --department CODE --next-reader APPLICATION_NO\n"
        "       beishen assign --department CODE --list [--reviewer NAME] [--json]\n"
        "\n"
        "Assigns readers (the plan's number, or --readers) to every application of\n"
        "the department that has fewer: the reviewers named, or every reviewer\n"
        "account of the department.  Loads stay within one of each other, no\n"
        "reviewer reads an application twice or one of a declared conflict (see\n"
        "beishen conflict), pairs of readers are spread, and the same seed gives\n"
        "the same assignment.  --reassign hands one reading to another reviewer;\n"
        "--next-reader adds a reading (a 差分 third reader).\n";
    static const int allowed[] = {OPT_DB, OPT_JSON, OPT_DEPARTMENT, OPT_READERS, OPT_REVIEWER, OPT_SEED,
                                  OPT_REASSIGN, OPT_FROM, OPT_TO, OPT_NEXT_READER, OPT_LIST, OPT_AS, 0};
    struct scoring_options o;
    int rc = parse(argc, argv, allowed, usage, &o);
    if (rc)
        return rc == 1 ? EXIT_OK : rc;
    if (!o.department || !checker_is_six_digits(o.department) || optind < argc)
        return cli_usage_error("assign", "give --department CODE (6 digits)");
    if ((o.from || o.to) && !o.reassign)
        return cli_usage_error("assign", "--from and --to go with --reassign");
    if (o.reassign && (!o.from || !o.to))
        return cli_usage_error("assign", "--reassign needs --from NAME and --to NAME");
    struct store *store;
    if ((o.list ? cli_open_readonly(o.db, &store) : cli_open_writable(o.db, &store)) != 0)
        return EXIT_FAILED;
    struct error err = {0};
    const char *user = o.as ? o.as : COMMAND_LINE;
    if (o.list) {
        json_t *list = assign_list(store, o.department, o.reviewer_count ? o.reviewers[0] : NULL, &err);
        if (!list)
            return fail("assign", store, &err);
        if (o.json)
            cli_print_json(list);
        else
            print_assignments(list);
        json_decref(list);
        store_close(store);
        return EXIT_OK;
    }
    char detail[256], application[32], chosen[65] = "";
    rc = store_begin(store, &err);
    json_t *result = NULL;
    if (rc == 0 && o.reassign) {
        snprintf(application, sizeof application, "%s-%s", o.department, o.reassign);
        snprintf(detail, sizeof detail, "%s -> %s", o.from, o.to);
        rc = audited(store, user, "assign_reassign", application, detail,
                     assign_reassign(store, o.department, o.reassign, o.from, o.to, user, &err), &err);
    } else if (rc == 0 && o.next_reader) {
        snprintf(application, sizeof application, "%s-%s", o.department, o.next_reader);
        rc = assign_next_reader(store, o.department, o.next_reader, user, chosen, &err);
        rc = audited(store, user, "assign_next_reader", application, chosen, rc, &err);
    } else if (rc == 0) {
        struct assign_request request = {
            .department = o.department, .readers = (int)o.readers,
            .reviewers = o.reviewer_count ? o.reviewers : NULL, .reviewer_count = o.reviewer_count,
            .seed = o.seed, .by = user,
        };
        result = assign_readers(store, &request, &err);
        snprintf(detail, sizeof detail, "department=%s seed=%llu", o.department, o.seed);
        rc = audited(store, user, "assign", NULL, detail, result ? 0 : -1, &err);
    }
    rc = rc == 0 ? store_commit(store, &err) : -1;
    if (rc != 0) {
        store_rollback(store);
        json_decref(result);
        return fail("assign", store, &err);
    }
    if (o.reassign) {
        printf("%s: %s reads instead of %s\n", application, o.to, o.from);
    } else if (o.next_reader) {
        printf("%s: %s is the next reader\n", application, chosen);
    } else if (o.json) {
        cli_print_json(result);
    } else {
        printf("%s: %lld readings assigned, %lld readers each\n", o.department,
               json_integer_value(json_object_get(result, "assigned")),
               json_integer_value(json_object_get(result, "readers")));
        const char *name;
        json_t *load;
        json_object_foreach(json_object_get(result, "loads"), name, load)
            printf("  %-20s %lld\n", name, json_integer_value(load));
        size_t i;
        json_t *no;
        json_array_foreach(json_object_get(result, "unassigned"), i, no)
            printf("  not enough eligible readers: %s\n", json_string_value(no));
    }
    int status = json_array_size(json_object_get(result, "unassigned")) ? EXIT_FAILED : EXIT_OK;
    json_decref(result);
    store_close(store);
    return status;
}

/* ---- conflict ---------------------------------------------------------------------- */

int cli_conflict(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen conflict add NAME --department CODE (--school CODE | --application NO)\n"
        "       beishen conflict list --department CODE [--json]\n"
        "\n"
        "A reviewer's declared conflicts (迴避): they are never assigned an\n"
        "applicant of that school, or that application.\n";
    static const int allowed[] = {OPT_DB, OPT_JSON, OPT_DEPARTMENT, OPT_SCHOOL, OPT_APPLICATION, OPT_AS, 0};
    struct scoring_options o;
    int rc = parse(argc, argv, allowed, usage, &o);
    if (rc)
        return rc == 1 ? EXIT_OK : rc;
    bool add = optind < argc && strcmp(argv[optind], "add") == 0;
    bool list = optind < argc && strcmp(argv[optind], "list") == 0;
    if (!o.department || !checker_is_six_digits(o.department) || (!add && !list) ||
        argc - optind != (add ? 2 : 1))
        return cli_usage_error("conflict", "give add NAME or list, with --department CODE");
    if (add && !!o.school == !!o.application)
        return cli_usage_error("conflict", "give --school CODE or --application NO");
    struct store *store;
    if ((list ? cli_open_readonly(o.db, &store) : cli_open_writable(o.db, &store)) != 0)
        return EXIT_FAILED;
    struct error err = {0};
    if (list) {
        json_t *conflicts = assign_conflicts(store, o.department, &err);
        if (!conflicts)
            return fail("conflict", store, &err);
        if (o.json) {
            cli_print_json(conflicts);
        } else {
            size_t i;
            json_t *row;
            json_array_foreach(conflicts, i, row)
                printf("%-20s %-11s %s\n", json_string_value(json_object_get(row, "reviewer")),
                       json_string_value(json_object_get(row, "kind")),
                       json_string_value(json_object_get(row, "value")));
        }
        json_decref(conflicts);
        store_close(store);
        return EXIT_OK;
    }
    const char *reviewer = argv[optind + 1];
    const char *kind = o.school ? "school" : "application";
    const char *value = o.school ? o.school : o.application;
    char detail[256];
    snprintf(detail, sizeof detail, "%s %s %s %s", reviewer, o.department, kind, value);
    rc = store_begin(store, &err);
    rc = audited(store, o.as ? o.as : COMMAND_LINE, "conflict_add", NULL, detail,
                 rc == 0 ? assign_conflict_add(store, reviewer, o.department, kind, value, &err) : -1,
                 &err);
    rc = rc == 0 ? store_commit(store, &err) : -1;
    if (rc != 0) {
        store_rollback(store);
        return fail("conflict", store, &err);
    }
    printf("%s never reads %s %s of %s\n", reviewer, kind, value, o.department);
    store_close(store);
    return EXIT_OK;
}

/* ---- score ---------------------------------------------------------------------------- */

static void print_sheet(const json_t *sheet)
{
    printf("%s  %s (reading %lld)  %s, version %lld\n",
           json_string_value(json_object_get(sheet, "application")),
           json_string_value(json_object_get(sheet, "reviewer")),
           json_integer_value(json_object_get(sheet, "reading")),
           json_string_value(json_object_get(sheet, "status")),
           json_integer_value(json_object_get(sheet, "version")));
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(sheet, "rubric"), i, item) {
        const char *code = json_string_value(json_object_get(item, "code"));
        const json_t *given = json_object_get(json_object_get(sheet, "items"), code);
        printf("  %s %-12s %5.1f%%  ", code, json_string_value(json_object_get(item, "name")),
               json_number_value(json_object_get(item, "weight")));
        if (json_is_integer(json_object_get(given, "score")))
            printf("%s %lld", json_string_value(json_object_get(given, "level")),
                   json_integer_value(json_object_get(given, "score")));
        else
            printf("—");
        if (json_is_string(json_object_get(given, "comment")))
            printf("  「%s」", json_string_value(json_object_get(given, "comment")));
        printf("\n");
    }
    const json_t *total = json_object_get(sheet, "total");
    if (json_is_number(total))
        printf("  total %.2f\n", json_number_value(total));
    if (json_is_true(json_object_get(sheet, "changed_after_scoring")))
        printf("  the application changed after scoring\n");
}

/* "B=優良:85" or "B=優良:85:comment" into items. */
static int apply_set(json_t *items, const char *set)
{
    const char *equals = strchr(set, '=');
    const char *colon = equals ? strchr(equals + 1, ':') : NULL;
    if (!equals || !colon || equals == set || (size_t)(equals - set) > 2)
        return -1;
    char code[4], level[32];
    snprintf(code, sizeof code, "%.*s", (int)(equals - set), set);
    snprintf(level, sizeof level, "%.*s", (int)(colon - equals - 1), equals + 1);
    const char *score = colon + 1;
    const char *comment = strchr(score, ':');
    char number[16];
    snprintf(number, sizeof number, "%.*s", comment ? (int)(comment - score) : (int)strlen(score), score);
    long value;
    if (!text_parse_integer(number, 0, 100, &value))
        return -1;
    json_t *item = json_pack("{s:s, s:I}", "level", level, "score", (json_int_t)value);
    if (comment)
        json_object_set_new(item, "comment", json_string(comment + 1));
    json_object_set_new(items, code, item);
    return 0;
}

int cli_score(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen score APPLICATION --reviewer NAME [--json]\n"
        "       beishen score APPLICATION --reviewer NAME --set CODE=LEVEL:SCORE[:COMMENT]...\n"
        "                     [--submit] [--version N]\n"
        "       beishen score APPLICATION --reviewer NAME --reopen [--revision]\n"
        "       beishen score APPLICATION --history [--json]\n"
        "\n"
        "One reviewer's score sheet of an application (DEPARTMENT-APPLICATION_NO):\n"
        "per item of the department's newest list a level and a whole score inside\n"
        "the level's band (beishen plan show), and a comment.  --set changes items\n"
        "of the sheet and saves it as a draft; --submit locks it (every item\n"
        "scored); --version refuses the save when the sheet has moved on since.\n"
        "--reopen (the office) unlocks a submitted sheet; --revision records that\n"
        "a 差分 is resolved by the readers revising.  --history lists every change.\n";
    static const int allowed[] = {OPT_DB, OPT_JSON, OPT_REVIEWER, OPT_SET, OPT_SUBMIT, OPT_VERSION,
                                  OPT_REOPEN, OPT_REVISION, OPT_HISTORY, OPT_AS, 0};
    struct scoring_options o;
    int rc = parse(argc, argv, allowed, usage, &o);
    if (rc)
        return rc == 1 ? EXIT_OK : rc;
    if (argc - optind != 1)
        return cli_usage_error("score", "give one APPLICATION (DEPARTMENT-APPLICATION_NO)");
    const char *key = argv[optind];
    const char *dash = strchr(key, '-');
    if (!dash || dash - key != 6)
        return cli_usage_error("score", "an application is DEPARTMENT-APPLICATION_NO");
    char department[8];
    snprintf(department, sizeof department, "%.6s", key);
    const char *no = dash + 1;
    if (!o.history && o.reviewer_count != 1)
        return cli_usage_error("score", "give one --reviewer NAME");
    if (o.revision && !o.reopen)
        return cli_usage_error("score", "--revision goes with --reopen");
    bool changing = o.set_count || o.submit || o.reopen;
    struct store *store;
    if ((changing ? cli_open_writable(o.db, &store) : cli_open_readonly(o.db, &store)) != 0)
        return EXIT_FAILED;
    struct error err = {0};
    const char *user = o.as ? o.as : COMMAND_LINE;
    const char *reviewer = o.reviewer_count ? o.reviewers[0] : NULL;
    json_t *result = NULL;
    if (o.history) {
        result = scores_history(store, department, no, &err);
    } else if (o.reopen) {
        rc = store_begin(store, &err);
        rc = audited(store, user, "score_reopen", key, reviewer,
                     rc == 0 ? scores_reopen(store, department, no, reviewer, user, o.revision, &err) : -1,
                     &err);
        rc = rc == 0 ? store_commit(store, &err) : -1;
        if (rc != 0)
            store_rollback(store);
        else
            result = scores_sheet(store, department, no, reviewer, &err);
    } else if (changing) {
        json_t *current = scores_sheet(store, department, no, reviewer, &err);
        json_t *items = current ? json_deep_copy(json_object_get(current, "items")) : NULL;
        for (size_t i = 0; items && i < o.set_count; i++) {
            if (apply_set(items, o.sets[i]) != 0) {
                json_decref(items);
                json_decref(current);
                store_close(store);
                return cli_usage_error("score", "--set is CODE=LEVEL:SCORE[:COMMENT], not '%s'", o.sets[i]);
            }
        }
        struct scores_change change = {
            .department = department, .application_no = no, .reviewer = reviewer, .user = user,
            .version = o.version_given ? o.version : json_integer_value(json_object_get(current, "version")),
            .items = items,
        };
        rc = items ? store_begin(store, &err) : -1;
        if (rc == 0)
            rc = scores_save(store, &change, o.submit, &result, &err);
        rc = audited(store, user, o.submit ? "score_submit" : "score_save", key, reviewer, rc, &err);
        rc = rc == 0 ? store_commit(store, &err) : -1;
        if (rc != 0) {
            store_rollback(store);
            json_decref(result);
            result = NULL;
        }
        json_decref(items);
        json_decref(current);
    } else {
        result = scores_sheet(store, department, no, reviewer, &err);
    }
    if (!result)
        return fail("score", store, &err);
    if (o.json || o.history)
        cli_print_json(result);
    else
        print_sheet(result);
    json_decref(result);
    store_close(store);
    return EXIT_OK;
}

/* ---- scores ------------------------------------------------------------------------------- */

static void print_results(const json_t *table)
{
    json_t *ranked = results_ranked(table);
    printf("%-16s %-10s %4s %7s  %-40s %6s  %s\n", "application", "", "rank", "final", "readers",
           "spread", "");
    size_t i, k;
    const json_t *row, *reader;
    json_array_foreach(ranked, i, row) {
        char readers[512] = "", final[16] = "—", rank[8] = "—", spread[16] = "—";
        json_array_foreach(json_object_get(row, "readers"), k, reader) {
            const json_t *total = json_object_get(reader, "total");
            bool done = strcmp(json_string_value(json_object_get(reader, "status")), "submitted") == 0;
            char figure[16] = "…";
            if (done && json_is_number(total))
                snprintf(figure, sizeof figure, "%.2f", json_number_value(total));
            snprintf(readers + strlen(readers), sizeof readers - strlen(readers), "%s%s %s",
                     k ? ", " : "", json_string_value(json_object_get(reader, "reviewer")), figure);
        }
        if (json_is_number(json_object_get(row, "final")))
            snprintf(final, sizeof final, "%.2f", json_number_value(json_object_get(row, "final")));
        if (json_is_integer(json_object_get(row, "rank")))
            snprintf(rank, sizeof rank, "%lld", json_integer_value(json_object_get(row, "rank")));
        if (json_is_number(json_object_get(row, "spread")))
            snprintf(spread, sizeof spread, "%.2f", json_number_value(json_object_get(row, "spread")));
        const json_t *resolution = json_object_get(row, "resolution");
        const char *method = json_string_value(json_object_get(resolution, "method"));
        printf("%-16s %-10s %4s %7s  %-40s %6s  %s%s%s%s\n",
               json_string_value(json_object_get(row, "application")),
               json_is_true(json_object_get(row, "self_made")) ? "自行上傳PDF" : "",
               rank, final, readers, spread,
               json_is_true(json_object_get(row, "pending")) ? "差分待處理 " : "",
               json_is_true(json_object_get(row, "flagged")) && method ? "差分已處理：" : "",
               !method ? "" : strcmp(method, "third_reading") == 0 ? "第三位評閱"
                            : strcmp(method, "revision") == 0 ? "評閱者修正" : method,
               json_is_true(json_object_get(row, "changed_after_scoring")) ? " 評分後資料已更新" : "");
    }
    json_decref(ranked);
    const json_t *counts = json_object_get(table, "counts");
    printf("%lld applications, %lld complete, %lld flagged (%lld pending), %lld final scores\n",
           json_integer_value(json_object_get(counts, "applications")),
           json_integer_value(json_object_get(counts, "complete")),
           json_integer_value(json_object_get(counts, "flagged")),
           json_integer_value(json_object_get(counts, "pending")),
           json_integer_value(json_object_get(counts, "final")));
}

int cli_scores(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen scores --department CODE [--json] [--csv FILE]\n"
        "\n"
        "A department's scores: each application with its readers' totals (and\n"
        "each normalized by its reader), the spread and 差分 flag, how a flag was\n"
        "resolved, the final 書審成績 by the plan's rule and the rank (ties share a\n"
        "rank); self-made-PDF applications are marked.  --json adds the reviewers'\n"
        "statistics.  --csv writes the office's CSV (UTF-8 with BOM): 應試號碼,\n"
        "書審成績, 名次.\n";
    static const int allowed[] = {OPT_DB, OPT_JSON, OPT_DEPARTMENT, OPT_CSV, 0};
    struct scoring_options o;
    int rc = parse(argc, argv, allowed, usage, &o);
    if (rc)
        return rc == 1 ? EXIT_OK : rc;
    if (!o.department || !checker_is_six_digits(o.department) || optind < argc)
        return cli_usage_error("scores", "give --department CODE (6 digits)");
    struct store *store;
    if (cli_open_readonly(o.db, &store) != 0)
        return EXIT_FAILED;
    struct error err = {0};
    json_t *table = results_table(store, o.department, &err);
    if (!table)
        return fail("scores", store, &err);
    int status = EXIT_OK;
    if (o.csv)
        status = cli_write_csv(o.csv, results_write_csv, table, "scores");
    if (o.json)
        cli_print_json(table);
    else if (!o.csv)
        print_results(table);
    json_decref(table);
    store_close(store);
    return status;
}
