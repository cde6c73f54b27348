"""Store reads for a club season (issue 15, "Columnar store reads").

A synthetic season (fixed seed: metrics_bench's generator, every 8th session kept, so 250 sessions
and 500 test rows per athlete; 160 athletes: 40,000 sessions, 80,000 tests) written into a fresh
store, then every canonical table read three ways in the same run, median of N runs:

- new:   `store.read_table` (one query per table, driver rows built into columns, `conform`)
- old:   the row-by-row read it replaced (a dict per row, then a DataFrame, then `conform`)
- floor: a bare `pd.read_sql_query` of the same query (no dtypes, no conform)
- fetch: the driver's `fetchall` of the same SQL alone (no DataFrame at all): the hard floor

Peak memory (RSS) of the process from `resource.getrusage` at the end.

    python benchmarks/store_read_bench.py [--athletes 160] [--runs 5] [--pg postgresql+psycopg://user@host/db]

With --pg the season goes into a temporary schema of that database (dropped afterwards) instead
of a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from lib import store  # noqa: E402
from lib.core.schema import TABLES, conform, without_missing_measures  # noqa: E402
from lib.store.scratch import scratch_schema  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402


def old_read_table(engine: Engine, table: str) -> pd.DataFrame:
    """The read before issue 15: a dict per row, then a DataFrame (active rows, no provenance)."""
    t = store.CANONICAL[table]
    query = sa.select(t).where(t.c.superseded_by.is_(None)).order_by(t.c.row_id)
    with store.snapshot(engine) as conn:
        raw = pd.DataFrame(conn.execute(query).mappings().all(), columns=[c.name for c in t.columns])
    return without_missing_measures(conform(raw, table), table)


def floor_read_table(engine: Engine, table: str) -> pd.DataFrame:
    """A bare pandas read of the same query: what a columnar read cannot beat by much."""
    t = store.CANONICAL[table]
    query = sa.select(t).where(t.c.superseded_by.is_(None)).order_by(t.c.row_id)
    with store.snapshot(engine) as conn:
        return pd.read_sql_query(query, conn)


def fetch_only(engine: Engine, table: str) -> list[tuple[object, ...]]:
    """The driver's rows for the same statement, nothing built from them."""
    t = store.CANONICAL[table]
    query = sa.select(t).where(t.c.superseded_by.is_(None)).order_by(t.c.row_id)
    with store.snapshot(engine) as conn:
        result = conn.exec_driver_sql(str(query.compile(dialect=conn.dialect)))
        return result.cursor.fetchall()


def fill(engine: Engine, athletes: int) -> dict[str, int]:
    """The season written as one import; rows per table."""
    from metrics_bench import season

    data = season(athletes)
    frames = {name: getattr(data, name) for name in TABLES}
    frames["sessions"] = frames["sessions"].iloc[::8].reset_index(drop=True)  # 2,000 -> 250 per athlete
    with engine.begin() as conn:
        import_id = conn.execute(store.imports.insert().values(
            file="season (benchmark)", sha256="bench", status="imported", imported_by="bench",
            imported_at=store.now())).inserted_primary_key[0]
        for name, df in frames.items():
            store.insert_frame(conn, store.CANONICAL[name], df.assign(import_id=import_id, source_sheet=""))
    return {name: len(df) for name, df in frames.items()}


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def row(name: str, new: float, old: float, floor: float, fetch: float) -> str:
    return (f"{name:<10} {new:8.3f} {old:8.3f} {floor:8.3f} {fetch:8.3f} {old / new:7.2f}x "
            f"{new / floor:8.2f}x {new / fetch:8.2f}x")


@contextlib.contextmanager
def season_store(pg: str | None) -> Iterator[Engine]:
    if not pg:
        with tempfile.TemporaryDirectory() as tmp:
            yield store.connect(Path(tmp) / "season.sqlite")
            store.dispose_all()
        return
    with scratch_schema(pg, prefix="rts_bench") as url:
        yield store.connect(url)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", type=int, default=160)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pg", default=None, help="a PostgreSQL URL (a temporary schema is used)")
    args = ap.parse_args()
    with season_store(args.pg) as engine:
        rows = fill(engine, args.athletes)
        for table in TABLES:  # the same frames, or the comparison means nothing
            pd.testing.assert_frame_equal(store.read_table(engine, table), old_read_table(engine, table))
        print(f"{engine.dialect.name}, {args.athletes} athletes: " + ", ".join(f"{n} {r:,}" for n, r in rows.items()))
        print(f"{'table':<10} {'new s':>8} {'old s':>8} {'floor s':>8} {'fetch s':>8} {'old/new':>8} "
              f"{'new/floor':>9} {'new/fetch':>9}")
        totals = [0.0, 0.0, 0.0, 0.0]
        for table in TABLES:
            times = [median_time(lambda f=f: f(engine, table), args.runs)
                     for f in (store.read_table, old_read_table, floor_read_table, fetch_only)]
            totals = [a + b for a, b in zip(totals, times)]
            print(row(table, *times))
        print(row("all", *totals))
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
