"""High-velocity exposure page, computed: weekly HSR, sprint and near-max sessions per athlete with
spikes flagged, the per-athlete table on a date, and the daily acute:chronic series.

Loads and ratios come from lib.exposure (weekly_exposure, exposure_status, daily_load, acwr_ewma,
acwr_rolling); thresholds from the settings table. This module words and orders them for the
screen. Every number is pinned by tests/views/test_views_exposure.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.core.acwr_words import (  # noqa: F401 - the one wording of a ratio (lib.core.acwr_words), callers import it here
    BAND_ICONS, BANDS, NOT_ENOUGH, acwr_band, acwr_cell, ratio_cell,
)
from lib.core.units import speed_shown as speed  # the one conversion (lib.core.units)
from lib.metrics.exposure import (ACWR_CAVEAT, LOADS, acwr_figure, daily_load, exposure_status,
                                  weekly_exposure)
from lib.metrics.mss import mss_and_artefacts
from lib.views.exposure_ratios import LOAD_NAMES, daily_ratios
from lib.readiness import Data
from lib.core.provenance import source_ref
from lib.core.settings import BY_NAME, Settings
from lib.views import ALL_SQUADS, column
from lib.views.hops import injury_label, squad_ids
from lib.views.source_rows import source_rows, source_rows_by  # noqa: F401 - callers import them here

SPIKE = "▲"
GAPS = "◌"
METHOD_NAMES = {"ewma": "EWMA 7/28 days (Williams 2017)", "rolling": "rolling 7 days ÷ days 8-28 (uncoupled)"}
METHOD_SHORT = {"ewma": "EWMA", "rolling": "rolling 7:21"}


# ----------------------------------------------------------------------------- words and units

def acwr_on(status: pd.Series | dict, load: str) -> float | None:
    """The acute:chronic every page shows for an athlete on a date (exposure page, athlete page):
    the board's figure, lib.metrics.exposure.acwr_figure (the day's ratio, method per setting),
    None without enough GPS days (`coverage_days`) or a chronic load."""
    return acwr_figure(status, load)


def acwr_bands(cfg: Settings, top: float = 3.0) -> pd.DataFrame:
    """The four acute:chronic bands with their edges and the settings' sources (for the chart)."""
    low, high, spike = cfg.num("acwr_low"), cfg.num("acwr_high"), cfg.num("acwr_spike")
    return pd.DataFrame({
        "band": list(BANDS), "lo": [0.0, low, high, spike], "hi": [low, high, spike, max(top, spike + 0.5)],
        "label": [f"{BAND_ICONS[b]} {b}" for b in BANDS],
        "source": [BY_NAME[n].source for n in ("acwr_low", "acwr_high", "acwr_spike", "acwr_spike")],
    })


def _sessions(data: Data, squad: str, as_of: dt.date, athlete_id: str | None = None) -> pd.DataFrame:
    s = data.sessions
    keep = s["athlete_id"].astype(str).isin(squad_ids(data, squad)) & (s["date"] <= pd.Timestamp(as_of))
    if athlete_id is not None:
        keep &= s["athlete_id"] == athlete_id
    return s[keep]


@dataclass(frozen=True)
class _Parts:
    """What every table of the page reads, computed once: the squad's sessions up to the date, the
    MSS rules' table and artefacts (one pass), the daily loads and the athletes' names (`_names`)."""

    sessions: pd.DataFrame
    mss: pd.DataFrame
    artefacts: pd.DataFrame
    daily: pd.DataFrame
    names: pd.DataFrame


def _parts(data: Data, as_of: dt.date, cfg: Settings, squad: str) -> _Parts:
    sessions, day = _sessions(data, squad, as_of), pd.Timestamp(as_of)
    mss, artefacts = mss_and_artefacts(sessions, day, data.injuries, cfg, data.mss_confirmations)
    return _Parts(sessions, mss, artefacts, daily_load(sessions, day), _names(data, as_of))


@dataclass(frozen=True)
class ExposureOverview:
    """The exposure page on a date (`exposure_overview`): the weeks of the heatmaps, the table on
    the date, the spike notes and the max speeds that do not count as MSS."""

    weeks: pd.DataFrame
    table: pd.DataFrame
    notes: list[str]
    excluded: pd.DataFrame


