/* fonts — the only place that decides which fonts beishen draws with.
 *
 * Output must not depend on the host's fonts or locale, so this module builds
 * a private fontconfig configuration that knows only the Noto CJK and HanaMin
 * font files (Debian packages fonts-noto-cjk and fonts-hanazono), and the
 * Beishen Sans/Serif TC faces that make cuts from Noto CJK (fonts/subset.py:
 * the Unified Ideographs, Latin, punctuation, Bopomofo and symbols, with
 * TrueType outlines, so that documents embed small subsets), and hands it
 * to a Pango font map.  It owns that configuration and that font map: one of
 * each per process, created lazily on first use and released by
 * fonts_shutdown().  Not thread-safe: a process renders from one thread
 * (parallel rendering uses worker processes, each with its own font map). */
#ifndef BEISHEN_FONTS_H
#define BEISHEN_FONTS_H

#include <stdbool.h>
#include <fontconfig/fontconfig.h>
#include <pango/pango.h>

#include "core/error.h"

/* The two type families documents may ask for.  Both fall back to HanaMinA
 * and HanaMinB, which cover CJK Extension A and B (𠮷, 䶮, 𡒄 …). */
enum fonts_family {
    FONTS_SANS,   /* Noto Sans CJK TC design: body text, tables, labels */
    FONTS_SERIF   /* Noto Serif CJK TC design: formal headings and published lists */
};

/* Builds the private configuration and font map if that has not happened
 * yet.  Every other function calls it, so calling it is optional; a server
 * calls it at start-up to fail early when a font package is missing.
 * Returns 0, or -1 with a message naming the missing font. */
int fonts_init(struct error *err);

/* The directory the Beishen faces are read from: beside the binary
 * (<its directory>/../share/beishen/fonts) when they are there, else, in
 * the uninstalled binary only, the build tree's build/fonts.  Decided on
 * first call; a static string.  NULL with a message naming where they
 * were looked for. */
const char *fonts_directory(struct error *err);

/* The process's font map and fontconfig configuration, created on first use.
 * Borrowed: valid until fonts_shutdown(); never unref or destroy them.
 * NULL with a message on failure. */
PangoFontMap *fonts_font_map(struct error *err);
FcConfig *fonts_config(struct error *err);

/* A new Pango context on the font map, set up the one way every document
 * uses: language zh-tw, 72 dpi (1 Pango point = 1 PDF point), no hinting and
 * unrounded glyph positions, so metrics are the same on every target.
 * Caller owns the result and releases it with g_object_unref(). */
PangoContext *fonts_context_new(struct error *err);

/* "Beishen Sans TC, Noto Sans CJK TC, HanaMinA, HanaMinB" and the serif
 * equivalent. */
const char *fonts_family_list(enum fonts_family family);

/* Describes a face of `family` at `size` points.  Caller frees it with
 * pango_font_description_free(). */
PangoFontDescription *fonts_description_new(enum fonts_family family,
                                            double size, bool bold);

/* Checks that the families resolve to the expected font files, that bold
 * resolves to a real bold face (not synthetic emboldening) and that the
 * Extension A and B probe characters have glyphs.  Returns 0 or -1. */
int fonts_check(struct error *err);

/* Releases the font map and configuration.  Every Pango context, layout and
 * document made from them must be gone first.  fonts_init() may be called
 * again afterwards. */
void fonts_shutdown(void);

#endif
