/* fuzz_pdfpage — render/pdfpage.c, the bounded reader of Cairo-written
 * PDFs, on arbitrary bytes.  Promises checked (pdfpage.h):
 *  - pdfpage_source_open never crashes, leaks or overruns, and a source
 *    it opens has at least one page, each 1 to 14,400 points a side;
 *  - a source opened with check_all can be placed: pdfpage_append onto a
 *    Cairo document of our own cannot fail;
 *  - pdfpage_correct_cff_widths on any bytes is safe, never asks for more
 *    than 65,536 widths of one font, and its rewrite is itself readable,
 *    opens as a source whenever the input did, and needs no second
 *    correction. */
#include "fuzz.h"
#include "render/pdfpage.h"

#include <math.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>

static GBytes *target;   /* a two-page Cairo PDF, made once */

static cairo_status_t collect(void *closure, const unsigned char *data, unsigned int length)
{
    g_byte_array_append(closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    GByteArray *bytes = g_byte_array_new();
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(collect, bytes, 595, 842);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, "2024-01-01T00:00:00Z");
    cairo_t *cr = cairo_create(surface);
    for (int page = 0; page < 2; page++) {
        cairo_set_source_rgb(cr, 0.2, 0.4, 0.6);
        cairo_rectangle(cr, 40, 40, 200 + 100 * page, 100);
        cairo_fill(cr);
        cairo_show_page(cr);
    }
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    cairo_surface_destroy(surface);
    target = g_byte_array_free_to_bytes(bytes);
    return 0;
}

/* A stand-in for FreeType: widths that depend on the program's bytes, so
 * that some differ from /W and get corrected; NAN for some CIDs, and a
 * refusal of empty programs, as the real one may answer. */
static int measure(const unsigned char *program, size_t size, const unsigned *cids, size_t count,
                   double *widths, void *user)
{
    (void)user;
    /* pdfpage.h: a /W listing more widths than a font has glyphs is refused. */
    FUZZ_CHECK(count <= 65536, "asked for %zu widths", count);
    if (size == 0)
        return -1;
    for (size_t i = 0; i < count; i++)
        widths[i] = cids[i] % 5 == 4 ? NAN : 4.0 * program[cids[i] % size];
    return 0;
}

static bool opens(GBytes *bytes, bool check_all)
{
    struct error err;
    struct pdfpage_source *source = pdfpage_source_open(bytes, check_all, &err);
    pdfpage_source_unref(source);
    return source != NULL;
}

static void place(struct pdfpage_source *source)
{
    /* Up to three source pages on the target's two pages, the first page
     * twice (copied once), in target page order as pdfpage_append wants. */
    int pages = pdfpage_source_pages(source);
    struct pdfpage_placement placements[4];
    size_t count = 0;
    for (int target_page = 1; target_page <= 2; target_page++)
        for (int page = target_page - 1; page < pages && page < 3; page += 2)
            placements[count++] = (struct pdfpage_placement){
                .source = source, .page = page, .target_page = target_page,
                .x = 30, .y = 60 + 10 * page, .width = 300, .height = 400,
                .frame_color = 0x336699, .frame_width = page == 0 ? 0.75 : 0,
            };
    placements[count++] = (struct pdfpage_placement){
        .source = source, .page = 0, .target_page = 2, .x = 10, .y = 10, .width = 50, .height = 70,
    };
    size_t target_size;
    const unsigned char *target_data = g_bytes_get_data(target, &target_size);
    char *written = NULL;
    size_t written_size = 0;
    FILE *file = open_memstream(&written, &written_size);
    FUZZ_CHECK(file != NULL, "open_memstream");
    struct error err = {0};
    int rc = pdfpage_append(target_data, target_size, placements, count, file, &err);
    fclose(file);
    free(written);
    FUZZ_CHECK(rc == 0, "a source opened with check_all could not be placed: %s", err.message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GBytes *bytes = g_bytes_new(data, size);
    struct error err;
    bool checked = false;
    for (int check_all = 0; check_all <= 1; check_all++) {
        struct pdfpage_source *source = pdfpage_source_open(bytes, check_all, &err);
        if (!source)
            continue;
        int pages = pdfpage_source_pages(source);
        FUZZ_CHECK(pages >= 1, "%d pages", pages);
        for (int page = 0; page < pages; page++) {
            double width, height;
            pdfpage_source_size(source, page, &width, &height);
            FUZZ_CHECK(width >= 1 && width <= 14400 && height >= 1 && height <= 14400,
                       "page %d is %g x %g", page + 1, width, height);
        }
        if (check_all) {
            checked = true;
            struct pdfpage_source *shared = pdfpage_source_ref(source);
            place(shared);
            pdfpage_source_unref(shared);
        }
        pdfpage_source_unref(source);
    }

    GBytes *result = NULL;
    int corrected = 0;
    if (pdfpage_correct_cff_widths(bytes, measure, NULL, &result, &corrected, &err) == 0 && result) {
        FUZZ_CHECK(corrected > 0, "a rewrite with %d widths corrected", corrected);
        FUZZ_CHECK(!checked || opens(result, true), "the input opened, its rewrite does not");
        GBytes *again = NULL;
        int second = 0;
        int rc = pdfpage_correct_cff_widths(result, measure, NULL, &again, &second, &err);
        FUZZ_CHECK(rc == 0, "the rewrite is unreadable: %s", err.message);
        FUZZ_CHECK(second == 0 && again == NULL, "the rewrite needed %d more corrections", second);
        g_bytes_unref(result);
    }
    g_bytes_unref(bytes);
    return 0;
}
