"""pytest's doctests (`--doctest-modules`): a failed example is one failure, named as its
summary line names it, with what doctest said of it as its message.

The logs are real runs (tests/fixtures/src/capture_doctest.sh, pytest 9.2.0)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.conftest import RunCli

PYTEST = Path(__file__).parent / "fixtures" / "pytest"


# doctest_tbline.txt: `--tb=line`, where a doctest prints its report and a location line that
# says only `DocTestFailure` (or `UnexpectedException`): it was read as that word alone
@pytest.mark.parametrize("log", ["doctest.txt", "doctest_verbose.txt", "doctest_tbline.txt"])
def test_a_failed_doctest_is_one_failure_with_what_doctest_said(log: str) -> None:
    parsed = read_logs([str(PYTEST / log)])
    failures = {f.name: f for f in parsed.failures}
    assert sorted(failures) == [
        "pool_helpers.checkout_timeout",
        "pool_helpers.worker_id",
        "test_pool_size_of_a_negative_request",
    ]
    wrong = failures["pool_helpers.checkout_timeout"]
    assert wrong.details["nodeid"] == "pool_helpers.py::pool_helpers.checkout_timeout"
    assert (wrong.kind, wrong.message) == (
        "DocTestFailure",
        ">>> checkout_timeout(5): Expected: 5000 Got: 500",
    )
    raised = failures["pool_helpers.worker_id"]
    assert (raised.kind, raised.message) == (
        "KeyError",
        ">>> worker_id({}): KeyError: 'POOLCTL_WORKER_ID'",
    )
    assert [(s.failures, s.read) for s in parsed.summaries] == [(3, 3)]


def test_a_doctest_past_line_999_says_its_example_not_its_context() -> None:
    """pytest numbers a long module's lines with four digits (`1012         >>> pool_size(10)`):
    the example and what doctest said are the message, not the docstring's lines before it (a
    real capture: tests/fixtures/src/capture_doctest_long.sh; python-dateutil's doctests read
    so)."""
    [failure] = read_logs([str(PYTEST / "doctest_long_module.txt")]).failures
    assert (failure.kind, failure.message) == (
        "DocTestFailure",
        ">>> pool_size(10): Expected: 12 Got: 10",
    )


def test_a_doctest_in_pytest_junit_says_its_example() -> None:
    """pytest's JUnit XML holds the doctest's console body: read as a doctest, not as a
    traceback whose message was the bare `Got:` (python-dateutil's read so)."""
    junit = Path(__file__).parent / "fixtures" / "junit" / "pytest_doctest_long_module.xml"
    [failure] = read_logs([str(junit)]).failures
    assert failure.message == ">>> pool_size(10): Expected: 12 Got: 10"


# doctest_line/: `--tb=line` on doctests whose docstrings begin with short lines
# (tests/fixtures/src/capture_doctest_line.sh): the report's first 50 characters, printed after
# each location line, hold the example's numbered line and more lines
DOCTEST_LINE = PYTEST / "doctest_line"


@pytest.mark.parametrize("log", ["tbline.txt", "tbline_verbose.txt"])
def test_the_50_characters_after_a_doctest_s_location_line_are_no_report(log: str) -> None:
    """The last report's 50 characters were read as a report that ran on through the short
    summary and the closing line: the run had no closing line, its failures were named by their
    locations (and, under `-v`, by their progress lines too: 4 failures of 2)."""
    parsed = read_logs([str(DOCTEST_LINE / log)])
    assert [(f.name, f.message) for f in parsed.failures] == [
        ("README.txt", ">>> 1 + 1: Expected: 3 Got: 2"),
        ("pool_sizes.size", ">>> size(1): Expected: 2 Got: 1"),
    ]
    [run] = parsed.summaries
    assert not run.inferred and (run.failures, run.read) == (2, 2)


def test_a_docstring_s_reports_under_continue_on_failure_are_one_failure() -> None:
    """`--doctest-continue-on-failure`: a report and a location line for each failed example,
    5 in all, of 2 tests (before: 6 failures, none named by its test). Each test's examples, in
    order, are its message: README.txt's refused connection is read (pattern 7)."""
    parsed = read_logs([str(DOCTEST_LINE / "tbline_continue.txt")])
    failures = {f.name: f for f in parsed.failures}
    assert sorted(failures) == ["README.txt", "pool_sizes.size"]
    assert failures["README.txt"].message.splitlines() == [
        ">>> 1 + 1: Expected: 3 Got: 2",
        '>>> import socket; socket.create_connection(("127.0.0.1", 9)): '
        "ConnectionRefusedError: [Errno 111] Connection refused",
    ]
    assert [line.split(":")[0] for line in failures["pool_sizes.size"].message.splitlines()] == [
        ">>> size(1)",
        ">>> size(2)",
        ">>> size(0)",
        ">>> raise KeyError('pool_pid')",
    ]
    [run] = parsed.summaries
    assert (run.failures, run.read) == (2, 2)


# doctest_line/several_*.txt: one module with five failing doctests, four of them failing in two
# or three examples (tests/fixtures/src/capture_doctest_several.sh). After a test's reports
# pytest prints the first 50 characters of its first report: the one line that says where a
# test's reports end (before: a report was a failure past each test's first: 10 of 5).
SEVERAL = {
    "pool_math.checkout_timeout": [">>> checkout_timeout(5)", ">>> checkout_timeout(0.25)"],
    "pool_math.drain": ['>>> drain("test_pool")', '>>> drain("other_pool")'],
    "pool_math.size": [">>> size(1)", ">>> size(2)", ">>> size(0)"],
    "pool_math.stop": ['>>> stop("test_pool")', ">>> stop(None)"],
    "pool_math.worker_for": ['>>> worker_for({"pid": 1})'],
}


@pytest.mark.parametrize(
    "log",
    [
        "several_continue.txt",
        "several_continue_verbose.txt",
        "several_continue_xdist.txt",
        # pytest's default traceback: a block per test, a report per failed example in it
        # (capture_doctest_continue_long.sh; before, its last example's message alone, and
        # stop's second example with its first's exception)
        "several_continue_long.txt",
    ],
)
def test_several_doctests_of_a_module_under_continue_on_failure_are_a_failure_each(
    log: str,
) -> None:
    """Each test's failed examples, in order, are its message; drain's captured log, printed
    between its last report and its 50 characters, does not hide where it ends."""
    parsed = read_logs([str(DOCTEST_LINE / log)])
    examples = {
        f.name: [line.split(")", 1)[0] + ")" for line in f.message.splitlines()]
        for f in parsed.failures
    }
    assert examples == SEVERAL
    [run] = parsed.summaries
    assert (run.failures, run.read) == (5, 5)
    stop = next(f for f in parsed.failures if f.name == "pool_math.stop")
    refused = "ConnectionRefusedError: [Errno 111] Connection refused"
    assert stop.message.splitlines()[0].endswith(refused)


def test_a_doctest_s_50_characters_are_not_the_next_doctest_s_report() -> None:
    """Without `--doctest-continue-on-failure` (a report per test), the 50 characters after a
    test's report hold an example's line (`064     >>> drain("test_pool")`): the next test's
    failure began there, in the test before it."""
    parsed = read_logs([str(DOCTEST_LINE / "several_first.txt")])
    starts = {f.name: f.line_start for f in parsed.failures}
    lines = (DOCTEST_LINE / "several_first.txt").read_text().splitlines()
    assert lines[starts["pool_math.size"] - 1] == "006     >>> size(1)"
    assert lines[starts["pool_math.stop"] - 1] == '078     >>> stop("test_pool")'
    assert {f.name: f.message.split(")", 1)[0] + ")" for f in parsed.failures} == {
        name: said[0] for name, said in SEVERAL.items()
    }


# A failure is classified on what it says, not on its name: a doctest's message begins with its
# example, most often a call of the function it is named after (`>>> checkout_timeout(5)`)
@pytest.mark.parametrize(
    "log",
    [
        "doctest.txt",
        "doctest_verbose.txt",
        "doctest_tbline.txt",
        "doctest_line/several_first.txt",
        "doctest_line/several_continue_verbose.txt",
    ],
)
def test_a_doctest_named_like_a_pattern_is_classified_on_what_doctest_said(
    log: str, cli: RunCli, tmp_path: Path
) -> None:
    """`[doctest] pool_helpers.checkout_timeout` fails on arithmetic (`Expected: 5000 Got:
    500`): before, pattern 3 (checkout timeout) from its example `>>> checkout_timeout(5)`, the
    doctest's own name; now unclassified. A doctest whose example raised keeps what the
    exception says (`>>> stop("test_pool"): ConnectionRefusedError: …`: pattern 7)."""
    out = tmp_path / "report.json"
    code, _, err = cli(
        "triage", str(PYTEST / log), "--no-history", "--format", "json", "-o", str(out),
        "--run-dir", str(tmp_path / "run"),
    )  # fmt: skip
    assert code == 1, err
    patterns = {
        f["failure"]["name"]: f["outcome"].get("pattern_id")
        for f in json.loads(out.read_text())["findings"]
    }
    timeout = next(name for name in patterns if name.endswith(".checkout_timeout"))
    assert patterns[timeout] is None
    stop = [name for name in patterns if name.endswith(".stop")]
    assert [patterns[name] for name in stop] == ["dependency-not-started"] * len(stop)
