"""Schema migrations: a store of the previous release (no revision, no `row_claims`; an older one
also without `tests.time`) upgrades in place on SQLite and PostgreSQL with every row intact;
`python -m lib migrate` is safe to repeat; a new database starts at the newest revision; a store
from a newer release is refused before anything is read or written; and no table or column is
declared without a revision that creates it."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import lib.store.notes
import lib.privacy.pseudonym
import lib.readiness
import lib.store.settings
from lib.store import migrations
from lib import privacy, store
from lib.ingest.demo import load_demo
from lib.ingest.importer import import_file, merge_athlete, undo_import
from tests.conftest import FD_ROWS, forcedecks_csv

ROOT = Path(__file__).resolve().parents[2]
BASELINE = importlib.import_module("lib.store.migrations.versions.0001_baseline")
HEAD = "0005"  # 0005_format_profiles, after 0004_mss_confirmations
APPLIED = "0001, 0002, 0003, 0004, 0005"  # every revision in order


def previous_release(without_time: bool = False) -> sa.MetaData:
    """The schema the previous release (before migrations) created: every baseline table but
    `row_claims`; `without_time`: a store older still, from before `tests.time`."""
    meta = BASELINE.baseline(sa.MetaData())
    meta.remove(meta.tables["row_claims"])
    if without_time:
        tests = meta.tables["tests"]
        tests._columns.remove(tests.c.time)  # noqa: SLF001 - a frozen copy, never the live metadata
    return meta


@pytest.fixture(scope="module")
def club_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, object]]]:
    """Rows for every table of the previous release, from a store the app filled: the demo team,
    a merged name, a tier change, a note, a team's settings, a role, the pseudonym key."""
    engine = store.connect(tmp_path_factory.mktemp("source") / "source.sqlite")
    load_demo(engine)
    typo = forcedecks_csv([["Jordan Okafr", "", "CMJ", "05/21/2023", "8:00 AM", "80.5", "3", "", "39.0", "3 L", "600"]])
    import_file(engine, typo, "typo.csv")
    merge_athlete(engine, "jordan-okafr", store.read_table(engine, "athletes")["athlete_id"].iloc[0], who="physio")
    lib.readiness.record_tier_change(engine, "RTS001", pd.Timestamp("2026-11-20"), 2, "cleared to tier 2", who="physio")
    lib.store.notes.add_note(engine, "RTS001", pd.Timestamp("2026-11-20"), "calf tight", who="physio")
    lib.store.settings.save(engine, {"hop_lsi_pass": 92.0}, team="first team", who="admin")
    privacy.set_role(engine, "coach@club.org", "coach", who="admin")
    lib.privacy.pseudonym.store_key(engine)
    rows: dict[str, list[dict[str, object]]] = {}
    with engine.connect() as conn:
        for table in previous_release().sorted_tables:
            live = store.metadata.tables[table.name]
            pk = list(live.primary_key.columns)
            rows[table.name] = [dict(r) for r in conn.execute(
                sa.select(*[live.c[c.name] for c in table.columns]).order_by(*pk)).mappings()]
    store.dispose_all()
    assert all(rows.values()), [t for t, r in rows.items() if not r]  # every table has something to lose
    return rows


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL on an empty database: a new SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_url")
    return f"sqlite:///{tmp_path / 'club.sqlite'}"


def build_previous_release(url: str, rows: dict[str, list[dict[str, object]]], without_time: bool = False) -> None:
    """The previous release's schema in `url`, holding `rows` (ids kept, sequences moved on as a
    restore would)."""
    meta = previous_release(without_time)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        meta.create_all(conn)
        for table in meta.sorted_tables:
            names = {c.name for c in table.columns}
            conn.execute(table.insert(), [{k: v for k, v in r.items() if k in names} for r in rows[table.name]])
            serial = [c for c in table.primary_key.columns if c.autoincrement is True]
            if conn.dialect.name == "postgresql" and serial:
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{serial[0].name}'), "
                                     f"(SELECT max({serial[0].name}) FROM {table.name}))"))
    engine.dispose()


