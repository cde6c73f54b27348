"""Force-plate facts: CMJ asymmetry and FT:CT, flagged only beyond the measure's noise (typical error and SWC)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from lib.core.settings import Settings
from lib.metrics.baselines import beyond_noise, smallest_worthwhile_change, typical_error
from lib.readiness.rows import Rows, _baseline_rows, _dated, _latest_day, _mean, _nanmax, _sd, _srcs, _ymd, ns


def _force_facts(tests: dict[object, Rows], as_of: pd.Timestamp, stale: pd.Timedelta, noise: dict[str, float],
                 cfg: Settings, facts: dict[str, object], sources: dict[str, str]) -> None:
    """CMJ asymmetry and Nordic imbalance of the latest test day, each flagged beyond noise, and the
    CMJ jump-height drop against the 28-day baseline. `tests`: the athlete's rows by (test, metric)."""
    cmj = _latest_day(tests.get(("cmj", "asymmetry")), as_of, stale)
    if cmj is not None:
        facts["cmj_asymmetry"] = _mean(cmj.col("value"))
        _dated(facts, "cmj_asymmetry", cmj.date(0))
        sources["cmj_asymmetry"] = (f"{_ymd(cmj.date(0))}, larger side {_most_common(cmj.col('side'))}, "
                                    f"mean of {len(cmj)} test(s): {_srcs(cmj.records())}")
    nordic = _latest_day(tests.get(("nordic", "asymmetry")), as_of, stale)
    forces = _latest_day(_left_right(tests.get(("nordic", "max_force"))), as_of, stale)
    if nordic is not None and (forces is None or nordic.ats[0] >= forces.ats[0]):
        facts["nordic_imbalance"] = _mean(nordic.col("value"))
        _dated(facts, "nordic_imbalance", nordic.date(0))
        sources["nordic_imbalance"] = f"{_ymd(nordic.date(0))}: {_srcs(nordic.records())}"
    elif forces is not None and set(forces.col("side")) == {"left", "right"}:
        # no asymmetry column (a hand-entered sheet): (stronger - weaker) / stronger x 100 from the means
        left = _mean(forces.where("side", "left").col("value"))
        right = _mean(forces.where("side", "right").col("value"))
        if max(left, right) > 0:
            facts["nordic_imbalance"] = abs(left - right) / max(left, right) * 100
            _dated(facts, "nordic_imbalance", forces.date(0))
            sources["nordic_imbalance"] = (f"{_ymd(forces.date(0))}: left {left:.0f} N, right {right:.0f} N "
                                           f"(weaker side {'left' if left < right else 'right'}): {_srcs(forces.records())}")
    for fact, key in (("cmj_asymmetry", "cmj_asymmetry"), ("nordic_imbalance", "nordic_asymmetry")):
        if fact in facts:
            day = facts["_dates"][fact]  # type: ignore[index]
            _flag_beyond_noise(fact, _daily_asymmetry(tests, fact, day - pd.Timedelta(days=int(cfg.num("baseline_days"))),
                                                      day), noise, key, cfg, facts, sources)
    jumps = tests.get(("cmj", "jump_height"))
    jumps = jumps.where("side", "both") if jumps is not None else None
    latest = _latest_day(jumps, as_of, stale)
    if latest is not None:
        day = latest.date(0)
        value = _mean(latest.col("value"))
        mean, _sd = _baseline_rows(jumps, day, cfg)  # type: ignore[arg-type]
        if not np.isnan(mean):
            change = value - mean
            te, te_from = jump_height_noise(noise, mean, cfg)
            if change < 0 and beyond_noise(change, te, noise.get("cmj_jump_height_swc", np.nan)):
                facts["jump_height_drop_pct"] = -change / mean * 100
                _dated(facts, "jump_height_drop_pct", day)
                sources["jump_height_drop_pct"] = (f"{_ymd(day)}: {value:.1f} cm vs 28-day baseline {mean:.1f} cm; "
                                                   f"noise {te:.1f} cm ({te_from})")


