/* cli_browse — `beishen applicants`, `categories`, `show` and `dist`: the
 * reviewer's browsing commands, printing query results as tables or JSON. */
#include "cli/cli.h"
#include "core/text.h"
#include "query/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Options every browsing command shares. */
struct browse_options {
    const char *db;
    bool json;
    bool show_national_id;
    const char *department, *source, *category, *sort;
    const char *course, *subject, *domain, *all;
    int year, semester, grade;
};

enum {
    OPT_DB = 1000, OPT_JSON, OPT_SHOW_ID, OPT_DEPARTMENT, OPT_SOURCE, OPT_CATEGORY,
    OPT_SORT, OPT_COURSE, OPT_SUBJECT, OPT_DOMAIN, OPT_ALL, OPT_YEAR, OPT_SEMESTER, OPT_GRADE, OPT_HELP,
};

static const struct option all_options[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"json", no_argument, NULL, OPT_JSON},
    {"show-national-id", no_argument, NULL, OPT_SHOW_ID},
    {"department", required_argument, NULL, OPT_DEPARTMENT},
    {"source", required_argument, NULL, OPT_SOURCE},
    {"category", required_argument, NULL, OPT_CATEGORY},
    {"sort", required_argument, NULL, OPT_SORT},
    {"course", required_argument, NULL, OPT_COURSE},
    {"subject", required_argument, NULL, OPT_SUBJECT},
    {"domain", required_argument, NULL, OPT_DOMAIN},
    {"all", required_argument, NULL, OPT_ALL},
    {"year", required_argument, NULL, OPT_YEAR},
    {"semester", required_argument, NULL, OPT_SEMESTER},
    {"grade", required_argument, NULL, OPT_GRADE},
    {"help", no_argument, NULL, OPT_HELP},
    {0, 0, 0, 0},
};

/* Parses the options; `allowed` lists the option codes this command takes.
 * Returns -1 after --help (printed), EXIT_USAGE on a usage error, else 0. */
static int parse_options(int argc, char **argv, const int *allowed, const char *usage,
                         struct browse_options *out)
{
    memset(out, 0, sizeof *out);
    optind = 1;
    int option;
    while ((option = getopt_long(argc, argv, "", all_options, NULL)) != -1) {
        bool ok = option == OPT_HELP;
        for (const int *a = allowed; *a && !ok; a++)
            ok = *a == option;
        if (!ok)
            return cli_usage_error(argv[0], "option not accepted here");
        switch (option) {
        case OPT_DB: out->db = optarg; break;
        case OPT_JSON: out->json = true; break;
        case OPT_SHOW_ID: out->show_national_id = true; break;
        case OPT_DEPARTMENT: out->department = optarg; break;
        case OPT_SOURCE: out->source = optarg; break;
        case OPT_CATEGORY: out->category = optarg; break;
        case OPT_SORT: out->sort = optarg; break;
        case OPT_COURSE: out->course = optarg; break;
        case OPT_SUBJECT: out->subject = optarg; break;
        case OPT_DOMAIN: out->domain = optarg; break;
        case OPT_ALL: out->all = optarg; break;
        case OPT_YEAR:
        case OPT_GRADE:
        case OPT_SEMESTER: {
            long value;
            const char *name = option == OPT_YEAR ? "year" : option == OPT_GRADE ? "grade" : "semester";
            if (!text_parse_integer(optarg, 1, 9999, &value))
                return cli_usage_error(argv[0], "--%s takes a number", name);
            *(option == OPT_YEAR ? &out->year : option == OPT_GRADE ? &out->grade : &out->semester) =
                (int)value;
            break;
        }
        case OPT_HELP: fputs(usage, stdout); return -1;
        }
    }
    return 0;
}

/* Runs one query against the read-only store and prints it: JSON as is,
 * otherwise through the command's own table printer. */
static int print_result(json_t *result, const struct error *err, const char *command,
                        bool as_json, void (*print_table)(const json_t *))
{
    if (!result) {
        fprintf(stderr, "beishen %s: %s\n", command, err->message);
        return EXIT_FAILED;
    }
    if (as_json)
        cli_print_json(result);
    else
        print_table(result);
    json_decref(result);
    return EXIT_OK;
}

static const char *text_of(const json_t *object, const char *key)
{
    const char *text = json_string_value(json_object_get(object, key));
    return text ? text : "";
}

static void print_number(const json_t *value, int width)
{
    if (json_is_number(value))
        printf("%*.2f", width, json_number_value(value));
    else
        printf("%*s", width, "-");
}

