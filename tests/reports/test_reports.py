"""Staff-meeting reports on the demo team (testing day 2026-11-23): the one-page board (PDF, PNG) and
the athlete's return-to-speed report, read back as text; deterministic bytes; black-and-white cues;
pseudonymised reports without a single real name; the command-line entry."""

from __future__ import annotations

import argparse
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pypdfium2 as pdfium
import pytest
from PIL import Image

from lib import store
from lib.ingest.demo import load_demo
from lib.store.notes import add_note, notes
from lib.privacy.pseudonym import athlete_code, store_key
from lib.readiness import Data, readiness_board
from lib.cli.report import add_arguments, main_report
from lib.reports import (STATUS_TINTS, Font, athlete_pdf, board_pdf, board_png, pdf_page_png, printable,
                         threshold_lines, wellness_summary)
from lib.core.settings import defaults
from lib.metrics.exposure import ACWR_CAVEAT
from lib.views import board_counts
from lib.views.exposure import exposure_table

ON = dt.date(2026, 11, 23)
FORMULA_NOTE = '=HYPERLINK("http://x","click")'
OUT = Path(__file__).resolve().parents[2] / "test-output" / "reports"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Data, pd.DataFrame]:
    engine = store.connect(tmp_path_factory.mktemp("demo") / "rts.sqlite")
    load_demo(engine)
    add_note(engine, "RTS014", ON, FORMULA_NOTE, "Coach")
    add_note(engine, "RTS014", ON - dt.timedelta(days=1), "Felt the left quad after MD-2; physio review Monday.",
             "Dr Costa")
    data = Data.from_store(engine)
    yield engine, data, readiness_board(data, pd.Timestamp(ON), defaults())
    store.dispose_all()


def pages(pdf: bytes) -> list[str]:
    """The text of every page, as PDFium reads it."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].get_textpage().get_text_bounded() for i in range(len(doc))]
    finally:
        doc.close()


def metadata(pdf: bytes) -> dict[str, str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc.get_metadata_dict()
    finally:
        doc.close()


def keep(name: str, pdf: bytes) -> None:
    """Leave the PDF in test-output/reports/ for a person to look at (pdftoppm turns it into PNG)."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / name).write_bytes(pdf)


# ------------------------------------------------------------------------------------ board

def test_board_pdf_is_one_page_with_date_team_board_counts_and_thresholds(demo: tuple) -> None:
    _, data, board = demo
    pdf = board_pdf(data, ON, defaults(), "First team", board=board)
    keep("board_demo.pdf", pdf)
    text = pages(pdf)
    assert len(text) == 1
    page = " ".join(text[0].split())
    assert "Readiness board · Mon 23 Nov 2026" in page and "First team · 25 athletes" in page
    counts = board_counts(board)
    assert counts == {"red": 1, "amber": 2, "green": 20, "grey": 2}
    assert "1 step back" in page and "2 hold" in page and "20 ready" in page and "2 no data" in page
    # the recorded tier and, beside it, the proposed one (4 -> 1: a stop; 4 -> 5: a move up to confirm)
    # and the acute:chronic HSR, the exposure page's figure and band word (– : too few GPS days)
    for line in ("Step back Kwame Asante First team Striker 4 → 1 68 0.94 typical stop: tier 1 until it settles "
                 "pain 6/10 > 5/10",
                 "Hold Liam O'Connor First team Full Back 3 55 0.68 under-loaded hold at tier 3 pain 3/10 > 2/10",
                 "Ready Mateus Oliveira First team Winger 4 → 5 61 0.82 typical progress to tier 5 all next-tier criteria met",
                 "No data Arjun Mehta U23 Full Back – collect data before deciding GPS on 16 of the last 28 days < 21"):
        assert line in page
    shown = exposure_table(data, ON, defaults()).set_index("name")["A:C HSR"]
    for name in ("Kwame Asante", "Liam O'Connor", "Mateus Oliveira", "Aleksander Nowak"):  # one figure, both places
        assert shown[name].split(" ", 1)[1] in page.split(f"{name} ", 1)[1][:80], name
    assert "Thresholds used (team settings of First team; * = changed from the default)" in page
    assert ("Acute:chronic: the A:C HSR column is context, never by itself a reason to step back "
            "(– : too few GPS days or no chronic load): " + ACWR_CAVEAT.rstrip(".")) in page
    assert "Hop test pass (LSI) 90%" in page and "Pain: safe up to 2/10; stop above 5/10" in page and "Near-max effort from 90% MSS" in page
    meta = metadata(pdf)
    assert meta["CreationDate"] == "D:20261123000000Z" and meta["Title"] == "Readiness board 2026-11-23 · First team"


