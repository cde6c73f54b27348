"""The weeks' acute:chronic peaks come from the ratios alone (`daily_ratios`, no bands, loads or
source rows built for them): cross-checked row by row against the peaks of the full `daily_acwr`,
as exposure_weeks computed them before, on the demo team and a 40-athlete season, both methods."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from lib import store
from lib.core.settings import Settings, defaults
from lib.readiness import Data
from lib.views import exposure as view
from lib.views.exposure_ratios import daily_ratios
from tests.test_charts_season import ON, season

METHODS = {"ewma": defaults(), "rolling": Settings(defaults() | {"acwr_method": "rolling"})}


@pytest.fixture(scope="module")
def teams(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Data, dt.date]]:
    from lib.ingest.demo import load_demo

    engine = store.connect(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    load_demo(engine)
    demo = Data.from_store(engine)
    store.dispose_all()
    return {"demo": (demo, dt.date(2026, 11, 23)), "season": (season(), ON)}


def _old_peaks(data: Data, as_of: dt.date, cfg: Settings) -> pd.DataFrame:
    daily = view.daily_acwr(data, as_of, cfg)
    peaks = (daily.assign(week_start=daily["date"] - pd.to_timedelta(daily["date"].dt.day_of_week, unit="D"))
             .pivot_table(index=["athlete_id", "week_start"], columns="load", values="ratio", aggfunc="max"))
    return peaks.rename(columns={n: f"{k}_acwr_peak" for k, n in view.LOAD_NAMES.items()})


@pytest.mark.parametrize("team", ["demo", "season"])
@pytest.mark.parametrize("method", list(METHODS))
def test_week_peaks_match_the_full_daily_ratio(teams: dict, team: str, method: str) -> None:
    data, as_of = teams[team]
    cfg = METHODS[method]
    weeks = view.exposure_weeks(data, as_of, cfg)
    old = _old_peaks(data, as_of, cfg).reindex(pd.MultiIndex.from_frame(weeks[["athlete_id", "week_start"]]))
    assert weeks["hsr_acwr_peak"].notna().any()
    for col in ("hsr_acwr_peak", "sprint_acwr_peak"):
        np.testing.assert_array_equal(weeks[col].to_numpy(float), old[col].to_numpy(float))


@pytest.mark.parametrize("team", ["demo", "season"])
def test_ratios_are_daily_acwrs(teams: dict, team: str) -> None:
    data, as_of = teams[team]
    full = view.daily_acwr(data, as_of, METHODS["ewma"])
    ratios = daily_ratios(view._sessions(data, view.ALL_SQUADS, as_of), as_of, METHODS["ewma"])
    ratios = ratios.sort_values(["athlete_id", "load", "date"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(ratios, full[["athlete_id", "date", "load", "ratio"]])


@pytest.mark.parametrize("team", ["demo", "season"])
def test_the_active_injuries_in_one_pass_are_active_injury_per_athlete(teams, team):
    from lib.readiness import active_injury

    data, as_of = teams[team]
    for day in (pd.Timestamp(as_of), pd.Timestamp(as_of) - pd.Timedelta(days=40)):
        batch = view._active_injuries(data.injuries, day)
        for aid in data.athletes["athlete_id"].astype(str):
            one = active_injury(data.injuries, aid, day)
            assert (batch.get(aid) is None) == (one is None), (team, aid, day)
            if one is not None:
                assert (batch[aid]["side"], batch[aid]["region"], batch[aid]["injury_date"]) == (
                    one["side"], one["region"], one["injury_date"])


def test_active_injuries_by_hand_the_latest_uncleared_one_on_the_day():
    day = pd.Timestamp("2026-11-10")
    injuries = pd.DataFrame({
        "athlete_id": ["A", "A", "B", "C"],
        "side": ["left", "right", "left", "left"],
        "region": ["hamstring", "calf", "calf", "quadriceps"],
        "injury_date": pd.to_datetime(["2026-09-01", "2026-10-20", "2026-11-11", "2026-10-01"]),
        "cleared_date": pd.to_datetime([None, None, None, "2026-11-10"]),
    })
    active = view._active_injuries(injuries, day)
    # A: two uncleared, the later (right calf) counts; B: injured after the day; C: cleared on the day
    assert set(active) == {"A"} and active["A"]["region"] == "calf" and active["A"]["side"] == "right"