/* ---- applicants --------------------------------------------------------- */

static void print_applicants(const json_t *list)
{
    printf("%-16s %-8s %-6s %-13s %-10s %7s  %s\n", "id", "number", "dept", "source",
           "national_id", "average", "name / school");
    size_t i;
    const json_t *row;
    json_array_foreach(list, i, row) {
        printf("%-16s %-8s %-6s %-13s %-10s ", text_of(row, "id"), text_of(row, "application_no"),
               text_of(row, "department"), text_of(row, "source"), text_of(row, "national_id"));
        print_number(json_object_get(row, "average"), 7);
        printf("  %s  %s%s\n", text_of(row, "name"), text_of(row, "school"),
               json_is_true(json_object_get(row, "self_made")) ? "  [自行上傳PDF]" : "");
    }
    printf("%zu applications\n", json_array_size(list));
}

int cli_applicants(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen applicants [--db FILE] [--department CODE]\n"
        "         [--source portfolio|self_made_pdf] [--category NAME]\n"
        "         [--sort application_no|name|average] [--json] [--show-national-id]\n"
        "\n"
        "Lists applications: id (<department>-<application_no>), number, department,\n"
        "source, name, school, masked national ID and credit-weighted average.  With\n"
        "--category only applications having a record there.  --json adds per-group\n"
        "counts, certified outcomes and the self-made flag.\n";
    static const int allowed[] = {OPT_DB, OPT_JSON, OPT_SHOW_ID, OPT_DEPARTMENT, OPT_SOURCE,
                                  OPT_CATEGORY, OPT_SORT, 0};
    struct browse_options o;
    int rc = parse_options(argc, argv, allowed, usage, &o);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (optind < argc)
        return cli_usage_error("applicants", "unexpected argument '%s'", argv[optind]);
    if (o.source && strcmp(o.source, "portfolio") && strcmp(o.source, "self_made_pdf"))
        return cli_usage_error("applicants", "--source is portfolio or self_made_pdf");
    if (o.sort && strcmp(o.sort, "application_no") && strcmp(o.sort, "name") && strcmp(o.sort, "average"))
        return cli_usage_error("applicants", "--sort is application_no, name or average");
    struct store *store;
    if (cli_open_readonly(o.db, &store) != 0)
        return EXIT_FAILED;
    struct applicant_filter filter = {o.department, o.source, o.category, o.sort, o.show_national_id};
    struct error err;
    rc = print_result(query_applicants(store, &filter, &err), &err, "applicants", o.json,
                      print_applicants);
    store_close(store);
    return rc;
}

/* ---- categories and show ------------------------------------------------ */

static void print_categories(const json_t *list)
{
    size_t i;
    const json_t *row;
    json_array_foreach(list, i, row)
        printf("%4lld  %-12s %s\n", json_integer_value(json_object_get(row, "count")),
               text_of(row, "group"), text_of(row, "category"));
}

/* Opens the store and resolves the APPLICATION argument. */
static int open_application(const struct browse_options *o, const char *command, int argc,
                            char **argv, struct store **store, sqlite3_int64 *id)
{
    if (optind != argc - 1)
        return cli_usage_error(command, "give exactly one APPLICATION");
    if (cli_open_readonly(o->db, store) != 0)
        return EXIT_FAILED;
    struct error err;
    if (query_resolve_application(*store, argv[optind], id, &err) != 0) {
        fprintf(stderr, "beishen %s: %s\n", command, err.message);
        store_close(*store);
        return EXIT_FAILED;
    }
    return 0;
}

int cli_categories(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen categories [--db FILE] [--json] APPLICATION\n"
        "\n"
        "The application's categories in review order with their record counts.\n"
        "APPLICATION is <department>-<application_no>, or the number alone when\n"
        "it applied to one department.\n";
    static const int allowed[] = {OPT_DB, OPT_JSON, 0};
    struct browse_options o;
    int rc = parse_options(argc, argv, allowed, usage, &o);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct store *store;
    sqlite3_int64 id;
    if ((rc = open_application(&o, "categories", argc, argv, &store, &id)) != 0)
        return rc;
    struct error err;
    rc = print_result(query_categories(store, id, &err), &err, "categories", o.json,
                      print_categories);
    store_close(store);
    return rc;
}

