"""The bundled demo team: the files in sample_data/, loaded through the ordinary importer."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from lib import store
from lib.importer import ImportReport, ImportSettings, Progress, import_files

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
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
    return import_files(engine, files, ImportSettings(who="demo"), progress)


def ensure_demo(engine: Engine, progress: Progress | None = None) -> list[ImportReport]:
    """Load the demo team only into an empty store."""
    return load_demo(engine, progress) if store.is_empty(engine) else []


def is_demo(engine: Engine) -> bool:
    """True when every live import came from the demo loader."""
    imports = store.read_imports(engine)
    live = imports[imports["status"] == "imported"]
    return len(live) > 0 and bool((live["imported_by"] == "demo").all())
