"""Area register: landet, fylker and kommuner with every code valid 1995-2024, bydeler and
KOSTRA groups; pseudo-regions (K-Rest, Svalbard, units abroad) are recognised, not stored. Built only from the sourced code lists in
``data/geo/`` (SSB Klass; see ``data/geo/SOURCES.md``).

Canonical area codes: ``0`` landet, 2-digit fylke, 4-digit kommune, 6-digit bydel,
9-digit school (organisasjonsnummer). KOSTRA aggregates (``EAKUO``, ``EKGnn``) are kept as
level ``gruppe``.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

GEO_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"

LEVELS = ("land", "fylke", "kommune", "bydel", "skole", "gruppe")
NATIONAL_SPELLINGS = {"0", "00", "i", "eak", "hele landet", "landet", "norge", "0000"}
# Start of the code history (Klass 131 versions from 1995, data/geo/SOURCES.md).
HISTORY_FROM = "1995-01-01"


def _read(name: str) -> list[dict[str, str]]:
    with open(GEO_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def fold(name: str) -> str:
    """Case-, space- and accent-insensitive key for matching names (keeps æøå)."""
    name = unicodedata.normalize("NFC", name).strip().lower()
    name = re.sub(r"\s+", " ", name)
    return name


def orgnr_is_valid(code: str) -> bool:
    """Norwegian organisasjonsnummer: 9 digits, modulus-11 check digit."""
    if not re.fullmatch(r"\d{9}", code):
        return False
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    rest = 11 - sum(int(d) * w for d, w in zip(code[:8], weights)) % 11
    check = 0 if rest == 11 else rest
    return rest != 10 and check == int(code[8])


@dataclass
class Area:
    code: str
    name: str
    level: str
    parent: str | None
    valid_from: str | None = None
    valid_to: str | None = None
    successor: str | None = None  # current code for a renumbered/merged old code
    change_kind: str | None = None


@dataclass
class AreaRegister:
    areas: dict[str, Area] = field(default_factory=dict)
    # fold(name) -> list of codes (current first), per level
    by_name: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    # -- construction -------------------------------------------------------------
    def add(self, area: Area) -> None:
        self.areas[area.code] = area
        keys = {fold(area.name)}
        # "Våler (Østfold)" is also known as "Våler"; "Trondheim - Tråante" as "Trondheim"
        keys.add(fold(re.sub(r"\s*\(.*\)$", "", area.name)))
        keys.add(fold(area.name.split(" - ")[0]))
        for key in keys:
            codes = self.by_name.setdefault((area.level, key), [])
            if area.code not in codes:
                codes.append(area.code)

    # -- lookups ------------------------------------------------------------------
    def get(self, code: str) -> Area | None:
        return self.areas.get(code)

    def valid_in(self, code: str, year: int) -> bool:
        a = self.areas[code]
        return (not a.valid_from or int(a.valid_from[:4]) <= year) and (not a.valid_to or year <= int(a.valid_to[:4]))

    def current(self, code: str) -> tuple[str, str | None]:
        """Follow renumberings and mergers to the current code.

        Returns (code, kind) where kind is None when the code is already current, else the
        kind of the last change followed ('renumbering', 'merger').
        """
        kind = None
        seen = set()
        while code in self.areas and self.areas[code].successor and code not in seen:
            seen.add(code)
            kind = self.areas[code].change_kind
            code = self.areas[code].successor  # type: ignore[assignment]
        return code, kind

    def find_by_name(self, name: str, level: str, fylke: str | None = None, year: int | None = None) -> list[str]:
        """Codes of areas at ``level`` called ``name``; ``fylke`` (code or name) narrows, and
        ``year`` prefers the codes valid then (Troms in 2015 is 19, in 2024 55)."""
        codes = list(self.by_name.get((level, fold(name)), []))
        if fylke and len(codes) > 1:
            fylke_codes = {fylke} if fylke.isdigit() else set(self.find_by_name(fylke, "fylke", None, year))
            narrowed = [c for c in codes if self.areas[c].parent in fylke_codes]
            if narrowed:
                codes = narrowed
        if len(codes) > 1 and year is not None:
            then = [c for c in codes if self.valid_in(c, year)]
            if then:
                codes = then
        if len(codes) > 1:  # prefer codes valid now
            now = [c for c in codes if not self.areas[c].valid_to]
            if now:
                codes = now
        return codes


# Prefixes SSB's statbank pages put before a code: K-0301, F-46 (also K_ and K. in some tables).
_PREFIXED = re.compile(r"^(?:[KF][-_.])(\d{2}|\d{4})$", re.I)


@lru_cache(maxsize=1)
def pseudo_codes() -> dict[str, tuple[str, str]]:
    """Codes that name no real area: SSB's pseudo-regions (K-Rest, K-21-22, K-23, F-21…23),
    Uoppgitt (9999, 99), KOSTRA's hand-added 2111 Longyearbyen and Udir's units abroad and
    on Svalbard (U, 25, 2599, 21, 2100). Upper-case code -> (code, name). From ``spesialkoder.csv``
    and ``udir_pseudoenheter.csv``; rule rows (``K-<kommunenummer>``) are not codes."""
    out = {}
    for r in _read("spesialkoder.csv") + _read("udir_pseudoenheter.csv"):
        if "<" not in r["kode"] and r["nivaa"] != "kostra":  # EAK, EAKUO are real aggregates
            out[r["kode"].upper()] = (r["kode"], r["navn"])
    return out


def canonical_code(raw: str) -> tuple[str | None, str | None]:
    """Normalise a code as written in a file to (code, level) by its shape, or (None, None).

    Handles landet spellings, KOSTRA aggregates, SSB's prefixed codes (``K-1201``, ``F-12``),
    suffixed bydel codes (``030101a``) and pseudo-regions (level ``pseudo``: K-Rest,
    Svalbard, units abroad, Uoppgitt). Numbers that lost their leading zero (``301`` for
    Oslo) are *not* guessed: they are refused.
    """
    s = raw.strip().strip('"').strip()
    low = s.lower()
    if low in NATIONAL_SPELLINGS:
        return "0", "land"
    up = s.upper()
    if up in pseudo_codes():
        return pseudo_codes()[up][0], "pseudo"
    if m := _PREFIXED.match(s):
        s = m[1]
    if up.startswith("EKA") and re.fullmatch(r"EKA\d{2}", up):
        return up[3:], "fylke"
    if up == "EAKUO" or re.fullmatch(r"EKG\d{2}", up):
        return up, "gruppe"
    if re.fullmatch(r"\d{6}[a-z]{1,2}", s):
        s = s[:6]
    if not s.isdigit():
        return None, None
    return s, {2: "fylke", 4: "kommune", 6: "bydel", 9: "skole"}.get(len(s))


def _year(iso: str | None) -> int | None:
    return int(iso[:4]) if iso else None


@lru_cache(maxsize=1)
def load_register() -> AreaRegister:
    """Every fylke and kommune code valid at some time 1995-2024 (SSB Klass 131/104 history),
    with valid-from/to (inclusive), the current name, and the successor for a renumbering
    or merger. Split areas (30 Viken, 38 Vestfold og Telemark, 54, 1507 Ålesund 2024) have
    no successor: their values stay under the old code."""
    reg = AreaRegister()
    reg.add(Area("0", "Hele landet", "land", None))
    reg.add(Area("EAKUO", "Landet uten Oslo", "gruppe", "0"))
    for g in range(1, 18):
        reg.add(Area(f"EKG{g:02d}", f"KOSTRA-gruppe {g}", "gruppe", "0"))
    short = {r["kode"]: r["navn_norsk"] for r in _read("navn_kortform_2024.csv")}
    for table, code_col, name_col, level in (
        ("fylker_alle.csv", "fylkesnummer", "fylkesnavn", "fylke"),
        ("kommuner_alle.csv", "kommunenummer", "kommunenavn", "kommune"),
    ):
        by_code: dict[str, list[dict[str, str]]] = {}
        for r in _read(table):
            by_code.setdefault(r[code_col], []).append(r)
        for code, rs in by_code.items():
            rs.sort(key=lambda r: r["valid_from"])
            last = rs[-1]
            valid_to = _day_before(last["valid_to"]) if last["valid_to"] else None
            name = short.get(code, last[name_col]) if not valid_to else last[name_col]
            parent = "0" if level == "fylke" else code[:2]
            reg.add(Area(code, name, level, parent, rs[0]["valid_from"], valid_to))
            for r in rs:  # every name the code has had, and the official multilingual one
                for key in {fold(r[name_col]), fold(re.sub(r"\s*\(.*\)$", "", r[name_col]))}:
                    codes = reg.by_name.setdefault((level, key), [])
                    if code not in codes:
                        codes.append(code)
    # Changes: which new codes does each old code go to (per date)?
    changes = [r for r in _read("kommune_endringer_alle.csv") if r["changed_on"] >= HISTORY_FROM]
    changes += _read("fylke_endringer.csv")
    targets: dict[tuple[str, str], set[str]] = {}
    for r in changes:
        targets.setdefault((r["old_code"], r["changed_on"]), set()).add(r["new_code"])
    for r in sorted(changes, key=lambda r: r["changed_on"]):
        old, new, when, kind = r["old_code"], r["new_code"], r["changed_on"], r["kind"]
        if old == new or kind == "split" or len(targets[(old, when)]) != 1:
            continue
        area = reg.areas.get(old)
        if area is None:  # pragma: no cover - every old code after 1995 is in the history tables
            continue
        area.successor, area.change_kind = new, kind
    for r in _read("bydeler.csv"):
        reg.add(Area(r["bydelsnummer"], r["bydelsnavn"], "bydel", r["kommunenummer"], r["valid_from"] or None))
    # Bydeler under old kommune numbers (1201xx Bergen, 1601xx Trondheim) follow the kommune
    for code, area in list(reg.areas.items()):
        if area.level == "kommune" and area.successor:
            for b in [a for a in reg.areas.values() if a.level == "bydel" and a.parent == area.successor]:
                old = code + b.code[4:]
                if old not in reg.areas:
                    reg.areas[old] = Area(old, b.name, "bydel", code, None, area.valid_to, b.code, area.change_kind)
    return reg


def code_history(reg: AreaRegister, code: str) -> list[str]:
    """The old codes that are carried forward to ``code`` (renumberings and mergers)."""
    return sorted(c for c, a in reg.areas.items() if a.successor and c != code and reg.current(c)[0] == code)


def joined_codes_note(
    source_codes: list[tuple[str, int | None, int | None]], area_code: str, area_name: str
) -> str | None:
    """Caption for a series that joins old and new codes, in bokmål, or None.

    ``source_codes``: (code as written in the file, first year, last year) of the rows behind
    the series for ``area_code``."""
    reg = load_register()
    old = {}
    for code, y0, y1 in source_codes:
        c, _ = canonical_code(str(code or ""))
        if not c or c == area_code or c not in reg.areas or reg.current(c)[0] != area_code:
            continue
        lo, hi = old.get(c, (y0, y1))
        old[c] = (
            min(x for x in (lo, y0) if x is not None) if (lo or y0) else None,
            max(x for x in (hi, y1) if x is not None) if (hi or y1) else None,
        )
    if not old:
        return None
    parts = []
    for c, (y0, y1) in sorted(old.items()):
        a = reg.areas[c]
        years = f"{y0}–{y1}" if y0 and y1 and y0 != y1 else f"{y0 or y1}" if (y0 or y1) else ""
        parts.append(f"{c} {a.name}" + (f" ({years})" if years else ""))
    kind = "sammenslåing" if any(reg.areas[c].change_kind == "merger" for c in old) else "nytt nummer"
    return (
        f"Serien for {area_name} slår sammen tall under gamle koder og dagens kode {area_code} "
        f"({kind}): " + ", ".join(parts) + ". Kodeendringene er SSBs (Klass)."
    )


def _day_before(iso: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(iso) - dt.timedelta(days=1)).isoformat()


def series_code_note(con, indicator_id: str, area_code: str, area_name: str) -> str | None:
    """Caption for the Indikator page when the indicator's series for ``area_code`` joins
    values stored under old codes (``observations.source_area_code``) with the current code."""
    rows = con.execute(
        """
        SELECT o.source_area_code, min(o.year_start), max(o.year_end) FROM observations o
        JOIN indicators i ON i.source = o.source AND (i.measure = o.measure_code OR i.measure = o.measure_name)
        WHERE i.indicator_id = ? AND o.area_code = ? AND o.source_area_code <> o.area_code
        GROUP BY 1""",
        [indicator_id, area_code],
    ).fetchall()
    return joined_codes_note([(r[0], r[1], r[2]) for r in rows], area_code, area_name)
