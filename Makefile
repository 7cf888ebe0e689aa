# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
EXAMPLE := examples/cashback
WEEK ?= 2026-W48
OUT ?= out

.PHONY: demo test bench example-data clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/peakplan plan --config $(EXAMPLE)/peakplan.toml --week $(WEEK) --out $(OUT) \
		--generated-at 2026-11-20T09:00:00+03:00

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Regenerates the bundled ticket history from its seeded script (byte-identical output).
example-data: $(STAMP)
	$(BIN)/python $(EXAMPLE)/generate_history.py

clean:
	rm -rf $(OUT) .pytest_cache
