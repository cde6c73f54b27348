"""VALD ForceDecks CSV from VALD Hub: one row per test, metrics averaged over `Reps` trials; the
desktop software's export (a preamble, `Athlete`, `Test Date`, the test spelt out, one row per
`Trial`) is read by the same code.

Headers drift between exports (`Takeoff Peak Force [N] (Asym) (%)` became `Takeoff Peak Force %
(Asym) (%)`), so columns are matched by loose key. Asymmetry cells are `9.7 L`: the magnitude and
the side with the larger value.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.ingest.readers.base import (
    ATHLETE,
    SMARTABASE_BOOKKEEPING,
    Detection,
    Frame,
    MetricColumn,
    ReadContext,
    SheetRead,
    athlete_names,
    dates_column,
    detect_by_headers,
    melt_metrics,
    reject_rows,
)
from lib.ingest.readers.forceplate import account_for_rows, clock_text, minutes_of_day, number_trials
from lib.ingest.normalize import infer_time_unit, split_header
from lib.ingest.sources import Sheet

NAME = "vald_forcedecks"
LABEL = "VALD ForceDecks"

TEST_TYPES = {
    "cmj": "cmj", "abcmj": "cmj", "sj": "sj", "dj": "drop_jump", "hj": "hop_rsi", "slj": "sl_cmj",
    "slcmj": "sl_cmj", "sldj": "sl_drop_jump", "slhj": "sl_hop_rsi", "imtp": "imtp",
}
# the desktop software spells the test out (`Countermovement Jump`); compared without spaces or hyphens
TEST_NAMES = {
    "countermovementjump": "cmj", "abalakovcountermovementjump": "cmj", "squatjump": "sj", "dropjump": "drop_jump",
    "hoptest": "hop_rsi", "singlelegjump": "sl_cmj", "singlelegcountermovementjump": "sl_cmj",
    "singlelegdropjump": "sl_drop_jump", "singleleghoptest": "sl_hop_rsi", "isometricmidthighpull": "imtp",
}

# loose key of a metric header (sides stripped) -> canonical metric
METRIC_KEYS: dict[str, str] = {
    "jump height imp mom": "jump_height",
    "jump height imp mom in inches": "jump_height",
    "jump height": "jump_height",  # a form field with no method named (Smartabase); unit inferred when none
    "jump height imp dis": "jump_height",  # desktop exports: impulse-displacement, when no Imp-Mom column
    "jump height flight time": "jump_height_flight_time",
    "jump height flight time in inches": "jump_height_flight_time",
    "rsi modified": "rsi_modified",
    "rsi modified imp mom": "rsi_modified",
    "peak power bm": "peak_power_bm",
    "concentric peak force": "concentric_peak_force",
    "eccentric peak force": "eccentric_peak_force",
    "force at peak power": "force_at_peak_power",
    "peak vertical force": "max_force",  # IMTP
    "peak vertical force bm": "max_force_per_kg",
    "peak vertical force asym": "asymmetry",
    "contraction time": "contraction_time",
    "flight time": "flight_time",
    "contact time": "contact_time",
    "flight time contraction time": "ft_ct_ratio",
    "best rsi flight contact time": "rsi",
    "rsi flight contact time": "rsi",
    "rsi flight time contact time": "rsi",  # drop jump, `RSI (Flight Time/Contact Time)`
    "countermovement depth": "countermovement_depth",
    "bw": "body_mass",
    "body weight": "body_mass",
    "takeoff peak force": "peak_propulsive_force",  # the raw sides, `Takeoff Peak Force (Left) [N]`
    "takeoff peak force asym": "asymmetry",
    "concentric peak force asym": "asymmetry",
    "peak landing force asym": "landing_asymmetry",
    "eccentric braking impulse asym": "braking_impulse_asymmetry",
}
DATE_KEYS = ("date", "test date")  # `Test Date`: older VALD desktop exports
IDENTITY = ["name", "externalid", "test type", *DATE_KEYS, "time", "test time", "reps", "trial", "tags", "additional load",
            "finish time", "by", "entered by"]  # the last three: a Smartabase event's bookkeeping
DEFAULT_UNITS = {"contraction_time": "ms", "flight_time": "ms", "contact_time": "ms"}


# a test named by a Smartabase form, a sheet, a file or a column group (`CMJ`, `Squat Jump`, `SL CMJ`)
# when no `Test Type` column
TEST_WORDS = {**TEST_TYPES, "countermovement jump": "cmj", "counter movement jump": "cmj", "squat jump": "sj",
              "drop jump": "drop_jump", "sl cmj": "sl_cmj", "single leg cmj": "sl_cmj",
              "single leg countermovement jump": "sl_cmj", "single leg jump": "sl_cmj", "sl dj": "sl_drop_jump",
              "single leg drop jump": "sl_drop_jump", "isometric mid thigh pull": "imtp"}
_TEST_PREFIX = sorted(TEST_WORDS, key=len, reverse=True)  # `sl cmj` before `cmj`
_SIDES = {"l": "left", "left": "left", "r": "right", "right": "right"}


def metric_of(key: str) -> tuple[str | None, str, str] | None:
    """(test named before the metric or None, side, metric key of `METRIC_KEYS`) of a loose header key,
    or None. The side is a suffix (`concentric peak force l`, VALD's `(L)`) or, like the test, a prefix
    that a group row over the metric names puts there (`group_header`): `cmj left jump height`."""
    for words in _TEST_PREFIX:
        if key.startswith(words + " ") and (found := _sided(key[len(words) + 1:])) is not None:
            return TEST_WORDS[words], *found
    found = _sided(key)
    return None if found is None else (None, *found)


def _sided(key: str) -> tuple[str, str] | None:
    """(side, metric key) of a key with a side before or after the metric, or none ('both')."""
    if key in METRIC_KEYS:
        return "both", key
    first, _sep, rest = key.partition(" ")
    if first in _SIDES and rest in METRIC_KEYS:
        return _SIDES[first], rest
    m = re.fullmatch(r"(.*) (l|r|left|right)", key)
    if m and m.group(1) in METRIC_KEYS:
        return _SIDES[m.group(2)], m.group(1)
    return None
HINTS = ["reps", "externalid", "bw", "tags", "additional load", *METRIC_KEYS]


def detect(sheet: Sheet) -> Detection | None:
    """ForceDecks: an athlete column (`Name`; `About` when it comes through Smartabase), `Test Type`,
    `Date` and `Reps` or a ForceDecks metric. Without `Test Type` (a Smartabase form holds one test),
    two ForceDecks metrics and a test named by the sheet or the file."""
    found = detect_by_headers(sheet, NAME, [ATHLETE, {"test type"}, set(DATE_KEYS)], hints=HINTS,
                              forbidden=["l max force", "left max force", "date utc"])
    if found is not None:
        return found
    named = named_test(sheet)
    if named is None:
        return _by_metric_columns(sheet, None)
    found = detect_by_headers(sheet, NAME, [ATHLETE, set(DATE_KEYS), set(METRIC_KEYS)], hints=HINTS,
                              forbidden=["l max force", "left max force", "date utc"])
    if found is None or found.score < 3 * 2 + 2:  # fewer than two ForceDecks metrics: not sure enough
        return _by_metric_columns(sheet, named)
    found.info.update({"test": named[0], "test_from": named[1]})
    return found


def _by_metric_columns(sheet: Sheet, named: tuple[str, str] | None) -> Detection | None:
    """A sheet whose metric headers carry their test or side (`CMJ Jump Height (cm)`, `Left Jump Height
    (cm)`, as a group row over them reads, `group_header`): an athlete and a date column and two such
    metrics, each with its own test or under a test named by the sheet or the file."""
    found = detect_by_headers(sheet, NAME, [ATHLETE, set(DATE_KEYS)], hints=HINTS,
                              forbidden=["l max force", "left max force", "date utc"])
    if found is None:
        return None
    keys = [split_header(v)[0] if isinstance(v, str) else "" for v in sheet.cells.iloc[found.header_row].tolist()]
    metrics = [m for k in keys if k and (m := metric_of(k)) is not None]
    readable = [m for m in metrics if m[0] is not None or named is not None]
    if len(readable) < 2 or not any(m[0] is not None or m[1] != "both" for m in readable):
        return None
    found.score = 3 * 2 + len(readable)
    if named is not None:
        found.info.update({"test": named[0], "test_from": named[1]})
    return found


def named_test(sheet: Sheet) -> tuple[str, str] | None:
    """(canonical test, the text naming it) from the sheet name, else the file name."""
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", sheet.file or "")
    for text in (sheet.name or "", stem):
        words = " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())
        for key in sorted(TEST_WORDS, key=len, reverse=True):  # `squat jump` before `sj`
            if re.search(rf"(?:^| ){re.escape(key)}(?: |$)", words):
                return TEST_WORDS[key], text
    return None


def read(sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    frame = Frame(sheet, detection.header_row)
    out = SheetRead(LABEL)
    out.data_rows = list(frame.rows)
    ref_i = frame.find("externalid")
    type_i = frame.find("test type")
    date_i = frame.find(*DATE_KEYS)
    time_i = frame.find("time", "start time", "test time")  # `Start Time`: a Smartabase event
    trial_i = frame.find("trial")  # desktop exports: one row per trial, `Trial 1`, `Trial 2`
    reps_i = frame.find("reps")
    for extra in ("tags", "additional load"):
        frame.find(extra)

    names, no_name, _name_header = athlete_names(frame, out, ctx)
    dates = dates_column(frame, out, ctx, date_i, default_order="mdy")
    if type_i is None and "test" not in detection.info:  # each metric column names its test (a group row)
        tests = pd.Series([pd.NA] * len(frame), dtype=object)
        raw_types = tests.astype("string")
        out.assumptions.append("no `Test Type` column: each metric's test is the one its header names")
    elif type_i is None:  # claimed without a `Test Type` column: the test named by the sheet or file
        test = str(detection.info["test"])
        tests = pd.Series([test] * len(frame), dtype=object)
        raw_types = tests.astype("string")
        out.assumptions.append(f"no `Test Type` column: every row is a {test} test, as "
                               f"'{detection.info['test_from']}' says")
    else:
        raw_types = frame.col(type_i).astype("string").str.strip()
        tests = raw_types.str.lower().str.replace(r"[^a-z]", "", regex=True).map({**TEST_TYPES, **TEST_NAMES})

    bad_date = ~no_name & dates.values.isna()
    reject_rows(out, ctx, frame, bad_date, frame.header(date_i), frame.col(date_i), "date missing or not a date")
    bad_type = ~no_name & ~bad_date & tests.isna() & (type_i is not None or "test" in detection.info)
    reject_rows(out, ctx, frame, bad_type, frame.header(type_i) if type_i is not None else "", raw_types,
                "test type not supported (known: " + ", ".join(sorted(k.upper() for k in TEST_TYPES)) + ")")
    ok = ~(no_name | bad_date | bad_type)

    base = pd.DataFrame({
        "athlete_name": names, "athlete_ref": _refs(frame, ref_i), "date": dates.values,
        "test": tests, "device": "ForceDecks",
    })
    # several tests of one type on one day are trials 1..n in the order performed
    if time_i is not None:
        order = minutes_of_day(frame.col(time_i))
    else:  # `19/03/2026 09:05` in the date cell (older desktop exports), else no time
        order = minutes_of_day(frame.col(date_i).astype("string").str.extract(_CLOCK, expand=False))
    if trial_i is not None:  # the export numbers the trials itself: ordered by it, then by the clock
        written = pd.to_numeric(frame.col(trial_i).astype("string").str.extract(r"(\d+)", expand=False), errors="coerce")
        base["trial"] = number_trials(base, written.astype("float64") * 10_000 + order.fillna(0), ok)
    else:
        base["trial"] = number_trials(base, order, ok)
    base["time"] = clock_text(order).to_numpy()

    columns = _metric_columns(frame, out, row_test=type_i is not None or "test" in detection.info)
    out.tables["tests"] = _trials_per_leg(melt_metrics(frame, out, ctx, base, ok, columns, ctx.decimal_comma))
    account_for_rows(out, frame)
    out.unknown_columns = frame.unknown([*IDENTITY, *SMARTABASE_BOOKKEEPING])
    if trial_i is not None:
        out.assumptions.append(f"one row per trial ('{frame.header(trial_i)}')")
    elif reps_i is not None or type_i is not None:
        out.assumptions.append("one row per test: values are the mean of the `Reps` trials")
    else:  # a coach's sheet (a Smartabase form, a group row over the metrics): no Reps column says more
        out.assumptions.append("one row per test: rows of one athlete, test and day are trials 1..n in the order performed (time of day, else sheet order)")
    return out


SINGLE_LEG = ("sl_cmj", "sl_drop_jump", "sl_hop_rsi")


def _trials_per_leg(tests: pd.DataFrame) -> pd.DataFrame:
    """Single-leg tests numbered per leg: an SLJ row holds one leg (its `(L)` or `(R)` columns), so the
    left leg's first jump is trial 1 and so is the right leg's, in the order performed."""
    if not len(tests) or not tests["test"].isin(SINGLE_LEG).any():
        return tests
    single = tests["test"].isin(SINGLE_LEG)
    ranked = (tests[single].groupby(["athlete_name", "date", "test", "metric", "side"], dropna=False)["trial"]
              .rank(method="dense").astype("Int64"))
    return tests.assign(trial=tests["trial"].astype("Int64").where(~single, ranked))


_CLOCK = r"(\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)\s*$"


def _metric_columns(frame: Frame, out: SheetRead, row_test: bool = True) -> list[MetricColumn]:
    """The metric columns, by `metric_of`; without a test for the row (`row_test` False) only those whose
    header names their test. Jump height estimates are chosen per test: Imp-Mom, else Imp-Dis, else
    flight time."""
    cols: list[MetricColumn] = []
    found = {i: m for i, (key, _u) in enumerate(frame.keys) if frame.headers[i] and (m := metric_of(key)) is not None}
    has_impmom = {m[0] for m in found.values() if m[2].startswith("jump height imp mom")}
    has_impdis = {m[0] for m in found.values() if m[2].startswith("jump height imp dis")}
    for i, (test, side, base_key) in found.items():
        if test is None and not row_test:
            continue  # no test named for this column nor for the row: listed as not read
        unit = frame.keys[i][1]
        metric = METRIC_KEYS[base_key]
        if base_key.startswith("jump height imp dis") and test in has_impmom:
            continue  # Imp-Mom is the jump height; the other estimate is listed as unknown
        if base_key.startswith("jump height imp dis"):
            out.assumptions.append(f"'{frame.header(i)}' used as jump height (no Imp-Mom column)")
        if metric == "jump_height_flight_time" and test not in has_impmom and test not in has_impdis:
            metric = "jump_height"
            out.assumptions.append(f"'{frame.header(i)}' used as jump height (no Imp-Mom column)")
        if metric.endswith("asymmetry"):
            side = "asym"
        frame.used.add(i)
        cols.append(MetricColumn(i, test, metric, side, unit or _inferred_unit(frame, out, i, metric)))
    return cols


LENGTHS = ("jump_height", "jump_height_flight_time", "countermovement_depth")


def _inferred_unit(frame: Frame, out: SheetRead, index: int, metric: str) -> str | None:
    """The unit of a metric header that names none (a Smartabase field `Jump Height`, `Contact Time`),
    from the values with a plausibility check, stated: a jump of 0.35 is metres, of 35 centimetres; a
    contact time of 212 is milliseconds, of 0.212 seconds. None: the metric's canonical unit."""
    values = pd.to_numeric(frame.col(index), errors="coerce")
    if metric in LENGTHS:  # no jump is 3 m high and none is under 3 cm: below 3 the values are metres
        positive = values[values > 0]
        unit = "m" if len(positive) and float(positive.median()) < 3 else "cm"
    elif metric in DEFAULT_UNITS:
        unit = infer_time_unit(values) if values.notna().any() else DEFAULT_UNITS[metric]
    else:
        return None
    if values.notna().any():
        out.assumptions.append(f"'{frame.header(index)}' has no unit: its values (median {float(values.median()):g}) "
                               f"are read as {unit}")
    return unit


def _refs(frame: Frame, index: int | None) -> pd.Series:
    if index is None:
        return pd.Series([pd.NA] * len(frame), dtype="string")
    return frame.col(index).astype("string").str.strip().replace("", pd.NA)
