"""KINEXON (LPS) session export: one row per player and session (or per phase), the session's
begin in local time or UTC, `Distance (m)`, `Speed (max.) (km/h)`, `Time on Playing Field
(hh:mm:ss)`, and distances per speed category (`Distance (speed | High) (m)`) whose edges are
account settings and are not written in the export.

Shape from public code that reads KINEXON exports: an R analysis of KINEXON handball match and half
exports (columns `Session begin date (Local timezone)`, `Session ID`, `Description`, `Name`,
`Position`, `Player ID`, `Time on Playing Field (hh:mm:ss)`, `Distance (m)`, `Distance (speed | Very
high) (m)` ... `(speed | Very low)`, `Changes of Direction`, `Impacts`, `Jumps`, `Speed (max.) (km/h)`),
and the metric keys of the KINEXON API (`distance_total`, `speed_max`, `time_total`).
"""

from __future__ import annotations

from pathlib import Path

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
    session_rows,
    speeds,
    text_column,
)
from lib.ingest.dates import local_dates
from lib.ingest.sources import Sheet

NAME = "kinexon"
LABEL = "KINEXON"
DEVICE = "KINEXON"

LOCAL_DATE = ("session begin date local timezone", "session begin date local time zone", "session begin date",
              "session start date local timezone", "session start date")
UTC_DATE = ("session begin date utc", "session start date utc")
TOTAL_DISTANCE = ("distance", "distance total", "total distance")
MAX_SPEED = ("speed max", "max speed", "speed maximum")
DURATION = ("time on playing field hh mm ss", "time on playing field", "time total", "duration")
SPRINTS = ("sprints", "number of sprints")
ACCELERATIONS = ("accelerations", "number of accelerations")
DECELERATIONS = ("decelerations", "number of decelerations")
METRICS = {*TOTAL_DISTANCE, *MAX_SPEED, *DURATION}
IDENTITY = ("session id", "description", "player id", "number", "group id", "league id", "position", "team",
            "session end date local timezone", "session end date utc")
HINTS = (*IDENTITY, "changes of direction", "impacts", "jumps", "passes", "shots", "accel load accum",
         "distance speed very high", "distance speed high", "distance speed medium", "distance speed low",
         "distance speed very low", *METRICS)
WHOLE = {"whole session", "session", "entire session", "full session", "total", "all", "match", "game"}


def detect(sheet: Sheet) -> Detection | None:
    """KINEXON: an athlete column (`Name`), `Session begin date (Local timezone)` or `(UTC)`, and a
    KINEXON distance, speed or playing-time column."""
    return detect_by_headers(
        sheet, NAME, [ATHLETE, {*LOCAL_DATE, *UTC_DATE}, METRICS], hints=HINTS,
        forbidden=["period name", "phase name", "drill title", "session date", "split name"],
    )


def read(sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    """One canonical session row per athlete and session: its whole-session row, else its phases summed."""
    frame = Frame(sheet, detection.header_row)
    out = SheetRead(LABEL)
    out.data_rows = list(frame.rows)
    for key in IDENTITY:
        if key not in ("session id", "description"):
            frame.find(key)
    names, no_name, _header = athlete_names(frame, out, ctx)
    utc_i = frame.find(*UTC_DATE)
    date_i = utc_i if utc_i is not None else frame.find(*LOCAL_DATE)
    parsed = dates_column(frame, out, ctx, date_i, default_order="dmy")
    dates = parsed.values.reset_index(drop=True)
    if utc_i is not None:
        dates = pd.Series(utc_dates_to_local(frame.col(utc_i), dates, ctx).to_numpy(), index=dates.index)
        out.assumptions.append(f"'{frame.header(utc_i)}' is UTC: each session is dated on its local day in the "
                               f"club's time zone {ctx.time_zone}")
    nobody = pd.Series(False, index=no_name.index)
    ok = identity_ok(out, ctx, frame, nobody, dates.isna() & ~no_name, None, date_i) & ~no_name
    sessions, whole = _sessions(frame, out, ctx, ok)
    ident = pd.DataFrame({"athlete_name": names, "date": dates, "session": sessions,
                          "session_type": pd.Series([None] * len(frame), dtype="string")})
    plan = plan_sessions(out, frame, ident, ok, whole, "phase", "whole-session")
    use = plan.use
    metrics = {
        "duration_min": minutes(frame, out, ctx, frame.find(*DURATION), use),
        "total_distance_m": metres(frame, out, ctx, frame.find(*TOTAL_DISTANCE), use),
        "hsr_distance_m": pd.Series(float("nan"), index=range(len(frame))),
        "sprint_distance_m": pd.Series(float("nan"), index=range(len(frame))),
        "max_speed_ms": speeds(frame, out, ctx, frame.find(*MAX_SPEED), use),
        "sprints": counts(frame, out, ctx, frame.find(*SPRINTS), use),
        "accelerations": counts(frame, out, ctx, frame.find(*ACCELERATIONS), use),
        "decelerations": counts(frame, out, ctx, frame.find(*DECELERATIONS), use),
    }
    categories = [frame.header(i) for i in frame.find_all(lambda k: k.startswith("distance speed "))]
    if categories:
        out.assumptions.append(
            f"speed-category distances ({', '.join(repr(c) for c in categories)}) are not read as HSR or sprint "
            "distance: their speed edges are account settings that the export does not write")
    out.tables["sessions"] = session_rows(ident, metrics, plan, frame, DEVICE)
    out.unknown_columns = frame.unknown()
    return out


def _sessions(frame: Frame, out: SheetRead, ctx: ReadContext, ok: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(session per row, whole-session mask): `Session ID` names the session and `Description` the
    phase (a half); without an ID the description is the session. A session's only row is whole."""
    id_i, desc_i = frame.find("session id"), frame.find("description")
    ids = text_column(frame, id_i) if id_i is not None else None
    descriptions = text_column(frame, desc_i) if desc_i is not None else None
    if ids is not None:
        sessions = ("KINEXON session " + ids.str.replace(r"\.0$", "", regex=True)).fillna(_stem(ctx))
    elif descriptions is not None:
        sessions = descriptions.fillna(_stem(ctx))
    else:
        out.assumptions.append(f"no session id or description: the file name '{_stem(ctx)}' is the session")
        sessions = pd.Series([_stem(ctx)] * len(frame), dtype="string")
    one_row = ~sessions.duplicated(keep=False)
    named_whole = (descriptions.str.lower().isin(WHOLE).fillna(False).astype(bool)
                   if descriptions is not None and ids is not None else pd.Series(False, index=sessions.index))
    return sessions.astype("string"), (one_row | named_whole).astype(bool)


def _stem(ctx: ReadContext) -> str:
    return Path(ctx.file).stem


def utc_dates_to_local(raw: pd.Series, dates: pd.Series, ctx: ReadContext) -> pd.Series:
    """Local dates (the club's time zone) of date-times written in UTC; the date as written where
    a cell has no time of day."""
    return local_dates(raw, dates, ctx.time_zone)
