"""Runs of runners poolctl reads the verdicts of (go test, -json too, Vitest), in real captures:
each failed run is counted, with a true note; none reads as clean (tests/fixtures/README.md, the
sections on `mixed/go_runs/`, `mixed/vitest_runs/`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from poolctl.logs import read_logs
from poolctl.logs.other_verdicts import is_verdict, read_verdict
from poolctl.logs.records import ParsedLog

FIXTURES = Path(__file__).parent / "fixtures"
GO = FIXTURES / "mixed" / "go_runs"


def triage_code(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str]:
    code = main(["triage", str(path), "--no-history"])
    return code, capsys.readouterr().out


@pytest.mark.parametrize(
    ("log", "packages"),
    [
        ("pytest_then_go_test_json.log", {"panics": 1, "pool": 3}),
        ("pytest_then_go_test_timeout_json.log", {"hang": 1}),
    ],
)
def test_a_failed_go_test_json_run_after_a_clean_pytest_run_counts_each_failed_package(
    capsys: pytest.CaptureFixture[str], log: str, packages: dict[str, int]
) -> None:
    """`go test -json` prints no `FAIL<tab>pkg` line of its own: a package's `"Action":"fail"`
    event (no `Test` key) is its verdict, one failure or more, as the text output's line; the
    tests' own fail events (TestSizes and TestSizes/large) are not runs. The failures its
    events' output holds are read (`tests/test_go_blocks.py`), and each package counts its own."""
    parsed = read_logs([str(GO / log)])
    theirs = [s for s in parsed.summaries if s.source == "go test -json"]
    assert [(s.failures, s.read) for s in theirs] == [(n, n) for n in packages.values()]
    named = [f'"Package":"example.com/goruns/{p}"' for p in packages]
    assert all(n in s.text for s, n in zip(theirs, named, strict=True))
    read = [f.group.rpartition("/")[2] for f in parsed.failures]
    assert {p: read.count(p) for p in packages} == packages
    [clean] = [s for s in parsed.summaries if s.source == "closing line"]
    assert theirs[0].start == clean.line + 1
    assert parsed.skipped == []
    code, out = triage_code(capsys, GO / log)
    assert code == 1 and "not read" not in out


def test_a_clean_go_test_json_run_is_no_failure() -> None:
    """`"Action":"pass"` events and the tests' `"Action":"fail"` of a run whose package passed
    are no verdict; the text run's `FAIL<tab>pkg` inside an event's Output is none either."""
    lines = (GO / "pytest_then_go_test_json.log").read_text().splitlines()
    tests_failed = [line for line in lines if '"Action":"fail"' in line and '"Test":' in line]
    assert len(tests_failed) == 5  # the suite's failing tests and subtest
    assert not any(is_verdict(line) for line in tests_failed)
    assert not any(is_verdict(line) for line in lines if '"Output":"FAIL' in line)


VITEST = FIXTURES / "mixed" / "vitest_runs"


@pytest.mark.parametrize(
    ("log", "failed", "first"),
    [
        ("pytest_then_vitest.log", 6, "Failed Suites 2"),
        ("pytest_then_vitest_verbose.log", 6, "Failed Suites 2"),
        ("pytest_then_vitest_no_failed_test.log", 3, "Failed Suites 2"),
        ("pytest_then_vitest_unhandled_only.log", 1, "Errors  1 error"),
    ],
)
def test_a_vitest_run_counts_its_failed_suites_and_unhandled_errors_as_one_run(
    capsys: pytest.CaptureFixture[str], log: str, failed: int, first: str
) -> None:
    """Vitest fails a run on a file that failed to import or a describe whose beforeAll threw
    (their tests are skipped: `Tests` counts none failed) and on an unhandled rejection
    (`Errors  1 error`): each run read as clean (exit 0) but for its failed tests. Its
    `Failed Suites` heading, `Tests` and `Errors` lines are now one run, their counts added,
    from the heading (above the suites' blocks) to its last line; each of them has its block
    (`FAIL  file > test`, `Unhandled Rejection`), read (`tests/test_vitest_blocks.py`)."""
    path = VITEST / log
    parsed = read_logs([str(path)])
    assert len(parsed.failures) == failed
    [theirs] = [s for s in parsed.summaries if s.source == "Vitest"]
    assert theirs.failures == failed and theirs.read == failed
    lines = path.read_text().splitlines()
    assert first in lines[theirs.start - 1] or first.startswith("Errors")
    assert lines[theirs.line - 1].strip() == theirs.text.split(" … ")[-1]
    assert not any("`Unhandled Errors` section" in n for n in parsed.skipped)
    code, out = triage_code(capsys, path)
    assert code == 1 and "not read" not in out


