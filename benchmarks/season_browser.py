"""A full season in a real browser (issue 15, "Fast at club scale"): the app as a coach meets it.

Builds a store holding the metrics benchmark's synthetic season (fixed seed, N athletes, 250 GPS
sessions each: 160 athletes are 40,000 sessions, 80,000 test rows, 29,280 wellness rows), starts
`streamlit run app.py` on a free loopback port over it, and drives headless Chromium at 1280x720:

  first board  - from `page.goto` to the board settled (its h1 on screen, no running status widget),
                 the server already up (health endpoint answering) and nothing of the store cached;
  first visit  - each page of the app's navigation opened by clicking its sidebar link (a page switch
                 in the same session, as a coach does), to the script's run finished (the server's
                 `script_finished` message on the websocket) and the page settled;
  warm rerun   - the "R" shortcut pressed on the page (Streamlit's rerun: the whole script again, no
                 widget changed), to the run finished and settled; median of `--runs` reruns;
  server RSS   - the server process's resident set after every page (VmRSS, and its peak VmHWM,
                 from /proc/<pid>/status);
  server CPU   - the server process's CPU time (user + system, every thread, /proc/<pid>/stat) over
                 the first board and over each warm rerun: less moved than the wall clock when other
                 work shares the machine's cores.

The floor is the same run against the demo team (24 athletes, 12 weeks) in the same process run,
unless `--no-floor`: its figures stand beside the season's, as ratios. Targets: first board <= 2.5 s,
warm reruns <= 300 ms on every page, server RSS <= 400 MiB. A screenshot of each page goes to
test-output/season_browser/. Loopback only; every wait bounded; stops its server itself.

    python benchmarks/season_browser.py [--athletes 160] [--runs 5] [--no-floor] [--out results.json]
        [--server postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import sqlalchemy as sa  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from lib import store  # noqa: E402
from lib.ingest.demo import load_demo  # noqa: E402
from lib.store.scratch import scratch_schema  # noqa: E402
from tests.e2e.test_coach_path import CHROMIUM, FLAGS, serve  # noqa: E402

SHOTS = ROOT / "test-output" / "season_browser"
SETTLED = """() => document.querySelector('[data-testid="stMain"] h1')
                  && !document.querySelector('[data-testid="stStatusWidget"]')"""
TIMEOUT_MS = 120_000
FINISHED_EARLY_FOR_RERUN = 2  # ScriptFinishedStatus: the navigation reran the script at once
TARGET_FIRST_BOARD, TARGET_WARM, TARGET_RSS = 2.5, 0.300, 400.0


def season_store(url: str, athletes: int) -> None:
    """The metrics benchmark's season (250 sessions an athlete) written straight into the store."""
    from metrics_bench import season_store as write

    write(url, athletes, per=250)


def demo_store(url: str) -> None:
    load_demo(store.connect(url))
    store.dispose_all()


def server_pid(port: int) -> int:
    """The pid of our child `streamlit run` listening on `port` (its command line names the port)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in cmd and str(port).encode() in cmd:
            return int(proc.name)
    raise RuntimeError(f"no streamlit process on port {port}")


def cpu_s(pid: int) -> float:
    """User + system CPU time of `pid` so far (all its threads), seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of `pid`, MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


class Runs:
    """Counts the server's finished script runs on the page's websocket."""

    def __init__(self, page) -> None:  # noqa: ANN001 - a Playwright Page
        self.finished = 0
        self.exceptions = 0
        page.on("websocket", self._attach)

    def _attach(self, ws) -> None:  # noqa: ANN001
        ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:  # noqa: ANN001
        if isinstance(payload, str):
            return
        msg = ForwardMsg()
        try:
            msg.ParseFromString(payload)
        except Exception:  # noqa: BLE001 - not a ForwardMsg: not ours to count
            return
        kind = msg.WhichOneof("type")
        if kind == "script_finished" and msg.script_finished != FINISHED_EARLY_FOR_RERUN:
            self.finished += 1
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element" \
                and msg.delta.new_element.WhichOneof("type") == "exception":
            self.exceptions += 1


