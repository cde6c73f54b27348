"""mss_confirmations: staff decisions on an athlete's maximal sprint speed (a session's max speed
confirmed as real, or set aside as an artefact), one row per decision. Idempotent like the
baseline: a store that already has the table keeps it.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "mss_confirmations" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "mss_confirmations",
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


def downgrade() -> None:
    op.drop_table("mss_confirmations")
