"""The command line's arguments, one function per command that has many (`python -m lib export|report|
formats|plan|mss`): argparse and lib.core.names only, so that `python -m lib --help` and a usage error
start without pandas, the store or the readers (issue 15: a light start). Each command's module runs
it (`lib.cli.<command>.main...`), imported when the command runs."""

from __future__ import annotations

import argparse
import os

from lib.core.names import ALL, BOARD, FORMATS, TABLE_NAMES

FORMAT_ACTIONS = ("list", "show", "export", "import", "draft", "delete")


def export_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `python -m lib export` (the caller adds --db)."""
    parser.add_argument("table", choices=[*TABLE_NAMES, BOARD, ALL], metavar="TABLE",
                        help=", ".join(TABLE_NAMES) + f"; {BOARD} (the readiness board); {ALL} (every table and the board, xlsx)")
    parser.add_argument("--format", choices=FORMATS, default="csv", help="csv (default) or xlsx")
    parser.add_argument("--pseudonymise", choices=["initials", "codes"], help="no names: initials or athlete codes")
    parser.add_argument("--provenance", action="store_true", help="add import_id, source_sheet columns")
    parser.add_argument("--on", help="the board's date YYYY-MM-DD (default: today)")
    parser.add_argument("--team", default="default", help="the board's team settings (default: default)")
    parser.add_argument("-o", "--output", help="write FILE instead of stdout (CSV files get a BOM for Excel)")


def report_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `python -m lib report board|athlete ATHLETE_ID [--on DATE] [--team NAME]
    [--pseudonymise initials|codes] -o FILE.pdf|FILE.png` (the caller adds --db)."""
    parser.add_argument("kind", choices=["board", "athlete"], help="board: one page for the meeting; athlete: "
                                                                  "one athlete's return-to-speed report")
    parser.add_argument("athlete_id", nargs="?", help="the athlete (athlete reports)")
    parser.add_argument("--on", help="date YYYY-MM-DD (default: today)")
    parser.add_argument("--team", default="default", help="settings of this team (default: default)")
    parser.add_argument("--pseudonymise", choices=["initials", "codes"], help="no names: initials or athlete codes")
    parser.add_argument("-o", "--output", required=True, help="FILE.pdf (board: .png too)")


def formats_arguments(p: argparse.ArgumentParser) -> None:
    """`formats ACTION ...`: one sub-command per action, each taking its options after it too."""
    actions = p.add_subparsers(dest="action", required=True, metavar="{" + ",".join(FORMAT_ACTIONS) + "}")
    helps = {"list": "the stored profiles", "show": "a stored profile's file, with its version and signature",
             "export": "write a stored profile's file, to share", "import": "check a profile file and store it",
             "draft": "write the product's guess at a sheet's columns as a profile file to edit",
             "delete": "remove a stored profile (admins); the rows it imported stay"}
    for action in FORMAT_ACTIONS:
        a = actions.add_parser(action, help=helps[action], description=helps[action])
        a.add_argument("--db", default=argparse.SUPPRESS, help="store path or SQLAlchemy URL")
        if action in ("show", "export", "delete"):
            a.add_argument("target", metavar="NAME", help="the profile's name")
        elif action in ("import", "draft"):
            a.add_argument("target", metavar="FILE", help="a profile file" if action == "import" else "a sheet to map")
        if action in ("export", "draft"):
            a.add_argument("-o", "--output", help="write the profile file here (default: stdout)")
        if action == "draft":
            a.add_argument("--name", help="the profile's name (default: from the file name)")
            a.add_argument("--sheet", help="the workbook's sheet to map (default: the first)")
        if action == "import":
            a.add_argument("--replace", action="store_true", help="replace the stored profile of that name")
        if action in ("import", "delete"):
            a.add_argument("--role", default="admin", choices=["medical", "coach", "admin"],
                           help="role the change is made under (every role may import a profile; admins delete)")
            a.add_argument("--who", default=os.environ.get("USER", "cli"), help="name recorded in the audit log")


def plan_arguments(p: argparse.ArgumentParser) -> None:
    """The plan subcommand's arguments."""
    p.add_argument("athlete_id", nargs="?", help="the athlete (default: every returning athlete)")
    p.add_argument("--week", help="ISO week like 2026-W48 (default: the week after --on)")
    p.add_argument("--on", help="as-of date YYYY-MM-DD (default: the latest day with data, as on the board)")
    p.add_argument("--format", choices=["text", "csv", "json"], default="text")
    p.add_argument("--team", default="default", help="settings of this team (default: default)")
    p.add_argument("--save", metavar="FILE", help="store an edited plan (JSON or CSV as printed by this command)")
    p.add_argument("--who", default=os.environ.get("USER", "cli"), help="name recorded with a saved plan")
    p.add_argument("--role", default="coach", choices=["coach", "medical", "admin"],
                   help="role the plan is saved under (every role may plan; tiers stay medical)")


def mss_arguments(p: argparse.ArgumentParser) -> None:
    """The mss subcommand's arguments."""
    p.add_argument("action", choices=["show", "confirm", "exclude"])
    p.add_argument("athlete_id")
    p.add_argument("--value", type=float, help="the session's max speed in m/s (as stored, to 2 decimals)")
    p.add_argument("--session", help="the session's date YYYY-MM-DD")
    p.add_argument("--on", help="date of the decision, or of `show` (default: today)")
    p.add_argument("--reason", help="why (kept with the decision)")
    p.add_argument("--team", default="default", help="settings of this team: its mss_ceiling (default: default)")
    p.add_argument("--role", default="medical", choices=["medical", "coach", "admin"],
                   help="role the decision is made under (coaches may only show)")
    p.add_argument("--who", default=os.environ.get("USER", "cli"), help="name recorded with the decision")
