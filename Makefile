# The two commands of the README: `make run` and `make test`. Both install what is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# checkov pins older packaging and python-dateutil than the app's tools: it gets a venv of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov

.PHONY: run test deps bench checkov

deps: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: deps
	$(PY) -m localdev.run

test: deps checkov
	$(PY) -m pytest

# The Bicep templates' security settings (raw resources where a registry module would hide them).
checkov: $(CHECKOV_VENV)/.installed
	$(CHECKOV) --directory infra --framework bicep --compact --quiet --skip-download

bench: deps
	$(PY) -m bench
