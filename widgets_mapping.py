"""The Data page's "Teach a format" tab: upload a sheet, say what each column is, see the rows it
gives, save the profile (and import the file). Layout only: what it shows comes from
lib.views.profiles, the checks and the store from lib.ingest.profiles."""

from __future__ import annotations

import streamlit as st

import ui
import widgets
from lib.core.errors import ReturnToSpeedError
from lib.core.text import md
from lib.ingest import profiles
from lib.views import data as data_views
from lib.views import profiles as views

TAB = views.TAB  # the Data page's tab
DATA_TABS = "data_tab"  # the Data page's tabs (stateful, so that an offer in a report can open this one)
SIDEBAR_UPLOADER = "uploader"  # app.py's uploader: the files of the last upload, still in it
UPLOAD = "mapping_upload"  # the sheet to teach
FROM_UPLOAD = "mapping_from_upload"  # a file of the last upload picked to teach
WANTED = "mapping_wanted"  # (file, sheet) an import report's offer asked to teach
SHARED = "mapping_shared"  # a profile file from another club
PICK = "mapping_profile_pick"
SHARED_PROBLEM = "mapping_shared__problem"  # why the shared profile file was refused (shown once)


def teach_offer(report: dict[str, object]) -> None:
    """Under an import report: the offer to map a sheet it read in part or did not recognise."""
    offers = data_views.sheets_to_teach(report)
    if offers:
        st.button(f"Teach this format ({md(offers[0]['file'])})", icon=":material/school:", key="teach_from_report",
                  on_click=_open_tab, args=(str(offers[0]["file"]), str(offers[0]["sheet"])),
                  help="Opens the Teach a format tab on this file, when it is still in the uploader")


def _open_tab(file: str, sheet: str) -> None:
    """on_click of the offer: open this tab on the report's file and sheet (when still uploaded)."""
    st.session_state[DATA_TABS] = TAB
    st.session_state[WANTED] = (file, sheet)
    if file in _last_upload():
        st.session_state[FROM_UPLOAD] = file


def _last_upload() -> dict[str, bytes]:
    """The files still in the sidebar's uploader that its last import read in part or not at all."""
    offered = data_views.teach_choices(ui.last_import())
    files = {f.name: f.getvalue() for f in st.session_state.get(SIDEBAR_UPLOADER) or []}
    return {name: files[name] for name in offered if name in files}


def mapping_tab() -> None:
    """The whole tab: the mapping step for an uploaded sheet (or one of the last upload that was not
    read in full, preselected), then the club's stored profiles."""
    st.caption(views.INTRO)
    upload = st.file_uploader("A sheet to teach", type=views.UPLOAD_TYPES, key=UPLOAD,
                              help="A file the uploader could not read, or read only in part")
    wanted = st.session_state.get(WANTED)
    pending = _last_upload() if upload is None else {}
    if upload is not None:
        _step(upload.getvalue(), upload.name)
    elif pending:
        choices = data_views.teach_choices(ui.last_import())
        pick = st.selectbox("Or a file of the last upload, not read in full", list(pending), key=FROM_UPLOAD,
                            format_func=choices.get)
        _step(pending[pick], pick, wanted[1] if wanted and wanted[0] == pick else
              data_views.first_sheet_to_teach(ui.last_import(), pick))
    _stored()


