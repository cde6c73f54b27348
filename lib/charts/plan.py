"""The weekly plan's chart: weekly HSR done, planned and projected, the chronic HSR, and the
pre-injury level with its full-return share as threshold lines."""

from __future__ import annotations

import altair as alt
import pandas as pd

from lib.charts import style, threshold_rule

KIND_COLORS = {"done": "#0072B2", "this week": "#E69F00", "projected": "#BBBBBB"}
KIND_WORDS = {"done": "done (GPS)", "this week": "this plan", "projected": "projected"}


def plan_weeks_chart(weeks: pd.DataFrame, lines: pd.DataFrame) -> alt.TopLevelMixin:
    """Bars of weekly HSR (m/week) by ISO week, coloured and labelled by kind (done, this plan,
    projected), the chronic HSR (28 days, m/week) as a line, and the pre-injury lines."""
    rows = weeks.assign(kind_word=weeks["kind"].map(KIND_WORDS),
                        tier_text=["" if pd.isna(t) else f"tier {int(t)}" for t in weeks["tier"]])
    tooltip = [alt.Tooltip("week:N", title="ISO week"), alt.Tooltip("kind_word:N", title="week"),
               alt.Tooltip("hsr_m:Q", title="HSR (m/week)", format=",.0f"),
               alt.Tooltip("sprint_m:Q", title="sprint (m/week)", format=",.0f"),
               alt.Tooltip("chronic_hsr_m:Q", title="chronic HSR, 28 days (m/week)", format=",.0f"),
               alt.Tooltip("tier_text:N", title="projected tier")]
    x = alt.X("label:O", title="ISO week · Monday", sort=alt.EncodingSortField("week_start", op="min"),
              axis=alt.Axis(labelAngle=-45, labelOverlap=False))
    bars = alt.Chart(rows).mark_bar(opacity=0.9).encode(
        x=x, y=alt.Y("hsr_m:Q", title="HSR (m/week)", axis=alt.Axis(format=",.0f")),
        color=alt.Color("kind_word:N", title=None, sort=list(KIND_WORDS.values()),
                        scale=alt.Scale(domain=list(KIND_WORDS.values()), range=list(KIND_COLORS.values()))),
        tooltip=tooltip)
    labels = alt.Chart(rows).mark_text(dy=-6, fontSize=11, color="#1a1a1a").encode(
        x=x, y="hsr_m:Q", text=alt.Text("hsr_m:Q", format=".0f"))
    chronic = alt.Chart(rows).mark_line(point=True, color="#1a1a1a", strokeDash=[2, 2]).encode(
        x=x, y="chronic_hsr_m:Q", tooltip=tooltip)
    layers = [bars, labels, chronic]
    for line in lines.to_dict("records"):
        layers.append(threshold_rule(float(line["value"]), str(line["label"]), str(line["source"])))
    return style(alt.layer(*layers), height=300)
