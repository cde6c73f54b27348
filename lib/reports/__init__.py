"""Staff-meeting reports: the one-page readiness board (PDF and PNG) and the athlete's return-to-speed
report (PDF, two pages).

- PDF with fpdf2 (pure Python); charts are the app's own Altair charts turned into PNG by vl-convert
  (no browser); the board's PNG is its PDF page rasterised by PDFium (pypdfium2). Nothing is fetched.
- Deterministic: the same data give the same bytes (creation date = the report's date, no clock).
- Printed in black and white: a status is a word and a shape (▼ step back, ■ hold, ▲ ready, ? no
  data) on a tint whose grey differs per status (no data is hatched); every chart has units on its
  axes and its thresholds drawn.
- Pseudonymised (`mode="initials"|"codes"`): everything is computed from `pseudonymise_data`, so
  no name, diagnosis, note or identifying file name reaches the page or its metadata.

Text uses a Unicode TrueType font found on the machine (DejaVu Sans, Liberation Sans or Arial; or
`RTS_REPORT_FONT` / `RTS_REPORT_FONT_BOLD`); without one, the PDF core font Helvetica with the few
symbols it lacks spelt out (`≥` as `>=`).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import io
import os
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from lib.metrics.exposure import ACWR_CAVEAT
from lib.readiness import STATUS_ICONS, STATUS_WORDS, Data, readiness_board
from lib.views import tier_cell
from lib.core.settings import SETTINGS, Settings, defaults

# ------------------------------------------------------------------------------------ look

STATUS_ORDER = ("red", "amber", "green", "grey")
# cell tints: in grey they read 183 / 203 / 240 of 255 (red darkest); no data is white, hatched
STATUS_TINTS = {"red": "#EDA58A", "amber": "#F5C868", "green": "#E6F5EE", "grey": "#FFFFFF"}
STATUS_MEANING = {
    "red": "regression, step back to a safe tier / stop: no high-velocity work",
    "amber": "stay at the current tier",
    "green": "cleared for the next tier or full high-velocity work",
    "grey": "not enough recent data to decide",
}
INK = (26, 26, 26)
MUTED = (90, 90, 90)
RULE = (170, 170, 170)
PNG_DPI = 150
CHART_SCALE = 2.5  # vl-convert pixels per CSS pixel: about 290 dpi on the page
PX_PER_MM = 4.6  # CSS pixels per mm of page: the app's 14 px chart labels print at about 8 pt
FALLBACK_TEXT = {
    "≥": ">=", "≤": "<=", "✓": "yes", "✗": "no", "▲": "^", "▼": "v", "■": "#", "●": "*", "○": "o", "–": "-",
    "—": "-", "·": "-", "±": "+/-", "…": "...", "→": "->", "ℹ": "i", "◌": "o", "×": "x", "÷": "/", "’": "'",
    # letters without a Unicode decomposition
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "ı": "i", "Ħ": "H", "ħ": "h",
}
FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ("/Library/Fonts/Arial Unicode.ttf", "/Library/Fonts/Arial Unicode.ttf"),
    ("/System/Library/Fonts/Supplemental/Arial.ttf", "/System/Library/Fonts/Supplemental/Arial Bold.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
)


@dataclasses.dataclass(frozen=True)
class Font:
    """The report font: a TrueType pair, or the PDF core font; and the characters it can print."""

    family: str
    regular: str | None
    bold: str | None
    glyphs: frozenset[int] | None = dataclasses.field(default=None, repr=False)  # None: the core font's Latin-1


@functools.cache
def report_font() -> Font:
    """The first usable Unicode font (see module doc), else Helvetica."""
    pairs = [(os.environ.get("RTS_REPORT_FONT", ""), os.environ.get("RTS_REPORT_FONT_BOLD", "")), *FONT_CANDIDATES]
    for regular, bold in (*pairs, _matplotlib_font()):
        if regular and Path(regular).is_file():
            try:
                from fontTools.ttLib import TTFont

                glyphs = frozenset(TTFont(regular, lazy=True).getBestCmap())
            except Exception:  # noqa: BLE001 - an unreadable font file: try the next
                continue
            return Font("report", regular, bold if bold and Path(bold).is_file() else regular, glyphs)
    return Font("helvetica", None, None, None)


def _matplotlib_font() -> tuple[str, str]:
    """DejaVu Sans from matplotlib, where it is installed (looked for only when no system font is)."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return "", ""
    ttf = Path(list(spec.submodule_search_locations)[0]) / "mpl-data" / "fonts" / "ttf"
    return str(ttf / "DejaVuSans.ttf"), str(ttf / "DejaVuSans-Bold.ttf")


def _has(font: Font, ch: str) -> bool:
    return ord(ch) in font.glyphs if font.glyphs is not None else 32 <= ord(ch) < 256  # core fonts: Latin-1


def printable(text: object, font: Font | None = None) -> str:
    """`text` with every character the font lacks spelt out (`≥` -> `>=`) or stripped of its accent."""
    font = font or report_font()
    out = []
    for ch in str(text):
        if ch in "\n\t" or _has(font, ch):
            out.append(ch)
        elif ch in FALLBACK_TEXT:
            out.append(FALLBACK_TEXT[ch])
        else:
            plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            out.append(plain if plain and all(_has(font, c) for c in plain) else "?")
    return "".join(out)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


