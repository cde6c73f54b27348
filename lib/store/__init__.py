"""The store: canonical tables plus provenance, on SQLAlchemy Core.

Embedded SQLite by default (`RTS_DB`, else `data/rts.sqlite` under the project); the same code
serves a PostgreSQL URL (`postgresql+psycopg://user@host/db`). The schema is versioned by
Alembic revisions in lib/migrations, applied on first use. Every row keeps its import id, file, sheet and row. Rows are never
updated in place: a corrected re-export marks the rows it replaces as superseded by the new
import, so that undoing that import brings them back; a re-export that repeats a row unchanged
claims it (`row_claims`), so that undoing the first import keeps it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.sql.ddl import SchemaGenerator

from lib.store import migrations
from lib.core.errors import ReturnToSpeedError, UnknownTable
from lib.core.schema import REJECT_COLUMNS, TABLES, Table, conform, without_missing_measures

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_DB = PROJECT_DIR / "data" / "rts.sqlite"

metadata = sa.MetaData()

_SA_TYPES = {"str": sa.Text, "date": sa.Date, "float": sa.Float, "int": sa.Integer}


def _canonical_table(spec: Table) -> sa.Table:
    cols = [sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=True)]
    cols += [sa.Column(c.name, _SA_TYPES[c.dtype]()) for c in spec.columns]
    cols += [
        sa.Column("import_id", sa.Integer, index=True),
        sa.Column("source_sheet", sa.Text),
        sa.Column("superseded_by", sa.Integer, index=True),
    ]
    if "source_file" not in spec.column_names:
        cols += [sa.Column("source_file", sa.Text), sa.Column("source_row", sa.Integer)]
    return sa.Table(spec.name, metadata, *cols, sa.Index(f"ix_{spec.name}_key", *spec.key[:2]))


CANONICAL: dict[str, sa.Table] = {name: _canonical_table(spec) for name, spec in TABLES.items()}

imports = sa.Table(
    "imports", metadata,
    sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False, index=True),
    sa.Column("size_bytes", sa.Integer),
    sa.Column("formats", sa.Text),
    sa.Column("imported_at", sa.DateTime),
    sa.Column("imported_by", sa.Text),
    sa.Column("status", sa.Text),  # imported, undone
    sa.Column("rows_added", sa.Integer),
    sa.Column("rows_replaced", sa.Integer),
    sa.Column("rows_rejected", sa.Integer),
    sa.Column("report", sa.Text),  # JSON of the import report
    sa.Column("undone_at", sa.DateTime),
)

# A later import that sent a row again unchanged writes no copy of it, only a claim: undoing the
# import that wrote the row then hands it to the newest live claimant instead of deleting it.
claims = sa.Table(
    "row_claims", metadata,
    sa.Column("claim_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, index=True),
    sa.Column("table_name", sa.Text),
    sa.Column("row_id", sa.Integer, index=True),
    sa.Column("athlete_id", sa.Text),  # so that erasing an athlete erases their claims too
    sa.Column("source_sheet", sa.Text),
    sa.Column("source_row", sa.Integer),
)

rejects = sa.Table(
    "rejects", metadata,
    sa.Column("reject_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, index=True),
    *[sa.Column(c, sa.Integer if c == "row" else sa.Text) for c in REJECT_COLUMNS],
)

aliases = sa.Table(
    "athlete_aliases", metadata,
    sa.Column("alias_key", sa.Text, primary_key=True),
    sa.Column("athlete_id", sa.Text, nullable=False),
    sa.Column("confirmed_by", sa.Text),
    sa.Column("confirmed_at", sa.DateTime),
)

suggestions = sa.Table(
    "name_suggestions", metadata,
    sa.Column("suggestion_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, index=True),
    sa.Column("athlete_id", sa.Text),  # the new athlete the unknown name became
    sa.Column("name", sa.Text),
    sa.Column("suggested_id", sa.Text),
    sa.Column("suggested_name", sa.Text),
    sa.Column("score", sa.Float),
    sa.Column("status", sa.Text),  # open, merged, dismissed
)

audit = sa.Table(
    "audit_log", metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime),
    sa.Column("who", sa.Text),
    sa.Column("action", sa.Text),
    sa.Column("detail", sa.Text),
)


# Weekly high-velocity plans (lib.plan): one row per save, never updated in place; the latest save
# of an athlete's week is the plan. `plan` is the JSON of the days and the numbers' reasons.
plans = sa.Table(
    "plans", metadata,
    sa.Column("plan_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("athlete_id", sa.Text, nullable=False, index=True),
    sa.Column("week", sa.Text, nullable=False),
    sa.Column("tier", sa.Integer),
    sa.Column("plan", sa.Text, nullable=False),
    sa.Column("saved_by", sa.Text),
    sa.Column("saved_at", sa.DateTime),
)


def db_url(path: str | os.PathLike[str] | None = None) -> str:
    """SQLAlchemy URL for `path`, `RTS_DB`, or the default SQLite file; URLs pass through."""
    target = str(path) if path else os.environ.get("RTS_DB", str(DEFAULT_DB))
    if "://" in target:
        return target
    Path(target).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(target).expanduser()}"


_ENGINES: dict[str, Engine] = {}


def connect(path: str | os.PathLike[str] | None = None) -> Engine:
    """An engine on the store, migrated to this code's schema on first use (see lib/migrations).

    On SQLite (WAL, a busy timeout) only writes take the write lock: `engine.begin()` starts
    `BEGIN IMMEDIATE` (writers queue for the lock instead of failing half-way), while
    `engine.connect()` reads in a plain deferred transaction, a WAL snapshot of the last commit
    that never waits for a writer. On PostgreSQL `engine.begin()` is READ COMMITTED and its first
    statement raises the store's version row, whose row lock queues writers the same way (each
    later statement then sees every write committed before it). A `create_all` that finds its
    tables already there is only a read (many read paths call it). A store written by a newer
    release raises `StoreTooNew` before anything is read or written.
    """
    url = db_url(path)
    with _ENGINES_LOCK:  # sessions of a freshly started server ask for the engine together
        if url in _ENGINES:
            return _ENGINES[url]
        engine = _sqlite_engine(url) if url.startswith("sqlite") else _server_engine(url)
        if migrations.pending(engine):  # a plain read when the store is up to date
            migrations.upgrade(engine)
        # tables a module declares that no revision creates yet (see tests/test_migrations.py)
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

store_version = sa.Table(
    "store_version", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger, nullable=False),
)
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
    waits behind a writer and never raises the store's version (many read paths call it)."""
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


