/* query — every read the reviewers' tools make, answered from the store as
 * JSON values (jansson) that the CLI prints or tabulates and the server
 * sends as they are.  Owns the SQL that reads; never writes.
 *
 * Ownership: every query_* function returns a new reference the caller
 * must json_decref, or NULL with err filled (ERROR_NOT_FOUND for what does
 * not exist).  National IDs are masked unless the caller asks for them
 * whole.  Threads: any number at once, each with its own store. */
#ifndef BEISHEN_QUERY_H
#define BEISHEN_QUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <sqlite3.h>
#include "store/index.h"
#include "store/store.h"

/* Finds an application by its id "<department>-<application_no>" or by its
 * bare number when only one department has it.  Fills *application_id.
 * ERROR_NOT_FOUND when there is none, ERROR_INVALID when a bare number
 * names several. */
int query_resolve_application(struct store *store, const char *id_or_number,
                              sqlite3_int64 *application_id, struct error *err);

/* The same, and fills key with the application's "<department>-<application_no>". */
#define QUERY_KEY_SIZE 32
int query_resolve_key(struct store *store, const char *id_or_number,
                      sqlite3_int64 *application_id, char key[QUERY_KEY_SIZE], struct error *err);

/* {department, department_name, university_name, round, exported_at} of
 * a department with applications; ERROR_NOT_FOUND otherwise. */
json_t *query_department(struct store *store, const char *department, struct error *err);

/* What a review packet is drawn from (render/packet.h): {document:
 * "packet-1", application: query_show's JSON with every category (national
 * ID masked) and domain_averages: [{code, name, average}], requirements:
 * the department's newest list or null}. */
json_t *query_packet_content(struct store *store, sqlite3_int64 application_id, struct error *err);

struct applicant_filter {
    const char *department;     /* NULL: all */
    const char *source;         /* "portfolio", "self_made_pdf" or NULL */
    const char *category;       /* only applications with a record there */
    const char *sort;           /* "application_no" (default), "name", "average" */
    bool show_national_id;
};

/* [{id, application_no, department, source, self_made, name, school,
 *   national_id, average, credits_counted, counts:{group: n}, certified_outcomes}] */
json_t *query_applicants(struct store *store, const struct applicant_filter *filter,
                         struct error *err);

/* [{category, group, count}] in the documented order. */
json_t *query_categories(struct store *store, sqlite3_int64 application_id, struct error *err);

/* The applicant's overview (擇要檢視): the header with the student, every
 * category with its count, the domain averages, certification counts
 * {outcomes_certified, outcomes_uncertified, performances_uncertified},
 * and the department's newest list's items each with its record count and
 * "missing" (items null when no list is loaded). */
json_t *query_overview(struct store *store, sqlite3_int64 application_id, struct error *err);

/* {id, application_no, department, department_name, source, self_made, round,
 *  student, categories:[{category, group, records:[…]}]} — all categories
 * when category is NULL.  Fails when the named category does not exist. */
json_t *query_show(struct store *store, sqlite3_int64 application_id, const char *category,
                   bool show_national_id, struct error *err);

/* The key a distribution is taken over: a pool kind of index.h, or the
 * pool of a course row: one subject in one grade and semester. */
enum distribution_key {
    DIST_COURSE = POOL_COURSE, DIST_SUBJECT = POOL_SUBJECT,
    DIST_CATEGORY = POOL_CATEGORY, DIST_DOMAIN = POOL_DOMAIN,
    DIST_TERM = 4,
};

/* Pools of fewer graded rows or applications than this are too small for
 * a percentile to mean anything: outputs print "n 過少" instead (the JSON
 * keeps the figure, with its n). */
#define QUERY_MIN_POOL 10

struct distribution_request {
    const char *department;
    enum distribution_key key;
    const char *value;          /* course code, subject name, category name or domain code */
    int year, semester;         /* with DIST_COURSE: 0 for all terms; DIST_TERM: semester */
    int grade;                  /* with DIST_TERM */
};

/* {department, key, value, n, mean, sd, min, q1, median, q3, max,
 *  histogram:[10], applications:[{id, application_no, name, score, percentile}]}
 * Each application's score is the credit-weighted mean of its graded rows
 * for the key (plain mean when they carry no credits). */
json_t *query_distribution(struct store *store, const struct distribution_request *request,
                           struct error *err);

/* Every distribution of one kind of key in a department, as
 * {key: {n, mean, sd, min, q1, median, q3, max, histogram}} — the same
 * statistics as query_distribution, without the per-application list.
 * Read from pool_statistics (schema 006); pools changed since the last
 * ingest finished are computed from pool_scores. */
json_t *query_department_distributions(struct store *store, const char *department,
                                       enum distribution_key key, struct error *err);

/* {application id: {average, percentile}} for every application in one
 * pool: the scores and percentiles query_distribution gives, without the
 * names or the statistics.  Caller owns the result; NULL on error. */
json_t *query_pool_standings(struct store *store, const char *department,
                             enum distribution_key key, const char *value, struct error *err);

/* Percentile rank with ties counted half: 100 * (below + equal / 2) / n,
 * rounded to one decimal.  Exposed for tests. */
double query_percentile_rank(int below, int equal, int n);
/* The cohort rank percentage shown to reviewers: floor((rank-1)*100/size)+1. */
int query_cohort_rank_percent(int rank, int size);

#endif
