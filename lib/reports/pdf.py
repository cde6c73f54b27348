"""The PDF document both reports draw on: fonts (with fallbacks), colours that read in grey, tables, charts as images."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import json
import os
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from lib.core.settings import SETTINGS, Settings
from lib.core.status import STATUS_COLORS, STATUS_TINTS
from lib.readiness import Data


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


class _Doc:
    """An fpdf2 document with the report's font, footer, status icons and fitted text."""

    def __init__(self, orientation: str, as_of: pd.Timestamp, title: str, footer: str) -> None:
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
        pdf.set_creation_date(dt.datetime.combine(pd.Timestamp(as_of).date(), dt.time(), tzinfo=dt.timezone.utc))
        pdf.set_title(printable(title, font))
        pdf.set_author("Return to Speed")
        pdf.set_creator("Return to Speed")
        pdf.set_producer("Return to Speed (fpdf2)")
        pdf.set_margins(10, 10, 10)
        pdf.set_auto_page_break(True, margin=12)
        if font.regular:  # parsed once per process (lib.reports.fonts)
            from lib.reports.fonts import add_font

            add_font(pdf, font.family, "", font.regular)
            add_font(pdf, font.family, "B", font.bold or font.regular)
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
        from lib.reports.cache import place_image  # fpdf2's decoded image, kept between documents

        place_image(self.pdf, png, x, y, w, h)
        return h

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _pseudo(data: Data, mode: str | None, key: bytes, aliases: pd.DataFrame | None = None) -> Data:
    from lib.privacy.pseudonym import check_mode, pseudonymise_data

    return pseudonymise_data(data, mode, key, aliases) if check_mode(mode) else data


def _latest_row_date(data: Data, as_of: pd.Timestamp) -> pd.Timestamp | None:
    days = [df.loc[df["date"] <= as_of, "date"].max() for df in (data.tests, data.sessions, data.wellness) if len(df)]
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


def _blank(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)  # type: ignore[arg-type]


@functools.cache
def _vl_version() -> str:
    """The Vega-Lite version of the charts' Altair (`5.20`, say): vl-convert draws with it where it
    has it (lib.reports.png_worker.draw_in_line), so this process need not load vl-convert to ask."""
    import altair as alt

    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def warm_engine() -> None:
    """Ready what the first chart image and the first document pay for once per process: the report
    font's parsed metrics (lib.reports.fonts), and vl-convert's engine (`warm_converter`)."""
    font = report_font()
    if font.regular:
        from lib.reports.fonts import _parsed

        _parsed(font.regular, "")
        _parsed(font.bold or font.regular, "B")
    warm_converter()


def warm_converter() -> None:
    """vl-convert's engine started with the charts' Vega-Lite version, on a one-point chart."""
    from lib.reports.png_worker import WARM_SPEC

    _png(WARM_SPEC)  # kept in `_png` as one of its images: a few bytes


def chart_png(chart: object, width_mm: float, height_px: int | None = None) -> bytes:
    """An Altair chart as PNG for a `width_mm` wide slot (`chart_spec_json`). The same spec gives the
    same image: rendered once per process and kept (`_png`, the last CHART_CACHE_SIZE images)."""
    return _png(chart_spec_json(chart, width_mm, height_px))


def chart_spec_json(chart: object, width_mm: float, height_px: int | None = None) -> str:
    """The canonical JSON of the Vega-Lite spec `chart_png` draws: its plot sized so that the app's
    14 px labels print at about 9 pt (a faceted chart: each panel; `height_px`: each panel's height)."""
    from lib.charts import spec as chart_spec

    # lib.charts.spec: not re-validated, each frame turned into records once; sized on the dict
    # (`properties` would deep-copy the chart and its data once more)
    spec = chart_spec(chart)  # type: ignore[arg-type]
    _size_spec(spec, max(120, int(width_mm * PX_PER_MM) - 80), height_px)
    config = spec.setdefault("config", {})
    config["background"] = "white"
    config.setdefault("legend", {})["columns"] = 2  # a legend never widens a half-page chart
    return json.dumps(spec, sort_keys=True, default=str)


CHART_CACHE_SIZE = 64


@functools.lru_cache(maxsize=CHART_CACHE_SIZE)
def _png(spec_json: str) -> bytes:
    """The PNG of a Vega-Lite spec (its canonical JSON), through vl-convert in the chart process
    (lib.reports.png_worker: vl-convert keeps the GIL while it draws)."""
    from lib.reports import png_worker

    return png_worker.png(spec_json, CHART_SCALE, _vl_version())


def _size_spec(spec: dict, width: int, height: int | None) -> None:
    """Size a chart's plot in its spec: a faceted chart's panels, a single or layered chart's plot;
    a concatenated or repeated chart is laid out by its builder."""
    size = {"width": width, **({"height": height} if height else {})}
    if "facet" in spec and isinstance(spec.get("spec"), dict):
        spec["spec"].update(size)
    elif not any(k in spec for k in ("hconcat", "vconcat", "concat", "repeat")):
        spec.update(size)


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


def _image_fitting(doc: _Doc, png: bytes, x: float, y: float, w: float, room: float) -> float:
    """Place an image `w` wide, narrower when its height would pass `room`."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        pw, ph = im.size
    if w * ph / pw > room > 10:
        w = room * pw / ph
    return doc.image(png, x, y, w)
