"""The board as the loop per athlete computed it before the vectorised engine (issue 15, item 2):
`readiness_board`, its per-athlete lookups and `exposure_status` as they were at the commit before
the engine, kept here so that the cross-check compares the engine with what the old code gives in
the same test run. The fact producers (and the fact rows, the noise figures by day and
`_rows_until` they read) are the frozen copies in tests/readiness/legacy_facts.py, as they were
before their rewrite into array passes: the check is of the inputs, the passes and the producers.
The judging of facts (`evaluate`, `highest_safe_tier`, `_acted_on`) is still shared with lib."""

# ruff: noqa
from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.rules import FULL_RETURN, TIER_SOURCE, TIERS
from lib.core.settings import BY_NAME, Settings
from lib.core.status import STATUS_ICONS, STATUS_ORDER, STATUS_WORDS
from lib.metrics.baselines import episode_start
from lib.metrics.exposure import (LOADS, acwr_ewma, acwr_rolling, daily_load, pct_of_mss, week_change,
                                  weekly_on_record)
from lib.metrics.mss import mss_table
from lib.metrics.plan_actual import board_reasons as plan_reasons
from lib.metrics.symmetry import limb_symmetry
from lib.readiness.board import BOARD_COLUMNS, _note
from lib.readiness.evaluate import evaluate, highest_safe_tier
from lib.readiness.facts import STRENGTH_TEST, _acted_on, active_injury, recorded_tier
from tests.readiness.legacy_facts import FactRows, _NoiseByDay, _rows_until, athlete_facts
from lib.store.data import Data