# ------------------------------------------------------------------------------------ document

class _Doc:
    """An fpdf2 document with the report's font, footer, status icons and fitted text."""

    def __init__(self, orientation: str, on: pd.Timestamp, title: str, footer: str) -> None:
        from fpdf import FPDF

        footer_text = footer
        font = report_font()
        self.font = font

        class _PDF(FPDF):
            def footer(inner) -> None:  # noqa: N805 - fpdf2's hook
                inner.set_y(-9)
                inner.set_font(font.family, "", 7)
                inner.set_text_color(*MUTED)
                room = inner.w - inner.l_margin - inner.r_margin - 20
                text = printable(footer_text, font)
                if inner.get_string_width(text) > room:
                    ell = printable("…", font)
                    while text and inner.get_string_width(text + ell) > room:
                        text = text[:-1]
                    text = text.rstrip() + ell
                inner.cell(0, 4, text, align="L")
                inner.set_x(inner.l_margin)
                inner.cell(0, 4, f"page {inner.page_no()}/{{nb}}", align="R")

        pdf = _PDF(orientation=orientation, unit="mm", format="A4")
        pdf.set_creation_date(dt.datetime.combine(pd.Timestamp(on).date(), dt.time(), tzinfo=dt.timezone.utc))
        pdf.set_title(printable(title, font))
        pdf.set_author("Return to Speed")
        pdf.set_creator("Return to Speed")
        pdf.set_producer("Return to Speed (fpdf2)")
        pdf.set_margins(10, 10, 10)
        pdf.set_auto_page_break(True, margin=12)
        if font.regular:
            pdf.add_font(font.family, "", font.regular)
            pdf.add_font(font.family, "B", font.bold or font.regular)
        pdf.alias_nb_pages()
        self.pdf = pdf

    # -- text
    def set(self, size: float, bold: bool = False, colour: tuple[int, int, int] = INK) -> None:
        self.pdf.set_font(self.font.family, "B" if bold else "", size)
        self.pdf.set_text_color(*colour)

    def text(self, value: object) -> str:
        return printable(value, self.font)

    def width(self, value: object) -> float:
        return self.pdf.get_string_width(self.text(value))

    def fit(self, value: object, width: float) -> str:
        """`value` cut with `…` to fit `width` mm in the current font."""
        text = self.text(value)
        if self.pdf.get_string_width(text) <= width:
            return text
        ell = self.text("…")
        lo, hi = 0, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.pdf.get_string_width(text[:mid].rstrip() + ell) <= width:
                lo = mid
            else:
                hi = mid - 1
        return text[:lo].rstrip() + ell

    def cell(self, x: float, y: float, w: float, h: float, value: object, align: str = "L") -> None:
        self.pdf.set_xy(x, y)
        self.pdf.cell(w, h, self.fit(value, w - 1.2), align=align)

    def wrapped(self, x: float, y: float, w: float, h: float, value: object, lines: int) -> None:
        """`value` in at most `lines` lines of a `w` x `h` box (vertically centred), the last one cut with `…`."""
        text = self.text(value)
        parts = self.pdf.multi_cell(w - 1.2, 1, text, dry_run=True, output="LINES") if lines > 1 else [text]
        if len(parts) > lines:
            parts = parts[:lines - 1] + [" ".join(parts[lines - 1:])]
        parts = parts[:-1] + [self.fit(parts[-1], w - 1.2)] if parts else []
        line_h = self.pdf.font_size * 1.22
        top = y + (h - line_h * len(parts)) / 2
        for i, part in enumerate(parts):
            self.pdf.set_xy(x, top + i * line_h)
            self.pdf.cell(w, line_h, part)

    # -- marks
    def icon(self, status: str, x: float, y: float, size: float) -> None:
        """The status shape: ▼ step back, ■ hold, ▲ ready, ? in a circle for no data (black outline)."""
        from lib.charts import STATUS_COLORS  # the screen's colours (Okabe-Ito)

        pdf = self.pdf
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.25)
        pdf.set_fill_color(*_rgb(STATUS_COLORS[status]))
        s = size
        if status == "red":
            pdf.polygon([(x, y + 0.1 * s), (x + s, y + 0.1 * s), (x + s / 2, y + s)], style="DF")
        elif status == "green":
            pdf.polygon([(x, y + 0.9 * s), (x + s, y + 0.9 * s), (x + s / 2, y)], style="DF")
        elif status == "amber":
            pdf.rect(x + 0.1 * s, y + 0.1 * s, 0.8 * s, 0.8 * s, style="DF")
        else:
            pdf.set_fill_color(255, 255, 255)
            pdf.ellipse(x + 0.05 * s, y + 0.05 * s, 0.9 * s, 0.9 * s, style="DF")
            pdf.set_font(self.font.family, "B", s * 2.2)
            pdf.set_text_color(0, 0, 0)
            pdf.set_xy(x, y + 0.05 * s)
            pdf.cell(s, 0.9 * s, "?", align="C")

    def tint(self, status: str, x: float, y: float, w: float, h: float) -> None:
        """The status cell's background: a tint per status; no data white with grey hatching."""
        pdf = self.pdf
        pdf.set_fill_color(*_rgb(STATUS_TINTS[status]))
        pdf.rect(x, y, w, h, style="F")
        if status == "grey":
            pdf.set_draw_color(150, 150, 150)
            pdf.set_line_width(0.15)
            with pdf.rect_clip(x, y, w, h):
                step = 1.6
                k = -h
                while k < w:
                    pdf.line(x + k, y + h, x + k + h, y)
                    k += step

    def hline(self, x: float, y: float, w: float, colour: tuple[int, int, int] = RULE, width: float = 0.2) -> None:
        self.pdf.set_draw_color(*colour)
        self.pdf.set_line_width(width)
        self.pdf.line(x, y, x + w, y)

    def image(self, png: bytes, x: float, y: float, w: float) -> float:
        """Place a PNG `w` mm wide; returns its height in mm."""
        from PIL import Image

        with Image.open(io.BytesIO(png)) as im:
            pw, ph = im.size
        h = w * ph / pw
        self.pdf.image(io.BytesIO(png), x=x, y=y, w=w, h=h)
        return h

    def output(self) -> bytes:
        return bytes(self.pdf.output())


