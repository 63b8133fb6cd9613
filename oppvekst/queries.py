"""Read-side queries for the pages. They read marts and the registry only."""

from __future__ import annotations

import duckdb
import pandas as pd

from oppvekst.formatting import sort_key, source_name
from oppvekst.funnel import Funnel
from oppvekst.funnel import compare as funnel_compare
from oppvekst.geography import series_code_note  # noqa: F401 - a read-side query the pages use
from oppvekst.marts import status_rows
from oppvekst.multiplicity import page_verdicts
from oppvekst.periods import parse_period
from oppvekst.registry import OWNER_SEP
from oppvekst.stats import Interval
from oppvekst.verdicts import benchmark_verdict, direction


def database_info(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Facts about the database (older sample databases carry 'dataset' = 'sample')."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'database_info'"
    ).fetchone()[0]
    return dict(con.execute("SELECT key, value FROM database_info").fetchall()) if exists else {}


def data_status(con: duckdb.DuckDBPyConnection) -> dict:
    """When the data were last loaded, and how many observations come from the bundled sample
    extracts: ``sample`` is 'all', 'mixed' or 'none' (what the banner on every page says)."""
    cols = {
        r[0]
        for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'loads'").fetchall()
    }
    if not cols:
        return {"loaded_at": None, "sample": "none", "sample_rows": 0, "rows": 0}
    loaded_at = con.execute("SELECT max(loaded_at) FROM loads WHERE status = 'loaded'").fetchone()[0]
    if "sample" in cols:
        rows, sample_rows = con.execute("""SELECT count(*), count(*) FILTER (WHERE l.sample)
            FROM observations o LEFT JOIN loads l USING (load_id)""").fetchone()
    else:  # a database built before loads had the flag: the old whole-database marker
        rows = con.execute("SELECT count(*) FROM observations").fetchone()[0]
        sample_rows = rows if database_info(con).get("dataset") == "sample" else 0
    kind = "none" if not sample_rows else "all" if sample_rows == rows else "mixed"
    return {"loaded_at": loaded_at, "sample": kind, "sample_rows": int(sample_rows), "rows": int(rows)}


