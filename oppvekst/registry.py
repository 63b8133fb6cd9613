"""``indicators.yml``: the plan's indicators, validated on load.

Every problem is reported at once, by indicator id and field, with a hint how to fix it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from oppvekst.periods import ValueProblem, parse_period

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REGISTRY = ROOT / "indicators.yml"


def _period(v: str) -> str:
    try:
        return parse_period(str(v)).label
    except ValueProblem:
        raise ValueError(
            f"«{v}» er ikke en gyldig periode (skriv f.eks. 2024, skoleåret 2024-25, treårsperioden 2021-2023, "
            "H2024 eller 2024M09)"
        ) from None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Selector(Strict):
    """Which rows of ``observations`` hold the indicator."""

    measure: str = Field(min_length=1, description="measure_code, or measure_name when the file has no code")
    grade: str = "alle"
    gender: Literal["alle", "gutter", "jenter"] = "alle"
    breakdown: str = ""


class Baseline(Strict):
    period: str
    value: float | None = None  # the value agreed when the plan was adopted

    _p = field_validator("period", mode="before")(lambda cls, v: _period(v))


class Target(Strict):
    value: float
    period: str

    _p = field_validator("period", mode="before")(lambda cls, v: _period(v))


OWNER_LEVELS = ("byradsavdeling", "etat", "enhet", "skole")  # top to bottom
OWNER_SEP = " › "  # between the levels of an owner's path («BBSI › Etat for skole»)


class Owner(Strict):
    """Who answers for an indicator in the resultatavtale: the byrådsavdeling (or the kommune's
    top level under another name), and where the plan names them the etat, enhet and skole
    below it. ``owner: "Byrådsavdeling …"`` (text) is the top level alone; a mapping
    ``{byradsavdeling: …, etat: …}`` gives the path. Levels may be left out, not reordered."""

    byradsavdeling: str = Field(min_length=2)
    etat: str | None = Field(default=None, min_length=2)
    enhet: str | None = Field(default=None, min_length=2)
    skole: str | None = Field(default=None, min_length=2)

    @model_validator(mode="before")
    @classmethod
    def _text_or_mapping(cls, v):
        if isinstance(v, str):
            return {"byradsavdeling": v}
        if isinstance(v, dict):  # «byrådsavdeling» with å is the same key
            return {("byradsavdeling" if str(k) == "byrådsavdeling" else k): x for k, x in v.items()}
        if isinstance(v, Owner):
            return v
        kind = {list: "en liste", int: "et tall", float: "et tall", bool: "ja/nei"}.get(type(v), "tom")
        raise ValueError(f"eieren må være tekst eller nivåer ({', '.join(OWNER_LEVELS)}), ikke {kind}")

    @field_validator(*OWNER_LEVELS)
    @classmethod
    def _no_separator(cls, v):
        if v is not None and OWNER_SEP.strip() in v:
            raise ValueError(f"navnet kan ikke inneholde «{OWNER_SEP.strip()}» (skiller nivåene)")
        return v

    @property
    def path(self) -> list[str]:
        return [v for v in (self.byradsavdeling, self.etat, self.enhet, self.skole) if v]

    @property
    def text(self) -> str:
        return OWNER_SEP.join(self.path)


class Indicator(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str = Field(min_length=3)
    goal: str = Field(min_length=3)
    source: Literal["ungdata", "elevundersokelsen", "kostra", "fravaer", "fhi", "ssb", "udir"]
    select: Selector
    unit: Literal["prosent", "poeng", "kr", "dager", "timer", "antall", "per 1000"]
    statistic: Literal["proportion", "mean", "rate", "count"]
    polarity: Literal["higher_is_better", "lower_is_better", "neutral"]
    baseline: Baseline
    target: Target | None = None
    owner: Owner
    min_n: int = Field(default=10, ge=1)
    description: str = ""
    source_url: str = Field(default="", pattern=r"^(https?://\S+)?$")
    tiltak: list[str] = []
    pooled: bool = False  # periods are pooled/rolling (Ungdata): no annual trend test
    pool_years: int = Field(default=1, ge=1, le=5)  # >1: also pool this many annual values (Σx/Σn) for small areas

    @model_validator(mode="after")
    def _coherent(self):
        if self.statistic == "proportion" and self.unit != "prosent":
            raise ValueError("en andel (statistic «proportion») må ha enheten «prosent» (unit)")
        if self.unit == "prosent":
            for label, v in (
                ("target.value", self.target.value if self.target else None),
                ("baseline.value", self.baseline.value),
            ):
                if v is not None and not 0 <= v <= 100:
                    raise ValueError(f"{label} {v} er ikke en prosent mellom 0 og 100")
        if self.target and parse_period(self.target.period).year_end < parse_period(self.baseline.period).year_end:
            raise ValueError(
                f"målperioden {self.target.period} (target.period) er før 0-punktet {self.baseline.period} "
                "(baseline.period)"
            )
        if self.pool_years > 1 and self.statistic not in ("proportion", "mean"):
            raise ValueError(
                "pool_years virker bare for andeler og gjennomsnitt (statistic «proportion» eller «mean»), "
                "som slås sammen med teller og nevner"
            )
        if self.target and self.polarity == "neutral":
            raise ValueError(
                "en indikator der ingen retning er bedre (polarity «neutral»), kan ikke ha mål: sett polarity, "
                "eller fjern target"
            )
        return self


TILTAK_LEVELS = ("skole", "bydel", "kommune")
TILTAK_KINDS = {"school_year": "skoleår", "year": "år"}  # the kinds of period a tiltak can be measured in


def _code(v):
    """A unit code as text: YAML reads 460101 (unquoted) as a number."""
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class Tiltak(Strict):
    """Where and when a tiltak runs (``tiltak:`` in indicators.yml): the units (schools by
    organisasjonsnummer, bydeler or kommuner - one level), the first period it ran (in the kind of
    period its indicators are measured in: a school year «2022-23» or a year «2022»), when it
    stopped if it did, and the indicators it is meant to move. ``name`` is the text the indicators'
    ``tiltak:`` lists use; an indicator that lists the name is one the tiltak is meant to move."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=3)
    units: list[str] = Field(min_length=1)
    start: str
    stop: str | None = None
    indicators: list[str] = []
    description: str = ""

    _units = field_validator("units", mode="before")(lambda cls, v: [_code(x) for x in v] if isinstance(v, list) else v)
    _p = field_validator("start", "stop", mode="before")(lambda cls, v: v if v is None else _period(v))

    @property
    def level(self) -> str:
        from oppvekst.geography import canonical_code

        return canonical_code(self.units[0])[1] or ""

    @property
    def start_year(self) -> int:
        """The first treated period as an int: the school year's autumn, or the year."""
        return parse_period(self.start).year_start

    @property
    def stop_year(self) -> int | None:
        return parse_period(self.stop).year_start if self.stop else None


