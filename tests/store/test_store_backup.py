"""Backups a club can trust: `python -m lib backup` while the store is in use, the store erased,
`python -m lib restore`, and every row of every table is back, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from lib import privacy, store
from lib.ingest.demo import load_demo
from lib.store.notes import add_note
from lib.readiness import record_tier_change

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgresql"])
def club_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        if shutil.which("pg_dump") is None:
            pytest.skip("pg_dump is not installed (apt-get install postgresql-client)")
        return request.getfixturevalue("pg_url")
    return str(tmp_path / "club.sqlite")


def every_row(db: str) -> dict[str, list[tuple]]:
    engine = sa.create_engine(store.db_url(db), poolclass=sa.pool.NullPool)
    meta = sa.MetaData()
    with engine.connect() as conn:
        meta.reflect(conn)
        out = {t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))]
               for t in meta.sorted_tables}
    engine.dispose()
    return out


def erase_store(db: str) -> None:
    """What a lost disk or a dropped database leaves: no table at all."""
    store.dispose_all()
    engine = sa.create_engine(store.db_url(db), poolclass=sa.pool.NullPool)
    meta = sa.MetaData()
    with engine.begin() as conn:
        meta.reflect(conn)
        meta.drop_all(conn)
    engine.dispose()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lib", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_backup_erase_restore_gives_back_every_row(club_db: str, tmp_path: Path) -> None:
    engine = store.connect(club_db)
    load_demo(engine)
    record_tier_change(engine, "RTS001", pd.Timestamp("2026-11-20"), 2, "cleared to tier 2", who="physio")
    add_note(engine, "RTS001", pd.Timestamp("2026-11-20"), "calf tight", who="physio")
    privacy.set_role(engine, "coach@club.org", "coach", who="admin")
    before = every_row(club_db)
    assert len(before["tests"]) > 2000 and before["user_roles"] and before["athlete_notes"]

    backup_file = tmp_path / "club.backup"
    run = cli("backup", "--db", club_db, str(backup_file))  # while this process holds the store open
    assert (run.returncode, run.stdout.strip()) == (0, f"backup written: {backup_file}"), run.stderr
    erase_store(club_db)
    assert every_row(club_db) == {}

    refused = cli("restore", "--db", club_db, str(backup_file))
    assert refused.returncode == 2 and "add --yes to confirm" in refused.stderr
    run = cli("restore", "--db", club_db, str(backup_file), "--yes")
    assert (run.returncode, run.stdout.strip()) == (0, f"store restored from {backup_file}"), run.stderr
    assert every_row(club_db) == before
    engine = store.connect(club_db)
    assert store.data_version(engine) == before["store_version"][0][1]  # the version row came back too
    store.dispose_all()


def test_restore_of_a_missing_file_says_so(tmp_path: Path) -> None:
    run = cli("restore", "--db", str(tmp_path / "s.sqlite"), str(tmp_path / "nothing.backup"), "--yes")
    assert run.returncode == 1 and run.stderr.strip() == f"error: no backup file '{tmp_path / 'nothing.backup'}'"
