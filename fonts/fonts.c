/* fonts — private fontconfig configuration and the process's Pango font map.
 *
 * Owns two process-wide objects, `config` and `font_map`, created together
 * by fonts_init() and released together by fonts_shutdown().  The
 * configuration is written here, in code, rather than read from the host:
 * the host's fonts.conf, installed fonts and locale must not change a single
 * byte of our PDFs. */
#include "fonts/fonts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-font.h>
#include <pango/pangofc-fontmap.h>

/* Where Debian's fonts-noto-cjk and fonts-hanazono install their files.  The
 * globs pick exactly the faces we use: another package dropping, say, a Light
 * weight into the same directory must not change which face "regular" is. */
#define NOTO_DIR "/usr/share/fonts/opentype/noto"
#define HANAZONO_DIR "/usr/share/fonts/truetype/hanazono"

/* The Beishen faces, cut by make (fonts/subset.py), and where they are
 * looked for, once per process (resolve_font_directory):
 *  - <the executable's directory>/../share/beishen/fonts, when it holds
 *    them: an installed beishen (make install puts the binary in
 *    $(PREFIX)/bin and the faces in $(PREFIX)/share/beishen/fonts), in
 *    whatever prefix and after the prefix is moved;
 *  - BEISHEN_FONT_DIR, the build tree's build/fonts, which the Makefile
 *    compiles into the uninstalled binary (and the tests) only.  The binary
 *    make install copies is linked with this file compiled without it, so
 *    an installed beishen never reads the build tree, and works after it
 *    is deleted. */
#define FONTS_BESIDE_BINARY "../share/beishen/fonts"
#define FONT_PATH_MAX 4096

static const char *const beishen_faces[] = {
    "BeishenSansTC-Regular.ttf",
    "BeishenSansTC-Bold.ttf",
    "BeishenSerifTC-Regular.ttf",
    "BeishenSerifTC-Bold.ttf",
};
#define BEISHEN_FACES (sizeof beishen_faces / sizeof beishen_faces[0])

/* The everyday faces come first: Noto CJK cut down to Big5, the Unified
 * Ideographs and symbols, with TrueType outlines (fonts/subset.py, run by
 * make, says why), so that Cairo embeds them quickly and small.  The full
 * Noto faces follow for any other character, in the same design; HanaMin
 * covers what Noto lacks.  font_files[] holds the Beishen faces' paths
 * (resolved at run time, in beishen_faces' order) then these. */
static const char *const system_font_files[] = {
    NOTO_DIR "/NotoSansCJK-Regular.ttc",
    NOTO_DIR "/NotoSansCJK-Bold.ttc",
    NOTO_DIR "/NotoSerifCJK-Regular.ttc",
    NOTO_DIR "/NotoSerifCJK-Bold.ttc",
    HANAZONO_DIR "/HanaMinA.ttf",
    HANAZONO_DIR "/HanaMinB.ttf",
};
#define FONT_FILES (BEISHEN_FACES + sizeof system_font_files / sizeof system_font_files[0])

static char font_directory[FONT_PATH_MAX];
static char font_paths[BEISHEN_FACES][FONT_PATH_MAX];
static const char *font_files[FONT_FILES];

static const char *const family_lists[] = {
    [FONTS_SANS] = "Beishen Sans TC, Noto Sans CJK TC, HanaMinA, HanaMinB",
    [FONTS_SERIF] = "Beishen Serif TC, Noto Serif CJK TC, HanaMinA, HanaMinB",
};

/* Characters from CJK Extension B and A, so outside the Beishen
 * faces: 𠮷 U+20BB7 and 䶮 U+4DAE come from the full Noto face,
 * 𡒄 U+21484 and 𡝠 U+21760, which Noto lacks, from HanaMinB.  Together
 * they prove both fallbacks are wired up. */
#define EXTENSION_PROBE "\xf0\xa0\xae\xb7\xe4\xb6\xae\xf0\xa1\x92\x84\xf0\xa1\x9d\xa0"

static FcConfig *config;
static PangoFontMap *font_map;

/* A directory only this user can write, so nobody else can plant a cache
 * that changes which glyphs we draw.  Creates the last component. */
