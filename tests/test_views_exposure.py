"""Exposure page computations with hand-worked numbers: bands, daily ratio, weeks and spikes, table."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from lib.charts.exposure import acwr_chart, acwr_domain, exposure_heatmap
from lib.readiness import Data
from lib.core.settings import Settings, defaults
from lib.views.exposure import (acwr_band, acwr_bands, acwr_cell, athlete_choices, daily_acwr, default_athlete,
                                definitions, exposure_table, exposure_weeks, source_rows, source_rows_by, speed,
                                spike_notes)

CFG = defaults()  # acwr 0.8 / 1.3 / 1.5, week_change_spike 50%, coverage_days 21, EWMA
ROLLING = Settings(defaults() | {"acwr_method": "rolling"})
SUNDAY = dt.date(2026, 11, 22)
MONDAY = dt.date(2026, 11, 23)


def _sessions(rows: list[tuple]) -> pd.DataFrame:
    """rows: (athlete, date, hsr m, sprint m, max speed m/s)."""
    df = pd.DataFrame(rows, columns=["athlete_id", "date", "hsr_distance_m", "sprint_distance_m", "max_speed_ms"])
    return df.assign(date=pd.to_datetime(df["date"]), session="S", source_file="gps.csv",
                     source_row=range(2, len(df) + 2))


def _days(athlete: str, end: dt.date, loads: list[tuple[float, float, float]]) -> list[tuple]:
    """One session a day ending on `end`: loads are (hsr, sprint, max speed), oldest first."""
    start = pd.Timestamp(end) - pd.Timedelta(days=len(loads) - 1)
    return [(athlete, (start + pd.Timedelta(days=i)).strftime("%Y-%m-%d"), *load) for i, load in enumerate(loads)]


def _data(sessions: pd.DataFrame, injuries: list[tuple] | None = None) -> Data:
    athletes = pd.DataFrame({"athlete_id": ["a", "b", "c", "d"], "name": ["Ana Silva", "Ben Cole", "Cy Dunn", "Di Eze"],
                             "position": "", "squad": ["First team", "First team", "U23", "U23"]})
    inj = pd.DataFrame(injuries or [], columns=["athlete_id", "injury_date", "side", "region"])
    inj = inj.assign(injury_date=pd.to_datetime(inj["injury_date"]), diagnosis="", cleared_date=pd.NaT)
    empty = pd.DataFrame({"athlete_id": pd.Series(dtype=str), "date": pd.Series(dtype="datetime64[s]")})
    return Data(athletes, inj, empty, sessions, empty, pd.DataFrame())


@pytest.mark.parametrize(("ratio", "band"), [
    (0.79, "under-loaded"), (0.8, "typical"), (1.29, "typical"), (1.3, "high"), (1.49, "high"), (1.5, "spike"),
    (2.6, "spike"), (np.nan, "")])
def test_acwr_bands_follow_the_settings(ratio: float, band: str) -> None:
    assert acwr_band(ratio, CFG) == band


def test_acwr_cell_words() -> None:
    assert acwr_cell(2.1566, CFG, True) == "▲ 2.16 spike"
    assert acwr_cell(0.55, CFG, True) == "▽ 0.55 under-loaded"
    assert acwr_cell(1.02, CFG, True) == "● 1.02 typical"
    assert acwr_cell(1.37, CFG, True) == "△ 1.37 high"
    assert acwr_cell(np.nan, CFG, False) == "not enough data"
    assert acwr_cell(np.nan, CFG, True) == "– no chronic load"


def test_speed_unit_and_zone_sentence() -> None:
    assert speed(9.45, "m/s") == 9.45
    assert speed(9.45, "km/h") == pytest.approx(34.02)
    kmh = definitions(Settings(defaults() | {"speed_unit": "km/h"}))
    assert "≥ 19.8 km/h" in kmh and "≥ 25.2 km/h" in kmh and "more than 50%" in kmh and "≥ 1.5" in kmh


def test_source_rows_grouped_by_file() -> None:
    files, rows = pd.Series(["g.csv", "g.csv", "c.csv"]), pd.Series([12, 3, 7])
    assert source_rows(files, rows) == "c.csv:7; g.csv:3, 12"
    assert source_rows(files, rows, limit=2) == "c.csv:7; g.csv:3 (+1 more)"


def test_source_rows_per_group_match_source_rows() -> None:
    """The vectorised form the pages use: the same text per athlete and day, duplicates counted
    once, "" for a day whose sessions carry no source row."""
    sessions = pd.DataFrame({
        "athlete_id": ["a", "a", "a", "a", "b", "c"],
        "date": pd.to_datetime(["2026-11-02", "2026-11-02", "2026-11-02", "2026-11-03", "2026-11-02", "2026-11-02"]),
        "source_file": ["g.csv", "g.csv", "c.csv", "g.csv", "g.csv", "g.csv"],
        "source_row": [12, 3, 7, 12, 3, None]})
    out = source_rows_by(pd.concat([sessions, sessions.iloc[[0]]]), ["athlete_id", "date"], limit=2)
    assert out.to_dict() == {
        ("a", pd.Timestamp("2026-11-02")): "c.csv:7; g.csv:3 (+1 more)",
        ("a", pd.Timestamp("2026-11-03")): "g.csv:12",
        ("b", pd.Timestamp("2026-11-02")): "g.csv:3",
        ("c", pd.Timestamp("2026-11-02")): ""}


def test_daily_rolling_ratio_by_hand() -> None:
    # 28 days to Nov 23: days 1-21 100 m HSR a day, days 22-28 200 m: 1400 / (2100 / 3) = 2.0
    loads = [(100.0, 10.0, 8.0)] * 21 + [(200.0, 20.0, 8.0)] * 7
    d = daily_acwr(_data(_sessions(_days("a", MONDAY, loads))), MONDAY, ROLLING)
    hsr = d[d["load"] == "HSR"].set_index("date")
    last = hsr.loc[pd.Timestamp(MONDAY)]
    assert last["ratio"] == pytest.approx(2.0) and last["band"] == "spike"
    assert last["acute_m"] == pytest.approx(1400.0)
    assert last["chronic_week_m"] == pytest.approx(875.0)  # (2100 + 1400) / 4
    assert last["coverage_days"] == 28 and last["sources"] == "gps.csv:29"
    assert np.isnan(hsr.loc[pd.Timestamp("2026-11-22"), "ratio"])  # rolling needs 28 days
    sprint = d[d["load"] == "sprint"].set_index("date")
    assert sprint.loc[pd.Timestamp(MONDAY), "ratio"] == pytest.approx(2.0)


def test_daily_ratio_is_blank_below_coverage() -> None:
    # EWMA of a flat load is 1.0, shown from the 21st day on record (coverage_days 21)
    d = daily_acwr(_data(_sessions(_days("a", MONDAY, [(50.0, 5.0, 8.0)] * 28))), MONDAY, CFG)
    hsr = d[d["load"] == "HSR"].reset_index(drop=True)
    assert np.isnan(hsr.loc[19, "ratio"]) and hsr.loc[19, "coverage_days"] == 20
    assert hsr.loc[20, "ratio"] == pytest.approx(1.0) and hsr.loc[20, "band"] == "typical"


def _weeks_data() -> Data:
    rows = []
    # a: W46 (Nov 9-15) 100 m a day = 700, W47 (Nov 16-22) 200 m a day = 1400: +100%
    rows += _days("a", SUNDAY, [(100.0, 0.0, 8.0)] * 7 + [(200.0, 0.0, 8.0)] * 7)
    # b: W46 only Nov 9 and Nov 14 (gap of 4 days: missing, not rest), then 100 m a day in W47
    rows += [("b", "2026-11-09", 100.0, 0.0, 8.0), ("b", "2026-11-14", 100.0, 0.0, 8.0)]
    rows += _days("b", SUNDAY, [(100.0, 0.0, 8.0)] * 7)
    # c: a session on Nov 2 (W45) and Nov 16 (W47): nothing on record in W46
    rows += [("c", "2026-11-02", 300.0, 30.0, 8.0), ("c", "2026-11-16", 300.0, 30.0, 8.0)]
    # d: four weeks of 50, 50, 100 and 140 m a day (worked out in the ratio test below)
    rows += _days("d", SUNDAY, [(50.0, 0.0, 8.0)] * 14 + [(100.0, 0.0, 8.0)] * 7 + [(140.0, 0.0, 8.0)] * 7)
    return _data(_sessions(rows))


def test_week_to_week_spike_is_marked_with_a_word_and_icon() -> None:
    w = exposure_weeks(_weeks_data(), SUNDAY, ROLLING)
    a = w[w["athlete_id"] == "a"].set_index("week")
    assert a.loc["2026-W47", ["hsr_m", "hsr_change_pct", "days_on_record", "gaps"]].tolist() == [1400, 100.0, 7, False]
    assert bool(a.loc["2026-W47", "hsr_spike"]) is True and a.loc["2026-W47", "hsr_text"] == "1400 ▲"
    assert a.loc["2026-W47", "hsr_why"] == "+100% on the week before (> 50%)"
    assert bool(a.loc["2026-W47", "sprint_spike"]) is False  # no sprint at all: no change to flag
    assert a.loc["2026-W46", "hsr_text"] == "700" and a.loc["2026-W46", "week_label"] == "9 Nov"
    assert a.loc["2026-W47", "name"] == "Ana Silva" and a.loc["2026-W47", "sources"].startswith("gps.csv:")


def test_a_rise_after_a_week_with_gaps_is_not_a_spike() -> None:
    w = exposure_weeks(_weeks_data(), SUNDAY, ROLLING)
    b = w[w["athlete_id"] == "b"].set_index("week")
    # W46 on record: Nov 9, 14 and 15 (a 1-day rest gap) = 3 days < 7 x 21 / 28 = 5.25
    assert b.loc["2026-W46", ["days_on_record", "gaps", "hsr_text"]].tolist() == [3, True, "200 ◌"]
    assert b.loc["2026-W47", "hsr_change_pct"] == pytest.approx(250.0)  # 700 vs 200...
    assert bool(b.loc["2026-W47", "hsr_spike"]) is False  # ...but the week before had gaps


def test_a_week_with_nothing_on_record_says_no_gps() -> None:
    w = exposure_weeks(_weeks_data(), SUNDAY, ROLLING)
    c = w[w["athlete_id"] == "c"].set_index("week")
    assert c.loc["2026-W46", ["days_on_record", "hsr_text", "sprint_text"]].tolist() == [0, "no GPS", "no GPS"]
    assert np.isnan(c.loc["2026-W46", "hsr_m"])


def test_acute_chronic_spike_without_a_big_weekly_rise() -> None:
    w = exposure_weeks(_weeks_data(), SUNDAY, ROLLING)
    d = w[w["athlete_id"] == "d"].set_index("week")
    # W47: 980 m vs 700 (+40%, under 50%); rolling on Nov 22: 980 / ((350 + 350 + 700) / 3) = 2.1
    assert d.loc["2026-W47", "hsr_change_pct"] == pytest.approx(40.0)
    assert d.loc["2026-W47", "hsr_acwr_peak"] == pytest.approx(2.1)
    assert bool(d.loc["2026-W47", "hsr_spike"]) is True
    assert d.loc["2026-W47", "hsr_why"] == "acute:chronic peak 2.10 (>= 1.50)"


def test_squad_filter_on_weeks() -> None:
    assert set(exposure_weeks(_weeks_data(), SUNDAY, ROLLING, "U23")["athlete_id"]) == {"c", "d"}


def _table_data() -> Data:
    rows = []
    injury = pd.Timestamp("2026-10-27")  # Sep 29 - Oct 26 before it: 28 days
    for i in range(56):  # a: 8 weeks of daily sessions to Nov 23, 100/20 m before the injury, 50/5 after
        day = pd.Timestamp(MONDAY) - pd.Timedelta(days=55 - i)
        before = day < injury
        rows.append(("a", day.strftime("%Y-%m-%d"), 100 if before else 50, 20 if before else 5,
                     # 9.0 on Nov 18, above the pre-injury 7.5: it counts as MSS because 8.8 on Nov 11
                     # confirms it (within 3%)
                     9.0 if day == pd.Timestamp("2026-11-18") else 8.8 if day == pd.Timestamp("2026-11-11") else 7.5))
    # b: sessions on the first 10 of the last 28 days only: 10 days on record
    rows += [("b", (pd.Timestamp(MONDAY) - pd.Timedelta(days=27 - i)).strftime("%Y-%m-%d"), 100, 10, 8.0)
             for i in range(10)]
    return _data(_sessions(rows), [("a", "2026-10-27", "right", "hamstring")])


def test_table_on_the_date_by_hand() -> None:
    cfg = Settings(ROLLING | {"speed_unit": "km/h"})
    t = exposure_table(_table_data(), MONDAY, cfg).set_index("athlete_id")
    assert t.index.tolist() == ["a", "b", "c", "d"]  # returning first, then by name
    a = t.loc["a"]
    assert a["Athlete"] == "Ana Silva (rehab)"
    assert a["MSS"] == pytest.approx(32.4)  # 9.0 m/s x 3.6
    assert (a["MSS age"], a["Since near-max"], a["Days on record"]) == ("5 d", 5.0, "28/28")
    assert a["A:C HSR"] == "● 1.00 typical"  # flat 50 m a day for 28 days
    assert a["HSR % pre-injury"] == 50.0  # 350 vs 700 m a week
    assert a["Sprint % pre-injury"] == 25.0  # 35 vs 140 m a week
    b = t.loc["b"]
    # 8.0 m/s every day: the MSS dates from the first time it was reached (Oct 27, 27 days ago)
    assert (b["MSS age"], b["Days on record"], b["A:C HSR"], b["A:C sprint"]) == (
        "27 d", "10/28 ⚠", "not enough data", "not enough data")
    assert np.isnan(b["HSR % pre-injury"]) and not b["spike"]
    assert t.loc["c", "Days on record"] == "no GPS" and t.loc["c", "A:C HSR"] == "no GPS"


def test_stale_mss_is_flagged() -> None:
    cfg = Settings(defaults() | {"mss_max_age": 4.0})
    assert exposure_table(_table_data(), MONDAY, cfg).set_index("athlete_id").loc["a", "MSS age"] == "5 d ⚠"


def test_spike_notes_name_ratio_and_weekly_rise() -> None:
    table = pd.DataFrame({"athlete_id": ["k", "j", "o"], "name": ["Kwame Asante", "Jo Park", "Oz Lind"],
                          "acwr_hsr": [2.1566, 1.2, 1.1], "acwr_sprint": [2.7588, 1.54, np.nan]})
    start = pd.Timestamp("2026-11-16")
    weeks = pd.DataFrame({
        "athlete_id": ["k", "j", "o"], "week_start": [start] * 3, "hsr_change_pct": [151.06, 5.0, 10.0],
        "sprint_change_pct": [544.07, 3.0, 73.0], "hsr_spike": [True, False, False], "sprint_spike": [True, True, True],
        "hsr_why": ["+151% on the week before (> 50%); acute:chronic peak 2.16 (>= 1.50)", "", ""],
        "sprint_why": ["+544% on the week before (> 50%)", "acute:chronic peak 1.54 (>= 1.50)",
                       "+73% on the week before (> 50%)"]})
    assert spike_notes(table, weeks, MONDAY, CFG) == [
        "Kwame Asante (A:C HSR 2.16, sprint 2.76; HSR +151%, sprint +544% in the week of 16 Nov)",
        "Jo Park (A:C sprint 1.54)", "Oz Lind (sprint +73% in the week of 16 Nov)"]
    # the week of 16 Nov ends on Sun 22 Nov: still within the 7 days up to Sat 28 Nov, not up to Sun 29 Nov
    assert spike_notes(table, weeks, dt.date(2026, 11, 28), CFG)[-1] == "Oz Lind (sprint +73% in the week of 16 Nov)"
    quiet = table.assign(acwr_hsr=1.0, acwr_sprint=1.0)  # on a later date the 7-day ratio peaks are the table's
    assert spike_notes(quiet, weeks, dt.date(2026, 11, 29), CFG) == []


def test_picker_opens_on_the_chosen_then_a_spike_then_a_returning_athlete() -> None:
    table = pd.DataFrame({"athlete_id": ["a", "b", "c", "d"], "Athlete": ["A (rehab)", "B", "C", "D"],
                          "has_gps": [True, True, True, False], "spike": [False, False, True, False],
                          "returning": [True, False, False, False]})
    assert default_athlete(table, "b") == "b"
    assert default_athlete(table, "d") == "c"  # d has no GPS: the first spike
    assert default_athlete(table.assign(spike=False), None) == "a"  # then the first returning athlete
    assert athlete_choices(table) == {"a": "A (rehab)", "b": "B", "c": "C"}


def test_bands_and_domain_for_the_chart() -> None:
    bands = acwr_bands(CFG)
    assert bands[["band", "lo", "hi"]].values.tolist() == [
        ["under-loaded", 0.0, 0.8], ["typical", 0.8, 1.3], ["high", 1.3, 1.5], ["spike", 1.5, 3.0]]
    assert bands["source"].str.contains("Gabbett 2016").all()
    assert acwr_domain(pd.Series([0.5, 1.2]), 1.5) == [0.0, 2.5]  # spike line + 0.5 = 2.0 -> x1.05 -> 2.5
    assert acwr_domain(pd.Series([2.76]), 1.5) == [0.0, 3.0]


def test_charts_name_units_thresholds_and_sources() -> None:
    data = _table_data()
    daily = daily_acwr(data, MONDAY, CFG, athlete_id="a")
    spec = str(acwr_chart(daily, acwr_bands(CFG), "EWMA").to_dict())
    assert "acute:chronic (EWMA)" in spec and "Gabbett 2016" in spec and "source rows that day" in spec
    assert "▲ spike" in spec and "▽ under-loaded" in spec
    weeks = exposure_weeks(data, MONDAY, CFG)
    heat = str(exposure_heatmap(weeks, "hsr", "km/h").to_dict())
    assert "week starting (Monday)" in heat and "HSR (m)" in heat and "top speed (km/h)" in heat
    assert "source rows" in heat and "_text" in heat
