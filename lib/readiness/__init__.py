"""The readiness engine: facts per athlete on a date, tiers, and the traffic-light board.

For every athlete (not only injured ones) on a date: status green (cleared for the next tier or
full high-velocity work), amber (hold), red (step back to a safe tier / no high-velocity work),
grey (not enough recent data); the tier staff recorded (never inferred from speed) and, beside
it, the tier the board proposes (a step back, a first tier, the next tier), recorded only when a
medical user confirms it; and the reasons, each naming its rule, kind (stop, hold, info), metric,
value, threshold, direction and source. Facts come from lib.symmetry, lib.exposure and lib.baselines; the rules
and the tier ladder are data (lib.rules); thresholds come only from the settings table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.metrics.baselines import beyond_noise, episode_start, smallest_worthwhile_change, typical_error
from lib.metrics.exposure import week_change, daily_load, exposure_status
from lib.metrics.planning import board_reasons as plan_reasons
from lib.core.rules import FULL_RETURN, KINDS, NEGATE, OPS, RULES, SYMBOL, TIER_SOURCE, TIERS, Rule
from lib.core.settings import BY_NAME, Settings, defaults
from lib.metrics.symmetry import HOP_BATTERY, limb_symmetry

STATUS_ORDER = {"red": 0, "amber": 1, "grey": 2, "green": 3}
STATUS_WORDS = {"green": "Ready", "amber": "Hold", "red": "Step back", "grey": "No data"}
STATUS_ICONS = {"green": "▲", "amber": "■", "red": "▼", "grey": "?"}
STRENGTH_TEST = {
    "hamstring": "nordic", "adductor": "hip_adduction", "groin": "hip_adduction", "calf": "calf_raise",
    "achilles": "calf_raise", "quadriceps": "sl_cmj", "ankle": "sl_cmj", "knee": "sl_cmj",
}
WELLNESS_HIGHER_IS_BETTER = {"fatigue": True, "sleep": True, "stress": True, "mood": True, "soreness": False}

tier_changes = sa.Table(
    "tier_changes", store.metadata,
    sa.Column("change_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("athlete_id", sa.Text, nullable=False, index=True),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("tier", sa.Integer, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("who", sa.Text),
    sa.Column("at", sa.DateTime),
)


@dataclass
class Data:
    """The canonical tables the engine reads."""

    athletes: pd.DataFrame
    injuries: pd.DataFrame
    tests: pd.DataFrame
    sessions: pd.DataFrame
    wellness: pd.DataFrame
    tier_history: pd.DataFrame
    plans: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=[c.name for c in store.plans.columns]))

    @classmethod
    def from_store(cls, engine: Engine) -> "Data":
        """Every table from the store (active rows), all read on one consistent snapshot: a write
        that lands between two table reads is seen by none of them or, read again, by all."""
        store.metadata.create_all(engine, tables=[tier_changes])  # before the read-only snapshot
        with store.snapshot(engine) as conn:
            tables = [store.read_table(conn, t) for t in ("athletes", "injuries", "tests", "sessions", "wellness")]
            plans = conn.execute(sa.select(store.plans).order_by(store.plans.c.plan_id)).mappings().all()
            return cls(*tables, tier_history=_tier_history(conn),
                       plans=pd.DataFrame(plans, columns=[c.name for c in store.plans.columns]))


# ------------------------------------------------------------------------------------ tiers

def record_tier_change(engine: Engine, athlete_id: str, date: pd.Timestamp, tier: int, reason: str,
                       who: str = "local") -> None:
    """Store a tier change with who and why (audit-logged)."""
    if tier not in {t.number for t in TIERS}:
        raise ValueError(f"tier must be 1-{len(TIERS)}")
    if not str(reason).strip():
        raise ValueError("a tier change needs a reason (who changed it and why is the record)")
    store.metadata.create_all(engine, tables=[tier_changes])
    with engine.begin() as conn:
        conn.execute(tier_changes.insert().values(athlete_id=athlete_id, date=pd.Timestamp(date).date(), tier=tier,
                                                  reason=reason, who=who, at=store.now()))
        store.log(conn, who, "tier change", {"athlete_id": athlete_id, "date": str(date), "tier": tier, "reason": reason})


def read_tier_history(engine: Engine) -> pd.DataFrame:
    """Every recorded tier change, oldest first."""
    store.metadata.create_all(engine, tables=[tier_changes])
    with engine.connect() as conn:
        return _tier_history(conn)


def _tier_history(conn: sa.Connection) -> pd.DataFrame:
    rows = conn.execute(sa.select(tier_changes).order_by(tier_changes.c.date, tier_changes.c.change_id)).mappings().all()
    df = pd.DataFrame(rows, columns=[c.name for c in tier_changes.columns])
    return df.assign(date=pd.to_datetime(df["date"]))


def active_injury(injuries: pd.DataFrame, athlete_id: str, on: pd.Timestamp) -> dict[str, object] | None:
    """The latest injury on or before `on` that is not yet cleared on that date."""
    rows = injuries[(injuries["athlete_id"] == athlete_id) & (injuries["injury_date"] <= on)]
    rows = rows[rows["cleared_date"].isna() | (rows["cleared_date"] > on)]
    return rows.sort_values("injury_date").iloc[-1].to_dict() if len(rows) else None


def recorded_tier(history: pd.DataFrame, athlete_id: str, on: pd.Timestamp,
                  since: pd.Timestamp) -> dict[str, object] | None:
    """The latest tier change staff recorded for the athlete on or before `on` in the episode that
    started on `since` (a change from an earlier episode does not count), or None."""
    h = history[(history["athlete_id"] == athlete_id) & (history["date"] <= on) & (history["date"] >= since)]
    if not len(h):
        return None
    last = h.sort_values("date", kind="stable").iloc[-1]
    return {"tier": int(last["tier"]), "date": pd.Timestamp(last["date"]), "who": last.get("who"),
            "reason": last.get("reason")}


# ------------------------------------------------------------------------------------ facts

@dataclass
class FactRows:
    """The rows the facts read, as plain records per athlete (oldest first), built in one pass."""

    wellness: dict[str, list[dict[str, object]]]
    lsi: dict[str, list[dict[str, object]]]
    tests: dict[str, list[dict[str, object]]]

    @classmethod
    def build(cls, data: Data, lsi: pd.DataFrame, on: pd.Timestamp) -> "FactRows":
        w, t = data.wellness, data.tests
        return cls(
            _records_by_athlete(w[w["item"].isin(FACT_ITEMS)], on, WELLNESS_COLS),
            _records_by_athlete(lsi[lsi["test"].isin(HOP_BATTERY)], on, LSI_COLS),
            _records_by_athlete(t[(t["test"].isin(["cmj", "nordic"]) & t["metric"].isin(["asymmetry", "jump_height",
                                                                                     "ft_ct_ratio"]))
                                  | (t["test"].isin(["nordic", "hip_adduction"]) & (t["metric"] == "max_force"))
                                  | ((t["test"] == "calf_raise") & (t["metric"] == "reps"))], on, TEST_COLS),
        )


FACT_ITEMS = ["pain", "swelling", *WELLNESS_HIGHER_IS_BETTER]
WELLNESS_COLS = ["date", "item", "value", "scale", "source_file", "source_row"]
LSI_COLS = ["date", "test", "lsi", "left_cv", "right_cv", "sources", "basis", "involved_pct_pre", "uninvolved_pct_pre"]
TEST_COLS = ["date", "test", "metric", "side", "value", "source_file", "source_row"]


def _records_by_athlete(df: pd.DataFrame, on: pd.Timestamp, columns: list[str]) -> dict[str, list[dict[str, object]]]:
    rows = df[df["date"] <= on].sort_values("date", kind="stable")
    out: dict[str, list[dict[str, object]]] = {}
    values = [rows[c].tolist() for c in columns]
    for athlete, *cells in zip(rows["athlete_id"].tolist(), *values):
        out.setdefault(str(athlete), []).append(dict(zip(columns, cells)))
    return out


def athlete_facts(athlete_id: str, on: pd.Timestamp, rows: FactRows, exposure: pd.DataFrame,
                  noise: dict[str, float], cfg: Settings, since: pd.Timestamp | None = None,
                  injured_side: str | None = None) -> dict[str, object]:
    """Every fact the rules read for one athlete on one date, with its date and source."""
    stale = pd.Timedelta(days=int(cfg.num("stale_days")))
    facts: dict[str, object] = {}
    sources: dict[str, str] = {}
    wellness = rows.wellness.get(athlete_id, [])
    _pain_facts(wellness, on, stale, cfg, facts, sources)
    _lsi_facts(rows.lsi.get(athlete_id, []), on, stale, since, cfg, facts, sources)
    _force_facts(rows.tests.get(athlete_id, []), on, stale, noise, cfg, facts, sources)
    _ftct_facts(rows.tests.get(athlete_id, []), on, stale, noise, cfg, facts, sources)
    _strength_facts(rows.tests.get(athlete_id, []), on, stale, injured_side, cfg, facts, sources)
    _exposure_facts(exposure, athlete_id, facts, sources)
    _wellness_facts(wellness, on, cfg, facts, sources)
    facts["_sources"] = sources
    return facts


def _pain_facts(wellness: list[dict], on: pd.Timestamp, stale: pd.Timedelta, cfg: Settings,
                facts: dict[str, object], sources: dict[str, str]) -> None:
    """Pain now, and whether it settled by the next morning (pain-monitoring model, Silbernagel
    2007): the next-morning score (the latest) against the score the day before, the session's day.
    Not settled = above the safe level and higher than the day before, or above the acceptable level."""
    pain = [r for r in wellness if r["item"] == "pain" and r["date"] > on - stale]
    if pain:
        last = pain[-1]
        facts["pain"] = float(last["value"])
        sources["pain"] = _src(last, "wellness")
        prev = pain[-2] if len(pain) >= 2 and (last["date"] - pain[-2]["date"]).days == 1 else None
        value = float(last["value"])
        risen = prev is not None and value > cfg.num("pain_ok") and value > float(prev["value"])
        if risen or value > cfg.num("pain_stop"):
            facts["pain_not_settled"] = 1.0
            before = f" the morning after {float(prev['value']):g}/10" if prev is not None else ""
            facts.setdefault("_details", {})["pain_not_settled"] = (  # type: ignore[union-attr]
                f"{value:g}/10{before}" + ("" if risen else f", above the acceptable {cfg.num('pain_stop'):g}/10"))
            sources["pain_not_settled"] = (f"{_src(prev, 'wellness')} then " if prev is not None else "") + _src(last, "wellness")
    swelling = [r for r in wellness if r["item"] == "swelling" and r["date"] > on - pd.Timedelta(days=3)]
    if swelling:
        latest = max(r["date"] for r in swelling)
        today = [r for r in swelling if r["date"] == latest]
        facts["swelling"] = float(max(r["value"] for r in today))
        sources["swelling"] = _src(today[-1], "wellness")


def _lsi_facts(lsi: list[dict], on: pd.Timestamp, stale: pd.Timedelta, since: pd.Timestamp | None, cfg: Settings,
               facts: dict[str, object], sources: dict[str, str]) -> None:
    drops = []
    for test in HOP_BATTERY:
        rows = [r for r in lsi if r["test"] == test]
        recent = [r for r in rows if r["date"] > on - stale]
        valid = [r for r in recent if not pd.isna(r["lsi"])]
        if not valid:
            continue
        last = valid[-1]
        # one limb tested on the latest day: the last valid LSI still counts, with its own date
        later = " (later test: one limb only)" if recent[-1]["date"] > last["date"] else ""
        if last.get("basis") == "bilateral":
            pcts = [float(last[c]) for c in ("involved_pct_pre", "uninvolved_pct_pre") if not pd.isna(last[c])]
            if pcts:  # both limbs injured: the weaker limb's % of its own pre-injury value
                facts[f"{test}_lsi"] = min(pcts)
                sources[f"{test}_lsi"] = (f"{last['date']:%Y-%m-%d}: bilateral injury, LSI unreliable "
                                          f"({float(last['lsi']):.0f}%): weaker limb {min(pcts):.0f}% of pre-injury; "
                                          f"{last['sources']}")
                continue
        facts[f"{test}_lsi"] = float(last["lsi"])
        sources[f"{test}_lsi"] = f"{last['date']:%Y-%m-%d}: {last['sources']}{later}"
        # a regression compares rehab tests, never the pre-injury baseline
        valid = [r for r in rows if not pd.isna(r["lsi"]) and (since is None or r["date"] >= since)]
        if len(valid) >= 2:
            prev, last = valid[-2], valid[-1]
            drop = float(prev["lsi"] - last["lsi"])
            cvs = [0.0 if pd.isna(last[c]) else float(last[c]) for c in ("left_cv", "right_cv")]
            trial_noise = float(np.hypot(*cvs))  # noise of a ratio of two noisy means
            if drop > 0 and beyond_noise(drop, trial_noise, cfg.num("lsi_drop")):
                drops.append((drop, test, prev, last))
    if drops:
        drop, test, prev, last = max(drops, key=lambda d: d[0])
        facts["hop_lsi_drop"] = drop
        _dated(facts, "hop_lsi_drop", last["date"])
        sources["hop_lsi_drop"] = (f"{test.replace('_', ' ')} LSI {prev['lsi']:.0f}% ({prev['date']:%Y-%m-%d}) -> "
                                   f"{last['lsi']:.0f}% ({last['date']:%Y-%m-%d})")


def _latest_day(rows: list[dict], on: pd.Timestamp, stale: pd.Timedelta) -> list[dict]:
    recent = [r for r in rows if r["date"] > on - stale]
    if not recent:
        return []
    day = max(r["date"] for r in recent)
    return [r for r in recent if r["date"] == day]


def _force_facts(tests: list[dict], on: pd.Timestamp, stale: pd.Timedelta, noise: dict[str, float], cfg: Settings,
                 facts: dict[str, object], sources: dict[str, str]) -> None:
    cmj = _latest_day([r for r in tests if r["test"] == "cmj" and r["metric"] == "asymmetry"], on, stale)
    if cmj:
        facts["cmj_asymmetry"] = float(np.mean([r["value"] for r in cmj]))
        _dated(facts, "cmj_asymmetry", cmj[0]["date"])
        sides = pd.Series([r["side"] for r in cmj]).mode()
        sources["cmj_asymmetry"] = (f"{cmj[0]['date']:%Y-%m-%d}, larger side {sides.iloc[0] if len(sides) else '?'}, "
                                    f"mean of {len(cmj)} test(s): {_srcs(cmj)}")
    nordic = _latest_day([r for r in tests if r["test"] == "nordic" and r["metric"] == "asymmetry"], on, stale)
    forces = _latest_day([r for r in tests if r["test"] == "nordic" and r["metric"] == "max_force"
                          and r["side"] in ("left", "right")], on, stale)
    if nordic and (not forces or nordic[0]["date"] >= forces[0]["date"]):
        facts["nordic_imbalance"] = float(np.mean([r["value"] for r in nordic]))
        _dated(facts, "nordic_imbalance", nordic[0]["date"])
        sources["nordic_imbalance"] = f"{nordic[0]['date']:%Y-%m-%d}: {_srcs(nordic)}"
    elif forces and {r["side"] for r in forces} == {"left", "right"}:
        # no asymmetry column (a hand-entered sheet): (stronger - weaker) / stronger x 100 from the means
        left = float(np.mean([r["value"] for r in forces if r["side"] == "left"]))
        right = float(np.mean([r["value"] for r in forces if r["side"] == "right"]))
        if max(left, right) > 0:
            facts["nordic_imbalance"] = abs(left - right) / max(left, right) * 100
            _dated(facts, "nordic_imbalance", forces[0]["date"])
            sources["nordic_imbalance"] = (f"{forces[0]['date']:%Y-%m-%d}: left {left:.0f} N, right {right:.0f} N "
                                           f"(weaker side {'left' if left < right else 'right'}): {_srcs(forces)}")
    for fact, key in (("cmj_asymmetry", "cmj_asymmetry"), ("nordic_imbalance", "nordic_asymmetry")):
        if fact in facts:
            _flag_beyond_noise(fact, _daily_asymmetry(tests, fact), noise, key, cfg, facts, sources)
    jumps = [r for r in tests if r["test"] == "cmj" and r["metric"] == "jump_height" and r["side"] == "both"]
    latest = _latest_day(jumps, on, stale)
    if latest:
        day = latest[0]["date"]
        value = float(np.mean([r["value"] for r in latest]))
        mean, _sd = _baseline([r for r in jumps if r["date"] < day], day, cfg)
        if not np.isnan(mean):
            change = value - mean
            if change < 0 and beyond_noise(change, noise.get("cmj_jump_height_te", np.nan),
                                           noise.get("cmj_jump_height_swc", np.nan)):
                facts["jump_height_drop_pct"] = -change / mean * 100
                _dated(facts, "jump_height_drop_pct", day)
                sources["jump_height_drop_pct"] = (f"{day:%Y-%m-%d}: {value:.1f} cm vs 28-day baseline {mean:.1f} cm")


def _daily_asymmetry(tests: list[dict], fact: str) -> dict[pd.Timestamp, float]:
    """Per test day: CMJ asymmetry (mean of the day's tests), or Nordic imbalance (the device's
    column, else from the day's left and right forces)."""
    test = "cmj" if fact == "cmj_asymmetry" else "nordic"
    by_day: dict[pd.Timestamp, list[float]] = {}
    for r in tests:
        if r["test"] == test and r["metric"] == "asymmetry":
            by_day.setdefault(r["date"], []).append(float(r["value"]))
    out = {d: float(np.mean(v)) for d, v in by_day.items()}
    if test == "nordic":
        sides: dict[pd.Timestamp, dict[str, list[float]]] = {}
        for r in tests:
            if r["test"] == "nordic" and r["metric"] == "max_force" and r["side"] in ("left", "right"):
                sides.setdefault(r["date"], {}).setdefault(str(r["side"]), []).append(float(r["value"]))
        for d, lr in sides.items():
            if d not in out and len(lr) == 2:
                left, right = float(np.mean(lr["left"])), float(np.mean(lr["right"]))
                if max(left, right) > 0:
                    out[d] = abs(left - right) / max(left, right) * 100
    return out


def _flag_beyond_noise(fact: str, daily: dict[pd.Timestamp, float], noise: dict[str, float], key: str,
                       cfg: Settings, facts: dict[str, object], sources: dict[str, str]) -> None:
    """`<fact>_flag`, what the asymmetry rules read: the value, when its change from the athlete's
    28-day baseline exceeds the noise (the larger of the team's typical error and the athlete's own
    day-to-day SD, and the SWC); with no baseline yet, the value itself (nothing to compare with)."""
    day = facts["_dates"][fact]  # type: ignore[index]
    window = day - pd.Timedelta(days=int(cfg.num("baseline_days")))
    before = [v for d, v in daily.items() if window < d < day]
    value = float(facts[fact])  # type: ignore[arg-type]
    if len(before) >= 2:
        mean, sd = float(np.mean(before)), float(np.std(before, ddof=1))
        te = np.nanmax([noise.get(f"{key}_te", np.nan), sd])
        if value <= mean or not beyond_noise(value - mean, te, noise.get(f"{key}_swc", np.nan)):
            return
        sources[f"{fact}_flag"] = f"{sources.get(fact, '')}; baseline {mean:.1f} (SD {sd:.1f}): beyond noise"
    else:
        sources[f"{fact}_flag"] = f"{sources.get(fact, '')}; no baseline yet"
    facts[f"{fact}_flag"] = value
    _dated(facts, f"{fact}_flag", day)


def _ftct_facts(tests: list[dict], on: pd.Timestamp, stale: pd.Timedelta, noise: dict[str, float], cfg: Settings,
                facts: dict[str, object], sources: dict[str, str]) -> None:
    """CMJ flight time : contraction time as % of the athlete's 28-day baseline (Cormack 2008), when
    the fall exceeds the test's noise (typical error and SWC of the team's FT:CT, Hopkins 2000)."""
    rows = [r for r in tests if r["test"] == "cmj" and r["metric"] == "ft_ct_ratio" and r["side"] == "both"]
    latest = _latest_day(rows, on, stale)
    if not latest:
        return
    day = latest[0]["date"]
    mean, sd = _baseline([r for r in rows if r["date"] < day], day, cfg)
    if np.isnan(mean) or mean <= 0:
        return
    value = float(np.mean([r["value"] for r in latest]))
    # single trials: the athlete's own day-to-day SD stands in for the typical error when larger
    te = np.nanmax([noise.get("cmj_ft_ct_ratio_te", np.nan), sd])
    if not beyond_noise(value - mean, te, noise.get("cmj_ft_ct_ratio_swc", np.nan)):
        return
    facts["ftct_pct_baseline"] = value / mean * 100
    _dated(facts, "ftct_pct_baseline", day)
    sources["ftct_pct_baseline"] = f"{day:%Y-%m-%d}: FT:CT {value:.2f} vs 28-day baseline {mean:.2f}"


def _strength_facts(tests: list[dict], on: pd.Timestamp, stale: pd.Timedelta, injured_side: str | None,
                    cfg: Settings, facts: dict[str, object], sources: dict[str, str]) -> None:
    """Absolute strength of the involved limb: Nordic force, calf-raise reps, adductor squeeze."""
    if injured_side is None:
        return
    for test, metric, fact, how in (("nordic", "max_force", "nordic_force_involved", "mean"),
                                    ("calf_raise", "reps", "calf_raise_reps_involved", "max"),
                                    ("hip_adduction", "max_force", "adductor_squeeze", "mean")):
        rows = _latest_day([r for r in tests if r["test"] == test and r["metric"] == metric], on, stale)
        side_rows = [r for r in rows if r["side"] == injured_side] if test != "hip_adduction" else rows
        if not side_rows:
            continue
        values = [float(r["value"]) for r in side_rows]
        facts[fact] = float(np.mean(values)) if how == "mean" else max(values)
        sources[fact] = f"{side_rows[0]['date']:%Y-%m-%d}, {injured_side if test != 'hip_adduction' else 'both'} side: {_srcs(side_rows)}"


def _baseline(rows: list[dict], day: pd.Timestamp, cfg: Settings) -> tuple[float, float]:
    """Mean and SD of daily means in the `baseline_days` before `day` (day excluded): at least 2 days."""
    window = day - pd.Timedelta(days=int(cfg.num("baseline_days")))
    by_day: dict[pd.Timestamp, list[float]] = {}
    for r in rows:
        if window < r["date"] < day:
            by_day.setdefault(r["date"], []).append(float(r["value"]))
    daily = [float(np.mean(v)) for v in by_day.values()]
    if len(daily) < 2:
        return np.nan, np.nan
    return float(np.mean(daily)), float(np.std(daily, ddof=1))


def _exposure_facts(exposure: pd.DataFrame, athlete_id: str, facts: dict[str, object], sources: dict[str, str]) -> None:
    e = exposure[exposure["athlete_id"] == athlete_id] if len(exposure) else exposure
    if not len(e):
        return
    er = e.iloc[0]
    for key in ("acwr_hsr", "acwr_sprint", "days_since_near_max", "mss_age_days", "pct_pre_injury_hsr",
                "hsr_week_change_pct"):
        if key in er and not pd.isna(er[key]):
            facts[key] = float(er[key])
            sources[key] = "GPS sessions" + (f", MSS {er['mss_ms']:.2f} m/s set {er['mss_date']:%Y-%m-%d}"
                                             if key in ("days_since_near_max", "mss_age_days") else "")
    if "hsr_week_change_pct" in facts:
        now = er["acute_hsr_m"]
        sources["hsr_week_change_pct"] = (f"GPS: +{er['hsr_week_increase_m']:.0f} m on the 7 days before "
                                          "(each a weekly figure over its days on record); last 7 days "
                                          f"{now:.0f} m")
    if "pct_pre_injury_hsr" in facts:
        sources["pct_pre_injury_hsr"] = (f"GPS: {er['chronic_hsr_week_m']:.0f} m/week over the last 28 days vs "
                                         f"{er['pre_injury_hsr_week_m']:.0f} m/week in the 28 days before the "
                                         "injury (weekly over days on record)")
    for key in ("acwr_hsr", "acwr_sprint"):
        if key in facts:
            sources[key] = "GPS sessions; descriptive, not predictive (Lolli 2019, Impellizzeri 2020)"
    facts["enough_gps"] = bool(er["enough_data"])
    facts["coverage_days"] = int(er["coverage_days"])
    facts["mss_ms"] = float(er["mss_ms"])


def _wellness_facts(wellness: list[dict], on: pd.Timestamp, cfg: Settings, facts: dict[str, object],
                    sources: dict[str, str]) -> None:
    """Wellness items, each in its own direction, and their composite (McLean 2010: the sum of the
    items, higher is better) against the athlete's 28-day baseline. z = drop / max(SD, floor) with
    `wellness_sd_floor` per item (x sqrt(items) for the composite), and only a drop larger than
    `wellness_min_change` counts: one step on a 1-5 item is never a flag by itself. Facts:
    `wellness_item_z` (the worst item) and `wellness_composite_z`, each with its words."""
    floor, min_change = cfg.num("wellness_sd_floor"), cfg.num("wellness_min_change")
    details: dict[str, str] = facts.setdefault("_details", {})  # type: ignore[assignment]
    latest: dict[str, dict] = {}
    worst: tuple[float, str, str] | None = None
    by_item: dict[str, list[dict]] = {}
    for r in wellness:
        if r["item"] in WELLNESS_HIGHER_IS_BETTER:
            by_item.setdefault(str(r["item"]), []).append(r)
    for item, rows in by_item.items():
        if len(rows) < 4 or rows[-1]["date"] < on - pd.Timedelta(days=3):
            continue
        last = rows[-1]
        latest[item] = last
        mean, sd = _baseline(rows[:-1], last["date"], cfg)
        if np.isnan(mean):
            continue
        sign = 1 if WELLNESS_HIGHER_IS_BETTER[item] else -1
        # the drop in whole steps from the usual answer: 3 against a mean of 4.1 is one step, not a flag
        if (round(mean) - float(last["value"])) * sign <= min_change:
            continue
        z = (mean - float(last["value"])) * sign / max(sd if not np.isnan(sd) else 0.0, floor)
        if worst is None or z > worst[0]:
            top = _scale_top(last)
            worst = (z, f"{item} {float(last['value']):g}{top}, usual {_usual(mean)}{top}",
                     f"{_src(last, 'wellness')} vs the {cfg.num('baseline_days'):.0f}-day mean {mean:.1f} "
                     f"(SD {sd:.2f}, floor {floor:g})")
    if worst is not None:
        facts["wellness_item_z"], details["wellness_item_z"], sources["wellness_item_z"] = worst
        _dated(facts, "wellness_item_z", max(r["date"] for r in latest.values()))
    if len(latest) < 2:
        return
    day = max(r["date"] for r in latest.values())
    items = sorted(i for i, r in latest.items() if r["date"] == day)
    sign = {i: 1.0 if WELLNESS_HIGHER_IS_BETTER[i] else -1.0 for i in items}
    per_day: dict[pd.Timestamp, dict[str, float]] = {}
    for item in items:
        for r in by_item[item]:
            per_day.setdefault(r["date"], {})[item] = float(r["value"]) * sign[item]
    composite = [{"date": d, "value": sum(v.values())} for d, v in sorted(per_day.items()) if len(v) == len(items)]
    if not composite or composite[-1]["date"] != day:
        return
    mean, sd = _baseline(composite[:-1], day, cfg)
    if np.isnan(mean):
        return
    drop = mean - composite[-1]["value"]
    # the composite must fall by more than one step on each of its items' noise: min_change x sqrt(items)
    if round(mean) - composite[-1]["value"] <= min_change * np.sqrt(len(items)):
        return
    _dated(facts, "wellness_composite_z", day)
    facts["wellness_composite_z"] = drop / max(sd if not np.isnan(sd) else 0.0, floor * np.sqrt(len(items)))
    details["wellness_composite_z"] = (f"wellness composite ({', '.join(items)}) {composite[-1]['value']:g}, "
                                       f"usual {_usual(mean)}")
    sources["wellness_composite_z"] = (f"{day:%Y-%m-%d} wellness vs the {cfg.num('baseline_days'):.0f}-day mean "
                                       f"{mean:.1f} (SD {sd:.2f}, floor {floor * np.sqrt(len(items)):.2f}); "
                                       "lower-is-worse items (soreness) count negatively")


def _scale_top(row: dict[str, object]) -> str:
    match = re.match(r"\s*\d+\s*-\s*(\d+)", str(row.get("scale") or ""))  # "1-5 McLean, 5 = best" -> /5
    return f"/{match.group(1)}" if match else ""


def _usual(mean: float) -> str:
    return f"{mean:.0f}" if abs(mean - round(mean)) < 0.05 else f"{mean:.1f}"


def _dated(facts: dict[str, object], fact: str, day: pd.Timestamp) -> None:
    """Remember the date of the data behind a fact (a step back recorded after it has acted on it)."""
    facts.setdefault("_dates", {})[fact] = pd.Timestamp(day)  # type: ignore[index]


def _acted_on(flags: list[dict], facts: dict[str, object], rec: dict[str, object]) -> list[dict]:
    """A regression (red, not a stop) whose data is no later than the recorded tier change was seen
    when staff recorded it: it holds at the recorded tier instead of stepping back again."""
    dates: dict[str, pd.Timestamp] = facts.get("_dates", {})  # type: ignore[assignment]
    out = []
    for f in flags:
        when = dates.get(str(f["fact"]))
        if f["effect"] == "red" and not f["stop"] and when is not None and when <= rec["date"]:  # type: ignore[operator]
            note = f" (acted on: tier {rec['tier']} recorded {rec['date']:%Y-%m-%d})"
            f = {**f, "effect": "amber", "kind": "hold", "message": f["message"] + note, "short": f["short"] + note}
        out.append(f)
    return out


def _src(row: dict[str, object], table: str) -> str:
    return f"{row['date']:%Y-%m-%d} {table} {row.get('source_file', '?')}:{row.get('source_row', '?')}"


def _srcs(rows: list[dict[str, object]]) -> str:
    return ", ".join(sorted({f"{r['source_file']}:{r['source_row']}" for r in rows}))


# ------------------------------------------------------------------------------------ rules

def _threshold(rule: Rule, cfg: Settings) -> tuple[float, str]:
    name = rule.threshold.format(**cfg) if "{" in rule.threshold else rule.threshold  # e.g. by sport
    if name in BY_NAME:
        return cfg.num(name), rule.source or BY_NAME[name].source
    return float(name), rule.source or TIER_SOURCE


def _reason(rule: Rule, value: float, threshold: float, source: str, op: str, data_source: str,
            detail: str = "") -> dict[str, object]:
    shown, limit = format_value(value, rule.unit), format_value(threshold, rule.unit)
    words = {"value": shown, "threshold": limit, "source": source, "detail": detail}
    short = (rule.template.split(" (")[0].format(**words) if rule.template
             else f"{rule.label} {shown}{rule.unit} {SYMBOL[op]} {limit}{rule.unit}")
    message = rule.template.format(**words) if rule.template else f"{short} ({source})"
    return {"rule": rule.id, "kind": KINDS[rule.effect], "effect": rule.effect, "metric": rule.label,
            "value": round(value, 2), "threshold": threshold, "direction": op, "source": source, "message": message,
            "short": short, "data": data_source}


def rule_line(rule_id: str, cfg: Settings | None = None) -> tuple[float, str, str]:
    """(threshold, wording, source) of a rule with this team's value, e.g. (10.0, "> 10%", "Hewit 2012 ..."):
    the one wording the board, the checklist and the charts' threshold lines share."""
    cfg = cfg or defaults()
    rule = next(r for r in RULES if r.id == rule_id)
    threshold, source = _threshold(rule, cfg)
    return threshold, f"{SYMBOL[rule.op]} {format_value(threshold, rule.unit)}{rule.unit}", source


def format_value(value: float, unit: str) -> str:
    """Numbers as a coach reads them: ratios to 2 decimals, whole numbers bare, else 1 decimal."""
    if unit == "":
        return f"{value:.2f}"
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _applies(rule: Rule, returning: bool, region: str) -> bool:
    return rule.scope in {"all", "returning" if returning else "healthy"} and not (rule.regions and region not in rule.regions)


def tier_gates(facts: dict[str, object], tier: int, region: str, cfg: Settings,
               moving_up: bool = True) -> list[dict]:
    """The entry criteria of `tier` (FULL_RETURN: the exit of tier 5) for a returning athlete, each
    with `holds` True, False (not met, or a required value missing) or None (not tested).
    `moving_up=False` leaves out the time and flag-free gates (they apply only to moving up)."""
    sources: dict[str, str] = facts.get("_sources", {})  # type: ignore[assignment]
    out: list[dict] = []
    for rule in RULES:
        if rule.effect != "gate" or tier not in rule.tiers or not _applies(rule, True, region):
            continue
        if rule.moving_up and not moving_up:
            continue
        threshold, source = _threshold(rule, cfg)
        value = facts.get(rule.fact)
        if _missing(value):
            word = "no current value" if rule.required else "not tested"
            out.append({"rule": rule.id, "kind": "hold", "effect": "gate", "metric": rule.label, "value": None,
                        "threshold": threshold, "direction": rule.op, "source": source,
                        "holds": False if rule.required else None,
                        "message": f"{rule.label}: {word} (needs {SYMBOL[rule.op]} {threshold:g}{rule.unit})",
                        "short": f"{rule.label}: {word}", "data": ""})
            continue
        holds = OPS[rule.op](float(value), threshold)  # type: ignore[arg-type]
        reason = _reason(rule, float(value), threshold, source, rule.op if holds else NEGATE[rule.op],  # type: ignore[arg-type]
                         sources.get(rule.fact, ""))
        out.append({**reason, "holds": holds})
    return out


def highest_safe_tier(facts: dict[str, object], region: str, cfg: Settings, below: int | None = None) -> int:
    """The highest tier (below `below`, if given) whose entry gates, and those of every tier under
    it, hold now; time and flag-free gates excluded. Tier 1 has no gates."""
    best = 1
    for tier in range(2, (below if below is not None else len(TIERS) + 1)):
        if any(g["holds"] is False for g in tier_gates(facts, tier, region, cfg, moving_up=False)):
            break
        best = tier
    return best


def evaluate(facts: dict[str, object], returning: bool, tier: int, region: str, cfg: Settings) -> tuple[list[dict], list[dict]]:
    """(flags, next-tier criteria) for one athlete: triggered red/amber/info rules, and every gate
    of tier + 1 with whether it holds."""
    sources: dict[str, str] = facts.get("_sources", {})  # type: ignore[assignment]
    details: dict[str, str] = facts.get("_details", {})  # type: ignore[assignment]
    flags: list[dict] = []
    for rule in RULES:
        if rule.effect == "gate" or not _applies(rule, returning, region):
            continue
        value = facts.get(rule.fact)
        if _missing(value):
            continue
        threshold, source = _threshold(rule, cfg)
        if OPS[rule.op](float(value), threshold):  # type: ignore[arg-type]
            flags.append({**_reason(rule, float(value), threshold, source, rule.op, sources.get(rule.fact, ""),  # type: ignore[arg-type]
                                    details.get(rule.fact, "")), "fact": rule.fact, "stop": rule.stop})
    # a fact that is already red is not repeated as amber or info
    red_facts = {f["fact"] for f in flags if f["effect"] == "red"}
    flags = [f for f in flags if f["effect"] == "red" or f["fact"] not in red_facts]
    criteria = tier_gates(facts, tier + 1, region, cfg) if returning else []
    return flags, criteria


# ------------------------------------------------------------------------------------ board

BOARD_COLUMNS = ["athlete_id", "name", "position", "squad", "status", "status_word", "status_icon", "tier",
                 "tier_name", "tier_basis", "tier_note", "tier_since", "days_at_tier", "proposed_tier",
                 "proposed_tier_name", "next_tier", "action", "returning", "region", "injured_side", "injury_date",
                 "episode_start", "days_since_injury", "reasons", "criteria", "summary"]


def readiness_board(data: Data, on: pd.Timestamp, cfg: Settings | None = None,
                    facts_out: dict[str, dict[str, object]] | None = None) -> pd.DataFrame:
    """One row per athlete on `on`, sorted red first; reasons and next-tier criteria as lists.
    With `facts_out`, every athlete's facts (what the rules read) are put in it by athlete id."""
    cfg = cfg or defaults()
    on = pd.Timestamp(on).normalize()
    lsi = limb_symmetry(data.tests[data.tests["date"] <= on], data.injuries)
    exposure = exposure_status(data.sessions, data.injuries, on, cfg)
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
                   plans=data.plans)
        rows.append(_board_row(ath, on, own, lsi_parts.get(aid, lsi.iloc[0:0]), fact_rows, exposure, noise, cfg,
                               facts_out))
    board = pd.DataFrame(rows, columns=BOARD_COLUMNS)
    board = board.astype({"tier": "Int64", "days_at_tier": "Int64", "proposed_tier": "Int64", "next_tier": "Int64",
                          "days_since_injury": "Int64"})
    board["_order"] = board["status"].map(STATUS_ORDER)
    return board.sort_values(["_order", "name"]).drop(columns="_order").reset_index(drop=True)


