"""Our own aggregated absence template for extracts from the schools' administration systems
(Visma Flyt Skole, Visma InSchool, IST), CSV (``;`` or ``,``, UTF-8 or Windows-1252) or XLSX
(first sheet). One row per school × period × trinn × kjønn; never one row per pupil.
See README ("Fraværsmalen") for the columns and an example."""

from __future__ import annotations

import csv
import io
import re

from etl.loaders import Extract, RowBuilder
from etl.problems import Collector
from etl.values import ValueProblem, decode_text, parse_gender, parse_grade, parse_number, parse_period
from oppvekst.geography import orgnr_is_valid

FORMAT = "Fraværsmal (aggregert fra skolens system)"
COLUMNS = [
    "skole_orgnr",
    "skolenavn",
    "periode",
    "trinn",
    "kjonn",
    "antall_elever",
    "elever_minst_10_prosent_fravaer",
    "gjennomsnitt_fravaer_prosent",
    "andel_dokumentert_prosent",
]
OPTIONAL = ["kommunenummer"]
PERSON_COLUMNS = re.compile(
    r"(^|_)(navn|fornavn|etternavn|elevnavn|elev|elev_id|elevid|fnr|"
    r"fodselsnummer|fødselsnummer|personnummer|fodselsdato|fødselsdato|"
    r"adresse|telefon|epost)($|_)"
)
FNR = re.compile(r"^\d{6}\s?\d{5}$")
MIN_GROUP = 5  # a group smaller than this looks like pupils, not an aggregate


def sniff(raw: bytes, text: str | None, name: str) -> bool:
    if raw[:2] == b"PK":
        return True
    return text is not None and "skole_orgnr" in text.split("\n", 1)[0].lower()


def _rows(raw: bytes, name: str, errs: Collector) -> list[list[str]]:
    if raw[:2] == b"PK":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as e:
            raise errs.fail("", f"not a readable Excel workbook ({e})", "Save the sheet again as .xlsx.") from None
        ws = wb.worksheets[0]
        return [["" if c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)]
    text, _ = decode_text(raw)
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    sep = ";" if first.count(";") >= first.count(",") else ","
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=sep))


def read(raw: bytes, name: str) -> Extract:
    errs = Collector(name)
    rows = [r for r in _rows(raw, name, errs) if any(str(c).strip() for c in r)]
    if not rows:
        raise errs.fail("", "the file is empty", "Fill in the template: one row per school, period, trinn and kjønn.")
    header = [h.strip().lower() for h in rows[0]]
    person = [h for h in header if PERSON_COLUMNS.search(h) and h != "skolenavn"]
    if person:
        raise errs.fail(
            "line 1",
            f"column(s) {', '.join(person)} look like data about single pupils",
            "Only aggregated counts may leave the school system: no names, birth numbers or "
            "one row per pupil. Export the numbers per school, trinn and kjønn with the template (README).",
        )
    unknown = [h for h in header if h not in COLUMNS + OPTIONAL]
    missing = [c for c in COLUMNS if c not in header]
    if unknown:
        errs.add(
            "line 1", f"unknown column(s): {', '.join(unknown)}", f"The template's columns are: {', '.join(COLUMNS)}."
        )
    if missing:
        errs.add(
            "line 1", f"missing column(s): {', '.join(missing)}", f"The template's columns are: {', '.join(COLUMNS)}."
        )
    errs.check()
    idx = {h: i for i, h in enumerate(header)}
    rb = RowBuilder(source="fravaer", table_id="fravaersmal")
    small = 0
    for ln, r in enumerate(rows[1:], start=2):
        r = [str(c).strip() for c in r] + [""] * (len(header) - len(r))
        if any(FNR.match(c) for c in r):
            raise errs.fail(
                f"line {ln}",
                "a cell looks like a fødselsnummer (11 digits)",
                "Never export person-level data. Use the aggregated template (README).",
            )
        get = lambda c: r[idx[c]] if c in idx else ""
        org = get("skole_orgnr").replace(" ", "")
        where = f"line {ln}"
        if not orgnr_is_valid(org):
            errs.add(
                f"{where}, column skole_orgnr",
                f"'{get('skole_orgnr')}' is not a valid organisasjonsnummer",
                "Use the school's 9-digit org.nr from Enhetsregisteret (NSR).",
            )
            continue
        try:
            per = parse_period(get("periode"))
            grade = parse_grade(get("trinn"))
            gender = parse_gender(get("kjonn"))
            n = parse_number(get("antall_elever"))
            high = parse_number(get("elever_minst_10_prosent_fravaer"))
            mean = parse_number(get("gjennomsnitt_fravaer_prosent"))
            doc = parse_number(get("andel_dokumentert_prosent"))
        except ValueProblem as e:
            errs.add(
                where, str(e), "Every count and percentage must be a number; periode like 2024-25, H2024 or 2024M09."
            )
            continue
        bad = []
        if n < 0 or not n.is_integer():
            bad.append(f"antall_elever {n:g} is not a whole number ≥ 0")
        if not 0 <= high <= n or not high.is_integer():
            bad.append(
                f"elever_minst_10_prosent_fravaer {high:g} must be a whole number between 0 and antall_elever ({n:g})"
            )
        for col, v in (("gjennomsnitt_fravaer_prosent", mean), ("andel_dokumentert_prosent", doc)):
            if not 0 <= v <= 100:
                bad.append(f"{col} {v:g} is not a percentage between 0 and 100")
        if bad:
            for b in bad:
                errs.add(where, b, "Check the export from the school system.")
            continue
        small += n < MIN_GROUP
        common = dict(
            source_area_code=org,
            source_area_name=get("skolenavn"),
            area_level_hint="skole",
            kommune_hint=get("kommunenummer"),
            period=per.label,
            gender=gender,
            grade=grade,
            n=n,
            line=ln,
        )
        if n == 0:
            continue
        rb.add(
            measure_code="fravaer_minst_10_prosent",
            measure_name="Elever med minst 10 prosent fravær",
            unit="prosent",
            value=100.0 * high / n,
            **common,
        )
        rb.add(
            measure_code="fravaer_snitt_prosent",
            measure_name="Gjennomsnittlig fravær",
            unit="prosent",
            value=mean,
            **common,
        )
        rb.add(
            measure_code="fravaer_andel_dokumentert",
            measure_name="Andel av fraværet som er dokumentert",
            unit="prosent",
            value=doc,
            **common,
        )
    if len(rows) > 3 and small > 0.5 * (len(rows) - 1):
        raise errs.fail(
            "",
            f"{small} of {len(rows) - 1} rows count fewer than {MIN_GROUP} pupils: the file looks like one row per pupil",
            "Only aggregated counts may be loaded. Export per school, trinn and kjønn (README).",
        )
    errs.check()
    return Extract(FORMAT, "fravaer", rb.frame())
