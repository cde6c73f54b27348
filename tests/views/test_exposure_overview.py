"""The exposure page's tables from one pass (issue 15, the exposure page's first visit): the MSS rules
and the daily loads computed once and handed to every table give what each table computes alone,
frame for frame, on the demo team (three dates, both acute:chronic methods, one squad) and on the
benchmark's season."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from benchmarks.metrics_bench import ON, season
from lib.core.settings import Settings, defaults
from lib.metrics.exposure import daily_load, exposure_status, weekly_exposure
from lib.metrics.mss import mss_and_artefacts, mss_artefacts, mss_table
from lib.readiness import Data
from lib.views import ALL_SQUADS
from lib.views.exposure import exposure_overview, exposure_table, exposure_weeks, mss_exclusions, spike_notes
from lib.views.exposure_ratios import daily_ratios



def cases(demo: Data) -> list[tuple[Data, dt.date, Settings, str]]:
    low = Settings(defaults() | {"week_change_spike": 30.0, "acwr_spike": 1.3})  # many spikes and notes
    rolling = Settings(defaults() | {"acwr_method": "rolling"})
    squads = sorted(set(demo.athletes["squad"].dropna().astype(str))) if "squad" in demo.athletes else []
    out = [(demo, dt.date(2026, 11, 23), low, ALL_SQUADS), (demo, dt.date(2026, 11, 28), rolling, ALL_SQUADS),
           (demo, dt.date(2026, 10, 1), defaults(), ALL_SQUADS), (season(12, per=250), ON.date(), low, ALL_SQUADS)]
    return out + [(demo, dt.date(2026, 11, 23), low, squads[0])] if squads else out


def test_the_overview_is_each_table_alone(demo: Data) -> None:
    for data, day, cfg, squad in cases(demo):
        view = exposure_overview(data, day, cfg, squad)
        weeks, table = exposure_weeks(data, day, cfg, squad), exposure_table(data, day, cfg, squad)
        assert len(view.weeks) > 20 and len(view.table) > 5
        pd.testing.assert_frame_equal(view.weeks, weeks, check_exact=True)
        pd.testing.assert_frame_equal(view.table, table, check_exact=True)
        pd.testing.assert_frame_equal(view.excluded, mss_exclusions(data, day, cfg, squad), check_exact=True)
        assert view.notes == spike_notes(table, weeks, day, cfg)


def test_handing_the_mss_and_daily_loads_in_changes_nothing(demo: Data) -> None:
    for data, day, cfg, _ in cases(demo):
        s, on = data.sessions[data.sessions["date"] <= pd.Timestamp(day)], pd.Timestamp(day)
        both = mss_and_artefacts(s, on, data.injuries, cfg, data.mss_confirmations)
        pd.testing.assert_frame_equal(both[0], mss_table(s, on, data.injuries, cfg, data.mss_confirmations))
        pd.testing.assert_frame_equal(both[1], mss_artefacts(s, on, data.injuries, cfg, data.mss_confirmations))
        daily = daily_load(s, on)
        pd.testing.assert_frame_equal(
            weekly_exposure(s, on, cfg, data.injuries, data.mss_confirmations, mss=both[0]),
            weekly_exposure(s, on, cfg, data.injuries, data.mss_confirmations), check_exact=True)
        pd.testing.assert_frame_equal(
            exposure_status(s, data.injuries, on, cfg, data.mss_confirmations, mss=both[0], daily=daily),
            exposure_status(s, data.injuries, on, cfg, data.mss_confirmations), check_exact=True)
        pd.testing.assert_frame_equal(daily_ratios(s, day, cfg, daily=daily), daily_ratios(s, day, cfg),
                                      check_exact=True)
