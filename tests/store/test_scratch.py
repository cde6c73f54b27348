"""The temporary PostgreSQL schema (lib.store.scratch): the URL it yields reads and writes that
schema alone, and the schema is gone after, also when the body raises."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lib import store
from lib.store import engine as store_engine
from lib.store.scratch import scratch_schema, schema_url
from tests.conftest import PG_SERVER


def _schemas(prefix: str) -> set[str]:
    admin = sa.create_engine(PG_SERVER, poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        names = set(conn.execute(sa.text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"),
                                 {"p": f"{prefix}_%"}).scalars())
    admin.dispose()
    return names


@pytest.mark.parametrize(("server", "schema", "options"), [
    # libpq's options: `-c` then the setting, no space (what psql -c "SHOW search_path" reads back)
    ("postgresql+psycopg://root@127.0.0.1:5432/test", "rts_x_1", "-csearch_path=rts_x_1"),
    ("postgresql+psycopg://u:secret@db:5433/club", "s", "-csearch_path=s"),
])
def test_schema_url_sets_the_search_path_and_keeps_the_password(server: str, schema: str, options: str) -> None:
    url = sa.engine.make_url(schema_url(server, schema))
    assert url.query["options"] == options
    assert (url.host, url.port, url.database, url.password) == (
        sa.engine.make_url(server).host, sa.engine.make_url(server).port, sa.engine.make_url(server).database,
        sa.engine.make_url(server).password)


@pytest.mark.parametrize("prefix", ["", "Rts", "rts-x", 'x"; DROP SCHEMA public; --', "a" * 42])
def test_a_prefix_that_is_no_plain_identifier_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="schema prefix"), scratch_schema(PG_SERVER, prefix=prefix):
        pass


def test_sqlite_is_refused() -> None:
    with pytest.raises(ValueError, match="PostgreSQL"), scratch_schema("sqlite:///x.sqlite"):
        pass


def test_the_store_lands_in_the_schema_and_the_schema_is_dropped(pg_url: str) -> None:
    prefix = "rts_scratchtest"
    with scratch_schema(PG_SERVER, prefix=prefix) as url:
        (name,) = _schemas(prefix) & {sa.engine.make_url(url).query["options"].split("=", 1)[1]}
        assert len(name) == len(prefix) + 1 + 12  # prefix, "_", 12 hex digits
        engine = store.connect(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_schema()")).scalar_one() == name
            assert "imports" in sa.inspect(conn).get_table_names(schema=name)  # migrated into it
    assert name not in _schemas(prefix)
    assert url not in store_engine._ENGINES  # the cached engine on the dropped schema was closed


def test_the_schema_is_dropped_when_the_body_raises(pg_url: str) -> None:
    prefix = "rts_scratchfail"
    with pytest.raises(RuntimeError, match="boom"), scratch_schema(PG_SERVER, prefix=prefix) as url:
        store.connect(url)
        raise RuntimeError("boom")
    assert not _schemas(prefix) & {sa.engine.make_url(url).query["options"].split("=", 1)[1]}
