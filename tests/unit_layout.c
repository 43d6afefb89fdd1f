/* unit_layout — renders one document that uses every layout primitive and
 * checks the PDF with poppler-utils, qpdf and poppler-glib: repeated table
 * headers, CJK Extension A/B glyphs, the unknown-glyph counter, PNG and
 * JPEG images, a chart, outline, page labels, a named-destination link,
 * sanitised and placeholder attachments, byte-identical re-rendering, and
 * embedded subset fonts; and the attachment child's limits (wall clock,
 * CPU, memory, file size).  Writes only under $TMPDIR (default /tmp).
 * Prints one line per check and ends with "N passed, N failed". */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_TRUETYPE_TABLES_H
#include FT_TRUETYPE_TAGS_H
#include <glib.h>
#include <pango/pangocairo.h>
#include <poppler.h>

#include "render/attach.h"
#include "render/chart.h"
#include "fonts/fonts.h"
#include "render/layout.h"
#include "pdf_fixture.h"
#include "unit.h"
#include "core/error.h"
#include "core/timestamp.h"

/* A 48 x 32 baseline JPEG (JFIF, YCbCr), made with libjpeg. */
static const unsigned char jpeg_fixture[] = {
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x10, 0x0b, 0x0c, 0x0e, 0x0c, 0x0a, 0x10,
    0x0e, 0x0d, 0x0e, 0x12, 0x11, 0x10, 0x13, 0x18, 0x28, 0x1a, 0x18, 0x16, 0x16, 0x18, 0x31, 0x23,
    0x25, 0x1d, 0x28, 0x3a, 0x33, 0x3d, 0x3c, 0x39, 0x33, 0x38, 0x37, 0x40, 0x48, 0x5c, 0x4e, 0x40,
    0x44, 0x57, 0x45, 0x37, 0x38, 0x50, 0x6d, 0x51, 0x57, 0x5f, 0x62, 0x67, 0x68, 0x67, 0x3e, 0x4d,
    0x71, 0x79, 0x70, 0x64, 0x78, 0x5c, 0x65, 0x67, 0x63, 0xff, 0xdb, 0x00, 0x43, 0x01, 0x11, 0x12,
    0x12, 0x18, 0x15, 0x18, 0x2f, 0x1a, 0x1a, 0x2f, 0x63, 0x42, 0x38, 0x42, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0xff, 0xc0,
    0x00, 0x11, 0x08, 0x00, 0x20, 0x00, 0x30, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11,
    0x01, 0xff, 0xc4, 0x00, 0x17, 0x00, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x04, 0x02, 0x05, 0xff, 0xc4, 0x00, 0x16, 0x10, 0x00,
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x02, 0x03, 0xff, 0xc4, 0x00, 0x17, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x03, 0x02, 0x06, 0xff, 0xc4, 0x00, 0x1b, 0x11,
    0x00, 0x02, 0x02, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x03, 0x01, 0x11, 0x02, 0x14, 0x61, 0x12, 0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02,
    0x11, 0x03, 0x11, 0x00, 0x3f, 0x00, 0xe1, 0xac, 0xcb, 0x16, 0x63, 0xac, 0xcc, 0x2c, 0xc7, 0xce,
    0x7a, 0xdd, 0xb0, 0xeb, 0x65, 0x82, 0xb3, 0x2b, 0x59, 0x8e, 0xb3, 0x32, 0xb3, 0x23, 0x39, 0xeb,
    0x76, 0xc7, 0xad, 0x96, 0x02, 0xcc, 0xb1, 0x66, 0x3a, 0xcc, 0xca, 0xcc, 0x94, 0xe7, 0xad, 0xdb,
    0x1e, 0xb6, 0x59, 0x12, 0xcc, 0xb1, 0x66, 0x3a, 0xcc, 0xca, 0xcc, 0xcc, 0xe7, 0xad, 0xdb, 0x39,
    0x15, 0xb3, 0xd0, 0x0b, 0x32, 0xc5, 0x98, 0xeb, 0x33, 0x2b, 0x32, 0x53, 0x9e, 0xb7, 0x6c, 0x7a,
    0xd9, 0xe8, 0x05, 0x99, 0x5a, 0xcc, 0x75, 0x99, 0x95, 0x99, 0x29, 0xcf, 0x5b, 0xb6, 0x3d, 0x6c,
    0xf4, 0x7f, 0xff, 0xd9,};

/* Under -fsanitize=address, LeakSanitizer would fail the run for two leaks
 * that are not ours: Cairo 1.16 loses a few hundred bytes per embedded font
 * each time a PDF surface is finished (upstream cairo issue 805), and
 * Pango's start-up thread loads the host's fontconfig configuration and
 * never frees it.  Suppressed by the functions they happen under, so a leak
 * of our own still shows. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:cairo_surface_finish\nleak:FcInitLoadConfigAndFonts\n";
}

/* The libraries have no frame pointers: without the slow unwinder a leak's
 * stack stops inside them and the suppressions above cannot see where. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}

static char directory[1024];

static char *path_in(const char *name)
{
    return g_strdup_printf("%s/%s", directory, name);
}

/* Valgrind's own memory counts against a child's address-space limit and
 * everything runs tens of times slower, so limits are widened under it. */
static bool under_valgrind(void)
{
    const char *preload = getenv("LD_PRELOAD");
    return preload && strstr(preload, "vgpreload");
}

/* Under AddressSanitizer a child that runs out of its address space can
 * hang in ASan's own out-of-memory report, which needs memory to print; the
 * wall-clock limit then ends it.  The build defines __SANITIZE_ADDRESS__. */
static bool under_asan(void)
{
#ifdef __SANITIZE_ADDRESS__
    return true;
#else
    return false;
#endif
}

