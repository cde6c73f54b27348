"""VALD ForceDecks tests beyond the CMJ: squat jump, drop jump, IMTP and single-leg jumps.

Fixtures are written in the VALD Hub CSV shape of `../shared/formats.md` (ForceDecks section: every
field quoted, `[unit] ` headers ending with a space, `Test Type` codes CMJ, SJ, DJ, SLJ, SLCMJ, IMTP,
raw sides as `Concentric Peak Force [N] (L)` / `(R)`); the metric names are VALD's own, as listed
in VALD's ForceDecks metric glossary (public: valdperformance.com, ForceDecks "Test Types" and
"Metrics" help pages) and seen in the public export forcedecks-test-export-06_21_2023.csv.
"""

from __future__ import annotations

import pandas as pd
import pytest

from lib.ingest.importer import read_file
from lib.ingest.readers.base import SheetRead
from tests.ingest.test_properties import assert_nothing_lost


def vald_csv(rows: list[list[str]]) -> bytes:
    """VALD Hub's CSV: UTF-8 with BOM, every field quoted, no newline after the last row."""
    return ("\ufeff" + "\r\n".join(",".join(f'"{c}"' for c in r) for r in rows)).encode("utf-8")


def read_one(data: bytes, name: str) -> SheetRead:
    fr = read_file(data, name)
    assert fr.report.status != "failed", fr.report.message
    [(_sheet, read)] = fr.reads
    return read


def rows_of(read: SheetRead) -> dict[tuple, float]:
    t = read.tables["tests"]
    return {(int(r.source_row), r.test, int(r.trial), r.metric, r.side): round(float(r.value), 4) for r in t.itertuples()}


# one export holding an SJ, two DJs, an IMTP and single-leg CMJs (SLJ: one leg per row)
HEADER = ["Name", "ExternalId", "Test Type", "Date", "Time", "BW [KG]", "Reps", "Tags",
          "Jump Height (Imp-Mom) [cm] ", "Peak Power / BM [W/kg] ", "RSI (Flight Time/Contact Time) ",
          "Contact Time [ms] ", "Flight Time [ms] ", "Peak Vertical Force [N] ", "Peak Vertical Force / BM [N/kg] ",
          "Peak Vertical Force % (Asym) (%)", "Jump Height (Imp-Mom) [cm] (L)", "Jump Height (Imp-Mom) [cm] (R)",
          "Concentric Peak Force [N] (L)", "Concentric Peak Force [N] (R)"]
MIXED = [
    HEADER,
    ["Mia Kovac", "", "SJ", "03/17/2026", "9:00 AM", "61.5", "3", "", "31.4", "50.2", "", "", "", "", "", "", "", "", "", ""],
    ["Mia Kovac", "", "DJ", "03/17/2026", "9:20 AM", "61.5", "3", "", "", "", "1.62", "231", "375", "", "", "", "", "", "", ""],
    ["Mia Kovac", "", "DJ", "03/17/2026", "9:10 AM", "61.5", "3", "", "", "", "1.70", "224", "381", "", "", "", "", "", "", ""],
    ["Mia Kovac", "", "IMTP", "03/17/2026", "9:40 AM", "61.5", "2", "", "", "", "", "", "", "2415", "39.3", "6.1 R", "", "", "", ""],
    ["Mia Kovac", "", "SLJ", "03/17/2026", "9:50 AM", "61.5", "3", "", "", "", "", "", "", "", "", "", "15.2", "", "1250", ""],
    ["Mia Kovac", "", "SLJ", "03/17/2026", "9:52 AM", "61.5", "3", "", "", "", "", "", "", "", "", "", "", "17.9", "", "1380"],
    ["Mia Kovac", "", "SLJ", "03/17/2026", "9:54 AM", "61.5", "3", "", "", "", "", "", "", "", "", "", "X", "", "", ""],
]


