"""The board's engine reads only the rows a fact of the board's days can read (lib.readiness.rows.reach:
the board's day and the tier_min_days - 1 re-judged days before it, then stale_days and a
baseline_days baseline), plus the few older rows a count or a previous value needs. Hand-worked
scenarios where those older rows decide the fact, each also against the loop per athlete
(tests/readiness/legacy_board.py), which reads every row.

Defaults: stale_days 21, baseline_days 28, tier_min_days 7: on 2026-11-23 the engine keeps rows from
2026-11-23 - 7 - (21 + 28 + 1) = 2026-09-27 on."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.core.settings import defaults
from lib.metrics.symmetry import HOP_BATTERY, limb_symmetry
from lib.readiness import STRENGTH_TEST, readiness_board
from lib.readiness.recent import board_lsi
from lib.readiness.rows import reach
from tests.readiness.legacy_board import legacy_readiness_board
from tests.readiness.method_scenarios import ON, Scenario, rules
from tests.readiness.test_engine import assert_same_board, assert_same_facts, season

JULY_INJURY = [{"athlete_id": "a", "injury_date": pd.Timestamp("2026-07-01"), "side": "right", "region": "hamstring"}]
MCLEAN = "1-5 McLean, 5 = best"


def both_boards(s: Scenario) -> dict:
    data, cfg = s.data(), defaults()
    old_facts: dict = {}
    new_facts: dict = {}
    old = legacy_readiness_board(data, ON, cfg, facts_out=old_facts)
    new = readiness_board(data, ON, cfg, facts_out=new_facts)
    assert_same_board(old, new)
    assert_same_facts(old_facts, new_facts)
    return new.iloc[0].to_dict() | {"_facts": new_facts["a"]}


def test_the_reach_is_stale_days_and_a_baseline() -> None:
    assert reach(defaults()) == pd.Timedelta(days=21 + 28 + 1)
    cfg = defaults()
    cfg["stale_days"] = 2.0  # swelling and the wellness items still look 3 days back
    assert reach(cfg) == pd.Timedelta(days=3 + 28 + 1)


def test_the_previous_hop_battery_long_before_the_reach_still_counts() -> None:
    # injured 07-01; batteries on 07-15 (LSI 95% everywhere) and 11-20 with the triple hop 570 -> 498 cm:
    # LSI 95% -> 83%, a 12-point drop > 5 with no trial noise. The 07-15 battery lies 131 days
    # before the board, before the engine's first kept day (09-27): the drop is still seen
    s = Scenario(injuries=JULY_INJURY).daily_pain("2026-11-01", "2026-11-23", 1).tier("2026-11-10", 5)
    s.hops("2026-07-15").hops("2026-11-20", {"single_hop": 190, "triple_hop": 498, "crossover_hop": 475,
                                             "timed_hop_6m": 2.1})
    row = both_boards(s)
    assert rules(row, "stop") == ["hop_lsi_drop"]
    assert row["_facts"]["hop_lsi_drop"] == 95.0 - 83.0
    assert row["_facts"]["_sources"]["hop_lsi_drop"] == ("triple hop LSI 95% (2026-07-15) -> 83% (2026-11-20); "
                                                         "trial noise 0.0 points")
    # the week at tier 5 is re-judged on the same older battery: 11-20..11-22 flagged, 11-17..11-19 not
    assert row["_facts"]["flagged_days_at_tier"] == 4.0  # 11-20, 11-21, 11-22 and the day itself


def test_a_wellness_item_answered_four_times_counts_with_old_answers() -> None:
    # sleep answered on 08-01, 08-02 and 08-03 (5/5), then 11-20 and 11-21 (5/5) and 11-23 (2/5): six
    # answers (>= 4, the item counts), three of them after the engine's first kept day. Baseline
    # 11-20..11-21: mean 5, SD 0 -> floor 1; drop 3 steps > 1: z = 3 / 1 = 3 >= 2 -> red
    s = Scenario().daily_pain("2026-11-01", "2026-11-23", 1).hops("2026-11-20").tier("2026-11-10", 3)
    for when, value in (("2026-08-01", 5), ("2026-08-02", 5), ("2026-08-03", 5), ("2026-11-20", 5),
                        ("2026-11-21", 5), ("2026-11-23", 2)):
        s.item(when, "sleep", value, MCLEAN)
    row = both_boards(s)
    assert row["_facts"]["wellness_item_z"] == 3.0
    red = next(r for r in row["reasons"] if r["rule"] == "wellness_item_red")
    assert red["short"] == "sleep 2/5, usual 5/5: z 3 ≥ 2"


def test_three_answers_in_all_are_not_enough() -> None:
    # the same without the August answers: three answers in all (< 4): no wellness fact
    s = Scenario().daily_pain("2026-11-01", "2026-11-23", 1).hops("2026-11-20").tier("2026-11-10", 3)
    for when, value in (("2026-11-20", 5), ("2026-11-21", 5), ("2026-11-23", 2)):
        s.item(when, "sleep", value, MCLEAN)
    row = both_boards(s)
    assert "wellness_item_z" not in row["_facts"]
    assert not [r for r in row["reasons"] if r["rule"].startswith("wellness")]


def _triple(s: Scenario, when: str, involved: float, uninvolved: float) -> None:
    for side, v in (("right", involved), ("left", uninvolved)):
        s.test(when, "triple_hop", "distance", side, v, "cm")


def test_a_pair_of_limbs_without_an_lsi_reads_the_whole_season() -> None:
    # triple hop before the first kept day: 07-05 (570/600 = 95%), 07-10 (left 0: zero reference,
    # no LSI), 07-20 (95%). The board's LSI days reach back to the second-latest day with both limbs
    # (07-10), which gives one valid LSI of the two the facts may read: the whole season is computed.
    # 11-20: 498 / 600 = 83%: a 12-point drop from 07-20, beyond the trial noise of one trial per limb:
    # hop_sem 4.1% each, sqrt(4.1^2 + 4.1^2) = 5.8 points
    s = Scenario(injuries=JULY_INJURY).daily_pain("2026-11-01", "2026-11-23", 1).tier("2026-11-10", 5)
    for when, involved, uninvolved in (("2026-07-05", 570, 600), ("2026-07-10", 570, 0), ("2026-07-20", 570, 600),
                                       ("2026-11-20", 498, 600)):
        _triple(s, when, involved, uninvolved)
    data = s.data()
    keep_from = ON - pd.Timedelta(days=7) - reach(defaults())
    lsi = board_lsi(data.tests, data.injuries, keep_from, {"triple_hop"})
    assert list(lsi["date"].dt.strftime("%m-%d")) == ["07-05", "07-10", "07-20", "11-20"]
    row = both_boards(s)
    assert row["_facts"]["_sources"]["hop_lsi_drop"] == ("triple hop LSI 95% (2026-07-20) -> 83% (2026-11-20); "
                                                         "trial noise 5.8 points")


@pytest.mark.parametrize("back", [7, 57, 150])
def test_the_board_lsi_rows_are_the_season_rows(back: int) -> None:
    # every row from the first kept day on, and each hop test's last two valid LSIs before it
    data, on = season(40), pd.Timestamp("2026-06-30")
    keep_from = on - pd.Timedelta(days=back)
    wanted = {*HOP_BATTERY, *STRENGTH_TEST.values()}
    tests = data.tests[data.tests["date"] <= on]
    full = limb_symmetry(tests[tests["test"].isin(wanted)], data.injuries)
    got = board_lsi(tests, data.injuries, keep_from, wanted)
    assert len(got) < len(full)
    pd.testing.assert_frame_equal(full[full["date"] >= keep_from].reset_index(drop=True),
                                  got[got["date"] >= keep_from].reset_index(drop=True), check_exact=True)

    def previous(lsi: pd.DataFrame) -> pd.DataFrame:
        old = lsi[(lsi["date"] < keep_from) & lsi["test"].isin(HOP_BATTERY) & lsi["lsi"].notna()]
        return old.groupby(["athlete_id", "test"], sort=False).tail(2).reset_index(drop=True)

    pd.testing.assert_frame_equal(previous(full), previous(got), check_exact=True)


def test_a_re_judged_week_change_reads_the_calendar_from_an_old_session() -> None:
    # one session on 08-01, then 100 m a day on 11-11..11-15 and 250 m a day on 11-16..11-22; tier 3
    # recorded 11-10, the board on 11-23 re-judges 11-17..11-22. The athlete's calendar starts on
    # 08-01 (the engine keeps that session although it lies before the sessions it reads), so 14
    # days lie behind each re-judged day: on 11-22 the last 7 days 7 x 250 = 1750 m vs 11-09..11-15,
    # 5 days on record (11-09 and 11-10 are after a gap) x 100 m, weekly 700 m: +150% > 50% -> hold;
    # on 11-21 1600 vs 4 days on record, weekly 700: +129%; on 11-20 only 3 days on record the week
    # before (< 4): no figure. On 11-23 (no session, off record): 6 x 250 -> 1750 vs 6 days on
    # record (5 x 100 + 250) -> 875: +100%. Flagged: 11-21, 11-22 and the day itself
    s = Scenario().daily_pain("2026-11-01", "2026-11-23", 1).hops("2026-11-20").tier("2026-11-10", 3)
    s.run("2026-08-01", "2026-08-01", 100).run("2026-11-11", "2026-11-15", 100).run("2026-11-16", "2026-11-22", 250)
    row = both_boards(s)
    assert row["_facts"]["flagged_days_at_tier"] == 3.0
    assert row["_facts"]["_sources"]["flagged_days_at_tier"] == (
        "days checked: 2026-11-17 to 2026-11-23; flagged: 2026-11-21, 2026-11-22, 2026-11-23")
    assert row["_facts"]["hsr_week_change_pct"] == 100.0
