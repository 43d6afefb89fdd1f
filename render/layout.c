/* layout — page layout over a Cairo PDF surface, in two passes.
 *
 * Owns, for the duration of one layout_render() call: the PDF surface and
 * its Cairo context (drawing pass only), one Pango context, the few Pango
 * layouts that every string goes through, and the flow state (page, cursor,
 * open table, pending destinations, running item, page labels).  For the
 * process, until layout_forget_kept(): the laid-out strings that repeat
 * within and across documents (see text_layout()).
 *
 * The first pass runs the caller's content with no surface at all: every
 * primitive measures and moves the cursor exactly as it will when drawing,
 * but draws nothing.  Pages therefore break at the same places in both
 * passes, and the second pass knows the page total for the footers. */
#include "render/layout.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <zlib.h>

#include "render/pdfpage.h"
#include "core/files.h"

/* Cairo compresses every stream of a PDF (page contents, font subsets,
 * images) with zlib at its default level, 6, and offers no setting.  At
 * level 1 a packet takes some 9 % fewer instructions to write and its file
 * is some 5 % larger.  This definition takes the place of zlib's own: the
 * dynamic linker binds Cairo's call to the executable's symbol before the
 * library's.  Nothing else in beishen compresses. */
int deflateInit_(z_streamp stream, int level, const char *version, int stream_size)
{
    (void)level;
    return deflateInit2_(stream, 1, Z_DEFLATED, MAX_WBITS, 8, Z_DEFAULT_STRATEGY, version,
                         stream_size);
}

/* Sheet sizes in points: A4 is 210 x 297 mm, A3 297 x 420 mm. */
#define A4_SHORT 595.2756
#define A4_LONG 841.8898
#define A3_LONG 1190.5512

#define DEFAULT_MARGIN_TOP 56.0
#define DEFAULT_MARGIN_BOTTOM 50.0
#define DEFAULT_MARGIN_SIDE 48.0

#define TEXT_SIZE 10.0
#define CELL_SIZE 9.0
#define DECORATION_SIZE 8.0
#define DECORATION_COLOR 0x555555
#define DECORATION_RULE_COLOR 0xA0A0A0
#define BAND_HEIGHT 20.0
#define BAND_GAP 10.0
#define BAND_COLOR 0xA8231E

#define CELL_PADDING 4.0
#define CELL_BORDER 0.5
#define CELL_BORDER_COLOR 0x8C8C8C
#define HEADER_FILL 0xE4E8EE
#define CELL_DRAWING_GAP 2.0

#define IMAGE_FRAME_COLOR 0x808080
#define PDF_PAGE_FRAME_COLOR 0x8C8C8C
#define PDF_PAGE_FRAME_WIDTH 0.75
/* The document layout_render() has just written, read back to add the
 * pages of other PDFs to it. */
#define MAX_DOCUMENT_BYTES ((size_t)2 << 30)
#define MAX_IMAGE_PIXELS 40000000.0
/* A JPEG is embedded as it is, so the pixels Cairo holds for it are never
 * shown; a thumbnail-sized stand-in keeps big photos from costing memory. */
#define JPEG_STAND_IN_SIDE 64

#define MAX_PENDING_DESTINATIONS 16
#define MAX_NAME 64
#define MAX_LABEL 128

/* Slack for comparing accumulated floating-point positions. */
#define EPSILON 0.01

/* How a table cell's content is laid out, and how much of it is drawn. */
struct cell_plan {
    PangoLayout *layout;
    int lines;                /* 0 when the cell has no text */
    int next_line;            /* first line not yet drawn */
    double drawing_height;    /* 0 when the cell has no drawing */
    bool drawing_pending;
    uint32_t color;           /* of the text */
    const char *link;         /* destination the text links to, or NULL */
};

struct table_state {
    bool open;
    size_t columns;
    double edges[LAYOUT_TABLE_MAX_COLUMNS + 1];   /* x of each column's left edge, then the right edge */
    struct layout_style column_styles[LAYOUT_TABLE_MAX_COLUMNS];
    bool column_has_style[LAYOUT_TABLE_MAX_COLUMNS];
    struct layout_style body_style, header_style;
    const struct layout_cell *header;             /* borrowed from the caller */
    struct cell_plan header_plan[LAYOUT_TABLE_MAX_COLUMNS];
    double header_height;                         /* 0 without a header */
    int header_page;                              /* page the header was last drawn on */
    double padding, border_width;
    uint32_t border_color, header_fill, zebra_fill;
    long rows;
};

struct layout_doc {
    const struct layout_options *options;
    double page_width, page_height;
    struct layout_box content;
    double margin_top, margin_bottom;

    cairo_surface_t *surface;         /* both NULL in the counting pass */
    cairo_t *cr;

    PangoContext *pango;
    PangoFontDescription *font;       /* rewritten for each string */
    PangoLayout *flow;                /* layout_text, layout_link */
    PangoLayout *label;               /* layout_text_at and friends: never kept across calls */
    PangoLayout *cells[2 * LAYOUT_TABLE_MAX_COLUMNS];   /* header cells, then body cells */

    int page_number;                  /* pages started so far */
    int page_total;                   /* from the counting pass; 0 during it */
    bool page_open;
    double y;                         /* the cursor */
    int measuring;                    /* > 0 inside a keep-together measurement */

    char *label_prefix;
    int label_index;
    char page_label[MAX_LABEL];
    char *item;
    char *page_item;                  /* item in effect at the top of the open page */

    char pending[MAX_PENDING_DESTINATIONS][MAX_NAME + 1];
    int pending_count;

    /* A heading or caption kept with what follows (layout_heading): it is
     * placed by the next content, with that content's first part. */
    struct {
        char *text;                   /* NULL when nothing is held */
        struct layout_style style;
        double space;                 /* layout_space() asked for after it */
    } held;

    int outline_count;
    long unknown_glyphs;
    struct table_state table;
    GArray *placements;               /* struct pdfpage_placement, drawing pass only */

    bool failed;
    struct error error;
};

/* ---- Errors and small helpers */

static int fail_va(struct layout_doc *doc, const char *format, va_list args)
{
    if (!doc->failed) {
        vsnprintf(doc->error.message, sizeof doc->error.message, format, args);
        doc->failed = true;
    }
    return -1;
}

int layout_fail(struct layout_doc *doc, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fail_va(doc, format, args);
    va_end(args);
    return -1;
}

static bool drawing(const struct layout_doc *doc)
{
    return doc->cr != NULL && doc->measuring == 0;
}

