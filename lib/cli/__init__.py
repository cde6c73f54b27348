"""Command line: `python -m lib import|export|imports|rejects|undo|match|board|tier|mss|plan|settings|template|demo|migrate|backup|restore|compact ...`.

Exit codes: 0 success (an import with rejected rows is a success), 1 a file could not be read
or an operation failed, 2 usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys

from lib.cli import args as cli_args
from lib.core.errors import ReturnToSpeedError


def _command(name: str):  # noqa: ANN202 - a command function
    """`lib.cli.commands.<name>`, imported when the command runs: `python -m lib --help` and a
    usage error start without pandas, the store or the readers (issue 15: a light start)."""
    def run(args: argparse.Namespace) -> int:
        from lib.cli import commands

        return getattr(commands, name)(args)

    run.__name__ = name
    return run


def _module_main(name: str):  # noqa: ANN202 - a command function
    """`lib.cli.<name>.main`, imported when the command runs (see `_command`)."""
    def run(args: argparse.Namespace) -> int:
        import importlib

        return importlib.import_module(f"lib.cli.{name}").main(args)

    run.__name__ = name
    return run


_cmd_backup = _command("_cmd_backup")
_cmd_board = _command("_cmd_board")
_cmd_compact = _command("_cmd_compact")
_cmd_demo = _command("_cmd_demo")
_cmd_erase = _command("_cmd_erase")
_cmd_export = _command("_cmd_export")
_cmd_import = _command("_cmd_import")
_cmd_imports = _command("_cmd_imports")
_cmd_match = _command("_cmd_match")
_cmd_migrate = _command("_cmd_migrate")
_cmd_rejects = _command("_cmd_rejects")
_cmd_report = _command("_cmd_report")
_cmd_restore = _command("_cmd_restore")
_cmd_role = _command("_cmd_role")
_cmd_settings = _command("_cmd_settings")
_cmd_template = _command("_cmd_template")
_cmd_tier = _command("_cmd_tier")
_cmd_undo = _command("_cmd_undo")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except ReturnToSpeedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `python -m lib export tests | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib", description="Return to Speed data tools")
    sub = parser.add_subparsers(dest="command")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--db", help="store path or SQLAlchemy URL (default: $RTS_DB or data/rts.sqlite)")
        return p

    p = add("import", "import testing-day files and print a report per file")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print the reports as JSON")
    p.add_argument("--date-order", choices=["auto", "dmy", "mdy"], default="auto",
                   help="how to read ambiguous dates like 03/04/2026 (default: decide from the data)")
    p.add_argument("--who", default="cli", help="name recorded in the import history")
    p.add_argument("--profile", metavar="NAME", help="read every sheet with this stored format profile")
    p.set_defaults(func=_cmd_import)

    p = add("export", "write a canonical table or the board as CSV (stdout) or XLSX; audit-logged")
    cli_args.export_arguments(p)
    p.add_argument("--who", default=os.environ.get("USER", "cli"), help="name recorded in the audit log")
    p.set_defaults(func=_cmd_export)

    p = add("report", "write the board (one A4 page) or an athlete's return-to-speed report as PDF or PNG")
    cli_args.report_arguments(p)
    p.add_argument("--who", default=os.environ.get("USER", "cli"), help="name recorded in the audit log")
    p.set_defaults(func=_cmd_report)

    p = add("erase", "erase every trace of one athlete (right to erasure); audit-logged without their name")
    p.add_argument("athlete_id")
    p.add_argument("--who", required=True, help="who carries out the request")
    p.add_argument("--reference", default="", help="the request's number in the club's register")
    p.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    p.add_argument("--also", action="append", default=[], metavar="ID",
                   help="another profile of the same person (a typo never merged) to erase with them; repeatable")
    p.add_argument("--keep", action="append", default=[], metavar="ID",
                   help="a profile with a similar name that is someone else: left as it is; repeatable")
    p.set_defaults(func=_cmd_erase)

    p = add("compact", "rewrite the store so deleted rows leave its files (SQLite: WAL checkpoint and VACUUM; "
                       "PostgreSQL: VACUUM FULL); exit 1 while another connection still holds them")
    p.set_defaults(func=_cmd_compact)

    p = add("role", "give a signed-in user a role (medical, coach, admin) or remove it")
    p.add_argument("email")
    p.add_argument("role", nargs="?", choices=["medical", "coach", "admin"])
    p.add_argument("--remove", action="store_true")
    p.add_argument("--who", default=os.environ.get("USER", "cli"))
    p.set_defaults(func=_cmd_role)

    p = add("imports", "list the import history")
    p.set_defaults(func=_cmd_imports)

    p = add("rejects", "list rejected rows and cells with their reasons (CSV)")
    p.add_argument("--import-id", type=int)
    p.add_argument("--pseudonymise", choices=["initials", "codes"],
                   help="no names: every athlete's names scrubbed from file names, values and problems")
    p.set_defaults(func=_cmd_rejects)

    p = add("undo", "undo an import: remove its rows, restore what it replaced")
    p.add_argument("import_id", type=int)
    p.set_defaults(func=_cmd_undo)

    p = add("match", "list name matches to confirm, or confirm/dismiss one")
    p.add_argument("--merge", nargs=2, metavar=("FROM_ID", "INTO_ID"), help="merge athlete FROM_ID into INTO_ID")
    p.add_argument("--dismiss", type=int, metavar="SUGGESTION_ID")
    p.set_defaults(func=_cmd_match)

    p = add("template", "write the Return to Speed import template (.xlsx)")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=_cmd_template)

    p = add("board", "print the readiness board for a date")
    p.add_argument("--on", help="date YYYY-MM-DD (default: today)")
    p.add_argument("--format", choices=["text", "csv", "json"], default="text")
    p.add_argument("--team", default="default", help="settings of this team (default: default)")
    p.set_defaults(func=_cmd_board)

    p = add("tier", "record a tier change for an athlete, or confirm the board's proposal (who and why are kept)")
    p.add_argument("athlete_id")
    p.add_argument("tier", type=int, choices=range(1, 6), nargs="?")
    p.add_argument("--on", help="date YYYY-MM-DD (default: today)")
    p.add_argument("--reason", help="why (required unless --confirm)")
    p.add_argument("--confirm", action="store_true",
                   help="record the tier the board proposes on --on (a step back, a first tier, the next tier)")
    p.add_argument("--team", default="default", help="settings of this team, for --confirm (default: default)")
    p.add_argument("--who", default="cli")
    p.set_defaults(func=_cmd_tier)

    p = add("settings", "list, set, export or import a team's thresholds (medical and admin roles; audit-logged)")
    p.add_argument("action", choices=["list", "set", "export", "import"])
    p.add_argument("args", nargs="*", metavar="ARG", help="set: NAME VALUE; import: FILE (as written by export)")
    p.add_argument("--team", default="default", help="the team's settings (default: default)")
    p.add_argument("--role", default="admin", choices=["medical", "coach", "admin"],
                   help="role the change is made under (coaches may only list and export)")
    p.add_argument("--who", default=os.environ.get("USER", "cli"), help="name recorded in the audit log")
    p.set_defaults(func=_cmd_settings)

    p = add("formats", "a club's format profiles: list, show, export, import (a shared file), draft (from a sheet), delete")
    cli_args.formats_arguments(p)
    p.set_defaults(func=_module_main("formats"))

    p = add("plan", "a returning athlete's weekly high-velocity plan (proposal, or saved with its actuals); --save stores one")
    cli_args.plan_arguments(p)
    p.set_defaults(func=_module_main("plan"))

    p = add("mss", "an athlete's maximal sprint speed; confirm or set aside a session's max speed (medical, admin; audit-logged)")
    cli_args.mss_arguments(p)
    p.set_defaults(func=_module_main("mss"))

    p = add("demo", "load the bundled demo team (sample_data/) into the store")
    p.set_defaults(func=_cmd_demo)

    p = add("migrate", "bring the store's schema up to this version (pending migrations; safe to repeat)")
    p.set_defaults(func=_cmd_migrate)

    p = add("backup", "copy the store into a file while the app runs (SQLite: a SQLite file; PostgreSQL: pg_dump)")
    p.add_argument("file", help="where the backup goes")
    p.set_defaults(func=_cmd_backup)

    p = add("restore", "replace the store by a backup (stop the app first), then migrate it to this version")
    p.add_argument("file", help="a file written by `python -m lib backup`")
    p.add_argument("--yes", action="store_true", help="confirm: every table of the store is replaced")
    p.set_defaults(func=_cmd_restore)
    return parser


if __name__ == "__main__":
    sys.exit(main())
