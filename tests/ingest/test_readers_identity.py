"""Athlete columns under the names real platforms give them: Smartabase `About`, STATSports
`Player Display Name`, split `First Name`/`Last Name`, `Name (Last, First)`. Every reader asks
`lib.ingest.readers.base.athlete_columns` (a scored vocabulary), never one exact header."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from lib.ingest.importer import read_file
from lib.ingest.readers.base import SheetRead, athlete_columns
from tests.ingest.test_properties import assert_nothing_lost


def csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def read_one(data: bytes, name: str) -> SheetRead:
    fr = read_file(data, name)
    assert fr.report.status != "failed", fr.report.message
    [(_sheet, read)] = fr.reads
    return read


def names_by_row(read: SheetRead, table: str) -> dict[int, str]:
    df = read.tables[table]
    return dict(zip(df["source_row"].astype(int), df["athlete_name"].astype(str)))


# --------------------------------------------------------------------------- the vocabulary

@pytest.mark.parametrize(("headers", "name", "last", "last_first"), [
    (["About", "Date", "Test Type"], "About", None, False),  # Smartabase event export
    (["Session Date", "Player Display Name", "Total Distance"], "Player Display Name", None, False),  # STATSports
    (["First Name", "Last Name", "Date"], "First Name", "Last Name", False),
    (["Player Name", "Player Last Name", "Drill Title"], "Player Name", "Player Last Name", False),  # STATSports drills
    (["Name (Last, First)", "Date"], "Name (Last, First)", None, True),
    (["Athlete", "Name", "Date"], "Athlete", None, False),  # "Athlete" outranks the looser "Name"
    (["Full Name", "Team Name", "Date"], "Full Name", None, False),  # "Team Name" names a team, not the athlete
])
def test_athlete_columns_by_vocabulary(headers: list[str], name: str, last: str | None, last_first: bool) -> None:
    from lib.ingest.normalize import split_header
    found = athlete_columns([split_header(h)[0] for h in headers], headers)
    assert found is not None
    assert headers[found.name] == name
    assert (headers[found.last] if found.last is not None else None) == last
    assert found.last_first is last_first


@pytest.mark.parametrize("headers", [["Date", "Team Name", "Test Type"], ["First Name", "Date", "Test Type"]])
def test_no_athlete_column(headers: list[str]) -> None:
    from lib.ingest.normalize import split_header
    assert athlete_columns([split_header(h)[0] for h in headers], headers) is None


# ------------------------------------------------------------------- Smartabase force plate

# Shape of a Smartabase (Teamworks AMS) event export of the VALD ForceDecks integration: the athlete
# in `About`, the event's `Date`, `Start Time`, `Finish Time`, then one column per form field (the
# field names are VALD's metric names), and the `Entered By` bookkeeping column. Day-first dates.
SMARTABASE_FORCEPLATE = [
    ["About", "Date", "Start Time", "Finish Time", "Test Type", "Jump Height (Imp-Mom) [cm]",
     "RSI-modified [m/s]", "Concentric Peak Force [N]", "Entered By"],
    ["Mia Kovac", "19/03/2026", "9:05 AM", "9:20 AM", "CMJ", "34.2", "0.52", "2150", "S. Coach"],
    ["Sam Okafor", "19/03/2026", "9:10 AM", "9:25 AM", "CMJ", "29.8", "0.44", "1980", "S. Coach"],
    ["", "19/03/2026", "9:12 AM", "9:27 AM", "CMJ", "31.0", "0.47", "2010", "S. Coach"],
]


def test_smartabase_about_column_names_the_athletes() -> None:
    read = read_one(csv_bytes(SMARTABASE_FORCEPLATE), "smartabase_forcedecks.csv")
    assert read.format == "VALD ForceDecks"
    tests = read.tables["tests"]
    assert names_by_row(read, "tests") == {2: "Mia Kovac", 3: "Sam Okafor"}
    mia = tests[(tests["athlete_name"] == "Mia Kovac") & (tests["metric"] == "jump_height")]
    assert mia["value"].tolist() == [34.2] and mia["date"].astype(str).tolist() == ["2026-03-19"]
    assert mia["time"].tolist() == ["09:05"]  # `Start Time` orders the trials
    assert [(p.row, p.column, p.problem) for p in read.rejects] == [(4, "About", "no athlete name")]
    assert "Entered By" not in read.unknown_columns and "Finish Time" not in read.unknown_columns
    assert_nothing_lost(read)


# ---------------------------------------------------------------------------------- STATSports

# STATSports Apex match export with the display-name column instead of `Player Name`.
STATSPORTS_DISPLAY = [
    ["Session Date", "Session Title", "Player Display Name", "Total Time", "Total Distance", "Max Speed",
     "Sprints", "High Speed Running (Absolute)"],
    ["18/02/2026", "MD", "M. Kovac", "1:34:10", "10250", "8.9", "14", "780"],
    ["18/02/2026", "MD", "S.  Okafor ", "1:30:00", "9800", "8.4", "9", "610"],
]


def test_statsports_display_name_column_names_the_athletes() -> None:
    read = read_one(csv_bytes(STATSPORTS_DISPLAY), "statsports_md.csv")
    assert read.format == "STATSports Apex"
    assert names_by_row(read, "sessions") == {2: "M. Kovac", 3: "S. Okafor"}
    sessions = read.tables["sessions"].set_index("athlete_name")
    assert sessions.loc["M. Kovac", "total_distance_m"] == 10250.0
    assert read.rejects == []
    assert_nothing_lost(read)


# ------------------------------------------------------------------- split first / last names

# A force-plate CSV exported with the name split in two (VALD ForceDecks metric headers).
SPLIT_NAMES = [
    ["First Name", "Last Name", "Test Type", "Date", "Time", "Jump Height (Imp-Mom) [cm]"],
    ["Mia", "Kovac", "CMJ", "03/12/2026", "9:05 AM", "34.2"],
    ["Sam", "Okafor", "CMJ", "03/12/2026", "9:10 AM", "29.8"],
    ["", "Okafor", "CMJ", "03/12/2026", "9:14 AM", "30.1"],  # last name only: still a name
    ["", "", "CMJ", "03/12/2026", "9:20 AM", "30.0"],
]


def test_first_and_last_name_columns_are_joined() -> None:
    read = read_one(csv_bytes(SPLIT_NAMES), "forceplate_split_names.csv")
    assert read.format == "VALD ForceDecks"
    assert names_by_row(read, "tests") == {2: "Mia Kovac", 3: "Sam Okafor", 4: "Okafor"}
    assert "athlete names: 'First Name' and 'Last Name' joined into one name" in read.assumptions
    assert [(p.row, p.problem) for p in read.rejects] == [(5, "no athlete name")]
    assert read.unknown_columns == []
    assert_nothing_lost(read)


# ------------------------------------------------------------------------------ Last, First

LAST_FIRST = [
    ["Name (Last, First)", "Test Type", "Date", "Time", "Jump Height (Imp-Mom) [cm]"],
    ["Kovac, Mia", "CMJ", "03/12/2026", "9:05 AM", "34.2"],
    ["Okafor,Sam", "CMJ", "03/12/2026", "9:10 AM", "29.8"],
    ["Sam Okafor", "CMJ", "03/12/2026", "9:14 AM", "30.1"],  # no comma: which is the first name?
    ["Smith, John, Jr", "CMJ", "03/12/2026", "9:20 AM", "30.0"],  # two commas: unclear too
    ["Pelé", "CMJ", "03/12/2026", "9:25 AM", "31.0"],  # one word: nothing to turn round
]


def test_last_first_header_turns_names_round_and_rejects_the_unclear_ones() -> None:
    read = read_one(csv_bytes(LAST_FIRST), "forceplate_last_first.csv")
    assert names_by_row(read, "tests") == {2: "Mia Kovac", 3: "Sam Okafor", 6: "Pelé"}
    unclear = "name not written 'Last, First' as the header says: which part is the first name is unclear"
    assert [(p.row, p.column, p.value, p.problem) for p in read.rejects] == [
        (4, "Name (Last, First)", "Sam Okafor", unclear),
        (5, "Name (Last, First)", "Smith, John, Jr", unclear),
    ]
    assert_nothing_lost(read)


def test_two_columns_that_could_each_name_the_athlete_are_said_so() -> None:
    rows = [["Full Name", "Display Name", "Test Type", "Date", "Time", "Jump Height (Imp-Mom) [cm]"],
            ["Mia Kovac", "Mia K", "CMJ", "03/12/2026", "9:05 AM", "34.2"]]
    read = read_one(csv_bytes(rows), "ams_forceplate.csv")
    assert names_by_row(read, "tests") == {2: "Mia Kovac"}
    assert ("athlete names read from 'Full Name' (the first of the columns that could name the athlete; "
            "not read: 'Display Name')") in read.assumptions
    assert_nothing_lost(read)


# ------------------------------------------- a force-plate sheet is not a wellness form

def workbook(sheet_name: str, rows: list[list[object]], tmp_path) -> bytes:
    """An .xlsx with one sheet, written by openpyxl."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name
    for row in rows:
        ws.append(row)
    path = tmp_path / "export.xlsx"
    wb.save(path)
    return path.read_bytes()


