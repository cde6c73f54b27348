"""Exports: the canonical tables and the readiness board as CSV and as a formatted Excel workbook.

- CSV: exactly the canonical columns (lib.core.schema), dates as YYYY-MM-DD, UTF-8 (with a BOM for the
  files people download, so that Excel shows `José` and not `JosÃ©`).
- XLSX (openpyxl): one sheet per table, bold frozen header row with the unit after the column name
  (`hsr_distance_m (m)`, from lib.core.schema Column.unit), dates as real dates (yyyy-mm-dd), numbers as
  numbers, status cells coloured and worded on the board sheet, and the thresholds the board used.
- Formula injection (OWASP "CSV injection"): text that starts with `=`, `+`, `-`, `@`, tab or CR is
  written with a leading apostrophe, in CSV and XLSX alike; in XLSX such a cell is also written
  explicitly as a string cell, which no spreadsheet program evaluates; in CSV a carriage return inside
  a cell becomes a line feed (quoted), so no cell's rest can start a row of its own. Text that already starts with
  an apostrophe gets a second one, so that `unescape_cell` gives back exactly the original text: our
  own importer (lib/readers/template.py) calls it on every cell of our exports. Numbers are never
  touched (a negative number stays a number).
- Bytes are deterministic for the same data: the workbook's timestamps are fixed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from lib.core.cells import (  # noqa: F401 - exports.<name> for every caller
    BOARD, BOARD_UNITS, ESCAPE, FORMULA_TRIGGERS, escape_cell, header_label, neutralise, unescape_cell,
)
from lib.core.schema import TABLES
from lib.core.status import STATUS_FILLS  # noqa: F401
from lib.core.workbook import FIXED_TIME, HEADER_FILL, workbook_bytes  # noqa: F401
from lib.ingest.readers.template import header_column, output_only  # noqa: F401 - reading our exports back
from lib.core.errors import InputError
from lib.core.names import ALL, FORMATS  # noqa: F401 - exports.ALL and FORMATS for every caller

# board columns added after the file layout was published: written after `reasons`, so that every
# earlier column keeps its place for a consumer reading by position (extend, never rename or move)
BOARD_ADDED = ("acwr_hsr", "acwr_sprint")

# ------------------------------------------------------------------------------------ frames

def table_frame(data: object, table: str, mode: str | None = None, key: bytes = b"") -> pd.DataFrame:
    """A canonical table of `data` (lib.readiness.Data), pseudonymised when `mode` is given."""
    from lib.privacy.pseudonym import pseudonymise

    if table not in TABLES:
        raise InputError(f"unknown table '{table}': one of {', '.join(TABLES)}")
    df = getattr(data, table)
    return pseudonymise(df, mode, data.athletes, key) if mode else df  # type: ignore[attr-defined]


def board_frame(board: pd.DataFrame, mode: str | None = None, athletes: pd.DataFrame | None = None,
                key: bytes = b"") -> pd.DataFrame:
    """The board flattened for files (reasons joined into text, see `board_for_export`), pseudonymised
    when `mode` is given (`athletes` names everyone to scrub from the text)."""
    from lib.privacy.pseudonym import pseudonymise
    from lib.readiness import board_for_export

    if mode:
        board = pseudonymise(board, mode, athletes if athletes is not None else board, key)
    out = board_for_export(board)
    added = [c for c in BOARD_ADDED if c in out]
    return out[[c for c in out if c not in added] + added].astype({c: float for c in added})


def thresholds_frame(cfg: dict[str, object]) -> pd.DataFrame:
    """The threshold set the board used: setting, label, value, unit, default, changed, source."""
    from lib.core.settings import LABELS, SETTINGS

    return pd.DataFrame([{
        "setting": s.name, "label": LABELS.get(s.name, s.name), "value": cfg.get(s.name, s.default), "unit": s.unit,
        "default": s.default, "changed": cfg.get(s.name, s.default) != s.default, "source": s.source,
    } for s in SETTINGS])


# ------------------------------------------------------------------------------------ CSV

def csv_bytes(df: pd.DataFrame, bom: bool = True) -> bytes:
    """`df` as CSV: text neutralised, dates YYYY-MM-DD, UTF-8 (with a BOM unless `bom=False`)."""
    text = neutralise(df, csv=True).to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")
    return ("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8")


def table_csv(data: object, table: str, mode: str | None = None, key: bytes = b"", bom: bool = True) -> bytes:
    """One canonical table of `data` as CSV bytes (the download buttons; `python -m lib export`)."""
    return csv_bytes(table_frame(data, table, mode, key), bom)


def board_csv(board: pd.DataFrame, mode: str | None = None, athletes: pd.DataFrame | None = None,
              key: bytes = b"", bom: bool = True) -> bytes:
    """The readiness board as CSV bytes (reasons joined with ` | `)."""
    return csv_bytes(board_frame(board, mode, athletes, key), bom)


# ------------------------------------------------------------------------------------ XLSX

def data_workbook(data: object, as_of: dt.date | None, cfg: dict[str, object], tables: Iterable[str] = tuple(TABLES),
                  board: pd.DataFrame | None = None, mode: str | None = None, key: bytes = b"", team: str = "") -> bytes:
    """The canonical tables (and the board with the thresholds it used, when given) as one workbook
    dated `as_of` (None: no date in the title)."""
    sheets: dict[str, pd.DataFrame] = {}
    if board is not None:
        sheets[BOARD] = board_frame(board, mode, data.athletes, key)  # type: ignore[attr-defined]
        sheets["thresholds"] = thresholds_frame(cfg)
    for table in tables:
        sheets[table] = table_frame(data, table, mode, key)
    when = dt.datetime.combine(as_of, dt.time()) if as_of else None
    title = "Return to Speed export" + (f" · {team}" if team else "") + (f" · {as_of:%Y-%m-%d}" if as_of else "")
    return workbook_bytes(sheets, when, title)


def board_workbook(board: pd.DataFrame, as_of: dt.date | None, cfg: dict[str, object],
                   mode: str | None = None, athletes: pd.DataFrame | None = None, key: bytes = b"",
                   team: str = "") -> bytes:
    """The readiness board alone as a workbook: the board sheet (status cells coloured) and its thresholds."""
    sheets = {BOARD: board_frame(board, mode, athletes, key), "thresholds": thresholds_frame(cfg)}
    when = dt.datetime.combine(as_of, dt.time()) if as_of else None
    return workbook_bytes(sheets, when, "Readiness board" + (f" · {team}" if team else ""))


# ------------------------------------------------------------------------------------ command line

def export_bytes(engine: object, table: str, fmt: str = "csv", mode: str | None = None, provenance: bool = False,
                 as_of: dt.date | None = None, team: str = "default", bom: bool = False, data: object | None = None) -> bytes:
    """What `python -m lib export` writes: a table (`board`: the board on `as_of`; `all`: every table and
    the board, xlsx only) as CSV or XLSX, pseudonymised when `mode` is given. `data` (a Data, e.g.
    the tables a role may see) replaces reading the whole store; provenance columns then stay out."""
    from lib.store import settings
    from lib import store
    from lib.privacy.pseudonym import check_mode, known_names, pseudonymise, pseudonymise_data, store_key
    from lib.readiness import Data, readiness_board

    mode = check_mode(mode)
    if fmt not in FORMATS:
        raise InputError(f"format must be one of {', '.join(FORMATS)}")
    if table == ALL and fmt != "xlsx":
        raise InputError("`all` writes one workbook: use --format xlsx")
    key = store_key(engine) if mode else b""  # type: ignore[arg-type]
    day = pd.Timestamp(as_of or dt.date.today()).normalize()
    aliases = known_names(engine) if mode else None  # type: ignore[arg-type] # misspellings met in files name them too
    if table in (BOARD, ALL):
        data = data if data is not None else Data.from_store(engine)  # type: ignore[arg-type]
        data = pseudonymise_data(data, mode, key, aliases)  # type: ignore[arg-type]
        cfg = settings.load(engine, team)  # type: ignore[arg-type]
        board = readiness_board(data, day, cfg)  # type: ignore[arg-type]
        if table == ALL:
            return data_workbook(data, day.date(), cfg, TABLES, board, None, key, team)
        if fmt == "csv":
            return board_csv(board, None, data.athletes, key, bom)  # type: ignore[attr-defined]
        return board_workbook(board, day.date(), cfg, None, data.athletes, key, team)  # type: ignore[attr-defined]
    if table not in TABLES:
        raise InputError(f"unknown table '{table}': one of {', '.join([*TABLES, BOARD, ALL])}")
    if data is not None:
        df, athletes = getattr(data, table), data.athletes  # type: ignore[attr-defined]
    else:
        df = store.read_table(engine, table, provenance=provenance)  # type: ignore[arg-type]
        athletes = store.read_table(engine, "athletes")  # type: ignore[arg-type]
    if mode:
        df = pseudonymise(df, mode, athletes, key, aliases=aliases)
    return csv_bytes(df, bom) if fmt == "csv" else workbook_bytes({table: df}, FIXED_TIME, f"Return to Speed {table}")


