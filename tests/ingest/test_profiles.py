"""Format profiles (lib.ingest.profiles): the header signature, the profile file and its checks,
the canonical rows a profile reads (values worked by hand; rows in = accepted + rejected + skipped),
the importer's hook (a stored profile of the exact shape first; `--profile` for any sheet that has
its columns), the store (versions, roles, audit log), and the promise that a profile never changes
rows already imported."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from lib import store
from lib.core.access import AccessDenied
from lib.ingest import profile_guess, profiles
from lib.ingest.importer import ImportSettings, import_file, import_files, read_file
from lib.ingest.profiles import ColumnMap, Profile, ProfileError
from lib.ingest.sources import open_file
from tests.conftest import FD_ROWS, FORCEDECKS_HEADER, forcedecks_csv

# A club's own hop sheet, as a physio keeps it in Excel and saves as CSV: a title row above the
# header, one row per leg with the leg in its own `Foot` column, distances in metres, a foul written
# X. No built-in reader claims it (with the column headed `Leg` the roster reader takes it for a
# roster of names and sides, the hop values lost: `test_a_sheet_read_in_part_is_said_so`).
HOPS = b"""Northside FC - return to run testing,,,,,,
Player,Test day,Time,Foot,Single hop (m),Triple hop (m),Comments
Mia Kovac,12/11/2026,09:05,L,1.52,4.61,felt good
Mia Kovac,12/11/2026,09:07,R,1.60,4.80,
Mia Kovac,12/11/2026,09:15,L,1.55,X,foul
Tom Reyes,13/11/2026,10:00,Left,1.40,4.20,
Tom Reyes,13/11/2026,10:02,both,,,
,13/11/2026,10:04,R,1.38,4.10,
Tom Reyes,31/11/2026,10:06,R,1.38,4.10,
Tom Reyes,13/11/2026,10:08,Q,1.38,4.10,
"""
HOPS_PROFILE = Profile("Northside hops", (
    ColumnMap("Player", "athlete"), ColumnMap("Test day", "date"), ColumnMap("Time", "time"), ColumnMap("Foot", "side"),
    ColumnMap("Single hop (m)", "test", test="single_hop", metric="distance", unit="m", side="column"),
    ColumnMap("Triple hop (m)", "test", test="triple_hop", metric="distance", unit="m", side="column"),
    ColumnMap("Comments", "ignore"),
))


def daily_workbook(rows: list[list[object]] | None = None) -> bytes:
    """A club's daily sheet (GPS summary and wellness answers in one row per athlete), written by openpyxl."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Daily"
    ws.append(["Athlete", "Date", "Session", "Duration", "Distance (km)", "HSR (m)", "Top speed (km/h)",
               "Sleep quality", "Soreness (0-10)", "RPE"])
    day = pd.Timestamp("2026-11-12").to_pydatetime()
    for row in rows or [
        ["Mia Kovac", day, "Training", 75, 6.2, 410, 30.6, 4, 2, 6],
        ["Tom Reyes", day, "Training", 80, 7.0, 520, 47, 5, 1, 7],
        ["Ana Silva", day, "Training", 70, "abc", 300, 28.8, 6, None, 5],
    ]:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


DAILY_PROFILE = Profile("Daily sheet", (
    ColumnMap("Athlete", "athlete"), ColumnMap("Date", "date"), ColumnMap("Session", "gps", field="session"),
    ColumnMap("Duration", "gps", field="duration_min", unit="min"),
    ColumnMap("Distance (km)", "gps", field="total_distance_m", unit="km"),
    ColumnMap("HSR (m)", "gps", field="hsr_distance_m", unit="m"),
    ColumnMap("Top speed (km/h)", "gps", field="max_speed_ms", unit="km/h"),
    ColumnMap("Sleep quality", "wellness", item="sleep", scale="1-5", direction="higher is better"),
    ColumnMap("Soreness (0-10)", "wellness", item="soreness", scale="0-10", direction="higher is worse"),
    ColumnMap("RPE", "wellness", item="rpe", scale="0-10", direction="higher is worse"),
), device="Club GPS")


def sheet_of(data: bytes, name: str):  # noqa: ANN201 - a Sheet
    return open_file(data, name).sheets[0]