static void print_course(const json_t *r)
{
    printf("  %lld-%lld %-24s %2lld學分 ", json_integer_value(json_object_get(r, "year")),
           json_integer_value(json_object_get(r, "semester")), text_of(r, "name"),
           json_integer_value(json_object_get(r, "credits")));
    print_number(json_object_get(r, "score"), 6);
    if (json_is_number(json_object_get(r, "makeup_score"))) {
        printf(" 補考");
        print_number(json_object_get(r, "makeup_score"), 6);
    }
    if (json_is_true(json_object_get(r, "in_progress")))
        printf(" 修課中");
    /* Rank and percentile run opposite ways; each says which way is better. */
    if (json_is_integer(json_object_get(r, "cohort_rank_pct")))
        printf("  校排前%lld%%(小者佳)", json_integer_value(json_object_get(r, "cohort_rank_pct")));
    if (json_is_true(json_object_get(r, "pool_too_small")))
        printf("  系PR n過少 (n=%lld)", json_integer_value(json_object_get(r, "pool_n")));
    else if (json_is_number(json_object_get(r, "pool_percentile")))
        printf("  系PR %.1f(大者佳, n=%lld)", json_number_value(json_object_get(r, "pool_percentile")),
               json_integer_value(json_object_get(r, "pool_n")));
    printf("\n");
}

static void print_record(const json_t *r)
{
    const char *type = text_of(r, "type");
    if (strcmp(type, "course") == 0) {
        print_course(r);
    } else if (strcmp(type, "student") == 0) {
        printf("  %s  %s  %s %s  %s %s班 %lld號\n", text_of(r, "name"), text_of(r, "national_id"),
               text_of(r, "school_code"), text_of(r, "school_name"), text_of(r, "program"),
               text_of(r, "class_name"), json_integer_value(json_object_get(r, "seat_no")));
    } else if (strcmp(type, "cadre") == 0) {
        printf("  幹部 %s %s (%s ~ %s)\n", text_of(r, "unit"), text_of(r, "title"),
               text_of(r, "start"), text_of(r, "end"));
    } else {
        const json_t *certified = json_object_get(r, "certified");
        printf("  %s %s%s  [%zu files]\n", text_of(r, "item"), text_of(r, "title"),
               certified ? (json_is_true(certified) ? "  教師認證" : "  未認證") : "",
               json_array_size(json_object_get(r, "files")));
    }
}

static void print_show(const json_t *result)
{
    const json_t *student = json_object_get(result, "student");
    printf("%s  %s  %s %s%s\n", text_of(result, "id"), text_of(student, "name"),
           text_of(result, "department"), text_of(result, "department_name"),
           json_is_true(json_object_get(result, "self_made")) ?
               "  [自行上傳PDF：無教師認證、無時點歷程紀錄]" : "");
    size_t i, j;
    const json_t *category, *record;
    json_array_foreach(json_object_get(result, "categories"), i, category) {
        printf("\n%s\n", text_of(category, "category"));
        json_array_foreach(json_object_get(category, "records"), j, record)
            print_record(record);
    }
}

int cli_show(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen show [--db FILE] [--category NAME] [--json] [--show-national-id]\n"
        "                    APPLICATION\n"
        "\n"
        "The application's records of one category (all categories when none is\n"
        "given).  Courses carry the catalog data, the cohort rank percentage\n"
        "floor((rank-1)*100/size)+1 (smaller is better) and the percentile rank\n"
        "(PR, larger is better) among the department's graded rows of the same\n"
        "subject in the same grade and semester (ties count half); a pool of\n"
        "fewer than 10 rows shows \"n過少\" instead.\n";
    static const int allowed[] = {OPT_DB, OPT_JSON, OPT_SHOW_ID, OPT_CATEGORY, 0};
    struct browse_options o;
    int rc = parse_options(argc, argv, allowed, usage, &o);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct store *store;
    sqlite3_int64 id;
    if ((rc = open_application(&o, "show", argc, argv, &store, &id)) != 0)
        return rc;
    struct error err;
    rc = print_result(query_show(store, id, o.category, o.show_national_id, &err), &err, "show",
                      o.json, print_show);
    store_close(store);
    return rc;
}

/* ---- dist --------------------------------------------------------------- */

