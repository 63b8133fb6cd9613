"""As a person would: `make run`, then headless Chromium. Screenshots go to tests/screenshots/."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = ROOT / "tests" / "screenshots"

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: /usr/bin/chromium is missing (make test installs it)")
    pytest.skip("chromium is not installed (make test installs it)", allow_module_level=True)

try:
    import playwright.sync_api as playwright
except ImportError:  # pragma: no cover
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: playwright is missing (make test installs it)") from None
    pytest.skip("playwright is not installed (make test installs it)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc, timeout: float = 240) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stdout.read()[-3000:]}")
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


@contextlib.contextmanager
def make_run(db):
    """The README's own command, `make run`, on a database of the test's own: it builds the
    sample database there from the current code when the file does not exist yet."""
    port = free_port()
    proc = subprocess.Popen(
        ["make", "run", f"PORT={port}", f"DB={db}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url, proc)
        yield url, proc
    finally:
        stop_group(proc)


def stop_group(proc) -> None:
    """End make and the server under it: SIGTERM, and SIGKILL for whatever still runs after 15 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    end = time.time() + 15
    while time.time() < end:
        proc.poll()  # reap make, so a finished make does not keep the group alive as a zombie
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with make_run(tmp_path_factory.mktemp("browser") / "oppvekst.duckdb") as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def open_page(browser, url: str, width=1280, height=720):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    # «notRunning» is also the state before the first run has started (a busy server starts it
    # late), so wait for the page's own title too: every page has one (pages/_ui.header)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=90_000)
    page.wait_for_selector(
        '[data-testid="stApp"] [data-test-script-state="notRunning"], '
        '[data-testid="stApp"][data-test-script-state="notRunning"]',
        timeout=90_000,
    )
    page.wait_for_function("document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=90_000)
    page.wait_for_timeout(500)
    return page


def settle(page) -> None:
    """Wait for Streamlit to finish the rerun an interaction started."""
    page.wait_for_timeout(700)
    page.wait_for_selector(
        '[data-testid="stApp"] [data-test-script-state="notRunning"], '
        '[data-testid="stApp"][data-test-script-state="notRunning"]',
        timeout=90_000,
    )
    page.wait_for_function("document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=90_000)


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


NAV = [
    "Målekart",
    "Indikator",
    "Områder",
    "Områdeprofil",
    "Resultatavtaler",
    "Rapport",
    "Effekt av tiltak",
    "Datagrunnlag",
]


def nav_items(page) -> list[str]:
    return [t.strip() for t in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]


def test_first_request_is_a_deep_link_and_gets_the_apps_navigation(server, browser):
    """Runs first against a fresh server: Streamlit's automatic pages/ mode must not win."""
    page = open_page(browser, server + "/datagrunnlag")
    shot(page, "datagrunnlag")
    playwright.expect(page.get_by_role("heading", name="Datagrunnlag")).to_be_visible(timeout=60_000)
    assert [i.split("\n")[-1] for i in nav_items(page)] == NAV


def test_make_run_shows_the_malekart(server, browser):
    page = open_page(browser, server + "/")
    shot(page, "malekart")
    playwright.expect(page.get_by_role("heading", name="Målekart")).to_be_visible(timeout=60_000)
    playwright.expect(page.get_by_text("Eksempeldata – ikke ekte tall")).to_be_visible(timeout=60_000)
    playwright.expect(page.get_by_text("Mål 1: Barn og unge opplever inkludering")).to_be_visible(timeout=60_000)
    assert "omrade=4601" in page.url


def test_deep_link_opens_page_with_area_and_navigation(server, browser):
    page = open_page(browser, server + "/malekart?omrade=460103")
    assert "Page not found" not in page.content()
    shot(page, "malekart_fana")
    playwright.expect(page.get_by_role("heading", name="Målekart")).to_be_visible(timeout=60_000)
    assert "Fana (bydel)" in page.locator('[data-testid="stSelectbox"] input').input_value()
    assert [i.split("\n")[-1] for i in nav_items(page)] == NAV
    # Målekart is the start page, so Streamlit shows its address as the root
    assert "omrade=460103" in page.url


@pytest.mark.parametrize(
    "path,heading",
    [
        ("indikator?omrade=460103&indikator=ung_depr", "Indikator"),
        ("omrader?omrade=4601&indikator=eu_mobbing_10&periode=2024-25", "Områder"),
        ("omradeprofil?omrade=460108", "Områdeprofil"),
        ("resultatavtaler?omrade=4601", "Resultatavtaler"),
        ("rapport?omrade=460107&aar=2025&format=docx", "Rapport"),
    ],
)
def test_deep_link_to_every_page(server, browser, path, heading):
    page = open_page(browser, f"{server}/{path}")
    shot(page, heading.lower().replace("å", "a"))
    playwright.expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=60_000)
    assert "Page not found" not in page.content()
    assert [i.split("\n")[-1] for i in nav_items(page)] == NAV
    for key_value in path.split("?")[1].split("&"):
        assert key_value in page.url  # the view's choices stay in the address


def test_analyst_flow_bydel_comparison(server, browser):
    """An analyst compares the bydeler and switches to kommuner."""
    page = open_page(browser, f"{server}/omrader?omrade=4601&indikator=ung_trygg")
    playwright.expect(page.get_by_text("Fyllingsdalen").first).to_be_visible(timeout=60_000)
    page.get_by_text("kommunene", exact=True).click()
    settle(page)
    playwright.expect(page.get_by_text("Bærum").first).to_be_visible(timeout=60_000)
    shot(page, "flow_analytiker")


def streamlit_pid(make_proc) -> int:
    """The server process under `make run` (make's child)."""
    kids = Path(f"/proc/{make_proc.pid}/task/{make_proc.pid}/children").read_text().split()
    for pid in kids:
        if "streamlit" in Path(f"/proc/{pid}/cmdline").read_text():
            return int(pid)
    raise RuntimeError(f"no streamlit process under make ({kids})")


def test_a_load_reaches_the_running_app(browser, sample_db, tmp_path):
    """An analyst loads this year's file while the app runs; a leader reloads the page and sees
    it, on Datagrunnlag and on the indicator, with no restart."""
    from test_freshness import NEW_KOSTRA

    db = tmp_path / "live.duckdb"
    shutil.copy(sample_db, db)
    new_file = tmp_path / "hjemmebesok_2026.csv"
    new_file.write_text(NEW_KOSTRA, encoding="utf-8")
    with make_run(db) as (url, proc):
        page = open_page(browser, url + "/datagrunnlag")
        playwright.expect(page.get_by_text("Siste innlasting: nr. 12")).to_be_visible(timeout=60_000)
        ind = open_page(browser, url + "/indikator?indikator=kostra_hjemmebesok&omrade=4601")
        playwright.expect(ind.get_by_text("Bergen, 2025:")).to_be_visible(timeout=60_000)

        from conftest import run_etl

        out = run_etl("load", str(new_file), "--db", str(db))
        assert out.returncode == 0, out.stderr

        page.reload()
        settle(page)
        playwright.expect(page.get_by_text("Siste innlasting: nr. 13, hjemmebesok_2026.csv")).to_be_visible(
            timeout=60_000
        )
        playwright.expect(page.get_by_text("Blanding av eksempeldata og ekte tall")).to_be_visible(timeout=60_000)
        shot(page, "load_datagrunnlag")
        ind.reload()
        settle(ind)
        playwright.expect(ind.get_by_text("Bergen, 2026:")).to_be_visible(timeout=60_000)
        playwright.expect(ind.get_by_text("93,7").first).to_be_visible(timeout=60_000)
        shot(ind, "load_indikator")
        held = [
            os.readlink(f"/proc/{streamlit_pid(proc)}/fd/{fd}")
            for fd in os.listdir(f"/proc/{streamlit_pid(proc)}/fd")
            if os.path.exists(f"/proc/{streamlit_pid(proc)}/fd/{fd}")
        ]
        assert len([h for h in held if h.startswith(str(db))]) <= 2, held


def test_a_committee_opens_the_link_at_once(server, browser):
    """Twelve people open pages for different areas at the same moment: each sees their own
    area and nobody gets an error box."""
    cases = [("/?omrade=" + a, "Målekart", a) for a in ("4601", "460101", "460103", "460105", "3201", "460108")]
    cases += [(f"/indikator?indikator=ung_depr&omrade={a}", "Indikator", a) for a in ("460102", "460104", "460106")]
    cases += [(f"/omrader?indikator=ung_trygg&omrade={a}", "Områder", a) for a in ("4601", "3201", "460107")]
    contexts = [browser.new_context(viewport={"width": 1280, "height": 720}) for _ in cases]
    try:
        pages = [c.new_page() for c in contexts]
        for p, (path, _, _) in zip(pages, cases):  # all requests out before any page is awaited
            p.goto(server + path, wait_until="commit")
        for p, (path, heading, area) in zip(pages, cases):
            p.wait_for_selector(
                '[data-testid="stApp"] [data-test-script-state="notRunning"], '
                '[data-testid="stApp"][data-test-script-state="notRunning"]',
                timeout=120_000,
            )
            p.wait_for_function("document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=120_000)
            playwright.expect(p.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=60_000)
            assert p.locator('[data-testid="stException"]').count() == 0, (
                path,
                p.locator('[data-testid="stException"]').all_inner_texts(),
            )
            assert f"omrade={area}" in p.url, (path, p.url)
            # the area picker shows this person's own area (waits until the widget has its value)
            p.wait_for_function(
                """name => [...document.querySelectorAll('[data-testid="stSelectbox"] input')]
                                   .some(i => i.value.startsWith(name + ' (') || i.value.startsWith('– ' + name + ' ('))""",
                arg=AREA_NAMES[area],
                timeout=60_000,
            )
    finally:
        for c in contexts:
            c.close()


AREA_NAMES = {
    "4601": "Bergen",
    "460101": "Arna",
    "460102": "Bergenhus",
    "460103": "Fana",
    "460104": "Fyllingsdalen",
    "460105": "Laksevåg",
    "460106": "Ytrebygda",
    "460107": "Årstad",
    "460108": "Åsane",
    "3201": "Bærum",
}


# A4 landscape in PDF points (1/72 inch), and its width inside the 12 mm margins in CSS pixels.
A4_LANDSCAPE = (841.92, 594.96)
A4_CONTENT_PX = round((297 - 2 * 12) / 25.4 * 96)
NAV_TEXT = " ".join(NAV[1:5])  # the menu, as it reads when the sidebar is printed


def pdf_pages(pdf: bytes) -> list[tuple[tuple[float, float], str]]:
    """Each page's size and its text, whitespace collapsed and icon-font glyphs dropped."""
    import io

    import pypdf

    out = []
    for p in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        text = "".join(ch for ch in p.extract_text() if not 0xE000 <= ord(ch) <= 0xF8FF)
        out.append(((float(p.mediabox.width), float(p.mediabox.height)), " ".join(text.split())))
    return out


@pytest.mark.parametrize(
    "path,name,area,picker_value",
    [
        ("malekart?omrade=460103", "malekart", "Fana (bydel)", "– Fana (bydel)"),
        ("malekart?omrade=4601", "malekart_bergen", "Bergen (kommune)", None),
        ("omradeprofil?omrade=460108", "omradeprofil", "Åsane (bydel)", "– Åsane (bydel)"),
    ],
)
def test_pages_print_to_a4_landscape_without_controls(server, browser, path, name, area, picker_value):
    """Ctrl+P on the Målekart and the Områdeprofil: A4 landscape pages that say which area, when
    and from which sources, with the sample label, every table column whole, and no menu,
    picker or button on paper (the printed text is read back from the PDF)."""
    from oppvekst.formatting import SOURCE_NAMES

    page = open_page(browser, f"{server}/{path}", A4_CONTENT_PX, 720)
    header = page.locator(".oppvekst-print-header")
    assert not header.is_visible()  # on screen the picker says it
    pdf = page.pdf(prefer_css_page_size=True)
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / f"print_{name}.pdf").write_bytes(pdf)
    pages = pdf_pages(pdf)
    assert 1 <= len(pages) <= 8, len(pages)
    for size, text in pages:
        assert size == pytest.approx(A4_LANDSCAPE, abs=1), size
        assert len(text) > 200, text  # no page holding only a button or nothing
    text = " ".join(t for _, t in pages)
    assert f"Område: {area}" in text
    assert "Eksempeldata – ikke ekte tall" in text
    assert "Data sist oppdatert" in text
    for source in SOURCE_NAMES.values():
        assert source in text, source
    for control in ("Last ned", "Sortere og søke", "Deploy", NAV_TEXT) + ((picker_value,) if picker_value else ()):
        assert control not in text, control

    # The same page as the printer lays it out: controls gone, header shown, tables as wide as the paper.
    page.emulate_media(media="print")
    playwright.expect(header).to_be_visible()
    for control in ("stSidebar", "stHeader", "stSelectbox", "stDownloadButton", "stPopover"):
        for el in page.locator(f'[data-testid="{control}"]').all():
            assert not el.is_visible(), control
    widths = page.evaluate(
        """() => [...document.querySelectorAll('.oppvekst-table table')]
                 .map(t => [t.getBoundingClientRect().right, t.scrollWidth, t.parentElement.clientWidth])"""
    )
    assert widths
    for right, scroll, box in widths:
        assert right <= A4_CONTENT_PX + 1 and scroll <= box + 1, (right, scroll, box)
    shot(page, f"print_{name}")
