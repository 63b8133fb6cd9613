"""Answers of the statistikkbank's JSON API (``statistikkportalen.udir.no/api/rapportering/
rest/v1/…/data``) as analysts save them: ``metadata.columns`` is a list of header levels
whose ``columnCount`` spans value columns; ``rows`` are either indicators/questions (the unit
then named only in the header levels) or units (``rowHierarchy`` Nasjonalt/Fylke/Kommune/
Enhet, ``kode`` the unit number, ``id`` a path like ``1.46.4601``)."""

from __future__ import annotations

import json

from etl.loaders import Extract, RowBuilder
from etl.loaders._udir_headers import N_MEASURES, attach_n, classify, geo_of, guess_source
from etl.problems import Collector
from etl.values import UDIR_SYMBOLS, ValueProblem, parse_cell, slug, unit_from_name

FORMAT = "Udir statistikkbank JSON (rapportering API)"
UNIT_HIERARCHY = {"nasjonalt", "fylke", "kommune", "enhet", "skole", "barnehage"}
LEVEL_BY_DEPTH = {1: "land", 2: "fylke", 3: "kommune", 4: "skole"}


def sniff(raw: bytes, text: str | None, name: str) -> bool:
    return text is not None and '"rowHierarchy"' in text[:5000] and '"columns"' in text


def _expand(levels: list[list[dict]], total: int, errs: Collector) -> list[list[str]]:
    cols: list[list[str]] = [[] for _ in range(total)]
    for li, level in enumerate(levels):
        names = []
        for entry in level:
            count = int(entry.get("columnCount", 1))
            names.extend([str(entry.get("name", "")).strip()] * count)
        if not names or total % len(names):
            errs.add(
                f"metadata.columns[{li}]",
                f"spans {len(names)} columns, but rows have {total} values",
                "Save the API answer unchanged; it looks edited or cut off.",
            )
            return []
        names = names * (total // len(names))  # lower levels repeat under each parent
        for i in range(total):
            cols[i].append(names[i])
    return cols


def read(raw: bytes, name: str) -> Extract:
    errs = Collector(name)
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise errs.fail(
            (getattr(e, "lineno", "") and f"line {e.lineno}, column {e.colno}") or "",
            f"not valid JSON ({e})",
            "Save the API answer again, complete and unchanged (UTF-8).",
        ) from None
    meta = doc.get("metadata") if isinstance(doc, dict) else None
    rows = doc.get("rows") if isinstance(doc, dict) else None
    if not isinstance(meta, dict) or not isinstance(rows, list) or "columns" not in meta:
        raise errs.fail(
            "",
            "expected an object with 'metadata' (rowHierarchy, columns) and 'rows'",
            "Load the JSON answer of the statistikkbank's data call unchanged.",
        )
    hierarchy = [str(h).lower() for h in meta.get("rowHierarchy", [])]
    unit_rows = bool(hierarchy) and set(hierarchy) <= UNIT_HIERARCHY
    if not rows:
        raise errs.fail(
            "rows",
            "the answer has no rows: Udir has no data for this filter",
            "Choose another filter (year, unit, trinn) in the statistikkbank; an empty answer is not suppression.",
        )
    width = len(rows[0].get("data", []))
    header = _expand(meta["columns"], width, errs)
    errs.check()
    keys, problems = classify(header)
    for p in problems:
        errs.add("metadata.columns", p, "Save the API answer unchanged.")
    errs.check()
    source = guess_source([" ".join(h) for h in header[:3]] + [str(r.get("navn", "")) for r in rows[:5]], name)
    rb = RowBuilder(source=source)
    for ri, row in enumerate(rows):
        data = row.get("data")
        if not isinstance(data, list) or len(data) != width:
            errs.add(
                f"rows[{ri}]",
                f"has {len(data) if isinstance(data, list) else 'no'} values, expected {width}",
                "Save the API answer unchanged; it looks edited or cut off.",
            )
            continue
        rname, rcode = str(row.get("navn", "")).strip(), str(row.get("kode", "")).strip()
        path = str(row.get("id", "")).split(".")
        for ci, (key, text) in enumerate(zip(keys, data)):
            try:
                cell = parse_cell(None if text is None else str(text), UDIR_SYMBOLS)
            except ValueProblem as e:
                errs.add(f"rows[{ri}].data[{ci}]", str(e), 'Values must be numbers like "9,4", "*" or empty.')
                continue
            if cell is None:
                continue
            if unit_rows:
                level = LEVEL_BY_DEPTH.get(len(path), "")
                code = "0" if level == "land" else rcode
                aname, fhint = rname, (path[1] if len(path) > 2 else "")
                mcode, mname = slug(key.measure), key.measure
                if key.measure.lower() in N_MEASURES:
                    mcode = "#n"
            else:
                aname, level, fhint = geo_of(key)
                code = ""
                mcode, mname = rcode or slug(rname), rname
                if key.measure.lower() in N_MEASURES:
                    mcode += "#n"
            rb.add(
                measure_code=mcode,
                measure_name=mname,
                unit=unit_from_name(key.measure) or unit_from_name(mname),
                source_area_code=code,
                source_area_name=aname,
                area_level_hint=level,
                fylke_hint=fhint,
                kommune_hint=path[2] if unit_rows and len(path) > 3 else "",
                period=key.period,
                gender=key.gender,
                grade=key.grade,
                breakdown=key.breakdown,
                value=cell.value,
                suppressed=cell.suppressed,
                symbol=cell.symbol,
                line=ri + 1,
            )
    errs.check()
    return Extract(FORMAT, source, attach_n(rb.frame()))
