"""The athlete page's Force plate, Pain & wellness and Exposure tabs, computed: CMJ against the
athlete's own baseline, Nordic force per limb, daily pain and wellness against their own
baseline, and weekly high-speed exposure with the exposure page's acute:chronic.

Every function returns small frames (one row per test date, day or ISO week, never raw GPS rows)
or plain values. Every number is pinned in tests/test_views_athlete.py.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from lib.metrics.baselines import rolling_baseline
from lib.metrics.exposure import ACWR_CAVEAT, exposure_status, pct_of_mss, weekly_exposure
from lib.readiness import WELLNESS_HIGHER_IS_BETTER, Data
from lib.core.settings import BY_NAME, Settings
from lib.metrics.symmetry import involved_side_on
from lib.views import limb_label
from lib.views.athlete_symmetry import WINDOW_DAYS, own_rows, source_list
from lib.views import exposure as exposure_view  # the exposure page's acute:chronic, one function

SPEED_FACTORS = {"m/s": 1.0, "km/h": 3.6}


# ------------------------------------------------------------------------------------ force plate

def cmj_history(data: Data, athlete_id: str, as_of: dt.date, cfg: Settings,
                days: int = WINDOW_DAYS) -> pd.DataFrame:
    """Per CMJ test date: jump height (mean of trials, cm) against the rolling individual baseline
    (mean +/- SD of the previous `baseline_days`, today excluded) and the `jump_height_drop` line
    below it; asymmetry (%, mean of trials, larger side); source rows."""
    as_of = pd.Timestamp(as_of)
    t = own_rows(data.tests, athlete_id, as_of)
    t = t[t["test"] == "cmj"]
    cols = ["date", "jump_height_cm", "trials", "baseline_mean", "baseline_lo", "baseline_hi", "drop_limit", "z",
            "asymmetry_pct", "asymmetry_side", "sources"]
    jh = t[(t["metric"] == "jump_height") & (t["side"] == "both")]
    if jh.empty:
        return pd.DataFrame(columns=cols)
    daily = jh.groupby("date").agg(value=("value", "mean"), trials=("value", "size")).reset_index()
    base = rolling_baseline(daily.assign(athlete_id=athlete_id, value=daily["value"].astype(float)),
                            int(cfg.num("baseline_days")))
    asym = t[t["metric"] == "asymmetry"].groupby("date").agg(
        asymmetry_pct=("value", "mean"),
        asymmetry_side=("side", lambda s: s.mode().iloc[0] if len(s) else "")).reset_index()
    src = t[t["metric"].isin(["jump_height", "asymmetry"])].groupby("date").apply(
        lambda g: source_list(g["source_file"], g["source_row"]), include_groups=False).rename("sources").reset_index()
    out = (base.drop(columns="athlete_id").rename(columns={"value": "jump_height_cm"})
           .merge(daily[["date", "trials"]], on="date").merge(asym, on="date", how="left")
           .merge(src, on="date", how="left"))
    out = out.assign(baseline_lo=out["baseline_mean"] - out["baseline_sd"],
                     baseline_hi=out["baseline_mean"] + out["baseline_sd"],
                     drop_limit=out["baseline_mean"] * (1 - cfg.num("jump_height_drop") / 100),
                     asymmetry_pct=out["asymmetry_pct"].astype(float))
    out = out[out["date"] >= as_of - pd.Timedelta(days=days)]
    return out[cols].reset_index(drop=True)


def nordic_history(data: Data, athlete_id: str, as_of: dt.date, days: int = WINDOW_DAYS) -> pd.DataFrame:
    """Per Nordic test date and side: max force (N, mean of reps), the limb named injured or not,
    the between-limb imbalance (%, device value, larger side) and source rows."""
    as_of = pd.Timestamp(as_of)
    t = own_rows(data.tests, athlete_id, as_of)
    t = t[(t["test"] == "nordic") & (t["date"] >= as_of - pd.Timedelta(days=days))]
    cols = ["date", "side", "limb", "max_force_n", "imbalance_pct", "imbalance_side", "sources"]
    force = t[(t["metric"] == "max_force") & t["side"].isin(["left", "right"])]
    if force.empty:
        return pd.DataFrame(columns=cols)
    injured, _ = involved_side_on(data.injuries, athlete_id, as_of)
    per_side = force.groupby(["date", "side"]).apply(
        lambda g: pd.Series({"max_force_n": float(g["value"].astype(float).mean()),
                             "sources": source_list(g["source_file"], g["source_row"])}), include_groups=False).reset_index()
    imb = t[t["metric"] == "asymmetry"].groupby("date").agg(
        imbalance_pct=("value", "mean"), imbalance_side=("side", lambda s: s.mode().iloc[0])).reset_index()
    out = per_side.merge(imb, on="date", how="left")
    out["limb"] = [limb_label(s, injured) for s in out["side"]]
    out["imbalance_pct"] = out["imbalance_pct"].astype(float)
    return out[cols].sort_values(["date", "side"]).reset_index(drop=True)


def nordic_threshold(cfg: Settings) -> tuple[float, str, str]:
    """(force N, label, source) of the low-force line for the team's sport (`nordic_sport`)."""
    sport = str(cfg["nordic_sport"])
    name = f"nordic_low_force_{sport}"
    return cfg.num(name), f"low force < {cfg.num(name):.0f} N ({'AFL' if sport == 'afl' else sport})", BY_NAME[name].source


