"""End to end: look at it. Every page at 1280x720, in normal and in meeting mode, as medical staff
and as a coach (RTS_LOCAL_ROLE, no sign-in), screenshotted to test-output/e2e/screens/
`<role>_<mode>_<page>.png` for a person to open and check after a page change.

Each shot is also checked for what a glance would catch: the page's title is on screen, no
Streamlit exception box, in meeting mode the sidebar is folded away, and a coach's screens hold
no diagnosis (the demo's diagnoses are medical-only).

The README's pictures of the athlete page are these shots as medical staff (docs/screenshots/):
athlete.png and meeting_athlete.png are medical_normal_athlete.png and medical_meeting_athlete.png,
athlete_checklist.png is medical_normal_athlete_checklist.png, athlete_timeline.png is
charts/medical_normal_athlete_timeline_&_notes_0.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_coach_path import CHROMIUM, FLAGS, OUT, _settled, sync_api
from tests.e2e.test_offline import serve_as

SHOTS = OUT / "screens"
# sidebar link -> the start of the page's title
PAGES = {"Readiness board": "Readiness board ·", "Athlete": "Return-to-speed report (PDF)",
         "Hop tests": "Hop tests ·", "High-velocity exposure": "High-velocity exposure ·", "Data": "Import history",
         "Settings": "Settings ·"}
DIAGNOSIS_WORDS = ("BAMIC", "ATFL", "Adductor longus strain", "gastrocnemius strain", "Rectus femoris strain")  # the demo roster's diagnoses


@pytest.fixture(scope="module", params=["medical", "coach"])
def role_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    yield from ((request.param, url) for url in serve_as(tmp_path_factory.mktemp(request.param) / "shots.sqlite",
                                                          request.param))


def _still(page) -> None:  # noqa: ANN001
    """Settled, and no element greyed out as stale by a rerun still on its way (a clean shot)."""
    _settled(page)
    page.wait_for_function("""() => !document.querySelector('[data-testid="stStatusWidget"]')
        && !document.querySelector('[data-stale="true"]')""")
    page.wait_for_timeout(400)


def _sidebar_width(page) -> float:  # noqa: ANN001
    box = page.locator('[data-testid="stSidebar"]').bounding_box()
    return 0 if box is None else box["width"]


def _open(page, link: str) -> None:  # noqa: ANN001
    """Open a page from the sidebar's page list (unfolding the sidebar first in meeting mode)."""
    folded = _sidebar_width(page) < 50
    if folded:
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]').getBoundingClientRect().width > 200")
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=link).first.click()
    try:
        page.get_by_text(PAGES[link]).first.wait_for(timeout=60_000)
    except sync_api.TimeoutError:  # a click that landed during a rerun's end is dropped by Streamlit: once more
        _settled(page)
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text=link).first.click()
        page.get_by_text(PAGES[link]).first.wait_for()
    _settled(page)
    if folded and _sidebar_width(page) > 50:
        page.locator('[data-testid="stSidebarCollapseButton"] button, [data-testid="stSidebarCollapseButton"]').first.click()
        page.wait_for_timeout(600)
    _still(page)


# the tabs whose charts are shot one by one (charts/<role>_<mode>_<page>_<tab>_<n>.png)
CHART_TABS = {"Athlete": ("Symmetry", "Force plate", "Pain & wellness", "Exposure", "Timeline & notes"),
              "Hop tests": ("LSI over time", "Left vs right"), "High-velocity exposure": ("HSR (m)",)}


def _chart_shots(page, prefix: str, link: str) -> int:  # noqa: ANN001
    """Each chart of the page's tabs, screenshotted on its own (scrolled into view): the page shot
    ends at the fold, most charts are below it."""
    (SHOTS / "charts").mkdir(parents=True, exist_ok=True)
    shot = 0
    for tab in CHART_TABS.get(link, ()):
        tabs = page.get_by_role("tab", name=tab)
        if tabs.count():
            tabs.first.click()
            _still(page)
        charts = page.locator('[data-testid="stVegaLiteChart"]:visible')
        for i in range(charts.count()):
            chart = charts.nth(i)
            chart.scroll_into_view_if_needed()
            page.wait_for_timeout(200)
            chart.screenshot(path=str(SHOTS / "charts" / f"{prefix}_{tab.lower().replace(' ', '_')}_{i}.png"))
            shot += 1
    return shot


@pytest.mark.parametrize("mode", ["normal", "meeting"])
def test_every_page_looks_right(role_url: tuple[str, str], mode: str) -> None:
    role, url = role_url
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.set_default_timeout(120_000)
        page.goto(url)
        page.get_by_text("Readiness board ·").first.wait_for()
        _settled(page)
        if mode == "meeting":
            page.get_by_text("Meeting mode").first.click()
            page.locator('[data-testid="stExpandSidebarButton"]').wait_for()
            _settled(page)
        for link in PAGES:
            _open(page, link)
            if mode == "meeting":
                assert _sidebar_width(page) < 50, link
            assert page.locator('[data-testid="stException"]').count() == 0, link
            if mode == "normal":  # no empty band above the title (it started about 110 px lower)
                assert page.locator("h1").first.bounding_box()["y"] <= 70, link
            name = link.lower().replace(" ", "_").replace("-", "_")
            page.screenshot(path=str(SHOTS / f"{role}_{mode}_{name}.png"))
            if link == "Athlete":  # the next tier's checklist, below the fold: the screen scrolled to it
                checklist = page.locator('[data-testid="stTable"]').first  # meeting mode: its sources in an expander
                checklist.scroll_into_view_if_needed()
                page.wait_for_timeout(300)
                if mode == "meeting":  # the projector shows the whole checklist at once
                    assert checklist.bounding_box()["height"] <= 720, checklist.bounding_box()
                page.screenshot(path=str(SHOTS / f"{role}_{mode}_athlete_checklist.png"))
            if role == "medical" and link in CHART_TABS:
                assert _chart_shots(page, f"{role}_{mode}_{name}", link) > 0, link
            if role == "coach":
                body = page.inner_text("body")
                assert not [w for w in DIAGNOSIS_WORDS if w in body], link
        browser.close()
