"""Force-plate and strength-device readers: VALD ForceDecks, NordBord, ForceFrame, Hawkin Dynamics.

Fixtures are written here in the vendors' real shapes (see ../shared/formats.md); names are made up.
Expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from lib import store
from lib.ingest.importer import import_files, read_file
from lib.ingest.readers import detect_format, forcedecks, hawkin, nordbord
from lib.ingest.readers.base import SheetRead
from lib.ingest.sources import open_file

SHARED = Path(__file__).resolve().parents[3] / "shared" / "formats"
REAL_FORCEDECKS = SHARED / "real" / "forcedecks-test-export-06_21_2023.csv"
FORCEFRAME_FROM_CODE = SHARED / "from_code" / "forceframe_detailed_fixture.csv"


# ----------------------------------------------------------------------------------- helpers

def vald_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """VALD Hub shape: UTF-8 with BOM, every field quoted, LF, no newline after the last row."""
    lines = [",".join(f'"{cell}"' for cell in line) for line in [header, *rows]]
    return ("\ufeff" + "\n".join(lines)).encode("utf-8")


def plain_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """A minimal-quoting CSV as Hawkin's web app writes it."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows([header, *rows])
    return buf.getvalue().encode("utf-8")


def read_one(data: bytes, name: str) -> SheetRead:
    """The single sheet read of a file."""
    fr = read_file(data, name)
    assert fr.report.status != "failed", fr.report.message
    assert len(fr.reads) == 1
    return fr.reads[0][1]


def value(tests: pd.DataFrame, **where: object) -> float:
    """The one value matching `where` (metric=..., side=..., source_row=...)."""
    mask = pd.Series(True, index=tests.index)
    for col, want in where.items():
        mask &= tests[col] == want
    hits = tests.loc[mask, "value"]
    assert len(hits) == 1, f"{len(hits)} rows for {where}"
    return float(hits.iloc[0])


def assert_nothing_lost(read: SheetRead) -> None:
    """Every data row is accepted (a source_row), rejected (a Problem) or skipped, and a skipped
    row produced nothing."""
    tests = read.tables.get("tests")
    accepted = set(tests["source_row"].tolist()) if tests is not None and len(tests) else set()
    rejected = {p.row for p in read.rejects if p.row is not None}
    skipped = set(read.skipped_rows)
    assert set(read.data_rows) == accepted | rejected | skipped
    assert not accepted & skipped
    assert all(reason for reason in read.skipped_rows.values())


def sheet_of(data: bytes, name: str):
    return open_file(data, name).sheets[0]


# --------------------------------------------------------------------------------- ForceDecks

# The header of the real June 2023 export; a month earlier the same account wrote
# `Takeoff Peak Force [N] (Asym) (%)` for the same column. Unit headers end with a space.
FD_HEADER = [
    "Name", "ExternalId", "Test Type", "Date", "Time", "BW [KG]", "Reps", "Tags", "Additional Load [lb]",
    "Peak Power / BM [W/kg] ", "RSI-modified [m/s] ", "Concentric Impulse [N s] ",
    "Eccentric Braking Impulse [N s] ", "Takeoff Peak Force % (Asym) (%)", "Peak Landing Force % (Asym) (%)",
    "Eccentric Braking Impulse % (Asym) (%)", "Eccentric Deceleration RFD % (Asym) (%)",
    "Eccentric Duration [ms] ", "Countermovement Depth [cm] ", "Eccentric Peak Velocity [m/s] ",
    "Jump Height (Flight Time) in Inches [in] ", "Eccentric Deceleration RFD [N/s] ",
    "Eccentric Deceleration Impulse [N s] ", "Eccentric Peak Force [N] ", "Braking Phase Duration [s] ",
    "Force at Peak Power [N] ", "Concentric Peak Force [N] ", "Concentric Impulse (Abs) / BM [N s] ",
    "Flight Time:Contraction Time ",
]
FD_TAKEOFF_OLD = "Takeoff Peak Force [N] (Asym) (%)"
FD_DEFAULTS = dict(zip(FD_HEADER, [
    "", "", "CMJ", "", "", "67.73", "3", "", "0", "49", "0.38", "172.2", "33.7", "9.7 L", "2.6 R", "9.6 R",
    "32.4 L", "601", "-34.8", "-1.04", "13.3", "3341", "70.2", "1407", "0.413", "1358", "1457", "5.406", "0.59",
]))


def fd_row(name: str, date: str, time: str, **cells: str) -> list[str]:
    """A ForceDecks row with the defaults above; `cells` override by header (spaces trimmed)."""
    row = dict(FD_DEFAULTS, **{"Name": name, "Date": date, "Time": time})
    for header in FD_HEADER:
        if header.strip() in cells:
            row[header] = cells[header.strip()]
    return [row[h] for h in FD_HEADER]


