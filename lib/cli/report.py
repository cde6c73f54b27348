"""`python -m lib report board|athlete ...`: the board or one athlete's report as PDF or PNG."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from lib.cli.args import report_arguments as add_arguments  # noqa: F401 - lib.cli.report.add_arguments, as before

if TYPE_CHECKING:
    import pandas as pd


def main_report(args: argparse.Namespace) -> int:
    """Write the report `args` ask for (see `add_arguments`); returns the exit code (2: usage)."""
    import pandas as pd  # here, not at the top: `python -m lib --help` starts without them

    from lib.readiness import Data
    from lib.reports.athlete import athlete_pdf
    from lib.reports.board import board_pdf, board_png
    from lib.store import settings
    from lib import store
    from lib.core.errors import ReturnToSpeedError
    from lib.privacy.pseudonym import known_names, store_key

    kind, output = args.kind, Path(args.output)
    if kind == "athlete" and not args.athlete_id:
        print("error: an athlete report needs ATHLETE_ID", file=sys.stderr)
        return 2
    if output.suffix.lower() not in (".pdf", ".png") or (kind == "athlete" and output.suffix.lower() == ".png"):
        print("error: -o must name a .pdf file (the board also as .png)", file=sys.stderr)
        return 2
    try:
        day = pd.Timestamp(dt.date.fromisoformat(args.on)) if args.on else pd.Timestamp.today().normalize()
    except ValueError:
        raise ReturnToSpeedError(f"--on must be a date like 2026-11-23, not '{args.on}'") from None
    engine = store.connect(getattr(args, "db", None))
    team = getattr(args, "team", None) or "default"
    cfg = settings.load(engine, team)
    mode = getattr(args, "pseudonymise", None)
    key = store_key(engine) if mode else b""
    data = Data.from_store(engine)
    aliases = known_names(engine) if mode else None  # misspellings met in files name them too
    label = "" if team == "default" else team
    if kind == "board":
        if output.suffix.lower() == ".png":
            body = board_png(data, day, cfg, label, mode, key, aliases=aliases)
        else:
            body = board_pdf(data, day, cfg, label, mode, key, aliases=aliases)
    else:
        if args.athlete_id not in set(data.athletes["athlete_id"].astype(str)):
            raise ReturnToSpeedError(f"no athlete with id '{args.athlete_id}' (see `python -m lib export athletes`)")
        body = athlete_pdf(data, args.athlete_id, day, cfg, _notes_of(engine, args.athlete_id), label, mode, key,
                           aliases=aliases)
    output.write_bytes(body)
    print(f"{kind} report written to {output}", file=sys.stderr)
    return 0


def _notes_of(engine: object, athlete_id: str) -> pd.DataFrame | None:
    try:
        from lib.store.notes import notes
    except ImportError:  # notes arrive with the athlete page's note-taking
        return None
    return notes(engine, athlete_id)  # type: ignore[arg-type]
