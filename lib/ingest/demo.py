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


def ensure_demo(engine: Engine, progress: Progress | None = None) -> list[ImportReport]:
    """Load the demo team only into an empty store."""
    return load_demo(engine, progress) if store.is_empty(engine) else []


def is_demo(engine: Engine) -> bool:
    """True when every live import came from the demo loader."""
    imports = store.read_imports(engine)
    live = imports[imports["status"] == "imported"]
    return len(live) > 0 and bool((live["imported_by"] == "demo").all())
