"""The plans for the conditioning coach: one A4 page per returning athlete (PDF, deterministic,
the numbers of the plan on it) and the rehab group's CSV; the plan chart states its units and
draws the pre-injury lines; the page's view words each verdict."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from lib import store
from lib.charts.plan import plan_weeks_chart
from lib.core.settings import defaults
from lib.ingest.demo import load_demo
from lib.readiness import Data
from lib.reports import plan as plan_report
from lib.views import plan as view

ON = pd.Timestamp("2026-11-23")


@pytest.fixture(scope="module")
def last_week(tmp_path_factory: pytest.TempPathFactory) -> list:
    engine = store.connect(tmp_path_factory.mktemp("plan_report") / "demo.sqlite")
    load_demo(engine)
    plans = view.plan_group(Data.from_store(engine), ON.date(), defaults(), week="2026-W47")
    store.dispose_all()
    return plans


def pdf_text(pdf: bytes) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def test_one_page_per_athlete_with_the_plan_and_the_gps(last_week: list) -> None:
    pdf = plan_report.plans_pdf(last_week, ON.date(), defaults(), "All squads", chart=False)
    assert pdf == plan_report.plans_pdf(last_week, ON.date(), defaults(), "All squads", chart=False)  # deterministic
    pages = pdf_text(pdf)
    assert [p.split(" · ")[0].strip() for p in pages] == [p.name for p in last_week]
    kwame = next(t for t, p in zip(pages, last_week) if p.athlete_id == "RTS014")
    flat = " ".join(kwame.split())
    assert "Kwame Asante · 2026-W47" in flat
    assert "HSR 1180 m vs plan 513 m (+130%): over plan" in flat
    assert "90% MSS: bounds, reactive drills, change of direction" in flat  # the session suggestion of tier 4
    assert "Week: HSR 513 m" in flat


def test_the_pdf_carries_the_chart(last_week: list) -> None:
    pdf = plan_report.plans_pdf(last_week[:1], ON.date(), defaults(), "All squads")
    assert pdf.startswith(b"%PDF") and b"/Image" in pdf


def test_the_group_csv(last_week: list) -> None:
    text = plan_report.plans_csv(last_week).decode("utf-8-sig").splitlines()
    assert text[0].split(",") == plan_report.CSV_COLUMNS
    assert len(text) == 1 + 7 * len(last_week)
    kwame_wed = next(line for line in text if line.startswith("RTS014,") and ",2026-11-18," in line)
    assert ",147.0,25.0,90.0," in kwame_wed and kwame_wed.endswith(",over,over,over")


def test_the_chart_states_units_and_lines(last_week: list) -> None:
    p = next(x for x in last_week if x.athlete_id == "RTS011")
    chart = plan_weeks_chart(view.weekly_figures(p), view.load_lines(p, defaults()))
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    assert alt.Chart.from_dict  # noqa: B018 - the schema is there
    text = str(spec)
    assert "HSR (m/week)" in text and "pre-injury 2883 m/week" in text and "90% of pre-injury (full return)" in text


def test_the_overview_words_each_verdict(last_week: list) -> None:
    table = view.overview(last_week).set_index("athlete_id")
    assert table.loc["RTS014", "Against GPS"] == "HSR ▲ over +130% · sprint ▲ over +660%"
    assert table.loc["RTS005", "Against GPS"] == "HSR ▽ under -19% · sprint ▽ under -100%"
    assert table.loc["RTS011", "Plan"] == "saved"
    p = next(x for x in last_week if x.athlete_id == "RTS005")
    rows = view.actual_table(p)
    assert rows.iloc[2].to_dict() | {"Source rows": ""} == {
        "Day": "Wed 18 Nov", "Done": rows.iloc[2]["Done"], "HSR m": "74 of 71", "HSR": "● on plan",
        "Sprint m": "0 of 11", "Sprint": "▽ under", "Top speed": "74%", "Speed": "● on plan", "Source rows": ""}
