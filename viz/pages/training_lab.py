"""Placeholder page: replaced by its own issue's work."""

import streamlit as st

st.title("training lab".title())
st.info("This page is being built.")
