"""The readiness engine: facts per athlete on a date, tiers, and the traffic-light board.

For every athlete (not only injured ones) on a date: status green (cleared for the next tier or
full high-velocity work), amber (hold), red (step back one tier / no high-velocity work), grey
(not enough recent data); current tier; and the reasons, each naming metric, value, threshold,
direction and source. Facts come from lib.symmetry, lib.exposure and lib.baselines; the rules
and the tier ladder are data (lib.rules); thresholds come only from the settings table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.baselines import beyond_noise, smallest_worthwhile_change, typical_error
from lib.exposure import exposure_status
from lib.rules import FULL_RETURN, NEGATE, OPS, RULES, SYMBOL, TIER_SOURCE, TIERS, Rule
from lib.settings import BY_NAME, Settings, defaults
from lib.symmetry import HOP_BATTERY, limb_symmetry

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

    @classmethod
    def from_store(cls, engine: Engine) -> "Data":
        """Every table from the store (active rows)."""
        return cls(*(store.read_table(engine, t) for t in ("athletes", "injuries", "tests", "sessions", "wellness")),
                   tier_history=read_tier_history(engine))


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
        rows = conn.execute(sa.select(tier_changes).order_by(tier_changes.c.date, tier_changes.c.change_id)).mappings().all()
    df = pd.DataFrame(rows, columns=[c.name for c in tier_changes.columns])
    return df.assign(date=pd.to_datetime(df["date"]))


def active_injury(injuries: pd.DataFrame, athlete_id: str, on: pd.Timestamp) -> dict[str, object] | None:
    """The latest injury on or before `on` that is not yet cleared on that date."""
    rows = injuries[(injuries["athlete_id"] == athlete_id) & (injuries["injury_date"] <= on)]
    rows = rows[rows["cleared_date"].isna() | (rows["cleared_date"] > on)]
    return rows.sort_values("injury_date").iloc[-1].to_dict() if len(rows) else None


def current_tier(history: pd.DataFrame, athlete_id: str, on: pd.Timestamp, top_pct_14d: float,
                 injury_date: pd.Timestamp, sessions_since: pd.DataFrame, mss: float) -> tuple[int, str, pd.Timestamp | None]:
    """(tier, how it was decided, since when): the latest recorded change, else inferred from
    the highest share of MSS reached in the last 14 days."""
    h = history[(history["athlete_id"] == athlete_id) & (history["date"] <= on) & (history["date"] >= injury_date)]
    if len(h):
        last = h.iloc[-1]
        return int(last["tier"]), f"recorded {last['date']:%Y-%m-%d} by {last['who']}: {last['reason']}", last["date"]
    if np.isnan(top_pct_14d):
        return 1, "inferred: no running on record in the last 14 days", None
    tier = 1
    for t in TIERS[1:]:
        if top_pct_14d >= t.max_pct_mss - 7.5:  # within the band below the tier's cap
            tier = t.number
    cap = TIERS[tier - 1].max_pct_mss - 7.5
    since = None
    if len(sessions_since) and not np.isnan(mss):
        reached = sessions_since[sessions_since["max_speed_ms"] / mss * 100 >= cap]
        since = reached["date"].min() if len(reached) else None
    return tier, f"inferred from top speed {top_pct_14d:.0f}% MSS in the last 14 days", since


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
            _records_by_athlete(t[(t["test"].isin(["cmj", "nordic"]) & t["metric"].isin(["asymmetry", "jump_height"]))
                                  | (t["test"].isin(["nordic", "hip_adduction"]) & (t["metric"] == "max_force"))
                                  | ((t["test"] == "calf_raise") & (t["metric"] == "reps"))], on, TEST_COLS),
        )


FACT_ITEMS = ["pain", "swelling", *WELLNESS_HIGHER_IS_BETTER]
WELLNESS_COLS = ["date", "item", "value", "source_file", "source_row"]
LSI_COLS = ["date", "test", "lsi", "left_cv", "right_cv", "sources"]
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
    _strength_facts(rows.tests.get(athlete_id, []), on, stale, injured_side, cfg, facts, sources)
    _exposure_facts(exposure, athlete_id, facts, sources)
    worst = _worst_wellness_z(wellness, on, cfg)
    if worst is not None:
        facts["wellness_worst_z"], sources["wellness_worst_z"] = worst
    facts["_sources"] = sources
    return facts


def _pain_facts(wellness: list[dict], on: pd.Timestamp, stale: pd.Timedelta, cfg: Settings,
                facts: dict[str, object], sources: dict[str, str]) -> None:
    pain = [r for r in wellness if r["item"] == "pain" and r["date"] > on - stale]
    if pain:
        last = pain[-1]
        facts["pain"] = float(last["value"])
        sources["pain"] = _src(last, "wellness")
        if len(pain) >= 2:
            prev = pain[-2]
            if (last["date"] - prev["date"]).days == 1 and prev["value"] > cfg.num("pain_ok"):
                facts["pain_not_settled"] = float(last["value"])
                sources["pain_not_settled"] = f"{_src(prev, 'wellness')} then {_src(last, 'wellness')}"
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
        if not recent or pd.isna(recent[-1]["lsi"]):
            continue
        facts[f"{test}_lsi"] = float(recent[-1]["lsi"])
        sources[f"{test}_lsi"] = f"{recent[-1]['date']:%Y-%m-%d}: {recent[-1]['sources']}"
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
        sides = pd.Series([r["side"] for r in cmj]).mode()
        sources["cmj_asymmetry"] = (f"{cmj[0]['date']:%Y-%m-%d}, larger side {sides.iloc[0] if len(sides) else '?'}, "
                                    f"mean of {len(cmj)} test(s): {_srcs(cmj)}")
    nordic = _latest_day([r for r in tests if r["test"] == "nordic" and r["metric"] == "asymmetry"], on, stale)
    if nordic:
        facts["nordic_imbalance"] = float(np.mean([r["value"] for r in nordic]))
        sources["nordic_imbalance"] = f"{nordic[0]['date']:%Y-%m-%d}: {_srcs(nordic)}"
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
                sources["jump_height_drop_pct"] = (f"{day:%Y-%m-%d}: {value:.1f} cm vs 28-day baseline {mean:.1f} cm")


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
    for key in ("acwr_hsr", "acwr_sprint", "acwr_hsr_peak7", "acwr_sprint_peak7", "days_since_near_max",
                "mss_age_days", "pct_pre_injury_hsr"):
        if key in er and not pd.isna(er[key]):
            facts[key] = float(er[key])
            sources[key] = "GPS sessions" + (f", MSS {er['mss_ms']:.2f} m/s set {er['mss_date']:%Y-%m-%d}"
                                             if key in ("days_since_near_max", "mss_age_days") else "")
    facts["enough_gps"] = bool(er["enough_data"])
    facts["coverage_days"] = int(er["coverage_days"])
    facts["mss_ms"] = float(er["mss_ms"])


def _worst_wellness_z(wellness: list[dict], on: pd.Timestamp, cfg: Settings) -> tuple[float, str] | None:
    """The wellness item furthest from the athlete's 28-day baseline in its bad direction."""
    best: tuple[float, str] | None = None
    for item, higher_better in WELLNESS_HIGHER_IS_BETTER.items():
        rows = [r for r in wellness if r["item"] == item]
        if len(rows) < 4 or rows[-1]["date"] < on - pd.Timedelta(days=3):
            continue
        last = rows[-1]
        mean, sd = _baseline(rows[:-1], last["date"], cfg)
        if np.isnan(mean) or not sd:
            continue
        z = (float(last["value"]) - mean) / sd
        bad_z = -z if higher_better else z
        if best is None or bad_z > best[0]:
            best = (bad_z, f"{item} {last['value']:.0f} on {last['date']:%Y-%m-%d} vs 28-day mean {mean:.1f}")
    return best


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


