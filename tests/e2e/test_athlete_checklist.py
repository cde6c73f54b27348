"""End to end: the athlete page's next-tier checklist at 1280x720 (real Chromium), in normal and in
meeting mode, for every returning demo athlete: every cell's text is on screen whole (the threshold
sources and data rows run to 90-130 characters; a grid once cut them at its column's edge), and
the table fits the page's width without scrolling sideways. In meeting mode the checklist is the
decision's four columns and fits the 720 px screen (with the sources it was 749 px for Kwame), the
sources and data rows whole in the expander under it. Screenshots:
test-output/e2e/checklist_<mode>_<n>.png.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.test_coach_path import CHROMIUM, FLAGS, OUT, _settled, serve, sync_api

# the demo's returning athletes in the picker's and the clicker's order (step back, hold, ready)
RETURNING = ("Kwame Asante", "Finn Murphy", "Liam O'Connor", "Mateus Oliveira")
# text that a cut cell would lose: the longest source, and the end of the longest data-row cell
WHOLE = {"Kwame Asante": ("RTS hop battery criterion (LSI ≥ 90%); Noyes 1991 used 85% as abnormal",
                          "2026-11-21, 2026-11-22, 2026-11-23", "Hewit 2012: uninjured athletes usually < 15%"),
         "Mateus Oliveira": ("nordic 2026-11-23: nordbord.csv:2", "Common RTS criterion (LSI ≥ 90%)")}
# every cell and header of the checklist: its text overflows neither its own box nor the table's,
# and the table ends inside the window (no sideways scroll)
CUT = """(which) => {
    const box = document.querySelectorAll('[data-testid="stTable"]')[which];
    const table = box.querySelector('table');
    const right = Math.min(box.getBoundingClientRect().right, window.innerWidth);
    const cells = [...table.querySelectorAll('th, td')];
    const cut = cells.filter(c => c.scrollWidth > c.clientWidth + 1 || c.scrollHeight > c.clientHeight + 1
        || c.getBoundingClientRect().right > right + 1).map(c => c.innerText);
    return {cells: cells.length, cut, sideways: table.scrollWidth > box.clientWidth + 1,
            text: table.textContent.replace(/\\s+/g, ' '), height: box.getBoundingClientRect().height};
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(tmp_path_factory.mktemp("checklist") / "checklist.sqlite")


def _pick(page, name: str) -> None:  # noqa: ANN001
    """Choose `name` in the athlete picker (type to filter, Enter)."""
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Athlete").last
    picker.click()
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    page.locator("h1").filter(has_text=name).wait_for()
    _settled(page)


@pytest.mark.parametrize("mode", ["normal", "meeting"])
def test_no_checklist_cell_is_cut_off(app: str, mode: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.set_default_timeout(120_000)
        page.goto(app)
        page.get_by_text("Readiness board ·").first.wait_for()
        _settled(page)
        if mode == "meeting":  # the clicker's PageDown steps through the returning athletes
            page.get_by_text("Meeting mode").first.click()
            page.locator('[data-testid="stExpandSidebarButton"]').wait_for()
            _settled(page)
            page.locator("h1").first.click()
        else:
            page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Athlete").first.click()
            page.wait_for_url("**/athlete**")
        found = {}
        for n, name in enumerate(RETURNING):
            if mode == "meeting":
                page.keyboard.press("PageDown")
                page.get_by_text(f"Returning athlete {n + 1} of {len(RETURNING)}").wait_for()
                page.locator("h1").filter(has_text=name).wait_for()
                _settled(page)
            else:
                _pick(page, name)
            table = page.locator('[data-testid="stTable"]').first
            table.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            table.screenshot(path=str(OUT / f"checklist_{mode}_{n}.png"))
            state = page.evaluate(CUT, 0)
            columns = 4 if mode == "meeting" else 6
            assert state["cells"] >= 7 * columns, (name, state["cells"])  # a header and at least six criteria
            if mode == "meeting":  # the projector: the whole checklist on one screen
                assert state["height"] <= 720, (name, state["height"])
                assert page.locator('[data-testid="stTable"]').count() == 2
                state["text"] = page.evaluate(CUT, 1)["text"]  # the sources, in the expander (closed)
            assert all(t in state["text"] for t in WHOLE.get(name, ())), (name, state["text"])
            found[name] = (state["cut"], state["sideways"])
        browser.close()
    assert found == {name: ([], False) for name in RETURNING}, f"cut-off checklist cells per athlete: {found}"
