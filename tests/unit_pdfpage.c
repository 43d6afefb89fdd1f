/* unit_pdfpage — pages of one Cairo PDF placed in another (render/pdfpage.c
 * through layout_pdf_page()): the result passes qpdf --check, shows the
 * source's text on the right pages and its colours inside the placed box
 * (read back with poppler-glib), copies a source page's objects once
 * however often it is placed, and renders byte for byte the same twice.
 * Then the reader's refusals: files that are not Cairo-shaped each get a
 * message naming the rule, and truncated or damaged copies of a real file
 * never crash it.  Writes only under $TMPDIR (default /tmp).  Ends with
 * "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <poppler.h>

#include "render/attach.h"
#include "fonts/fonts.h"
#include "render/layout.h"
#include "pdf_fixture.h"
#include "render/pdfpage.h"
#include "unit.h"
#include "core/error.h"
#include "core/files.h"

#define SOURCE_FILL_R 0.93
#define SOURCE_FILL_G 0.30
#define SOURCE_FILL_B 0.20

static char directory[1024];

static char *path_in(const char *name)
{
    return g_strdup_printf("%s/%s", directory, name);
}

/* A Cairo PDF of `pages` pages, the first 420 x 595 and the others A4,
 * filled red-orange, each with a line of text. */
static GBytes *make_source(int pages)
{
    static const double fill[3] = { SOURCE_FILL_R, SOURCE_FILL_G, SOURCE_FILL_B };
    char *path = path_in("source.pdf");
    pdf_fixture_pages(path, pages, 420, 595, 595, 842, fill, NULL, "來源第%d頁 SOURCEPAGE%d");
    char *data;
    size_t size;
    struct error err;
    GBytes *bytes = files_read(path, (size_t)64 << 20, &data, &size, &err) == 0
        ? g_bytes_new_take(data, size) : NULL;
    g_free(path);
    return bytes;
}

/* Page 1: a heading and source page 1 under it.  Page 2: source page 2.
 * Page 3: source page 1 again. */
static int content(struct layout_doc *doc, void *user)
{
    const struct pdfpage_source *source = user;
    const struct layout_style heading = { .size = 14, .bold = true };
    layout_text(doc, &heading, "目標文件 TARGETHEADING");
    layout_space(doc, 6);
    layout_pdf_page(doc, source, 0, layout_remaining(doc));
    layout_new_page(doc);
    layout_pdf_page(doc, source, 1, 0);
    layout_new_page(doc);
    layout_text(doc, NULL, "第三頁 THIRDPAGE");
    layout_pdf_page(doc, source, 0, 200);
    return 0;
}

static const struct layout_options options = {
    .date_utc = "2025-03-01T09:00:00Z", .title = "unit_pdfpage",
    .header_left = "unit_pdfpage", .footer_left = "placed pages",
};

/* The colour poppler draws at (x, y) points of `page`, as 0xRRGGBB. */
static uint32_t pixel_at(PopplerPage *page, double x, double y)
{
    cairo_surface_t *image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 3, 3);
    cairo_t *cr = cairo_create(image);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_translate(cr, 1 - x, 1 - y);
    poppler_page_render(page, cr);
    cairo_destroy(cr);
    cairo_surface_flush(image);
    const unsigned char *row = cairo_image_surface_get_data(image) + cairo_image_surface_get_stride(image);
    uint32_t pixel = ((const uint32_t *)(const void *)row)[1] & 0xFFFFFF;
    cairo_surface_destroy(image);
    return pixel;
}

static bool near_colour(uint32_t pixel, double r, double g, double b)
{
    int pr = (int)(pixel >> 16) & 0xFF, pg = (int)(pixel >> 8) & 0xFF, pb = (int)pixel & 0xFF;
    return abs(pr - (int)(r * 255 + 0.5)) <= 3 && abs(pg - (int)(g * 255 + 0.5)) <= 3 &&
           abs(pb - (int)(b * 255 + 0.5)) <= 3;
}

