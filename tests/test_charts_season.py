"""Charts at club scale: every chart of the athlete, hop-test and exposure pages built on a
40-athlete season (a year of GPS, tests and wellness, a third returning from an injury) gets
aggregated rows, never raw ones: no spec carries more than 5,000 data rows, and each spec has
the house config once, at its top (lib.charts.CONFIG, set without Altair's `configure_*` copies)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from lib.charts import CONFIG, FREE_SCALES, spec
from lib.charts import exposure as exposure_charts
from lib.core.schema import conform
from lib.core.settings import defaults
from lib.readiness import Data, readiness_board
from lib.views import exposure as exposure_view
from tests.views.test_views_charts import _page_charts

CFG = defaults()
ON = dt.date(2026, 6, 30)
MAX_ROWS = 5_000
ITEMS = {"pain": "0-10", "fatigue": "1-5", "sleep": "1-5", "soreness": "1-5", "stress": "1-5"}


def season(n: int = 40, seed: int = 5) -> Data:
    """`n` athletes over a year: 250 GPS sessions, 120 test rows and a wellness answer per item
    every other day each (fixed seed)."""
    rng = np.random.default_rng(seed)
    start, on = pd.Timestamp(ON) - pd.Timedelta(days=364), pd.Timestamp(ON)
    ids = [f"A{i:03d}" for i in range(n)]
    athletes = conform(pd.DataFrame({"athlete_id": ids, "name": [f"Athlete {i:03d}" for i in range(n)],
                                     "squad": "First team", "position": "Midfielder"}), "athletes")
    injured = ids[: n // 3]
    injuries = conform(pd.DataFrame({
        "athlete_id": injured, "injury_date": on - pd.to_timedelta(rng.integers(20, 90, len(injured)), unit="D"),
        "side": rng.choice(["left", "right"], len(injured)), "region": "hamstring"}), "injuries")
    per = 250
    days = start + pd.to_timedelta(np.sort(rng.integers(0, 365, (n, per)), axis=1).ravel(), unit="D")
    sessions = conform(pd.DataFrame({
        "athlete_id": np.repeat(ids, per), "date": days, "session": "Drill",
        "hsr_distance_m": rng.uniform(0, 600, n * per), "sprint_distance_m": rng.uniform(0, 150, n * per),
        "max_speed_ms": rng.uniform(6.0, 9.5, n * per), "device": "GPS", "source_file": "gps.csv",
        "source_row": np.arange(n * per) + 2}), "sessions")
    per_test = 120
    tdays = start + pd.to_timedelta(rng.integers(0, 52, n * per_test) * 7, unit="D")
    test = rng.choice(["single_hop", "triple_hop", "crossover_hop", "timed_hop_6m", "cmj", "nordic"], n * per_test)
    metric = np.select([test == "timed_hop_6m", test == "cmj", test == "nordic"], ["time", "jump_height", "max_force"],
                       "distance")
    unit = np.select([test == "timed_hop_6m", test == "nordic"], ["s", "N"], "cm")
    value = np.select([test == "timed_hop_6m", test == "nordic", test == "cmj"],
                      [rng.uniform(1.8, 2.6, n * per_test), rng.uniform(250, 450, n * per_test),
                       rng.uniform(30, 45, n * per_test)], rng.uniform(120, 500, n * per_test))
    tests = conform(pd.DataFrame({
        "athlete_id": np.repeat(ids, per_test), "date": tdays, "test": test, "metric": metric,
        "side": np.where(test == "cmj", "left", rng.choice(["left", "right"], n * per_test)),
        "trial": rng.integers(1, 4, n * per_test), "value": value, "unit": unit, "device": "sheet",
        "source_file": "tests.csv", "source_row": np.arange(n * per_test) + 2}), "tests")
    wdays = pd.date_range(start, on, freq="2D")
    well = pd.DataFrame([(a, d, item, scale) for a in ids for d in wdays for item, scale in ITEMS.items()],
                        columns=["athlete_id", "date", "item", "scale"])
    well = well.assign(value=rng.integers(1, 6, len(well)), source_file="wellness.csv", source_row=np.arange(len(well)) + 2)
    wellness = conform(well, "wellness")
    history = pd.DataFrame(columns=["athlete_id", "date", "tier", "reason", "who"]).astype({"date": "datetime64[s]"})
    return Data(athletes, injuries, tests, sessions, wellness, history)


@pytest.fixture(scope="module")
def built() -> dict[str, dict]:
    """Every chart's spec, by page and name: the athlete and hop pages for two returning athletes
    and a healthy one, the exposure page's three heatmaps and its acute:chronic chart."""
    data = season()
    board = readiness_board(data, pd.Timestamp(ON), CFG)
    specs: dict[str, dict] = {}
    for aid in ("A000", "A001", "A030"):
        specs.update({f"{aid} {name}": spec(chart) for name, chart in _page_charts(data, ON, board, aid).items()})
    weeks = exposure_view.exposure_weeks(data, ON, CFG)
    for load in ("hsr", "sprint", "near_max"):
        specs[f"heatmap {load}"] = spec(exposure_charts.exposure_heatmap(weeks, load, "m/s"))
    daily = exposure_view.daily_acwr(data, ON, CFG, exposure_view.ALL_SQUADS, "A000")
    specs["acute:chronic"] = spec(exposure_charts.acwr_chart(daily, exposure_view.acwr_bands(CFG),
                                                             exposure_view.method_label(CFG, short=True)))
    return specs


