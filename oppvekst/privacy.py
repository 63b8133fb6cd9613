"""What may be shown. Primary suppression: the publisher's own (``*``, ``:``), missing values,
and any value from fewer than the indicator's ``min_n`` respondents. Secondary suppression
("naboprikking"): across each additive triangle we show - total = gutter + jenter within an
area, kommune = Σ bydeler for each kjønn, bydel = Σ skoler - further cells are hidden until no
hidden cell can be found from the others, checked with linear algebra (a hidden cell is
recoverable when its unit vector lies in the row space of the triangle equations).

Rules that close ways back (``apply``; the pooling in ``oppvekst.marts``):
- a cell the source hid without giving its n is still an unknown of the sums: alle − jenter
  would give it, so a cell beside it is hidden;
- the same cell of the publisher's table (source, measure, trinn, breakdown, area, period, kjønn)
  is hidden in every indicator and trinn breakdown that shows it if it is hidden in any, and
  solved with every sum any of them shows (``ung_depr_jenter`` cannot show the jenter cell
  ``ung_depr`` hid to protect gutter);
- a window pooled over years uses only the years the annual series shows after privacy; a
  window with a hidden year is itself a hidden row («ett av årene er skjult»), never left out, so
  the triangles above see it (a missing gutter window would be alle − jenter);
- the first two go on from the cells already hidden, never start over: they only ever hide more.
``tests/test_privacy_leaks.py`` holds the marts to the property with an oracle of its own: no
hidden number follows from the shown ones by the sums the product exposes."""

from __future__ import annotations

import heapq
from collections import defaultdict

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

Key = tuple


def _row_space_weight(A: np.ndarray) -> np.ndarray:
    """For each column k: the squared length of e_k projected onto A's row space (1 when e_k lies
    in it). From the economy SVD, with scipy.linalg.null_space's rank tolerance (max(M, N)·eps·σ_max);
    numpy's SVD directly, as most systems are tiny and wrappers cost more than the decomposition."""
    _, s, vh = np.linalg.svd(A, full_matrices=False)
    tol = max(A.shape) * np.finfo(float).eps * (s[0] if s.size else 0.0)
    rank = int((s > tol).sum())
    return (vh[:rank] ** 2).sum(axis=0)


def recoverable(hidden: set, triangles: list[tuple[Key, list[Key], int]]) -> list:
    """Hidden cells whose value follows from the triangle equations and the shown cells.

    A triangle is (total, children, extra): ``extra`` counts further hidden parts of the
    total that are not cells of their own (e.g. schools left out of a bydel aggregate)."""
    hidden_list = sorted(hidden, key=str)
    if not hidden_list:
        return []
    col = {k: i for i, k in enumerate(hidden_list)}
    ncol = len(hidden_list)
    r_idx, c_idx, coef = [], [], []
    nrows = 0
    for total, children, extra in triangles:
        ct = col.get(total)
        cc = [col[c] for c in children if c in col]
        if ct is None and not cc and not extra:
            continue
        members = ([ct] if ct is not None else []) + cc + ([ncol] if extra else [])
        r_idx += [nrows] * len(members)
        c_idx += members
        coef += ([1.0] if ct is not None else []) + [-1.0] * (len(members) - (ct is not None))
        ncol += 1 if extra else 0  # the total's further hidden parts: one unknown of their own
        nrows += 1
    if not nrows:
        return []
    A = np.zeros((nrows, ncol))
    np.add.at(A, (np.array(r_idx), np.array(c_idx)), np.array(coef))
    # x_k is determined by A x = b exactly when e_k lies in A's row space (every null-space
    # vector is zero at k): its projection onto the row space has length 1
    key = (A.shape, A.tobytes())  # the same pattern recurs across periods and indicators
    weight = _SEEN.get(key)
    if weight is None:
        weight = _row_space_weight(A) if A.shape[1] <= SPLIT_ABOVE else _weight_by_parts(A)
        if len(_SEEN) > 200_000:
            _SEEN.clear()
        _SEEN[key] = weight
    return [k for k, w in zip(hidden_list, weight.tolist()) if w > 1 - 1e-9]


_SEEN: dict = {}  # equation pattern → row-space weights (a pure function of the pattern)


SPLIT_ABOVE = 48  # unknowns; larger systems are cut into parts that share no unknown


