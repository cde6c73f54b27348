"""The grouped MSS pass (one pass over array slices, issue 15) gives the frames the loop per athlete
gave: `mss_table` and `mss_artefacts` equal in dtypes, order and values on the demo team on several
days, and on the benchmark's 160-athlete season with staff decisions and speeds above the ceiling.
The loop is frozen in tests/metrics/legacy_mss.py; `validated_mss` keeps its behaviour too."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmarks.metrics_bench import ON, season
from lib import store
from lib.core.settings import defaults
from lib.ingest.demo import load_demo
from lib.metrics.mss import mss_artefacts, mss_table, staff_decisions, validated_mss
from lib.readiness import Data
from lib.store.mss import COLUMNS, empty_decisions
from tests.metrics.legacy_mss import legacy_mss, legacy_validated_mss


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Data:
    engine = store.connect(Path(tmp_path_factory.mktemp("demo")) / "demo.sqlite")
    assert all(r.status == "imported" for r in load_demo(engine))
    data = Data.from_store(engine)
    store.dispose_all()
    return data


def with_decisions_and_glitches(data: Data) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The season's sessions with a few speeds above the 11 m/s ceiling, and staff decisions on
    some athletes' fastest sessions: confirm one, set aside another, a later decision overriding."""
    s = data.sessions.copy()
    glitch = s.index[::997]
    s.loc[glitch, "max_speed_ms"] = 11.5
    fastest = (s[s["max_speed_ms"] <= 11].sort_values("max_speed_ms", ascending=False, kind="stable")
               .groupby("athlete_id", sort=True).head(2))
    rows = []
    for k, r in enumerate(fastest.itertuples()):
        decision = ("confirm", "exclude", "confirm", "confirm")[k % 4]
        rows.append({"confirmation_id": k + 1, "athlete_id": r.athlete_id, "date": ON - pd.Timedelta(days=k % 30),
                     "decision": decision, "session_date": r.date, "max_speed_ms": float(r.max_speed_ms),
                     "source_file": r.source_file, "source_row": r.source_row, "reason": "video" if k % 3 else "",
                     "who": "physio", "at": ON})
    last = rows[-1]
    rows.append({**last, "confirmation_id": len(rows) + 1, "decision": "exclude", "date": ON})  # the latest wins
    return s, empty_decisions(pd.DataFrame(rows, columns=COLUMNS))


def assert_same(sessions: pd.DataFrame, on: pd.Timestamp, injuries: pd.DataFrame, decisions: pd.DataFrame | None) -> None:
    cfg = defaults()
    old_table, old_artefacts = legacy_mss(sessions, on, injuries, cfg, decisions)
    pd.testing.assert_frame_equal(mss_table(sessions, on, injuries, cfg, decisions), old_table, check_exact=True)
    pd.testing.assert_frame_equal(mss_artefacts(sessions, on, injuries, cfg, decisions), old_artefacts, check_exact=True)


@pytest.mark.parametrize("day", ["2026-11-23", "2026-10-01", "2026-06-30", "2025-12-31"])
def test_the_demo_team_gets_the_same_mss_and_artefacts(demo: Data, day: str) -> None:
    assert_same(demo.sessions, pd.Timestamp(day), demo.injuries, demo.mss_confirmations)


def test_a_160_athlete_season_gets_the_same_mss_and_artefacts() -> None:
    data = season(160, per=250)
    assert_same(data.sessions, ON, data.injuries, data.mss_confirmations)
    sessions, decisions = with_decisions_and_glitches(data)
    assert_same(sessions, ON, data.injuries, decisions)
    assert_same(sessions, ON - pd.Timedelta(days=60), data.injuries, decisions)  # before some injuries
    assert_same(sessions, ON, None, decisions)
    assert not mss_artefacts(sessions, ON, data.injuries, defaults(), decisions).empty


def test_validated_mss_keeps_its_behaviour() -> None:
    data = season(12, per=250)
    sessions, decisions = with_decisions_and_glitches(data)
    s = sessions.assign(_staff=staff_decisions(sessions, decisions, ON).to_numpy())
    injuries = data.injuries.set_index("athlete_id")["injury_date"]
    for athlete, g in s.groupby("athlete_id"):
        injury = injuries.get(athlete)
        for on in (ON, ON - pd.Timedelta(days=45)):
            g_on = g[g["date"] <= on]
            assert validated_mss(g_on, on, 11.0, injury) == legacy_validated_mss(g_on, on, 11.0, injury)
            assert validated_mss(g_on, on, 11.0) == legacy_validated_mss(g_on, on, 11.0)
    bare = s.drop(columns=["_staff", "source_file", "source_row"])  # the columns the rules may go without
    one = bare[bare["athlete_id"] == "A000"]
    assert validated_mss(one, ON, 11.0) == legacy_validated_mss(one, ON, 11.0)
    assert validated_mss(one.iloc[:0], ON, 11.0) == legacy_validated_mss(one.iloc[:0], ON, 11.0) == (None, [])


def test_sessions_without_an_athlete_are_left_out_as_before() -> None:
    data = season(12, per=250)
    sessions, decisions = with_decisions_and_glitches(data)
    sessions.loc[sessions.index[::50], "athlete_id"] = pd.NA
    assert_same(sessions, ON, data.injuries, decisions)
