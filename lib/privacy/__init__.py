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
every form of their names and id (lib.privacy.pseudonym's scrubber: `KwameAsante-retest.csv`,
`asante.csv`, `O'Connor`/`oconnor`, aliases) from the import reports, file names and audit-log
details, leaving everyone else's names as written. Profiles that look like the same person (a
typo never merged, `Kwame Asante2`) are listed and must be decided first: erased with them or
declared someone else; nothing is erased until then. Then (SQLite) it checkpoints the WAL
(TRUNCATE) and VACUUMs, and scans the bytes of the store files (database, -wal) for their names,
id, diagnoses and notes; a reader holding an old snapshot keeps those pages alive, so the scan is
retried and, failing, reported with the processes that have the store open (the command exits 1).
"""

from __future__ import annotations

from lib.core.access import (
    ADMIN_TABLES, CLINICAL_ROLES, HIDDEN_COLUMNS, HIDDEN_TABLES, ROLES, AccessDenied, can, check_role, require,
    visible_columns, visible_tables,
)
from lib.core.errors import ReturnToSpeedError
from lib.privacy.erasure import ATHLETE_COLUMNS, NEAR_DUPLICATE_SCORE, Erasure, NearDuplicates, erase_athlete, near_duplicates
from lib.privacy.reading import (
    INJURY_FORMATS, WITHHELD, athlete_record, data_for, export_table, import_report_for, log_export, mask_data,
    notes_for, read_audit, read_table_for, rejects_for,
)
from lib.privacy.roles import ADMINS_ENV, LOCAL_ROLE_ENV, read_roles, remove_role, resolve_role, role_of, set_role
from lib.privacy.verify import (ERASED, VERIFY_ATTEMPTS, VERIFY_WAIT_S, Verification, compact, compact_store,
                                 snapshot_holders, store_files,
                                 verify_erased, verify_on_server)

__all__ = [
    "ADMINS_ENV", "ADMIN_TABLES", "ATHLETE_COLUMNS", "CLINICAL_ROLES", "ERASED", "HIDDEN_COLUMNS", "HIDDEN_TABLES",
    "INJURY_FORMATS", "LOCAL_ROLE_ENV", "NEAR_DUPLICATE_SCORE", "ROLES", "VERIFY_ATTEMPTS", "VERIFY_WAIT_S",
    "WITHHELD", "AccessDenied", "Erasure", "NearDuplicates", "ReturnToSpeedError", "Verification", "athlete_record",
    "can", "check_role", "compact", "compact_store", "data_for", "erase_athlete", "export_table", "import_report_for", "log_export",
    "mask_data", "near_duplicates", "notes_for", "read_audit", "read_roles", "read_table_for", "rejects_for",
    "remove_role", "require", "resolve_role", "role_of", "set_role", "snapshot_holders", "store_files", "verify_erased",
    "verify_on_server",
    "visible_columns", "visible_tables",
]
