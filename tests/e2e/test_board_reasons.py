"""End to end: the normal board's reasons at 1280x720 with the sidebar open (real Chromium). The
grid's reason column once ran past the grid's right edge and cut the two top reasons mid-word
(Kwame Asante's, 77 characters); now every column fits the grid and a reason longer than a line
wraps in taller rows (lib.views.board_row_height). Read from the grid's pixels, as in meeting mode
(tests/e2e/test_meeting_mode.py). Screenshot: test-output/e2e/board_reasons.png.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PIL import Image

from lib.views import BOARD_REASON_CHARS, WRAPPED_ROW_PX
from tests.e2e.test_coach_path import CHROMIUM, FLAGS, OUT, _settled, serve, sync_api
from tests.e2e.test_meeting_mode import _clipped_cells

# the demo day's rows with a reason longer than one line of the column (BOARD_REASON_CHARS), by hand:
# Kwame's two reasons are 77 characters, Tomas Herrera1's pending name and GPS 80; both in the top five
LONG = ("pain 6/10 > 5/10 · pain next morning not settled: 6/10 the morning after 5/10",
        "new name? maybe Tomás Herrera (Data page) · GPS on 0 of the last 28 days < 21")


@pytest.fixture(scope="module")
def board_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(tmp_path_factory.mktemp("board_reasons") / "board.sqlite")


def test_no_reason_is_cut_at_1280_px(board_url: str) -> None:
    assert all(len(r) > BOARD_REASON_CHARS for r in LONG)
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.set_default_timeout(120_000)
        page.goto(board_url)
        page.get_by_text("Readiness board ·").first.wait_for()
        _settled(page)
        assert page.locator('[data-testid="stSidebar"]').bounding_box()["width"] > 200  # the sidebar is open
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        box = grid.bounding_box()
        # the columns' total width against the grid's: wider, and the grid scrolls sideways and cuts
        # the last column (the reasons) at its edge, as it did (1005 px of columns in an 820 px grid)
        widths = grid.locator(".dvn-scroller").first.evaluate("e => [e.scrollWidth, e.clientWidth]")
        # the grid's top on screen: the header and the first rows (the long reasons are in the top five)
        clip = {"x": box["x"], "y": box["y"], "width": box["width"], "height": min(box["height"], 720 - box["y"])}
        shot = OUT / "board_reasons.png"
        page.screenshot(path=str(shot), clip=clip)
        page.screenshot(path=str(OUT / "board_reasons_page.png"))
        browser.close()
    assert box["x"] + box["width"] <= 1280, box
    assert widths[0] <= widths[1], f"the grid scrolls sideways: {widths[0]} px of columns in {widths[1]} px"
    assert box["height"] >= 36 + 25 * WRAPPED_ROW_PX - 2, box  # 25 athletes in rows the grid wraps in
    assert Image.open(shot).height >= 36 + 5 * WRAPPED_ROW_PX - 2  # the header and five whole rows
    assert _clipped_cells(shot) == [], "cells whose text runs into the cell's right border"
