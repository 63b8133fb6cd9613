"""What may be shown. Primary suppression: the publisher's own (``*``, ``:``), missing values,
and any value from fewer than the indicator's ``min_n`` respondents. Secondary suppression
("naboprikking"): across each additive triangle we show - total = gutter + jenter within an
area, and kommune = Σ bydeler for each kjønn - further cells are hidden until no hidden cell
can be found from the others, checked with linear algebra (a hidden cell is recoverable when
its unit vector lies in the row space of the triangle equations)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
from scipy.linalg import null_space

Key = tuple


def recoverable(hidden: set, triangles: list[tuple[Key, list[Key], int]]) -> list:
    """Hidden cells whose value follows from the triangle equations and the shown cells.

    A triangle is (total, children, extra): ``extra`` counts further hidden parts of the
    total that are not cells of their own (e.g. schools left out of a bydel aggregate)."""
    hidden_list = sorted(hidden, key=str)
    if not hidden_list:
        return []
    col = {k: i for i, k in enumerate(hidden_list)}
    rows = []
    extra_cols = 0
    for total, children, extra in triangles:
        members = [(total, 1.0)] + [(c, -1.0) for c in children]
        if not any(m in col for m, _ in members) and not extra:
            continue
        rows.append((members, extra_cols if extra else None))
        extra_cols += 1 if extra else 0
    if not rows:
        return []
    A = np.zeros((len(rows), len(hidden_list) + extra_cols))
    for i, (members, ecol) in enumerate(rows):
        for m, coef in members:
            if m in col:
                A[i, col[m]] += coef
        if ecol is not None:
            A[i, len(hidden_list) + ecol] = -1.0
    # x_k is determined by A x = b exactly when every null-space vector of A is zero at k
    null = null_space(A)
    if null.size == 0:
        return hidden_list
    return [k for k in hidden_list if np.abs(null[col[k], :]).max() < 1e-9]


def secondary_suppression(n: dict[Key, float], hidden: set, triangles: list[tuple[Key, list[Key], int]]) -> set:
    """Hide more cells (smallest n first) until none of the hidden can be recovered."""
    hidden = set(hidden)
    usable = [(t, c, e) for t, c, e in triangles if t in n and all(x in n for x in c)]
    for _ in range(10 * (len(n) + 1)):
        target = None
        for t, c, e in usable:  # fast path: a triangle with exactly one hidden member
            if sum(m in hidden for m in [t, *c]) + e == 1:
                target = (t, c)
                break
        if target is None:
            rec = recoverable(hidden, usable)
            if not rec:
                return hidden
            target = next((t, c) for t, c, e in usable if rec[0] in [t, *c])
        t, c = target
        candidates = [m for m in c if m not in hidden] or ([t] if t not in hidden else [])
        if not candidates:
            return hidden
        hidden.add(min(candidates, key=lambda m: (n[m], str(m))))
    return hidden


def _components(triangles: list) -> list[list]:
    """Group triangles that share cells (union-find), so each group is solved on its own."""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for t, ch, _ in triangles:
        for c in ch:
            parent[find(c)] = find(t)
    groups: dict = defaultdict(list)
    for tri in triangles:
        groups[find(tri[0])].append(tri)
    return list(groups.values())


def apply(values: pd.DataFrame) -> pd.DataFrame:
    """Add ``shown`` and ``hidden_reason`` to mart rows (indicator × area × period × grp)."""
    v = values.copy()
    reason = pd.Series("", index=v.index, dtype="object")
    reason[v["value"].isna()] = "mangler i kilden"
    reason[v["suppressed"].astype(bool)] = "skjermet av kilden (for få svar)"
    small = v["n"].notna() & (v["n"] < v["min_n"]) & (reason == "")
    reason[small] = "færre enn " + v.loc[small, "min_n"].astype(int).astype(str) + " svar"
    hidden_idx = set(v.index[reason != ""])
    # triangles per indicator × period
    for (_indicator, _period), g in v.groupby(["indicator_id", "period"], sort=False):
        if g["n"].isna().all():
            continue
        key = {i: (a, grp) for i, a, grp in zip(g.index, g["area_code"], g["grp"])}
        idx = {k: i for i, k in key.items()}
        n = {k: float(v.at[i, "n"]) for i, k in key.items() if pd.notna(v.at[i, "n"])}
        hid = {key[i] for i in g.index if i in hidden_idx}
        tri = []
        areas = sorted(set(g["area_code"]))  # sorted: the same data must give the same hidden cells in every
        for a in areas:  # run (set order follows PYTHONHASHSEED); total = gutter + jenter
            if (a, "alle") in idx and (a, "gutter") in idx and (a, "jenter") in idx:
                tri.append(((a, "alle"), [(a, "gutter"), (a, "jenter")], 0))
        by_parent = defaultdict(list)
        for a, lvl in zip(g["area_code"], g["area_level"]):
            if lvl == "bydel":
                by_parent[a[:4]].append(a)
        extra = {(a, grp): int(u or 0) for a, grp, u in zip(g["area_code"], g["grp"], g["units_hidden"].fillna(0))}
        for parent, kids in sorted(by_parent.items()):
            for grp in sorted(set(g["grp"])):
                if (parent, grp) in idx:
                    kk = sorted({(b, grp) for b in kids if (b, grp) in idx})
                    tri.append(((parent, grp), kk, int(sum(extra.get(k, 0) for k in kk) > 0)))
        for comp_tri in _components(tri):  # triangles never join two kommuner: solve each alone
            cells = {c for t, ch, _ in comp_tri for c in [t, *ch]}
            comp_hidden = hid & cells
            if not comp_hidden and not any(e for _, _, e in comp_tri):  # a left-out school is hidden too
                continue
            new = secondary_suppression({c: n[c] for c in cells if c in n}, comp_hidden, comp_tri) - comp_hidden
            for k in new:
                reason[idx[k]] = "skjult for å hindre tilbakeregning"
    v["shown"] = reason == ""
    v["hidden_reason"] = reason.where(reason != "", None)
    return v
