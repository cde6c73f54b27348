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

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.errors import UnreadableFile
from lib.normalize import parse_asymmetry, parse_numbers
from lib.readers.base import (
    Detection,
    Frame,
    MetricColumn,
    ReadContext,
    SheetRead,
    dates_column,
    detect_by_headers,
    melt_metrics,
    names_column,
    reject_rows,
)
from lib.schema import METRICS
from lib.sources import Sheet

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
    """NordBord/ForceFrame: `Name`, `Date UTC` or `Date`, and an `L Max Force` or `R Max Force` column."""
    return detect_by_headers(
        sheet, NAME, [{"name"}, {"date utc", "date"}, {"l max force", "r max force"}],
        hints=["externalid", "time utc", "time", "device", "test", "l reps", "r reps", "max imbalance",
               "l max torque", "l avg force", "direction", "position", "mode", "l max force per kg"],
        forbidden=["test type"],
    )


def read(sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    """Long `tests` rows from a NordBord or ForceFrame export."""
    frame = Frame(sheet, detection.header_row)
    idx = _identity_columns(frame, ctx)
    forceframe = any(idx[k] is not None for k in ("direction", "position", "mode"))
    out = SheetRead(LABEL_FORCEFRAME if forceframe else LABEL)
    out.data_rows = list(frame.rows)

    names, no_name = names_column(frame, out, ctx, idx["name"])
    dates = dates_column(frame, out, ctx, idx["date"], default_order="mdy")
    if "utc" in frame.keys[idx["date"]][0]:
        out.assumptions.append(f"'{frame.header(idx['date'])}' is UTC as exported (not converted to local "
                               "time): a test late in the evening west of Greenwich, or early in the "
                               "morning east of it, carries the neighbouring day's date")
    tests, skip_reasons = _tests(frame, idx, forceframe, out)
    skipped = skip_reasons.notna()
    for pos in np.flatnonzero(skipped.to_numpy()):
        out.skipped_rows[frame.rows[pos]] = str(skip_reasons.iloc[pos])

    reject_rows(out, ctx, frame, ~skipped & no_name, frame.header(idx["name"]), None, "no athlete name")
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

    side_columns, imbalance_columns = _metric_columns(frame, out)
    parts = [melt_metrics(frame, out, ctx, base, ok, side_columns, ctx.decimal_comma)]
    parts += [asymmetry_rows(frame, out, ctx, base, ok, col, ctx.decimal_comma) for col in imbalance_columns]
    out.tables["tests"] = concat_parts(parts)
    out.unknown_columns = frame.unknown(IDENTITY)
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
        "name": frame.find("name"), "ref": frame.find("externalid", "external id"),
        "date": frame.find("date utc", "date"), "time": frame.find("time utc", "time"),
        "device": frame.find("device"), "test": frame.find("test"), "direction": frame.find("direction"),
        "position": frame.find("position"), "mode": frame.find("mode"),
    }
    frame.find("notes")
    if idx["name"] is None or idx["date"] is None:
        raise UnreadableFile(ctx.file, "a NordBord/ForceFrame sheet needs `Name` and `Date` columns")
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

@dataclass
class AsymmetryColumn:
    """An asymmetry column without a usable side: the side comes from its left/right pair."""

    index: int
    metric: str
    left: int | None  # column of the left value the asymmetry compares
    right: int | None


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


def asymmetry_rows(frame: Frame, out: SheetRead, ctx: ReadContext, base: pd.DataFrame, ok: pd.Series,
                   col: AsymmetryColumn, decimal_comma: bool = False) -> pd.DataFrame:
    """`tests` rows of one asymmetry column: magnitude, side from the cell (`9.7 L`) or else from
    the larger of its left/right pair, 'both' when they are equal or one is missing."""
    raw = frame.col(col.index)
    values, cell_sides, bad = parse_asymmetry(raw)
    reject_rows(out, ctx, frame, bad & ok, frame.header(col.index), raw,
                "not a number: value rejected, rest of the row kept")
    side = cell_sides.fillna(larger_side(frame, col.left, col.right, decimal_comma))
    keep = ok & values.notna() & ~bad
    if not keep.any():
        return pd.DataFrame()
    part = base.loc[keep].copy()
    part["metric"] = col.metric
    part["side"] = side[keep].to_numpy()
    part["value"] = values[keep].to_numpy()
    part["unit"] = METRICS[col.metric]
    part["source_row"] = np.asarray(frame.rows)[keep.to_numpy()]
    return part


