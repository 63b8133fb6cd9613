"""Områdeprofil: every indicator for one bydel against its kommune."""
import streamlit as st

from oppvekst.presentation import profile_table, styled_malekart
from oppvekst.queries import profile
from pages._ui import area_picker, connection, downloads, header

con = connection()
header("Områdeprofil", con)
area, area_name = area_picker(con)
if len(area) != 6:
    st.info("Velg en bydel for å se profilen mot kommunen.")
    st.stop()
prof = profile(con, area)
better = int((prof["verdict"] == "bedre").sum())
worse = int((prof["verdict"] == "dårligere").sum())
st.markdown(f"**{area_name}** skiller seg sikkert ut fra kommunen på {better + worse} av {len(prof)} indikatorer: "
            f"▲ {better} bedre, ▼ {worse} dårligere. Resten er omtrent likt eller kan ikke sammenlignes.")
table = profile_table(prof)
for goal in prof["goal"].drop_duplicates():
    st.subheader(goal)
    st.table(styled_malekart(table[prof["goal"] == goal].set_index("Hva")))
downloads(table, f"omradeprofil_{area}", f"Områdeprofil {area_name}")
