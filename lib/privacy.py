"""Who sees what, the audit trail of what was read out, and erasure of one athlete.

Roles live in the store (`user_roles`: email -> medical, coach or admin) and are enforced here, in
the queries, not only in the pages:

| role    | sees                                                                           |
| ------- | ------------------------------------------------------------------------------ |
| medical | everything: diagnoses, notes, status, tier, reasons                            |
| coach   | status, tier, reasons, tests, sessions, wellness, injury dates/side/region;    |
|         | never `injuries.diagnosis`, athlete notes or the audit log                     |
| admin   | everything medical sees, plus roles, the audit log and erasure (the admin      |
|         | answers access and erasure requests, which needs the full record)              |

Without sign-in (the local demo) the one local user has `RTS_LOCAL_ROLE` (default admin). With
sign-in, an email with no stored role has no access, except those listed in `RTS_ADMINS`
(comma-separated), who are admins: that is how the first admin gets in.

`erase_athlete` removes every row of one athlete from every table of the store (the canonical
tables including superseded rows, rejects of their rows, name suggestions and aliases, tier
changes, notes, and any table another module registers with an `athlete_id` column), scrubs
their name and id from the import reports, file names and audit-log details, then (SQLite)
checkpoints the WAL and VACUUMs so that nothing of them stays in the file's free pages.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import lib.notes as notes_lib
import lib.readiness as readiness
import lib.settings  # noqa: F401 - registers team_settings on store.metadata
from lib import store
from lib.errors import ReturnToSpeedError
from lib.exports import workbook_bytes
from lib.normalize import athlete_slug, clean_name, name_key
from lib.schema import TABLES

ROLES = ("medical", "coach", "admin")
CLINICAL_ROLES = ("medical", "admin")
LOCAL_ROLE_ENV = "RTS_LOCAL_ROLE"
ADMINS_ENV = "RTS_ADMINS"
ERASED = "[erased]"

# Columns a role never receives, per table; tables a role never receives.
HIDDEN_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {"coach": {"injuries": ("diagnosis",)}}
HIDDEN_TABLES: dict[str, tuple[str, ...]] = {"coach": ("athlete_notes", "audit_log", "user_roles")}
ADMIN_TABLES = ("audit_log", "user_roles")

user_roles = sa.Table(
    "user_roles", store.metadata,
    sa.Column("email", sa.Text, primary_key=True),  # lower-case
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("granted_by", sa.Text),
    sa.Column("granted_at", sa.DateTime),
)


class AccessDenied(ReturnToSpeedError):
    """A role asked for something it may not see or do."""


# ------------------------------------------------------------------------------------ roles

def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AccessDenied(f"unknown role '{role}': choose one of {', '.join(ROLES)}")
    return role


def _email(email: str) -> str:
    text = (email or "").strip().lower()
    if "@" not in text:
        raise ReturnToSpeedError(f"'{email}' is not an email address")
    return text


def set_role(engine: Engine, email: str, role: str, who: str = "local") -> None:
    """Give `email` a role (replacing any it had); audit-logged."""
    _check_role(role)
    address = _email(email)
    store.metadata.create_all(engine, tables=[user_roles])
    with engine.begin() as conn:
        conn.execute(user_roles.delete().where(user_roles.c.email == address))
        conn.execute(user_roles.insert().values(email=address, role=role, granted_by=who, granted_at=store.now()))
        store.log(conn, who, "role", {"email": address, "role": role})


def remove_role(engine: Engine, email: str, who: str = "local") -> None:
    """Take every role from `email` (no access any more); audit-logged."""
    address = _email(email)
    store.metadata.create_all(engine, tables=[user_roles])
    with engine.begin() as conn:
        conn.execute(user_roles.delete().where(user_roles.c.email == address))
        store.log(conn, who, "role removed", {"email": address})


def role_of(engine: Engine, email: str) -> str | None:
    """The stored role of `email`, None when it has none."""
    store.metadata.create_all(engine, tables=[user_roles])
    with engine.connect() as conn:
        return conn.execute(sa.select(user_roles.c.role).where(user_roles.c.email == (email or "").strip().lower())
                            ).scalar_one_or_none()


def read_roles(engine: Engine, role: str) -> pd.DataFrame:
    """Every email with its role (admins only)."""
    require(role, "administer")
    store.metadata.create_all(engine, tables=[user_roles])
    with engine.connect() as conn:
        rows = conn.execute(sa.select(user_roles).order_by(user_roles.c.email)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in user_roles.columns])


def resolve_role(engine: Engine, email: str | None) -> str | None:
    """The role of the person using the app: the local role without sign-in (`email` None), else the
    stored role, else admin for an address in `RTS_ADMINS`, else None (no access)."""
    if email is None:
        return _check_role(os.environ.get(LOCAL_ROLE_ENV, "admin"))
    stored = role_of(engine, email)
    if stored is not None:
        return stored
    admins = {a.strip().lower() for a in os.environ.get(ADMINS_ENV, "").split(",") if a.strip()}
    return "admin" if email.strip().lower() in admins else None


def can(role: str, action: str) -> bool:
    """Whether `role` may `action`: see_diagnosis, see_notes, edit_injuries, edit_settings (the
    team's thresholds), record_tier (a tier change), administer, erase, see_audit. The criteria and
    the tier decisions are the medical staff's: coaches read them."""
    _check_role(role)
    if action in ("see_diagnosis", "see_notes", "edit_injuries", "edit_settings", "record_tier"):
        return role in CLINICAL_ROLES
    if action in ("administer", "erase", "see_audit"):
        return role == "admin"
    raise ValueError(f"unknown action '{action}'")


def require(role: str, action: str) -> None:
    """Raise AccessDenied unless `role` may `action`."""
    if not can(role, action):
        raise AccessDenied(f"a {role} may not {action.replace('_', ' ')}")


# -------------------------------------------------------------------------- reading, by role

def visible_tables(role: str) -> list[str]:
    """The tables a role may read."""
    _check_role(role)
    names = list(TABLES) + ["tier_changes", "athlete_notes", "audit_log", "user_roles"]
    hidden = set(HIDDEN_TABLES.get(role, ())) | (set(ADMIN_TABLES) if role != "admin" else set())
    return [n for n in names if n not in hidden]


def visible_columns(table: str, role: str) -> list[str]:
    """The columns of a canonical table a role receives."""
    _check_role(role)
    hidden = set(HIDDEN_COLUMNS.get(role, {}).get(table, ()))
    return [c for c in TABLES[table].column_names if c not in hidden]


def read_table_for(engine: Engine, table: str, role: str, provenance: bool = False) -> pd.DataFrame:
    """A table as `role` may see it: hidden columns dropped, hidden tables refused."""
    if table not in visible_tables(role):
        raise AccessDenied(f"a {role} may not read '{table}'")
    if table in TABLES:
        df = store.read_table(engine, table, provenance=provenance)
        return df.drop(columns=list(HIDDEN_COLUMNS.get(role, {}).get(table, ())))
    if table == "tier_changes":
        return readiness.read_tier_history(engine)
    if table == "audit_log":
        return read_audit(engine, role)
    if table == "user_roles":
        return read_roles(engine, role)
    t = store.metadata.tables[table]
    store.metadata.create_all(engine, tables=[t])
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in t.columns])


