"""The invented world the sample is drawn from: areas, schools, measures with levels and
trends, and survey noise. Deterministic for a given scale.

A sample with known truth (issue 18): Bergen and its bydeler are calm - their true values are
landet's on every measure (``CALM``) - but for the signals declared in ``PLANTED``: one bydel
that truly worsens, one truly ahead of landet, and the few national trends kept after the
0-punkt (every other measure is flat from its indicators' 0-punkt on). Other kommuner keep
their own levels; schools keep their own variation around their bydel (centred, so the
bydel's schools together are the bydel). Two tiltak run in Bergen schools (``TILTAK_EFFECTS``, the
same as ``tiltak:`` in indicators.yml): one with a true effect from its start, one with none.
``indicator_truth``, ``true_change``, ``true_gap`` and ``declared_effects`` give the truth a test can
hold the sample and its verdicts against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from oppvekst.geography import load_register
from oppvekst.periods import parse_period

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
    # planted signals: measure code -> [(prosentpoeng or points, (from, to) years or None = all years)]
    shifts: dict[str, list[tuple[float, tuple[float, float] | None]]] = field(default_factory=dict)


BERGEN = "4601"
CALM = {BERGEN}  # kommuner that, with their bydeler, have landet's level but for PLANTED


@dataclass(frozen=True)
class Signal:
    """A true signal planted in the world (or a national trend kept after the 0-punkt).

    ``size`` is in the indicator's unit (prosentpoeng for shares), signed as the value moves:
    'worsens' - the area's change from the 0-punkt to the latest period, ramping linearly over
    ``years`` (the 0-punkt's and the latest period's middle); 'ahead_of_landet' - the area's
    difference from landet in every period (``years`` None); 'national_trend' - landet's change
    from the 0-punkt to the latest period (every calm area moves with it). A planted signal acts
    on the measure (every trinn and kjønn alike); a bydel's signal moves its kommune by the
    bydel's share of the kommune's pupils, and its schools with it."""

    kind: str  # worsens | ahead_of_landet | national_trend
    indicator_id: str
    measure: str  # the generator's measure code
    area_code: str  # '0' for a national trend
    size: float
    years: tuple[float, float] | None = None
    note: str = ""


PLANTED: list[Signal] = [
    Signal(
        "worsens",
        "ung_trygg",
        "trygg",
        "460107",
        -7.0,
        (2020.0, 2023.0),
        "Årstad: ungdom som føler seg trygge om kvelden faller 7 prosentpoeng fra 0-punktet 2019-2021 "
        "til 2022-2024; de andre bydelene står stille",
    ),
    Signal(
        "ahead_of_landet",
        "ung_fritid",
        "fritid",
        "460103",
        10.0,
        None,
        "Fana: 10 prosentpoeng flere deltar i organiserte fritidsaktiviteter enn i landet, alle år",
    ),
    Signal(
        "national_trend",
        "ung_depr",
        "depr",
        "0",
        3.0,
        (2020.0, 2023.0),
        "Landet: depressivt stemningsleie øker fra 17,5 prosent (0-punktet 2019-2021) til 2022-2024",
    ),
    Signal("national_trend", "ung_depr_jenter", "depr", "0", 3.9, (2020.0, 2023.0), "Jentene: samme trend"),
    Signal(
        "national_trend",
        "eu_mobbing_10",
        "andel_mobbet",
        "0",
        -3.0,
        (2020.0, 2025.0),
        "Landet: færre elever blir mobbet fra 2020-21 til 2025-26",
    ),
    Signal("national_trend", "eu_mobbing_7", "andel_mobbet", "0", -2.3, (2020.0, 2025.0), "7. trinn: samme trend"),
    Signal(
        "national_trend",
        "eu_mobbing_7_3ar",
        "andel_mobbet",
        "0",
        -1.7,
        (2020.0, 2025.0),
        "7. trinn, tre skoleår samlet: fra 2018-2021 til 2023-2026",
    ),
    Signal(
        "national_trend",
        "kostra_hjemmebesok",
        "KOSandelhjemmebe0000",
        "0",
        4.2,
        (2020.0, 2025.0),
        "Landet: hjemmebesøk innen 14 dager øker fra 2020 til 2025 (KOSTRA oppgir ingen n: kan ikke testes)",
    ),
]


@dataclass(frozen=True)
class TiltakEffect:
    """A tiltak the sample runs in some Bergen schools (``tiltak:`` in indicators.yml, the same
    id, schools and start) and its true effect: ``size`` in prosentpoeng on ``measure`` (every trinn
    and kjønn alike) in the tiltak's schools from the school year starting in autumn ``start`` on, a
    step, not a ramp; 0 for a tiltak that does nothing. The schools' kommune moves by their share
    of its pupils; a bydel built from its schools moves with them (``declared_effects``)."""

    tiltak_id: str
    measure: str  # the generator's measure code
    schools: tuple[str, ...]  # names in BERGEN_SCHOOLS
    start: int
    size: float
    indicator_ids: tuple[str, ...]  # the indicators.yml indicators the tiltak is meant to move
    note: str = ""


TILTAK_EFFECTS: list[TiltakEffect] = [
    TiltakEffect(
        "miljoarbeidere",
        "andel_mobbet",
        ("Nesttun skole (eksempel)", "Landås skole (eksempel)", "Åsane skole (eksempel)"),
        2022,
        -4.0,
        ("eu_mobbing_10", "eu_mobbing_7"),
        "Tiltak 5: miljøarbeidere på tre skoler fra 2022-23 senker andelen som blir mobbet med 4 prosentpoeng",
    ),
    TiltakEffect(
        "samarbeidsmodell",
        "fravaer10",
        (
            "Garnes skole (eksempel)",
            "Fyllingsdalen skole (eksempel)",
            "Sandsli skole (eksempel)",
            "Tertnes skole (eksempel)",
        ),
        2021,
        0.0,
        ("fravaer_bekymring_10",),
        "Tiltak 13: samarbeidsmodellen på fire skoler fra 2021-22 endrer ikke fraværet",
    ),
]


def _step(start: int) -> tuple[float, float]:
    """A step at the school year starting in autumn ``start``: off for the years drawn before it
    (a survey's spring ``start - 1``, the fravær template's middle ``start - 0,5``), on from it."""
    return (start - 0.5, float(start))


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
            effect = self.rng.normal(0, 0.15)  # drawn for every kommune, so the others keep theirs
            units.append(Unit(c, name, "kommune", c[:2], size, 0.0 if c in CALM else effect))
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
            effect = self.rng.normal(0, 0.25)
            units.append(Unit(b.code, b.name, "bydel", b.parent, 0, 0.0 if b.parent in CALM else effect))
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
            if p[:4] in CALM:  # schools vary around their bydel, and together they are the bydel
                mean = sum(s.effect * s.size for s in kids) / sum(s.size for s in kids)
                for s in kids:
                    s.effect -= mean
        self.units = units
        self.schools = schools
        self.kommune_of = {s.code: (s.parent if len(s.parent) == 4 else s.parent[:4]) for s in schools}
        self._by_code = {u.code: u for u in units + schools}
        for sig in PLANTED:
            if sig.kind != "national_trend" and sig.area_code in self._by_code:
                self._plant(sig)
        if scale == "sample":
            for te in TILTAK_EFFECTS:
                if te.size:
                    self._plant_tiltak(te)

    def _plant(self, sig: Signal) -> None:
        u = self._by_code[sig.area_code]
        for x in [u] + [s for s in self.schools if s.parent == u.code]:
            x.shifts.setdefault(sig.measure, []).append((sig.size, sig.years))
        if u.level == "bydel":  # the kommune is its bydeler: it moves by the bydel's share
            k = self._by_code[u.parent]
            k.shifts.setdefault(sig.measure, []).append((float(sig.size * u.size / k.size), sig.years))

    def tiltak_schools(self, te: TiltakEffect) -> list[Unit]:
        return [next(s for s in self.schools if s.name == name) for name in te.schools]

    def _plant_tiltak(self, te: TiltakEffect) -> None:
        schools = self.tiltak_schools(te)
        for s in schools:
            s.shifts.setdefault(te.measure, []).append((te.size, _step(te.start)))
        k = self._by_code[self.kommune_of[schools[0].code]]  # the kommune is its schools
        k.shifts.setdefault(te.measure, []).append(
            (float(te.size * sum(s.size for s in schools) / k.size), _step(te.start))
        )

    def weight_in_kommune(self, code: str) -> float:
        """A bydel's share of its kommune's pupils (the kommune's true value is the bydeler's
        true values weighted so)."""
        u = self.unit(code)
        return float(u.size / self.unit(u.parent).size)

    def by_level(self, *levels: str) -> list[Unit]:
        return [u for u in self.units + self.schools if u.level in levels]

    def unit(self, code: str) -> Unit:
        return self._by_code[code]


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


def planted_shift(u: Unit, measure: str, year: float) -> float:
    """The planted signals' shift of ``u`` on ``measure`` in ``year`` (prosentpoeng or points)."""
    total = 0.0
    for size, span in u.shifts.get(measure, ()):
        if span is None:
            total += size
        else:
            a, b = span
            total += size * min(1.0, max(0.0, (year - a) / (b - a)))
    return total