@dataclass(frozen=True)
class DataCoverage:
    """What the data hold, for the checks that need them: the area codes with data, and per
    indicator the first and last period (an int: the year, or the school year's autumn) of the
    kind its 0-punkt is measured in, with their labels."""

    areas: frozenset[str]
    periods: dict  # indicator_id -> (first int, last int, first label, last label)


class Registry(Strict):
    version: Literal[1] = 1
    default_area: str = Field(default="4601", pattern=r"^\d{4}(\d{2})?$")
    indicators: list[Indicator]
    tiltak: list[Tiltak] = []


@dataclass(frozen=True)
class RegistryProblem:
    indicator: str  # id (of the indicator, or of the tiltak when ``field`` starts with «tiltak.»), or '' for the file
    field: str
    message: str
    hint: str
    line: int | None = None

    def __str__(self) -> str:
        kind = "tiltak" if self.field.startswith("tiltak.") else "indikator"
        where = f"{kind} «{self.indicator}»" if self.indicator else "fila"
        line = f" (linje {self.line})" if self.line else ""
        return f"{where}, felt «{self.field}»{line}: {self.message}. {self.hint}"


class RegistryError(Exception):
    def __init__(self, path: Path, problems: list[RegistryProblem]):
        self.path, self.problems = path, problems
        super().__init__(
            f"{path}: {len(problems)} problem(er) i indikatorregisteret:\n" + "\n".join(f"- {p}" for p in problems)
        )