static struct attach_limits generous(struct attach_limits limits)
{
    if (under_valgrind()) {
        limits.memory_bytes = (size_t)16 << 30;
        limits.wall_seconds = 600;
        limits.cpu_seconds = 600;
    }
    return limits;
}

static bool tool_exists(const char *name)
{
    int status;
    g_free(unit_run(&status, "command -v %s >/dev/null 2>&1", name));
    return status == 0;
}

/* Text without spaces: pdftotext and poppler drop or add narrow spaces. */
static char *squeeze(const char *text)
{
    GString *out = g_string_new(NULL);
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c != ' ' && c != '\n' && c != 0x3000)
            g_string_append_unichar(out, c);
    }
    return g_string_free(out, FALSE);
}

static bool files_equal(const char *a, const char *b)
{
    gchar *x = NULL, *y = NULL;
    gsize xn = 0, yn = 0;
    bool same = g_file_get_contents(a, &x, &xn, NULL) && g_file_get_contents(b, &y, &yn, NULL)
                && xn == yn && memcmp(x, y, xn) == 0;
    g_free(x);
    g_free(y);
    return same;
}

/* ---- The faces cut by fonts/subset.py */

/* Number of segments of the face's (3,1) format 4 cmap, the one Cairo 1.16
 * scans for every new glyph of a document; -1 when it has none. */
static int windows_bmp_segments(FT_Face face)
{
    FT_ULong size = 0;
    if (FT_Load_Sfnt_Table(face, TTAG_cmap, 0, NULL, &size) != 0 || size < 4)
        return -1;
    unsigned char *cmap = g_malloc(size);
    int segments = -1;
    if (FT_Load_Sfnt_Table(face, TTAG_cmap, 0, cmap, &size) == 0) {
        unsigned tables = (unsigned)cmap[2] << 8 | cmap[3];
        for (unsigned i = 0; i < tables && 4 + 8 * (i + 1) <= size; i++) {
            const unsigned char *entry = cmap + 4 + 8 * i;
            unsigned long offset = (unsigned long)entry[4] << 24 | (unsigned long)entry[5] << 16
                                   | (unsigned long)entry[6] << 8 | entry[7];
            if (entry[0] == 0 && entry[1] == 3 && entry[2] == 0 && entry[3] == 1
                && offset + 8 <= size && cmap[offset] == 0 && cmap[offset + 1] == 4)
                segments = ((int)cmap[offset + 6] << 8 | cmap[offset + 7]) / 2;
        }
    }
    g_free(cmap);
    return segments;
}

/* What makes Cairo fast with the cut faces (fonts/subset.py says why):
 * TrueType outlines, no CFF table, the Unified Ideographs kept whole and
 * glyphs numbered in code point order, so the cmap is a few hundred runs
 * (in Noto's own order it is 3,900 segments of scattered glyphs). */
static void check_cut_faces(void)
{
    static const char *const names[] = {
        "BeishenSansTC-Regular.ttf", "BeishenSansTC-Bold.ttf",
        "BeishenSerifTC-Regular.ttf", "BeishenSerifTC-Bold.ttf",
    };
    FT_Library library;
    if (FT_Init_FreeType(&library) != 0) {
        CHECK(false, "FreeType starts");
        return;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        char *path = g_build_filename(BEISHEN_FONT_DIR, names[i], NULL);
        FT_Face face;
        if (FT_New_Face(library, path, 0, &face) != 0) {
            CHECK(false, "%s opens", path);
            g_free(path);
            continue;
        }
        FT_ULong glyf = 0, cff = 0;
        bool has_glyf = FT_Load_Sfnt_Table(face, TTAG_glyf, 0, NULL, &glyf) == 0 && glyf > 0;
        bool has_cff = FT_Load_Sfnt_Table(face, TTAG_CFF, 0, NULL, &cff) == 0;
        CHECK(has_glyf && !has_cff, "%s: TrueType outlines, no CFF table", names[i]);

        int segments = windows_bmp_segments(face);
        CHECK(segments > 0 && segments < 1000, "%s: format 4 cmap of %d segments (< 1000)",
              names[i], segments);

        /* Kept whole, so the block is a few cmap runs (not every glyph is
         * new: a Kangxi radical earlier in code point order may share it). */
        unsigned missing = 0;
        for (FT_ULong code = 0x4E00; code <= 0x9FA5; code++)
            missing += FT_Get_Char_Index(face, code) == 0;
        CHECK(missing == 0, "%s: all of U+4E00..U+9FA5 present (%u missing)", names[i], missing);
        FT_Done_Face(face);
        g_free(path);
    }
    FT_Done_FreeType(library);
}

/* ---- Fixtures */

/* A PDF made with Cairo and Pango, like a student's exported report. */
static void make_valid_pdf(const char *path, int pages)
{
    static const double fill[3] = { 0.93, 0.95, 1 };
    pdf_fixture_pages(path, pages, 420, 595, 420, 595, fill, NULL,
                      "學習歷程自述 第%d頁\nATTACHMENT PAGE %d");
}

/* Writes a PDF from object bodies (object i + 1 is bodies[i]) with a
 * correct cross-reference table. */
static void write_pdf_objects(const char *path, const char *const *bodies, int count)
{
    GString *pdf = pdf_fixture_objects(bodies, count, "");
    g_file_set_contents(path, pdf->str, (gssize)pdf->len, NULL);
    g_string_free(pdf, TRUE);
}

/* A page whose text is one 100-million-character string, packed 64:1 with
 * RunLengthDecode into a 1.6 MB file: poppler needs a few hundred MB of
 * memory to read it, and throws std::bad_alloc (an abort) when it cannot. */
