"""The bundled demo team: the files in sample_data/, loaded through the ordinary importer."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from lib import store
from lib.ingest.importer import ImportReport, ImportSettings, Progress, import_files

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
# The tier changes the demo club's physio recorded (the board never infers a tier from speed):
# (athlete, date, tier, why). Stories in sample_data/README.md.
DEMO_TIERS: tuple[tuple[str, str, int, str], ...] = (
    ("RTS011", "2026-09-24", 1, "BFlh grade 2: control phase"),
    ("RTS011", "2026-10-13", 2, "pain-free jogging, Nordic submaximal"),
    ("RTS011", "2026-10-26", 3, "hop LSI >= 80%, pain 2 or less for a week"),
    ("RTS011", "2026-11-09", 4, "hop LSI >= 90% on single and triple hop"),
    ("RTS005", "2026-09-30", 1, "medial gastrocnemius: control phase"),
    ("RTS005", "2026-10-20", 2, "pain-free walking, calf raises"),
    ("RTS005", "2026-11-02", 3, "single hop LSI >= 80%"),
    ("RTS014", "2026-09-17", 1, "rectus femoris: control phase"),
    ("RTS014", "2026-10-07", 2, "pain-free jogging"),
    ("RTS014", "2026-10-21", 3, "single hop LSI >= 80%"),
    ("RTS014", "2026-11-16", 4, "hop LSI 91-92%: cleared for 90% MSS"),
    ("RTS020", "2026-10-09", 1, "adductor longus: control phase"),
    ("RTS020", "2026-10-26", 2, "pain-free jogging"),
    ("RTS020", "2026-11-09", 3, "single hop LSI >= 80%"),
)
DEMO_PHYSIO = "demo physio"
# Last week's (2026-W47) high-velocity plans the demo club's coach saved (lib.plan), per day Monday
# to Sunday as (HSR m, sprint m, top speed % MSS; None = rest). Stories in sample_data/README.md:
# Mateus on track (the engine's proposal, sprint raised to what he did the week before), Liam
# behind (pushed to 250 m, he ran 203 m and never reached 80% MSS), Kwame over-cooked (513 m planned,
# 1180 m run in full team training at 97% MSS), Finn the engine's proposal.
_REST = (0, 0, None)
DEMO_PLANS: tuple[tuple[str, str, int, tuple[tuple[float, float, float | None], ...]], ...] = (
    ("RTS011", "2026-W47", 4, (_REST, (87, 0, 70), (175, 55, 90), (87, 0, 70), (175, 55, 90), (87, 0, 70), _REST)),
    ("RTS005", "2026-W47", 3, (_REST, (36, 0, 70), (71, 11, 80), (36, 0, 70), (71, 11, 80), (36, 0, 70), _REST)),
    ("RTS014", "2026-W47", 4, (_REST, (73, 0, 70), (147, 25, 90), (73, 0, 70), (147, 25, 90), (73, 0, 70), _REST)),
    ("RTS020", "2026-W47", 3, (_REST, (40, 0, 70), (80, 14, 80), (40, 0, 70), (80, 14, 80), (40, 0, 70), _REST)),
)
DEMO_COACH = "demo coach"
DEMO_SUFFIXES = (".csv", ".xlsx", ".xls", ".ods", ".txt")


def demo_files() -> list[Path]:
    """The demo team's export files, roster first."""
    if not SAMPLE_DIR.is_dir():
        return []
    files = [p for p in sorted(SAMPLE_DIR.iterdir()) if p.suffix.lower() in DEMO_SUFFIXES and p.name != "README.md"]
    return sorted(files, key=lambda p: (not p.stem.startswith("roster"), p.name))


def load_demo(engine: Engine, progress: Progress | None = None) -> list[ImportReport]:
    """Import every demo file (re-running adds nothing: imports are idempotent)."""
    files = [(p.name, p.read_bytes()) for p in demo_files()]
    reports = import_files(engine, files, ImportSettings(who="demo"), progress)
    record_demo_tiers(engine)
    record_demo_plans(engine)
    return reports


def record_demo_tiers(engine: Engine) -> None:
    """Record the demo club's tier changes once (re-running adds nothing)."""
    import pandas as pd

    from lib.store.tiers import read_tier_history, record_tier_change

    athletes = set(store.read_table(engine, "athletes")["athlete_id"].astype(str))
    done = {(str(r.athlete_id), pd.Timestamp(r.date), int(r.tier)) for r in read_tier_history(engine).itertuples()}
    for aid, day, tier, why in DEMO_TIERS:
        if aid in athletes and (aid, pd.Timestamp(day), tier) not in done:
            record_tier_change(engine, aid, pd.Timestamp(day), tier, why, who=DEMO_PHYSIO)


def record_demo_plans(engine: Engine) -> None:
    """Save the demo coach's plans of last week once (re-running adds nothing)."""
    import pandas as pd

    from lib.store.saved_plans import read_plans, write_plan
    from lib.metrics.planning import HV_PCT, SESSION_WORDS, week_dates

    athletes = set(store.read_table(engine, "athletes")["athlete_id"].astype(str))
    saved = {(str(r.athlete_id), str(r.week)) for r in read_plans(engine).itertuples()}
    for aid, week, tier, days in DEMO_PLANS:
        if aid not in athletes or (aid, week) in saved:
            continue
        words = SESSION_WORDS[tier]
        frame = pd.DataFrame({"date": week_dates(week), "hsr_m": [d[0] for d in days], "sprint_m": [d[1] for d in days],
                              "max_pct_mss": [d[2] for d in days],
                              "session": [None if d[2] is None else words["hv" if d[2] >= HV_PCT else "run"] for d in days]})
        write_plan(engine, aid, week, frame, who=DEMO_COACH, role="coach", tier=tier)


def ensure_demo(engine: Engine, progress: Progress | None = None) -> list[ImportReport]:
    """Load the demo team only into an empty store."""
    return load_demo(engine, progress) if store.is_empty(engine) else []


def is_demo(engine: Engine) -> bool:
    """True when every live import came from the demo loader."""
    imports = store.read_imports(engine)
    live = imports[imports["status"] == "imported"]
    return len(live) > 0 and bool((live["imported_by"] == "demo").all())
