"""The store on both engines (SQLite file, PostgreSQL schema): every feature the app writes, read
back; the data version every cache is keyed by; the engine-level promises (write queueing, read
snapshots) that the app relies on."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib import privacy, store
from lib.store import settings as settings_lib
from lib.ingest.importer import import_file, import_files, undo_import
from lib.store.notes import add_note, notes
from lib.readiness import read_tier_history, readiness_board, record_tier_change
from lib.reports import board_pdf
from tests.conftest import FD_ROWS, PG_SERVER, forcedecks_csv

ROSTER = (
    "Athlete ID,Name,Position,Squad,Injury date,Injured side,Diagnosis\r\n"
    "RTS001,Mia Laurent,Winger,First team,2023-05-01,left,Grade 2 biceps femoris strain\r\n"
    "RTS002,Jordan Okafor,Fullback,First team,2023-04-20,right,Soleus strain\r\n"
).encode()


def test_a_write_raises_the_version_by_one_and_a_read_leaves_it(engine: Engine) -> None:
    start = store.data_version(engine)
    assert start == 0  # a new store
    import_file(engine, forcedecks_csv(FD_ROWS), "fd.csv")
    assert store.data_version(engine) == 1
    store.read_table(engine, "tests")
    settings_lib.load(engine, "default")
    read_tier_history(engine)
    notes(engine, "mia-laurent")
    privacy.role_of(engine, "someone@club.org")
    assert store.data_version(engine) == 1  # reads (and their create_all of existing tables) write nothing
    import_file(engine, forcedecks_csv(FD_ROWS), "fd-again.csv")  # same bytes: found before any write
    assert store.data_version(engine) == 1
    add_note(engine, "mia-laurent", dt.date(2023, 5, 20), "calf tight")
    settings_lib.save(engine, {"hop_lsi_pass": 92.0}, team="first team", who="hop@club.org")
    assert store.data_version(engine) == 3


def test_a_failed_write_leaves_the_version(engine: Engine) -> None:
    with pytest.raises(RuntimeError), engine.begin() as conn:
        store.log(conn, "x", "test", {})
        raise RuntimeError("rolled back")
    assert store.data_version(engine) == 0
    assert privacy.read_audit(engine, "admin").empty


def test_roles_audit_tiers_notes_and_settings_round_trip(engine: Engine) -> None:
    import_files(engine, [("roster.csv", ROSTER), ("fd.csv", forcedecks_csv(FD_ROWS))])
    privacy.set_role(engine, "Physio@Club.org", "medical", who="admin@club.org")
    privacy.set_role(engine, "coach@club.org", "coach", who="admin@club.org")
    privacy.remove_role(engine, "coach@club.org", who="admin@club.org")
    assert privacy.resolve_role(engine, "physio@club.org") == "medical"
    assert privacy.resolve_role(engine, "coach@club.org") is None
    record_tier_change(engine, "RTS001", pd.Timestamp("2023-05-20"), 3, "hop LSI 91%", who="physio@club.org")
    add_note(engine, "RTS001", dt.date(2023, 5, 19), "first note", who="physio@club.org")
    add_note(engine, "RTS001", dt.date(2023, 5, 20), "second note", who="physio@club.org")
    settings_lib.save(engine, {"hop_lsi_pass": 92.0}, team="first team", who="admin@club.org")

    tiers = read_tier_history(engine)
    assert tiers[["athlete_id", "tier", "reason"]].values.tolist() == [["RTS001", 3, "hop LSI 91%"]]
    assert tiers["date"].tolist() == [pd.Timestamp("2023-05-20")]
    assert notes(engine, "RTS001")["note"].tolist() == ["second note", "first note"]
    assert settings_lib.load(engine, "first team")["hop_lsi_pass"] == 92.0
    assert settings_lib.load(engine, "default")["hop_lsi_pass"] == settings_lib.defaults()["hop_lsi_pass"]
    actions = privacy.read_audit(engine, "admin")["action"].tolist()
    assert sorted(actions) == sorted(["import", "import", "role", "role", "role removed", "tier change",
                                      "athlete note", "athlete note", "settings"])
    settings_lib.reset(engine, "first team", who="admin@club.org")
    assert settings_lib.load(engine, "first team")["hop_lsi_pass"] == settings_lib.defaults()["hop_lsi_pass"]


def test_the_board_and_its_report_come_from_the_store(engine: Engine) -> None:
    import_files(engine, [("roster.csv", ROSTER), ("fd.csv", forcedecks_csv(FD_ROWS))])
    data = privacy.data_for(engine, "medical")
    board = readiness_board(data, pd.Timestamp("2023-05-20"), settings_lib.load(engine, "default"))
    assert sorted(board["athlete_id"]) == ["RTS001", "RTS002"]  # the ForceDecks names matched the roster
    pdf = board_pdf(data, dt.date(2023, 5, 20), settings_lib.load(engine, "default"), team="First team")
    assert pdf.startswith(b"%PDF-")


def test_erasure_leaves_no_row_naming_the_athlete(engine: Engine) -> None:
    import_files(engine, [("roster.csv", ROSTER), ("mia_laurent.csv", forcedecks_csv(FD_ROWS))])
    add_note(engine, "RTS001", dt.date(2023, 5, 20), "Mia Laurent: MRI clear", who="physio@club.org")
    erasure = privacy.erase_athlete(engine, "RTS001", who="admin@club.org", reference="REQ-7")
    assert erasure.removed["athletes"] == 1 and erasure.removed["injuries"] == 1
    assert erasure.removed["athlete_notes"] == 1
    assert _rows_naming(engine, ["mia laurent", "rts001", "mia_laurent"]) == []
    assert set(store.read_table(engine, "athletes")["athlete_id"]) == {"RTS002"}
    assert len(store.read_table(engine, "tests").query("athlete_id == 'RTS002'")) == 8  # Jordan keeps his


def _rows_naming(engine: Engine, forms: list[str]) -> list[str]:
    """Every (table.column) whose text holds one of `forms`, over every table in the store."""
    hits = []
    meta = sa.MetaData()
    with engine.connect() as conn:
        meta.reflect(conn)
        for t in meta.tables.values():
            for row in conn.execute(sa.select(t)).mappings():
                hits += [f"{t.name}.{c}" for c, v in row.items() if v is not None and any(f in str(v).lower() for f in forms)]
    return hits


def test_undo_and_the_version_chain_hold_on_this_engine(engine: Engine) -> None:
    first = import_file(engine, forcedecks_csv(FD_ROWS), "fd.csv")
    fixed = [row[:] for row in FD_ROWS]
    fixed[0][8] = "39.9"
    second = import_file(engine, forcedecks_csv(fixed), "fd-fixed.csv")
    assert second.replaced["tests"] == 1
    undo_import(engine, second.import_id)
    heights = store.read_table(engine, "tests").query("metric == 'jump_height'")["value"].tolist()
    assert sorted(heights) == [37.0, 38.4]
    assert store.read_imports(engine).set_index("import_id")["status"].to_dict() == {
        first.import_id: "imported", second.import_id: "undone"}


@pytest.fixture
def pg_database(pg_url: str) -> Iterator[str]:
    """A PostgreSQL database of its own with the pageinspect extension (to read raw table pages),
    dropped afterwards."""
    name = f"rts_test_{uuid.uuid4().hex[:12]}"
    server = sa.engine.make_url(PG_SERVER)
    admin = sa.create_engine(server, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        ext = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
        with ext.connect() as conn:
            conn.exec_driver_sql("CREATE EXTENSION pageinspect")
        ext.dispose()
        yield url
    finally:
        store.dispose_all()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def _page_bytes(url: str) -> bytes:
    """Every raw page of every table (and its TOAST table) of the store, lower-cased."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    raw = b""
    with engine.connect() as conn:
        rels = conn.execute(sa.text(
            "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 't') "
            "AND (n.nspname = 'public' OR c.oid IN (SELECT reltoastrelid FROM pg_class WHERE relnamespace = 'public'::regnamespace))"
        )).scalars().all()
        for rel in rels:
            blocks = conn.execute(sa.text("SELECT pg_relation_size(CAST(:r AS regclass)) / current_setting('block_size')::int"),
                                  {"r": rel}).scalar_one()
            for block in range(int(blocks)):
                raw += conn.execute(sa.text("SELECT get_raw_page(:r, :b)"), {"r": rel, "b": block}).scalar_one()
    engine.dispose()
    return raw.lower()


