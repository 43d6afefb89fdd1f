/* pdf_seeds — writes the PDF seeds of the pdfpage fuzz target into the
 * directory given (tests/fuzz/corpus/pdfpage): small files of the shape
 * pdfpage.c reads, so that mutations start from inside the reader.
 * Run by `make fuzz-seeds`; the output is committed.
 *  - cairo-*.pdf: written by Cairo, as attach.c's sanitised copies are
 *    (one page; two pages of two sizes), with the Beishen serif's subset;
 *  - objects-*.pdf: written object by object, uncompressed, reaching
 *    every branch cheaply: /Length by reference, a page tree two deep,
 *    resources, a transparency group, a CIDFontType0 font with /W (what
 *    pdfpage_correct_cff_widths reads; Cairo's own CFF subset of Noto is
 *    56 KB, too large a seed). */
#include "tests/pdf_fixture.h"

#include <stdio.h>

static void write_objects(const char *directory, const char *name, const char *const *bodies,
                          int count, const char *trailer_extra)
{
    GString *pdf = pdf_fixture_objects(bodies, count, trailer_extra);
    char *path = g_build_filename(directory, name, NULL);
    if (!g_file_set_contents(path, pdf->str, (gssize)pdf->len, NULL))
        fprintf(stderr, "pdf_seeds: cannot write %s\n", path);
    g_free(path);
    g_string_free(pdf, TRUE);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pdf_seeds DIRECTORY\n");
        return 2;
    }
    const char *directory = argv[1];
    const double grey[3] = {0.9, 0.9, 0.9};
    char *path = g_build_filename(directory, "cairo-one-page.pdf", NULL);
    pdf_fixture_pages(path, 1, 200, 150, 200, 150, grey, NULL, "%d");
    g_free(path);
    path = g_build_filename(directory, "cairo-two-sizes.pdf", NULL);
    pdf_fixture_pages(path, 2, 120, 160, 300, 90, grey, NULL, "p%d");
    g_free(path);

    const char *const tree[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [ 3 0 R 4 0 R ] /Count 2 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 200 100 ] /Contents 5 0 R"
        " /Resources << /XObject << /Im1 7 0 R >> /ExtGState << /a0 << /CA 1 >> >> >>"
        " /Group << /Type /Group /S /Transparency /CS /DeviceRGB >> >>",
        "<< /Type /Pages /Parent 2 0 R /Kids [ 8 0 R ] /Count 1 >>",
        "<< /Length 6 0 R >>\nstream\nq 1 0 0 rg 0 0 50 50 re f Q\nendstream",
        "27",
        "<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray"
        " /BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream",
        "<< /Type /Page /Parent 4 0 R /MediaBox [ 0 0 100.5 300 ] /Rotate 0 /Contents 9 0 R >>",
        "<< /Length 0 >>\nstream\n\nendstream",
    };
    write_objects(directory, "objects-tree.pdf", tree, (int)G_N_ELEMENTS(tree), "/Info 6 0 R ");

    const char *const font[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [ 3 0 R ] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 100 100 ] /Contents 4 0 R"
        " /Resources << /Font << /f-0-0 5 0 R >> >> >>",
        "<< /Length 34 >>\nstream\nBT /f-0-0 12 Tf 10 10 Td <0001> Tj ET\nendstream",
        "<< /Type /Font /Subtype /Type0 /BaseFont /X+Noto /Encoding /Identity-H"
        " /DescendantFonts [ 6 0 R ] >>",
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /X+Noto /FontDescriptor 7 0 R"
        " /W [ 0 [ 1000 -80 ] 3 5 500 ] >>",
        "<< /Type /FontDescriptor /FontName /X+Noto /Flags 4 /FontFile3 8 0 R >>",
        "<< /Subtype /CIDFontType0C /Length 8 >>\nstream\nABCDEFGH\nendstream",
    };
    write_objects(directory, "objects-cff-font.pdf", font, (int)G_N_ELEMENTS(font), "");
    return 0;
}