def forcedecks_export(header: list[str] = FD_HEADER) -> bytes:
    # newest row first, as VALD Hub writes it; rows 2-4 are one athlete's three CMJs on one day
    return vald_csv(header, [
        fd_row("Ryan  Hale", "05/20/2023", "1:10 PM"),                                    # row 2
        fd_row("Ryan Hale", "05/20/2023", "12:05 PM", **{"Takeoff Peak Force % (Asym) (%)": "7 R",
                                                          "Jump Height (Flight Time) in Inches [in]": "12",
                                                          "RSI-modified [m/s]": "DNF"}),  # row 3
        fd_row("Ryan Hale", "05/20/2023", "9:40 AM", **{"Jump Height (Flight Time) in Inches [in]": "0"}),  # row 4
        fd_row("Fred Bowen", "05/19/2023", "8:17 AM", **{"Test Type": "PPU"}),            # row 5
    ])


@pytest.fixture(scope="module")
def fd_read() -> SheetRead:
    return read_one(forcedecks_export(), "forcedecks-test-export-05_21_2023.csv")


def test_forcedecks_fixture_is_in_the_real_shape() -> None:
    data = forcedecks_export()
    assert data.startswith(b"\xef\xbb\xbf\"Name\",\"ExternalId\"")
    assert not data.endswith(b"\n")
    assert b'"13.3"' in data and b'"9.7 L"' in data


@pytest.mark.parametrize(
    ("metric", "side", "expected"),
    [
        ("jump_height", "both", 33.782),            # 13.3 in x 2.54 = 33.782 cm
        ("asymmetry", "left", 9.7),                 # "9.7 L": 9.7 %, left larger
        ("landing_asymmetry", "right", 2.6),        # "2.6 R"
        ("braking_impulse_asymmetry", "right", 9.6),
        ("body_mass", "both", 67.73),               # BW [KG]
        ("countermovement_depth", "both", -34.8),   # cm, sign kept
        ("rsi_modified", "both", 0.38),
        ("peak_power_bm", "both", 49.0),
        ("concentric_peak_force", "both", 1457.0),
        ("eccentric_peak_force", "both", 1407.0),
        ("force_at_peak_power", "both", 1358.0),
        ("ft_ct_ratio", "both", 0.59),
    ],
)
def test_forcedecks_values_of_the_newest_row(fd_read: SheetRead, metric: str, side: str, expected: float) -> None:
    tests = fd_read.tables["tests"]
    assert value(tests, source_row=2, metric=metric, side=side) == pytest.approx(expected)


def test_forcedecks_canonical_columns_and_names(fd_read: SheetRead) -> None:
    tests = fd_read.tables["tests"]
    row2 = tests[tests["source_row"] == 2]
    assert len(row2) == 12  # 12 mapped metric columns, all filled
    assert set(row2["athlete_name"]) == {"Ryan Hale"}  # double space collapsed
    assert set(row2["device"]) == {"ForceDecks"}
    assert set(row2["date"]) == {pd.Timestamp("2023-05-20")}
    assert set(tests.loc[tests["metric"] == "jump_height", "unit"]) == {"cm"}
    assert set(tests["side"]) == {"both", "left", "right"}


def test_forcedecks_trials_follow_the_clock_not_the_file(fd_read: SheetRead) -> None:
    # newest first: 1:10 PM (row 2), 12:05 PM (row 3), 9:40 AM (row 4) -> trials 3, 2, 1
    jumps = fd_read.tables["tests"].query("metric == 'jump_height'").set_index("source_row")
    assert jumps.loc[[2, 3, 4], "trial"].tolist() == [3, 2, 1]
    # 12 in x 2.54 = 30.48 cm; a zero is a value, not a gap
    assert jumps.loc[3, "value"] == pytest.approx(30.48)
    assert jumps.loc[4, "value"] == 0.0


def test_forcedecks_drifted_asymmetry_cell_and_dnf(fd_read: SheetRead) -> None:
    tests = fd_read.tables["tests"]
    assert value(tests, source_row=3, metric="asymmetry", side="right") == 7.0  # "7 R"
    dnf = [p for p in fd_read.rejects if p.value == "DNF"]
    assert len(dnf) == 1
    assert (dnf[0].row, dnf[0].column) == (3, "RSI-modified [m/s]")
    assert "not a number" in dnf[0].problem
    # the bad cell only: row 3 keeps its other metrics but has no RSI-modified
    row3 = tests[tests["source_row"] == 3]
    assert "rsi_modified" not in set(row3["metric"])
    assert len(row3) == 11


def test_forcedecks_unsupported_test_type_is_rejected_with_its_row(fd_read: SheetRead) -> None:
    ppu = [p for p in fd_read.rejects if p.row == 5]
    assert len(ppu) == 1 and ppu[0].column == "Test Type" and ppu[0].value == "PPU"
    assert 5 not in set(fd_read.tables["tests"]["source_row"])


def test_forcedecks_unknown_columns_are_listed(fd_read: SheetRead) -> None:
    assert "Eccentric Duration [ms]" in fd_read.unknown_columns
    assert "Concentric Impulse [N s]" in fd_read.unknown_columns
    assert "Name" not in fd_read.unknown_columns


