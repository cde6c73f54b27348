"""Limb symmetry and the board's LSI rows as they were before the sorted-array passes (issue 15):
`limb_symmetry` (lib/metrics/symmetry.py) and `board_lsi` (lib/readiness/recent.py), the code as it
was, verbatim, kept for the cross-check in tests/metrics/test_symmetry_grouped.py; do not edit."""
# ruff: noqa

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.metrics.baselines import episode_starts
from lib.metrics.symmetry import HOP_BATTERY, LOWER_IS_BETTER, LSI_COLUMNS, PRIMARY_METRIC


def side_summary(tests: pd.DataFrame) -> pd.DataFrame:
    """Per athlete, date, test, metric and side: mean, best, n trials, CV% and source rows."""
    lr = tests[tests["side"].isin(["left", "right"])]
    if lr.empty:
        return pd.DataFrame(columns=["athlete_id", "date", "test", "metric", "side", "unit", "mean", "best", "n", "cv",
                                     "sources"])
    lower = lr["metric"].isin(LOWER_IS_BETTER)
    lr = lr.assign(_best_key=np.where(lower, -lr["value"].astype(float), lr["value"].astype(float)),
                   _src=lr["source_file"].astype("string").fillna("?") + ":" + lr["source_row"].astype("string").fillna("?"))
    keys = ["athlete_id", "date", "test", "metric", "side"]
    lr = lr.sort_values(keys, kind="stable")
    grouped = lr.groupby(keys, sort=True, dropna=False)
    out = grouped.agg(unit=("unit", "first"), mean=("value", "mean"), n=("value", "size"),
                      sd=("value", "std"), best_key=("_best_key", "max"))
    out = out.reset_index()
    # the source rows of each group, joined without a Python-level groupby (thousands of groups)
    codes = grouped.ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    out["sources"] = _join_runs(lr["_src"].to_numpy(dtype=object)[order], codes[order], distinct=True)
    lower_out = out["metric"].isin(LOWER_IS_BETTER)
    out["best"] = np.where(lower_out, -out["best_key"], out["best_key"])
    # CV% of trials: SD / mean x 100 (sample SD; one trial has no CV)
    out["cv"] = (out["sd"] / out["mean"] * 100).where(out["n"] > 1)
    return out.drop(columns=["best_key", "sd"])


def involved_side_on(injuries: pd.DataFrame, athlete_id: str, date: pd.Timestamp) -> tuple[str | None, pd.Timestamp | None]:
    """(injured side, injury date) relevant on `date`: the latest injury on or before it, else
    the first one after it (a pre-injury test is then the baseline of the limb that got hurt)."""
    rows = injuries[injuries["athlete_id"] == athlete_id].sort_values("injury_date")
    if rows.empty:
        return None, None
    before = rows[rows["injury_date"] <= date]
    pick = before.iloc[-1] if len(before) else rows.iloc[0]
    return str(pick["side"]), pd.Timestamp(pick["injury_date"])


def injury_sides(keys: pd.DataFrame, injuries: pd.DataFrame) -> pd.DataFrame:
    """`keys` (athlete_id, date) with the injury relevant on each date (see `involved_side_on`):
    columns involved_side and injury_date, NaN where the athlete has no injury on record."""
    out = keys[["athlete_id", "date"]].copy()
    out["_pos"] = np.arange(len(out))
    inj = injuries[["athlete_id", "injury_date", "side"]].dropna(subset=["injury_date"])
    if inj.empty or out.empty:
        return out.assign(involved_side=pd.Series(pd.NA, index=out.index, dtype="string"),
                          injury_date=pd.NaT).drop(columns="_pos")
    inj = inj.assign(injury_date=inj["injury_date"].astype("datetime64[s]"),
                     athlete_id=inj["athlete_id"].astype(str)).sort_values("injury_date")
    ids = out["athlete_id"].astype(str).to_numpy(dtype=object)
    # only the athletes with an injury on record are matched (the others have none: blank)
    injured = pd.Series(ids).isin(set(inj["athlete_id"])).to_numpy()
    side, when, at = inj["side"].iloc[0:0], inj["injury_date"].iloc[0:0], np.array([], dtype=int)
    if injured.any():
        left = out[injured]
        left = left.assign(date=left["date"].astype("datetime64[s]"), athlete_id=ids[injured]).sort_values("date")
        back = pd.merge_asof(left, inj, left_on="date", right_on="injury_date", by="athlete_id", direction="backward")
        fwd = pd.merge_asof(left, inj, left_on="date", right_on="injury_date", by="athlete_id", direction="forward")
        back = back.sort_values("_pos").reset_index(drop=True)
        fwd = fwd.sort_values("_pos").reset_index(drop=True)
        use_fwd = back["injury_date"].isna()
        side = back["side"].where(~use_fwd, fwd["side"])
        when = back["injury_date"].where(~use_fwd, fwd["injury_date"])
        at = back["_pos"].to_numpy()
    result = keys[["athlete_id", "date"]].reset_index(drop=True).copy()
    every_side = pd.Series(pd.NA, index=result.index, dtype=side.dtype)
    every_side.iloc[at] = side.to_numpy()
    every_when = pd.Series(pd.NaT, index=result.index, dtype=when.dtype)
    every_when.iloc[at] = when.to_numpy()
    result["involved_side"] = every_side.astype("string")
    result["injury_date"] = every_when
    return result


