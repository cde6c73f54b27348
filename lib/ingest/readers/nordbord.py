"""VALD NordBord (Nordic hamstring) and VALD ForceFrame (isometric) CSV from VALD Hub.

Both exports hold one row per test with left and right columns (`L Max Force (N)`, `R Max Force
(N)`) and an imbalance that is a bare number (`Max Imbalance (%)`): the side of an imbalance is
the side with the larger value of its L/R pair. NordBord writes `Date UTC`/`Time UTC`; ForceFrame
adds `Mode`, `Direction` and `Position` and writes one row per direction (`Pull` = hip abduction,
`Squeeze` = hip adduction), both kept as their own tests.

The helpers `minutes_of_day`, `number_trials`, `AsymmetryColumn`, `asymmetry_rows` and
`account_for_rows` are shared with the Hawkin reader.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.core.errors import UnreadableFile
from lib.ingest.readers.base import (
    ATHLETE,
    SMARTABASE_BOOKKEEPING,
    Detection,
    Frame,
    MetricColumn,
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
    asymmetry_rows,
    text_column,
    minutes_of_day,
    number_trials,
    concat_parts,
    account_for_rows,
)
from lib.core.schema import METRICS
from lib.ingest.dates import local_dates
from lib.ingest.sources import Sheet

NAME = "nordbord"
LABEL = "VALD NordBord"
LABEL_FORCEFRAME = "VALD ForceFrame"

# loose key after the `L `/`R ` prefix -> canonical metric (one value per side)
SIDE_METRICS: dict[str, str] = {
    "reps": "reps",
    "max force": "max_force",
    "avg force": "avg_force",
    "max torque": "max_torque",
    "max impulse": "max_impulse",
    "max force per kg": "max_force_per_kg",
    "max rfd": "max_rfd",
}
# imbalance column -> (canonical metric, the L/R metric whose larger side is the imbalance side)
IMBALANCES: dict[str, tuple[str, str]] = {
    "max imbalance": ("asymmetry", "max force"),
    "avg imbalance": ("avg_force_asymmetry", "avg force"),
    "impulse imbalance": ("impulse_asymmetry", "max impulse"),
}
IDENTITY = ["name", "externalid", "external id", "date utc", "date", "time utc", "time", "device",
            "test", "mode", "direction", "position", "notes"]
_SIDE_PREFIX = re.compile(r"^(l|r|left|right) (.+)$")
# ForceFrame `Direction` words of the hip adductor/abductor test
ABDUCTION_WORDS = ("pull", "abduction", "abduct", "out", "outward", "outer")
ADDUCTION_WORDS = ("squeeze", "adduction", "adduct", "in", "inward", "inner")


def detect(sheet: Sheet) -> Detection | None:
    """NordBord/ForceFrame: `Name`, `Date UTC` or `Date`, and an `L Max Force` or `R Max Force` column
    (`Left Max Force` when `Left`/`Right` group the columns in a row above, `group_header`)."""
    return detect_by_headers(
        sheet, NAME, [ATHLETE, {"date utc", "date"}, {"l max force", "r max force", "left max force", "right max force"}],
        hints=["externalid", "time utc", "time", "device", "test", "l reps", "r reps", "max imbalance",
               "l max torque", "l avg force", "direction", "position", "mode", "l max force per kg",
               "left reps", "right reps", "left max torque", "left avg force", "left max force per kg"],
        forbidden=["test type"],
    )


def read(sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    """Long `tests` rows from a NordBord or ForceFrame export."""
    frame = Frame(sheet, detection.header_row)
    idx = _identity_columns(frame, ctx)
    forceframe = any(idx[k] is not None for k in ("direction", "position", "mode"))
    out = SheetRead(LABEL_FORCEFRAME if forceframe else LABEL)
    out.data_rows = list(frame.rows)

    dates = dates_column(frame, out, ctx, idx["date"], default_order="mdy")
    if "utc" in frame.keys[idx["date"]][0] and ctx.time_zone == "UTC":
        out.assumptions.append(f"'{frame.header(idx['date'])}' is UTC as exported (the club time zone is UTC): "
                               "a test late in the evening west of Greenwich, or early in the morning east of "
                               "it, carries the neighbouring day's date; set the club time zone to date it locally")
    elif "utc" in frame.keys[idx["date"]][0]:
        clock = frame.col(idx["time"]) if idx["time"] is not None else frame.col(idx["date"])
        dates.values = local_dates(clock, dates.values, ctx.time_zone)
        out.assumptions.append(f"'{frame.header(idx['date'])}' is UTC: each test is dated on its local day in the "
                               f"club's time zone {ctx.time_zone} (from its UTC time of day)")
    tests, skip_reasons = _tests(frame, idx, forceframe, out)
    skipped = skip_reasons.notna()
    for pos in np.flatnonzero(skipped.to_numpy()):
        out.skipped_rows[frame.rows[pos]] = str(skip_reasons.iloc[pos])

    names, no_name, _name_header = athlete_names(frame, out, ctx, skip=skipped)
    bad_date = ~skipped & ~no_name & dates.values.isna()
    reject_rows(out, ctx, frame, bad_date, frame.header(idx["date"]), frame.col(idx["date"]),
                "date missing or not a date")
    ok = ~(skipped | no_name | bad_date)

    default_device = "ForceFrame" if forceframe else "NordBord"
    base = pd.DataFrame({
        "athlete_name": names, "athlete_ref": text_column(frame, idx["ref"]), "date": dates.values,
        "test": tests, "device": text_column(frame, idx["device"]).fillna(default_device),
    })
    when = minutes_of_day(frame.col(idx["time"])) if idx["time"] is not None else pd.Series(np.nan, index=base.index)
    base["trial"] = number_trials(base, when, ok)
    base["time"] = clock_text(when).to_numpy()

    side_columns, imbalance_columns = _metric_columns(frame, out)
    parts = [melt_metrics(frame, out, ctx, base, ok, side_columns, ctx.decimal_comma)]
    parts += [asymmetry_rows(frame, out, ctx, base, ok, col, ctx.decimal_comma) for col in imbalance_columns]
    out.tables["tests"] = concat_parts(parts)
    out.unknown_columns = frame.unknown([*IDENTITY, *SMARTABASE_BOOKKEEPING])
    if forceframe:
        _note_positions(frame, idx, ok, out)
    out.assumptions.append("one row per test and direction: `Max` values are the best and `Avg` values the "
                           "mean of the `L Reps`/`R Reps` repetitions; several tests of one kind on one "
                           "day are trials 1..n in time order")
    account_for_rows(out, frame)
    return out


# --------------------------------------------------------------------------- identity, tests

def _identity_columns(frame: Frame, ctx: ReadContext) -> dict[str, int | None]:
    idx = {
        "name": athlete_index(frame), "ref": frame.find("externalid", "external id"),
        "date": frame.find("date utc", "date"), "time": frame.find("time utc", "time"),
        "device": frame.find("device"), "test": frame.find("test"), "direction": frame.find("direction"),
        "position": frame.find("position"), "mode": frame.find("mode"),
    }
    frame.find("notes")
    if idx["name"] is None or idx["date"] is None:
        raise UnreadableFile(ctx.file, "a NordBord/ForceFrame sheet needs an athlete column (`Name`) and `Date`")
    return idx


def _tests(frame: Frame, idx: dict[str, int | None], forceframe: bool, out: SheetRead) -> tuple[pd.Series, pd.Series]:
    """(canonical test per row, reason when the row is not imported) from `Test` and `Direction`."""
    raw_test = text_column(frame, idx["test"])
    raw_dir = text_column(frame, idx["direction"])
    tests: list[object] = []
    reasons: list[object] = []
    blank_nordic = False
    for test, direction in zip(raw_test.tolist(), raw_dir.tolist()):
        canonical, reason = _test_of(test, direction, forceframe)
        if canonical == "nordic" and (test is pd.NA or test is None):
            blank_nordic = True
        tests.append(canonical if canonical else pd.NA)
        reasons.append(reason if reason else pd.NA)
    if blank_nordic:
        out.assumptions.append("rows without a `Test` value read as Nordic hamstring tests (NordBord export)")
    return pd.Series(tests, dtype="string"), pd.Series(reasons, dtype="string")


def _test_of(test: object, direction: object, forceframe: bool) -> tuple[str | None, str | None]:
    """Canonical test of one row, or a reason why the row has none."""
    t = _words(test)
    d = _words(direction)
    if not forceframe and (not t or "nordic" in t):
        return "nordic", None
    if "nordic" in t:
        return "nordic", None
    hip_adab = "ad ab" in t or "adduct" in t or "abduct" in t or "groin" in t or "squeeze" in t
    if hip_adab:
        words = set(d.split())
        if words & set(ABDUCTION_WORDS) or (not d and "abduct" in t and "adduct" not in t):
            return "hip_abduction", None
        if words & set(ADDUCTION_WORDS) or (not d and ("adduct" in t or "squeeze" in t) and "abduct" not in t):
            return "hip_adduction", None
        return None, (f"'{_show(test)}' with direction '{_show(direction)}': cannot tell adduction "
                      "(Squeeze) from abduction (Pull), row not imported")
    device = "ForceFrame" if forceframe else "NordBord"
    where = f"'{_show(test)}'" + (f" ({_show(direction)})" if d else "")
    return None, (f"{device} test {where} has no canonical test yet (only Nordic and hip adduction/"
                  "abduction are imported): row not imported")


def _words(value: object) -> str:
    if value is None or value is pd.NA:
        return ""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(value).lower()).split())


def _show(value: object) -> str:
    return "" if value is None or value is pd.NA else str(value).strip()


def _note_positions(frame: Frame, idx: dict[str, int | None], ok: pd.Series, out: SheetRead) -> None:
    if idx["position"] is None:
        return
    positions = sorted(set(text_column(frame, idx["position"])[ok].dropna().tolist()))
    if len(positions) > 1:
        out.assumptions.append("ForceFrame positions differ in this file (" + ", ".join(positions) + "): the "
                               "position is not part of a test's key, so compare like with like")


# ----------------------------------------------------------------------------------- metrics

def _metric_columns(frame: Frame, out: SheetRead) -> tuple[list[MetricColumn], list[AsymmetryColumn]]:
    sides: list[MetricColumn] = []
    pairs: dict[str, dict[str, int]] = {}
    for i, (key, unit) in enumerate(frame.keys):
        m = _SIDE_PREFIX.match(key)
        if not m or m.group(2) not in SIDE_METRICS or not frame.headers[i].strip():
            continue
        side = "left" if m.group(1) in ("l", "left") else "right"
        metric = SIDE_METRICS[m.group(2)]
        pairs.setdefault(m.group(2), {})[side] = i
        frame.used.add(i)
        sides.append(MetricColumn(i, None, metric, side, _source_unit(frame, i, metric, unit, out)))
    imbalances: list[AsymmetryColumn] = []
    for key, (metric, pair_key) in IMBALANCES.items():
        i = frame.find(key)
        if i is None:
            continue
        if frame.unit(i) not in (None, "%"):
            out.assumptions.append(f"'{frame.header(i)}' has unit {frame.unit(i)}, read as %")
        elif frame.unit(i) is None:
            out.assumptions.append(f"'{frame.header(i)}' has no unit: read as %")
        pair = pairs.get(pair_key, {})
        imbalances.append(AsymmetryColumn(i, metric, pair.get("left"), pair.get("right")))
    for col in imbalances:
        pair = next(k for k, (metric, _p) in IMBALANCES.items() if metric == col.metric)
        out.assumptions.append(f"'{frame.header(col.index)}' is a bare number: its side is the side with the "
                               f"larger L/R {IMBALANCES[pair][1]} ('both' when equal or a side is missing)")
    return sides, imbalances


def _source_unit(frame: Frame, index: int, metric: str, unit: str | None, out: SheetRead) -> str | None:
    canonical = METRICS[metric]
    if unit == "kg" and canonical == "N":
        out.assumptions.append(f"'{frame.header(index)}' in kg read as kilograms-force (x 9.80665 N)")
        return "kgf"
    if unit is None and canonical not in ("count",):
        out.assumptions.append(f"'{frame.header(index)}' has no unit: read as {canonical}")
    return unit