def test_forcedecks_nothing_lost(fd_read: SheetRead) -> None:
    assert fd_read.data_rows == [2, 3, 4, 5]
    assert_nothing_lost(fd_read)


def test_forcedecks_row_with_every_metric_blank_is_accounted_for() -> None:
    blank = {h.strip(): "" for h in FD_HEADER[5:]}
    read = read_one(vald_csv(FD_HEADER, [fd_row("Ryan Hale", "05/20/2023", "8:18 AM", **blank),
                                         fd_row("Ryan Hale", "05/20/2023", "8:02 AM")]), "fd.csv")
    assert set(read.tables["tests"]["source_row"]) == {3}
    assert_nothing_lost(read)  # row 2 is neither accepted, rejected nor skipped today


@pytest.mark.parametrize("takeoff_header", ["Takeoff Peak Force % (Asym) (%)", FD_TAKEOFF_OLD])
def test_forcedecks_header_drift_maps_to_the_same_metric(takeoff_header: str) -> None:
    header = [takeoff_header if h == "Takeoff Peak Force % (Asym) (%)" else h for h in FD_HEADER]
    data = vald_csv(header, [fd_row("Ryan Hale", "05/20/2023", "8:18 AM")])
    read = read_one(data, "fd.csv")
    assert value(read.tables["tests"], metric="asymmetry", side="left") == 9.7
    assert takeoff_header.strip() not in read.unknown_columns


@pytest.mark.skipif(not REAL_FORCEDECKS.exists(), reason="shared real export not present")
def test_forcedecks_real_export_against_the_file_itself() -> None:
    data = REAL_FORCEDECKS.read_bytes()
    records = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    read = read_one(data, REAL_FORCEDECKS.name)
    tests = read.tables["tests"]
    assert read.format == "VALD ForceDecks"
    assert len(records) == 397 and len(read.data_rows) == 397
    assert not read.rejects
    jumps = tests[tests["metric"] == "jump_height"]
    assert len(jumps) == 397  # every row has a flight-time jump height
    first = records[0]
    inches = float(first["Jump Height (Flight Time) in Inches [in] "])
    assert inches == 13.3
    assert value(tests, source_row=2, metric="jump_height") == pytest.approx(inches * 2.54)  # 33.782 cm
    assert value(tests, source_row=2, metric="jump_height") == pytest.approx(33.782)
    assert value(tests, source_row=2, metric="asymmetry", side="left") == 9.7  # "9.7 L"
    assert first["Takeoff Peak Force % (Asym) (%)"] == "9.7 L"
    # the last row of the file (no trailing newline) is read too
    last_row = len(records) + 1
    assert value(tests, source_row=last_row, metric="body_mass") == float(records[-1]["BW [KG]"])
    assert_nothing_lost(read)


# ---------------------------------------------------------------------------------- NordBord

NB_HEADER = ["Name", "ExternalId", "Date UTC", "Time UTC", "Device", "Test", "L Reps", "R Reps",
             "L Max Force (N)", "R Max Force (N)", "Max Imbalance (%)", "L Max Torque (Nm)", "R Max Torque (Nm)",
             "L Avg Force (N)", "R Avg Force (N)", "Avg Imbalance (%)", "L Max Impulse (Ns)",
             "R Max Impulse (Ns)", "Impulse Imbalance (%)", "Notes"]


def nordbord_export(rows: list[list[str]]) -> bytes:
    # as in the header comment: `Name` unquoted, every other header quoted
    head = "Name," + ",".join(f'"{h}"' for h in NB_HEADER[1:])
    body = [",".join(f'"{c}"' for c in r) for r in rows]
    return ("\n".join([head, *body]) + "\n").encode("utf-8")


NB_ROWS = [
    # row 2: L 400 > R 360 -> Max Imbalance 10 belongs to the left
    ["Sam Cole", "EXT-7", "14/03/2026", "9:05 AM", "NordBord-1234", "Nordic", "3", "3", "400", "360", "10",
     "180", "162", "350", "350", "0", "120", "110", "8.3", ""],
    # row 3: same athlete and day, earlier -> trial 1; R 390 > L 380 -> right
    ["Sam Cole", "EXT-7", "14/03/2026", "8:05 AM", "NordBord-1234", "Nordic", "3", "3", "380", "390", "2.6",
     "171", "175.5", "340", "330", "2.9", "100", "105", "4.8", "felt tight"],
    # row 4: no device, zero reps on the left are a value; a DNF right force is rejected alone
    ["Lee Park", "", "14/03/2026", "8:10 AM", "", "Nordic", "0", "3", "0", "DNF", "", "", "", "", "", "", "",
     "", "", ""],
    # row 5: no name -> rejected row
    ["", "", "14/03/2026", "8:20 AM", "NordBord-1234", "Nordic", "3", "3", "300", "300", "0", "", "", "", "", "",
     "", "", "", ""],
    # row 6: an isometric NordBord test: no canonical test, skipped with the reason
    ["Sam Cole", "EXT-7", "14/03/2026", "9:30 AM", "NordBord-1234", "ISO Prone", "3", "3", "250", "240", "4",
     "", "", "", "", "", "", "", "", ""],
    # row 7: nothing measured
    ["Lee Park", "", "15/03/2026", "8:10 AM", "", "Nordic", "", "", "", "", "", "", "", "", "", "", "", "", "",
     ""],
]