# ------------------------------------------------------------------------------------ shared bits

def _pseudo(data: Data, mode: str | None, key: bytes, aliases: pd.DataFrame | None = None) -> Data:
    from lib.privacy.pseudonym import check_mode, pseudonymise_data

    return pseudonymise_data(data, mode, key, aliases) if check_mode(mode) else data


def _latest_row_date(data: Data, on: pd.Timestamp) -> pd.Timestamp | None:
    days = [df.loc[df["date"] <= on, "date"].max() for df in (data.tests, data.sessions, data.wellness) if len(df)]
    days = [d for d in days if not pd.isna(d)]
    return max(days) if days else None


def _value_text(value: object, unit: str) -> str:
    if isinstance(value, str):
        return value
    v = float(value)  # type: ignore[arg-type]
    if unit.startswith("%"):
        return f"{v:g}{unit}"
    if unit == "0-10":
        return f"{v:g}/10"
    if unit == "z":
        return f"{v:g} SD"
    if unit in ("ratio", ""):
        return f"{v:g}"
    return f"{v:g} {unit}"


def threshold_lines(cfg: Settings) -> list[tuple[str, str]]:
    """(group, `label value; label value`) for every setting, `*` after a value changed from its default."""
    from lib.views.settings import LABELS

    groups: dict[str, list[str]] = {}
    for s in SETTINGS:
        value = cfg.get(s.name, s.default)
        changed = "*" if value != s.default else ""
        label = LABELS.get(s.name, s.name)
        label = label[len(s.group) + 2:] if label.startswith(f"{s.group}: ") else label  # "Pain: Pain: safe" reads twice
        groups.setdefault(s.group, []).append(f"{label} {_value_text(value, s.unit)}{changed}")
    return [(g, "; ".join(items)) for g, items in groups.items()]


def _mode_note(mode: str | None) -> str:
    return {"initials": "pseudonymised: initials for names", "codes": "pseudonymised: athlete codes for names"}.get(
        mode or "", "")


# ------------------------------------------------------------------------------------ board report

def board_pdf(data: Data, on: dt.date, cfg: Settings | None = None, team: str = "", mode: str | None = None,
              key: bytes = b"", board: pd.DataFrame | None = None, aliases: pd.DataFrame | None = None) -> bytes:
    """The readiness board on `on` as a one-page A4 landscape PDF: date, team, each athlete's status
    (word, shape, tint), tier, days since injury, action and top reasons; counts per status; the
    thresholds used. `board` (from `readiness_board` on the same data) saves computing it again."""
    cfg = cfg or defaults()
    day = pd.Timestamp(on).normalize()
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