HINTS = {
    "missing": "Feltet mangler: legg det til (se README, «Legge til en indikator»).",
    "extra_forbidden": "Ukjent felt: sjekk stavemåten, eller fjern det.",
    "literal_error": "Bruk en av de tillatte verdiene.",
    "string_pattern_mismatch": "Sjekk formatet (id: små bokstaver, tall og _; source_url: https://…).",
    "float_parsing": "Skriv et tall med punktum som desimaltegn i YAML (f.eks. 12.5).",
    "value_error": "Rett verdien.",
}


def _quoted(v) -> str:
    """«x» for a value in a message; pydantic's 'a', 'b' or 'c' as «a», «b» eller «c»."""
    return f"«{v}»"


def _message(err: dict) -> str:
    """A pydantic error in bokmål (the field name and the line are reported beside it). Our own
    checks raise ValueError with a Norwegian text already; an unknown kind keeps pydantic's words."""
    kind, ctx, given = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "literal_error":
        expected = re.sub(r"'([^']*)'", r"«\1»", str(ctx.get("expected", ""))).replace(" or ", " eller ")
        return f"{_quoted(given)} er ikke tillatt (tillatt: {expected})"
    if kind == "value_error":
        return err["msg"].removeprefix("Value error, ")
    texts = {
        "missing": "feltet mangler",
        "extra_forbidden": "ukjent felt",
        "string_pattern_mismatch": f"{_quoted(given)} har ikke riktig format",
        "string_too_short": f"teksten er for kort (minst {ctx.get('min_length')} tegn)",
        "too_short": "listen er tom",
        "greater_than_equal": f"må være minst {ctx.get('ge')}",
        "greater_than": f"må være større enn {ctx.get('gt')}",
        "less_than_equal": f"kan være høyst {ctx.get('le')}",
        "less_than": f"må være mindre enn {ctx.get('lt')}",
        "float_parsing": f"{_quoted(given)} er ikke et tall",
        "float_type": "må være et tall",
        "int_parsing": f"{_quoted(given)} er ikke et helt tall",
        "int_from_float": f"{_quoted(given)} er ikke et helt tall",
        "int_type": "må være et helt tall",
        "bool_parsing": f"{_quoted(given)} er ikke «true» eller «false»",
        "bool_type": "må være «true» eller «false»",
        "string_type": "må være tekst",
        "list_type": "må være en liste, f.eks. [«…», «…»]",
        "model_type": "må være en oppføring med felter, f.eks. {period: 2020-21}",
        "model_attributes_type": "må være en oppføring med felter, f.eks. {period: 2020-21}",
        "dict_type": "må være en oppføring med felter",
    }
    return texts.get(kind, err["msg"])


