"""Readiness board and weekly exposure for a full season (issue 15, "Fast at club scale").

Canonical tables built directly (no import, fixed seed): N athletes over 365 days, 250 GPS
sessions, 500 test rows and 183 wellness rows per athlete (160 athletes: 40,000 sessions, 80,000
tests), a third of them returning from an injury, half of those with a tier staff recorded (so the
board re-judges their last days at the tier). Each size runs in its own process, so that the peak
memory (`resource.getrusage`) is that size's. Times, best of N runs:
  floor    - one vectorised pass: every table grouped by athlete once (sums, maxima, last dates),
  weekly   - weekly_exposure for everyone,
  board    - readiness_board,
and their sum beside the floor. Targets: board + weekly exposure at 160 athletes <= 0.6 s and
<= 7x the floor; 640 athletes <= 2.5 s.

    python benchmarks/metrics_bench.py [--runs 3] [--athletes 40 160 640] [--sessions 250] [--no-tiers] [--before]
                                       [--split]

`--split` also times the board's grouped passes alone (limb symmetry of the days the board reads,
exposure status, the fact rows) and the fact producers over every athlete on the day (once; a
recorded tier's re-judged days run them again); the rest of the board is its rules per athlete
(evaluate, the re-judged days, the row). With `--before` too, limb symmetry and exposure status
are timed against their frozen copies (tests/metrics/legacy_symmetry.py, legacy_status.py) in CPU
time, alternating in one process.
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


def season(n: int, seed: int = 3, per: int = 2000, tiers: bool = False, uniform_tests: bool = False) -> Data:
    """A synthetic season of canonical tables for `n` athletes, `per` GPS sessions each; with
    `tiers`, half the injured athletes have a tier recorded 10 days before ON. Test values are
    plausible (`TYPICAL`); `uniform_tests`: drawn in 2-600 whatever the test, as when
    tests/metrics/golden/plans.json was written (every other table is the same either way)."""
    rng = np.random.default_rng(seed)
    ids = [f"A{i:03d}" for i in range(n)]
    athletes = conform(pd.DataFrame({"athlete_id": ids, "name": [f"Athlete {i:03d}" for i in range(n)],
                                     "squad": "First team", "position": "Midfielder"}), "athletes")
    injured = ids[: n // 3]
    injuries = conform(pd.DataFrame({
        "athlete_id": injured, "injury_date": ON - pd.to_timedelta(rng.integers(20, 90, len(injured)), unit="D"),
        "side": rng.choice(["left", "right"], len(injured)), "region": rng.choice(REGIONS, len(injured)),
    }), "injuries")
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
        "trial": rng.integers(1, 4, n * tests_per), "value": _test_values(rng, test.ravel(), uniform_tests),
        "unit": "cm" if uniform_tests else _units(test.ravel()),
        "device": "sheet", "source_file": "hop.xlsx", "source_row": np.arange(n * tests_per) + 2,
    }), "tests")
    wdays = START + pd.to_timedelta(np.tile(np.arange(0, 365, 2), n), unit="D")
    wellness = conform(pd.DataFrame({"athlete_id": np.repeat(ids, len(range(0, 365, 2))), "date": wdays, "item": "pain",
                                     "value": rng.integers(0, 4, len(wdays)), "scale": "0-10",
                                     "source_file": "wellness.xlsx", "source_row": np.arange(len(wdays)) + 2}), "wellness")
    history = pd.DataFrame(columns=["athlete_id", "date", "tier", "reason", "who"]).astype({"date": "datetime64[s]"})
    if tiers and len(injured) >= 2:
        recorded = injured[::2]
        history = pd.DataFrame({"athlete_id": recorded, "date": ON - pd.Timedelta(days=10), "tier": 2,
                                "reason": "criteria met", "who": "physio"}).astype({"date": "datetime64[s]"})
    return Data(athletes, injuries, tests, sessions, wellness, history)


# Plausible values around a typical adult's (the hop battery in cm or s, CMJ asymmetry in %, Nordic
# force in N), each trial within 10% either side (an SD of about 6%): limb symmetry then sits near
# 100% with the trial noise a real battery has, and the board's LSI drops and passes read as a coach
# would meet them. One uniform draw per row, as before these values: every later draw is the same.
TYPICAL = {"single_hop": 150.0, "triple_hop": 450.0, "crossover_hop": 400.0, "timed_hop_6m": 2.2, "cmj": 8.0,
           "nordic": 350.0}
UNITS = {"timed_hop_6m": "s", "cmj": "%", "nordic": "N"}


def _test_values(rng: np.random.Generator, test: np.ndarray, uniform: bool = False) -> np.ndarray:
    if uniform:
        return rng.uniform(2, 600, len(test))
    typical = np.array([TYPICAL[t] for t in test])
    return np.round(typical * rng.uniform(0.9, 1.1, len(test)), 2)


def _units(test: np.ndarray) -> np.ndarray:
    return np.array([UNITS.get(t, "cm") for t in test], dtype=object)


def season_store(url: object, athletes: int, per: int = 2000) -> None:
    """`season(athletes, per=per)` written straight into the store at `url` (a path or an SQLAlchemy
    URL) as one import: the page and browser benchmarks' stores."""
    from lib import store

    data = season(athletes, per=per)
    engine = store.connect(url)
    with engine.begin() as conn:
        import_id = conn.execute(store.imports.insert().values(
            file="season (benchmark)", sha256="bench", status="imported", imported_by="bench",
            imported_at=store.now())).inserted_primary_key[0]
        for name in ("athletes", "injuries", "tests", "sessions", "wellness"):
            df = getattr(data, name).assign(import_id=import_id, source_sheet="")
            conn.execute(store.CANONICAL[name].insert(), store.records(df))
        store.log(conn, "bench", "import", {"import_id": import_id})
    store.dispose_all()


