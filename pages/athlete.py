"""Placeholder."""

import streamlit as st

st.header("athlete")
st.info("Coming soon.")
