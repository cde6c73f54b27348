"""Import uploaded files into the store: detect, read, resolve athletes and sides, write.

One file is one transaction: its good rows land together or not at all, its rejected rows and
cells are listed in its report, and re-importing the same bytes adds nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Callable

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.store import settings as team_settings
from lib.core.errors import ReturnToSpeedError, UnreadableFile
from lib.core.access import can
from lib.ingest.dates import time_zone_or_default
from lib.ingest.readers import detect_format, read_sheet
from lib.ingest import profiles
from lib.ingest.readers.base import Problem, ReadContext
from lib.ingest.sources import OpenedFile, open_file
from lib.ingest.results import (ROSTER_FORMATS, FileRead, ImportReport, ImportSettings, SheetReport,  # noqa: F401 - importer.<name> for callers
                                not_known, where)
from lib.ingest.rows import _write_table
from lib.ingest.athletes import SUGGEST_SCORE, _resolve_athletes, _resolve_sides, dismiss_suggestion, merge_athlete  # noqa: F401 - re-exported for callers
from lib.ingest.undo import undo_import  # noqa: F401 - re-exported for callers

Progress = Callable[[float, str], None]


# ------------------------------------------------------------------------------------ reading


def read_file(data: bytes, name: str, settings: ImportSettings | None = None) -> FileRead:
    """Open and read every sheet of a file (no store involved); never raises on bad input."""
    settings = settings or ImportSettings()
    report = ImportReport(name, sha256=hashlib.sha256(data).hexdigest())
    fr = FileRead(report, size=len(data))
    try:
        opened: OpenedFile = open_file(data, name)
    except UnreadableFile as exc:
        report.status, report.message = "failed", exc.reason
        return fr
    report.skipped += opened.skipped
    report.assumptions += opened.assumptions
    zone, zone_note = time_zone_or_default(settings.time_zone)
    report.assumptions += [zone_note] if zone_note else []
    for sheet in opened.sheets:  # formula cells without a saved value: rejected cells, never silent blanks
        report.rejects += [Problem(name, sheet.name, c.row, c.column, f"={c.formula}",
                                   "formula without a saved value, read as blank: open and save the file in "
                                   "Excel or LibreOffice, then upload again") for c in sheet.formula_cells]
    for sheet in opened.sheets:
        claim = profiles.claim(sheet, settings) or detect_format(sheet)  # a club's profile of this shape first
        if claim is None:
            report.skipped.append(not_known(sheet.name))
            continue
        reader, detection = claim
        ctx = ReadContext(name, sheet.name, settings.date_order, "decimal_comma" in sheet.notes, zone)
        try:
            result = read_sheet(reader, sheet, detection, ctx)
        except ReturnToSpeedError as exc:
            report.skipped.append(f"{where(sheet.name)}: {exc}")
            continue
        fr.reads.append((sheet.name, result))
    if not fr.reads:
        report.status = "failed"
        report.message = "no sheet in this file is a format we know: " + "; ".join(report.skipped or ["empty"])
        report.message += profiles.OFFER if opened.sheets and not settings.profile else ""
    return fr


# ----------------------------------------------------------------------------------- importing

def import_files(
    engine: Engine, files: list[tuple[str, bytes]], settings: ImportSettings | None = None,
    progress: Progress | None = None,
) -> list[ImportReport]:
    """Import a batch: rosters first (so names match), then every other file, each atomically."""
    settings = settings or ImportSettings()
    if settings.time_zone is None:  # the club's saved time zone (Settings page), UTC by default
        settings = replace(settings, time_zone=str(team_settings.load(engine).get("club_time_zone", "UTC")))
    progress = progress or (lambda _f, _m: None)
    settings = profiles.for_import(engine, settings)  # the club's format profiles, read once per batch
    reads: list[FileRead] = []
    for i, (name, data) in enumerate(files):
        progress(i / max(1, len(files)) * 0.5, f"Reading {name}")
        reads.append(_read_guarded(data, name, settings))
    ordered = sorted(range(len(reads)), key=lambda i: (not reads[i].is_roster, i))
    for step, i in enumerate(ordered):
        progress(0.5 + step / max(1, len(files)) * 0.5, f"Storing {reads[i].report.file}")
        try:
            write_file(engine, reads[i], settings)
        except sa.exc.OperationalError as exc:  # disk full, store locked too long: this file only
            _storage_failed(reads[i].report, exc)
    progress(1.0, "Done")
    return [r.report for r in reads]


def _read_guarded(data: bytes, name: str, settings: ImportSettings) -> FileRead:
    """`read_file`, with a reader that raised (a bug, or input no check foresaw) turned into this
    file's failed report, so that the other files of the batch are still imported."""
    try:
        return read_file(data, name, settings)
    except Exception as exc:  # noqa: BLE001 - one file's surprise must not lose the batch
        fr = FileRead(ImportReport(name, sha256=hashlib.sha256(data).hexdigest()), size=len(data))
        fr.report.status = "failed"
        fr.report.message = (f"this file could not be read ({type(exc).__name__}): nothing of it was imported; "
                             "check that it is an export we know, or save it again and upload it once more")
        return fr


