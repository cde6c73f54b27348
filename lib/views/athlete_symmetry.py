"""The athlete page's Symmetry tab, computed: LSI per test and date with the pass line, the noise
band and each limb against its pre-injury value, and whether the injured limb is catching up.

Every function takes the canonical tables (`Data`) and returns small frames (one row per test
date). Every number is pinned in tests/views/test_views_athlete.py.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from lib.readiness import STRENGTH_TEST, Data
from lib.core.provenance import rows_by_file
from lib.core.settings import BY_NAME, Settings
from lib.metrics.symmetry import (HOP_BATTERY, HOP_LABELS, PRIMARY_METRIC, involved_side_on, limb_symmetry,
                                  lsi_trial_noise)
from lib.views import limb_label

WINDOW_DAYS = 84  # the page's charts show the last 12 weeks
TEST_LABELS = {**HOP_LABELS, "nordic": "Nordic", "hip_adduction": "hip adduction", "hip_abduction": "hip abduction",
               "sl_cmj": "single-leg CMJ", "sl_drop_jump": "single-leg drop jump", "sl_hop_rsi": "single-leg hop RSI",
               "calf_raise": "calf raise"}
METRIC_LABELS = {"distance": "distance", "time": "time", "max_force": "max force", "jump_height": "jump height",
                 "rsi": "RSI", "reps": "reps"}


def own_rows(df: pd.DataFrame, athlete_id: str, as_of: pd.Timestamp) -> pd.DataFrame:
    """One athlete's rows up to `as_of`."""
    return df[(df["athlete_id"] == athlete_id) & (df["date"] <= as_of)]


def source_list(files: pd.Series, rows: pd.Series) -> str:
    """`file.csv:12, 13 · other.csv:4`: each file once, its rows after it."""
    pairs = sorted({(str(f), int(r)) for f, r in zip(files, rows) if not pd.isna(f) and not pd.isna(r)})
    by_file: dict[str, list[str]] = {}
    for f, r in pairs:
        by_file.setdefault(f, []).append(str(r))
    return rows_by_file(by_file, " · ")


def lsi_tests(history: pd.DataFrame, region: str | None = None) -> list[str]:
    """Tests in an LSI history, in page order: the hop battery, the injury's strength test, then others."""
    present = set(history["test"])
    first = [t for t in HOP_BATTERY if t in present] + [t for t in [STRENGTH_TEST.get(region or "")] if t in present]
    return first + [t for t in PRIMARY_METRIC if t in present and t not in first]


