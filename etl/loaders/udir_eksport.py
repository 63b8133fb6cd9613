"""Udir's open export API (``api.statistikkbanken.udir.no/api/rest/v2/Eksport/{table}/data``):
long format, one row per cell, as JSON (a list of records, or an object holding one) or CSV.
Columns are declared; an unknown or missing column is an error."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import tempfile

import duckdb
import numpy as np
import pyarrow.compute as pc

from etl.loaders import Coded, Extract, coded, columns_frame, combine, first_problem, parse_each
from etl.loaders._udir_headers import guess_source
from etl.problems import Collector
from etl.values import UDIR_SYMBOLS, decode_text, parse_cell, parse_gender, parse_grade

FORMAT = "Udir Eksport API (long JSON/CSV)"

DIMENSIONS = {
    "SpoersmaalNivaa",
    "Spoersmaalgruppekode",
    "Spoersmaalgruppe",
    "Spoersmaalkode",
    "Spoersmaalnavn",
    "IndikatorNivaa",
    "Indikatorkode",
    "Indikatornavn",
    "Skoleaarnavn",
    "EnhetNivaa",
    "BarnehageenhetNivaa",
    "Nasjonaltkode",
    "Nasjonalt",
    "Fylkekode",
    "Fylke",
    "Kommunekode",
    "Kommune",
    "Organisasjonsnummer",
    "EnhetNavn",
    "GruppeNivaa",
    "GruppeKode",
    "GruppeNavn",
    "TrinnNivaa",
    "TrinnKode",
    "Trinnnavn",
    "EierformNivaa",
    "Eierformkode",
    "EierformNavn",
    "KjoennNivaa",
    "KjoennKode",
    "Kjoenn",
    "UtdanningsprogramNavn",
    "Utdanningsprogramkode",
}
PAGING = {"Sidenummer", "RaderSide", "RaderTotalt"}
# value column -> (measure suffix, name suffix, unit)
MEASURES = {
    "AndelMobbet": ("", "", "prosent"),
    "Score": ("", "", "poeng"),
    **{
        f"AndelSvaralternativ{i}": (f":svaralternativ{i}", f" (andel svaralternativ {i})", "prosent")
        for i in range(1, 6)
    },
    "SnittDager": (":snitt_dager", " – snitt dager", "dager"),
    "SnittTimer": (":snitt_timer", " – snitt timer", "timer"),
    "MedianDager": (":median_dager", " – median dager", "dager"),
    "MedianTimer": (":median_timer", " – median timer", "timer"),
    "FravaerProsent": (":prosent", " – fravær i prosent", "prosent"),
}
N_COLUMNS = {"AntallBesvart", "AntallElever"}
SD_COLUMNS = {"Standardavvik"}
REQUIRED = {"Skoleaarnavn", "Organisasjonsnummer"}
LEVEL_COLUMNS = ("EnhetNivaa", "BarnehageenhetNivaa")  # one of them is required
LEVELS = {"1": "land", "2": "fylke", "3": "kommune", "4": "skole"}


def sniff(raw: bytes, text: str | None, name: str) -> bool:
    return (
        text is not None
        and "Skoleaarnavn" in text[:3000]
        and "nhetNivaa" in text[:3000]
        and not text.lstrip("\ufeff").startswith("sep=")
    )


def _records(raw: bytes, errs: Collector) -> list[dict]:
    text, _ = decode_text(raw)
    s = text.lstrip("\ufeff").lstrip()
    if s.startswith("[") or s.startswith("{"):
        try:
            doc = json.loads(s)
        except json.JSONDecodeError as e:
            raise errs.fail(
                f"line {e.lineno}, column {e.colno}",
                f"not valid JSON ({e.msg})",
                "Save the API answer again, complete and unchanged.",
            ) from None
        if isinstance(doc, dict):
            lists = [v for v in doc.values() if isinstance(v, list)]
            doc = lists[0] if lists else []
        return [r for r in doc if isinstance(r, dict)]
    dialect = ";" if s.split("\n", 1)[0].count(";") > s.split("\n", 1)[0].count(",") else ","
    return list(csv.DictReader(io.StringIO(s), delimiter=dialect))


def _wanted(columns: list[str]) -> list[str]:
    """The columns the loader reads: every dimension it uses and the first record's value,
    n and sd columns."""
    used = [
        "EnhetNivaa",
        "BarnehageenhetNivaa",
        "Kjoenn",
        "Trinnnavn",
        "EierformNavn",
        "GruppeNavn",
        "UtdanningsprogramNavn",
        "Spoersmaalkode",
        "Indikatorkode",
        "Spoersmaalnavn",
        "Indikatornavn",
        "Organisasjonsnummer",
        "EnhetNavn",
        "Fylkekode",
        "Kommunekode",
        "Skoleaarnavn",
    ]
    extra = [c for c in columns if c in MEASURES or c in N_COLUMNS or c in SD_COLUMNS]
    return used + [c for c in dict.fromkeys(extra) if c not in used]


def read(raw: bytes, name: str) -> Extract:
    errs = Collector(name)
    fast = _json_columns(raw, _wanted)
    if fast is not None:
        columns, cols, nrec, names = fast
    else:
        recs = _records(raw, errs)
        if not recs:
            raise errs.fail("", "no records", "An empty answer means no data for the filter; choose another filter.")
        columns = list(recs[0].keys())
        names = [str(r.get("Spoersmaalnavn") or r.get("Indikatornavn") or "") for r in recs[:20]]
        cols, nrec = _record_columns(recs, _wanted(columns)), len(recs)
        del recs
    unknown = [c for c in columns if c not in DIMENSIONS | PAGING | set(MEASURES) | N_COLUMNS | SD_COLUMNS]
    missing = sorted(REQUIRED - set(columns)) + ([] if set(LEVEL_COLUMNS) & set(columns) else ["EnhetNivaa"])
    if unknown:
        errs.add(
            "header",
            f"unknown column(s): {', '.join(unknown)}",
            "Load the Eksport API answer unchanged; if Udir added a column, report it so the loader can learn it.",
        )
    if missing:
        errs.add(
            "header",
            f"missing column(s): {', '.join(missing)}",
            "Export with the unit (EnhetNivaa, Organisasjonsnummer) and the school year (Skoleaarnavn).",
        )
    values = [c for c in columns if c in MEASURES]
    if not values:
        errs.add(
            "header",
            "no value column (AndelMobbet, Score, AndelSvaralternativ1…5, SnittDager, …)",
            "Export a table that has values.",
        )
    errs.check()
    source = guess_source(names + values, name)
    ncol = next((c for c in columns if c in N_COLUMNS), None)
    sdcol = next((c for c in columns if c in SD_COLUMNS), None)
    nothing = Coded(np.zeros(nrec, dtype=np.intp), [""])
    get = lambda c: cols.get(c, nothing) if c else nothing
    either = lambda a, b: a or b

    # Whole columns: each distinct text is parsed once, with the rules of etl.values.
    nivaa = combine([get("EnhetNivaa"), get("BarnehageenhetNivaa")], either)
    level = Coded(nivaa.codes, [LEVELS.get(v) for v in nivaa.values])
    bad_level = np.array([v is None for v in level.values], dtype=bool)[level.codes]
    gender, m_gender = parse_each(get("Kjoenn"), lambda t: parse_gender(t or "alle"))
    grade, m_grade = parse_each(get("Trinnnavn"), lambda t: parse_grade(t or "alle"))
    n, m_n = parse_each(get(ncol), lambda t: parse_cell(t, UDIR_SYMBOLS) if ncol else None)
    sd, m_sd = parse_each(get(sdcol), lambda t: parse_cell(t, UDIR_SYMBOLS) if sdcol else None)
    record_msg = first_problem(m_gender, m_grade, m_n, m_sd)
    good = ~bad_level & (record_msg == None)  # noqa: E711
    cells = [parse_each(get(vc), lambda t: parse_cell(t, UDIR_SYMBOLS)) for vc in values]

    # Problems in the order of the records (and of the value columns within a record).
    value_bad = np.zeros(nrec, dtype=bool)
    for _, m in cells:
        value_bad |= m != None  # noqa: E711
    for i in np.flatnonzero(~good | value_bad):
        if bad_level[i]:
            errs.add(
                f"record {i + 1}, field EnhetNivaa",
                f"'{nivaa.values[nivaa.codes[i]]}' is not a unit level",
                "EnhetNivaa must be 1, 2, 3 or 4.",
            )
        elif record_msg[i] is not None:
            errs.add(f"record {i + 1}", record_msg[i], "Load the Eksport API answer unchanged.")
        else:
            for vc, (_, m) in zip(values, cells):
                if m[i] is not None:
                    errs.add(f"record {i + 1}, field {vc}", m[i], "Values must be numbers, '*' or empty.")
    errs.check()

    # One row per record and value column with a cell, record by record.
    nv = len(values)
    present = np.column_stack(
        [good & np.array([c is not None for c in cell.values], dtype=bool)[cell.codes] for cell, _ in cells]
    )
    flat = np.flatnonzero(present.ravel())
    rec, k = flat // nv, flat % nv

    def cell_part(attr, default, dtype):
        per_vc = [
            np.array([default if c is None else getattr(c, attr) for c in cell.values], dtype=dtype)
            for cell, _ in cells
        ]
        table = np.column_stack([p[cell.codes] for p, (cell, _) in zip(per_vc, cells)])
        return table.ravel()[flat]

    def number(col: Coded) -> np.ndarray:
        vals = np.array([np.nan if c is None or c.value is None else c.value for c in col.values], dtype="float64")
        return vals[col.codes]

    brk = combine(
        [get("EierformNavn"), get("GruppeNavn"), get("UtdanningsprogramNavn")],
        lambda *vs: ";".join(
            f"{label.replace('Navn', '').lower()}={v}"
            for label, v in zip(("EierformNavn", "GruppeNavn", "UtdanningsprogramNavn"), vs)
            if v and not v.lower().startswith("alle")
        ),
    )
    base_code = combine([get("Spoersmaalkode"), get("Indikatorkode")], either)
    base_name = combine([get("Spoersmaalnavn"), get("Indikatornavn")], either)
    suffixes = [MEASURES[vc] for vc in values]
    sd_values = number(sd)[rec]
    is_score = np.array([vc == "Score" for vc in values], dtype=bool)[k]
    take = lambda c: c.take(rec)
    df = columns_frame(
        len(flat),
        {
            "measure_code": Coded(
                base_code.codes[rec] * nv + k, [b + s for b in base_code.values for s, _, _ in suffixes]
            ),
            "measure_name": Coded(
                base_name.codes[rec] * nv + k, [b + s for b in base_name.values for _, s, _ in suffixes]
            ),
            "unit": Coded(k, [u for _, _, u in suffixes]),
            "source_area_code": take(get("Organisasjonsnummer")),
            "source_area_name": take(get("EnhetNavn")),
            "area_level_hint": take(level),
            "fylke_hint": take(get("Fylkekode")),
            "kommune_hint": take(get("Kommunekode")),
            "period": take(get("Skoleaarnavn")),
            "gender": take(gender),
            "grade": take(grade),
            "breakdown": take(brk),
            "value": cell_part("value", np.nan, "float64"),
            "suppressed": cell_part("suppressed", False, bool),
            "symbol": Coded(np.zeros(len(flat), dtype=np.intp), [""]) if not len(flat) else _symbols(cells, flat),
            "n": number(n)[rec],
            "sd": np.where(is_score, sd_values, np.nan),
            "line": rec + 2,
        },
        source=source,
    )
    return Extract(FORMAT, source, df)


def _symbols(cells, flat) -> np.ndarray:
    per_vc = [np.array(["" if c is None else c.symbol for c in cell.values], dtype=object) for cell, _ in cells]
    return np.column_stack([p[cell.codes] for p, (cell, _) in zip(per_vc, cells)]).ravel()[flat]


# ------------------------------------------------------------------------ reading columns
def _utf8_text_start(raw: bytes) -> int | None:
    """Where the JSON of a UTF-8 answer starts (after a BOM and blanks), or None when the
    bytes are not what the fast reader can take as they are (UTF-16, Windows-1252, not a list)."""
    text_start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    head = raw[:400]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0] != 0:
        return None  # UTF-16 without BOM
    dec = codecs.getincrementaldecoder("utf-8")()
    try:
        for pos in range(0, len(raw), 1 << 24):
            dec.decode(raw[pos : pos + (1 << 24)])
        dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return None  # decode_text reads it as Windows-1252
    stripped = raw[text_start:].lstrip(b" \t\r\n")
    # str.lstrip() also drops other Unicode blanks and repeated BOMs: leave those to the exact path
    # DuckDB also takes a list cut off after a comma ('[{…},'); json does not: ask for the end.
    if not stripped.startswith(b"[") or not stripped.rstrip(b" \t\r\n").endswith(b"]"):
        return None
    return len(raw) - len(stripped)


def _json_columns(raw: bytes, wanted_from_first) -> tuple[list[str], dict[str, Coded], int, list] | None:
    """Read a UTF-8 JSON list of records in DuckDB, never as Python objects: the keys of the
    first record, the wanted columns as ``Coded`` texts (what ``str(record.get(c)).strip()``
    gives, '' for null or absent), the number of records and the first 20 records' names.
    None when DuckDB cannot take the file as a list of records; the caller then reads it with
    ``json`` (which also words the error for a damaged file)."""
    start = _utf8_text_start(raw)
    if start is None or _lenient_literal(raw, start):
        return None
    try:
        first, _ = json.JSONDecoder().raw_decode(
            raw[start + 1 : start + 1 + (1 << 20)].decode("utf-8", "ignore").lstrip()
        )
    except ValueError:
        return None
    if not isinstance(first, dict):
        return None
    columns = list(first.keys())
    wanted = wanted_from_first(columns)
    table = _duckdb_records(raw, start, wanted)
    if table is None:
        return None
    # A null in the list is no record for json (it is skipped); DuckDB gives it a row of nulls.
    all_null = None
    for c in wanted:
        null = pc.is_null(table.column(c))
        all_null = null if all_null is None else pc.and_(all_null, null)
    if all_null is not None and pc.any(all_null).as_py():
        return None
    cols: dict[str, Coded] = {}
    head: dict[str, list] = {}
    for c in wanted:
        enc = table.column(c).combine_chunks().dictionary_encode(null_encoding="encode")
        texts = enc.dictionary.to_pylist()
        try:
            loaded = [None if t is None else json.loads(t) for t in texts]
        except ValueError:
            return None
        cols[c] = Coded(enc.indices.to_numpy(zero_copy_only=False), [_text(v) for v in loaded])
        head[c] = [loaded[k] for k in enc.indices[:20].to_pylist()]
    names = [
        str(head.get("Spoersmaalnavn", [None] * 20)[i] or head.get("Indikatornavn", [None] * 20)[i] or "")
        for i in range(min(20, table.num_rows))
    ]
    return columns, cols, table.num_rows, names


_TOKEN = re.compile(rb"[-+]?(?:infinity|inf|nan)(?=[\s,\]}]|$)")


def _lenient_literal(raw: bytes, start: int) -> bool:
    """True when a bare inf or nan (any case) may stand as a value somewhere: DuckDB's reader
    takes those, Python's json refuses all but NaN, Infinity and -Infinity. Such a file is read
    with json, so it is refused (or read) exactly as before. Whole-buffer numpy, 8 MB at a time."""
    step = 1 << 23
    for pos in range(start, len(raw), step):
        a = np.frombuffer(raw, dtype=np.uint8, count=min(step + 16, len(raw) - pos), offset=pos) | 0x20
        if len(a) < 3:
            break
        t0, t1, t2 = a[:-2], a[1:-1], a[2:]
        hits = np.flatnonzero(((t0 == 105) & (t1 == 110) & (t2 == 102)) | ((t0 == 110) & (t1 == 97) & (t2 == 110)))
        for h in hits[hits < step]:
            p = pos + int(h)
            q = p - 1
            if q >= 0 and raw[q] in b"+-":
                q -= 1
            while q >= 0 and raw[q] in b" \t\r\n":
                q -= 1
            if q >= 0 and raw[q] in b":[," and _TOKEN.match(raw[p : p + 10].lower()):
                return True
    return False


def _duckdb_records(raw: bytes, start: int, wanted: list[str]):
    """The wanted keys of every record as JSON texts (an Arrow table), or None when DuckDB
    cannot read the list (or no temporary file can be written)."""
    try:
        with tempfile.TemporaryDirectory(prefix="oppvekst-eksport-") as tmp:
            path = os.path.join(tmp, "eksport.json")
            with open(path, "wb") as fh:
                fh.write(memoryview(raw)[start:])
            con = duckdb.connect(config={"threads": 2, "preserve_insertion_order": True})
            try:
                spec = "{" + ", ".join(f"'{c}': 'JSON'" for c in wanted) + "}"
                select = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in wanted)
                return con.sql(
                    f"SELECT {select} FROM read_json(?, format='array', records=true, columns={spec}, "
                    "maximum_object_size=16777216)",
                    params=[path],
                ).to_arrow_table()
            finally:
                con.close()
    except (OSError, duckdb.Error):
        return None


def _text(v) -> str:
    return ("" if v is None else str(v)).strip()


def _record_columns(recs: list[dict], wanted) -> dict[str, Coded]:
    return {c: coded([_text(r.get(c)) for r in recs], strip=False) for c in wanted}
