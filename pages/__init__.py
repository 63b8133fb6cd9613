"""The Streamlit pages. Thin: read filters, call a query (through ``_ui.Reader``), call a chart,
render. Only these modules and ``_ui.py`` import streamlit."""
