# Okryu's commands. Only Python 3.11+ and make are needed: the first target that needs the
# virtual environment creates it from requirements.lock (pinned, with hashes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.lock | cut -d' ' -f1)
PORT ?= 8000
WORKERS ?= 2
export DJANGO_SETTINGS_MODULE ?= config.settings.demo

.PHONY: run test lint format bench crash-soak offline-soak fuzz clean help venv replica-test cluster cluster-stop cluster-test

help:
	@echo "make run    set up, load the demo data once, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   set up and run lint, types, layers and the whole test suite"
	@echo "make lint   ruff, mypy, import-linter, djlint, migrations check"
	@echo "make bench  benchmarks (figures go into docs/benchmarks.md)"
	@echo "make crash-soak  the crash tests with CRASH_KILLS (default 120) kills of the app server"
	@echo "make cluster     nginx, 3 app servers, workers, PostgreSQL + replica, Redis on this machine"
	@echo "make cluster-stop  stop it"
	@echo "make offline-soak  the offline browser tests with OFFLINE_ORDERS (default 100) orders"
	@echo "make cluster-test  the failover, overload and replica tests on a cluster started for them"
	@echo "make fuzz   the API fuzz run with FUZZ_EXAMPLES (default 200) examples per operation"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py collectstatic --no-input -v 0
	$(BIN)/python manage.py load_demo_data --skip-in-production
	$(BIN)/python manage.py serve --port $(PORT) --workers $(WORKERS)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(BIN)/djlint --lint okryu/web/templates --quiet
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run -v 1

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(STAMP)
	@if [ "$(LINT)" != "skip" ]; then $(MAKE) --no-print-directory lint; fi
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

bench: $(STAMP)
	@command -v wrk >/dev/null || { echo "installing wrk, the load generator (Debian package)"; \
		apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q wrk; }; }
	$(BIN)/python -m bench.run_all

# The crash tests (checkouts; delivery hand-overs) with 100+ SIGKILLs of the app server (CI runs
# them with 5), on SQLite and, when OKRYU_TEST_DATABASE_URL is set, on PostgreSQL. CRASH_KILLS
# and OKRYU_CRASH_SEED may be given.
CRASH_KILLS ?= 120
crash-soak: $(STAMP)
	OKRYU_CRASH_KILLS=$(CRASH_KILLS) DJANGO_SETTINGS_MODULE=config.settings.test \
		$(BIN)/python -m pytest -p no:cacheprovider -q -m crash tests/stress/test_crash.py \
		tests/stress/test_crash_delivery.py

# The reference topology on this machine (deploy/cluster/cluster.sh): nginx, 3 app servers,
# 2 job runners and 2 SMS senders, PostgreSQL primary and streaming replica, Redis. Installs
# nginx-light, PostgreSQL and Redis from Debian's packages when missing (needs root).
cluster: $(STAMP)
	sh deploy/cluster/cluster.sh start

cluster-stop:
	sh deploy/cluster/cluster.sh stop

# The cluster's tests (tests/cluster/: failover and overload through nginx, then the replica's
# reads): the cluster is started with tests.cluster.settings (the demo's, with the limits per
# person lifted), tested, and stopped, also when a step fails. Installs wrk (Debian) if
# missing. OKRYU_FAILOVER_STEP_SECONDS and OKRYU_OVERLOAD_SECONDS shorten the run (CI);
# the overload figures go to var/cluster/overload.json.
cluster-test: $(STAMP)
	@command -v wrk >/dev/null || { echo "installing wrk, the load generator (Debian package)"; \
		apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q wrk; }; }
	@status=0; \
	OKRYU_CLUSTER_SETTINGS=tests.cluster.settings sh deploy/cluster/cluster.sh start || status=$$?; \
	if [ $$status = 0 ]; then \
		OKRYU_CLUSTER_SETTINGS=tests.cluster.settings OKRYU_REPLICA_TEST=1 \
		OKRYU_CLUSTER_URL=http://127.0.0.1:$${OKRYU_CLUSTER_PORT:-18700} \
		DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m pytest -p no:cacheprovider -q -s \
			tests/cluster/test_failover.py tests/cluster/test_overload.py tests/cluster/test_replica.py \
			|| status=$$?; \
	fi; \
	sh deploy/cluster/cluster.sh stop; exit $$status

# Reads that tolerate lag against a real streaming replica: a PostgreSQL primary and replica
# on loopback (5434, 5433), made with Debian's PostgreSQL tools by deploy/cluster/postgres.sh
# (which installs them if missing, and needs root).
replica-test: $(STAMP)
	sh deploy/cluster/postgres.sh start
	OKRYU_REPLICA_TEST=1 DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m pytest \
		-p no:cacheprovider -q tests/cluster/test_replica.py okryu/core/tests/test_replica.py

# Schemathesis over every API operation (tests/security/test_api_fuzz.py) with FUZZ_EXAMPLES
# examples per operation and mode, by every role (CI runs 6); the figures go into
# docs/security.md.
FUZZ_EXAMPLES ?= 200
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) DJANGO_SETTINGS_MODULE=config.settings.test \
		$(BIN)/python -m pytest -p no:cacheprovider -q -s tests/security/test_api_fuzz.py

# The offline shop in headless Chromium (Debian's /usr/bin/chromium) with OFFLINE_ORDERS
# orders queued offline across reloads and a browser restart, and as many placed while the
# link flaps (CI runs 20 and 12).
OFFLINE_ORDERS ?= 100
offline-soak: $(STAMP)
	OKRYU_OFFLINE_SOAK_ORDERS=$(OFFLINE_ORDERS) OKRYU_OFFLINE_FLAP_ORDERS=$(OFFLINE_ORDERS) \
		DJANGO_SETTINGS_MODULE=config.settings.test \
		$(BIN)/python -m pytest -p no:cacheprovider -q tests/browser/test_queued_orders.py \
		tests/browser/test_flapping_link.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
