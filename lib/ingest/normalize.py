"""Cell-level normalization shared by every reader: headers, units, numbers, dates, names.

Every function is vectorised over a column and returns the parsed values together with a mask of
cells it had to reject, so that a reader can list each rejected cell with its reason.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.core.cells import MISSING_TOKENS  # noqa: F401 - normalize.MISSING_TOKENS for the readers
from lib.core.units import unit_factor  # noqa: F401 - normalize.unit_factor for the readers
from lib.ingest.dates import (  # noqa: F401 - re-exported for callers
    EARLIEST_DATE, LATEST_DATE_AHEAD, ParsedDates, date_range_problem, is_implausible_date, parse_dates, plausible_dates,
)

# ------------------------------------------------------------------------------------ helpers

def map_distinct(values: pd.Series, fn, dtype: str | None = None) -> pd.Series:  # noqa: ANN001 - any callable
    """`fn` applied once per distinct cell, spread back over the column (missing cells stay NA).

    Exports repeat the same names, dates, titles and durations thousands of times: parsing each
    distinct value once is what keeps a season-long import close to the time of opening the file.
    """
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    results = [fn(v) for v in uniques]
    if dtype == "string" and all(r is None or type(r) is str for r in results):
        # texts spread over the column by Arrow (a take of the distinct texts): the same column as
        # `pd.Series(objects, dtype="string")`, without converting a Python text per row
        distinct = pa.array(results + [None], type=pa.string())
        spread = distinct.take(pa.array(np.where(codes < 0, len(results), codes)))
        return pd.Series(pd.arrays.ArrowStringArray(spread), index=values.index, dtype=dtype)
    mapped = np.array(results + [None], dtype=object)
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
    """(loose key without unit tokens, canonical unit or None) of a vendor header, each text worked out
    once (every reader asks about the same header rows when it detects a sheet).

    `Jump Height (Flight Time) in Inches [in] ` -> ("jump height flight time in inches", "in");
    `Takeoff Peak Force % (Asym) (%)` and `Takeoff Peak Force [N] (Asym) (%)` both ->
    ("takeoff peak force asym", "%").
    """
    try:
        return _split_header(header)
    except TypeError:  # an unhashable cell value
        return _split_header.__wrapped__(header)


@functools.lru_cache(maxsize=8192)
def _split_header(header: object) -> tuple[str, str | None]:
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
    quick = None if decimal_comma else _plain_numbers(cells)
    if quick is not None:
        return pd.Series(quick[0], index=values.index), pd.Series(quick[1], index=values.index)
    distinct = None if decimal_comma else _distinct_texts(cells)
    if distinct is not None:  # a text column of a few values repeated (`0:12:30`, `DNF`): each read once
        codes, uniques = distinct
        parsed, flagged = parse_numbers(pd.Series(uniques, dtype=object))
        out = np.append(parsed.to_numpy(dtype=float), np.nan)[codes]  # code -1 (blank) takes the NaN
        bad = np.append(flagged.to_numpy(dtype=bool), False)[codes]
        return pd.Series(out, index=values.index), pd.Series(bad, index=values.index)
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


def _distinct_texts(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(codes, distinct texts) of a column of texts and blanks (None, NaN) that repeats its values
    (fewer distinct texts than a quarter of its cells), None for any other column. Texts only: a
    factorize of mixed cells would take True for 1 and 1.0 for 1, which read differently."""
    if len(cells) < 64 or pd.api.types.infer_dtype(cells, skipna=True) != "string":
        return None
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    return (codes, np.asarray(uniques, dtype=object)) if len(uniques) * 4 < len(cells) else None


# Every character of a plain number (`_NUMBER`): a text cell made only of these is a number exactly
# when Python's float() reads it (the two grammars are the same), so a column of them is read in one pass.
_NUMBER_CHARS = b"0123456789.eE+-"


def _plain_numbers(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(floats, rejected) of a column that is only numbers or only plain number text (blanks aside),
    read in one vectorised pass; None for any other column (`parse_numbers` then looks at its
    cells one by one). Same values as the cell-by-cell reading: an infinity (`1e309`, a float
    infinity) is rejected, a blank is missing; booleans, dates and any other text go the slow way."""
    kind = pd.api.types.infer_dtype(cells, skipna=True)
    try:
        if kind in ("floating", "integer", "mixed-integer-float", "empty"):
            out = cells.astype(float)
        elif kind == "string":
            # the texts as one Arrow array (None a null; a NaN or pd.NA among them raises, and the
            # column goes cell by cell as before), checked and cast without a Python object per cell
            texts = pa.array(cells, type=pa.string(), from_pandas=False)
            if _utf8_body(texts).translate(None, _NUMBER_CHARS):
                return None  # a space, a letter, a unit, any non-ASCII byte: cell by cell
            out = _arrow_floats(texts, lambda: cells[cells != None])  # noqa: E711 - elementwise
        else:
            return None
    except (TypeError, ValueError, OverflowError):  # pd.NA, a huge int, a malformed number
        return None
    bad = np.isinf(out)
    out[bad] = np.nan
    return out, bad


def _text_floats(texts: np.ndarray) -> np.ndarray:
    """Floats of texts made only of `_NUMBER_CHARS`, as `float()` reads them: Arrow's cast (2.5x
    numpy's `astype(float)` on a season's column) where it reads every text, numpy's otherwise (a
    text Arrow refuses raises the ValueError the caller expects, or is one numpy reads after all).
    Over this alphabet the two accept the same texts and round the same way (both correctly
    rounded): tests/ingest/test_number_texts.py checks every short text and long digit strings."""
    return _arrow_floats(pa.array(texts, type=pa.string()), lambda: texts)


def _arrow_floats(texts: pa.Array, present: Callable[[], np.ndarray]) -> np.ndarray:
    """`_text_floats` of an Arrow string array (NaN where null); `present` gives its non-null
    texts as a numpy array, asked for only when Arrow refuses one (numpy then reads them, or
    raises the ValueError)."""
    try:
        return pc.cast(texts, pa.float64()).to_numpy(zero_copy_only=False, writable=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        if not texts.null_count:
            return present().astype(float)
        out = np.full(len(texts), np.nan)
        out[~texts.is_null().to_numpy(zero_copy_only=False)] = present().astype(float)
        return out


def _utf8_body(texts: pa.Array) -> bytes:
    """The UTF-8 bytes of an Arrow string array's values, end to end (nulls hold none): what
    `"".join` of its texts would encode to, read from its buffers without a Python text per value."""
    if not len(texts):
        return b""
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int32)[texts.offset:texts.offset + len(texts) + 1]
    data = texts.buffers()[2]
    if data is None:
        return b""
    return memoryview(data)[int(offsets[0]):int(offsets[-1])].tobytes()


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
