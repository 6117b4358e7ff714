# Every target creates the virtual environment it needs: `make demo` and `make test` work on a
# fresh clone with nothing installed by hand.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint bench venv clean ci-report pictures

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

# The project's own suite through `poolctl triage`, as a CI job does it: pytest's console output
# is kept in $(CI_REPORT)/pytest.log (and JUnit XML beside it), triaged into triage.md (and the
# GitHub job summary when GITHUB_STEP_SUMMARY is set; annotations under GitHub Actions).
# The suite runs without GITHUB_STEP_SUMMARY: its own CLI tests must not write to the job
# summary. `--fail-on never`: the triage never fails the target; the suite's exit status does.
CI_REPORT ?= reports/ci
CI_PYTEST_ARGS ?=
ci-report: $(STAMP)
	@rm -rf $(CI_REPORT) && mkdir -p $(CI_REPORT)
	@{ env -u GITHUB_STEP_SUMMARY $(PY) -m pytest -rfE --junitxml=$(CI_REPORT)/pytest.xml $(CI_PYTEST_ARGS); \
	  echo $$? > $(CI_REPORT)/pytest.status; } 2>&1 | tee $(CI_REPORT)/pytest.log
	$(VENV)/bin/poolctl triage - --log-format pytest --fail-on never --format md \
	  --output $(CI_REPORT)/triage.md --run-dir $(CI_REPORT)/run $(if $(GITHUB_ACTIONS),--annotations) \
	  < $(CI_REPORT)/pytest.log
	@echo "triage: $(CI_REPORT)/triage.md (run folder $(CI_REPORT)/run)"
	@exit $$(cat $(CI_REPORT)/pytest.status)

# The README's picture: the p3 scenario run, its timeline.html shot by headless Chromium
# (tests/chromium.py, the browser tests' own driver) into docs/p3-timeline.png.
pictures: $(STAMP)
	@rm -rf reports/pictures
	$(VENV)/bin/poolctl run-scenario -q scenarios/p3-checkout-timeout.yaml --run-dir reports/pictures/p3 -f json -o /dev/null
	$(PY) -m tests.chromium reports/pictures/p3/timeline.html docs/p3-timeline.png
	@echo "docs/p3-timeline.png (from reports/pictures/p3/timeline.html)"

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
