"""A test's captured output may print what pytest prints: a summary line, a closing line, a
whole inner session (pytester). None of it is a failure of the run, and the run does not end
there. Real captures of `tests/fixtures/src/pytest_lookalike_suite` (see the fixtures' README).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.passes import nodeid_parts, pytest_test
from poolctl.model import Failure

CAPTURES = Path(__file__).parent / "fixtures" / "pytest" / "lookalike"

# the run's failures as its short summary names them, with the start of each message
EXPECTED = {
    "test_param[a b]": "AssertionError: bad a b",
    "test_param[x::y]": "AssertionError: bad x::y",
    "test_param[with - dash]": "AssertionError: bad with - dash",
    "test_prints_a_fake_summary": "assert False",
    "test_teardown_error": "RuntimeError: teardown: {:shutdown, {NimblePool",
    "test_exception_group": "ExceptionGroup: checkouts",
    "test_xpass_strict": "[XPASS(strict)]",
    "test_worker_timeout": "TimeoutError: No response received",
    "test_inner_run_counts_its_failures": "AssertionError",
    "test_after_the_inner_run": "AssertionError: the outer run goes on",
}
CAPTURED = sorted(p.name for p in CAPTURES.glob("*.txt"))


def failures_of(name: str) -> list[Failure]:
    parsed = read_logs([str(CAPTURES / name)])
    assert parsed.formats == {str(CAPTURES / name): "pytest"}
    (closing,) = [s for s in parsed.summaries if s.source == "closing line"]
    assert closing.failures == len(EXPECTED) and closing.read == len(EXPECTED)
    return parsed.failures


def test_every_traceback_style_was_captured() -> None:
    assert CAPTURED == [
        "rA.txt",
        "s.txt",
        "tb_auto.txt",
        "tb_line.txt",
        "tb_native.txt",
        "tb_short.txt",
        "xdist_verbose.txt",
    ]


@pytest.mark.parametrize("name", CAPTURED)
def test_each_failure_is_read_once_under_its_own_name(name: str) -> None:
    failures = failures_of(name)
    assert sorted(f.name for f in failures) == sorted(EXPECTED)
    text = (CAPTURES / name).read_text(encoding="utf-8")
    # what the tests printed is in the file, and no failure of its own
    assert "test_ghost" in text and "test_inner_fails" in text


@pytest.mark.parametrize("name", CAPTURED)
def test_each_failure_keeps_its_own_summary_line(name: str) -> None:
    for failure in failures_of(name):
        said = failure.details["summary"].removesuffix("...").rstrip()
        assert said and EXPECTED[failure.name][: len(said)] == said[: len(EXPECTED[failure.name])]


def test_line_tracebacks_are_matched_to_their_summary_lines_by_message() -> None:
    """`--tb=line` names no test: each `path.py:12: message` line goes to the summary line
    that gives its message, though a strict xpass prints no such line and an exception group
    prints a traceback before it."""
    for failure in failures_of("tb_line.txt"):
        assert failure.message.startswith(EXPECTED[failure.name]), failure
        assert failure.name != "test_prints_a_fake_summary" or failure.line_start < 35


def test_the_printed_closing_line_leaves_the_blocks_after_it_in_the_run() -> None:
    failures = {f.name: f for f in failures_of("tb_auto.txt")}
    inner = failures["test_inner_run_counts_its_failures"]
    # the inner session, its FAILURES section and its closing line, stay in the outer test's
    # captured output
    captured = inner.details["captured stdout call"]
    assert "test_inner_fails" in captured and "1 failed, 1 passed" in captured
    assert failures["test_after_the_inner_run"].line_start > inner.line_end


def test_a_parameter_id_keeps_its_own_double_colon() -> None:
    assert nodeid_parts("t.py::TestA::test_b[x::y]") == ["t.py", "TestA", "test_b[x::y]"]
    assert nodeid_parts("t.py::test_b") == ["t.py", "test_b"]
    passed = pytest_test("dir/t.py::TestA::test_b[a::b-c]")
    assert (passed.name, passed.group) == ("TestA.test_b[a::b-c]", "dir/t.py::TestA")


def test_a_run_cut_in_captured_output_leaves_the_next_run_whole(tmp_path: Path) -> None:
    """A run killed while it printed a test's captured output, then the suite run again (a
    CI step's retry): a session in the run's own `rootdir` is no test's output, where
    pytester's sessions run in folders of their own. (Two real captures of the suite, the
    first cut in its pytester test's captured output.)"""
    first = (CAPTURES / "tb_auto.txt").read_text(encoding="utf-8")
    cut = first[: first.index("_" * 27 + " test_after_the_inner_run")]
    # the cut falls in a test's captured output, after the inner session it printed
    assert re.search(r" 1 failed, 1 passed in [\d.]+s =+$", cut.rstrip().splitlines()[-1])
    retry = (CAPTURES / "tb_short.txt").read_text(encoding="utf-8")  # its own folder again
    log = tmp_path / "retried.txt"
    log.write_text(cut + retry, encoding="utf-8")
    parsed = read_logs([str(log)])
    second = [f.name for f in parsed.failures if f.line_start > cut.count("\n")]
    assert sorted(second) == sorted(EXPECTED)
    # the cut run's progress line marks its failures; the cut came before its last block
    runs = [(s.source, s.failures, s.read) for s in parsed.summaries]
    assert runs == [
        ("progress marks", len(EXPECTED), len(EXPECTED) - 1),
        ("closing line", len(EXPECTED), len(EXPECTED)),
    ]


