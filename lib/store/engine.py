"""Engines on the store: SQLite (WAL, writers queue) or PostgreSQL, migrated on first use, one per URL per process."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.sql.ddl import SchemaGenerator

from lib.store import migrations
from lib.store.tables import metadata, store_version


PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_DB = PROJECT_DIR / "data" / "rts.sqlite"


def db_url(path: str | os.PathLike[str] | None = None) -> str:
    """SQLAlchemy URL for `path`, `RTS_DB`, or the default SQLite file; URLs pass through."""
    target = str(path) if path else os.environ.get("RTS_DB", str(DEFAULT_DB))
    if "://" in target:
        return target
    Path(target).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(target).expanduser()}"


_ENGINES: dict[str, Engine] = {}


def connect(path: str | os.PathLike[str] | None = None) -> Engine:
    """An engine on the store, migrated to this code's schema on first use (see lib/store/migrations).

    On SQLite (WAL, a busy timeout) only writes take the write lock: `engine.begin()` starts
    `BEGIN IMMEDIATE` (writers queue for the lock instead of failing half-way), while
    `engine.connect()` reads in a plain deferred transaction, a WAL snapshot of the last commit
    that never waits for a writer. On PostgreSQL `engine.begin()` is READ COMMITTED and its first
    statement raises the store's version row, whose row lock queues writers the same way (each
    later statement then sees every write committed before it). A `create_all` that finds its
    tables already there is only a read (every new engine runs one). A store written by a newer
    release raises `StoreTooNew` before anything is read or written.
    """
    url = db_url(path)
    with _ENGINES_LOCK:  # sessions of a freshly started server ask for the engine together
        if url in _ENGINES:
            return _ENGINES[url]
        engine = _sqlite_engine(url) if url.startswith("sqlite") else _server_engine(url)
        if migrations.pending(engine):  # a plain read when the store is up to date
            migrations.upgrade(engine)
        # tables a module declares that no revision creates yet (see tests/store/test_migrations.py)
        metadata.create_all(engine)
        _ENGINES[url] = engine
        return engine


def migrate(path: str | os.PathLike[str] | None = None) -> tuple[str | None, list[str]]:
    """Run the store's pending migrations (`python -m lib migrate`): (revision before, revisions
    applied); the revision before is "" for a new, empty database and None for a store made
    before migrations. Safe to repeat: an up-to-date store applies nothing and changes nothing."""
    url = db_url(path)
    engine = _sqlite_engine(url) if url.startswith("sqlite") else _server_engine(url)
    try:
        with engine.connect() as conn:
            before = migrations.current(conn)
            if before is None and not sa.inspect(conn).get_table_names():
                before = ""
        return before, migrations.upgrade(engine)
    finally:
        engine.dispose()


_ENGINES_LOCK = threading.Lock()
_WRITING = "rts_writing"  # connection-info flag: this transaction was opened by engine.begin()
_BUMP = store_version.update().where(store_version.c.id == 1).values(version=store_version.c.version + 1)


def _writing_begin(engine: Engine) -> Callable[[], contextlib.AbstractContextManager[sa.Connection]]:
    """engine.begin() for the store: a write transaction whose first statement raises the version
    row (on PostgreSQL its row lock queues writers; on SQLite BEGIN IMMEDIATE already has), so
    that every write, by any process, changes `data_version`."""

    @contextlib.contextmanager
    def begin() -> Iterator[sa.Connection]:
        with engine.connect() as conn:
            conn.info[_WRITING] = True
            try:
                with conn.begin():
                    conn.execute(_BUMP)
                    yield conn
            finally:
                conn.info.pop(_WRITING, None)

    return begin


def _server_engine(url: str) -> Engine:
    """A client-server database (PostgreSQL): connections checked before use (a restarted server
    or a dropped idle connection is a reconnect, not an error page)."""
    engine = sa.create_engine(url, pool_pre_ping=True)
    engine.begin = _writing_begin(engine)  # type: ignore[method-assign]
    _create_only_what_is_missing(engine)
    return engine


def _sqlite_engine(url: str) -> Engine:
    engine = sa.create_engine(url, connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DB-API connection
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # noqa: ANN001
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get(_WRITING) else "BEGIN")

    engine.begin = _writing_begin(engine)  # type: ignore[method-assign]
    _create_only_what_is_missing(engine)
    return engine


def _create_only_what_is_missing(engine: Engine) -> None:
    """A `create_all` whose tables all exist is a plain read: no write transaction, so it never
    waits behind a writer and never raises the store's version."""
    run_ddl = engine._run_ddl_visitor

    def ddl(visitor: type, element: object, **kwargs: object) -> None:
        if visitor is SchemaGenerator and _tables_exist(engine, element, kwargs.get("tables")):
            return
        run_ddl(visitor, element, **kwargs)

    engine._run_ddl_visitor = ddl  # type: ignore[method-assign]


def _tables_exist(engine: Engine, element: object, tables: object) -> bool:
    """Whether every table a `create_all(tables=...)` would create is in the store already."""
    wanted = tables if tables is not None else getattr(element, "sorted_tables", [element])
    with snapshot(engine) as conn:
        have = set(sa.inspect(conn).get_table_names())
    return all(getattr(t, "name", None) in have for t in wanted)  # type: ignore[union-attr]


@contextlib.contextmanager
def snapshot(engine: Engine) -> Iterator[sa.Connection]:
    """A read-only connection on one consistent snapshot of the store: on SQLite a deferred
    transaction (WAL: sees the last commit before its first read, never waits for a writer); on
    PostgreSQL a REPEATABLE READ, READ ONLY transaction (the same promise there)."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        yield conn


def dispose_all() -> None:
    """Close every engine (tests and benchmarks use fresh files)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()
