"""Limb symmetry: LSI per test and date, hop battery, force-plate asymmetry, % of pre-injury.

Pure pandas over the canonical `tests` and `injuries` tables. Conventions (domain.md):
- LSI = involved / uninvolved x 100 for distance, height, force and reps; for timed tests
  (lower is better) uninvolved / involved x 100. With no injury on record: weaker / stronger.
- Side values are the mean of valid trials; the best trial is shown too, with the trial CV%.
- Each limb is also compared with its own pre-injury value (latest test before the injury), so
  a weakened uninjured limb cannot flatter the LSI. For timed tests that share is pre / now.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# The metric that carries each test's symmetry, and whether lower is better.
PRIMARY_METRIC: dict[str, str] = {
    "single_hop": "distance", "triple_hop": "distance", "crossover_hop": "distance", "timed_hop_6m": "time",
    "nordic": "max_force", "hip_adduction": "max_force", "hip_abduction": "max_force",
    "sl_cmj": "jump_height", "sl_drop_jump": "rsi", "sl_hop_rsi": "rsi", "calf_raise": "reps",
}
LOWER_IS_BETTER = {"time", "contact_time"}
HOP_BATTERY = ("single_hop", "triple_hop", "crossover_hop", "timed_hop_6m")
HOP_LABELS = {"single_hop": "single hop", "triple_hop": "triple hop", "crossover_hop": "crossover hop",
              "timed_hop_6m": "6 m timed hop"}

LSI_COLUMNS = [
    "athlete_id", "date", "test", "metric", "unit", "basis", "involved_side",
    "left_mean", "right_mean", "left_best", "right_best", "left_n", "right_n", "left_cv", "right_cv",
    "lsi", "lsi_best", "involved_pct_pre", "uninvolved_pct_pre", "pre_injury_date", "note", "sources",
]


SUMMARY_INPUT = ["athlete_id", "date", "test", "metric", "side", "unit", "value", "source_file", "source_row"]


def side_summary(tests: pd.DataFrame) -> pd.DataFrame:
    """Per athlete, date, test, metric and side: mean, best, n trials, CV% and source rows."""
    on_limb = tests["side"].isin(["left", "right"])
    lr = tests if on_limb.all() else tests[on_limb]
    if lr.empty:
        return pd.DataFrame(columns=["athlete_id", "date", "test", "metric", "side", "unit", "mean", "best", "n", "cv",
                                     "sources"])
    lower = lr["metric"].isin(LOWER_IS_BETTER)
    lr = lr.assign(_best_key=np.where(lower, -lr["value"].astype(float), lr["value"].astype(float)),
                   _src=lr["source_file"].astype("string").fillna("?") + ":" + lr["source_row"].astype("string").fillna("?"))
    keys = ["athlete_id", "date", "test", "metric", "side"]
    # no sort first: the groups come sorted, each group's rows in their order in `tests`, as a
    # stable sort by the keys would leave them (so the same means and source order)
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
    columns involved_side and injury_date, NaN where the athlete has no injury on record.

    One binary search over the injuries as integer keys (athlete, day) instead of two as-of merges:
    with the injuries sorted by date, the latest one on or before the date is the last of the
    athlete's before it (as `merge_asof(direction="backward")` takes the last of equal dates), else
    the athlete's first (`direction="forward"`)."""
    result = keys[["athlete_id", "date"]].reset_index(drop=True).copy()
    inj = injuries[["athlete_id", "injury_date", "side"]].dropna(subset=["injury_date"])
    if inj.empty or result.empty:  # (in the keys' own index, as before)
        blank = keys[["athlete_id", "date"]].copy()
        return blank.assign(involved_side=pd.Series(pd.NA, index=blank.index, dtype="string"), injury_date=pd.NaT)
    inj = inj.assign(injury_date=inj["injury_date"].astype("datetime64[s]"),
                     athlete_id=inj["athlete_id"].astype(str)).sort_values("injury_date")
    code, athletes = pd.factorize(inj["athlete_id"].to_numpy(dtype=object))
    order = np.argsort(code, kind="stable")  # by athlete, each athlete's injuries still by date
    day = inj["injury_date"].to_numpy().astype(np.int64)[order]
    date = result["date"].to_numpy().astype("datetime64[s]")
    asked = pd.Index(athletes).get_indexer(result["athlete_id"].astype(str).to_numpy(dtype=object))
    injured = (asked >= 0) & ~np.isnat(date)  # only athletes with an injury on record are matched
    t0 = min(int(day.min()), int(date[injured].astype(np.int64).min()) if injured.any() else 0)
    span = max(int(day.max()), int(date[injured].astype(np.int64).max()) if injured.any() else 0) - t0 + 1
    sorted_keys = code[order].astype(np.int64) * span + (day - t0)
    first = np.searchsorted(code[order], np.arange(len(athletes)))
    at = np.flatnonzero(injured)
    a = asked[at]
    back = np.searchsorted(sorted_keys, a * span + (date[at].astype(np.int64) - t0), side="right") - 1
    pick = order[np.where(back >= first[a], back, first[a])]
    side, when = inj["side"], inj["injury_date"]
    every_side = pd.Series(pd.NA, index=result.index, dtype=side.dtype)
    every_side.iloc[at] = side.to_numpy()[pick]
    every_when = pd.Series(pd.NaT, index=result.index, dtype=when.dtype)
    every_when.iloc[at] = when.to_numpy()[pick]
    result["involved_side"] = every_side.astype("string")
    result["injury_date"] = every_when
    return result


