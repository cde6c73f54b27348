"""Import uploaded files into the store: detect, read, resolve athletes and sides, write.

One file is one transaction: its good rows land together or not at all, its rejected rows and
cells are listed in its report, and re-importing the same bytes adds nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import sqlalchemy as sa
from rapidfuzz import fuzz, process
from sqlalchemy.engine import Engine

from lib import store
from lib.core.errors import ReturnToSpeedError, UnreadableFile
from lib.ingest.normalize import athlete_slug, clean_name, name_key
from lib.privacy import AccessDenied, can
from lib.ingest.readers import detect_format, read_sheet
from lib.ingest.readers.base import Problem, ReadContext, SheetRead
from lib.core.schema import TABLES, conform
from lib.ingest.sources import OpenedFile, open_file

Progress = Callable[[float, str], None]
SUGGEST_SCORE = 80.0  # rapidfuzz token-sort ratio above which a new name is offered as a match
ROSTER_FORMATS = ("roster", "template")


@dataclass
class ImportSettings:
    """Choices a user can make about a batch."""

    date_order: str = "auto"  # auto, dmy, mdy
    who: str = "local"
    role: str | None = None  # the app's user: a role that may not edit injury records imports none


@dataclass
class SheetReport:
    """What happened to one sheet."""

    sheet: str
    format: str
    data_rows: int = 0
    accepted: dict[str, int] = field(default_factory=dict)
    rejected_rows: int = 0
    assumptions: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """Everything a person needs to trust (or fix) one file's import."""

    file: str
    status: str = "imported"  # imported, duplicate, failed, no data
    message: str = ""
    import_id: int | None = None
    sha256: str = ""
    sheets: list[SheetReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    added: dict[str, int] = field(default_factory=dict)
    replaced: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    replaced_from: dict[str, int] = field(default_factory=dict)  # "import #3 (file)" -> rows
    rejects: list[Problem] = field(default_factory=list)
    new_athletes: list[dict[str, str]] = field(default_factory=list)
    suggestions: list[dict[str, object]] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return self.status != "failed"

    @property
    def rows_added(self) -> int:
        return sum(self.added.values())

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["rejects"] = [p.as_dict() for p in self.rejects]
        return out

    def text(self) -> str:
        """The report as plain lines for the terminal."""
        lines = [f"{self.file}: {self.status}" + (f" (import #{self.import_id})" if self.import_id else "")]
        if self.message:
            lines.append(f"  {self.message}")
        for s in self.sheets:
            accepted = ", ".join(f"{n} {t}" for t, n in s.accepted.items()) or "nothing"
            where = f"sheet '{s.sheet}'" if s.sheet else "file"
            lines.append(f"  {where}: {s.format}; {s.data_rows} data rows; accepted {accepted}; "
                         f"{s.rejected_rows} rows with rejects")
            lines += [f"    assumed: {a}" for a in s.assumptions]
            if s.unknown_columns:
                lines.append(f"    unknown columns (not imported): {', '.join(s.unknown_columns)}")
        lines += [f"  skipped: {s}" for s in self.skipped]
        lines += [f"  assumed: {a}" for a in self.assumptions]
        if self.added or self.replaced or self.unchanged:
            lines.append("  added " + _counts(self.added) + "; replaced " + _counts(self.replaced)
                         + "; unchanged " + _counts(self.unchanged))
        for src, n in self.replaced_from.items():
            lines.append(f"  replaced {n} rows from {src}")
        for a in self.new_athletes:
            lines.append(f"  new athlete (not on the roster): {a['name']} [{a['athlete_id']}]")
        for s in self.suggestions:
            lines.append(f"  did you mean: '{s['name']}' -> {s['suggested_name']} ({s['score']:.0f}%)? "
                         "confirm on the Data page or with `python -m lib match`")
        for p in self.rejects:
            where = f"{p.file}" + (f", sheet {p.sheet}" if p.sheet else "") + (f", row {p.row}" if p.row else "")
            lines.append(f"  rejected: {where}, column '{p.column}', value '{p.value}': {p.problem}")
        return "\n".join(lines)


def _counts(d: dict[str, int]) -> str:
    return ", ".join(f"{n} {t}" for t, n in d.items() if n) or "0"


# ------------------------------------------------------------------------------------ reading

@dataclass
class FileRead:
    """A file opened and read, not yet written."""

    report: ImportReport
    reads: list[tuple[str, SheetRead]] = field(default_factory=list)  # (sheet name, read)
    size: int = 0

    @property
    def is_roster(self) -> bool:
        return any(r.format.lower().startswith(ROSTER_FORMATS) for _, r in self.reads)


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
    for sheet in opened.sheets:  # formula cells without a saved value: rejected cells, never silent blanks
        report.rejects += [Problem(name, sheet.name, c.row, c.column, f"={c.formula}",
                                   "formula without a saved value, read as blank: open and save the file in "
                                   "Excel or LibreOffice, then upload again") for c in sheet.formula_cells]
    for sheet in opened.sheets:
        claim = detect_format(sheet)
        if claim is None:
            report.skipped.append(f"{_where(sheet.name)}: not a format we know (no identity and metric columns found)")
            continue
        reader, detection = claim
        ctx = ReadContext(name, sheet.name, settings.date_order, "decimal_comma" in sheet.notes)
        try:
            result = read_sheet(reader, sheet, detection, ctx)
        except ReturnToSpeedError as exc:
            report.skipped.append(f"{_where(sheet.name)}: {exc}")
            continue
        fr.reads.append((sheet.name, result))
    if not fr.reads:
        report.status = "failed"
        report.message = "no sheet in this file is a format we know: " + "; ".join(report.skipped or ["empty"])
    return fr


def _where(sheet: str) -> str:
    return f"sheet '{sheet}'" if sheet else "file"


# ----------------------------------------------------------------------------------- importing

def import_files(
    engine: Engine, files: list[tuple[str, bytes]], settings: ImportSettings | None = None,
    progress: Progress | None = None,
) -> list[ImportReport]:
    """Import a batch: rosters first (so names match), then every other file, each atomically."""
    settings = settings or ImportSettings()
    progress = progress or (lambda _f, _m: None)
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
        sr = SheetReport(sheet, read.format, len(read.data_rows), {}, 0, read.assumptions, read.unknown_columns)
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

def _resolve_athletes(conn: sa.Connection, tables: dict[str, pd.DataFrame], report: ImportReport) -> dict[str, pd.DataFrame]:
    """Replace `athlete_name`/`athlete_ref` by `athlete_id`: id, exact cleaned name, confirmed alias;
    anything else becomes a new athlete, with fuzzy suggestions for a person to confirm."""
    athletes = pd.DataFrame(conn.execute(sa.select(store.CANONICAL["athletes"].c.athlete_id,
                                                   store.CANONICAL["athletes"].c.name)
                                         .where(store.CANONICAL["athletes"].c.superseded_by.is_(None))).all(),
                            columns=["athlete_id", "name"])
    by_id = set(athletes["athlete_id"])
    by_key = {name_key(n): a for a, n in zip(athletes["athlete_id"], athletes["name"])}
    by_key.update(dict(conn.execute(sa.select(store.aliases.c.alias_key, store.aliases.c.athlete_id)).all()))
    known_names = {a: n for a, n in zip(athletes["athlete_id"], athletes["name"])}

    roster = tables.get("athletes")
    new_rows: list[dict[str, object]] = []
    roster_row_ids: list[str] = []  # one per roster row: two athletes may share a name
    if roster is not None:
        for rec in roster.to_dict("records"):
            ref = _text(rec.get("athlete_ref"))
            key = name_key(rec["athlete_name"])
            athlete_id = ref or by_key.get(key) or athlete_slug(rec["athlete_name"])
            roster_row_ids.append(athlete_id)
            by_key.setdefault(key, athlete_id)
    seen_new: dict[str, str] = {}

    def resolve(name: object, ref: object) -> str:
        ref_text = _text(ref)
        if ref_text and ref_text in by_id:
            return ref_text
        key = name_key(name)
        if key in by_key:
            return by_key[key]
        if key in seen_new:
            return seen_new[key]
        athlete_id = ref_text or athlete_slug(name) or "unknown"
        seen_new[key] = athlete_id
        new_rows.append({"athlete_id": athlete_id, "name": clean_name(name)})
        return athlete_id

    out: dict[str, pd.DataFrame] = {}
    for table, df in tables.items():
        if table == "athletes":
            df = df.assign(athlete_id=roster_row_ids,
                           name=[clean_name(n) for n in df["athlete_name"]])
        else:
            refs = df["athlete_ref"] if "athlete_ref" in df.columns else pd.Series([None] * len(df))
            pairs = pd.DataFrame({"n": df["athlete_name"].astype("string").to_numpy(),
                                  "r": refs.astype("string").to_numpy()})
            uniq = pairs.drop_duplicates()
            lookup = {(n, r): resolve(n, r) for n, r in zip(uniq["n"], uniq["r"])}
            df = df.assign(athlete_id=[lookup[(n, r)] for n, r in zip(pairs["n"], pairs["r"])])
        out[table] = df

    if new_rows:
        new = pd.DataFrame(new_rows)
        roster_new = out.get("athletes", pd.DataFrame(columns=["athlete_id"]))
        new = new[~new["athlete_id"].isin(roster_new["athlete_id"]) & ~new["athlete_id"].isin(by_id)]
        if len(new):
            out["athletes"] = pd.concat([roster_new, new.assign(_implicit=True)], ignore_index=True)
            choices = {a: n for a, n in known_names.items()}
            choices.update({r["athlete_id"]: r["name"] for r in roster_new.to_dict("records")} if len(roster_new) else {})
            for rec in new.to_dict("records"):
                report.new_athletes.append({"athlete_id": rec["athlete_id"], "name": rec["name"]})
                _suggest(conn, report, rec, choices)
    return out


def _suggest(conn: sa.Connection, report: ImportReport, rec: dict[str, object], choices: dict[str, str]) -> None:
    if not choices:
        return
    keys = {a: name_key(n) for a, n in choices.items()}
    match = process.extractOne(name_key(rec["name"]), keys, scorer=fuzz.token_sort_ratio, score_cutoff=SUGGEST_SCORE)
    if match is None:
        return
    _key, score, suggested_id = match
    suggestion = {"athlete_id": rec["athlete_id"], "name": rec["name"], "suggested_id": suggested_id,
                  "suggested_name": choices[suggested_id], "score": float(score)}
    report.suggestions.append(suggestion)
    conn.execute(store.suggestions.insert().values(import_id=report.import_id, status="open", **suggestion))


def _resolve_sides(conn: sa.Connection, tables: dict[str, pd.DataFrame], report: ImportReport) -> dict[str, pd.DataFrame]:
    """Map involved/uninvolved to left/right from the row's injured side or the injury record."""
    tests = tables.get("tests")
    if tests is None or not tests["side"].isin(["involved", "uninvolved"]).any():
        return tables
    inj = store.CANONICAL["injuries"]
    known = pd.DataFrame(conn.execute(sa.select(inj.c.athlete_id, inj.c.injury_date, inj.c.side)
                                      .where(inj.c.superseded_by.is_(None))).all(),
                         columns=["athlete_id", "injury_date", "side"])
    if "injuries" in tables:
        known = pd.concat([known, tables["injuries"][["athlete_id", "injury_date", "side"]]], ignore_index=True)
    known["injury_date"] = pd.to_datetime(known["injury_date"])
    known = known.sort_values("injury_date")
    relative = tests["side"].isin(["involved", "uninvolved"])
    injured = tests["injured_side"].astype("string") if "injured_side" in tests.columns else pd.Series(pd.NA, index=tests.index, dtype="string")
    need = relative & injured.isna()
    for idx in tests.index[need]:
        athlete, date = tests.at[idx, "athlete_id"], pd.Timestamp(tests.at[idx, "date"])
        rows = known[known["athlete_id"] == athlete]
        before = rows[rows["injury_date"] <= date]
        pick = before if len(before) else rows
        if len(pick):
            injured.at[idx] = pick["side"].iloc[-1]
    unresolved = relative & injured.isna()
    for rec in tests[unresolved].drop_duplicates(["source_sheet", "source_row"]).to_dict("records"):
        report.rejects.append(Problem(report.file, rec["source_sheet"], int(rec["source_row"]), "side", "involved/uninvolved",
                                      "involved/uninvolved limb but no injured side on record: add an injured-side "
                                      "column or the injury to the roster"))
    other = {"left": "right", "right": "left"}
    side = tests["side"].astype("string").copy()
    inv = relative & ~unresolved & side.eq("involved")
    uninv = relative & ~unresolved & side.eq("uninvolved")
    side[inv] = injured[inv]
    side[uninv] = injured[uninv].map(other)
    tables["tests"] = tests.assign(side=side)[~unresolved]
    return tables


# ---------------------------------------------------------------------------------- writing

def _write_table(conn: sa.Connection, table: str, df: pd.DataFrame, report: ImportReport) -> None:
    """Insert new rows, supersede changed ones, skip unchanged ones (natural-key diff)."""
    spec = TABLES[table]
    t = store.CANONICAL[table]
    implicit = df["_implicit"].fillna(False).astype(bool) if "_implicit" in df.columns else pd.Series(False, index=df.index)
    rows = conform(df, table).assign(source_sheet=df["source_sheet"].to_numpy() if "source_sheet" in df.columns else "",
                                     _implicit=implicit.to_numpy())
    if "source_file" in df.columns:
        rows["source_file"] = df["source_file"].to_numpy()
    if "source_row" in df.columns and "source_row" not in spec.column_names:
        rows["source_row"] = df["source_row"].to_numpy()
    key = list(spec.key)
    for k in key:
        if spec.column(k).dtype == "str":
            rows[k] = rows[k].fillna("")

    ids = rows["athlete_id"].dropna().unique().tolist()
    existing = _existing(conn, t, ids)
    existing = conform(existing, table).assign(row_id=existing["row_id"].to_numpy(),
                                               import_id=existing["import_id"].to_numpy())
    for k in key:
        if spec.column(k).dtype == "str":
            existing[k] = existing[k].fillna("")
    if table == "tests":
        rows = _align_trials(rows, existing, report)
    rows = _drop_in_file_duplicates(rows, key, table, report)
    value_cols = [c for c in spec.column_names if c not in key and c not in ("source_file", "source_row")]
    merged = rows.reset_index(drop=True).merge(existing[key + value_cols + ["row_id", "import_id"]],
                                               on=key, how="left", suffixes=("", "_old"))
    has_old = merged["row_id"].notna()
    same = has_old & _equal(merged, value_cols)
    if table == "athletes":
        # a name met in a GPS or test file never overwrites what a roster says
        same = same | (has_old & merged["_implicit"])
    changed = has_old & ~same
    insert = merged[~same].drop(columns=[c for c in merged.columns if c.endswith("_old")] + ["row_id", "import_id", "_implicit"])
    if changed.any():
        old_ids = merged.loc[changed, "row_id"].astype(int).tolist()
        for chunk in _chunks(old_ids, 500):
            conn.execute(t.update().where(t.c.row_id.in_(chunk)).values(superseded_by=report.import_id))
        for old_import, n in merged.loc[changed, "import_id"].astype(int).value_counts().items():
            label = f"import #{old_import} ({_file_of(conn, old_import)})"
            report.replaced_from[label] = report.replaced_from.get(label, 0) + int(n)
    insert = insert.assign(import_id=report.import_id)
    store.insert_frame(conn, t, insert)
    if table != "athletes":  # an athlete row stays while live rows name it (see _undo_athletes)
        _claim(conn, table, merged[same], report.import_id)
    report.added[table] = int((~has_old).sum())
    report.replaced[table] = int(changed.sum())
    report.unchanged[table] = int(same.sum())


def _claim(conn: sa.Connection, table: str, unchanged: pd.DataFrame, import_id: int | None) -> None:
    """Record that this import sent these stored rows again, unchanged (see `store.claims`)."""
    if unchanged.empty:
        return
    def column(name: str) -> object:
        return unchanged[name].to_numpy() if name in unchanged.columns else None
    store.insert_frame(conn, store.claims, pd.DataFrame({
        "import_id": import_id, "table_name": table, "row_id": unchanged["row_id"].astype(int).to_numpy(),
        "athlete_id": column("athlete_id"), "source_sheet": column("source_sheet"),
        "source_row": pd.array(column("source_row"), dtype="Int64") if "source_row" in unchanged.columns else None,
    }))


TRIAL_GROUP = ["athlete_id", "date", "test", "device"]  # trials are numbered per athlete, day, test (and device)


def _align_trials(rows: pd.DataFrame, existing: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    """Trial numbers against the store, by time of day, where both the file and the stored rows
    carry it: a trial recorded at the same time as a stored one takes its number (a re-import or a
    corrected export then matches it), a trial at a new time is numbered after the day's highest
    (an afternoon export adds trials 4-6 instead of replacing the morning's 1-3). Without times,
    trials stay as the file numbers them."""
    if "time" not in rows.columns or rows["time"].isna().all() or existing.empty:
        return rows
    incoming = rows.dropna(subset=["time"]).drop_duplicates(TRIAL_GROUP + ["trial"])[TRIAL_GROUP + ["trial", "time"]]
    stored = existing.drop_duplicates(TRIAL_GROUP + ["trial"])[TRIAL_GROUP + ["trial", "time"]]
    both = incoming[TRIAL_GROUP].drop_duplicates().merge(stored[TRIAL_GROUP].drop_duplicates(), on=TRIAL_GROUP)
    if both.empty:
        return rows
    renumber: dict[tuple, int] = {}
    stored_by = {k: g for k, g in stored.merge(both, on=TRIAL_GROUP).groupby(TRIAL_GROUP, sort=False)}
    moved = 0
    for group, new in incoming.merge(both, on=TRIAL_GROUP).groupby(TRIAL_GROUP, sort=False):
        old = stored_by[group]
        if old["time"].isna().any():  # stored before times were kept: the file's numbering, as before
            continue
        taken: dict[str, list[int]] = {}
        for time, trial in sorted(zip(old["time"], old["trial"].astype(int))):
            taken.setdefault(str(time), []).append(trial)
        next_trial = int(old["trial"].max()) + 1
        for time, trial in sorted(zip(new["time"].astype(str), new["trial"].astype(int)), key=lambda p: (p[0], p[1])):
            same_time = taken.get(time)
            if same_time:
                target = same_time.pop(0)
            else:
                target, next_trial = next_trial, next_trial + 1
            renumber[(*group, trial)] = target
            moved += target != trial
    if not renumber:
        return rows
    keys = list(zip(*(rows[c] for c in TRIAL_GROUP), rows["trial"].astype("Int64")))
    rows = rows.assign(trial=[renumber.get(k, k[-1]) for k in keys])
    if moved:
        report.assumptions.append(f"{moved} trial{'s' if moved != 1 else ''} numbered after the ones already "
                                  "stored for their day (recorded at another time of day: added, not replacing)")
    return rows


def _drop_in_file_duplicates(rows: pd.DataFrame, key: list[str], table: str, report: ImportReport) -> pd.DataFrame:
    dup = rows.duplicated(key, keep="last")
    for rec in rows[dup].to_dict("records"):
        if table == "athletes":
            continue
        report.rejects.append(Problem(report.file, _text(rec.get("source_sheet")), _int(rec.get("source_row")), "",
                                      "", f"duplicate {table} row (same {', '.join(key)} as a later row): the later row is kept"))
    return rows[~dup]


def _existing(conn: sa.Connection, t: sa.Table, ids: list[str]) -> pd.DataFrame:
    frames = []
    for chunk in _chunks(ids, 500):
        res = conn.execute(sa.select(t).where(t.c.athlete_id.in_(chunk), t.c.superseded_by.is_(None)))
        frames.append(pd.DataFrame(res.mappings().all(), columns=[c.name for c in t.columns]))
    if not frames:
        return pd.DataFrame(columns=[c.name for c in t.columns])
    return pd.concat(frames, ignore_index=True)


def _equal(merged: pd.DataFrame, cols: list[str]) -> pd.Series:
    eq = pd.Series(True, index=merged.index)
    for c in cols:
        a, b = merged[c], merged[f"{c}_old"]
        if pd.api.types.is_float_dtype(a.dtype) or pd.api.types.is_integer_dtype(a.dtype):
            a_num = pd.to_numeric(a, errors="coerce").astype("float64")
            b_num = pd.to_numeric(b, errors="coerce").astype("float64")
            col_eq = np.isclose(a_num.to_numpy(), b_num.to_numpy(), rtol=1e-9, atol=1e-9, equal_nan=True)
        else:
            a_s, b_s = a.astype("string").fillna(""), b.astype("string").fillna("")
            col_eq = (a_s == b_s).to_numpy(dtype=bool)
        eq &= col_eq
    return eq


def _finish(conn: sa.Connection, report: ImportReport, who: str = "import") -> None:
    if report.rejects:
        conn.execute(store.rejects.insert(), [dict(import_id=report.import_id, **p.as_dict()) for p in report.rejects])
    conn.execute(store.imports.update().where(store.imports.c.import_id == report.import_id).values(
        rows_added=report.rows_added, rows_replaced=sum(report.replaced.values()),
        rows_rejected=len({(p.sheet, p.row) for p in report.rejects if p.row is not None}),
        report=json.dumps(report.as_dict(), default=str)))
    store.log(conn, who, "import", {"import_id": report.import_id, "file": report.file, "added": report.added})


def _file_of(conn: sa.Connection, import_id: int) -> str:
    return conn.execute(sa.select(store.imports.c.file).where(store.imports.c.import_id == import_id)).scalar_one_or_none() or "?"


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------------------- undo, match

def undo_import(engine: Engine, import_id: int, who: str = "local", role: str | None = None) -> dict[str, int]:
    """Remove every row an import wrote and bring back the rows it had superseded. With `role`
    (the app passes it), an import that wrote or replaced injury records needs a role that may
    edit them (AccessDenied)."""
    removed: dict[str, int] = {}
    with engine.begin() as conn:
        row = conn.execute(sa.select(store.imports.c.status).where(store.imports.c.import_id == import_id)).first()
        if row is None:
            raise ReturnToSpeedError(f"there is no import #{import_id}")
        if row[0] != "imported":
            raise ReturnToSpeedError(f"import #{import_id} is already {row[0]}")
        if role is not None and not can(role, "edit_injuries"):
            inj = store.CANONICAL["injuries"]
            if conn.execute(sa.select(inj.c.row_id).where(
                    (inj.c.import_id == import_id) | (inj.c.superseded_by == import_id)).limit(1)).first():
                raise AccessDenied(f"a {role} may not undo import #{import_id}: it changed injury records "
                                   "(medical staff can)")
        for table in ("tests", "sessions", "wellness", "injuries"):
            t = store.CANONICAL[table]
            _hand_over_claimed(conn, table, import_id)
            _relink_superseded(conn, table, import_id)
            removed[table] = conn.execute(t.delete().where(t.c.import_id == import_id)).rowcount
        removed["athletes"] = _undo_athletes(conn, import_id)
        conn.execute(store.claims.delete().where(store.claims.c.import_id == import_id))
        conn.execute(store.suggestions.update().where(store.suggestions.c.import_id == import_id).values(status="undone"))
        conn.execute(store.imports.update().where(store.imports.c.import_id == import_id)
                     .values(status="undone", undone_at=store.now()))
        store.log(conn, who, "undo import", {"import_id": import_id, "removed": removed})
    return removed


def _hand_over_claimed(conn: sa.Connection, table: str, import_id: int) -> None:
    """Rows the import wrote that a later live import sent again unchanged become that import's
    rows (the newest such import, with its sheet and row), instead of being removed with it."""
    t, c, imp = store.CANONICAL[table], store.claims, store.imports
    rows = conn.execute(
        sa.select(c.c.claim_id, c.c.row_id, c.c.import_id, c.c.source_sheet, c.c.source_row, imp.c.file)
        .join(imp, imp.c.import_id == c.c.import_id)
        .where(c.c.table_name == table, imp.c.status == "imported", c.c.import_id != import_id,
               c.c.row_id.in_(sa.select(t.c.row_id).where(t.c.import_id == import_id)))
        .order_by(c.c.import_id.desc())).all()
    handed: dict[int, dict[str, object]] = {}
    used: list[int] = []
    for claim_id, row_id, claimant, sheet, source_row, file in rows:
        if row_id not in handed:
            handed[row_id] = {"rid": row_id, "to_import": claimant, "to_sheet": sheet, "to_row": source_row,
                              "to_file": file}
            used.append(claim_id)
    if handed:
        conn.execute(t.update().where(t.c.row_id == sa.bindparam("rid")).values(
            import_id=sa.bindparam("to_import"), source_sheet=sa.bindparam("to_sheet"),
            source_row=sa.bindparam("to_row"), source_file=sa.bindparam("to_file")), list(handed.values()))
        for chunk in _chunks(used, 500):
            conn.execute(c.delete().where(c.c.claim_id.in_(chunk)))


def _relink_superseded(conn: sa.Connection, table: str, import_id: int) -> None:
    """Before an import's rows go: each row it superseded takes the place in its key's version chain
    that the import's own row held, so one row per key stays live under any order of undos.

    The import's row for the same key was live: the older row is live again. It was itself
    superseded (a later correction): the older row stays superseded, now by that correction, and
    comes back only when that one is undone too. The import had no row for the key (a manual edit
    that removed the record): the older row is superseded by the next later version of its key
    that remains, else live again.
    """
    t = store.CANONICAL[table]
    key = list(TABLES[table].key)
    own = t.alias("own")
    later = t.alias("later")
    own_key = sa.and_(own.c.import_id == import_id, *[own.c[k].is_not_distinct_from(t.c[k]) for k in key])
    own_next = sa.select(own.c.superseded_by).where(own_key).order_by(own.c.row_id.desc()).limit(1).scalar_subquery()
    next_version = (sa.select(later.c.import_id)
                    .where(later.c.row_id > t.c.row_id, later.c.import_id != import_id,
                           *[later.c[k].is_not_distinct_from(t.c[k]) for k in key])
                    .order_by(later.c.row_id).limit(1).scalar_subquery())
    conn.execute(t.update().where(t.c.superseded_by == import_id).values(
        superseded_by=sa.case((sa.exists().where(own_key), own_next), else_=next_version)))


def _undo_athletes(conn: sa.Connection, import_id: int) -> int:
    """Bring back the athlete rows the import replaced and drop the rows it wrote, except an
    athlete it created whom live rows of other imports still name (they keep a name to show)."""
    t = store.CANONICAL["athletes"]
    restored = {r[0] for r in conn.execute(sa.select(t.c.athlete_id).where(t.c.superseded_by == import_id)).all()}
    _relink_superseded(conn, "athletes", import_id)
    written = [r[0] for r in conn.execute(sa.select(t.c.athlete_id).where(t.c.import_id == import_id)).all()]
    created = [a for a in written if a not in restored]
    still_used: set[str] = set()
    for table in ("tests", "sessions", "wellness", "injuries"):
        c = store.CANONICAL[table]
        for chunk in _chunks(created, 500):
            still_used |= {r[0] for r in conn.execute(sa.select(c.c.athlete_id).distinct()
                                                       .where(c.c.athlete_id.in_(chunk), c.c.superseded_by.is_(None))).all()}
    drop = [a for a in written if a in restored or a not in still_used]
    removed = 0
    for chunk in _chunks(drop, 500):
        removed += conn.execute(t.delete().where(t.c.import_id == import_id, t.c.athlete_id.in_(chunk))).rowcount
    return removed


def merge_athlete(engine: Engine, from_id: str, into_id: str, who: str = "local") -> int:
    """Confirm that `from_id` is `into_id`: re-point its rows, remember the name as an alias."""
    if from_id == into_id:
        raise ReturnToSpeedError("an athlete cannot be merged into itself")
    moved = 0
    with engine.begin() as conn:
        ath = store.CANONICAL["athletes"]
        names = conn.execute(sa.select(ath.c.name).where(ath.c.athlete_id == from_id)).scalars().all()
        target = conn.execute(sa.select(ath.c.athlete_id).where(ath.c.athlete_id == into_id,
                                                                 ath.c.superseded_by.is_(None))).first()
        if target is None:
            raise ReturnToSpeedError(f"there is no athlete '{into_id}'")
        for table in ("tests", "sessions", "wellness", "injuries"):
            t = store.CANONICAL[table]
            moved += conn.execute(t.update().where(t.c.athlete_id == from_id).values(athlete_id=into_id)).rowcount
        conn.execute(ath.delete().where(ath.c.athlete_id == from_id))
        for n in set(names):
            key = name_key(n)
            conn.execute(store.aliases.delete().where(store.aliases.c.alias_key == key))
            conn.execute(store.aliases.insert().values(alias_key=key, athlete_id=into_id, confirmed_by=who,
                                                       confirmed_at=store.now()))
        conn.execute(store.suggestions.update().where(store.suggestions.c.athlete_id == from_id,
                                                      store.suggestions.c.status == "open")
                     .values(status="merged"))
        store.log(conn, who, "merge athlete", {"from": from_id, "into": into_id, "rows": moved})
    return moved


def dismiss_suggestion(engine: Engine, suggestion_id: int, who: str = "local") -> None:
    """Record that a suggested match is wrong: the new athlete stays separate."""
    with engine.begin() as conn:
        conn.execute(store.suggestions.update().where(store.suggestions.c.suggestion_id == suggestion_id)
                     .values(status="dismissed"))
        store.log(conn, who, "dismiss match", {"suggestion_id": suggestion_id})
