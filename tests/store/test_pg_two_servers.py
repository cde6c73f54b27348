"""Several app processes, one truth: two `streamlit run app.py` servers (loopback ports) over one
PostgreSQL store. A file uploaded through one shows on the other's board on its next run: every
cache is keyed by the store's version row, which the upload's transaction raised, not by anything
held in one process. Bounded: every wait has a timeout and both servers are always stopped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lib import store
from lib.ingest.demo import load_demo
from tests.e2e.test_coach_path import CHROMIUM, FLAGS, OUT, serve, sync_api

CAPTION = '[data-testid="stMain"] [data-testid="stCaptionContainer"]'
MAIN_CAPTION_IS = f"text => document.querySelector('{CAPTION}')?.innerText === text"
SIDEBAR_SHOWS = "line => document.querySelector('[data-testid=\"stSidebar\"]').innerText.includes(line)"


@pytest.fixture
def two_servers(pg_url: str) -> Iterator[tuple[str, str]]:
    """Two servers on one PostgreSQL store holding the demo team."""
    load_demo(store.connect(pg_url))
    store.dispose_all()
    first, second = serve(pg_url), serve(pg_url)  # type: ignore[arg-type] - a URL where a path goes
    try:
        yield next(first), next(second)
    finally:
        next(first, None)
        next(second, None)


def board_caption(page) -> str:  # noqa: ANN001 - a Playwright Page
    page.wait_for_selector(CAPTION)
    # the board's caption, not the opening line a first start shows before lib is imported (app.py)
    page.wait_for_function("(sel) => { const c = document.querySelector(sel); return c && !c.innerText.startsWith('Opening') }",
                           arg=CAPTION)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    return page.locator(CAPTION).first.inner_text()


def test_an_upload_on_one_server_shows_on_the_other_at_its_next_run(two_servers: tuple[str, str], tmp_path: Path) -> None:
    url_a, url_b = two_servers
    wellness = tmp_path / "wellness_two_servers.csv"
    wellness.write_text("Timestamp,Name,Pain today (0-10)\n2026/11/23 7:00:00 AM GMT,Twoserver Runner,3\n",
                        encoding="utf-8")
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            a = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
            b = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
            for page, url in ((a, url_a), (b, url_b)):
                page.set_default_timeout(120_000)
                page.goto(url)
            before = board_caption(a)  # server A has built (and cached) its board for this version
            assert board_caption(b) == before
            b.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(wellness))
            b.wait_for_function(SIDEBAR_SHOWS, arg=f"{wellness.name}: imported, 2 rows added", timeout=90_000)
            assert "2 no data" in before
            after = before.replace("2 no data", "3 no data")  # Twoserver Runner: no tests yet
            b.wait_for_function(MAIN_CAPTION_IS, arg=after, timeout=60_000)  # server B's board after its upload
            # a new session on each server: the store is no longer the demo alone, so the date
            # defaults to today on both; server A's caches were built for the version before the upload
            b.reload()
            fresh = board_caption(b)
            assert fresh != before
            a.reload()
            try:
                a.wait_for_function(MAIN_CAPTION_IS, arg=fresh, timeout=60_000)
            finally:
                a.screenshot(path=str(OUT / "two_servers_a_after_b_upload.png"))
        finally:
            browser.close()
