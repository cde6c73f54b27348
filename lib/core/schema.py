"""Canonical tables of Return to Speed, declared once.

Every reader maps its export onto these tables; the store creates them from this module; the
command line exports them with exactly these column names. Names here are a public contract:
extend, never rename.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Column:
    """One canonical column: name, pandas dtype, unit and allowed values."""

    name: str
    dtype: str  # "str", "date", "float", "int"
    unit: str = ""
    help: str = ""
    allowed: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Table:
    """A canonical table: its columns and the natural key that identifies a row."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    help: str = ""
    provenance: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


SIDES = ("left", "right", "both")
INJURY_SIDES = ("left", "right")
REGIONS = (
    "hamstring", "calf", "quadriceps", "adductor", "achilles", "ankle", "knee", "hip_flexor",
    "groin", "foot", "other",
)

# Canonical test names: a reader maps vendor test types onto these.
TESTS: dict[str, str] = {
    "cmj": "Countermovement jump (both legs)",
    "sj": "Squat jump",
    "sl_cmj": "Single-leg countermovement jump",
    "drop_jump": "Drop jump",
    "sl_drop_jump": "Single-leg drop jump",
    "hop_rsi": "Repeated hop test (force plate)",
    "sl_hop_rsi": "Single-leg repeated hop test (force plate)",
    "imtp": "Isometric mid-thigh pull",
    "single_hop": "Single hop for distance",
    "triple_hop": "Triple hop for distance",
    "crossover_hop": "Crossover hop for distance",
    "timed_hop_6m": "6 m timed hop",
    "nordic": "Nordic hamstring (NordBord)",
    "hip_adduction": "Isometric hip adduction (squeeze)",
    "hip_abduction": "Isometric hip abduction (pull)",
    "calf_raise": "Single-leg calf raise to failure",
    "other": "Other test",
}

# Canonical metric names and their canonical unit.
METRICS: dict[str, str] = {
    "jump_height": "cm",
    "jump_height_flight_time": "cm",
    "distance": "cm",
    "time": "s",
    "max_force": "N",
    "avg_force": "N",
    "max_torque": "Nm",
    "max_impulse": "N s",
    "reps": "count",
    "asymmetry": "%",
    "landing_asymmetry": "%",
    "braking_impulse_asymmetry": "%",
    "avg_force_asymmetry": "%",
    "impulse_asymmetry": "%",
    "peak_power_bm": "W/kg",
    "rsi_modified": "m/s",
    "rsi": "ratio",
    "concentric_peak_force": "N",
    "eccentric_peak_force": "N",
    "force_at_peak_power": "N",
    "peak_braking_force": "N",
    "peak_propulsive_force": "N",
    "contraction_time": "s",
    "flight_time": "s",
    "contact_time": "s",
    "time_to_takeoff": "s",
    "ft_ct_ratio": "ratio",
    "countermovement_depth": "cm",
    "body_mass": "kg",
    "max_force_per_kg": "N/kg",
    "max_rfd": "N/s",
}

WELLNESS_ITEMS: dict[str, str] = {
    # item: direction and default scale, documented for every consumer
    "pain": "0-10, 0 = no pain, higher is worse",
    "rpe": "CR-10 session RPE, 0-10, higher is harder",
    "soreness": "as exported (1-10 or 1-5), higher is worse",
    "fatigue": "1-5 McLean, 5 = best (fresh)",
    "sleep": "1-5 McLean, 5 = best (very restful)",
    "stress": "1-5 McLean, 5 = best (very relaxed)",
    "mood": "1-5 McLean, 5 = best (very positive)",
    "swelling": "0 = none, 1 = present",
    "stiffness": "0-10, higher is worse",
}

PROVENANCE = (
    Column("import_id", "int", help="Import that wrote the row"),
    Column("source_sheet", "str", help="Sheet of the source workbook ('' for CSV)"),
)

ATHLETES = Table(
    "athletes",
    (
        Column("athlete_id", "str", help="Stable id: roster id, else a slug of the name", required=True),
        Column("name", "str", help="Display name", required=True),
        Column("position", "str"),
        Column("squad", "str"),
    ),
    key=("athlete_id",),
    help="One row per athlete.",
)

INJURIES = Table(
    "injuries",
    (
        Column("athlete_id", "str", required=True),
        Column("injury_date", "date", required=True),
        Column("side", "str", allowed=INJURY_SIDES, required=True),
        Column("region", "str", allowed=REGIONS, required=True),
        Column("diagnosis", "str"),
        Column("cleared_date", "date", help="Date cleared for full training, empty while in rehab"),
    ),
    key=("athlete_id", "injury_date", "side", "region"),
    help="Injury records from the roster.",
)

