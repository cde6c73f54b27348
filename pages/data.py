"""Data: what came in, what was rejected and why, and what needs a person."""

from __future__ import annotations

import streamlit as st

import ui
import widgets
import widgets_mapping
from lib import exports
from lib.core.text import md
from lib.ingest.template import template_markdown, template_workbook
from lib.views import data as views
from widgets import decide, undo

ui.require_frame()
names, key = ui.names(), ui.pseudonym_key()  # a names choice reaches file names, rejects and reports too
imports, rejects, suggestions = views.with_names(ui.engine(), names, key, ui.imports(), ui.rejects(),
                                                 views.open_suggestions(ui.engine()))
# what the downloads use, captured now: Streamlit builds them later in a thread without this session
data, board, cfg, as_of, squad = ui.data(), ui.board(), ui.team_settings(), ui.as_of(), ui.squad()


st.title("Data")
st.caption("What came in, what was rejected and why, and what needs you. Every change made here is logged "
           "and can be undone from the import history.")
metrics = views.data_metrics(imports, suggestions)
for col, (label, value) in zip(st.columns(4), metrics.items()):
    col.metric(label, f"{value:,}", border=True)

st.download_button(
    "All tables and the board (XLSX)", icon=":material/table_view:", on_click="ignore",
    file_name=f"rts_data_{as_of:%Y-%m-%d}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    data=ui.logged_download("all tables", lambda: exports.data_workbook(
        data, as_of, cfg, board=board, team=squad)))

tabs = views.data_tabs(metrics) + [widgets_mapping.TAB]
history, rejected, matches, records, template, formats = st.tabs(
    tabs, default=views.linked_tab(tabs, st.query_params.get("tab")), key=widgets_mapping.DATA_TABS, on_change="rerun")
with history:
    st.dataframe(views.import_history(imports), hide_index=True, width="stretch",
                 column_config=widgets.columns(views.HISTORY_COLUMNS))
    reports = views.report_choices(imports)
    if reports:
        ui.follow_newest("report_pick", next(iter(reports)))  # a new import shows its own report
        shown = st.selectbox("Import report", list(reports), format_func=reports.get, key="report_pick",
                             help="What was recognised, added and replaced, every assumption (units, date order, "
                                  "encoding) and the columns not imported. Newest first.")
        report = views.report_with_names(ui.engine(), ui.import_report(shown), names, key)
        with st.container(border=True):
            st.markdown(views.report_markdown(report))
            widgets_mapping.teach_offer(report)
    choices = views.undo_choices(imports)
    if choices:
        pick, confirm = st.columns([3, 1], vertical_alignment="bottom")
        chosen = pick.selectbox("Undo an import", list(choices), format_func=choices.get, key="undo_pick")
        with confirm.popover("Undo…", icon=":material/undo:", width="stretch"):
            st.warning(md(views.undo_warning(imports, chosen), quotes=True))
            st.button(f"Yes, undo import #{chosen}", type="primary", on_click=undo, args=(chosen,), key="undo_yes")

with rejected:
    if rejects.empty:
        st.success("No rejected rows: every row of every live import was read.", icon=":material/check_circle:")
    else:
        st.dataframe(views.rejects_table(rejects), hide_index=True, width="stretch",
                     column_config=widgets.columns(views.REJECTS_COLUMNS))
        st.download_button("Download rejected rows (CSV)", ui.logged_download("rejects", lambda: views.rejects_csv(rejects),
                                                                               len(rejects)),
                           file_name=views.REJECTS_FILE, mime="text/csv", icon=":material/download:", on_click="ignore")

with matches:
    found = views.name_matches(suggestions, imports, data)
    if not found:
        st.success("No names to confirm: every name matched the roster or has been decided.",
                   icon=":material/check_circle:")
    for m in found:
        with st.container(border=True):
            st.markdown(views.match_sentence(m))
            left, right, _ = st.columns([1, 1, 1])
            left.button(f"Merge into {md(m['suggested_name'])}", key=f"merge_{m['suggestion_id']}", type="primary",
                        icon=":material/merge:", on_click=decide, args=(m, True), width="stretch")
            right.button("Keep separate", key=f"keep_{m['suggestion_id']}", icon=":material/call_split:",
                         on_click=decide, args=(m, False), width="stretch")
    st.caption(views.MATCHES_NOTE)

with records:
    widgets.record_editors(ui.can("edit_injuries"))

with template:
    st.download_button("Download our template (rts_template.xlsx)", template_workbook, file_name=views.TEMPLATE_FILE,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:", type="primary", on_click="ignore")
    st.markdown(views.TEMPLATE_INTRO)
    st.markdown(views.template_summary())
    with st.expander("Column reference: every sheet, column, unit and allowed value"):
        st.markdown(template_markdown())

with formats:
    widgets_mapping.mapping_tab()
