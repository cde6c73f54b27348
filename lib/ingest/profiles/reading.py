"""Reading a sheet with a profile, through the readers' own normalizer (lib.ingest.readers.base,
normalize, the GPS and wellness helpers, and `read_sheet`'s checks): every data row is accepted,
rejected with its reason or listed as skipped, exactly as for a built-in reader. Also where the
profile's header is in a sheet (`header_row`) and why a profile does not fit one (`mismatch`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.ingest.normalize import header_key
from lib.ingest.profiles.model import DIRECTIONS, GPS_FIELDS, ColumnMap, Profile, ProfileError, scale_range
from lib.ingest.profiles.signature import _row_keys, row_signatures
from lib.ingest.readers import read_sheet
from lib.ingest.readers import gps
from lib.ingest.readers.base import (
    SCAN_ROWS, Detection, Frame, MetricColumn, ReadContext, SheetRead, dates_column, melt_metrics, names_column,
    reject_rows,
)
from lib.ingest.readers.forceplate import clock_text, minutes_of_day
from lib.ingest.readers.hop_words import lr_side
from lib.ingest.readers.wellness_scales import convert
from lib.ingest.sources import Sheet


def header_row(sheet: Sheet, profile: Profile, exact: bool = True) -> int | None:
    """The 0-based row where the sheet's header is: the first whose signature is the profile's
    (`exact`), else the first holding every column the profile imports; None when there is none."""
    if exact:
        return next((r for r, s in enumerate(row_signatures(sheet)) if s == profile.signature), None)
    wanted = {header_key(c.header) for c in profile.columns if c.kind != "ignore"}
    for r in range(min(SCAN_ROWS, len(sheet.cells))):
        if wanted <= set(_row_keys(sheet, r)):
            return r
    return None


def mismatch(sheet: Sheet, profile: Profile) -> str:
    """Why `profile` does not read `sheet`: the columns it imports that the sheet's likeliest header lacks."""
    wanted = {header_key(c.header): c.header for c in profile.columns if c.kind != "ignore"}
    best = max(range(min(SCAN_ROWS, len(sheet.cells))), key=lambda r: len(set(wanted) & set(_row_keys(sheet, r))),
               default=None)
    have = set(_row_keys(sheet, best)) if best is not None else set()
    missing = [h for k, h in wanted.items() if k not in have]
    return (f"format profile '{profile.name}' does not fit this sheet: it has no column "
            + ", ".join(f"'{h}'" for h in missing))


# ---------------------------------------------------------------------------------- reading


