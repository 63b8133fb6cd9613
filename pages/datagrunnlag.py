"""Datagrunnlag: what is loaded, coverage, revisions, registry problems and method notes."""

from pathlib import Path

import streamlit as st

from oppvekst import formatting as fmt
from oppvekst import queries
from pages._ui import area_picker, as_grid, header, html_table, reader

SHOWN = 50  # revised values written out as a table (the newest); all of them are in the grid

read = reader()
header("Datagrunnlag", read)

st.subheader("Innlastede filer")
loads = read(queries.loads)
if loads.empty:
    st.info("Ingen filer er lastet inn ennå. Bruk `python -m etl load FIL…` (se README).")
else:
    loads["Lastet"] = loads["Lastet"].map(fmt.timestamp)
    last = loads.iloc[0]
    st.markdown(
        f"**Siste innlasting:** nr. {int(last['Nr.'])}, {fmt.md_text(last['Fil'])} "
        f"({last['Lastet']}), {int(last['Rader'])} rader."
    )
    html_table(loads, "Innlastede filer", max_height=420)
    as_grid(loads)

st.subheader("Dekning")
st.caption(
    "Hvor mange perioder hver indikator har en verdi som kan vises, og hvor mange som er skjult "
    "(skjermet av kilden, færre enn minste antall svar, eller skjult for å hindre tilbakeregning)."
)
area, _ = area_picker(read)
kommune = area[:4]
coverage = read(queries.coverage, kommune)
html_table(coverage, "Dekning", max_height=420)
as_grid(coverage)

st.subheader("Revisjoner")
rev = read(queries.revisions)
if rev.empty:
    st.markdown("Ingen verdier er revidert av senere uttrekk.")
else:
    st.caption("Verdier som en nyere fil fra kilden har endret (f.eks. KOSTRAs endelige tall i juni).")
    for col in ("Gammel verdi", "Ny verdi"):
        rev[col] = rev[col].map(fmt.compact)
    if len(rev) > SHOWN:
        st.caption(
            f"Viser de {SHOWN} nyeste av {len(rev)} reviderte verdier her; alle er med i «Sortere og søke i tabellen»."
        )
    html_table(rev.head(SHOWN), "Revisjoner", max_height=420)
    as_grid(rev)

st.subheader("Indikatorregisteret")
problems = read(queries.registry_problems)
if problems.empty:
    st.markdown(f"`indicators.yml` er gyldig: {len(read(queries.indicators))} indikatorer.")

st.subheader("Slik regner vi")
methods = Path(__file__).resolve().parent.parent / "docs" / "methods.md"
st.markdown(methods.read_text(encoding="utf-8").split("\n", 1)[1])
