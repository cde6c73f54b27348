"""High-velocity exposure charts: the weekly heatmap with spikes marked, and acute:chronic over time."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from lib.charts import STATUS_COLORS, THRESHOLD_COLOR, style, top_legend

HEATMAP = {  # load -> (value column, text column, spike column, legend title)
    "hsr": ("hsr_m", "hsr_text", "hsr_spike", "HSR (m)"),
    "sprint": ("sprint_m", "sprint_text", "sprint_spike", "sprint (m)"),
    "near_max": ("near_max_sessions", "near_max_text", None, "near-max sessions"),
}
BAND_COLORS = {"under-loaded": "#56B4E9", "typical": "#009E73", "high": "#E69F00", "spike": "#D55E00"}
LOAD_STYLE = {"HSR": ("#0072B2", [1, 0]), "sprint": ("#CC79A7", [6, 3])}
ROW_PX = 26
TOOLTIP_COLUMNS = ("name", "week", "week_start", "hsr_m", "sprint_m", "sessions", "near_max_sessions", "top_speed",
                   "hsr_change_pct", "sprint_change_pct", "hsr_acwr_peak", "sprint_acwr_peak", "days_on_record",
                   "days_in_week", "sources")
HEATMAP_AXES = ("week_label", "label", "order")
HEATMAP_WEEKS = 12  # columns a 1280 px screen shows legibly; a season's older weeks stay in the tables


def exposure_heatmap(weeks: pd.DataFrame, load: str, speed_unit: str = "m/s") -> alt.TopLevelMixin:
    """Athletes down, ISO weeks across, one cell per athlete and week: the week's metres (or near-max
    sessions) as colour and as a number; spikes outlined and marked ▲, weeks with gaps ◌."""
    value, text, spike, title = HEATMAP[load]
    latest = weeks["week_start"].max() if len(weeks) else None
    shown = weeks if latest is None else weeks[weeks["week_start"] > latest - pd.Timedelta(weeks=HEATMAP_WEEKS)]
    trimmed = len(shown) < len(weeks)
    flag = spike or "_no_spike"
    used = [*TOOLTIP_COLUMNS, *HEATMAP_AXES, value, text] + ([spike, f"{load}_why"] if spike else [])
    # the columns the chart reads, each once: the spec (three of them on the page) is about half the size
    # with the weekly table's other columns left out
    rows = shown[list(dict.fromkeys(used))]
    if not spike:
        rows = rows.assign(_no_spike=False)
    tooltip = [
        alt.Tooltip("name:N", title="athlete"), alt.Tooltip("week:N", title="ISO week"),
        alt.Tooltip("week_start:T", title="starts", format="%a %d %b %Y"),
        alt.Tooltip("hsr_m:Q", title="HSR (m)", format=",.0f"),
        alt.Tooltip("sprint_m:Q", title="sprint (m)", format=",.0f"),
        alt.Tooltip("sessions:Q", title="sessions"), alt.Tooltip("near_max_sessions:Q", title="near-max sessions"),
        alt.Tooltip("top_speed:Q", title=f"top speed ({speed_unit})", format=".2f"),
        alt.Tooltip("hsr_change_pct:Q", title="HSR change on previous week (%)", format="+.0f"),
        alt.Tooltip("sprint_change_pct:Q", title="sprint change on previous week (%)", format="+.0f"),
        alt.Tooltip("hsr_acwr_peak:Q", title="peak acute:chronic HSR", format=".2f"),
        alt.Tooltip("sprint_acwr_peak:Q", title="peak acute:chronic sprint", format=".2f"),
        *([alt.Tooltip(f"{load}_why:N", title="spike because")] if spike else []),
        alt.Tooltip("days_on_record:Q", title="days on record"), alt.Tooltip("days_in_week:Q", title="days in week"),
        alt.Tooltip("sources:N", title="source rows"),
    ]
    x_title = f"week starting (Monday), the latest {HEATMAP_WEEKS}" if trimmed else "week starting (Monday)"
    x = alt.X("week_label:O", title=x_title, sort=alt.EncodingSortField("week_start", op="min"),
              axis=alt.Axis(orient="top", labelAngle=0, labelOverlap=False, labelFontSize=12))
    y = alt.Y("label:N", title=None, sort=alt.EncodingSortField("order", op="min"),
              axis=alt.Axis(labelOverlap=False, labelLimit=230))
    # the rows and the shared encodings once, on the layer (the layers inherit them): no copy, hash
    # or serialisation of them per layer
    base = alt.Chart()
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(f"{value}:Q", title=title, legend=None, scale=alt.Scale(range=["#f2f6fa", "#6fa8d6"])))
    outline = base.transform_filter(alt.datum[flag]).mark_rect(
        fill=None, stroke=STATUS_COLORS["red"], strokeWidth=2.5)
    labels = base.transform_filter(~alt.datum[flag]).mark_text(fontSize=12, color="#1a1a1a").encode(text=f"{text}:N")
    bold = base.transform_filter(alt.datum[flag]).mark_text(fontSize=12, fontWeight="bold", color="#1a1a1a").encode(
        text=f"{text}:N")
    n = max(1, rows["label"].nunique())
    # the height is the whole chart's (Streamlit fits axes and titles inside it)
    chart = alt.layer(cells, outline, labels, bold, data=rows).encode(x=x, y=y, tooltip=tooltip)
    return style(chart, height=n * ROW_PX + 70)


def acwr_domain(ratios: pd.Series, spike: float) -> list[float]:
    """Y range of the acute:chronic chart: from 0 to the highest ratio or the spike line + 0.5, in 0.5 steps."""
    top = max([spike + 0.5] + [float(r) for r in ratios.dropna()])
    return [0.0, math.ceil(top * 1.05 / 0.5) * 0.5]


def acwr_chart(rows: pd.DataFrame, bands: pd.DataFrame, method: str, height: int = 400) -> alt.TopLevelMixin:
    """Daily acute:chronic for HSR and sprint with the four bands shaded and named, and the
    threshold lines (sources in their tooltips); gaps where there is not enough data."""
    domain = acwr_domain(rows["ratio"], float(bands["lo"].iloc[-1]))
    top = bands["hi"].clip(upper=domain[1])
    bands = bands.assign(hi=top, mid=(bands["lo"] + top) / 2)
    y_scale = alt.Scale(domain=domain, clamp=True)
    title = f"acute:chronic ({method})"
    shade = alt.Chart(bands).mark_rect(opacity=0.12).encode(
        y=alt.Y("lo:Q", scale=y_scale, title=title, axis=alt.Axis(format=".1~f")), y2="hi:Q",
        fill=alt.Fill("band:N", scale=alt.Scale(domain=list(BAND_COLORS), range=list(BAND_COLORS.values())),
                      legend=None),
        tooltip=[alt.Tooltip("label:N", title="band"), alt.Tooltip("lo:Q", title="from"),
                 alt.Tooltip("hi:Q", title="to"), alt.Tooltip("source:N", title="source")])
    mids = [float(m) for m in bands["mid"]]
    # each band named with its edges on the right axis: the edges' lines carry no label of their own
    # (a label on the plot sat over the ratio lines)
    edges = [f"< {bands['hi'].iloc[0]:g}"] + [f"{lo:g}–{hi:g}" for lo, hi in zip(bands["lo"].iloc[1:-1], bands["hi"].iloc[1:-1])] \
        + [f"≥ {bands['lo'].iloc[-1]:g}"]
    names = [f"{lab} {edge}" for lab, edge in zip(bands["label"], edges)]
    label_expr = " : ".join(f"datum.value == {m!r} ? {lab!r}" for m, lab in zip(mids, names)) + " : ''"
    names = alt.Chart(bands).mark_tick(opacity=0).encode(
        y=alt.Y("mid:Q", scale=y_scale, title=None, axis=alt.Axis(
            orient="right", values=mids, labelExpr=label_expr, grid=False, ticks=False, domain=False,
            labelFontSize=13, labelColor="#333333")))
    rules = [alt.Chart(bands.iloc[1:]).mark_rule(strokeDash=[6, 4], color=THRESHOLD_COLOR, size=1.5).encode(
        y=alt.Y("lo:Q", scale=y_scale), tooltip=[alt.Tooltip("label:N", title="band from"),
                                                  alt.Tooltip("lo:Q", title="acute:chronic"),
                                                  alt.Tooltip("source:N", title="source")])]
    loads = [k for k in LOAD_STYLE if k in set(rows["load"])]
    enc = {
        "x": alt.X("date:T", title="date", axis=alt.Axis(format="%d %b", labelAngle=0)),
        "y": alt.Y("ratio:Q", title=title, scale=y_scale, axis=alt.Axis(format=".1~f")),
        "color": alt.Color("load:N", legend=top_legend(),
                           scale=alt.Scale(domain=loads, range=[LOAD_STYLE[k][0] for k in loads])),
        "strokeDash": alt.StrokeDash("load:N", legend=top_legend(),
                                     scale=alt.Scale(domain=loads, range=[LOAD_STYLE[k][1] for k in loads])),
        "tooltip": [alt.Tooltip("date:T", title="date", format="%a %d %b %Y"), alt.Tooltip("load:N", title="load"),
                    alt.Tooltip("ratio:Q", title="acute:chronic", format=".2f"), alt.Tooltip("band:N", title="band"),
                    alt.Tooltip("acute_m:Q", title="last 7 days (m)", format=",.0f"),
                    alt.Tooltip("chronic_week_m:Q", title="28-day weekly mean (m)", format=",.0f"),
                    alt.Tooltip("coverage_days:Q", title="days on record of 28"),
                    alt.Tooltip("sessions:Q", title="sessions that day"),
                    alt.Tooltip("sources:N", title="source rows that day")],
    }
    line = alt.Chart(rows).mark_line(strokeWidth=2.5).encode(**enc)
    dots = alt.Chart(rows).mark_point(size=25, filled=True, opacity=0.7).encode(
        **{k: v for k, v in enc.items() if k != "strokeDash"})
    plot = alt.layer(shade, *rules, line, dots)
    return style(alt.layer(plot, names, resolve=alt.Resolve(axis=alt.AxisResolveMap(y="independent"))), height=height)
