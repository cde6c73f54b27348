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

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import planning, store
from lib.baselines import episode_start
from lib.errors import ReturnToSpeedError
from lib.exposure import daily_load, exposure_status, mss_table
from lib.planning import DAY_COLUMNS, History, WeekPlan, week_dates, week_label, week_monday
from lib.readiness import Data, readiness_board
from lib.rules import TIER_SOURCE, TIERS
from lib.settings import BY_NAME, Settings, defaults

CONTRACT_KEYS = ("athlete_id", "week", "tier", "speed_cap_pct_mss", "hsr_m", "sprint_m", "efforts", "days",
                 "projected_return_week", "reasons")
"""The public JSON keys (issue 17), plus `actual` once GPS exists for the week."""
EXTRA_KEYS = ("basis", "saved", "flags", "timeline", "assumes")
"""Keys the JSON adds: `basis` proposal|saved, `saved` {by, at} or null, `flags` (what the board
would flag in the week), `timeline` [{week, event}], `assumes` (what the projection assumes)."""
DAY_KEYS = ("date", "session", "hsr_m", "sprint_m", "max_pct_mss")
PROJECTION_WEEKS = 52


class PlanError(ReturnToSpeedError):
    """A plan cannot be made or saved (no such athlete, not returning, a bad file)."""


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


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip()


def days_json(days: pd.DataFrame) -> list[dict[str, object]]:
    """The days as the JSON lists them: date, session (null for rest), metres, top speed % MSS."""
    out = []
    for r in days.to_dict("records"):
        pct = r["max_pct_mss"]
        out.append({"date": f"{pd.Timestamp(r['date']):%Y-%m-%d}", "session": None if _blank(r["session"]) else str(r["session"]),
                    "hsr_m": float(r["hsr_m"]), "sprint_m": float(r["sprint_m"]),
                    "max_pct_mss": None if pct is None or pd.isna(pct) else float(pct)})
    return out


# ------------------------------------------------------------------------------------ store

def save_plan(engine: Engine, athlete_id: str, week: str, days: pd.DataFrame, role: str, who: str,
              tier: int | None = None, flags: list[dict[str, object]] | None = None) -> int:
    """Store an edited week (every role may: coaches plan the running; tiers stay medical), with who
    and when; audit-logged. Returns the plan id."""
    from lib.privacy import require

    require(role, "edit_plan")
    week_monday(week)
    days = _typed_days(days, week)
    body = {"days": days_json(days), "flags": [{k: f[k] for k in ("metric", "message", "source")} for f in flags or []]}
    with engine.begin() as conn:
        result = conn.execute(store.plans.insert().values(athlete_id=str(athlete_id), week=week, tier=tier,
                                                          plan=json.dumps(body), saved_by=who, saved_at=store.now()))
        plan_id = int(result.inserted_primary_key[0])
        store.log(conn, who, "plan saved", {"athlete_id": str(athlete_id), "week": week, "plan_id": plan_id, "role": role,
                                            "hsr_m": float(days["hsr_m"].sum()), "sprint_m": float(days["sprint_m"].sum()),
                                            "flags": [f["message"] for f in flags or []]})
    return plan_id


def read_plans(engine: Engine | sa.Connection) -> pd.DataFrame:
    """Every saved plan, the latest save of each athlete's week last (plan_id order)."""
    cols = [c.name for c in store.plans.columns]
    if isinstance(engine, sa.Connection):
        rows = engine.execute(sa.select(store.plans).order_by(store.plans.c.plan_id)).mappings().all()
    else:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(store.plans).order_by(store.plans.c.plan_id)).mappings().all()
    return pd.DataFrame(rows, columns=cols)


def saved_plan(plans: pd.DataFrame | None, athlete_id: str, week: str) -> dict[str, object] | None:
    """The latest save of an athlete's week: {days, tier, by, at, plan_id}, or None."""
    if plans is None or plans.empty:
        return None
    rows = plans[(plans["athlete_id"].astype(str) == str(athlete_id)) & (plans["week"] == week)]
    if rows.empty:
        return None
    last = rows.iloc[-1]
    body = json.loads(last["plan"])
    return {"days": _typed_days(pd.DataFrame(body["days"]), week), "tier": None if pd.isna(last["tier"]) else int(last["tier"]),
            "by": last["saved_by"], "at": f"{pd.Timestamp(last['saved_at']):%Y-%m-%d %H:%M}", "plan_id": int(last["plan_id"])}