static void check_placement(const char *path)
{
    char *uri = g_filename_to_uri(path, NULL, NULL);
    PopplerDocument *document = poppler_document_new_from_file(uri, NULL, NULL);
    g_free(uri);
    CHECK(document && poppler_document_get_n_pages(document) == 3, "poppler opens the result: 3 pages");
    if (!document)
        return;
    static const char *const expected[] = { "SOURCEPAGE1", "SOURCEPAGE2", "SOURCEPAGE1" };
    static const char *const absent[] = { "SOURCEPAGE2", "SOURCEPAGE1", "SOURCEPAGE2" };
    for (int i = 0; i < 3; i++) {
        PopplerPage *page = poppler_document_get_page(document, i);
        char *text = poppler_page_get_text(page);
        CHECK(text && strstr(text, expected[i]) && !strstr(text, absent[i]),
              "target page %d shows %s and not %s", i + 1, expected[i], absent[i]);
        g_free(text);
        g_object_unref(page);
    }

    /* Page 1: the 420 x 595 source scaled into the content width (499.3 pt)
     * below the heading; the content box starts at x = 48. */
    PopplerPage *first = poppler_document_get_page(document, 0);
    PopplerRectangle *rects = NULL;
    guint count = 0;
    double word_x = -1, word_y = -1;
    if (poppler_page_get_text_layout(first, &rects, &count)) {
        char *all = poppler_page_get_text(first);
        const char *hit = strstr(all, "來源第1頁");
        /* Text layout rectangles are one per character of the page's text. */
        if (hit) {
            glong index = g_utf8_pointer_to_offset(all, hit);
            if ((guint)index < count) {
                word_x = rects[index].x1;
                word_y = rects[index].y1;
            }
        }
        g_free(all);
        g_free(rects);
    }
    /* Drawn at PDF_FIXTURE_TEXT_X in the source, scaled by 499.3 / 420. */
    double scale = (595.2756 - 2 * 48) / 420;
    double left = 48 + PDF_FIXTURE_TEXT_X * scale;
    CHECK(word_x > left - 5 && word_x < left + 5 && word_y > 80 && word_y < 160,
          "source text lies in the placed box, scaled (at %.1f, %.1f)", word_x, word_y);
    CHECK(near_colour(pixel_at(first, 300, 500), SOURCE_FILL_R, SOURCE_FILL_G, SOURCE_FILL_B),
          "inside the box: the source's fill (%06x)", pixel_at(first, 300, 500));
    CHECK(near_colour(pixel_at(first, 20, 500), 1, 1, 1), "left of the box: white (%06x)",
          pixel_at(first, 20, 500));
    g_object_unref(first);

    /* Page 3: source page 1 scaled to 200 pt high, centred: width 141.2. */
    PopplerPage *third = poppler_document_get_page(document, 2);
    double middle = 595.2756 / 2;
    CHECK(near_colour(pixel_at(third, middle, 120), SOURCE_FILL_R, SOURCE_FILL_G, SOURCE_FILL_B) &&
              near_colour(pixel_at(third, middle - 80, 120), 1, 1, 1) &&
              near_colour(pixel_at(third, middle + 80, 120), 1, 1, 1),
          "a page placed 200 pt high is 141 pt wide and centred");
    g_object_unref(third);
    g_object_unref(document);
}

static int count_lines_with(const char *text, const char *needle)
{
    int n = 0;
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t length = end ? (size_t)(end - line) : strlen(line);
        char *copy = g_strndup(line, length);
        if (strstr(copy, needle))
            n++;
        g_free(copy);
        line = end ? end + 1 : NULL;
    }
    return n;
}

static int all_990_wide(const unsigned char *program, size_t size, const unsigned *cids,
                         size_t count, double *widths, void *user);

