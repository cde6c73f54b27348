"""Baseline: the store as Return to Speed wrote it before schema migrations (row_claims, tests.time).

Idempotent on purpose, because stores made before migrations carry no revision: on an empty
database it creates every table; on an older store it creates the tables that store lacks (an
older release had no `row_claims`) and adds the columns its tables lack (an older release had no
`tests.time`), nullable, so old rows keep NULL. The definitions are frozen here: later changes
to the schema are later revisions, never edits of this file.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def baseline(meta: sa.MetaData) -> sa.MetaData:
    """Every table of the baseline, declared on `meta`."""
    sa.Table("athlete_aliases", meta,
             sa.Column("alias_key", sa.Text, primary_key=True),
             sa.Column("athlete_id", sa.Text, nullable=False),
             sa.Column("confirmed_by", sa.Text),
             sa.Column("confirmed_at", sa.DateTime),
             )
    sa.Table("athlete_notes", meta,
             sa.Column("note_id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("athlete_id", sa.Text, nullable=False, index=True),
             sa.Column("date", sa.Date, nullable=False),
             sa.Column("note", sa.Text, nullable=False),
             sa.Column("who", sa.Text),
             sa.Column("at", sa.DateTime),
             )
    sa.Table("athletes", meta,
             sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("athlete_id", sa.Text),
             sa.Column("name", sa.Text),
             sa.Column("position", sa.Text),
             sa.Column("squad", sa.Text),
             sa.Column("import_id", sa.Integer, index=True),
             sa.Column("source_sheet", sa.Text),
             sa.Column("superseded_by", sa.Integer, index=True),
             sa.Column("source_file", sa.Text),
             sa.Column("source_row", sa.Integer),
             sa.Index("ix_athletes_key", "athlete_id"),
             )
    sa.Table("audit_log", meta,
             sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("at", sa.DateTime),
             sa.Column("who", sa.Text),
             sa.Column("action", sa.Text),
             sa.Column("detail", sa.Text),
             )
    sa.Table("imports", meta,
             sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("file", sa.Text, nullable=False),
             sa.Column("sha256", sa.Text, nullable=False, index=True),
             sa.Column("size_bytes", sa.Integer),
             sa.Column("formats", sa.Text),
             sa.Column("imported_at", sa.DateTime),
             sa.Column("imported_by", sa.Text),
             sa.Column("status", sa.Text),
             sa.Column("rows_added", sa.Integer),
             sa.Column("rows_replaced", sa.Integer),
             sa.Column("rows_rejected", sa.Integer),
             sa.Column("report", sa.Text),
             sa.Column("undone_at", sa.DateTime),
             )
    sa.Table("injuries", meta,
             sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("athlete_id", sa.Text),
             sa.Column("injury_date", sa.Date),
             sa.Column("side", sa.Text),
             sa.Column("region", sa.Text),
             sa.Column("diagnosis", sa.Text),
             sa.Column("cleared_date", sa.Date),
             sa.Column("import_id", sa.Integer, index=True),
             sa.Column("source_sheet", sa.Text),
             sa.Column("superseded_by", sa.Integer, index=True),
             sa.Column("source_file", sa.Text),
             sa.Column("source_row", sa.Integer),
             sa.Index("ix_injuries_key", "athlete_id", "injury_date"),
             )
    sa.Table("name_suggestions", meta,
             sa.Column("suggestion_id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("import_id", sa.Integer, index=True),
             sa.Column("athlete_id", sa.Text),
             sa.Column("name", sa.Text),
             sa.Column("suggested_id", sa.Text),
             sa.Column("suggested_name", sa.Text),
             sa.Column("score", sa.Float),
             sa.Column("status", sa.Text),
             )
    sa.Table("pseudonym_key", meta,
             sa.Column("key_id", sa.Integer, primary_key=True),
             sa.Column("key_hex", sa.Text, nullable=False),
             sa.Column("created_at", sa.DateTime),
             )
    sa.Table("rejects", meta,
             sa.Column("reject_id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("import_id", sa.Integer, index=True),
             sa.Column("file", sa.Text),
             sa.Column("sheet", sa.Text),
             sa.Column("row", sa.Integer),
             sa.Column("column", sa.Text),
             sa.Column("value", sa.Text),
             sa.Column("problem", sa.Text),
             )
    sa.Table("row_claims", meta,
             sa.Column("claim_id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("import_id", sa.Integer, index=True),
             sa.Column("table_name", sa.Text),
             sa.Column("row_id", sa.Integer, index=True),
             sa.Column("athlete_id", sa.Text),
             sa.Column("source_sheet", sa.Text),
             sa.Column("source_row", sa.Integer),
             )
    sa.Table("sessions", meta,
             sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("athlete_id", sa.Text),
             sa.Column("date", sa.Date),
             sa.Column("session", sa.Text),
             sa.Column("session_type", sa.Text),
             sa.Column("duration_min", sa.Float),
             sa.Column("total_distance_m", sa.Float),
             sa.Column("hsr_distance_m", sa.Float),
             sa.Column("sprint_distance_m", sa.Float),
             sa.Column("max_speed_ms", sa.Float),
             sa.Column("sprints", sa.Float),
             sa.Column("accelerations", sa.Float),
             sa.Column("decelerations", sa.Float),
             sa.Column("device", sa.Text),
             sa.Column("source_file", sa.Text),
             sa.Column("source_row", sa.Integer),
             sa.Column("import_id", sa.Integer, index=True),
             sa.Column("source_sheet", sa.Text),
             sa.Column("superseded_by", sa.Integer, index=True),
             sa.Index("ix_sessions_key", "athlete_id", "date"),
             )
    sa.Table("team_settings", meta,
             sa.Column("team", sa.Text, primary_key=True),
             sa.Column("name", sa.Text, primary_key=True),
             sa.Column("value", sa.Text),
             sa.Column("changed_by", sa.Text),
             sa.Column("changed_at", sa.DateTime),
             )
    sa.Table("tests", meta,
             sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("athlete_id", sa.Text),
             sa.Column("date", sa.Date),
             sa.Column("test", sa.Text),
             sa.Column("metric", sa.Text),
             sa.Column("side", sa.Text),
             sa.Column("trial", sa.Integer),
             sa.Column("value", sa.Float),
             sa.Column("unit", sa.Text),
             sa.Column("device", sa.Text),
             sa.Column("source_file", sa.Text),
             sa.Column("source_row", sa.Integer),
             sa.Column("time", sa.Text),
             sa.Column("import_id", sa.Integer, index=True),
             sa.Column("source_sheet", sa.Text),
             sa.Column("superseded_by", sa.Integer, index=True),
             sa.Index("ix_tests_key", "athlete_id", "date"),
             )
    sa.Table("tier_changes", meta,
             sa.Column("change_id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("athlete_id", sa.Text, nullable=False, index=True),
             sa.Column("date", sa.Date, nullable=False),
             sa.Column("tier", sa.Integer, nullable=False),
             sa.Column("reason", sa.Text),
             sa.Column("who", sa.Text),
             sa.Column("at", sa.DateTime),
             )
    sa.Table("user_roles", meta,
             sa.Column("email", sa.Text, primary_key=True),
             sa.Column("role", sa.Text, nullable=False),
             sa.Column("granted_by", sa.Text),
             sa.Column("granted_at", sa.DateTime),
             )
    sa.Table("wellness", meta,
             sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("athlete_id", sa.Text),
             sa.Column("date", sa.Date),
             sa.Column("item", sa.Text),
             sa.Column("value", sa.Float),
             sa.Column("scale", sa.Text),
             sa.Column("source_file", sa.Text),
             sa.Column("source_row", sa.Integer),
             sa.Column("import_id", sa.Integer, index=True),
             sa.Column("source_sheet", sa.Text),
             sa.Column("superseded_by", sa.Integer, index=True),
             sa.Index("ix_wellness_key", "athlete_id", "date"),
             )
    return meta


def upgrade() -> None:
    bind = op.get_bind()
    meta = baseline(sa.MetaData())
    have = set(sa.inspect(bind).get_table_names())
    for table in meta.sorted_tables:
        if table.name not in have:
            continue
        present = {c["name"] for c in sa.inspect(bind).get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                op.add_column(table.name, sa.Column(column.name, column.type))
    meta.create_all(bind, checkfirst=True)  # the missing tables, with their indexes


def downgrade() -> None:
    bind = op.get_bind()
    baseline(sa.MetaData()).drop_all(bind, checkfirst=True)
