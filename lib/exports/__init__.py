"""Exports: the canonical tables and the readiness board as CSV and as a formatted Excel workbook.

- CSV: exactly the canonical columns (lib.schema), dates as YYYY-MM-DD, UTF-8 (with a BOM for the
  files people download, so that Excel shows `José` and not `JosÃ©`).
- XLSX (openpyxl): one sheet per table, bold frozen header row with the unit after the column name
  (`hsr_distance_m (m)`, from lib.schema Column.unit), dates as real dates (yyyy-mm-dd), numbers as
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

import argparse
import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from lib.ingest.normalize import header_key
from lib.core.schema import TABLES

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
FORMATS = ("csv", "xlsx")
BOARD = "board"
ALL = "all"
BOARD_UNITS = {"days_since_injury": "days"}
# status cell fills: light tints of the screen's colours, different enough in grey when printed
STATUS_FILLS = {"red": "F4B183", "amber": "FFE699", "green": "C6EFCE", "grey": "D9D9D9"}
HEADER_FILL = "DDE3EA"
FIXED_TIME = dt.datetime(2000, 1, 1)  # workbook metadata when no date is given
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_UNIT_SUFFIX = re.compile(r"^(?P<name>.+?)\s*[(\[](?P<unit>[^()\[\]]*)[)\]]\s*$")


# ------------------------------------------------------------------------------------ cells

def escape_cell(value: object) -> object:
    """Text a spreadsheet could run as a formula gets a leading apostrophe; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS + (ESCAPE,)):
        return ESCAPE + value
    return value


def unescape_cell(value: object) -> object:
    """The inverse of `escape_cell`, for our importer: `'=1+1` -> `=1+1`, `''x` -> `'x`; other values as they are."""
    if isinstance(value, str) and len(value) > 1 and value[0] == ESCAPE and value[1] in FORMULA_TRIGGERS + (ESCAPE,):
        return value[1:]
    return value


def header_label(table: str, column: str) -> str:
    """Header of a workbook column: the canonical name with its unit, `hsr_distance_m (m)`."""
    unit = ""
    if table in TABLES and column in TABLES[table].column_names:
        unit = TABLES[table].column(column).unit
    elif table == BOARD:
        unit = BOARD_UNITS.get(column, "")
    return f"{column} ({unit})" if unit else column


def header_column(header: object) -> str:
    """The canonical column name of a workbook header, for our importer: `hsr_distance_m (m)` -> `hsr_distance_m`.

    Only a trailing unit that lib.schema gives that column is removed; any other header is returned as it is.
    """
    text = "" if header is None else str(header).strip()
    match = _UNIT_SUFFIX.match(text)
    if not match:
        return text
    name, unit = match.group("name").strip(), match.group("unit").strip()
    units = {c.unit for t in TABLES.values() for c in t.columns if c.name == header_key(name) and c.unit}
    units |= {u for c, u in BOARD_UNITS.items() if c == header_key(name)}
    return name if unit in units else text


def output_only(headers: list[object]) -> str | None:
    """Why a sheet of our workbook export holds output, not data to import (the board, its thresholds),
    else None: our importer reports such a sheet and imports nothing from it."""
    keys = {header_key(header_column(h)) for h in headers if h is not None and str(h).strip()}
    if {"athlete_id", "status", "status_word", "tier", "action"} <= keys:
        return "readiness board of a Return to Speed export: the app's output, nothing to import"
    if {"setting", "label", "value", "default", "changed", "source"} <= keys:
        return "thresholds of a Return to Speed export: settings are changed on the Settings page"
    return None


