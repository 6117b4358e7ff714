"""Python unittest's failure blocks (`ERROR: test_x (m.C.test_x)`, `FAIL: …`, `UNEXPECTED
SUCCESS: …` between its rules: the traceback, the exception's line and its diff) are read into
failures and classified (real captures: capture_unittest_blocks.sh,
capture_unittest_after_pytest.sh). Before, its verdict counted them and none was read: `8 of the
8 failures the runner counted were not read`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

FIXTURES = Path(__file__).parent / "fixtures"
UNITTEST = FIXTURES / "unittest"
SUITE = "/tmp/unittest_blocks_suite/test_pool_blocks.py"
# each block of the suite's run: its test, kind, message's first line, place
BLOCKS = [
    ("setUpClass", "BrokenSetupTests", "ConnectionRefusedError", 101),
    ("test_job_config", "PoolTests", "KeyError", 80),
    ("test_request_answered", "PoolTests", "RuntimeError", 67),
    ("test_second_checkout", "PoolTests", "TimeoutError", 75),
    ("test_pool_sizes (size=2)", "PoolTests", "AssertionError", 85),
    ("test_pool_sizes (size=3)", "PoolTests", "AssertionError", 85),
    ("test_reply_shape", "PoolTests", "AssertionError", 88),
    ("test_restart_is_slow", "PoolTests", "UnexpectedSuccess", 0),
]


def _read(path: Path) -> list[tuple[str, str, str, int]]:
    return [
        (
            f.name,
            f.group.removeprefix("test_pool_blocks."),
            f.kind,
            int(f.location.rpartition(":")[2] or 0),
        )
        for f in read_logs([str(path)]).failures
    ]


@pytest.mark.parametrize("log", ["blocks_v.txt", "blocks_b.txt"])
def test_each_block_of_a_unittest_run_is_read_once_and_its_verdict_counts_them_read(
    log: str,
) -> None:
    """`-v` (a result line per test above the blocks) and `-b` (dots, a failed test's stdout
    under its traceback): 3 failures, 4 errors and an unexpected success, each one failure; a
    failed subTest is one, named with its parameters as unittest names it."""
    parsed = read_logs([str(UNITTEST / log)])
    assert _read(UNITTEST / log) == BLOCKS
    assert {f.source for f in parsed.failures} == {"unittest"}
    assert {f.details["runner"] for f in parsed.failures} == {"unittest"}
    [run_] = [s for s in parsed.summaries if s.source == "unittest"]
    assert (run_.text, run_.failures, run_.read) == (
        "FAILED (failures=3, errors=4, unexpected successes=1)",
        8,
        8,
    )
    assert parsed.skipped == []


def test_a_block_reads_its_traceback_message_diff_docstring_and_captured_stdout() -> None:
    parsed = read_logs([str(UNITTEST / "blocks_b.txt")])
    by_name = {f.name: f for f in parsed.failures}
    shape = by_name["test_reply_shape"]
    assert shape.message.splitlines()[0] == (
        "AssertionError: {'id': 1, 'result': 'pong'} != {'id': 1, 'result': 'pang'}"
    )
    assert "+ {'id': 1, 'result': 'pang'}" in shape.message  # the diff after it
    assert shape.details["outcome"] == "fail"
    answered = by_name["test_request_answered"]
    assert answered.message.startswith("RuntimeError: No response received from worker pid ")
    assert answered.details["captured stdout"].endswith(" checked out")
    assert "Stdout:" not in answered.message
    # frames as pytest spells them, the last naming the exception
    assert answered.stacktrace == (
        f"{SUITE}:67: in test_request_answered",
        f"{SUITE}:34: RuntimeError",
    )
    assert answered.details["source"].splitlines()[-1] == "raise RuntimeError("
    checkout = by_name["test_second_checkout"]
    assert checkout.details["doc"] == (
        "Two checkouts from a pool of one: the second waits for the first."
    )
    assert by_name["setUpClass"].group == "test_pool_blocks.BrokenSetupTests"


def test_the_pool_failures_are_classified_as_pytests_would_be(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "triage", str(UNITTEST / "blocks_v.txt"), "--no-history", "--format", "json"
    )
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["unread"] == 0
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in report["findings"]}
    assert patterns["test_request_answered"] == "port-no-response"
    assert patterns["test_second_checkout"] == "checkout-timeout-waiters"
    assert patterns["test_job_config"] == "required-field-missing"
    assert patterns["setUpClass"] == "dependency-not-started"


def test_two_runs_in_one_log_each_count_their_own_blocks() -> None:
    """One test alone (1 error), then the whole module: the first run's block is not the
    second's."""
    parsed = read_logs([str(UNITTEST / "blocks_two.txt")])
    assert [f.name for f in parsed.failures] == ["test_job_config", *[b[0] for b in BLOCKS]]
    runs = [(s.start, s.failures, s.read) for s in parsed.summaries if s.source == "unittest"]
    assert runs == [(1, 1, 1), (17, 8, 8)]
    assert parsed.skipped == []


