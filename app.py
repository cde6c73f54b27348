"""Return to Speed: the frame, the router and the shared sidebar (team, date, uploader)."""

from __future__ import annotations

import hashlib

import streamlit as st

import ui
from lib.views import squads

st.set_page_config(page_title="Return to Speed", page_icon=":material/sprint:", layout="wide")

PAGES = {
    "board": st.Page("pages/board.py", title="Readiness board", icon=":material/traffic:", default=True),
    "athlete": st.Page("pages/athlete.py", title="Athlete", icon=":material/person:"),
    "hops": st.Page("pages/hops.py", title="Hop tests", icon=":material/directions_run:"),
    "exposure": st.Page("pages/exposure.py", title="High-velocity exposure", icon=":material/speed:"),
    "data": st.Page("pages/data.py", title="Data", icon=":material/database:"),
    "settings": st.Page("pages/settings.py", title="Settings", icon=":material/tune:"),
}

with st.sidebar:
    ui.engine()
    st.toggle("Meeting mode", key=ui.MEETING, help="Hide the uploader and enlarge the board for screen-sharing.")
    st.selectbox("Team", squads(ui.data()), key=ui.SQUAD)
    ui.as_of()  # sets the default (the demo's testing day) before the widget reads it
    st.date_input("As of", key=ui.AS_OF, format="YYYY-MM-DD",
                  help="The board and every page show the state on this date.")
    if ui.demo_loaded():
        st.info("**Demo team**: synthetic athletes. Upload your own files to start.", icon=":material/science:")
    if not ui.meeting_mode():
        uploads = st.file_uploader(
            "Upload testing-day files", accept_multiple_files=True,
            type=["csv", "txt", "xlsx", "xlsm", "xls", "ods"], key="uploader",
            help="Force plates, hop tests, GPS, wellness, roster: the format is recognised for you.",
        )
        fresh = []
        for f in uploads or []:
            data = f.getvalue()
            digest = hashlib.sha256(data).hexdigest()
            if digest not in ui.seen_uploads():
                ui.seen_uploads().append(digest)
                fresh.append((f.name, data))
        if fresh:
            ui.import_uploads(fresh)
        reports = ui.last_import()
        if reports:
            st.markdown("**Last upload**")
            for rep in reports:
                rejected = len({(p["sheet"], p["row"]) for p in rep["rejects"] if p["row"] is not None})
                added = sum(rep["added"].values())
                icon = ":material/error:" if rep["status"] == "failed" else ":material/check_circle:"
                st.markdown(f"{icon} **{rep['file']}**: {rep['status']}, {added} rows added, {rejected} rows rejected")
            st.page_link(PAGES["data"], label="See the import report", icon=":material/arrow_forward:")

st.navigation(list(PAGES.values())).run()
