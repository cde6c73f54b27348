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
every form of their names and id (lib.pseudonym's scrubber: `KwameAsante-retest.csv`,
`asante.csv`, `O'Connor`/`oconnor`, aliases) from the import reports, file names and audit-log
details, leaving everyone else's names as written. Profiles that look like the same person (a
typo never merged, `Kwame Asante2`) are listed and must be decided first: erased with them or
declared someone else; nothing is erased until then. Then (SQLite) it checkpoints the WAL
(TRUNCATE) and VACUUMs, and scans the bytes of the store files (database, -wal) for their names,
id, diagnoses and notes; a reader holding an old snapshot keeps those pages alive, so the scan is
retried and, failing, reported with the processes that have the store open (the command exits 1).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import lib.store.notes as notes_lib
import lib.readiness as readiness
import lib.core.settings  # noqa: F401 - registers team_settings on store.metadata
from lib import store
from lib.core.errors import ReturnToSpeedError
from lib.exports import workbook_bytes
from lib.ingest.normalize import name_key
from lib.privacy.pseudonym import KEEP, Scrubber
from lib.core.schema import TABLES

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
    team's thresholds), record_tier (a tier change), edit_plan (a weekly plan: every role), administer,
    erase, see_audit. The criteria and
    the tier decisions are the medical staff's: coaches read them."""
    _check_role(role)
    if action in ("see_diagnosis", "see_notes", "edit_injuries", "edit_settings", "record_tier"):
        return role in CLINICAL_ROLES
    if action in ("administer", "erase", "see_audit"):
        return role == "admin"
    if action == "edit_plan":  # the weekly high-velocity plan: coaches and sports scientists edit it too
        return True
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
    return readiness.Data(**frames, tier_history=data.tier_history, plans=data.plans)


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
    erased: list[str] = field(default_factory=list)  # the athlete and any profile of theirs erased with them
    verification: "Verification | None" = None
    needles: dict[str, list[bytes]] = field(default_factory=dict, repr=False)

    @property
    def rows_removed(self) -> int:
        return sum(self.removed.values())


ATHLETE_COLUMNS = ("athlete_id", "suggested_id")
NEAR_DUPLICATE_SCORE = 85.0  # rapidfuzz token-sort ratio of two names' keys above which they may be one person
VERIFY_ATTEMPTS = 3
VERIFY_WAIT_S = 1.0
CHECKPOINT_WAIT_MS = 1000  # how long one checkpoint waits for a reader to finish
MIN_SCANNED = 5  # shortest name part or text the byte scan looks for (shorter ones hit unrelated bytes)


class NearDuplicates(ReturnToSpeedError):
    """Other athlete profiles look like the same person: the erasure needs a decision on each."""

    def __init__(self, athlete_id: str, found: list[dict[str, object]]) -> None:
        self.found = found
        listed = "; ".join(f"'{f['name']}' ({f['athlete_id']}, {f['rows']} rows, {f['score']:.0f}% alike)"
                           for f in found)
        super().__init__(
            f"{len(found)} other profile(s) look like the same person as '{athlete_id}': {listed}. Merge each into "
            f"'{athlete_id}' first (Data page, Name matches; `python -m lib match --merge`), erase them with it "
            "(`--also ID`), or confirm they are someone else (`--keep ID`). Nothing was erased.")


def near_duplicates(engine: Engine, athlete_id: str) -> list[dict[str, object]]:
    """Other athletes whose name looks like one of `athlete_id`'s names (a typo'd profile never
    merged: `Kwame Asante2`, `Mia Lauren`): athlete_id, name, rows held, score (%), best first."""
    from rapidfuzz import fuzz

    athlete_id = str(athlete_id or "").strip()
    with engine.connect() as conn:
        own = {name_key(n) for n in _identity_names(conn, athlete_id)} - {""}
        ath = store.CANONICAL["athletes"]
        others = conn.execute(sa.select(ath.c.athlete_id, ath.c.name).where(ath.c.athlete_id != athlete_id)
                              .where(ath.c.superseded_by.is_(None))).all()
        found: dict[str, dict[str, object]] = {}
        for other_id, name in others:
            key = name_key(name)
            letters = _letters(key)  # `kwame asante2` and `kwame asante` are one spelling
            score = max([fuzz.token_sort_ratio(key, k) for k in own]
                        + [100.0 if letters and letters == _letters(k) else 0.0 for k in own] or [0.0])
            if score >= NEAR_DUPLICATE_SCORE and str(other_id) not in found:
                rows = sum(conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.athlete_id == other_id))
                           .scalar_one() for t in store.CANONICAL.values())
                found[str(other_id)] = {"athlete_id": str(other_id), "name": str(name), "rows": int(rows),
                                        "score": float(score)}
    return sorted(found.values(), key=lambda f: -float(f["score"]))  # type: ignore[arg-type]


