/* csv — fields of the CSV files beishen writes for spreadsheets (the
 * comparison sheet's table, the office's scores).  One rule for every
 * file: a field is quoted when it holds a comma, a quote or a line break,
 * and a field a spreadsheet would read as a formula (its first character
 * is = + - @, a tab or a carriage return: OWASP's list for CSV injection)
 * is written as text, quoted and prefixed with an apostrophe, so that an
 * applicant's name such as =HYPERLINK("…") is shown, never run.
 * Pure; owns nothing; thread-safe. */
#ifndef BEISHEN_CSV_H
#define BEISHEN_CSV_H

#include <stdbool.h>
#include <stdio.h>

/* True when a spreadsheet would take `text` for a formula. */
bool csv_is_formula(const char *text);

/* Writes one field, then "," or, when `last`, "\r\n". */
void csv_field(FILE *out, const char *text, bool last);

#endif
