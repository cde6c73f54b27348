"""Format readers. Each recognises its own sheets; the best-scoring claim wins."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np
import pandas as pd

from lib.ingest.readers import (
    catapult,
    forcedecks,
    hawkin,
    hoptests,
    kinexon,
    nordbord,
    playertek,
    polar,
    roster,
    statsports,
    template,
    wellness,
)
from lib.ingest.normalize import NON_FINITE_PROBLEM
from lib.ingest.readers.base import Detection, Problem, ReadContext, SheetRead
from lib.ingest.readers.group_header import fold_group_header, folded, group_header
from lib.core.errors import ReturnToSpeedError
from lib.core.schema import TABLES
from lib.ingest.sources import Sheet

# Order breaks ties: our own template and the roster first, then the vendor formats.
READERS: tuple[ModuleType, ...] = (
    template, roster, forcedecks, nordbord, hawkin, statsports, catapult, polar, kinexon, playertek, hoptests, wellness,
)
BY_NAME: dict[str, ModuleType] = {r.NAME: r for r in READERS}


# A trial read for ranking sees the header rows and this many rows under them: enough for every
# reader to find its columns (which it reads is decided by the header), little enough to cost nothing.
TRIAL_ROWS = 30


@dataclass(frozen=True)
class Coverage:
    """How much of a sheet one reader explains: its non-empty columns (a header or any value), how
    many of them the reader reads (identity, date, metrics, or known and set aside on purpose, such
    as Smartabase bookkeeping), and the headers of the others."""

    explained: int
    columns: int
    unread: tuple[str, ...] = ()
    refusal: str = ""  # why the reader cannot read the sheet (ReturnToSpeedError), e.g. a needed header twice

    @property
    def rank(self) -> float:
        """The ranking share: a reader that refuses the sheet for a stated reason ranks as if it read
        every column, so that its reason reaches the person instead of a reader that explains less."""
        return 1.0 if self.refusal else self.share

    @property
    def share(self) -> float:
        """Explained over non-empty columns, 0..1 (0 for a sheet with no column)."""
        return self.explained / self.columns if self.columns else 0.0

    def sentence(self, label: str) -> str:
        """`read as X (explains 9 of 11 columns; not read: a, b)`."""
        unread = f"; not read: {', '.join(self.unread)}" if self.unread else ""
        return f"read as {label} ({explains(self.columns, len(self.unread))}{unread})"


def explains(columns: int, unread: int) -> str:
    """`explains 9 of 11 columns`: the one wording of a sheet's coverage (import report, mapping step)."""
    return f"explains {max(0, columns - unread)} of {columns} column{'s' if columns != 1 else ''}"


@dataclass
class Candidate:
    """One reader's claim on a sheet: the reader, its detection (score, header row, what it saw) and,
    once asked, how much of the sheet it explains (`coverage`, a trial read of the first rows)."""

    reader: ModuleType
    detection: Detection
    sheet: Sheet | None = None
    _coverage: Coverage | None = None

    @property
    def name(self) -> str:
        return str(self.reader.NAME)

    @property
    def label(self) -> str:
        return str(self.reader.LABEL)

    @property
    def score(self) -> float:
        return float(self.detection.score)

    @property
    def coverage(self) -> Coverage:
        """The columns this reader explains, from a read of the header and the first `TRIAL_ROWS` rows."""
        if self._coverage is None:
            self._coverage = trial_coverage(self.reader, self.sheet, self.detection) if self.sheet is not None \
                else Coverage(0, 0)
        return self._coverage


def detect(sheet: Sheet) -> list[Candidate]:
    """Every reader that claims `sheet`, the best explanation first. One shared score: the share of
    the sheet's non-empty columns a reader explains (`Candidate.coverage`; a reader that refuses the
    sheet for a stated reason ranks first, so that the reason is what the person reads); ties go to the higher
    detection score (required headers 2 each, known hints 1), then to the order of `READERS` (our
    template and the roster before the vendor formats). A lone claim is not trial-read, nor are the
    others when the highest-scoring claim explains every column (it wins whatever they explain; they
    follow by detection score). Empty when no reader claims the sheet."""
    flat, grouped = fold_group_header(sheet)
    found = _claims(flat)
    if grouped is not None:  # a two-row group header: read as folded into one row, as the readers know it
        for _i, c in found:
            c.detection.info["group_header"] = grouped.row
        found = found or _claims(sheet)
    if len(found) < 2:
        return [c for _i, c in found]
    by_score = sorted(found, key=lambda t: (-t[1].score, t[0]))
    if by_score[0][1].coverage.rank == 1.0:  # no share beats all columns, and it wins every tie: done
        return [c for _i, c in by_score]
    return [c for _i, c in sorted(found, key=lambda t: (-t[1].coverage.rank, -t[1].score, t[0]))]


