"""A hop sheet's header over several rows: merged limb labels over a row of trial numbers.

Coaches write `Left` merged over three columns with `1 2 3` (or `Trial 1`, `T2`) in the row below,
sometimes under a test title merged over them all (`Single hop (cm)`). Calamine gives a merged
cell as its value followed by empties, so each level is carried right over the span its parent
and its children cover, and every column gets one label (`Left 1`) plus the titles above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from lib.ingest.readers.hop_words import _key, blank, limb_label

MAX_SUB_ROWS = 2  # rows under the top header row that may complete it (limb labels, trial numbers)


@dataclass
class StackedHeader:
    """One label per column, the rows the header spans, and the titles above a column (`Single hop (cm)`)."""

    labels: list[object]
    rows: int = 1
    titles: dict[int, list[str]] = field(default_factory=dict)


def header_token(value: object) -> bool:
    """True for a limb label or trial number as a header writes it: `L`, `Right`, `Inv`, `2`, `Trial 3`, `T1`."""
    if blank(value) or isinstance(value, bool):
        return False
    if isinstance(value, float):
        if not value.is_integer():
            return False
        value = int(value)
    return limb_label(_key(str(value))) is not None


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def stacked_header(cells: pd.DataFrame, r: int, anchor: int | None = None) -> StackedHeader:
    """The header of row `r` completed by the rows under it that hold only limb labels and trial
    numbers (at most `MAX_SUB_ROWS`); `anchor` is a column that must be blank in such a row (the
    athlete column: a data row names an athlete there)."""
    top = cells.iloc[r].tolist()
    below: list[list[object]] = []
    for t in range(r + 1, min(r + 1 + MAX_SUB_ROWS, len(cells))):
        row = cells.iloc[t].tolist()
        filled = [c for c, v in enumerate(row) if not blank(v)]
        if len(filled) < 2 or not all(header_token(row[c]) for c in filled):
            break
        if anchor is not None and anchor < len(row) and not blank(row[anchor]):
            break
        below.append(row)
    if not below:
        return StackedHeader(top)
    levels = [top, *below]
    width = len(top)
    own = [[not blank(level[c]) for c in range(width)] for level in levels]
    spans = [[None] * width for _ in levels]
    for k, level in enumerate(levels):
        last = None
        for c in range(width):
            deeper = any(own[j][c] for j in range(k + 1, len(levels)))
            if own[k][c]:
                last = level[c]
                spans[k][c] = last
            elif last is not None and deeper and (k == 0 or (spans[k - 1][c] is not None and not own[k - 1][c])):
                spans[k][c] = last  # inside a merged cell: its parent's span goes on, a child sits below
            else:
                last = None
    labels: list[object] = []
    titles: dict[int, list[str]] = {}
    for c in range(width):
        if not any(own[j][c] for j in range(1, len(levels))):
            labels.append(top[c])
            continue
        parts = [spans[k][c] for k in range(len(levels)) if spans[k][c] is not None]
        labels.append(" ".join(_text(p) for p in parts if header_token(p)))
        named = [_text(p) for p in parts if not header_token(p)]
        if named:
            titles[c] = named
    return StackedHeader(labels, 1 + len(below), titles)
