"""What the GPS readers share: canonical units for distances, speeds, counts and durations, and
one canonical row per athlete and session (the whole-session row, else the sum of its parts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lib.ingest.normalize import infer_speed_unit, map_distinct, parse_duration_min, parse_numbers, unit_factor
from lib.ingest.readers.base import Frame, Problem, ReadContext, SheetRead, reject_rows

SUMMED = ["duration_min", "total_distance_m", "hsr_distance_m", "sprint_distance_m", "sprints",
          "accelerations", "decelerations"]
METRICS = [*SUMMED, "max_speed_ms"]
SESSION_COLUMNS = ["athlete_name", "date", "session", "session_type", *SUMMED[:4], "max_speed_ms",
                   *SUMMED[4:], "device", "source_row"]
HSR_MS = 5.5  # canonical high-speed running threshold (19.8 km/h)
SPRINT_MS = 7.0  # canonical sprint threshold (25.2 km/h)
TOP_SPEED_MS = 12.5  # no one sprints faster (the fastest humans peak near 12.4 m/s): above is a GPS spike
NOT_A_NUMBER = "not a number: value rejected, rest of the row kept"
MATCH_LABELS = {"match", "matchday", "md", "md0", "game", "gameday", "competition"}
_UNIT_WORDS = {"yd": "yards", "km": "kilometres", "ft": "feet", "cm": "centimetres", "mph": "miles per hour",
               "km/h": "km/h", "s": "seconds", "h": "hours", "min": "minutes"}


def note(out: SheetRead, text: str) -> None:
    """Add an assumption once."""
    if text not in out.assumptions:
        out.assumptions.append(text)


def text_column(frame: Frame, index: int) -> pd.Series:
    """Cells as text with spaces collapsed and trimmed; NA where empty."""
    return map_distinct(frame.col(index), lambda v: re.sub(r"\s+", " ", str(v)).strip() or None, "string")


def identity_ok(out: SheetRead, ctx: ReadContext, frame: Frame, no_name: pd.Series, no_date: pd.Series,
                name_i: int | None, date_i: int | None) -> pd.Series:
    """Reject rows with no athlete name or no readable date; the mask of the rows left."""
    name_header = frame.header(name_i) if name_i is not None else "Player Name"
    reject_rows(out, ctx, frame, no_name, name_header, None, "no athlete name")
    bad_date = ~no_name & no_date
    date_values = frame.col(date_i) if date_i is not None else None
    date_header = frame.header(date_i) if date_i is not None else "date"
    reject_rows(out, ctx, frame, bad_date, date_header, date_values, "date missing or not a date")
    return ~(no_name | bad_date)


def session_names(frame: Frame, out: SheetRead, ctx: ReadContext, index: int | None) -> pd.Series:
    """Session titles (spaces collapsed); the file name where a title is missing, and said so."""
    stem = Path(ctx.file).stem
    if index is None:
        out.assumptions.append(f"no session name in the export: the file name '{stem}' is used")
        return pd.Series([stem] * len(frame), dtype="string")
    titles = text_column(frame, index)
    if titles.isna().any():
        out.assumptions.append(f"{int(titles.isna().sum())} rows have no `{frame.header(index)}`: "
                               f"the file name '{stem}' is used as their session")
    return titles.fillna(stem)


def session_type_labels(labels: pd.Series) -> pd.Series:
    """Vendor session types: match days become 'match', anything else is kept as written."""
    codes, uniques = pd.factorize(labels.astype("string"))  # a few distinct labels: each looked at once
    distinct = pd.Series(uniques, dtype="string")
    keys = distinct.str.lower().str.replace(r"[^a-z0-9]", "", regex=True)
    typed = distinct.mask(keys.isin(MATCH_LABELS), "match").array
    return pd.Series(typed.take(codes, allow_fill=True), index=labels.index, dtype="string")


def numbers(frame: Frame, out: SheetRead, ctx: ReadContext, index: int, check: pd.Series) -> pd.Series:
    """Floats of a column's `check` rows (NaN in the others: a session row reads only the rows its
    plan uses, the drills inside an `Entire Session` row are never parsed); text or negative cells of
    `check` rows are rejected (that cell only)."""
    raw = frame.col(index)
    values, bad = _checked_numbers(raw, check, ctx.decimal_comma)
    negative = values < 0
    reject_rows(out, ctx, frame, bad & check, frame.header(index), raw, NOT_A_NUMBER)
    reject_rows(out, ctx, frame, negative & check, frame.header(index), raw,
                "negative value: rejected, rest of the row kept")
    return values.mask(negative).reset_index(drop=True)


def _checked_numbers(raw: pd.Series, check: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
    """`parse_numbers` of the `check` rows only, spread back over the column (NaN and not rejected
    elsewhere): a cell reads the same alone as in its column (`parse_numbers` is cell by cell)."""
    at = np.flatnonzero(check.to_numpy(dtype=bool))
    if len(at) == len(raw):
        return parse_numbers(raw, decimal_comma)
    part, part_bad = parse_numbers(raw.iloc[at], decimal_comma)
    values = np.full(len(raw), np.nan)
    values[at] = part.to_numpy(dtype=float)
    bad = np.zeros(len(raw), dtype=bool)
    bad[at] = part_bad.to_numpy(dtype=bool)
    return pd.Series(values, index=raw.index), pd.Series(bad, index=raw.index)


def _empty(frame: Frame) -> pd.Series:
    return pd.Series(np.nan, index=range(len(frame)))


def _unit_problem(out: SheetRead, ctx: ReadContext, frame: Frame, index: int, unit: str, want: str) -> None:
    out.rejects.append(Problem(ctx.file, ctx.sheet, None, frame.header(index), unit,
                               f"unit {unit} cannot be converted to {want}: column not imported"))


def counts(frame: Frame, out: SheetRead, ctx: ReadContext, index: int | None, check: pd.Series) -> pd.Series:
    """A count column (sprints, accelerations); NaN when the column is absent."""
    return _empty(frame) if index is None else numbers(frame, out, ctx, index, check)


def metres(frame: Frame, out: SheetRead, ctx: ReadContext, index: int | None, check: pd.Series) -> pd.Series:
    """Distances in metres: the header's unit (`(y)`, `[km]`) converted, metres when it names none."""
    if index is None:
        return _empty(frame)
    unit = frame.unit(index) or "m"
    try:
        factor = unit_factor(unit, "m")
    except KeyError:
        _unit_problem(out, ctx, frame, index, unit, "m")
        return _empty(frame)
    if unit != "m":
        note(out, f"distances headed ({unit}) are in {_UNIT_WORDS.get(unit, unit)}: converted to metres (x {factor:g})")
    return numbers(frame, out, ctx, index, check) * factor


