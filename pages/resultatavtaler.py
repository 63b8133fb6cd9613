"""Resultatavtaler: one owner's indicators with the four numbers, verdicts and tiltak."""

import streamlit as st

from oppvekst import formatting as fmt
from oppvekst.export import to_excel
from oppvekst.presentation import agreement_table, styled_malekart
from oppvekst.queries import malekart, owners
from pages._ui import area_picker, header, reader, sample_note

read = reader()
header("Resultatavtaler", read)
all_owners = read(owners)
if not all_owners:
    st.info("Registeret har ingen indikatorer med eier.")
    st.stop()
wanted = st.query_params.get("eier")
owner = st.selectbox("Eier (resultatavtale)", all_owners, index=all_owners.index(wanted) if wanted in all_owners else 0)
st.query_params["eier"] = owner
area, area_name = area_picker(read)
mk = read(malekart, area)
mine = mk[mk["owner"] == owner]
st.markdown(f"**{fmt.md_text(owner)}** – {len(mine)} indikatorer i {fmt.md_text(area_name)}.")
table = agreement_table(mine)
st.table(styled_malekart(table.set_index("Hva")))
plan = table[["Hva", "0-punkt", "Mål", "Status", "Forbedring"]]
st.download_button(
    "Last ned som Excel (Hva · 0-punkt · Mål · Status · Forbedring)",
    to_excel(
        {"Resultatavtale": plan, "Detaljer": table},
        title=f"Resultatavtale: {owner} – {area_name}",
        note=sample_note(read),
    ),
    file_name="resultatavtale.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