TESTS_TABLE = Table(
    "tests",
    (
        Column("athlete_id", "str", required=True),
        Column("date", "date", required=True),
        Column("test", "str", allowed=tuple(TESTS), required=True),
        Column("metric", "str", allowed=tuple(METRICS), required=True),
        Column("side", "str", allowed=SIDES, required=True,
               help="Limb; for asymmetry metrics the side that is larger"),
        Column("trial", "int", help="1..n in the order performed that day", required=True),
        Column("value", "float", help="In the canonical unit of the metric", required=True),
        Column("unit", "str", required=True),
        Column("device", "str"),
        Column("source_file", "str"),
        Column("source_row", "int", help="1-based row in the source sheet"),
        Column("time", "str", help="Time of day the device recorded (HH:MM or HH:MM:SS) when the export has it: "
                                   "a later export of the same day adds trials instead of replacing them"),
    ),
    key=("athlete_id", "date", "test", "metric", "side", "trial", "device"),
    help="Long table of test results: one value per athlete, date, test, metric, side, trial.",
)

SESSIONS = Table(
    "sessions",
    (
        Column("athlete_id", "str", required=True),
        Column("date", "date", required=True),
        Column("session", "str", required=True),
        Column("session_type", "str"),
        Column("duration_min", "float", "min"),
        Column("total_distance_m", "float", "m"),
        Column("hsr_distance_m", "float", "m",
               help="Distance at or above the HSR threshold (5.5 m/s), sprint distance included"),
        Column("sprint_distance_m", "float", "m", help="Distance at or above 7.0 m/s"),
        Column("max_speed_ms", "float", "m/s"),
        Column("sprints", "float", "count"),
        Column("accelerations", "float", "count"),
        Column("decelerations", "float", "count"),
        Column("device", "str"),
        Column("source_file", "str"),
        Column("source_row", "int"),
    ),
    key=("athlete_id", "date", "session", "device"),
    help="GPS: one row per athlete and session (whole-session rows; drills never summed twice).",
)

WELLNESS = Table(
    "wellness",
    (
        Column("athlete_id", "str", required=True),
        Column("date", "date", required=True),
        Column("item", "str", required=True, help="pain, rpe, soreness, fatigue, sleep, ..."),
        Column("value", "float", required=True),
        Column("scale", "str", help="Scale and direction, e.g. '0-10, 0 = none'"),
        Column("source_file", "str"),
        Column("source_row", "int"),
    ),
    key=("athlete_id", "date", "item"),
    help="Wellness, pain and RPE: one value per athlete, date and item.",
)

TABLES: dict[str, Table] = {
    t.name: t for t in (ATHLETES, INJURIES, TESTS_TABLE, SESSIONS, WELLNESS)
}

REJECT_COLUMNS = ("file", "sheet", "row", "column", "value", "problem")


def empty_frame(table: str) -> pd.DataFrame:
    """An empty DataFrame with the canonical columns and dtypes of `table`."""
    return conform(pd.DataFrame(), table)


def without_missing_measures(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """`df` without rows whose required number is missing: in the store that is an infinity an older
    version let through (`conform` reads it as missing), and a measurement without its value is no
    measurement; every metric downstream may then rely on a required value being there."""
    required = [c.name for c in TABLES[table].columns if c.required and c.dtype == "float" and c.name in df.columns]
    if not required or not len(df):
        return df
    keep = df[required].notna().all(axis=1).to_numpy()
    return df if keep.all() else df[keep].reset_index(drop=True)


_PANDAS_DTYPES = {"str": "string", "date": "datetime64[s]", "float": "Float64", "int": "Int64"}


def conform(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Columns of `table` in canonical order and dtype; missing ones added empty."""
    spec = TABLES[table]
    out = {}
    for col in spec.columns:
        series = df[col.name] if col.name in df.columns else pd.Series([None] * len(df), index=df.index)
        out[col.name] = _as_dtype(series, col.dtype)
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)


def _as_dtype(series: pd.Series, dtype: str) -> pd.Series:
    if dtype == "date":
        return pd.to_datetime(series, errors="coerce").astype("datetime64[s]").dt.normalize()
    if dtype in ("float", "int"):
        numeric = pd.to_numeric(series, errors="coerce")
        if numeric.dtype.kind == "f":  # an infinity (stored by an older version) reads as missing
            numeric = numeric.mask(np.isinf(numeric.to_numpy(dtype="float64", na_value=np.nan)))
        return numeric.astype(_PANDAS_DTYPES[dtype]) if dtype == "float" else numeric.round().astype("Int64")
    return series.astype("string")
