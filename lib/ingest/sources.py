"""Open an uploaded file's bytes as raw sheets (grids of cells), whatever its container.

CSV in any delimiter and encoding, .xlsx/.xlsm/.xls/.ods through python-calamine (values only:
macros never run, formulas are read from their cached values). Nothing here knows a vendor.

Uploads are hostile until proven otherwise (SECURITY.md, docs/input-behaviour.md): the size is
re-checked on the bytes; a zip container is refused before parsing when its directory says it
would expand too far, when an XML part declares a DTD or entities, or when calamine finds a part
larger than the directory said; an encrypted workbook (an OLE2/CFB file with an EncryptionInfo
stream) gets "remove the password"; formula cells that have no saved value are listed, never
read as silent blanks.
"""

from __future__ import annotations

import array
import csv
import io
import os
import pickle
import re
import struct
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.core.errors import UnreadableFile

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
# Same limit as `server.maxUploadSize` in .streamlit/config.toml (MB), re-checked on the bytes
# because the CLI and any other caller do not pass through Streamlit's uploader.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
# Zip containers (xlsx/ods) that expand beyond this are refused before parsing. Real exports
# compress 5-20x (a season workbook: 7 MB -> 72 MB, 10x); a zip bomb, 1000x.
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_ENTRIES = 10_000
XML_PROLOG_BYTES = 64 * 1024  # a DTD sits before the root element: this much of each part is checked
MAX_FORMULA_CELLS_LISTED = 20
# calamine builds a dense grid from the first to the last cell of a sheet and sizes some buffers
# from counts a file declares; a crafted file of a few kB can make it ask for hundreds of GB, and
# a failed Rust allocation aborts the whole process (it cannot be caught): tafia/calamine#684
# (sharedStrings uniqueCount, CFB FAT/DIFAT counts), ToucanToco/fastexcel#487 (one cell in column
# XFD), tafia/calamine#694 and #709 (cell references overflowing u32), ODS repeat counts.
# So calamine reads in a child process with a memory cap and a time limit (`_read_isolated`):
# always for .xls, .xlsb and .ods, and for an .xlsx/.xlsm whose pre-scan finds anything unusual
# (a cell beyond column Z or row 99,999, a cell or row without its reference, a prefixed element,
# an implausible string count). An ordinary .xlsx is read in this process, which saves about
# 0.5 s on an 80,000-row workbook; RTS_ISOLATE_XLSX=1 isolates every workbook.
ISOLATE_XLSX_ENV = "RTS_ISOLATE_XLSX"
# The child's address-space cap (RLIMIT_AS, set before it reads a byte; it refuses to read when the
# cap cannot be set). An 80,000-row season workbook reads in well under 1 GiB; the cap must stay far
# below the machine's memory, or a file that grows it slowly (a shared-strings bomb) would make the
# kernel kill some other process (the server) before the child reaches its cap.
READER_MEMORY_BYTES = 2 * 2**30
# What the child may hand back (its pickled cells): anything larger is refused in the child, so the
# parent never holds a bomb's expansion either. The 80,000-row season workbook pickles to about 30 MB.
MAX_READER_RESULT_BYTES = 256 * 2**20
READER_SECONDS = 120
# The shared-string table is read once and every cell that uses a string gets its own copy of it
# (calamine, then Python): one 8 MB string in 20,000 cells of a 50 kB file asks for 160 GB. The
# pre-scan measures the table (inflated size, longest string, count against `uniqueCount`) and
# counts the cells that use it; a workbook whose cells could expand past these is read in the child.
MAX_SHARED_STRINGS_BYTES = 64 * 2**20  # inflated sharedStrings.xml (a season workbook: about 2 MB)
MAX_SHARED_STRING_BYTES = 256 * 2**10  # one `<si>` with its markup (Excel caps a cell at 32,767 characters)
MAX_EXPANDED_TEXT_BYTES = 128 * 2**20  # shared-string cells x the longest string

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PASSWORD_MESSAGE = "the workbook is password-protected (encrypted): remove the password and upload again"
BOMB_MESSAGE = "refused: {what}, a likely zip bomb; nothing was read"


