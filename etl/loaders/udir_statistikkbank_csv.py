"""Udir statistikkbanken "Eksporter CSV": UTF-16LE (no BOM), ``sep=\\t`` first line, tab
separated, wide dotted headers; units in rows (``EnhetNivaa`` 1-4) or named in the headers;
``*`` = skjermet, empty = no data; ``.Brudd`` columns carry a note on a break in series."""

from __future__ import annotations

from etl.loaders import Extract, RowBuilder
from etl.loaders._udir_headers import (
    N_MEASURES,
    attach_n,
    classify,
    geo_of,
    guess_source,
    is_value_header,
    split_header,
)
from etl.problems import Collector
from etl.values import UDIR_SYMBOLS, ValueProblem, decode_text, parse_cell, parse_period, slug, unit_from_name

FORMAT = "Udir statistikkbank CSV (UTF-16, sep=\\t)"

UNIT_COLUMNS = {
    "EnhetNivaa",
    "BarnehageenhetNivaa",
    "Nasjonaltkode",
    "Fylkekode",
    "Kommunekode",
    "Organisasjonsnummer",
    "Nasjonalt",
    "Fylke",
    "Kommune",
    "EnhetNavn",
    "Enhetnavn",
    "Barnehageenhetnavn",
    "Skolenavn",
}
MEASURE_COLUMNS = {
    "IndikatorNivaa",
    "Indikatorkode_Over",
    "Indikatorkode",
    "Indikatornavn_Over",
    "Indikatornavn",
    "SpoersmaalNivaa",
    "Spoersmaalkode",
    "Spoersmaalnavn",
    "Spoersmaalgruppekode",
    "Spoersmaalgruppe",
}
LEVELS = {"1": "land", "2": "fylke", "3": "kommune", "4": "skole"}


def sniff(raw: bytes, text: str | None, name: str) -> bool:
    return text is not None and text.lstrip("\ufeff").startswith("sep=")


