"""The weekly plan as the code before the incremental planner gave it (issue 15, the plan page at
club scale): every returning athlete's plan JSON, its weekly figures (done, this week, projected)
and the flags, on the demo team (with its recorded tiers and saved plans) and on the benchmark's
season, for a testing-day Monday, a mid-week day, a past week (as planned on its Monday) and a week
two ahead. tests/metrics/golden/plans.json was written by the planner of commit 2cc7180 (a plan
per week re-extending the whole day table with pandas) before it was rewritten over arrays; the
rewrite must give the same text, float for float. Rewrite the file only for a deliberate change of
the method: `python -m tests.metrics.test_plan_crosscheck --write`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.metrics_bench import ON, season
from lib import store
from lib.core.settings import defaults
from lib.ingest.demo import load_demo
from lib.metrics.planning import plan_week_for, week_label, week_monday
from lib.readiness import Data
from lib.readiness.plan import group_plans

GOLDEN = Path(__file__).parent / "golden" / "plans.json"
DEMO_DAYS = ("2026-11-23", "2026-11-26")


def _weeks(as_of: pd.Timestamp) -> list[str | None]:
    first = week_monday(plan_week_for(as_of))
    return [None, week_label(first - pd.Timedelta(days=7)), week_label(first + pd.Timedelta(days=14))]


def _text(data: Data, as_of: pd.Timestamp, week: str | None) -> dict[str, str]:
    """Each plan as sorted JSON text (floats written in full by repr)."""
    out = {}
    for p in group_plans(data, as_of, defaults(), data.plans, week=week):
        body = {**p.as_json(), "projected": p.projected}
        out[p.athlete_id] = json.dumps(body, sort_keys=True, default=str)
    return out


def spiked(data: Data) -> Data:
    """The season with a spike before the plan: every injured athlete ran 700 m of HSR and 120 m of
    sprint on the Friday and Saturday before the week planned on the Sunday (ON - 2 days), so the past
    alone holds acute:chronic above 1.3 into the week."""
    ids = data.injuries["athlete_id"].unique()
    last = data.sessions[data.sessions["athlete_id"].isin(ids)].groupby("athlete_id").tail(1)
    extra = pd.concat([last.assign(date=ON - pd.Timedelta(days=k), hsr_distance_m=700.0, sprint_distance_m=120.0,
                                   source_row=last["source_row"] + 10_000_000 + k) for k in (3, 4)])
    return Data(data.athletes, data.injuries, data.tests, pd.concat([data.sessions, extra], ignore_index=True),
                data.wellness, data.tier_history)


def cases(demo: Data) -> dict[str, dict[str, str]]:
    base = season(12, per=250, tiers=True, uniform_tests=True)  # the season the golden file was written on
    sets = {"demo": demo, "season": base, "spiked season": spiked(base)}
    days = {"demo": [pd.Timestamp(d) for d in DEMO_DAYS], "season": [ON, ON - pd.Timedelta(days=3)], "spiked season": [ON - pd.Timedelta(days=2)]}
    out = {}
    for name, data in sets.items():
        for day in days[name]:
            for week in _weeks(day):
                out[f"{name} {day:%Y-%m-%d} {week or 'next'}"] = _text(data, day, week)
    return out


def demo_data(folder: Path) -> Data:
    engine = store.connect(folder / "demo.sqlite")
    assert all(r.status == "imported" for r in load_demo(engine))
    data = Data.from_store(engine)
    store.dispose_all()
    # the demo coach's plans are saved when the demo loads: one fixed moment, so the text is the same on every run
    data.plans = data.plans.assign(saved_at=pd.Timestamp("2026-11-16 08:00"))
    return data


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Data:
    return demo_data(Path(tmp_path_factory.mktemp("demo")))


def test_every_plan_is_what_the_planner_before_the_rewrite_gave(demo: Data) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = cases(demo)
    assert sorted(got) == sorted(golden)
    for case, plans in golden.items():
        assert sorted(got[case]) == sorted(plans), case
        for athlete, text in plans.items():
            assert got[case][athlete] == text, f"{case}: {athlete}"
    assert sum(len(p) for p in golden.values()) >= 30  # returning athletes in every case, not an empty check


if __name__ == "__main__" and "--write" in sys.argv:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        written = cases(demo_data(Path(tmp)))
    GOLDEN.write_text(json.dumps(written, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(GOLDEN, sum(len(p) for p in written.values()), "plans")