def _line_of(text: str, ind_id: str) -> int | None:
    m = re.search(rf"^\s*(?:-\s*)?id:\s*['\"]?{re.escape(ind_id)}['\"]?\s*$", text, flags=re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None


OWNER_HINT = (
    "Skriv eieren som tekst (øverste nivå), eller som nivåer ovenfra og ned, f.eks. "
    "owner: {byradsavdeling: …, etat: …} (tillatt: " + ", ".join(OWNER_LEVELS) + ")."
)


def _entry_nodes(text: str, section: str = "indicators") -> list:
    """The YAML node of each entry under ``section`` (for the line of a field), or []."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == section and isinstance(value, yaml.SequenceNode):
            return value.value
    return []


def _field_line(node, loc: tuple) -> int | None:
    """The line of the deepest key of ``loc`` written in this entry (``owner`` → ``owner.etat``)."""
    line = None
    for part in loc:
        if not isinstance(node, yaml.MappingNode):
            break
        hit = next(((k, v) for k, v in node.value if k.value == str(part)), None)
        if hit is None:
            break
        line, node = hit[0].start_mark.line + 1, hit[1]
    return line


def _owner_places(good: list, lines: dict[str, int | None]) -> list[RegistryProblem]:
    """An etat, enhet or skole has one place in the owner tree: the same name under two
    different parents is a typo (or two units that need telling apart)."""
    problems, seen = [], {}
    for ind in good:
        path = ind.owner.path
        for depth in range(1, len(path)):
            name, parent = path[depth], OWNER_SEP.join(path[:depth])
            first = seen.setdefault(name, (parent, ind.id))
            if first[0] != parent:
                problems.append(
                    RegistryProblem(
                        ind.id,
                        "owner",
                        f"«{name}» står under «{parent}» her, men under «{first[0]}» i indikator «{first[1]}»",
                        "En etat, enhet eller skole har én plass i eiertreet: skriv samme overordnede nivå hver gang.",
                        lines.get(ind.id),
                    )
                )
    return problems


TILTAK_HINTS = {
    "units": "Skriv enhetene som koder: skolens organisasjonsnummer (9 siffer, står i data/skole_bydel.csv), "
    'bydelsnummer (6 siffer) eller kommunenummer (4 siffer), i anførselstegn, f.eks. "0301".',
    "start": "Skriv oppstarten som en periode av samme slag som indikatorene måles i: skoleår (2022-23) eller år (2022).",
    "indicators": "Skriv id-en til en indikator i registeret (se «indicators:» over).",
}


def _item_line(node, field: str, index: int | None = None) -> int | None:
    """The line of ``field`` in an entry, or of its ``index``-th item when it is a list."""
    if not isinstance(node, yaml.MappingNode):
        return None
    hit = next(((k, v) for k, v in node.value if k.value == field), None)
    if hit is None:
        return None
    if index is not None and isinstance(hit[1], yaml.SequenceNode) and index < len(hit[1].value):
        return hit[1].value[index].start_mark.line + 1
    return hit[0].start_mark.line + 1


def school_map_codes() -> frozenset[str]:
    """The schools of the school map (``data/skole_bydel.csv``): the schools the kommune knows."""
    import csv

    path = ROOT / "data" / "skole_bydel.csv"
    if not path.exists():
        return frozenset()
    with open(path, encoding="utf-8", newline="") as fh:
        return frozenset(r["orgnr"].strip() for r in csv.DictReader(fh) if r.get("orgnr"))


def _unit_problem(code: str, coverage: DataCoverage | None) -> tuple[str | None, str | None]:
    """(level, None) for a known unit, or (level or None, the problem in bokmål)."""
    from oppvekst.geography import canonical_code, load_register, orgnr_is_valid

    canon, level = canonical_code(code)
    if level not in TILTAK_LEVELS or canon != code:
        return None, f"«{code}» er ikke en kode for en skole, bydel eller kommune"
    known = coverage is not None and code in coverage.areas
    if level == "skole":
        if not orgnr_is_valid(code):
            return level, f"«{code}» er ikke et gyldig organisasjonsnummer (kontrollsifferet stemmer ikke)"
        if not known and code not in school_map_codes():
            return level, f"skolen «{code}» er ukjent (står ikke i data/skole_bydel.csv og har ingen tall)"
        return level, None
    area = load_register().get(code)
    if area is None and not known:
        return level, f"{'bydelen' if level == 'bydel' else 'kommunen'} «{code}» finnes ikke i SSBs kodelister"
    if area is not None and (area.successor or area.valid_to) and not known:
        now = f": bruk dagens nummer «{area.successor}»" if area.successor else ""
        return level, f"«{code}» {area.name} er et nummer som ikke brukes lenger{now}"
    return level, None


def _tiltak_checks(
    t: Tiltak, node, ind_by_id: dict[str, Indicator], raw_ids: set[str], coverage: DataCoverage | None
) -> list[RegistryProblem]:
    """What is wrong with one tiltak that validated on its own: its units, its indicators, its
    start against the indicators' kind of period (and the data's range, given ``coverage``)."""
    out: list[RegistryProblem] = []

    entry = node.start_mark.line + 1 if node is not None else None

    def add(field: str, message: str, hint: str, index: int | None = None) -> None:
        line = _item_line(node, field, index) or entry  # the field's line, or the entry's when it is not written
        out.append(RegistryProblem(t.id, f"tiltak.{field}", message, hint, line))

    levels = set()
    for i, code in enumerate(t.units):
        level, problem = _unit_problem(code, coverage)
        if level:
            levels.add(level)
        if problem:
            add("units", problem, TILTAK_HINTS["units"], i)
    if len(levels) > 1:
        add("units", f"enhetene er på ulike nivåer ({', '.join(sorted(levels))})", "Et tiltak har enheter på ett nivå: "
            "bare skoler, bare bydeler eller bare kommuner. Del det i flere tiltak.")  # fmt: skip
    if len(set(t.units)) < len(t.units):
        add("units", "samme enhet står flere ganger", "Skriv hver enhet én gang.")
    start = parse_period(t.start)
    # an indicator that names the tiltak counts when it is measured in the start's kind of period
    named = [i.id for i in _named_by(ind_by_id.values(), t) if i.id not in t.indicators]
    for j, ind_id in enumerate(t.indicators):
        if ind_id not in raw_ids:
            add("indicators", f"indikatoren «{ind_id}» finnes ikke", TILTAK_HINTS["indicators"], j)
    targets = [ind_by_id[i] for i in t.indicators if i in ind_by_id]
    if not t.indicators and not named:
        add("indicators", "tiltaket er ikke knyttet til noen indikator som kan måles per år eller skoleår",
            "Skriv indikatorene tiltaket skal flytte (indicators: [id, …]), eller før opp navnet i en indikators "
            "«tiltak:»-liste.")  # fmt: skip
    measurable = []
    for ind in targets:
        kind = parse_period(ind.baseline.period).kind
        j = t.indicators.index(ind.id) if ind.id in t.indicators else None
        if kind not in TILTAK_KINDS:
            add("indicators", f"indikatoren «{ind.id}» måles over sammenslåtte perioder ({ind.baseline.period}): "
                "effekten av et tiltak kan bare måles på tall for hvert år eller skoleår",
                "Knytt tiltaket til en indikator med tall for hvert år eller skoleår.", j)  # fmt: skip
        elif start.kind != kind:
            example = (
                f"{start.year_start}-{(start.year_start + 1) % 100:02d}" if kind == "school_year" else start.year_start
            )
            add("start", f"oppstarten «{t.start}» er ikke et {TILTAK_KINDS[kind]}, men «{ind.id}» måles per "
                f"{TILTAK_KINDS[kind]} (skriv f.eks. {example})", TILTAK_HINTS["start"])  # fmt: skip
        else:
            measurable.append(ind.id)
    measurable += named
    if coverage is not None:
        for p in data_problems(t.id, t.units, t.start, measurable, coverage):
            index = t.units.index(p.field) if p.field in t.units else None
            field = "units" if index is not None else "start"
            out.append(
                RegistryProblem(t.id, f"tiltak.{field}", p.message, p.hint, _item_line(node, field, index) or entry)
            )
    if t.stop and parse_period(t.stop).year_start < start.year_start:
        add("stop", f"slutten {t.stop} er før oppstarten {t.start}", "Skriv en slutt som er etter oppstarten, "
            "eller fjern «stop».")  # fmt: skip
    return out


def _tiltak_section(
    doc: dict, text: str, good: list[Indicator], coverage: DataCoverage | None
) -> tuple[list[Tiltak], list[RegistryProblem]]:
    """Validate ``tiltak:``: every entry on its own, then against the indicators and the units known."""
    raw_list = doc.get("tiltak")
    if raw_list is None:
        return [], []
    if not isinstance(raw_list, list):
        return [], [RegistryProblem("", "tiltak", "må være en liste med ett tiltak per oppføring", "Skriv "
                    "«tiltak:» med oppføringer som begynner med «- id: …» (se README, «Tiltak: hvor og når»).")]  # fmt: skip
    problems: list[RegistryProblem] = []
    nodes = _entry_nodes(text, "tiltak")
    raw_ids = {str(r.get("id")) for r in doc["indicators"] if isinstance(r, dict)}
    ind_by_id = {i.id: i for i in good}
    seen: dict[str, int] = {}
    out: list[Tiltak] = []
    for i, raw in enumerate(raw_list):
        node = nodes[i] if i < len(nodes) else None
        t_id = str(raw.get("id", f"#{i + 1}")) if isinstance(raw, dict) else f"#{i + 1}"
        line = (node.start_mark.line + 1) if node is not None else None
        if t_id in seen:
            problems.append(
                RegistryProblem(
                    t_id, "tiltak.id", f"id-en er brukt før (tiltak nr. {seen[t_id] + 1})",
                    "Hvert tiltak må ha sin egen id.", _item_line(node, "id") or line,
                )
            )  # fmt: skip
        seen.setdefault(t_id, i)
        try:
            t = Tiltak.model_validate(raw)
        except ValidationError as e:
            for err in e.errors():
                loc = err["loc"]
                field = ".".join(str(x) for x in loc) or "(tiltaket)"
                where = _item_line(node, str(loc[0]), loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None)
                hint = TILTAK_HINTS.get(str(loc[0]) if loc else "", HINTS.get(err["type"], "Rett verdien."))
                if err["type"] in ("missing", "extra_forbidden"):
                    hint = HINTS[err["type"]].replace("«Legge til en indikator»", "«Tiltak: hvor og når»")
                problems.append(RegistryProblem(t_id, f"tiltak.{field}", _message(err), hint, where or line))
            continue
        problems += _tiltak_checks(t, node, ind_by_id, raw_ids, coverage)
        out.append(t)
    return out, problems


def data_problems(
    tiltak_id: str, units: list[str], start: str, indicator_ids: list[str], coverage: DataCoverage
) -> list[RegistryProblem]:
    """A tiltak against the data: a unit without data, a start at or before the indicator's first
    measurement (nothing before to compare with) or more than a period after its last. ``field`` is
    the unit's code for a unit, «start» for the start (the caller knows the lines)."""
    out = []
    for code in units:
        if code not in coverage.areas:
            out.append(RegistryProblem(tiltak_id, code, f"enheten «{code}» har ingen tall i databasen",
                       TILTAK_HINTS["units"]))  # fmt: skip
    year = parse_period(start).year_start
    for ind_id in indicator_ids:
        if ind_id not in coverage.periods:
            continue
        first, last, first_label, last_label = coverage.periods[ind_id]
        if year <= first:
            out.append(RegistryProblem(tiltak_id, "start", f"oppstarten {start} er ved eller før første måling av "
                       f"«{ind_id}» ({first_label}): ingen målinger før tiltaket å sammenligne med",
                       TILTAK_HINTS["start"]))  # fmt: skip
        elif year > last + 1:
            out.append(RegistryProblem(tiltak_id, "start", f"oppstarten {start} er etter siste måling av «{ind_id}» "
                       f"({last_label}) og neste periode", TILTAK_HINTS["start"]))  # fmt: skip
    return out


