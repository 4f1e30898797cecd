# nbdesk: `make run` installs everything and starts the app; `make test` installs
# everything and runs every check and test. The smaller targets below are what they use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
VENV_STAMP := $(VENV)/.installed
NODE_STAMP := web/node_modules/.installed
WEB_STAMP := web/dist/.built
WEB_SOURCES := $(shell find web/src web/test -type f 2>/dev/null) web/build.mjs web/tsconfig.json web/index.html web/style.css web/render.css

.PHONY: run test check deps system-deps venv eg-venv r-kernel web conformance-notebooks bench installer icons clean

run: deps
	$(BIN)/nbdesk

test: deps check conformance-notebooks eg-venv
	$(BIN)/pytest -n 2 --dist loadfile

deps: system-deps venv web r-kernel

system-deps:
	@bash scripts/ensure-system-deps.sh

venv: $(VENV_STAMP)

# IRkernel's kernelspec `ir` for this user (R itself is a system dep); stamped in the venv.
r-kernel: system-deps venv
	@bash scripts/ensure-r-kernel.sh $(VENV)

# The web build is package data of nbdesk.desktop.web (see pyproject.toml), so it exists first.
$(VENV_STAMP): pyproject.toml | $(WEB_STAMP)
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "nbdesk needs Python 3.11+"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

# Jupyter Enterprise Gateway, the second real engine of the remote-kernel tests, in a venv
# of its own (its pins conflict with nbdesk's), from a fully pinned requirements file.
EG_VENV := build/eg-venv
EG_REQUIREMENTS := tests/requirements/enterprise-gateway.txt

eg-venv: $(EG_VENV)/.installed

$(EG_VENV)/.installed: $(EG_REQUIREMENTS) | venv
	rm -rf $(EG_VENV)
	$(BIN)/uv venv --quiet --python $(PY) $(EG_VENV)
	$(BIN)/uv pip install --quiet --python $(EG_VENV)/bin/python -r $(EG_REQUIREMENTS)
	touch $@

web: $(WEB_STAMP)

$(NODE_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WEB_STAMP): $(NODE_STAMP) $(WEB_SOURCES)
	cd web && npm run --silent build
	touch $@

check: venv web
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(PY) scripts/import_cycles.py
	$(PY) scripts/module_budget.py
	cd web && npm run --silent typecheck
	cd web && npm run --silent lint
	cd web && npm run --silent test

# nbclient's own test notebooks, which `nbdesk run` is compared against
# (tests/daemon/client/test_run_conformance.py): taken from the sdist of the nbclient
# version pyproject.toml pins, into the git-ignored build/, never copied into the repository.
NBCLIENT_VERSION := $(shell sed -n 's/.*"nbclient==\([^"]*\)".*/\1/p' pyproject.toml)
NBCLIENT_FILES := build/nbclient-$(NBCLIENT_VERSION)/tests/files

conformance-notebooks: $(NBCLIENT_FILES)/.fetched

$(NBCLIENT_FILES)/.fetched: pyproject.toml | venv
	rm -rf build/nbclient-sdist build/nbclient-$(NBCLIENT_VERSION)
	$(PY) -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
		nbclient==$(NBCLIENT_VERSION) -d build/nbclient-sdist
	tar -xzf build/nbclient-sdist/nbclient-$(NBCLIENT_VERSION).tar.gz -C build \
		nbclient-$(NBCLIENT_VERSION)/tests/files
	touch $@

bench: deps
	$(PY) bench/ipynb_import_export.py
	$(PY) bench/edit_latency.py
	$(PY) bench/daemon_rss.py
	$(PY) bench/kernel_exec.py
	$(PY) bench/r_kernel.py
	$(PY) bench/desktop_app.py
	$(PY) bench/env_pools.py
	$(PY) bench/project_env.py
	$(PY) bench/frontend_vs_jupyterlab.py
	$(PY) bench/charts_vs_jupyterlab.py

# The frozen app (dist/nbdesk), dist/nbdesk-VERSION-linux-ARCH.tar.gz and
# dist/nbdesk_VERSION_ARCH.deb; sizes and times in dist/build-report.json.
installer: deps
	$(PY) packaging/build.py

# Re-render icons/ from icons/nbdesk.svg (the outputs are committed).
icons: venv
	$(PY) packaging/make_icons.py

clean:
	rm -rf $(VENV) web/node_modules web/dist build dist