def accounted(read) -> None:  # noqa: ANN001 - a SheetRead
    """Every data row is accepted, rejected or skipped."""
    produced = set()
    for df in read.tables.values():
        produced |= set(df["source_row"].astype(int))
    rejected = {p.row for p in read.rejects if p.row is not None}
    assert set(read.data_rows) == produced | rejected | set(read.skipped_rows)


# ---------------------------------------------------------------------------------- signature

@pytest.mark.parametrize(("header", "same"), [
    (["Player", "Test day", "Time"], True),
    (["Time", "Player", "Test day"], True),  # columns dragged elsewhere: the same shape
    ([" PLAYER ", "test  day", "\ufefftime"], True),  # case, spaces, a BOM: as every reader normalises headers
    (["Player", "Test day", "Time", None, ""], True),  # blank cells are not columns
    (["Player", "Test day"], False),  # a column less
    (["Player", "Test day", "Time", "Notes"], False),  # a column more
    (["Player", "Test date", "Time"], False),  # a column renamed
])
def test_header_signature_is_the_multiset_of_normalised_headers(header: list[object], same: bool) -> None:
    assert (profiles.header_signature(header) == profiles.header_signature(["Player", "Test day", "Time"])) is same


def test_unit_brackets_are_one_header() -> None:
    assert profiles.header_signature(["Hop [cm]"]) == profiles.header_signature(["hop (cm)"])


# ------------------------------------------------------------------------------ the file

def test_profile_file_round_trips_and_is_one_column_a_line() -> None:
    text = profiles.profile_json(HOPS_PROFILE)
    assert profiles.parse_profile(text, "northside.json") == HOPS_PROFILE
    lines = text.splitlines()
    assert lines[1] == '  "rts_format_profile": 1,'
    assert '    {"header": "Foot", "is": "side"},' in lines  # a diff of two versions shows the changed column
    assert json.loads(text)["columns"][4] == {"header": "Single hop (m)", "is": "test", "test": "single_hop",
                                              "metric": "distance", "unit": "m", "side": "column"}


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.update(name=""), "name: a profile needs a name"),
    (lambda d: d["columns"][4].update(metric="hop length"), "columns[4] 'Single hop (m)': metric: 'hop length' is not a metric"),
    (lambda d: d["columns"][4].update(unit="kg"), "columns[4] 'Single hop (m)': unit: kg cannot be converted to cm"),
    (lambda d: d["columns"][4].update(test="long jump"), "columns[4] 'Single hop (m)': test: 'long jump' is not a test"),
    (lambda d: d["columns"][1].update({"is": "when"}), "columns[1] 'Test day': is: 'when' is not a kind of column"),
    (lambda d: d["columns"][1].update(colour="red"), "columns[1]: 'colour' is not a column field"),
    (lambda d: d.update(team="first"), "team: not a profile field"),
    (lambda d: d["columns"].pop(3), "a test result takes its side 'from the row's side column', and no column is 'side'"),
    (lambda d: d["columns"].pop(0), "columns: no column is 'athlete'"),
    (lambda d: d["columns"][6].update(header="Player"), "columns[6] 'Player': the header is also columns[0]'s"),
    (lambda d: d.update(date_order="ymd"), "date_order: 'ymd' is not one of auto, dmy, mdy"),
    (lambda d: d.update(rts_format_profile=2), "rts_format_profile: 2 is not a profile layout this version reads"),
    (lambda d: d["columns"][4].update(header=4), "columns[4].header: must be text"),
])
def test_a_bad_profile_file_is_refused_naming_the_field(edit, message: str) -> None:  # noqa: ANN001
    raw = json.loads(profiles.profile_json(HOPS_PROFILE))
    edit(raw)
    with pytest.raises(ProfileError) as err:
        profiles.parse_profile(json.dumps(raw), "northside.json")
    assert str(err.value).startswith("northside.json: ")
    assert message in str(err.value)


@pytest.mark.parametrize(("text", "message"), [
    ("{\"name\": ", "northside.json: not a format profile file (JSON error at line 1, column 10"),
    ("[1, 2]", "northside.json: not a format profile file (it must be a JSON object"),
    ("{\"name\": \"x\"}", "northside.json: not a format profile file (it must be a JSON object"),
])
def test_a_file_that_is_no_profile_says_so(text: str, message: str) -> None:
    with pytest.raises(ProfileError, match=None) as err:
        profiles.parse_profile(text, "northside.json")
    assert str(err.value).startswith(message)