def _left_right(rows: Rows | None) -> Rows | None:
    """The rows of the left or the right side."""
    if rows is None:
        return None
    return rows.where("side", "left", "right")


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


def _daily_asymmetry(tests: dict[object, Rows], fact: str, after: pd.Timestamp,
                     before: pd.Timestamp) -> dict[pd.Timestamp, float]:
    """Per test day after `after` and before `before` (the baseline `_flag_beyond_noise` reads):
    CMJ asymmetry (mean of the day's tests), or Nordic imbalance (the device's column, else from
    the day's left and right forces); the days with the column first, each oldest first."""
    test = "cmj" if fact == "cmj_asymmetry" else "nordic"
    lo, hi = ns(after), ns(before)
    asym = tests.get((test, "asymmetry"))
    out = ({d: _mean([float(v) for v in r.col("value")]) for d, r in asym.between(lo, hi).days()}
           if asym is not None else {})
    forces = _left_right(tests.get(("nordic", "max_force"))) if test == "nordic" else None
    if forces is not None:
        for d, r in forces.between(lo, hi).days():
            sides = r.col("side")
            if d not in out and len(set(sides)) == 2:
                values = [float(v) for v in r.col("value")]
                left = _mean([v for v, s in zip(values, sides) if s == "left"])
                right = _mean([v for v, s in zip(values, sides) if s == "right"])
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
        mean, sd = _mean(before), _sd(before)
        te = _nanmax(noise.get(f"{key}_te", np.nan), sd)
        if value <= mean or not beyond_noise(value - mean, te, noise.get(f"{key}_swc", np.nan)):
            return
        sources[f"{fact}_flag"] = f"{sources.get(fact, '')}; baseline {mean:.1f} (SD {sd:.1f}): beyond noise"
    else:
        sources[f"{fact}_flag"] = f"{sources.get(fact, '')}; no baseline yet"
    facts[f"{fact}_flag"] = value
    _dated(facts, f"{fact}_flag", day)


def _ftct_facts(tests: dict[object, Rows], as_of: pd.Timestamp, stale: pd.Timedelta, noise: dict[str, float],
                cfg: Settings, facts: dict[str, object], sources: dict[str, str]) -> None:
    """CMJ flight time : contraction time as % of the athlete's 28-day baseline (Cormack 2008), when
    the fall exceeds the test's noise (typical error and SWC of the team's FT:CT, Hopkins 2000)."""
    rows = tests.get(("cmj", "ft_ct_ratio"))
    rows = rows.where("side", "both") if rows is not None else None
    latest = _latest_day(rows, as_of, stale)
    if latest is None:
        return
    day = latest.date(0)
    mean, sd = _baseline_rows(rows, day, cfg)  # type: ignore[arg-type]
    if np.isnan(mean) or mean <= 0:
        return
    value = _mean(latest.col("value"))
    # single trials: the athlete's own day-to-day SD stands in for the typical error when larger
    te = _nanmax(noise.get("cmj_ft_ct_ratio_te", np.nan), sd)
    if not beyond_noise(value - mean, te, noise.get("cmj_ft_ct_ratio_swc", np.nan)):
        return
    facts["ftct_pct_baseline"] = value / mean * 100
    _dated(facts, "ftct_pct_baseline", day)
    sources["ftct_pct_baseline"] = f"{_ymd(day)}: FT:CT {value:.2f} vs 28-day baseline {mean:.2f}"


NOISE_METRICS = ["jump_height", "asymmetry", "ft_ct_ratio"]


class _NoiseByDay:
    """The team's noise figures from tests up to a date (never after it), computed once per date."""

    def __init__(self, tests: pd.DataFrame, cfg: Settings) -> None:
        # only the rows noise_figures reads (CMJ and Nordic, the three metrics), filtered once, not per date
        if len(tests):
            tests = tests[tests["test"].isin(["cmj", "nordic"]) & tests["metric"].isin(NOISE_METRICS)]
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
