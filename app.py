"""Return to Speed: the frame, the router and the shared sidebar (uploader, demo label)."""

from __future__ import annotations

import hashlib

import streamlit as st

import ui

st.set_page_config(page_title="Return to Speed", page_icon=":material/sprint:", layout="wide")

pages = [
    st.Page("pages/data.py", title="Data", icon=":material/database:", default=True),
]

with st.sidebar:
    st.title("Return to Speed")
    ui.engine()
    if ui.demo_loaded():
        st.info("Demo team loaded (synthetic athletes). Upload your own files to start.", icon=":material/info:")
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
    for rep in ui.last_import():
        rejected = len({(p["sheet"], p["row"]) for p in rep["rejects"] if p["row"] is not None})
        added = sum(rep["added"].values())
        icon = ":material/error:" if rep["status"] == "failed" else ":material/check_circle:"
        st.caption(f"{icon} **{rep['file']}**: {rep['status']}, {added} rows added, {rejected} rows rejected")

st.navigation(pages).run()
