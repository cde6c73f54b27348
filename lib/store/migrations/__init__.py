"""Schema migrations (Alembic), run from code: no alembic.ini, nothing to install beside the package.

`upgrade(engine)` brings a store to the newest revision this code knows (`store.connect` calls
it, and `python -m lib migrate`); a store without a revision (made before migrations) gets the
idempotent baseline first. A store stamped with a revision this code does not know was written
by a newer release: `StoreTooNew`, before anything is read or written.

A new revision is a file in `versions/` (next number, `down_revision` = the previous one) that
only adds: new tables, new nullable columns. Canonical table and column names never change.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from lib.core.errors import ReturnToSpeedError

HERE = Path(__file__).resolve().parent


class StoreTooNew(ReturnToSpeedError):
    """The store was migrated by a newer release than this one."""


@functools.cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    return config


def head() -> str:
    """The newest revision this code knows."""
    return str(_script().get_current_head())


def current(conn: sa.Connection) -> str | None:
    """The store's revision (None: an empty database, or a store from before migrations)."""
    return MigrationContext.configure(conn).get_current_revision()


def check(revision: str | None) -> None:
    """Raise StoreTooNew when `revision` is not one this code knows."""
    if revision is None:
        return
    script = _script()
    try:
        known = script.get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown id
        known = False
    if not known:
        raise StoreTooNew(
            f"this store was written by a newer version of Return to Speed (schema revision {revision}; "
            f"this version knows up to {head()}): update the app on this machine (git pull, then "
            "pip install -r requirements.txt) before opening it; nothing was read or written")


def pending(engine: Engine) -> bool:
    """Whether the store is behind this code (a plain read: never waits for a writer)."""
    with engine.connect() as conn:
        revision = current(conn)
    check(revision)
    return revision != head()


def upgrade(engine: Engine) -> list[str]:
    """Run the pending revisions in one transaction that holds the store's write lock (two
    processes starting together on a new store: one migrates, the other then finds it done).
    Returns the revisions applied, oldest first."""
    applied: list[str] = []
    with _locked(engine) as conn:
        revision = current(conn)
        check(revision)
        script = _script()
        if revision == script.get_current_head():
            return applied

        def steps(rev: object, _context: object) -> list:
            todo = script._upgrade_revs("head", rev)  # noqa: SLF001 - what `alembic upgrade` runs
            applied.extend(str(step.revision.revision) for step in todo)
            return todo

        with EnvironmentContext(_config(), script, fn=steps, destination_rev="head") as env:
            env.configure(connection=conn, transactional_ddl=True)
            env.run_migrations()
    return applied


@contextlib.contextmanager
def _locked(engine: Engine) -> Iterator[sa.Connection]:
    """A transaction that holds the store's write lock for its whole length: BEGIN IMMEDIATE on
    SQLite, an advisory lock (per schema) on PostgreSQL."""
    with engine.connect() as conn:
        conn.info["rts_writing"] = True  # store._sqlite_engine: BEGIN IMMEDIATE
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('rts-migrate:' || current_schema()))"))
                yield conn
        finally:
            conn.info.pop("rts_writing", None)
