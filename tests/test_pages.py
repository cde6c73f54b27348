"""Every page renders from app.py with the demo team: no exception, its title on screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/board.py", "pages/athlete.py", "pages/hops.py", "pages/exposure.py", "pages/data.py",
         "pages/settings.py"]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One demo store for the module (the first app run loads the demo team into it)."""
    return str(tmp_path_factory.mktemp("app") / "demo.sqlite")


def app(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("RTS_DB", demo_db)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    return at.run()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(page: str, demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch)
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.title or at.header


def test_board_shows_the_demo_statuses(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch)
    assert at.title[0].value == "Readiness board · Mon 23 Nov 2026"
    counts = {m.label: m.value for m in at.metric}
    # the demo's testing day: Kwame steps back, Liam holds, Arjun and the typo profile have no data
    assert counts == {"▼ Step back": "1", "■ Hold": "1", "▲ Ready": "21", "? No data": "2"}
    table = at.dataframe[0].value
    assert table.iloc[0]["Athlete"] == "Kwame Asante" and table.iloc[0]["Status"] == "▼ Step back"
    assert "pain 6/10 > 5/10" in table.iloc[0]["Reasons"]
