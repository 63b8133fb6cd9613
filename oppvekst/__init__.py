"""Oppvekstmonitor domain package: geography, registry, statistics and marts.
Never imports Streamlit."""
