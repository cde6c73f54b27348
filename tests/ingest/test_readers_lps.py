"""Local positioning and GPS systems beyond STATSports, Catapult and Polar: KINEXON and PlayerTek.

KINEXON: the column names of the session export as an R analysis of KINEXON handball exports reads
them (public on GitHub: `export_match.csv` with `Session begin date (Local timezone)`, `Session ID`,
`Description`, `Name`, `Position`, `Time on Playing Field (hh:mm:ss)`, `Distance (m)`, `Distance
(speed | Very high) (m)` ... `(speed | Very low) (m)`, `Changes of Direction`, `Impacts`, `Jumps`,
`Speed (max.) (km/h)`; `export_HZ.csv` the same per half). Names and numbers are invented.
"""

from __future__ import annotations

import csv
import io
import math

import pytest

from lib.ingest.importer import ImportSettings, read_file
from lib.ingest.readers.base import SheetRead
from tests.ingest.test_properties import assert_nothing_lost


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def read_one(data: bytes, name: str, settings: ImportSettings | None = None) -> SheetRead:
    fr = read_file(data, name, settings)
    assert fr.report.status != "failed", fr.report.message
    [(_sheet, read)] = fr.reads
    return read


def sessions(read: SheetRead) -> dict[int, dict[str, object]]:
    df = read.tables["sessions"]
    keep = ["athlete_name", "date", "session", "duration_min", "total_distance_m", "max_speed_ms"]
    return {int(r["source_row"]): {k: (round(r[k], 3) if isinstance(r[k], float) else str(r[k])[:10] if k == "date"
                                       else r[k]) for k in keep} for r in df.to_dict("records")}


KINEXON_HEADER = ["Session begin date (Local timezone)", "Session ID", "Description", "Name", "Position",
                  "Player ID", "Number", "Time on Playing Field (hh:mm:ss)", "Distance (m)",
                  "Distance (speed | Very high) (m)", "Distance (speed | High) (m)", "Distance (speed | Medium) (m)",
                  "Distance (speed | Low) (m)", "Distance (speed | Very low) (m)", "Changes of Direction", "Impacts",
                  "Jumps", "Speed (max.) (km/h)"]
KINEXON_MATCH = [
    KINEXON_HEADER,
    ["2026-03-19 19:00:00", "3387", "Match vs Kiel", "Mia Kovac", "Back", "101", "7", "01:02:30", "4210", "120",
     "380", "900", "1500", "1310", "45", "30", "12", "27.0"],
    ["2026-03-19 19:00:00", "3387", "Match vs Kiel", "Sam Okafor", "Pivot", "102", "9", "00:48:00", "3650", "60",
     "300", "850", "1400", "1040", "38", "41", "6", "25.2"],
    ["2026-03-19 19:00:00", "3387", "Match vs Kiel", "", "Wing", "103", "11", "00:20:00", "1500", "0", "100",
     "300", "600", "500", "10", "5", "2", "24.0"],
    ["2026-03-19 19:00:00", "3387", "Match vs Kiel", "Ben Ito", "Wing", "104", "21", "00:30:00", "n/a", "0", "90",
     "280", "610", "520", "12", "6", "3", "23.4"],
]


def test_kinexon_match_export() -> None:
    read = read_one(csv_bytes(KINEXON_MATCH), "export_match.csv")
    assert read.format == "KINEXON"
    got = sessions(read)
    assert math.isnan(got[5].pop("total_distance_m"))  # the `n/a` cell is rejected alone, the row kept
    assert got == {
        # 01:02:30 = 62.5 min; 27.0 km/h / 3.6 = 7.5 m/s
        2: {"athlete_name": "Mia Kovac", "date": "2026-03-19", "session": "KINEXON session 3387",
            "duration_min": 62.5, "total_distance_m": 4210.0, "max_speed_ms": 7.5},
        # 25.2 km/h / 3.6 = 7.0 m/s
        3: {"athlete_name": "Sam Okafor", "date": "2026-03-19", "session": "KINEXON session 3387",
            "duration_min": 48.0, "total_distance_m": 3650.0, "max_speed_ms": 7.0},
        # 23.4 km/h / 3.6 = 6.5 m/s
        5: {"athlete_name": "Ben Ito", "date": "2026-03-19", "session": "KINEXON session 3387",
            "duration_min": 30.0, "max_speed_ms": 6.5},
    }
    assert [(p.row, p.column, p.value) for p in read.rejects] == [(4, "Name", ""), (5, "Distance (m)", "n/a")]
    df = read.tables["sessions"]
    assert df["hsr_distance_m"].isna().all() and df["sprint_distance_m"].isna().all()
    assert any(a.startswith("speed-category distances ('Distance (speed | Very high) (m)'") for a in read.assumptions)
    assert read.unknown_columns == [
        "Distance (speed | Very high) (m)", "Distance (speed | High) (m)", "Distance (speed | Medium) (m)",
        "Distance (speed | Low) (m)", "Distance (speed | Very low) (m)", "Changes of Direction", "Impacts", "Jumps"]
    assert_nothing_lost(read)


