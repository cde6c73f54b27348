"""Dates in any export's form: day- or month-first decided from the data, Excel serials, a plausible range,
and instants written in UTC (`...Z`, `+00:00`, Unix time, a `Date UTC` column) turned into the club's local date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.core.cells import MISSING_TOKENS


_DMY = re.compile(r"^\s*(\d{1,4})\s*([/.\-])\s*(\d{1,2})\s*[/.\-]\s*(\d{1,4})(?:[ T,].*)?$")


_EXCEL_EPOCH = pd.Timestamp("1899-12-30")

# The club's time zone when none is set: UTC, so that one file gives the same dates on every machine
# (a laptop on tour, a server in another country). A club east or west of Greenwich sets its own
# (an IANA name such as Australia/Melbourne): a 23:30 UTC session in Melbourne is the next local day.
DEFAULT_TIME_ZONE = "UTC"
# a date-time that says it is UTC or gives its offset: `2026-03-19T23:30:00Z`, `... +00:00`, `... 7:50 AM GMT`
_AWARE = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm]\s*)?(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})\s*$")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp]\.?[Mm]\.?)?")


def time_zone_or_default(name: object) -> tuple[str, str]:
    """(a usable IANA time zone, a note when `name` was not one and UTC is used instead)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    text = str(name or "").strip() or DEFAULT_TIME_ZONE
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return DEFAULT_TIME_ZONE, (f"club time zone '{text}' is not a time zone name (such as Europe/London or "
                                   "Australia/Melbourne): UTC dates kept")
    return text, ""


def _local_day(stamp: pd.Timestamp, tz: str | None) -> pd.Timestamp:
    """The calendar day of an instant in the club's zone (`stamp` naive = UTC)."""
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert(tz or DEFAULT_TIME_ZONE).tz_localize(None).normalize()


def _clock_seconds(value: object) -> float | None:
    """Seconds after midnight of the time of day in a cell (`23:30`, `11:30 PM`, a date-time), or None."""
    if isinstance(value, dt.datetime):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if value is None or isinstance(value, (int, float, np.integer, np.floating)):
        return None
    m = _CLOCK.search(str(value))
    if not m:
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if m.group(4):
        hour = hour % 12 + (12 if m.group(4).lower().startswith("p") else 0)
    return float(hour * 3600 + minute * 60 + second) if hour < 24 and minute < 60 else None


def local_dates(times: pd.Series, dates: pd.Series, tz: str | None) -> pd.Series:
    """Local dates in the club's zone `tz` of UTC `dates` at the UTC time of day in `times` (a time
    column, or the date-time cells themselves); a row without a time keeps its date as written."""
    out = []
    for when, day in zip(times.tolist(), dates.tolist()):
        seconds = _clock_seconds(when)
        if pd.isna(day) or seconds is None:
            out.append(day)
            continue
        out.append(_local_day(pd.Timestamp(day).normalize() + pd.Timedelta(seconds=seconds), tz))
    return pd.Series(pd.to_datetime(pd.Series(out, dtype=object)), index=dates.index).astype("datetime64[s]")


# The dates an import accepts. Before 1990 no force plate, GPS unit or wellness app of the kind read
# here existed (the Excel-serial and Unix-epoch readers below start there too), and a date before
# it is a slip or a spreadsheet's zero: Excel serial 1 is 1900-01-01 and serial 60 its 1900-02-29,
# a day that never existed (Lotus 1-2-3's leap-year bug). After today + 366 days is a typo (2062 for
# 2026) or a placeholder (9999-12-31); up to a year ahead stays open for a planned clearance date.
EARLIEST_DATE = pd.Timestamp("1990-01-01")


LATEST_DATE_AHEAD = pd.Timedelta(days=366)


def plausible_dates() -> tuple[pd.Timestamp, pd.Timestamp]:
    """(earliest, latest) date an import or an edit accepts, both included."""
    return EARLIEST_DATE, pd.Timestamp(dt.date.today()) + LATEST_DATE_AHEAD


