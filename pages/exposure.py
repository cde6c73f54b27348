"""High-velocity exposure: HSR, sprint and near-max sessions per athlete and week, spikes flagged,
speed and acute:chronic on the date, and acute:chronic over time for one athlete."""

from __future__ import annotations

import streamlit as st

import ui
import widgets
from lib.charts.exposure import acwr_chart, exposure_heatmap
from lib.metrics.exposure import ACWR_CAVEAT
from lib.core.text import md
from lib.views import choice_index
from lib.views.exposure import (TABLE_ORDER, acwr_bands, athlete_choices, daily_acwr, default_athlete, definitions,
                                exposure_overview, method_label, ratio_note, table_columns)

ui.require_frame()
cfg = ui.team_settings()
as_of = ui.as_of()
unit = str(cfg["speed_unit"])
overview = ui.cached(exposure_overview, as_of, cfg, ui.squad())  # weeks, table, notes, exclusions: one pass
weeks, table = overview.weeks, overview.table

st.title(f"High-velocity exposure · {as_of:%d %b}")
if weeks.empty:
    st.info("No GPS sessions on record up to this date: upload STATSports, Catapult or Polar exports in the "
            "sidebar.")
    st.stop()

notes = overview.notes
if notes:
    st.warning(f"**▲ Spikes** (descriptive, not predictive): {' · '.join(md(n) for n in notes)}", icon=":material/warning:")
else:
    st.success(f"No spikes in the 7 days up to {as_of:%d %b}: no acute:chronic at or above the spike line and no "
               "sudden weekly rise.",
               icon=":material/check_circle:")

st.caption("Darker = more · ▲ outlined = spike · ◌ = days missing · hover a cell for the numbers and source rows")
for tab, load in zip(st.tabs(["HSR (m)", "Sprint (m)", "Near-max sessions"]), ("hsr", "sprint", "near_max")):
    with tab:
        st.vega_lite_chart(spec=ui.chart(exposure_heatmap, weeks, load, unit), width="stretch")
st.caption(f"{md(ui.squad())} · {definitions(cfg)} **Descriptive, not predictive:** {ACWR_CAVEAT}")

st.subheader(f"Speed and acute:chronic on {as_of:%d %b %Y}")
st.dataframe(table, hide_index=True, width="stretch", column_order=TABLE_ORDER,
             column_config=widgets.columns(table_columns(cfg)))

excluded = overview.excluded
if len(excluded):
    with st.expander(f"{len(excluded)} max speed(s) excluded from MSS as artefacts"):
        st.dataframe(excluded, hide_index=True, width="stretch")
st.subheader("Acute:chronic over time")
choices = athlete_choices(table)
ids = list(choices)
index = choice_index(ids, default_athlete(table, ui.selected_athlete()))
athlete = st.selectbox("Athlete", ids, index=index, format_func=choices.get)
if athlete != ids[index]:  # the coach chose: other pages open on this athlete too
    ui.select_athlete(athlete)
daily = ui.cached(daily_acwr, as_of, cfg, ui.squad(), athlete)
st.vega_lite_chart(spec=ui.chart(acwr_chart, daily, acwr_bands(cfg), method_label(cfg, short=True)), width="stretch")
st.caption(ratio_note(cfg))