def _by_athlete(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {str(k): g for k, g in df.groupby("athlete_id", sort=False)} if len(df) else {}


class _NoiseByDay:
    """The team's noise figures from tests up to a date (never after it), computed once per date."""

    def __init__(self, tests: pd.DataFrame, cfg: Settings) -> None:
        self.tests, self.cfg, self.cache = tests, cfg, {}  # type: ignore[var-annotated]
        self.days = np.sort(tests["date"].dropna().unique()) if len(tests) else np.array([], dtype="datetime64[s]")

    def __call__(self, day: pd.Timestamp) -> dict[str, float]:
        # the same tests up to two dates (no test in between) give the same figures: key on the last test day
        i = int(np.searchsorted(self.days, np.datetime64(day), side="right"))
        key = self.days[i - 1] if i else None
        if key not in self.cache:
            self.cache[key] = noise_figures(self.tests[self.tests["date"] <= day], self.cfg)
        return self.cache[key]


def noise_figures(tests: pd.DataFrame, cfg: Settings | None = None) -> dict[str, float]:
    """Typical error (repeated trials) and smallest worthwhile change (`swc_factor` x the
    between-athlete SD) of CMJ jump height, from the tests given (filter them to the as-of date)."""
    cfg = cfg or defaults()
    jh = tests[(tests["test"] == "cmj") & (tests["metric"] == "jump_height") & (tests["side"] == "both")]
    out: dict[str, float] = {}
    if len(jh):
        means = jh.groupby(["athlete_id"], as_index=False)["value"].mean()
        out = {"cmj_jump_height_te": typical_error(tests, "cmj", "jump_height"),
               "cmj_jump_height_swc": smallest_worthwhile_change(means, cfg.num("swc_factor"))}
    for test, key in (("cmj", "cmj_asymmetry"), ("nordic", "nordic_asymmetry")):
        asym = tests[(tests["test"] == test) & (tests["metric"] == "asymmetry")]
        if len(asym):
            out[f"{key}_te"] = typical_error(tests, test, "asymmetry")
            out[f"{key}_swc"] = smallest_worthwhile_change(asym.groupby("athlete_id", as_index=False)["value"].mean(),
                                                           cfg.num("swc_factor"))
    ftct = tests[(tests["test"] == "cmj") & (tests["metric"] == "ft_ct_ratio") & (tests["side"] == "both")]
    if len(ftct):
        out["cmj_ft_ct_ratio_te"] = typical_error(tests, "cmj", "ft_ct_ratio")
        out["cmj_ft_ct_ratio_swc"] = smallest_worthwhile_change(
            ftct.groupby("athlete_id", as_index=False)["value"].mean(), cfg.num("swc_factor"))
    return out


def _rows_until(rows: FactRows, athlete_id: str, day: pd.Timestamp) -> FactRows:
    """The athlete's fact rows up to `day` (for the board of an earlier day)."""
    def cut(part: dict[str, list[dict]]) -> dict[str, list[dict]]:
        return {athlete_id: [r for r in part.get(athlete_id, []) if r["date"] <= day]}

    return FactRows(cut(rows.wellness), cut(rows.lsi), cut(rows.tests))


def _facts_on(athlete_id: str, day: pd.Timestamp, data: Data, lsi: pd.DataFrame, rows: FactRows,
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


def flagged_days(athlete_id: str, days: list[pd.Timestamp], data: Data, lsi: pd.DataFrame, rows: FactRows,
                 noise: "_NoiseByDay", cfg: Settings, injury: dict[str, object],
                 since: pd.Timestamp) -> list[pd.Timestamp]:
    """The days among `days` on which the athlete had a stop or hold flag (unmet gates are not
    flags), each day judged on the data up to that day."""
    region = str(injury["region"])
    out = []
    daily = daily_load(data.sessions, max(days)) if days else None
    for day in days:
        exposure = _week_exposure(daily, athlete_id, day, cfg)
        facts = _facts_on(athlete_id, day, data, lsi, _rows_until(rows, athlete_id, day), exposure, noise(day), cfg,
                          injury, since)
        flags, _ = evaluate(facts, True, 1, region, cfg)
        if any(f["kind"] in ("stop", "hold") for f in flags):
            out.append(day)
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


def _board_row(ath: dict[str, object], on: pd.Timestamp, data: Data, lsi: pd.DataFrame, fact_rows: FactRows,
               exposure: pd.DataFrame, noise: "_NoiseByDay", cfg: Settings,
               facts_out: dict[str, dict[str, object]] | None = None) -> dict[str, object]:
    athlete_id = str(ath["athlete_id"])
    injury = active_injury(data.injuries, athlete_id, on)
    returning = injury is not None
    region = str(injury["region"]) if injury else ""
    since = episode_start(data.injuries, athlete_id, injury["injury_date"]) if injury else None  # type: ignore[arg-type]
    facts = _facts_on(athlete_id, on, data, lsi, fact_rows, exposure, noise(on), cfg, injury, since)
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
        flagged = flagged_days(athlete_id, list(window), data, lsi, fact_rows, noise, cfg, injury, since)  # type: ignore[arg-type]
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
    status, action = _status(flags, criteria, facts, returning, tier, proposed, on, data, athlete_id, cfg)
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
    if returning:  # the week's plan against the GPS (lib.planning): context, never a colour
        shown = shown + plan_reasons(data.sessions, data.injuries, data.plans, athlete_id, on, cfg)
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
    }


def _note(rule: str, kind: str, effect: str, metric: str, message: str, short: str, source: str) -> dict[str, object]:
    return {"rule": rule, "kind": kind, "effect": effect, "metric": metric, "message": message, "short": short,
            "value": None, "threshold": None, "direction": "", "source": source, "data": ""}


def _status(flags: list[dict], criteria: list[dict], facts: dict[str, object], returning: bool, tier: int | None,
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
    if _no_recent_data(facts, returning, on, data, athlete_id, cfg):
        return "grey", "collect data before deciding"
    if returning and tier is None:
        return "amber", f"tier not recorded: confirm tier {proposed}"
    if any(f["effect"] == "amber" for f in flags) or any(c["holds"] is False for c in criteria):
        return "amber", (f"hold at tier {tier}" if returning else "hold: no new high-velocity progression")
    if returning:
        return "green", ("progress to tier " + str(tier + 1) if tier is not None and tier < len(TIERS)
                         else "cleared for full return")
    return "green", "full high-velocity work"


def _no_recent_data(facts: dict[str, object], returning: bool, on: pd.Timestamp, data: Data, athlete_id: str,
                    cfg: Settings) -> bool:
    if returning:
        stale = pd.Timedelta(days=int(cfg.num("stale_days")))
        has_test = ((data.tests["athlete_id"] == athlete_id) & (data.tests["date"] <= on) & (data.tests["date"] > on - stale)).any()
        return not has_test and "pain" not in facts
    return not bool(facts.get("enough_gps", False))


def _grey_reason(facts: dict[str, object], returning: bool, cfg: Settings) -> str:
    if returning:
        return f"no pain score or test in the last {cfg.num('stale_days'):.0f} days"
    days = facts.get("coverage_days", 0)
    return (f"GPS on {days} of the last 28 days < {cfg.num('coverage_days'):.0f} "
            f"({BY_NAME['coverage_days'].source})")


# Every fact a rule reads, and the one function that produces it (a test fails when a rule reads a
# fact that is not here, or that its producer does not produce in the scenario built for it).
FACT_PRODUCERS: dict[str, str] = {
    **dict.fromkeys(("pain", "pain_not_settled", "swelling"), "_pain_facts"),
    **dict.fromkeys(("hop_lsi_drop", *(f"{t}_lsi" for t in HOP_BATTERY)), "_lsi_facts"),
    **dict.fromkeys(("cmj_asymmetry", "nordic_imbalance", "jump_height_drop_pct"), "_force_facts"),
    **dict.fromkeys(("cmj_asymmetry_flag", "nordic_imbalance_flag"), "_flag_beyond_noise"),
    "ftct_pct_baseline": "_ftct_facts",
    **dict.fromkeys(("nordic_force_involved", "calf_raise_reps_involved", "adductor_squeeze"), "_strength_facts"),
    **dict.fromkeys(("acwr_hsr", "acwr_sprint", "days_since_near_max", "mss_age_days", "pct_pre_injury_hsr",
                     "hsr_week_change_pct"), "_exposure_facts"),
    **dict.fromkeys(("wellness_item_z", "wellness_composite_z"), "_wellness_facts"),
    "strength_lsi": "_facts_on",
    **dict.fromkeys(("days_at_tier", "flagged_days_at_tier"), "_board_row"),
}


def board_for_export(board: pd.DataFrame) -> pd.DataFrame:
    """The board flattened for CSV: reasons joined into text."""
    out = board.drop(columns=["reasons", "criteria"]).copy()
    out["reasons"] = board["reasons"].map(lambda rs: " | ".join(r["message"] for r in rs))
    return out
