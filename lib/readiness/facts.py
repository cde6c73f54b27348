"""Facts per athlete on a date: pain, LSI, force asymmetry, strength, exposure and wellness, each with the rows it came from."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.core.settings import Settings
from lib.metrics.baselines import beyond_noise
from lib.metrics.exposure import acwr_figure
from lib.metrics.symmetry import HOP_BATTERY, lsi_trial_noise
from lib.readiness.force import _force_facts, _ftct_facts
from lib.readiness.rows import (WELLNESS_HIGHER_IS_BETTER, FactRows, Rows, _baseline, _baseline_rows, _dated, _latest_day,
                                _mean, _src, _srcs, _ymd, ns)


STRENGTH_TEST = {
    "hamstring": "nordic", "adductor": "hip_adduction", "groin": "hip_adduction", "calf": "calf_raise",
    "achilles": "calf_raise", "quadriceps": "sl_cmj", "ankle": "sl_cmj", "knee": "sl_cmj",
}


def active_injury(injuries: pd.DataFrame, athlete_id: str, as_of: pd.Timestamp) -> dict[str, object] | None:
    """The latest injury on or before `as_of` that is not yet cleared on that date."""
    rows = injuries[(injuries["athlete_id"] == athlete_id) & (injuries["injury_date"] <= as_of)]
    rows = rows[rows["cleared_date"].isna() | (rows["cleared_date"] > as_of)]
    return rows.sort_values("injury_date").iloc[-1].to_dict() if len(rows) else None


def recorded_tier(history: pd.DataFrame, athlete_id: str, as_of: pd.Timestamp,
                  since: pd.Timestamp) -> dict[str, object] | None:
    """The latest tier change staff recorded for the athlete on or before `as_of` in the episode that
    started on `since` (a change from an earlier episode does not count), or None."""
    h = history[(history["athlete_id"] == athlete_id) & (history["date"] <= as_of) & (history["date"] >= since)]
    if not len(h):
        return None
    last = h.sort_values("date", kind="stable").iloc[-1]
    return {"tier": int(last["tier"]), "date": pd.Timestamp(last["date"]), "who": last.get("who"),
            "reason": last.get("reason")}


def athlete_facts(athlete_id: str, as_of: pd.Timestamp, rows: FactRows, exposure: pd.DataFrame,
                  noise: dict[str, float], cfg: Settings, since: pd.Timestamp | None = None,
                  injured_side: str | None = None) -> dict[str, object]:
    """Every fact the rules read for one athlete on one date, with its date and source. Each
    producer selects its rows on the athlete's columns (lib.readiness.rows.Rows: dates as arrays,
    cut by searchsorted) and reads as records only the few rows a fact or its source names."""
    stale = pd.Timedelta(days=int(cfg.num("stale_days")))
    facts: dict[str, object] = {}
    sources: dict[str, str] = {}
    wellness, tests = rows.wellness.get(athlete_id, {}), rows.tests.get(athlete_id, {})
    _pain_facts(wellness, as_of, stale, cfg, facts, sources)
    _lsi_facts(rows.lsi.get(athlete_id, {}), as_of, stale, since, cfg, facts, sources)
    _force_facts(tests, as_of, stale, noise, cfg, facts, sources)
    _ftct_facts(tests, as_of, stale, noise, cfg, facts, sources)
    _strength_facts(tests, as_of, stale, injured_side, cfg, facts, sources)
    _exposure_facts(exposure, athlete_id, facts, sources)
    _wellness_facts(wellness, as_of, cfg, facts, sources)
    facts["_sources"] = sources
    return facts


def _pain_facts(wellness: dict[object, Rows], as_of: pd.Timestamp, stale: pd.Timedelta, cfg: Settings,
                facts: dict[str, object], sources: dict[str, str]) -> None:
    """Pain now, and whether it settled by the next morning (pain-monitoring model, Silbernagel
    2007): the next-morning score (the latest) against the score the day before, the session's day.
    Not settled = above the safe level and higher than the day before, or above the acceptable level.
    `wellness`: the athlete's rows by item, up to `as_of`."""
    pain = wellness["pain"].until(ns(as_of)).after(ns(as_of - stale)) if "pain" in wellness else None
    if pain is not None and len(pain):
        last = pain.record(len(pain) - 1)
        facts["pain"] = float(last["value"])
        sources["pain"] = _src(last, "wellness")
        prev = pain.record(len(pain) - 2) if len(pain) >= 2 else None
        if prev is not None and (last["date"] - prev["date"]).days != 1:
            prev = None
        value = float(last["value"])
        risen = prev is not None and value > cfg.num("pain_ok") and value > float(prev["value"])
        if risen or value > cfg.num("pain_stop"):
            facts["pain_not_settled"] = 1.0
            before = f" the morning after {float(prev['value']):g}/10" if prev is not None else ""
            facts.setdefault("_details", {})["pain_not_settled"] = (  # type: ignore[union-attr]
                f"{value:g}/10{before}" + ("" if risen else f", above the acceptable {cfg.num('pain_stop'):g}/10"))
            sources["pain_not_settled"] = (f"{_src(prev, 'wellness')} then " if prev is not None else "") + _src(last, "wellness")
    # swelling: the latest day's within 3 days, its largest score
    today = _latest_day(wellness.get("swelling"), as_of, pd.Timedelta(days=3))
    if today is not None:
        facts["swelling"] = float(max(today.col("value")))
        sources["swelling"] = _src(today.record(len(today) - 1), "wellness")


