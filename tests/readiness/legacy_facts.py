"""The fact producers as they were before the rewrite into array passes (issue 15, item 2), kept
verbatim for the cross-check: tests/readiness/legacy_board.py builds the old board from these, so
that tests/readiness/test_engine.py compares the rewritten producers with the old ones row by row
in the same test run. Copied from lib/readiness/facts.py, force.py, rows.py and board.py
(`_rows_until`); not used by lib."""

# ruff: noqa
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.core.provenance import dated_source, source_refs
from lib.core.settings import Settings
from lib.metrics.baselines import beyond_noise, smallest_worthwhile_change, typical_error
from lib.metrics.exposure import acwr_figure
from lib.metrics.symmetry import HOP_BATTERY, lsi_trial_noise
from lib.readiness.facts import STRENGTH_TEST  # data, not a producer
from lib.store.data import Data


WELLNESS_HIGHER_IS_BETTER = {"fatigue": True, "sleep": True, "stress": True, "mood": True, "soreness": False}


@dataclass
class FactRows:
    """The rows the facts read, as plain records per athlete (oldest first), built in one pass."""

    wellness: dict[str, list[dict[str, object]]]
    lsi: dict[str, list[dict[str, object]]]
    tests: dict[str, list[dict[str, object]]]

    @classmethod
    def build(cls, data: Data, lsi: pd.DataFrame, as_of: pd.Timestamp,
              keep_from: pd.Timestamp | None = None) -> "FactRows":
        """The rows up to `as_of`; with `keep_from`, the rows from that date on and the few older
        ones a count or a previous value reads: every row a fact of a day on or after `keep_from` +
        `reach(cfg)` reads (the board's engine: `as_of` and its re-judged days)."""
        w, t = data.wellness, data.tests
        cut = keep_from
        return cls(
            _records_by_athlete(w[w["item"].isin(FACT_ITEMS)], as_of, WELLNESS_COLS, cut, "item", 4, None),
            _records_by_athlete(lsi[lsi["test"].isin(HOP_BATTERY)], as_of, LSI_COLS, cut, "test", 2, "lsi"),
            _records_by_athlete(t[(t["test"].isin(["cmj", "nordic"]) & t["metric"].isin(["asymmetry", "jump_height",
                                                                                     "ft_ct_ratio"]))
                                  | (t["test"].isin(["nordic", "hip_adduction"]) & (t["metric"] == "max_force"))
                                  | ((t["test"] == "calf_raise") & (t["metric"] == "reps"))], as_of, TEST_COLS,
                                cut, None, 0, None),
        )


FACT_ITEMS = ["pain", "swelling", *WELLNESS_HIGHER_IS_BETTER]
WELLNESS_COLS = ["date", "item", "value", "scale", "source_file", "source_row"]
LSI_COLS = ["date", "test", "lsi", "left_cv", "right_cv", "sources", "basis", "involved_pct_pre", "uninvolved_pct_pre"]
TEST_COLS = ["date", "test", "metric", "side", "value", "source_file", "source_row"]


def _records_by_athlete(df: pd.DataFrame, as_of: pd.Timestamp, columns: list[str], cut: pd.Timestamp | None = None,
                        by: str | None = None, older: int = 0, valid: str | None = None) -> dict[str, list[dict[str, object]]]:
    """The rows up to `as_of` as records per athlete, oldest first. With `cut`, the rows from `cut`
    on, and of the rows before it the last `older` per athlete and `by` (with `valid`, of those
    whose `valid` is not blank): what a count or a "previous valid value" reads (the wellness items'
    four answers, the hop LSI's previous valid test)."""
    rows = df.loc[df["date"] <= as_of, list(dict.fromkeys(["athlete_id", *columns]))]
    order = np.argsort(rows["date"].to_numpy(), kind="stable")  # oldest first, ties in table order
    if cut is not None:
        recent = rows["date"].to_numpy()[order] >= cut
        if older and by is not None:
            mask = ~recent if valid is None else ~recent & rows[valid].notna().to_numpy()[order]
            at = np.flatnonzero(mask)  # positions in date order of the rows before the cut
            before = rows.iloc[order[at]]
            last = before.groupby([before["athlete_id"].astype(str).to_numpy(), before[by].astype(str).to_numpy()],
                                  sort=False).cumcount(ascending=False).to_numpy() < older
            recent[at[last]] = True
        order = order[recent]
    rows = rows.iloc[order]
    out: dict[str, list[dict[str, object]]] = {}
    values = [_cells(rows[c]) for c in columns]
    for athlete, *cells in zip(rows["athlete_id"].tolist(), *values):
        out.setdefault(str(athlete), []).append(dict(zip(columns, cells)))
    return out


