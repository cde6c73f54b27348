"""Limb symmetry's grouped passes over many athletes: the injury relevant to each test day is found
only for athletes with an injury on record, and an athlete with none compares weaker / stronger."""

from __future__ import annotations

import pandas as pd

from lib.metrics.symmetry import injury_sides, limb_symmetry


def _hops(athlete: str, when: str, left: float, right: float) -> list[dict]:
    return [{"athlete_id": athlete, "date": pd.Timestamp(when), "test": "single_hop", "metric": "distance",
             "side": side, "trial": 1, "value": v, "unit": "cm", "device": "sheet", "source_file": "hop.xlsx",
             "source_row": 2} for side, v in (("left", left), ("right", right))]


INJURY = pd.DataFrame({"athlete_id": ["b"], "injury_date": [pd.Timestamp("2026-10-01")], "side": ["right"],
                       "region": ["hamstring"]})


def test_an_athlete_without_an_injury_beside_one_with() -> None:
    # a (no injury): left 200, right 150 -> weaker / stronger 150 / 200 = 75%.
    # b (right injured 10-01): before it, on 09-20, the injury to come is the reference (right 180 /
    # left 200 = 90%); after it, on 11-20, right 160 / left 200 = 80%
    tests = pd.DataFrame(_hops("a", "2026-11-20", 200, 150) + _hops("b", "2026-09-20", 200, 180)
                         + _hops("b", "2026-11-20", 200, 160))
    lsi = limb_symmetry(tests, INJURY).set_index(["athlete_id", "date"])
    a = lsi.loc[("a", pd.Timestamp("2026-11-20"))]
    assert (a["basis"], a["lsi"], pd.isna(a["involved_side"])) == ("weaker/stronger", 75.0, True)
    before, after = lsi.loc[("b", pd.Timestamp("2026-09-20"))], lsi.loc[("b", pd.Timestamp("2026-11-20"))]
    assert (before["basis"], before["involved_side"], before["lsi"]) == ("involved/uninvolved", "right", 90.0)
    assert (after["lsi"], after["involved_pct_pre"], after["uninvolved_pct_pre"]) == (80.0, 160 / 180 * 100, 100.0)


def test_injuries_of_other_athletes_only() -> None:
    keys = pd.DataFrame({"athlete_id": ["a", "a"], "date": pd.to_datetime(["2026-11-20", "2026-11-21"])})
    got = injury_sides(keys, INJURY)
    assert got["involved_side"].isna().all() and got["injury_date"].isna().all()
    assert list(got["athlete_id"]) == ["a", "a"]
