"""Oppvekstmonitor – entry point. Run with ``make run`` (or ``streamlit run app.py``)."""
import streamlit as st

st.set_page_config(page_title="Oppvekstmonitor", page_icon="📊", layout="wide")

PAGES = [
    st.Page("pages/malekart.py", title="Målekart", url_path="malekart", default=True, icon="🎯"),
]

nav = st.navigation(PAGES)
nav.run()
