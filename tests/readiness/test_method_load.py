"""Load for returning athletes (issue 12, point 7): % of pre-injury chronic load over the days on
record, week-to-week increases at most a hold, acute:chronic descriptive, missing days never zeros."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.metrics.exposure import exposure_status
from lib.core.settings import defaults
from lib.views import exposure as view
from tests.readiness.method_scenarios import INJURY, ON, Scenario, rules


def status(s: Scenario, on: pd.Timestamp = ON) -> dict:
    data = s.data()
    return exposure_status(data.sessions, data.injuries, on, defaults()).iloc[0].to_dict()


def test_pct_of_pre_injury_chronic_is_normalised_by_days_on_record() -> None:
    # before the injury (09-03..09-30): 100 m HSR on 20 days (09-03..09-22), then nothing recorded
    # (an 8-day gap before the injury: missing). Weekly = 2000 m / 20 days x 7 = 700 m/week.
    # Last 28 days (10-27..11-23): 50 m every other day from 10-26 to 11-23 (rest gaps of 1 day count
    # as on record): 14 sessions in the window, 28 days on record -> 700 m / 28 x 7 = 175 m/week
    # -> 25.0%. The old /4 weeks on both sides: (700 / 4) / (2000 / 4) = 35%.
    s = Scenario().run("2026-09-03", "2026-09-22", 100).run("2026-10-26", "2026-11-23", 50, every=2)
    row = status(s)
    assert row["pre_injury_hsr_week_m"] == pytest.approx(700.0)
    assert row["chronic_hsr_week_m"] == pytest.approx(175.0)
    assert row["pct_pre_injury_hsr"] == pytest.approx(25.0)


def test_pre_injury_window_is_before_the_episodes_first_injury() -> None:
    # a re-injury (same region and side) on 10-20 before the 10-01 injury was cleared: same episode,
    # so the pre-injury window stays 09-03..09-30 (700 m/week), not the rehab weeks before 10-20
    s = Scenario().run("2026-09-03", "2026-09-30", 100).run("2026-10-05", "2026-11-23", 20)
    s.injuries = [{"athlete_id": "a", "injury_date": INJURY, "side": "right", "region": "hamstring"},
                  {"athlete_id": "a", "injury_date": pd.Timestamp("2026-10-20"), "side": "right",
                   "region": "hamstring"}]
    row = status(s)
    # 28 days x 100 m / 28 on record x 7 = 700; now 20 m x 7 = 140 -> 20%
    assert (row["pre_injury_hsr_week_m"], row["pct_pre_injury_hsr"]) == (pytest.approx(700.0), pytest.approx(20.0))


def test_a_planned_ramp_is_never_a_step_back() -> None:
    # a returning athlete's ramp: 250, 500, 750, 1000 m HSR per week (daily 250/7 ...) over 4 weeks.
    # Last week vs the week before: 1000 vs 750 = +33% <= 50%: no hold. Acute:chronic is high
    # (the ramp) but only descriptive: info, never a stop.
    s = Scenario().daily_pain("2026-11-01", "2026-11-23", 1).hops("2026-11-20").tier("2026-10-20", 3)
    for week, metres in enumerate((250, 500, 750, 1000)):
        first = pd.Timestamp("2026-10-27") + pd.Timedelta(days=7 * week)
        s.run(str(first.date()), str((first + pd.Timedelta(days=6)).date()), metres / 7)
    row = s.board()
    assert rules(row, "stop") == [] and "week_change" not in rules(row)
    acwr = [r for r in row["reasons"] if r["rule"].startswith("acwr")]
    assert all(r["kind"] == "info" for r in acwr)
    assert row["status"] == "green"


def test_a_week_to_week_jump_is_at_most_a_hold() -> None:
    # 100 m a day for three weeks, then 250 m a day: last 7 days 1750 m vs 700 m = +150% > 50%
    s = Scenario().daily_pain("2026-11-01", "2026-11-23", 1).hops("2026-11-20").tier("2026-10-20", 3)
    s.run("2026-10-27", "2026-11-16", 100).run("2026-11-17", "2026-11-23", 250)
    row = s.board()
    week = next(r for r in row["reasons"] if r["rule"] == "week_change")
    assert (week["kind"], week["value"]) == ("hold", 150.0)
    assert "+1050 m on the 7 days before" in week["data"]
    assert (row["status"], row["action"]) == ("amber", "hold at tier 3")


def test_missing_gps_days_are_not_zeros() -> None:
    # a healthy athlete, 100 m every day for 8 weeks except three lost GPS days (11-18..11-20, a
    # gap of 3 > 2 rest days: missing). Every recorded day is 100 m, so acute:chronic is 1.00,
    # not 'under-loaded' as zeros would make it (4 x 100 / 7 days vs 100 -> 0.57).
    s = Scenario(injured=False).run("2026-09-28", "2026-11-17", 100).run("2026-11-21", "2026-11-23", 100)
    row = status(s)
    assert row["coverage_days"] == 25 and row["enough_data"]
    assert row["acwr_hsr_rolling"] == pytest.approx(1.0)
    assert row["acwr_hsr_ewma"] == pytest.approx(1.0)
    assert view.acwr_band(row["acwr_hsr_rolling"], defaults()) == "typical"


@pytest.mark.parametrize("blank", ["some", "all"])
def test_blank_max_speed_does_not_crash_the_exposure_views(blank: str) -> None:
    s = Scenario(injured=False).run("2026-10-20", "2026-11-23", 300, speed=8.5)
    for r in s.sessions if blank == "all" else s.sessions[-5:]:
        r["max_speed_ms"] = np.nan
    data, on, cfg = s.data(), ON.date(), defaults()
    table = view.exposure_table(data, on, cfg)
    assert len(view.exposure_weeks(data, on, cfg)) == 6 and len(view.daily_acwr(data, on, cfg)) > 0
    # some blank: MSS 8.5 from the sessions with a speed; all blank: no MSS (not a crash)
    mss = table.iloc[0]["MSS"]
    assert (mss == 8.5) if blank == "some" else pd.isna(mss)