def board_png(data: Data, on: dt.date, cfg: Settings | None = None, team: str = "", mode: str | None = None,
              key: bytes = b"", board: pd.DataFrame | None = None, dpi: int = PNG_DPI,
              aliases: pd.DataFrame | None = None) -> bytes:
    """The board report's first page as a PNG (`dpi` dots per inch; A4 landscape)."""
    return pdf_page_png(board_pdf(data, on, cfg, team, mode, key, board, aliases), 0, dpi)


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
    ("Status", 30.0), ("Athlete", 38.0), ("Squad", 21.0), ("Position", 25.0), ("Tier", 13.0), ("Days", 10.0),
    ("Action", 48.0), ("Top reasons", None),
)


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
    for status in reversed(STATUS_ORDER):
        label = f"{int(counts.get(status, 0))} {STATUS_WORDS[status].lower()}"
        doc.set(11, bold=True)
        w = doc.width(label) + 2
        x -= w
        doc.cell(x, 10.5, w + 1, 6, label)
        x -= 6.5
        doc.icon(status, x + 0.8, 11.2, 4.6)
        x -= 4
    doc.set(7.5, colour=MUTED)
    legend = "   ".join(f"{STATUS_ICONS[s]} {STATUS_WORDS[s]}: {STATUS_MEANING[s]}" for s in STATUS_ORDER)
    doc.cell(left, 22.5, width, 4, legend)
    # thresholds block height, measured first: the table gets the rest of the page
    # acute:chronic stays a descriptive figure, with its caveat, on the printed board too
    lines = [*threshold_lines(cfg), ("Acute:chronic", "shown as context, never by itself a reason to step back: "
                                     + ACWR_CAVEAT.rstrip("."))]
    thr_size = 6.4
    doc.set(thr_size)
    block = "   ".join(f"{g}: {t}." for g, t in lines)
    thr_lines = len(pdf.multi_cell(width, thr_size * 0.42, doc.text(block), dry_run=True, output="LINES"))
    thr_h = 5 + thr_lines * thr_size * 0.42
    top, bottom = 28.0, pdf.h - 12 - thr_h - 2
    rows = board.to_dict("records")
    head_h = 5.5
    widths = _column_widths(BOARD_COLUMNS, width)
    layout = _board_layout(doc, rows, bottom - top - head_h, widths[-1] - 1.8)
    start, page_top = 0, top
    while start < len(rows):
        end, used = start, 0.0
        while end < len(rows) and (end == start or used + layout.heights[end] <= bottom - page_top - head_h + 1e-6):
            used += layout.heights[end]
            end += 1
        _board_table(doc, rows[start:end], layout, start, page_top, head_h, widths)
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
    pdf.set_xy(left, y + 4.6)
    pdf.multi_cell(width, thr_size * 0.42, doc.text(block), align="L")


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
                 head_h: float, widths: list[float]) -> None:
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
                 "" if days is None or pd.isna(days) else str(int(days)), str(r["action"])]  # type: ignore[arg-type]
        x = left + widths[0]
        for j, (value, w) in enumerate(zip(cells, widths[1:7])):
            doc.set(size * (0.94 if j == 5 else 1.0), bold=(j == 0 and status in ("red", "amber")))
            doc.cell(x + 0.6, y, w, row_h, value, align="R" if j in (3, 4) else "L")
            x += w
        doc.set(size * 0.94)
        doc.wrapped(x + 0.6, y, widths[7] - 0.6, row_h,
                    _reasons_that_fit(doc, r["reasons"], (widths[7] - 1.8) * lines * 0.96), lines)  # type: ignore[arg-type]
        y += row_h
        doc.hline(left, y, total, RULE, 0.15)


def _blank(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)  # type: ignore[arg-type]


def _reasons_that_fit(doc: _Doc, reasons: Sequence[dict[str, object]], width: float) -> str:
    """As many reasons' short texts as fit, then `+N more`."""
    shorts = [str(r["short"]) for r in reasons]
    for n in range(len(shorts), 0, -1):
        text = " · ".join(shorts[:n]) + (f" · +{len(shorts) - n} more" if n < len(shorts) else "")
        if doc.width(text) <= width:
            return text
    return doc.fit(shorts[0], width) if shorts else ""


# ------------------------------------------------------------------------------------ charts

@functools.cache
def _vl_version() -> str | None:
    import altair as alt
    import vl_convert as vlc

    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return wanted if wanted in vlc.get_vegalite_versions() else None


def chart_png(chart: object, width_mm: float, height_px: int | None = None) -> bytes:
    """An Altair chart as PNG for a `width_mm` wide slot, its plot sized so that the app's 14 px labels
    print at about 9 pt (a faceted chart: each panel; `height_px`: each panel's height)."""
    import vl_convert as vlc

    spec = _sized(chart, max(120, int(width_mm * PX_PER_MM) - 80), height_px).to_dict()  # type: ignore[attr-defined]
    config = spec.setdefault("config", {})
    config["background"] = "white"
    config.setdefault("legend", {})["columns"] = 2  # a legend never widens a half-page chart
    version = _vl_version()
    return vlc.vegalite_to_png(spec, scale=CHART_SCALE, **({"vl_version": version} if version else {}))


def _sized(chart: object, width: int, height: int | None) -> object:
    import altair as alt

    size = {"width": width, **({"height": height} if height else {})}
    if isinstance(chart, alt.FacetChart):
        sized = chart.copy()
        sized.spec = chart.spec.properties(**size)  # type: ignore[union-attr]
        return sized
    if isinstance(chart, (alt.HConcatChart, alt.VConcatChart, alt.ConcatChart, alt.RepeatChart)):
        return chart  # laid out by its builder
    return chart.properties(**size)  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------ athlete report

def athlete_pdf(data: Data, athlete_id: str, on: dt.date, cfg: Settings | None = None,
                notes: pd.DataFrame | None = None, team: str = "", mode: str | None = None, key: bytes = b"",
                board: pd.DataFrame | None = None, aliases: pd.DataFrame | None = None) -> bytes:
    """One athlete's return-to-speed report on `on` (A4 portrait, two pages): status, tier and injury;
    reasons and the next tier's criteria with values and thresholds; tier timeline; pain and wellness;
    hop battery and symmetry; weekly exposure and top speed; notes (`lib.notes.notes(engine, athlete_id)`).
    `board` (from `readiness_board` on the same data, date and settings) saves computing it again."""
    from lib.privacy.pseudonym import athlete_code, check_mode, pseudonymise_board, pseudonymise_notes
    from lib.views.athlete import lsi_history

    cfg = cfg or defaults()
    day = pd.Timestamp(on).normalize()
    mode = check_mode(mode)
    if athlete_id not in set(data.athletes["athlete_id"].astype(str)):
        raise KeyError(f"no athlete with id '{athlete_id}'")
    if mode:
        board = pseudonymise_board(board, mode, data.athletes, key, aliases) if board is not None else None
        data = _pseudo(data, mode, key, aliases)
        athlete_id = athlete_code(athlete_id, key)
        notes = pseudonymise_notes(notes, mode) if notes is not None else None
    board = board if board is not None else readiness_board(data, day, cfg)
    row = board[board["athlete_id"] == athlete_id].iloc[0].to_dict()
    footer = (f"Return to Speed · return-to-speed report · {row['name']} · as of {day:%a %d %b %Y}"
              + (f" · {_mode_note(mode)}" if mode else "") + " · threshold sources on the app's Settings page")
    doc = _Doc("P", day, f"Return-to-speed report: {row['name']} {day:%Y-%m-%d}", footer)
    history = lsi_history(data, athlete_id, day, cfg)  # LSI per test and date: pages one and two read it
    wellness = _athlete_page_one(doc, data, row, history, day, cfg, team, mode)
    _athlete_page_two(doc, data, row, history, day, cfg, notes, mode, wellness)
    return doc.output()