def indicators(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM indicators").df()


def registry_problems(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM registry_problems").df()


def areas_with_data(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Kommuner and bydeler that have indicator values: kommuner in Norwegian alphabetical
    order (Ålesund last), each followed by its bydeler in the same order."""
    areas = con.execute("""
        SELECT DISTINCT m.area_code, a.area_name, m.area_level,
               CASE WHEN m.area_level = 'bydel' THEN a.parent_code ELSE m.area_code END AS kommune_code,
               coalesce(k.area_name, a.area_name) AS kommune_name
        FROM mart_indicator_values m JOIN areas a USING (area_code)
        LEFT JOIN areas k ON k.area_code = CASE WHEN m.area_level = 'bydel' THEN a.parent_code END
        WHERE m.area_level IN ('kommune', 'bydel')""").df()
    keys = areas.assign(
        _k=areas["kommune_name"].map(sort_key),
        _bydel=areas["area_level"] != "kommune",
        _a=areas["area_name"].map(sort_key),
    )
    keys = keys.sort_values(["_k", "kommune_code", "_bydel", "_a"], kind="stable")
    return keys.drop(columns=["kommune_name", "_k", "_bydel", "_a"]).reset_index(drop=True)


def scorecard(con: duckdb.DuckDBPyConnection, area_code: str, indicator_id: str | None = None) -> pd.DataFrame:
    q = "SELECT * FROM mart_scorecard WHERE area_code = ?"
    params = [area_code]
    if indicator_id:
        q += " AND indicator_id = ?"
        params.append(indicator_id)
    return con.execute(q + " ORDER BY indicator_id, grp, year_start, year_end, period", params).df()


def malekart(con: duckdb.DuckDBPyConnection, area_code: str, until: int | None = None) -> pd.DataFrame:
    """One row per registry indicator for one area: Hva · 0-punkt · Mål · Status · Endring fra 0-punkt,
    with the verdicts from ``mart_scorecard``. ``until``: as it stood with the periods that end in
    or before that year (a yearly report), the page-level verdicts computed for that status.

    Status is the latest period of the same kind as the 0-punkt (school year, year, pooled
    period), so monthly absence never replaces the school-year figure. Forbedring is status
    minus 0-punkt, signed so that positive is better (NaN for neutral indicators)."""
    ind = indicators(con)
    card = scorecard(con, area_code)
    if until is not None:
        card = card[card["year_end"] <= int(until)]
    out = []
    for r in ind.itertuples(index=False):
        kind = parse_period(r.baseline_period).kind
        s = card[(card["indicator_id"] == r.indicator_id) & (card["grp"] == r.gender) & (card["period_type"] == kind)]
        base = s[s["period"] == r.baseline_period]
        base_series = base["value"].iloc[0] if len(base) and pd.notna(base["value"].iloc[0]) else None
        agreed = pd.notna(r.baseline_value) and area_code == r.plan_area  # the plan's own area only
        baseline = r.baseline_value if agreed else base_series
        last = s.iloc[-1].to_dict() if len(s) else {}
        status = last.get("value") if pd.notna(last.get("value")) else None
        change = (status - baseline) if status is not None and baseline is not None else None
        out.append(
            {
                "indicator_id": r.indicator_id,
                "goal": r.goal,
                "title": r.title,
                "unit": r.unit,
                "polarity": r.polarity,
                "owner": r.owner,
                "owner_path": getattr(r, "owner_path", r.owner),  # the whole path («BBSI › Etat for skole»)
                "statistic": r.statistic,
                "tiltak": r.tiltak,
                "baseline_period": r.baseline_period,
                "baseline_value": baseline,
                "baseline_agreed": bool(agreed),
                "baseline_series_value": base_series,
                "target_value": r.target_value,
                "target_period": r.target_period,
                "status_period": last.get("period"),
                "status_value": status,
                "status_low": last.get("ci_low"),
                "status_high": last.get("ci_high"),
                "status_method": last.get("ci_method"),
                "status_shown": bool(last.get("shown")) if last else False,
                "status_reason": last.get("hidden_reason"),
                "status_n": last.get("n"),
                "change": change,
                "improvement": change * direction(r.polarity) if change is not None and direction(r.polarity) else None,
                "change_low": last.get("change_low"),
                "change_high": last.get("change_high"),
                "change_verdict": last.get("change_verdict"),
                "change_symbol": last.get("change_symbol"),
                "change_colour": last.get("change_colour"),
                "change_detail": last.get("change_detail"),
                "benchmark_value": last.get("benchmark_value"),
                "benchmark_area": last.get("benchmark_area"),
                "benchmark_name": last.get("benchmark_name"),
                "landet_value": last.get("landet_value"),
                "benchmark_verdict": last.get("benchmark_verdict"),
                "benchmark_symbol": last.get("benchmark_symbol"),
                "benchmark_colour": last.get("benchmark_colour"),
                "target_verdict": last.get("target_verdict"),
                "target_symbol": last.get("target_symbol"),
                "target_colour": last.get("target_colour"),
                "target_detail": last.get("target_detail"),
                "trend": s["value"].tolist(),
                "points": int(s["value"].notna().sum()),
            }
        )
    return _page_level(con, pd.DataFrame(out), area_code, until)


def _page_level(
    con: duckdb.DuckDBPyConnection, mk: pd.DataFrame, area_code: str, until: int | None = None
) -> pd.DataFrame:
    """The målekart's verdicts as the page states them: each single-look verdict kept only when it
    survives Benjamini–Hochberg over the family of the kommune and its bydeler
    (``mart_page_verdicts``, ``oppvekst.multiplicity``). Adds ``family_tests`` (how many tests the
    correction spans) and ``family_name``."""
    mk = mk.assign(family_tests=pd.NA, family_name=None)
    if mk.empty or not _has_table(con, "mart_page_verdicts"):
        return mk
    if until is None:
        pv = con.execute("SELECT * FROM mart_page_verdicts WHERE area_code = ?", [area_code]).df()
    else:  # the family's status in that year, corrected as the mart corrects the latest
        level = con.execute("SELECT area_level FROM areas WHERE area_code = ?", [area_code]).fetchone()
        family = area_code[:4] if level and level[0] in ("kommune", "bydel") else area_code
        status = status_rows(con, until, family)
        pv = page_verdicts(status) if len(status) else status
        pv = pv[pv["area_code"] == area_code] if len(pv) else pv
    if pv.empty:
        return mk
    pv = mk[["indicator_id", "status_period"]].merge(
        pv, left_on=["indicator_id", "status_period"], right_on=["indicator_id", "period"], how="left"
    )
    has = pv["family"].notna().to_numpy()
    for kind in ("change", "benchmark", "target"):
        for part in ("verdict", "symbol", "colour", "detail"):
            if f"{kind}_{part}" not in mk:
                mk[f"{kind}_{part}"] = None
            mk[f"{kind}_{part}"] = mk[f"{kind}_{part}"].where(~has, pv[f"page_{kind}_{part}"].to_numpy())
    mk["family_tests"] = pv["family_tests"].to_numpy()
    family = pv.loc[has, "family"].iloc[0] if has.any() else None
    if family is not None:
        row = con.execute(
            """SELECT a.area_name, (SELECT count(*) FROM areas b WHERE b.parent_code = a.area_code
               AND b.area_level = 'bydel') FROM areas a WHERE a.area_code = ?""",
            [family],
        ).fetchone()
        name = row[0] if row else family
        mk["family_name"] = f"{name} og bydelene" if row and row[1] else name
    return mk


def loads(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The load history, newest first, with Norwegian column names."""
    return (
        con.execute("""
        SELECT load_id AS "Nr.", file_name AS "Fil", format AS "Format", source AS "Kilde",
               loaded_at AS "Lastet", rows AS "Rader", suppressed AS "Skjermet",
               new_rows AS "Nye", revised_rows AS "Reviderte", unchanged_rows AS "Uendrede",
               left(sha256, 12) AS "SHA-256 (start)"
        FROM loads ORDER BY load_id DESC""")
        .df()
        .assign(Kilde=lambda d: d["Kilde"].map(source_name))
    )


def coverage(con: duckdb.DuckDBPyConnection, kommune: str | None = None) -> pd.DataFrame:
    """Indicator × area: periods with a shown value, hidden (suppressed/too few) and latest period."""
    where = "WHERE s.grp = i.gender" + (
        " AND (s.area_code = ? OR s.area_code LIKE ? || '__' OR s.area_code = '0')" if kommune else ""
    )
    params = [kommune, kommune] if kommune else []
    return con.execute(
        f"""
        SELECT "Indikator", "Område", "Nivå", "Med verdi", "Skjult eller mangler", "Siste periode med verdi" FROM (
            SELECT i.title AS "Indikator", s.area_name AS "Område", s.area_level AS "Nivå",
                   count(*) FILTER (WHERE s.shown) AS "Med verdi",
                   count(*) FILTER (WHERE NOT s.shown) AS "Skjult eller mangler",
                   max(s.period) FILTER (WHERE s.shown) AS "Siste periode med verdi"
            FROM mart_scorecard s JOIN indicators i USING (indicator_id) {where}
            GROUP BY i.title, s.area_name, s.area_level)
        ORDER BY "Indikator", "Nivå" <> 'land', "Område"
        """,
        params,
    ).df()


def revisions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return (
        con.execute("""
        SELECT r.source AS "Kilde", r.measure_code AS "Variabel", a.area_name AS "Område", r.period AS "Periode",
               r.old_value AS "Gammel verdi", r.new_value AS "Ny verdi", l.file_name AS "Fra fil"
        FROM revisions r LEFT JOIN areas a USING (area_code) LEFT JOIN loads l ON l.load_id = r.new_load_id
        ORDER BY r.revised_at DESC, 1, 2, 3, 4""")
        .df()
        .assign(Kilde=lambda d: d["Kilde"].map(source_name))
    )


def indicator_meta(con: duckdb.DuckDBPyConnection, indicator_id: str) -> dict:
    rows = con.execute("SELECT * FROM indicators WHERE indicator_id = ?", [indicator_id]).df()
    return rows.iloc[0].to_dict() if len(rows) else {}


def periods(con: duckdb.DuckDBPyConnection, indicator_id: str) -> list[str]:
    meta = indicator_meta(con, indicator_id)
    if not meta:
        return []
    kind = parse_period(meta["baseline_period"]).kind
    return [
        r[0]
        for r in con.execute(
            """SELECT DISTINCT period, year_start, year_end FROM mart_scorecard
        WHERE indicator_id = ? AND period_type = ? ORDER BY year_start DESC, year_end DESC""",
            [indicator_id, kind],
        ).fetchall()
    ]


def parent_areas(con: duckdb.DuckDBPyConnection, area_code: str) -> list[tuple[str, str]]:
    """The chain above an area: bydel → kommune → fylke → landet (code, name)."""
    out = []
    code = area_code
    for _ in range(4):
        row = con.execute("SELECT parent_code FROM areas WHERE area_code = ?", [code]).fetchone()
        if not row or not row[0]:
            break
        code = row[0]
        name = con.execute("SELECT area_name FROM areas WHERE area_code = ?", [code]).fetchone()
        out.append((code, name[0] if name else code))
    if not out or out[-1][0] != "0":
        out.append(("0", "Hele landet"))
    return out


def _compared_codes(con: duckdb.DuckDBPyConnection, base: pd.DataFrame, reference: str, level: str) -> pd.Series:
    """Which mart rows of ``base`` the Områder page compares with ``reference``: the bydeler of a
    kommune (level 'bydel'), the schools of a bydel or of a whole kommune ('skole': those whose
    parent is the area, or a bydel of it), or every kommune ('kommune', against landet)."""
    if level == "bydel":
        return (base["area_level"] == "bydel") & base["area_code"].str.startswith(reference)
    if level == "skole":
        kids = {
            r[0]
            for r in con.execute(
                """SELECT area_code FROM areas WHERE area_level = 'skole' AND (parent_code = ? OR parent_code IN
                   (SELECT area_code FROM areas WHERE parent_code = ? AND area_level = 'bydel'))""",
                [reference, reference],
            ).fetchall()
        }
        return base["area_code"].isin(kids)
    return base["area_level"] == "kommune"


def compare_funnel(
    con: duckdb.DuckDBPyConnection, indicator_id: str, period: str, reference: str, level: str = "bydel"
) -> tuple[pd.DataFrame, dict | None, Funnel | None]:
    """Bydeler of a kommune, schools of a bydel or a kommune (level='skole') or kommuner
    (level='kommune', reference landet) for one period, each placed in a funnel around the
    reference area's value (``oppvekst.funnel.compare``: the verdict from the 99,8 % limits at the
    area's n, widened when the areas are overdispersed). Returns (rows sorted best first, hidden
    last; the reference's row; the funnel, or None when no area could be placed)."""
    meta = indicator_meta(con, indicator_id)
    if not meta:
        return pd.DataFrame(), None, None
    base = con.execute(
        """SELECT * FROM mart_scorecard WHERE indicator_id = ? AND period = ? AND grp = ?""",
        [indicator_id, period, meta["gender"]],
    ).df()
    ref = base[base["area_code"] == reference]
    ref_row = ref.iloc[0].to_dict() if len(ref) else None
    rows = base[_compared_codes(con, base, reference, level)]
    shown = bool(ref_row and ref_row.get("shown"))
    ref_val = ref_row["value"] if shown else None
    ref_name = "landet" if level == "kommune" else (ref_row or {}).get("area_name") or "referansen"
    rows, funnel = funnel_compare(
        rows,
        ref_val,
        meta["statistic"],
        meta["polarity"],
        meta["unit"],
        ref_name,
        ref_row.get("sd") if shown else None,
    )
    rows = rows.assign(_k=rows["value"].where(rows["shown"].astype(bool)), _n=rows["area_name"].map(sort_key))
    rows = rows.sort_values(
        ["_k", "_n"], ascending=[meta["polarity"] != "higher_is_better", True], na_position="last", kind="stable"
    )
    return rows.drop(columns=["_k", "_n"]).reset_index(drop=True), ref_row, funnel


def compare_areas(
    con: duckdb.DuckDBPyConnection, indicator_id: str, period: str, kommune: str, level: str = "bydel"
) -> tuple[pd.DataFrame, dict | None]:
    """``compare_funnel`` without the funnel: (rows with the funnel's verdict in ``vs_ref``,
    the reference's row)."""
    rows, ref_row, _ = compare_funnel(con, indicator_id, period, kommune, level)
    return rows, ref_row


def profile(con: duckdb.DuckDBPyConnection, bydel: str) -> pd.DataFrame:
    """All indicators for one bydel against its kommune (latest period of each indicator), with
    landet's number beside it: the scorecard's one benchmark rule (``oppvekst.scorecard``), and
    the Målekart's page-level verdicts (sure after Benjamini–Hochberg over the kommune and its
    bydeler), so «skiller seg sikkert ut» means the same on both pages."""
    mk = malekart(con, bydel)
    if mk.empty:
        return mk
    kommune = mk["benchmark_area"].fillna("0") != "0"
    return pd.DataFrame(
        {
            "indicator_id": mk["indicator_id"],
            "goal": mk["goal"],
            "title": mk["title"],
            "unit": mk["unit"],
            "period": mk["status_period"],
            "value": mk["status_value"],
            "low": mk["status_low"],
            "high": mk["status_high"],
            "shown": mk["status_shown"],
            "reason": mk["status_reason"],
            "kommune_value": mk["benchmark_value"].where(kommune, None),
            "landet_value": mk["landet_value"],
            "benchmark_name": mk["benchmark_name"],
            "benchmark_value": mk["benchmark_value"],
            "benchmark_verdict": mk["benchmark_verdict"],
            "benchmark_symbol": mk["benchmark_symbol"],
            "status_low": mk["status_low"],
            "status_n": mk["status_n"],  # why a number has no interval (the profile's verdict text)
            "verdict": mk["benchmark_verdict"].where(kommune, None),
            "symbol": mk["benchmark_symbol"].where(kommune, None),
            "family_tests": mk["family_tests"],  # the page-wide correction (``presentation.page_rule_text``)
            "family_name": mk["family_name"],
        }
    )


def _owner_paths(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """indicator_id, owner_path, source; in a database built before owners were a hierarchy the
    path is the owner itself."""
    has_path = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_catalog = current_database() "
        "AND table_name = 'indicators' AND column_name = 'owner_path'"
    ).fetchone()[0]
    col = "owner_path" if has_path else "owner"
    return con.execute(f"SELECT indicator_id, {col} AS owner_path, source FROM indicators").df()


def owners(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every node of the owner tree (byrådsavdeling → etat → enhet → skole, as far as the registry
    names them): ``path`` («BBSI › Etat for skole», the key in ``?eier=``), ``name`` (the node's own
    name), ``depth`` (0 at the top) and ``indicators`` (its own and those of every node below it).
    Tree order: each node is followed by the nodes under it, siblings in Norwegian alphabetical order."""
    counts: dict[tuple[str, ...], int] = {}
    for path in _owner_paths(con)["owner_path"].dropna():
        parts = tuple(path.split(OWNER_SEP))
        for depth in range(1, len(parts) + 1):
            counts[parts[:depth]] = counts.get(parts[:depth], 0) + 1
    nodes = sorted(counts, key=lambda parts: [sort_key(p) for p in parts])
    return pd.DataFrame(
        {
            "path": [OWNER_SEP.join(n) for n in nodes],
            "name": [n[-1] for n in nodes],
            "depth": pd.Series([len(n) - 1 for n in nodes], dtype="int64"),
            "indicators": pd.Series([counts[n] for n in nodes], dtype="int64"),
        }
    )


def owner_indicators(con: duckdb.DuckDBPyConnection, owner_path: str) -> pd.DataFrame:
    """The indicators a node of the owner tree answers for: its own and those of every node below
    it (a byrådsavdeling gets all of its etater's; an etat only its own and its enheters).
    Columns ``indicator_id``, ``owner_path``, ``source``."""
    rows = _owner_paths(con)
    below = rows["owner_path"].eq(owner_path) | rows["owner_path"].str.startswith(owner_path + OWNER_SEP)
    return rows[below.fillna(False)].reset_index(drop=True)


def monthly(con: duckdb.DuckDBPyConnection, indicator_id: str, area_code: str) -> pd.DataFrame:
    """Monthly values (e.g. fravær from the template), shown ones only, oldest first."""
    return con.execute(
        """
        SELECT s.period, s.value, s.n FROM mart_scorecard s JOIN indicators i USING (indicator_id)
        WHERE s.indicator_id = ? AND s.area_code = ? AND s.period_type = 'month' AND s.grp = i.gender AND s.shown
        ORDER BY s.period""",
        [indicator_id, area_code],
    ).df()


# --------------------------------------------------------------------- «Fordelt på» (slices)

GENDERS = ["alle", "gutter", "jenter"]


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0])


def breakdown_options(con: duckdb.DuckDBPyConnection, indicator_id: str) -> list[str]:
    """The «Fordelt på» choices the data carry for an indicator: always 'ingen'; 'kjonn' when the
    mart holds gutter and jenter (the registry's kjønn is 'alle'); 'trinn' when the source
    delivers the measure for other trinn too (``mart_breakdowns``; a database built before it
    existed has none)."""
    meta = indicator_meta(con, indicator_id)
    if not meta:
        return ["ingen"]
    out = ["ingen"]
    if meta["gender"] == "alle":
        groups = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT grp FROM mart_scorecard WHERE indicator_id = ? AND shown", [indicator_id]
            ).fetchall()
        }
        if {"gutter", "jenter"} & groups:
            out.append("kjonn")
    if (
        _has_table(con, "mart_breakdowns")
        and con.execute(
            "SELECT count(*) FROM mart_breakdowns WHERE indicator_id = ? AND grp = ?", [indicator_id, meta["gender"]]
        ).fetchone()[0]
    ):
        out.append("trinn")
    return out


def _slices(con, meta: dict, by: str, where: str, params: list) -> pd.DataFrame:
    """Mart rows of one indicator split as ``by`` says, with ``slice`` (the group: a kjønn or a
    trinn), ``slice_order`` (alle, gutter, jenter; trinn from the lowest) and ``own`` (the plan's
    own group, the one with verdicts).
    ``where``/``params`` narrow the rows (areas, period)."""
    iid = meta["indicator_id"]
    if by == "kjonn" and meta["gender"] == "alle":
        rows = con.execute(
            f"SELECT * FROM mart_scorecard WHERE indicator_id = ? AND grp IN ('alle', 'gutter', 'jenter') AND {where}",
            [iid, *params],
        ).df()
        rows["slice"] = rows["grp"]
        order = {g: i for i, g in enumerate(GENDERS)}
    else:
        rows = con.execute(
            f"SELECT * FROM mart_scorecard WHERE indicator_id = ? AND grp = ? AND {where}",
            [iid, meta["gender"], *params],
        ).df()
        rows["slice"] = meta["grade"] if by == "trinn" else rows["grp"]
        order = {meta["grade"] if by == "trinn" else meta["gender"]: 0}
        if by == "trinn" and _has_table(con, "mart_breakdowns"):
            other = con.execute(
                f"SELECT * EXCLUDE (grade, via), grade AS slice FROM mart_breakdowns "
                f"WHERE indicator_id = ? AND grp = ? AND {where}",
                [iid, meta["gender"], *params],
            ).df()
            if len(other):
                from oppvekst.marts import grade_order

                order = {g: i for i, g in enumerate(grade_order({meta["grade"], *other["slice"]}))}
                rows = pd.concat([rows, other[[c for c in other.columns if c in rows.columns]]], ignore_index=True)
    rows["slice_order"] = rows["slice"].map(order).fillna(len(order)).astype(int)
    rows["own"] = rows["slice"] == (meta["grade"] if by == "trinn" else meta["gender"])
    return rows


def indicator_slices(
    con: duckdb.DuckDBPyConnection, indicator_id: str, areas: list[str], by: str = "ingen"
) -> pd.DataFrame:
    """One indicator's mart rows split by kjønn or trinn: the rows of one indicator in several areas,
    in the 0-punkt's kind of period, with ``slice``, ``slice_order`` and ``own`` (see ``_slices``);
    ordered by area (as given), group, then time. For other trinn the verdicts against the
    0-punkt and the target are empty: they belong to the plan's own trinn."""
    meta = indicator_meta(con, indicator_id)
    if not meta or not areas:
        return pd.DataFrame()
    kind = parse_period(meta["baseline_period"]).kind
    rows = _slices(con, meta, by, "period_type = ? AND list_contains(?::VARCHAR[], area_code)", [kind, list(areas)])
    rank = {a: i for i, a in enumerate(areas)}
    rows["_a"] = rows["area_code"].map(rank)
    rows = rows.sort_values(["_a", "slice_order", "year_start", "year_end"], kind="stable")
    return rows.drop(columns="_a").reset_index(drop=True)


def compare_slices(
    con: duckdb.DuckDBPyConnection,
    indicator_id: str,
    period: str,
    reference: str,
    level: str = "bydel",
    by: str = "kjonn",
) -> tuple[pd.DataFrame, dict]:
    """``compare_areas`` split by kjønn or trinn: one row per area × group for one period, each
    compared with the reference area's value for the same group. Returns (rows, {group: the
    reference's row}). Areas are sorted best first by the plan's own group (hidden last), and each
    area's groups follow one another in a fixed order (alle, gutter, jenter; trinn from the lowest)."""
    meta = indicator_meta(con, indicator_id)
    if not meta:
        return pd.DataFrame(), {}
    base = _slices(con, meta, by, "period = ?", [period])
    refs = {s: g.iloc[0].to_dict() for s, g in base[base["area_code"] == reference].groupby("slice")}
    rows = base[_compared_codes(con, base, reference, level)].copy()
    verdicts = []
    for r in rows.itertuples():
        ref = refs.get(r.slice)
        ref_val = ref["value"] if ref and ref.get("shown") else None
        ci = Interval(r.ci_low, r.ci_high, r.ci_method, 0.95) if pd.notna(r.ci_low) else None
        verdicts.append(benchmark_verdict(ci, ref_val, meta["polarity"], "kommunen"))
    rows["vs_ref"] = [v.text for v in verdicts]
    rows["vs_ref_symbol"] = [v.symbol for v in verdicts]
    rows["vs_ref_colour"] = [v.colour for v in verdicts]
    rows["ref_value"] = [(refs[s]["value"] if s in refs and refs[s].get("shown") else None) for s in rows["slice"]]
    # areas best first by the own group's value; hidden or missing last
    sign = -1 if meta["polarity"] == "higher_is_better" else 1
    own = rows[rows["own"] & rows["shown"].astype(bool)].set_index("area_code")["value"]
    rows["_k"] = rows["area_code"].map(own * sign)
    rows["_n"] = rows["area_name"].map(sort_key)
    rows = rows.sort_values(["_k", "_n", "area_code", "slice_order"], na_position="last", kind="stable")
    return rows.drop(columns=["_k", "_n"]).reset_index(drop=True), refs


from oppvekst.tidy import tidy_values  # noqa: E402,F401  (re-exported: pages read queries only)
