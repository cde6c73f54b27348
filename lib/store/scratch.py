"""A temporary PostgreSQL schema: an empty store of its own on a shared server, for tests and benchmarks.

Parallel test workers and benchmark runs share one server and one database; each takes a uniquely
named schema and a URL whose search_path is that schema (the store's tables land there, and
`lib.store.backups` reads the same search_path back), and drops it, with everything in it, after.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator

import sqlalchemy as sa

from lib.store import engine as _engine

# The name goes into DDL unquoted by any driver: letters, digits and underscores only, and short
# enough that prefix + "_" + 12 hex digits stays inside PostgreSQL's 63-byte identifier limit.
_PREFIX = re.compile(r"[a-z][a-z0-9_]{0,40}")


def schema_url(server: str, schema: str) -> str:
    """`server`'s URL with its search_path set to `schema` (libpq's `options=-csearch_path=...`)."""
    return sa.engine.make_url(server).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


@contextlib.contextmanager
def scratch_schema(server: str, prefix: str = "rts_scratch") -> Iterator[str]:
    """A URL on a new, empty schema `<prefix>_<12 hex digits>` of the PostgreSQL `server`; on leaving
    (also on an error) the store's engine on that URL is closed and the schema dropped with CASCADE."""
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"schema prefix {prefix!r}: lower-case letters, digits and underscores, starting with a letter")
    if sa.engine.make_url(server).get_backend_name() != "postgresql":
        raise ValueError(f"a scratch schema needs a PostgreSQL server, not {sa.engine.make_url(server).get_backend_name()}")
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = schema_url(server, schema)
        try:
            yield url
        finally:
            _close_engine(url)  # its pooled connections would outlive the schema they point at
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        admin.dispose()


def _close_engine(url: str) -> None:
    """Close and forget the store's cached engine on `url`, if one was opened (others stay open)."""
    with _engine._ENGINES_LOCK:
        opened = _engine._ENGINES.pop(url, None)
    if opened is not None:
        opened.dispose()
