"""Runs whose log ends in the line that says how they ended: the shell's job-status line for a
runner a signal killed (bash's `step.sh: line 1: PID Killed  …`, `Segmentation fault (core
dumped)`, dash's bare `Killed`, glued to the runner's last output), the BEAM out of memory
(`eheap_alloc: Cannot allocate …`, `Crash dump is being written to: …`), and a CI service's
own lines for a job past its time limit. None of them reads as clean, each keeps the failures
it printed, and each says how it ended, quoting those lines.

The logs are real runs (tests/fixtures/src/capture_run_ends.sh and
capture_exunit_run_ends.sh; the CI services' lines are appended to real runs, see the
fixtures' README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.errors import InputError
from poolctl.logs import read_logs
from poolctl.logs.run_end_lines import ending
from poolctl.triage.coverage import coverage
from tests.conftest import RunCli

FIXTURES = Path(__file__).parent / "fixtures"
PYTEST = FIXTURES / "pytest" / "run_ends"
EXUNIT = FIXTURES / "exunit" / "run_ends"
FAILED_FIRST = ["test_checkout_times_out", "test_worker_status"]
# captured logs no runner's mark names (dash's `FF.Killed`): read with the format named, as
# --log-format does; every other capture's format is found
# logs whose lines name no runner: read with `--log-format`
NAMED_FORMATS = {
    "pytest/run_ends/oom_killed_quiet_dash.txt": "pytest",
    "exunit/on_exit_hang/dots.log": "exunit",  # (`..` alone)
}
GITHUB = "The operation was canceled."
GITLAB = "ERROR: Job failed: execution took longer than 10m0s seconds"


def _line(path: Path, number: int) -> str:
    return path.read_bytes().decode().split("\n")[number - 1]


# each log without `-v`: its ending lines' numbers, the text the first one starts with, the
# last one's text (None: the same line)
MARKS_ONLY = {
    "oom_killed.txt": ([8], "/tmp/pytest_run_ends_suite/step.sh: line 1: ", None),
    "oom_killed_dash.txt": ([8], "Killed", None),
    "segv_shell.txt": ([8], "/tmp/pytest_run_ends_suite/step.sh: line 1: ", None),
    "github_timeout.txt": ([8, 10, 11], "/tmp/pytest_run_ends_suite/step.sh: line 1: ", GITHUB),
    "gitlab_timeout.txt": ([8, 10], "/tmp/pytest_run_ends_suite/step.sh: line 1: ", GITLAB),
    # the step's script went on after pytest died: its status, then `ls` (capture_run_ends_then.sh)
    "then_oom_killed.txt": ([8], "/tmp/pytest_run_ends_suite/step.sh: line 1: ", None),
    "then_oom_killed_dash.txt": ([8], "Killed", None),
}


@pytest.mark.parametrize("log", sorted(MARKS_ONLY))
def test_a_killed_pytest_run_counts_its_marks_and_says_how_it_ended(log: str) -> None:
    """`check_ends.py FF.` and the shell's line glued to it: the two failures its letters mark
    and the test it stopped in are counted (none named), and the run's end is quoted."""
    numbers, first, last = MARKS_ONLY[log]
    parsed = read_logs([str(PYTEST / log)])
    assert parsed.failures == []
    counted = coverage(parsed)
    assert counted is not None and (counted.counted, counted.read) == (3, 0)
    (run,) = parsed.summaries
    assert run.line == numbers[-1] and "its progress lines mark 2 failure(s)" in run.text
    said = run.text.split("its last lines say how it ended: ", 1)[1]
    assert said.startswith(f"'{first}") and f"(line {numbers[0]})" in said
    assert said.endswith(f"'{last}' (line {numbers[-1]}))" if last else f"(line {numbers[-1]}))")
    assert "check_ends.py FF." not in said  # the marks are the runner's, not the shell's


@pytest.mark.parametrize(
    "log", ["oom_killed.txt", "segv_shell.txt", "github_timeout.txt", "then_oom_killed.txt"]
)
def test_a_killed_pytest_run_fails_the_triage(run_cli: RunCli, tmp_path: Path, log: str) -> None:
    code, out, _ = run_cli("triage", str(PYTEST / log), "--no-history", "--run-dir", str(tmp_path))
    assert code == 1, out
    assert "3 of the 3 failures the runner counted were not read" in out