@dataclass
class FormulaCell:
    """A formula cell whose file holds no saved (cached) value: calamine reads it as blank."""

    row: int  # 1-based sheet row
    column: str  # column letter
    formula: str

    @property
    def address(self) -> str:
        return f"{self.column}{self.row}"


@dataclass
class BrokenRow:
    """A text row that could not be split into cells (broken quoting, a field over the size limit)."""

    row: int  # 1-based row of the sheet grid (the row stays there, empty)
    value: str  # the start of its text
    problem: str


@dataclass
class Sheet:
    """One sheet of cells as read: object values (str, float, int, datetime, None)."""

    file: str
    name: str
    cells: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    formula_cells: list[FormulaCell] = field(default_factory=list)
    broken_rows: list[BrokenRow] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # what a reader noticed of the sheet itself (duplicate headers)

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
    too_big = size_problem(len(data))
    if too_big:
        raise UnreadableFile(name, too_big)
    lower = name.lower()
    if data[:8] == CFB_MAGIC:
        # OLE2 compound file: a legacy .xls, or an encrypted .xlsx (Office wraps those in CFB)
        if cfb_is_encrypted(data):
            raise UnreadableFile(name, PASSWORD_MESSAGE)
        return _open_workbook(data, name, "xls", isolate=True)
    if data[:4] == b"PK\x03\x04":
        return _open_zip_workbook(data, name)
    if lower.endswith((".xlsx", ".xlsm", ".ods", ".xlsb")):
        # the format comes from the bytes, not the name: a CSV saved as `export.xlsx` is text
        if not _looks_like_text(data):
            raise UnreadableFile(name, "this is not a readable spreadsheet (the .xlsx/.ods container is damaged or "
                                       "not a workbook)")
        opened = _open_text(data, name)
        opened.assumptions.insert(0, f"named {name.rsplit('.', 1)[-1]} but its bytes are text: read as CSV")
        return opened
    return _open_text(data, name)


def size_problem(size: int) -> str | None:
    """Why a file of `size` bytes is not read (above MAX_UPLOAD_BYTES), or None: callers that read
    from disk ask before reading (`os.stat`), so a 2 GB file is never loaded to be refused."""
    if size > MAX_UPLOAD_BYTES:
        return f"the file is {_size(size)}, above the {_size(MAX_UPLOAD_BYTES)} upload limit"
    return None


_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")


def _looks_like_text(data: bytes) -> bool:
    """True for bytes that start with a text byte-order mark or hold no NUL in their first 4 kB."""
    return data.startswith(_BOMS) or b"\x00" not in data[:4096]


def _size(n: int) -> str:
    """Bytes for people: `200 MB` (MiB, as Streamlit's maxUploadSize counts them), `4.2 kB`."""
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n / 1024:.1f} kB"


def _open_zip_workbook(data: bytes, name: str) -> OpenedFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception:  # noqa: BLE001 - BadZipFile, NotImplementedError (a bogus version), EOFError, ...
        raise UnreadableFile(name, "this is not a readable spreadsheet (the .xlsx/.ods container is damaged or not a workbook)") from None
    with zf:
        _refuse_zip_bomb(infos, name)
        _refuse_xml_declarations(zf, infos, name)
        part_names = {i.filename for i in infos}
        if "xl/workbook.bin" in part_names:
            kind = "xlsb"
        elif "content.xml" in part_names and not any(n.startswith("xl/") for n in part_names):
            kind = "ods"
        else:
            kind = "xlsx"
        formulas: dict[str, list[FormulaCell]] = {}
        odd = True
        if kind == "xlsx":
            try:
                formulas, odd = _scan_xlsx_sheets(zf, infos)
            except ExpandsTooFar as exc:
                raise UnreadableFile(name, f"refused: its cells would hold {exc.args[0] / 2**30:.1f} GB of text once read "
                                           "(a shared string repeated in many cells), more than the reader may use; "
                                           "nothing was read") from None
        isolate = odd or os.environ.get(ISOLATE_XLSX_ENV, "") == "1"
        opened = _open_workbook(data, name, kind, isolate=isolate)
        if any(n.lower().endswith("vbaproject.bin") for n in part_names):
            opened.assumptions.append("the workbook contains macros: they were not run, only cell values were read")
        if formulas:
            _report_formulas(zf, opened, formulas)
    return opened


