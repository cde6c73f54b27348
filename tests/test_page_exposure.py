"""The high-velocity exposure page on the demo team: weekly heatmap, spikes, table, ratio over time."""

from __future__ import annotations

import pytest

from lib.metrics.exposure import ACWR_CAVEAT
from lib.core.text import md
from tests.apptest import fresh_caches, main_selectbox, open_page


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One demo store for the module (the first app run loads the demo team into it)."""
    fresh_caches()
    return str(tmp_path_factory.mktemp("exposure") / "demo.sqlite")


def test_spikes_and_the_caveat_are_on_screen(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, "pages/exposure.py")
    assert at.title[0].value == "High-velocity exposure · 23 Nov"
    spikes = at.warning[0].value
    assert "descriptive, not predictive" in spikes
    # shown as Markdown: the names are escaped (`A\:C`, as `:C` could be a directive)
    assert md("Kwame Asante (A:C HSR 2.16, sprint 2.76; HSR +151%, sprint +544% in the week of 16 Nov)") in spikes
    assert any(ACWR_CAVEAT in c.value for c in at.caption)
    assert [t.label for t in at.tabs] == ["HSR (m)", "Sprint (m)", "Near-max sessions"]
    assert len(at.get("vega_lite_chart")) == 4  # three heatmaps + acute:chronic over time


def test_table_on_testing_day(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, "pages/exposure.py")
    table = at.dataframe[0].value.set_index("athlete_id")
    assert table.index[:4].tolist() == ["RTS020", "RTS014", "RTS005", "RTS011"]  # returning athletes first
    kwame = table.loc["RTS014"]
    assert kwame["Athlete"] == "Kwame Asante (rehab)"
    assert (kwame["A:C HSR"], kwame["A:C sprint"]) == ("▲ 2.16 spike", "▲ 2.76 spike")
    assert bool(kwame["spike"]) is True
    # weekly figures over the days on record: 27 of the last 28, 15 of the 28 before the injury
    # (the old /4 weeks on both sides gave 49% and 41%)
    assert (kwame["HSR % pre-injury"], kwame["Sprint % pre-injury"]) == (27.0, 23.0)
    arjun = table.loc["RTS021"]
    assert (arjun["Days on record"], arjun["A:C HSR"], arjun["A:C sprint"]) == (
        "16/28 ⚠", "not enough data", "not enough data")
    liam = table.loc["RTS005"]
    assert liam["Since near-max"] == 61 and liam["MSS"] == 9.35 and liam["MSS age"] == "82 d ⚠"
    assert liam["HSR % pre-injury"] == 9.0
    healthy = table.loc["RTS012"]
    assert healthy["A:C HSR"] == "● 1.25 typical" and healthy["HSR % pre-injury"] != healthy["HSR % pre-injury"]  # NaN


def test_ratio_over_time_opens_on_the_spike(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, "pages/exposure.py")
    picker = main_selectbox(at, "Athlete")
    assert picker.value == "RTS014"  # Kwame: the first athlete with a spike
    picker.set_value("RTS021").run()
    assert not at.exception
    assert main_selectbox(at, "Athlete").value == "RTS021"
    assert "fewer than 21 of the 28 days" in at.main.caption[-1].value
