"""Hostile and broken uploads: every case is built here (nothing binary is committed), imported in
a batch beside a good file, and must give its clear message while the good file still lands.

`CASES` is the one table of inputs and outcomes; docs/input-behaviour.md is rendered from it
(`python -m tests.ingest.test_hostile_files --write`) and `test_docs_table_is_current` fails when the two
drift apart.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import random
import re
import string
import struct
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import openpyxl
import pandas as pd
import pytest
import xlwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

import lib.ingest.sources as sources
from lib import store
from lib.cli import main
from lib.core.errors import ReturnToSpeedError, UnreadableFile
from lib.ingest.importer import ImportReport, ImportSettings, import_files, read_file
from lib.ingest.normalize import clean_name
from lib.core.schema import TABLES
from lib.ingest.sources import FormulaCell, open_file
from tests.conftest import FD_ROWS, forcedecks_csv
from tests.ingest.test_properties import assert_nothing_lost

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "input-behaviour.md"
GOOD_NAME = "good_forcedecks.csv"
GOOD = forcedecks_csv(FD_ROWS)
GOOD_TESTS = 11  # rows of `tests` the good file gives (tests/ingest/test_importer.py works them out)

HOP_HEADER = ["Name", "Test", "Date", "Side", "Trial 1", "Trial 2", "Trial 3"]
HOP_ROWS = [
    ["Mia Laurent", "Single hop", "2026-11-23", "L", 182.0, 185.0, 180.0],
    ["Mia Laurent", "Single hop", "2026-11-23", "R", 160.0, 166.0, 163.0],
]
BOMB_MB = 300


# ------------------------------------------------------------------------------------ builders

def hop_xlsx(rows: list[list] | None = None, hidden: bool = False) -> bytes:
    """A hand-kept hop sheet as openpyxl writes it (a string starting with `=` becomes a formula
    with no cached value, as in any file a library wrote and Excel never opened)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hops"
    ws.append(HOP_HEADER)
    for r in rows or HOP_ROWS:
        ws.append(r)
    if hidden:
        old = wb.create_sheet("Old data")
        old.append(HOP_HEADER)
        old.append(["Mia Laurent", "Single hop", "2025-01-01", "L", 1, 1, 1])
        old.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def hop_csv(rows: list[list], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([HOP_HEADER, *rows])
    return out.getvalue().encode(encoding)


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """A copy of a zip container with some parts replaced or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, replace.get(info.filename, zin.read(info.filename)))  # keeps each part's compression
        for name, part in add.items():
            zout.writestr(name, part)
    return out.getvalue()


def raw_zip(entries: list[tuple[str, bytes, int]]) -> bytes:
    """A zip written by hand from (name, raw deflate data, declared uncompressed size): the
    declared size can lie. CRCs are 0: no case here is ever inflated to the end."""
    body, directory = io.BytesIO(), []
    for name, packed, declared in entries:
        offset, encoded = body.tell(), name.encode()
        body.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, 0, len(packed), declared, len(encoded), 0))
        body.write(encoded + packed)
        directory.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, 0, len(packed), declared,
                                     len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start, listing = body.tell(), b"".join(directory)
    body.write(listing + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(listing), start, 0))
    return body.getvalue()


def zip_bomb(lying_directory: bool = False, megabytes: int = BOMB_MB) -> bytes:
    """A real workbook whose sheet XML is padded with `megabytes` MB of spaces: ~0.3 MB on disk.
    The padding is one deflate block repeated (a full flush resets the dictionary, so every
    block compresses to the same bytes), so building it takes milliseconds."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    good = hop_xlsx()
    entries = []
    with zipfile.ZipFile(io.BytesIO(good)) as zin:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                at = part.index(b"<sheetData>")
                head = deflate.compress(part[:at]) + deflate.flush(zlib.Z_FULL_FLUSH)
                block = deflate.compress(b" " * (1 << 20)) + deflate.flush(zlib.Z_FULL_FLUSH)
                packed = head + block * megabytes + deflate.compress(part[at:]) + deflate.flush()
                size = len(part) + megabytes * (1 << 20)
                entries.append((info.filename, packed, len(part) if lying_directory else size))
                deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
            else:
                small = zlib.compressobj(9, zlib.DEFLATED, -15)
                entries.append((info.filename, small.compress(part) + small.flush(), len(part)))
    return raw_zip(entries)


LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10}">' for i in range(1, 10))
          + "]>\n")


def billion_laughs(external: bool = False) -> bytes:
    """The hop workbook with a DTD in its sheet XML: nested entities (10^9 `lol`s when expanded),
    or an external entity pointing at a local file."""
    good = hop_xlsx()
    with zipfile.ZipFile(io.BytesIO(good)) as zin:
        sheet = zin.read("xl/worksheets/sheet1.xml").decode()
    body = sheet[sheet.index("<worksheet"):]
    if external:
        dtd, ref = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n', "&xxe;"
    else:
        dtd, ref = LAUGHS, "&lol9;"
    return rezip(good, {"xl/worksheets/sheet1.xml": (dtd + body.replace("<t>Name</t>", f"<t>{ref}</t>")).encode()})


