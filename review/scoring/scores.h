/* scores — reviewers' score sheets: one per reviewer and application,
 * one rubric level and a whole score inside that level's band for every
 * item of the department's newest required-item list, with an optional
 * comment.  A sheet is a draft until submitted; submitted sheets are
 * locked until the office reopens them.  Every change keeps the sheet's
 * former and new state in score_history (who, when, old → new).  Owns
 * tables score_sheets and score_history (schema 009).
 *
 * Saves are optimistic: each names the version it started from, and a
 * save from an older version is refused with ERROR_CONFLICT, so two
 * sessions never overwrite each other unseen.  Submitting the last
 * reading of an application whose totals differ by more than the plan's
 * threshold flags it (差分) and, when the plan says so, assigns a third
 * reader in the same transaction.
 *
 * Ownership: json_t results are new references the caller json_decrefs;
 * json_t arguments are borrowed.  Threads: any number at once, each with
 * its own store. */
#ifndef BEISHEN_SCORES_H
#define BEISHEN_SCORES_H

#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "scoring/plan.h"
#include "store/store.h"

#define SCORES_COMMENT_MAX 2000          /* characters */

/* {application, department, application_no, reviewer, reading, status
 * ("unscored", "draft", "submitted"), version, list_version, items: {code:
 * {level, score, comment}}, total (null until every item is scored),
 * changed_after_scoring, rubric: [{code, name, weight, focus, levels:
 * [{name, low, high, text}]}]}.  ERROR_NOT_FOUND when the reviewer does
 * not read the application. */
json_t *scores_sheet(struct store *store, const char *department, const char *application_no,
                     const char *reviewer, struct error *err);

struct scores_change {
    const char *department, *application_no;
    const char *reviewer;         /* whose sheet */
    const char *user;             /* who changes it: the reviewer, or the office */
    long long version;            /* the version the change starts from (0: no sheet yet) */
    const json_t *items;          /* {code: {level, score, comment}}: the whole sheet */
};

/* Saves a draft, or submits (every item scored).  On success *sheet (may
 * be NULL) is the sheet as now stored.  ERROR_CONFLICT: the sheet changed
 * since `version`, or it is submitted; ERROR_INVALID: an item breaks a
 * rule (the message names it: "$.B.score: 95 is outside 優良 80–89"). */
int scores_save(struct store *store, const struct scores_change *change, bool submit,
                json_t **sheet, struct error *err);

/* The rule scores_save applies to a sheet's items (what a client sends):
 * checks `items` against the required-item list `list` (checked by
 * requirements_check) and the plan's bands; with `complete`, every item of
 * the list must be scored.  *all_scored says whether every item is;
 * *total is Σ weight × score / 100 in two decimals, half up.  Returns 0,
 * or -1 with ERROR_INVALID naming the first problem's JSON path.  Pure. */
int scores_check_items(const json_t *items, const json_t *list, const struct review_plan *plan,
                       bool complete, bool *all_scored, double *total, struct error *err);

/* The office reopens a submitted sheet (a draft again, its version moved).
 * `for_revision` records that a flagged application is resolved by its
 * readers revising. */
int scores_reopen(struct store *store, const char *department, const char *application_no,
                  const char *reviewer, const char *user, bool for_revision, struct error *err);

/* [{reviewer, at, user, action, old, new}] of an application, oldest first. */
json_t *scores_history(struct store *store, const char *department, const char *application_no,
                       struct error *err);

/* Every sheet of a reviewer in the department (scores_sheet's JSON), by
 * application number: what their 評分表 prints. */
json_t *scores_reviewer_sheets(struct store *store, const char *department, const char *reviewer,
                               struct error *err);

/* What a reviewer's 評分表 is drawn from (render/scoring_doc.h): {document:
 * "scoresheet-1", department: query_department's JSON, reviewer, blind,
 * names: {application_no: name} (empty under blind review), sheets:
 * scores_reviewer_sheets' JSON}. */
json_t *scores_sheets_content(struct store *store, const char *department, const char *reviewer,
                              struct error *err);

/* A reviewer's queue: {reviewer, department, assigned, submitted, drafts,
 * next: the first application not yet submitted or null, items:
 * assign_list's rows}. */
json_t *scores_queue(struct store *store, const char *department, const char *reviewer,
                     struct error *err);

#endif
