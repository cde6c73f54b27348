"""Text files (CSV in any delimiter and encoding) split into cells; a broken row is listed, the rest still read."""

from __future__ import annotations

import csv
import io
import re
import warnings

import numpy as np
import pandas as pd

from lib.core.errors import UnreadableFile
from lib.ingest.sheets import BrokenRow, OpenedFile, Sheet, _grid
from lib.ingest.xlsx_scan import MAX_FORMULA_CELLS_LISTED


_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")


def _looks_like_text(data: bytes) -> bool:
    """True for bytes that start with a text byte-order mark or hold no NUL in their first 4 kB."""
    return data.startswith(_BOMS) or b"\x00" not in data[:4096]


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: UTF-32 and UTF-16 only with a BOM, then UTF-8 (BOM or not), else cp1252."""
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):  # before UTF-16: its LE BOM starts the same
        return data.decode("utf-32", errors="replace"), "UTF-32"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace"), "UTF-16"  # an odd last byte must not raise
    if data[:3] == b"\xef\xbb\xbf":
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252 (Windows)"


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV: the one that splits most lines into the same, largest width."""
    lines = [ln for ln in _first_lines(text, 50) if ln.strip()]
    best, best_score = ",", -1
    for delim in (",", ";", "\t", "|"):
        counts = [_width(ln, delim) for ln in lines]
        if not counts:
            continue
        widest = max(counts)
        score = sum(1 for c in counts if c == widest) * (widest - 1)
        if score > best_score:
            best, best_score = delim, score
    return best


def _first_lines(text: str, n: int) -> list[str]:
    """`text.splitlines()[:n]` without splitting the whole text: a head is split, and made longer
    until it holds a line beyond the n-th (so the n-th is whole, its line break included)."""
    size = 8192
    while True:
        lines = text[:size].splitlines()
        if len(lines) > n or size >= len(text):
            return lines[:n]
        size *= 4


def _width(line: str, delim: str) -> int:
    """Cells of one line split on `delim` (1 when it cannot be split: an oversize cell)."""
    try:
        return len(next(csv.reader([line], delimiter=delim), []))
    except csv.Error:
        return 1


# Python's csv module refuses a cell longer than this (`csv.field_size_limit()`, 128 KiB, left as it
# is: the limit is process-wide) and reads an unclosed quote to the end of the file; no export of a
# test or a session has a cell anywhere near it (Excel's own cap is 32,767 characters).
MAX_FIELD_CHARS = 131_072


BROKEN_QUOTE = "unclosed quote: this row could not be split into cells and was not read (the rows after it were)"


BROKEN_FIELD = f"a cell longer than {MAX_FIELD_CHARS:,} characters (128 KiB): this row was not read"


BROKEN_VALUE_CHARS = 80


MAX_RECORD_LINES = 1_000  # a quoted cell spanning more lines than this is an unclosed quote


def split_text(text: str, delim: str) -> tuple[list[list[str]], list[BrokenRow]]:
    """Rows of cells of a CSV text, and the rows that could not be split (each left as an empty row,
    so every other row keeps its number). Never raises: the whole text is read in one pass, and
    only when that pass fails (a cell over the size limit, a quote that never closes, text after a
    closing quote) is it read again record by record, each broken record on its own."""
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)), []
    except csv.Error:
        return _split_by_record(text, delim)


def _split_by_record(text: str, delim: str) -> tuple[list[list[str]], list[BrokenRow]]:
    lines = text.splitlines(keepends=True)
    rows: list[list[str]] = []
    broken: list[BrokenRow] = []
    i = 0
    while i < len(lines):
        record, j = lines[i], i
        status, cells = _one_record(record, delim, lenient=True)
        while status == "open" and j + 1 < len(lines) and len(record) <= MAX_FIELD_CHARS and j - i < MAX_RECORD_LINES:
            j += 1
            record += lines[j]
            if '"' in lines[j]:  # a quoted cell can only close on a line with a quote in it
                status, cells = _one_record(record, delim, lenient=False)
        if status == "ok":
            rows.append(cells)
            i = j + 1
            continue
        problem = BROKEN_FIELD if status == "long" or len(lines[i]) > MAX_FIELD_CHARS else BROKEN_QUOTE
        rows.append([])
        broken.append(BrokenRow(len(rows), lines[i].rstrip("\r\n")[:BROKEN_VALUE_CHARS], problem))
        i += 1  # the record is the line that opened it; the lines after it are read on their own
    return rows, broken


