"""Exposure status as it was before the sorted-array passes (issue 15): `exposure_status`
(lib/metrics/exposure.py) and its private helpers, the code as it was, verbatim, kept for the
cross-check in tests/metrics/test_status_grouped.py; do not edit."""
# ruff: noqa

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.settings import Settings
from lib.metrics.exposure import LOADS, daily_load, pct_of_mss
from lib.metrics.mss import mss_table


def exposure_status(sessions: pd.DataFrame, injuries: pd.DataFrame, as_of: pd.Timestamp,
                    cfg: Settings, decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per athlete on `as_of`: MSS (staff `decisions` read first, lib.metrics.mss) and its age, days since near-max, coverage, acute:chronic
    (rolling and EWMA) for HSR and sprint, and chronic load as % of pre-injury. Every athlete in
    a few grouped passes over the daily series (no loop per athlete); the ratios are the
    values on `as_of`."""
    daily = daily_load(sessions, as_of)
    if daily.empty:
        return pd.DataFrame()
    mss = mss_table(sessions, as_of, injuries, cfg, decisions)
    ids = daily["athlete_id"]
    # athletes as integer codes in sorted order (daily is sorted by athlete, then date): every
    # per-athlete figure below is a bincount or a grouped reduction over the codes
    codes, uniques = pd.factorize(ids, sort=True)
    n = len(uniques)
    length = np.bincount(codes, minlength=n)
    first = np.r_[0, np.cumsum(length)[:-1]]
    pos = np.arange(len(daily)) - first[codes]
    from_end = length[codes] - pos  # 1 on the last day (as_of), 7 on the first day of the last week
    on = daily["on_record"].to_numpy(dtype=bool)
    last28 = (daily["date"] > as_of - pd.Timedelta(days=28)).to_numpy()

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=values.astype(float), minlength=n)

    def weekly(values: np.ndarray, mask: np.ndarray) -> np.ndarray:  # `weekly_figure_of` per athlete over `mask`
        days = total(mask)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(days > 0, total(np.where(mask, np.nan_to_num(values), 0.0)) / days * 7, np.nan)

    def last_date(mask: np.ndarray) -> pd.Series:
        return pd.Series(dates.where(pd.Series(mask, index=daily.index)).to_numpy()).groupby(codes).max() \
            .reindex(range(n))

    out = pd.DataFrame({"athlete_id": ids.iloc[first].tolist()})  # typed as a frame of the ids would be
    key = out["athlete_id"]
    out["coverage_days"] = total(on & last28).astype("int64")
    out["enough_data"] = out["coverage_days"] >= cfg.num("coverage_days")
    m = mss.set_index("athlete_id").reindex(key)
    out["mss_ms"] = m["mss_ms"].to_numpy(dtype=float)
    out["mss_date"] = m["mss_date"].to_numpy()
    out["mss_age_days"] = _maybe_int(m["mss_age_days"].to_numpy(dtype=float))
    out["mss_confirmed_by"] = m["mss_confirmed_by"].fillna("").astype(str).to_numpy()
    pct = pct_of_mss(daily["max_speed"], out["mss_ms"].to_numpy()[codes]).to_numpy()
    dates = daily["date"]
    for col, since_col, limit in (("last_near_max", "days_since_near_max", cfg.num("near_max_pct")),
                                  ("_last_max", "days_since_max", cfg.num("max_pct"))):
        last = last_date(pct >= limit)
        out[col] = last.to_numpy()
        out[since_col] = _maybe_int(((as_of - last).dt.days).to_numpy(dtype=float))
    out = out.drop(columns="_last_max")
    out["last_session"] = last_date((daily["sessions"] > 0).to_numpy()).to_numpy()
    enough = out["enough_data"].to_numpy()[codes]
    week, before_week = from_end <= 7, (from_end > 7) & (from_end <= 14)
    for load in LOADS:
        values = daily[load].to_numpy(dtype=float)
        # days not on record are missing, not rest: NaN so that no ratio reads them as zeros
        series = pd.Series(np.where(on, values, np.nan), index=daily.index)
        out[f"acute_{load}_m"] = total(np.where(week, np.nan_to_num(series.to_numpy()), 0.0))
        out[f"chronic_{load}_week_m"] = weekly(values, on & (from_end <= 28))
        now, before = weekly(values, on & week), weekly(values, on & before_week)
        ok = (length >= 14) & (total(on & week) >= 4) & (total(on & before_week) >= 4)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{load}_week_change_pct"] = np.where(ok & (before > 0), (now - before) / before * 100, np.nan)
        out[f"{load}_week_increase_m"] = np.where(ok, now - before, np.nan)
        rolling = _grouped_acwr_rolling(series, codes, pos).where(pd.Series(enough & (length[codes] >= 28),
                                                                            index=daily.index))
        ewma = _grouped_acwr_ewma(series, codes).where(pd.Series(enough, index=daily.index))
        for name, ratio in (("rolling", rolling), ("ewma", ewma)):
            out[f"acwr_{load}_{name}"] = ratio.to_numpy()[first + length - 1]
    out = out[["athlete_id", "coverage_days", "enough_data", "mss_ms", "mss_date", "mss_age_days", "mss_confirmed_by",
               "last_near_max",
               "days_since_near_max", "days_since_max", "last_session",
               *(f"{c}" for load in LOADS for c in (f"acute_{load}_m", f"chronic_{load}_week_m",
                                                   f"{load}_week_change_pct", f"{load}_week_increase_m",
                                                   f"acwr_{load}_rolling", f"acwr_{load}_ewma"))]]
    out = pd.concat([out, _pre_injury_all(daily, on, last28, injuries, as_of, codes, uniques)], axis=1)
    method = str(cfg["acwr_method"])
    for load in LOADS:
        out[f"acwr_{load}"] = out[f"acwr_{load}_{method}"]
    return out


def _maybe_int(values: np.ndarray) -> np.ndarray:
    """Whole days as int64 when none is missing (as a frame built from ints would hold them)."""
    return values.astype("int64") if len(values) and not np.isnan(values).any() else values


def _grouped_acwr_rolling(series: pd.Series, codes: np.ndarray, pos: np.ndarray) -> pd.Series:
    """`acwr_rolling` of every athlete's daily series at once (`codes`: the athlete of each day,
    days consecutive per athlete; `pos`: the day's place in its athlete's series)."""
    g = series.groupby(codes, sort=False)
    acute = g.rolling(7, min_periods=1).mean().droplevel(0).reindex(series.index) * 7
    shifted = g.shift(7)
    chronic = shifted.groupby(codes, sort=False).rolling(21, min_periods=1).mean().droplevel(0) \
        .reindex(series.index) * 7
    return (acute / chronic.replace(0, np.nan)).where(pd.Series(pos >= 27, index=series.index))


def _grouped_acwr_ewma(series: pd.Series, codes: np.ndarray) -> pd.Series:
    """`acwr_ewma` of every athlete's daily series at once."""
    g = series.groupby(codes, sort=False)
    acute = g.ewm(alpha=2 / (7 + 1), adjust=False).mean().droplevel(0).reindex(series.index)
    chronic = g.ewm(alpha=2 / (28 + 1), adjust=False).mean().droplevel(0).reindex(series.index)
    return acute / chronic.replace(0, np.nan)


