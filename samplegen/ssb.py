"""SSB (KOSTRA) in SSB's formats: the statbank web download (Windows-1252, title line),
json-stat2, and PxWebApi v2 CSV."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from samplegen.world import (
    OLD_CODE,
    OLD_FYLKE,
    YEARS,
    Measure,
    Unit,
    World,
    nb,
    true_value,
)

# Flat from the indicators' 0-punkt (2020) on, but hjemmebesøk: the national trend kept (PLANTED)
KOSTRA = [
    Measure("KOSbvbarnuspinnb0000", "Barn med undersøkelse ift. innbyggere 0-17 år (prosent)", 0.041, 0.02, 2020, 0.0),
    Measure(
        "KOSbvbarnhotilta0001", "Barn med barnevernstiltak ift. innbyggere 0-17 år (prosent)", 0.031, -0.03, 2020, 0.0
    ),
    Measure(
        "KOSandelhjemmebe0000",
        "Andel hjemmebesøk til nyfødte innen 14 dager etter hjemkomst (prosent)",
        0.82,
        0.06,
        2020,
        0.08,
    ),
    Measure(
        "KOSndubvinnbygge0003",
        "Netto driftsutgifter til barnevern per innbygger 0-24 år (kr)",
        3600,
        0.04,
        2020,
        0.0,
        kind="amount",
    ),
]
POP_CODE, POP_NAME = "KOSinnbygg0170000", "Innbyggere 0-17 år (antall)"


def kostra_cells(w: World, years: list[int], measures: list[Measure], revise: float = 0.0):
    rng = np.random.default_rng(19)
    for u in w.by_level("land", "fylke", "kommune", "bydel"):
        for y in years:
            pop = int(u.size * 18 * (1 + 0.005 * (y - 2015)))
            yield u, y, POP_CODE, float(pop), False
            for m in measures:
                if m.kind == "amount":
                    yield u, y, m.code, round(true_value(m, u, y) + rng.normal(0, 60)), False
                    continue
                base = max(1, pop if "hjemmebe" not in m.code else pop // 18)
                x = rng.binomial(base, true_value(m, u, y))
                if revise and y == years[-1]:  # the newest year's preliminary count, later revised
                    x = int(round(x * (1 + revise)))  # noqa: RUF046 - x is a numpy integer
                hide = x < 5 and "hjemmebe" not in m.code  # barnevern counts below 5 are suppressed
                yield u, y, m.code, None if hide else round(100 * x / base, 1), hide


def kostra_region(u: Unit, year: int) -> str:
    if u.level == "land":
        return "EAK Landet"
    if u.level == "fylke":
        code, name = OLD_FYLKE.get(u.code, (u.code, u.name)) if year < 2024 else (u.code, u.name)
        return f"EKA{code} {name}"
    if u.level == "kommune" and year < 2024 and OLD_CODE.get(u.code, u.code) != u.code:
        return f"{OLD_CODE[u.code]} {u.name} (2020-2023)"
    return f"{u.code} {u.name}"


def write_ssb_web(w: World, path: Path, years: list[int]) -> None:
    """Statistikkbanken 'semikolonseparert med overskrift' with the 2020-2023 codes."""
    measures = KOSTRA[:2] + KOSTRA[3:]
    names = {m.code: m.name for m in measures} | {POP_CODE: POP_NAME}
    order = [POP_CODE] + [m.code for m in measures]
    table: dict[str, dict[tuple, str]] = {}
    for u, y, code, v, hide in kostra_cells(w, years, measures):
        reg = kostra_region(u, max(years))
        cell = ":" if hide else (nb(v, 0) if code in (POP_CODE, "KOSndubvinnbygge0003") else nb(v, 1)).replace(" ", "")
        table.setdefault(reg, {})[(code, y)] = cell
    head = ['"region"'] + [f'"{names[c]} {y}"' for c in order for y in years]
    out = ['"12275: Barnevern. Nøkkeltall (K) (eksempeldata)"', "", ";".join(head)]
    for reg, cells in table.items():
        out.append(";".join([f'"{reg}"'] + [cells.get((c, y), "..") for c in order for y in years]))
    path.write_bytes(("\r\n".join(out) + "\r\n").encode("cp1252"))


def write_ssb_jsonstat(w: World, path: Path, years: list[int], revise: float = 0.0, updated: str = "") -> None:
    measures = KOSTRA[:2] + KOSTRA[3:]
    cells = list(kostra_cells(w, years, measures, revise))
    regions = list(
        dict.fromkeys(
            ("EAK" if u.level == "land" else f"EKA{u.code}" if u.level == "fylke" else u.code) for u, *_ in cells
        )
    )
    labels = {
        ("EAK" if u.level == "land" else f"EKA{u.code}" if u.level == "fylke" else u.code): u.name for u, *_ in cells
    }
    contents = [POP_CODE] + [m.code for m in measures]
    size = [len(regions), len(contents), len(years)]
    values: list = [None] * int(np.prod(size))
    status: list = [None] * len(values)
    ri, ci, yi = (
        {r: i for i, r in enumerate(regions)},
        {c: i for i, c in enumerate(contents)},
        {y: i for i, y in enumerate(years)},
    )
    for u, y, code, v, hide in cells:
        r = "EAK" if u.level == "land" else f"EKA{u.code}" if u.level == "fylke" else u.code
        pos = (ri[r] * size[1] + ci[code]) * size[2] + yi[y]
        values[pos] = v
        if hide:
            status[pos] = ":"
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": "12275: Barnevern. Nøkkeltall (K) (eksempeldata)",
        "source": "Statistisk sentralbyrå",
        "updated": updated or "2025-06-15T06:00:00Z",
        "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
        "size": size,
        "dimension": {
            "KOKkommuneregion0000": {
                "label": "region",
                "category": {"index": {r: i for i, r in enumerate(regions)}, "label": labels},
            },
            "ContentsCode": {
                "label": "statistikkvariabel",
                "category": {
                    "index": {c: i for i, c in enumerate(contents)},
                    "label": {POP_CODE: POP_NAME} | {m.code: m.name for m in measures},
                    "unit": {POP_CODE: {"base": "personer", "decimals": 0}}
                    | {
                        m.code: {
                            "base": "kr" if m.kind == "amount" else "prosent",
                            "decimals": 0 if m.kind == "amount" else 1,
                        }
                        for m in measures
                    },
                },
            },
            "Tid": {"label": "år", "category": {"index": {str(y): i for i, y in enumerate(years)}}},
        },
        "role": {"time": ["Tid"], "geo": ["KOKkommuneregion0000"], "metric": ["ContentsCode"]},
        "value": values,
        "status": status,
    }
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def write_pxweb_csv(w: World, path: Path) -> None:
    """PxWebApi v2 CSV, UseCodesAndTexts, IncludeTitle, comma separated, UTF-8."""
    m = KOSTRA[2]
    rng = np.random.default_rng(23)
    head = ['"region"'] + [f'"{m.code} {m.name} {y}"' for y in YEARS]
    out = ['"11211: Helsestasjon. Nøkkeltall (K) (eksempeldata)"', ",".join(head)]
    for u in w.by_level("land", "fylke", "kommune", "bydel"):
        r = (
            "EAK - Landet"
            if u.level == "land"
            else f"EKA{u.code} - {u.name}"
            if u.level == "fylke"
            else f"{u.code} - {u.name}"
        )
        born = max(3, int(u.size * 1.0))
        vals = [f"{100 * rng.binomial(born, true_value(m, u, y)) / born:.1f}" for y in YEARS]
        out.append(",".join([f'"{r}"'] + vals))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