static void check_placed_document(GBytes *bytes)
{
    struct error err = {0};
    struct pdfpage_source *source = pdfpage_source_open(bytes, true, &err);
    CHECK(source != NULL, "a Cairo PDF opens as a source (%s)", source ? "ok" : err.message);
    if (!source)
        return;
    double width, height;
    pdfpage_source_size(source, 1, &width, &height);
    CHECK(pdfpage_source_pages(source) == 2 && width > 594 && width < 596 && height > 841 && height < 843,
          "two pages, the second 595 x 842 (%.1f x %.1f)", width, height);

    int asked = 0, corrected = 0;
    GBytes *rewritten = NULL;
    int status = pdfpage_correct_cff_widths(bytes, all_990_wide, &asked, &rewritten, &corrected, &err);
    CHECK(status == 0 && asked == 0 && !rewritten,
          "a file with TrueType fonts only has no CFF widths to correct (%d fonts asked about)", asked);

    char *out = path_in("placed.pdf"), *again = path_in("placed-again.pdf");
    struct layout_result result = { 0 };
    status = layout_render(out, &options, content, source, &result, &err);
    CHECK(status == 0 && result.pages == 3, "a document with placed pages renders (%s, %d pages)",
          status ? err.message : "ok", result.pages);
    status = layout_render(again, &options, content, source, &result, &err);
    char *first = NULL, *second = NULL;
    size_t first_size = 0, second_size = 0;
    bool same = files_read(out, (size_t)64 << 20, &first, &first_size, &err) == 0 &&
                files_read(again, (size_t)64 << 20, &second, &second_size, &err) == 0 &&
                first_size == second_size && memcmp(first, second, first_size) == 0;
    CHECK(status == 0 && same, "rendering twice gives the same bytes");
    /* files_read ends the bytes with a NUL; the last trailer is plain text. */
    CHECK(first && first_size > 300 && strstr(first + first_size - 300, "/Prev ") != NULL,
          "the pages are added as an incremental update (/Prev in the last trailer)");
    free(first);
    free(second);

    int exit_status;
    char *check = unit_run(&exit_status, "qpdf --check '%s' 2>&1", out);
    CHECK(exit_status == 0 && strstr(check, "No syntax or stream encoding errors") &&
              !strstr(check, "WARNING"), "qpdf --check passes without warnings");
    g_free(check);
    char *fonts = unit_run(&exit_status, "pdffonts '%s'", out);
    char *source_path = path_in("source.pdf");
    char *source_fonts = unit_run(&exit_status, "pdffonts '%s'", source_path);
    int in_source = count_lines_with(source_fonts, "BeishenSerifTC");
    CHECK(in_source > 0 && count_lines_with(fonts, "BeishenSerifTC") == in_source,
          "the source's fonts are copied once for three placements (%d entries, %d in the source)",
          count_lines_with(fonts, "BeishenSerifTC"), in_source);
    g_free(source_fonts);
    g_free(source_path);
    CHECK(count_lines_with(fonts, " no ") == 0, "every font embedded as a subset");
    g_free(fonts);
    check_placement(out);

    pdfpage_source_unref(source);
    g_free(out);
    g_free(again);
}

/* A file made of `bodies` with a correct xref table; `trailer_extra` is
 * added to the trailer dictionary. */
static GBytes *objects_pdf(const char *const *bodies, int count, const char *trailer_extra)
{
    GString *pdf = pdf_fixture_objects(bodies, count, trailer_extra);
    gsize length = pdf->len;
    return g_bytes_new_take(g_string_free(pdf, FALSE), length);
}

static void check_refusal(const char *what, GBytes *bytes, const char *expected)
{
    struct error err = {0};
    struct pdfpage_source *source = pdfpage_source_open(bytes, true, &err);
    CHECK(!source && strstr(err.message, expected), "refused: %s (\"%s\")", what, err.message);
    pdfpage_source_unref(source);
    g_bytes_unref(bytes);
}

