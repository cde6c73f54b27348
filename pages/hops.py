"""Hop tests: the team's latest battery, then each athlete's LSI and left vs right over time."""

from __future__ import annotations

import streamlit as st

import ui
import widgets
from lib.charts.hops import lsi_history_chart, side_chart
from lib.core.text import md
from lib.views import choice_index
from lib.views.hops import (BATTERY_ORDER, SIDES_NOTE, TIMED_NOTE, athlete_choices, battery_columns, battery_counts,
                            battery_table, latest_batteries, lsi_history, pass_rule, side_history, side_panels)

ui.require_frame()
cfg = ui.team_settings()
as_of = ui.as_of()
pass_lsi, pass_label, pass_source = pass_rule(cfg)
latest = ui.cached(latest_batteries, as_of, cfg, ui.squad())

st.title(f"Hop tests · {as_of:%a %d %b %Y}")
if latest.empty:
    st.info("No hop tests on record up to this date: upload a hop-test sheet in the sidebar.")
    st.stop()

counts = battery_counts(latest, returning_only=True)
st.markdown(f"**Returning athletes, latest battery:** ✗ {counts['fail']} fail · "
            f"◐ {counts['incomplete']} incomplete · ✓ {counts['pass']} pass")
st.caption(f"{md(ui.squad())} · a test passes at LSI ≥ {pass_lsi:.0f}% (involved ÷ uninvolved limb, mean of trials; "
           f"{pass_source}); the battery passes when all four do. {TIMED_NOTE} Select a row for its history.")

table = battery_table(latest, cfg.num("stale_days"))
event = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                     key="hop_table", column_order=BATTERY_ORDER, column_config=widgets.columns(battery_columns(cfg)))

st.subheader("History per athlete")
choices = athlete_choices(latest)
ids = list(choices)
picked = str(table.iloc[event.selection.rows[0]]["athlete_id"]) if event.selection.rows else ui.selected_athlete()
index = choice_index(ids, picked)
athlete = st.selectbox("Athlete", ids, index=index, format_func=choices.get)
if athlete != ids[index] or event.selection.rows:  # the coach chose: other pages open on this athlete too
    ui.select_athlete(athlete)

lsi_tab, sides_tab = st.tabs(["LSI over time", "Left vs right"])
with lsi_tab:
    history = ui.cached(lsi_history, athlete, as_of, cfg)
    st.vega_lite_chart(spec=ui.chart(lsi_history_chart, history, pass_lsi, pass_label, pass_source), width="stretch")
    st.caption(f"Dashed line: pass at {pass_lsi:.0f}% ({pass_source}). {TIMED_NOTE} "
               "Hover a point for both sides, the involved limb as % of its pre-injury value, and the source rows.")
with sides_tab:
    panels = side_panels(ui.cached(side_history, athlete, as_of))
    for row in range(0, len(panels), 2):
        for col, (title, rows) in zip(st.columns(2), panels[row:row + 2]):
            col.vega_lite_chart(spec=ui.chart(side_chart, rows, title), width="stretch")
    st.caption(SIDES_NOTE)