def _letters(key: str) -> str:
    return re.sub(r"[^a-z ]+", "", key).strip()


@dataclass
class Verification:
    """The byte scan of the store files after an erasure (SQLite; elsewhere `checked` is False)."""

    checked: bool = False
    clean: bool = True
    attempts: int = 0
    found: list[str] = field(default_factory=list)  # what is still in which file (kinds, never the text)
    holders: list[str] = field(default_factory=list)  # other processes with the store open
    files: list[str] = field(default_factory=list)

    def message(self) -> str:
        """One sentence for the command line and the page."""
        if not self.checked:
            return ("tables rewritten (VACUUM FULL), not byte-checked: the server's write-ahead log, replicas "
                    "and backups keep copies until they are recycled")
        if self.clean:
            return f"verified: none of their names, ids, diagnoses or notes is left in {', '.join(self.files)}"
        who = ("; processes with the store open: " + ", ".join(self.holders)) if self.holders else ""
        return (f"NOT verified after {self.attempts} attempts: {', '.join(self.found)}. Another connection holds "
                f"a read snapshot of the store (an open app page or a `sqlite3` shell): close it, then run the "
                f"erasure of the same athlete again{who}")


def _identity_names(conn: sa.Connection, athlete_id: str) -> set[str]:
    """Every name the store knows the athlete by: roster names, names met in files, aliases."""
    ath, s, a = store.CANONICAL["athletes"], store.suggestions, store.aliases
    names = set(conn.execute(sa.select(ath.c.name).where(ath.c.athlete_id == athlete_id)).scalars())
    names |= set(conn.execute(sa.select(s.c.name).where(s.c.athlete_id == athlete_id)).scalars())
    names |= set(conn.execute(sa.select(s.c.suggested_name).where(s.c.suggested_id == athlete_id)).scalars())
    names |= set(conn.execute(sa.select(a.c.alias_key).where(a.c.athlete_id == athlete_id)).scalars())
    return {str(n).strip() for n in names if n is not None and str(n).strip()}


def _matcher(conn: sa.Connection, ids: list[str]) -> tuple[Scrubber, set[str]]:
    """The scrubber that replaces every form of the erased athletes' names and ids by `[erased]`
    (`lib.pseudonym.Scrubber`) and leaves everyone else's as written: a form another athlete's name
    shares (`Mia` of `Mia Chen`) and a longer one that is theirs (`Kwame Asante2`, kept as someone
    else) stay. Also returns the erased athletes' names as written."""
    names = {aid: _identity_names(conn, aid) for aid in ids}
    rows = [(aid, n) for aid, ns in names.items() for n in ns] + [(aid, "") for aid in ids]
    ath = store.CANONICAL["athletes"]
    others = {str(a) for a in conn.execute(sa.select(ath.c.athlete_id).where(ath.c.athlete_id.not_in(ids))).scalars()}
    rows += [(aid, n) for aid in others for n in _identity_names(conn, aid) | {""}]
    frame = pd.DataFrame(rows, columns=["athlete_id", "name"]).astype("string")
    shown = {aid: (ERASED if aid in ids else KEEP) for aid in [*ids, *others]}
    return Scrubber.build(frame, shown, fallback=KEEP), {n for ns in names.values() for n in ns}