static void check_refusals(void)
{
    const char *catalog = "<< /Type /Catalog /Pages 2 0 R >>";
    const char *pages = "<< /Type /Pages /Kids [ 3 0 R ] /Count 1 >>";
    const char *contents = "<< /Length 6 >>\nstream\n0 0 m\n\nendstream";

    const char *plain[] = { catalog, pages,
        "<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 200 100 ] /Contents 4 0 R /Resources << >> >>",
        contents };
    struct error err = {0};
    GBytes *good = objects_pdf(plain, 4, "");
    struct pdfpage_source *source = pdfpage_source_open(good, true, &err);
    CHECK(source && pdfpage_source_pages(source) == 1, "a hand-made one-page file opens (%s)",
          source ? "ok" : err.message);
    pdfpage_source_unref(source);
    g_bytes_unref(good);

    check_refusal("not a PDF", g_bytes_new_static("hello", 5), "no startxref");
    check_refusal("an updated file", objects_pdf(plain, 4, "/Prev 9 "), "updated");
    const char *rotated[] = { catalog, pages,
        "<< /Type /Page /MediaBox [ 0 0 200 100 ] /Rotate 90 /Contents 4 0 R >>", contents };
    check_refusal("a rotated page", objects_pdf(rotated, 4, ""), "rotated");
    const char *two_streams[] = { catalog, pages,
        "<< /Type /Page /MediaBox [ 0 0 200 100 ] /Contents [ 4 0 R ] >>", contents };
    check_refusal("contents split into an array", objects_pdf(two_streams, 4, ""), "one stream");
    const char *no_box[] = { catalog, pages, "<< /Type /Page /Contents 4 0 R >>", contents };
    check_refusal("no MediaBox", objects_pdf(no_box, 4, ""), "MediaBox");
    const char *infinite[] = { catalog, pages, "<< /Type /Page /MediaBox [ 0 0 inf 100 ] /Contents 4 0 R >>",
        contents };
    check_refusal("an infinite MediaBox", objects_pdf(infinite, 4, ""), "MediaBox");
    const char *long_stream[] = { catalog, pages,
        "<< /Type /Page /MediaBox [ 0 0 200 100 ] /Contents 4 0 R >>",
        "<< /Length 999999 >>\nstream\n0 0 m\nendstream" };
    check_refusal("a stream longer than the file", objects_pdf(long_stream, 4, ""), "past the end");
    const char *missing[] = { catalog, pages,
        "<< /Type /Page /MediaBox [ 0 0 200 100 ] /Contents 4 0 R /Resources << /Font << /F 9 0 R >> >> >>",
        contents };
    check_refusal("a resource that is not there", objects_pdf(missing, 4, ""), "not in the xref");
    const char *group[] = { catalog, pages,
        "<< /Type /Page /MediaBox [ 0 0 200 100 ] /Contents 4 0 R /Group << /CS 9 0 R >> >>",
        contents };
    check_refusal("a transparency group that is not there", objects_pdf(group, 4, ""), "not in the xref");
    const char *loop[] = { catalog, pages,
        "<< /Type /Page /MediaBox [ 0 0 200 100 ] /Contents 4 0 R /Resources << /X 2 0 R >> >>",
        contents };
    check_refusal("resources that reach the page tree", objects_pdf(loop, 4, ""), "page tree");
    GString *deep = g_string_new("<< /Type /Page /MediaBox [ 0 0 200 100 ] /Contents 4 0 R /Resources << /A ");
    for (int i = 0; i < 100; i++)
        g_string_append_c(deep, '[');
    const char *nested[] = { catalog, pages, deep->str, contents };
    check_refusal("arrays nested 100 deep", objects_pdf(nested, 4, ""), "nested");
    g_string_free(deep, TRUE);
}

/* Truncated and byte-damaged copies of a real file: each either opens or
 * is refused with a message; none may crash or hang (ASan runs this too). */
