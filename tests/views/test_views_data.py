"""The Data page's shapes, with hand-worked values: history, counts, rejects and their CSV, name matches."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lib.readiness import Data
from lib.core.schema import empty_frame
from lib.views import data as views

IMPORTS = pd.DataFrame({
    "import_id": [4, 3, 2, 1],
    "file": ["manual edit", "hops.xlsx", "gps.csv", "roster.xlsx"],
    "formats": ["Injury records edit", "Hop test sheet", "STATSports Apex", "Roster"],
    "imported_at": [dt.datetime(2026, 11, 23, 9, 30), dt.datetime(2026, 11, 23, 8, 5),
                    dt.datetime(2026, 11, 22, 18, 0), dt.datetime(2026, 11, 22, 17, 59)],
    "imported_by": ["local", "local", "local", "local"],
    "status": ["imported", "imported", "undone", "imported"],
    "rows_added": [0, 1145, 300, 29],
    "rows_replaced": [1, 12, 0, 0],
    "rows_rejected": [0, 2, 5, 0],
    "sha256": ["d", "c", "b", "a"],
})
REJECTS = pd.DataFrame({
    "import_id": [3, 3],
    "file": ["hops.xlsx", "hops.xlsx"],
    "sheet": ["Hop tests", "Hop tests"],
    "row": [315, 40],
    "column": ["Trial 3", "Date"],
    "value": ["DNF", "31/02/2026"],
    "problem": ["not a number (DNF, X, -): this trial rejected, the others kept", "date missing or not a date"],
})
SUGGESTIONS = pd.DataFrame({
    "suggestion_id": [1], "import_id": [3], "athlete_id": ["tomas-herrera1"], "name": ["Tomas Herrera1"],
    "suggested_id": ["RTS008"], "suggested_name": ["Tomás Herrera"], "score": [96.296296], "status": ["open"],
})


def data_with(tests_for: list[str], sessions_for: list[str]) -> Data:
    tests = empty_frame("tests").reindex(range(len(tests_for))).assign(athlete_id=tests_for)
    sessions = empty_frame("sessions").reindex(range(len(sessions_for))).assign(athlete_id=sessions_for)
    athletes = pd.DataFrame({"athlete_id": ["RTS008", "tomas-herrera1", "RTS001"],
                             "name": ["Tomás Herrera", "Tomas Herrera1", "Søren Lindqvist"],
                             "position": [None] * 3, "squad": [None] * 3})
    return Data(athletes, empty_frame("injuries"), tests, sessions, empty_frame("wellness"), pd.DataFrame())


def test_metrics_count_live_files_their_rows_rejects_and_open_matches() -> None:
    # live files: hops (1145 rows, 2 rejected) and roster (29); gps is undone; the manual edit is not a file
    assert views.data_metrics(IMPORTS, SUGGESTIONS) == {
        "Files imported": 2, "Rows imported": 1174, "Rejected rows": 2, "Names to confirm": 1}
    none = SUGGESTIONS.iloc[0:0]
    assert views.data_metrics(IMPORTS.iloc[0:0], none) == {
        "Files imported": 0, "Rows imported": 0, "Rejected rows": 0, "Names to confirm": 0}


def test_import_history_newest_first_with_status_words() -> None:
    table = views.import_history(IMPORTS.iloc[::-1])
    assert list(table.columns) == ["Import", "File", "Format", "When (UTC)", "Status", "Rows", "Replaced", "Rejected"]
    assert table["Import"].tolist() == [4, 3, 2, 1]
    assert table["Status"].tolist() == ["✓ live", "✓ live", "↶ undone", "✓ live"]
    assert table.iloc[1][["File", "Format", "Rows", "Replaced", "Rejected"]].tolist() == [
        "hops.xlsx", "Hop test sheet", 1145, 12, 2]
    assert table.iloc[1]["When (UTC)"] == pd.Timestamp("2026-11-23 08:05")


def test_undo_offers_live_imports_and_says_what_undoing_does() -> None:
    assert views.undo_choices(IMPORTS) == {
        4: "#4 · manual edit · 0 rows · 2026-11-23 09:30",
        3: "#3 · hops.xlsx · 1,145 rows · 2026-11-23 08:05",
        1: "#1 · roster.xlsx · 29 rows · 2026-11-22 17:59",
    }
    assert views.undo_warning(IMPORTS, 3) == (
        "Undo import #3 (hops.xlsx)? Its 1,145 added rows leave the store and the 12 rows it replaced come back. "
        "Its rejected rows and name matches are closed. The undo is logged; upload the file again to bring it back.")
    assert views.undo_warning(IMPORTS, 1).startswith(
        "Undo import #1 (roster.xlsx)? Its 29 added rows leave the store. ")


def test_rejects_table_and_csv() -> None:
    table = views.rejects_table(REJECTS)
    assert list(table.columns) == ["Import", "File", "Sheet", "Row", "Column", "Value", "Problem"]
    assert table.iloc[0].tolist() == [3, "hops.xlsx", "Hop tests", 315, "Trial 3", "DNF",
                                      "not a number (DNF, X, -): this trial rejected, the others kept"]
    csv = views.rejects_csv(REJECTS)
    assert csv == (
        "\ufeffimport_id,file,sheet,row,column,value,problem\r\n"
        "3,hops.xlsx,Hop tests,315,Trial 3,DNF,\"not a number (DNF, X, -): this trial rejected, the others kept\"\r\n"
        "3,hops.xlsx,Hop tests,40,Date,31/02/2026,date missing or not a date\r\n").encode("utf-8")


def test_a_file_level_reject_has_an_empty_row() -> None:
    one = REJECTS.iloc[[1]].assign(row=[None], sheet=[None])
    assert views.rejects_table(one).iloc[0][["Sheet", "Row"]].tolist() == ["", pd.NA]
    assert views.rejects_csv(one).decode("utf-8-sig").splitlines()[1] == (
        "3,hops.xlsx,,,Date,31/02/2026,date missing or not a date")


def test_name_matches_say_what_the_new_name_holds_and_who_it_looks_like() -> None:
    data = data_with(["tomas-herrera1"] * 9 + ["RTS008"] * 4, ["RTS001"])
    matches = views.name_matches(SUGGESTIONS, IMPORTS, data)
    assert matches == [{"suggestion_id": 1, "athlete_id": "tomas-herrera1", "name": "Tomas Herrera1",
                        "file": "hops.xlsx", "rows": 9, "suggested_id": "RTS008",
                        "suggested_name": "Tomás Herrera", "score": 96}]
    assert views.match_sentence(matches[0]) == (
        "**Tomas Herrera1** (hops.xlsx, 9 rows) looks like **Tomás Herrera** (RTS008): 96% similar.")
    assert views.match_sentence({**matches[0], "rows": 1}).startswith("**Tomas Herrera1** (hops.xlsx, 1 row) ")
    decided = SUGGESTIONS.assign(status=["merged"])
    assert views.name_matches(decided, IMPORTS, data) == []
    assert views.name_matches(SUGGESTIONS.iloc[0:0], IMPORTS, data) == []


def test_athlete_options_are_names_with_ids_by_name() -> None:
    assert views.athlete_options(data_with([], []).athletes) == {
        "RTS001": "Søren Lindqvist (RTS001)", "tomas-herrera1": "Tomas Herrera1 (tomas-herrera1)",
        "RTS008": "Tomás Herrera (RTS008)"}


def test_template_summary_is_the_layout_and_rules_of_the_template_doc() -> None:
    text = views.template_summary()
    assert text.startswith("**How it is laid out**\n\n- `README`")
    assert "**Rules**" in text and "Keep the header row exactly as it is" in text
    assert "## Columns" not in text and "### Sheet" not in text and "template_workbook()" not in text