def _cells(column: pd.Series) -> list[object]:
    """`column.tolist()`; a date column's Timestamps made once per distinct date (a season has a
    few hundred dates over tens of thousands of rows), NaT where blank."""
    if not pd.api.types.is_datetime64_any_dtype(column.dtype):
        return column.tolist()
    codes, days = pd.factorize(column)
    made = [*days, pd.NaT]  # code -1 (blank) reads the last
    return [made[c] for c in codes.tolist()]


def _latest_day(rows: list[dict], as_of: pd.Timestamp, stale: pd.Timedelta) -> list[dict]:
    cut = as_of - stale  # once, not per row
    recent = [r for r in rows if r["date"] > cut]
    if not recent:
        return []
    day = max(r["date"] for r in recent)
    return [r for r in recent if r["date"] == day]


def _dated(facts: dict[str, object], fact: str, day: pd.Timestamp) -> None:
    """Remember the date of the data behind a fact (a step back recorded after it has acted on it)."""
    facts.setdefault("_dates", {})[fact] = pd.Timestamp(day)  # type: ignore[index]


_src = dated_source  # the facts' names for lib.core.provenance's source-row text
_srcs = source_refs


def _baseline(rows: list[dict], day: pd.Timestamp, cfg: Settings) -> tuple[float, float]:
    """Mean and SD of daily means in the `baseline_days` before `day` (day excluded): at least 2 days."""
    window = day - pd.Timedelta(days=int(cfg.num("baseline_days")))
    by_day: dict[pd.Timestamp, list[float]] = {}
    for r in rows:
        if window < r["date"] < day:
            by_day.setdefault(r["date"], []).append(float(r["value"]))
    daily = [_mean(v) for v in by_day.values()]
    if len(daily) < 2:
        return np.nan, np.nan
    return _mean(daily), float(np.std(daily, ddof=1))


def _mean(values: list[float]) -> float:
    """`float(np.mean(values))`, the same float, without an array for a few values: numpy adds
    fewer than 8 values one after the other from 0.0 (its pairwise sum starts at 8), as here."""
    n = len(values)
    if not 0 < n < 8:
        return float(np.mean(values))
    total = 0.0
    for v in values:
        total += v
    return float(total / n)


def _rows_until(rows: FactRows, athlete_id: str, day: pd.Timestamp) -> FactRows:
    """The athlete's fact rows up to `day` (for the board of an earlier day)."""
    def cut(part: dict[str, list[dict]]) -> dict[str, list[dict]]:
        return {athlete_id: [r for r in part.get(athlete_id, []) if r["date"] <= day]}

    return FactRows(cut(rows.wellness), cut(rows.lsi), cut(rows.tests))


def athlete_facts(athlete_id: str, as_of: pd.Timestamp, rows: FactRows, exposure: pd.DataFrame,
                  noise: dict[str, float], cfg: Settings, since: pd.Timestamp | None = None,
                  injured_side: str | None = None) -> dict[str, object]:
    """Every fact the rules read for one athlete on one date, with its date and source."""
    stale = pd.Timedelta(days=int(cfg.num("stale_days")))
    facts: dict[str, object] = {}
    sources: dict[str, str] = {}
    wellness = rows.wellness.get(athlete_id, [])
    _pain_facts(wellness, as_of, stale, cfg, facts, sources)
    _lsi_facts(rows.lsi.get(athlete_id, []), as_of, stale, since, cfg, facts, sources)
    _force_facts(rows.tests.get(athlete_id, []), as_of, stale, noise, cfg, facts, sources)
    _ftct_facts(rows.tests.get(athlete_id, []), as_of, stale, noise, cfg, facts, sources)
    _strength_facts(rows.tests.get(athlete_id, []), as_of, stale, injured_side, cfg, facts, sources)
    _exposure_facts(exposure, athlete_id, facts, sources)
    _wellness_facts(wellness, as_of, cfg, facts, sources)
    facts["_sources"] = sources
    return facts


