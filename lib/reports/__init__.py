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

`pdf` holds the document, fonts and chart images; `board` and `athlete` draw the two reports; the
command line (`python -m lib report`) is lib.cli.report.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

# Loaded on first use (PEP 562): importing lib.reports costs nothing, so the app can start warming
# the reports (`warm`) without waiting for fpdf2, fontTools, the report modules or vl-convert.
_LAZY = {
    "STATUS_TINTS": "lib.core.status",
    "athlete_pdf": "lib.reports.athlete", "wellness_summary": "lib.reports.athlete",
    "BOARD_COLUMNS": "lib.reports.board", "board_pdf": "lib.reports.board", "board_png": "lib.reports.board",
    "pdf_page_png": "lib.reports.board",
    "PNG_DPI": "lib.reports.pdf", "Font": "lib.reports.pdf", "chart_png": "lib.reports.pdf",
    "printable": "lib.reports.pdf", "report_font": "lib.reports.pdf", "threshold_lines": "lib.reports.pdf",
}

__all__ = ["BOARD_COLUMNS", "PNG_DPI", "STATUS_TINTS", "Font", "athlete_pdf", "board_pdf", "board_png", "chart_png",
           "pdf_page_png", "printable", "report_font", "start_chart_process", "threshold_lines", "warm",
           "wellness_summary"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lib.reports' has no attribute {name!r}")


def start_chart_process() -> None:
    """The chart process (lib.reports.png_worker) started, without waiting for it and without loading
    anything into this process (no fpdf2, no vl-convert): it readies vl-convert's engine on its own,
    so that a report's first chart image does not wait about 1 s for it. The athlete page, which
    offers a report, calls it; once per process, a no-op after."""
    from lib.reports import png_worker
    from lib.reports.pdf import _vl_version

    png_worker.start(_vl_version())


_warming: threading.Thread | None = None
_warming_lock = threading.Lock()


def warm() -> threading.Thread:
    """Start, once per process, a daemon thread that pays a first report's fixed costs before anyone
    asks for one: the report modules and their imports, the report font's metrics and vl-convert's
    engine with the Vega-Lite version the charts use, started in the chart process
    (lib.reports.png_worker: about 85 MiB of its own, none of this process's; the report modules
    add about 36 MiB here, which is why the athlete page calls `start_chart_process` instead).
    Returns the thread (the same one on every call). What it prepares changes no byte of a report;
    a failure here is left for the report that needs the same thing to raise."""
    global _warming
    with _warming_lock:
        if _warming is None:
            _warming = threading.Thread(target=_warm, name="reports-warm", daemon=True)
            _warming.start()
    return _warming


def _warm() -> None:
    try:
        importlib.import_module("lib.reports.athlete")
        importlib.import_module("lib.reports.board")
        from lib.reports.pdf import warm_engine

        warm_engine()
    except Exception:  # noqa: BLE001, S110 - best effort: see warm's docstring
        pass