def _row_counts(node: object, found: list[int]) -> list[int]:
    """The number of rows of every inline data set in a spec (`datasets` and `data.values`)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "datasets" and isinstance(value, dict):
                found.extend(len(rows) for rows in value.values())
            elif key == "values" and isinstance(value, list):
                found.append(len(value))
            else:
                _row_counts(value, found)
    elif isinstance(node, list):
        for value in node:
            _row_counts(value, found)
    return found


def test_every_chart_gets_at_most_5000_rows(built: dict[str, dict]) -> None:
    rows = {name: max(_row_counts(s, []), default=0) for name, s in built.items()}
    print(sorted(rows.items(), key=lambda kv: -kv[1])[:6])  # noqa: T201 - the largest, for the report
    assert len(built) > 40
    assert {name: n for name, n in rows.items() if n > MAX_ROWS} == {}
    assert 40 * (exposure_charts.HEATMAP_WEEKS - 1) < rows["heatmap hsr"] <= 40 * exposure_charts.HEATMAP_WEEKS  # the latest weeks


def test_one_config_at_the_top_of_each_spec(built: dict[str, dict]) -> None:
    configs = [CONFIG.to_dict(), FREE_SCALES.to_dict()]
    for name, s in built.items():
        top = {k: v for k, v in s["config"].items() if k != "view"} | {"view": {"strokeWidth": 0}}
        assert top in configs, name

        def nested(node: object) -> bool:
            if isinstance(node, dict):
                return any(k == "config" or nested(v) for k, v in node.items())
            return isinstance(node, list) and any(nested(v) for v in node)
        assert not nested({k: v for k, v in s.items() if k != "config"}), name


def _y_axes(node: object, found: list[dict]) -> list[dict]:
    """Every quantitative y encoding of a spec (layers, facets)."""
    if isinstance(node, dict):
        y = node.get("encoding", {}).get("y") if isinstance(node.get("encoding"), dict) else None
        if isinstance(y, dict) and y.get("type") == "quantitative":
            found.append(y)
        for value in node.values():
            _y_axes(value, found)
    elif isinstance(node, list):
        for value in node:
            _y_axes(value, found)
    return found


def test_every_number_axis_has_a_format(built: dict[str, dict]) -> None:
    """A y axis's numbers are formatted on purpose (".1~f", ",.0f", "d"): Vega's default on a
    one-value domain once read "33.300000"."""
    bare = [name for name, s in built.items()
            if (axes := _y_axes(s, [])) and not any(isinstance(a.get("axis"), dict) and "format" in a["axis"] for a in axes)]
    assert bare == []
