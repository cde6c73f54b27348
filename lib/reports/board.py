"""The board report: every athlete's status, tier, action and reasons on one date, with the thresholds used."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Sequence

import pandas as pd

from lib.core.settings import Settings
from lib.core.status import STATUS_ICONS, STATUS_MEANING, STATUS_WORDS, STATUSES
from lib.metrics.exposure import ACWR_CAVEAT
from lib.readiness import Data, readiness_board
from lib.reports.pdf import (
    INK, MUTED, PNG_DPI, RULE, _Doc, _blank, _column_widths, _latest_row_date, _mode_note, _pseudo, threshold_lines,
)
from lib.views import acwr_board_cell, tier_cell


def board_pdf(data: Data, as_of: dt.date, cfg: Settings, team: str = "", mode: str | None = None,
              key: bytes = b"", board: pd.DataFrame | None = None, aliases: pd.DataFrame | None = None) -> bytes:
    """The readiness board on `as_of` as a one-page A4 landscape PDF: date, team, each athlete's status
    (word, shape, tint), tier, days since injury, acute:chronic HSR (descriptive, caveat in the
    footnote), action and top reasons; counts per status; the thresholds used. `board` (from `readiness_board` on the same data) saves computing it again."""
    day = pd.Timestamp(as_of).normalize()
    if mode:
        from lib.privacy.pseudonym import pseudonymise_board

        shown = _pseudo(data, mode, key, aliases)
        board = pseudonymise_board(board, mode, data.athletes, key, aliases) if board is not None \
            else readiness_board(shown, day, cfg)
        data = shown
    elif board is None:
        board = readiness_board(data, day, cfg)
    latest = _latest_row_date(data, day)
    footer = (f"Return to Speed · readiness board for {day:%a %d %b %Y}"
              + (f" · latest data row {latest:%d %b %Y}" if latest is not None else " · no data rows")
              + (f" · {_mode_note(mode)}" if mode else "")
              + " · sources of every threshold on the app's Settings page")
    doc = _Doc("L", day, f"Readiness board {day:%Y-%m-%d}" + (f" · {team}" if team else ""), footer)
    _board_page(doc, board, day, cfg, team, mode)
    return doc.output()


def board_png(data: Data, as_of: dt.date, cfg: Settings, team: str = "", mode: str | None = None,
              key: bytes = b"", board: pd.DataFrame | None = None, dpi: int = PNG_DPI,
              aliases: pd.DataFrame | None = None) -> bytes:
    """The board report's first page as a PNG (`dpi` dots per inch; A4 landscape)."""
    return pdf_page_png(board_pdf(data, as_of, cfg, team, mode, key, board, aliases), 0, dpi)


