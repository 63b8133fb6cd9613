PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# The database the app reads: $(OPPVEKST_DB) when set (tests use a temporary one), else data/.
DB     ?= $(or $(OPPVEKST_DB),data/oppvekst.duckdb)
PORT   ?= 8501

.PHONY: run test lint db bench clean chromium report-deps mutation

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

$(DB): | $(VENV)/.installed
	$(PY) -m etl sample --db $(DB)

db: $(VENV)/.installed
	$(PY) -m etl sample --db $(DB)

run: $(VENV)/.installed $(DB) report-deps
	OPPVEKST_DB=$(abspath $(DB)) $(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.headless true --server.fileWatcherType none --client.toolbarMode viewer --browser.gatherUsageStats false

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium not installed and cannot be installed here: browser tests will skip (outside CI)"; fi; }

# The report's system libraries (Debian): Pango for WeasyPrint (PDF), cairo for CairoSVG (charts
# in Word), a font with the verdict symbols, and poppler's pdftotext/pdftoppm for the report tests.
REPORT_LIBS := libpango-1.0.so.0 libpangoft2-1.0.so.0 libcairo.so.2
report-deps:
	@missing=""; for lib in $(REPORT_LIBS); do ldconfig -p | grep -q "$$lib" || missing=1; done; \
	fc-list 2>/dev/null | grep -q DejaVuSans || missing=1; command -v pdftotext >/dev/null 2>&1 || missing=1; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libpango-1.0-0 libpangoft2-1.0-0 libcairo2 fonts-dejavu-core poppler-utils >/dev/null; \
	  else echo "Pango, cairo, DejaVu fonts or poppler-utils missing and cannot be installed here: the report (PDF/Word) needs them"; fi; fi

# Style, formatting and the import contracts (docs/architecture.md); `make test` runs it first.
lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test: lint chromium report-deps
	$(PY) -m pytest -q -n 2 --dist loadfile

bench: $(VENV)/.dev-installed
	$(PY) bench/etl_bench.py --keep /tmp/oppvekst-bench
	$(PY) bench/app_bench.py --db /tmp/oppvekst-bench/national.duckdb
	$(PY) bench/load_bench.py
	$(PY) bench/report_bench.py

clean:
	rm -rf $(VENV) $(DB) data/.oppvekst.duckdb.*

# Mutation testing of the domain core (docs/testing.md); slow, so not part of `make test`.
# mutmut mutates a copy in mutants/; only _write of etl/store.py (the revision logic) is counted.
MUTANTS := "oppvekst.*" "etl.store.x__write__mutmut_*"
mutation: $(VENV)/.dev-installed
	rm -rf mutants
	start=$$(date +%s); nice -n 10 $(VENV)/bin/mutmut run --max-children 2 $(MUTANTS) >mutants.log 2>&1 \
	  || { tail -50 mutants.log; exit 1; }; echo "mutmut run: $$(( $$(date +%s) - start )) s (log: mutants.log)"
	$(PY) tests/mutation_score.py --min 85 $(MUTANTS)