def _athlete_page_one(doc: _Doc, data: Data, row: dict[str, object], history: pd.DataFrame, day: pd.Timestamp,
                      cfg: Settings, team: str, mode: str | None) -> pd.DataFrame | None:
    """Page one; returns the wellness summary when it did not fit (page two then places it)."""
    from lib.charts import athlete as charts
    from lib.views import athlete as view

    pdf = doc.pdf
    pdf.add_page()
    left, width = pdf.l_margin, pdf.w - pdf.l_margin - pdf.r_margin
    head = view.athlete_header(row, data.injuries)
    doc.set(18, bold=True)
    doc.cell(left, 10, width * 0.62, 9, head["name"])
    doc.set(9, colour=MUTED)
    doc.cell(left + width * 0.55, 10.5, width * 0.45, 4.5, "Return-to-speed report", align="R")
    doc.cell(left + width * 0.55, 15, width * 0.45, 4.5, f"as of {day:%a %d %b %Y}", align="R")
    who = " · ".join(x for x in (_blank(row.get("position")), _blank(row.get("squad")) or team,
                                 _mode_note(mode)) if x)
    doc.cell(left, 19, width * 0.7, 5, who)
    # status box: the word and shape, the action; tier and how it was set; the injury (wrapped)
    status = str(row["status"])
    y = 26.0
    injury = head["injury"] + (f" · day {head['days']} since injury" if head["days"] != "–" else "")
    detail = (f"Tier {head['tier']} ({head['tier_name']}) · how it was set: {row.get('tier_note', row['tier_basis'])}\n"
              f"Injury: {injury}")
    doc.set(9.5)
    detail_lines = pdf.multi_cell(width - 16, 4.6, doc.text(detail), dry_run=True, output="LINES")
    box_h = 11 + 4.6 * len(detail_lines)
    doc.tint(status, left, y, width, box_h)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.35)
    pdf.rect(left, y, width, box_h)
    doc.icon(status, left + 3, y + 3, 7)
    doc.set(14, bold=True)
    doc.cell(left + 13, y + 2.2, width - 16, 7, f"{STATUS_WORDS[status]}: {head['action']}")
    doc.set(9.5)
    pdf.set_xy(left + 13, y + 9.5)
    pdf.multi_cell(width - 16, 4.6, doc.text(detail), align="L")
    y += box_h + 3
    # reasons
    doc.set(11, bold=True)
    doc.cell(left, y, width, 6, "Why")
    y += 6
    reasons = [r for r in row["reasons"] if r.get("effect") != "gate"]  # type: ignore[union-attr]
    for r in reasons[:6]:
        mark = {"red": "▼", "amber": "■", "grey": "?", "ok": "✓", "info": "ℹ"}.get(str(r.get("effect")), "•")
        doc.set(9, bold=r.get("effect") == "red")
        doc.cell(left, y, 5, 4.6, mark)
        doc.cell(left + 5, y, 95, 4.6, r["short"])
        doc.set(7.5, colour=MUTED)
        doc.cell(left + 100, y, width - 100, 4.6, r.get("source") or "")
        y += 4.6
    if not reasons:
        doc.set(9)
        doc.cell(left, y, width, 4.6, "No flags on current data: the next-tier criteria decide.")
        y += 4.6
    y += 2
    # criteria
    doc.set(11, bold=True)
    doc.cell(left, y, width, 6, view.checklist_title(row))
    y += 6.5
    checklist = view.criteria_checklist(row)
    y = _criteria_table(doc, checklist, left, y, width)
    line = view.catch_up_line(view.catch_up(history, day, cfg), row).replace("**", "")
    doc.set(8.5, colour=MUTED)
    pdf.set_xy(left, y + 1)
    pdf.multi_cell(width, 4, doc.text(line), align="L")
    y = pdf.get_y() + 2
    # tier timeline and pain, full width; wellness too when it fits, else it goes on page two
    timeline = view.tier_timeline(data, row["athlete_id"], row, day)  # type: ignore[arg-type]
    room = pdf.h - 13 - y
    y += _image_fitting(doc, chart_png(charts.tier_chart(timeline), width, 85), left, y, width, room * 0.3) + 2
    pain = charts.pain_chart(view.pain_history(data, row["athlete_id"], day), cfg)  # type: ignore[arg-type]
    y += _image_fitting(doc, chart_png(pain, width, 95), left, y, width, (pdf.h - 13 - y) * 0.6) + 2
    summary = wellness_summary(view.wellness_history(data, row["athlete_id"], day, cfg), day, cfg)  # type: ignore[arg-type]
    if 12 + 4.6 * (len(summary) + 1) <= pdf.h - 13 - y:
        _wellness_table(doc, summary, cfg, left, y, width)
        return None
    return summary  # placed on page two


