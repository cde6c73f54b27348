"""The canonical tables the readiness engine reads, as one `Data`, read on one snapshot of the store."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.engine import Engine

from lib import store
from lib.store.tables import plans as plans_table
from lib.store.mss import empty_decisions, mss_decisions
from lib.store.tiers import tier_history


@dataclass
class Data:
    """The canonical tables the engine reads."""

    athletes: pd.DataFrame
    injuries: pd.DataFrame
    tests: pd.DataFrame
    sessions: pd.DataFrame
    wellness: pd.DataFrame
    tier_history: pd.DataFrame
    plans: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=[c.name for c in plans_table.columns]))
    mss_confirmations: pd.DataFrame = field(default_factory=empty_decisions)  # staff MSS decisions (lib.store.mss)

    @classmethod
    def from_store(cls, engine: Engine) -> "Data":
        """Every table from the store (active rows), all read on one consistent snapshot: a write
        that lands between two table reads is seen by none of them or, read again, by all."""
        with store.snapshot(engine) as conn:
            tables = [store.read_table(conn, t) for t in ("athletes", "injuries", "tests", "sessions", "wellness")]
            from lib.store.saved_plans import read_plans

            return cls(*tables, tier_history=tier_history(conn), plans=read_plans(conn),
                       mss_confirmations=mss_decisions(conn))
