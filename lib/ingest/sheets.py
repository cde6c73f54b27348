"""An opened file as raw sheets: grids of cells, with the rows that could not be split and the formulas without values."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


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
