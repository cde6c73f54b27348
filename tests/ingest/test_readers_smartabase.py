"""Smartabase (Teamworks AMS) event exports of wellness, RPE and force-plate forms.

A Smartabase event export has one row per event: the athlete in `About`, the event's `Date`,
`Start Time` and `Finish Time`, one column per field of the form (named as the club named its
fields), and bookkeeping columns (`Entered By` or `by`, `event-uuid`, `group-uuid`). Sources: the
upload shape written by github.com/nbetts2020/vald-to-smartabase (`Date`, `About`, `by`, ..., `event-uuid`,
`group-uuid`), the `about`/`start_time`/`end_time`/`form` columns of Teamworks' own R client
(github.com/Teamworksapp/smartabaseR), and the public Smartabase ForceDecks integration (VALD's
metric names as form fields). Names and values are invented.
"""

from __future__ import annotations

import csv
import io

from lib.ingest.importer import read_file
from lib.ingest.readers.base import SheetRead
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


def wellness_rows(read: SheetRead) -> dict[tuple[int, str, str, str], float]:
    w = read.tables["wellness"]
    return {(int(r.source_row), r.athlete_name, str(r.date)[:10], r.item): float(r.value) for r in w.itertuples()}


WELLNESS_FORM = [
    ["About", "Date", "Start Time", "Finish Time", "Sleep Quality", "Fatigue", "Muscle Soreness", "Stress", "Mood",
     "Pain (0-10)", "by", "event-uuid", "group-uuid"],
    ["Mia Kovac", "19/03/2026", "7:30 AM", "7:31 AM", "4", "3", "2", "4", "5", "1", "Mia Kovac", "a1", "g1"],
    ["Sam Okafor", "19/03/2026", "7:40 AM", "7:41 AM", "2", "2", "4", "3", "3", "6", "Sam Okafor", "a2", "g1"],
    ["", "19/03/2026", "7:45 AM", "7:46 AM", "3", "3", "3", "3", "3", "0", "S. Coach", "a3", "g1"],
    ["Mia Kovac", "20/03/2026", "7:32 AM", "7:33 AM", "x", "3", "2", "4", "5", "", "Mia Kovac", "a4", "g1"],
]


def test_smartabase_wellness_form() -> None:
    read = read_one(csv_bytes(WELLNESS_FORM), "Wellness Export.csv")
    assert read.format == "Wellness / pain / RPE sheet"
    got = wellness_rows(read)
    # McLean's five items on 1-5 (5 = best), stored as exported; soreness on a McLean sheet is McLean's
    # too (5 = best) and is turned to the stored higher-is-worse: 6 - 2 = 4, 6 - 4 = 2
    assert got == {
        (2, "Mia Kovac", "2026-03-19", "sleep"): 4.0, (2, "Mia Kovac", "2026-03-19", "fatigue"): 3.0,
        (2, "Mia Kovac", "2026-03-19", "soreness"): 4.0, (2, "Mia Kovac", "2026-03-19", "stress"): 4.0,
        (2, "Mia Kovac", "2026-03-19", "mood"): 5.0, (2, "Mia Kovac", "2026-03-19", "pain"): 1.0,
        (3, "Sam Okafor", "2026-03-19", "sleep"): 2.0, (3, "Sam Okafor", "2026-03-19", "fatigue"): 2.0,
        (3, "Sam Okafor", "2026-03-19", "soreness"): 2.0, (3, "Sam Okafor", "2026-03-19", "stress"): 3.0,
        (3, "Sam Okafor", "2026-03-19", "mood"): 3.0, (3, "Sam Okafor", "2026-03-19", "pain"): 6.0,
        (5, "Mia Kovac", "2026-03-20", "fatigue"): 3.0, (5, "Mia Kovac", "2026-03-20", "soreness"): 4.0,
        (5, "Mia Kovac", "2026-03-20", "stress"): 4.0, (5, "Mia Kovac", "2026-03-20", "mood"): 5.0,
    }
    assert {(p.row, p.column, p.value) for p in read.rejects} == {(4, "About", ""), (5, "Sleep Quality", "x")}
    assert read.unknown_columns == []  # `Finish Time`, `by`, `event-uuid`, `group-uuid`: bookkeeping
    assert_nothing_lost(read)


RPE_FORM = [
    ["About", "Date", "Start Time", "Finish Time", "Session Type", "Session RPE", "Duration (min)", "Entered By"],
    ["Mia Kovac", "19/03/2026", "10:00 AM", "11:30 AM", "Field", "6", "90", "S. Coach"],
    ["Sam Okafor", "19/03/2026", "10:00 AM", "11:30 AM", "Field", "8", "90", "S. Coach"],
    ["Ben Ito", "19/03/2026", "10:00 AM", "11:30 AM", "Field", "DNF", "90", "S. Coach"],
]


def test_smartabase_rpe_form() -> None:
    read = read_one(csv_bytes(RPE_FORM), "RPE Export.csv")
    assert wellness_rows(read) == {(2, "Mia Kovac", "2026-03-19", "rpe"): 6.0, (3, "Sam Okafor", "2026-03-19", "rpe"): 8.0}
    [reject] = read.rejects
    assert (reject.row, reject.column, reject.value) == (4, "Session RPE", "DNF")
    # the session's type and duration are not wellness items: shown, not dropped silently
    assert read.unknown_columns == ["Session Type", "Duration (min)"]
    assert_nothing_lost(read)


# the VALD NordBord integration's form: VALD's field names, the athlete in `About`, Smartabase's bookkeeping
NORDBORD_FORM = [
    ["Date", "About", "by", "Test", "L Max Force (N)", "R Max Force (N)", "Max Imbalance (%)", "event-uuid",
     "group-uuid"],
    ["19/03/2026", "Mia Kovac", "Vald API", "Nordic", "301", "280", "7", "n/a", "n/a"],
]


def test_smartabase_nordbord_form() -> None:
    read = read_one(csv_bytes(NORDBORD_FORM), "NordBord Export.csv")
    assert read.format == "VALD NordBord"
    tests = read.tables["tests"]
    got = {(r.metric, r.side): float(r.value) for r in tests.itertuples()}
    # imbalance 7 % toward the left, the larger force: 301 N > 280 N
    assert got == {("max_force", "left"): 301.0, ("max_force", "right"): 280.0, ("asymmetry", "left"): 7.0}
    assert set(tests["date"].astype(str)) == {"2026-03-19"}
    assert read.unknown_columns == []
    assert_nothing_lost(read)
