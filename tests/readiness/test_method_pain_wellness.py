"""Pain per the pain-monitoring model, wellness as items and a composite (issue 12, points 5 and 6).

One athlete (right hamstring, injured 2026-10-01) at a recorded tier 3 since 11-01, a 95% hop
battery on 11-20; the board on 2026-11-23.
"""

from __future__ import annotations

import pandas as pd
import pytest

from lib.core.settings import defaults
from tests.readiness.method_scenarios import Scenario, criterion, rules

MCLEAN = "1-5 McLean, 5 = best"


def at_tier_3() -> Scenario:
    return Scenario().hops("2026-11-20").tier("2026-11-01", 3)


# ------------------------------------------------------------------------------------ pain

@pytest.mark.parametrize("before, morning, fires, status", [
    (3, 3, False, "amber"),  # acceptable and not risen: hold (pain gate <= 2 unmet), no flag
    (2, 3, True, "red"),     # above the safe 2 and higher than before the session: not settled
    (4, 3, False, "amber"),  # settling: lower than the day before
    (1, 2, False, "green"),  # safe
    (5, 5, False, "amber"),  # acceptable (3-5), steady
    (4, 6, True, "red"),     # above the acceptable 5: not settled (and above the stop level)
])
def test_next_morning_rule(before: float, morning: float, fires: bool, status: str) -> None:
    s = at_tier_3().daily_pain("2026-11-01", "2026-11-21", 1).pain({"2026-11-22": before, "2026-11-23": morning})
    row = s.board()
    assert ("pain_not_settled" in rules(row)) is fires
    # green only for (1, 2): tier-4 gates all hold (pain 2 <= 2, hops 95%) and no flag in the week
    assert row["status"] == status
    if fires:
        assert row["proposed_tier"] == 1  # a stop: no high-velocity work until it settles


def test_three_then_three_is_not_red() -> None:
    # the old rule turned any two scores above 2 red; the model calls 3-5 acceptable
    row = at_tier_3().daily_pain("2026-11-01", "2026-11-23", 3).board()
    assert row["status"] == "amber" and rules(row, "stop") == []
    gate = criterion(row, "gate_pain")
    assert (gate["holds"], gate["value"], gate["threshold"]) == (False, 3.0, 2.0)


def test_pain_not_settled_names_both_mornings() -> None:
    row = at_tier_3().daily_pain("2026-11-01", "2026-11-21", 1).pain({"2026-11-22": 2, "2026-11-23": 4}).board()
    reason = next(r for r in row["reasons"] if r["rule"] == "pain_not_settled")
    assert reason["kind"] == "stop"
    assert reason["short"] == "pain next morning not settled: 4/10 the morning after 2/10"
    assert "Silbernagel 2007" in reason["source"]


# ------------------------------------------------------------------------------------ wellness

def with_items(s: Scenario, usual: dict[str, float], today: dict[str, float]) -> Scenario:
    """Pain 1 every day; the items at `usual` on 10-27..11-22 and at `today` on 11-23."""
    s.daily_pain("2026-11-01", "2026-11-23", 1)
    for d in pd.date_range("2026-10-27", "2026-11-22"):
        for item, value in usual.items():
            s.item(str(d.date()), item, value, MCLEAN if item != "soreness" else "1-5, higher is worse")
    for item, value in today.items():
        s.item("2026-11-23", item, value, MCLEAN if item != "soreness" else "1-5, higher is worse")
    return s


def wellness_reasons(row: dict) -> dict[str, dict]:
    return {r["rule"]: r for r in row["reasons"] if r["rule"].startswith("wellness")}


def test_zero_variance_baseline_still_flags_with_the_sd_floor() -> None:
    # sleep 4 every day (SD 0), then 1: drop 3 steps > 1; z = 3 / max(0, floor 1) = 3 >= 2 -> red
    row = with_items(at_tier_3(), {"sleep": 4}, {"sleep": 1}).board()
    reason = wellness_reasons(row)["wellness_item_red"]
    assert reason["kind"] == "stop" and reason["value"] == 3.0
    assert reason["short"] == "sleep 1/5, usual 4/5: z 3 ≥ 2"
    # a step back, not a stop: the highest tier below 3 whose gates hold (pain 1 <= 2) is 2
    assert (row["status"], row["action"], row["proposed_tier"]) == ("red", "step back to tier 2", 2)