@pytest.fixture(scope="module")
def nb_read() -> SheetRead:
    return read_one(nordbord_export(NB_ROWS), "nordbord.csv")


@pytest.mark.parametrize(
    ("row", "metric", "side", "expected"),
    [
        (2, "max_force", "left", 400.0),
        (2, "max_force", "right", 360.0),
        (2, "asymmetry", "left", 10.0),                # L 400 > R 360
        (2, "max_torque", "right", 162.0),             # Nm
        (2, "avg_force_asymmetry", "both", 0.0),       # L 350 = R 350: both, and zero is kept
        (2, "max_impulse", "left", 120.0),             # Ns -> "N s"
        (2, "impulse_asymmetry", "left", 8.3),         # L 120 > R 110
        (2, "reps", "left", 3.0),
        (3, "asymmetry", "right", 2.6),                # R 390 > L 380
        (3, "avg_force_asymmetry", "left", 2.9),       # L 340 > R 330
        (3, "impulse_asymmetry", "right", 4.8),        # R 105 > L 100
        (4, "reps", "left", 0.0),                      # zero is not missing
        (4, "max_force", "left", 0.0),
    ],
)
def test_nordbord_values(nb_read: SheetRead, row: int, metric: str, side: str, expected: float) -> None:
    assert value(nb_read.tables["tests"], source_row=row, metric=metric, side=side) == expected


def test_nordbord_canonical_fields(nb_read: SheetRead) -> None:
    tests = nb_read.tables["tests"]
    assert nb_read.format == "VALD NordBord"
    assert set(tests["test"]) == {"nordic"}
    units = dict(zip(tests["metric"], tests["unit"]))
    assert units == {"reps": "count", "max_force": "N", "max_torque": "Nm", "avg_force": "N",
                     "max_impulse": "N s", "asymmetry": "%", "avg_force_asymmetry": "%", "impulse_asymmetry": "%"}
    sam = tests[tests["source_row"] == 2].iloc[0]
    assert (sam["athlete_name"], sam["athlete_ref"], sam["device"]) == ("Sam Cole", "EXT-7", "NordBord-1234")
    assert sam["date"] == pd.Timestamp("2026-03-14")  # 14/03/2026: the 14 decides day-first
    lee = tests[tests["source_row"] == 4].iloc[0]
    assert lee["device"] == "NordBord" and pd.isna(lee["athlete_ref"])


def test_nordbord_trials_by_time_within_athlete_day_and_test(nb_read: SheetRead) -> None:
    trials = nb_read.tables["tests"].drop_duplicates("source_row").set_index("source_row")["trial"]
    assert trials.to_dict() == {2: 2, 3: 1, 4: 1}  # Sam 8:05 then 9:05; Lee alone


def test_nordbord_dates_are_utc_and_said_so(nb_read: SheetRead) -> None:
    assert any("UTC" in a and "Date UTC" in a for a in nb_read.assumptions)


def test_nordbord_rejects_and_skips_with_reasons(nb_read: SheetRead) -> None:
    dnf = [p for p in nb_read.rejects if p.row == 4]
    assert [(p.column, p.value) for p in dnf] == [("R Max Force (N)", "DNF")]
    no_name = [p for p in nb_read.rejects if p.row == 5]
    assert [p.problem for p in no_name] == ["no athlete name"]
    assert "ISO Prone" in nb_read.skipped_rows[6] and "no canonical test" in nb_read.skipped_rows[6]
    assert "blank" in nb_read.skipped_rows[7]
    assert nb_read.unknown_columns == []


def test_nordbord_nothing_lost(nb_read: SheetRead) -> None:
    assert nb_read.data_rows == [2, 3, 4, 5, 6, 7]
    assert_nothing_lost(nb_read)


@pytest.mark.parametrize(
    ("left", "right", "side"),
    [("400", "360", "left"), ("360", "400", "right"), ("380", "380", "both"), ("", "380", "both")],
)
def test_nordbord_imbalance_side_comes_from_the_larger_force(left: str, right: str, side: str) -> None:
    row = ["Sam Cole", "", "2026-03-14", "09:05", "", "Nordic", "3", "3", left, right, "5.3", "", "", "", "",
           "", "", "", "", ""]
    read = read_one(nordbord_export([row]), "nb.csv")
    assert value(read.tables["tests"], metric="asymmetry") == 5.3
    assert value(read.tables["tests"], metric="asymmetry", side=side) == 5.3


# -------------------------------------------------------------------------------- ForceFrame

