"""pytest output in other traceback styles and verbosities, each read as pytest counted it. Real
captures of `src/pytest_tb_styles_suite` (`tests/fixtures/src/capture_tb_styles.sh`, see the
fixtures' README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import detect_format, read_logs
from poolctl.model import Diagnosis
from poolctl.patterns import load_patterns
from poolctl.triage import triage
from tests.conftest import RunCli

STYLES = Path(__file__).parent / "fixtures" / "pytest" / "tb_styles"
SETUP_KEY = Path(__file__).parent / "fixtures" / "pytest" / "setup_key"
SETUP_KEY_XML = Path(__file__).parent / "fixtures" / "junit" / "pytest_setup_key.xml"


def said(name: str) -> list[tuple[str, str, str]]:
    return [
        (f.name, f.details.get("outcome", ""), f.message.split("\n")[0])
        for f in read_logs([str(STYLES / name)]).failures
    ]


def test_a_test_that_fails_and_errors_in_teardown_under_tb_line() -> None:
    """`--tb=line` blocks name no test: each takes its own summary line, the teardown error
    its ERROR line, so that neither the error is counted twice nor a message moves on."""
    assert said("teardown_tbline.txt") == [
        ("test_a_call_and_teardown", "error", "RuntimeError: teardown boom"),
        ("test_a_call_and_teardown", "failed", "AssertionError: call failed"),
        ("test_b_fails", "failed", "AssertionError: b failed"),
    ]


def test_each_block_of_a_test_that_failed_and_erred_keeps_its_own_summary_line() -> None:
    lines = (STYLES / "teardown_default.txt").read_text().split("\n")
    parsed = read_logs([str(STYLES / "teardown_default.txt")])
    for failure in parsed.failures:
        summary = lines[int(failure.details["summary_line"]) - 1]
        assert summary.startswith(failure.details["outcome"].upper() + " "), summary
    assert [(s.failures, s.read) for s in parsed.summaries] == [(3, 3)]


def test_a_qq_run_whose_only_line_is_its_progress_marks(run_cli: RunCli) -> None:
    """`-qq --no-summary` prints `FEF  [100%]` and nothing else: pytest's, and 3 failures not
    read, not a clean run."""
    log = STYLES / "teardown_qq.txt"
    assert detect_format(log.read_bytes()) == "pytest"
    [run] = read_logs([str(log)]).summaries
    assert (run.failures, run.read) == (3, 0) and "mark 3 failure(s)" in run.text
    code, out, _ = run_cli("triage", str(log), "--no-history")
    assert code == 1 and "3 of the 3 failures the runner counted were not read" in out


def test_tb_native_messages_are_the_exception_line() -> None:
    """Not what follows it: Hypothesis' reproduction, the rewritten assert's explanation."""
    assert [(name, message) for name, _, message in said("native.txt")] == [
        (
            "test_queuepool_asserted",
            "AssertionError: checkout failed: QueuePool limit of size 1 overflow 0 reached, "
            "connection timed out, timeout 0.10 (Background on this error at: "
            "https://sqlalche.me/e/21/3o7r)",
        ),
        (
            "test_hypothesis_pool",
            "sqlalchemy.exc.TimeoutError: QueuePool limit of size 1 overflow 0 reached, "
            "connection timed out, timeout 0.10 (Background on this error at: "
            "https://sqlalche.me/e/21/3o7r)",
        ),
        ("test_worker_answers", "AssertionError: worker 1 did not answer"),
    ]


SUBTESTS = [
    ("test_workers [worker] (i=1)", "AssertionError: worker 1 did not answer"),
    ("test_workers [worker] (i=3)", "AssertionError: worker 3 did not answer"),
    ("test_workers", "contains 2 failed subtests"),
    ("test_plain", "AssertionError: plain failure"),
]


@pytest.mark.parametrize("style", ["default", "tbline", "tbno"])
def test_subtests_are_read_in_every_style(style: str) -> None:
    """`SUBFAILED[worker] (i=1) nodeid - message`: each failed subtest is a failure named as
    its block's header names it, and --tb=line's blocks keep their own tests."""
    parsed = read_logs([str(STYLES / f"subtests_{style}.txt")])
    got = sorted((f.name, f.message.split("\n")[0]) for f in parsed.failures)
    wanted = sorted(SUBTESTS)
    if style == "tbno":  # the summary cuts its messages short
        wanted = [(name, message[:20]) for name, message in wanted]
        got = [(name, message[:20]) for name, message in got]
    assert got == wanted
    assert [(s.failures, s.read) for s in parsed.summaries] == [(4, 4)]


def test_subtests_in_junit_are_each_a_failure() -> None:
    """pytest writes a `<failure>` for each failed subtest, and one for the test, in the same
    `<testcase>`: the suite's failures="4" counts each."""
    parsed = read_logs([str(STYLES / "subtests_junit.xml")])
    assert [(f.name, f.message.split("\n")[0]) for f in parsed.failures] == [
        ("test_workers", message) for _, message in SUBTESTS[:3]
    ] + [SUBTESTS[3]]
    assert [(s.failures, s.read) for s in parsed.summaries] == [(4, 4)]


