"""FHI (Ungdata) in FHI's formats: csv3 and json-stat2, with pooled three-year periods."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from samplegen.world import Measure, World, survey

# The indicators' 0-punkt is 2019-2021 (its middle year 2020): every measure bends flat there but
# depr, the national trend kept (PLANTED: 17,5 prosent at the 0-punkt, as the plan agreed, rising).
UNGDATA = [
    Measure("depr", "Depressivt stemningsleie", 0.148, 0.04, 2020, 0.065, (-0.7, 0.5)),
    Measure("ensom", "Ensomhet", 0.12, 0.05, 2020, 0.0, (-0.3, 0.3)),
    Measure("mobbet", "Utsatt for mobbing, trusler eller vold", 0.08, -0.03, 2020, 0.0, (0.1, -0.1)),
    Measure("fritid", "Deltar i organiserte fritidsaktiviteter", 0.62, -0.02, 2020, 0.0, (0.05, -0.05)),
    Measure("lokalmiljo", "Fornøyd med lokalmiljøet", 0.67, 0.02, 2020, 0.0, (0.0, -0.1)),
    Measure("trygg", "Trygg i nærmiljøet om kvelden", 0.86, 0.03, 2020, 0.0, (0.5, -0.5)),
]
UNGDATA_PERIODS = [(a, a + 2) for a in range(2013, 2023)]  # rolling three-year periods
UNGDATA_GRADES = [("8-10", 0.0, 2.2), ("vg1-vg3", 0.25, 0.12)]  # (trinn, logit offset, response scale)


def ungdata_rows(w: World, measures: list[Measure]):
    rng = np.random.default_rng(7 + len(measures))
    for m in measures:
        for unit in w.by_level("land", "fylke", "kommune", "bydel"):
            for a, b in UNGDATA_PERIODS:
                for kj, g in (("0", "alle"), ("1", "gutter"), ("2", "jenter")):
                    for trinn, goff, scale in UNGDATA_GRADES:
                        v, n = survey(rng, m, unit, (a + b) / 2, g, scale, goff)
                        x = round((v or 0) * n / 100)
                        yield m, unit, f"{a}_{b}", kj, trinn, x, n


def write_fhi_csv3(w: World, path: Path, measures: list[Measure]) -> None:
    lines = ["GEO;AAR;KJONN;TRINN;SPM_ID;MEASURE_TYPE;VALUE;FLAG"]
    for m, unit, aar, kj, trinn, x, n in ungdata_rows(w, measures):
        hide = n < 20 or x < 3 or n - x < 3
        for mt, val in (("TELLER", str(x)), ("NEVNER", str(n)), ("RATE", f"{100 * x / n:.1f}" if n else "")):
            if hide:
                lines.append(f"{unit.code};{aar};{kj};{trinn};{m.code};{mt};;3")
            else:
                lines.append(f"{unit.code};{aar};{kj};{trinn};{m.code};{mt};{val};")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_fhi_jsonstat(w: World, path: Path, measures: list[Measure]) -> None:
    rows = list(ungdata_rows(w, measures))
    geos = list(dict.fromkeys(r[1].code for r in rows))
    aars = list(dict.fromkeys(r[2] for r in rows))
    spm = [m.code for m in measures]
    mts = ["RATE", "NEVNER"]
    size = [len(geos), len(aars), 3, len(UNGDATA_GRADES), len(spm), len(mts)]
    values: list = [None] * int(np.prod(size))
    status: dict[str, str] = {}
    gi, ai, si = (
        {g: i for i, g in enumerate(geos)},
        {a: i for i, a in enumerate(aars)},
        {s: i for i, s in enumerate(spm)},
    )
    ti = {t[0]: i for i, t in enumerate(UNGDATA_GRADES)}
    for m, unit, aar, kj, trinn, x, n in rows:
        for mi, val in enumerate((round(100 * x / n, 1) if n else None, n)):
            pos = (
                (((gi[unit.code] * size[1] + ai[aar]) * 3 + int(kj)) * size[3] + ti[trinn]) * size[4] + si[m.code]
            ) * 2 + mi
            if n < 20 or x < 3 or n - x < 3:
                status[str(pos)] = ":"
            else:
                values[pos] = val
    names = {u.code: u.name for u in w.units}
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": "Ungdata: trygghet og lokalmiljø (eksempeldata)",
        "source": "Folkehelseinstituttet",
        "updated": "2025-03-01T06:00:00Z",
        "id": ["GEO", "AAR", "KJONN", "TRINN", "SPM_ID", "MEASURE_TYPE"],
        "size": size,
        "dimension": {
            "GEO": {"label": "Geografi", "category": {"index": geos, "label": {g: names[g] for g in geos}}},
            "AAR": {
                "label": "År",
                "category": {
                    "index": {a: i for i, a in enumerate(aars)},
                    "label": {a: a.replace("_", "-") for a in aars},
                },
            },
            "KJONN": {
                "label": "Kjønn",
                "category": {"index": ["0", "1", "2"], "label": {"0": "kjønn samlet", "1": "gutter", "2": "jenter"}},
            },
            "TRINN": {"label": "Trinn", "category": {"index": [t[0] for t in UNGDATA_GRADES]}},
            "SPM_ID": {"label": "Spørsmål", "category": {"index": spm, "label": {m.code: m.name for m in measures}}},
            "MEASURE_TYPE": {
                "label": "Måltall",
                "category": {"index": mts, "label": {"RATE": "andel (prosent)", "NEVNER": "antall svar"}},
            },
        },
        "role": {"geo": ["GEO"], "time": ["AAR"], "metric": ["MEASURE_TYPE"]},
        "value": values,
        "status": status,
    }
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