def load_registry(path: str | os.PathLike | None = None, coverage: DataCoverage | None = None) -> Registry:
    """Parse and validate; raise RegistryError listing every problem. With ``coverage`` (what the
    data hold) the tiltak are also checked against the data: units with data, a start inside the
    data's range."""
    path = Path(path or os.environ.get("OPPVEKST_REGISTRY") or DEFAULT_REGISTRY)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise RegistryError(
            path, [RegistryProblem("", "", f"kan ikke lese fila ({e.strerror})", "Sjekk at indicators.yml finnes.")]
        ) from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise RegistryError(
            path,
            [
                RegistryProblem(
                    "",
                    "",
                    f"ikke gyldig YAML ({getattr(e, 'problem', e)})",
                    "Sjekk innrykk og kolon på linjen.",
                    mark.line + 1 if mark else None,
                )
            ],
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("indicators"), list):
        raise RegistryError(
            path,
            [
                RegistryProblem(
                    "",
                    "indicators",
                    "fant ingen liste «indicators»",
                    "Fila skal ha «indicators:» med én oppføring per indikator.",
                )
            ],
        )
    problems: list[RegistryProblem] = []
    good: list[Indicator] = []
    ids: dict[str, int] = {}
    nodes = _entry_nodes(text)
    owner_lines: dict[str, int | None] = {}
    for i, raw in enumerate(doc["indicators"]):
        ind_id = str(raw.get("id", f"#{i + 1}")) if isinstance(raw, dict) else f"#{i + 1}"
        line = _line_of(text, ind_id)
        node = nodes[i] if i < len(nodes) else None
        owner_lines[ind_id] = _field_line(node, ("owner",)) or line
        if ind_id in ids:
            problems.append(
                RegistryProblem(
                    ind_id,
                    "id",
                    f"id-en er brukt før (indikator nr. {ids[ind_id] + 1})",
                    "Hver indikator må ha sin egen id.",
                    line,
                )
            )
        ids.setdefault(ind_id, i)
        try:
            good.append(Indicator.model_validate(raw))
        except ValidationError as e:
            for err in e.errors():
                loc = ".".join(str(x) for x in err["loc"]) or "(indikatoren)"
                msg = _message(err)
                hint = HINTS.get(err["type"], "Rett verdien.")
                where = _field_line(node, err["loc"]) or line  # the field's own line when it is written
                if err["loc"][:1] == ("owner",) and (len(err["loc"]) > 1 or err["type"] != "missing"):
                    hint = OWNER_HINT
                    if isinstance(raw, dict) and isinstance(raw.get("owner"), str):
                        loc = "owner"  # the text form: the problem is the text itself
                    elif err["type"] == "extra_forbidden":
                        msg = f"ukjent nivå «{err['loc'][-1]}»"
                    elif err["type"] == "missing":
                        msg = "øverste nivå (byradsavdeling) mangler"
                problems.append(RegistryProblem(ind_id, loc, msg, hint, where))
    problems += _owner_places(good, owner_lines)
    tiltak, tiltak_problems = _tiltak_section(doc, text, good, coverage)
    problems += tiltak_problems
    rest = {k: v for k, v in doc.items() if k not in ("indicators", "tiltak") and not str(k).startswith("x-")}
    try:
        reg = Registry.model_validate({**rest, "indicators": []})
    except ValidationError as e:
        for err in e.errors():
            problems.append(
                RegistryProblem(
                    "", ".".join(map(str, err["loc"])), _message(err), HINTS.get(err["type"], "Rett verdien.")
                )
            )
        reg = None
    if problems:
        raise RegistryError(path, problems)
    reg.indicators = good
    reg.tiltak = tiltak
    return reg