def neutralise(df: pd.DataFrame, csv: bool = False) -> pd.DataFrame:
    """A copy of `df` whose text cells are escaped (`escape_cell`); numeric and date columns untouched.

    `csv`: a carriage return inside a cell also becomes a line feed. Python's CSV writer quotes a
    cell holding its line terminator (`\n`) but not a bare CR, which many readers take as the end
    of the row: the cell's rest would start the next row, unescaped (`x\r=HYPERLINK(...)`).
    """
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        values = series.tolist()
        if any(isinstance(v, str) and (v.startswith(FORMULA_TRIGGERS + (ESCAPE,)) or (csv and "\r" in v))
               for v in values):
            dtype = series.dtype if isinstance(series.dtype, pd.StringDtype) else object
            cells = [escape_cell(v) for v in values]
            if csv:
                cells = [v.replace("\r\n", "\n").replace("\r", "\n") if isinstance(v, str) else v for v in cells]
            out[col] = pd.Series(cells, index=series.index, dtype=dtype)
    return out


# ------------------------------------------------------------------------------------ frames

def table_frame(data: object, table: str, mode: str | None = None, key: bytes = b"") -> pd.DataFrame:
    """A canonical table of `data` (lib.readiness.Data), pseudonymised when `mode` is given."""
    from lib.privacy.pseudonym import pseudonymise

    if table not in TABLES:
        raise ValueError(f"unknown table '{table}': one of {', '.join(TABLES)}")
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
    return board_for_export(board)


def thresholds_frame(cfg: dict[str, object] | None = None) -> pd.DataFrame:
    """The threshold set the board used: setting, label, value, unit, default, changed, source."""
    from lib.core.settings import SETTINGS, defaults
    from lib.views.settings import LABELS

    cfg = cfg or defaults()
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