@pytest.mark.parametrize(
    ("log", "count"),
    [("pytest_then_unittest_blocks.log", 8), ("pytest_then_unittest.log", 3)],
)
def test_a_unittest_run_after_a_clean_pytest_run_is_read(log: str, count: int) -> None:
    parsed = read_logs([str(FIXTURES / "mixed" / log)])
    assert len(parsed.failures) == count
    assert {f.source for f in parsed.failures} == {"unittest"}
    clean, _ran, unittest = parsed.summaries
    assert (clean.source, clean.failures) == ("closing line", 0)
    assert (unittest.start, unittest.failures, unittest.read) == (clean.line + 1, count, count)
    assert parsed.skipped == []


def test_a_run_cut_in_a_block_is_read_for_the_blocks_it_printed(tmp_path: Path) -> None:
    """The `-v` capture cut in its fourth block's traceback (a killed run: no `Ran` line, no
    verdict): read, not refused as of no known format, each block it printed one failure, and
    each test its `-v` lines say failed whose block it did not print one too, by its name."""
    cut = tmp_path / "cut.txt"
    lines = (UNITTEST / "blocks_v.txt").read_text().splitlines(keepends=True)
    cut.write_text("".join(lines[:47]))
    parsed = read_logs([str(cut)])
    by_blocks = [f.name for f in parsed.failures if "-v line says" not in f.message]
    assert by_blocks == [b[0] for b in BLOCKS[:4]]
    by_names = {f.name for f in parsed.failures} - set(by_blocks)
    assert by_names == {b[0] for b in BLOCKS[4:]}
    assert len(parsed.failures) == 8 and parsed.summaries == []


