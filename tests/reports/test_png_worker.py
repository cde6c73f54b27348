"""The chart process (lib.reports.png_worker): the same image as vl-convert in this process, and
every way the child can fail ends in the image drawn here (or vl-convert's own error)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lib.reports import png_worker
from lib.reports.pdf import CHART_SCALE, _vl_version

SPEC = json.dumps({"data": {"values": [{"week": w, "m": 40.0 + 7 * w} for w in range(8)]}, "mark": "bar",
                   "encoding": {"x": {"field": "week", "type": "ordinal"}, "y": {"field": "m", "type": "quantitative"}}},
                  sort_keys=True)


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """No child from an earlier test: this test's own, closed after it."""
    monkeypatch.setattr(png_worker, "_child", None)
    monkeypatch.setattr(png_worker, "_failed", False)
    monkeypatch.delenv(png_worker.ENV, raising=False)
    yield
    if png_worker._child is not None:
        png_worker._child.close()


def test_the_child_draws_the_bytes_this_process_draws(fresh) -> None:  # noqa: ANN001
    drawn = png_worker.png(SPEC, CHART_SCALE, _vl_version())
    assert png_worker._child is not None and png_worker._child.proc.poll() is None  # drawn by the child
    assert drawn[:8] == b"\x89PNG\r\n\x1a\n"
    assert drawn == png_worker.draw_in_line(SPEC, CHART_SCALE, _vl_version())


def test_a_dead_child_means_drawing_here_from_then_on(fresh) -> None:  # noqa: ANN001
    png_worker.png(SPEC, CHART_SCALE, _vl_version())
    child = png_worker._child
    child.proc.kill()
    child.proc.wait()
    assert png_worker.png(SPEC, CHART_SCALE, _vl_version()) == png_worker.draw_in_line(SPEC, CHART_SCALE, _vl_version())
    assert png_worker._failed and png_worker._child is None


def test_a_spec_the_child_cannot_draw_raises_vl_converts_own_error(fresh) -> None:  # noqa: ANN001
    bad = json.dumps({"data": {"values": [{"x": 1}]}, "mark": "no-such-mark"})
    with pytest.raises(Exception) as in_line:  # noqa: PT011 - whatever vl-convert raises
        png_worker.draw_in_line(bad, CHART_SCALE, _vl_version())
    with pytest.raises(type(in_line.value)):
        png_worker.png(bad, CHART_SCALE, _vl_version())
    assert png_worker._child is not None and png_worker._child.proc.poll() is None  # still serving
    assert png_worker.png(SPEC, CHART_SCALE, _vl_version())[:4] == b"\x89PNG"


def test_the_switch_keeps_every_image_in_this_process(fresh, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setenv(png_worker.ENV, "0")
    assert png_worker.png(SPEC, CHART_SCALE, _vl_version())[:4] == b"\x89PNG"
    assert png_worker._child is None


def test_the_child_ends_when_its_pipe_closes(fresh) -> None:  # noqa: ANN001
    png_worker.png(SPEC, CHART_SCALE, _vl_version())
    child = png_worker._child
    child.close()
    assert child.proc.returncode == 0


def test_starting_the_chart_process_loads_nothing_here() -> None:
    """What the athlete page calls: the child starts and readies its engine by itself; this process
    loads neither vl-convert nor fpdf2 (the server's memory stays as it was)."""
    code = ("import sys, lib.reports as r, lib.reports.png_worker as w; r.start_chart_process(); r.start_chart_process(); "
            "c = w._child; print(c is not None, 'vl_convert' in sys.modules, 'fpdf' in sys.modules); "
            "import lib.reports.pdf as p; print(w.png(p.json.dumps({'data': {'values': [{'x': 1}]}, 'mark': 'point'}), 1, "
            "p._vl_version())[:4] == bytes([137, 80, 78, 71]), w._child is c, 'vl_convert' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.split() == ["True", "False", "False", "True", "True", "False"]