def _refuse_zip_bomb(infos: list[zipfile.ZipInfo], name: str) -> None:
    """Refuse a container whose directory promises too much; calamine also stops on a part that
    inflates beyond its declared size (see `_calamine_error`), so a lying directory is caught too."""
    if len(infos) > MAX_ZIP_ENTRIES:
        raise UnreadableFile(name, BOMB_MESSAGE.format(what=f"the workbook holds {len(infos):,} parts"))
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
        raise UnreadableFile(
            name, BOMB_MESSAGE.format(what=f"the workbook would expand to {total / 1e6:.0f} MB ({total / packed:.0f}x its size)"))


_DECLARATIONS = tuple(word.encode(enc) for word in ("<!DOCTYPE", "<!ENTITY") for enc in ("ascii", "utf-16-le", "utf-16-be"))


def _refuse_xml_declarations(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str) -> None:
    """Refuse XML parts that declare a DTD or entities (entity expansion, external entities):
    spreadsheet XML never has one. Only each part's start is inflated."""
    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with zf.open(info) as part:
                head = part.read(XML_PROLOG_BYTES)
        except Exception:  # noqa: BLE001 - a damaged part is calamine's to report
            continue
        if any(d in head for d in _DECLARATIONS):
            raise UnreadableFile(name, f"refused: the part '{info.filename}' declares an XML DTD or entities, which "
                                       "spreadsheets never need (a possible entity-expansion attack); nothing was read")


def cfb_is_encrypted(data: bytes) -> bool:
    """True when an OLE2/CFB file holds the streams of an encrypted OOXML package
    (`EncryptionInfo`, `EncryptedPackage`: MS-OFFCRYPTO); False for an ordinary .xls or garbage."""
    names = _cfb_stream_names(data)
    return bool(names & {"EncryptionInfo", "EncryptedPackage"})


def _cfb_stream_names(data: bytes) -> set[str]:
    """Names in the directory of a compound file (MS-CFB), read defensively: {} when malformed."""
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    try:
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12):
            return set()
        size = 1 << shift
        sectors = (len(data) - 512) // size + 1
        fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
        difat, n_difat = struct.unpack_from("<II", data, 0x44)
        for _ in range(min(n_difat, sectors)):
            if difat >= sectors:
                break
            entries = struct.unpack_from(f"<{size // 4}I", data, (difat + 1) * size)
            fat_sectors += entries[:-1]
            difat = entries[-1]
        fat: list[int] = []
        for sec in fat_sectors:
            if sec >= sectors:
                continue
            fat += struct.unpack_from(f"<{size // 4}I", data, (sec + 1) * size)
        names: set[str] = set()
        sec, seen = struct.unpack_from("<I", data, 0x30)[0], 0
        while sec not in (end, free) and sec < sectors and seen < sectors:
            block = data[(sec + 1) * size:(sec + 2) * size]
            for off in range(0, len(block) - 127, 128):
                length = struct.unpack_from("<H", block, off + 0x40)[0]
                kind = block[off + 0x42]
                if kind in (1, 2, 5) and 2 <= length <= 64:
                    names.add(block[off:off + length - 2].decode("utf-16-le", errors="replace"))
            sec = fat[sec] if sec < len(fat) else end
            seen += 1
        return names
    except (struct.error, IndexError):
        return set()


def _calamine_error(name: str, kind: str, message: str) -> UnreadableFile:
    """One clear message for an error calamine raised (its type name and text) on a file or sheet."""
    text = message.lower()
    if "pointer is null" in text or kind == "MemoryError":  # pyo3 could not allocate a Python object: out of memory
        return UnreadableFile(name, "refused: the workbook would need more memory than allowed to read (the reader "
                                    "stopped); nothing was read")
    if kind == "PanicException":
        return UnreadableFile(name, "the workbook is damaged and cannot be opened")
    if "password" in text or "encrypt" in text:
        return UnreadableFile(name, PASSWORD_MESSAGE)
    if "larger than its declared" in text:
        return UnreadableFile(name, BOMB_MESSAGE.format(what="a part inflates beyond the size its zip directory declares"))
    if "entity" in text or "doctype" in text:
        return UnreadableFile(name, "refused: the workbook XML uses entity references spreadsheets never need; nothing was read")
    return UnreadableFile(name, f"the workbook cannot be opened ({message})")


