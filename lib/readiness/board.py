"""The traffic-light board: every athlete's status, tier, action and reasons on a date."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.rules import FULL_RETURN, TIER_SOURCE, TIERS
from lib.core.settings import BY_NAME, Settings
from lib.core.status import STATUS_ICONS, STATUS_ORDER, STATUS_WORDS
from lib.metrics.exposure import daily_load, week_change_of
from lib.readiness.engine import AthleteInputs, board_inputs
from lib.readiness.evaluate import evaluate, highest_safe_tier
from lib.readiness.facts import STRENGTH_TEST, _acted_on, athlete_facts
from lib.readiness.force import _NoiseByDay
from lib.readiness.rows import FactRows
from lib.store.data import Data


BOARD_COLUMNS = ["athlete_id", "name", "position", "squad", "status", "status_word", "status_icon", "tier",
                 "tier_name", "tier_basis", "tier_note", "tier_since", "days_at_tier", "proposed_tier",
                 "proposed_tier_name", "next_tier", "action", "returning", "region", "injured_side", "injury_date",
                 "episode_start", "days_since_injury", "reasons", "criteria", "summary", "acwr_hsr", "acwr_sprint"]


def readiness_board(data: Data, as_of: pd.Timestamp, cfg: Settings,
                    facts_out: dict[str, dict[str, object]] | None = None,
                    athlete_ids: list[str] | None = None) -> pd.DataFrame:
    """One row per athlete on `as_of`, sorted red first; reasons and next-tier criteria as lists.
    With `facts_out`, every athlete's facts (what the rules read) are put in it by athlete id.
    With `athlete_ids`, only those athletes' rows (the same rows: the team's noise figures still
    come from every athlete's tests)."""
    as_of = pd.Timestamp(as_of).normalize()
    # every athlete's injury, episode, recorded tier, exposure and rows, in grouped passes (lib.readiness.engine)
    inputs = board_inputs(data, as_of, cfg, athlete_ids)
    rows = [_board_row(ath, as_of, inputs.by_athlete[str(ath["athlete_id"])], cfg, facts_out) for ath in inputs.athletes]
    board = pd.DataFrame(rows, columns=BOARD_COLUMNS)
    board = board.astype({"tier": "Int64", "days_at_tier": "Int64", "proposed_tier": "Int64", "next_tier": "Int64",
                          "days_since_injury": "Int64"})
    board["_order"] = board["status"].map(STATUS_ORDER)
    return board.sort_values(["_order", "name"]).drop(columns="_order").reset_index(drop=True)


def _rows_until(rows: FactRows, athlete_id: str, day: pd.Timestamp) -> FactRows:
    """The athlete's fact rows up to `day` (for the board of an earlier day)."""
    return rows.until(athlete_id, day)


def _facts_on(athlete_id: str, day: pd.Timestamp, data: Data, lsi: list[dict[str, object]], rows: FactRows,
              exposure: pd.DataFrame | dict[str, object] | None, noise: dict[str, float], cfg: Settings,
              injury: dict[str, object] | None, since: pd.Timestamp | None) -> dict[str, object]:
    facts = athlete_facts(athlete_id, day, rows, exposure, noise, cfg, since=since,
                          injured_side=str(injury["side"]) if injury else None)
    strength_test = STRENGTH_TEST.get(str(injury["region"])) if injury else None
    if strength_test:
        cut = day - pd.Timedelta(days=int(cfg.num("stale_days")))
        s = [r for r in lsi if r["test"] == strength_test and cut < r["date"] <= day]  # type: ignore[operator]
        if s and not np.isnan(s[-1]["lsi"]):  # type: ignore[arg-type]
            last = s[-1]
            facts["strength_lsi"] = float(last["lsi"])  # type: ignore[arg-type]
            facts["_sources"]["strength_lsi"] = f"{strength_test.replace('_', ' ')} {last['date']:%Y-%m-%d}: {last['sources']}"  # type: ignore[index]
    return facts