def _one_record(record: str, delim: str, lenient: bool) -> tuple[str, list[str]]:
    """("ok", cells); ("open", []) while a quoted cell is still open at its end; ("long", []) for a
    cell over the limit; ("bad", []) for a record of several lines that does not close cleanly.
    `lenient`: text after a closing quote is kept (`"5"10` -> `510`), as the one-pass reader did
    before; a record joined from several lines must close exactly, or it is a stray quote."""
    try:
        parsed = list(csv.reader(io.StringIO(record, newline=""), delimiter=delim, strict=True))
    except csv.Error as exc:
        text = str(exc)
        if "field limit" in text:
            return "long", []
        if "unexpected end of data" in text:
            return "open", []
        if not lenient:
            return "bad", []
        try:
            parsed = list(csv.reader(io.StringIO(record, newline=""), delimiter=delim, strict=False))
        except csv.Error:
            return "bad", []
    if len(parsed) > 1:
        return "bad", []
    return "ok", parsed[0] if parsed else []


def text_grid(text: str, delim: str, raw: bytes | None = None) -> tuple[pd.DataFrame, list[BrokenRow]]:
    """The cells of a CSV text as an object grid (blank cells None, empty margins dropped) and the
    rows that could not be split. Read by pandas' C parser in one pass; a text it cannot split
    cleanly (a broken quote, a cell over the size limit, a NUL) goes through `split_text`, which
    reads it record by record and lists each broken one: the two give the same grid. `raw`: the
    text's UTF-8 bytes, when the file was read as UTF-8 (not encoded again)."""
    cells = _c_grid(text, delim, raw)
    if cells is not None:
        return cells, []
    rows, broken = split_text(text, delim)
    return _grid(rows), broken


def _c_grid(text: str, delim: str, raw: bytes | None = None) -> pd.DataFrame | None:
    """The grid read by `pandas.read_csv` (engine "c", every cell a string), or None when the text
    needs the careful reader: a NUL, a parse error (an unclosed quote, a row wider than any line
    says), or a cell longer than MAX_FIELD_CHARS (which Python's csv module, and so the careful
    reader, refuses). `raw`: the text's UTF-8 bytes when the caller has them (the file as uploaded)."""
    if not text or "\x00" in text:
        return None
    raw = text.encode("utf-8") if raw is None else raw
    lines, longest = _line_ends(raw)
    # one record per line (checked below): a cell is no longer than its line (in bytes, at least its characters)
    if longest > MAX_FIELD_CHARS:
        return None
    try:
        # the width the first line says; a wider line later makes the parser stop, and the text is
        # read again as wide as its widest line (a preamble's short lines above a table)
        frame = _read_cells(raw, delim, None)
        if frame is None:
            frame = _read_cells(raw, delim, _line_width(raw, delim))
    except (ValueError, pd.errors.ParserError, pd.errors.ParserWarning, csv.Error, UnicodeError):
        return None
    if frame is None:
        return None
    # a record spanning lines (a quoted line break, or a quote that opens and closes lines later)
    # is the careful reader's: it tells a clean multi-line cell from a stray quote
    if len(frame) != lines:
        return None
    if not frame.size:
        return pd.DataFrame()
    cells = np.empty(frame.shape, dtype=object)  # row-major, filled column by column: one copy of the cells
    blank = np.zeros(frame.shape, dtype=bool)
    for j in range(frame.shape[1]):
        column = frame.iloc[:, j].to_numpy(dtype=object)
        cells[:, j] = column
        # the C parser gives texts, and NaN for a blank cell: a column of texts only has no blank
        # (one C pass that stops at the first other value), the others are compared cell by cell
        if pd.api.types.infer_dtype(column, skipna=False) != "string":
            blank[:, j] = column != column  # NaN, the one value unequal to itself (pd.isna takes 3x longer)
            cells[blank[:, j], j] = None  # None, as split_text gives it
    if not (blank[-1].all() or blank[:, -1].all()):
        return pd.DataFrame(cells, dtype=object, copy=False)
    filled = ~blank
    nonempty_rows = np.flatnonzero(filled.any(axis=1))
    nonempty_cols = np.flatnonzero(filled.any(axis=0))
    if not len(nonempty_rows):
        return pd.DataFrame()
    return pd.DataFrame(cells[: nonempty_rows[-1] + 1, : nonempty_cols[-1] + 1], dtype=object, copy=False)


def _read_cells(raw: bytes, delim: str, width: int | None) -> pd.DataFrame | None:
    """Every cell as a string (NaN where blank) by `pandas.read_csv`'s C parser, `width` columns
    wide (None: as wide as the first line); None when a line is wider than that, or the first line
    is blank. Raises the
    parser's errors (an unclosed quote) and its warning of lost cells."""
    with warnings.catch_warnings():  # a warning of lost cells is a text for the careful reader
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            # bytes, not a StringIO: the C parser reads UTF-8 bytes without a round trip through Python text
            return pd.read_csv(io.BytesIO(raw), encoding="utf-8", sep=delim, header=None,
                               names=None if width is None else range(width), index_col=False, dtype=object,
                               keep_default_na=False, na_values=[""], skip_blank_lines=False,
                               quoting=csv.QUOTE_MINIMAL, quotechar='"', doublequote=True, escapechar=None,
                               comment=None, engine="c")
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            # a wider line, or a blank first line (no width to take): read at the widest line's width
            if width is None and (isinstance(exc, pd.errors.EmptyDataError) or _WIDER_LINE.search(str(exc))):
                return None
            raise