def _weight_by_parts(A: np.ndarray) -> np.ndarray:
    """``_row_space_weight`` for a large system, part by part: equations that share no unknown are
    independent (shown cells are constants), so each connected part is decomposed on its own -
    the same answer, and an SVD's cost grows with the cube of its size."""
    m, k = A.shape
    r, c = np.nonzero(A)
    graph = coo_matrix((np.ones(len(r)), (r, c + m)), shape=(m + k, m + k))
    _, label = connected_components(graph, directed=False)
    row_label, col_label = label[:m], label[m:]
    weight = np.zeros(k)
    for part in np.unique(row_label):
        rows, cols = row_label == part, col_label == part
        if cols.any():  # an equation with no unknown left constrains nothing
            weight[cols] = _row_space_weight(A[np.ix_(rows, cols)])
    return weight


def _separate(hidden: set, triangles: list) -> bool:
    """True when no hidden cell lies in two of the triangles. Then each equation holds its own
    unknowns, a cell is recoverable only in a triangle where it is the single unknown, and the
    fast path has already dealt with those: no linear algebra needed (same answer, much less work)."""
    seen: set = set()
    for t, c, _ in triangles:
        for m in (t, *c):
            if m in hidden:
                if m in seen:
                    return False
                seen.add(m)
    return True


def secondary_suppression(n: dict[Key, float], hidden: set, triangles: list[tuple[Key, list[Key], int]]) -> set:
    """Hide more cells (smallest n first) until none of the hidden can be recovered.

    Each step takes the first triangle (in the given order) with exactly one hidden member and
    hides its smallest shown part; when there is none, the linear algebra finds a recoverable
    cell (if any) and its first triangle. Hidden counts per triangle are kept up to date, so a
    step costs the triangles of the one new cell, not a pass over all of them."""
    hidden = set(hidden)
    usable = [(t, c, e) for t, c, e in triangles if t in n and all(x in n for x in c)]
    count = []
    where: dict = defaultdict(list)
    for i, (t, c, e) in enumerate(usable):
        count.append(sum(m in hidden for m in (t, *c)) + e)
        for m in (t, *c):
            where[m].append(i)
    ones = [i for i, k in enumerate(count) if k == 1]  # a heap: the first such triangle on top
    for _ in range(10 * (len(n) + 1)):
        while ones and count[ones[0]] != 1:  # counts only grow: drop triangles that passed 1
            heapq.heappop(ones)
        if ones:
            t, c, _ = usable[ones[0]]
        else:
            if _separate(hidden, usable):  # every triangle has 0 or >= 2 unknowns and shares none
                return hidden
            rec = recoverable(hidden, usable)
            if not rec:
                return hidden
            t, c = next((t, c) for t, c, e in usable if rec[0] in [t, *c])
        candidates = [m for m in c if m not in hidden] or ([t] if t not in hidden else [])
        if not candidates:
            return hidden
        new = min(candidates, key=lambda m: (n[m], str(m)))
        hidden.add(new)
        for j in where[new]:
            count[j] += 1
            if count[j] == 1:
                heapq.heappush(ones, j)
    return hidden


AGGREGATED = "aggregert fra skoler"


def _school_triangles(area, grp, level, parent, usable, origin, idx, has_bydeler) -> list:
    """total = Σ skoler: each bydel (and each kommune whose schools map straight to it) against
    the schools counted in it. A total aggregated from schools (``origin`` 'aggregert fra
    skoler') is exactly the sum of its usable schools, so the equation is exact; a published
    total may also hold schools we cannot see, so a school the source hid makes it partial."""
    kids: dict = defaultdict(list)
    partial: dict = defaultdict(bool)
    for a, g, lvl, p, ok in zip(area, grp, level, parent, usable):
        if lvl != "skole" or p is None:
            continue
        if ok:
            kids[(p, g)].append((a, g))
        else:
            partial[(p, g)] = True
    out = []
    for key in sorted(kids):
        i = idx.get(key)
        if i is None or level[i] not in ("bydel", "kommune") or (level[i] == "kommune" and key[0] in has_bydeler):
            continue
        extra = 0 if origin[i] == AGGREGATED else int(partial[key])
        out.append((key, sorted(kids[key]), extra))
    return out