def data_for(engine: Engine, role: str) -> readiness.Data:
    """The engine's tables for `role`: for a coach every diagnosis is blank (the column stays, so
    every view and rule works the same; no diagnosis text can reach a page or a reason)."""
    data = readiness.Data.from_store(engine)
    return mask_data(data, role)


def mask_data(data: readiness.Data, role: str) -> readiness.Data:
    """`data` with what `role` may not see blanked out."""
    _check_role(role)
    hidden = HIDDEN_COLUMNS.get(role, {})
    if not hidden:
        return data
    frames = {}
    for name in ("athletes", "injuries", "tests", "sessions", "wellness"):
        df = getattr(data, name)
        cols = [c for c in hidden.get(name, ()) if c in df.columns]
        frames[name] = df.assign(**{c: pd.Series(pd.NA, index=df.index, dtype=df[c].dtype) for c in cols}) if cols else df
    return readiness.Data(**frames, tier_history=data.tier_history)


WITHHELD = "(withheld: medical staff only)"
# formats whose imports can carry injury records: rosters, our template, edits of the injury records
INJURY_FORMATS = re.compile(r"roster|template|injur", re.IGNORECASE)


def rejects_for(engine: Engine, role: str) -> pd.DataFrame:
    """Rejected rows and cells of live imports as `role` may see them: for a role that may not read
    diagnoses, the cell values rejected from roster and template files and injury edits (which carry
    injury records) are withheld and quoted text in their problem is elided, since either could be
    a diagnosis."""
    _check_role(role)
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
    _check_role(role)
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