# ------------------------------------------------------------------------------------ pain and wellness

def pain_history(data: Data, athlete_id: str, as_of: dt.date, days: int = WINDOW_DAYS) -> pd.DataFrame:
    """Per day: pain (0-10), swelling reported (yes/no) and the source rows."""
    as_of = pd.Timestamp(as_of)
    w = own_rows(data.wellness, athlete_id, as_of)
    w = w[w["date"] >= as_of - pd.Timedelta(days=days)]
    pain = w[w["item"] == "pain"][["date", "value", "source_file", "source_row"]]
    swell = w[w["item"] == "swelling"].groupby("date")["value"].max().gt(0).rename("swelling")
    out = pain.assign(pain=pain["value"].astype(float),
                      source=pain["source_file"].astype(str) + ":" + pain["source_row"].astype(str))
    out = out.merge(swell.reset_index(), on="date", how="left")
    out["swelling"] = out["swelling"].fillna(False).astype(bool)
    return out[["date", "pain", "swelling", "source"]].sort_values("date").reset_index(drop=True)


def wellness_history(data: Data, athlete_id: str, as_of: dt.date, cfg: Settings,
                     days: int = WINDOW_DAYS) -> pd.DataFrame:
    """Per day and wellness item: the answer, the athlete's own baseline (mean and SD of the
    previous `baseline_days`), z turned so that up is worse (`bad_z`, what the board's wellness
    rule reads), the hold line (`wellness_z_amber` SD on the bad side of the mean), whether the
    answer is past it, and the source row."""
    as_of = pd.Timestamp(as_of)
    amber = cfg.num("wellness_z_amber")
    w = own_rows(data.wellness, athlete_id, as_of)
    frames = []
    for item, higher_better in WELLNESS_HIGHER_IS_BETTER.items():
        vals = w[w["item"] == item].sort_values("date")
        if vals.empty:
            continue
        base = rolling_baseline(vals[["athlete_id", "date", "value"]].assign(value=vals["value"].astype(float)),
                                int(cfg.num("baseline_days")))
        sign = -1.0 if higher_better else 1.0  # the bad direction
        frames.append(base.assign(
            item=item, label=f"{item} ({'higher is better' if higher_better else 'higher is worse'})",
            scale=vals["scale"].astype(str).to_numpy(),
            source=(vals["source_file"].astype(str) + ":" + vals["source_row"].astype(str)).to_numpy(),
            bad_z=sign * base["z"], hold_line=base["baseline_mean"] + sign * amber * base["baseline_sd"]))
    cols = ["date", "item", "label", "value", "scale", "baseline_mean", "baseline_sd", "z", "bad_z", "hold_line",
            "past_hold", "source"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    out["past_hold"] = out["bad_z"].ge(amber).fillna(False).astype(bool)
    out = out[out["date"] >= as_of - pd.Timedelta(days=days)]
    return out[cols].sort_values(["item", "date"]).reset_index(drop=True)


# ------------------------------------------------------------------------------------ exposure

def speed_factor(unit: str) -> float:
    """m/s -> the display unit (`km/h` = x 3.6)."""
    return SPEED_FACTORS[unit]


def exposure_history(data: Data, athlete_id: str, as_of: dt.date, cfg: Settings,
                     days: int = WINDOW_DAYS) -> pd.DataFrame:
    """Per ISO week: HSR and sprint metres, near-max (>= `near_max_pct` of MSS) and max sessions,
    the week's top speed and MSS in the team's speed unit, % of MSS, and the session rows."""
    as_of = pd.Timestamp(as_of)
    s = own_rows(data.sessions, athlete_id, as_of)
    cols = ["week", "week_start", "sessions", "hsr_m", "sprint_m", "near_max_sessions", "max_sessions", "top_speed",
            "mss", "near_max_speed", "pct_mss", "hsr_change_pct", "speed_unit", "sources"]
    if s.empty:
        return pd.DataFrame(columns=cols)
    weeks = weekly_exposure(s, as_of, cfg, data.injuries[data.injuries["athlete_id"] == athlete_id])
    f = speed_factor(str(cfg["speed_unit"]))
    week_start = s["date"] - pd.to_timedelta(s["date"].dt.day_of_week, unit="D")
    src = s.assign(week_start=week_start).groupby("week_start").apply(
        lambda g: source_list(g["source_file"], g["source_row"]), include_groups=False).rename("sources").reset_index()
    weeks = weeks.merge(src, on="week_start", how="left")
    top = weeks["top_speed_ms"].astype(float)
    mss = weeks["mss_ms"].astype(float)
    out = weeks.assign(top_speed=top * f, mss=mss * f, near_max_speed=mss * f * cfg.num("near_max_pct") / 100,
                       pct_mss=pct_of_mss(top, mss), speed_unit=str(cfg["speed_unit"]),
                       hsr_m=weeks["hsr_m"].astype(float), sprint_m=weeks["sprint_m"].astype(float),
                       sources=weeks["sources"].fillna("no session rows"))
    out = out[out["week_start"] >= as_of - pd.Timedelta(days=days)]
    return out[cols].reset_index(drop=True)


def exposure_summary(data: Data, athlete_id: str, as_of: dt.date, cfg: Settings) -> dict[str, object]:
    """Days since the last near-max effort, MSS (team unit) and its age, this week's and the
    pre-injury weekly HSR, and the acute:chronic ratio (descriptive)."""
    as_of = pd.Timestamp(as_of)
    s = own_rows(data.sessions, athlete_id, as_of)
    status = exposure_status(s, data.injuries[data.injuries["athlete_id"] == athlete_id], as_of, cfg)
    unit = str(cfg["speed_unit"])
    if status.empty:
        return {"has_gps": False, "speed_unit": unit}
    r = status.iloc[0]
    f = speed_factor(unit)
    method = str(cfg["acwr_method"])
    pre = r["pre_injury_hsr_week_m"]
    return {
        "has_gps": True, "speed_unit": unit,
        "days_since_near_max": None if pd.isna(r["days_since_near_max"]) else int(r["days_since_near_max"]),
        "last_near_max": r["last_near_max"], "near_max_pct": cfg.num("near_max_pct"),
        "mss": float(r["mss_ms"]) * f, "mss_date": r["mss_date"],
        "mss_age_days": None if pd.isna(r["mss_age_days"]) else int(r["mss_age_days"]),
        "acute_hsr_m": float(r["acute_hsr_m"]), "chronic_hsr_week_m": float(r["chronic_hsr_week_m"]),
        "pre_injury_hsr_week_m": None if pd.isna(pre) else float(pre),
        "pre_injury_target_m": None if pd.isna(pre) else float(pre) * cfg.num("pre_injury_load_pct") / 100,
        "pct_pre_injury_hsr": None if pd.isna(r["pct_pre_injury_hsr"]) else float(r["pct_pre_injury_hsr"]),
        "acwr_hsr": exposure_view.acwr_on(r, "hsr"),  # the exposure page's: the 7-day peak of the daily ratio
        "acwr_hsr_text": exposure_view.ratio_cell(exposure_view.acwr_on(r, "hsr"), cfg, bool(r["enough_data"])),
        "acwr_method": method, "coverage_days": int(r["coverage_days"]), "enough_data": bool(r["enough_data"]),
        "caveat": ACWR_CAVEAT,
    }


def exposure_metrics(summary: dict[str, object]) -> list[dict[str, str]]:
    """The exposure tab's metric tiles: label, value, help (with the setting's source)."""
    if not summary.get("has_gps"):
        return [{"label": "GPS", "value": "no sessions on record", "help": "Upload GPS exports to see exposure."}]
    unit = summary["speed_unit"]
    days = summary["days_since_near_max"]
    last = summary["last_near_max"]
    pct = summary["pct_pre_injury_hsr"]
    near = f"{summary['near_max_pct']:g}% MSS"
    return [
        {"label": f"Days since ≥ {near}", "value": "none on record" if days is None else str(days),
         "help": (f"Last session at or above {near}: {pd.Timestamp(last):%a %d %b %Y}. " if days is not None else "")
                 + f"Healthy athletes touch it at least every 7 days ({BY_NAME['near_max_days'].source})."},
        {"label": f"MSS ({unit})", "value": f"{summary['mss']:.1f}" if unit == "km/h" else f"{summary['mss']:.2f}",
         "help": f"Set {pd.Timestamp(summary['mss_date']):%d %b %Y}, {summary['mss_age_days']} days ago; "
                 f"re-test when older than {BY_NAME['mss_max_age'].default:g} days ({BY_NAME['mss_max_age'].source})."},
        {"label": "HSR last 7 days (m)", "value": f"{summary['acute_hsr_m']:.0f}",
         "help": f"Mean week over the last 28 days: {summary['chronic_hsr_week_m']:.0f} m."},
        {"label": "Chronic HSR vs pre-injury", "value": "–" if pct is None else f"{pct:.0f}%",
         "help": ("No pre-injury GPS baseline (fewer than 14 days on record in the 28 before the injury)." if pct is None
                  else f"Mean week over the last 28 days vs the 4 weeks before the injury "
                       f"({summary['pre_injury_hsr_week_m']:.0f} m/week); tier 5 exit needs "
                       f"{BY_NAME['pre_injury_load_pct'].default:g}% ({BY_NAME['pre_injury_load_pct'].source}).")},
        {"label": f"HSR acute:chronic ({summary['acwr_method']})", "value": str(summary["acwr_hsr_text"]),
         "help": f"Highest daily ratio of the last 7 days, as on the exposure page. GPS on {summary['coverage_days']} "
                 f"of the last 28 days. {summary['caveat']}"},
    ]