def date_range_problem() -> str:
    """The rejected-cell wording for a date outside `plausible_dates`."""
    lo, hi = plausible_dates()
    return (f"date outside the plausible range {lo:%Y-%m-%d} to {hi:%Y-%m-%d} (a typo, a placeholder such as "
            "9999-12-31, or a spreadsheet's day zero: Excel serial 60 is 1900-02-29, which never existed)")


def is_implausible_date(v: object) -> bool:
    """True for a cell that reads as a date outside `plausible_dates` (1900-01-01, 9999-12-31, an
    Excel serial before 1990 such as 60), which `parse_dates` rejects."""
    if v is None or isinstance(v, bool) or (isinstance(v, float) and np.isnan(v)):
        return False
    if isinstance(v, (int, float, np.integer, np.floating)) or (isinstance(v, str) and v.strip().isdigit()):
        number = float(v)
        return 1 <= number < 32874  # an Excel serial before 1990-01-01 (later ones are read, larger are epochs)
    parsed = _parse_distinct_dates(pd.Series([v], dtype=object), "auto", "dmy", bounded=False).values.iloc[0]
    lo, hi = plausible_dates()
    return not pd.isna(parsed) and not lo <= parsed <= hi


@dataclass
class ParsedDates:
    """Parsed dates with the order used and how it was decided."""

    values: pd.Series  # datetime64[s], NaT where missing or rejected
    bad: pd.Series  # rejected-cell mask
    order: str  # "dmy", "mdy", "ymd" or "" when no slash dates
    ambiguous: bool  # no field > 12 anywhere: order came from the setting
    note: str


