/* compare_doc — the comparison sheet PDF: a first page with the pool's
 * summary (applicants by source, the distribution of each domain average),
 * then the portfolio applicants and, in their own section, the self-made-PDF
 * applicants, one row each, one column group per review item.  Draws the
 * table that compare_table() builds (each cell's text as the table gives
 * it); never reads the store.  Owns nothing between calls.  One thread per
 * process (fonts.h). */
#ifndef BEISHEN_COMPARE_DOC_H
#define BEISHEN_COMPARE_DOC_H

#include <jansson.h>
#include <stdbool.h>
#include "core/error.h"

struct compare_doc_options {
    bool a3;                   /* A3 landscape instead of A4 landscape */
};

struct compare_doc_result {
    int pages;
    long unknown_glyphs;
};

int compare_doc_render(const json_t *table, const struct compare_doc_options *options,
                       const char *output_path, struct compare_doc_result *result,
                       struct error *err);

#endif