# `pytest -q` killed (capture_run_ends_quiet.sh): no session header, no closing line, the one
# line `FF.` glued to the shell's; each log, the format it is read as, the ending's first text
QUIET = [
    ("oom_killed_quiet.txt", "auto", "/tmp/pytest_run_ends_suite/step.sh: line 1: "),
    ("oom_killed_quiet.txt", "pytest", "/tmp/pytest_run_ends_suite/step.sh: line 1: "),
    ("oom_killed_quiet_dash.txt", "pytest", "Killed"),
]


@pytest.mark.parametrize(("log", "fmt", "first"), QUIET)
def test_a_killed_quiet_pytest_run_is_read_as_a_run_that_stopped(
    log: str, fmt: str, first: str
) -> None:
    """Its two F marks and the test it stopped in are counted (none named), as `oom_killed.txt`'s
    are; bash's job-status line names pytest, which tells the format without --log-format."""
    path = PYTEST / log
    parsed = read_logs([str(path)], fmt)
    assert parsed.formats == {str(path): "pytest"}, parsed.skipped
    assert parsed.failures == []
    counted = coverage(parsed)
    assert counted is not None and (counted.counted, counted.read) == (3, 0)
    (run,) = parsed.summaries
    assert run.line == 1 and "the run that began at line 1 ends with the input" in run.text
    assert "its progress lines mark 2 failure(s), and stop in a test that printed no" in run.text
    said = run.text.split("its last lines say how it ended: ", 1)[1]
    assert said.startswith(f"'{first}") and said.endswith("(line 1))")
    assert "FF." not in said  # the marks are pytest's, not the shell's


def test_a_killed_quiet_pytest_run_fails_the_triage(run_cli: RunCli, tmp_path: Path) -> None:
    log = PYTEST / "oom_killed_quiet.txt"
    code, out, _ = run_cli("triage", str(log), "--no-history", "--run-dir", str(tmp_path))
    assert code == 1, out
    assert "3 of the 3 failures the runner counted were not read" in out


def test_a_killed_quiet_run_retried_keeps_how_each_run_ended() -> None:
    """`pytest -q … || pytest -q …`, both killed (capture_run_ends_quiet.sh): two lines of
    letters glued to bash's, no header between: each line is a run, three failures each."""
    parsed = read_logs([str(PYTEST / "then_retry_oom_killed_quiet.txt")])
    first, second = parsed.summaries
    assert (first.start, first.line, second.start, second.line) == (1, 1, 2, 2)
    assert "the run that began at line 1 ends at line 2, where another starts" in first.text
    for run in (first, second):
        assert "its progress lines mark 2 failure(s), and stop in a test" in run.text
        assert "its last lines say how it ended: '/tmp/pytest_run_ends_suite/step.sh: " in run.text
        assert run.failures == 3
    counted = coverage(parsed)
    assert counted is not None and (counted.counted, counted.read) == (6, 0)


def test_a_killed_quiet_run_whose_letters_wrapped_counts_the_test_it_stopped_in() -> None:
    """120 tests under `pytest -q`, killed in the 100th (capture_run_ends_quiet.sh): a line of
    letters ending in `[ 60%]` begins the run, the next ends glued to bash's line. Its two F
    letters and the test it stopped in are counted, as when the letters fit on one line."""
    parsed = read_logs([str(PYTEST / "oom_killed_quiet_long.txt")])
    (run,) = parsed.summaries
    assert run.line == 2 and "the run that began at line 1 ends with the input" in run.text
    assert "its progress lines mark 2 failure(s), and stop in a test that printed no" in run.text
    counted = coverage(parsed)
    assert counted is not None and (counted.counted, counted.read) == (3, 0)


def test_a_killed_quiet_run_under_dash_names_no_format_of_itself() -> None:
    """`FF.Killed` holds no word of pytest: its format is not guessed from the letters."""
    path = PYTEST / "oom_killed_quiet_dash.txt"
    with pytest.raises(InputError, match=r"quiet_dash\.txt: format not recognised \("):
        read_logs([str(path)])


