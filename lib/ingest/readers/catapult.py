"""Catapult OpenField CSV (activity report, bulk CTR export): a key/value preamble (`Date:`,
`Start Time:`, `Unix Start Time:` ...), an empty row, then one row per player and period.

The date lives only in the preamble. Period `Session` (number 0) is the whole session; halves
and other periods are skipped, or summed when a player has no whole-session row. Velocity band
edges are account settings: HSR and sprint distance come from explicit columns when the export
has them, else from bands 5+ and 6+ (stated). US accounts write `(y)` and `(mph)` in headers.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from lib.core.errors import UnreadableFile
from lib.ingest.normalize import loose_key, parse_dates, parse_numbers
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
    note,
    plan_sessions,
    session_rows,
    session_type_labels,
    speeds,
    text_column,
)
from lib.ingest.sources import Sheet

NAME = "catapult"
LABEL = "Catapult OpenField"
DEVICE = "Catapult"

PERIOD_NAME = ("period name",)
PERIOD_NUMBER = ("period number",)
TOTAL_DISTANCE = ("total distance", "distance")
HSR_DISTANCE = ("hsr distance", "high speed running distance", "high speed distance", "hir distance",
                "high intensity running distance")
SPRINT_DISTANCE = ("sprint distance",)
MAX_SPEED = ("maximum velocity", "max velocity", "max vel", "top speed", "maximum speed", "max speed")
SPRINTS = ("sprint efforts", "sprints", "number of sprints")
ACCELERATIONS = ("ima accel high", "acceleration efforts", "accelerations")
DECELERATIONS = ("ima decel high", "deceleration efforts", "decelerations")
DURATION = ("total duration", "duration", "period duration", "total time")
ACTIVITY = ("activity name", "session name", "activity")
WHOLE_PERIODS = {"session", "whole session", "entire session", "full session", "all"}
HINTS = ("total distance", "maximum velocity", "total player load", "hir distance", "ima accel high",
         "ima decel high", "total duration", "player load", "meterage per minute")
IGNORED = ("position", "jersey", "team name", "start time", "end time", "unix start time", "unix end time")
_BAND = re.compile(r"^velocity band (\d+) total (distance|efforts?)$")
HSR_BAND, SPRINT_BAND = 5, 6  # default band numbering: band 5 from 5.5 m/s, band 6 from 7.0 m/s


def detect(sheet: Sheet) -> Detection | None:
    """Catapult: an athlete column (`Player Name`) and `Period Name`/`Period Number`, often below a preamble."""
    return detect_by_headers(sheet, NAME, [ATHLETE, {"period name", "period number"}], hints=HINTS,
                             forbidden=["phase name", "drill title"])


def read(sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    """One canonical session row per athlete and activity: period `Session`, else the periods summed."""
    frame = Frame(sheet, detection.header_row)
    out = SheetRead(LABEL)
    out.data_rows = list(frame.rows)
    pre = preamble(sheet, detection.header_row)
    us = any(unit in ("yd", "mph") for _k, unit in frame.keys)
    names, no_name, _name_header = athlete_names(frame, out, ctx)  # rows without a usable name: rejected there
    dates, date_i = _dates(frame, out, ctx, pre, us)
    nobody = pd.Series(False, index=no_name.index)
    ok = identity_ok(out, ctx, frame, nobody, dates.isna() & ~no_name, None, date_i) & ~no_name
    ident = pd.DataFrame({"athlete_name": names, "date": dates, "session": _sessions(frame, out, ctx, pre),
                          "session_type": _types(frame)})
    plan = plan_sessions(out, frame, ident, ok, _whole(frame, ctx), "period", "`Session` period (0)")
    use = plan.use
    metrics = {
        "duration_min": minutes(frame, out, ctx, frame.find(*DURATION), use),
        "total_distance_m": metres(frame, out, ctx, frame.find(*TOTAL_DISTANCE), use),
        "hsr_distance_m": _band_metric(frame, out, ctx, use, HSR_DISTANCE, "distance", HSR_BAND, "HSR distance"),
        "sprint_distance_m": _band_metric(frame, out, ctx, use, SPRINT_DISTANCE, "distance", SPRINT_BAND,
                                          "sprint distance"),
        "max_speed_ms": speeds(frame, out, ctx, frame.find(*MAX_SPEED), use),
        "sprints": _band_metric(frame, out, ctx, use, SPRINTS, "efforts", SPRINT_BAND, "sprints"),
        "accelerations": counts(frame, out, ctx, frame.find(*ACCELERATIONS), use),
        "decelerations": counts(frame, out, ctx, frame.find(*DECELERATIONS), use),
    }
    if frame.find("ima accel high", "ima decel high", used=False) is not None:
        out.assumptions.append("`IMA Accel High`/`IMA Decel High` are counted as accelerations/decelerations "
                               "(the IMA high band is an account setting)")
    out.tables["sessions"] = session_rows(ident, metrics, plan, frame, DEVICE)
    out.unknown_columns = frame.unknown(IGNORED)
    return out


def preamble(sheet: Sheet, header_row: int) -> dict[str, object]:
    """`Key:` -> value of the rows above the header (`Date:,03/05/2026` -> {'date': '03/05/2026'})."""
    found: dict[str, object] = {}
    for r in range(header_row):
        cells = sheet.cells.iloc[r].tolist()
        key = cells[0] if cells else None
        if isinstance(key, str) and key.strip().endswith(":"):
            rest = [v for v in cells[1:] if v is not None]
            found[loose_key(key)] = rest[0] if rest else None
    return found


def _dates(frame: Frame, out: SheetRead, ctx: ReadContext, pre: dict[str, object],
           us: bool) -> tuple[pd.Series, int | None]:
    """Per-row dates: a `Date` column when the export has one, else the preamble's date."""
    date_i = frame.find("date")
    if date_i is not None:
        return dates_column(frame, out, ctx, date_i, default_order="mdy" if us else "dmy").values, date_i
    day = preamble_date(out, ctx, pre, us)
    if day is None:
        raise UnreadableFile(ctx.file, "Catapult export without a date: no `Date:` or `Unix Start Time:` "
                                       "line above the header and no Date column")
    return pd.Series([day] * len(frame), dtype="datetime64[s]"), None


