"""As a person would: `make run`, then headless Chromium. Screenshots go to tests/screenshots/."""
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = ROOT / "tests" / "screenshots"

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: /usr/bin/chromium is missing (make test installs it)")
    pytest.skip("chromium is not installed (make test installs it)", allow_module_level=True)

playwright = pytest.importorskip("playwright.sync_api")


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


@pytest.fixture(scope="module")
def server():
    """The README's own command: `make run` (builds the sample database if missing)."""
    port = free_port()
    proc = subprocess.Popen(["make", "run", f"PORT={port}"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url, proc)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def open_page(browser, url: str, width=1280, height=720):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"] [data-test-script-state="notRunning"], '
                           '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=90_000)
    page.wait_for_function("document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=90_000)
    page.wait_for_timeout(500)
    return page


def settle(page) -> None:
    """Wait for Streamlit to finish the rerun an interaction started."""
    page.wait_for_timeout(700)
    page.wait_for_selector('[data-testid="stApp"] [data-test-script-state="notRunning"], '
                           '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=90_000)
    page.wait_for_function("document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=90_000)


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


NAV = ["Målekart", "Indikator", "Områder", "Områdeprofil", "Resultatavtaler", "Datagrunnlag"]


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


@pytest.mark.parametrize("path,heading", [
    ("indikator?omrade=460103&indikator=ung_depr", "Indikator"),
    ("omrader?omrade=4601&indikator=eu_mobbing_10&periode=2024-25", "Områder"),
    ("omradeprofil?omrade=460108", "Områdeprofil"),
    ("resultatavtaler?omrade=4601", "Resultatavtaler"),
])
def test_deep_link_to_every_page(server, browser, path, heading):
    page = open_page(browser, f"{server}/{path}")
    shot(page, heading.lower().replace("å", "a"))
    playwright.expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=60_000)
    assert "Page not found" not in page.content()
    assert [i.split("\n")[-1] for i in nav_items(page)] == NAV
    for key_value in path.split("?")[1].split("&"):
        assert key_value in page.url  # the view's choices stay in the address


def test_leader_flow_resultatavtale(server, browser):
    """A leader opens her resultatavtale, switches to her own owner, and downloads the Excel file."""
    page = open_page(browser, f"{server}/resultatavtaler?omrade=4601")
    page.locator('[data-testid="stSelectbox"]').first.locator("input").click()
    page.get_by_role("option", name="Byrådsavdeling for helse og omsorg (BHO)").click()
    settle(page)
    playwright.expect(page.get_by_text("Hjemmebesøk av helsesykepleier").first).to_be_visible(timeout=60_000)
    with page.expect_download() as dl:
        page.get_by_role("button", name="Last ned som Excel").click()
    path = dl.value.path()
    import io

    import openpyxl
    ws = openpyxl.load_workbook(io.BytesIO(open(path, "rb").read())).worksheets[0]
    assert ws["A2"].value == "Eksempeldata – ikke ekte tall"  # the label travels with the file
    assert [c.value for c in ws[4]][:5] == ["Hva", "0-punkt", "Mål", "Status", "Forbedring"]
    shot(page, "flow_leder")


def test_politician_flow_print_view(server, browser):
    """A politician opens the målekart on a projector and prints it: the sample label and the
    verdict words are there in the print view."""
    page = open_page(browser, f"{server}/?omrade=4601", 1280, 720)
    page.emulate_media(media="print")
    playwright.expect(page.get_by_text("Eksempeldata – ikke ekte tall")).to_be_visible(timeout=60_000)
    playwright.expect(page.get_by_text("Trenger oppmerksomhet")).to_be_visible(timeout=60_000)
    shot(page, "flow_politiker_print")


def test_analyst_flow_bydel_comparison(server, browser):
    """An analyst compares the bydeler and switches to kommuner."""
    page = open_page(browser, f"{server}/omrader?omrade=4601&indikator=ung_trygg")
    playwright.expect(page.get_by_text("Fyllingsdalen").first).to_be_visible(timeout=60_000)
    page.get_by_text("kommunene", exact=True).click()
    settle(page)
    playwright.expect(page.get_by_text("Bærum").first).to_be_visible(timeout=60_000)
    shot(page, "flow_analytiker")