def _reason(rule: Rule, value: float, threshold: float, source: str, op: str, data_source: str) -> dict[str, object]:
    shown, limit = format_value(value, rule.unit), format_value(threshold, rule.unit)
    short = (rule.template.split(" (")[0].format(value=shown, threshold=limit) if rule.template
             else f"{rule.label} {shown}{rule.unit} {SYMBOL[op]} {limit}{rule.unit}")
    message = (rule.template.format(value=shown, threshold=limit, source=source) if rule.template
               else f"{short} ({source})")
    return {"rule": rule.id, "effect": rule.effect, "metric": rule.label, "value": round(value, 2),
            "threshold": threshold, "direction": op, "source": source, "message": message, "short": short,
            "data": data_source}


def format_value(value: float, unit: str) -> str:
    """Numbers as a coach reads them: ratios to 2 decimals, whole numbers bare, else 1 decimal."""
    if unit == "":
        return f"{value:.2f}"
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}"


def evaluate(facts: dict[str, object], returning: bool, tier: int, region: str, cfg: Settings) -> tuple[list[dict], list[dict]]:
    """(flags, next-tier criteria) for one athlete: triggered red/amber/info rules, and every gate
    of the next tier with whether it holds."""
    scope_ok = {"all", "returning" if returning else "healthy"}
    sources: dict[str, str] = facts.get("_sources", {})  # type: ignore[assignment]
    flags: list[dict] = []
    criteria: list[dict] = []
    next_tier = tier + 1
    for rule in RULES:
        if rule.scope not in scope_ok or (rule.regions and region not in rule.regions):
            continue
        threshold, source = _threshold(rule, cfg)
        value = facts.get(rule.fact)
        if rule.effect == "gate":
            if not returning or next_tier not in rule.tiers:
                continue
            if value is None or (isinstance(value, float) and np.isnan(value)):
                criteria.append({"rule": rule.id, "effect": "gate", "metric": rule.label, "value": None,
                                 "threshold": threshold, "direction": rule.op, "source": source,
                                 "holds": False if rule.required else None,
                                 "message": f"{rule.label}: {'no current value' if rule.required else 'not tested'} "
                                            f"(needs {SYMBOL[rule.op]} {threshold:g}{rule.unit})",
                                 "short": f"{rule.label}: {'no current value' if rule.required else 'not tested'}",
                                 "data": ""})
                continue
            holds = OPS[rule.op](float(value), threshold)
            reason = _reason(rule, float(value), threshold, source, rule.op if holds else NEGATE[rule.op],
                             sources.get(rule.fact, ""))
            criteria.append({**reason, "holds": holds})
            continue
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        if OPS[rule.op](float(value), threshold):
            flags.append({**_reason(rule, float(value), threshold, source, rule.op, sources.get(rule.fact, "")),
                          "fact": rule.fact})
    # a fact that is already red is not repeated as amber or info
    red_facts = {f["fact"] for f in flags if f["effect"] == "red"}
    flags = [f for f in flags if f["effect"] == "red" or f["fact"] not in red_facts]
    return flags, criteria


