# The two commands of the course: `make lab` and `make test`.
# Each builds .venv first when it is missing or pyproject.toml changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Extra options for JupyterLab, e.g. make lab LAB_ARGS="--no-browser --port=8899"
LAB_ARGS ?=
# Extra options for pytest, e.g. make test PYTEST_ARGS="-x -k forecasting"
PYTEST_ARGS ?=
# Worker processes for the test suite (pytest-xdist).
JOBS ?= 2
# What test-fast, test-order and test-stress run (test runs everything, notebooks too).
TESTS ?= sopcourse tests
# The order of make test-order (pytest-randomly); the run prints it, to repeat a failure.
SEED ?= $(shell date +%s)
# Which tests make test-fast selects (pytest -m); MARK= selects all, as test-stress does.
MARK ?= not slow

# JupyterLab refuses to run as root (containers, Binder) unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

LINTED := conftest.py sopcourse tests notebooks assignments exams

.PHONY: lab test lint venv doctor test-fast test-order test-stress test-browser clean-venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "): install it, or run make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[lab,test]'
	@touch $(STAMP)

# The whole course is served (lessons, homework, the exam), opened at the start page; no
# news pop-up or update check (they cover the page and need the internet).
LAB_FLAGS := --ServerApp.root_dir=. --LabApp.news_url=None \
	--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate

# JupyterLab reads the environment's settings overrides: "Jupyter news?" is not asked.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_OVERRIDES): $(STAMP)
	@mkdir -p $(dir $@)
	@echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false"}}' > $@

lab: $(STAMP) $(LAB_OVERRIDES)
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb $(LAB_FLAGS) $(ROOT_FLAG) $(LAB_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

test: lint
	PYTHONHASHSEED=0 MPLBACKEND=agg $(BIN)/python -m pytest \
		-n $(JOBS) --dist loadscope \
		--doctest-modules sopcourse tests \
		--nbval-lax --nbval-cell-timeout=120 --nbval-sanitize-with tests/nbval_sanitize.cfg \
		notebooks assignments exams \
		$(PYTEST_ARGS)

# Unit tests and doctests, without the notebooks and the tests marked slow (browsers, Lab
# servers, whole gradings; see SLOW_MODULES in tests/conftest.py): a quick loop.
test-fast: $(STAMP)
	PYTHONHASHSEED=0 MPLBACKEND=agg $(BIN)/python -m pytest -n $(JOBS) --doctest-modules \
		$(if $(MARK),-m "$(MARK)") $(TESTS) $(PYTEST_ARGS)

# The tests (not the notebooks: their cells run in order) in a random order, e.g.
# make test-order SEED=20261202. No test may depend on another having run first.
test-order: $(STAMP)
	PYTHONHASHSEED=0 MPLBACKEND=agg $(BIN)/python -m pytest -p randomly --randomly-seed=$(SEED) \
		-n $(JOBS) --doctest-modules $(TESTS) $(PYTEST_ARGS)

# The whole suite while busy loops hold every core: a busy machine is slow, not wrong.
# With TESTS=..., only those tests (test-fast) run under load, e.g. TESTS=tests/grading.
test-stress: $(STAMP)
	$(BIN)/python tests/cpu_burner.py -- $(MAKE) --no-print-directory \
		$(if $(filter command line,$(origin TESTS)),test-fast MARK=,test)

# The end-to-end test in a real browser (needs Debian's chromium: apt-get install chromium).
# Screenshots of each step land in tests/artifacts/browser/.
test-browser: $(STAMP)
	PYTHONHASHSEED=0 $(BIN)/python -m pytest tests/browser -v $(PYTEST_ARGS)

doctor: $(STAMP)
	$(BIN)/sopcourse doctor

clean-venv:
	rm -rf $(VENV)
