"""plans: the weekly high-velocity plans staff save (lib.readiness.plan), one row per save. Idempotent
like the baseline: a store that already has the table keeps it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "plans" in sa.inspect(op.get_bind()).get_table_names():  # a store some code already gave the table
        return
    op.create_table(
        "plans",
        sa.Column("plan_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("athlete_id", sa.Text, nullable=False, index=True),
        sa.Column("week", sa.Text, nullable=False),
        sa.Column("tier", sa.Integer),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("saved_by", sa.Text),
        sa.Column("saved_at", sa.DateTime),
    )


def downgrade() -> None:
    op.drop_table("plans")
