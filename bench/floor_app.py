"""The floor for bench/app_bench.py: a one-line Streamlit page."""

import streamlit as st

st.write("ok")
