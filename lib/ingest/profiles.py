"""Format profiles: a sheet shape a club taught once, read the next time with no questions.

A profile names every column of a sheet by its header and says what it is (the athlete, the date,
a test result with its test, metric and unit, a GPS field, a wellness item with its scale and
direction, or nothing to import). It is kept in the store (`format_profiles`), and written and read
as a small JSON file a club can share and diff (`profile_json`, `parse_profile`).

The header signature (`header_signature`) is the multiset of the header's non-blank cells, each
normalised as every reader normalises a header (`normalize.header_key`: case, spaces, BOM, quotes,
`[unit]` = `(unit)`). It is order-insensitive on purpose: a profile finds its columns by header,
never by position, so a column dragged elsewhere in Excel is the same shape; a column added,
removed or renamed is not (that sheet is another shape a person should look at).

When a sheet is imported, a stored profile whose signature equals one of the sheet's first rows
reads it, before any built-in reader is asked (`claim`): a club's explicit mapping of exactly this
shape wins over a built-in reader's guess, which for a sheet someone taught was at best partial
(the import report names the profile, so a profile that is no longer wanted is found and deleted).
An explicit `--profile NAME` reads any sheet that has every column the profile maps (other columns
are listed as not imported); a sheet without them is skipped, saying which are missing.

`apply` reads through the readers' own normalizer (lib.ingest.readers.base, normalize, the GPS and
wellness helpers, and `read_sheet`'s checks), so every data row is accepted, rejected with its
reason or listed as skipped, exactly as for a built-in reader. Saving or deleting a profile never
touches rows already imported: only the next upload is read with it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.core.access import require
from lib.core.errors import ReturnToSpeedError
from lib.core.schema import METRICS, TESTS, WELLNESS_ITEMS
from lib.core.units import unit_factor
from lib.ingest.normalize import UNIT_ALIASES, header_key
from lib.ingest.readers import read_sheet
from lib.ingest.readers import gps
from lib.ingest.readers.base import (
    SCAN_ROWS, Detection, Frame, MetricColumn, ReadContext, SheetRead, dates_column, melt_metrics, names_column,
    reject_rows,
)
from lib.ingest.readers.forceplate import clock_text, minutes_of_day
from lib.ingest.readers.hop_words import lr_side
from lib.ingest.readers.wellness_scales import convert
from lib.ingest.results import ImportSettings
from lib.ingest.sources import Sheet
from lib.store.tables import format_profiles

FILE_KEY = "rts_format_profile"  # the first key of a profile file, with the file layout's version
FILE_VERSION = 1
NAME_LIMIT = 80

# What a column can be: kind -> the label a person chooses from.
KINDS: dict[str, str] = {
    "athlete": "Athlete (name)",
    "last_name": "Athlete's last name (joined after the name)",
    "athlete_id": "Athlete id (roster or platform id)",
    "date": "Date",
    "time": "Time of day",
    "side": "Side (L / R) of the row",
    "trial": "Trial number",
    "test": "Test result (test, metric, unit, side)",
    "gps": "GPS field",
    "wellness": "Wellness item (scale, direction)",
    "ignore": "Ignore (not imported)",
}
ONE_EACH = ("athlete", "last_name", "athlete_id", "date", "time", "side", "trial")  # at most one column each
VALUE_KINDS = ("test", "gps", "wellness")
SIDES: dict[str, str] = {
    "left": "left", "right": "right", "both": "both (both legs)",
    "column": "from the row's side column", "cell": "in the cell (asymmetry `12.3 L`)",
}
# GPS field -> its canonical unit ("" for text, "count" for counts)
GPS_FIELDS: dict[str, str] = {
    "session": "", "session_type": "", "duration_min": "min", "total_distance_m": "m", "hsr_distance_m": "m",
    "sprint_distance_m": "m", "max_speed_ms": "m/s", "sprints": "count", "accelerations": "count",
    "decelerations": "count",
}
DIRECTIONS = ("higher is better", "higher is worse")
UNITS = tuple(sorted(set(UNIT_ALIASES.values())))
DATE_ORDERS = ("auto", "dmy", "mdy")
FIELDS = ("header", "is", "test", "metric", "unit", "side", "field", "item", "scale", "direction")
TOP_KEYS = (FILE_KEY, "name", "description", "device", "date_order", "columns")
OFFER = ("; teach it once: map its columns on the Data page (tab 'Teach a format'), or write a profile "
         "(`python -m lib formats draft FILE`, then `python -m lib formats import PROFILE`)")
_SCALE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*$")


class ProfileError(ReturnToSpeedError):
    """A profile (a file, or a mapping made on the Data page) that cannot be used: says which field."""


@dataclass(frozen=True)
class ColumnMap:
    """What one column of the sheet is. Only the fields of its kind are read (a test result's
    `test`, `metric`, `unit`, `side`; a GPS field's `field` and `unit`; a wellness item's `item`,
    `scale` and `direction`)."""

    header: str
    kind: str = "ignore"
    test: str = ""
    metric: str = ""
    unit: str = ""  # the unit of the sheet's values; converted to the canonical one
    side: str = ""
    field: str = ""
    item: str = ""
    scale: str = ""  # `1-5`
    direction: str = ""

    def as_dict(self) -> dict[str, str]:
        """The column as a profile file writes it: its header, what it is, and its kind's fields."""
        out = {"header": self.header, "is": self.kind}
        wanted = {"test": ("test", "metric", "unit", "side"), "gps": ("field", "unit"),
                  "wellness": ("item", "scale", "direction")}.get(self.kind, ())
        out.update({k: getattr(self, k) for k in wanted if getattr(self, k)})
        return out