def test_on_postgresql_vacuum_full_leaves_no_byte_of_an_erased_athlete(pg_database: str) -> None:
    """The PostgreSQL counterpart of the SQLite byte scan: a plain DELETE leaves the rows' old
    versions in the tables' pages (shown on a second athlete); the erasure rewrites every table
    (`store.vacuum_full`), after which no page holds the erased athlete's name or diagnosis."""
    engine = store.connect(pg_database)
    import_files(engine, [("roster.csv", ROSTER), ("fd.csv", forcedecks_csv(FD_ROWS))])
    assert b"mia laurent" in _page_bytes(pg_database) and b"biceps femoris" in _page_bytes(pg_database)
    with engine.begin() as conn:  # what a DELETE alone leaves behind
        conn.execute(sa.text("update injuries set diagnosis = 'plain delete' where athlete_id = 'RTS002'"))
        conn.execute(sa.text("update injuries set diagnosis = null where athlete_id = 'RTS002'"))
    assert b"plain delete" in _page_bytes(pg_database)  # the old version is still in the page
    result = privacy.erase_athlete(engine, "RTS001", who="admin@club.org")
    assert _rows_naming(engine, ["mia laurent", "biceps femoris"]) == []
    left = _page_bytes(pg_database)
    assert b"mia laurent" not in left and b"biceps femoris" not in left and b"rts001" not in left
    assert b"plain delete" not in left  # the erasure's VACUUM FULL rewrote every table
    assert "VACUUM FULL" in result.verification.message()
    assert b"jordan okafor" in left  # everyone else is still there


