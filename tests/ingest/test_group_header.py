"""Two-row group headers on sheets other than hop sheets: a group row (`CMJ`, `Left`, `SL CMJ Right`)
over a row of metric names, the groups in merged cells.

The shapes are coach-made: no public export with a group row over metric columns was found (VALD Hub,
Hawkin, NordBord and Smartabase exports in formats.md all write one header row), so these are the
hand-kept summaries formats.md describes (rule 7: "merged header cells over L/R pairs (hand sheets)"),
written as Excel writes them (openpyxl, merged cells) and as Excel's CSV of the same sheet writes them.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from lib.ingest.importer import read_file
from lib.ingest.readers.base import SheetRead
from lib.ingest.readers.group_header import group_header
from tests.ingest.test_properties import assert_nothing_lost
from tests.ingest.test_readers_hops import workbook

NOT_A_NUMBER = "not a number: value rejected, rest of the row kept"

# Single-leg CMJ sheet: `Athlete`/`Date` merged down over both rows, test and side in one group merged
# over two metrics each (C1:D1, E1:F1), a notes column merged down.
SINGLE_LEG = [
    ["Athlete", "Date", "SL CMJ Left", None, "SL CMJ Right", None, "Notes"],
    [None, None, "Jump Height (cm)", "Peak Power / BM (W/kg)", "Jump Height (cm)", "Peak Power / BM (W/kg)", None],
    ["Mia Kovac", "19/03/2026", 14.2, 31.5, 16.0, 34.1, "after rehab session"],
    ["Sam Okafor", "19/03/2026", 12.8, "DNF", 13.1, 30.2, None],
]
SINGLE_LEG_MERGES = ["A1:A2", "B1:B2", "C1:D1", "E1:F1", "G1:G2"]

# A strength battery: identity headers in the metric row, a test over each block (`CMJ` merged over
# D1:E1; `Squat Jump` and `IMTP` over one column each), a body weight column under no test.
BATTERY = [
    [None, None, None, "CMJ", None, "Squat Jump", "IMTP"],
    ["Name", "Date", "Body Weight (kg)", "Jump Height (cm)", "RSI-modified (m/s)", "Jump Height (cm)",
     "Peak Vertical Force (N)"],
    ["Mia Kovac", "2026-03-19", 61.5, 31.4, 0.45, 28.9, 2450],
    ["Sam Okafor", "2026-03-19", 78.0, 35.0, 0.52, None, 2810],
    [None, "2026-03-19", 70.0, 30.0, 0.40, 27.0, 2300],
]
BATTERY_MERGES = ["D1:E1"]

# A NordBord summary a coach keeps: `Left`/`Right` merged over Max/Avg force, the imbalance merged down.
NORDIC = [
    ["Name", "Date", "Left", None, "Right", None, "Max Imbalance (%)"],
    [None, None, "Max Force (N)", "Avg Force (N)", "Max Force (N)", "Avg Force (N)", None],
    ["Mia Kovac", "19/03/2026", 301, 280, 322, 301, 6.5],
    ["Sam Okafor", "20/03/2026", 355, 330, 340, 318, 4.2],
]
NORDIC_MERGES = ["A1:A2", "B1:B2", "C1:D1", "E1:F1", "G1:G2"]


def single_leg(tmp_path) -> tuple[str, bytes]:
    return "sl_cmj.xlsx", workbook(tmp_path, SINGLE_LEG, SINGLE_LEG_MERGES, title="Jumps")


def battery(tmp_path) -> tuple[str, bytes]:
    return "battery.xlsx", workbook(tmp_path, BATTERY, BATTERY_MERGES, title="Testing")


def nordic(tmp_path) -> tuple[str, bytes]:
    return "nordics.xlsx", workbook(tmp_path, NORDIC, NORDIC_MERGES, title="Nordics")


def csv_of(rows: list[list[object]]) -> bytes:
    """The sheet as Excel saves it as CSV: a merged cell's value in its first cell, empties after."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([["" if v is None else v for v in r] for r in rows])
    return buf.getvalue().encode("utf-8")


def read_one(name: str, data: bytes) -> SheetRead:
    fr = read_file(data, name)
    assert fr.report.status != "failed", fr.report.message
    [(_sheet, read)] = fr.reads
    return read


def canonical(read: SheetRead) -> set[tuple]:
    """(row, athlete, date, test, metric, side, value, unit) of every `tests` row."""
    t = read.tables["tests"]
    return {(int(r.source_row), r.athlete_name, str(pd.Timestamp(r.date).date()), r.test, r.metric, r.side,
             round(float(r.value), 3), r.unit) for r in t.itertuples()}