QUIET = Path(__file__).parent / "fixtures" / "pytest" / "inner_quiet"


@pytest.mark.parametrize("name", ["default.txt", "verbose.txt", "rA.txt"])
def test_a_session_a_test_printed_with_q_is_that_test_s_output(name: str) -> None:
    """pytester's `runpytest("-q")` prints no `test session starts` line: its FAILURES section,
    block, summary line and plain closing line (`1 failed, 1 passed in …`) are still the
    test's output, and a `____ test_fake_header ____` line narrower than pytest's own is no
    block: the run counts what its own closing line says (captures of
    `tests/fixtures/src/capture_inner_quiet.sh`). Under `-s` (s.txt) such a session is not
    told from the run's own: pytest prints its own FAILURES section right after its progress
    line under `-q` and under xdist without `-v` (tests/fixtures/pytest/quiet*.txt)."""
    parsed = read_logs([str(QUIET / name)])
    (closing,) = [s for s in parsed.summaries if s.source == "closing line"]
    assert closing.text.startswith("=") and " 2 failed, 2 passed in " in closing.text
    assert (closing.failures, closing.read) == (2, 2)
    failures = {f.name: f for f in parsed.failures}
    assert sorted(failures) == ["test_plugin_pool_fixture", "test_prints_a_header_then_fails"]
    assert failures["test_prints_a_header_then_fails"].message == "RuntimeError: pool is closing"
    assert all(f.details["nodeid"].startswith("test_plugin.py::") for f in failures.values())
    # the inner session is the failing test's captured output
    printed = failures["test_plugin_pool_fixture"].details["captured stdout call"]
    assert "test_inner_key" in printed and "1 failed, 1 passed in " in printed


@pytest.mark.parametrize("name", ["s.txt", "rA.txt"])
def test_another_runner_s_verdict_a_test_printed_is_its_output(name: str) -> None:
    """Tests that print other runners' verdicts (Playwright's `3 failed`, RSpec's, go test's,
    unittest's…), under `-s` on the progress lines and under `-rA` in captured sections: the
    run of one failure was read as 15 more runs under `-s` (6 under `-rA`), their failures
    counted and unread; a passing run so printed failed triage (tests/fixtures/src/
    pytest_printed_verdicts)."""
    parsed = read_logs([str(CAPTURES.parent / "printed_verdicts" / name)])
    assert [f.name for f in parsed.failures] == ["test_fails_after_reporting_a_child_run"]
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("closing line", 1, 1)]
    assert not parsed.skipped