static bool private_directory(const char *path)
{
    struct stat st;
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return false;
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return false;
    return st.st_uid == getuid() && (st.st_mode & 022) == 0;
}

/* Picks $XDG_CACHE_HOME/beishen-fonts, ~/.cache/beishen-fonts or
 * /tmp/beishen-fontcache-<uid>, the first that is private.  Without one,
 * fontconfig rescans the font files on every start (about 0.3 s) but the
 * output is the same. */
static bool choose_cache_directory(char *out, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");

    if (xdg && xdg[0] == '/' && (size_t)snprintf(out, size, "%s/beishen-fonts", xdg) < size
        && private_directory(out))
        return true;
    if (home && home[0] == '/' && (size_t)snprintf(out, size, "%s/.cache", home) < size) {
        mkdir(out, 0700);
        if (strlen(out) + sizeof "/beishen-fonts" <= size) {
            strcat(out, "/beishen-fonts");
            if (private_directory(out))
                return true;
        }
    }
    snprintf(out, size, "/tmp/beishen-fontcache-%lu", (unsigned long)getuid());
    return private_directory(out);
}

/* Appends `text` to `xml` with XML's special characters escaped. */
static void append_escaped(GString *xml, const char *text)
{
    char *escaped = g_markup_escape_text(text, -1);
    g_string_append(xml, escaped);
    g_free(escaped);
}

/* The whole configuration: two font directories, a private cache, and a
 * filter that accepts only our files.  No <include>, so none of the host's
 * rules apply — in particular not 90-synthetic.conf, the rule that fakes
 * bold by emboldening outlines. */
static char *configuration_xml(void)
{
    char cache[4096];
    GString *xml = g_string_new("<?xml version=\"1.0\"?>\n<fontconfig>\n");

    g_string_append(xml, "<dir>");
    append_escaped(xml, font_directory);
    g_string_append(xml, "</dir>\n<dir>" NOTO_DIR "</dir>\n<dir>" HANAZONO_DIR "</dir>\n");
    if (choose_cache_directory(cache, sizeof cache)) {
        g_string_append(xml, "<cachedir>");
        append_escaped(xml, cache);
        g_string_append(xml, "</cachedir>\n");
    }
    g_string_append(xml, "<selectfont>\n<acceptfont>\n");
    for (size_t i = 0; i < FONT_FILES; i++) {
        g_string_append(xml, "<glob>");
        append_escaped(xml, font_files[i]);
        g_string_append(xml, "</glob>\n");
    }
    g_string_append(xml, "</acceptfont>\n<rejectfont><glob>*</glob></rejectfont>\n"
                         "</selectfont>\n</fontconfig>\n");
    return g_string_free(xml, FALSE);
}

static const char *remedy_for(const char *file)
{
    if (strstr(file, "hanazono"))
        return "install fonts-hanazono";
    return "install fonts-noto-cjk";
}

/* True when directory holds every Beishen face. */
static bool holds_faces(const char *directory)
{
    char path[FONT_PATH_MAX];
    for (size_t i = 0; i < BEISHEN_FACES; i++)
        if ((size_t)snprintf(path, sizeof path, "%s/%s", directory, beishen_faces[i]) >= sizeof path
            || access(path, R_OK) != 0)
            return false;
    return true;
}

/* Fills font_directory (canonical, so that fontconfig's file names match
 * the globs) and font_files[]; see FONTS_BESIDE_BINARY above. */