def true_value(m: Measure, u: Unit, year: float, g: str = "alle", grade_offset: float = 0.0) -> float:
    t1 = min(year, m.bend) - YEARS[0]
    t2 = max(0.0, year - m.bend)
    off = {"alle": 0.0, "gutter": m.gender[0], "jenter": m.gender[1]}[g]
    shift = planted_shift(u, m.code, year)
    if m.kind == "share":
        lo = math.log(m.base / (1 - m.base)) + m.slope * t1 + m.slope2 * t2 + u.effect + off + grade_offset
        p = 1 / (1 + math.exp(-lo))
        return min(0.999, max(0.001, p + shift / 100)) if shift else p
    if m.kind == "score":
        return min(5.0, max(1.0, m.base + m.slope * t1 + m.slope2 * t2 + 0.6 * u.effect + off + grade_offset + shift))
    return m.base * (1 + m.slope * t1 + m.slope2 * t2) * (1 + u.effect) + shift


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


# ------------------------------------------------------------------------------ the truth
# What the sample's files are drawn from, per plan indicator: a test computes each area's true
# change since the 0-punkt and its true difference from its benchmark, and holds both against
# ``PLANTED``. True values are expectations before survey noise and suppression.
TOLERANCE = {"prosent": 0.5, "poeng": 0.02, "kr": 1.0}  # "(near) zero" for a true difference