def exposure_overview(data: Data, as_of: dt.date, cfg: Settings, squad: str = ALL_SQUADS) -> ExposureOverview:
    """`exposure_weeks`, `exposure_table`, `spike_notes` and `mss_exclusions` of the squad on `as_of`
    from one pass of the MSS rules and one of the daily loads (each function alone computes its own)."""
    parts = _parts(data, as_of, cfg, squad)
    weeks, table = _weeks(data, as_of, cfg, parts), _table(data, as_of, cfg, squad, parts)
    return ExposureOverview(weeks, table, spike_notes(table, weeks, as_of, cfg), _exclusions(data, as_of, cfg, parts))


def _names(data: Data, as_of: dt.date) -> pd.DataFrame:
    """athlete_id, name, returning, injury and display order (returning first, then name)."""
    day = pd.Timestamp(as_of)
    a = data.athletes[["athlete_id", "name"]].astype(str)
    active = _active_injuries(data.injuries, day)
    inj = [active.get(aid) for aid in a["athlete_id"]]
    a = a.assign(returning=[i is not None for i in inj], injury=[injury_label(i) for i in inj])
    a = a.sort_values(["returning", "name"], ascending=[False, True]).reset_index(drop=True)
    return a.assign(order=range(len(a)), label=np.where(a["returning"], a["name"] + " (rehab)", a["name"]))


def _active_injuries(injuries: pd.DataFrame, day: pd.Timestamp) -> dict[str, dict[str, object]]:
    """Per athlete, `active_injury(injuries, athlete, day)` for every athlete in one pass: the latest
    injury on or before `day` not yet cleared on it (the same rows, in the same stable order)."""
    rows = injuries[(injuries["injury_date"] <= day) & (injuries["cleared_date"].isna() | (injuries["cleared_date"] > day))]
    last = rows.sort_values("injury_date", kind="stable").groupby("athlete_id", sort=False).tail(1)
    return {str(aid): row for aid, row in zip(last["athlete_id"], last.to_dict("records"))}


# ----------------------------------------------------------------------------- daily acute:chronic

def daily_acwr(data: Data, as_of: dt.date, cfg: Settings, squad: str = ALL_SQUADS,
               athlete_id: str | None = None) -> pd.DataFrame:
    """One row per athlete, day and load (HSR, sprint): the acute:chronic ratio (method per the
    `acwr_method` setting) on daily sums, blank where the 28 days up to that day hold fewer than
    `coverage_days` on record; with the band, last-7-day and 28-day weekly loads and the day's
    source rows."""
    sessions = _sessions(data, squad, as_of, athlete_id)
    cols = ["athlete_id", "date", "load", "ratio", "band", "acute_m", "chronic_week_m", "coverage_days",
            "sessions", "sources"]
    out = daily_ratios(sessions, as_of, cfg, detail=True)
    if out.empty:
        return pd.DataFrame(columns=cols)
    src = source_rows_by(sessions, ["athlete_id", "date"]).rename("sources")
    out = out.merge(src.reset_index().astype({"athlete_id": str}), on=["athlete_id", "date"], how="left")
    out = out.assign(band=[acwr_band(r, cfg) for r in out["ratio"]], sources=out["sources"].fillna("no session"))
    return out[cols].sort_values(["athlete_id", "load", "date"]).reset_index(drop=True)


# ----------------------------------------------------------------------------- weeks

def _week_start(dates: pd.Series) -> pd.Series:
    return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")


def exposure_weeks(data: Data, as_of: dt.date, cfg: Settings, squad: str = ALL_SQUADS) -> pd.DataFrame:
    """One row per athlete and ISO week: HSR and sprint metres, sessions and near-max sessions
    (lib.exposure.weekly_exposure), days on record, and a spike flag per load with its reason:
    week-to-week change above `week_change_spike` (only between two weeks without gaps: missing
    days are not rest days), or the week's peak daily acute:chronic at or above `acwr_spike`."""
    return _weeks(data, as_of, cfg, _parts(data, as_of, cfg, squad))


