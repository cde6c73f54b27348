"""The athlete page's MSS panel: lays out what lib.views.mss returns (the MSS and how it was
confirmed, the fastest sessions, and the medical staff's confirm / set-aside form)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

import ui
from lib.core.settings import Settings
from lib.core.text import md
from lib.views import mss as view


def save(engine: Any, athlete_id: str, day: dt.date, cfg: Settings, key: str | None, decision: str | None,
         reason: str | None) -> None:
    view.decide_mss(engine, athlete_id, day, cfg, key, decision, reason, ui.author(None), role=ui.role())


def mss_panel(where: Any, athlete_id: str, as_of: dt.date, cfg: Settings) -> None:
    """The MSS line, the fastest sessions with whether each counts, and (medical staff, admins; not
    in meeting mode) the form that confirms a session's max speed or sets it aside."""
    where.markdown(md(ui.cached(view.mss_line, athlete_id, as_of, cfg)))  # source file names are uploaded text
    table = ui.cached(view.mss_candidates, athlete_id, as_of, cfg)
    where.caption(view.PANEL_NOTE)
    if table.empty:
        return
    where.dataframe(table.drop(columns="key"), hide_index=True, width="stretch")
    if not ui.can("confirm_mss") or ui.meeting_mode():
        return
    labels = dict(zip(table["key"], table["Date"] + " · " + table.iloc[:, 2].map(str) + " · " + table["Counts"]))
    with where.form("mss_decision", clear_on_submit=True):
        st.markdown("**Confirm or set aside a max speed** (who and why are kept; audit-logged)")
        st.selectbox("Session", list(labels), format_func=labels.get, key=f"mss_key_{athlete_id}")
        st.radio("Decision", list(view.DECISION_WORDS), format_func=view.DECISION_WORDS.get, key="mss_decision")
        st.text_input("Why", key="mss_reason", required=True, placeholder="timing gates agree, GPS glitch")
        st.form_submit_button("Record MSS decision", icon=":material/speed:", on_click=ui.submit, args=(
            "mss", save, ui.engine(), athlete_id, as_of, cfg, (f"mss_key_{athlete_id}", "mss_decision", "mss_reason")))
    ui.show_problem("mss", where)