def workbook_bytes(sheets: dict[str, pd.DataFrame], when: dt.datetime | None = None, title: str = "") -> bytes:
    """A formatted workbook, one sheet per frame (the sheet name picks the units; `board` gets its
    status cells coloured). Deterministic: metadata and zip entries carry `when` (else a fixed date)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for name, df in sheets.items():
        _write_sheet(wb, name, df)
    stamp = when or FIXED_TIME
    wb.properties.creator = "Return to Speed"
    wb.properties.title = title or None
    wb.properties.created = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    return _fixed_zip(buffer.getvalue(), stamp)


def _write_sheet(wb: object, name: str, df: pd.DataFrame) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    ws = wb.create_sheet(title=name[:31])  # type: ignore[attr-defined]
    columns = [str(c) for c in df.columns]
    widths = _widths(df)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[_letter(i)].width = width
    ws.freeze_panes = "A2"
    if len(columns):
        ws.auto_filter.ref = f"A1:{_letter(len(columns))}{max(1, len(df) + 1)}"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    edge = Border(bottom=Side(style="thin", color="7F7F7F"))
    header = []
    for col in columns:
        cell = WriteOnlyCell(ws, value=header_label(name, col))
        cell.font, cell.fill, cell.border = bold, fill, edge
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    ws.append(header)
    status_cols = {i for i, c in enumerate(columns) if c in ("status", "status_word", "status_icon")} \
        if name == BOARD else set()
    statuses = df["status"].astype(str).tolist() if status_cols else []
    fills = {s: PatternFill("solid", fgColor=c) for s, c in STATUS_FILLS.items()}
    for r, values in enumerate(_rows(df)):
        row: list[object] = []
        for i, value in enumerate(values):
            escaped = isinstance(value, str) and value.startswith(FORMULA_TRIGGERS + (ESCAPE,))
            if isinstance(value, str):
                value = _ILLEGAL_XML.sub("", escape_cell(value))  # type: ignore[arg-type]
            if escaped or i in status_cols:
                cell = WriteOnlyCell(ws, value=value)
                if escaped:
                    cell.data_type = "s"  # a string cell: never a formula, whatever the text
                if i in status_cols and statuses[r] in fills:
                    cell.fill, cell.font = fills[statuses[r]], bold
                row.append(cell)
            else:
                row.append(value)
        ws.append(row)


def _rows(df: pd.DataFrame) -> Iterable[list[object]]:
    """Rows as plain Python values: dates as dates, missing as empty, numbers as numbers."""
    cols = []
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            values = [None if pd.isna(v) else (v.date() if v == v.normalize() else v.to_pydatetime()) for v in s]
        elif pd.api.types.is_bool_dtype(s):
            values = [None if pd.isna(v) else bool(v) for v in s]
        elif pd.api.types.is_integer_dtype(s):
            values = [None if pd.isna(v) else int(v) for v in s]
        elif pd.api.types.is_float_dtype(s):
            values = [None if pd.isna(v) else float(v) for v in s]
        else:
            values = [_plain(v) for v in s]
        cols.append(values)
    return (list(r) for r in zip(*cols)) if cols else iter([])


def _plain(value: object) -> object:
    if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    if isinstance(value, (bool, int, float, str, dt.date)):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()  # type: ignore[union-attr]
    return str(value)


def _widths(df: pd.DataFrame) -> list[float]:
    out = []
    for col in df.columns:
        sample = df[col].head(200).map(lambda v: "" if v is None or (not isinstance(v, (list, dict)) and pd.isna(v))
                                       else str(v))
        longest = max([len(str(col)) + 6, *sample.map(len).tolist()]) if len(sample) else len(str(col)) + 6
        out.append(float(min(60, max(10, longest + 2))))
    return out


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


def _fixed_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The same workbook with fixed timestamps in its metadata and zip entries (same data, same bytes)."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)",
                              rf"\g<1>{iso}\g<2>", text)
                body = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=(max(1980, stamp.year), stamp.month, stamp.day, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, body)
    return out.getvalue()


def data_workbook(data: object, tables: Iterable[str] = tuple(TABLES), board: pd.DataFrame | None = None,
                  cfg: dict[str, object] | None = None, on: dt.date | None = None, mode: str | None = None,
                  key: bytes = b"", team: str = "") -> bytes:
    """The canonical tables (and the board with the thresholds it used, when given) as one workbook."""
    sheets: dict[str, pd.DataFrame] = {}
    if board is not None:
        sheets[BOARD] = board_frame(board, mode, data.athletes, key)  # type: ignore[attr-defined]
        sheets["thresholds"] = thresholds_frame(cfg)
    for table in tables:
        sheets[table] = table_frame(data, table, mode, key)
    when = dt.datetime.combine(on, dt.time()) if on else None
    title = "Return to Speed export" + (f" · {team}" if team else "") + (f" · {on:%Y-%m-%d}" if on else "")
    return workbook_bytes(sheets, when, title)


def board_workbook(board: pd.DataFrame, cfg: dict[str, object] | None = None, on: dt.date | None = None,
                   mode: str | None = None, athletes: pd.DataFrame | None = None, key: bytes = b"",
                   team: str = "") -> bytes:
    """The readiness board alone as a workbook: the board sheet (status cells coloured) and its thresholds."""
    sheets = {BOARD: board_frame(board, mode, athletes, key), "thresholds": thresholds_frame(cfg)}
    when = dt.datetime.combine(on, dt.time()) if on else None
    return workbook_bytes(sheets, when, "Readiness board" + (f" · {team}" if team else ""))


# ------------------------------------------------------------------------------------ command line

def export_bytes(engine: object, table: str, fmt: str = "csv", mode: str | None = None, provenance: bool = False,
                 on: dt.date | None = None, team: str = "default", bom: bool = False, data: object | None = None) -> bytes:
    """What `python -m lib export` writes: a table (`board`: the board on `on`; `all`: every table and
    the board, xlsx only) as CSV or XLSX, pseudonymised when `mode` is given. `data` (a Data, e.g.
    the tables a role may see) replaces reading the whole store; provenance columns then stay out."""
    from lib.core import settings
    from lib import store
    from lib.privacy.pseudonym import check_mode, known_names, pseudonymise, pseudonymise_data, store_key
    from lib.readiness import Data, readiness_board

    mode = check_mode(mode)
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if table == ALL and fmt != "xlsx":
        raise ValueError("`all` writes one workbook: use --format xlsx")
    key = store_key(engine) if mode else b""  # type: ignore[arg-type]
    day = pd.Timestamp(on or dt.date.today()).normalize()
    aliases = known_names(engine) if mode else None  # type: ignore[arg-type] # misspellings met in files name them too
    if table in (BOARD, ALL):
        data = data if data is not None else Data.from_store(engine)  # type: ignore[arg-type]
        data = pseudonymise_data(data, mode, key, aliases)  # type: ignore[arg-type]
        cfg = settings.load(engine, team)  # type: ignore[arg-type]
        board = readiness_board(data, day, cfg)  # type: ignore[arg-type]
        if table == ALL:
            return data_workbook(data, TABLES, board, cfg, day.date(), None, key, team)
        if fmt == "csv":
            return board_csv(board, None, data.athletes, key, bom)  # type: ignore[attr-defined]
        return board_workbook(board, cfg, day.date(), None, data.athletes, key, team)  # type: ignore[attr-defined]
    if table not in TABLES:
        raise ValueError(f"unknown table '{table}': one of {', '.join([*TABLES, BOARD, ALL])}")
    if data is not None:
        df, athletes = getattr(data, table), data.athletes  # type: ignore[attr-defined]
    else:
        df = store.read_table(engine, table, provenance=provenance)  # type: ignore[arg-type]
        athletes = store.read_table(engine, "athletes")  # type: ignore[arg-type]
    if mode:
        df = pseudonymise(df, mode, athletes, key, aliases=aliases)
    return csv_bytes(df, bom) if fmt == "csv" else workbook_bytes({table: df}, FIXED_TIME, f"Return to Speed {table}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `python -m lib export` (the caller adds --db)."""
    parser.add_argument("table", choices=[*TABLES, BOARD, ALL], metavar="TABLE",
                        help=", ".join(TABLES) + f"; {BOARD} (the readiness board); {ALL} (every table and the board, xlsx)")
    parser.add_argument("--format", choices=FORMATS, default="csv", help="csv (default) or xlsx")
    parser.add_argument("--pseudonymise", choices=["initials", "codes"], help="no names: initials or athlete codes")
    parser.add_argument("--provenance", action="store_true", help="add import_id, source_sheet columns")
    parser.add_argument("--on", help="the board's date YYYY-MM-DD (default: today)")
    parser.add_argument("--team", default="default", help="the board's team settings (default: default)")
    parser.add_argument("-o", "--output", help="write FILE instead of stdout (CSV files get a BOM for Excel)")


