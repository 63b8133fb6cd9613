"""Områdeprofil: every indicator for one bydel against its kommune."""

import streamlit as st

from oppvekst import formatting as fmt
from oppvekst.presentation import page_rule_text, profile_table
from oppvekst.queries import profile, tidy_values
from pages._ui import area_picker, downloads, header, html_table, print_header, reader, verdict_legend

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
other = int(prof["verdict"].isin(["høyere", "lavere"]).sum())  # indicators where no direction is better
st.markdown(
    f"**{fmt.md_text(area_name)}** skiller seg tydelig ut fra kommunen (statistisk sikker forskjell) på "
    f"{better + worse + other} av {len(prof)} indikatorer: ▲ {better} bedre, ▼ {worse} dårligere"
    + (f", ↑/↓ {other} høyere eller lavere (ingen retning er bedre)" if other else "")
    + ". Resten er omtrent som kommunen eller kan ikke sammenlignes."
)
st.caption(fmt.md_text(page_rule_text(prof)))
table = profile_table(prof)
verdict_legend(compare="kommunen")
for goal in prof["goal"].drop_duplicates():
    st.subheader(fmt.md_text(goal))
    html_table(table[prof["goal"] == goal], f"Områdeprofil: {goal}", row_header="Hva")
tidy = read(tidy_values, list(prof["indicator_id"]), [area, area[:4]])  # every period and group
downloads(read, table, f"omradeprofil_{area}", f"Områdeprofil {area_name}", tidy=tidy)
