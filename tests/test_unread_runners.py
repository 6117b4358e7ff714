"""Runs of runners poolctl does not read (go test -json, Vitest), in real captures: each failed
run is counted, none read, with a true note; none reads as clean (tests/fixtures/README.md, the
sections on `mixed/go_runs/`, `mixed/vitest_runs/`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.cli import main
from poolctl.logs import read_logs
from poolctl.logs.other_verdicts import is_verdict

FIXTURES = Path(__file__).parent / "fixtures"
GO = FIXTURES / "mixed" / "go_runs"


def triage_code(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str]:
    code = main(["triage", str(path), "--no-history"])
    return code, capsys.readouterr().out


@pytest.mark.parametrize(
    ("log", "packages"),
    [
        ("pytest_then_go_test_json.log", ["panics", "pool"]),
        ("pytest_then_go_test_timeout_json.log", ["hang"]),
    ],
)
def test_a_failed_go_test_json_run_after_a_clean_pytest_run_counts_each_failed_package(
    capsys: pytest.CaptureFixture[str], log: str, packages: list[str]
) -> None:
    """`go test -json` prints no `FAIL<tab>pkg` line of its own: a package's `"Action":"fail"`
    event (no `Test` key) is its verdict, one failure or more, as the text output's line; the
    tests' own fail events (TestSizes and TestSizes/large) are not runs. It read as clean."""
    parsed = read_logs([str(GO / log)])
    assert parsed.failures == []
    theirs = [s for s in parsed.summaries if s.source == "go test -json"]
    assert [s.failures for s in theirs] == [1] * len(packages)
    named = [f'"Package":"example.com/goruns/{p}"' for p in packages]
    assert all(n in s.text for s, n in zip(theirs, named, strict=True))
    [clean] = [s for s in parsed.summaries if s.source == "closing line"]
    assert theirs[0].start == clean.line + 1
    assert all("go-junit-report" in n and "counted as one" in n for n in parsed.skipped)
    code, out = triage_code(capsys, GO / log)
    assert code == 1 and f"{len(packages)} of the {len(packages)} failures" in out


def test_a_clean_go_test_json_run_is_no_failure() -> None:
    """`"Action":"pass"` events and the tests' `"Action":"fail"` of a run whose package passed
    are no verdict; the text run's `FAIL<tab>pkg` inside an event's Output is none either."""
    lines = (GO / "pytest_then_go_test_json.log").read_text().splitlines()
    tests_failed = [line for line in lines if '"Action":"fail"' in line and '"Test":' in line]
    assert len(tests_failed) == 5  # the suite's failing tests and subtest
    assert not any(is_verdict(line) for line in tests_failed)
    assert not any(is_verdict(line) for line in lines if '"Output":"FAIL' in line)
