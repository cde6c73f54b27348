"""Erasure of one athlete: every row, every form of their names in reports, file names and the audit log."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.core.access import require
from lib.core.errors import ReturnToSpeedError
from lib.ingest.normalize import name_key
from lib.privacy.names import KEEP, Scrubber
from lib.privacy import verify
from lib.privacy.verify import ERASED, Verification, _needles, erasing_xid, verify_erased




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
    (`lib.privacy.names.Scrubber`) and leaves everyone else's as written: a form another athlete's name
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
                  keep: tuple[str, ...] = (), attempts: int | None = None, wait: float | None = None,
                  role: str | None = None) -> Erasure:
    """Remove every trace of one athlete from the store (right to erasure); audit-logged without
    naming them (`reference`: the request's number in the club's register, if any).

    Profiles that look like the same person (`near_duplicates`) must each be decided first: erased
    with them (`also`) or declared someone else (`keep`); otherwise NearDuplicates lists them and
    nothing is erased. Every form of their names is scrubbed from file names, import reports and
    the audit log (`lib.privacy.pseudonym.Scrubber`); then the store is compacted and its files' bytes
    scanned (`verify_erased`): the result is in `Erasure.verification`. With `role` (the app
    passes it), only an admin may erase."""
    if role is not None:
        require(role, "erase")
    athlete_id = str(athlete_id or "").strip()
    if not athlete_id:
        raise ReturnToSpeedError("erasure needs an athlete id")
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
        xid = erasing_xid(conn)
    out.verification = verify_erased(engine, out.needles, verify.VERIFY_ATTEMPTS if attempts is None else attempts,
                                     verify.VERIFY_WAIT_S if wait is None else wait, erasure_xid=xid)
    return out


def _add(counts: dict[str, int], key: str, n: int) -> None:
    counts[key] = counts.get(key, 0) + int(n or 0)


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
