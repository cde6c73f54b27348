"""Tiers are recorded state; step back means a safe tier (issue 12, points 1 and 2).

Each scenario is one athlete (right hamstring, injured 2026-10-01), board on 2026-11-23.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from lib import store
from lib.cli import main
from lib.readiness import read_tier_history
from tests.readiness.method_scenarios import ON, Scenario, criterion, rules


def steady(s: Scenario) -> Scenario:
    """Pain 1/10 every morning from 11-01 and a 95% hop battery on 11-20: every gate up to tier 5
    holds (strength, CMJ and Nordic are not tested: listed, not blocking)."""
    return s.daily_pain("2026-11-01", "2026-11-23", 1).hops("2026-11-20")


def test_no_recorded_tier_proposes_the_highest_tier_whose_gates_hold() -> None:
    # a GPS glitch of 12.6 m/s six weeks after injury: the board never infers a tier from speed
    row = steady(Scenario()).run("2026-11-10", "2026-11-23", 300, speed=7.0).run("2026-11-12", "2026-11-12", 300,
                                                                               speed=12.6).board()
    assert pd.isna(row["tier"]) and row["tier_basis"] == "proposed" and pd.isna(row["days_at_tier"])
    # tier 2: pain 1 <= 2; tier 3: single hop 95% >= 80%; tier 4: single and triple 95% >= 90%;
    # tier 5: crossover 95%, timed 2.0/2.1 = 95.2% >= 90% -> tier 5 (time and flag gates excluded)
    assert row["proposed_tier"] == 5
    assert (row["status"], row["action"]) == ("amber", "tier not recorded: confirm tier 5")
    assert rules(row)[0] == "tier_not_recorded"


def test_no_recorded_tier_with_a_failed_triple_hop_proposes_tier_3() -> None:
    # triple hop 504/600 = 84%: tier 4 needs >= 90% -> the highest tier whose gates hold is 3
    row = Scenario().daily_pain("2026-11-01", "2026-11-23", 1).hops(
        "2026-11-20", {"single_hop": 190, "triple_hop": 504, "crossover_hop": 475, "timed_hop_6m": 2.1}).board()
    assert (row["tier"] is pd.NA or pd.isna(row["tier"]), row["proposed_tier"]) == (True, 3)


def test_days_at_tier_count_from_the_recorded_change() -> None:
    # recorded tier 3 on 11-18: 23 - 18 = 5 days < 7 -> hold at tier 3, nothing proposed
    row = steady(Scenario()).tier("2026-11-18", 3).board()
    assert (row["tier"], row["tier_basis"], row["days_at_tier"]) == (3, "recorded", 5)
    assert pd.isna(row["proposed_tier"])
    assert (row["status"], row["action"]) == ("amber", "hold at tier 3")
    gate = criterion(row, "gate_time_at_tier")
    assert (gate["holds"], gate["value"], gate["threshold"]) == (False, 5.0, 7.0)
    # on the day of the change: 0 days
    assert steady(Scenario()).tier("2026-11-23", 3).board()["days_at_tier"] == 0


def test_a_week_at_the_tier_without_a_flag_checks_the_flags_of_those_days() -> None:
    # tier 3 recorded 11-10 (13 days); pain 1 every morning except 11-19: 4 after 1 the morning
    # before (above the safe 2 and higher: not settled, a stop flag on 11-19). The week checked is
    # 11-17..11-23: one flagged day -> hold at tier 3 although every other gate holds
    s = steady(Scenario()).tier("2026-11-10", 3)
    s.wellness = [w for w in s.wellness if w["date"] != pd.Timestamp("2026-11-19")]
    row = s.pain({"2026-11-19": 4}).board()
    gate = criterion(row, "gate_flag_free")
    assert (gate["holds"], gate["value"]) == (False, 1.0)
    assert "flagged: 2026-11-19" in gate["data"]
    assert (row["status"], row["action"], row["days_at_tier"]) == ("amber", "hold at tier 3", 13)


def test_a_flag_before_the_week_does_not_hold() -> None:
    # the same blip on 11-15 lies outside 11-17..11-23: green, the board proposes tier 4
    s = steady(Scenario()).tier("2026-11-10", 3)
    s.wellness = [w for w in s.wellness if w["date"] != pd.Timestamp("2026-11-15")]
    row = s.pain({"2026-11-15": 4}).board()
    assert criterion(row, "gate_flag_free")["holds"] is True
    assert (row["status"], row["action"], row["tier"], row["proposed_tier"]) == ("green", "progress to tier 4", 3, 4)


def test_an_unmet_gate_is_not_a_flag() -> None:
    # pain 3/10 every day (acceptable, never rising): gate_pain is unmet (hold) but no day is flagged
    row = Scenario().daily_pain("2026-11-01", "2026-11-23", 3).hops("2026-11-20").tier("2026-11-10", 3).board()
    assert criterion(row, "gate_flag_free")["value"] == 0
    assert criterion(row, "gate_pain")["holds"] is False
    assert row["status"] == "amber" and rules(row, "stop") == []


def test_step_back_proposes_the_highest_tier_below_whose_gates_hold() -> None:
    # tier 5 recorded 11-10; hop batteries 11-13 (95% everywhere) and 11-20 with the triple hop
    # 570 -> 498 cm: LSI 95% -> 83%, a 12-point drop > 5 (trials identical: no trial noise).
    # Tier 4 needs triple >= 90%: fails; tier 3 (pain 1 <= 2, single 95% >= 80%) holds -> 3
    row = Scenario().daily_pain("2026-11-01", "2026-11-23", 1).tier("2026-11-10", 5).hops("2026-11-13").hops(
        "2026-11-20", {"single_hop": 190, "triple_hop": 498, "crossover_hop": 475, "timed_hop_6m": 2.1}).board()
    assert rules(row, "stop") == ["hop_lsi_drop"]
    assert (row["status"], row["action"]) == ("red", "step back to tier 3")
    # the proposal is shown beside the recorded tier, not recorded
    assert (row["tier"], row["tier_basis"], row["proposed_tier"]) == (5, "recorded", 3)


def test_a_confirmed_step_back_is_not_stepped_back_again() -> None:
    # the same athlete once staff record tier 3 on 11-23: the drop was seen (its battery is no later
    # than the change), so it holds at 3 instead of proposing tier 2
    row = Scenario().daily_pain("2026-11-01", "2026-11-23", 1).tier("2026-11-10", 5).hops("2026-11-13").hops(
        "2026-11-20", {"single_hop": 190, "triple_hop": 498, "crossover_hop": 475, "timed_hop_6m": 2.1}).tier(
        "2026-11-23", 3, "step back: triple hop").board()
    assert (row["status"], row["tier"], row["days_at_tier"], row["proposed_tier"] is pd.NA
            or pd.isna(row["proposed_tier"])) == ("amber", 3, 0, True)
    drop = next(r for r in row["reasons"] if r["rule"] == "hop_lsi_drop")
    assert drop["kind"] == "hold" and "acted on: tier 3 recorded 2026-11-23" in drop["message"]


@pytest.mark.parametrize("what, add, stop_rule", [
    # pain 7 > 5 after 1 the day before: above the stop level (and not settled)
    ("pain above the stop level", lambda s: s.pain({"2026-11-23": 7}), "pain_stop"),
    # swelling reported after a session
    ("swelling", lambda s: s.item("2026-11-23", "swelling", 1, "0 = none, 1 = present"), "swelling"),
    # pain 4 the morning after 1: above the safe 2 and higher than before the session (not above 5)
    ("pain not settled next morning", lambda s: s.pain({"2026-11-23": 4}), "pain_not_settled"),
])
def test_a_stop_proposes_tier_1(what: str, add: object, stop_rule: str) -> None:
    s = Scenario().daily_pain("2026-11-01", "2026-11-22", 1).hops("2026-11-20").tier("2026-11-09", 4)
    if stop_rule == "swelling":
        s.pain({"2026-11-23": 1})
    row = add(s).board()  # type: ignore[operator]
    assert stop_rule in rules(row, "stop"), what
    assert (row["status"], row["action"], row["tier"], row["proposed_tier"]) == (
        "red", "stop: tier 1 until it settles", 4, 1)


def test_healthy_athlete_has_no_tier() -> None:
    row = Scenario(injured=False).run("2026-10-20", "2026-11-23", 300, speed=8.5).board()
    assert (pd.isna(row["tier"]), row["tier_basis"], pd.isna(row["proposed_tier"])) == (True, "none", True)


def test_a_tier_from_an_earlier_episode_does_not_count() -> None:
    # tier 5 recorded in 2026-08 (a previous, cleared injury): this episode has no recorded tier
    s = steady(Scenario()).tier("2026-08-20", 5)
    s.injuries = [{"athlete_id": "a", "injury_date": pd.Timestamp("2026-08-01"), "side": "left", "region": "calf",
                   "cleared_date": pd.Timestamp("2026-09-01")},
                  {"athlete_id": "a", "injury_date": pd.Timestamp("2026-10-01"), "side": "right", "region": "hamstring"}]
    row = s.board()
    assert (row["tier_basis"], row["proposed_tier"]) == ("proposed", 5) and pd.isna(row["tier"])


# ------------------------------------------------------------------------------------ CLI

@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "store.sqlite"
    s = steady(Scenario())
    engine = store.connect(path)
    data = s.data()
    with engine.begin() as conn:
        for name in ("athletes", "injuries", "tests", "wellness"):
            table = store.metadata.tables[name]
            frame = getattr(data, name)
            store.insert_frame(conn, table, frame[[c for c in frame.columns if c in table.c]])
    store.dispose_all()
    return str(path)


def test_cli_confirms_the_proposal_and_the_board_json_reads_it(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["board", "--db", db, "--on", "2026-11-23", "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert (row["tier"], row["tier_basis"], row["days_at_tier"], row["proposed_tier"]) == (None, "proposed", None, 5)
    assert row["reasons"][0]["rule"] == "tier_not_recorded" and row["reasons"][0]["kind"] == "hold"
    assert main(["tier", "a", "--db", db, "--on", "2026-11-23", "--confirm", "--who", "dr x"]) == 0
    assert "a: tier 5 recorded (confirmed the board's proposal" in capsys.readouterr().out
    history = read_tier_history(store.connect(db))
    assert history[["athlete_id", "tier", "who"]].values.tolist() == [["a", 5, "dr x"]]
    assert main(["board", "--db", db, "--on", "2026-11-23", "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert (row["tier"], row["tier_basis"], row["days_at_tier"]) == (5, "recorded", 0)
    # a hold at tier 5 (0 days < 7): nothing to confirm
    assert main(["tier", "a", "--db", db, "--on", "2026-11-23", "--confirm"]) == 1
    store.dispose_all()


# --------------------------------------------------------- green proposes the next tier (README, method)

def test_green_proposes_the_next_tier_for_a_medical_user_to_confirm() -> None:
    # tier 4 recorded 11-10 (13 days >= 7), pain 1 every morning (no day of 11-17..11-23 flagged), a 95%
    # hop battery on 11-20: every tier-5 gate holds (strength, CMJ, Nordic not tested: listed, not
    # blocking). "Progress in tiers on objective criteria": the board proposes tier 5 beside the
    # recorded 4; it becomes the tier only when a medical user confirms it
    row = steady(Scenario()).tier("2026-11-10", 4).board()
    assert (row["status"], row["action"]) == ("green", "progress to tier 5")
    assert (row["tier"], row["tier_basis"], row["days_at_tier"], row["proposed_tier"]) == (4, "recorded", 13, 5)
    assert rules(row)[0] == "criteria_met"


def test_green_at_the_top_tier_is_cleared_for_full_return_and_proposes_no_tier() -> None:
    # tier 5 recorded 11-10. MSS 9.2 m/s (09-02, confirmed by 9.0 on 09-09); 8.5 m/s on 11-20 is 92.4%
    # >= 90% three days ago (Malone 2017); 300 m HSR a day before the injury and in rehab: 100% of the
    # pre-injury chronic load >= 90%. Every exit criterion of tier 5 holds: green, cleared for full
    # return. There is no tier 6 to propose: clearing the injury is the medical record's (cleared_date)
    from tests.readiness.test_method_mss import pre_season

    s = steady(pre_season(Scenario())).tier("2026-11-10", 5).run("2026-10-20", "2026-11-23", 300, speed=7.0)
    row = s.run("2026-11-20", "2026-11-20", 0, speed=8.5).board()
    assert (criterion(row, "gate_near_max")["value"], criterion(row, "gate_pre_injury_load")["value"]) == (3.0, 100.0)
    assert all(c["holds"] is not False for c in row["criteria"])
    assert (row["status"], row["action"], row["tier"]) == ("green", "cleared for full return", 5)
    assert pd.isna(row["proposed_tier"])


def test_a_step_back_with_no_safe_tier_below_proposes_tier_1() -> None:
    # tier 3 recorded 11-10; pain 3/10 every morning (acceptable, never rising: no stop); hop batteries
    # 11-13 (95%) and 11-20 with the triple hop at 83%: a 12-point drop, a step back. Tier 2 needs
    # pain <= 2: it does not hold, so no tier below 3 is safe -> tier 1
    row = Scenario().daily_pain("2026-11-01", "2026-11-23", 3).tier("2026-11-10", 3).hops("2026-11-13").hops(
        "2026-11-20", {"single_hop": 190, "triple_hop": 498, "crossover_hop": 475, "timed_hop_6m": 2.1}).board()
    assert rules(row, "stop") == ["hop_lsi_drop"]
    assert (row["status"], row["action"], row["tier"], row["proposed_tier"]) == ("red", "step back to tier 1", 3, 1)