# the C parser's words for a line with more cells than the columns it was given
_WIDER_LINE = re.compile(r"Expected \d+ fields in line \d+, saw \d+")


def _line_bounds(raw: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(the bytes, positions of line endings, line bounds: -1, every ending, the length) of UTF-8
    text whose lines end in \r\n, \n or \r."""
    buf = np.frombuffer(raw, dtype=np.uint8)
    ends = np.flatnonzero((buf == 10) | (buf == 13) if b"\r" in raw else buf == 10)
    return buf, ends, np.concatenate(([-1], ends, [len(buf)]))


def _line_ends(raw: bytes) -> tuple[int, int]:
    """(lines, bytes of the longest line) of UTF-8 text whose lines end in \r\n, \n or \r (a last
    line without an ending counts; \r\n is one ending, as the C parser reads it). Counted on the
    bytes in a few array passes, not line by line in Python."""
    buf, ends, bounds = _line_bounds(raw)
    # a \n right after a \r closes the same line: it ends a line of no cells, not a record
    crlf = (buf[ends[:-1]] == 13) & (buf[ends[1:]] == 10) & (np.diff(ends) == 1)
    longest = int((np.diff(bounds) - 1).max())
    lines = len(ends) - int(crlf.sum()) + (0 if raw.endswith((b"\n", b"\r")) else 1)
    return lines, longest


def _line_width(raw: bytes, delim: str) -> int:
    """The most cells a line of the text could hold: its delimiters + 1, quoted ones too (an
    all-blank column that over-counting adds is an empty margin, dropped with the others)."""
    buf, _ends, bounds = _line_bounds(raw)
    delims = np.flatnonzero(buf == ord(delim))
    return int(np.diff(np.searchsorted(delims, bounds)).max()) + 1


def _line_shape(raw: bytes, delim: str) -> tuple[int, int, int]:
    """(most cells a line could hold, lines, bytes of the longest line): `_line_width` and `_line_ends`."""
    return (_line_width(raw, delim), *_line_ends(raw))


def _open_text(data: bytes, name: str) -> OpenedFile:
    if not _looks_like_text(data):
        raise UnreadableFile(name, "this is not a text or spreadsheet file (binary content); UTF-16 text needs a byte-order mark")
    text, encoding = decode_text(data)
    delim = sniff_delimiter(text)
    cells, broken = text_grid(text, delim, data if encoding == "UTF-8" else None)  # UTF-8 without a BOM: the bytes are the text's
    if cells.empty:
        if broken:
            raise UnreadableFile(name, f"no row could be split into cells: {broken[0].problem}")
        raise UnreadableFile(name, "the file holds no data")
    names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
    sheet = Sheet(name, "", cells, broken_rows=broken)
    skipped = []
    if broken:
        listed = ", ".join(str(b.row) for b in broken[:MAX_FORMULA_CELLS_LISTED])
        more = f" and {len(broken) - MAX_FORMULA_CELLS_LISTED} more" if len(broken) > MAX_FORMULA_CELLS_LISTED else ""
        skipped.append(f"{len(broken)} row{'s' if len(broken) != 1 else ''} could not be split into cells "
                       f"(an unclosed quote or a cell over 128 KiB): row{'s' if len(broken) != 1 else ''} "
                       f"{listed}{more}; the other rows were read")
    assumptions = [f"text file read as {encoding}, {names[delim]}-separated"]
    if delim in (";", "\t") and _looks_decimal_comma(cells):
        sheet.notes.append("decimal_comma")
        assumptions.append("numbers use a decimal comma (1,5 = 1.5)")
    return OpenedFile(name, "csv", [sheet], skipped, assumptions)


_COMMA_NUMBER = re.compile(r"^-?\d+,\d+$")


_DOT_NUMBER = re.compile(r"^-?\d+\.\d+$")


def _looks_decimal_comma(cells: pd.DataFrame) -> bool:
    """True when numbers are written 1,5 and never 1.5 (European exports)."""
    texts = [v.strip() for v in cells.head(500).to_numpy().ravel() if isinstance(v, str)]
    commas = sum(1 for v in texts if _COMMA_NUMBER.match(v))
    dots = sum(1 for v in texts if _DOT_NUMBER.match(v))
    return commas > 0 and dots == 0
