"""GPS readers: STATSports Apex (match and drill exports), Catapult OpenField, Polar Team Pro.

Fixtures are written here in the vendors' real shapes (names invented). Every expected value is
worked out by hand in a comment.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from types import ModuleType
from typing import Callable

import openpyxl
import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from lib import store
from lib.ingest.importer import import_files, read_file
from lib.ingest.readers import catapult, detect_format, polar, statsports
from lib.ingest.readers.base import SheetRead
from lib.ingest.sources import open_file

REAL_STATSPORTS = Path(__file__).resolve().parents[3] / "shared" / "formats" / "real" / "statsports-match-export.csv"
GPS_READERS = (statsports, catapult, polar)


def read_one(data: bytes, name: str) -> SheetRead:
    """The single sheet read of a file, failing loudly when the file was not read."""
    fr = read_file(data, name)
    assert fr.report.status != "failed", fr.report.message
    assert len(fr.reads) == 1
    return fr.reads[0][1]


def sessions_by(read: SheetRead, *keys: str) -> dict[tuple, dict[str, object]]:
    """Session rows keyed by (athlete_name, ISO date[, session])."""
    out = {}
    for rec in read.tables["sessions"].to_dict("records"):
        key = (rec["athlete_name"], f"{pd.Timestamp(rec['date']):%Y-%m-%d}", *(rec[k] for k in keys))
        out[key] = rec
    return out


def assert_nothing_lost(read: SheetRead) -> None:
    """Every data row is a source row, a rejected row or a skipped row."""
    accepted = set(read.tables["sessions"]["source_row"].astype(int))
    rejected = {p.row for p in read.rejects if p.row is not None}
    assert set(read.data_rows) == accepted | rejected | set(read.skipped_rows)
    assert not accepted & set(read.skipped_rows)


def assert_one_row_per_session(read: SheetRead) -> None:
    table = read.tables["sessions"]
    assert not table.duplicated(["athlete_name", "date", "session"]).any()


def claimed_by(data: bytes, name: str) -> str:
    sheet = open_file(data, name).sheets[0]
    found = detect_format(sheet)
    assert found is not None
    return found[0].NAME


def approx(value: float) -> object:
    return pytest.approx(value, rel=1e-9, abs=1e-9)


# ---------------------------------------------------------------------------- STATSports match

SS_MATCH = """\
Session Date,Session Title,Player Name,HML Time,Distance Per Min,HSR Per Minute (Absolute),High Speed Running (Absolute),Max Speed,Average Speed,Sprints,Sprint Distance,Accelerations,Max Acceleration,Decelerations,Total Time,Total Distance
18/02/2022,M1 Rovers MD-0,Tom  Kelly ,0:03:16,97.55,2.84,139,7.71,1.63,3,23,30,5.16,31,0:48:59,4778
4/3/2022,M4 Town (MD-0),Tom Kelly,0:04:31,95.34,7.18,422,8.06,1.59,0,0,34,5.12,33,1:02:30,5610
4/3/2022,M4 Town (MD-0),Rory Nash,0:00:00,0,0,0,0,0,0,0,0,0,0,0:00:00,0
18/02/2022,M1 Rovers MD-0,Sam Byrne,0:02:00,80,2,150,DNF,1.5,2,30,20,4.9,22,0:50:00,4000
"""


def test_statsports_match_export_rows() -> None:
    read = read_one(SS_MATCH.encode(), "apex-match.csv")
    assert read.format == "STATSports Apex"
    rows = sessions_by(read)
    assert len(rows) == 4
    tom = rows[("Tom Kelly", "2022-02-18")]  # "Tom  Kelly " cleaned
    assert tom["session"] == "M1 Rovers MD-0" and tom["session_type"] == "match"  # MD-0 in the title
    assert tom["duration_min"] == approx(48 + 59 / 60)  # 0:48:59 -> 48.983 min
    assert (tom["total_distance_m"], tom["hsr_distance_m"], tom["sprint_distance_m"]) == (4778, 139, 23)
    assert tom["max_speed_ms"] == approx(7.71)  # median 7.88 < 12.5: already m/s
    assert (tom["sprints"], tom["accelerations"], tom["decelerations"]) == (3, 30, 31)
    assert tom["device"] == "STATSports" and tom["source_row"] == 2
    later = rows[("Tom Kelly", "2022-03-04")]  # 4/3/2022 unpadded, day-first: 4 March
    assert later["duration_min"] == approx(62.5)  # 1:02:30 -> 60 + 2 + 30/60
    assert later["session"] == "M4 Town (MD-0)"


def test_statsports_zero_row_is_kept_and_dnf_rejected_alone() -> None:
    read = read_one(SS_MATCH.encode(), "apex-match.csv")
    rows = sessions_by(read)
    rest = rows[("Rory Nash", "2022-03-04")]  # all zero: a rest day, not missing
    assert rest["total_distance_m"] == 0 and rest["duration_min"] == 0 and rest["max_speed_ms"] == 0
    sam = rows[("Sam Byrne", "2022-02-18")]
    assert pd.isna(sam["max_speed_ms"]) and sam["total_distance_m"] == 4000 and sam["sprints"] == 2
    assert [(p.file, p.sheet, p.row, p.column, p.value) for p in read.rejects] == [
        ("apex-match.csv", "", 5, "Max Speed", "DNF")]
    assert any("Max Speed` has no unit" in a and "m/s" in a for a in read.assumptions)
    assert_nothing_lost(read)


# ---------------------------------------------------------------------------- STATSports drills

SS_DRILL_HEADER = [
    "Session Date", "Session Day of Week", "Session Title", "Player Name", "Player Last Name", "Player Position",
    "Drill Title", "Session Type", "Distance Total", "High Speed Running (Absolute)", "Sprint Distance",
    "Distance Zone 6 (Absolute)", "Max Speed", "Sprints", "Accelerations", "Decelerations", "Total Time",
]
SS_DRILL_ROWS = [
    # match day: Entire Session plus two halves that must not be added on top of it
    ["22/04/2022", "Friday", "Derry MD", "Tom", "Kelly", "Midfielder", "Entire Session", "MatchDay",
     "6000", "400", "60", "50", "30.6", "4", "40", "45", "1:35:00"],
    ["22/04/2022", "Friday", "Derry MD", "Tom", "Kelly", "Midfielder", "First Half", "MatchDay",
     "3000", "200", "30", "25", "30.6", "2", "20", "22", "0:47:00"],
    ["22/04/2022", "Friday", "Derry MD", "Tom", "Kelly", "Midfielder", "Second Half", "MatchDay",
     "3000", "200", "X", "25", "29.0", "2", "20", "23", "0:48:00"],  # text in a skipped drill: no reject
    # MD-1 with drills only: summed
    ["21/04/2022", "Thursday", "MD-1 Training", "Tom", "Kelly", "Midfielder", "Warm Up", "MatchDayMinusOne",
     "1200", "50", "0", "0", "21.6", "0", "5", "4", "0:20:00"],
    ["21/04/2022", "Thursday", "MD-1 Training", "Tom", "Kelly", "Midfielder", "Rondos", "MatchDayMinusOne",
     "1800", "150", "20", "10", "27.0", "1", "8", "9", "0:25:30"],
    # a second player, Entire Session with a DNF
    ["22/04/2022", "Friday", "Derry MD", "Ana", "Costa", "Defender", "Entire Session", "MatchDay",
     "5500", "300", "40", "30", "28.8", "3", "DNF", "30", "1:30:00"],
    ["22/04/2022", "Friday", "Derry MD", "Ana", "Costa", "Defender", "First Half", "MatchDay",
     "2800", "150", "20", "15", "28.8", "2", "18", "15", "0:45:00"],
]


def ss_drill_csv() -> bytes:
    return "\n".join(",".join(r) for r in [SS_DRILL_HEADER, *SS_DRILL_ROWS]).encode()


def ss_drill_xlsx(path: Path) -> bytes:
    """The drill export as Excel writes it: dates and times as real cells, numbers as numbers."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Drills"
    ws.append(SS_DRILL_HEADER)
    for row in SS_DRILL_ROWS:
        day, month, year = (int(x) for x in row[0].split("/"))
        h, m, s = (int(x) for x in row[-1].split(":"))
        cells: list[object] = [dt.datetime(year, month, day), *row[1:8]]
        cells += [float(v) if v.replace(".", "").isdigit() else v for v in row[8:16]]
        cells.append(dt.time(h, m, s))
        ws.append(cells)
    ws.cell(2, 17).number_format = "h:mm:ss"
    wb.save(path)
    return path.read_bytes()


