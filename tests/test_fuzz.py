"""Fuzzing the loaders with a seeded mutator over every genuine and sample file: truncations,
flipped bytes, dropped or duplicated lines, swapped encodings and separators, huge numbers,
NaN and inf. Every mutant is either loaded cleanly or refused cleanly (InputError naming the
file); never an unexpected exception. A few mutants go through the CLI (exit code 0 or 1,
no traceback, database byte-identical on refusal). Deterministic: a fixed seed."""

import json
import random
import re
import shutil
from pathlib import Path

from conftest import REAL, ROOT, run_etl, sha
from etl.detect import read_file
from etl.harmonize import harmonize
from etl.problems import InputError
from etl.store import load
from etl.values import decode_text

SEED = 20250601
SHARED_REAL = ROOT.parent / "shared" / "formats" / "real"
SAMPLE = ROOT / "data" / "sample"
MAX_LINES = 50  # seeds are cut to this many lines (JSON: records) to keep the corpus small


def _seed_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if path.suffix == ".xlsx" or len(raw) < 20_000:
        return raw
    text, enc = decode_text(raw)
    if path.suffix == ".json":
        doc = json.loads(text)
        if isinstance(doc, list):
            return json.dumps(doc[:MAX_LINES], ensure_ascii=False).encode()
        return raw
    keep = "".join(text.splitlines(keepends=True)[:MAX_LINES])
    return keep.encode("utf-16-le" if enc.startswith("utf-16") else "utf-8")


def corpus() -> list[tuple[str, bytes]]:
    files = (
        sorted(REAL.iterdir())
        + (sorted(SHARED_REAL.iterdir()) if SHARED_REAL.exists() else [])
        + sorted(p for p in SAMPLE.rglob("*") if p.is_file())
    )
    seen, out = set(), []
    for p in files:
        raw = _seed_bytes(p)
        if raw not in seen:
            seen.add(raw)
            out.append((p.name, raw))
    return out


def _lines(raw: bytes):
    text, enc = decode_text(raw)
    return text.splitlines(keepends=True), (
        "utf-16-le" if enc.startswith("utf-16") else "utf-8" if enc.startswith("utf-8") else "cp1252"
    )


def truncate(raw, rng):
    return raw[: rng.randrange(0, max(1, len(raw)))]


def flip_bytes(raw, rng):
    b = bytearray(raw)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def drop_line(raw, rng):
    lines, enc = _lines(raw)
    if len(lines) > 1:
        del lines[rng.randrange(len(lines))]
    return "".join(lines).encode(enc, errors="replace")


def duplicate_line(raw, rng):
    lines, enc = _lines(raw)
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i])
    return "".join(lines).encode(enc, errors="replace")


def swap_encoding(raw, rng):
    text, _ = decode_text(raw)
    enc = rng.choice(["utf-8", "utf-8-sig", "utf-16-le", "utf-16", "cp1252", "latin-1"])
    return text.encode(enc, errors="replace")


def swap_separator(raw, rng):
    text, enc = decode_text(raw)
    a, b = rng.sample([";", ",", "\t", "|"], 2)
    return text.replace(a, b).encode("utf-16-le" if enc.startswith("utf-16") else "utf-8")


def extreme_number(raw, rng):
    text, enc = decode_text(raw)
    numbers = list(re.finditer(r"(?<![\w.])\d+(?:[.,]\d+)?(?![\w.])", text))
    if not numbers:
        return raw
    m = rng.choice(numbers[len(numbers) // 3 :] or numbers)
    new = rng.choice(["9" * 400, "1e999", "-1e308", "NaN", "inf", "-inf", "Infinity", "-5", "1e-400", "299"])
    return (text[: m.start()] + new + text[m.end() :]).encode("utf-16-le" if enc.startswith("utf-16") else "utf-8")


MUTATORS = [truncate, flip_bytes, drop_line, duplicate_line, swap_encoding, swap_separator, extreme_number]


def mutants():
    rng = random.Random(SEED)
    out = []
    for name, raw in corpus():
        per = 1 if name.endswith(".xlsx") else 2
        for mutate in MUTATORS:
            if name.endswith(".xlsx") and mutate not in (truncate, flip_bytes):
                continue
            for k in range(per):
                try:
                    m = mutate(raw, rng)
                except (UnicodeError, ValueError):  # the seed itself cannot take this mutation
                    continue
                out.append((f"{name}:{mutate.__name__}:{k}", name, m))
    return out


MUTANTS = mutants()


def test_corpus_is_every_genuine_and_sample_file():
    names = {n for n, _ in corpus()}
    assert {p.name for p in REAL.iterdir()} <= names
    assert {p.name for p in SAMPLE.rglob("*") if p.is_file()} <= names
    assert len(MUTANTS) > 180


def test_every_mutant_loads_or_is_refused_cleanly():
    """In process: read, validate and harmonise every mutant (what ``load`` does before it
    touches the database)."""
    failures = []
    outcomes = {"loaded": 0, "refused": 0}
    for label, name, raw in MUTANTS:
        try:
            ex = read_file(raw, name)
            obs, _, problems = harmonize([(name, ex.rows)])
            if problems:
                raise InputError(problems)
            assert obs["value"].dropna().map(lambda v: v == v and abs(v) != float("inf")).all(), label
            outcomes["loaded"] += 1
        except InputError as e:
            outcomes["refused"] += 1
            text = e.render()
            if name not in text or "How to fix" not in text:
                failures.append(f"{label}: refusal does not name the file: {text[:200]}")
        except Exception as e:
            failures.append(f"{label}: {type(e).__name__}: {e}")
    assert not failures, "\n".join(failures[:20])
    assert outcomes["loaded"] > 20 and outcomes["refused"] > 50, outcomes


def test_mutants_against_a_database_leave_it_unchanged_on_refusal(tmp_path):
    db = tmp_path / "f.duckdb"
    load(sorted(REAL.iterdir()), db)
    rng = random.Random(SEED + 1)
    for label, name, raw in rng.sample(MUTANTS, 15):
        f = tmp_path / "m" / name
        f.parent.mkdir(exist_ok=True)
        f.write_bytes(raw)
        before = sha(db)
        try:
            load([f], db)
        except InputError as e:
            assert name in e.render(), label
            assert sha(db) == before, label
        assert not list(tmp_path.glob(".*build*")), label
        shutil.rmtree(f.parent)


def test_cli_on_mutants_exits_0_or_1_without_traceback(tmp_path):
    db = tmp_path / "c.duckdb"
    load([REAL / "ssb_statbank_web_11616.csv"], db)
    rng = random.Random(SEED + 2)
    for label, name, raw in rng.sample(MUTANTS, 2):
        before = sha(db)
        f = tmp_path / name
        f.write_bytes(raw)
        r = run_etl("load", str(f), "--db", str(db))
        assert r.returncode in (0, 1), (label, r.stderr)
        assert "Traceback" not in r.stderr, label
        if r.returncode == 1:
            assert name in r.stderr and sha(db) == before, label