def _lsi_facts(lsi: dict[object, Rows], as_of: pd.Timestamp, stale: pd.Timedelta, since: pd.Timestamp | None,
               cfg: Settings, facts: dict[str, object], sources: dict[str, str]) -> None:
    """Each hop test's latest valid LSI within `stale_days`, and the largest drop beyond the trial
    noise (`lsi_drop`, `hop_sem`) between the last two valid rehab tests. `lsi`: the rows by test."""
    drops = []
    for test in HOP_BATTERY:
        rows = lsi[test].until(ns(as_of)) if test in lsi else None
        if rows is None:
            continue
        recent = rows.after(ns(as_of - stale))
        valid = [i for i, v in enumerate(recent.numbers("lsi")) if v == v]  # not NaN
        if not valid:
            continue
        last = recent.record(valid[-1])
        # one limb tested on the latest day: the last valid LSI still counts, with its own date
        later = " (later test: one limb only)" if recent.ats[-1] > recent.ats[valid[-1]] else ""
        if last.get("basis") == "bilateral":
            pcts = [float(last[c]) for c in ("involved_pct_pre", "uninvolved_pct_pre") if not pd.isna(last[c])]
            if pcts:  # both limbs injured: the weaker limb's % of its own pre-injury value
                facts[f"{test}_lsi"] = min(pcts)
                sources[f"{test}_lsi"] = (f"{_ymd(last['date'])}: bilateral injury, LSI unreliable "
                                          f"({float(last['lsi']):.0f}%): weaker limb {min(pcts):.0f}% of pre-injury; "
                                          f"{last['sources']}")
                continue
        facts[f"{test}_lsi"] = float(last["lsi"])
        sources[f"{test}_lsi"] = f"{_ymd(last['date'])}: {last['sources']}{later}"
        # a regression compares rehab tests, never the pre-injury baseline
        start = ns(since) if since is not None else None
        valid = [i for i, (v, a) in enumerate(zip(rows.numbers("lsi"), rows.ats)) if v == v and (start is None or a >= start)]
        if len(valid) >= 2:
            prev, last = rows.record(valid[-2]), rows.record(valid[-1])
            drop = float(prev["lsi"] - last["lsi"])
            trial_noise = lsi_trial_noise(last["left_cv"], last["right_cv"], test, cfg.num("hop_sem"))
            if drop > 0 and beyond_noise(drop, trial_noise, cfg.num("lsi_drop")):
                drops.append((drop, test, prev, last, trial_noise))
    if drops:
        drop, test, prev, last, trial_noise = max(drops, key=lambda d: d[0])
        facts["hop_lsi_drop"] = drop
        _dated(facts, "hop_lsi_drop", last["date"])
        sources["hop_lsi_drop"] = (f"{test.replace('_', ' ')} LSI {prev['lsi']:.0f}% ({_ymd(prev['date'])}) -> "
                                   f"{last['lsi']:.0f}% ({_ymd(last['date'])}); trial noise {trial_noise:.1f} points")


def _strength_facts(tests: dict[object, Rows], as_of: pd.Timestamp, stale: pd.Timedelta, injured_side: str | None,
                    cfg: Settings, facts: dict[str, object], sources: dict[str, str]) -> None:
    """Absolute strength of the involved limb: Nordic force, calf-raise reps, adductor squeeze.
    `tests`: the athlete's rows by (test, metric)."""
    if injured_side is None:
        return
    for test, metric, fact, how in (("nordic", "max_force", "nordic_force_involved", "mean"),
                                    ("calf_raise", "reps", "calf_raise_reps_involved", "max"),
                                    ("hip_adduction", "max_force", "adductor_squeeze", "mean")):
        rows = _latest_day(tests.get((test, metric)), as_of, stale)
        if rows is None:
            continue
        side_rows = rows.where("side", injured_side) if test != "hip_adduction" else rows
        if not len(side_rows):
            continue
        values = [float(v) for v in side_rows.col("value")]
        facts[fact] = _mean(values) if how == "mean" else max(values)
        sources[fact] = (f"{_ymd(side_rows.date(0))}, {injured_side if test != 'hip_adduction' else 'both'} "
                         f"side: {_srcs(side_rows.records())}")