static void print_distribution(const json_t *d)
{
    printf("%s %s %s: n=%lld", text_of(d, "department"), text_of(d, "key"), text_of(d, "value"),
           json_integer_value(json_object_get(d, "n")));
    static const char *const keys[] = {"mean", "sd", "min", "q1", "median", "q3", "max", NULL};
    for (const char *const *k = keys; *k; k++) {
        printf(" %s=", *k);
        print_number(json_object_get(d, *k), 0);
    }
    printf("\nhistogram:");
    size_t i;
    const json_t *value;
    json_array_foreach(json_object_get(d, "histogram"), i, value)
        printf(" %lld", json_integer_value(value));
    printf("\n");
    bool too_small = json_integer_value(json_object_get(d, "n")) <
                     json_integer_value(json_object_get(d, "min_pool"));
    json_array_foreach(json_object_get(d, "applications"), i, value) {
        printf("  %-16s %-8s", text_of(value, "id"), text_of(value, "name"));
        print_number(json_object_get(value, "score"), 8);
        if (too_small)
            printf("  PR n過少\n");
        else
            printf("  PR %5.1f\n", json_number_value(json_object_get(value, "percentile")));
    }
}

int cli_dist(int argc, char **argv)
{
    static const char *usage =
        "usage: beishen dist [--db FILE] --department CODE\n"
        "         (--course CODE [--year Y --semester S] | --subject NAME [--grade G --semester S] |\n"
        "          --category NAME | --domain CODE | --all course|subject|category|domain)\n"
        "         [--json]\n"
        "\n"
        "The department's pool distribution: n, mean, standard deviation (population),\n"
        "min, quartiles (linear interpolation), max, a 10-bin histogram [0,10) …\n"
        "[90,100], and every application's score and percentile rank.  --domain\n"
        "takes a two-character domain code (01 語文, 02 數學, 03 社會 …).  --all\n"
        "gives the statistics of every pool of that kind in the department.  An\n"
        "application's score is the credit-weighted mean of its graded rows for the\n"
        "key; in-progress and ungraded (counted 3) rows are left out.  Ties: the\n"
        "percentile rank is 100 x (scores below + half the scores equal) / n; a\n"
        "pool of fewer than 10 is printed \"PR n過少\".  --subject with --grade and\n"
        "--semester is a course row's pool: every graded row of that subject in\n"
        "that grade and semester.\n";
    static const int allowed[] = {OPT_DB, OPT_JSON, OPT_DEPARTMENT, OPT_COURSE, OPT_SUBJECT,
                                  OPT_CATEGORY, OPT_DOMAIN, OPT_ALL, OPT_YEAR, OPT_SEMESTER,
                                  OPT_GRADE, 0};
    struct browse_options o;
    int rc = parse_options(argc, argv, allowed, usage, &o);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    int keys = !!o.course + !!o.subject + !!o.category + !!o.domain + !!o.all;
    if (!o.department || keys != 1 || optind < argc)
        return cli_usage_error("dist", "give --department and one of --course, --subject, --category, --domain");
    bool course_term = o.course && o.year && !o.grade, subject_term = o.subject && o.grade && !o.year;
    if ((o.year || o.grade || o.semester) &&
        (!(course_term || subject_term) || o.semester < 1 || o.semester > 2 || o.grade > 3))
        return cli_usage_error("dist", "--semester (1 or 2) goes with --year and --course, "
                               "or with --grade (1 to 3) and --subject");
    if (o.all) {
        static const char *const kinds[] = {"course", "subject", "category", "domain"};
        int kind = -1;
        for (int k = 0; k < 4; k++)
            if (strcmp(o.all, kinds[k]) == 0)
                kind = k;
        if (kind < 0)
            return cli_usage_error("dist", "--all is course, subject, category or domain");
        struct store *store;
        if (cli_open_readonly(o.db, &store) != 0)
            return EXIT_FAILED;
        struct error err;
        json_t *all = query_department_distributions(store, o.department, (enum distribution_key)kind, &err);
        if (all)
            cli_print_json(all); /* JSON either way: one line per pool would not read better */
        else
            fprintf(stderr, "beishen dist: %s\n", err.message);
        json_decref(all);
        store_close(store);
        return all ? EXIT_OK : EXIT_FAILED;
    }
    struct distribution_request request = {
        .department = o.department,
        .key = o.course ? DIST_COURSE : o.subject ? DIST_SUBJECT : o.category ? DIST_CATEGORY : DIST_DOMAIN,
        .value = o.course ? o.course : o.subject ? o.subject : o.category ? o.category : o.domain,
        .year = o.year, .semester = o.semester, .grade = o.grade,
    };
    if (subject_term)
        request.key = DIST_TERM;
    struct store *store;
    if (cli_open_readonly(o.db, &store) != 0)
        return EXIT_FAILED;
    struct error err;
    rc = print_result(query_distribution(store, &request, &err), &err, "dist", o.json,
                      print_distribution);
    store_close(store);
    return rc;
}