@dataclass(frozen=True)
class Profile:
    """A named mapping of one sheet shape onto the canonical tables."""

    name: str
    columns: tuple[ColumnMap, ...]
    device: str = ""  # the device the rows name (the profile's name when empty)
    date_order: str = "auto"
    description: str = ""

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @functools.cached_property
    def signature(self) -> str:  # asked for every sheet of every import: computed once
        return header_signature(self.headers)

    @property
    def device_name(self) -> str:
        return self.device or self.name

    def of(self, kind: str) -> list[ColumnMap]:
        return [c for c in self.columns if c.kind == kind]

    def as_dict(self) -> dict[str, object]:
        return {FILE_KEY: FILE_VERSION, "name": self.name, "description": self.description,
                "device": self.device, "date_order": self.date_order,
                "columns": [c.as_dict() for c in self.columns]}


@dataclass(frozen=True)
class StoredProfile:
    """A profile as the store keeps it: which version, who saved it and when."""

    profile: Profile
    version: int
    saved_by: str = ""
    saved_at: dt.datetime | None = None

    @property
    def line(self) -> str:
        when = f" on {self.saved_at:%Y-%m-%d}" if self.saved_at else ""
        return f"format profile '{self.profile.name}' (version {self.version}, saved by {self.saved_by or '?'}{when})"


# -------------------------------------------------------------------------------- signature


def header_signature(cells: list[object]) -> str:
    """The signature of a header row: its non-blank cells normalised (`header_key`), as a multiset
    (order-insensitive), hashed: `h1:` and 16 hex digits."""
    keys = sorted(k for k in (header_key(c) for c in cells if c is not None) if k)
    return "h1:" + hashlib.sha256("\x1f".join(keys).encode("utf-8")).hexdigest()[:16]


def row_signatures(sheet: Sheet) -> list[str]:
    """The signature of each of the sheet's first `SCAN_ROWS` rows (a preamble may come first)."""
    cells = sheet.cells
    return [header_signature(cells.iloc[r].tolist()) for r in range(min(SCAN_ROWS, len(cells)))]


def _row_keys(sheet: Sheet, row: int) -> list[str]:
    return [k for k in (header_key(c) for c in sheet.cells.iloc[row].tolist() if c is not None) if k]


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


# ------------------------------------------------------------------------------ the file


def profile_json(profile: Profile) -> str:
    """The profile as its readable file: JSON, one field a line and one column a line (a diff of two
    versions shows the columns that changed)."""
    body = profile.as_dict()
    columns = body.pop("columns")
    lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in body.items()]
    cells = [f"    {json.dumps(c, ensure_ascii=False)}" for c in columns]  # type: ignore[union-attr]
    return "{\n" + "\n".join(lines) + '\n  "columns": [\n' + ",\n".join(cells) + "\n  ]\n}\n"