def _storage_failed(report: ImportReport, exc: sa.exc.OperationalError) -> None:
    """A file whose transaction the store refused (rolled back): one clear message, nothing kept."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "full" in text:
        why = "the store is full (no disk space left, or its size limit)"
    elif "locked" in text or "busy" in text:
        why = "the store stayed busy for 30 s (another import or edit)"
    else:
        why = f"the store could not be written ({text.splitlines()[0][:120]})"
    report.status, report.import_id = "failed", None
    report.message = f"{why}: nothing of this file was written; import it again once that is fixed"
    report.added, report.replaced, report.unchanged, report.replaced_from = {}, {}, {}, {}
    report.new_athletes, report.suggestions = [], []


def import_file(engine: Engine, data: bytes, name: str, settings: ImportSettings | None = None) -> ImportReport:
    """Import one file; see `import_files`."""
    return import_files(engine, [(name, data)], settings)[0]


def write_file(engine: Engine, fr: FileRead, settings: ImportSettings) -> ImportReport:
    """Write one read file in a single transaction and complete its report.

    The same bytes already imported are a duplicate: looked up first without the write lock (the
    common case costs no wait), then again inside the write transaction, where writers are queued
    (BEGIN IMMEDIATE on SQLite, the version row's lock on PostgreSQL): two staff uploading one
    file at the same moment give one import, and the second hears that it is already there."""
    report = fr.report
    if report.status == "failed":
        return report
    previous = store.find_import_by_hash(engine, report.sha256)
    if previous is not None:
        return _duplicate(report, previous)
    try:
        with engine.begin() as conn:
            previous = _live_import(conn, report.sha256)
            if previous is not None:
                raise _AlreadyImported(previous)  # rolls back: nothing written, the version unchanged
            import_id = conn.execute(store.imports.insert().values(
                file=report.file, sha256=report.sha256, size_bytes=fr.size, imported_at=store.now(),
                imported_by=settings.who, status="imported",
                formats=", ".join(sorted({r.format for _, r in fr.reads})),
            )).inserted_primary_key[0]
            report.import_id = int(import_id)
            tables = _collect(fr, report)
            tables = _without_injuries_for(settings.role, tables, report)
            tables = _resolve_athletes(conn, tables, report)
            tables = _resolve_sides(conn, tables, report)
            for table in ("athletes", "injuries", "tests", "sessions", "wellness"):
                if table in tables and len(tables[table]):
                    _write_table(conn, table, tables[table], report)
            _finish(conn, report, settings.who)
    except _AlreadyImported as dup:
        return _duplicate(report, dup.previous)
    if report.rows_added == 0 and not report.replaced and not any(report.unchanged.values()):
        report.status = "no data"
        report.message = report.message or "the file was read but no row could be accepted: see the rejected rows"
    return report


class _AlreadyImported(Exception):
    """Another process imported the same bytes while this one waited for the write lock."""

    def __init__(self, previous: dict[str, object]) -> None:
        super().__init__(previous.get("import_id"))
        self.previous = previous


def _live_import(conn: sa.Connection, sha256: str) -> dict[str, object] | None:
    row = conn.execute(sa.select(store.imports).where(store.imports.c.sha256 == sha256,
                                                      store.imports.c.status == "imported")).mappings().first()
    return dict(row) if row else None


def _duplicate(report: ImportReport, previous: dict[str, object]) -> ImportReport:
    report.status = "duplicate"
    report.import_id = int(previous["import_id"])  # type: ignore[call-overload]
    report.message = (f"already imported on {previous['imported_at']:%Y-%m-%d %H:%M} as import "
                      f"#{previous['import_id']}: nothing changed")
    return report


def _without_injuries_for(role: str | None, tables: dict[str, pd.DataFrame],
                          report: ImportReport) -> dict[str, pd.DataFrame]:
    """A role that may not edit injury records (a coach) imports the rest of a roster, not its
    injury rows: they could overwrite a diagnosis, or confirm a guessed one by what they replace."""
    if role is None or can(role, "edit_injuries") or "injuries" not in tables or tables["injuries"].empty:
        return tables
    report.assumptions.append(f"{len(tables['injuries'])} injury records not imported: only medical staff "
                              "change injury records (the rest of the file was imported)")
    return {name: df for name, df in tables.items() if name != "injuries"}


def _collect(fr: FileRead, report: ImportReport) -> dict[str, pd.DataFrame]:
    """Concatenate each table over the sheets; fill the per-sheet report."""
    parts: dict[str, list[pd.DataFrame]] = {}
    for sheet, read in fr.reads:
        sr = SheetReport(sheet, read.format, len(read.data_rows), {}, 0, read.assumptions, read.unknown_columns,
                         read.columns)
        for table, df in read.tables.items():
            if df is None or df.empty:
                continue
            df = df.assign(source_sheet=sheet, source_file=report.file)
            sr.accepted[table] = len(df)
            parts.setdefault(table, []).append(df)
        sr.rejected_rows = len({p.row for p in read.rejects if p.row is not None})
        report.sheets.append(sr)
        report.rejects += read.rejects
    return {t: pd.concat(p, ignore_index=True) for t, p in parts.items()}


# ------------------------------------------------------------------------------ athletes, sides


# ---------------------------------------------------------------------------------- writing


def _finish(conn: sa.Connection, report: ImportReport, who: str = "import") -> None:
    if report.rejects:
        conn.execute(store.rejects.insert(), [dict(import_id=report.import_id, **p.as_dict()) for p in report.rejects])
    conn.execute(store.imports.update().where(store.imports.c.import_id == report.import_id).values(
        rows_added=report.rows_added, rows_replaced=sum(report.replaced.values()),
        rows_rejected=len({(p.sheet, p.row) for p in report.rejects if p.row is not None}),
        report=json.dumps(report.as_dict(), default=str)))
    store.log(conn, who, "import", {"import_id": report.import_id, "file": report.file, "added": report.added})


# ------------------------------------------------------------------------------- undo, match


