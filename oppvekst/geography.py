"""Area register: landet, fylker, kommuner (2024 geography plus 2020-2023 and older codes),
bydeler and the pseudo-units Udir uses. Built only from the sourced code lists in
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
# Changes from this date on are used to carry old codes to the current geography.
CHANGES_FROM = "2018-01-01"


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

    def find_by_name(self, name: str, level: str, fylke: str | None = None) -> list[str]:
        """Codes of areas at ``level`` called ``name``; ``fylke`` (code or name) narrows."""
        codes = list(self.by_name.get((level, fold(name)), []))
        if fylke and len(codes) > 1:
            fylke_codes = {fylke} if fylke.isdigit() else set(self.find_by_name(fylke, "fylke"))
            narrowed = [c for c in codes if self.areas[c].parent in fylke_codes]
            if narrowed:
                codes = narrowed
        if len(codes) > 1:  # prefer codes valid now
            now = [c for c in codes if not self.areas[c].valid_to]
            if now:
                codes = now
        return codes



def canonical_code(raw: str) -> tuple[str | None, str | None]:
    """Normalise a code as written in a file to (code, level) by its shape, or (None, None).

    Handles landet spellings, KOSTRA aggregates, suffixed bydel codes (``030101a``) and
    numbers that lost their leading zero (``301`` for Oslo is *not* guessed: it is refused).
    """
    s = raw.strip().strip('"').strip()
    low = s.lower()
    if low in NATIONAL_SPELLINGS:
        return "0", "land"
    up = s.upper()
    if up.startswith("EKA") and re.fullmatch(r"EKA\d{2}", up):
        return up[3:], "fylke"
    if up == "EAKUO" or re.fullmatch(r"EKG\d{2}", up):
        return up, "gruppe"
    if re.fullmatch(r"\d{6}[a-z]", s):
        s = s[:6]
    if not s.isdigit():
        return None, None
    return s, {2: "fylke", 4: "kommune", 6: "bydel", 9: "skole"}.get(len(s))


@lru_cache(maxsize=1)
def load_register() -> AreaRegister:
    reg = AreaRegister()
    reg.add(Area("0", "Hele landet", "land", None))
    reg.add(Area("EAKUO", "Landet uten Oslo", "gruppe", "0"))
    for g in range(1, 18):
        reg.add(Area(f"EKG{g:02d}", f"KOSTRA-gruppe {g}", "gruppe", "0"))
    f24 = {r["fylkesnummer"]: r["fylkesnavn"] for r in _read("fylker_2024.csv")}
    short = {r["kode"]: r["navn_norsk"] for r in _read("navn_kortform_2024.csv")}
    for code, name in f24.items():
        reg.add(Area(code, short.get(code, name), "fylke", "0", "2024-01-01"))
        if code in short:  # also findable by the official multilingual name
            reg.by_name.setdefault(("fylke", fold(name)), []).append(code)
    for r in _read("fylker_2020.csv"):
        if r["fylkesnummer"] not in reg.areas:
            reg.add(Area(r["fylkesnummer"], r["fylkesnavn"], "fylke", "0", "2020-01-01",
                         "2023-12-31"))
    for r in _read("kommuner_2024.csv"):
        code = r["kommunenummer"]
        reg.add(Area(code, short.get(code, r["kommunenavn"]), "kommune", r["fylkesnummer"],
                     "2024-01-01"))
        if code in short:
            reg.by_name.setdefault(("kommune", fold(r["kommunenavn"])), []).append(code)
    for r in _read("kommuner_2020.csv"):
        if r["kommunenummer"] not in reg.areas:
            reg.add(Area(r["kommunenummer"], r["kommunenavn"], "kommune", r["fylkesnummer"],
                         "2020-01-01", "2023-12-31"))
    # Changes: which new codes does each old code go to (per date)?
    changes = [r for r in _read("kommune_endringer_alle.csv") if r["changed_on"] >= CHANGES_FROM]
    targets: dict[tuple[str, str], set[str]] = {}
    for r in changes:
        targets.setdefault((r["old_code"], r["changed_on"]), set()).add(r["new_code"])
    for r in sorted(changes, key=lambda r: r["changed_on"]):
        old, new, when, kind = r["old_code"], r["new_code"], r["changed_on"], r["kind"]
        if old == new or kind == "split" or len(targets[(old, when)]) != 1:
            continue
        area = reg.areas.get(old)
        if area is None:
            area = Area(old, r["old_name"], "kommune", old[:2], None, None)
            reg.add(area)
        if area.valid_to is None or area.valid_to >= when:
            area.valid_to = _day_before(when)
        area.successor, area.change_kind = new, kind
    for r in _read("bydeler.csv"):
        reg.add(Area(r["bydelsnummer"], r["bydelsnavn"], "bydel", r["kommunenummer"],
                     r["valid_from"] or None))
    for r in _read("spesialkoder.csv"):
        if r["kode"] not in reg.areas:
            reg.add(Area(r["kode"], r["navn"], r["nivaa"], "0" if r["nivaa"] == "fylke" else None))
    for r in _read("udir_pseudoenheter.csv"):
        if r["kode"] not in reg.areas:
            reg.add(Area(r["kode"], r["navn"], r["nivaa"], r["forelder"]))
    # Bydeler under old kommune numbers (1201xx Bergen, 1601xx Trondheim) follow the kommune
    for code, area in list(reg.areas.items()):
        if area.level == "kommune" and area.successor:
            for b in [a for a in reg.areas.values() if a.level == "bydel" and a.parent == area.successor]:
                old = code + b.code[4:]
                if old not in reg.areas:
                    reg.areas[old] = Area(old, b.name, "bydel", code, None, area.valid_to,
                                          b.code, area.change_kind)
    return reg


def _day_before(iso: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(iso) - dt.timedelta(days=1)).isoformat()
