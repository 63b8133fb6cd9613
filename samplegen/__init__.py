"""Deterministic synthetic extracts in the publishers' genuine formats.

``python -m samplegen --out data/sample`` writes the bundled sample (landet, Vestland,
Akershus, Telemark, Bergen with its 8 bydeler and 20 schools, Bærum, Lillestrøm, Bamble,
2015-2025). ``--scale national`` writes national volumes (every kommune and bydel, ~2,800
schools) for the benchmark, ``--scale half`` every second kommune (to see how cost grows).
The numbers are invented ("Eksempeldata – ikke ekte tall") but behave like real ones: each
area has its own level, trends bend, survey noise is binomial and shrinks with n, small
cells are suppressed as the publishers do. The truth is known (``samplegen.world``): Bergen
and its bydeler have landet's level but for the signals in ``PLANTED`` (Årstad worsens on
ung_trygg, Fana is ahead on ung_fritid, national trends in depressive symptoms, mobbing and
hjemmebesøk), and every other measure is flat from its indicators' 0-punkt on. Two tiltak run in
Bergen schools (``TILTAK_EFFECTS``): miljøarbeidere lower mobbing by 4 prosentpoeng in three schools
from 2022-23; the samarbeidsmodell in four others from 2021-22 changes nothing.

Formats written: SSB web download (Windows-1252, title line), SSB PxWebApi v2 CSV, SSB
json-stat2, Udir statistikkbank CSV (UTF-16LE, sep=\\t, wide dotted headers), Udir JSON API
answer, Udir Eksport API JSON, FHI csv3 and json-stat2 (pooled periods), and the fravær
template (CSV and XLSX).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from samplegen.fhi import UNGDATA, write_fhi_csv3, write_fhi_jsonstat
from samplegen.fravaer import (
    write_fravaer_csv,
    write_fravaer_xlsx,
    write_school_map,
    write_udir_fravaer,
)
from samplegen.ssb import write_pxweb_csv, write_ssb_jsonstat, write_ssb_web
from samplegen.udir import (
    write_udir_csv_mobbing,
    write_udir_eksport,
    write_udir_json_api,
)
from samplegen.world import YEARS, World


# ------------------------------------------------------------------------------ driver
def generate(out: Path, scale: str = "sample") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "revisjon").mkdir(exist_ok=True)
    w = World(scale)
    files = {
        "ssb_kostra_barnevern_2015-2023.csv": lambda p: write_ssb_web(w, p, YEARS[:-2]),
        # March's preliminary count of the newest year is short; June's final figure is the truth
        "ssb_kostra_barnevern_2024-2025.json": lambda p: write_ssb_jsonstat(
            w, p, YEARS[-2:], -0.04, "2025-03-15T06:00:00Z"
        ),
        "ssb_kostra_helsestasjon_pxweb.csv": lambda p: write_pxweb_csv(w, p),
        "fhi_ungdata_psykisk_helse_csv3.csv": lambda p: write_fhi_csv3(w, p, UNGDATA[:4]),
        "fhi_ungdata_lokalmiljo.json": lambda p: write_fhi_jsonstat(w, p, UNGDATA[4:]),
        "udir_elevundersokelsen_mobbing.csv": lambda p: write_udir_csv_mobbing(w, p),
        "udir_elevundersokelsen_eksport.json": lambda p: write_udir_eksport(w, p),
        "udir_elevundersokelsen_bergen_api.json": lambda p: write_udir_json_api(w, p, "4601", 2024),
        "udir_fravaer_grunnskole.csv": lambda p: write_udir_fravaer(w, p),
        "fravaer_skoler_skolear.csv": lambda p: write_fravaer_csv(w, p),
        "fravaer_skoler_maned.xlsx": lambda p: write_fravaer_xlsx(w, p),
        # KOSTRA's final figures in June revise March's preliminary ones
        "revisjon/ssb_kostra_barnevern_2025_endelig.json": lambda p: write_ssb_jsonstat(
            w, p, YEARS[-1:], 0.0, "2025-06-15T06:00:00Z"
        ),
    }
    written = []
    for name, fn in files.items():
        p = out / name
        fn(p)
        written.append(p)
    if scale == "sample":
        write_school_map(w, out.parent / "skole_bydel.csv")
    return written


def digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()
