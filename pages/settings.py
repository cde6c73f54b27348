"""Placeholder."""

import streamlit as st

st.header("settings")
st.info("Coming soon.")
