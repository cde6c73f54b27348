"""A header over two rows: a group row (`CMJ`, `Left`, `SL CMJ Right`) above a row of metric names.

Force-plate summaries and coach-made strength sheets group metric columns under a test or a side,
usually in merged cells: calamine gives a merged cell as its value followed by empties, so a group
is carried right over the columns below it until the next group (or an identity column). Each
grouped column becomes one header, the group's words before the metric's (`Left` over `Max Force
(N)` -> `Left Max Force (N)`; `CMJ` over `Jump Height (cm)` -> `CMJ Jump Height (cm)`), which is the
form the readers know (NordBord's `L Max Force`, Hawkin's `Left Avg. Braking Force`, ForceDecks'
side and test words, see `forcedecks.metric_of`). Identity headers may sit in either row (a `Name`
merged down over both is a value above a blank). The folded sheet has the combined header in the
metric row and a blank group row, so no reader can take the group row for data.

The other way up, a metric merged over its `L`/`R` pair, is written side first too (`L Max Force (N)`).
Hop sheets' limb labels over trial numbers are `hop_header`'s: limb labels with trial numbers under
the groups are not a group header here.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.ingest.normalize import split_header
from lib.ingest.readers.base import SCAN_ROWS, athlete_columns
from lib.ingest.readers.hop_header import header_token
from lib.ingest.readers.hop_words import _key, blank, limb_label
from lib.ingest.sources import Sheet

MIN_GROUPED = 2  # grouped metric columns needed before a row counts as a group row
_DATE_LIKE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")  # `03/03/2026` over columns: dates across (hop sheets)
# a cell a header never is: a number, a time, an asymmetry (`9.7 L`), as a CSV's data row writes them in text
_VALUE_LIKE = re.compile(r"^[-+]?\d+(?:[.,:]\d+)*\s*(?:[LlRr%]|[AaPp]\.?[Mm]\.?)?$")


@dataclass(frozen=True)
class GroupHeader:
    """Where the two header rows are (0-based: the group row is `row - 1`), one combined header a
    column, and the group of each grouped column."""

    row: int
    labels: tuple[object, ...]
    groups: dict[int, str]

    def note(self) -> str:
        """The import report's sentence on the fold."""
        named = list(dict.fromkeys(self.groups.values()))
        first = min(self.groups)
        return (f"rows {self.row} and {self.row + 1} are one header: the group row ({', '.join(repr(g) for g in named)}) "
                f"is joined to the metric names under it (e.g. '{self.labels[first]}')")


def _text(value: object) -> str | None:
    """A header cell's text, or None when the cell is not text (a number, a date: a data cell)."""
    if blank(value) or not isinstance(value, str):
        return None
    return value.strip()


def group_header(cells: pd.DataFrame, row: int) -> GroupHeader | None:
    """The header of rows `row - 1` (groups) and `row` (metric names) combined, or None when they are
    not one: both rows hold only text, and no number, time or date in the lower; a group spans several
    columns or one metric name sits under two groups; the athlete column is headed in one row only (a title merged
    over the whole width, athlete column included, is a title, not a group); at least `MIN_GROUPED`
    metric columns sit under a group; and no trial number sits under a group (a hop sheet's header)."""
    if row < 1 or row >= len(cells):
        return None
    up, low = cells.iloc[row - 1].tolist(), cells.iloc[row].tolist()
    if any(not blank(v) and _text(v) is None for v in (*up, *low)):
        return None
    if any(isinstance(v, str) and (_VALUE_LIKE.match(v.strip()) or _DATE_LIKE.search(v)) for v in low):
        return None  # a data row under a header row (in a CSV every cell is text)
    width = len(low)
    upper = [_text(v) for v in up]
    lower = [_text(v) for v in low]
    alone = [lower[c] if lower[c] is not None else upper[c] if upper[c] is not None else "" for c in range(width)]
    who = athlete_columns([split_header(h)[0] if h else "" for h in alone], alone)
    if who is None or (upper[who.name] is None) == (lower[who.name] is None):
        return None
    groups: dict[int, str] = {}
    current: str | None = None
    for c in range(width):
        if upper[c] is not None:
            current = upper[c] if lower[c] is not None else None  # a header merged down over both rows ends a group
        elif lower[c] is None or c == who.name:
            current = None
        if current is not None and lower[c] is not None:
            groups[c] = current
    if len(groups) < MIN_GROUPED or any(_DATE_LIKE.search(g) for g in groups.values()):
        return None
    carried = any(upper[c] is None for c in groups)  # a merged group over several columns
    repeated = len({lower[c] for c in groups}) < len(groups)  # one metric under two groups (`Left`, `Right`)
    if not (carried or repeated):
        return None  # a header row over a row of text: nothing says the upper row groups the lower
    sides = all(header_token(lower[c]) for c in groups)
    if sides and any(limb_label(_key(lower[c])) in (None, (None, None)) or limb_label(_key(lower[c]))[1] is not None
                     for c in groups):
        return None  # trial numbers under limbs: a hop sheet's stacked header (`hop_header`)
    # a metric over `Left`/`Right` is written side first too, as the readers know it: `Left Max Force (N)`
    labels = tuple((f"{lower[c]} {groups[c]}" if sides else f"{groups[c]} {lower[c]}") if c in groups
                   else (alone[c] or None) for c in range(width))
    return GroupHeader(row, labels, groups)


def find_group_header(sheet: Sheet) -> GroupHeader | None:
    """The first two-row group header in the sheet's first `SCAN_ROWS` rows, or None."""
    head = sheet.cells.iloc[:SCAN_ROWS]
    if head.shape[1] < MIN_GROUPED + 1:
        return None
    texts = head.map(lambda v: isinstance(v, str) and bool(v.strip())).to_numpy()
    for r in range(1, len(head)):
        if texts[r - 1].sum() and texts[r].sum() >= MIN_GROUPED + 1:
            found = group_header(head, r)
            if found is not None:
                return found
    return None


def folded(sheet: Sheet, header: GroupHeader) -> Sheet:
    """`sheet` with the combined header in the metric row and its group row blank."""
    values = sheet.cells.to_numpy(dtype=object, copy=True)
    values[header.row - 1, :] = None
    values[header.row, :] = np.array(header.labels, dtype=object)
    cells = pd.DataFrame(values, index=sheet.cells.index, columns=sheet.cells.columns)
    return dataclasses.replace(sheet, cells=cells)


def fold_group_header(sheet: Sheet) -> tuple[Sheet, GroupHeader | None]:
    """(the sheet with its two-row group header folded into one row, the header) or (sheet, None)."""
    found = find_group_header(sheet)
    return (sheet, None) if found is None else (folded(sheet, found), found)
