"""pytest runs that failed outside any test (a conftest that does not import, arguments pytest
refuses, an internal error, an interrupt) or whose interpreter died in a test are a failure of
the run each: they read as clean logs (0 failures, exit 0), or as no pytest output at all.

The logs are real runs (tests/fixtures/src/capture_run_errors.sh, pytest 9.2.0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import detect_format, read_logs
from tests.conftest import RunCli

RUN_ERRORS = Path(__file__).parent / "fixtures" / "pytest" / "run_errors"
CASES = {
    "conftest_import.txt": (
        "loading conftest /tmp/pytest_run_error_suite/conftest.py",
        "ModuleNotFoundError",
        "No module named 'poolkit_missing'",
        (1, 5),
    ),
    # pytest 9: an installed plugin (a `pytest11` entry point) that raises as it is imported
    # (tests/fixtures/src/capture_plugin_load.sh): it read as a log of no result, exit 0
    "plugin_load.txt": (
        "loading plugin pytest11",
        "ImportError",
        "cannot import name 'Sequence' from 'collections' "
        "(/root/.pyenv/versions/3.11.7/lib/python3.11/collections/__init__.py)",
        (1, 5),
    ),
    # a setup.cfg's `[pytest]` section, as old releases ship it (six 1.10.0): pytest 9 dies of
    # it through its entry point (tests/fixtures/src/capture_setup_cfg.sh); "format not
    # recognised", exit 2, without --log-format pytest
    "setup_cfg_section.txt": (
        "pytest internal error",
        "Failed",
        "[pytest] section in setup.cfg files is no longer supported, change to [tool:pytest] "
        "instead.",
        (1, 45),
    ),
    "file_not_found.txt": (
        "pytest arguments",
        "UsageError",
        "file or directory not found: tests/check_missing.py",
        (9, 9),
    ),
    "usage.txt": ("pytest arguments", "UsageError", "unrecognized arguments: --pool-size", (1, 2)),
    "plugin_missing.txt": (
        "pytest arguments",
        "UsageError",
        "Error importing plugin \"no_such_pool_plugin\": No module named 'no_such_pool_plugin'",
        (1, 1),
    ),
    "bad_keyword.txt": (
        "pytest arguments",
        "UsageError",
        "Wrong expression passed to '-k': checkout pool: at column 10: expected end of input; "
        "got identifier",
        (9, 9),
    ),
    "internal_error.txt": (
        "pytest internal error",
        "RuntimeError",
        "pool plugin broke: no worker pool configured (POOL_SIZE unset)",
        (7, 56),
    ),
    # a warning turned into an error at configure time: its message's two lines, the first the
    # cause (tests/fixtures/src/capture_internal_warning.sh)
    "internal_warning.txt": (
        "pytest internal error",
        "PytestDeprecationWarning",
        'The configuration option "pool_default_scope" is unset. The pool\'s workers will '
        "default to the function scope. Set it in pytest.ini.",
        (1, 20),
    ),
    "interrupted.txt": (
        "run interrupted",
        "KeyboardInterrupt",
        "the run was interrupted at /tmp/pytest_run_error_suite/check_interrupt.py:12 (a Ctrl-C, "
        "a CI job cancelled, or a test raising KeyboardInterrupt): the tests after it did not run",
        (10, 11),
    ),
}


@pytest.mark.parametrize("log", sorted(CASES))
def test_a_run_that_failed_outside_any_test_is_a_failure(log: str) -> None:
    name, kind, message, lines = CASES[log]
    path = RUN_ERRORS / log
    assert detect_format(path.read_bytes()) == "pytest"
    parsed = read_logs([str(path)])
    [failure] = parsed.failures
    assert (failure.name, failure.kind, failure.message) == (name, kind, message)
    assert (failure.line_start, failure.line_end) == lines
    assert parsed.blocks[(str(path), lines[0])][-1][0] == lines[1]  # its lines are quoted


def test_a_plugin_pytest_8_could_not_import_is_the_same_failure_as_pytest_9s() -> None:
    """pytest 8.3.5 (Python 3.13, tests/fixtures/src/capture_python_3_13.sh) dies of
    `-p no_such_pool_plugin` with a traceback ending `ImportError: Error importing plugin …`,
    where pytest 9.2.0 prints that in an `ERROR: ` line: both are the arguments' failure (it
    was "pytest internal error")."""
    path = RUN_ERRORS.parent / "python_3_13" / "run_errors_plugin_missing.txt"
    [failure] = read_logs([str(path)]).failures
    assert (failure.name, failure.kind, failure.message) == CASES["plugin_missing.txt"][:3]
    assert failure.details["phase"] == "usage"
    assert (failure.line_start, failure.line_end) == (9, 59)  # the traceback pytest died of


def test_an_internal_error_is_not_among_the_errors_pytest_counted() -> None:
    """`collected 1 item / 1 error`, an INTERNALERROR, then `1 error`: the count is the
    collection error's, whose block pytest never printed; the internal error is one more (it
    was taken as the counted one: "0 of the 1 not read")."""
    parsed = read_logs([str(RUN_ERRORS / "internal_after_collect_errors.txt")])
    [failure] = parsed.failures
    assert (failure.name, failure.kind) == ("pytest internal error", "RuntimeError")
    [summary] = parsed.summaries
    assert (summary.failures, summary.read) == (1, 0)


def test_an_internal_error_in_a_test_under_v_is_that_tests_failure() -> None:
    """`-v` printed the test's start, then pytest broke (a plugin raising while it reported
    the test; pytest-timeout firing while a traceback was drawn does the same): the failure is
    that test's (it was "pytest internal error", no test named; a real capture:
    capture_internal_warning.sh)."""
    [failure] = read_logs([str(RUN_ERRORS / "internal_in_test_verbose.txt")]).failures
    assert (failure.name, failure.group, failure.kind) == (
        "test_checkout_under_load",
        "test_pool.py",
        "RuntimeError",
    )
    assert failure.details["nodeid"] == "test_pool.py::test_checkout_under_load"
    assert failure.message == (
        "pytest broke while running test_pool.py::test_checkout_under_load: pool report plugin "
        "broke while reporting the test"
    )


def test_another_tools_error_lines_after_a_run_are_no_failure_of_it() -> None:
    """tox 3's `ERROR: InvocationError …` and `ERROR:   py311: commands failed` follow the
    closing line of a run with one failed test: that test is the only failure."""
    parsed = read_logs([str(RUN_ERRORS / "tox3.txt")])
    assert [f.name for f in parsed.failures] == ["test_checkin"]
    assert [(s.failures, s.read) for s in parsed.summaries] == [(1, 1)]


def test_the_conftest_failure_is_located_at_its_frame() -> None:
    [failure] = read_logs([str(RUN_ERRORS / "conftest_import.txt")]).failures
    assert failure.location == "conftest.py:1" and failure.details["phase"] == "conftest"


def test_triage_of_a_run_whose_conftest_does_not_import_exits_1(run_cli: RunCli) -> None:
    code, out, err = run_cli("triage", str(RUN_ERRORS / "conftest_import.txt"), "-f", "md")
    assert code == 1, err
    assert "**1 failure" in out and "No module named 'poolkit_missing'" in out


def test_triage_of_a_run_whose_plugin_does_not_import_exits_1(run_cli: RunCli) -> None:
    """pytest exited 3 before any session; the plugin's frame locates the failure."""
    [failure] = read_logs([str(RUN_ERRORS / "plugin_load.txt")]).failures
    assert failure.location == "site/pool_compat_plugin.py:4"
    code, out, err = run_cli("triage", str(RUN_ERRORS / "plugin_load.txt"), "--no-history")
    assert code == 1, err
    assert "1 failure" in out and "loading plugin pytest11" in out


