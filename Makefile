# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Every version of the dependency tree is pinned here (pip-tools); `make lock` refreshes it.
LOCK := constraints.txt
EXAMPLE := examples/cashback
WEEK ?= 2026-W48
OUT ?= out
# Python must write the .pyc of what it imports: nothing is byte-compiled at install (below), and
# a shell or CI image that sets PYTHONDONTWRITEBYTECODE would make every process compile pandas,
# OR-Tools' wrappers and the planner again (~2.5 s of CPU each: the two pytest
# workers, every CLI test run in a subprocess, every dask worker, the wheel smoke's plan).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test test-fast explore wheel-smoke lint lock bench example-data clean

# uv installs the locked tree in a third of pip's CPU and half its wall time on a fresh
# machine (parallel downloads, no per-package resolver pass). The lock stays a pip-tools file
# that plain pip reads too: if uv cannot reach the index (a pip-only mirror), pip installs.
UV_VERSION := 0.13.9
UV := $(BIN)/uv

# The venv has no pip of its own (ensurepip: ~10 s of wall time before anything else can start);
# the system's pip puts uv in the venv's folder. Where that fails, the venv gets pip and pip gets uv.
$(UV):
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	{ $(PYTHON) -m pip install --quiet --target $(VENV)/uv-tool uv==$(UV_VERSION) && ln -sf ../uv-tool/bin/uv $(UV); } \
		|| { $(BIN)/python -m ensurepip --default-pip >/dev/null && $(BIN)/python -m pip install --quiet uv==$(UV_VERSION); }

# Neither installer byte-compiles the whole tree (~20 s of CPU); Python compiles what it imports.
$(STAMP): pyproject.toml $(LOCK) | $(UV)
	$(UV) pip install --quiet --python $(BIN)/python -c $(LOCK) -e '.[test,lint]' \
		|| { $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --default-pip >/dev/null; \
			$(BIN)/python -m pip install --quiet --no-compile -c $(LOCK) -e '.[test,lint]'; }
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/peakplan plan --config $(EXAMPLE)/peakplan.toml --week $(WEEK) --out $(OUT) \
		--generated-at 2026-11-20T09:00:00+03:00

# The whole suite, and the package as a user installs it (wheel, fresh venv, another folder).
# The wheel smoke starts first, with the system's Python and the venv's uv: it builds and
# installs while the development venv installs, so it is done before the suite needs both cores. Its log is printed at the end; the target fails if either fails.
# In a fresh clone (no tests/__pycache__ yet) one collection pass without xdist first writes the .pyc of
# the venv's packages, the planner and the rewritten test modules; otherwise both xdist workers compile
# the same files at the same moment (5-9 s of CPU twice; its errors, if any, the suite's run reports).
test: $(UV)
	@log=$$(mktemp); PYTHON=$(PYTHON) LOCK=$(LOCK) UV=$(UV) .ci/wheel-smoke >$$log 2>&1 & smoke=$$!; \
	$(MAKE) --no-print-directory $(STAMP) \
		&& { test -d tests/__pycache__ || $(BIN)/python -m pytest -qq --collect-only -p no:xdist >/dev/null 2>&1; \
			$(BIN)/python -m pytest -q -n 2 --dist worksteal; }; suite=$$?; \
	wait $$smoke; smoked=$$?; cat $$log; rm -f $$log; \
	test $$suite -eq 0 && test $$smoked -eq 0

# What a developer runs between commits: the long end-to-end tests left out.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 -m "not slow"

# Property and fuzz tests with fresh random examples (make test runs them derandomized).
explore: $(STAMP)
	HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest -q -n 2 tests/property tests/fuzz

wheel-smoke: $(UV)
	PYTHON=$(PYTHON) LOCK=$(LOCK) UV=$(UV) .ci/wheel-smoke

lint: $(STAMP)
	$(BIN)/ruff check scheduler forecasts calendars
	$(BIN)/ruff format --check scheduler forecasts calendars
	$(BIN)/mypy

# Refresh the lock after changing dependencies in pyproject.toml (see docs/development.md).
lock:
	$(PYTHON) -m pip install --quiet pip-tools
	$(PYTHON) -m piptools compile --quiet --upgrade --extra test --extra lint --extra dask --extra fast-csv \
		--strip-extras --no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Regenerates the bundled ticket history from its seeded script (byte-identical output).
example-data: $(STAMP)
	$(BIN)/python $(EXAMPLE)/generate_history.py

clean:
	rm -rf $(OUT) .pytest_cache
