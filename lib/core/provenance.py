"""Source-row text, in one place: how a number names the file and row it came from.

Every fact, reason, chart tooltip and table that traces a value back to an upload writes its
source as `file:row` (1-based sheet row, as the spreadsheet numbers it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def source_ref(file: object, row: object) -> str:
    """`hops.xlsx:12`."""
    return f"{file}:{row}"


def dated_source(row: Mapping[str, object], table: str) -> str:
    """`2026-11-20 wellness forms.csv:7`: a row's date, its table and where it came from (`?` for a
    record without a source column)."""
    return f"{row['date']:%Y-%m-%d} {table} {source_ref(row.get('source_file', '?'), row.get('source_row', '?'))}"


def source_refs(rows: Iterable[Mapping[str, object]]) -> str:
    """`a.csv:3, a.csv:9, b.csv:2`: each row's source once, sorted."""
    return ", ".join(sorted({source_ref(r["source_file"], r["source_row"]) for r in rows}))


def rows_by_file(by_file: Mapping[str, list[str]], between: str = "; ", total: int = 0, limit: int = 0) -> str:
    """`a.csv:3, 9; b.csv:2`: each file once with its rows after it, files joined by `between`
    (the athlete page's tables use " · "); with `limit`, ` (+N more)` for the `total - limit` rows
    not listed."""
    text = between.join(f"{file}:{', '.join(rows)}" for file, rows in by_file.items())
    return text + (f" (+{total - limit} more)" if limit and total > limit else "")
