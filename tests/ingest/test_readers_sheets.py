"""Hand-kept sheets: hop tests, wellness, roster, and our own template.

Fixtures are written from code in the shapes people really keep (openpyxl workbooks with merged
date cells, Google-Forms CSVs, one-file-per-item CSVs in UTF-16 or cp1252 with `;` and decimal
commas). Expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Callable

import openpyxl
import pandas as pd
import pytest

from lib import store
from lib.ingest.importer import import_files, read_file
from lib.ingest.readers import detect_format, hoptests, roster, template, wellness
from lib.ingest.readers.base import SheetRead
from lib.ingest.sources import open_file
from lib.ingest.template import EXAMPLES, TEMPLATE_TABLES, TITLE, template_columns, template_markdown, template_workbook

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------------------------ helpers

def xlsx(sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None) -> bytes:
    """A workbook with one sheet per entry, cells merged as given (calamine: value then empties)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def reads(name: str, data: bytes) -> dict[str, SheetRead]:
    fr = read_file(data, name)
    assert fr.report.status != "failed", fr.report.message
    return dict(fr.reads)


def one(name: str, data: bytes) -> SheetRead:
    found = reads(name, data)
    assert len(found) == 1, list(found)
    return next(iter(found.values()))


def rejects(read: SheetRead) -> set[tuple[int | None, str, str]]:
    return {(p.row, p.column, p.value) for p in read.rejects}


