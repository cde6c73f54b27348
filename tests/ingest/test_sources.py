"""Containers: the same export as CSV (any delimiter/encoding), .xlsx, .xlsm, .xls and .ods gives
the same canonical rows; hidden sheets are skipped and listed; broken files give one message."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlwt

import lib.ingest.sources as sources
from lib.core.errors import UnreadableFile
from lib.ingest.importer import read_file
from lib.ingest.sources import decode_text, open_file, sniff_delimiter

HEADER = ["Name", "Test", "Date", "Side", "Trial 1", "Trial 2", "Trial 3"]
ROWS = [
    ["Mia Laurent", "Single hop", "2026-11-23", "L", 182.0, 185.0, 180.0],
    ["Mia Laurent", "Single hop", "2026-11-23", "R", 160.0, 166.0, 163.0],
]


def _canonical(data: bytes, name: str) -> list[tuple]:
    fr = read_file(data, name)
    assert fr.report.status != "failed", fr.report.text()
    [(_sheet, read)] = fr.reads
    t = read.tables["tests"].sort_values(["side", "trial"])
    return [(n, d.strftime("%Y-%m-%d"), test, side, int(trial), float(v))
            for n, d, test, side, trial, v in zip(t["athlete_name"], t["date"], t["test"], t["side"], t["trial"], t["value"])]


EXPECTED = [("Mia Laurent", "2026-11-23", "single_hop", "left", 1, 182.0), ("Mia Laurent", "2026-11-23", "single_hop", "left", 2, 185.0),
            ("Mia Laurent", "2026-11-23", "single_hop", "left", 3, 180.0), ("Mia Laurent", "2026-11-23", "single_hop", "right", 1, 160.0),
            ("Mia Laurent", "2026-11-23", "single_hop", "right", 2, 166.0), ("Mia Laurent", "2026-11-23", "single_hop", "right", 3, 163.0)]


def _xlsx(hidden_extra: bool = False) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hops"
    ws.append(HEADER)
    for r in ROWS:
        ws.append(r)
    if hidden_extra:
        hidden = wb.create_sheet("Old data")
        hidden.append(HEADER)
        hidden.append(["Mia Laurent", "Single hop", "2025-01-01", "L", 1, 1, 1])
        hidden.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xls() -> bytes:
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Hops")
    for c, h in enumerate(HEADER):
        ws.write(0, c, h)
    for r, row in enumerate(ROWS, start=1):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _ods() -> bytes:
    buf = io.BytesIO()
    pd.DataFrame(ROWS, columns=HEADER).to_excel(buf, engine="odf", index=False, sheet_name="Hops")
    return buf.getvalue()


def _csv(delimiter: str, encoding: str, bom: bool = False) -> bytes:
    lines = [delimiter.join(HEADER)] + [delimiter.join(str(v) for v in r) for r in ROWS]
    text = "\r\n".join(lines)
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


@pytest.mark.parametrize(("name", "make"), [
    ("hops.xlsx", _xlsx), ("hops.xlsm", _xlsx), ("hops.xls", _xls), ("hops.ods", _ods),
    ("hops.csv", lambda: _csv(",", "utf-8")), ("hops_bom.csv", lambda: _csv(",", "utf-8", bom=True)),
    ("hops_semicolon.csv", lambda: _csv(";", "cp1252")), ("hops_tab.txt", lambda: _csv("\t", "utf-16")),
])
def test_every_container_gives_the_same_rows(name: str, make) -> None:  # noqa: ANN001
    assert _canonical(make(), name) == EXPECTED


def test_hidden_sheets_are_skipped_and_listed() -> None:
    opened = open_file(_xlsx(hidden_extra=True), "hops.xlsx")
    assert [s.name for s in opened.sheets] == ["Hops"]
    assert opened.skipped == ["sheet 'Old data' is hidden: skipped"]


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "empty.csv", "the file is empty (0 bytes)"),
    (b"\x00\x01\x02\x03garbage" * 20, "random.xlsx", "not a readable spreadsheet"),
    (_xlsx()[:300], "truncated.xlsx", "not a readable spreadsheet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "broken.xls", "cannot be opened"),
])
def test_unreadable_files_raise_one_clear_message(data: bytes, name: str, message: str) -> None:
    with pytest.raises(UnreadableFile, match=re.escape(message)):
        open_file(data, name)


def test_utf16_needs_a_bom() -> None:
    data = "Name,Test\nA,B\n".encode("utf-16-le")  # no BOM
    with pytest.raises(UnreadableFile, match="needs a byte-order mark"):
        open_file(data, "x.csv")


@pytest.mark.parametrize(("raw", "text", "encoding"), [
    ("Zoë".encode("utf-8"), "Zoë", "UTF-8"), (b"\xef\xbb\xbfZo\xc3\xab", "Zoë", "UTF-8 with BOM"),
    ("Zoë".encode("cp1252"), "Zoë", "cp1252 (Windows)"), ("Zoë".encode("utf-16"), "Zoë", "UTF-16"),
])
def test_decode_text_keeps_accents(raw: bytes, text: str, encoding: str) -> None:
    assert decode_text(raw) == (text, encoding)


@pytest.mark.parametrize(("text", "delim"), [
    ("a,b,c\n1,2,3\n", ","), ("a;b;c\n1,5;2;3\n", ";"), ("a\tb\n1\t2\n", "\t"),
    ("Date:,03/05/2026\nStart Time:,14:48\n\nPlayer Name,Period Name,Total Distance\nA,Session,100\n", ","),
])
def test_sniff_delimiter(text: str, delim: str) -> None:
    assert sniff_delimiter(text) == delim



NAN = float("nan")


@pytest.mark.parametrize(("rows", "cells"), [
    ([], []),
    ([[], []], []),
    ([["", ""], ["", None]], []),  # nothing but blanks
    ([["a", ""], ["", ""]], [["a"]]),  # empty margins go
    ([["", "x", ""], [0, "", 0.0], ["", "", ""]], [[None, "x", None], [0, None, 0.0]]),  # zeros are values
    ([[False, ""], ["", " "]], [[False, None], [None, " "]]),  # so are False and a space
    ([["a"], ["b", "c", ""]], [["a", None], ["b", "c"]]),  # short rows padded
    ([[NAN, ""], ["", "b"]], [[NAN, None], [None, "b"]]),
    ([["x", NAN], [None, NAN]], [["x"]]),  # a NaN margin goes too
    ([[pd.NA, "", 1]], [[pd.NA, None, 1]]),  # no truth value: still read
])
def test_grid_blanks_become_none_and_empty_margins_go(rows: list[list], cells: list[list]) -> None:
    grid = sources._grid(rows)
    assert all(dtype == object for dtype in grid.dtypes)  # values as read, never inferred
    got = grid.to_numpy().tolist()
    assert len(got) == len(cells) and all(
        len(g) == len(c) and all(a is b or a == b or (a != a and b != b) for a, b in zip(g, c)) for g, c in zip(got, cells))

def test_real_sample_files_are_read(tmp_path: Path) -> None:
    """Every file under ../shared/formats/real (when present) is recognised and loses no row."""
    real = Path(__file__).resolve().parents[3] / "shared" / "formats" / "real"
    if not real.is_dir():
        pytest.skip("shared/formats/real not present")
    for path in sorted(real.iterdir()):
        fr = read_file(path.read_bytes(), path.name)
        assert fr.report.status != "failed", path.name
        for _sheet, read in fr.reads:
            rows = set()
            for df in read.tables.values():
                rows |= set(df["source_row"].dropna().astype(int))
            rows |= {p.row for p in read.rejects if p.row} | set(read.skipped_rows)
            assert rows == set(read.data_rows), path.name
