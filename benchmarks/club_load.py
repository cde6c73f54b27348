"""Club load: N staff sessions on two app processes over one PostgreSQL store (issue 14, point 5).

Starts two `streamlit run app.py` servers on free loopback ports, both on one PostgreSQL store (a
schema of its own, holding the demo team, dropped afterwards), and headless Chromium sessions
that, until the time is up, each open the board, an athlete page and the exposure page, and every
`--upload-every`-th session also uploads a one-row wellness export of its own. Reports p50/p95 page
time (navigation to the script's run finished), errors, rows lost (the uploaded files' rows
counted in the shared store against the same files imported into a clean SQLite store) and the
store's size. Loopback only; bounded in sessions, time and every wait; stops its servers itself.

    python benchmarks/club_load.py [--sessions 20 50] [--seconds 120] [--upload-every 4]
        [--server postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib import store  # noqa: E402
from lib.ingest.demo import load_demo  # noqa: E402
from lib.ingest.importer import import_files  # noqa: E402
from tests.e2e.test_coach_path import CHROMIUM, FLAGS, serve  # noqa: E402

PAGES = ("", "athlete", "exposure")  # the board is the app's first page
SETTLED = """() => document.querySelector('[data-testid="stMain"] h1')
                  && !document.querySelector('[data-testid="stStatusWidget"]')"""
PAGE_TIMEOUT_MS = 60_000


def wellness(tmp: Path, session: int, round_: int) -> Path:
    path = tmp / f"load_s{session}_r{round_}.csv"
    path.write_text(f"Timestamp,Name,Pain today (0-10)\n2026/11/23 7:00:00 AM GMT,Load Runner {session},{round_ % 10}\n",
                    encoding="utf-8")
    return path


async def session(browser, urls: list[str], n: int, deadline: float, upload: bool, tmp: Path,  # noqa: ANN001
                  times: list[float], errors: list[str], uploaded: list[Path]) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await context.new_page()
    base = urls[n % len(urls)]  # half the sessions on each process
    round_ = 0
    try:
        while time.monotonic() < deadline:
            for path in PAGES:
                start = time.perf_counter()
                try:
                    await page.goto(f"{base}/{path}", timeout=PAGE_TIMEOUT_MS)
                    await page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
                    if await page.locator('[data-testid="stException"]').count():
                        errors.append(f"session {n} /{path}: exception shown")
                except Exception as exc:  # noqa: BLE001 - every failure is counted, the run goes on
                    errors.append(f"session {n} /{path}: {type(exc).__name__}")
                    continue
                times.append(time.perf_counter() - start)
            if upload and time.monotonic() < deadline:
                file = wellness(tmp, n, round_)
                try:
                    await page.goto(base, timeout=PAGE_TIMEOUT_MS)
                    await page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
                    await page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(file))
                    await page.get_by_text(f"{file.name}: imported").wait_for(timeout=PAGE_TIMEOUT_MS)
                    uploaded.append(file)
                except Exception as exc:  # noqa: BLE001
                    errors.append(f"session {n} upload: {type(exc).__name__}")
            round_ += 1
    finally:
        await context.close()


async def drive(urls: list[str], sessions: int, seconds: float, upload_every: int, tmp: Path) -> dict[str, object]:
    from playwright.async_api import async_playwright

    times: list[float] = []
    errors: list[str] = []
    uploaded: list[Path] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        deadline = time.monotonic() + seconds
        await asyncio.gather(*[session(browser, urls, n, deadline, upload_every > 0 and n % upload_every == 0, tmp,
                                       times, errors, uploaded) for n in range(sessions)])
        await browser.close()
    return {"times": times, "errors": errors, "uploaded": uploaded}


def rows_lost(url: str, uploaded: list[Path], tmp: Path) -> int:
    """Rows of the uploaded files missing from the shared store, against a clean import of them."""
    clean = store.connect(tmp / "clean.sqlite")
    load_demo(clean)
    import_files(clean, [(f.name, f.read_bytes()) for f in uploaded])
    shared = store.connect(url)
    names = {f.name for f in uploaded}

    def count(engine: sa.Engine) -> int:
        w = store.read_table(engine, "wellness", provenance=True)
        return int(w["source_file"].isin(names).sum())

    expected, found = count(clean), count(shared)
    store.dispose_all()
    return expected - found


def store_size(server: str, schema: str) -> int:
    engine = sa.create_engine(server, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        size = conn.execute(sa.text("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :s AND c.relkind = 'r'"),
                            {"s": schema}).scalar_one()
    engine.dispose()
    return int(size)


def run(server: str, sessions: int, seconds: float, upload_every: int) -> dict[str, object]:
    schema = f"rts_load_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.engine.make_url(server).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
    servers = []
    try:
        load_demo(store.connect(url))
        store.dispose_all()
        servers = [serve(url), serve(url)]  # type: ignore[arg-type] - a URL where a path goes
        urls = [next(s) for s in servers]
        with tempfile.TemporaryDirectory() as tmp:
            result = asyncio.run(drive(urls, sessions, seconds, upload_every, Path(tmp)))
            lost = rows_lost(url, result["uploaded"], Path(tmp))  # type: ignore[arg-type]
        times = sorted(result["times"])  # type: ignore[arg-type]
        return {"sessions": sessions, "seconds": seconds, "pages": len(times),
                "p50": statistics.median(times) if times else float("nan"),
                "p95": times[int(0.95 * (len(times) - 1))] if times else float("nan"),
                "errors": result["errors"], "uploads": len(result["uploaded"]), "rows_lost": lost,  # type: ignore[arg-type]
                "store_bytes": store_size(server, schema)}
    finally:
        for s in servers:
            next(s, None)
        store.dispose_all()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--upload-every", type=int, default=4, help="every n-th session uploads (0: none)")
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    if not sa.engine.make_url(args.server).host in ("127.0.0.1", "localhost", "::1"):
        parser.error("loopback only: --server must be on 127.0.0.1")
    print("| sessions | time | pages opened | p50 page | p95 page | errors | uploads | rows lost | store size |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in args.sessions:
        r = run(args.server, n, args.seconds, args.upload_every)
        print(f"| {n} | {r['seconds']:.0f} s | {r['pages']} | {r['p50']:.2f} s | {r['p95']:.2f} s | {len(r['errors'])} | "
              f"{r['uploads']} | {r['rows_lost']} | {r['store_bytes'] / 1e6:.1f} MB |", flush=True)
        for e in r["errors"][:10]:  # type: ignore[index]
            print(f"  error: {e}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