def registry_frame(reg: Registry):
    """The registry as a table (for DuckDB's ``indicators``)."""
    import pandas as pd

    rows = []
    for i in reg.indicators:
        rows.append(
            {
                "indicator_id": i.id,
                "title": i.title,
                "goal": i.goal,
                "source": i.source,
                "measure": i.select.measure,
                "grade": i.select.grade,
                "gender": i.select.gender,
                "breakdown": i.select.breakdown,
                "unit": i.unit,
                "statistic": i.statistic,
                "polarity": i.polarity,
                "baseline_period": i.baseline.period,
                "baseline_value": i.baseline.value,
                "target_value": i.target.value if i.target else None,
                "target_period": i.target.period if i.target else None,
                "owner": i.owner.byradsavdeling,  # the top level, as before owners were a hierarchy
                "owner_path": i.owner.text,  # «Byrådsavdeling … › Etat for skole»
                "min_n": i.min_n,
                "description": i.description,
                "source_url": i.source_url,
                "tiltak": "; ".join(dict.fromkeys(i.tiltak + [t.name for t in reg.tiltak if i.id in t.indicators])),
                "pooled": i.pooled,
                "plan_area": reg.default_area,
                "pool_years": i.pool_years,  # the agreed 0-punkt value belongs to the plan's own area
            }
        )
    return pd.DataFrame(rows)


