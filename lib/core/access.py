"""Access rules: the roles, what each may see and do. Every write in lib/ asks `require` here.

Who holds which role is in the store (lib.privacy reads and writes `user_roles`); what a role may
do is declared here, once, and enforced in lib/ (the queries and the writes), not in the pages.
"""

from __future__ import annotations

from lib.core.errors import ReturnToSpeedError
from lib.core.names import TABLE_NAMES  # not lib.core.schema: the app's navigation asks `can` before pandas loads

ROLES = ("medical", "coach", "admin")
CLINICAL_ROLES = ("medical", "admin")

# Columns a role never receives, per table; tables a role never receives.
HIDDEN_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {"coach": {"injuries": ("diagnosis",)}}
HIDDEN_TABLES: dict[str, tuple[str, ...]] = {"coach": ("athlete_notes", "audit_log", "user_roles")}
ADMIN_TABLES = ("audit_log", "user_roles")


class AccessDenied(ReturnToSpeedError):
    """A role asked for something it may not see or do."""


def check_role(role: str) -> str:
    """`role` itself, or AccessDenied for a role that does not exist."""
    if role not in ROLES:
        raise AccessDenied(f"unknown role '{role}': choose one of {', '.join(ROLES)}")
    return role


def can(role: str, action: str) -> bool:
    """Whether `role` may `action`: see_diagnosis, see_notes, edit_injuries, edit_settings (the
    team's thresholds), record_tier (a tier change), confirm_mss (confirm or set aside a max
    speed as an MSS), edit_plan (a weekly plan: every role),
    administer, erase, see_audit. The criteria and
    the tier decisions are the medical staff's: coaches read them."""
    check_role(role)
    if action in ("see_diagnosis", "see_notes", "edit_injuries", "edit_settings", "record_tier", "confirm_mss"):
        return role in CLINICAL_ROLES
    if action in ("administer", "erase", "see_audit"):
        return role == "admin"
    if action == "edit_plan":  # the weekly high-velocity plan: coaches and sports scientists edit it too
        return True
    if action == "teach_format":  # save a format profile: every role that uploads a file may teach its shape
        return True
    if action == "delete_format":  # remove a club's format profile: admins (the rows it imported stay)
        return role == "admin"
    raise ValueError(f"unknown action '{action}'")


def require(role: str, action: str) -> None:
    """Raise AccessDenied unless `role` may `action`."""
    if not can(role, action):
        raise AccessDenied(f"a {role} may not {action.replace('_', ' ')}")


def visible_tables(role: str) -> list[str]:
    """The tables a role may read."""
    check_role(role)
    names = list(TABLE_NAMES) + ["tier_changes", "athlete_notes", "audit_log", "user_roles"]
    hidden = set(HIDDEN_TABLES.get(role, ())) | (set(ADMIN_TABLES) if role != "admin" else set())
    return [n for n in names if n not in hidden]


def visible_columns(table: str, role: str) -> list[str]:
    """The columns of a canonical table a role receives."""
    from lib.core.schema import TABLES  # pandas: only when columns are asked for

    check_role(role)
    hidden = set(HIDDEN_COLUMNS.get(role, {}).get(table, ()))
    return [c for c in TABLES[table].column_names if c not in hidden]