def test_a_wellness_column_needs_its_scale_and_direction() -> None:
    column = ColumnMap("Sleep", "wellness", item="sleep", scale="five", direction="up")
    assert profiles.column_problems(column) == [
        "scale: 'five' is not a range like 1-5 or 0-10",
        "direction: 'up' is not one of 'higher is better', 'higher is worse'"]
    assert profiles.column_problems(ColumnMap("RPE", "wellness", item="rpe", scale="6-20", direction="higher is worse")) == [
        "scale: RPE is read on CR-10 (0-10); a Borg 6-20 column is not converted"]


# ---------------------------------------------------------------------------------- reading

def test_a_hop_sheet_with_a_side_column_in_metres() -> None:
    read = profiles.apply(HOPS_PROFILE, sheet_of(HOPS, "northside_hops.csv"), exact=True)
    tests = read.tables["tests"].sort_values(["source_row", "test"])
    got = [(r.source_row, r.athlete_name, f"{r.date:%Y-%m-%d}", r.time, r.test, r.side, r.trial, round(r.value, 6))
           for r in tests.itertuples()]
    assert got == [
        (3, "Mia Kovac", "2026-11-12", "09:05", "single_hop", "left", 1, 152.0),  # 1.52 m x 100 = 152 cm
        (3, "Mia Kovac", "2026-11-12", "09:05", "triple_hop", "left", 1, 461.0),  # 4.61 m = 461 cm
        (4, "Mia Kovac", "2026-11-12", "09:07", "single_hop", "right", 1, 160.0),
        (4, "Mia Kovac", "2026-11-12", "09:07", "triple_hop", "right", 1, 480.0),
        (5, "Mia Kovac", "2026-11-12", "09:15", "single_hop", "left", 2, 155.0),  # her second left single hop
        (6, "Tom Reyes", "2026-11-13", "10:00", "single_hop", "left", 1, 140.0),  # `Left` is L
        (6, "Tom Reyes", "2026-11-13", "10:00", "triple_hop", "left", 1, 420.0),
    ]
    assert set(tests["unit"]) == {"cm"} and set(tests["device"]) == {"Northside hops"}
    rejects = [(p.row, p.column, p.value, p.problem) for p in read.rejects]
    assert rejects == [
        (8, "Player", "", "no athlete name"),
        (9, "Test day", "31/11/2026", "date missing or not a date"),  # November has 30 days
        (10, "Foot", "Q", "side is not left, right or both (L, R, B)"),
        (5, "Triple hop (m)", "X", "not a number: value rejected, rest of the row kept"),  # the foul: that cell only
    ]
    assert read.skipped_rows == {7: "no value in this row (every column the profile imports is blank)"}
    assert read.data_rows == [3, 4, 5, 6, 7, 8, 9, 10]  # the title row and the header are not data
    accounted(read)
    assert read.unknown_columns == []  # `Comments` is ignored on purpose, not unknown


def test_a_daily_sheet_of_gps_and_wellness() -> None:
    read = profiles.apply(DAILY_PROFILE, sheet_of(daily_workbook(), "daily.xlsx"), exact=True)
    sessions = read.tables["sessions"].set_index("athlete_name")
    assert sessions.loc["Mia Kovac", "total_distance_m"] == pytest.approx(6200)  # 6.2 km x 1000
    assert sessions.loc["Mia Kovac", "max_speed_ms"] == pytest.approx(8.5)  # 30.6 km/h / 3.6
    assert sessions.loc["Mia Kovac", "duration_min"] == 75 and sessions.loc["Mia Kovac", "hsr_distance_m"] == 410
    assert pd.isna(sessions.loc["Tom Reyes", "max_speed_ms"])  # 47 km/h / 3.6 = 13.1 m/s: a GPS spike
    assert pd.isna(sessions.loc["Ana Silva", "total_distance_m"]) and sessions.loc["Ana Silva", "max_speed_ms"] == pytest.approx(8.0)
    assert set(sessions["session"]) == {"Training"} and set(sessions["device"]) == {"Club GPS"}
    wellness = {(r.athlete_name, r.item): r.value for r in read.tables["wellness"].itertuples()}
    assert wellness == {
        ("Mia Kovac", "sleep"): 4, ("Tom Reyes", "sleep"): 5,  # 1-5, higher is better: McLean's own scale
        ("Mia Kovac", "soreness"): 2, ("Tom Reyes", "soreness"): 1,  # 0-10, higher is worse: as written
        ("Mia Kovac", "rpe"): 6, ("Tom Reyes", "rpe"): 7, ("Ana Silva", "rpe"): 5,  # CR-10
    }
    problems = {(p.row, p.column): p.problem for p in read.rejects}
    assert problems[(3, "Top speed (km/h)")].startswith("faster than 12.5 m/s")
    assert problems[(4, "Distance (km)")] == "not a number: value rejected, rest of the row kept"
    assert problems[(4, "Sleep quality")] == "outside the 1-5 scale of this column"
    accounted(read)


