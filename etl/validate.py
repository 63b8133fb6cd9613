"""Impossible values are refused, whatever the format: a share outside 0-100 %, a negative
count or n, a numerator above its denominator, a score outside the scale the source states,
or a number that is not finite. They mean a broken or edited file (FORMATS.md section 6)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from etl.problems import Problem

# How a row's ``line`` is shown, by format (JSON answers have no lines).
CELL_REFS = (("json-stat2", "value[{}]"), ("Udir statistikkbank JSON", "rows[{}]"), ("Udir Eksport", "record {}"))
# Scales the sources state: Elevundersøkelsen's scores run 1-5 (5 best).
SCORE_SCALES = {"elevundersokelsen": (1.0, 5.0)}
# A 'prosent' that is a change or a ratio to something other than its own population may
# leave 0-100 (KOSTRA "endring i prosent"); only shares are held to 0-100.
_NOT_A_SHARE = re.compile(r"endring|vekst|økning|nedgang|change|avvik|i prosent av", re.I)
FIX = "Load the file exactly as the publisher delivered it; if it was edited or is damaged, download it again."


def cell_ref_template(fmt: str) -> str:
    for prefix, template in CELL_REFS:
        if fmt.startswith(prefix):
            return template
    return "line {}"


def cell_ref(template: str, line) -> str:
    """Where a row stands in its file, as ``cell_ref_template`` spells it for the format."""
    if pd.isna(line):
        return ""
    line = int(line)
    return template.format(line - 1 if template.startswith(("rows", "record")) else line)


def impossible_values(df: pd.DataFrame, name: str, fmt: str) -> list[Problem]:
    """Every impossible value of one file's rows (loader output), with its cell."""
    template = cell_ref_template(fmt)
    problems: list[Problem] = []

    def add(mask, what) -> None:
        for _, r in df[mask].iterrows():
            problems.append(Problem(name, cell_ref(template, r["line"]), what(r), FIX))

    value = df["value"].astype("float64")
    n = df["n"].astype("float64")
    sd = df["sd"].astype("float64")
    label = lambda r: f"{r['measure_name'] or r['measure_code']}"
    for col, series in (("value", value), ("n", n), ("sd", sd)):  # NaN is "no number"; ±inf is not
        add(series.notna() & ~np.isfinite(series), lambda r, c=col: f"{c} {r[c]} is not a finite number ({label(r)})")
    finite = np.isfinite(value)
    share = (df["unit"] == "prosent") & ~df["measure_name"].fillna("").str.contains(_NOT_A_SHARE)
    add(
        finite & share & ((value < 0) | (value > 100)),
        lambda r: f"share {r['value']:g} % for {label(r)} is impossible (rule: a share lies between 0 and 100 %)",
    )
    count = df["unit"] == "antall"
    add(
        finite & count & (value < 0),
        lambda r: f"count {r['value']:g} for {label(r)} is negative (rule: a count is 0 or more)",
    )
    nfin = np.isfinite(n)
    add(nfin & (n < 0), lambda r: f"n (number of answers/pupils) {r['n']:g} is negative (rule: n is 0 or more)")
    add(
        finite & nfin & count & (value > n) & (n >= 0),
        lambda r: (
            f"numerator {r['value']:g} is larger than its denominator {r['n']:g} for {label(r)} "
            "(rule: a part cannot exceed the whole)"
        ),
    )
    sdfin = np.isfinite(sd)
    add(sdfin & (sd < 0), lambda r: f"standard deviation {r['sd']:g} is negative (rule: it is 0 or more)")
    for source, (lo, hi) in SCORE_SCALES.items():
        score = (df["source"] == source) & (df["unit"] == "poeng")
        add(
            finite & score & ((value < lo) | (value > hi)),
            lambda r, lo=lo, hi=hi: (
                f"score {r['value']:g} for {label(r)} is outside the scale {lo:g}-{hi:g} "
                f"that Udir states for Elevundersøkelsen (rule: {lo:g} ≤ score ≤ {hi:g})"
            ),
        )
    return problems
