"""High-velocity exposure: HSR, sprint and near-max sessions per athlete and week, spikes flagged,
speed and acute:chronic on the date, and acute:chronic over time for one athlete."""

from __future__ import annotations

import streamlit as st

import ui
from lib.charts.exposure import acwr_chart, exposure_heatmap
from lib.metrics.exposure import ACWR_CAVEAT
from lib.core.text import md
from lib.views.exposure import (acwr_bands, athlete_choices, daily_acwr, default_athlete, definitions,
                                exposure_table, exposure_weeks, method_label, mss_exclusions, spike_notes)

ui.require_frame()
cfg = ui.team_settings()
on = ui.as_of()
unit = str(cfg["speed_unit"])
weeks = ui.cached(exposure_weeks, on, cfg, ui.squad())
table = ui.cached(exposure_table, on, cfg, ui.squad())

st.title(f"High-velocity exposure · {on:%d %b}")
if weeks.empty:
    st.info("No GPS sessions on record up to this date: upload STATSports, Catapult or Polar exports in the "
            "sidebar.")
    st.stop()

notes = spike_notes(table, weeks, cfg)
if notes:
    st.warning(f"**▲ Spikes** (descriptive, not predictive): {' · '.join(md(n) for n in notes)}", icon=":material/warning:")
else:
    st.success("No spikes: no acute:chronic at or above the spike line and no sudden weekly rise.",
               icon=":material/check_circle:")

st.caption("Darker = more · ▲ outlined = spike · ◌ = days missing · hover a cell for the numbers and source rows")
for tab, load in zip(st.tabs(["HSR (m)", "Sprint (m)", "Near-max sessions"]), ("hsr", "sprint", "near_max")):
    with tab:
        st.vega_lite_chart(spec=ui.chart(exposure_heatmap, weeks, load, unit), width="stretch")
st.caption(f"{md(ui.squad())} · {definitions(cfg)} **Descriptive, not predictive:** {ACWR_CAVEAT}")

st.subheader(f"Speed and acute:chronic on {on:%d %b %Y}")
speed_fmt = "%.1f" if unit == "km/h" else "%.2f"
ratio_help = (f"Highest daily acute:chronic of the last 7 days ({method_label(cfg)}): "
              f"▽ < {cfg.num('acwr_low'):g} under-loaded · ● typical · △ ≥ {cfg.num('acwr_high'):g} high · "
              f"▲ ≥ {cfg.num('acwr_spike'):g} spike (Gabbett 2016). Descriptive, not predictive.")
pre_help = ("% of pre-injury: chronic weekly load (last 28 days) as % of the 28 days before the injury; "
            "returning athletes only")
st.dataframe(
    table, hide_index=True, width="stretch",
    column_order=["Athlete", "MSS", "MSS age", "Since near-max", "Days on record", "A:C HSR", "A:C sprint",
                  "HSR % pre-injury", "Sprint % pre-injury"],
    column_config={
        "Athlete": st.column_config.TextColumn(width=158, help="(rehab): returning from an active injury"),
        "MSS": st.column_config.NumberColumn(f"MSS {unit}", format=speed_fmt, width=62,
                                             help="Maximal sprint speed: highest session max speed on record"),
        "MSS age": st.column_config.TextColumn(width=62, help=(
            f"Days since the MSS was set; ⚠ stale after {cfg.num('mss_max_age'):.0f} d (re-test every 6-8 weeks)")),
        "Since near-max": st.column_config.NumberColumn(
            f"≥{cfg.num('near_max_pct'):.0f}%", format="%d d", width=62,
            help=f"Days since the last session at ≥ {cfg.num('near_max_pct'):.0f}% of MSS (Malone 2017: healthy "
                 "athletes at least once per 7 days)"),
        "Days on record": st.column_config.TextColumn("GPS days", width=60, help=(
            f"Days of the last 28 with GPS on record (sessions and short rest gaps); ⚠ below "
            f"{cfg.num('coverage_days'):.0f}: the ratios say 'not enough data'")),
        "A:C HSR": st.column_config.TextColumn(width=130, help=ratio_help),
        "A:C sprint": st.column_config.TextColumn(width=130, help=ratio_help),
        "HSR % pre-injury": st.column_config.ProgressColumn("HSR pre", format="%.0f%%", min_value=0,
                                                            max_value=100, width=72, help=pre_help),
        "Sprint % pre-injury": st.column_config.ProgressColumn("Sprint pre", format="%.0f%%", min_value=0,
                                                               max_value=100, width=72, help=pre_help),
    },
)

excluded = ui.cached(mss_exclusions, on, cfg, ui.squad())
if len(excluded):
    with st.expander(f"{len(excluded)} max speed(s) excluded from MSS as artefacts"):
        st.dataframe(excluded, hide_index=True, width="stretch")
st.subheader("Acute:chronic over time")
choices = athlete_choices(table)
ids = list(choices)
start = default_athlete(table, ui.selected_athlete())
index = ids.index(start) if start in ids else 0
athlete = st.selectbox("Athlete", ids, index=index, format_func=choices.get)
if athlete != ids[index]:  # the coach chose: other pages open on this athlete too
    ui.select_athlete(athlete)
daily = ui.cached(daily_acwr, on, cfg, ui.squad(), athlete)
st.vega_lite_chart(spec=ui.chart(acwr_chart, daily, acwr_bands(cfg), method_label(cfg, short=True)), width="stretch")
st.caption(f"{method_label(cfg)}: daily ratio on daily sums of HSR and sprint metres; blank where fewer than "
           f"{cfg.num('coverage_days'):.0f} of the 28 days are on record. {ACWR_CAVEAT}")
