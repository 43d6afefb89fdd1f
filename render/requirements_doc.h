/* requirements_doc — the publishable required-item list of a department
 * (校系參採項目及審查重點): stage weights, the items with weights, focus and
 * notes, and the five-level rubric, on one or two A4 pages.  Draws a list
 * as requirements.c stores it; owns nothing between calls.  One thread per
 * process (fonts.h). */
#ifndef BEISHEN_REQUIREMENTS_DOC_H
#define BEISHEN_REQUIREMENTS_DOC_H

#include <jansson.h>
#include "core/error.h"

struct requirements_doc_result {
    int pages;
    long unknown_glyphs;
};

/* Renders `list` (from requirements_latest) to output_path, atomically. */
int requirements_doc_render(const json_t *list, const char *output_path,
                            struct requirements_doc_result *result, struct error *err);

#endif
