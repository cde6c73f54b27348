"""Polar Team Pro session CSV: one row per player and phase (`Phase name`), speed-zone distances
and acceleration counts in bins whose edges are written inside the headers, e.g.
`Distance in Speed zone 3 [m] (21.00 - 23.99 km/h)` and `Number of accelerations (2.00 - 2.69 m/s²)`.

Zone edges are account settings: HSR and sprint distance are the sums of the zones that start at
or above 5.5 m/s (19.8 km/h) and 7.0 m/s (25.2 km/h), and the report names the zones used and
where their edges miss the thresholds.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.ingest.readers.base import (
    ATHLETE,
    Detection,
    Frame,
    ReadContext,
    SheetRead,
    athlete_names,
    dates_column,
    detect_by_headers,
)
from lib.ingest.readers.gps import (
    HSR_MS,
    SPRINT_MS,
    counts,
    identity_ok,
    metres,
    minutes,
    plan_sessions,
    session_names,
    session_rows,
    session_type_labels,
    speeds,
    text_column,
)
from lib.ingest.sources import Sheet

NAME = "polar"
LABEL = "Polar Team Pro"
DEVICE = "Polar"

TOTAL_DISTANCE = ("total distance",)
MAX_SPEED = ("maximum speed", "max speed")
SPRINTS = ("sprints", "number of sprints")
DURATION = ("duration",)
WHOLE_PHASES = {"whole session", "session", "entire session", "full session", "total", "all"}
HINTS = ("player number", "phase name", "type", "start time", "end time", "total distance", "maximum speed",
         "average speed", "sprints", "hr max", "hr avg", "training load score", "cardio load", "recovery time",
         "distance min", "calories")
IGNORED = ("player number", "start time", "end time")
ACCEL_G = 2.0  # m/s²: bins from 2.0 up count as accelerations, bins down to -2.0 as decelerations
_ZONE = re.compile(r"speed zone\s*(\d+)", re.IGNORECASE)
_ZONE_EDGES = re.compile(r"\(\s*(\d+(?:[.,]\d+)?)\s*-\s*(\d+(?:[.,]\d+)?)?\s*(km/h|m/s)\s*\)", re.IGNORECASE)
_BIN_EDGES = re.compile(r"\(\s*(-?\d+(?:[.,]\d+)?)\s*-\s*(-?\d+(?:[.,]\d+)?)\s*m/s", re.IGNORECASE)
_TIME_ONLY = re.compile(r"^\s*\d{1,2}:\d{2}(:\d{2})?(\s*[AaPp][Mm])?\s*$")
_EPS = 1e-6


def detect(sheet: Sheet) -> Detection | None:
    """Polar Team Pro: `Player name`, `Session name` and a Team Pro distance or speed column."""
    return detect_by_headers(
        sheet, NAME, [ATHLETE, {"session name"}, {"total distance", "maximum speed", "sprints"}],
        hints=HINTS, forbidden=["period name", "drill title"],
    )


def read(sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    """One canonical session row per athlete, date and session: whole-session phase, else phases summed."""
    frame = Frame(sheet, detection.header_row)
    out = SheetRead(LABEL)
    out.data_rows = list(frame.rows)
    for key in IGNORED:
        frame.find(key)
    names, no_name, _name_header = athlete_names(frame, out, ctx)  # rows without a usable name: rejected there
    dates, date_i = _dates(frame, out, ctx)
    nobody = pd.Series(False, index=no_name.index)
    ok = identity_ok(out, ctx, frame, nobody, dates.isna() & ~no_name, None, date_i) & ~no_name
    sessions = session_names(frame, out, ctx, frame.find("session name"))
    type_i = frame.find("type", "session type")
    types = session_type_labels(text_column(frame, type_i)) if type_i is not None else pd.Series(
        [None] * len(frame), dtype="string")
    ident = pd.DataFrame({"athlete_name": names, "date": dates, "session": sessions, "session_type": types})
    plan = plan_sessions(out, frame, ident, ok, _whole(frame, sessions), "phase", "whole-session phase")
    use = plan.use
    hsr, sprint = _zone_distances(frame, out, ctx, use)
    accelerations, decelerations = _accelerations(frame, out, ctx, use)
    metrics = {
        "duration_min": minutes(frame, out, ctx, frame.find(*DURATION), use),
        "total_distance_m": metres(frame, out, ctx, frame.find(*TOTAL_DISTANCE), use),
        "hsr_distance_m": hsr,
        "sprint_distance_m": sprint,
        "max_speed_ms": speeds(frame, out, ctx, frame.find(*MAX_SPEED), use),
        "sprints": counts(frame, out, ctx, frame.find(*SPRINTS), use),
        "accelerations": accelerations,
        "decelerations": decelerations,
    }
    out.tables["sessions"] = session_rows(ident, metrics, plan, frame, DEVICE)
    out.unknown_columns = frame.unknown()
    return out


def _dates(frame: Frame, out: SheetRead, ctx: ReadContext) -> tuple[pd.Series, int | None]:
    """Dates from a `Date` column, else from `Start time` (`21-03-2024 17:30:00`); a bare time is no date."""
    date_i = frame.find("date", "session date")
    if date_i is None:
        date_i = frame.find("start time")
    if date_i is None:
        return pd.Series([pd.NaT] * len(frame), dtype="datetime64[s]"), None
    parsed = dates_column(frame, out, ctx, date_i, default_order="dmy").values.reset_index(drop=True)
    time_only = frame.col(date_i).map(lambda v: isinstance(v, str) and bool(_TIME_ONLY.match(v)))
    return parsed.mask(time_only.to_numpy()), date_i


def _whole(frame: Frame, sessions: pd.Series) -> pd.Series:
    """Whole-session rows: no phase name, a phase called `Whole session`/`Session`, or the session's own name."""
    phase_i = frame.find("phase name")
    if phase_i is None:
        return pd.Series(True, index=range(len(frame)))
    phases = text_column(frame, phase_i).str.lower()
    whole = phases.isna() | phases.isin(WHOLE_PHASES) | phases.eq(sessions.str.lower())
    return whole.fillna(False).astype(bool)


