"""Writing helpers: the audit log, the store's clock, frames as rows."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import sqlalchemy as sa

from lib.store.tables import audit


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
    frame = df.set_axis(names, axis=1)
    columns = [_bound_column(conn, table.c[name].type, frame[name]) for name in insert.positiontup]  # the `?`s' order
    conn.exec_driver_sql(str(insert), list(zip(*columns)))


def _bound_column(conn: sa.Connection, kind: sa.types.TypeEngine, s: pd.Series) -> list[object]:
    """A column's values as its type's bind processor makes them, for SQLite, done on the whole
    column where the result is known: a float64 column into a FLOAT is already the Python floats the
    processor returns (None for NaN), and datetimes into a DATE are the text SQLAlchemy writes
    (`%04d-%02d-%02d`, NULL for NaT). Anything else goes through the processor value by value."""
    process = kind.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    if isinstance(kind, sa.Float) and (s.dtype == "float64" or isinstance(s.dtype, pd.Float64Dtype)):
        # numpy or nullable floats: Python floats, None where missing (what to_float makes of each
        # value), in two array passes instead of a call per value
        values = s.to_numpy(dtype="float64", na_value=np.nan).astype(object)
        values[s.isna().to_numpy()] = None
        return values.tolist()
    if (type(kind) is sa.Date and pd.api.types.is_datetime64_any_dtype(s.dtype)
            and not (s.dt.year < 1000).any()):  # %Y pads to four digits only from the year 1000
        return s.dt.strftime("%Y-%m-%d").astype(object).where(s.notna(), None).tolist()
    [values] = _python_columns(s.to_frame())
    return values if process is None else [process(v) for v in values]