# A Smartabase event export of one form (`CMJ`): no `Test Type` column, the form is the sheet name;
# one of its fields is a stiffness metric, the word every wellness form also uses.
SMARTABASE_CMJ_FORM = [
    ["About", "Date", "Start Time", "Finish Time", "Jump Height (Imp-Mom) [cm]", "RSI-modified [m/s]",
     "Eccentric Stiffness [N/m]", "Peak Power / BM [W/kg]", "Entered By"],
    ["Mia Kovac", "19/03/2026", "9:05 AM", "9:20 AM", 34.2, 0.52, 8900, 55.1, "S. Coach"],
    ["Sam Okafor", "20/03/2026", "9:10 AM", "9:25 AM", 29.8, 0.44, 7600, 49.0, "S. Coach"],
]


def test_smartabase_forceplate_form_with_a_stiffness_metric_is_read_as_force_plate(tmp_path) -> None:
    read = read_one(workbook("CMJ", SMARTABASE_CMJ_FORM, tmp_path), "smartabase_export.xlsx")
    assert read.format == "VALD ForceDecks"
    assert "wellness" not in read.tables
    tests = read.tables["tests"]
    assert set(tests["test"]) == {"cmj"}
    got = {(n, m): v for n, m, v in zip(tests["athlete_name"], tests["metric"], tests["value"])}
    assert got == {("Mia Kovac", "jump_height"): 34.2, ("Mia Kovac", "rsi_modified"): 0.52,
                   ("Mia Kovac", "peak_power_bm"): 55.1, ("Sam Okafor", "jump_height"): 29.8,
                   ("Sam Okafor", "rsi_modified"): 0.44, ("Sam Okafor", "peak_power_bm"): 49.0}
    assert "no `Test Type` column: every row is a cmj test, as 'CMJ' says" in read.assumptions
    assert read.unknown_columns == ["Eccentric Stiffness [N/m]"]  # shown, not silently dropped
    assert read.rejects == []
    assert_nothing_lost(read)