def parse_profile(text: str | bytes, source: str = "profile") -> Profile:
    """A profile from its file's text, validated; ProfileError naming `source` and the field otherwise."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ProfileError(f"{source}: not a format profile file (not UTF-8 text: byte {exc.start})") from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{source}: not a format profile file (JSON error at line {exc.lineno}, column "
                           f"{exc.colno}: {exc.msg})") from exc
    return profile_from_dict(raw, source)


def profile_from_dict(raw: object, source: str = "profile") -> Profile:
    """A profile from the dict of its file, validated: every problem named by its field, all at once."""
    if not isinstance(raw, dict) or raw.get(FILE_KEY) is None:
        raise ProfileError(f"{source}: not a format profile file (it must be a JSON object whose first key is "
                           f"\"{FILE_KEY}\": {FILE_VERSION})")
    problems: list[str] = []
    if raw.get(FILE_KEY) != FILE_VERSION:
        problems.append(f"{FILE_KEY}: {raw.get(FILE_KEY)!r} is not a profile layout this version reads "
                        f"(it reads {FILE_VERSION})")
    problems += [f"{k}: not a profile field (fields: {', '.join(TOP_KEYS[1:])})" for k in raw if k not in TOP_KEYS]
    texts = {k: raw.get(k, "") for k in ("name", "description", "device", "date_order")}
    for k, v in texts.items():
        if not isinstance(v, str):
            problems.append(f"{k}: must be text, not {type(v).__name__}")
            texts[k] = ""
    columns_raw = raw.get("columns")
    columns: list[ColumnMap] = []
    if not isinstance(columns_raw, list):
        problems.append("columns: must be a list of the sheet's columns ({\"header\": ..., \"is\": ...})")
    else:
        for i, c in enumerate(columns_raw):
            where = f"columns[{i}]"
            if not isinstance(c, dict):
                problems.append(f"{where}: must be an object with \"header\" and \"is\"")
                continue
            problems += [f"{where}: '{k}' is not a column field (fields: {', '.join(FIELDS)})" for k in c if k not in FIELDS]
            bad = [k for k in FIELDS if k in c and not isinstance(c[k], str)]
            problems += [f"{where}.{k}: must be text" for k in bad]
            values = {k: str(c.get(k, "")).strip() if k not in bad else "" for k in FIELDS}
            columns.append(ColumnMap(values["header"], values["is"] or "ignore", values["test"], values["metric"],
                                     values["unit"], values["side"], values["field"], values["item"],
                                     values["scale"], values["direction"]))
    profile = Profile(texts["name"].strip(), tuple(columns), texts["device"].strip(),
                      texts["date_order"].strip() or "auto", texts["description"].strip())
    problems += profile_problems(profile)
    if problems:
        raise ProfileError(f"{source}: " + "; ".join(problems))
    return profile


def profile_problems(profile: Profile) -> list[str]:
    """Everything wrong with a profile, each naming its field (`columns[2] 'L hop': metric ...`); [] when usable."""
    problems: list[str] = []
    if not profile.name:
        problems.append("name: a profile needs a name")
    elif len(profile.name) > NAME_LIMIT:
        problems.append(f"name: at most {NAME_LIMIT} characters")
    if profile.date_order not in DATE_ORDERS:
        problems.append(f"date_order: '{profile.date_order}' is not one of {', '.join(DATE_ORDERS)}")
    if not profile.columns:
        problems.append("columns: a profile lists the sheet's columns")
        return problems
    seen: dict[str, int] = {}
    for i, c in enumerate(profile.columns):
        problems += [f"{_where(i, c)}: {p}" for p in column_problems(c)]
        key = header_key(c.header)
        if key and key in seen:
            problems.append(f"{_where(i, c)}: the header is also columns[{seen[key]}]'s: two columns with one "
                            "header cannot be told apart (rename one in the sheet)")
        seen.setdefault(key, i)
    kinds = Counter(c.kind for c in profile.columns)
    for kind in ONE_EACH:
        if kinds[kind] > 1:
            problems.append(f"columns: {kinds[kind]} columns are '{kind}': choose one")
    if not kinds["athlete"]:
        problems.append("columns: no column is 'athlete' (the athlete's name)")
    if not kinds["date"]:
        problems.append("columns: no column is 'date'")
    if kinds["last_name"] and not kinds["athlete"]:
        problems.append("columns: a 'last_name' column is joined after an 'athlete' column, and there is none")
    if not any(kinds[k] for k in VALUE_KINDS):
        problems.append("columns: no column holds a value to import (a test result, a GPS field or a wellness item)")
    if any(c.kind == "test" and c.side == "column" for c in profile.columns) and not kinds["side"]:
        problems.append("columns: a test result takes its side 'from the row's side column', and no column is 'side'")
    fields = Counter(c.field for c in profile.of("gps"))
    problems += [f"columns: {n} columns are the GPS field '{f}': choose one" for f, n in fields.items() if n > 1 and f]
    items = Counter(c.item for c in profile.of("wellness"))
    problems += [f"columns: {n} columns are the wellness item '{it}': choose one" for it, n in items.items()
                 if n > 1 and it]
    return problems


def _where(i: int, c: ColumnMap) -> str:
    return f"columns[{i}]" + (f" '{c.header}'" if c.header else "")


def column_problems(c: ColumnMap) -> list[str]:
    """What is wrong with one column's mapping, by field ([] when it can be read)."""
    out: list[str] = []
    if not c.header.strip():
        out.append("header: the column's header as the sheet writes it is needed")
    if c.kind not in KINDS:
        return out + [f"is: '{c.kind}' is not a kind of column (kinds: {', '.join(KINDS)})"]
    if c.kind == "test":
        if c.test not in TESTS:
            out.append(f"test: '{c.test}' is not a test we know (tests: {', '.join(TESTS)})")
        if c.metric not in METRICS:
            out.append(f"metric: '{c.metric}' is not a metric we know (metrics: {', '.join(METRICS)})")
        elif c.unit and not _convertible(c.unit, METRICS[c.metric]):
            out.append(f"unit: {c.unit} cannot be converted to {METRICS[c.metric]}, the unit of {c.metric}"
                       f" (units that can: {', '.join(units_for(METRICS[c.metric]))})")
        if c.side not in SIDES:
            out.append(f"side: '{c.side}' is not one of {', '.join(SIDES)}")
        elif c.side == "cell" and c.metric in METRICS and METRICS[c.metric] != "%":
            out.append(f"side: 'cell' is for asymmetry cells like `12.3 L`; {c.metric} is not in %")
    elif c.kind == "gps":
        if c.field not in GPS_FIELDS:
            out.append(f"field: '{c.field}' is not a GPS field (fields: {', '.join(GPS_FIELDS)})")
        elif c.unit and not _convertible(c.unit, GPS_FIELDS[c.field]):
            out.append(f"unit: {c.unit} cannot be converted to {GPS_FIELDS[c.field] or 'text'}"
                       f" (units that can: {', '.join(units_for(GPS_FIELDS[c.field])) or 'none'})")
    elif c.kind == "wellness":
        if c.item not in WELLNESS_ITEMS:
            out.append(f"item: '{c.item}' is not a wellness item (items: {', '.join(WELLNESS_ITEMS)})")
        scale = scale_range(c.scale)
        if scale is None:
            out.append(f"scale: '{c.scale}' is not a range like 1-5 or 0-10")
        elif c.item == "rpe" and scale[1] > 10:
            out.append("scale: RPE is read on CR-10 (0-10); a Borg 6-20 column is not converted")
        if c.direction not in DIRECTIONS:
            out.append(f"direction: '{c.direction}' is not one of {', '.join(repr(d) for d in DIRECTIONS)}")
    return out


