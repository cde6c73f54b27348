"""Data: import history, rejected rows with reasons, and the canonical tables."""

from __future__ import annotations

import streamlit as st

import ui

st.header("Data")
st.caption("Every import, every rejected row with its reason, and the canonical tables.")

history = ui.imports()
st.subheader("Import history")
st.dataframe(history, hide_index=True, width="stretch")

st.subheader("Rejected rows and cells")
rejects = ui.rejects()
if rejects.empty:
    st.success("No rejected rows.")
else:
    st.dataframe(rejects, hide_index=True, width="stretch")

st.subheader("Canonical tables")
tabs = st.tabs(["athletes", "injuries", "tests", "sessions", "wellness"])
for tab, name in zip(tabs, ["athletes", "injuries", "tests", "sessions", "wellness"]):
    with tab:
        df = ui.table(name)
        st.caption(f"{len(df):,} rows")
        st.dataframe(df.head(1000), hide_index=True, width="stretch")
