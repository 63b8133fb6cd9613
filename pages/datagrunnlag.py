"""Datagrunnlag: what is loaded, and problems in the registry."""
import streamlit as st

from oppvekst import queries
from pages._ui import connection, header

con = connection()
header("Datagrunnlag", con)
st.subheader("Innlastede filer")
loads = queries.loads(con)
if loads.empty:
    st.info("Ingen filer er lastet inn ennå. Bruk `python -m etl load FIL…`.")
else:
    st.dataframe(loads, hide_index=True, width="stretch")
