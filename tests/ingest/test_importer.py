"""The importer and the store: idempotent re-import, corrections, undo, crashes, name matching."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

import lib.ingest.importer as importer
from lib import store
from lib.ingest.importer import import_file, import_files, merge_athlete, read_file, undo_import
from tests.conftest import FD_ROWS, forcedecks_csv


def _counts(engine: Engine) -> dict[str, int]:
    return {t: len(store.read_table(engine, t)) for t in ("athletes", "tests", "sessions", "wellness", "injuries")}


def test_forcedecks_rows_land_with_provenance(engine: Engine, fd_bytes: bytes) -> None:
    report = import_file(engine, fd_bytes, "fd.csv")
    assert report.status == "imported" and report.import_id == 1
    tests = store.read_table(engine, "tests", provenance=True)
    # rows 2-3: Jordan, 4 metrics each (jump height, asymmetry, contraction time, body mass) = 8;
    # row 4: Mia, jump height DNF rejected -> 3 metrics. 11 rows in all.
    assert len(tests) == 11
    jh = tests[(tests.metric == "jump_height") & (tests.athlete_id == "jordan-okafor")].sort_values("trial")
    # 8:02 AM was performed first -> trial 1 (37.0 cm); 8:18 AM -> trial 2 (38.4 cm)
    assert jh["value"].tolist() == [37.0, 38.4]
    assert jh["source_row"].tolist() == [3, 2]
    assert set(jh["source_file"]) == {"fd.csv"} and set(jh["import_id"]) == {1}
    asym = tests[(tests.metric == "asymmetry") & (tests.trial == 2) & (tests.athlete_id == "jordan-okafor")]
    assert asym[["value", "side", "unit"]].values.tolist() == [[9.7, "left", "%"]]
    ct = tests[(tests.metric == "contraction_time") & (tests.athlete_id == "mia-laurent")]
    assert ct["value"].tolist() == [pytest.approx(0.701)]  # 701 ms
    assert [(p.row, p.column, p.value) for p in report.rejects] == [(4, "Jump Height (Imp-Mom) [cm]", "DNF")]


def test_reimport_same_bytes_adds_nothing(engine: Engine, fd_bytes: bytes) -> None:
    import_file(engine, fd_bytes, "fd.csv")
    before = _counts(engine)
    again = import_file(engine, fd_bytes, "fd-copy.csv")
    assert again.status == "duplicate"
    assert re.fullmatch(r"already imported on \d{4}-\d\d-\d\d \d\d:\d\d as import #1: nothing changed", again.message)
    assert _counts(engine) == before


def test_same_rows_in_a_new_file_are_unchanged(engine: Engine, fd_bytes: bytes) -> None:
    import_file(engine, fd_bytes, "fd.csv")
    before = _counts(engine)
    # same data, different bytes (LF instead of CRLF)
    report = import_file(engine, fd_bytes.replace(b"\r\n", b"\n"), "fd-lf.csv")
    assert report.added.get("tests") == 0 and report.unchanged["tests"] == 11
    assert _counts(engine) == before


def test_corrected_export_replaces_and_undo_restores(engine: Engine, fd_bytes: bytes) -> None:
    import_file(engine, fd_bytes, "fd.csv")
    fixed = [r.copy() for r in FD_ROWS]
    fixed[0][8] = "39.1"  # the 8:18 AM jump height was mistyped
    report = import_file(engine, forcedecks_csv(fixed), "fd-fixed.csv")
    assert report.replaced["tests"] == 1 and report.added["tests"] == 0
    assert report.replaced_from == {"import #1 (fd.csv)": 1}

    def latest() -> float:
        t = store.read_table(engine, "tests")
        return t[(t.metric == "jump_height") & (t.trial == 2) & (t.athlete_id == "jordan-okafor")]["value"].item()

    assert latest() == 39.1
    assert len(store.read_table(engine, "tests")) == 11
    undo_import(engine, report.import_id)
    assert latest() == 38.4
    assert len(store.read_table(engine, "tests")) == 11


def test_undo_removes_everything_of_an_import(engine: Engine, fd_bytes: bytes) -> None:
    report = import_file(engine, fd_bytes, "fd.csv")
    removed = undo_import(engine, report.import_id)
    assert removed["tests"] == 11 and removed["athletes"] == 2
    assert _counts(engine) == {t: 0 for t in ("athletes", "tests", "sessions", "wellness", "injuries")}
    assert store.read_rejects(engine).empty  # rejects of an undone import are no longer listed
    # the file can be imported again after an undo
    assert import_file(engine, fd_bytes, "fd.csv").status == "imported"


def test_crash_mid_import_leaves_store_as_it_was(engine: Engine, fd_bytes: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    import_file(engine, forcedecks_csv(FD_ROWS[2:]), "first.csv")
    before = _counts(engine)
    history = len(store.read_imports(engine))

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(importer, "_finish", boom)  # rows are written, then the crash
    with pytest.raises(RuntimeError):
        import_file(engine, fd_bytes, "fd.csv")
    assert _counts(engine) == before
    assert len(store.read_imports(engine)) == history
    monkeypatch.undo()
    retry = import_file(engine, fd_bytes, "fd.csv")
    assert retry.status == "imported" and retry.added["tests"] == 8  # Mia's 3 rows were already there


def test_unreadable_file_gives_one_message(engine: Engine) -> None:
    reports = import_files(engine, [("empty.csv", b""), ("junk.xlsx", b"\x00\x01garbage" * 10)])
    assert [r.status for r in reports] == ["failed", "failed"]
    assert reports[0].message == "the file is empty (0 bytes)"
    assert "not a readable spreadsheet" in reports[1].message
    assert store.is_empty(engine)


def test_file_of_unknown_format_is_reported() -> None:
    fr = read_file(b"colour,flavour\nred,cherry\n", "menu.csv")
    assert fr.report.status == "failed"
    assert "not a format we know" in fr.report.message


def test_typo_name_becomes_new_athlete_with_suggestion_then_merge(engine: Engine, fd_bytes: bytes) -> None:
    import_file(engine, fd_bytes, "fd.csv")
    typo = forcedecks_csv([["Jordan Okafr", "", "CMJ", "05/27/2023", "8:00 AM", "80.1", "3", "", "38.9", "3 L", "600"]])
    report = import_file(engine, typo, "fd-next.csv")
    assert report.new_athletes == [{"athlete_id": "jordan-okafr", "name": "Jordan Okafr"}]
    [s] = report.suggestions
    assert s["suggested_id"] == "jordan-okafor" and s["score"] >= 80
    # nothing merged silently
    assert "jordan-okafr" in set(store.read_table(engine, "athletes")["athlete_id"])

    moved = merge_athlete(engine, "jordan-okafr", "jordan-okafor")
    assert moved == 4
    athletes = store.read_table(engine, "athletes")
    assert sorted(athletes["athlete_id"]) == ["jordan-okafor", "mia-laurent"]
    assert store.read_suggestions(engine).empty
    # the confirmed spelling now maps straight to the athlete
    again = forcedecks_csv([["Jordan  Okafr", "", "CMJ", "06/03/2023", "8:00 AM", "80.0", "3", "", "39.5", "2 L", "590"]])
    report = import_file(engine, again, "fd-later.csv")
    assert report.new_athletes == [] and report.suggestions == []
    tests = store.read_table(engine, "tests")
    assert set(tests[tests.date == pd.Timestamp("2023-06-03")]["athlete_id"]) == {"jordan-okafor"}


def test_two_identical_test_rows_become_two_trials(engine: Engine) -> None:
    row = ["Jordan Okafor", "", "CMJ", "05/20/2023", "8:18 AM", "80.5", "3", "", "38.4", "9.7 L", "612"]
    header = ["Name", "ExternalId", "Test Type", "Date", "Time", "BW [KG]", "Reps", "Tags",
              "Jump Height (Imp-Mom) [cm] ", "Takeoff Peak Force % (Asym) (%)", "Contraction Time [ms] "]
    # the same test twice at the same time gets trials 1 and 2: a device that logs a rep twice
    report = import_file(engine, forcedecks_csv([row, row], header), "dup.csv")
    assert report.added["tests"] == 8


def test_undo_of_a_corrected_roster_leaves_one_row_per_athlete(engine: Engine, fd_bytes: bytes) -> None:
    """A corrected roster replaces an athlete row; undoing it brings the old row back, alone,
    even though test rows still name the athlete."""

    def roster(position: str) -> bytes:
        return f"athlete_id,name,position,squad\njordan-okafor,Jordan Okafor,{position},First team\n".encode()

    import_file(engine, roster("Winger"), "roster.csv")
    import_file(engine, fd_bytes, "fd.csv")
    fixed = import_file(engine, roster("Full back"), "roster-fixed.csv")
    assert fixed.replaced["athletes"] == 1
    undo_import(engine, fixed.import_id)
    athletes = store.read_table(engine, "athletes")
    jordan = athletes[athletes["athlete_id"] == "jordan-okafor"]
    assert jordan["position"].tolist() == ["Winger"]


def _stored_both_ways(tmp_path: Path, frame: pd.DataFrame, columns: str) -> dict[str, list[tuple]]:
    """`frame` written into a fresh SQLite store's sessions by store.insert_frame and by SQLAlchemy's
    own executemany, and `columns` read back raw (sqlite3) from each: {way: rows}."""
    t = store.CANONICAL["sessions"]
    raw = {}
    for way in ("insert_frame", "sqlalchemy"):
        engine = store.connect(tmp_path / f"{way}.sqlite")
        with engine.begin() as conn:
            if way == "insert_frame":
                store.insert_frame(conn, t, frame)
            else:
                conn.execute(t.insert(), store.records(frame))
        store.dispose_all()
        with sqlite3.connect(tmp_path / f"{way}.sqlite") as con:
            raw[way] = con.execute(f"SELECT {columns} FROM sessions ORDER BY row_id").fetchall()
    return raw


def test_insert_frame_stores_what_sqlalchemy_would(tmp_path: Path) -> None:
    """The SQLite fast path of store.insert_frame writes the same values with the same storage
    types as SQLAlchemy's own executemany: dates as ISO text, NaN/NaT/<NA> as NULL, floats, ints."""
    frame = pd.DataFrame({
        "athlete_id": pd.array(["mia-laurent", "tom-kelly", pd.NA], dtype="string"),
        "date": pd.to_datetime(["2026-11-23", None, "2025-07-01"]).astype("datetime64[s]"),
        "session": pd.array(["MD-1", "Rondo", "x"], dtype="string"),
        "total_distance_m": pd.array([5123.5, None, 0.0], dtype="Float64"),
        "max_speed_ms": [8.5, float("nan"), 7.0],
        "sprints": pd.array([3, None, 0], dtype="Int64"),
        "source_row": [2, 3, 4],
        "import_id": [1, 1, 1],
    })
    raw = _stored_both_ways(tmp_path, frame, "athlete_id, date, typeof(date), session, total_distance_m, "
                            "typeof(total_distance_m), max_speed_ms, sprints, typeof(sprints), source_row")
    assert raw["insert_frame"] == raw["sqlalchemy"]
    assert raw["insert_frame"][0] == ("mia-laurent", "2026-11-23", "text", "MD-1", 5123.5, "real", 8.5, 3.0, "real", 2)
    assert raw["insert_frame"][1][1:3] == (None, "null") and raw["insert_frame"][2][0] is None