static void check_damaged(GBytes *bytes)
{
    size_t size;
    const unsigned char *data = g_bytes_get_data(bytes, &size);
    int opened = 0, refused = 0, silent = 0;
    GRand *random = g_rand_new_with_seed(20261202);
    for (int trial = 0; trial < 400; trial++) {
        unsigned char *copy = g_memdup2(data, size);
        size_t length = size;
        if (trial % 2 == 0)
            length = (size_t)g_rand_int_range(random, 0, (gint32)size);
        else
            for (int k = 0; k < 8; k++)
                copy[g_rand_int_range(random, 0, (gint32)size)] = (unsigned char)g_rand_int(random);
        GBytes *damaged = g_bytes_new_take(copy, length);
        struct error err = {0};
        struct pdfpage_source *source = pdfpage_source_open(damaged, true, &err);
        if (source)
            opened++;
        else if (err.message[0])
            refused++;
        else
            silent++;
        pdfpage_source_unref(source);
        g_bytes_unref(damaged);
    }
    g_rand_free(random);
    CHECK(silent == 0 && refused > 100, "400 damaged copies: %d open, %d refused with a message, "
          "%d refused silently", opened, refused, silent);
}

/* A line set in the full Noto Sans CJK face (not the Beishen cut): Cairo
 * embeds it as a bare CFF subset whose charstrings keep Adobe's
 * subroutines, some of them holding a glyph's stem hints.  Cairo 1.16,
 * re-subsetting such a font in the sanitising child, reads the width of
 * some of those glyphs wrong, and viewers then drew the next character on
 * top of them. */
#define NOTO_LINE "我們選擇校園中常見的朱槿，在向陽與背陽處各採集十片葉子，在顯微鏡下計數氣孔。"

static void make_noto_pdf(const char *path)
{
    static const double white[3] = { 1, 1, 1 };
    pdf_fixture_pages(path, 1, 595, 842, 595, 842, white, "Noto Sans CJK TC 11.5", NOTO_LINE);
}

static int attachment_content(struct layout_doc *doc, void *user)
{
    return attach_draw(doc, user);
}

/* Characters of `needle` (full-width CJK) on page 1 of `path` that start
 * less than 3 pt right of the previous one, so overlap it; -1 when the
 * text is not found.  (The boxes poppler gives come from the same /W
 * widths, so only the starts can be trusted.) */
static int overlapping_characters(const char *path, const char *needle)
{
    char *uri = g_filename_to_uri(path, NULL, NULL);
    PopplerDocument *document = poppler_document_new_from_file(uri, NULL, NULL);
    g_free(uri);
    if (!document)
        return -1;
    PopplerPage *page = poppler_document_get_page(document, 0);
    char *text = poppler_page_get_text(page);
    PopplerRectangle *rects = NULL;
    guint count = 0;
    int overlaps = -1;
    const char *hit = text ? strstr(text, needle) : NULL;
    if (hit && poppler_page_get_text_layout(page, &rects, &count)) {
        glong first = g_utf8_pointer_to_offset(text, hit), length = g_utf8_strlen(needle, -1);
        overlaps = 0;
        for (glong i = first + 1; i < first + length && (guint)i < count; i++)
            if (rects[i].x1 < rects[i - 1].x1 + 3)
                overlaps++;
    }
    g_free(rects);
    g_free(text);
    g_object_unref(page);
    g_object_unref(document);
    return overlaps;
}

/* Claims every glyph is 990 wide (Noto says 1000), and counts the fonts asked about. */
static int all_990_wide(const unsigned char *program, size_t size, const unsigned *cids,
                         size_t count, double *widths, void *user)
{
    (void)program;
    (void)size;
    (void)cids;
    for (size_t i = 0; i < count; i++)
        widths[i] = 990;
    (*(int *)user)++;
    return 0;
}

/* pdfpage_correct_cff_widths() on `bytes` and on truncated or damaged
 * copies of it: it rewrites only what differs, and never crashes. */
