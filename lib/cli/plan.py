"""`python -m lib plan`: a returning athlete's weekly high-velocity plan (the proposal, or the saved
plan with its actuals) as text, CSV or the public JSON; `--save FILE` stores an edited plan.

    python -m lib plan ATHLETE_ID [--week YYYY-Www] [--on YYYY-MM-DD] [--format text|csv|json]
    python -m lib plan [--week ...] [--format ...]          # every returning athlete
    python -m lib plan --save FILE [--on ...] [--who NAME] [--role coach|medical|admin]

FILE is what `--format json` prints (one object or a list, numbers edited) or `--format csv`
(its athlete_id, week, date, session, hsr_m, sprint_m, max_pct_mss columns; others are ignored).
Exit codes: 0 done, 1 no such athlete / not returning / unreadable file, 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
from pathlib import Path

import pandas as pd

from lib.readiness import plan as plan_lib
from lib import store
from lib.store import settings
from lib.core.errors import ReturnToSpeedError
from lib.metrics.planning import PlanError, week_monday

def main(args: argparse.Namespace) -> int:
    """Run `python -m lib plan`."""
    from lib.readiness.asof import latest_data_day
    from lib.readiness import Data

    engine = store.connect(args.db)
    data = Data.from_store(engine)
    as_of = _on(args.on) or latest_data_day(data) or pd.Timestamp(dt.date.today())
    cfg = settings.load(engine, args.team)
    if args.week:
        try:
            week_monday(args.week)
        except ValueError as exc:
            print(f"error: --week: {exc}", file=sys.stderr)
            return 2
    if args.save:
        return _save(engine, data, Path(args.save), as_of, cfg, args)
    try:
        plans = [plan_lib.athlete_plan(data, args.athlete_id, as_of, cfg, args.week)] if args.athlete_id else \
            plan_lib.group_plans(data, as_of, cfg, week=args.week)
    except PlanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        out = [p.as_json() for p in plans]
        print(json.dumps(out[0] if args.athlete_id else out, indent=2, ensure_ascii=False, default=str))
    elif args.format == "csv":
        from lib.exports import neutralise
        from lib.reports.plan import plan_frame

        neutralise(plan_frame(plans), csv=True).to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        for p in plans:
            print(plan_text(p))
    return 0


def _on(text: str | None) -> pd.Timestamp | None:
    if not text:
        return None
    try:
        return pd.Timestamp(dt.date.fromisoformat(text))
    except ValueError:
        raise ReturnToSpeedError(f"--on must be a date like 2026-11-23, not '{text}'") from None


def plan_text(p: plan_lib.AthletePlan) -> str:
    """The plan as a coach reads it in a terminal."""
    j = p.as_json()
    e = j["efforts"]
    lines = [f"{p.name} ({p.athlete_id}) · {p.week} · tier {j['tier']}, speed cap {j['speed_cap_pct_mss']:.0f}% MSS · "
             f"{'saved by ' + str(p.saved['by']) + ' ' + str(p.saved['at']) if p.saved else 'proposal'}",
             f"  HSR {j['hsr_m']:.0f} m · sprint {j['sprint_m']:.0f} m · sessions >= 80/90/95% MSS: "
             f"{e['80']}/{e['90']}/{e['95']} · projected return {j['projected_return_week'] or 'not projected'}"]
    for d in j["days"]:
        day = pd.Timestamp(d["date"])
        top = f"{d['max_pct_mss']:.0f}%" if d["max_pct_mss"] is not None else "-"
        lines.append(f"  {day:%a %d %b}  {d['hsr_m']:6.0f} m HSR {d['sprint_m']:5.0f} m sprint  {top:>4}  "
                     f"{d['session'] or 'rest'}")
    lines += [f"  - {r['message']} ({r['source']})" for r in j["reasons"]]
    lines += [f"  ! {f['message']} ({f['source']})" for f in j["flags"]]
    if "actual" in j:
        a = j["actual"]
        v = a["verdict"]
        lines.append(f"  actual through {a['through']}: HSR {a['hsr_m']:.0f} m ({v['hsr_m']}), sprint {a['sprint_m']:.0f} m "
                     f"({v['sprint_m']}), top speed {v['max_pct_mss']}")
    return "\n".join(lines)


def _save(engine: object, data: object, path: Path, as_of: pd.Timestamp, cfg: settings.Settings,
          args: argparse.Namespace) -> int:
    if not path.is_file():
        print(f"error: no such file '{path}'", file=sys.stderr)
        return 1
    try:
        edits = read_edits(path.read_bytes())
    except (ValueError, KeyError) as exc:
        print(f"error: {path.name}: {exc}", file=sys.stderr)
        return 1
    from lib.privacy.plans import save_edit
    from lib.readiness import readiness_board

    board = readiness_board(data, as_of, cfg)  # type: ignore[arg-type]
    for athlete_id, week, days in edits:
        try:
            plan_id, flags = save_edit(engine, data, athlete_id, week, days, as_of, args.role, args.who,  # type: ignore[arg-type]
                                                cfg, board)
        except PlanError as exc:
            print(f"error: {athlete_id} {week}: {exc}", file=sys.stderr)
            return 1
        print(f"{athlete_id} {week}: saved as plan #{plan_id}" + ("" if not flags else ", with what the board would flag:"))
        for f in flags:
            print(f"  ! {f['message']} ({f['source']})")
    return 0


def read_edits(raw: bytes) -> list[tuple[str, str, pd.DataFrame]]:
    """(athlete_id, week, days) per plan in a JSON (object or list, as `--format json` prints) or
    CSV (as `--format csv` prints) file."""
    text = raw.decode("utf-8-sig")
    if text.lstrip().startswith(("{", "[")):
        body = json.loads(text)
        items = body if isinstance(body, list) else [body]
        return [(str(i["athlete_id"]), str(i["week"]), pd.DataFrame(i["days"])) for i in items]
    from lib.exports import unescape_cell

    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    missing = {"athlete_id", "week", "date", "session", "hsr_m", "sprint_m", "max_pct_mss"} - set(df.columns)
    if missing:
        raise ValueError(f"a plan CSV needs the columns {', '.join(sorted(missing))}")
    df = df.map(unescape_cell)
    return [(str(a), str(w), g[["date", "session", "hsr_m", "sprint_m", "max_pct_mss"]].replace("", None))
            for (a, w), g in df.groupby(["athlete_id", "week"], sort=False)]
