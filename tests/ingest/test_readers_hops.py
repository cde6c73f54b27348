"""Coaches' hop sheets whose header spans rows: merged limb labels over a row of trial numbers.

Hand-kept sheets have no vendor; the shapes are those of ../shared/formats.md ("Hand-kept sheets":
3 trials per limb plus mean/best, a stale `LSI %` column, merged cells over L/R pairs, dates across)
and of the hop-test recording sheets published with the clinical protocols (Noyes et al. 1991, the
four hop tests: Left/Right merged over Trial 1-3, then the best and the LSI). Workbooks are written
by openpyxl with real merged cells; names and distances are invented.
"""

from __future__ import annotations

import pytest

from lib.ingest.importer import read_file
from lib.ingest.readers.base import SheetRead
from tests.ingest.test_properties import assert_nothing_lost


def workbook(tmp_path, rows: list[list[object]], merges: list[str], title: str = "Hops") -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for span in merges:
        ws.merge_cells(span)
    path = tmp_path / "hops.xlsx"
    wb.save(path)
    return path.read_bytes()


def read_one(data: bytes) -> SheetRead:
    fr = read_file(data, "hops.xlsx")
    assert fr.report.status != "failed", fr.report.message
    [(_sheet, read)] = fr.reads
    assert read.format == "Hop test sheet"
    return read


def trials(read: SheetRead) -> dict[tuple, float]:
    t = read.tables["tests"]
    return {(int(r.source_row), str(r.date)[:10], r.test, r.side, int(r.trial)): round(float(r.value), 3)
            for r in t.itertuples()}


def problems(read: SheetRead) -> list[tuple[int, str, str, str]]:
    return [(p.row, p.column, p.value, p.problem) for p in read.rejects]


def foul(raw: str) -> str:
    return f"foul or no valid trial ('{raw}'): this trial rejected, the others kept"


# the test title merged over six columns, `Left`/`Right` merged over three, trial numbers under them
TITLED = [
    ["Name", "Date", "Single hop (cm)", None, None, None, None, None, "Best L", "Best R", "LSI %"],
    [None, None, "Left", None, None, "Right", None, None, None, None, None],
    [None, None, 1, 2, 3, 1, 2, 3, None, None, None],
    ["Mia Kovac", "19/03/2026", 142, 148, "X", 160, 158, 163, 148, 163, 90.8],
    ["Sam Okafor", "19/03/2026", 131, "foul", 135, "NT", 137, 140, 135, 140, 96.4],
]


def test_merged_limbs_over_trial_numbers_keep_every_trial(tmp_path) -> None:
    read = read_one(workbook(tmp_path, TITLED, ["C1:H1", "C2:E2", "F2:H2"]))
    assert trials(read) == {
        (4, "2026-03-19", "single_hop", "left", 1): 142.0, (4, "2026-03-19", "single_hop", "left", 2): 148.0,
        (4, "2026-03-19", "single_hop", "right", 1): 160.0, (4, "2026-03-19", "single_hop", "right", 2): 158.0,
        (4, "2026-03-19", "single_hop", "right", 3): 163.0,
        (5, "2026-03-19", "single_hop", "left", 1): 131.0, (5, "2026-03-19", "single_hop", "left", 3): 135.0,
        (5, "2026-03-19", "single_hop", "right", 2): 137.0, (5, "2026-03-19", "single_hop", "right", 3): 140.0,
    }
    # the trial-number row is header, never "no athlete name"; each foul is a rejected cell with its reason
    assert problems(read) == [(4, "Left 3", "X", foul("X")), (5, "Left 2", "foul", foul("foul")),
                              (5, "Right 1", "NT", foul("NT"))]
    assert ("summary columns not imported ('Best L', 'Best R', 'LSI %'): mean, best and LSI are recomputed "
            "from the trials") in read.assumptions
    assert read.data_rows == [4, 5]
    assert_nothing_lost(read)