def _weeks(data: Data, as_of: dt.date, cfg: Settings, parts: _Parts) -> pd.DataFrame:
    day, sessions = pd.Timestamp(as_of), parts.sessions
    weeks = weekly_exposure(sessions, day, cfg, data.injuries, data.mss_confirmations, mss=parts.mss)
    if weeks.empty:
        return weeks
    daily = parts.daily.assign(athlete_id=lambda d: d["athlete_id"].astype(str))
    daily = daily.assign(week_start=_week_start(daily["date"]))
    record = daily.groupby(["athlete_id", "week_start"])["on_record"].sum().rename("days_on_record")
    peaks = daily_ratios(sessions, as_of, cfg, daily=parts.daily)
    peaks = (peaks.assign(week_start=_week_start(peaks["date"]))
             .pivot_table(index=["athlete_id", "week_start"], columns="load", values="ratio", aggfunc="max"))
    peaks = peaks.rename(columns={n: f"{k}_acwr_peak" for k, n in LOAD_NAMES.items()})
    weeks = weeks.assign(athlete_id=weeks["athlete_id"].astype(str))
    weeks = weeks.join(record, on=["athlete_id", "week_start"]).join(peaks, on=["athlete_id", "week_start"])
    for load in LOADS:
        if f"{load}_acwr_peak" not in weeks:
            weeks[f"{load}_acwr_peak"] = np.nan
    elapsed = ((day - weeks["week_start"]).dt.days + 1).clip(upper=7)
    weeks = weeks.assign(
        days_on_record=weeks["days_on_record"].fillna(0).astype(int), days_in_week=elapsed.astype(int),
        no_data=weeks["days_on_record"].fillna(0) == 0,
        gaps=weeks["days_on_record"].fillna(0) < elapsed * cfg.num("coverage_days") / 28)
    prev_gaps = weeks.groupby("athlete_id")["gaps"].shift(1, fill_value=True)
    limit, spike = cfg.num("week_change_spike"), cfg.num("acwr_spike")
    for load in LOADS:
        change = weeks[f"{load}_change_pct"].astype(float)
        by_change = (change > limit) & ~weeks["gaps"] & ~prev_gaps
        by_ratio = weeks[f"{load}_acwr_peak"].astype(float) >= spike
        weeks[f"{load}_spike"] = by_change | by_ratio
        weeks[f"{load}_why"] = [
            "; ".join(([f"+{c:.0f}% on the week before (> {limit:.0f}%)"] if bc else [])
                      + ([f"acute:chronic peak {r:.2f} (>= {spike:.2f})"] if br else []))
            for c, r, bc, br in zip(change, weeks[f"{load}_acwr_peak"], by_change, by_ratio)]
    weeks["spike"] = weeks["hsr_spike"] | weeks["sprint_spike"]
    for col, load in (("hsr_m", "hsr"), ("sprint_m", "sprint")):
        weeks[f"{load}_text"] = [_cell_text(v, s, nd, g) for v, s, nd, g in
                                 zip(weeks[col], weeks[f"{load}_spike"], weeks["no_data"], weeks["gaps"])]
    weeks["near_max_text"] = [_cell_text(v, False, nd, g) for v, nd, g in
                              zip(weeks["near_max_sessions"], weeks["no_data"], weeks["gaps"])]
    weeks = weeks.assign(**{c: weeks[c].astype(float).where(~weeks["no_data"])
                            for c in ("hsr_m", "sprint_m", "near_max_sessions")})
    srcs = sessions.assign(athlete_id=sessions["athlete_id"].astype(str), week_start=_week_start(sessions["date"]))
    srcs = source_rows_by(srcs, ["athlete_id", "week_start"]).rename("sources")
    names = parts.names[["athlete_id", "name", "label", "order", "returning"]]
    weeks = weeks.join(srcs, on=["athlete_id", "week_start"]).merge(names, on="athlete_id", how="left")
    partial = weeks["days_in_week"] < 7
    unit = str(cfg["speed_unit"])
    weeks = weeks.assign(
        sources=weeks["sources"].fillna("no session"),
        top_speed=[np.nan if pd.isna(v) else round(speed(v, unit), 2) for v in weeks["top_speed_ms"]],
        week_label=[f"{d.day} {d:%b}" + (" (to date)" if p else "") for d, p in zip(weeks["week_start"], partial)])
    return weeks.sort_values(["order", "week_start"]).reset_index(drop=True)


