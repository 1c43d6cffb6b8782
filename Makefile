# The two quick-start commands: `make serve` and `make test`.
# Both create .venv and install the project (and its test extras) on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test openapi bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

serve: $(VENV)/.installed
	$(VENV)/bin/gendan serve --host $(HOST) --port $(PORT)

# The layers (import-linter contracts in pyproject.toml) and the declared
# dependencies (deptry) are checked before the tests.
# The PostgreSQL cases run on a private throwaway cluster the tests start
# (tests/pgcluster.py; PostgreSQL installed, not running) or on GENDAN_TEST_PG;
# GENDAN_REQUIRE_POSTGRES=1: they fail, never skip, when it cannot be had.
test: $(VENV)/.installed
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/deptry .
	GENDAN_REQUIRE_POSTGRES=1 $(PY) -m pytest -q -p no:cacheprovider

openapi: $(VENV)/.installed
	$(VENV)/bin/gendan openapi --output openapi.json

# The speed benchmark of issues 3 and 14 on SQLite and PostgreSQL (127.0.0.1:5432,
# plus a private throwaway cluster for the outage), about 25 minutes; it ends
# with the issue-14 targets table (PASS/MISS). `$(PY) -m bench.run --quick`
# prints the same table at smaller sizes in ~5-8 minutes.
bench: $(VENV)/.installed
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) var .pytest_cache
