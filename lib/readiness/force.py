"""Force-plate facts: CMJ asymmetry and FT:CT, flagged only beyond the measure's noise (typical error and SWC)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from lib.core.settings import Settings
from lib.metrics.baselines import beyond_noise, smallest_worthwhile_change, typical_error
from lib.readiness.rows import _baseline, _dated, _latest_day, _mean, _srcs


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