def erase_athlete(engine: Engine, athlete_id: str, who: str, reference: str = "", also: tuple[str, ...] = (),
                  keep: tuple[str, ...] = (), attempts: int | None = None, wait: float | None = None) -> Erasure:
    """Remove every trace of one athlete from the store (right to erasure); audit-logged without
    naming them (`reference`: the request's number in the club's register, if any).

    Profiles that look like the same person (`near_duplicates`) must each be decided first: erased
    with them (`also`) or declared someone else (`keep`); otherwise NearDuplicates lists them and
    nothing is erased. Every form of their names is scrubbed from file names, import reports and
    the audit log (`lib.pseudonym.Scrubber`); then the store is compacted and its files' bytes
    scanned (`verify_erased`): the result is in `Erasure.verification`."""
    athlete_id = str(athlete_id or "").strip()
    if not athlete_id:
        raise ReturnToSpeedError("erasure needs an athlete id")
    store.metadata.create_all(engine)
    ids = list(dict.fromkeys([athlete_id, *(str(a).strip() for a in also if str(a).strip())]))
    undecided = [d for aid in ids for d in near_duplicates(engine, aid) if d["athlete_id"] not in set(ids) | set(keep)]
    if undecided:
        raise NearDuplicates(athlete_id, list({d["athlete_id"]: d for d in undecided}.values()))
    out = Erasure(erased=ids)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA secure_delete=ON")  # freed pages are zeroed, not left readable
        tables = _all_tables(conn)
        for aid in ids:
            if not _identity_names(conn, aid) and not _has_rows(conn, tables, aid):
                raise ReturnToSpeedError(f"there is no athlete '{aid}'")
        scrub, names = _matcher(conn, ids)
        out.needles = _needles(conn, ids, names, scrub)
        for aid in ids:
            rows_of = _source_rows(conn, aid)
            _add(out.removed, "rejects", _delete_rejects(conn, rows_of, scrub))
            for t in tables.values():
                cols = [t.c[c] for c in ATHLETE_COLUMNS if c in t.c]
                if cols:
                    gone = conn.execute(t.delete().where(sa.or_(*[c == aid for c in cols]))).rowcount
                    _add(out.removed, t.name, gone)
            _add(out.scrubbed, "imports.report", _scrub_reports(conn, aid, rows_of, scrub))
        alias_keys = {name_key(n) for n in names} - {""}
        if alias_keys and "athlete_aliases" in tables:
            a = tables["athlete_aliases"]
            _add(out.removed, "athlete_aliases", conn.execute(a.delete().where(a.c.alias_key.in_(alias_keys))).rowcount)
        _add(out.scrubbed, "audit_log", _redact_audit(conn, scrub))
        for (table, column), n in _scrub_text(conn, tables, scrub).items():
            _add(out.scrubbed, f"{table}.{column}", n)
        out.removed = {k: v for k, v in out.removed.items() if v}
        out.scrubbed = {k: v for k, v in out.scrubbed.items() if v}
        conn.execute(store.audit.insert().values(
            at=store.now(), who=who, action="erase athlete",
            detail=json.dumps({"reference": reference, "profiles": len(ids), "removed": out.removed,
                               "scrubbed": out.scrubbed})))
        out.event_id = conn.execute(sa.select(sa.func.max(store.audit.c.event_id))).scalar_one()
    out.verification = verify_erased(engine, out.needles, VERIFY_ATTEMPTS if attempts is None else attempts,
                                     VERIFY_WAIT_S if wait is None else wait)
    return out


def _add(counts: dict[str, int], key: str, n: int) -> None:
    counts[key] = counts.get(key, 0) + int(n or 0)


def _needles(conn: sa.Connection, ids: list[str], names: set[str], scrub: Scrubber) -> dict[str, list[bytes]]:
    """What the byte scan looks for, by kind: the erased athletes' names (as written and joined),
    parts of 5 letters or more no one else's name has, ids; their diagnoses and notes unless another
    athlete's record holds the same text. Lower-case UTF-8, and JSON-escaped for non-ASCII."""
    def forms(text: str) -> list[bytes]:
        low = text.lower()
        return list(dict.fromkeys([low.encode("utf-8"), json.dumps(low)[1:-1].encode("ascii")]))

    out: dict[str, list[bytes]] = {"their name": [], "their id": [], "a diagnosis": [], "a note": []}
    for name in names:
        if len(name) >= MIN_SCANNED:
            out["their name"] += forms(name)
    for form, rep in {**scrub.parts, **scrub.wholes}.items():
        if rep == ERASED and len(form) >= MIN_SCANNED and not form.isdigit():
            out["their name"] += forms(form)
    out["their id"] = [f for aid in ids if len(aid) >= 4 for f in forms(aid)]
    inj = store.CANONICAL["injuries"]
    theirs = set(conn.execute(sa.select(inj.c.diagnosis).where(inj.c.athlete_id.in_(ids))).scalars())
    others = set(conn.execute(sa.select(inj.c.diagnosis).where(inj.c.athlete_id.not_in(ids))).scalars())
    out["a diagnosis"] = [f for d in theirs - others if d and len(d.strip()) >= MIN_SCANNED for f in forms(d.strip())]
    notes_table = store.metadata.tables.get("athlete_notes")
    if notes_table is not None:
        text_col = next((c for c in notes_table.columns if c.name in ("note", "text")), None)
        if text_col is not None:
            mine = set(conn.execute(sa.select(text_col).where(notes_table.c.athlete_id.in_(ids))).scalars())
            rest = set(conn.execute(sa.select(text_col).where(notes_table.c.athlete_id.not_in(ids))).scalars())
            out["a note"] = [f for n in mine - rest if n and len(n.strip()) >= MIN_SCANNED for f in forms(n.strip())]
    return {k: list(dict.fromkeys(v)) for k, v in out.items() if v}


