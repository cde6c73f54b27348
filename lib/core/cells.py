"""How our files write a cell: formula injection neutralised, headers with their units.

Formula injection (OWASP "CSV injection"): text that starts with `=`, `+`, `-`, `@`, tab or CR is
written with a leading apostrophe, in CSV and XLSX alike. Text that already starts with an
apostrophe gets a second one, so that `unescape_cell` gives back exactly the original text: our
own importer (lib.ingest.readers.template) calls it on every cell of our exports. Numbers are
never touched (a negative number stays a number).
"""

from __future__ import annotations

import pandas as pd

from lib.core.names import BOARD  # noqa: F401 - cells.BOARD for every caller
from lib.core.schema import TABLES

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"

BOARD_UNITS = {"days_since_injury": "days"}
# what a cell that holds no value is written as in the exports we read
MISSING_TOKENS = {"", "na", "n/a", "nan", "none", "null", "-", "--", "—", "x", "dnf", "dns", "dnc",
                  "inj", "injured", "#n/a", "#value!", "#div/0!", "#ref!", "?"}


def escape_cell(value: object) -> object:
    """Text a spreadsheet could run as a formula gets a leading apostrophe; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS + (ESCAPE,)):
        return ESCAPE + value
    return value


def unescape_cell(value: object) -> object:
    """The inverse of `escape_cell`, for our importer: `'=1+1` -> `=1+1`, `''x` -> `'x`; other values as they are."""
    if isinstance(value, str) and len(value) > 1 and value[0] == ESCAPE and value[1] in FORMULA_TRIGGERS + (ESCAPE,):
        return value[1:]
    return value


def header_label(table: str, column: str) -> str:
    """Header of a workbook column: the canonical name with its unit, `hsr_distance_m (m)`."""
    unit = ""
    if table in TABLES and column in TABLES[table].column_names:
        unit = TABLES[table].column(column).unit
    elif table == BOARD:
        unit = BOARD_UNITS.get(column, "")
    return f"{column} ({unit})" if unit else column


def neutralise(df: pd.DataFrame, csv: bool = False) -> pd.DataFrame:
    """A copy of `df` whose text cells are escaped (`escape_cell`); numeric and date columns untouched.

    `csv`: a carriage return inside a cell also becomes a line feed. Python's CSV writer quotes a
    cell holding its line terminator (`\n`) but not a bare CR, which many readers take as the end
    of the row: the cell's rest would start the next row, unescaped (`x\r=HYPERLINK(...)`).
    """
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        values = series.tolist()
        if any(isinstance(v, str) and (v.startswith(FORMULA_TRIGGERS + (ESCAPE,)) or (csv and "\r" in v))
               for v in values):
            dtype = series.dtype if isinstance(series.dtype, pd.StringDtype) else object
            cells = [escape_cell(v) for v in values]
            if csv:
                cells = [v.replace("\r\n", "\n").replace("\r", "\n") if isinstance(v, str) else v for v in cells]
            out[col] = pd.Series(cells, index=series.index, dtype=dtype)
    return out
