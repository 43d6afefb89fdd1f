#!/usr/bin/python3
"""Build-time tool: cut one face of a Noto CJK collection down to the
characters of everyday Traditional Chinese text, for fonts/fonts.c.

    /usr/bin/python3 fonts/subset.py SOURCE.ttc FACE_INDEX FAMILY OUTPUT.otf

Why: Cairo re-reads and re-subsets every font a PDF uses, once per
document.  A Noto CJK face holds some 65,000 glyphs in one 16 MB CFF table
whose shared subroutines Cairo copies into every subset; a packet then
spends most of its bytes and much of its time on fonts.  This face keeps
the 13,000 Han characters of Big5 (which covers the Traditional Chinese of
Taiwan's school records) plus Latin, punctuation, Bopomofo and symbols, and
has its subroutines expanded, so Cairo's subset holds only glyphs drawn.
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
from fontTools.ttLib import TTFont

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
    font["CFF "].cff.fontNames = [family.replace(" ", "") + "-" + style]


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
    options.desubroutinize = True
    options.recalc_timestamp = False
    # No bounding-box recalculation on save: three passes over every glyph,
    # and the source font's boxes still enclose the subset.
    font = TTFont(source, fontNumber=index, recalcTimestamp=False, recalcBBoxes=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=repertoire())
    subsetter.subset(font)
    rename(font, family)
    temporary = output + ".tmp"
    font.save(temporary)
    os.replace(temporary, output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
