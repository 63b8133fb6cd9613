import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "fixtures" / "real"
sys.path.insert(0, str(ROOT))


def sha(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def run_etl(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "etl", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def run_app(monkeypatch, db: Path, query: dict | None = None, page: str | None = None):
    """The app (``app.py``) on database ``db`` with these URL parameters, switched to ``page``
    when given, run once by Streamlit's AppTest; the run must raise nothing."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("OPPVEKST_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    from etl.sample import build_sample

    path = tmp_path_factory.mktemp("sample") / "oppvekst.duckdb"
    build_sample(path)
    return path


# Hypothesis: a fixed-seed profile in CI (the same examples every run, so a red build can be
# reproduced), the default random profile locally (more examples over time).
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev")
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def fresh_streamlit_caches():
    """Streamlit's caches live in the process and are shared by every AppTest in it: start
    and end each test with none (the app's database handle included)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
