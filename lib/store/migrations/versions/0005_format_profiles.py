"""format_profiles: the sheet shapes a club taught (lib.ingest.profiles), one row per named profile.
Idempotent like the baseline: a store that already has the table keeps it.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "format_profiles" in sa.inspect(op.get_bind()).get_table_names():  # a store some code already gave the table
        return
    op.create_table(
        "format_profiles",
        sa.Column("profile_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("signature", sa.Text, nullable=False, index=True),
        sa.Column("profile", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("saved_by", sa.Text),
        sa.Column("saved_at", sa.DateTime),
    )


def downgrade() -> None:
    op.drop_table("format_profiles")
