"""One chart style for the whole product: Altair builders that return `alt.Chart` objects.

Every chart states its units in axis titles and draws its thresholds (with the source in the
tooltip); colour is never the only carrier of meaning (status charts also use shapes/labels).
Charts get aggregated rows (per week, per test), never raw GPS rows.
"""

from __future__ import annotations

import threading

import altair as alt
import pandas as pd

from lib.core.status import STATUS_COLORS  # noqa: F401 - Okabe-Ito, colour-blind safe; charts.STATUS_COLORS for callers

# One colour per limb on every chart (athlete page, hop tests): the injured limb reddish purple,
# the other blue; without an injury on record, left blue and right sky blue. None of them is a
# status colour, so a limb never reads as "step back".
LIMB_COLORS = {"injured": "#CC79A7", "uninjured": "#0072B2", "left": "#0072B2", "right": "#56B4E9"}
LIMB_ORDER = ("injured", "uninjured", "left", "right")
LIMB_DASHES = {"injured": [1, 0], "left": [1, 0], "uninjured": [6, 3], "right": [6, 3]}
LIMB_SHAPES = {"injured": "circle", "left": "circle", "uninjured": "square", "right": "square"}
SIDE_COLORS = {"left": LIMB_COLORS["left"], "right": LIMB_COLORS["right"], "involved": LIMB_COLORS["injured"],
               "uninvolved": LIMB_COLORS["uninjured"]}
THRESHOLD_COLOR = "#444444"
FONT_SIZE = 14


def _config(zero: bool) -> alt.Config:
    return alt.Config(axis=alt.AxisConfig(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE),
                      legend=alt.LegendConfig(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, orient="bottom"),
                      title=alt.TitleConfig(fontSize=FONT_SIZE + 2, anchor="start"),
                      view=alt.ViewConfig(strokeWidth=0), **({} if zero else {"scale": alt.ScaleConfig(zero=False)}))


# The house style, built once and set on each chart as it is: readable when screen-shared (14 px
# labels), no chart border. FREE_SCALES: scales start where the data and thresholds are (a
# threshold layer has no domain of its own, so an LSI chart would otherwise span 0-110%).
CONFIG, FREE_SCALES = _config(zero=True), _config(zero=False)


def configured(chart: alt.TopLevelMixin, zero: bool = True) -> alt.TopLevelMixin:
    """`chart` itself with the house config set (no copy: Altair's `configure_*` and `properties`
    each rebuild a layered chart, deep-copying every layer). For a chart its builder just made."""
    chart.config = CONFIG if zero else FREE_SCALES
    return chart


def style(chart: alt.TopLevelMixin, height: int = 260, zero: bool = True) -> alt.TopLevelMixin:
    """The house style and the chart's height, set on `chart` itself (see `configured`)."""
    chart.height = height
    return configured(chart, zero)


def spec(chart: alt.TopLevelMixin) -> dict:
    """The chart as a Vega-Lite spec with its data inline, for `st.vega_lite_chart` (pages cache it
    through `ui.chart`, so a rerun sends it without building the chart again), and for the reports'
    images. Not re-validated against the schema here: the chart tests validate every builder's
    output. Charts get aggregated rows, but a season's may pass Altair's 5,000-row limit."""
    _once.memo = {}
    try:
        with alt.data_transformers.enable(_ONCE):
            return chart.to_dict(validate=False)
    finally:
        _once.memo = None


# A layered chart's layers share their builder's frame, and Altair turns that frame into records
# once per layer (sanitize + to_dict: most of a report chart's serialisation). Within `spec`, each
# frame is turned into records once; the values, and so the spec, are Altair's own.
_ONCE = "rts_once"
_once = threading.local()


def _values_once(data: object) -> dict:
    memo = getattr(_once, "memo", None)
    if memo is None or not isinstance(data, pd.DataFrame):  # another thread's chart, or not a frame
        return alt.utils.data.to_values(data)
    kept = memo.get(id(data))
    if kept is None or kept[0] is not data:
        kept = (data, alt.utils.data.to_values(data)["values"])
        memo[id(data)] = kept  # the frame is kept too, so its id is not reused within the call
    return {"values": kept[1]}


