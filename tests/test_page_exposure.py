"""The high-velocity exposure page on the demo team: weekly heatmap, spikes, table, ratio over time."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import ui
from lib.exposure import ACWR_CAVEAT

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One demo store for the module (the first app run loads the demo team into it)."""
    st.cache_resource.clear()  # ui.engine() must open this module's store, not another module's
    st.cache_data.clear()
    return str(tmp_path_factory.mktemp("exposure") / "demo.sqlite")


def exposure_page(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("RTS_DB", demo_db)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    at.switch_page("pages/exposure.py").run()
    assert not at.exception, at.exception
    # app.py's sidebar ran too (ui.require_frame): the team, the date and the uploader are there
    assert at.sidebar.selectbox(key=ui.widget_key(ui.SQUAD)).value == "All squads"
    assert str(at.sidebar.date_input(key=ui.widget_key(ui.AS_OF)).value) == "2026-11-23"
    return at


def athlete_picker(at: AppTest):  # noqa: ANN201 - an AppTest widget
    """The page's athlete picker (the sidebar's Team picker is a selectbox too)."""
    return next(s for s in at.main.selectbox if s.label == "Athlete")


def test_spikes_and_the_caveat_are_on_screen(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = exposure_page(demo_db, monkeypatch)
    assert at.title[0].value == "High-velocity exposure · 23 Nov"
    spikes = at.warning[0].value
    assert "descriptive, not predictive" in spikes
    assert "Kwame Asante (A:C HSR 2.16, sprint 2.76; HSR +151%, sprint +544% in the week of 16 Nov)" in spikes
    assert any(ACWR_CAVEAT in c.value for c in at.caption)
    assert [t.label for t in at.tabs] == ["HSR (m)", "Sprint (m)", "Near-max sessions"]
    assert len(at.get("vega_lite_chart")) == 4  # three heatmaps + acute:chronic over time


def test_table_on_testing_day(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = exposure_page(demo_db, monkeypatch)
    table = at.dataframe[0].value.set_index("athlete_id")
    assert table.index[:4].tolist() == ["RTS020", "RTS014", "RTS005", "RTS011"]  # returning athletes first
    kwame = table.loc["RTS014"]
    assert kwame["Athlete"] == "Kwame Asante (rehab)"
    assert (kwame["A:C HSR"], kwame["A:C sprint"]) == ("▲ 2.16 spike", "▲ 2.76 spike")
    assert bool(kwame["spike"]) is True
    assert (kwame["HSR % pre-injury"], kwame["Sprint % pre-injury"]) == (49.0, 41.0)
    arjun = table.loc["RTS021"]
    assert (arjun["Days on record"], arjun["A:C HSR"], arjun["A:C sprint"]) == (
        "16/28 ⚠", "not enough data", "not enough data")
    liam = table.loc["RTS005"]
    assert liam["Since near-max"] == 61 and liam["MSS"] == 9.35 and liam["MSS age"] == "82 d ⚠"
    assert liam["HSR % pre-injury"] == 9.0
    healthy = table.loc["RTS012"]
    assert healthy["A:C HSR"] == "● 1.25 typical" and healthy["HSR % pre-injury"] != healthy["HSR % pre-injury"]  # NaN


def test_ratio_over_time_opens_on_the_spike(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = exposure_page(demo_db, monkeypatch)
    picker = athlete_picker(at)
    assert picker.value == "RTS014"  # Kwame: the first athlete with a spike
    picker.set_value("RTS021").run()
    assert not at.exception
    assert athlete_picker(at).value == "RTS021"
    assert "fewer than 21 of the 28 days" in at.main.caption[-1].value