static void set_color(cairo_t *cr, uint32_t rgb)
{
    cairo_set_source_rgb(cr, ((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0,
                         (rgb & 0xFF) / 255.0);
}

static char *copy_string(const char *text)
{
    return text ? g_strdup(text) : NULL;
}

static double page_bottom(const struct layout_doc *doc)
{
    return doc->content.y + doc->content.height;
}

static bool at_page_top(const struct layout_doc *doc)
{
    return doc->y <= doc->content.y + EPSILON;
}

/* Destination names end up inside Cairo's attribute strings and PDF name
 * trees; a plain alphabet means no quoting can go wrong. */
static bool valid_name(const char *name)
{
    size_t length = name ? strlen(name) : 0;
    if (length == 0 || length > MAX_NAME)
        return false;
    for (const char *p = name; *p; p++)
        if (!g_ascii_isalnum(*p) && !strchr("_.:-", *p))
            return false;
    return true;
}

/* "2025-03-01T09:00:00Z": Cairo turns it into the PDF date D:20250301090000Z. */
static bool valid_utc(const char *text)
{
    static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";
    if (!text || strlen(text) != sizeof pattern - 1)
        return false;
    for (size_t i = 0; pattern[i]; i++)
        if (pattern[i] == 'd' ? !g_ascii_isdigit(text[i]) : text[i] != pattern[i])
            return false;
    return true;
}

/* ---- Text through the reusable layouts */

static void set_text(PangoLayout *layout, const char *text)
{
    if (!text)
        text = "";
    if (g_utf8_validate(text, -1, NULL)) {
        pango_layout_set_text(layout, text, -1);
        return;
    }
    /* Pango refuses invalid UTF-8 outright; show the bad bytes as U+FFFD. */
    char *valid = g_utf8_make_valid(text, -1);
    pango_layout_set_text(layout, valid, -1);
    g_free(valid);
}

/* Prepares `layout` to show `text` in `style`, wrapped to `width` (<= 0: no
 * wrapping) or, with one_line, cut to one line with "…".  `count` adds the
 * string's missing glyphs to the document's tally: true only for strings
 * that are about to be drawn, so nothing is counted twice. */
static void prepare_layout(struct layout_doc *doc, PangoLayout *layout,
                           const struct layout_style *style, double default_size,
                           const char *text, double width, bool one_line, bool count)
{
    struct layout_style plain = { 0 };
    if (!style)
        style = &plain;
    double size = style->size > 0 ? style->size : default_size;

    pango_font_description_set_family(doc->font, fonts_family_list(style->family));
    pango_font_description_set_weight(doc->font, style->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_size(doc->font, (int)(size * PANGO_SCALE + 0.5));
    pango_layout_set_font_description(layout, doc->font);

    static const PangoAlignment alignments[] = {
        [LAYOUT_LEFT] = PANGO_ALIGN_LEFT, [LAYOUT_CENTER] = PANGO_ALIGN_CENTER,
        [LAYOUT_RIGHT] = PANGO_ALIGN_RIGHT, [LAYOUT_JUSTIFY] = PANGO_ALIGN_LEFT,
    };
    unsigned align = (unsigned)style->align <= LAYOUT_JUSTIFY ? (unsigned)style->align : LAYOUT_LEFT;
    pango_layout_set_alignment(layout, alignments[align]);
    pango_layout_set_justify(layout, align == LAYOUT_JUSTIFY);

    pango_layout_set_width(layout, width > 0 ? (int)(width * PANGO_SCALE) : -1);
    /* WORD_CHAR follows UAX #14 and still breaks a long run without break
     * opportunities (a URL, a SHA-256) rather than letting it overflow. */
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_ellipsize(layout, one_line ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
    pango_layout_set_height(layout, -1);
    set_text(layout, text);

    if (count)
        doc->unknown_glyphs += pango_layout_get_unknown_glyphs_count(layout);
}

/* Every string is set twice, in the counting and the drawing pass; short
 * ones (table cells, running headers, labels) repeat on every row and page,
 * and many (headings, course, school and category names) repeat from one
 * application's document to the next.  So each distinct string, with its
 * style and width, is laid out once and kept: in a Pango context of the
 * module's own, which no document changes.  A document may keep up to a
 * count and a total length; between documents, what is kept is cut back to
 * a smaller budget, first to the strings the last document used, so that
 * a long batch holds no more than one document's worth and the budget.
 * Never during a document: its kept layouts are lent to it. */
#define KEPT_TEXT_MAX 8192
#define KEPT_LAYOUTS_MAX 32768
#define KEPT_BYTES_MAX ((size_t)4 << 20)
#define KEPT_BETWEEN_LAYOUTS 4096
#define KEPT_BETWEEN_BYTES ((size_t)512 << 10)

struct kept_layout {
    PangoLayout *layout;
    int unknown_glyphs;
    size_t length;                /* of its text */
    unsigned last_document;       /* kept.document when last lent */
};

static struct {
    PangoContext *pango;
    GHashTable *layouts;          /* key (see text_layout) -> struct kept_layout */
    size_t bytes;                 /* total length of their texts */
    unsigned document;            /* counts layout_render() calls */
} kept;

static void kept_layout_free(void *data)
{
    struct kept_layout *layout = data;
    g_object_unref(layout->layout);
    g_free(layout);
}

void layout_forget_kept(void)
{
    if (kept.layouts)
        g_hash_table_destroy(kept.layouts);
    if (kept.pango)
        g_object_unref(kept.pango);
    memset(&kept, 0, sizeof kept);
}

static bool over_between_budget(void)
{
    return g_hash_table_size(kept.layouts) > KEPT_BETWEEN_LAYOUTS || kept.bytes > KEPT_BETWEEN_BYTES;
}

static gboolean unused_by_last_document(void *key, void *value, void *user)
{
    struct kept_layout *layout = value;
    (void)key;
    (void)user;
    if (layout->last_document == kept.document)
        return FALSE;
    kept.bytes -= layout->length;
    return TRUE;
}

/* At a document's start: what is kept, cut back to the budget between
 * documents.  Returns -1 with a message when the Pango context cannot be
 * made. */
static int kept_open(struct error *err)
{
    if (kept.layouts && over_between_budget())
        g_hash_table_foreach_remove(kept.layouts, unused_by_last_document, NULL);
    if (kept.layouts && over_between_budget()) {
        g_hash_table_remove_all(kept.layouts);
        kept.bytes = 0;
    }
    if (!kept.pango && !(kept.pango = fonts_context_new(err)))
        return -1;
    if (!kept.layouts)
        kept.layouts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, kept_layout_free);
    kept.document++;
    return 0;
}

/* A layout showing `text` as prepare_layout() would set it: a kept one for
 * short texts, else `slot`, prepared anew.  Borrowed: a kept layout lives
 * at least as long as the document, `slot` until its next use.  Callers
 * only read it (lines, extents) and draw it. */
static PangoLayout *text_layout(struct layout_doc *doc, PangoLayout *slot,
                                const struct layout_style *style, double default_size,
                                const char *text, double width, bool one_line, bool count)
{
    const char *shown = text ? text : "";
    size_t length = strlen(shown);
    struct layout_style plain = { 0 };
    const struct layout_style *s = style ? style : &plain;
    char *key = length > KEPT_TEXT_MAX ? NULL
        : g_strdup_printf("%d|%d|%d|%.4f|%.4f|%d|%s", (int)s->family, (int)s->bold, (int)s->align,
                          s->size > 0 ? s->size : default_size, width, (int)one_line, shown);
    struct kept_layout *found = key ? g_hash_table_lookup(kept.layouts, key) : NULL;
    bool room = g_hash_table_size(kept.layouts) < KEPT_LAYOUTS_MAX && kept.bytes + length <= KEPT_BYTES_MAX;
    if (!found && key && room) {
        found = g_new(struct kept_layout, 1);
        found->layout = pango_layout_new(kept.pango);
        prepare_layout(doc, found->layout, style, default_size, text, width, one_line, false);
        found->unknown_glyphs = pango_layout_get_unknown_glyphs_count(found->layout);
        found->length = length;
        g_hash_table_insert(kept.layouts, key, found);
        kept.bytes += length;
        key = NULL;   /* the table owns it now */
    }
    g_free(key);
    if (!found) {
        prepare_layout(doc, slot, style, default_size, text, width, one_line, count);
        return slot;
    }
    found->last_document = kept.document;
    if (count)
        doc->unknown_glyphs += found->unknown_glyphs;
    return found->layout;
}

static double layout_height(PangoLayout *layout)
{
    PangoRectangle logical;
    pango_layout_get_extents(layout, NULL, &logical);
    return logical.height / (double)PANGO_SCALE;
}

/* How many lines of `layout`, from line `first` and at most `max_lines`,
 * fit in `room` points; their height goes to *used. */
static int lines_that_fit(PangoLayout *layout, int first, int max_lines, double room, double *used)
{
    PangoLayoutIter *iter = pango_layout_get_iter(layout);
    int index = 0, count = 0;
    double top = 0;

    *used = 0;
    do {
        if (index >= first) {
            PangoRectangle logical;
            pango_layout_iter_get_line_extents(iter, NULL, &logical);
            if (index == first)
                top = logical.y / (double)PANGO_SCALE;
            double bottom = (logical.y + logical.height) / (double)PANGO_SCALE;
            if (count == max_lines || bottom - top > room + EPSILON)
                break;
            *used = bottom - top;
            count++;
        }
        index++;
    } while (pango_layout_iter_next_line(iter));
    pango_layout_iter_free(iter);
    return count;
}

/* Cairo 1.16 gives every link annotation a /StructParent entry pointing at
 * a structure element that it writes only when the page has a structure
 * tree; a bare link therefore leaves a dangling object and qpdf calls the
 * file damaged.  Wrapping each link in a paragraph element makes Cairo
 * write the tree. */
static void begin_link(cairo_t *cr, const char *destination)
{
    char attributes[MAX_NAME + 16];
    snprintf(attributes, sizeof attributes, "dest='%s'", destination);
    cairo_tag_begin(cr, "P", NULL);
    cairo_tag_begin(cr, CAIRO_TAG_LINK, attributes);
}

static void end_link(cairo_t *cr)
{
    cairo_tag_end(cr, CAIRO_TAG_LINK);
    cairo_tag_end(cr, "P");
}

/* Draws `count` lines of `layout` from line `first`, the top of the first
 * one at y.  Drawing line by line is what lets a paragraph or a table cell
 * continue on the next page. */
static void draw_lines(struct layout_doc *doc, PangoLayout *layout, int first, int count,
                       double x, double y, const char *link)
{
    PangoLayoutIter *iter = pango_layout_get_iter(layout);
    int index = 0, origin = 0;

    if (link)
        begin_link(doc->cr, link);
    do {
        if (index >= first + count)
            break;
        if (index >= first) {
            PangoRectangle logical;
            pango_layout_iter_get_line_extents(iter, NULL, &logical);
            if (index == first)
                origin = logical.y;
            int baseline = pango_layout_iter_get_baseline(iter);
            cairo_move_to(doc->cr, x + logical.x / (double)PANGO_SCALE,
                          y + (baseline - origin) / (double)PANGO_SCALE);
            pango_cairo_show_layout_line(doc->cr, pango_layout_iter_get_line_readonly(iter));
        }
        index++;
    } while (pango_layout_iter_next_line(iter));
    if (link)
        end_link(doc->cr);
    pango_layout_iter_free(iter);
}

/* ---- Pages */

static void draw_band(struct layout_doc *doc)
{
    const struct layout_options *o = doc->options;
    struct layout_style style = { .size = 10.5, .bold = true, .color = 0xFFFFFF,
                                  .align = LAYOUT_CENTER };
    double x = doc->content.x, y = doc->margin_top, width = doc->content.width;

    set_color(doc->cr, o->band_color ? o->band_color : BAND_COLOR);
    cairo_rectangle(doc->cr, x, y, width, BAND_HEIGHT);
    cairo_fill(doc->cr);
    PangoLayout *band = text_layout(doc, doc->label, &style, 10.5, o->band_text, width - 12, true, true);
    double height = layout_height(band);
    set_color(doc->cr, style.color);
    cairo_move_to(doc->cr, x + 6, y + (BAND_HEIGHT - height) / 2);
    pango_cairo_show_layout(doc->cr, band);
}

static void draw_rule(cairo_t *cr, double x1, double x2, double y, double width, uint32_t color)
{
    set_color(cr, color);
    cairo_set_line_width(cr, width);
    cairo_move_to(cr, x1, y);
    cairo_line_to(cr, x2, y);
    cairo_stroke(cr);
}

/* Header: left text … right text, over a hairline.  Footer, under a
 * hairline: left text … running item … "n / N".  Each slot is one line,
 * shortened with "…" so slots never run into each other. */
static void draw_default_decoration(struct layout_doc *doc, const struct layout_page_info *page)
{
    const struct layout_options *o = doc->options;
    const double gap = 12;
    double left = doc->content.x, width = doc->content.width, right = left + width;
    struct layout_style plain = { .size = DECORATION_SIZE, .color = DECORATION_COLOR };
    struct layout_style at_right = plain, centred = plain;
    at_right.align = LAYOUT_RIGHT;
    centred.align = LAYOUT_CENTER;
    double w, line;

    layout_text_size(doc, &plain, "國", NULL, &line);

    if (o->header_left || o->header_right) {
        double rule_y = doc->margin_top - 10, text_y = rule_y - 3 - line;
        double right_width = 0;
        if (o->header_right) {
            layout_text_size(doc, &plain, o->header_right, &right_width, NULL);
            right_width = fmin(right_width + 1, width * 0.5);
            layout_label_at(doc, &at_right, o->header_right, right - right_width, text_y, right_width);
        }
        if (o->header_left)
            layout_label_at(doc, &plain, o->header_left, left, text_y,
                            width - right_width - (right_width > 0 ? gap : 0));
        draw_rule(doc->cr, left, right, rule_y, 0.5, DECORATION_RULE_COLOR);
    }

    double rule_y = doc->page_height - doc->margin_bottom + 10, text_y = rule_y + 3;
    char number[48];
    snprintf(number, sizeof number, "%d / %d", page->number, page->total);
    layout_text_size(doc, &plain, number, &w, NULL);
    double number_width = w + 1;
    layout_label_at(doc, &at_right, number, right - number_width, text_y, number_width);

    double item_width = 0;
    if (page->item) {
        layout_text_size(doc, &plain, page->item, &item_width, NULL);
        item_width = fmin(item_width + 1, width * 0.4);
        layout_label_at(doc, &centred, page->item, left + (width - item_width) / 2, text_y, item_width);
    }
    if (o->footer_left) {
        double limit = page->item ? (width - item_width) / 2 - gap : width - number_width - gap;
        layout_label_at(doc, &plain, o->footer_left, left, text_y, limit);
    }
    draw_rule(doc->cr, left, right, rule_y, 0.5, DECORATION_RULE_COLOR);
}

static void decorate_page(struct layout_doc *doc)
{
    struct layout_page_info page = {
        .number = doc->page_number,
        .total = doc->page_total,
        .label = doc->page_label[0] ? doc->page_label : NULL,
        .item = doc->page_item,
        .page = { 0, 0, doc->page_width, doc->page_height },
        .content = doc->content,
    };
    cairo_save(doc->cr);
    if (doc->options->band_text)
        draw_band(doc);
    if (doc->options->decorate)
        doc->options->decorate(doc, doc->cr, &page, doc->options->decorate_user);
    else
        draw_default_decoration(doc, &page);
    cairo_restore(doc->cr);
}

static void open_page(struct layout_doc *doc)
{
    doc->page_number++;
    doc->page_open = true;
    doc->y = doc->content.y;
    g_free(doc->page_item);
    doc->page_item = copy_string(doc->item);
    doc->page_label[0] = '\0';
    if (doc->label_prefix) {
        snprintf(doc->page_label, sizeof doc->page_label, "%s%d", doc->label_prefix,
                 ++doc->label_index);
        if (doc->surface)
            cairo_pdf_surface_set_page_label(doc->surface, doc->page_label);
    }
}

static void close_page(struct layout_doc *doc)
{
    if (!doc->page_open)
        return;
    if (doc->cr) {
        decorate_page(doc);
        cairo_show_page(doc->cr);
    }
    doc->page_open = false;
}

static void ensure_page(struct layout_doc *doc)
{
    if (!doc->page_open)
        open_page(doc);
}

/* Destinations wait for the next content so that they land on its page. */
static void place_destinations(struct layout_doc *doc, double y)
{
    if (doc->cr) {
        for (int i = 0; i < doc->pending_count; i++) {
            /* g_ascii_formatd: a decimal comma from the host's locale would
             * break Cairo's attribute parser. */
            char attributes[MAX_NAME + 96], x_text[G_ASCII_DTOSTR_BUF_SIZE], y_text[G_ASCII_DTOSTR_BUF_SIZE];
            g_ascii_formatd(x_text, sizeof x_text, "%.2f", doc->content.x);
            g_ascii_formatd(y_text, sizeof y_text, "%.2f", y);
            snprintf(attributes, sizeof attributes, "name='%s' x=%s y=%s", doc->pending[i],
                     x_text, y_text);
            cairo_tag_begin(doc->cr, CAIRO_TAG_DEST, attributes);
            cairo_tag_end(doc->cr, CAIRO_TAG_DEST);
        }
    }
    doc->pending_count = 0;
}

static void flush_held(struct layout_doc *doc, double next_height);

/* Reserves `height` points at the cursor for something that is not split,
 * moving to a new page first if it does not fit; returns its top. */
static double place_block(struct layout_doc *doc, double height)
{
    flush_held(doc, height);
    if (doc->measuring) {
        double top = doc->y;
        doc->y += height;
        return top;
    }
    ensure_page(doc);
    if (doc->y + height > page_bottom(doc) + EPSILON && !at_page_top(doc)) {
        close_page(doc);
        open_page(doc);
    }
    double top = doc->y;
    place_destinations(doc, top);
    doc->y += height;
    return top;
}

/* ---- Flowing text */

static int flow_text(struct layout_doc *doc, const struct layout_style *style, const char *text,
                     const char *link);

/* Places the held heading, first moving to a new page when it and the
 * next `next_height` points of content do not both fit below the cursor. */
static void flush_held(struct layout_doc *doc, double next_height)
{
    if (!doc->held.text || doc->measuring)
        return;
    char *text = doc->held.text;
    struct layout_style style = doc->held.style;
    double space = doc->held.space;
    doc->held.text = NULL;
    doc->held.space = 0;
    PangoLayout *layout = text_layout(doc, doc->flow, &style, TEXT_SIZE, text,
                                      doc->content.width, false, false);
    double height = layout_height(layout) + space + next_height;
    if (doc->page_open && !at_page_top(doc) && height <= doc->content.height &&
        doc->y + height > page_bottom(doc) + EPSILON)
        close_page(doc);
    flow_text(doc, &style, text, NULL);
    layout_space(doc, space);
    g_free(text);
}

int layout_heading(struct layout_doc *doc, const struct layout_style *style, const char *text)
{
    if (doc->failed)
        return -1;
    if (doc->measuring || doc->table.open)
        return flow_text(doc, style, text, NULL);
    flush_held(doc, 0);   /* two headings in a row: the first goes with the second */
    doc->held.text = copy_string(text ? text : "");
    doc->held.style = style ? *style : (struct layout_style){0};
    doc->held.space = 0;
    return 0;
}

static int flow_text(struct layout_doc *doc, const struct layout_style *style, const char *text,
                     const char *link)
{
    if (doc->failed)
        return -1;
    if (link && !valid_name(link))
        return layout_fail(doc, "link to an invalid destination name");

    if (doc->held.text && !doc->measuring) {
        /* The held heading goes with this text's first line. */
        double first_line;
        PangoLayout *measured = text_layout(doc, doc->flow, style, TEXT_SIZE, text,
                                            doc->content.width, false, false);
        lines_that_fit(measured, 0, 1, INFINITY, &first_line);
        flush_held(doc, first_line);
    }
    PangoLayout *layout = text_layout(doc, doc->flow, style, TEXT_SIZE, text, doc->content.width,
                                      false, drawing(doc));
    if (doc->measuring) {
        doc->y += layout_height(layout);
        return 0;
    }

    int total = pango_layout_get_line_count(layout);
    uint32_t color = style ? style->color : 0;
    for (int first = 0; first < total;) {
        ensure_page(doc);
        double used;
        int count = lines_that_fit(layout, first, total, page_bottom(doc) - doc->y, &used);
        if (count == 0 && !at_page_top(doc)) {
            close_page(doc);
            continue;
        }
        if (count == 0)   /* one line taller than a page: draw it anyway */
            count = lines_that_fit(layout, first, 1, INFINITY, &used);
        place_destinations(doc, doc->y);
        if (doc->cr) {
            set_color(doc->cr, color);
            draw_lines(doc, layout, first, count, doc->content.x, doc->y, link);
        }
        doc->y += used;
        first += count;
        if (first < total)
            close_page(doc);
    }
    return 0;
}

int layout_text(struct layout_doc *doc, const struct layout_style *style, const char *text)
{
    return flow_text(doc, style, text, NULL);
}

int layout_link(struct layout_doc *doc, const struct layout_style *style, const char *text,
                const char *destination)
{
    return flow_text(doc, style, text, destination);
}

int layout_space(struct layout_doc *doc, double points)
{
    if (doc->failed)
        return -1;
    if (doc->held.text && !doc->measuring) {
        doc->held.space += fmax(0, points);
        return 0;
    }
    if (doc->measuring) {
        doc->y += points;
        return 0;
    }
    if (!doc->page_open || points <= 0)
        return 0;
    /* Past the bottom, the next content starts a new page anyway. */
    doc->y = fmin(doc->y + points, page_bottom(doc));
    return 0;
}

int layout_rule(struct layout_doc *doc, double thickness, uint32_t color)
{
    if (doc->failed)
        return -1;
    if (thickness <= 0)
        thickness = 0.5;
    double top = place_block(doc, thickness);
    if (drawing(doc))
        draw_rule(doc->cr, doc->content.x, doc->content.x + doc->content.width,
                  top + thickness / 2, thickness, color);
    return 0;
}

int layout_new_page(struct layout_doc *doc)
{
    if (doc->failed)
        return -1;
    /* A held heading stays held: it opens the new page with its content. */
    if (!doc->measuring)
        close_page(doc);
    return 0;
}

int layout_need(struct layout_doc *doc, double height)
{
    if (doc->failed)
        return -1;
    if (doc->held.text && !doc->measuring) {
        flush_held(doc, height);
        return 0;
    }
    if (!doc->measuring && doc->page_open && !at_page_top(doc)
        && doc->y + height > page_bottom(doc) + EPSILON)
        close_page(doc);
    return 0;
}

int layout_keep_together(struct layout_doc *doc, layout_content_fn block, void *user)
{
    if (doc->failed)
        return -1;
    if (doc->measuring)
        return block(doc, user) == 0 && !doc->failed ? 0 : -1;
    if (doc->table.open)
        return layout_fail(doc, "keep-together block inside a table");

    double saved_y = doc->y;
    doc->measuring++;
    doc->y = 0;
    int status = block(doc, user);
    double height = doc->y;
    doc->measuring--;
    doc->y = saved_y;
    if (status != 0 || doc->failed)
        return layout_fail(doc, "keep-together block failed");
    if (doc->table.open)
        return layout_fail(doc, "keep-together block left a table open");

    if (height <= doc->content.height)
        layout_need(doc, height);
    return block(doc, user) == 0 && !doc->failed ? 0 : layout_fail(doc, "keep-together block failed");
}

int layout_drawing(struct layout_doc *doc, double width, double height, layout_draw_fn draw,
                   void *user)
{
    if (doc->failed)
        return -1;
    if (!draw)
        return layout_fail(doc, "layout_drawing without a draw function");
    struct layout_box box;
    box.width = width > 0 ? fmin(width, doc->content.width) : doc->content.width;
    box.height = fmax(0, fmin(height, doc->content.height));
    box.x = doc->content.x;
    box.y = place_block(doc, box.height);
    if (drawing(doc)) {
        cairo_save(doc->cr);
        draw(doc, doc->cr, box, user);
        cairo_restore(doc->cr);
    }
    return 0;
}

/* The page is only reserved and whitened here; pdfpage_append() draws it
 * once Cairo has written the document (see add_pdf_pages()). */
int layout_pdf_page(struct layout_doc *doc, const struct pdfpage_source *source, int page,
                    double max_height)
{
    if (doc->failed)
        return -1;
    if (!source || page < 0 || page >= pdfpage_source_pages(source))
        return layout_fail(doc, "layout_pdf_page: the source has no page %d", page + 1);
    double width, height;
    pdfpage_source_size(source, page, &width, &height);
    double room = max_height > 0 ? fmin(max_height, doc->content.height) : doc->content.height;
    double scale = fmin(doc->content.width / width, room / height);
    struct layout_box box = { .width = width * scale, .height = height * scale };
    box.x = doc->content.x + (doc->content.width - box.width) / 2;
    box.y = place_block(doc, box.height);
    if (drawing(doc)) {
        set_color(doc->cr, 0xFFFFFF);
        cairo_rectangle(doc->cr, box.x, box.y, box.width, box.height);
        cairo_fill(doc->cr);
        struct pdfpage_placement placement = {
            .source = source, .page = page, .target_page = doc->page_number,
            .x = box.x, .y = box.y, .width = box.width, .height = box.height,
            .frame_color = PDF_PAGE_FRAME_COLOR, .frame_width = PDF_PAGE_FRAME_WIDTH,
        };
        g_array_append_val(doc->placements, placement);
    }
    return 0;
}

/* ---- Images */

enum image_kind { IMAGE_PNG, IMAGE_JPEG };

struct image_info {
    enum image_kind kind;
    int width, height;
};

static uint32_t read_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int png_info(const unsigned char *p, size_t size, struct image_info *info, struct error *err)
{
    /* Signature, then the IHDR chunk: length, type, width, height. */
    if (size < 24 || memcmp(p + 12, "IHDR", 4) != 0)
        return error_set(err, ERROR_INVALID, "PNG without an IHDR header");
    uint32_t width = read_be32(p + 16), height = read_be32(p + 20);
    if (width == 0 || height == 0 || width > 65535 || height > 65535)
        return error_set(err, ERROR_INVALID, "PNG of %ux%u pixels", width, height);
    info->kind = IMAGE_PNG;
    info->width = (int)width;
    info->height = (int)height;
    return 0;
}

/* Walks the JPEG marker segments to the frame header (SOF).  Only the forms
 * a PDF's DCTDecode filter reads everywhere are accepted: Huffman-coded
 * baseline, extended or progressive, 8-bit, greyscale or YCbCr/RGB. */
static int jpeg_info(const unsigned char *p, size_t size, struct image_info *info,
                     struct error *err)
{
    size_t i = 2;
    while (i + 4 <= size) {
        if (p[i] != 0xFF)
            return error_set(err, ERROR_INVALID, "JPEG marker expected at byte %zu", i);
        unsigned marker = p[i + 1];
        if (marker == 0xFF) {                       /* fill byte */
            i++;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {   /* no length */
            i += 2;
            continue;
        }
        if (marker == 0xD9 || marker == 0xDA)
            return error_set(err, ERROR_INVALID, "JPEG has no frame header before its image data");
        size_t length = (size_t)p[i + 2] << 8 | p[i + 3];
        if (length < 2 || i + 2 + length > size)
            return error_set(err, ERROR_INVALID, "JPEG segment runs past the end of the file");
        if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
            if (marker > 0xC2)
                return error_set(err, ERROR_INVALID, "JPEG coding (SOF%u) that PDF viewers do not all read",
                                 marker - 0xC0);
            if (length < 8)
                return error_set(err, ERROR_INVALID, "JPEG frame header too short");
            unsigned precision = p[i + 4], components = p[i + 9];
            unsigned height = (unsigned)p[i + 5] << 8 | p[i + 6];
            unsigned width = (unsigned)p[i + 7] << 8 | p[i + 8];
            if (precision != 8)
                return error_set(err, ERROR_INVALID, "%u-bit JPEG", precision);
            if (components != 1 && components != 3)
                return error_set(err, ERROR_INVALID, "JPEG with %u colour components (CMYK is not supported)",
                                 components);
            if (width == 0 || height == 0)
                return error_set(err, ERROR_INVALID, "JPEG of %ux%u pixels", width, height);
            info->kind = IMAGE_JPEG;
            info->width = (int)width;
            info->height = (int)height;
            return 0;
        }
        i += 2 + length;
    }
    return error_set(err, ERROR_INVALID, "JPEG ends before its frame header");
}

static int image_info(const unsigned char *p, size_t size, struct image_info *info,
                      struct error *err)
{
    static const unsigned char png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
    int status;
    if (size >= 8 && memcmp(p, png_signature, 8) == 0)
        status = png_info(p, size, info, err);
    else if (size >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        status = jpeg_info(p, size, info, err);
    else
        return error_set(err, ERROR_INVALID, "not a PNG or JPEG image");
    if (status == 0 && (double)info->width * info->height > MAX_IMAGE_PIXELS)
        return error_set(err, ERROR_INVALID, "image of %dx%d pixels is larger than the limit", info->width,
                         info->height);
    return status;
}

struct byte_reader {
    const unsigned char *data;
    size_t size, offset;
};

static cairo_status_t read_bytes(void *closure, unsigned char *out, unsigned int length)
{
    struct byte_reader *reader = closure;
    if (length > reader->size - reader->offset)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(out, reader->data + reader->offset, length);
    reader->offset += length;
    return CAIRO_STATUS_SUCCESS;
}

/* A Cairo surface for the image, or NULL with a message.  For a JPEG the
 * surface is a small grey stand-in carrying the original bytes as MIME
 * data: Cairo's PDF backend then writes those bytes as the image (the
 * stand-in's pixels are never used) and maps it onto the stand-in's extent,
 * which we scale to the box computed from the JPEG's real size. */
static cairo_surface_t *image_surface(const unsigned char *data, size_t size,
                                      const struct image_info *info, struct error *err)
{
    cairo_surface_t *surface;
    if (info->kind == IMAGE_PNG) {
        struct byte_reader reader = { data, size, 0 };
        surface = cairo_image_surface_create_from_png_stream(read_bytes, &reader);
        if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS
            || cairo_image_surface_get_width(surface) != info->width
            || cairo_image_surface_get_height(surface) != info->height) {
            error_set(err, ERROR_INVALID, "PNG data is corrupt: %s",
                      cairo_status_to_string(cairo_surface_status(surface)));
            cairo_surface_destroy(surface);
            return NULL;
        }
        return surface;
    }

    double shrink = fmin(1.0, (double)JPEG_STAND_IN_SIDE / fmax(info->width, info->height));
    int width = (int)fmax(1, round(info->width * shrink));
    int height = (int)fmax(1, round(info->height * shrink));
    surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    cairo_t *cr = cairo_create(surface);
    set_color(cr, 0xC0C0C0);
    cairo_paint(cr);
    cairo_destroy(cr);

    unsigned char *copy = g_memdup2(data, size);   /* Cairo keeps it until the page is written */
    if (cairo_surface_set_mime_data(surface, CAIRO_MIME_TYPE_JPEG, copy, size, g_free, copy)
        != CAIRO_STATUS_SUCCESS) {
        g_free(copy);
        cairo_surface_destroy(surface);
        error_set(err, ERROR_INVALID, "out of memory attaching JPEG data");
        return NULL;
    }
    return surface;
}

static void draw_crossed_box(cairo_t *cr, double x, double y, double width, double height)
{
    set_color(cr, IMAGE_FRAME_COLOR);
    cairo_set_line_width(cr, 0.5);
    cairo_rectangle(cr, x, y, width, height);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + width, y + height);
    cairo_move_to(cr, x + width, y);
    cairo_line_to(cr, x, y + height);
    cairo_stroke(cr);
}

int layout_image(struct layout_doc *doc, const void *data, size_t size, double max_width,
                 double max_height, struct error *err)
{
    struct image_info info = { IMAGE_PNG, 0, 0 };
    if (doc->failed)
        return error_set(err, ERROR_INVALID, "the document has already failed");
    if (!data || image_info(data, size, &info, err) != 0)
        return -1;

    double box_width = max_width > 0 ? fmin(max_width, doc->content.width) : doc->content.width;
    double box_height = max_height > 0 ? fmin(max_height, doc->content.height) : doc->content.height;
    double scale = fmin(box_width / info.width, box_height / info.height);
    double width = info.width * scale, height = info.height * scale;
    double x = doc->content.x + (doc->content.width - width) / 2;

    if (!drawing(doc)) {
        place_block(doc, height);
        return 0;
    }
    cairo_surface_t *surface = image_surface(data, size, &info, err);
    double y = place_block(doc, height);
    if (!surface) {
        draw_crossed_box(doc->cr, x, y, width, height);
        return -1;
    }
    cairo_save(doc->cr);
    cairo_translate(doc->cr, x, y);
    cairo_scale(doc->cr, width / cairo_image_surface_get_width(surface),
                height / cairo_image_surface_get_height(surface));
    cairo_set_source_surface(doc->cr, surface, 0, 0);
    cairo_paint(doc->cr);
    cairo_restore(doc->cr);
    cairo_surface_destroy(surface);

    set_color(doc->cr, IMAGE_FRAME_COLOR);
    cairo_set_line_width(doc->cr, 0.5);
    cairo_rectangle(doc->cr, x, y, width, height);
    cairo_stroke(doc->cr);
    return 0;
}

/* ---- Tables */

static PangoLayout *cell_layout(struct layout_doc *doc, size_t index)
{
    if (!doc->cells[index])
        doc->cells[index] = pango_layout_new(doc->pango);
    return doc->cells[index];
}

/* The style a cell's text is set in: its own, else its column's (body
 * cells only), else the table's. */
static const struct layout_style *cell_style(const struct table_state *t, size_t column,
                                             const struct layout_cell *cell, bool header)
{
    if (cell->style)
        return cell->style;
    if (header)
        return &t->header_style;
    return t->column_has_style[column] ? &t->column_styles[column] : &t->body_style;
}

/* Lays out a row's cells into the document's cell layouts from index
 * `first_layout` and returns the row's height, or -1 after a failure. */
static double plan_row(struct layout_doc *doc, const struct layout_cell *cells, size_t first_layout,
                       bool header, struct cell_plan *plan)
{
    struct table_state *t = &doc->table;
    double tallest = 0;
    /* A drawing taller than a page could never be placed. */
    double drawing_limit = fmax(1, doc->content.height - t->header_height - 2 * t->padding);

    for (size_t c = 0; c < t->columns; c++) {
        const struct layout_cell *cell = &cells[c];
        double width = t->edges[c + 1] - t->edges[c] - 2 * t->padding;
        bool has_text = cell->text && cell->text[0];
        struct cell_plan *p = &plan[c];

        const struct layout_style *style = cell_style(t, c, cell, header);

        if (cell->link && !valid_name(cell->link))
            return layout_fail(doc, "table cell links to an invalid destination name");
        p->layout = text_layout(doc, cell_layout(doc, first_layout + c), style, CELL_SIZE,
                                has_text ? cell->text : "", fmax(width, 1), false,
                                has_text && drawing(doc));
        p->color = style->color;
        p->link = cell->link;
        p->lines = has_text ? pango_layout_get_line_count(p->layout) : 0;
        p->next_line = 0;
        p->drawing_height = cell->draw ? fmin(fmax(cell->draw_height, 0), drawing_limit) : 0;
        p->drawing_pending = cell->draw != NULL;

        double height = has_text ? layout_height(p->layout) : 0;
        if (cell->draw)
            height += (has_text ? CELL_DRAWING_GAP : 0) + p->drawing_height;
        tallest = fmax(tallest, height);
    }
    return tallest + 2 * t->padding;
}

enum row_progress { ROW_DONE, ROW_MORE, ROW_NOTHING_FITS };

/* How much of a row draw_row_part() may draw. */
enum part_size {
    PART_FIT,        /* what fits below the cursor */
    PART_ONE_LINE,   /* one line (or the drawing) of each unfinished cell, even if it
                        overflows: only on a page holding nothing but the header,
                        where moving on would never help */
    PART_WHOLE       /* everything: the header row */
};

/* Which part of a planned row goes into the next band of cells. */
struct row_part {
    int take[LAYOUT_TABLE_MAX_COLUMNS];             /* lines of each cell */
    double text_height[LAYOUT_TABLE_MAX_COLUMNS];   /* their height */
    bool with_drawing[LAYOUT_TABLE_MAX_COLUMNS];    /* the cell's drawing comes too */
    double height;                                  /* of the band, with padding */
    bool progress;                                  /* anything at all fits */
    bool complete;                                  /* the row is finished with it */
};

static void choose_row_part(const struct layout_doc *doc, const struct cell_plan *plan,
                            enum part_size size, struct row_part *part)
{
    const struct table_state *t = &doc->table;
    double room = size == PART_FIT ? page_bottom(doc) - doc->y - 2 * t->padding : INFINITY;
    double tallest = 0;

    part->progress = false;
    part->complete = true;
    for (size_t c = 0; c < t->columns; c++) {
        const struct cell_plan *p = &plan[c];
        int *take = &part->take[c];
        double *text = &part->text_height[c];

        *take = 0;
        *text = 0;
        if (p->next_line < p->lines)
            *take = lines_that_fit(p->layout, p->next_line, size == PART_ONE_LINE ? 1 : p->lines,
                                   room, text);
        bool text_done = p->next_line + *take >= p->lines;
        double height = *text;
        part->with_drawing[c] = false;
        if (text_done && p->drawing_pending) {
            double with = height + (*take > 0 ? CELL_DRAWING_GAP : 0) + p->drawing_height;
            if (with <= room + EPSILON) {
                part->with_drawing[c] = true;
                height = with;
            }
        }
        part->progress |= *take > 0 || part->with_drawing[c];
        part->complete &= text_done && (!p->drawing_pending || part->with_drawing[c]);
        tallest = fmax(tallest, height);
    }
    part->height = tallest + 2 * t->padding;
}

/* Backgrounds, then text and drawings, then borders, so that a fill never
 * covers a neighbour's border. */
static void paint_row_part(struct layout_doc *doc, const struct layout_cell *cells,
                           const struct cell_plan *plan, const struct row_part *part,
                           uint32_t row_fill, double top)
{
    const struct table_state *t = &doc->table;
    cairo_t *cr = doc->cr;

    for (size_t c = 0; c < t->columns; c++) {
        uint32_t fill = cells[c].fill ? cells[c].fill : row_fill;
        if (!fill)
            continue;
        set_color(cr, fill);
        cairo_rectangle(cr, t->edges[c], top, t->edges[c + 1] - t->edges[c], part->height);
        cairo_fill(cr);
    }
    for (size_t c = 0; c < t->columns; c++) {
        const struct cell_plan *p = &plan[c];
        double x = t->edges[c] + t->padding;
        double width = t->edges[c + 1] - t->edges[c] - 2 * t->padding;
        if (part->take[c] > 0) {
            set_color(cr, p->color);
            draw_lines(doc, p->layout, p->next_line, part->take[c], x, top + t->padding, p->link);
        }
        if (part->with_drawing[c]) {
            double below_text = part->take[c] > 0 ? part->text_height[c] + CELL_DRAWING_GAP : 0;
            struct layout_box box = { x, top + t->padding + below_text, width, p->drawing_height };
            cairo_save(cr);
            cells[c].draw(doc, cr, box, cells[c].draw_user);
            cairo_restore(cr);
        }
    }
    if (t->border_width > 0) {
        set_color(cr, t->border_color);
        cairo_set_line_width(cr, t->border_width);
        for (size_t c = 0; c < t->columns; c++)
            cairo_rectangle(cr, t->edges[c], top, t->edges[c + 1] - t->edges[c], part->height);
        cairo_stroke(cr);
    }
}

/* Draws a planned row, or as much of it as `size` allows, as one band of
 * cells across the table at the cursor, and marks that much as drawn. */
static enum row_progress draw_row_part(struct layout_doc *doc, const struct layout_cell *cells,
                                       struct cell_plan *plan, uint32_t row_fill,
                                       enum part_size size)
{
    struct row_part part;
    choose_row_part(doc, plan, size, &part);
    if (!part.progress && !part.complete)
        return ROW_NOTHING_FITS;

    place_destinations(doc, doc->y);
    if (drawing(doc))
        paint_row_part(doc, cells, plan, &part, row_fill, doc->y);
    for (size_t c = 0; c < doc->table.columns; c++) {
        plan[c].next_line += part.take[c];
        if (part.with_drawing[c])
            plan[c].drawing_pending = false;
    }
    doc->y += part.height;
    return part.complete ? ROW_DONE : ROW_MORE;
}

static bool header_needed(const struct layout_doc *doc)
{
    return doc->table.header && doc->table.header_page != doc->page_number;
}

static void draw_header(struct layout_doc *doc)
{
    struct table_state *t = &doc->table;
    struct cell_plan plan[LAYOUT_TABLE_MAX_COLUMNS];
    memcpy(plan, t->header_plan, sizeof plan);   /* drawn whole every time */
    draw_row_part(doc, t->header, plan, t->header_fill, PART_WHOLE);
    t->header_page = doc->page_number;
}

/* Fixed columns get their width; the rest is shared by fraction.  If fixed
 * columns alone are too wide, everything is scaled down to fit. */
static int column_edges(struct layout_doc *doc, const struct layout_table *spec)
{
    struct table_state *t = &doc->table;
    double fixed = 0, fractions = 0, widths[LAYOUT_TABLE_MAX_COLUMNS];
    for (size_t c = 0; c < spec->column_count; c++) {
        if (spec->columns[c].width > 0)
            fixed += spec->columns[c].width;
        else if (spec->columns[c].fraction > 0)
            fractions += spec->columns[c].fraction;
        else
            return layout_fail(doc, "table column %zu has neither a width nor a fraction", c);
    }
    double spare = fmax(0, doc->content.width - fixed);
    double total = 0;
    for (size_t c = 0; c < spec->column_count; c++) {
        const struct layout_column *column = &spec->columns[c];
        widths[c] = column->width > 0 ? column->width : spare * column->fraction / fractions;
        total += widths[c];
    }
    double shrink = total > doc->content.width ? doc->content.width / total : 1;
    t->edges[0] = doc->content.x;
    for (size_t c = 0; c < spec->column_count; c++)
        t->edges[c + 1] = t->edges[c] + widths[c] * shrink;
    return 0;
}

int layout_table_begin(struct layout_doc *doc, const struct layout_table *spec)
{
    static const struct layout_style default_body = { .size = CELL_SIZE };
    static const struct layout_style default_header = { .size = CELL_SIZE, .bold = true };
    struct table_state *t = &doc->table;

    if (doc->failed)
        return -1;
    if (t->open)
        return layout_fail(doc, "a table is already open");
    if (!spec || !spec->columns || spec->column_count == 0
        || spec->column_count > LAYOUT_TABLE_MAX_COLUMNS)
        return layout_fail(doc, "a table needs 1 to %d columns", LAYOUT_TABLE_MAX_COLUMNS);

    memset(t, 0, sizeof *t);
    t->columns = spec->column_count;
    if (column_edges(doc, spec) != 0)
        return -1;
    for (size_t c = 0; c < t->columns; c++) {
        t->column_has_style[c] = spec->columns[c].style != NULL;
        if (spec->columns[c].style)
            t->column_styles[c] = *spec->columns[c].style;
    }
    t->body_style = spec->body_style ? *spec->body_style : default_body;
    t->header_style = spec->header_style ? *spec->header_style : default_header;
    t->padding = spec->padding > 0 ? spec->padding : CELL_PADDING;
    t->border_width = spec->border_width < 0 ? 0 : spec->border_width > 0 ? spec->border_width : CELL_BORDER;
    t->border_color = spec->border_color ? spec->border_color : CELL_BORDER_COLOR;
    t->header_fill = spec->header_fill ? spec->header_fill : HEADER_FILL;
    t->zebra_fill = spec->zebra_fill;
    t->header = spec->header;
    t->header_page = -1;
    t->open = true;
    if (t->header) {
        t->header_height = plan_row(doc, t->header, 0, true, t->header_plan);
        if (t->header_height < 0)
            return -1;
    }
    if (doc->measuring)
        doc->y += t->header_height;
    return 0;
}

int layout_table_row(struct layout_doc *doc, const struct layout_cell *cells)
{
    struct table_state *t = &doc->table;
    if (doc->failed)
        return -1;
    if (!t->open || !cells)
        return layout_fail(doc, "table row without an open table");

    struct cell_plan plan[LAYOUT_TABLE_MAX_COLUMNS];
    double row_height = plan_row(doc, cells, t->columns, false, plan);
    if (row_height < 0)
        return -1;
    uint32_t fill = t->zebra_fill && t->rows % 2 == 1 ? t->zebra_fill : 0;
    t->rows++;
    if (doc->measuring) {
        doc->y += row_height;
        return 0;
    }
    /* A held heading goes with the table's header and this first row (or
     * as much of it as a page holds). */
    if (doc->held.text)
        flush_held(doc, fmin(t->header_height + row_height, 0.5 * doc->content.height));

    ensure_page(doc);
    double header = header_needed(doc) ? t->header_height : 0;
    if (doc->y + header + row_height > page_bottom(doc) + EPSILON && !at_page_top(doc)) {
        /* Rows that fit on a page move there whole.  A row taller than a page
         * is split, starting here unless too little room is left to bother. */
        double fresh_room = doc->content.height - t->header_height;
        double room_here = page_bottom(doc) - doc->y - header;
        if (row_height <= fresh_room + EPSILON || room_here < 0.2 * doc->content.height)
            close_page(doc);
    }

    for (;;) {
        ensure_page(doc);
        if (header_needed(doc))
            draw_header(doc);
        /* Nothing but the header above: a new page would not have more room. */
        bool fresh = doc->y <= doc->content.y + (t->header ? t->header_height : 0) + EPSILON;
        enum row_progress progress = draw_row_part(doc, cells, plan, fill, PART_FIT);
        if (progress == ROW_NOTHING_FITS && fresh)
            progress = draw_row_part(doc, cells, plan, fill, PART_ONE_LINE);
        if (progress == ROW_DONE)
            return 0;
        close_page(doc);
    }
}

int layout_table_end(struct layout_doc *doc)
{
    struct table_state *t = &doc->table;
    if (doc->failed)
        return -1;
    if (!t->open)
        return layout_fail(doc, "layout_table_end without an open table");
    /* A table without rows still shows its header: reserve its place (which
     * may start a new page), then draw it there. */
    if (t->rows == 0 && t->header && !doc->measuring) {
        doc->y = place_block(doc, t->header_height);
        draw_header(doc);
    }
    t->open = false;
    return 0;
}

int layout_notice(struct layout_doc *doc, const struct layout_style *style, const char *text,
                  uint32_t frame_color, uint32_t fill_color)
{
    const struct layout_style plain = { .size = TEXT_SIZE };
    const struct layout_column column = { .fraction = 1 };
    const struct layout_table table = {
        .columns = &column, .column_count = 1, .body_style = style ? style : &plain,
        .padding = 8, .border_width = 1, .border_color = frame_color,
    };
    const struct layout_cell cell = { .text = text, .fill = fill_color };

    if (layout_table_begin(doc, &table) != 0 || layout_table_row(doc, &cell) != 0)
        return -1;
    return layout_table_end(doc);
}

/* ---- Navigation */

int layout_destination(struct layout_doc *doc, const char *name)
{
    if (doc->failed)
        return -1;
    if (!valid_name(name))
        return layout_fail(doc, "invalid destination name \"%s\"", name ? name : "(null)");
    if (doc->measuring)
        return 0;
    if (doc->pending_count == MAX_PENDING_DESTINATIONS)
        return layout_fail(doc, "more than %d destinations before any content",
                           MAX_PENDING_DESTINATIONS);
    snprintf(doc->pending[doc->pending_count++], MAX_NAME + 1, "%s", name);
    return 0;
}

int layout_outline(struct layout_doc *doc, int parent, const char *title,
                   const char *destination, bool open)
{
    if (doc->failed)
        return -1;
    if (!valid_name(destination))
        return layout_fail(doc, "outline entry with an invalid destination name");
    if (parent < 0 || parent > doc->outline_count)
        return layout_fail(doc, "outline parent %d does not exist", parent);
    if (doc->measuring)
        return 0;
    doc->outline_count++;
    if (!doc->surface)
        return doc->outline_count;

    char attributes[MAX_NAME + 16];
    snprintf(attributes, sizeof attributes, "dest='%s'", destination);
    char *valid = g_utf8_make_valid(title ? title : "", -1);
    int id = cairo_pdf_surface_add_outline(doc->surface, parent, valid, attributes,
                                           open ? CAIRO_PDF_OUTLINE_FLAG_OPEN : 0);
    g_free(valid);
    return id;
}

int layout_page_labels(struct layout_doc *doc, const char *prefix)
{
    if (doc->failed)
        return -1;
    if (doc->measuring)
        return 0;
    g_free(doc->label_prefix);
    doc->label_prefix = copy_string(prefix);
    doc->label_index = 0;
    return 0;
}

int layout_running_item(struct layout_doc *doc, const char *item)
{
    if (doc->failed)
        return -1;
    if (doc->measuring)
        return 0;
    g_free(doc->item);
    doc->item = copy_string(item);
    return 0;
}

/* ---- Text at a given place */

double layout_text_at(struct layout_doc *doc, const struct layout_style *style,
                      const char *text, double x, double y, double width)
{
    PangoLayout *layout = text_layout(doc, doc->label, style, TEXT_SIZE, text, width, false, drawing(doc));
    if (drawing(doc)) {
        set_color(doc->cr, style ? style->color : 0);
        cairo_move_to(doc->cr, x, y);
        pango_cairo_show_layout(doc->cr, layout);
    }
    return layout_height(layout);
}

double layout_label_at(struct layout_doc *doc, const struct layout_style *style,
                       const char *text, double x, double y, double width)
{
    if (width <= 0)
        return 0;
    PangoLayout *layout = text_layout(doc, doc->label, style, TEXT_SIZE, text, width, true, drawing(doc));
    if (drawing(doc)) {
        set_color(doc->cr, style ? style->color : 0);
        cairo_move_to(doc->cr, x, y);
        pango_cairo_show_layout(doc->cr, layout);
    }
    return layout_height(layout);
}

void layout_text_size(struct layout_doc *doc, const struct layout_style *style,
                      const char *text, double *width, double *height)
{
    PangoRectangle logical;
    PangoLayout *layout = text_layout(doc, doc->label, style, TEXT_SIZE, text, 0, false, false);
    pango_layout_get_extents(layout, NULL, &logical);
    if (width)
        *width = logical.width / (double)PANGO_SCALE;
    if (height)
        *height = logical.height / (double)PANGO_SCALE;
}

double layout_text_height(struct layout_doc *doc, const struct layout_style *style,
                          const char *text, double width)
{
    return layout_height(text_layout(doc, doc->label, style, TEXT_SIZE, text, width, false, false));
}

/* ---- Where things stand */

bool layout_drawing_pass(const struct layout_doc *doc)
{
    return doc->cr != NULL;
}

int layout_page_number(const struct layout_doc *doc)
{
    return doc->page_number;
}

int layout_page_total(const struct layout_doc *doc)
{
    return doc->page_total;
}

struct layout_box layout_content_box(const struct layout_doc *doc)
{
    return doc->content;
}

/* The height of the held heading and its space, 0 when none is held. */
static double held_height(struct layout_doc *doc)
{
    if (!doc->held.text)
        return 0;
    PangoLayout *layout = text_layout(doc, doc->flow, &doc->held.style, TEXT_SIZE, doc->held.text,
                                      doc->content.width, false, false);
    return layout_height(layout) + doc->held.space;
}

double layout_remaining(struct layout_doc *doc)
{
    double held = held_height(doc);
    if (doc->measuring || !doc->page_open)
        return fmax(0, doc->content.height - held);
    return fmax(0, page_bottom(doc) - doc->y - held);
}

long layout_unknown_glyphs(const struct layout_doc *doc)
{
    return doc->unknown_glyphs;
}

/* ---- The document and its two passes */

static void page_size(enum layout_paper paper, double *width, double *height)
{
    switch (paper) {
    case LAYOUT_A4_LANDSCAPE: *width = A4_LONG; *height = A4_SHORT; break;
    case LAYOUT_A3_LANDSCAPE: *width = A3_LONG; *height = A4_LONG; break;
    case LAYOUT_A4_PORTRAIT:
    default: *width = A4_SHORT; *height = A4_LONG; break;
    }
}

static struct layout_doc *document_new(const struct layout_options *options, struct error *err)
{
    PangoContext *pango = fonts_context_new(err);
    if (!pango)
        return NULL;

    struct layout_doc *doc = g_new0(struct layout_doc, 1);
    doc->options = options;
    doc->pango = pango;
    doc->font = pango_font_description_new();
    doc->flow = pango_layout_new(pango);
    doc->label = pango_layout_new(pango);
    doc->placements = g_array_new(FALSE, FALSE, sizeof(struct pdfpage_placement));

    page_size(options->paper, &doc->page_width, &doc->page_height);
    double left = options->margin_left > 0 ? options->margin_left : DEFAULT_MARGIN_SIDE;
    double right = options->margin_right > 0 ? options->margin_right : DEFAULT_MARGIN_SIDE;
    doc->margin_top = options->margin_top > 0 ? options->margin_top : DEFAULT_MARGIN_TOP;
    doc->margin_bottom = options->margin_bottom > 0 ? options->margin_bottom : DEFAULT_MARGIN_BOTTOM;
    double band = options->band_text ? BAND_HEIGHT + BAND_GAP : 0;
    doc->content = (struct layout_box){
        left, doc->margin_top + band, doc->page_width - left - right,
        doc->page_height - doc->margin_top - band - doc->margin_bottom };
    return doc;
}

static void document_free(struct layout_doc *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(doc->cells); i++)
        if (doc->cells[i])
            g_object_unref(doc->cells[i]);
    g_object_unref(doc->flow);
    g_object_unref(doc->label);
    g_array_free(doc->placements, TRUE);
    pango_font_description_free(doc->font);
    g_object_unref(doc->pango);
    g_free(doc->label_prefix);
    g_free(doc->item);
    g_free(doc->page_item);
    g_free(doc->held.text);
    g_free(doc);
}

/* Forgets everything the previous pass did, keeping the layouts. */
static void document_reset(struct layout_doc *doc)
{
    doc->page_number = 0;
    doc->page_open = false;
    doc->y = doc->content.y;
    doc->measuring = 0;
    g_free(doc->label_prefix);
    g_free(doc->item);
    g_free(doc->page_item);
    doc->label_prefix = doc->item = doc->page_item = NULL;
    doc->label_index = 0;
    doc->page_label[0] = '\0';
    doc->pending_count = 0;
    g_free(doc->held.text);
    doc->held.text = NULL;
    doc->held.space = 0;
    doc->outline_count = 0;
    doc->unknown_glyphs = 0;
    memset(&doc->table, 0, sizeof doc->table);
    g_array_set_size(doc->placements, 0);
}

static int run_pass(struct layout_doc *doc, layout_content_fn content, void *user)
{
    document_reset(doc);
    if (content(doc, user) != 0 && !doc->failed)
        layout_fail(doc, "the document's content function failed");
    if (doc->failed)
        return -1;
    if (doc->table.open)
        return layout_fail(doc, "a table was not ended");
    flush_held(doc, 0);
    /* Destinations after the last content, and a document with no content
     * at all, still need a page. */
    if (!doc->page_open && (doc->pending_count > 0 || doc->page_number == 0))
        open_page(doc);
    place_destinations(doc, doc->y);
    close_page(doc);
    return 0;
}

static cairo_status_t write_to_file(void *closure, const unsigned char *data, unsigned int length)
{
    return fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
                                                      : CAIRO_STATUS_WRITE_ERROR;
}

static void set_metadata(cairo_surface_t *surface, const struct layout_options *options)
{
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, options->date_utc);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, options->date_utc);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "beishen");
    if (options->title)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, options->title);
    if (options->author)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, options->author);
    if (options->subject)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, options->subject);
}

