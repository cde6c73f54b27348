"""The hop-test page on the demo team: the latest battery per athlete, then one athlete's history."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import ui

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One demo store for the module (the first app run loads the demo team into it)."""
    st.cache_resource.clear()  # ui.engine() must open this module's store, not another module's
    st.cache_data.clear()
    return str(tmp_path_factory.mktemp("hops") / "demo.sqlite")


def hops_page(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("RTS_DB", demo_db)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    at.switch_page("pages/hops.py").run()
    assert not at.exception, at.exception
    # app.py's sidebar ran too (ui.require_frame): the team, the date and the uploader are there
    assert at.sidebar.selectbox(key=ui.widget_key(ui.SQUAD)).value == "All squads"
    assert str(at.sidebar.date_input(key=ui.widget_key(ui.AS_OF)).value) == "2026-11-23"
    return at


def athlete_picker(at: AppTest):  # noqa: ANN201 - an AppTest widget
    """The page's athlete picker (the sidebar's Team picker is a selectbox too)."""
    return next(s for s in at.main.selectbox if s.label == "Athlete")


def test_latest_battery_table_on_testing_day(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = hops_page(demo_db, monkeypatch)
    assert at.title[0].value == "Hop tests · Mon 23 Nov 2026"
    assert "✗ 2 fail · ◐ 1 incomplete · ✓ 1 pass" in at.main.markdown[0].value
    assert "uninvolved ÷ involved time" in at.main.caption[0].value  # the timed hop is inverted, said so
    table = at.dataframe[0].value.set_index("athlete_id")
    # returning athletes first: Kwame and Liam fail, Finn is incomplete, Mateus passes
    assert table.index[:4].tolist() == ["RTS014", "RTS005", "RTS020", "RTS011"]
    liam = table.loc["RTS005"]
    assert liam["Athlete"] == "Liam O'Connor · L calf" and liam["Result"] == "✗ fail"
    assert liam["Triple"] == "✗ 85.6 fail"
    assert liam["Tested"] == "23 Nov"
    mateus = table.loc["RTS011"]
    assert mateus["Result"] == "✓ pass"
    assert [mateus[t] for t in ("Single", "Triple", "Crossover", "6 m timed")] == [
        "✓ 96.2 pass", "✓ 95.5 pass", "✓ 95.0 pass", "✓ 97.1 pass"]
    finn = table.loc["RTS020"]
    assert finn["Result"] == "◐ incomplete" and finn["Crossover"] == "– not done" and finn["Triple"] == "✓ 91.5 pass"
    kwame = table.loc["RTS014"]
    assert kwame["Single"] == "✗ 81.0 fail" and kwame["Worst CV"] == "4.3%"
    # healthy athletes' latest battery is the pre-season baseline, marked old
    assert table.loc["RTS001", "Tested"] == "31 Aug · old"


def test_history_opens_on_the_first_returning_athlete_and_switches(demo_db: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    at = hops_page(demo_db, monkeypatch)
    picker = athlete_picker(at)
    assert picker.value == "RTS014"
    assert at.subheader[0].value == "History per athlete"
    assert [t.label for t in at.tabs] == ["LSI over time", "Left vs right"]
    assert len(at.get("vega_lite_chart")) == 5  # LSI over time + one left/right chart per test
    picker.set_value("RTS005").run()
    assert not at.exception
    assert athlete_picker(at).value == "RTS005"
    assert "Noyes" in at.main.caption[1].value  # the pass line's source under the chart
