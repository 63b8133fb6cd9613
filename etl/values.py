"""Parsing of the cell-level conventions shared by the publishers: numbers, symbols,
periods, kjønn and trinn labels, text encodings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from oppvekst.periods import Period, ValueProblem, parse_period  # noqa: F401 - re-exported for the loaders

SPACES = "\u0020\u00a0\u202f\u2009"

# symbol -> (suppressed, meaning). A value of None means "no number".
SSB_SYMBOLS = {
    "..": (False, "tallgrunnlag mangler"),
    ":": (True, "vises ikke av konfidensialitetshensyn"),
    ".": (False, "ikke mulig å oppgi"),
    "...": (False, "ikke tilgjengelig ennå"),
}
UDIR_SYMBOLS = {"*": (True, "skjermet (for få svar)")}
FHI_FLAGS = {
    "1": ("..", False, "manglende data"),
    "2": (".", False, "kan ikke beregnes"),
    "3": (":", True, "anonymisert (skjermet)"),
    "4": ("-", False, "ikke tilgjengelig"),
}


@dataclass(frozen=True)
class Cell:
    value: float | None
    suppressed: bool
    symbol: str


def parse_number(text: str) -> float:
    """'4 277' / '9,4' / '70,9%' / '1 045,5' / '12.3' -> float. Raises ValueProblem."""
    s = text.strip()
    for sp in SPACES:
        s = s.replace(sp, "")
    if s.endswith("%"):
        s = s[:-1]
    if "," in s:
        if "." in s:  # 1.045,5 style is not used by our publishers
            raise ValueProblem(f"'{text}' mixes '.' and ','")
        s = s.replace(",", ".")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", s):
        raise ValueProblem(f"'{text}' is not a number")
    return float(s)


def parse_cell(text: str | None, symbols: dict[str, tuple[bool, str]]) -> Cell | None:
    """A cell as a publisher writes it. None for an empty cell (no data, no row).

    SSB: a trailing '*' marks a preliminary figure; '-' is nil (a real zero).
    """
    if text is None:
        return None
    s = text.strip()
    if s == "":
        return None
    if s in symbols:
        suppressed, _ = symbols[s]
        return Cell(None, suppressed, s)
    if s == "-" and symbols is SSB_SYMBOLS:
        return Cell(0.0, False, "-")
    if symbols is SSB_SYMBOLS and s.endswith("*") and len(s) > 1:
        return Cell(parse_number(s[:-1]), False, "*")
    return Cell(parse_number(s), False, "")


# ------------------------------------------------------------------- kjønn and trinn
GENDER = {
    "alle": "alle",
    "begge kjønn": "alle",
    "alle kjønn": "alle",
    "kjønn samlet": "alle",
    "begge kjonn": "alle",
    "0": "alle",
    "i alt": "alle",
    "total": "alle",
    "begge": "alle",
    "gutt": "gutter",
    "gutter": "gutter",
    "menn": "gutter",
    "1": "gutter",
    "g": "gutter",
    "jente": "jenter",
    "jenter": "jenter",
    "kvinner": "jenter",
    "2": "jenter",
    "j": "jenter",
}


def parse_gender(text: str) -> str:
    g = GENDER.get(text.strip().lower())
    if g is None:
        raise ValueProblem(f"'{text}' is not a kjønn (expected Begge kjønn, Gutt or Jente; or the codes 0, 1, 2)")
    return g


def is_gender_label(text: str) -> bool:
    return text.strip().lower() in GENDER and not text.strip().isdigit()


_GRADE_WORDS = {
    "alle": "alle",
    "alle trinn": "alle",
    "alle årstrinn": "alle",
    "alle klassetrinn": "alle",
    "ungdomsskole": "8-10",
    "ungdomstrinnet": "8-10",
    "barnetrinnet": "1-7",
    "videregående": "vg1-vg3",
    "vgs": "vg1-vg3",
    "grunnskole": "1-10",
    "0": "alle",
}


def parse_grade(text: str) -> str:
    s = text.strip().lower().replace("_", "-")  # FHI writes every range with an underscore: 8_10
    if s in _GRADE_WORDS:
        return _GRADE_WORDS[s]
    if m := re.fullmatch(r"(\d{1,2})\.?\s*(års|klasse)?trinn", s):
        return _grade_num(m[1], text)
    if m := re.fullmatch(r"(\d{1,2})\.?\s*-\s*(\d{1,2})\.?\s*(års|klasse)?trinn", s):
        return f"{_grade_num(m[1], text)}-{_grade_num(m[2], text)}"
    if m := re.fullmatch(r"(\d{1,2})", s):
        return _grade_num(m[1], text)
    if m := re.fullmatch(r"(\d{1,2})-(\d{1,2})", s):
        return f"{_grade_num(m[1], text)}-{_grade_num(m[2], text)}"
    if m := re.fullmatch(r"vg\s*([1-3])", s):
        return f"vg{m[1]}"
    if m := re.fullmatch(r"vg\s*([1-3])\s*-\s*vg\s*([1-3])", s):
        return f"vg{m[1]}-vg{m[2]}"
    raise ValueProblem(f"'{text}' is not a trinn (expected e.g. 10. årstrinn, 10, 8-10 or Vg1)")


def _grade_num(n: str, text: str) -> str:
    if not 1 <= int(n) <= 13:
        raise ValueProblem(f"'{text}' is not a trinn between 1 and 10 (or Vg1-Vg3)")
    return str(int(n))


def age_range(text: str) -> str | None:
    """FHI's ALDER codes: '0_120' (all ages) -> None, '13_15' -> '13-15', '16' -> '16'."""
    s = text.strip().replace("_", "-")
    if m := re.fullmatch(r"(\d{1,3})-(\d{1,3})", s):
        if int(m[1]) == 0 and int(m[2]) >= 99:
            return None
        return s if m[1] != m[2] else m[1]
    return s or None