/* The drawing pass, into `file`. */
static int draw_pass(struct layout_doc *doc, FILE *file, layout_content_fn content, void *user,
                     int pages)
{
    doc->surface = cairo_pdf_surface_create_for_stream(write_to_file, file, doc->page_width,
                                                       doc->page_height);
    set_metadata(doc->surface, doc->options);
    doc->cr = cairo_create(doc->surface);
    doc->page_total = pages;

    int status = run_pass(doc, content, user);
    if (status == 0 && doc->page_number != pages)
        status = layout_fail(doc, "content gave %d pages when counted and %d when drawn; "
                             "it must not depend on the pass", pages, doc->page_number);
    cairo_destroy(doc->cr);
    doc->cr = NULL;
    cairo_surface_finish(doc->surface);
    cairo_status_t cairo_status = cairo_surface_status(doc->surface);
    cairo_surface_destroy(doc->surface);
    doc->surface = NULL;
    if (status == 0 && cairo_status != CAIRO_STATUS_SUCCESS)
        status = layout_fail(doc, "cairo: %s", cairo_status_to_string(cairo_status));
    return status;
}

/* The pages layout_pdf_page() placed, added to the document Cairo has
 * just written to `file` (at `path`). */
static int add_pdf_pages(struct layout_doc *doc, FILE *file, const char *path, struct error *err)
{
    if (doc->placements->len == 0)
        return 0;
    if (fflush(file) != 0)
        return error_set(err, ERROR_IO, "%s: %s", path, strerror(errno));
    char *written;
    size_t size;
    if (files_read(path, MAX_DOCUMENT_BYTES, &written, &size, err) != 0)
        return -1;
    int status = pdfpage_append((const unsigned char *)written, size,
                                (const struct pdfpage_placement *)(void *)doc->placements->data,
                                doc->placements->len, file, err);
    free(written);
    return status;
}

