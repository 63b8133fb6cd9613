"""The yearly status report (issue 11) as its readers get it: the PDF's text as pdftotext reads it
and the Word file's text as python-docx reads it hold the mart's numbers for a kommune and a
bydel; a hidden number is never printed («vises ikke» instead); the sample label is on every
page; the CLI writes the file or says what is wrong; the Rapport page previews and offers the file."""

import io
import re
import shutil
import subprocess
import sys

import duckdb
import pytest

from conftest import ROOT, run_app
from oppvekst import formatting as fmt
from oppvekst.db import connect_readonly
from oppvekst.marts import build_marts
from oppvekst.periods import parse_period
from oppvekst.report import build_report, render_docx, render_pdf

YEAR = 2025
LABEL = "Eksempeldata – ikke ekte tall"


def plain(text: str) -> str:
    """Text as compared: no-break spaces as spaces."""
    return text.replace("\u00a0", " ")


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return plain(out.stdout)


def docx_parts(data: bytes):
    import docx

    doc = docx.Document(io.BytesIO(data))
    body = [p.text for p in doc.paragraphs]
    cells = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    headers = [p.text for s in doc.sections for p in s.header.paragraphs]
    return doc, body, cells, headers


def docx_text(data: bytes) -> str:
    _, body, cells, headers = docx_parts(data)
    return plain("\n".join(body + [c for t in cells for row in t for c in row] + headers))


def mart_status(con, area: str) -> list[dict]:
    """Each plan indicator's status for the year, straight from mart_scorecard: the latest period
    of the 0-punkt's kind ending in or before the year, for the indicator's own group."""
    out = []
    for iid, title, unit, base, gender in con.execute(
        "SELECT indicator_id, title, unit, baseline_period, gender FROM indicators"
    ).fetchall():
        kind = parse_period(base).kind
        row = con.execute(
            """SELECT period, value, ci_low, ci_high, shown, hidden_reason FROM mart_scorecard
               WHERE indicator_id = ? AND area_code = ? AND grp = ? AND period_type = ? AND year_end <= ?
               ORDER BY year_start DESC, year_end DESC LIMIT 1""",
            [iid, area, gender, kind, YEAR],
        ).fetchone()
        if row:
            out.append(dict(zip(["period", "value", "low", "high", "shown", "reason"], row), title=title, unit=unit))
    return out


@pytest.fixture(scope="module", params=["4601", "460107"])
def rendered(request, sample_db):
    con = connect_readonly(sample_db)
    report = build_report(con, request.param, YEAR)
    status = mart_status(con, request.param)
    con.close()
    return request.param, report, render_pdf(report), render_docx(report), status


def test_pdf_and_docx_hold_the_marts_numbers(rendered, tmp_path):
    area, _, pdf, docx_bytes, status = rendered
    text, word = pdf_text(pdf, tmp_path), docx_text(docx_bytes)
    assert len(status) == 19
    for s in status:
        if s["shown"]:
            value = plain(fmt.value(s["value"], s["unit"]))  # as the pages write it
            assert value in text, (s["title"], value)
            assert value in word, (s["title"], value)
        else:
            assert "vises ikke" in text and "vises ikke" in word
    # in Word each goal table's Status cell is exactly the mart's value, interval and period
    _, _, tables, _ = docx_parts(docx_bytes)
    cells = {
        plain(row[0]): plain(row[3])
        for t in tables
        if t[0][:4] == ["Hva", "0-punkt", "Mål", "Status [95 % KI]"]
        for row in t[1:]
    }
    for s in status:
        if s["shown"]:
            d = fmt.DECIMALS[s["unit"]]
            ci = f" [{fmt.number(s['low'], d)}–{fmt.number(s['high'], d)}]" if s["low"] is not None else ""
            assert cells[plain(s["title"])] == plain(f"{fmt.value(s['value'], s['unit'])}{ci} ({s['period']})")
    bench = "Mot kommunen" if len(area) == 6 else "Mot landet"
    assert all(t[0][-1] == bench for t in tables if t[0][0] == "Hva" and t[0][1] == "0-punkt")
    if len(area) == 6:  # a bydel: its kommune first, landet second
        assert "Bergen" in text and "landet" in text and "Mot kommunen" in text


def test_sample_label_page_numbers_and_contents_on_every_page(rendered, tmp_path):
    from pypdf import PdfReader

    _, report, pdf, docx_bytes, _ = rendered
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 8
    for i, page in enumerate(pages, start=1):
        text = plain(page.extract_text())
        assert LABEL in text, f"page {i} has no sample label"
        assert f"Side {i} av {len(pages)}" in text
    # the politicians' page is whole on page 1: down to the last item that needs attention
    (tmp_path / "r.pdf").write_bytes(pdf)
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    first = " ".join(plain(first).split())
    assert "Sammendrag" in first and "Trenger oppmerksomhet" in first
    for item in report.attention:
        assert " ".join(plain(item["title"]).split()) in first
    assert " ".join(plain(report.attention_rest).split()) in first
    contents = plain(pages[1].extract_text())  # the table of contents, with page numbers
    for _, heading in report.sections:
        assert re.search(re.escape(heading.split(":")[0]) + r".*\.{3,} ?\d+", contents, re.S), heading
    doc = docx_parts(docx_bytes)[0]
    assert all(LABEL in "".join(p.text for p in s.header.paragraphs) for s in doc.sections)
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer  # «Side X av Y» as Word's own fields
    xml = doc.element.xml
    assert 'TOC \\o "1-1"' in xml and "w:tblHeader" in xml  # Word's contents field; header rows repeat
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [h for _, h in report.sections]