def test_squat_jump_drop_jump_imtp_and_single_leg_rows() -> None:
    read = read_one(vald_csv(MIXED), "forcedecks-test-export-03_17_2026.csv")
    assert read.format == "VALD ForceDecks"
    got = rows_of(read)
    assert {k: v for k, v in got.items() if k[3] != "body_mass"} == {
        (2, "sj", 1, "jump_height", "both"): 31.4,
        (2, "sj", 1, "peak_power_bm", "both"): 50.2,
        # drop jumps: 9:10 is trial 1 though written below the 9:20 one; ms -> s (231 ms = 0.231 s)
        (3, "drop_jump", 2, "rsi", "both"): 1.62,
        (3, "drop_jump", 2, "contact_time", "both"): 0.231,
        (3, "drop_jump", 2, "flight_time", "both"): 0.375,
        (4, "drop_jump", 1, "rsi", "both"): 1.70,
        (4, "drop_jump", 1, "contact_time", "both"): 0.224,
        (4, "drop_jump", 1, "flight_time", "both"): 0.381,
        (5, "imtp", 1, "max_force", "both"): 2415.0,
        (5, "imtp", 1, "max_force_per_kg", "both"): 39.3,
        (5, "imtp", 1, "asymmetry", "right"): 6.1,  # `6.1 R`: 6.1 % larger on the right
        # single-leg CMJ: one leg per row, the side from the `(L)`/`(R)` column that holds the value,
        # trials counted per leg (each leg's first jump is its trial 1)
        (6, "sl_cmj", 1, "jump_height", "left"): 15.2,
        (6, "sl_cmj", 1, "concentric_peak_force", "left"): 1250.0,
        (7, "sl_cmj", 1, "jump_height", "right"): 17.9,
        (7, "sl_cmj", 1, "concentric_peak_force", "right"): 1380.0,
    }
    body_mass = {k: v for k, v in got.items() if k[3] == "body_mass"}
    assert set(body_mass.values()) == {61.5} and len(body_mass) == 7  # `BW [KG]` on every test row
    assert [(p.row, p.column, p.value) for p in read.rejects] == [(8, "Jump Height (Imp-Mom) [cm] (L)", "X")]
    assert read.unknown_columns == []
    assert read.tables["tests"]["unit"].isin(["cm", "W/kg", "ratio", "s", "N", "N/kg", "%", "kg"]).all()
    assert_nothing_lost(read)


# ------------------------------------------------------- the desktop software's workbook export

# Shape of the ForceDecks desktop software's "ForceDecks Test Results" workbook, as in the public
# sample CMJ_input_example.xlsx of github.com/kennymcmillan/CMJ_Smartabase_FD_transform (read there
# with `header=6`): six export-detail rows above the header, `Athlete`, the test spelt out
# (`Countermovement Jump`), `Test Date` as a date-time cell, one row per `Trial 1`, `Trial 2`, raw
# sides as `Takeoff Peak Force (Left) [N]`, jump height by impulse-displacement (`Imp-Dis`), and an
# `Active Stiffness [N/m]` column. Names and numbers here are invented.
DESKTOP_HEADER = [
    "Athlete", "Test Type", "Test Date", "Body Weight [kg]", "Trial", "Contraction Time [ms]", "Contact Time [ms]",
    "Flight Time [ms]", "Jump Height (Imp-Dis) [cm]", "Jump Height (Flight Time) [cm]", "Peak Power [W]",
    "Active Stiffness [N/m]", "Takeoff Peak Force (Right) [N]", "Takeoff Peak Force (Left) [N]",
    "RSI (Flight Time/Contact Time)", "Concentric Peak Force [N]",
]


def desktop_workbook(tmp_path) -> bytes:
    import datetime as dt
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "ForceDecks Test Results"
    for row in (["ForceDecks Test Results Export"], ["Export Date", dt.datetime(2026, 3, 19, 11, 22, 17)],
                ["Export Profile", "Club Jumps"],
                ["Export Trials", "Results from all trials within a test, one row/column per trial"],
                ["Key Result", "N/A"], []):
        ws.append(row)
    ws.append(DESKTOP_HEADER)
    cmj = dt.datetime(2026, 3, 19, 11, 18, 15)
    dj = dt.datetime(2026, 3, 19, 11, 30, 2)
    ws.append(["Mia Kovac", "Countermovement Jump", cmj, 61.5, "Trial 2", 919, None, 483, 22.5, 28.6, 1729, None,
               569, 553, None, 1117])
    ws.append(["Mia Kovac", "Countermovement Jump", cmj, 61.5, "Trial 1", 812, None, 468, 22.7, 26.8, 1737, None,
               524, 487, None, 1009])
    ws.append(["Mia Kovac", "Drop Jump", dj, 61.5, "Trial 1", None, 212, 402, None, None, None, 41250, None, None,
               1.90, None])
    path = tmp_path / "ForceDecks Test Results.xlsx"
    wb.save(path)
    return path.read_bytes()


