"""Who holds which role: `user_roles` (email -> medical, coach or admin), audit-logged; the local role without sign-in."""

from __future__ import annotations

import os

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.core.access import check_role, require
from lib.core.errors import ReturnToSpeedError
from lib.store.tables import user_roles


LOCAL_ROLE_ENV = "RTS_LOCAL_ROLE"
ADMINS_ENV = "RTS_ADMINS"


def _email(email: str) -> str:
    text = (email or "").strip().lower()
    if "@" not in text:
        raise ReturnToSpeedError(f"'{email}' is not an email address")
    return text


def set_role(engine: Engine, email: str, role: str, who: str = "local", by_role: str | None = None) -> None:
    """Give `email` a role (replacing any it had); audit-logged. With `by_role` (the role of the
    person granting it; the app passes it), only an admin may."""
    if by_role is not None:
        require(by_role, "administer")
    check_role(role)
    address = _email(email)
    with engine.begin() as conn:
        conn.execute(user_roles.delete().where(user_roles.c.email == address))
        conn.execute(user_roles.insert().values(email=address, role=role, granted_by=who, granted_at=store.now()))
        store.log(conn, who, "role", {"email": address, "role": role})


def remove_role(engine: Engine, email: str, who: str = "local", by_role: str | None = None) -> None:
    """Take every role from `email` (no access any more); audit-logged. With `by_role`: only an admin may."""
    if by_role is not None:
        require(by_role, "administer")
    address = _email(email)
    with engine.begin() as conn:
        conn.execute(user_roles.delete().where(user_roles.c.email == address))
        store.log(conn, who, "role removed", {"email": address})


def role_of(engine: Engine, email: str) -> str | None:
    """The stored role of `email`, None when it has none."""
    with engine.connect() as conn:
        return conn.execute(sa.select(user_roles.c.role).where(user_roles.c.email == (email or "").strip().lower())
                            ).scalar_one_or_none()


def read_roles(engine: Engine, role: str) -> pd.DataFrame:
    """Every email with its role (admins only)."""
    require(role, "administer")
    with engine.connect() as conn:
        rows = conn.execute(sa.select(user_roles).order_by(user_roles.c.email)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in user_roles.columns])


def resolve_role(engine: Engine, email: str | None) -> str | None:
    """The role of the person using the app: the local role without sign-in (`email` None), else the
    stored role, else admin for an address in `RTS_ADMINS`, else None (no access)."""
    if email is None:
        return check_role(os.environ.get(LOCAL_ROLE_ENV, "admin"))
    stored = role_of(engine, email)
    if stored is not None:
        return stored
    admins = {a.strip().lower() for a in os.environ.get(ADMINS_ENV, "").split(",") if a.strip()}
    return "admin" if email.strip().lower() in admins else None