static void make_memory_hungry_pdf(const char *path)
{
    GString *data = g_string_new(NULL);
    const char head[] = "BT (", tail[] = ") Tj ET\n";
    g_string_append_c(data, (char)(sizeof head - 2));        /* literal run of 4 bytes */
    g_string_append(data, head);
    for (int i = 0; i < 800000; i++)
        g_string_append_len(data, "\x81" "a", 2);              /* 128 times 'a' */
    g_string_append_c(data, (char)(sizeof tail - 2));
    g_string_append(data, tail);
    g_string_append_c(data, (char)0x80);                     /* end of data */

    GString *pdf = g_string_new("%PDF-1.4\n");
    long offsets[4];
    const char *const objects[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    };
    for (int i = 0; i < 3; i++) {
        offsets[i] = (long)pdf->len;
        g_string_append_printf(pdf, "%d 0 obj\n%s\nendobj\n", i + 1, objects[i]);
    }
    offsets[3] = (long)pdf->len;
    g_string_append_printf(pdf, "4 0 obj\n<< /Length %zu /Filter /RunLengthDecode >>\nstream\n",
                           data->len);
    g_string_append_len(pdf, data->str, (gssize)data->len);
    g_string_append(pdf, "\nendstream\nendobj\n");
    long xref = (long)pdf->len;
    g_string_append(pdf, "xref\n0 5\n0000000000 65535 f \n");
    for (int i = 0; i < 4; i++)
        g_string_append_printf(pdf, "%010ld 00000 n \n", offsets[i]);
    g_string_append_printf(pdf, "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n", xref);
    g_file_set_contents(path, pdf->str, (gssize)pdf->len, NULL);
    g_string_free(pdf, TRUE);
    g_string_free(data, TRUE);
}

/* A small file that draws ten million strokes through nested forms: poppler
 * takes far longer than any limit to render it. */
static void make_slow_pdf(const char *path)
{
    enum { DEPTH = 8 };
    const char *fixed[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        NULL, NULL,
    };
    char *bodies[4 + DEPTH];
    bodies[0] = g_strdup(fixed[0]);
    bodies[1] = g_strdup(fixed[1]);
    bodies[2] = g_strdup_printf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
                                "/Resources << /XObject << /X %d 0 R >> >> /Contents 4 0 R >>",
                                5 + DEPTH - 1);
    bodies[3] = g_strdup("<< /Length 7 >>\nstream\n/X Do\n\nendstream");
    for (int level = 0; level < DEPTH; level++) {
        GString *content = g_string_new(NULL);
        if (level == 0)
            g_string_append(content, "0 0 m 100 100 l S\n");
        else
            for (int i = 0; i < 10; i++)
                g_string_append(content, "/X Do\n");
        GString *body = g_string_new(NULL);
        g_string_append_printf(body, "<< /Type /XObject /Subtype /Form /BBox [0 0 200 200] ");
        if (level > 0)
            g_string_append_printf(body, "/Resources << /XObject << /X %d 0 R >> >> ", 5 + level - 1);
        g_string_append_printf(body, "/Length %zu >>\nstream\n%s\nendstream", content->len,
                               content->str);
        bodies[4 + level] = g_string_free(body, FALSE);
        g_string_free(content, TRUE);
    }
    write_pdf_objects(path, (const char *const *)bodies, 4 + DEPTH);
    for (int i = 0; i < 4 + DEPTH; i++)
        g_free(bodies[i]);
}

