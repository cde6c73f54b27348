"""End to end: five staff upload at once to a server that has just started.

A freshly started `streamlit run app.py` (loopback, its own empty store) gets five browser sessions
opened together; each uploads a different small wellness export at the same moment. Every file's
rows must reach the store and every session must show its own upload summary: on a cold server
four of the five uploads used to vanish without a word. Bounded: every wait has a timeout and the
server is always stopped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lib import store

from test_coach_path import CHROMIUM, FLAGS, OUT, own_server, sync_api

SESSIONS = 5
SIDEBAR_SHOWS = "line => document.querySelector('[data-testid=\"stSidebar\"]').innerText.includes(line)"


def _wellness_file(tmp: Path, i: int) -> Path:
    """A one-row wellness export for a new athlete, 'Coldstart Runner <i>', pain i/10."""
    path = tmp / f"wellness_coldstart_{i}.csv"
    path.write_text(f"Timestamp,Name,Pain today (0-10)\n2026/11/23 7:0{i}:00 AM GMT,Coldstart Runner {i},{i}\n",
                    encoding="utf-8")
    return path


@pytest.fixture
def cold_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A server started for this test alone, on an empty store that nothing has opened yet."""
    yield from own_server(tmp_path / "cold.sqlite")


def test_five_sessions_upload_at_once_to_a_fresh_server(cold_server, tmp_path: Path) -> None:  # noqa: ANN001
    url, db = cold_server
    files = [_wellness_file(tmp_path, i) for i in range(1, SESSIONS + 1)]
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            pages = []
            for _ in range(SESSIONS):  # all five sessions start before any has finished loading
                page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
                page.set_default_timeout(120_000)
                page.goto(url, wait_until="commit")
                pages.append(page)
            inputs = [pg.locator('[data-testid="stFileUploaderDropzoneInput"]') for pg in pages]
            for box in inputs:
                box.wait_for(state="attached")
            for box, file in zip(inputs, files):  # the five uploads start together
                box.set_input_files(str(file))
            missing = []
            for i, (page, file) in enumerate(zip(pages, files), start=1):
                # each session's own summary; 2 rows: the new athlete and the pain score
                line = f"{file.name}: imported, 2 rows added, 0 rows rejected"
                try:
                    page.wait_for_function(SIDEBAR_SHOWS, arg=line, timeout=90_000)
                except sync_api.TimeoutError:
                    missing.append(f"session {i}: {page.locator('[data-testid=stSidebar]').inner_text()[-300:]!r}")
                page.screenshot(path=str(OUT / f"cold_start_session_{i}.png"))
            assert not missing, "uploads without their summary:\n" + "\n".join(missing)
        finally:
            browser.close()

    engine = store.connect(db)
    try:
        wellness = store.read_table(engine, "wellness", provenance=True)
        athletes = store.read_table(engine, "athletes")
    finally:
        store.dispose_all()
    landed = wellness[wellness["source_file"].isin([f.name for f in files])]
    assert sorted(landed["source_file"]) == sorted(f.name for f in files)
    names = dict(zip(athletes["athlete_id"], athletes["name"]))
    assert sorted((names[a], int(v)) for a, v in zip(landed["athlete_id"], landed["value"])) == [
        (f"Coldstart Runner {i}", i) for i in range(1, SESSIONS + 1)]
