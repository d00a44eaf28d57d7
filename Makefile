# kehou: `make demo` serves the demo city with its worker, `make test` runs the whole suite on
# SQLite and PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KEHOU := $(BIN)/python -m kehou
PG_URL ?= postgres://postgres@127.0.0.1:5432/kehou
HOST ?= 127.0.0.1:8000

.PHONY: demo test test-sqlite test-postgres lint format browser-deps bench messages clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

demo: $(BIN)/.installed
	KEHOU_DEBUG=1 $(KEHOU) migrate --noinput
	KEHOU_DEBUG=1 $(KEHOU) seed --if-empty
	@echo "Serving kehou on http://$(HOST)/ with its background worker (Ctrl-C stops both)"
	KEHOU_DEBUG=1 $(KEHOU) serve $(HOST)

# Debian's chromium and CJK fonts for the browser tests. Installing needs root; without
# it the browser tests are skipped with a reason and the rest of the suite still runs.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing chromium and fonts-noto-cjk"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "warning: chromium or fonts-noto-cjk missing and not root: browser tests will be skipped"; fi; \
	fi

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The two passes run side by side (each pass's output printed whole when it ends): the
# suite is single-threaded Python and CI's machines have two cores.
test: $(BIN)/.installed browser-deps lint
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite: $(BIN)/.installed
	@echo "=== test suite on SQLite ==="
	$(BIN)/pytest

# The junit file is the proof that the PostgreSQL pass ran (.ci/run checks it).
test-postgres: $(BIN)/.installed
	@echo "=== test suite on PostgreSQL ==="
	@mkdir -p var && rm -f var/pg-junit.xml
	DATABASE_URL=$(PG_URL) $(BIN)/pytest --junitxml=var/pg-junit.xml

bench: $(BIN)/.installed
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	$(BIN)/python bench/run_all.py

# Compiles every catalog (kehou/ and each app's locale/); `makemessages -l zh_Hans` run the
# same way, inside an app's folder, extracts its messages.
messages: $(BIN)/.installed
	cd kehou && KEHOU_DEBUG=1 $(CURDIR)/$(BIN)/python -P -m kehou compilemessages

clean:
	rm -rf $(VENV) var build *.egg-info