def check_drill_read(read: SheetRead, sheet: str) -> None:
    rows = sessions_by(read, "session")
    assert set(rows) == {("Tom Kelly", "2022-04-22", "Derry MD"), ("Tom Kelly", "2022-04-21", "MD-1 Training"),
                         ("Ana Costa", "2022-04-22", "Derry MD")}  # Player Name + Player Last Name joined
    md = rows[("Tom Kelly", "2022-04-22", "Derry MD")]
    # the Entire Session row alone: 6000 m, not 6000 + 3000 + 3000
    assert (md["total_distance_m"], md["hsr_distance_m"], md["sprint_distance_m"]) == (6000, 400, 60)
    assert md["max_speed_ms"] == approx(8.5)  # 30.6 km/h / 3.6 = 8.5 m/s
    assert md["duration_min"] == approx(95)  # 1:35:00
    assert (md["sprints"], md["accelerations"], md["decelerations"]) == (4, 40, 45)
    assert md["session_type"] == "match" and md["source_row"] == 2
    md1 = rows[("Tom Kelly", "2022-04-21", "MD-1 Training")]
    # no Entire Session: Warm Up + Rondos
    assert md1["total_distance_m"] == 3000  # 1200 + 1800
    assert md1["hsr_distance_m"] == 200  # 50 + 150
    assert md1["sprint_distance_m"] == 20  # 0 + 20
    assert md1["max_speed_ms"] == approx(7.5)  # max(21.6, 27.0) = 27.0 km/h / 3.6
    assert md1["duration_min"] == approx(45.5)  # 20:00 + 25:30
    assert (md1["sprints"], md1["accelerations"], md1["decelerations"]) == (1, 13, 13)  # 0+1, 5+8, 4+9
    assert md1["session_type"] == "MatchDayMinusOne" and md1["source_row"] == 5
    ana = rows[("Ana Costa", "2022-04-22", "Derry MD")]
    assert pd.isna(ana["accelerations"]) and ana["total_distance_m"] == 5500 and ana["max_speed_ms"] == approx(8.0)
    # only the DNF in a used row is rejected; the `X` in a drill row covered by Entire Session is not read
    assert [(p.sheet, p.row, p.column, p.value) for p in read.rejects] == [(sheet, 7, "Accelerations", "DNF")]
    assert set(read.skipped_rows) == {3, 4, 6, 8}
    assert "Entire Session" in read.skipped_rows[3] and "summed" in read.skipped_rows[6]
    assert any("read as km/h" in a for a in read.assumptions)
    assert any("summed" in a for a in read.assumptions)
    assert "Player Position" in read.unknown_columns and "Distance Zone 6 (Absolute)" in read.unknown_columns
    assert_nothing_lost(read)
    assert_one_row_per_session(read)


