"""The rows facts are read from: per athlete, up to the day, each able to name its source file and row."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from functools import lru_cache
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.core.provenance import dated_source, source_refs
from lib.core.settings import Settings
from lib.metrics.symmetry import HOP_BATTERY
from lib.store.data import Data


WELLNESS_HIGHER_IS_BETTER = {"fatigue": True, "sleep": True, "stress": True, "mood": True, "soreness": False}


Groups = dict[str, dict[object, "Rows"]]  # athlete id -> key (item, test, (test, metric)) -> rows


@dataclass
class FactRows:
    """The rows the facts read, per athlete and per key (wellness: the item; LSI: the test; tests:
    (test, metric)), each group as columns oldest first, split from the team's tables in one pass."""

    wellness: Groups
    lsi: Groups
    tests: Groups

    @classmethod
    def build(cls, data: Data, lsi: pd.DataFrame, as_of: pd.Timestamp,
              keep_from: pd.Timestamp | None = None) -> "FactRows":
        """The rows up to `as_of`; with `keep_from`, the rows from that date on and the few older
        ones a count or a previous value reads: every row a fact of a day on or after `keep_from` +
        `reach(cfg)` reads (the board's engine: `as_of` and its re-judged days)."""
        w, t = data.wellness, data.tests
        cut = keep_from
        kind = ((t["test"].isin(["cmj", "nordic"]) & t["metric"].isin(["asymmetry", "jump_height", "ft_ct_ratio"]))
                | (t["test"].isin(["nordic", "hip_adduction"]) & (t["metric"] == "max_force"))
                | ((t["test"] == "calf_raise") & (t["metric"] == "reps")))
        # the tests keep no older rows by count: those before the cut are dropped here, with the
        # columns no fact reads, before the one take of the table (not after it)
        keep = kind & (t["date"] <= as_of) & (t["date"] >= cut if cut is not None else True)
        return cls(
            _groups_by_athlete(w.loc[w["item"].isin(FACT_ITEMS), ["athlete_id", *WELLNESS_COLS]], as_of, WELLNESS_COLS,
                               cut, "item", 4, None),
            _groups_by_athlete(lsi[lsi["test"].isin(HOP_BATTERY)], as_of, LSI_COLS, cut, "test", 2, "lsi"),
            _groups_by_athlete(t.loc[keep, ["athlete_id", *TEST_COLS]], as_of, TEST_COLS, cut, None, 0, None,
                               ("test", "metric")),
        )

    def until(self, athlete_id: str, day: pd.Timestamp) -> "FactRows":
        """The athlete's rows up to `day` (the board of an earlier day): a cut of each group."""
        at = ns(day)

        def cut(part: Groups) -> Groups:
            return {athlete_id: {k: r.until(at) for k, r in part.get(athlete_id, {}).items()}}

        return FactRows(cut(self.wellness), cut(self.lsi), cut(self.tests))


