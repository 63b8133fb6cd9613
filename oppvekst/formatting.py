"""Norwegian number formats: decimal comma, thin space for thousands, "prosent" and
"prosentpoeng" written out."""

from __future__ import annotations

import math

NBSP = "\u00a0"
UNIT_WORD = {
    "prosent": "prosent",
    "poeng": "poeng",
    "kr": "kr",
    "dager": "dager",
    "timer": "timer",
    "antall": "",
    "per 1000": "per 1 000",
}
CHANGE_WORD = {"prosent": "prosentpoeng"}
# The sources by the names their publishers use (the registry and the database keep short ids)
SOURCE_NAMES = {
    "ungdata": "Ungdata – NOVA/KoRus, via FHI",
    "elevundersokelsen": "Elevundersøkelsen – Utdanningsdirektoratet",
    "kostra": "KOSTRA – SSB",
    "fravaer": "Fravær – Utdanningsdirektoratet og skolenes egne systemer",
}


MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
          "november", "desember"]  # fmt: skip
SHORT_MONTHS = ["jan.", "feb.", "mars", "april", "mai", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "des."]


def period_text(period: str, short: bool = False) -> str:
    """A period as people say it: «juni 2025» for 2025M06 («juni 25» short), «høsten 2024» for
    H2024, «våren 2025» for V2025; years, school years and pooled periods as they are."""
    p = str(period)
    if len(p) == 7 and p[4] == "M" and p[:4].isdigit() and p[5:].isdigit() and 1 <= int(p[5:]) <= 12:
        month = int(p[5:]) - 1
        return f"{SHORT_MONTHS[month]} {p[2:4]}" if short else f"{MONTHS[month]} {p[:4]}"
    if len(p) == 5 and p[0] in "HV" and p[1:].isdigit():
        return f"{'høsten' if p[0] == 'H' else 'våren'} {p[1:]}"
    return p


def source_name(source: str) -> str:
    """«Ungdata – NOVA/KoRus, via FHI» for ``ungdata``; an unknown id is shown as it is."""
    return SOURCE_NAMES.get(source, source)


_LAST_LETTERS = str.maketrans({"æ": "{", "ø": "|", "å": "}", "ä": "{", "ö": "|"})  # the codes after «z»


def sort_key(text: str) -> str:
    """Norwegian alphabetical order: case-insensitive, with æ, ø and å after z (Å last)."""
    return str(text).casefold().translate(_LAST_LETTERS)


DECIMALS = {"prosent": 1, "poeng": 2, "kr": 0, "dager": 1, "timer": 1, "antall": 0, "per 1000": 1}


def number(v: float | None, decimals: int = 1, sign: bool = False) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    s = f"{abs(v):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    if sign:
        return ("+" if v > 0 else "−" if v < 0 else "±") + s
    return ("−" if v < 0 and float(s.replace(",", ".").replace(NBSP, "")) != 0 else "") + s


def value(v: float | None, unit: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    word = UNIT_WORD.get(unit, unit)
    return f"{number(v, DECIMALS.get(unit, 1))}{NBSP + word if word else ''}"


def change(v: float | None, unit: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    word = CHANGE_WORD.get(unit, UNIT_WORD.get(unit, unit))
    return f"{number(v, DECIMALS.get(unit, 1), sign=True)}{NBSP + word if word else ''}"


def change_words(v: float | None, unit: str) -> str:
    """A change as words: «ned 1,9 prosentpoeng», «opp 436 kr», «uendret» (when it rounds to 0)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    size = number(abs(v), DECIMALS.get(unit, 1))
    if float(size.replace(",", ".").replace(NBSP, "")) == 0:
        return "uendret"
    word = CHANGE_WORD.get(unit, UNIT_WORD.get(unit, unit))
    return f"{'opp' if v > 0 else 'ned'} {size}{NBSP + word if word else ''}"


def compact(v: float | None) -> str:
    """A number with as many decimals as it has (up to 3), decimal comma: 2,8 · 4 437 · 0,125."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    text = f"{v:.3f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return number(v, decimals)


def timestamp(t) -> str:
    """A load time as Norwegians write it, in Norwegian time: «25.11.2026 kl. 14.05».
    Naive times are the server's local time (the ETL stores ``datetime.now()``)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    if t is None or t != t:  # None, NaT
        return "–"
    if hasattr(t, "to_pydatetime"):  # pandas Timestamp
        t = t.to_pydatetime()
    if not isinstance(t, dt.datetime):
        t = dt.datetime.fromisoformat(str(t))
    t = t.astimezone(ZoneInfo("Europe/Oslo"))  # a naive time is taken as the server's own
    return f"{t:%d.%m.%Y} kl. {t:%H.%M}"


_MD_ACTIVE = set("\\`*[]<>#|~$!")  # characters that can start Markdown (or HTML) wherever they stand


def md_text(text) -> str:
    """Text from a file, the registry or a user, made safe to put inside Markdown: every
    character Markdown could act on is escaped, so it shows as the letters it is (an
    underscore inside a word, as in ``eu_mobbing_10``, cannot start emphasis and is left)."""
    s = str(text)
    out = []
    for i, ch in enumerate(s):
        inside_word = 0 < i < len(s) - 1 and s[i - 1].isalnum() and s[i + 1].isalnum()
        if ch in _MD_ACTIVE or (ch == "_" and not inside_word):
            out.append("\\" + ch)
        else:
            out.append(ch)
    s = "".join(out)
    # a list marker, heading or numbered item at the start of the text
    if s[:1] in {"-", "+", "="}:
        s = "\\" + s
    head, dot, rest = s.partition(".")
    if dot and head.isdigit() and len(head) <= 9:  # "2024. Skole" would become a numbered list
        s = head + "\\." + rest
    return s
