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
    grouped = lr.groupby(keys, sort=True, dropna=False)
    out = grouped.agg(unit=("unit", "first"), mean=("value", "mean"), n=("value", "size"),
                      sd=("value", "std"), best_key=("_best_key", "max"),
                      sources=("_src", lambda s: ", ".join(sorted(set(s)))))
    out = out.reset_index()
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
    src = sides.groupby(["athlete_id", "date", "test"])["sources"].agg(lambda s: ", ".join(s)).rename("sources")
    wide = wide.merge(src.reset_index(), on=["athlete_id", "date", "test"], how="left")
    records = [_lsi_row(rec, injuries) for rec in wide.to_dict("records")]
    out = pd.DataFrame(records, columns=LSI_COLUMNS)
    out = _add_pre_injury(out, injuries)
    return out.sort_values(["athlete_id", "test", "date"]).reset_index(drop=True)


def _lsi_row(rec: dict[str, object], injuries: pd.DataFrame) -> dict[str, object]:
    lower = rec["metric"] in LOWER_IS_BETTER
    side, _inj_date = involved_side_on(injuries, str(rec["athlete_id"]), pd.Timestamp(rec["date"]))
    left, right = _num(rec["left_mean"]), _num(rec["right_mean"])
    left_b, right_b = _num(rec["left_best"]), _num(rec["right_best"])
    note = ""
    if side is None:
        basis = "weaker/stronger"
        note = "no injury on record: weaker / stronger limb"
        lsi = _ratio_weaker_stronger(left, right)
        lsi_best = _ratio_weaker_stronger(left_b, right_b)
    else:
        basis = "involved/uninvolved"
        inv, uninv = (left, right) if side == "left" else (right, left)
        inv_b, uninv_b = (left_b, right_b) if side == "left" else (right_b, left_b)
        lsi, note = _lsi(inv, uninv, lower)
        lsi_best, _ = _lsi(inv_b, uninv_b, lower)
    if np.isnan(left) or np.isnan(right):
        note = "one side missing: no LSI"
    return {**{k: rec.get(k) for k in LSI_COLUMNS if k in rec}, "basis": basis, "involved_side": side,
            "lsi": lsi, "lsi_best": lsi_best, "note": note,
            "involved_pct_pre": np.nan, "uninvolved_pct_pre": np.nan, "pre_injury_date": pd.NaT}


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


def _ratio_weaker_stronger(a: float, b: float) -> float:
    if np.isnan(a) or np.isnan(b) or max(a, b) == 0:
        return np.nan
    return min(a, b) / max(a, b) * 100


def _add_pre_injury(out: pd.DataFrame, injuries: pd.DataFrame) -> pd.DataFrame:
    """Each limb's value as % of its own latest value before the injury date."""
    if out.empty or injuries.empty:
        return out
    out = out.copy()
    for i, rec in out.iterrows():
        side, inj_date = involved_side_on(injuries, rec["athlete_id"], rec["date"])
        if side is None or inj_date is None or rec["date"] < inj_date:
            continue
        pre = out[(out["athlete_id"] == rec["athlete_id"]) & (out["test"] == rec["test"]) & (out["date"] < inj_date)]
        if pre.empty:
            continue
        last = pre.iloc[-1]
        lower = rec["metric"] in LOWER_IS_BETTER
        other = "right" if side == "left" else "left"
        out.at[i, "involved_pct_pre"] = _pct_of(rec[f"{side}_mean"], last[f"{side}_mean"], lower)
        out.at[i, "uninvolved_pct_pre"] = _pct_of(rec[f"{other}_mean"], last[f"{other}_mean"], lower)
        out.at[i, "pre_injury_date"] = last["date"]
    return out


def _pct_of(now: float, pre: float, lower: bool) -> float:
    now, pre = _num(now), _num(pre)
    if np.isnan(now) or np.isnan(pre) or (pre if not lower else now) == 0:
        return np.nan
    return (pre / now if lower else now / pre) * 100


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
    if hops.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for (athlete, date), g in hops.groupby(["athlete_id", "date"], sort=True):
        row: dict[str, object] = {"athlete_id": athlete, "date": date}
        failing: list[str] = []
        done = 0
        cvs: list[float] = []
        for test in HOP_BATTERY:
            rec = g[g["test"] == test]
            value = float(rec["lsi"].iloc[0]) if len(rec) else np.nan
            cv = np.nanmax(rec[["left_cv", "right_cv"]].to_numpy(dtype=float)) if len(rec) and rec[["left_cv", "right_cv"]].notna().any(axis=None) else np.nan
            row[f"{test}_lsi"] = value
            row[f"{test}_cv"] = cv
            if not np.isnan(cv):
                cvs.append(cv)
            if np.isnan(value):
                row[f"{test}_pass"] = pd.NA
                continue
            done += 1
            ok = value >= pass_lsi
            row[f"{test}_pass"] = ok
            if not ok:
                failing.append(f"{HOP_LABELS[test]} LSI {value:.0f}% < {pass_lsi:.0f}%")
        row["tests_done"] = done
        row["overall"] = "fail" if failing else ("pass" if done == len(HOP_BATTERY) else "incomplete")
        row["max_cv"] = max(cvs) if cvs else np.nan
        row["failing"] = "; ".join(failing)
        rows.append(row)
    return pd.DataFrame(rows, columns=cols)