FF_HEADER = ["Name", "ExternalId", "Date", "Time", "Device", "Mode", "Test", "Direction", "Position", "L Reps",
             "R Reps", "L Max Force (N)", "R Max Force (N)", "Max Imbalance", "L Max Ratio", "R Max Ratio",
             "L Avg Force (N)", "R Avg Force (N)", "Avg Imbalance", "L Max Force Per kg (N/kg)",
             "R Max Force Per kg (N/kg)", "L Max RFD (N/s)", "R Max RFD (N/s)", "L Max RFD 50ms (N/s)",
             "R Max RFD 50ms (N/s)", "Notes"]


def ff_row(time: str, test: str, direction: str, position: str = "Hip AD/AB - 60") -> list[str]:
    if direction == "Pull":
        metrics = ["3", "3", "463.25", "472.5", "1.96", "0.88", "0.87", "436.33", "452.92", "3.66", "5.79", "5.91",
                   "3141.18", "3035.29", "260", "395"]
    else:
        metrics = ["3", "3", "406.75", "409.75", "0.73", "0.88", "0.87", "388.17", "391.92", "0.96", "5.08", "5.12",
                   "564.71", "582.35", "235", "195"]
    return ["Jon Arnason", "", "28/04/2026", time, "ForceFrame-2810", "Bar + Frame", test, direction, position,
            *metrics, ""]


@pytest.fixture(scope="module")
def ff_read() -> SheetRead:
    return read_one(vald_csv(FF_HEADER, [
        ff_row("1:48 PM", "Hip AD/AB", "Pull"),                    # row 2
        ff_row("1:48 PM", "Hip AD/AB", "Squeeze"),                 # row 3
        ff_row("2:05 PM", "Hip AD/AB", "Squeeze"),                 # row 4: second adduction test that day
        ff_row("2:10 PM", "Knee Flexion/Extension", "Pull", "Knee - 90"),  # row 5
    ]), "forceframe.csv")


@pytest.mark.parametrize(
    ("row", "test", "metric", "side", "expected"),
    [
        (2, "hip_abduction", "max_force", "left", 463.25),
        (2, "hip_abduction", "max_force", "right", 472.5),
        (2, "hip_abduction", "asymmetry", "right", 1.96),            # R 472.5 > L 463.25
        (2, "hip_abduction", "avg_force_asymmetry", "right", 3.66),  # R 452.92 > L 436.33
        (2, "hip_abduction", "max_force_per_kg", "left", 5.79),
        (2, "hip_abduction", "max_rfd", "right", 3035.29),
        (2, "hip_abduction", "reps", "right", 3.0),
        (3, "hip_adduction", "max_force", "left", 406.75),
        (3, "hip_adduction", "asymmetry", "right", 0.73),            # R 409.75 > L 406.75
        (3, "hip_adduction", "avg_force", "right", 391.92),
    ],
)
def test_forceframe_values(ff_read: SheetRead, row: int, test: str, metric: str, side: str, expected: float) -> None:
    assert value(ff_read.tables["tests"], source_row=row, test=test, metric=metric, side=side) == expected


def test_forceframe_one_test_two_directions_and_european_dates(ff_read: SheetRead) -> None:
    tests = ff_read.tables["tests"]
    assert ff_read.format == "VALD ForceFrame"
    assert set(tests["date"]) == {pd.Timestamp("2026-04-28")}  # 28/04/2026, day-first
    assert set(tests["device"]) == {"ForceFrame-2810"}
    trials = tests.drop_duplicates("source_row").set_index("source_row")[["test", "trial"]]
    # Pull and Squeeze at 1:48 PM are one test in two directions: both trial 1 of their own test;
    # the 2:05 PM squeeze is adduction trial 2
    assert trials.to_dict("index") == {2: {"test": "hip_abduction", "trial": 1},
                                       3: {"test": "hip_adduction", "trial": 1},
                                       4: {"test": "hip_adduction", "trial": 2}}


def test_forceframe_unmapped_test_skipped_and_extra_columns_listed(ff_read: SheetRead) -> None:
    assert "Knee Flexion/Extension" in ff_read.skipped_rows[5]
    assert set(ff_read.unknown_columns) == {"L Max Ratio", "R Max Ratio", "L Max RFD 50ms (N/s)",
                                            "R Max RFD 50ms (N/s)"}
    assert any("'Max Imbalance' has no unit" in a for a in ff_read.assumptions)
    assert_nothing_lost(ff_read)


@pytest.mark.parametrize(
    ("test", "direction", "forceframe", "expected"),
    [
        ("Hip AD/AB", "Pull", True, "hip_abduction"),
        ("Hip AD/AB", "Squeeze", True, "hip_adduction"),
        ("Hip Adduction", "", True, "hip_adduction"),
        ("Hip AD/AB", "", True, None),                 # no direction: cannot tell which
        ("Knee Flexion/Extension", "Pull", True, None),
        ("Hip IR/ER", "Pull", True, None),             # rotation is not ad/abduction
        ("Nordic", "", False, "nordic"),
        ("", "", False, "nordic"),                     # NordBord rows without a test name
        ("ISO Prone", "", False, None),
    ],
)
def test_vald_test_mapping(test: str, direction: str, forceframe: bool, expected: str | None) -> None:
    canonical, reason = nordbord._test_of(test, direction, forceframe)
    assert canonical == expected
    assert (reason is None) == (expected is not None)


