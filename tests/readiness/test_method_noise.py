"""Noise everywhere (issue 12, point 4): a change inside the noise is never a flag; noise comes
only from data up to the as-of date."""

from __future__ import annotations

import pandas as pd

from lib.readiness import noise_figures
from lib.core.settings import defaults
from tests.readiness.method_scenarios import ON, Scenario, rules


def cmj_asymmetry(values: dict[str, float]) -> Scenario:
    s = Scenario().daily_pain("2026-11-01", "2026-11-23", 1).hops("2026-11-20").tier("2026-11-01", 3)
    for when, value in values.items():
        s.test(when, "cmj", "asymmetry", "left", value, "%")
    return s


def test_a_steady_asymmetry_above_the_line_is_inside_its_noise() -> None:
    # 11, 12, 10.5% on the three Mondays before (mean 11.2, SD 0.76), 11.5% today: above the 10%
    # amber line but +0.3 from the athlete's own baseline, inside the noise: no flag
    row = cmj_asymmetry({"2026-11-02": 11.0, "2026-11-09": 12.0, "2026-11-16": 10.5, "2026-11-23": 11.5}).board()
    assert not {"cmj_asym_amber", "cmj_asym_red"} & set(rules(row))
    # the gate still reads the level: 11.5% > 10% is an unmet tier-4 criterion
    assert next(c for c in row["criteria"] if c["rule"] == "gate_cmj")["holds"] is False


def test_a_jump_in_asymmetry_beyond_the_noise_flags() -> None:
    # 4, 5, 4.5% (mean 4.5, SD 0.5), then 16%: +11.5 beyond the noise and > 15% -> a step back
    row = cmj_asymmetry({"2026-11-02": 4.0, "2026-11-09": 5.0, "2026-11-16": 4.5, "2026-11-23": 16.0}).board()
    reason = next(r for r in row["reasons"] if r["rule"] == "cmj_asym_red")
    assert reason["kind"] == "stop" and reason["value"] == 16.0 and "beyond noise" in reason["data"]
    assert (row["status"], row["action"]) == ("red", "step back to tier 2")  # tier 3 gates hold, below 3: 2


def test_nordic_imbalance_from_forces_also_needs_to_beat_the_noise() -> None:
    # hand-entered L 400 / R 310 N (22.5%) with no earlier test: no baseline, the level flags (>= 20% red)
    s = Scenario().daily_pain("2026-11-01", "2026-11-23", 1).hops("2026-11-20").tier("2026-11-01", 3)
    s.test("2026-11-23", "nordic", "max_force", "left", 400, "N").test("2026-11-23", "nordic", "max_force", "right", 310, "N")
    row = s.board()
    reason = next(r for r in row["reasons"] if r["rule"] == "nordic_imbalance_red")
    assert reason["value"] == 22.5 and "left 400 N, right 310 N" in reason["data"]


def test_noise_uses_only_tests_up_to_the_as_of_date() -> None:
    # two athletes' CMJ heights: 40 and 50 cm on 11-02; a 90 cm outlier on 11-30 is after the date
    def rows(extra: bool) -> pd.DataFrame:
        r = [("a", "2026-11-02", 40.0), ("b", "2026-11-02", 50.0)] + ([("b", "2026-11-30", 90.0)] if extra else [])
        return pd.DataFrame([{"athlete_id": a, "date": pd.Timestamp(d), "test": "cmj", "metric": "jump_height",
                              "side": "both", "trial": 1, "value": v} for a, d, v in r])
    with_later = rows(True)
    assert noise_figures(with_later[with_later["date"] <= ON], defaults()) == noise_figures(rows(False), defaults())
    # SWC = 0.2 x SD(40, 50) = 0.2 x 7.07 = 1.41
    assert round(noise_figures(rows(False), defaults())["cmj_jump_height_swc"], 2) == 1.41
