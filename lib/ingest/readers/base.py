"""What every reader shares: header detection, column lookup by alias, the result of a read,
and the wide-to-long mapping of metric columns onto the canonical `tests` table.

A reader module exposes `NAME`, `LABEL`, `detect(sheet) -> Detection | None` and
`read(sheet, detection, ctx) -> SheetRead`. Readers name athletes (`athlete_name`, optionally
`athlete_ref` for a vendor id and `injured_side`); the importer resolves them to `athlete_id`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

from lib.ingest.normalize import (
    MISSING_TOKENS, NON_FINITE_PROBLEM, ParsedDates, clean_name, date_range_problem, is_implausible_date, is_non_finite, parse_asymmetry, parse_dates, parse_numbers, split_header, unit_factor,
)
from lib.core.errors import ReturnToSpeedError
from lib.core.schema import METRICS
from lib.ingest.sources import Sheet
from lib.ingest.readers.sheet_read import Detection, DuplicateHeader, Problem, ReadContext, SheetRead, column_letter

SCAN_ROWS = 40

# Loose header key -> how surely the column names the athlete (the highest wins). Platforms name it
# differently: Smartabase `About`, STATSports `Player Display Name`, VALD `Name`, Catapult `Player
# Name`, hand sheets `Athlete`; `Name (Last, First)` says its values are written `Last, First`.
ATHLETE_KEYS: dict[str, int] = {
    "athlete name": 10, "player name": 10, "athlete full name": 10, "player full name": 10,
    "player display name": 10, "athlete display name": 10, "display name": 9, "full name": 9,
    "name last first": 9, "athlete last first": 9, "player last first": 9, "last first": 8,
    "athlete": 8, "player": 8, "name": 7, "about": 6,
}
FIRST_NAME_KEYS = ("first name", "firstname", "given name", "forename", "athlete first name", "player first name")
LAST_NAME_KEYS = ("last name", "lastname", "surname", "family name", "athlete last name", "player last name")
# Smartabase (Teamworks AMS) event columns that are bookkeeping, not data: read by no reader, and not
# listed as unknown (`Date`, `About` and `Start Time` are read). Source: the event CSV shape that
# github.com/nbetts2020/vald-to-smartabase writes for upload (`Date`, `About`, `by`, ..., `event-uuid`,
# `group-uuid`) and the `Finish Time`/`Entered By` columns of the web export.
SMARTABASE_BOOKKEEPING = ("finish time", "end time", "entered by", "by", "event uuid", "group uuid", "event id",
                          "user id", "form", "form name")
# a required-header group in `detect_by_headers` that any athlete column(s) satisfy
ATHLETE = frozenset({"<athlete>"})


def _blank_rows(values: np.ndarray) -> np.ndarray:
    """`pd.isna(values).all(axis=1)`, column by column on the rows still blank: a row with a value in
    its first column (almost every data row) is looked at once, not across the whole width."""
    blank = np.arange(len(values))  # rows blank in every column looked at so far
    for j in range(values.shape[1]):
        if not len(blank):
            break
        blank = blank[pd.isna(values[blank, j])]
    out = np.zeros(len(values), dtype=bool)
    out[blank] = True
    return out


class Frame:
    """The data rows of a sheet under its header row, with columns found by loose key.

    Two columns under the same header (same words and unit) are never silently one or the other:
    when they hold the same values the first is read and the sheet's report says so; when they
    differ neither is read, the report names both, and a reader that needs that header gets
    `DuplicateHeader` (the sheet is then skipped with that message).
    """

    def __init__(self, sheet: Sheet, header_row: int, header_rows: int = 1, duplicates: bool = True) -> None:
        cells = sheet.cells
        header = cells.iloc[header_row].tolist()
        self.headers: list[str] = [("" if h is None else str(h)) for h in header]
        body = cells.iloc[header_row + header_rows:]
        body = body[~_blank_rows(body.to_numpy())]
        self.rows: list[int] = (body.index.to_numpy(dtype=np.int64) + 1).tolist()
        self.data = body.reset_index(drop=True)
        self.data.columns = range(len(self.headers))
        self.keys = [split_header(h) for h in self.headers]
        self.used: set[int] = set()
        self.sheet = sheet
        self.conflicts: dict[str, str] = {}  # loose key -> why neither of its columns is read
        self.withheld: dict[int, str] = {}  # column -> header of a column not read for its differing twin
        if duplicates:  # False for a layout whose header row repeats by design (L R L R under dates)
            self.check_duplicates()

    def check_duplicates(self) -> None:
        """Columns under the same header (words and unit): the copies of identical ones are hidden,
        and both of two that differ, each case noted on the sheet; a reader that asks for a header
        whose columns differ (`find`) gets DuplicateHeader. Called again after headers change."""
        groups: dict[tuple[str, str | None], list[int]] = {}
        for i, key in enumerate(self.keys):
            if self.headers[i].strip() and key[0]:
                groups.setdefault(key, []).append(i)
        for key, cols in groups.items():
            if len(cols) < 2:
                continue
            first = self._cells(cols[0])
            same = all(self._cells(c) == first for c in cols[1:])
            where = " and ".join(column_letter(c) for c in cols)
            header = self.header(cols[0])
            if same:
                note = f"the header '{header}' heads columns {where} with the same values: read once"
            else:
                note = (f"the header '{header}' heads columns {where}, which hold different values: neither was "
                        "read (rename or remove one and upload again)")
                self.conflicts[key[0]] = note
            for c in cols[1:] if same else cols:
                if not same:
                    self.withheld[c] = self.headers[c].strip()
                self.headers[c] = ""
                self.keys[c] = ("", None)
            if note not in self.sheet.remarks:
                self.sheet.remarks.append(note)

    def _cells(self, index: int) -> list[object]:
        column = self.data[index].astype(object)
        return column.where(column.notna(), None).tolist()

    def __len__(self) -> int:
        return len(self.data)

    def find(self, *aliases: str, used: bool = True) -> int | None:
        """Index of the first column whose loose key equals one of `aliases`."""
        for alias in aliases:
            if alias in self.conflicts:
                raise DuplicateHeader(self.conflicts[alias])
            for i, (key, _unit) in enumerate(self.keys):
                if key == alias and self.headers[i]:
                    if used:
                        self.used.add(i)
                    return i
        return None

    def find_all(self, predicate: Callable[[str], bool]) -> list[int]:
        return [i for i, (key, _u) in enumerate(self.keys) if self.headers[i] and predicate(key)]

    def col(self, index: int) -> pd.Series:
        if index is None:  # a reader found no column for a header it needs: say why, never KeyError
            self.missing()
        return self.data[index]

    def missing(self) -> None:
        """Raise the reason a needed column is not there: a duplicate header when there is one."""
        if self.conflicts:
            raise DuplicateHeader("; ".join(self.conflicts.values()))
        raise ReturnToSpeedError("a column this format needs is missing")

    def unit(self, index: int) -> str | None:
        return self.keys[index][1]

    def header(self, index: int) -> str:
        return self.headers[index].strip()

    def unknown(self, ignore: Iterable[str] = ()) -> list[str]:
        """Headers of the columns not read, in sheet order: neither used nor in `ignore`, and the
        columns withheld because a twin under the same header holds different values (one entry a
        column, so that their count is the count of columns not read)."""
        skip = set(ignore)
        out = [(i, self.header(i)) for i, (k, _u) in enumerate(self.keys)
               if i not in self.used and self.headers[i].strip() and k not in skip]
        out += [(i, h) for i, h in self.withheld.items() if i not in self.used]
        return [h for _i, h in sorted(out)]


@dataclass
class AthleteColumns:
    """Where a sheet names its athletes: one name column, optionally joined with a last-name column."""

    name: int  # the full-name (or first-name) column
    last: int | None = None  # a last-name column joined after it
    last_first: bool = False  # the header says values are `Last, First`
    score: int = 0
    notes: list[str] = field(default_factory=list)


def athlete_columns(keys: list[str], headers: list[str] | None = None) -> AthleteColumns | None:
    """The columns that name the athlete, by the scored vocabulary `ATHLETE_KEYS`, or split first and
    last name columns; None when the header has neither. `keys` are loose keys ("" = unnamed)."""
    shown = headers if headers is not None else keys
    scored = sorted(((ATHLETE_KEYS[k], i) for i, k in enumerate(keys) if k in ATHLETE_KEYS),
                    key=lambda t: (-t[0], t[1]))
    first = next((i for i, k in enumerate(keys) if k in FIRST_NAME_KEYS), None)
    last = next((i for i, k in enumerate(keys) if k in LAST_NAME_KEYS), None)
    if not scored:
        if first is None or last is None:
            return None
        return AthleteColumns(first, last, score=9, notes=[
            f"athlete names: '{str(shown[first]).strip()}' and '{str(shown[last]).strip()}' joined into one name"])
    score, index = scored[0]
    found = AthleteColumns(index, last if last is not None and last != index else None,
                           last_first=keys[index].endswith("last first"), score=score)
    others = [str(shown[i]).strip() for _s, i in scored[1:] if _s == score]
    if others:
        found.notes.append(f"athlete names read from '{str(shown[index]).strip()}' (the first of the columns that "
                           f"could name the athlete; not read: {', '.join(repr(o) for o in others)})")
    return found


def detect_by_headers(
    sheet: Sheet, reader: str, required: list[set[str]], hints: Iterable[str] = (),
    forbidden: Iterable[str] = (),
) -> Detection | None:
    """Find the header row holding one key from each `required` set (`ATHLETE`: any athlete column,
    see `athlete_columns`); score = matches + hints."""
    hint_set, forbid = set(hints), set(forbidden)
    best: Detection | None = None
    head = sheet.cells.iloc[:SCAN_ROWS].to_numpy(dtype=object)
    for r in range(len(head)):
        row_keys = [split_header(v)[0] if isinstance(v, str) else "" for v in head[r]]
        keys = {k for k, v in zip(row_keys, head[r]) if isinstance(v, str)}
        if not keys or keys & forbid:
            continue
        athlete = None
        if any(group is ATHLETE for group in required):
            athlete = athlete_columns(row_keys)
            if athlete is None:
                continue
        if all(group is ATHLETE or keys & group for group in required):
            score = len(required) * 2 + len(keys & hint_set)
            if best is None or score > best.score:
                best = Detection(reader, float(score), r)
    return best


def names_column(frame: Frame, read: SheetRead, ctx: ReadContext, index: int | None,
                 last_index: int | None = None) -> tuple[pd.Series, pd.Series]:
    """(cleaned names, missing mask) from a name column, optionally joined with a last-name column."""
    raw = frame.col(index) if index is not None else pd.Series([None] * len(frame))
    if last_index is not None:
        last = frame.col(last_index)
        raw = pd.Series([_join_names(a, b) for a, b in zip(raw.tolist(), last.tolist())])
    codes, uniques = pd.factorize(raw.astype(object), use_na_sentinel=True)
    cleaned = [clean_name(v) for v in uniques] + [""]  # code -1 (missing) takes the trailing ""
    # each distinct name cleaned and judged once, spread over the rows by Arrow (no text per row)
    spread = pa.array(cleaned, type=pa.string()).take(pa.array(np.where(codes < 0, len(cleaned) - 1, codes)))
    names = pd.Series(pd.arrays.ArrowStringArray(spread), dtype="string")
    blank = np.array([not c or c.lower() in ("nan", "none") for c in cleaned], dtype=bool)
    return names, pd.Series(blank[codes], dtype=bool)


def athlete_index(frame: Frame) -> int | None:
    """The column `athlete_names` reads the athlete from (the first of a first/last pair), or None."""
    found = athlete_columns([k for k, _u in frame.keys], frame.headers)
    return None if found is None else found.name


def athlete_names(frame: Frame, read: SheetRead, ctx: ReadContext,
                  skip: pd.Series | None = None) -> tuple[pd.Series, pd.Series, str]:
    """(cleaned names, rows rejected for their name, the header cited) from the sheet's athlete
    columns (`athlete_columns`); every such row is listed as rejected here. A blank name is "no
    athlete name"; in a `Last, First` column a name of several words without a comma, or with more
    than one comma, is rejected too: which part is the first name cannot be told. Rows in `skip`
    (already listed as skipped, such as excluded trials) are not rejected again."""
    found = athlete_columns([k for k, _u in frame.keys], frame.headers)
    if found is None:
        frame.missing()
    frame.used.add(found.name)
    if found.last is not None:
        frame.used.add(found.last)
    read.assumptions += [n for n in found.notes if n not in read.assumptions]
    names, missing = names_column(frame, read, ctx, found.name, found.last)
    header = frame.header(found.name)
    listed = pd.Series(False, index=missing.index) if skip is None else pd.Series(skip.to_numpy(dtype=bool), index=missing.index)
    reject_rows(read, ctx, frame, missing & ~listed, header, None, "no athlete name")
    if found.last_first:
        raw = frame.col(found.name).astype("string").str.strip()
        commas = raw.str.count(",").fillna(0)
        several_words = raw.str.contains(r"\S\s+\S", regex=True).fillna(False).astype(bool)
        unclear = ~missing & ~listed & ((commas > 1) | (commas.eq(0) & several_words))
        reject_rows(read, ctx, frame, unclear, header, frame.col(found.name),
                    "name not written 'Last, First' as the header says: which part is the first name is unclear")
        missing = missing | unclear
    return names, missing, header


def _join_names(first: object, last: object) -> object:
    if first is None:
        return last
    if last is None or str(last).strip().lower() in str(first).strip().lower():
        return first
    return f"{first} {last}"


def dates_column(frame: Frame, read: SheetRead, ctx: ReadContext, index: int,
                 default_order: str = "dmy") -> ParsedDates:
    """Parsed dates of a column, the order decision noted as an assumption."""
    parsed = parse_dates(frame.col(index), ctx.date_order, default_order, tz=ctx.time_zone)
    if parsed.note:
        read.assumptions.append(f"'{frame.header(index)}': {parsed.note}")
    if ctx.time_zone != "UTC" and _has_instants(frame.col(index)):
        note = (f"'{frame.header(index)}' holds UTC date-times (Z, an offset or Unix time): each is dated in the "
                f"club's time zone {ctx.time_zone}")
        if note not in read.assumptions:
            read.assumptions.append(note)
    return parsed


def _has_instants(values: pd.Series) -> bool:
    """True when a column holds date-times that name their zone (`...Z`, `+02:00`) or Unix time."""
    from lib.ingest.dates import _AWARE
    sample = values.dropna().head(50).tolist()
    return any((isinstance(v, str) and bool(_AWARE.search(v.strip())))
               or (isinstance(v, (int, float)) and not isinstance(v, bool) and 6.3e8 <= float(v) <= 4.1e12)
               for v in sample)


def reject_rows(read: SheetRead, ctx: ReadContext, frame: Frame, mask: pd.Series, column: str,
                values: pd.Series | None, problem: str) -> None:
    """List every row in `mask` as rejected with the same reason (an infinity or NaN, or a date
    outside the plausible range, says so instead)."""
    for pos in np.flatnonzero(mask.to_numpy()):
        raw = None if values is None else values.iloc[pos]
        if "date" in problem and is_implausible_date(raw):
            why = date_range_problem()
        else:
            why = NON_FINITE_PROBLEM if is_non_finite(raw) else problem
        read.rejects.append(Problem(ctx.file, ctx.sheet, frame.rows[pos], column, _text(raw), why))


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


@dataclass
class MetricColumn:
    """A source column that holds one canonical metric for one side."""

    index: int
    test: str | None  # None: take the row's test
    metric: str
    side: str  # left, right, both, or "asym" for `9.7 L` cells
    unit: str | None  # unit of the source values; None = already canonical


def melt_metrics(
    frame: Frame, read: SheetRead, ctx: ReadContext, base: pd.DataFrame, ok: pd.Series,
    columns: list[MetricColumn], decimal_comma: bool = False,
) -> pd.DataFrame:
    """Long `tests` rows from wide metric columns.

    `base` holds per-row athlete_name, date, test, trial, device (and anything else to keep);
    `ok` marks rows that passed identity checks. Text in a numeric cell rejects that cell only.
    """
    parts: list[pd.DataFrame] = []
    for mc in columns:
        raw = frame.col(mc.index)
        header = frame.header(mc.index)
        canonical = METRICS[mc.metric]
        if mc.side == "asym":
            values, sides, bad = parse_asymmetry(raw)
            side = sides.fillna("both")
        else:
            values, bad = parse_numbers(raw, decimal_comma)
            side = pd.Series([mc.side] * len(raw), dtype="string")
            if mc.unit and mc.unit != canonical:
                try:
                    values = values * unit_factor(mc.unit, canonical)
                except KeyError:
                    read.rejects.append(Problem(ctx.file, ctx.sheet, None, header, mc.unit,
                                                f"unit {mc.unit} cannot be converted to {canonical}"))
                    continue
        reject_rows(read, ctx, frame, bad & ok, header, raw, "not a number: value rejected, rest of the row kept")
        keep = ok & values.notna() & ~bad
        if not keep.any():
            continue
        part = base.loc[keep].copy()
        part["metric"] = mc.metric
        if mc.test is not None:
            part["test"] = mc.test
        part["side"] = side[keep].to_numpy()
        part["value"] = values[keep].to_numpy()
        part["unit"] = canonical
        part["source_row"] = np.asarray(frame.rows)[keep.to_numpy()]
        parts.append(part)
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


def missing_token(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in MISSING_TOKENS)
