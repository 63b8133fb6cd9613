"""Oppvekstmonitor – entry point. Run with ``make run`` (or ``streamlit run app.py``)."""

import streamlit as st

from pages._ui import page_run

st.set_page_config(page_title="Oppvekstmonitor", page_icon=":material/monitoring:", layout="wide")

# Each page: (script, title, URL path, icon). The first is the start page, served at "/".
PAGES = [
    ("pages/malekart.py", "Målekart", "malekart", ":material/checklist:"),
    ("pages/indikator.py", "Indikator", "indikator", ":material/show_chart:"),
    ("pages/omrader.py", "Områder", "omrader", ":material/bar_chart:"),
    ("pages/omradeprofil.py", "Områdeprofil", "omradeprofil", ":material/location_city:"),
    ("pages/resultatavtaler.py", "Resultatavtaler", "resultatavtaler", ":material/assignment_ind:"),
    ("pages/rapport.py", "Rapport", "rapport", ":material/description:"),
    ("pages/effekt.py", "Effekt av tiltak", "effekt", ":material/science:"),
    ("pages/datagrunnlag.py", "Datagrunnlag", "datagrunnlag", ":material/database:"),
]

pages = [st.Page(PAGES[0][0], title=PAGES[0][1], url_path="start", icon=PAGES[0][3], default=True)]
pages += [st.Page(s, title=t, url_path=u, icon=i) for s, t, u, i in PAGES[1:]]
# The start page is also reachable at its own name (/malekart), so every page has a
# deep link of the same form; hidden, so it does not appear twice in the menu.
hidden = [st.Page(PAGES[0][0], title=PAGES[0][1], url_path=PAGES[0][2], visibility="hidden")]

# One page run reads one version of the database; its hold on that version ends with the run.
with page_run():
    st.navigation(pages + hidden).run()