def problems(read: SheetRead) -> list[tuple]:
    return [(p.row, p.column, p.value, p.problem) for p in read.rejects]


# Hand-worked from SINGLE_LEG: the group names the test (SL CMJ) and the side of the two columns under
# it; Sam's `DNF` power is a rejected cell, his other three values kept.
SINGLE_LEG_ROWS = {
    (3, "Mia Kovac", "2026-03-19", "sl_cmj", "jump_height", "left", 14.2, "cm"),
    (3, "Mia Kovac", "2026-03-19", "sl_cmj", "peak_power_bm", "left", 31.5, "W/kg"),
    (3, "Mia Kovac", "2026-03-19", "sl_cmj", "jump_height", "right", 16.0, "cm"),
    (3, "Mia Kovac", "2026-03-19", "sl_cmj", "peak_power_bm", "right", 34.1, "W/kg"),
    (4, "Sam Okafor", "2026-03-19", "sl_cmj", "jump_height", "left", 12.8, "cm"),
    (4, "Sam Okafor", "2026-03-19", "sl_cmj", "jump_height", "right", 13.1, "cm"),
    (4, "Sam Okafor", "2026-03-19", "sl_cmj", "peak_power_bm", "right", 30.2, "W/kg"),
}


@pytest.mark.parametrize("as_csv", [False, True], ids=["xlsx", "csv"])
def test_single_leg_groups_name_test_and_side(tmp_path, as_csv: bool) -> None:
    name, data = ("sl_cmj.csv", csv_of(SINGLE_LEG)) if as_csv else single_leg(tmp_path)
    read = read_one(name, data)
    assert read.format == "VALD ForceDecks"
    assert canonical(read) == SINGLE_LEG_ROWS
    assert set(read.tables["tests"]["trial"].astype(int)) == {1}  # one jump a leg a day
    # the group row is header: never a data row, never "no athlete name"
    assert problems(read) == [(4, "SL CMJ Left Peak Power / BM (W/kg)", "DNF", NOT_A_NUMBER)]
    assert read.data_rows == [3, 4]
    assert read.unknown_columns == ["Notes"]
    assert read.assumptions[0] == ("rows 1 and 2 are one header: the group row ('SL CMJ Left', 'SL CMJ Right') is "
                                   "joined to the metric names under it (e.g. 'SL CMJ Left Jump Height (cm)')")
    assert_nothing_lost(read)


# Hand-worked from BATTERY: each block's test from its group; Sam's blank squat jump gives no row (blank
# is not a value); the nameless row 5 is rejected whole; body weight is under no test and the sheet has
# no Test Type, so it is listed as not read rather than given to a guessed test.
BATTERY_ROWS = {
    (3, "Mia Kovac", "2026-03-19", "cmj", "jump_height", "both", 31.4, "cm"),
    (3, "Mia Kovac", "2026-03-19", "cmj", "rsi_modified", "both", 0.45, "m/s"),
    (3, "Mia Kovac", "2026-03-19", "sj", "jump_height", "both", 28.9, "cm"),
    (3, "Mia Kovac", "2026-03-19", "imtp", "max_force", "both", 2450.0, "N"),
    (4, "Sam Okafor", "2026-03-19", "cmj", "jump_height", "both", 35.0, "cm"),
    (4, "Sam Okafor", "2026-03-19", "cmj", "rsi_modified", "both", 0.52, "m/s"),
    (4, "Sam Okafor", "2026-03-19", "imtp", "max_force", "both", 2810.0, "N"),
}


def test_battery_groups_name_the_test_of_each_block(tmp_path) -> None:
    read = read_one(*battery(tmp_path))
    assert read.format == "VALD ForceDecks"
    assert canonical(read) == BATTERY_ROWS
    assert problems(read) == [(5, "Name", "", "no athlete name")]
    assert read.data_rows == [3, 4, 5]
    assert read.unknown_columns == ["Body Weight (kg)"]
    assert "no `Test Type` column: each metric's test is the one its header names" in read.assumptions
    assert_nothing_lost(read)


