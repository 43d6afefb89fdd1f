#!/usr/bin/python3
"""Build-time tool: cut one face of a Noto CJK collection down to the
characters of everyday Traditional Chinese text, as a TrueType face for
fonts/fonts.c.

    /usr/bin/python3 fonts/subset.py SOURCE.ttc FACE_INDEX FAMILY OUTPUT.ttf

Why: Cairo 1.16 re-reads and re-subsets every font a PDF uses, once per
document, and three things about a Noto CJK face make that slow:
  * its 65,000 glyphs share subroutines, which Cairo copies into every
    subset.  This face keeps the 13,000 Han characters of Big5 (which cover
    the Traditional Chinese of Taiwan's school records), the rest of the
    Unified Ideographs block, Latin, punctuation, Bopomofo and symbols, and
    has no subroutines (below);
  * its outlines are CFF, and per document and per face Cairo copies the
    whole CFF table (10 MB and more) twice, once only to ask whether it is
    CID-keyed.  This face has TrueType outlines (converted with cu2qu,
    within one font unit), whose glyphs Cairo reads one by one;
  * for every glyph a document uses, Cairo looks its character up again by
    copying and scanning the font's format 4 cmap from the start.  This
    face numbers its glyphs in code point order, and with the whole Unified
    Ideographs block kept its cmap is some 500 runs of consecutive glyphs.
    In Noto's order it was 3,900 segments whose 15,000 glyph numbers Cairo
    searches one by one.
fonts.c lists the full Noto face right after it, so any other character
still gets the same design, and HanaMin after that.

The face is renamed (FAMILY, e.g. "Beishen Sans TC") so that fontconfig
never confuses it with the full Noto face, and written without a new
timestamp, so the same source gives the same bytes.  Needs Debian's
python3-fonttools.  The output appears whole or not at all.
"""
import os
import sys

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

# Ranges beyond Big5 that school records and our own documents use.
EXTRA_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x024F),  # Latin-1 and Latin Extended (names in English)
    (0x2000, 0x206F),  # general punctuation
    (0x2100, 0x23FF),  # letterlike, number forms, arrows, math, technical
    (0x2460, 0x27BF),  # enclosed numbers, box drawing, shapes, symbols, dingbats
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3000, 0x30FF),  # CJK punctuation, kana (the middle dot ・)
    (0x3100, 0x312F),  # Bopomofo
    (0x3200, 0x33FF),  # enclosed CJK, CJK compatibility (㈠, ㎝)
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs, for a short cmap (see above)
    (0xFB00, 0xFB06),  # Latin ligatures
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms
]


def repertoire():
    """Every character of Big5 (with Microsoft's code page 950 additions)
    and of EXTRA_RANGES, as a set of code points."""
    points = set()
    for lead in range(0xA1, 0xFA):
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            for codec in ("big5", "cp950"):
                try:
                    points.add(ord(bytes([lead, trail]).decode(codec)))
                except (UnicodeDecodeError, TypeError):
                    pass
    for first, last in EXTRA_RANGES:
        points.update(range(first, last + 1))
    return points


def rename(font, family):
    """Family and full names become FAMILY; the style (Regular, Bold) stays."""
    style = font["name"].getDebugName(2) or "Regular"
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = family
        elif record.nameID == 17:
            record.string = style
        elif record.nameID in (3, 4):
            record.string = family + " " + style
        elif record.nameID == 6:
            record.string = family.replace(" ", "") + "-" + style


def code_point_order(font):
    """.notdef, then the glyph of each character in code point order, then
    the glyphs no character maps to (layout alternates) as they were."""
    order = [".notdef"]
    placed = {".notdef"}
    cmap = font["cmap"].getBestCmap()
    for code in sorted(cmap):
        name = cmap[code]
        if name not in placed:
            placed.add(name)
            order.append(name)
    order.extend(name for name in font.getGlyphOrder() if name not in placed)
    return order


def sort_coverage(coverage, parallel, number):
    """Sorts a Coverage's glyphs by their new numbers, and the lists that
    run parallel to it (one entry per covered glyph) along with them."""
    rows = sorted(zip(coverage.glyphs, *parallel), key=lambda row: number[row[0]])
    coverage.glyphs = [row[0] for row in rows]
    for i, array in enumerate(parallel):
        array[:] = [row[i + 1] for row in rows]