def test_statsports_drill_csv_uses_entire_session_else_sums_drills() -> None:
    check_drill_read(read_one(ss_drill_csv(), "apex-drills.csv"), "")


def test_statsports_drill_xlsx_reads_the_same(tmp_path: Path) -> None:
    data = ss_drill_xlsx(tmp_path / "apex-drills.xlsx")
    check_drill_read(read_one(data, "apex-drills.xlsx"), "Drills")



@pytest.mark.parametrize("container", ["csv", "xlsx"])
def test_statsports_blank_last_name_leaves_the_player_name(container: str, tmp_path: Path) -> None:
    """A blank `Player Last Name` next to a full `Player Name` adds nothing to the name: the Rondos
    row stays Tom Kelly's (it once became a new athlete 'Tom Kelly nan', when a column of text
    cells was read with NaN for its blanks)."""
    rows = [r[:3] + ["Tom Kelly", "" if r[6] == "Rondos" else "Kelly"] + r[5:] for r in SS_DRILL_ROWS[:5]]
    if container == "csv":
        data = "\n".join(",".join(r) for r in [SS_DRILL_HEADER, *rows]).encode()
    else:
        wb = openpyxl.Workbook()
        for r in [SS_DRILL_HEADER, *rows]:
            wb.active.append([v or None for v in r])
        wb.save(tmp_path / "drills.xlsx")
        data = (tmp_path / "drills.xlsx").read_bytes()
    rows_by = sessions_by(read_one(data, f"drills.{container}"), "session")
    assert set(rows_by) == {("Tom Kelly", "2022-04-22", "Derry MD"), ("Tom Kelly", "2022-04-21", "MD-1 Training")}
    assert rows_by[("Tom Kelly", "2022-04-21", "MD-1 Training")]["total_distance_m"] == 3000  # Warm Up 1200 + Rondos 1800

