"""A team's settings in the store (`team_settings`): saved values over the defaults of lib.core.settings.

Writes are audit-logged; with a `role` (the app passes it) only a role that may edit settings saves.
The declarations are re-exported so that one import reads and writes a team's thresholds.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.core.access import require
from lib.core.settings import (  # noqa: F401 - one import reads and writes a team's settings
    BY_NAME, LABELS, SETTINGS, Setting, Settings, defaults, label, table, typed,
)
from lib.store.tables import team_settings


def load(engine: Engine, team: str = "default") -> Settings:
    """A team's settings: saved values over defaults."""
    out = defaults()
    with engine.connect() as conn:
        for name, value in conn.execute(sa.select(team_settings.c.name, team_settings.c.value)
                                        .where(team_settings.c.team == team)).all():
            if name in BY_NAME:
                out[name] = typed(name, value)
    return out


def _may_edit(role: str | None) -> None:
    if role is not None:
        require(role, "edit_settings")


def save(engine: Engine, values: dict[str, object], team: str = "default", who: str = "local",
         role: str | None = None) -> None:
    """Save changed values for a team (validated against choices and numeric type). With `role`
    (the app passes it), a role that may not edit settings gets AccessDenied."""
    _may_edit(role)
    with engine.begin() as conn:
        for name, value in values.items():
            value_as_stored = typed(name, value)
            conn.execute(team_settings.delete().where(team_settings.c.team == team, team_settings.c.name == name))
            conn.execute(team_settings.insert().values(team=team, name=name, value=str(value_as_stored), changed_by=who,
                                                       changed_at=store.now()))
        store.log(conn, who, "settings", {"team": team, "values": {k: str(v) for k, v in values.items()}})


def reset(engine: Engine, team: str = "default", who: str = "local", role: str | None = None) -> None:
    """Back to defaults for a team (with `role`: only a role that may edit settings)."""
    _may_edit(role)
    with engine.begin() as conn:
        conn.execute(team_settings.delete().where(team_settings.c.team == team))
        store.log(conn, who, "settings reset", {"team": team})
