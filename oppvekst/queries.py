"""Read-side queries for the pages. They read marts and the registry only."""

from __future__ import annotations

import duckdb
import pandas as pd

from oppvekst.formatting import sort_key, source_name
from oppvekst.funnel import Funnel
from oppvekst.funnel import compare as funnel_compare
from oppvekst.geography import series_code_note  # noqa: F401 - a read-side query the pages use
from oppvekst.marts import status_rows
from oppvekst.multiplicity import family_code, page_verdicts
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
        status = status_rows(con, until, family_code(area_code, level[0] if level else ""))
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


def report_years(con: duckdb.DuckDBPyConnection, area_code: str) -> list[int]:
    """The years a status report can be made for an area, newest first: those in which a period of
    a plan indicator ends (of the 0-punkt's kind, as ``malekart`` reads them; months do not count)."""
    kinds = {r.indicator_id: parse_period(r.baseline_period).kind for r in indicators(con).itertuples()}
    rows = con.execute(
        """SELECT DISTINCT s.indicator_id, s.period_type, s.year_end FROM mart_scorecard s
           JOIN indicators i USING (indicator_id) WHERE s.area_code = ? AND s.grp = i.gender""",
        [area_code],
    ).fetchall()
    return sorted({int(y) for i, kind, y in rows if kinds.get(i) == kind}, reverse=True)


def report_file(con: duckdb.DuckDBPyConnection, area_code: str, year: int, fmt: str = "pdf") -> bytes:
    """The yearly status report (``oppvekst.report``) for an area and year as a file: ``fmt`` 'pdf'
    or 'docx'. Raises ``oppvekst.report.ReportError`` when it cannot be made."""
    from oppvekst.report import build_report, render

    return render(build_report(con, area_code, year), fmt)


def report_content(con: duckdb.DuckDBPyConnection, area_code: str, year: int):
    """The yearly status report's content (``oppvekst.report.Report``), for the page's preview."""
    from oppvekst.report import build_report

    return build_report(con, area_code, year)


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

# --------------------------------------------------------------------- Effekt av tiltak (issue 17)


def _tiltak_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The registry's tiltak (``marts.load_indicators``); none in a database built before they were."""
    if not _has_table(con, "tiltak"):
        return pd.DataFrame(columns=["tiltak_id", "name", "description", "level", "units", "start", "start_year",
                                     "stop", "stop_year", "indicators"])  # fmt: skip
    rows = con.execute("SELECT * FROM tiltak").df()
    for col in ("units", "indicators"):
        rows[col] = rows[col].map(list)
    return rows


def _effect_coverage(con: duckdb.DuckDBPyConnection):
    """What the marts hold, for the tiltak's checks against the data (``registry.DataCoverage``)."""
    from oppvekst.registry import DataCoverage

    areas = frozenset(r[0] for r in con.execute("SELECT DISTINCT area_code FROM mart_indicator_values").fetchall())
    spans = {
        (r[0], r[1]): r[2:]
        for r in con.execute(
            """SELECT indicator_id, period_type, min(year_start), max(year_start), arg_min(period, year_start),
                      arg_max(period, year_start)
               FROM mart_indicator_values GROUP BY ALL"""
        ).fetchall()
    }
    periods = {}
    for ind_id, base in con.execute("SELECT indicator_id, baseline_period FROM indicators").fetchall():
        row = spans.get((ind_id, parse_period(base).kind))
        if row and row[0] is not None:
            periods[ind_id] = (int(row[0]), int(row[1]), row[2], row[3])
    return DataCoverage(areas, periods)