KINEXON_HALVES = [
    KINEXON_HEADER,
    ["2026-03-19 19:00:00", "3387", "1. Halbzeit", "Mia Kovac", "Back", "101", "7", "00:31:00", "2100", "60",
     "190", "450", "750", "650", "22", "15", "6", "26.1"],
    ["2026-03-19 19:00:00", "3387", "2. Halbzeit", "Mia Kovac", "Back", "101", "7", "00:31:30", "2110", "60",
     "190", "450", "750", "660", "23", "15", "6", "27.0"],
]


def test_kinexon_halves_are_summed_into_one_session() -> None:
    read = read_one(csv_bytes(KINEXON_HALVES), "export_HZ.csv")
    got = sessions(read)
    # 31:00 + 31:30 = 62.5 min; 2100 + 2110 = 4210 m; max(26.1, 27.0) km/h = 27.0 / 3.6 = 7.5 m/s
    assert got == {2: {"athlete_name": "Mia Kovac", "date": "2026-03-19", "session": "KINEXON session 3387",
                       "duration_min": 62.5, "total_distance_m": 4210.0, "max_speed_ms": 7.5}}
    assert read.skipped_rows == {3: "phase summed into the session row (row 2): no whole-session row"}
    assert_nothing_lost(read)


KINEXON_UTC = [
    ["Session begin date (UTC)", "Session ID", "Name", "Time on Playing Field (hh:mm:ss)", "Distance (m)",
     "Speed (max.) (km/h)"],
    ["2026-03-19 23:30:00", "3390", "Mia Kovac", "01:00:00", "6100", "28.8"],
    ["2026-03-19 08:00:00", "3391", "Mia Kovac", "00:45:00", "4000", "25.2"],
]


@pytest.mark.parametrize(("zone", "dates"), [
    # Melbourne is UTC+11 in March (daylight time until 5 April 2026): 23:30 UTC = 10:30 on the 20th,
    # 08:00 UTC = 19:00 on the 19th
    ("Australia/Melbourne", {2: "2026-03-20", 3: "2026-03-19"}),
    ("UTC", {2: "2026-03-19", 3: "2026-03-19"}),  # the default: dates as written
    # Los Angeles is UTC-7 on 19 March (daylight time from 8 March): 08:00 UTC = 01:00 on the 19th
    ("America/Los_Angeles", {2: "2026-03-19", 3: "2026-03-19"}),
    # Honolulu is UTC-10: 08:00 UTC = 22:00 on the 18th
    ("Pacific/Honolulu", {2: "2026-03-19", 3: "2026-03-18"}),
])
def test_kinexon_utc_begin_is_dated_in_the_club_time_zone(zone: str, dates: dict[int, str]) -> None:
    read = read_one(csv_bytes(KINEXON_UTC), "kinexon_utc.csv", ImportSettings(time_zone=zone))
    assert {row: s["date"] for row, s in sessions(read).items()} == dates
    assert f"'Session begin date (UTC)' is UTC: each session is dated on its local day in the club's time zone {zone}" \
        in read.assumptions


