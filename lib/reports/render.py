"""A report's chart images drawn beside its layout. vl-convert draws in a child process
(lib.reports.png_worker: in this one it would keep the GIL while it draws) and fpdf2's decoding of
the image it returns (PIL and zlib) runs with the GIL free, so the athlete report asks
for every chart image first (`chart`: the chart built and turned into its spec here, in the
caller's thread) and lays its pages out while the images are drawn in a thread of the
process; each image is waited for where the page places it (`Chart.png`). The images are the
ones `lib.reports.pdf.chart_png` draws, kept the same way (lib.reports.cache), so no byte of a
report changes (pinned by tests/reports/test_report_speed.py).

`start_converter` starts vl-convert's engine (about 1 s, once per process) in that thread
when a report is asked for, so that the first report computes its rows meanwhile; nothing here
starts before a report does (the app's memory stays as it is until someone prints)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from lib.reports import cache

# The layout in the caller's thread, the images in one other: two cores busy, and the drawing (about 0.75 s of
# CPU a report) keeps up with the layout (about 0.9 s). A second image thread added 20 MiB to the peak RSS of
# 12 demo reports (its own malloc arena).
WORKERS = 1
_pool: ThreadPoolExecutor | None = None
_started = False
_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="reports-chart")
        return _pool


def warm_converter() -> None:
    """`lib.reports.pdf.warm_converter`: vl-convert's engine started (about 1 s, once per process)."""
    from lib.reports import pdf

    pdf.warm_converter()
    global _started
    _started = True


def start_converter() -> None:
    """`warm_converter` in the image thread, once per process and only before any image was drawn;
    a failure is left for the chart that needs the engine to raise."""
    global _started
    with _lock:
        if _started:
            return
        _started = True
    _executor().submit(_quietly, warm_converter)


def _quietly(fn: Callable[[], None]) -> None:
    try:
        fn()
    except Exception:  # noqa: BLE001, S110 - see start_converter
        pass


class Chart:
    """A chart image being drawn (or kept): `png()` waits for it and keeps it (lib.reports.cache)."""

    def __init__(self, png: bytes | None = None, future: Future[bytes] | None = None,
                 key: tuple | None = None) -> None:
        self._png, self._future, self._key = png, future, key

    def png(self) -> bytes:
        if self._png is None:
            assert self._future is not None
            self._png = self._future.result()  # vl-convert's error, if any, raised here
            cache.keep_chart(self._key, self._png)
        return self._png


def chart(builder: Callable[..., Any], args: tuple, width_mm: float, height_px: int | None = None) -> Chart:
    """The image of `builder(*args)` for a `width_mm` slot (`lib.reports.pdf.chart_png`): kept by the
    builder and the content of `args`, else built and specified here and drawn in the image thread."""
    from lib.reports.pdf import chart_spec_json

    key = cache.chart_key(builder, args, width_mm, height_px)
    kept = cache.kept_chart(key)
    if kept is not None:
        return Chart(kept)
    spec_json = chart_spec_json(builder(*args), width_mm, height_px)  # Altair: in this thread
    return Chart(future=_executor().submit(_draw, spec_json), key=key)


def _draw(spec_json: str) -> bytes:
    from lib.reports import pdf

    png = pdf._png(spec_json)
    global _started
    _started = True
    try:
        cache.decode_image(png)  # fpdf2's decoding too, before the page places it
    except Exception:  # noqa: BLE001, S110 - left for the page's own placing of the image to raise
        pass
    return png
