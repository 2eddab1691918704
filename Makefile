# zacatl-infra: `make synth` and `make test` do everything, set-up included, on a fresh machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON_BASE ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHECKOV_VENV := .tools/checkov

# Node 24 from node_modules first: jsii and both CLIs must not run on the machine's Node 20.
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export CKV_SKIP_PACKAGE_UPDATE_CHECK := true
export CDK_DISABLE_VERSION_CHECK := true
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

.PHONY: help setup synth test check snapshots bench clean restore-manifest

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

# --- set-up: each stamp re-runs only when its lock file changes --------------------------------
# Set-up output goes to stderr: `make -s restore-manifest ... > restore.yaml` on a fresh machine
# installs first, and only the manifest may reach stdout.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error >&2
	@node --version | grep -q '^v24\.' || { echo "node_modules/.bin/node is not Node 24" >&2; exit 1; }
	touch $@

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON_BASE) -m venv $(VENV) >&2
	$(PY) -m pip install --quiet --upgrade 'pip>=24' >&2
	$(PY) -m pip install --quiet -r requirements.lock >&2
	$(PY) -m pip install --quiet --no-deps -e . >&2
	touch $@

# checkov pins an older `packaging` than pytest 9 accepts: it gets a venv of its own.
$(CHECKOV_VENV)/.installed: requirements-checkov.lock
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON_BASE) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade 'pip>=24'
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements-checkov.lock
	touch $@

setup: node_modules/.installed $(VENV)/.installed $(CHECKOV_VENV)/.installed ## install the pinned toolchain

# --- the two commands of the README ---------------------------------------------------------
synth: node_modules/.installed $(VENV)/.installed ## render dist/<env>/ and cdk.out/ for every environment
	$(PY) app.py

test: setup ## every test and check: config, behaviour, snapshots, CLIs, checkers
	$(PY) -m pytest

check: setup ## only the third-party checkers over every environment's output
	$(PY) -m pytest -m check

snapshots: setup ## re-record snapshots after an intended change; review the diff before committing
	$(PY) -m pytest tests/snapshots --snapshot-update

restore-manifest: node_modules/.installed $(VENV)/.installed ## print ENV's restore + verify Jobs for dump BACKUP (key under mongodb/<service>/)
	@test -n "$(ENV)" && test -n "$(BACKUP)" || { echo "usage: make -s restore-manifest ENV=<env> BACKUP=<key> > restore.yaml" >&2; exit 2; }
	@$(PY) -m zacatl_infra.k8s.restore "$(ENV)" "$(BACKUP)"

# Not a test: prints where one synth spends its time (per phase and construct), then the honest
# ratio against the floor, peak memory, the config-error latency and the scaling table.
bench: node_modules/.installed $(VENV)/.installed ## profile one synth, then time it against the floor and as it grows
	$(PY) tests/profile_synth.py
	$(PY) tests/bench.py

clean: ## remove installed tools and build output (keeps the committed dist/)
	rm -rf $(VENV) .tools node_modules cdk.out cdk8s.out build .pytest_cache
