"""Reading by role: the tables, rejects, import reports, notes and audit a role may see, and one athlete's record."""

from __future__ import annotations

import json
import re

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.core.access import HIDDEN_COLUMNS, AccessDenied, can, check_role, require, visible_tables
from lib.core.errors import ReturnToSpeedError
from lib.core.schema import TABLES
from lib.core.workbook import workbook_bytes
from lib.privacy.roles import read_roles
from lib.store.data import Data
from lib.store.mss import read_mss_decisions
from lib.store.tiers import read_tier_history
import lib.store.notes as notes_lib


def read_table_for(engine: Engine, table: str, role: str, provenance: bool = False) -> pd.DataFrame:
    """A table as `role` may see it: hidden columns dropped, hidden tables refused."""
    if table not in visible_tables(role):
        raise AccessDenied(f"a {role} may not read '{table}'")
    if table in TABLES:
        df = store.read_table(engine, table, provenance=provenance)
        return df.drop(columns=list(HIDDEN_COLUMNS.get(role, {}).get(table, ())))
    if table == "tier_changes":
        return read_tier_history(engine)
    if table == "audit_log":
        return read_audit(engine, role)
    if table == "user_roles":
        return read_roles(engine, role)
    t = store.metadata.tables[table]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in t.columns])


def data_for(engine: Engine, role: str) -> Data:
    """The engine's tables for `role`: for a coach every diagnosis is blank (the column stays, so
    every view and rule works the same; no diagnosis text can reach a page or a reason)."""
    data = Data.from_store(engine)
    return mask_data(data, role)


def mask_data(data: Data, role: str) -> Data:
    """`data` with what `role` may not see blanked out."""
    check_role(role)
    hidden = HIDDEN_COLUMNS.get(role, {})
    if not hidden:
        return data
    frames = {}
    for name in ("athletes", "injuries", "tests", "sessions", "wellness"):
        df = getattr(data, name)
        cols = [c for c in hidden.get(name, ()) if c in df.columns]
        frames[name] = df.assign(**{c: pd.Series(pd.NA, index=df.index, dtype=df[c].dtype) for c in cols}) if cols else df
    return Data(**frames, tier_history=data.tier_history, plans=data.plans, mss_confirmations=data.mss_confirmations)


WITHHELD = "(withheld: medical staff only)"
# formats whose imports can carry injury records: rosters, our template, edits of the injury records
INJURY_FORMATS = re.compile(r"roster|template|injur", re.IGNORECASE)


def rejects_for(engine: Engine, role: str) -> pd.DataFrame:
    """Rejected rows and cells of live imports as `role` may see them: for a role that may not read
    diagnoses, the cell values rejected from roster and template files and injury edits (which carry
    injury records) are withheld and quoted text in their problem is elided, since either could be
    a diagnosis."""
    check_role(role)
    df = store.read_rejects(engine)
    if can(role, "see_diagnosis") or df.empty:
        return df
    with engine.connect() as conn:
        formats = dict(conn.execute(sa.select(store.imports.c.import_id, store.imports.c.formats)).all())
    injury = df["import_id"].map(lambda i: bool(INJURY_FORMATS.search(formats.get(i) or "")))
    df = df.copy()
    df.loc[injury, "value"] = WITHHELD
    df.loc[injury, "problem"] = df.loc[injury, "problem"].astype(str).str.replace(r"'[^']*'|\"[^\"]*\"", "'…'",
                                                                                 regex=True)
    return df


