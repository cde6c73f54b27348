"""Downloads show progress: every download on the board, athlete, plan and Data pages is built when
clicked (a deferred download through ui.logged_download), and for those Streamlit's button turns
into a spinner and is disabled until the file is ready, so a PDF that takes seconds is never a
button that seems to do nothing. A download built while the page runs would instead slow every
rerun and show no progress when clicked. What the browser shows is pinned in real Chromium by
tests/e2e/test_download_progress.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.apptest import demo_store, start_app, store_copy

# page -> its downloads (labels), all deferred; the Data page's template is a small fixed workbook
DOWNLOADS = {
    "pages/board.py": {"Board report (PDF)", "Board (CSV)"},
    "pages/athlete.py": {"Return-to-speed report (PDF)"},
    "pages/data.py": {"All tables and the board (XLSX)", "Download rejected rows (CSV)"},
    "pages/plan.py": {"Plans of the rehab group (PDF)", "Plans of the rehab group (CSV)", "Kwame Asante's week (PDF)"},
}


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_store(tmp_path_factory.mktemp("downloads_template") / "downloads.sqlite")


@pytest.fixture
def db(demo_template: Path, tmp_path: Path) -> Iterator[Path]:
    yield from store_copy(demo_template, tmp_path)


@pytest.mark.parametrize("page", list(DOWNLOADS))
def test_every_slow_download_is_built_on_click_with_a_spinner(page: str, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start_app(db, monkeypatch)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert DOWNLOADS[page] <= set(buttons), sorted(buttons)
    assert {label for label in DOWNLOADS[page] if not buttons[label].deferred_file_id} == set()
