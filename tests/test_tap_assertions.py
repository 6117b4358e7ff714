"""TAP producers whose YAML explains a failed assertion without node --test's `error` field:
node-tap 21 (TAP version 14, each test's assertions its subtests) and tape. Real captures of
`src/more_runners_suite/js` (`tests/fixtures/src/capture_tap14.sh`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "tap_runs"
P1, P3, P5 = "port-no-response", "checkout-timeout-waiters", "required-field-missing"


def _report(capsys: pytest.CaptureFixture[str], name: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, "triage", str(RUNS / name), "--no-history", "--format", "json")
    return code, json.loads(out)


def _read(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Each failure's message's first line, place and pattern."""
    return [
        (
            f["failure"]["message"].partition("\n")[0],
            f["failure"]["location"],
            f["outcome"].get("pattern_id", "unclassified"),
        )
        for f in report["findings"]
    ]


def test_node_tap_s_test_failed_by_its_assertion_is_one_failure_with_its_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """node-tap prints a failed assertion as a subtest's `not ok` (its YAML: stack, `at`, diff,
    cause), then its test's `not ok … # time=…` (its YAML: where the test was called), then the
    file's: four failed tests (`# { total: 5, pass: 1, fail: 4 }`) were eight failures, none
    with a message, none classified."""
    code, report = _report(capsys, "node_tap14.log")
    assert code == 1
    assert report["summary"]["failures"] == 4 and report["summary"]["unread"] == 0
    read = _read(report)
    assert read[0] == (
        "checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting",
        "pool.mjs:36",
        P3,
    )
    assert read[1][0].startswith("No response received from worker pid ")
    assert read[1][1:] == ("pool.mjs:46", P1)
    assert read[2] == ("KeyError: 'program_id is required'", "tap.test.mjs:20", P5)
    assert read[3] == ("one and one", "tap.test.mjs:24", "unclassified")
    arithmetic = report["findings"][3]["failure"]["message"]
    assert "-3\n+2" in arithmetic  # its diff
    assert not any("not read" in str(note) for note in report["notes"])


def test_tape_s_failed_assertions_say_what_they_compared_and_where(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report = _report(capsys, "tape.log")
    assert code == 1
    assert report["summary"]["failures"] == 4 and report["summary"]["unread"] == 0
    read = _read(report)
    assert read[0][0] == (
        "Error: checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting"
    )
    assert read[0][1].endswith("/pool.mjs:36") and read[0][2] == P3
    assert read[1][0].startswith("Error: No response received from worker pid ")
    assert read[1][1].endswith("/pool.mjs:46") and read[1][2] == P1
    assert read[2][0] == "the job starts"  # (its actual: the KeyError it threw)
    assert read[2][1].endswith("/tape.test.mjs:27") and read[2][2] == P5
    assert read[3][1].endswith("/tape.test.mjs:32") and read[3][2] == "unclassified"
    job = report["findings"][2]["failure"]["message"]
    assert "actual: [Error: KeyError: 'program_id is required']" in job
    assert report["findings"][3]["failure"]["message"] == "one and one\nexpected: 3\nactual: 2"


def test_node_tap_s_time_is_no_part_of_a_test_s_name() -> None:
    from poolctl.logs.tap_block import own_name

    assert own_name("    not ok 4 - arithmetic # time=18.925ms") == "arithmetic"
    assert own_name("not ok 2 - resize \\# time=1ms") == "resize # time=1ms"


def test_node_tap_s_thrown_error_is_of_its_name_and_an_assertion_an_assertion_error() -> None:
    """An error node-tap caught in a test (`tapCaught`) was of kind 'not ok': its `type:` names
    it, written for any name but Error (`tests/fixtures/src/capture_tap_thrown.sh`)."""
    thrown = read_logs([str(RUNS / "node_tap_thrown.log")]).failures
    assert [(f.kind, f.location) for f in thrown] == [
        ("TypeError", "tap_thrown.test.mjs:15"),
        ("WorkerTimeoutError", "tap_thrown.test.mjs:23"),
        ("Error", "pool.mjs:36"),
    ]
    # tap.test.mjs: two tests whose promise was rejected with an Error, then two assertions
    # (doesNotThrow, equal) that failed and threw nothing out of the test: AssertionError, as
    # node-tap's own reporter's entries of them are read (were 'not ok')
    kinds = [f.kind for f in read_logs([str(RUNS / "node_tap14.log")]).failures]
    assert kinds == ["Error", "Error", "AssertionError", "AssertionError"]


def test_tape_s_assertion_is_an_assertion_error_and_a_thrown_error_of_its_class() -> None:
    """tape names each failure's `operator`: every one was of kind Error (its stack's first
    line, `Error: <the assertion's name>` for an assertion). An assertion (`equal`, `deepEqual`,
    `ok`, `throws`) is an AssertionError as Jest's, Jasmine's and AVA's are; an error thrown in
    the test (`operator: error`) is of the class its stack names, placed where it was thrown
    (`tests/fixtures/src/capture_tape_thrown.sh`)."""
    thrown = read_logs([str(RUNS / "tape_thrown.log")]).failures
    assert [(f.kind, f.location.rpartition("/")[2]) for f in thrown] == [
        ("TypeError", "tape_thrown.test.mjs:15"),
        ("WorkerTimeoutError", "tape_thrown.test.mjs:26"),  # (`at file:///…:26:13`, no name)
        ("AssertionError", "tape_thrown.test.mjs:37"),
        ("AssertionError", "tape_thrown.test.mjs:46"),
    ]
    # tape.log: two rejections with an Error, then doesNotThrow's and equal's assertions
    kinds = [f.kind for f in read_logs([str(RUNS / "tape.log")]).failures]
    assert kinds == ["Error", "Error", "AssertionError", "AssertionError"]


def test_a_tape_run_an_uncaught_error_ended_counts_the_test_it_was_in(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """tape catches no synchronous throw: node prints the error and `Node.js v20.20.2`, the TAP
    stream ends with no plan nor count (`tests/fixtures/src/capture_tape_crash.sh`). Its two
    `not ok` lines were the run's failures, the third test's lost, with a note that the run was
    killed and the test it was in is not named, though tape's `# a sync throw` heads it. It is
    one more failure now, of the error node printed."""
    code, report = _report(capsys, "tape_crash.log")
    assert code == 1
    assert report["summary"]["failures"] == 3 and report["summary"]["unread"] == 0
    crash = report["findings"][2]["failure"]
    assert (crash["name"], crash["kind"], crash["message"]) == (
        "a sync throw",
        "Error",
        "KeyError: 'program_id is required'",
    )
    assert crash["location"].endswith("/pool.mjs:65")
    assert report["findings"][2]["outcome"]["pattern_id"] == P5
    [note] = [n for n in report["notes"] if "TAP stream" in n]
    assert "an uncaught Error ended its process" in note and "'a sync throw'" in note
