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


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


NAV = ["Målekart", "Datagrunnlag"]


def nav_items(page) -> list[str]:
    return [t.strip() for t in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]


def test_first_request_is_a_deep_link_and_gets_the_apps_navigation(server, browser):
    """Runs first against a fresh server: Streamlit's automatic pages/ mode must not win."""
    page = open_page(browser, server + "/datagrunnlag")
    shot(page, "datagrunnlag")
    assert page.get_by_role("heading", name="Datagrunnlag").is_visible()
    assert [i.split("\n")[-1] for i in nav_items(page)] == NAV


def test_make_run_shows_the_malekart(server, browser):
    page = open_page(browser, server + "/")
    shot(page, "malekart")
    assert page.get_by_role("heading", name="Målekart").is_visible()
    assert page.get_by_text("Eksempeldata – ikke ekte tall").is_visible()
    assert page.get_by_text("Mål 1: Barn og unge opplever inkludering").is_visible()
    assert "omrade=4601" in page.url


def test_deep_link_opens_page_with_area_and_navigation(server, browser):
    page = open_page(browser, server + "/malekart?omrade=460103")
    assert "Page not found" not in page.content()
    shot(page, "malekart_fana")
    assert page.get_by_role("heading", name="Målekart").is_visible()
    assert "Fana (bydel)" in page.locator('[data-testid="stSelectbox"] input').input_value()
    assert [i.split("\n")[-1] for i in nav_items(page)] == NAV
    # Målekart is the start page, so Streamlit shows its address as the root
    assert "omrade=460103" in page.url