@pytest.mark.skipif(not FORCEFRAME_FROM_CODE.exists(), reason="shared fixture not present")
def test_forceframe_shared_fixture() -> None:
    read = read_one(FORCEFRAME_FROM_CODE.read_bytes(), FORCEFRAME_FROM_CODE.name)
    tests = read.tables["tests"]
    assert read.format == "VALD ForceFrame"
    assert sorted(set(tests["test"])) == ["hip_abduction", "hip_adduction"]
    assert value(tests, test="hip_abduction", metric="max_force", side="left") == 463.25
    assert_nothing_lost(read)


# ------------------------------------------------------------------------------------ Hawkin

HK_HEADER = ["TestId", "Date", "Time", "Name", "Type", "Tags", "Segment", "Position", "Excluded",
             "Jump Height(m)", "Time To Takeoff(s)", "System Weight(N)", "mRSI", "Peak Propulsive Force(N)",
             "L|R Peak Braking Force(%)", "L|R Peak Propulsive Force(%)", "Left Force at Peak Propulsive Force(N)",
             "Right Force at Peak Propulsive Force(N)", "Contact Time(s)", "RSI", "Peak Force(N)",
             "Left Peak Force(N)", "Right Peak Force(N)", "L|R Peak Force(%)", "Braking RFD(N/s)"]


def hk_row(test_id: str, time: str, type_: str, excluded: str = "No", **cells: str) -> list[str]:
    row = dict.fromkeys(HK_HEADER, "")
    row.update({"TestId": test_id, "Date": "03/25/2024", "Time": time, "Name": "Ana Ruiz", "Type": type_,
                "Segment": f"{type_}:1", "Position": "Guard", "Excluded": excluded})
    row.update({k.replace("_", " "): v for k, v in cells.items()})
    return [row[h] for h in HK_HEADER]


HK_CMJ_A = {"Jump Height(m)": "0.3512", "Time To Takeoff(s)": "0.812", "System Weight(N)": "686.5",
            "mRSI": "0.43", "Peak Propulsive Force(N)": "1650.2", "L|R Peak Braking Force(%)": "-4.2",
            "L|R Peak Propulsive Force(%)": "6.1", "Left Force at Peak Propulsive Force(N)": "820",
            "Right Force at Peak Propulsive Force(N)": "880", "RSI": "0.61", "Braking RFD(N/s)": "5000"}
HK_CMJ_B = {"Jump Height(m)": "0.3401", "Time To Takeoff(s)": "DNF", "System Weight(N)": "686.1",
            "mRSI": "0.42", "Peak Propulsive Force(N)": "1630", "L|R Peak Braking Force(%)": "3.3",
            "L|R Peak Propulsive Force(%)": "-2.5", "Left Force at Peak Propulsive Force(N)": "830",
            "Right Force at Peak Propulsive Force(N)": "810"}
HK_ISO = {"System Weight(N)": "686", "Peak Force(N)": "2500", "Left Peak Force(N)": "1240",
          "Right Peak Force(N)": "1260", "L|R Peak Force(%)": "1.6"}


def hawkin_export() -> bytes:
    def row(test_id: str, time: str, type_: str, excluded: str, cells: dict[str, str]) -> list[str]:
        out = hk_row(test_id, time, type_, excluded)
        return [cells.get(h, v) for h, v in zip(HK_HEADER, out)]

    return plain_csv(HK_HEADER, [
        row("t1", "10:32:15 AM", "Countermovement Jump", "No", HK_CMJ_A),      # row 2: trial 2
        row("t2", "10:30:02 AM", "Countermovement Jump", "No", HK_CMJ_B),      # row 3: trial 1
        row("t3", "10:31:00 AM", "Countermovement Jump", "Yes", HK_CMJ_A),     # row 4: excluded
        row("t4", "10:40:00 AM", "Isometric Test", "No", HK_ISO),              # row 5
        row("t5", "10:50:00 AM", "Drop Landing", "No", {"Peak Force(N)": "2500"}),  # row 6
        row("t6", "10:55:00 AM", "Bench Press", "No", {"Peak Force(N)": "900"}),    # row 7
    ])


@pytest.fixture(scope="module")
def hk_read() -> SheetRead:
    return read_one(hawkin_export(), "hawkin-export.csv")


