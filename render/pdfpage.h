/* pdfpage — pages of one PDF drawn in another by copying their objects.
 *
 * A review packet shows applicants' PDFs page by page.  attach.c has each
 * one re-rendered by Cairo in a limited child process (the "sanitised
 * copy"); this module then places pages of that copy in a packet as PDF
 * Form XObjects, copying the page's content stream, fonts and images byte
 * for byte instead of interpreting and re-encoding them in every packet.
 *
 * Only PDFs the way Cairo 1.16 writes them are read: one classic xref
 * table, no object streams, no incremental updates, each page with its own
 * MediaBox, Resources and one content stream.  Anything else is refused
 * with a message, never guessed at.  Every offset, length and count read
 * from a file is checked against its size.
 *
 * Placing pages happens after Cairo has finished the target document:
 * pdfpage_append() adds an incremental update to it (PDF 1.7 §7.5.6) with
 * the copied objects, one Form XObject per placed page, a content stream
 * per target page that draws them (clipped and framed), and new versions
 * of those pages' objects.  Cairo's own bytes are left as they are, and the
 * same inputs give the same bytes.
 *
 * Ownership: a source holds a reference to the bytes it was opened on and
 * is reference-counted, so the several documents showing one attachment
 * can share it.  Not thread-safe. */
#ifndef BEISHEN_PDFPAGE_H
#define BEISHEN_PDFPAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "core/error.h"

struct pdfpage_source;

/* Parses the xref and page tree of the PDF in `bytes` (a reference is
 * taken).  With `check_all`, also parses every object each page reaches,
 * so that a later pdfpage_append() cannot fail on this source: the child
 * process calls it on its own output.  Returns NULL with a message. */
struct pdfpage_source *pdfpage_source_open(GBytes *bytes, bool check_all, struct error *err);
struct pdfpage_source *pdfpage_source_ref(struct pdfpage_source *source);
void pdfpage_source_unref(struct pdfpage_source *source);   /* NULL is fine */

int pdfpage_source_pages(const struct pdfpage_source *source);
/* Width and height of page `page` (0-based) in points, from its MediaBox. */
void pdfpage_source_size(const struct pdfpage_source *source, int page, double *width,
                         double *height);

/* One source page drawn on one page of the target. */
struct pdfpage_placement {
    const struct pdfpage_source *source;   /* borrowed until pdfpage_append() returns */
    int page;                              /* 0-based page of the source */
    int target_page;                       /* 1-based page of the target */
    /* Where the page goes, in points from the target page's top left; the
     * source page is scaled to fill it. */
    double x, y, width, height;
    uint32_t frame_color;                  /* 0xRRGGBB of the frame drawn over its edge */
    double frame_width;                    /* 0: no frame */
};

/* Appends to `file` (positioned at the end of the target, whose whole
 * bytes are `target`, `target_size`) an incremental update that draws
 * every placement.  A source page placed several times is copied once.
 * Returns 0, or -1 with a message; on failure, what was appended is
 * garbage and the caller discards the file. */
int pdfpage_append(const unsigned char *target, size_t target_size,
                   const struct pdfpage_placement *placements, size_t count, FILE *file,
                   struct error *err);

/* Widths, in thousandths of an em, of the glyphs `cids[0..count)` of a
 * CFF font program (decoded FontFile3 bytes) into widths[]; a width it
 * cannot tell stays NAN.  Returns 0, or -1 when the program is unreadable. */
typedef int (*pdfpage_cff_widths_fn)(const unsigned char *program, size_t size,
                                     const unsigned *cids, size_t count, double *widths,
                                     void *user);

/* Cairo 1.16 writes wrong /W widths for some glyphs of CFF fonts it
 * re-subsets (pdfpage.c says which); this checks every CIDFontType0 font
 * of the PDF in `bytes` against `measure` and, where any width is off by
 * more than half a unit, sets *result to a rewritten copy of the file
 * with the measured widths (same objects, one xref table; the caller
 * unrefs it), and *corrected to how many widths changed.  *result stays
 * NULL when nothing needed correcting.  A /W listing more widths than a
 * font can have glyphs (65,536) is malformed, so `measure` is never asked
 * about more.  Returns 0, or -1 with a message. */
int pdfpage_correct_cff_widths(GBytes *bytes, pdfpage_cff_widths_fn measure, void *user,
                               GBytes **result, int *corrected, struct error *err);

#endif
