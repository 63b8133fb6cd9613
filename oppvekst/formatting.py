"""Norwegian number formats: decimal comma, thin space for thousands, "prosent" and
"prosentpoeng" written out."""
from __future__ import annotations

import math

NBSP = "\u00a0"
UNIT_WORD = {"prosent": "prosent", "poeng": "poeng", "kr": "kr", "dager": "dager", "timer": "timer",
             "antall": "", "per 1000": "per 1 000"}
CHANGE_WORD = {"prosent": "prosentpoeng"}
DECIMALS = {"prosent": 1, "poeng": 2, "kr": 0, "dager": 1, "timer": 1, "antall": 0, "per 1000": 1}


def number(v: float | None, decimals: int = 1, sign: bool = False) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    s = f"{abs(v):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    if sign:
        return ("+" if v > 0 else "−" if v < 0 else "±") + s
    return ("−" if v < 0 and float(s.replace(",", ".").replace(NBSP, "")) != 0 else "") + s


def value(v: float | None, unit: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    word = UNIT_WORD.get(unit, unit)
    return f"{number(v, DECIMALS.get(unit, 1))}{NBSP + word if word else ''}"


def change(v: float | None, unit: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    word = CHANGE_WORD.get(unit, UNIT_WORD.get(unit, unit))
    return f"{number(v, DECIMALS.get(unit, 1), sign=True)}{NBSP + word if word else ''}"


def compact(v: float | None) -> str:
    """A number with as many decimals as it has (up to 3), decimal comma: 2,8 · 4 437 · 0,125."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    text = f"{v:.3f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return number(v, decimals)
