"""The weekly plan against what happened: verdicts per planned number (under / on plan / over,
`plan_tolerance`), the week's GPS as plan days, the board's info reasons, and the plan's days as
JSON and as stored rows. The plan itself is lib.metrics.planning."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from lib.core.rules import TIER_SOURCE, TIERS
from lib.core.settings import BY_NAME, Settings, defaults
from lib.metrics.exposure import mss_table, pct_of_mss
from lib.metrics.planning import DAY_COLUMNS, HV_PCT, PlanError, efforts, week_dates, week_label



def verdict(planned: float, actual: float, tolerance_pct: float) -> str:
    """`under`, `on plan` or `over`: within ±tolerance % of the plan is on plan (a plan of 0 m is
    met only by 0 m)."""
    if planned <= 0:
        return "on plan" if actual <= 0 else "over"
    change = (actual - planned) / planned * 100
    if change > tolerance_pct:
        return "over"
    return "under" if change < -tolerance_pct else "on plan"


def actual_days(sessions: pd.DataFrame, dates: list[pd.Timestamp], mss: float) -> pd.DataFrame:
    """What the GPS says for each date: the sessions' names, HSR and sprint metres, top speed as %
    of MSS (None on a day without a session)."""
    s = sessions[sessions["date"].isin(set(dates))]
    rows = []
    for d in dates:
        g = s[s["date"] == d]
        moved = len(g) and (g["max_speed_ms"].fillna(0).max() > 0 or g["hsr_distance_m"].fillna(0).sum() > 0)
        top = float(g["max_speed_ms"].max()) if len(g) and not pd.isna(g["max_speed_ms"].max()) else math.nan
        rows.append({"date": d, "session": " + ".join(str(x) for x in g["session"].dropna().unique()) if moved else None,
                     "hsr_m": float(g["hsr_distance_m"].fillna(0).sum()),
                     "sprint_m": float(g["sprint_distance_m"].fillna(0).sum()),
                     "max_pct_mss": float(pct_of_mss(pd.Series([top]), mss).round(1).iloc[0])
                     if moved and not math.isnan(top) and mss else None,
                     "sources": ", ".join(f"{f}:{r}" for f, r in zip(g["source_file"], g["source_row"]) if not pd.isna(r)),
                     "on_record": bool(len(g))})
    return pd.DataFrame(rows)


def plan_vs_actual(planned: pd.DataFrame, actual: pd.DataFrame, tier: int, cfg: Settings) -> dict[str, object]:
    """Each planned number against the GPS over the days with GPS so far: totals, efforts and each
    day, with a verdict per number (tolerance `plan_tolerance` %), the change in %, and every
    day's top speed against the tier's cap."""
    tol = cfg.num("plan_tolerance")
    cap = float(TIERS[tier - 1].max_pct_mss)
    last = actual.loc[actual["on_record"], "date"].max()
    upto = planned["date"] <= last
    p, a = planned[upto], actual[actual["date"] <= last]
    out: dict[str, object] = {"through": f"{last:%Y-%m-%d}"}
    verdicts: dict[str, object] = {}
    change: dict[str, float | None] = {}
    for col in ("hsr_m", "sprint_m"):
        plan_m, done_m = float(p[col].sum()), float(a[col].sum())
        out[col] = round(done_m, 1)
        verdicts[col] = verdict(plan_m, done_m, tol)
        change[col] = round((done_m - plan_m) / plan_m * 100, 1) if plan_m > 0 else None
    planned_efforts, done_efforts = efforts(p["max_pct_mss"]), efforts(a["max_pct_mss"])
    out["efforts"] = done_efforts
    verdicts["efforts"] = {k: ("on plan" if done_efforts[k] == planned_efforts[k] else
                               "over" if done_efforts[k] > planned_efforts[k] else "under") for k in done_efforts}
    top = pd.to_numeric(a["max_pct_mss"], errors="coerce").astype(float)
    verdicts["max_pct_mss"] = "over" if (top > cap + 1e-9).any() else "on plan"
    out["max_pct_mss"] = None if top.isna().all() else float(top.max())
    out["max_pct_date"] = None if top.isna().all() else f"{a['date'].iloc[int(np.nanargmax(top.to_numpy()))]:%Y-%m-%d}"
    out["speed_cap_pct_mss"] = cap
    day_rows = []
    for (_, pr), (_, ar) in zip(p.iterrows(), a.iterrows()):
        day_rows.append({"date": f"{ar['date']:%Y-%m-%d}", "session": None if _blank(ar["session"]) else ar["session"],
                         "hsr_m": round(float(ar["hsr_m"]), 1),
                         "sprint_m": round(float(ar["sprint_m"]), 1), "max_pct_mss": ar["max_pct_mss"],
                         "verdict": {"hsr_m": verdict(float(pr["hsr_m"]), float(ar["hsr_m"]), tol),
                                     "sprint_m": verdict(float(pr["sprint_m"]), float(ar["sprint_m"]), tol),
                                     "max_pct_mss": "over" if not pd.isna(ar["max_pct_mss"]) and
                                     float(ar["max_pct_mss"]) > cap + 1e-9 else "on plan"},
                         "sources": ar["sources"]})
    out["days"] = day_rows
    out["verdict"] = verdicts
    out["change_pct"] = change
    out["planned_to_date"] = {"hsr_m": float(p["hsr_m"].sum()), "sprint_m": float(p["sprint_m"].sum()),
                              "efforts": planned_efforts}
    return out


def actual_reasons(actual: dict[str, object], cfg: Settings) -> list[dict[str, object]]:
    """Plan-vs-actual as the board's info reasons: one per number off plan, e.g.
    `sprint 420 m vs plan 250 m (+68%): over plan`."""
    tol = cfg.num("plan_tolerance")
    src = BY_NAME["plan_tolerance"].source
    out = []
    planned = actual["planned_to_date"]
    for col, name in (("hsr_m", "HSR"), ("sprint_m", "sprint")):
        v = actual["verdict"][col]  # type: ignore[index]
        if v == "on plan":
            continue
        pct = actual["change_pct"][col]  # type: ignore[index]
        change = f" ({pct:+.0f}%)" if pct is not None else ""
        short = f"{name} {actual[col]:.0f} m vs plan {planned[col]:.0f} m{change}"  # type: ignore[index]
        out.append({"rule": "plan_vs_actual", "kind": "info", "effect": "info", "metric": f"{name} vs plan",
                    "value": actual[col], "threshold": planned[col], "direction": "", "source": src,  # type: ignore[index]
                    "message": f"{short}: {v} plan (through {actual['through']}; tolerance ±{tol:g}%, {src})",
                    "short": short, "data": "GPS sessions"})
    if actual["verdict"]["max_pct_mss"] == "over":  # type: ignore[index]
        short = f"top speed {actual['max_pct_mss']:.0f}% MSS on {actual['max_pct_date']} vs the cap {actual['speed_cap_pct_mss']:.0f}%"
        out.append({"rule": "plan_vs_actual", "kind": "info", "effect": "info", "metric": "top speed vs plan",
                    "value": actual["max_pct_mss"], "threshold": actual["speed_cap_pct_mss"], "direction": ">",
                    "source": TIER_SOURCE, "message": f"{short}: above the tier's cap ({TIER_SOURCE})",
                    "short": short, "data": "GPS sessions"})
    return out


# ------------------------------------------------------------------------------------ saved plans

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
    d["session"] = [None if _blank(s) else str(s) for s in d["session"]]
    if "kind" not in d:
        pct = d["max_pct_mss"].astype(float)
        d["kind"] = np.where(d["session"].isna(), "rest", np.where(pct >= HV_PCT, "hv", "run"))
    return d.sort_values("date")[DAY_COLUMNS].reset_index(drop=True)


def board_reasons(sessions: pd.DataFrame, injuries: pd.DataFrame, plans: pd.DataFrame | None, athlete_id: str,
                  as_of: pd.Timestamp, cfg: Settings) -> list[dict[str, object]]:
    """The board's plan-vs-actual reasons for one athlete on `as_of` (info: they never change the
    colour): the latest saved plan whose week has GPS up to `as_of` (this week, else last week)."""
    if plans is None or plans.empty:
        return []
    as_of = pd.Timestamp(as_of).normalize()
    own = plans[plans["athlete_id"].astype(str) == str(athlete_id)]
    if own.empty:
        return []
    sessions = sessions[(sessions["athlete_id"].astype(str) == str(athlete_id)) & (sessions["date"] <= as_of)]
    for week in (week_label(as_of), week_label(as_of - pd.Timedelta(days=7))):
        saved = saved_plan(own, athlete_id, week)
        if saved is None or not sessions["date"].isin(set(week_dates(week))).any():
            continue
        m = mss_table(sessions, as_of, injuries, cfg)
        mss = float(m["mss_ms"].iloc[0]) if len(m) else math.nan
        tier = saved["tier"] or 1
        actual = plan_vs_actual(saved["days"], actual_days(sessions, week_dates(week), mss), tier, cfg)
        return [{**r, "message": f"{week} plan: {r['message']}"} for r in actual_reasons(actual, cfg)]
    return []


def defaults_with(**values: float) -> Settings:
    """The default settings with some values changed (for scenarios and tests)."""
    cfg = defaults()
    cfg.update(values)
    return cfg