# ------------------------------------------------------------------------------- right of access

def athlete_record(engine: Engine, athlete_id: str, role: str, who: str) -> bytes:
    """Everything the store holds on one athlete as an XLSX workbook (an athlete's access request,
    or the copy to keep before an erasure): their rows of every canonical table with provenance
    (import, file, sheet, row), superseded rows included, their tier changes and notes. Admins
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
    tiers = readiness.read_tier_history(engine)
    sheets["tier_changes"] = tiers[tiers["athlete_id"].astype(str) == athlete_id]
    sheets["notes"] = notes_lib.notes(engine, athlete_id)
    log_export(engine, who, f"athlete record {athlete_id}", sum(len(df) for df in sheets.values()), role)
    return workbook_bytes(sheets, title=f"Return to Speed: everything held on {athlete_id}")


# ------------------------------------------------------------------------------------ erasure

@dataclass
class Erasure:
    """What an erasure removed (rows per table) and rewrote (rows whose text named the athlete)."""

    removed: dict[str, int] = field(default_factory=dict)
    scrubbed: dict[str, int] = field(default_factory=dict)
    event_id: int | None = None  # the audit-log entry, which names neither the athlete nor the id

    @property
    def rows_removed(self) -> int:
        return sum(self.removed.values())


ATHLETE_COLUMNS = ("athlete_id", "suggested_id")
JSON_COLUMNS = {("imports", "report"), ("audit_log", "detail")}


def erase_athlete(engine: Engine, athlete_id: str, who: str, reference: str = "") -> Erasure:
    """Remove every trace of one athlete from the store (right to erasure); audit-logged without
    naming them (`reference`: the request's number in the club's register, if any)."""
    athlete_id = str(athlete_id or "").strip()
    if not athlete_id:
        raise ReturnToSpeedError("erasure needs an athlete id")
    store.metadata.create_all(engine)
    out = Erasure()
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA secure_delete=ON")  # freed pages are zeroed, not left readable
        tables = _all_tables(conn)
        terms = _identity_terms(conn, athlete_id)
        if not terms["names"] and not _has_rows(conn, tables, athlete_id):
            raise ReturnToSpeedError(f"there is no athlete '{athlete_id}'")
        words = terms["names"] | {athlete_id}
        pattern = _pattern(words)
        rows_of = _source_rows(conn, athlete_id)
        out.removed["rejects"] = _delete_rejects(conn, rows_of, pattern)
        for t in tables.values():
            cols = [t.c[c] for c in ATHLETE_COLUMNS if c in t.c]
            if cols:
                n = conn.execute(t.delete().where(sa.or_(*[c == athlete_id for c in cols]))).rowcount
                if n:
                    out.removed[t.name] = out.removed.get(t.name, 0) + n
        alias_keys = {name_key(n) for n in terms["names"]} - {""}
        if alias_keys and "athlete_aliases" in tables:
            a = tables["athlete_aliases"]
            n = conn.execute(a.delete().where(a.c.alias_key.in_(alias_keys))).rowcount
            out.removed["athlete_aliases"] = out.removed.get("athlete_aliases", 0) + n
        out.scrubbed["imports.report"] = _scrub_reports(conn, athlete_id, rows_of, pattern)
        out.scrubbed["audit_log"] = _redact_audit(conn, pattern)
        for (table, column), n in _scrub_text(conn, tables, words, pattern).items():
            out.scrubbed[f"{table}.{column}"] = out.scrubbed.get(f"{table}.{column}", 0) + n
        out.removed = {k: v for k, v in out.removed.items() if v}
        out.scrubbed = {k: v for k, v in out.scrubbed.items() if v}
        conn.execute(store.audit.insert().values(
            at=store.now(), who=who, action="erase athlete",
            detail=json.dumps({"reference": reference, "removed": out.removed, "scrubbed": out.scrubbed})))
        out.event_id = conn.execute(sa.select(sa.func.max(store.audit.c.event_id))).scalar_one()
    compact(engine)
    return out


def compact(engine: Engine) -> None:
    """SQLite: write the WAL back, VACUUM (free pages go), truncate the WAL. No-op elsewhere."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        db = raw.driver_connection
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def _all_tables(conn: sa.Connection) -> dict[str, sa.Table]:
    """Every table in the database, registered on store.metadata or not (reflected)."""
    reflected = sa.MetaData()
    reflected.reflect(conn)
    return dict(reflected.tables)