def wellness_summary(well: pd.DataFrame, on: dt.date, cfg: Settings | None = None, days: int = 14) -> pd.DataFrame:
    """Per wellness item (rows of `wellness_history`): the latest answer and its date, the athlete's own
    28-day mean before it, z turned so that up is worse, and the answers past the hold line
    (`wellness_z_amber` SD worse than the own mean) in the last `days` days."""
    cols = ["item", "label", "scale", "date", "value", "baseline_mean", "bad_z", "past_hold_days", "answers"]
    if well.empty:
        return pd.DataFrame(columns=cols)
    since = pd.Timestamp(on) - pd.Timedelta(days=days - 1)
    rows = []
    for item, g in well.sort_values("date").groupby("item", sort=True):
        last = g.iloc[-1]
        recent = g[g["date"] >= since]
        rows.append({"item": item, "label": last["label"], "scale": last["scale"], "date": last["date"],
                     "value": float(last["value"]), "baseline_mean": float(last["baseline_mean"]),
                     "bad_z": float(last["bad_z"]), "past_hold_days": int(recent["past_hold"].sum()),
                     "answers": int(len(recent))})
    return pd.DataFrame(rows, columns=cols)


def _column_widths(cols: Sequence[tuple[str, float | None]], width: float) -> list[float]:
    """Column widths in mm: the fixed ones as given, the one without a width takes the rest."""
    return [w if w is not None else width - sum(x for _, x in cols if x) for _, w in cols]


def _table_head(doc: _Doc, cols: Sequence[tuple[str, float | None]], widths: list[float], left: float, y: float,
                width: float, height: float = 4.8, size: float = 7.8) -> float:
    """A table's grey header band with the column titles; returns the y below it."""
    doc.pdf.set_fill_color(225, 225, 225)
    doc.pdf.rect(left, y, width, height, style="F")
    doc.set(size, bold=True)
    x = left
    for (title, _), w in zip(cols, widths):
        doc.cell(x + 0.6, y, w, height, title)
        x += w
    return y + height


def _wellness_table(doc: _Doc, summary: pd.DataFrame, cfg: Settings, left: float, y: float, width: float) -> float:
    pdf = doc.pdf
    amber = cfg.num("wellness_z_amber")
    doc.set(11, bold=True)
    doc.cell(left, y, width, 6, "Wellness against the athlete's own 28-day mean")
    y += 6.5
    if summary.empty:
        doc.set(9)
        doc.cell(left, y, width, 4.6, "No wellness answers in the last 12 weeks.")
        return y + 4.6
    cols = (("Item", 46.0), ("Latest", 26.0), ("Own mean", 18.0), ("z, up = worse (SD)", 42.0),
            (f"Days ≥ {amber:g} SD worse, last 14 d", None))
    widths = _column_widths(cols, width)
    y = _table_head(doc, cols, widths, left, y, width)
    for r in summary.to_dict("records"):
        bad = not pd.isna(r["bad_z"]) and r["bad_z"] >= amber
        values = [r["label"], f"{r['value']:g} on {pd.Timestamp(r['date']):%d %b}",
                  "" if pd.isna(r["baseline_mean"]) else f"{r['baseline_mean']:.1f}",
                  "" if pd.isna(r["bad_z"]) else (f"{round(r['bad_z'], 1) + 0.0:+.1f}" + ("  ■ past hold line" if bad else "")),
                  f"{r['past_hold_days']} of {r['answers']} answers"]
        x = left
        for i, (value, w) in enumerate(zip(values, widths)):
            doc.set(8.3, bold=bad and i == 3)
            doc.cell(x + 0.6, y, w, 4.4, value)
            x += w
        y += 4.4
        doc.hline(left, y, width, RULE, 0.15)
    doc.set(7, colour=MUTED)
    pdf.set_xy(left, y + 0.3)
    pdf.multi_cell(width, 3.2, doc.text(f"Hold line: {amber:g} SD on the bad side of the athlete's own 28-day mean "
                                        f"(individual baseline). Scales: {'; '.join(sorted(set(summary['scale'].astype(str))))}."),
                   align="L")
    return pdf.get_y() + 0.5


