"""What a report draws, kept between reports of the same data: a chart's image by its builder and
the content of what it was given (the same view rows give the same chart, so the chart is neither
built nor drawn again), and fpdf2's decoded form of each image (fpdf2 decodes a PNG and compresses
it again for every document that places it). Both are small LRU caches of a process; a change in
the data changes the rows, so a stale image is never served."""

from __future__ import annotations

import collections
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pandas as pd

CHARTS = 64  # chart images kept (about 6 an athlete report)
_charts: collections.OrderedDict[tuple, bytes] = collections.OrderedDict()
_images: collections.OrderedDict[str, dict] = collections.OrderedDict()


def fingerprint(value: object) -> str:
    """A digest of `value`'s content: frames and series by their values, index, columns and dtypes;
    dicts, lists and tuples item by item; anything else by its repr. Raises TypeError for a frame
    whose cells cannot be hashed (a list in a cell)."""
    h = hashlib.blake2b(digest_size=16)

    def feed(v: object) -> None:
        if isinstance(v, pd.DataFrame):
            h.update(repr((list(v.columns), [str(t) for t in v.dtypes], v.shape)).encode())
            h.update(pd.util.hash_pandas_object(v, index=True).to_numpy().tobytes())
        elif isinstance(v, pd.Series):
            h.update(repr((v.name, str(v.dtype), len(v))).encode())
            h.update(pd.util.hash_pandas_object(v, index=True).to_numpy().tobytes())
        elif isinstance(v, dict):
            h.update(b"{")
            for k in sorted(v, key=str):
                h.update(repr(k).encode())
                feed(v[k])
            h.update(b"}")
        elif isinstance(v, (list, tuple)):
            h.update(b"[")
            for x in v:
                feed(x)
            h.update(b"]")
        else:
            h.update(json.dumps(v, sort_keys=True, default=repr).encode())

    feed(value)
    return h.hexdigest()


def chart_image(builder: Callable[..., Any], args: tuple, width_mm: float, height_px: int | None,
                render: Callable[[Any, float, int | None], bytes]) -> bytes:
    """`render(builder(*args), width_mm, height_px)` (lib.reports.pdf.chart_png), kept by the builder
    and the content of `args`."""
    try:
        key = (builder.__module__, builder.__qualname__, fingerprint(args), width_mm, height_px)
    except TypeError:  # cells that cannot be hashed: drawn every time
        return render(builder(*args), width_mm, height_px)
    if key in _charts:
        _charts.move_to_end(key)
        return _charts[key]
    png = render(builder(*args), width_mm, height_px)
    _charts[key] = png
    if len(_charts) > CHARTS:
        _charts.popitem(last=False)
    return png


def place_image(pdf: Any, png: bytes, x: float, y: float, w: float, h: float) -> None:
    """`pdf.image(png, ...)` with fpdf2's decoded image kept for the next document that places the
    same PNG (fpdf2 keys its own per-document cache by the MD5 of the bytes, as here)."""
    import io

    name = hashlib.md5(png.strip(), usedforsecurity=False).hexdigest()
    images = pdf.image_cache.images
    kept = _images.get(name)
    if kept is not None and name not in images:
        images[name] = type(kept)(kept, i=len(images) + 1, usages=0, iccp_i=None)
        _images.move_to_end(name)
    pdf.image(io.BytesIO(png), x=x, y=y, w=w, h=h)
    info = images.get(name)
    if kept is None and info is not None and info.get("iccp") is None:  # an ICC profile is numbered per document
        _images[name] = type(info)({k: v for k, v in info.items() if k not in ("i", "usages", "iccp_i")})
        if len(_images) > CHARTS:
            _images.popitem(last=False)
