"""The PostgreSQL fixture's promise: no server, a skip that says why; no server under CI=true, a
failure (CI has a server, and an engine silently skipped there would be an untested one)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = '''
def test_needs_postgresql(pg_url):
    assert pg_url
'''
NOBODY = "postgresql+psycopg://postgres@127.0.0.1:9/test"  # the discard port: nothing listens


def _run_probe(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_probe.py").write_text(PROBE)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"RTS_TEST_PG": NOBODY, "PYTHONPATH": str(ROOT)}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:xdist", "-p", "no:cacheprovider",
                           "-rs", "-q", "-c", str(tmp_path / "pytest.ini"), str(tmp_path / "test_probe.py")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("ci", [None, "false"])
def test_no_server_skips_with_the_reason(tmp_path: Path, ci: str | None) -> None:
    run = _run_probe(tmp_path, ci)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 skipped" in run.stdout
    assert "no PostgreSQL server answers at postgresql+psycopg://postgres@127.0.0.1:9/test" in run.stdout


def test_no_server_under_ci_fails_the_run(tmp_path: Path) -> None:
    run = _run_probe(tmp_path, "true")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 error" in run.stdout  # the fixture fails: an error, and the run exits 1
    assert "CI=true and PostgreSQL tests cannot run: no PostgreSQL server answers" in run.stdout
