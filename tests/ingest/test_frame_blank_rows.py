"""A sheet's blank rows (issue 15, the CSV import): `Frame` finds them column by column on the rows
still blank, which must be exactly `pd.isna(values).all(axis=1)` for every kind of cell a reader may
give (None, NaN, NaT, pd.NA, a decimal NaN, and the falsy values that are not blank: '', 0, False)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.ingest.readers.base import Frame, _blank_rows
from lib.ingest.sheets import Sheet

CELLS = [None, np.nan, float("nan"), pd.NaT, np.datetime64("NaT"), pd.NA, Decimal("NaN"), "", " ", "x", 0, 0.0,
         False, 1.5, dt.datetime(2026, 1, 5), pd.Timestamp("2026-01-05"), Decimal("1.2")]


def grid(rows: list[list[object]], width: int) -> np.ndarray:
    values = np.empty((len(rows), width), dtype=object)
    for i, r in enumerate(rows):
        values[i, :] = r
    return values


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 6).flatmap(lambda w: st.tuples(st.just(w), st.lists(
    st.lists(st.sampled_from(range(len(CELLS))), min_size=w, max_size=w), max_size=12))))
def test_the_blank_rows_are_those_pd_isna_finds_blank_in_every_column(shape: tuple[int, list[list[int]]]) -> None:
    width, picks = shape
    values = grid([[CELLS[k] for k in r] for r in picks], width)
    assert _blank_rows(values).tolist() == pd.isna(values).all(axis=1).tolist()


@pytest.mark.parametrize("values", [
    np.empty((0, 3), dtype=object), np.empty((4, 0), dtype=object),
    np.array([[1.0, np.nan], [np.nan, np.nan], [np.nan, 2.0]]),  # a float grid, not object
    np.array([["2026-01-01", "NaT"], ["NaT", "NaT"]], dtype="datetime64[D]"),
])
def test_empty_and_typed_grids(values: np.ndarray) -> None:
    assert _blank_rows(values).tolist() == pd.isna(values).all(axis=1).tolist()


def test_a_frame_drops_the_blank_rows_and_keeps_the_row_numbers() -> None:
    cells = pd.DataFrame(grid([["Athlete", "Date", "Max speed"], ["A", "2026-01-05", "9.1"], [None, None, None],
                               [None, "2026-01-06", None], [np.nan, pd.NaT, None], ["", None, None],
                               ["B", None, "8.9"]], 3), dtype=object)
    frame = Frame(Sheet("t.csv", "", cells), 0)
    assert frame.rows == [2, 4, 6, 7]
    assert frame.data.iloc[:, 0].tolist() == ["A", None, "", "B"]