class Rows:
    """One athlete's rows of one key, oldest first (ties in table order), as positions into the
    team's columns (Python lists, split once for the team by `_groups_by_athlete`): `ats`, the
    dates as nanoseconds, cut by bisection; `col(c)`, a column's values as `Series.tolist()`
    gives them (what a source text or a record reads); `numbers(c)`, a numeric column as floats
    (NaN where blank). A fact cuts and selects its rows on positions and reads only those: no
    dict per row, no scan of the athlete's season for each fact (a season's groups are a few
    rows to a few dozen, where a numpy call per cut costs more than the cut)."""

    __slots__ = ("_cells", "_num", "pos", "ats")

    def __init__(self, cells: dict[str, list], num: dict[str, list], pos: range | list[int], ats: list[int]) -> None:
        self._cells, self._num, self.pos, self.ats = cells, num, pos, ats

    def __len__(self) -> int:
        return len(self.ats)

    def part(self, lo: int, hi: int | None = None) -> "Rows":
        """Rows `lo:hi`."""
        return Rows(self._cells, self._num, self.pos[lo:hi], self.ats[lo:hi])

    def where(self, name: str, *values: object) -> "Rows":
        """The rows whose `name` is one of `values`."""
        col = self._cells[name]
        keep = [i for i, p in enumerate(self.pos) if col[p] in values]
        return Rows(self._cells, self._num, [self.pos[i] for i in keep], [self.ats[i] for i in keep])

    def until(self, at: int) -> "Rows":
        """The rows dated on or before `at` (nanoseconds, `ns`)."""
        return self.part(0, bisect_right(self.ats, at))

    def after(self, at: int) -> "Rows":
        """The rows dated after `at`."""
        return self.part(bisect_right(self.ats, at))

    def between(self, lo: int, hi: int) -> "Rows":
        """The rows dated after `lo` and before `hi` (both excluded)."""
        return self.part(bisect_right(self.ats, lo), bisect_left(self.ats, hi))

    def col(self, name: str) -> list[object]:
        """A column's values, as `Series.tolist()` gives them."""
        col, pos = self._cells[name], self.pos
        return col[pos.start:pos.stop] if isinstance(pos, range) else [col[p] for p in pos]

    def numbers(self, name: str) -> list[float]:
        col, pos = self._num[name], self.pos
        return col[pos.start:pos.stop] if isinstance(pos, range) else [col[p] for p in pos]

    def date(self, i: int) -> pd.Timestamp:
        """Row `i`'s date."""
        return self._cells["date"][self.pos[i]]

    def record(self, i: int) -> dict[str, object]:
        """Row `i` as the record the old list of dicts held."""
        p = self.pos[i]
        return {k: v[p] for k, v in self._cells.items()}

    def records(self) -> list[dict[str, object]]:
        return [self.record(i) for i in range(len(self))]

    def days(self) -> list[tuple[object, "Rows"]]:
        """(date, its rows) for each date, oldest first."""
        ats, out, a = self.ats, [], 0
        dates = self.col("date")
        for b in range(1, len(ats) + 1):
            if b == len(ats) or ats[b] != ats[a]:
                out.append((dates[a], self.part(a, b)))
                a = b
        return out


def ns(day: pd.Timestamp) -> int:
    """A date as the rows' `at` compares it: nanoseconds since 1970."""
    return day.value if isinstance(day, pd.Timestamp) else pd.Timestamp(day).value


FACT_ITEMS = ["pain", "swelling", *WELLNESS_HIGHER_IS_BETTER]
WELLNESS_COLS = ["date", "item", "value", "scale", "source_file", "source_row"]
LSI_COLS = ["date", "test", "lsi", "left_cv", "right_cv", "sources", "basis", "involved_pct_pre", "uninvolved_pct_pre"]
TEST_COLS = ["date", "test", "metric", "side", "value", "source_file", "source_row"]


def reach(cfg: Settings) -> pd.Timedelta:
    """How far before a day a fact of that day reads rows, beyond the few older rows `FactRows.build`
    keeps by count: the latest test or score within `stale_days` (swelling and wellness items: 3
    days), then its `baseline_days` baseline before it (force, FT:CT, jump height, wellness)."""
    return pd.Timedelta(days=int(max(cfg.num("stale_days"), 3)) + int(cfg.num("baseline_days")) + 1)


NUMERIC = ("value", "lsi")  # the columns facts compare or sum, also kept as float64