def test_desktop_workbook_with_tests_spelt_out_and_one_row_per_trial(tmp_path) -> None:
    read = read_one(desktop_workbook(tmp_path), "ForceDecks Test Results.xlsx")
    assert read.format == "VALD ForceDecks"
    got = {k: v for k, v in rows_of(read).items() if k[3] != "body_mass"}
    assert got == {
        # `Trial 1` is below `Trial 2` in the sheet: the trial column numbers them, not the row order
        (9, "cmj", 1, "contraction_time", "both"): 0.812,  # 812 ms
        (9, "cmj", 1, "flight_time", "both"): 0.468,
        (9, "cmj", 1, "jump_height", "both"): 22.7,  # Imp-Dis: the only impulse estimate in the sheet
        (9, "cmj", 1, "jump_height_flight_time", "both"): 26.8,
        (9, "cmj", 1, "peak_propulsive_force", "right"): 524.0,
        (9, "cmj", 1, "peak_propulsive_force", "left"): 487.0,
        (9, "cmj", 1, "concentric_peak_force", "both"): 1009.0,
        (8, "cmj", 2, "contraction_time", "both"): 0.919,
        (8, "cmj", 2, "flight_time", "both"): 0.483,
        (8, "cmj", 2, "jump_height", "both"): 22.5,
        (8, "cmj", 2, "jump_height_flight_time", "both"): 28.6,
        (8, "cmj", 2, "peak_propulsive_force", "right"): 569.0,
        (8, "cmj", 2, "peak_propulsive_force", "left"): 553.0,
        (8, "cmj", 2, "concentric_peak_force", "both"): 1117.0,
        (10, "drop_jump", 1, "contact_time", "both"): 0.212,
        (10, "drop_jump", 1, "flight_time", "both"): 0.402,
        (10, "drop_jump", 1, "rsi", "both"): 1.90,
    }
    tests = read.tables["tests"]
    assert set(tests["date"].astype(str)) == {"2026-03-19"}
    assert set(tests.loc[tests["test"] == "cmj", "time"]) == {"11:18:15"}  # the clock inside `Test Date`
    assert read.unknown_columns == ["Peak Power [W]", "Active Stiffness [N/m]"]  # listed, never a wellness item
    assert "one row per trial ('Trial')" in read.assumptions
    assert "'Jump Height (Imp-Dis) [cm]' used as jump height (no Imp-Mom column)" in read.assumptions
    assert read.rejects == []
    assert_nothing_lost(read)


@pytest.mark.parametrize(("height", "contact", "cm", "seconds", "units"), [
    ("0.342", "0.212", 34.2, 0.212, ("m", "s")),  # 0.342 m x 100 = 34.2 cm
    ("34.2", "212", 34.2, 0.212, ("cm", "ms")),  # 212 ms / 1000 = 0.212 s
])
def test_a_form_field_with_no_unit_is_inferred_and_said_so(height: str, contact: str, cm: float, seconds: float,
                                                            units: tuple[str, str]) -> None:
    # a Smartabase drop-jump form whose fields carry no unit (`Jump Height`, `Contact Time`)
    rows = [["About", "Date", "Test Type", "Jump Height", "Contact Time", "RSI (Flight Time/Contact Time)"],
            ["Mia Kovac", "19/03/2026", "DJ", height, contact, "1.9"]]
    read = read_one(("\r\n".join(",".join(r) for r in rows)).encode(), "smartabase_dj.csv")
    got = {r.metric: round(float(r.value), 4) for r in read.tables["tests"].itertuples()}
    assert got == {"jump_height": cm, "contact_time": seconds, "rsi": 1.9}
    assert f"'Jump Height' has no unit: its values (median {float(height):g}) are read as {units[0]}" in read.assumptions
    assert f"'Contact Time' has no unit: its values (median {float(contact):g}) are read as {units[1]}" in read.assumptions
