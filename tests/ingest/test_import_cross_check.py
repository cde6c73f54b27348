"""The import pipeline after issue 15's cuts stores exactly what the old one stored: the same files
imported through the frozen old functions (tests/ingest/legacy_import.py) and through lib, each
into a fresh store, give the same rows in every table the import writes (canonical tables,
imports, rejects, claims, suggestions, aliases), and the same reports.

Cases: the demo team (sample_data/, one batch), the import benchmark's STATSports season as CSV
and as xlsx (smaller than the benchmark's 80,000 rows, which `cross_check_season` also runs), and
a changed re-upload of that season into the same store (rows superseded, claimed unchanged,
added, rejected)."""

from __future__ import annotations

import importlib.util
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from lib import store
from lib.ingest.importer import import_files
from tests.ingest.legacy_import import legacy

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "sample_data"
VOLATILE = {"imported_at", "at", "confirmed_at", "created_at"}  # clocks: differ between two runs


def _bench():  # noqa: ANN202 - the benchmark module
    spec = importlib.util.spec_from_file_location("import_bench", ROOT / "benchmarks" / "import_bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stored(engine: sa.Engine) -> dict[str, pd.DataFrame]:
    """Every table an import writes, all rows in primary-key order, clocks left out."""
    names = [*store.CANONICAL, "imports", "rejects", "claims", "suggestions", "aliases"]
    out = {}
    with engine.connect() as conn:
        for name in names:
            t = store.CANONICAL.get(name) if name in store.CANONICAL else getattr(store, name)
            order = list(t.primary_key.columns) or list(t.columns)
            rows = conn.execute(sa.select(t).order_by(*order)).mappings().all()
            df = pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in t.columns])
            out[name] = df.drop(columns=[c for c in df.columns if c in VOLATILE])
    return out


def _report(r) -> dict:  # noqa: ANN001 - an ImportReport
    """The report as JSON, the clock in a duplicate's message left out."""
    return json.loads(re.sub(r"imported on \d{4}-\d\d-\d\d \d\d:\d\d", "imported on <when>",
                             json.dumps(r.as_dict(), default=str)))


def run(batches: list[list[tuple[str, bytes]]], tmp: Path) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """Import each batch in turn into one fresh store: its tables and every report."""
    engine = store.connect(tmp / "store.sqlite")
    try:
        reports = [_report(r) for batch in batches for r in import_files(engine, batch)]
        return stored(engine), reports
    finally:
        store.dispose_all()


def assert_same(batches: list[list[tuple[str, bytes]]], tmp: Path) -> None:
    (tmp / "old").mkdir()
    (tmp / "new").mkdir()
    with legacy():
        old, old_reports = run(batches, tmp / "old")
    new, new_reports = run(batches, tmp / "new")
    assert new_reports == old_reports
    for name in old:
        assert len(new[name]) == len(old[name]), name
        pd.testing.assert_frame_equal(new[name], old[name], check_dtype=True, check_exact=True, obj=name)


def season_batches(athletes: int, sessions: int, kind: str) -> list[list[tuple[str, bytes]]]:
    """The benchmark's season, then the same season changed: every 7th distance up 10%, every 50th
    row gone, a new athlete, a row without a name and a text in a number column."""
    bench = _bench()
    data = bench.season_workbook(athletes, sessions)
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    changed = frame.copy()
    changed.loc[::7, "Distance Total"] = changed.loc[::7, "Distance Total"] * 1.1
    changed = changed.drop(index=changed.index[::50])
    extra = changed.iloc[:16].copy()
    extra["Player Name"] = "Newcomer Player Nine"
    changed = pd.concat([changed, extra], ignore_index=True).astype(object)
    changed.iloc[3, changed.columns.get_loc("Player Name")] = None
    changed.iloc[5, changed.columns.get_loc("Sprint Distance")] = "DNF"
    if kind == "csv":
        first, second = frame.to_csv(index=False).encode(), changed.to_csv(index=False).encode()
    else:
        buf = io.BytesIO()
        changed.to_excel(buf, index=False, sheet_name="Drill Export")
        first, second = data, buf.getvalue()
    return [[(f"season.{kind}", first)], [(f"season changed.{kind}", second)], [(f"season.{kind}", first)]]


def test_demo_team_same_tables(tmp_path: Path) -> None:
    files = [(p.name, p.read_bytes()) for p in sorted(SAMPLE_DIR.iterdir()) if p.suffix in (".csv", ".xlsx")]
    assert_same([files, files[:2]], tmp_path)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_season_same_tables(tmp_path: Path, kind: str) -> None:
    assert_same(season_batches(6, 40, kind), tmp_path)


def cross_check_season(tmp: Path, athletes: int = 40, sessions: int = 250) -> None:
    """The benchmark's full season (80,000 rows) through both, CSV and xlsx (about a minute)."""
    for kind in ("csv", "xlsx"):
        (tmp / kind).mkdir()
        assert_same(season_batches(athletes, sessions, kind), tmp / kind)