def test_the_direction_a_profile_gives_turns_a_scale_round() -> None:
    """A club whose sleep question reads 1 = slept very well ... 5 = very badly: 4 is a poor night.
    On McLean's 1-5 (5 = best) that is 1 + 4 x (1 - (4 - 1) / 4) = 2."""
    worse = dataclass_replace(DAILY_PROFILE, 7, direction="higher is worse")
    read = profiles.apply(worse, sheet_of(daily_workbook(), "daily.xlsx"), exact=True)
    sleep = read.tables["wellness"].query("item == 'sleep'").set_index("athlete_name")["value"]
    assert sleep.to_dict() == {"Mia Kovac": 2.0, "Tom Reyes": 1.0}  # 5 -> 1 + 4 x (1 - 4/4) = 1


def dataclass_replace(profile: Profile, index: int, **changes: str) -> Profile:
    import dataclasses

    columns = list(profile.columns)
    columns[index] = dataclasses.replace(columns[index], **changes)
    return dataclasses.replace(profile, columns=tuple(columns))


def test_non_finite_numbers_and_dates_are_rejected_as_for_readers() -> None:
    sheet = sheet_of(b"Player,Test day,Single hop (m)\nMia Kovac,12/11/2026,inf\nMia Kovac,12/11/1850,1.5\n"
                     b"Mia Kovac,12/11/2026,NaN\n", "h.csv")
    profile = Profile("p", (ColumnMap("Player", "athlete"), ColumnMap("Test day", "date"),
                            ColumnMap("Single hop (m)", "test", test="single_hop", metric="distance", unit="m",
                                      side="both")))
    read = profiles.apply(profile, sheet, exact=True)
    assert "tests" not in read.tables
    finite = "not a finite number (infinity or NaN): value rejected, rest of the row kept"
    assert [(p.row, p.value, p.problem) for p in read.rejects][1:] == [(2, "inf", finite), (4, "NaN", finite)]
    assert (read.rejects[0].row, read.rejects[0].value) == (3, "12/11/1850")
    assert read.rejects[0].problem.startswith("date outside the plausible range 1990-01-01")
    accounted(read)


def test_a_profile_that_does_not_fit_says_which_columns_are_missing() -> None:
    other = sheet_of(b"Player,Test day,Foot,Single hop (m)\nMia Kovac,12/11/2026,L,1.5\n", "other.csv")
    with pytest.raises(ProfileError, match=r"format profile 'Northside hops' does not fit this sheet: it has no column "
                                           r"'Time', 'Triple hop \(m\)'"):
        profiles.apply(HOPS_PROFILE, other)


# ----------------------------------------------------------------------------- the importer

def test_an_unknown_sheet_fails_with_the_offer_to_map_it() -> None:
    report = read_file(HOPS, "northside_hops.csv").report
    assert report.status == "failed"
    assert "not a format we know" in report.message and "teach it once: map its columns on the Data page" in report.message