VERBOSE = {
    "oom_killed_verbose.txt": [12],
    "oom_killed_dash_verbose.txt": [12],
    "segv_shell_verbose.txt": [12],
    "github_timeout_verbose.txt": [12, 14, 15],
    "gitlab_timeout_verbose.txt": [12, 14],
    "then_oom_killed_verbose.txt": [12],
    "then_oom_killed_dash_verbose.txt": [12],
}


@pytest.mark.parametrize("log", sorted(VERBOSE))
def test_a_killed_verbose_pytest_run_ends_in_the_test_it_was_running(log: str) -> None:
    """`check_ends.py::test_end ` and the shell's line glued to it: test_end is a failure of
    the run, its evidence its own line and the ending's, quoted in its message."""
    numbers = VERBOSE[log]
    parsed = read_logs([str(PYTEST / log)])
    assert [f.name for f in parsed.failures] == [*FAILED_FIRST, "test_end"]
    ended = parsed.failures[-1]
    assert ended.kind == "RunEnded"
    assert (ended.line_start, ended.line_end) == (12, numbers[-1])
    assert ended.details["running"] == "check_ends.py::test_end"
    assert "after its start the log says how the run ended: '" in ended.message
    assert ended.details["ended"].split("; ")[0] in _line(PYTEST / log, 12)
    (run,) = parsed.summaries
    assert run.line == numbers[-1] and "its last lines say how it ended" in run.text


def test_a_segfault_dump_then_the_shell_line_keeps_the_dump_and_quotes_the_shell() -> None:
    log = PYTEST / "segv_faulthandler_shell.txt"
    parsed = read_logs([str(log)])
    assert [(f.name, f.kind) for f in parsed.failures] == [("test_end", "FatalError")]
    (run,) = parsed.summaries
    assert run.line == 43
    assert "Segmentation fault      (core dumped) END_MODE=segv" in run.text


# each ExUnit log: the last failure's name, its first and last line, the ending's first line
EXUNIT_CASES = {
    "oom.log": ("mix test", 18, 20, 18),
    "oom_trace.log": ("test the end", 21, 23, 21),
    "oom_killed.log": ("mix test", 18, 18, 18),
    "oom_killed_trace.log": ("test the end", 21, 21, 21),
}


@pytest.mark.parametrize("log", sorted(EXUNIT_CASES))
def test_an_exunit_run_the_vm_died_in_says_how(log: str) -> None:
    """The VM out of memory, or SIGKILLed: the two failures printed, then the test `--trace`
    shows running (else the run), quoting the lines that say how it ended."""
    name, start, end, first = EXUNIT_CASES[log]
    parsed = read_logs([str(EXUNIT / log)])
    assert [f.name for f in parsed.failures] == [
        "test checkout times out",
        "test a linked worker is killed",
        name,
    ]
    ended = parsed.failures[-1]
    assert (ended.kind, ended.line_start, ended.line_end) == ("RunEnded", start, end)
    said = ended.details["ended"]
    assert said.split("; ")[0] in _line(EXUNIT / log, first)
    if log.startswith("oom_killed"):
        assert (
            said.startswith("/tmp/exunit_run_ends_suite/step.sh: line 1: ") and " Killed " in said
        )
    else:
        assert said.startswith("eheap_alloc: Cannot allocate 306586976 bytes of memory")
        assert said.endswith("Crash dump is being written to: erl_crash.dump...done")
    (run,) = parsed.summaries
    assert (run.line, run.failures, run.read) == (end, 3, 3)
    assert "its last lines say how it ended: '" in run.text


@pytest.mark.parametrize("verbose", [False, True])
def test_a_killed_run_retried_keeps_how_each_run_ended(verbose: bool) -> None:
    """`pytest … || pytest …` (capture_run_ends_then.sh), both runs killed: the first run's
    end, before the retry's session start, is read as the second's is, at the input's end."""
    log = PYTEST / f"then_retry_oom_killed{'_verbose' if verbose else ''}.txt"
    parsed = read_logs([str(log)])
    first, second = parsed.summaries
    for run in (first, second):
        assert "its last lines say how it ended: '/tmp/pytest_run_ends_suite/step.sh: " in run.text
        assert run.failures == 3
    assert "ends at line " in first.text and "where another starts" in first.text
    if verbose:  # each run's three failures named, the test it died in the third
        assert [f.name for f in parsed.failures] == [*FAILED_FIRST, "test_end"] * 2
        assert [f.kind for f in parsed.failures].count("RunEnded") == 2
    else:  # counted by the marks, none named
        counted = coverage(parsed)
        assert counted is not None and (counted.counted, counted.read) == (6, 0)
        assert parsed.failures == []
        assert all("its progress lines mark 2 failure(s)" in r.text for r in (first, second))


