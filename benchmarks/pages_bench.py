"""Page render times with Streamlit's AppTest (issue: "The dashboard").

For the demo team and for a 40-athlete full season (about 80,000 session and 20,000 test rows),
starting from app.py: first load (cold caches, store already filled) and the warm render of every
page (median of N reruns of the page). Targets: demo first load < 3 s and warm < 300 ms; season
warm < 1 s.

    python benchmarks/pages_bench.py [--runs 5] [--skip-season] [--skip-demo] [--athletes 40] [--sessions 2000]
                                     [--pages pages/plan.py ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from lib import store  # noqa: E402
from lib.ingest.demo import load_demo  # noqa: E402

PAGES = ["pages/board.py", "pages/athlete.py", "pages/hops.py", "pages/exposure.py", "pages/plan.py", "pages/data.py",
         "pages/settings.py"]


def demo_store(path: Path) -> None:
    load_demo(store.connect(path))
    store.dispose_all()


def season_store(path: Path, athletes: int = 40, per: int = 2000) -> None:
    """The metrics benchmark's synthetic season written straight into a store (one import)."""
    from metrics_bench import season_store as write

    write(path, athletes, per)


def timed(fn) -> float:  # noqa: ANN001
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def cpu_timed(fn) -> float:  # noqa: ANN001
    """CPU time of this process (every thread: AppTest runs the script in one) over `fn()`: less
    moved than the wall clock when other work shares the machine."""
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def measure(db: Path, runs: int, pages: list[str] = PAGES) -> dict[str, tuple[float, float, float]]:
    """(first render, median warm render, median warm render's CPU time) per page, seconds."""
    os.environ["RTS_DB"] = str(db)
    os.chdir(ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    first_load = timed(at.run)
    assert not at.exception, at.exception
    out: dict[str, tuple[float, float, float]] = {"first load (board, cold caches)": (first_load, float("nan"), float("nan"))}
    for page in pages:
        at.switch_page(page)
        first = timed(at.run)
        assert not at.exception, (page, at.exception)
        warm = statistics.median(timed(at.run) for _ in range(runs))
        cpu = statistics.median(cpu_timed(at.run) for _ in range(runs))
        out[page] = (first, warm, cpu)
    return out


def report(title: str, results: dict[str, tuple[float, float, float]]) -> None:
    print(f"\n{title}")
    print(f"{'page':34} {'first':>8} {'warm':>8} {'warm CPU':>9}")
    for page, (first, warm, cpu) in results.items():
        warm_text = "" if warm != warm else f"{warm * 1000:6.0f}ms"
        cpu_text = "" if cpu != cpu else f"{cpu * 1000:6.0f}ms"
        print(f"{page:34} {first * 1000:6.0f}ms {warm_text:>8} {cpu_text:>9}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-season", action="store_true")
    ap.add_argument("--skip-demo", action="store_true")
    ap.add_argument("--athletes", type=int, default=40, help="the season's athletes (160 with --sessions 250: the club)")
    ap.add_argument("--sessions", type=int, default=2000, help="GPS sessions per athlete in the season")
    ap.add_argument("--pages", nargs="+", default=PAGES, help="pages to time, in order (e.g. pages/plan.py)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_demo:
            demo = Path(tmp) / "demo.sqlite"
            demo_store(demo)
            report("demo team (24 athletes, 12 weeks)", measure(demo, args.runs, args.pages))
        if not args.skip_season:
            big = Path(tmp) / "season.sqlite"
            season_store(big, args.athletes, args.sessions)
            report(f"{args.athletes} athletes, full season ({args.athletes * args.sessions:,} sessions)",
                   measure(big, args.runs, args.pages))


if __name__ == "__main__":
    main()
