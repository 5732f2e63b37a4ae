"""Convert Debian's OCR-B (CFF-flavoured OpenType) to TrueType outlines for reportlab.

reportlab embeds TrueType (glyf) fonts only, and Debian's ``fonts-ocr-b`` ships ``OCRB.otf`` with
CFF outlines. This one-off script converts the cubic outlines to quadratic ones with fontTools'
cu2qu (max error 1 font unit of 1000 per em, i.e. 0.001 em — invisible at print sizes). Glyph
metrics, cmap and names are kept. Run with a Python that has fontTools (Debian: python3-fonttools):

    /usr/bin/python3 resources/fonts/ocrb_otf_to_ttf.py \
        /usr/share/fonts/opentype/ocr-b/OCRB.otf resources/fonts/OCRB.ttf

The result is committed; the app never runs this script.
"""

from __future__ import annotations

import sys

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable


def convert(src: str, dst: str, max_err: float = 1.0) -> None:
    font = TTFont(src)
    if font.sfntVersion != "OTTO" or "CFF " not in font:
        raise SystemExit(f"{src} is not a CFF OpenType font")
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        tt_pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(tt_pen, max_err, reverse_direction=True))
        glyphs[name] = tt_pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.compile(font)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(dst)


if __name__ == "__main__":
    convert(sys.argv[1], sys.argv[2])
