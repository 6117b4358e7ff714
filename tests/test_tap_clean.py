"""A clean TAP run alone (bats, Test::More run by perl or prove, node --test's TAP reporter: real
captures, tests/fixtures/src/capture_tap.sh) was "format not recognised", exit 2. Its plan and
its `ok` lines numbered from 1 make a clean run (exit 0); a text that merely holds an `ok 1`
line has no TAP stream's shape and stays refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.tap_streams import CleanStream, clean_streams
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "tap_runs"


@pytest.mark.parametrize(
    ("log", "plan_line"),
    [
        ("bats_clean.log", 2),  # `1..3` first; a skipped test is `ok 3 resize # skip not yet`
        ("perl_clean.log", 7),  # done_testing: the plan after a TODO test's `not ok 3 … # TODO`
        ("node_tap_clean.log", 18),  # after each test's YAML block, then `# fail 0`
    ],
)
def test_a_clean_tap_run_alone_is_a_clean_log(
    capsys: pytest.CaptureFixture[str], log: str, plan_line: int
) -> None:
    path = str(RUNS / log)
    [run_] = read_logs([path]).summaries
    assert (run_.source, run_.line, run_.text, run_.tests, run_.failures) == (
        "TAP",
        plan_line,
        "1..3",
        3,
        0,
    )
    code, out, _ = run(capsys, "triage", path, "--no-history")
    assert code == 0 and "0 failures" in out
    assert "(TAP): each passed (3 tests, none failed)" in out


def test_a_clean_prove_run_alone_is_a_clean_log(capsys: pytest.CaptureFixture[str]) -> None:
    """prove prints no TAP line of a passing file, only `Result: PASS`."""
    path = str(RUNS / "prove_clean.log")
    runs = [(s.source, s.text, s.failures) for s in read_logs([path]).summaries]
    assert runs == [("prove", "Result: PASS", 0)]
    code, _, _ = run(capsys, "triage", path, "--no-history")
    assert code == 0


def test_a_clean_make_check_alone_is_a_clean_log(capsys: pytest.CaptureFixture[str]) -> None:
    """automake's test-driver prints `PASS: pass_test` and its Testsuite summary, `# TOTAL: 2`
    with every count that fails a run at 0 (real capture: capture_automake_clean.sh)."""
    path = str(RUNS.parent / "automake_clean.log")
    runs = [(s.source, s.text, s.failures) for s in read_logs([path]).summaries]
    assert runs == [("automake", "# TOTAL: 2", 0)]
    code, _, _ = run(capsys, "triage", path, "--no-history")
    assert code == 0


@pytest.mark.parametrize(
    "text",
    [
        "fetching pool config\nok 1\nstarting workers\n",  # an `ok 1` and no plan
        "1..3\nok 1 pool starts\nok 3 resize\nok 2 ping\n",  # numbers out of order
        "1..3\nok 1 pool starts\nok 2 ping\n",  # fewer tests than the plan says
        "1..2\nok 1 pool starts\nok 2 ping\n1..2\n",  # a plan of no test
        "ok 1 pool starts\nok 2 ping\n1..2\nok 2 again\n",  # a test after a plan closed it
    ],
)
def test_text_with_ok_lines_but_no_tap_stream_is_not_a_clean_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str
) -> None:
    log = tmp_path / "setup.log"
    log.write_text(text)
    code, _, err = run(capsys, "triage", str(log), "--no-history")
    assert code == 2 and "format not recognised" in err


def test_each_tap_stream_of_a_log_is_a_run_of_its_own() -> None:
    """Two scripts' TAP, one with its plan first, one with it last, with set-up lines around."""
    lines = ["$ prove", "1..2", "ok 1 a", "ok 2 b", "# done", "ok 1 c", "1..1", "bye"]
    assert clean_streams(lines) == [CleanStream(2, "1..2", 2), CleanStream(7, "1..1", 1)]
    assert clean_streams([*lines, "not ok 2 d"]) is None  # a failure: no clean run
