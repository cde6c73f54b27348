"""`python -m lib export TABLE|board|all ...`: a table or the board as CSV or XLSX, to a file or stdout."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from lib.cli.args import export_arguments as add_arguments  # noqa: F401 - lib.cli.export.add_arguments, as before


def main_export(args: argparse.Namespace) -> int:
    """`python -m lib export TABLE [--format csv|xlsx] [--pseudonymise initials|codes] [--provenance]
    [--on DATE] [--team NAME] [-o FILE]`: writes FILE, else stdout (an xlsx only to a file or a pipe)."""
    from lib import store
    from lib.core.errors import ReturnToSpeedError
    from lib.exports import export_bytes

    fmt = getattr(args, "format", None) or "csv"
    output = getattr(args, "output", None)
    on = getattr(args, "on", None)
    try:
        day = dt.date.fromisoformat(on) if on else None
        body = export_bytes(store.connect(getattr(args, "db", None)), args.table, fmt,
                            getattr(args, "pseudonymise", None), bool(getattr(args, "provenance", False)), day,
                            getattr(args, "team", None) or "default", bom=bool(output) and fmt == "csv")
    except ValueError as exc:
        raise ReturnToSpeedError(str(exc)) from None
    if output:
        Path(output).write_bytes(body)
        print(f"{args.table} written to {output}", file=sys.stderr)
        return 0
    binary = getattr(sys.stdout, "buffer", None)
    if fmt == "xlsx" and (binary is None or sys.stdout.isatty()):
        raise ReturnToSpeedError("an xlsx workbook is binary: give -o FILE.xlsx or redirect stdout to a file")
    if binary is None:  # a text stream (tests redirect stdout to StringIO)
        sys.stdout.write(body.decode("utf-8"))
        return 0
    sys.stdout.flush()
    binary.write(body)
    binary.flush()
    return 0
