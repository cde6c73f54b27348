"""Board and athlete PDF reports (issue 15, item 4: athlete PDF <= 1.5 s, board PDF <= 1 s, on the
demo team and on a 40-athlete season).

Teams: the demo team (imported into a temporary SQLite store, as the app does) and the synthetic
season of metrics_bench.py (fixed seed, 250 sessions per athlete). Times, best of N runs:
- board PDF from the canonical tables (the board computed, then laid out as one A4 page), and the
  page alone (board given, as the board page has it);
- athlete report: the first call in the process (vl-convert starts, no chart image cached), a
  second athlete (charts not cached), and the same athlete again (every chart image from the
  cache: `lib.reports.cache.chart_image` keeps one PNG per builder and rows);
- the athlete report with the board given, as the athlete page calls it (`board=`): an athlete
  not drawn yet in the process, and the same again (charts and decoded images kept,
  lib.reports.cache);
- the floor measured beside them: vl-convert alone on the same report's chart specs, and the PNG
  of the board page (PDFium);
- CPU times beside the wall times (best of the same runs): the whole process's, and the calling
  thread's (the athlete report draws its chart images in lib.reports.render's threads, so on a
  machine with a free core its wall time is about its calling thread's CPU).
Peak memory of the process (`resource.getrusage`). Writes the PDFs to benchmarks/out/.

    python benchmarks/report_bench.py [--runs 3] [--athletes 40] [--warm]

`--warm`: lib.reports.warm() has run first (the first call then pays no imports and no vl-convert
start). `--page`: lib.reports.start_chart_process() has run first, as the athlete page starts it
when it opens (the first call then pays its imports but not vl-convert's start).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from metrics_bench import ON, season  # noqa: E402

from lib import reports, store  # noqa: E402
from lib.core.settings import defaults  # noqa: E402
from lib.readiness import Data, readiness_board  # noqa: E402

DEMO_DAY = pd.Timestamp("2026-11-23")


CPU: dict[str, tuple[float, float]] = {}  # figure -> (process CPU, this thread's CPU), best of its runs


def best(fn, runs: int, label: str = "", before=None) -> tuple[float, object]:  # noqa: ANN001 - any callable
    """Best wall time of `runs` calls (each after `before()`, untimed), and the last result; the
    best process and main-thread CPU times are kept in CPU[label]."""
    times, cpus, mains, result = [], [], [], None
    for _ in range(runs):
        if before is not None:
            before()
        start, cpu, main = time.perf_counter(), time.process_time(), time.thread_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        mains.append(time.thread_time() - main)
    if label:
        CPU[label] = (min(cpus), min(mains))
    return min(times), result


def forget_charts() -> None:
    """No chart image kept: the next report draws every chart (an athlete not drawn yet)."""
    from lib.reports import cache, pdf

    cache._charts.clear()
    cache._images.clear()
    pdf._png.cache_clear()


def cpu(label: str) -> str:
    total, main = CPU[label]
    return f"cpu {total:.2f} s, main thread {main:.2f} s"


def demo() -> Data:
    from lib.ingest.demo import load_demo

    engine = store.connect(Path(tempfile.mkdtemp()) / "demo.sqlite")
    load_demo(engine)
    data = Data.from_store(engine)
    store.dispose_all()
    return data


def team(label: str, data: Data, day: pd.Timestamp, runs: int, out: Path) -> None:
    cfg = defaults()
    full, pdf = best(lambda: reports.board_pdf(data, day.date(), cfg, "First team"), runs)
    board = readiness_board(data, day, cfg)
    layout, _ = best(lambda: reports.board_pdf(data, day.date(), cfg, "First team", board=board), runs)
    png, _ = best(lambda: reports.pdf_page_png(pdf), runs)  # type: ignore[arg-type]
    returning = [str(a) for a in board.loc[board["returning"].astype(bool), "athlete_id"]]
    first, athlete_pdf = best(lambda: reports.athlete_pdf(data, returning[0], day.date(), cfg), 1, "first")
    other, _ = best(lambda: reports.athlete_pdf(data, returning[1 % len(returning)], day.date(), cfg), 1, "other")
    again, _ = best(lambda: reports.athlete_pdf(data, returning[0], day.date(), cfg), runs, "again")
    # the athlete page's path: the board it already has is passed (`board=`), for an athlete not drawn yet
    fresh = returning[2 % len(returning)]
    given, _ = best(lambda: reports.athlete_pdf(data, fresh, day.date(), cfg, board=board), 1, "given")
    given_again, _ = best(lambda: reports.athlete_pdf(data, fresh, day.date(), cfg, board=board), runs, "given again")
    # the same, best of `runs` with no chart kept before each (a shared machine: one run is noisy)
    undrawn, _ = best(lambda: reports.athlete_pdf(data, fresh, day.date(), cfg, board=board), runs, "undrawn",
                      before=forget_charts)
    floor, floor_cpu = charts_floor(data, returning[0], day, cfg)
    (out / f"board_{label}.pdf").write_bytes(pdf)  # type: ignore[arg-type]
    (out / f"athlete_{label}.pdf").write_bytes(athlete_pdf)  # type: ignore[arg-type]
    print(f"{label}: {len(data.athletes)} athletes, {len(data.sessions):,} sessions, {len(data.tests):,} tests\n"
          f"  board PDF {full:.2f} s (target <= 1 s), of which the page {layout:.2f} s; PNG of the page {png:.2f} s\n"
          f"  athlete PDF: first call {first:.2f} s, another athlete {other:.2f} s, the same again {again:.2f} s "
          f"(target <= 1.5 s); floor: vl-convert alone on its charts {floor:.2f} s\n"
          f"  athlete PDF with the board given (the athlete page): an athlete not drawn yet {given:.2f} s, "
          f"again {given_again:.2f} s; best of {runs} with no chart kept {undrawn:.2f} s\n"
          f"  CPU (the chart process draws beside the main thread, its own CPU not counted here: on a free core a report takes about its "
          f"main thread's time):\n"
          f"    first call {cpu('first')}; another athlete {cpu('other')}; again {cpu('again')}\n"
          f"    board given: not drawn yet {cpu('given')}; best of {runs} with no chart kept {cpu('undrawn')}; "
          f"again {cpu('given again')}\n"
          f"    floor, vl-convert alone on the report's charts: cpu {floor_cpu:.2f} s", flush=True)


def charts_floor(data: Data, athlete_id: str, day: pd.Timestamp, cfg: object) -> tuple[float, float]:
    """vl-convert alone on the report's chart specs (recorded from a report, rendered again): what
    drawing its charts costs without the cache, one after the other, in this process (the reports
    draw them in the chart process, lib.reports.png_worker): wall and CPU time."""
    from lib.reports import pdf as pdf_module
    from lib.reports import png_worker

    seen: list[str] = []
    cached = pdf_module._png

    def record(spec_json: str) -> bytes:
        seen.append(spec_json)
        return cached(spec_json)

    try:
        from lib.reports import cache

        cache._charts.clear()  # every chart built and converted again, so that each spec is recorded
    except ImportError:  # the code before the chart cache (measured beside it)
        pass
    pdf_module._png = record  # type: ignore[assignment]
    try:
        reports.athlete_pdf(data, athlete_id, day.date(), cfg)  # type: ignore[arg-type]
    finally:
        pdf_module._png = cached
    version = pdf_module._vl_version()  # the reports' Vega-Lite (another would start its own engine)
    png_worker.draw_in_line(seen[0], pdf_module.CHART_SCALE, version)  # this process's engine started, untimed
    start, cpu = time.perf_counter(), time.process_time()
    for spec_json in seen:  # vl-convert in this process, one chart after the other
        png_worker.draw_in_line(spec_json, pdf_module.CHART_SCALE, version)
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--athletes", type=int, default=40)
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--warm", action="store_true",
                        help="first let lib.reports.warm() finish (report modules, font, the chart process)")
    parser.add_argument("--page", action="store_true",
                        help="first let lib.reports.start_chart_process() finish, as the athlete page starts it "
                             "before anyone clicks its report button")
    args = parser.parse_args()
    if args.page:
        from lib.reports import png_worker
        from lib.reports.pdf import _vl_version

        start = time.perf_counter()
        reports.start_chart_process()
        png_worker.png(png_worker.WARM_SPEC, 1, _vl_version())  # answered once the child has readied its engine
        print(f"chart process started (the athlete page, in the background): {time.perf_counter() - start:.2f} s")
    if args.warm:
        start = time.perf_counter()
        reports.warm().join()
        print(f"warm (report modules, font, vl-convert's engine; in the background in the app): "
              f"{time.perf_counter() - start:.2f} s")
    reports.report_font()  # the font file is read once per process, as in the app
    out = ROOT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    if not args.skip_demo:
        team("demo", demo(), DEMO_DAY, args.runs, out)
    if args.athletes:  # --athletes 0: the demo team only
        team(f"season{args.athletes}", season(args.athletes, per=250, tiers=True), ON, args.runs, out)
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
