"""Python's report of an exception it could not raise (`Exception ignored in: <coroutine …>`),
written on stderr in the middle of a `pytest -qq` progress line: the letters before it are the
run's. A real capture: pytest 8.3.5, pytest-asyncio 0.25.1 on Python 3.13.5
(tests/fixtures/src/capture_python_3_13.sh)."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs

QQ = Path(__file__).parent / "fixtures" / "pytest" / "python_3_13" / "plugins_qq_junit.txt"


def test_letters_cut_by_an_unraisable_report_count_toward_the_run() -> None:
    """`FEFF...F.Exception ignored in: …`, two tracebacks, then `FFFF.  [100%]`: one run
    begun at line 1 whose letters mark 9 failures (5 + 4); it was a run begun at line 27, 4."""
    [summary] = read_logs([str(QQ)]).summaries
    assert (summary.start, summary.failures, summary.source) == (1, 9, "progress marks")


def test_only_letters_before_the_report_are_taken() -> None:
    from poolctl.logs.pytest_lines import marks_before_unraisable

    assert marks_before_unraisable("F.E.Exception ignored in: <function f at 0x1>") == "F.E."
    assert marks_before_unraisable("Exception ignored in: <function f at 0x1>") == ""
    assert marks_before_unraisable("Fixed: Exception ignored in: x") == ""


def test_a_report_after_a_file_s_letters_leaves_the_run_whole() -> None:
    """With a session header and `-s` (tests/fixtures/src/capture_unraisable_after_file.sh):
    `check_async.py FEFException ignored in: …`, two tracebacks, then the file's other letters
    `F..` on a line of their own. One run from line 1, its 9 failures all read and named; the
    letters after the reports start no `-q` run of their own."""
    after_file = QQ.parent / "unraisable_after_file.txt"
    parsed = read_logs([str(after_file)])
    [summary] = parsed.summaries
    assert (summary.start, summary.failures, summary.read) == (1, 9, 9)
    assert summary.text.startswith("=") and "8 failed, 5 passed, 1 error" in summary.text
    assert len({f.name for f in parsed.failures}) == 9
    assert "test_worker_answers_ping" in {f.name for f in parsed.failures}