def _claims(sheet: Sheet) -> list[tuple[int, Candidate]]:
    """(order in `READERS`, claim) of every reader that claims `sheet`."""
    return [(i, Candidate(r, d, sheet)) for i, r in enumerate(READERS) if (d := r.detect(sheet)) is not None]


def as_detected(sheet: Sheet, detection: Detection) -> tuple[Sheet, str | None]:
    """The sheet as its reader saw it when it claimed it (a two-row group header folded into one row,
    `group_header`), and the report's sentence on the fold (None when there is none)."""
    row = detection.info.get("group_header")
    if row is None:
        return sheet, None
    header = group_header(sheet.cells, int(row))
    return (sheet, None) if header is None else (folded(sheet, header), header.note())


def detect_format(sheet: Sheet) -> tuple[ModuleType, Detection] | None:
    """The reader that best explains `sheet` (the first of `detect`), or None."""
    ranked = detect(sheet)
    return (ranked[0].reader, ranked[0].detection) if ranked else None


def sheet_columns(sheet: Sheet, header_row: int, rows: int = 200) -> int:
    """The sheet's non-empty columns from its header row down: a header cell or a value in the
    first `rows` rows (a column filled only further down is too rare to scan the whole sheet for)."""
    block = sheet.cells.iloc[header_row:header_row + rows].to_numpy(dtype=object)
    if not block.size:
        return 0
    filled = ~pd.isna(block)
    filled &= np.vectorize(lambda v: not (isinstance(v, str) and not v.strip()), otypes=[bool])(block)
    return int(filled.any(axis=0).sum())


def trial_coverage(reader: ModuleType, sheet: Sheet, detection: Detection) -> Coverage:
    """What `reader` explains of `sheet`, from a read of its header and first `TRIAL_ROWS` rows (a
    reader that cannot read them explains nothing)."""
    rows = int(detection.info.get("header_rows", 1) or 1)
    stop = detection.header_row + rows + TRIAL_ROWS
    trial = Sheet(sheet.file, sheet.name, sheet.cells.iloc[:stop], list(sheet.notes))
    columns = sheet_columns(trial, detection.header_row)
    try:
        read = reader.read(trial, detection, ReadContext(sheet.file, sheet.name))
    except ReturnToSpeedError as exc:  # the sheet is this reader's, but it says why it cannot be read
        return Coverage(0, columns, refusal=str(exc))
    except Exception:  # noqa: BLE001 - a reader that fails on the sheet explains none of it
        return Coverage(0, columns)
    unread = tuple(read.unknown_columns)
    return Coverage(max(0, columns - len(unread)), columns, unread)


def coverage_of(read: SheetRead) -> Coverage:
    """The coverage of a finished read (`read_sheet` counted the sheet's columns)."""
    return Coverage(read.explained, read.columns, tuple(read.unknown_columns))


def read_sheet(reader: ModuleType, sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    """`reader.read`, then what holds for every reader: the rows the text parser could not split
    (broken quoting, oversize fields) listed as rejected, and no infinity reaching a table."""
    sheet, fold = as_detected(sheet, detection)
    read = reader.read(sheet, detection, ctx)
    read.columns = sheet_columns(sheet, detection.header_row)
    if fold is not None:
        read.assumptions.insert(0, fold)
    read.assumptions += [r for r in sheet.remarks if r not in read.assumptions]
    read.rejects += [Problem(ctx.file, ctx.sheet, b.row, "", b.value, b.problem) for b in sheet.broken_rows]
    read.data_rows = sorted(set(read.data_rows) | {b.row for b in sheet.broken_rows})
    for table, df in list(read.tables.items()):
        if df is not None and len(df) and table in TABLES:
            read.tables[table] = _finite_only(df, table, read, ctx)
    return read


def _finite_only(df: pd.DataFrame, table: str, read: SheetRead, ctx: ReadContext) -> pd.DataFrame:
    """`df` without infinities in its float columns: a required value rejects its row, any
    other is left empty; each one listed. A reader's own number parsing rejects them first (with the
    source header); this is the backstop for a path that parsed a number some other way."""
    drop = np.zeros(len(df), dtype=bool)
    rows = df["source_row"].tolist() if "source_row" in df.columns else [None] * len(df)
    for col in TABLES[table].columns:
        if col.dtype != "float" or col.name not in df.columns:
            continue
        values = pd.to_numeric(df[col.name], errors="coerce").astype("float64")
        bad = np.isinf(values.to_numpy()) & ~drop
        for pos in np.flatnonzero(bad):
            row = rows[pos]
            read.rejects.append(Problem(ctx.file, ctx.sheet, None if pd.isna(row) else int(row), col.name,
                                        str(df[col.name].iloc[pos]), NON_FINITE_PROBLEM))
        if col.required:
            drop |= bad
        elif bad.any():
            df = df.assign(**{col.name: df[col.name].where(~pd.Series(bad, index=df.index))})
    return df[~drop] if drop.any() else df
