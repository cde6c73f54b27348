"""Club load: N staff sessions on two app processes over one PostgreSQL store (issue 14, point 5).

Starts two `streamlit run app.py` servers on free loopback ports, both on one PostgreSQL store (a
schema of its own, holding the demo team, dropped afterwards), and N staff sessions that, until the
time is up, each open the board, an athlete page and the exposure page, and every
`--upload-every`-th session also uploads a one-row wellness export of its own. Reports p50/p95 page
time (request to the script's run finished), errors (an exception on the page, a timeout, a failed
upload), rows lost (the uploaded files' rows counted in the shared store against the same files
imported into a clean SQLite store) and the store's size. Loopback only; bounded in sessions, time
and every wait; stops its servers itself.

A session is, by default, a client of Streamlit's own websocket protocol (what the browser sends:
one `rerun_script` per page, the upload through the server's upload endpoint and the uploader's
widget state), so the figures are the servers' and the store's, not the cost of drawing 50 browser
pages on the same two cores. `--client browser` drives headless Chromium instead (one page per
session). The first row, one session, is the floor the others are read against (ratio column).

    python benchmarks/club_load.py [--sessions 1 20 50] [--seconds 120] [--upload-every 4]
        [--client protocol|browser] [--think 0] [--server postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetStates

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib import store  # noqa: E402
from lib.ingest.demo import load_demo  # noqa: E402
from lib.ingest.importer import import_files  # noqa: E402
from lib.store.scratch import scratch_schema  # noqa: E402
from tests.e2e.test_coach_path import CHROMIUM, FLAGS, serve  # noqa: E402

PAGES = ("", "athlete", "exposure")  # the board is the app's first page (url path "")
SETTLED = """() => document.querySelector('[data-testid="stMain"] h1')
                  && !document.querySelector('[data-testid="stStatusWidget"]')"""
PAGE_TIMEOUT_MS = 60_000


def wellness(tmp: Path, session: int, round_: int) -> Path:
    """A one-row morning wellness export: each round is another morning, so no two files are alike
    (an identical file is, rightly, 'already imported' and would count as a failed upload)."""
    path = tmp / f"load_s{session}_r{round_}.csv"
    day = dt.date(2026, 11, 23) - dt.timedelta(days=round_)
    path.write_text(f"Timestamp,Name,Pain today (0-10)\n{day:%Y/%m/%d} 7:00:00 AM GMT,Load Runner {session},{round_ % 10}\n",
                    encoding="utf-8")
    return path


FINISHED_EARLY_FOR_RERUN = 2  # ScriptFinishedStatus: the app's navigation reran the script at once


class ProtocolSession:
    """One staff session speaking Streamlit's websocket protocol, as the browser does."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ws = None
        self.session_id = ""
        self.uploader_id = ""
        self.cookie = ""
        self.texts: list[str] = []

    async def open(self) -> None:
        # the health endpoint sets the XSRF cookie that the upload endpoint checks against its header
        with await asyncio.to_thread(urllib.request.urlopen, self.url + "/_stcore/health", timeout=30) as r:
            for header in r.headers.get_all("Set-Cookie") or []:
                if header.startswith("_streamlit_xsrf="):
                    self.cookie = header.split(";")[0]
        self.ws = await websockets.connect(self.url.replace("http", "ws", 1) + "/_stcore/stream", origin=self.url,
                                           max_size=None, subprotocols=["streamlit"],
                                           additional_headers={"Cookie": self.cookie} if self.cookie else {})

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def _receive(self) -> ForwardMsg:
        msg = ForwardMsg()
        msg.ParseFromString(await self.ws.recv())  # type: ignore[union-attr]
        return msg

    async def page(self, name: str, widgets: WidgetStates | None = None) -> int:
        """Run page `name` (its url path); the number of exceptions it showed."""
        back = BackMsg()
        back.rerun_script.query_string = ""
        back.rerun_script.page_name = name
        if widgets is not None:
            back.rerun_script.widget_states.CopyFrom(widgets)
        self.texts = []
        await self.ws.send(back.SerializeToString())  # type: ignore[union-attr]
        exceptions = 0
        async with asyncio.timeout(PAGE_TIMEOUT_MS / 1000):
            while True:
                msg = await self._receive()
                kind = msg.WhichOneof("type")
                if kind == "new_session" and msg.new_session.HasField("initialize"):
                    self.session_id = msg.new_session.initialize.session_id
                elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    element = msg.delta.new_element
                    what = element.WhichOneof("type")
                    if what == "exception":
                        exceptions += 1
                    elif what == "file_uploader":
                        self.uploader_id = element.file_uploader.id
                    elif what in ("markdown", "alert"):
                        self.texts.append(getattr(element, what).body)
                elif kind == "script_finished" and msg.script_finished != FINISHED_EARLY_FOR_RERUN:
                    return exceptions

    async def upload(self, file: Path) -> bool:
        """Upload `file` through the sidebar uploader on the board; True once the app says imported."""
        data = file.read_bytes()
        back = BackMsg()
        back.file_urls_request.request_id = uuid.uuid4().hex
        back.file_urls_request.file_names.append(file.name)
        back.file_urls_request.session_id = self.session_id
        await self.ws.send(back.SerializeToString())  # type: ignore[union-attr]
        async with asyncio.timeout(PAGE_TIMEOUT_MS / 1000):
            while True:
                msg = await self._receive()
                if (msg.WhichOneof("type") == "file_urls_response"
                        and msg.file_urls_response.response_id == back.file_urls_request.request_id):
                    urls = msg.file_urls_response.file_urls[0]
                    break
        boundary = uuid.uuid4().hex
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file.name}"\r\n'
                "Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(self.url + urls.upload_url, data=body, method="PUT", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": self.cookie, "X-Xsrftoken": self.cookie.partition("=")[2]})
        await asyncio.to_thread(lambda: urllib.request.urlopen(request, timeout=PAGE_TIMEOUT_MS / 1000).read())
        widgets = WidgetStates()
        widget = widgets.widgets.add()
        widget.id = self.uploader_id
        info = widget.file_uploader_state_value.uploaded_file_info.add()
        info.name, info.size, info.file_id = file.name, len(data), urls.file_id
        info.file_urls.CopyFrom(urls)
        if await self.page("", widgets):
            return False
        return any(f"{file.name}**: imported" in t for t in self.texts)


