"""The weekly high-velocity plan, computed: one ISO week of HSR metres, sprint metres and efforts
at or above 80/90/95% MSS for a returning athlete, spread over the week's training days, and the
same numbers held against the GPS once it arrives (lib.metrics.plan_actual).

Pure pandas over lib.exposure's daily loads (no store, no board): lib.plan adds the tier, the
store and the JSON; the ISO weeks and the athlete's days a plan reads are lib.metrics.planning_weeks.
Conventions (every threshold is a setting or a named constant with its source):

- **Speed cap**: the tier's `max_pct_mss` (lib.rules.TIERS). A zone is reachable in a session only
  when cap x MSS reaches its lower edge (`hsr_speed`, `sprint_speed`, m/s): a tier-3 athlete with an
  MSS of 8.6 m/s (80% = 6.88 m/s) plans no sprint metres. Tier 1 (control) plans no running load.
- **High-velocity day**: a session at or above `HV_PCT` (80%) of MSS. Tiers 3-5 plan
  `HV_SESSIONS` of them, never on consecutive days (the seed article's built-in rest), on the
  athlete's habitual fastest training days. Other training days are runs at <= `RUN_PCT` (70%) MSS.
- **Training days**: the weekdays with a session that moved (max speed or distance > 0) in at
  least 2 of the 4 weeks before; without such a history, Tuesday to Saturday.
- **Load**: the week's HSR (and sprint) metres = last week's weekly figure (sum / days on record
  x 7, as the board's week-to-week change reads it) x (1 + `plan_weekly_increment`), at most the
  pre-injury weekly level (Taberner 2019: back to the pre-injury chronic load); from nothing, a
  first week of `plan_weekly_increment` % of the pre-injury level. HSR is split over the days that
  can carry it, a high-velocity day taking twice a run day's share; sprint metres go to the
  high-velocity days, equally. Metres are whole (rounded down per day).
- **Spike-safe**: the planned week's daily EWMA acute:chronic (lib.exposure.acwr_ewma, as on the
  board) stays at or below `acwr_high` (1.3, the typical band's upper edge) for HSR and sprint;
  where the past weeks alone keep the ratio above it, loading starts the day after it falls back.
  The week-to-week increase stays within `plan_weekly_increment`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.core.errors import ReturnToSpeedError
from lib.metrics.exposure import LOADS
from lib.core.rules import TIER_SOURCE, TIERS
from lib.core.settings import BY_NAME, Settings
from lib.metrics.plan_spikes import spike_safe_scale, week_ratios
from lib.metrics.planning_weeks import (  # noqa: F401 - the plan's callers read the calendar here
    History, fastest_weekdays, plan_week_for, training_weekdays, week_dates, week_label, week_monday,
)

HV_PCT = 80.0  # a high-velocity day: a session at or above 80% MSS (issue 17, "Precisely")
RUN_PCT = 70.0  # a run day between high-velocity days stays at tier 2's ceiling (<= 70% MSS)
CONTROL_PCT = 60.0  # tier 1: control work only
HV_SESSIONS = 2  # high-velocity sessions a week at tiers 3-5
HV_WEIGHT, RUN_WEIGHT = 2, 1  # a high-velocity day's share of the week's HSR against a run day's
EFFORT_LEVELS = (80, 90, 95)
RHYTHM_SOURCE = ("practice default (no published threshold): two high-velocity sessions a week with a lighter "
                 "day between; seed article: objective criteria and built-in rest, planned progressions")
ZONE_SOURCE = BY_NAME["hsr_speed"].source
LOAD_WORDS = {"hsr": "HSR", "sprint": "sprint"}
# session suggestions per tier, drawn from the method (seed article; domain reference tiers)
SESSION_WORDS: dict[int, dict[str, str]] = {
    1: {"control": "control: low-speed technique, pain-free range, single-leg strength"},
    2: {"run": "run <= 70% MSS: short submaximal accelerations"},
    3: {"hv": "80% MSS runs, light resisted sprints, low plyometrics with landing control",
        "run": "run <= 70% MSS: accelerations over short distances"},
    4: {"hv": "90% MSS: bounds, reactive drills, change of direction",
        "run": "run <= 70% MSS: accelerations over short distances, low plyometrics"},
    5: {"hv": "95% MSS max-velocity exposure, full training",
        "run": "run <= 70% MSS: accelerations, change of direction"},
}
SUGGESTIONS: dict[int, str] = {
    1: "No high-velocity work: low-speed technique, pain-free range, single-leg strength. No maximal efforts.",
    2: "Running up to 60-70% MSS; submaximal accelerations over short distances (10-20 m). No maximal efforts.",
    3: "80% MSS runs; light resisted sprints (sled); low plyometrics with landing control. No efforts above 80% MSS.",
    4: "90% MSS runs; bounds and reactive drills; change of direction. No maximal (95%+) efforts yet.",
    5: "95-100% MSS max-velocity exposures (at least one >= 90% MSS per 7 days, Malone 2017); full training.",
}
DAY_COLUMNS = ["date", "kind", "session", "hsr_m", "sprint_m", "max_pct_mss"]


class PlanError(ReturnToSpeedError):
    """A plan cannot be made or saved (no such athlete, not returning, a bad file)."""


# ------------------------------------------------------------------------------------ the week

@dataclass
class WeekPlan:
    """A planned week: the days (DAY_COLUMNS), totals, efforts and the reasons behind each number."""

    week: str
    tier: int
    speed_cap_pct_mss: float
    days: pd.DataFrame
    reasons: list[dict[str, object]] = field(default_factory=list)

    @property
    def hsr_m(self) -> float:
        return float(self.days["hsr_m"].sum())

    @property
    def sprint_m(self) -> float:
        return float(self.days["sprint_m"].sum())

    @property
    def efforts(self) -> dict[str, int]:
        return efforts(self.days["max_pct_mss"])


def efforts(max_pct: pd.Series) -> dict[str, int]:
    """Sessions reaching at least 80, 90 and 95% MSS (so the counts never increase from 80 to 95)."""
    pct = pd.to_numeric(max_pct, errors="coerce").astype(float)
    return {str(level): int((pct >= level).sum()) for level in EFFORT_LEVELS}


def reason(metric: str, message: str, source: str, value: object = None) -> dict[str, object]:
    """One reason behind a planned number, with its source."""
    return {"metric": metric, "message": message, "source": source, "value": value}


def plan_week(history: History, week: str, tier: int, mss: float, pre_injury: dict[str, float], cfg: Settings,
              done_until: pd.Timestamp | None = None) -> WeekPlan:
    """The proposal for `week`: days, metres and efforts for a returning athlete at `tier` with
    maximal sprint speed `mss` (m/s) and pre-injury weekly loads `pre_injury` (m/week by load, NaN
    when unknown). Days up to `done_until` (inside the week) are what the history says happened."""
    p = planned_days(history, week, tier, mss, pre_injury, cfg, done_until)
    days = pd.DataFrame({"date": p.dates, "kind": p.kind, "session": p.session, "hsr_m": p.hsr_m,
                         "sprint_m": p.sprint_m, "max_pct_mss": p.max_pct_mss})
    return WeekPlan(week, tier, float(TIERS[tier - 1].max_pct_mss), days, p.reasons)


@dataclass
class PlannedDays:
    """A proposed week's days as lists and arrays (WeekPlan.days' columns), and the reasons: what a
    projection appends to the history, week after week, without building a table."""

    dates: list[pd.Timestamp]
    kind: list[str]
    session: list[str | None]
    hsr_m: np.ndarray
    sprint_m: np.ndarray
    max_pct_mss: list[float | None]
    reasons: list[dict[str, object]]


def planned_days(history: History, week: str, tier: int, mss: float, pre_injury: dict[str, float], cfg: Settings,
                 done_until: pd.Timestamp | None = None) -> PlannedDays:
    """`plan_week`'s days and reasons (see there)."""
    dates = week_dates(week)
    monday = dates[0]
    cap = float(TIERS[tier - 1].max_pct_mss)
    inc = cfg.num("plan_weekly_increment")
    reasons: list[dict[str, object]] = []
    reasons.append(reason("tier", _cap_words(tier, cap, mss), TIER_SOURCE, cap))
    weekdays, habit = training_weekdays(history, monday)
    done = [d for d in dates if done_until is not None and d <= done_until]
    future = [d for d in dates if d not in done]
    training = [d for d in future if d.weekday() in weekdays]
    hv_days = _hv_days(training, fastest_weekdays(history, monday), tier)
    layout = []
    for d in dates:
        if d in done:
            layout.append("done")
        elif d in hv_days:
            layout.append("hv")
        elif d in training:
            layout.append("control" if tier == 1 else "run")
        else:
            layout.append("rest")
    session, metres, done_pct = _done_days(dates, layout, history, mss)
    words = SESSION_WORDS[tier]
    session = [s if k == "done" else (words.get(k) if k != "rest" else None) for k, s in zip(layout, session)]
    pct = [m if k == "done" else {"hv": _hv_pct(tier, cap, cfg), "run": min(RUN_PCT, cap),
                                  "control": min(CONTROL_PCT, cap), "rest": None}[k]
           for k, m in zip(layout, done_pct)]
    hv_text = ", ".join(f"{d:%a}" for d in hv_days)
    if tier >= 3:
        reasons.append(reason("days", f"{habit}; high-velocity sessions (>= {HV_PCT:.0f}% MSS) on {hv_text or 'none'}: "
                                      "never two on consecutive days", RHYTHM_SOURCE, len(hv_days)))
    else:
        reasons.append(reason("days", f"{habit}; tier {tier} has no high-velocity session (>= {HV_PCT:.0f}% MSS)",
                              TIER_SOURCE, 0))
    kind = np.array(layout)
    top = np.array([math.nan if m is None else float(m) for m in pct])
    for load in LOADS:
        metres[load], load_reasons = _load(dates, kind, top, metres[load], history, week, load, tier, mss,
                                           pre_injury.get(load, math.nan), inc, cfg)
        reasons += load_reasons
    return PlannedDays(dates, layout, session, metres["hsr"], metres["sprint"], pct, reasons)


