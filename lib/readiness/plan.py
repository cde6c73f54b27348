"""A returning athlete's weekly high-velocity plan: the proposal (lib.planning) at the tier the
board holds them at, the plan staff saved (who, when, audit-logged), the GPS against it, and the
projected return; and the plan's public JSON (`python -m lib plan ATHLETE_ID --format json`).

- The week: the ISO week after the as-of date (the week holding the next day); `week` picks another.
  A week already under way keeps what happened on its days up to the as-of date.
- The tier: the recorded tier, or the board's proposal when none is recorded; after a proposed step
  back (or a stop), the lower tier.
- A later week is planned on top of the weeks before it (their saved plans, else their proposals).
- Projected return: the weeks ahead planned the same way, one tier up every `tier_min_days` at the
  earliest, until the chronic HSR (28 days) reaches `pre_injury_load_pct` of the pre-injury level
  at tier 5: the week of full return. It assumes every other criterion holds by then, and says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.metrics import planning
from lib.metrics.exposure import daily_load, exposure_status
from lib.metrics.plan_actual import _typed_days, actual_days, days_json, plan_vs_actual, saved_plan
from lib.metrics.planning import History, PlanError, WeekPlan, week_dates, week_label, week_monday
from lib.readiness import Data, readiness_board
from lib.core.rules import TIER_SOURCE, TIERS
from lib.core.settings import Settings

CONTRACT_KEYS = ("athlete_id", "week", "tier", "speed_cap_pct_mss", "hsr_m", "sprint_m", "efforts", "days",
                 "projected_return_week", "reasons")
"""The public JSON keys (issue 17), plus `actual` once GPS exists for the week."""
EXTRA_KEYS = ("basis", "saved", "flags", "timeline", "assumes")
"""Keys the JSON adds: `basis` proposal|saved, `saved` {by, at} or null, `flags` (what the board
would flag in the week), `timeline` [{week, event}], `assumes` (what the projection assumes)."""
PROJECTION_WEEKS = 52


@dataclass
class AthletePlan:
    """One athlete's week: the plan (saved or proposed), its checks, the GPS against it and the
    projected return."""

    athlete_id: str
    name: str
    week: str
    plan: WeekPlan
    basis: str  # proposal | saved
    saved: dict[str, object] | None
    flags: list[dict[str, object]]
    actual: dict[str, object] | None
    projected_return_week: str | None
    timeline: list[dict[str, str]] = field(default_factory=list)
    assumes: list[str] = field(default_factory=list)
    tier_note: str = ""
    history_before: History | None = None  # the days before the week (earlier planned weeks appended)
    done_until: pd.Timestamp | None = None  # days of the week up to here had happened when it was planned
    projected: list[dict[str, object]] = field(default_factory=list)  # weekly figures: done, this week, projected
    pre_injury: dict[str, float] = field(default_factory=dict)
    mss_ms: float = math.nan

    def as_json(self) -> dict[str, object]:
        """The public JSON (CONTRACT_KEYS, `actual` once GPS exists, EXTRA_KEYS)."""
        out: dict[str, object] = {
            "athlete_id": self.athlete_id, "week": self.week, "tier": self.plan.tier,
            "speed_cap_pct_mss": self.plan.speed_cap_pct_mss, "hsr_m": self.plan.hsr_m, "sprint_m": self.plan.sprint_m,
            "efforts": self.plan.efforts, "days": days_json(self.plan.days),
            "projected_return_week": self.projected_return_week,
            "reasons": [{k: r[k] for k in ("metric", "message", "source")} for r in self.plan.reasons],
        }
        if self.actual is not None:
            out["actual"] = {k: v for k, v in self.actual.items() if k != "planned_to_date"}
        out.update({"basis": self.basis, "saved": self.saved, "flags": [{k: f[k] for k in ("metric", "message", "source")}
                                                                         for f in self.flags],
                    "timeline": self.timeline, "assumes": self.assumes})
        return out


# ------------------------------------------------------------------------------------ the athlete

@dataclass
class _Context:
    athlete_id: str
    name: str
    row: dict[str, object]
    tier: int
    tier_note: str
    mss: float
    pre: dict[str, float]
    history: History
    since: pd.Timestamp


class TeamDays:
    """What a group of plans reads from the whole team's GPS, computed once per day for the group
    rather than once per athlete (issue 15: 53 returning athletes on a 160-athlete season): each
    athlete's sessions up to the day, exposure status (MSS, pre-injury loads) and daily loads. The
    grouped passes give each athlete what the same pass over that athlete's sessions alone gives."""

    def __init__(self, data: Data, ids: list[str], cfg: Settings):
        self.data, self.ids, self.cfg = data, set(map(str, ids)), cfg
        self._days: dict[pd.Timestamp, tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame], dict[str, pd.DataFrame]]] = {}

    def _on(self, day: pd.Timestamp) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
        if day not in self._days:
            d = self.data
            ids = d.sessions["athlete_id"].astype(str)
            s = d.sessions[ids.isin(self.ids) & (d.sessions["date"] <= day)]
            status = exposure_status(s, d.injuries, day, self.cfg, d.mss_confirmations)
            daily = daily_load(s, day)
            self._days[day] = (_by_athlete(s), _by_athlete(status), _by_athlete(daily))
        return self._days[day]

    def sessions(self, athlete_id: str, day: pd.Timestamp) -> pd.DataFrame | None:
        """The athlete's sessions up to `day` (None when the athlete has none: the caller reads them alone)."""
        return self._on(day)[0].get(str(athlete_id))

    def status(self, athlete_id: str, day: pd.Timestamp) -> pd.DataFrame:
        return self._on(day)[1][str(athlete_id)]

    def daily(self, athlete_id: str, day: pd.Timestamp) -> pd.DataFrame:
        return self._on(day)[2][str(athlete_id)]


