"""Limb symmetry with hand-worked numbers, edge cases included."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.metrics.symmetry import limb_symmetry, limb_symmetry_index, side_summary


def _tests(rows: list[tuple]) -> pd.DataFrame:
    """rows: (athlete, date, test, metric, side, trial, value)."""
    df = pd.DataFrame(rows, columns=["athlete_id", "date", "test", "metric", "side", "trial", "value"])
    units = {"distance": "cm", "time": "s", "max_force": "N"}
    return df.assign(date=pd.to_datetime(df["date"]), unit=df["metric"].map(units), device="sheet",
                     source_file="hop.xlsx", source_row=range(2, len(df) + 2))


def _injuries(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["athlete_id", "injury_date", "side", "region"])
    return df.assign(injury_date=pd.to_datetime(df["injury_date"]))


NO_INJURIES = _injuries([])


@pytest.mark.parametrize(
    ("inv", "uninv", "lower", "expected"),
    [
        (150.0, 180.0, False, 83.3333),  # 150 / 180 x 100
        (180.0, 180.0, False, 100.0),
        (2.40, 2.00, True, 83.3333),  # timed: 2.00 / 2.40 x 100 (slower involved limb)
        (2.00, 2.40, True, 120.0),
        (150.0, 0.0, False, np.nan),  # zero reference
        (np.nan, 180.0, False, np.nan),  # one side missing
    ],
)
def test_limb_symmetry_index(inv: float, uninv: float, lower: bool, expected: float) -> None:
    got = limb_symmetry_index(inv, uninv, lower)
    assert (np.isnan(got) and np.isnan(expected)) or got == pytest.approx(expected, rel=1e-4)


def test_lsi_uses_mean_of_trials_and_shows_best_and_cv() -> None:
    tests = _tests([
        ("a", "2026-11-23", "triple_hop", "distance", "right", 1, 480.0),
        ("a", "2026-11-23", "triple_hop", "distance", "right", 2, 500.0),
        ("a", "2026-11-23", "triple_hop", "distance", "right", 3, 490.0),
        ("a", "2026-11-23", "triple_hop", "distance", "left", 1, 560.0),
        ("a", "2026-11-23", "triple_hop", "distance", "left", 2, 580.0),
        ("a", "2026-11-23", "triple_hop", "distance", "left", 3, 570.0),
    ])
    injuries = _injuries([("a", "2026-09-28", "right", "hamstring")])
    [row] = limb_symmetry(tests, injuries).to_dict("records")
    # involved right mean 490, uninvolved left mean 570: 490 / 570 = 85.96%
    assert row["lsi"] == pytest.approx(85.9649, rel=1e-4)
    # best trials 500 / 580 = 86.21%
    assert row["lsi_best"] == pytest.approx(86.2069, rel=1e-4)
    # right trials 480, 500, 490: SD 10, mean 490 -> CV 2.04%
    assert row["right_cv"] == pytest.approx(2.0408, rel=1e-4)
    assert row["involved_side"] == "right" and row["basis"] == "involved/uninvolved"
    assert row["sources"].startswith("hop.xlsx:")


def test_timed_hop_is_inverted_and_best_is_fastest() -> None:
    tests = _tests([
        ("a", "2026-11-23", "timed_hop_6m", "time", "left", 1, 2.30),
        ("a", "2026-11-23", "timed_hop_6m", "time", "left", 2, 2.50),
        ("a", "2026-11-23", "timed_hop_6m", "time", "right", 1, 2.00),
        ("a", "2026-11-23", "timed_hop_6m", "time", "right", 2, 2.00),
    ])
    injuries = _injuries([("a", "2026-10-01", "left", "calf")])
    [row] = limb_symmetry(tests, injuries).to_dict("records")
    # involved left mean 2.40 s, uninvolved 2.00 s: 2.00 / 2.40 = 83.33%
    assert row["lsi"] == pytest.approx(83.3333, rel=1e-4)
    # best = fastest: left 2.30, right 2.00 -> 2.00 / 2.30 = 86.96%
    assert row["left_best"] == 2.30
    assert row["lsi_best"] == pytest.approx(86.9565, rel=1e-4)


def test_no_injury_uses_weaker_over_stronger_and_says_so() -> None:
    tests = _tests([
        ("h", "2026-11-23", "single_hop", "distance", "left", 1, 200.0),
        ("h", "2026-11-23", "single_hop", "distance", "right", 1, 190.0),
    ])
    [row] = limb_symmetry(tests, NO_INJURIES).to_dict("records")
    assert row["lsi"] == pytest.approx(95.0)  # 190 / 200
    assert row["basis"] == "weaker/stronger" and "no injury on record" in row["note"]
    assert np.isnan(row["left_cv"])  # a single trial has no CV


def test_one_side_missing_gives_no_lsi() -> None:
    tests = _tests([("a", "2026-11-23", "single_hop", "distance", "left", 1, 150.0)])
    [row] = limb_symmetry(tests, _injuries([("a", "2026-10-01", "left", "calf")])).to_dict("records")
    assert np.isnan(row["lsi"]) and row["note"] == "one side missing: no LSI"


def test_each_limb_as_percent_of_pre_injury() -> None:
    tests = _tests([
        # pre-injury baseline: both limbs 200 cm
        ("a", "2026-09-01", "single_hop", "distance", "left", 1, 200.0),
        ("a", "2026-09-01", "single_hop", "distance", "right", 1, 200.0),
        # after: involved right 170, uninvolved left 180 (it weakened too)
        ("a", "2026-11-23", "single_hop", "distance", "left", 1, 180.0),
        ("a", "2026-11-23", "single_hop", "distance", "right", 1, 170.0),
    ])
    injuries = _injuries([("a", "2026-09-28", "right", "hamstring")])
    lsi = limb_symmetry(tests, injuries)
    post = lsi[lsi["date"] == pd.Timestamp("2026-11-23")].iloc[0]
    assert post["lsi"] == pytest.approx(94.4444, rel=1e-4)  # 170 / 180 flatters...
    assert post["involved_pct_pre"] == pytest.approx(85.0)  # ...the involved limb is at 170 / 200
    assert post["uninvolved_pct_pre"] == pytest.approx(90.0)  # 180 / 200
    assert post["pre_injury_date"] == pd.Timestamp("2026-09-01")
    pre = lsi[lsi["date"] == pd.Timestamp("2026-09-01")].iloc[0]
    assert pre["lsi"] == pytest.approx(100.0) and np.isnan(pre["involved_pct_pre"])


def test_side_summary_counts_trials() -> None:
    tests = _tests([
        ("a", "2026-11-23", "nordic", "max_force", "left", 1, 300.0),
        ("a", "2026-11-23", "nordic", "max_force", "left", 2, 340.0),
    ])
    [row] = side_summary(tests).to_dict("records")
    assert (row["mean"], row["best"], row["n"]) == (320.0, 340.0, 2)


def _battery_rows(athlete: str, date: str, inv: dict[str, float], uninv: dict[str, float]) -> list[tuple]:
    rows = []
    for test, value in inv.items():
        metric = "time" if test == "timed_hop_6m" else "distance"
        rows.append((athlete, date, test, metric, "right", 1, value))
        rows.append((athlete, date, test, metric, "left", 1, uninv[test]))
    return rows


UNINV = {"single_hop": 200.0, "triple_hop": 600.0, "crossover_hop": 500.0, "timed_hop_6m": 2.0}


def test_hop_battery_pass_fail_incomplete() -> None:
    from lib.metrics.symmetry import hop_battery

    injuries = _injuries([("a", "2026-09-28", "right", "hamstring"), ("b", "2026-09-28", "right", "calf"),
                          ("c", "2026-09-28", "right", "calf")])
    tests = _tests(
        # a passes: 190/200 = 95%, 570/600 = 95%, 460/500 = 92%, 2.0/2.1 = 95.2%
        _battery_rows("a", "2026-11-23", {"single_hop": 190, "triple_hop": 570, "crossover_hop": 460, "timed_hop_6m": 2.1}, UNINV)
        # b fails triple hop: 504/600 = 84%
        + _battery_rows("b", "2026-11-23", {"single_hop": 190, "triple_hop": 504, "crossover_hop": 460, "timed_hop_6m": 2.1}, UNINV)
        # c only did two tests, both passing
        + _battery_rows("c", "2026-11-23", {"single_hop": 190, "triple_hop": 570}, UNINV)
    )
    battery = hop_battery(limb_symmetry(tests, injuries)).set_index("athlete_id")
    assert battery.loc["a", "overall"] == "pass" and battery.loc["a", "tests_done"] == 4
    assert battery.loc["a", "timed_hop_6m_lsi"] == pytest.approx(95.2381, rel=1e-4)
    assert battery.loc["b", "overall"] == "fail"
    assert battery.loc["b", "failing"] == "triple hop LSI 84% < 90%"
    assert bool(battery.loc["b", "triple_hop_pass"]) is False
    assert battery.loc["c", "overall"] == "incomplete" and battery.loc["c", "tests_done"] == 2
