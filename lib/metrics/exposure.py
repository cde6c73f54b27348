"""High-velocity exposure: weekly HSR and sprint distance, near-max sessions, MSS, acute:chronic.

Pure pandas over the canonical `sessions` table. Conventions:
- MSS (maximal sprint speed) = the validated maximum (lib.metrics.mss, re-exported here): under
  the physical ceiling, confirmed by staff or by a second session within 3%, frozen at the episode's
  first injury; later speeds above it count only when plausible, otherwise they are listed as
  artefacts (`mss_artefacts`).
- Near-max session: max speed >= `near_max_pct` of MSS (default 90%); max session: >= `max_pct`.
- A day is *on record* when a session falls on it, or when it lies in a gap of at most
  `rest_gap_days` between two sessions (ordinary rest days). Longer gaps are missing data, never
  rest: with fewer than `coverage_days` of 28 on record the ratios say "not enough data".
- Acute:chronic, rolling uncoupled: last 7 days / (days 8-28 / 3); EWMA (Williams 2017):
  lambda = 2 / (N + 1) with N = 7 and 28, on the daily series. Descriptive, not predictive.
  Every page and the board show the day's ratio (`acwr_figure`), the figure the papers compute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.settings import Settings
from lib.metrics.mss import (  # noqa: F401 - the MSS names callers import from here
    ARTEFACT_COLUMNS, CORROBORATION, MSS_COLUMNS, MSS_LOOKBACK_DAYS, mss_artefacts, mss_table, validated_mss,
)

LOADS = {"hsr": "hsr_distance_m", "sprint": "sprint_distance_m"}
ACWR_CAVEAT = ("Acute:chronic ratios describe how this week compares with the last four; they do not "
               "predict injury (Lolli 2019, Impellizzeri 2020).")
REST_GAP_DAYS = 2


def iso_week(dates: pd.Series) -> pd.Series:
    """ISO week labels like 2026-W47."""
    iso = dates.dt.isocalendar()
    return iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)


def pct_of_mss(speed: pd.Series, mss: pd.Series | float) -> pd.Series:
    """Speed as % of MSS, rounded to 6 decimals so that 29.16 km/h of a 32.4 km/h MSS is 90%,
    not 89.99999999 after the unit conversion."""
    ratio = pd.to_numeric(speed, errors="coerce").astype("float64") / mss * 100  # a blank speed is NaN, not NA
    return ratio.round(6)


def calendar(starts: pd.Series, ends: pd.Series, step_days: int = 1) -> pd.DataFrame:
    """Every date from each athlete's start to end (inclusive), `step_days` apart: one frame,
    built with numpy (no per-athlete loop). `starts`/`ends` are indexed by athlete_id."""
    first = starts.astype("datetime64[s]").to_numpy()
    counts = ((ends.astype("datetime64[s]").to_numpy() - first) // np.timedelta64(step_days, "D")).astype(int) + 1
    counts = np.maximum(counts, 0)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    dates = np.repeat(first, counts) + offsets * np.timedelta64(step_days, "D")
    return pd.DataFrame({"athlete_id": np.repeat(starts.index.to_numpy(), counts), "date": dates})


def daily_load(sessions: pd.DataFrame, as_of: pd.Timestamp, rest_gap_days: int = REST_GAP_DAYS) -> pd.DataFrame:
    """One row per athlete and calendar day up to `as_of`: summed HSR and sprint metres, max speed,
    and whether the day is on record (see module doc)."""
    s = sessions[sessions["date"] <= as_of]
    cols = ["athlete_id", "date", "hsr", "sprint", "max_speed", "sessions", "on_record"]
    if s.empty:
        return pd.DataFrame(columns=cols)
    per_day = s.groupby(["athlete_id", "date"]).agg(
        hsr=("hsr_distance_m", "sum"), sprint=("sprint_distance_m", "sum"),
        max_speed=("max_speed_ms", "max"), sessions=("session", "size")).reset_index()
    per_day["date"] = per_day["date"].astype("datetime64[s]")
    firsts = per_day.groupby("athlete_id")["date"].min()
    grid = calendar(firsts, pd.Series(as_of, index=firsts.index))
    out = grid.merge(per_day, on=["athlete_id", "date"], how="left")
    out["on_record"] = _on_record(out, rest_gap_days)
    out[["hsr", "sprint", "sessions"]] = out[["hsr", "sprint", "sessions"]].fillna(0.0)
    return out[cols]


def _on_record(days: pd.DataFrame, gap: int) -> np.ndarray:
    """Days with a session, plus gaps of at most `gap` days between two sessions of an athlete."""
    has = days["sessions"].notna()
    pos = pd.Series(np.arange(len(days)), index=days.index)
    prev = pos.where(has).groupby(days["athlete_id"]).ffill()
    nxt = pos.where(has).groupby(days["athlete_id"]).bfill()
    inside = (nxt - prev - 1) <= gap  # the gap's length in days (days are consecutive per athlete)
    return (has | (prev.notna() & nxt.notna() & inside)).to_numpy(dtype=bool)


def acwr_rolling(daily: pd.Series) -> pd.Series:
    """Uncoupled rolling ratio: the last 7 days / days 8-28, each as a weekly figure over the days
    on record (a missing day is NaN, never a zero); blank until 28 days have passed."""
    acute = daily.rolling(7, min_periods=1).mean() * 7
    chronic = daily.shift(7).rolling(21, min_periods=1).mean() * 7
    full = pd.Series(np.arange(len(daily)) >= 27, index=daily.index)
    return (acute / chronic.replace(0, np.nan)).where(full)


def ewma_parts(daily: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Acute and chronic EWMA of daily loads (Williams 2017): lambda_a = 2/(7+1) = 0.25, lambda_c =
    2/(28+1). A missing day (NaN) is skipped, not averaged in as a zero."""
    return daily.ewm(alpha=2 / (7 + 1), adjust=False).mean(), daily.ewm(alpha=2 / (28 + 1), adjust=False).mean()