def _indicator(indicator):
    if isinstance(indicator, str):
        from oppvekst.registry import load_registry

        return next(i for i in load_registry().indicators if i.id == indicator)
    return indicator


def _source_measure(ind):
    """(Measure, trinn's offset) the generator draws the indicator's source measure from."""
    from samplegen.fhi import UNGDATA, UNGDATA_GRADES
    from samplegen.fravaer import FRAVAER_HIGH, FRAVAER_MEAN
    from samplegen.ssb import KOSTRA
    from samplegen.udir import EU_GRADES, EU_MOBBING, EU_SCORES

    code, grade = ind.select.measure.split(":")[0], ind.select.grade
    if ind.source == "ungdata":
        return {m.code: m for m in UNGDATA}[code], {t: o for t, o, _ in UNGDATA_GRADES}[grade]
    if ind.source == "elevundersokelsen":
        return {m.code: m for m in [EU_MOBBING, *EU_SCORES]}[code], {c: o for _, c, o in EU_GRADES}[grade]
    if ind.source == "kostra":
        return {m.code: m for m in KOSTRA}[code], 0.0
    if ind.source == "fravaer":
        return {"fravaer_minst_10_prosent": FRAVAER_HIGH, "fravaer_snitt_prosent": FRAVAER_MEAN}[code], 0.0
    raise KeyError(f"the sample has no source {ind.source!r}")


