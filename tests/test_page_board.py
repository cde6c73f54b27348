"""The readiness board page on the demo team: an unconfirmed new name is marked and linked to where
its merge is confirmed (issue 16: "Tomas Herrera1" no longer sits there as a plain no-data athlete);
acute:chronic HSR shown as a descriptive figure, the exposure page's (issue 12, item 7)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest

from lib import exports, privacy, store
from lib.cli import main
from lib.core.settings import Settings, defaults
from lib.metrics.exposure import ACWR_CAVEAT
from lib.readiness import BOARD_COLUMNS, readiness_board
from lib.views import (BOARD_REASON_CHARS, MEETING_REASON_CHARS, TIER_NOT_RECORDED, acwr_board_cell, acwr_help,
                       board_columns, board_order, board_row_height, board_table, pending_names, pending_note,
                       tier_cell)
from lib.views.data import data_tabs, linked_tab
from lib.views.exposure import exposure_table
from tests.apptest import demo_store, fresh_caches, open_page
from tests.readiness.method_scenarios import ON, Scenario

CFG = defaults()  # acwr bands 0.8 / 1.3 / 1.5, coverage_days 21, EWMA
ROLLING = Settings(defaults() | {"acwr_method": "rolling"})
# the board JSON's keys before acute:chronic was added: unchanged, in this order, the new ones after
JSON_KEYS = ["athlete_id", "name", "status", "tier", "tier_basis", "days_at_tier", "proposed_tier", "action", "reasons"]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    fresh_caches()
    return str(tmp_path_factory.mktemp("board") / "demo.sqlite")


def _board() -> pd.DataFrame:
    return pd.DataFrame({
        "athlete_id": ["t1", "t"], "name": ["Tomas Herrera1", "Tomás Herrera"], "squad": ["First team"] * 2,
        "status": ["grey", "green"], "tier": [None, None], "tier_basis": ["none", "none"], "proposed_tier": [None, None],
        "days_since_injury": [None, None], "action": ["collect data", "train as planned"],
        "reasons": [[{"short": "no test or GPS in 28 days"}], []], "acwr_hsr": [None, 1.2]})


def test_a_pending_name_is_marked_with_its_merge_first() -> None:
    suggestions = pd.DataFrame({"suggestion_id": [3], "athlete_id": ["t1"], "suggested_id": ["t"], "status": ["open"]})
    pending = pending_names(_board(), suggestions)
    assert pending == {"t1": "Tomás Herrera"}
    table = board_table(_board(), CFG, reasons=1, pending=pending)
    assert table["Reasons"].tolist() == [
        "new name? maybe Tomás Herrera (Data page)", ""]
    assert table["A:C HSR"].tolist() == ["–", "● 1.20 typical"]
    assert board_table(_board(), CFG, reasons=2, pending=pending)["Reasons"][0].endswith(" · no test or GPS in 28 days")
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
    assert typo["A:C HSR"] == "–"  # GPS on 0 of the last 28 days: no figure
    assert table[table["Athlete"] == "Kwame Asante"].iloc[0]["A:C HSR"] == "● 0.94 typical"
    assert any(ACWR_CAVEAT in c.value for c in at.caption)
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


# ------------------------------------------------------------------------- acute:chronic, by hand

def _ramp() -> Scenario:
    """Alex, right hamstring: 100 m HSR and 10 m sprint a day for the 21 days Oct 27 - Nov 16, then
    120 m and 20 m a day for the 7 days Nov 17-23 (the board's day).
    Rolling uncoupled 7/28: HSR acute 7 x 120 = 840 m; chronic = 21 x 100 / 21 days x 7 = 700 m/week;
    840 / 700 = 1.20 (typical: 0.8 <= 1.20 < 1.3). Sprint 7 x 20 = 140 / (21 x 10 / 21 x 7 = 70) = 2.00
    (a spike by the bands, shown, never a reason to step back by itself)."""
    return Scenario().run("2026-10-27", "2026-11-16", hsr=100.0, sprint=10.0).run("2026-11-17", "2026-11-23",
                                                                                   hsr=120.0, sprint=20.0)


def test_the_board_row_carries_the_hand_worked_ratio_the_exposure_page_shows() -> None:
    data = _ramp().data()
    board = readiness_board(data, ON, ROLLING)
    row = board.iloc[0]
    assert row["acwr_hsr"] == pytest.approx(1.20) and row["acwr_sprint"] == pytest.approx(2.00)
    page = exposure_table(data, ON.date(), ROLLING).set_index("athlete_id").loc["a"]
    assert row["acwr_hsr"] == page["acwr_hsr"] and row["acwr_sprint"] == page["acwr_sprint"]
    grid = board_table(board, ROLLING)
    assert grid["A:C HSR"].tolist() == ["● 1.20 typical"] == [page["A:C HSR"]]
    # EWMA (the default method): not worked by hand here, but one figure on both pages
    ewma = readiness_board(data, ON, CFG).iloc[0]
    page = exposure_table(data, ON.date(), CFG).set_index("athlete_id").loc["a"]
    assert ewma["acwr_hsr"] == page["acwr_hsr"] and board_table(readiness_board(data, ON, CFG), CFG)["A:C HSR"][0] \
        == page["A:C HSR"]


def test_too_few_gps_days_give_no_figure() -> None:
    """14 days on record of the last 28 < coverage_days 21: no ratio on the board (null, `–`) and
    `not enough data` on the exposure page."""
    data = Scenario().run("2026-11-10", "2026-11-23", hsr=100.0).data()
    board = readiness_board(data, ON, ROLLING)
    assert pd.isna(board.iloc[0]["acwr_hsr"]) and pd.isna(board.iloc[0]["acwr_sprint"])
    assert board_table(board, ROLLING)["A:C HSR"].tolist() == ["–"]
    assert exposure_table(data, ON.date(), ROLLING)["A:C HSR"].tolist() == ["not enough data"]


def test_the_figure_is_descriptive_and_left_out_of_meeting_mode() -> None:
    assert board_order(False) == ["Status", "Athlete", "Tier", "Days", "A:C HSR", "Reasons"]
    assert "A:C HSR" not in board_order(True)  # the projector's room is the top reason's (MEETING_REASON_CHARS)
    assert "Descriptive, not predictive" in acwr_help() and ACWR_CAVEAT in acwr_help()
    assert "Lolli 2019" in ACWR_CAVEAT and "Impellizzeri 2020" in ACWR_CAVEAT
    assert acwr_board_cell(0.55, CFG, icon=False) == "0.55 under-loaded" and acwr_board_cell(None, CFG) == "–"


def test_the_board_files_carry_the_ratio_after_every_earlier_column(tmp_path) -> None:  # noqa: ANN001
    data = _ramp().data()
    board = readiness_board(data, ON, ROLLING)
    csv = pd.read_csv(io.BytesIO(exports.board_csv(board)))
    earlier = [c for c in BOARD_COLUMNS if c not in ("reasons", "criteria", "acwr_hsr", "acwr_sprint")] + ["reasons"]
    assert list(csv.columns) == earlier + ["acwr_hsr", "acwr_sprint"]
    assert csv.loc[0, "acwr_hsr"] == pytest.approx(1.20) and csv.loc[0, "acwr_sprint"] == pytest.approx(2.00)
    assert list(BOARD_COLUMNS[-2:]) == ["acwr_hsr", "acwr_sprint"]


def test_the_board_json_adds_the_ratio_and_keeps_its_keys(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: ANN001
    """On the demo day: every row keeps its keys in their order and gains acwr_hsr / acwr_sprint,
    the board's figure (float or null), which the exposure page shows for the same athlete."""
    path = demo_store(tmp_path / "demo.sqlite")
    assert main(["board", "--db", str(path), "--on", "2026-11-23", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    data = privacy.data_for(store.connect(path), "medical")
    page = exposure_table(data, dt.date(2026, 11, 23), CFG).set_index("athlete_id")
    store.dispose_all()
    assert len(rows) == 25
    for r in rows:
        assert list(r) == JSON_KEYS + ["acwr_hsr", "acwr_sprint"], r["athlete_id"]
        shown = page.loc[r["athlete_id"], "acwr_hsr"]
        assert (r["acwr_hsr"] is None and pd.isna(shown)) or r["acwr_hsr"] == pytest.approx(shown), r["athlete_id"]
    assert sum(r["acwr_hsr"] is not None for r in rows) == 23  # two athletes with too few GPS days


# ------------------------------------------------------------------ the screen at 1280x720

@pytest.mark.parametrize(("reasons", "meeting", "px"), [
    (["x" * 52, ""], False, 36),  # BOARD_REASON_CHARS: one line
    (["x" * 53], False, 68),  # a character more: the grid wraps (rows > 64 px), three lines
    ([], False, 36),
    (["x" * 80], True, 34),  # meeting mode: one reason, one line (MEETING_REASON_CHARS pins its length)
])
def test_the_board_rows_wrap_only_reasons_longer_than_the_column(reasons: list[str], meeting: bool, px: int) -> None:
    assert board_row_height(pd.Series(reasons, dtype=object), meeting) == px


def test_the_normal_board_columns_leave_the_reasons_their_room_at_1280_px() -> None:
    """The grid at 1280x720 with the sidebar open is 820 px (1280 - 300 sidebar - 2 x 80 px padding);
    the row checkbox is 33 px. Status 104 + Athlete 140 + Tier 56 + Days 52 + A:C 136 = 488, + 33 =
    521: 299 px for the reasons, of which the column takes 297 (52 characters a line)."""
    cols = board_columns(False)
    fixed = sum(int(cols[c]["width"]) for c in board_order(False) if c != "Reasons")  # type: ignore[call-overload]
    assert fixed == 488 and cols["Reasons"]["width"] == 297 and 33 + fixed + 297 <= 820
    assert BOARD_REASON_CHARS == 52


def test_an_unrecorded_tier_has_the_one_mark_on_the_board_and_the_athlete_page() -> None:
    """A returning athlete with no recorded tier, the board proposing tier 2: `– → 2` in the grid,
    in the athlete page's Tier tile, and in the column help; a tier recorded shows its number."""
    from lib.views import tier_help
    from lib.views.athlete import athlete_header

    assert TIER_NOT_RECORDED == "–"
    assert tier_cell(None, "proposed", 2) == "– → 2" and tier_cell(3, "recorded", None) == "3"
    assert tier_cell(None, "none", None) == ""  # no active injury: blank on the board
    row = {"athlete_id": "a", "name": "Alex", "status": "amber", "action": "confirm tier 2", "tier": None,
           "proposed_tier": 2, "tier_name": "not recorded", "tier_basis": "proposed", "returning": True,
           "days_since_injury": 30, "injured_side": "right", "region": "hamstring",
           "injury_date": pd.Timestamp("2026-10-24"), "days_at_tier": None, "tier_note": "tier not recorded"}
    assert athlete_header(row)["tier"] == tier_cell(row["tier"], row["tier_basis"], row["proposed_tier"]) == "– → 2"
    assert tier_help().endswith(", – not recorded") and "?" not in tier_help()
