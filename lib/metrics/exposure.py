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
from pandas.api.indexers import BaseIndexer

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
    and whether the day is on record (see module doc). Athletes sorted, days oldest first; built
    with numpy over day numbers (no merge of a calendar)."""
    s = sessions[sessions["date"] <= as_of]
    cols = ["athlete_id", "date", "hsr", "sprint", "max_speed", "sessions", "on_record"]
    if s.empty:
        return pd.DataFrame(columns=cols)
    codes, uniques = pd.factorize(s["athlete_id"], sort=True)
    n = len(uniques)
    day = s["date"].to_numpy().astype("datetime64[D]").astype("int64")
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, codes, day)
    last = np.datetime64(pd.Timestamp(as_of).date(), "D").astype("int64")
    length = np.maximum(last - first + 1, 0)
    start = np.r_[0, np.cumsum(length)[:-1]]
    slot = start[codes] + (day - first[codes])  # the session's row in the calendar
    total = int(length.sum())
    # the columns as they are (a masked Float64 sums as it did grouped by athlete and date)
    g = pd.DataFrame({"hsr": s["hsr_distance_m"].array, "sprint": s["sprint_distance_m"].array,
                      "max_speed": s["max_speed_ms"].array}).groupby(slot, sort=True)
    per_day = g.agg(hsr=("hsr", "sum"), sprint=("sprint", "sum"), max_speed=("max_speed", "max"))
    per_day["sessions"] = g.size()
    at = per_day.index.to_numpy()
    out = pd.DataFrame({
        "athlete_id": pd.Series(np.repeat(np.asarray(uniques, dtype=object), length), dtype=object),
        "date": (np.repeat(first, length) + (np.arange(total) - np.repeat(start, length))).astype("datetime64[D]")
        .astype("datetime64[s]")})
    dtypes = {"hsr": s["hsr_distance_m"].dtype, "sprint": s["sprint_distance_m"].dtype,
              "max_speed": s["max_speed_ms"].dtype, "sessions": "Int64"}
    for col in ("hsr", "sprint", "max_speed", "sessions"):
        values = np.full(total, np.nan)
        values[at] = per_day[col].to_numpy(dtype=float, na_value=np.nan)
        out[col] = values if col != "max_speed" else pd.array(values).astype(dtypes[col])
    out["on_record"] = _on_record_days(~np.isnan(out["sessions"].to_numpy()), start, length, rest_gap_days)
    out[["hsr", "sprint", "sessions"]] = out[["hsr", "sprint", "sessions"]].fillna(0.0)
    return out.astype({c: dtypes[c] for c in ("hsr", "sprint", "sessions")})[cols]


def _on_record_days(has: np.ndarray, start: np.ndarray, length: np.ndarray, gap: int) -> np.ndarray:
    """Days with a session, plus gaps of at most `gap` days between two sessions of an athlete
    (each athlete's days consecutive from `start`, `length` of them; the first has a session)."""
    pos = np.arange(len(has))
    prev = np.maximum.accumulate(np.where(has, pos, -1))  # the athlete's first day has a session
    nxt = np.minimum.accumulate(np.where(has, pos, len(has))[::-1])[::-1]
    end = np.repeat(start + length, length)  # one past the athlete's last day
    inside = (nxt < end) & (nxt - prev - 1 <= gap)
    return has | inside


def acwr_rolling(daily: pd.Series) -> pd.Series:
    """Uncoupled rolling ratio: the last 7 days / days 8-28, each as a weekly figure over the days
    on record (a missing day is NaN, never a zero); blank until 28 days have passed."""
    acute = daily.rolling(7, min_periods=1).mean() * 7
    chronic = daily.shift(7).rolling(21, min_periods=1).mean() * 7
    full = pd.Series(np.arange(len(daily)) >= 27, index=daily.index)
    return (acute / chronic.replace(0, np.nan)).where(full)


EWMA_ACUTE_ALPHA, EWMA_CHRONIC_ALPHA = 2 / (7 + 1), 2 / (28 + 1)  # Williams 2017: lambda = 2/(N+1), N = 7 and 28 days


def ewma_parts(daily: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Acute and chronic EWMA of daily loads (Williams 2017): lambda_a = 2/(7+1) = 0.25, lambda_c =
    2/(28+1). A missing day (NaN) is skipped, not averaged in as a zero."""
    return (daily.ewm(alpha=EWMA_ACUTE_ALPHA, adjust=False).mean(),
            daily.ewm(alpha=EWMA_CHRONIC_ALPHA, adjust=False).mean())


def acwr_ewma(daily: pd.Series) -> pd.Series:
    """EWMA ratio (Williams 2017, `ewma_parts`): acute / chronic, NaN where chronic is 0."""
    acute, chronic = ewma_parts(daily)
    return acute / chronic.replace(0, np.nan)


def weekly_exposure(sessions: pd.DataFrame, as_of: pd.Timestamp, cfg: Settings,
                    injuries: pd.DataFrame | None = None, decisions: pd.DataFrame | None = None,
                    mss: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per athlete and ISO week: HSR and sprint metres, sessions, near-max and max sessions
    (vs MSS as of `as_of`, staff MSS `decisions` read first), the week's top speed, and week-to-week change %.
    `mss`: `mss_table` of the same sessions, date, injuries and decisions, when the caller has it."""
    s = sessions[sessions["date"] <= as_of]
    cols = ["athlete_id", "week", "week_start", "sessions", "hsr_m", "sprint_m", "near_max_sessions",
            "max_sessions", "top_speed_ms", "mss_ms", "hsr_change_pct", "sprint_change_pct", "spike"]
    if s.empty:
        return pd.DataFrame(columns=cols)
    mss = (mss_table(s, as_of, injuries, cfg, decisions) if mss is None else mss)[["athlete_id", "mss_ms"]]
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
    full["mss_ms"] = full.groupby("athlete_id")["mss_ms"].ffill()  # grouped fills: no Python call per athlete
    full["mss_ms"] = full.groupby("athlete_id")["mss_ms"].bfill()
    return full


def exposure_status(sessions: pd.DataFrame, injuries: pd.DataFrame, as_of: pd.Timestamp,
                    cfg: Settings, decisions: pd.DataFrame | None = None, mss: pd.DataFrame | None = None,
                    daily: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per athlete on `as_of`: MSS (staff `decisions` read first, lib.metrics.mss) and its age, days since near-max, coverage, acute:chronic
    (rolling and EWMA) for HSR and sprint, and chronic load as % of pre-injury. Every athlete in
    a few grouped passes over the daily series (no loop per athlete); the ratios are the
    values on `as_of`. `mss` and `daily`: `mss_table` and `daily_load` of the same sessions and date,
    when the caller has them."""
    daily = daily_load(sessions, as_of) if daily is None else daily
    if daily.empty:
        return pd.DataFrame()
    mss = mss_table(sessions, as_of, injuries, cfg, decisions) if mss is None else mss
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

    # every window summed below lies in the last 28 days: the sums run over those rows only (the
    # rows left out add 0.0, which changes no sum), in the same order
    tail = np.flatnonzero(from_end <= 28)
    tail_codes = codes[tail]

    def total(values: np.ndarray) -> np.ndarray:  # per athlete; `values` 0 before the last 28 days
        return np.bincount(tail_codes, weights=values[tail].astype(float), minlength=n)

    def weekly(values: np.ndarray, mask: np.ndarray) -> np.ndarray:  # `weekly_figure_of` per athlete over `mask`
        days = total(mask)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(days > 0, total(np.where(mask, np.nan_to_num(values), 0.0)) / days * 7, np.nan)

    def last_date(mask: np.ndarray) -> pd.Series:  # per athlete, NaT without a day in `mask`
        day = dates.to_numpy()
        latest = np.maximum.reduceat(np.where(mask, day.view(np.int64), np.iinfo(np.int64).min), first)
        return pd.Series(latest.view(day.dtype))  # (int64's minimum is NaT)

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
    # days not on record are missing, not rest: NaN so that no ratio reads them as zeros
    kept = pd.DataFrame({load: np.where(on, daily[load].to_numpy(dtype=float), np.nan) for load in LOADS})
    last = first + length - 1  # each athlete's as_of: the only day whose ratios are read
    rolling = _last_acwr_rolling(kept, first[codes], pos, last)
    rolling[~(enough[last] & (length >= 28))] = np.nan
    ewma = _last_acwr_ewma(kept, codes, last)
    ewma[~enough[last]] = np.nan
    for j, load in enumerate(LOADS):
        values = daily[load].to_numpy(dtype=float)
        out[f"acute_{load}_m"] = total(np.where(week, np.nan_to_num(kept[load].to_numpy()), 0.0))
        out[f"chronic_{load}_week_m"] = weekly(values, on & (from_end <= 28))
        now, before = weekly(values, on & week), weekly(values, on & before_week)
        ok = (length >= 14) & (total(on & week) >= 4) & (total(on & before_week) >= 4)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{load}_week_change_pct"] = np.where(ok & (before > 0), (now - before) / before * 100, np.nan)
        out[f"{load}_week_increase_m"] = np.where(ok, now - before, np.nan)
        out[f"acwr_{load}_rolling"] = rolling[:, j]
        out[f"acwr_{load}_ewma"] = ewma[:, j]
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


def acwr_figure(status: pd.Series | dict, load: str) -> float | None:
    """The one acute:chronic figure shown for an athlete on a date (board, athlete page, exposure
    page, PDF): the day's ratio by the `acwr_method` setting (`acwr_{load}` of `exposure_status`),
    as Williams 2017 and Gabbett 2016 compute it; None without enough GPS days (`coverage_days`) or
    a chronic load. (A peak of the daily ratio over 7 days is in no cited paper.)"""
    value = status.get(f"acwr_{load}")
    if not bool(status.get("enough_data", False)) or value is None or pd.isna(value):
        return None
    return float(value)


def _maybe_int(values: np.ndarray) -> np.ndarray:
    """Whole days as int64 when none is missing (as a frame built from ints would hold them)."""
    return values.astype("int64") if len(values) and not np.isnan(values).any() else values


class _Windows(BaseIndexer):
    """Given window bounds (`start`, `end` per row) for pandas' rolling: every athlete's windows
    in one pass, as `groupby(...).rolling(...)` builds them, without its Python loop per athlete."""

    def __init__(self, start: np.ndarray, end: np.ndarray) -> None:
        super().__init__()
        self.start, self.end = start, end

    def get_window_bounds(self, num_values: int = 0, min_periods: int | None = None, center: bool | None = None,
                          closed: str | None = None, step: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        return self.start, self.end


def _last_acwr_rolling(kept: pd.DataFrame, start: np.ndarray, pos: np.ndarray, last: np.ndarray) -> np.ndarray:
    """`acwr_rolling` of every athlete's daily series (the columns of `kept`, athletes' days
    consecutive; `start`: the row of each day's athlete's first day, `pos`: the day's place in its
    series) on the rows `last`. The windows are the grouped rolling's (7 days and, shifted by 7, 21
    days, never before the athlete's first day), so the sums are the same, bit for bit."""
    row = np.arange(len(kept), dtype=np.int64)
    acute = kept.rolling(_Windows(np.maximum(row - 6, start), row + 1), min_periods=1).mean().to_numpy()[last] * 7
    shifted = np.full(kept.shape, np.nan)
    later = np.flatnonzero(pos >= 7)
    shifted[later] = kept.to_numpy()[later - 7]
    chronic = pd.DataFrame(shifted).rolling(_Windows(np.maximum(row - 20, start), row + 1), min_periods=1).mean() \
        .to_numpy()[last] * 7
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = acute / np.where(chronic == 0, np.nan, chronic)
    return np.where((pos[last] >= 27)[:, None], ratio, np.nan)


def _last_acwr_ewma(kept: pd.DataFrame, codes: np.ndarray, last: np.ndarray) -> np.ndarray:
    """`acwr_ewma` of every athlete's daily series (the columns of `kept`) on the rows `last`:
    one grouped EWMA per smoothing constant over all the loads at once."""
    g = kept.groupby(codes, sort=False)
    acute = g.ewm(alpha=EWMA_ACUTE_ALPHA, adjust=False).mean().to_numpy()[last]
    chronic = g.ewm(alpha=EWMA_CHRONIC_ALPHA, adjust=False).mean().to_numpy()[last]
    with np.errstate(invalid="ignore", divide="ignore"):
        return acute / np.where(chronic == 0, np.nan, chronic)


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


def weekly_on_record(days: pd.DataFrame, load: str) -> float:
    """A window's load as a weekly figure over its days on record: sum / days on record x 7 (metres
    per week; NaN with no day on record). Missing days are never read as zeros."""
    return weekly_figure_of(days[load].to_numpy(dtype=float), days["on_record"].to_numpy(dtype=bool))


def weekly_figure_of(values: np.ndarray, on_record: np.ndarray) -> float:
    """`weekly_on_record` over a window's daily values and on-record flags (arrays)."""
    on = int(on_record.sum())
    return float(np.nansum(values[on_record]) / on * 7) if on else np.nan


def week_change(d: pd.DataFrame, load: str) -> dict[str, float]:
    """The last 7 days against the 7 before, each as a weekly figure over its days on record (at
    least 4 of 7 each): change in % and in metres."""
    return week_change_of(d[load].to_numpy(dtype=float), d["on_record"].to_numpy(dtype=bool), load)


def week_change_of(values: np.ndarray, on_record: np.ndarray, load: str) -> dict[str, float]:
    """`week_change` over one athlete's daily values and on-record flags (oldest first, to the day)."""
    out = {f"{load}_week_change_pct": np.nan, f"{load}_week_increase_m": np.nan}
    if len(values) < 14 or on_record[-7:].sum() < 4 or on_record[-14:-7].sum() < 4:
        return out
    now, before = weekly_figure_of(values[-7:], on_record[-7:]), weekly_figure_of(values[-14:-7], on_record[-14:-7])
    out[f"{load}_week_increase_m"] = now - before
    out[f"{load}_week_change_pct"] = (now - before) / before * 100 if before > 0 else np.nan
    return out