def read(raw: bytes, name: str) -> Extract:
    errs = Collector(name)
    try:
        text, _enc = decode_text(raw)
    except UnicodeDecodeError as e:
        raise errs.fail(
            "",
            f"the file cannot be decoded as UTF-16 ({e.reason})",
            "Download the file again from Udir's statistikkbank (Eksporter → CSV) and load it unchanged.",
        ) from None
    if text and not text.endswith(("\n", "\r")):
        raise errs.fail(
            f"line {text.count(chr(10)) + 1}",
            "the file stops in the middle of a line: it looks cut off",
            "The download was interrupted: export the file again from Udir's statistikkbank.",
        )
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not lines[0].startswith("sep="):
        raise errs.fail(
            "line 1",
            "expected the line 'sep=<TAB>' that Udir's export starts with",
            "Load the file exactly as exported from Udir's statistikkbank; do not open and re-save it in Excel.",
        )
    sep = lines[0][4:] or "\t"
    if len(lines) < 3:
        raise errs.fail(
            "", "the file has a header but no data rows", "Check the filter in Udir's statistikkbank and export again."
        )
    header = lines[1].split(sep)
    dims = [h for h in header if not is_value_header(h)]
    value_cols = [i for i, h in enumerate(header) if is_value_header(h)]
    unknown = [d for d in dims if d not in UNIT_COLUMNS | MEASURE_COLUMNS]
    if unknown:
        errs.add(
            "line 2",
            f"unknown column(s) {', '.join(repr(u) for u in unknown)}",
            "Expected unit columns (EnhetNivaa, Organisasjonsnummer, …), indicator columns "
            "(Indikatorkode, Indikatornavn, …) or value columns starting with a period (2023-24.…).",
        )
    if not value_cols:
        errs.add(
            "line 2",
            "no value columns (headers like '2023-24.Hele landet.….Prosentandel')",
            "Export the table with the years and measures in the columns.",
        )
    errs.check()
    parts = [split_header(header[i]) for i in value_cols]
    brudd = [p[-1] == "Brudd" for p in parts]
    keys, problems = classify([p for p, b in zip(parts, brudd) if not b])
    for p in problems:
        errs.add("line 2", p, "Export again from Udir's statistikkbank without editing the header.")
    errs.check()
    key_iter = iter(keys)
    col_keys = [None if b else next(key_iter) for b in brudd]
    has_units = "Organisasjonsnummer" in dims
    has_measures = "Indikatorkode" in dims or "Spoersmaalkode" in dims
    idx = {h: i for i, h in enumerate(header)}
    source = guess_source([header[1] if len(header) > 1 else ""] + header + lines[2:4], name)
    rb = RowBuilder(source=source)
    for k in {k.period for k in keys}:
        try:
            parse_period(k)
        except ValueProblem as e:
            errs.add("line 2", str(e), "Periods must be school years (2023-24) or years.")
    for lineno, line in enumerate(lines[2:], start=3):
        if not line.strip():
            continue
        cells = line.split(sep)
        if len(cells) != len(header):
            errs.add(
                f"line {lineno}",
                f"the row has {len(cells)} cells, the header {len(header)}",
                "The file looks cut off or edited; download it again.",
            )
            continue
        get = lambda c: cells[idx[c]].strip() if c in idx else ""
        if has_measures:
            mcode = get("Indikatorkode") or get("Spoersmaalkode")
            mname = get("Indikatornavn") or get("Spoersmaalnavn")
        unit_code = unit_name = level = fylke = kommune = ""
        if has_units:
            nivaa = get("EnhetNivaa") or get("BarnehageenhetNivaa")
            level = LEVELS.get(nivaa, "")
            if nivaa and not level:
                errs.add(
                    f"line {lineno}, column EnhetNivaa",
                    f"'{nivaa}' is not a unit level",
                    "EnhetNivaa must be 1 (landet), 2 (fylke), 3 (kommune) or 4 (skole/barnehage).",
                )
                continue
            unit_code = get("Organisasjonsnummer")
            unit_name = get("EnhetNavn") or get("Enhetnavn") or get("Barnehageenhetnavn") or get("Skolenavn")
            fylke, kommune = get("Fylkekode"), get("Kommunekode")
        notes = {}
        for ci, key in zip(value_cols, col_keys):
            if key is None and cells[ci].strip():
                notes[split_header(header[ci])[0]] = cells[ci].strip()
        for ci, key in zip(value_cols, col_keys):
            if key is None:
                continue
            try:
                cell = parse_cell(cells[ci], UDIR_SYMBOLS)
            except ValueProblem as e:
                errs.add(
                    f"line {lineno}, column '{header[ci]}'",
                    str(e),
                    "Values must be numbers like 9,4 or 4 277, '*' (skjermet) or empty.",
                )
                continue
            if cell is None:
                continue
            if has_units:
                code, aname, alevel, fhint = unit_code, unit_name, level, fylke
            else:
                aname, alevel, fhint = geo_of(key)
                code = ""
            if has_measures:
                code_m, name_m = mcode, mname
                unit = unit_from_name(mname) or unit_from_name(key.measure)
                if key.measure.lower() in N_MEASURES:
                    code_m, name_m = mcode + "#n", mname
            else:
                code_m, name_m = slug(key.measure), key.measure
                unit = unit_from_name(key.measure)
                if key.measure.lower() in N_MEASURES:
                    code_m = "#n"  # the n of every measure of this unit row
            rb.add(
                measure_code=code_m,
                measure_name=name_m,
                unit=unit,
                source_area_code=code,
                source_area_name=aname,
                area_level_hint=alevel,
                fylke_hint=fhint,
                kommune_hint=kommune,
                period=key.period,
                gender=key.gender,
                grade=key.grade,
                breakdown=key.breakdown,
                value=cell.value,
                suppressed=cell.suppressed,
                symbol=cell.symbol,
                note=notes.get(key.period, ""),
                line=lineno,
            )
    errs.check()
    if not len(rb):
        raise errs.fail(
            "",
            "the file has no values (every cell is empty)",
            "An empty export means no data for the chosen filter; choose another filter.",
        )
    return Extract(FORMAT, source, attach_n(rb.frame()))
