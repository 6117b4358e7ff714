"""A go package whose test binary failed with no test failing (its TestMain stopped it: it could
not reach the database its tests need) is one failure named by its package, its message what it
printed, classified (real captures: capture_go_testmain.sh). Before, its verdict counted one
failure, unread (`have it write JUnit XML`), with nothing to triage."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

TESTMAIN = Path(__file__).parent / "fixtures" / "mixed" / "go_testmain"
SAID = "cannot start the test pool: dial tcp 127.0.0.1:5999: connect: connection refused"


@pytest.mark.parametrize(
    "log", ["go_test.txt", "go_test_v.txt", "gotestsum.txt", "go_test_json.txt"]
)
def test_a_package_stopped_by_its_testmain_is_a_failure(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    parsed = read_logs([str(TESTMAIN / log)])
    assert [(f.name, f.group.rsplit("/", 1)[-1], f.kind, f.message) for f in parsed.failures] == [
        ("(package)", "db", "package failed", SAID)
    ]
    assert [(s.failures, s.read) for s in parsed.summaries if s.failures] == [(1, 1)]
    code, out, _ = run(capsys, "triage", str(TESTMAIN / log), "--no-history", "-f", "json")
    findings = json.loads(out)["findings"]
    assert code == 1
    assert [f["outcome"]["pattern_id"] for f in findings] == ["dependency-not-started"]


def test_go_test_jsons_testmain_failures_read_as_plain_go_tests() -> None:
    """src/go_testmain_more_suite (capture_go_testmain_more.sh): a TestMain that panics before
    m.Run, and one that exits 1 after it (a worker process left running). `go test -json`
    counted each package's `fail` event and read none ('have it write JUnit XML'); its
    package's own output events are now read as plain go test's lines are."""
    read = {
        log: [
            (f.name, f.group, f.kind, f.message, f.location)
            for f in read_logs([str(TESTMAIN / log)]).failures
        ]
        for log in ("more_go_test.txt", "more_go_test_json.txt")
    }
    plain, events = read.values()
    assert [(name, group.rsplit("/", 1)[-1], kind) for name, group, kind, *_ in events] == [
        ("(package)", "boom", "package failed"),
        ("(package)", "leak", "package failed"),
    ]
    panicked, leaked = (message for _, _, _, message, _ in events)
    assert panicked.startswith('panic: pool size: strconv.Atoi: parsing "": invalid syntax\n')
    assert "boom.TestMain(" in panicked
    assert leaked.startswith("worker pid ") and leaked.endswith("the pool leaked it")
    # the same as plain go test's reading, but the pid and the pointers in the trace
    assert [_shape(f) for f in events] == [_shape(f) for f in plain]
    parsed = read_logs([str(TESTMAIN / "more_go_test_json.txt")])
    assert [(s.failures, s.read) for s in parsed.summaries if s.failures] == [(1, 1), (1, 1)]


def _shape(failure: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(re.sub(r"0x[0-9a-f]+\??|\d+", "#", part) for part in failure)


@pytest.mark.parametrize("log", ["more_gotestsum.txt", "more_gotestsum_junit.xml"])
def test_gotestsums_testmain_failures_read_as_plain_go_tests(log: str) -> None:
    """gotestsum (capture_go_testmain_more.sh): its summary's block of a package that failed
    with no test failing kept go's `PASS` line in the message ('PASS\\nworker pid … leaked it'),
    and its JUnit report's `TestMain` case was of kind 'failure', its message go's lines whole
    (the `FAIL` line too), and a note said each package's suite counted 0 where 1 was read
    ('a test written twice, or one that passed on a rerun'): gotestsum's `<testsuites>` counts
    those cases, the package's suite does not. Each is now read as plain go test's lines are:
    the message what the package printed, the panic placed at its TestMain's frame."""
    parsed = read_logs([str(TESTMAIN / log)])
    plain = read_logs([str(TESTMAIN / "more_go_test.txt")])
    read = [(f.group.rsplit("/", 1)[-1], f.kind, f.message, f.location) for f in parsed.failures]
    assert [_shape(f) for f in read] == [
        _shape((f.group.rsplit("/", 1)[-1], f.kind, f.message, f.location)) for f in plain.failures
    ]
    assert read[0][3] == "/tmp/go_testmain_more_suite/boom/boom_test.go:13"
    assert read[1][2].startswith("worker pid ") and "PASS" not in read[1][2]
    # named as go test's readings name it: the same failure in the history, whichever is read
    assert [f.name for f in parsed.failures] == [f.name for f in plain.failures]
    assert not any("failures read where the runner counted" in n for n in parsed.skipped)
