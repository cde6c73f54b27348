"""Several staff at once, a killed import, a full disk: the store (SQLite in WAL mode, a 30 s busy
timeout, `BEGIN IMMEDIATE` for every write, plain snapshots for reads) commits each file whole or not at all.

Workers are separate processes. `worker` below runs in a child interpreter
(`python -c "from tests.store.test_concurrency import worker; ..."`); it can hold its write
transaction open for a while by wrapping `lib.ingest.importer._finish` (called inside the transaction,
after every table is written), so no test-only hook is needed in lib/.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import store
from lib.ingest.importer import import_files, read_file, undo_import
from tests.conftest import FD_ROWS, forcedecks_csv

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "forcedecks_cmj.csv"


def worker(db: str, path: str, hold: float = 0.0, marker: str = "", cache_pages: int = 0, release: str = "",
           checked: str = "") -> None:
    """Import one file into `db` (a SQLite path or a URL); inside the write transaction touch
    `marker` and sleep `hold` s, or until the file `release` exists. `checked`: touched once the
    duplicate check outside the transaction has found nothing (the process then queues for the
    write lock). `cache_pages` shrinks SQLite's page cache so uncommitted pages spill into the WAL."""
    import lib.ingest.importer as importer

    engine = store.connect(db)
    if checked:
        find = store.find_import_by_hash

        def find_then_mark(*args: object) -> object:
            found = find(*args)
            Path(checked).write_text("checked")
            return found

        store.find_import_by_hash = find_then_mark
    if cache_pages:
        sa.event.listen(engine, "connect", lambda conn, _r: conn.execute(f"PRAGMA cache_size={cache_pages}"))
        engine.dispose()
    finish = importer._finish

    def slow_finish(*args: object, **kwargs: object) -> None:  # (conn, report, ...) inside the transaction
        if marker:
            Path(marker).write_text("inside")
        time.sleep(hold)
        deadline = time.monotonic() + 120
        while release and not Path(release).exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        finish(*args, **kwargs)

    importer._finish = slow_finish
    [report] = import_files(engine, [(Path(path).name, Path(path).read_bytes())])
    print(report.status, report.import_id, report.rows_added)