def _convertible(unit: str, canonical: str) -> bool:
    if canonical in ("", "count", "ratio"):
        return unit == canonical
    try:
        unit_factor(unit, canonical)
    except KeyError:
        return False
    return True


def units_for(canonical: str) -> list[str]:
    """The source units a value in `canonical` can be written in (the canonical one first)."""
    if canonical in ("", "count", "ratio"):
        return [canonical] if canonical else []
    return [canonical] + [u for u in UNITS if u != canonical and _convertible(u, canonical)]


def scale_range(text: str) -> tuple[float, float] | None:
    """(low, high) of a scale written `1-5`, `0 - 10`, `1 to 7`; None otherwise."""
    m = _SCALE.match(text or "")
    if not m or float(m.group(1)) >= float(m.group(2)):
        return None
    return float(m.group(1)), float(m.group(2))


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


# ---------------------------------------------------------------------------- the importer's hook


def claim(sheet: Sheet, settings: ImportSettings) -> tuple[ProfileReader, Detection] | None:
    """The profile that reads `sheet`: the one asked for by name (`settings.profile`, which claims
    every sheet: one it does not fit is skipped saying why), else a stored profile whose signature
    is one of the sheet's first rows; None to let the built-in readers detect it."""
    known: tuple[StoredProfile, ...] = settings.profiles
    forced = settings.profile
    if forced:
        chosen = next(s for s in known if s.profile.name == forced)
        row = header_row(sheet, chosen.profile, exact=False)
        info = {} if row is not None else {"why": mismatch(sheet, chosen.profile)}
        return ProfileReader(chosen.profile, chosen.line), Detection("profile", 100.0, -1 if row is None else row, info)
    if not known:
        return None
    by_signature = {s.profile.signature: s for s in known}
    for r, signature in enumerate(row_signatures(sheet)):
        if signature in by_signature:
            found = by_signature[signature]
            return ProfileReader(found.profile, found.line), Detection("profile", 100.0, r)
    return None


