"""The commands of `python -m lib`, one function per subcommand: each takes the parsed arguments and returns the exit code."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import pandas as pd

from lib import store
from lib.core.errors import ReturnToSpeedError
from lib.ingest.importer import ImportSettings, dismiss_suggestion, import_files, merge_athlete, undo_import
from lib.ingest.sources import size_problem


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
    settings = ImportSettings(args.date_order, args.who, profile=getattr(args, "profile", None))
    reports = import_files(store.connect(args.db), files, settings) if files else []
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
    from lib.cli.report import main_report
    from lib.privacy import log_export

    code = main_report(args)
    if code == 0:  # a report holds health data: audit-logged like an export
        what = f"report {args.kind}" + (f" {args.athlete_id}" if args.athlete_id else "")
        log_export(store.connect(args.db), args.who, what, -1, "admin")
    return code


def _cmd_export(args: argparse.Namespace) -> int:
    from lib.cli.export import main_export
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


def _cmd_compact(args: argparse.Namespace) -> int:
    from lib.privacy import compact_store

    check = compact_store(store.connect(args.db))
    if not check.clean:
        print(f"error: store {check.message()}", file=sys.stderr)
        return 1
    print(f"store {check.message()}")
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
    from lib.store import settings
    from lib.readiness import Data, readiness_board

    engine = store.connect(args.db)
    board = readiness_board(Data.from_store(engine), _date(args.on), settings.load(engine, args.team))
    if args.format == "json":
        rows = [{"athlete_id": r["athlete_id"], "name": r["name"], "status": r["status"], "tier": _int(r["tier"]),
                 "tier_basis": r["tier_basis"], "days_at_tier": _int(r["days_at_tier"]),
                 "proposed_tier": _int(r["proposed_tier"]), "action": r["action"],
                 "reasons": [{k: reason.get(k) for k in ("rule", "kind", "metric", "value", "threshold", "source",
                                                         "message")}
                             for reason in r["reasons"]],
                 # descriptive acute:chronic (lib.metrics.exposure.acwr_figure), null without a figure
                 "acwr_hsr": _float(r["acwr_hsr"]), "acwr_sprint": _float(r["acwr_sprint"])}
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


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _cmd_tier(args: argparse.Namespace) -> int:
    from lib.store import settings
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

    from lib.store import settings

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
