/* results — what the scores add up to for a department: each
 * application's readers and their totals, the spread and 差分 flag, how a
 * flag was resolved, the final 書審成績 by the plan's rule, ranks, and the
 * reviewers' leniency and agreement.  Reads only.
 *
 * Definitions (README "Review scoring"):
 * - an application's first `readers` readings (plan) make its spread,
 *   max − min of their totals, once all of them are submitted; a spread
 *   above the threshold flags it;
 * - a flagged application is resolved by a submitted further reading
 *   (third_reading), or by its readers revising to within the threshold
 *   after the office reopened their sheets (revision); until then it has
 *   no final score;
 * - normalized total: the total z-scored among its reviewer's submitted
 *   totals in the department and rescaled to the department's mean and SD
 *   of all submitted totals (a reviewer with fewer than 2 totals, or none
 *   spread, keeps the raw total);
 * - final: "mean" the mean of the readers' totals; "closest-two" with
 *   three or more readers the mean of the two closest totals (the earlier
 *   pair on a tie), else the mean; "normalized" the mean of the normalized
 *   totals; two decimals;
 * - rank: by final, highest first; ties share a rank (1, 2, 2, 4);
 * - reviewer statistics: count, mean and population SD of submitted
 *   totals, the mean absolute difference to co-readers' totals on the same
 *   applications, and agreement: Pearson's r between the reviewer's totals
 *   and the mean of the co-readers' totals (3 applications at least); the
 *   department's agreement: Pearson's r between first and second readings.
 *
 * Ownership: new references the caller json_decrefs.  Threads: any
 * number at once, each with its own store. */
#ifndef BEISHEN_RESULTS_H
#define BEISHEN_RESULTS_H

#include <jansson.h>
#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

/* {department, plan, list_version, applications: [{application,
 * application_no, name, school, self_made, readers: [{reviewer, reading,
 * status, total, normalized}], submitted, complete, spread, flagged,
 * resolution: {method, decided_by, decided_at} | null, pending, mean,
 * mean_normalized, final, rank, changed_after_scoring}] by application
 * number, reviewers: [{reviewer, count, mean, sd, mad, agreement, n_pairs}],
 * agreement: {pearson, pairs}, counts: {applications, complete, flagged,
 * pending, final}}. */
json_t *results_table(struct store *store, const char *department, struct error *err);

/* One application's row of results_table. */
json_t *results_application(struct store *store, const char *department,
                            const char *application_no, struct error *err);

/* The table's rows ranked: by rank, then application number; rows
 * without a final score last.  A new array. */
json_t *results_ranked(const json_t *table);

/* What the 書審成績總表 is drawn from (render/scoring_doc.h): {document:
 * "summary-1", department: query_department's JSON, results:
 * results_table's JSON, ranked: results_ranked's rows}. */
json_t *results_summary_content(struct store *store, const char *department, struct error *err);

/* The office's CSV (UTF-8 with a BOM): 應試號碼, 書審成績, 名次, and the
 * readers' totals and flags beside them.  Cells that would start a
 * formula are quoted as text.  Returns 0 or -1 on a write error. */
int results_write_csv(const json_t *table, FILE *out);

#endif