static cairo_status_t append_bytes(void *closure, const unsigned char *data, unsigned int length)
{
    g_byte_array_append(closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

/* A 240 x 150 PNG: a gradient with a disc, made with Cairo. */
static GByteArray *make_png(void)
{
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 240, 150);
    cairo_t *cr = cairo_create(surface);
    cairo_pattern_t *gradient = cairo_pattern_create_linear(0, 0, 240, 150);
    cairo_pattern_add_color_stop_rgb(gradient, 0, 0.12, 0.31, 0.47);
    cairo_pattern_add_color_stop_rgb(gradient, 1, 0.62, 0.71, 0.80);
    cairo_set_source(cr, gradient);
    cairo_paint(cr);
    cairo_pattern_destroy(gradient);
    cairo_set_source_rgb(cr, 0.95, 0.77, 0.2);
    cairo_arc(cr, 170, 70, 40, 0, 2 * G_PI);
    cairo_fill(cr);
    cairo_destroy(cr);
    GByteArray *bytes = g_byte_array_new();
    cairo_surface_write_to_png_stream(surface, append_bytes, bytes);
    cairo_surface_destroy(surface);
    return bytes;
}

/* ---- The document */

struct fixture {
    GByteArray *png;
    struct attach_file *valid, *corrupt, *encrypted, *truncated;
    struct chart_histogram pool;
    struct chart_histogram rows[8];
    int png_status, jpeg_status, bad_image_status;
};

static const char *const subjects[] = {
    "國語文", "英語文", "數學A", "物理", "化學", "生物", "地球科學", "歷史",
    "地理", "公民與社會", "資訊科技", "生活科技", "音樂", "美術", "體育", "健康與護理",
};

static int keep_block(struct layout_doc *doc, void *user)
{
    (void)user;
    const struct layout_style heading = { .family = FONTS_SERIF, .size = 13, .bold = true };
    layout_text(doc, &heading, "審查重點（本段落保持在同一頁）");
    layout_space(doc, 3);
    return layout_text(doc, NULL,
                       "一、學習歷程自述應呈現申請動機與未來規劃。二、課程學習成果以書面報告與實作作品為主，"
                       "請審查委員留意是否具教師認證。三、多元表現以校內外競賽、幹部經歷為參考。");
}

static int content(struct layout_doc *doc, void *user)
{
    struct fixture *f = user;
    const struct layout_style title = { .family = FONTS_SERIF, .size = 20, .bold = true,
                                        .color = 0x1F2A44 };
    const struct layout_style heading = { .family = FONTS_SERIF, .size = 14, .bold = true,
                                          .color = 0x1F2A44 };
    const struct layout_style body = { .size = 10.5 };
    const struct layout_style link = { .size = 10.5, .color = 0x1F4E9A };
    const struct layout_style right = { .size = 9, .align = LAYOUT_RIGHT };
    const struct layout_style centre = { .size = 9, .align = LAYOUT_CENTER };
    struct error err;

    layout_page_labels(doc, "S-");
    layout_running_item(doc, "總覽");
    layout_destination(doc, "cover");
    int cover = layout_outline(doc, LAYOUT_OUTLINE_ROOT, "審查總覽", "cover", true);
    layout_outline(doc, cover, "申請人基本資料", "cover", false);
    int pool = layout_outline(doc, cover, "同校系成績分布", "pool", false);
    (void)pool;

    layout_text(doc, &title, "國立範例大學　資訊工程學系　備審資料審查表");
    layout_space(doc, 6);
    layout_text(doc, &body, "申請人：𠮷田䶮子（姓名含 CJK 擴充 B 區「𠮷」「𡒄」與擴充 A 區「䶮」字）　"
                            "申請編號：1130001　身分證號：A*****6789");
    layout_space(doc, 4);
    layout_link(doc, &link, "→ 前往附件：學習歷程自述（PDF）", "attachments");
    layout_space(doc, 8);
    layout_text(doc, &body,
                "本文件由系統自動產生，內容包括申請人修課紀錄、成績分布與上傳附件。"
                "Long Latin words such as internationalization and a URL like "
                "https://example.edu.tw/admissions/review/2025/applicants/1130001/portfolio/attachments "
                "must wrap without overflowing the margins; 中文則依 UAX #14 斷行規則於字元間換行，"
                "標點符號如「，」「。」不會出現在行首。");
    layout_space(doc, 10);

    f->png_status = layout_image(doc, f->png->data, f->png->len, 240, 110, &err);
    layout_space(doc, 6);
    f->jpeg_status = layout_image(doc, jpeg_fixture, sizeof jpeg_fixture, 180, 110, &err);
    f->bad_image_status = layout_image(doc, "GIF89a", 6, 100, 100, &err);
    layout_space(doc, 10);

    layout_destination(doc, "pool");
    chart_histogram_block(doc, 0, 190, &f->pool);
    layout_space(doc, 10);
    layout_keep_together(doc, keep_block, NULL);

    /* The long table: its header must repeat on every page it spans. */
    layout_new_page(doc);
    layout_running_item(doc, "修課紀錄");
    layout_destination(doc, "courses");
    int courses = layout_outline(doc, LAYOUT_OUTLINE_ROOT, "修課紀錄", "courses", true);
    layout_outline(doc, courses, "長文字列（跨頁分割）", "long-row", false);
    layout_text(doc, &heading, "修課紀錄與成績分布");
    layout_space(doc, 6);

    const struct layout_column columns[] = {
        { .width = 34, .style = &centre },
        { .fraction = 2 },
        { .width = 40, .style = &right },
        { .width = 44, .style = &right },
        { .fraction = 1.2 },
    };
    const struct layout_cell header[] = {
        { .text = "序" }, { .text = "科目名稱" }, { .text = "學分" }, { .text = "成績" },
        { .text = "同科成績分布（紅線：本人成績）" },
    };
    const struct layout_table table = {
        .columns = columns, .column_count = 5, .header = header, .zebra_fill = 0xF4F6F9,
    };
    layout_table_begin(doc, &table);
    for (int row = 1; row <= 130; row++) {
        char number[16], name[256], credits[16], score[16];
        snprintf(number, sizeof number, "%d", row);
        snprintf(name, sizeof name, "ROW-%03d %s（%s）", row, subjects[row % 16],
                 row % 7 == 0 ? "加深加廣選修，含跨領域專題實作與校外參訪" : "部定必修");
        snprintf(credits, sizeof credits, "%d", 1 + row % 4);
        int value = 40 + (row * 37) % 60;
        snprintf(score, sizeof score, "%d", value);
        struct chart_histogram *h = &f->rows[row % 8];
        h->marked_bin = chart_bin_of(value);
        h->has_marker = true;
        h->marker = value;
        struct layout_cell cells[5] = {
            { .text = number }, { .text = name }, { .text = credits },
            { .text = score }, { .draw = chart_draw_mini, .draw_user = h, .draw_height = 26 },
        };
        const struct layout_style failing = { .size = 9, .bold = true, .color = 0xB00020,
                                              .align = LAYOUT_RIGHT };
        if (value < 60)
            cells[3].style = &failing;
        if (row == 12)
            cells[1].link = "attachments";
        char *long_text = NULL;
        if (row == 70) {
            GString *text = g_string_new("ROW-070 長文字列：");
            for (int i = 0; i < 95; i++)
                g_string_append(text, "這是一段很長的課程說明，用來測試超過一頁高度的表格列會在文字行之間分割，不會被裁切。");
            long_text = g_string_free(text, FALSE);
            cells[1].text = long_text;
            layout_destination(doc, "long-row");
        }
        layout_table_row(doc, cells);
        g_free(long_text);
    }
    layout_table_end(doc);

    /* Attachments, labelled, … */
    layout_new_page(doc);
    layout_page_labels(doc, "A-");
    layout_running_item(doc, "附件 A　學習歷程自述");
    layout_destination(doc, "attachments");
    int attachments = layout_outline(doc, LAYOUT_OUTLINE_ROOT, "附件", "attachments", true);
    layout_outline(doc, attachments, "學習歷程自述（valid.pdf）", "attachments", false);
    layout_outline(doc, attachments, "無法顯示的附件", "broken", false);
    attach_draw(doc, f->valid);
    layout_new_page(doc);
    layout_running_item(doc, "附件 B　無法顯示的附件");
    layout_destination(doc, "broken");
    layout_text(doc, &heading, "附件 B");
    layout_space(doc, 6);
    attach_draw(doc, f->corrupt);
    layout_space(doc, 10);
    attach_draw(doc, f->encrypted);
    layout_new_page(doc);
    layout_running_item(doc, "附件 C　長篇附件");
    attach_draw(doc, f->truncated);
    return 0;
}

static const struct layout_options document_options = {
    .paper = LAYOUT_A4_PORTRAIT,
    .date_utc = "2025-03-01T09:00:00Z",
    .title = "備審資料審查表 1130001",
    .author = "國立範例大學 資訊工程學系",
    .header_left = "國立範例大學　資訊工程學系（組）　114 學年度個人申請",
    .header_right = "申請編號 1130001 · A*****6789",
    .footer_left = "機密：僅供審查委員使用",
    .band_text = "自行上傳PDF：無教師認證、無時點歷程紀錄",
};

static int unknown_content(struct layout_doc *doc, void *user)
{
    (void)user;
    /* U+E000 is private use: no font here has a glyph for it. */
    return layout_text(doc, NULL, "私用區字元：\xee\x80\x80");
}

/* The same string three times: laid out once and kept (text_layout), but
 * each drawing counts its missing glyph. */
static int repeated_unknown_content(struct layout_doc *doc, void *user)
{
    (void)user;
    for (int i = 0; i < 3; i++)
        if (layout_text(doc, NULL, "私用區字元：\xee\x80\x80") != 0)
            return -1;
    return 0;
}

/* Splits pdftotext output into pages. */
static char **text_pages(const char *pdf, int *count)
{
    int status;
    char *text = unit_run(&status, "pdftotext -layout '%s' -", pdf);
    char **pages = g_strsplit(text, "\f", -1);
    g_free(text);
    *count = (int)g_strv_length(pages);
    if (*count > 0 && pages[*count - 1][0] == '\0')
        (*count)--;
    return pages;
}

static void check_table_headers(const char *pdf, int total)
{
    int count;
    char **pages = text_pages(pdf, &count);
    int table_pages = 0, missing = 0, footers = 0;
    for (int i = 0; i < count; i++) {
        char *page = squeeze(pages[i]);
        if (strstr(page, "ROW-")) {
            table_pages++;
            /* The last header cell wraps to two lines: both must be there. */
            if (!strstr(page, "科目名稱") || !strstr(page, "同科成績分布") || !strstr(page, "本人成績"))
                missing++;
        }
        g_free(page);
        char footer[64];
        snprintf(footer, sizeof footer, "%d / %d", i + 1, total);
        if (strstr(pages[i], footer) && strstr(pages[i], "自行上傳PDF"))
            footers++;
    }
    CHECK(count == total, "pdftotext sees %d pages (expected %d)", count, total);
    CHECK(table_pages >= 3, "the table spans %d pages (at least 3)", table_pages);
    CHECK(missing == 0, "the header row is on every table page (%d missing)", missing);
    CHECK(footers == count, "every page has its band and \"n / %d\" footer (%d of %d)", total,
          footers, count);
    GString *all = g_string_new(NULL);
    for (int i = 0; i < count; i++) {
        char *squeezed = squeeze(pages[i]);
        g_string_append(all, squeezed);
        g_free(squeezed);
    }
    CHECK(strstr(all->str, "ROW-130") && strstr(all->str, "ROW-001"),
          "first and last table rows are present");
    CHECK(strstr(all->str, "𠮷") && strstr(all->str, "䶮") && strstr(all->str, "𡒄"),
          "Extension A/B characters are in the text layer");
    CHECK(strstr(all->str, "附件無法顯示") && strstr(all->str, "corrupt.pdf"),
          "the corrupt attachment shows the placeholder with its name");
    CHECK(strstr(all->str, "附件：valid.pdf第1/2頁") && strstr(all->str, "附件：valid.pdf第2/2頁"),
          "the valid attachment's pages are labelled \"page k / n\"");
    CHECK(strstr(all->str, "學習歷程自述第2頁") != NULL,
          "the valid attachment's own text survives sanitising");
    CHECK(strstr(all->str, "僅顯示前3頁") != NULL, "the truncated attachment has its note");
    g_string_free(all, TRUE);
    g_strfreev(pages);
}

static void check_images(const char *pdf)
{
    int status;
    char *list = unit_run(&status, "pdfimages -list '%s'", pdf);
    bool jpeg = false, flate = false;
    char **lines = g_strsplit(list, "\n", -1);
    for (char **line = lines; *line; line++) {
        char **fields = g_strsplit_set(*line, " ", -1);
        int n = 0;
        char *field[16];
        for (char **p = fields; *p && n < 16; p++)
            if (**p)
                field[n++] = *p;
        /* page num type width height color comp bpc enc ... */
        if (n > 8 && strcmp(field[2], "image") == 0) {
            if (strcmp(field[8], "jpeg") == 0 && strcmp(field[3], "48") == 0)
                jpeg = true;
            if (strcmp(field[8], "image") == 0 && strcmp(field[3], "240") == 0)
                flate = true;
        }
        g_strfreev(fields);
    }
    g_strfreev(lines);
    CHECK(status == 0 && jpeg, "pdfimages lists the JPEG as DCT (jpeg) at 48x32");
    CHECK(flate, "pdfimages lists the PNG at 240x150");
    g_free(list);
}

static void check_fonts(const char *pdf)
{
    int status;
    char *list = unit_run(&status, "pdffonts '%s'", pdf);
    char **lines = g_strsplit(list, "\n", -1);
    int fonts = 0, bad = 0;
    for (int i = 2; lines[i]; i++) {   /* two header lines */
        char **fields = g_strsplit_set(lines[i], " ", -1);
        char *field[32];
        int n = 0;
        for (char **p = fields; *p && n < 32; p++)
            if (**p)
                field[n++] = *p;
        /* ... emb sub uni object ID */
        if (n >= 6) {
            fonts++;
            if (strcmp(field[n - 5], "yes") != 0 || strcmp(field[n - 4], "yes") != 0) {
                bad++;
                printf("  font not embedded+subset: %s\n", lines[i]);
            }
        }
        g_strfreev(fields);
    }
    CHECK(status == 0 && fonts > 0 && bad == 0, "pdffonts: all %d fonts embedded and subset", fonts);
    g_strfreev(lines);
    g_free(list);
}

static void check_structure(const char *pdf, int pages)
{
    int status;
    char *output = unit_run(&status, "qpdf --check '%s' 2>&1", pdf);
    CHECK(status == 0 && strstr(output, "No syntax or stream encoding errors"), "qpdf --check passes");
    g_free(output);

    output = unit_run(&status, "qpdf --show-npages '%s'", pdf);
    CHECK(atoi(output) == pages, "qpdf --show-npages says %d", pages);
    g_free(output);

    output = unit_run(&status, "qpdf --json --json-key=outlines '%s'", pdf);
    /* A nested entry appears as a "kids" list holding a titled entry. */
    const char *courses = strstr(output, "\"title\": \"修課紀錄\"");
    const char *nested = strstr(output, "\"title\": \"長文字列（跨頁分割）\"");
    CHECK(status == 0 && courses && nested && strstr(output, "\"kids\": [\n"),
          "qpdf --json shows the outline with nested entries");
    g_free(output);

    output = unit_run(&status, "qpdf --json --json-key=pagelabels '%s'", pdf);
    CHECK(status == 0 && strstr(output, "\"/P\": \"u:S-\"") && strstr(output, "\"/P\": \"u:A-\""),
          "qpdf --json shows page-label ranges S-… and A-…");
    g_free(output);
}

/* The cover page's link must resolve, through the named destination, to the
 * page where the attachments start. */
static void check_link(const char *pdf)
{
    char *uri = g_filename_to_uri(pdf, NULL, NULL);
    PopplerDocument *document = poppler_document_new_from_file(uri, NULL, NULL);
    g_free(uri);
    int target = -1, expected = -1;
    char *first_label = NULL, *attachment_label = NULL;
    if (document) {
        PopplerPage *cover = poppler_document_get_page(document, 0);
        GList *links = poppler_page_get_link_mapping(cover);
        for (GList *l = links; l; l = l->next) {
            PopplerLinkMapping *mapping = l->data;
            PopplerAction *action = mapping->action;
            if (action->type == POPPLER_ACTION_GOTO_DEST && action->goto_dest.dest
                && action->goto_dest.dest->type == POPPLER_DEST_NAMED
                && strcmp(action->goto_dest.dest->named_dest, "attachments") == 0) {
                PopplerDest *dest = poppler_document_find_dest(document, "attachments");
                if (dest) {
                    target = dest->page_num;
                    poppler_dest_free(dest);
                }
            }
        }
        poppler_page_free_link_mapping(links);
        g_object_unref(cover);
        for (int i = 0; i < poppler_document_get_n_pages(document) && expected < 0; i++) {
            PopplerPage *page = poppler_document_get_page(document, i);
            char *text = poppler_page_get_text(page);
            char *squeezed = squeeze(text ? text : "");
            if (strstr(squeezed, "valid.pdf第1/2頁"))
                expected = i + 1;
            g_free(squeezed);
            g_free(text);
            g_object_unref(page);
        }
        PopplerPage *first = poppler_document_get_page(document, 0);
        first_label = poppler_page_get_label(first);
        g_object_unref(first);
        if (expected > 0) {
            PopplerPage *page = poppler_document_get_page(document, expected - 1);
            attachment_label = poppler_page_get_label(page);
            g_object_unref(page);
        }
        g_object_unref(document);
    }
    CHECK(first_label && strcmp(first_label, "S-1") == 0 && attachment_label
              && strcmp(attachment_label, "A-1") == 0,
          "page labels: the cover is S-1 (%s), the first attachment page A-1 (%s)",
          first_label ? first_label : "none", attachment_label ? attachment_label : "none");
    g_free(first_label);
    g_free(attachment_label);
    CHECK(target > 0 && target == expected,
          "the cover's link goes to named destination \"attachments\" on page %d (expected %d)",
          target, expected);
}

/* A document rendered in a fresh process must match too. */
static bool render_in_child(const char *path, struct fixture *f)
{
    pid_t pid = fork();
    if (pid == 0) {
        struct error err;
        _exit(layout_render(path, &document_options, content, f, NULL, &err) == 0 ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void check_attachment_limits(void)
{
    char *slow = path_in("slow.pdf");
    char *valid = path_in("valid.pdf");
    make_slow_pdf(slow);
    struct error err;
    struct attach_file *file;

    double start = timestamp_monotonic();
    struct attach_limits wall = { .wall_seconds = 1, .cpu_seconds = 60 };
    enum attach_status status = attach_prepare(slow, "slow.pdf", &wall, &file, &err);
    double took = timestamp_monotonic() - start;
    CHECK(status == ATTACH_TIMEOUT && took < 5,
          "a PDF that renders forever is killed at the wall-clock limit (%s, %.1f s)",
          attach_status_name(status), took);
    attach_free(file);

    struct attach_limits cpu = { .wall_seconds = 60, .cpu_seconds = 1 };
    status = attach_prepare(slow, "slow.pdf", &cpu, &file, &err);
    CHECK(status == ATTACH_LIMIT, "... and stopped by the CPU-time limit (%s: %s)",
          attach_status_name(status), err.message);
    attach_free(file);

    char *hungry = path_in("hungry.pdf");
    make_memory_hungry_pdf(hungry);
    struct attach_limits memory = { .memory_bytes = 64 << 20 };
    status = attach_prepare(hungry, "hungry.pdf", &memory, &file, &err);
    /* Under valgrind the child is too slow to reach the limit in 30 s; under
     * ASan it may hang in its report (see under_asan()).  Either way the
     * wall-clock limit ends it and it is reported. */
    CHECK(status == ATTACH_CRASHED
          || ((under_valgrind() || under_asan()) && status == ATTACH_TIMEOUT),
          "a child over its 64 MiB memory budget dies and is reported (%s: %s)",
          attach_status_name(status), err.message);
    attach_free(file);
    struct attach_limits roomy = generous((struct attach_limits){ .memory_bytes = (size_t)1 << 30 });
    status = attach_prepare(hungry, "hungry.pdf", &roomy, &file, &err);
    CHECK(status == ATTACH_OK, "... and the same file sanitises with 1 GiB (%s)", attach_status_name(status));
    attach_free(file);
    g_free(hungry);

    struct attach_limits small = { .max_file_bytes = 100 };
    status = attach_prepare(valid, NULL, &small, &file, &err);
    CHECK(status == ATTACH_TOO_LARGE && strlen(attach_sha256(file)) == 64,
          "a file over max_file_bytes is refused but still hashed (%s)", attach_status_name(status));
    attach_free(file);

    char *missing = path_in("missing.pdf");
    status = attach_prepare(missing, NULL, NULL, &file, &err);
    CHECK(status == ATTACH_UNREADABLE, "a missing file is unreadable (%s)", attach_status_name(status));
    attach_free(file);
    g_free(missing);
    g_free(slow);
    g_free(valid);
}

/* Keep-with-next: fills a page to `leave` points above its foot, then a
 * heading and `what` follows it (0: a table, 1: text, 2: a drawing). */
struct heading_case {
    double leave;
    int what;
};

static void nothing_drawn(struct layout_doc *doc, cairo_t *cr, struct layout_box box, void *user)
{
    (void)doc, (void)cr, (void)box, (void)user;
}

static int heading_content(struct layout_doc *doc, void *user)
{
    const struct heading_case *c = user;
    static const struct layout_style filler = {.size = 10};
    int line = 0;
    char text[64];
    while (layout_remaining(doc) > c->leave + 16) {
        snprintf(text, sizeof text, "填充行 %d", ++line);
        layout_text(doc, &filler, text);
    }
    layout_heading(doc, &(struct layout_style){.size = 12, .bold = true}, "保持標題");
    layout_space(doc, 3);
    if (c->what == 0) {
        static const struct layout_column columns[] = {{.fraction = 1}, {.fraction = 1}};
        static const struct layout_cell header[] = {{.text = "欄一"}, {.text = "欄二"}};
        struct layout_table table = {.columns = columns, .column_count = 2, .header = header};
        layout_table_begin(doc, &table);
        layout_table_row(doc, (struct layout_cell[]){{.text = "第一列"}, {.text = "內容"}});
        layout_table_end(doc);
    } else if (c->what == 1) {
        layout_text(doc, NULL, "標題後的第一段文字");
    } else {
        layout_drawing(doc, 100, 120, nothing_drawn, NULL);
        layout_text(doc, NULL, "圖後文字");
    }
    return 0;
}

/* The page (1-based) whose text holds `needle`, or 0. */
static int page_of(char **pages, int count, const char *needle)
{
    for (int k = 0; k < count; k++)
        if (strstr(pages[k], needle))
            return k + 1;
    return 0;
}

static void check_headings_kept(void)
{
    static const char *const what[] = {"a table's header and first row", "a first line of text",
                                       "a drawing"};
    for (int w = 0; w < 3; w++) {
        /* 10 to 26 points left: room for the heading alone (about 17), not
         * for it and what follows. */
        struct heading_case tight = {.leave = 10, .what = w};
        char *path = path_in("heading.pdf");
        struct error err = {0};
        struct layout_result result = {0};
        int rc = layout_render(path, &document_options, heading_content, &tight, &result, &err);
        int count;
        char **pages = text_pages(path, &count);
        int heading = page_of(pages, count, "保持標題");
        int next = page_of(pages, count, w == 0 ? "第一列" : w == 1 ? "標題後的第一段文字" : "圖後文字");
        CHECK(rc == 0 && count == 2 && heading == 2 && (w == 2 || next == 2),
              "a heading with too little room left goes to the next page with %s (%d pages; heading on %d)",
              what[w], count, heading);
        g_strfreev(pages);
        /* With room for both, both stay on the first page. */
        struct heading_case roomy = {.leave = 200, .what = w};
        rc = layout_render(path, &document_options, heading_content, &roomy, &result, &err);
        pages = text_pages(path, &count);
        heading = page_of(pages, count, "保持標題");
        CHECK(rc == 0 && heading == 1, "with room left, the heading and %s stay on page 1 (heading on %d)",
              what[w], heading);
        g_strfreev(pages);
        g_free(path);
    }
}

int main(void)
{
    if (!unit_temporary_directory(directory, sizeof directory, "unit_layout"))
        return unit_finish();

    struct error err = {0};
    CHECK(fonts_check(&err) == 0, "fonts resolve to real Regular/Bold faces with Ext A/B fallback %s",
          err.message);
    check_cut_faces();

    struct fixture f = { 0 };
    f.png = make_png();
    const unsigned pool_counts[CHART_BINS] = { 2, 5, 9, 18, 33, 61, 88, 72, 40, 12 };
    memcpy(f.pool.counts, pool_counts, sizeof pool_counts);
    f.pool.marked_bin = 7;
    f.pool.has_marker = true;
    f.pool.marker = 76.5;
    f.pool.title = "同校系申請者學測總級分換算分數分布（n = 340）";
    f.pool.x_title = "換算分數";
    for (int i = 0; i < 8; i++) {
        for (int k = 0; k < CHART_BINS; k++)
            f.rows[i].counts[k] = (unsigned)((k * 7 + i * 5) % 11 + (k > 3 && k < 8 ? 6 : 0));
        f.rows[i].axis_labels = true;
    }

    char *valid = path_in("valid.pdf"), *corrupt = path_in("corrupt.pdf");
    char *encrypted = path_in("encrypted.pdf"), *long_pdf = path_in("long.pdf");
    make_valid_pdf(valid, 2);
    make_valid_pdf(long_pdf, 25);
    const char broken[] = "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                          "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Cou\x00\xff\xfe garbage";
    g_file_set_contents(corrupt, broken, sizeof broken - 1, NULL);
    int status;
    g_free(unit_run(&status, "qpdf --encrypt user owner 256 -- '%s' '%s'", valid, encrypted));

    const struct attach_limits defaults = generous((struct attach_limits){ 0 });
    enum attach_status s = attach_prepare(valid, NULL, &defaults, &f.valid, &err);
    CHECK(s == ATTACH_OK && attach_page_count(f.valid) == 2 && attach_pages_shown(f.valid) == 2,
          "a valid PDF is sanitised in a child (%s, %d pages)", attach_status_name(s),
          attach_page_count(f.valid));
    s = attach_prepare(corrupt, "corrupt.pdf", &defaults, &f.corrupt, &err);
    CHECK(s == ATTACH_MALFORMED && strlen(attach_sha256(f.corrupt)) == 64,
          "a corrupt PDF is reported malformed (%s)", attach_status_name(s));
    s = attach_prepare(encrypted, "encrypted.pdf", &defaults, &f.encrypted, &err);
    CHECK(s == ATTACH_ENCRYPTED, "an encrypted PDF is reported encrypted (%s)", attach_status_name(s));
    struct attach_limits three = generous((struct attach_limits){ .max_pages = 3 });
    s = attach_prepare(long_pdf, "long.pdf", &three, &f.truncated, &err);
    CHECK(s == ATTACH_TRUNCATED && attach_pages_shown(f.truncated) == 3
              && attach_page_count(f.truncated) == 25,
          "a 25-page PDF is cut to 3 pages (%s)", attach_status_name(s));

    char *out = path_in("packet.pdf"), *again = path_in("packet-again.pdf");
    char *child = path_in("packet-child.pdf");
    struct layout_result result = { 0 };
    double start = timestamp_monotonic();
    int rendered = layout_render(out, &document_options, content, &f, &result, &err);
    CHECK(rendered == 0, "the document renders (%s) in %.2f s, %d pages",
          rendered ? err.message : "ok", timestamp_monotonic() - start, result.pages);
    CHECK(result.unknown_glyphs == 0, "no unknown glyphs (%ld)", result.unknown_glyphs);
    CHECK(f.png_status == 0 && f.jpeg_status == 0, "PNG and JPEG are placed");
    CHECK(f.bad_image_status == -1, "a GIF is refused without failing the document");

    struct layout_result unknown = { 0 };
    char *unknown_pdf = path_in("unknown.pdf");
    struct layout_options a3 = document_options;
    a3.paper = LAYOUT_A3_LANDSCAPE;
    layout_render(unknown_pdf, &a3, unknown_content, NULL, &unknown, &err);
    CHECK(unknown.unknown_glyphs == 1, "U+E000 counts as one unknown glyph (%ld)",
          unknown.unknown_glyphs);
    int info_status_unused;
    struct layout_result repeated = { 0 };
    char *repeated_pdf = path_in("repeated.pdf");
    layout_render(repeated_pdf, &document_options, repeated_unknown_content, NULL, &repeated, &err);
    CHECK(repeated.unknown_glyphs == 3, "a kept layout drawn three times counts three unknown glyphs (%ld)",
          repeated.unknown_glyphs);
    char *repeated_text = unit_run(&info_status_unused, "pdftotext '%s' -", repeated_pdf);
    int shown = 0;
    for (const char *p = repeated_text; (p = strstr(p, "私用區字元")) != NULL; p++)
        shown++;
    CHECK(shown == 3, "and all three are drawn (%d)", shown);
    g_free(repeated_text);
    g_free(repeated_pdf);
    int info_status;
    char *info = unit_run(&info_status, "pdfinfo '%s'", unknown_pdf);
    CHECK(strstr(info, "1190.55 x 841.89 pts (A3)") != NULL, "A3 landscape is 1190.55 x 841.89 pt");
    g_free(info);

    struct layout_result second = { 0 };
    layout_render(again, &document_options, content, &f, &second, &err);
    CHECK(files_equal(out, again), "rendering twice gives byte-identical files");
    bool child_rendered = render_in_child(child, &f);
    CHECK(child_rendered && files_equal(out, child), "a fresh process renders the same bytes%s",
          child_rendered ? "" : " (the child failed to render)");

    if (tool_exists("pdftotext") && tool_exists("qpdf") && tool_exists("pdfimages")
        && tool_exists("pdffonts")) {
        check_table_headers(out, result.pages);
        check_images(out);
        check_fonts(out);
        check_structure(out, result.pages);
    } else {
        CHECK(false, "poppler-utils and qpdf are installed");
    }
    check_link(out);
    check_headings_kept();
    check_attachment_limits();

    attach_free(f.valid);
    attach_free(f.corrupt);
    attach_free(f.encrypted);
    attach_free(f.truncated);
    g_byte_array_unref(f.png);
    g_free(valid);
    g_free(corrupt);
    g_free(encrypted);
    g_free(long_pdf);
    g_free(out);
    g_free(again);
    g_free(child);
    g_free(unknown_pdf);
    layout_forget_kept();
    fonts_shutdown();

    int status_code = unit_finish();
    fflush(stdout);   /* a sanitizer's exit report must not swallow the tally */
    return status_code;
}
