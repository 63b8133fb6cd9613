"""Målekart: for one area, every registry indicator as Hva · 0-punkt · Mål · Status · Forbedring."""
import pandas as pd
import streamlit as st

from oppvekst import formatting as fmt
from oppvekst.queries import malekart
from pages._ui import area_picker, connection, header

con = connection()
header("Målekart", con)
area, area_name = area_picker(con)
rows = malekart(con, area)

if rows.empty:
    st.info("Registeret har ingen indikatorer. Legg dem til i indicators.yml (se README).")
    st.stop()


def status_text(r) -> str:
    if r.status_period is None:
        return "ingen data"
    if r.status_value is None or pd.isna(r.status_value):
        why = "skjermet: for få svar" if r.status_suppressed else f"mangler ({r.status_symbol or 'ingen verdi'})"
        return f"{why} ({r.status_period})"
    return f"{fmt.value(r.status_value, r.unit)} ({r.status_period})"


def baseline_text(r) -> str:
    if r.baseline_value is None or pd.isna(r.baseline_value):
        return f"ingen verdi ({r.baseline_period})"
    text = f"{fmt.value(r.baseline_value, r.unit)} ({r.baseline_period})"
    if r.baseline_agreed and r.baseline_series_value is not None and not pd.isna(r.baseline_series_value) \
            and abs(r.baseline_series_value - r.baseline_value) > 1e-9:
        text += f"; revidert serie: {fmt.value(r.baseline_series_value, r.unit)}"
    return text


def target_text(r) -> str:
    if r.target_value is None or pd.isna(r.target_value):
        return "ingen mål (følges)"
    return f"{fmt.value(r.target_value, r.unit)} innen {r.target_period}"


def improvement_text(r) -> str:
    if r.change is None or pd.isna(r.change):
        return "kan ikke beregnes"
    if r.polarity == "neutral":
        return f"{fmt.change(r.change, r.unit)} (ingen retning er bedre)"
    arrow = "▲ bedre" if r.improvement > 0 else "▼ dårligere" if r.improvement < 0 else "■ uendret"
    return f"{fmt.change(r.improvement, r.unit)} ({arrow})"


st.caption(f"{area_name}. Forbedring er status minus 0-punkt, med fortegn slik at **pluss er bedre**. "
           "Usikkerhet og om endringen er sikker kommer i neste versjon av målekartet.")
for goal, g in rows.groupby("goal", sort=False):
    st.subheader(goal)
    table = pd.DataFrame({
        "Hva": g["title"],
        "0-punkt": [baseline_text(r) for r in g.itertuples()],
        "Mål": [target_text(r) for r in g.itertuples()],
        "Status": [status_text(r) for r in g.itertuples()],
        "Forbedring": [improvement_text(r) for r in g.itertuples()],
        "Eier": g["owner"],
    })
    st.table(table.set_index("Hva"))