def _cap_words(tier: int, cap: float, mss: float) -> str:
    t = TIERS[tier - 1]
    speed = f" = {cap / 100 * mss:.2f} m/s of an MSS of {mss:.2f} m/s" if not math.isnan(mss) else " (no MSS on record)"
    return f"tier {tier} ({t.name}) caps speed at {cap:.0f}% MSS{speed}: {t.work}"


def _hv_pct(tier: int, cap: float, cfg: Settings) -> float:
    """A high-velocity session's planned top speed: the tier's cap; tier 5 plans the max-velocity
    exposure (`max_pct`, 95%) rather than a flat-out 100%."""
    return min(cap, cfg.num("max_pct")) if tier >= 5 else cap


def _hv_days(training: list[pd.Timestamp], fastest: list[int], tier: int) -> list[pd.Timestamp]:
    """Up to HV_SESSIONS training days, fastest habitual weekdays first, none next to another."""
    if tier < 3 or TIERS[tier - 1].max_pct_mss < HV_PCT:
        return []
    rank = {w: i for i, w in enumerate(fastest)}
    order = sorted(training, key=lambda d: (rank.get(d.weekday(), len(rank)), d))
    chosen: list[pd.Timestamp] = []
    for d in order:
        if len(chosen) == HV_SESSIONS:
            break
        if all(abs((d - c).days) > 1 for c in chosen):
            chosen.append(d)
    return sorted(chosen)


