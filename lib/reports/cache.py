"""What a report draws, kept between reports of the same data: a chart's image by its builder and
the content of what it was given (the same view rows give the same chart, so the chart is neither
built nor drawn again), and fpdf2's decoded form of each image (fpdf2 decodes a PNG and compresses
it again for every document that places it). Both are small LRU caches of a process; a change in
the data changes the rows, so a stale image is never served."""

from __future__ import annotations

import collections
import hashlib
import json
import threading
from collections.abc import Callable
from typing import Any

import pandas as pd

CHARTS = 64  # chart images kept (about 6 an athlete report)
_charts: collections.OrderedDict[tuple, bytes] = collections.OrderedDict()
_images: collections.OrderedDict[str, dict] = collections.OrderedDict()
_lock = threading.Lock()  # the images are drawn and decoded in lib.reports.render's threads too


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


def chart_key(builder: Callable[..., Any], args: tuple, width_mm: float, height_px: int | None) -> tuple | None:
    """The key of a chart's image: its builder and the content of `args`; None for cells that cannot
    be hashed (a list in a cell: drawn every time)."""
    try:
        return (builder.__module__, builder.__qualname__, fingerprint(args), width_mm, height_px)
    except TypeError:
        return None


def kept_chart(key: tuple | None) -> bytes | None:
    """The image kept under `key`, if any (and marked as just used)."""
    with _lock:
        png = _charts.get(key) if key is not None else None
        if png is not None:
            _charts.move_to_end(key)
        return png


def keep_chart(key: tuple | None, png: bytes) -> None:
    if key is None:
        return
    with _lock:
        _charts[key] = png
        _charts.move_to_end(key)
        if len(_charts) > CHARTS:
            _charts.popitem(last=False)


def chart_image(builder: Callable[..., Any], args: tuple, width_mm: float, height_px: int | None,
                render: Callable[[Any, float, int | None], bytes]) -> bytes:
    """`render(builder(*args), width_mm, height_px)` (lib.reports.pdf.chart_png), kept by the builder
    and the content of `args`."""
    key = chart_key(builder, args, width_mm, height_px)
    png = kept_chart(key)
    if png is None:
        png = render(builder(*args), width_mm, height_px)
        keep_chart(key, png)
    return png


def _image_name(png: bytes) -> str:
    return hashlib.md5(png.strip(), usedforsecurity=False).hexdigest()  # fpdf2's own key of image bytes


def _keep_image(name: str, info: dict) -> None:
    """Keep fpdf2's decoded image without what one document numbers (an ICC profile is numbered per
    document: such an image is not kept)."""
    if info.get("iccp") is not None:
        return
    with _lock:
        _images[name] = type(info)({k: v for k, v in info.items() if k not in ("i", "usages", "iccp_i")})
        _images.move_to_end(name)
        if len(_images) > CHARTS:
            _images.popitem(last=False)


def decode_image(png: bytes) -> None:
    """Decode `png` as fpdf2 does when a document places it (PIL's decode and zlib's compression, both
    mostly outside the GIL) and keep the result for `place_image`: run beside the report's layout
    (lib.reports.render)."""
    import io

    from fpdf.image_parsing import get_img_info

    name = _image_name(png)
    with _lock:
        if name in _images:
            return
    _keep_image(name, get_img_info(name, io.BytesIO(png), "AUTO"))


def place_image(pdf: Any, png: bytes, x: float, y: float, w: float, h: float) -> None:
    """`pdf.image(png, ...)` with fpdf2's decoded image kept for the next document that places the
    same PNG (fpdf2 keys its own per-document cache by the MD5 of the bytes, as here)."""
    import io

    name = _image_name(png)
    images = pdf.image_cache.images
    with _lock:
        kept = _images.get(name) if pdf.image_cache.image_filter == "AUTO" else None
        if kept is not None:
            _images.move_to_end(name)
    if kept is not None and name not in images:
        images[name] = type(kept)(kept, i=len(images) + 1, usages=0, iccp_i=None)
    pdf.image(io.BytesIO(png), x=x, y=y, w=w, h=h)
    info = images.get(name)
    if kept is None and info is not None and pdf.image_cache.image_filter == "AUTO":
        _keep_image(name, info)
