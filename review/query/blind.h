/* blind — blind review: what a reviewer sees of an applicant when the
 * department reviews blind.  The identity (name, national ID, school name
 * and code, gender, birth date, class and seat, attachment names) is taken
 * out of the JSON answers, and any text left that still contains one of
 * those values has it replaced (a course code carries the school's code; a
 * statement may name its writer).  The applicant is shown by a pseudonym,
 * 考生 001 …, numbered in an order keyed by the database's secret (schema
 * 010), so it tells nothing about the application number or the school;
 * the number is stored when the application first comes in (schema 013,
 * index_blind_numbers) and never changes after, so an application added
 * later takes the next number and renumbers no one.
 *
 * Ownership: blind_names_load returns a table the caller frees with
 * blind_names_free; the blind_* transforms change the JSON in place.
 * Threads: any number at once, each with its own store. */
#ifndef BEISHEN_BLIND_H
#define BEISHEN_BLIND_H

#include <jansson.h>
#include "core/error.h"
#include "store/store.h"

#define BLIND_PSEUDONYM_SIZE 32

/* The pseudonyms of one department's applications. */
struct blind_names;

struct blind_names *blind_names_load(struct store *store, const char *department, struct error *err);
void blind_names_free(struct blind_names *names);
/* The pseudonym of an application number ("考生 007"), or "考生" when the
 * number is not the department's. */
const char *blind_pseudonym(const struct blind_names *names, const char *application_no);

/* An application's document (query_show, or the "application" of
 * query_packet_content): the student object keeps only what does not
 * identify (program, years, status) plus the pseudonym as its name;
 * attachments are renamed 附件 N.ext; "blind": true is added. */
void blind_application(json_t *document, const struct blind_names *names);

/* Rows that carry "application_no" with "name", "school", "school_code",
 * "national_id" (query_applicants, the comparison table's rows): each
 * row's identity removed and its name replaced by its pseudonym. */
void blind_rows(json_t *rows, const struct blind_names *names);

/* Orders rows made blind by their pseudonyms (then application number):
 * an order by the real names would tell them. */
void blind_sort_by_name(json_t *rows);

#endif