def _pain_facts(wellness: list[dict], as_of: pd.Timestamp, stale: pd.Timedelta, cfg: Settings,
                facts: dict[str, object], sources: dict[str, str]) -> None:
    """Pain now, and whether it settled by the next morning (pain-monitoring model, Silbernagel
    2007): the next-morning score (the latest) against the score the day before, the session's day.
    Not settled = above the safe level and higher than the day before, or above the acceptable level."""
    cut = as_of - stale  # once, not per row
    pain = [r for r in wellness if r["item"] == "pain" and r["date"] > cut]
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
    cut = as_of - pd.Timedelta(days=3)
    swelling = [r for r in wellness if r["item"] == "swelling" and r["date"] > cut]
    if swelling:
        latest = max(r["date"] for r in swelling)
        today = [r for r in swelling if r["date"] == latest]
        facts["swelling"] = float(max(r["value"] for r in today))
        sources["swelling"] = _src(today[-1], "wellness")


def _lsi_facts(lsi: list[dict], as_of: pd.Timestamp, stale: pd.Timedelta, since: pd.Timestamp | None, cfg: Settings,
               facts: dict[str, object], sources: dict[str, str]) -> None:
    drops = []
    cut = as_of - stale  # once, not per row
    by_test: dict[object, list[dict]] = {}  # the rows of each test, in order: one pass
    for r in lsi:
        by_test.setdefault(r["test"], []).append(r)
    for test in HOP_BATTERY:
        rows = by_test.get(test, [])
        recent = [r for r in rows if r["date"] > cut]
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
            trial_noise = lsi_trial_noise(last["left_cv"], last["right_cv"], test, cfg.num("hop_sem"))
            if drop > 0 and beyond_noise(drop, trial_noise, cfg.num("lsi_drop")):
                drops.append((drop, test, prev, last, trial_noise))
    if drops:
        drop, test, prev, last, trial_noise = max(drops, key=lambda d: d[0])
        facts["hop_lsi_drop"] = drop
        _dated(facts, "hop_lsi_drop", last["date"])
        sources["hop_lsi_drop"] = (f"{test.replace('_', ' ')} LSI {prev['lsi']:.0f}% ({prev['date']:%Y-%m-%d}) -> "
                                   f"{last['lsi']:.0f}% ({last['date']:%Y-%m-%d}); trial noise {trial_noise:.1f} points")


