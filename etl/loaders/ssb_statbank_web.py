"""SSB Statistikkbanken web download "semikolonseparert med overskrift": Windows-1252,
quoted title line, empty line, quoted header, ``;`` separated, ``"kode navn"`` regions."""

from __future__ import annotations

import re

from etl.loaders import Extract
from etl.loaders._ssb_wide import parse_table
from etl.problems import Collector

FORMAT = "SSB Statistikkbanken (nedlasting med overskrift)"


def sniff(raw: bytes, text: str | None, name: str) -> bool:
    if text is None:
        return False
    lines = text.lstrip("\ufeff").splitlines()
    return len(lines) > 2 and bool(re.match(r'^"\d{4,6}: .*"\s*$', lines[0])) and not lines[1].strip()


def read(raw: bytes, name: str) -> Extract:
    errs = Collector(name)
    try:
        text = raw.decode("utf-8")  # a re-saved file; SSB ships Windows-1252
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as e:
            raise errs.fail(
                "",
                f"the file is neither UTF-8 nor Windows-1252 ({e.reason} at byte {e.start})",
                "Download the table again from Statistikkbanken and load it unchanged.",
            ) from None
    lines = text.lstrip("\ufeff").splitlines()
    title = lines[0].strip().strip('"')
    return parse_table(lines[2:], 3, ";", title, FORMAT, errs)
