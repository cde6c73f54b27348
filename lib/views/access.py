"""The Access & audit page (admins): who has which role, the audit log, erasure of one athlete.

Every read goes through lib.privacy with the admin's role, so a page that forgot to check the role
would still get AccessDenied. Pinned by tests/test_page_access.py.
"""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy.engine import Engine

from lib import privacy

AUDIT_FILE = "rts_audit_log.csv"
ROLE_HELP = {
    "medical": "everything, including diagnoses and notes.",
    "coach": "status, tier, reasons, tests, sessions and wellness; never a diagnosis or a note.",
    "admin": "what medical staff see, plus roles, the audit log and erasure.",
}


def roles_table(engine: Engine, role: str) -> pd.DataFrame:
    """Every email with a role, who granted it and when (admins only)."""
    df = privacy.read_roles(engine, role)
    return df.rename(columns={"email": "Email", "role": "Role", "granted_by": "Granted by", "granted_at": "Granted (UTC)"})


def _detail_text(detail: object) -> str:
    """An audit entry's JSON detail as `key: value` pairs in one line."""
    if detail is None or (isinstance(detail, float) and pd.isna(detail)):
        return ""
    try:
        value = json.loads(str(detail))
    except ValueError:
        return str(detail)
    if isinstance(value, dict):
        return " · ".join(f"{k}: {json.dumps(v, default=str) if isinstance(v, (dict, list)) else v}"
                          for k, v in value.items() if v not in (None, "", [], {}))
    return str(value)


def audit_table(audit: pd.DataFrame, actions: list[str] | None = None) -> pd.DataFrame:
    """The audit log (`privacy.read_audit`, newest first), optionally only some actions; the detail in words."""
    df = audit[audit["action"].isin(actions)] if actions else audit
    return pd.DataFrame({"#": df["event_id"], "When (UTC)": df["at"], "Who": df["who"], "What": df["action"],
                         "Detail": df["detail"].map(_detail_text)})


def audit_actions(audit: pd.DataFrame) -> list[str]:
    """The kinds of entry in the log, most frequent first (the filter's choices)."""
    return list(audit["action"].value_counts().index)


def audit_csv(table: pd.DataFrame) -> bytes:
    """The shown audit table as CSV."""
    return table.to_csv(index=False).encode("utf-8")


def erase(engine: Engine, role: str, athlete_id: str, typed: str, expected: str, who: str,
          reference: str = "") -> privacy.Erasure:
    """Erase an athlete after the admin typed their name exactly (ValueError otherwise)."""
    privacy.require(role, "erase")
    if (typed or "").strip().casefold() != (expected or "").strip().casefold():
        raise ValueError(f"type the athlete's name exactly ({expected}) to confirm the erasure")
    return privacy.erase_athlete(engine, athlete_id, who=who, reference=(reference or "").strip())


def erasure_summary(result: privacy.Erasure) -> str:
    """What an erasure removed, in one sentence (the page's confirmation)."""
    parts = ", ".join(f"{n:,} {table}" for table, n in sorted(result.removed.items()))
    scrubbed = sum(result.scrubbed.values())
    return (f"Erased: {result.rows_removed:,} rows removed ({parts})"
            + (f"; their name removed from {scrubbed:,} import reports, file names and log entries" if scrubbed else "")
            + f". Audit entry #{result.event_id} records the erasure without naming them.")