def _image_fitting(doc: _Doc, png: bytes, x: float, y: float, w: float, room: float) -> float:
    """Place an image `w` wide, narrower when its height would pass `room`."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        pw, ph = im.size
    if w * ph / pw > room > 10:
        w = room * pw / ph
    return doc.image(png, x, y, w)


def _criteria_table(doc: _Doc, checklist: pd.DataFrame, left: float, y: float, width: float) -> float:
    pdf = doc.pdf
    cols = (("Met", 22.0), ("Criterion", 50.0), ("Now", 22.0), ("Needs", 20.0), ("Threshold source", None))
    widths = _column_widths(cols, width)
    if checklist.empty:
        doc.set(9)
        doc.cell(left, y, width, 5, "No next-tier criteria (no active injury, or already at full return).")
        return y + 5
    y = _table_head(doc, cols, widths, left, y, width, height=5, size=8)
    words = {"✓": ("✓ met", "green"), "✗": ("✗ NOT MET", "red"), "–": ("– not tested", "grey")}
    for r in checklist.to_dict("records"):
        word, status = words.get(str(r["Met"]), (str(r["Met"]), "grey"))
        h = 4.8
        if status != "grey":
            pdf.set_fill_color(*_rgb(STATUS_TINTS["red" if status == "red" else "green"]))
            pdf.rect(left, y, widths[0], h, style="F")
        doc.set(8.3, bold=status == "red")
        doc.cell(left + 0.6, y, widths[0], h, word)
        x = left + widths[0]
        for key, w in zip(("Criterion", "Now", "Needs"), widths[1:4]):
            doc.set(8.3, bold=key == "Now" and status == "red")
            doc.cell(x + 0.6, y, w, h, r[key])
            x += w
        doc.set(7, colour=MUTED)
        doc.cell(x + 0.6, y, widths[4], h, r["Source"])
        y += h
        doc.hline(left, y, width, RULE, 0.15)
    return y


def _athlete_page_two(doc: _Doc, data: Data, row: dict[str, object], history: pd.DataFrame, day: pd.Timestamp,
                      cfg: Settings, notes: pd.DataFrame | None, mode: str | None, wellness: pd.DataFrame | None) -> None:
    from lib.charts import athlete as charts
    from lib.charts.hops import lsi_history_chart
    from lib.readiness import STRENGTH_TEST
    from lib.views import athlete as view
    from lib.views import hops as hop_view

    pdf = doc.pdf
    pdf.add_page()
    left, width = pdf.l_margin, pdf.w - pdf.l_margin - pdf.r_margin
    half = (width - 4) / 2
    aid = str(row["athlete_id"])
    y = 10.0
    doc.set(12, bold=True)
    doc.cell(left, y, width, 6, f"{row['name']}: symmetry, hop battery and exposure")
    y += 7
    # hop battery over time and the injury's strength or CMJ symmetry
    hops = hop_view.lsi_history(data, day, cfg, aid)
    hops = hops[hops["date"] >= day - pd.Timedelta(days=view.WINDOW_DAYS)]
    pass_lsi, pass_label, pass_source = hop_view.pass_rule(cfg)  # the hop pass line, with its source
    if hops.dropna(subset=["lsi"]).empty:
        hop_chart = charts.empty_chart("no hop tests in the last 12 weeks")
    else:
        hop_chart = lsi_history_chart(hops.dropna(subset=["lsi"]), pass_lsi, pass_label, pass_source)
        hop_chart = hop_chart.properties(title="Hop battery: LSI per test")
    strength = STRENGTH_TEST.get(str(row.get("region") or ""))
    if strength and strength in set(history["test"]) and history.loc[history["test"] == strength, "lsi"].notna().any():
        sym_chart = charts.lsi_chart(history, strength)
    else:
        sym_chart = charts.cmj_asymmetry_chart(view.cmj_history(data, aid, day, cfg), cfg)
    h1 = doc.image(chart_png(hop_chart, half, 150), left, y, half)
    h2 = doc.image(chart_png(sym_chart, half, 150), left + half + 4, y, half)
    y += max(h1, h2) + 2
    y = _battery_table(doc, history, left, y, width)
    # exposure
    summary = view.exposure_summary(data, aid, day, cfg)
    weeks = view.exposure_history(data, aid, day, cfg)
    h1 = doc.image(chart_png(charts.exposure_chart(weeks, summary, cfg), half, 140), left, y + 2, half)
    h2 = doc.image(chart_png(charts.top_speed_chart(weeks, cfg), half, 140), left + half + 4, y + 2, half)
    y += max(h1, h2) + 3
    doc.set(8.3)
    pdf.set_xy(left, y)
    metrics = view.exposure_metrics(summary)
    pdf.multi_cell(width, 4, doc.text(" · ".join(f"{m['label']}: {m['value']}" for m in metrics)), align="L")
    doc.set(7.2, colour=MUTED)
    pdf.set_x(left)
    pdf.multi_cell(width, 3.4, doc.text(str(summary.get("caveat", ""))), align="L")
    y = pdf.get_y() + 3
    if wellness is not None:  # did not fit on page one
        y = _wellness_table(doc, wellness, cfg, left, y, width) + 3
    doc.set(11, bold=True)
    doc.cell(left, y, width, 6, "Notes")
    _notes(doc, notes, mode, left, y + 6.5, width)


def _battery_table(doc: _Doc, history: pd.DataFrame, left: float, y: float, width: float) -> float:
    """The latest LSI of each test: date, LSI vs the pass line, each limb as % of its pre-injury value."""
    latest = history.dropna(subset=["lsi"]).sort_values("date").groupby("test", sort=False).tail(1)
    if latest.empty:
        return y
    cols = (("Latest LSI per test", 50.0), ("Date", 24.0), ("LSI", 15.0), ("Result", 27.0),
            ("Injured vs pre-injury", 36.0), ("Other vs pre-injury", None))
    widths = _column_widths(cols, width)
    y = _table_head(doc, cols, widths, left, y, width)
    for r in latest.to_dict("records"):
        passes = r["passes"]
        result = "✓ pass" if passes is True else ("✗ BELOW" if passes is False else "no LSI")
        values = [r["label"], f"{pd.Timestamp(r['date']):%d %b %Y}", f"{r['lsi']:.1f}%",
                  f"{result} {r['pass_lsi']:g}%" if passes is not None else result,
                  "" if pd.isna(r["involved_pct_pre"]) else f"{r['involved_pct_pre']:.0f}%",
                  "" if pd.isna(r["uninvolved_pct_pre"]) else f"{r['uninvolved_pct_pre']:.0f}%"]
        x = left
        for i, (value, w) in enumerate(zip(values, widths)):
            doc.set(7.8, bold=(i == 3 and passes is False))
            doc.cell(x + 0.6, y, w, 4.4, value)
            x += w
        y += 4.4
        doc.hline(left, y, width, RULE, 0.15)
    return y


def _notes(doc: _Doc, notes: pd.DataFrame | None, mode: str | None, left: float, y: float, width: float) -> None:
    pdf = doc.pdf
    doc.set(8.5)
    pdf.set_xy(left, y)
    if mode:
        pdf.multi_cell(width, 4.2, doc.text("Notes are withheld in a pseudonymised report (free text may name people "
                                            "or carry medical detail)."), align="L")
        return
    if notes is None or notes.empty:
        pdf.multi_cell(width, 4.2, doc.text("No notes on record."), align="L")
        return
    shown = 0
    for n in notes.to_dict("records"):
        line = f"{pd.Timestamp(n['date']):%a %d %b %Y} · {n.get('who') or ''}: {n['note']}"
        need = len(pdf.multi_cell(width, 4.2, doc.text(line), dry_run=True, output="LINES")) * 4.2
        if pdf.get_y() + need > pdf.h - 13:
            break
        pdf.set_x(left)
        pdf.multi_cell(width, 4.2, doc.text(line), align="L")
        shown += 1
    if shown < len(notes):
        doc.set(7.5, colour=MUTED)
        pdf.set_x(left)
        pdf.multi_cell(width, 4, doc.text(f"{len(notes) - shown} earlier notes on the athlete page of the app."),
                       align="L")


# ------------------------------------------------------------------------------------ command line

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `python -m lib report board|athlete ATHLETE_ID [--on DATE] [--team NAME]
    [--pseudonymise initials|codes] -o FILE.pdf|FILE.png` (the caller adds --db)."""
    parser.add_argument("kind", choices=["board", "athlete"], help="board: one page for the meeting; athlete: "
                                                                  "one athlete's return-to-speed report")
    parser.add_argument("athlete_id", nargs="?", help="the athlete (athlete reports)")
    parser.add_argument("--on", help="date YYYY-MM-DD (default: today)")
    parser.add_argument("--team", default="default", help="settings of this team (default: default)")
    parser.add_argument("--pseudonymise", choices=["initials", "codes"], help="no names: initials or athlete codes")
    parser.add_argument("-o", "--output", required=True, help="FILE.pdf (board: .png too)")


