"""Zig's test runner (`zig test pool.zig`) is read: each test's `N/6 pool.test.name...` block
that ends in `FAIL (ErrorName)`, named by the test, grouped by its module, placed at its own
frame of the error return trace, its message what it printed, its kind the error it returned
(std.testing's an AssertionError), counted by `2 passed; 0 skipped; 4 failed.`; a run of none
failed (`All 1 tests passed.`) is clean. Before, both logs were refused as of no format (exit
2). Real captures (`tests/fixtures/src/capture_zig.sh`: Zig 0.17.0 from PyPI's ziglang)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Failure
from tests.test_logs_formats import triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "zig_runs"
PLACE = "/tmp/zig_pool_suite/pool.zig"


def test_each_failed_test_is_read_and_classified(capsys: pytest.CaptureFixture[str]) -> None:
    parsed = read_logs([str(RUNS / "test.txt")])
    assert [(f.name, f.group, f.location, f.kind, f.details["error"]) for f in parsed.failures] == [
        (
            "a second caller checks out within 200ms",
            "pool",
            f"{PLACE}:20",
            "CheckoutTimeout",
            "CheckoutTimeout",
        ),
        ("the worker answers a ping", "pool", f"{PLACE}:24", "NoResponse", "NoResponse"),
        (
            "a job reply has its status",
            "pool",
            f"{PLACE}:28",
            "AssertionError",
            "TestExpectedEqual",
        ),
        ("arithmetic", "pool", f"{PLACE}:32", "AssertionError", "TestExpectedEqual"),
    ]
    checkout, _, reply, arithmetic = parsed.failures
    assert checkout.message == (
        "checkout timed out after 200ms: pool pool_a has 0 idle workers, 3 waiting"
    )
    assert checkout.stacktrace == (
        f"checkout ({PLACE}:11)",
        f"test.a second caller checks out within 200ms ({PLACE}:20)",
    )
    assert "program_id is required" in reply.message
    assert arithmetic.message == "expected 3, found 2"
    # the test that passed and leaked is no failure of the count
    [zig] = parsed.summaries
    assert (zig.source, zig.failures, zig.read) == ("zig test", 4, 4)
    code, report = triage_json(capsys, RUNS / "test.txt")
    assert code == 1
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in report["findings"]}
    assert patterns == {
        "a second caller checks out within 200ms": "checkout-timeout-waiters",
        "the worker answers a ping": "port-no-response",
        "a job reply has its status": "required-field-missing",
        "arithmetic": None,
    }


def test_a_run_of_none_failed_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)


def test_zig_build_tests_blocks_are_read_as_zig_tests() -> None:
    """`zig build test` runs the same tests under the build system's runner: each failed test's
    `error: 'pool.test.name' failed:` block, its output indented seven spaces and no error's
    name (its trace's first frame's `return error.Name;` says it), counted by `Build Summary:
    1/3 steps succeeded (1 failed); 2/6 tests passed (4 failed)`. Before, the log was refused as
    of no format. Each is now read as `zig test`'s same test is."""
    built = read_logs([str(RUNS / "build.txt")])
    plain = read_logs([str(RUNS / "test.txt")]).failures

    def read(f: Failure) -> tuple[str, str, str, str]:
        return (f.name, f.group, f.location, f.message)

    assert [read(f) for f in built.failures] == [read(f) for f in plain]
    assert [f.kind for f in built.failures] == [
        "CheckoutTimeout",
        "NoResponse",
        "AssertionError",
        "AssertionError",
    ]
    [zig] = built.summaries
    assert (zig.source, zig.failures, zig.read) == ("zig test", 4, 4)
    assert zig.text.startswith("Build Summary: 1/3 steps succeeded (1 failed)")


@pytest.mark.parametrize(
    ("log", "ended"),
    [
        ("killed.txt", "the run ended in this test: nothing after it (a time limit's kill?)"),
        ("killed_binary.txt", "the test binary was terminated with signal KILL in this test"),
    ],
)
def test_a_run_stopped_in_a_test_is_read_for_its_failures_and_that_test(
    capsys: pytest.CaptureFixture[str], log: str, ended: str
) -> None:
    """A run killed in a test that spins (`capture_zig_stopped.sh`: its test binary under
    `timeout -s KILL 3`, or killed under `zig test`): no outcome of that test nor count after
    it. Before, the log was refused as of no format, the failure before it lost with it; the
    failures printed are read, and the test it stopped in is one of kind `stopped`, what it
    printed and how the run ended its message."""
    parsed = read_logs([str(RUNS / log)])
    assert [(f.name, f.kind) for f in parsed.failures] == [
        ("a second caller checks out within 200ms", "CheckoutTimeout"),
        ("the pool waits for a free worker", "stopped"),
    ]
    assert parsed.failures[1].message == (
        f"checkout waiting: pool pool_a has 0 idle workers, 1 waiting\n{ended}"
    )
    assert any("no count says how many more failed" in n for n in parsed.skipped)
    code, report = triage_json(capsys, RUNS / log)
    assert (code, report["summary"]["failures"]) == (1, 2)


def test_a_build_whose_tests_did_not_build_is_one_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`zig build test` of a test that does not compile (`capture_zig_build_error.sh`): the
    compiler's errors, `error: 1 compilation errors`, then `Build Summary: 0/3 steps succeeded
    (1 failed)`, no test run. Before, the log was refused as of no format; the errors are now
    one failure, the test build's, placed at the first, its summary counting it."""
    parsed = read_logs([str(RUNS / "build_error.txt")])
    [built] = parsed.failures
    assert (built.name, built.group, built.kind) == ("test (build)", "pool", "build error")
    assert built.location == "pool.zig:20"
    assert built.message == "expected type 'u32', found '*const [5:0]u8'"
    [zig] = parsed.summaries
    assert (zig.source, zig.failures, zig.read) == ("zig test", 1, 1)
    code, report = triage_json(capsys, RUNS / "build_error.txt")
    assert (code, report["summary"]["failures"], report["summary"]["unread"]) == (1, 1, 0)
