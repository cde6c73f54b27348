"""A formatted, deterministic Excel workbook from frames (openpyxl, write-only).

One sheet per frame: bold frozen header row with the unit after the column name (`hsr_distance_m
(m)`, lib.core.cells.header_label), dates as real dates, numbers as numbers, text a spreadsheet
would run escaped and written as a string cell, status cells of the `board` sheet coloured and
worded. The same frames give the same bytes: the timestamps are fixed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable

import pandas as pd

from lib.core.cells import BOARD, ESCAPE, FORMULA_TRIGGERS, escape_cell, header_label
from lib.core.status import STATUS_FILLS

HEADER_FILL = "DDE3EA"
FIXED_TIME = dt.datetime(2000, 1, 1)  # workbook metadata when no date is given
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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
