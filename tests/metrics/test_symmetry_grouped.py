"""Limb symmetry's grouped passes over many athletes: the injury relevant to each test day is found
only for athletes with an injury on record, and an athlete with none compares weaker / stronger.
The sorted-array passes (issue 15) give the frames the code before them gave: `limb_symmetry` and
the board's `board_lsi` equal in dtypes, order and values to the copies frozen in
tests/metrics/legacy_symmetry.py, on the demo team on several days and on benchmark seasons."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmarks.metrics_bench import ON, season
from lib import store
from lib.core.settings import defaults
from lib.ingest.demo import load_demo
from lib.metrics.symmetry import HOP_BATTERY, injury_sides, limb_symmetry
from lib.readiness import STRENGTH_TEST, Data
from lib.readiness.engine import first_kept_day
from lib.readiness.recent import board_lsi
from tests.metrics import legacy_symmetry as legacy

WANTED = {*HOP_BATTERY, *STRENGTH_TEST.values()}


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


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Data:
    engine = store.connect(Path(tmp_path_factory.mktemp("demo")) / "demo.sqlite")
    assert all(r.status == "imported" for r in load_demo(engine))
    data = Data.from_store(engine)
    store.dispose_all()
    return data


def assert_same(tests: pd.DataFrame, injuries: pd.DataFrame, on: pd.Timestamp) -> None:
    """limb_symmetry of every test up to `on` and of the board's tests, and board_lsi at the board's
    first kept day and two other cut-offs: each frame equal to the frozen code's."""
    t = tests[tests["date"] <= on]
    pd.testing.assert_frame_equal(limb_symmetry(t, injuries), legacy.limb_symmetry(t, injuries), check_exact=True)
    board = t[t["test"].isin(WANTED)]
    pd.testing.assert_frame_equal(limb_symmetry(board, injuries), legacy.limb_symmetry(board, injuries),
                                  check_exact=True)
    for keep_from in (first_kept_day(on, defaults()), on - pd.Timedelta(days=7), on - pd.Timedelta(days=150)):
        pd.testing.assert_frame_equal(board_lsi(t, injuries, keep_from, WANTED),
                                      legacy.board_lsi(t, injuries, keep_from, WANTED), check_exact=True)


@pytest.mark.parametrize("day", ["2026-11-23", "2026-10-01", "2026-06-30", "2025-12-31"])
def test_the_demo_team_gets_the_same_lsi(demo: Data, day: str) -> None:
    assert_same(demo.tests, demo.injuries, pd.Timestamp(day))


def test_a_160_athlete_season_gets_the_same_lsi() -> None:
    data = season(160, per=250, tiers=True)
    assert_same(data.tests, data.injuries, ON)
    assert_same(data.tests, data.injuries, ON - pd.Timedelta(days=60))  # before some injuries
    assert_same(data.tests, data.injuries.iloc[:0], ON)  # no injury on record: weaker / stronger


def test_a_season_with_re_injuries_and_both_limbs_hurt_gets_the_same_lsi() -> None:
    # a second injury on the other side for every other injured athlete (both limbs: bilateral),
    # one on the same side (a re-injury in the episode), one cleared; blank values and units
    data = season(40, per=250)
    inj = data.injuries
    other = inj.iloc[::2].assign(injury_date=inj["injury_date"].iloc[::2] + pd.Timedelta(days=9),
                                 side=inj["side"].iloc[::2].map({"left": "right", "right": "left"}))
    again = inj.iloc[1::4].assign(injury_date=inj["injury_date"].iloc[1::4] + pd.Timedelta(days=20))
    injuries = pd.concat([inj, other, again], ignore_index=True)
    injuries.loc[injuries.index[-1], "cleared_date"] = ON - pd.Timedelta(days=3)
    tests = data.tests.copy()
    tests.loc[tests.index[::53], "value"] = pd.NA
    tests.loc[tests.index[::211], "value"] = 0.0
    tests.loc[tests.index[::307], "unit"] = pd.NA
    assert_same(tests, injuries, ON)
    assert_same(tests, injuries, ON - pd.Timedelta(days=30))


def test_the_injury_of_a_date_is_the_latest_on_or_before_it_else_the_first() -> None:
    # b: right 10-01, left 10-20, right again 10-20 (the same day: the later row of the day counts,
    # as the frozen as-of merge took it). 09-20 -> the first injury (right, 10-01); 10-01 -> right
    # 10-01 (on the day); 10-19 -> right 10-01; 11-20 -> the 10-20 injury listed last (right)
    injuries = pd.DataFrame({"athlete_id": ["b", "b", "b"], "injury_date": pd.to_datetime(["2026-10-01", "2026-10-20",
                                                                                            "2026-10-20"]),
                             "side": ["right", "left", "right"], "region": ["hamstring"] * 3})
    keys = pd.DataFrame({"athlete_id": ["b", "b", "a", "b", "b"],
                         "date": pd.to_datetime(["2026-09-20", "2026-10-01", "2026-10-05", "2026-10-19", "2026-11-20"])})
    got = injury_sides(keys, injuries)
    assert list(got["involved_side"].fillna("-")) == ["right", "right", "-", "right", "right"]
    assert list(got["injury_date"].dt.strftime("%m-%d").fillna("-")) == ["10-01", "10-01", "-", "10-01", "10-20"]
    pd.testing.assert_frame_equal(got, legacy.injury_sides(keys, injuries), check_exact=True)


def test_two_units_on_the_pre_injury_day_give_the_reference_of_the_last_unit() -> None:
    # b (right injured 10-01) hopped on 09-20 with the left limb in cm (200) and the right in inches
    # (70): two LSI rows that day, sorted by unit (cm: left only, in: right only), and the last
    # before the injury is the reference, as before. 11-20 in cm: right 160 / 70 = 228.6%; the left
    # has no reference in that row (NaN)
    rows = _hops("b", "2026-09-20", 200, 70)
    rows[1] = {**rows[1], "unit": "in"}
    tests = pd.DataFrame(rows + _hops("b", "2026-11-20", 200, 160))
    lsi = limb_symmetry(tests, INJURY)
    assert list(lsi["unit"]) == ["cm", "in", "cm"]
    after = lsi.set_index("date").loc[pd.Timestamp("2026-11-20")]
    assert (after["pre_injury_date"], round(after["involved_pct_pre"], 1)) == (pd.Timestamp("2026-09-20"), 228.6)
    assert pd.isna(after["uninvolved_pct_pre"])
    pd.testing.assert_frame_equal(lsi, legacy.limb_symmetry(tests, INJURY), check_exact=True)