@pytest.mark.parametrize(("dates", "stored"), [
    (["2026-11-23 17:45", "2025-07-01 00:00"], ["2026-11-23", "2025-07-01"]),  # the day, without the time
    (["0999-12-31", "2026-01-02"], ["0999-12-31", "2026-01-02"]),  # before 1000: value by value, still padded
])
def test_insert_frame_writes_whole_columns_as_sqlalchemy_would(tmp_path: Path, dates: list[str],
                                                                 stored: list[str]) -> None:
    """Dates and float64 columns are bound a whole column at a time on SQLite (issue 15): the same
    text and numbers as SQLAlchemy's executemany."""
    frame = pd.DataFrame({"athlete_id": ["a", "b"], "date": pd.to_datetime(dates, format="ISO8601").astype("datetime64[s]"),
                          "session": ["s", "s"], "total_distance_m": [5123.25, float("nan")],
                          "source_row": [2, 3], "import_id": [1, 1]})
    raw = _stored_both_ways(tmp_path, frame, "date, typeof(date), total_distance_m, typeof(total_distance_m)")
    assert raw["insert_frame"] == raw["sqlalchemy"]
    assert raw["insert_frame"] == [(stored[0], "text", 5123.25, "real"), (stored[1], "text", None, "null")]


# ------------------------------------------------------------------- several exports of one day

