"""zope.testrunner's, green's and Twisted trial's failure blocks, read as unittest's are (each
prints a test's traceback under a header of its own). Before, zope.testrunner's run was refused
as of no format (exit 2), green's and trial's failures were counted by unittest's verdict and
none was read. Real captures of `src/more_runners_suite/test_pool_unittest.py`
(`tests/fixtures/src/capture_unittest_runners.sh`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

RUNNERS = Path(__file__).parent / "fixtures" / "unittest" / "runners"
POOL = "test_pool_unittest.PoolTests"
READ = [
    ("test_arithmetic", "test_pool_unittest.py:31", "AssertionError", "unclassified"),
    (
        "test_checkout_times_out",
        "test_pool_unittest.py:17",
        "TimeoutError",
        "checkout-timeout-waiters",
    ),
    (
        "test_start_job_needs_program_id",
        "test_pool_unittest.py:28",
        "KeyError",
        "required-field-missing",
    ),
    ("test_worker_answers_ping", "test_pool_unittest.py:23", "TimeoutError", "port-no-response"),
]


@pytest.mark.parametrize("name", ["zope.txt", "zope_vv.txt", "green.txt", "trial.txt"])
def test_each_block_is_a_failure_of_its_test_placed_at_its_frame_and_classified(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, out, _ = run(capsys, "triage", str(RUNNERS / name), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 4 and report["summary"]["unread"] == 0
    read = sorted(
        (
            f["failure"]["name"],
            f["failure"]["location"].rsplit("/", 1)[-1],
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "unclassified"),
        )
        for f in report["findings"]
    )
    assert read == READ
    assert {f["failure"]["group"] for f in report["findings"]} == {POOL}
    assert all(f["failure"]["source"] == "unittest" for f in report["findings"])


def test_zope_testrunner_s_layer_counts_its_failures_and_errors() -> None:
    parsed = read_logs([str(RUNNERS / "zope_vv.txt")])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("zope.testrunner", 4, 4)]
    assert {f.details["runner"] for f in parsed.failures} == {"zope.testrunner"}


def test_a_module_zope_testrunner_could_not_import_is_a_failure_of_the_module() -> None:
    """No layer ran: its `Total:` line alone counts the import's error."""
    parsed = read_logs([str(RUNNERS / "zope_import.txt")])
    assert [(s.failures, s.read) for s in parsed.summaries] == [(1, 1)]
    (failure,) = parsed.failures
    assert (failure.name, failure.kind, failure.details["phase"]) == (
        "test_pool_unittest",
        "ModuleNotFoundError",
        "collection",
    )
    assert failure.message == "ModuleNotFoundError: No module named 'test_pool_unittest'"


def test_trial_names_the_test_after_its_traceback() -> None:
    parsed = read_logs([str(RUNNERS / "trial_not_found.txt")])
    (failure,) = parsed.failures
    assert (failure.name, failure.group, failure.kind) == (
        "test_pool_unittest",
        "",
        "ModuleNotFound",
    )
    assert (failure.details["runner"], failure.details["outcome"]) == ("trial", "error")
    keyerror = next(
        f for f in read_logs([str(RUNNERS / "trial.txt")]).failures if f.kind == "KeyError"
    )
    assert keyerror.message == "builtins.KeyError: 'program_id is required'"


def test_zope_testrunner_s_total_counts_its_layers_once() -> None:
    """Two layers, each its `Ran … with 1 failures, 3 errors` line, then `Total: 12 tests, 2
    failures, 6 errors`: one run of 8 failures, all read, not 16."""
    parsed = read_logs([str(RUNNERS / "zope_layers.txt")])
    assert [(s.text[:6], s.failures, s.read) for s in parsed.summaries] == [("Total:", 8, 8)]
    assert len(parsed.failures) == 8


def test_nose2_s_fixture_that_raised_is_named_by_its_frame() -> None:
    """nose2 heads a class fixture's block `ERROR: _ErrorHolder`, naming neither the fixture nor
    its class: it was lost (4 read of the 5 counted), and with it the service it said was not
    running."""
    parsed = read_logs([str(RUNNERS / "nose2.txt")])
    assert [(s.failures, s.read) for s in parsed.summaries if s.failures] == [(5, 5)]
    fixture = next(f for f in parsed.failures if f.name == "setUpClass")
    assert (fixture.group, fixture.location.rsplit("/", 1)[-1], fixture.kind) == (
        "",
        "test_pool_unittest.py:45",
        "ConnectionRefusedError",
    )
    assert "service 'bridge_mock' is not running" in fixture.message


def test_nose2_s_test_functions_are_read_by_module_and_function() -> None:
    """nose2 heads a test function's block `ERROR: module.function` (no parentheses): 3 of the
    4 counted were lost, and with them a worker that never answered and a refused connection
    (`nose2_functions.txt`, `capture_nose2_functions.sh`)."""
    parsed = read_logs([str(RUNNERS / "nose2_functions.txt")])
    assert [(s.failures, s.read) for s in parsed.summaries if s.failures] == [(4, 4)]
    read = sorted((f.name, f.group, f.location, f.kind) for f in parsed.failures)
    assert read == [
        (
            "test_broker_publishes",
            "test_pool_functions",
            "test_pool_functions.py:29",
            "ConnectionRefusedError",
        ),
        ("test_pool_size", "test_pool_functions", "test_pool_functions.py:35", "AssertionError"),
        (
            "test_sizes (n=2)",
            "test_pool_functions.PoolSizes",
            "test_pool_functions.py:42",
            "AssertionError",
        ),
        (
            "test_worker_answers_ping",
            "test_pool_functions",
            "test_pool_functions.py:22",
            "TimeoutError",
        ),
    ]
    silent = next(f for f in parsed.failures if f.name == "test_worker_answers_ping")
    assert "No response received from worker pid " in silent.message


def test_nose2_s_params_and_generators_are_read_by_their_case() -> None:
    """nose2 heads a params or generator case `FAIL: module.function:2` (a method's `FAIL:
    test_m:2`, its class on the lines under it): none of the 3 counted was read
    (`nose2_params.txt`, `capture_nose2_functions.sh`)."""
    parsed = read_logs([str(RUNNERS / "nose2_params.txt")])
    assert [(s.failures, s.read) for s in parsed.summaries if s.failures] == [(3, 3)]
    read = sorted((f.name, f.group, f.kind) for f in parsed.failures)
    assert read == [
        ("test_checkouts:2", "test_pool_params", "AssertionError"),
        ("test_pool_size:2", "test_pool_params", "AssertionError"),
        ("test_size:2", "test_pool_params.PoolSizes", "AssertionError"),
    ]


@pytest.mark.parametrize(
    ("name", "runner"),
    [
        ("trial.txt", "trial"),
        ("trial_not_found.txt", "trial"),
        ("green.txt", "green"),
        ("zope.txt", "zope.testrunner"),
        ("zope_import.txt", "zope.testrunner"),
        ("nose2.txt", "unittest"),  # nose2 prints unittest's blocks: nothing names it
    ],
)
def test_a_log_of_one_unittest_runner_alone_is_said_to_be_that_runner_s(
    capsys: pytest.CaptureFixture[str], name: str, runner: str
) -> None:
    """Its blocks name the runner; trial's log was said to be pytest's, green's and
    zope.testrunner's read for 'other runners' verdicts' alone."""
    code, out, _ = run(capsys, "triage", str(RUNNERS / name), "--no-history")
    assert code == 1
    assert f" lines ({runner})" in out
