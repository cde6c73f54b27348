"""The vectorised board engine gives the board the loop per athlete gave, row by row (issue 15,
item 2): on the demo team (recorded tiers, saved plans, the stories of sample_data/README.md) on
several days, and on a generated 160-athlete season with recorded tiers. The loop is kept in
tests/readiness/legacy_board.py as it was before the engine; the rules are shared."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib import store
from lib.core.schema import conform
from lib.core.settings import defaults
from lib.ingest.demo import load_demo
from lib.metrics.exposure import exposure_status
from lib.readiness import Data, active_injury, readiness_board, recorded_tier
from lib.readiness.engine import active_injuries, recorded_tiers
from lib.metrics.baselines import episode_start, episode_starts
from tests.readiness.legacy_board import legacy_exposure_status, legacy_readiness_board

TESTING_DAY = pd.Timestamp("2026-11-23")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Data:
    engine = store.connect(Path(tmp_path_factory.mktemp("demo")) / "demo.sqlite")
    reports = load_demo(engine)
    assert all(r.status == "imported" for r in reports)
    data = Data.from_store(engine)
    store.dispose_all()
    return data


def season(n: int, seed: int = 5) -> Data:
    """`n` athletes over a season: 250 GPS sessions, 500 test rows and 183 pain scores each, a third
    returning from an injury (one in three of them re-injured in rehab), half of those at a tier
    staff recorded."""
    rng = np.random.default_rng(seed)
    ids = [f"A{i:03d}" for i in range(n)]
    on = pd.Timestamp("2026-06-30")
    start = pd.Timestamp("2025-07-01")
    athletes = conform(pd.DataFrame({"athlete_id": ids, "name": [f"Athlete {i:03d}" for i in range(n)],
                                     "squad": "First team", "position": "Midfielder"}), "athletes")
    injured = ids[: n // 3]
    when = on - pd.to_timedelta(rng.integers(20, 90, len(injured)), unit="D")
    side, region = rng.choice(["left", "right"], len(injured)), rng.choice(["hamstring", "calf", "adductor", "ankle"], len(injured))
    again = list(range(0, len(injured), 3))  # a re-injury in rehab: the episode starts at the first
    injuries = conform(pd.DataFrame({
        "athlete_id": injured + [injured[i] for i in again],
        "injury_date": list(when) + [when[i] + pd.Timedelta(days=9) for i in again],
        "side": list(side) + [side[i] for i in again], "region": list(region) + [region[i] for i in again],
    }), "injuries")
    per, tests_per = 250, 500
    days = start + pd.to_timedelta(np.sort(rng.integers(0, 365, (n, per)), axis=1).ravel(), unit="D")
    sessions = conform(pd.DataFrame({
        "athlete_id": np.repeat(ids, per), "date": days, "session": "Drill",
        "hsr_distance_m": rng.uniform(0, 120, n * per), "sprint_distance_m": rng.uniform(0, 30, n * per),
        "max_speed_ms": rng.uniform(6.0, 9.5, n * per), "device": "GPS", "source_file": "gps.xlsx",
        "source_row": np.arange(n * per) + 2,
    }), "sessions")
    tdays = start + pd.to_timedelta(rng.integers(0, 52, n * tests_per) * 7, unit="D")
    test = rng.choice(["single_hop", "triple_hop", "crossover_hop", "timed_hop_6m", "cmj", "nordic"], n * tests_per)
    metric = np.select([test == "timed_hop_6m", test == "cmj", test == "nordic"], ["time", "asymmetry", "max_force"],
                       "distance")
    tests = conform(pd.DataFrame({
        "athlete_id": np.repeat(ids, tests_per), "date": tdays, "test": test, "metric": metric,
        "side": np.where(test == "cmj", "left", rng.choice(["left", "right"], n * tests_per)),
        "trial": rng.integers(1, 4, n * tests_per), "value": rng.uniform(2, 600, n * tests_per), "unit": "cm",
        "device": "sheet", "source_file": "hop.xlsx", "source_row": np.arange(n * tests_per) + 2,
    }), "tests")
    wdays = start + pd.to_timedelta(np.tile(np.arange(0, 365, 2), n), unit="D")
    wellness = conform(pd.DataFrame({"athlete_id": np.repeat(ids, 183), "date": wdays, "item": "pain",
                                     "value": rng.integers(0, 4, len(wdays)), "scale": "0-10"}), "wellness")
    history = pd.DataFrame({"athlete_id": injured[::2], "date": on - pd.Timedelta(days=4), "tier": 2,
                            "reason": "criteria met", "who": "physio"}).astype({"date": "datetime64[s]"})
    return Data(athletes, injuries, tests, sessions, wellness, history)


def rich_season(n: int, seed: int = 7) -> Data:
    """`season(n)` with the data every fact producer reads in its last 60 days: CMJ jump height and
    FT:CT (two trials, both sides), the Nordic's asymmetry column on some days, calf raises, the
    adductor squeeze, and daily wellness items (McLean 1-5) with swelling now and then."""
    data = season(n)
    rng = np.random.default_rng(seed)
    ids = data.athletes["athlete_id"].astype(str).tolist()
    on = pd.Timestamp("2026-06-30")
    kinds = [("cmj", "jump_height", "both", 30, 45, "cm"), ("cmj", "ft_ct_ratio", "both", 0.6, 0.9, "ratio"),
             ("nordic", "asymmetry", "left", 0, 25, "%"), ("calf_raise", "reps", "left", 15, 35, "reps"),
             ("calf_raise", "reps", "right", 15, 35, "reps"), ("hip_adduction", "max_force", "both", 300, 500, "N")]
    rows = []
    for aid in ids:
        for test, metric, side, lo, hi, unit in kinds:
            for day in sorted(rng.choice(60, 12, replace=False)):
                for trial in (1, 2):
                    rows.append({"athlete_id": aid, "date": on - pd.Timedelta(days=int(day)), "test": test,
                                 "metric": metric, "side": side, "trial": trial, "value": float(rng.uniform(lo, hi)),
                                 "unit": unit, "device": "sheet", "source_file": "extra.xlsx",
                                 "source_row": len(rows) + 2})
    tests = pd.concat([data.tests, conform(pd.DataFrame(rows), "tests")], ignore_index=True)
    days = pd.date_range(on - pd.Timedelta(days=59), on)
    wellness = [{"athlete_id": aid, "date": d, "item": item, "value": int(rng.integers(1, 6)),
                 "scale": "1-5 McLean, 5 = best", "source_file": "forms.csv", "source_row": i + 2}
                for i, (aid, d, item) in enumerate((a, d, item) for a in ids for d in days
                                                   for item in ("sleep", "fatigue", "mood", "soreness"))
                if rng.random() < 0.8]
    wellness += [{"athlete_id": aid, "date": on - pd.Timedelta(days=int(rng.integers(0, 5))), "item": "swelling",
                  "value": int(rng.integers(0, 2)), "scale": "0 = none, 1 = present"} for aid in ids[::4]]
    wellness = pd.concat([data.wellness, conform(pd.DataFrame(wellness), "wellness")], ignore_index=True)
    return Data(data.athletes, data.injuries, tests, data.sessions, wellness, data.tier_history)


def assert_same_board(old: pd.DataFrame, new: pd.DataFrame, dtypes: bool = True) -> None:
    assert list(old.columns) == list(new.columns) and len(old) == len(new)
    assert not dtypes or old.dtypes.to_dict() == new.dtypes.to_dict()
    for i in range(len(old)):
        a, b = old.iloc[i].to_dict(), new.iloc[i].to_dict()
        for col in a:
            assert repr(a[col]) == repr(b[col]), (i, a["name"], col, a[col], b[col])


def assert_same_facts(old: dict, new: dict) -> None:
    """The same facts with the same sources and dates; a number equal to 1e-12 (a 28-day sum is
    added in another order: numpy's pairwise sum against a running one), the board's text exact."""
    assert old.keys() == new.keys()
    for athlete in old:
        a, b = old[athlete], new[athlete]
        assert a.keys() == b.keys(), athlete
        for key in a:
            if isinstance(a[key], float) and isinstance(b[key], float):
                assert math.isclose(a[key], b[key], rel_tol=1e-12) or (math.isnan(a[key]) and math.isnan(b[key])), \
                    (athlete, key, a[key], b[key])
            else:
                assert repr(a[key]) == repr(b[key]), (athlete, key, a[key], b[key])


@pytest.mark.parametrize("day", [TESTING_DAY, TESTING_DAY - pd.Timedelta(days=3), TESTING_DAY - pd.Timedelta(days=10),
                                 TESTING_DAY + pd.Timedelta(days=6)])
def test_the_engine_gives_the_loop_board_on_the_demo_team(demo: Data, day: pd.Timestamp) -> None:
    cfg = defaults()
    old_facts: dict = {}
    new_facts: dict = {}
    old = legacy_readiness_board(demo, day, cfg, facts_out=old_facts)
    new = readiness_board(demo, day, cfg, facts_out=new_facts)
    assert_same_board(old, new)
    assert_same_facts(old_facts, new_facts)


@pytest.mark.parametrize("make", [season, rich_season])
def test_the_engine_gives_the_loop_board_on_a_160_athlete_season(make) -> None:  # noqa: ANN001
    data, cfg, on = make(160), defaults(), pd.Timestamp("2026-06-30")
    old_facts: dict = {}
    new_facts: dict = {}
    old = legacy_readiness_board(data, on, cfg, facts_out=old_facts)
    new = readiness_board(data, on, cfg, facts_out=new_facts)
    assert len(new) == 160 and new["tier_basis"].eq("recorded").sum() > 10
    assert_same_board(old, new)
    assert_same_facts(old_facts, new_facts)


@pytest.mark.parametrize("which", ["demo", "season"])
def test_grouped_lookups_are_the_per_athlete_ones(demo: Data, which: str) -> None:
    data = demo if which == "demo" else season(30)
    for day in (pd.Timestamp("2026-06-30"), TESTING_DAY):
        injuries = active_injuries(data.injuries, day)
        starts = episode_starts(data.injuries)
        for aid in data.athletes["athlete_id"].astype(str):
            one = active_injury(data.injuries, aid, day)
            assert (one is None) == (aid not in injuries)
            if one is None:
                continue
            assert repr(one) == repr(injuries[aid])
            since = episode_start(data.injuries, aid, one["injury_date"])  # type: ignore[arg-type]
            assert starts[(aid, pd.Timestamp(one["injury_date"]))] == since  # type: ignore[arg-type]
            rec = recorded_tiers(data.tier_history, day, {aid: since}).get(aid)
            assert rec == recorded_tier(data.tier_history, aid, day, since)
        old = legacy_exposure_status(data.sessions, data.injuries, day, defaults())
        new = exposure_status(data.sessions, data.injuries, day, defaults())
        pd.testing.assert_frame_equal(old, new, check_dtype=False)


def test_one_athletes_board_is_their_row_of_the_team_board(demo: Data) -> None:
    cfg = defaults()
    team = readiness_board(demo, TESTING_DAY, cfg)
    for aid in team["athlete_id"][:6]:
        one = readiness_board(demo, TESTING_DAY, cfg, athlete_ids=[aid])
        assert list(one["athlete_id"]) == [aid]
        # the same cells; a blank is None in one row's object column and NaN in the team's str column
        row, own = team[team["athlete_id"] == aid].iloc[0].to_dict(), one.iloc[0].to_dict()
        for col in row:
            blank = not isinstance(row[col], (list, dict)) and pd.isna(row[col])
            assert (blank and pd.isna(own[col])) or repr(row[col]) == repr(own[col]), (aid, col, row[col], own[col])
