"""Backups while the app runs (SQLite online backup, pg_dump), restore with migration, and VACUUM FULL."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.core.errors import ReturnToSpeedError
from lib.store.engine import db_url, dispose_all, migrate


def backup(path: str | os.PathLike[str] | None, dest: str | os.PathLike[str]) -> Path:
    """A consistent copy of the store in the file `dest`, taken while the app runs: SQLite's
    online backup (the last commit, WAL included) into a SQLite file; on PostgreSQL `pg_dump
    --format=custom` of the store's schema (the server's own tool, which must be on PATH)."""
    url, target = db_url(path), Path(dest).expanduser()
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(sa.engine.make_url(url).database, timeout=30)) as src, \
                contextlib.closing(sqlite3.connect(target)) as out:
            src.backup(out)
        return target
    libpq, schema = _libpq(url)
    _run_tool(["pg_dump", "--format=custom", "--no-owner", f"--schema={schema}", f"--file={target}", f"--dbname={libpq}"])
    return target


def restore(path: str | os.PathLike[str] | None, source: str | os.PathLike[str]) -> None:
    """Put a `backup` back as the store (stop the app first: every table is replaced), then bring
    it to this code's schema (a backup from an older release is migrated)."""
    url, backup_file = db_url(path), Path(source).expanduser()
    dispose_all()
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(backup_file)) as src, \
                contextlib.closing(sqlite3.connect(sa.engine.make_url(url).database, timeout=30)) as out:
            src.backup(out)
    else:
        libpq, schema = _libpq(url)
        _run_tool(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                   f"--schema={schema}", f"--dbname={libpq}", str(backup_file)])
    migrate(url)


VACUUM_LOCK_TIMEOUT_S = 5.0  # how long VACUUM FULL waits for a table's lock before it gives that table up


class VacuumBlocked(ReturnToSpeedError):
    """VACUUM FULL could not lock these tables within VACUUM_LOCK_TIMEOUT_S (another connection's
    open transaction uses them); every other table was rewritten."""

    def __init__(self, tables: list[str], timeout_s: float) -> None:
        self.tables, self.timeout_s = tables, timeout_s
        super().__init__(f"VACUUM FULL could not lock {', '.join(tables)} within {timeout_s:g} s: "
                         "another connection's open transaction uses them")


def vacuum_full(engine: Engine, lock_timeout_s: float | None = None) -> list[str]:
    """PostgreSQL: rewrite every table of the store (VACUUM FULL) so that the old versions of
    deleted or rewritten rows (an erasure's) leave its pages; returns the tables rewritten. Each
    table is locked while it is rewritten (a store's tables take well under a second each); a table
    another connection's open transaction holds is given up after `lock_timeout_s` (default
    VACUUM_LOCK_TIMEOUT_S: waiting on, the rewrite would queue every other user of the table behind
    it) and VacuumBlocked names it once the others are done. The server's write-ahead log, replicas and backups keep their copies
    until they are recycled. No-op on SQLite (lib.privacy VACUUMs the file)."""
    if engine.dialect.name != "postgresql":
        return []
    timeout = VACUUM_LOCK_TIMEOUT_S if lock_timeout_s is None else lock_timeout_s
    done, blocked = [], []
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM runs outside a transaction
        names = sa.inspect(conn).get_table_names()
        conn.exec_driver_sql(f"SET lock_timeout = '{max(1, int(timeout * 1000))}ms'")
        try:
            for name in names:
                try:
                    conn.exec_driver_sql(f'VACUUM FULL "{name}"')
                    done.append(name)
                except sa.exc.OperationalError as exc:
                    if getattr(exc.orig, "sqlstate", None) != "55P03":  # lock_not_available
                        raise
                    blocked.append(name)
        finally:
            conn.exec_driver_sql("RESET lock_timeout")
    if blocked:
        raise VacuumBlocked(blocked, timeout)
    return done


def _libpq(url: str) -> tuple[str, str]:
    """The libpq URL pg_dump takes for a SQLAlchemy one, and the store's schema (its search_path)."""
    parsed = sa.engine.make_url(url)
    options = str(parsed.query.get("options", ""))
    schema = options.split("search_path=", 1)[1].split(",")[0].split()[0] if "search_path=" in options else "public"
    plain = parsed.set(drivername="postgresql").difference_update_query(["options"])
    return plain.render_as_string(hide_password=False), schema


def _run_tool(command: list[str]) -> None:
    import shutil
    import subprocess

    if shutil.which(command[0]) is None:
        raise ReturnToSpeedError(f"{command[0]} is not installed here: install the PostgreSQL client tools "
                                 "(Debian: apt-get install postgresql-client) of the server's major version")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ReturnToSpeedError(f"{command[0]} failed: {done.stderr.strip()[:500]}")
