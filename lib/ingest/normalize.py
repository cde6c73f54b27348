"""Cell-level normalization shared by every reader: headers, units, numbers, dates, names.

Every function is vectorised over a column and returns the parsed values together with a mask of
cells it had to reject, so that a reader can list each rejected cell with its reason.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

# ------------------------------------------------------------------------------------ helpers

def map_distinct(values: pd.Series, fn, dtype: str | None = None) -> pd.Series:  # noqa: ANN001 - any callable
    """`fn` applied once per distinct cell, spread back over the column (missing cells stay NA).

    Exports repeat the same names, dates, titles and durations thousands of times: parsing each
    distinct value once is what keeps a season-long import close to the time of opening the file.
    """
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    mapped = np.array([fn(v) for v in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=dtype)


# ----------------------------------------------------------------------------------- headers

UNIT_ALIASES: dict[str, str] = {
    "n": "N", "newton": "N", "newtons": "N", "lbf": "lbf", "kgf": "kgf",
    "kg": "kg", "lb": "lb", "lbs": "lb",
    "cm": "cm", "mm": "mm", "m": "m", "in": "in", "inch": "in", "inches": "in", "ft": "ft",
    "y": "yd", "yd": "yd", "yds": "yd", "km": "km",
    "s": "s", "sec": "s", "secs": "s", "ms": "ms", "min": "min", "mins": "min", "h": "h",
    "m/s": "m/s", "ms-1": "m/s", "km/h": "km/h", "kmh": "km/h", "kph": "km/h", "mph": "mph",
    "%": "%", "pct": "%",
    "nm": "Nm", "n m": "Nm", "ns": "N s", "n s": "N s", "n.s": "N s",
    "w/kg": "W/kg", "w": "W", "n/s": "N/s", "n/kg": "N/kg", "bpm": "bpm", "m/min": "m/min",
    "m/s²": "m/s2", "m/s2": "m/s2", "kcal": "kcal", "au": "AU",
}

_BRACKET = re.compile(r"[\[\(]\s*([^\]\)]*?)\s*[\]\)]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(header: object) -> str:
    """Header text normalized for matching: case, spaces, BOM, quotes, `[unit]` = `(unit)`."""
    text = "" if header is None else str(header)
    text = text.replace("\ufeff", "").replace('"', "").replace("'", "").strip().lower()
    text = text.replace("[", "(").replace("]", ")")
    return re.sub(r"\s+", " ", text)


def split_header(header: object) -> tuple[str, str | None]:
    """(loose key without unit tokens, canonical unit or None) of a vendor header.

    `Jump Height (Flight Time) in Inches [in] ` -> ("jump height flight time in inches", "in");
    `Takeoff Peak Force % (Asym) (%)` and `Takeoff Peak Force [N] (Asym) (%)` both ->
    ("takeoff peak force asym", "%").
    """
    text = header_key(header)
    unit: str | None = None
    words: list[str] = []

    def _strip(match: re.Match[str]) -> str:
        nonlocal unit
        inner = match.group(1).strip()
        if inner in UNIT_ALIASES:
            unit = UNIT_ALIASES[inner]  # the last unit token wins: "[N] (Asym) (%)" is a %
            return " "
        return f" {inner} "

    text = _BRACKET.sub(_strip, text)
    if unit is None:
        tail = re.search(r"(?:^|\s)(%)\s*$", text)
        if tail:
            unit = "%"
    text = text.replace("%", " ")
    words = _NON_ALNUM.sub(" ", text).split()
    return " ".join(words), unit


def loose_key(header: object) -> str:
    """Only the loose key of `split_header`."""
    return split_header(header)[0]


# ------------------------------------------------------------------------------------- units

_FACTORS: dict[tuple[str, str], float] = {
    ("mm", "cm"): 0.1, ("m", "cm"): 100.0, ("in", "cm"): 2.54, ("ft", "cm"): 30.48,
    ("cm", "cm"): 1.0, ("yd", "cm"): 91.44,
    ("m", "m"): 1.0, ("km", "m"): 1000.0, ("yd", "m"): 0.9144, ("ft", "m"): 0.3048, ("cm", "m"): 0.01,
    ("s", "s"): 1.0, ("ms", "s"): 0.001, ("min", "s"): 60.0,
    ("min", "min"): 1.0, ("s", "min"): 1 / 60, ("h", "min"): 60.0,
    ("N", "N"): 1.0, ("lbf", "N"): 4.4482216152605, ("kgf", "N"): 9.80665,
    ("kg", "kg"): 1.0, ("lb", "kg"): 0.45359237,
    ("m/s", "m/s"): 1.0, ("km/h", "m/s"): 1 / 3.6, ("mph", "m/s"): 0.44704,
    ("%", "%"): 1.0, ("Nm", "Nm"): 1.0, ("N s", "N s"): 1.0, ("W/kg", "W/kg"): 1.0,
    ("N/s", "N/s"): 1.0, ("N/kg", "N/kg"): 1.0,
}


def unit_factor(unit_from: str, unit_to: str) -> float:
    """Multiplier from `unit_from` to `unit_to`; KeyError when they are not the same quantity."""
    return _FACTORS[(unit_from, unit_to)]


def infer_speed_unit(values: pd.Series) -> str:
    """m/s or km/h from the values: no one sprints faster than 12.5 m/s, a sprint of 30 is km/h."""
    top = pd.to_numeric(values, errors="coerce").dropna()
    top = top[top > 0]
    return "km/h" if len(top) and float(top.median()) > 12.5 else "m/s"


def infer_length_unit(values: pd.Series, typical_cm: tuple[float, float]) -> str:
    """cm or m for a jump/hop distance with no unit: metres when the values are tiny."""
    vals = pd.to_numeric(values, errors="coerce").dropna()
    vals = vals[vals > 0]
    if not len(vals):
        return "cm"
    median = float(vals.median())
    return "m" if median < typical_cm[0] / 100 * 2.5 else "cm"


def infer_time_unit(values: pd.Series) -> str:
    """s or ms for a short test time: a 6 m hop or a contact time above 100 is in ms."""
    vals = pd.to_numeric(values, errors="coerce").dropna()
    return "ms" if len(vals) and float(vals.median()) > 100 else "s"


# ----------------------------------------------------------------------------------- numbers

MISSING_TOKENS = {"", "na", "n/a", "nan", "none", "null", "-", "--", "—", "x", "dnf", "dns", "dnc",
                  "inj", "injured", "#n/a", "#value!", "#div/0!", "#ref!", "?"}
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# Words Python and pandas read as infinity or NaN: no measure is infinite, and a NaN written out as
# text is not a blank cell, so each is a rejected cell (an infinity in the store once broke the
# board for everyone: baselines, z-scores and the PDF all fail on it).
_NON_FINITE_WORDS = frozenset(f"{sign}{word}" for sign in ("", "+", "-") for word in ("inf", "infinity", "nan"))
NON_FINITE_PROBLEM = "not a finite number (infinity or NaN): value rejected, rest of the row kept"


def is_non_finite(v: object) -> bool:
    """True for a cell that would read as infinity or NaN: `inf`, `-Infinity`, `1e309`, `NaN` text,
    or a float infinity (a blank cell, None or pandas' own missing marker, is not)."""
    if isinstance(v, bool) or v is None:
        return False
    if isinstance(v, (int, np.integer)):
        return False
    if isinstance(v, (float, np.floating)):
        return bool(np.isinf(v))
    if not isinstance(v, str):
        return False
    text = v.strip().replace("\u00a0", "").replace(" ", "").lower()
    if text in _NON_FINITE_WORDS:
        return True
    return bool(_NUMBER.match(text)) and not np.isfinite(float(text))


def parse_numbers(values: pd.Series, decimal_comma: bool = False) -> tuple[pd.Series, pd.Series]:
    """(floats, rejected-cell mask). Blank cells are missing, text like `DNF` is rejected."""
    objects = values.astype(object)
    cells = objects.to_numpy()
    if decimal_comma:
        fast = pd.Series(np.nan, index=values.index)
        slow = objects.notna()  # every cell goes through `_one_number`, numbers too
    else:
        # numbers and plain numeric text in one vectorised pass; only the leftovers are inspected
        fast = pd.to_numeric(objects, errors="coerce")
        # a TRUE/FALSE cell came through as 1/0: look only at those cells for Python bools
        maybe = np.flatnonzero(fast.isin([0, 1]).to_numpy())
        if len(maybe):
            bools = maybe[[isinstance(v, bool) for v in cells[maybe]]]
            if len(bools):
                fast.iloc[bools] = np.nan
        slow = fast.isna() & objects.notna()
    out = fast.to_numpy(dtype=float, na_value=np.nan).copy()
    bad = np.isinf(out)  # `inf`, `Infinity`, `1e309` and float infinities: rejected, never stored
    out[bad] = np.nan
    slow_at = np.flatnonzero(slow.to_numpy())
    is_text = np.fromiter((type(v) is str for v in cells[slow_at]), dtype=bool, count=len(slow_at))
    for i in slow_at[~is_text]:
        out[i], bad[i] = _one_number(cells[i], decimal_comma)
    text_at = slow_at[is_text]
    if len(text_at):  # a text column repeats a few distinct values: each is parsed once
        codes, uniques = pd.factorize(cells[text_at])
        parsed = [_one_number(v, decimal_comma) for v in uniques]
        out[text_at] = np.array([p[0] for p in parsed], dtype=float)[codes]
        bad[text_at] = np.array([p[1] for p in parsed], dtype=bool)[codes]
    return pd.Series(out, index=values.index), pd.Series(bad, index=values.index)


def _one_number(v: object, decimal_comma: bool) -> tuple[float, bool]:
    """(value, rejected) of one cell that the vectorised pass could not read."""
    if isinstance(v, bool) or isinstance(v, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return np.nan, True
    if isinstance(v, (int, float, np.integer, np.floating)):
        return (float(v), False) if np.isfinite(v) else (np.nan, True)
    text = str(v).strip().replace("\u00a0", "").replace(" ", "")
    if decimal_comma and "," in text:
        text = text.replace(".", "").replace(",", ".")
    if _NUMBER.match(text):
        number = float(text)  # 1e309 overflows to infinity
        return (number, False) if np.isfinite(number) else (np.nan, True)
    if text == "":
        return np.nan, False
    return np.nan, True  # `NaN`, `inf` and any other text


_ASYM = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)\s*%?\s*([LR])?\s*$", re.IGNORECASE)


def parse_asymmetry(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(magnitude %, side 'left'/'right'/NA, rejected mask) of cells like `9.7 L` or `7 R`."""
    mags = np.full(len(values), np.nan)
    sides: list[object] = [pd.NA] * len(values)
    bad = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values.tolist()):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, (int, float)):
            if np.isfinite(v):
                mags[i] = abs(float(v))
            else:
                bad[i] = True
            continue
        m = _ASYM.match(str(v))
        if not m:
            if str(v).strip().lower() not in ("", "nan"):
                bad[i] = True
            continue
        mags[i] = abs(float(m.group(1).replace(",", ".")))
        if m.group(2):
            sides[i] = "left" if m.group(2).upper() == "L" else "right"
    return (pd.Series(mags, index=values.index), pd.Series(sides, index=values.index, dtype="string"),
            pd.Series(bad, index=values.index))


def parse_duration_min(values: pd.Series, numeric_unit: str = "min") -> tuple[pd.Series, pd.Series]:
    """Minutes from `h:mm:ss`, `mm:ss`, time objects or plain numbers in `numeric_unit`."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    parsed = [_one_duration(v, numeric_unit) for v in uniques]
    parsed = [False if isinstance(p, float) and not np.isfinite(p) else p for p in parsed]  # `inf`, `1e309:00`
    minutes = np.array([np.nan if p is None or p is False else p for p in parsed] + [np.nan], dtype=float)
    bad = np.array([p is False for p in parsed] + [False], dtype=bool)  # code -1 (missing) takes the last
    return pd.Series(minutes[codes], index=values.index), pd.Series(bad[codes], index=values.index)


def _one_duration(v: object, numeric_unit: str) -> float | bool | None:
    """Minutes of one cell; None when missing, False when it cannot be read."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, dt.timedelta):
        return v.total_seconds() / 60
    if isinstance(v, dt.time):
        return v.hour * 60 + v.minute + v.second / 60
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return float(v) * unit_factor(numeric_unit, "min")
    parts = str(v).strip().split(":")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        return False
    if len(nums) == 3:
        return nums[0] * 60 + nums[1] + nums[2] / 60
    if len(nums) == 2:
        return nums[0] + nums[1] / 60
    return nums[0] * unit_factor(numeric_unit, "min")


# ------------------------------------------------------------------------------------- dates

_DMY = re.compile(r"^\s*(\d{1,4})\s*([/.\-])\s*(\d{1,2})\s*[/.\-]\s*(\d{1,4})(?:[ T,].*)?$")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


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


def parse_dates(values: pd.Series, order: str = "auto", default_order: str = "dmy") -> ParsedDates:
    """Dates of a column, each distinct cell parsed once (see `_parse_distinct_dates`)."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    distinct = _parse_distinct_dates(pd.Series(list(uniques), dtype=object), order, default_order)
    parsed = distinct.values.to_numpy()
    flagged = distinct.bad.to_numpy()
    missing = codes < 0
    take = np.where(missing, 0, codes)
    parsed = parsed.astype("datetime64[s]")
    dates = np.where(missing, np.datetime64("NaT", "s"), parsed[take] if len(parsed) else np.datetime64("NaT", "s"))
    bad = np.where(missing, False, flagged[take] if len(flagged) else False)
    return ParsedDates(pd.Series(dates, index=values.index).astype("datetime64[s]"),
                       pd.Series(bad.astype(bool), index=values.index), distinct.order, distinct.ambiguous, distinct.note)


def _parse_distinct_dates(values: pd.Series, order: str, default_order: str, bounded: bool = True) -> ParsedDates:
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
            out[i] = _from_number(float(v))
            bad[i] = out[i] is pd.NaT
        else:
            text = str(v).strip()
            if not text or text.lower() in MISSING_TOKENS:
                continue
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
                out[i] = _from_number(float(text))
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


def _from_number(x: float) -> object:
    """Excel serial (1990-2100) or Unix epoch in seconds or milliseconds."""
    if 32874 <= x <= 73051:  # 1990-01-01 .. 2100-01-01 as Excel serials
        return (_EXCEL_EPOCH + pd.Timedelta(days=int(x))).normalize()
    if 6.3e8 <= x <= 4.1e9:  # 1990 .. 2100 as Unix seconds
        return pd.Timestamp(int(x), unit="s").normalize()
    if 6.3e11 <= x <= 4.1e12:
        return pd.Timestamp(int(x), unit="ms").normalize()
    return pd.NaT


# ------------------------------------------------------------------------------------- names

_SPACES = re.compile(r"\s+")


def clean_name(raw: object) -> str:
    """Display form of a name: spaces collapsed, `Last, First` turned round, shouting tamed."""
    text = _SPACES.sub(" ", str(raw if raw is not None else "")).strip().strip('"').strip()
    if text.count(",") == 1:
        last, first = (p.strip() for p in text.split(","))
        if last and first:
            text = f"{first} {last}"
    if text.islower() or (text.isupper() and len(text.replace(" ", "")) > 2):
        text = " ".join(w[:1].upper() + w[1:].lower() for w in text.split(" "))
    return text


def name_key(raw: object) -> str:
    """Matching key of a name: cleaned, accents removed, case-folded, punctuation dropped."""
    text = clean_name(raw)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^0-9a-z ]+", " ", text.casefold())
    return _SPACES.sub(" ", text).strip()


def athlete_slug(raw: object) -> str:
    """Stable athlete id made from a name: `Zoë  O'Neill` -> `zoe-o-neill`."""
    return name_key(raw).replace(" ", "-")