def _cmj(time: str, height: str) -> list[str]:
    return ["Jordan Okafor", "", "CMJ", "05/20/2023", time, "80.5", "3", "", height, "4 R", "640"]


def _live_jumps(engine: Engine) -> list[tuple[int, str, float]]:
    tests = store.read_table(engine, "tests")  # live rows
    jumps = tests[tests["metric"] == "jump_height"]
    return sorted(zip(jumps["trial"].astype(int), jumps["time"], jumps["value"]))


def test_an_afternoon_export_adds_trials_instead_of_replacing_the_mornings(engine: Engine) -> None:
    """Morning: two CMJs (8:02, 8:18 = trials 1, 2). An afternoon export holding only the 17:10 jump
    numbers it 1 in its own file; by its time of day it becomes trial 3, and the morning stays."""
    import_file(engine, forcedecks_csv([_cmj("8:18 AM", "38.4"), _cmj("8:02 AM", "37.0")]), "am.csv")
    [pm] = import_files(engine, [("pm.csv", forcedecks_csv([_cmj("5:10 PM", "33.0")]))])
    assert pm.replaced == {"tests": 0} and pm.added["tests"] > 0
    assert "1 trial numbered after the ones already stored for their day" in " ".join(pm.assumptions)
    assert _live_jumps(engine) == [(1, "08:02", 37.0), (2, "08:18", 38.4), (3, "17:10", 33.0)]
    # the whole day exported again (newest first, as VALD Hub writes it): nothing new, nothing replaced
    [day] = import_files(engine, [("day.csv", forcedecks_csv([_cmj("5:10 PM", "33.0"), _cmj("8:18 AM", "38.4"),
                                                              _cmj("8:02 AM", "37.0")]))])
    assert (day.added["tests"], day.replaced["tests"]) == (0, 0)
    # a corrected export of the afternoon replaces that trial only
    [fixed] = import_files(engine, [("pm_fixed.csv", forcedecks_csv([_cmj("5:10 PM", "33.5")]))])
    assert fixed.replaced["tests"] == 1 and fixed.added["tests"] == 0
    assert _live_jumps(engine) == [(1, "08:02", 37.0), (2, "08:18", 38.4), (3, "17:10", 33.5)]


