"""Chart images drawn in a child process, so that a report's layout and its images really run side by side.

vl-convert 1.9 keeps the GIL while it draws: measured here, a pure-Python loop in another thread got
about 6% of its usual progress during a render, and every pandas or pyarrow call of the report's
layout that releases the GIL waited for the chart being drawn to finish before it could go on. In
its own process, vl-convert has a core and a GIL of its own; the report's image thread
(lib.reports.render) sends the spec down a pipe and waits on it with the GIL free.

The child is `python -m lib.reports.png_worker`: it reads a request from stdin (a 4-byte big-endian
length, then JSON: the spec's canonical JSON, the scale and the Vega-Lite version), draws it with
the same vl-convert and writes back a status byte (0: PNG, 1: vl-convert's error text) and the
4-byte length of the bytes that follow. It ends when its stdin closes, which happens when the
parent process ends in any way. Nothing leaves the machine: a pipe between two local processes.

`png` is the door for images. The child starts on the first image a process draws (lib.reports.pdf
`_png`, its `warm_converter` included), or earlier with `start` (the athlete page: its report's
first image then does not wait for vl-convert's start). Anything that goes wrong with the child
(it cannot start, it dies, the pipe breaks) makes this process draw in line as before, for good; a spec the child
could not draw is drawn in line once more, so the error raised is vl-convert's own. The same
library on the same spec gives the same bytes either way (pinned by tests/reports/test_png_worker.py).
`RTS_CHART_PROCESS=0` draws in line always (a machine where a second process is unwelcome).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

ENV = "RTS_CHART_PROCESS"
# A one-point chart: drawing it starts vl-convert's engine with a Vega-Lite version (a few bytes)
WARM_SPEC = json.dumps({"data": {"values": [{"x": 1}]}, "mark": "point",
                        "encoding": {"x": {"field": "x", "type": "quantitative"}}})
_HEADER = struct.Struct(">I")
_ROOT = Path(__file__).resolve().parents[2]  # the folder holding `lib`


def draw_in_line(spec_json: str, scale: float, vl_version: str | None) -> bytes:
    """The PNG of a Vega-Lite spec (canonical JSON) through vl-convert in this process, with the
    Vega-Lite version `vl_version` where vl-convert has it (else its own default)."""
    import vl_convert as vlc

    known = vl_version if vl_version and vl_version in _vl_versions() else None
    return vlc.vegalite_to_png(json.loads(spec_json), scale=scale, **({"vl_version": known} if known else {}))


@functools.cache
def _vl_versions() -> frozenset[str]:
    import vl_convert as vlc

    return frozenset(vlc.get_vegalite_versions())


class _Child:
    """The running child and the lock that keeps one request at a time on its pipe."""

    def __init__(self, vl_version: str | None) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(_ROOT), *filter(None, [env.get("PYTHONPATH")])])
        self.proc = subprocess.Popen(  # noqa: S603 - this interpreter on a module of ours
            [sys.executable, "-m", "lib.reports.png_worker", *([vl_version] if vl_version else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=str(_ROOT))
        self.lock = threading.Lock()

    def draw(self, spec_json: str, scale: float, vl_version: str | None) -> tuple[bool, bytes]:
        """(drawn, PNG or error text); raises OSError or EOFError when the child is gone."""
        request = json.dumps({"spec": spec_json, "scale": scale, "vl_version": vl_version}).encode()
        with self.lock:
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.write(_HEADER.pack(len(request)) + request)
            self.proc.stdin.flush()
            status = _read_exactly(self.proc.stdout, 1)
            body = _read_exactly(self.proc.stdout, _HEADER.unpack(_read_exactly(self.proc.stdout, _HEADER.size))[0])
        return status == b"\0", body

    def close(self) -> None:
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except Exception:  # noqa: BLE001 - going away: make sure it is gone
            self.proc.kill()


_child: _Child | None = None
_failed = False  # the child could not start or died: draw in line from now on
_start_lock = threading.Lock()


def _the_child(vl_version: str | None) -> _Child | None:
    global _child, _failed
    if os.environ.get(ENV, "") == "0":
        return None
    with _start_lock:
        if _child is None and not _failed:
            try:
                _child = _Child(vl_version)
                atexit.register(_child.close)
            except OSError:
                _failed = True
        return _child


def start(vl_version: str | None) -> None:
    """The child started, if it is not yet, without waiting for it: it readies vl-convert's engine
    with `vl_version` on its own (about 1 s), so that the first image asked of it does not wait."""
    _the_child(vl_version)


def png(spec_json: str, scale: float, vl_version: str | None) -> bytes:
    """The PNG of a Vega-Lite spec: drawn by the child process, else in this one (see the module)."""
    global _child, _failed
    child = _the_child(vl_version)
    if child is not None:
        try:
            drawn, body = child.draw(spec_json, scale, vl_version)
        except (OSError, EOFError, struct.error):
            with _start_lock:
                _failed, _child = True, None
            child.close()
        else:
            if drawn:
                return body
    return draw_in_line(spec_json, scale, vl_version)


def _read_exactly(stream: IO[bytes], n: int) -> bytes:
    out = bytearray()
    while len(out) < n:
        got = stream.read(n - len(out))
        if not got:
            raise EOFError("chart process closed its pipe")
        out += got
    return bytes(out)


def serve() -> None:
    """The child's loop: one request in, one answer out, until stdin closes."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the terminal is for the parent
    requests = sys.stdin.buffer
    if len(sys.argv) > 1:  # the engine started with the charts' Vega-Lite version before any request
        with contextlib.suppress(Exception):
            draw_in_line(WARM_SPEC, 1, sys.argv[1])
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")  # the pipe, kept for the answers alone
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # anything printed goes where stderr goes
    while True:
        try:
            size = _HEADER.unpack(_read_exactly(requests, _HEADER.size))[0]
            request = json.loads(_read_exactly(requests, size))
        except EOFError:
            return
        try:
            status, body = b"\0", draw_in_line(request["spec"], request["scale"], request["vl_version"])
        except Exception as exc:  # noqa: BLE001 - told to the parent, which draws it again to raise it
            status, body = b"\1", str(exc).encode("utf-8", "replace")
        answers.write(status + _HEADER.pack(len(body)) + body)
        answers.flush()


if __name__ == "__main__":
    serve()