def plain(value: object) -> object:
    """A cell as a plain comparable value: missing -> None, timestamps -> dates, floats rounded."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return round(value, 4) if isinstance(value, float) else value


def rows_of(df: pd.DataFrame, *cols: str) -> list[tuple]:
    """Rows of `cols` as sorted tuples of plain values."""
    return sorted((tuple(plain(v) for v in rec.values()) for rec in df[list(cols)].to_dict("records")), key=str)


# ----------------------------------------------------------------------------------- fixtures

def hop_long() -> tuple[str, bytes]:
    """Long layout: trials in columns, stale Mean/LSI, relative limbs with an injured-side column."""
    rows = [
        ["Name", "Test", "Date", "Side", "Injured side", "Trial 1", "Trial 2", "Trial 3", "Mean", "LSI %", "Notes"],
        ["Ann Lee", "Single hop", "14/03/2024", "Inv", "L", 150, 155, "DNF", 152.5, 91, "sore"],
        ["Ann Lee", "Single hop", "14/03/2024", "Uninv", "L", 165, 170, 168, 167.7, None, None],
        ["Ann Lee", "Triple hop (m)", "14/03/2024", "Inv", "L", 4.5, 4.62, None, None, None, None],
        ["Ann Lee", "6 m timed hop", "14/03/2024", "Inv", "L", 2.31, 2.2, "X", None, None, None],
        ["Bob Roy", "Crossover hop", "14/03/2024", "R", None, None, None, None, None, None, "injured"],
        ["Team mean", "Single hop", "14/03/2024", None, None, 160, None, None, None, None, None],
        [None, "Single hop", "14/03/2024", "L", None, 140, None, None, None, None, None],
        ["Cat Ng", "Nordic", "14/03/2024", "L", None, 300, None, None, None, None, None],
    ]
    return "hop_long.xlsx", xlsx({"Hops": rows})


def hop_wide() -> tuple[str, bytes]:
    """Wide layout: title row, dates merged over L/R pairs, data from row 4; one sheet per test."""
    triple = [
        ["Triple hop (cm)"],
        ["Name", dt.date(2024, 3, 1), None, "15/03/2024", None, "LSI %"],
        [None, "L", "R", "L", "R", None],
        ["Ann Lee", 420, 455.5, "X", 470, 92],
        ["Bob Roy", 500, 510, None, None, None],
        ["Cat Ng", None, None, None, None, None],
    ]
    single = [
        ["Single hop (ft)"],
        ["Name", dt.date(2024, 3, 1), None],
        [None, "L", "R"],
        ["Ann Lee", 6.5, 6],
    ]
    crossover = [
        ["Crossover hop for distance (inches)"],
        ["Name", "Injured side", dt.date(2024, 3, 1), None],
        [None, None, "Inv", "Uninv"],
        ["Ann Lee", "R", 60, 66],
    ]
    merges = {"Triple hop": ["A2:A3", "B2:C2", "D2:E2", "F2:F3"], "Single hop": ["A2:A3", "B2:C2"],
              "Crossover": ["A2:A3", "B2:B3", "C2:D2"]}
    return "hop_wide.xlsx", xlsx({"Triple hop": triple, "Single hop": single, "Crossover": crossover}, merges)


def hop_eu_csv() -> tuple[str, bytes]:
    """cp1252, semicolons, decimal commas, metres without a unit, dotted dates."""
    text = ("Name;Test;Date;Side;Trial 1;Trial 2;Trial 3\r\n"
            "José Müller;Single hop;14.03.2024;Left;1,52;1,48;-\r\n"
            "José Müller;Single hop;14.03.2024;Right;1,60;1,64;1,62\r\n")
    return "hops_eu.csv", text.encode("cp1252")


def wellness_forms() -> tuple[str, bytes]:
    """Google-Forms export (UTF-8 with BOM): timestamp, name question, mixed numbers and labels."""
    text = ("Timestamp,What is your name?,How well did you sleep? (1-5),Muscle soreness,Pain (0-10),Stress,"
            "RPE of today's session,How many hours did you sleep?\n"
            "2024/03/14 7:45:12 AM GMT,ann lee,4,No Soreness,2,Very Low,7 - Very Hard,8\n"
            "2024/03/14 7:50:01 AM GMT,Bob  Roy,2,Painful to Move,DNF,Very High,5,7\n"
            "2024/03/15 7:40:00 AM GMT,Ann Lee,,,,,,\n"
            "2024/03/15 7:41:00 AM GMT,,3,,,,,\n")
    return "wellness_form.csv", text.encode("utf-8-sig")


def wellness_per_item_utf16() -> tuple[str, bytes]:
    """Excel 'Unicode text': UTF-16 with BOM, tabs; item and range named by the file name."""
    text = ("Date\tAnn Lee\tBob Roy\r\n14.03.2024\t1\t3\r\n15.03.2024\t\tX\r\n16.03.2024\t\t\r\n"
            "17.03.2024\t5\t2\r\n")
    return "pain_1-5.txt", text.encode("utf-16")


def wellness_per_item_sheet() -> tuple[str, bytes]:
    """One sheet per item, item from the sheet name, values on 1-10 (inferred: max 8)."""
    rows = [["Date", "Ann Lee", "Bob Roy"], ["14.03.2024", 3, 8], ["15.03.2024", 2, None]]
    return "items.xlsx", xlsx({"Soreness": rows})


def wellness_long_cp1252() -> tuple[str, bytes]:
    """Long shape, cp1252 with `;` and a decimal comma."""
    text = ("Name;Date;Item;Value\r\nZoë Ång;14/03/2024;Fatigue (Hooper 1-7);6\r\n"
            "Zoë Ång;14/03/2024;Sleep quality;Good\r\nBob Roy;14/03/2024;Pain VAS (0-100);45,5\r\n"
            "Bob Roy;14/03/2024;Weather;Sunny\r\n")
    return "wellness_long.csv", text.encode("cp1252")


def roster_sheet() -> tuple[str, bytes]:
    """Roster with a title, First/Last names, several injuries per athlete, free-text regions."""
    rows = [
        ["Squad list 2024"],
        [],
        ["First name", "Surname", "Athlete ID", "Position", "Squad", "Injury date", "Injured side", "Region",
         "Diagnosis", "RTP date", "DOB", "Shoe size"],
        ["Ann", "Lee", 101, "Winger", "First team", dt.date(2024, 1, 15), "L", "Hamstring strain", "Grade 2 BF",
         dt.date(2024, 3, 1), None, 40],
        ["Ann", "Lee", 101, None, None, "03/09/2023", "Right", None, "Calf (soleus) strain", "20/08/2023", None, None],
        ["Bob", "Roy", None, "CB", "U23", "10/02/2024", "Both", "Groin/adductor", None, None, None, None],
        ["Cat", "Ng", None, "GK", "First team", None, None, None, None, None, None, None],
        ["Dan", "Wu", None, "ST", "First team", "12/02/2024", None, "quad", None, None, None, None],
        ["Eve", "Li", None, "ST", "First team", "12/02/2024", "R", "Thigh", None, "bad", None, None],
        ["Cat", "Ng", None, None, None, None, None, None, None, None, None, None],
    ]
    return "roster.xlsx", xlsx({"Squad": rows})


def template_file() -> tuple[str, bytes]:
    return "template.xlsx", template_workbook()


FIXTURES: dict[str, Callable[[], tuple[str, bytes]]] = {
    "hop_long": hop_long, "hop_wide": hop_wide, "hop_eu_csv": hop_eu_csv, "wellness_forms": wellness_forms,
    "wellness_per_item_utf16": wellness_per_item_utf16, "wellness_per_item_sheet": wellness_per_item_sheet,
    "wellness_long_cp1252": wellness_long_cp1252, "roster": roster_sheet, "template": template_file,
}
EXPECTED_READER = {
    "hop_long": hoptests.NAME, "hop_wide": hoptests.NAME, "hop_eu_csv": hoptests.NAME,
    "wellness_forms": wellness.NAME, "wellness_per_item_utf16": wellness.NAME,
    "wellness_per_item_sheet": wellness.NAME, "wellness_long_cp1252": wellness.NAME,
    "roster": roster.NAME, "template": template.NAME,
}


# ------------------------------------------------------------------- detection, nothing lost

@pytest.mark.parametrize("fixture", FIXTURES)
def test_detection_picks_the_right_reader(fixture: str) -> None:
    name, data = FIXTURES[fixture]()
    for sheet in open_file(data, name).sheets:
        reader, _ = detect_format(sheet)
        assert reader.NAME == EXPECTED_READER[fixture], sheet.name


@pytest.mark.parametrize("fixture", FIXTURES)
def test_nothing_lost(fixture: str) -> None:
    """Every data row is a source_row of some output row, a reject, or a skipped row."""
    name, data = FIXTURES[fixture]()
    for sheet, read in reads(name, data).items():
        accepted = {int(r) for df in read.tables.values() if len(df) for r in df["source_row"]}
        rejected = {p.row for p in read.rejects if p.row is not None}
        assert set(read.data_rows) == accepted | rejected | set(read.skipped_rows), sheet


# ------------------------------------------------------------------------------------ hop tests

def test_hop_long_layout() -> None:
    read = one(*hop_long())
    tests = read.tables["tests"]
    assert rows_of(tests, "test", "metric", "side", "trial", "value", "unit", "source_row") == sorted([
        # single hop: no unit anywhere; median 165 is far above 2.5 m, so cm
        ("single_hop", "distance", "involved", 1, 150.0, "cm", 2),
        ("single_hop", "distance", "involved", 2, 155.0, "cm", 2),
        ("single_hop", "distance", "uninvolved", 1, 165.0, "cm", 3),
        ("single_hop", "distance", "uninvolved", 2, 170.0, "cm", 3),
        ("single_hop", "distance", "uninvolved", 3, 168.0, "cm", 3),
        # `Triple hop (m)`: 4.5 m x 100 = 450 cm, 4.62 m x 100 = 462 cm
        ("triple_hop", "distance", "involved", 1, 450.0, "cm", 4),
        ("triple_hop", "distance", "involved", 2, 462.0, "cm", 4),
        # 6 m timed hop: median 2.255 < 100, so seconds
        ("timed_hop_6m", "time", "involved", 1, 2.31, "s", 5), ("timed_hop_6m", "time", "involved", 2, 2.2, "s", 5),
    ], key=str)
    assert set(tests["injured_side"]) == {"left"}
    assert set(tests["device"]) == {"hop test sheet"}
    assert set(tests["athlete_name"]) == {"Ann Lee"}
    assert (tests["date"] == pd.Timestamp("2024-03-14")).all()
    bad = rejects(read)
    assert (2, "Trial 3", "DNF") in bad and (5, "Trial 3", "X") in bad  # one trial rejected, the others kept
    assert (8, "name", "") in bad and (9, "Test", "Nordic") in bad
    assert read.skipped_rows == {6: "no trial values in this row", 7: "summary row 'Team mean': not an athlete"}
    assert any("'Mean'" in a and "'LSI %'" in a and "recomputed" in a for a in read.assumptions)
    assert any(a.startswith("single_hop: no unit") and "cm" in a for a in read.assumptions)
    assert read.unknown_columns == ["Notes"]


def test_hop_wide_layout_with_merged_dates() -> None:
    found = reads(*hop_wide())
    triple = found["Triple hop"].tables["tests"]
    assert rows_of(triple, "athlete_name", "date", "side", "trial", "value") == sorted([
        ("Ann Lee", dt.date(2024, 3, 1), "left", 1, 420.0), ("Ann Lee", dt.date(2024, 3, 1), "right", 1, 455.5),
        # 15/03/2024 is merged over D2:E2: the R column (E) gets the date by forward fill
        ("Ann Lee", dt.date(2024, 3, 15), "right", 1, 470.0),
        ("Bob Roy", dt.date(2024, 3, 1), "left", 1, 500.0), ("Bob Roy", dt.date(2024, 3, 1), "right", 1, 510.0),
    ], key=str)
    assert set(triple["test"]) == {"triple_hop"} and set(triple["unit"]) == {"cm"}
    assert rejects(found["Triple hop"]) == {(4, "2024-03-15 L", "X")}
    assert found["Triple hop"].skipped_rows == {6: "no hop values in this row"}
    assert any("'LSI %'" in a for a in found["Triple hop"].assumptions)
    # `Single hop (ft)`: 6.5 ft x 30.48 = 198.12 cm; 6 ft x 30.48 = 182.88 cm
    single = found["Single hop"].tables["tests"]
    assert rows_of(single, "test", "side", "value") == [("single_hop", "left", 198.12), ("single_hop", "right", 182.88)]
    # `(inches)`: 60 in x 2.54 = 152.4 cm; 66 in x 2.54 = 167.64 cm; relative limbs kept with the injured side
    cross = found["Crossover"].tables["tests"]
    assert rows_of(cross, "test", "side", "value", "injured_side") == [
        ("crossover_hop", "involved", 152.4, "right"), ("crossover_hop", "uninvolved", 167.64, "right")]


def test_hop_csv_cp1252_semicolon_decimal_comma() -> None:
    read = one(*hop_eu_csv())
    tests = read.tables["tests"]
    # no unit; median of 1.48..1.64 is 1.60 < 2.5, so metres: 1,52 m -> 152 cm ...
    assert rows_of(tests, "athlete_name", "side", "trial", "value") == sorted([
        ("José Müller", "left", 1, 152.0), ("José Müller", "left", 2, 148.0),
        ("José Müller", "right", 1, 160.0), ("José Müller", "right", 2, 164.0),
        ("José Müller", "right", 3, 162.0),
    ], key=str)
    assert rejects(read) == {(2, "Trial 3", "-")}
    assert any("read as m" in a for a in read.assumptions)
    assert any("converted from m to cm" in a for a in read.assumptions)


@pytest.mark.parametrize(("label", "side"), [
    ("L", "left"), ("Left", "left"), ("R", "right"), ("Right", "right"), ("Inv", "involved"),
    ("Involved", "involved"), ("Injured", "involved"), ("Affected", "involved"), ("Uninv", "uninvolved"),
    ("Uninvolved", "uninvolved"), ("Uninjured", "uninvolved"), ("Unaffected", "uninvolved"),
    # dominant leg R: D -> right, ND -> left
    ("D", "right"), ("ND", "left"), ("Non-dominant", "left"),
])
def test_hop_limb_labels(label: str, side: str) -> None:
    csv = f"Name,Test,Date,Side,Dominant leg,Trial 1\nAnn Lee,Single hop,2024-03-14,{label},R,150\n"
    tests = one("hops.csv", csv.encode()).tables["tests"]
    assert tests["side"].tolist() == [side]


def test_hop_dominant_label_without_dominant_leg_is_rejected() -> None:
    csv = "Name,Test,Date,Side,Trial 1,Trial 2\nAnn Lee,Single hop,2024-03-14,D,150,152\n"
    read = one("hops.csv", csv.encode())
    assert read.tables["tests"].empty
    assert {p.column for p in read.rejects} == {"Trial 1", "Trial 2"}
    assert all("dominant leg" in p.problem for p in read.rejects)


def test_hop_long_layout_with_one_value_per_limb() -> None:
    csv = "Name,Test,Date,Left (m),Right (m),LSI\nAnn Lee,Triple hop,2024-03-01,4.5,4.8,93.8\n"
    read = one("hops.csv", csv.encode())
    # `(m)` in the header: 4.5 m -> 450 cm, 4.8 m -> 480 cm; stale LSI not imported
    assert rows_of(read.tables["tests"], "test", "side", "trial", "value") == [
        ("triple_hop", "left", 1, 450.0), ("triple_hop", "right", 1, 480.0)]
    assert any("'LSI'" in a for a in read.assumptions)


def test_hop_wide_layout_dominant_labels() -> None:
    rows = [["Single hop (cm)"], ["Name", "Dominant leg", "01/03/2024", None], [None, None, "D", "ND"],
            ["Ann Lee", "L", 180, 170], ["Bob Roy", None, 160, 150]]
    read = one("dominance.xlsx", xlsx({"Hops": rows}, {"Hops": ["C2:D2"]}))
    # Ann's dominant leg is left: D -> left, ND -> right; Bob has none: both cells rejected
    assert rows_of(read.tables["tests"], "athlete_name", "side", "value") == [
        ("Ann Lee", "left", 180.0), ("Ann Lee", "right", 170.0)]
    assert {(p.row, p.column) for p in read.rejects} == {(5, "2024-03-01 D"), (5, "2024-03-01 ND")}


def test_hop_timed_hop_in_milliseconds() -> None:
    csv = "Name,Test,Date,Side,Trial 1,Trial 2\nAnn Lee,6m timed hop,2024-03-14,L,2310,2250\n"
    tests = one("hops.csv", csv.encode()).tables["tests"]
    # median 2280 > 100, so ms: 2310 ms / 1000 = 2.31 s
    assert rows_of(tests, "test", "metric", "value", "unit") == [("timed_hop_6m", "time", 2.25, "s"),
                                                                   ("timed_hop_6m", "time", 2.31, "s")]


@pytest.mark.parametrize(("text", "test"), [
    ("Single hop", "single_hop"), ("Single leg hop for distance (cm)", "single_hop"), ("SH", "single_hop"),
    ("Triple hop (m)", "triple_hop"), ("Single leg triple hop", "triple_hop"), ("Crossover hop", "crossover_hop"),
    ("Cross-over hop", "crossover_hop"), ("6 m timed hop (s)", "timed_hop_6m"), ("6m timed hop", "timed_hop_6m"),
    ("Timed hop", "timed_hop_6m"), ("Nordic", None), ("Sheet1", None),
])
def test_hop_test_names(text: str, test: str | None) -> None:
    assert hoptests.hop_test(text) == test


# ---------------------------------------------------------------------- involved end to end

def test_involved_uninvolved_mapped_to_left_right_with_the_roster(tmp_path: Path) -> None:
    roster_bytes = xlsx({"Roster": [
        ["Name", "Athlete ID", "Position", "Squad", "Injury date", "Injured side", "Region", "Diagnosis", "Cleared"],
        ["Ann Lee", "A1", "Winger", "First", dt.date(2024, 1, 15), "Left", "Hamstring strain", "G2", None],
    ]})
    hops = xlsx({"Hops": [
        ["Name", "Test", "Date", "Side", "Trial 1", "Trial 2"],
        ["ann  lee", "Single hop", dt.date(2024, 3, 4), "Involved", 150, 152],
        ["ann  lee", "Single hop", dt.date(2024, 3, 4), "Uninvolved", 170, 171],
    ]})
    engine = store.connect(tmp_path / "db.sqlite")
    # the hop file comes first in the batch: the roster is still stored first
    reports = import_files(engine, [("hops.xlsx", hops), ("roster.xlsx", roster_bytes)])
    assert [r.status for r in reports] == ["imported", "imported"]
    tests = store.read_table(engine, "tests")
    # injured side left: involved -> left, uninvolved -> right
    assert rows_of(tests, "athlete_id", "side", "trial", "value") == sorted([
        ("A1", "left", 1, 150.0), ("A1", "left", 2, 152.0), ("A1", "right", 1, 170.0), ("A1", "right", 2, 171.0),
    ], key=str)
    injuries = store.read_table(engine, "injuries")
    assert rows_of(injuries, "athlete_id", "side", "region") == [("A1", "left", "hamstring")]


def test_involved_mapped_from_the_sheets_injured_side_column(tmp_path: Path) -> None:
    engine = store.connect(tmp_path / "db.sqlite")
    import_files(engine, [hop_wide()])
    cross = store.read_table(engine, "tests").query("test == 'crossover_hop'")
    # injured side R: involved 152.4 -> right, uninvolved 167.64 -> left
    assert rows_of(cross, "side", "value") == [("left", 167.64), ("right", 152.4)]


# ------------------------------------------------------------------------------------ wellness

def test_wellness_google_forms_export() -> None:
    read = one(*wellness_forms())
    well = read.tables["wellness"]
    assert rows_of(well, "athlete_name", "item", "value") == sorted([
        ("Ann Lee", "sleep", 4.0), ("Ann Lee", "soreness", 1.0), ("Ann Lee", "pain", 2.0),
        ("Ann Lee", "stress", 5.0),  # Very Low stress: 5 = very relaxed
        ("Ann Lee", "rpe", 7.0),  # `7 - Very Hard`: the number counts
        ("Bob Roy", "sleep", 2.0), ("Bob Roy", "soreness", 5.0),  # Painful to Move = 5, higher is worse
        ("Bob Roy", "stress", 1.0), ("Bob Roy", "rpe", 5.0),
    ], key=str)
    assert set(well["date"]) == {pd.Timestamp("2024-03-14")}  # timestamp date, time dropped
    assert set(well.loc[well["item"] == "soreness", "scale"]) == {"1-5, higher is worse"}
    assert (3, "Pain (0-10)", "DNF") in rejects(read)
    assert (5, "What is your name?", "") in rejects(read)
    assert read.skipped_rows == {4: "no wellness answers in this row"}
    assert read.unknown_columns == ["How many hours did you sleep?"]


def test_wellness_per_item_utf16_file() -> None:
    read = one(*wellness_per_item_utf16())
    well = read.tables["wellness"]
    # pain on 1-5 from the file name -> 0-10: 10 x (v - 1) / 4
    assert rows_of(well, "athlete_name", "date", "item", "value") == sorted([
        ("Ann Lee", dt.date(2024, 3, 14), "pain", 0.0), ("Bob Roy", dt.date(2024, 3, 14), "pain", 5.0),
        ("Ann Lee", dt.date(2024, 3, 17), "pain", 10.0), ("Bob Roy", dt.date(2024, 3, 17), "pain", 2.5),
    ], key=str)
    assert set(well["scale"]) == {"0-10, 0 = no pain, higher is worse"}
    assert rejects(read) == {(3, "Bob Roy", "X")}
    assert read.skipped_rows == {4: "no values on this date"}
    assert any("converted to 0-10" in a for a in read.assumptions)


def test_wellness_per_item_sheet_named_by_sheet() -> None:
    well = reads(*wellness_per_item_sheet())["Soreness"].tables["wellness"]
    # soreness stays as exported; max 8 -> a 1-10 scale
    assert rows_of(well, "athlete_name", "item", "value", "scale") == sorted([
        ("Ann Lee", "soreness", 3.0, "1-10, higher is worse"), ("Bob Roy", "soreness", 8.0, "1-10, higher is worse"),
        ("Ann Lee", "soreness", 2.0, "1-10, higher is worse"),
    ], key=str)


def test_wellness_long_cp1252() -> None:
    read = one(*wellness_long_cp1252())
    well = read.tables["wellness"]
    assert rows_of(well, "athlete_name", "item", "value") == sorted([
        ("Zoë Ång", "fatigue", 1.6667),  # Hooper 1-7, higher worse: 1 + 4 x (7 - 6) / 6 = 1.667
        ("Zoë Ång", "sleep", 4.0),  # `Good` = 4 of 5
        ("Bob Roy", "pain", 4.55),  # VAS 45,5 of 100 -> 4.55 of 10
    ], key=str)
    assert rejects(read) == {(5, "Item", "Weather")}


@pytest.mark.parametrize(("item", "header", "raw", "expected"), [
    ("pain", "Pain (0-10)", 3, 3.0),
    ("pain", "Pain (1-5)", 3, 5.0),  # 10 x (3 - 1) / 4
    ("pain", "Pain VAS", 45, 4.5),  # 45 > 10: inferred 0-100, 45 / 10
    ("pain", "Pain", "No pain", 0.0),
    ("stiffness", "Morning stiffness (0-10)", 4, 4.0),
    ("sleep", "How well did you sleep? (1-5)", 4, 4.0),
    ("sleep", "Sleep quality (1 = very good, 5 = very poor)", 2, 4.0),  # reversed: 1 + 4 x (5 - 2) / 4
    ("sleep", "Sleep", "Very poor", 1.0),
    ("fatigue", "Fatigue (Hooper 1-7)", 7, 1.0),  # worst on Hooper = 1 on McLean
    ("fatigue", "Energy levels", "Very High", 5.0),  # more energy is better
    ("fatigue", "Fatigue", "Very High", 1.0),  # more fatigue is worse
    ("stress", "Stress", "Very Low", 5.0),
    ("mood", "Mood", "Very High", 5.0),
    ("soreness", "Muscle soreness", "No Soreness", 1.0),
    ("soreness", "Muscle soreness", "Painful to Move", 5.0),
    ("soreness", "Soreness (1 = very sore, 5 = no soreness)", 2, 4.0),  # reversed: 1 + 5 - 2
    ("rpe", "RPE", "7 - Very Hard", 7.0),
    ("rpe", "Session RPE", "Hard", 5.0),  # Foster CR-10: Hard = 5
    ("swelling", "Any swelling?", "Yes", 1.0),
    ("swelling", "Swelling", 0, 0.0),
])
def test_wellness_scales(item: str, header: str, raw: object, expected: float) -> None:
    found = wellness.wellness_item(header)
    assert found is not None and found[0] == item
    conv = wellness.convert(item, found[1], header, header, pd.Series([raw], dtype=object))
    assert conv.problems.iloc[0] == ""
    assert conv.values.iloc[0] == pytest.approx(expected)


@pytest.mark.parametrize(("header", "item"), [
    ("How well did you sleep? (1-5)", "sleep"), ("How many hours did you sleep?", None), ("Session RPE", "rpe"),
    ("Training load (AU)", None), ("sRPE", "rpe"), ("Where is the pain?", None), ("Pain during running", "pain"),
    ("Muscle soreness", "soreness"), ("How stressed do you feel?", "stress"), ("Timestamp", None),
])
def test_wellness_questions_map_by_keywords(header: str, item: str | None) -> None:
    found = wellness.wellness_item(header)
    assert (found[0] if found else None) == item


def test_wellness_out_of_range_and_borg_rejected() -> None:
    conv = wellness.convert("pain", -1, "Pain (0-10)", "Pain (0-10)", pd.Series([11, 4], dtype=object))
    assert conv.problems.tolist()[0].startswith("outside the 0-10 scale") and conv.values.iloc[1] == 4
    borg = wellness.convert("rpe", -1, "RPE (6-20)", "RPE (6-20)", pd.Series([13], dtype=object))
    assert "Borg" in borg.problems.iloc[0]


# -------------------------------------------------------------------------------------- roster

def test_roster_athletes_and_injuries() -> None:
    read = reads(*roster_sheet())["Squad"]
    athletes = read.tables["athletes"]
    assert rows_of(athletes, "athlete_name", "athlete_ref", "position", "squad", "source_row") == sorted([
        ("Ann Lee", "101", "Winger", "First team", 4), ("Bob Roy", None, "CB", "U23", 6),
        ("Cat Ng", None, "GK", "First team", 7), ("Dan Wu", None, "ST", "First team", 8),
        ("Eve Li", None, "ST", "First team", 9),
    ], key=str)
    injuries = read.tables["injuries"]
    assert rows_of(injuries, "athlete_name", "injury_date", "side", "region", "cleared_date", "source_row") == sorted([
        ("Ann Lee", dt.date(2024, 1, 15), "left", "hamstring", dt.date(2024, 3, 1), 4),
        ("Ann Lee", dt.date(2023, 9, 3), "right", "calf", None, 5),  # region from the diagnosis
        ("Bob Roy", dt.date(2024, 2, 10), "left", "adductor", None, 6),  # Both -> one record per side
        ("Bob Roy", dt.date(2024, 2, 10), "right", "adductor", None, 6),
        ("Eve Li", dt.date(2024, 2, 12), "right", "other", None, 9),  # Thigh is none of ours
    ], key=lambda r: str(r).replace("NaT", "None"))
    bad = rejects(read)
    assert (8, "Injured side", "") in bad  # Dan Wu's injury has no side
    assert (5, "RTP date", "20/08/2023") in bad  # cleared before the injury
    assert (9, "RTP date", "bad") in bad
    assert read.skipped_rows == {10: "'Cat Ng' is already listed above and this row has no injury"}
    assert any("'Thigh'" in a and "other" in a for a in read.assumptions)
    assert read.unknown_columns == ["Shoe size"]


@pytest.mark.parametrize(("text", "region"), [
    ("Hamstring strain", "hamstring"), ("Grade 2 BF", "hamstring"), ("quad", "quadriceps"),
    ("Rectus femoris", "quadriceps"), ("Groin/adductor", "adductor"), ("Groin", "groin"),
    ("Adductor longus", "adductor"),
    ("Achilles tendinopathy", "achilles"), ("Calf (soleus)", "calf"), ("Ankle sprain", "ankle"),
    ("ACL reconstruction", "knee"), ("Hip flexor strain", "hip_flexor"), ("Plantar fasciitis", "foot"),
    ("Thigh", None), ("", None),
])
def test_roster_regions(text: str, region: str | None) -> None:
    assert roster.region_of(text) == region


# ------------------------------------------------------------------------------------ template

def test_template_workbook_layout() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    assert wb.sheetnames == ["README", *TEMPLATE_TABLES]
    assert wb["README"]["A1"].value == TITLE
    readme = [c for row in wb["README"].iter_rows(values_only=True) for c in row if c]
    for table in TEMPLATE_TABLES:
        header = [c.value for c in wb[table][1]]
        assert header == template_columns(table)
        assert "source_file" not in header and "source_row" not in header
        assert all(col in readme for col in header)
    assert template_columns("tests")[:3] == ["athlete_id", "name", "date"]
    assert "single_hop, triple_hop" in " ".join(str(c) for c in readme)  # allowed values listed


def test_template_round_trip() -> None:
    found = reads(*template_file())
    assert found["README"].tables == {} and found["README"].data_rows == []
    for table in TEMPLATE_TABLES:
        got = found[table].tables[table]
        assert found[table].rejects == []
        assert len(got) == len(EXAMPLES[table])
        for example, rec in zip(EXAMPLES[table], got.to_dict("records")):
            assert rec["athlete_name"] == example["name"]
            assert (rec["athlete_ref"] if pd.notna(rec["athlete_ref"]) else "") == example["athlete_id"]
            for col in template_columns(table):
                if col in ("athlete_id", "name"):
                    continue
                want = example.get(col)
                if isinstance(want, dt.date):
                    assert rec[col] == pd.Timestamp(want), col
                elif isinstance(want, (int, float)):
                    assert rec[col] == pytest.approx(want), col
                else:
                    assert rec[col] == want, col


def test_template_rows_checked_against_the_schema() -> None:
    csv = ("athlete_id,name,date,test,metric,side,trial,value,unit,device\n"
           ",Ana Silva,2024-03-04,single_hop,distance,left,,1.725,m,tape\n"
           ",Ana Silva,2024-03-04,long_jump,distance,left,1,180,cm,tape\n"
           ",Ana Silva,2024-03-04,single_hop,distance,sideways,1,180,cm,tape\n"
           ",,2024-03-04,single_hop,distance,left,1,180,cm,tape\n"
           ",Ana Silva,2024-03-04,single_hop,distance,left,2,180,kg,tape\n")
    read = one("my_tests.csv", csv.encode())
    assert read.format.startswith("Template")
    tests = read.tables["tests"]
    # 1.725 m x 100 = 172.5 cm; empty trial = 1
    assert rows_of(tests, "athlete_name", "test", "trial", "value", "unit") == [
        ("Ana Silva", "single_hop", 1, 172.5, "cm")]
    assert {(p.row, p.column) for p in read.rejects} == {(3, "test"), (4, "side"), (5, "athlete_id"), (6, "unit")}
    pain = one("w.csv", b"athlete_id,date,item,value\nA1,2024-03-05,pain,12\nA1,2024-03-05,sleep,4\n")
    assert pain.tables["wellness"]["item"].tolist() == ["sleep"]
    assert pain.tables["wellness"]["scale"].tolist() == ["1-5 McLean, 5 = best (very restful)"]
    assert [(p.row, p.problem) for p in pain.rejects] == [(2, "pain must be 0-10 (0 = none)")]


def test_template_reads_our_own_exports_back(tmp_path: Path) -> None:
    first = store.connect(tmp_path / "first.sqlite")
    import_files(first, [roster_sheet(), hop_long()])
    exported = {t: store.read_table(first, t).to_csv(index=False).encode() for t in ("athletes", "injuries", "tests")}
    for table, data in exported.items():
        read = one(f"{table}.csv", data)
        assert read.format.startswith("Template") and read.rejects == []
    second = store.connect(tmp_path / "second.sqlite")
    reports = import_files(second, [(f"{t}.csv", d) for t, d in exported.items()])
    assert all(r.status == "imported" for r in reports)
    key = ["athlete_id", "date", "test", "metric", "side", "trial", "value", "unit", "device"]
    assert rows_of(store.read_table(second, "tests"), *key) == rows_of(store.read_table(first, "tests"), *key)
    inj = ["athlete_id", "injury_date", "side", "region", "diagnosis", "cleared_date"]
    assert rows_of(store.read_table(second, "injuries"), *inj) == rows_of(store.read_table(first, "injuries"), *inj)
    names = store.read_table(second, "athletes").set_index("athlete_id")["name"].to_dict()
    assert names["101"] == "Ann Lee"  # the athletes export carries names


def test_template_docs_are_in_sync() -> None:
    assert template_markdown() in (ROOT / "docs" / "template.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------- robustness

@pytest.mark.parametrize(("name", "data"), [
    ("hops.csv", b"Name,Test,Date,Side,Trial 1,Trial 2\n"),
    ("hops.csv", b"Name,Test,Date,Side,Trial 1\n,,,,\nAnn,Single hop,not a date,L,1\nBob,Single hop,2024-01-01,??,1\n"),
    ("form.csv", b"Timestamp,Name,Pain (0-10)\n"),
    ("form.csv", b"Timestamp,Name,Pain (0-10)\n2024-01-01,Ann,\xe2\x80\x94\n,,\nx,Bob,3\n"),
    ("roster.csv", b"Name,Position,Squad,Injury date,Injured side,Region\n"),
    ("roster.csv", b"Name,Position,Injury date,Injured side\nAnn,W,31/02/2024,L\n,,,\n"),
    ("pain.csv", b"Date,Ann Lee\n"),
    ("tests.csv", b"athlete_id,date,test,metric,side,value\n"),
    ("tests.csv", b"athlete_id,date,test,metric,side,value\nA1,yesterday,cmj,jump_height,both,abc\n"),
])
def test_odd_sheets_never_crash(name: str, data: bytes) -> None:
    fr = read_file(data, name)
    for _sheet, read in fr.reads:
        accepted = {int(r) for df in read.tables.values() if len(df) for r in df["source_row"]}
        rejected = {p.row for p in read.rejects if p.row is not None}
        assert set(read.data_rows) == accepted | rejected | set(read.skipped_rows)