def limb_symmetry(tests: pd.DataFrame, injuries: pd.DataFrame) -> pd.DataFrame:
    """LSI per athlete, date and test (primary metric of each test), with pre-injury comparison."""
    # one take of the rows and columns side_summary reads: each test's primary metric on a limb
    sides = side_summary(tests.loc[_primary_on_limb(tests), SUMMARY_INPUT])
    if sides.empty:
        return pd.DataFrame(columns=LSI_COLUMNS)
    # the sides come sorted by their keys: each (athlete, date, test) is a run of rows, numbered in
    # order; the number rides along the pivot (one per run: no other grouping) to fetch the run's
    # source rows, joined once per run (no merge by three text keys)
    run = _runs(sides, ["athlete_id", "date", "test"])
    wide = sides.assign(_run=run).pivot_table(index=["athlete_id", "date", "test", "metric", "unit", "_run"],
                                              columns="side", values=["mean", "best", "n", "cv"], aggfunc="first")
    wide.columns = [f"{side}_{stat}" for stat, side in wide.columns]
    wide = wide.reset_index()
    for col in ("left_mean", "right_mean", "left_best", "right_best", "left_n", "right_n", "left_cv", "right_cv"):
        if col not in wide.columns:
            wide[col] = np.nan
    joined = pd.Series(_join_runs(sides["sources"].to_numpy(dtype=object), run))
    wide["sources"] = joined.iloc[wide["_run"].to_numpy()].reset_index(drop=True)
    wide = wide.drop(columns="_run")
    inj = injury_sides(wide, injuries)
    wide["involved_side"] = inj["involved_side"].to_numpy()
    # pre-injury references come from before the episode's first injury (a re-injury in rehab
    # belongs to the same episode: its "pre-injury" tests are rehab tests)
    wide["_injury_date"] = _episode_starts(wide["athlete_id"], pd.Series(inj["injury_date"].to_numpy()), injuries)
    out = _lsi_columns(wide)
    out = _add_pre_injury(out)
    out = _mark_bilateral(out, injuries)
    return out[LSI_COLUMNS].sort_values(["athlete_id", "test", "date"]).reset_index(drop=True)


def _primary_on_limb(tests: pd.DataFrame) -> np.ndarray:
    """Whether each row is its test's primary metric on a limb: one comparison per test (a Python
    map of the test column to its metric is ten times slower on the season's rows)."""
    def flags(column: str, value: str) -> np.ndarray:
        return (tests[column] == value).to_numpy(dtype=bool, na_value=False)

    primary = np.zeros(len(tests), dtype=bool)
    for test, metric in PRIMARY_METRIC.items():
        primary |= flags("test", test) & flags("metric", metric)
    return primary & (flags("side", "left") | flags("side", "right"))