def _pre_injury_all(daily: pd.DataFrame, on_record: np.ndarray, last28: np.ndarray, injuries: pd.DataFrame,
                    as_of: pd.Timestamp, codes: np.ndarray, uniques: np.ndarray) -> pd.DataFrame:
    """`_pre_injury` for every athlete: the 28 days before the episode's first injury against the
    last 28 days, both weekly over their days on record (at least 14 before the injury)."""
    from lib.metrics.baselines import episode_starts

    n = len(uniques)
    out = pd.DataFrame({"pre_injury_hsr_week_m": np.nan, "pre_injury_sprint_week_m": np.nan,
                        "pct_pre_injury_hsr": np.nan, "pct_pre_injury_sprint": np.nan}, index=range(n))
    inj = injuries[injuries["injury_date"] <= as_of] if len(injuries) else injuries
    if inj.empty:
        return out
    starts = episode_starts(injuries)
    latest = inj.groupby(inj["athlete_id"].astype(str))["injury_date"].max()
    when = {a: starts.get((a, pd.Timestamp(d)), pd.Timestamp(d)) for a, d in latest.items()}
    start = pd.to_datetime(pd.Series([when.get(str(a)) for a in uniques], dtype=object)).astype(daily["date"].dtype)
    start = start.to_numpy()[codes]
    day = daily["date"].to_numpy()
    window = (day < start) & (day >= start - np.timedelta64(28, "D"))

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=values.astype(float), minlength=n)

    enough = total(on_record & window) >= 14
    with np.errstate(invalid="ignore", divide="ignore"):
        for load in LOADS:
            values = np.nan_to_num(daily[load].to_numpy(dtype=float))
            pre_days, now_days = total(on_record & window), total(on_record & last28)
            pre = np.where(pre_days > 0, total(np.where(on_record & window, values, 0.0)) / pre_days * 7, np.nan)
            now = np.where(now_days > 0, total(np.where(on_record & last28, values, 0.0)) / now_days * 7, np.nan)
            out[f"pre_injury_{load}_week_m"] = np.where(enough, pre, np.nan)
            out[f"pct_pre_injury_{load}"] = np.where(enough & (pre > 0), now / pre * 100, np.nan)
    return out