def flagged_days(athlete_id: str, days: list[pd.Timestamp], data: Data, lsi: list[dict[str, object]], rows: FactRows,
                 noise: "_NoiseByDay", cfg: Settings, injury: dict[str, object],
                 since: pd.Timestamp, daily: pd.DataFrame | None = None,
                 own: object = ...) -> list[pd.Timestamp]:
    """The days among `days` on which the athlete had a stop or hold flag (unmet gates are not
    flags), each day judged on the data up to that day. `daily`: the athlete's
    `daily_load(sessions, max(days))` when the caller has it, else computed; `own`: its
    `_own_days` when the caller has them (the board's engine; `...`: not given)."""
    region = str(injury["region"])
    out = []
    if own is ...:
        if daily is None:
            daily = daily_load(data.sessions, max(days)) if days else None
        own = _own_days(daily, athlete_id)
    for day in days:
        exposure = _week_exposure(own, athlete_id, day, cfg)
        facts = _facts_on(athlete_id, day, data, lsi, _rows_until(rows, athlete_id, day), exposure, noise(day), cfg,
                          injury, since)
        flags, _ = evaluate(facts, True, 1, region, cfg)
        if any(f["kind"] in ("stop", "hold") for f in flags):
            out.append(day)
    return out


def _own_days(daily: pd.DataFrame | None, athlete_id: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(dates, HSR m, on record) of the athlete's days, oldest first, or None with none."""
    if daily is None or daily.empty:
        return None
    d = daily[daily["athlete_id"].astype(str) == athlete_id].sort_values("date", kind="stable")
    if d.empty:
        return None
    return d["date"].to_numpy(), d["hsr"].to_numpy(dtype=float), d["on_record"].to_numpy(dtype=bool)


def _week_exposure(own: tuple[np.ndarray, np.ndarray, np.ndarray] | None, athlete_id: str, day: pd.Timestamp,
                   cfg: Settings) -> dict[str, object] | None:
    """The exposure facts an earlier day's flags can read (the week-to-week change: acute:chronic,
    MSS and the near-max gap are context or gates, never flags of a returning athlete)."""
    if own is None:
        return None
    dates, hsr, on = own
    n = int(np.searchsorted(dates, np.datetime64(day), side="right"))  # the days up to `day`
    if not n:
        return None
    dates, hsr, on = dates[:n], hsr[:n], on[:n]
    coverage = int(on[dates > np.datetime64(day - pd.Timedelta(days=28))].sum())
    return {"athlete_id": athlete_id, "enough_data": coverage >= cfg.num("coverage_days"), "coverage_days": coverage,
            "mss_ms": np.nan, "acute_hsr_m": float(np.nansum(np.where(on, hsr, np.nan)[-7:])),
            **week_change_of(hsr, on, "hsr")}


def _board_row(ath: dict[str, object], as_of: pd.Timestamp, inputs: AthleteInputs, cfg: Settings,
               facts_out: dict[str, dict[str, object]] | None = None) -> dict[str, object]:
    athlete_id = str(ath["athlete_id"])
    injury = inputs.injury  # facts.active_injury
    returning = injury is not None
    region = str(injury["region"]) if injury else ""
    since = inputs.since if injury else None  # baselines.episode_start of the injury
    noise = inputs.noise
    facts = _facts_on(athlete_id, as_of, None, inputs.lsi if injury else None, inputs.rows,  # type: ignore[arg-type]
                      inputs.exposure, noise(as_of), cfg, injury, since)  # _facts_on reads no table of `data`
    rec = inputs.recorded if returning and since is not None else None  # facts.recorded_tier
    tier: int | None = None
    days_at: int | None = None
    note = "no active injury: full training"
    if rec is not None:
        tier, days_at = int(rec["tier"]), int((as_of - rec["date"]).days)  # type: ignore[operator]
        note = f"recorded {rec['date']:%Y-%m-%d} by {rec['who']}: {rec['reason']}"
        facts["days_at_tier"] = float(days_at)
        facts["_sources"]["days_at_tier"] = f"tier {tier} recorded {rec['date']:%Y-%m-%d} by {rec['who']}"  # type: ignore[index]
        # "a week at the tier without a flag": the flags of the last tier_min_days days at the tier
        window = [d for d in pd.date_range(as_of - pd.Timedelta(days=int(cfg.num("tier_min_days")) - 1), as_of - pd.Timedelta(days=1))
                  if d >= rec["date"]]  # type: ignore[operator]
        # the athlete's days up to the day before, from the engine (flagged_days reads no other table then)
        engine_days = bool(window) and max(window) == as_of - pd.Timedelta(days=1)
        flagged = flagged_days(athlete_id, list(window), None if engine_days else inputs.data,  # type: ignore[arg-type]
                               inputs.lsi, inputs.rows, noise, cfg, injury, since,  # type: ignore[arg-type]
                               **({"own": inputs.days_before()} if engine_days else {}))
        today_flags, _ = evaluate(facts, True, tier, region, cfg)
        if any(f["kind"] in ("stop", "hold") for f in today_flags):
            flagged.append(as_of)
        facts["flagged_days_at_tier"] = float(len(flagged))
        facts["_sources"]["flagged_days_at_tier"] = (  # type: ignore[index]
            f"days checked: {window[0] if window else as_of:%Y-%m-%d} to {as_of:%Y-%m-%d}"
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
    status, action = _status(flags, criteria, facts, returning, tier, proposed, inputs.recent_test, cfg)
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
        grey = _grey_reason(facts, returning, cfg)
        shown = [_note("no_recent_data", "info", "grey", "data", grey, grey.split(" (")[0],
                       BY_NAME["coverage_days"].source)] + shown
    if status == "green":
        met = [c["message"] for c in criteria if c["holds"]]
        shown = [_note("criteria_met", "info", "ok", "all criteria",
                       ("next-tier criteria met: " + "; ".join(met)) if met else "no flags on current data",
                       "all next-tier criteria met" if met else "no flags on current data", "")] + shown
    shown = shown + info
    if returning:  # the week's plan against the GPS (lib.metrics.planning): context, never a colour
        shown = shown + inputs.plan_reasons(as_of)
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
        "days_since_injury": (as_of - injury["injury_date"]).days if injury else None,  # type: ignore[operator]
        "reasons": shown, "criteria": criteria,
        "summary": "; ".join(r["short"] for r in shown[:3]),
        # the one acute:chronic figure (lib.metrics.exposure.acwr_figure via the facts): descriptive, never a decision
        "acwr_hsr": facts.get("acwr_hsr"), "acwr_sprint": facts.get("acwr_sprint"),
    }


def _note(rule: str, kind: str, effect: str, metric: str, message: str, short: str, source: str) -> dict[str, object]:
    return {"rule": rule, "kind": kind, "effect": effect, "metric": metric, "message": message, "short": short,
            "value": None, "threshold": None, "direction": "", "source": source, "data": ""}


def _status(flags: list[dict], criteria: list[dict], facts: dict[str, object], returning: bool, tier: int | None,
            proposed: int | None, recent_test: bool, cfg: Settings) -> tuple[str, str]:
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
    if _no_recent_data(facts, returning, recent_test):
        return "grey", "collect data before deciding"
    if returning and tier is None:
        return "amber", f"tier not recorded: confirm tier {proposed}"
    if any(f["effect"] == "amber" for f in flags) or any(c["holds"] is False for c in criteria):
        return "amber", (f"hold at tier {tier}" if returning else "hold: no new high-velocity progression")
    if returning:
        return "green", ("progress to tier " + str(tier + 1) if tier is not None and tier < len(TIERS)
                         else "cleared for full return")
    return "green", "full high-velocity work"


def _no_recent_data(facts: dict[str, object], returning: bool, recent_test: bool) -> bool:
    """`recent_test`: a test in the last `stale_days` (lib.readiness.engine.board_inputs)."""
    if returning:
        return not recent_test and "pain" not in facts
    return not bool(facts.get("enough_gps", False))


def _grey_reason(facts: dict[str, object], returning: bool, cfg: Settings) -> str:
    if returning:
        return f"no pain score or test in the last {cfg.num('stale_days'):.0f} days"
    days = facts.get("coverage_days", 0)
    return (f"GPS on {days} of the last 28 days < {cfg.num('coverage_days'):.0f} "
            f"({BY_NAME['coverage_days'].source})")


def board_for_export(board: pd.DataFrame) -> pd.DataFrame:
    """The board flattened for CSV: reasons joined into text."""
    out = board.drop(columns=["reasons", "criteria"]).copy()
    out["reasons"] = board["reasons"].map(lambda rs: " | ".join(r["message"] for r in rs))
    return out
