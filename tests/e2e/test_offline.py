"""End to end: offline by construction. A coach (RTS_LOCAL_ROLE=coach, no sign-in) walks the whole
path in headless Chromium: the board, an athlete's page with every tab, the hop tests, the
exposure page with every tab, the Data page, downloads the board (PDF and CSV), and types two
pages' addresses (/athlete?..., /hops) as from a bookmark. Every network
request the browser makes is recorded: each must go to the app's own server (no font, icon,
script or telemetry host), and the browser console must hold no error or warning.

Vega-Lite's warnings about chart specs ("Conflicting legend property", "Channel size should not be
used with an unsorted discrete field") are pinned apart in `test_charts_log_no_vega_lite_warnings`
(their page named), and every chart builder is compiled without a browser in
tests/test_views_charts.py. Screenshots: test-output/e2e/offline_*.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from unittest import mock
from urllib.parse import urlparse

import pytest

from tests.e2e.test_coach_path import CHROMIUM, FLAGS, OUT, _settled, serve, sync_api

ATHLETE_TABS = ("Symmetry", "Force plate", "Pain & wellness", "Exposure", "Timeline & notes")
EXPOSURE_TABS = ("HSR (m)", "Sprint (m)", "Near-max sessions")
VEGA_WARNING = "WARN "  # how Vega-Lite prefixes what it logs about a chart spec


def go(page, title: str) -> None:  # noqa: ANN001 - a Playwright Page
    """Open a page from the sidebar's page list, as a coach does (the path also types two
    addresses: see the end of `coach_path`)."""
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
    page.wait_for_url(f"**/{title.split()[0].lower()}**" if title != "High-velocity exposure" else "**/exposure**")


def serve_as(db: Path, local_role: str) -> Iterator[str]:
    """`serve(db)` with the local user given `local_role` (the environment is the server's only)."""
    server = serve(db)
    with mock.patch.dict(os.environ, {"RTS_LOCAL_ROLE": local_role}):
        url = next(server)
    yield url
    next(server, None)


@pytest.fixture(scope="module")
def coach_path(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What the browser asked for and logged along the coach's path."""
    OUT.mkdir(parents=True, exist_ok=True)
    downloads = tmp_path_factory.mktemp("downloads")
    record: dict[str, list] = {"requests": [], "console": [], "page_errors": [], "downloads": []}
    server = serve_as(tmp_path_factory.mktemp("offline") / "offline.sqlite", "coach")
    url = next(server)
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            context = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
            page = context.new_page()
            page.set_default_timeout(120_000)
            context.on("request", lambda r: record["requests"].append(r.url))
            page.on("console", lambda m: m.type in ("error", "warning")
                    and record["console"].append((m.type, m.text, page.url)))
            page.on("pageerror", lambda e: record["page_errors"].append(str(e)))

            page.goto(url)
            page.get_by_text("Readiness board ·").first.wait_for()
            _settled(page)
            page.screenshot(path=str(OUT / "offline_board.png"))
            for label in ("Board report (PDF)", "Board (CSV)"):
                with page.expect_download() as info:
                    page.get_by_role("button", name=label).click()
                target = downloads / info.value.suggested_filename
                info.value.save_as(target)
                record["downloads"].append((label, target.stat().st_size))
            _settled(page)

            go(page, "Athlete")
            page.get_by_text("Return-to-speed report (PDF)").wait_for()
            _settled(page)
            for tab in ATHLETE_TABS:
                page.get_by_role("tab", name=tab).click()
                _settled(page)
            page.screenshot(path=str(OUT / "offline_athlete.png"))

            go(page, "Hop tests")
            page.get_by_text("Hop tests ·").first.wait_for()
            _settled(page)
            page.get_by_role("tab", name="Left vs right").click()
            _settled(page)

            go(page, "High-velocity exposure")
            page.get_by_text("High-velocity exposure ·").first.wait_for()
            _settled(page)
            for tab in EXPOSURE_TABS:
                page.get_by_role("tab", name=tab).click()
                _settled(page)

            go(page, "Data")
            page.get_by_role("heading", name="Data").first.wait_for()
            _settled(page)
            page.screenshot(path=str(OUT / "offline_data.png"))

            # typed deep links, as from a bookmark or a shared address: Streamlit's frontend once
            # probed /athlete/_stcore/health and /host-config first (two 404s in the console)
            page.goto(f"{url}/athlete?from=bookmark")
            page.get_by_text("Return-to-speed report (PDF)").wait_for()
            _settled(page)
            page.goto(f"{url}/hops")
            page.get_by_text("Hop tests ·").first.wait_for()
            _settled(page)
            page.screenshot(path=str(OUT / "offline_deep_link.png"))
            browser.close()
    finally:
        next(server, None)
    return {"url": url, **record}


def test_no_request_leaves_the_machine(coach_path: dict[str, object]) -> None:
    own = urlparse(str(coach_path["url"])).netloc
    requests = coach_path["requests"]
    assert len(requests) > 20  # the path ran: scripts, styles, fonts, the websocket, downloads
    outside = sorted({u for u in requests if urlparse(u).scheme not in ("data", "blob") and urlparse(u).netloc != own})
    assert outside == []


def test_the_downloads_arrived(coach_path: dict[str, object]) -> None:
    sizes = dict(coach_path["downloads"])
    assert set(sizes) == {"Board report (PDF)", "Board (CSV)"}
    assert all(size > 100 for size in sizes.values()), sizes


def test_no_console_error_or_warning(coach_path: dict[str, object]) -> None:
    """Apart from the chart spec warnings pinned below, the console stays clean on every page."""
    messages = [m for m in coach_path["console"] if not m[1].startswith(VEGA_WARNING)]
    assert messages == []
    assert coach_path["page_errors"] == []


def test_charts_log_no_vega_lite_warnings(coach_path: dict[str, object]) -> None:
    warnings = sorted({(m[2].rsplit("/", 1)[-1], m[1]) for m in coach_path["console"] if m[1].startswith(VEGA_WARNING)})
    assert warnings == []
