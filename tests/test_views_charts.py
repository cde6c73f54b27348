"""The charts as one family, on the demo team: every chart of the athlete and hop-test pages
compiles without a Vega-Lite warning (what the browser console would log), and a limb has one
colour, line, shape and place in the legend order on both pages."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from lib import privacy, store
from lib.readiness.asof import default_as_of
from lib.charts import LIMB_COLORS, limb_domain, spec
from lib.charts import athlete as charts
from lib.charts import hops as hop_charts
from lib.ingest.demo import load_demo
from lib.readiness import Data, readiness_board
from lib.core.settings import defaults
from lib.views import athlete as view
from lib.views import hops as hop_view
from lib.views import limb_label

CFG = defaults()
# returning athletes with every kind of data (hops, Nordic, CMJ, pain, wellness, GPS) and a healthy one
ATHLETES = ("RTS014", "RTS005", "RTS020")
COMPILE = ("import json, sys, vl_convert\n"
           "for s in json.load(sys.stdin):\n"
           "    vl_convert.vegalite_to_vega(s, show_warnings=True)\n")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Data, dt.date, pd.DataFrame]:
    engine = store.connect(Path(tmp_path_factory.mktemp("charts")) / "demo.sqlite")
    load_demo(engine)
    data = privacy.data_for(engine, "medical")
    on = default_as_of(data, dt.date.today())
    board = readiness_board(data, pd.Timestamp(on), CFG)
    store.dispose_all()
    return data, on, board


def _page_charts(data: Data, as_of: dt.date, board: pd.DataFrame, aid: str) -> dict[str, alt.TopLevelMixin]:
    """Every chart the athlete page and the hop-test page draw for one athlete."""
    row = view.board_row(board, aid)
    history = view.lsi_history(data, aid, as_of, CFG)
    limbs = view.limb_history(history)
    out: dict[str, alt.TopLevelMixin] = {}
    for test in view.lsi_tests(history, row["region"]):
        out[f"lsi {test}"] = charts.lsi_chart(history, test)
        out[f"limbs {test}"] = charts.limb_chart(limbs, test)
    cmj, nordic = view.cmj_history(data, aid, as_of, CFG), view.nordic_history(data, aid, as_of)
    weeks, summary = view.exposure_history(data, aid, as_of, CFG), view.exposure_summary(data, aid, as_of, CFG)
    builders: dict[str, Callable[[], alt.TopLevelMixin]] = {
        "cmj height": lambda: charts.cmj_height_chart(cmj, CFG),
        "cmj asymmetry": lambda: charts.cmj_asymmetry_chart(cmj, CFG),
        "nordic force": lambda: charts.nordic_force_chart(nordic, CFG),
        "nordic imbalance": lambda: charts.nordic_imbalance_chart(nordic, CFG),
        "pain": lambda: charts.pain_chart(view.pain_history(data, aid, as_of), CFG),
        "wellness": lambda: charts.wellness_chart(view.wellness_history(data, aid, as_of, CFG), CFG),
        "exposure": lambda: charts.exposure_chart(weeks, summary, CFG),
        "top speed": lambda: charts.top_speed_chart(weeks, CFG),
        "tiers": lambda: charts.tier_chart(view.tier_timeline(data, aid, row, as_of)),
        "hop lsi": lambda: hop_charts.lsi_history_chart(hop_view.lsi_history(data, aid, as_of, CFG),
                                                        *hop_view.pass_rule(CFG)),
    }
    out.update({name: build() for name, build in builders.items()})
    for title, rows in hop_view.side_panels(hop_view.side_history(data, aid, as_of)):
        out[f"hop sides {title}"] = hop_charts.side_chart(rows, title)
    return out


def test_no_chart_makes_vega_lite_warn(demo: tuple[Data, dt.date, pd.DataFrame]) -> None:
    """Vega-Lite compiles each spec as the browser does (vl-convert runs the same library); it prints
    any warning ("Conflicting legend property", "size with an unsorted discrete field")."""
    for aid in ATHLETES:
        built = _page_charts(*demo, aid)
        specs = [spec(c) for c in built.values()]
        run = subprocess.run([sys.executable, "-c", COMPILE], input=json.dumps(specs, default=str),
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        assert (run.stdout + run.stderr).strip() == "", (aid, sorted(built))


def _limb_scale(chart: alt.TopLevelMixin, field: str) -> dict[str, str]:
    """label -> colour of the limb colour scale in a chart's spec."""
    found: dict[str, str] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            color = node.get("color")
            if isinstance(color, dict) and color.get("field") == field and "scale" in color:
                found.update(zip(color["scale"]["domain"], color["scale"]["range"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(chart.to_dict())
    return found


def test_a_limb_has_one_colour_on_the_athlete_and_hop_pages(demo: tuple[Data, dt.date, pd.DataFrame]) -> None:
    data, on, board = demo
    aid = "RTS014"  # returning from a left hamstring strain, hop tests before and after the injury
    built = _page_charts(data, on, board, aid)
    athlete = _limb_scale(built["limbs single_hop"], "limb")
    hops = _limb_scale(built["hop sides single hop (cm)"], "side_label")
    assert athlete == hops
    injured = next(label for label in athlete if label.endswith("(injured)"))
    assert athlete[injured] == LIMB_COLORS["injured"]
    assert list(athlete) == limb_domain(athlete)  # injured first on both pages
    assert _limb_scale(built["nordic force"], "limb") == athlete


@pytest.mark.parametrize(("side", "injured", "label"), [
    ("left", "left", "left (injured)"), ("right", "left", "right (uninjured)"), ("left", None, "left"),
    ("right", float("nan"), "right"),
])
def test_limb_label(side: str, injured: object, label: str) -> None:
    assert limb_label(side, injured) == label


def test_limb_order_puts_the_injured_limb_first() -> None:
    assert limb_domain(["right (uninjured)", "left (injured)"]) == ["left (injured)", "right (uninjured)"]
    assert limb_domain(["right", "left"]) == ["left", "right"]
