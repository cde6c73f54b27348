"""Open an uploaded file's bytes as raw sheets (grids of cells), whatever its container.

CSV in any delimiter and encoding, .xlsx/.xlsm/.xls/.ods through python-calamine (values only:
macros never run, formulas are read from their cached values). Nothing here knows a vendor.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.errors import UnreadableFile

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
# Zip containers (xlsx/ods) that expand beyond this are refused before parsing.
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200


@dataclass
class Sheet:
    """One sheet of cells as read: object values (str, float, int, datetime, None)."""

    file: str
    name: str
    cells: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name or "(csv)"


@dataclass
class OpenedFile:
    """Every readable sheet of a file, plus what was skipped and why."""

    file: str
    kind: str  # csv, xlsx, xls, ods
    sheets: list[Sheet]
    skipped: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)


def open_file(data: bytes, name: str) -> OpenedFile:
    """Sheets of an uploaded file; raises UnreadableFile with one clear message."""
    if len(data) == 0:
        raise UnreadableFile(name, "the file is empty (0 bytes)")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableFile(name, f"the file is {len(data) / 1e6:.0f} MB, above the {MAX_UPLOAD_BYTES / 1e6:.0f} MB limit")
    lower = name.lower()
    if data[:4] == b"PK\x03\x04" or lower.endswith((".xlsx", ".xlsm", ".ods", ".xlsb")):
        return _open_zip_workbook(data, name)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _open_workbook(data, name, "xls")
    return _open_text(data, name)


def _open_zip_workbook(data: bytes, name: str) -> OpenedFile:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise UnreadableFile(name, "the workbook is password-protected (encrypted): remove the password and upload again") from None
        raise UnreadableFile(name, "this is not a readable spreadsheet (the .xlsx/.ods container is damaged or not a workbook)") from None
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
        raise UnreadableFile(
            name, f"refused: the workbook would expand to {total / 1e6:.0f} MB ({total / packed:.0f}x its size), a likely zip bomb"
        )
    kind = "ods" if name.lower().endswith(".ods") else "xlsx"
    return _open_workbook(data, name, kind)


def _open_workbook(data: bytes, name: str, kind: str) -> OpenedFile:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several error types for damaged files
        text = str(exc).lower()
        if "password" in text or "encrypt" in text:
            raise UnreadableFile(name, "the workbook is password-protected: remove the password and upload again") from None
        raise UnreadableFile(name, f"the workbook cannot be opened ({exc})") from None
    sheets: list[Sheet] = []
    skipped: list[str] = []
    for meta in wb.sheets_metadata:
        visible = str(getattr(meta, "visible", "visible")).lower()
        if "hidden" in visible:
            skipped.append(f"sheet '{meta.name}' is hidden: skipped")
            continue
        try:
            rows = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
        except Exception as exc:  # a single broken sheet must not sink the others
            skipped.append(f"sheet '{meta.name}' could not be read: {exc}")
            continue
        cells = _grid(rows)
        if cells.empty:
            skipped.append(f"sheet '{meta.name}' is empty")
            continue
        sheets.append(Sheet(name, meta.name, cells))
    return OpenedFile(name, kind, sheets, skipped)


def _grid(rows: list[list]) -> pd.DataFrame:
    """Rows of python values as an object DataFrame: blank strings become None, empty margins go."""
    if not rows:
        return pd.DataFrame()
    width = max(len(r) for r in rows)
    if any(len(r) != width for r in rows):
        rows = [list(r) + [None] * (width - len(r)) for r in rows]
    cells = np.empty((len(rows), width), dtype=object)
    cells[:] = rows
    cells[cells == ""] = None
    filled = ~pd.isna(cells)
    nonempty_rows = np.flatnonzero(filled.any(axis=1))
    nonempty_cols = np.flatnonzero(filled.any(axis=0))
    if not len(nonempty_rows):
        return pd.DataFrame()
    return pd.DataFrame(cells[: nonempty_rows[-1] + 1, : nonempty_cols[-1] + 1], copy=False)


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: UTF-16 only with a BOM, then UTF-8 (BOM or not), else cp1252."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16"), "UTF-16"
    if data[:3] == b"\xef\xbb\xbf":
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252 (Windows)"


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV: the one that splits most lines into the same, largest width."""
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    best, best_score = ",", -1
    for delim in (",", ";", "\t", "|"):
        counts = [len(next(csv.reader([ln], delimiter=delim))) for ln in lines]
        if not counts:
            continue
        widest = max(counts)
        score = sum(1 for c in counts if c == widest) * (widest - 1)
        if score > best_score:
            best, best_score = delim, score
    return best


def _open_text(data: bytes, name: str) -> OpenedFile:
    if b"\x00" in data[:4096] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        raise UnreadableFile(name, "this is not a text or spreadsheet file (binary content); UTF-16 text needs a byte-order mark")
    text, encoding = decode_text(data)
    delim = sniff_delimiter(text)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    cells = _grid(rows)
    if cells.empty:
        raise UnreadableFile(name, "the file holds no data")
    names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
    sheet = Sheet(name, "", cells)
    assumptions = [f"text file read as {encoding}, {names[delim]}-separated"]
    if delim in (";", "\t") and _looks_decimal_comma(cells):
        sheet.notes.append("decimal_comma")
        assumptions.append("numbers use a decimal comma (1,5 = 1.5)")
    return OpenedFile(name, "csv", [sheet], [], assumptions)


_COMMA_NUMBER = re.compile(r"^-?\d+,\d+$")
_DOT_NUMBER = re.compile(r"^-?\d+\.\d+$")


def _looks_decimal_comma(cells: pd.DataFrame) -> bool:
    """True when numbers are written 1,5 and never 1.5 (European exports)."""
    texts = [v.strip() for v in cells.head(500).to_numpy().ravel() if isinstance(v, str)]
    commas = sum(1 for v in texts if _COMMA_NUMBER.match(v))
    dots = sum(1 for v in texts if _DOT_NUMBER.match(v))
    return commas > 0 and dots == 0
