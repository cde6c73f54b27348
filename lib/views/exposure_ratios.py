"""Every athlete's daily acute:chronic ratio on the exposure page (the weeks' spike peaks, the ratio over
time): one grouped pass over lib.metrics.exposure's daily loads, the same values as acwr_ewma or
acwr_rolling over each athlete's days alone (issue 15: the exposure page's first visit)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from lib.core.settings import Settings
from lib.metrics.exposure import EWMA_ACUTE_ALPHA, EWMA_CHRONIC_ALPHA, daily_load

LOAD_NAMES = {"hsr": "HSR", "sprint": "sprint"}


def daily_ratios(sessions: pd.DataFrame, as_of: dt.date, cfg: Settings, detail: bool = False,
                 daily: pd.DataFrame | None = None) -> pd.DataFrame:
    """athlete_id, date, load and the day's acute:chronic ratio (daily_acwr's, same warm-up over the
    whole record); `detail`: with the acute and chronic weekly metres, coverage and sessions. The
    weeks' spike peaks need the ratio only: no bands, loads or source rows built for them.

    Every athlete in one grouped pass (daily_load gives each athlete's days together, oldest first):
    pandas' grouped ewm and rolling windows start afresh at each athlete, so each athlete's values
    are those of the same window over that athlete's days alone. `daily`: `daily_load` of the same
    sessions and date, when the caller has it."""
    daily = daily_load(sessions, pd.Timestamp(as_of)) if daily is None else daily
    if daily.empty:
        return pd.DataFrame(columns=["athlete_id", "date", "load", "ratio"])
    daily = daily.sort_values(["athlete_id", "date"], kind="stable").reset_index(drop=True)
    ids = daily["athlete_id"].astype(str)
    by = ids.to_numpy()
    on = daily["on_record"].astype(bool)
    coverage = on.astype(int).groupby(by, sort=False).rolling(28, min_periods=1).sum().to_numpy()
    enough = coverage >= cfg.num("coverage_days")
    rolling = cfg["acwr_method"] == "rolling"
    frames = []
    for load, name in LOAD_NAMES.items():
        series = daily[load].astype(float)
        kept = series.where(on)  # days not on record are missing, not rest (as in exposure_status): NaN, never zeros
        ratio = _grouped_rolling_ratio(kept, by) if rolling else _grouped_ewma_ratio(kept, by)
        frame = {"athlete_id": ids, "date": daily["date"], "load": name, "ratio": ratio.where(enough)}
        if detail:
            g = series.groupby(by, sort=False)
            frame.update({
                "acute_m": g.rolling(7, min_periods=1).sum().to_numpy(),
                "chronic_week_m": g.rolling(28, min_periods=1).sum().to_numpy() / 4,
                "coverage_days": coverage.astype(int), "sessions": daily["sessions"].astype(int)})
        frames.append(pd.DataFrame(frame))
    # athlete by athlete, HSR then sprint (the order daily_acwr and the peaks read them in)
    out = pd.concat(frames, keys=range(len(frames)), names=["_load", "_row"]).reset_index()
    out = out.sort_values(["athlete_id", "_load", "_row"], kind="stable")
    return out.drop(columns=["_load", "_row"]).reset_index(drop=True)


def _grouped_ewma_ratio(kept: pd.Series, by: np.ndarray) -> pd.Series:
    """lib.metrics.exposure.acwr_ewma per athlete (`by`, each athlete's days together)."""
    g = kept.groupby(by, sort=False)
    acute = g.ewm(alpha=EWMA_ACUTE_ALPHA, adjust=False).mean().to_numpy()
    chronic = g.ewm(alpha=EWMA_CHRONIC_ALPHA, adjust=False).mean().to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.Series(acute / np.where(chronic == 0, np.nan, chronic), index=kept.index)


def _grouped_rolling_ratio(kept: pd.Series, by: np.ndarray) -> pd.Series:
    """lib.metrics.exposure.acwr_rolling per athlete: the last 7 days / days 8-28, each a weekly
    figure over the days on record, blank until the athlete's 28th day."""
    g = kept.groupby(by, sort=False)
    acute = g.rolling(7, min_periods=1).mean().to_numpy() * 7
    chronic = g.shift(7).groupby(by, sort=False).rolling(21, min_periods=1).mean().to_numpy() * 7
    day = kept.groupby(by, sort=False).cumcount().to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = acute / np.where(chronic == 0, np.nan, chronic)
    return pd.Series(np.where(day >= 27, ratio, np.nan), index=kept.index)