def tiltak_list(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The tiltak with where and since when they run: ``units`` (codes) and ``unit_names``, the
    level, start and stop, the indicators they are meant to move (those the registry knows), and
    ``problems``: what in the data stops a tiltak being measured (a unit without data, a start at
    or before the first measurement or after the last), in bokmål."""
    from oppvekst.registry import data_problems

    rows = _tiltak_rows(con)
    if rows.empty:
        return rows.assign(unit_names=[], problems=[])
    names = dict(con.execute("SELECT area_code, area_name FROM areas").fetchall())
    known = set(indicators(con)["indicator_id"])
    coverage = _effect_coverage(con)
    rows["indicators"] = [[i for i in ids if i in known] for ids in rows["indicators"]]
    rows["unit_names"] = [[names.get(c, c) for c in units] for units in rows["units"]]
    rows["problems"] = [
        [p.message for p in data_problems(r.tiltak_id, r.units, r.start, r.indicators, coverage)]
        for r in rows.itertuples()
    ]
    return rows.reset_index(drop=True)


def _kommune_of(con: duckdb.DuckDBPyConnection, code: str, level: str) -> str:
    if level == "kommune":
        return code
    row = con.execute("SELECT parent_code FROM areas WHERE area_code = ?", [code]).fetchone()
    return (row[0] or "")[:4] if row else code[:4]


def _effect_pool(con: duckdb.DuckDBPyConnection, level: str, kommuner: list[str], indicator_id: str) -> list[str]:
    """The units a tiltak's units are compared with: the schools (or bydeler) of the same kommuner,
    or every kommune with data for the indicator."""
    if level == "kommune":
        sql = "SELECT DISTINCT area_code FROM mart_indicator_values WHERE indicator_id = ? AND area_level = 'kommune'"
        return [r[0] for r in con.execute(sql, [indicator_id]).fetchall()]
    sql = (
        "SELECT area_code FROM areas WHERE area_level = ? AND left(parent_code, 4) IN (SELECT unnest(?::VARCHAR[]))"
        + (" AND area_code NOT LIKE '%99'" if level == "bydel" else "")
    )
    return [r[0] for r in con.execute(sql, [level, kommuner]).fetchall()]


def _unit_panel(con: duckdb.DuckDBPyConnection, meta: dict, codes: list[str]) -> tuple[pd.DataFrame, int]:
    """The indicator's values for ``codes`` in the 0-punkt's kind of period (one a year), the
    registry's kjønn: one row per unit × period with a number. A hidden cell (``shown`` false) is
    left out and counted, never read. Returns (rows, the number left out)."""
    kind = parse_period(meta["baseline_period"]).kind
    rows = con.execute(
        """SELECT area_code AS unit, area_name AS unit_name, year_start AS period, period AS period_label,
                  shown, CASE WHEN shown THEN value END AS value, CASE WHEN shown THEN n END AS n,
                  CASE WHEN shown THEN sd END AS sd, CASE WHEN shown THEN ci_low END AS ci_low,
                  CASE WHEN shown THEN ci_high END AS ci_high
           FROM mart_scorecard
           WHERE indicator_id = ? AND grp = ? AND period_type = ? AND area_code IN (SELECT unnest(?::VARCHAR[]))
           ORDER BY area_code, year_start""",
        [meta["indicator_id"], meta["gender"], kind, list(codes)],
    ).df()
    hidden = int((~rows["shown"].astype(bool)).sum())
    rows = rows[rows["shown"].astype(bool) & rows["value"].notna()].drop(columns=["shown"])
    rows["period"] = rows["period"].astype(int)
    if meta["statistic"] == "proportion":
        rows["x"] = rows["value"] * rows["n"] / 100.0
        rows = rows[rows["n"].notna() & (rows["n"] > 0)]
    z = 1.959963984540054
    se = rows["sd"] / rows["n"].pow(0.5)
    rows["se"] = se.where(se.notna(), (rows["ci_high"] - rows["ci_low"]) / (2 * z))
    return rows.drop(columns=["sd", "ci_low", "ci_high"]).reset_index(drop=True), hidden


def _other_tiltak_units(con: duckdb.DuckDBPyConnection, tiltak_id: str | None, indicator_id: str) -> dict[str, int]:
    """Units running another tiltak meant to move the indicator: code -> its start."""
    out: dict[str, int] = {}
    for r in _tiltak_rows(con).itertuples():
        if r.tiltak_id != tiltak_id and indicator_id in r.indicators:
            for code in r.units:
                out[code] = min(out.get(code, r.start_year), r.start_year)
    return out


def effect_panel(con: duckdb.DuckDBPyConnection, tiltak_id: str, indicator_id: str) -> pd.DataFrame:
    """The panel ``oppvekst.effect.estimate`` reads, for a tiltak and one of its indicators: one row
    per unit × period (an int: the year, or the school year's autumn) with ``x`` and ``n`` (shares)
    or ``value`` and ``se``, and ``start`` (the tiltak's first period for its own units, missing
    for the comparison units). Comparison units: the other schools of the same kommune (bydeler of
    the kommune for a bydel-level tiltak, every kommune with data for a kommune-level one), but
    those running another tiltak meant to move the same indicator. A treated unit's periods after
    the tiltak stopped are left out. Hidden cells are left out and counted: ``left_out`` (the same
    on every row, and in ``attrs``). Also ``unit_name``, ``period_label``, ``value`` and ``treated``."""
    tiltak = _tiltak_rows(con)
    tiltak = tiltak[tiltak["tiltak_id"] == tiltak_id]
    meta = indicator_meta(con, indicator_id)
    cols = ["unit", "unit_name", "period", "period_label", "x", "n", "value", "se", "start", "treated", "left_out"]
    if tiltak.empty or not meta:
        return pd.DataFrame(columns=cols)
    t = tiltak.iloc[0]
    treated = list(t["units"])
    kommuner = sorted({_kommune_of(con, c, t["level"]) for c in treated})
    others = _other_tiltak_units(con, tiltak_id, indicator_id)
    pool = [c for c in _effect_pool(con, t["level"], kommuner, indicator_id) if c not in treated and c not in others]
    rows, hidden = _unit_panel(con, meta, treated + pool)
    rows["treated"] = rows["unit"].isin(treated)
    rows["start"] = rows["treated"].map({True: float(t["start_year"]), False: float("nan")})
    if pd.notna(t["stop_year"]):
        rows = rows[~(rows["treated"] & (rows["period"] > int(t["stop_year"])))]
    if meta["statistic"] != "proportion":
        rows["x"] = float("nan")
    rows["left_out"] = hidden
    rows = rows[cols].reset_index(drop=True)
    rows.attrs["left_out"] = hidden
    return rows


def effect_result(con: duckdb.DuckDBPyConnection, tiltak_id: str, indicator_id: str):
    """``oppvekst.effect.estimate`` on the tiltak's panel (``effect_panel``): the effect with its
    interval, the event study and the verdict; ``left_out`` the hidden unit-periods left out."""
    import dataclasses

    from oppvekst.effect import estimate, no_test

    panel = effect_panel(con, tiltak_id, indicator_id)
    meta = indicator_meta(con, indicator_id)
    cols = ["unit", "period", "x", "n", "start"] if meta.get("statistic") == "proportion" else [
        "unit", "period", "value", "se", "start"]  # fmt: skip
    left_out = int(panel["left_out"].iloc[0]) if len(panel) else 0
    if panel.empty or panel["start"].isna().all() or panel["start"].notna().all():
        # nothing to estimate from (every cell hidden, or no unit on one side): no test, and why is the page's to say
        treated = int(panel.loc[panel["start"].notna(), "unit"].nunique()) if len(panel) else 0
        control = int(panel.loc[panel["start"].isna(), "unit"].nunique()) if len(panel) else 0
        return no_test(treated, control, left_out)
    result = estimate(panel[cols].reset_index(drop=True))
    return dataclasses.replace(result, left_out=left_out)


def effect_context(con: duckdb.DuckDBPyConnection, tiltak_id: str, indicator_id: str) -> dict:
    """What the page says around the estimate: the tiltak, the indicator, the treated units'
    names, how many comparison units, the kommune(r), units left out of the comparison because
    they run another tiltak on the indicator, hidden unit-periods, and the source's notes on
    breaks in the series within the panel's periods. ``tiltak``: the registry's row (``_tiltak_rows``; not
    ``tiltak_list``, whose checks against the data the page has already read)."""
    tiltak = _tiltak_rows(con)
    tiltak = tiltak[tiltak["tiltak_id"] == tiltak_id]
    meta = indicator_meta(con, indicator_id)
    if tiltak.empty or not meta:
        return {}
    t = tiltak.iloc[0].to_dict()
    panel = effect_panel(con, tiltak_id, indicator_id)
    names = dict(con.execute("SELECT area_code, area_name FROM areas").fetchall())
    kommuner = sorted({_kommune_of(con, c, t["level"]) for c in t["units"]})
    others = _other_tiltak_units(con, tiltak_id, indicator_id)
    pool = set(_effect_pool(con, t["level"], kommuner, indicator_id))
    breaks = []
    if len(panel):
        breaks = [
            (r[0], r[1])
            for r in con.execute(
                """SELECT DISTINCT o.period, o.note FROM observations o JOIN indicators i
                   ON o.source = i.source AND (o.measure_code = i.measure OR o.measure_name = i.measure)
                   WHERE i.indicator_id = ? AND coalesce(o.note, '') <> '' AND o.year_start BETWEEN ? AND ?
                   ORDER BY 1""",
                [indicator_id, int(panel["period"].min()), int(panel["period"].max())],
            ).fetchall()
        ]
    in_panel = panel.groupby("unit")["treated"].first() if len(panel) else pd.Series(dtype=bool)
    return {
        "tiltak": t,
        "meta": meta,
        "treated_names": [names.get(c, c) for c in t["units"]],
        "treated_with_data": int(in_panel.sum()),
        "comparison": int((~in_panel.astype(bool)).sum()),
        "kommuner": [names.get(k, k) for k in kommuner],
        "kommune_codes": kommuner,
        "other_tiltak": [names.get(c, c) for c in others if c in pool and c not in t["units"]],
        "left_out": int(panel["left_out"].iloc[0]) if len(panel) else 0,
        "periods": sorted(panel["period_label"].unique().tolist()) if len(panel) else [],
        "breaks": breaks,
    }


def effect_candidates(con: duckdb.DuckDBPyConnection, indicator_id: str, kommune: str) -> pd.DataFrame:
    """The units a pilot in ``kommune`` could run in, for «Planlegg et forsøk»: its schools with
    numbers for the indicator, or its bydeler when the indicator has no school rows. Columns
    ``unit``, ``unit_name``, ``level``, sorted by name (Norwegian order)."""
    rows = con.execute(
        """SELECT DISTINCT m.area_code AS unit, a.area_name AS unit_name, m.area_level AS level
           FROM mart_indicator_values m JOIN areas a USING (area_code)
           WHERE m.indicator_id = ? AND m.area_level IN ('skole', 'bydel') AND left(a.parent_code, 4) = ?
             AND m.area_code NOT LIKE '%99'""",
        [indicator_id, kommune],
    ).df()
    if (rows["level"] == "skole").any():
        rows = rows[rows["level"] == "skole"]
    rows = rows.assign(_k=rows["unit_name"].map(sort_key)).sort_values("_k").drop(columns="_k")
    return rows.reset_index(drop=True)


def effect_mde(
    con: duckdb.DuckDBPyConnection, indicator_id: str, kommune: str, units: tuple[str, ...], followup: int = 3
) -> dict:
    """The minimum detectable effect (``oppvekst.effect.minimum_detectable_effect``, 80 % power, 5 %
    level) of a pilot in ``units`` against the other candidates of the kommune, from the
    indicator's history: a pilot that starts in the period after the latest and is followed for
    ``followup`` periods (each unit with its mean n). A unit's periods under a tiltak meant to move the indicator are left out (they are not the
    history without one); hidden cells are left out and counted (``left_out``)."""
    from oppvekst.effect import minimum_detectable_effect

    meta = indicator_meta(con, indicator_id)
    cand = effect_candidates(con, indicator_id, kommune) if meta else pd.DataFrame(columns=["unit"])
    if not meta or cand.empty or not units:
        return {"mde": float("nan"), "n_treated": len(units), "n_control": 0, "left_out": 0, "followup": followup}
    rows, hidden = _unit_panel(con, meta, cand["unit"].tolist())
    if rows.empty:
        return {"mde": float("nan"), "n_treated": len(units), "n_control": 0, "left_out": hidden, "followup": followup}
    others = _other_tiltak_units(con, None, indicator_id)
    rows = rows[[not (u in others and p >= others[u]) for u, p in zip(rows["unit"], rows["period"])]]
    units = [u for u in units if u in set(rows["unit"])]
    if not units or len(units) == rows["unit"].nunique():
        return {"mde": float("nan"), "n_treated": len(units), "n_control": 0, "left_out": hidden, "followup": followup}
    start = int(rows["period"].max()) + 1  # the next period: a pilot that starts now
    cols = ["unit", "period", "x", "n"] if meta["statistic"] == "proportion" else ["unit", "period", "value", "se"]
    if meta["statistic"] != "proportion" and rows["se"].isna().all():
        cols.remove("se")
    out = dict(
        minimum_detectable_effect(rows[cols].reset_index(drop=True), list(units), start, post_periods=int(followup))
    )
    out.update(left_out=hidden, followup=int(followup), start=start)
    return out
