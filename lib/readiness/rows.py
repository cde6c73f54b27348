"""The rows facts are read from: per athlete, up to the day, each able to name its source file and row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.core.provenance import dated_source, source_refs
from lib.core.settings import Settings
from lib.metrics.symmetry import HOP_BATTERY
from lib.store.data import Data


WELLNESS_HIGHER_IS_BETTER = {"fatigue": True, "sleep": True, "stress": True, "mood": True, "soreness": False}


@dataclass
class FactRows:
    """The rows the facts read, as plain records per athlete (oldest first), built in one pass."""

    wellness: dict[str, list[dict[str, object]]]
    lsi: dict[str, list[dict[str, object]]]
    tests: dict[str, list[dict[str, object]]]

    @classmethod
    def build(cls, data: Data, lsi: pd.DataFrame, as_of: pd.Timestamp,
              keep_from: pd.Timestamp | None = None) -> "FactRows":
        """The rows up to `as_of`; with `keep_from`, the rows from that date on and the few older
        ones a count or a previous value reads: every row a fact of a day on or after `keep_from` +
        `reach(cfg)` reads (the board's engine: `as_of` and its re-judged days)."""
        w, t = data.wellness, data.tests
        cut = keep_from
        return cls(
            _records_by_athlete(w[w["item"].isin(FACT_ITEMS)], as_of, WELLNESS_COLS, cut, "item", 4, None),
            _records_by_athlete(lsi[lsi["test"].isin(HOP_BATTERY)], as_of, LSI_COLS, cut, "test", 2, "lsi"),
            _records_by_athlete(t[(t["test"].isin(["cmj", "nordic"]) & t["metric"].isin(["asymmetry", "jump_height",
                                                                                     "ft_ct_ratio"]))
                                  | (t["test"].isin(["nordic", "hip_adduction"]) & (t["metric"] == "max_force"))
                                  | ((t["test"] == "calf_raise") & (t["metric"] == "reps"))], as_of, TEST_COLS,
                                cut, None, 0, None),
        )


FACT_ITEMS = ["pain", "swelling", *WELLNESS_HIGHER_IS_BETTER]
WELLNESS_COLS = ["date", "item", "value", "scale", "source_file", "source_row"]
LSI_COLS = ["date", "test", "lsi", "left_cv", "right_cv", "sources", "basis", "involved_pct_pre", "uninvolved_pct_pre"]
TEST_COLS = ["date", "test", "metric", "side", "value", "source_file", "source_row"]


def reach(cfg: Settings) -> pd.Timedelta:
    """How far before a day a fact of that day reads rows, beyond the few older rows `FactRows.build`
    keeps by count: the latest test or score within `stale_days` (swelling and wellness items: 3
    days), then its `baseline_days` baseline before it (force, FT:CT, jump height, wellness)."""
    return pd.Timedelta(days=int(max(cfg.num("stale_days"), 3)) + int(cfg.num("baseline_days")) + 1)


def _records_by_athlete(df: pd.DataFrame, as_of: pd.Timestamp, columns: list[str], cut: pd.Timestamp | None = None,
                        by: str | None = None, older: int = 0, valid: str | None = None) -> dict[str, list[dict[str, object]]]:
    """The rows up to `as_of` as records per athlete, oldest first. With `cut`, the rows from `cut`
    on, and of the rows before it the last `older` per athlete and `by` (with `valid`, of those
    whose `valid` is not blank): what a count or a "previous valid value" reads (the wellness items'
    four answers, the hop LSI's previous valid test)."""
    rows = df.loc[df["date"] <= as_of, list(dict.fromkeys(["athlete_id", *columns]))]
    order = np.argsort(rows["date"].to_numpy(), kind="stable")  # oldest first, ties in table order
    if cut is not None:
        recent = rows["date"].to_numpy()[order] >= cut
        if older and by is not None:
            mask = ~recent if valid is None else ~recent & rows[valid].notna().to_numpy()[order]
            at = np.flatnonzero(mask)  # positions in date order of the rows before the cut
            before = rows.iloc[order[at]]
            last = before.groupby([before["athlete_id"].astype(str).to_numpy(), before[by].astype(str).to_numpy()],
                                  sort=False).cumcount(ascending=False).to_numpy() < older
            recent[at[last]] = True
        order = order[recent]
    rows = rows.iloc[order]
    out: dict[str, list[dict[str, object]]] = {}
    values = [_cells(rows[c]) for c in columns]
    for athlete, *cells in zip(rows["athlete_id"].tolist(), *values):
        out.setdefault(str(athlete), []).append(dict(zip(columns, cells)))
    return out


def _cells(column: pd.Series) -> list[object]:
    """`column.tolist()`; a date column's Timestamps made once per distinct date (a season has a
    few hundred dates over tens of thousands of rows), NaT where blank."""
    if not pd.api.types.is_datetime64_any_dtype(column.dtype):
        return column.tolist()
    codes, days = pd.factorize(column)
    made = [*days, pd.NaT]  # code -1 (blank) reads the last
    return [made[c] for c in codes.tolist()]


def _latest_day(rows: list[dict], as_of: pd.Timestamp, stale: pd.Timedelta) -> list[dict]:
    cut = as_of - stale  # once, not per row
    recent = [r for r in rows if r["date"] > cut]
    if not recent:
        return []
    day = max(r["date"] for r in recent)
    return [r for r in recent if r["date"] == day]


def _dated(facts: dict[str, object], fact: str, day: pd.Timestamp) -> None:
    """Remember the date of the data behind a fact (a step back recorded after it has acted on it)."""
    facts.setdefault("_dates", {})[fact] = pd.Timestamp(day)  # type: ignore[index]


_src = dated_source  # the facts' names for lib.core.provenance's source-row text
_srcs = source_refs


def _baseline(rows: list[dict], day: pd.Timestamp, cfg: Settings) -> tuple[float, float]:
    """Mean and SD of daily means in the `baseline_days` before `day` (day excluded): at least 2 days."""
    window = day - pd.Timedelta(days=int(cfg.num("baseline_days")))
    by_day: dict[pd.Timestamp, list[float]] = {}
    for r in rows:
        if window < r["date"] < day:
            by_day.setdefault(r["date"], []).append(float(r["value"]))
    daily = [_mean(v) for v in by_day.values()]
    if len(daily) < 2:
        return np.nan, np.nan
    return _mean(daily), float(np.std(daily, ddof=1))


def _mean(values: list[float]) -> float:
    """`float(np.mean(values))`, the same float, without an array for a few values: numpy adds
    fewer than 8 values one after the other from 0.0 (its pairwise sum starts at 8), as here."""
    n = len(values)
    if not 0 < n < 8:
        return float(np.mean(values))
    total = 0.0
    for v in values:
        total += v
    return float(total / n)