def spawn_worker(db: Path, path: Path, **kwargs: object) -> subprocess.Popen[str]:
    args = ", ".join([repr(str(db)), repr(str(path))] + [f"{k}={v!r}" for k, v in kwargs.items()])
    return subprocess.Popen([sys.executable, "-c", f"from tests.store.test_concurrency import worker; worker({args})"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def squad_file(tmp: Path, squad: int, athletes: int = 6, days: int = 10) -> tuple[Path, int]:
    """A ForceDecks export of a squad nobody else has: (path, rows of `tests` it gives)."""
    rows = [[f"Squad{squad} Athlete{a}", "", "CMJ", f"05/{d + 1:02d}/2023", "8:00 AM", "80.5", "3", "",
             f"{30 + a + d / 10:.1f}", f"{a % 9 + 1} L", f"{600 + d}"] for a in range(athletes) for d in range(days)]
    data = forcedecks_csv(rows)
    path = tmp / f"squad{squad}.csv"
    path.write_bytes(data)
    fr = read_file(data, path.name)
    return path, sum(len(r.tables["tests"]) for _s, r in fr.reads)


def counts(db: Path) -> dict[str, int]:
    """Rows per table, read with plain sqlite3 (no engine state carried over)."""
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed names
                for t in ("imports", "athletes", "tests", "rejects", "audit_log")}


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def fresh_store(tmp: Path) -> Path:
    """A store with one import already in it (tables created, WAL mode on)."""
    db = tmp / "shared.sqlite"
    import_files(store.connect(db), [("baseline.csv", forcedecks_csv(FD_ROWS))])
    store.dispose_all()
    return db


# ------------------------------------------------------------------------------------ tests

def test_processes_importing_at_once_all_commit(tmp_path: Path) -> None:
    """Four `python -m lib import` processes on one store at the same moment."""
    db = fresh_store(tmp_path)
    before = counts(db)
    files = [squad_file(tmp_path, i) for i in range(4)]
    procs = [subprocess.Popen([sys.executable, "-m", "lib", "import", "--db", str(db), "--who", f"staff{i}", str(p)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i, (p, _n) in enumerate(files)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], results
    after = counts(db)
    assert after["imports"] == before["imports"] + 4
    assert after["tests"] == before["tests"] + sum(n for _p, n in files)
    assert after["athletes"] == before["athletes"] + 4 * 6
    assert integrity(db) == "ok"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert {r[0] for r in conn.execute("SELECT imported_by FROM imports")} >= {f"staff{i}" for i in range(4)}


def test_writers_queue_and_readers_never_see_half_a_file(tmp_path: Path) -> None:
    """Three workers each hold the write lock 0.5 s: they queue (BEGIN IMMEDIATE + busy timeout)
    instead of failing, and a reader meanwhile sees whole files only."""
    db = fresh_store(tmp_path)
    before = counts(db)
    files = [squad_file(tmp_path, i, athletes=3 + i) for i in range(3)]  # sizes differ: a subset is recognisable
    markers = [tmp_path / f"inside{i}" for i in range(3)]
    start = time.perf_counter()
    procs = [spawn_worker(db, p, hold=0.5, marker=str(m)) for (p, _n), m in zip(files, markers)]

    def state(c: dict[str, int]) -> tuple[int, int, int]:
        return c["imports"], c["athletes"], c["tests"]

    whole = {(before["imports"] + sum(subset), before["athletes"] + sum(3 + i for i, t in enumerate(subset) if t),
              before["tests"] + sum(n for (_p, n), t in zip(files, subset) if t)) for subset in _subsets(3)}
    seen: set[tuple[int, int, int]] = set()
    while any(p.poll() is None for p in procs):
        seen.add(state(counts(db)))
        time.sleep(0.02)
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    assert all(out.startswith("imported") for out, _err in outputs), outputs
    assert time.perf_counter() - start >= 1.5  # three 0.5 s transactions, one after another
    assert len(seen) >= 3 and seen <= whole, f"a reader saw a partial file: {sorted(seen - whole)}"
    assert state(counts(db)) == max(whole)
    assert integrity(db) == "ok"


def _subsets(n: int) -> list[tuple[bool, ...]]:
    return [tuple(bool(mask >> i & 1) for i in range(n)) for mask in range(2 ** n)]


def test_kill_9_inside_the_transaction_leaves_nothing_and_a_clean_retry(tmp_path: Path) -> None:
    db = fresh_store(tmp_path)
    before = counts(db)
    marker = tmp_path / "inside"
    proc = spawn_worker(db, SAMPLE, hold=60.0, marker=str(marker), cache_pages=20)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the worker never reached its transaction"
        time.sleep(0.05)
    wal = db.with_name(db.name + "-wal")
    spilled = wal.stat().st_size  # uncommitted pages already on disk in the WAL
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert spilled > 0
    assert integrity(db) == "ok"
    assert counts(db) == before  # no import row, no athlete, no test, no reject, no audit entry
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM imports WHERE file = ?", (SAMPLE.name,)).fetchone()[0] == 0
    # the same file again: a clean import, not "already imported"
    [report] = import_files(store.connect(db), [(SAMPLE.name, SAMPLE.read_bytes())])
    store.dispose_all()
    assert report.status == "imported" and report.added["tests"] > 2000
    assert counts(db)["tests"] == before["tests"] + report.added["tests"]
    assert integrity(db) == "ok"


def _limit_pages(engine: Engine, extra_pages: int) -> None:
    """Simulate a full disk: SQLite may grow the file by only `extra_pages` more pages."""
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
    sa.event.listen(engine, "connect", lambda c, _r: c.execute(f"PRAGMA max_page_count={pages + extra_pages}"))
    engine.dispose()


def test_full_disk_leaves_nothing_partial_and_the_retry_works(tmp_path: Path) -> None:
    db = fresh_store(tmp_path)
    before = counts(db)
    engine = sa.create_engine(f"sqlite:///{db}")  # a private engine: its page limit stays in this test
    store.metadata.create_all(engine)
    _limit_pages(engine, 2)
    try:
        reports = import_files(engine, [(SAMPLE.name, SAMPLE.read_bytes())])
        assert reports[0].status == "failed" and "full" in reports[0].message, reports[0].text()
    except sa.exc.OperationalError as exc:  # what lib/ingest/importer.py does until it reports storage errors
        assert "database or disk is full" in str(exc)
    engine.dispose()
    assert counts(db) == before and integrity(db) == "ok"
    [report] = import_files(store.connect(db), [(SAMPLE.name, SAMPLE.read_bytes())])
    store.dispose_all()
    assert report.status == "imported" and counts(db)["tests"] == before["tests"] + report.added["tests"]


def test_full_disk_is_a_clear_message_and_the_batch_goes_on(tmp_path: Path) -> None:
    db = fresh_store(tmp_path)
    engine = sa.create_engine(f"sqlite:///{db}")
    store.metadata.create_all(engine)
    _limit_pages(engine, 2)
    reports = import_files(engine, [(SAMPLE.name, SAMPLE.read_bytes()), ("other.csv", SAMPLE.read_bytes()[:4000])])
    engine.dispose()
    assert len(reports) == 2 and reports[0].status == "failed"  # no exception: every file gets its report
    assert "the store is full" in reports[0].message and "nothing of this file was written" in reports[0].message


def test_wal_busy_timeout_and_begin_immediate_are_on(tmp_path: Path) -> None:
    engine = store.connect(tmp_path / "s.sqlite")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 5000
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with engine.begin() as conn:
        conn.execute(sa.select(1))
    store.dispose_all()
    assert statements[0] == "BEGIN IMMEDIATE"


# ------------------------------------------------------------------------ readers never wait

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO tests (athlete_id, date, test, metric, side, trial, device, value, unit, import_id) "
             "VALUES ('jordan-okafor', '2023-05-21', 'CMJ', 'jump_height', '', 1, '', 99.0, 'cm', 1)")
print("holding", flush=True)
sys.stdin.readline()  # the test says when to commit
conn.execute("COMMIT")
print("committed", flush=True)
"""


def _jump_heights(engine: Engine) -> list[float]:
    tests = store.read_table(engine, "tests")
    return sorted(tests.loc[(tests["athlete_id"] == "jordan-okafor") & (tests["metric"] == "jump_height"), "value"])


def test_board_reads_while_another_process_holds_the_write_lock(tmp_path: Path) -> None:
    """A long import holds the write lock in another process: the board's reads (every table, the
    tier history, the team's settings, the board itself) succeed at once with the last committed
    data, not "database is locked" after the busy timeout; once the writer commits, the next read
    sees its row."""
    from lib.store import settings as settings_lib
    from lib.privacy import data_for
    from lib.readiness import readiness_board

    db = fresh_store(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
        engine = store.connect(db)
        engine.dispose()  # connections opened while the lock is held
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA busy_timeout = 0")  # waiting for the lock would fail at once
        data = data_for(engine, "medical")
        board = readiness_board(data, pd.Timestamp("2023-05-20"), settings_lib.load(engine, "default"))
        assert sorted(board["athlete_id"]) == ["jordan-okafor", "mia-laurent"]
        assert _jump_heights(engine) == [37.0, 38.4]  # the uncommitted 99.0 cm is not seen
        assert not store.is_empty(engine) and len(store.read_imports(engine)) == 1
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "committed"
        assert _jump_heights(engine) == [37.0, 38.4, 99.0]
    finally:
        holder.kill()
        holder.wait(timeout=30)
        store.dispose_all()


def test_a_snapshot_read_sees_one_commit_throughout(tmp_path: Path) -> None:
    """Two reads inside `store.snapshot` see the same state even when an import commits between
    them (and that import does not wait for the reader); a read after it sees the import."""
    db = fresh_store(tmp_path)
    engine = store.connect(db)
    try:
        with store.snapshot(engine) as conn:
            first = conn.execute(sa.select(sa.func.count()).select_from(store.imports)).scalar_one()
            [report] = import_files(engine, [("squad.csv", forcedecks_csv([["New Runner", "", "CMJ", "05/21/2023",
                                                                           "8:00 AM", "70", "3", "", "30.0", "2 L"]]))])
            assert report.status == "imported"
            second = conn.execute(sa.select(sa.func.count()).select_from(store.imports)).scalar_one()
        assert (first, second) == (1, 1)
        assert len(store.read_imports(engine)) == 2
    finally:
        store.dispose_all()


def test_only_writes_begin_immediate(tmp_path: Path) -> None:
    """engine.begin() (every write) takes the write lock up front; engine.connect() (every read)
    begins a plain deferred transaction, and so does a create_all whose tables exist (it only reads)."""
    engine = store.connect(tmp_path / "s.sqlite")
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with engine.connect() as conn:
        conn.execute(sa.select(1))
    store.metadata.create_all(engine, tables=[store.imports])
    with engine.begin() as conn:
        conn.execute(sa.select(1))
    store.dispose_all()
    assert [s for s in statements if s.startswith("BEGIN")] == ["BEGIN", "BEGIN", "BEGIN IMMEDIATE"]


# ------------------------------------------------------------- races, on SQLite and PostgreSQL

@pytest.fixture(params=["sqlite", "postgresql"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store several processes open, with the baseline import (#1) in it: a SQLite file or a
    PostgreSQL schema of its own."""
    db = str(tmp_path / "shared.sqlite") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    import_files(store.connect(db), [("baseline.csv", forcedecks_csv(FD_ROWS))])
    store.dispose_all()
    return db


def wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)


def live_heights(db: str) -> list[tuple[int, float, int | None]]:
    """(import id, jump height, superseded by) of every stored jump height of Jordan's first trial."""
    engine = sa.create_engine(store.db_url(db), poolclass=sa.pool.NullPool)
    t = store.CANONICAL["tests"]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.import_id, t.c.value, t.c.superseded_by).where(
            t.c.athlete_id == "jordan-okafor", t.c.metric == "jump_height", t.c.time == "08:18")
            .order_by(t.c.row_id)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def correction(tmp: Path, name: str, height: str) -> Path:
    """The baseline export with Jordan's 8:18 jump height corrected to `height` cm."""
    rows = [r[:] for r in FD_ROWS]
    rows[0][8] = height
    path = tmp / name
    path.write_bytes(forcedecks_csv(rows))
    return path


