"""One `node --test` run of the same failures under its spec, tap and dot reporters (real
captures: tests/fixtures/src/capture_node_reporters.sh, node 20.20.2): each reporter's log reads
the same eight failures, of the same kinds. The spec and dot reporters print an error whose class
and name differ with both (`TypeError [Error]:`, `Error [WorkerTimeoutError]:`), which was read
as no kind, the message keeping that prefix; the TAP reporter writes no `name:` for a plain Error
thrown in a test or its hook, only node's own `code: 'ERR_TEST_FAILURE'`, which was its kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs

LOGS = Path(__file__).parent / "fixtures" / "mixed" / "node_reporters"
THROWN = [
    ("a job answer has its result", "TypeError", "Cannot read properties of undefined"),
    ("a silent worker times out", "WorkerTimeoutError", "No response received from worker pid"),
    ("a second checkout waits for the first", "Error", "checkout timed out after 200ms"),
]


@pytest.mark.parametrize("reporter", ["spec", "tap", "dot"])
def test_each_reporter_reads_the_same_failures_of_the_same_kinds(reporter: str) -> None:
    failures = read_logs([str(LOGS / f"{reporter}.log")]).failures
    # (the dot reporter prints no tree: each test is named by its own title, not by its path)
    assert [f.name.rpartition(" > ")[2] for f in failures] == [
        *(name for name, _, _ in THROWN),
        "a job needs its program_id",
        "echoes deep",
        "a test past its timeout",
        "never runs",
        "a suite whose before hook fails",
    ]
    paths = [f.name for f in failures if " > " in f.name]
    in_suites = [
        "checkout > a second checkout waits for the first",
        "checkout > a job needs its program_id",
        "checkout > echoes deep",
        "a suite whose before hook fails > never runs",
    ]
    assert paths == ([] if reporter == "dot" else in_suites)
    read = [(f.name.rpartition(" > ")[2], f.kind, f.message) for f in failures[:3]]
    assert [(name, kind) for name, kind, _ in read] == [(n, k) for n, k, _ in THROWN]
    assert all(m.startswith(said) for (_, _, m), (_, _, said) in zip(read, THROWN, strict=True))
    assert [f.kind for f in failures[3:5]] == ["AssertionError", "AssertionError"]
    assert failures[-1].kind == "Error"  # the before hook's plain Error
    assert failures[-1].message == "pool pool_c could not start: {:shutdown, :pool_c}"


def test_an_assertion_whose_actual_is_an_error_keeps_its_own_message() -> None:
    """doesNotThrow's failure: node's TAP writes the Error it got (`actual`) as fields of the
    block's own, an `error:` after the assertion's; the last was read, so its message was the
    thrown error's (`KeyError: 'program_id is required'`), not the assertion's the spec and dot
    reporters print. The first value of a key written twice is now read."""
    said = {
        reporter: read_logs([str(LOGS / f"{reporter}.log")]).failures[3].message
        for reporter in ("spec", "tap", "dot")
    }
    assert said["tap"] == said["spec"] == said["dot"]
    assert said["tap"].startswith('Got unwanted exception.\nActual message: "KeyError: ')
