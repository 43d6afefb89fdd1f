/* score_handlers — the workstation's review-scoring API (routes.c maps
 * the paths).  Access: a reviewer sees and scores only the applications
 * assigned to them; the office sees every department of its university,
 * reopens sheets, adds third readers, reassigns and downloads the results;
 * an admin sees none.  Every change needs the CSRF header (routes.c) and is
 * committed only once its audit row is in the journal.  A save names the
 * version it started from; a stale one is answered 409 with the sheet as
 * it is now, so nothing typed is lost. */
#ifndef BEISHEN_SCORE_HANDLERS_H
#define BEISHEN_SCORE_HANDLERS_H

#include "server/http.h"

/* GET /api/scoring/queue?department=  reviewer: own queue; office: every assignment */
enum MHD_Result handle_scoring_queue(struct http_call *call);
/* GET /api/scoring/sheets/{id}[?reviewer=]  the sheet (office: any reviewer's) */
enum MHD_Result handle_scoring_sheet(struct http_call *call);
/* PUT /api/scoring/sheets/{id}  {version, items}: save the reviewer's draft */
enum MHD_Result handle_scoring_save(struct http_call *call);
/* POST /api/scoring/sheets/{id}/submit  {version, items}: save and lock */
enum MHD_Result handle_scoring_submit(struct http_call *call);
/* POST /api/scoring/sheets/{id}/reopen  {reviewer, revision}: office */
enum MHD_Result handle_scoring_reopen(struct http_call *call);
/* POST /api/scoring/applications/{id}/next-reader: office */
enum MHD_Result handle_scoring_next_reader(struct http_call *call);
/* POST /api/scoring/applications/{id}/reassign  {from, to}: office */
enum MHD_Result handle_scoring_reassign(struct http_call *call);
/* GET /api/scoring/applications/{id}/history: office */
enum MHD_Result handle_scoring_history(struct http_call *call);
/* GET /api/scoring/results?department=: office */
enum MHD_Result handle_scoring_results(struct http_call *call);
/* GET /api/scoring/results.csv?department=: office */
enum MHD_Result handle_scoring_csv(struct http_call *call);
/* GET /api/scoring/summary.pdf?department=: office */
enum MHD_Result handle_scoring_summary(struct http_call *call);
/* GET /api/scoring/scoresheet.pdf?department=[&reviewer=]  reviewer: own; office: any */
enum MHD_Result handle_scoring_scoresheet(struct http_call *call);
/* GET /api/scoring/plan?department=  the review plan (levels' bands, threshold) */
enum MHD_Result handle_scoring_plan(struct http_call *call);

#endif
