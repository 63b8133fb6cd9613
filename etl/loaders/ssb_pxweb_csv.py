"""SSB PxWebApi v2 ``outputFormat=csv``: comma (or, with SeparatorSemicolon, ``;``) separated,
labels quoted, values unquoted with ``.`` decimals; regions as codes, texts or
``"4601 - Bergen"``; an optional title line (IncludeTitle). UTF-8, else Windows-1252."""

from __future__ import annotations

import re

from etl.loaders import Extract
from etl.loaders._ssb_wide import parse_table
from etl.problems import Collector

FORMAT = "SSB PxWebApi v2 CSV"
_HEADER = re.compile(r'^"?(region|KOKkommuneregion\d*|Region|kommune|bydel)"?[,;]', re.I)


def sniff(raw: bytes, text: str | None, name: str) -> bool:
    if text is None:
        return False
    lines = text.lstrip("\ufeff").splitlines()[:2]
    return any(_HEADER.match(line) for line in lines)


def read(raw: bytes, name: str) -> Extract:
    errs = Collector(name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="strict") if _cp1252_ok(raw) else None
        if text is None:
            raise errs.fail(
                "",
                "the file is neither UTF-8 nor Windows-1252",
                "Download it again from the PxWebApi and save the bytes unchanged.",
            ) from None
    lines = text.lstrip("\ufeff").splitlines()
    title, start = "", 0
    if lines and not _HEADER.match(lines[0]):
        title, start = lines[0].strip().strip('"'), 1
        while start < len(lines) and not lines[start].strip():
            start += 1
    if start >= len(lines):
        raise errs.fail("", "no header line", "Download the table again.")
    header = lines[start]
    sep = ";" if header.count(";") > header.count(",") else ","
    return parse_table(lines[start:], start + 1, sep, title, FORMAT, errs)


def _cp1252_ok(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False