def test_one_step_is_never_a_flag_by_itself() -> None:
    # sleep 4 -> 3 on a steady baseline: z would be 1 / 1 = 1, but one step is inside the noise
    row = with_items(at_tier_3(), {"sleep": 4, "fatigue": 4, "stress": 4, "mood": 4},
                     {"sleep": 3, "fatigue": 4, "stress": 4, "mood": 4}).board()
    assert wellness_reasons(row) == {}


def test_a_drop_on_a_noisy_baseline_is_amber() -> None:
    # sleep alternating 5/5 (14 days) and 2/5 (13 days) on 10-27..11-22: mean 96/27 = 3.56, SD 1.53;
    # then 1: z = (3.56 - 1) / 1.53 = 1.67 -> amber (1 <= z < 2), the item and its usual in words
    s = at_tier_3().daily_pain("2026-11-01", "2026-11-23", 1)
    for i, d in enumerate(pd.date_range("2026-10-27", "2026-11-22")):
        s.item(str(d.date()), "sleep", 2 if i % 2 else 5, MCLEAN)
    row = s.item("2026-11-23", "sleep", 1, MCLEAN).board()
    reason = wellness_reasons(row)["wellness_item_amber"]
    assert reason["kind"] == "hold" and reason["value"] == pytest.approx(1.67, abs=0.01)
    assert reason["short"] == "sleep 1/5, usual 3.6/5: z 1.7 ≥ 1"


def test_soreness_higher_is_worse() -> None:
    # soreness 1 every day, then 3: two steps in its bad direction -> z = 2 / 1 = 2 -> red
    row = with_items(at_tier_3(), {"soreness": 1}, {"soreness": 3}).board()
    assert wellness_reasons(row)["wellness_item_red"]["short"] == "soreness 3/5, usual 1/5: z 2 ≥ 2"
    # and soreness falling (feeling better) is never a flag
    assert wellness_reasons(with_items(at_tier_3(), {"soreness": 3}, {"soreness": 1}).board()) == {}


def test_the_composite_flags_what_no_single_item_does() -> None:
    # five items at 4 (composite 20, SD 0), then each one step down (15): no item flags (one step),
    # the composite drop 5 > 1 x sqrt(5) = 2.24 and z = 5 / max(0, 2.24) = 2.24 >= 2 -> red
    usual = {"sleep": 4, "fatigue": 4, "stress": 4, "mood": 4, "soreness": 2}
    today = {"sleep": 3, "fatigue": 3, "stress": 3, "mood": 3, "soreness": 3}
    reasons = wellness_reasons(with_items(at_tier_3(), usual, today).board())
    assert set(reasons) == {"wellness_composite_red"}
    assert reasons["wellness_composite_red"]["value"] == pytest.approx(2.24, abs=0.01)
    assert reasons["wellness_composite_red"]["short"].startswith("wellness composite (fatigue, mood, sleep, soreness, stress) 9, usual 14")


def test_wellness_red_and_floor_are_settings() -> None:
    cfg = defaults()
    cfg["wellness_z_red"] = 4.0  # sleep 4 -> 1 on a steady baseline: z 3 is now amber
    row = with_items(at_tier_3(), {"sleep": 4}, {"sleep": 1}).board(cfg=cfg)
    assert set(wellness_reasons(row)) == {"wellness_item_amber"}
    cfg = defaults()
    cfg["wellness_sd_floor"] = 2.0  # z = 3 / 2 = 1.5: amber
    row = with_items(at_tier_3(), {"sleep": 4}, {"sleep": 1}).board(cfg=cfg)
    assert wellness_reasons(row)["wellness_item_amber"]["value"] == 1.5
