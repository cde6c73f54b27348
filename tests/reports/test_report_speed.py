"""What makes the reports fast changes no byte of them (issue 15, item 4): the report font parsed
once per process (lib.reports.fonts) gives the PDF fpdf2's own `add_font` gives; the board's
thresholds block wrapped by summed word widths fits its width and keeps every word. Timings are
for benchmarks/report_bench.py, never for a test."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

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


def _drawn_in_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report as it was drawn before lib.reports.render and lib.reports.cache: every chart built,
    converted and placed in turn by fpdf2 itself, nothing kept."""
    from lib.reports import athlete, cache, pdf, render

    monkeypatch.setattr(athlete, "chart", lambda builder, args, w, h=None: render.Chart(
        pdf.chart_png(builder(*args), w, h)))
    monkeypatch.setattr(cache, "place_image", lambda doc, png, x, y, w, h: doc.image(io.BytesIO(png), x=x, y=y, w=w, h=h))
    pdf._png.cache_clear()


def test_kept_charts_and_images_give_the_same_report(demo, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """A report drawn from the kept chart images and decoded images (or with its images drawn and
    decoded in the image threads) is the report drawn in line from nothing."""
    from lib.reports import cache, pdf

    data, board = demo
    cache._charts.clear()
    cache._images.clear()
    pdf._png.cache_clear()
    first = athlete_pdf(data, "RTS014", ON, defaults(), board=board)
    assert len(cache._charts) == 6 and len(cache._images) == 6
    again = athlete_pdf(data, "RTS014", ON, defaults(), board=board)
    other = athlete_pdf(data, "RTS020", ON, defaults(), board=board)
    _drawn_in_line(monkeypatch)
    assert athlete_pdf(data, "RTS014", ON, defaults(), board=board) == first == again
    assert athlete_pdf(data, "RTS020", ON, defaults(), board=board) == other


def test_images_drawn_beside_the_layout_give_the_report_drawn_in_line(demo, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """Cross-check on the demo team: athletes of every status, with the board given and without,
    pseudonymised; each drawn from nothing in the image threads, then in line."""
    from lib.reports import cache, pdf

    data, board = demo
    ids = [str(board.loc[board["status"] == s, "athlete_id"].iloc[0]) for s in ("red", "amber", "green", "grey")
           if (board["status"] == s).any()]
    calls = [(a, {"board": board}) for a in ids] + [(ids[0], {}), (ids[-1], {"mode": "codes", "key": b"k"})]
    drawn = []
    for a, kw in calls:
        cache._charts.clear()
        cache._images.clear()
        pdf._png.cache_clear()
        drawn.append(athlete_pdf(data, a, ON, defaults(), **kw))
    _drawn_in_line(monkeypatch)
    assert [athlete_pdf(data, a, ON, defaults(), **kw) for a, kw in calls] == drawn


def test_a_chart_that_fails_raises_where_the_report_asks_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from lib.reports import pdf, render

    def broken() -> object:
        raise ValueError("no chart")

    with pytest.raises(ValueError, match="no chart"):
        render.chart(broken, (), 90.0)

    def fails(spec_json: str) -> bytes:
        raise RuntimeError("vl-convert failed")

    monkeypatch.setattr(pdf, "_png", fails)
    from lib.charts.athlete import empty_chart

    pending = render.chart(empty_chart, ("a note that is never drawn elsewhere",), 90.0)
    with pytest.raises(RuntimeError, match="vl-convert failed"):
        pending.png()


def test_the_converter_starts_once_and_only_when_a_report_is_asked_for() -> None:
    code = ("import sys, lib.reports.render as r; print(r._pool is None); r.start_converter(); "
            "p = r._pool; r.start_converter(); p.shutdown(wait=True); print(r._pool is p, r._started)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.split() == ["True", "True", "True"]


@pytest.mark.parametrize(("a", "b", "same"), [
    (pd.DataFrame({"x": [1.0, 2.0]}), pd.DataFrame({"x": [1.0, 2.0]}), True),
    (pd.DataFrame({"x": [1.0, 2.0]}), pd.DataFrame({"x": [1.0, 2.5]}), False),  # another value
    (pd.DataFrame({"x": [1.0, 2.0]}), pd.DataFrame({"y": [1.0, 2.0]}), False),  # another column
    (pd.DataFrame({"x": [1, 2]}), pd.DataFrame({"x": [1.0, 2.0]}), False),  # another dtype
    ({"acwr_high": 1.3}, {"acwr_high": 1.4}, False),  # another setting
    ({"a": 1, "b": 2}, {"b": 2, "a": 1}, True),
])
def test_a_chart_is_kept_by_the_content_it_was_given(a: object, b: object, same: bool) -> None:
    from lib.reports.cache import fingerprint

    assert (fingerprint((a,)) == fingerprint((b,))) is same


def _altair_threshold(value: float, label: str, source: str, axis: str = "y", side: str = "middle") -> object:
    """The threshold line as Altair's chained methods build it (lib.charts.threshold_rule before it
    gave its marks and channels as dicts)."""
    import altair as alt

    from lib.charts import LABEL_BASELINES, THRESHOLD_COLOR, wrap

    data = pd.DataFrame({"value": [value], "label": [label], "source": [source]})
    tooltip = [alt.Tooltip("label:N", title="threshold"), alt.Tooltip("source:N", title="source")]
    if axis != "y":
        enc = {"x": alt.X("value:Q")}
        line = alt.Chart(data).mark_rule(strokeDash=[6, 4], color=THRESHOLD_COLOR, size=1.5).encode(**enc, tooltip=tooltip)
        text = alt.Chart(data).mark_text(align="left", dx=4, y=6, color=THRESHOLD_COLOR, fontSize=12).encode(
            **enc, text="label:N")
        return line + text
    line = alt.Chart(data).mark_rule(strokeDash=[6, 4], color=THRESHOLD_COLOR, size=1.5).encode(
        y=alt.Y("value:Q"), tooltip=tooltip)
    text = alt.Chart(data.assign(lines="\n".join(wrap(label)))).mark_text(
        align="left", dx=6, baseline=LABEL_BASELINES[side], color=THRESHOLD_COLOR, fontSize=12, lineHeight=13,
        lineBreak="\n").encode(x=alt.value("width"), y=alt.Y("value:Q"), text="lines:N", tooltip=tooltip)
    return line + text


@pytest.mark.parametrize("args", [(90.0, "hop pass LSI ≥ 90%", "Noyes 1991"), (1.3, "high", "Gabbett 2016", "x"),
                                  (5.0, "stop above 5/10", "Silbernagel 2007", "y", "above"),
                                  (2.0, "safe up to 2/10", "Silbernagel 2007", "y", "below")])
def test_the_threshold_line_is_altairs_own_spec(args: tuple) -> None:
    from lib.charts import spec, threshold_rule

    assert spec(threshold_rule(*args)) == spec(_altair_threshold(*args))