def preamble_date(out: SheetRead, ctx: ReadContext, pre: dict[str, object], us: bool) -> pd.Timestamp | None:
    """The session date from `Unix Start Time:` and `Date:`, the choice stated.

    The Unix time is unambiguous but UTC; `Date:` is the local date but `03/05/2026` can be read
    two ways. When both exist, the reading of `Date:` within a day of the Unix time is used.
    """
    unix = _unix_date(pre.get("unix start time"))
    text = pre.get("date")
    readings = _readings(text)
    if unix is not None:
        close = [d for d in readings if abs((d - unix).days) <= 1]
        if close:
            day = min(close, key=lambda d: abs((d - unix).days))
            out.assumptions.append(f"session date {day:%Y-%m-%d} from `Date: {text}`, its day/month order "
                                   "settled by `Unix Start Time:`")
            return day
        out.assumptions.append(f"session date {unix:%Y-%m-%d} from `Unix Start Time:` (UTC)"
                               + (f"; `Date: {text}` does not match it and is ignored" if text is not None else ""))
        return unix
    if not readings:
        return None
    default = "mdy" if us else "dmy"
    parsed = parse_dates(pd.Series([text], dtype=object), ctx.date_order, default)
    day = parsed.values.iloc[0]
    if pd.isna(day):
        return None
    why = (" (a US account: yards and mph in the headers)" if us else "") if parsed.ambiguous else ""
    out.assumptions.append(f"session date {pd.Timestamp(day):%Y-%m-%d} from `Date: {text}`: {parsed.note}{why}")
    return pd.Timestamp(day)


def _unix_date(value: object) -> pd.Timestamp | None:
    numbers_, bad = parse_numbers(pd.Series([value], dtype=object))
    x = numbers_.iloc[0]
    if bad.iloc[0] or np.isnan(x) or x <= 0:
        return None
    seconds = x / 1000 if x > 1e11 else x  # milliseconds in some exports
    return pd.Timestamp(int(seconds), unit="s").normalize()