def _cell_text(value: float, spike: bool, no_data: bool, gaps: bool) -> str:
    """What a heatmap cell says: `1180 ▲` for a spike, `◌` after a week with gaps, `no GPS`."""
    if no_data:
        return "no GPS"
    return f"{value:.0f}" + (f" {SPIKE}" if spike else "") + (f" {GAPS}" if gaps else "")


# ----------------------------------------------------------------------------- table on a date

STATUS_COLUMNS = ("coverage_days", "enough_data", "mss_ms", "mss_age_days", "days_since_near_max", "acwr_hsr",
                  "acwr_sprint", "pct_pre_injury_hsr", "pct_pre_injury_sprint")


def mss_exclusions(data: Data, as_of: dt.date, cfg: Settings, squad: str = ALL_SQUADS) -> pd.DataFrame:
    """Max speeds that do not count as MSS (above the ceiling, or not confirmed by a second session
    within 3%), per athlete with the speed in the team's unit, why, and the source row."""
    return _exclusions(data, as_of, cfg, _parts(data, as_of, cfg, squad))


def _exclusions(data: Data, as_of: dt.date, cfg: Settings, parts: _Parts) -> pd.DataFrame:
    out = parts.artefacts
    names = parts.names.set_index("athlete_id")["name"]
    unit = str(cfg["speed_unit"])
    return pd.DataFrame({
        "Athlete": [names.get(str(a), str(a)) for a in out["athlete_id"]],
        "Date": [f"{d:%Y-%m-%d}" for d in out["date"]],
        f"Max speed {unit}": [round(speed(v, unit), 2) for v in out["max_speed_ms"]],
        "Why it does not count": out["why"].astype(str),
        "Source": [source_ref(f, r) for f, r in zip(out["source_file"], out["source_row"])],
    })


def exposure_table(data: Data, as_of: dt.date, cfg: Settings, squad: str = ALL_SQUADS) -> pd.DataFrame:
    """Per athlete of the squad on `as_of`: MSS in the team's speed unit and its age, days since the
    last >= near_max_pct effort, days on record of 28, acute:chronic HSR and sprint (the day's
    ratio, method per setting: `acwr_on`) with band words, and chronic HSR and sprint as % of the
    pre-injury level for athletes returning from an injury. Returning athletes first."""
    return _table(data, as_of, cfg, squad, _parts(data, as_of, cfg, squad))


def _table(data: Data, as_of: dt.date, cfg: Settings, squad: str, parts: _Parts) -> pd.DataFrame:
    unit, stale = str(cfg["speed_unit"]), cfg.num("mss_max_age")
    status = exposure_status(parts.sessions, data.injuries, pd.Timestamp(as_of), cfg, data.mss_confirmations,
                             mss=parts.mss, daily=parts.daily)
    status = status.reindex(columns=["athlete_id", *STATUS_COLUMNS]).astype({"athlete_id": str})
    names = parts.names
    rows = names[names["athlete_id"].isin(squad_ids(data, squad))].merge(status, on="athlete_id", how="left")
    gps = rows["coverage_days"].notna().to_numpy()
    enough = rows["enough_data"].astype("boolean").fillna(False).astype(bool).to_numpy()
    returning = rows["returning"].astype(bool)

    def ratio_cells(col: str) -> list[str]:
        return [ratio_cell(r, cfg, e) if g else "no GPS" for r, e, g in zip(rows[col], enough, gps)]

    out = pd.DataFrame({
        "athlete_id": rows["athlete_id"], "Athlete": rows["label"],
        "MSS": [np.nan if pd.isna(v) else round(speed(v, unit), 2) for v in rows["mss_ms"]],
        "MSS age": ["" if pd.isna(a) else f"{a:.0f} d" + (" ⚠" if a > stale else "") for a in rows["mss_age_days"]],
        "Since near-max": rows["days_since_near_max"].astype(float),
        "Days on record": [f"{c:.0f}/28" + ("" if e else " ⚠") if g else "no GPS"
                           for c, e, g in zip(rows["coverage_days"], enough, gps)],
        "A:C HSR": ratio_cells("acwr_hsr"), "A:C sprint": ratio_cells("acwr_sprint"),
        "HSR % pre-injury": rows["pct_pre_injury_hsr"].astype(float).where(returning).round(0),
        "Sprint % pre-injury": rows["pct_pre_injury_sprint"].astype(float).where(returning).round(0),
        "name": rows["name"], "has_gps": gps, "returning": returning, "enough_data": enough,
        **{f"acwr_{load}": [np.nan if not g or (v := acwr_on(r, load)) is None else v
                            for r, g in zip(rows.to_dict("records"), gps)] for load in LOADS},
    })
    spike = cfg.num("acwr_spike")
    return out.assign(spike=(out["acwr_hsr"] >= spike) | (out["acwr_sprint"] >= spike)).reset_index(drop=True)


