"""A `mix test` run stopped before any test, by a compilation error or by Mix (an application
that does not start), is one failure of the run, not a clean log (it read as 0 failures and
exit 0, or as no ExUnit output at all).

The logs are real runs (tests/fixtures/src/capture_exunit_compile.sh and
capture_exunit_app_start.sh, Elixir 1.14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import detect_format, read_logs
from tests.conftest import RunCli

EXUNIT = Path(__file__).parent / "fixtures" / "exunit"
CASES = {
    "compile_syntax_error.log": (
        "compilation of test/syntax_error_test.exs",
        "SyntaxError",
        "test/syntax_error_test.exs:6",
        "test/syntax_error_test.exs:6:3: syntax error before: end.",
    ),
    "compile_missing_case.log": (
        "compilation of test/missing_case_test.exs",
        "CompileError",
        "test/missing_case_test.exs:2",
        "test/missing_case_test.exs:2: module PoolCase is not loaded and could not be found",
    ),
    "compile_lib_error.log": (
        "compilation of lib/pool.ex",
        "CompileError",
        "lib/pool.ex:2",
        "lib/pool.ex:2: undefined function start_checkout/1",
    ),
}


@pytest.mark.parametrize("log", sorted(CASES))
def test_a_compilation_error_is_a_failure_of_the_run(log: str) -> None:
    name, kind, location, message = CASES[log]
    path = EXUNIT / log
    assert detect_format(path.read_bytes()) == "exunit"
    parsed = read_logs([str(path)])
    [failure] = parsed.failures
    assert (failure.name, failure.kind, failure.location) == (name, kind, location)
    assert failure.message.startswith(message)
    assert failure.details["phase"] == "compile"
    [summary] = parsed.summaries
    assert summary.failures == 1 and summary.read == 1


def test_triage_of_a_run_that_did_not_compile_exits_1(run_cli: RunCli) -> None:
    code, out, err = run_cli("triage", str(EXUNIT / "compile_missing_case.log"), "-f", "md")
    assert code == 1, err
    assert "**1 failure" in out and "module PoolCase is not loaded" in out


def test_an_application_that_does_not_start_is_a_failure_of_its_innermost_error() -> None:
    """Its pool's port opens a Python that is not there: `** (Mix) Could not start application`."""
    parsed = read_logs([str(EXUNIT / "app_start_failed.log")])
    [failure] = parsed.failures
    assert (failure.name, failure.kind) == ("starting application pool", "ErlangError")
    assert failure.message.startswith("Could not start application pool: ")
    assert failure.message.endswith(
        "failed to start child: Pool.PythonPool (ErlangError: Erlang error: :enoent:)"
    )
    assert any("python3-missing" in frame for frame in failure.stacktrace)
    assert (failure.line_start, failure.line_end) == (15, 25)
    [summary] = parsed.summaries
    assert summary.failures == 1 and summary.read == 1


AFTER_RUN = {
    "warnings_as_errors.log": (
        "mix test --warnings-as-errors",
        "ERROR! Test suite aborted after successful execution due to warnings while using the "
        "--warnings-as-errors option",
    ),
    "only_no_test.log": (
        "mix test --only",
        'The --only option was given to "mix test" but no test was executed',
    ),
    "cover_threshold.log": (
        "mix test --cover",
        "Coverage test failed, threshold not met: Coverage: 50.00% Threshold: 90.00%",
    ),
}


@pytest.mark.parametrize("log", sorted(AFTER_RUN))
def test_mix_failing_a_run_whose_tests_passed_is_a_failure_of_the_run(
    log: str, cli: RunCli
) -> None:
    """After `1 test, 0 failures`, Mix fails the run (--warnings-as-errors, --only selecting
    nothing, --cover under its threshold: mix exits 1 or 3; real runs,
    tests/fixtures/src/capture_exunit_mix_verdicts.sh): one failure, no run of its own (it was
    0 failures, exit 0)."""
    name, message = AFTER_RUN[log]
    path = EXUNIT / "mix_after_run" / log
    parsed = read_logs([str(path)])
    [failure] = parsed.failures
    assert (failure.name, failure.kind, failure.message) == (name, "Mix", message)
    [summary] = parsed.summaries  # the closing line's, and no run inferred after it
    assert summary.failures == 0 and not summary.inferred
    code, _, err = cli("triage", str(path), "--no-history")
    assert code == 1, err


MIX_ARGUMENTS = EXUNIT / "mix_arguments"


@pytest.mark.parametrize(
    ("log", "name", "message"),
    [
        (
            "path_not_found.log",
            "mix test arguments",
            'Paths given to "mix test" did not match any directory/file: test/nope_test.exs',
        ),
        (
            "partition_unset.log",
            "mix",
            "The MIX_TEST_PARTITION environment variable must be set to an integer between 1..2 "
            "when the --partitions option is set, got: nil",
        ),
    ],
)
def test_mix_refusing_its_arguments_is_a_failure_of_the_run(
    log: str, name: str, message: str, cli: RunCli
) -> None:
    """`mix test` of a path with no test file, `--partitions` with no MIX_TEST_PARTITION: Mix
    stops before any test and exits 1 (real runs, src/capture_exunit_mix_arguments.sh). Such a
    log was "format not recognised", exit 2; it is one failure of the run, and its run is said
    to be stopped by Mix, not maybe cut."""
    path = MIX_ARGUMENTS / log
    parsed = read_logs([str(path)])
    [failure] = parsed.failures
    assert (failure.name, failure.kind, failure.message) == (name, "Mix", message)
    [run] = parsed.summaries
    assert run.text == "(no closing line: Mix stopped the run before any test: its error is read)"
    code, out, err = cli("triage", str(path), "--no-history")
    assert code == 1, err
    assert "may have been cut" not in out