def main_report(args: argparse.Namespace) -> int:
    """Write the report `args` ask for (see `add_arguments`); returns the exit code (2: usage)."""
    from lib.core import settings
    from lib import store
    from lib.core.errors import ReturnToSpeedError
    from lib.privacy.pseudonym import known_names, store_key

    kind, output = args.kind, Path(args.output)
    if kind == "athlete" and not args.athlete_id:
        print("error: an athlete report needs ATHLETE_ID", file=sys.stderr)
        return 2
    if output.suffix.lower() not in (".pdf", ".png") or (kind == "athlete" and output.suffix.lower() == ".png"):
        print("error: -o must name a .pdf file (the board also as .png)", file=sys.stderr)
        return 2
    try:
        day = pd.Timestamp(dt.date.fromisoformat(args.on)) if args.on else pd.Timestamp.today().normalize()
    except ValueError:
        raise ReturnToSpeedError(f"--on must be a date like 2026-11-23, not '{args.on}'") from None
    engine = store.connect(getattr(args, "db", None))
    team = getattr(args, "team", None) or "default"
    cfg = settings.load(engine, team)
    mode = getattr(args, "pseudonymise", None)
    key = store_key(engine) if mode else b""
    data = Data.from_store(engine)
    aliases = known_names(engine) if mode else None  # misspellings met in files name them too
    label = "" if team == "default" else team
    if kind == "board":
        if output.suffix.lower() == ".png":
            body = board_png(data, day, cfg, label, mode, key, aliases=aliases)
        else:
            body = board_pdf(data, day, cfg, label, mode, key, aliases=aliases)
    else:
        if args.athlete_id not in set(data.athletes["athlete_id"].astype(str)):
            raise ReturnToSpeedError(f"no athlete with id '{args.athlete_id}' (see `python -m lib export athletes`)")
        body = athlete_pdf(data, args.athlete_id, day, cfg, _notes_of(engine, args.athlete_id), label, mode, key,
                           aliases=aliases)
    output.write_bytes(body)
    print(f"{kind} report written to {output}", file=sys.stderr)
    return 0


def _notes_of(engine: object, athlete_id: str) -> pd.DataFrame | None:
    try:
        from lib.store.notes import notes
    except ImportError:  # notes arrive with the athlete page's note-taking
        return None
    return notes(engine, athlete_id)  # type: ignore[arg-type]
