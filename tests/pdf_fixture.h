/* pdf_fixture — PDFs the C unit tests make for themselves: a Cairo and
 * Pango "student's export" of a few pages, and files written object by
 * object with a correct xref table.  Header-only, like unit.h. */
#ifndef BEISHEN_PDF_FIXTURE_H
#define BEISHEN_PDF_FIXTURE_H

#include <cairo-pdf.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include "fonts/fonts.h"

/* Where each page's text starts, in points from the top left. */
#define PDF_FIXTURE_TEXT_X 44
#define PDF_FIXTURE_TEXT_Y 38

/* Writes a PDF of `pages` pages to `path`, the first first_width x
 * first_height points and the others later_width x later_height: each
 * filled with `fill` (RGB, 0..1), a blue band, a red ring around (210, 330)
 * of radius 90, and `text_format` (which may use the page number twice)
 * in white at the band, in `font` (a Pango description such as "Noto Sans
 * CJK TC 11.5"; NULL: the Beishen serif, 16 pt bold). */
static inline void pdf_fixture_pages(const char *path, int pages, double first_width,
                                     double first_height, double later_width, double later_height,
                                     const double fill[3], const char *font_name,
                                     const char *text_format)
{
    PangoContext *context = fonts_context_new(NULL);
    cairo_surface_t *surface = cairo_pdf_surface_create(path, first_width, first_height);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, "2024-01-01T00:00:00Z");
    cairo_t *cr = cairo_create(surface);
    PangoLayout *layout = pango_layout_new(context);
    PangoFontDescription *font = font_name ? pango_font_description_from_string(font_name)
                                           : fonts_description_new(FONTS_SERIF, 16, true);
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    for (int page = 1; page <= pages; page++) {
        if (page == 2)
            cairo_pdf_surface_set_size(surface, later_width, later_height);
        cairo_set_source_rgb(cr, fill[0], fill[1], fill[2]);
        cairo_paint(cr);
        cairo_set_source_rgb(cr, 0.2, 0.35, 0.6);
        cairo_rectangle(cr, 30, 30, 360, 60);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.8, 0.3, 0.2);
        cairo_arc(cr, 210, 330, 90, 0, 2 * G_PI);
        cairo_set_line_width(cr, 6);
        cairo_stroke(cr);
        char *text = g_strdup_printf(text_format, page, page);
        pango_layout_set_text(layout, text, -1);
        g_free(text);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_move_to(cr, PDF_FIXTURE_TEXT_X, PDF_FIXTURE_TEXT_Y);
        pango_cairo_show_layout(cr, layout);
        cairo_show_page(cr);
    }
    g_object_unref(layout);
    g_object_unref(context);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
}

/* A PDF made of object bodies (object i + 1 is bodies[i]) with a correct
 * xref table; `trailer_extra` goes into the trailer dictionary after
 * /Size and /Root 1 0 R.  The caller frees the string. */
static inline GString *pdf_fixture_objects(const char *const *bodies, int count,
                                           const char *trailer_extra)
{
    GString *pdf = g_string_new("%PDF-1.4\n");
    long *offsets = g_new(long, count);
    for (int i = 0; i < count; i++) {
        offsets[i] = (long)pdf->len;
        g_string_append_printf(pdf, "%d 0 obj\n%s\nendobj\n", i + 1, bodies[i]);
    }
    long xref = (long)pdf->len;
    g_string_append_printf(pdf, "xref\n0 %d\n0000000000 65535 f \n", count + 1);
    for (int i = 0; i < count; i++)
        g_string_append_printf(pdf, "%010ld 00000 n \n", offsets[i]);
    g_string_append_printf(pdf, "trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%ld\n%%%%EOF\n",
                           count + 1, trailer_extra, xref);
    g_free(offsets);
    return pdf;
}

#endif