def _median(values: pd.Series) -> float:
    positive = values[values > 0]
    return float(positive.median()) if len(positive) else float("nan")


def speeds(frame: Frame, out: SheetRead, ctx: ReadContext, index: int | None, check: pd.Series) -> pd.Series:
    """Max speed in m/s: the header's unit, else inferred from the values; spikes above 12.5 m/s rejected."""
    if index is None:
        return _empty(frame)
    header, unit = frame.header(index), frame.unit(index)
    values = numbers(frame, out, ctx, index, check)
    seen = values[check.to_numpy()]
    stated = unit is not None
    if unit is None:
        unit = infer_speed_unit(seen)
        out.assumptions.append(f"`{header}` has no unit: its values (median {_median(seen):.2f}) are read as "
                               f"{unit}" + (", converted to m/s" if unit != "m/s" else ""))
    elif unit == "m/s" and infer_speed_unit(seen) == "km/h":
        unit, stated = "km/h", False
        out.assumptions.append(f"`{header}` says m/s but its values (median {_median(seen):.2f}) are only "
                               "possible in km/h: read as km/h, converted to m/s")
    try:
        factor = unit_factor(unit, "m/s")
    except KeyError:
        _unit_problem(out, ctx, frame, index, unit, "m/s")
        return _empty(frame)
    if stated and unit != "m/s":
        note(out, f"`{header}` in {_UNIT_WORDS.get(unit, unit)}: converted to m/s (x {factor:.5g})")
    ms = values * factor
    spike = check & (ms > TOP_SPEED_MS)
    reject_rows(out, ctx, frame, spike, header, frame.col(index),
                f"faster than {TOP_SPEED_MS} m/s ({TOP_SPEED_MS * 3.6:.0f} km/h), not a human sprint "
                "(GPS spike?): value rejected, rest of the row kept")
    return ms.mask(spike)


def minutes(frame: Frame, out: SheetRead, ctx: ReadContext, index: int | None, check: pd.Series) -> pd.Series:
    """Durations in minutes from `h:mm:ss`, time cells, or plain numbers in the header's unit."""
    if index is None:
        return _empty(frame)
    raw, header = frame.col(index), frame.header(index)
    unit = frame.unit(index)
    if unit is None:
        plain, _bad = parse_numbers(raw[check.to_numpy()], ctx.decimal_comma)
        plain = plain.dropna()
        unit = "min"
        if len(plain):
            # a session or drill is never 300 minutes long, a 5-minute drill is 300 seconds
            unit = "s" if float(plain.median()) > 300 else "min"
            out.assumptions.append(f"`{header}` holds plain numbers with no unit: read as "
                                   f"{_UNIT_WORDS[unit]} (median {float(plain.median()):g})")
    try:  # a unit that cannot be converted fails on the first numeric cell anywhere: then the whole column
        unit_factor(unit, "min")
        at = np.flatnonzero(check.to_numpy(dtype=bool))  # only the rows a session row reads (see `numbers`)
    except KeyError:
        at = np.arange(len(raw))
    try:
        part, part_bad = parse_duration_min(raw.iloc[at], unit)
    except KeyError:
        _unit_problem(out, ctx, frame, index, unit, "min")
        return _empty(frame)
    values = pd.Series(np.nan, index=range(len(raw)))
    values.iloc[at] = part.to_numpy(dtype=float)
    bad = pd.Series(False, index=raw.index)
    bad.iloc[at] = part_bad.to_numpy(dtype=bool)
    negative = values < 0
    reject_rows(out, ctx, frame, bad & check, header, raw,
                "not a duration (h:mm:ss or a number): value rejected, rest of the row kept")
    reject_rows(out, ctx, frame, negative & check, header, raw, "negative duration: rejected, rest of the row kept")
    return values.mask(negative)