def _groups_by_athlete(df: pd.DataFrame, as_of: pd.Timestamp, columns: list[str], cut: pd.Timestamp | None = None,
                       by: str | None = None, older: int = 0, valid: str | None = None,
                       key: tuple[str, ...] | None = None) -> Groups:
    """The rows up to `as_of` per athlete and key (`key`'s columns, else `by`), each group oldest
    first, groups in the order of their first row. With `cut`, the rows from `cut` on, and of the
    rows before it the last `older` per athlete and `by` (with `valid`, of those whose `valid` is
    not blank): what a count or a "previous valid value" reads (the wellness items' four answers,
    the hop LSI's previous valid test)."""
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
    if rows.empty:
        return {}
    athletes = rows["athlete_id"].astype(str).to_numpy(dtype=object)
    names = key or (by,)
    # a code per (athlete, key) in the order of its first row, then the groups contiguous in that order
    code = pd.factorize(athletes)[0].astype(np.int64)
    for name in names:
        part, uniques = pd.factorize(rows[name].astype(object).to_numpy(), use_na_sentinel=False)
        code = code * (len(uniques) + 1) + part
    codes = pd.factorize(code)[0]
    group = np.argsort(codes, kind="stable")
    cells = {c: np.array(_cells(rows[c]), dtype=object)[group].tolist() for c in columns}
    num = {c: rows[c].to_numpy(dtype="float64", na_value=np.nan)[group].tolist() for c in columns if c in NUMERIC}
    at = rows["date"].to_numpy().astype("datetime64[ns]").view("int64")[group].tolist()
    codes = codes[group]
    bounds = [0, *(np.flatnonzero(codes[1:] != codes[:-1]) + 1).tolist(), len(codes)]
    athletes = athletes[group]
    firsts = group[bounds[:-1]]
    key_cells = [rows[name].tolist() for name in names]
    keys = [tuple(c[i] for c in key_cells) if len(names) > 1 else key_cells[0][i] for i in firsts.tolist()]
    out: Groups = {}
    for k, a, b in zip(keys, bounds, bounds[1:]):
        out.setdefault(str(athletes[a]), {})[k] = Rows(cells, num, range(a, b), at[a:b])
    return out


def _cells(column: pd.Series) -> list[object]:
    """`column.tolist()`; a date column's Timestamps made once per distinct date (a season has a
    few hundred dates over tens of thousands of rows), NaT where blank."""
    if not pd.api.types.is_datetime64_any_dtype(column.dtype):
        return column.tolist()
    codes, days = pd.factorize(column)
    made = [*days, pd.NaT]  # code -1 (blank) reads the last
    return [made[c] for c in codes.tolist()]


def _latest_day(rows: Rows | None, as_of: pd.Timestamp, stale: pd.Timedelta) -> Rows | None:
    """The rows of the latest day within `stale` of `as_of` (on or before it), or None."""
    if rows is None:
        return None
    at = rows.ats
    hi = bisect_right(at, ns(as_of))
    if not hi or at[hi - 1] <= ns(as_of - stale):
        return None
    return rows.part(bisect_left(at, at[hi - 1]), hi)


def _dated(facts: dict[str, object], fact: str, day: pd.Timestamp) -> None:
    """Remember the date of the data behind a fact (a step back recorded after it has acted on it)."""
    facts.setdefault("_dates", {})[fact] = pd.Timestamp(day)  # type: ignore[index]


_src = dated_source  # the facts' names for lib.core.provenance's source-row text
_srcs = source_refs


def _baseline_rows(rows: Rows, day: pd.Timestamp, cfg: Settings) -> tuple[float, float]:
    """`_baseline` of an athlete's rows (mean and SD of the daily means of `value` in the
    `baseline_days` before `day`), each day's mean added in row order as there."""
    window = rows.between(ns(day - pd.Timedelta(days=int(cfg.num("baseline_days")))), ns(day))
    daily = [_mean([float(v) for v in r.col("value")]) for _, r in window.days()]
    if len(daily) < 2:
        return np.nan, np.nan
    return _mean(daily), _sd(daily)


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
    return _mean(daily), _sd(daily)


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


def _sd(values: list[float]) -> float:
    """`float(np.std(values, ddof=1))`, the same float, without an array for a few values: numpy's
    mean and its sum of squared deviations each add fewer than 8 values one after the other from
    0.0 (as `_mean`), then divide by n - 1 and take the correctly rounded square root, as here."""
    n = len(values)
    if not 1 < n < 8:
        return float(np.std(values, ddof=1))
    mean = _mean(values)
    total = 0.0
    for v in values:
        d = v - mean
        total += d * d
    return math.sqrt(total / (n - 1))


def _nanmax(*values: float) -> float:
    """`np.nanmax(values)` of a few floats: the largest that is not NaN, NaN when all are."""
    present = [v for v in values if v == v]
    return max(present) if present else np.nan


@lru_cache(maxsize=4096)
def _ymd(day: pd.Timestamp) -> str:
    """`f"{day:%Y-%m-%d}"`, made once per date (a season has a few hundred, the board formats thousands)."""
    return f"{day:%Y-%m-%d}"