# PlayerTek (Catapult One): the columns of the public PlayerTek/Catapult CSV parsers and club scripts on
# GitHub (github.com/Seamus1992/AC-Horsens reads `Split Name` 'all', `Distance in Speed Zone 4  (km)` with
# its double space, `Accelerations Zone Count: 3 - 4 m/s/s`, `> 4 m/s/s`). Invented names and numbers.
PLAYERTEK_HEADER = [
    "Date", "Session Title", "Player Name", "Split Name", "Tags", "Split Start Time", "Split End Time", "Duration",
    "Distance (km)", "Sprint Distance (m)", "Distance Per Min (m/min)", "Top Speed (km/h)", "Power Score (w/kg)",
    "Player Load", "Impacts", "Distance in Speed Zone 1  (km)", "Distance in Speed Zone 2  (km)",
    "Distance in Speed Zone 3  (km)", "Distance in Speed Zone 4  (km)", "Distance in Speed Zone 5  (km)",
    "Accelerations Zone Count: 0 - 1 m/s/s", "Accelerations Zone Count: 1 - 2 m/s/s",
    "Accelerations Zone Count: 2 - 3 m/s/s", "Accelerations Zone Count: 3 - 4 m/s/s",
    "Accelerations Zone Count: > 4 m/s/s", "Deceleration Zone Count: 0 - 1 m/s/s",
    "Deceleration Zone Count: 1 - 2 m/s/s", "Deceleration Zone Count: 2 - 3 m/s/s",
    "Deceleration Zone Count: 3 - 4 m/s/s", "Deceleration Zone Count: > 4 m/s/s",
]
PLAYERTEK = [
    PLAYERTEK_HEADER,
    # Mia: the `all` split is the session; her halves are inside it
    ["19/03/2026", "MD vs Rovers", "Mia Kovac", "all", "", "0.6250", "0.6910", "01:35:00", "10.250", "310", "108",
     "30.6", "7.1", "820", "140", "3.100", "3.900", "2.300", "0.640", "0.310", "210", "60", "30", "12", "4", "220",
     "55", "28", "9", "3"],
    ["19/03/2026", "MD vs Rovers", "Mia Kovac", "1st half", "", "0.6250", "0.6570", "00:46:00", "5.100", "150", "111",
     "30.6", "7.0", "410", "70", "1.500", "1.950", "1.150", "0.330", "0.170", "100", "30", "15", "6", "2", "110",
     "27", "14", "5", "1"],
    # Sam: no `all` split, his two halves are summed
    ["19/03/2026", "MD vs Rovers", "Sam Okafor", "1st half", "", "0.6250", "0.6570", "00:45:00", "4.800", "90", "107",
     "27.0", "6.5", "380", "50", "1.600", "1.800", "1.000", "0.300", "0.100", "95", "28", "10", "5", "1", "100",
     "25", "12", "4", "2"],
    ["19/03/2026", "MD vs Rovers", "Sam Okafor", "2nd half", "", "0.6600", "0.6910", "00:44:30", "4.700", "80", "106",
     "28.8", "6.4", "370", "48", "1.550", "1.750", "1.050", "0.250", "0.100", "90", "26", "11", "3", "2", "98",
     "24", "10", "5", "1"],
]


def test_playertek_all_split_else_the_splits_summed() -> None:
    read = read_one(csv_bytes(PLAYERTEK), "playertek_session.csv")
    assert read.format == "PlayerTek (Catapult One)"
    df = read.tables["sessions"].set_index("athlete_name")
    mia, sam = df.loc["Mia Kovac"], df.loc["Sam Okafor"]
    # Mia, the `all` row: 10.250 km = 10250 m; HSR = zones 4 + 5 = 0.640 + 0.310 km = 950 m; sprint = zone 5
    # = 310 m; 30.6 km/h / 3.6 = 8.5 m/s; accelerations = bins from 2 m/s²: 30 + 12 + 4 = 46; decelerations
    # 28 + 9 + 3 = 40; 01:35:00 = 95 min
    assert (int(mia["source_row"]), mia["session"], str(mia["date"])[:10]) == (2, "MD vs Rovers", "2026-03-19")
    assert [round(float(mia[c]), 3) for c in ("duration_min", "total_distance_m", "hsr_distance_m",
                                               "sprint_distance_m", "max_speed_ms", "accelerations",
                                               "decelerations")] == [95.0, 10250.0, 950.0, 310.0, 8.5, 46.0, 40.0]
    # Sam, halves summed: 45 + 44.5 = 89.5 min; 4800 + 4700 = 9500 m; HSR (300 + 100) + (250 + 100) = 750 m;
    # sprint 100 + 100 = 200 m; max(27.0, 28.8) km/h = 8.0 m/s; accelerations (10+5+1) + (11+3+2) = 32;
    # decelerations (12+4+2) + (10+5+1) = 34
    assert int(sam["source_row"]) == 4
    assert [round(float(sam[c]), 3) for c in ("duration_min", "total_distance_m", "hsr_distance_m",
                                               "sprint_distance_m", "max_speed_ms", "accelerations",
                                               "decelerations")] == [89.5, 9500.0, 750.0, 200.0, 8.0, 32.0, 34.0]
    assert read.skipped_rows == {3: "split row: already counted in the `all` row (row 2)",
                                 5: "split summed into the session row (row 4): no `all` row"}
    assert read.rejects == []
    assert "Sprint Distance (m)" in read.unknown_columns  # its threshold is not in the export
    assert_nothing_lost(read)
