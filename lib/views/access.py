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


def audit_with_names(engine: Engine, table: pd.DataFrame, mode: str | None, key: bytes) -> pd.DataFrame:
    """The shown audit table under a names choice (initials or codes): every athlete's name forms
    scrubbed from the details (file names, tier reasons, athlete ids); `full`/None: as it is."""
    from lib.privacy.pseudonym import check_mode, known_names, pseudonymise_texts

    if mode == "full" or check_mode(mode) is None or table.empty:
        return table
    scrubbed = pseudonymise_texts(table[["Detail"]], mode, known_names(engine), key)
    return table.assign(Detail=scrubbed["Detail"].to_numpy())


def audit_actions(audit: pd.DataFrame) -> list[str]:
    """The kinds of entry in the log, most frequent first (the filter's choices)."""
    return list(audit["action"].value_counts().index)


def audit_csv(table: pd.DataFrame) -> bytes:
    """The shown audit table as CSV (UTF-8 with BOM), text a spreadsheet could run neutralised."""
    from lib.exports import csv_bytes

    return csv_bytes(table)


def same_person(engine: Engine, role: str, athlete_id: str) -> dict[str, str]:
    """Other profiles whose name looks like the athlete's (a typo never merged): id -> `Name (id, n rows)`,
    for the admin to erase with them or leave as someone else."""
    privacy.require(role, "erase")
    return {str(d["athlete_id"]): f"{d['name']} ({d['athlete_id']}, {d['rows']:,} rows, {d['score']:.0f}% alike)"
            for d in privacy.near_duplicates(engine, athlete_id)}


def erase(engine: Engine, role: str, athlete_id: str, typed: str, expected: str, who: str,
          reference: str = "", also: list[str] | None = None) -> privacy.Erasure:
    """Erase an athlete after the admin typed their name exactly (ValueError otherwise), with the
    look-alike profiles in `also`; the other look-alikes (`same_person`) are the admin's "someone else"."""
    privacy.require(role, "erase")
    if (typed or "").strip().casefold() != (expected or "").strip().casefold():
        raise ValueError(f"type the athlete's name exactly ({expected}) to confirm the erasure")
    chosen = tuple(also or ())
    others = tuple(a for a in same_person(engine, role, athlete_id) if a not in chosen)
    return privacy.erase_athlete(engine, athlete_id, who=who, reference=(reference or "").strip(), also=chosen,
                                 keep=others, role=role)


def erasure_summary(result: privacy.Erasure) -> str:
    """What an erasure removed, in one sentence (the page's confirmation)."""
    parts = ", ".join(f"{n:,} {table}" for table, n in sorted(result.removed.items()))
    scrubbed = sum(result.scrubbed.values())
    return (f"Erased: {result.rows_removed:,} rows removed ({parts})"
            + (f"; their name removed from {scrubbed:,} import reports, file names and log entries" if scrubbed else "")
            + (f"; {len(result.erased) - 1} other profile(s) of theirs erased too" if len(result.erased) > 1 else "")
            + f". Audit entry #{result.event_id} records the erasure without naming them."
            + (f" Store {result.verification.message()}." if result.verification is not None else ""))