def sort_layout(font, number):
    """Layout tables look glyphs up by binary search on their numbers.
    Sorts every coverage (and what runs parallel to it) of the lookup kinds
    these faces use; any other kind stops the build rather than leave a
    table that looks glyphs up wrongly."""
    for tag in ("GSUB", "GPOS"):
        if tag not in font:
            continue
        for lookup in font[tag].table.LookupList.Lookup:
            for table in lookup.SubTable:
                kind = lookup.LookupType
                if (tag, kind) in (("GSUB", 7), ("GPOS", 9)):
                    kind, table = table.ExtensionLookupType, table.ExtSubTable
                form = getattr(table, "Format", None)
                if tag == "GSUB" and kind in (1, 2, 3, 4):
                    continue                       # kept as dicts, sorted when written
                if tag == "GSUB" and kind == 6 and form == 3:
                    for coverage in (table.BacktrackCoverage + table.InputCoverage +
                                     table.LookAheadCoverage):
                        sort_coverage(coverage, [], number)
                elif tag == "GPOS" and kind == 1 and form == 1:
                    sort_coverage(table.Coverage, [], number)
                elif tag == "GPOS" and kind == 1 and form == 2:
                    sort_coverage(table.Coverage, [table.Value], number)
                elif tag == "GPOS" and kind == 2 and form == 1:
                    sort_coverage(table.Coverage, [table.PairSet], number)
                    for pairs in table.PairSet:
                        pairs.PairValueRecord.sort(key=lambda r: number[r.SecondGlyph])
                elif tag == "GPOS" and kind == 2 and form == 2:
                    sort_coverage(table.Coverage, [], number)
                elif tag == "GPOS" and kind == 4 and form == 1:
                    sort_coverage(table.MarkCoverage, [table.MarkArray.MarkRecord], number)
                    sort_coverage(table.BaseCoverage, [table.BaseArray.BaseRecord], number)
                else:
                    raise SystemExit("fonts/subset.py: %s lookup type %d format %s is not "
                                     "renumbered; teach sort_layout about it" % (tag, kind, form))
    gdef = font["GDEF"].table if "GDEF" in font else None
    if gdef is not None and (gdef.LigCaretList or gdef.AttachList):
        raise SystemExit("fonts/subset.py: GDEF caret or attachment lists are not renumbered")


def renumber(font, order):
    """Gives the glyphs the numbers of ORDER.  Every table is read first,
    under the old numbers; they are written under the new ones.  The CFF
    table keeps its charstrings by name, so only its charset and FDSelect
    (which Font DICT each glyph uses) follow the new order."""
    for tag in font.keys():
        if tag != "GlyphOrder" and hasattr(font[tag], "ensureDecompiled"):
            font[tag].ensureDecompiled()
    top = font["CFF "].cff.topDictIndex[0]
    old = font.getGlyphOrder()
    font_dict_of = None
    if hasattr(top, "FDSelect"):
        font_dict_of = {name: top.FDSelect[i] for i, name in enumerate(old)}
    sort_layout(font, {name: i for i, name in enumerate(order)})
    font.setGlyphOrder(order)
    top.charset = list(order)
    if font_dict_of is not None:
        top.FDSelect.gidArray = [font_dict_of[name] for name in order]


def to_truetype(font):
    """Replaces the CFF outlines with quadratic TrueType ones, within one
    font unit, and the tables that describe them.  Hinting is left out:
    PDF viewers scale the outlines themselves."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    metrics = font["hmtx"].metrics
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyph = pen.glyph()
        if glyph.numberOfContours:
            glyph.recalcBounds(glyf)
        else:
            glyph.xMin = glyph.yMin = glyph.xMax = glyph.yMax = 0
        glyf[name] = glyph
        # A TrueType rasteriser puts the glyph's xMin at the left side
        # bearing, so the bearing must be that of the new outline (its
        # control points may reach a unit or two past the curve's extreme).
        metrics[name] = (metrics[name][0], glyph.xMin)
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.recalc(font)                   # point and contour maxima, and head's box
    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 1
    font["post"].formatType = 3.0       # no glyph names: nothing reads them
    font.sfntVersion = "\0\1\0\0"


def main(argv):
    if len(argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    source, index, family, output = argv[1], int(argv[2]), argv[3], argv[4]
    options = subset.Options()
    # fontTools' default features (ligatures, kerning, locl, vertical forms):
    # not '*', whose alternates (aalt, jp78, hwid …) triple the glyph count.
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    # No bounding-box recalculation on save: to_truetype() computes each
    # glyph's box once, where a save would do it again for every glyph.
    font = TTFont(source, fontNumber=index, recalcTimestamp=False, recalcBBoxes=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=repertoire())
    subsetter.subset(font)
    rename(font, family)
    renumber(font, code_point_order(font))
    to_truetype(font)
    temporary = output + ".tmp"
    font.save(temporary)
    os.replace(temporary, output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
