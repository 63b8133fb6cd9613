"""Udir's open export API (``api.statistikkbanken.udir.no/api/rest/v2/Eksport/{table}/data``):
long format, one row per cell, as JSON (a list of records, or an object holding one) or CSV.
Columns are declared; an unknown or missing column is an error."""

from __future__ import annotations

import csv
import io
import json

from etl.loaders import Extract, RowBuilder
from etl.loaders._udir_headers import guess_source
from etl.problems import Collector
from etl.values import UDIR_SYMBOLS, ValueProblem, decode_text, parse_cell, parse_gender, parse_grade

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


def read(raw: bytes, name: str) -> Extract:
    errs = Collector(name)
    recs = _records(raw, errs)
    if not recs:
        raise errs.fail("", "no records", "An empty answer means no data for the filter; choose another filter.")
    columns = list(recs[0].keys())
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
    names = [str(r.get("Spoersmaalnavn") or r.get("Indikatornavn") or "") for r in recs[:20]]
    source = guess_source(names + values, name)
    rb = RowBuilder(source=source)
    ncol = next((c for c in columns if c in N_COLUMNS), None)
    sdcol = next((c for c in columns if c in SD_COLUMNS), None)
    for i, r in enumerate(recs, start=2):
        get = lambda c: ("" if r.get(c) is None else str(r.get(c))).strip()
        nivaa = get("EnhetNivaa") or get("BarnehageenhetNivaa")
        level = LEVELS.get(nivaa)
        if level is None:
            errs.add(
                f"record {i - 1}, field EnhetNivaa",
                f"'{nivaa}' is not a unit level",
                "EnhetNivaa must be 1, 2, 3 or 4.",
            )
            continue
        try:
            gender = parse_gender(get("Kjoenn") or "alle")
            grade = parse_grade(get("Trinnnavn") or "alle")
            n = parse_cell(get(ncol), UDIR_SYMBOLS) if ncol else None
            sd = parse_cell(get(sdcol), UDIR_SYMBOLS) if sdcol else None
        except ValueProblem as e:
            errs.add(f"record {i - 1}", str(e), "Load the Eksport API answer unchanged.")
            continue
        brk = []
        for label in ("EierformNavn", "GruppeNavn", "UtdanningsprogramNavn"):
            v = get(label)
            if v and not v.lower().startswith("alle"):
                brk.append(f"{label.replace('Navn', '').lower()}={v}")
        base_code = get("Spoersmaalkode") or get("Indikatorkode")
        base_name = get("Spoersmaalnavn") or get("Indikatornavn")
        for vc in values:
            try:
                cell = parse_cell(get(vc), UDIR_SYMBOLS)
            except ValueProblem as e:
                errs.add(f"record {i - 1}, field {vc}", str(e), "Values must be numbers, '*' or empty.")
                continue
            if cell is None:
                continue
            suffix, nsuffix, unit = MEASURES[vc]
            rb.add(
                measure_code=base_code + suffix,
                measure_name=base_name + nsuffix,
                unit=unit,
                source_area_code=get("Organisasjonsnummer"),
                source_area_name=get("EnhetNavn"),
                area_level_hint=level,
                fylke_hint=get("Fylkekode"),
                kommune_hint=get("Kommunekode"),
                period=get("Skoleaarnavn"),
                gender=gender,
                grade=grade,
                breakdown=";".join(brk),
                value=cell.value,
                suppressed=cell.suppressed,
                symbol=cell.symbol,
                n=n.value if n else None,
                sd=sd.value if sd and vc == "Score" else None,
                line=i,
            )
    errs.check()
    return Extract(FORMAT, source, rb.frame())
