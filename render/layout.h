/* layout — the page-layout primitives every beishen PDF is built from:
 * a document on a Cairo PDF surface, text styles, flowing text that breaks
 * across pages line by line, tables whose header repeats on every page,
 * keep-together blocks, images, small drawings, a running header and footer
 * with "n / N" page numbers, a warning band, named destinations and links,
 * the PDF outline and page labels.
 *
 * Two passes.  A document is described by a content function that calls the
 * primitives below.  layout_render() runs it twice: the first pass only
 * measures (no Cairo surface exists, nothing is drawn) and counts the pages;
 * the second draws into the PDF knowing the total, so every footer can say
 * "3 / 41".  The content function must therefore produce the same content
 * both times; layout_render() fails if the page counts differ.
 * layout_drawing_pass() tells the content which pass it is in, for work
 * that should happen once.
 *
 * Errors.  Primitives return 0, or -1 after recording the first error in the
 * document; later primitives then do nothing, and layout_render() returns -1
 * with that message (the way a Cairo context keeps its first error).
 * Images are the exception: a bad image is the caller's to handle, so
 * layout_image() reports it through its own `err` and the document goes on.
 *
 * Ownership.  A struct layout_doc exists only inside layout_render() and is
 * owned by it.  Strings and arrays passed to a primitive are copied or used
 * before it returns, except where a comment says otherwise.  The document
 * owns one Pango context and a handful of Pango layouts that it reuses for
 * every string it sets; the module keeps, for the process, the layouts of
 * strings that repeat (layout_forget_kept() frees them).
 *
 * Units are PDF points (1/72 inch), origin at the top left of the page.
 * Colours are 0xRRGGBB. */
#ifndef BEISHEN_LAYOUT_H
#define BEISHEN_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cairo.h>

#include "fonts/fonts.h"
#include "core/error.h"

enum layout_paper {
    LAYOUT_A4_PORTRAIT,
    LAYOUT_A4_LANDSCAPE,
    LAYOUT_A3_LANDSCAPE
};

enum layout_align {
    LAYOUT_LEFT,
    LAYOUT_CENTER,
    LAYOUT_RIGHT,
    LAYOUT_JUSTIFY
};

/* How a piece of text looks.  A zeroed style is 10 pt black sans, left
 * aligned, so `(struct layout_style){ .bold = true }` reads as intended. */
struct layout_style {
    enum fonts_family family;
    double size;              /* points; 0 means 10 */
    bool bold;
    uint32_t color;           /* text colour; 0 is black */
    enum layout_align align;
};

struct layout_box {
    double x, y, width, height;
};

struct layout_doc;

/* Adds content to a document.  Returns 0, or -1 to abandon the document
 * (use layout_fail() to say why). */
typedef int (*layout_content_fn)(struct layout_doc *doc, void *user);

/* Draws inside `box`, which the document has reserved for it.  Called only
 * in the drawing pass.  Must leave `cr` as it found it (cairo_save/restore). */
typedef void (*layout_draw_fn)(struct layout_doc *doc, cairo_t *cr, struct layout_box box,
                               void *user);

/* What a running header or footer needs to know about the page it is on. */
struct layout_page_info {
    int number;               /* 1-based physical page number */
    int total;                /* pages in the document */
    const char *label;        /* PDF page label ("A-2"), or NULL */
    const char *item;         /* running item in effect at the top of the page, or NULL */
    struct layout_box page;   /* the whole sheet */
    struct layout_box content;
};

/* Draws a page's header and footer in place of the default ones.  The
 * margins are the space it may use. */
typedef void (*layout_decorate_fn)(struct layout_doc *doc, cairo_t *cr,
                                   const struct layout_page_info *page, void *user);

struct layout_options {
    enum layout_paper paper;
    /* Points; 0 means the default: 56 top, 50 bottom, 48 left and right.
     * The header and footer are drawn inside the top and bottom margins. */
    double margin_top, margin_right, margin_bottom, margin_left;

    /* Required, e.g. "2025-03-01T09:00:00Z": written as the PDF's creation
     * and modification date, so that the same inputs give the same bytes. */
    const char *date_utc;
    const char *title, *author, *subject;    /* PDF metadata; may be NULL */

    /* Default running header and footer, each one line, shortened with "…"
     * when too long.  Header: header_left … header_right.  Footer:
     * footer_left … running item … "n / N". */
    const char *header_left, *header_right, *footer_left;
    layout_decorate_fn decorate;     /* replaces the default header and footer */
    void *decorate_user;

    /* A coloured strip under the header of every page, e.g.
     * "自行上傳PDF：無教師認證、無時點歷程紀錄".  NULL for none. */
    const char *band_text;
    uint32_t band_color;             /* 0 means dark red */
};

struct layout_result {
    int pages;
    long unknown_glyphs;      /* characters drawn as "no glyph" boxes; should be 0 */
};

