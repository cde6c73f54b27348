"""Property-based tests of the whole read path: it never crashes and never loses a row.

Every data row of a sheet ends up accepted (a source_row of some canonical row), rejected with a
reason, or deliberately skipped with a reason (rows in = accepted + rejected + skipped, infinities,
NaN text and implausible dates included); importing twice equals importing once.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import store
from lib.ingest.importer import import_files, read_file
from lib.ingest.readers.base import SheetRead
from tests.conftest import forcedecks_csv

MESSY_TEXT = st.sampled_from(["", " ", "DNF", "X", "-", "N/A", "abc", "12,5", "1e3", "=1+1", "NaN", "0", "-3",
                              "inf", "-inf", "1e309", "Infinity"])
NAMES = st.one_of(st.sampled_from(["Jordan Okafor", "  mia  LAURENT ", "Laurent, Mia", "Zoë Ng", "NA", "007", ""]),
                  st.text(min_size=0, max_size=15))
DATES = st.one_of(st.sampled_from(["05/20/2023", "5/3/2023", "2023-05-20", "31/02/2023", "", "yesterday", "45000"]),
                  st.dates().map(lambda d: d.strftime("%m/%d/%Y")))
NUMBERS = st.one_of(st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: f"{f:.2f}"), MESSY_TEXT)
ASYM = st.one_of(st.sampled_from(["9.7 L", "7 R", "0", "12.5", "L", "", "bad"]), NUMBERS)


def accounted_rows(read: SheetRead) -> tuple[set[int], set[int], set[int], set[int]]:
    """(data rows, accepted rows, rejected rows, skipped rows) of one sheet read."""
    accepted: set[int] = set()
    for df in read.tables.values():
        if df is not None and len(df) and "source_row" in df.columns:
            accepted |= {int(r) for r in df["source_row"].dropna()}
    rejected = {p.row for p in read.rejects if p.row is not None}
    return set(read.data_rows), accepted, rejected, set(read.skipped_rows)


def assert_nothing_lost(read: SheetRead) -> None:
    data, accepted, rejected, skipped = accounted_rows(read)
    assert data == accepted | rejected | skipped, (
        f"lost rows: {sorted(data - accepted - rejected - skipped)}; invented: {sorted((accepted | rejected | skipped) - data)}")


forcedecks_rows = st.lists(
    st.tuples(NAMES, DATES, st.sampled_from(["CMJ", "SLJ", "PPU", "cmj", ""]), NUMBERS, ASYM, NUMBERS),
    min_size=1, max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forcedecks_rows)
def test_forcedecks_never_crashes_never_loses_a_row(rows: list[tuple[str, ...]]) -> None:
    data = forcedecks_csv([[n, "", t, d, "8:00 AM", "80", "3", "", jh, asym, ct] for n, d, t, jh, asym, ct in rows])
    fr = read_file(data, "fd.csv")
    assert fr.report.status in ("imported", "failed")
    for _sheet, read in fr.reads:
        assert len(read.data_rows) == len(rows)  # every row has its fixed cells ("8:00 AM", "80", "3")
        assert_nothing_lost(read)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(forcedecks_rows)
def test_importing_twice_equals_importing_once(rows: list[tuple[str, ...]]) -> None:
    data = forcedecks_csv([[n, "", t, d, "8:00 AM", "80", "3", "", jh, asym, ct] for n, d, t, jh, asym, ct in rows])
    with tempfile.TemporaryDirectory() as tmp:
        engine = store.connect(Path(tmp) / "p.sqlite")
        import_files(engine, [("a.csv", data)])
        once = {t: store.read_table(engine, t) for t in ("athletes", "tests")}
        import_files(engine, [("b.csv", data.replace(b"\r\n", b"\n"))])  # same rows, other bytes
        import_files(engine, [("a.csv", data)])  # same bytes
        for t, df in once.items():
            assert store.read_table(engine, t).equals(df)
        store.dispose_all()


# ------------------------------------------------------------- every format, messy cells

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
CSV_SAMPLES = ["forcedecks_cmj.csv", "nordbord.csv", "statsports_drills.csv", "catapult_match_2026-11-21.csv",
               "wellness.csv"]
TOKENS = st.sampled_from(["", "DNF", "X", "-", "N/A", "abc", "12,5", "-3", "0", "1e9", "31/02/2026", "=1+1",
                          "  spaced  name ", "007", "NA", "9.7 L", "25:61:00", "\u00e9\u00e8", "inf", "-Infinity",
                          "1e309", "NaN", "1900-01-01", "9999-12-31"])


def _mutated_csv(name: str, mutations: list[tuple[int, int, str]], keep_rows: int = 40) -> bytes:
    import csv
    import io

    raw = (SAMPLE / name).read_bytes()
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[:keep_rows]
    header_at = next(i for i, r in enumerate(rows) if len(r) > 3)  # below Catapult's preamble
    for r, c, token in mutations:
        row = header_at + 1 + r % max(1, len(rows) - header_at - 1)
        if row < len(rows) and rows[row]:
            rows[row][c % len(rows[row])] = token
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("name", CSV_SAMPLES)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 40), TOKENS), max_size=15))
def test_every_format_survives_messy_cells_and_loses_no_row(name: str, mutations: list[tuple[int, int, str]]) -> None:
    fr = read_file(_mutated_csv(name, mutations), name)
    for _sheet, read in fr.reads:
        assert_nothing_lost(read)
        for df in read.tables.values():  # and nothing infinite reaches a table
            numbers = df.select_dtypes("number") if df is not None else None
            assert numbers is None or not np.isinf(numbers.to_numpy(dtype=float, na_value=np.nan)).any()
