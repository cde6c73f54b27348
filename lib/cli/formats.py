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

from lib.cli.args import FORMAT_ACTIONS as ACTIONS  # noqa: F401 - the actions, as before
from lib.cli.args import formats_arguments as add_arguments  # noqa: F401 - lib.cli.formats.add_arguments, as before


def main(args: argparse.Namespace) -> int:
    """Run one `formats` action; the exit code."""
    from lib import store
    from lib.ingest import profiles

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
    from lib.ingest import profile_guess, profiles
    from lib.ingest.sources import open_file

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
