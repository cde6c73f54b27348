"""What a reader returns: one sheet's tables, its rejected cells (file, sheet, row, column, value, problem), its notes."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from lib.core.errors import ReturnToSpeedError


@dataclass
class Problem:
    """One rejected row or cell, or a remark on a column."""

    file: str
    sheet: str
    row: int | None  # 1-based row of the sheet, None for file- or column-level problems
    column: str
    value: str
    problem: str

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "value": self.value, "problem": self.problem}


@dataclass
class Detection:
    """A reader's claim on a sheet: how sure it is and where the header row is (0-based)."""

    reader: str
    score: float
    header_row: int
    info: dict[str, object] = field(default_factory=dict)


@dataclass
class ReadContext:
    """Settings that shape one read."""

    file: str
    sheet: str
    date_order: str = "auto"  # auto, dmy, mdy
    decimal_comma: bool = False
    time_zone: str = "UTC"  # the club's zone: UTC instants (`...Z`, Unix time, `Date UTC`) get its local date


@dataclass
class SheetRead:
    """The rows a reader produced for each table, and everything it had to say."""

    format: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rejects: list[Problem] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    data_rows: list[int] = field(default_factory=list)  # every 1-based data row the reader saw
    # rows deliberately not imported, with the reason (drill rows inside an `Entire Session` row,
    # excluded trials, summary rows): every data row is accepted, rejected or listed here
    skipped_rows: dict[int, str] = field(default_factory=dict)
    # the sheet's non-empty columns (header or values, `lib.ingest.readers.sheet_columns`), filled by
    # `read_sheet`: with `unknown_columns`, how much of the sheet this read explains
    columns: int = 0

    @property
    def explained(self) -> int:
        """How many of the sheet's non-empty columns the read explains (read, or known and set aside)."""
        return max(0, self.columns - len(self.unknown_columns))


class DuplicateHeader(ReturnToSpeedError):
    """A column a reader needs is headed like another column that holds different values."""


def column_letter(index: int) -> str:
    """Spreadsheet letters of a 0-based column: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
