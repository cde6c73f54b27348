"""The LSI rows the board reads, computed from the test days that make them, not the whole season.

The board reads limb symmetry (lib.metrics.symmetry.limb_symmetry) of the hop battery and the
injuries' strength tests only: every row from the engine's first kept day on (`keep_from`, see
lib.readiness.rows.reach), and before it each hop test's last two valid LSIs (the previous value of
a regression). Each LSI row comes from its own test day's trials, the injury relevant on that day
and one older day: the limb's pre-injury reference, the latest test day before the episode's
start. So `limb_symmetry` of the test days below gives the rows the board reads, each the same as
over the whole season:

- every test day from `keep_from` on;
- before it, each hop test's days back to its second-latest day with both limbs tested (an LSI
  needs both);
- for each test and each injury's episode start (and injury date), the latest test day before it.

When a day with both limbs tested still has no LSI (a zero or blank reference), fewer than two
valid older LSIs may be in hand: then the whole season is computed, as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.metrics.baselines import episode_starts
from lib.metrics.symmetry import HOP_BATTERY, PRIMARY_METRIC, limb_symmetry


def board_lsi(tests: pd.DataFrame, injuries: pd.DataFrame, keep_from: pd.Timestamp, wanted: set[str]) -> pd.DataFrame:
    """`limb_symmetry(tests, injuries)`'s rows of the tests in `wanted` (the hop battery and the
    strength tests), from the test days the board reads (see the module's text). A test day is
    an integer key (athlete, test, date) over every row at once, no Python per group."""
    among = tests["test"].isin(wanted).to_numpy(dtype=bool)
    if not among.any():
        return limb_symmetry(tests[among], injuries)
    days = _Days(tests, among, keep_from)
    if not len(days.keys):
        return limb_symmetry(tests[among], injuries)
    keep = days.recent | days.older_to_second_pair()
    keep[days.reference(injuries)] = True
    # one take of the season's rows: the wanted tests' rows of the kept days (a key is one test's)
    lsi = limb_symmetry(tests[among & _among(days.row_key, days.keys[keep]) & days.dated], injuries)
    if days.short_of_previous(lsi, keep):
        return limb_symmetry(tests[among], injuries)
    return lsi


def _distinct(keys: np.ndarray) -> np.ndarray:
    """The distinct integer keys, sorted: one sort (numpy 2's `np.unique` hashes, ten times slower
    here on a few hundred thousand keys)."""
    keys = np.sort(keys)
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys


def _among(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Whether each of `keys` is one of `sorted_keys` (distinct, ascending): a binary search, as
    `np.isin` without its hashing."""
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys


class _Days:
    """The test days with an LSI row (a test `among` the wanted, its primary metric on a limb, keys
    not blank), as sorted integer keys (athlete, test, date): athlete x test is the group, the
    date its offset."""

    def __init__(self, t: pd.DataFrame, among: np.ndarray, keep_from: pd.Timestamp) -> None:
        self.keep_from = keep_from
        athlete, athletes = pd.factorize(t["athlete_id"].astype(str))
        test, tests = pd.factorize(t["test"])
        self.athletes, self.tests = pd.Index(athletes), pd.Index(tests)
        date = t["date"].to_numpy().astype("datetime64[s]")
        self.dated = ~np.isnat(date)
        seconds = date.astype(np.int64)
        self.t0 = int(seconds[self.dated].min()) if self.dated.any() else 0
        self.span = int(seconds[self.dated].max()) - self.t0 + 2 if self.dated.any() else 2
        self.row_key = (athlete * len(self.tests) + test) * self.span + np.where(self.dated, seconds - self.t0, 0)
        metric = np.array([PRIMARY_METRIC.get(str(x)) for x in tests], dtype=object)[test]  # per distinct test
        primary = t["metric"].fillna("").astype(str).to_numpy(dtype=object) == metric
        left = t["side"].eq("left").fillna(False).to_numpy(dtype=bool)
        right = t["side"].eq("right").fillna(False).to_numpy(dtype=bool)
        lsi_row = (among & primary & (left | right) & self.dated & t["athlete_id"].notna().to_numpy()
                   & t["unit"].notna().to_numpy())
        self.keys = _distinct(self.row_key[lsi_row])
        valued = lsi_row & t["value"].notna().to_numpy()
        self.both = (_among(self.keys, _distinct(self.row_key[valued & left]))
                     & _among(self.keys, _distinct(self.row_key[valued & right])))
        self.group = self.keys // self.span
        self.offset = self.keys % self.span
        start = np.datetime64(pd.Timestamp(keep_from).to_datetime64(), "s").astype(np.int64) - self.t0
        self.recent = self.offset >= start
        hop = np.isin(np.asarray(self.tests, dtype=object), list(HOP_BATTERY))
        self.older_hop = ~self.recent & hop[self.group % len(self.tests)]

    def older_to_second_pair(self) -> np.ndarray:
        """Each hop test's days before the first kept day back to its second-latest day with both
        limbs (days ascend within a group: count the both-limb days after each, from the end)."""
        at = np.flatnonzero(self.older_hop)
        both = self.both[at].astype(int)
        after = pd.Series(both[::-1]).groupby(self.group[at][::-1]).cumsum().to_numpy()[::-1] - both
        keep = np.zeros(len(self.keys), dtype=bool)
        keep[at[after < 2]] = True
        return keep

    def reference(self, injuries: pd.DataFrame) -> np.ndarray:
        """Positions of the latest day before each episode start and injury date, per test."""
        if injuries.empty:
            return np.array([], dtype=int)
        starts = episode_starts(injuries)
        marks = pd.DataFrame([*starts, *((a, start) for (a, _), start in starts.items())], columns=["a", "m"])
        marks = marks[marks["m"].notna()].drop_duplicates()
        athlete = self.athletes.get_indexer(marks["a"])
        marks, athlete = marks[athlete >= 0], athlete[athlete >= 0]
        when = marks["m"].to_numpy().astype("datetime64[s]").astype(np.int64) - self.t0
        when = np.clip(when, 0, self.span - 1)
        n = len(self.tests)
        group = (athlete[:, None] * n + np.arange(n)[None, :]).ravel()
        at = np.searchsorted(self.keys, group * self.span + np.repeat(when, n), side="left") - 1
        return at[(at >= 0) & (self.group[np.maximum(at, 0)] == group)]

    def short_of_previous(self, lsi: pd.DataFrame, keep: np.ndarray) -> bool:
        """Whether a hop test whose older days were cut short has fewer than two valid LSIs in them."""
        cut = self.older_hop & ~keep
        if not cut.any():
            return False
        short = np.unique(self.group[cut])
        older = lsi[(lsi["date"] < self.keep_from) & lsi["lsi"].notna()]
        group = (self.athletes.get_indexer(older["athlete_id"].astype(str)) * len(self.tests)
                 + self.tests.get_indexer(older["test"]))
        valid = pd.Series(group).value_counts()
        return bool((valid.reindex(short, fill_value=0) < 2).any())