def pdf_page_png(pdf: bytes, page: int = 0, dpi: int = PNG_DPI) -> bytes:
    """One page of a PDF rasterised by PDFium, as PNG bytes."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[page].render(scale=dpi / 72).to_pil()
    finally:
        doc.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


BOARD_COLUMNS = (  # (title, width mm; None = the rest)
    ("Status", 30.0), ("Athlete", 35.0), ("Squad", 20.0), ("Position", 23.0), ("Tier", 13.0), ("Days", 10.0),
    ("A:C HSR", 28.0), ("Action", 48.0), ("Top reasons", None),
)
_REASONS = len(BOARD_COLUMNS) - 1  # the last column: the rest of the width


def _board_page(doc: _Doc, board: pd.DataFrame, day: pd.Timestamp, cfg: Settings, team: str, mode: str | None) -> None:
    pdf = doc.pdf
    pdf.set_auto_page_break(False)  # the page is laid out to fit; pages are added by hand
    pdf.add_page()
    left, width = pdf.l_margin, pdf.w - pdf.l_margin - pdf.r_margin
    # title and counts
    doc.set(17, bold=True)
    doc.cell(left, 9, 150, 8, f"Readiness board · {day:%a %d %b %Y}")
    doc.set(10, colour=MUTED)
    sub = (team or "All squads") + f" · {len(board)} athletes" + (f" · {_mode_note(mode)}" if mode else "")
    doc.cell(left, 17, 150, 5, sub)
    counts = board["status"].value_counts()
    x = pdf.w - pdf.r_margin
    for status in reversed(STATUSES):
        label = f"{int(counts.get(status, 0))} {STATUS_WORDS[status].lower()}"
        doc.set(11, bold=True)
        w = doc.width(label) + 2
        x -= w
        doc.cell(x, 10.5, w + 1, 6, label)
        x -= 6.5
        doc.icon(status, x + 0.8, 11.2, 4.6)
        x -= 4
    doc.set(7.5, colour=MUTED)
    legend = "   ".join(f"{STATUS_ICONS[s]} {STATUS_WORDS[s]}: {STATUS_MEANING[s]}" for s in STATUSES)
    doc.cell(left, 22.5, width, 4, legend)
    # thresholds block height, measured first: the table gets the rest of the page
    # acute:chronic stays a descriptive figure, with its caveat, on the printed board too
    lines = [*threshold_lines(cfg), ("Acute:chronic", "the A:C HSR column is context, never by itself a reason to "
                                     "step back (– : too few GPS days or no chronic load): " + ACWR_CAVEAT.rstrip("."))]
    thr_size = 6.4
    doc.set(thr_size)
    block = "   ".join(f"{g}: {t}." for g, t in lines)
    thr_lines = _wrap(doc, doc.text(block), width - 2 * pdf.c_margin)
    thr_h = 5 + len(thr_lines) * thr_size * 0.42
    top, bottom = 28.0, pdf.h - 12 - thr_h - 2
    rows = board.to_dict("records")
    head_h = 5.5
    widths = _column_widths(BOARD_COLUMNS, width)
    layout = _board_layout(doc, rows, bottom - top - head_h, widths[_REASONS] - 1.8)
    start, page_top = 0, top
    while start < len(rows):
        end, used = start, 0.0
        while end < len(rows) and (end == start or used + layout.heights[end] <= bottom - page_top - head_h + 1e-6):
            used += layout.heights[end]
            end += 1
        _board_table(doc, rows[start:end], layout, start, page_top, head_h, widths, cfg)
        start = end
        if start < len(rows):  # more athletes than one page holds: the table goes on, with its header
            pdf.add_page()
            doc.set(10, bold=True)
            doc.cell(left, 10, width, 6, f"Readiness board · {day:%a %d %b %Y} (continued)")
            page_top = 18.0
    # thresholds
    y = pdf.h - 12 - thr_h
    doc.hline(left, y, width, INK, 0.3)
    doc.set(7.5, bold=True)
    doc.cell(left, y + 0.6, width, 4, "Thresholds used (team settings" + (f" of {team}" if team else "")
             + "; * = changed from the default)")
    doc.set(thr_size, colour=(40, 40, 40))
    for i, text in enumerate(thr_lines):
        pdf.set_xy(left, y + 4.6 + i * thr_size * 0.42)
        pdf.cell(width, thr_size * 0.42, text)


def _wrap(doc: _Doc, text: str, width: float) -> list[str]:
    """`text` in lines of at most `width` mm in the current font, broken between words. Word widths
    are summed (fpdf2 draws without kerning, so a line's width is the sum of its words' and spaces'):
    fpdf2's own line breaking measures the line again for every character, which is quadratic in a
    line's length and was a third of the board page for its 2,000-character thresholds block."""
    space = doc.pdf.get_string_width(" ")
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for word in text.split(" "):
        w = doc.pdf.get_string_width(word)
        if line and used + space + w > width:
            lines.append(" ".join(line))
            line, used = [], 0.0
        used += (space if line else 0.0) + w
        line.append(word)
    return lines + ([" ".join(line)] if line else [])


@dataclasses.dataclass
class _BoardLayout:
    """Type size, line height and each row's height and number of reason lines."""

    size: float
    line_h: float
    lines: list[int]
    heights: list[float]


def _board_layout(doc: _Doc, rows: list[dict[str, object]], room: float, reason_w: float) -> _BoardLayout:
    """The largest type at which every row fits in `room` mm. A step-back, hold or no-data row whose
    reasons do not fit one line gets two (down to 7.5 pt); else every row has one line (down to 6 pt),
    the reasons that do not fit counted as `+N more`. What still does not fit goes on a second page."""
    sizes = (10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0)

    def attempt(size: float, two_lines: bool) -> _BoardLayout | None:
        line_h, pad = size * 0.3528 * 1.18, (1.2 if size >= 8 else 0.55)
        doc.set(size * 0.94)
        lines = [2 if two_lines and r["status"] != "green"
                 and doc.width(" · ".join(str(x["short"]) for x in r["reasons"])) > reason_w else 1  # type: ignore[union-attr]
                 for r in rows]
        heights = [n * line_h + pad for n in lines]
        return _BoardLayout(size, line_h, lines, heights) if sum(heights) <= room + 1e-6 else None

    for size in sizes:
        found = attempt(size, True) if size >= 7.5 else None
        if found:
            return found
    for size in sizes:
        found = attempt(size, False)
        if found:
            return found
    line_h = sizes[-1] * 0.3528 * 1.18
    return _BoardLayout(sizes[-1], line_h, [1] * len(rows), [line_h + 0.55] * len(rows))


def _board_table(doc: _Doc, rows: list[dict[str, object]], layout: _BoardLayout, first: int, y: float,
                 head_h: float, widths: list[float], cfg: Settings) -> None:
    pdf = doc.pdf
    left = pdf.l_margin
    total = sum(widths)
    size = layout.size
    pdf.set_fill_color(225, 225, 225)
    pdf.rect(left, y, total, head_h, style="F")
    doc.set(8.5, bold=True)
    x = left
    for (title, _), w in zip(BOARD_COLUMNS, widths):
        doc.cell(x + 0.6, y, w, head_h, title, align="R" if title in ("Tier", "Days") else "L")
        x += w
    y += head_h
    doc.hline(left, y, total, INK, 0.35)
    for i, r in enumerate(rows, start=first):
        row_h, lines = layout.heights[i], layout.lines[i]
        status = str(r["status"])
        doc.tint(status, left, y, widths[0], row_h)
        icon = min(layout.line_h * 0.95, 4.2)
        doc.icon(status, left + 1.2, y + (row_h - icon) / 2, icon)
        doc.set(size, bold=True)
        doc.cell(left + 2.4 + icon, y, widths[0] - 2.4 - icon, row_h, STATUS_WORDS[status])
        days = r.get("days_since_injury")
        cells = [str(r["name"]), _blank(r.get("squad")), _blank(r.get("position")), tier_cell(r["tier"], r["tier_basis"], r["proposed_tier"]),
                 "" if days is None or pd.isna(days) else str(int(days)),  # type: ignore[arg-type]
                 acwr_board_cell(r.get("acwr_hsr"), cfg, icon=False), str(r["action"])]
        x = left + widths[0]
        for j, (value, w) in enumerate(zip(cells, widths[1:_REASONS])):
            doc.set(size * (0.94 if j >= 5 else 1.0), bold=(j == 0 and status in ("red", "amber")))
            doc.cell(x + 0.6, y, w, row_h, value, align="R" if j in (3, 4) else "L")
            x += w
        doc.set(size * 0.94)
        doc.wrapped(x + 0.6, y, widths[_REASONS] - 0.6, row_h,
                    _reasons_that_fit(doc, r["reasons"], (widths[_REASONS] - 1.8) * lines * 0.96), lines)  # type: ignore[arg-type]
        y += row_h
        doc.hline(left, y, total, RULE, 0.15)


def _reasons_that_fit(doc: _Doc, reasons: Sequence[dict[str, object]], width: float) -> str:
    """As many reasons' short texts as fit, then `+N more`."""
    shorts = [str(r["short"]) for r in reasons]
    for n in range(len(shorts), 0, -1):
        text = " · ".join(shorts[:n]) + (f" · +{len(shorts) - n} more" if n < len(shorts) else "")
        if doc.width(text) <= width:
            return text
    return doc.fit(shorts[0], width) if shorts else ""
