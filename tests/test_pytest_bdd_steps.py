"""pytest-bdd's steps run as pytest fixtures: a step's failure is raised through pytest's own
fixtures.py, whose frame comes first in the block. The failure is placed at the step's frame in
the test's file, not at pytest's. Real captures of `src/more_runners_suite/check_pool_bdd.py`
(`tests/fixtures/src/capture_bdd.sh`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs

PLUGINS = Path(__file__).parent / "fixtures" / "pytest" / "plugins"


@pytest.mark.parametrize("name", ["pytest_bdd.txt", "pytest_bdd_short.txt"])
def test_a_step_s_failure_is_placed_at_the_step_not_at_pytest_s_fixture_call(name: str) -> None:
    parsed = read_logs([str(PLUGINS / name)])
    placed = {f.name: (f.location, f.kind) for f in parsed.failures}
    assert placed == {
        "test_a_second_checkout_waits_for_the_first": ("check_pool_bdd.py:30", "TimeoutError"),
        "test_a_job_needs_its_program": ("check_pool_bdd.py:35", "KeyError"),
        # no traceback shown: the feature file's line its message names (`Line 14 in scenario
        # … in the feature "/tmp/more_runners_suite/features/pool.feature"`), relative to the
        # rootdir; it was placed at the test's file alone
        "test_a_worker_answers_ping": (
            "features/pool.feature:14",
            "StepDefinitionNotFoundError",
        ),
    }
    first = parsed.failures[0].stacktrace[0]
    assert "site-packages/_pytest/fixtures.py:1074" in first  # (the stack keeps pytest's frame)
