"""Periods as the publishers and the registry write them: years, school years (2023-24),
pooled ranges (2021-2023, FHI's 2021_2023), terms (H2024) and months (2024M09).
Domain knowledge, used by the ETL and the read side alike."""

from __future__ import annotations

import re
from dataclasses import dataclass


class ValueProblem(ValueError):
    """A value (in a file or in the registry) that does not follow the rules; the message
    says what was expected."""


@dataclass(frozen=True)
class Period:
    label: str
    year_start: int
    year_end: int
    kind: str  # year | school_year | pooled | term | month


def parse_period(text: str) -> Period:
    s = text.strip()
    if m := re.fullmatch(r"(\d{4})", s):
        y = int(m[1])
        return Period(s, y, y, "year")
    if m := re.fullmatch(r"(\d{4})-(\d{2})", s):  # school year 2023-24
        y = int(m[1])
        if (y + 1) % 100 != int(m[2]):
            raise ValueProblem(f"'{text}' is not a school year (expected e.g. 2023-24)")
        return Period(s, y, y + 1, "school_year")
    if m := re.fullmatch(r"(\d{4})[-_](\d{4})", s):  # pooled 2021-2023, FHI 2021_2023
        a, b = int(m[1]), int(m[2])
        if b < a:
            raise ValueProblem(f"'{text}' ends before it starts")
        if a == b:
            return Period(str(a), a, a, "year")
        return Period(f"{a}-{b}", a, b, "pooled")
    if m := re.fullmatch(r"([HV])(\d{4})", s, flags=re.I):  # term H2024 / V2025
        y = int(m[2])
        return Period(f"{m[1].upper()}{y}", y, y, "term")
    if m := re.fullmatch(r"(\d{4})M(\d{2})", s):
        if not 1 <= int(m[2]) <= 12:
            raise ValueProblem(f"'{text}' has no month {m[2]}")
        y = int(m[1])
        return Period(s, y, y, "month")
    raise ValueProblem(f"'{text}' is not a period (expected 2024, 2024-25, 2021-2023, 2021_2023, H2024 or 2024M09)")
