"""Undoing an import: its rows go, what it superseded comes back, rows it claimed pass to the newest claimant."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.core.access import AccessDenied, can
from lib.core.errors import ReturnToSpeedError
from lib.core.schema import TABLES
from lib.ingest.rows import _chunks


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