alt.data_transformers.register(_ONCE, _values_once)


def top_legend() -> alt.Legend:
    """One row above the plot, no title: the plot keeps its height in a 1280x720 screen share."""
    return alt.Legend(orient="top", title=None, direction="horizontal", labelLimit=0, symbolStrokeWidth=0)


def limb_kind(label: str) -> str:
    """`injured`, `uninjured`, `left` or `right` of a limb label (lib.views.limb_label)."""
    for kind in ("uninjured", "injured"):
        if f"({kind})" in label:
            return kind
    return "right" if label.startswith("right") else "left"


def limb_domain(labels: object) -> list[str]:
    """The limb labels of a chart in the product's order: injured first, then uninjured (left, right
    without an injury)."""
    return sorted({str(x) for x in labels}, key=lambda s: (LIMB_ORDER.index(limb_kind(s)), s))


def limb_encoding(field: str, labels: object, legend: alt.Legend | None = None) -> dict[str, alt.Color]:
    """Colour, line dash and point shape of one limb per label, the same on every chart: injured
    solid and round, the other dashed and square. One legend (the same `legend` on every channel,
    so Vega-Lite merges them)."""
    domain = limb_domain(labels)
    keep = legend if legend is not None else top_legend()
    return {"color": alt.Color(field, legend=keep, scale=alt.Scale(
                domain=domain, range=[LIMB_COLORS[limb_kind(d)] for d in domain])),
            "strokeDash": alt.StrokeDash(field, legend=keep, scale=alt.Scale(
                domain=domain, range=[LIMB_DASHES[limb_kind(d)] for d in domain])),
            "shape": alt.Shape(field, legend=keep, scale=alt.Scale(
                domain=domain, range=[LIMB_SHAPES[limb_kind(d)] for d in domain]))}


def wrap(label: str, width: int = 16) -> list[str]:
    """A label in lines of about `width` characters, broken between words."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


LABEL_BASELINES = {"above": "bottom", "below": "top", "middle": "middle"}


def threshold_rule(value: float, label: str, source: str, axis: str = "y", side: str = "middle") -> alt.LayerChart:
    """A dashed threshold line with its label; the tooltip names the source. A horizontal line's
    label stands in the right margin, beside the line's end (never over the data): `side` puts it
    above or below the line when two lines of a chart may be close (the higher "above", the
    lower "below"). Marks and channels are given as Vega-Lite dicts: the same spec as Altair's
    `mark_rule(...).encode(...)`, built about ten times faster (no shorthand parsing, validation
    or copy per call; a report draws seven of these)."""
    data = pd.DataFrame({"value": [value], "label": [label], "source": [source]})
    tooltip = [{"field": "label", "type": "nominal", "title": "threshold"},
               {"field": "source", "type": "nominal", "title": "source"}]
    rule = {"type": "rule", "strokeDash": [6, 4], "color": THRESHOLD_COLOR, "size": 1.5}
    at = {"field": "value", "type": "quantitative"}
    if axis != "y":  # a vertical line: its label at the top, beside the line
        line = alt.Chart(data, mark=rule, encoding=alt.FacetedEncoding(x=at, tooltip=tooltip))
        text = alt.Chart(data, mark={"type": "text", "align": "left", "dx": 4, "y": 6, "color": THRESHOLD_COLOR,
                                     "fontSize": 12},
                         encoding=alt.FacetedEncoding(x=at, text={"field": "label", "type": "nominal"}))
        return line + text
    line = alt.Chart(data, mark=rule, encoding=alt.FacetedEncoding(y=at, tooltip=tooltip))
    # lines joined by a line break the mark splits on (an array field reads "[a,b]" in the browser's Vega)
    text = alt.Chart(data.assign(lines="\n".join(wrap(label))),
                     mark={"type": "text", "align": "left", "dx": 6, "baseline": LABEL_BASELINES[side],
                           "color": THRESHOLD_COLOR, "fontSize": 12, "lineHeight": 13, "lineBreak": "\n"},
                     encoding=alt.FacetedEncoding(x={"value": "width"}, y=at,
                                                  text={"field": "lines", "type": "nominal"}, tooltip=tooltip))
    return line + text