def test_the_junit_view_names_a_unittest_test_by_its_module_and_class(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Its group is unittest's dotted `module.Class`, no file to dot: the JUnit classname is it
    whole, and the file is the test's frame's."""
    code, out, _ = run(
        capsys, "triage", str(UNITTEST / "blocks_v.txt"), "--no-history", "--format", "junit"
    )
    assert code == 1
    assert (
        '<testcase classname="test_pool_blocks.PoolTests" name="test_job_config '
        f'(test_pool_blocks.PoolTests)" file="{SUITE}" line="80">'
    ) in out


def _outcomes(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, tuple[object, ...]]:
    code, out, _ = run(capsys, "triage", str(path), "--no-history", "--format", "json")
    assert code == 1
    found = {}
    for finding in json.loads(out)["findings"]:
        # pytest names the test `Class.test`, unittest `test` in `module.Class`
        name = finding["failure"]["name"].rpartition(".")[2]
        outcome = finding["outcome"]
        found[name] = tuple(outcome.get(k) for k in ("pattern_id", "confidence", "facts", "cause"))
    return found


def test_each_failure_is_diagnosed_as_pytest_diagnoses_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same module run by pytest (blocks_pytest.txt): each failure has the same pattern,
    confidence, facts and cause under both runners (a setUpClass's error is the first test's
    under pytest)."""
    pytests = _outcomes(capsys, UNITTEST / "blocks_pytest.txt")
    pytests["setUpClass"] = pytests.pop("test_never_runs")
    unittests = _outcomes(capsys, UNITTEST / "blocks_v.txt")
    assert unittests == pytests
    assert sum(o[0] is not None for o in unittests.values()) == 4


@pytest.mark.parametrize(
    ("log", "first"),
    [
        (UNITTEST / "blocks_killed.txt", 1),
        (FIXTURES / "mixed" / "pytest_then_unittest_killed.log", 10),
    ],
)
def test_a_run_killed_before_its_blocks_is_read_from_its_v_lines(
    capsys: pytest.CaptureFixture[str], log: Path, first: int
) -> None:
    """`-v` then a test that waits on a worker that never answers, killed (real captures: the
    run alone, and after a clean pytest run, which read as a clean log before): no block, no
    verdict. Each test its `-v` lines say failed is a failure by its name (the one whose
    docstring's line carries its outcome, and the one whose outcome comes alone after what it
    printed, too), and the test it was in when killed is one: its `-v` line has no outcome."""
    parsed = read_logs([str(log)])
    outcomes = {f.name: f.details["outcome"] for f in parsed.failures}
    assert outcomes == {
        "setUpClass": "error",
        "test_job_config": "error",
        "test_pool_sizes (size=2)": "fail",
        "test_pool_sizes (size=3)": "fail",
        "test_reply_shape": "fail",
        "test_request_answered": "error",
        "test_restart_is_slow": "unexpected success",
        "test_second_checkout": "error",
        "test_waits_for_the_worker": "stopped",
    }
    assert {f.source for f in parsed.failures} == {"unittest"}
    [note] = [n for n in parsed.skipped if "-v lines say" in n]
    assert note.startswith(f"{log}:{first}: a unittest run's -v lines say 8 test(s) failed")
    assert "it stopped in test_waits_for_the_worker (test_pool_hang.HangTests)" in note
    code, out, _ = run(capsys, "triage", str(log), "--no-history")
    assert code == 1 and "9 failures" in out


def test_djangos_test_runner_is_read_as_unittest(capsys: pytest.CaptureFixture[str]) -> None:
    """Django's test runner (`manage.py test -v 2`, real capture: capture_django_blocks.sh)
    prints its own lines, then unittest's: each block is read and classified, its run's 3 of 3
    read (before: 3 of 3 not read)."""
    log = UNITTEST / "django_v2.txt"
    parsed = read_logs([str(log)])
    [run_] = [s for s in parsed.summaries if s.source == "unittest"]
    assert (run_.failures, run_.read) == (3, 3)
    assert {f.group for f in parsed.failures} == {"pool_app.tests.PoolTests"}
    code, out, _ = run(capsys, "triage", str(log), "--no-history", "--format", "json")
    assert code == 1
    found = json.loads(out)["findings"]
    assert {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in found} == {
        "test_request_answered": "port-no-response",
        "test_checkout": "checkout-timeout-waiters",
        "test_job_config": "required-field-missing",
    }


GROUPS_SUITE = "/tmp/killed_runs_suite/unittest/test_pool_groups.py"


def test_an_exception_group_is_read_from_its_leaves(capsys: pytest.CaptureFixture[str]) -> None:
    """Python 3.11's ExceptionGroup tracebacks under unittest (capture_killed_runs.sh: its lines
    behind `| `, each sub-exception under `+---- N ----`): each test one failure, its message
    the group's leaves (a nested group's own line is none), its place the test's own frame, and
    each is classified by what its leaves say. Before, the message was empty, the place unknown,
    and the three were one cluster of nothing."""
    parsed = read_logs([str(FIXTURES / "mixed" / "killed_runs" / "unittest_groups.txt")])
    read = {f.name: (f.kind, f.message, f.location) for f in parsed.failures}
    pid = r"No response received from worker pid \d+ within 0\.3s"
    assert read.keys() == {"test_job_and_worker", "test_nested_groups", "test_two_workers_silent"}
    assert read["test_job_and_worker"] == (
        "ExceptionGroup",
        "KeyError: 'program_id is required'",
        f"{GROUPS_SUITE}:50",
    )
    assert read["test_nested_groups"] == (
        "ExceptionGroup",
        "TimeoutError: checkout timed out after 0.2s\nValueError: pool size 1, want 2",
        f"{GROUPS_SUITE}:54",
    )
    kind, message, location = read["test_two_workers_silent"]
    assert kind == "ExceptionGroup" and location == f"{GROUPS_SUITE}:42"
    assert re.fullmatch(f"RuntimeError: {pid}\nRuntimeError: {pid}", message)
    silent = next(f for f in parsed.failures if f.name == "test_two_workers_silent")
    assert (
        silent.details["exception-group"]
        == "ExceptionGroup: workers did not answer (2 sub-exceptions)"
    )
    assert f"{GROUPS_SUITE}:21: in ask" in silent.stacktrace  # where a leaf was raised
    code, out, _ = run(
        capsys, "triage", str(FIXTURES / "mixed" / "killed_runs" / "unittest_groups.txt"),
        "--no-history", "--format", "json",
    )  # fmt: skip
    assert code == 1
    found = json.loads(out)["findings"]
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in found}
    assert patterns == {
        "test_job_and_worker": "required-field-missing",
        "test_nested_groups": "checkout-timeout-waiters",
        "test_two_workers_silent": "port-no-response",
    }