def acwr_ewma(daily: pd.Series) -> pd.Series:
    """EWMA ratio (Williams 2017, `ewma_parts`): acute / chronic, NaN where chronic is 0."""
    acute, chronic = ewma_parts(daily)
    return acute / chronic.replace(0, np.nan)


def weekly_exposure(sessions: pd.DataFrame, as_of: pd.Timestamp, cfg: Settings,
                    injuries: pd.DataFrame | None = None, decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per athlete and ISO week: HSR and sprint metres, sessions, near-max and max sessions
    (vs MSS as of `as_of`, staff MSS `decisions` read first), the week's top speed, and week-to-week change %."""
    s = sessions[sessions["date"] <= as_of]
    cols = ["athlete_id", "week", "week_start", "sessions", "hsr_m", "sprint_m", "near_max_sessions",
            "max_sessions", "top_speed_ms", "mss_ms", "hsr_change_pct", "sprint_change_pct", "spike"]
    if s.empty:
        return pd.DataFrame(columns=cols)
    mss = mss_table(s, as_of, injuries, cfg, decisions)[["athlete_id", "mss_ms"]]
    s = s.merge(mss, on="athlete_id", how="left")
    pct = pct_of_mss(s["max_speed_ms"], s["mss_ms"])
    s = s.assign(week=iso_week(s["date"]), week_start=s["date"] - pd.to_timedelta(s["date"].dt.day_of_week, unit="D"),
                 # a blank max speed (NA) is no near-max session, not a crash
                 near=(pct >= cfg.num("near_max_pct")).fillna(False).astype(int),
                 maxed=(pct >= cfg.num("max_pct")).fillna(False).astype(int))
    weeks = s.groupby(["athlete_id", "week", "week_start"]).agg(
        sessions=("session", "size"), hsr_m=("hsr_distance_m", "sum"), sprint_m=("sprint_distance_m", "sum"),
        near_max_sessions=("near", "sum"), max_sessions=("maxed", "sum"), top_speed_ms=("max_speed_ms", "max"),
        mss_ms=("mss_ms", "first")).reset_index()
    weeks = _fill_empty_weeks(weeks)
    weeks = weeks.sort_values(["athlete_id", "week_start"])
    g = weeks.groupby("athlete_id")
    for load, col in (("hsr_m", "hsr_change_pct"), ("sprint_m", "sprint_change_pct")):
        prev = g[load].shift(1)
        weeks[col] = ((weeks[load] - prev) / prev.replace(0, np.nan) * 100)
    limit = cfg.num("week_change_spike")
    weeks["spike"] = (weeks["hsr_change_pct"] > limit) | (weeks["sprint_change_pct"] > limit)
    return weeks[cols].reset_index(drop=True)


def _fill_empty_weeks(weeks: pd.DataFrame) -> pd.DataFrame:
    """Add weeks without sessions between an athlete's first and last week, with zero exposure."""
    weeks = weeks.assign(week_start=weeks["week_start"].astype("datetime64[s]"))
    span = weeks.groupby("athlete_id")["week_start"].agg(["min", "max"])
    grid = calendar(span["min"], span["max"], step_days=7).rename(columns={"date": "week_start"})
    full = grid.merge(weeks, on=["athlete_id", "week_start"], how="left")
    missing = full["week"].isna()
    full.loc[missing, "week"] = iso_week(full.loc[missing, "week_start"])
    counts = ["sessions", "hsr_m", "sprint_m", "near_max_sessions", "max_sessions"]
    full[counts] = full[counts].fillna(0)
    full["mss_ms"] = full.groupby("athlete_id")["mss_ms"].transform(lambda m: m.ffill().bfill())
    return full


def exposure_status(sessions: pd.DataFrame, injuries: pd.DataFrame, as_of: pd.Timestamp,
                    cfg: Settings, decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per athlete on `as_of`: MSS (staff `decisions` read first, lib.metrics.mss) and its age, days
    since near-max, coverage, acute:chronic (rolling and EWMA) for HSR and sprint, and chronic load
    as % of pre-injury."""
    daily = daily_load(sessions, as_of)
    mss = mss_table(sessions, as_of, injuries, cfg, decisions)
    rows = []
    for athlete, d in daily.groupby("athlete_id", sort=True):
        d = d.sort_values("date").reset_index(drop=True)
        last28 = d[d["date"] > as_of - pd.Timedelta(days=28)]
        coverage = int(last28["on_record"].sum())
        enough = coverage >= cfg.num("coverage_days")
        m = mss[mss["athlete_id"] == athlete]
        mss_ms = float(m["mss_ms"].iloc[0]) if len(m) else np.nan
        pct = pct_of_mss(d["max_speed"], mss_ms)
        near_days = d[(pct >= cfg.num("near_max_pct")).fillna(False).astype(bool)]["date"]
        max_days = d[(pct >= cfg.num("max_pct")).fillna(False).astype(bool)]["date"]
        row = {
            "athlete_id": athlete, "coverage_days": coverage, "enough_data": enough,
            "mss_ms": mss_ms, "mss_date": m["mss_date"].iloc[0] if len(m) else pd.NaT,
            "mss_age_days": int(m["mss_age_days"].iloc[0]) if len(m) else np.nan,
            "mss_confirmed_by": str(m["mss_confirmed_by"].iloc[0]) if len(m) else "",
            "last_near_max": near_days.max() if len(near_days) else pd.NaT,
            "days_since_near_max": (as_of - near_days.max()).days if len(near_days) else np.nan,
            "days_since_max": (as_of - max_days.max()).days if len(max_days) else np.nan,
            "last_session": d.loc[d["sessions"] > 0, "date"].max(),
        }
        for load in LOADS:
            # days not on record are missing, not rest: NaN so that no ratio reads them as zeros
            series = d[load].astype(float).where(d["on_record"].astype(bool))
            row[f"acute_{load}_m"] = float(series.tail(7).sum())
            row[f"chronic_{load}_week_m"] = weekly_on_record(d.tail(28), load)
            row.update(week_change(d, load))
            rolling = acwr_rolling(series) if enough and len(series) >= 28 else pd.Series([np.nan])
            ewma = acwr_ewma(series) if enough else pd.Series([np.nan])
            row[f"acwr_{load}_rolling"] = float(rolling.iloc[-1])
            row[f"acwr_{load}_ewma"] = float(ewma.iloc[-1])
        row.update(_pre_injury(d, injuries, athlete, as_of, last28))
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    method = str(cfg["acwr_method"])
    for load in LOADS:
        out[f"acwr_{load}"] = out[f"acwr_{load}_{method}"]
    return out


def acwr_figure(status: pd.Series | dict, load: str) -> float | None:
    """The one acute:chronic figure shown for an athlete on a date (board, athlete page, exposure
    page, PDF): the day's ratio by the `acwr_method` setting (`acwr_{load}` of `exposure_status`),
    as Williams 2017 and Gabbett 2016 compute it; None without enough GPS days (`coverage_days`) or
    a chronic load. (A peak of the daily ratio over 7 days is in no cited paper.)"""
    value = status.get(f"acwr_{load}")
    if not bool(status.get("enough_data", False)) or value is None or pd.isna(value):
        return None
    return float(value)


def weekly_on_record(days: pd.DataFrame, load: str) -> float:
    """A window's load as a weekly figure over its days on record: sum / days on record x 7 (metres
    per week; NaN with no day on record). Missing days are never read as zeros."""
    return _weekly(days[load].to_numpy(dtype=float), days["on_record"].to_numpy(dtype=bool))


def _weekly(values: np.ndarray, on_record: np.ndarray) -> float:
    on = int(on_record.sum())
    return float(np.nansum(values[on_record]) / on * 7) if on else np.nan


def week_change(d: pd.DataFrame, load: str) -> dict[str, float]:
    """The last 7 days against the 7 before, each as a weekly figure over its days on record (at
    least 4 of 7 each): change in % and in metres."""
    values, on = d[load].to_numpy(dtype=float), d["on_record"].to_numpy(dtype=bool)
    out = {f"{load}_week_change_pct": np.nan, f"{load}_week_increase_m": np.nan}
    if len(d) < 14 or on[-7:].sum() < 4 or on[-14:-7].sum() < 4:
        return out
    now, before = _weekly(values[-7:], on[-7:]), _weekly(values[-14:-7], on[-14:-7])
    out[f"{load}_week_increase_m"] = now - before
    out[f"{load}_week_change_pct"] = (now - before) / before * 100 if before > 0 else np.nan
    return out


def _pre_injury(d: pd.DataFrame, injuries: pd.DataFrame, athlete: str, as_of: pd.Timestamp,
                last28: pd.DataFrame) -> dict[str, float]:
    """Chronic weekly HSR and sprint over the 28 days before the episode's first injury, and the
    last 28 days as % of it, both as weekly figures over their days on record."""
    from lib.metrics.baselines import episode_start

    out = {"pre_injury_hsr_week_m": np.nan, "pre_injury_sprint_week_m": np.nan,
           "pct_pre_injury_hsr": np.nan, "pct_pre_injury_sprint": np.nan}
    inj = injuries[(injuries["athlete_id"] == athlete) & (injuries["injury_date"] <= as_of)]
    if inj.empty:
        return out
    when = episode_start(injuries, athlete, inj["injury_date"].max())
    window = d[(d["date"] < when) & (d["date"] >= when - pd.Timedelta(days=28))]
    if window["on_record"].sum() < 14:  # too little before the injury to call it a baseline
        return out
    for load in LOADS:
        pre, now = weekly_on_record(window, load), weekly_on_record(last28, load)
        out[f"pre_injury_{load}_week_m"] = pre
        out[f"pct_pre_injury_{load}"] = now / pre * 100 if pre > 0 else np.nan
    return out