async def protocol_session(urls: list[str], n: int, deadline: float, upload: bool, tmp: Path,
                           times: list[float], errors: list[str], uploaded: list[Path], think: float) -> None:
    s = ProtocolSession(urls[n % len(urls)])  # half the sessions on each process
    round_ = 0
    try:
        await s.open()
        while time.monotonic() < deadline:
            for path in PAGES:
                start = time.perf_counter()
                try:
                    if await s.page(path):
                        errors.append(f"session {n} /{path}: exception shown")
                except Exception as exc:  # noqa: BLE001 - every failure is counted, the run goes on
                    errors.append(f"session {n} /{path}: {type(exc).__name__}")
                    continue
                times.append(time.perf_counter() - start)
                await asyncio.sleep(think)
            if upload and time.monotonic() < deadline:
                file = wellness(tmp, n, round_)
                try:
                    if await s.upload(file):
                        uploaded.append(file)
                    else:
                        errors.append(f"session {n} upload: not imported")
                except Exception as exc:  # noqa: BLE001
                    errors.append(f"session {n} upload: {type(exc).__name__}")
            round_ += 1
    except Exception as exc:  # noqa: BLE001 - a session that cannot connect is an error, not a crash
        errors.append(f"session {n} connect: {type(exc).__name__}")
    finally:
        await s.close()


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


async def drive(urls: list[str], sessions: int, seconds: float, upload_every: int, tmp: Path,
                client: str, think: float) -> dict[str, object]:
    from playwright.async_api import async_playwright

    times: list[float] = []
    errors: list[str] = []
    uploaded: list[Path] = []
    if client == "protocol":
        deadline = time.monotonic() + seconds
        await asyncio.gather(*[protocol_session(urls, n, deadline, upload_every > 0 and n % upload_every == 0, tmp,
                                                times, errors, uploaded, think) for n in range(sessions)])
        return {"times": times, "errors": errors, "uploaded": uploaded}
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


def store_size(url: str) -> int:
    """Bytes of the tables in the store's schema (the URL's search_path, PostgreSQL's current_schema())."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        size = conn.execute(sa.text("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                    "WHERE n.nspname = current_schema() AND c.relkind = 'r'")).scalar_one()
    engine.dispose()
    return int(size)


def run(server: str, sessions: int, seconds: float, upload_every: int, client: str, think: float) -> dict[str, object]:
    with scratch_schema(server, prefix="rts_load") as url:
        servers = []
        try:
            load_demo(store.connect(url))
            store.dispose_all()
            servers = [serve(url), serve(url)]  # type: ignore[arg-type] - a URL where a path goes
            urls = [next(s) for s in servers]
            with tempfile.TemporaryDirectory() as tmp:
                result = asyncio.run(drive(urls, sessions, seconds, upload_every, Path(tmp), client, think))
                lost = rows_lost(url, result["uploaded"], Path(tmp))  # type: ignore[arg-type]
            times = sorted(result["times"])  # type: ignore[arg-type]
            return {"sessions": sessions, "seconds": seconds, "pages": len(times),
                    "p50": statistics.median(times) if times else float("nan"),
                    "p95": times[int(0.95 * (len(times) - 1))] if times else float("nan"),
                    "errors": result["errors"], "uploads": len(result["uploaded"]), "rows_lost": lost,  # type: ignore[arg-type]
                    "store_bytes": store_size(url)}
        finally:
            for s in servers:
                next(s, None)
            store.dispose_all()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 20, 50],
                        help="session counts, one run each; the first is the floor the ratio column divides by")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--upload-every", type=int, default=4, help="every n-th session uploads (0: none)")
    parser.add_argument("--client", choices=("protocol", "browser"), default="protocol",
                        help="protocol: Streamlit's websocket protocol (default); browser: headless Chromium")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds a protocol session waits after each page (0: pages back to back, the worst case)")
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    if not sa.engine.make_url(args.server).host in ("127.0.0.1", "localhost", "::1"):
        parser.error("loopback only: --server must be on 127.0.0.1")
    print(f"client: {args.client}; think time {args.think:g} s after each page")
    print("| sessions | time | pages opened | p50 page | p95 page | p50 / floor | errors | uploads | rows lost | store size |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    floor = None
    for n in args.sessions:
        r = run(args.server, n, args.seconds, args.upload_every, args.client, args.think)
        floor = floor or r["p50"]
        print(f"| {n} | {r['seconds']:.0f} s | {r['pages']} | {r['p50']:.2f} s | {r['p95']:.2f} s | "
              f"{r['p50'] / floor:.1f}x | {len(r['errors'])} | "  # type: ignore[operator]
              f"{r['uploads']} | {r['rows_lost']} | {r['store_bytes'] / 1e6:.1f} MB |", flush=True)
        for e in r["errors"][:10]:  # type: ignore[index]
            print(f"  error: {e}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