def test_two_jumps_in_the_same_minute_stay_two_trials(engine: Engine) -> None:
    import_file(engine, forcedecks_csv([_cmj("8:02 AM", "37.0"), _cmj("8:02 AM", "37.6")]), "am.csv")
    [again] = import_files(engine, [("am_again.csv", forcedecks_csv([_cmj("8:02 AM", "37.6"), _cmj("8:02 AM", "37.0"),
                                                                      _cmj("9:30 AM", "36.0")]))])
    # the 9:30 jump is added as trial 3; within one minute trials pair up in file order, so this file
    # (the two 8:02 jumps listed the other way round) replaces their two jump heights
    assert (again.replaced["tests"], again.added["tests"]) == (2, 4)  # 4 metrics of the 9:30 jump
    assert _live_jumps(engine) == [(1, "08:02", 37.6), (2, "08:02", 37.0), (3, "09:30", 36.0)]


def test_a_store_from_before_times_gets_the_column_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    eng = store.connect(path)
    import_file(eng, forcedecks_csv(FD_ROWS), "fd.csv")
    store.dispose_all()
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE tests DROP COLUMN time")  # as an older version created it,
        db.execute("DROP TABLE store_version")  # before versions and migrations
        db.execute("DROP TABLE alembic_version")
    eng = store.connect(path)
    tests = store.read_table(eng, "tests")
    assert "time" in tests.columns and len(tests) > 0
    store.dispose_all()


def test_a_reader_that_raises_fails_its_file_only(engine: Engine, fd_bytes: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader blowing up on one file of a batch (input no check foresaw) gives that file a failed
    report and lets the rest of the batch import."""
    real = importer.read_file

    def read(data: bytes, name: str, settings: object = None) -> importer.FileRead:
        if name == "odd.csv":
            raise ValueError("field larger than field limit")
        return real(data, name, settings)

    monkeypatch.setattr(importer, "read_file", read)
    odd, good = import_files(engine, [("odd.csv", b"x"), ("fd.csv", fd_bytes)])
    assert (odd.status, odd.import_id) == ("failed", None)
    assert odd.message == ("this file could not be read (ValueError): nothing of it was imported; check that it is "
                           "an export we know, or save it again and upload it once more")
    assert good.status == "imported" and len(store.read_table(engine, "tests")) == 11
    assert store.read_imports(engine)["file"].tolist() == ["fd.csv"]