def _runs(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """The run number of each row of `frame` (sorted by `keys`): 0, 1, ... for each new value of the
    keys (blank keys alike, as a groupby with dropna=False groups them)."""
    codes = np.column_stack([pd.factorize(frame[k])[0] for k in keys])
    new = np.r_[True, (codes[1:] != codes[:-1]).any(axis=1)] if len(codes) else np.array([], dtype=bool)
    return np.cumsum(new) - 1


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
    found = pd.DatetimeIndex([starts.get((x, pd.Timestamp(y)), pd.Timestamp(y)) for x, y in pairs],
                             dtype="datetime64[ns]").to_numpy()
    out = np.full(len(a), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[valid] = found[codes]
    return out


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
    # the references of the athletes with a test after an injury only: per (athlete, test) the
    # last row dated before the injury, one binary search over integer keys (athlete x test, day),
    # the rows in a stable order, so that two rows of one day (two units) give the same reference
    # whichever other rows are there (the last of the day, as the as-of merge took it)
    ids = out["athlete_id"].astype(str)
    athlete, _ = pd.factorize(ids.to_numpy(dtype=object))
    test, tests = pd.factorize(out["test"].astype(str).to_numpy(dtype=object))
    pair = athlete.astype(np.int64) * len(tests) + test
    day = out["date"].to_numpy().astype("datetime64[s]").astype(np.int64)
    at = np.flatnonzero(post.to_numpy(dtype=bool))
    injured = out["_injury_date"].to_numpy().astype("datetime64[s]").astype(np.int64)[at]
    cand = np.flatnonzero(ids.isin(set(ids.iloc[at])).to_numpy(dtype=bool))
    order = cand[np.lexsort((day[cand], pair[cand]))]
    t0 = min(int(day[cand].min()), int(injured.min()))
    span = max(int(day[cand].max()), int(injured.max())) - t0 + 1
    before = np.searchsorted(pair[order] * span + (day[order] - t0), pair[at] * span + (injured - t0), side="left") - 1
    ok = before >= 0
    ok[ok] = pair[order[before[ok]]] == pair[at[ok]]
    found = out.iloc[order[before[ok]]][["date", "left_mean", "right_mean"]].set_axis(out.index[at[ok]])
    found = found.rename(columns={"date": "pre_date", "left_mean": "pre_left", "right_mean": "pre_right"})
    found = found.assign(pre_date=found["pre_date"].astype("datetime64[s]"))
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


def lsi_trial_noise(left_cv: float, right_cv: float, test: str, hop_sem: float) -> float:
    """Trial noise of an LSI, in points: sqrt(CV_left^2 + CV_right^2), the noise of a ratio of two
    trial means (each limb's CV of its trials, %). A limb hopped once has no CV: for a hop test its
    published measurement error `hop_sem` (% of the mean; the `hop_sem` setting) stands in, so a
    single-trial battery is not taken as noise-free; other tests keep 0 (no default published)."""
    fallback = hop_sem if test in HOP_BATTERY else 0.0
    cvs = [fallback if v is None or pd.isna(v) else float(v) for v in (left_cv, right_cv)]
    return float(np.hypot(*cvs))


def limb_symmetry_index(involved: float, uninvolved: float, lower_is_better: bool = False) -> float:
    """LSI in %: involved / uninvolved x 100, or uninvolved / involved x 100 for timed tests."""
    return _lsi(involved, uninvolved, lower_is_better)[0]


def _lsi(inv: float, uninv: float, lower: bool) -> tuple[float, str]:
    if np.isnan(inv) or np.isnan(uninv):
        return np.nan, "one side missing: no LSI"
    num, den = (uninv, inv) if lower else (inv, uninv)
    if den == 0:
        return np.nan, "zero reference value: no LSI"
    return num / den * 100, ""


def _num(v: object) -> float:
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return np.nan


def hop_battery(lsi: pd.DataFrame, pass_lsi: float = 90.0) -> pd.DataFrame:
    """Per athlete and date: LSI and pass/fail of the four hop tests, overall result, worst trial CV.

    Overall is `pass` only when all four tests were done and each LSI >= `pass_lsi`; `fail` when
    any done test fails; `incomplete` when some are missing and none failed.
    """
    hops = lsi[lsi["test"].isin(HOP_BATTERY)]
    cols = ["athlete_id", "date"] + [f"{t}_{k}" for t in HOP_BATTERY for k in ("lsi", "pass", "cv")] + [
        "tests_done", "overall", "max_cv", "failing"]
    hops = hops.dropna(subset=["athlete_id", "date"])
    if hops.empty:
        return pd.DataFrame(columns=cols)
    keys = ["athlete_id", "date"]
    # one battery per athlete and date (sorted); per test its first LSI row and the worst trial CV of its rows
    first = hops.drop_duplicates(keys + ["test"]).set_index(keys + ["test"])["lsi"].astype(float)
    lsi_wide = first.unstack("test").reindex(columns=list(HOP_BATTERY))
    worst_cv = hops[["left_cv", "right_cv"]].astype(float).max(axis=1)
    cv_wide = worst_cv.groupby([hops[k] for k in keys + ["test"]]).max().unstack("test").reindex(
        index=lsi_wide.index, columns=list(HOP_BATTERY))
    lsi_wide = lsi_wide.sort_index()
    cv_wide = cv_wide.reindex(index=lsi_wide.index)
    out = lsi_wide.index.to_frame(index=False).astype({"athlete_id": str})
    values = lsi_wide.to_numpy(dtype=float)
    failing: list[list[str]] = [[] for _ in range(len(out))]
    for j, test in enumerate(HOP_BATTERY):
        col = values[:, j]
        out[f"{test}_lsi"] = col
        out[f"{test}_pass"] = pd.Series([pd.NA if np.isnan(v) else bool(v >= pass_lsi) for v in col])
        out[f"{test}_cv"] = cv_wide[test].to_numpy(dtype=float)
        for i in np.flatnonzero(~np.isnan(col) & (col < pass_lsi)):
            failing[i].append(f"{HOP_LABELS[test]} LSI {col[i]:.0f}% < {pass_lsi:.0f}%")
    done = (~np.isnan(values)).sum(axis=1)
    out["tests_done"] = done
    out["overall"] = ["fail" if f else ("pass" if d == len(HOP_BATTERY) else "incomplete") for f, d in zip(failing, done)]
    out["max_cv"] = cv_wide.max(axis=1).to_numpy(dtype=float)
    out["failing"] = ["; ".join(f) for f in failing]
    return out[cols]
