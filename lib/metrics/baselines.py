"""Individual baselines and noise: rolling mean/SD, z-scores, typical error, smallest worthwhile change.

A change is only flagged when it is larger than both the typical error of the measure (trial-to-
trial noise) and the smallest worthwhile change (Hopkins 2000; 2004).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def daily_values(tests: pd.DataFrame, test: str, metric: str, side: str = "both") -> pd.DataFrame:
    """Mean of trials per athlete and date for one test, metric and side."""
    t = tests[(tests["test"] == test) & (tests["metric"] == metric) & (tests["side"] == side)]
    return t.groupby(["athlete_id", "date"], as_index=False)["value"].mean()


def rolling_baseline(values: pd.DataFrame, days: int = 28) -> pd.DataFrame:
    """Per athlete and date: mean and SD of the athlete's values in the `days` before (today
    excluded), and z = (value - mean) / SD."""
    frames = []
    for athlete, g in values.sort_values("date").groupby("athlete_id", sort=False):
        s = g.set_index("date")["value"].astype(float)
        # closed="left": today's value never sits in its own baseline
        window = s.rolling(f"{days}D", min_periods=2, closed="left")
        mean, sd = window.mean(), window.std()
        frames.append(pd.DataFrame({"athlete_id": athlete, "date": s.index, "value": s.to_numpy(),
                                    "baseline_mean": mean.to_numpy(), "baseline_sd": sd.to_numpy()}))
    if not frames:
        return pd.DataFrame(columns=["athlete_id", "date", "value", "baseline_mean", "baseline_sd", "z"])
    out = pd.concat(frames, ignore_index=True)
    out["z"] = (out["value"] - out["baseline_mean"]) / out["baseline_sd"].replace(0, np.nan)
    return out


def typical_error(tests: pd.DataFrame, test: str, metric: str) -> float:
    """SD of the differences between trials 1 and 2 (same athlete, date, side) / sqrt(2)."""
    t = tests[(tests["test"] == test) & (tests["metric"] == metric) & tests["trial"].isin([1, 2])]
    wide = t.pivot_table(index=["athlete_id", "date", "side"], columns="trial", values="value", aggfunc="first")
    if 1 not in wide.columns or 2 not in wide.columns:
        return np.nan
    diffs = (wide[2] - wide[1]).dropna()
    return float(diffs.std() / np.sqrt(2)) if len(diffs) >= 2 else np.nan


def smallest_worthwhile_change(values: pd.DataFrame, factor: float = 0.2) -> float:
    """`factor` x the between-athlete SD of athletes' mean values."""
    means = values.groupby("athlete_id")["value"].mean()
    return float(factor * means.std()) if len(means) >= 2 else np.nan


def beyond_noise(change: float, te: float, swc: float) -> bool:
    """True when |change| exceeds both the typical error and the SWC (missing ones are ignored)."""
    limits = [x for x in (te, swc) if x is not None and not np.isnan(x)]
    return bool(abs(change) > max(limits)) if limits else True


def episode_start(injuries: pd.DataFrame, athlete_id: str, injury_date: pd.Timestamp) -> pd.Timestamp:
    """The first injury date of the episode the injury on `injury_date` belongs to: an injury to the
    same region and side before the previous one was cleared is the same episode (a re-injury in
    rehab), so pre-injury references come from before the first one."""
    if not {"region", "side", "cleared_date"} <= set(injuries.columns):
        return pd.Timestamp(injury_date)
    own = injuries.loc[injuries["athlete_id"] == athlete_id, ["injury_date", "region", "side", "cleared_date"]]
    return _episode_start_in(sorted(own.to_dict("records"), key=lambda r: r["injury_date"]), injury_date)


def episode_starts(injuries: pd.DataFrame) -> dict[tuple[str, pd.Timestamp], pd.Timestamp]:
    """`episode_start` of every injury on record, by (athlete id, injury date): one pass over the
    table for callers that ask for many athletes."""
    if injuries.empty:
        return {}
    if not {"region", "side", "cleared_date"} <= set(injuries.columns):
        return {(str(a), pd.Timestamp(d)): pd.Timestamp(d) for a, d in zip(injuries["athlete_id"], injuries["injury_date"])}
    cols = ["athlete_id", "injury_date", "region", "side", "cleared_date"]
    by_athlete: dict[str, list[dict]] = {}
    for r in injuries[cols].to_dict("records"):
        by_athlete.setdefault(str(r["athlete_id"]), []).append(r)
    out = {}
    for athlete, records in by_athlete.items():
        records.sort(key=lambda r: r["injury_date"])
        for r in records:
            out[(athlete, pd.Timestamp(r["injury_date"]))] = _episode_start_in(records, r["injury_date"])
    return out


def _episode_start_in(records: list[dict], injury_date: pd.Timestamp) -> pd.Timestamp:
    """`episode_start` over one athlete's injury records, oldest first."""
    current = [r for r in records if r["injury_date"] == injury_date]
    if not current:
        return pd.Timestamp(injury_date)
    cur = current[-1]
    while True:
        earlier = [r for r in records if r["injury_date"] < cur["injury_date"] and r["region"] == cur["region"]
                   and r["side"] == cur["side"]]
        if not earlier:
            return pd.Timestamp(cur["injury_date"])
        prev = earlier[-1]
        if not pd.isna(prev["cleared_date"]) and prev["cleared_date"] < cur["injury_date"]:
            return pd.Timestamp(cur["injury_date"])
        cur = prev
