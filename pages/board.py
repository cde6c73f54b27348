"""Readiness board: who runs fast this week, who holds, who steps back, and why."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
import widgets
from lib import exports, reports
from lib.metrics.exposure import ACWR_CAVEAT
from lib.core.text import md
from lib.views import (STATUSES, board_columns, board_counts, board_halves, board_order, board_row_height, board_table,
                       filter_board, pending_names, pending_note, positions, status_label, status_summary, status_tints)

ui.require_frame()
board, as_of = ui.board(), ui.as_of()
meeting = ui.meeting_mode()
cfg = ui.team_settings()  # the team's acute:chronic bands for the A:C column
pending = pending_names(board, ui.suggestions())  # new names waiting for a merge on the Data page

st.title(f"Readiness board · {as_of:%a %d %b %Y}")
if meeting:  # the projector: counts in one line, the whole squad below in two halves
    st.caption(f"{md(ui.squad())} · {status_summary(board)}. `4 → 1`: a proposal to confirm.")
else:
    st.caption(f"{md(ui.squad())} · {status_summary(board)}. Every colour lists its reasons; thresholds and "
               f"sources are on the Settings page. Tiers are the recorded ones; `4 → 1` is a proposal waiting for "
               f"a medical user to confirm it. A:C HSR is context, never a reason by itself: {ACWR_CAVEAT}")

if not meeting:
    counts = board_counts(board)
    for col, status in zip(st.columns(4), STATUSES):
        col.metric(status_label(status), counts[status], border=True)

if not meeting:
    f1, f2, f3 = st.columns([2, 2, 1.3], vertical_alignment="bottom")
    positions = f1.multiselect("Position", positions(board), placeholder="All positions")
    statuses = f2.multiselect("Status", STATUSES, format_func=status_label, placeholder="All statuses")
    returning = f3.toggle("Returning only", help="Only athletes returning from an active injury")
else:
    positions, statuses, returning = [], [], False

shown = filter_board(board, ui.squad(), positions, statuses, returning, returning_first=meeting and ui.returning_first())


def board_grid(rows: pd.DataFrame, key: str) -> None:
    """One board grid; a selected row opens the athlete."""
    table = board_table(rows, cfg, reasons=2 if not meeting else 1, pending=pending)
    styled = table.style.apply(lambda _col: status_tints(rows["status"]), subset=["Status"])
    event = st.dataframe(styled, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key=key, row_height=board_row_height(table["Reasons"], meeting), height="content",  # no inner scroll bar
                         column_order=board_order(meeting), column_config=widgets.columns(board_columns(meeting)))
    if event.selection.rows:
        ui.select_athlete(str(rows.iloc[event.selection.rows[0]]["athlete_id"]))
        st.switch_page("pages/athlete.py")


if pending and not meeting:
    note, link = st.columns([3, 1], vertical_alignment="center")
    note.markdown(pending_note(board, pending))
    link.page_link("pages/data.py", label="Confirm on the Data page", icon=":material/merge:",
                   query_params={"tab": "matches"})
if meeting:  # two halves side by side: 25-30 rows fit a 1280x720 projector without scrolling
    for col, rows, key in zip(st.columns(2), board_halves(shown), ("board_left", "board_right")):
        with col:
            board_grid(rows, key)
else:
    board_grid(shown, "board_table")
st.caption("Select a row to open the athlete's page.")

data, team = ui.data(), ui.squad()  # captured now: the PDF is built later, in a worker thread, from the board above
pdf_col, csv_col, _ = st.columns([1, 1, 2])
pdf_col.download_button(
    "Board report (PDF)", icon=":material/picture_as_pdf:", file_name=f"rts_board_{as_of:%Y-%m-%d}.pdf",
    mime="application/pdf", on_click="ignore",
    data=ui.logged_download("board report", lambda: reports.board_pdf(data, as_of, cfg, team, board=board), len(board)))
csv_col.download_button(
    "Board (CSV)", icon=":material/download:", file_name=f"rts_board_{as_of:%Y-%m-%d}.csv", mime="text/csv",
    on_click="ignore", data=ui.logged_download("board", lambda: exports.board_csv(board), len(board)))