# ------------------------------------------------------------------------------------ board

BOARD_COLUMNS = ["athlete_id", "name", "position", "squad", "status", "status_word", "status_icon", "tier",
                 "tier_name", "tier_basis", "next_tier", "action", "returning", "region", "injured_side",
                 "injury_date", "days_since_injury", "reasons", "criteria", "summary"]


def readiness_board(data: Data, on: pd.Timestamp, cfg: Settings | None = None) -> pd.DataFrame:
    """One row per athlete on `on`, sorted red first; reasons and next-tier criteria as lists."""
    cfg = cfg or defaults()
    on = pd.Timestamp(on).normalize()
    lsi = limb_symmetry(data.tests[data.tests["date"] <= on], data.injuries)
    exposure = exposure_status(data.sessions, data.injuries, on, cfg)
    noise = _noise(data.tests)
    fact_rows = FactRows.build(data, lsi, on)
    parts = {name: _by_athlete(getattr(data, name)) for name in ("injuries", "tests", "sessions", "wellness", "tier_history")}
    lsi_parts = _by_athlete(lsi)
    rows = []
    for ath in data.athletes.sort_values("name").to_dict("records"):
        aid = ath["athlete_id"]
        # the athlete's own rows only: each lookup below scans a few hundred rows, not the season
        own = Data(data.athletes, *(parts[n].get(aid, getattr(data, n).iloc[0:0])
                                    for n in ("injuries", "tests", "sessions", "wellness", "tier_history")))
        rows.append(_board_row(ath, on, own, lsi_parts.get(aid, lsi.iloc[0:0]), fact_rows, exposure, noise, cfg))
    board = pd.DataFrame(rows, columns=BOARD_COLUMNS)
    board = board.astype({"next_tier": "Int64", "days_since_injury": "Int64"})
    board["_order"] = board["status"].map(STATUS_ORDER)
    return board.sort_values(["_order", "name"]).drop(columns="_order").reset_index(drop=True)