def test_forceplate_sheet_that_names_no_test_is_not_taken_for_wellness() -> None:
    # the same form exported with no test in the sheet or file name: nothing may guess it, and the
    # wellness reader must not claim it for its one "stiffness" column
    rows = [r[:8] for r in SMARTABASE_CMJ_FORM]
    fr = read_file(csv_bytes([[str(c) for c in r] for r in rows]), "smartabase_export.csv")
    assert fr.report.status == "failed"
    assert "not a format we know" in fr.report.message


def test_wellness_form_with_a_stiffness_question_stays_wellness() -> None:
    rows = [["About", "Date", "Muscle Stiffness (0-10)", "Sleep Quality (1-5)", "Body Mass [kg]"],
            ["Mia Kovac", "19/03/2026", "3", "4", "61.5"]]
    read = read_one(csv_bytes(rows), "smartabase_wellness.csv")
    assert read.format == "Wellness / pain / RPE sheet"
    wellness = read.tables["wellness"]
    got = dict(zip(wellness["item"], wellness["value"]))
    assert got["stiffness"] == 3.0 and got["sleep"] == 4.0  # both on their documented 0-10 / 1-5 scales already
    assert set(wellness["athlete_name"]) == {"Mia Kovac"}


# ------------------------------------------------------- the other readers ask the same question

def test_nordbord_export_through_smartabase_names_athletes_by_about() -> None:
    # the NordBord header (VALD's own names) with the athlete in Smartabase's `About`
    rows = [["About", "ExternalId", "Date UTC", "Time UTC", "Device", "Test", "L Reps", "R Reps",
             "L Max Force (N)", "R Max Force (N)", "Max Imbalance (%)"],
            ["Mia Kovac", "", "03/12/2026", "9:05 AM", "NordBord", "Nordic", "3", "3", "301", "280", "7"],
            ["", "", "03/12/2026", "9:15 AM", "NordBord", "Nordic", "3", "3", "290", "288", "1"]]
    read = read_one(csv_bytes(rows), "nordbord_smartabase.csv")
    assert read.format == "VALD NordBord"
    tests = read.tables["tests"]
    force = tests[tests["metric"] == "max_force"].set_index("side")["value"].to_dict()
    assert set(tests["athlete_name"]) == {"Mia Kovac"} and force == {"left": 301.0, "right": 280.0}
    assert [(p.row, p.column, p.problem) for p in read.rejects] == [(3, "About", "no athlete name")]
    assert_nothing_lost(read)


