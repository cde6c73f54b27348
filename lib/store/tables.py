"""Every table of the store, declared once: the canonical tables (from lib.core.schema) with their
provenance columns, and the store's own tables (imports, claims, rejects, names, audit, settings,
roles, notes, tier changes, the pseudonym key, the version row).

`store.connect` creates whatever a migration has not, from this one `metadata`; erasure walks it
to find every table with an `athlete_id`. A new table is declared here and created by a revision
in lib/store/migrations (tests/store/test_migrations.py fails until one does). The baseline revision
keeps its own frozen copy of these declarations, as they were when it was written.
"""

from __future__ import annotations

import sqlalchemy as sa

from lib.core.schema import REJECT_COLUMNS, TABLES, Table

metadata = sa.MetaData()

_SA_TYPES = {"str": sa.Text, "date": sa.Date, "float": sa.Float, "int": sa.Integer}


def _canonical_table(spec: Table) -> sa.Table:
    cols = [sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=True)]
    cols += [sa.Column(c.name, _SA_TYPES[c.dtype]()) for c in spec.columns]
    cols += [
        sa.Column("import_id", sa.Integer, index=True),
        sa.Column("source_sheet", sa.Text),
        sa.Column("superseded_by", sa.Integer, index=True),
    ]
    if "source_file" not in spec.column_names:
        cols += [sa.Column("source_file", sa.Text), sa.Column("source_row", sa.Integer)]
    return sa.Table(spec.name, metadata, *cols, sa.Index(f"ix_{spec.name}_key", *spec.key[:2]))


CANONICAL: dict[str, sa.Table] = {name: _canonical_table(spec) for name, spec in TABLES.items()}

imports = sa.Table(
    "imports", metadata,
    sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False, index=True),
    sa.Column("size_bytes", sa.Integer),
    sa.Column("formats", sa.Text),
    sa.Column("imported_at", sa.DateTime),
    sa.Column("imported_by", sa.Text),
    sa.Column("status", sa.Text),  # imported, undone
    sa.Column("rows_added", sa.Integer),
    sa.Column("rows_replaced", sa.Integer),
    sa.Column("rows_rejected", sa.Integer),
    sa.Column("report", sa.Text),  # JSON of the import report
    sa.Column("undone_at", sa.DateTime),
)

# A later import that sent a row again unchanged writes no copy of it, only a claim: undoing the
# import that wrote the row then hands it to the newest live claimant instead of deleting it.
claims = sa.Table(
    "row_claims", metadata,
    sa.Column("claim_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, index=True),
    sa.Column("table_name", sa.Text),
    sa.Column("row_id", sa.Integer, index=True),
    sa.Column("athlete_id", sa.Text),  # so that erasing an athlete erases their claims too
    sa.Column("source_sheet", sa.Text),
    sa.Column("source_row", sa.Integer),
)

rejects = sa.Table(
    "rejects", metadata,
    sa.Column("reject_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, index=True),
    *[sa.Column(c, sa.Integer if c == "row" else sa.Text) for c in REJECT_COLUMNS],
)

aliases = sa.Table(
    "athlete_aliases", metadata,
    sa.Column("alias_key", sa.Text, primary_key=True),
    sa.Column("athlete_id", sa.Text, nullable=False),
    sa.Column("confirmed_by", sa.Text),
    sa.Column("confirmed_at", sa.DateTime),
)

suggestions = sa.Table(
    "name_suggestions", metadata,
    sa.Column("suggestion_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, index=True),
    sa.Column("athlete_id", sa.Text),  # the new athlete the unknown name became
    sa.Column("name", sa.Text),
    sa.Column("suggested_id", sa.Text),
    sa.Column("suggested_name", sa.Text),
    sa.Column("score", sa.Float),
    sa.Column("status", sa.Text),  # open, merged, dismissed
)

audit = sa.Table(
    "audit_log", metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime),
    sa.Column("who", sa.Text),
    sa.Column("action", sa.Text),
    sa.Column("detail", sa.Text),
)

store_version = sa.Table(
    "store_version", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger, nullable=False),
)


team_settings = sa.Table(
    "team_settings", metadata,
    sa.Column("team", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("value", sa.Text),
    sa.Column("changed_by", sa.Text),
    sa.Column("changed_at", sa.DateTime),
)

user_roles = sa.Table(
    "user_roles", metadata,
    sa.Column("email", sa.Text, primary_key=True),  # lower-case
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("granted_by", sa.Text),
    sa.Column("granted_at", sa.DateTime),
)

pseudonym_key = sa.Table(
    "pseudonym_key", metadata,
    sa.Column("key_id", sa.Integer, primary_key=True),
    sa.Column("key_hex", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime),
)

athlete_notes = sa.Table(
    "athlete_notes", metadata,
    sa.Column("note_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("athlete_id", sa.Text, nullable=False, index=True),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("who", sa.Text),
    sa.Column("at", sa.DateTime),
)

# Weekly high-velocity plans (lib.readiness.plan): one row per save, never updated in place; the
# latest save of an athlete's week is the plan. `plan` is the JSON of the days and their flags.
plans = sa.Table(
    "plans", metadata,
    sa.Column("plan_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("athlete_id", sa.Text, nullable=False, index=True),
    sa.Column("week", sa.Text, nullable=False),
    sa.Column("tier", sa.Integer),
    sa.Column("plan", sa.Text, nullable=False),
    sa.Column("saved_by", sa.Text),
    sa.Column("saved_at", sa.DateTime),
)

# A club's format profiles (lib.ingest.profiles): a sheet shape taught once on the Data page or with
# `python -m lib formats import`. One row per name; `signature` is the sheet's normalised header
# (the key the importer matches a sheet on), `profile` the readable JSON a club exports and shares.
# Each save raises `version`; the audit log keeps every version's JSON.
format_profiles = sa.Table(
    "format_profiles", metadata,
    sa.Column("profile_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("signature", sa.Text, nullable=False, index=True),
    sa.Column("profile", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("saved_by", sa.Text),
    sa.Column("saved_at", sa.DateTime),
)

tier_changes = sa.Table(
    "tier_changes", metadata,
    sa.Column("change_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("athlete_id", sa.Text, nullable=False, index=True),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("tier", sa.Integer, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("who", sa.Text),
    sa.Column("at", sa.DateTime),
)

# Staff decisions on an athlete's maximal sprint speed (lib.store.mss, read by lib.metrics.mss): a
# session's max speed confirmed as real (it counts as validated without a second session within 3%)
# or set aside as an artefact. One row per decision, never updated; the latest per session counts,
# from its `date` on.
mss_confirmations = sa.Table(
    "mss_confirmations", metadata,
    sa.Column("confirmation_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("athlete_id", sa.Text, nullable=False, index=True),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("session_date", sa.Date, nullable=False),
    sa.Column("max_speed_ms", sa.Float, nullable=False),
    sa.Column("source_file", sa.Text),
    sa.Column("source_row", sa.Integer),
    sa.Column("reason", sa.Text),
    sa.Column("who", sa.Text),
    sa.Column("at", sa.DateTime),
)
