/* scoring_doc — the two documents of review scoring, drawn from the JSON
 * they are handed:
 * - a reviewer's 評分表: each application they read, with every item's
 *   level, score and comment, the total, whether it is submitted, and a
 *   line to sign;
 * - the department's 書審成績總表: the ranked final scores with each
 *   application's readers and totals, every 差分 flag and how it was
 *   resolved, and the reviewers' statistics with a chart of their means.
 * Never reads the store.  Owns nothing between calls.  One thread per
 * process (fonts.h). */
#ifndef BEISHEN_SCORING_DOC_H
#define BEISHEN_SCORING_DOC_H

#include <jansson.h>

#include "core/error.h"

struct scoring_doc_result {
    int pages;
    long unknown_glyphs;
};

/* `input`: {department: query_department's JSON, reviewer, blind: bool,
 * names: {application_no: name}, sheets: scores_reviewer_sheets' JSON}
 * (scores_sheets_content).  Written whole or not at all. */
int scoring_doc_sheets(const json_t *input, const char *output_path,
                       struct scoring_doc_result *result, struct error *err);

/* `input`: {department: query_department's JSON, results: results_table's
 * JSON, ranked: its rows by rank} (results_summary_content). */
int scoring_doc_summary(const json_t *input, const char *output_path,
                        struct scoring_doc_result *result, struct error *err);

#endif
