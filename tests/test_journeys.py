"""Journeys: each of the product's three users walks their task end to end in Chromium, on the
app as `make run` starts it (issue 19). Screenshots and the printed/downloaded files go to
tests/screenshots/journey_*.

- The leader chooses her etat in the owner tree, reads the summary line and the legend, and
  downloads the resultatavtale as an Excel worksheet whose numbers are numbers.
- The politician opens the first screen on a projector, sees by name what goes better, worse and
  to target, follows a name to the indicator, goes back and prints the Målekart to A4.
- The analyst opens a deep link split by trinn and compared with kommune and landet, and
  downloads the tidy CSV with one row per indicator × area × period × group × trinn.
"""

import csv
import io
from pathlib import Path

import pytest
import test_browser as tb
from test_browser import A4_CONTENT_PX, A4_LANDSCAPE, NAV_TEXT, SHOTS, open_page, pdf_pages, playwright, settle, shot

from oppvekst.tidy import COLUMNS

server, browser = tb.server, tb.browser  # the app as `make run` starts it, and Chromium (fixtures)


def test_journey_leader_owner_summary_excel(server, browser):
    import openpyxl

    page = open_page(browser, f"{server}/resultatavtaler?omrade=4601")
    page.locator('[data-testid="stSelectbox"]').first.locator("input").click()
    options = page.get_by_role("option").all_inner_texts()
    assert any("Etat for skole" in o for o in options) and any("BBSI" in o for o in options)  # every level
    page.get_by_role("option", name="Etat for skole").click()
    settle(page)
    assert "eier=" in page.url and "skole" in page.url  # the choice stays in the address
    summary = page.get_by_text("på vei mot målet").first
    playwright.expect(summary).to_be_visible(timeout=60_000)
    assert " av " in summary.inner_text()  # «0 av 8 på vei mot målet …»
    playwright.expect(page.get_by_text("▲ sikker forbedring").first).to_be_visible()  # the legend
    playwright.expect(page.get_by_text("Trivsel på skolen, 10. trinn").first).to_be_visible()
    assert page.get_by_text("Ungdom som deltar i organiserte fritidsaktiviteter").count() == 0  # not the etat's
    shot(page, "journey_leder")

    with page.expect_download() as dl:
        page.get_by_role("button", name="Last ned som Excel").click()
    data = Path(dl.value.path()).read_bytes()
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "journey_leder.xlsx").write_bytes(data)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Resultatavtale", "Forklaring"]
    ws = wb["Resultatavtale"]
    assert ws["A2"].value == "Eksempeldata – ikke ekte tall"  # the label travels with the file
    head = next(c.row for c in ws["A"] if c.value == "Hva")
    names = [c.value for c in ws[head]]
    assert {"0-punkt", "Mål", "Status", "95 % KI nedre", "95 % KI øvre", "Antall svar (n)", "Mot mål", "Tiltak"} <= set(
        names
    )
    rows = []
    for r in ws.iter_rows(min_row=head + 1):  # the table ends at the first empty row (a note follows)
        if not r[0].value:
            break
        rows.append(r)
    assert len(rows) == 8  # Etat for skole's eight indicators
    for r in rows:
        cell = dict(zip(names, r))
        for col in ("0-punkt", "Mål", "Status", "95 % KI nedre", "95 % KI øvre"):
            c = cell[col]
            number = isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
            assert c.value is None or (number and c.number_format.startswith("#,##0")), (col, c.value)
        assert isinstance(cell["Status"].value, (int, float))  # all eight have a shown status in the sample
        assert cell["Antall svar (n)"].value is None or isinstance(cell["Antall svar (n)"].value, int)
        assert isinstance(cell["Mot mål"].value, str) and cell["Mot mål"].data_type == "s"
    assert ws.freeze_panes == f"B{head + 1}"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert any("▲" in str(c.value) for row in wb["Forklaring"].iter_rows() for c in row)  # the legend sheet