class ProfileReader:
    """A profile as a reader (`NAME`, `LABEL`, `read`), so that `read_sheet` gives it every check
    it gives the built-in readers."""

    NAME = "profile"

    def __init__(self, profile: Profile, line: str = "") -> None:
        self.profile = profile
        self.LABEL = f"format profile '{profile.name}'"
        self.line = line or self.LABEL

    def read(self, sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
        if detection.header_row < 0:
            raise ProfileError(str(detection.info.get("why", mismatch(sheet, self.profile))))
        return read_with(self.profile, sheet, detection.header_row, ctx, self.line)


def apply(profile: Profile, sheet: Sheet, ctx: ReadContext | None = None, exact: bool = False,
          row: int | None = None) -> SheetRead:
    """The canonical rows `profile` reads from `sheet` (its header at 0-based `row`, else found:
    `header_row`), with every rejected cell and skipped row: the same checks as a built-in
    reader's read (`read_sheet`). ProfileError when it does not fit."""
    ctx = ctx or ReadContext(sheet.file, sheet.name)
    row = header_row(sheet, profile, exact) if row is None else row
    if row is None:
        raise ProfileError(mismatch(sheet, profile))
    return read_sheet(ProfileReader(profile), sheet, Detection("profile", 100.0, row), ctx)  # type: ignore[arg-type]


def read_with(profile: Profile, sheet: Sheet, row: int, ctx: ReadContext, line: str = "") -> SheetRead:
    """Read `sheet` below its header row `row` with `profile` (see `apply`)."""
    frame = Frame(sheet, row)
    out = SheetRead(f"format profile '{profile.name}'")
    out.data_rows = list(frame.rows)
    out.assumptions.append(f"read with the club's {line or out.format}, not a built-in reader")
    if profile.date_order != "auto":
        ctx = dataclasses.replace(ctx, date_order=profile.date_order)
    where = _columns(frame, profile)
    ident = _identity(frame, profile, where, out, ctx)
    parts = {"tests": _tests(frame, profile, where, ident, out, ctx),
             "sessions": _sessions(frame, profile, where, ident, out, ctx),
             "wellness": _wellness(frame, profile, where, ident, out, ctx)}
    out.tables = {t: df for t, df in parts.items() if df is not None and len(df)}
    _account_for_rows(out, frame, ident.ok)
    out.unknown_columns = frame.unknown()
    return out


def _columns(frame: Frame, profile: Profile) -> dict[str, int]:
    """Header (as the profile writes it) -> the frame's column index, for every column it reads."""
    index = {header_key(h): i for i, h in enumerate(frame.headers) if h.strip()}
    where: dict[str, int] = {}
    for c in profile.columns:
        i = index.get(header_key(c.header))
        if i is not None:
            where[c.header] = i
            frame.used.add(i)  # an ignored column is read as nothing, on purpose: never "unknown"
        elif c.kind != "ignore":
            if frame.conflicts:  # two columns under this header that differ: that is the reason
                frame.missing()
            raise ProfileError(f"format profile '{profile.name}' reads a column '{c.header}' that this sheet "
                               "does not have")
    return where


@dataclass
class _Identity:
    names: pd.Series
    refs: pd.Series
    dates: pd.Series
    minutes: pd.Series  # minutes after midnight, NaN when unknown
    ok: pd.Series  # rows with an athlete and a date
    extra: dict[str, pd.Series] = field(default_factory=dict)


def _identity(frame: Frame, p: Profile, where: dict[str, int], out: SheetRead, ctx: ReadContext) -> _Identity:
    athlete, date = p.of("athlete")[0], p.of("date")[0]
    last = p.of("last_name")[0].header if p.of("last_name") else None
    names, no_name = names_column(frame, out, ctx, where[athlete.header], where[last] if last else None)
    reject_rows(out, ctx, frame, no_name, athlete.header, None, "no athlete name")
    refs = pd.Series([None] * len(frame), dtype=object)
    if p.of("athlete_id"):
        refs = gps.text_column(frame, where[p.of("athlete_id")[0].header]).astype(object)
        refs = refs.where(refs.notna(), None)
    raw_dates = frame.col(where[date.header])
    dates = dates_column(frame, out, ctx, where[date.header])
    bad_date = ~no_name & dates.values.isna()
    reject_rows(out, ctx, frame, bad_date, date.header, raw_dates, "date missing or not a date")
    ok = ~(no_name | bad_date)
    minutes = pd.Series(np.nan, index=range(len(frame)))
    if p.of("time"):
        header = p.of("time")[0].header
        raw = frame.col(where[header])
        minutes = minutes_of_day(raw).reset_index(drop=True)
        unreadable = ok & raw.notna().reset_index(drop=True) & minutes.isna()
        reject_rows(out, ctx, frame, unreadable, header, raw,
                    "not a time of day (HH:MM): the time is left empty, rest of the row kept")
    return _Identity(names, refs, dates.values.reset_index(drop=True), minutes, ok.reset_index(drop=True))


def _tests(frame: Frame, p: Profile, where: dict[str, int], ident: _Identity, out: SheetRead,
           ctx: ReadContext) -> pd.DataFrame | None:
    columns = p.of("test")
    if not columns:
        return None
    base = pd.DataFrame({"athlete_name": ident.names, "athlete_ref": ident.refs, "date": ident.dates,
                         "device": p.device_name, "time": clock_text(ident.minutes).to_numpy()})
    ok = ident.ok
    trials = None
    if p.of("trial"):
        header = p.of("trial")[0].header
        raw = frame.col(where[header])
        values = pd.to_numeric(raw.astype(object), errors="coerce").reset_index(drop=True)
        whole = values.notna() & np.isfinite(values.astype("float64")) & values.ge(1) & values.mod(1).eq(0)
        reject_rows(out, ctx, frame, ok & ~whole, header, raw, "trial is not a whole number from 1 up")
        ok = ok & whole
        trials = values.where(whole)
    row_sides, ok_fixed = None, ok
    if p.of("side"):
        header = p.of("side")[0].header
        raw = frame.col(where[header])
        row_sides = raw.map(_side_word).astype(object).reset_index(drop=True)
        side_needed = any(c.side == "column" for c in columns)
        bad = ok & row_sides.isna() & side_needed
        reject_rows(out, ctx, frame, bad, header, raw, "side is not left, right or both (L, R, B)")
        ok_fixed = ok & ~bad  # a row rejected for its side is rejected whole
        if side_needed:
            ok = ok & row_sides.notna()

    def melt(cols: list[ColumnMap], rows: pd.Series) -> pd.DataFrame:
        specs = [MetricColumn(where[c.header], c.test, c.metric, {"cell": "asym", "column": "both"}.get(c.side, c.side),
                              c.unit or None) for c in cols]
        return melt_metrics(frame, out, ctx, base, rows, specs, ctx.decimal_comma) if specs else pd.DataFrame()

    by_row = dict(zip(frame.rows, range(len(frame))))
    fixed = melt([c for c in columns if c.side != "column"], ok_fixed)
    sided = melt([c for c in columns if c.side == "column"], ok)
    if len(sided):  # the side of the row, from its side column
        sided["side"] = row_sides.to_numpy()[sided["source_row"].map(by_row).to_numpy()]  # type: ignore[union-attr]
    tests = pd.concat([t for t in (fixed, sided) if len(t)], ignore_index=True) if len(fixed) or len(sided) else fixed
    if tests.empty:
        return tests
    positions = tests["source_row"].map(by_row).to_numpy()
    if trials is not None:
        tests["trial"] = trials.to_numpy()[positions].astype("int64")
    else:
        tests["trial"] = _trial_order(tests, ident.minutes.to_numpy()[positions])
    return tests


def _side_word(value: object) -> str | None:
    side = lr_side(value)
    if side is not None:
        return side
    text = "" if value is None else str(value).strip().lower()
    return "both" if text in ("b", "both", "bilateral", "bil", "l+r", "l/r") else None


def _trial_order(tests: pd.DataFrame, minutes: np.ndarray) -> np.ndarray:
    """Trial 1..n per athlete, date, test, metric and side in the order performed: the time of
    day when the sheet has one, then the sheet's row order."""
    work = pd.DataFrame({"a": tests["athlete_name"].astype("string").to_numpy(), "d": tests["date"].to_numpy(),
                         "t": tests["test"].to_numpy(), "m": tests["metric"].to_numpy(),
                         "s": tests["side"].astype("string").to_numpy(), "order": minutes,
                         "row": tests["source_row"].to_numpy()})
    work = work.sort_values(["order", "row"], na_position="last", kind="stable")
    trial = work.groupby(["a", "d", "t", "m", "s"], dropna=False).cumcount().add(1)
    return trial.reindex(range(len(tests))).to_numpy(dtype="int64")


def _sessions(frame: Frame, p: Profile, where: dict[str, int], ident: _Identity, out: SheetRead,
              ctx: ReadContext) -> pd.DataFrame | None:
    columns = {c.field: c for c in p.of("gps")}
    numeric = [f for f in GPS_FIELDS if GPS_FIELDS[f] and f in columns]
    if not numeric:
        return None
    ok = ident.ok
    for f in numeric:  # the profile's unit is the header's, for the GPS readers' own conversions
        c = columns[f]
        frame.keys[where[c.header]] = (frame.keys[where[c.header]][0], c.unit or None)
    at = {f: where[columns[f].header] for f in numeric}
    convert_with = {"duration_min": gps.minutes, "max_speed_ms": gps.speeds, "total_distance_m": gps.metres,
                    "hsr_distance_m": gps.metres, "sprint_distance_m": gps.metres}
    values = {f: convert_with.get(f, gps.counts)(frame, out, ctx, at[f], ok).reset_index(drop=True) for f in numeric}
    session_i = where[columns["session"].header] if "session" in columns else None
    titles = (gps.session_names(frame, out, ctx, session_i) if session_i is not None
              else pd.Series([p.name] * len(frame), dtype="string"))
    if session_i is None:
        out.assumptions.append(f"no session column: each athlete's row of a day is the session '{p.name}'")
    kinds = (gps.session_type_labels(gps.text_column(frame, where[columns["session_type"].header]))
             if "session_type" in columns else pd.Series([pd.NA] * len(frame), dtype="string"))
    measured = pd.DataFrame(values).notna().any(axis=1)
    keep = (ok & measured).to_numpy()
    rows = pd.DataFrame({"athlete_name": ident.names, "athlete_ref": ident.refs, "date": ident.dates,
                         "session": titles.reset_index(drop=True), "session_type": kinds.reset_index(drop=True),
                         **values, "device": p.device_name, "source_row": frame.rows})
    return rows[keep].reset_index(drop=True)


def _wellness(frame: Frame, p: Profile, where: dict[str, int], ident: _Identity, out: SheetRead,
              ctx: ReadContext) -> pd.DataFrame | None:
    columns = p.of("wellness")
    if not columns:
        return None
    parts = []
    rows = np.asarray(frame.rows)
    for c in columns:
        lo, hi = scale_range(c.scale)  # type: ignore[misc] - validated
        polarity = 1 if c.direction == DIRECTIONS[0] else -1
        best, worst = (hi, lo) if polarity > 0 else (lo, hi)
        hint = f"({lo:g}-{hi:g}) {worst:g} = very poor, {best:g} = very good"  # the direction, as anchors
        raw = frame.col(where[c.header]).reset_index(drop=True)
        conv = convert(c.item, polarity, c.header, hint, raw, ctx.decimal_comma)
        bad = ident.ok.to_numpy() & (conv.problems != "").to_numpy()
        for i in np.flatnonzero(bad):
            value = raw.iloc[i]
            out.rejects.append(_problem(ctx, int(rows[i]), c.header, value, str(conv.problems.iloc[i])))
        notes = [n.replace("(from the answer labels)", "(as the profile says)") for n in conv.notes]
        out.assumptions += [n for n in notes if n not in out.assumptions]
        keep = ident.ok.to_numpy() & conv.values.notna().to_numpy() & ~bad
        parts.append(pd.DataFrame({
            "athlete_name": ident.names.to_numpy()[keep], "athlete_ref": ident.refs.to_numpy()[keep],
            "date": ident.dates.to_numpy()[keep], "item": c.item, "value": conv.values.to_numpy()[keep],
            "scale": conv.scale, "source_row": rows[keep]}))
    return pd.concat(parts, ignore_index=True) if parts else None


def _problem(ctx: ReadContext, row: int, column: str, value: object, problem: str):  # noqa: ANN202 - a Problem
    from lib.ingest.readers.base import Problem

    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    return Problem(ctx.file, ctx.sheet, row, column, text, problem)


def _account_for_rows(out: SheetRead, frame: Frame, ok: pd.Series) -> None:
    """Rows with an athlete and a date that produced no value and no reject: listed as skipped."""
    produced: set[int] = set()
    for df in out.tables.values():
        produced |= set(pd.to_numeric(df["source_row"]).dropna().astype(int).tolist())
    rejected = {p.row for p in out.rejects if p.row is not None}
    for row in frame.rows:
        if row not in produced and row not in rejected:
            out.skipped_rows[row] = "no value in this row (every column the profile imports is blank)"