def lsi_history(data: Data, athlete_id: str, as_of: dt.date, cfg: Settings,
                days: int = WINDOW_DAYS) -> pd.DataFrame:
    """LSI per test and test date (last `days`), with the pass line, the noise band around the
    latest value, each limb as % of its pre-injury value and the source rows.

    Noise band: the latest LSI +/- the larger of the trial noise (`lsi_trial_noise`: sqrt(CV_left^2 +
    CV_right^2), the noise of a ratio of two trial means; `hop_sem` for a limb hopped once) and the
    `lsi_drop` setting, as the board's
    regression rule reads it: a later LSI inside the band is no real change.
    """
    as_of = pd.Timestamp(as_of)
    tests = own_rows(data.tests, athlete_id, as_of)
    lsi = limb_symmetry(tests, data.injuries[data.injuries["athlete_id"] == athlete_id])
    cols = ["test", "label", "date", "lsi", "lsi_best", "pass_lsi", "pass_source", "passes", "result", "basis",
            "involved_side", "unit", "injured", "uninjured", "injured_now", "uninjured_now", "injured_pre",
            "uninjured_pre", "involved_pct_pre", "uninvolved_pct_pre", "pre_injury_date", "trial_cv", "noise",
            "band_lo", "band_hi", "latest", "injury_date", "sources"]
    if lsi.empty:
        return pd.DataFrame(columns=cols)
    _, injury_date = involved_side_on(data.injuries, athlete_id, as_of)
    injury_date = injury_date if injury_date is not None and injury_date <= as_of else pd.NaT
    lsi = lsi.assign(**{c: lsi[c].astype(float) for c in ("lsi", "lsi_best", "left_mean", "right_mean", "left_cv",
                                                          "right_cv", "involved_pct_pre", "uninvolved_pct_pre")})
    rows = []
    for test, g in lsi.groupby("test", sort=False):
        g = g.sort_values("date")
        metric, unit = str(g["metric"].iloc[0]), str(g["unit"].iloc[0])
        hop = test in HOP_BATTERY
        pass_name = "hop_lsi_pass" if hop else "strength_lsi_pass"
        valid = g.dropna(subset=["lsi"])
        last = valid.iloc[-1] if len(valid) else None
        # the board's own trial noise (a limb hopped once: the published hop_sem), so the band and the rule agree
        trial_cv = (lsi_trial_noise(last["left_cv"], last["right_cv"], str(test), cfg.num("hop_sem"))
                    if last is not None else np.nan)
        noise = max(trial_cv, cfg.num("lsi_drop")) if last is not None else np.nan
        pre = g.set_index("date")[["left_mean", "right_mean"]]
        for r in g.to_dict("records"):
            if r["date"] < as_of - pd.Timedelta(days=days):
                continue
            side = r["involved_side"] if not pd.isna(r["involved_side"]) else None
            other = {"left": "right", "right": "left"}.get(side or "")
            inj_now = r[f"{side}_mean"] if side else np.nan
            uninj_now = r[f"{other}_mean"] if other else np.nan
            pre_day = r["pre_injury_date"]
            inj_pre = pre.loc[pre_day, f"{side}_mean"] if side and not pd.isna(pre_day) else np.nan
            uninj_pre = pre.loc[pre_day, f"{other}_mean"] if other and not pd.isna(pre_day) else np.nan
            passes = None if np.isnan(r["lsi"]) else bool(r["lsi"] >= cfg.num(pass_name))
            rows.append({
                "test": test, "label": f"{TEST_LABELS.get(test, test)} {METRIC_LABELS.get(metric, metric)} ({unit})",
                "date": r["date"], "lsi": r["lsi"], "lsi_best": r["lsi_best"], "pass_lsi": cfg.num(pass_name),
                "pass_source": BY_NAME[pass_name].source, "passes": passes,
                "result": {True: f"≥ {cfg.num(pass_name):g}%", False: f"below {cfg.num(pass_name):g}%",
                           None: "no LSI"}[passes],
                "basis": r["basis"], "involved_side": side, "unit": unit,
                "injured": _limb_text(side, inj_now, unit, r, "injured") if side else _weak_strong(r, unit),
                "uninjured": _limb_text(other, uninj_now, unit, r, "uninjured") if side else "",
                "injured_now": float(inj_now), "uninjured_now": float(uninj_now),
                "injured_pre": float(inj_pre), "uninjured_pre": float(uninj_pre),
                "involved_pct_pre": r["involved_pct_pre"], "uninvolved_pct_pre": r["uninvolved_pct_pre"],
                "pre_injury_date": pre_day, "trial_cv": trial_cv, "noise": noise,
                "band_lo": float(last["lsi"]) - noise if last is not None else np.nan,
                "band_hi": float(last["lsi"]) + noise if last is not None else np.nan,
                "latest": last is not None and r["date"] == last["date"], "injury_date": injury_date,
                "sources": r["sources"],
            })
    out = pd.DataFrame(rows, columns=cols)
    for c in ("lsi", "lsi_best", "involved_pct_pre", "uninvolved_pct_pre", "injured_pre", "uninjured_pre"):
        out[c] = out[c].astype(float)
    return out.sort_values(["test", "date"]).reset_index(drop=True)


def _limb_text(side: str | None, value: float, unit: str, r: dict, role: str) -> str:
    n = r.get(f"{side}_n")
    trials = "" if n is None or pd.isna(n) else f", mean of {int(n)} trial{'s' if int(n) != 1 else ''}"
    return f"{side} ({role}) {value:.2f} {unit}{trials}" if unit == "s" else f"{side} ({role}) {value:.1f} {unit}{trials}"


def _weak_strong(r: dict, unit: str) -> str:
    return f"left {r['left_mean']:.1f} {unit}, right {r['right_mean']:.1f} {unit} (no injury on record: weaker / stronger)"