# Hand-worked from NORDIC: `Left`/`Right` give each force its side; the bare imbalance takes the side of
# the larger max force (Mia 322 R > 301 L: right; Sam 355 L > 340 R: left).
NORDIC_ROWS = {
    (3, "Mia Kovac", "2026-03-19", "nordic", "max_force", "left", 301.0, "N"),
    (3, "Mia Kovac", "2026-03-19", "nordic", "avg_force", "left", 280.0, "N"),
    (3, "Mia Kovac", "2026-03-19", "nordic", "max_force", "right", 322.0, "N"),
    (3, "Mia Kovac", "2026-03-19", "nordic", "avg_force", "right", 301.0, "N"),
    (3, "Mia Kovac", "2026-03-19", "nordic", "asymmetry", "right", 6.5, "%"),
    (4, "Sam Okafor", "2026-03-20", "nordic", "max_force", "left", 355.0, "N"),
    (4, "Sam Okafor", "2026-03-20", "nordic", "avg_force", "left", 330.0, "N"),
    (4, "Sam Okafor", "2026-03-20", "nordic", "max_force", "right", 340.0, "N"),
    (4, "Sam Okafor", "2026-03-20", "nordic", "avg_force", "right", 318.0, "N"),
    (4, "Sam Okafor", "2026-03-20", "nordic", "asymmetry", "left", 4.2, "%"),
}


def test_left_right_groups_over_nordbord_metrics(tmp_path) -> None:
    read = read_one(*nordic(tmp_path))
    assert read.format == "VALD NordBord"
    assert canonical(read) == NORDIC_ROWS
    assert problems(read) == []
    assert read.data_rows == [3, 4]
    assert read.unknown_columns == []
    assert_nothing_lost(read)


# The other way up: each metric merged over its `L`/`R` pair (C1:D1, E1:F1). Hand-worked: the side is
# the label under the metric, written side first as NordBord does (`L Max Force (N)`); no imbalance column.
METRIC_OVER_SIDES = [
    ["Name", "Date", "Max Force (N)", None, "Avg Force (N)", None],
    [None, None, "L", "R", "L", "R"],
    ["Mia Kovac", "19/03/2026", 301, 322, 280, 301],
]


def test_a_metric_merged_over_left_and_right(tmp_path) -> None:
    read = read_one("nordics.xlsx", workbook(tmp_path, METRIC_OVER_SIDES, ["A1:A2", "B1:B2", "C1:D1", "E1:F1"]))
    assert read.format == "VALD NordBord"  # not a hop sheet: no trial numbers under the limbs
    assert canonical(read) == {
        (3, "Mia Kovac", "2026-03-19", "nordic", "max_force", "left", 301.0, "N"),
        (3, "Mia Kovac", "2026-03-19", "nordic", "max_force", "right", 322.0, "N"),
        (3, "Mia Kovac", "2026-03-19", "nordic", "avg_force", "left", 280.0, "N"),
        (3, "Mia Kovac", "2026-03-19", "nordic", "avg_force", "right", 301.0, "N"),
    }
    assert problems(read) == [] and read.unknown_columns == []
    assert_nothing_lost(read)


# A hop sheet with two tests, each merged over `Left`/`Right` with no trial row (C1:D1, E1:F1): `Left` under
# `Single hop (cm)` and `Left` under `Triple hop (cm)` are two columns, not one header twice. Hand-worked:
# one value per limb and test, each trial 1 (before, both pairs were withheld as differing duplicates).
HOPS_BY_TEST = [
    ["Name", "Date", "Single hop (cm)", None, "Triple hop (cm)", None],
    [None, None, "Left", "Right", "Left", "Right"],
    ["Mia Kovac", "19/03/2026", 142, 160, 410, 455],
]


def hops_by_test(tmp_path) -> tuple[str, bytes]:
    return "hops.xlsx", workbook(tmp_path, HOPS_BY_TEST, ["A1:A2", "B1:B2", "C1:D1", "E1:F1"])


def test_hop_tests_merged_over_left_and_right(tmp_path) -> None:
    read = read_one(*hops_by_test(tmp_path))
    assert read.format == "Hop test sheet"
    assert canonical(read) == {
        (3, "Mia Kovac", "2026-03-19", "single_hop", "distance", "left", 142.0, "cm"),
        (3, "Mia Kovac", "2026-03-19", "single_hop", "distance", "right", 160.0, "cm"),
        (3, "Mia Kovac", "2026-03-19", "triple_hop", "distance", "left", 410.0, "cm"),
        (3, "Mia Kovac", "2026-03-19", "triple_hop", "distance", "right", 455.0, "cm"),
    }
    assert set(read.tables["tests"]["trial"].astype(int)) == {1}
    assert problems(read) == [] and read.unknown_columns == []
    assert_nothing_lost(read)