def test_polar_export_with_an_athlete_column() -> None:
    rows = [["Athlete", "Session name", "Phase name", "Start time", "Total distance [m]", "Maximum speed [km/h]"],
            ["Mia Kovac", "Training", "Whole session", "19/03/2026 10:00", "6200", "30.6"]]
    read = read_one(csv_bytes(rows), "polar_team_pro.csv")
    assert read.format == "Polar Team Pro"
    sessions = read.tables["sessions"]
    assert sessions["athlete_name"].tolist() == ["Mia Kovac"]
    assert sessions["max_speed_ms"].tolist() == [pytest.approx(8.5)]  # 30.6 km/h / 3.6 = 8.5 m/s


# ---------------------------------------------------------- older VALD desktop exports, drop jump

# Shape of an export from the older VALD ForceDecks desktop software (before VALD Hub), as clubs
# still send them: a few lines of export details above the header, `Athlete` and `Test Date` (the
# time inside the date cell), asymmetry written as text `12.3 L`, and drop jumps with
# `RSI (Flight Time/Contact Time)` and `Contact Time [ms]`. No public sample file exists; the
# metric names are VALD's (see ../shared/formats.md).
VALD_DESKTOP = [
    ["ForceDecks Export"],
    ["Exported", "21/03/2026 16:40"],
    ["Group", "First Team"],
    [],
    ["Athlete", "Test Date", "Test Type", "Jump Height (Imp-Mom) [cm]", "Takeoff Peak Force (Asym) [%]",
     "RSI (Flight Time/Contact Time)", "Contact Time [ms]"],
    ["Mia Kovac", "19/03/2026 09:30", "CMJ", "33.0", "9.0 R", "", ""],
    ["Mia Kovac", "19/03/2026 09:05", "CMJ", "34.2", "12.3 L", "", ""],
    ["Mia Kovac", "19/03/2026 09:40", "DJ", "", "", "1.85", "212"],
    ["Sam Okafor", "19/03/2026 09:45", "DJ", "", "", "n/a", "240"],
]


def test_older_vald_desktop_export_is_read_below_its_preamble() -> None:
    read = read_one(csv_bytes(VALD_DESKTOP), "forcedecks_desktop.csv")
    assert read.format == "VALD ForceDecks"
    tests = read.tables["tests"]
    got = {(r.source_row, r.test, r.trial, r.metric, r.side): r.value for r in tests.itertuples()}
    assert got == {
        (6, "cmj", 2, "jump_height", "both"): 33.0,  # 09:30: the second CMJ of the day
        (6, "cmj", 2, "asymmetry", "right"): 9.0,
        (7, "cmj", 1, "jump_height", "both"): 34.2,  # 09:05: the first, though lower in the file
        (7, "cmj", 1, "asymmetry", "left"): 12.3,  # `12.3 L`: 12.3 % in favour of the left
        (8, "drop_jump", 1, "rsi", "both"): 1.85,  # RSI kept as a metric, not an unknown column
        (8, "drop_jump", 1, "contact_time", "both"): 0.212,  # 212 ms = 0.212 s
        (9, "drop_jump", 1, "contact_time", "both"): 0.240,
    }
    assert set(tests["date"].astype(str)) == {"2026-03-19"}
    assert [(p.row, p.column, p.value) for p in read.rejects] == [(9, "RSI (Flight Time/Contact Time)", "n/a")]
    assert read.unknown_columns == []
    assert_nothing_lost(read)


# ------------------------------------------------------------------- ranked detection

def test_detect_ranks_every_claim_best_first() -> None:
    # the older VALD desktop export: ForceDecks claims it; whatever else claims it ranks lower
    from lib.ingest.readers import detect, detect_format
    from lib.ingest.sources import open_file
    [sheet] = open_file(csv_bytes(VALD_DESKTOP), "forcedecks_desktop.csv").sheets
    ranked = detect(sheet)
    assert ranked[0].name == "vald_forcedecks" and ranked[0].detection.header_row == 4  # below the 4 preamble rows
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    reader, detection = detect_format(sheet)
    assert reader is ranked[0].reader and detection == ranked[0].detection  # detect_format asks again


def test_detect_is_empty_for_a_sheet_nobody_knows() -> None:
    from lib.ingest.readers import detect
    from lib.ingest.sources import open_file
    [sheet] = open_file(csv_bytes([["Colour", "Shape"], ["red", "round"]]), "odd.csv").sheets
    assert detect(sheet) == []
