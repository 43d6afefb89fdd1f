/* score_fill — fills every unscored reading of a department with a
 * submitted score sheet, so that the scoring benchmark
 * (tests/bench/bench_scoring.sh) times real data: sheets, totals, versions
 * and history rows exactly as reviewers leave them.
 *
 * Each sheet is saved through scores_save, the library call behind
 * `beishen score` and the workstation's PUT.  Submitting through the
 * library (--library-submit) costs a whole results table per submission
 * (scores_save's after_submit calls results_application, which computes
 * the department's table; 6,000 submissions of a 2,000-application
 * department take about a minute), so by default every sheet is saved as a
 * complete draft through scores_save and then, in the same transaction,
 * marked submitted with the two changes a submission makes beyond a draft
 * save from version 0: the sheet's status and submitted_at (= its
 * updated_at), and its history row's action "submit" and status in the new
 * state (every version-1 draft of the department and its first history
 * row: run it on a department nobody has scored yet).  With a plan whose
 * automatic_third_reader is false a submission writes nothing else
 * (after_submit only reads); with one whose is true, the sheets are
 * submitted through the library, as with --library-submit.  No audit rows
 * are written (results never read them).  Checked once against
 * --library-submit on 2,000 × 3: the same score_sheets and score_history
 * rows but for the times, and the same `beishen scores --json`.
 *
 * The scores are synthetic and deterministic: each application has a
 * quality, each reviewer a leniency and a stretch of their own (what the
 * normalized rule corrects), each reading and item some noise; a score is
 * clamped to 0–100 and given the level of the plan's band it falls in.
 *
 *     score_fill DATABASE DEPARTMENT [SEED] [--library-submit]
 *
 * Prints "filled N sheets of M readings in S s, HOW". */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timestamp.h"
#include "query/requirements.h"
#include "scoring/plan.h"
#include "scoring/scores.h"

struct reading {
    char no[16], reviewer[65];
};

/* splitmix64: small, deterministic, good enough for synthetic scores. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t hash_text(uint64_t seed, const char *text)
{
    uint64_t h = mix(seed);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = mix(h ^ *p);
    return h;
}

/* A uniform in [0, 1) and a standard normal (Box–Muller) from a state. */
static double uniform(uint64_t *state)
{
    *state = mix(*state);
    return (double)(*state >> 11) / 9007199254740992.0;
}

static double normal(uint64_t *state)
{
    double u = uniform(state), v = uniform(state);
    return sqrt(-2 * log(u > 1e-300 ? u : 1e-300)) * cos(2 * M_PI * v);
}

