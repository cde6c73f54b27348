"""Reading inside an .xlsx before calamine does: shared strings, sheet XML that calamine cannot take, formulas without values."""

from __future__ import annotations

import array
import re
import zipfile
from dataclasses import dataclass, field

import numpy as np

from lib.ingest.sheets import FormulaCell, OpenedFile

XML_PROLOG_BYTES = 64 * 1024  # a DTD sits before the root element: this much of each part is checked
MAX_FORMULA_CELLS_LISTED = 20
# The shared-string table is read once and every cell that uses a string gets its own copy of it
# (calamine, then Python): one 8 MB string in 20,000 cells of a 50 kB file asks for 160 GB. The
# pre-scan measures the table (inflated size, longest string, count against `uniqueCount`) and
# counts the cells that use it; a workbook whose cells could expand past these is read in the child.
MAX_SHARED_STRINGS_BYTES = 64 * 2**20  # inflated sharedStrings.xml (a season workbook: about 2 MB)
MAX_SHARED_STRING_BYTES = 256 * 2**10  # one `<si>` with its markup (Excel caps a cell at 32,767 characters)
MAX_EXPANDED_TEXT_BYTES = 128 * 2**20  # shared-string cells x the longest string



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
# The same checks for a workbook without a shared-string table: no cell can copy a string, so the
# attributes after the reference need not be plain pairs, and the cell check is half as long (a
# cell still must start with its reference in A1:Z99999).
_ODD_TAGS_WITHOUT_STRINGS = (re.compile(rb'<c(?=[\s>/])(?! r="[A-Z]\d{1,5}")'), *_ODD_TAGS[1:])


_FORMULA_TAG = re.compile(rb"<f[\s>/]")
SCAN_CHUNK_BYTES = 1 << 20
# Bytes a check reads from the start of a tag (a whole `<c ...>` start tag): the last this many
# bytes of a chunk are checked again with the next one, so no tag escapes by straddling two chunks
# (and an ordinary one cut in two is not taken for an unusual one).
_TAG_BYTES = 512
# A cell longer than this (Excel caps a cell at 32,767 characters) is unusual in itself, and is not
# carried from chunk to chunk for the formula scan (which would copy it again for every chunk).
MAX_CELL_BYTES = 4 << 20


def _odd_sheet_xml(xml: bytes, settled: int | None = None, strings: bool = True) -> bool:
    """True when a cell or row tag starting before `settled` (default: anywhere) is unusual;
    `strings`: the workbook has a shared-string table (the full check of each cell's attributes)."""
    settled = len(xml) if settled is None else settled
    for pattern in _ODD_TAGS if strings else _ODD_TAGS_WITHOUT_STRINGS:
        found = pattern.search(xml)  # the leftmost: none before `settled` when it lies beyond
        if found is not None and found.start() < settled:
            return True
    return False


def scan_xlsx_sheets(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], memory_cap: int) -> tuple[dict[str, list[FormulaCell]], bool]:
    """One streamed pass over the shared strings and every worksheet part before calamine sees
    them: formula cells without a saved value (part name -> cells), and whether anything is
    unusual enough to read the workbook in the isolated reader (including cells that could expand
    a shared string past MAX_EXPANDED_TEXT_BYTES)."""
    formulas: dict[str, list[FormulaCell]] = {}
    strings = shared_strings(zf)
    odd = strings.odd()
    string_cells = 0
    # without a table no cell copies a string: none is counted. Any part named like one counts as a
    # table (calamine may find `xl/SharedStrings.xml` too), so a renamed table gets the full check.
    has_table = any("sharedstrings" in name.lower() for name in zf.NameToInfo)
    for info in infos:
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        try:
            scanned = _scan_sheet(zf, info, count_strings=has_table, table=has_table)
            formulas[info.filename], odd_sheet, cells = scanned[0], scanned[1], scanned[2] if has_table else 0
        except Exception:  # noqa: BLE001 - a damaged part: the isolated reader reports it
            odd_sheet, cells = True, 0
        odd = odd or odd_sheet
        string_cells += cells
    if string_cells * strings.longest > MAX_EXPANDED_TEXT_BYTES:
        odd = True
        if not strings.damaged and strings.size <= MAX_SHARED_STRINGS_BYTES:
            expanded = _expanded_text(zf, infos, strings.sizes())
            if expanded > memory_cap:
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
                count_strings: bool = False, table: bool = True) -> tuple:
    """(formula cells without a saved value, unusual) of one sheet part, streamed a chunk at a time,
    and with `count_strings` the number of shared-string cells (`t="s"`) as a third item.
    `table`: the workbook has a shared-string table (see `_odd_sheet_xml`).

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
                odd = _odd_sheet_xml(buffer, settled, table)
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
