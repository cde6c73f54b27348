"""The exposure heatmap carries its rows and its shared encodings (x, y, tooltip) once, on the layer
chart, which its four layers inherit (issue 15: a third less time per heatmap spec on a season).
Vega-Lite draws it as it drew the chart with each layer carrying its own copy: the two specs render
to the same pixels."""

from __future__ import annotations

import copy

import pytest
import vl_convert as vlc

from benchmarks.metrics_bench import ON, season
from lib.charts import spec
from lib.charts.exposure import exposure_heatmap
from lib.core.settings import Settings, defaults
from lib.views.exposure import exposure_overview


def per_layer(shared: dict) -> dict:
    """`shared` as the builder wrote it before: every layer with its own x, y and tooltip."""
    old = copy.deepcopy(shared)
    top = old.pop("encoding")
    for layer in old["layer"]:
        layer["encoding"] = {**top, **layer.get("encoding", {})}
    return old


@pytest.mark.parametrize("load", ["hsr", "sprint", "near_max"])
def test_the_shared_encodings_draw_what_each_layer_drew(load: str) -> None:
    cfg = Settings(defaults() | {"week_change_spike": 30.0})  # spikes: the outline and bold layers draw
    weeks = exposure_overview(season(6, per=250), ON.date(), cfg).weeks
    new = spec(exposure_heatmap(weeks, load, "m/s"))
    assert set(new["encoding"]) == {"x", "y", "tooltip"} and len(new["datasets"]) == 1
    assert all("x" not in layer.get("encoding", {}) for layer in new["layer"])
    new["width"] = 900
    assert vlc.vegalite_to_png(new) == vlc.vegalite_to_png(per_layer(new))
