"""Placeholder."""

import streamlit as st

st.header("exposure")
st.info("Coming soon.")