def _done_days(dates: list[pd.Timestamp], layout: list[str], history: History,
               mss: float) -> tuple[list[str | None], dict[str, np.ndarray], list[float | None]]:
    """Days already done: what happened (a session or rest, metres by load, top speed as % of MSS);
    the other days' metres 0 and no session or speed yet."""
    session, hsr, sprint, pct = [], [], [], []
    for d, k in zip(dates, layout):
        i = history.row(d) if k == "done" else None
        known = i is not None
        h = float(history.hsr[i]) if known else 0.0
        top = float(history.max_speed[i]) if known else math.nan
        moved = known and (h > 0 or (not math.isnan(top) and top > 0))
        session.append("done" if moved else None)
        hsr.append(h)
        sprint.append(float(history.sprint[i]) if known else 0.0)
        pct.append(round(top / mss * 100, 1) if moved and mss and not math.isnan(top) else None)
    return session, {"hsr": np.array(hsr, dtype=float), "sprint": np.array(sprint, dtype=float)}, pct


def _load(dates: list[pd.Timestamp], kind: np.ndarray, pct: np.ndarray, metres: np.ndarray, history: History,
          week: str, load: str, tier: int, mss: float, pre: float, inc: float,
          cfg: Settings) -> tuple[np.ndarray, list[dict[str, object]]]:
    """One load's metres over the week's days (`kind` of each, planned top speed `pct` % MSS, NaN on a
    rest day; `metres` done so far), and why."""
    name = LOAD_WORDS[load]
    zone = cfg.num("hsr_speed" if load == "hsr" else "sprint_speed")
    reach = (pct / 100 * mss >= zone) & np.isin(kind, ["hv", "run"])
    if load == "sprint":
        reach &= kind == "hv"
    weights = np.where(reach, np.where(kind == "hv", HV_WEIGHT, RUN_WEIGHT), 0).astype(float)
    is_done = kind == "done"
    done_m = float(np.nansum(metres[is_done]))
    metres = np.where(is_done, metres, 0.0)
    previous = week_label(week_monday(week) - pd.Timedelta(days=7))
    last = history.week_figure(previous, load)
    basis = f"{name} last week ({previous}) {last:.0f} m"
    if math.isnan(last):
        last = history.chronic(week_monday(week) - pd.Timedelta(days=1), load)
        basis = (f"{name} last week not on record (fewer than 4 days): the last 28 days, {last:.0f} m/week"
                 if not math.isnan(last) else f"no {name} on record")
        last = 0.0 if math.isnan(last) else last
    pre_words = f" = {last / pre * 100:.0f}% of pre-injury {pre:.0f} m/week" if pre > 0 else " (no pre-injury level on record)"
    inc_source = BY_NAME["plan_weekly_increment"].source
    out: list[dict[str, object]] = []
    if tier == 1:
        out.append(reason(name, f"{name} 0 m: tier 1 is control work, no high-velocity running", TIER_SOURCE, 0.0))
        return metres, out
    if not weights.sum():
        top = max([p for p in pct if not math.isnan(p)] or [0.0])
        out.append(reason(name, f"{name} 0 m: {top:.0f}% of an MSS of {mss:.2f} m/s is {top / 100 * mss:.2f} m/s, "
                                f"below the {name} zone ({zone:g} m/s)", ZONE_SOURCE, 0.0))
        return metres, out
    if last > 0:
        target = last * (1 + inc / 100)
        why = f"{basis}{pre_words}; +{inc:g}% a week: {math.floor(target):.0f} m"
    elif pre > 0:
        target = pre * inc / 100
        why = f"{basis}: a first week of {inc:g}% of the pre-injury {pre:.0f} m/week, {math.floor(target):.0f} m"
    else:
        target = 0.0
        why = f"{basis} and no pre-injury level: nothing to step from (enter a first dose by hand)"
    if pre > 0 and target > pre:
        target = pre
        why += f", held at the pre-injury level {pre:.0f} m/week"
    elif pre > 0 and last > 0:
        weeks = weeks_to_reach(last, pre, inc)
        why += f"; +{inc:g}% a week reaches 100% of pre-injury in {weeks} week{'s' if weeks != 1 else ''}"
    out.append(reason(name, why, inc_source, math.floor(target)))
    remaining = max(target - done_m, 0.0)
    planned = _split(remaining, weights)
    scale, peak_day, start = spike_safe_scale(history, dates, is_done, metres + planned, load, cfg)
    if start is not None:  # the past weeks keep the ratio above the line until `start`
        weights = np.where([d > start for d in dates], weights, 0.0)
        planned = _split(remaining, weights)
        scale, peak_day, _ = spike_safe_scale(history, dates, is_done, metres + planned, load, cfg)
        out.append(reason(f"{name} acute:chronic", f"{name} acute:chronic above {cfg.num('acwr_high'):g} from the past "
                                                   f"weeks alone until {start:%a %d %b}: loading starts the day after",
                          BY_NAME["acwr_high"].source))
    if scale < 1:
        capped = np.floor(planned * scale + 1e-9)
        out.append(reason(f"{name} acute:chronic",
                          f"{name} held to {capped.sum() + done_m:.0f} m so that acute:chronic (EWMA) stays <= "
                          f"{cfg.num('acwr_high'):g} (it would peak on {peak_day:%a %d %b})",
                          BY_NAME["acwr_high"].source, float(capped.sum() + done_m)))
        planned = capped
    return metres + planned, out


