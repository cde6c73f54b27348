"""`python -m lib mss`: an athlete's maximal sprint speed, and the staff decisions on it.

    python -m lib mss show ATHLETE_ID [--on YYYY-MM-DD]
    python -m lib mss confirm ATHLETE_ID --value M/S | --session YYYY-MM-DD [--reason TEXT] [--who NAME] [--role R]
    python -m lib mss exclude ATHLETE_ID --value M/S | --session YYYY-MM-DD [--reason TEXT] [--who NAME] [--role R]

`confirm`: the session's max speed counts as a validated MSS without a second session within 3%
(never above the team's `mss_ceiling`); `exclude`: it is set aside as an artefact. Medical and admin
roles only; audit-logged. Exit codes: 0 done, 1 refused (role, no such session, above the ceiling), 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

import pandas as pd

from lib import store
from lib.core.errors import ReturnToSpeedError
from lib.store import settings

DEFAULT_REASONS = {"confirm": "confirmed by staff as a real maximum", "exclude": "set aside by staff as an artefact"}


def _day(text: str | None, flag: str) -> pd.Timestamp | None:
    if not text:
        return None
    try:
        return pd.Timestamp(dt.date.fromisoformat(text))
    except ValueError:
        raise ReturnToSpeedError(f"{flag} must be a date like 2026-11-23, not '{text}'") from None


def main(args: argparse.Namespace) -> int:
    """Run `mss show|confirm|exclude`."""
    from lib.metrics.mss import mss_artefacts, mss_table
    from lib.store.data import Data
    from lib.store.mss import record_mss_decision

    engine = store.connect(args.db)
    cfg = settings.load(engine, args.team)
    day = _day(args.on, "--on") or pd.Timestamp.today().normalize()
    if args.action in ("confirm", "exclude"):
        if args.value is None and not args.session:
            print(f"mss {args.action} ATHLETE_ID --value M/S and/or --session DATE", file=sys.stderr)
            return 2
        row = record_mss_decision(engine, args.athlete_id, args.action, day, args.reason or DEFAULT_REASONS[args.action],
                                  value=args.value, session=_day(args.session, "--session"), who=args.who,
                                  role=args.role, ceiling=cfg.num("mss_ceiling"))
        what = "confirmed as MSS" if args.action == "confirm" else "set aside as an artefact"
        print(f"{args.athlete_id}: {row['max_speed_ms']:.2f} m/s on {row['session_date']:%Y-%m-%d} {what} "
              f"({row['reason']}; {row['source_file']}:{row['source_row']})")
        return 0
    data = Data.from_store(engine)
    sessions = data.sessions[data.sessions["athlete_id"].astype(str) == args.athlete_id]
    table = mss_table(sessions, day, data.injuries, cfg, data.mss_confirmations)
    if table.empty:
        print(f"{args.athlete_id}: no max speed on record by {day:%Y-%m-%d}")
    else:
        m = table.iloc[0]
        how = (f"confirmed by {m['mss_confirmed_by']}" if m["mss_confirmed_by"]
               else "not confirmed (no second session within 3%, no staff decision)")
        print(f"{args.athlete_id}: MSS {m['mss_ms']:.2f} m/s, set {m['mss_date']:%Y-%m-%d} ({m['mss_source']}); {how}")
    for a in mss_artefacts(sessions, day, data.injuries, cfg, data.mss_confirmations).itertuples():
        print(f"  excluded {a.date:%Y-%m-%d} {a.max_speed_ms:.2f} m/s: {a.why} ({a.source_file}:{a.source_row})")
    return 0
