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


class Registry(Strict):
    version: Literal[1] = 1
    default_area: str = Field(default="4601", pattern=r"^\d{4}(\d{2})?$")
    indicators: list[Indicator]


@dataclass(frozen=True)
class RegistryProblem:
    indicator: str  # id, or '' for the file
    field: str
    message: str
    hint: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"indikator «{self.indicator}»" if self.indicator else "fila"
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


def _entry_nodes(text: str) -> list:
    """The YAML node of each entry under ``indicators`` (for the line of a field), or []."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "indicators" and isinstance(value, yaml.SequenceNode):
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


def load_registry(path: str | os.PathLike | None = None) -> Registry:
    """Parse and validate; raise RegistryError listing every problem."""
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
    rest = {k: v for k, v in doc.items() if k != "indicators" and not str(k).startswith("x-")}
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
                "tiltak": "; ".join(i.tiltak),
                "pooled": i.pooled,
                "plan_area": reg.default_area,
                "pool_years": i.pool_years,  # the agreed 0-punkt value belongs to the plan's own area
            }
        )
    return pd.DataFrame(rows)
