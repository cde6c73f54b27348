"""Thresholds as data: one table of named settings with default, unit, help text and source.

The readiness engine reads only this table (through `Settings`), the settings page shows it,
and a test fails when a setting has no help text or source. Values are saved per team in the
store (lib.store.settings); a missing value falls back to the default. Nothing here reads the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import available_timezones

import pandas as pd
from lib.core.errors import InputError



@dataclass(frozen=True)
class Setting:
    """One named threshold."""

    name: str
    default: float | str
    unit: str
    group: str
    help: str
    source: str
    choices: tuple[str, ...] = ()


SETTINGS: tuple[Setting, ...] = (
    # symmetry and hop battery
    Setting("hop_lsi_pass", 90.0, "%", "Hop battery",
            "Limb symmetry index at or above which a hop test passes (involved / uninvolved).",
            "RTS hop battery criterion (LSI >= 90%); Noyes 1991 used 85% as abnormal"),
    Setting("strength_lsi_pass", 90.0, "%", "Symmetry",
            "Strength LSI (Nordic, isometric) at or above which the involved limb is symmetric enough.",
            "Common RTS criterion (LSI >= 90%)"),
    Setting("lsi_hold", 80.0, "%", "Symmetry",
            "Below this LSI the athlete is not ready for the next velocity tier and stays at the current one.",
            "practice default (no published threshold); Noyes 1991 called < 85% abnormal"),
    Setting("cmj_asym_amber", 10.0, "%", "Force plate",
            "Countermovement-jump asymmetry above which the board says hold (amber).",
            "Hewit 2012: uninjured athletes usually < 15%; 10%: practice default (no published threshold)"),
    Setting("cmj_asym_red", 15.0, "%", "Force plate",
            "Countermovement-jump asymmetry above which the board says step back (red).",
            "Hewit 2012 (asymmetry > 15% uncommon in uninjured athletes)"),
    Setting("nordic_imbalance_amber", 15.0, "%", "Nordic",
            "Between-limb Nordic force imbalance at or above which the board says hold.",
            "Bourne 2015 (imbalance >= 15% raised hamstring injury risk)"),
    Setting("nordic_imbalance_red", 20.0, "%", "Nordic",
            "Between-limb Nordic force imbalance at or above which the board says step back.",
            "Bourne 2015 (imbalance >= 20% raised risk further)"),
    Setting("nordic_sport", "soccer", "", "Nordic",
            "Sport whose absolute Nordic force threshold applies.",
            "Opar 2015 (AFL 256 N); Timmins 2016 (soccer 337 N)", ("soccer", "afl")),
    Setting("nordic_low_force_soccer", 337.0, "N", "Nordic",
            "Nordic eccentric force below which hamstring strength is low (soccer).", "Timmins 2016"),
    Setting("nordic_low_force_afl", 256.0, "N", "Nordic",
            "Nordic eccentric force below which hamstring strength is low (Australian football).", "Opar 2015"),
    Setting("calf_raise_reps", 30.0, "reps", "Calf",
            "Single-leg calf raises the involved limb should reach.", "Green 2022"),
    Setting("adductor_squeeze_low", 465.0, "N", "Groin",
            "Adductor squeeze below which groin risk is flagged (device-specific).",
            "practice default (no published threshold named in our references: the domain reference's 465 N); "
            "device-specific, so set your device's own norm"),
    Setting("lsi_drop", 5.0, "points", "Symmetry",
            "A hop LSI falling by more than this many points (and more than the trial noise) since the previous "
            "battery is a regression.", "practice default (no published threshold); the drop must also exceed the trial noise (Hopkins 2000); "
            "seed article: revert to the previous tier when metrics regress"),
    Setting("hop_sem", 4.1, "%", "Symmetry",
            "Measurement error of one limb's hop result (% of its mean) when that limb was hopped once: the "
            "trial noise of its LSI is then sqrt(SEM_left^2 + SEM_right^2).",
            "Dingenen 2019, Knee (hop distance SEM 2.6-4.1% of the mean, single, triple, medial and rotational "
            "hops; the upper end); the timed 6 m hop: practice default (the same figure)"),
    Setting("jump_height_drop", 10.0, "%", "Force plate",
            "CMJ jump height below baseline by more than this (and beyond noise) counts as a regression.",
            "practice default (no published threshold); the drop must also exceed the typical error and SWC (Hopkins 2000)"),
    Setting("cmj_height_cv", 5.8, "%", "Force plate",
            "Typical error of CMJ jump height as a share of the athlete's baseline, used when the team has no "
            "repeated trials to measure its own (single trials per day).",
            "Alves Souza 2020 (between-session CV of force-plate CMJ height 5.8%; Moir 2009: 1.7-6.6%)"),
    Setting("ftct_fatigue", 92.0, "% of baseline", "Force plate",
            "Flight time : contraction time below this share of baseline suggests fatigue.",
            "Cormack 2008 (FT:CT is sensitive to neuromuscular fatigue); 92%: practice default (no published threshold)"),
    # speed zones
    # device bands: declared, not thresholds. Exports give only the metres the device counted in its own
    # band, so these cannot recompute a distance; they say where the band starts, in the exposure
    # definitions, and the weekly plan uses them to tell whether a tier's speed cap reaches the band.
    Setting("hsr_speed", 5.5, "m/s", "Speed zones",
            "Where your GPS's high-speed-running band starts (19.8 km/h), as set in the device account. A "
            "declaration, not a threshold: HSR metres are the device's own and are never recomputed; the weekly "
            "plan puts HSR metres only on days whose speed cap reaches this edge.",
            "the device account's band; default Bradley 2009 absolute bands (some providers use 5.8 m/s)"),
    Setting("sprint_speed", 7.0, "m/s", "Speed zones",
            "Where your GPS's sprint band starts (25.2 km/h), as set in the device account. A declaration, not a "
            "threshold: sprint metres are the device's own; the weekly plan puts sprint metres only on days whose "
            "speed cap reaches this edge.",
            "the device account's band; default Bradley 2009 absolute bands"),
    Setting("near_max_pct", 90.0, "% MSS", "Speed zones",
            "A session with max speed at or above this share of the athlete's MSS counts as a near-max exposure.",
            "Malone 2017 (>= 90% MSS exposure protective)"),
    Setting("max_pct", 95.0, "% MSS", "Speed zones",
            "A session with max speed at or above this share of MSS counts as a max-velocity exposure.",
            "Malone 2017; RTS tier 5 (95-100% MSS)"),
    Setting("near_max_days", 7.0, "days", "Speed zones",
            "Healthy athletes should touch near-max speed at least once in this many days.",
            "Malone 2017 (at least one effort >= 90% MSS per 7 days)"),
    Setting("mss_ceiling", 11.0, "m/s", "Speed zones",
            "Physical ceiling: a max speed above this (39.6 km/h) is an artefact on any source, our template "
            "included, and never becomes the MSS.",
            "practice default (no published threshold): above the fastest speeds GPS records in team sports"),
    Setting("mss_max_age", 56.0, "days", "Speed zones",
            "An MSS older than this is flagged as stale.", "practice default (no published threshold): re-test MSS every 6-8 weeks"),
    # load
    Setting("acwr_low", 0.8, "ratio", "Load",
            "Acute:chronic ratio below which the athlete is under-loaded.", "Gabbett 2016"),
    Setting("acwr_high", 1.3, "ratio", "Load",
            "Upper edge of the typical acute:chronic band.", "Gabbett 2016"),
    Setting("acwr_spike", 1.5, "ratio", "Load",
            "Acute:chronic ratio at or above which a week is a spike (descriptive, not predictive: never by "
            "itself a reason to step back).",
            "Gabbett 2016; caveats Lolli 2019, Impellizzeri 2020"),
    Setting("acwr_method", "ewma", "", "Load",
            "Acute:chronic method used for flags: EWMA (lambda = 2/(N+1)) or rolling uncoupled 7/28.",
            "Williams 2017 (EWMA); Lolli 2019 (uncoupled)", ("ewma", "rolling")),
    Setting("week_change_spike", 50.0, "%", "Load",
            "Week-to-week increase in HSR or sprint distance above which the week is flagged.",
            "practice default (no published threshold); seed article: planned progressions, not sudden spikes. At most a hold"),
    Setting("plan_weekly_increment", 10.0, "%", "Load",
            "Weekly plan: how much a week's planned HSR and sprint metres may rise on last week's, stepping the "
            "chronic load back to the pre-injury level (and the first week from nothing, as % of pre-injury).",
            "Gabbett 2016 (weekly rises under 10% kept injury likelihood low, 15% or more raised it); the exact "
            "figure: practice default (no published threshold); seed article: planned progressions, not sudden spikes"),
    Setting("plan_tolerance", 10.0, "%", "Load",
            "Weekly plan against the GPS: an actual within this share of the planned metres is on plan, beyond it "
            "under or over.", "practice default (no published threshold)"),
    Setting("coverage_days", 21.0, "days of 28", "Load",
            "Days with GPS on record in the last 28 below which ratios say 'not enough data'.",
            "Missing days are not rest days (domain reference)"),
    Setting("pre_injury_load_pct", 90.0, "%", "Load",
            "Chronic HSR and sprint load, as a share of pre-injury load, needed for the last tier.",
            "practice default (no published threshold); back to the pre-injury chronic load: Taberner 2019 control-chaos continuum"),
    # pain and wellness
    Setting("pain_ok", 2.0, "0-10", "Pain",
            "Pain at or below this is safe.", "Silbernagel 2007 pain-monitoring model (0-2 safe)"),
    Setting("pain_stop", 5.0, "0-10", "Pain",
            "Pain above this means stop and step back.", "Silbernagel 2007 pain-monitoring model (> 5 stop)"),
    Setting("wellness_z_amber", 1.0, "z", "Wellness",
            "Wellness z-score (bad direction) from which the board says hold.",
            "Individual 28-day baseline (domain reference: |z| 1-2 amber)"),
    Setting("wellness_z_red", 2.0, "z", "Wellness",
            "Wellness z-score (bad direction) from which the board says step back.",
            "Individual 28-day baseline (domain reference: |z| >= 2 red)"),
    Setting("wellness_sd_floor", 1.0, "points", "Wellness",
            "Smallest SD a wellness baseline may have (per item; x sqrt(items) for the composite): a steady "
            "athlete's one-point dip is not 3 SD.", "practice default (no published threshold); one step is the resolution of a 1-5 item"),
    Setting("wellness_min_change", 1.0, "points", "Wellness",
            "An item (or the composite) must fall by more than this below its baseline to flag: a one-step change "
            "on a 1-5 item is never a flag by itself.", "practice default (no published threshold); McLean 2010 1-5 items"),
    Setting("baseline_days", 28.0, "days", "Baselines",
            "Window of the rolling individual baseline (mean and SD).", "Domain reference (28-day rolling)"),
    Setting("swc_factor", 0.2, "x SD", "Baselines",
            "Smallest worthwhile change as a share of the between-athlete SD (jump height, CMJ asymmetry, "
            "Nordic imbalance).", "Hopkins 2004 (0.2 x SD)"),
    # data freshness and tiers
    Setting("stale_days", 21.0, "days", "Data",
            "A test or pain score older than this no longer counts as current.",
            "practice default (no published threshold): hop and strength tests every 1-3 weeks in rehab"),
    Setting("tier_min_days", 7.0, "days", "Tiers",
            "Days at a tier (from the recorded change) before moving up; the same days must be free of stop "
            "and hold flags.", "A week at the tier without a flag: domain reference; Aspetar hamstring protocol"),
    Setting("speed_unit", "m/s", "", "Display",
            "Speed shown in m/s or km/h.", "Team preference", ("m/s", "km/h")),
    Setting("club_time_zone", "UTC", "", "Data",
            "The club's time zone (an IANA name such as Australia/Melbourne): a UTC export (a time with Z or "
            "+00:00, Unix time, a `Date UTC` column) is dated on the club's local day. UTC keeps the dates as "
            "written.", "Team preference; default UTC so that a file gives the same dates on every machine",
            ("UTC", *sorted(available_timezones() - {"UTC"}))),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}

# short names a coach reads; the setting's own name stays visible for the engine's logs
LABELS: dict[str, str] = {
    "hop_lsi_pass": "Hop test pass (LSI)",
    "strength_lsi_pass": "Strength symmetry pass (LSI)",
    "lsi_hold": "Hold below (LSI)",
    "cmj_asym_amber": "CMJ asymmetry: hold above",
    "cmj_asym_red": "CMJ asymmetry: step back above",
    "nordic_imbalance_amber": "Nordic imbalance: hold from",
    "nordic_imbalance_red": "Nordic imbalance: step back from",
    "nordic_sport": "Sport for Nordic force norms",
    "nordic_low_force_soccer": "Low Nordic force (soccer)",
    "nordic_low_force_afl": "Low Nordic force (Australian football)",
    "calf_raise_reps": "Calf raises to reach",
    "adductor_squeeze_low": "Low adductor squeeze",
    "lsi_drop": "Hop LSI drop that counts as regression",
    "hop_sem": "Hop noise per limb when hopped once",
    "jump_height_drop": "CMJ height drop below baseline",
    "cmj_height_cv": "CMJ height noise when trials are single",
    "ftct_fatigue": "FT:CT fatigue flag",
    "hsr_speed": "Device's HSR band starts at",
    "sprint_speed": "Device's sprint band starts at",
    "near_max_pct": "Near-max effort from",
    "max_pct": "Max-velocity effort from",
    "near_max_days": "Near-max effort at least every",
    "mss_ceiling": "MSS physical ceiling",
    "mss_max_age": "MSS counts as stale after",
    "acwr_low": "Acute:chronic under-loaded below",
    "acwr_high": "Acute:chronic typical up to",
    "acwr_spike": "Acute:chronic spike from",
    "acwr_method": "Acute:chronic method",
    "week_change_spike": "Week-to-week increase held above",
    "plan_weekly_increment": "Weekly plan increment",
    "plan_tolerance": "Plan vs actual tolerance",
    "coverage_days": "GPS days needed (of 28)",
    "pre_injury_load_pct": "Chronic load needed (of pre-injury)",
    "pain_ok": "Pain: safe up to",
    "pain_stop": "Pain: stop above",
    "wellness_z_amber": "Wellness: hold from",
    "wellness_z_red": "Wellness: step back from",
    "wellness_sd_floor": "Wellness: smallest baseline SD",
    "wellness_min_change": "Wellness: drop that can flag, more than",
    "baseline_days": "Baseline window",
    "swc_factor": "Smallest worthwhile change",
    "stale_days": "Tests count as current for",
    "tier_min_days": "Days at a tier before moving up",
    "speed_unit": "Speed unit",
    "club_time_zone": "Club time zone",
}

class Settings(dict):
    """Setting name -> value for one team, defaults filled in."""

    def num(self, name: str) -> float:
        return float(self[name])


def defaults() -> Settings:
    """Every setting at its default."""
    return Settings({s.name: s.default for s in SETTINGS})


def table(values: Settings | None = None) -> pd.DataFrame:
    """The settings as a table for people: name, value, default, unit, group, help, source."""
    values = values or defaults()
    return pd.DataFrame([
        {"name": s.name, "value": values.get(s.name, s.default), "default": s.default, "unit": s.unit,
         "group": s.group, "help": s.help, "source": s.source} for s in SETTINGS
    ])


def typed(name: str, value: object) -> float | str:
    """A value as the setting `name` stores it (a number, or one of its choices): ValueError if not."""
    return _typed(BY_NAME[name], value)


def _typed(setting: Setting, value: object) -> float | str:
    if isinstance(setting.default, str):
        text = str(value)
        if setting.choices and text not in setting.choices:
            raise InputError(f"{setting.name} must be one of {', '.join(setting.choices)}, not '{text}'")
        return text
    return float(value)  # type: ignore[arg-type]


def label(name: str) -> str:
    """A setting's short name for people (`hop_lsi_pass` -> `Hop test pass (LSI)`)."""
    return LABELS.get(name, name.replace("_", " ").capitalize())