def _has_rows(conn: sa.Connection, tables: dict[str, sa.Table], athlete_id: str) -> bool:
    for t in tables.values():
        for c in ATHLETE_COLUMNS:
            if c in t.c and conn.execute(sa.select(t.c[c]).where(t.c[c] == athlete_id).limit(1)).first():
                return True
    return False


def _identity_terms(conn: sa.Connection, athlete_id: str) -> dict[str, set[str]]:
    """Every form of the athlete's name the store holds: roster names, names met in files, names
    suggestions and aliases pointed at them; with their cleaned, keyed and slug forms."""
    names: set[str] = set()
    ath = store.CANONICAL["athletes"]
    names |= set(conn.execute(sa.select(ath.c.name).where(ath.c.athlete_id == athlete_id)).scalars())
    s = store.suggestions
    names |= set(conn.execute(sa.select(s.c.name).where(s.c.athlete_id == athlete_id)).scalars())
    names |= set(conn.execute(sa.select(s.c.suggested_name).where(s.c.suggested_id == athlete_id)).scalars())
    names |= set(conn.execute(sa.select(store.aliases.c.alias_key).where(store.aliases.c.athlete_id == athlete_id)).scalars())
    forms: set[str] = set()
    for n in {n for n in names if n and str(n).strip()}:
        text = str(n).strip()
        cleaned = clean_name(text)
        parts = cleaned.split(" ")
        forms |= {text, cleaned, name_key(text), athlete_slug(text), athlete_slug(text).replace("-", "_")}
        if len(parts) > 1:
            forms.add(f"{parts[-1]}, {' '.join(parts[:-1])}")  # `Last, First` as rosters write it
    return {"names": {f for f in forms if f.strip()}}


def _pattern(terms: set[str]) -> re.Pattern[str]:
    """Case-insensitive matcher of any term as a whole word (not inside a longer word or number);
    also matches the JSON-escaped form of non-ASCII names."""
    variants: set[str] = set()
    for term in terms:
        variants |= {term, json.dumps(term)[1:-1]}
    alternatives = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
    return re.compile(rf"(?<![0-9A-Za-z])(?:{alternatives})(?![0-9A-Za-z])", re.IGNORECASE)


def _source_rows(conn: sa.Connection, athlete_id: str) -> set[tuple[int, str, int]]:
    """(import id, sheet, row) of every file row that became one of the athlete's canonical rows."""
    rows: set[tuple[int, str, int]] = set()
    for t in store.CANONICAL.values():
        q = sa.select(t.c.import_id, t.c.source_sheet, t.c.source_row).where(t.c.athlete_id == athlete_id)
        rows |= {(int(i), s or "", int(r)) for i, s, r in conn.execute(q).all() if i is not None and r is not None}
    return rows


