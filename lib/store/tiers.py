"""Tier changes staff recorded: who moved an athlete to which tier, when and why (audit-logged)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.core.access import require
from lib.core.rules import TIERS
from lib.store.tables import tier_changes
from lib.core.errors import InputError


def record_tier_change(engine: Engine, athlete_id: str, date: pd.Timestamp, tier: int, reason: str,
                       who: str = "local", role: str | None = None) -> None:
    """Store a tier change with who and why (audit-logged). With `role` (the app passes it), a role
    that may not record a tier gets AccessDenied."""
    if role is not None:
        require(role, "record_tier")
    if tier not in {t.number for t in TIERS}:
        raise InputError(f"tier must be 1-{len(TIERS)}")
    if not str(reason).strip():
        raise InputError("a tier change needs a reason (who changed it and why is the record)")
    with engine.begin() as conn:
        conn.execute(tier_changes.insert().values(athlete_id=athlete_id, date=pd.Timestamp(date).date(), tier=tier,
                                                  reason=reason, who=who, at=store.now()))
        store.log(conn, who, "tier change", {"athlete_id": athlete_id, "date": str(date), "tier": tier, "reason": reason})


def read_tier_history(engine: Engine) -> pd.DataFrame:
    """Every recorded tier change, oldest first."""
    with engine.connect() as conn:
        return tier_history(conn)


def tier_history(conn: sa.Connection) -> pd.DataFrame:
    """Every recorded tier change on `conn`, oldest first."""
    rows = conn.execute(sa.select(tier_changes).order_by(tier_changes.c.date, tier_changes.c.change_id)).mappings().all()
    df = pd.DataFrame(rows, columns=[c.name for c in tier_changes.columns])
    return df.assign(date=pd.to_datetime(df["date"]))
