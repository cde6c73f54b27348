"""The header signature of a sheet shape: the multiset of the header's non-blank cells, each
normalised as every reader normalises a header (`normalize.header_key`), hashed. It is
order-insensitive on purpose: a profile finds its columns by header, never by position."""

from __future__ import annotations

import hashlib

from lib.ingest.normalize import header_key
from lib.ingest.readers.base import SCAN_ROWS
from lib.ingest.sources import Sheet


def header_signature(cells: list[object]) -> str:
    """The signature of a header row: its non-blank cells normalised (`header_key`), as a multiset
    (order-insensitive), hashed: `h1:` and 16 hex digits."""
    keys = sorted(k for k in (header_key(c) for c in cells if c is not None) if k)
    return "h1:" + hashlib.sha256("\x1f".join(keys).encode("utf-8")).hexdigest()[:16]


def row_signatures(sheet: Sheet) -> list[str]:
    """The signature of each of the sheet's first `SCAN_ROWS` rows (a preamble may come first)."""
    cells = sheet.cells
    return [header_signature(cells.iloc[r].tolist()) for r in range(min(SCAN_ROWS, len(cells)))]


def _row_keys(sheet: Sheet, row: int) -> list[str]:
    return [k for k in (header_key(c) for c in sheet.cells.iloc[row].tolist() if c is not None) if k]