def spike_notes(table: pd.DataFrame, weeks: pd.DataFrame, as_of: dt.date, cfg: Settings) -> list[str]:
    """One entry per athlete with a spike on `as_of`: acute:chronic (the day's ratio) at or above
    `acwr_spike`, and the flagged week-to-week rise of the latest week, when that week ends
    within the 7 days up to `as_of` (a later as-of date does not repeat last month's rise),
    e.g. `Kwame Asante (A:C HSR 2.16, sprint 2.76; HSR +151%, sprint +544% in the week of 16 Nov)`."""
    spike = cfg.num("acwr_spike")
    latest = weeks[weeks["week_start"] == weeks["week_start"].max()] if len(weeks) else weeks
    if len(latest) and latest["week_start"].iloc[0] + pd.Timedelta(days=6) < pd.Timestamp(as_of) - pd.Timedelta(days=6):
        latest = latest.iloc[0:0]  # the week ended more than 7 days before the as-of date
    # the latest week's row per athlete, once (the first, as the table's filter took it)
    weekly = {aid: i for i, aid in reversed(list(enumerate(latest["athlete_id"].tolist())))}
    week_cols = {c: latest[c].tolist() for c in
                 ("week_start", *(f"{k}_{part}" for k in LOADS for part in ("change_pct", "spike", "why")))}
    ratio_cols = {k: table[f"acwr_{k}"].tolist() for k in LOADS}
    notes = []
    for n, (aid, name) in enumerate(zip(table["athlete_id"].tolist(), table["name"].tolist())):
        ratios = [f"{LOAD_NAMES[k]} {ratio_cols[k][n]:.2f}" for k in LOADS if ratio_cols[k][n] >= spike]
        parts = ["A:C " + ", ".join(ratios)] if ratios else []
        i = weekly.get(aid)
        changes = [] if i is None else [
            f"{LOAD_NAMES[k]} {week_cols[f'{k}_change_pct'][i]:+.0f}%" for k in LOADS
            if week_cols[f"{k}_spike"][i] and "on the week before" in week_cols[f"{k}_why"][i]]
        if changes:
            parts.append(", ".join(changes) + f" in the week of {week_cols['week_start'][i]:%d %b}")
        if parts:
            notes.append(f"{name} ({'; '.join(parts)})")
    return notes


TABLE_ORDER = ["Athlete", "MSS", "MSS age", "Since near-max", "Days on record", "A:C HSR", "A:C sprint",
               "HSR % pre-injury", "Sprint % pre-injury"]


