"""Duplicate column headers in every reader's own layout: identical copies are read once and said
so; two columns under one header with different values are never silently one or the other."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from lib.ingest.importer import read_file
from lib.ingest.readers.base import column_letter
from tests.ingest.test_properties import assert_nothing_lost

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"


def _with_copy(name: str, header: str, change: bool) -> tuple[bytes, str]:
    """The sample CSV with a copy of its column `header` appended (changed by +1 when `change`), and
    that copy's column letter."""
    text = (SAMPLES / name).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    top = next(i for i, r in enumerate(rows) if header in r)  # a Catapult export has lines above its header
    at = rows[top].index(header)
    out = rows[:top] + [rows[top] + [header]]
    for r in rows[top + 1:]:
        value = r[at]
        if change:
            try:
                value = f"{float(value) + 1:g}"
            except ValueError:
                value = value + "x"
        out.append(r + [value])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(out)
    return buf.getvalue().encode(), column_letter(len(rows[top]))


CASES = [  # sample, a metric column it reads, the metric, the table
    ("forcedecks_cmj.csv", "Jump Height (Imp-Mom) [cm] ", "tests"),
    ("nordbord.csv", "L Max Force (N)", "tests"),
    ("statsports_drills.csv", "Max Speed", "sessions"),
    ("catapult_match_2026-11-14.csv", "Total Distance", "sessions"),
]


@pytest.mark.parametrize(("name", "header", "table"), CASES)
def test_identical_copy_is_read_once_and_reported(name: str, header: str, table: str) -> None:
    data, letter = _with_copy(name, header, change=False)
    fr, clean = read_file(data, name), read_file((SAMPLES / name).read_bytes(), name)
    [(_s, read)] = fr.reads
    [(_s, plain)] = clean.reads
    assert any(f"heads columns" in a and a.endswith(f"and {letter} with the same values: read once")
               for a in read.assumptions), read.assumptions
    assert read.tables[table].drop(columns="source_row").equals(plain.tables[table].drop(columns="source_row"))
    assert header.strip() not in read.unknown_columns


@pytest.mark.parametrize(("name", "header", "table"), CASES)
def test_differing_copies_are_neither_read(name: str, header: str, table: str) -> None:
    data, letter = _with_copy(name, header, change=True)
    fr = read_file(data, name)
    text = "\n".join([*fr.report.skipped, *(a for _s, r in fr.reads for a in r.assumptions)])
    assert f"the header '{header.strip()}' heads columns " in text and f"and {letter}, which hold different values" in text
    assert "neither was read" in text
    clean = read_file((SAMPLES / name).read_bytes(), name)
    for (_s, read), (_s2, plain) in zip(fr.reads, clean.reads):
        assert len(read.tables[table]) <= len(plain.tables[table])  # that column's values are missing, never the copy's
        assert_nothing_lost(read)


def test_a_needed_column_duplicated_with_different_values_skips_the_sheet() -> None:
    data, letter = _with_copy("forcedecks_cmj.csv", "Name", change=True)
    fr = read_file(data, "fd.csv")
    assert fr.report.status == "failed"
    assert f"the header 'Name' heads columns A and {letter}, which hold different values: neither was read" in fr.report.message


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (701, "ZZ"), (702, "AAA")])
def test_column_letter(index: int, letters: str) -> None:
    assert column_letter(index) == letters
