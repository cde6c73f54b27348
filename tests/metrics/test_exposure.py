"""High-velocity exposure with hand-worked numbers: weeks, MSS, near-max, ACWR with gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.metrics.exposure import acwr_ewma, acwr_rolling, daily_load, exposure_status, iso_week, mss_table, weekly_exposure
from lib.core.settings import defaults

AS_OF = pd.Timestamp("2026-11-23")  # a Monday


def _sessions(rows: list[tuple]) -> pd.DataFrame:
    """rows: (athlete, date, hsr m, sprint m, max speed m/s)."""
    df = pd.DataFrame(rows, columns=["athlete_id", "date", "hsr_distance_m", "sprint_distance_m", "max_speed_ms"])
    return df.assign(date=pd.to_datetime(df["date"]), session="S", source_file="gps.csv",
                     source_row=range(2, len(df) + 2))


NO_INJURIES = pd.DataFrame({"athlete_id": pd.Series(dtype=str), "injury_date": pd.Series(dtype="datetime64[s]"),
                            "side": pd.Series(dtype=str)})


def test_iso_week_labels() -> None:
    assert iso_week(pd.Series(pd.to_datetime(["2026-11-23", "2026-01-01", "2027-01-03"]))).tolist() == [
        "2026-W48", "2026-W01", "2026-W53"]


def test_mss_is_best_on_record_with_age() -> None:
    s = _sessions([("a", "2026-10-01", 0, 0, 9.1), ("a", "2026-11-20", 0, 0, 8.7), ("a", "2026-11-24", 0, 0, 9.9)])
    [row] = mss_table(s, AS_OF, None, defaults()).to_dict("records")
    assert row["mss_ms"] == 9.1 and row["mss_age_days"] == 53  # Oct 1 -> Nov 23; Nov 24 is after as-of
    assert row["mss_source"] == "gps.csv:2"


def test_weekly_sums_near_max_and_change() -> None:
    s = _sessions([
        # week 2026-W46 (Nov 9-15): 300 + 200 HSR, 50 + 0 sprint; MSS 9.0 -> 8.2 is 91% (near-max), 7.0 is 78%
        ("a", "2026-11-09", 300, 50, 8.2), ("a", "2026-11-12", 200, 0, 7.0),
        # week W47 (Nov 16-22): 900 HSR (+80% on 500), 120 sprint; 9.0 = 100% of MSS (near-max and max)
        ("a", "2026-11-17", 900, 120, 9.0),
    ])
    w = weekly_exposure(s, AS_OF, defaults()).set_index("week")
    assert w.loc["2026-W46", ["hsr_m", "sprint_m", "sessions", "near_max_sessions", "max_sessions"]].tolist() == [500, 50, 2, 1, 0]
    assert w.loc["2026-W47", ["hsr_m", "near_max_sessions", "max_sessions"]].tolist() == [900, 1, 1]
    assert w.loc["2026-W47", "hsr_change_pct"] == pytest.approx(80.0)  # (900 - 500) / 500
    assert w.loc["2026-W47", "sprint_change_pct"] == pytest.approx(140.0)  # (120 - 50) / 50
    assert bool(w.loc["2026-W47", "spike"]) is True  # > 50% week-to-week


def test_a_week_with_no_sessions_is_zero_not_absent() -> None:
    s = _sessions([("a", "2026-11-02", 400, 40, 8.0), ("a", "2026-11-16", 400, 40, 8.0)])
    w = weekly_exposure(s, AS_OF, defaults()).set_index("week")
    assert w.loc["2026-W46", ["sessions", "hsr_m"]].tolist() == [0, 0]
    assert np.isnan(w.loc["2026-W47", "hsr_change_pct"])  # from zero: no % change


def test_acwr_rolling_uncoupled_by_hand() -> None:
    # days 1-21: 100 m/day (chronic window: 2100 m / 3 = 700 m/week); days 22-28: 200 m/day (1400 m)
    daily = pd.Series([100.0] * 21 + [200.0] * 7)
    assert acwr_rolling(daily).iloc[-1] == pytest.approx(2.0)  # 1400 / 700
    assert np.isnan(acwr_rolling(daily).iloc[26])  # needs 28 days


def test_acwr_ewma_by_hand() -> None:
    # constant load: both EWMAs equal the load -> ratio 1
    assert acwr_ewma(pd.Series([50.0] * 40)).iloc[-1] == pytest.approx(1.0)
    # two days 0 then 100: acute = 0.25*100 = 25; chronic = (2/29)*100 = 6.8966 -> 3.625
    assert acwr_ewma(pd.Series([0.0, 100.0])).iloc[-1] == pytest.approx(25 / (200 / 29))


def test_missing_days_are_not_rest_days() -> None:
    # sessions every day for 10 days, then nothing for 18 days: 10 of 28 on record
    rows = [("a", (AS_OF - pd.Timedelta(days=27 - i)).strftime("%Y-%m-%d"), 100, 10, 8.0) for i in range(10)]
    status = exposure_status(_sessions(rows), NO_INJURIES, AS_OF, defaults()).iloc[0]
    assert status["coverage_days"] == 10
    assert bool(status["enough_data"]) is False
    assert np.isnan(status["acwr_hsr_ewma"]) and np.isnan(status["acwr_hsr_rolling"])


def test_ordinary_rest_days_count_as_on_record() -> None:
    # a session every third day: gaps of 2 rest days are rest, not missing data
    rows = [("a", (AS_OF - pd.Timedelta(days=27 - i)).strftime("%Y-%m-%d"), 100, 10, 8.0) for i in range(0, 28, 3)]
    d = daily_load(_sessions(rows), AS_OF)
    assert int(d["on_record"].sum()) == 28


def test_status_days_since_near_max_and_pre_injury_load() -> None:
    rows = []
    injury = pd.Timestamp("2026-10-27")  # Sep 29 - Oct 26 before it: 28 days
    for i in range(56):  # 8 weeks of daily sessions up to as-of
        day = AS_OF - pd.Timedelta(days=55 - i)
        before = day < injury
        rows.append(("a", day.strftime("%Y-%m-%d"), 100 if before else 50, 20 if before else 5,
                     9.0 if day == pd.Timestamp("2026-11-18") else 8.8 if day == pd.Timestamp("2026-11-11") else 7.5))
    injuries = pd.DataFrame({"athlete_id": ["a"], "injury_date": [injury], "side": ["right"]})
    st = exposure_status(_sessions(rows), injuries, AS_OF, defaults()).iloc[0]
    # 9.0 on Nov 18 is above the pre-injury 7.5 and confirmed by 8.8 on Nov 11 (within 3%): it counts
    assert st["mss_ms"] == 9.0 and st["days_since_near_max"] == 5  # Nov 18 -> Nov 23
    # pre-injury: 28 days x 100 m / 4 = 700 m/week; now 28 days x 50 / 4 = 350 -> 50%
    assert st["pre_injury_hsr_week_m"] == pytest.approx(700.0)
    assert st["pct_pre_injury_hsr"] == pytest.approx(50.0)
    assert st["pct_pre_injury_sprint"] == pytest.approx(25.0)  # 5 vs 20 per day
    assert st["acwr_hsr_rolling"] == pytest.approx(1.0)  # flat 50 m/day for the last 28 days


def test_mss_recorded_in_kmh_is_converted_at_import(tmp_path) -> None:  # noqa: ANN001
    """A STATSports export whose `Max Speed` is in km/h: 32.4 km/h / 3.6 = 9.0 m/s is the MSS, and a
    session at 29.16 km/h (8.1 m/s) is 90% of it: a near-max session."""
    from lib import store
    from lib.ingest.importer import import_file

    csv = ("Session Date,Session Title,Player Name,High Speed Running (Absolute),Max Speed,Sprint Distance,"
           "Total Time,Total Distance\n"
           "09/11/2026,Training,Ana Silva,300,32.4,40,1:00:00,5000\n"
           "16/11/2026,Training,Ana Silva,280,29.16,20,1:00:00,4800\n")
    engine = store.connect(tmp_path / "kmh.sqlite")
    report = import_file(engine, csv.encode(), "statsports.csv")
    assert any("km/h" in a for s in report.sheets for a in s.assumptions)
    sessions = store.read_table(engine, "sessions")
    [mss] = mss_table(sessions, AS_OF, None, defaults()).to_dict("records")
    assert mss["mss_ms"] == pytest.approx(9.0)
    week = weekly_exposure(sessions, AS_OF, defaults()).set_index("week").loc["2026-W47"]
    assert week["near_max_sessions"] == 1 and week["max_sessions"] == 0  # 90% but not 95%
    store.dispose_all()
