"""The Data page on the demo team: imports, the one rejected row, the typo'd name, undo, edits, uploads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib import store
from tests.apptest import demo_store, press, start_app, store_copy
from tests.conftest import FD_ROWS, forcedecks_csv

ROOT = Path(__file__).resolve().parent.parent
DEMO_FILES = ["wellness.csv", "statsports_drills.csv", "nordbord.csv", "hop_tests.xlsx", "forcedecks_cmj.csv",
              "catapult_match_2026-11-21.csv", "catapult_match_2026-11-14.csv", "roster.xlsx"]


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo team loaded once; each test works on its own copy."""
    return demo_store(tmp_path_factory.mktemp("demo") / "demo.sqlite")


@pytest.fixture
def db(demo_template: Path, tmp_path: Path) -> Iterator[Path]:
    yield from store_copy(demo_template, tmp_path)


def start(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app on its first page (the board), on this test's store."""
    return start_app(db, monkeypatch)


def data_page(db: Path, monkeypatch: pytest.MonkeyPatch, at: AppTest | None = None) -> AppTest:
    at = at or start(db, monkeypatch)
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at: AppTest, first_column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_column and d.editing_mode == "read_only"
                and (first_column != "Import" or "Problem" not in d.value.columns))


def rejects_shown(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Problem" in d.value.columns)


def test_demo_imports_reject_and_name_match(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = data_page(db, monkeypatch)
    assert at.title[0].value == "Data"
    assert metrics(at) == {"Files imported": "8", "Rows imported": "14,796", "Rejected rows": "1",
                           "Names to confirm": "1"}
    assert [t.label for t in at.tabs] == ["Import history", "Rejected rows (1)", "Name matches (1)",
                                          "Roster & injuries", "Template", "Teach a format"]
    history = table(at, "Import")
    assert history["File"].tolist() == DEMO_FILES
    assert history["Import"].tolist() == [8, 7, 6, 5, 4, 3, 2, 1]
    assert set(history["Status"]) == {"✓ live"}
    assert history.set_index("File").loc["hop_tests.xlsx", "Rejected"] == 1

    rejects = rejects_shown(at)
    assert len(rejects) == 1
    assert rejects.iloc[0][["File", "Sheet", "Row", "Column", "Value"]].tolist() == [
        "hop_tests.xlsx", "Hop tests", 315, "Trial 3", "DNF"]
    assert rejects.iloc[0]["Problem"].startswith("foul or no valid trial")

    texts = [m.value for m in at.markdown]
    assert ("**Tomas Herrera1** (forcedecks_cmj.csv, 9 rows) looks like **Tomás Herrera** (RTS008): 96% similar."
            in texts)
    assert at.button(key="merge_1").label == "Merge into Tomás Herrera"
    assert at.button(key="keep_1").label == "Keep separate"
    assert at.selectbox(key="undo_pick").value == 8


def test_the_import_report_shows_assumptions_and_unknown_columns(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sidebar's "See the import report" lands here: the newest import's report first, any other
    one picked by number, with every assumption the readers made and the columns they left out."""
    at = data_page(db, monkeypatch)
    assert at.selectbox(key="report_pick").value == 8
    assert at.selectbox(key="report_pick").options[0].startswith("#8 · wellness.csv · ")
    at.selectbox(key="report_pick").set_value(7).run()
    report = next(m.value for m in at.markdown if m.value.startswith("**statsports_drills.csv** · imported"))
    # 17 headers in sample_data/statsports_drills.csv, 2 of them not read (Player Position, Distance Per Min)
    assert ("- The file: read as **STATSports Apex** (explains 15 of 17 columns); 7,302 data rows; accepted 1,689 "
            "sessions; 0 rows") in report
    assert "assumed: `Max Speed` has no unit: its values (median 26.42) are read as km/h, converted to m/s" in report
    assert "columns not imported (not used by Return to Speed): `Player Position`, `Distance Per Min`" in report
    assert "- added 1,689 sessions; replaced nothing; unchanged nothing" in report
    at.selectbox(key="report_pick").set_value(4).run()
    report = next(m.value for m in at.markdown if m.value.startswith("**forcedecks_cmj.csv**"))
    assert "- new athlete, not on the roster: Tomas Herrera1 (`tomas-herrera1`)" in report
    assert "- did you mean: Tomas Herrera1 → Tomás Herrera (96% alike)?" in report


def test_a_new_import_shows_its_own_report_over_an_older_pick(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user who looked at report #7 and then uploads a file sees the new file's report (#9), not
    #7 again: Streamlit would keep the keyed picker on #7 while #7 is still an option. Until the
    next import, the user's own pick stays."""
    at = data_page(db, monkeypatch)
    at.selectbox(key="report_pick").set_value(7).run()
    assert at.selectbox(key="report_pick").value == 7
    at.run()  # a rerun with no new import keeps the pick
    assert at.selectbox(key="report_pick").value == 7
    at.sidebar.file_uploader(key="uploader").upload("new_forcedecks.csv", forcedecks_csv(FD_ROWS), "text/csv").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="report_pick").value == 9
    assert any(m.value.startswith("**new_forcedecks.csv**") for m in at.markdown)


def test_merging_the_match_makes_it_disappear(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = data_page(db, monkeypatch)
    at.button(key="merge_1").click().run()
    assert not at.exception, at.exception
    assert metrics(at)["Names to confirm"] == "0"
    assert "Name matches (0)" in [t.label for t in at.tabs]
    assert not any(b.key == "merge_1" for b in at.button)
    assert any("No names to confirm" in s.value for s in at.success)
    engine = store.connect(db)
    assert "tomas-herrera1" not in set(store.read_table(engine, "athletes")["athlete_id"])
    assert "tomas-herrera1" not in set(store.read_table(engine, "tests")["athlete_id"])
    assert store.read_suggestions(engine, "merged")["name"].tolist() == ["Tomas Herrera1"]


def test_keeping_a_name_separate_closes_the_match(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = data_page(db, monkeypatch)
    at.button(key="keep_1").click().run()
    assert metrics(at)["Names to confirm"] == "0"
    engine = store.connect(db)
    assert "tomas-herrera1" in set(store.read_table(engine, "athletes")["athlete_id"])
    assert store.read_suggestions(engine, "dismissed")["suggestion_id"].tolist() == [1]


def test_undo_an_import_after_confirming(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = data_page(db, monkeypatch)
    at.selectbox(key="undo_pick").set_value(5).run()
    assert any(w.value.startswith("Undo import #5 (hop_tests.xlsx)? Its 1,145 added rows leave the store.")
               for w in at.warning)
    at.button(key="undo_yes").click().run()
    assert not at.exception, at.exception
    assert metrics(at) == {"Files imported": "7", "Rows imported": "13,651", "Rejected rows": "0",
                           "Names to confirm": "1"}
    history = table(at, "Import").set_index("Import")
    assert history.loc[5, "Status"] == "↶ undone"
    assert any("No rejected rows" in s.value for s in at.success)
    assert 5 not in at.selectbox(key="undo_pick").options and "5" not in at.selectbox(key="undo_pick").options


def test_an_uploaded_broken_file_lists_its_rejected_rows(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = forcedecks_csv(FD_ROWS + [["Mia Laurent", "", "CMJ", "13/45/2023", "9:00 AM", "61", "3", "", "30",
                                        "2 R", "700"]])
    at = start(db, monkeypatch)
    at.sidebar.file_uploader(key="uploader").upload("broken_forcedecks.csv", broken, "text/csv").run()
    assert not at.exception, at.exception
    # the sidebar sums the upload up and links to the report
    assert [m.value for m in at.sidebar.markdown] == [
        "**Last upload**", ":material/check_circle: **broken_forcedecks.csv**: imported, 13 rows added, "
        "2 rows rejected"]
    assert [link.proto.label for link in at.sidebar.get("page_link")] == ["See the import report"]

    at = data_page(db, monkeypatch, at)
    assert metrics(at) == {"Files imported": "9", "Rows imported": "14,809", "Rejected rows": "3",
                           "Names to confirm": "1"}
    rejects = rejects_shown(at)
    mine = rejects[rejects["File"] == "broken_forcedecks.csv"].sort_values("Row")
    assert mine[["Import", "Row", "Column", "Value"]].values.tolist() == [
        [9, 4, "Jump Height (Imp-Mom) [cm]", "DNF"], [9, 5, "Date", "13/45/2023"]]
    assert mine["Problem"].tolist() == ["not a number: value rejected, rest of the row kept",
                                        "date missing or not a date"]
    assert table(at, "Import").iloc[0][["Import", "File", "Rows", "Rejected"]].tolist() == [
        9, "broken_forcedecks.csv", 13, 2]
    assert "Rejected rows (3)" in [t.label for t in at.tabs]

    at.run()  # the file stays in the uploader: later runs do not import it again
    assert metrics(at)["Files imported"] == "9"
    assert store.read_imports(store.connect(db))["file"].tolist().count("broken_forcedecks.csv") == 1


def editor_key(db: Path, table: str) -> str:
    engine = store.connect(db)  # the page keys its editors with ui.version(): store URL and write count
    return f"edit_{table}_{engine.url}#{store.data_version(engine)}"


def test_an_injury_edit_is_saved_and_listed_as_an_import(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = data_page(db, monkeypatch)
    injuries = next(d.value for d in at.data_editor if "injury_date" in d.value.columns)
    assert injuries["athlete_id"].tolist() == ["RTS020", "RTS005", "RTS011", "RTS014", "RTS007"]
    at.session_state[editor_key(db, "injuries")] = {"edited_rows": {1: {"side": "right"}}, "added_rows": [],
                                                    "deleted_rows": []}
    press(at, "Save injury records")
    liam = store.read_table(store.connect(db), "injuries").set_index("athlete_id").loc["RTS005"]
    assert liam["side"] == "right"
    top = table(at, "Import").iloc[0]
    assert top[["Import", "File", "Format", "Replaced"]].tolist() == [9, "manual edit", "Injury records edit", 1]
    assert metrics(at)["Files imported"] == "8"  # an edit is not a file


def test_a_bad_value_in_the_editor_is_reported_not_saved(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = data_page(db, monkeypatch)
    at.session_state[editor_key(db, "injuries")] = {"edited_rows": {1: {"region": "knee cap"}}, "added_rows": [],
                                                    "deleted_rows": []}
    press(at, "Save injury records")
    assert any("Row 2 (Liam O'Connor): region 'knee cap' is not one of" in e.value for e in at.error)
    assert store.read_table(store.connect(db), "injuries").set_index("athlete_id").loc["RTS005", "region"] == "calf"
    assert len(table(at, "Import")) == 8


def test_template_tab_offers_the_workbook_and_its_rules(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = data_page(db, monkeypatch)
    downloads = [d.proto.label for d in at.get("download_button")]
    assert downloads == ["All tables and the board (XLSX)", "Download rejected rows (CSV)",
                         "Download our template (rts_template.xlsx)"]
    assert any(m.value.startswith("**How it is laid out**") for m in at.markdown)
    assert [e.label for e in at.expander] == ["Column reference: every sheet, column, unit and allowed value"]