def store_files(engine: Engine) -> list[Path]:
    """The files of an SQLite store: the database and its -wal / -journal when present."""
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return []
    db = Path(engine.url.database)
    return [p for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-journal")) if p.exists()]


def _scan(files: list[Path], needles: dict[str, list[bytes]]) -> list[str]:
    """`kind in file` for every kind of needle whose bytes are still in a file (case-insensitive)."""
    found = []
    for path in files:
        raw = path.read_bytes().lower()
        found += [f"{kind} in {path.name}" for kind, forms in needles.items() if any(f in raw for f in forms)]
    return found


def verify_erased(engine: Engine, needles: dict[str, list[bytes]], attempts: int = VERIFY_ATTEMPTS,
                  wait: float = VERIFY_WAIT_S) -> Verification:
    """Compact the store (`compact`: WAL checkpoint TRUNCATE, VACUUM) and scan its files' bytes for
    `needles`; a reader holding a snapshot keeps old pages alive, so retry `attempts` times `wait`
    seconds apart, then name the other processes that have the store open."""
    import time

    result = Verification(checked=bool(store_files(engine)))
    if not result.checked:
        compact(engine)
        return result
    for attempt in range(1, max(1, attempts) + 1):
        result.attempts = attempt
        compact(engine)  # a reader's snapshot may keep it from finishing: the bytes decide
        files = store_files(engine)
        result.files = [p.name for p in files]
        result.found = _scan(files, needles)
        if not result.found:
            result.clean = True
            return result
        if attempt < attempts:
            time.sleep(wait)
    result.clean = False
    result.holders = _holders(Path(engine.url.database))
    return result


def _holders(db: Path) -> list[str]:
    """`pid command` of every process with the store file open (Linux /proc; elsewhere none known)."""
    found = []
    proc = Path("/proc")
    target = {str(db.resolve()), str(db.resolve()) + "-wal"}
    for pid_dir in proc.glob("[0-9]*") if proc.is_dir() else []:
        try:
            if any(os.readlink(fd) in target for fd in (pid_dir / "fd").iterdir()):
                cmd = (pid_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                mine = " (this process)" if int(pid_dir.name) == os.getpid() else ""
                found.append(f"{pid_dir.name}{mine} {cmd[:80]}")
        except OSError:
            continue
    return found


def compact(engine: Engine) -> bool:
    """SQLite: write the WAL back, VACUUM (free pages go), truncate the WAL; True when a reader kept
    the checkpoint from finishing. PostgreSQL: VACUUM FULL of every table of the store, so the old
    versions of erased rows leave its pages (False: nothing to wait for)."""
    if engine.dialect.name == "postgresql":
        store.vacuum_full(engine)
        return False
    if engine.dialect.name != "sqlite":
        return False
    raw = engine.raw_connection()
    db = raw.driver_connection
    timeout = db.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        # a TRUNCATE checkpoint waits for readers through the busy handler: not 30 s per try here
        db.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        db.execute("VACUUM")
        busy = busy or db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    finally:
        db.execute(f"PRAGMA busy_timeout={int(timeout)}")
        raw.close()
    return bool(busy)


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


def _source_rows(conn: sa.Connection, athlete_id: str) -> set[tuple[int, str, int]]:
    """(import id, sheet, row) of every file row that became one of the athlete's canonical rows."""
    rows: set[tuple[int, str, int]] = set()
    for t in store.CANONICAL.values():
        q = sa.select(t.c.import_id, t.c.source_sheet, t.c.source_row).where(t.c.athlete_id == athlete_id)
        rows |= {(int(i), s or "", int(r)) for i, s, r in conn.execute(q).all() if i is not None and r is not None}
    return rows


def _delete_rejects(conn: sa.Connection, rows_of: set[tuple[int, str, int]], scrub: Scrubber) -> int:
    """Rejected cells of the athlete's rows, and rejects whose value names them."""
    r = store.rejects
    doomed = [rid for rid, imp, sheet, row, value in conn.execute(
        sa.select(r.c.reject_id, r.c.import_id, r.c.sheet, r.c.row, r.c.value)).all()
        if (imp, sheet or "", row) in rows_of or (value and scrub.names(str(value)))]
    for i in range(0, len(doomed), 500):
        conn.execute(r.delete().where(r.c.reject_id.in_(doomed[i:i + 500])))
    return len(doomed)


def _scrub(value: object, scrub: Scrubber) -> object:
    """Any string inside a JSON value with the athlete's names and id replaced."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub(v, scrub) for v in value]
    if isinstance(value, dict):
        return {scrub(k): _scrub(v, scrub) for k, v in value.items()}
    return value


def _json_or_text(text: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        return text


def _names_inside(value: object, scrub: Scrubber) -> bool:
    return _scrub(value, scrub) != value


def _scrub_reports(conn: sa.Connection, athlete_id: str, rows_of: set[tuple[int, str, int]], scrub: Scrubber) -> int:
    """Import reports without the athlete: their new-athlete and suggestion entries and the
    rejects of their rows dropped, any other mention of their names or id replaced."""
    imp = store.imports
    changed = 0
    stored = conn.execute(sa.select(imp.c.import_id, imp.c.report).where(imp.c.report.is_not(None))).all()
    for import_id, text in stored:
        report = _json_or_text(text)
        if isinstance(report, dict):
            report["new_athletes"] = [a for a in report.get("new_athletes", []) if a.get("athlete_id") != athlete_id]
            report["suggestions"] = [s for s in report.get("suggestions", [])
                                     if athlete_id not in (s.get("athlete_id"), s.get("suggested_id"))]
            report["rejects"] = [p for p in report.get("rejects", [])
                                 if (import_id, p.get("sheet") or "", p.get("row")) not in rows_of]
        new = json.dumps(_scrub(report, scrub), default=str) if not isinstance(report, str) else str(scrub(report))
        if new != text:
            conn.execute(imp.update().where(imp.c.import_id == import_id).values(report=new))
            changed += 1
    return changed


def _redact_audit(conn: sa.Connection, scrub: Scrubber) -> int:
    """Audit entries that name the athlete keep who, when and what was done, not the detail."""
    a = store.audit
    hits = [eid for eid, detail in conn.execute(sa.select(a.c.event_id, a.c.detail)).all()
            if detail and _names_inside(_json_or_text(detail), scrub)]
    for i in range(0, len(hits), 500):
        conn.execute(a.update().where(a.c.event_id.in_(hits[i:i + 500]))
                     .values(detail=json.dumps({"redacted": "detail removed by an athlete erasure"})))
    return len(hits)


def _scrub_text(conn: sa.Connection, tables: dict[str, sa.Table], scrub: Scrubber) -> dict[tuple[str, str], int]:
    """Last sweep over every text column of every table (file names, sheet names, free text, JSON):
    each distinct value read once, and rewritten wherever it names the athlete."""
    changed: dict[tuple[str, str], int] = {}
    for t in tables.values():
        for col in t.columns:
            if not isinstance(col.type, (sa.String, sa.Text)) or col.primary_key:
                continue
            for value in conn.execute(sa.select(col).where(col.is_not(None)).distinct()).scalars():
                if not isinstance(value, str) or not value:
                    continue
                parsed = _json_or_text(value)
                if isinstance(parsed, (dict, list)):
                    new = json.dumps(_scrub(parsed, scrub), default=str)
                    new = value if _scrub(parsed, scrub) == parsed else new
                else:
                    new = str(scrub(value))
                if new != value:
                    n = conn.execute(t.update().where(col == value).values({col.name: new})).rowcount
                    changed[(t.name, col.name)] = changed.get((t.name, col.name), 0) + int(n or 0)
    return changed
