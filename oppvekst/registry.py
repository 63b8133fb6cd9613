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
    except ValueProblem as e:
        raise ValueError(str(e)) from None


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
    owner: str = Field(min_length=2)
    min_n: int = Field(default=10, ge=1)
    description: str = ""
    source_url: str = Field(default="", pattern=r"^(https?://\S+)?$")
    tiltak: list[str] = []
    pooled: bool = False  # periods are pooled/rolling (Ungdata): no annual trend test
    pool_years: int = Field(default=1, ge=1, le=5)  # >1: also pool this many annual values (Σx/Σn) for small areas

    @model_validator(mode="after")
    def _coherent(self):
        if self.statistic == "proportion" and self.unit != "prosent":
            raise ValueError("a proportion must have unit 'prosent'")
        if self.unit == "prosent":
            for label, v in (
                ("target.value", self.target.value if self.target else None),
                ("baseline.value", self.baseline.value),
            ):
                if v is not None and not 0 <= v <= 100:
                    raise ValueError(f"{label} {v} is not a percentage between 0 and 100")
        if self.target and parse_period(self.target.period).year_end < parse_period(self.baseline.period).year_end:
            raise ValueError(f"the target period {self.target.period} is before the 0-punkt {self.baseline.period}")
        if self.pool_years > 1 and self.statistic not in ("proportion", "mean"):
            raise ValueError("pool_years works for proportions and means (pooled from numerators and denominators)")
        if self.target and self.polarity == "neutral":
            raise ValueError("a neutral indicator cannot have a target; set polarity or remove target")
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
        where = f"indikator '{self.indicator}'" if self.indicator else "fila"
        line = f" (linje {self.line})" if self.line else ""
        return f"{where}, felt '{self.field}'{line}: {self.message}. {self.hint}"


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


def _line_of(text: str, ind_id: str) -> int | None:
    m = re.search(rf"^\s*(?:-\s*)?id:\s*['\"]?{re.escape(ind_id)}['\"]?\s*$", text, flags=re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None


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
                    "fant ingen liste 'indicators'",
                    "Fila skal ha 'indicators:' med én oppføring per indikator.",
                )
            ],
        )
    problems: list[RegistryProblem] = []
    good: list[Indicator] = []
    ids: dict[str, int] = {}
    for i, raw in enumerate(doc["indicators"]):
        ind_id = str(raw.get("id", f"#{i + 1}")) if isinstance(raw, dict) else f"#{i + 1}"
        line = _line_of(text, ind_id)
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
                msg = err["msg"].removeprefix("Value error, ")
                if err["type"] == "literal_error":
                    msg = f"'{err.get('input')}' er ikke tillatt ({err['ctx']['expected']})"
                problems.append(RegistryProblem(ind_id, loc, msg, HINTS.get(err["type"], "Rett verdien."), line))
    rest = {k: v for k, v in doc.items() if k != "indicators" and not str(k).startswith("x-")}
    try:
        reg = Registry.model_validate({**rest, "indicators": []})
    except ValidationError as e:
        for err in e.errors():
            problems.append(
                RegistryProblem("", ".".join(map(str, err["loc"])), err["msg"], HINTS.get(err["type"], "Rett verdien."))
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
                "owner": i.owner,
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