def rows_now(url: str, meta: sa.MetaData) -> dict[str, list[dict[str, object]]]:
    engine = sa.create_engine(url)
    out = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            out[table.name] = [dict(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings()]
    engine.dispose()
    return out


def migrate_cli(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lib", "migrate", "--db", url], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def revision(url: str) -> str | None:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = MigrationContext.configure(conn).get_current_revision()
    engine.dispose()
    return found


@pytest.mark.parametrize("without_time", [False, True], ids=["previous release", "older, before tests.time"])
def test_a_store_of_the_previous_release_upgrades_with_every_row(empty_url: str, club_rows: dict, without_time: bool) -> None:
    build_previous_release(empty_url, club_rows, without_time)
    run = migrate_cli(empty_url)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"store migrated from a store made before migrations to revision {HEAD}: applied {APPLIED}"
    assert revision(empty_url) == HEAD

    old = previous_release(without_time)
    expected = {t: [{k: v for k, v in r.items() if k in old.tables[t].c} for r in rs] for t, rs in club_rows.items()}
    assert rows_now(empty_url, old) == expected  # every row of every table, every value
    times = rows_now(empty_url, previous_release())["tests"]
    assert [r["time"] for r in times] == ([None] * len(times) if without_time else [r["time"] for r in club_rows["tests"]])

    # the upgraded store works: claims (new in this release) and the version row
    engine = store.connect(empty_url)
    assert store.data_version(engine) == 0
    tests_before = len(store.read_table(engine, "tests"))
    again = import_file(engine, forcedecks_csv([["Jordan Okafr", "", "CMJ", "05/21/2023", "8:00 AM", "80.5", "3", "",
                                                 "39.0", "3 L", "600"]]) + b"\r\n", "typo-again.csv")
    [typo_id] = [r["import_id"] for r in club_rows["imports"] if r["file"] == "typo.csv"]
    typo_rows = sum(r["import_id"] == typo_id for r in club_rows["tests"])
    # the same rows again: claimed (new in this release); a store from before times: the time is news, replaced
    kept = again.replaced if without_time else again.unchanged
    assert (again.status, again.rows_added, kept["tests"]) == ("imported", 0, typo_rows)
    undo_import(engine, typo_id)  # the first copy goes; the rows stay, held by the new import
    assert len(store.read_table(engine, "tests")) == tests_before
    assert store.data_version(engine) == 2


def test_migrate_on_an_up_to_date_store_changes_nothing(empty_url: str) -> None:
    engine = store.connect(empty_url)
    import_file(engine, forcedecks_csv(FD_ROWS), "fd.csv")
    store.dispose_all()
    before = rows_now(empty_url, store.metadata)
    run = migrate_cli(empty_url)
    assert (run.returncode, run.stdout.strip()) == (0, f"store already at revision {HEAD}: nothing to do"), run.stderr
    assert rows_now(empty_url, store.metadata) == before


def test_a_new_database_is_created_at_the_newest_revision(empty_url: str) -> None:
    engine = store.connect(empty_url)
    assert revision(empty_url) == HEAD == migrations.head()
    assert store.is_empty(engine) and store.data_version(engine) == 0
    store.dispose_all()
    run = migrate_cli(f"{empty_url}")
    assert run.stdout.strip() == f"store already at revision {HEAD}: nothing to do"


def test_migrate_on_an_empty_database_says_so(empty_url: str) -> None:
    run = migrate_cli(empty_url)
    assert (run.returncode, run.stdout.strip()) == (0, f"store migrated from a new, empty store to revision {HEAD}: "
                                                       f"applied {APPLIED}"), run.stderr


NEWER = f"this store was written by a newer version of Return to Speed (schema revision 0099; this version knows up to {HEAD})"


def test_a_store_from_a_newer_release_is_refused(empty_url: str) -> None:
    engine = store.connect(empty_url)
    import_file(engine, forcedecks_csv(FD_ROWS), "fd.csv")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    store.dispose_all()
    before = rows_now(empty_url, store.metadata)
    with pytest.raises(migrations.StoreTooNew, match=r"newer version of Return to Speed \(schema revision 0099"):
        store.connect(empty_url)
    for command in (["imports"], ["migrate"], ["import", str(ROOT / "sample_data" / "nordbord.csv")]):
        run = subprocess.run([sys.executable, "-m", "lib", *command, "--db", empty_url], cwd=ROOT, capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 1 and run.stdout == "", (command, run.stdout, run.stderr)
        assert run.stderr.startswith(f"error: {NEWER}: update the app on this machine"), run.stderr
    assert rows_now(empty_url, store.metadata) == before  # nothing read into, nothing written


def test_every_declared_table_and_column_has_a_revision(tmp_path: Path) -> None:
    """A table or column added to the code without a revision fails here: write the revision
    (lib/store/migrations/versions, next number) that creates it."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'migrated.sqlite'}")
    migrations.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), store.metadata)
    engine.dispose()
    assert diff == []


def test_the_app_refuses_a_store_from_a_newer_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.apptest import fresh_caches

    db = tmp_path / "newer.sqlite"
    engine = store.connect(db)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    store.dispose_all()
    monkeypatch.setenv("RTS_DB", str(db))
    monkeypatch.chdir(ROOT)
    fresh_caches()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    try:
        at.run()
        shown = [e.value for e in at.error] + [e.message for e in at.exception]
        assert any(NEWER in text for text in shown), shown
        assert rows_now(f"sqlite:///{db}", store.metadata)["imports"] == []  # the demo team was not loaded into it
    finally:
        fresh_caches()
        store.dispose_all()