def indicator_periods(indicator) -> list[str]:
    """The periods the sample publishes for the indicator, oldest first (as the marts label them)."""
    from samplegen.fhi import UNGDATA_PERIODS
    from samplegen.udir import skoleaar

    ind = _indicator(indicator)
    if ind.source == "ungdata":
        return [f"{a}-{b}" for a, b in UNGDATA_PERIODS]
    if ind.source == "kostra":
        return [str(y) for y in YEARS]
    if ind.source == "fravaer":
        return [skoleaar(y) for y in YEARS[:-1]]
    k = ind.pool_years
    return [skoleaar(y) for y in YEARS] if k == 1 else [f"{y - k + 1}-{y + 1}" for y in YEARS[k - 1 :]]


def _years(ind, period: str) -> list[float]:
    """The years the generator draws a period from: a survey's middle year, a school year's
    autumn (the fravær template: its middle), a pooled window of school years each of its own."""
    p = parse_period(period)
    if ind.source == "ungdata":
        return [(p.year_start + p.year_end) / 2]
    if ind.source == "fravaer":
        return [p.year_start + 0.5]
    if p.kind == "pooled":  # school years pooled (pool_years): 2018-2021 is 2018-19 .. 2020-21
        return [float(y) for y in range(p.year_start, p.year_end)]
    return [float(p.year_start)]


def indicator_truth(indicator, area_code: str, period: str, gender: str | None = None, world=None) -> float:
    """The true value of a plan indicator (an id or a registry ``Indicator``) for an area and a
    period, in the indicator's unit (prosent for shares). ``gender`` defaults to the indicator's
    own. An area the publisher covers is its own unit; a bydel Elevundersøkelsen does not cover
    and every area of the fravær template are their schools, weighted by pupils (as the marts
    aggregate them from numerators). Periods pooled over school years: the years' mean."""
    ind = _indicator(indicator)
    w = world or _world()
    m, grade_offset = _source_measure(ind)
    g = gender or ind.select.gender
    u = w.unit(area_code)
    from_schools = ind.source == "fravaer" and u.level in ("kommune", "bydel")
    from_schools |= ind.source == "elevundersokelsen" and u.level == "bydel"
    parts = [s for s in w.schools if s.parent == u.code or w.kommune_of[s.code] == u.code] if from_schools else [u]
    if not parts:
        raise KeyError(f"the sample has no schools in {area_code}")
    scale = 100.0 if m.kind == "share" else 1.0
    vals = [
        sum(s.size * true_value(m, s, y, g, grade_offset) for s in parts) / sum(s.size for s in parts)
        for y in _years(ind, period)
    ]
    return float(scale * sum(vals) / len(vals))


def benchmark_code(area_code: str, world=None) -> str:
    """The area an area is compared with: a bydel with its kommune, the rest with landet."""
    u = (world or _world()).unit(area_code)
    return u.parent if u.level == "bydel" else "0"


def true_change(indicator, area_code: str, gender: str | None = None, world=None) -> float:
    """The true change from the indicator's 0-punkt to the sample's latest period."""
    ind = _indicator(indicator)
    latest = indicator_periods(ind)[-1]
    return indicator_truth(ind, area_code, latest, gender, world) - indicator_truth(
        ind, area_code, ind.baseline.period, gender, world
    )


def true_gap(indicator, area_code: str, period: str | None = None, gender: str | None = None, world=None) -> float:
    """The true difference from the area's benchmark in ``period`` (default: the latest)."""
    ind = _indicator(indicator)
    period = period or indicator_periods(ind)[-1]
    bench = benchmark_code(area_code, world)
    return indicator_truth(ind, area_code, period, gender, world) - indicator_truth(ind, bench, period, gender, world)


