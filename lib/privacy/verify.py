"""After an erasure: compact the store and scan its files' bytes for the erased names, ids and texts."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.privacy.names import Scrubber


ERASED = "[erased]"  # what an erased athlete's names and id become
VERIFY_ATTEMPTS = 3
VERIFY_WAIT_S = 1.0
CHECKPOINT_WAIT_MS = 1000  # how long one checkpoint waits for a reader to finish
MIN_SCANNED = 5  # shortest name part or text the byte scan looks for (shorter ones hit unrelated bytes)


@dataclass
class Verification:
    """After an erasure: the byte scan of an SQLite store's files, or on PostgreSQL (`server`) the
    check that no transaction older than the erasure kept VACUUM FULL from removing the old versions
    of its rows (elsewhere `checked` is False)."""

    checked: bool = False
    server: bool = False
    compacted: bool = False  # `compact_store` after the fact: no byte scan
    clean: bool = True
    attempts: int = 0
    found: list[str] = field(default_factory=list)  # what is still in which file (kinds, never the text)
    holders: list[str] = field(default_factory=list)  # other processes with the store open (server: connections)
    files: list[str] = field(default_factory=list)

    def message(self) -> str:
        """One sentence for the command line and the page."""
        if not self.checked:
            return ("tables rewritten (VACUUM FULL), not byte-checked: the server's write-ahead log, replicas "
                    "and backups keep copies until they are recycled")
        if self.server and self.clean:
            return ("verified: tables rewritten (VACUUM FULL) with no transaction older than the erasure still open, "
                    "so no old version of their rows is left in them; the server's write-ahead log, replicas and "
                    "backups keep copies until they are recycled")
        if self.server:
            return (f"NOT verified after {self.attempts} attempts: their rows are deleted, but old versions of them "
                    f"stay in the tables' pages (VACUUM FULL cannot remove them) while these hold a transaction that "
                    f"began before the erasure: {'; '.join(self.holders)}. End those transactions (close the app "
                    f"page or the psql session), then run `python -m lib compact`")
        if self.compacted and self.clean:
            return f"compacted: every page of deleted rows is rewritten in {', '.join(self.files)}"
        who = ("; processes with the store open: " + ", ".join(self.holders)) if self.holders else ""
        if self.compacted:
            return (f"NOT compacted after {self.attempts} attempts: another connection holds a read snapshot of "
                    f"the store (an open app page or a `sqlite3` shell): close it, then run "
                    f"`python -m lib compact` again{who}")
        if self.clean:
            return f"verified: none of their names, ids, diagnoses or notes is left in {', '.join(self.files)}"
        return (f"NOT verified after {self.attempts} attempts: {', '.join(self.found)}. Another connection holds "
                f"a read snapshot of the store (an open app page or a `sqlite3` shell): close it, then run "
                f"`python -m lib compact`{who}")


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
                  wait: float = VERIFY_WAIT_S, erasure_xid: int | None = None) -> Verification:
    """Compact the store (`compact`: WAL checkpoint TRUNCATE, VACUUM) and scan its files' bytes for
    `needles`; a reader holding a snapshot keeps old pages alive, so retry `attempts` times `wait`
    seconds apart, then name the other processes that have the store open. PostgreSQL:
    `verify_on_server` (`erasure_xid`: the erasing transaction's id)."""
    if engine.dialect.name == "postgresql":
        return verify_on_server(engine, erasure_xid, attempts, wait)
    result = Verification(checked=bool(store_files(engine)))
    if not result.checked:
        compact(engine)
        return result

    def scanned() -> bool:
        compact(engine)  # a reader's snapshot may keep it from finishing: the bytes decide
        files = store_files(engine)
        result.files = [p.name for p in files]
        result.found = _scan(files, needles)
        return not result.found

    result.attempts, result.clean = _until(attempts, wait, scanned)
    if result.clean:
        return result
    result.holders = _holders(Path(engine.url.database))
    return result


def verify_on_server(engine: Engine, erasure_xid: int | None, attempts: int = VERIFY_ATTEMPTS,
                     wait: float = VERIFY_WAIT_S) -> Verification:
    """PostgreSQL: VACUUM FULL copies a deleted row's old version into the rewritten table while any
    transaction that may still read it is open (one that began before the erasure committed: an
    idle app page's, a psql session's, a prepared transaction, a replication slot's), and says
    nothing. So wait, `attempts` times `wait` seconds apart, until none is left (`snapshot_holders`),
    then VACUUM FULL; with one still open (or a table VACUUM FULL cannot lock) the result is not
    clean and names the connections: the rows are deleted, their old versions wait for a VACUUM
    FULL. `erasure_xid` None (a check after the fact): every transaction older than now counts."""
    result = Verification(checked=True, server=True)
    with engine.connect() as conn:
        # None: the last transaction id handed out before now stands for the erasure's
        mark = erasure_xid if erasure_xid is not None else int(conn.exec_driver_sql(
            "SELECT pg_snapshot_xmax(pg_current_snapshot())::text").scalar_one()) - 1
    def none_older() -> bool:
        result.holders = snapshot_holders(engine, mark)
        return not result.holders

    result.attempts, _ = _until(attempts, wait, none_older)
    if not result.holders:  # with one open, VACUUM FULL could not remove the rows and would wait on its locks
        try:
            store.vacuum_full(engine)
        except store.VacuumBlocked as blocked:
            result.holders = [f"a connection with {', '.join(blocked.tables)} in use (not locked within "
                              f"{blocked.timeout_s:g} s)"]
    result.clean = not result.holders
    if not result.clean:
        result.found = ["old versions of their rows in the tables' pages"]
    return result


_HOLDERS = """
SELECT 'connection ' || pid || ' (' || coalesce(nullif(application_name, ''), backend_type) || ', user '
       || coalesce(usename, '?') || coalesce(', from ' || host(client_addr), '') || coalesce(', transaction open since '
       || to_char(xact_start, 'YYYY-MM-DD HH24:MI:SS'), '') || ')'
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
  AND ((backend_xmin IS NOT NULL AND age(backend_xmin) >= age(CAST(:xid AS xid)))
       OR (backend_xid IS NOT NULL AND age(backend_xid) > age(CAST(:xid AS xid))))
UNION ALL
SELECT 'prepared transaction ' || quote_literal(gid) || ' of ' || owner
FROM pg_prepared_xacts WHERE database = current_database() AND age(transaction) > age(CAST(:xid AS xid))
UNION ALL
SELECT 'replication slot ' || quote_literal(slot_name)
FROM pg_replication_slots
WHERE xmin IS NOT NULL AND age(xmin) >= age(CAST(:xid AS xid)) AND (database IS NULL OR database = current_database())
"""


def snapshot_holders(engine: Engine, erasure_xid: int) -> list[str]:
    """PostgreSQL: what may still read rows the transaction `erasure_xid` deleted (so VACUUM FULL
    keeps them): other connections to this database whose snapshot or own transaction is older than
    it, prepared transactions, replication slots holding the horizon back. Any role sees these."""
    with engine.connect() as conn:
        return list(conn.execute(sa.text(_HOLDERS), {"xid": str(int(erasure_xid) % 2**32)}).scalars())


def erasing_xid(conn: sa.Connection) -> int | None:
    """PostgreSQL: the id of the transaction `conn` is in (the erasure's); None elsewhere."""
    if conn.dialect.name != "postgresql":
        return None
    return int(conn.exec_driver_sql("SELECT pg_current_xact_id()::text").scalar_one())


def compact_store(engine: Engine, attempts: int | None = None, wait: float | None = None) -> Verification:
    """`python -m lib compact`: what an erasure that was NOT verified asks for once the other
    connections are closed (the erased names are gone, so no byte scan: the compaction's own
    outcome decides). SQLite: `compact`, retried `attempts` times `wait` seconds apart while a
    reader keeps the checkpoint from finishing, then the processes with the store open are named.
    PostgreSQL: `verify_on_server` against every transaction older than now. `attempts` and `wait`
    default to VERIFY_ATTEMPTS and VERIFY_WAIT_S."""
    attempts = VERIFY_ATTEMPTS if attempts is None else attempts
    wait = VERIFY_WAIT_S if wait is None else wait
    if engine.dialect.name == "postgresql":
        return verify_on_server(engine, None, attempts, wait)
    result = Verification(checked=bool(store_files(engine)), compacted=True)
    result.attempts, result.clean = _until(attempts, wait, lambda: not compact(engine))
    if result.clean:
        result.files = [p.name for p in store_files(engine)]
        return result
    result.found = ["old pages of deleted rows"]
    result.holders = _holders(Path(engine.url.database)) if engine.url.database else []
    return result


def _until(attempts: int, wait: float, done: Callable[[], bool]) -> tuple[int, bool]:
    """Call `done` until it returns True, at most `attempts` times (at least once), `wait` seconds
    apart: (the attempts made, whether it did)."""
    for attempt in range(1, max(1, attempts) + 1):
        if done():
            return attempt, True
        if attempt < attempts:
            time.sleep(wait)
    return max(1, attempts), False


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
    versions of erased rows leave its pages (True when a table was in use: see `verify_on_server`)."""
    if engine.dialect.name == "postgresql":
        try:
            store.vacuum_full(engine)
        except store.VacuumBlocked:
            return True
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
