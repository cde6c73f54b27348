"""Reading the store: the canonical tables (active rows, columnar), imports, rejects, names, the data version."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.core.errors import UnknownTable
from lib.core.schema import REJECT_COLUMNS, TABLES, conform, without_missing_measures
from lib.store.engine import snapshot
from lib.store.tables import CANONICAL, aliases, imports, rejects, store_version, suggestions


def read_table(engine: Engine | sa.Connection, table: str, provenance: bool = False,
               include_superseded: bool = False) -> pd.DataFrame:
    """A canonical table as a DataFrame with canonical dtypes (active rows only by default).

    `engine` may be an open connection (one `snapshot` for several tables). One query, its rows
    fetched straight from the driver and built into columns: no dict, no SQLAlchemy row per row.
    """
    if table not in CANONICAL:
        raise UnknownTable(f"unknown table '{table}': choose one of {', '.join(TABLES)}")
    t = CANONICAL[table]
    # without provenance only the canonical columns travel (the row's import, file and sheet stay in the store)
    query = sa.select(t) if provenance else sa.select(*[t.c[name] for name in TABLES[table].column_names])
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
