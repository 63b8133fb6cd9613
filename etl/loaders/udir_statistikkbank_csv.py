"""Udir statistikkbanken "Eksporter CSV": UTF-16LE (no BOM), ``sep=\\t`` first line, tab
separated, wide dotted headers; units in rows (``EnhetNivaa`` 1-4) or named in the headers;
``*`` = skjermet, empty = no data; ``.Brudd`` columns carry a note on a break in series."""

from __future__ import annotations

import numpy as np

from etl.loaders import Coded, Extract, coded, columns_frame, combine, parse_each
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
    for k in {k.period for k in keys}:
        try:
            parse_period(k)
        except ValueProblem as e:
            errs.add("line 2", str(e), "Periods must be school years (2023-24) or years.")
    # Rows of the header's width become columns (blank lines are skipped, others refused).
    width = len(header)
    short: dict[int, int] = {}
    rows, linenos = [], []
    for lineno, line in enumerate(lines[2:], start=3):
        if not line.strip():
            continue
        cells = line.split(sep)
        if len(cells) != width:
            short[lineno] = len(cells)
            continue
        rows.append(cells)
        linenos.append(lineno)
    del lines
    nrow = len(rows)
    columns = list(zip(*rows)) if nrow else [()] * width
    del rows
    line_no = np.array(linenos, dtype=np.int64)
    nothing = Coded(np.zeros(nrow, dtype=np.intp), [""])
    stripped = {h: coded(columns[i]) for h, i in idx.items() if h in UNIT_COLUMNS | MEASURE_COLUMNS}
    get = lambda c: stripped.get(c, nothing)
    bad_level = np.zeros(nrow, dtype=bool)
    if has_units:
        nivaa = combine([get("EnhetNivaa"), get("BarnehageenhetNivaa")], lambda a, b: a or b)
        bad_level = np.array([bool(v) and v not in LEVELS for v in nivaa.values], dtype=bool)[nivaa.codes]
        level = Coded(nivaa.codes, [LEVELS.get(v, "") for v in nivaa.values])
        unit_name = combine(
            [get("EnhetNavn"), get("Enhetnavn"), get("Barnehageenhetnavn"), get("Skolenavn")],
            lambda *vs: next((v for v in vs if v), ""),
        )
    if has_measures:
        mcode = combine([get("Indikatorkode"), get("Spoersmaalkode")], lambda a, b: a or b)
        mname = combine([get("Indikatornavn"), get("Spoersmaalnavn")], lambda a, b: a or b)
    # Each distinct cell text of a value column parsed once (parse_cell strips it).
    vcols = [ci for ci, key in zip(value_cols, col_keys) if key is not None]
    vkeys = [key for key in col_keys if key is not None]
    parsed = [parse_each(coded(columns[ci], strip=False), lambda t: parse_cell(t, UDIR_SYMBOLS)) for ci in vcols]
    value_bad = np.zeros(nrow, dtype=bool)
    for _, m in parsed:
        value_bad |= m != None  # noqa: E711

    for ln in sorted(set(short) | set(line_no[bad_level | value_bad].tolist())):
        if ln in short:
            errs.add(
                f"line {ln}",
                f"the row has {short[ln]} cells, the header {width}",
                "The file looks cut off or edited; download it again.",
            )
            continue
        r = int(np.searchsorted(line_no, ln))
        if bad_level[r]:
            errs.add(
                f"line {ln}, column EnhetNivaa",
                f"'{nivaa.values[nivaa.codes[r]]}' is not a unit level",
                "EnhetNivaa must be 1 (landet), 2 (fylke), 3 (kommune) or 4 (skole/barnehage).",
            )
            continue
        for ci, (_, m) in zip(vcols, parsed):
            if m[r] is not None:
                errs.add(
                    f"line {ln}, column '{header[ci]}'",
                    m[r],
                    "Values must be numbers like 9,4 or 4 277, '*' (skjermet) or empty.",
                )
    errs.check()

    # A '.Brudd' cell is the note of its period's values in the same row (the last one wins).
    brudd_cols = [(ci, split_header(header[ci])[0]) for ci, key in zip(value_cols, col_keys) if key is None]
    notes: dict[str, Coded] = {}
    for ci, period in brudd_cols:
        note = coded(columns[ci])
        notes[period] = combine([notes.get(period, nothing), note], lambda old, new: new or old)

    # One row per unit row and value column with a cell, row by row.
    nv = len(vcols)
    present = np.column_stack(
        [np.array([c is not None for c in cell.values], dtype=bool)[cell.codes] for cell, _ in parsed]
        or [np.zeros(nrow, dtype=bool)]
    )[:, :nv]
    flat = np.flatnonzero(present.ravel()) if nv else np.zeros(0, dtype=np.int64)
    r, k = (flat // nv, flat % nv) if nv else (flat, flat)

    def per_column(fn) -> Coded:
        """A text that depends only on the value column."""
        return Coded(k, [fn(key) for key in vkeys])

    def cell_part(fn, dtype) -> np.ndarray:
        per_vc = [np.array([fn(c) for c in cell.values], dtype=dtype)[cell.codes] for cell, _ in parsed]
        return np.column_stack(per_vc).ravel()[flat] if nv else np.zeros(0, dtype=dtype)

    if has_units:
        code, aname, alevel, fhint = (
            get("Organisasjonsnummer").take(r),
            unit_name.take(r),
            level.take(r),
            get("Fylkekode").take(r),
        )
    else:
        geo = [geo_of(key) for key in vkeys]
        code = ""
        aname, alevel, fhint = (Coded(k, [g[j] for g in geo]) for j in range(3))
    column = Coded(k, list(range(nv)))
    if has_measures:

        def measure(c, n, j):
            key = vkeys[j]
            code_m = c + "#n" if key.measure.lower() in N_MEASURES else c
            return code_m, n, unit_from_name(n) or unit_from_name(key.measure)

        triples = combine([mcode.take(r), mname.take(r), column], measure)
    else:

        def measure(j):
            key = vkeys[j]
            code_m = "#n" if key.measure.lower() in N_MEASURES else slug(key.measure)
            return code_m, key.measure, unit_from_name(key.measure)

        triples = combine([column], measure)
    measure_code, measure_name, unit = (Coded(triples.codes, [t[i] for t in triples.values]) for i in range(3))
    # The note of each value: its period's note column in the same row.
    note_of = [notes.get(key.period) for key in vkeys]
    note = np.full(len(flat), "", dtype=object)
    for j, nc in enumerate(note_of):
        if nc is not None:
            sel = k == j
            note[sel] = np.array(nc.values, dtype=object)[nc.codes[r[sel]]]
    if not len(flat):
        raise errs.fail(
            "",
            "the file has no values (every cell is empty)",
            "An empty export means no data for the chosen filter; choose another filter.",
        )
    df = columns_frame(
        len(flat),
        {
            "measure_code": measure_code,
            "measure_name": measure_name,
            "unit": unit,
            "source_area_code": code,
            "source_area_name": aname,
            "area_level_hint": alevel,
            "fylke_hint": fhint,
            "kommune_hint": get("Kommunekode").take(r) if has_units else "",
            "period": per_column(lambda key: key.period),
            "gender": per_column(lambda key: key.gender),
            "grade": per_column(lambda key: key.grade),
            "breakdown": per_column(lambda key: key.breakdown),
            "value": cell_part(lambda c: np.nan if c is None or c.value is None else c.value, "float64"),
            "suppressed": cell_part(lambda c: c is not None and c.suppressed, bool),
            "symbol": cell_part(lambda c: "" if c is None else c.symbol, object),
            "note": note,
            "line": line_no[r],
        },
        source=source,
    )
    return Extract(FORMAT, source, attach_n(df))