def test_board_order_and_black_and_white_cues(demo: tuple) -> None:
    _, data, board = demo
    page = " ".join(pages(board_pdf(data, ON, defaults(), board=board))[0].split())
    # red first, then amber, no data, ready; each status a word (the shape and tint are drawn beside it)
    assert (page.index("Step back Kwame Asante") < page.index("Hold Liam O'Connor") < page.index("No data Arjun Mehta")
            < page.index("Ready Aleksander Nowak"))
    assert "▼ Step back: regression" in page and "■ Hold: stay at the current tier" in page
    # the tints differ in grey when printed in black and white: red darkest, then amber, then green
    grey = {s: 0.299 * int(c[1:3], 16) + 0.587 * int(c[3:5], 16) + 0.114 * int(c[5:7], 16)
            for s, c in STATUS_TINTS.items()}
    assert round(grey["red"]) == 183 and round(grey["amber"]) == 203 and round(grey["green"]) == 240
    assert grey["red"] + 15 < grey["amber"] < grey["green"] - 15  # no data: white, hatched


def test_changed_threshold_is_marked(demo: tuple) -> None:
    _, data, board = demo
    cfg = defaults()
    cfg["hop_lsi_pass"] = 85.0
    assert ("Hop battery", "Hop test pass (LSI) 85%*") in threshold_lines(cfg)
    page = " ".join(pages(board_pdf(data, ON, cfg, board=board))[0].split())
    assert "Hop test pass (LSI) 85%*" in page and "Thresholds used (team settings; * = changed" in page


def test_board_for_40_athletes_fits_one_page_and_more_continue(demo: tuple) -> None:
    _, data, board = demo
    many = pd.concat([board.assign(athlete_id=board["athlete_id"] + f"-{i}", name=board["name"] + f" {i}")
                      for i in range(4)], ignore_index=True)
    assert len(pages(board_pdf(data, ON, defaults(), board=many.iloc[:40]))) == 1
    text = pages(board_pdf(data, ON, defaults(), board=many))  # 100 athletes
    assert len(text) >= 2 and "(continued)" in text[1]
    assert sum(t.count("Step back") for t in text) == 4 + 1  # four red rows and the legend


def test_board_is_the_same_bytes_twice_and_png_is_a4(demo: tuple) -> None:
    _, data, board = demo
    first = board_pdf(data, ON, defaults(), "First team", board=board)
    assert board_pdf(data, ON, defaults(), "First team", board=board) == first
    png = board_png(data, ON, defaults(), "First team", board=board)
    assert png == pdf_page_png(first)
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and im.size == (1754, 1241)  # A4 landscape (297 x 210 mm) at 150 dpi
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "board_demo.png").write_bytes(png)


def test_pseudonymised_board_has_no_real_name(demo: tuple) -> None:
    engine, data, board = demo
    key = store_key(engine)
    for mode in ("initials", "codes"):
        pdf = board_pdf(data, ON, defaults(), team="First team", mode=mode, key=key, board=board)
        page = pages(pdf)[0]
        for name in data.athletes["name"]:
            for part in str(name).replace("'", " ").split():
                if len(part) > 2:
                    assert part not in page, (mode, part)
        assert f"pseudonymised: {'initials' if mode == 'initials' else 'athlete codes'} for names" in page
        assert ("K.A." if mode == "initials" else athlete_code("RTS014", key)) in page
        assert "Kwame" not in metadata(pdf)["Title"]