def limb_symmetry(tests: pd.DataFrame, injuries: pd.DataFrame) -> pd.DataFrame:
    """LSI per athlete, date and test (primary metric of each test), with pre-injury comparison."""
    wanted = tests[tests["test"].isin(PRIMARY_METRIC.keys())]
    wanted = wanted[wanted["metric"] == wanted["test"].map(PRIMARY_METRIC)]
    sides = side_summary(wanted)
    if sides.empty:
        return pd.DataFrame(columns=LSI_COLUMNS)
    wide = sides.pivot_table(index=["athlete_id", "date", "test", "metric", "unit"], columns="side",
                             values=["mean", "best", "n", "cv"], aggfunc="first")
    wide.columns = [f"{side}_{stat}" for stat, side in wide.columns]
    wide = wide.reset_index()
    for col in ("left_mean", "right_mean", "left_best", "right_best", "left_n", "right_n", "left_cv", "right_cv"):
        if col not in wide.columns:
            wide[col] = np.nan
    wide = wide.merge(_joined(sides, ["athlete_id", "date", "test"], "sources"), on=["athlete_id", "date", "test"],
                      how="left")
    inj = injury_sides(wide, injuries)
    wide["involved_side"] = inj["involved_side"].to_numpy()
    # pre-injury references come from before the episode's first injury (a re-injury in rehab
    # belongs to the same episode: its "pre-injury" tests are rehab tests)
    wide["_injury_date"] = _episode_starts(wide["athlete_id"], pd.Series(inj["injury_date"].to_numpy()), injuries)
    out = _lsi_columns(wide)
    out = _add_pre_injury(out)
    out = _mark_bilateral(out, injuries)
    return out[LSI_COLUMNS].sort_values(["athlete_id", "test", "date"]).reset_index(drop=True)


def _joined(frame: pd.DataFrame, keys: list[str], column: str) -> pd.DataFrame:
    """`column`'s text joined with ", " per group of `keys` (in row order), without a Python-level
    groupby: the rows sorted by group, each run of a group joined in one Arrow pass."""
    grouped = frame.groupby(keys, sort=True, dropna=False)
    codes = grouped.ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    out = grouped.size().reset_index()[keys]
    out[column] = _join_runs(frame[column].to_numpy(dtype=object)[order], codes[order])
    return out


def _join_runs(values: np.ndarray, codes: np.ndarray, distinct: bool = False) -> list[str]:
    """`values` (text, sorted by `codes`) joined with ", " per run of one code, in one Arrow pass
    (no Python list per group); with `distinct`, each run's distinct values in sorted order (as
    `", ".join(sorted(set(run)))`: Arrow sorts text by code point, as Python does)."""
    if not len(values):
        return []
    table = pa.table({"code": pa.array(codes), "text": pa.array(values, type=pa.string())})
    if distinct:
        table = table.sort_by([("code", "ascending"), ("text", "ascending")])
        code, text = table["code"].combine_chunks(), table["text"].combine_chunks()
        same = pc.and_(pc.equal(code[1:], code[:-1]), pc.equal(text[1:], text[:-1])).to_numpy(zero_copy_only=False)
        table = table.filter(pa.array(np.concatenate([[True], ~same])))
    code = table["code"].to_numpy()
    offsets = np.concatenate([[0], np.flatnonzero(code[1:] != code[:-1]) + 1, [len(code)]]).astype(np.int32)
    runs = pa.ListArray.from_arrays(pa.array(offsets), table["text"].combine_chunks())
    return pc.binary_join(runs, ", ").to_pylist()


