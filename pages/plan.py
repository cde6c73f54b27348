"""Plan: next week's high-velocity exposure for each returning athlete, edited and saved, then held
against the GPS."""

from __future__ import annotations

import streamlit as st

import ui
from lib.privacy.plans import save_plan
from lib.readiness import plan as plan_lib
from lib.reports import plan as plan_report
from lib.charts.plan import plan_weeks_chart
from lib.core.text import md
from lib.views import plan as view

ui.require_frame()
cfg, as_of, squad = ui.team_settings(), ui.as_of(), ui.squad()
weeks = view.week_choices(as_of)
head, pick_week = st.columns([3, 2], vertical_alignment="bottom")
week = pick_week.selectbox("Week", list(weeks), index=1, format_func=weeks.get, key="plan_week")
with st.spinner("Planning the returning athletes' week..."):
    plans = ui.plans(week)  # on the board's cached board
head.title(f"Weekly plan · {week}")
st.caption("HSR and sprint metres and sessions at or above 80/90/95% of each athlete's MSS, within the tier's speed cap, "
           f"+{cfg.num('plan_weekly_increment'):g}% a week towards the pre-injury level, never two high-velocity days "
           "in a row, and never a week the board would flag as a spike (acute:chronic ≤ "
           f"{cfg.num('acwr_high'):g}, EWMA). Edit any number, then save.")
if not plans:
    st.info("No returning athlete (an active injury on the roster) in this squad on this date.")
    st.stop()

st.dataframe(view.overview(plans), hide_index=True, width="stretch", column_order=view.OVERVIEW_SHOWN,
             column_config={"HSR m": st.column_config.NumberColumn(format="%.0f"),
                            "Sprint m": st.column_config.NumberColumn(format="%.0f")})
files = st.columns(2)
files[0].download_button("Plans of the rehab group (PDF)", icon=":material/picture_as_pdf:", on_click="ignore",
                         file_name=f"plans_{week}.pdf", mime="application/pdf",
                         data=ui.logged_download(f"plans {week}", lambda: plan_report.plans_pdf(plans, as_of, cfg, squad)))
files[1].download_button("Plans of the rehab group (CSV)", icon=":material/download:", on_click="ignore",
                         file_name=f"plans_{week}.csv", mime="text/csv",
                         data=ui.logged_download(f"plans {week}", lambda: plan_report.plans_csv(plans), len(plans) * 7))

choices = {p.athlete_id: p.name for p in plans}
ids = list(choices)
start = ui.selected_athlete() if ui.selected_athlete() in choices else ids[0]
aid = st.selectbox("Athlete", ids, index=ids.index(start), format_func=choices.get, key="plan_athlete")
p = view.find(plans, aid)
st.subheader(md(p.name))
for col, (label, (value, words)) in zip([*st.columns(3), *st.columns(3)], view.headline(p).items()):
    col.metric(label, value, border=True, help=md(words))
st.caption(md(view.tier_line(p, ui.can("record_tier"))) + f" **Sessions:** {md(view.suggestions(p))}")
mine = st.columns(2)
mine[0].download_button(f"{md(p.name)}'s week (PDF)", icon=":material/picture_as_pdf:", on_click="ignore",
                        file_name=f"plan_{p.athlete_id}_{week}.pdf", mime="application/pdf",
                        data=ui.logged_download(f"plan {p.athlete_id} {week}",
                                                lambda: plan_report.plans_pdf([p], as_of, cfg, squad)))
mine[1].download_button(f"{md(p.name)}'s week (CSV)", icon=":material/download:", on_click="ignore",
                        file_name=f"plan_{p.athlete_id}_{week}.csv", mime="text/csv",
                        data=ui.logged_download(f"plan {p.athlete_id} {week}", lambda: plan_report.plans_csv([p]), 7))

st.markdown("**The days** (blank session = rest)" + (f" · saved by {md(p.saved['by'])}, {p.saved['at']}" if p.saved else
                                                       " · the engine's proposal"))
editable = ui.can("edit_plan")
edited = st.data_editor(view.editor_frame(p), hide_index=True, width="stretch", disabled=["Day"] if editable else True,
                        key=f"plan_edit:{':'.join(map(str, view.edit_key(p)))}:{ui.version()}",
                        column_config={"HSR m": st.column_config.NumberColumn(min_value=0, step=1, format="%.0f"),
                                       "Sprint m": st.column_config.NumberColumn(min_value=0, step=1, format="%.0f"),
                                       "Top % MSS": st.column_config.NumberColumn(min_value=0, max_value=100, step=1,
                                                                                  format="%.0f%%")})
days = view.edited_days(p, edited)
flags = plan_lib.check_days(p, days, cfg)
if flags:
    st.warning("**The board would flag this week:** " + " · ".join(md(f) for f in view.flag_lines(flags)),
               icon=":material/warning:")
else:
    st.success("Spike-safe: no flag the board would raise in this week.", icon=":material/check_circle:")
if st.button("Save plan", type="primary", icon=":material/save:", disabled=not editable):
    save_plan(ui.engine(), p.athlete_id, p.week, days, ui.role(), ui.who(), p.plan.tier, flags)
    st.toast(f"Plan of {md(p.name)} for {p.week} saved.", icon=":material/check:")
    st.rerun()

with st.expander("Why each number is what it is", expanded=False):
    st.markdown("\n".join(f"- {md(words)} · *{md(source)}*" for words, source in view.reason_lines(p)))
if p.actual is not None:
    st.markdown(f"**Against the GPS** (through {p.actual['through']})")
    for line in view.actual_lines(p, cfg):
        st.markdown(f"- {md(line)}")
    st.dataframe(view.actual_table(p), hide_index=True, width="stretch")

st.markdown("**Projected return**")
st.vega_lite_chart(spec=ui.chart(plan_weeks_chart, view.weekly_figures(p), view.load_lines(p, cfg)), width="stretch")
st.markdown("  \n".join(f"**{week}** · {md(event)}" for week, event in view.timeline_lines(p)) or "Not projected.")
st.caption("Assumes: " + "; ".join(md(a) for a in p.assumes) + ". It changes as real data arrive.")