def vacuum_full(engine: Engine) -> list[str]:
    """PostgreSQL: rewrite every table of the store (VACUUM FULL) so that the old versions of
    deleted or rewritten rows (an erasure's) leave its pages; returns the tables rewritten. Each
    table is locked while it is rewritten (a store's tables take well under a second each). The
    server's write-ahead log, replicas and backups keep their copies until they are recycled.
    No-op on SQLite (lib.privacy VACUUMs the file)."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM runs outside a transaction
        names = sa.inspect(conn).get_table_names()
        for name in names:
            conn.exec_driver_sql(f'VACUUM FULL "{name}"')
    return names


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


def dispose_all() -> None:
    """Close every engine (tests and benchmarks use fresh files)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


# ------------------------------------------------------------------------------------ reading

def read_table(engine: Engine | sa.Connection, table: str, provenance: bool = False,
               include_superseded: bool = False) -> pd.DataFrame:
    """A canonical table as a DataFrame with canonical dtypes (active rows only by default).

    `engine` may be an open connection (one `snapshot` for several tables). One query, its rows
    fetched straight from the driver and built into columns: no dict, no SQLAlchemy row per row.
    """
    if table not in CANONICAL:
        raise UnknownTable(f"unknown table '{table}': choose one of {', '.join(TABLES)}")
    t = CANONICAL[table]
    query = sa.select(t)
    if not include_superseded:
        query = query.where(t.c.superseded_by.is_(None))
    query = query.order_by(t.c.row_id)
    with _reading(engine) as conn:
        raw = _columnar(conn, query)
    out = conform(raw, table)
    if provenance:
        for col in ("import_id", "source_sheet", "source_file", "source_row", "row_id"):
            if col not in out.columns:
                # pandas' own inference, as the records-built frame had it (int64, float64 with NaN, str)
                out[col] = pd.Series(raw[col].tolist()).to_numpy() if len(raw) else pd.Series(dtype="object")
    return without_missing_measures(out, table)  # an infinity an older version stored reads as no row


@contextlib.contextmanager
def _reading(source: Engine | sa.Connection) -> Iterator[sa.Connection]:
    """The caller's connection as it is, else a fresh `snapshot` of the engine."""
    if isinstance(source, sa.Connection):
        yield source
        return
    with snapshot(source) as conn:
        yield conn


def _columnar(conn: sa.Connection, query: sa.Select) -> pd.DataFrame:
    """The rows of `query` as one block of object columns holding the driver's values as they are
    (no inference: `conform` gives each column its canonical dtype; dates arrive as text on SQLite
    and as dates on PostgreSQL). The statement goes to the driver as compiled SQL and its rows
    straight into a 2-D array, so neither SQLAlchemy nor pandas builds an object per row: the
    dict per row this replaced was most of a season's first load."""
    compiled = query.compile(dialect=conn.dialect)
    names = [c.name for c in query.selected_columns]
    params = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[k] for k in compiled.positiontup or ())
    result = conn.exec_driver_sql(str(compiled), params)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    grid = np.empty((len(rows), len(names)), dtype=object)
    if rows:
        grid[:] = rows  # tuples of driver values, one C loop; never a nested sequence per cell
    return pd.DataFrame(grid, columns=names, dtype=object, copy=False)