def _edge(text: str | None) -> float:
    return float(text.replace(",", ".")) if text else float("inf")


def _zone_distances(frame: Frame, out: SheetRead, ctx: ReadContext, use: pd.Series) -> tuple[pd.Series, pd.Series]:
    """HSR and sprint distance: sums of the speed zones starting at or above 5.5 and 7.0 m/s."""
    zones: list[tuple[int, float, float, int]] = []  # (zone, low m/s, high m/s, column)
    for i in frame.find_all(lambda k: k.startswith("distance in speed zone")):
        header = frame.header(i)
        number, edges = _ZONE.search(header), _ZONE_EDGES.search(header)
        if number is None or edges is None:
            continue
        per = 3.6 if edges.group(3).lower() == "km/h" else 1.0
        zones.append((int(number.group(1)), _edge(edges.group(1)) / per, _edge(edges.group(2)) / per, i))
        frame.used.add(i)
    if not zones:
        empty = pd.Series(np.nan, index=range(len(frame)))
        return empty, empty.copy()
    zones.sort()
    hsr = _zone_sum(frame, out, ctx, use, zones, HSR_MS, "HSR distance")
    sprint = _zone_sum(frame, out, ctx, use, zones, SPRINT_MS, "sprint distance")
    return hsr, sprint


def _zone_sum(frame: Frame, out: SheetRead, ctx: ReadContext, use: pd.Series,
              zones: list[tuple[int, float, float, int]], threshold: float, what: str) -> pd.Series:
    picked = [z for z in zones if z[1] >= threshold - _EPS]
    kmh = threshold * 3.6
    if not picked:
        out.assumptions.append(f"{what} not computed: no speed zone starts at or above {threshold} m/s "
                               f"({kmh:.1f} km/h); zone edges are account settings")
        return pd.Series(np.nan, index=range(len(frame)))
    names = ("zone " if len(picked) == 1 else "zones ") + ", ".join(str(z[0]) for z in picked)
    text = (f"{what} = speed {names} (from {picked[0][1] * 3.6:.2f} km/h), the zones starting at or above "
            f"{threshold} m/s ({kmh:.1f} km/h); zone edges are account settings")
    straddle = [z for z in zones if z[1] < threshold - _EPS < z[2]]
    if straddle:
        z = straddle[0]
        text += (f"; zone {z[0]} ({z[1] * 3.6:.2f} - {z[2] * 3.6:.2f} km/h) straddles the threshold and is left "
                 f"out, so {what} is understated")
    elif picked[0][1] > threshold + _EPS:
        text += f"; nothing between {kmh:.1f} and {picked[0][1] * 3.6:.2f} km/h is counted, so {what} is understated"
    out.assumptions.append(text)
    parts = [metres(frame, out, ctx, z[3], use) for z in picked]
    return pd.concat(parts, axis=1).sum(axis=1, skipna=False)


def _accelerations(frame: Frame, out: SheetRead, ctx: ReadContext, use: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Counts of the acceleration bins from 2.0 m/s² up and the deceleration bins from -2.0 m/s² down."""
    acc: list[tuple[str, int]] = []
    dec: list[tuple[str, int]] = []
    for i in frame.find_all(lambda k: k.startswith(("number of accelerations", "number of decelerations",
                                                    "accelerations", "decelerations"))):
        edges = _BIN_EDGES.search(frame.header(i))
        if edges is None:
            continue
        low, high = _edge(edges.group(1)), _edge(edges.group(2))
        frame.used.add(i)
        label = f"{edges.group(1)} to {edges.group(2)}"
        if "decel" in frame.keys[i][0] and low >= 0:  # a decelerations column with magnitudes
            low, high = -high, -low
        if low >= ACCEL_G - _EPS:
            acc.append((label, i))
        elif high <= -ACCEL_G + _EPS:
            dec.append((label, i))
    result = []
    for found, word, limit in ((acc, "accelerations", f"from {ACCEL_G:g}"),
                              (dec, "decelerations", f"down from -{ACCEL_G:g}")):
        if not found:
            result.append(pd.Series(np.nan, index=range(len(frame))))
            continue
        out.assumptions.append(f"{word} = the bins {', '.join(f'({lab} m/s²)' for lab, _i in found)} "
                               f"({limit} m/s²); bin edges are account settings")
        parts = [counts(frame, out, ctx, i, use) for _lab, i in found]
        result.append(pd.concat(parts, axis=1).sum(axis=1, skipna=False))
    return result[0], result[1]
