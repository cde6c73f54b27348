"""The tier timeline's today (issue 16): today's recorded tier and, when the board proposes another
tier, the proposed one as its own row and point, both read from the board row that the athlete
page's header tile and the board show (one source per number). Hand-worked on the demo team's
testing day (Mon 23 Nov 2026), from the demo's recorded tier changes (lib/ingest/demo.py) and its
roster (sample_data/roster.xlsx)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from lib import privacy, store
from lib.charts import athlete as charts
from lib.charts import spec
from lib.core.settings import defaults
from lib.ingest.demo import load_demo
from lib.readiness import Data, readiness_board
from lib.views import athlete as view
from lib.views import board_table

ON = dt.date(2026, 11, 23)
NOTE = "proposed, not yet confirmed by medical staff"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Data, pd.DataFrame]:
    engine = store.connect(Path(tmp_path_factory.mktemp("timeline")) / "demo.sqlite")
    load_demo(engine)
    data = privacy.data_for(engine, "medical")
    board = readiness_board(data, pd.Timestamp(ON), defaults())
    store.dispose_all()
    return data, board


def _rows(timeline: pd.DataFrame) -> list[tuple[str, str, float | None, str]]:
    return [(f"{r['date']:%Y-%m-%d}", r["event"], None if pd.isna(r["tier"]) else r["tier"], r["kind"])
            for r in timeline.to_dict("records")]


def test_kwame_today_is_his_recorded_tier_4_and_the_proposed_step_back_to_1(demo) -> None:  # noqa: ANN001
    """Kwame Asante (RTS014): left rectus femoris strain on 16 Sep; tier 1 on 17 Sep, 2 on 7 Oct, 3 on
    21 Oct, 4 on 16 Nov (demo physio). Pain 6/10 on the testing day is a stop: the board proposes
    tier 1, which no one has confirmed, so today he is still at tier 4."""
    data, board = demo
    row = view.board_row(board, "RTS014")
    timeline = view.tier_timeline(data, "RTS014", row, ON)
    assert _rows(timeline) == [
        ("2026-09-16", "injury", None, "injury"),
        ("2026-09-17", "tier 1", 1.0, "recorded"),
        ("2026-10-07", "tier 2", 2.0, "recorded"),
        ("2026-10-21", "tier 3", 3.0, "recorded"),
        ("2026-11-16", "tier 4", 4.0, "recorded"),
        ("2026-11-23", "today: tier 4", 4.0, "today"),
        ("2026-11-23", "proposed: tier 1", 1.0, "proposed"),
    ]
    assert timeline["detail"].tolist()[0] == "left quadriceps: Rectus femoris strain, grade 2"
    assert timeline["who"].tolist()[1:5] == ["demo physio"] * 4
    assert timeline["detail"].iloc[-1] == f"{NOTE} (Step back: stop: tier 1 until it settles)"
    assert timeline["source"].iloc[-1] == timeline["source"].iloc[-2] == "readiness board"
    # the header tile and the board's tier cell say the same current -> proposed
    assert view.athlete_header(row)["tier"] == "4 → 1"
    shown = board_table(board, defaults()).set_index("Athlete").loc["Kwame Asante"]
    assert str(shown["Tier"]).startswith("4 → 1")


def test_the_chart_draws_today_and_the_proposal_as_different_points(demo) -> None:  # noqa: ANN001
    data, board = demo
    chart = spec(charts.tier_chart(view.tier_timeline(data, "RTS014", view.board_row(board, "RTS014"), ON)))
    points = [r for rows in chart["datasets"].values() for r in rows if "marker" in r]
    today = [(r["event"], r["tier"], r["marker"]) for r in points if r["date"].startswith("2026-11-23")]
    assert today == [("today: tier 4", 4.0, "recorded tier"),
                     ("proposed: tier 1", 1.0, "proposed tier, not yet confirmed by medical staff")]
    steps = [r for rows in chart["datasets"].values() for r in rows if "tier_to" in r]
    assert [(r["tier"], r["tier_to"]) for r in steps] == [(4.0, 1.0)]  # the dashed step the board proposes


@pytest.mark.parametrize(("aid", "today", "proposed"), [
    ("RTS011", "today: tier 4", "proposed: tier 5"),  # Mateus Oliveira: every tier-5 criterion met, green
    ("RTS020", "today: tier 3", None),  # Finn Murphy: a hold proposes nothing
    ("RTS005", "today: tier 3", None),  # Liam O'Connor: a hold
])
def test_the_other_returning_athletes(demo, aid: str, today: str, proposed: str | None) -> None:  # noqa: ANN001
    data, board = demo
    row = view.board_row(board, aid)
    events = view.tier_timeline(data, aid, row, ON)["event"].tolist()
    assert events[-1 if proposed is None else -2] == today
    assert (events[-1] if proposed else None) == proposed
    recorded, offered = view.recorded_and_proposed(row)
    assert view.athlete_header(row)["tier"] == f"{recorded}" + (f" → {offered}" if offered else "")