def legacy_exposure_status(sessions: pd.DataFrame, injuries: pd.DataFrame, as_of: pd.Timestamp,
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


def _week_exposure(daily: pd.DataFrame | None, athlete_id: str, day: pd.Timestamp, cfg: Settings) -> pd.DataFrame:
    """The exposure facts an earlier day's flags can read (the week-to-week change: acute:chronic,
    MSS and the near-max gap are context or gates, never flags of a returning athlete)."""
    cols = ["athlete_id", "enough_data", "coverage_days", "mss_ms", "acute_hsr_m", "hsr_week_change_pct",
            "hsr_week_increase_m"]
    if daily is None or daily.empty:
        return pd.DataFrame(columns=cols)
    d = daily[(daily["athlete_id"] == athlete_id) & (daily["date"] <= day)].sort_values("date")
    if d.empty:
        return pd.DataFrame(columns=cols)
    coverage = int(d[d["date"] > day - pd.Timedelta(days=28)]["on_record"].sum())
    change = week_change(d, "hsr")
    return pd.DataFrame([{"athlete_id": athlete_id, "enough_data": coverage >= cfg.num("coverage_days"),
                          "coverage_days": coverage, "mss_ms": np.nan,
                          "acute_hsr_m": float(d["hsr"].where(d["on_record"].astype(bool)).tail(7).sum()),
                          **change}], columns=cols)


def _by_athlete(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {str(k): g for k, g in df.groupby("athlete_id", sort=False)} if len(df) else {}


def legacy_readiness_board(data: Data, on: pd.Timestamp, cfg: Settings,
                    facts_out: dict[str, dict[str, object]] | None = None) -> pd.DataFrame:
    """One row per athlete on `on`, sorted red first; reasons and next-tier criteria as lists.
    With `facts_out`, every athlete's facts (what the rules read) are put in it by athlete id."""
    on = pd.Timestamp(on).normalize()
    lsi = limb_symmetry(data.tests[data.tests["date"] <= on], data.injuries)
    exposure = legacy_exposure_status(data.sessions, data.injuries, on, cfg, data.mss_confirmations)
    noise = _NoiseByDay(data.tests, cfg)
    fact_rows = FactRows.build(data, lsi, on)
    parts = {name: _by_athlete(getattr(data, name)) for name in ("injuries", "tests", "sessions", "wellness", "tier_history")}
    lsi_parts = _by_athlete(lsi)
    rows = []
    for ath in data.athletes.sort_values("name").to_dict("records"):
        aid = ath["athlete_id"]
        # the athlete's own rows only: each lookup below scans a few hundred rows, not the season
        own = Data(data.athletes, *(parts[n].get(aid, getattr(data, n).iloc[0:0])
                                    for n in ("injuries", "tests", "sessions", "wellness", "tier_history")),
                   plans=data.plans, mss_confirmations=data.mss_confirmations)
        rows.append(_legacy_board_row(ath, on, own, lsi_parts.get(aid, lsi.iloc[0:0]), fact_rows, exposure, noise, cfg,
                               facts_out))
    board = pd.DataFrame(rows, columns=BOARD_COLUMNS)
    board = board.astype({"tier": "Int64", "days_at_tier": "Int64", "proposed_tier": "Int64", "next_tier": "Int64",
                          "days_since_injury": "Int64"})
    board["_order"] = board["status"].map(STATUS_ORDER)
    return board.sort_values(["_order", "name"]).drop(columns="_order").reset_index(drop=True)


def _legacy_facts_on(athlete_id: str, day: pd.Timestamp, data: Data, lsi: pd.DataFrame, rows: FactRows,
              exposure: pd.DataFrame, noise: dict[str, float], cfg: Settings,
              injury: dict[str, object] | None, since: pd.Timestamp | None) -> dict[str, object]:
    facts = athlete_facts(athlete_id, day, rows, exposure, noise, cfg, since=since,
                          injured_side=str(injury["side"]) if injury else None)
    strength_test = STRENGTH_TEST.get(str(injury["region"])) if injury else None
    if strength_test:
        s = lsi[(lsi["athlete_id"] == athlete_id) & (lsi["test"] == strength_test) & (lsi["date"] <= day)
                & (lsi["date"] > day - pd.Timedelta(days=int(cfg.num("stale_days"))))]
        if len(s) and not np.isnan(s.iloc[-1]["lsi"]):
            facts["strength_lsi"] = float(s.iloc[-1]["lsi"])
            facts["_sources"]["strength_lsi"] = f"{strength_test.replace('_', ' ')} {s.iloc[-1]['date']:%Y-%m-%d}: {s.iloc[-1]['sources']}"  # type: ignore[index]
    return facts


def legacy_flagged_days(athlete_id: str, days: list[pd.Timestamp], data: Data, lsi: pd.DataFrame, rows: FactRows,
                 noise: "_NoiseByDay", cfg: Settings, injury: dict[str, object],
                 since: pd.Timestamp) -> list[pd.Timestamp]:
    """The days among `days` on which the athlete had a stop or hold flag (unmet gates are not
    flags), each day judged on the data up to that day."""
    region = str(injury["region"])
    out = []
    daily = daily_load(data.sessions, max(days)) if days else None
    for day in days:
        exposure = _week_exposure(daily, athlete_id, day, cfg)
        facts = _legacy_facts_on(athlete_id, day, data, lsi, _rows_until(rows, athlete_id, day), exposure, noise(day), cfg,
                          injury, since)
        flags, _ = evaluate(facts, True, 1, region, cfg)
        if any(f["kind"] in ("stop", "hold") for f in flags):
            out.append(day)
    return out


def _legacy_board_row(ath: dict[str, object], on: pd.Timestamp, data: Data, lsi: pd.DataFrame, fact_rows: FactRows,
               exposure: pd.DataFrame, noise: "_NoiseByDay", cfg: Settings,
               facts_out: dict[str, dict[str, object]] | None = None) -> dict[str, object]:
    athlete_id = str(ath["athlete_id"])
    injury = active_injury(data.injuries, athlete_id, on)
    returning = injury is not None
    region = str(injury["region"]) if injury else ""
    since = episode_start(data.injuries, athlete_id, injury["injury_date"]) if injury else None  # type: ignore[arg-type]
    facts = _legacy_facts_on(athlete_id, on, data, lsi, fact_rows, exposure, noise(on), cfg, injury, since)
    rec = recorded_tier(data.tier_history, athlete_id, on, since) if returning and since is not None else None
    tier: int | None = None
    days_at: int | None = None
    note = "no active injury: full training"
    if rec is not None:
        tier, days_at = int(rec["tier"]), int((on - rec["date"]).days)  # type: ignore[operator]
        note = f"recorded {rec['date']:%Y-%m-%d} by {rec['who']}: {rec['reason']}"
        facts["days_at_tier"] = float(days_at)
        facts["_sources"]["days_at_tier"] = f"tier {tier} recorded {rec['date']:%Y-%m-%d} by {rec['who']}"  # type: ignore[index]
        # "a week at the tier without a flag": the flags of the last tier_min_days days at the tier
        window = [d for d in pd.date_range(on - pd.Timedelta(days=int(cfg.num("tier_min_days")) - 1), on - pd.Timedelta(days=1))
                  if d >= rec["date"]]  # type: ignore[operator]
        flagged = legacy_flagged_days(athlete_id, list(window), data, lsi, fact_rows, noise, cfg, injury, since)  # type: ignore[arg-type]
        today_flags, _ = evaluate(facts, True, tier, region, cfg)
        if any(f["kind"] in ("stop", "hold") for f in today_flags):
            flagged.append(on)
        facts["flagged_days_at_tier"] = float(len(flagged))
        facts["_sources"]["flagged_days_at_tier"] = (  # type: ignore[index]
            f"days checked: {window[0] if window else on:%Y-%m-%d} to {on:%Y-%m-%d}"
            + (f"; flagged: {', '.join(f'{d:%Y-%m-%d}' for d in flagged)}" if flagged else "; none flagged"))
    elif returning:
        note = "tier not recorded: the board proposes one for a medical user to confirm"
    if facts_out is not None:
        facts_out[athlete_id] = facts
    flags, _ = evaluate(facts, returning, tier or 1, region, cfg)
    if rec is not None:
        flags = _acted_on(flags, facts, rec)
    stop = any(f["stop"] for f in flags)
    red = any(f["effect"] == "red" for f in flags)
    proposed: int | None = None
    if returning:
        if rec is None:
            proposed = 1 if stop else highest_safe_tier(facts, region, cfg)
        elif red:
            proposed = 1 if stop else highest_safe_tier(facts, region, cfg, below=tier)
    _, criteria = evaluate(facts, returning, (tier if tier is not None else proposed or 1), region, cfg)
    status, action = _legacy_status(flags, criteria, facts, returning, tier, proposed, on, data, athlete_id, cfg)
    if status == "green" and tier is not None and tier < len(TIERS):
        proposed = tier + 1
    reasons = sorted(flags, key=lambda r: {"red": 0, "amber": 1, "info": 3}[r["effect"]])
    flagged_metrics = {r["metric"] for r in reasons}
    unmet = [c for c in criteria if c["holds"] is False and c["metric"] not in flagged_metrics]
    info = [r for r in reasons if r["effect"] == "info"]
    shown = [r for r in reasons if r["effect"] != "info"] + unmet
    if returning and rec is None:
        p = TIERS[(proposed or 1) - 1]
        text = (f"tier not recorded: the board proposes tier {p.number} ({p.name}), the highest whose entry "
                "criteria hold now; a medical user confirms it on the athlete page or with `python -m lib tier`")
        shown = [_note("tier_not_recorded", "hold", "amber", "tier", text, f"tier not recorded: proposed tier {p.number}",
                       TIER_SOURCE)] + shown
    if status == "grey":
        grey = _legacy_grey_reason(facts, returning, cfg)
        shown = [_note("no_recent_data", "info", "grey", "data", grey, grey.split(" (")[0],
                       BY_NAME["coverage_days"].source)] + shown
    if status == "green":
        met = [c["message"] for c in criteria if c["holds"]]
        shown = [_note("criteria_met", "info", "ok", "all criteria",
                       ("next-tier criteria met: " + "; ".join(met)) if met else "no flags on current data",
                       "all next-tier criteria met" if met else "no flags on current data", "")] + shown
    shown = shown + info
    if returning:  # the week's plan against the GPS (lib.metrics.planning): context, never a colour
        shown = shown + plan_reasons(data.sessions, data.injuries, data.plans, athlete_id, on, cfg, data.mss_confirmations)
    next_tier = min((tier if tier is not None else proposed or 1) + 1, FULL_RETURN) if returning else None
    return {
        "athlete_id": athlete_id, "name": ath["name"], "position": ath.get("position"), "squad": ath.get("squad"),
        "status": status, "status_word": STATUS_WORDS[status], "status_icon": STATUS_ICONS[status],
        "tier": tier, "tier_name": TIERS[tier - 1].name if tier else ("not recorded" if returning else ""),
        "tier_basis": "recorded" if rec is not None else ("proposed" if returning else "none"), "tier_note": note,
        "tier_since": rec["date"] if rec is not None else pd.NaT, "days_at_tier": days_at,
        "proposed_tier": proposed, "proposed_tier_name": TIERS[proposed - 1].name if proposed else "",
        "next_tier": next_tier, "action": action,
        "returning": returning, "region": region or None, "injured_side": injury["side"] if injury else None,
        "injury_date": injury["injury_date"] if injury else pd.NaT, "episode_start": since if since is not None else pd.NaT,
        "days_since_injury": (on - injury["injury_date"]).days if injury else None,  # type: ignore[operator]
        "reasons": shown, "criteria": criteria,
        "summary": "; ".join(r["short"] for r in shown[:3]),
        "acwr_hsr": facts.get("acwr_hsr"), "acwr_sprint": facts.get("acwr_sprint"),
    }


def _legacy_status(flags: list[dict], criteria: list[dict], facts: dict[str, object], returning: bool, tier: int | None,
            proposed: int | None, on: pd.Timestamp, data: Data, athlete_id: str, cfg: Settings) -> tuple[str, str]:
    if any(f["effect"] == "red" for f in flags):
        if not returning:
            return "red", "no high-velocity work today"
        stop = any(f["stop"] for f in flags)
        if tier is None:
            return "red", ("tier not recorded: tier 1 until it settles" if stop
                           else f"tier not recorded: at most tier {proposed}")
        if stop:  # pain above the stop level, swelling, pain not settled: no high-velocity work
            return "red", "stop: tier 1 until it settles"
        return "red", (f"step back to tier {proposed}" if proposed is not None and proposed < tier
                       else "no high-velocity work: stay at tier 1")
    if _legacy_no_recent_data(facts, returning, on, data, athlete_id, cfg):
        return "grey", "collect data before deciding"
    if returning and tier is None:
        return "amber", f"tier not recorded: confirm tier {proposed}"
    if any(f["effect"] == "amber" for f in flags) or any(c["holds"] is False for c in criteria):
        return "amber", (f"hold at tier {tier}" if returning else "hold: no new high-velocity progression")
    if returning:
        return "green", ("progress to tier " + str(tier + 1) if tier is not None and tier < len(TIERS)
                         else "cleared for full return")
    return "green", "full high-velocity work"


def _legacy_no_recent_data(facts: dict[str, object], returning: bool, on: pd.Timestamp, data: Data, athlete_id: str,
                    cfg: Settings) -> bool:
    if returning:
        stale = pd.Timedelta(days=int(cfg.num("stale_days")))
        has_test = ((data.tests["athlete_id"] == athlete_id) & (data.tests["date"] <= on) & (data.tests["date"] > on - stale)).any()
        return not has_test and "pain" not in facts
    return not bool(facts.get("enough_gps", False))


def _legacy_grey_reason(facts: dict[str, object], returning: bool, cfg: Settings) -> str:
    if returning:
        return f"no pain score or test in the last {cfg.num('stale_days'):.0f} days"
    days = facts.get("coverage_days", 0)
    return (f"GPS on {days} of the last 28 days < {cfg.num('coverage_days'):.0f} "
            f"({BY_NAME['coverage_days'].source})")


