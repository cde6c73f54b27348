"""Hawkin Dynamics force-plate exports: the web app's CSV and the API table (`hdforce`).

One row per trial. Headers are `label(unit)` with no space (`Jump Height(m)`, `Time To
Takeoff(s)`); every unit is SI, so jump height comes in metres. Web exports carry `TestId`,
`Date`, `Time`, `Name`, `Type`, `Tags`, `Segment`, `Position`, `Excluded`; API exports carry a
Unix-epoch `timestamp`, `athlete_name`, `testType_name` and `active` instead. Asymmetries
(`L|R Peak Propulsive Force(%)`) are signed with an unpublished sign convention: the sign is not
interpreted; the larger side comes from the matching left/right force columns when present.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.core.errors import UnreadableFile
from lib.ingest.normalize import infer_length_unit, infer_time_unit, parse_numbers
from lib.ingest.readers.base import (
    ATHLETE,
    Detection,
    Frame,
    MetricColumn,
    Problem,
    ReadContext,
    SheetRead,
    athlete_index,
    athlete_names,
    dates_column,
    detect_by_headers,
    melt_metrics,
    reject_rows,
)
from lib.ingest.readers.forceplate import (
    clock_text,
    AsymmetryColumn,
    account_for_rows,
    asymmetry_rows,
    concat_parts,
    minutes_of_day,
    number_trials,
    text_column,
)
from lib.core.schema import METRICS
from lib.ingest.sources import Sheet

NAME = "hawkin"
LABEL = "Hawkin Dynamics"
DEVICE = "Hawkin"
STANDARD_GRAVITY = 9.80665  # m/s2: System Weight (N) / g = body mass (kg)

# Hawkin test type (words, lower case) -> canonical test
TEST_TYPES: dict[str, str] = {
    "countermovement jump": "cmj", "cmj": "cmj", "cmj rebound": "cmj",
    "squat jump": "sj", "sj": "sj",
    "drop jump": "drop_jump", "dj": "drop_jump",
    "multi rebound": "hop_rsi",
    "isometric test": "imtp", "isometric": "imtp", "imtp": "imtp",
}
# Hawkin test types with no canonical test: listed as skipped, not rejected
NOT_IMPORTED: dict[str, str] = {
    "drop landing": "Drop Landing has no canonical test",
    "weigh in": "a weigh-in, not a test",
    "ts free run": "TruStrength free run (a training set, not a test)",
    "ts isometric test": "TruStrength isometric (a training set, not a test)",
    "free run": "TruStrength free run (a training set, not a test)",
}
# loose key of a whole-body metric -> canonical metric. `CMJ ...` columns are the CMJ part of a
# `CMJ Rebound` trial; Multi Rebound's `Peak RSI` is its best hop, as ForceDecks' `Best RSI`.
METRIC_KEYS: dict[str, str] = {
    "jump height": "jump_height",
    "cmj jump height": "jump_height",
    "mrsi": "rsi_modified",
    "modified rsi": "rsi_modified",
    "cmj modified rsi": "rsi_modified",
    "rsi": "rsi",
    "cmj rsi": "rsi",
    "peak rsi": "rsi",
    "time to takeoff": "time_to_takeoff",
    "cmj time to takeoff": "time_to_takeoff",
    "peak propulsive force": "peak_propulsive_force",
    "cmj peak propulsive force": "peak_propulsive_force",
    "peak braking force": "peak_braking_force",
    "cmj peak braking force": "peak_braking_force",
    "flight time": "flight_time",
    "contact time": "contact_time",
    "avg contact time": "contact_time",
    "countermovement depth": "countermovement_depth",
    "cmj depth": "countermovement_depth",
    "peak relative propulsive power": "peak_power_bm",
    "cmj peak relative propulsive power": "peak_power_bm",
    "peak force": "max_force",
}
# loose key after `Left `/`Right ` -> canonical metric per side
SIDE_KEYS: dict[str, str] = {
    "peak force": "max_force",
    "force at peak propulsive force": "peak_propulsive_force",
    "force at peak braking force": "peak_braking_force",
}
# `L|R ...(%)` column -> (canonical metric, left/right force columns that tell the larger side)
ASYMMETRY_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "l r peak propulsive force": ("asymmetry", ("force at peak propulsive force",)),
    "l r peak force": ("asymmetry", ("force at peak force", "peak force")),
    "l r peak landing force": ("landing_asymmetry", ("force at peak landing force",)),
    "l r braking impulse index": ("braking_impulse_asymmetry", ()),
    "cmj l r braking impulse index": ("braking_impulse_asymmetry", ()),
    "l r avg force": ("avg_force_asymmetry", ()),
}
SYSTEM_WEIGHT = "system weight"
IDENTITY = ["testid", "test id", "id", "date", "time", "timestamp", "name", "athlete name", "athlete id",
            "athlete teams", "athlete groups", "athlete active", "type", "testtype name",
            "test type name", "testtype id", "testtype canonicalid", "tags", "tag names", "tag ids",
            "segment", "position", "excluded", "active", "externalid", "external id"]
LENGTH_METRICS = ("jump_height", "countermovement_depth")
TIME_METRICS = ("time_to_takeoff", "flight_time", "contact_time")
_HAWKIN_HEADER = re.compile(r"\S\((N|m|s|ms|%|W|W/kg|N\.s|N/s|m/s)\)\s*$")
_FALSE = {"", "no", "n", "false", "0", "0.0", "f"}


def detect(sheet: Sheet) -> Detection | None:
    """Hawkin: name, `Type`/`testType_name`, `Date`/`timestamp` and a Hawkin metric in `label(unit)` form."""
    found = detect_by_headers(
        sheet, NAME,
        [ATHLETE, {"type", "testtype name", "test type name"}, {"date", "timestamp"},
         set(METRIC_KEYS) | set(ASYMMETRY_KEYS) | {SYSTEM_WEIGHT}],
        hints=["testid", "time", "tags", "segment", "excluded", "position", SYSTEM_WEIGHT, "tag names",
               "active", "jump height", "mrsi", "time to takeoff"],
        forbidden=["test type", "l max force", "date utc"],
    )
    if found is None:
        return None
    headers = [str(v) for v in sheet.cells.iloc[found.header_row].tolist() if isinstance(v, str)]
    # the house style of Hawkin headers: the unit glued to the label, `Jump Height(m)`
    if not any(_HAWKIN_HEADER.search(h) for h in headers):
        return None
    return found


def read(sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    """Long `tests` rows from a Hawkin export, one trial per row."""
    frame = Frame(sheet, detection.header_row)
    out = SheetRead(LABEL)
    out.data_rows = list(frame.rows)
    idx = _identity_columns(frame, ctx)

    excluded = _excluded(frame, idx, out)
    date_i = idx["date"] if idx["date"] is not None else idx["timestamp"]
    dates = dates_column(frame, out, ctx, date_i, default_order="mdy")
    if idx["date"] is None:
        out.assumptions.append(f"'{frame.header(date_i)}' is Unix time: the date is the trial's date in the club's "
                               f"time zone ({ctx.time_zone})")
    raw_types = text_column(frame, idx["type"])
    type_keys = pd.Series([_words(t) if isinstance(t, str) else "" for t in raw_types.tolist()], dtype="string")
    tests = pd.Series([TEST_TYPES.get(k) for k in type_keys.tolist()], dtype="string")
    not_imported = ~excluded & type_keys.isin(list(NOT_IMPORTED))
    for pos in np.flatnonzero(not_imported.to_numpy()):
        out.skipped_rows[frame.rows[pos]] = (f"Hawkin test '{raw_types.iloc[pos]}' is not imported: "
                                             f"{NOT_IMPORTED[type_keys.iloc[pos]]}")
    skipped = excluded | not_imported

    names, no_name, _name_header = athlete_names(frame, out, ctx, skip=skipped)
    bad_date = ~skipped & ~no_name & dates.values.isna()
    reject_rows(out, ctx, frame, bad_date, frame.header(date_i), frame.col(date_i), "date missing or not a date")
    bad_type = ~skipped & ~no_name & ~bad_date & tests.isna()
    reject_rows(out, ctx, frame, bad_type, frame.header(idx["type"]), raw_types,
                "test type not recognised (known: Countermovement Jump, CMJ Rebound, Squat Jump, Drop Jump, "
                "Multi Rebound, Isometric Test)")
    ok = ~(skipped | no_name | bad_date | bad_type)

    base = pd.DataFrame({
        "athlete_name": names, "athlete_ref": text_column(frame, idx["ref"]), "date": dates.values,
        "test": tests, "device": DEVICE,
    })
    order = _order(frame, idx, ctx)
    base["trial"] = number_trials(base, order, ok)
    # a Unix timestamp (seconds) or minutes of the day: the time of day (UTC for timestamps)
    base["time"] = clock_text(order % 86400 / 60 if order.max(skipna=True) > 1440 else order).to_numpy()

    columns, asymmetries, weight_i = _metric_columns(frame, out)
    parts = [melt_metrics(frame, out, ctx, base, ok, columns, ctx.decimal_comma)]
    parts += [asymmetry_rows(frame, out, ctx, base, ok, col, ctx.decimal_comma) for col in asymmetries]
    if weight_i is not None:
        parts.append(_body_mass_rows(frame, out, ctx, base, ok, weight_i))
    out.tables["tests"] = _one_value_per_key(out, parts)
    out.unknown_columns = frame.unknown(IDENTITY + [k for k, _u in frame.keys if k.startswith("external ")])
    _note_tests(tests[ok], raw_types[ok], out)
    account_for_rows(out, frame)
    return out


# -------------------------------------------------------------------------- identity, trials

def _identity_columns(frame: Frame, ctx: ReadContext) -> dict[str, int | None]:
    idx = {
        "name": athlete_index(frame), "ref": frame.find("externalid", "external id"),
        "type": frame.find("type", "testtype name", "test type name"), "date": frame.find("date"),
        "timestamp": frame.find("timestamp"), "time": frame.find("time"),
        "excluded": frame.find("excluded"), "active": frame.find("active"),
    }
    for extra in ("testid", "test id", "id", "tags", "tag names", "segment", "position"):
        frame.find(extra)
    if idx["name"] is None or idx["type"] is None or (idx["date"] is None and idx["timestamp"] is None):
        raise UnreadableFile(ctx.file, "a Hawkin sheet needs name, test type and date (or timestamp) columns")
    return idx


def _excluded(frame: Frame, idx: dict[str, int | None], out: SheetRead) -> pd.Series:
    """Rows marked `Excluded` (web) or not `active` (API), listed as skipped with the reason."""
    mask = pd.Series(False, index=range(len(frame)))
    for key, flag_means_excluded in (("excluded", True), ("active", False)):
        if idx[key] is None:
            continue
        raw = frame.col(idx[key])
        for pos, value in enumerate(raw.tolist()):
            word = "" if value is None else str(value).strip().lower()
            flagged = word not in _FALSE if flag_means_excluded else word in _FALSE - {""}
            if flagged and not mask.iloc[pos]:
                mask.iloc[pos] = True
                shown = str(value).strip()
                out.skipped_rows[frame.rows[pos]] = (f"excluded trial ({frame.header(idx[key])} = {shown})"
                                                     if flag_means_excluded else
                                                     f"inactive trial ({frame.header(idx[key])} = {shown})")
    return mask


def _order(frame: Frame, idx: dict[str, int | None], ctx: ReadContext) -> pd.Series:
    """When each trial was performed: the Unix timestamp, else minutes of the day from `Time`."""
    if idx["timestamp"] is not None:
        stamps, _bad = parse_numbers(frame.col(idx["timestamp"]), ctx.decimal_comma)
        if stamps.notna().any():
            return stamps
    if idx["time"] is not None:
        return minutes_of_day(frame.col(idx["time"]))
    return pd.Series(np.nan, index=range(len(frame)))


def _words(value: object) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(value).lower()).split())


def _note_tests(tests: pd.Series, raw: pd.Series, out: SheetRead) -> None:
    seen = set(zip(raw.tolist(), tests.tolist()))
    if any(t == "imtp" for _r, t in seen):
        out.assumptions.append("Hawkin 'Isometric Test' trials read as IMTP (the export does not name the "
                               "isometric position)")
    if any(_words(r) == "cmj rebound" for r, _t in seen):
        out.assumptions.append("'CMJ Rebound' trials: the CMJ part (`CMJ ...` columns) is read as a CMJ; "
                               "the rebound columns are not imported")


# ----------------------------------------------------------------------------------- metrics

def _metric_columns(frame: Frame, out: SheetRead) -> tuple[list[MetricColumn], list[AsymmetryColumn], int | None]:
    columns: list[MetricColumn] = []
    sided: dict[str, dict[str, int]] = {}
    for i, (key, unit) in enumerate(frame.keys):
        if not frame.headers[i].strip():
            continue
        m = re.fullmatch(r"(left|right) (.+)", key)
        if m:
            sided.setdefault(m.group(2), {})[m.group(1)] = i
            if m.group(2) in SIDE_KEYS:
                frame.used.add(i)
                columns.append(MetricColumn(i, None, SIDE_KEYS[m.group(2)], m.group(1), unit))
            continue
        if key in METRIC_KEYS:
            frame.used.add(i)
            metric = METRIC_KEYS[key]
            columns.append(MetricColumn(i, None, metric, "both", _unit(frame, i, metric, unit, out)))
    # plain columns before `CMJ ...` ones: the first value of a metric in a row wins
    columns.sort(key=lambda c: (frame.keys[c.index][0].startswith("cmj "), c.index))
    asymmetries: list[AsymmetryColumn] = []
    for i, (key, _unit_) in enumerate(frame.keys):
        if key not in ASYMMETRY_KEYS or not frame.headers[i].strip():
            continue
        frame.used.add(i)
        metric, pair_keys = ASYMMETRY_KEYS[key]
        pair = next((sided[k] for k in pair_keys if len(sided.get(k, {})) == 2), {})
        asymmetries.append(AsymmetryColumn(i, metric, pair.get("left"), pair.get("right")))
        how = (f"the larger of '{frame.header(pair['left'])}' and '{frame.header(pair['right'])}'"
               if pair else "'both' (no left/right force columns to compare)")
        out.assumptions.append(f"'{frame.header(i)}': Hawkin's sign convention is not published, so the "
                               f"sign is not interpreted: value = magnitude, side = {how}")
    braking = frame.find("l r peak braking force", used=False)
    if braking is not None:
        out.assumptions.append(f"'{frame.header(braking)}' not imported: there is no canonical peak braking "
                               "force asymmetry (braking asymmetry comes from `L|R Braking Impulse Index`)")
    if any(c.side != "both" and c.metric != "max_force" for c in columns):
        out.assumptions.append("`Left/Right Force at Peak ... Force(N)` read as that side's peak force: each "
                               "side's force at the instant of the whole-body peak")
    weight_i = frame.find(SYSTEM_WEIGHT)
    return columns, asymmetries, weight_i


def _unit(frame: Frame, index: int, metric: str, unit: str | None, out: SheetRead) -> str | None:
    """Unit of a metric column: from the header, else inferred from the values (and said so)."""
    if unit is not None:
        return unit
    values = parse_numbers(frame.col(index))[0].abs()
    if metric in LENGTH_METRICS:
        guess = infer_length_unit(values, (20.0, 60.0))
    elif metric in TIME_METRICS:
        guess = infer_time_unit(values)
    else:
        return None
    if guess != METRICS[metric]:
        out.assumptions.append(f"'{frame.header(index)}' has no unit: read as {guess} from the size of the values")
    return guess


def _body_mass_rows(frame: Frame, out: SheetRead, ctx: ReadContext, base: pd.DataFrame, ok: pd.Series,
                    index: int) -> pd.DataFrame:
    """Body mass in kg from `System Weight(N)`: newtons / 9.80665."""
    unit = frame.unit(index) or "N"
    raw = frame.col(index)
    values, bad = parse_numbers(raw, ctx.decimal_comma)
    reject_rows(out, ctx, frame, bad & ok, frame.header(index), raw,
                "not a number: value rejected, rest of the row kept")
    if unit == "N":
        values = values / STANDARD_GRAVITY
        out.assumptions.append(f"'{frame.header(index)}' read as body mass: newtons / {STANDARD_GRAVITY} = kg")
    elif unit != "kg":
        out.rejects.append(Problem(ctx.file, ctx.sheet, None, frame.header(index), unit,
                                   f"unit {unit} is not a weight in N or kg"))
        return pd.DataFrame()
    keep = ok & values.notna() & ~bad
    part = base.loc[keep].copy()
    part["metric"] = "body_mass"
    part["side"] = "both"
    part["value"] = values[keep].to_numpy()
    part["unit"] = METRICS["body_mass"]
    part["source_row"] = np.asarray(frame.rows)[keep.to_numpy()]
    return part


def _one_value_per_key(out: SheetRead, parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate, keeping the first value when two columns give one metric for the same trial
    (e.g. `Jump Height(m)` and `CMJ Jump Height(m)` both filled): columns are in priority order."""
    tests = concat_parts(parts)
    if tests.empty:
        return tests
    dup = tests.duplicated(["source_row", "metric", "side"], keep="first")
    if dup.any():
        rows = sorted(set(tests.loc[dup, "source_row"].tolist()))
        out.assumptions.append(f"{int(dup.sum())} values were given twice for one trial (rows "
                               + ", ".join(map(str, rows[:10])) + ("..." if len(rows) > 10 else "")
                               + "): the first column was kept (plain before `CMJ ...`)")
    return tests[~dup].reset_index(drop=True)