def _readings(text: object) -> list[pd.Timestamp]:
    """Every date `text` can mean: day-first and month-first readings of a slashed date."""
    if text is None:
        return []
    found = []
    for order in ("dmy", "mdy"):
        value = parse_dates(pd.Series([text], dtype=object), order).values.iloc[0]
        if not pd.isna(value) and pd.Timestamp(value) not in found:
            found.append(pd.Timestamp(value))
    return found


def _sessions(frame: Frame, out: SheetRead, ctx: ReadContext, pre: dict[str, object]) -> pd.Series:
    """The activity name: a per-row column, the preamble, else the file name (stated)."""
    col = frame.find(*ACTIVITY)
    if col is not None:
        stem = Path(ctx.file).stem
        names = text_column(frame, col)
        if names.isna().any():
            out.assumptions.append(f"rows without `{frame.header(col)}` use the file name '{stem}' as session")
        return names.fillna(stem)
    for key in ACTIVITY:
        value = pre.get(key)
        if value is not None and str(value).strip():
            return pd.Series([re.sub(r"\s+", " ", str(value)).strip()] * len(frame), dtype="string")
    stem = Path(ctx.file).stem
    out.assumptions.append(f"no activity name in the export: the file name '{stem}' is the session name")
    return pd.Series([stem] * len(frame), dtype="string")


def _types(frame: Frame) -> pd.Series:
    col = frame.find("activity type", "session type", "tags")
    if col is None:
        return pd.Series([None] * len(frame), dtype="string")
    return session_type_labels(text_column(frame, col))


def _whole(frame: Frame, ctx: ReadContext) -> pd.Series:
    """Rows that are the whole session: period name `Session` or period number 0."""
    whole = pd.Series(False, index=range(len(frame)))
    name_i, number_i = frame.find(*PERIOD_NAME), frame.find(*PERIOD_NUMBER)
    if name_i is None and number_i is None:
        return ~whole
    if name_i is not None:
        whole |= text_column(frame, name_i).str.lower().isin(WHOLE_PERIODS).fillna(False).astype(bool)
    if number_i is not None:
        nums, _bad = parse_numbers(frame.col(number_i), ctx.decimal_comma)
        whole |= nums.eq(0).to_numpy()
    return whole


def _band_metric(frame: Frame, out: SheetRead, ctx: ReadContext, use: pd.Series, aliases: tuple[str, ...],
                 kind: str, lowest: int, what: str) -> pd.Series:
    """An explicit column when there is one, else the sum of velocity bands `lowest` and up."""
    explicit = frame.find(*aliases)
    convert = metres if kind == "distance" else counts
    bands = {int(m.group(1)): i for i, (key, _u) in enumerate(frame.keys)
             if frame.headers[i] and (m := _BAND.match(key)) and m.group(2).rstrip("s") == kind.rstrip("s")}
    frame.used.update(bands.values())  # understood; imported only through the sums below
    if explicit is not None:
        if kind == "distance" and frame.keys[explicit][0] in HSR_DISTANCE:
            out.assumptions.append(f"`{frame.header(explicit)}` is taken as distance above 5.5 m/s (preferred "
                                   "over the velocity bands; its threshold is an account setting)")
        return convert(frame, out, ctx, explicit, use)
    picked = sorted(b for b in bands if b >= lowest)
    if not picked:
        return convert(frame, out, ctx, None, use)
    parts = [convert(frame, out, ctx, bands[b], use) for b in picked]
    label = f"band {picked[0]}" if len(picked) == 1 else f"bands {picked[0]}-{picked[-1]}"
    note(out, f"{what} = velocity {label} {kind} (bands {HSR_BAND}+ from 5.5 m/s and {SPRINT_BAND}+ from "
              "7.0 m/s is the default assumption: band edges are account settings, not in the export)")
    return pd.concat(parts, axis=1).sum(axis=1, skipna=False)
