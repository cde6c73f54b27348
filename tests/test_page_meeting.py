"""Meeting mode (app.py, ui.py, lib.views): the projector style, the "returning athletes first"
focus, and next / previous through the returning athletes' pages for a presenter's clicker.

The demo's testing day (Mon 23 Nov 2026) has four returning athletes; on the board, red first,
they come as Kwame Asante (red: pain above the stop level, step back to tier 1), Finn Murphy
(amber: an FT:CT flag inside his week at tier 3), Liam O'Connor (amber: pain 3/10 and hop gates
unmet at tier 3) and Mateus Oliveira (green, ready for tier 5): red, then amber in name order,
then green.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ui
from lib.views import filter_board, neighbour, returning_ids, stepper_line
from tests.apptest import demo_store, press, start_app, store_copy

RETURNING = ["kwame", "liam", "finn", "mateus"]


def _board() -> pd.DataFrame:
    """Six athletes: two red, one amber, three green; four of them returning."""
    return pd.DataFrame({
        "athlete_id": ["ana", "kwame", "liam", "finn", "mateus", "zoe"],
        "name": ["Ana Lima", "Kwame Asante", "Liam O'Connor", "Finn Murphy", "Mateus Oliveira", "Zoe Park"],
        "squad": ["First team"] * 5 + ["U23"],
        "position": ["GK"] * 6,
        "status": ["red", "red", "amber", "green", "green", "green"],
        "returning": [False, True, True, True, True, False],
    })


def test_returning_first_puts_the_rehab_group_on_top_red_first_within_it() -> None:
    assert filter_board(_board())["athlete_id"].tolist() == ["ana", "kwame", "liam", "finn", "mateus", "zoe"]
    assert filter_board(_board(), returning_first=True)["athlete_id"].tolist() == [
        "kwame", "liam", "finn", "mateus", "ana", "zoe"]


def test_the_meeting_steps_through_the_returning_athletes_in_board_order() -> None:
    assert returning_ids(_board()) == RETURNING
    assert returning_ids(_board(), "U23") == []


@pytest.mark.parametrize(("current", "step", "expected"), [
    (None, 1, "kwame"),  # from the board: the first returning athlete
    (None, -1, None),
    ("ana", 1, "kwame"),  # an athlete who is not returning: start at the first
    ("kwame", 1, "liam"),
    ("liam", -1, "kwame"),
    ("kwame", -1, None),  # nothing before the first
    ("mateus", 1, None),  # nothing after the last: the button is disabled, no wrap-around
])
def test_next_and_previous(current: str | None, step: int, expected: str | None) -> None:
    assert neighbour(RETURNING, current, step) == expected


@pytest.mark.parametrize(("current", "line"), [
    (None, "4 returning athletes · next: Kwame Asante"),
    ("liam", "Returning athlete 2 of 4 · next: Finn Murphy"),
    ("mateus", "Returning athlete 4 of 4 · the last one"),
])
def test_the_stepper_says_where_the_meeting_is(current: str | None, line: str) -> None:
    assert stepper_line(_board(), RETURNING, current) == line


# ------------------------------------------------------------------------------------ in the app

@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_store(tmp_path_factory.mktemp("meeting_template") / "meeting.sqlite")


@pytest.fixture
def db(demo_template: Path, tmp_path: Path) -> Iterator[Path]:
    yield from store_copy(demo_template, tmp_path)


def _meeting(at: AppTest) -> AppTest:
    at.sidebar.toggle(key=ui.widget_key(ui.MEETING)).set_value(True).run()
    assert not at.exception, at.exception
    return at


def _step(at: AppTest, label: str) -> AppTest:
    return press(at, label)


def _line(at: AppTest) -> str:
    return next(m.value for m in at.main.markdown if "returning athlete" in m.value.lower())


def test_meeting_mode_styles_the_screen_and_offers_the_focus(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start_app(db, monkeypatch)
    assert not [h for h in at.get("html") if "font-size: 20px" in h.proto.body]
    assert not [t for t in at.sidebar.toggle if t.label == "Returning athletes first"]
    _meeting(at)
    assert [h for h in at.get("html") if "font-size: 20px" in h.proto.body]
    assert [t.label for t in at.sidebar.toggle] == ["Meeting mode", "Returning athletes first"]
    at.sidebar.toggle(key=ui.widget_key(ui.FOCUS)).set_value(True).run()
    assert at.session_state[ui.FOCUS] is True


def test_a_clicker_steps_from_the_board_through_the_returning_athletes(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the board the control says how many are returning and who is first; Next opens Kwame's
    page; Next again Finn's; Previous back to Kwame's; Previous is disabled on the first, Next on
    the last (Mateus)."""
    at = _meeting(start_app(db, monkeypatch))
    assert _line(at) == "4 returning athletes · next: Kwame Asante"
    buttons = {b.label: b for b in at.main.button if b.key in ("step_previous", "step_next")}
    assert buttons["Previous"].disabled and not buttons["Next"].disabled
    assert {b.proto.shortcut for b in buttons.values()} == {"pageup", "pagedown"}  # what clickers send

    _step(at, "Next")
    assert at.title[0].value == "Kwame Asante"
    assert _line(at) == "Returning athlete 1 of 4 · next: Finn Murphy"
    _step(at, "Next")
    assert at.title[0].value == "Finn Murphy"
    _step(at, "Previous")
    assert at.title[0].value == "Kwame Asante"
    for name in ("Finn Murphy", "Liam O'Connor", "Mateus Oliveira"):
        _step(at, "Next")
        assert at.title[0].value == name
    assert _line(at) == "Returning athlete 4 of 4 · the last one"
    assert next(b for b in at.main.button if b.key == "step_next").disabled


