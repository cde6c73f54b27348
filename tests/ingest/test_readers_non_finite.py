"""Infinity and NaN in every reader: `inf`, `-inf`, `1e309`, `Infinity` and `NaN` text (and float
infinities from a workbook's numeric cells) are rejected cells naming file, sheet, row, column and
value; the other rows of the file land exactly as they do without the bad cells; nothing infinite
reaches a table, and a store that already holds one reads it as missing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from lib import store
from lib.ingest.importer import FileRead, import_files, read_file
from lib.ingest.normalize import is_non_finite, parse_asymmetry, parse_duration_min, parse_numbers
from lib.ingest.readers import read_sheet
from lib.ingest.readers.base import Detection, ReadContext, SheetRead
from lib.ingest.sources import Sheet
from lib.ingest.template import template_workbook
from lib.core.settings import defaults
from tests.ingest.test_properties import assert_nothing_lost

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_data"
WORDS = ["inf", "-inf", "1e309", "Infinity", "NaN"]
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


def _with_word_csv(data: bytes, word: str) -> tuple[bytes, int]:
    """The CSV with every number of its first data row replaced by `word`, and that row (1-based)."""
    text = data.decode("utf-8-sig")
    delim = ";" if text.count(";") > text.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    header = next(i for i, r in enumerate(rows) if len([c for c in r if c]) > 3)
    target = header + 1
    rows[target] = [word if _DECIMAL.match(c.strip()) and "." in c or (c.strip().isdigit() and len(c.strip()) <= 3)
                    else c for c in rows[target]]
    out = io.StringIO()
    csv.writer(out, delimiter=delim, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(), target + 1


def _with_word_xlsx(data: bytes, word: str, sheet: str | None = None) -> tuple[bytes, int]:
    """The workbook with every number of the first data row of its first (or named) sheet replaced
    by the text `word`."""
    wb = openpyxl.load_workbook(io.BytesIO(data))  # our own sample bytes, in a test
    ws = wb[sheet] if sheet else wb.worksheets[0]
    for row in ws.iter_rows(min_row=2):
        numbers = [c for c in row if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)]
        if numbers:
            for c in numbers:
                c.value = word
            target = row[0].row
            break
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), target


def _template_with_values() -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    ws = wb["tests"]
    header = [c.value for c in ws[1]]
    ws.delete_rows(2, ws.max_row)
    row = dict.fromkeys(header)
    row.update(name="Mia Laurent", date=dt.datetime(2026, 11, 23), test="cmj", metric="jump_height", side="both",
               unit="cm", device="ForceDecks")
    for trial, value in enumerate([31.5, 32.0, 30.5], start=1):
        ws.append([{**row, "trial": trial, "value": value}[h] for h in header])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _accepted(fr: FileRead, skip_row: int) -> list[tuple]:
    """(sheet, table, source row, every value) of each accepted row outside `skip_row`."""
    out = []
    for sheet, read in fr.reads:
        for table, df in read.tables.items():
            if df is None or df.empty:
                continue
            for rec in df[df["source_row"] != skip_row].astype(str).itertuples(index=False):
                out.append((sheet, table, *rec))
    return sorted(out)


def _infinities(fr: FileRead) -> int:
    return sum(int(np.isinf(pd.to_numeric(df[c], errors="coerce").astype("float64")).sum())
               for _s, read in fr.reads for df in read.tables.values() if df is not None
               for c in df.columns if df[c].dtype.kind in "fiO" or str(df[c].dtype) in ("Float64", "Int64"))


FILES = {
    **{p.name: (lambda p=p: p.read_bytes()) for p in sorted(SAMPLES.glob("*.csv"))},
    "hop_tests.xlsx": lambda: (SAMPLES / "hop_tests.xlsx").read_bytes(),
    "template.xlsx": _template_with_values,
}


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("name", sorted(FILES))
def test_every_reader_rejects_non_finite_numbers_and_keeps_the_rest(name: str, word: str) -> None:
    clean = FILES[name]()
    if name.endswith(".xlsx"):
        sheet = "tests" if name == "template.xlsx" else None
        data, row = _with_word_xlsx(clean, word, sheet)
    else:
        data, row = _with_word_csv(clean, word)
    fr = read_file(data, name)
    assert fr.report.status == "imported", fr.report.text()
    rejects = [p for _s, read in fr.reads for p in read.rejects if p.row == row and "finite" in p.problem]
    assert rejects, [p for _s, read in fr.reads for p in read.rejects][:5]
    for p in rejects:
        assert (p.file, p.value) == (name, word) and p.column, p
        assert "not a finite number (infinity or NaN)" in p.problem
    assert _infinities(fr) == 0
    for _s, read in fr.reads:
        assert_nothing_lost(read)
    # every other row lands exactly as without the bad cells
    assert _accepted(fr, row) == _accepted(read_file(clean, name), row)


def test_numeric_infinity_cells_in_a_workbook_are_rejected() -> None:
    """A numeric cell holding 1E+309 (no spreadsheet program writes one; a crafted file can) is read
    by calamine as a float infinity and rejected like the text."""
    data, row = _with_word_xlsx((SAMPLES / "hop_tests.xlsx").read_bytes(), "__INF__")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet, n = re.subn(rf'<c r="([A-Z]+{row})" t="inlineStr"><is><t>__INF__</t></is></c>',
                       r'<c r="\1"><v>1E+309</v></c>', sheet)
    assert n == 3
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, part in parts.items():
            z.writestr(n, part)
    fr = read_file(buf.getvalue(), "hops.xlsx")
    rejects = [p for _s, read in fr.reads for p in read.rejects if p.row == row and "finite" in p.problem]
    assert len(rejects) == 3 and {p.column for p in rejects} == {"Trial 1", "Trial 2", "Trial 3"}
    assert {p.value for p in rejects} == {"inf"}
    assert _infinities(fr) == 0


@pytest.mark.parametrize(("cell", "value", "rejected"), [
    ("inf", None, True), ("-inf", None, True), ("+Infinity", None, True), ("1e309", None, True),
    ("-1E+400", None, True), ("NaN", None, True), ("nan", None, True), (float("inf"), None, True),
    (float("-inf"), None, True), ("12.5", 12.5, False), ("1e3", 1000.0, False), ("", None, False),
    (None, None, False), (7, 7.0, False), ("DNF", None, True),
])
def test_parse_numbers_rejects_non_finite(cell: object, value: float | None, rejected: bool) -> None:
    for decimal_comma in (False, True):
        got, bad = parse_numbers(pd.Series([cell, "1"], dtype=object), decimal_comma)
        assert bool(bad.iloc[0]) is rejected and not bad.iloc[1]
        assert (pd.isna(got.iloc[0]) if value is None else got.iloc[0] == value)


def test_asymmetry_and_duration_reject_non_finite() -> None:
    mags, _sides, bad = parse_asymmetry(pd.Series([float("inf"), "9.7 L", "inf"], dtype=object))
    assert bad.tolist() == [True, False, True] and mags.iloc[1] == 9.7 and mags.isna().tolist() == [True, False, True]
    minutes, bad = parse_duration_min(pd.Series(["inf", "1e309", float("inf"), "NaN", "90"], dtype=object))
    assert bad.tolist() == [True, True, True, True, False] and minutes.iloc[4] == 90


@pytest.mark.parametrize(("cell", "expected"), [
    ("inf", True), (" -Infinity ", True), ("1e309", True), ("NaN", True), (float("inf"), True),
    (float("nan"), False), (None, False), ("", False), ("12", False), (1e308, False), (True, False),
])
def test_is_non_finite(cell: object, expected: bool) -> None:
    assert is_non_finite(cell) is expected


class _Leaky:
    """A reader that parses its numbers some other way and lets an infinity through."""

    NAME = "leaky"

    @staticmethod
    def read(sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
        tests = pd.DataFrame({"athlete_name": ["A", "A"], "date": [pd.Timestamp("2026-11-23")] * 2,
                              "test": ["cmj", "cmj"], "metric": ["jump_height"] * 2, "side": ["both"] * 2,
                              "trial": [1, 2], "value": [float("inf"), 31.0], "unit": ["cm"] * 2,
                              "source_row": [2, 3]})
        sessions = pd.DataFrame({"athlete_name": ["A"], "date": [pd.Timestamp("2026-11-23")], "session": ["S"],
                                 "total_distance_m": [float("-inf")], "max_speed_ms": [8.1], "source_row": [4]})
        return SheetRead("leaky", {"tests": tests, "sessions": sessions}, data_rows=[2, 3, 4])


def test_backstop_drops_infinities_any_reader_lets_through() -> None:
    """The check every read passes (`read_sheet`): a required value rejects its row, an optional one
    is left empty with the rest of the row kept; each is listed."""
    ctx = ReadContext("leaky.csv", "")
    read = read_sheet(_Leaky, Sheet("leaky.csv", "", pd.DataFrame([[1]])), Detection("leaky", 1, 0), ctx)
    assert read.tables["tests"]["value"].tolist() == [31.0]
    assert read.tables["sessions"]["max_speed_ms"].tolist() == [8.1]
    assert pd.isna(read.tables["sessions"]["total_distance_m"].iloc[0])
    assert [(p.row, p.column, p.value) for p in read.rejects] == [(2, "value", "inf"),
                                                                  (4, "total_distance_m", "-inf")]
    assert_nothing_lost(read)


def test_infinity_already_in_the_store_reads_as_missing(engine: Engine) -> None:
    """A store written by an older version that let `inf` through: every read (board, athlete and data
    pages, PDF, exports all read through `store.read_table`) sees no measurement there (the row of a
    required value is left out; an optional value reads as empty)."""
    import_files(engine, [("good.csv", (SAMPLES / "forcedecks_cmj.csv").read_bytes())])
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE tests SET value = 9e999 WHERE row_id IN (SELECT min(row_id) FROM tests)")
        conn.exec_driver_sql("UPDATE tests SET value = -9e999 WHERE row_id IN (SELECT max(row_id) FROM tests)")
        raw = conn.exec_driver_sql("SELECT count(*) FROM tests WHERE value > 1e308 OR value < -1e308").scalar()
    assert raw == 2  # really stored as infinities
    tests = store.read_table(engine, "tests", provenance=True)
    with engine.connect() as conn:
        finite = conn.exec_driver_sql("SELECT row_id FROM tests WHERE value BETWEEN -1e308 AND 1e308 "
                                      "AND superseded_by IS NULL ORDER BY row_id").scalars().all()
    assert tests["row_id"].tolist() == finite and len(finite) > 0
    assert not np.isinf(tests["value"].astype("float64")).any()


def test_board_and_pdfs_survive_infinities_left_in_the_store(tmp_path: Path) -> None:
    """The demo team with an infinity in every kind of stored number (tests, sessions, wellness), as
    an older version could have written: the board, its PDF and an athlete's PDF still build, and
    the poisoned athlete's measurements read as missing, not as infinite."""
    from lib.ingest.demo import load_demo
    from lib.readiness import Data, readiness_board
    from lib.reports import athlete_pdf, board_pdf

    engine = store.connect(tmp_path / "demo.sqlite")
    load_demo(engine)
    with engine.begin() as conn:
        for table, column in (("tests", "value"), ("sessions", "hsr_distance_m"), ("sessions", "total_distance_m"),
                              ("wellness", "value")):
            conn.exec_driver_sql(f"UPDATE {table} SET {column} = 9e999 WHERE athlete_id = 'RTS014'")
    data = Data.from_store(engine)
    day = pd.Timestamp("2026-11-23")
    board = readiness_board(data, day, defaults())
    assert "Kwame Asante" in set(board["name"]) and len(board) == len(data.athletes)
    assert board_pdf(data, day.date(), defaults())[:4] == b"%PDF"
    assert athlete_pdf(data, "RTS014", day.date(), defaults())[:4] == b"%PDF"
    assert not (data.tests["athlete_id"] == "RTS014").any() and not (data.wellness["athlete_id"] == "RTS014").any()
    kwame = data.sessions[data.sessions["athlete_id"] == "RTS014"]
    assert len(kwame) and kwame["hsr_distance_m"].isna().all() and kwame["total_distance_m"].isna().all()
    store.dispose_all()
