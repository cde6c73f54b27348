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

from lib.core.status import STATUS_TINTS
from lib.reports import fonts  # noqa: F401 - the report font, parsed once per process
from lib.reports.athlete import athlete_pdf, wellness_summary
from lib.reports.board import BOARD_COLUMNS, board_pdf, board_png, pdf_page_png
from lib.reports.pdf import PNG_DPI, Font, chart_png, printable, report_font, threshold_lines

__all__ = ["BOARD_COLUMNS", "PNG_DPI", "STATUS_TINTS", "Font", "athlete_pdf", "board_pdf", "board_png", "chart_png",
           "pdf_page_png", "printable", "report_font", "threshold_lines", "wellness_summary"]
