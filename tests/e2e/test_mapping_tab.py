"""End to end, in real Chromium: a coach teaches the product a sheet no reader knows, once.

A club's hop sheet (a title row above the header, `Player`, `Test day`, `Foot`, results in metres)
fails in the sidebar with the offer to map it; the Data page's *Teach a format* tab already holds the
file (taken from the uploader), shows the product's guess per column and the canonical rows before
anything is stored; the coach names and saves the profile, which imports the file; next week's file
of the same shape imports from the sidebar with no questions, and its import report names the
profile. The tab, with the rows it gives, is kept as a 1280x720 screenshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lib import store
from lib.ingest import profiles
from tests.ingest.test_profiles import HOPS

from test_coach_path import CHROMIUM, FLAGS, OUT, _settled, own_server, sync_api

NEXT_WEEK = HOPS.replace(b"12/11/2026", b"19/11/2026").replace(b"13/11/2026", b"20/11/2026")
SIDEBAR_SHOWS = "line => document.querySelector('[data-testid=\"stSidebar\"]').innerText.includes(line)"
MAIN_SHOWS = "line => document.querySelector('[data-testid=\"stMain\"]').innerText.includes(line)"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A server for this test alone, on a fresh demo store."""
    yield from own_server(tmp_path / "mapping.sqlite")


def _upload(page, path: Path) -> None:  # noqa: ANN001
    page.locator('[data-testid="stSidebar"] [data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))


def test_teach_a_format_then_the_same_shape_imports_by_itself(server, tmp_path: Path) -> None:  # noqa: ANN001
    url, db = server
    first, second = tmp_path / "northside_hops.csv", tmp_path / "northside_hops_week2.csv"
    first.write_bytes(HOPS)
    second.write_bytes(NEXT_WEEK)
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.set_default_timeout(120_000)
            page.goto(url)
            _settled(page)
            _upload(page, first)
            page.wait_for_function(SIDEBAR_SHOWS, arg="map its columns on the Data page (tab 'Teach a format')")

            # the sidebar's page link keeps this session (and the file still in the uploader)
            page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Data").click()
            _settled(page)
            page.get_by_role("tab", name="Teach a format").click()
            _settled(page)
            picked = page.get_by_role("combobox", name="Or a file of the last upload, not read in full")
            assert picked.input_value() == "northside_hops.csv: not recognised"  # preselected from the uploader
            page.wait_for_function(MAIN_SHOWS, arg="not a format we know: no built-in reader recognises this sheet")
            # the canonical rows before anything is stored (as pinned in tests/test_page_data_mapping.py)
            page.wait_for_function(MAIN_SHOWS, arg="8 data rows: 4 give rows (7 tests), 3 rejected whole, 1 skipped")
            assert profiles.stored_profiles(store.connect(db)) == []

            name = page.get_by_label("Profile name")
            name.fill("Northside hops")
            name.press("Enter")
            _settled(page)
            page.get_by_text("The rows it gives", exact=True).scroll_into_view_if_needed()
            page.screenshot(path=str(OUT / "mapping_tab.png"))
            page.get_by_role("button", name="Save the profile and import this file").click()
            page.wait_for_function("() => document.body.innerText.includes(\"format profile 'Northside hops'\")")
            _settled(page)

            _upload(page, second)
            page.wait_for_function(SIDEBAR_SHOWS, arg="northside_hops_week2.csv")
            page.wait_for_function(SIDEBAR_SHOWS, arg="imported, 7 rows added")
            page.get_by_role("tab", name="Import history").click()
            _settled(page)
            # the newest import's report is the one shown (the picker follows a new import)
            page.wait_for_function("() => [...document.querySelectorAll('input[aria-label=\"Import report\"]')]"
                                   ".some(e => e.value.includes('northside_hops_week2.csv'))")
            page.wait_for_function(MAIN_SHOWS, arg="read as format profile 'Northside hops'")
            page.screenshot(path=str(OUT / "mapping_second_file_report.png"))
        finally:
            browser.close()

    engine = store.connect(db)
    try:
        [saved] = profiles.stored_profiles(engine)
        imports = store.read_imports(engine)
    finally:
        store.dispose_all()
    assert saved.profile.name == "Northside hops"
    formats = dict(zip(imports["file"], imports["formats"]))
    assert formats["northside_hops.csv"] == formats["northside_hops_week2.csv"] == "format profile 'Northside hops'"
