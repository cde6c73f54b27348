"""Hop-test page computations with hand-worked numbers: latest battery, cells, history, charts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from lib.charts.hops import lsi_domain, lsi_history_chart, side_chart
from lib.readiness import Data
from lib.core.settings import defaults
from lib.views.hops import (athlete_choices, battery_counts, battery_table, cv_cell,
                            latest_batteries, lsi_cell, lsi_history, pass_rule, result_cell, side_history,
                            side_panels)

AS_OF = dt.date(2026, 11, 23)
CFG = defaults()  # hop_lsi_pass 90%, stale_days 21


def _tests(rows: list[tuple]) -> pd.DataFrame:
    """rows: (athlete, date, test, side, [trial values])."""
    out = []
    for athlete, date, test, side, values in rows:
        metric, unit = ("time", "s") if test == "timed_hop_6m" else ("distance", "cm")
        out += [(athlete, date, test, metric, side, i + 1, v, unit) for i, v in enumerate(values)]
    df = pd.DataFrame(out, columns=["athlete_id", "date", "test", "metric", "side", "trial", "value", "unit"])
    return df.assign(date=pd.to_datetime(df["date"]), device="sheet", source_file="hop.xlsx",
                     source_row=range(2, len(df) + 2))


def _data(tests: pd.DataFrame) -> Data:
    athletes = pd.DataFrame({"athlete_id": ["a", "b"], "name": ["Ana Silva", "Ben Cole"],
                             "position": ["Winger", "Back"], "squad": ["First team", "U23"]})
    injuries = pd.DataFrame({"athlete_id": ["a"], "injury_date": pd.to_datetime(["2026-10-01"]), "side": ["right"],
                             "region": ["hamstring"], "diagnosis": [""], "cleared_date": pd.to_datetime([None])})
    empty = pd.DataFrame({"athlete_id": pd.Series(dtype=str), "date": pd.Series(dtype="datetime64[s]")})
    return Data(athletes, injuries, tests, empty, empty, pd.DataFrame())


# Ana (right hamstring, active) on 11-23, involved right vs uninvolved left:
#   single    right 180, 190 (mean 185) / left 200, 200 (200)  -> 92.5% pass; right CV 7.071/185 = 3.822%
#   triple    right 510, 520, 530 (520) / left 600, 610, 590 (600) -> 86.667% fail; CVs 1.923%, 1.667%
#   crossover right 450 / left 500                              -> 90.0% pass (at the line passes)
#   6 m timed right 2.50 s / left 2.20 s: inverted 2.20 / 2.50   -> 88.0% fail
# Ben (no injury) on 11-01: single only, left 200, 150 (175; CV 35.355/175 = 20.2%), right 170
#   -> weaker / stronger 170 / 175 = 97.14% pass, battery incomplete, noisy, 22 days old
ROWS = [
    ("a", "2026-11-16", "single_hop", "right", [150.0]), ("a", "2026-11-16", "single_hop", "left", [200.0]),
    ("a", "2026-11-23", "single_hop", "right", [180.0, 190.0]), ("a", "2026-11-23", "single_hop", "left", [200.0, 200.0]),
    ("a", "2026-11-23", "triple_hop", "right", [510.0, 520.0, 530.0]),
    ("a", "2026-11-23", "triple_hop", "left", [600.0, 610.0, 590.0]),
    ("a", "2026-11-23", "crossover_hop", "right", [450.0]), ("a", "2026-11-23", "crossover_hop", "left", [500.0]),
    ("a", "2026-11-23", "timed_hop_6m", "right", [2.50]), ("a", "2026-11-23", "timed_hop_6m", "left", [2.20]),
    ("a", "2026-11-30", "single_hop", "right", [100.0]), ("a", "2026-11-30", "single_hop", "left", [200.0]),  # after
    ("b", "2026-11-01", "single_hop", "left", [200.0, 150.0]), ("b", "2026-11-01", "single_hop", "right", [170.0]),
]


@pytest.fixture
def data() -> Data:
    return _data(_tests(ROWS))


def test_latest_battery_per_athlete_by_hand(data: Data) -> None:
    latest = latest_batteries(data, AS_OF, CFG).set_index("athlete_id")
    a = latest.loc["a"]
    assert a["date"] == pd.Timestamp("2026-11-23")  # 11-30 is after the as-of date, 11-16 is older
    assert a["single_hop_lsi"] == pytest.approx(92.5)
    assert a["triple_hop_lsi"] == pytest.approx(86.6667, rel=1e-4)
    assert a["crossover_hop_lsi"] == pytest.approx(90.0) and bool(a["crossover_hop_pass"]) is True
    assert a["timed_hop_6m_lsi"] == pytest.approx(88.0)  # 2.20 / 2.50: the timed hop is inverted
    assert a["overall"] == "fail" and a["tests_done"] == 4
    assert a["max_cv"] == pytest.approx(3.8222, rel=1e-4) and not a["noisy"]
    assert bool(a["returning"]) is True and a["injury"] == "R hamstring" and a["age_days"] == 0
    b = latest.loc["b"]
    assert b["single_hop_lsi"] == pytest.approx(97.1429, rel=1e-4)
    assert b["overall"] == "incomplete" and b["tests_done"] == 1
    assert b["max_cv"] == pytest.approx(20.2031, rel=1e-4) and bool(b["noisy"]) is True
    assert bool(b["returning"]) is False and b["age_days"] == 22


def test_returning_athletes_come_first_and_squad_filters(data: Data) -> None:
    assert latest_batteries(data, AS_OF, CFG)["athlete_id"].tolist() == ["a", "b"]
    assert latest_batteries(data, AS_OF, CFG, "U23")["athlete_id"].tolist() == ["b"]
    assert latest_batteries(data, dt.date(2026, 10, 1), CFG).empty  # nothing tested yet


def test_pass_line_is_the_setting(data: Data) -> None:
    cfg = defaults() | {"hop_lsi_pass": 85.0}
    cfg = type(CFG)(cfg)
    a = latest_batteries(data, AS_OF, cfg).set_index("athlete_id").loc["a"]
    assert a["overall"] == "pass"  # 86.7 and 88.0 pass at 85%
    assert pass_rule(cfg)[:2] == (85.0, "pass 85%") and "Noyes" in pass_rule(cfg)[2]


def test_battery_table_words_and_icons(data: Data) -> None:
    table = battery_table(latest_batteries(data, AS_OF, CFG), stale_days=21).set_index("athlete_id")
    assert table.loc["a", ["Athlete", "Result", "Single", "Triple", "Crossover", "6 m timed", "Worst CV", "Tested"]].tolist() == [
        "Ana Silva · R hamstring", "✗ fail", "✓ 92.5 pass", "✗ 86.7 fail", "✓ 90.0 pass", "✗ 88.0 fail", "3.8%", "23 Nov"]
    assert table.loc["b", ["Athlete", "Result", "Single", "Triple", "Worst CV", "Tested"]].tolist() == [
        "Ben Cole", "◐ incomplete ⚠ noisy", "✓ 97.1 pass", "– not done", "20.2% ⚠", "1 Nov · old"]


@pytest.mark.parametrize(("lsi", "passed", "expected"), [
    (85.55, False, "✗ 85.5 fail"), (90.0, True, "✓ 90.0 pass"), (np.nan, pd.NA, "– not done"), (None, None, "– not done")])
def test_lsi_cell(lsi: float, passed: object, expected: str) -> None:
    assert lsi_cell(lsi, passed) == expected


@pytest.mark.parametrize(("overall", "noisy", "expected"), [
    ("pass", False, "✓ pass"), ("fail", True, "✗ fail ⚠ noisy"), ("incomplete", False, "◐ incomplete")])
def test_result_cell(overall: str, noisy: bool, expected: str) -> None:
    assert result_cell(overall, noisy) == expected


@pytest.mark.parametrize(("cv", "expected"), [(4.26, "4.3%"), (10.0, "10.0%"), (10.05, "10.1% ⚠"), (np.nan, "1 trial")])
def test_cv_cell_flags_noisy_above_ten_percent(cv: float, expected: str) -> None:
    assert cv_cell(cv) == expected


def test_counts_and_picker_order(data: Data) -> None:
    latest = latest_batteries(data, AS_OF, CFG)
    assert battery_counts(latest) == {"pass": 0, "fail": 1, "incomplete": 1}
    assert battery_counts(latest, returning_only=True) == {"pass": 0, "fail": 1, "incomplete": 0}
    assert athlete_choices(latest) == {"a": "Ana Silva · R hamstring", "b": "Ben Cole"}


def test_lsi_history_per_date_and_test(data: Data) -> None:
    h = lsi_history(data, "a", AS_OF, CFG)
    assert h["date"].dt.strftime("%m-%d").tolist() == ["11-16"] + ["11-23"] * 4  # 11-30 is after as-of
    first = h.iloc[0]
    assert (first["test_label"], first["lsi"], first["result"]) == ("single hop", 75.0, "fail")  # 150 / 200
    timed = h[h["test"] == "timed_hop_6m"].iloc[0]
    assert (timed["lsi"], timed["unit"], timed["involved_side"]) == (88.0, "s", "right")
    assert timed["sources"].startswith("hop.xlsx:")


def test_side_history_means_best_trials_and_roles(data: Data) -> None:
    s = side_history(data, "a", AS_OF)
    triple = s[(s["test"] == "triple_hop")].set_index("side")
    assert triple.loc["right", ["side_label", "mean", "best", "n", "cv"]].tolist() == [
        "right (injured)", 520.0, 530.0, 3, 1.9]  # CV 10 / 520 = 1.92%
    assert triple.loc["left", ["side_label", "mean", "best"]].tolist() == ["left (uninjured)", 600.0, 610.0]
    timed = s[(s["test"] == "timed_hop_6m")].set_index("side")
    assert bool(timed.loc["right", "lower_is_better"]) is True and timed.loc["right", "best"] == 2.5
    assert [title for title, _ in side_panels(s)] == [
        "single hop (cm)", "triple hop (cm)", "crossover hop (cm)", "6 m timed hop (s, lower is better)"]
    ben = side_history(data, "b", AS_OF)
    assert set(ben["side_label"]) == {"left", "right"}  # no injury on record: no involved side


def test_lsi_domain_keeps_the_pass_line_in_view() -> None:
    assert lsi_domain(pd.Series([74.0, 98.0]), 90.0) == [70, 105.0]
    assert lsi_domain(pd.Series([96.0, 109.0]), 90.0) == [85, 115]


def test_charts_draw_the_pass_line_with_its_source_and_units(data: Data) -> None:
    value, label, source = pass_rule(CFG)
    spec = lsi_history_chart(lsi_history(data, "a", AS_OF, CFG), value, label, source).to_dict()
    text = str(spec)
    assert "LSI (%)" in text and source in text and "source rows" in text
    sides = side_history(data, "a", AS_OF)
    title, rows = side_panels(sides)[-1]
    timed = str(side_chart(rows, title).to_dict())
    assert "s (lower is better)" in timed and "best trial" in timed and "source rows" in timed