def test_the_athlete_page_opened_from_the_sidebar_steps_from_the_athlete_it_shows(
        db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The athlete page opened from the page list shows Kwame (the picker's first): the control
    counts him as 1 of 4, and Next opens Finn, not Kwame again."""
    at = _meeting(start_app(db, monkeypatch))
    at.switch_page("pages/athlete.py").run()
    assert at.title[0].value == "Kwame Asante"
    assert _line(at) == "Returning athlete 1 of 4 · next: Finn Murphy"
    _step(at, "Next")
    assert at.title[0].value == "Finn Murphy"


def test_no_stepper_outside_meeting_mode(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start_app(db, monkeypatch)
    assert not [b for b in at.main.button if b.key in ("step_previous", "step_next")]
    at.switch_page("pages/athlete.py").run()
    assert not [b for b in at.main.button if b.key in ("step_previous", "step_next")]


def test_the_meeting_checklist_is_one_line_a_criterion_with_its_sources_in_an_expander(
        db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kwame's checklist in meeting mode: the decision's four columns (at the projector's 20 px type
    the sources and data rows made it 749 px tall on a 720 px screen; tests/e2e/test_athlete_checklist.py
    measures it), and the whole table with its sources in the expander under it. Outside meeting
    mode: the whole table and no expander."""
    at = _meeting(start_app(db, monkeypatch))
    _step(at, "Next")
    assert at.title[0].value == "Kwame Asante"
    compact, whole = (t.value for t in at.main.table)
    assert list(compact.columns) == ["Met", "Criterion", "Now", "Needs"]
    assert list(whole.columns) == ["Met", "Criterion", "Now", "Needs", "Threshold source", "Data rows"]
    assert compact.values.tolist() == whole[list(compact.columns)].values.tolist()
    assert [e.label for e in at.main.expander] == ["Threshold sources and data rows"]
    at.sidebar.toggle(key=ui.widget_key(ui.MEETING)).set_value(False).run()
    assert [list(t.value.columns)[-1] for t in at.main.table] == ["Data rows"]
    assert "Threshold sources and data rows" not in [e.label for e in at.main.expander]