def wait_run(page, runs: Runs, before: int) -> None:  # noqa: ANN001
    """Until a script run after `before` has finished and the page has settled."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while runs.finished <= before:
        if time.monotonic() > deadline:
            raise TimeoutError("the script run did not finish")
        page.wait_for_timeout(5)
    page.wait_for_function(SETTLED, timeout=TIMEOUT_MS, polling=10)


def drive(url: str, port: int, reruns: int, label: str) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    pid = server_pid(port)
    out: dict[str, object] = {"rss_start_mib": memory_mib(pid)[0], "pages": {}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.set_default_timeout(TIMEOUT_MS)
        runs = Runs(page)
        t0, c0 = time.perf_counter(), cpu_s(pid)
        page.goto(url, timeout=TIMEOUT_MS)
        page.wait_for_function(SETTLED, timeout=TIMEOUT_MS, polling=10)
        out["first_board_s"] = time.perf_counter() - t0
        out["first_board_cpu_s"] = cpu_s(pid) - c0
        page.wait_for_timeout(300)
        nav = page.locator('[data-testid="stSidebarNav"] a')
        titles = [t.strip().splitlines()[-1].strip() for t in nav.all_inner_texts()]  # after the icon's name
        for i, title in enumerate(titles):
            link = page.locator('[data-testid="stSidebarNav"] a').nth(i)
            before = runs.finished
            t = time.perf_counter()
            link.click()
            wait_run(page, runs, before)
            first = time.perf_counter() - t
            page.wait_for_timeout(300)  # let the charts draw; a rerun starts from a quiet page
            warm, cpu = [], []
            for _ in range(reruns):
                page.locator('[data-testid="stMain"] h1').first.click()  # focus on the page, not a widget
                before = runs.finished
                t, c = time.perf_counter(), cpu_s(pid)
                page.keyboard.press("r")
                wait_run(page, runs, before)
                warm.append(time.perf_counter() - t)
                cpu.append(cpu_s(pid) - c)
                page.wait_for_timeout(200)
            rss, hwm = memory_mib(pid)
            page.screenshot(path=str(SHOTS / f"{label}_{i:02d}_{title.split()[0].lower()}.png"))
            out["pages"][title] = {"first_s": first, "warm_median_s": statistics.median(warm), "warm_s": warm,  # type: ignore[index]
                                   "warm_cpu_median_s": statistics.median(cpu), "rss_mib": rss}
            print(f"  {label}: {title:26} first {first * 1000:6.0f} ms | warm {statistics.median(warm) * 1000:5.0f} ms "
                  f"(of {', '.join(f'{w * 1000:.0f}' for w in warm)}), server CPU {statistics.median(cpu) * 1000:4.0f} ms "
                  f"| RSS {rss:4.0f} MiB", flush=True)
        out["exceptions"] = runs.exceptions
        browser.close()
    out["rss_end_mib"], out["rss_peak_mib"] = memory_mib(pid)
    return out


def one(kind: str, athletes: int, reruns: int, server: str | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        url = (stack.enter_context(scratch_schema(server, prefix="rts_browser")) if server
               else str(Path(tmp) / f"{kind}.sqlite"))
        t = time.perf_counter()
        season_store(url, athletes) if kind == "season" else demo_store(url)
        print(f"{kind}: store written in {time.perf_counter() - t:.1f} s", flush=True)
        served = serve(url)  # type: ignore[arg-type] - a URL where a path goes
        base = next(served)
        try:
            return drive(base, int(base.rsplit(":", 1)[1]), reruns, kind)
        finally:
            next(served, None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=160)
    parser.add_argument("--runs", type=int, default=5, help="warm reruns per page (the median is reported)")
    parser.add_argument("--no-floor", action="store_true", help="skip the demo-team run the figures are read against")
    parser.add_argument("--server", default=None, help="a PostgreSQL URL on loopback (default: a temporary SQLite file)")
    parser.add_argument("--out", type=Path, default=None, help="write every figure as JSON here")
    args = parser.parse_args()
    if args.server and sa.engine.make_url(args.server).host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("loopback only: --server must be on 127.0.0.1")
    results = {"athletes": args.athletes, "runs": args.runs, "store": "postgresql" if args.server else "sqlite"}
    if not args.no_floor:
        results["floor"] = one("demo", 0, args.runs, args.server)
    results["season"] = s = one("season", args.athletes, args.runs, args.server)
    f = results.get("floor")

    def ratio(value: float, floor_value: float | None) -> str:
        return f"{value / floor_value:4.1f}x" if floor_value else "  -  "

    print(f"\n{args.athletes}-athlete season, {results['store']} store; floor: the demo team in the same run")
    print("| figure | season | floor (demo) | ratio | target | met |")
    print("|---|---|---|---|---|---|")
    fb = s["first_board_s"]
    print(f"| first board after the server is up | {fb:.2f} s | {f['first_board_s']:.2f} s | "  # type: ignore[index]
          f"{ratio(fb, f['first_board_s'])} | <= {TARGET_FIRST_BOARD} s | {'met' if fb <= TARGET_FIRST_BOARD else 'NOT met'} |"
          if f else f"| first board after the server is up | {fb:.2f} s | - | - | <= {TARGET_FIRST_BOARD} s | "
          f"{'met' if fb <= TARGET_FIRST_BOARD else 'NOT met'} |")
    fc = s["first_board_cpu_s"]
    print(f"| first board: server CPU | {fc:.2f} s | " + (f"{f['first_board_cpu_s']:.2f} s | {ratio(fc, f['first_board_cpu_s'])}"  # type: ignore[index]
                                                       if f else "- | -") + " | - | - |")
    for title, v in s["pages"].items():  # type: ignore[union-attr]
        fv = f["pages"].get(title) if f else None  # type: ignore[index]
        print(f"| {title}: first visit | {v['first_s'] * 1000:.0f} ms | "
              f"{fv['first_s'] * 1000:.0f} ms | {ratio(v['first_s'], fv['first_s'])} | - | - |" if fv else
              f"| {title}: first visit | {v['first_s'] * 1000:.0f} ms | - | - | - | - |")
        w = v["warm_median_s"]
        print(f"| {title}: warm rerun (median) | {w * 1000:.0f} ms | "
              + (f"{fv['warm_median_s'] * 1000:.0f} ms | {ratio(w, fv['warm_median_s'])}" if fv else "- | -")
              + f" | <= {TARGET_WARM * 1000:.0f} ms | {'met' if w <= TARGET_WARM else 'NOT met'} |")
        wc = v["warm_cpu_median_s"]
        print(f"| {title}: warm rerun, server CPU (median) | {wc * 1000:.0f} ms | "
              + (f"{fv['warm_cpu_median_s'] * 1000:.0f} ms | {ratio(wc, fv['warm_cpu_median_s'])}" if fv else "- | -") + " | - | - |")
    rss = s["rss_peak_mib"]
    print(f"| server RSS peak (VmHWM) after every page | {rss:.0f} MiB | "
          + (f"{f['rss_peak_mib']:.0f} MiB | {ratio(rss, f['rss_peak_mib'])}" if f else "- | -")  # type: ignore[index]
          + f" | <= {TARGET_RSS:.0f} MiB | {'met' if rss <= TARGET_RSS else 'NOT met'} |")
    print(f"| server RSS at the end | {s['rss_end_mib']:.0f} MiB | "
          + (f"{f['rss_end_mib']:.0f} MiB | {ratio(s['rss_end_mib'], f['rss_end_mib'])}" if f else "- | -")  # type: ignore[index]
          + " | - | - |")
    print(f"exceptions shown: season {s['exceptions']}" + (f", demo {f['exceptions']}" if f else ""))  # type: ignore[index]
    if args.out:
        args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