def _by_athlete(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {str(k): g for k, g in df.groupby("athlete_id", sort=False)} if len(df) else {}


def _noise(tests: pd.DataFrame) -> dict[str, float]:
    jh = tests[(tests["test"] == "cmj") & (tests["metric"] == "jump_height") & (tests["side"] == "both")]
    if jh.empty:
        return {}
    means = jh.groupby(["athlete_id"], as_index=False)["value"].mean()
    return {"cmj_jump_height_te": typical_error(tests, "cmj", "jump_height"),
            "cmj_jump_height_swc": smallest_worthwhile_change(means)}


def _board_row(ath: dict[str, object], on: pd.Timestamp, data: Data, lsi: pd.DataFrame, fact_rows: FactRows,
               exposure: pd.DataFrame, noise: dict[str, float], cfg: Settings) -> dict[str, object]:
    athlete_id = str(ath["athlete_id"])
    injury = active_injury(data.injuries, athlete_id, on)
    returning = injury is not None
    region = str(injury["region"]) if injury else ""
    facts = athlete_facts(athlete_id, on, fact_rows, exposure, noise, cfg,
                          since=pd.Timestamp(injury["injury_date"]) if injury else None,
                          injured_side=str(injury["side"]) if injury else None)
    strength_test = STRENGTH_TEST.get(region)
    if strength_test:
        s = lsi[(lsi["athlete_id"] == athlete_id) & (lsi["test"] == strength_test) & (lsi["date"] <= on)
                & (lsi["date"] > on - pd.Timedelta(days=int(cfg.num("stale_days"))))]
        if len(s) and not np.isnan(s.iloc[-1]["lsi"]):
            facts["strength_lsi"] = float(s.iloc[-1]["lsi"])
            facts["_sources"]["strength_lsi"] = f"{strength_test.replace('_', ' ')} {s.iloc[-1]['date']:%Y-%m-%d}: {s.iloc[-1]['sources']}"  # type: ignore[index]
    sess = data.sessions[(data.sessions["athlete_id"] == athlete_id) & (data.sessions["date"] <= on)]
    mss = float(facts.get("mss_ms", np.nan))
    recent = sess[sess["date"] > on - pd.Timedelta(days=14)]
    top14 = round(float(recent["max_speed_ms"].max() / mss * 100), 6) if len(recent) and not np.isnan(mss) and recent["max_speed_ms"].notna().any() else np.nan
    facts["top_pct_mss_14d"] = top14
    facts["_sources"]["top_pct_mss_14d"] = f"max speed in GPS sessions since {on - pd.Timedelta(days=13):%Y-%m-%d}"  # type: ignore[index]
    if returning:
        since_injury = sess[sess["date"] >= injury["injury_date"]]
        tier, basis, tier_since = current_tier(data.tier_history, athlete_id, on, top14, injury["injury_date"], since_injury, mss)
        start = tier_since if tier_since is not None else injury["injury_date"]
        facts["days_at_tier"] = float((on - pd.Timestamp(start)).days)
        facts["_sources"]["days_at_tier"] = f"at tier {tier} since {pd.Timestamp(start):%Y-%m-%d}"  # type: ignore[index]
    else:
        tier, basis = len(TIERS), "no active injury: full training"
    flags, criteria = evaluate(facts, returning, tier, region, cfg)
    status, action = _status(flags, criteria, facts, returning, tier, on, data, athlete_id, cfg)
    reasons = sorted(flags, key=lambda r: {"red": 0, "amber": 1, "info": 3}[r["effect"]])
    flagged = {r["metric"] for r in reasons}
    unmet = [c for c in criteria if c["holds"] is False and c["metric"] not in flagged]
    info = [r for r in reasons if r["effect"] == "info"]
    shown = [r for r in reasons if r["effect"] != "info"] + unmet
    if status == "grey":
        grey = _grey_reason(facts, returning, cfg)
        shown = [{"effect": "grey", "metric": "data", "message": grey, "short": grey.split(" (")[0], "value": None,
                  "threshold": None, "direction": "", "source": BY_NAME["coverage_days"].source, "data": ""}] + shown
    if status == "green":
        met = [c["message"] for c in criteria if c["holds"]]
        shown = [{"effect": "ok", "metric": "all criteria",
                  "message": ("next-tier criteria met: " + "; ".join(met)) if met else "no flags on current data",
                  "short": "all next-tier criteria met" if met else "no flags on current data",
                  "value": None, "threshold": None, "direction": "", "source": "", "data": ""}] + shown
    shown = shown + info
    next_tier = min(tier + 1, FULL_RETURN) if returning else None
    tier_obj = TIERS[tier - 1]
    return {
        "athlete_id": athlete_id, "name": ath["name"], "position": ath.get("position"), "squad": ath.get("squad"),
        "status": status, "status_word": STATUS_WORDS[status], "status_icon": STATUS_ICONS[status],
        "tier": tier, "tier_name": tier_obj.name, "tier_basis": basis, "next_tier": next_tier, "action": action,
        "returning": returning, "region": region or None, "injured_side": injury["side"] if injury else None,
        "injury_date": injury["injury_date"] if injury else pd.NaT,
        "days_since_injury": (on - injury["injury_date"]).days if injury else None,
        "reasons": shown, "criteria": criteria,
        "summary": "; ".join(r["short"] for r in shown[:3]),
    }


def _status(flags: list[dict], criteria: list[dict], facts: dict[str, object], returning: bool, tier: int,
            on: pd.Timestamp, data: Data, athlete_id: str, cfg: Settings) -> tuple[str, str]:
    if any(f["effect"] == "red" for f in flags):
        back = max(1, tier - 1)
        return "red", (f"step back to tier {back}" if returning else "no high-velocity work today")
    if _no_recent_data(facts, returning, on, data, athlete_id, cfg):
        return "grey", "collect data before deciding"
    if any(f["effect"] == "amber" for f in flags) or any(c["holds"] is False for c in criteria):
        return "amber", (f"hold at tier {tier}" if returning else "hold: no new high-velocity progression")
    if returning:
        return "green", ("progress to tier " + str(tier + 1) if tier < len(TIERS) else "cleared for full return")
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


def board_for_export(board: pd.DataFrame) -> pd.DataFrame:
    """The board flattened for CSV: reasons joined into text."""
    out = board.drop(columns=["reasons", "criteria"]).copy()
    out["reasons"] = board["reasons"].map(lambda rs: " | ".join(r["message"] for r in rs))
    return out