def _split(total: float, weights: np.ndarray) -> np.ndarray:
    """`total` metres over the days by weight, whole metres rounded down per day."""
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights))
    return np.floor(total * weights / weights.sum())


def weeks_to_reach(start: float, target: float, inc: float) -> int:
    """Weeks of +inc% until a weekly load of `start` reaches `target` (0 when already there)."""
    if start >= target:
        return 0
    return int(math.ceil(math.log(target / start) / math.log(1 + inc / 100) - 1e-9))


# ------------------------------------------------------------------------------------ checks

def check_week(history: History, days: pd.DataFrame, week: str, tier: int, cfg: Settings,
               done_until: pd.Timestamp | None = None) -> list[dict[str, object]]:
    """What the board would flag in a planned (or edited) week, each with its figure: the daily EWMA
    acute:chronic above `acwr_high`, a week-to-week increase above `plan_weekly_increment`, a top
    speed above the tier's cap, two high-velocity days in a row. Empty when the week is spike-safe.
    A day whose ratio the past weeks (and the days done up to `done_until`) already hold above the
    line is flagged only when the plan raises it."""
    cap = float(TIERS[tier - 1].max_pct_mss)
    inc = cfg.num("plan_weekly_increment")
    limit = cfg.num("acwr_high")
    flags: list[dict[str, object]] = []
    previous = week_label(week_monday(week) - pd.Timedelta(days=7))
    days = days.assign(kind=days["kind"] if "kind" in days else
                       np.where(days["session"].notna(), "run", "rest"))
    for load in LOADS:
        name = LOAD_WORDS[load]
        total = float(days[f"{load}_m"].sum())
        last = history.week_figure(previous, load)
        if not math.isnan(last) and last > 0 and total > last * (1 + inc / 100) + 0.5:
            change = (total - last) / last * 100
            flags.append(reason(name, f"{name} {total:.0f} m vs {last:.0f} m last week ({change:+.0f}%): more than "
                                      f"the +{inc:g}% weekly increment", BY_NAME["plan_weekly_increment"].source,
                                round(change, 1)))
        if not history.ewma_state(load, len(history.day)).chronic > 0:
            continue  # no chronic load before the week: acute:chronic is not defined (a first dose)
        full = history.extended(days.assign(**{f"{load}_m": days[f"{load}_m"].astype(float)}))
        future = days["date"] > done_until if done_until is not None else pd.Series(True, index=days.index)
        nothing = history.extended(days.assign(**{f"{load}_m": days[f"{load}_m"].astype(float).where(~future, 0.0)}))
        state = history.ewma_state(load, history.days_before(days["date"].min()))
        ratio, past = (pd.Series(week_ratios(state, h.series(load).to_numpy()[-7:])) for h in (full, nothing))
        raised = (ratio > limit + 1e-9) & (ratio > past.fillna(0) + 1e-9)
        if raised.any():
            i = int(ratio.where(raised).idxmax())
            flags.append(reason(f"{name} acute:chronic",
                                f"{name} acute:chronic (EWMA) {ratio.iloc[i]:.2f} on {days['date'].iloc[i]:%a %d %b}: "
                                f"above the typical band's {limit:g}", BY_NAME["acwr_high"].source,
                                round(float(ratio.iloc[i]), 2)))
    pct = pd.to_numeric(days["max_pct_mss"], errors="coerce").astype(float)
    above = days[pct > cap + 1e-9]
    if len(above):
        flags.append(reason("speed", f"top speed {pct.max():.0f}% MSS on {above['date'].iloc[0]:%a %d %b}: above "
                                     f"tier {tier}'s cap of {cap:.0f}% MSS", TIER_SOURCE, float(pct.max())))
    hv = sorted(days.loc[pct >= HV_PCT, "date"])
    pairs = [(a, b) for a, b in zip(hv, hv[1:]) if (b - a).days == 1]
    if pairs:
        flags.append(reason("days", f"high-velocity sessions on consecutive days ({pairs[0][0]:%a} and {pairs[0][1]:%a}): "
                                    "no rest day between", RHYTHM_SOURCE, len(pairs)))
    return flags


# ------------------------------------------------------------------------------------ plan vs actual
