"""What makes the reports fast changes no byte of them (issue 15, item 4): the report font parsed
once per process (lib.reports.fonts) gives the PDF fpdf2's own `add_font` gives; the board's
thresholds block wrapped by summed word widths fits its width and keeps every word. Timings are
for benchmarks/report_bench.py, never for a test."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lib import store
from lib.core.settings import defaults
from lib.ingest.demo import load_demo
from lib.readiness import Data, readiness_board
from lib.reports import athlete_pdf, board_pdf, fonts, report_font
from lib.reports.board import _wrap
from lib.reports.pdf import _Doc

ON = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Data, pd.DataFrame]:
    engine = store.connect(tmp_path_factory.mktemp("speed") / "rts.sqlite")
    load_demo(engine)
    data = Data.from_store(engine)
    yield data, readiness_board(data, pd.Timestamp(ON), defaults())
    store.dispose_all()


def test_the_parsed_font_gives_the_bytes_of_fpdf2s_add_font(demo, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    if report_font().regular is None:
        pytest.skip("no TrueType font on this machine: the core font is not parsed")
    data, board = demo
    cached = [board_pdf(data, ON, defaults(), "First team", board=board),
              athlete_pdf(data, "RTS014", ON, defaults(), board=board)]
    cached_again = board_pdf(data, ON, defaults(), "First team", board=board)  # a second document, same font objects
    monkeypatch.setattr(fonts, "add_font", lambda pdf, family, style, path: pdf.add_font(family, style, path))
    plain = [board_pdf(data, ON, defaults(), "First team", board=board),
             athlete_pdf(data, "RTS014", ON, defaults(), board=board)]
    assert cached == plain and cached_again == plain[0]


def test_the_thresholds_block_wraps_within_its_width_and_keeps_every_word() -> None:
    doc = _Doc("L", pd.Timestamp(ON), "t", "f")
    doc.set(6.4)
    text = "   ".join(["Hop battery: Hop test pass (LSI) 90%."] * 40)
    lines = _wrap(doc, text, 120.0)
    assert len(lines) > 5
    assert all(doc.pdf.get_string_width(line) <= 120.0 + 1e-6 for line in lines)
    assert " ".join(lines).split() == text.split()
    assert _wrap(doc, "", 120.0) == [""] and _wrap(doc, "one", 120.0) == ["one"]
