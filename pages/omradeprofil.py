"""Områdeprofil: every indicator for one bydel against its kommune."""

import streamlit as st

from oppvekst import formatting as fmt
from oppvekst.presentation import profile_table
from oppvekst.queries import profile, tidy_values
from pages._ui import area_picker, downloads, header, html_table, print_header, reader

read = reader()
header("Områdeprofil", read)
area, area_name = area_picker(read)
if len(area) != 6:
    st.info("Velg en bydel for å se profilen mot kommunen.")
    st.stop()
prof = read(profile, area)
print_header(read, area, area_name, prof["indicator_id"])
better = int((prof["verdict"] == "bedre").sum())
worse = int((prof["verdict"] == "dårligere").sum())
st.markdown(
    f"**{fmt.md_text(area_name)}** skiller seg sikkert ut fra kommunen på {better + worse} av {len(prof)} indikatorer: "
    f"▲ {better} bedre, ▼ {worse} dårligere. Resten er omtrent likt eller kan ikke sammenlignes."
)
table = profile_table(prof)
for goal in prof["goal"].drop_duplicates():
    st.subheader(fmt.md_text(goal))
    html_table(table[prof["goal"] == goal], f"Områdeprofil: {goal}", row_header="Hva")
tidy = read(tidy_values, list(prof["indicator_id"]), [area, area[:4]])  # every period and group
downloads(read, table, f"omradeprofil_{area}", f"Områdeprofil {area_name}", tidy=tidy)