def _open_workbook(data: bytes, name: str, kind: str, isolate: bool = False) -> OpenedFile:
    """Every visible sheet of a workbook, read by calamine here or in a child process."""
    result = _read_isolated(data, name) if isolate else _read_here(data)
    if result[0] == "error":
        raise _calamine_error(name, result[1], result[2])
    sheets: list[Sheet] = []
    skipped: list[str] = []
    for sheet_name, visible, rows, error in result[1]:
        if "hidden" in visible:
            skipped.append(f"sheet '{sheet_name}' is hidden: skipped")
            continue
        if error is not None:
            refusal = _calamine_error(name, *error)
            if refusal.reason.startswith("refused"):  # a hostile sheet sinks the file...
                raise refusal
            skipped.append(f"sheet '{sheet_name}' could not be read: {error[1]}")  # ...a broken one, only itself
            continue
        cells = _grid(rows)
        if cells.empty:
            skipped.append(f"sheet '{sheet_name}' is empty")
            continue
        sheets.append(Sheet(name, sheet_name, cells))
    return OpenedFile(name, kind, sheets, skipped)


# The reader, run here (`_read_here`) or as a child process (`_read_isolated`): returns
# ("ok", [(sheet, visibility, rows or None, (error type, text) or None)]) or ("error", type, text).
_READER = r"""
import io, pickle, sys

def read(data):
    from python_calamine import CalamineWorkbook
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException, a BaseException
        return ("error", type(exc).__name__, str(exc))
    sheets = []
    for meta in wb.sheets_metadata:
        visible = str(getattr(meta, "visible", "visible")).lower()
        if "hidden" in visible:
            sheets.append((meta.name, visible, None, None))
            continue
        try:
            sheets.append((meta.name, visible, wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False), None))
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except BaseException as exc:
            sheets.append((meta.name, visible, None, (type(exc).__name__, str(exc))))
    return ("ok", sheets)

def limit_memory(cap):
    # cap this process's address space (RLIMIT_AS; RLIMIT_DATA where AS cannot be set): True when set
    if cap <= 0:  # setrlimit takes -1 for unlimited, and any negative number as a huge one
        return False
    try:
        import resource
    except ImportError:
        return False
    for name in ("RLIMIT_AS", "RLIMIT_DATA"):
        try:
            resource.setrlimit(getattr(resource, name), (cap, cap))
            return resource.getrlimit(getattr(resource, name))[0] == cap
        except (AttributeError, ValueError, OSError):
            continue
    return False

if __name__ == "__main__":
    if not limit_memory(int(sys.argv[1])):
        sys.exit(3)  # no cap, no read: the parent says so
    out = pickle.dumps(read(sys.stdin.buffer.read()), protocol=pickle.HIGHEST_PROTOCOL)
    if len(out) > int(sys.argv[2]):
        sys.exit(4)
    sys.stdout.buffer.write(out)
"""
_reader_namespace: dict[str, object] = {}
exec(compile(_READER, "<lib.sources reader>", "exec"), _reader_namespace)  # noqa: S102 - our own code


def _read_here(data: bytes) -> tuple:
    return _reader_namespace["read"](data)  # type: ignore[operator]


