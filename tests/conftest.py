"""Shared fixtures: a fresh SQLite store per test and a ForceDecks export written in its real shape."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import Engine

from lib import store

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


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = store.connect(tmp_path / "rts.sqlite")
    yield eng
    store.dispose_all()


@pytest.fixture
def fd_bytes() -> bytes:
    return forcedecks_csv(FD_ROWS)