def _by_athlete(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """A frame's rows by athlete, each in the frame's order with its index."""
    return {str(k): g for k, g in frame.groupby(frame["athlete_id"].astype(str), sort=False)} if len(frame) else {}


def _context(data: Data, athlete_id: str, as_of: pd.Timestamp, cfg: Settings, board: pd.DataFrame | None,
             team: TeamDays | None = None) -> _Context:
    board = board if board is not None else readiness_board(data, as_of, cfg)
    rows = board[board["athlete_id"].astype(str) == str(athlete_id)]
    if rows.empty:
        raise PlanError(f"there is no athlete '{athlete_id}'")
    row = rows.iloc[0].to_dict()
    if not row["returning"]:
        raise PlanError(f"{row['name']} has no active injury on {as_of:%Y-%m-%d}: the weekly plan is for returning athletes")
    tier, note = plan_tier(row)
    s = team.sessions(athlete_id, as_of) if team is not None else None
    if s is not None:
        status, days = team.status(athlete_id, as_of), team.daily(athlete_id, as_of)
    else:
        s = data.sessions[(data.sessions["athlete_id"].astype(str) == str(athlete_id)) & (data.sessions["date"] <= as_of)]
        status = exposure_status(s, data.injuries, as_of, cfg, data.mss_confirmations)  # its mss_ms is mss_table's, computed once
        days = daily_load(s, as_of)
        days = days[days["athlete_id"].astype(str) == str(athlete_id)]
    mss = float(status["mss_ms"].iloc[0]) if len(status) else math.nan
    pre = {load: float(status[f"pre_injury_{load}_week_m"].iloc[0]) if len(status) else math.nan for load in ("hsr", "sprint")}
    days = days.drop(columns="athlete_id").reset_index(drop=True)
    since = pd.Timestamp(row["tier_since"]) if not pd.isna(row["tier_since"]) else as_of
    return _Context(str(athlete_id), str(row["name"]), row, tier, note, mss, pre, History(days), since)


def plan_tier(row: dict[str, object]) -> tuple[int, str]:
    """The tier a plan is made at, and why: the recorded tier; the proposed one when none is
    recorded; after a proposed step back or a stop, the lower tier."""
    tier, proposed = row.get("tier"), row.get("proposed_tier")
    has_tier = tier is not None and not pd.isna(tier)
    has_proposed = proposed is not None and not pd.isna(proposed)
    if not has_tier:
        p = int(proposed) if has_proposed else 1
        return p, f"tier not recorded: planned at the board's proposed tier {p}"
    if has_proposed and int(proposed) < int(tier):
        return int(proposed), f"tier {int(tier)} recorded, the board proposes {int(proposed)} ({row.get('action')}): planned at tier {int(proposed)}"
    return int(tier), f"tier {int(tier)} recorded {pd.Timestamp(row['tier_since']):%Y-%m-%d}"


def athlete_plan(data: Data, athlete_id: str, as_of: pd.Timestamp, cfg: Settings, week: str | None = None,
                 plans: pd.DataFrame | None = None, board: pd.DataFrame | None = None,
                 project: bool = True, past_board: pd.DataFrame | None = None, team: TeamDays | None = None) -> AthletePlan:
    """The athlete's plan for `week` (default: the week after `as_of`): the saved plan if staff saved
    one, else the proposal; checked against the spike rules; with the GPS against it when the week
    has GPS up to `as_of`, and the projected return."""
    as_of = pd.Timestamp(as_of).normalize()
    plans = data.plans if plans is None else plans
    chain = _chain(data, athlete_id, as_of, cfg, week, plans, board, past_board, team)
    ctx, history, plan = chain.ctx, chain.history, chain.plan
    flags = planning.check_week(history, plan.days, chain.week, plan.tier, cfg, chain.done_until)
    sessions = team.sessions(ctx.athlete_id, as_of) if team is not None else None
    if sessions is None:
        sessions = data.sessions[(data.sessions["athlete_id"].astype(str) == ctx.athlete_id) & (data.sessions["date"] <= as_of)]
    actual = None
    dates = week_dates(chain.week)
    if sessions["date"].isin(set(dates)).any():
        gps = actual_days(sessions, dates, ctx.mss)
        actual = plan_vs_actual(plan.days, gps, plan.tier, cfg)
    result = AthletePlan(ctx.athlete_id, ctx.name, chain.week, plan, chain.basis, chain.saved, flags, actual, None,
                         tier_note=ctx.tier_note, history_before=history, done_until=chain.done_until,
                         pre_injury=ctx.pre, mss_ms=ctx.mss)
    result.projected = _weekly_figures(history.extended(plan.days), chain.week, "this week")
    if project and not chain.past:
        result.projected_return_week, result.timeline, result.assumes, ahead = projection(
            ctx, history.extended(plan.days), chain.week, plan.tier, cfg, plans)
        result.projected += ahead
    return result


def _weekly_figures(history: History, week: str, kind: str, weeks_back: int = 6) -> list[dict[str, object]]:
    """The weekly HSR and sprint figures of `week` (`kind`) and, for this week, the `weeks_back` before."""
    out = []
    start = week_monday(week) - pd.Timedelta(days=7 * weeks_back) if kind == "this week" else week_monday(week)
    for i in range((weeks_back if kind == "this week" else 0) + 1):
        w = week_label(start + pd.Timedelta(days=7 * i))
        sunday = week_monday(w) + pd.Timedelta(days=6)
        out.append({"week": w, "kind": "done" if w != week else kind, "hsr_m": history.week_figure(w, "hsr"),
                    "sprint_m": history.week_figure(w, "sprint"), "chronic_hsr_m": history.chronic(sunday, "hsr")})
    return out


def check_days(plan: AthletePlan, days: pd.DataFrame, cfg: Settings) -> list[dict[str, object]]:
    """What the board would flag if `plan`'s week went as `days` (an edit, before it is saved)."""
    assert plan.history_before is not None
    return planning.check_week(plan.history_before, _typed_days(days, plan.week), plan.week, plan.plan.tier, cfg,
                               plan.done_until)


@dataclass
class _Chain:
    ctx: _Context
    week: str
    history: History  # up to the day before the week (earlier planned weeks appended)
    plan: WeekPlan
    basis: str
    saved: dict[str, object] | None
    done_until: pd.Timestamp | None
    past: bool


def _chain(data: Data, athlete_id: str, as_of: pd.Timestamp, cfg: Settings, week: str | None,
           plans: pd.DataFrame | None, board: pd.DataFrame | None, past_board: pd.DataFrame | None = None,
           team: TeamDays | None = None) -> _Chain:
    """The week planned on top of the weeks before it: a past week as on its Monday; the
    next week from the data up to `as_of`; a later one after the weeks between (saved, else proposed)."""
    first = planning.plan_week_for(as_of)
    week = week or first
    monday = week_monday(week)
    past = monday < week_monday(first)
    if past:  # as it would have been planned on its Monday (the testing day's tier, the weeks before)
        ctx = _context(data, athlete_id, monday, cfg, past_board, team)  # past_board: the board on that Monday
        weeks, done_until = [week], None
    else:
        ctx = _context(data, athlete_id, as_of, cfg, board, team)
        weeks, done_until = _weeks(first, week), as_of
    history = ctx.history
    plan, basis, saved = None, "proposal", None
    for w in weeks:
        plan, basis, saved = _week(ctx, history, w, ctx.tier, cfg, plans, done_until if w == first else None)
        if w != week:
            history = history.extended(plan.days)
    assert plan is not None
    return _Chain(ctx, week, history, plan, basis, saved, done_until if week == first else None, past)


def _weeks(first: str, last: str) -> list[str]:
    start, end = week_monday(first), week_monday(last)
    return [week_label(start + pd.Timedelta(days=7 * i)) for i in range(int((end - start).days // 7) + 1)]


def _week(ctx: _Context, history: History, week: str, tier: int, cfg: Settings, plans: pd.DataFrame | None,
          done_until: pd.Timestamp | None) -> tuple[WeekPlan, str, dict[str, object] | None]:
    saved = saved_plan(plans, ctx.athlete_id, week)
    proposal = planning.plan_week(history, week, tier, ctx.mss, ctx.pre, cfg, done_until)
    proposal.reasons.insert(0, planning.reason("tier", ctx.tier_note, TIER_SOURCE, tier))
    if saved is None:
        return proposal, "proposal", None
    at = saved["tier"] or tier
    plan = WeekPlan(week, at, float(TIERS[at - 1].max_pct_mss), saved["days"],
                    [planning.reason("saved", f"saved by {saved['by']} on {saved['at']} (plan #{saved['plan_id']}); "
                                              "the engine's proposal was "
                                              f"HSR {proposal.hsr_m:.0f} m, sprint {proposal.sprint_m:.0f} m",
                                     "audit log")] + proposal.reasons)
    return plan, "saved", {"by": saved["by"], "at": saved["at"], "plan_id": saved["plan_id"]}


# ------------------------------------------------------------------------------------ projection

def projection(ctx: _Context, history: History, week: str, tier: int, cfg: Settings,
               plans: pd.DataFrame | None) -> tuple[str | None, list[dict[str, str]], list[str], list[dict[str, object]]]:
    """(the week of full return, the timeline, what it assumes, the projected weekly figures): the weeks after `week` planned as
    the engine would, one tier up per `tier_min_days` at the earliest (from the recorded change),
    full return at tier 5 once the chronic HSR reaches `pre_injury_load_pct` of pre-injury."""
    min_days = int(cfg.num("tier_min_days"))
    gate = cfg.num("pre_injury_load_pct")
    pre = ctx.pre.get("hsr", math.nan)
    assumes = [f"{ctx.tier_note}; one tier up every {min_days} days at the earliest (a week at the tier without a flag)",
               "every criterion other than time and load holds by then (hop, strength, pain: not projected)",
               f"each week as planned: +{cfg.num('plan_weekly_increment'):g}% a week within the spike rules"]
    row = ctx.row
    if str(row.get("status")) == "red" and "stop" in str(row.get("action")):
        return None, [], [f"not projected: {row.get('action')} (pain or swelling must settle first)"] + assumes[1:], []
    unmet = [c["short"] for c in row.get("criteria", []) if c.get("holds") is False and c.get("rule") not in
             ("gate_time_at_tier", "gate_flag_free")]
    if unmet:
        assumes.insert(1, "the next tier's unmet criteria are met in time: " + "; ".join(map(str, unmet)))
    timeline: list[dict[str, str]] = []
    since = ctx.since if ctx.row.get("tier_basis") == "recorded" and tier == ctx.row.get("tier") else week_monday(week)
    at, full, reached_pre, reached_gate = tier, None, None, None
    ahead: list[dict[str, object]] = []
    if math.isnan(pre) or pre <= 0:
        assumes.append("no pre-injury HSR on record: the load criterion is not tested (full return by the tiers only)")
    w = week
    for _ in range(PROJECTION_WEEKS):
        monday = week_monday(w) + pd.Timedelta(days=7)
        nxt = week_label(monday)
        chronic = history.chronic(monday - pd.Timedelta(days=1), "hsr")
        if reached_pre is None and pre > 0 and history.week_figure(w, "hsr") >= pre * 0.999:
            reached_pre = w
            timeline.append({"week": w, "event": f"weekly HSR back at the pre-injury {pre:.0f} m"})
        load_ok = not (pre > 0) or (not math.isnan(chronic) and chronic >= pre * gate / 100)
        if pre > 0 and load_ok and reached_gate is None:
            reached_gate = nxt
            timeline.append({"week": nxt, "event": f"chronic HSR {chronic:.0f} m/week >= {gate:g}% of pre-injury"})
        if at < len(TIERS) and monday >= since + pd.Timedelta(days=min_days):
            at, since = at + 1, monday
            timeline.append({"week": nxt, "event": f"tier {at} at the earliest ({TIERS[at - 1].name})"})
        elif at == len(TIERS) and monday >= since + pd.Timedelta(days=min_days) and load_ok:
            full = nxt
            timeline.append({"week": nxt, "event": "full return: the exit criteria of tier 5 (time and load)"})
            break
        saved = saved_plan(plans, ctx.athlete_id, nxt)
        if saved:
            history = history.extended(saved["days"])
        else:
            p = planning.planned_days(history, nxt, at, ctx.mss, ctx.pre, cfg)
            history = history.appended(p.dates, p.hsr_m, p.sprint_m, np.array([x is not None for x in p.session], dtype=float))
        ahead += [{**f, "tier": at} for f in _weekly_figures(history, nxt, "projected")]
        w = nxt
    if full is None:
        assumes.append(f"full return not reached within {PROJECTION_WEEKS} weeks at this rate")
    return full, timeline, assumes, ahead


# ------------------------------------------------------------------------------------ the group

def returning_athletes(board: pd.DataFrame) -> list[str]:
    """The athletes a plan is made for: those returning from an active injury, in board order."""
    return [str(a) for a in board.loc[board["returning"].astype(bool), "athlete_id"]]


def group_plans(data: Data, as_of: pd.Timestamp, cfg: Settings, plans: pd.DataFrame | None = None,
                week: str | None = None, ids: list[str] | None = None,
                board: pd.DataFrame | None = None) -> list[AthletePlan]:
    """Every returning athlete's plan for the week (board order), one board for all: `board`, the
    readiness board of `data` on `as_of` with `cfg` when the caller has it, else computed here."""
    as_of = pd.Timestamp(as_of).normalize()
    board = readiness_board(data, as_of, cfg) if board is None else board
    wanted = returning_athletes(board) if ids is None else [i for i in returning_athletes(board) if i in set(ids)]
    monday = week_monday(week) if week else None
    past = monday is not None and monday < week_monday(planning.plan_week_for(as_of))
    past_board = readiness_board(data, monday, cfg) if past else None  # one board for a past week's Monday
    if past_board is not None:
        wanted = [a for a in wanted if a in set(returning_athletes(past_board))]
    team = TeamDays(data, wanted, cfg)
    return [athlete_plan(data, a, as_of, cfg, week, plans, board, past_board=past_board, team=team) for a in wanted]