def _episode_starts(athletes: pd.Series, dates: pd.Series, injuries: pd.DataFrame) -> np.ndarray:
    """The episode start of each (athlete, injury date) (the date itself when it starts one, NaT
    where the date is blank): looked up once per distinct pair, then spread by index."""
    from lib.metrics.baselines import episode_starts

    starts = episode_starts(injuries)
    a = athletes.astype(str).to_numpy(dtype=object)
    d = dates.to_numpy()
    valid = ~pd.isna(d)
    codes, pairs = pd.MultiIndex.from_arrays([a[valid], d[valid]]).factorize()
    found = [starts.get((x, pd.Timestamp(y)), pd.Timestamp(y)) for x, y in pairs]
    out = np.full(len(a), pd.NaT, dtype=object)
    out[valid] = np.array(found + [None], dtype=object)[:-1][codes]  # (+ None: never a 2-d array)
    return pd.to_datetime(pd.Series(out, dtype="object")).to_numpy()


def bilateral_on(injuries: pd.DataFrame, athlete_id: str, date: pd.Timestamp) -> bool:
    """True when the athlete has an uncleared injury on each side on `date` (both limbs injured)."""
    rows = injuries[(injuries["athlete_id"] == athlete_id) & (injuries["injury_date"] <= date)]
    if "cleared_date" in rows:
        rows = rows[rows["cleared_date"].isna() | (rows["cleared_date"] > date)]
    return {"left", "right"} <= set(rows["side"].astype(str))


def _mark_bilateral(out: pd.DataFrame, injuries: pd.DataFrame) -> pd.DataFrame:
    """Both limbs injured: the LSI compares two injured limbs, so it is marked unreliable and each
    limb's % of its pre-injury value is what counts."""
    if injuries.empty or "side" not in injuries:
        return out
    sides = injuries.assign(athlete_id=injuries["athlete_id"].astype(str)).groupby("athlete_id")["side"].nunique()
    candidates = set(sides[sides >= 2].index)  # injured on both sides at some time
    if not candidates:
        return out
    ids = out["athlete_id"].astype(str)
    pairs = out.loc[ids.isin(candidates), ["athlete_id", "date"]].drop_duplicates()
    both = {(str(a), pd.Timestamp(d)) for a, d in pairs.itertuples(index=False)
            if bilateral_on(injuries, str(a), pd.Timestamp(d))}
    both_s = pd.Series([(a, pd.Timestamp(d)) in both for a, d in zip(ids, out["date"])], index=out.index)
    out.loc[both_s, "basis"] = "bilateral"
    out.loc[both_s, "note"] = "bilateral injury: LSI unreliable, compare each limb with its pre-injury value"
    return out


def _lsi_columns(w: pd.DataFrame) -> pd.DataFrame:
    """LSI (mean and best trials) for every row at once, with basis and note."""
    lower = w["metric"].isin(LOWER_IS_BETTER).to_numpy()
    side = w["involved_side"].astype("string")
    has_side = side.notna().to_numpy()
    is_left = side.eq("left").fillna(False).to_numpy()
    out = w.copy()
    for stat, col in (("mean", "lsi"), ("best", "lsi_best")):
        left = w[f"left_{stat}"].astype(float).to_numpy()
        right = w[f"right_{stat}"].astype(float).to_numpy()
        inv = np.where(is_left, left, right)
        uninv = np.where(is_left, right, left)
        num = np.where(lower, uninv, inv)
        den = np.where(lower, inv, uninv)
        with np.errstate(divide="ignore", invalid="ignore"):
            involved = np.where(den == 0, np.nan, num / den * 100)
            weak_strong = np.minimum(left, right) / np.maximum(left, right) * 100
        weak_strong = np.where(np.maximum(left, right) == 0, np.nan, weak_strong)
        out[col] = np.where(has_side, involved, weak_strong)
    out["basis"] = np.where(has_side, "involved/uninvolved", "weaker/stronger")
    missing = w["left_mean"].isna().to_numpy() | w["right_mean"].isna().to_numpy()
    zero_ref = has_side & ~missing & np.isnan(out["lsi"].to_numpy())
    out["note"] = np.select([missing, zero_ref, ~has_side],
                            ["one side missing: no LSI", "zero reference value: no LSI",
                             "no injury on record: weaker / stronger limb"], "")
    return out