# ------------------------------------------------------------------ what is and is not a group header

def _cells(rows: list[list[object]]) -> pd.DataFrame:
    width = max(len(r) for r in rows)
    return pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)


def test_a_merged_group_is_carried_right_until_the_next_group() -> None:
    found = group_header(_cells(BATTERY), 1)
    assert found is not None
    assert found.labels == ("Name", "Date", "Body Weight (kg)", "CMJ Jump Height (cm)", "CMJ RSI-modified (m/s)",
                            "Squat Jump Jump Height (cm)", "IMTP Peak Vertical Force (N)")


def test_a_header_merged_down_over_both_rows_ends_a_group() -> None:
    found = group_header(_cells(NORDIC), 1)
    assert found is not None
    assert found.labels[-1] == "Max Imbalance (%)"  # not 'Right Max Imbalance (%)'
    assert found.groups == {2: "Left", 3: "Left", 4: "Right", 5: "Right"}


@pytest.mark.parametrize(("rows", "why"), [
    ([["Club testing, March"], ["Name", "Date", "Jump Height (cm)", "RSI-modified (m/s)"]],
     "a title over the whole header, athlete column included"),
    ([["Name", "Date", "Jump Height (cm)", "RSI-modified (m/s)"], ["Mia Kovac", "19/03/2026", 31.4, 0.45]],
     "a header over a data row (numbers)"),
    ([["Name", "Test Type", "Time", "Jump Height [cm]", "Takeoff Peak Force % (Asym) (%)", "Reps"],
      ["", "CMJ", "8:00 AM", "0.00", "9.7 L", "3"]],
     "a CSV's header over a nameless data row (every cell text)"),
    ([["Name", "Date", "CMJ", "SJ"], [None, None, "Jump Height (cm)", "RSI-modified (m/s)"]],
     "one group a column, no metric under two groups: nothing says the upper row groups the lower"),
    ([["Name", "Date", "Left", None, None, "Right"], [None, None, 1, 2, 3, 1, 2, 3]],
     "limbs over trial numbers: a hop sheet's stacked header"),
    ([[None, None, "03/03/2026", None, "17/03/2026"], ["Name", "Side", "Single hop (cm)", "Triple hop (cm)",
                                                        "Single hop (cm)"]],
     "dates across: a hop sheet's dates over its columns"),
])
def test_what_is_not_a_group_header(rows: list[list[object]], why: str) -> None:
    assert group_header(_cells(rows), 1) is None, why


def test_a_title_row_above_a_forcedecks_header_leaves_the_headers_alone(tmp_path) -> None:
    rows = [["Club testing, March"],
            ["Name", "Test Type", "Date", "Jump Height (Imp-Mom) [cm]", "RSI-modified [m/s]"],
            ["Mia Kovac", "CMJ", "03/19/2026", 31.4, 0.45]]
    read = read_one("fd.xlsx", workbook(tmp_path, rows, ["A1:E1"]))
    assert read.format == "VALD ForceDecks"
    assert canonical(read) == {(3, "Mia Kovac", "2026-03-19", "cmj", "jump_height", "both", 31.4, "cm"),
                               (3, "Mia Kovac", "2026-03-19", "cmj", "rsi_modified", "both", 0.45, "m/s")}
    assert not any("are one header" in a for a in read.assumptions)
    assert_nothing_lost(read)


# ------------------------------------------------------------------ no row lost, whatever the cells hold

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.ingest.test_properties import DATES, NAMES, NUMBERS  # noqa: E402

group_rows = st.lists(st.tuples(NAMES, DATES, NUMBERS, NUMBERS, NUMBERS, NUMBERS), min_size=1, max_size=15)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(group_rows)
def test_a_group_header_sheet_never_loses_a_row_nor_reads_its_group_row(rows: list[tuple[str, ...]]) -> None:
    data = csv_of([*SINGLE_LEG[:2], *([*r, "note"] for r in rows)])  # `note`: no data row is blank
    fr = read_file(data, "sl_cmj.csv")
    # the header decides the format, whatever the cells hold (a NUL byte makes the file binary: refused whole)
    assert fr.reads or fr.report.message.startswith("this is not a text"), fr.report.message
    for _sheet, read in fr.reads:
        assert read.data_rows == list(range(3, 3 + len(rows)))  # rows 1-2 are header, every row under them data
        assert all(p.row is None or p.row >= 3 for p in read.rejects)
        assert_nothing_lost(read)