@dataclass
class SessionPlan:
    """Which rows make each session row: `lead[i]` is the position of the row that row i counts
    into (its source_row), -1 when row i is not used."""

    lead: np.ndarray
    summed: list[str] = field(default_factory=list)  # sessions built by summing their parts

    @property
    def use(self) -> pd.Series:
        return pd.Series(self.lead >= 0)


def plan_sessions(out: SheetRead, frame: Frame, ident: pd.DataFrame, ok: pd.Series, whole: pd.Series,
                  part: str, whole_name: str) -> SessionPlan:
    """One row per athlete, date and session: its whole-session row, else the sum of its parts.

    Parts of a session that has a whole-session row are skipped (never counted twice); the parts
    of a session without one are summed into the first part's row and the others listed as
    skipped. Of two whole-session rows for one session the later is used, as the importer does.
    """
    lead = np.full(len(ident), -1)
    rows = np.asarray(frame.rows)
    is_whole = whole.to_numpy(dtype=bool)
    okp = np.flatnonzero(ok.to_numpy(dtype=bool))
    if not len(okp):
        return SessionPlan(lead)
    sub = ident.iloc[okp][["athlete_name", "date", "session"]]
    gid = sub.groupby(["athlete_name", "date", "session"], sort=False, dropna=False).ngroup().to_numpy()
    plan = SessionPlan(lead)
    groups = int(gid.max()) + 1
    first = np.full(groups, len(lead))
    np.minimum.at(first, gid, okp)  # each session's first row
    keep = np.full(groups, -1)
    ok_whole = is_whole[okp]
    np.maximum.at(keep, gid[ok_whole], okp[ok_whole])  # each session's last whole-session row
    has_whole = keep >= 0
    lead[okp] = np.where(has_whole[gid], -1, first[gid])
    lead[keep[has_whole]] = keep[has_whole]
    # every row not used is listed with the row it counts into: one text per session row and
    # reason (the parts of a session share it), spread over the rows, no loop per row or group
    target = np.where(has_whole[gid], keep[gid], first[gid])
    skipped = okp != target
    templates = (f"{part} summed into the session row (row {{}}): no {whole_name} row",
                 f"{part} row: already counted in the {whole_name} row (row {{}})",
                 f"another {whole_name} row for this athlete, date and session (row {{}}) is used")
    why = np.where(has_whole[gid[skipped]], np.where(is_whole[okp[skipped]], 2, 1), 0)
    into = rows[target[skipped]]
    codes, keys = pd.factorize(into * 3 + why)
    texts = np.array([templates[k % 3].format(k // 3) for k in keys.tolist()], dtype=object)
    out.skipped_rows.update(zip(rows[okp[skipped]].tolist(), texts[codes].tolist()))
    heads = ident.iloc[first[~has_whole]]
    days = pd.to_datetime(heads["date"]).dt.strftime("%Y-%m-%d")
    plan.summed = [f"{n} {d} {s}" for n, d, s in zip(heads["athlete_name"], days, heads["session"])]
    if plan.summed:
        out.assumptions.append(
            f"{len(plan.summed)} session(s) have no {whole_name} row, so their {part}s are summed (max speed: "
            f"the highest; a metric missing in any {part} is left empty), e.g. {plan.summed[0]}")
    return plan


def session_rows(ident: pd.DataFrame, metrics: dict[str, pd.Series], plan: SessionPlan, frame: Frame,
                 device: str) -> pd.DataFrame:
    """The canonical session rows of a plan: sums of the parts, the highest max speed."""
    use = plan.lead >= 0
    if not use.any():
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in SESSION_COLUMNS})
    lead = plan.lead[use]
    values = pd.DataFrame({c: metrics[c].to_numpy(dtype=float) for c in METRICS})[use].reset_index(drop=True)
    grouped = values.groupby(lead, sort=True)
    totals = grouped[SUMMED].sum().assign(max_speed_ms=grouped["max_speed_ms"].max())
    totals = totals.mask(values.isna().groupby(lead, sort=True).any())  # a gap in any part: unknown
    heads = ident.iloc[totals.index.to_numpy()].reset_index(drop=True)
    result = pd.concat([heads, totals.reset_index(drop=True)], axis=1).assign(
        device=device, source_row=np.asarray(frame.rows)[totals.index.to_numpy()])
    return result[SESSION_COLUMNS]