def _typed_days(days: pd.DataFrame, week: str) -> pd.DataFrame:
    """Seven days of the week with numbers as numbers (ValueError naming the cell otherwise)."""
    dates = week_dates(week)
    d = days.copy()
    d["date"] = pd.to_datetime(d["date"]).dt.normalize().astype("datetime64[s]")
    if sorted(d["date"]) != dates:
        raise PlanError(f"a plan for {week} lists its 7 dates, {dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d}")
    for col in ("hsr_m", "sprint_m", "max_pct_mss"):
        values = pd.to_numeric(d[col], errors="coerce")
        bad = d[col].notna() & (d[col].astype(str).str.strip() != "") & values.isna()
        if bad.any() or (values < 0).any():
            raise PlanError(f"{col} on {d.loc[bad | (values < 0), 'date'].iloc[0]:%Y-%m-%d} must be a number of 0 or more")
        d[col] = values.astype(float)
    d[["hsr_m", "sprint_m"]] = d[["hsr_m", "sprint_m"]].fillna(0.0)
    d["session"] = [None if s is None or (isinstance(s, float) and math.isnan(s)) or not str(s).strip() else str(s)
                    for s in d["session"]]
    if "kind" not in d:
        pct = d["max_pct_mss"].astype(float)
        d["kind"] = np.where(d["session"].isna(), "rest", np.where(pct >= planning.HV_PCT, "hv", "run"))
    return d.sort_values("date")[DAY_COLUMNS].reset_index(drop=True)


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


def _context(data: Data, athlete_id: str, on: pd.Timestamp, cfg: Settings, board: pd.DataFrame | None) -> _Context:
    board = board if board is not None else readiness_board(data, on, cfg)
    rows = board[board["athlete_id"].astype(str) == str(athlete_id)]
    if rows.empty:
        raise PlanError(f"there is no athlete '{athlete_id}'")
    row = rows.iloc[0].to_dict()
    if not row["returning"]:
        raise PlanError(f"{row['name']} has no active injury on {on:%Y-%m-%d}: the weekly plan is for returning athletes")
    tier, note = plan_tier(row)
    s = data.sessions[(data.sessions["athlete_id"].astype(str) == str(athlete_id)) & (data.sessions["date"] <= on)]
    m = mss_table(s, on, data.injuries, cfg)
    mss = float(m["mss_ms"].iloc[0]) if len(m) else math.nan
    status = exposure_status(s, data.injuries, on, cfg)
    pre = {load: float(status[f"pre_injury_{load}_week_m"].iloc[0]) if len(status) else math.nan for load in ("hsr", "sprint")}
    days = daily_load(s, on)
    days = days[days["athlete_id"].astype(str) == str(athlete_id)].drop(columns="athlete_id").reset_index(drop=True)
    since = pd.Timestamp(row["tier_since"]) if not pd.isna(row["tier_since"]) else on
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