def test_statsports_max_speed_unit_from_header() -> None:
    text = SS_MATCH.replace(",Max Speed,", ",Max Speed (km/h),").replace(",7.71,", ",27.0,")
    read = read_one(text.encode(), "apex-kmh.csv")
    # the header says km/h: 27.0 km/h / 3.6 = 7.5 m/s, and 8.06 km/h / 3.6 = 2.239 m/s (trusted, not inferred)
    rows = sessions_by(read)
    assert rows[("Tom Kelly", "2022-02-18")]["max_speed_ms"] == approx(7.5)
    assert rows[("Tom Kelly", "2022-03-04")]["max_speed_ms"] == approx(8.06 / 3.6)
    assert not any("has no unit" in a for a in read.assumptions)


def test_statsports_real_export_matches_the_file() -> None:
    if not REAL_STATSPORTS.exists():
        pytest.skip("shared real STATSports sample not available")
    data = REAL_STATSPORTS.read_bytes()
    source = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    read = read_one(data, REAL_STATSPORTS.name)
    table = read.tables["sessions"]
    assert len(read.data_rows) == len(source) == len(table)  # a match export: every row is a session
    assert not read.rejects and not read.skipped_rows
    assert any("Max Speed` has no unit" in a and "read as m/s" in a for a in read.assumptions)
    by_row = table.set_index("source_row")
    for i in (0, 1, len(source) // 2, len(source) - 1):
        src, got = source[i], by_row.loc[i + 2]
        assert got["athlete_name"] == " ".join(src["Player Name"].split())
        assert got["session"] == " ".join(src["Session Title"].split())
        day, month, year = (int(x) for x in src["Session Date"].split("/"))
        assert pd.Timestamp(got["date"]) == pd.Timestamp(year, month, day)
        h, m, s = (int(x) for x in src["Total Time"].split(":"))
        assert got["duration_min"] == approx(h * 60 + m + s / 60)
        assert got["total_distance_m"] == float(src["Total Distance"])
        assert got["hsr_distance_m"] == float(src["High Speed Running (Absolute)"])
        assert got["max_speed_ms"] == float(src["Max Speed"])
        assert got["accelerations"] == float(src["Accelerations"])
    assert_nothing_lost(read)


# ----------------------------------------------------------------------------------- Catapult

CATAPULT = """\
Date:,03/05/2026
Start Time:,14:48:14
Unix Start Time:,1777819694
Num Periods:,3

Player Name,Period Name,Period Number,Total Distance,Velocity Band 4 Total Distance,Velocity Band 5 Total Distance,Velocity Band 6 Total Distance,Velocity Band 7 Total Distance,Total Player Load,Maximum Velocity,IMA Accel High,IMA Decel High,Total Duration
Agust Orri T.,Session,0,10500,2000,700,150,42.5,620,8.9,12,10,01:35:00
Agust Orri T.,Fyrri halfleikur,1,5300,1000,350,80,20,310,8.9,6,5,00:47:00
Agust Orri T.,Seinni halfleikur,2,5200,1000,350,70,22.5,310,8.2,6,5,00:48:00
Bjartur B.,Fyrri halfleikur,1,5200,1000,300,80,0,300,8.1,6,5,00:46:30
Bjartur B.,Seinni halfleikur,2,5000,900,250,60,10,290,8.6,4,7,00:48:00
Kari Jons,Session,0,9000,1500,500,100,20,500,DNF,8,9,01:30:00
"""


def test_catapult_session_period_else_halves_summed() -> None:
    read = read_one(CATAPULT.encode(), "Match vs KR.csv")
    assert read.format == "Catapult OpenField"
    rows = sessions_by(read, "session")
    # Unix Start Time 1777819694 = 2026-05-03 14:48:14 UTC, so `Date: 03/05/2026` is day-first
    assert set(rows) == {(n, "2026-05-03", "Match vs KR") for n in ("Agust Orri T.", "Bjartur B.", "Kari Jons")}
    agust = rows[("Agust Orri T.", "2026-05-03", "Match vs KR")]  # the Session row only, never + halves
    assert agust["total_distance_m"] == 10500
    assert agust["hsr_distance_m"] == approx(892.5)  # bands 5+6+7: 700 + 150 + 42.5
    assert agust["sprint_distance_m"] == approx(192.5)  # bands 6+7: 150 + 42.5
    assert agust["max_speed_ms"] == approx(8.9) and agust["duration_min"] == approx(95)
    assert (agust["accelerations"], agust["decelerations"], agust["source_row"]) == (12, 10, 7)
    assert agust["device"] == "Catapult"
    bjartur = rows[("Bjartur B.", "2026-05-03", "Match vs KR")]  # no Session row: halves summed
    assert bjartur["total_distance_m"] == 10200  # 5200 + 5000
    assert bjartur["hsr_distance_m"] == approx(700)  # (300 + 80 + 0) + (250 + 60 + 10) = 380 + 320
    assert bjartur["sprint_distance_m"] == approx(150)  # (80 + 0) + (60 + 10)
    assert bjartur["max_speed_ms"] == approx(8.6)  # max(8.1, 8.6)
    assert bjartur["duration_min"] == approx(94.5)  # 46.5 + 48
    assert (bjartur["accelerations"], bjartur["decelerations"]) == (10, 12)  # 6 + 4, 5 + 7
    kari = rows[("Kari Jons", "2026-05-03", "Match vs KR")]
    assert pd.isna(kari["max_speed_ms"]) and kari["total_distance_m"] == 9000
    assert [(p.row, p.column, p.value) for p in read.rejects] == [(12, "Maximum Velocity", "DNF")]
    assert set(read.skipped_rows) == {8, 9, 11}
    assert "Total Player Load" in read.unknown_columns
    joined = " | ".join(read.assumptions)
    assert "bands 5-7" in joined and "bands 6-7" in joined and "account settings" in joined
    assert "Unix Start Time" in joined and "file name 'Match vs KR'" in joined
    assert_nothing_lost(read)
    assert_one_row_per_session(read)


CATAPULT_US = """\
Activity Name:,Tuesday Practice
Date:,05/03/2026
Start Time:,08:30:00

Player Name,Period Name,Period Number,Total Distance (y),HIR Distance (y),Velocity Band 5 Total Distance (y),Maximum Velocity (mph),IMA Accel High,Total Duration
Jake Miller,Session,0,1000,100,80,20,7,75
Jake Miller,Drill 1,1,600,60,50,20,4,40
"""


def test_catapult_us_account_yards_mph_and_explicit_hir() -> None:
    read = read_one(CATAPULT_US.encode(), "ctr.csv")
    rows = sessions_by(read, "session")
    # no Unix time; yards and mph mark a US account, so `05/03/2026` is read month-first: 3 May
    jake = rows[("Jake Miller", "2026-05-03", "Tuesday Practice")]
    assert jake["total_distance_m"] == approx(914.4)  # 1000 y x 0.9144
    assert jake["hsr_distance_m"] == approx(91.44)  # explicit HIR Distance preferred over band 5: 100 y
    assert jake["max_speed_ms"] == approx(8.9408)  # 20 mph x 0.44704
    assert jake["duration_min"] == approx(75)  # plain number, median 75 <= 300: minutes
    assert pd.isna(jake["sprint_distance_m"]) and jake["accelerations"] == 7
    joined = " | ".join(read.assumptions)
    assert "month-first" in joined and "yards" in joined and "HIR Distance (y)" in joined
    assert_nothing_lost(read)


def test_catapult_without_a_date_is_refused_with_a_reason() -> None:
    text = "\n".join(CATAPULT.splitlines()[5:])  # header and rows, no preamble
    fr = read_file(text.encode(), "nodate.csv")
    assert fr.report.status == "failed" and "without a date" in fr.report.message


# -------------------------------------------------------------------------------------- Polar

POLAR_HEADER = (
    "Player number,Player name,Session name,Type,Phase name,Duration,Start time,End time,HR max [bpm],"
    "Total distance [m],Maximum speed [km/h],Sprints,"
    "Distance in Speed zone 1 [m] (10.00 - 17.99 km/h),Distance in Speed zone 2 [m] (18.00 - 20.99 km/h),"
    "Distance in Speed zone 3 [m] (21.00 - 23.99 km/h),Distance in Speed zone 4 [m] (24.00 - 26.99 km/h),"
    "Distance in Speed zone 5 [m] (27.00- km/h),"
    "Number of accelerations (-50.00 - -2.70 m/s²),Number of accelerations (-2.69 - -2.00 m/s²),"
    "Number of accelerations (-1.99 - -1.00 m/s²),Number of accelerations (1.00 - 1.99 m/s²),"
    "Number of accelerations (2.00 - 2.69 m/s²),Number of accelerations (2.70 - 50.00 m/s²)"
)
POLAR_ROWS = [
    # whole session (empty phase name) and a phase inside it
    "7,Anna Berg,Tuesday training,Training,,01:30:00,21-03-2024 17:30:00,21-03-2024 19:00:00,190,"
    "6000,28.8,5,1500,400,300,200,100,3,4,20,25,6,2",
    "7,Anna Berg,Tuesday training,Training,Warm-up,00:20:00,21-03-2024 17:30:00,21-03-2024 17:50:00,170,"
    "1500,20,0,600,50,0,0,0,0,1,5,8,1,0",
    # phases only: summed
    "9,Lena Holm,Tuesday training,Training,Warm-up,00:20:00,21-03-2024 17:30:00,21-03-2024 17:50:00,165,"
    "1400,19.8,0,500,40,0,0,0,0,0,6,7,0,0",
    "9,Lena Holm,Tuesday training,Training,Game,01:05:30,21-03-2024 17:55:00,21-03-2024 19:00:30,188,"
    "4200,30.6,4,1200,300,250,150,80,2,3,10,12,5,1",
    # a text cell in a used row
    "11,Mia Sund,Tuesday training,Training,,01:30:00,21-03-2024 17:30:00,21-03-2024 19:00:00,185,"
    "5800,N/A,3,1400,380,280,190,90,1,2,15,20,4,3",
]


def polar_csv() -> bytes:
    return "\n".join([POLAR_HEADER, *POLAR_ROWS]).encode()


def test_polar_zones_accelerations_and_phases() -> None:
    read = read_one(polar_csv(), "polar-team-pro.csv")
    assert read.format == "Polar Team Pro"
    rows = sessions_by(read, "session")
    anna = rows[("Anna Berg", "2024-03-21", "Tuesday training")]  # whole-session row, warm-up not added
    assert anna["total_distance_m"] == 6000 and anna["duration_min"] == approx(90)
    assert anna["max_speed_ms"] == approx(8.0)  # 28.8 km/h / 3.6
    assert anna["hsr_distance_m"] == 600  # zones 3-5 (from 21 km/h): 300 + 200 + 100
    assert anna["sprint_distance_m"] == 100  # zone 5 (from 27 km/h)
    assert anna["accelerations"] == 8  # bins 2.00-2.69 and 2.70-50: 6 + 2
    assert anna["decelerations"] == 7  # bins -50..-2.70 and -2.69..-2.00: 3 + 4
    assert anna["sprints"] == 5 and anna["session_type"] == "Training" and anna["device"] == "Polar"
    lena = rows[("Lena Holm", "2024-03-21", "Tuesday training")]  # no whole-session row: phases summed
    assert lena["total_distance_m"] == 5600  # 1400 + 4200
    assert lena["duration_min"] == approx(85.5)  # 20:00 + 1:05:30
    assert lena["max_speed_ms"] == approx(8.5)  # max(19.8, 30.6) = 30.6 km/h / 3.6
    assert lena["hsr_distance_m"] == 480  # (0 + 0 + 0) + (250 + 150 + 80)
    assert lena["sprint_distance_m"] == 80  # zone 5: 0 + 80
    assert (lena["accelerations"], lena["decelerations"]) == (6, 5)  # (0+0)+(5+1), (0+0)+(2+3)
    assert lena["source_row"] == 4
    mia = rows[("Mia Sund", "2024-03-21", "Tuesday training")]
    assert pd.isna(mia["max_speed_ms"]) and mia["hsr_distance_m"] == 560  # 280 + 190 + 90
    assert [(p.row, p.column, p.value) for p in read.rejects] == [(6, "Maximum speed [km/h]", "N/A")]
    assert read.skipped_rows.keys() == {3, 5}
    hsr_note = next(a for a in read.assumptions if a.startswith("HSR distance"))
    # the zones do not start at 19.8 km/h: zone 2 (18.00 - 20.99) straddles it and is left out
    assert "zones 3, 4, 5" in hsr_note and "zone 2" in hsr_note and "understated" in hsr_note
    assert any(a.startswith("sprint distance = speed zone 5") for a in read.assumptions)
    assert read.unknown_columns == ["HR max [bpm]"]
    assert_nothing_lost(read)
    assert_one_row_per_session(read)


def test_polar_zone_edges_on_the_thresholds() -> None:
    header = POLAR_HEADER.replace("(18.00 - 20.99 km/h)", "(14.40 - 19.79 km/h)").replace(
        "(21.00 - 23.99 km/h)", "(19.80 - 25.19 km/h)").replace("(24.00 - 26.99 km/h)", "(25.20 - 28.79 km/h)")
    read = read_one("\n".join([header, POLAR_ROWS[0]]).encode(), "polar-b.csv")
    anna = sessions_by(read)[("Anna Berg", "2024-03-21")]
    assert anna["hsr_distance_m"] == 600  # zones 3, 4, 5 from 19.8 km/h: 300 + 200 + 100
    assert anna["sprint_distance_m"] == 300  # zones 4, 5 from 25.2 km/h: 200 + 100
    assert not any("understated" in a for a in read.assumptions)


# ----------------------------------------------------------------------------- detection, store

@pytest.mark.parametrize(("name", "make", "reader"), [
    ("apex-match.csv", lambda _p: SS_MATCH.encode(), statsports),
    ("apex-drills.csv", lambda _p: ss_drill_csv(), statsports),
    ("apex-drills.xlsx", lambda p: ss_drill_xlsx(p / "apex-drills.xlsx"), statsports),
    ("ctr.csv", lambda _p: CATAPULT.encode(), catapult),
    ("ctr-us.csv", lambda _p: CATAPULT_US.encode(), catapult),
    ("polar.csv", lambda _p: polar_csv(), polar),
])
def test_detection_picks_the_right_reader_only(tmp_path: Path, name: str, make: Callable[[Path], bytes],
                                               reader: ModuleType) -> None:
    data = make(tmp_path)
    assert claimed_by(data, name) == reader.NAME
    sheet = open_file(data, name).sheets[0]
    for other in GPS_READERS:
        if other is not reader:
            assert other.detect(sheet) is None, other.NAME


def test_gps_files_land_in_the_store(tmp_path: Path) -> None:
    engine: Engine = store.connect(tmp_path / "db.sqlite")
    try:
        reports = import_files(engine, [("apex-drills.csv", ss_drill_csv()), ("ctr.csv", CATAPULT.encode()),
                                        ("polar.csv", polar_csv())])
        assert [r.status for r in reports] == ["imported"] * 3
        sessions = store.read_table(engine, "sessions")
        # 3 STATSports + 3 Catapult + 3 Polar sessions
        assert len(sessions) == 9
        assert set(sessions["device"]) == {"STATSports", "Catapult", "Polar"}
        tom = sessions[(sessions.athlete_id == "tom-kelly") & (sessions.session == "Derry MD")]
        assert tom["total_distance_m"].tolist() == [6000]
    finally:
        store.dispose_all()
