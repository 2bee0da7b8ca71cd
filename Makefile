# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000
DEMO_PASSWORD ?= selector-demo
# Debian packages the application needs: fontconfig and a CJK font (the report's glyphs; the
# font guard asks fc-list), HarfBuzz's subsetter for Chinese PDFs, Pango for WeasyPrint, and
# pg_dump / pg_restore for `selector backup` and `selector restore` on PostgreSQL.
APP_PACKAGES := fontconfig fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
                postgresql-client
# ...and those only the tests need: Chromium for the browser tests, poppler for PDF -> PNG,
# LibreOffice to recalculate the workbook's formulas, Redis for the rate limits' Redis tests.
TEST_PACKAGES := chromium poppler-utils libreoffice-calc-nogui redis-server
# ...and those only the benchmarks need: wrk, the HTTP load generator of bench/load/.
BENCH_PACKAGES := wrk

.PHONY: run test lint typecheck pytest install system-deps test-system-deps test-services \
        translations messages bench bench-system-deps load \
        clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,postgres]'
	@# byte-compiled once, as pip does for a wheel: an editable install is not, and where
	@# PYTHONDONTWRITEBYTECODE is set every command would compile its modules again
	$(BIN)/python -m compileall -q selector >/dev/null
	touch $@

# Installs what is missing, via apt-get when run as root; otherwise says what to install.
define install_packages
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "Please install these Debian packages (as root): apt-get install$$missing"; exit 1; \
	fi
endef

system-deps:
	$(call install_packages,$(APP_PACKAGES))

test-system-deps:
	$(call install_packages,$(APP_PACKAGES) $(TEST_PACKAGES))

bench-system-deps:
	$(call install_packages,$(BENCH_PACKAGES))

translations: $(STAMP)
	@if [ -d selector/translations ]; then $(BIN)/pybabel compile -d selector/translations >/dev/null; fi

# The catalogs from a fresh extraction of the sources (babel.cfg says which): a message the
# sources no longer use is dropped, a new one added empty (then write its Chinese), and no
# translation is guessed. tests/unit/test_catalogs.py fails until this has been run.
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F selector/translations/babel.cfg -k _l -k lazy_gettext \
	  --no-location --sort-output -o selector/translations/messages.pot .
	$(BIN)/pybabel -q update -i selector/translations/messages.pot -d selector/translations \
	  --ignore-obsolete --no-fuzzy-matching
	$(BIN)/pybabel compile -d selector/translations >/dev/null

# The embedded SQLite database in instance/, the demo tenders loaded when it is empty, the
# development server on http://$(HOST):$(PORT). The demo password is for this local demo only.
run: system-deps $(STAMP) translations
	$(BIN)/python -m compileall -q selector >/dev/null
	$(BIN)/selector init-db
	$(BIN)/selector demo --if-empty --password '$(DEMO_PASSWORD)'
	@echo
	@echo "Demo logins: chair, evaluator1 … evaluator5, observer, admin — password: $(DEMO_PASSWORD)"
	@echo "Open http://$(HOST):$(PORT)/ (Ctrl+C stops the server)"
	$(BIN)/selector serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check selector tests bench

typecheck: $(STAMP)
	$(BIN)/mypy selector/scoring

# The rate-limit tests share counters through Redis on 127.0.0.1:6379: start one if none
# answers (in the background, nothing saved to disk).
test-services:
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || \
	  redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --daemonize yes >/dev/null

pytest: $(STAMP) translations test-services
	$(BIN)/pytest -q

test: test-system-deps $(STAMP) lint typecheck pytest

bench: $(STAMP) bench-system-deps
	$(BIN)/python bench/bench_engine.py

# The HTTP load run (bench/load/run.sh): gunicorn with 4 workers as in docs/operations.md, wrk
# on loopback, logged-in sessions, a minimal Flask "hello" beside it; ~3 minutes. DB=pg for
# PostgreSQL on 127.0.0.1. Not part of `make test`.
load: bench-system-deps $(STAMP) translations test-services
	DB=$(or $(DB),sqlite) bench/load/run.sh

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