def encrypted_ooxml() -> bytes:
    """A minimal password-protected .xlsx as Office writes one (MS-OFFCRYPTO): an OLE2 compound
    file (MS-CFB, 512-byte sectors) holding `EncryptionInfo` and `EncryptedPackage` streams.
    Each stream is 4096 bytes so it lives in ordinary sectors (no mini stream needed)."""
    sector, end, free, fat_sector, no_stream = 512, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    info = struct.pack("<HHI", 4, 4, 0x40).ljust(4096, b"\x00")  # version 4.4: agile encryption
    package = struct.pack("<Q", 1234).ljust(4096, b"\x5a")
    per_stream = 4096 // sector
    fat = [fat_sector, end]  # sector 0: the FAT itself; sector 1: the directory
    starts = []
    for _ in range(2):
        first = len(fat)
        starts.append(first)
        fat += list(range(first + 1, first + per_stream)) + [end]
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, child: int = no_stream, right: int = no_stream, start: int = end,
              size: int = 0) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le")
        return (encoded.ljust(64, b"\x00") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", no_stream, right, child) + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16
                + struct.pack("<IQ", start, size))

    directory = (entry("Root Entry", 5, child=1) + entry("EncryptionInfo", 2, right=2, start=starts[0], size=4096)
                 + entry("EncryptedPackage", 2, start=starts[1], size=4096) + b"\x00" * 128)
    header = (sources.CFB_MAGIC + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", 0, *[free] * 108))
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + info + package


def old_xls() -> bytes:
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Hops")
    for r, row in enumerate([HOP_HEADER, *HOP_ROWS]):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsm_with_macros() -> bytes:
    content_type = ('<Override PartName="/xl/vbaProject.bin" '
                    'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    data = hop_xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        types = z.read("[Content_Types].xml").decode().replace("</Types>", content_type)
        types = types.replace("spreadsheetml.sheet.main+xml", "sheet.macroEnabled.main+xml")
    # a macro that would write a file if anything ran it
    return rezip(data, {"[Content_Types].xml": types.encode()},
                 {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0Sub Workbook_Open(): Open \"pwned.txt\" For Output As #1"})


def formulas_without_values() -> bytes:
    return hop_xlsx([["Mia Laurent", "Single hop", "2026-11-23", "L", 182.0, 185.0, "=AVERAGE(E2:F2)"],
                     ["Mia Laurent", "Single hop", "2026-11-23", "R", 160.0, 166.0, "=E3+1"]])


def with_cached_values(data: bytes) -> bytes:
    """The same workbook as Excel saves it: every formula with its last computed value."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace("<f>AVERAGE(E2:F2)</f><v />", "<f>AVERAGE(E2:F2)</f><v>183.5</v>")
    sheet = sheet.replace("<f>E3+1</f><v />", "<f>E3+1</f><v>161</v>")
    return rezip(data, {"xl/worksheets/sheet1.xml": sheet.encode()})


def excel_serial_dates() -> bytes:
    serial = (dt.date(2026, 11, 23) - dt.date(1899, 12, 30)).days  # 46349
    return hop_xlsx([["Mia Laurent", "Single hop", serial, "L", 182.0, 185.0, 180.0]])


def implausible_dates_xlsx() -> bytes:
    """Date cells of a hop sheet: Excel serial 60 (1900-02-29, a day that never existed), serial 1
    (1900-01-01), 9999-12-31 and 1989-12-31, each in its own row, and one ordinary row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hops"
    ws.append(HOP_HEADER)
    for day in (60, 1, dt.datetime(9999, 12, 31), dt.datetime(1989, 12, 31), dt.datetime(2026, 11, 23)):
        ws.append(["Mia Laurent", "Single hop", day, "L", 182.0, 185.0, 180.0])
        ws.cell(ws.max_row, 3).number_format = "yyyy-mm-dd"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def na_and_007_roster() -> bytes:
    return b"Athlete ID,Name,Position,Squad\r\n007,NA,Winger,First team\r\n"


def ten_times_longer() -> bytes:
    """sample_data/forcedecks_cmj.csv (306 rows) repeated 10 times, each copy a week later."""
    text = (ROOT / "sample_data" / "forcedecks_cmj.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    out = [rows[0]]
    for week in range(10):
        for r in rows[1:]:
            day = dt.datetime.strptime(r[3], "%m/%d/%Y") + dt.timedelta(weeks=week)
            out.append(r[:3] + [day.strftime("%m/%d/%Y")] + r[4:])
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(out)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def far_cell_xlsx() -> bytes:
    """The hop sheet plus one cell at XFD1048576: calamine would build a 17-billion-cell grid."""
    wb = openpyxl.load_workbook(io.BytesIO(hop_xlsx()))  # our own bytes, in a test
    wb.active["XFD1048576"] = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def huge_string_count_xlsx() -> bytes:
    """A shared-string table that declares 4 billion strings (calamine reserves room first)."""
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>')
    return _with_shared_strings(hop_xlsx(), sst.encode())


def _with_shared_strings(data: bytes, sst: bytes, sheet: bytes | None = None) -> bytes:
    """`data` with a shared-string table (and its content type and relationship) and, optionally,
    a new sheet part."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        types = z.read("[Content_Types].xml").decode().replace("</Types>", (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sharedStrings+xml"/></Types>'))
        rels = z.read("xl/_rels/workbook.xml.rels").decode().replace("</Relationships>", (
            '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    replace = {"[Content_Types].xml": types.encode(), "xl/_rels/workbook.xml.rels": rels.encode()}
    if sheet is not None:
        replace["xl/worksheets/sheet1.xml"] = sheet
    return rezip(data, replace, {"xl/sharedStrings.xml": sst})


SST_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def shared_strings_bomb(string_mb: int = 8, cells: int = 20_000) -> bytes:
    """The hop workbook plus `cells` cells in H10:Z.. that all use one shared string of `string_mb`
    MB: 50 kB on disk, inside the zip limits (9 MB inflated, 175x), every cell inside the usual
    range, one unique string declared; read, each cell gets its own copy (160 GB)."""
    data = hop_xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    rows = b"".join(b'<row r="%d">' % r + b"".join(b'<c r="%s%d" t="s"><v>0</v></c>' % (c.encode(), r)
                                                   for c in "HIJKLMNOPQRSTUVWXYZ") + b"</row>"
                    for r in range(10, 10 + cells // 19))
    sst = SST_HEAD + b' count="%d" uniqueCount="1"><si><t>' % cells + b"a" * (string_mb << 20) + b"</t></si></sst>"
    return _with_shared_strings(data, sst, sheet.replace(b"</sheetData>", rows + b"</sheetData>"))


def xls_claiming_billions_of_rows() -> bytes:
    """An .xls whose DIMENSIONS record (type 0x0200) says 1.8 billion rows (found by fuzzing)."""
    data = bytearray(old_xls())
    at = data.index(b"\x00\x02\x0e\x00")  # record type 0x0200, 14 bytes: rwMic, rwMac, colMic, colMac
    struct.pack_into("<I", data, at + 8, 0x6A000003)
    return bytes(data)


def ods_with_repeats() -> bytes:
    """An .ods whose one data cell repeats 16,000 times across and its row a million times down."""
    buf = io.BytesIO()
    pd.DataFrame(HOP_ROWS, columns=HOP_HEADER).to_excel(buf, engine="odf", index=False, sheet_name="Hops")
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        content = z.read("content.xml").decode()
    rows = content.split("<table:table-row>")
    rows[2] = rows[2].replace("<table:table-cell ", '<table:table-cell table:number-columns-repeated="16000" ', 1)
    content = '<table:table-row>'.join(rows[:2]) + '<table:table-row table:number-rows-repeated="1000000">' + rows[2] + \
        "".join("<table:table-row>" + r for r in rows[3:])
    return rezip(buf.getvalue(), {"content.xml": content.encode()})


def zip_with_bogus_version() -> bytes:
    """The hop workbook with 'version needed to extract' 15.6 in its directory (found by fuzzing:
    Python's zipfile raised NotImplementedError, which escaped as a traceback)."""
    data = bytearray(hop_xlsx())
    data[data.find(b"PK\x01\x02") + 6] = 156
    return bytes(data)


def hop_csv_text(lines: list[str]) -> bytes:
    """A hop export written line by line, as a person's or a broken exporter's hand would."""
    return ("\r\n".join([",".join(HOP_HEADER), *lines]) + "\r\n").encode()


HOP_LINES = [
    "Mia Laurent,Single hop,2026-11-23,L,182,185,180",
    "Mia Laurent,Single hop,2026-11-23,R,160,166,163",
    'Mia Laurent,Triple hop,2026-11-23,L,510,515,520',
    '"Laurent, Mia",Triple hop,2026-11-23,R,500,505,498',
]


def csv_with_oversize_field() -> bytes:
    """A 200 KiB cell in row 3 (a pasted note; csv.field_size_limit is 128 KiB)."""
    lines = list(HOP_LINES)
    lines[1] = lines[1] + ',"' + "note " * 40_000 + '"'
    return hop_csv_text(lines)


def csv_with_unclosed_quote() -> bytes:
    """Row 3 opens a quote it never closes (`"Mia` typed by hand); rows 4 and 5 follow as usual."""
    lines = list(HOP_LINES)
    lines[1] = '"Mia Laurent,Single hop,2026-11-23,R,160,166,163'
    return hop_csv_text(lines)


def csv_swallowed_by_a_quote() -> bytes:
    """An unclosed quote in row 2 of a long export: read to the end, it swallows 3,000 rows (over
    128 KiB, where Python's csv module raised `_csv.Error`)."""
    lines = [f"Athlete {i:04d},Single hop,2026-11-23,L,18{i % 10},185,180" for i in range(3_000)]
    lines[0] = '"Athlete 0000,Single hop,2026-11-23,L,180,185,180'
    return hop_csv_text(lines)


def zip_of_a_csv() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("export.csv", hop_csv(HOP_ROWS))
    return buf.getvalue()


# ------------------------------------------------------------------------------------ the table

@dataclass(frozen=True)
class Case:
    """One hostile or awkward input, how it is built, and what must happen."""

    id: str
    input: str  # what a person would call it
    name: str  # the upload's file name
    build: Callable[[], bytes]
    outcome: str  # "refused" (the file gives one message, nothing of it is stored) or "imported"
    message: str  # words the report must contain (message, skipped sheets or assumptions)
    happens: str  # the promise, in words, for docs/input-behaviour.md
    limit: int | None = None  # MAX_UPLOAD_BYTES for this case


CASES = [
    Case("zero_bytes", "Zero-byte file", "empty.csv", lambda: b"", "refused",
         "the file is empty (0 bytes)", "Refused with one message."),
    Case("random_xlsx", "Random bytes named `.xlsx`", "random.xlsx", lambda: bytes(range(256)) * 40, "refused",
         "not a readable spreadsheet", "Refused: the container is not a workbook."),
    Case("truncated_zip", "Truncated `.xlsx` (zip cut short)", "truncated.xlsx", lambda: hop_xlsx()[:1500],
         "refused", "not a readable spreadsheet", "Refused: the container is damaged."),
    Case("zip_bad_version", "Zip directory naming an unknown zip version", "version.xlsx", zip_with_bogus_version,
         "refused", "not a readable spreadsheet", "Refused: the container is damaged."),
    Case("zip_of_csv", "A zip that is not a workbook, named `.xlsx`", "export.xlsx", zip_of_a_csv, "refused",
         "the workbook cannot be opened", "Refused with calamine's reason."),
    Case("zip_bomb", f"Zip bomb: 0.3 MB that inflates to {BOMB_MB} MB", "bomb.xlsx", zip_bomb, "refused",
         "a likely zip bomb", "Refused from the zip directory's sizes and ratio before any part is inflated "
         "(limits: 400 MB, 200x); under 2 s, memory bounded."),
    Case("zip_bomb_lying", "Zip bomb whose directory lies about the sizes", "liar.xlsx",
         lambda: zip_bomb(lying_directory=True), "refused", "inflates beyond the size its zip directory declares",
         "Passes the directory check, then calamine stops at the declared size and the file is refused; "
         "memory bounded."),
    Case("far_cell", "One cell at XFD1048576 (the last cell of the grid)", "far.xlsx", far_cell_xlsx, "refused",
         "would need more memory than allowed", "Read in the isolated reader (the pre-scan saw a cell beyond "
         "column Z), which stops at its memory cap; the app carries on. In-process, calamine would abort the app."),
    Case("huge_string_count", "Shared-string table declaring 4 billion strings", "strings.xlsx",
         huge_string_count_xlsx, "refused", "would need more memory than allowed",
         "As above: isolated reader, memory cap, one message (calamine#684)."),
    Case("shared_strings_bomb", "Shared-strings bomb: one 8 MB string used by 20,000 cells (50 kB file, 156 GB read)",
         "sst_bomb.xlsx", shared_strings_bomb, "refused", "GB of text once read",
         "The pre-scan measures the string table (inflated size, longest string, count against `uniqueCount`) and "
         "counts the cells using it; past 128 MB (cells x longest string) it adds up the text each cell would "
         "copy, and past the reader's 2 GiB cap refuses the file before anything parses it, in 0.2 s."),
    Case("shared_strings_bomb_small", "Smaller shared-strings bomb: 1 MB string in 1,900 cells (1.9 GB read)",
         "sst_bomb_small.xlsx", lambda: shared_strings_bomb(string_mb=1, cells=1_900), "refused",
         "would need more memory than allowed", "Under the cap by the count, so read in the isolated reader, "
         "whose 2 GiB address-space cap (RLIMIT_AS) stops it: one message, the server's memory stays bounded, the "
         "rest of the batch lands."),
    Case("xls_dimensions", "`.xls` whose DIMENSIONS record claims 1.8 billion rows", "claims.xls",
         xls_claiming_billions_of_rows, "refused", "would need more memory than allowed",
         "`.xls` is always read in the isolated reader; it stops at its memory cap."),
    Case("ods_repeats", "`.ods` repeating one cell 16,000 x 1,000,000 times", "repeats.ods", ods_with_repeats,
         "refused", "the workbook cannot be opened", "calamine refuses the expansion itself; `.ods` is read in the "
         "isolated reader anyway."),
    Case("billion_laughs", "XML entity expansion (billion laughs) in a sheet part", "laughs.xlsx", billion_laughs,
         "refused", "declares an XML DTD or entities", "Refused before parsing: no spreadsheet part may declare a "
         "DTD. (calamine would not expand entities anyway; openpyxl reads through defusedxml.)"),
    Case("external_entity", "XML external entity (`file:///etc/passwd`)", "xxe.xlsx",
         lambda: billion_laughs(external=True), "refused", "declares an XML DTD or entities",
         "Refused before parsing; nothing is fetched or read."),
    Case("encrypted", "Password-protected workbook (encrypted OOXML in an OLE2 file)", "locked.xlsx",
         encrypted_ooxml, "refused", "remove the password and upload again", "Refused with what to do."),
    Case("encrypted_as_xls", "Password-protected workbook saved as `.xls`", "locked.xls", encrypted_ooxml,
         "refused", "remove the password and upload again", "Refused with what to do."),
    Case("xls_named_xlsx", "An old `.xls` renamed `.xlsx`", "renamed.xlsx", old_xls, "imported", "",
         "Read as `.xls` (the format comes from the bytes, not the name); not mistaken for an encrypted file."),
    Case("xlsm", "`.xlsm` with a VBA project", "hops.xlsm", xlsm_with_macros, "imported",
         "macros: they were not run", "Cell values imported; macros never run; the report says so."),
    Case("hidden_sheet", "Workbook with a hidden sheet", "hidden.xlsx", lambda: hop_xlsx(hidden=True), "imported",
         "sheet 'Old data' is hidden: skipped", "Visible sheets imported; the hidden one skipped and listed."),
    Case("formula_no_value", "Formula cells without cached values (written by a library, never opened in Excel)",
         "formulas.xlsx", formulas_without_values, "imported", "2 formula cells without a saved value",
         "The rest imported; each such cell listed with sheet, address and formula, never a silent blank."),
    Case("utf16_bom", "UTF-16 text with a BOM, tab-separated", "hops_utf16.txt",
         lambda: hop_csv([["Zoë Ng", "Single hop", "2026-11-23", "L", 150, 151, 152]], "\t", "utf-16"),
         "imported", "read as UTF-16, tab-separated", "Imported, accents intact."),
    Case("utf16_no_bom", "UTF-16 text without a BOM", "hops_utf16le.csv",
         lambda: hop_csv(HOP_ROWS, ",", "utf-16-le"), "refused", "UTF-16 text needs a byte-order mark",
         "Refused: UTF-16 is only trusted with its BOM."),
    Case("utf32_le_bom", "UTF-32 LE text with a BOM", "hops_utf32le.csv",
         lambda: hop_csv([["Zoë Ng", "Single hop", "2026-11-23", "L", 150, 151, 152]], ",", "utf-32"),
         "imported", "read as UTF-32, comma-separated", "Imported, accents intact (was: read as UTF-16, garbled)."),
    Case("utf32_be_bom", "UTF-32 BE text with a BOM", "hops_utf32be.csv",
         lambda: "\ufeff".encode("utf-32-be") + hop_csv([["Zoë Ng", "Single hop", "2026-11-23", "L", 150, 151, 152]],
                                                        ",", "utf-32-be"),
         "imported", "read as UTF-32, comma-separated", "Imported, accents intact."),
    Case("csv_named_xlsx", "A CSV export saved with an `.xlsx` name", "export.xlsx", lambda: hop_csv(HOP_ROWS),
         "imported", "named xlsx but its bytes are text: read as CSV",
         "Read by its bytes (sniffed as text), not refused as a damaged workbook; the report says so."),
    Case("cp1252_semicolon", "cp1252, `;`-separated, decimal comma", "hops_fr.csv",
         lambda: hop_csv([["José Martínez", "Single hop", "23/11/2026", "L", "182,5", "185,0", "180,5"]], ";", "cp1252"),
         "imported", "numbers use a decimal comma", "Imported: accents intact, 182,5 read as 182.5."),
    Case("ambiguous_dates", "Ambiguous dates (`03/04/2026`, nothing above 12)", "hops_dates.csv",
         lambda: hop_csv([["Mia Laurent", "Single hop", "03/04/2026", "L", 182, 185, 180]]), "imported",
         "change the date-order setting", "Imported day-first, and the report says so and names the setting "
         "that resolves it (`--date-order` / `ImportSettings.date_order`)."),
    Case("excel_serial_dates", "Excel serial dates (46349)", "serial.xlsx", excel_serial_dates, "imported", "",
         "Read as dates: 46349 = 2026-11-23."),
    Case("implausible_dates", "Dates 1900-02-29 (Excel serial 60), 1900-01-01, 9999-12-31, 1989-12-31",
         "hops_dates.xlsx", implausible_dates_xlsx, "imported", "date outside the plausible range",
         "Each row is rejected with the range (`lib.ingest.dates.EARLIEST_DATE` 1990-01-01 to today + 366 days) in the "
         "message; the ordinary row imported. The same range holds in CSV text and in edits on the Data page."),
    Case("duplicate_header_same", "Two columns headed `Date` holding the same dates", "hops_dup.csv",
         lambda: hop_csv_text([line + ",2026-11-23" for line in HOP_LINES]).replace(b"Trial 3\r\n", b"Trial 3,Date\r\n", 1),
         "imported", "the header 'Date' heads columns C and H with the same values: read once",
         "Imported; the report names the header and both columns."),
    Case("duplicate_header_differ", "Two columns headed `Trial 1` holding different values", "hops_dup_trial.csv",
         lambda: hop_csv_text([line + ",150" for line in HOP_LINES]).replace(b"Trial 3\r\n", b"Trial 3,Trial 1\r\n", 1),
         "imported", "the header 'Trial 1' heads columns E and H, which hold different values: neither was read",
         "Neither column is read (never the left- or right-hand one silently); the other trials imported; the "
         "report names the header and both columns."),
    Case("duplicate_needed_header", "Two columns headed `Date` holding different dates", "hops_dup_date.csv",
         lambda: hop_csv_text([line + ",2026-11-20" for line in HOP_LINES]).replace(b"Trial 3\r\n", b"Trial 3,Date\r\n", 1),
         "refused", "the header 'Date' heads columns C and H, which hold different values: neither was read",
         "The sheet needs that column, so it is not read; the message names the header and both columns."),
    Case("na_007", "Athlete named `NA` with ID `007`", "roster.csv", na_and_007_roster, "imported", "",
         "Kept as text: `NA` and `007` in the store and in `python -m lib export`."),
    Case("binary_csv", "Binary junk named `.csv`", "photo.csv", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 512,
         "refused", "binary content", "Refused with one message."),
    Case("oversize", "Upload over the size limit", "big.csv",
         lambda: hop_csv(HOP_ROWS * 60), "refused", "above the", "Refused on the bytes (`MAX_UPLOAD_BYTES`, the same "
         "200 MB as `server.maxUploadSize`); shown here with a 2 kB limit.", limit=2_000),
    Case("non_finite_numbers", "`inf`, `-inf`, `1e309`, `Infinity`, `NaN` in number cells", "hops_inf.csv",
         lambda: hop_csv([["Mia Laurent", "Single hop", "2026-11-23", "L", "inf", "-inf", "182"],
                          ["Mia Laurent", "Single hop", "2026-11-23", "R", "1e309", "Infinity", "NaN"],
                          ["Mia Laurent", "Triple hop", "2026-11-23", "L", 510, 515, 520]]),
         "imported", "not a finite number", "Each such cell is a rejected cell (file, sheet, row, column, value: "
         "\"not a finite number (infinity or NaN)\"), the rest of the row and file kept; nothing infinite is stored, "
         "and an infinity already in a store (older version) reads as missing. Every reader: "
         "tests/ingest/test_readers_non_finite.py."),
    Case("csv_oversize_field", "CSV cell over 128 KiB (Python's `csv.field_size_limit`)", "hops_note.csv",
         csv_with_oversize_field, "imported", "a cell longer than 131,072 characters",
         "That row is a rejected row (its number and the start of its text); every other row imported. No "
         "`_csv.Error` reaches the page."),
    Case("csv_unclosed_quote", "CSV row opening a quote it never closes", "hops_quote.csv", csv_with_unclosed_quote,
         "imported", "unclosed quote", "That row is a rejected row; the rows after it are read on their own and "
         "imported (the quote does not swallow them)."),
    Case("csv_quote_swallows_the_file", "Unclosed quote early in a 3,000-row export", "hops_long_quote.csv",
         csv_swallowed_by_a_quote, "imported", "1 row could not be split into cells",
         "One rejected row (row 2); the other 2,999 rows imported."),
    Case("ten_times_longer", "A file 10x longer than usual (3,060 ForceDecks rows)", "forcedecks_season.csv",
         ten_times_longer, "imported", "", "Imported in full."),
]


def report_text(report: ImportReport) -> str:
    return "\n".join([report.message, *report.skipped, *report.assumptions,
                      *(a for s in report.sheets for a in s.assumptions),
                      *(f"row {p.row}, column '{p.column}', value '{p.value}': {p.problem}" for p in report.rejects)])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_file_gives_its_message_and_the_batch_still_imports(case: Case, engine: Engine,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    if case.limit:
        monkeypatch.setattr(sources, "MAX_UPLOAD_BYTES", case.limit)
    reports = import_files(engine, [(case.name, case.build()), (GOOD_NAME, GOOD)])
    bad, good = reports
    assert case.message in report_text(bad), bad.text()
    if case.outcome == "refused":
        assert bad.status == "failed" and bad.import_id is None, bad.text()
        assert "Traceback" not in bad.message and len(bad.message) < 300
    else:
        assert bad.status == "imported" and bad.rows_added > 0, bad.text()
    assert good.status == "imported" and good.added["tests"] == GOOD_TESTS, good.text()
    live = store.read_imports(engine)
    assert set(live["file"]) == ({case.name, GOOD_NAME} if case.outcome == "imported" else {GOOD_NAME})


# ------------------------------------------------------------------------------------ details per case

def _bomb_probe(lying: bool) -> None:
    """Run in a fresh interpreter: open the bomb, print seconds, peak RSS growth and Python peak."""
    import resource
    import tracemalloc

    data = zip_bomb(lying_directory=lying)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    start = time.perf_counter()
    try:
        open_file(data, "bomb.xlsx")
        message = ""
    except UnreadableFile as exc:
        message = exc.reason
    seconds = time.perf_counter() - start
    python_peak = tracemalloc.get_traced_memory()[1]
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # KiB on Linux
    print(json.dumps({"size": len(data), "seconds": seconds, "rss_mb": grown / 1024,
                      "python_mb": python_peak / 2**20, "message": message}))


@pytest.mark.parametrize("lying", [False, True], ids=["honest_directory", "lying_directory"])
def test_zip_bomb_is_refused_fast_in_bounded_memory(lying: bool) -> None:
    run = subprocess.run([sys.executable, "-c", f"from tests.ingest.test_hostile_files import _bomb_probe; _bomb_probe({lying})"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    probe = json.loads(run.stdout.strip().splitlines()[-1])
    assert probe["size"] < 1_000_000  # small on disk...
    assert "zip bomb" in probe["message"]  # ...refused, never inflated to its 300 MB
    assert probe["seconds"] < 2.0
    assert probe["rss_mb"] < 64 and probe["python_mb"] < 16, probe


def test_zip_bomb_really_inflates_to_hundreds_of_mb() -> None:
    """The bomb is a real one: its sheet part streams out to 300 MB (counted, never kept)."""
    with zipfile.ZipFile(io.BytesIO(zip_bomb(megabytes=BOMB_MB))) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size > BOMB_MB * 2**20 and info.compress_size < 400_000
        raw = z.fp.getvalue()[info.header_offset + 30 + len(info.filename):][:info.compress_size]
    inflate, total = zlib.decompressobj(-15), 0
    for i in range(0, len(raw), 1 << 16):
        total += len(inflate.decompress(raw[i:i + (1 << 16)]))
    assert total > BOMB_MB * 2**20


UNPROTECTED = """
import io, sys
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read()))
for name in wb.sheet_names:
    wb.get_sheet_by_name(name).to_python()
"""


@pytest.mark.parametrize("case_id", ["far_cell", "huge_string_count", "xls_dimensions"])
def test_these_files_abort_an_unprotected_process_but_not_ours(case_id: str) -> None:
    """calamine called directly dies (SIGABRT, memory capped at 2 GiB so it fails fast); through
    open_file the same bytes give one message and this process goes on."""
    case = CASES_BY_ID[case_id]
    data = case.build()
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))\n"
    run = subprocess.run([sys.executable, "-c", limit + UNPROTECTED], input=data, capture_output=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "RUST_BACKTRACE": "0"})
    assert run.returncode != 0 and b"memory allocation" in run.stderr, (
        "calamine no longer aborts on this file (fixed upstream?): lib/ingest/sources.py's isolation rules could be "
        f"relaxed for it. stderr: {run.stderr[-300:]!r}")
    start = time.perf_counter()
    with pytest.raises(UnreadableFile, match=case.message):
        open_file(data, case.name)
    assert time.perf_counter() - start < 10


def test_shared_strings_bomb_aborts_an_unprotected_process_but_not_ours() -> None:
    """As above for the shared-strings bomb (its child fills its cap before it stops, so no time
    bound here: the memory bound is test_shared_strings_bomb_leaves_the_importing_process_bounded)."""
    data = shared_strings_bomb()
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))\n"
    run = subprocess.run([sys.executable, "-c", limit + UNPROTECTED], input=data, capture_output=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "RUST_BACKTRACE": "0"})
    assert run.returncode != 0 and b"memory allocation" in run.stderr, run.stderr[-300:]
    with pytest.raises(UnreadableFile, match=CASES_BY_ID["shared_strings_bomb"].message):
        open_file(data, "sst_bomb.xlsx")


@pytest.mark.parametrize(("string_kb", "cells", "refused"), [
    (8 * 1024, 20_000, True),  # 156 GB of text
    (1024, 1_900, False),  # 1.9 GB: under the cap by the count, so the child reads it (and stops at its cap)
    (30, 5_000, False),  # 150 MB
])
def test_expanded_text_is_added_up_per_cell(string_kb: int, cells: int, refused: bool) -> None:
    data = _strings_workbook([b"a" * (string_kb << 10)], cells)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        strings = sources.shared_strings(z)
        expected = cells * (len(b"<si><t></t></si>") + (string_kb << 10) + len(b"</sst>"))
        assert sources._expanded_text(z, infos, strings.sizes()) == expected
        if refused:
            with pytest.raises(sources.ExpandsTooFar):
                sources._scan_xlsx_sheets(z, infos)
        else:
            assert sources._scan_xlsx_sheets(z, infos)[1] is True  # unusual: read in the child


def test_ordinary_xlsx_is_read_in_process_and_unusual_ones_in_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(sources, "_read_isolated", lambda data, name: calls.append(name) or sources._read_here(data))
    open_file(hop_xlsx(), "plain.xlsx")
    assert calls == []
    wide = hop_xlsx([["Mia Laurent", "Single hop", "2026-11-23", "L", 182.0, 185.0, 180.0] + [1] * 30])
    open_file(wide, "wide.xlsx")  # a cell in column AK: the child reads it
    open_file(old_xls(), "old.xls")
    assert calls == ["wide.xlsx", "old.xls"]
    monkeypatch.setenv(sources.ISOLATE_XLSX_ENV, "1")
    open_file(hop_xlsx(), "plain.xlsx")
    assert calls[-1] == "plain.xlsx"



@pytest.mark.parametrize(("xml", "odd"), [
    (b'<row r="7" spans="1:20"><c r="B7" s="1" t="s"><v>0</v></c><c r="C7"/></row>', False),  # Excel
    (b'<row r="99999"><c r="Z99999" t="inlineStr"><is><t>x</t></is></c></row>', False),  # openpyxl, last usual cell
    (b'<cols><col min="1" max="2" width="9"/></cols><row r="1"><c r="A1"><f>B1</f><v>2</v></c></row>', False),
    (b'<c r="AA1"><v>1</v></c>', True),  # beyond column Z
    (b'<c r="XFD1048576"><v>1</v></c>', True),  # the last cell of the grid
    (b'<c r="A100000"><v>1</v></c>', True),  # beyond row 99,999
    (b'<row r="100000"><c r="A1"/></row>', True),
    (b'<row r="1"><c><v>1</v></c></row>', True),  # no reference: calamine places it by counting
    (b'<row r="1"><c t="n" r="A1"><v>1</v></c></row>', True),  # reference not first
    (b'<row><c r="A1"/></row>', True),
    (b'<c\tr="XFD1"><v>1</v></c>', True),  # a tab before the reference
    (b'<row\nr="1048576"><c r="A1"/></row>', True),
    (b'<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>', True),  # prefixed elements
    (b'<c r="a1"><v>1</v></c>', True),  # lower case: not how any writer spells it
], ids=lambda v: v.decode()[:40] if isinstance(v, bytes) else str(v))
def test_prescan_flags_what_calamine_trusts(xml: bytes, odd: bool) -> None:
    assert sources._odd_sheet_xml(b"<worksheet><sheetData>" + xml + b"</sheetData></worksheet>") is odd


def _sheet_zip(xml: bytes) -> zipfile.ZipFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    return zipfile.ZipFile(io.BytesIO(buf.getvalue()))


def _straddling(tag: bytes, at: int, letters: bool = False) -> bytes:
    """Sheet XML whose only cell `tag` starts `at` bytes from the end of the pre-scan's first
    chunk (negative: into the second), after a comment with no cell in it (`x`s, or random
    letters that do not compress like a zip bomb)."""
    head, end = b'<worksheet><sheetData><row r="1"><!--', b"-->"
    gap = sources.SCAN_CHUNK_BYTES - at - len(head) - len(end)
    filler = "".join(random.Random(3).choices(string.ascii_letters, k=gap)).encode() if letters else b"x" * gap
    return head + filler + end + tag + b"<v>1</v></c></row></sheetData></worksheet>"


@pytest.mark.parametrize("at", [1, 2, 5, 9, 13, 15, 16, 17, 30, 0, -3])
@pytest.mark.parametrize(("tag", "odd"), [(b'<c r="XFD1048576">', True), (b'<c\tr="A1">', True),
                                          (b'<x:c r="A1">', True), (b'<c r="B1">', False)])
def test_prescan_sees_a_tag_cut_by_the_chunk_boundary(tag: bytes, odd: bool, at: int) -> None:
    """A cell tag that straddles two chunks is checked whole: no far cell slips through, and no
    ordinary cell is flagged for being cut."""
    xml = _straddling(tag, at)
    assert xml.index(tag) == sources.SCAN_CHUNK_BYTES - at
    with _sheet_zip(xml) as z:
        assert sources._scan_sheet(z, z.getinfo("xl/worksheets/sheet1.xml"))[1] is odd


@pytest.mark.parametrize("at", [1, 3, 7, 16, 17, 40])
def test_formula_cell_cut_by_the_chunk_boundary_is_listed_once(at: int) -> None:
    xml = _straddling(b'<c r="G1"><f>E1+1</f></c><c r="H1">', at)
    with _sheet_zip(xml) as z:
        assert sources.formula_cells_without_values(z, "xl/worksheets/sheet1.xml") == [FormulaCell(1, "G", "E1+1")]



@pytest.mark.parametrize(("xml", "formulas", "odd"), [
    (b'<c r="A1"><f>B1</f></c>' + b"<c>" * 330_000, [FormulaCell(1, "A", "B1")], True),  # cells without </c>
    (b'<c r="A1"><f>B1</f></c>' + b"<c " * 330_000, [FormulaCell(1, "A", "B1")], True),  # tags without `>`
    (b'<c r="A1">' + b"<f>" * 330_000 + b"</c>", [], False),  # one cell of formulas without </f>
    (b'<c r="A1">' + b"<f " * 330_000 + b"</c>", [], False),
])
def test_prescan_is_linear_on_crafted_tags(xml: bytes, formulas: list[FormulaCell], odd: bool) -> None:
    """A megabyte of tags that never end, with an `<f` to make the formula scan look: no search
    runs on to the end once per tag (each case ran for minutes, quadratic in the tags)."""
    start = time.perf_counter()
    with _sheet_zip(b'<worksheet><sheetData><row r="1">' + xml + b"</row></sheetData></worksheet>") as z:
        found, unusual = sources._scan_sheet(z, z.getinfo("xl/worksheets/sheet1.xml"))
    assert time.perf_counter() - start < 2.0
    assert found == formulas and unusual is odd


def test_string_count_check_is_linear_on_a_crafted_head() -> None:
    """`<sst ` 13,000 times with no `>` in the first 64 kB: the uniqueCount search took 4 s."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"<sst " * 13_000 + b'uniqueCount="5">')
    start = time.perf_counter()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        sources._odd_shared_strings(z)
    assert time.perf_counter() - start < 0.5

def test_far_cell_at_the_chunk_boundary_is_read_in_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole path: a 1 MB workbook whose far cell straddles the pre-scan's first two chunks,
    with a second cell at A2 (a grid of 17 billion cells: calamine aborts the process reading it)
    is read in the child and refused; random filler, so it is not refused as a zip bomb."""
    xml = _straddling(b'<c r="XFD1048576">', 1, letters=True).replace(
        b"</row></sheetData>", b'</row><row r="2"><c r="A2"><v>1</v></c></row></sheetData>')
    data = rezip(hop_xlsx(), {"xl/worksheets/sheet1.xml": xml})

    def in_process(data: bytes) -> tuple:
        raise AssertionError("calamine would have read the far cell in this process")

    monkeypatch.setattr(sources, "_read_here", in_process)
    with pytest.raises(UnreadableFile, match="would need more memory than allowed"):
        open_file(data, "straddle.xlsx")

def _sst_probe() -> None:
    """Run in a fresh interpreter: import the shared-strings bomb beside a good file into a new
    store; print the reports and the peak memory of this process and of its children."""
    import resource

    with tempfile.TemporaryDirectory() as tmp:
        engine = store.connect(Path(tmp) / "probe.sqlite")
        reports = import_files(engine, [("sst_bomb.xlsx", shared_strings_bomb()),
                                        ("sst_bomb_small.xlsx", shared_strings_bomb(string_mb=1, cells=1_900)),
                                        (GOOD_NAME, GOOD)])
    print(json.dumps({"reports": [[r.status, r.message, r.added.get("tests", 0)] for r in reports],
                      "self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def test_shared_strings_bomb_leaves_the_importing_process_bounded() -> None:
    """The whole import in a fresh process: both bombs are refused with one message each (the big
    one by the pre-scan, the smaller one by the isolated reader's cap), the good file of the batch
    lands, the importing process (the server) stays small, and the child that read the smaller bomb
    stopped at its cap (its peak RSS is at most READER_MEMORY_BYTES)."""
    run = subprocess.run([sys.executable, "-c", "from tests.ingest.test_hostile_files import _sst_probe; _sst_probe()"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    probe = json.loads(run.stdout.strip().splitlines()[-1])
    (big_status, big_message, _), (small_status, small_message, _), (good_status, _, good_tests) = probe["reports"]
    assert big_status == "failed" and "GB of text once read" in big_message
    assert small_status == "failed" and "would need more memory than allowed" in small_message
    assert good_status == "imported" and good_tests == GOOD_TESTS
    # pandas, SQLAlchemy and the bombs' bytes (about 180 MB; once 401 MB under a loaded full run): none of
    # their expansions (1.9 GB and 156 GB), which the child may not hand back past 256 MB either
    assert probe["self_mb"] < 640, probe
    assert probe["children_mb"] <= sources.READER_MEMORY_BYTES / 2**20, probe


@pytest.mark.parametrize(("sst", "expected"), [
    (SST_HEAD + b' count="2" uniqueCount="2"><si><t>Name</t></si><si><t>Mia</t></si></sst>',
     sources.SharedStrings(2, 2, 21, 0, False)),
    (SST_HEAD + b' uniqueCount="1"><si><t>a</t></si><si><t>b</t></si></sst>', sources.SharedStrings(1, 2, 0, 0, False)),
    (SST_HEAD + b'><x:si><x:t>a</x:t></x:si><si><t>' + b"b" * 300_000 + b"</t></si></sst>",
     sources.SharedStrings(None, 2, 300_000, 0, False)),
], ids=["ordinary", "more_than_declared", "one_giant_string"])
def test_shared_string_table_is_measured(sst: bytes, expected: sources.SharedStrings) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", sst)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        got = sources.shared_strings(z)
    assert (got.declared, got.count, got.damaged) == (expected.declared, expected.count, expected.damaged)
    assert got.size == len(sst)
    assert got.longest >= expected.longest and got.longest < expected.longest + 40 or expected.longest == 0
    assert got.odd() is (expected.count > (expected.declared or expected.count) or expected.longest > 2**18)


def test_shared_string_boundary_is_seen_once() -> None:
    """`<si>` tags cut by the 1 MB read boundary are counted once each."""
    sst = SST_HEAD + b' uniqueCount="70000">' + b"<si><t>abcdefghij</t></si>" * 70_000 + b"</sst>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", sst)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        got = sources.shared_strings(z)
    # 26 bytes a string; the last one runs on to the end of the part (`</sst>`)
    assert len(sst) > 1 << 20 and got.count == 70_000 and got.longest == 26 + 6 and not got.odd()


def _strings_workbook(strings: list[bytes], cells: int, declared: int | None = None, spelling: bytes = b't="s"') -> bytes:
    data = hop_xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    rows = b"".join(b'<row r="%d"><c r="H%d" %s><v>%d</v></c></row>' % (r, r, spelling, r % len(strings))
                    for r in range(10, 10 + cells))
    count = b"" if declared is None else b' uniqueCount="%d"' % declared
    sst = SST_HEAD + count + b">" + b"".join(b"<si><t>" + t + b"</t></si>" for t in strings) + b"</sst>"
    return _with_shared_strings(data, sst, sheet.replace(b"</sheetData>", rows + b"</sheetData>"))


@pytest.mark.parametrize(("data", "isolated"), [
    (_strings_workbook([b"Single hop", b"Triple hop"], 500), False),  # an ordinary table
    (_strings_workbook([b"x" * 30_000], 5_000), True),  # 5,000 cells x 30 kB: 150 MB once read
    (_strings_workbook([b"x" * 30_000], 100), False),  # a long note in a few cells: 3 MB
    (_strings_workbook([b"x" * 300_000], 1), True),  # a string longer than Excel allows in a cell
    (_strings_workbook([b"a", b"b", b"c"], 10, declared=1), True),  # more strings than declared
    (_strings_workbook([b"x" * 30_000], 5_000, spelling=b"t = 's'"), True),  # a spelling the count would miss
], ids=["ordinary", "expands_past_128_mb", "long_note", "giant_string", "more_than_declared", "spaced_type"])
def test_prescan_sends_string_tables_that_could_expand_to_the_child(data: bytes, isolated: bool,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(sources, "_read_isolated", lambda data, name: calls.append(name) or sources._read_here(data))
    open_file(data, "strings.xlsx")
    assert calls == (["strings.xlsx"] if isolated else [])


def test_child_memory_cap_is_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child sets RLIMIT_AS before reading: with a 1 GiB cap it stops on the bomb well inside
    1 GiB (measured in a fresh process), and still reads an ordinary workbook."""
    code = ("import json, resource, lib.ingest.sources as s\n"
            "from tests.ingest.test_hostile_files import shared_strings_bomb, hop_xlsx\n"
            "s.READER_MEMORY_BYTES = 2**30\n"
            "try:\n    s._read_isolated(shared_strings_bomb(), 'b.xlsx'); out = 'read'\n"
            "except s.UnreadableFile as exc:\n    out = exc.reason\n"
            "ok = s._read_isolated(hop_xlsx(), 'h.xlsx')[0]\n"
            "print(json.dumps([out, ok, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    message, ordinary, children_mb = json.loads(run.stdout.strip().splitlines()[-1])
    assert "would need more memory than allowed" in message and ordinary == "ok"
    assert children_mb <= 1024, children_mb


def test_child_that_cannot_cap_its_memory_does_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "READER_MEMORY_BYTES", -5)  # no cap (setrlimit reads it as unlimited): no read
    with pytest.raises(UnreadableFile, match="cannot limit its memory"):
        sources._read_isolated(hop_xlsx(), "h.xlsx")


def test_child_result_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_READER_RESULT_BYTES", 100)  # the hop workbook pickles to 276 bytes
    with pytest.raises(UnreadableFile, match="cells would take more than"):
        sources._read_isolated(hop_xlsx(), "h.xlsx")


def test_calamine_does_not_expand_entities() -> None:
    """Even without our DTD check, calamine refuses the entity instead of expanding it."""
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    with pytest.raises(Exception, match="entity"):
        wb = CalamineWorkbook.from_filelike(io.BytesIO(billion_laughs()))
        wb.get_sheet_by_index(0).to_python()
    assert time.perf_counter() - start < 1.0


def test_openpyxl_reads_only_through_defusedxml() -> None:
    """lib reads workbooks with calamine only; should openpyxl ever read one, it parses through
    defusedxml (installed from requirements.txt) and refuses the entities."""
    from openpyxl import xml as openpyxl_xml

    assert openpyxl_xml.DEFUSEDXML is True
    with pytest.raises(Exception) as caught:
        openpyxl.load_workbook(io.BytesIO(billion_laughs()))
    chain, exc = [], caught.value
    while exc is not None:
        chain.append(type(exc).__module__)
        exc = exc.__cause__ or exc.__context__
    assert any(m.startswith("defusedxml") for m in chain), chain
    readers = [p for p in (ROOT / "lib").rglob("*.py") if "load_workbook" in p.read_text()]
    assert readers == [], f"openpyxl.load_workbook in {readers}: keep uploads on calamine"


def test_encrypted_builder_is_a_compound_file_with_encryption_streams() -> None:
    data = encrypted_ooxml()
    assert data[:8] == sources.CFB_MAGIC and len(data) % 512 == 0
    assert sources._cfb_stream_names(data) >= {"Root Entry", "EncryptionInfo", "EncryptedPackage"}
    assert sources.cfb_is_encrypted(data) and not sources.cfb_is_encrypted(old_xls())


def test_cfb_parser_survives_garbage() -> None:
    for data in (sources.CFB_MAGIC + b"\xff" * 600, sources.CFB_MAGIC + b"\x00" * 30 + b"\x09\x00" + b"\xff" * 2000):
        assert sources.cfb_is_encrypted(data) is False


def test_formula_cells_without_values_are_named_with_sheet_row_column(engine: Engine) -> None:
    opened = open_file(formulas_without_values(), "formulas.xlsx")
    [sheet] = opened.sheets
    assert sheet.formula_cells == [FormulaCell(2, "G", "AVERAGE(E2:F2)"), FormulaCell(3, "G", "E3+1")]
    [line] = [s for s in opened.skipped if "formula" in s]
    assert "G2 (=AVERAGE(E2:F2)), G3 (=E3+1)" in line and line.startswith("sheet 'Hops'")
    report = import_files(engine, [("formulas.xlsx", formulas_without_values())])[0]
    trials = store.read_table(engine, "tests")["trial"].tolist()
    assert sorted(trials) == [1, 1, 2, 2]  # trial 3 was a formula with no value: not stored, and said so
    assert any("G2" in s for s in report.skipped)


def test_formula_cells_with_cached_values_are_read_and_not_reported() -> None:
    opened = open_file(with_cached_values(formulas_without_values()), "saved.xlsx")
    assert opened.sheets[0].formula_cells == [] and not any("formula" in s for s in opened.skipped)
    fr = read_file(with_cached_values(formulas_without_values()), "saved.xlsx")
    values = sorted(fr.reads[0][1].tables["tests"]["value"].tolist())
    assert 183.5 in values and 161.0 in values


def test_formula_cells_without_values_are_rejected_cells(engine: Engine) -> None:
    report = import_files(engine, [("formulas.xlsx", formulas_without_values())])[0]
    cells = [(p.sheet, p.row, p.column, p.value) for p in report.rejects if "formula" in p.problem]
    assert cells == [("Hops", 2, "G", "=AVERAGE(E2:F2)"), ("Hops", 3, "G", "=E3+1")]
    assert len(store.read_rejects(engine)) >= 2


def test_formula_scan_follows_the_sheet_across_chunks() -> None:
    """Cells cut by the 1 MB read boundary are still seen."""
    rows = [[f"Athlete {i:05d}", "Single hop", "2026-11-23", "L", 150.0, 151.0, f"=E{i + 2}+F{i + 2}"]
            for i in range(12_000)]
    data = hop_xlsx(rows)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size > 2 * (1 << 20)
        cells = sources.formula_cells_without_values(z, "xl/worksheets/sheet1.xml")
    assert len(cells) == 12_000 and cells[-1] == FormulaCell(12_001, "G", "E12001+F12001")


def test_xlsm_macros_never_run(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    report = import_files(engine, [("hops.xlsm", xlsm_with_macros())])[0]
    assert report.status == "imported" and report.added["tests"] == 6
    assert not (tmp_path / "pwned.txt").exists()


def test_utf16_and_cp1252_keep_accents_and_decimal_commas(engine: Engine) -> None:
    import_files(engine, [("utf16.txt", CASES_BY_ID["utf16_bom"].build()),
                          ("fr.csv", CASES_BY_ID["cp1252_semicolon"].build())])
    names = set(store.read_table(engine, "athletes")["name"])
    assert {"Zoë Ng", "José Martínez"} <= names
    tests = store.read_table(engine, "tests")
    jose = tests[tests["athlete_id"] == "jose-martinez"].sort_values("trial")["value"].tolist()
    assert jose == [182.5, 185.0, 180.5]


@pytest.mark.parametrize(("order", "expected", "note"), [
    ("auto", dt.date(2026, 4, 3), "ambiguous"),
    ("mdy", dt.date(2026, 3, 4), "(setting)"),
    ("dmy", dt.date(2026, 4, 3), "(setting)"),
])
def test_ambiguous_dates_are_reported_and_the_setting_resolves_them(engine: Engine, order: str,
                                                                     expected: dt.date, note: str) -> None:
    report = import_files(engine, [("dates.csv", CASES_BY_ID["ambiguous_dates"].build())], ImportSettings(date_order=order))[0]
    assert note in report_text(report)
    assert {d.date() for d in store.read_table(engine, "tests")["date"]} == {expected}


def test_excel_serial_dates_become_dates(engine: Engine) -> None:
    import_files(engine, [("serial.xlsx", excel_serial_dates())])
    assert {d.date() for d in store.read_table(engine, "tests")["date"]} == {dt.date(2026, 11, 23)}


@pytest.mark.parametrize("as_csv", [False, True], ids=["xlsx_cells", "csv_text"])
def test_implausible_dates_are_rejected_rows_naming_the_range(as_csv: bool) -> None:
    if as_csv:
        days = ["1900-01-01", "9999-12-31", "31/12/1989", "2026-11-23"]
        data, bad_rows = hop_csv([["Mia Laurent", "Single hop", d, "L", 182, 185, 180] for d in days]), [2, 3, 4]
    else:
        data, bad_rows = implausible_dates_xlsx(), [2, 3, 4, 5]
    fr = read_file(data, "dates.csv" if as_csv else "dates.xlsx")
    [(_sheet, read)] = fr.reads
    rejected = sorted(p.row for p in read.rejects if p.problem.startswith("date outside the plausible range 1990-01-01 to"))
    assert rejected == bad_rows and {p.column for p in read.rejects} == {"Date"}
    assert {d.date() for d in read.tables["tests"]["date"]} == {dt.date(2026, 11, 23)}
    assert_nothing_lost(read)


def test_na_and_007_survive_to_the_store_and_the_export(engine: Engine, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    import_files(engine, [("roster.csv", na_and_007_roster())])
    athletes = store.read_table(engine, "athletes")
    assert athletes[["athlete_id", "name"]].values.tolist() == [["007", "NA"]]
    db = engine.url.database
    store.dispose_all()
    assert main(["export", "--db", db, "athletes"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[1][:2] == ["007", "NA"]


@pytest.mark.parametrize("case_id", ["utf32_le_bom", "utf32_be_bom"])
def test_utf32_keeps_accents(case_id: str) -> None:
    fr = read_file(CASES_BY_ID[case_id].build(), "hops.csv")
    [(_sheet, read)] = fr.reads
    assert set(read.tables["tests"]["athlete_name"]) == {"Zoë Ng"}
    assert sorted(read.tables["tests"]["value"]) == [150.0, 151.0, 152.0]


def test_cli_checks_the_size_before_reading(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A 2 GB file (sparse: made by truncate, no disk used) is refused from its size on disk, never
    read into memory; the other file of the command imports; exit code 1."""
    big, good = tmp_path / "season.csv", tmp_path / GOOD_NAME
    with open(big, "wb") as f:
        f.truncate(2 * 2**30)
    good.write_bytes(GOOD)
    read: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or real(self))
    code = main(["import", "--db", str(tmp_path / "s.sqlite"), str(big), str(good)])
    out = capsys.readouterr().out
    assert code == 1 and read == [GOOD_NAME]
    assert "season.csv: failed\n  the file is 2048 MB, above the 200 MB upload limit" in out
    assert f"{GOOD_NAME}: imported" in out


def test_upload_limit_matches_the_streamlit_setting() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == sources.MAX_UPLOAD_BYTES


def test_ten_times_longer_file_imports_every_row(engine: Engine) -> None:
    one = import_files(engine, [("one.csv", (ROOT / "sample_data" / "forcedecks_cmj.csv").read_bytes())])[0]
    store.dispose_all()
    start = time.perf_counter()
    fr = read_file(ten_times_longer(), "season.csv")
    assert time.perf_counter() - start < 20
    rows = sum(len(r.tables["tests"]) for _s, r in fr.reads)
    assert rows == 10 * sum(one.added.values()) - 10 * one.added.get("athletes", 0)


CASES_BY_ID = {c.id: c for c in CASES}


@pytest.mark.parametrize(("case_id", "bad_row", "value_starts", "kept"), [
    ("csv_oversize_field", 3, "Mia Laurent,Single hop,2026-11-23,R", {2, 4, 5}),
    ("csv_unclosed_quote", 3, '"Mia Laurent,Single hop', {2, 4, 5}),
])
def test_broken_csv_rows_are_rejected_with_their_number_and_the_rest_kept(case_id: str, bad_row: int,
                                                                         value_starts: str, kept: set[int]) -> None:
    fr = read_file(CASES_BY_ID[case_id].build(), "hops.csv")
    [(_sheet, read)] = fr.reads
    broken = [p for p in read.rejects if p.row == bad_row]
    assert len(broken) == 1 and broken[0].value.startswith(value_starts) and len(broken[0].value) <= 80
    assert broken[0].problem in (sources.BROKEN_FIELD, sources.BROKEN_QUOTE)
    assert set(read.tables["tests"]["source_row"]) == kept
    assert len(read.tables["tests"]) == 3 * len(kept)
    assert_nothing_lost(read)


def test_a_quote_that_swallows_the_file_costs_one_row() -> None:
    fr = read_file(csv_swallowed_by_a_quote(), "long.csv")
    [(_sheet, read)] = fr.reads
    assert [(p.row, p.problem) for p in read.rejects] == [(2, sources.BROKEN_QUOTE)]
    assert read.tables["tests"]["source_row"].nunique() == 2_999
    assert_nothing_lost(read)


@pytest.mark.parametrize(("text", "rows", "broken"), [
    ('a,b\r\n1,"x\r\ny",2\r\n', [["a", "b"], ["1", "x\r\ny", "2"]], []),  # a quoted line break: one record
    ('a,b\r\n1,"x\r\n2,3\r\n', [["a", "b"], [], ["2", "3"]], [2]),  # unclosed at the end of the file
    ('a,b\r\n1,"x\r\n2,"y"z\r\n3,4\r\n', [["a", "b"], [], ["2", "yz"], ["3", "4"]], [2]),  # closes badly later
    ('a,b\r\n1,"5"10\r\n', [["a", "b"], ["1", "510"]], []),  # text after a closing quote: lenient, as before
    ('a,b\r\n' + "x" * 140_000 + ",1\r\n2,3\r\n", [["a", "b"], [], ["2", "3"]], [2]),  # unquoted oversize cell
    ('"' + "x" * 140_000 + "\r\n", [[]], [1]),
], ids=["quoted_newline", "unclosed_at_end", "closes_badly", "after_quote", "oversize", "only_row"])
def test_split_text_never_raises(text: str, rows: list[list[str]], broken: list[int]) -> None:
    got, bad = sources.split_text(text, ",")
    assert got == rows and [b.row for b in bad] == broken


def test_a_file_of_one_broken_row_is_refused_with_the_reason() -> None:
    with pytest.raises(UnreadableFile, match="no row could be split into cells: a cell longer than"):
        open_file(b"x" * 140_000 + b"\r\n", "one.csv")


def test_two_athletes_sharing_a_name_keep_their_ids(engine: Engine) -> None:
    roster = b"athlete_id,name,position,squad\r\n007,Alex Smith,Winger,U23\r\n008,Alex Smith,Fullback,First team\r\n"
    report = import_files(engine, [("roster.csv", roster)])[0]
    assert sorted(store.read_table(engine, "athletes")["athlete_id"]) == ["007", "008"], report.text()


# ------------------------------------------------------------------------------------ properties

SUFFIXES = st.sampled_from(["x.csv", "x.txt", "x.xlsx", "x.xlsm", "x.xls", "x.ods", "x.xlsb", "x"])
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STORE = settings(max_examples=6, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _only_our_error(data: bytes, name: str) -> None:
    """open_file returns or raises a ReturnToSpeedError; read_file never raises."""
    try:
        open_file(data, name)
    except ReturnToSpeedError:
        pass
    fr = read_file(data, name)
    assert fr.report.status in ("imported", "failed")
    assert fr.report.status != "failed" or fr.report.message


@QUICK
@given(data=st.binary(max_size=4096), name=SUFFIXES,
       magic=st.sampled_from([b"", b"PK\x03\x04", sources.CFB_MAGIC, b"\xff\xfe", b"\xef\xbb\xbf"]))
def test_random_bytes_only_ever_raise_our_error(data: bytes, name: str, magic: bytes) -> None:
    _only_our_error(magic + data, name)


CONTAINERS = {"x.xlsx": hop_xlsx(), "x.xls": old_xls(), "x.cfb": encrypted_ooxml()}


@QUICK
@given(kind=st.sampled_from(sorted(CONTAINERS)), cut=st.integers(0, 20_000),
       flips=st.lists(st.tuples(st.integers(0, 20_000), st.integers(0, 255)), max_size=8))
def test_damaged_workbooks_only_ever_raise_our_error(kind: str, cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(CONTAINERS[kind])
    for at, byte in flips:
        data[at % len(data)] = byte
    _only_our_error(bytes(data[: max(1, cut % (len(data) + 1))]), kind)


CELLS = st.one_of(st.text(max_size=12), st.sampled_from(["", "NA", "007", "DNF", "12,5", "=1+1", "L", "R",
                                                          "03/04/2026", "45000", "Single hop", "\u00e9"]))


@QUICK
@given(rows=st.lists(st.lists(CELLS, min_size=7, max_size=7), min_size=1, max_size=20),
       delimiter=st.sampled_from([",", ";", "\t"]))
def test_random_csv_text_never_raises_and_loses_no_row(rows: list[list[str]], delimiter: str) -> None:
    data = hop_csv(rows, delimiter)
    fr = read_file(data, "hops.csv")
    for _sheet, read in fr.reads:
        assert_nothing_lost(read)  # rows in = accepted + rejected + skipped


CSV_CHARS = st.sampled_from(['"', '"', ",", ";", "\t", "\r\n", "\n", "\r", "a", "1", ".", " ", "\u00e9", "\x00"])
CSV_TEXT = st.lists(st.one_of(CSV_CHARS, st.sampled_from(["x" * 140_000, '"' + "y" * 70_000]), st.text(max_size=8)),
                    max_size=60).map("".join)


@QUICK
@given(body=CSV_TEXT, header=st.booleans())
def test_random_csv_text_only_ever_raises_our_error_and_loses_no_row(body: str, header: bool) -> None:
    """Any text, quotes and oversize cells included: open_file returns or raises our error, the
    read never raises, and every data row is accepted, rejected or skipped."""
    data = ((",".join(HOP_HEADER) + "\r\n") if header else "") + body
    _only_our_error(data.encode("utf-8", errors="replace"), "x.csv")
    for _sheet, read in read_file(data.encode(), "x.csv").reads:
        assert_nothing_lost(read)


POOL_A = ["Ana Silva", "NA", "Zoë Ng", "Sean O'Neill"]
POOL_B = ["Ben Carter", "007", "José Martínez", "Kwame Asante"]


def _hop_rows(pool: list[str]) -> st.SearchStrategy[list[list[object]]]:
    row = st.tuples(st.sampled_from(pool), st.sampled_from(["Single hop", "Triple hop"]),
                    st.sampled_from(["2026-11-02", "2026-11-09", "2026-11-16"]), st.sampled_from(["L", "R"]),
                    st.floats(100, 700).map(lambda v: round(v, 1)), st.floats(100, 700).map(lambda v: round(v, 1)),
                    st.sampled_from(["", "DNF", "150"]))
    return st.lists(row.map(list), min_size=1, max_size=8, unique_by=lambda r: tuple(r[:4]))


def _tables(engine: Engine) -> dict[str, list[tuple]]:
    """Every canonical table's live rows without provenance, sorted: what two stores must agree on."""
    out = {}
    for t in TABLES:
        df = store.read_table(engine, t).drop(columns=["source_file", "source_row"], errors="ignore")
        out[t] = sorted(tuple(str(v) for v in r) for r in df.itertuples(index=False))
    return out


@STORE
@given(a=_hop_rows(POOL_A), b=_hop_rows(POOL_B))
def test_disjoint_imports_commute_and_twice_equals_once(a: list[list], b: list[list]) -> None:
    fa, fb = ("a.csv", hop_csv(a)), ("b.csv", hop_csv(b))
    with tempfile.TemporaryDirectory() as tmp:
        ab, ba = store.connect(Path(tmp) / "ab.sqlite"), store.connect(Path(tmp) / "ba.sqlite")
        import_files(ab, [fa])
        import_files(ab, [fb])
        import_files(ba, [fb])
        import_files(ba, [fa])
        assert _tables(ab) == _tables(ba)
        once = _tables(ab)
        import_files(ab, [fa, ("a-again.csv", fa[1].replace(b"\r\n", b"\n"))])  # same bytes; same rows, new bytes
        assert _tables(ab) == once
        store.dispose_all()


ATHLETES = st.lists(st.tuples(st.sampled_from(["007", "RTS1", "a-b", "0042", "x"]),
                              st.sampled_from(["NA", "Zoë Ng", "Sean O'Neill", "Laurent, Mia", "null", "N/A Team"])),
                    min_size=1, max_size=4, unique_by=(lambda r: r[0], lambda r: r[1]))


@STORE
@given(athletes=ATHLETES, values=st.lists(st.floats(0.5, 90, allow_nan=False), min_size=1, max_size=6),
       dates=st.lists(st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31)), min_size=1, max_size=3))
def test_export_then_reimport_round_trips(athletes: list[tuple[str, str]], values: list[float],
                                          dates: list[dt.date]) -> None:
    roster = "athlete_id,name,position,squad\r\n" + "".join(f'{i},"{n}",Winger,First team\r\n' for i, n in athletes)
    tests = "athlete_id,date,test,metric,side,trial,value,unit,device\r\n" + "".join(
        f"{athletes[k % len(athletes)][0]},{dates[k % len(dates)]:%Y-%m-%d},cmj,jump_height,both,{k + 1},{v!r},cm,ForceDecks\r\n"
        for k, v in enumerate(values))
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp) / "first.sqlite", Path(tmp) / "second.sqlite"
        reports = import_files(store.connect(first), [("roster.csv", roster.encode()), ("tests.csv", tests.encode())])
        assert all(r.status == "imported" for r in reports), [r.text() for r in reports]
        exported = []
        for table in ("athletes", "tests"):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                assert main(["export", "--db", str(first), table]) == 0
            exported.append((f"{table}.csv", out.getvalue().encode()))
        import_files(store.connect(second), exported)
        a, b = _tables(store.connect(first)), _tables(store.connect(second))
        assert a == b
        assert sorted(r[:2] for r in a["athletes"]) == sorted((i, clean_name(n)) for i, n in athletes)
        store.dispose_all()


# ------------------------------------------------------------------------------------ the doc

def render_doc() -> str:
    """docs/input-behaviour.md, from CASES."""
    lines = [
        "# Input -> what happens",
        "",
        "Generated from `CASES` in [tests/ingest/test_hostile_files.py](../tests/ingest/test_hostile_files.py) by",
        "`python -m tests.ingest.test_hostile_files --write`; `test_docs_table_is_current` fails when they differ.",
        "Every case is built by the test (nothing binary is committed) and imported in one batch with a",
        "good ForceDecks export, which must still import: one bad file never sinks the others.",
        "",
        "| input | outcome | what happens | the report says | test id |",
        "| --- | --- | --- | --- | --- |",
    ]
    for c in CASES:
        said = f"\"…{c.message}…\"" if c.message else "—"
        lines.append(f"| {c.input} | {c.outcome} | {c.happens} | {said} | `{c.id}` |")
    lines += [
        "",
        "Refused files are not stored (no import row, no data); their message is shown on the upload",
        "summary and printed by `python -m lib import` (exit code 1). The limits are in",
        "`lib/ingest/sources.py`: `MAX_UPLOAD_BYTES` (200 MB, as `server.maxUploadSize`), `MAX_UNCOMPRESSED_BYTES`",
        "(400 MB), `MAX_COMPRESSION_RATIO` (200), `MAX_ZIP_ENTRIES` (10,000).",
        "",
        "Beyond single files, see [SECURITY.md](../SECURITY.md): concurrent imports, a killed import, a",
        "full disk, roles and erasure, each with its test.",
        "",
    ]
    return "\n".join(lines)


def test_docs_table_is_current() -> None:
    assert DOC.read_text() == render_doc(), "run: python -m tests.ingest.test_hostile_files --write"


def test_every_case_id_is_unique() -> None:
    assert len(CASES_BY_ID) == len(CASES) and all(re.fullmatch(r"[a-z0-9_]+", c) for c in CASES_BY_ID)


if __name__ == "__main__":
    if "--write" in sys.argv:
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(render_doc())
        print(f"wrote {DOC}")
    else:
        print(render_doc())


@pytest.mark.parametrize(("xml", "with_table", "without_table"), [
    (b'<row r="7"><c r="B7" s="1" t="s"><v>0</v></c></row>', False, False),
    (b'<row r="7"><c r="B7" t = "s"><v>0</v></c></row>', True, False),  # only a string count could miss it
    (b'<row r="7"><c r="B7"\tt="n"><v>1</v></c></row>', True, False),
    (b'<c r="AA1"><v>1</v></c>', True, True),  # beyond column Z: calamine's grid, table or not
    (b'<row r="1"><c t="n" r="A1"><v>1</v></c></row>', True, True),  # reference not first
    (b'<c\tr="XFD1"><v>1</v></c>', True, True),
    (b'<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>', True, True),
    (b'<row r="100000"><c r="A1"/></row>', True, True),
], ids=lambda v: v.decode()[:40] if isinstance(v, bytes) else str(v))
def test_prescan_without_a_string_table_checks_only_references(xml: bytes, with_table: bool,
                                                                without_table: bool) -> None:
    """A workbook without shared strings (inline strings, as openpyxl's write-only mode writes them)
    has no string a cell could copy: its cells' attributes need no check, their references still do."""
    sheet = b"<worksheet><sheetData>" + xml + b"</sheetData></worksheet>"
    assert sources._odd_sheet_xml(sheet) is with_table
    assert sources._odd_sheet_xml(sheet, strings=False) is without_table
    for table, odd in ((True, with_table), (False, without_table)):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/worksheets/sheet1.xml", sheet)
            if table:
                z.writestr("xl/SharedStrings.xml", b'<sst uniqueCount="1"><si><t>x</t></si></sst>')
        with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
            assert sources._scan_xlsx_sheets(z, z.infolist())[1] is odd
