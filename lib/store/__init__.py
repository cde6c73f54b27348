"""The store: canonical tables plus provenance, on SQLAlchemy Core.

Embedded SQLite by default (`RTS_DB`, else `data/rts.sqlite` under the project); the same code
serves a PostgreSQL URL (`postgresql+psycopg://user@host/db`). The schema is versioned by
Alembic revisions in lib/store/migrations, applied on first use. Every row keeps its import id, file, sheet and row. Rows are never
updated in place: a corrected re-export marks the rows it replaces as superseded by the new
import, so that undoing that import brings them back; a re-export that repeats a row unchanged
claims it (`row_claims`), so that undoing the first import keeps it.

The layer's modules: `tables` (every table, declared once), `engine` (connect, migrate, snapshots),
`reads` and `writes`, `backups`, and the store-backed records: `settings` (a team's thresholds),
`tiers` (recorded tier changes), `mss` (staff MSS decisions), `notes`, `data` (the `Data` the engine reads). The names most
callers use are re-exported here (`store.connect`, `store.read_table`, `store.imports`).
"""

from __future__ import annotations

from lib.store.backups import VACUUM_LOCK_TIMEOUT_S, VacuumBlocked, backup, restore, vacuum_full
from lib.store.engine import DEFAULT_DB, PROJECT_DIR, connect, db_url, dispose_all, migrate, snapshot
from lib.store.reads import (
    data_version, find_import_by_hash, is_empty, read_aliases, read_imports, read_rejects, read_suggestions, read_table,
)
from lib.store.tables import (
    CANONICAL, aliases, athlete_notes, audit, claims, imports, metadata, pseudonym_key, rejects, store_version,
    suggestions, team_settings, tier_changes, user_roles,
)
from lib.store.writes import insert_frame, log, now, records

__all__ = [
    "CANONICAL", "DEFAULT_DB", "PROJECT_DIR", "VACUUM_LOCK_TIMEOUT_S", "VacuumBlocked", "aliases", "athlete_notes", "audit", "backup", "claims", "connect",
    "data_version", "db_url", "dispose_all", "find_import_by_hash", "imports", "insert_frame", "is_empty", "log",
    "metadata", "migrate", "now", "pseudonym_key", "read_aliases", "read_imports", "read_rejects", "read_suggestions",
    "read_table", "records", "rejects", "restore", "snapshot", "store_version", "suggestions", "team_settings",
    "tier_changes", "user_roles", "vacuum_full",
]