def test_a_stored_profile_imports_its_shape_with_no_questions(engine: sa.Engine) -> None:
    profiles.save_profile(engine, HOPS_PROFILE, who="physio", role="coach")
    moved = HOPS.replace(b"Player,Test day,Time,Foot", b"Foot,Time,Player,Test day")  # headers only: values stay put
    report = import_file(engine, HOPS, "northside_hops.csv")
    assert report.status == "imported"
    assert report.sheets[0].format == "format profile 'Northside hops'"
    assert any("read with the club's format profile 'Northside hops' (version 1, saved by physio" in a
               for a in report.sheets[0].assumptions)
    assert report.added == {"athletes": 2, "tests": 7}
    assert store.read_imports(engine)["formats"].tolist() == ["format profile 'Northside hops'"]
    assert profiles.header_row(sheet_of(moved, "m.csv"), HOPS_PROFILE) == 1  # any order is the same shape


def test_a_club_profile_wins_over_a_built_in_readers_partial_guess(engine: sa.Engine) -> None:
    """ForceDecks reads this export but not its `Tags` and `BW [KG]`; a club that taught the exact
    shape gets its own reading, and the report says so."""
    data = forcedecks_csv(FD_ROWS)
    assert read_file(data, "fd.csv").reads[0][1].format == "VALD ForceDecks"
    columns = [ColumnMap(h.strip(), "ignore") for h in FORCEDECKS_HEADER]
    columns[0], columns[3] = ColumnMap("Name", "athlete"), ColumnMap("Date", "date")
    columns[5] = ColumnMap("BW [KG]", "test", test="cmj", metric="body_mass", unit="kg", side="both")
    club = Profile("Our ForceDecks", tuple(columns), date_order="mdy")
    profiles.save_profile(engine, club, who="sport scientist", role="coach")
    report = import_file(engine, data, "fd.csv")
    assert report.sheets[0].format == "format profile 'Our ForceDecks'"
    tests = store.read_table(engine, "tests")
    assert sorted(tests["value"].tolist()) == [61.2, 80.5, 80.5] and set(tests["metric"]) == {"body_mass"}


def test_profile_by_name_reads_a_sheet_with_more_columns(engine: sa.Engine) -> None:
    profiles.save_profile(engine, HOPS_PROFILE, who="physio", role="coach")
    wider = HOPS.replace(b"Comments\n", b"Comments,Surface\n", 1)
    assert import_file(engine, wider, "wider.csv").status == "failed"  # another shape: not guessed
    report = import_files(engine, [("wider.csv", wider)], ImportSettings(profile="Northside hops"))[0]
    assert report.status == "imported" and report.added["tests"] == 7
    assert report.sheets[0].unknown_columns == ["Surface"]


def test_profile_by_name_on_a_sheet_it_does_not_fit(engine: sa.Engine) -> None:
    profiles.save_profile(engine, HOPS_PROFILE, who="physio", role="coach")
    report = import_files(engine, [("fd.csv", forcedecks_csv(FD_ROWS))], ImportSettings(profile="Northside hops"))[0]
    assert report.status == "failed"
    assert "format profile 'Northside hops' does not fit this sheet: it has no column 'Player'" in report.message
    with pytest.raises(ProfileError, match="no format profile named 'Southside' \\(stored: 'Northside hops'\\)"):
        import_files(engine, [("h.csv", HOPS)], ImportSettings(profile="Southside"))


# ---------------------------------------------------------------------------------- the store

def test_saves_are_versioned_audit_logged_and_deleted_by_admins(engine: sa.Engine) -> None:
    first = profiles.save_profile(engine, HOPS_PROFILE, who="physio", role="coach")
    assert first.version == 1
    with pytest.raises(ProfileError, match="a format profile named 'Northside hops' is already stored"):
        profiles.save_profile(engine, HOPS_PROFILE, who="physio", role="coach")
    renamed = dataclass_replace(HOPS_PROFILE, 6, kind="ignore")
    with pytest.raises(ProfileError, match="format profile 'Northside hops' already reads sheets of this shape"):
        profiles.save_profile(engine, Profile("Copy", renamed.columns), who="physio", role="coach")
    second = profiles.save_profile(engine, dataclass_replace(HOPS_PROFILE, 2, kind="ignore"), who="physio", role="medical",
                                   replace=True)
    assert second.version == 2 and [s.version for s in profiles.stored_profiles(engine)] == [2]
    with pytest.raises(AccessDenied, match="a coach may not delete format"):
        profiles.delete_profile(engine, "Northside hops", who="coach", role="coach")
    profiles.delete_profile(engine, "Northside hops", who="admin", role="admin")
    assert profiles.stored_profiles(engine) == []
    with engine.connect() as conn:
        log = conn.execute(sa.select(store.audit.c.who, store.audit.c.action, store.audit.c.detail)
                           .order_by(store.audit.c.event_id)).all()
    assert [(w, a) for w, a, _ in log] == [("physio", "format profile saved"), ("physio", "format profile saved"),
                                          ("admin", "format profile deleted")]
    assert json.loads(log[2][2])["profile"]["columns"][2] == {"header": "Time", "is": "ignore"}  # recoverable


