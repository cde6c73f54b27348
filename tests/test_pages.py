"""Every page renders from app.py with the demo team: no exception, its title, app.py's sidebar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import store
from lib.readiness import Data
from lib.reports import board_pdf
from lib.core.settings import defaults

import ui

ROOT = Path(__file__).resolve().parent.parent
# each page's title on the demo team's testing day (the athlete page opens on the first returning athlete)
TITLES = {"pages/board.py": "Readiness board · Mon 23 Nov 2026", "pages/athlete.py": "Kwame Asante",
          "pages/hops.py": "Hop tests · Mon 23 Nov 2026", "pages/exposure.py": "High-velocity exposure · 23 Nov",
          "pages/plan.py": "Weekly plan · 2026-W48", "pages/data.py": "Data", "pages/settings.py": "Settings · All squads",
          "pages/access.py": "Access & audit"}
PAGES = list(TITLES)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One demo store for the module (the first app run loads the demo team into it)."""
    st.cache_resource.clear()  # ui.engine() must open this module's store, not another module's
    st.cache_data.clear()
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
    assert [t.value for t in at.title] == [TITLES[page]]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_the_sidebar(page: str, demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page runs inside app.py's frame (ui.require_frame): the shared sidebar with the demo's values."""
    at = app(demo_db, monkeypatch)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.sidebar.toggle(key=ui.widget_key(ui.MEETING)).value is False
    team = at.sidebar.selectbox(key=ui.widget_key(ui.SQUAD))
    assert (team.options, team.value) == (["All squads", "First team", "U23"], "All squads")
    assert str(at.sidebar.date_input(key=ui.widget_key(ui.AS_OF)).value) == "2026-11-23"
    assert at.sidebar.file_uploader(key="uploader").label == "Upload testing-day files"


def test_board_shows_the_demo_statuses(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch)
    assert at.title[0].value == "Readiness board · Mon 23 Nov 2026"
    counts = {m.label: m.value for m in at.metric}
    # the demo's testing day: Kwame steps back, Liam and Finn hold, Arjun and the typo profile have no data
    assert counts == {"▼ Step back": "1", "■ Hold": "2", "▲ Ready": "20", "? No data": "2"}
    table = at.dataframe[0].value
    assert table.iloc[0]["Athlete"] == "Kwame Asante" and table.iloc[0]["Status"] == "▼ Step back"
    assert "pain 6/10 > 5/10" in table.iloc[0]["Reasons"]


def test_downloads_and_pseudonymised_screen(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The board, athlete and data pages offer their downloads; choosing athlete codes in the
    sidebar takes every name off the board (for sharing outside the medical team)."""
    at = app(demo_db, monkeypatch)
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"Board report (PDF)", "Board (CSV)"} <= labels
    for page, label in (("pages/athlete.py", "Return-to-speed report (PDF)"),
                        ("pages/data.py", "All tables and the board (XLSX)")):
        at.switch_page(page).run()
        assert label in {b.proto.label for b in at.get("download_button")}
    at.switch_page("pages/board.py").run()
    at.sidebar.selectbox(key="names__widget").set_value("codes").run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert not shown["Athlete"].str.contains("Kwame|Liam|Mateus").any()
    assert shown["Athlete"].str.startswith("ATH-").all()
    # the board report the button builds is a PDF of the demo's testing day
    pdf = board_pdf(Data.from_store(store.connect(demo_db)), dt.date(2026, 11, 23), defaults())
    assert pdf[:5] == b"%PDF-"


@pytest.mark.parametrize("page", [*PAGES, "app.py"])
def test_every_page_only_lays_out(page: str) -> None:
    """Thin pages (issue 11): about a hundred lines, no business rules; what a page shows comes
    from lib.views, its layout building blocks from widgets.py."""
    text = (ROOT / page).read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 120, page
    assert "import pandas" not in text or page == "pages/board.py", page  # the board only names the type
    assert "#" + "fbe3d6" not in text and "rsplit(" not in text, page  # colour maps and label parsing live in lib
