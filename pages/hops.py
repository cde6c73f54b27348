"""Placeholder."""

import streamlit as st

st.header("hops")
st.info("Coming soon.")
