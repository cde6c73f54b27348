"""Exports: canonical tables and the board as CSV and formatted XLSX; formula injection neutralised in
both (OWASP), numbers kept as numbers; our own importer reads an export back to the same rows."""

from __future__ import annotations

import datetime as dt
import inspect
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

import lib.ingest.readers.template as template_reader
from lib import exports, store
from lib.exports import (board_csv, data_workbook, escape_cell, export_bytes, header_column,
                         header_label, output_only, table_csv, unescape_cell)
from lib.cli.export import main_export
from lib.ingest.importer import import_files
from lib.privacy.pseudonym import WITHHELD, athlete_code, store_key
from lib.readiness import BOARD_COLUMNS, Data, readiness_board
from lib.core.settings import defaults

ON = dt.date(2026, 11, 23)
FORMULA = '=HYPERLINK("http://x","click")'
# our importer un-escapes exports once lib/readers/template.py calls lib.exports.unescape_cell and
# header_column (the change proposed with this module); until then those tests are expected to fail
WIRED = "unescape_cell" in inspect.getsource(template_reader)
needs_wiring = pytest.mark.xfail(not WIRED, strict=True,
                                 reason="lib/readers/template.py does not call lib.exports.unescape_cell yet")


def _csv(rows: list[list[object]]) -> bytes:
    return pd.DataFrame(rows[1:], columns=rows[0]).to_csv(index=False).encode("utf-8")


ATHLETES = _csv([["athlete_id", "name", "position", "squad"],
                 ["A1", "Ana Silva", "=1+1", "@squad"],
                 ["A2", "=2+5 Cole", "-winger", "+team"],
                 ["A3", "José Martínez", "Midfielder", "First team"]])
INJURIES = _csv([["athlete_id", "injury_date", "side", "region", "diagnosis", "cleared_date"],
                 ["A1", "2026-10-01", "left", "hamstring", FORMULA, ""]])
TESTS = _csv([["athlete_id", "date", "test", "metric", "side", "trial", "value", "unit", "device"],
              ["A1", "2026-11-20", "cmj", "jump_height", "both", 1, 38.4, "cm", FORMULA],
              ["A1", "2026-11-20", "cmj", "asymmetry", "left", 1, -3.5, "%", "+cmd"],
              ["A1", "2026-11-20", "single_hop", "distance", "left", 1, 150.5, "cm", "@dev"],
              ["A1", "2026-11-20", "single_hop", "distance", "right", 1, 160, "cm", "'quoted"],
              ["A2", "2026-11-21", "single_hop", "distance", "right", 2, 161.25, "cm", "-2 sheet"],
              ["A3", "2026-11-21", "triple_hop", "distance", "left", 1, 480, "cm", "hop sheet"]])
PLAIN_TESTS = _csv([["athlete_id", "date", "test", "metric", "side", "trial", "value", "unit", "device"],
                    ["A1", "2026-11-20", "cmj", "jump_height", "both", 1, 38.4, "cm", "ForceDecks"],
                    ["A1", "2026-11-20", "cmj", "asymmetry", "left", 1, -3.5, "%", "ForceDecks"],
                    ["A3", "2026-11-21", "triple_hop", "distance", "left", 2, 480.125, "cm", "hop sheet"]])
SESSIONS = _csv([["athlete_id", "date", "session", "duration_min", "total_distance_m", "hsr_distance_m",
                  "sprint_distance_m", "max_speed_ms", "device"],
                 ["A1", "2026-11-20", "=MD-2", 65, 5400.5, 420, 80, 8.9, "STATSports"],
                 ["A1", "2026-11-21", "MD-1", 40, 3100, 120, 0, 7.2, "STATSports"]])


def _store(engine: Engine, *files: tuple[str, bytes]) -> Data:
    for name, body in files:
        report = import_files(engine, [(name, body)])[0]
        assert report.readable and not report.rejects, report.text()
    return Data.from_store(engine)


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    """Rows without provenance (an import records its own file and rows), in a stable order."""
    out = df.drop(columns=[c for c in ("source_file", "source_row") if c in df.columns])
    return out.sort_values(list(out.columns)).reset_index(drop=True)


@pytest.fixture
def data(engine: Engine) -> Data:
    return _store(engine, ("athletes.csv", ATHLETES), ("injuries.csv", INJURIES), ("tests.csv", TESTS),
                  ("sessions.csv", SESSIONS))


# ------------------------------------------------------------------------------------ cells

