"""Rapport: the yearly status report for the committee (``oppvekst.report``) as PDF or Word, for a
kommune or a bydel and a year, with a preview of its first page and its goal tables."""

import streamlit as st

from oppvekst import formatting as fmt
from oppvekst.presentation import url_choice
from oppvekst.queries import report_content, report_file, report_years
from oppvekst.report import FORMATS, ReportError
from pages._ui import area_picker, header, html_table, reader

FORMAT_LABELS = {"pdf": "PDF", "docx": "Word (.docx)"}

read = reader()
header("Rapport", read)
st.caption(
    "Den årlige statusrapporten til utvalget: alle planens indikatorer gruppert etter mål, med sammendrag, "
    "tabeller, figurer, ansvar og tiltak, metode og kilder. Velg område, år og format, og last ned."
)
c1, c2, c3 = st.columns([3, 1, 2])
with c1:
    area, area_name = area_picker(read)
years = read(report_years, area)
if not years:
    st.info(f"Ingen tall for {fmt.md_text(area_name)} ennå, så det er ingen rapport å lage.")
    st.stop()
wanted = st.query_params.get("aar")
year = c2.selectbox(
    "År",
    years,
    index=years.index(int(wanted)) if wanted and wanted.isdigit() and int(wanted) in years else 0,
    key=f"pick_aar_{area}",  # the choices are this area's
    help="Rapporten tar med perioder som slutter dette året eller før.",
)
st.query_params["aar"] = str(year)
url_format = url_choice(st.query_params.get("format"), FORMAT_LABELS, "pdf")
kind = (
    c3.segmented_control(
        "Format", list(FORMAT_LABELS), default=url_format, format_func=FORMAT_LABELS.get, key="pick_format"
    )
    or url_format
)
st.query_params["format"] = kind

try:
    report = read(report_content, area, year)
except ReportError as e:
    st.error(str(e))
    st.stop()

download = st.container()  # filled last: the preview shows while the file is made

st.subheader("Forhåndsvisning")
with st.container(border=True):
    st.markdown(f"### {fmt.md_text(report.title)}\n\n{fmt.md_text(report.subtitle)}.")
    for paragraph in report.summary:
        st.markdown(fmt.md_text(paragraph))
    html_table(report.goals_overview, "Planens mål")
    left, right = st.columns(2)
    with left:
        html_table(report.change_counts, "Siden 0-punktet")
    with right:
        html_table(report.target_counts, "Mot målet")
    st.markdown("**Trenger oppmerksomhet**")
    st.markdown(
        "\n".join(
            f"{i}. **{fmt.md_text(a['title'])}**: {fmt.md_text(a['text'])}" for i, a in enumerate(report.attention, 1)
        )
        or "Ingen."
    )
    if report.attention_rest:
        st.markdown(fmt.md_text(report.attention_rest))
for goal in report.goals:
    st.markdown(f"#### {fmt.md_text(goal.goal)}")
    if goal.intro:
        st.caption(fmt.md_text(goal.intro))
    html_table(goal.table, goal.goal, row_header="Hva", verdict_cols=("Forbedring",))
st.caption(
    "Rapporten har i tillegg en figur og noen setninger om hver indikator, ansvar og tiltak, og en side om "
    "metode og kilder."
)

with download:
    label = FORMAT_LABELS[kind]
    with st.status(f"Lager rapporten ({label}) …", expanded=False) as status:
        try:
            data = read(report_file, area, year, kind)
        except ReportError as e:
            status.update(label="Rapporten kunne ikke lages", state="error")
            st.error(str(e))
            st.stop()
        status.update(label=f"Rapporten er klar: {fmt.number(len(data) / 1024, 0)} kB", state="complete")
    st.download_button(
        f"Last ned rapporten ({label})",
        data,
        file_name=f"{report.file_stem}.{FORMATS[kind][1]}",
        mime=FORMATS[kind][0],
        on_click="ignore",
        type="primary",
        icon=":material/download:",
    )