def test_on_postgresql_a_transaction_older_than_the_erasure_makes_it_fail_loudly(pg_database: str) -> None:
    """VACUUM FULL keeps a deleted row's old version while a transaction that began before the
    erasure is open (here a psql-like session that read the injuries in REPEATABLE READ; under load,
    an autovacuum ANALYZE of the fresh tables did the same), and says nothing: the erasure must not
    say "verified". It waits its attempts, rewrites the tables anyway, and names the connection.
    Once that transaction ends, the check and VACUUM FULL again leave no byte of the athlete."""
    engine = store.connect(pg_database)
    import_files(engine, [("roster.csv", ROSTER), ("fd.csv", forcedecks_csv(FD_ROWS))])
    reader = sa.create_engine(pg_database, poolclass=sa.pool.NullPool,
                              connect_args={"application_name": "rts-test-reader"})
    with reader.connect() as held:
        held = held.execution_options(isolation_level="REPEATABLE READ")
        held.begin()
        assert held.execute(sa.text("select count(*) from injuries")).scalar_one() == 2  # its snapshot is taken
        result = privacy.erase_athlete(engine, "RTS001", who="admin@club.org", attempts=2, wait=0)
        check = result.verification
        assert check.checked and check.server and not check.clean and check.attempts == 2
        assert any("rts-test-reader" in h for h in check.holders), check.holders
        assert "NOT verified after 2 attempts" in check.message() and "rts-test-reader" in check.message()
        assert _rows_naming(engine, ["mia laurent", "biceps femoris"]) == []  # the rows are gone ...
        assert b"biceps femoris" in _page_bytes(pg_database)  # ... their old versions are not: what the check caught
        assert "python -m lib compact" in check.message()
        held.rollback()
    again = privacy.verify_on_server(engine, None, attempts=1, wait=0)
    assert again.clean and again.holders == [] and again.message().startswith("verified: tables rewritten (VACUUM FULL)")
    from lib.cli import main

    assert main(["compact", "--db", pg_database]) == 0  # what the message asks for, once the reader is gone
    left = _page_bytes(pg_database)
    assert b"mia laurent" not in left and b"biceps femoris" not in left
    reader.dispose()


def test_on_postgresql_the_erasure_waits_for_an_older_transaction_to_end(pg_database: str) -> None:
    """A transaction older than the erasure that ends within the attempts (an ANALYZE, a page's
    read) is waited for: the erasure is then verified, and no page keeps the athlete's bytes."""
    import threading

    engine = store.connect(pg_database)
    import_files(engine, [("roster.csv", ROSTER), ("fd.csv", forcedecks_csv(FD_ROWS))])
    reader = sa.create_engine(pg_database, poolclass=sa.pool.NullPool)
    held = reader.connect().execution_options(isolation_level="REPEATABLE READ")
    held.begin()
    held.execute(sa.text("select count(*) from injuries")).scalar_one()
    ended = threading.Timer(0.5, held.close)  # the page's read finishes half a second into the erasure
    ended.start()
    try:
        result = privacy.erase_athlete(engine, "RTS001", who="admin@club.org", attempts=20, wait=0.1)
    finally:
        ended.join()
        reader.dispose()
    assert result.verification.clean and result.verification.attempts > 1, result.verification
    left = _page_bytes(pg_database)
    assert b"mia laurent" not in left and b"biceps femoris" not in left


def test_on_postgresql_vacuum_full_gives_up_a_table_another_transaction_holds(pg_database: str,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection whose open transaction used a table (its lock held, no old snapshot: READ
    COMMITTED between statements) would make VACUUM FULL wait, and every user of the table queue
    behind it: the rewrite gives that table up after its lock timeout, rewrites the others, and the
    erasure's check says which table is in use instead of "verified"."""
    engine = store.connect(pg_database)
    import_files(engine, [("roster.csv", ROSTER), ("fd.csv", forcedecks_csv(FD_ROWS))])
    monkeypatch.setattr(store.backups, "VACUUM_LOCK_TIMEOUT_S", 0.2)
    other = sa.create_engine(pg_database, poolclass=sa.pool.NullPool)
    with other.connect() as held:
        held.execute(sa.text("select count(*) from injuries")).scalar_one()  # READ COMMITTED: the lock stays, no snapshot
        with pytest.raises(store.VacuumBlocked) as blocked:
            store.vacuum_full(engine, lock_timeout_s=0.2)
        assert blocked.value.tables == ["injuries"]
        check = privacy.verify_on_server(engine, None, attempts=1, wait=0)
        assert not check.clean and check.holders == ["a connection with injuries in use (not locked within 0.2 s)"]
        held.rollback()
    assert privacy.verify_on_server(engine, None, attempts=1, wait=0).clean
    other.dispose()