def test_a_profile_never_changes_rows_already_imported(engine: sa.Engine) -> None:
    profiles.save_profile(engine, HOPS_PROFILE, who="physio", role="coach")
    first = import_file(engine, HOPS, "northside_hops.csv")
    before = store.read_table(engine, "tests")
    inches = Profile(HOPS_PROFILE.name, tuple(
        ColumnMap(c.header, c.kind, c.test, c.metric, "in" if c.kind == "test" else "", c.side) for c in HOPS_PROFILE.columns))
    profiles.save_profile(engine, inches, who="physio", role="coach", replace=True)  # version 2 reads inches
    pd.testing.assert_frame_equal(store.read_table(engine, "tests"), before)  # saving re-reads nothing
    again = import_file(engine, HOPS, "northside_hops.csv")
    assert again.status == "duplicate" and again.import_id == first.import_id  # the same bytes: nothing changes
    pd.testing.assert_frame_equal(store.read_table(engine, "tests"), before)
    profiles.delete_profile(engine, HOPS_PROFILE.name, who="admin", role="admin")
    pd.testing.assert_frame_equal(store.read_table(engine, "tests"), before)  # deleting keeps its rows


def test_an_exported_profile_gives_the_same_rows_in_a_fresh_store(tmp_path) -> None:  # noqa: ANN001
    club = store.connect(tmp_path / "club.sqlite")
    profiles.save_profile(club, HOPS_PROFILE, who="physio", role="coach")
    shared = profiles.profile_json(profiles.stored_profile(club, "Northside hops").profile)
    import_file(club, HOPS, "northside_hops.csv")
    other = store.connect(tmp_path / "other_club.sqlite")
    profiles.save_profile(other, profiles.parse_profile(shared, "northside.json"), who="their physio", role="coach")
    assert import_file(other, HOPS, "northside_hops.csv").status == "imported"
    drop = ["row_id", "import_id"]
    pd.testing.assert_frame_equal(store.read_table(other, "tests").drop(columns=drop, errors="ignore"),
                                  store.read_table(club, "tests").drop(columns=drop, errors="ignore"))


# --------------------------------------------------------------------------------- the guess

def test_the_guess_finds_the_header_below_a_title_and_most_columns() -> None:
    sheet = sheet_of(HOPS, "northside_hops.csv")
    assert profile_guess.header_guess(sheet) == 1
    guess = {c.header: c for c in profile_guess.guess_columns(sheet, 1)}
    assert (guess["Player"].kind, guess["Test day"].kind, guess["Time"].kind, guess["Foot"].kind) == (
        "athlete", "date", "time", "side")
    assert (guess["Single hop (m)"].test, guess["Single hop (m)"].metric, guess["Single hop (m)"].unit,
            guess["Single hop (m)"].side) == ("single_hop", "distance", "m", "column")
    assert profiles.profile_problems(profile_guess.guess_profile(sheet, "Northside hops")) == []
    assert guess["Comments"].kind == "ignore"
    said, unread = profile_guess.recognition(sheet)
    assert said.startswith("not a format we know") and unread == []


def test_a_sheet_read_in_part_is_said_so() -> None:
    """Headed `Leg`, the sheet is claimed by the roster reader (names and sides): the mapping step
    says it is read only in part, and which columns are not read."""
    sheet = sheet_of(HOPS.replace(b"Time,Foot,", b"Time,Leg,"), "northside_hops.csv")
    said, unread = profile_guess.recognition(sheet)
    # the roster reads Player, Leg and Comments: 3 of the 7 columns
    assert said == ("recognised in part: read as Roster (explains 3 of 7 columns; not read: Test day, Time, "
                    "Single hop (m), Triple hop (m))")
    assert unread == ["Test day", "Time", "Single hop (m)", "Triple hop (m)"]
