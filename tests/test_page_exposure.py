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
    # the day's acute:chronic (0.94 HSR) is back in the typical band; the week-to-week rise is the spike
    assert md("Kwame Asante (HSR +151%, sprint +544% in the week of 16 Nov)") in spikes
    assert any(ACWR_CAVEAT in c.value for c in at.caption)
    assert [t.label for t in at.tabs] == ["HSR (m)", "Sprint (m)", "Near-max sessions"]
    assert len(at.get("vega_lite_chart")) == 4  # three heatmaps + acute:chronic over time


def test_table_on_testing_day(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, "pages/exposure.py")
    table = at.dataframe[0].value.set_index("athlete_id")
    assert table.index[:4].tolist() == ["RTS020", "RTS014", "RTS005", "RTS011"]  # returning athletes first
    kwame = table.loc["RTS014"]
    assert kwame["Athlete"] == "Kwame Asante (rehab)"
    # the day's ratio (EWMA on 11-22, the last day on record), as on the board: the 11-18 peak of 2.16
    # is in the week's heatmap cell, not in today's figure
    assert (kwame["A:C HSR"], kwame["A:C sprint"]) == ("● 0.94 typical", "● 1.16 typical")
    assert bool(kwame["spike"]) is False
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
    assert healthy["A:C HSR"] == "● 1.02 typical" and healthy["HSR % pre-injury"] != healthy["HSR % pre-injury"]  # NaN


def test_ratio_over_time_opens_on_the_spike(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, "pages/exposure.py")
    picker = main_selectbox(at, "Athlete")
    # no athlete's acute:chronic is at a spike on the day (Kwame's 2.16 was on 11-18): the first returning athlete
    assert picker.value == "RTS020"
    picker.set_value("RTS021").run()
    assert not at.exception
    assert main_selectbox(at, "Athlete").value == "RTS021"
    assert "fewer than 21 of the 28 days" in at.main.caption[-1].value


def test_a_later_as_of_date_repeats_no_old_spike(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A week after the demo's last GPS day, last month's spikes are history: no spike banner."""
    import datetime as dt

    import ui

    at = open_page(demo_db, monkeypatch, "pages/exposure.py")
    at.sidebar.date_input(key=ui.widget_key(ui.AS_OF)).set_value(dt.date(2026, 12, 20)).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "High-velocity exposure · 20 Dec"
    assert not any("Spikes" in w.value for w in at.warning)
    assert any("No spikes in the 7 days up to 20 Dec" in s.value for s in at.success)
