"""Plotly figures for the pages (no Streamlit here). Colour-blind-safe palette; every chart's
numbers are also offered as a table by the page."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from oppvekst.periods import parse_period

PALETTE = ["#005AB5", "#DC3220", "#1A7F37", "#6A3D9A", "#B35806", "#4D4D4D"]
FONT = dict(family="Source Sans Pro, sans-serif", size=15)


def _x(period: str) -> float:
    p = parse_period(period)
    return (p.year_start + p.year_end) / 2 if p.kind != "year" else float(p.year_start)


def series_chart(series: pd.DataFrame, meta: dict, names: dict[str, str], unit_label: str) -> go.Figure:
    """Lines per area/group with 95 % interval bands, the 0-punkt marked and the target drawn
    to its target year."""
    fig = go.Figure()
    for i, ((area, grp), g) in enumerate(series.groupby(["area_code", "grp"], sort=False)):
        colour = PALETTE[i % len(PALETTE)]
        label = names.get(area, area) + ("" if grp == meta["gender"] else f" – {grp}")
        g = g[g["shown"].astype(bool)]
        xs = [_x(p) for p in g["period"]]
        if g["ci_low"].notna().any():
            fig.add_trace(
                go.Scatter(
                    x=xs + xs[::-1],
                    y=list(g["ci_high"]) + list(g["ci_low"])[::-1],
                    fill="toself",
                    fillcolor=colour,
                    opacity=0.15,
                    line=dict(width=0),
                    hoverinfo="skip",
                    showlegend=False,
                    name=f"{label} 95 % KI",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=g["value"],
                mode="lines+markers",
                name=label,
                line=dict(color=colour, width=3),
                customdata=g["period"],
                hovertemplate="%{customdata}: %{y:.2f}<extra>" + label + "</extra>",
            )
        )
    base = parse_period(meta["baseline_period"])
    fig.add_vline(
        x=_x(meta["baseline_period"]),
        line_dash="dot",
        line_color="#4D4D4D",
        annotation_text=f"0-punkt {base.label}",
        annotation_position="top left",
    )
    if pd.notna(meta.get("target_value")) and meta.get("target_period"):
        tx = _x(meta["target_period"])
        fig.add_trace(
            go.Scatter(
                x=[_x(meta["baseline_period"]), tx],
                y=[meta["target_value"]] * 2,
                mode="lines+markers",
                name=f"Mål {meta['target_period']}",
                line=dict(color="#1A7F37", dash="dash", width=2),
                marker=dict(symbol=["line-ns", "star"], size=[1, 14]),
            )
        )
    fig.update_layout(
        font=FONT,
        separators=", ",
        margin=dict(l=10, r=10, t=40, b=10),
        height=420,
        yaxis_title=unit_label,
        xaxis_title=None,
        legend=dict(orientation="h", y=-0.15),
        plot_bgcolor="white",
        hovermode="x unified",
    )
    fig.update_xaxes(gridcolor="#E5E5E5", dtick=1)
    fig.update_yaxes(gridcolor="#E5E5E5")
    return fig


def ranked_chart(rows: pd.DataFrame, ref_value: float | None, ref_name: str, unit_label: str) -> go.Figure:
    """Areas sorted, with 95 % intervals as error bars, the reference as a line, and the
    comparison verdict in the label (never colour alone)."""
    rows = rows[rows["shown"].astype(bool)]
    labels = [f"{n}  {s} {v}" for n, s, v in zip(rows["area_name"], rows["vs_ref_symbol"], rows["vs_ref"])]
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=rows["value"],
            orientation="h",
            marker_color=list(rows["vs_ref_colour"].fillna("#8A8A8A")),
            error_x=dict(
                type="data",
                symmetric=False,
                array=(rows["ci_high"] - rows["value"]).fillna(0),
                arrayminus=(rows["value"] - rows["ci_low"]).fillna(0),
                color="#333333",
            ),
            hovertemplate="%{y}: %{x:.2f}<extra></extra>",
        )
    )
    if ref_value is not None:
        fig.add_vline(x=ref_value, line_color="#222222", line_dash="dash", annotation_text=ref_name)
    fig.update_layout(
        font=FONT,
        separators=", ",
        height=max(260, 48 * len(rows) + 80),
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title=unit_label,
        plot_bgcolor="white",
        yaxis=dict(autorange="reversed"),
    )
    fig.update_xaxes(gridcolor="#E5E5E5")
    return fig


RULE_TEXT = {
    "outside": "utenfor kontrollgrensene",
    "trend": "7 på rad stiger/synker",
    "two_of_three": "2 av 3 utenfor 2σ",
    "shift": "7 på rad på samme side av midtlinjen",
}
VARIATION_TEXT = {
    "improvement": "▲ spesiell variasjon – forbedring",
    "concern": "▼ spesiell variasjon – bekymring",
    "neutral special cause": "◆ spesiell variasjon",
    "common cause": "● vanlig variasjon",
}
ASSURANCE_TEXT = {
    "consistently passes": "✔ når målet hver gang",
    "consistently fails": "✖ når ikke målet",
    "may or may not hit": "● kan nå målet eller ikke",
    None: "– ingen mål",
}


def spc_chart(periods: list[str], values: list[float], result, unit_label: str, target=None) -> go.Figure:
    """XmR chart: values, centre line, control limits, special-cause points marked with a
    symbol (not colour alone)."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=periods, y=values, mode="lines+markers", name="Verdi", line=dict(color="#4D4D4D")))
    special = [i for i, f in enumerate(result.special) if f]
    if special:
        fig.add_trace(
            go.Scatter(
                x=[periods[i] for i in special],
                y=[values[i] for i in special],
                mode="markers",
                name="Spesiell variasjon",
                marker=dict(symbol="diamond", size=12, color="#B35806"),
                customdata=[", ".join(RULE_TEXT[r] for r in result.special[i]) for i in special],
                hovertemplate="%{x}: %{y:.2f} – %{customdata}<extra></extra>",
            )
        )
    for y, name, dash in (
        (result.centre, "Midtlinje", "solid"),
        (result.upper, "Øvre kontrollgrense", "dash"),
        (result.lower, "Nedre kontrollgrense", "dash"),
    ):
        fig.add_hline(y=y, line_dash=dash, line_color="#005AB5", annotation_text=name, annotation_position="right")
    if target is not None:
        fig.add_hline(
            y=target, line_dash="dot", line_color="#1A7F37", annotation_text="Mål", annotation_position="left"
        )
    fig.update_layout(
        font=FONT,
        separators=", ",
        height=380,
        margin=dict(l=10, r=170, t=30, b=10),
        yaxis_title=unit_label,
        plot_bgcolor="white",
        legend=dict(orientation="h", y=-0.2),
    )
    fig.update_yaxes(gridcolor="#E5E5E5")
    return fig
