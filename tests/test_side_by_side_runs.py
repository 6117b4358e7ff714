"""Two pytest runs side by side in one log: tox's environments with their output live (`tox p
--parallel-live`; real runs: tests/fixtures/src/capture_tox_parallel.sh) and `make -j2`
(capture_make_jobs.sh). One run's session starts while the other's is still printing: it is a
run of its own, neither a test's text nor the end of the run in progress."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs

PYTEST = Path(__file__).parent / "fixtures" / "pytest"
TOX = PYTEST / "tox_parallel"


@pytest.mark.parametrize("name", ["live_glued.txt", "live_own_line.txt", "default.txt"])
def test_each_environment_run_is_read_and_counted_by_its_own_closing_line(name: str) -> None:
    parsed = read_logs([str(TOX / name)])
    # the pool environment's 6 failed and 1 error, the ports environment's 6 failed
    assert len(parsed.failures) == 13
    assert [(s.failures, s.read, s.inferred) for s in parsed.summaries] == [
        (7, 7, False),
        (6, 6, False),
    ]


def test_a_session_glued_to_the_other_runs_progress_is_no_tests_text() -> None:
    # `check_pool.py .===== test session starts =====`: read as a session a test printed under
    # `-s`, its 7 failures were skipped, and no line said so
    parsed = read_logs([str(TOX / "live_glued.txt")])
    groups = sorted({f.group for f in parsed.failures})
    assert groups == [
        "check_context.py",
        "check_pool.py",
        "check_port_worker.py",
        "check_programs.py",
    ]


def test_a_session_on_its_own_line_does_not_end_the_run_in_progress() -> None:
    # was: '(no closing line: the run that began at line 5 ends at line 11, where another
    # starts …)', though that run goes on to its closing line
    parsed = read_logs([str(TOX / "live_own_line.txt")])
    assert not [s.text for s in parsed.summaries if s.text.startswith("(no closing line")]


def test_make_jobs_runs_are_both_read_with_their_summary_lines() -> None:
    # `check_pool.py .===== test session starts =====` with no tox line before it: the
    # session's `rootdir:` is the run's own folder, not a pytester's temporary one; and
    # `F===== short test summary info =====`, the other run's letter before the section line
    parsed = read_logs([str(PYTEST / "make_jobs.txt")])
    assert [(s.failures, s.read, s.inferred) for s in parsed.summaries] == [
        (7, 7, False),
        (6, 6, False),
    ]
    assert [f.name for f in parsed.failures if not f.details.get("nodeid")] == []


def test_make_jobs_sessions_on_lines_of_their_own_during_the_header_are_runs_beside() -> None:
    # `make -j3`: sessions at lines 4, 5 and 14, before any run collected its tests: was
    # '(no closing line: the run that began at line 4 ends at line 5, where another starts …)'
    # and the same of the run at line 5, though each run printed its closing line
    parsed = read_logs([str(PYTEST / "make_jobs_own_line.txt")])
    assert len(parsed.failures) == 22
    assert [(s.line, s.failures, s.read, s.inferred) for s in parsed.summaries] == [
        (207, 9, 9, False),
        (392, 7, 7, False),
        (635, 6, 6, False),
    ]


def test_a_run_beside_that_printed_no_closing_line_is_said_so(tmp_path: Path) -> None:
    # the same log cut after its first closing line (a CI log cut short): the two runs that
    # began beside the first printed none, and which of the failures are theirs cannot be told
    lines = (PYTEST / "make_jobs_own_line.txt").read_text().splitlines(keepends=True)
    cut = tmp_path / "make_jobs_cut.txt"
    cut.write_text("".join(lines[:207]))
    parsed = read_logs([str(cut)])
    assert [(s.line, s.failures) for s in parsed.summaries[:1]] == [(207, 9)]
    [beside] = parsed.summaries[1:]
    assert (beside.line, beside.start, beside.inferred) == (207, 5, True)
    assert beside.text == (
        "(no closing line: of the runs that began beside another at lines 5, 14, 2 printed no "
        "result; which one(s) cannot be told)"
    )


def test_blocks_of_a_run_beside_printed_before_the_other_runs_summary_are_that_runs() -> None:
    # `make -j2`, two runs sharing check_misc.py: the context run's blocks (lines 21-108), the
    # adapters run's progress line and blocks (109-279), then the context run's summary and
    # closing line (289), the adapters run's (300). The adapters run's 9 blocks were read as
    # the context run's (17 read where it counted 8) and its summary lines as 9 more failures
    # (26 in all); its progress line ended the last block of the other
    parsed = read_logs([str(PYTEST / "make_jobs_mixed.txt")])
    assert [(s.line, s.failures, s.read) for s in parsed.summaries] == [(289, 8, 8), (300, 9, 9)]
    assert len(parsed.failures) == 17
    by_run = sorted(
        (int(f.details["summary_line"]) > 289, f.details["nodeid"]) for f in parsed.failures
    )
    assert [nodeid.split("::")[0] for beside, nodeid in by_run if beside].count(
        "check_adapters.py"
    ) == 4
    assert [nodeid.split("::")[0] for beside, nodeid in by_run if not beside].count(
        "check_context.py"
    ) == 3
    [price] = [f for f in parsed.failures if f.name == "test_format_price" and f.line_start < 109]
    assert price.line_end < 109  # `FFFE.sx    [100%]`, the other run's, is no line of its block
    [note] = parsed.skipped
    assert note.endswith(
        "make_jobs_mixed.txt:112-279: 9 failure block(s) printed among another run's output, "
        "which its short summary does not name (a run beside it, under `make -j` or tox): read "
        "as the next run's, matched to its summary lines by name"
    )
