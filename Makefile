# newswire: `make demo` runs the whole pipeline on this machine; `make test` runs every test.
# Both create .venv themselves. `make help` lists the targets.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
# Debian packages the tests use: kcat (non-Python subscriber), promtool/prometheus (alert rules,
# scrape test), chromium (dashboard), postgresql (API store). Installed only when missing.
SYSTEM_TOOLS := kcat:kcat promtool:prometheus chromium:chromium pg_ctlcluster:postgresql

.DEFAULT_GOAL := help
.PHONY: help install install-system lock schemas kafka-jars lint test test-unit test-integration test-smoke test-faults \
        demo broker eval train-topics eval-extraction bench soak clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
	$(VENV)/bin/uv pip install --python $(PY) --quiet -r requirements.lock -e .
	touch $@

install: $(VENV)/.installed ## create .venv with the pinned dependencies (requirements.lock)

install-system: ## install the Debian packages the tests need (kcat, prometheus, chromium, postgresql) if missing
	@missing=""; for pair in $(SYSTEM_TOOLS); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

lock: ## re-resolve requirements.lock from pyproject.toml
	$(VENV)/bin/uv pip compile pyproject.toml --extra all --extra dev --python-version 3.11 -o requirements.lock

schemas: install ## regenerate schemas/jsonschema/*.json and schemas/asyncapi.yaml from the models
	$(PY) -m newswire.schemas.export

kafka-jars: install ## fetch Apache Kafka's jars with Maven into ~/.cache/newswire/kafka (tests do it on demand)
	$(PY) -c "from newswire.broker import resolve_kafka_jars; print(resolve_kafka_jars())"

test: install install-system ## lint, then unit tests, integration tests on Apache Kafka, smoke tests on the embedded broker
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-unit
	$(MAKE) --no-print-directory test-integration
	$(MAKE) --no-print-directory test-smoke

# mypy and import-linter read `newswire.api` etc. from .lint/, a tree of symlinks laid out as pyproject.toml's
# package-dir maps the folders (tools/lint_tree.py); mypy's report is mapped back to the real paths.
LINT_TREE := .lint
lint: install ## ruff check, mypy (strict for newswire/ and schemas/) and the import contracts (import-linter)
	$(VENV)/bin/ruff check .
	$(PY) tools/lint_tree.py $(LINT_TREE)
	set -o pipefail; cd $(LINT_TREE) && ../$(VENV)/bin/mypy --config-file ../pyproject.toml --cache-dir ../.mypy_cache \
	  -p newswire | ../$(PY) ../tools/lint_tree.py --real-paths .
	cd $(LINT_TREE) && ../$(VENV)/bin/lint-imports --config ../pyproject.toml --no-cache

# pytest exits 5 when it collects no test: that fails the target like any other failure.
test-unit: install ## fast tests with no broker
	$(PYTEST) -m "not integration" -q

test-integration: install kafka-jars ## tests against a real Apache Kafka 4.x (KRaft) broker
	NEWSWIRE_TEST_BROKER=kafka $(PYTEST) -m "integration" -q

test-smoke: install ## the demo-path subset on the embedded Tansu broker
	NEWSWIRE_TEST_BROKER=tansu $(PYTEST) -m "smoke" -q

test-faults: install install-system kafka-jars ## the full fault and bad-input suite on Apache Kafka (make test runs a shortened one)
	NEWSWIRE_TEST_BROKER=kafka NEWSWIRE_FAULTS_FULL=1 $(PYTEST) -m "faults" -q; status=$$?; \
	$(PY) -m tests.faults.report; exit $$status

# Not part of `make test`: an hour by default. NEWSWIRE_SOAK_MINUTES=5 for a short check.
soak: install kafka-jars ## 60-min soak on loopback: 200 SSE clients, a broker restart, an enricher kill; report in test-artifacts/soak/
	$(PY) -m tests.faults.soak

# DEMO_ARGS passes options on: make demo DEMO_ARGS="--fresh" or DEMO_ARGS="--sources deploy/demo-sources.yaml"
DEMO_ARGS ?=
demo: install ## the whole pipeline on this machine: broker, sample site, scraper, enricher, API
	$(VENV)/bin/newswire demo $(DEMO_ARGS)

broker: install ## a local broker alone (NEWSWIRE_BROKER_ENGINE=auto|kafka|tansu)
	$(VENV)/bin/newswire broker

eval: install ## entity F1 on dev, frozen test and GUM Wikinews next to plain spaCy; topic P/R/F1 (Wikinews set too, next to the previous model)
	$(PY) -m newswire.enricher.entity_eval
	$(PY) -m newswire.enricher.evaluation

train-topics: install ## refit services/enricher/data/topic_weights.yaml (team set + Wikinews train; calibration on dev)
	$(PY) -m newswire.enricher.topic_training

eval-extraction: install ## extraction F1, newswire next to trafilatura alone: eval/extraction, trafilatura's corpus and fundus's pages (NEWSWIRE_EXTRACTION_EVAL_DIR, NEWSWIRE_FUNDUS_EVAL_DIR)
	$(PY) -m newswire.scraper.evaluation

bench: install kafka-jars ## benchmarks: scraper pages/s, enricher articles/s vs a naive worker
	$(PY) -m bench

clean: ## remove .venv, caches and local data (not the Kafka jar cache)
	rm -rf $(VENV) .pytest_cache .hypothesis .newswire test-artifacts