def athlete_plan(data: Data, athlete_id: str, on: pd.Timestamp, cfg: Settings | None = None, week: str | None = None,
                 plans: pd.DataFrame | None = None, board: pd.DataFrame | None = None,
                 project: bool = True) -> AthletePlan:
    """The athlete's plan for `week` (default: the week after `on`): the saved plan if staff saved
    one, else the proposal; checked against the spike rules; with the GPS against it when the week
    has GPS up to `on`, and the projected return."""
    cfg = cfg or defaults()
    on = pd.Timestamp(on).normalize()
    first = planning.plan_week_for(on)
    week = week or first
    monday = week_monday(week)
    if monday < week_monday(first):  # a past week: as it was planned, from the data before it
        ctx = _context(data, athlete_id, monday - pd.Timedelta(days=1), cfg, None)
        chain_from, done_until = week, None
    else:
        ctx = _context(data, athlete_id, on, cfg, board)
        chain_from, done_until = first, on
    history = ctx.history
    plan, basis, saved = None, "proposal", None
    tier = ctx.tier
    for w in _weeks(chain_from, week):
        plan, basis, saved = _week(ctx, history, w, tier, cfg, plans, done_until if w == first else None)
        if w != week:
            history = history.extended(plan.days)
    assert plan is not None
    flags = planning.check_week(history, plan.days, week, plan.tier, cfg, done_until if week == first else None)
    sessions = data.sessions[(data.sessions["athlete_id"].astype(str) == ctx.athlete_id) & (data.sessions["date"] <= on)]
    actual = None
    dates = week_dates(week)
    if sessions["date"].isin(set(dates)).any():
        gps = planning.actual_days(sessions, dates, ctx.mss)
        actual = planning.plan_vs_actual(plan.days, gps, plan.tier, cfg)
    result = AthletePlan(ctx.athlete_id, ctx.name, week, plan, basis, saved, flags, actual, None, tier_note=ctx.tier_note)
    if project and monday >= week_monday(first):
        result.projected_return_week, result.timeline, result.assumes = projection(ctx, history.extended(plan.days), week,
                                                                                   plan.tier, cfg, plans)
    return result


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
               plans: pd.DataFrame | None) -> tuple[str | None, list[dict[str, str]], list[str]]:
    """(the week of full return, the timeline, what it assumes): the weeks after `week` planned as
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
        return None, [], [f"not projected: {row.get('action')} (pain or swelling must settle first)"] + assumes[1:]
    unmet = [c["short"] for c in row.get("criteria", []) if c.get("holds") is False and c.get("rule") not in
             ("gate_time_at_tier", "gate_flag_free")]
    if unmet:
        assumes.insert(1, "the next tier's unmet criteria are met in time: " + "; ".join(map(str, unmet)))
    timeline: list[dict[str, str]] = []
    since = ctx.since if ctx.row.get("tier_basis") == "recorded" and tier == ctx.row.get("tier") else week_monday(week)
    at, full, reached_pre, reached_gate = tier, None, None, None
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
        days = saved["days"] if saved else planning.plan_week(history, nxt, at, ctx.mss, ctx.pre, cfg).days
        history = history.extended(days)
        w = nxt
    if full is None:
        assumes.append(f"full return not reached within {PROJECTION_WEEKS} weeks at this rate")
    return full, timeline, assumes


# ------------------------------------------------------------------------------------ the group

def returning_athletes(board: pd.DataFrame) -> list[str]:
    """The athletes a plan is made for: those returning from an active injury, in board order."""
    return [str(a) for a in board.loc[board["returning"].astype(bool), "athlete_id"]]


def group_plans(data: Data, on: pd.Timestamp, cfg: Settings | None = None, plans: pd.DataFrame | None = None,
                week: str | None = None, ids: list[str] | None = None) -> list[AthletePlan]:
    """Every returning athlete's plan for the week (board order), one board computed for all."""
    cfg = cfg or defaults()
    on = pd.Timestamp(on).normalize()
    board = readiness_board(data, on, cfg)
    wanted = returning_athletes(board) if ids is None else [i for i in returning_athletes(board) if i in set(ids)]
    return [athlete_plan(data, a, on, cfg, week, plans, board) for a in wanted]


def previous_week(week: str) -> str:
    """The ISO week before `week`."""
    return week_label(week_monday(week) - pd.Timedelta(days=7))


def board_reasons(data: Data, athlete_id: str, on: pd.Timestamp, cfg: Settings, plans: pd.DataFrame | None,
                  injuries: pd.DataFrame | None = None) -> list[dict[str, object]]:
    """The board's plan-vs-actual reasons for one athlete on `on` (info: they never change the
    colour): the latest saved plan whose week has GPS up to `on` (this week, else last week)."""
    if plans is None or plans.empty:
        return []
    on = pd.Timestamp(on).normalize()
    own = plans[plans["athlete_id"].astype(str) == str(athlete_id)]
    if own.empty:
        return []
    sessions = data.sessions[(data.sessions["athlete_id"].astype(str) == str(athlete_id)) & (data.sessions["date"] <= on)]
    for week in (week_label(on), previous_week(week_label(on))):
        saved = saved_plan(own, athlete_id, week)
        if saved is None or not sessions["date"].isin(set(week_dates(week))).any():
            continue
        m = mss_table(sessions, on, injuries if injuries is not None else data.injuries, cfg)
        mss = float(m["mss_ms"].iloc[0]) if len(m) else math.nan
        tier = saved["tier"] or 1
        actual = planning.plan_vs_actual(saved["days"], planning.actual_days(sessions, week_dates(week), mss), tier, cfg)
        return [{**r, "message": f"{week} plan: {r['message']}"} for r in planning.actual_reasons(actual, cfg)]
    return []


def episode_of(data: Data, athlete_id: str, on: pd.Timestamp) -> pd.Timestamp | None:
    """The start of the athlete's current injury episode (None when not injured)."""
    inj = data.injuries[(data.injuries["athlete_id"] == athlete_id) & (data.injuries["injury_date"] <= on)]
    return None if inj.empty else episode_start(data.injuries, athlete_id, inj["injury_date"].max())


def zone_words(cfg: Settings) -> str:
    """HSR and sprint zones in words, with their source."""
    return (f"HSR = metres at >= {cfg.num('hsr_speed'):g} m/s, sprint = at >= {cfg.num('sprint_speed'):g} m/s "
            f"({BY_NAME['hsr_speed'].source})")