def _step(data: bytes, name: str, sheet_wanted: str | None = None) -> None:
    try:
        first = views.mapping_step(ui.engine(), data, name, sheet_wanted)
        at = first.sheets.index(first.sheet)
        sheet = st.selectbox("Sheet", first.sheets, index=at, key=f"mapping_sheet:{first.key}") if len(first.sheets) > 1 \
            else None
        row = st.number_input("Header row", min_value=1, step=1, value=first.header_row, key=f"mapping_row:{first.key}",
                              help="The row of the sheet that holds the column headers (rows above it are skipped)")
        step = views.mapping_step(ui.engine(), data, name, sheet, int(row))
    except ReturnToSpeedError as exc:
        st.error(md(exc, quotes=True), icon=":material/error:")
        return
    st.markdown(f"**{md(name)}**" + (f", sheet **{md(step.sheet)}**" if step.sheet else "") + f": {md(step.recognised)}")
    if step.unread:
        st.caption("Not read by it: " + ", ".join(f"`{md(c)}`" for c in step.unread))
    if step.matched:
        st.info(f"A stored profile already reads sheets of this shape: {md(step.matched)}. Uploading the file "
                "imports it with that profile.", icon=":material/info:")
    st.dataframe(step.preview, width="stretch")
    st.markdown("**What each column is** (the product's guess: change what is wrong)")
    edited = st.data_editor(step.columns, key=f"mapping_editor:{step.key}", hide_index=True, width="stretch",
                            num_rows="fixed", column_config=widgets.columns(views.editor_columns()))
    profile_name = st.text_input("Profile name", value=step.name, key=f"mapping_name:{step.key}", max_chars=80)
    result = views.mapping_result(step, edited, profile_name)
    if result.problems:
        st.warning("**Not ready to save:**\n\n" + "\n".join(f"- {md(p, quotes=True)}" for p in result.problems),
                   icon=":material/edit:")
    else:
        st.markdown(f"**The rows it gives** (nothing is stored yet): {md(result.counts)}")
        for table, frame in result.tables.items():
            st.caption(table)
            st.dataframe(frame, hide_index=True, width="stretch")
        if len(result.rejects):
            st.caption("rejected")
            st.dataframe(result.rejects, hide_index=True, width="stretch")
    st.button("Save the profile and import this file", type="primary", icon=":material/save:", key="mapping_save",
              disabled=not (result.ready and ui.can("teach_format")), on_click=_save, args=(result.profile, name, data))


def _save(profile: profiles.Profile, name: str, data: bytes) -> None:
    """on_click of Save: store the profile, then import the file with it."""
    try:
        saved = profiles.save_profile(ui.engine(), profile, ui.who(), ui.role() or "")
    except ReturnToSpeedError as exc:
        st.toast(md(exc, quotes=True), icon=":material/error:")
        return
    report = ui.import_uploads([(name, data)])[0]
    st.toast(f"{md(saved.line)} saved. {md(name)}: {md(report.status)}"
             + (f" ({md(report.message)})" if report.message else ""), icon=":material/check:")


def _stored() -> None:
    st.markdown("**This club's format profiles**")
    table = views.stored_table(ui.engine())
    if table.empty:
        st.caption("None yet: the sheets a person teaches here are listed, to download and share.")
    else:
        st.dataframe(table, hide_index=True, width="stretch")
        pick = st.selectbox("Profile", table["Profile"].tolist(), key=PICK)
        left, right = st.columns(2)
        left.download_button("Download the profile (JSON)", views.profile_file(ui.engine(), pick),
                             file_name=views.profile_file_name(pick), mime="application/json",
                             icon=":material/download:", on_click="ignore", width="stretch")
        if ui.can("delete_format"):
            right.button("Delete the profile", icon=":material/delete:", key="mapping_delete", width="stretch",
                         on_click=_delete, args=(pick,), help="Rows it imported stay; the next file of its shape "
                                                              "is not recognised again")
    shared = st.file_uploader("A profile file from another club (JSON)", type=["json"], key=SHARED)
    if shared is not None:
        st.button("Store this profile", icon=":material/upload:", key="mapping_store_shared",
                  on_click=_store_shared, args=(shared.getvalue(), shared.name))
    problem = st.session_state.pop(SHARED_PROBLEM, None)
    if problem:
        st.error(f"Not stored, nothing changed: {md(problem, quotes=True)}", icon=":material/error:")


def _delete(name: str) -> None:
    try:
        profiles.delete_profile(ui.engine(), name, ui.who(), ui.role() or "")
        st.toast(f"Format profile '{md(name)}' deleted; the rows it imported stay.", icon=":material/delete:")
    except ReturnToSpeedError as exc:
        st.toast(md(exc, quotes=True), icon=":material/error:")


def _store_shared(data: bytes, name: str) -> None:
    try:
        saved = profiles.save_profile(ui.engine(), profiles.parse_profile(data, name), ui.who(), ui.role() or "")
        st.toast(f"{md(saved.line)} stored.", icon=":material/check:")
    except ReturnToSpeedError as exc:
        st.session_state[SHARED_PROBLEM] = str(exc)