# ------------------------------------------------------------------------------------ athlete

def test_red_athlete_report(demo: tuple) -> None:
    engine, data, board = demo
    pdf = athlete_pdf(data, "RTS014", ON, defaults(), notes(engine, "RTS014"), "First team", board=board)
    keep("athlete_RTS014.pdf", pdf)
    text = pages(pdf)
    assert len(text) == 2
    one, two = (" ".join(t.split()) for t in text)
    assert one.startswith("Kwame Asante Return-to-speed report as of Mon 23 Nov 2026 Striker · First team")
    assert "Step back: stop: tier 1 until it settles" in one
    assert ("Tier 4 → 1 (90% MSS) · how it was set: recorded 2026-11-16 by demo physio: hop LSI 91-92%: cleared for "
            "90% MSS") in one
    assert "Injury: left quadriceps: Rectus femoris strain, grade 2 · injured Wed 16 Sep 2026 · day 68 since injury" in one
    assert "▼ pain 6/10 > 5/10 Silbernagel 2007" in one and "▼ swelling reported after the session" in one
    assert "✗ NOT MET triple-hop LSI 80.1% ≥ 90%" in one
    assert "Wellness against the athlete's own 28-day mean" in one and "mood (higher is better) 2 on 23 Nov 3.8 +2.3" in one
    assert "Kwame Asante: symmetry, hop battery and exposure" in two
    assert "single hop distance (cm) 23 Nov 2026 81.0% ✗ BELOW 90%" in two
    assert "Days since ≥ 90% MSS: 5" in two and "they do not predict injury" in two
    assert f"Mon 23 Nov 2026 · Coach: {FORMULA_NOTE}" in two and "Dr Costa: Felt the left quad" in two
    assert metadata(pdf)["CreationDate"] == "D:20261123000000Z"


def test_amber_athlete_report_same_bytes_twice(demo: tuple) -> None:
    engine, data, board = demo
    args = (data, "RTS005", ON, defaults(), notes(engine, "RTS005"), "First team", None, b"", board)
    pdf = athlete_pdf(*args)
    assert athlete_pdf(*args) == pdf  # same data: same bytes, charts included
    keep("athlete_RTS005.pdf", pdf)
    assert len(pages(pdf)) == 2
    text = " ".join(" ".join(pages(pdf)).split())
    for line in ("Liam O'Connor", "Hold: hold at tier 3", "Injury: left calf",
                 "✗ NOT MET single-hop LSI 88.0% ≥ 90%", "✗ NOT MET triple-hop LSI 85.6% ≥ 90%",
                 "– not tested involved-limb calf raises not tested ≥ 30 reps", "No notes on record."):
        assert line in text


def test_pseudonymised_athlete_report_has_no_real_name(demo: tuple) -> None:
    engine, data, board = demo
    key = store_key(engine)
    pdf = athlete_pdf(data, "RTS011", ON, defaults(), notes(engine, "RTS011"), "First team", "initials", key, board)
    keep("athlete_RTS011_initials.pdf", pdf)
    text = " ".join(" ".join(pages(pdf)).split())
    for name in data.athletes["name"]:
        for part in str(name).replace("'", " ").split():
            if len(part) > 2:
                assert part not in text, part
    assert text.startswith("M.O. Return-to-speed report") and "Ready: progress to tier 5" in text
    assert "✓ met involved-limb Nordic force 414 N ≥ 337 N Timmins 2016" in text
    assert "Nordic max force (N) 23 Nov 2026 99.8% ✓ pass 90% 95% 98%" in text
    assert "Biceps femoris" not in text and "right hamstring: withheld (pseudonymised)" in text
    assert "Notes are withheld in a pseudonymised report" in text
    assert "Mateus" not in metadata(pdf)["Title"] and "M.O." in metadata(pdf)["Title"]


