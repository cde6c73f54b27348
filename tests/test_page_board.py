"""The readiness board page on the demo team: an unconfirmed new name is marked and linked to where
its merge is confirmed (issue 16: "Tomas Herrera1" no longer sits there as a plain no-data athlete)."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.views import MEETING_REASON_CHARS, board_table, pending_names, pending_note
from lib.views.data import data_tabs, linked_tab
from tests.apptest import fresh_caches, open_page


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    fresh_caches()
    return str(tmp_path_factory.mktemp("board") / "demo.sqlite")


def _board() -> pd.DataFrame:
    return pd.DataFrame({
        "athlete_id": ["t1", "t"], "name": ["Tomas Herrera1", "Tomás Herrera"], "squad": ["First team"] * 2,
        "status": ["grey", "green"], "tier": [None, None], "tier_basis": ["none", "none"], "proposed_tier": [None, None],
        "days_since_injury": [None, None], "action": ["collect data", "train as planned"],
        "reasons": [[{"short": "no test or GPS in 28 days"}], []]})


def test_a_pending_name_is_marked_with_its_merge_first() -> None:
    suggestions = pd.DataFrame({"suggestion_id": [3], "athlete_id": ["t1"], "suggested_id": ["t"], "status": ["open"]})
    pending = pending_names(_board(), suggestions)
    assert pending == {"t1": "Tomás Herrera"}
    table = board_table(_board(), reasons=1, pending=pending)
    assert table["Reasons"].tolist() == [
        "new name? maybe Tomás Herrera (Data page)", ""]
    assert board_table(_board(), reasons=2, pending=pending)["Reasons"][0].endswith(" · no test or GPS in 28 days")
    assert pending_note(_board(), pending) == (
        "1 new name waits for a person: **Tomas Herrera1** looks like **Tomás Herrera**.")
    assert pending_names(_board(), suggestions.assign(status="dismissed")) == {}


def test_the_link_opens_the_name_matches_tab() -> None:
    tabs = data_tabs({"Rejected rows": 4, "Names to confirm": 1})
    assert linked_tab(tabs, "matches") == "Name matches (1)"
    assert linked_tab(tabs, None) is None and linked_tab(tabs, "nonsense") is None


def test_the_demo_board_marks_tomas_herrera1_and_links_the_data_page(demo_db: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, "pages/board.py")
    table = at.dataframe[0].value.set_index("athlete_id")
    typo = table[table["Athlete"] == "Tomas Herrera1"].iloc[0]
    assert typo["Reasons"].startswith("new name? maybe Tomás Herrera (Data page) · ")
    assert any("**Tomas Herrera1** looks like **Tomás Herrera**" in m.value for m in at.markdown)
    links = [(e.proto.label, e.proto.page, e.proto.query_string) for e in at.get("page_link")]
    assert ("Confirm on the Data page", "data", "tab=matches") in links
    # the link's ?tab=matches opens the name matches on the Data page (linked_tab, above)
    at.query_params["tab"] = "matches"
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception


def test_every_meeting_reason_fits_the_projector_column(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """In meeting mode each grid shows one reason per athlete: on the demo day none is cut off at
    1280x720 (Finn's 51-character reason was; tests/e2e/test_meeting_mode.py screenshots it)."""
    import ui

    at = open_page(demo_db, monkeypatch, "pages/board.py")
    at.sidebar.toggle(key=ui.widget_key(ui.MEETING)).set_value(True).run()
    assert not at.exception, at.exception
    reasons = [r for grid in at.dataframe for r in grid.value["Reasons"]]
    assert len(reasons) == 25
    longest = max(reasons, key=len)
    assert len(longest) <= MEETING_REASON_CHARS, longest