static void check_width_rewrite(GBytes *bytes)
{
    struct error err = {0};
    GBytes *result = NULL;
    int fonts = 0, corrected = 0;
    int status = pdfpage_correct_cff_widths(bytes, all_990_wide, &fonts, &result, &corrected, &err);
    CHECK(status == 0 && fonts > 0 && corrected > 0 && result,
          "every width claimed 990: %d fonts asked about, %d widths rewritten (%s)", fonts, corrected,
          status ? err.message : "ok");
    struct pdfpage_source *source = result ? pdfpage_source_open(result, true, &err) : NULL;
    GBytes *again = NULL;
    int second = 0;
    if (result)
        pdfpage_correct_cff_widths(result, all_990_wide, &fonts, &again, &second, &err);
    CHECK(source && !again && second == 0, "the rewritten file opens, and needs nothing more");
    pdfpage_source_unref(source);
    if (result)
        g_bytes_unref(result);

    size_t size;
    const unsigned char *data = g_bytes_get_data(bytes, &size);
    GRand *random = g_rand_new_with_seed(115);
    int refused = 0, rewritten = 0;
    for (int trial = 0; trial < 200; trial++) {
        unsigned char *copy = g_memdup2(data, size);
        size_t length = trial % 2 ? size : (size_t)g_rand_int_range(random, 0, (gint32)size);
        for (int k = 0; trial % 2 && k < 8; k++)
            copy[g_rand_int_range(random, 0, (gint32)size)] = (unsigned char)g_rand_int(random);
        GBytes *damaged = g_bytes_new_take(copy, length);
        GBytes *out = NULL;
        int changed = 0;
        err.message[0] = '\0';
        if (pdfpage_correct_cff_widths(damaged, all_990_wide, &fonts, &out, &changed, &err) != 0)
            refused += err.message[0] != '\0';
        else
            rewritten += out != NULL;
        if (out)
            g_bytes_unref(out);
        g_bytes_unref(damaged);
    }
    g_rand_free(random);
    CHECK(refused > 50, "200 damaged copies: %d refused with a message, %d rewritten", refused, rewritten);
}

static void check_cff_widths(void)
{
    char *noto = path_in("noto.pdf"), *placed = path_in("noto-placed.pdf");
    make_noto_pdf(noto);
    CHECK(overlapping_characters(noto, NOTO_LINE) == 0,
          "the applicant's file shows its line with no character over another");
    char *data;
    size_t size;
    struct error err = {0};
    if (files_read(noto, (size_t)64 << 20, &data, &size, &err) == 0) {
        GBytes *bytes = g_bytes_new_take(data, size);
        check_width_rewrite(bytes);
        g_bytes_unref(bytes);
    }
    struct attach_file *file = NULL;
    enum attach_status status = attach_prepare(noto, "noto.pdf", NULL, &file, &err);
    struct layout_result result;
    int rendered = status == ATTACH_OK ? layout_render(placed, &options, attachment_content, file,
                                                       &result, &err) : -1;
    CHECK(rendered == 0, "a page set in Noto's CFF face is sanitised and placed (%s)",
          rendered ? err.message : "ok");
    int overlaps = overlapping_characters(placed, NOTO_LINE);
    CHECK(overlaps == 0, "placed, no character of the line stands over another (%d do%s)", overlaps,
          overlaps < 0 ? ": the line is not found in reading order" : "");
    attach_free(file);
    attach_forget_outcomes();
    g_free(noto);
    g_free(placed);
}

int main(void)
{
    if (!unit_temporary_directory(directory, sizeof directory, "unit_pdfpage"))
        return unit_finish();
    struct error err = {0};
    CHECK(fonts_check(&err) == 0, "fonts resolve (%s)", err.message);

    GBytes *source = make_source(2);
    CHECK(source != NULL, "a two-page source PDF is made with Cairo");
    if (source) {
        check_placed_document(source);
        check_damaged(source);
        g_bytes_unref(source);
    }
    check_refusals();
    check_cff_widths();

    layout_forget_kept();
    fonts_shutdown();
    int status = unit_finish();
    fflush(stdout);
    return status;
}
