"""PlayerTek (Catapult One) session CSV: one row per player and split (`Split Name`: `all` for the
whole session, `game`, halves or drills), `Distance (km)`, `Top Speed (km/h)` or `(m/s)`, five
speed zones as `Distance in Speed Zone 4  (km)` (with a double space), and acceleration and
deceleration counts in bins named in the header, `Accelerations Zone Count: 2 - 3 m/s/s`.

Shape from public code that reads these exports: the column maps of a Catapult/PlayerTek CSV
parser and of club analysis scripts on GitHub (github.com/Seamus1992/AC-Horsens reads 'samlet gps
data.csv', keeping `Split Name` 'all', zone 4 as high-intensity running and zone 5 as sprinting).
Zone edges are account settings and are not in the header: the PlayerTek defaults (zone 4 from
19.8 km/h = 5.5 m/s, zone 5 from 25.2 km/h = 7.0 m/s) are assumed and said so: HSR distance is zones
4 + 5, sprint distance zone 5. A club whose account moved the edges gets a wrong split without knowing
it from the file, which is why each import says which zones it took.
`Duration` is the split's length as `h:mm:ss` (`01:35:00`); a plain number is minutes, or seconds when
its median is above 300 (no session or split lasts 300 minutes), said so (`lib.ingest.readers.gps.minutes`).
`Sprint Distance (m)` is not read: its speed threshold is not in the export either. These assumptions
are listed in the README's conformance table.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.ingest.readers.base import (
    ATHLETE,
    Detection,
    ReadContext,
    SheetRead,
    Frame,
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
    speeds,
    text_column,
)
from lib.ingest.sources import Sheet

NAME = "playertek"
LABEL = "PlayerTek (Catapult One)"
DEVICE = "PlayerTek"

WHOLE_SPLITS = {"all", "whole session", "session", "entire session", "total"}
HSR_ZONES = (4, 5)  # PlayerTek default edges: zone 4 from 19.8 km/h (5.5 m/s), zone 5 from 25.2 km/h (7.0 m/s)
SPRINT_ZONES = (5,)
ACCEL_FROM = 2.0  # m/s²: the bins from 2 up count as accelerations (as for Polar)
IDENTITY = ("tags", "split start time", "split end time")
HINTS = ("session title", "split name", "tags", "split start time", "split end time", "distance", "sprint distance",
         "distance per min", "top speed", "power score", "player load", "energy", "impacts", "power plays",
         "hr max", "hr load", "work ratio", *(f"distance in speed zone {z}" for z in range(1, 6)))
_BIN = re.compile(r"(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*m/s|>\s*(\d+(?:\.\d+)?)\s*m/s")


def detect(sheet: Sheet) -> Detection | None:
    """PlayerTek: an athlete column (`Player Name`), `Date`, `Split Name` and a distance or top speed."""
    return detect_by_headers(
        sheet, NAME, [ATHLETE, {"date"}, {"split name"}, {"distance", "top speed", "distance in speed zone 1"}],
        hints=HINTS, forbidden=["period name", "phase name", "drill title", "session date"],
    )


def read(sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    """One session row per athlete and session: the `all` split, else the other splits summed."""
    frame = Frame(sheet, detection.header_row)
    out = SheetRead(LABEL)
    out.data_rows = list(frame.rows)
    for key in IDENTITY:
        frame.find(key)
    names, no_name, _header = athlete_names(frame, out, ctx)
    date_i = frame.find("date")
    dates = dates_column(frame, out, ctx, date_i, default_order="dmy").values.reset_index(drop=True)
    nobody = pd.Series(False, index=no_name.index)
    ok = identity_ok(out, ctx, frame, nobody, dates.isna() & ~no_name, None, date_i) & ~no_name
    sessions = session_names(frame, out, ctx, frame.find("session title"))
    ident = pd.DataFrame({"athlete_name": names, "date": dates, "session": sessions,
                          "session_type": pd.Series([None] * len(frame), dtype="string")})
    split_i = frame.find("split name")
    whole = text_column(frame, split_i).str.lower().isin(WHOLE_SPLITS).fillna(False).astype(bool)
    plan = plan_sessions(out, frame, ident, ok, whole, "split", "`all`")
    use = plan.use
    accelerations, decelerations = _bins(frame, out, ctx, use)
    metrics = {
        "duration_min": minutes(frame, out, ctx, frame.find("duration"), use),
        "total_distance_m": metres(frame, out, ctx, frame.find("distance"), use),
        "hsr_distance_m": _zones(frame, out, ctx, use, HSR_ZONES),
        "sprint_distance_m": _zones(frame, out, ctx, use, SPRINT_ZONES),
        "max_speed_ms": speeds(frame, out, ctx, frame.find("top speed", "max speed"), use),
        "sprints": counts(frame, out, ctx, frame.find("sprints", "number of sprints"), use),
        "accelerations": accelerations,
        "decelerations": decelerations,
    }
    if frame.find("sprint distance", used=False) is not None:
        out.assumptions.append("'Sprint Distance (m)' is not read: its speed threshold is not in the export; sprint "
                               "distance is speed zone 5 (from 25.2 km/h = 7.0 m/s, the PlayerTek default)")
    out.tables["sessions"] = session_rows(ident, metrics, plan, frame, DEVICE)
    out.unknown_columns = frame.unknown()
    return out


def _zones(frame: Frame, out: SheetRead, ctx: ReadContext, use: pd.Series, zones: tuple[int, ...]) -> pd.Series:
    """The sum of the distances in `zones` (metres), NaN when a zone column is missing."""
    found = [frame.find(f"distance in speed zone {z}") for z in zones]
    if any(i is None for i in found):
        return pd.Series(np.nan, index=range(len(frame)))
    what = "HSR distance" if len(zones) > 1 else "sprint distance"
    text = (f"{what} = speed zone{'s' if len(zones) > 1 else ''} {' + '.join(map(str, zones))} (the PlayerTek default "
            f"edges: zone {zones[0]} from {'19.8 km/h = 5.5' if zones[0] == 4 else '25.2 km/h = 7.0'} m/s); "
            "zone edges are account settings, not written in the export")
    out.assumptions.append(text)
    parts = [metres(frame, out, ctx, i, use) for i in found]
    return pd.concat(parts, axis=1).sum(axis=1, skipna=False)


def _bins(frame: Frame, out: SheetRead, ctx: ReadContext, use: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Accelerations and decelerations: the count bins from 2 m/s² up (`2 - 3`, `3 - 4`, `> 4 m/s/s`)."""
    result = []
    for word, prefix in (("accelerations", "accelerations zone count"), ("decelerations", "deceleration zone count")):
        picked = []
        for i in frame.find_all(lambda k, p=prefix: k.startswith(p)):
            m = _BIN.search(frame.header(i))
            if m is None:
                continue
            frame.used.add(i)
            low = float(m.group(1) if m.group(1) is not None else m.group(3))
            if low >= ACCEL_FROM:
                picked.append(i)
        if not picked:
            result.append(pd.Series(np.nan, index=range(len(frame))))
            continue
        out.assumptions.append(f"{word} = the count bins from {ACCEL_FROM:g} m/s² up: "
                               + ", ".join(f"'{frame.header(i)}'" for i in picked))
        result.append(pd.concat([counts(frame, out, ctx, i, use) for i in picked], axis=1).sum(axis=1, skipna=False))
    return result[0], result[1]