def import_report_for(engine: Engine, import_id: int, role: str) -> dict[str, object]:
    """The stored report of one import (format, rows per table, assumptions, unknown columns,
    skipped sheets, new athletes...) as `role` may see it: for a role that may not read diagnoses,
    the notes and rejects of imports that can carry injury records (rosters, the template, edits of
    the injury records) are withheld, and so are diagnoses an edit changed."""
    check_role(role)
    imp = store.imports
    with engine.connect() as conn:
        row = conn.execute(sa.select(imp.c.report, imp.c.formats).where(imp.c.import_id == int(import_id))).first()
    if row is None:
        raise ReturnToSpeedError(f"there is no import #{import_id}")
    try:
        report = json.loads(row.report or "{}")
    except ValueError:
        report = {}
    if not isinstance(report, dict):
        report = {}
    if can(role, "see_diagnosis") or not INJURY_FORMATS.search(row.formats or ""):
        return report

    # a roster reader's note can quote any cell (a diagnosis among them), in either quote style:
    # coaches get how many notes there were, not their text
    for sheet in report.get("sheets", []):
        if sheet.get("assumptions"):
            sheet["assumptions"] = [f"{len(sheet['assumptions'])} note(s) on this sheet: {WITHHELD}"]
    if report.get("assumptions"):
        report["assumptions"] = [f"{len(report['assumptions'])} note(s) on this file: {WITHHELD}"]
    for problem in report.get("rejects", []):
        problem["value"] = WITHHELD
        problem["problem"] = WITHHELD
    for change in report.get("changed", []):  # an edit of the injury records
        if isinstance(change, dict) and "diagnosis" in change.get("columns", {}):
            change["columns"]["diagnosis"] = [WITHHELD, WITHHELD]
    return report


def notes_for(engine: Engine, athlete_id: str, role: str) -> pd.DataFrame:
    """An athlete's notes, for the roles that may read them."""
    require(role, "see_notes")
    return notes_lib.notes(engine, athlete_id)


def read_audit(engine: Engine, role: str) -> pd.DataFrame:
    """The audit log, newest first (admins only: details can hold note text and reasons)."""
    require(role, "see_audit")
    with engine.connect() as conn:
        rows = conn.execute(sa.select(store.audit).order_by(store.audit.c.event_id.desc())).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in store.audit.columns])


def export_table(engine: Engine, table: str, role: str, who: str, provenance: bool = False) -> pd.DataFrame:
    """A table for download or `python -m lib export`, as `role` may see it; audit-logged."""
    df = read_table_for(engine, table, role, provenance=provenance)
    log_export(engine, who, table, len(df), role)
    return df


def log_export(engine: Engine, who: str, table: str, rows: int, role: str | None = None) -> None:
    """Record that `who` read a table out of the app (a download or a CLI export)."""
    with engine.begin() as conn:
        store.log(conn, who, "export", {"table": table, "rows": int(rows), "role": role})


def athlete_record(engine: Engine, athlete_id: str, role: str, who: str) -> bytes:
    """Everything the store holds on one athlete as an XLSX workbook (an athlete's access request,
    or the copy to keep before an erasure): their rows of every canonical table with provenance
    (import, file, sheet, row), superseded rows included, their tier changes, notes and MSS decisions. Admins
    only; audit-logged as an export that names the athlete's id."""
    require(role, "administer")
    athlete_id = str(athlete_id or "").strip()
    sheets: dict[str, pd.DataFrame] = {}
    with engine.connect() as conn:
        for name, table in store.CANONICAL.items():
            rows = conn.execute(sa.select(table).where(table.c.athlete_id == athlete_id)).mappings().all()
            sheets[name] = pd.DataFrame(rows, columns=[c.name for c in table.columns])
    if not any(len(df) for df in sheets.values()):
        raise ReturnToSpeedError(f"there is no athlete '{athlete_id}'")
    tiers = read_tier_history(engine)
    sheets["tier_changes"] = tiers[tiers["athlete_id"].astype(str) == athlete_id]
    sheets["notes"] = notes_lib.notes(engine, athlete_id)
    decisions = read_mss_decisions(engine)
    sheets["mss_confirmations"] = decisions[decisions["athlete_id"].astype(str) == athlete_id]
    log_export(engine, who, f"athlete record {athlete_id}", sum(len(df) for df in sheets.values()), role)
    return workbook_bytes(sheets, title=f"Return to Speed: everything held on {athlete_id}")
