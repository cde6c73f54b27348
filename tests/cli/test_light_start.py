"""`python -m lib` starts light (issue 15): its help, every command's help and a usage error are
argparse alone, without pandas, the store or the readers; the names the help offers are the ones the
heavy modules use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lib.core import cells, names, schema
from lib import exports

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "numpy", "sqlalchemy", "lib.store", "lib.ingest", "lib.readiness", "lib.exports")


@pytest.mark.parametrize("argv", [[], ["export"], ["report"], ["formats"], ["plan"], ["mss"], ["import"]])
def test_the_help_imports_nothing_heavy(argv: list[str]) -> None:
    code = ("import sys\nfrom lib.cli import main\n"
            f"try:\n    main({[*argv, '--help']!r})\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_the_names_the_help_offers_are_the_schemas() -> None:
    assert names.TABLE_NAMES == tuple(schema.TABLES)
    assert cells.BOARD == names.BOARD and exports.ALL == names.ALL and exports.FORMATS == names.FORMATS
