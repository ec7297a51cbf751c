# `make run` and `make test` bootstrap everything they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test test-fast test-e2e lint format bench eval clean chromium promtool

run: $(VENV)/.installed
	$(PY) app.py

test: $(VENV)/.dev-installed chromium promtool
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q
	$(PY) -m pytest -q -o addopts= tests/e2e  # sync Playwright needs its own run

test-fast: $(VENV)/.dev-installed promtool
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

# The alert rules are checked and unit-tested with promtool (tests/unit/test_alert_rules.py), from Debian's
# prometheus package; install it when missing and we may, and leave no Prometheus server running.
promtool:
	@command -v promtool >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null && \
		{ service prometheus stop >/dev/null 2>&1; systemctl disable --now prometheus >/dev/null 2>&1; true; } && \
		command -v promtool >/dev/null); } || \
		{ echo "promtool not found; install Debian's prometheus package (apt-get install prometheus)"; exit 1; }

# Plan quality over seeded random requests (docs/QUALITY.md); EVAL_REQUESTS=600 for a bigger sample.
EVAL_REQUESTS ?= 300
eval: $(VENV)/.installed
	$(PY) -m bench.eval --requests $(EVAL_REQUESTS)

clean:
	rm -rf $(VENV) data .pytest_cache
