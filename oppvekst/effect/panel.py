"""The panel an effect is estimated on: validated, outcomes in the indicator's unit, weights,
sampling variances, and the treatment assignments randomisation inference draws from.

Pure numpy/pandas. Rows without a shown value (a hidden cell, privacy) are left out and counted;
a unit already under the tiltak in its first observed period has no «before» and is left out
with a warning."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

NEVER = 10**6  # start index of a never-treated unit: every period index is below it


@dataclass(frozen=True)
class Panel:
    units: tuple  # unit labels in the order of the unit index
    periods: np.ndarray  # sorted period values
    ui: np.ndarray  # unit index of each observation
    ti: np.ndarray  # period index of each observation
    y: np.ndarray  # outcome: prosent for shares (100·x/n), the value otherwise
    w: np.ndarray  # regression weight: n for shares, 1/se² for values with se, else 1
    s2: np.ndarray  # sampling variance of y
    g: np.ndarray  # per unit: index of its first treated period, NEVER if never treated
    kind: str  # "share" | "value"
    row: np.ndarray  # position of each observation's row in the input frame
    left_out: int = 0
    warnings: list = field(default_factory=list)

    @property
    def n_obs(self) -> int:
        return len(self.y)

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def n_periods(self) -> int:
        return len(self.periods)

    def treated_mask(self, g: np.ndarray | None = None) -> np.ndarray:
        g = self.g if g is None else g
        return g < NEVER

    def cell_matrix(self, values: np.ndarray) -> np.ndarray:
        """units × periods, NaN where no observation."""
        m = np.full((self.n_units, self.n_periods), np.nan)
        m[self.ui, self.ti] = values
        return m


def nb_int(k: int) -> str:
    """1 140 - Norwegian thousands separator."""
    return f"{k:,}".replace(",", " ")


def _numbers(df: pd.DataFrame, col: str) -> np.ndarray:
    return pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def prepare(panel: pd.DataFrame, *, require_start: bool = True) -> Panel:
    """Validate a panel (columns unit, period, start, and x + n or value [+ se]) and turn it
    into arrays. Raises ValueError with a plain message for malformed input."""
    if not isinstance(panel, pd.DataFrame):
        raise ValueError("panel must be a pandas DataFrame")
    cols = set(panel.columns)
    missing = {"unit", "period"} - cols
    if require_start and "start" not in cols:
        missing.add("start")
    if missing:
        raise ValueError(f"panel lacks column(s) {sorted(missing)}")
    if {"x", "n"} <= cols:
        kind = "share"
    elif "value" in cols:
        kind = "value"
    else:
        raise ValueError("panel needs x and n (proportions) or value (other measures)")
    if panel["unit"].isna().any():
        raise ValueError("panel has rows without a unit")
    period = _numbers(panel, "period")
    if not np.all(np.isfinite(period)):
        raise ValueError("panel has rows without a period (or a period that is not a number)")
    if not np.all(period == np.round(period)):
        raise ValueError("period must be an integer (year or school-year start)")
    period = period.astype(np.int64)
    codes, labels = pd.factorize(panel["unit"], sort=True)
    key = codes.astype(np.int64) * (period.max() - period.min() + 1) + (period - period.min())
    if len(np.unique(key)) < len(key):
        _, first = np.unique(key, return_index=True)
        i = np.setdiff1d(np.arange(len(key)), first)[0]
        raise ValueError(f"panel has more than one row for unit {labels[codes[i]]!r} in period {period[i]}")
    start = _numbers(panel, "start") if "start" in cols else np.full(len(panel), np.nan)
    if "start" in cols and np.any(panel["start"].notna().to_numpy() & ~np.isfinite(start)):
        raise ValueError("start must be a period (a number) or empty")
    U0 = len(labels)
    smin = np.full(U0, np.inf)
    smax = np.full(U0, -np.inf)
    key_s = np.where(np.isfinite(start), start, np.inf)
    np.minimum.at(smin, codes, key_s)
    np.maximum.at(smax, codes, key_s)
    if np.any(smin != smax):
        raise ValueError(f"unit {labels[np.flatnonzero(smin != smax)[0]]!r} has more than one start period")

    # unit-periods without a shown value (privacy) are left out and counted
    hidden = np.zeros(len(panel), dtype=bool)
    if "shown" in cols:
        hidden |= ~panel["shown"].fillna(False).astype(bool).to_numpy()
    if kind == "share":
        x, n = _numbers(panel, "x"), _numbers(panel, "n")
        hidden |= ~np.isfinite(x) | ~np.isfinite(n) | (np.nan_to_num(n) <= 0)
        if np.any(~hidden & ((x < 0) | (x > n))):
            raise ValueError("x must lie between 0 and n")
    else:
        v = _numbers(panel, "value")
        hidden |= ~np.isfinite(v)
    left_out = int(hidden.sum())
    row = np.flatnonzero(~hidden)
    if len(row) == 0:
        raise ValueError("panel has no shown values")

    periods = np.unique(period[row])
    used = np.unique(codes[row])  # units with at least one shown value
    remap = np.full(U0, -1)
    remap[used] = np.arange(len(used))
    units = tuple(labels[used])
    ui = remap[codes[row]]
    ti = np.searchsorted(periods, period[row])
    unit_start = smin[used]

    warnings: list[str] = []
    g = np.full(len(units), NEVER, dtype=np.int64)
    fin = np.isfinite(unit_start)
    k = np.searchsorted(periods, unit_start[fin], side="left")  # first period at or after the start
    late = k >= len(periods)
    g[np.flatnonzero(fin)[~late]] = k[~late]
    if late.any():
        m = int(late.sum())
        warnings.append(
            f"{m} {'enhet' if m == 1 else 'enheter'} startet tiltaket etter siste periode med tall og regnes "
            "som sammenligning."
        )

    # a unit treated from its first observed period has no «before»: it is left out
    first_t = np.full(len(units), np.iinfo(np.int64).max)
    np.minimum.at(first_t, ui, ti)
    always = (g < NEVER) & (g <= first_t)
    keep_obs = ~always[ui]
    if always.any():
        names = [str(units[i]) for i in np.flatnonzero(always)]
        warnings.append(
            f"Uten tall fra før start, og derfor utelatt: {', '.join(names)}."
            if len(names) <= 3
            else f"{len(names)} enheter har ingen tall fra før start og er utelatt."
        )
        units = tuple(u for u, kept in zip(units, ~always) if kept)
        ui, ti, row = ui[keep_obs], ti[keep_obs], row[keep_obs]
        ui = (np.cumsum(~always) - 1)[ui]
        g = g[~always]

    # the sampling variance, from each unit's share pooled over the periods before the first
    # start: cells no assignment of the tiltak can touch (so that randomisation stays exact)
    before = ti < (g.min() if len(g) else 0)
    if kind == "share":
        x, n = x[row], n[row]
        y = 100.0 * x / n
        w = n.copy()
        xb, nb = x[before], n[before]
        pooled = float(xb.sum() / nb.sum()) if nb.sum() > 0 else float(x.sum() / n.sum())
        xs = np.bincount(ui[before], xb, len(units))
        ns = np.bincount(ui[before], nb, len(units))
        with np.errstate(invalid="ignore", divide="ignore"):
            pq = xs / ns * (1 - xs / ns)
        fallback = pooled * (1 - pooled) if 0 < pooled < 1 else 0.25 / max(float(n.max()), 1.0)
        pq = np.where(np.isfinite(pq) & (pq > 0), pq, fallback)
        s2 = 1e4 * pq[ui] / n
    else:
        y = v[row]
        se = _numbers(panel, "se")[row] if "se" in cols else np.full(len(row), np.nan)
        if np.all(np.isfinite(se) & (se > 0)):
            w = 1.0 / se**2
            s2 = se**2
        else:
            w = np.ones(len(row))
            s2 = np.where(np.isfinite(se), se, 0.0) ** 2
    return Panel(units, periods, ui, ti, y, w, s2, g, kind, row, left_out, warnings)


# ----------------------------------------------------------------------------- assignments
def count_assignments(g: np.ndarray) -> int:
    """Distinct ways to give the observed multiset of start periods to the units."""
    counts = Counter(g.tolist()).values()
    total = math.factorial(len(g))
    for c in counts:
        total //= math.factorial(c)
    return total


def _arrangements(g: np.ndarray):
    """Every distinct arrangement of the multiset g (the observed one among them)."""
    values = sorted(Counter(g.tolist()).items())

    def place(free: tuple, k: int, out: np.ndarray):
        v, c = values[k]
        if k == len(values) - 1:
            out[list(free)] = v
            yield out.copy()
            return
        for chosen in itertools.combinations(free, c):
            out[list(chosen)] = v
            taken = set(chosen)
            yield from place(tuple(i for i in free if i not in taken), k + 1, out)

    yield from place(tuple(range(len(g))), 0, np.empty(len(g), dtype=np.int64))


def assignments(g: np.ndarray, draws: int, seed: int) -> tuple[np.ndarray, bool, int]:
    """(K × units) start indices, the observed assignment first; whether all distinct
    assignments were enumerated; and how many distinct assignments there are."""
    total = count_assignments(g)
    if total <= 2 * (draws + 1):  # enumerating costs at most twice the random draws
        values = np.unique(g)
        if len(values) == 2:  # one start date: which units start
            k = int(np.sum(g == values[0]))
            idx = np.array(list(itertools.combinations(range(len(g)), k)), dtype=np.int64).reshape(-1, k)
            rows = np.full((len(idx), len(g)), values[1], dtype=np.int64)
            rows[np.repeat(np.arange(len(idx)), k), idx.ravel()] = values[0]
        else:
            rows = np.vstack(list(_arrangements(g)))
        rows = rows[~np.all(rows == g[None, :], axis=1)]
        return np.vstack([g[None, :], rows]), True, total
    rng = np.random.default_rng(seed)
    perms = np.vstack([g] + [rng.permutation(g) for _ in range(draws)])
    return perms, False, total
