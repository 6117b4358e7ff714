"""Jest's test files that fail to compile (real captures: tests/fixtures/src/
capture_jest_compile.sh): each `● Test suite failed to run` block is placed where the compiler
says the file fails, not in the compiler's own stack, and a run whose only failures are such
files has its verdict: `Test Suites: 1 failed, …`, above a `Tests:` line that counts none."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.cli import main
from poolctl.logs import read_logs

JEST = Path(__file__).parent / "fixtures" / "mixed" / "jest_runs"


@pytest.mark.parametrize(
    ("log", "place", "kind", "said"),
    [
        (
            "jest_ts.txt",
            "idle.test.ts:6",
            "TS2322",
            "idle.test.ts:6:9 - error TS2322: Type 'number' is not assignable to type 'string'.",
        ),
        (
            "jest_syntax.txt",
            "syntax.test.js:3",
            "SyntaxError",
            '/tmp/jest_compile_suite/syntax.test.js: Unexpected token, expected "," (3:25)',
        ),
    ],
)
def test_a_file_that_fails_to_compile_is_placed_where_the_compiler_says(
    log: str, place: str, kind: str, said: str
) -> None:
    """Before: ts-jest's type error had no place nor kind; Babel's syntax error was placed in
    Babel's parser (`node_modules/@babel/parser/src/parse-error.ts:96`), its stack's first
    frame."""
    parsed = read_logs([str(JEST / log)])
    [failed] = [f for f in parsed.failures if f.name == "Test suite failed to run"]
    assert (failed.location, failed.kind, failed.message.split("\n")[0]) == (place, kind, said)


@pytest.mark.parametrize(
    ("log", "verdict"),
    [
        ("jest_syntax.txt", "Test Suites: 1 failed, 1 passed, 2 total"),
        ("jest_syntax_alone.txt", "Test Suites: 1 failed, 1 total"),
    ],
)
def test_a_jest_run_failed_by_files_alone_has_its_verdict(
    capsys: pytest.CaptureFixture[str], log: str, verdict: str
) -> None:
    """No test failed (`Tests:       2 passed, 2 total`, `Tests:       0 total`): Jest's
    verdict was not read, and the log was said to be a run stopped before its summary
    (`killed, a time limit`). Its count of failed files is the run's verdict."""
    parsed = read_logs([str(JEST / log)])
    [run] = parsed.summaries
    assert (run.source, run.text, run.failures, run.read) == ("Jest", verdict, 1, 1)
    assert not any("before its summary" in note for note in parsed.skipped)
    assert main(["triage", str(JEST / log), "--no-history"]) == 1
    assert "1 failure" in capsys.readouterr().out


def test_a_jest_run_with_failed_tests_is_counted_by_its_tests_not_its_files() -> None:
    """`Test Suites: 2 failed, 2 total` then `Tests: 1 failed, 1 total`: one run, its verdict
    the tests' count (the file that failed to run is read beyond it), not two runs."""
    parsed = read_logs([str(JEST / "jest_ts.txt")])
    [run] = parsed.summaries
    assert (run.text, run.failures, run.read) == ("Tests:       1 failed, 1 total", 1, 1)
    assert len(parsed.failures) == 2
