"""Settings: the team's thresholds with help and sources, the speed unit, and the rules that use them."""

from __future__ import annotations

import streamlit as st

import ui
from lib.store import settings as settings_lib
from lib.core.rules import TIER_SOURCE
from lib.core.text import md
from lib.views import settings as views

ui.require_frame()
current = ui.team_settings()
version = ui.version()

st.title(f"Settings · {md(ui.squad())}")
st.caption("The thresholds behind every colour on the board, each with its source. Saved per team (pick the team "
           "in the sidebar); nothing changes until you press Save.")

top = st.columns([2, 1, 1], vertical_alignment="bottom")
unit = top[0].segmented_control(
    "Speed shown in", views.SPEED_UNITS, default=str(current["speed_unit"]), key=f"unit:{ui.team()}:{version}",
    help="Speeds are stored in m/s; km/h is shown and typed as km/h (x 3.6).") or str(current["speed_unit"])
editable = ui.can("edit_settings")  # medical staff and admins set the criteria; coaches read them
save = top[1].button("Save", type="primary", icon=":material/save:", width="stretch", disabled=not editable,
                     help=None if editable else "Thresholds are set by medical staff and admins")
with top[2].popover("Reset to defaults", icon=":material/restart_alt:", width="stretch", disabled=not editable):
    st.markdown(f"Every threshold of **{md(ui.squad())}** goes back to its default and source value.")
    reset = st.button("Yes, reset", type="primary", key="reset_confirm")

thresholds, rules = st.tabs(["Thresholds", "Rules and tier ladder"])
shown: dict[str, object] = {}
with thresholds:
    for i, (group, rows) in enumerate(views.settings_groups(current, unit)):
        changed = sum(bool(r["changed"]) for r in rows)
        with st.expander(f"**{group}** · {len(rows)} setting{'s' if len(rows) != 1 else ''}"
                         + (f" · {changed} changed" if changed else ""), expanded=i == 0):
            for row in rows:
                left, right = st.columns([1, 2], vertical_alignment="center")
                key = f"set:{ui.team()}:{unit}:{version}:{row['name']}"
                name = f"{row['label']}" + (f" ({row['unit']})" if row["unit"] else "")
                if row["choices"]:
                    shown[row["name"]] = left.selectbox(name, row["choices"], index=row["choices"].index(row["value"]),
                                                        key=key)
                else:
                    shown[row["name"]] = left.number_input(name, value=float(row["value"]), min_value=0.0,
                                                           step=row["step"], format=row["format"], key=key)
                right.caption(views.setting_caption(row))

with rules:
    st.markdown("**The velocity ladder.** An athlete moves up a tier when every criterion of the next tier holds, "
                "and steps back one tier on a regression. The criteria use this team's thresholds.")
    st.table(views.tier_table(current, unit), border="horizontal")
    st.caption(f"Source: {TIER_SOURCE}.")
    st.markdown("**The rules.** Each compares one fact about an athlete with a threshold: ▼ step back and "
                "■ hold change the colour, ✓ criteria gate the tiers above, ○ context is shown but changes "
                "nothing.")
    st.table(views.rules_table(current, unit), border="horizontal")
    with st.expander("Rule ids, facts and settings (to change a rule with your sports scientist)"):
        st.dataframe(views.rules_reference(current), hide_index=True, width="stretch", height="content")

if save:
    changes = views.changed_values(shown, current, unit)
    if changes:
        settings_lib.save(ui.engine(), changes, ui.team(), who=ui.who(), role=ui.role())
        st.toast(f"Saved {len(changes)} setting{'s' if len(changes) != 1 else ''} for {md(ui.squad())}.",
                 icon=":material/check:")
        st.rerun()
    st.toast("Nothing changed.", icon=":material/info:")
if reset:
    settings_lib.reset(ui.engine(), ui.team(), who=ui.who(), role=ui.role())
    st.toast(f"{md(ui.squad())}: every threshold back to its default.", icon=":material/restart_alt:")
    st.rerun()
