"""The invented world the sample is drawn from: areas, schools, measures with levels and
trends, and survey noise. Deterministic for a given scale."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from oppvekst.geography import load_register

YEARS = list(range(2015, 2026))
OLD_CODE = {"4601": "4601", "3201": "3024", "3205": "3030", "4012": "3813"}  # 2020-2023 codes
OLD_FYLKE = {
    "46": ("46", "Vestland"),
    "32": ("30", "Viken"),
    "40": ("38", "Vestfold og Telemark"),
    "03": ("03", "Oslo"),
    "11": ("11", "Rogaland"),
    "15": ("15", "Møre og Romsdal"),
    "18": ("18", "Nordland"),
    "31": ("30", "Viken"),
    "33": ("30", "Viken"),
    "34": ("34", "Innlandet"),
    "39": ("38", "Vestfold og Telemark"),
    "42": ("42", "Agder"),
    "50": ("50", "Trøndelag"),
    "55": ("54", "Troms og Finnmark"),
    "56": ("54", "Troms og Finnmark"),
}
BERGEN_SCHOOLS = [  # (name, bydel) - invented names, org.nr generated with a valid check digit
    ("Arna skole (eksempel)", "460101"),
    ("Garnes skole (eksempel)", "460101"),
    ("Bergenhus skole (eksempel)", "460102"),
    ("Sentrum skole (eksempel)", "460102"),
    ("Nordnes skole (eksempel)", "460102"),
    ("Fana skole (eksempel)", "460103"),
    ("Nesttun skole (eksempel)", "460103"),
    ("Skjold skole (eksempel)", "460103"),
    ("Fyllingsdalen skole (eksempel)", "460104"),
    ("Dalsåsen skole (eksempel)", "460104"),
    ("Laksevåg skole (eksempel)", "460105"),
    ("Loddefjord skole (eksempel)", "460105"),
    ("Olsvik skole (eksempel)", "460105"),
    ("Ytrebygda skole (eksempel)", "460106"),
    ("Sandsli skole (eksempel)", "460106"),
    ("Årstad skole (eksempel)", "460107"),
    ("Landås skole (eksempel)", "460107"),
    ("Åsane skole (eksempel)", "460108"),
    ("Ulset skole (eksempel)", "460108"),
    ("Tertnes skole (eksempel)", "460108"),
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
            kommuner = [
                (a.code, a.name)
                for a in reg.areas.values()
                if a.level == "kommune" and not a.valid_to and a.code not in ("9999", "2111", "2100", "2599")
            ]
            if scale == "half":  # every second kommune (those with bydeler always): cost against size
                keep = {"0301", "4601", "5001", "1103"}
                kommuner = [k for i, k in enumerate(sorted(kommuner)) if i % 2 == 0 or k[0] in keep]
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
        for b in [
            a
            for a in reg.areas.values()
            if a.level == "bydel"
            and a.parent in bydel_kommuner
            and not a.successor
            and not a.code.endswith("99")
            and a.code not in ("030116", "030117")
        ]:
            _parent = next(u for u in units if u.code == b.parent)  # the kommune must exist
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
                    schools.append(
                        Unit(
                            orgnr(seq),
                            f"{k.name} skole {j + 1} (eksempel)",
                            "skole",
                            p.code,
                            0,
                            p.effect + self.rng.normal(0, 0.2),
                        )
                    )
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