def limb_history(history: pd.DataFrame) -> pd.DataFrame:
    """Each limb as % of its own pre-injury value, long (one row per test date and limb), for the
    rows that have a pre-injury test."""
    cols = ["test", "label", "date", "limb", "pct_pre", "now", "pre", "unit", "pre_injury_date", "sources"]
    h = history.dropna(subset=["involved_pct_pre"])
    rows = []
    for r in h.to_dict("records"):
        other = {"left": "right", "right": "left"}[r["involved_side"]]
        for limb, pct, now, pre in (
                (limb_label(r["involved_side"], r["involved_side"]), r["involved_pct_pre"], r["injured_now"],
                 r["injured_pre"]),
                (limb_label(other, r["involved_side"]), r["uninvolved_pct_pre"], r["uninjured_now"], r["uninjured_pre"])):
            rows.append({"test": r["test"], "label": r["label"], "date": r["date"], "limb": limb, "pct_pre": float(pct),
                         "now": float(now), "pre": float(pre), "unit": r["unit"], "pre_injury_date": r["pre_injury_date"],
                         "sources": r["sources"]})
    return pd.DataFrame(rows, columns=cols)


def catch_up(history: pd.DataFrame, as_of: dt.date, cfg: Settings) -> pd.DataFrame:
    """Per test: is the injured limb catching up? LSI now vs the first test in the last
    `stale_days` (else the previous test since the injury): `rising` / `falling` beyond the
    noise band, else `flat`; with the injured limb's % of its pre-injury value."""
    as_of = pd.Timestamp(as_of)
    rows = []
    for test, g in history.dropna(subset=["lsi"]).groupby("test", sort=False):
        post = g[g["injury_date"].notna() & (g["date"] >= g["injury_date"])].sort_values("date")
        if post.empty:
            continue
        last = post.iloc[-1]
        earlier = post.iloc[:-1]
        recent = earlier[earlier["date"] > as_of - pd.Timedelta(days=cfg.num("stale_days"))]
        base = recent.iloc[0] if len(recent) else (earlier.iloc[-1] if len(earlier) else None)
        change = float(last["lsi"] - base["lsi"]) if base is not None else np.nan
        trend = ("one test only" if base is None else "rising" if change > last["noise"]
                 else "falling" if change < -last["noise"] else "flat")
        rows.append({"test": test, "label": last["label"], "lsi": float(last["lsi"]), "date": last["date"],
                     "since": base["date"] if base is not None else pd.NaT, "change": change, "noise": float(last["noise"]),
                     "trend": trend, "injured_pct_pre": float(last["involved_pct_pre"]),
                     "uninjured_pct_pre": float(last["uninvolved_pct_pre"])})
    return pd.DataFrame(rows, columns=["test", "label", "lsi", "date", "since", "change", "noise", "trend",
                                       "injured_pct_pre", "uninjured_pct_pre"])


def catch_up_line(trends: pd.DataFrame, row: dict[str, object]) -> str:
    """One sentence for the first screen: is the injured limb catching up on the hop tests? Falling
    back when any test fell beyond its noise, catching up when at least half rose beyond it."""
    if not row.get("returning"):
        return "No active injury: symmetry is shown weaker / stronger limb."
    hops = trends[trends["test"].isin(HOP_BATTERY)]
    if hops.empty:
        return f"Injured {row['injured_side']} {row['region']}: no hop test since the injury yet."
    words = hops["trend"].tolist()
    verdict = ("falling back" if "falling" in words else
               "catching up" if words.count("rising") * 2 >= len([w for w in words if w != "one test only"]) > 0 else
               "not catching up (flat)" if "flat" in words else "one test so far")
    icon = {"falling back": "▼", "catching up": "▲"}.get(verdict, "■")
    changes = hops["change"].dropna()
    since = hops["since"].dropna()
    change_txt = (f", {_signed(changes.min())} to {_signed(changes.max())} points since {since.min():%d %b}"
                  f" (noise ±{hops['noise'].max():.0f})" if len(changes) else "")
    pct = hops["injured_pct_pre"].dropna()
    pct_txt = f"; injured limb {_span(pct)} of its pre-injury value" if len(pct) else ""
    return (f"{icon} **Injured {row['injured_side']} {row['region']}: {verdict}**: hop LSI {_span(hops['lsi'])}"
            f"{change_txt}{pct_txt}.")


def _signed(x: float) -> str:
    return f"{round(x, 1) + 0.0:+.1f}"  # + 0.0: no "-0.0"


def _span(values: pd.Series) -> str:
    lo, hi = float(values.min()), float(values.max())
    return f"{lo:.0f}%" if round(lo) == round(hi) else f"{lo:.0f}-{hi:.0f}%"
