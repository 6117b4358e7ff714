"""Jest's console failure blocks (`● Suite › test`, the error, the code frame, the `at` lines;
`● Test suite failed to run`) are read into failures and classified (real captures:
capture_jest_blocks.sh, capture_jest_color.sh, capture_other_runners.sh). Before, its verdict
`Tests:  4 failed, …` counted them and none was read: `4 of the 4 failures the runner counted
were not read`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

MIXED = Path(__file__).parent / "fixtures" / "mixed"
JEST = MIXED / "jest_blocks"
# each block of the suite's run: its test, its file, its place
BLOCKS = [
    ("Pool › request is answered", "pool.test.js", "pool.js:27"),
    ("Pool › second checkout waits", "pool.test.js", "pool.js:21"),
    ("Pool › jobs › start without program_id", "pool.test.js", "pool.test.js:20"),
    ("Pool › jobs › reply shape", "pool.test.js", "pool.test.js:24"),
    ("Test suite failed to run", "broken.test.js", "broken.test.js:1"),
]


@pytest.mark.parametrize("log", ["plain.txt", "color.txt", "summary.txt"])
def test_each_block_is_read_once_and_the_run_counts_its_failures_read(log: str) -> None:
    """No colours, colours with the tests' tree (`--verbose`), and past 20 test files, where
    Jest prints every block again under `Summary of all failing tests`: each block once. The
    file that failed to run is read too, and is not in `Tests:`'s count: 4 of 4 read."""
    parsed = read_logs([str(JEST / log)])
    assert [(f.name, f.group, f.location) for f in parsed.failures] == BLOCKS
    assert {(f.source, f.details["runner"]) for f in parsed.failures} == {("jest", "Jest")}
    [jest] = parsed.summaries
    assert (jest.source, jest.failures, jest.read) == ("Jest", 4, 4)
    assert not [note for note in parsed.skipped if "its own failure blocks are not read" in note]


def test_a_block_reads_its_message_diff_code_and_stack() -> None:
    parsed = read_logs([str(JEST / "plain.txt")])
    by_name = {f.name: f for f in parsed.failures}
    shape = by_name["Pool › jobs › reply shape"]
    assert shape.message.splitlines()[0] == "expect(received).toEqual(expected) // deep equality"
    assert '+   "result": "pong",' in shape.message
    assert "toEqual({ id: 1, result: 'pang' })" in shape.details["code"]
    assert shape.stacktrace == ("Object.toEqual (pool.test.js:24:41)",)
    # a matcher's failed expectation is the test's assertion, as Jasmine's, AVA's and uvu's (it
    # was of no kind); a thrown error printed without its class stays of none
    assert shape.kind == "AssertionError"
    job = by_name["Pool › jobs › start without program_id"]
    assert job.message == "program_id is required"
    assert job.kind == ""
    assert job.stacktrace == ("startJob (pool.js:40:40)", "Object.startJob (pool.test.js:20:7)")


def test_the_pool_failures_are_classified(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "triage", str(JEST / "color.txt"), "--no-history", "-f", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["unread"] == 0
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in report["findings"]}
    assert patterns["Pool › request is answered"] == "port-no-response"
    assert patterns["Pool › second checkout waits"] == "checkout-timeout-waiters"
    assert patterns["Pool › jobs › start without program_id"] == "required-field-missing"


def test_a_jest_run_after_a_clean_pytest_run_is_read() -> None:
    """`pytest_then_jest.log` (capture_other_runners.sh): an error thrown with its kind in its
    message, `TimeoutError: ResourceRequest timed out`, is of that kind."""
    parsed = read_logs([str(MIXED / "pytest_then_jest.log")])
    read = [(f.name, f.kind, f.message) for f in parsed.failures]
    assert read == [
        ("Pool › checkout times out", "TimeoutError", "ResourceRequest timed out"),
        ("Pool › connect refused", "", "connect ECONNREFUSED 127.0.0.1:5432"),
    ]
    clean, jest = parsed.summaries
    assert (jest.start, jest.failures, jest.read) == (clean.line + 1, 2, 2)
    assert parsed.skipped == []


def test_two_runs_in_one_log_and_a_run_cut_in_a_block(tmp_path: Path) -> None:
    """The summary run then the plain run in one log: each run's blocks are its own (the second
    comes after the first's summary heading, and is no summary). Cut in its third block: the
    blocks printed are read, the third as far as it goes."""
    two = tmp_path / "two.txt"
    two.write_text((JEST / "summary.txt").read_text() + (JEST / "plain.txt").read_text())
    parsed = read_logs([str(two)])
    assert [f.name for f in parsed.failures] == [b[0] for b in BLOCKS] * 2
    assert [(s.failures, s.read) for s in parsed.summaries] == [(4, 4), (4, 4)]
    cut = tmp_path / "cut.txt"
    cut.write_text("".join((JEST / "plain.txt").read_text().splitlines(keepends=True)[:33]))
    parsed = read_logs([str(cut)])
    assert [f.name for f in parsed.failures] == [b[0] for b in BLOCKS[:3]]
