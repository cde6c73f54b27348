"""The hop-test page on the demo team: the latest battery per athlete, then one athlete's history."""

from __future__ import annotations

import pytest

from tests.apptest import fresh_caches, main_selectbox, open_page


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One demo store for the module (the first app run loads the demo team into it)."""
    fresh_caches()
    return str(tmp_path_factory.mktemp("hops") / "demo.sqlite")


def test_latest_battery_table_on_testing_day(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, "pages/hops.py")
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
    at = open_page(demo_db, monkeypatch, "pages/hops.py")
    picker = main_selectbox(at, "Athlete")
    assert picker.value == "RTS014"
    assert at.subheader[0].value == "History per athlete"
    assert [t.label for t in at.tabs] == ["LSI over time", "Left vs right"]
    assert len(at.get("vega_lite_chart")) == 5  # LSI over time + one left/right chart per test
    picker.set_value("RTS005").run()
    assert not at.exception
    assert main_selectbox(at, "Athlete").value == "RTS005"
    assert "Noyes" in at.main.caption[1].value  # the pass line's source under the chart
