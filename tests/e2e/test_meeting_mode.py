"""End to end: meeting mode on a projector (1280x720, real Chromium). A presenter's clicker sends
PageDown / PageUp: from the board PageDown opens the first returning athlete's page, PageDown the
next, PageUp back. The whole squad on the board without scrolling, in two grids of the same type, is
pinned too. Screenshots: test-output/e2e/meeting_*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_coach_path import CHROMIUM, FLAGS, OUT, _settled, serve, sync_api

DEMO_ATHLETES = 25  # the demo roster (sample_data/roster.xlsx), all on the board for All squads


@pytest.fixture(scope="module")
def meeting_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(tmp_path_factory.mktemp("meeting") / "meeting.sqlite")


@pytest.fixture
def meeting_page(meeting_url: str):  # noqa: ANN201 - a Playwright Page, on the board in meeting mode
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.set_default_timeout(120_000)
        page.goto(meeting_url)
        page.get_by_text("Readiness board ·").first.wait_for()
        _settled(page)
        page.get_by_text("Meeting mode").first.click()
        page.locator('[data-testid="stExpandSidebarButton"]').wait_for()
        _settled(page)
        yield page
        browser.close()


def _title(page) -> str:  # noqa: ANN001
    return page.locator("h1").first.inner_text().strip()


def test_a_clicker_steps_through_the_returning_athletes(meeting_page) -> None:  # noqa: ANN001
    page = meeting_page
    page.get_by_text("4 returning athletes · next: Kwame Asante").wait_for()
    page.locator("h1").first.click()  # focus leaves the sidebar toggle: the clicker's keys go to the page
    page.keyboard.press("PageDown")
    page.wait_for_url("**/athlete**")
    page.get_by_text("Returning athlete 1 of 4").wait_for()
    _settled(page)
    assert _title(page) == "Kwame Asante"
    page.screenshot(path=str(OUT / "meeting_athlete_1.png"))
    page.keyboard.press("PageDown")
    page.get_by_text("Returning athlete 2 of 4").wait_for()
    _settled(page)
    assert _title(page) == "Finn Murphy"
    page.keyboard.press("PageUp")
    page.get_by_text("Returning athlete 1 of 4").wait_for()
    _settled(page)
    assert _title(page) == "Kwame Asante"


def test_the_whole_squad_fits_on_the_projector(meeting_page) -> None:  # noqa: ANN001
    """Every demo athlete's row ends above the bottom of the 720 px screen, with no scrolling."""
    page = meeting_page
    page.screenshot(path=str(OUT / "meeting_board.png"))
    grids = page.locator('[data-testid="stDataFrame"]')
    bottom = max(grids.nth(i).bounding_box()["y"] + grids.nth(i).bounding_box()["height"] for i in range(grids.count()))
    assert page.evaluate("() => window.scrollY") == 0
    assert bottom <= 720, f"the board ends at {bottom:.0f} px of a 720 px screen ({DEMO_ATHLETES} athletes)"
    # the two grids draw the same type: 13 rows against 12, one 34 px row apart (a root font size
    # once reached one grid's canvas and not the other's, and the board passed 720 px)
    heights = [grids.nth(i).bounding_box()["height"] for i in range(grids.count())]
    assert len(heights) == 2 and abs(heights[0] - heights[1] - 34) <= 1, heights
