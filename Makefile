PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DB     := data/oppvekst.duckdb
PORT   ?= 8501

.PHONY: run test db bench clean chromium

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

$(DB): | $(VENV)/.installed
	$(PY) -m etl sample

db: $(VENV)/.installed
	$(PY) -m etl sample

run: $(VENV)/.installed $(DB)
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium not installed and cannot be installed here: browser tests will skip (outside CI)"; fi; }

test: $(VENV)/.dev-installed chromium
	$(PY) -m pytest -q

bench: $(VENV)/.dev-installed
	$(PY) bench/etl_bench.py --keep /tmp/oppvekst-bench
	$(PY) bench/app_bench.py --db /tmp/oppvekst-bench/national.duckdb

clean:
	rm -rf $(VENV) $(DB) data/.oppvekst.duckdb.*
