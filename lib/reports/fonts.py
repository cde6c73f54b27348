"""The report font parsed once per process: fpdf2 reads a TrueType file's metrics (every glyph's
width, the character map) in `add_font`, about a third of a board report's time with DejaVu Sans.
Each document gets its own font object over those shared, read-only metrics, with its own glyph
subset and its own lazily opened font file (fpdf2 subsets that file in place when it writes the
PDF), so the bytes are those of `add_font` (pinned by tests/reports/test_report_speed.py)."""

from __future__ import annotations

import copy
import functools

from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont


@functools.lru_cache(maxsize=8)
def _parsed(path: str, style: str) -> TTFFont:
    """fpdf2's font object for `path` in `style` ("" or "B"), parsed on a scratch document."""
    scratch = FPDF()
    scratch.add_font("parsed", style, path)
    return scratch.fonts[f"parsed{style}"]


def add_font(pdf: FPDF, family: str, style: str, path: str) -> None:
    """`pdf.add_font(family, style, path)` from the parsed metrics (see the module doc)."""
    from fontTools import ttLib

    parsed = _parsed(path, style)
    font = copy.copy(parsed)  # shared: cw, cmap, glyph_ids, desc (fpdf2 shares these between copies too)
    font.i = len(pdf.fonts) + 1
    font.fontkey = f"{family.lower()}{style}"
    font.ttfont = ttLib.TTFont(parsed.ttffile, recalcTimestamp=False, fontNumber=parsed.collection_font_number,
                               lazy=True)  # this document's: the PDF's subset is cut from it
    _drop_layout_tables(font.ttfont)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font


# fpdf2 drops these tables from the PDF's subset, but fontTools' subsetter first decompiles them
# (its check for extended layout formats): a third of the subsetting with DejaVu Sans. Dropped
# from the document's own font before it is subset, so they are never read; `kern` is dropped
# when the font has GPOS, as the subsetter does.
LAYOUT_TABLES = ("GDEF", "GSUB", "GPOS")


def _drop_layout_tables(ttfont: object) -> None:
    """Remove the layout tables fpdf2's subset drops (and `kern`, dropped beside GPOS) from `ttfont`."""
    tags = [t for t in LAYOUT_TABLES if t in ttfont]  # type: ignore[operator]
    if "GPOS" in tags and "kern" in ttfont:  # type: ignore[operator]
        tags.append("kern")
    for tag in tags:
        del ttfont[tag]  # type: ignore[attr-defined]