def apply(values: pd.DataFrame, school_sums: bool = True) -> pd.DataFrame:
    """Add ``shown`` and ``hidden_reason`` to mart rows (indicator × area × period × grp).

    With a ``parent_code`` column (and ``school_sums``), schools are protected too: bydel =
    Σ skoler and kommune = Σ skoler where the schools map straight to the kommune.

    Each indicator × period × kommune block is solved over the cells whose n is known; where a
    cell hidden without n sits (the source hid it and gave no n), the greedy then goes on from
    the cells hidden so far with that cell as an unknown of the sums - alle − jenter would give it.
    With a ``cell`` column (the publisher's cells a row's indicator selects: source, measure,
    trinn, breakdown; ``marts.build_marts`` sets it), rows of several indicators that show the same
    cell are one cell: where they disagree, the greedy goes on once more, over the blocks of the
    shared cells, from every cell any of them hides and with every sum any of them shows. Going on
    from what is hidden (never starting over) means a rule added here only ever hides more.
    Columns are read once into arrays; only blocks with a hidden cell or a left-out school build
    triangles, so the cost follows the number of hidden cells."""
    v = values.copy()
    reason = pd.Series("", index=v.index, dtype="object")
    reason[v["value"].isna()] = "mangler i kilden"
    reason[v["suppressed"].astype(bool)] = "skjermet av kilden (for få svar)"
    small = v["n"].notna() & (v["n"] < v["min_n"]) & (reason == "")
    reason[small] = "færre enn " + v.loc[small, "min_n"].astype(int).astype(str) + " svar"
    own = reason.to_numpy(dtype=object, copy=True)
    out = own.copy()
    _solve(v, out, v["indicator_id"].to_numpy(dtype=object), school_sums)
    if "cell" in v.columns:
        _shared_cells(v, own, out, school_sums)
    v["shown"] = out == ""
    v["hidden_reason"] = pd.Series(out, index=v.index, dtype=object).where(out != "", None)
    return v


