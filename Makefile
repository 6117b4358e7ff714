# Every target creates the virtual environment it needs: `make demo` and `make test` work on a
# fresh clone with nothing installed by hand.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint bench venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	@echo "== a healthy worker =="
	$(VENV)/bin/poolctl ping --count 200
	@echo
	@echo "== a worker that prints to stdout before its first frame =="
	-$(VENV)/bin/poolctl ping --timeout 2 -- $(PY) -m poolctl.workers.reference --stdout-noise "Warming up"
	@echo
	@echo "== stderr merged into stdout, as an Erlang port with :stderr_to_stdout =="
	-$(VENV)/bin/poolctl ping --timeout 2 --stderr merge -- $(PY) -m poolctl.workers.reference --stderr-noise "Warning: DSPy not available"
	@echo
	@echo "== the bundled scenarios: a healthy pool and every pattern, reproduced and classified =="
	$(VENV)/bin/poolctl run-scenario

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check poolctl tests bench
	$(VENV)/bin/ruff format --check poolctl tests bench
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) bench/ping.py
	$(PY) bench/pool.py
	$(PY) bench/triage.py

clean:
	rm -rf $(VENV) reports/2* .pytest_cache .mypy_cache .ruff_cache