@pytest.mark.parametrize(
    ("row", "metric", "side", "expected"),
    [
        (2, "jump_height", "both", 35.12),               # 0.3512 m x 100 = 35.12 cm
        (3, "jump_height", "both", 34.01),               # 0.3401 m x 100
        (2, "time_to_takeoff", "both", 0.812),           # s
        (2, "rsi_modified", "both", 0.43),               # mRSI, m/s
        (2, "rsi", "both", 0.61),
        (2, "peak_propulsive_force", "both", 1650.2),
        (2, "peak_propulsive_force", "left", 820.0),
        (2, "body_mass", "both", 70.003518),             # 686.5 N / 9.80665 = 70.0035 kg
        (2, "asymmetry", "right", 6.1),                  # +6.1: R 880 > L 820 tells the side, not the sign
        (3, "asymmetry", "left", 2.5),                   # -2.5: magnitude 2.5, L 830 > R 810
        (5, "max_force", "both", 2500.0),
        (5, "max_force", "right", 1260.0),
        (5, "asymmetry", "right", 1.6),                  # R 1260 > L 1240
    ],
)
def test_hawkin_values(hk_read: SheetRead, row: int, metric: str, side: str, expected: float) -> None:
    assert value(hk_read.tables["tests"], source_row=row, metric=metric, side=side) == pytest.approx(expected, abs=1e-6)


def test_hawkin_trials_tests_and_device(hk_read: SheetRead) -> None:
    tests = hk_read.tables["tests"]
    assert hk_read.format == "Hawkin Dynamics"
    per_row = tests.drop_duplicates("source_row").set_index("source_row")[["test", "trial"]]
    # 10:30:02 before 10:32:15; the excluded 10:31 trial takes no number
    assert per_row.to_dict("index") == {2: {"test": "cmj", "trial": 2}, 3: {"test": "cmj", "trial": 1},
                                        5: {"test": "imtp", "trial": 1}}
    assert set(tests["device"]) == {"Hawkin"}
    assert set(tests["date"]) == {pd.Timestamp("2024-03-25")}


def test_hawkin_excluded_skipped_unknown_rejected(hk_read: SheetRead) -> None:
    assert hk_read.skipped_rows[4] == "excluded trial (Excluded = Yes)"
    assert "Drop Landing" in hk_read.skipped_rows[6]
    bench = [p for p in hk_read.rejects if p.row == 7]
    assert [(p.column, p.value) for p in bench] == [("Type", "Bench Press")]
    dnf = [p for p in hk_read.rejects if p.value == "DNF"]
    assert [(p.row, p.column) for p in dnf] == [(3, "Time To Takeoff(s)")]
    assert "time_to_takeoff" not in set(hk_read.tables["tests"].query("source_row == 3")["metric"])
    assert_nothing_lost(hk_read)


def test_hawkin_sign_and_braking_asymmetry_are_explained(hk_read: SheetRead) -> None:
    assert "L|R Peak Braking Force(%)" in hk_read.unknown_columns
    assert "Braking RFD(N/s)" in hk_read.unknown_columns
    assert any("sign is not interpreted" in a for a in hk_read.assumptions)
    assert any("9.80665" in a for a in hk_read.assumptions)


@pytest.mark.parametrize(
    ("type_", "outcome"),
    [
        ("Countermovement Jump", "cmj"),
        ("CMJ Rebound", "cmj"),
        ("Squat Jump", "sj"),
        ("Drop Jump", "drop_jump"),
        ("Multi Rebound", "hop_rsi"),
        ("Isometric Test", "imtp"),
        ("Drop Landing", "skipped"),
        ("Weigh In", "skipped"),
        ("TS Free Run", "skipped"),
        ("Bench Press", "rejected"),
        ("", "rejected"),
    ],
)
def test_hawkin_test_types(type_: str, outcome: str) -> None:
    data = plain_csv(HK_HEADER, [hk_row("t1", "9:00 AM", type_, **{"Peak_Force(N)": "1000"})])
    read = read_one(data, "hawkin.csv")
    if outcome == "skipped":
        assert 2 in read.skipped_rows
    elif outcome == "rejected":
        assert [p.column for p in read.rejects] == ["Type"]
    else:
        assert set(read.tables["tests"]["test"]) == {outcome}
    assert_nothing_lost(read)


def test_hawkin_api_export_with_unix_timestamps() -> None:
    header = ["id", "timestamp", "athlete_id", "athlete_name", "testType_name", "tag_names", "segment", "active",
              "Jump Height(m)", "Right Avg_ Propulsive Force(N)", "external_StudentID"]
    rows = [
        # 1711392822 = 2024-03-25 18:53:42 UTC; 1711392702 is two minutes earlier
        ["YB35", "1711392822", "OLbs", "Lauren Green", "Countermovement Jump", "[]", "Countermovement Jump:2",
         "True", "0.31", "700", "SA1"],
        ["YB36", "1711392702", "OLbs", "Lauren Green", "Countermovement Jump", "[]", "Countermovement Jump:1",
         "True", "0.29", "690", "SA1"],
        ["YB37", "1711392900", "OLbs", "Lauren Green", "Countermovement Jump", "[]", "Countermovement Jump:3",
         "False", "0.10", "650", "SA1"],
    ]
    read = read_one(plain_csv(header, rows), "hdforce.csv")
    tests = read.tables["tests"].set_index("source_row")
    assert tests["date"].tolist() == [pd.Timestamp("2024-03-25")] * 2
    assert tests.loc[2, "value"] == pytest.approx(31.0)  # 0.31 m = 31 cm
    assert tests["trial"].to_dict() == {2: 2, 3: 1}  # earlier timestamp first
    assert read.skipped_rows == {4: "inactive trial (active = False)"}
    assert read.unknown_columns == ["Right Avg_ Propulsive Force(N)"]  # athlete/external columns are identity
    assert any("UTC" in a for a in read.assumptions)
    assert_nothing_lost(read)