def larger_side(frame: Frame, left: int | None, right: int | None, decimal_comma: bool = False) -> pd.Series:
    """'left', 'right' or 'both' per row: the side whose value is larger."""
    if left is None or right is None:
        return pd.Series(["both"] * len(frame), dtype="string")
    lv, _ = parse_numbers(frame.col(left), decimal_comma)
    rv, _ = parse_numbers(frame.col(right), decimal_comma)
    side = np.where(lv > rv, "left", np.where(rv > lv, "right", "both"))
    return pd.Series(side, dtype="string")


# ------------------------------------------------------------------------ shared row helpers

def text_column(frame: Frame, index: int | None) -> pd.Series:
    """A column as stripped strings, blank cells as NA (all NA when the column is absent)."""
    if index is None:
        return pd.Series([pd.NA] * len(frame), dtype="string")
    return frame.col(index).astype("string").str.strip().replace("", pd.NA)


_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp]\.?[Mm]\.?)?\s*$")


def minutes_of_day(values: pd.Series) -> pd.Series:
    """Minutes after midnight of `1:48 PM`, `13:48`, `10:32:15 AM` or time cells; NaN when unreadable."""
    out: list[float] = []
    for v in values.tolist():
        if isinstance(v, dt.datetime):
            out.append(v.hour * 60 + v.minute + v.second / 60)
            continue
        if isinstance(v, dt.time):
            out.append(v.hour * 60 + v.minute + v.second / 60)
            continue
        m = _TIME.match(str(v)) if v is not None else None
        if not m:
            out.append(np.nan)
            continue
        hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if m.group(4):
            hour = hour % 12 + (12 if m.group(4).lower().startswith("p") else 0)
        out.append(hour * 60 + minute + second / 60)
    return pd.Series(out, index=values.index, dtype="float64")


def number_trials(base: pd.DataFrame, order: pd.Series, ok: pd.Series) -> pd.Series:
    """Trial 1..n per athlete, date and test among accepted rows, in the order performed
    (`order`, e.g. minutes of the day, then the row for ties or unknown times)."""
    work = pd.DataFrame({
        "athlete": base["athlete_name"].astype("string").to_numpy(),
        "date": base["date"].to_numpy(), "test": base["test"].astype("string").to_numpy(),
        "order": order.to_numpy(dtype="float64"), "row": np.arange(len(base)),
    })[ok.to_numpy(dtype=bool)]
    work = work.sort_values(["order", "row"], na_position="last")
    trial = work.groupby(["athlete", "date", "test"], dropna=False).cumcount().add(1)
    return pd.Series(trial.reindex(range(len(base))).to_numpy(), index=base.index).astype("Int64")


def concat_parts(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The non-empty parts as one frame (empty when there are none)."""
    filled = [p for p in parts if len(p)]
    return pd.concat(filled, ignore_index=True) if filled else pd.DataFrame()


def account_for_rows(out: SheetRead, frame: Frame) -> None:
    """List accepted rows that produced no value (every metric cell blank) as skipped, so that every
    data row is accepted, rejected or skipped."""
    tests = out.tables.get("tests")
    produced = set(tests["source_row"].tolist()) if tests is not None and len(tests) else set()
    rejected = {p.row for p in out.rejects if p.row is not None}
    for row in frame.rows:
        if row not in produced and row not in rejected and row not in out.skipped_rows:
            out.skipped_rows[row] = "no metric value in this row (every metric cell is blank)"