def read_imports(engine: Engine) -> pd.DataFrame:
    """Import history, newest first."""
    cols = ["import_id", "file", "formats", "imported_at", "imported_by", "status",
            "rows_added", "rows_replaced", "rows_rejected", "sha256"]
    with snapshot(engine) as conn:
        rows = conn.execute(sa.select(*[imports.c[c] for c in cols]).order_by(imports.c.import_id.desc())).all()
    return pd.DataFrame(rows, columns=cols)


def read_rejects(engine: Engine, import_id: int | None = None) -> pd.DataFrame:
    """Rejected rows and cells with their reasons, for one import or all live imports."""
    query = sa.select(rejects.c.import_id, *[rejects.c[c] for c in REJECT_COLUMNS]).join(
        imports, imports.c.import_id == rejects.c.import_id).where(imports.c.status == "imported")
    if import_id is not None:
        query = query.where(rejects.c.import_id == import_id)
    with snapshot(engine) as conn:
        rows = conn.execute(query.order_by(rejects.c.reject_id)).all()
    return pd.DataFrame(rows, columns=["import_id", *REJECT_COLUMNS])


def read_suggestions(engine: Engine, status: str = "open") -> pd.DataFrame:
    """Name matches waiting for a person to confirm or dismiss."""
    with snapshot(engine) as conn:
        rows = conn.execute(sa.select(suggestions).where(suggestions.c.status == status)
                            .order_by(suggestions.c.suggestion_id)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in suggestions.columns])


def read_aliases(engine: Engine) -> dict[str, str]:
    with snapshot(engine) as conn:
        return dict(conn.execute(sa.select(aliases.c.alias_key, aliases.c.athlete_id)).all())


def find_import_by_hash(engine: Engine, sha256: str) -> dict[str, object] | None:
    """The live import of a file with these exact bytes, if any."""
    with snapshot(engine) as conn:
        row = conn.execute(sa.select(imports).where(imports.c.sha256 == sha256,
                                                    imports.c.status == "imported")).mappings().first()
    return dict(row) if row else None


def is_empty(engine: Engine) -> bool:
    """True when no import has ever landed."""
    with snapshot(engine) as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(imports)).scalar_one() == 0


def data_version(engine: Engine) -> int:
    """The store's version: raised by every writing transaction of any process (the version row),
    so a cache keyed by it never serves data older than the last commit. One primary-key read."""
    with snapshot(engine) as conn:
        return int(conn.execute(sa.select(store_version.c.version).where(store_version.c.id == 1)).scalar_one())


def log(conn: sa.Connection, who: str, action: str, detail: dict[str, object]) -> None:
    """One audit-log entry, inside the caller's transaction."""
    conn.execute(audit.insert().values(at=now(), who=who, action=action, detail=json.dumps(detail, default=str)))


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def records(df: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as dicts with None for missing values and python dates, ready for executemany
    (built column by column: a season's sessions in a fraction of DataFrame.to_dict's time)."""
    if df.empty:
        return []
    names = [str(c) for c in df.columns]
    return [dict(zip(names, row)) for row in zip(*_python_columns(df))]


def _python_columns(df: pd.DataFrame) -> list[list[object]]:
    """Each column as a list of python values: None where missing, dates for datetimes."""
    columns = []
    for c in df.columns:
        s = df[c]
        values = s.dt.date if pd.api.types.is_datetime64_any_dtype(s.dtype) else s
        columns.append(values.astype(object).where(s.notna(), None).tolist())
    return columns


def insert_frame(conn: sa.Connection, table: sa.Table, df: pd.DataFrame) -> None:
    """Insert a frame's rows (columns named as the table's) in one executemany.

    On SQLite the rows go to the driver as tuples through the compiled INSERT, each value passed
    through its column type's own bind processor (what SQLAlchemy would store): SQLAlchemy's
    per-row parameter handling took 0.07 s of the 0.11 s a season's 10,000 sessions take to
    insert. Other databases take SQLAlchemy's ordinary path.
    """
    if df.empty:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(table.insert(), records(df))
        return
    names = [str(c) for c in df.columns]
    insert = table.insert().compile(dialect=conn.dialect, column_keys=names)
    values = dict(zip(names, _python_columns(df)))
    columns = []
    for name in insert.positiontup:  # the order of the statement's `?`s
        process = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        columns.append(values[name] if process is None else [process(v) for v in values[name]])
    conn.exec_driver_sql(str(insert), list(zip(*columns)))
