"""Command line: `python -m lib import|export|imports|rejects|undo|match|board|tier|plan|settings|template|demo|migrate|backup|restore ...`.

Exit codes: 0 success (an import with rejected rows is a success), 1 a file could not be read
or an operation failed, 2 usage errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

import pandas as pd

from lib import store
from lib.core.errors import ReturnToSpeedError
from lib.ingest.importer import ImportSettings, dismiss_suggestion, import_files, merge_athlete, undo_import
from lib.ingest.sources import size_problem


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
    p.set_defaults(func=_cmd_import)

    p = add("export", "write a canonical table or the board as CSV (stdout) or XLSX; audit-logged")
    from lib import exports, reports

    exports.add_arguments(p)
    p.add_argument("--who", default=os.environ.get("USER", "cli"), help="name recorded in the audit log")
    p.set_defaults(func=_cmd_export)

    p = add("report", "write the board (one A4 page) or an athlete's return-to-speed report as PDF or PNG")
    reports.add_arguments(p)
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

    p = add("plan", "a returning athlete's weekly high-velocity plan (proposal, or saved with its actuals); --save stores one")
    from lib.cli import plan as plan_cli

    plan_cli.add_arguments(p)
    p.set_defaults(func=plan_cli.main)

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


def _cmd_import(args: argparse.Namespace) -> int:
    files: list[tuple[str, bytes]] = []
    missing: list[str] = []
    too_big: list[tuple[str, str]] = []
    for f in args.files:
        path = Path(f)
        if not path.is_file():
            missing.append(f)
            continue
        refused = size_problem(path.stat().st_size)  # before reading: a 2 GB file is never loaded
        if refused:
            too_big.append((path.name, refused))
            continue
        files.append((path.name, path.read_bytes()))
    reports = import_files(store.connect(args.db), files, ImportSettings(args.date_order, args.who)) if files else []
    if args.json:
        out = [r.as_dict() for r in reports] + [{"file": m, "status": "failed", "message": "no such file"} for m in missing]
        out += [{"file": name, "status": "failed", "message": why} for name, why in too_big]
        print(json.dumps(out, indent=2, default=str))
    else:
        for r in reports:
            print(r.text())
        for m in missing:
            print(f"{m}: failed\n  no such file")
        for name, why in too_big:
            print(f"{name}: failed\n  {why}")
    return 0 if not missing and not too_big and all(r.readable for r in reports) else 1


def _cmd_report(args: argparse.Namespace) -> int:
    from lib import reports
    from lib.privacy import log_export

    code = reports.main_report(args)
    if code == 0:  # a report holds health data: audit-logged like an export
        what = f"report {args.kind}" + (f" {args.athlete_id}" if args.athlete_id else "")
        log_export(store.connect(args.db), args.who, what, -1, "admin")
    return code


def _cmd_export(args: argparse.Namespace) -> int:
    from lib.exports import main_export
    from lib.privacy import log_export

    # the command line is an admin's tool: every column; text a spreadsheet would run is neutralised
    code = main_export(args)
    log_export(store.connect(args.db), args.who, args.table, -1, "admin")
    return code


def _cmd_erase(args: argparse.Namespace) -> int:
    from lib.privacy import erase_athlete

    if not args.yes:
        print("erase removes every row of the athlete and cannot be undone: add --yes to confirm", file=sys.stderr)
        return 2
    done = erase_athlete(store.connect(args.db), args.athlete_id, args.who, args.reference,
                         also=tuple(args.also), keep=tuple(args.keep))
    profiles = f" with {', '.join(done.erased[1:])}" if len(done.erased) > 1 else ""
    print(f"{args.athlete_id}{profiles}: erased, {done.rows_removed} rows removed "
          f"({', '.join(f'{n} {t}' for t, n in done.removed.items())}); their names rewritten in "
          f"{sum(done.scrubbed.values())} rows of reports, file names and the log; audit entry #{done.event_id}")
    check = done.verification
    if check is not None and not check.clean:
        print(f"error: erasure {check.message()}", file=sys.stderr)
        return 1
    print(f"store {check.message() if check is not None else 'not checked'}")
    return 0


def _cmd_role(args: argparse.Namespace) -> int:
    from lib.privacy import remove_role, set_role

    engine = store.connect(args.db)
    if args.remove:
        remove_role(engine, args.email, args.who)
        print(f"{args.email}: role removed")
    elif args.role:
        set_role(engine, args.email, args.role, args.who)
        print(f"{args.email}: {args.role}")
    else:
        print("give a role (medical, coach, admin) or --remove", file=sys.stderr)
        return 2
    return 0


def _write_csv(df: pd.DataFrame) -> None:
    """A frame as CSV on stdout, text a spreadsheet could run as a formula neutralised (lib.exports)."""
    from lib.exports import neutralise

    neutralise(df, csv=True).to_csv(sys.stdout, index=False, lineterminator="\n")


def _cmd_imports(args: argparse.Namespace) -> int:
    _write_csv(store.read_imports(store.connect(args.db)))  # file names are uploaded text
    return 0


def _cmd_rejects(args: argparse.Namespace) -> int:
    engine = store.connect(args.db)
    rejects = store.read_rejects(engine, args.import_id)
    mode = getattr(args, "pseudonymise", None)
    if mode:
        from lib.privacy import INJURY_FORMATS, WITHHELD
        from lib.privacy.pseudonym import known_names, pseudonymise_texts, store_key

        formats = dict(zip(store.read_imports(engine)["import_id"], store.read_imports(engine)["formats"].fillna("")))
        injury = rejects["import_id"].map(lambda i: bool(INJURY_FORMATS.search(formats.get(i, ""))))
        rejects = rejects.assign(value=rejects["value"].where(~injury, WITHHELD))  # a diagnosis is free text
        rejects = pseudonymise_texts(rejects, mode, known_names(engine), store_key(engine))
    _write_csv(rejects)  # rejected cells are uploaded text
    return 0


def _cmd_undo(args: argparse.Namespace) -> int:
    removed = undo_import(store.connect(args.db), args.import_id, who="cli")
    print(f"import #{args.import_id} undone: removed " + ", ".join(f"{n} {t}" for t, n in removed.items()))
    return 0


def _cmd_match(args: argparse.Namespace) -> int:
    engine = store.connect(args.db)
    if args.merge:
        moved = merge_athlete(engine, args.merge[0], args.merge[1], who="cli")
        print(f"merged {args.merge[0]} into {args.merge[1]}: {moved} rows moved")
    elif args.dismiss is not None:
        dismiss_suggestion(engine, args.dismiss, who="cli")
        print(f"suggestion {args.dismiss} dismissed")
    else:
        _write_csv(store.read_suggestions(engine))  # names as they came in
    return 0


def _cmd_template(args: argparse.Namespace) -> int:
    from lib.ingest.template import template_workbook

    Path(args.output).write_bytes(template_workbook())
    print(f"template written to {args.output}")
    return 0


def _date(text: str | None) -> pd.Timestamp:
    if not text:
        return pd.Timestamp.today().normalize()
    try:
        return pd.Timestamp(dt.date.fromisoformat(text))
    except ValueError:
        raise ReturnToSpeedError(f"--on must be a date like 2026-11-23, not '{text}'") from None


def _cmd_board(args: argparse.Namespace) -> int:
    from lib.core import settings
    from lib.readiness import Data, readiness_board

    engine = store.connect(args.db)
    board = readiness_board(Data.from_store(engine), _date(args.on), settings.load(engine, args.team))
    if args.format == "json":
        rows = [{"athlete_id": r["athlete_id"], "name": r["name"], "status": r["status"], "tier": _int(r["tier"]),
                 "tier_basis": r["tier_basis"], "days_at_tier": _int(r["days_at_tier"]),
                 "proposed_tier": _int(r["proposed_tier"]), "action": r["action"],
                 "reasons": [{k: reason.get(k) for k in ("rule", "kind", "metric", "value", "threshold", "source",
                                                         "message")}
                             for reason in r["reasons"]]}
                for r in board.to_dict("records")]
        print(json.dumps(rows, indent=2, default=str, ensure_ascii=False))
    elif args.format == "csv":
        from lib.exports import board_csv

        sys.stdout.write(board_csv(board, bom=False).decode("utf-8"))  # uploaded text never runs as a formula
    else:
        for r in board.to_dict("records"):
            from lib.views import tier_cell

            print(f"{r['status'].upper():6} {r['name']:<24} tier {tier_cell(r['tier'], r['tier_basis'], r['proposed_tier']) or '-'}"
                  f"  {r['action']}")
            for reason in r["reasons"][:4]:
                print(f"         - {reason['message']}")
    return 0


def _int(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[arg-type, call-overload]


def _cmd_tier(args: argparse.Namespace) -> int:
    from lib.core import settings
    from lib.readiness import Data, readiness_board, record_tier_change

    engine = store.connect(args.db)
    day = _date(args.on)
    tier, reason = args.tier, args.reason
    if args.confirm:
        board = readiness_board(Data.from_store(engine), day, settings.load(engine, args.team))
        row = board[board["athlete_id"] == args.athlete_id]
        if row.empty or pd.isna(row.iloc[0]["proposed_tier"]):
            print(f"{args.athlete_id}: the board proposes no tier change on {day:%Y-%m-%d}", file=sys.stderr)
            return 1
        proposed = int(row.iloc[0]["proposed_tier"])
        if tier is not None and tier != proposed:
            print(f"{args.athlete_id}: the board proposes tier {proposed}, not {tier}", file=sys.stderr)
            return 1
        tier = proposed
        reason = reason or f"confirmed the board's proposal: {row.iloc[0]['action']}"
    if tier is None or not reason:
        print("give a tier and --reason, or --confirm the board's proposal", file=sys.stderr)
        return 2
    record_tier_change(engine, args.athlete_id, day, tier, reason, args.who)
    print(f"{args.athlete_id}: tier {tier} recorded ({reason})")
    return 0


def _cmd_settings(args: argparse.Namespace) -> int:
    import csv
    import io

    from lib.core import settings

    engine = store.connect(args.db)
    if args.action in ("list", "export"):
        table = settings.table(settings.load(engine, args.team))
        if args.action == "export":  # name,value: what `import` reads back (a club can version it)
            table = table[["name", "value", "unit", "source"]]
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    if args.action == "set":
        if len(args.args) != 2:
            print("settings set NAME VALUE", file=sys.stderr)
            return 2
        values: dict[str, object] = {args.args[0]: args.args[1]}
    else:
        if len(args.args) != 1 or not Path(args.args[0]).is_file():
            print("settings import FILE (a CSV with name and value columns, as written by export)", file=sys.stderr)
            return 2
        rows = list(csv.DictReader(io.StringIO(Path(args.args[0]).read_text(encoding="utf-8-sig"))))
        values = {r["name"]: r["value"] for r in rows if r.get("name")}
    unknown = sorted(set(values) - set(settings.BY_NAME))
    if unknown:
        print(f"no such setting: {', '.join(unknown)}", file=sys.stderr)
        return 2
    current = settings.load(engine, args.team)
    try:
        changed = {k: v for k, v in values.items() if str(settings.typed(k, v)) != str(current[k])}
        settings.save(engine, changed, args.team, args.who, role=args.role)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name in changed:
        print(f"{args.team}: {name} = {settings.load(engine, args.team)[name]}")
    if not changed:
        print(f"{args.team}: nothing changed")
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    from lib.store import migrations

    before, applied = store.migrate(args.db)
    if applied:
        was = {"": "a new, empty store", None: "a store made before migrations"}.get(before, f"revision {before}")
        print(f"store migrated from {was} to revision {migrations.head()}: applied {', '.join(applied)}")
    else:
        print(f"store already at revision {migrations.head()}: nothing to do")
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    print(f"backup written: {store.backup(args.db, args.file)}")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    if not Path(args.file).is_file():
        raise ReturnToSpeedError(f"no backup file '{args.file}'")
    if not args.yes:
        print("error: restoring replaces every table of the store: add --yes to confirm", file=sys.stderr)
        return 2
    store.restore(args.db, args.file)
    print(f"store restored from {args.file}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from lib.ingest.demo import load_demo

    reports = load_demo(store.connect(args.db))
    for r in reports:
        print(r.text())
    return 0 if all(r.readable for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