def test_without_summary_lines_the_verbose_lines_name_each_test_s_file() -> None:
    """`-v --tb=native -rN`: a block names only its test; the `-v` lines, in the same order,
    give the file and class, so that two `test_conn` of two files stay two tests."""
    parsed = read_logs([str(STYLES / "ids_native_rN.txt")])
    assert [(f.name, f.group, f.details["nodeid"]) for f in parsed.failures] == [
        ("test_conn", "ids/test_a.py", "ids/test_a.py::test_conn"),
        ("TestPool.test_size", "ids/test_a.py::TestPool", "ids/test_a.py::TestPool::test_size"),
        ("test_conn", "ids/test_b.py", "ids/test_b.py::test_conn"),
    ]
    assert all("summary_line" not in f.details for f in parsed.failures)


@pytest.mark.parametrize(
    "path",
    [*(SETUP_KEY / f"{s}.txt" for s in ("default", "short", "native", "tb_no")), SETUP_KEY_XML],
    ids=lambda p: p.name,
)
def test_a_fixture_s_key_error_gets_one_verdict_in_every_style(path: Path) -> None:
    """A fixture reading a key its settings do not hold errors at setup: the full traceback
    (and the JUnit error, `failed on setup with …`) says so as its phase, as the summary line
    alone (`--tb=no`) says ERROR; the verdict is the same in each."""
    parsed = read_logs([str(path)])
    (failure,) = parsed.failures
    assert failure.message == "KeyError: 'pool_name'"
    if path.name != "tb_no.txt":
        assert failure.details["phase"] == "setup"
    (finding,) = triage(parsed, load_patterns()).findings
    assert isinstance(finding.outcome, Diagnosis), finding.outcome
    assert finding.outcome.pattern_id == "fixture-key-mismatch"


GROUPS = Path(__file__).parent / "fixtures" / "pytest" / "exception_group"
GROUPS_XML = Path(__file__).parent / "fixtures" / "junit" / "pytest_exception_group.xml"
TIMEOUT = "TimeoutError: timed out waiting for a free worker after 100ms"


@pytest.mark.parametrize(
    "path",
    [*(GROUPS / f"{s}.txt" for s in ("default", "short", "native")), GROUPS_XML],
    ids=lambda p: p.name,
)
def test_an_exception_group_is_read_from_the_exceptions_it_holds(path: Path) -> None:
    """pytest prints an exception group behind `  | `, with no `E` line: its own line is the
    message (not the summary's cut `ExceptionGroup: unhan...`), and its sub-exceptions are
    what it says too, so that a checkout timeout in a TaskGroup is diagnosed as it is alone
    (gather)."""
    parsed = read_logs([str(path)])
    by_name = {f.name: f for f in parsed.failures}
    group = by_name["test_callers_in_a_task_group"]
    assert group.message == "ExceptionGroup: unhandled errors in a TaskGroup (2 sub-exceptions)"
    assert group.kind == "ExceptionGroup"
    assert group.details["sub-exceptions"] == TIMEOUT
    hypothesis = by_name["test_two_distinct_failures"]
    assert hypothesis.message.startswith("ExceptionGroup: Hypothesis found 2 distinct failures")
    assert hypothesis.details["sub-exceptions"].split("\n") == [
        "TimeoutError: timed out waiting for a free worker",
        "KeyError: 'worker_id'",
    ]
    report = triage(parsed, load_patterns())
    verdicts = {}
    for finding in report.findings:
        assert isinstance(finding.outcome, Diagnosis), finding.outcome
        verdicts[finding.failure.name] = (finding.outcome.pattern_id, finding.outcome.confidence)
    alone = verdicts["test_callers_gathered"]
    assert alone[0] == "checkout-timeout-waiters"
    assert verdicts["test_callers_in_a_task_group"] == alone
    assert verdicts["test_two_distinct_failures"][0] == alone[0]
