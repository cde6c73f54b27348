"""What the force-plate and dynamometer readers share: trial order from the time of day, the side
of a bare asymmetry from its left/right pair, and accounting for rows with no metric value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.ingest.normalize import parse_asymmetry, parse_numbers
from lib.ingest.readers.base import (
    Frame,
    ReadContext,
    SheetRead,
    reject_rows,
)
from lib.core.schema import METRICS


@dataclass
class AsymmetryColumn:
    """An asymmetry column without a usable side: the side comes from its left/right pair."""

    index: int
    metric: str
    left: int | None  # column of the left value the asymmetry compares
    right: int | None


def asymmetry_rows(frame: Frame, out: SheetRead, ctx: ReadContext, base: pd.DataFrame, ok: pd.Series,
                   col: AsymmetryColumn, decimal_comma: bool = False) -> pd.DataFrame:
    """`tests` rows of one asymmetry column: magnitude, side from the cell (`9.7 L`) or else from
    the larger of its left/right pair, 'both' when they are equal or one is missing."""
    raw = frame.col(col.index)
    values, cell_sides, bad = parse_asymmetry(raw)
    reject_rows(out, ctx, frame, bad & ok, frame.header(col.index), raw,
                "not a number: value rejected, rest of the row kept")
    side = cell_sides.fillna(larger_side(frame, col.left, col.right, decimal_comma))
    keep = ok & values.notna() & ~bad
    if not keep.any():
        return pd.DataFrame()
    part = base.loc[keep].copy()
    part["metric"] = col.metric
    part["side"] = side[keep].to_numpy()
    part["value"] = values[keep].to_numpy()
    part["unit"] = METRICS[col.metric]
    part["source_row"] = np.asarray(frame.rows)[keep.to_numpy()]
    return part


def larger_side(frame: Frame, left: int | None, right: int | None, decimal_comma: bool = False) -> pd.Series:
    """'left', 'right' or 'both' per row: the side whose value is larger."""
    if left is None or right is None:
        return pd.Series(["both"] * len(frame), dtype="string")
    lv, _ = parse_numbers(frame.col(left), decimal_comma)
    rv, _ = parse_numbers(frame.col(right), decimal_comma)
    side = np.where(lv > rv, "left", np.where(rv > lv, "right", "both"))
    return pd.Series(side, dtype="string")


# ------------------------------------------------------------------------ shared row helpers

def text_column(frame: Frame, index: int | None) -> pd.Series:
    """A column as stripped strings, blank cells as NA (all NA when the column is absent)."""
    if index is None:
        return pd.Series([pd.NA] * len(frame), dtype="string")
    return frame.col(index).astype("string").str.strip().replace("", pd.NA)


_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp]\.?[Mm]\.?)?\s*$")


def minutes_of_day(values: pd.Series) -> pd.Series:
    """Minutes after midnight of `1:48 PM`, `13:48`, `10:32:15 AM` or time cells; NaN when unreadable."""
    out: list[float] = []
    for v in values.tolist():
        if isinstance(v, dt.datetime):
            out.append(v.hour * 60 + v.minute + v.second / 60)
            continue
        if isinstance(v, dt.time):
            out.append(v.hour * 60 + v.minute + v.second / 60)
            continue
        m = _TIME.match(str(v)) if v is not None else None
        if not m:
            out.append(np.nan)
            continue
        hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if m.group(4):
            hour = hour % 12 + (12 if m.group(4).lower().startswith("p") else 0)
        out.append(hour * 60 + minute + second / 60)
    return pd.Series(out, index=values.index, dtype="float64")


def clock_text(minutes: pd.Series) -> pd.Series:
    """`HH:MM` (`HH:MM:SS` when the seconds are known) of minutes after midnight; None when unknown.
    Stored as `tests.time`: the importer tells a later same-day export's trials from the earlier ones."""
    out = []
    for m in minutes.to_numpy(dtype="float64"):
        if np.isnan(m):
            out.append(None)
            continue
        seconds = int(round(m * 60)) % 86400
        h, rest = divmod(seconds, 3600)
        mm, ss = divmod(rest, 60)
        out.append(f"{h:02d}:{mm:02d}:{ss:02d}" if ss else f"{h:02d}:{mm:02d}")
    return pd.Series(out, index=minutes.index, dtype=object)


def number_trials(base: pd.DataFrame, order: pd.Series, ok: pd.Series) -> pd.Series:
    """Trial 1..n per athlete, date and test among accepted rows, in the order performed
    (`order`, e.g. minutes of the day, then the row for ties or unknown times)."""
    work = pd.DataFrame({
        "athlete": base["athlete_name"].astype("string").to_numpy(),
        "date": base["date"].to_numpy(), "test": base["test"].astype("string").to_numpy(),
        "order": order.to_numpy(dtype="float64"), "row": np.arange(len(base)),
    })[ok.to_numpy(dtype=bool)]
    work = work.sort_values(["order", "row"], na_position="last")
    trial = work.groupby(["athlete", "date", "test"], dropna=False).cumcount().add(1)
    return pd.Series(trial.reindex(range(len(base))).to_numpy(), index=base.index).astype("Int64")


def concat_parts(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The non-empty parts as one frame (empty when there are none)."""
    filled = [p for p in parts if len(p)]
    return pd.concat(filled, ignore_index=True) if filled else pd.DataFrame()


def account_for_rows(out: SheetRead, frame: Frame) -> None:
    """List accepted rows that produced no value (every metric cell blank) as skipped, so that every
    data row is accepted, rejected or skipped."""
    tests = out.tables.get("tests")
    produced = set(tests["source_row"].tolist()) if tests is not None and len(tests) else set()
    rejected = {p.row for p in out.rejects if p.row is not None}
    for row in frame.rows:
        if row not in produced and row not in rejected and row not in out.skipped_rows:
            out.skipped_rows[row] = "no metric value in this row (every metric cell is blank)"