def _exposure_facts(exposure: pd.DataFrame | dict[str, object] | None, athlete_id: str, facts: dict[str, object],
                    sources: dict[str, str]) -> None:
    """`exposure`: exposure_status's frame, or the athlete's row of it as a dict (the board's engine)."""
    er = _exposure_row(exposure, athlete_id)
    if er is None:
        return
    for key in ("acwr_hsr", "acwr_sprint", "days_since_near_max", "mss_age_days", "pct_pre_injury_hsr",
                "hsr_week_change_pct"):
        if key.startswith("acwr_"):  # the one acute:chronic figure every page shows
            ratio = acwr_figure(er, key.removeprefix("acwr_"))
            if ratio is not None:
                facts[key] = ratio
                sources[key] = "GPS sessions"
            continue
        if key in er and not pd.isna(er[key]):
            facts[key] = float(er[key])
            sources[key] = "GPS sessions" + (f", MSS {er['mss_ms']:.2f} m/s set {_ymd(er['mss_date'])}"
                                             + _mss_basis(er) if key in ("days_since_near_max", "mss_age_days") else "")
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


def _mss_basis(er: pd.Series) -> str:
    """How the MSS was confirmed, for its source text: `, confirmed by staff: dr x on 2026-11-20`."""
    by = er.get("mss_confirmed_by")
    return f", confirmed by {by}" if isinstance(by, str) and by else ", not confirmed by a second session"


def _exposure_row(exposure: pd.DataFrame | dict[str, object] | None, athlete_id: str) -> dict[str, object] | None:
    if exposure is None or isinstance(exposure, dict):
        return exposure
    e = exposure[exposure["athlete_id"] == athlete_id] if len(exposure) else exposure
    return e.iloc[0].to_dict() if len(e) else None


def _wellness_facts(wellness: dict[object, Rows], as_of: pd.Timestamp, cfg: Settings, facts: dict[str, object],
                    sources: dict[str, str]) -> None:
    """Wellness items, each in its own direction, and their composite (McLean 2010: the sum of the
    items, higher is better) against the athlete's 28-day baseline. z = drop / max(SD, floor) with
    `wellness_sd_floor` per item (x sqrt(items) for the composite), and only a drop larger than
    `wellness_min_change` counts: one step on a 1-5 item is never a flag by itself. Facts:
    `wellness_item_z` (the worst item) and `wellness_composite_z`, each with its words.
    `wellness`: the athlete's rows by item (in the order of each item's first row)."""
    floor, min_change = cfg.num("wellness_sd_floor"), cfg.num("wellness_min_change")
    details: dict[str, str] = facts.setdefault("_details", {})  # type: ignore[assignment]
    latest: dict[str, dict] = {}
    worst: tuple[float, str, str] | None = None
    by_item: dict[str, Rows] = {}
    for item, rows in wellness.items():
        if item in WELLNESS_HIGHER_IS_BETTER:
            rows = rows.until(ns(as_of))
            if len(rows):
                by_item[str(item)] = rows
    for item, rows in by_item.items():
        if len(rows) < 4 or rows.date(-1) < as_of - pd.Timedelta(days=3):
            continue
        last = rows.record(len(rows) - 1)
        latest[item] = last
        mean, sd = _baseline_rows(rows.part(0, len(rows) - 1), last["date"], cfg)
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
        rows = by_item[item]
        for d, v in zip(rows.col("date"), rows.col("value")):
            per_day.setdefault(d, {})[item] = float(v) * sign[item]
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
    sources["wellness_composite_z"] = (f"{_ymd(day)} wellness vs the {cfg.num('baseline_days'):.0f}-day mean "
                                       f"{mean:.1f} (SD {sd:.2f}, floor {floor * np.sqrt(len(items)):.2f}); "
                                       "lower-is-worse items (soreness) count negatively")


def _scale_top(row: dict[str, object]) -> str:
    match = re.match(r"\s*\d+\s*-\s*(\d+)", str(row.get("scale") or ""))  # "1-5 McLean, 5 = best" -> /5
    return f"/{match.group(1)}" if match else ""


def _usual(mean: float) -> str:
    return f"{mean:.0f}" if abs(mean - round(mean)) < 0.05 else f"{mean:.1f}"


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
