"""One chart style for the whole product: Altair builders that return `alt.Chart` objects.

Every chart states its units in axis titles and draws its thresholds (with the source in the
tooltip); colour is never the only carrier of meaning (status charts also use shapes/labels).
Charts get aggregated rows (per week, per test), never raw GPS rows.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from lib.core.status import STATUS_COLORS  # noqa: F401 - Okabe-Ito, colour-blind safe; charts.STATUS_COLORS for callers

SIDE_COLORS = {"left": "#0072B2", "right": "#CC79A7", "involved": "#D55E00", "uninvolved": "#0072B2"}
THRESHOLD_COLOR = "#444444"
FONT_SIZE = 14


def style(chart: alt.TopLevelMixin, height: int = 260) -> alt.TopLevelMixin:
    """The house style: readable when screen-shared (14 px labels), no chart border."""
    return (chart.properties(height=height)
            .configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)
            .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, orient="bottom")
            .configure_title(fontSize=FONT_SIZE + 2, anchor="start")
            .configure_view(strokeWidth=0))


def spec(chart: alt.TopLevelMixin) -> dict:
    """The chart as a Vega-Lite spec with its data inline, for `st.vega_lite_chart` (pages cache it
    through `ui.chart`, so a rerun sends it without building the chart again). Not re-validated
    against the schema here: the chart tests validate every builder's output."""
    with alt.data_transformers.disable_max_rows():  # charts get aggregated rows; a season may pass 5,000
        return chart.to_dict(validate=False)


def threshold_rule(value: float, label: str, source: str, axis: str = "y") -> alt.LayerChart:
    """A dashed threshold line with its label; the tooltip names the source."""
    data = pd.DataFrame({"value": [value], "label": [label], "source": [source]})
    enc = {axis: alt.Y("value:Q") if axis == "y" else alt.X("value:Q")}
    line = alt.Chart(data).mark_rule(strokeDash=[6, 4], color=THRESHOLD_COLOR, size=1.5).encode(
        **enc, tooltip=[alt.Tooltip("label:N", title="threshold"), alt.Tooltip("source:N", title="source")])
    text = alt.Chart(data).mark_text(align="left", dx=4, dy=-8, color=THRESHOLD_COLOR, fontSize=12).encode(
        **enc, text="label:N")
    return line + text