def test_unknown_athlete() -> None:
    data = Data(*(pd.DataFrame({"athlete_id": pd.Series(dtype=str)}) for _ in range(6)))
    with pytest.raises(KeyError, match="nobody"):
        athlete_pdf(data, "nobody", ON, defaults())


# ------------------------------------------------------------------------------------ pieces

@pytest.mark.parametrize("text, core, unicode", [
    ("≥ 90%", ">= 90%", "≥ 90%"),
    ("✓ met · ✗ NOT MET", "yes met · no NOT MET", "✓ met · ✗ NOT MET"),  # · is Latin-1
    ("Łukasz Żurek", "Lukasz Zurek", "Łukasz Żurek"),
    ("José Martínez", "José Martínez", "José Martínez"),  # Latin-1 is in the core font
    ("王伟", "??", "??"),  # no glyph in either: a question mark, never a crash
])
def test_printable_spells_out_what_a_font_lacks(text: str, core: str, unicode: str) -> None:
    assert printable(text, Font("helvetica", None, None, None)) == core
    latin = frozenset(range(32, 0x250)) | {ord(c) for c in "≥✓✗·"}
    assert printable(text, Font("report", "x.ttf", "x.ttf", latin)) == unicode


def test_board_without_a_unicode_font(demo: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with no TrueType font: the PDF core font, symbols spelt out, shapes still drawn."""
    import lib.reports as reports

    _, data, board = demo
    monkeypatch.setattr(reports.pdf, "report_font", lambda: Font("helvetica", None, None, None))
    page = " ".join(pages(board_pdf(data, ON, defaults(), board=board))[0].split())
    assert "Step back Kwame Asante" in page and "v Step back: regression" in page
    assert "Readiness board · Mon 23 Nov 2026" in page and "José Martínez" in page  # Latin-1 stays


def test_wellness_summary_hand_worked() -> None:
    day = pd.Timestamp(ON)
    well = pd.DataFrame({
        "date": [day - pd.Timedelta(days=20), day - pd.Timedelta(days=3), day - pd.Timedelta(days=1), day],
        "item": ["sleep"] * 4, "label": ["sleep (higher is better)"] * 4, "value": [4.0, 2.0, 4.0, 3.0],
        "scale": ["1-5"] * 4, "baseline_mean": [None, 4.0, 3.5, 3.6], "bad_z": [None, 2.5, 0.1, 1.2],
        "past_hold": [False, True, False, True],
    })
    out = wellness_summary(well, ON, defaults()).iloc[0].to_dict()
    # latest answer 3 (own mean 3.6, z +1.2); of the 3 answers in the last 14 days, 2 past the hold line
    assert (out["value"], out["baseline_mean"], out["bad_z"], out["past_hold_days"], out["answers"]) == (3.0, 3.6, 1.2, 2, 3)
    assert wellness_summary(well.iloc[0:0], ON, defaults()).empty


# ------------------------------------------------------------------------------------ command line

def test_main_report(demo: tuple, tmp_path: Path) -> None:
    engine, _, _ = demo
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    add_arguments(parser)
    db = str(engine.url.database)
    out = tmp_path / "board.pdf"
    assert main_report(parser.parse_args(["--db", db, "board", "--on", "2026-11-23", "-o", str(out)])) == 0
    assert "Readiness board · Mon 23 Nov 2026" in pages(out.read_bytes())[0]
    assert main_report(parser.parse_args(["--db", db, "athlete", "-o", str(out)])) == 2  # no athlete id
    assert main_report(parser.parse_args(["--db", db, "athlete", "RTS014", "-o", str(tmp_path / "x.png")])) == 2