def test_no_sample_label_on_real_data(sample_db, tmp_path):
    db = tmp_path / "real.duckdb"
    shutil.copy(sample_db, db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE loads SET sample = false")
    report = build_report(con, "4601", YEAR)
    con.close()
    assert report.sample_label == ""
    assert LABEL not in pdf_text(render_pdf(report), tmp_path)
    assert LABEL not in docx_text(render_docx(report))


@pytest.fixture(scope="module")
def hidden_db(sample_db, tmp_path_factory):
    """The sample with Årstad's depressive-symptom share for 2022-2024 resting on too few answers:
    the mart hides it (and, so it cannot be worked out, some of its neighbours)."""
    db = tmp_path_factory.mktemp("hidden") / "hidden.duckdb"
    shutil.copy(sample_db, db)
    con = duckdb.connect(str(db))
    con.execute("""UPDATE observations SET n = 6, value = 42.4 WHERE source = 'ungdata' AND measure_code = 'depr:RATE'
                   AND area_code = '460107' AND gender = 'alle' AND grade = '8-10' AND period = '2022-2024'""")
    build_marts(con)
    con.close()
    return db


def test_suppressed_cells_say_vises_ikke_and_leak_no_number(hidden_db, tmp_path):
    con = connect_readonly(hidden_db)
    hidden = con.execute(
        """SELECT s.indicator_id, s.period, v.value, i.unit FROM mart_scorecard s JOIN indicators i USING (indicator_id)
           JOIN mart_indicator_values v USING (indicator_id, area_code, period, grp)
           WHERE s.area_code = '460107' AND s.grp = i.gender AND NOT s.shown AND v.value IS NOT NULL
           AND s.year_end <= ?""",
        [YEAR],
    ).fetchall()
    assert ("ung_depr", "2022-2024", 42.4, "prosent") in hidden
    report = build_report(con, "460107", YEAR)
    con.close()
    texts = {"pdf": pdf_text(render_pdf(report), tmp_path), "docx": docx_text(render_docx(report))}
    assert "vises ikke (færre enn 10 svar), 2022-2024" in texts["docx"]  # the Status cell, whole
    for kind, text in texts.items():
        assert "vises ikke" in text and "færre enn 10 svar" in text, kind  # the PDF wraps the cell over lines
        for iid, period, value, unit in hidden:
            number = fmt.number(value, fmt.DECIMALS[unit])
            assert plain(fmt.value(value, unit)) not in text, (kind, iid, period)
            assert not re.search(rf"(?<![\d,]){re.escape(number)}(?![\d])", text), (kind, iid, period, number)


def run_cli(*args, db):
    return subprocess.run(
        [sys.executable, "-m", "oppvekst.report", *args, "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_writes_the_report_and_explains_what_is_wrong(sample_db, tmp_path):
    out = tmp_path / "rapport.pdf"
    done = run_cli("--omrade", "4601", "--aar", str(YEAR), "--format", "pdf", "--out", str(out), db=sample_db)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:5] == b"%PDF-" and "Skrev" in done.stdout
    bad = run_cli("--omrade", "9999", "--aar", str(YEAR), db=sample_db)
    assert bad.returncode == 2
    assert "Ukjent område «9999»" in bad.stderr and "4601 Bergen" in bad.stderr and "460107 Årstad" in bad.stderr
    early = run_cli("--omrade", "460107", "--aar", "1990", db=sample_db)
    assert early.returncode == 2 and "Ingen tall for Årstad i 1990" in early.stderr and "2025" in early.stderr
    assert not list(tmp_path.glob("statusrapport_*"))


def test_rapport_page_previews_and_offers_the_file(monkeypatch, sample_db, fresh_streamlit_caches):
    at = run_app(monkeypatch, sample_db, {"omrade": "460107", "aar": str(YEAR)}, page="pages/rapport.py")
    assert at.title[0].value == "Rapport"
    assert any(LABEL in w.value for w in at.warning)
    assert [s.value for s in at.subheader] == ["Forhåndsvisning"]
    page = plain("\n".join(m.value for m in at.markdown))
    assert f"Statusrapport {YEAR}: Årstad" in page and "Mot kommunen" in page
    con = connect_readonly(sample_db)
    for s in mart_status(con, "460107"):
        if s["shown"]:
            assert plain(fmt.value(s["value"], s["unit"])) in page
    con.close()
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["Last ned rapporten (PDF)"]
    assert at.query_params["format"] in ("pdf", ["pdf"])


def test_the_report_says_whether_the_tiltak_worked(rendered, sample_db, tmp_path):
    """Issue 17, part 6: «Effekt av tiltak» with the page's own sentences, for the tiltak that run in
    the area (Bergen: both sample tiltak; Årstad: Landås skole runs «miljoarbeidere»)."""
    from oppvekst import effect_text, queries

    area, report, pdf, docx_bytes, _ = rendered
    text, word = pdf_text(pdf, tmp_path), docx_text(docx_bytes)
    con = connect_readonly(sample_db)
    try:
        expected = []
        for t in queries.tiltak_list(con).itertuples():
            parents = {
                u: con.execute("SELECT parent_code FROM areas WHERE area_code = ?", [u]).fetchone()[0] for u in t.units
            }
            if area == "4601" or area in parents.values():
                for iid in t.indicators:
                    result = queries.effect_result(con, t.tiltak_id, iid)
                    meta = queries.indicator_meta(con, iid)
                    panel = queries.effect_panel(con, t.tiltak_id, iid)
                    expected.append(effect_text.effect_sentence(result, meta, t.level, panel))
    finally:
        con.close()
    assert expected and len(report.effects) == len(expected)
    assert ("effekt", "Effekt av tiltak") in report.sections
    for sentence in expected:
        # the first words of each sentence, as both formats print them (line breaks aside)
        start = plain(sentence)[:60]
        assert start in plain(text) and start in plain(word), start