def _shared_cells(v: pd.DataFrame, own: np.ndarray, out: np.ndarray, school_sums: bool) -> None:
    """Make rows that show the same cell agree (``apply``): the cells shared by two or more
    indicators, one row each, hidden when any row is; where rows disagreed, the greedy goes on
    over the shared cells' blocks. Views of one cell differ only in the kjønn they select, so
    their sums nest: where they agree, the larger view's solution holds for every view."""
    cell, names = pd.factorize(v["cell"], use_na_sentinel=False)
    iid = pd.factorize(v["indicator_id"], use_na_sentinel=False)[0]
    pairs = np.unique(cell.astype(np.int64) * (iid.max() + 1) + iid)
    views = np.bincount(pairs // (iid.max() + 1), minlength=len(names))
    shared = np.flatnonzero(views[cell] > 1)
    if not len(shared):
        return
    codes = [pd.factorize(v[c].to_numpy()[shared], use_na_sentinel=False)[0] for c in ("area_code", "period", "grp")]
    var = pd.Series(np.zeros(len(shared))).groupby([cell[shared], *codes], sort=False).ngroup().to_numpy()

    def by_cell(x):
        return pd.Series(x).groupby(var, sort=True)

    hidden = by_cell(out[shared] != "")
    disagree = (hidden.max() != hidden.min()).to_numpy()
    if not disagree.any():
        return
    rep = by_cell(np.arange(len(shared))).first().to_numpy()  # one row per cell

    # the cell's reason: a row's own (primary) reason first, else the reason it was hidden for
    def first_of(x):
        return by_cell(np.where(x != "", x, None)).first()

    why = first_of(own[shared]).fillna(first_of(out[shared]))
    out_cell = why.reindex(range(len(rep))).fillna("").to_numpy(dtype=object)
    used = ["cell", "area_code", "area_level", "period", "grp", "n", "value", "suppressed"]
    used += [c for c in ("units_hidden", "parent_code", "origin") if c in v.columns]
    cells = v[used].iloc[shared[rep]]
    _solve(cells, out_cell, cells["cell"].to_numpy(dtype=object), school_sums, disagree)
    out[shared] = np.where(own[shared] != "", own[shared], out_cell[var])


def _solve(v: pd.DataFrame, out: np.ndarray, series: np.ndarray, school_sums: bool, todo=None) -> None:
    """Secondary suppression over rows ``v`` (one per cell) whose reasons so far are ``out``; writes
    the reason of every cell it hides into ``out``. ``series``: the rows' indicator (or shared
    cell), the first part of a block. Without ``todo``: every block with a hidden cell or a
    left-out school, first over the cells with n, then going on with a hidden cell without n as
    an unknown (n 0: never chosen to hide). With it: the blocks holding a ``todo`` row, from the
    cells hidden so far, a hidden cell without n an unknown from the start."""
    step2 = todo is not None
    hidden_mask = out != ""
    n_all = pd.to_numeric(v["n"], errors="coerce").to_numpy(dtype=float)
    area = v["area_code"].to_numpy(dtype=object)
    grp = v["grp"].to_numpy(dtype=object)
    level = v["area_level"].to_numpy(dtype=object)
    left_out = v["units_hidden"].fillna(0).to_numpy(dtype=float) if "units_hidden" in v else np.zeros(len(v))
    schools = school_sums and "parent_code" in v.columns
    if schools:
        parent = v["parent_code"].astype(object).where(v["parent_code"].notna(), None).to_numpy(dtype=object)
        usable = (~v["suppressed"].astype(bool) & v["value"].notna() & v["n"].notna()).to_numpy()
        origin = v["origin"].to_numpy(dtype=object) if "origin" in v else np.full(len(v), "", dtype=object)
    # Triangles never join two kommuner, so solve each indicator × period × kommune on its own
    # (block = the kommune of a kommune, bydel or school; land, fylke and groups on their own) and
    # only the blocks that hold a hidden cell or a left-out school.
    home = np.where(level == "skole", parent, area) if schools else area
    home = np.where(pd.isna(home), area, home)
    block = pd.Series(home, dtype=object).str[:4].to_numpy(dtype=object)
    period = v["period"].to_numpy(dtype=object)
    work = todo if step2 else hidden_mask | (left_out > 0)
    keys = [series, period, block]
    blocks = pd.Series(work).groupby(keys, sort=False).transform("any").to_numpy(dtype=bool)
    sub = np.flatnonzero(blocks)
    sub_keys = pd.DataFrame({"i": series[sub], "p": period[sub], "b": block[sub]})
    for rel in sub_keys.groupby(["i", "p", "b"], sort=False).indices.values():
        pos = sub[rel]
        if np.isnan(n_all[pos]).all():
            continue
        a_, g_, l_ = area[pos], grp[pos], level[pos]
        key = list(zip(a_.tolist(), g_.tolist()))
        idx = {k: i for i, k in enumerate(key)}
        hid = {k for k, h in zip(key, hidden_mask[pos]) if h}
        n = {k: x for k, x in zip(key, n_all[pos].tolist()) if x == x}
        unknown = {k: 0.0 for k in hid if k not in n}  # hidden without n: an unknown of the sums all the same
        if step2:
            n.update(unknown)
        tri = []
        for a in sorted(set(a_.tolist())):  # sorted: the same data must give the same hidden cells in
            if (a, "alle") in idx and (a, "gutter") in idx and (a, "jenter") in idx:  # every run; alle = g + j
                tri.append(((a, "alle"), [(a, "gutter"), (a, "jenter")], 0))
        by_parent = defaultdict(list)
        for a, lvl in zip(a_.tolist(), l_.tolist()):
            if lvl == "bydel":
                by_parent[a[:4]].append(a)
        extra = dict(zip(key, left_out[pos].astype(int).tolist()))
        grps = sorted(set(g_.tolist()))
        for par, kids in sorted(by_parent.items()):  # kommune = Σ bydeler
            for g in grps:
                if (par, g) in idx:
                    kk = sorted({(b, g) for b in kids if (b, g) in idx})
                    tri.append(((par, g), kk, int(sum(extra.get(k, 0) for k in kk) > 0)))
        if schools:
            tri += _school_triangles(
                a_.tolist(),
                g_.tolist(),
                l_.tolist(),
                parent[pos].tolist(),
                usable[pos].tolist(),
                origin[pos].tolist(),
                idx,
                set(by_parent),
            )
        # One greedy run for the whole block gives the cells one run per connected group of
        # triangles would: a step in one group never changes another, and each keeps its order.
        if not hid and not any(e for _, _, e in tri):
            continue
        more = secondary_suppression(n, hid, tri)
        if unknown and not step2:  # go on from there, the cells without n now in the sums
            more = secondary_suppression({**n, **unknown}, more, tri)
        for k in more - hid:
            out[pos[idx[k]]] = "skjult for å hindre tilbakeregning"
