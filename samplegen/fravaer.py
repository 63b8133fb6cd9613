"""Fravær: Udir's absence statistics and the schools' own template (CSV and XLSX), and the
school → bydel map."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np

from samplegen.udir import KJONN_UDIR, skoleaar
from samplegen.world import YEARS, Measure, World, nb, true_value

# Flat from the indicators' 0-punkt on (2019-20, drawn at its middle 2019.5)
FRAVAER_HIGH = Measure("fravaer10", "Minst 10 prosent fravær", 0.13, 0.05, 2019, 0.0, (-0.1, 0.1))
FRAVAER_MEAN = Measure("snitt", "Gjennomsnittlig fravær (prosent)", 5.6, 0.04, 2019, 0.0, kind="amount")


def write_udir_fravaer(w: World, path: Path) -> None:
    """Udir grunnskole fravær, 10. trinn, kommune level, statistikkbank CSV."""
    rng = np.random.default_rng(29)
    cols = [
        f"{skoleaar(y)}.10. årstrinn.{kj}.{mm}"
        for y in YEARS[:-1]
        for kj, _ in KJONN_UDIR
        for mm in ("Snitt dager", "Snitt timer", "Antall elever")
    ]
    head = [
        "EnhetNivaa",
        "Nasjonaltkode",
        "Fylkekode",
        "Kommunekode",
        "Organisasjonsnummer",
        "Nasjonalt",
        "Fylke",
        "Kommune",
        "EnhetNavn",
    ]
    out = ["sep=\t", "\t".join(head + cols)]
    for u in w.by_level("land", "fylke", "kommune"):
        kom = u.code if u.level == "kommune" else ""
        fyl = kom[:2] if kom else (u.code if u.level == "fylke" else "")
        cells = []
        for y in YEARS[:-1]:
            for _, g in KJONN_UDIR:
                n = int(u.size * (0.5 if g != "alle" else 1))
                days = true_value(FRAVAER_MEAN, u, y) * 1.9 + rng.normal(0, 3 / math.sqrt(max(n, 1)))
                if n < 10:
                    cells += ["*", "*", "*"]
                else:
                    cells += [nb(days), nb(days * 6.2), nb(n, 0)]
        out.append(
            "\t".join(
                [
                    {"land": "1", "fylke": "2", "kommune": "3"}[u.level],
                    "I",
                    fyl,
                    kom,
                    {"land": "I", "fylke": fyl}.get(u.level, kom),
                    "Hele landet",
                    w.unit(fyl).name if fyl else "Alle fylker",
                    w.unit(kom).name if kom else "Alle kommuner",
                    u.name,
                ]
                + cells
            )
        )
    path.write_bytes(("\r\n".join(out) + "\r\n").encode("utf-16-le"))


TEMPLATE_HEAD = [
    "skole_orgnr",
    "skolenavn",
    "kommunenummer",
    "periode",
    "trinn",
    "kjonn",
    "antall_elever",
    "elever_minst_10_prosent_fravaer",
    "gjennomsnitt_fravaer_prosent",
    "andel_dokumentert_prosent",
]


def season(label: str) -> float:
    """Monthly absence has a season: more pupils are away in the winter months (colds and flu),
    fewer in late spring - a logit offset of 0,3 at its January peak - and each month has its own
    events besides (``fravaer_template_rows``: a kommune-wide logit shock, sd 0,15). School-year
    periods have neither.
    A kommune's months, with over a thousand pupils behind each, vary more than chance alone gives,
    as real ones do: the monthly chart is then a Laney p′ chart; a school's months, with fewer
    pupils, stay a p chart (``oppvekst.stats.spc_method``)."""
    if "M" not in label:
        return 0.0
    return 0.3 * math.cos(2 * math.pi * (int(label.split("M")[1]) - 1) / 12)


def _with_season(p: float, offset: float) -> float:
    return p if not offset else 1 / (1 + math.exp(-(math.log(p / (1 - p)) + offset)))


def fravaer_template_rows(w: World, periods: list[tuple[str, float]]):
    rng = np.random.default_rng(31)
    # a month's own events (a flu wave, a holiday week) touch every school of a kommune alike
    waves = np.random.default_rng(32)
    wave: dict[tuple[str, str], float] = {}
    for s in w.schools:
        for label, year in periods:
            key = (w.kommune_of[s.code], label)
            if "M" in label and key not in wave:
                wave[key] = float(waves.normal(0, 0.15))
            offset = season(label) + wave.get(key, 0.0)
            for trinn in ("8", "9", "10"):
                for kj, g in (("alle", "alle"), ("gutter", "gutter"), ("jenter", "jenter")):
                    n = max(1, int(rng.poisson(s.size * 0.55 * (0.5 if g != "alle" else 1))))
                    high = rng.binomial(n, _with_season(true_value(FRAVAER_HIGH, s, year, g), offset))
                    mean = max(0.5, true_value(FRAVAER_MEAN, s, year) + rng.normal(0, 4 / math.sqrt(n)))
                    yield [
                        s.code,
                        s.name,
                        w.kommune_of[s.code],
                        label,
                        trinn,
                        kj,
                        n,
                        high,
                        nb(mean),
                        nb(min(100, max(0, 62 + rng.normal(0, 6)))),
                    ]


def write_fravaer_csv(w: World, path: Path) -> None:
    out = [";".join(TEMPLATE_HEAD)]
    for r in fravaer_template_rows(w, [(skoleaar(y), y + 0.5) for y in YEARS[:-1]]):
        out.append(";".join(str(c) for c in r))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def write_fravaer_xlsx(w: World, path: Path) -> None:
    import openpyxl

    months = [
        (f"{y}M{m:02d}", y + (m - 0.5) / 12)
        for y, m in [(2023, m) for m in (8, 9, 10, 11, 12)]
        + [(2024, m) for m in range(1, 13) if m != 7]
        + [(2025, m) for m in range(1, 7)]
    ]
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Fravær")
    ws.append(TEMPLATE_HEAD)
    for r in fravaer_template_rows(w, months):
        ws.append(r)
    bio = io.BytesIO()
    wb.save(bio)
    # Fixed timestamps inside the zip keep the file byte-identical between runs
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(bio.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                data = re.sub(
                    rb"<dcterms:(created|modified)([^>]*)>[^<]*<", rb"<dcterms:\1\2>2025-01-01T00:00:00Z<", data
                )
            zi = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    path.write_bytes(out.getvalue())


def write_school_map(w: World, path: Path) -> None:
    lines = ["orgnr,skolenavn,bydelsnummer,kilde"]
    for s in w.schools:
        if len(s.parent) == 6:
            lines.append(f'{s.code},"{s.name}",{s.parent},eksempeldata (generert av samplegen)')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
