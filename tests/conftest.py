"""Shared fixtures: a fresh store per test (SQLite; also PostgreSQL for the store-level modules
in BOTH_ENGINES) and a ForceDecks export written in its real shape.

PostgreSQL: the server at RTS_TEST_PG (default: the local one, trust authentication). Each test
gets its own schema, dropped afterwards, so parallel workers never meet. No server answering:
the PostgreSQL tests skip, saying why; with CI=true they fail instead (CI has a server, and a
silently skipped engine is an untested one). RTS_TEST_ALL_ENGINES=1 runs the `engine` tests of
every module on both engines (a few are about the SQLite file itself and fail there by design).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import Engine

from lib import store
from lib.store.scratch import scratch_schema

# Properties are about results, never about time: a shared 2-core machine under load took 400-600 ms
# for examples that take 50 ms alone, past Hypothesis's 200 ms default deadline.
hypothesis_settings.register_profile("rts", deadline=None)
hypothesis_settings.load_profile("rts")

FORCEDECKS_HEADER = [
    "Name", "ExternalId", "Test Type", "Date", "Time", "BW [KG]", "Reps", "Tags",
    "Jump Height (Imp-Mom) [cm] ", "Takeoff Peak Force % (Asym) (%)", "Contraction Time [ms] ",
]


def forcedecks_csv(rows: list[list[str]], header: list[str] | None = None) -> bytes:
    """A VALD Hub ForceDecks export: UTF-8 BOM, every field quoted (a quote in a field doubled, as
    RFC 4180 says), no newline after the last row."""
    lines = [",".join(_quoted(c) for c in (header or FORCEDECKS_HEADER))]
    lines += [",".join(_quoted(c) for c in row) for row in rows]
    return ("\ufeff" + "\r\n".join(lines)).encode("utf-8")


def _quoted(cell: object) -> str:
    return '"' + str(cell).replace('"', '""') + '"'


# Newest first, as VALD Hub writes it.
FD_ROWS = [
    ["Jordan Okafor", "", "CMJ", "05/20/2023", "8:18 AM", "80.5", "3", "", "38.4", "9.7 L", "612"],
    ["Jordan Okafor", "", "CMJ", "05/20/2023", "8:02 AM", "80.5", "3", "", "37.0", "4 R", "640"],
    ["Mia Laurent", "", "CMJ", "05/13/2023", "9:00 AM", "61.2", "3", "", "DNF", "2.5 R", "701"],
]


PG_SERVER = os.environ.get("RTS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# store-level and importer modules: their `engine` tests run on SQLite and on PostgreSQL
BOTH_ENGINES = {"test_importer", "test_versions", "test_store"}


@functools.cache
def _pg_unavailable() -> str | None:
    """Why PostgreSQL tests cannot run here (None: the server answers)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -r requirements.txt)"
    probe = sa.create_engine(PG_SERVER, connect_args={"connect_timeout": 3}, poolclass=sa.pool.NullPool)
    try:
        with probe.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        return f"no PostgreSQL server answers at {probe.url.render_as_string(hide_password=True)} ({str(exc.orig).strip().splitlines()[0]})"
    finally:
        probe.dispose()
    return None


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL on an empty schema of its own on the test PostgreSQL server; dropped afterwards."""
    problem = _pg_unavailable()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and PostgreSQL tests cannot run: {problem}")
        pytest.skip(problem)
    with scratch_schema(PG_SERVER, prefix="rts_test") as url:
        try:
            yield url
        finally:
            store.dispose_all()  # a test's engines on other spellings of the URL too, before the drop


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "engine" in metafunc.fixturenames and (module in BOTH_ENGINES or os.environ.get("RTS_TEST_ALL_ENGINES")):
        metafunc.parametrize("engine", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, migrated store: SQLite in `tmp_path`, or (parametrized) a PostgreSQL schema."""
    kind = getattr(request, "param", "sqlite")
    eng = store.connect(request.getfixturevalue("pg_url") if kind == "postgresql" else tmp_path / "rts.sqlite")
    yield eng
    store.dispose_all()


@pytest.fixture
def fd_bytes() -> bytes:
    return forcedecks_csv(FD_ROWS)