def _delete_rejects(conn: sa.Connection, rows_of: set[tuple[int, str, int]], pattern: re.Pattern[str]) -> int:
    """Rejected cells of the athlete's rows, and rejects whose value names them."""
    r = store.rejects
    doomed = [rid for rid, imp, sheet, row, value in conn.execute(
        sa.select(r.c.reject_id, r.c.import_id, r.c.sheet, r.c.row, r.c.value)).all()
        if (imp, sheet or "", row) in rows_of or (value and pattern.search(str(value)))]
    for i in range(0, len(doomed), 500):
        conn.execute(r.delete().where(r.c.reject_id.in_(doomed[i:i + 500])))
    return len(doomed)


def _scrub(value: object, pattern: re.Pattern[str]) -> object:
    """Any string inside a JSON value with the athlete's name or id replaced."""
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [_scrub(v, pattern) for v in value]
    if isinstance(value, dict):
        return {pattern.sub(ERASED, k): _scrub(v, pattern) for k, v in value.items()}
    return value


def _scrub_reports(conn: sa.Connection, athlete_id: str, rows_of: set[tuple[int, str, int]],
                   pattern: re.Pattern[str]) -> int:
    """Import reports without the athlete: their new-athlete and suggestion entries and the
    rejects of their rows dropped, any other mention of the name or id replaced."""
    imp = store.imports
    changed = 0
    for import_id, text in conn.execute(sa.select(imp.c.import_id, imp.c.report).where(imp.c.report.is_not(None))).all():
        try:
            report = json.loads(text)
        except ValueError:
            report = text
        if isinstance(report, dict):
            report["new_athletes"] = [a for a in report.get("new_athletes", []) if a.get("athlete_id") != athlete_id]
            report["suggestions"] = [s for s in report.get("suggestions", [])
                                     if athlete_id not in (s.get("athlete_id"), s.get("suggested_id"))]
            report["rejects"] = [p for p in report.get("rejects", [])
                                 if (import_id, p.get("sheet") or "", p.get("row")) not in rows_of]
        new = json.dumps(_scrub(report, pattern), default=str)
        if new != text:
            conn.execute(imp.update().where(imp.c.import_id == import_id).values(report=new))
            changed += 1
    return changed


def _redact_audit(conn: sa.Connection, pattern: re.Pattern[str]) -> int:
    """Audit entries that name the athlete keep who, when and what was done, not the detail."""
    a = store.audit
    hits = [eid for eid, detail in conn.execute(sa.select(a.c.event_id, a.c.detail)).all()
            if detail and pattern.search(detail)]
    for i in range(0, len(hits), 500):
        conn.execute(a.update().where(a.c.event_id.in_(hits[i:i + 500]))
                     .values(detail=json.dumps({"redacted": "detail removed by an athlete erasure"})))
    return len(hits)


def _scrub_text(conn: sa.Connection, tables: dict[str, sa.Table], words: set[str],
                pattern: re.Pattern[str]) -> dict[tuple[str, str], int]:
    """Last sweep over every text column of every table (file names, sheet names, free text):
    the athlete's name or id replaced wherever it is still written."""
    changed: dict[tuple[str, str], int] = {}
    variants = {v.lower() for w in words for v in (w, json.dumps(w)[1:-1])}
    for t in tables.values():
        key = list(t.primary_key.columns)
        if not key:
            continue
        for col in t.columns:
            if not isinstance(col.type, (sa.String, sa.Text)) or col.primary_key:
                continue
            maybe = sa.or_(*[sa.func.lower(col).contains(v, autoescape=True) for v in variants])
            for row in conn.execute(sa.select(*key, col).where(col.is_not(None), maybe)).all():
                value = row[-1]
                if not isinstance(value, str) or not pattern.search(value):
                    continue
                new = pattern.sub(ERASED, value)
                conn.execute(t.update().where(*[k == v for k, v in zip(key, row[:-1])]).values({col.name: new}))
                changed[(t.name, col.name)] = changed.get((t.name, col.name), 0) + 1
    return changed
