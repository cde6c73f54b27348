"""lib.reports.warm: the app starts a first report's fixed costs (the report modules, the font's
metrics, vl-convert's engine) in the background, once per process; importing lib.reports is light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import lib.reports as reports


def test_importing_the_package_loads_no_report_module():
    code = ("import sys, lib.reports; "
            "print(any(m in sys.modules for m in ('fpdf', 'vl_convert', 'lib.reports.athlete', 'lib.reports.board')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_warm_starts_one_daemon_thread_per_process_and_loads_the_report_modules():
    first = reports.warm()
    assert reports.warm() is first and first.daemon
    first.join(timeout=60)
    assert not first.is_alive()
    assert {"lib.reports.athlete", "lib.reports.board"} <= set(sys.modules)


def test_the_public_names_resolve_lazily_and_unknown_names_still_fail():
    assert callable(reports.athlete_pdf) and callable(reports.board_pdf)
    assert "athlete_pdf" in reports.__all__
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        reports.nonsense  # noqa: B018
