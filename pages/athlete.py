"""Athlete: is the injured limb catching up, and what stops them moving up a tier?"""

from __future__ import annotations

import streamlit as st

import mss_panel
import ui
import widgets
from lib import privacy, reports
from lib.charts import athlete as charts
from lib.core.text import md
from lib.views import athlete as view

TAB = "athlete_tab"  # the open tab, kept across reruns and athletes

ui.require_frame()
data, board, cfg, as_of = ui.data(), ui.board(), ui.team_settings(), ui.as_of()
choices = ui.derived(view.athlete_choices, board)
head_col, pick_col = st.columns([3, 2], vertical_alignment="bottom")
aid = pick_col.selectbox("Athlete", list(choices), index=view.choice_index(choices, ui.selected_athlete()),
                         format_func=choices.get, key=ui.widget_key(ui.ATHLETE), on_change=ui.keep, args=(ui.ATHLETE,),
                         help="Returning athletes first; a row clicked on the board opens here.")
ui.select_athlete(aid)  # the first athlete shown counts as selected for the other pages
row = view.board_row(board, aid)
head = view.athlete_header(row, data.injuries)
head_col.title(md(head["name"]))
st.caption(f"{md(head['injury'])} · as of {as_of:%a %d %b %Y}")
full_names = ui.names() == "full"  # pseudonymised: notes are withheld, on screen and in the report
see_notes = ui.can("see_notes")  # medical staff and admins; lib.privacy refuses the notes to anyone else
engine, role, squad = ui.engine(), ui.role(), ui.squad()


def athlete_notes() -> object:
    """The notes for the screen and the report (None when withheld); safe in a download's worker
    thread: it only uses values captured while the page ran."""
    return privacy.notes_for(engine, aid, role) if full_names and see_notes else None


reports.start_chart_process()  # once per server: the report's first chart need not wait for vl-convert's start
st.download_button(
    "Return-to-speed report (PDF)", icon=":material/picture_as_pdf:", file_name=f"rts_{aid}_{as_of:%Y-%m-%d}.pdf",
    mime="application/pdf", on_click="ignore", data=ui.logged_download(
        f"athlete report {aid}", lambda: reports.athlete_pdf(data, aid, as_of, cfg, athlete_notes(), squad,
                                                             board=board)))

widgets.athlete_tiles(head)

history = ui.cached(view.lsi_history, aid, as_of, cfg)
st.markdown(view.catch_up_line(ui.derived(view.catch_up, history, as_of, cfg), row))
st.markdown(view.reason_lines(row, gates=False))
widgets.checklist(row, ui.meeting_mode())

# only the open tab runs (and builds its charts): a rerun costs one tab, not five
sym, force, pain, expo, timeline_tab = st.tabs(view.TABS, key=TAB, on_change="rerun")
with sym:
    if sym.open:
        st.caption(view.SYMMETRY_NOTE)
        limbs = ui.derived(view.limb_history, history)
        tests = view.lsi_tests(history, row["region"])
        if not tests:
            st.info(view.NO_LSI_NOTE, icon=":material/info:")
        for test in tests:
            left, right = st.columns(2)
            left.vega_lite_chart(spec=ui.chart(charts.lsi_chart, history, test), width="stretch")
            right.vega_lite_chart(spec=ui.chart(charts.limb_chart, limbs, test), width="stretch")
with force:
    if force.open:
        cmj, nordic = ui.cached(view.cmj_history, aid, as_of, cfg), ui.cached(view.nordic_history, aid, as_of)
        st.caption(view.FORCE_NOTE)
        widgets.chart_grid([ui.chart(charts.cmj_height_chart, cmj, cfg), ui.chart(charts.cmj_asymmetry_chart, cmj, cfg),
                            ui.chart(charts.nordic_force_chart, nordic, cfg),
                            ui.chart(charts.nordic_imbalance_chart, nordic, cfg)])
with pain:
    if pain.open:
        pain_days = ui.cached(view.pain_history, aid, as_of)
        st.vega_lite_chart(spec=ui.chart(charts.pain_chart, pain_days, cfg), width="stretch")
        st.vega_lite_chart(spec=ui.chart(charts.wellness_chart, ui.cached(view.wellness_history, aid, as_of, cfg), cfg))
with expo:
    if expo.open:
        summary = ui.cached(view.exposure_summary, aid, as_of, cfg)
        widgets.metric_tiles(view.exposure_metrics(summary), 3)
        weeks = ui.cached(view.exposure_history, aid, as_of, cfg)
        widgets.chart_grid([ui.chart(charts.exposure_chart, weeks, summary, cfg), ui.chart(charts.top_speed_chart, weeks, cfg)])
        st.caption(view.exposure_note(summary))
        mss_panel.mss_panel(st, aid, as_of, cfg)  # the MSS, its sessions, staff confirm / set aside
with timeline_tab:
    if timeline_tab.open:
        timeline = view.tier_timeline(data, aid, row, as_of)
        st.vega_lite_chart(spec=ui.chart(charts.tier_chart, timeline), width="stretch")
        st.dataframe(timeline, hide_index=True, width="stretch", column_order=view.TIMELINE_ORDER,
                     row_height=view.TIMELINE_ROW_PX, height="content", column_config=widgets.columns(view.TIMELINE_COLUMNS))
        note_col, tier_col = st.columns(2)
        note_col.markdown(view.notes_markdown(athlete_notes(), see_notes))
        if see_notes and not ui.meeting_mode():
            widgets.note_form(note_col, widgets.save_note, aid, as_of)
        if row["returning"] and not ui.meeting_mode() and ui.can("record_tier"):
            widgets.tier_form(tier_col, widgets.save_tier, row, as_of)
