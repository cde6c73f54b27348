"""`python -m lib`: exit codes, text and JSON reports, CSV export with the canonical columns."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lib.__main__ import main
from lib.schema import TABLES
from tests.conftest import forcedecks_csv, FD_ROWS

ROOT = Path(__file__).resolve().parent.parent


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