def _read_isolated(data: bytes, name: str) -> tuple:
    """calamine in a child process with a memory cap and a time limit: a file that makes it abort,
    panic or spin takes the child down, not the app, and gets one message."""
    try:
        run = subprocess.run(reader_command(), input=data, capture_output=True, timeout=READER_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise UnreadableFile(name, f"refused: reading the workbook took longer than {READER_SECONDS} s") from None
    except OSError as exc:  # no process could be started (out of memory or processes)
        raise UnreadableFile(name, f"the workbook reader could not be started ({exc.strerror}); try again") from None
    if run.returncode == 3:
        raise UnreadableFile(name, "refused: the isolated workbook reader cannot limit its memory on this system; "
                                   "nothing was read")
    if run.returncode == 4:
        raise UnreadableFile(name, f"refused: the workbook's cells would take more than "
                                   f"{_size(MAX_READER_RESULT_BYTES)} once read (text repeated in many cells?); "
                                   "nothing was read")
    if run.returncode != 0:
        raise UnreadableFile(name, "refused: the workbook is damaged or would need more memory than allowed to read "
                                   "(the reader stopped); nothing was read")
    return pickle.loads(run.stdout)  # noqa: S301 - written by our own reader above, not by the upload


def reader_command() -> list[str]:
    """The isolated reader's command line: cells on stdin, pickled sheets on stdout."""
    return [sys.executable, "-P", "-c", _READER, str(READER_MEMORY_BYTES), str(MAX_READER_RESULT_BYTES)]


# ------------------------------------------------------------------ formulas without values

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
# Each pattern stops at the next `<` it cannot cross (an attribute or a formula never holds one,
# a cell never holds another cell), so a crafted part cannot make a search run on to its end once
# per tag (the earlier `(.*?)</c>` took time growing with the square of the tags: 0.9 s for 8,000
# `<c>` without an end, and a 1 MB chunk holds 330,000).
_CELL = re.compile(rb"<c(?=[\s>/])([^<>]*?)(?:/>|>((?:[^<]++|<(?!c[\s>/]|/c>))*+)</c>)")
_CELL_REF = re.compile(rb"\br=\"([A-Z]{1,3})(\d+)\"")
_CELL_TYPE = re.compile(rb"\bt=\"([a-zA-Z]+)\"")
_FORMULA = re.compile(rb"<f(?:\s[^<>]*)?(?:/>|>([^<]*+)</f>)")
_VALUE = re.compile(rb"<v(?:\s[^<>]*)?(?:/>|>([^<]*+)</v>)")


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip part of its XML, from workbook.xml and its relationships (defusedxml)."""
    from defusedxml import ElementTree as SafeET

    try:
        book = SafeET.fromstring(zf.read("xl/workbook.xml"))
        rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except Exception:  # noqa: BLE001 - missing or odd parts: calamine has already read what it could
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out: dict[str, str] = {}
    for sh in book.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sh.get(f"{_NS_REL}id"), "")
        if target:
            out[sh.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


@dataclass
class SharedStrings:
    """What the pre-scan measured of a workbook's shared-string table."""

    declared: int | None = None  # uniqueCount, when the table says
    count: int = 0  # `<si>` elements found
    longest: int = 0  # bytes of the longest `<si>` with its markup
    size: int = 0  # inflated bytes read (stops past MAX_SHARED_STRINGS_BYTES)
    damaged: bool = False
    starts: array.array = field(default_factory=lambda: array.array("q"))  # offset of each `<si`

    def sizes(self) -> np.ndarray:
        """Bytes of each string with its markup (the last runs on to the end of the part)."""
        return np.diff(np.append(np.frombuffer(self.starts, dtype=np.int64), self.size))

    def odd(self) -> bool:
        """True when the table is unusual enough for the isolated reader (see the limits above)."""
        too_few = self.declared is not None and self.declared > max(1000, self.size // 9)  # calamine#684
        return (self.damaged or too_few or self.size > MAX_SHARED_STRINGS_BYTES
                or self.longest > MAX_SHARED_STRING_BYTES
                or (self.declared is not None and self.count > self.declared))


_SI = re.compile(rb"<(?:\w{1,16}:)?si(?=[\s>/])")
_UNIQUE_COUNT = re.compile(rb"<(?:\w+:)?sst\b[^<>]*?\buniqueCount=\"(\d+)\"")  # [^<>]: linear on any head


def shared_strings(zf: zipfile.ZipFile) -> SharedStrings:
    """Stream xl/sharedStrings.xml once (1 MB at a time, never past MAX_SHARED_STRINGS_BYTES) and
    measure it; an empty SharedStrings when the workbook has none."""
    info = zf.NameToInfo.get("xl/sharedStrings.xml")
    out = SharedStrings()
    if info is None:
        return out
    last = None  # offset of the last `<si` seen
    carry = b""  # the end of the previous chunk: a tag cut in two is seen whole
    try:
        with zf.open(info) as part:
            while out.size <= MAX_SHARED_STRINGS_BYTES:
                chunk = part.read(SCAN_CHUNK_BYTES)
                if not chunk:
                    break
                if out.size == 0:
                    found = _UNIQUE_COUNT.search(chunk[:XML_PROLOG_BYTES])
                    out.declared = int(found.group(1)) if found else None
                base = out.size - len(carry)
                buffer = carry + chunk
                for m in _SI.finditer(buffer):
                    at = base + m.start()
                    if last is not None and at <= last:
                        continue  # seen in the carried bytes already
                    if last is not None:
                        out.longest = max(out.longest, at - last)
                    out.count += 1
                    out.starts.append(at)
                    last = at
                out.size += len(chunk)
                carry = buffer[-_TAG_BYTES:]
    except Exception:  # noqa: BLE001 - damaged: let the isolated reader deal with it
        out.damaged = True
    if last is not None:
        out.longest = max(out.longest, out.size - last)
    return out


def _odd_shared_strings(zf: zipfile.ZipFile) -> bool:
    """True when the shared-string table is unusual (see `SharedStrings.odd`)."""
    return shared_strings(zf).odd()


# What an ordinary sheet never has, and what calamine's grid sizing trusts (see above): a cell
# beyond column Z or row 99,999, a cell or row that does not start with its reference (calamine
# then places it by counting), a prefixed cell or row element (`<x:c>`). Excel, LibreOffice and
# openpyxl all write `<c r="B7"` and `<row r="7"`: any other spelling is unusual. Three regular
# expressions over 70 MB of sheet XML take about 0.16 s (re finds the literal `<c`, `<row`, `:`
# first and tests only there).
_ODD_TAGS = (
    # a cell not starting with a reference in A1:Z99999, or whose tag is not plain `name="value"` pairs
    # (calamine also reads `t = 's'`, which the count of shared-string cells below would miss)
    re.compile(rb'<c(?=[\s>/])(?! r="[A-Z]\d{1,5}"(?: [a-zA-Z0-9:]{1,32}="[^"<>]{0,64}")*+ ?/?>)'),
    re.compile(rb'<row(?=[\s>/])(?! r="\d{1,5}")'),  # a row not starting with a row number below 100,000
    re.compile(rb":(?:c|row)[\s>/]"),  # a prefixed cell or row element
)
_FORMULA_TAG = re.compile(rb"<f[\s>/]")
SCAN_CHUNK_BYTES = 1 << 20
# Bytes a check reads from the start of a tag (a whole `<c ...>` start tag): the last this many
# bytes of a chunk are checked again with the next one, so no tag escapes by straddling two chunks
# (and an ordinary one cut in two is not taken for an unusual one).
_TAG_BYTES = 512
# A cell longer than this (Excel caps a cell at 32,767 characters) is unusual in itself, and is not
# carried from chunk to chunk for the formula scan (which would copy it again for every chunk).
MAX_CELL_BYTES = 4 << 20


def _odd_sheet_xml(xml: bytes, settled: int | None = None) -> bool:
    """True when a cell or row tag starting before `settled` (default: anywhere) is unusual."""
    settled = len(xml) if settled is None else settled
    for pattern in _ODD_TAGS:
        found = pattern.search(xml)  # the leftmost: none before `settled` when it lies beyond
        if found is not None and found.start() < settled:
            return True
    return False


def _scan_xlsx_sheets(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> tuple[dict[str, list[FormulaCell]], bool]:
    """One streamed pass over the shared strings and every worksheet part before calamine sees
    them: formula cells without a saved value (part name -> cells), and whether anything is
    unusual enough to read the workbook in the isolated reader (including cells that could expand
    a shared string past MAX_EXPANDED_TEXT_BYTES)."""
    formulas: dict[str, list[FormulaCell]] = {}
    strings = shared_strings(zf)
    odd = strings.odd()
    string_cells = 0
    for info in infos:
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        try:
            formulas[info.filename], odd_sheet, cells = _scan_sheet(zf, info, count_strings=True)
        except Exception:  # noqa: BLE001 - a damaged part: the isolated reader reports it
            odd_sheet, cells = True, 0
        odd = odd or odd_sheet
        string_cells += cells
    if string_cells * strings.longest > MAX_EXPANDED_TEXT_BYTES:
        odd = True
        if not strings.damaged and strings.size <= MAX_SHARED_STRINGS_BYTES:
            expanded = _expanded_text(zf, infos, strings.sizes())
            if expanded > READER_MEMORY_BYTES:
                raise ExpandsTooFar(expanded)
    return formulas, odd


class ExpandsTooFar(Exception):
    """Cells that would copy shared strings past what the isolated reader may hold (bytes)."""


_STRING_CELL = re.compile(rb'<c r="[A-Z]{1,3}\d{1,7}"[^<>]{0,400}? t="s"[^<>]{0,400}>\s*<v>(\d{1,10})</v>')


def _expanded_text(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], sizes: np.ndarray) -> int:
    """Bytes of text the shared-string cells of every sheet would hold once read (each cell its own
    copy of its string). Only run when the quick bound (cells x longest string) is exceeded."""
    total = 0
    for info in infos:
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        carry = b""
        with zf.open(info) as stream:
            while True:
                chunk = stream.read(SCAN_CHUNK_BYTES)
                buffer = carry + chunk
                cut = len(buffer) if not chunk else buffer.rfind(b"<c ")
                if cut <= 0 or len(buffer) - cut > MAX_CELL_BYTES:
                    cut = len(buffer)
                refs = np.array([int(m.group(1)) for m in _STRING_CELL.finditer(buffer, 0, cut)], dtype=np.int64)
                refs = refs[refs < len(sizes)]
                total += int(sizes[refs].sum()) if len(refs) else 0
                if not chunk:
                    break
                carry = buffer[cut:]
    return total



def _scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, check_odd: bool = True,
                count_strings: bool = False) -> tuple:
    """(formula cells without a saved value, unusual) of one sheet part, streamed a chunk at a time,
    and with `count_strings` the number of shared-string cells (`t="s"`) as a third item.

    Each buffer is what is left of the previous one plus the next chunk. Unusual tags are looked
    for in all of it, but only those starting before its last `_TAG_BYTES` count: the rest come
    round again with the next chunk. Formula cells are looked for up to the last `<c` (the cell
    the chunk may have cut goes on whole with the next chunk), and only where an `<f` occurs.
    """
    formulas: list[FormulaCell] = []
    odd = False
    strings, tail = 0, b""  # tail: 4 bytes, too short to hold a whole `t="s"`, so none is counted twice
    buffer, scanned = b"", 0  # scanned: where the cells not yet searched for formulas begin
    with zf.open(info) as stream:
        while True:
            chunk = stream.read(SCAN_CHUNK_BYTES)
            if count_strings:
                both = tail + chunk
                strings += both.count(b't="s"')
                tail = chunk[-4:]
            buffer += chunk
            final = not chunk
            settled = len(buffer) if final else max(0, len(buffer) - _TAG_BYTES)
            if check_odd and not odd:
                odd = _odd_sheet_xml(buffer, settled)
            cut = len(buffer) if final else buffer.rfind(b"<c", scanned)
            if cut < 0:  # no cell starts in what is new: nothing to carry but a last `<` (of `<c`?)
                cut = len(buffer) - buffer.endswith(b"<")
            if settled - cut > MAX_CELL_BYTES:
                odd, cut = True, settled
            if _FORMULA_TAG.search(buffer, scanned, cut):
                formulas += _formula_cells(buffer[scanned:cut])
            if final:
                return (formulas, odd, strings) if count_strings else (formulas, odd)
            keep = min(cut, settled)
            buffer, scanned = buffer[keep:], cut - keep


def _report_formulas(zf: zipfile.ZipFile, opened: OpenedFile, formulas: dict[str, list[FormulaCell]]) -> None:
    """Attach formula cells without a saved value to their sheets and say so in the report:
    calamine reads them as blanks, so they are named instead of silently missing."""
    parts = _sheet_parts(zf)
    for sheet in opened.sheets:
        sheet.formula_cells = formulas.get(parts.get(sheet.name, ""), [])
        if sheet.formula_cells:
            n = len(sheet.formula_cells)
            listed = ", ".join(f"{c.address} (={c.formula})" for c in sheet.formula_cells[:MAX_FORMULA_CELLS_LISTED])
            more = f" and {n - MAX_FORMULA_CELLS_LISTED} more" if n > MAX_FORMULA_CELLS_LISTED else ""
            opened.skipped.append(
                f"sheet '{sheet.name}': {n} formula cell{'s' if n != 1 else ''} without a saved value, read as blank: "
                f"{listed}{more}; open the file in Excel or LibreOffice, save it, and upload again")


def formula_cells_without_values(zf: zipfile.ZipFile, part: str) -> list[FormulaCell]:
    """Formula cells of a sheet part with no cached `<v>` (streamed, 1 MB at a time)."""
    return _scan_sheet(zf, zf.getinfo(part), check_odd=False)[0]


def _formula_cells(xml: bytes) -> list[FormulaCell]:
    out: list[FormulaCell] = []
    for m in _CELL.finditer(xml):
        inner = m.group(2)
        if not inner or b"<f" not in inner:
            continue
        formula = _FORMULA.search(inner)
        if formula is None:
            continue
        value = _VALUE.search(inner)
        kind = _CELL_TYPE.search(m.group(1))
        has_value = value is not None and (bool(value.group(1)) or (kind is not None and kind.group(1) == b"str"))
        if has_value:  # an empty <v></v> on a t="str" cell is a formula whose result is ""
            continue
        ref = _CELL_REF.search(m.group(1))
        if ref is None:
            continue
        text = (formula.group(1) or b"").decode("utf-8", errors="replace")
        text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        out.append(FormulaCell(int(ref.group(2)), ref.group(1).decode(), text or "(shared formula)"))
    return out


def _grid(rows: list[list]) -> pd.DataFrame:
    """Rows of python values as an object DataFrame: blank strings become None, empty margins go."""
    if not rows:
        return pd.DataFrame()
    width = max(len(r) for r in rows)
    if any(len(r) != width for r in rows):
        rows = [list(r) + [None] * (width - len(r)) for r in rows]
    cells = np.empty((len(rows), width), dtype=object)
    cells[:] = rows
    flat = cells.reshape(-1)
    try:  # a blank string is falsy: only falsy cells (blanks, zeros, None) are looked at one by one
        falsy = np.flatnonzero(~flat.astype(bool))
    except (TypeError, ValueError):  # a value with no truth value (pd.NA)
        falsy = np.arange(len(flat))
    flat[falsy[[isinstance(v, str) and v == "" for v in flat[falsy]]]] = None
    if len(flat) and not (pd.isna(cells[-1]).all() or pd.isna(cells[:, -1]).all()):
        return pd.DataFrame(cells, dtype=object, copy=False)  # no empty margin (the usual case)
    filled = ~pd.isna(cells)
    nonempty_rows = np.flatnonzero(filled.any(axis=1))
    nonempty_cols = np.flatnonzero(filled.any(axis=0))
    if not len(nonempty_rows):
        return pd.DataFrame()
    return pd.DataFrame(cells[: nonempty_rows[-1] + 1, : nonempty_cols[-1] + 1], dtype=object, copy=False)


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
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
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


def _open_text(data: bytes, name: str) -> OpenedFile:
    if not _looks_like_text(data):
        raise UnreadableFile(name, "this is not a text or spreadsheet file (binary content); UTF-16 text needs a byte-order mark")
    text, encoding = decode_text(data)
    delim = sniff_delimiter(text)
    rows, broken = split_text(text, delim)
    cells = _grid(rows)
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