int layout_render(const char *path, const struct layout_options *options,
                  layout_content_fn content, void *user, struct layout_result *result,
                  struct error *err)
{
    if (!path || !options || !content)
        return error_set(err, ERROR_INTERNAL, "layout_render: path, options and content are required");
    if (!valid_utc(options->date_utc))
        return error_set(err, ERROR_INTERNAL, "layout_render: date_utc must look like 2025-03-01T09:00:00Z, got \"%s\"",
                         options->date_utc ? options->date_utc : "(null)");

    if (kept_open(err) != 0)
        return -1;
    struct layout_doc *doc = document_new(options, err);
    if (!doc)
        return -1;
    if (run_pass(doc, content, user) != 0) {
        error_set(err, doc->error.kind, "%s", doc->error.message);
        document_free(doc);
        return -1;
    }
    int pages = doc->page_number;

    struct files_output output;
    if (files_output_open(&output, path, err) != 0) {
        document_free(doc);
        return -1;
    }
    int status = draw_pass(doc, output.file, content, user, pages);
    if (status != 0)
        error_set(err, doc->error.kind, "%s", doc->error.message);
    if (status == 0)
        status = add_pdf_pages(doc, output.file, output.temporary, err);
    if (status == 0)
        status = files_output_commit(&output, err);
    else
        files_output_abort(&output);

    if (status == 0 && result) {
        result->pages = pages;
        result->unknown_glyphs = doc->unknown_glyphs;
    }
    document_free(doc);
    return status;
}
