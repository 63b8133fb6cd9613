"""Udir (Elevundersøkelsen) in Udir's formats: statistikkbank CSV (UTF-16LE, wide dotted
headers), the statistikkbank JSON answer and the open Eksport API."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from samplegen.world import YEARS, Measure, World, nb, survey

# Flat from the indicators' 0-punkt (2020-21) on, but mobbing: a national trend kept (PLANTED),
# falling from 2020-21 (the three-year 0-punkt 2018-2021 ends there)
EU_MOBBING = Measure("andel_mobbet", "Andel mobbet", 0.065, 0.03, 2020, -0.08, (0.1, -0.05))
EU_SCORES = [
    Measure("EUIndeks_Trivsel", "Trivsel", 4.25, 0.005, 2020, 0.0, (0.02, -0.03), "score"),
    Measure("EUIndeks_StotteLaerer", "Støtte fra lærerne", 4.15, 0.01, 2020, 0.0, (-0.02, 0.02), "score"),
    Measure("EUIndeks_Motivasjon", "Motivasjon", 3.85, -0.01, 2019, 0.0, (-0.05, 0.0), "score"),
]
EU_GRADES = [("7. årstrinn", "7", 0.0), ("10. årstrinn", "10", 0.3)]
KJONN_UDIR = [("Begge kjønn", "alle"), ("Gutt", "gutter"), ("Jente", "jenter")]


def skoleaar(y: int) -> str:
    return f"{y}-{(y + 1) % 100:02d}"


def write_udir_csv_mobbing(w: World, path: Path) -> None:
    rng = np.random.default_rng(11)
    cols = []
    for y in YEARS:
        for trinn, _, _ in EU_GRADES:
            for kj, _ in KJONN_UDIR:
                cols += [
                    f"{skoleaar(y)}.{trinn}.Alle eierformer.{kj}.Andel mobbet",
                    f"{skoleaar(y)}.{trinn}.Alle eierformer.{kj}.Antall besvart",
                ]
        if y == 2021:
            cols.append(f"{skoleaar(y)}.Brudd")
    head = [
        "EnhetNivaa",
        "Nasjonaltkode",
        "Fylkekode",
        "Kommunekode",
        "Organisasjonsnummer",
        "Nasjonalt",
        "Fylke",
        "Kommune",
        "EnhetNavn",
    ]
    out = ["sep=\t", "\t".join(head + cols)]
    levels = {"land": "1", "fylke": "2", "kommune": "3", "skole": "4"}
    for u in w.by_level("land", "fylke", "kommune", "skole"):
        kom = w.kommune_of.get(u.code, u.code if u.level == "kommune" else "")
        fyl = kom[:2] if kom else (u.code if u.level == "fylke" else "")
        cells = []
        for y in YEARS:
            for _, _, goff in EU_GRADES:
                for _, g in KJONN_UDIR:
                    v, n = survey(rng, EU_MOBBING, u, y, g, 0.8, goff)
                    if n == 0:
                        cells += ["", ""]
                    elif n < 10:
                        cells += ["*", "*"]
                    else:
                        cells += [nb(v), nb(n, 0)]
            if y == 2021:
                cells.append("Nytt spørsmålssett om mobbing fra 2021-22" if u.level == "land" else "")
        code = {"land": "I ", "fylke": fyl, "kommune": u.code}.get(u.level, u.code)
        name = w.unit(fyl).name if fyl else "Alle fylker"
        out.append(
            "\t".join(
                [
                    levels[u.level],
                    "I",
                    fyl,
                    kom,
                    code,
                    "Hele landet",
                    name,
                    w.unit(kom).name if kom else "Alle kommuner",
                    u.name,
                ]
                + cells
            )
        )
    text = "\r\n".join(out[:3]) + "\n" + "\n".join(out[3:]) + "\n"  # mixed line endings, as Udir's
    path.write_bytes(text.encode("utf-16-le"))


def write_udir_eksport(w: World, path: Path) -> None:
    rng = np.random.default_rng(13)
    recs = []
    for m in EU_SCORES[:2]:
        for u in w.by_level("land", "fylke", "kommune", "skole"):
            kom = w.kommune_of.get(u.code, u.code if u.level == "kommune" else "")
            fyl = kom[:2] if kom else (u.code if u.level == "fylke" else "")
            for y in YEARS:
                for trinn, code, goff in EU_GRADES:
                    for kj, g in KJONN_UDIR:
                        v, n = survey(rng, m, u, y, g, 0.8, goff)
                        if n == 0:
                            continue
                        hide = n < 10
                        recs.append(
                            {
                                "SpoersmaalNivaa": 1,
                                "Spoersmaalgruppekode": m.code,
                                "Spoersmaalgruppe": m.name,
                                "Spoersmaalkode": m.code,
                                "Spoersmaalnavn": m.name,
                                "Skoleaarnavn": skoleaar(y),
                                "EnhetNivaa": {"land": 1, "fylke": 2, "kommune": 3, "skole": 4}[u.level],
                                "Nasjonaltkode": "I",
                                "Nasjonalt": "Hele landet",
                                "Fylkekode": fyl,
                                "Fylke": w.unit(fyl).name if fyl else "Alle fylker",
                                "Kommunekode": kom,
                                "Kommune": w.unit(kom).name if kom else "Alle kommuner",
                                "Organisasjonsnummer": {"land": "I"}.get(u.level, u.code),
                                "EnhetNavn": u.name,
                                "TrinnNivaa": 1,
                                "TrinnKode": code,
                                "Trinnnavn": trinn,
                                "EierformNivaa": 0,
                                "Eierformkode": "0",
                                "EierformNavn": "Alle eierformer",
                                "KjoennNivaa": 0 if g == "alle" else 1,
                                "KjoennKode": {"alle": "0", "gutter": "1", "jenter": "2"}[g],
                                "Kjoenn": kj,
                                "Score": "*" if hide else nb(v, 2),
                                "Standardavvik": "*" if hide else nb(0.85 + 0.05 * rng.standard_normal(), 2),
                                "AntallBesvart": "*" if hide else str(n),
                            }
                        )
    for i, r in enumerate(recs):
        r.update({"Sidenummer": 1 + i // 10000, "RaderSide": 10000, "RaderTotalt": len(recs)})
    path.write_text(json.dumps(recs, ensure_ascii=False, indent=0), encoding="utf-8")


def write_udir_json_api(w: World, path: Path, kommune: str, year: int) -> None:
    rng = np.random.default_rng(17)
    u = w.unit(kommune)
    names = [
        [{"name": skoleaar(year), "tekstId_kolonne": "1", "columnCount": 6}],
        [{"name": "Hele landet", "tekstId_kolonne": "2", "columnCount": 6}],
        [{"name": w.unit(kommune[:2]).name, "tekstId_kolonne": "3", "columnCount": 6}],
        [{"name": u.name, "tekstId_kolonne": "4", "columnCount": 6}],
        [{"name": "Alle skoler", "tekstId_kolonne": "5", "columnCount": 6}],
        [{"name": "10. årstrinn", "tekstId_kolonne": "6", "columnCount": 6}],
        [{"name": "Alle eierformer", "tekstId_kolonne": "7", "columnCount": 6}],
        [{"name": k, "tekstId_kolonne": "8", "columnCount": 2} for k, _ in KJONN_UDIR],
        [
            {"name": "Snitt", "tekstId_kolonne": "9", "columnCount": 1},
            {"name": "Antall besvart", "tekstId_kolonne": "10", "columnCount": 1},
        ],
    ]
    rows = []
    for m in EU_SCORES[2:]:  # Motivasjon: not in the Eksport file, so the two never disagree
        data = []
        for _, g in KJONN_UDIR:
            v, n = survey(rng, m, u, year, g, 0.8, 0.3)
            data += [nb(v, 2), nb(n, 0)]
        rows.append({"navn": m.name, "kode": m.code, "id": "41", "data": data})
    doc = {"metadata": {"rowHierarchy": ["Indikator"], "columns": names}, "rows": rows}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
