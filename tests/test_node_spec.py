"""`node --test` under its spec reporter (node's default on a terminal, in CI for newer
releases; real capture: tests/fixtures/src/capture_node_spec.sh): the failures of its closing
section (`✖ failing tests:`, each `test at FILE:LINE:COL`, `✖ NAME (TIME)`, the error) are read
and classified. Before, its `ℹ fail 5` counted them and none was read: `5 of the 5 failures the
runner counted were not read`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

LOG = Path(__file__).parent / "fixtures" / "mixed" / "node_spec" / "node_spec.log"


def test_each_failure_of_the_closing_section_is_read_once() -> None:
    """The four failures printed inline above `ℹ fail 5` are the section's four again: each is
    read once, from the section (lines 91 on), with its place from its `test at` line."""
    parsed = read_logs([str(LOG)])
    read = [
        (f.name, f.group, f.location, f.kind, f.message.splitlines()[0], f.line_start)
        for f in parsed.failures
    ]
    assert read == [
        (
            "bridge answers",
            "pool.test.mjs",
            "pool.test.mjs:9",
            "Error",
            "No response received from the Python bridge within 5000ms",
            91,
        ),
        (
            "worker reply",
            "pool.test.mjs",
            "pool.test.mjs:13",
            "AssertionError",
            "Expected values to be strictly deep-equal:",
            102,
        ),
        (
            "pool > checkout > returns a worker",
            "pool.test.mjs",
            "pool.test.mjs:20",
            "AssertionError",
            "Expected values to be strictly equal:",
            127,
        ),
        (
            "session > closes",
            "pool.test.mjs",
            "pool.test.mjs:28",
            "Error",
            "program_id is required",
            152,
        ),
    ]
    assert all(f.details["runner"] == "node --test" for f in parsed.failures)
    bridge, reply, worker, _ = parsed.failures
    # an assertion's diff is part of its message; the stack is not
    assert "+ '{:shutdown, {NimblePool, :checkout, [:test_pool_5]}}'" in worker.message
    assert "+   result: 'pong'" in reply.message and "at " not in reply.message
    assert reply.details["code"] == "ERR_ASSERTION"
    assert bridge.stacktrace[0].startswith("TestContext.<anonymous> (file:///tmp/")


def test_the_run_counts_its_failures_read_and_its_test_failed_by_a_subtest() -> None:
    """node counts `session`, failed by its subtest `closes` alone, as a failure (`ℹ fail 5`)
    and leaves it out of the section: it is read as its subtest is; the describe suites `pool`
    and `checkout`, printed alike inline, are not counted."""
    parsed = read_logs([str(LOG)])
    [node] = parsed.summaries
    assert (node.source, node.line, node.failures, node.read) == ("node --test", 83, 5, 5)
    assert node.output_end == 162  # the section, below the verdict, is the run's output
    assert not [note for note in parsed.skipped if "its own failure blocks are not read" in note]


def test_the_failures_are_classified_and_none_is_left_unread(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "triage", str(LOG), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["unread"] == 0
    patterns = {
        f["failure"]["name"]: f["outcome"].get("pattern_id", "") for f in report["findings"]
    }
    assert patterns == {
        "bridge answers": "port-no-response",
        "pool > checkout > returns a worker": "pool-shutdown-during-checkout",
        "session > closes": "required-field-missing",
        "worker reply": "",
    }


def test_a_spec_run_after_a_clean_pytest_run_is_read_but_its_todo_test() -> None:
    """A clean `pytest` run, then `node --test` under the spec reporter (real capture:
    capture_other_runners.sh, `pytest_then_node_spec.log`; it was a case of an unread runner's run,
    `test_logs_formats`): its section lists a todo test that failed too, `✖ resize (…ms) # pool
    v2`, which `ℹ fail 2` does not count (`ℹ todo 1`): not read as a failure."""
    parsed = read_logs([str(LOG.parent.parent / "pytest_then_node_spec.log")])
    assert [(f.name, f.location, f.message) for f in parsed.failures] == [
        ("Pool > checkout times out", "pool.test.mjs:6", "TimeoutError: ResourceRequest timed out"),
        ("Pool > connect refused", "pool.test.mjs:7", "connect ECONNREFUSED 127.0.0.1:5432"),
    ]
    clean, node = parsed.summaries
    assert (node.source, node.start, node.failures, node.read) == ("node --test", 10, 2, 2)
    assert node.start == clean.line + 1 and parsed.skipped == []


def test_a_log_cut_in_the_section_does_not_read_its_missing_failures(tmp_path: Path) -> None:
    """The capture cut after the section's second block (as a CI log cut short is): two of the
    four failures printed inline are read; the test failed by its subtest is not taken as read
    (the suites' `✖` lines, alike, would have filled the count): 2 of 5, the rest not read."""
    cut = tmp_path / "cut.log"
    cut.write_text("".join(LOG.read_text().splitlines(keepends=True)[:126]))
    parsed = read_logs([str(cut)])
    assert [f.name for f in parsed.failures] == ["bridge answers", "worker reply"]
    [node] = parsed.summaries
    assert (node.failures, node.read) == (5, 2)