def first_line(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out.strip()


def test_the_same_file_uploaded_twice_at_once_is_one_import(shared: str, tmp_path: Path) -> None:
    """Both processes find no import of the file before either writes; the second then waits for
    the write lock, and finds the first one's import inside its own transaction."""
    path, rows = squad_file(tmp_path, 1)
    inside, release, checked = tmp_path / "inside", tmp_path / "release", tmp_path / "checked"
    first = spawn_worker(shared, path, marker=str(inside), release=str(release))
    wait_for(inside, first)
    second = spawn_worker(shared, path, checked=str(checked))
    wait_for(checked, second)  # its duplicate check outside the transaction found nothing
    time.sleep(0.5)  # it is now queued for the write lock
    release.write_text("go")
    assert first_line(first) == f"imported 2 {rows + 6}"  # 6 new athletes
    assert first_line(second) == "duplicate 2 0"
    engine = store.connect(shared)
    try:
        imports = store.read_imports(engine)
        assert imports["file"].tolist() == [path.name, "baseline.csv"]
        assert len(store.read_table(engine, "tests").query("athlete_id.str.startswith('squad1')")) == rows
    finally:
        store.dispose_all()


def test_corrections_at_once_supersede_in_the_order_they_commit(shared: str, tmp_path: Path) -> None:
    """Two corrected re-exports of the same trial at the same moment: the one that takes the write
    lock first is import #2, the other #3 supersedes it; one live value, and undo walks back."""
    early, late = correction(tmp_path, "early.csv", "39.1"), correction(tmp_path, "late.csv", "39.9")
    inside, release, checked = tmp_path / "inside", tmp_path / "release", tmp_path / "checked"
    first = spawn_worker(shared, early, marker=str(inside), release=str(release))
    wait_for(inside, first)
    second = spawn_worker(shared, late, checked=str(checked))
    wait_for(checked, second)
    time.sleep(0.5)
    release.write_text("go")
    assert first_line(first).startswith("imported 2 ")
    assert first_line(second).startswith("imported 3 ")
    assert live_heights(shared) == [(1, 38.4, 2), (2, 39.1, 3), (3, 39.9, None)]
    engine = store.connect(shared)
    try:
        undo_import(engine, 3)
        assert live_heights(shared) == [(1, 38.4, 2), (2, 39.1, None)]
        undo_import(engine, 2)
        assert live_heights(shared) == [(1, 38.4, None)]
    finally:
        store.dispose_all()


def test_undo_during_another_import_is_safe(shared: str, tmp_path: Path) -> None:
    """`python -m lib undo 1` while a correction of import #1 is being written: the undo waits
    for the write lock, then removes import #1's rows; the correction's rows are what is live."""
    fixed = correction(tmp_path, "fixed.csv", "39.1")
    inside, release = tmp_path / "inside", tmp_path / "release"
    importing = spawn_worker(shared, fixed, marker=str(inside), release=str(release))
    wait_for(inside, importing)
    undo = subprocess.Popen([sys.executable, "-m", "lib", "undo", "--db", shared, "1"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)
    assert undo.poll() is None  # queued behind the import
    release.write_text("go")
    assert first_line(importing).startswith("imported 2 ")
    assert undo.communicate(timeout=120)[1] == "" and undo.returncode == 0
    assert live_heights(shared) == [(2, 39.1, None)]  # import #1's rows are gone, the correction's stay
    engine = store.connect(shared)
    try:
        tests = store.read_table(engine, "tests", provenance=True)
        expected = sum(len(r.tables["tests"]) for _s, r in read_file(fixed.read_bytes(), fixed.name).reads)
        assert len(tests) == expected and set(tests["import_id"]) == {2}
        assert store.read_imports(engine).set_index("import_id")["status"].to_dict() == {2: "imported", 1: "undone"}
        assert not tests.duplicated(["athlete_id", "date", "test", "metric", "side", "trial", "device"]).any()
    finally:
        store.dispose_all()
