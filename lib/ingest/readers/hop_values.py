"""A hop sheet's values: trials to canonical units (cm, s), dominant side resolved, implausible values flagged."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.schema import METRICS
from lib.ingest.normalize import infer_length_unit, infer_time_unit, is_non_finite, parse_numbers, unit_factor
from lib.ingest.readers.base import Frame, Problem, ReadContext, SheetRead
from lib.ingest.readers.hop_words import DEVICE, FOUL_PROBLEM, FOULS, METRIC_OF, OTHER, PLAUSIBLE, TYPICAL_CM, _Cell, blank


def _finish(frame: Frame, cells: list[_Cell], out: SheetRead, ctx: ReadContext) -> pd.DataFrame:
    """Numbers, limbs and units of every cell; bad cells rejected one by one."""
    if not cells:
        return pd.DataFrame()
    df = pd.DataFrame([c.__dict__ for c in cells])
    df["source_row"] = [frame.rows[p] for p in df["pos"]]
    values, bad = parse_numbers(df["raw"], ctx.decimal_comma)
    problem = df["problem"].astype(object).to_numpy().copy()
    infinite = df["raw"].map(is_non_finite).to_numpy(dtype=bool)
    problem[(problem == "") & bad.to_numpy() & infinite] = "not a finite number (infinity or NaN): this trial rejected, the others kept"
    fouls = df["raw"].map(lambda v: isinstance(v, str) and " ".join(v.lower().replace(".", " ").split()) in FOULS).to_numpy(dtype=bool)
    for i in np.flatnonzero((problem == "") & bad.to_numpy() & fouls):
        problem[i] = FOUL_PROBLEM.format(raw=str(df["raw"].iloc[i]).strip())
    problem[(problem == "") & bad.to_numpy()] = "not a number (DNF, X, -): this trial rejected, the others kept"
    problem[(problem == "") & (values < 0).to_numpy()] = "negative value"
    sides, side_problem = _resolve_dominant(df)
    problem[(problem == "") & (side_problem != "")] = side_problem[(problem == "") & (side_problem != "")]
    df = df.assign(value=values.to_numpy(), side=sides, problem=problem)
    df = _apply_units(df, out)
    for rec in df[df["problem"] != ""].to_dict("records"):
        out.rejects.append(Problem(ctx.file, ctx.sheet, int(rec["source_row"]), rec["column"], _text(rec["raw"]),
                                   rec["problem"]))
    good = df[(df["problem"] == "") & df["value"].notna()]
    _warn_implausible(good, out)
    if good["side"].isin(["involved", "uninvolved"]).any():
        out.assumptions.append("involved/uninvolved limb labels kept relative: mapped to left/right on import "
                               "from the injured-side column or the injury on record")
    return pd.DataFrame({
        "athlete_name": good["athlete_name"].astype("string"),
        "athlete_ref": good["athlete_ref"].astype("string"),
        "date": pd.to_datetime(good["date"]).astype("datetime64[s]"),
        "test": good["test"], "metric": good["test"].map(METRIC_OF),
        "side": good["side"], "trial": good["trial"].astype("Int64"),
        "value": good["value"].astype("Float64"), "unit": good["test"].map(METRIC_OF).map(METRICS),
        "device": DEVICE, "source_row": good["source_row"].astype("Int64"),
        "injured_side": good["injured_side"].astype("string"),
    }).reset_index(drop=True)


def _resolve_dominant(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """D/ND labels to left/right with the dominant-leg column; (limbs, problems)."""
    sides = df["side"].astype(object).to_numpy().copy()
    problems = np.array([""] * len(df), dtype=object)
    for i, (side, dom) in enumerate(zip(df["side"].tolist(), df["dominant"].tolist())):
        if side not in ("dominant", "non_dominant"):
            continue
        if blank(dom) or pd.isna(dom):
            problems[i] = ("dominant/non-dominant limb label but no dominant leg on the sheet: add a "
                           "'Dominant leg' column (L/R) or label the limbs L/R")
        else:
            sides[i] = dom if side == "dominant" else OTHER[dom]
    return sides, problems


def _apply_units(df: pd.DataFrame, out: SheetRead) -> pd.DataFrame:
    """Values in the canonical unit of their metric; missing units inferred per test and stated."""
    units = df["unit"].astype(object).to_numpy().copy()
    ok = (df["problem"] == "").to_numpy()
    for test in sorted({t for t in df["test"].dropna()}):
        need = ok & (df["test"] == test).to_numpy() & pd.isna(units)
        if not need.any():
            continue
        values = df.loc[need, "value"]
        if METRIC_OF[test] == "time":
            unit = infer_time_unit(values)
        else:
            unit = infer_length_unit(values, TYPICAL_CM[test])
        median = float(values.dropna().median()) if values.notna().any() else float("nan")
        out.assumptions.append(f"{test}: no unit on the sheet, values read as {unit} (median {median:g})")
        units[need] = unit
    factors = np.ones(len(df))
    problems = df["problem"].to_numpy().copy()
    notes = set()
    for i, (test, unit) in enumerate(zip(df["test"].tolist(), units.tolist())):
        if test is None or unit is None or problems[i]:
            continue
        canonical = METRICS[METRIC_OF[test]]
        try:
            factors[i] = unit_factor(unit, canonical)
        except KeyError:
            problems[i] = f"unit {unit} cannot be converted to {canonical}"
            continue
        if unit != canonical:
            notes.add(f"{test}: converted from {unit} to {canonical} (x {factors[i]:g})")
    out.assumptions += sorted(notes)
    return df.assign(value=df["value"].to_numpy() * factors, problem=problems)


def _warn_implausible(good: pd.DataFrame, out: SheetRead) -> None:
    for test, values in good.groupby("test")["value"]:
        lo, hi = PLAUSIBLE[str(test)]
        median = float(values.median())
        if not lo <= median <= hi:
            unit = METRICS[METRIC_OF[str(test)]]
            out.assumptions.append(f"{test}: median {median:g} {unit} is outside the usual {lo:g}-{hi:g} {unit}: "
                                   "check the unit in the header")


def _text(value: object) -> str:
    return "" if blank(value) else str(value)


def _id_text(value: object) -> str:
    """An id cell as text: 12.0 -> '12'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