static int resolve_font_directory(struct error *err)
{
    char executable[FONT_PATH_MAX], candidate[FONT_PATH_MAX], beside[FONT_PATH_MAX] = "";
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    char *slash = NULL;
    if (length > 0) {
        executable[length] = '\0';
        slash = strrchr(executable, '/');
    }
    bool found = false;
    if (slash) {
        *slash = '\0';
        snprintf(beside, sizeof beside, "%s/" FONTS_BESIDE_BINARY, executable);
        found = holds_faces(beside) && realpath(beside, candidate) != NULL;
    }
#ifdef BEISHEN_FONT_DIR
    if (!found)
        found = holds_faces(BEISHEN_FONT_DIR) && realpath(BEISHEN_FONT_DIR, candidate) != NULL;
#endif
    if (!found) {
#ifdef BEISHEN_FONT_DIR
        return error_set(err, ERROR_INTERNAL, "the Beishen faces (%s …) are neither in %s nor in %s "
                         "(run make, which cuts them from fonts-noto-cjk)", beishen_faces[0],
                         beside[0] ? beside : "<the binary's directory>/" FONTS_BESIDE_BINARY,
                         BEISHEN_FONT_DIR);
#else
        return error_set(err, ERROR_INTERNAL, "the Beishen faces (%s …) are not in %s "
                         "(install beishen again: make install PREFIX=…)", beishen_faces[0],
                         beside[0] ? beside : "<the binary's directory>/" FONTS_BESIDE_BINARY);
#endif
    }
    /* fontconfig's globs know '*' and '?' only; a directory with either
     * would match more files than ours. */
    if (strpbrk(candidate, "*?"))
        return error_set(err, ERROR_INTERNAL, "font directory %s: '*' and '?' are not allowed in its path",
                         candidate);
    snprintf(font_directory, sizeof font_directory, "%s", candidate);
    for (size_t i = 0; i < BEISHEN_FACES; i++) {
        snprintf(font_paths[i], sizeof font_paths[i], "%s/%s", font_directory, beishen_faces[i]);
        font_files[i] = font_paths[i];
    }
    for (size_t i = BEISHEN_FACES; i < FONT_FILES; i++)
        font_files[i] = system_font_files[i - BEISHEN_FACES];
    return 0;
}

const char *fonts_directory(struct error *err)
{
    if (!font_directory[0] && resolve_font_directory(err) != 0)
        return NULL;
    return font_directory;
}

static FcConfig *build_config(struct error *err)
{
    if (!fonts_directory(err))
        return NULL;
    for (size_t i = 0; i < FONT_FILES; i++)
        if (access(font_files[i], R_OK) != 0) {
            error_set(err, ERROR_INTERNAL, "font file %s is missing (%s)", font_files[i],
                      remedy_for(font_files[i]));
            return NULL;
        }

    FcConfig *created = FcConfigCreate();
    char *xml = configuration_xml();
    bool ok = created && FcConfigParseAndLoadFromMemory(created, (const FcChar8 *)xml, FcTrue)
              && FcConfigBuildFonts(created);
    g_free(xml);
    if (!ok) {
        if (created)
            FcConfigDestroy(created);
        error_set(err, ERROR_INTERNAL, "fontconfig refused the private configuration");
        return NULL;
    }
    return created;
}

int fonts_init(struct error *err)
{
    if (font_map)
        return 0;
    config = build_config(err);
    if (!config)
        return -1;
    font_map = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
    if (!font_map) {
        FcConfigDestroy(config);
        config = NULL;
        return error_set(err, ERROR_INTERNAL, "Pango has no FreeType font map");
    }
    /* The font map takes its own reference on the configuration. */
    pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(font_map), config);
    return 0;
}

PangoFontMap *fonts_font_map(struct error *err)
{
    return fonts_init(err) == 0 ? font_map : NULL;
}

FcConfig *fonts_config(struct error *err)
{
    return fonts_init(err) == 0 ? config : NULL;
}

PangoContext *fonts_context_new(struct error *err)
{
    if (fonts_init(err) != 0)
        return NULL;
    PangoContext *context = pango_font_map_create_context(font_map);
    cairo_font_options_t *options = cairo_font_options_create();

    /* Hinting snaps metrics to a pixel grid that a PDF does not have; with
     * it off, text measures the same whatever the target. */
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(context, options);
    cairo_font_options_destroy(options);

    pango_cairo_context_set_resolution(context, 72.0);
    pango_context_set_round_glyph_positions(context, FALSE);
    /* zh-tw picks the Traditional Chinese glyph forms of Han characters
     * shared with Japanese and Simplified Chinese. */
    pango_context_set_language(context, pango_language_from_string("zh-tw"));
    pango_context_set_base_dir(context, PANGO_DIRECTION_LTR);
    return context;
}

const char *fonts_family_list(enum fonts_family family)
{
    return family == FONTS_SERIF ? family_lists[FONTS_SERIF] : family_lists[FONTS_SANS];
}