def best_of(runs: int, fn) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def cpu_pairs(runs: int, pairs: dict) -> dict[str, tuple[float, float]]:
    """Best CPU time (time.process_time: the machine may be shared) of each (before, after) pair of
    callables, run in turn `runs` times, so that both see the same load."""
    best = {k: [np.inf, np.inf] for k in pairs}
    for _ in range(runs):
        for k, fns in pairs.items():
            for i, fn in enumerate(fns):
                t0 = time.process_time()
                fn()
                best[k][i] = min(best[k][i], time.process_time() - t0)
    return {k: (a, b) for k, (a, b) in best.items()}


def floor(data: Data) -> None:
    """One vectorised pass: every table grouped by athlete once."""
    data.sessions.groupby("athlete_id").agg(hsr=("hsr_distance_m", "sum"), sprint=("sprint_distance_m", "sum"),
                                            top=("max_speed_ms", "max"), last=("date", "max"))
    data.tests.groupby(["athlete_id", "test", "side"]).agg(value=("value", "mean"), last=("date", "max"))
    data.wellness.groupby(["athlete_id", "item"]).agg(value=("value", "mean"), last=("date", "max"))
    data.injuries.groupby("athlete_id")["injury_date"].max()


def one(n: int, runs: int, per: int, tiers: bool, before: bool, split: bool = False) -> None:
    import resource

    data = season(n, per=per, tiers=tiers)
    cfg = defaults()
    base = best_of(runs, lambda: floor(data))
    weekly = best_of(runs, lambda: weekly_exposure(data.sessions, ON, cfg))
    board = best_of(runs, lambda: readiness_board(data, ON, cfg))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if split:  # the board's grouped passes, each timed alone; the rest is the rules per athlete
        from lib.metrics.exposure import exposure_status
        from lib.readiness import STRENGTH_TEST
        from lib.readiness.engine import first_kept_day
        from lib.readiness.recent import board_lsi
        from lib.readiness.rows import FactRows
        from lib.metrics.symmetry import HOP_BATTERY

        keep_from, tests = first_kept_day(ON, cfg), data.tests[data.tests["date"] <= ON]
        wanted = {*HOP_BATTERY, *STRENGTH_TEST.values()}
        lsi = board_lsi(tests, data.injuries, keep_from, wanted)
        from lib.readiness.engine import board_inputs
        from lib.readiness.facts import athlete_facts

        inputs = board_inputs(data, ON, cfg)

        def producers() -> None:  # every athlete's facts on ON (the re-judged days at a tier read them again)
            for aid, a in inputs.by_athlete.items():
                athlete_facts(aid, ON, a.rows, a.exposure, a.noise(ON), cfg, since=a.since,
                              injured_side=str(a.injury["side"]) if a.injury else None)

        parts = {"limb symmetry": best_of(runs, lambda: board_lsi(tests, data.injuries, keep_from, wanted)),
                 "exposure status": best_of(runs, lambda: exposure_status(data.sessions, data.injuries, ON, cfg,
                                                                          data.mss_confirmations)),
                 "fact rows": best_of(runs, lambda: FactRows.build(data, lsi, ON, keep_from)),
                 "fact producers": best_of(runs, producers)}
        rest = board - sum(parts.values())
        print(f"{n:4d} athletes: the board's parts: " + " | ".join(f"{k} {v:5.3f} s" for k, v in parts.items())
              + f" | the rules per athlete and the rest {rest:5.3f} s", flush=True)
        if before:  # the two grouped passes against their frozen copies, alternating, in CPU time
            from tests.metrics.legacy_status import exposure_status as frozen_status
            from tests.metrics.legacy_symmetry import board_lsi as frozen_lsi

            pairs = {"limb symmetry": (lambda: frozen_lsi(tests, data.injuries, keep_from, wanted),
                                       lambda: board_lsi(tests, data.injuries, keep_from, wanted)),
                     "exposure status": (lambda: frozen_status(data.sessions, data.injuries, ON, cfg,
                                                               data.mss_confirmations),
                                         lambda: exposure_status(data.sessions, data.injuries, ON, cfg,
                                                                 data.mss_confirmations))}
            print(f"{n:4d} athletes: frozen copy -> now, CPU, best of {runs} alternating: " + " | ".join(
                f"{k} {old:5.3f} -> {new:5.3f} s" for k, (old, new) in cpu_pairs(runs, pairs).items()), flush=True)
    if before:  # the loop per athlete as it was before the engine (kept for the cross-check test)
        from tests.readiness.legacy_board import legacy_readiness_board

        old = best_of(1, lambda: legacy_readiness_board(data, ON, cfg))
        print(f"{n:4d} athletes: the loop per athlete (before the engine) {old:5.2f} s = {old / board:4.1f}x the engine's "
              f"board", flush=True)
    print(f"{n:4d} athletes: {len(data.sessions):7,} sessions, {len(data.tests):6,} tests, "
          f"{len(data.tier_history):3d} recorded tiers | floor {base:5.3f} s | weekly exposure {weekly:5.2f} s | "
          f"board {board:5.2f} s | both {weekly + board:5.2f} s = {(weekly + board) / base:4.1f}x the floor | "
          f"peak {peak:4.0f} MiB", flush=True)


def main() -> None:
    import subprocess

    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--athletes", type=int, nargs="+", default=[40, 160, 640])
    ap.add_argument("--sessions", type=int, default=250, help="GPS sessions per athlete")
    ap.add_argument("--no-tiers", action="store_true", help="no recorded tiers (nothing to re-judge)")
    ap.add_argument("--before", action="store_true", help="also time the loop per athlete the engine replaced")
    ap.add_argument("--split", action="store_true", help="also time the board's grouped passes one by one")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, in this process
    args = ap.parse_args()
    if args.one:
        one(args.one, args.runs, args.sessions, not args.no_tiers, args.before, args.split)
        return
    for n in args.athletes:  # each size in its own process: its own peak memory
        subprocess.run([sys.executable, __file__, "--one", str(n), "--runs", str(args.runs), "--sessions",
                        str(args.sessions), *(["--no-tiers"] if args.no_tiers else []),
                        *(["--before"] if args.before else []), *(["--split"] if args.split else [])], check=True)


if __name__ == "__main__":
    main()
