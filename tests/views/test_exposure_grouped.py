"""The daily acute:chronic of every athlete in one grouped pass (issue 15, the exposure page's first
visit) gives the frame the loop per athlete gave, value for value: on the demo team and on the
benchmark's season, for both acute:chronic methods, with and without the detail columns. The loop
is frozen here as it was (lib.views.exposure at commit 2cc7180)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from benchmarks.metrics_bench import ON, season
from lib.core.settings import Settings, defaults
from lib.metrics.exposure import acwr_ewma, acwr_rolling, daily_load
from lib.readiness import Data
from lib.views.exposure_ratios import LOAD_NAMES, daily_ratios


def legacydaily_ratios(sessions: pd.DataFrame, as_of: dt.date, cfg: Settings, detail: bool = False) -> pd.DataFrame:
    daily = daily_load(sessions, pd.Timestamp(as_of))
    if daily.empty:
        return pd.DataFrame(columns=["athlete_id", "date", "load", "ratio"])
    ratio_fn = acwr_rolling if cfg["acwr_method"] == "rolling" else acwr_ewma
    frames = []
    for athlete, d in daily.groupby("athlete_id", sort=True):
        d = d.sort_values("date").reset_index(drop=True)
        coverage = d["on_record"].astype(int).rolling(28, min_periods=1).sum()
        enough = coverage >= cfg.num("coverage_days")
        for load, name in LOAD_NAMES.items():
            series = d[load].astype(float)
            frame = {"athlete_id": str(athlete), "date": d["date"], "load": name,
                     "ratio": ratio_fn(series.where(d["on_record"].astype(bool))).where(enough)}
            if detail:
                frame.update({
                    "acute_m": series.rolling(7, min_periods=1).sum(),
                    "chronic_week_m": series.rolling(28, min_periods=1).sum() / 4,
                    "coverage_days": coverage.astype(int), "sessions": d["sessions"].astype(int)})
            frames.append(pd.DataFrame(frame))
    return pd.concat(frames, ignore_index=True)



@pytest.mark.parametrize("method", ["ewma", "rolling"])
@pytest.mark.parametrize("detail", [False, True])
def test_the_grouped_pass_is_the_loop_per_athlete(demo: Data, method: str, detail: bool) -> None:
    cfg = Settings(defaults() | {"acwr_method": method})
    for data, day in ((demo, dt.date(2026, 11, 23)), (demo, dt.date(2026, 10, 1)), (season(12, per=250), ON.date())):
        old = legacydaily_ratios(data.sessions, day, cfg, detail)
        new = daily_ratios(data.sessions, day, cfg, detail)
        assert len(new) > 100
        pd.testing.assert_frame_equal(new, old, check_exact=True)


def test_no_session_gives_the_empty_frame() -> None:
    empty = season(2, per=250).sessions.iloc[0:0]
    assert list(daily_ratios(empty, ON.date(), defaults()).columns) == ["athlete_id", "date", "load", "ratio"]
