"""Staff decisions on an athlete's maximal sprint speed (MSS): a session's max speed confirmed as
real, or set aside as an artefact (who, why, when; audit-logged).

The validated pre-injury MSS is "the highest max speed in the 12 months before the episode,
confirmed by a second session within 3% of it (or by staff)" (issue 12): these rows are the staff
half. lib.metrics.mss reads them first. A decision names one stored session by its date and/or
its max speed (m/s), so that every confirmed MSS keeps its source row.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.core.access import require
from lib.core.errors import InputError
from lib.store.tables import mss_confirmations

DECISIONS = ("confirm", "exclude")
VALUE_TOLERANCE_MS = 0.005  # a value typed to 2 decimals names the session whose speed rounds to it
COLUMNS = [c.name for c in mss_confirmations.columns]


def find_session(sessions: pd.DataFrame, athlete_id: str, value: float | None = None,
                 session: pd.Timestamp | None = None) -> dict[str, object]:
    """The athlete's session a decision names: on `session` (a date) and/or with max speed `value`
    (m/s, to 0.005); the fastest when several match. InputError naming what was looked for if none."""
    if value is None and session is None:
        raise InputError("name the session: --value M/S, --session DATE, or both")
    s = sessions[(sessions["athlete_id"].astype(str) == str(athlete_id)) & sessions["max_speed_ms"].notna()]
    wanted = []
    if session is not None:
        s = s[s["date"] == pd.Timestamp(session).normalize()]
        wanted.append(f"on {pd.Timestamp(session):%Y-%m-%d}")
    if value is not None:
        s = s[(s["max_speed_ms"].astype(float) - float(value)).abs() <= VALUE_TOLERANCE_MS]
        wanted.append(f"with max speed {float(value):.2f} m/s")
    if s.empty:
        raise InputError(f"no session of {athlete_id} {' '.join(wanted)}")
    row = s.sort_values("max_speed_ms", ascending=False, kind="stable").iloc[0]
    return {"session_date": pd.Timestamp(row["date"]), "max_speed_ms": float(row["max_speed_ms"]),
            "source_file": row.get("source_file"), "source_row": row.get("source_row")}


def record_mss_decision(engine: Engine, athlete_id: str, decision: str, date: pd.Timestamp, reason: str,
                        value: float | None = None, session: pd.Timestamp | None = None, who: str = "local",
                        role: str | None = None, ceiling: float | None = None) -> dict[str, object]:
    """Store a staff decision on one session's max speed: `confirm` (it counts as a validated MSS
    without a second session within 3%) or `exclude` (an artefact, whatever else says). With `role`
    (the app and the CLI pass it), a role that may not decide gets AccessDenied. A speed above
    `ceiling` (m/s, the team's `mss_ceiling`) cannot be confirmed: the ceiling applies to every
    source. Returns the stored decision."""
    if role is not None:
        require(role, "confirm_mss")
    if decision not in DECISIONS:
        raise InputError(f"decision must be one of {', '.join(DECISIONS)}, not '{decision}'")
    if not str(reason).strip():
        raise InputError("an MSS decision needs a reason (who decided it and why is the record)")
    found = find_session(store.read_table(engine, "sessions"), athlete_id, value, session)
    if decision == "confirm" and ceiling is not None and float(found["max_speed_ms"]) > ceiling:  # type: ignore[arg-type]
        raise InputError(f"{found['max_speed_ms']:.2f} m/s is above the physical ceiling {ceiling:g} m/s "
                         "(mss_ceiling): it cannot be confirmed")
    row = {"athlete_id": str(athlete_id), "date": pd.Timestamp(date).date(), "decision": decision,
           "session_date": pd.Timestamp(found["session_date"]).date(), "max_speed_ms": found["max_speed_ms"],
           "source_file": None if pd.isna(found["source_file"]) else str(found["source_file"]),
           "source_row": None if pd.isna(found["source_row"]) else int(found["source_row"]),  # type: ignore[arg-type]
           "reason": str(reason).strip(), "who": who}
    with engine.begin() as conn:
        conn.execute(mss_confirmations.insert().values(**row, at=store.now()))
        store.log(conn, who, f"mss {decision}", {k: str(v) for k, v in row.items() if k != "who"})
    return row


def mss_decisions(conn: sa.Connection) -> pd.DataFrame:
    """Every staff MSS decision on `conn`, oldest first."""
    rows = conn.execute(sa.select(mss_confirmations).order_by(mss_confirmations.c.date,
                                                              mss_confirmations.c.confirmation_id)).mappings().all()
    return empty_decisions(pd.DataFrame(rows, columns=COLUMNS))


def read_mss_decisions(engine: Engine) -> pd.DataFrame:
    """Every staff MSS decision, oldest first."""
    with engine.connect() as conn:
        return mss_decisions(conn)


def empty_decisions(df: pd.DataFrame | None = None) -> pd.DataFrame:
    """`df` (or no decisions) with dates as timestamps and the speed as float."""
    df = pd.DataFrame(columns=COLUMNS) if df is None else df
    return df.assign(date=pd.to_datetime(df["date"]), session_date=pd.to_datetime(df["session_date"]),
                     max_speed_ms=df["max_speed_ms"].astype(float))