def for_import(engine: Engine, settings: ImportSettings) -> ImportSettings:
    """`settings` with the store's profiles (and the one asked for by name checked: ProfileError
    naming the stored ones when there is no such profile)."""
    known = tuple(stored_profiles(engine))
    forced = settings.profile
    if forced and not any(s.profile.name == forced for s in known):
        raise ProfileError(f"no format profile named '{forced}' (stored: "
                           f"{', '.join(repr(s.profile.name) for s in known) or 'none'})")
    return dataclasses.replace(settings, profiles=known)


# ----------------------------------------------------------------------------------- the store


def stored_profiles(engine: Engine | sa.Connection) -> list[StoredProfile]:
    """Every stored profile, by name."""
    query = sa.select(format_profiles).order_by(format_profiles.c.name)
    if isinstance(engine, sa.Connection):
        rows = engine.execute(query).mappings().all()
    else:
        with store.snapshot(engine) as conn:
            rows = conn.execute(query).mappings().all()
    return [StoredProfile(parse_profile(r["profile"], f"stored profile '{r['name']}'"), int(r["version"]),
                          r["saved_by"] or "", r["saved_at"]) for r in rows]


def stored_profile(engine: Engine, name: str) -> StoredProfile:
    """The stored profile called `name`; ProfileError naming the stored ones when there is none."""
    known = stored_profiles(engine)
    found = next((s for s in known if s.profile.name == name), None)
    if found is None:
        raise ProfileError(f"no format profile named '{name}' (stored: "
                           f"{', '.join(repr(s.profile.name) for s in known) or 'none'})")
    return found


def save_profile(engine: Engine, profile: Profile, who: str, role: str = "admin", replace: bool = False) -> StoredProfile:
    """Store `profile` (validated), audit-logged; a new name is version 1, `replace` raises an
    existing one's version. Refused: another profile with the same header signature (the next
    sheet of that shape could not tell them apart), or a name already taken without `replace`.
    Rows imported before are never changed: only the next upload is read with it."""
    require(role, "teach_format")
    problems = profile_problems(profile)
    if problems:
        raise ProfileError(f"format profile '{profile.name}': " + "; ".join(problems))
    text = profile_json(profile)
    with engine.begin() as conn:
        rows = conn.execute(sa.select(format_profiles.c.name, format_profiles.c.signature,
                                      format_profiles.c.version)).mappings().all()
        same_name = next((r for r in rows if r["name"].casefold() == profile.name.casefold()), None)
        same_shape = next((r for r in rows if r["signature"] == profile.signature
                           and (same_name is None or r["name"] != same_name["name"])), None)
        if same_shape is not None:
            raise ProfileError(f"format profile '{same_shape['name']}' already reads sheets of this shape (the same "
                               "headers): change that one, or delete it first")
        if same_name is not None and not replace:
            raise ProfileError(f"a format profile named '{same_name['name']}' is already stored: choose another name, "
                               "or replace it (its rows already imported stay as they are)")
        values = dict(name=profile.name, signature=profile.signature, profile=text, saved_by=who, saved_at=store.now())
        if same_name is None:
            version = 1
            conn.execute(format_profiles.insert().values(version=version, **values))
        else:
            version = int(same_name["version"]) + 1
            conn.execute(format_profiles.update().where(format_profiles.c.name == same_name["name"])
                         .values(version=version, **values))
        store.log(conn, who, "format profile saved", {"name": profile.name, "version": version, "role": role,
                                                      "signature": profile.signature, "profile": profile.as_dict()})
    return StoredProfile(profile, version, who, values["saved_at"])  # type: ignore[arg-type]


def delete_profile(engine: Engine, name: str, who: str, role: str = "admin") -> None:
    """Remove a stored profile (admins), audit-logged with its JSON; the rows it imported stay."""
    require(role, "delete_format")
    with engine.begin() as conn:
        row = conn.execute(sa.select(format_profiles).where(format_profiles.c.name == name)).mappings().first()
        if row is None:
            raise ProfileError(f"no format profile named '{name}'")
        conn.execute(format_profiles.delete().where(format_profiles.c.name == name))
        store.log(conn, who, "format profile deleted", {"name": name, "version": int(row["version"]), "role": role,
                                                        "profile": json.loads(row["profile"])})