PangoFontDescription *fonts_description_new(enum fonts_family family, double size, bool bold)
{
    PangoFontDescription *description = pango_font_description_new();
    pango_font_description_set_family(description, fonts_family_list(family));
    pango_font_description_set_weight(description, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(description, PANGO_STYLE_NORMAL);
    pango_font_description_set_size(description, (int)(size * PANGO_SCALE + 0.5));
    return description;
}

/* Loads the primary face for a description and checks it is the file and
 * weight we expect, with no synthetic emboldening. */
static int check_face(PangoContext *context, enum fonts_family family, bool bold,
                      struct error *err)
{
    const char *expected_family = family == FONTS_SERIF ? "Beishen Serif TC" : "Beishen Sans TC";
    /* beishen_faces[] lists the Sans and Serif faces, Regular then Bold. */
    const char *expected_file = beishen_faces[(family == FONTS_SERIF ? 2 : 0) + (bold ? 1 : 0)];
    PangoFontDescription *description = fonts_description_new(family, 10, bold);
    PangoFont *font = pango_font_map_load_font(font_map, context, description);
    pango_font_description_free(description);
    if (!font || !PANGO_IS_FC_FONT(font)) {
        if (font)
            g_object_unref(font);
        return error_set(err, ERROR_INTERNAL, "no font for %s%s", expected_family, bold ? " Bold" : "");
    }

    FcPattern *pattern = pango_fc_font_get_pattern(PANGO_FC_FONT(font));
    FcChar8 *file = NULL, *name = NULL;
    int weight = 0;
    FcBool embolden = FcFalse;
    FcPatternGetString(pattern, FC_FILE, 0, &file);
    FcPatternGetString(pattern, FC_FAMILY, 0, &name);
    FcPatternGetInteger(pattern, FC_WEIGHT, 0, &weight);
    FcPatternGetBool(pattern, FC_EMBOLDEN, 0, &embolden);

    int status = 0;
    if (!file || !strstr((const char *)file, expected_file) || !name
        || strcmp((const char *)name, expected_family) != 0)
        status = error_set(err, ERROR_INTERNAL, "%s%s resolved to %s (%s)", expected_family, bold ? " Bold" : "",
                           file ? (const char *)file : "?", name ? (const char *)name : "?");
    else if (bold && (weight < FC_WEIGHT_BOLD || embolden))
        status = error_set(err, ERROR_INTERNAL, "%s Bold is synthetic (weight %d, embolden %d)",
                           expected_family, weight, (int)embolden);
    else if (!bold && weight >= FC_WEIGHT_DEMIBOLD)
        status = error_set(err, ERROR_INTERNAL, "%s Regular resolved to weight %d", expected_family, weight);
    g_object_unref(font);
    return status;
}

static int check_extension_coverage(PangoContext *context, enum fonts_family family,
                                    struct error *err)
{
    PangoLayout *layout = pango_layout_new(context);
    PangoFontDescription *description = fonts_description_new(family, 10, false);
    pango_layout_set_font_description(layout, description);
    pango_font_description_free(description);
    pango_layout_set_text(layout, EXTENSION_PROBE, -1);
    int unknown = pango_layout_get_unknown_glyphs_count(layout);
    g_object_unref(layout);
    if (unknown != 0)
        return error_set(err, ERROR_INTERNAL, "%d of the CJK Extension A/B probe characters have no glyph "
                         "(is fonts-hanazono installed?)", unknown);
    return 0;
}

int fonts_check(struct error *err)
{
    PangoContext *context = fonts_context_new(err);
    if (!context)
        return -1;
    int status = 0;
    for (int family = FONTS_SANS; family <= FONTS_SERIF && status == 0; family++) {
        status = check_face(context, family, false, err);
        if (status == 0)
            status = check_face(context, family, true, err);
        if (status == 0)
            status = check_extension_coverage(context, family, err);
    }
    g_object_unref(context);
    return status;
}

void fonts_shutdown(void)
{
    if (font_map) {
        /* Pango 1.50 takes a reference on the configuration in
         * set_config() but never drops it when the font map is finalized;
         * detaching the configuration first gives that reference back. */
        pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(font_map), NULL);
        g_object_unref(font_map);
        font_map = NULL;
    }
    if (config) {
        FcConfigDestroy(config);
        config = NULL;
    }
}