def parse_dates(values: pd.Series, order: str = "auto", default_order: str = "dmy", tz: str | None = None) -> ParsedDates:
    """Dates of a column, each distinct cell parsed once (see `_parse_distinct_dates`); an instant
    written in UTC or with its offset, and Unix time, is dated in the club's zone `tz` (None: UTC)."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    distinct = _parse_distinct_dates(pd.Series(list(uniques), dtype=object), order, default_order, tz=tz)
    parsed = distinct.values.to_numpy()
    flagged = distinct.bad.to_numpy()
    missing = codes < 0
    take = np.where(missing, 0, codes)
    parsed = parsed.astype("datetime64[s]")
    dates = np.where(missing, np.datetime64("NaT", "s"), parsed[take] if len(parsed) else np.datetime64("NaT", "s"))
    bad = np.where(missing, False, flagged[take] if len(flagged) else False)
    return ParsedDates(pd.Series(dates, index=values.index).astype("datetime64[s]"),
                       pd.Series(bad.astype(bool), index=values.index), distinct.order, distinct.ambiguous, distinct.note)


def _parse_distinct_dates(values: pd.Series, order: str, default_order: str, bounded: bool = True,
                          tz: str | None = None) -> ParsedDates:
    """Dates from any mix of datetime cells, ISO/dotted/slashed text, Excel serials and Unix epochs.

    Day-first vs month-first is decided for the whole column from the data: any first field > 12
    means day-first, any second field > 12 means month-first. When nothing decides it, `order`
    (a setting; "auto" falls back to `default_order`) is used and the result is marked ambiguous.
    """
    items = values.tolist()
    n = len(items)
    out: list[object] = [pd.NaT] * n
    bad = np.zeros(n, dtype=bool)
    slash: list[tuple[int, int, int, int, str]] = []
    for i, v in enumerate(items):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
            continue
        if isinstance(v, dt.datetime):
            out[i] = pd.Timestamp(v.date())
        elif isinstance(v, dt.date):
            out[i] = pd.Timestamp(v)
        elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            out[i] = _from_number(float(v), tz)
            bad[i] = out[i] is pd.NaT
        else:
            text = str(v).strip()
            if not text or text.lower() in MISSING_TOKENS:
                continue
            if re.match(r"^\d{4}\D", text) and _AWARE.search(text):  # ISO-like with Z or an offset: an instant
                try:
                    out[i] = _local_day(pd.Timestamp(re.sub(r"\s*(UTC|GMT)$", "+00:00", text)), tz)
                    continue
                except (ValueError, TypeError, OverflowError):
                    pass
            m = _DMY.match(text)
            if m:
                a, sep, b, c = m.group(1), m.group(2), m.group(3), m.group(4)
                if len(a) == 4:
                    out[i] = _safe_date(int(a), int(b), int(c))
                    bad[i] = out[i] is pd.NaT
                else:
                    year = int(c) + (2000 if len(c) <= 2 else 0)
                    slash.append((i, int(a), int(b), year, sep))
                continue
            if re.fullmatch(r"\d+(\.\d+)?", text):
                out[i] = _from_number(float(text), tz)
                bad[i] = out[i] is pd.NaT
                continue
            if not re.search(r"\d{4}", text):  # "17:30:00", "today": no year, no date
                bad[i] = True
                continue
            try:
                out[i] = pd.Timestamp(text).normalize().tz_localize(None)
            except (ValueError, TypeError, OverflowError):
                bad[i] = True
    decided, ambiguous, note = "", False, ""
    if slash:
        dotted = all(sep == "." for *_, sep in slash)
        first_big = any(a > 12 for _, a, _, _, _ in slash)
        second_big = any(b > 12 for _, _, b, _, _ in slash)
        if order in ("dmy", "mdy"):
            decided, note = order, f"dates read as {_ORDER_WORDS[order]} (setting)"
        elif first_big and not second_big:
            decided, note = "dmy", "dates read as day-first (a first field above 12 decides it)"
        elif second_big and not first_big:
            decided, note = "mdy", "dates read as month-first (a second field above 12 decides it)"
        elif dotted:
            decided, note = "dmy", "dotted dates (dd.mm.yyyy) read as day-first"
        elif first_big and second_big:
            decided = default_order
            note = (f"dates mix day-first and month-first; read as {_ORDER_WORDS[decided]}, "
                    "rows that do not fit are rejected (set the date order to resolve)")
            ambiguous = True
        else:
            decided, ambiguous = default_order, True
            note = (f"dates are ambiguous (no field above 12): read as {_ORDER_WORDS[decided]}; "
                    "change the date-order setting if that is wrong")
        for i, a, b, year, _ in slash:
            day, month = (a, b) if decided == "dmy" else (b, a)
            out[i] = _safe_date(year, month, day)
            bad[i] = out[i] is pd.NaT
    elif any(isinstance(v, str) for v in items):
        decided = "ymd"
    lo, hi = plausible_dates()
    for i, stamp in enumerate(out):  # 9999-12-31 is past what pandas' nanoseconds hold: compare first
        if bounded and stamp is not pd.NaT and not pd.isna(stamp) and not lo <= pd.Timestamp(stamp) <= hi:
            out[i], bad[i] = pd.NaT, True
    series = pd.Series(pd.to_datetime(pd.Series(out, dtype=object), errors="coerce"), index=values.index)
    return ParsedDates(series.astype("datetime64[s]"), pd.Series(bad, index=values.index), decided, ambiguous, note)


_ORDER_WORDS = {"dmy": "day-first (DD/MM/YYYY)", "mdy": "month-first (MM/DD/YYYY)"}


def _safe_date(year: int, month: int, day: int) -> object:
    try:
        return pd.Timestamp(year=year, month=month, day=day)
    except ValueError:
        return pd.NaT


def _from_number(x: float, tz: str | None = None) -> object:
    """Excel serial (1990-2100, a local date) or Unix epoch in seconds or milliseconds (a UTC instant,
    dated in the club's zone `tz`)."""
    if 32874 <= x <= 73051:  # 1990-01-01 .. 2100-01-01 as Excel serials
        return (_EXCEL_EPOCH + pd.Timedelta(days=int(x))).normalize()
    if 6.3e8 <= x <= 4.1e9:  # 1990 .. 2100 as Unix seconds
        return _local_day(pd.Timestamp(int(x), unit="s"), tz)
    if 6.3e11 <= x <= 4.1e12:
        return _local_day(pd.Timestamp(int(x), unit="ms"), tz)
    return pd.NaT