def test_journey_politician_first_screen_link_and_print(server, browser):
    page = open_page(browser, f"{server}/?omrade=4601", 1280, 720)
    # the first screen, without scrolling: what goes better, what needs attention and to target, by name,
    # and the one line saying how sure «sikker» is on a page of many tests (issue 18)
    playwright.expect(page.get_by_text("Benjamini–Hochberg").first).to_be_visible()
    for heading in ("Går bedre", "Trenger oppmerksomhet", "Mot målet"):
        box = page.get_by_role("heading", name=heading).first.bounding_box()
        assert box and box["y"] < 720, (heading, box)
    better = page.locator('[data-testid="stVerticalBlock"]:has(h4:has-text("Går bedre")) .oppvekst-highlights a')
    assert better.count() >= 1
    first_name = better.first.inner_text()
    href = better.first.get_attribute("href")  # indikator?indikator=…&omrade=4601
    assert better.first.get_attribute("target") == "_self"
    shot(page, "journey_politiker_forste_skjerm")

    # the tables: no interval in the cells, one hover away
    status = page.locator(".oppvekst-table .oppvekst-hover").first
    assert "[" not in status.inner_text() and "konfidensintervall" in status.get_attribute("title")

    # a name leads to the indicator, in the same tab, for the same area
    better.first.click()
    settle(page)
    playwright.expect(page.get_by_role("heading", name="Indikator").first).to_be_visible(timeout=60_000)
    assert "/" + href in page.url, (page.url, href)  # the page adds its own choices after
    playwright.expect(page.locator(f'.oppvekst-table[aria-label="Tallene: {first_name}"]')).to_be_visible()
    page.goto(f"{server}/?omrade=4601")  # back to the Målekart (the menu or the link she came from)
    settle(page)
    playwright.expect(page.get_by_role("heading", name="Går bedre").first).to_be_visible(timeout=60_000)

    # print to A4: the first screen and the tables, no control on paper
    page.set_viewport_size({"width": A4_CONTENT_PX, "height": 720})
    settle(page)
    pdf = page.pdf(prefer_css_page_size=True)
    (SHOTS / "journey_politiker.pdf").write_bytes(pdf)
    pages = pdf_pages(pdf)
    assert 1 <= len(pages) <= 6
    assert all(size == pytest.approx(A4_LANDSCAPE, abs=1) for size, _ in pages)
    first = pages[0][1]
    assert "Går bedre" in first and "Trenger oppmerksomhet" in first and first_name.split(",")[0] in first
    text = " ".join(t for _, t in pages)
    assert "Område: Bergen (kommune)" in text and "Eksempeldata – ikke ekte tall" in text
    for control in ("Last ned", "Sortere og søke", "Deploy", NAV_TEXT, "Bergen (kommune) Område"):
        assert control not in text, control
    page.emulate_media(media="print")
    shot(page, "journey_politiker_utskrift")


def test_journey_analyst_deep_link_by_trinn_and_tidy_csv(server, browser):
    url = f"{server}/indikator?indikator=ung_depr&omrade=460101&sammenlign=4601,0&fordelt=trinn"
    page = open_page(browser, url)
    # the link opens the exact view: area, comparison and breakdown
    playwright.expect(page.get_by_text("Arna").first).to_be_visible(timeout=60_000)
    assert page.get_by_role("radio", name="Trinn").is_checked()
    table = page.locator(".oppvekst-table table").first
    playwright.expect(table).to_contain_text("vg1")
    playwright.expect(table).to_contain_text("Bergen")
    for key in ("fordelt=trinn", "sammenlign=4601", "omrade=460101"):
        assert key in page.url.replace("%2C", ","), (key, page.url)
    shot(page, "journey_analytiker")

    with page.expect_download() as dl:
        page.get_by_role("button", name="CSV").filter(has_text="analyse").click()
    data = Path(dl.value.path()).read_bytes()
    (SHOTS / "journey_analytiker.csv").write_bytes(data)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert list(rows[0]) == COLUMNS
    assert {r["area_code"] for r in rows} == {"460101", "4601", "0"}
    assert {r["grade"] for r in rows} == {"8-10", "vg1-vg3"}  # the trinn the page shows
    keys = [(r["indicator_id"], r["area_code"], r["period"], r["group"], r["grade"]) for r in rows]
    assert len(keys) == len(set(keys))
    for r in rows:
        if r["suppressed"] == "true":
            assert r["value"] == r["ci_lower"] == r["n"] == "" and r["suppressed_reason"]
        else:
            float(r["value"])
            assert r["unit"] == "prosent" and r["source"].startswith("Ungdata") and r["load_id"]
