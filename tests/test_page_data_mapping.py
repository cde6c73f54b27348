"""The Data page's "Teach a format" tab (AppTest, on the demo team): a sheet no reader knows fails in
the sidebar with the offer to map it; in the tab the product shows the sheet, its guess per column
and the canonical rows before anything is stored; a mapping that cannot be read says why and cannot
be saved; Save stores the profile and imports the file; the next file of that shape imports from
the sidebar with no questions, its report naming the profile; the profile's file downloads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from lib import store
from lib.ingest import profiles
from tests.apptest import demo_store, start_app, store_copy
from tests.ingest.test_profiles import HOPS, daily_workbook

NEXT_WEEK = HOPS.replace(b"12/11/2026", b"19/11/2026").replace(b"13/11/2026", b"20/11/2026")


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_store(tmp_path_factory.mktemp("mapping") / "demo.sqlite")


@pytest.fixture
def db(demo_template: Path, tmp_path: Path) -> Iterator[Path]:
    yield from store_copy(demo_template, tmp_path)


def data_page(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = start_app(db, monkeypatch)
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception
    return at


def editor_key(at: AppTest) -> str:
    return next(k for k in at.session_state if str(k).startswith("mapping_editor:"))


def test_teach_a_format_on_the_data_page(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = start_app(db, monkeypatch)
    at.sidebar.file_uploader(key="uploader").upload("northside_hops.csv", HOPS, "text/csv").run()
    assert not at.exception, at.exception
    line = [m.value for m in at.sidebar.markdown][1]
    assert "**northside_hops.csv**: failed" in line and "map its columns on the Data page (tab 'Teach a format')" in line

    at.switch_page("pages/data.py").run()
    assert "Teach a format" in [t.label for t in at.tabs]
    at.file_uploader(key="mapping_upload").upload("northside_hops.csv", HOPS, "text/csv").run()
    assert not at.exception, at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert "not a format we know: no built-in reader recognises this sheet" in shown
    assert at.number_input(key=next(k for k in at.session_state if str(k).startswith("mapping_row:"))).value == 2
    preview = next(d.value for d in at.dataframe if "Foot" in d.value.columns and "Example" not in d.value.columns)
    assert preview["Player"].tolist()[:2] == ["Mia Kovac", "Mia Kovac"]  # the rows under the header, title above it skipped
    editor = next(d for d in at.data_editor if "Is" in d.value.columns)
    guess = editor.value.set_index("Column")
    assert guess["Is"].tolist() == ["athlete", "date", "time", "side", "test", "test", "ignore"]
    assert guess.loc["Triple hop (m)", ["Test", "Metric", "Unit", "Side"]].tolist() == ["triple_hop", "distance", "m", "column"]
    # the rows it would give, before anything is stored
    assert "8 data rows: 4 give rows (7 tests), 3 rejected whole, 1 skipped (no value)" in " ".join(m.value for m in at.markdown)
    tests = next(d.value for d in at.dataframe if "trial" in d.value.columns)
    assert sorted(tests["value"].round(6).tolist()) == [140.0, 152.0, 155.0, 160.0, 420.0, 461.0, 480.0]  # m x 100
    assert profiles.stored_profiles(store.connect(db)) == []  # nothing stored yet

    # a mapping that cannot be read says why, and cannot be saved
    at.session_state[editor_key(at)] = {"edited_rows": {0: {"Is": "ignore"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert any("no column is 'athlete'" in w.value for w in at.warning)
    assert at.button(key="mapping_save").disabled
    at.session_state[editor_key(at)] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}
    at.text_input(key=next(k for k in at.session_state if str(k).startswith("mapping_name:"))).input("Northside hops").run()
    assert not at.button(key="mapping_save").disabled

    at.button(key="mapping_save").click().run()
    assert not at.exception, at.exception
    engine = store.connect(db)
    [saved] = profiles.stored_profiles(engine)
    assert (saved.profile.name, saved.version, saved.saved_by) == ("Northside hops", 1, "local")
    imports = store.read_imports(engine)
    taught = imports[imports["file"] == "northside_hops.csv"].iloc[0]
    assert (taught["formats"], taught["rows_added"]) == ("format profile 'Northside hops'", 9)  # 7 tests, 2 new athletes

    # the same shape from the sidebar: no questions, the report names the profile
    at.sidebar.file_uploader(key="uploader").upload("northside_hops_week2.csv", NEXT_WEEK, "text/csv").run()
    assert not at.exception, at.exception
    assert "**northside_hops_week2.csv**: imported, 7 rows added" in " ".join(m.value for m in at.sidebar.markdown)
    with engine.connect() as conn:
        report = json.loads(conn.execute(sa.select(store.imports.c.report).where(
            store.imports.c.file == "northside_hops_week2.csv")).scalar_one())
    assert report["sheets"][0]["format"] == "format profile 'Northside hops'"

    profiles_listed = next(d.value for d in at.dataframe if "Profile" in d.value.columns)
    assert profiles_listed[["Profile", "Version", "Columns"]].values.tolist() == [["Northside hops", 1, 7]]
    download = next(b for b in at.get("download_button") if b.proto.label == "Download the profile (JSON)")
    assert download is not None


def test_a_shared_profile_file_that_is_bad_is_refused(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = data_page(db, monkeypatch)
    at.file_uploader(key="mapping_shared").upload("theirs.json", b'{"rts_format_profile": 1, "name": ""}',
                                                   "application/json").run()
    at.button(key="mapping_store_shared").click().run()
    assert not at.exception, at.exception
    error = " ".join(e.value for e in at.error)
    assert "Not stored, nothing changed" in error and "name: a profile needs a name" in error
    assert profiles.stored_profiles(store.connect(db)) == []


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_sheet_read_in_part_is_offered_the_mapping_from_its_report(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A club's daily sheet (GPS summary and wellness answers in one row) is read as wellness: its
    report says how much of it was read, names the columns left out and offers to teach the format;
    the offer opens the Teach a format tab on that file, taken from the uploader (no second upload)."""
    at = start_app(db, monkeypatch)
    at.sidebar.file_uploader(key="uploader").upload("daily.xlsx", daily_workbook(), XLSX).run()
    assert not at.exception, at.exception
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception
    report = next(m.value for m in at.markdown if m.value.startswith("**daily.xlsx** · imported"))
    # Athlete, Date, Sleep quality, Soreness (0-10), RPE are read: 5 of the sheet's 10 columns
    assert "- Sheet **Daily**: read as **Wellness / pain / RPE sheet** (explains 5 of 10 columns);" in report
    assert ("columns not imported (not used by Return to Speed): `Session`, `Duration`, `Distance (km)`, `HSR (m)`, "
            "`Top speed (km/h)`") in report
    assert "teach this sheet once: map its columns on the **Teach a format** tab" in report
    offer = at.button(key="teach_from_report")
    assert offer.label == "Teach this format (daily.xlsx)"

    offer.click().run()
    assert not at.exception, at.exception
    assert at.session_state["data_tab"] == "Teach a format"
    picked = at.selectbox(key="mapping_from_upload")
    assert (picked.value, picked.options) == ("daily.xlsx", ["daily.xlsx · sheet Daily: 5 columns not read"])
    shown = " ".join(m.value for m in at.markdown)
    assert ("recognised in part: read as Wellness / pain / RPE sheet (explains 5 of 10 columns; not read: Session, "
            "Duration, Distance (km), HSR (m), Top speed (km/h))") in shown
    editor = next(d for d in at.data_editor if "Is" in d.value.columns)
    assert editor.value["Column"].tolist()[:3] == ["Athlete", "Date", "Session"]


def test_a_sheet_no_reader_knows_is_preselected_in_the_mapping_tab(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that failed in the sidebar ("not a format we know") is waiting in the Teach a format tab."""
    at = start_app(db, monkeypatch)
    at.sidebar.file_uploader(key="uploader").upload("northside_hops.csv", HOPS, "text/csv").run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception
    picked = at.selectbox(key="mapping_from_upload")
    assert (picked.value, picked.options) == ("northside_hops.csv", ["northside_hops.csv: not recognised"])
    assert "not a format we know: no built-in reader recognises this sheet" in " ".join(m.value for m in at.markdown)
