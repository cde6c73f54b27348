"""The Plan page on the demo team (AppTest): the rehab group's week, an athlete's days in a table
editor, a spiking edit flagged before it is saved, the save (who and when, audit-logged), and the
roles: a coach may edit and save plans, only medical staff change tiers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lib import privacy, store
from lib.store.saved_plans import read_plans
from tests.apptest import demo_store, fresh_caches, main_selectbox, open_page, press, store_copy


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fresh_caches()
    return demo_store(tmp_path_factory.mktemp("plan_page") / "demo.sqlite")


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Iterator[Path]:
    yield from store_copy(template, tmp_path)


def test_the_rehab_groups_week(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(db, monkeypatch, "pages/plan.py")
    assert at.title[0].value == "Weekly plan · 2026-W48"
    table = at.dataframe[0].value.set_index("athlete_id")
    assert set(table.index) == {"RTS011", "RTS005", "RTS014", "RTS020"}  # the returning athletes
    assert table.loc["RTS014", "Tier"] == "1 · ≤ 60% MSS"  # stop: tier 1 until it settles
    assert table.loc["RTS011", "HSR m"] == 660 and table.loc["RTS011", "Against GPS"] == "no GPS yet"
    assert [b.label for b in at.get("download_button")][:2] == ["Plans of the rehab group (PDF)", "Plans of the rehab group (CSV)"]
    assert len(at.get("download_button")) == 4  # and the chosen athlete's week, PDF and CSV
    assert len(at.get("vega_lite_chart")) == 1


def test_last_weeks_plan_against_the_gps(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(db, monkeypatch, "pages/plan.py")
    at.selectbox(key="plan_week").set_value("2026-W47").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("athlete_id")
    assert table.loc["RTS014", "Against GPS"] == "HSR ▲ over +130% · sprint ▲ over +660%"
    assert table.loc["RTS005", "Against GPS"] == "HSR ▽ under -19% · sprint ▽ under -100%"
    assert table.loc["RTS011", "Against GPS"] == "HSR ● on plan -1% · sprint ● on plan +0%"
    main_selectbox(at, "Athlete").set_value("RTS014").run()
    shown = " ".join(m.value for m in at.markdown)
    assert "HSR 1180 m vs plan 513 m (+130%): over plan" in shown.replace("\\", "")


@pytest.mark.parametrize("role", ["coach", "medical"])
def test_edit_flag_and_save(db: Path, monkeypatch: pytest.MonkeyPatch, role: str) -> None:
    monkeypatch.setenv(privacy.LOCAL_ROLE_ENV, role)
    at = open_page(db, monkeypatch, "pages/plan.py")
    main_selectbox(at, "Athlete").set_value("RTS011").run()
    assert at.success[0].value.startswith("Spike-safe")  # the proposal is spike-safe
    # the tier is the medical staff's: a coach is told so, and no page offers them a tier change
    caption = " ".join(c.value for c in at.caption)
    if role == "coach":
        assert "Only medical staff change tiers" in caption
    else:
        assert "Record a tier change on the Athlete page" in caption
    [editor] = at.data_editor
    assert list(editor.value.columns) == ["Day", "Session", "HSR m", "Sprint m", "Top % MSS"]
    assert editor.value["HSR m"].tolist() == [0, 94, 189, 94, 189, 94, 0]  # the proposal, every role may edit it
    editor_key = next(k for k in at.session_state if str(k).startswith("plan_edit:RTS011"))
    at.session_state[editor_key] = {"edited_rows": {2: {"HSR m": 600}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    warning = at.warning[0].value
    assert "The board would flag this week" in warning and "HSR 1071 m vs 604 m last week (+77%)" in warning
    press(at, "Save plan")
    engine = store.connect(db)
    plans = read_plans(engine)
    last = plans.iloc[-1]
    assert (last["athlete_id"], last["week"], last["saved_by"]) == ("RTS011", "2026-W48", "local")
    log = privacy.read_audit(engine, "admin")
    assert (log["action"] == "plan saved").any()
    assert not privacy.can(role, "record_tier") if role == "coach" else privacy.can(role, "record_tier")


@pytest.mark.parametrize("team", ["demo", "season"])
def test_plans_on_the_cached_board_are_the_plans_of_their_own_board(team: str, template: Path) -> None:
    """The page plans on the board ui.board() has cached (group_plans(board=...)) instead of
    computing one: the same plans, JSON text for JSON text, for last week, the plan week and the
    week after, on the demo team and a synthetic season."""
    import datetime as dt
    import json

    import pandas as pd

    from benchmarks.metrics_bench import ON, season
    from lib.core.settings import defaults
    from lib.readiness import Data, readiness_board
    from lib.views import plan as view

    if team == "demo":
        data, as_of = Data.from_store(store.connect(template)), dt.date(2026, 11, 23)
        store.dispose_all()
    else:
        data, as_of = season(40, per=120), ON.date()
    cfg = defaults()
    board = readiness_board(data, pd.Timestamp(as_of), cfg)
    for week in view.week_choices(as_of):
        own = view.plan_group(data, as_of, cfg, week=week)
        given = view.plan_group(data, as_of, cfg, week=week, board=board)
        assert own, week

        def text(plans: list) -> list[str]:
            return [json.dumps({**p.as_json(), "projected": p.projected}, sort_keys=True, default=repr) for p in plans]
        assert text(given) == text(own), week