/* Lays out and writes a PDF to `path`: written to a temporary file beside it
 * and renamed into place, so `path` is either the whole new document or
 * untouched.  `result` may be NULL.  Returns 0, or -1 with a message. */
int layout_render(const char *path, const struct layout_options *options,
                  layout_content_fn content, void *user,
                  struct layout_result *result, struct error *err);

/* Frees the laid-out strings that layout_render() keeps from one document
 * to the next (bounded, see layout.c).  For a process that is done
 * rendering, before fonts_shutdown(); a later layout_render() starts anew. */
void layout_forget_kept(void);

/* Records an error that abandons the document; always returns -1. */
int layout_fail(struct layout_doc *doc, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- Flowing content: each primitive places itself at the cursor, below
 * the previous one, and moves to a new page when it does not fit. */

/* A paragraph (or several, separated by '\n') wrapped to the content width
 * at word or, for CJK, character boundaries (UAX #14), breaking across pages
 * between lines.  Invalid UTF-8 is shown with U+FFFD. */
int layout_text(struct layout_doc *doc, const struct layout_style *style, const char *text);

/* Like layout_text(), but kept with what follows, so that a heading or a
 * caption never stands alone at the foot of a page: the text is held and
 * placed by the next content (text, table row, image, drawing, PDF page,
 * notice), moving to a new page together with that content's first part
 * (a line, the table's header and first row, the whole block) when both
 * do not fit.  Space asked for after it waits with it.  A heading held
 * when the next heading comes is placed first, with the second's room. */
int layout_heading(struct layout_doc *doc, const struct layout_style *style, const char *text);

/* Like layout_text(), and a click on it goes to the named destination. */
int layout_link(struct layout_doc *doc, const struct layout_style *style, const char *text,
                const char *destination);

/* Vertical space; dropped at the top of a page. */
int layout_space(struct layout_doc *doc, double points);

/* A horizontal line across the content width. */
int layout_rule(struct layout_doc *doc, double thickness, uint32_t color);

/* Ends the current page; the next content starts a new one.  Does nothing
 * on a page that has no content yet, so there are never blank pages. */
int layout_new_page(struct layout_doc *doc);

/* Starts a new page unless `height` points fit below the cursor. */
int layout_need(struct layout_doc *doc, double height);

/* Runs `block` once to measure it (drawing nothing), starts a new page if it
 * does not fit below the cursor, then runs it again for real.  A block
 * taller than a page flows as usual.  The block must not call
 * layout_new_page(); nested keep-together blocks are measured with their
 * parent. */
int layout_keep_together(struct layout_doc *doc, layout_content_fn block, void *user);

/* Reserves a width x height box at the cursor (width 0: the content width;
 * left aligned) and calls `draw` for it in the drawing pass. */
int layout_drawing(struct layout_doc *doc, double width, double height, layout_draw_fn draw,
                   void *user);

/* A page of another PDF (pdfpage.h), scaled to fit the content width and
 * max_height points (0: the content height), keeping its proportions,
 * centred at the cursor, on white and framed.  Drawn as the vectors it
 * was: its objects are copied into the document after Cairo has written
 * it.  `source` must outlive the layout_render() call. */
struct pdfpage_source;
int layout_pdf_page(struct layout_doc *doc, const struct pdfpage_source *source, int page,
                    double max_height);
/* Text in a padded box with a frame and a background, for warnings and
 * placeholders.  Kept on one page unless taller than a page. */
int layout_notice(struct layout_doc *doc, const struct layout_style *style, const char *text,
                  uint32_t frame_color, uint32_t fill_color);

/* A PNG or JPEG (recognised by its first bytes), scaled to fit a box of at
 * most max_width x max_height points (0: the content width / height) keeping
 * its aspect ratio, centred, with a thin frame.  A JPEG is never decoded:
 * its bytes are embedded in the PDF as they are (DCTDecode), so only
 * 8-bit greyscale or RGB baseline/progressive JPEGs are accepted (CMYK
 * JPEGs would show inverted in many viewers).  A PNG is decoded by libpng
 * through Cairo; at most 40 million pixels.  Returns 0, or -1 with a message
 * in `err` and nothing placed; the document is unaffected.  The first pass
 * reads only the image's header, so a PNG whose header is sound but whose
 * data is corrupt is found out in the drawing pass: it keeps its box, drawn
 * as a crossed-out frame, and the call returns -1 then. */
int layout_image(struct layout_doc *doc, const void *data, size_t size, double max_width,
                 double max_height, struct error *err);

/* ---- Tables.  Rows are streamed: layout_table_begin(), any number of
 * layout_table_row(), layout_table_end().  One table at a time.
 *
 * The header row is drawn at the top of the table and again at the top of
 * every page the table continues on.  A row is never split across pages,
 * except a row taller than a whole page: that one is split between text
 * lines, each part drawn as a row of its own below a repeated header, so
 * nothing is clipped or shrunk.  A cell's drawing is never split. */

#define LAYOUT_TABLE_MAX_COLUMNS 32

struct layout_column {
    double width;             /* fixed width in points, or 0 to use `fraction` */
    double fraction;          /* share of the width left after fixed columns */
    const struct layout_style *style;  /* default for the column's body cells; may be NULL */
};

struct layout_cell {
    const char *text;         /* NULL or "" for no text */
    const struct layout_style *style;  /* NULL: the column's, then the table's style */
    uint32_t fill;            /* background; 0 means none (zebra or header fill) */
    const char *link;         /* named destination the text links to, or NULL */
    /* An optional drawing below the text (a mini histogram, a swatch): the
     * cell reserves draw_height points for it, at most a page. */
    layout_draw_fn draw;
    void *draw_user;          /* borrowed until the row is drawn */
    double draw_height;
};

struct layout_table {
    const struct layout_column *columns;  /* column_count entries */
    size_t column_count;                  /* 1 … LAYOUT_TABLE_MAX_COLUMNS */
    /* column_count cells, or NULL for no header.  Borrowed: must stay valid
     * until layout_table_end(), since the header is redrawn on each page. */
    const struct layout_cell *header;
    const struct layout_style *body_style;    /* NULL: 9 pt */
    const struct layout_style *header_style;  /* NULL: 9 pt bold */
    double padding;           /* cell padding in points; 0 means 4 */
    double border_width;      /* 0 means 0.5; negative: no borders */
    uint32_t border_color;    /* 0 means mid grey */
    uint32_t header_fill;     /* 0 means light grey; 0xFFFFFF for none */
    uint32_t zebra_fill;      /* background of every other body row; 0 for none */
};

int layout_table_begin(struct layout_doc *doc, const struct layout_table *table);
/* `cells` has column_count entries. */
int layout_table_row(struct layout_doc *doc, const struct layout_cell *cells);
int layout_table_end(struct layout_doc *doc);

/* ---- Navigation.  Destination names are 1–64 characters from
 * [A-Za-z0-9_.:-]; a link or outline entry naming a destination that the
 * document never defines makes layout_render() fail. */

/* Names the position of the next content placed (so a name given before a
 * heading lands on the heading's page even if the heading moves to a new
 * page). */
int layout_destination(struct layout_doc *doc, const char *name);

#define LAYOUT_OUTLINE_ROOT 0
/* Adds a bookmark under `parent` (LAYOUT_OUTLINE_ROOT or an id returned
 * earlier) that goes to `destination`.  Returns the new entry's id (> 0),
 * or -1.  Inside a keep-together measurement it adds nothing and returns 0. */
int layout_outline(struct layout_doc *doc, int parent, const char *title,
                   const char *destination, bool open);

/* Labels pages from the next page started on: prefix followed by 1, 2, …
 * ("A-1", "A-2").  NULL stops labelling (later pages get no label). */
int layout_page_labels(struct layout_doc *doc, const char *prefix);

/* Sets the running item shown in the footer, e.g. "B 書面報告".  It applies
 * to the page it is set on if nothing has been drawn there yet, otherwise
 * from the next page.  NULL clears it. */
int layout_running_item(struct layout_doc *doc, const char *item);

/* ---- Text at a given place, for decorate and draw callbacks.  They draw
 * only in the drawing pass (and outside keep-together measurement) but
 * measure in both. */

/* Wraps `text` to `width` (<= 0: no wrapping) with its top left at (x, y).
 * Returns its height. */
double layout_text_at(struct layout_doc *doc, const struct layout_style *style,
                      const char *text, double x, double y, double width);
/* One line, shortened with "…" to fit `width`.  Returns its height. */
double layout_label_at(struct layout_doc *doc, const struct layout_style *style,
                       const char *text, double x, double y, double width);
/* Unwrapped size of `text`. */
void layout_text_size(struct layout_doc *doc, const struct layout_style *style,
                      const char *text, double *width, double *height);
/* Height of `text` wrapped to `width`. */
double layout_text_height(struct layout_doc *doc, const struct layout_style *style,
                          const char *text, double width);

/* ---- Where things stand. */

bool layout_drawing_pass(const struct layout_doc *doc);
/* Physical number of the current (or, when none is open, the last) page. */
int layout_page_number(const struct layout_doc *doc);
/* Pages in the document: known in the drawing pass, 0 in the first. */
int layout_page_total(const struct layout_doc *doc);
struct layout_box layout_content_box(const struct layout_doc *doc);
/* Height left below the cursor, after a held heading (layout_heading) and
 * its space; the whole content height, less that, before a page starts. */
double layout_remaining(struct layout_doc *doc);
/* Unknown glyphs drawn so far in the drawing pass (see layout_result). */
long layout_unknown_glyphs(const struct layout_doc *doc);

#endif