def test_a_test_printing_such_lines_under_dash_s_is_no_failure() -> None:
    """Between the session's start and its closing line they are a test's output."""
    parsed = read_logs([str(RUN_ERRORS / "prints_alike.txt")])
    assert parsed.failures == [] and "1 passed in" in parsed.summaries[0].text


@pytest.mark.parametrize("log", ["fatal_error.txt", "fatal_error_verbose.txt"])
def test_a_test_that_killed_the_interpreter_is_the_failure_its_stack_names(log: str) -> None:
    """faulthandler's dump: the frame `pytest_pyfunc_call` called is the test."""
    parsed = read_logs([str(RUN_ERRORS / log)])
    [failure] = parsed.failures
    assert (failure.name, failure.group, failure.location, failure.kind) == (
        "test_native_driver_crashes",
        "check_crash.py",
        "check_crash.py:11",
        "FatalError",
    )
    assert failure.message.startswith(
        "Fatal Python error: Segmentation fault: the interpreter died"
    )
    assert failure.stacktrace[-1].endswith(": in string_at")  # the innermost call last
    [summary] = parsed.summaries
    assert summary.inferred and summary.read == 1


PLUGINS = Path(__file__).parent / "fixtures" / "pytest" / "plugins"


def test_coverage_under_cov_fail_under_is_a_failure_of_a_run_whose_tests_passed(
    run_cli: RunCli,
) -> None:
    """pytest-cov fails the run (exit 1) after `3 passed, 11 deselected` with `FAIL Required
    test coverage of 100% not reached`: one failure, quoting that line (it read as 0 failures,
    exit 0; a real run, tests/fixtures/src/capture_plugins.sh)."""
    path = PLUGINS / "cov_fail_under.txt"
    parsed = read_logs([str(path)])
    [failure] = parsed.failures
    assert (failure.name, failure.kind, failure.message) == (
        "pytest --cov-fail-under",
        "CoverageFailure",
        "Required test coverage of 100% not reached. Total coverage: 59.02%",
    )
    assert (failure.line_start, failure.line_end) == (24, 24)
    [summary] = parsed.summaries
    assert summary.failures == 0 and not summary.inferred
    code, _, err = run_cli("triage", str(path), "--no-history")
    assert code == 1, err


def test_coverage_under_cov_fail_under_is_one_more_failure_beside_the_tests() -> None:
    """The same verdict after `8 failed, 5 passed, 1 error`: the 9 counted, and the run's."""
    parsed = read_logs([str(PLUGINS / "cov_fail_under_failed.txt")])
    names = [f.name for f in parsed.failures]
    assert len(names) == 10 and names.count("pytest --cov-fail-under") == 1
    [summary] = parsed.summaries
    assert (summary.failures, summary.read) == (9, 9)


def test_a_plugin_raising_through_pytests_entry_point_is_a_failure_of_the_run(
    run_cli: RunCli,
) -> None:
    """pytest-benchmark's `--benchmark-compare-fail` raised `PerformanceRegression` from its
    terminal summary: pytest died of a plain traceback, no closing line, exit 1 (it read as 0
    failures, exit 0; a real run, tests/fixtures/src/capture_plugins.sh)."""
    path = PLUGINS / "benchmark_regressed.txt"
    parsed = read_logs([str(path)])
    [failure] = parsed.failures
    assert (failure.name, failure.kind, failure.message) == (
        "pytest internal error",
        "PerformanceRegression",
        "Performance has regressed.",
    )
    assert (failure.line_start, failure.line_end) == (31, 101)
    code, _, err = run_cli("triage", str(path), "--no-history")
    assert code == 1, err
