"""Data: what came in, what was rejected and why, and what needs a person."""

from __future__ import annotations

import streamlit as st

import ui
from lib.ingest import editing
from lib import exports
from lib.core.errors import ReturnToSpeedError
from lib.ingest.importer import dismiss_suggestion, merge_athlete, undo_import
from lib.core.schema import INJURY_SIDES, REGIONS
from lib.ingest.template import template_markdown, template_workbook
from lib.core.text import md
from lib.views import data as views

ui.require_frame()
names, key = ui.names(), ui.pseudonym_key()  # a names choice reaches file names, rejects and reports too
imports, rejects, suggestions = views.with_names(ui.engine(), names, key, ui.imports(), ui.rejects(),
                                                 views.open_suggestions(ui.engine()))
Col = st.column_config
# what the downloads use, captured now: Streamlit builds them later in a thread without this session
data, board, cfg, on, squad = ui.data(), ui.board(), ui.team_settings(), ui.as_of(), ui.squad()


def undo(import_id: int) -> None:
    try:
        removed = undo_import(ui.engine(), import_id, who=ui.who(), role=ui.role())
        st.toast(f"Import #{import_id} undone: {sum(removed.values()):,} rows removed.", icon=":material/undo:")
    except ReturnToSpeedError as exc:
        st.toast(md(exc, quotes=True), icon=":material/error:")


def decide(match: dict[str, object], merge: bool) -> None:
    try:
        if merge:
            rows = merge_athlete(ui.engine(), str(match["athlete_id"]), str(match["suggested_id"]), who=ui.who())
            st.toast(f"{md(match['name'])} merged into {md(match['suggested_name'])}: {rows} rows moved.",
                     icon=":material/merge:")
        else:
            dismiss_suggestion(ui.engine(), int(match["suggestion_id"]), who=ui.who())
            st.toast(f"{md(match['name'])} kept as a separate athlete.", icon=":material/call_split:")
    except ReturnToSpeedError as exc:
        st.toast(md(exc, quotes=True), icon=":material/error:")


def save(table: str, edited: object, original: object) -> None:
    result = editing.save_edits(ui.engine(), table, edited, original, who=ui.who(), role=ui.role())
    if result.problems:
        st.error(f"**{result.summary()}:**\n\n" + "\n".join(f"- {md(p, quotes=True)}" for p in result.problems))
    elif result.saved:
        st.toast(result.summary(), icon=":material/check:")
        st.rerun()
    else:
        st.info("Nothing changed.")


st.title("Data")
st.caption("What came in, what was rejected and why, and what needs you. Every change made here is logged "
           "and can be undone from the import history.")
metrics = views.data_metrics(imports, suggestions)
for col, (label, value) in zip(st.columns(4), metrics.items()):
    col.metric(label, f"{value:,}", border=True)

st.download_button(
    "All tables and the board (XLSX)", icon=":material/table_view:", on_click="ignore",
    file_name=f"rts_data_{ui.as_of():%Y-%m-%d}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    data=ui.logged_download("all tables", lambda: exports.data_workbook(
        data, board=board, cfg=cfg, on=on, team=squad)))

history, rejected, matches, records, template = st.tabs([
    "Import history", f"Rejected rows ({metrics['Rejected rows']})", f"Name matches ({metrics['Names to confirm']})",
    "Roster & injuries", "Template"])
with history:
    st.dataframe(views.import_history(imports), hide_index=True, width="stretch", column_config={
        "Import": Col.NumberColumn(format="#%d", width=60), "File": Col.TextColumn(width=205),
        "Format": Col.TextColumn(width=175), "When (UTC)": Col.DatetimeColumn(format="D MMM HH:mm", width=100),
        "Status": Col.TextColumn(width=65), "Rows": Col.NumberColumn(format="localized", width=65, help="Rows added"),
        "Replaced": Col.NumberColumn(format="localized", width=70, help="Rows this import replaced"),
        "Rejected": Col.NumberColumn(width=70, help="Rows with a rejected value (Rejected rows tab)")})
    reports = views.report_choices(imports)
    if reports:
        shown = st.selectbox("Import report", list(reports), format_func=reports.get, key="report_pick",
                             help="What was recognised, added and replaced, every assumption (units, date order, "
                                  "encoding) and the columns not imported. Newest first.")
        with st.container(border=True):
            st.markdown(views.report_markdown(views.report_with_names(ui.engine(), ui.import_report(shown), names, key)))
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
        st.dataframe(views.rejects_table(rejects), hide_index=True, width="stretch", column_config={
            "Import": Col.NumberColumn(format="#%d", width="small"), "Row": Col.NumberColumn(width="small"),
            "Problem": Col.TextColumn(width="large")})
        st.download_button("Download rejected rows (CSV)", ui.logged_download("rejects", lambda: views.rejects_csv(rejects),
                                                                               len(rejects)),
                           file_name=views.REJECTS_FILE, mime="text/csv", icon=":material/download:", on_click="ignore")

with matches:
    found = views.name_matches(suggestions, imports, ui.data())
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
    st.caption("Merging moves the rows onto the roster athlete and remembers this spelling, so the next file "
               "matches by itself. Nothing is merged without you.")

with records:
    st.caption("Edit a cell, add or delete rows, then Save: the change is stored as a 'manual edit' import.")
    options = views.athlete_options(ui.table("athletes"))
    injuries = ui.cached(editing.editor_frame, "injuries")
    st.markdown("**Injury records**")
    if ui.can("edit_injuries"):
        edited = st.data_editor(injuries, key=f"edit_injuries_{ui.version()}", num_rows="dynamic", hide_index=True,
                                width="stretch", column_config={
            "athlete_id": Col.SelectboxColumn("Athlete", options=list(options), format_func=options.get, required=True,
                                              width=200),
            "injury_date": Col.DateColumn("Injury date", format="YYYY-MM-DD", required=True, width=105),
            "side": Col.SelectboxColumn("Side", options=INJURY_SIDES, required=True, width=70),
            "region": Col.SelectboxColumn("Region", options=REGIONS, required=True, width=105),
            "diagnosis": Col.TextColumn("Diagnosis", width=190),
            "cleared_date": Col.DateColumn("Cleared", format="YYYY-MM-DD", width=105,
                                           help="Cleared for full training; empty while in rehab")})
        if st.button("Save injury records", icon=":material/save:"):
            save("injuries", edited, injuries)
    else:
        st.dataframe(views.injury_records(injuries, options), hide_index=True, width="stretch")
        st.caption("Diagnoses are for medical staff; they edit the injury records.")
    roster = ui.cached(editing.editor_frame, "athletes")
    st.markdown("**Roster**")
    edited_roster = st.data_editor(roster, key=f"edit_roster_{ui.version()}", num_rows="dynamic", hide_index=True,
                                   width="stretch", column_config={
        "athlete_id": Col.TextColumn("Id", disabled=True, width="small", help="Made from the name for a new athlete"),
        "name": Col.TextColumn("Name", required=True), "position": Col.TextColumn("Position"),
        "squad": Col.TextColumn("Squad")})
    if st.button("Save roster", icon=":material/save:"):
        save("athletes", edited_roster, roster)

with template:
    st.download_button("Download our template (rts_template.xlsx)", template_workbook, file_name=views.TEMPLATE_FILE,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:", type="primary", on_click="ignore")
    st.markdown("For data no device exports (hand-measured hop tests, a roster with injuries, manual sessions, "
                "wellness answers): fill it in and upload it like any other file.")
    st.markdown(views.template_summary())
    with st.expander("Column reference: every sheet, column, unit and allowed value"):
        st.markdown(template_markdown())
