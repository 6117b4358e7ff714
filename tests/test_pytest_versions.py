"""pytest output of other versions and plugins than the project's pytest 9: pytest-instafail,
pytest-pretty, pytest 7's long traceback entries. Real captures of `src/pytest_versions_suite`
(`tests/fixtures/src/capture_versions.sh`, see the fixtures' README)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.unwrap import wrap_width
from poolctl.model import Diagnosis, Report
from poolctl.patterns import load_patterns
from poolctl.triage import triage

VERSIONS = Path(__file__).parent / "fixtures" / "pytest" / "versions"
EDGES = {
    "test_setup_key": "fixture-key-mismatch",
    "test_teardown_closes_pool": "unclassified",
    "test_checkout_times_out": "unclassified",
    "test_worker_answers_ping": "port-no-response",
    "test_idle_worker_queue": "unclassified",
    "test_program_signature[question -> answer]": "unclassified",
}
INSTAFAIL = [
    "instafail.txt",
    "instafail_verbose.txt",
    "instafail_xdist.txt",  # pytest-xdist's marks alone (`F`)
    "instafail_xdist_verbose.txt",  # `[gw0] [ 50%] FAILED t.py::test_a[p -> q]`
    # `-q`: no session header, each block cuts the letters before it (`E`, then the block)
    "instafail_quiet.txt",
    "instafail_quiet_xdist.txt",
    "sugar.txt",  # pytest-sugar: `――― test_a ―――` among progress lines redrawn with `\r`
    "sugar_verbose.txt",
]


@cache
def report(name: str) -> Report:
    return triage(read_logs([str(VERSIONS / name)]), load_patterns())


def lines(name: str) -> list[str]:
    return (VERSIONS / name).read_bytes().decode().split("\n")  # a lone `\r` ends no line


def verdicts(name: str) -> dict[str, str]:
    return {
        f.failure.name: f.outcome.pattern_id if isinstance(f.outcome, Diagnosis) else "unclassified"
        for f in report(name).findings
    }


@pytest.mark.parametrize("name", INSTAFAIL)
def test_blocks_among_the_progress_lines_are_read(name: str) -> None:
    """pytest-instafail (and pytest-sugar) print each block right after its test's progress
    line, and no FAILURES section: the blocks are read (tracebacks, phases, patterns), once
    each, with their summary lines, not read from the summary lines alone."""
    text = lines(name)
    findings = report(name).findings
    assert verdicts(name) == EDGES and len(findings) == 6
    for f in findings:
        header = text[f.failure.line_start - 1]
        assert header.startswith(("_", "\u2015")) and f.failure.name.split("[")[0] in header
        assert f.failure.line_end < len(text)
        assert "summary_line" in f.failure.details
    by_name = {f.failure.name: f.failure for f in findings}
    assert by_name["test_teardown_closes_pool"].details["phase"] == "teardown"
    assert by_name["test_teardown_closes_pool"].details["outcome"] == "error"
    assert by_name["test_idle_worker_queue"].stacktrace[-1].endswith("queue.py:179: Empty")
    # a block ends before the next test's progress line
    for f in findings:
        block = text[f.failure.line_start - 1 : f.failure.line_end]
        progress = [
            line
            for line in block
            if line.startswith(("check_edges.py ", " check_edges.py", "\r"))
            or "%]" in line
            or re.fullmatch("[.sxXFE]+", line)
        ]
        assert not progress, progress
    (run,) = read_logs([str(VERSIONS / name)]).summaries
    assert (run.failures, run.read, run.inferred) == (6, 6, False)


def test_pytest_pretty_results_lines_are_the_closing_line() -> None:
    """pytest-pretty closes with `Results (0.05s):` and a count a line: the run's count, not a
    run said to have ended before pytest printed its result; its table of failures, after the
    last block, is no part of that block."""
    text = lines("pretty.txt")
    (run,) = read_logs([str(VERSIONS / "pretty.txt")]).summaries
    assert text[run.line - 1].startswith("Results (")
    assert (run.failures, run.read, run.inferred) == (6, 6, False)
    assert run.text.endswith("4 failed, 3 passed, 2 errors")
    assert verdicts("pretty.txt") == EDGES
    table = next(i for i, line in enumerate(text, 1) if line.strip() == "Summary of Failures")
    assert max(f.failure.line_end for f in report("pretty.txt").findings) < table


@pytest.mark.parametrize(
    "name",
    [
        "pretty_tbline.txt",
        "pretty_tbline_xdist.txt",
        "pretty_quiet_tbline.txt",
        "pretty_quiet_tbline_xdist.txt",
    ],
)
def test_pytest_pretty_names_the_failures_of_tb_line(name: str) -> None:
    """`--tb=line` names no test, and pytest-pretty prints no short summary: the lines it prints
    as each test fails (`check_edges.py:37 test_worker_answers_ping - Failed: worker 1 did
    no…`; under xdist two on one line; under `-q` glued after a progress line's percentage,
    the next test's letters glued to it: `…[ 37%]check_edges.py:32 test_checkout_times_outF
    [ 50%]`) name them. They were named by their locations
    (`/tmp/pytest_versions_suite/check_edges.py:39`, `…/queue.py:179`), and the strict xpass,
    which prints no location, was not read."""
    assert verdicts(name) == EDGES
    (run,) = read_logs([str(VERSIONS / name)]).summaries
    assert (run.failures, run.read, run.inferred) == (6, 6, False)
    by_name = {f.failure.name: f.failure for f in report(name).findings}
    assert by_name["test_worker_answers_ping"].message.startswith("Failed: worker 1 did not")
    assert by_name["test_idle_worker_queue"].location.endswith("queue.py:179")


@pytest.mark.parametrize("name", ["instafail_tbline.txt", "instafail_tbline_quiet.txt"])
def test_instafail_s_tb_line_locations_among_the_progress_lines_are_read(name: str) -> None:
    """pytest-instafail under `--tb=line` prints each failure's location line as it fails
    (`/tmp/…/check_edges.py:39: Failed: worker 1 did not answer 'ping' within 0.5s`) and no
    FAILURES section: the line is the failure, named by the summary line whose message it
    begins with (they were read from the summary lines alone, their messages cut to the
    width: `Failed: worker 1 did not an...`, pattern 1 missed). The errors keep their ERROR
    summary lines, which their patterns read. Under `-q` no session header came before: the
    first letters (`E`), cut by the first location line, begin the run."""
    assert verdicts(name) == EDGES
    (run,) = read_logs([str(VERSIONS / name)]).summaries
    assert (run.failures, run.read, run.inferred) == (6, 6, False)
    text = lines(name)
    by_name = {f.failure.name: f.failure for f in report(name).findings}
    ping = by_name["test_worker_answers_ping"]
    assert ping.message == "Failed: worker 1 did not answer 'ping' within 0.5s"
    assert text[ping.line_start - 1].endswith("check_edges.py:39: " + ping.message)
    assert text[by_name["test_setup_key"].line_start - 1].startswith("ERROR check_edges.py::")


@pytest.mark.parametrize("name", ["pretty_tbno.txt", "pretty_quiet_tbno.txt"])
def test_pytest_pretty_names_the_failures_of_tb_no(name: str) -> None:
    """Under `--tb=no` pytest-pretty prints nothing of the failures but its lines as each test
    fails: they are the failures, named, an error told by the progress mark before its line
    (`E`; under `-q`, the letter before the line's percentage, or glued at the end of the line
    before); their messages cut (`Failed: worker 1 did no…`). They were 6 failures not read."""
    (run,) = read_logs([str(VERSIONS / name)]).summaries
    assert (run.failures, run.read, run.inferred) == (6, 6, False)
    found = {f.failure.name: f.failure for f in report(name).findings}
    assert set(found) == set(EDGES)
    assert {n for n, f in found.items() if f.details["outcome"] == "error"} == {
        "test_setup_key",
        "test_teardown_closes_pool",
    }
    assert found["test_worker_answers_ping"].message == "Failed: worker 1 did no..."


def test_sugar_s_tb_line_locations_are_read_after_its_own_session_start() -> None:
    """pytest-sugar under `--tb=line` prints each failure's location line as it fails, after
    its own session start (`Test session starts (platform: …)`, which opens no section): they
    are read as instafail's (they were read from the summary lines alone, their messages cut:
    pattern 1 missed). sugar writes its errors' summary lines FAILED, and nothing tells their
    setup: test_setup_key's KeyError stays unclassified, as before."""
    name = "sugar_tbline.txt"
    assert verdicts(name) == {**EDGES, "test_setup_key": "unclassified"}
    (run,) = read_logs([str(VERSIONS / name)]).summaries
    assert (run.failures, run.read, run.inferred) == (6, 6, False)
    by_name = {f.failure.name: f.failure for f in report(name).findings}
    ping = by_name["test_worker_answers_ping"]
    assert ping.message == "Failed: worker 1 did not answer 'ping' within 0.5s"
    assert lines(name)[ping.line_start - 1].endswith("check_edges.py:39: " + ping.message)


@pytest.mark.parametrize("name", ["long_frames_v70.txt", "long_frames_tblong.txt"])
def test_long_traceback_entries_name_their_function(name: str) -> None:
    """A long entry's location line (`…/asyncio/streams.py:563: `) names no function; its
    source's `def readline(` does: a read of the worker's stdout that timed out is pattern 1,
    its evidence that location line, quoted as printed (the function is the parser's)."""
    (finding,) = report(name).findings
    assert isinstance(finding.outcome, Diagnosis)
    assert finding.outcome.pattern_id == "port-no-response"
    assert any(
        frame.endswith("streams.py:563: in readline") for frame in finding.failure.stacktrace
    )
    text = lines(name)
    quoted = [e for e in finding.outcome.evidence if "streams.py:563:" in e.text]
    assert quoted, finding.outcome.evidence
    at = int(quoted[0].origin.rsplit(":", 1)[1])
    assert text[at - 1].strip().endswith("asyncio/streams.py:563:")
    assert quoted[0].text == text[at - 1].strip()


def test_a_table_drawn_with_box_characters_is_not_taken_for_wrapped_lines() -> None:
    """pytest-pretty's table fills the terminal's width row by row, as wrapped lines do: its
    rows, and the `Results (…):` line after it, stay lines of their own."""
    text = (VERSIONS / "pretty.txt").read_text()
    assert wrap_width(text) is None


PYTEST_DIR = VERSIONS.parent


def _blocks(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Each failure's verdict, and its block's text, of a log."""
    text = path.read_text().split("\n")
    findings = triage(read_logs([str(path)]), load_patterns()).findings
    return (
        {
            f.failure.name: f.outcome.pattern_id
            if isinstance(f.outcome, Diagnosis)
            else "unclassified"
            for f in findings
        },
        {
            f.failure.name: "\n".join(text[f.failure.line_start - 1 : f.failure.line_end])
            for f in findings
        },
    )


@pytest.mark.parametrize(
    "older,newer,evidence",
    [
        # pytest before 9 prints `--tb=line` messages' first line only
        (
            "pypool_tbline_v83.txt",
            "pypool/tbline.txt",
            {
                "test_predict_request_model": "Field required",
                "test_backend_is_process": "'ThreadBackend' == 'ProcessBackend'",
            },
        ),
        # pytest 7.0 prints an exception group as its own message, not its sub-exceptions
        (
            "exception_group_v70.txt",
            "exception_group/default.txt",
            {
                "test_callers_in_a_task_group": "timed out waiting for a free worker",
                "test_two_distinct_failures": "timed out waiting for a free worker",
            },
        ),
    ],
)
def test_an_older_pytests_output_without_the_evidence_leaves_the_failure_unclassified(
    older: str, newer: str, evidence: dict[str, str]
) -> None:
    """The same suite under pytest 9 is diagnosed from lines the older version never prints:
    nothing is made up for them, and every other verdict is the same."""
    old, old_blocks = _blocks(VERSIONS / older)
    new, new_blocks = _blocks(PYTEST_DIR / newer)
    for test, shown in evidence.items():
        assert old[test] == "unclassified" != new[test]
        assert shown in new_blocks[test] and shown not in old_blocks[test]
    assert {t: v for t, v in old.items() if t not in evidence} == {
        t: v for t, v in new.items() if t not in evidence
    }
