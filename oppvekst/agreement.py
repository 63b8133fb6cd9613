"""The resultatavtale on screen: the owner picker's labels, the summary line and the table with
short verdict cells (pure, testable without Streamlit). The Excel file is ``oppvekst.export``'s
``agreement_workbook``."""

from __future__ import annotations

import pandas as pd

from oppvekst.presentation import (
    CHANGE,
    baseline_text,
    change_text,
    indicator_link,
    status_hover,
    status_text,
    target_text,
    verdict_text,
)

NBSP = "\u00a0"
VERDICT = "Sikker endring?"


def owner_label(name: str, depth: int, indicators: int) -> str:
    """«Etat for skole (8)», indented under its byrådsavdeling in the picker."""
    indent = "\u2003" * 2 * depth + ("└ " if depth else "")
    return f"{indent}{name} ({indicators})"


def agreement_summary(mk: pd.DataFrame) -> str:
    """«3 av 9 på vei mot målet (herav 1 nådd). 2 av 11 viser sikker forbedring og 1 sikker
    forverring siden 0-punktet. 2 følges uten mål.» for the owner's rows of ``queries.malekart``."""
    n = len(mk)
    if not n:
        return "Ingen indikatorer."
    with_target = int(mk["target_value"].notna().sum())
    reached = int((mk["target_verdict"] == "nådd").sum())
    on_way = int((mk["target_verdict"] == "på vei").sum()) + reached
    better = int((mk["change_verdict"] == "sikker forbedring").sum())
    worse = int((mk["change_verdict"] == "sikker forverring").sum())
    if with_target:
        text = f"{on_way} av {with_target} på vei mot målet" + (f" (herav {reached} nådd)" if reached else "") + ". "
    else:
        text = "Ingen av indikatorene har mål. "
    text += f"{better} av {n} viser sikker forbedring og {worse} sikker forverring siden 0-punktet."
    if with_target and n - with_target:
        text += f" {n - with_target} følges uten mål."
    return text


def _unbroken(verdict: str) -> str:
    """A verdict that breaks onto two lines at most, never after its symbol: «▲ sikker» /
    «forbedring», «● ingen» / «sikker endring»."""
    words = verdict.split(" ")
    return " ".join(x for x in (NBSP.join(words[:2]), NBSP.join(words[2:])) if x)


def agreement_table(mk: pd.DataFrame) -> pd.DataFrame:
    """Hva · 0-punkt · Mål · Status · Endring fra 0-punkt (in words) · Sikker endring? · Mot mål ·
    Tiltak. The verdicts are short cells that never break inside («▲ sikker forbedring» on one
    line); the interval behind each status is one hover away (``agreement_hover``)."""
    rows = list(mk.itertuples())
    return pd.DataFrame(
        {
            "Hva": mk["title"].tolist(),
            "0-punkt": [baseline_text(r) for r in rows],
            "Mål": [target_text(r) for r in rows],
            "Status": [status_text(r) for r in rows],
            CHANGE: [change_text(r, with_verdict=False) for r in rows],
            VERDICT: [_unbroken(verdict_text(r.change_symbol, r.change_verdict)) for r in rows],
            "Mot mål": [_unbroken(verdict_text(r.target_symbol, r.target_verdict)) for r in rows],
            # «miljøarbeidere/miljøveiledere» may break after the slash, so the table fits the page
            "Tiltak": [t.replace("/", "/\u200b") for t in mk["tiltak"].fillna("").replace("", "–")],
        }
    )


def agreement_grid(mk: pd.DataFrame) -> pd.DataFrame:
    """The same table for sorting, searching and copying: the tiltak as written in the plan."""
    table = agreement_table(mk)
    return table.assign(Tiltak=table["Tiltak"].str.replace("\u200b", "", regex=False))


def change_reason(r) -> str:
    """Why the change has no verdict, or ''. A mean whose source gives n but no spread (the
    fravær template) has no interval for that reason, not for want of n."""
    if r.change_verdict != "kan ikke testes":
        return "" if pd.isna(r.change_detail) else str(r.change_detail)
    if r.statistic == "mean" and pd.notna(r.status_n):
        return (
            "Kilden oppgir ikke spredning (standardavvik), så tallet har ikke intervall og endringen kan ikke testes."
        )
    return "" if pd.isna(r.change_detail) else str(r.change_detail)


def agreement_hover(mk: pd.DataFrame) -> dict[str, list[str]]:
    """The interval and n behind each status, and the reason a change cannot be tested."""
    rows = list(mk.itertuples())
    return {
        "Status": [status_hover(r) for r in rows],
        VERDICT: [change_reason(r) for r in rows],
        "Mot mål": ["" if pd.isna(r.target_detail) else str(r.target_detail) for r in rows],
    }


def agreement_links(mk: pd.DataFrame, area_code: str) -> dict[str, list[str]]:
    """Each indicator's name links to its page for the same area."""
    return {"Hva": [indicator_link(i, area_code) for i in mk["indicator_id"]]}


def file_name(owner: str, area_name: str) -> str:
    """«resultatavtale_etat-for-skole_bergen.xlsx»: the owner's own name and the area, in letters
    every file system takes."""
    import re
    import unicodedata

    def slug(text: str) -> str:
        text = text.lower().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a"}))
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40] or "eier"

    return f"resultatavtale_{slug(owner.split(' › ')[-1])}_{slug(area_name)}.xlsx"