# no title: the limbs in the top row, `Trial n` under them, distances in metres (no unit written)
IN_METRES = [
    ["Name", "Date", "Test", "Left", None, None, "Right", None, None, "LSI"],
    [None, None, None, "Trial 1", "Trial 2", "Trial 3", "Trial 1", "Trial 2", "Trial 3", None],
    ["Mia Kovac", "19/03/2026", "Triple hop", 4.10, 4.22, "F", 4.55, 4.60, 4.70, 0.92],
    ["Mia Kovac", "19/03/2026", "Crossover hop", 3.80, "DNF", 3.92, 4.01, 4.10, 4.05, 0.96],
]


def test_trial_row_under_limbs_and_metres_inferred(tmp_path) -> None:
    read = read_one(workbook(tmp_path, IN_METRES, ["D1:F1", "G1:I1"]))
    assert trials(read) == {  # metres (median 4.1 m, no unit) x 100 = cm
        (3, "2026-03-19", "triple_hop", "left", 1): 410.0, (3, "2026-03-19", "triple_hop", "left", 2): 422.0,
        (3, "2026-03-19", "triple_hop", "right", 1): 455.0, (3, "2026-03-19", "triple_hop", "right", 2): 460.0,
        (3, "2026-03-19", "triple_hop", "right", 3): 470.0,
        (4, "2026-03-19", "crossover_hop", "left", 1): 380.0, (4, "2026-03-19", "crossover_hop", "left", 3): 392.0,
        (4, "2026-03-19", "crossover_hop", "right", 1): 401.0, (4, "2026-03-19", "crossover_hop", "right", 2): 410.0,
        (4, "2026-03-19", "crossover_hop", "right", 3): 405.0,
    }
    assert problems(read) == [(3, "Left Trial 3", "F", foul("F")), (4, "Left Trial 2", "DNF", foul("DNF"))]
    assert any(a.startswith("triple_hop: no unit on the sheet, values read as m") for a in read.assumptions)
    assert_nothing_lost(read)


# athletes down, dates across (merged over each date's six columns), L/R merged over trial numbers
DATES_ACROSS = [
    ["Triple hop (cm)"],
    [None, None, "03/03/2026", None, None, None, None, None, "17/03/2026"],
    ["Name", "Injured side", "L", None, None, "R", None, None, "L", None, None, "R"],
    [None, None, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3],
    ["Mia Kovac", "L", 410, 422, "X", 455, 460, 470, 430, 441, 445, 462, "DNF", 468],
]


def test_dates_across_with_a_trial_row(tmp_path) -> None:
    read = read_one(workbook(tmp_path, DATES_ACROSS, ["C2:H2", "I2:N2", "C3:E3", "F3:H3", "I3:K3", "L3:N3"]))
    assert trials(read) == {
        (5, "2026-03-03", "triple_hop", "left", 1): 410.0, (5, "2026-03-03", "triple_hop", "left", 2): 422.0,
        (5, "2026-03-03", "triple_hop", "right", 1): 455.0, (5, "2026-03-03", "triple_hop", "right", 2): 460.0,
        (5, "2026-03-03", "triple_hop", "right", 3): 470.0,
        (5, "2026-03-17", "triple_hop", "left", 1): 430.0, (5, "2026-03-17", "triple_hop", "left", 2): 441.0,
        (5, "2026-03-17", "triple_hop", "left", 3): 445.0, (5, "2026-03-17", "triple_hop", "right", 1): 462.0,
        (5, "2026-03-17", "triple_hop", "right", 3): 468.0,
    }
    assert set(read.tables["tests"]["injured_side"]) == {"left"}  # `Injured side` is identity, not a limb column
    assert problems(read) == [(5, "2026-03-03 L 3", "X", foul("X")), (5, "2026-03-17 R 2", "DNF", foul("DNF"))]
    assert_nothing_lost(read)


@pytest.mark.parametrize("raw", ["X", "x", "F", "foul", "Foul", "NT", "DNF"])
def test_every_foul_word_is_a_rejected_cell(tmp_path, raw: str) -> None:
    rows = [["Name", "Date", "Test", "Side", "Trial 1", "Trial 2"],
            ["Mia Kovac", "19/03/2026", "Single hop", "L", 142, raw]]
    read = read_one(workbook(tmp_path, rows, []))
    assert trials(read) == {(2, "2026-03-19", "single_hop", "left", 1): 142.0}
    assert problems(read) == [(2, "Trial 2", raw, foul(raw))]
