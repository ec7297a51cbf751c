# `make run` and `make test` bootstrap everything they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test test-fast test-e2e lint format bench clean

run: $(VENV)/.installed
	$(PY) app.py

test: $(VENV)/.dev-installed chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q
	$(PY) -m pytest -q -o addopts= tests/e2e  # sync Playwright needs its own run

test-fast: $(VENV)/.dev-installed
	$(PY) -m pytest -q

test-e2e: $(VENV)/.dev-installed chromium
	$(PY) -m pytest -q -o addopts= tests/e2e

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

# End-to-end tests drive Debian's Chromium; install it when it is missing and we may (root, apt).
chromium:
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); } || \
		{ echo "Chromium not found at $(CHROMIUM); install Debian's chromium package"; exit 1; }

clean:
	rm -rf $(VENV) data .pytest_cache