def breakdown_value(code: str, label: str) -> str | None:
    """The breakdown value of an 'other' dimension's category, or None for a total."""
    low = code.strip().lower()
    if low in ("0", "00", "999", "alle", "total", "tot", "i alt") or label.strip().lower().startswith(
        ("alle", "i alt", "begge")
    ):
        return None
    if re.fullmatch(r"\d{1,3}_\d{1,3}", code.strip()):  # FHI ranges: ALDER 0_120 (total), 13_15
        rng = age_range(code)
        return None if rng is None else (label if label != code else rng)
    return label


def is_grade_label(text: str) -> bool:
    try:
        parse_grade(text)
    except ValueProblem:
        return False
    return not text.strip().isdigit()


def unit_from_name(name: str) -> str:
    low = name.lower()
    if "prosent" in low or "andel" in low or low.endswith("%)"):
        return "prosent"
    if "(kr)" in low or " kr " in low or "kroner" in low or "utgifter" in low:
        return "kr"
    if "per 1000" in low or "per 1 000" in low:
        return "per 1000"
    if "score" in low or low.strip() == "snitt" or ("snitt" in low and "poeng" in low):
        return "poeng"
    if "dager" in low:
        return "dager"
    if "timer" in low:
        return "timer"
    if "antall" in low:
        return "antall"
    return ""


# ------------------------------------------------------------------------ encodings
def decode_text(raw: bytes) -> tuple[str, str]:
    """Decode as the publishers ship text: UTF-16 (with or without BOM), UTF-8 (strict),
    else Windows-1252. Returns (text, encoding)."""
    if raw.startswith(b"\xff\xfe"):
        return raw[2:].decode("utf-16-le"), "utf-16"
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be"), "utf-16"
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    head = raw[:400]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0] != 0:
        if len(raw) % 2:
            raise UnicodeDecodeError("utf-16-le", raw, len(raw) - 1, len(raw), "odd byte count: the file is cut off")
        return raw.decode("utf-16-le"), "utf-16-le"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252"), "windows-1252"


def slug(text: str) -> str:
    s = text.strip().lower()
    s = re.sub(r"[^0-9a-zæøå]+", "_", s)
    return s.strip("_")