# --------------------------------------------------------------------------------- detection

FIXTURES = {
    "forcedecks": (lambda: forcedecks_export(), "fd.csv", forcedecks),
    "forcedecks_old_header": (lambda: vald_csv([FD_TAKEOFF_OLD if h.startswith("Takeoff") else h for h in FD_HEADER],
                                               [fd_row("A B", "05/20/2023", "8:00 AM")]), "fd.csv", forcedecks),
    "nordbord": (lambda: nordbord_export(NB_ROWS), "nb.csv", nordbord),
    "forceframe": (lambda: vald_csv(FF_HEADER, [ff_row("1:48 PM", "Hip AD/AB", "Pull")]), "ff.csv", nordbord),
    "hawkin": (lambda: hawkin_export(), "hk.csv", hawkin),
}


@pytest.mark.parametrize("fixture", list(FIXTURES))
def test_detection_picks_the_right_reader_and_no_other_claims(fixture: str) -> None:
    make, name, expected = FIXTURES[fixture]
    sheet = sheet_of(make(), name)
    reader, detection = detect_format(sheet)
    assert reader is expected
    assert detection.header_row == 0
    for other in (forcedecks, nordbord, hawkin):
        if other is not expected:
            assert other.detect(sheet) is None, f"{other.NAME} claims a {fixture} file"


@pytest.mark.skipif(not REAL_FORCEDECKS.exists(), reason="shared real export not present")
def test_detection_on_the_real_forcedecks_file() -> None:
    sheet = sheet_of(REAL_FORCEDECKS.read_bytes(), REAL_FORCEDECKS.name)
    assert detect_format(sheet)[0] is forcedecks
    assert nordbord.detect(sheet) is None and hawkin.detect(sheet) is None


def test_hawkin_needs_its_glued_unit_headers() -> None:
    # a hand sheet with Name/Type/Date and a spaced `Jump Height (cm)` is not a Hawkin export
    data = plain_csv(["Name", "Type", "Date", "Jump Height (cm)"], [["A B", "CMJ", "2024-03-25", "35"]])
    assert hawkin.detect(sheet_of(data, "hand.csv")) is None


# ------------------------------------------------------------------------- helpers, end to end

@pytest.mark.parametrize(
    ("cell", "minutes"),
    [
        ("1:48 PM", 13 * 60 + 48),     # 828
        ("12:05 PM", 12 * 60 + 5),     # noon is 12, not 24
        ("12:05 AM", 5),               # midnight is 0
        ("13:48", 828),
        ("10:32:15 AM", 632.25),       # 10 x 60 + 32 + 15/60
        (dt.time(9, 5), 545),
        (dt.datetime(2026, 4, 28, 14, 0), 840),
        ("DNF", math.nan),
        (None, math.nan),
    ],
)
def test_minutes_of_day(cell: object, minutes: float) -> None:
    got = nordbord.minutes_of_day(pd.Series([cell], dtype=object)).iloc[0]
    assert (math.isnan(got) and math.isnan(minutes)) or got == pytest.approx(minutes)


def test_import_into_the_store(engine: Engine) -> None:
    files = [("nordbord.csv", nordbord_export(NB_ROWS)), ("hawkin.csv", hawkin_export()),
             ("forcedecks.csv", forcedecks_export())]
    reports = import_files(engine, files)
    assert [r.status for r in reports] == ["imported"] * 3
    assert not [p for r in reports for p in r.rejects if "duplicate" in p.problem]
    tests = store.read_table(engine, "tests")
    # a new athlete with a vendor id (NordBord ExternalId) is stored under it, others under a slug
    assert {"EXT-7", "lee-park", "ana-ruiz", "ryan-hale"} <= set(tests["athlete_id"])
    nordic = tests[(tests["test"] == "nordic") & (tests["metric"] == "asymmetry")]
    assert sorted(zip(nordic["trial"], nordic["side"])) == [(1, "right"), (2, "left")]
    # the same bytes again add nothing
    again = import_files(engine, files[:1])
    assert again[0].status == "duplicate"


def test_forceframe_semicolon_and_decimal_comma() -> None:
    # a European Excel re-save: `;` between fields, `463,25` for 463.25
    rows = [ff_row("13:48", "Hip AD/AB", "Pull")]
    text = "\n".join(";".join(r) for r in [FF_HEADER, *[[c.replace(".", ",") for c in r] for r in rows]])
    read = read_one(text.encode("utf-8"), "forceframe-eu.csv")
    tests = read.tables["tests"]
    assert value(tests, metric="max_force", side="left") == 463.25
    assert value(tests, metric="asymmetry", side="right") == 1.96  # 1,96; R 472,5 > L 463,25
    assert_nothing_lost(read)