def _add_pre_injury(out: pd.DataFrame) -> pd.DataFrame:
    """Each limb's value as % of its own latest value before the injury date."""
    out = out.assign(involved_pct_pre=np.nan, uninvolved_pct_pre=np.nan, pre_injury_date=pd.NaT)
    post = out["_injury_date"].notna() & (out["date"] >= out["_injury_date"])
    if not post.any():
        return out
    # the references of the athletes with a test after an injury only; a stable sort, so that two
    # rows of one day (two units) give the same reference whichever other rows are there
    ids = out["athlete_id"].astype(str)
    pre_rows = out.loc[ids.isin(set(ids[post])), ["athlete_id", "test", "date", "left_mean", "right_mean"]].rename(
        columns={"date": "pre_date", "left_mean": "pre_left", "right_mean": "pre_right"})
    pre_rows = pre_rows.assign(athlete_id=pre_rows["athlete_id"].astype(str), test=pre_rows["test"].astype(str),
                               pre_date=pre_rows["pre_date"].astype("datetime64[s]")).sort_values("pre_date",
                                                                                                  kind="stable")
    q = out.loc[post, ["athlete_id", "test", "_injury_date"]].copy()
    q["_idx"] = q.index
    q = q.assign(athlete_id=q["athlete_id"].astype(str), test=q["test"].astype(str),
                 _injury_date=q["_injury_date"].astype("datetime64[s]")).sort_values("_injury_date")
    found = pd.merge_asof(q, pre_rows, left_on="_injury_date", right_on="pre_date", by=["athlete_id", "test"],
                          direction="backward", allow_exact_matches=False).set_index("_idx")
    found = found[found["pre_date"].notna()]
    if found.empty:
        return out
    rows = out.loc[found.index]
    lower = rows["metric"].isin(LOWER_IS_BETTER).to_numpy()
    is_left = rows["involved_side"].eq("left").to_numpy()
    now_inv = np.where(is_left, rows["left_mean"], rows["right_mean"]).astype(float)
    now_un = np.where(is_left, rows["right_mean"], rows["left_mean"]).astype(float)
    pre_inv = np.where(is_left, found["pre_left"], found["pre_right"]).astype(float)
    pre_un = np.where(is_left, found["pre_right"], found["pre_left"]).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # timed tests: pre / now (a slower time now is a lower share)
        out.loc[found.index, "involved_pct_pre"] = np.where(lower, pre_inv / now_inv, now_inv / pre_inv) * 100
        out.loc[found.index, "uninvolved_pct_pre"] = np.where(lower, pre_un / now_un, now_un / pre_un) * 100
    out.loc[found.index, "pre_injury_date"] = found["pre_date"].to_numpy()
    return out


def board_lsi(tests: pd.DataFrame, injuries: pd.DataFrame, keep_from: pd.Timestamp, wanted: set[str]) -> pd.DataFrame:
    """`limb_symmetry(tests, injuries)`'s rows of the tests in `wanted` (the hop battery and the
    strength tests), from the test days the board reads (see the module's text). A test day is
    an integer key (athlete, test, date) over every row at once, no Python per group."""
    t = tests[tests["test"].isin(wanted)]
    if t.empty:
        return limb_symmetry(t, injuries)
    days = _Days(t, keep_from)
    if not len(days.keys):
        return limb_symmetry(t, injuries)
    keep = days.recent | days.older_to_second_pair()
    keep[days.reference(injuries)] = True
    lsi = limb_symmetry(t[np.isin(days.row_key, days.keys[keep]) & days.dated], injuries)
    if days.short_of_previous(lsi, keep):
        return limb_symmetry(t, injuries)
    return lsi


class _Days:
    """The test days with an LSI row (the primary metric on a limb, keys not blank), as sorted
    integer keys (athlete, test, date): athlete x test is the group, the date its offset."""

    def __init__(self, t: pd.DataFrame, keep_from: pd.Timestamp) -> None:
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
        lsi_row = (primary & (left | right) & self.dated & t["athlete_id"].notna().to_numpy()
                   & t["unit"].notna().to_numpy())
        self.keys = np.unique(self.row_key[lsi_row])
        valued = lsi_row & t["value"].notna().to_numpy()
        self.both = (np.isin(self.keys, self.row_key[valued & left])
                     & np.isin(self.keys, self.row_key[valued & right]))
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
