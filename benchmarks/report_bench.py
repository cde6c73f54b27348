"""Board report for the staff meeting (issue: "Staff-meeting reports").

The synthetic season of metrics_bench.py (40 athletes, ~80,000 sessions, ~20,000 tests, a third of
them returning from injury). Times, best of N runs:
- board PDF from the canonical tables: the readiness board computed, then laid out as one A4 page,
- each part alone: the board (lib.readiness) and the page (board given, as the board page has it),
- the PNG of that page (PDFium),
- the athlete report (two pages, seven charts through vl-convert; its first call starts the engine).
Target: the board PDF for 40 athletes under 2 s. Writes the PDF to benchmarks/out/ for a look.

    python benchmarks/report_bench.py [--runs 3] [--athletes 40]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from metrics_bench import ON, season  # noqa: E402

from lib import reports  # noqa: E402
from lib.readiness import readiness_board  # noqa: E402
from lib.core.settings import defaults  # noqa: E402


def best(fn, runs: int) -> tuple[float, object]:  # noqa: ANN001 - any callable
    """Best wall time of `runs` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--athletes", type=int, default=40)
    args = parser.parse_args()
    cfg = defaults()
    data = season(args.athletes)
    reports.report_font()  # the font file is read once per process, as in the app
    full, pdf = best(lambda: reports.board_pdf(data, ON.date(), cfg, "First team"), args.runs)
    compute, board = best(lambda: readiness_board(data, ON, cfg), args.runs)
    layout, _ = best(lambda: reports.board_pdf(data, ON.date(), cfg, "First team", board=board), args.runs)
    png, _ = best(lambda: reports.pdf_page_png(pdf), args.runs)  # type: ignore[arg-type]
    returning = str(board.loc[board["returning"].astype(bool), "athlete_id"].iloc[0])
    first, _ = best(lambda: reports.athlete_pdf(data, returning, ON.date(), cfg), 1)
    athlete, _ = best(lambda: reports.athlete_pdf(data, returning, ON.date(), cfg), args.runs)
    out = ROOT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / f"board_{args.athletes}.pdf").write_bytes(pdf)  # type: ignore[arg-type]
    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")  # type: ignore[union-attr]
    print(f"{args.athletes:4d} athletes, {len(data.sessions):,} sessions, {len(data.tests):,} tests | "
          f"board PDF {full:.2f} s (target < 2 s; {pages} page, {len(pdf) / 1024:.0f} KB) | "  # type: ignore[arg-type]
          f"of which the board itself {compute:.2f} s and the page {layout:.2f} s | PNG 150 dpi {png:.2f} s | "
          f"athlete report {athlete:.2f} s (first call {first:.2f} s)")
    return 0 if full < 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