def _strength_facts(tests: list[dict], as_of: pd.Timestamp, stale: pd.Timedelta, injured_side: str | None,
                    cfg: Settings, facts: dict[str, object], sources: dict[str, str]) -> None:
    """Absolute strength of the involved limb: Nordic force, calf-raise reps, adductor squeeze."""
    if injured_side is None:
        return
    for test, metric, fact, how in (("nordic", "max_force", "nordic_force_involved", "mean"),
                                    ("calf_raise", "reps", "calf_raise_reps_involved", "max"),
                                    ("hip_adduction", "max_force", "adductor_squeeze", "mean")):
        rows = _latest_day([r for r in tests if r["test"] == test and r["metric"] == metric], as_of, stale)
        side_rows = [r for r in rows if r["side"] == injured_side] if test != "hip_adduction" else rows
        if not side_rows:
            continue
        values = [float(r["value"]) for r in side_rows]
        facts[fact] = _mean(values) if how == "mean" else max(values)
        sources[fact] = f"{side_rows[0]['date']:%Y-%m-%d}, {injured_side if test != 'hip_adduction' else 'both'} side: {_srcs(side_rows)}"


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
            sources[key] = "GPS sessions" + (f", MSS {er['mss_ms']:.2f} m/s set {er['mss_date']:%Y-%m-%d}"
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


def _wellness_facts(wellness: list[dict], as_of: pd.Timestamp, cfg: Settings, facts: dict[str, object],
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
        if len(rows) < 4 or rows[-1]["date"] < as_of - pd.Timedelta(days=3):
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


def _force_facts(tests: list[dict], as_of: pd.Timestamp, stale: pd.Timedelta, noise: dict[str, float], cfg: Settings,
                 facts: dict[str, object], sources: dict[str, str]) -> None:
    by: dict[tuple[object, object], list[dict]] = {}  # the rows of each test and metric, in order: one pass
    for r in tests:
        by.setdefault((r["test"], r["metric"]), []).append(r)
    cmj_asymmetry, nordic_asymmetry = by.get(("cmj", "asymmetry"), []), by.get(("nordic", "asymmetry"), [])
    nordic_force = by.get(("nordic", "max_force"), [])
    cmj = _latest_day(cmj_asymmetry, as_of, stale)
    if cmj:
        facts["cmj_asymmetry"] = _mean([r["value"] for r in cmj])
        _dated(facts, "cmj_asymmetry", cmj[0]["date"])
        sources["cmj_asymmetry"] = (f"{cmj[0]['date']:%Y-%m-%d}, larger side {_most_common([r['side'] for r in cmj])}, "
                                    f"mean of {len(cmj)} test(s): {_srcs(cmj)}")
    nordic = _latest_day(nordic_asymmetry, as_of, stale)
    forces = _latest_day([r for r in nordic_force if r["side"] in ("left", "right")], as_of, stale)
    if nordic and (not forces or nordic[0]["date"] >= forces[0]["date"]):
        facts["nordic_imbalance"] = _mean([r["value"] for r in nordic])
        _dated(facts, "nordic_imbalance", nordic[0]["date"])
        sources["nordic_imbalance"] = f"{nordic[0]['date']:%Y-%m-%d}: {_srcs(nordic)}"
    elif forces and {r["side"] for r in forces} == {"left", "right"}:
        # no asymmetry column (a hand-entered sheet): (stronger - weaker) / stronger x 100 from the means
        left = _mean([r["value"] for r in forces if r["side"] == "left"])
        right = _mean([r["value"] for r in forces if r["side"] == "right"])
        if max(left, right) > 0:
            facts["nordic_imbalance"] = abs(left - right) / max(left, right) * 100
            _dated(facts, "nordic_imbalance", forces[0]["date"])
            sources["nordic_imbalance"] = (f"{forces[0]['date']:%Y-%m-%d}: left {left:.0f} N, right {right:.0f} N "
                                           f"(weaker side {'left' if left < right else 'right'}): {_srcs(forces)}")
    for fact, key in (("cmj_asymmetry", "cmj_asymmetry"), ("nordic_imbalance", "nordic_asymmetry")):
        if fact in facts:
            own = cmj_asymmetry if fact == "cmj_asymmetry" else nordic_asymmetry + nordic_force
            _flag_beyond_noise(fact, _daily_asymmetry(own, fact), noise, key, cfg, facts, sources)
    jumps = [r for r in by.get(("cmj", "jump_height"), []) if r["side"] == "both"]
    latest = _latest_day(jumps, as_of, stale)
    if latest:
        day = latest[0]["date"]
        value = _mean([r["value"] for r in latest])
        mean, _sd = _baseline([r for r in jumps if r["date"] < day], day, cfg)
        if not np.isnan(mean):
            change = value - mean
            te, te_from = jump_height_noise(noise, mean, cfg)
            if change < 0 and beyond_noise(change, te, noise.get("cmj_jump_height_swc", np.nan)):
                facts["jump_height_drop_pct"] = -change / mean * 100
                _dated(facts, "jump_height_drop_pct", day)
                sources["jump_height_drop_pct"] = (f"{day:%Y-%m-%d}: {value:.1f} cm vs 28-day baseline {mean:.1f} cm; "
                                                   f"noise {te:.1f} cm ({te_from})")


def _most_common(values: list[object]) -> object:
    """The most frequent value, blanks left out, the first in sorted order on a tie (as
    `pd.Series.mode().iloc[0]`); "?" with none."""
    counts = Counter(v for v in values if not pd.isna(v))
    if not counts:
        return "?"
    top = max(counts.values())
    return min(v for v, n in counts.items() if n == top)


def jump_height_noise(noise: dict[str, float], baseline: float, cfg: Settings) -> tuple[float, str]:
    """(typical error of CMJ height in cm, where it comes from): the team's own, from repeated
    trials (Hopkins 2000), else the published CV (`cmj_height_cv`) x the athlete's baseline."""
    te = noise.get("cmj_jump_height_te", np.nan)
    if not np.isnan(te):
        return float(te), "the team's typical error from repeated trials"
    cv = cfg.num("cmj_height_cv")
    return cv / 100 * baseline, f"single trials: CV {cv:g}% of the baseline, Alves Souza 2020"


def _daily_asymmetry(tests: list[dict], fact: str) -> dict[pd.Timestamp, float]:
    """Per test day: CMJ asymmetry (mean of the day's tests), or Nordic imbalance (the device's
    column, else from the day's left and right forces)."""
    test = "cmj" if fact == "cmj_asymmetry" else "nordic"
    by_day: dict[pd.Timestamp, list[float]] = {}
    for r in tests:
        if r["test"] == test and r["metric"] == "asymmetry":
            by_day.setdefault(r["date"], []).append(float(r["value"]))
    out = {d: _mean(v) for d, v in by_day.items()}
    if test == "nordic":
        sides: dict[pd.Timestamp, dict[str, list[float]]] = {}
        for r in tests:
            if r["test"] == "nordic" and r["metric"] == "max_force" and r["side"] in ("left", "right"):
                sides.setdefault(r["date"], {}).setdefault(str(r["side"]), []).append(float(r["value"]))
        for d, lr in sides.items():
            if d not in out and len(lr) == 2:
                left, right = _mean(lr["left"]), _mean(lr["right"])
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
        mean, sd = _mean(before), float(np.std(before, ddof=1))
        te = np.nanmax([noise.get(f"{key}_te", np.nan), sd])
        if value <= mean or not beyond_noise(value - mean, te, noise.get(f"{key}_swc", np.nan)):
            return
        sources[f"{fact}_flag"] = f"{sources.get(fact, '')}; baseline {mean:.1f} (SD {sd:.1f}): beyond noise"
    else:
        sources[f"{fact}_flag"] = f"{sources.get(fact, '')}; no baseline yet"
    facts[f"{fact}_flag"] = value
    _dated(facts, f"{fact}_flag", day)


def _ftct_facts(tests: list[dict], as_of: pd.Timestamp, stale: pd.Timedelta, noise: dict[str, float], cfg: Settings,
                facts: dict[str, object], sources: dict[str, str]) -> None:
    """CMJ flight time : contraction time as % of the athlete's 28-day baseline (Cormack 2008), when
    the fall exceeds the test's noise (typical error and SWC of the team's FT:CT, Hopkins 2000)."""
    rows = [r for r in tests if r["test"] == "cmj" and r["metric"] == "ft_ct_ratio" and r["side"] == "both"]
    latest = _latest_day(rows, as_of, stale)
    if not latest:
        return
    day = latest[0]["date"]
    mean, sd = _baseline([r for r in rows if r["date"] < day], day, cfg)
    if np.isnan(mean) or mean <= 0:
        return
    value = _mean([r["value"] for r in latest])
    # single trials: the athlete's own day-to-day SD stands in for the typical error when larger
    te = np.nanmax([noise.get("cmj_ft_ct_ratio_te", np.nan), sd])
    if not beyond_noise(value - mean, te, noise.get("cmj_ft_ct_ratio_swc", np.nan)):
        return
    facts["ftct_pct_baseline"] = value / mean * 100
    _dated(facts, "ftct_pct_baseline", day)
    sources["ftct_pct_baseline"] = f"{day:%Y-%m-%d}: FT:CT {value:.2f} vs 28-day baseline {mean:.2f}"


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


def noise_figures(tests: pd.DataFrame, cfg: Settings) -> dict[str, float]:
    """Typical error (repeated trials) and smallest worthwhile change (`swc_factor` x the
    between-athlete SD) of CMJ jump height, from the tests given (filter them to the as-of date)."""
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
