"""End to end: the hostile athlete of tests/hostile_text.py (name, diagnosis, file and sheet names,
note full of image links, links, HTML, LaTeX and Streamlit directives) on the real server, in
Chromium. The athlete page and the Data page's import report show that text as text: the browser
asks no host but the app's own for anything (no image, font or link prefetch from evil.example),
and the page holds no outside <img>, no link out, no KaTeX, no directive span made from the upload.

AppTest (tests/test_hostile_text.py) checks every page's Markdown strings; this checks what the
browser really rendered from them. Screenshot: test-output/e2e/hostile_athlete.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests import hostile_text as H
from tests.e2e.test_coach_path import CHROMIUM, FLAGS, OUT, _settled, serve, sync_api

LOCAL = {"127.0.0.1", "localhost"}
TABS = ("Symmetry", "Force plate", "Pain & wellness", "Exposure", "Timeline & notes")


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path, _ = H.hostile_store(tmp_path_factory.mktemp("hostile") / "hostile.sqlite")
    yield from serve(path)


def _rendered_markup(page) -> dict[str, object]:  # noqa: ANN001 - a Playwright Page
    """What the page's Markdown turned into: outside images and links, KaTeX, directive spans."""
    return page.evaluate("""() => ({
        images: [...document.querySelectorAll('img')].map(i => i.src)
                   .filter(s => !s.startsWith(location.origin) && !s.startsWith('data:')),
        links: [...document.querySelectorAll('a[href]')].map(a => a.href)
                   .filter(h => !h.startsWith(location.origin)),
        katex: document.querySelectorAll('.katex').length,
        // our own reasons are :gray[...]; the upload's `:red[RED]` and `3:red` must not become spans
        directives: [...document.querySelectorAll('.stMarkdownColoredText, .stMarkdownBadge')]
                   .filter(s => s.textContent === 'RED' || s.textContent === '').length,
    })""")


def test_the_hostile_athlete_renders_as_text(hostile_url: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    requested: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)
        page.on("request", lambda request: requested.append(request.url))
        page.goto(hostile_url + "/athlete")
        page.get_by_text("Return-to-speed report (PDF)").wait_for()
        _settled(page)
        picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Athlete").first
        picker.click()
        page.keyboard.type("name ![name]")
        page.keyboard.press("Enter")
        title = page.locator("h1").filter(has_text="name ![name](http").first
        title.wait_for()
        _settled(page)
        # the title reads as the name was uploaded (the word joiners are invisible)
        assert title.inner_text().replace("\u2060", "").strip() == H.NAME
        body = page.inner_text("body").replace("\u2060", "")
        assert H.DIAGNOSIS in body and "![dx](http://evil.example/dx.png)" in body
        page.screenshot(path=str(OUT / "hostile_athlete.png"), full_page=True)
        for tab in TABS:
            page.get_by_role("tab", name=tab).click()
            _settled(page)
            assert _rendered_markup(page) == {"images": [], "links": [], "katex": 0, "directives": 0}, tab
        # a tab switch is client-side (no rerun to wait for): wait for the note's text itself, which a
        # loaded machine may paint after the timeline chart above it
        page.wait_for_function(
            "note => document.body.innerText.replaceAll('\\u2060', '').includes(note)", arg=H.NOTE)
        assert H.NOTE in page.inner_text("body").replace("\u2060", "")
        page.goto(hostile_url + "/data")
        page.get_by_text("Import report").first.wait_for()
        _settled(page)
        assert _rendered_markup(page) == {"images": [], "links": [], "katex": 0, "directives": 0}
        browser.close()
    outside = sorted({u for u in requested if urlparse(u).scheme in ("http", "https", "ws", "wss")
                      and urlparse(u).hostname not in LOCAL})
    assert outside == []
