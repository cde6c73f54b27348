"""After an erasure: compact the store and scan its files' bytes for the erased names, ids and texts."""

from __future__ import annotations

import json
import os
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
