"""STATSports Apex session exports: match exports (one row per player and session) and drill
exports (an `Entire Session` row plus one row per drill or half, `Player Last Name` apart,
`Distance Total` instead of `Total Distance`, `Session Type` such as `MatchDayMinusOne`).

`Max Speed` carries no unit and is m/s in one real export and km/h in another: the unit is taken
from the header when it has one, else inferred per file from the values and stated.

This module also holds what every GPS reader shares (Catapult and Polar import it): metric cells
to canonical units with cell-level rejects, and the one-row-per-session rule (the whole-session
row, else the sum of the parts, never both).
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

NAME = "statsports"
LABEL = "STATSports Apex"
DEVICE = "STATSports"

# loose header keys, in order of preference
TOTAL_DISTANCE = ("total distance", "distance total")
HSR_DISTANCE = ("high speed running absolute", "hsr absolute", "high speed running")
SPRINT_DISTANCE = ("sprint distance",)
MAX_SPEED = ("max speed", "maximum speed", "top speed")
SPRINTS = ("sprints", "number of sprints")
ACCELERATIONS = ("accelerations", "accelerations absolute", "number of accelerations")
DECELERATIONS = ("decelerations", "decelerations absolute", "number of decelerations")
DURATION = ("total time", "total duration", "drill duration", "duration")
METRIC_KEYS = {*TOTAL_DISTANCE, *HSR_DISTANCE, *SPRINT_DISTANCE, *MAX_SPEED, *SPRINTS, *ACCELERATIONS,
               *DECELERATIONS, *DURATION}
HINTS = ("session title", "drill title", "session type", "session day of week", "player last name",
         "player position", "hml distance", "hsr per minute absolute", "distance per min",
         "dynamic stress load zone 6", "hmld per minute", "distance zone 6 absolute", *METRIC_KEYS)
IGNORED = ("session day of week",)  # derived from the date


def detect(sheet: Sheet) -> Detection | None:
    """STATSports: an athlete column (`Player Name`, `Player Display Name`), `Session Date` and at
    least one Apex metric."""
    return detect_by_headers(
        sheet, NAME, [ATHLETE, {"session date"}, METRIC_KEYS], hints=HINTS,
        forbidden=["period name", "phase name"],
    )


def read(sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    """One canonical session row per athlete, date and session title."""
    frame = Frame(sheet, detection.header_row)
    out = SheetRead(LABEL)
    out.data_rows = list(frame.rows)
    date_i = frame.find("session date")
    title_i, drill_i, type_i = frame.find("session title"), frame.find("drill title"), frame.find("session type")
    for key in IGNORED:
        frame.find(key)

    names, no_name, _name_header = athlete_names(frame, out, ctx)  # rows without a usable name: rejected there
    dates = dates_column(frame, out, ctx, date_i, default_order="dmy")
    nobody = pd.Series(False, index=no_name.index)
    ok = identity_ok(out, ctx, frame, nobody, dates.values.isna() & ~no_name, None, date_i) & ~no_name
    sessions = session_names(frame, out, ctx, title_i)
    ident = pd.DataFrame({"athlete_name": names, "date": dates.values, "session": sessions,
                          "session_type": _session_types(frame, out, type_i, sessions)})

    if drill_i is None:
        whole = pd.Series(True, index=ident.index)
    else:
        whole = text_column(frame, drill_i).str.lower().eq("entire session").fillna(False)
    plan = plan_sessions(out, frame, ident, ok, whole, "drill", "`Entire Session`")
    use = plan.use
    hsr_i, sprint_i = frame.find(*HSR_DISTANCE), frame.find(*SPRINT_DISTANCE)
    metrics = {
        "duration_min": minutes(frame, out, ctx, frame.find(*DURATION), use),
        "total_distance_m": metres(frame, out, ctx, frame.find(*TOTAL_DISTANCE), use),
        "hsr_distance_m": metres(frame, out, ctx, hsr_i, use),
        "sprint_distance_m": metres(frame, out, ctx, sprint_i, use),
        "max_speed_ms": speeds(frame, out, ctx, frame.find(*MAX_SPEED), use),
        "sprints": counts(frame, out, ctx, frame.find(*SPRINTS), use),
        "accelerations": counts(frame, out, ctx, frame.find(*ACCELERATIONS), use),
        "decelerations": counts(frame, out, ctx, frame.find(*DECELERATIONS), use),
    }
    if hsr_i is not None or sprint_i is not None:
        out.assumptions.append(
            "`High Speed Running (Absolute)` is distance above 5.5 m/s (19.8 km/h) and `Sprint Distance` "
            "above 7.0 m/s (25.2 km/h), the STATSports defaults: thresholds changed in the account "
            "settings are not visible in the export")
    out.tables["sessions"] = session_rows(ident, metrics, plan, frame, DEVICE)
    out.unknown_columns = frame.unknown()
    return out


_MATCH_TITLE = re.compile(r"\bmd\s*[-\u2013]?\s*0\b|\bmatch\b", re.IGNORECASE)


def _session_types(frame: Frame, out: SheetRead, type_i: int | None, sessions: pd.Series) -> pd.Series:
    """`Session Type` when exported, else 'match' for titles that say MD-0 or match."""
    if type_i is not None:
        return session_type_labels(text_column(frame, type_i))
    is_match = sessions.fillna("").str.contains(_MATCH_TITLE)
    out.assumptions.append("no `Session Type` column: sessions whose title says MD-0 or 'match' are "
                           "typed 'match', the others are left without a type")
    return pd.Series(np.where(is_match, "match", None), dtype="string")


# ------------------------------------------------------------------- shared by the GPS readers
