"""Open an uploaded file's bytes as raw sheets (grids of cells), whatever its container.

CSV in any delimiter and encoding, .xlsx/.xlsm/.xls/.ods through python-calamine (values only:
macros never run, formulas are read from their cached values). Nothing here knows a vendor.

Uploads are hostile until proven otherwise (SECURITY.md, docs/input-behaviour.md): the size is
re-checked on the bytes; a zip container is refused before parsing when its directory says it
would expand too far, when an XML part declares a DTD or entities, or when calamine finds a part
larger than the directory said; an encrypted workbook (an OLE2/CFB file with an EncryptionInfo
stream) gets "remove the password"; formula cells that have no saved value are listed, never
read as silent blanks.

Text files are split in lib.ingest.text_files, an .xlsx is pre-scanned in lib.ingest.xlsx_scan,
and the opened file is made of lib.ingest.sheets' `Sheet`s.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import subprocess
import sys
import zipfile


from lib.core.errors import UnreadableFile
from lib.ingest.sheets import BrokenRow, FormulaCell, OpenedFile, Sheet, _grid  # noqa: F401 - sources.<name> for callers
from lib.ingest.xlsx_scan import (  # noqa: F401 - the pre-scan's names, sources.<name> for callers
    MAX_CELL_BYTES, MAX_EXPANDED_TEXT_BYTES, MAX_FORMULA_CELLS_LISTED, MAX_SHARED_STRING_BYTES, MAX_SHARED_STRINGS_BYTES,
    SCAN_CHUNK_BYTES, XML_PROLOG_BYTES, ExpandsTooFar, SharedStrings, _expanded_text, _odd_shared_strings, _odd_sheet_xml,
    _report_formulas, _scan_sheet, formula_cells_without_values, scan_xlsx_sheets, shared_strings,
)
from lib.ingest.text_files import (  # noqa: F401 - sources.<name> for callers
    BROKEN_FIELD, BROKEN_QUOTE, _looks_like_text, _open_text, decode_text, sniff_delimiter, split_text,
)

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

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PASSWORD_MESSAGE = "the workbook is password-protected (encrypted): remove the password and upload again"
BOMB_MESSAGE = "refused: {what}, a likely zip bomb; nothing was read"


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
exec(compile(_READER, "<lib.ingest.sources reader>", "exec"), _reader_namespace)  # noqa: S102 - our own code


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


def _scan_xlsx_sheets(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> tuple[dict[str, list[FormulaCell]], bool]:
    """The pre-scan of an .xlsx's sheets (lib.ingest.xlsx_scan) under this process's reader memory cap."""
    return scan_xlsx_sheets(zf, infos, READER_MEMORY_BYTES)
