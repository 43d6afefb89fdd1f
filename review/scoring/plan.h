/* plan — a department's review plan: how many readers read each
 * application, the 差分 threshold, the score band of each rubric level,
 * the rule that makes the final score, blind review, and whether a flagged
 * application gets its third reader automatically.  Checks of our JSON
 * format (schema/review-plan.md) and storage in review_plans (schema 009);
 * a department without a stored plan has the defaults.
 *
 * Ownership: json_t results are new references the caller json_decrefs.
 * Threads: any number at once, each with its own store. */
#ifndef BEISHEN_PLAN_H
#define BEISHEN_PLAN_H

#include <jansson.h>
#include <stdbool.h>

#include "core/category.h"
#include "core/checker.h"
#include "core/error.h"
#include "store/store.h"

enum plan_rule {
    PLAN_MEAN,            /* the mean of every reader's total */
    PLAN_CLOSEST_TWO,     /* with three or more readers, the mean of the two closest totals */
    PLAN_NORMALIZED,      /* the mean of the readers' totals, each z-scored by its reader */
};

struct review_plan {
    char department[8];
    int readers;                          /* readers per application, 1..5 (default 2) */
    double threshold;                     /* 差分: a spread above this is flagged (default 15) */
    int low[CATEGORY_RUBRIC_LEVELS];      /* each level's band of item scores, inclusive */
    int high[CATEGORY_RUBRIC_LEVELS];
    enum plan_rule rule;                  /* default PLAN_MEAN */
    bool blind;                           /* blind review (default off) */
    bool automatic_third_reader;          /* a flagged application gets a third reader at once (default on) */
};

/* The defaults: 2 readers, threshold 15, 傑出 90–100, 優良 80–89, 普通
 * 70–79, 待加強 60–69, 不佳 0–59, the mean, no blind review, automatic third
 * readers. */
void plan_defaults(const char *department, struct review_plan *plan);

/* Checks a parsed plan; appends every problem (file, JSON path, rule) and
 * returns their number. */
size_t plan_check(const json_t *json, const char *file, struct problem_list *problems);
/* Reads, parses (size-capped) and checks a plan file; *out is the parsed
 * plan when it could be parsed.  Returns the number of problems, or -1
 * when the file cannot be read or parsed (a problem is added either way). */
int plan_read(const char *path, json_t **out, struct problem_list *problems);

/* A checked plan as a struct, and back. */
void plan_from_json(const json_t *json, struct review_plan *plan);
json_t *plan_to_json(const struct review_plan *plan);

/* Stores a checked plan as its department's, recording who set it. */
int plan_store(struct store *store, const json_t *json, const char *by, struct error *err);
/* The department's plan, or the defaults when none is stored (*stored
 * says which; may be NULL). */
int plan_load(struct store *store, const char *department, struct review_plan *plan,
              bool *stored, struct error *err);

/* The index of a rubric level's name in category_rubric_levels, or -1. */
int plan_level_index(const char *name);
const char *plan_rule_name(enum plan_rule rule);

#endif
