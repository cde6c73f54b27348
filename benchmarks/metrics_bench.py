"""Readiness board and weekly exposure for a full season (issue: "Metrics and the readiness engine").

Canonical tables built directly (no import): N athletes over 365 days, about 2,000 session rows
and 500 test rows per athlete (40 athletes: ~80,000 sessions, ~20,000 tests), a third of them
returning from an injury. Times, best of N runs: weekly_exposure for everyone, and the board.
Target: both under 1 s for 40 athletes; the script also reports 4x the athletes.

    python benchmarks/metrics_bench.py [--runs 3] [--athletes 40 160]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib.metrics.exposure import weekly_exposure  # noqa: E402
from lib.readiness import Data, readiness_board  # noqa: E402
from lib.core.schema import conform  # noqa: E402
from lib.core.settings import defaults  # noqa: E402

START = pd.Timestamp("2025-07-01")
ON = pd.Timestamp("2026-06-30")
REGIONS = ["hamstring", "calf", "quadriceps", "adductor", "ankle"]
HOPS = ["single_hop", "triple_hop", "crossover_hop", "timed_hop_6m"]


def season(n: int, seed: int = 3) -> Data:
    """A synthetic season of canonical tables for `n` athletes."""
    rng = np.random.default_rng(seed)
    ids = [f"A{i:03d}" for i in range(n)]
    athletes = conform(pd.DataFrame({"athlete_id": ids, "name": [f"Athlete {i:03d}" for i in range(n)],
                                     "squad": "First team", "position": "Midfielder"}), "athletes")
    injured = ids[: n // 3]
    injuries = conform(pd.DataFrame({
        "athlete_id": injured, "injury_date": ON - pd.to_timedelta(rng.integers(20, 90, len(injured)), unit="D"),
        "side": rng.choice(["left", "right"], len(injured)), "region": rng.choice(REGIONS, len(injured)),
    }), "injuries")
    per = 2000
    days = START + pd.to_timedelta(np.sort(rng.integers(0, 365, (n, per)), axis=1).ravel(), unit="D")
    sessions = conform(pd.DataFrame({
        "athlete_id": np.repeat(ids, per), "date": days, "session": "Drill",
        "hsr_distance_m": rng.uniform(0, 120, n * per), "sprint_distance_m": rng.uniform(0, 30, n * per),
        "max_speed_ms": rng.uniform(6.0, 9.5, n * per), "device": "GPS", "source_file": "gps.xlsx",
        "source_row": np.arange(n * per) + 2,
    }), "sessions")
    tests_per = 500
    tdays = START + pd.to_timedelta(rng.integers(0, 52, n * tests_per) * 7, unit="D")
    test = rng.choice(HOPS + ["cmj", "nordic"], (n, tests_per))
    metric = np.select([test == "timed_hop_6m", test == "cmj", test == "nordic"], ["time", "asymmetry", "max_force"], "distance")
    tests = conform(pd.DataFrame({
        "athlete_id": np.repeat(ids, tests_per), "date": tdays, "test": test.ravel(), "metric": metric.ravel(),
        "side": np.where(test.ravel() == "cmj", "left", rng.choice(["left", "right"], n * tests_per)),
        "trial": rng.integers(1, 4, n * tests_per), "value": rng.uniform(2, 600, n * tests_per), "unit": "cm",
        "device": "sheet", "source_file": "hop.xlsx", "source_row": np.arange(n * tests_per) + 2,
    }), "tests")
    wdays = START + pd.to_timedelta(np.tile(np.arange(0, 365, 2), n), unit="D")
    wellness = conform(pd.DataFrame({"athlete_id": np.repeat(ids, len(range(0, 365, 2))), "date": wdays, "item": "pain",
                                     "value": rng.integers(0, 4, len(wdays)), "scale": "0-10"}), "wellness")
    history = pd.DataFrame(columns=["athlete_id", "date", "tier", "reason", "who"]).astype({"date": "datetime64[s]"})
    return Data(athletes, injuries, tests, sessions, wellness, history)


def best_of(runs: int, fn) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--athletes", type=int, nargs="+", default=[40, 160])
    args = ap.parse_args()
    for n in args.athletes:
        data = season(n)
        weekly = best_of(args.runs, lambda: weekly_exposure(data.sessions, ON, defaults()))
        board = best_of(args.runs, lambda: readiness_board(data, ON, defaults()))
        print(f"{n:4d} athletes: {len(data.sessions):7,} sessions, {len(data.tests):6,} tests | "
              f"weekly exposure {weekly:5.2f} s | board {board:5.2f} s | both {weekly + board:5.2f} s")


if __name__ == "__main__":
    main()