def _named_by(indicators, t: Tiltak) -> list[Indicator]:
    """The indicators whose ``tiltak:`` list names the tiltak and that are measured in the kind of
    period the tiltak starts in (a pooled Ungdata indicator naming it cannot measure it)."""
    try:
        kind = parse_period(t.start).kind
    except ValueProblem:
        return []
    return [i for i in indicators if t.name in i.tiltak and parse_period(i.baseline.period).kind == kind]


def tiltak_indicators(reg: Registry, t: Tiltak) -> list[str]:
    """The indicators a tiltak is meant to move: those it names, then those that name it and are
    measured in the kind of period it starts in."""
    return list(dict.fromkeys(t.indicators + [i.id for i in _named_by(reg.indicators, t)]))


def tiltak_frame(reg: Registry | None):
    """The tiltak as a table (for DuckDB's ``tiltak``): one row per tiltak, units and indicators
    as lists, the start and stop as labels and as ints (the year, or the school year's autumn)."""
    import pandas as pd

    rows = [
        {
            "tiltak_id": t.id,
            "name": t.name,
            "description": t.description,
            "level": t.level,
            "units": list(t.units),
            "start": t.start,
            "start_year": t.start_year,
            "stop": t.stop,
            "stop_year": t.stop_year,
            "indicators": tiltak_indicators(reg, t),
        }
        for t in (reg.tiltak if reg is not None else [])
    ]
    cols = ["tiltak_id", "name", "description", "level", "units", "start", "start_year", "stop", "stop_year",
            "indicators"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)