@pytest.mark.parametrize("value, escaped", [
    (FORMULA, "'" + FORMULA),
    ("+44 7700 900123", "'+44 7700 900123"),
    ("-winger", "'-winger"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("'quoted", "''quoted"),  # doubled, so that un-escaping gives it back
    ("Ana Silva", "Ana Silva"),
    ("a=b", "a=b"),
    ("", ""),
    (-3.5, -3.5),  # numbers are never touched
    (None, None),
])
def test_escape_cell(value: object, escaped: object) -> None:
    assert escape_cell(value) == escaped
    assert unescape_cell(escaped) == value


@given(st.text())
def test_unescape_inverts_escape(text: str) -> None:
    assert unescape_cell(escape_cell(text)) == text
    assert not str(escape_cell(text)).startswith(exports.FORMULA_TRIGGERS)


@pytest.mark.parametrize("table, column, label", [
    ("sessions", "hsr_distance_m", "hsr_distance_m (m)"),
    ("sessions", "max_speed_ms", "max_speed_ms (m/s)"),
    ("sessions", "duration_min", "duration_min (min)"),
    ("sessions", "sprints", "sprints (count)"),
    ("tests", "value", "value"),  # its unit is in the `unit` column
    ("board", "days_since_injury", "days_since_injury (days)"),
    ("board", "tier", "tier"),
])
def test_header_label_and_back(table: str, column: str, label: str) -> None:
    assert header_label(table, column) == label
    assert header_column(label) == column


@pytest.mark.parametrize("header", ["value (cm)", "Jump Height (cm)", "hsr_distance_m (km)", "name", None])
def test_header_column_leaves_other_headers(header: object) -> None:
    assert header_column(header) == ("" if header is None else header)


def test_output_only_sheets_are_recognised() -> None:
    board = exports.board_frame(pd.DataFrame(columns=BOARD_COLUMNS))
    assert "nothing to import" in str(output_only(list(board.columns)))
    assert "Settings page" in str(output_only(list(exports.thresholds_frame(defaults()).columns)))
    assert output_only(["athlete_id", "date", "test", "metric", "side", "trial", "value", "unit"]) is None


# ------------------------------------------------------------------------------------ CSV

def test_csv_neutralises_text_and_keeps_numbers(data: Data) -> None:
    text = table_csv(data, "tests").decode("utf-8")
    assert text.startswith("\ufeffathlete_id,date,test,metric,side,trial,value,unit,device,source_file,source_row,time\n")
    rows = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), dtype=str, keep_default_na=False)
    devices = dict(zip(rows["value"], rows["device"]))
    assert devices == {"38.4": "'" + FORMULA, "-3.5": "'+cmd", "150.5": "'@dev", "160.0": "''quoted",
                       "161.25": "'-2 sheet", "480.0": "hop sheet"}
    assert "'" + FORMULA in text.replace('""', '"')  # the field itself starts with the apostrophe
    assert set(rows["date"]) == {"2026-11-20", "2026-11-21"}
    athletes = table_csv(data, "athletes", bom=False).decode("utf-8")
    assert athletes.splitlines()[1:] == ["A1,Ana Silva,'=1+1,'@squad", "A2,'=2+5 Cole,'-winger,'+team",
                                         "A3,José Martínez,Midfielder,First team"]


