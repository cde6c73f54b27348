"""Saved weekly plans (the `plans` table, declared with the store's other tables): one row per save,
never updated in place; the latest save of an athlete's week is the plan. Who may save is
lib.privacy.plans' question; this module writes and reads."""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.store.tables import plans as plans_table
from lib.metrics.plan_actual import _typed_days, days_json


def write_plan(engine: Engine, athlete_id: str, week: str, days: pd.DataFrame, who: str, role: str | None = None,
               tier: int | None = None, flags: list[dict[str, object]] | None = None) -> int:
    """Store a week's 7 days with who and when (and the flags it had when saved); audit-logged.
    Returns the plan id."""
    days = _typed_days(days, week)  # refuses a malformed week (week_dates)
    body = {"days": days_json(days), "flags": [{k: f[k] for k in ("metric", "message", "source")} for f in flags or []]}
    with engine.begin() as conn:
        result = conn.execute(plans_table.insert().values(athlete_id=str(athlete_id), week=week, tier=tier,
                                                          plan=json.dumps(body), saved_by=who, saved_at=store.now()))
        plan_id = int(result.inserted_primary_key[0])
        store.log(conn, who, "plan saved", {"athlete_id": str(athlete_id), "week": week, "plan_id": plan_id, "role": role,
                                            "hsr_m": float(days["hsr_m"].sum()), "sprint_m": float(days["sprint_m"].sum()),
                                            "flags": [f["message"] for f in flags or []]})
    return plan_id


def read_plans(engine: Engine | sa.Connection) -> pd.DataFrame:
    """Every saved plan, the latest save of each athlete's week last (plan_id order)."""
    cols = [c.name for c in plans_table.columns]
    query = sa.select(plans_table).order_by(plans_table.c.plan_id)
    if isinstance(engine, sa.Connection):
        return pd.DataFrame(engine.execute(query).mappings().all(), columns=cols)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=cols)
