"""Columnar store reads (issue 15): `store.read_table` returns exactly the frames the row-by-row
read it replaced returned (values, dtypes, order, provenance), on SQLite and PostgreSQL, for the
demo store and for a store holding every awkward value a canonical table can hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.ingest.demo import load_demo
from lib.readiness import Data
from lib.core.schema import TABLES, conform, without_missing_measures


def _read_table_by_rows(engine: Engine, table: str, provenance: bool = False,
                        include_superseded: bool = False) -> pd.DataFrame:
    """The read before issue 15, kept here as the reference: a dict per row, then a DataFrame."""
    t = store.CANONICAL[table]
    query = sa.select(t)
    if not include_superseded:
        query = query.where(t.c.superseded_by.is_(None))
    query = query.order_by(t.c.row_id)
    with store.snapshot(engine) as conn:
        raw = pd.DataFrame(conn.execute(query).mappings().all(), columns=[c.name for c in t.columns])
    out = conform(raw, table)
    if provenance:
        for col in ("import_id", "source_sheet", "source_file", "source_row", "row_id"):
            if col not in out.columns:
                out[col] = raw[col].to_numpy() if len(raw) else pd.Series(dtype="object")
    return without_missing_measures(out, table)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, migrated store on each engine (PostgreSQL: its own schema, see conftest)."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else tmp_path / "rts.sqlite"
    yield store.connect(url)
    store.dispose_all()


VARIANTS = [dict(provenance=p, include_superseded=s) for p in (False, True) for s in (False, True)]


def assert_same_reads(engine: Engine) -> None:
    for table in TABLES:
        for variant in VARIANTS:
            new = store.read_table(engine, table, **variant)
            old = _read_table_by_rows(engine, table, **variant)
            pd.testing.assert_frame_equal(new, old, check_dtype=True, check_index_type=True,
                                          check_column_type=True, obj=f"{table} {variant}")


def _insert(engine: Engine, table: str, rows: list[dict[str, object]]) -> None:
    with engine.begin() as conn:
        for row in rows:  # one by one: an executemany would take every row's columns from the first
            conn.execute(store.CANONICAL[table].insert().values(**row))


def awkward_store(engine: Engine) -> None:
    """Rows as an import (or an older version) may have left them: text ids that look like numbers or
    missing values, blanks, NULLs in every optional column, times, a superseded row, an infinity."""
    with engine.begin() as conn:
        live = conn.execute(store.imports.insert().values(file="a.csv", sha256="a", status="imported")).inserted_primary_key[0]
        newer = conn.execute(store.imports.insert().values(file="b.csv", sha256="b", status="imported")).inserted_primary_key[0]
    base = {"import_id": live, "source_sheet": ""}
    _insert(engine, "athletes", [
        {**base, "athlete_id": "007", "name": "Bond", "position": None, "squad": "", "source_file": "r.csv", "source_row": 2},
        {**base, "athlete_id": "NA", "name": "N/A", "position": "Winger", "squad": None, "source_file": None, "source_row": None},
        {**base, "athlete_id": "1e3", "name": " ", "position": "", "squad": "U23", "source_sheet": "Roster",
         "source_file": "r.xlsx", "source_row": 4},
    ])
    _insert(engine, "injuries", [
        {**base, "athlete_id": "007", "injury_date": dt.date(2023, 5, 1), "side": "left", "region": "hamstring",
         "diagnosis": None, "cleared_date": None},
        {**base, "athlete_id": "NA", "injury_date": dt.date(1999, 12, 31), "side": "right", "region": "calf",
         "diagnosis": "", "cleared_date": dt.date(2000, 2, 29), "source_file": "r.csv", "source_row": 3},
    ])
    _insert(engine, "tests", [
        {**base, "athlete_id": "007", "date": dt.date(2023, 5, 20), "test": "cmj", "metric": "jump_height", "side": "both",
         "trial": 1, "value": 38.4, "unit": "cm", "device": "ForceDecks", "source_file": "fd.csv", "source_row": 2,
         "time": "08:18"},
        {**base, "athlete_id": "007", "date": dt.date(2023, 5, 20), "test": "cmj", "metric": "jump_height", "side": "both",
         "trial": 2, "value": 0.0, "unit": "cm", "device": None, "source_file": None, "source_row": None, "time": None},
        {**base, "athlete_id": "NA", "date": dt.date(2023, 5, 21), "test": "single_hop", "metric": "distance",
         "side": "left", "trial": None, "value": 150.0, "unit": "", "device": "", "source_file": "hop.csv",
         "source_row": 7, "time": "23:59:59"},
        {**base, "athlete_id": "NA", "date": dt.date(2023, 5, 21), "test": "single_hop", "metric": "distance",
         "side": "right", "trial": 1, "value": float("inf"), "unit": "cm", "device": "", "source_file": "hop.csv",
         "source_row": 8, "time": ""},  # an infinity an older version stored: no row
        {**base, "athlete_id": "007", "date": dt.date(2023, 5, 19), "test": "cmj", "metric": "jump_height", "side": "both",
         "trial": 1, "value": 30.0, "unit": "cm", "device": "ForceDecks", "source_file": "old.csv", "source_row": 2,
         "time": "07:00", "superseded_by": newer},
    ])
    _insert(engine, "sessions", [
        {**base, "athlete_id": "007", "date": dt.date(2023, 5, 2), "session": "MD-1", "session_type": None,
         "duration_min": 61.5, "total_distance_m": 5000.0, "hsr_distance_m": None, "sprint_distance_m": 0.0,
         "max_speed_ms": 8.9, "sprints": 3.0, "accelerations": None, "decelerations": 12.0, "device": "GPS",
         "source_file": "gps.csv", "source_row": 2},
        {**base, "athlete_id": "NA", "date": dt.date(2023, 5, 3), "session": "", "session_type": "",
         "duration_min": None, "total_distance_m": None, "hsr_distance_m": None, "sprint_distance_m": None,
         "max_speed_ms": None, "sprints": None, "accelerations": None, "decelerations": None, "device": None,
         "source_file": None, "source_row": None},
    ])
    _insert(engine, "wellness", [
        {**base, "athlete_id": "007", "date": dt.date(2023, 5, 2), "item": "pain", "value": 3.0, "scale": None,
         "source_file": "w.csv", "source_row": 2},
        {**base, "athlete_id": "NA", "date": dt.date(2023, 5, 2), "item": "NA", "value": 0.0, "scale": "",
         "source_file": "", "source_row": None},
    ])


def test_the_demo_store_reads_the_same_frames_as_the_row_by_row_read(any_engine: Engine) -> None:
    load_demo(any_engine)
    assert_same_reads(any_engine)


def test_an_empty_store_reads_the_same_empty_frames(any_engine: Engine) -> None:
    assert_same_reads(any_engine)


def test_awkward_values_read_the_same_and_keep_their_meaning(any_engine: Engine) -> None:
    awkward_store(any_engine)
    assert_same_reads(any_engine)
    athletes = store.read_table(any_engine, "athletes")
    assert athletes["athlete_id"].tolist() == ["007", "NA", "1e3"]  # text ids stay text, 'NA' is no missing value
    assert athletes["squad"].isna().tolist() == [False, True, False] and athletes["squad"][0] == ""  # blank is not NULL
    tests = store.read_table(any_engine, "tests")
    assert len(tests) == 3  # the superseded row and the stored infinity are no rows
    assert tests["time"].isna().tolist() == [False, True, False]
    assert (tests["time"][0], tests["time"][2]) == ("08:18", "23:59:59")
    assert tests["date"].tolist() == [pd.Timestamp("2023-05-20")] * 2 + [pd.Timestamp("2023-05-21")]
    assert str(tests["date"].dtype) == "datetime64[s]" and str(tests["trial"].dtype) == "Int64"
    assert tests["trial"].isna().tolist() == [False, False, True]
    injuries = store.read_table(any_engine, "injuries")
    assert injuries["cleared_date"].isna().tolist() == [True, False]
    assert injuries["cleared_date"][1] == pd.Timestamp("2000-02-29")
    assert len(store.read_table(any_engine, "tests", include_superseded=True)) == 4
    with_provenance = store.read_table(any_engine, "athletes", provenance=True)
    assert with_provenance["source_sheet"].tolist() == ["", "", "Roster"]
    assert with_provenance["source_row"].isna().tolist() == [False, True, False]


def test_a_read_on_an_open_snapshot_reads_the_same_frames(any_engine: Engine) -> None:
    awkward_store(any_engine)
    with store.snapshot(any_engine) as conn:
        on_conn = {t: store.read_table(conn, t, provenance=True) for t in TABLES}
    for table, frame in on_conn.items():
        pd.testing.assert_frame_equal(frame, _read_table_by_rows(any_engine, table, provenance=True))


def test_a_write_between_two_table_reads_of_the_board_data_is_not_half_seen(
        any_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """An import lands (a new athlete with a test, a session and a tier change) after
    `Data.from_store` has read the athletes and before it reads the rest: the data it returns is
    the store before that import, whole; read again, the store after it, whole."""
    awkward_store(any_engine)
    read = store.read_table

    def read_then_write(source: Engine | sa.Connection, table: str, **kwargs: bool) -> pd.DataFrame:
        frame = read(source, table, **kwargs)
        if table == "athletes":
            with any_engine.begin() as conn:  # another user's import, committed
                import_id = conn.execute(store.imports.insert().values(
                    file="late.csv", sha256="late", status="imported")).inserted_primary_key[0]
                row = {"import_id": import_id, "source_sheet": "", "athlete_id": "LATE"}
                conn.execute(store.CANONICAL["athletes"].insert().values(**row, name="Late Comer"))
                conn.execute(store.CANONICAL["tests"].insert().values(
                    **row, date=dt.date(2023, 6, 1), test="cmj", metric="jump_height", side="both", trial=1,
                    value=40.0, unit="cm"))
                conn.execute(store.CANONICAL["sessions"].insert().values(**row, date=dt.date(2023, 6, 1), session="MD"))
            from lib.readiness import record_tier_change
            record_tier_change(any_engine, "LATE", pd.Timestamp("2023-06-01"), 2, "late import")
        return frame

    monkeypatch.setattr(store, "read_table", read_then_write)
    before = Data.from_store(any_engine)
    monkeypatch.setattr(store, "read_table", read)
    after = Data.from_store(any_engine)

    assert "LATE" not in set(before.athletes["athlete_id"])
    assert "LATE" not in set(before.tests["athlete_id"])
    assert "LATE" not in set(before.sessions["athlete_id"])
    assert "LATE" not in set(before.tier_history["athlete_id"])
    assert (len(before.tests), len(before.sessions), len(before.tier_history)) == (3, 2, 0)
    assert "LATE" in set(after.athletes["athlete_id"])
    assert (len(after.tests), len(after.sessions), len(after.tier_history)) == (4, 3, 1)
