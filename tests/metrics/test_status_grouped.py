"""Exposure status's sorted-array passes (issue 15) give the frame the code before them gave:
`exposure_status` equal in dtypes, order and values to the copy frozen in
tests/metrics/legacy_status.py, on the demo team on several days and on benchmark seasons, both
acute:chronic methods, with and without injuries and staff MSS decisions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmarks.metrics_bench import ON, season
from lib import store
from lib.core.settings import Settings, defaults
from lib.ingest.demo import load_demo
from lib.metrics.exposure import exposure_status
from lib.readiness import Data
from tests.metrics.legacy_status import exposure_status as legacy_status
from tests.metrics.test_mss_grouped import with_decisions_and_glitches

METHODS = [defaults(), Settings(defaults() | {"acwr_method": "rolling"})]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Data:
    engine = store.connect(Path(tmp_path_factory.mktemp("demo")) / "demo.sqlite")
    assert all(r.status == "imported" for r in load_demo(engine))
    data = Data.from_store(engine)
    store.dispose_all()
    return data


def assert_same(sessions: pd.DataFrame, injuries: pd.DataFrame, on: pd.Timestamp,
                decisions: pd.DataFrame | None) -> None:
    for cfg in METHODS:
        pd.testing.assert_frame_equal(exposure_status(sessions, injuries, on, cfg, decisions),
                                      legacy_status(sessions, injuries, on, cfg, decisions), check_exact=True)


@pytest.mark.parametrize("day", ["2026-11-23", "2026-10-01", "2026-06-30", "2025-12-31", "2020-01-01"])
def test_the_demo_team_gets_the_same_status(demo: Data, day: str) -> None:
    assert_same(demo.sessions, demo.injuries, pd.Timestamp(day), demo.mss_confirmations)


def test_one_athlete_of_the_demo_team_gets_the_same_status(demo: Data) -> None:
    # the athlete page's call: one athlete's sessions and injuries
    athlete = str(demo.injuries["athlete_id"].iloc[0])
    assert_same(demo.sessions[demo.sessions["athlete_id"] == athlete],
                demo.injuries[demo.injuries["athlete_id"] == athlete], pd.Timestamp("2026-11-23"),
                demo.mss_confirmations)


def test_a_160_athlete_season_gets_the_same_status() -> None:
    data = season(160, per=250, tiers=True)
    assert_same(data.sessions, data.injuries, ON, data.mss_confirmations)
    sessions, decisions = with_decisions_and_glitches(data)
    assert_same(sessions, data.injuries, ON, decisions)
    assert_same(sessions, data.injuries, ON - pd.Timedelta(days=60), decisions)  # before some injuries
    assert_same(sessions, data.injuries.iloc[:0], ON, decisions)
    blank = sessions.copy()
    blank.loc[blank.index[::41], "max_speed_ms"] = pd.NA
    blank.loc[blank.index[::37], "hsr_distance_m"] = pd.NA
    assert_same(blank, data.injuries, ON, decisions)