@dataclass(frozen=True)
class Effect:
    """What ``PLANTED`` says one Bergen-family area's plan indicator truly shows: its change since
    the 0-punkt and its difference from its benchmark at the 0-punkt and in the latest period.
    ``kind``: the signal's kind, or 'diluted' for a kommune moved by its bydel's signal and for
    the other bydeler, compared with that kommune, and for the Bergen family moved by a tiltak's
    true effect in its schools (added to a national trend's entry, which keeps its kind)."""

    indicator_id: str
    area_code: str
    kind: str
    change: float = 0.0
    gap_at_baseline: float = 0.0
    gap: float = 0.0


def declared_effects(world=None) -> dict[tuple[str, str], Effect]:
    """Every (indicator, area) of Bergen and its bydeler that ``PLANTED`` moves, and how much -
    worked out from the declaration and the bydeler's shares alone, not from the world's values.
    A pair not in the answer is declared calm: no change since the 0-punkt, no difference from
    its benchmark (within ``TOLERANCE``)."""
    from oppvekst.registry import load_registry

    w = world or _world()
    bydeler = [u.code for u in w.units if u.level == "bydel" and u.parent == BERGEN]
    out: dict[tuple[str, str], Effect] = {}
    indicators = load_registry().indicators
    for sig in PLANTED:
        if sig.kind == "national_trend":
            for code in [BERGEN, *bydeler]:
                out[(sig.indicator_id, code)] = Effect(sig.indicator_id, code, sig.kind, change=sig.size)
            continue
        share = w.weight_in_kommune(sig.area_code)
        ahead = sig.years is None  # the whole difference in every period, else a change from 0
        for ind in indicators:  # a signal on a measure shows on every indicator drawn from it
            if ind.select.measure.split(":")[0] != sig.measure:
                continue
            for code in [BERGEN, *bydeler]:
                if code == sig.area_code:
                    move, gap, kind = sig.size, sig.size * (1 - share), sig.kind
                elif code == BERGEN:
                    move, gap, kind = sig.size * share, sig.size * share, "diluted"
                else:  # another bydel, against a kommune that moved
                    move, gap, kind = 0.0, -sig.size * share, "diluted"
                out[(ind.id, code)] = Effect(
                    ind.id,
                    code,
                    kind,
                    change=0.0 if ahead else move,
                    gap_at_baseline=gap if ahead else 0.0,
                    gap=gap,
                )
    for te in TILTAK_EFFECTS:  # a school's effect moves its bydel and the kommune by its pupils' share
        if not te.size:
            continue
        treated = {s.code for s in w.tiltak_schools(te)}
        k_share = sum(s.size for s in w.schools if s.code in treated) / w.unit(BERGEN).size
        for ind in indicators:
            if ind.select.measure.split(":")[0] != te.measure:
                continue
            on = {  # how much of the step a period holds (a pooled period: the share of its years after the start)
                p: sum(y >= te.start for y in _years(ind, p)) / len(_years(ind, p))
                for p in (ind.baseline.period, indicator_periods(ind)[-1])
            }
            at_base, at_last = on[ind.baseline.period], on[indicator_periods(ind)[-1]]
            for code in [BERGEN, *bydeler]:
                if code == BERGEN:
                    share = k_share  # against landet, which does not move
                else:
                    kids = [s for s in w.schools if s.parent == code]
                    share = sum(s.size for s in kids if s.code in treated) / sum(s.size for s in kids) - k_share
                move = te.size * (share + (k_share if code != BERGEN else 0.0))
                e = out.get((ind.id, code)) or Effect(ind.id, code, "diluted")
                out[(ind.id, code)] = Effect(
                    ind.id,
                    code,
                    e.kind,
                    change=e.change + move * (at_last - at_base),
                    gap_at_baseline=e.gap_at_baseline + te.size * share * at_base,
                    gap=e.gap + te.size * share * at_last,
                )
    return out


_WORLD: World | None = None


def _world() -> World:
    global _WORLD
    if _WORLD is None:
        _WORLD = World("sample")
    return _WORLD
