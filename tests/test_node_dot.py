"""`node --test --test-reporter=dot` (real captures: tests/fixtures/src/capture_node_dot.sh, node
20): its marks, then `Failed tests:` and each failed test's or suite's `✖ NAME (TIME)` and error.
It prints no count. Before, a log of it alone was "format not recognised" (exit 2), and after a
clean pytest run in one log it passed as clean (exit 0)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

DOT = Path(__file__).parent / "fixtures" / "mixed" / "node_dot"
FAILED = [
    # name, place (its first stack frame in the test file), kind, first line of its message
    ("bridge answers", "Error", "No response received from the Python bridge within 5000ms"),
    ("checkout 17", "AssertionError", "Expected values to be strictly equal:"),
    ("returns a worker", "AssertionError", "Expected values to be strictly equal:"),
    ("closes", "Error", "program_id is required"),
]


@pytest.mark.parametrize("log", ["dot.log", "dot_color.log", "pytest_then_node_dot.log"])
def test_each_failure_of_the_failed_tests_section_is_read(log: str) -> None:
    """The four tests that failed of their own error are read; the todo test's failure
    (`✖ resize (…) # pool v2`) is not one; the suites `checkout` and `pool` and the test
    `session`, each `'1 subtest failed'`, are read as their subtests are: 7 of 7."""
    parsed = read_logs([str(DOT / log)])
    assert [(f.name, f.kind, f.message.splitlines()[0]) for f in parsed.failures] == FAILED
    assert all(f.details["runner"] == "node --test" for f in parsed.failures)
    assert parsed.failures[0].location == "/tmp/node_dot_suite/pool.test.mjs:10"
    assert "17 !== 18" in parsed.failures[1].message
    node = parsed.summaries[-1]
    assert (node.source, node.failures, node.read) == ("node --test", 7, 7)
    assert not [note for note in parsed.skipped if "its own failure blocks are not read" in note]


def test_after_a_clean_pytest_run_the_node_run_is_its_own() -> None:
    parsed = read_logs([str(DOT / "pytest_then_node_dot.log")])
    clean, node = parsed.summaries
    assert (clean.failures, node.failures) == (0, 7)
    assert node.start == clean.line + 1  # its marks are its output


def test_the_failures_are_classified_and_none_is_left_unread(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "triage", str(DOT / "dot.log"), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (4, 0)
    patterns = {
        f["failure"]["name"]: f["outcome"].get("pattern_id", "") for f in report["findings"]
    }
    assert patterns == {
        "bridge answers": "port-no-response",
        "returns a worker": "pool-shutdown-during-checkout",
        "closes": "required-field-missing",
        "checkout 17": "",
    }


def test_a_log_cut_in_the_section_counts_what_its_marks_say(tmp_path: Path) -> None:
    """Cut after 30 lines (as a CI log cut short is), in `checkout 17`'s entry: its 8 `X` marks,
    less the todo test's entry, count 7; the 2 entries read with an error are read, the rest
    not (the entries alone count 2)."""
    cut = tmp_path / "cut.log"
    cut.write_text("".join((DOT / "dot.log").read_text().splitlines(keepends=True)[:30]))
    parsed = read_logs([str(cut)])
    assert [f.name for f in parsed.failures] == ["bridge answers", "checkout 17"]
    [node] = parsed.summaries
    assert (node.failures, node.read) == (7, 2)


def test_a_failed_tests_heading_with_no_entry_of_node_s_is_no_run(tmp_path: Path) -> None:
    """An old Maven Surefire's `Failed tests:` with its tests' names indented under it (and a
    pytest run before it, so that the log is read): no node run."""
    log = tmp_path / "surefire.log"
    pytest_run = (DOT / "pytest_then_node_dot.log").read_text().split("\n.XX")[0]
    log.write_text(f"{pytest_run}\nFailed tests: \n  testAdd(com.example.CalculatorTest)\n\n")
    parsed = read_logs([str(log)])
    assert parsed.failures == [] and len(parsed.summaries) == 1
