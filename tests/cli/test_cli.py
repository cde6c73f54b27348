"""`python -m lib`: exit codes, text and JSON reports, CSV export with the canonical columns."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lib.cli import main
from lib.core.schema import TABLES
from tests.conftest import forcedecks_csv, FD_ROWS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    good = tmp_path / "forcedecks.csv"
    good.write_bytes(forcedecks_csv(FD_ROWS))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    return {"good": good, "empty": empty, "db": tmp_path / "cli.sqlite"}


def test_import_exit_0_with_rejected_rows(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "--db", str(files["db"]), str(files["good"])]) == 0
    out = capsys.readouterr().out
    assert "forcedecks.csv: imported (import #1)" in out
    assert "row 4, column 'Jump Height (Imp-Mom) [cm]', value 'DNF'" in out


def test_import_exit_1_when_a_file_cannot_be_read(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["import", "--db", str(files["db"]), "--json", str(files["good"]), str(files["empty"])])
    assert code == 1
    reports = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in reports] == ["imported", "failed"]
    assert reports[1]["message"] == "the file is empty (0 bytes)"
    assert reports[0]["added"]["tests"] == 11


def test_usage_error_exit_2() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["export", "nonsense"])
    assert exc.value.code == 2
    assert main([]) == 2


def test_export_writes_canonical_columns(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    main(["import", "--db", str(files["db"]), str(files["good"])])
    capsys.readouterr()
    assert main(["export", "--db", str(files["db"]), "tests"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == TABLES["tests"].column_names
    assert len(rows) == 12
    first = dict(zip(rows[0], rows[1]))
    assert first["date"] == "2023-05-20" and first["source_file"] == "forcedecks.csv"


def test_undo_from_the_command_line(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    main(["import", "--db", str(files["db"]), str(files["good"])])
    assert main(["undo", "--db", str(files["db"]), "1"]) == 0
    assert "import #1 undone" in capsys.readouterr().out
    assert main(["undo", "--db", str(files["db"]), "1"]) == 1  # already undone


def test_module_runs_as_a_program(files: dict[str, Path]) -> None:
    proc = subprocess.run([sys.executable, "-m", "lib", "import", "--db", str(files["db"]), str(files["good"])],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "imported (import #1)" in proc.stdout


def test_board_command_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "b.sqlite")
    data = tmp_path / "fd.csv"
    # Jordan: CMJ asymmetry 21% on the day -> red (> 15%, Hewit 2012), no GPS for Mia -> grey
    data.write_bytes(forcedecks_csv([
        ["Jordan Okafor", "", "CMJ", "11/23/2026", "8:00 AM", "80", "3", "", "38", "21 L", "600"],
        ["Mia Laurent", "", "CMJ", "11/23/2026", "8:05 AM", "61", "3", "", "30", "3 R", "650"]]))
    main(["import", "--db", db, str(data)])
    capsys.readouterr()
    assert main(["board", "--db", db, "--on", "2026-11-23", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    # not in a return programme: no tier, nothing proposed (the board never infers a tier)
    assert [(r["name"], r["status"], r["tier"], r["tier_basis"], r["proposed_tier"]) for r in rows] == [
        ("Jordan Okafor", "red", None, "none", None), ("Mia Laurent", "grey", None, "none", None)]
    reason = rows[0]["reasons"][0]
    assert reason["metric"] == "CMJ asymmetry" and reason["value"] == 21.0 and reason["threshold"] == 15.0
    assert reason["message"].startswith("CMJ asymmetry 21% > 15% (Hewit 2012")
    assert set(reason) == {"rule", "kind", "metric", "value", "threshold", "source", "message"}
    assert (reason["rule"], reason["kind"]) == ("cmj_asym_red", "stop")
    assert main(["board", "--db", db, "--on", "2026-11-23", "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert header[:5] == ["athlete_id", "name", "position", "squad", "status"]
    assert main(["board", "--db", db, "--on", "23/11/2026"]) == 1


def test_tier_command_records_who_and_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "t.sqlite")
    assert main(["tier", "--db", db, "RTS011", "4", "--on", "2026-11-20", "--reason", "hop battery passed", "--who", "physio"]) == 0
    from lib import store
    from lib.readiness import read_tier_history
    history = read_tier_history(store.connect(db))
    assert history[["athlete_id", "tier", "reason", "who"]].values.tolist() == [["RTS011", 4, "hop battery passed", "physio"]]


def test_erase_needs_yes_and_removes_the_athlete(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    db = str(files["db"])
    main(["import", "--db", db, str(files["good"])])
    assert main(["erase", "--db", db, "mia-laurent", "--who", "dpo"]) == 2
    assert main(["erase", "--db", db, "mia-laurent", "--who", "dpo", "--yes", "--reference", "REQ-7"]) == 0
    assert "mia-laurent: erased" in capsys.readouterr().out
    main(["export", "--db", db, "athletes"])
    assert "Mia" not in capsys.readouterr().out


def test_role_and_audited_export(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from lib import store
    from lib.privacy import role_of

    db = str(files["db"])
    assert main(["role", "--db", db, "Coach@Club.org", "coach"]) == 0
    assert role_of(store.connect(db), "coach@club.org") == "coach"
    main(["export", "--db", db, "tests", "--who", "analyst"])
    import sqlalchemy as sa
    with store.connect(db).connect() as conn:
        rows = conn.execute(sa.select(store.audit.c.who, store.audit.c.action)).all()
    assert ("analyst", "export") in [tuple(r) for r in rows]
