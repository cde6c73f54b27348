"""`python -m lib formats list|show|export|import|draft|delete`: a club's format profiles.

`draft FILE` writes the product's guess at a sheet's columns as a profile file to edit; `import
PROFILE` checks a profile file and stores it (a bad file is refused whole, naming the field, and
nothing changes); `export NAME` writes the file a club shares. Saving and deleting are audit-logged
and never change rows already imported.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from lib import store
from lib.ingest import profile_guess, profiles
from lib.ingest.sources import open_file

ACTIONS = ("list", "show", "export", "import", "draft", "delete")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """`formats ACTION ...`: one sub-command per action, each taking its options after it too."""
    actions = p.add_subparsers(dest="action", required=True, metavar="{" + ",".join(ACTIONS) + "}")
    helps = {"list": "the stored profiles", "show": "a stored profile's file, with its version and signature",
             "export": "write a stored profile's file, to share", "import": "check a profile file and store it",
             "draft": "write the product's guess at a sheet's columns as a profile file to edit",
             "delete": "remove a stored profile (admins); the rows it imported stay"}
    for action in ACTIONS:
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


def main(args: argparse.Namespace) -> int:
    """Run one `formats` action; the exit code."""
    if args.action == "draft":
        return _draft(args)
    engine = store.connect(args.db)
    if args.action == "list":
        known = profiles.stored_profiles(engine)
        for s in known:
            print(f"{s.profile.name}\tversion {s.version}\t{len(s.profile.columns)} columns\t{s.profile.signature}\t"
                  f"saved by {s.saved_by or '?'}" + (f" on {s.saved_at:%Y-%m-%d %H:%M}" if s.saved_at else ""))
        if not known:
            print("no format profiles stored (teach one on the Data page, or `formats import PROFILE`)")
        return 0
    if args.action in ("show", "export"):
        found = profiles.stored_profile(engine, args.target)
        text = profiles.profile_json(found.profile)
        if args.action == "show":
            print(f"# {found.line}; header signature {found.profile.signature}")
        return _write(text, args.output if args.action == "export" else None)
    if args.action == "delete":
        profiles.delete_profile(engine, args.target, args.who, args.role)
        print(f"format profile '{args.target}' deleted (the rows it imported stay)")
        return 0
    path = Path(args.target)
    if not path.is_file():
        print(f"error: no such file: {args.target}", file=sys.stderr)
        return 2
    profile = profiles.parse_profile(path.read_bytes(), path.name)  # refused whole before anything is written
    saved = profiles.save_profile(engine, profile, args.who, args.role, replace=args.replace)
    print(f"{saved.line} stored: the next sheet with its {len(profile.columns)} headers imports with it")
    return 0


def _draft(args: argparse.Namespace) -> int:
    path = Path(args.target)
    if not path.is_file():
        print(f"error: no such file: {args.target}", file=sys.stderr)
        return 2
    opened = open_file(path.read_bytes(), path.name)
    sheets = {s.name: s for s in opened.sheets}
    if not sheets:
        print(f"error: {path.name}: no sheet to map", file=sys.stderr)
        return 1
    if args.sheet is not None and args.sheet not in sheets:
        print(f"error: {path.name} has no sheet '{args.sheet}' (sheets: {', '.join(sheets)})", file=sys.stderr)
        return 2
    sheet = sheets[args.sheet] if args.sheet is not None else next(iter(sheets.values()))
    draft = profile_guess.guess_profile(sheet, args.name or "")
    said, _unknown = profile_guess.recognition(sheet)
    print(f"{path.name}: {said}", file=sys.stderr)
    for problem in profiles.profile_problems(draft):
        print(f"to fix before `formats import`: {problem}", file=sys.stderr)
    return _write(profiles.profile_json(draft), args.output)


def _write(text: str, output: str | None) -> int:
    if output:
        Path(output).write_text(text, encoding="utf-8")
        print(f"written: {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
