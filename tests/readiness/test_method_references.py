"""Pre-injury references (issue 12, point 9): the last healthy window before the episode's first
injury; bilateral injuries use % of pre-injury per limb; one limb tested keeps the last valid LSI."""

from __future__ import annotations

import pandas as pd

from lib.metrics.symmetry import limb_symmetry
from tests.readiness.method_scenarios import ON, Scenario, criterion


def single_hop(s: Scenario, when: str, right: float | None, left: float | None) -> Scenario:
    for side, value in (("right", right), ("left", left)):
        if value is not None:
            for trial in (1, 2):
                s.tests.append({"athlete_id": "a", "date": pd.Timestamp(when), "test": "single_hop", "metric": "distance",
                                "side": side, "trial": trial, "value": value, "unit": "cm", "source_file": "hops.xlsx",
                                "source_row": len(s.tests) + 2})
    return s


def test_after_a_re_injury_the_pre_injury_value_is_from_before_the_first_injury() -> None:
    # pre-season 08-31: 200 cm both limbs. Injury 10-01 (right hamstring), rehab test 10-15 (R 150),
    # re-injury 10-20 (same region and side, not cleared: the same episode), test 11-20 (R 180, L 195).
    # % of pre-injury = 180 / 200 = 90% (08-31), not 180 / 150 = 120% (the first rehab)
    s = single_hop(single_hop(single_hop(Scenario(), "2026-08-31", 200, 200), "2026-10-15", 150, 190), "2026-11-20", 180, 195)
    s.injuries = [{"athlete_id": "a", "injury_date": pd.Timestamp("2026-10-01"), "side": "right", "region": "hamstring"},
                  {"athlete_id": "a", "injury_date": pd.Timestamp("2026-10-20"), "side": "right", "region": "hamstring"}]
    data = s.data()
    row = limb_symmetry(data.tests, data.injuries).set_index("date").loc[pd.Timestamp("2026-11-20")]
    assert row["involved_pct_pre"] == 90.0 and row["uninvolved_pct_pre"] == 97.5
    assert row["pre_injury_date"] == pd.Timestamp("2026-08-31")


def test_a_bilateral_injury_uses_each_limb_against_its_pre_injury_value() -> None:
    # both hamstrings injured (right 10-01, left 10-05). Pre-season 200 / 200 cm; now L 150, R 160:
    # the LSI would read 150 / 160 = 93.8% ("passes"), but the limbs are at 75% and 80% of pre-injury.
    # The gate reads the weaker limb: 75% < 90% -> not met, and the source says why
    s = single_hop(single_hop(Scenario(), "2026-08-31", 200, 200), "2026-11-20", 160, 150)
    s.injuries = [{"athlete_id": "a", "injury_date": pd.Timestamp("2026-10-01"), "side": "right", "region": "hamstring"},
                  {"athlete_id": "a", "injury_date": pd.Timestamp("2026-10-05"), "side": "left", "region": "hamstring"}]
    s.daily_pain("2026-11-01", "2026-11-23", 1).tier("2026-11-01", 3)
    data = s.data()
    lsi = limb_symmetry(data.tests, data.injuries).set_index("date").loc[pd.Timestamp("2026-11-20")]
    assert round(lsi["lsi"], 1) == 93.8 and lsi["basis"] == "bilateral"
    assert lsi["note"] == "bilateral injury: LSI unreliable, compare each limb with its pre-injury value"
    gate = criterion(s.board(), "gate_single_hop")
    assert (gate["holds"], gate["value"]) == (False, 75.0)
    assert "bilateral injury, LSI unreliable (94%): weaker limb 75% of pre-injury" in gate["data"]


def test_one_limb_tested_keeps_the_last_valid_lsi_with_its_date() -> None:
    # 11-13: R 190 / L 200 = 95%; 11-20: only the right limb tested (no LSI). The gate keeps 95% from 11-13
    s = single_hop(single_hop(Scenario(), "2026-11-13", 190, 200), "2026-11-20", 185, None)
    s.daily_pain("2026-11-01", "2026-11-23", 1).tier("2026-11-01", 3)
    gate = criterion(s.board(ON), "gate_single_hop")
    assert (gate["holds"], gate["value"]) == (True, 95.0)
    assert gate["data"].startswith("2026-11-13: ") and gate["data"].endswith("(later test: one limb only)")
