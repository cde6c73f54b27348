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
from lib.core.schema import TABLES
from lib.ingest.sources import Sheet

# Order breaks ties: our own template and the roster first, then the vendor formats.
READERS: tuple[ModuleType, ...] = (
    template, roster, forcedecks, nordbord, hawkin, statsports, catapult, polar, kinexon, playertek, hoptests, wellness,
)
BY_NAME: dict[str, ModuleType] = {r.NAME: r for r in READERS}


@dataclass
class Candidate:
    """One reader's claim on a sheet: the reader, its detection (score, header row, what it saw)."""

    reader: ModuleType
    detection: Detection

    @property
    def name(self) -> str:
        return str(self.reader.NAME)

    @property
    def label(self) -> str:
        return str(self.reader.LABEL)

    @property
    def score(self) -> float:
        return float(self.detection.score)


def detect(sheet: Sheet) -> list[Candidate]:
    """Every reader that claims `sheet`, best explanation first: highest score, then `READERS` order
    (our template and the roster before the vendor formats). Empty when no reader claims it."""
    found = [(i, Candidate(r, d)) for i, r in enumerate(READERS) if (d := r.detect(sheet)) is not None]
    return [c for _i, c in sorted(found, key=lambda t: (-t[1].score, t[0]))]


def detect_format(sheet: Sheet) -> tuple[ModuleType, Detection] | None:
    """The reader that claims `sheet` with the highest score (the first of `detect`), or None."""
    ranked = detect(sheet)
    return (ranked[0].reader, ranked[0].detection) if ranked else None


def read_sheet(reader: ModuleType, sheet: Sheet, detection: Detection, ctx: ReadContext) -> SheetRead:
    """`reader.read`, then what holds for every reader: the rows the text parser could not split
    (broken quoting, oversize fields) listed as rejected, and no infinity reaching a table."""
    read = reader.read(sheet, detection, ctx)
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