int main(int argc, char **argv)
{
    bool library_submit = argc > 1 && strcmp(argv[argc - 1], "--library-submit") == 0;
    if (library_submit)
        argc--;
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: score_fill DATABASE DEPARTMENT [SEED] [--library-submit]\n");
        return 2;
    }
    const char *department = argv[2];
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    struct store *store;
    struct error err = {0};
    if (store_open(argv[1], &store, &err) != 0) {
        fprintf(stderr, "score_fill: %s\n", err.message);
        return 1;
    }
    struct review_plan plan;
    json_t *list = plan_load(store, department, &plan, NULL, &err) == 0
                 ? requirements_latest(store, department, &err) : NULL;
    if (!list) {
        fprintf(stderr, "score_fill: %s\n", err.message);
        store_close(store);
        return 1;
    }
    json_t *listed = json_object_get(list, "items");
    if (plan.automatic_third_reader)
        library_submit = true;   /* a submission may assign a reader: only the library knows whom */

    /* Every reading without a sheet yet, read before any write. */
    sqlite3_stmt *s;
    sqlite3_prepare_v2(store_db(store),
        "SELECT g.application_no, g.reviewer FROM assignments g LEFT JOIN score_sheets h"
        " ON h.department = g.department AND h.application_no = g.application_no"
        " AND h.reviewer = g.reviewer WHERE g.department = ?1 AND h.reviewer IS NULL"
        " ORDER BY g.application_no, g.reading", -1, &s, NULL);
    sqlite3_bind_text(s, 1, department, -1, SQLITE_TRANSIENT);
    size_t count = 0, capacity = 1024;
    struct reading *readings = malloc(capacity * sizeof *readings);
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (count == capacity)
            readings = realloc(readings, (capacity *= 2) * sizeof *readings);
        snprintf(readings[count].no, sizeof readings[count].no, "%s", sqlite3_column_text(s, 0));
        snprintf(readings[count].reviewer, sizeof readings[count].reviewer, "%s",
                 sqlite3_column_text(s, 1));
        count++;
    }
    sqlite3_finalize(s);

    double started = timestamp_monotonic();
    int rc = store_begin(store, &err);
    size_t filled = 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        const struct reading *r = &readings[i];
        uint64_t app = hash_text(seed, r->no), who = hash_text(seed ^ 0x5eed, r->reviewer);
        uint64_t noise = hash_text(app ^ who, "reading");
        double quality = 76 + 7 * normal(&app);
        double leniency = 8 * (uniform(&who) - 0.5);          /* −4 … +4 */
        double stretch = 0.7 + 0.6 * uniform(&who);             /* 0.7 … 1.3 */
        double reading = 2.5 * normal(&noise);
        json_t *items = json_object();
        size_t k;
        const json_t *item;
        json_array_foreach(listed, k, item) {
            double value = 76 + stretch * (quality - 76) + leniency + reading + 3 * normal(&noise);
            int score = (int)lround(value < 0 ? 0 : value > 100 ? 100 : value);
            int level = CATEGORY_RUBRIC_LEVELS - 1;
            for (int l = 0; l < CATEGORY_RUBRIC_LEVELS; l++)
                if (score >= plan.low[l] && score <= plan.high[l]) {
                    level = l;
                    break;
                }
            json_object_set_new(items, json_string_value(json_object_get(item, "code")),
                                json_pack("{s:s, s:i}", "level", category_rubric_levels[level],
                                          "score", score));
        }
        struct scores_change change = {
            .department = department, .application_no = r->no, .reviewer = r->reviewer,
            .user = r->reviewer, .version = 0, .items = items,
        };
        rc = scores_save(store, &change, library_submit, NULL, &err);
        json_decref(items);
        filled += rc == 0;
    }
    /* What a submission from version 0 writes beyond a draft save. */
    static const char *submit_sheets =
        "UPDATE score_sheets SET status = 'submitted', submitted_at = updated_at"
        " WHERE department = ?1 AND status = 'draft' AND version = 1";
    static const char *submit_history =
        "UPDATE score_history SET action = 'submit',"
        " new = replace(new, '\"status\":\"draft\"', '\"status\":\"submitted\"')"
        " WHERE department = ?1 AND action = 'save' AND old IS NULL";
    for (int k = 0; rc == 0 && !library_submit && k < 2; k++) {
        sqlite3_stmt *u = store_statement(store, k == 0 ? submit_sheets : submit_history, &err);
        if (!u) {
            rc = -1;
            break;
        }
        sqlite3_bind_text(u, 1, department, -1, SQLITE_TRANSIENT);
        rc = store_step(store, u, &err) < 0 ? -1 : 0;
    }
    if (rc == 0)
        rc = store_commit(store, &err);
    if (rc != 0)
        store_rollback(store);
    if (rc != 0)
        fprintf(stderr, "score_fill: %s\n", err.message);
    else
        printf("filled %zu sheets of %zu readings in %.2f s, %s\n", filled, count,
               timestamp_monotonic() - started, library_submit ? "submitted through the library"
               : "saved through the library, then marked submitted");
    free(readings);
    json_decref(list);
    store_close(store);
    return rc == 0 ? 0 : 1;
}
