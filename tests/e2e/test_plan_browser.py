"""End to end: the Plan page in headless Chromium. Open the rehab group's week on the demo team,
pick an athlete, change a number in the table editor, see what the board would flag, save the plan,
and find it in the store with who saved it. Screenshots at 1280x720 go to test-output/e2e/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_coach_path import CHROMIUM, FLAGS, OUT, _settled, serve, sync_api


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e_plan") / "plan.sqlite"


@pytest.fixture(scope="module")
def app_url(store_path: Path) -> Iterator[str]:
    yield from serve(store_path)


@pytest.fixture(scope="module")
def page(app_url: str):  # noqa: ANN201 - a Playwright Page
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 720})
        pg.set_default_timeout(120_000)
        yield pg
        browser.close()


def test_a_coach_saves_a_plan(page, app_url: str, store_path: Path) -> None:  # noqa: ANN001
    from lib import store
    from lib.store.saved_plans import read_plans

    page.goto(f"{app_url}/plan")
    page.get_by_text("Weekly plan · 2026-W48").wait_for()
    _settled(page)
    athlete = page.locator('[data-testid="stSelectbox"]').filter(has_text="Athlete").last
    athlete.click()
    page.get_by_role("option", name="Mateus Oliveira").click()
    _settled(page)
    page.get_by_text("Spike-safe: no flag the board would raise").wait_for()
    page.screenshot(path=str(OUT / "plan_01_proposal.png"))

    # Wednesday's HSR (third row, the HSR m column at about two thirds of the width): open the cell, type over it
    grid = page.locator('[data-testid="stDataFrame"]').nth(1)
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    assert box is not None
    page.mouse.dblclick(box["x"] + box["width"] * 0.677, box["y"] + 35 * 3 + 17)
    page.wait_for_timeout(500)
    page.keyboard.press("Control+A")
    page.keyboard.type("600", delay=50)
    page.keyboard.press("Enter")
    page.screenshot(path=str(OUT / "plan_debug.png"))
    _settled(page)
    page.get_by_text("The board would flag this week").wait_for()
    page.get_by_text("Save plan").scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / "plan_02_flagged.png"))

    page.get_by_role("button", name="Save plan").click()
    page.get_by_text("Plan of Mateus Oliveira for 2026-W48 saved.").wait_for()
    _settled(page)
    page.screenshot(path=str(OUT / "plan_03_saved.png"))

    saved = read_plans(store.connect(store_path))
    mine = saved[(saved["athlete_id"] == "RTS011") & (saved["week"] == "2026-W48")]
    assert len(mine) == 1 and mine.iloc[0]["saved_by"] == "local"
    assert '"hsr_m": 600.0' in mine.iloc[0]["plan"]
    page.get_by_text("saved by local").first.wait_for()
    store.dispose_all()