def test_a_vitest_suite_whose_heading_no_count_follows_ends_at_its_test_files_line() -> None:
    """Vitest's beforeAll failing with its tests skipped, alone of what failed: the heading's
    run ends at `Test Files  1 failed` (its blocks are below the heading, not above it)."""
    text = (VITEST / "pytest_then_vitest_no_failed_test.log").read_text().splitlines()
    cut = [line for line in text if not line.strip().startswith("Errors")]
    out = ParsedLog()
    for number, line in enumerate(cut, 1):
        if line.startswith("⎯") or line.strip().startswith("Test Files"):
            read_verdict(out, "v.txt", number, line)
    [run] = out.summaries
    ends = next(n for n, line in enumerate(cut, 1) if line.strip().startswith("Test Files"))
    assert (run.failures, run.output_end) == (2, ends - 1)


@pytest.mark.parametrize(
    ("log", "failed"),
    [
        ("go_runs/go_test.txt", 4),
        ("go_runs/go_test_v.txt", 4),
        ("go_runs/go_test_timeout.txt", 1),
        ("go_runs/go_test_json.txt", 4),
    ],
)
def test_another_runners_failed_run_alone_is_read_by_its_verdicts(
    capsys: pytest.CaptureFixture[str], log: str, failed: int
) -> None:
    """A log of `go test` alone, no pytest run before it, was refused (`format not recognised`,
    exit 2, its note naming poolctl's formats): it is read for its verdicts and the failures
    they count (`tests/test_go_blocks.py`), and a note says it was read for them alone."""
    path = FIXTURES / "mixed" / log
    parsed = read_logs([str(path)])
    assert len(parsed.failures) == failed
    assert {s.source for s in parsed.summaries} <= {"go test", "go test -json"}
    assert sum(s.failures or 0 for s in parsed.summaries) == failed
    assert sum(s.read or 0 for s in parsed.summaries) == failed
    assert any(
        "read for its runs' verdicts alone (go test" in n
        and n.endswith(f"their failures counted, {failed} read")
        for n in parsed.skipped
    )
    code, out = triage_code(capsys, path)
    assert code == 1 and "not read" not in out
    # it holds no pytest output: not said to (it read `(pytest)`, the parser that read it);
    # its runner is named (`runners_named`)
    runners = {s.source for s in parsed.summaries}
    assert parsed.formats == {str(path): ", ".join(sorted(runners))}
    assert f"lines ({', '.join(sorted(runners))})" in out


