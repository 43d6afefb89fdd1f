/* fuzz_requirements — the checks of the two formats departments write:
 * required-item lists (review/query/requirements.c, requirements_check)
 * and review plans (review/scoring/plan.c, plan_check), on arbitrary
 * bytes parsed as requirements_read and plan_read parse them.  Promises:
 *  - neither check crashes, leaks or overruns, whatever the JSON, and
 *    each returns the number of problems it listed;
 *  - a plan that passes is read into a struct (plan_from_json) with its
 *    values inside the rules (1..5 readers, bands inside 0..100 and in
 *    order), and written back (plan_to_json, as plan_store stores it) it
 *    passes again and reads back to the same struct. */
#include "fuzz.h"
#include "query/requirements.h"
#include "scoring/plan.h"

#include <math.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static bool same_plan(const struct review_plan *a, const struct review_plan *b)
{
    return strcmp(a->department, b->department) == 0 && a->readers == b->readers &&
           a->threshold == b->threshold && memcmp(a->low, b->low, sizeof a->low) == 0 &&
           memcmp(a->high, b->high, sizeof a->high) == 0 && a->rule == b->rule &&
           a->blind == b->blind && a->automatic_third_reader == b->automatic_third_reader;
}

static void check_plan(const uint8_t *data, size_t size)
{
    json_t *json = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!json)
        return;
    struct problem_list problems = {0};
    size_t found = plan_check(json, "plan.json", &problems);
    FUZZ_CHECK(found == problems.count, "%zu problems counted, %zu listed", found, problems.count);
    problems_free(&problems);
    if (found == 0) {
        struct review_plan plan, again;
        plan_from_json(json, &plan);
        FUZZ_CHECK(plan.readers >= 1 && plan.readers <= 5, "%d readers", plan.readers);
        FUZZ_CHECK(plan.threshold >= 0 && plan.threshold <= 100, "threshold %g", plan.threshold);
        for (int i = 0; i < CATEGORY_RUBRIC_LEVELS; i++) {
            FUZZ_CHECK(0 <= plan.low[i] && plan.low[i] <= plan.high[i] && plan.high[i] <= 100,
                       "level %d [%d, %d]", i, plan.low[i], plan.high[i]);
            FUZZ_CHECK(i == 0 || plan.high[i] < plan.low[i - 1], "level %d reaches into %d", i, i - 1);
        }
        json_t *written = plan_to_json(&plan);
        FUZZ_CHECK(written != NULL, "plan_to_json");
        found = plan_check(written, "stored", &problems);
        FUZZ_CHECK(found == 0, "the stored form of a passing plan fails: %s %s",
                   problems.count ? problems.items[0].path : "",
                   problems.count ? problems.items[0].rule : "");
        plan_from_json(written, &again);
        FUZZ_CHECK(same_plan(&plan, &again), "the stored form reads back differently");
        json_decref(written);
        problems_free(&problems);
    }
    json_decref(json);
}

static void check_list(const uint8_t *data, size_t size)
{
    json_t *list = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
    if (!list)
        return;
    struct problem_list problems = {0};
    size_t found = requirements_check(list, "requirements.json", &problems);
    FUZZ_CHECK(found == problems.count, "%zu problems counted, %zu listed", found, problems.count);
    problems_free(&problems);
    json_decref(list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_list(data, size);
    check_plan(data, size);
    return 0;
}