@pytest.mark.parametrize(
    ("log", "ended"),
    [
        ("run_ends/retry_oom_killed.log", "mix test"),
        ("run_ends/retry_oom_killed_trace.log", "test the end"),
        # Elixir 1.18 (capture_elixir_1_18.sh): the retry's `Running ExUnit with seed` and
        # type warnings come between the kill and the retry's first failure
        ("elixir_1_18/retry_oom_killed.log", "mix test"),
        ("elixir_1_18/retry_oom_killed_trace.log", "test the end"),
    ],
)
def test_an_exunit_run_killed_then_retried_keeps_how_each_run_ended(log: str, ended: str) -> None:
    """`mix test … || mix test …` (capture_exunit_run_ends_retry.sh), the VM SIGKILLed in both:
    the first run's end, before the retry's first line (its seed, since Elixir 1.17) or first
    failure (the numbering restarts), is read as the second's is at the input's end: the test
    `--trace` shows it in, else the run."""
    parsed = read_logs([str(FIXTURES / "exunit" / log)])
    names = ["test checkout times out", "test a linked worker is killed", ended]
    assert [f.name for f in parsed.failures] == names * 2
    first, second = (f for f in parsed.failures if f.kind == "RunEnded")
    for stopped in (first, second):
        said = stopped.details["ended"]
        assert (
            said.startswith("/tmp/exunit_run_ends_suite/step.sh: line 1: ") and " Killed " in said
        )
    assert first.line_end < second.line_start
    assert [(s.failures, s.read) for s in parsed.summaries] == [(3, 3), (3, 3)]


def test_an_exunit_run_killed_in_a_script_that_goes_on_names_the_test_it_was_in() -> None:
    """`mix test --trace` SIGKILLed, the shell's line glued to the test's start, then the step's
    script prints its status and an `ls` error: the test is the run's failure, not lost."""
    log = FIXTURES / "exunit" / "stopped" / "then_sigkill_trace.log"
    parsed = read_logs([str(log)])
    [ended] = parsed.failures
    assert (ended.name, ended.group, ended.kind) == (
        "test checkout waits on a pool that never answers",
        "AlphaTest",
        "RunEnded",
    )
    assert ended.details["ended"].startswith("/tmp/exunit_stopped_umbrella/apps/alpha/step.sh: ")
    assert ended.details["ended"] in _line(log, ended.line_start)


def test_an_ending_followed_by_another_programs_lines_still_ends_the_run() -> None:
    """A shell's job-status line, the BEAM's or a CI service's, then lines no runner prints
    (the script going on): the run ended there. Dash's bare `Killed` only after the runner's
    own line; and a runner's line after any of them means the run went on."""
    shell = "/tmp/s/step.sh: line 1: 20689 Killed                  pytest -q"
    after = [(9, "tests finished with status 137"), (10, "ls: cannot access 'reports'")]
    found = ending([(8, f"check_ends.py FF.{shell}"), *after])
    assert found is not None and found.said == [(8, shell)]
    assert found.before == (8, "check_ends.py FF.")
    found = ending([(7, "check_ends.py FF."), (8, "Killed"), *after])
    assert found is not None and found.before == (7, "check_ends.py FF.")
    assert ending([(7, "Building wheel"), (8, "Killed"), *after]) is None
    went_on = (9, "check_ends.py::test_after PASSED  [100%]")
    assert ending([(8, f"check_ends.py FF.{shell}"), went_on, *after]) is None


def test_a_line_that_only_ends_in_a_signal_name_is_no_ending() -> None:
    """Other text before `Killed` is a test's own output, not dash's line; nor is an ending
    followed by more of the runner's output."""
    assert ending([(5, "worker 3 Killed")]) is None
    assert ending([(5, "Killed"), (6, "check_ends.py::test_after PASSED  [100%]")]) is None
    found = ending([(4, "check_ends.py::test_end "), (5, "Killed")])
    assert found is not None and found.before == (4, "check_ends.py::test_end ")
