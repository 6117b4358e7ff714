"""bats' pretty formatter (`bats -p`) is read test by test: each `✗ name` a failure grouped by
its test file's line above it, placed at its `(in test file F, line N)`, its message the lines
indented below it; `✗ setup_file failed` and `✗ teardown_file failed` too; its closing line
(`7 tests, 5 failures, 1 skipped`, ExUnit's shape) the verdict of a bats run. Before, such a log
was read as ExUnit's: 0 failures, each one counted said unread. Real captures of
`src/bats_pretty_suite` (`tests/fixtures/src/capture_bats_pretty.sh`: bats 1.8.2, a pool of real
worker processes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "bats_pretty_runs"
POOL = [
    ("a second caller checks out within 200ms", "pool.bats:13", "checkout-timeout-waiters"),
    ("a silent worker answers within the request timeout", "pool.bats:19", "port-no-response"),
    ("a worker stays up", "pool.bats:25", "-"),
    ("a job starts", "pool.bats:29", "required-field-missing"),
    (
        "a caller waiting through shutdown gets a worker",
        "pool.bats:35",
        "pool-shutdown-during-checkout",
    ),
]
PLAIN = [
    ("the pool counts its workers", "plain.bats:11", "-"),
    ("an answer holds its ok", "plain.bats:16", "-"),
    ("the status command succeeds", "plain.bats:21", "-"),
    ("worker answers ping", "plain.bats:30", "port-no-response"),
]
SETUP_FILE = [("setup_file failed", "setup_file.bats:7", "dependency-not-started")]
# BATS_TEST_TIMEOUT stopped it: bats counts it apart from its failures (`1 timed out`)
TIMED_OUT = [("a silent worker answers before the test's timeout", "timeout.bats:4", "-")]
TEARDOWN_FILE = [("teardown_file failed", "teardown_file.bats:6", "-")]


def _triage(capsys: pytest.CaptureFixture[str], log: str) -> dict[str, Any]:
    code, out, _ = run(capsys, "triage", str(RUNS / log), "--no-history", "--format", "json")
    assert code == 1
    report: dict[str, Any] = json.loads(out)
    return report


def _read(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (f["failure"]["name"], f["failure"]["location"], f["outcome"].get("pattern_id", "-"))
        for f in report["findings"]
    ]


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        ("pool.txt", POOL),
        ("files.txt", PLAIN + POOL + SETUP_FILE + TEARDOWN_FILE),
        ("dumb.txt", SETUP_FILE + PLAIN),
        ("timing.txt", POOL + PLAIN),
        ("trace.txt", PLAIN),
        ("timeout.txt", TIMED_OUT + POOL),
        ("mix_then_bats_pretty.log", POOL),
    ],
)
def test_each_failed_test_is_read_placed_and_classified(
    capsys: pytest.CaptureFixture[str], log: str, expected: list[tuple[str, str, str]]
) -> None:
    report = _triage(capsys, log)
    assert report["summary"]["failures"] == len(expected)
    assert report["summary"]["unread"] == 0
    assert _read(report) == expected
    for finding in report["findings"]:
        failure = finding["failure"]
        assert failure["source"] == "bats"
        assert failure["group"] == failure["location"].split(":")[0]  # its test file


def test_the_message_is_what_bats_printed_under_the_test() -> None:
    parsed = read_logs([str(RUNS / "files.txt")])
    by_name = {f.name: f for f in parsed.failures}
    assert by_name["the status command succeeds"].message == (
        "`assert_success' failed\n\n-- command failed --\nstatus : 4\noutput : pool_a: 1 worker\n--"
    )
    timeout = by_name["a second caller checks out within 200ms"]
    assert timeout.kind == "TimeoutError"  # the traceback the test's command printed
    assert timeout.message.splitlines()[-1] == (
        "TimeoutError: checkout timed out after 0.2s: pool pool_a has 0 idle workers, 1 waiting"
    )
    assert by_name["teardown_file failed"].message == "`false' failed\nstopping pool 'db'"
    # a helper's function failed: the test file's frame, below the helper's, places it
    helper = by_name["worker answers ping"]
    assert (helper.location, helper.group) == ("plain.bats:30", "plain.bats")
    assert helper.message == "`ping_worker' failed\nworker 1 did not answer 'ping' within 0.5s"


@pytest.mark.parametrize(
    ("log", "runs"),
    [
        ("files.txt", [("bats", 11, 11)]),
        ("timing.txt", [("bats", 9, 9)]),
        ("timeout.txt", [("bats", 6, 6)]),  # `9 tests, 5 failures, 1 skipped, 1 timed out`
        # a clean `mix test` run, then bats': ExUnit's closing line stays ExUnit's
        ("mix_then_bats_pretty.log", [("closing line", 0, 0), ("bats", 5, 5)]),
    ],
)
def test_the_closing_line_is_the_verdict_of_a_bats_run(
    log: str, runs: list[tuple[str, int, int]]
) -> None:
    parsed = read_logs([str(RUNS / log)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == runs
    assert not any("not read" in note for note in parsed.skipped)


def test_a_clean_run_is_bats_by_its_passed_tests_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """`bats -p clean.bats`, every test passed or skipped (`4 tests, 0 failures, 1 skipped`,
    capture_bats_pretty_ends.sh): its `✓` lines make its closing line bats'. It was read as
    ExUnit's (`read 8 lines (exunit)`), that closing line ExUnit's shape."""
    parsed = read_logs([str(RUNS / "clean.txt")])
    assert parsed.failures == []
    assert [(s.source, s.failures) for s in parsed.summaries] == [("bats", 0)]
    assert parsed.formats == {str(RUNS / "clean.txt"): "bats"}
    code, out, _ = run(capsys, "triage", str(RUNS / "clean.txt"), "--no-history")
    assert code == 0 and "read 8 lines (bats)" in out


def test_a_run_killed_in_a_test_is_that_test_failed_its_cut_name_said_cut(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`timeout 5 bats -p stopped.bats`, killed in its second test (a caller waiting on a
    silent worker, capture_bats_pretty_ends.sh): the log ends in that test's running line, on
    which bats cut its name to 80 columns (`…as...`); the result line, which holds names whole
    (clean.txt's `✓ a checked out worker … before the deadline passes`), was never printed. It
    was refused (`format not recognised`, exit 2): it is one failure, the test it stopped in,
    its name ending in `…` and its message saying the name is cut."""
    report = _triage(capsys, "stopped.txt")
    assert report["summary"]["failures"] == 1
    failure = report["findings"][0]["failure"]
    assert failure["name"] == (
        "a silent worker answers the request of a caller that waits for it as…"
    )
    assert (failure["group"], failure["source"], failure["kind"]) == (
        "stopped.bats",
        "bats",
        "stopped",
    )
    assert failure["message"].startswith("the run ended while this test ran: bats printed no")
    assert "its name is cut" in failure["message"]
    assert report["extra"]["formats"] == {str(RUNS / "stopped.txt"): "bats, no verdict"}
