# `make run` and `make test` bootstrap everything they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM ?= /usr/bin/chromium

# Tests run on the real services: Postgres, Redis and nginx (tests/databases.py, tests/cluster.py).
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
export TEST_POSTGRES_URL TEST_REDIS_URL

.PHONY: run test test-fast test-e2e test-clocks lint format bench eval clean services chromium promtool faketime axe

run: $(VENV)/.installed
	$(PY) app.py

# The tests that read the clock (tests/clocks.py: CLOCK_SENSITIVE) run again at fixed clocks: at two clocks of
# the matrix chosen by the date in `make test`, at all 23 in `make test-clocks`; CLOCK_JOBS runs at once.
CLOCK_JOBS ?= 2
# The suite and the end-to-end tests run in TEST_JOBS processes (pytest-xdist): every test has its own database,
# servers and ports, and one process leaves a core idle while it waits on a server or a browser.
TEST_JOBS ?= 2

test: $(VENV)/.dev-installed chromium axe promtool faketime services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q -n $(TEST_JOBS)
	$(PY) -m tests.clock_runs --today 2 --jobs $(CLOCK_JOBS)
	$(PY) -m pytest -q -n $(TEST_JOBS) -o addopts= tests/e2e  # sync Playwright needs its own run

# Each day of a week at 03:00, 12:00 and 23:30 Berlin time, a spring-forward night and New Year's Eve.
test-clocks: $(VENV)/.dev-installed faketime services
	$(PY) -m tests.clock_runs --all --jobs $(CLOCK_JOBS)

test-fast: $(VENV)/.dev-installed promtool services
	$(PY) -m pytest -q -n $(TEST_JOBS)

test-e2e: $(VENV)/.dev-installed chromium axe services
	$(PY) -m pytest -q -n $(TEST_JOBS) -o addopts= tests/e2e

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

# Servers started by tests run on the test clock through libfaketime (tests/clocks.py); install it when
# missing and we may.
faketime:
	@command -v faketime >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null); } || \
		{ echo "faketime not found; install Debian's faketime package (apt-get install faketime)"; exit 1; }

# The accessibility checks inject axe-core (npm, pinned in tests/e2e/package-lock.json) into Chromium;
# install it when it is missing (Node from Debian's nodejs and npm packages when we may).
AXE := tests/e2e/node_modules/axe-core/axe.min.js
axe:
	@test -f $(AXE) || { command -v npm >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null); }; } ; \
		test -f $(AXE) || (cd tests/e2e && npm ci --no-audit --no-fund --silent) || \
		{ echo "axe-core not found at $(AXE); run 'npm ci' in tests/e2e (needs Node and npm)"; exit 1; }

# The alert rules are checked and unit-tested with promtool (tests/unit/test_alert_rules.py), from Debian's
# prometheus package; install it when missing and we may, and leave no Prometheus server running.
promtool:
	@command -v promtool >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null && \
		{ service prometheus stop >/dev/null 2>&1; systemctl disable --now prometheus >/dev/null 2>&1; true; } && \
		command -v promtool >/dev/null); } || \
		{ echo "promtool not found; install Debian's prometheus package (apt-get install prometheus)"; exit 1; }

# Uses the Postgres, Redis and nginx already there; otherwise installs Debian's packages (as root, with apt)
# and starts them (pg_ctlcluster, redis-server --daemonize; nginx is started by the tests themselves).
# Fails with what is missing rather than letting the tests skip.
services:
	@pg_up() { $(PY) -c "import psycopg,sys; psycopg.connect(sys.argv[1].replace('+psycopg',''), connect_timeout=3).close()" "$(TEST_POSTGRES_URL)" 2>/dev/null; }; \
	redis_up() { $(PY) -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_timeout=3).ping()" "$(TEST_REDIS_URL)" 2>/dev/null; }; \
	can_apt() { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; }; \
	apt_install() { can_apt && { [ -n "$$APT_UPDATED" ] || apt-get update -qq; APT_UPDATED=1; } && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$$@" >/dev/null; }; \
	if ! pg_up; then \
		command -v pg_ctlcluster >/dev/null || apt_install postgresql || \
			{ echo "PostgreSQL is not running at $(TEST_POSTGRES_URL) and cannot be installed (needs root and apt)"; exit 1; }; \
		version=$$(ls /usr/lib/postgresql | sort -n | tail -1); \
		pg_lsclusters -h | grep -q . || pg_createcluster $$version main >/dev/null; \
		cluster=$$(pg_lsclusters -h | head -1 | awk '{print $$1" "$$2}'); \
		conf=/etc/postgresql/$$(echo $$cluster | tr ' ' /); \
		grep -q '^host all all 127.0.0.1/32 trust' $$conf/pg_hba.conf 2>/dev/null || \
			sed -i '1i host all all 127.0.0.1/32 trust' $$conf/pg_hba.conf; \
		pg_ctlcluster $$cluster start 2>/dev/null || pg_ctlcluster $$cluster reload; \
		for i in $$(seq 30); do pg_up && break; sleep 0.5; done; \
		su postgres -c "psql -qc 'CREATE DATABASE test'" 2>/dev/null; \
		pg_up || { echo "PostgreSQL did not come up at $(TEST_POSTGRES_URL)"; exit 1; }; \
	fi; \
	if ! redis_up; then \
		command -v redis-server >/dev/null || apt_install redis-server || \
			{ echo "Redis is not running at $(TEST_REDIS_URL) and cannot be installed (needs root and apt)"; exit 1; }; \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' >/dev/null; \
		for i in $$(seq 20); do redis_up && break; sleep 0.25; done; \
		redis_up || { echo "Redis did not come up at $(TEST_REDIS_URL)"; exit 1; }; \
	fi; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_install nginx || \
		{ echo "nginx is missing and cannot be installed (needs root and apt): apt-get install nginx"; exit 1; }

# Plan quality over seeded random requests (docs/QUALITY.md); EVAL_REQUESTS=600 for a bigger sample.
EVAL_REQUESTS ?= 300
eval: $(VENV)/.installed
	$(PY) -m bench.eval --requests $(EVAL_REQUESTS)

clean:
	rm -rf $(VENV) data .pytest_cache