def _patterns(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, str | None]:
    assert main(["triage", str(path), "--no-history", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    return {
        f"{f['failure']['group']}::{f['failure']['name']}": f["outcome"].get("pattern_id")
        for f in report["findings"]
    }


def test_pytest_junit_under_xdist_with_logging_and_properties_classifies_as_the_plain_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The pool suite's JUnit XML under `-n 2`, `junit_logging=all`, `junit_duration_report=call`
    and a property on every test that reads like a pool's state (`pool pool_a: 0 ready, 1 busy,
    3 waiting`: real capture, tests/fixtures/src/capture_junit_xdist.sh): each failure has the
    pattern it has in the plain xunit2 file; the property, no failure's own text, decides none."""
    plain = _patterns(capsys, FIXTURES / "junit" / "pytest_xunit2.xml")
    xdist = _patterns(capsys, FIXTURES / "junit" / "pytest_xdist_logging_all.xml")
    assert len(plain) == 22 and xdist == plain
    assert list(plain.values()).count("checkout-timeout-waiters") == 2


@pytest.mark.parametrize(
    ("log", "runner", "runs"),
    [
        ("go_runs/go_test_clean.txt", "go test", 2),
        ("go_runs/go_test_clean_json.txt", "go test -json", 1),
        ("cargo_runs/cargo_test_clean.txt", "cargo test", 1),
        ("vitest_runs/vitest_clean.txt", "Vitest", 1),
        ("jest_runs/jest_clean.txt", "Jest", 1),
    ],
)
def test_another_runners_passed_run_alone_is_a_clean_log(
    capsys: pytest.CaptureFixture[str], log: str, runner: str, runs: int
) -> None:
    """A passing `go test` (its packages' `ok` lines, or -json's packages' pass events, not its
    tests'), `cargo test` or Vitest run alone was refused (`format not recognised`, exit 2): it
    is a clean log, each run read from its verdict, with a note saying so."""
    path = FIXTURES / "mixed" / log
    parsed = read_logs([str(path)])
    assert [(s.source, s.failures) for s in parsed.summaries] == [(runner, 0)] * runs
    assert any(n.endswith(f"alone ({runner}): each passed") for n in parsed.skipped)
    code, out = triage_code(capsys, path)
    assert code == 0 and "0 failures" in out
    assert parsed.formats == {str(path): runner}


def test_a_passed_run_beside_a_build_that_failed_is_no_clean_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`cargo test` of one binary passing, then `cargo test --features broken`, whose test
    binary does not compile (`error[E0425]`, `error: could not compile`): no clean log (it was
    refused, exit 2, as no format poolctl reads; then one failure, unread, at the first line
    saying something failed). cargo's `could not compile` is the failed build's verdict, and
    rustc's errors its one failure, read (`tests/test_cargo_build.py`)."""
    path = FIXTURES / "mixed" / "cargo_runs" / "cargo_test_clean_then_build_error.txt"
    parsed = read_logs([str(path)])
    [failed] = parsed.summaries
    assert (failed.failures, failed.read) == (1, 1)
    assert failed.text.startswith("error: could not compile `cargo_runs`")
    code, out = triage_code(capsys, path)
    assert code == 1 and "not read" not in out


JEST = FIXTURES / "mixed" / "jest_runs"


@pytest.mark.parametrize("log", ["jest_coverage.txt", "pytest_then_jest_coverage.log"])
def test_a_jest_run_failed_by_its_coverage_threshold_alone_is_one_failure(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    """Jest under --coverage with a coverageThreshold its tests' coverage misses fails the run
    (exit 1) with every test passed: a line for each measure missed (`Jest: Coverage for lines
    (44.44%) does not meet "global" threshold (90%)`, then functions'). Alone it was refused
    (`format not recognised`, exit 2), after a clean pytest run read as a clean log (exit 0):
    it is one failure of the run, its two lines one verdict, with a note saying what to do."""
    path = JEST / log
    parsed = read_logs([str(path)])
    [jest] = [s for s in parsed.summaries if s.source == "Jest"]
    assert (jest.failures, jest.read) == (1, 0)
    assert jest.text.startswith('Jest: Coverage for lines (44.44%) does not meet "global"')
    assert jest.text.endswith(
        'Jest: Coverage for functions (16.66%) does not meet "global" threshold (90%)'
    )
    assert parsed.failures == []
    assert any(
        "a Jest run failed with no test failed" in n and "coverageThreshold" in n
        for n in parsed.skipped
    )
    code, out = triage_code(capsys, path)
    assert code == 1 and "1 of the 1 failures the runner counted was not read" in out


def test_a_jest_run_whose_process_crashed_after_its_tests_passed_is_no_clean_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A test that passed left a timer that threw once the run was over: Jest's counts say all
    passed (`Tests:       1 passed, 1 total`), then node's uncaught Error ends the process (exit
    1). The Jest run passed, and the Error is one failure, unread, where it is said."""
    path = JEST / "jest_crash_after.txt"
    parsed = read_logs([str(path)])
    passed, failed = parsed.summaries
    assert (passed.source, passed.failures) == ("Jest", 0)
    assert (failed.failures, failed.read) == (1, 0)
    assert failed.text == "Error: pool closed while a checkout waited"
    code, out = triage_code(capsys, path)
    assert code == 1 and "line 28 says a step failed" in out
