"""Who may save a weekly plan: every role (coaches and sports scientists plan the running), while
tier changes stay with medical staff (lib.privacy.can). The check runs here, in lib/, before the
store is written, whatever page or command asks."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from lib.core.settings import Settings
from lib.metrics.plan_actual import _typed_days
from lib.privacy import require
from lib.readiness import Data
from lib.readiness.plan import _chain
from lib.metrics import planning
from lib.store.saved_plans import write_plan


def save_plan(engine: Engine, athlete_id: str, week: str, days: pd.DataFrame, role: str, who: str,
              tier: int | None = None, flags: list[dict[str, object]] | None = None) -> int:
    """Store an edited week as `role` (AccessDenied for an unknown role), with who and when and the
    flags shown before saving; audit-logged. Returns the plan id."""
    require(role, "edit_plan")
    return write_plan(engine, athlete_id, week, days, who, role, tier, flags)


def save_edit(engine: Engine, data: Data, athlete_id: str, week: str, days: pd.DataFrame, as_of: pd.Timestamp,
              role: str, who: str, cfg: Settings,
              board: pd.DataFrame | None = None) -> tuple[int, list[dict[str, object]]]:
    """Check an edited week against the spike rules and store it: (plan id, what the board would flag)."""
    require(role, "edit_plan")  # before any work
    as_of = pd.Timestamp(as_of).normalize()
    chain = _chain(data, athlete_id, as_of, cfg, week, data.plans, board)
    typed = _typed_days(days, week)
    flags = planning.check_week(chain.history, typed, week, chain.plan.tier, cfg, chain.done_until)
    return write_plan(engine, athlete_id, week, typed, who, role, chain.plan.tier, flags), flags