def table_columns(cfg: Settings) -> dict[str, dict[str, object]]:
    """The exposure table's columns, each with its unit and the thresholds behind its marks."""
    unit = str(cfg["speed_unit"])
    near = cfg.num("near_max_pct")
    ratio_help = (f"Highest daily acute:chronic of the last 7 days ({method_label(cfg)}): "
                  f"▽ < {cfg.num('acwr_low'):g} under-loaded · ● typical · △ ≥ {cfg.num('acwr_high'):g} high · "
                  f"▲ ≥ {cfg.num('acwr_spike'):g} spike (Gabbett 2016). Descriptive, not predictive.")
    pre_help = ("% of pre-injury: chronic weekly load (last 28 days) as % of the 28 days before the injury; "
                "returning athletes only")
    return {
        "Athlete": column(width=158, help="(rehab): returning from an active injury"),
        "MSS": column("number", label=f"MSS {unit}", format="%.1f" if unit == "km/h" else "%.2f", width=62,
                      help="Maximal sprint speed: highest session max speed on record"),
        "MSS age": column(width=62, help=f"Days since the MSS was set; ⚠ stale after {cfg.num('mss_max_age'):.0f} d "
                                          "(re-test every 6-8 weeks)"),
        "Since near-max": column("number", label=f"≥{near:.0f}%", format="%d d", width=62,
                                 help=f"Days since the last session at ≥ {near:.0f}% of MSS (Malone 2017: healthy "
                                      "athletes at least once per 7 days)"),
        "Days on record": column(label="GPS days", width=60, help=(
            f"Days of the last 28 with GPS on record (sessions and short rest gaps); ⚠ below "
            f"{cfg.num('coverage_days'):.0f}: the ratios say 'not enough data'")),
        "A:C HSR": column(width=130, help=ratio_help), "A:C sprint": column(width=130, help=ratio_help),
        "HSR % pre-injury": column("progress", label="HSR pre", format="%.0f%%", min_value=0, max_value=100,
                                   width=72, help=pre_help),
        "Sprint % pre-injury": column("progress", label="Sprint pre", format="%.0f%%", min_value=0, max_value=100,
                                      width=72, help=pre_help),
    }


def ratio_note(cfg: Settings) -> str:
    """The caption under the acute:chronic chart."""
    return (f"{method_label(cfg)}: daily ratio on daily sums of HSR and sprint metres; blank where fewer than "
            f"{cfg.num('coverage_days'):.0f} of the 28 days are on record. {ACWR_CAVEAT}")


def method_label(cfg: Settings, short: bool = False) -> str:
    """The acute:chronic method in words, e.g. `EWMA 7/28 days (Williams 2017)` (short: `EWMA`)."""
    return (METHOD_SHORT if short else METHOD_NAMES)[str(cfg["acwr_method"])]


def definitions(cfg: Settings) -> str:
    """One sentence naming the zones and what marks a spike, in the team's speed unit."""
    unit = str(cfg["speed_unit"])
    hsr, sprint = (f"{speed(cfg.num(n), unit):.1f}" for n in ("hsr_speed", "sprint_speed"))
    return (f"HSR = distance at ≥ {hsr} {unit}, sprint = at ≥ {sprint} {unit} (Bradley 2009 bands), summed per ISO "
            f"week. {SPIKE} spike: a rise of more than {cfg.num('week_change_spike'):.0f}% on the week before "
            f"(two weeks without gaps), or acute:chronic ≥ {cfg.num('acwr_spike'):g} ({method_label(cfg)}). "
            f"{GAPS} days missing that week: missing days are not rest days.")


def default_athlete(table: pd.DataFrame, selected: str | None) -> str | None:
    """The athlete the acute:chronic chart opens on: the one chosen elsewhere, else the first with a
    spike, else the first returning athlete, else the first with GPS data."""
    gps = table[table["has_gps"]]
    if gps.empty:
        return None
    if selected is not None and selected in set(gps["athlete_id"]):
        return selected
    for mask in (gps["spike"], gps["returning"]):
        if mask.any():
            return str(gps.loc[mask, "athlete_id"].iloc[0])
    return str(gps["athlete_id"].iloc[0])


def athlete_choices(table: pd.DataFrame) -> dict[str, str]:
    """Athlete id -> label for the acute:chronic picker (athletes with GPS data, table order)."""
    gps = table[table["has_gps"]]
    return dict(zip(gps["athlete_id"].astype(str), gps["Athlete"].astype(str)))
