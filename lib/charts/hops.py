"""Hop-test charts: LSI over time per test with the pass line, and left vs right per test."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from lib.charts import limb_encoding, style, threshold_rule
from lib.metrics.symmetry import HOP_BATTERY, HOP_LABELS

TEST_ORDER = [HOP_LABELS[t] for t in HOP_BATTERY]
TEST_SHAPES = ["circle", "square", "triangle-up", "diamond"]
TEST_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"]
UNIT_TITLES = {"cm": "Distance (cm)", "s": "Time, s (lower is better)"}  # a hop test's unit -> its axis title


def lsi_domain(lsi: pd.Series, pass_lsi: float) -> list[float]:
    """Y range of the LSI chart: the pass line and every value in view, in steps of 5 %."""
    values = [v for v in lsi.dropna().astype(float)] + [pass_lsi]
    return [5 * math.floor((min(values) - 3) / 5), max(105.0, 5 * math.ceil((max(values) + 3) / 5))]


def lsi_history_chart(rows: pd.DataFrame, pass_lsi: float, label: str, source: str,
                      height: int = 380) -> alt.TopLevelMixin:
    """LSI (%) per test over time: colour and shape per test, the pass line with its source."""
    enc = {
        "x": alt.X("date:T", title="test date", axis=alt.Axis(format="%d %b", labelAngle=0)),
        "y": alt.Y("lsi:Q", title="LSI (%)", axis=alt.Axis(format=".1~f"),
                   scale=alt.Scale(domain=lsi_domain(rows["lsi"], pass_lsi))),
        "color": alt.Color("test_label:N", title="test", sort=TEST_ORDER,
                           scale=alt.Scale(domain=TEST_ORDER, range=TEST_COLORS)),
        "tooltip": [
            alt.Tooltip("test_label:N", title="test"), alt.Tooltip("date:T", title="date", format="%Y-%m-%d"),
            alt.Tooltip("lsi:Q", title="LSI, mean of trials (%)", format=".1f"),
            alt.Tooltip("lsi_best:Q", title="LSI, best trials (%)", format=".1f"),
            alt.Tooltip("result:N", title="result"),
            alt.Tooltip("left_mean:Q", title="left mean", format=".2f"),
            alt.Tooltip("right_mean:Q", title="right mean", format=".2f"), alt.Tooltip("unit:N", title="unit"),
            alt.Tooltip("involved_side:N", title="involved side"),
            alt.Tooltip("involved_pct_pre:Q", title="involved limb, % of pre-injury", format=".1f"),
            alt.Tooltip("basis:N", title="LSI basis"), alt.Tooltip("sources:N", title="source rows"),
        ],
    }
    base = alt.Chart(rows).encode(**enc)
    lines = base.mark_line(strokeWidth=2)
    points = base.mark_point(size=90, filled=True, opacity=1).encode(
        shape=alt.Shape("test_label:N", sort=TEST_ORDER, scale=alt.Scale(domain=TEST_ORDER, range=TEST_SHAPES),
                        title="test"))
    return style(alt.layer(lines, points, threshold_rule(pass_lsi, label, source)), height=height)


def side_chart(rows: pd.DataFrame, title: str, height: int = 350) -> alt.TopLevelMixin:
    """One hop test, left vs right over time: the mean of trials (line) and the best trial (ring),
    in the test's unit (cm, or s where lower is better)."""
    unit = str(rows["unit"].iloc[0]) if len(rows) else ""
    long = rows.melt(id_vars=[c for c in rows.columns if c not in ("mean", "best")], value_vars=["mean", "best"],
                     var_name="stat", value_name="value")
    long = long.assign(stat=long["stat"].map({"mean": "mean of trials", "best": "best trial"}))
    limb = limb_encoding("side_label:N", rows["side_label"])  # the athlete page's limb colours, order and legend
    base = alt.Chart(long).encode(
        x=alt.X("date:T", title="test date", axis=alt.Axis(format="%d %b", labelAngle=0)),
        y=alt.Y("value:Q", title=UNIT_TITLES.get(unit, unit), axis=alt.Axis(format=".2~f" if unit == "s" else ".1~f"),
                scale=alt.Scale(zero=False)),
        color=limb["color"],
        tooltip=[alt.Tooltip("test_label:N", title="test"), alt.Tooltip("date:T", title="date", format="%Y-%m-%d"),
                 alt.Tooltip("side_label:N", title="limb"), alt.Tooltip("stat:N", title="value"),
                 alt.Tooltip("value:Q", title=unit, format=".2f"), alt.Tooltip("n:Q", title="trials"),
                 alt.Tooltip("cv:Q", title="trial CV (%)", format=".1f"),
                 alt.Tooltip("sources:N", title="source rows")],
    )
    means = base.transform_filter(alt.datum.stat == "mean of trials")
    line = means.mark_line(strokeWidth=2).encode(strokeDash=limb["strokeDash"])
    dots = means.mark_point(size=80, filled=True, opacity=1).encode(shape=limb["shape"])
    rings = base.transform_filter(alt.datum.stat == "best trial").mark_point(
        size=80, strokeWidth=2, filled=False, opacity=1).encode(shape=limb["shape"])
    chart = alt.layer(line, dots, rings,
                      title=alt.Title(title, subtitle="● mean of trials (line) · ○ best trial", subtitleFontSize=13))
    return style(chart, height=height)