def test_board_csv_is_neutralised(data: Data) -> None:
    board = readiness_board(data, pd.Timestamp(ON), defaults())
    rows = pd.read_csv(io.BytesIO(board_csv(board)), dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert list(rows.columns[:6]) == ["athlete_id", "name", "position", "squad", "status", "status_word"]
    assert dict(zip(rows["athlete_id"], rows["name"]))["A2"] == "'=2+5 Cole"
    assert dict(zip(rows["athlete_id"], rows["position"]))["A1"] == "'=1+1"


def test_csv_is_the_same_bytes_twice(data: Data) -> None:
    assert table_csv(data, "tests") == table_csv(data, "tests")


# ------------------------------------------------------------------------------------ XLSX

def test_workbook_sheets_headers_formats_and_colours(data: Data) -> None:
    board = readiness_board(data, pd.Timestamp(ON), defaults())
    body = data_workbook(data, ON, defaults(), board=board, team="First team")
    wb = load_workbook(io.BytesIO(body))
    assert wb.sheetnames == ["board", "thresholds", "athletes", "injuries", "tests", "sessions", "wellness"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert all(c.font.b for c in ws[1])
    sessions = wb["sessions"]
    headers = [c.value for c in sessions[1]]
    assert headers[:9] == ["athlete_id", "date", "session", "session_type", "duration_min (min)",
                           "total_distance_m (m)", "hsr_distance_m (m)", "sprint_distance_m (m)", "max_speed_ms (m/s)"]
    first = {h: c for h, c in zip(headers, sessions[2])}
    assert first["date"].value == dt.datetime(2026, 11, 20) and first["date"].number_format == "yyyy-mm-dd"
    assert first["total_distance_m (m)"].value == 5400.5 and first["total_distance_m (m)"].data_type == "n"
    assert first["session"].value == "'=MD-2" and first["session"].data_type == "s"
    tests = wb["tests"]
    cells = {r[6].value: r for r in tests.iter_rows(min_row=2)}  # by value
    assert cells[-3.5][6].data_type == "n"  # a negative number stays a number
    assert cells[38.4][8].value == "'" + FORMULA and cells[38.4][8].data_type == "s"
    injuries = wb["injuries"]
    diagnosis = injuries.cell(2, [c.value for c in injuries[1]].index("diagnosis") + 1)
    assert diagnosis.value == "'" + FORMULA and diagnosis.data_type == "s"
    board_ws = wb["board"]
    cols = [c.value for c in board_ws[1]]
    assert "days_since_injury (days)" in cols
    fills = {row[cols.index("status")].value: row[cols.index("status")].fill.fgColor.rgb
             for row in board_ws.iter_rows(min_row=2)}
    for status, colour in fills.items():
        assert colour.endswith(exports.STATUS_FILLS[status])
    words = {row[cols.index("status")].value: row[cols.index("status_word")].value for row in board_ws.iter_rows(min_row=2)}
    assert words.get("green") == "Ready" or words.get("amber") == "Hold" or words.get("grey") == "No data"
    thresholds = {r[0].value: r for r in wb["thresholds"].iter_rows(min_row=2)}
    assert thresholds["hop_lsi_pass"][2].value == 90 and thresholds["hop_lsi_pass"][3].value == "%"
    # no formula anywhere in the package: every sheet's XML is free of <f> elements
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name)


def test_workbook_is_the_same_bytes_twice(data: Data) -> None:
    board = readiness_board(data, pd.Timestamp(ON), defaults())
    assert data_workbook(data, ON, defaults(), board=board) == data_workbook(data, ON, defaults(), board=board)


# ------------------------------------------------------------------------------------ read back

def test_importer_reads_a_tests_export_back(engine: Engine, tmp_path: Path) -> None:
    original = _store(engine, ("tests.csv", PLAIN_TESTS))
    for fmt, body in (("csv", table_csv(original, "tests")),
                      ("xlsx", exports.workbook_bytes({"tests": original.tests}))):
        fresh = store.connect(tmp_path / f"{fmt}.sqlite")
        back = _store(fresh, (f"tests.{fmt}", body))
        pd.testing.assert_frame_equal(_canonical(back.tests), _canonical(original.tests))


@needs_wiring
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_importer_reads_escaped_text_back_to_the_original(data: Data, tmp_path: Path, fmt: str) -> None:
    for table in ("athletes", "injuries", "tests", "sessions"):
        body = table_csv(data, table) if fmt == "csv" else exports.workbook_bytes({table: getattr(data, table)})
        fresh = store.connect(tmp_path / f"{table}.sqlite")
        if table != "athletes":  # the athletes first, so that ids and names resolve as in the original
            _store(fresh, ("athletes.csv", table_csv(data, "athletes")))
        back = _store(fresh, (f"{table}.{fmt}", body))
        pd.testing.assert_frame_equal(_canonical(getattr(back, table)), _canonical(getattr(data, table)))


@needs_wiring
def test_the_whole_workbook_imports_its_tables_and_not_the_board(data: Data, tmp_path: Path) -> None:
    board = readiness_board(data, pd.Timestamp(ON), defaults())
    report = import_files(store.connect(tmp_path / "all.sqlite"),
                          [("all.xlsx", data_workbook(data, ON, defaults(), board=board))])[0]
    assert not report.rejects, report.text()
    assert "readiness board of a Return to Speed export" in report.text()
    assert report.added["tests"] == len(data.tests) and report.added["sessions"] == len(data.sessions)


# ------------------------------------------------------------------------------------ pseudonymised

def test_pseudonymised_exports_carry_no_name(data: Data) -> None:
    board = readiness_board(data, pd.Timestamp(ON), defaults())
    key = b"k"
    body = data_workbook(data, ON, defaults(), board=board, mode="codes", key=key)
    wb = load_workbook(io.BytesIO(body))
    text = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row).lower()
    for word in ("ana silva", "silva", "josé", "martínez", "cole"):
        assert word not in text
    assert athlete_code("A1", key).lower() in text
    assert wb["injuries"]["E2"].value == WITHHELD  # the diagnosis: free text, withheld
    csv = board_csv(board, "initials", data.athletes, key).decode("utf-8-sig")
    assert "Silva" not in csv and "A.S." in csv


# ------------------------------------------------------------------------------------ command line

def test_export_bytes_and_main_export(engine: Engine, data: Data, tmp_path: Path,
                                      capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    csv = export_bytes(engine, "tests", "csv")
    assert csv.startswith(b"athlete_id,date,test") and b"'+cmd" in csv  # no BOM on stdout
    board = export_bytes(engine, "board", "csv", as_of=ON)
    assert b"'=2+5 Cole" in board
    coded = export_bytes(engine, "athletes", "csv", mode="codes")
    assert athlete_code("A1", store_key(engine)).encode() in coded and b"Silva" not in coded
    with pytest.raises(ValueError, match="xlsx"):
        export_bytes(engine, "all", "csv")
    out = tmp_path / "team.xlsx"
    args = type("Args", (), {"db": str(engine.url.database), "table": "all", "format": "xlsx", "output": str(out),
                             "pseudonymise": None, "provenance": False, "on": "2026-11-23", "team": None})()
    assert main_export(args) == 0
    assert load_workbook(out).sheetnames[:2] == ["board", "thresholds"]
    args.output, args.format, args.table = None, "csv", "injuries"
    assert main_export(args) == 0
    assert capsysbinary.readouterr().out.startswith(b"athlete_id,injury_date")