def main_export(args: argparse.Namespace) -> int:
    """`python -m lib export TABLE [--format csv|xlsx] [--pseudonymise initials|codes] [--provenance]
    [--on DATE] [--team NAME] [-o FILE]`: writes FILE, else stdout (an xlsx only to a file or a pipe)."""
    from lib import store
    from lib.core.errors import ReturnToSpeedError

    fmt = getattr(args, "format", None) or "csv"
    output = getattr(args, "output", None)
    on = getattr(args, "on", None)
    try:
        day = dt.date.fromisoformat(on) if on else None
        body = export_bytes(store.connect(getattr(args, "db", None)), args.table, fmt,
                            getattr(args, "pseudonymise", None), bool(getattr(args, "provenance", False)), day,
                            getattr(args, "team", None) or "default", bom=bool(output) and fmt == "csv")
    except ValueError as exc:
        raise ReturnToSpeedError(str(exc)) from None
    if output:
        Path(output).write_bytes(body)
        print(f"{args.table} written to {output}", file=sys.stderr)
        return 0
    binary = getattr(sys.stdout, "buffer", None)
    if fmt == "xlsx" and (binary is None or sys.stdout.isatty()):
        raise ReturnToSpeedError("an xlsx workbook is binary: give -o FILE.xlsx or redirect stdout to a file")
    if binary is None:  # a text stream (tests redirect stdout to StringIO)
        sys.stdout.write(body.decode("utf-8"))
        return 0
    sys.stdout.flush()
    binary.write(body)
    binary.flush()
    return 0
