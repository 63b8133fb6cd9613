"""Deterministic synthetic extracts in the publishers' genuine formats.

``python -m etl.synth --out data/sample`` writes the bundled sample (landet, Vestland,
Akershus, Telemark, Bergen with its 8 bydeler and 20 schools, Bærum, Lillestrøm, Bamble,
2015-2025). ``--scale national`` writes national volumes (every kommune and bydel, ~2,800
schools) for the benchmark. The numbers are invented ("Eksempeldata – ikke ekte tall") but
behave like real ones: each area has its own level, trends bend, survey noise is binomial
and shrinks with n, small cells are suppressed as the publishers do.

Formats written: SSB web download (Windows-1252, title line), SSB PxWebApi v2 CSV, SSB
json-stat2, Udir statistikkbank CSV (UTF-16LE, sep=\\t, wide dotted headers), Udir JSON API
answer, Udir Eksport API JSON, FHI csv3 and json-stat2 (pooled periods), and the fravær
template (CSV and XLSX).
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from oppvekst.geography import load_register

YEARS = list(range(2015, 2026))
OLD_CODE = {"4601": "4601", "3201": "3024", "3205": "3030", "4012": "3813"}  # 2020-2023 codes
OLD_FYLKE = {"46": ("46", "Vestland"), "32": ("30", "Viken"), "40": ("38", "Vestfold og Telemark"),
             "03": ("03", "Oslo"), "11": ("11", "Rogaland"), "15": ("15", "Møre og Romsdal"),
             "18": ("18", "Nordland"), "31": ("30", "Viken"), "33": ("30", "Viken"), "34": ("34", "Innlandet"),
             "39": ("38", "Vestfold og Telemark"), "42": ("42", "Agder"), "50": ("50", "Trøndelag"),
             "55": ("54", "Troms og Finnmark"), "56": ("54", "Troms og Finnmark")}
BERGEN_SCHOOLS = [  # (name, bydel) - invented names, org.nr generated with a valid check digit
    ("Arna skole (eksempel)", "460101"), ("Garnes skole (eksempel)", "460101"),
    ("Bergenhus skole (eksempel)", "460102"), ("Sentrum skole (eksempel)", "460102"),
    ("Nordnes skole (eksempel)", "460102"), ("Fana skole (eksempel)", "460103"),
    ("Nesttun skole (eksempel)", "460103"), ("Skjold skole (eksempel)", "460103"),
    ("Fyllingsdalen skole (eksempel)", "460104"), ("Dalsåsen skole (eksempel)", "460104"),
    ("Laksevåg skole (eksempel)", "460105"), ("Loddefjord skole (eksempel)", "460105"),
    ("Olsvik skole (eksempel)", "460105"), ("Ytrebygda skole (eksempel)", "460106"),
    ("Sandsli skole (eksempel)", "460106"), ("Årstad skole (eksempel)", "460107"),
    ("Landås skole (eksempel)", "460107"), ("Åsane skole (eksempel)", "460108"),
    ("Ulset skole (eksempel)", "460108"), ("Tertnes skole (eksempel)", "460108"),
]


def orgnr(seed: int) -> str:
    """A 9-digit number starting with 9 that passes the modulus-11 check."""
    k = seed * 100  # each seed owns 100 candidates, so neighbouring seeds never collide
    while True:
        body = f"9{(k * 7919 + 123457) % 10_000_000:07d}"
        rest = 11 - sum(int(d) * w for d, w in zip(body, (3, 2, 7, 6, 5, 4, 3, 2))) % 11
        if rest != 10:
            return body + str(0 if rest == 11 else rest)
        k += 1


@dataclass
class Unit:
    code: str  # current code
    name: str
    level: str  # land fylke kommune bydel skole
    parent: str
    size: float  # pupils per trinn (surveys) / children 0-17 / 1000 (KOSTRA)
    effect: float  # area's own deviation on the logit scale


class World:
    def __init__(self, scale: str = "sample", seed: int = 20261122):
        self.scale = scale
        self.rng = np.random.default_rng(seed)
        reg = load_register()
        units: list[Unit] = [Unit("0", "Hele landet", "land", "", 62000, 0.0)]
        if scale == "sample":
            kommuner = [(c, reg.areas[c].name) for c in ("4601", "3201", "3205", "4012")]
            fylker = sorted({reg.areas[c].parent for c, _ in kommuner})
        else:
            kommuner = [(a.code, a.name) for a in reg.areas.values()
                        if a.level == "kommune" and not a.valid_to and a.code not in ("9999", "2111", "2100", "2599")]
            fylker = sorted({reg.areas[c].parent for c, _ in kommuner})
        sizes = {"4601": 3000, "3201": 1600, "3205": 1050, "4012": 150}
        for f in fylker:
            units.append(Unit(f, reg.areas[f].name, "fylke", "0", 0, self.rng.normal(0, 0.08)))
        for c, name in kommuner:
            size = sizes.get(c) or float(np.clip(self.rng.lognormal(4.6, 1.0), 12, 8000))
            units.append(Unit(c, name, "kommune", c[:2], size, self.rng.normal(0, 0.15)))
        for f in [u for u in units if u.level == "fylke"]:
            f.size = sum(u.size for u in units if u.level == "kommune" and u.parent == f.code)
        bydel_kommuner = {"4601"} if scale == "sample" else {"0301", "4601", "5001", "1103"}
        for b in [a for a in reg.areas.values() if a.level == "bydel" and a.parent in bydel_kommuner
                  and not a.successor and not a.code.endswith("99") and a.code not in ("030116", "030117")]:
            parent = next(u for u in units if u.code == b.parent)
            units.append(Unit(b.code, b.name, "bydel", b.parent, 0, self.rng.normal(0, 0.25)))
        for k in bydel_kommuner:
            bys = [u for u in units if u.level == "bydel" and u.parent == k]
            w = self.rng.dirichlet(np.ones(len(bys)) * 6)
            total = next(u.size for u in units if u.code == k)
            for u, wi in zip(bys, w):
                u.size = total * wi
        schools: list[Unit] = []
        if scale == "sample":
            for i, (name, bydel) in enumerate(BERGEN_SCHOOLS):
                by = next(u for u in units if u.code == bydel)
                schools.append(Unit(orgnr(i + 1), name, "skole", bydel, 0, by.effect + self.rng.normal(0, 0.2)))
        else:
            seq = 1
            for k in [u for u in units if u.level == "kommune"]:
                count = max(1, round(k.size / 22))
                parents = [u for u in units if u.level == "bydel" and u.parent == k.code] or [k]
                for j in range(count):
                    p = parents[j % len(parents)]
                    schools.append(Unit(orgnr(seq), f"{k.name} skole {j + 1} (eksempel)", "skole", p.code, 0,
                                        p.effect + self.rng.normal(0, 0.2)))
                    seq += 1
        for p in sorted({s.parent for s in schools}):
            kids = [s for s in schools if s.parent == p]
            psize = next(u.size for u in units if u.code == p)
            w = self.rng.dirichlet(np.ones(len(kids)) * 4)
            for s, wi in zip(kids, w):
                s.size = max(12.0, psize * wi)
        self.units = units
        self.schools = schools
        self.kommune_of = {s.code: (s.parent if len(s.parent) == 4 else s.parent[:4]) for s in schools}

    def by_level(self, *levels: str) -> list[Unit]:
        return [u for u in self.units + self.schools if u.level in levels]

    def unit(self, code: str) -> Unit:
        return next(u for u in self.units + self.schools if u.code == code)


@dataclass(frozen=True)
class Measure:
    code: str
    name: str
    base: float  # national share (0-1) or mean in 2015
    slope: float  # logit change per year before the bend
    bend: int  # the year the trend bends
    slope2: float  # logit change per year after the bend
    gender: tuple[float, float] = (0.0, 0.0)  # logit offset for gutter, jenter
    kind: str = "share"  # share | score | amount


def true_value(m: Measure, u: Unit, year: float, g: str = "alle", grade_offset: float = 0.0) -> float:
    t1 = min(year, m.bend) - YEARS[0]
    t2 = max(0.0, year - m.bend)
    off = {"alle": 0.0, "gutter": m.gender[0], "jenter": m.gender[1]}[g]
    if m.kind == "share":
        lo = math.log(m.base / (1 - m.base)) + m.slope * t1 + m.slope2 * t2 + u.effect + off + grade_offset
        return 1 / (1 + math.exp(-lo))
    if m.kind == "score":
        return min(5.0, max(1.0, m.base + m.slope * t1 + m.slope2 * t2 + 0.6 * u.effect + off + grade_offset))
    return m.base * (1 + m.slope * t1 + m.slope2 * t2) * (1 + u.effect)


def survey(rng, m: Measure, u: Unit, year: float, g: str, n_scale: float, grade_offset=0.0):
    """(value, n) as a survey would publish them; n shrinks for gender groups."""
    n = max(0, int(rng.poisson(u.size * n_scale * (0.5 if g != "alle" else 1.0))))
    p = true_value(m, u, year, g, grade_offset)
    if n == 0:
        return None, 0
    if m.kind == "share":
        return 100.0 * rng.binomial(n, p) / n, n
    sd = 0.85
    return float(np.clip(rng.normal(p, sd / math.sqrt(n)), 1, 5)), n


def nb(x: float, decimals: int = 1) -> str:
    """Norwegian number: decimal comma, space as thousands separator."""
    s = f"{x:,.{decimals}f}".replace(",", " ").replace(".", ",")
    return s


# ---------------------------------------------------------------------------- Ungdata
UNGDATA = [
    Measure("depr", "Depressivt stemningsleie", 0.14, 0.04, 2020, 0.01, (-0.7, 0.5)),
    Measure("ensom", "Ensomhet", 0.12, 0.05, 2021, -0.03, (-0.3, 0.3)),
    Measure("mobbet", "Utsatt for mobbing, trusler eller vold", 0.08, 0.0, 2019, -0.05, (0.1, -0.1)),
    Measure("fritid", "Deltar i organiserte fritidsaktiviteter", 0.62, -0.02, 2020, 0.03, (0.05, -0.05)),
    Measure("lokalmiljo", "Fornøyd med lokalmiljøet", 0.67, 0.02, 2020, -0.02, (0.0, -0.1)),
    Measure("trygg", "Trygg i nærmiljøet om kvelden", 0.86, 0.03, 2019, -0.02, (0.5, -0.5)),
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
    gi, ai, si = {g: i for i, g in enumerate(geos)}, {a: i for i, a in enumerate(aars)}, {s: i for i, s in enumerate(spm)}
    ti = {t[0]: i for i, t in enumerate(UNGDATA_GRADES)}
    for m, unit, aar, kj, trinn, x, n in rows:
        for mi, val in enumerate((round(100 * x / n, 1) if n else None, n)):
            pos = ((((gi[unit.code] * size[1] + ai[aar]) * 3 + int(kj)) * size[3] + ti[trinn]) * size[4] + si[m.code]) * 2 + mi
            if n < 20 or x < 3 or n - x < 3:
                status[str(pos)] = ":"
            else:
                values[pos] = val
    names = {u.code: u.name for u in w.units}
    doc = {"version": "2.0", "class": "dataset", "label": "Ungdata: trygghet og lokalmiljø (eksempeldata)",
           "source": "Folkehelseinstituttet", "updated": "2025-03-01T06:00:00Z",
           "id": ["GEO", "AAR", "KJONN", "TRINN", "SPM_ID", "MEASURE_TYPE"], "size": size,
           "dimension": {
               "GEO": {"label": "Geografi", "category": {"index": geos, "label": {g: names[g] for g in geos}}},
               "AAR": {"label": "År", "category": {"index": {a: i for i, a in enumerate(aars)},
                                                     "label": {a: a.replace("_", "-") for a in aars}}},
               "KJONN": {"label": "Kjønn", "category": {"index": ["0", "1", "2"],
                                                         "label": {"0": "kjønn samlet", "1": "gutter", "2": "jenter"}}},
               "TRINN": {"label": "Trinn", "category": {"index": [t[0] for t in UNGDATA_GRADES]}},
               "SPM_ID": {"label": "Spørsmål", "category": {"index": spm, "label": {m.code: m.name for m in measures}}},
               "MEASURE_TYPE": {"label": "Måltall", "category": {"index": mts, "label": {"RATE": "andel (prosent)", "NEVNER": "antall svar"}}}},
           "role": {"geo": ["GEO"], "time": ["AAR"], "metric": ["MEASURE_TYPE"]},
           "value": values, "status": status}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


# ------------------------------------------------------------------ Elevundersøkelsen
EU_MOBBING = Measure("andel_mobbet", "Andel mobbet", 0.065, 0.03, 2019, -0.04, (0.1, -0.05))
EU_SCORES = [
    Measure("EUIndeks_Trivsel", "Trivsel", 4.25, 0.005, 2020, -0.02, (0.02, -0.03), "score"),
    Measure("EUIndeks_StotteLaerer", "Støtte fra lærerne", 4.15, 0.01, 2020, -0.005, (-0.02, 0.02), "score"),
    Measure("EUIndeks_Motivasjon", "Motivasjon", 3.85, -0.01, 2019, -0.02, (-0.05, 0.0), "score"),
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
                cols += [f"{skoleaar(y)}.{trinn}.Alle eierformer.{kj}.Andel mobbet",
                         f"{skoleaar(y)}.{trinn}.Alle eierformer.{kj}.Antall besvart"]
        if y == 2021:
            cols.append(f"{skoleaar(y)}.Brudd")
    head = ["EnhetNivaa", "Nasjonaltkode", "Fylkekode", "Kommunekode", "Organisasjonsnummer", "Nasjonalt",
            "Fylke", "Kommune", "EnhetNavn"]
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
        out.append("\t".join([levels[u.level], "I", fyl, kom, code, "Hele landet", name,
                              w.unit(kom).name if kom else "Alle kommuner", u.name] + cells))
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
                        recs.append({
                            "SpoersmaalNivaa": 1, "Spoersmaalgruppekode": m.code, "Spoersmaalgruppe": m.name,
                            "Spoersmaalkode": m.code, "Spoersmaalnavn": m.name, "Skoleaarnavn": skoleaar(y),
                            "EnhetNivaa": {"land": 1, "fylke": 2, "kommune": 3, "skole": 4}[u.level],
                            "Nasjonaltkode": "I", "Nasjonalt": "Hele landet", "Fylkekode": fyl,
                            "Fylke": w.unit(fyl).name if fyl else "Alle fylker", "Kommunekode": kom,
                            "Kommune": w.unit(kom).name if kom else "Alle kommuner",
                            "Organisasjonsnummer": {"land": "I"}.get(u.level, u.code), "EnhetNavn": u.name,
                            "TrinnNivaa": 1, "TrinnKode": code, "Trinnnavn": trinn, "EierformNivaa": 0,
                            "Eierformkode": "0", "EierformNavn": "Alle eierformer", "KjoennNivaa": 0 if g == "alle" else 1,
                            "KjoennKode": {"alle": "0", "gutter": "1", "jenter": "2"}[g], "Kjoenn": kj,
                            "Score": "*" if hide else nb(v, 2), "Standardavvik": "*" if hide else nb(0.85 + 0.05 * rng.standard_normal(), 2),
                            "AntallBesvart": "*" if hide else str(n)})
    for i, r in enumerate(recs):
        r.update({"Sidenummer": 1 + i // 10000, "RaderSide": 10000, "RaderTotalt": len(recs)})
    path.write_text(json.dumps(recs, ensure_ascii=False, indent=0), encoding="utf-8")


def write_udir_json_api(w: World, path: Path, kommune: str, year: int) -> None:
    rng = np.random.default_rng(17)
    u = w.unit(kommune)
    names = [[{"name": skoleaar(year), "tekstId_kolonne": "1", "columnCount": 6}],
             [{"name": "Hele landet", "tekstId_kolonne": "2", "columnCount": 6}],
             [{"name": w.unit(kommune[:2]).name, "tekstId_kolonne": "3", "columnCount": 6}],
             [{"name": u.name, "tekstId_kolonne": "4", "columnCount": 6}],
             [{"name": "Alle skoler", "tekstId_kolonne": "5", "columnCount": 6}],
             [{"name": "10. årstrinn", "tekstId_kolonne": "6", "columnCount": 6}],
             [{"name": "Alle eierformer", "tekstId_kolonne": "7", "columnCount": 6}],
             [{"name": k, "tekstId_kolonne": "8", "columnCount": 2} for k, _ in KJONN_UDIR],
             [{"name": "Snitt", "tekstId_kolonne": "9", "columnCount": 1},
              {"name": "Antall besvart", "tekstId_kolonne": "10", "columnCount": 1}]]
    rows = []
    for m in EU_SCORES[2:]:  # Motivasjon: not in the Eksport file, so the two never disagree
        data = []
        for _, g in KJONN_UDIR:
            v, n = survey(rng, m, u, year, g, 0.8, 0.3)
            data += [nb(v, 2), nb(n, 0)]
        rows.append({"navn": m.name, "kode": m.code, "id": "41", "data": data})
    doc = {"metadata": {"rowHierarchy": ["Indikator"], "columns": names}, "rows": rows}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


# ------------------------------------------------------------------------------ KOSTRA
KOSTRA = [
    Measure("KOSbvbarnuspinnb0000", "Barn med undersøkelse ift. innbyggere 0-17 år (prosent)", 0.041, 0.02, 2019, -0.03),
    Measure("KOSbvbarnhotilta0001", "Barn med barnevernstiltak ift. innbyggere 0-17 år (prosent)", 0.031, 0.0, 2018, -0.05),
    Measure("KOSandelhjemmebe0000", "Andel hjemmebesøk til nyfødte innen 14 dager etter hjemkomst (prosent)", 0.82, 0.06, 2020, 0.02),
    Measure("KOSndubvinnbygge0003", "Netto driftsutgifter til barnevern per innbygger 0-24 år (kr)", 3600, 0.04, 2020, 0.02, kind="amount"),
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
                if revise:
                    x = int(round(x * (1 + revise)))
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
    regions = list(dict.fromkeys(("EAK" if u.level == "land" else f"EKA{u.code}" if u.level == "fylke" else u.code) for u, *_ in cells))
    labels = {("EAK" if u.level == "land" else f"EKA{u.code}" if u.level == "fylke" else u.code): u.name for u, *_ in cells}
    contents = [POP_CODE] + [m.code for m in measures]
    size = [len(regions), len(contents), len(years)]
    values: list = [None] * int(np.prod(size))
    status: list = [None] * len(values)
    ri, ci, yi = {r: i for i, r in enumerate(regions)}, {c: i for i, c in enumerate(contents)}, {y: i for i, y in enumerate(years)}
    for u, y, code, v, hide in cells:
        r = "EAK" if u.level == "land" else f"EKA{u.code}" if u.level == "fylke" else u.code
        pos = (ri[r] * size[1] + ci[code]) * size[2] + yi[y]
        values[pos] = v
        if hide:
            status[pos] = ":"
    doc = {"version": "2.0", "class": "dataset", "label": "12275: Barnevern. Nøkkeltall (K) (eksempeldata)",
           "source": "Statistisk sentralbyrå", "updated": updated or "2025-06-15T06:00:00Z",
           "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"], "size": size,
           "dimension": {
               "KOKkommuneregion0000": {"label": "region", "category": {"index": {r: i for i, r in enumerate(regions)}, "label": labels}},
               "ContentsCode": {"label": "statistikkvariabel", "category": {
                   "index": {c: i for i, c in enumerate(contents)},
                   "label": {POP_CODE: POP_NAME} | {m.code: m.name for m in measures},
                   "unit": {POP_CODE: {"base": "personer", "decimals": 0}} | {
                       m.code: {"base": "kr" if m.kind == "amount" else "prosent", "decimals": 0 if m.kind == "amount" else 1}
                       for m in measures}}},
               "Tid": {"label": "år", "category": {"index": {str(y): i for i, y in enumerate(years)}}}},
           "role": {"time": ["Tid"], "geo": ["KOKkommuneregion0000"], "metric": ["ContentsCode"]},
           "value": values, "status": status}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def write_pxweb_csv(w: World, path: Path) -> None:
    """PxWebApi v2 CSV, UseCodesAndTexts, IncludeTitle, comma separated, UTF-8."""
    m = KOSTRA[2]
    rng = np.random.default_rng(23)
    head = ['"region"'] + [f'"{m.code} {m.name} {y}"' for y in YEARS]
    out = ['"11211: Helsestasjon. Nøkkeltall (K) (eksempeldata)"', ",".join(head)]
    for u in w.by_level("land", "fylke", "kommune", "bydel"):
        r = "EAK - Landet" if u.level == "land" else f"EKA{u.code} - {u.name}" if u.level == "fylke" else f"{u.code} - {u.name}"
        born = max(3, int(u.size * 1.0))
        vals = [f"{100 * rng.binomial(born, true_value(m, u, y)) / born:.1f}" for y in YEARS]
        out.append(",".join([f'"{r}"'] + vals))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------ fravær
FRAVAER_HIGH = Measure("fravaer10", "Minst 10 prosent fravær", 0.13, 0.05, 2021, -0.06, (-0.1, 0.1))
FRAVAER_MEAN = Measure("snitt", "Gjennomsnittlig fravær (prosent)", 5.6, 0.04, 2021, -0.05, kind="amount")


def write_udir_fravaer(w: World, path: Path) -> None:
    """Udir grunnskole fravær, 10. trinn, kommune level, statistikkbank CSV."""
    rng = np.random.default_rng(29)
    cols = [f"{skoleaar(y)}.10. årstrinn.{kj}.{mm}" for y in YEARS[:-1] for kj, _ in KJONN_UDIR
            for mm in ("Snitt dager", "Snitt timer", "Antall elever")]
    head = ["EnhetNivaa", "Nasjonaltkode", "Fylkekode", "Kommunekode", "Organisasjonsnummer", "Nasjonalt",
            "Fylke", "Kommune", "EnhetNavn"]
    out = ["sep=\t", "\t".join(head + cols)]
    for u in w.by_level("land", "fylke", "kommune"):
        kom = u.code if u.level == "kommune" else ""
        fyl = kom[:2] if kom else (u.code if u.level == "fylke" else "")
        cells = []
        for y in YEARS[:-1]:
            for _, g in KJONN_UDIR:
                n = int(u.size * (0.5 if g != "alle" else 1))
                days = true_value(FRAVAER_MEAN, u, y) * 1.9 + rng.normal(0, 3 / math.sqrt(max(n, 1)))
                if n < 10:
                    cells += ["*", "*", "*"]
                else:
                    cells += [nb(days), nb(days * 6.2), nb(n, 0)]
        out.append("\t".join([{"land": "1", "fylke": "2", "kommune": "3"}[u.level], "I", fyl, kom,
                              {"land": "I", "fylke": fyl}.get(u.level, kom), "Hele landet",
                              w.unit(fyl).name if fyl else "Alle fylker", w.unit(kom).name if kom else "Alle kommuner",
                              u.name] + cells))
    path.write_bytes(("\r\n".join(out) + "\r\n").encode("utf-16-le"))


TEMPLATE_HEAD = ["skole_orgnr", "skolenavn", "kommunenummer", "periode", "trinn", "kjonn", "antall_elever",
                 "elever_minst_10_prosent_fravaer", "gjennomsnitt_fravaer_prosent", "andel_dokumentert_prosent"]


def fravaer_template_rows(w: World, periods: list[tuple[str, float]]):
    rng = np.random.default_rng(31)
    for s in w.schools:
        for label, year in periods:
            for trinn in ("8", "9", "10"):
                for kj, g in (("alle", "alle"), ("gutter", "gutter"), ("jenter", "jenter")):
                    n = max(1, int(rng.poisson(s.size * 0.55 * (0.5 if g != "alle" else 1))))
                    high = rng.binomial(n, true_value(FRAVAER_HIGH, s, year, g))
                    mean = max(0.5, true_value(FRAVAER_MEAN, s, year) + rng.normal(0, 4 / math.sqrt(n)))
                    yield [s.code, s.name, w.kommune_of[s.code], label, trinn, kj, n, high,
                           nb(mean), nb(min(100, max(0, 62 + rng.normal(0, 6))))]


def write_fravaer_csv(w: World, path: Path) -> None:
    out = [";".join(TEMPLATE_HEAD)]
    for r in fravaer_template_rows(w, [(skoleaar(y), y + 0.5) for y in YEARS[:-1]]):
        out.append(";".join(str(c) for c in r))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def write_fravaer_xlsx(w: World, path: Path) -> None:
    import openpyxl

    months = [(f"{y}M{m:02d}", y + (m - 0.5) / 12) for y, m in
              [(2023, m) for m in (8, 9, 10, 11, 12)] + [(2024, m) for m in range(1, 13) if m != 7]
              + [(2025, m) for m in range(1, 7)]]
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Fravær")
    ws.append(TEMPLATE_HEAD)
    for r in fravaer_template_rows(w, months):
        ws.append(r)
    bio = io.BytesIO()
    wb.save(bio)
    # Fixed timestamps inside the zip keep the file byte-identical between runs
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(bio.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                data = re.sub(rb"<dcterms:(created|modified)([^>]*)>[^<]*<", rb"<dcterms:\1\2>2025-01-01T00:00:00Z<", data)
            zi = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    path.write_bytes(out.getvalue())


def write_school_map(w: World, path: Path) -> None:
    lines = ["orgnr,skolenavn,bydelsnummer,kilde"]
    for s in w.schools:
        if len(s.parent) == 6:
            lines.append(f'{s.code},"{s.name}",{s.parent},eksempeldata (generert av etl/synth.py)')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------ driver
def generate(out: Path, scale: str = "sample") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "revisjon").mkdir(exist_ok=True)
    w = World(scale)
    files = {
        "ssb_kostra_barnevern_2015-2023.csv": lambda p: write_ssb_web(w, p, YEARS[:-2]),
        "ssb_kostra_barnevern_2024-2025.json": lambda p: write_ssb_jsonstat(w, p, YEARS[-2:], 0.0, "2025-03-15T06:00:00Z"),
        "ssb_kostra_helsestasjon_pxweb.csv": lambda p: write_pxweb_csv(w, p),
        "fhi_ungdata_psykisk_helse_csv3.csv": lambda p: write_fhi_csv3(w, p, UNGDATA[:4]),
        "fhi_ungdata_lokalmiljo.json": lambda p: write_fhi_jsonstat(w, p, UNGDATA[4:]),
        "udir_elevundersokelsen_mobbing.csv": lambda p: write_udir_csv_mobbing(w, p),
        "udir_elevundersokelsen_eksport.json": lambda p: write_udir_eksport(w, p),
        "udir_elevundersokelsen_bergen_api.json": lambda p: write_udir_json_api(w, p, "4601", 2024),
        "udir_fravaer_grunnskole.csv": lambda p: write_udir_fravaer(w, p),
        "fravaer_skoler_skolear.csv": lambda p: write_fravaer_csv(w, p),
        "fravaer_skoler_maned.xlsx": lambda p: write_fravaer_xlsx(w, p),
        # KOSTRA's final figures in June revise March's preliminary ones
        "revisjon/ssb_kostra_barnevern_2025_endelig.json":
            lambda p: write_ssb_jsonstat(w, p, YEARS[-1:], 0.04, "2025-06-15T06:00:00Z"),
    }
    written = []
    for name, fn in files.items():
        p = out / name
        fn(p)
        written.append(p)
    if scale == "sample":
        write_school_map(w, out.parent / "skole_bydel.csv")
    return written


def digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl.synth", description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "data" / "sample"))
    ap.add_argument("--scale", choices=["sample", "national"], default="sample")
    args = ap.parse_args(argv)
    paths = generate(Path(args.out), args.scale)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files, {size / 1e6:.1f} MB, to {args.out} (sha256 {digest(paths)[:12]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
