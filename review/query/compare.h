/* compare — the comparison table of a department's applicants: one row per
 * application, one column group per review item of the department's
 * required-item list (or per item present when no list is loaded).
 * Portfolio applicants and self-made-PDF applicants are kept in separate
 * sections and never ranked together.  The numbers come from query.c (the
 * per-domain averages and their percentiles are query_distribution's), so
 * the sheet, its CSV and `beishen dist` always agree.  Built as JSON so the
 * PDF (render/compare_doc.c), the CSV and the server share it.
 *
 * Ownership: compare_table returns a new reference; the caller json_decrefs. */
#ifndef BEISHEN_COMPARE_H
#define BEISHEN_COMPARE_H

#include <jansson.h>
#include <stdio.h>
#include "store/store.h"

struct compare_request {
    const char *department;
    const char *const *applications;  /* NULL-terminated ids, or NULL: all of the department */
    const char *sort;                  /* "application_no" (default), "average", or an item code */
};

/* {department, department_name, university_name, round, exported_at,
 *  requirements: {version, loaded_at} | null,
 *  items: [{code, name, weight|null, focus|null}],
 *  domains: [{code, name}],
 *  pool: {portfolio, self_made, distributions: {domain code: statistics}},
 *  sort: {key, label}: how the rows are ordered, as printed on the sheet,
 *  sections: [{name: "portfolio"|"self_made", title, rows: [row…]}]}
 * A portfolio row: {id, application_no, name, school, average, courses,
 *   domains: {code: {average, percentile}}, items: {code: cell}, total_records, flags: [..]}
 * where an item cell is {count, certified} for B–E, {count, best_level,
 *   best_award} for F–M, {supplied, characters, files} for N and later.
 * A self-made row: {id, application_no, name, school, items: {code:
 *   {supplied, files}}, total_records, flags}.
 * Every row also has texts: {items: {code: text}, domains: {code: text}},
 * each cell as the sheet and the CSV print it ("85.20 (PR 73.5)",
 * "85.20 (n過少)" for a domain pool under QUERY_MIN_POOL, "2（認證1）",
 * "812字", "312 words" for an English text), so that documents draw the
 * table as given.
 * Safe to call from several threads, each with its own store. */
json_t *compare_table(struct store *store, const struct compare_request *request,
                      struct error *err);

/* Writes the table as CSV (UTF-8 with a BOM, for Excel), one line per
 * applicant with a section column.  Returns 0 or -1 on a write error. */
int compare_write_csv(const json_t *table, FILE *out);

#endif
