"""pytest's progress lines in its other `console_output_style`s: `count` (`[3/5]`), `times` (the
test's duration, `482.0us`) and `classic` (nothing after the outcome). Run with `--no-summary
--tb=no`, or killed in a test, those lines are all that name the failures. Real captures of
`tests/fixtures/src/pytest_progress_styles_suite` (see the fixtures' README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.passes import read_passes

STYLES = Path(__file__).parent / "fixtures" / "pytest" / "progress_styles"
# the suite's failures, as its short summary names them (`3 failed, 2 passed, 1 error`)
FAILED = [
    ("test_arithmetic", "failed"),
    ("test_checkout_times_out", "failed"),
    ("test_context_names_the_pool_pid", "failed"),
    ("test_stop_fails_in_teardown", "error"),
]
HUNG = "test_second_checkout_waits_forever"
STYLE_NAMES = ["count", "times", "classic"]


def outcomes(name: str) -> list[tuple[str, str]]:
    parsed = read_logs([str(STYLES / name)])
    return sorted((f.name, f.details["outcome"]) for f in parsed.failures)


@pytest.mark.parametrize("style", STYLE_NAMES)
@pytest.mark.parametrize("form", ["verbose", "xdist"])
def test_each_failure_named_on_a_progress_line_is_read(style: str, form: str) -> None:
    """`t.py::test_a FAILED [1/5]`, `… FAILED 482.0us`, `… FAILED`, and pytest-xdist's `[gw0]
    [1/5] FAILED t.py::test_a`, `[gw0] 670.3us FAILED …`, `[gw0] FAILED …`: each a failure read
    from its line, as with the default `[ 20%]` (before, none was read: 4 of 4 unread)."""
    name = f"{style}_{form}_no_summary.txt"
    assert outcomes(name) == FAILED
    parsed = read_logs([str(STYLES / name)])
    text = (STYLES / name).read_text(encoding="utf-8").splitlines()
    for failure in parsed.failures:
        assert failure.details["nodeid"] in text[failure.line_start - 1]
    [closing] = parsed.summaries
    assert (closing.failures, closing.read) == (4, 4)


@pytest.mark.parametrize("style", STYLE_NAMES)
def test_a_run_killed_in_a_test_keeps_the_failures_before_it(style: str) -> None:
    """Killed in its last test, the run printed no closing line: the failures its progress
    lines named are its failures, and so is the test it stopped in (before, only that one was:
    four failures lost, with nothing saying so)."""
    name = f"{style}_killed_verbose.txt"
    assert outcomes(name) == sorted([*FAILED, (HUNG, "failed")])
    [run] = read_logs([str(STYLES / name)]).summaries
    assert run.inferred and run.text.startswith("(no closing line")


@pytest.mark.parametrize("style", STYLE_NAMES)
def test_the_run_history_reads_the_passes_of_each_style(style: str) -> None:
    """pytest-xdist's `[gw0] [4/5] PASSED t.py::test_a` (and the duration's, and `classic`'s
    `[gw0] PASSED …`) name a pass, as its `[ 80%]` form does."""
    with (STYLES / f"{style}_xdist_no_summary.txt").open("rb") as stream:
        passed = sorted(p.name for p in read_passes(stream, "pytest"))
    assert passed == [
        "test_checkout_returns_a_worker",
        "test_stop_fails_in_teardown",  # its call passed; its teardown is the error
    ]


# live logging (`--log-cli-level`): a test's start line, its `live log` sections, then its
# outcome alone on a line (`FAILED  [ 20%]`); a teardown error is named on a line of its own
def test_an_outcome_alone_after_a_live_log_is_its_test_s_failure() -> None:
    """Before, only the two failures named on their line were read (2 of 4 unread): the
    outcome alone after a test's live log names no test."""
    name = "live_log_no_summary.txt"
    assert outcomes(name) == FAILED
    parsed = read_logs([str(STYLES / name)])
    [closing] = parsed.summaries
    assert (closing.failures, closing.read) == (4, 4)
    text = (STYLES / name).read_text(encoding="utf-8").splitlines()
    timed_out = next(f for f in parsed.failures if f.name == "test_checkout_times_out")
    # from its start line to its outcome's, past its live log
    assert text[timed_out.line_start - 1] == "check_styles.py::test_checkout_times_out "
    assert text[timed_out.line_end - 1].startswith("FAILED ")
    assert "live log setup" in text[timed_out.line_start]


@pytest.mark.parametrize("name", ["live_log_killed.txt", "live_log_count_killed.txt"])
def test_a_run_with_live_logging_killed_in_a_test_keeps_the_failures_before_it(name: str) -> None:
    """Before, 3 failures: the 2 named on their line and the test it stopped in; the 2 whose
    outcome stood alone after their live log were lost, with nothing saying so."""
    assert outcomes(name) == sorted([*FAILED, (HUNG, "failed")])
    # its live log line, not its start, is the input's last: the message said it was its start
    parsed = read_logs([str(STYLES / name)])
    [hung] = [f for f in parsed.failures if f.name == HUNG]
    text = (STYLES / name).read_text(encoding="utf-8").splitlines()
    assert text[hung.line_start - 1] == f"check_hang.py::{HUNG} "
    assert text[-1].startswith("INFO     pool:check_hang.py:")
    assert "the last line of the input is its start" not in hung.message
    assert "its start is the runner's last line in the input" in hung.message


def test_a_full_run_with_live_logging_reads_as_before() -> None:
    """With its FAILURES section and short summary, the blocks are the failures, each once."""
    parsed = read_logs([str(STYLES / "live_log.txt")])
    assert sorted((f.name, f.details["outcome"]) for f in parsed.failures) == FAILED
    assert all("named_by" not in f.details for f in parsed.failures)


def test_an_outcome_alone_after_what_a_test_printed_under_s_is_its_failure() -> None:
    """`pytest -s -v`: a test that prints from a line of its own leaves its node id alone on
    its line, and its outcome alone after what it printed (before: 2 of 2 unread)."""
    name = "prints_s_verbose_no_summary.txt"
    assert outcomes(name) == [
        ("test_arithmetic", "failed"),
        ("test_worker_answers[ping -> pong]", "failed"),
    ]
    [closing] = read_logs([str(STYLES / name)]).summaries
    assert (closing.failures, closing.read) == (2, 2)


# pytest 9's subtests under `-v` (`check_subtests.py`): a test whose two subtests fail, a
# unittest subTest failing, an arithmetic assertion; `5 failed` counts each failed subtest
POOLS = "test_each_pool_has_a_worker"


def test_a_failed_subtest_named_on_a_progress_line_is_read() -> None:
    """`t.py::test_a SUBFAILED[pool size] (pool='cache')  [ 25%]`: a failure, named as the
    short summary names it (before: 3 of 5 unread). The unittest subTest's failure shows on
    no line of a `-v` run without xdist (pytest prints its test PASSED): it stays unread."""
    name = "subtests_verbose_no_summary.txt"
    assert outcomes(name) == [
        ("test_arithmetic", "failed"),
        (POOLS, "failed"),
        (f"{POOLS} [pool size] (pool='cache')", "failed"),
        (f"{POOLS} [pool size] (pool='queue')", "failed"),
    ]
    [closing] = read_logs([str(STYLES / name)]).summaries
    assert (closing.failures, closing.read) == (5, 4)


def test_pytest_xdist_s_failed_subtests_are_read_as_it_prints_them() -> None:
    """`[gw1] [ 66%] SUBFAILED[pool size] (pool="'cache'") t.py::test_a`: xdist prints the
    parameters' reprs; its unittest subTest's failure too (`SUBFAILED(worker='1')`)."""
    name = "subtests_xdist_no_summary.txt"
    assert outcomes(name) == [
        ("TestWorkers.test_each_worker_answers (worker='1')", "failed"),
        ("test_arithmetic", "failed"),
        (POOLS, "failed"),
        (f"{POOLS} [pool size] (pool=\"'cache'\")", "failed"),
        (f"{POOLS} [pool size] (pool=\"'queue'\")", "failed"),
    ]
    [closing] = read_logs([str(STYLES / name)]).summaries
    assert (closing.failures, closing.read) == (5, 5)


def test_a_run_killed_after_failed_subtests_keeps_them() -> None:
    """Before, 3 failures (the two named FAILED and the test it stopped in): the two failed
    subtests were lost, with nothing saying so."""
    assert outcomes("subtests_killed_verbose.txt") == [
        ("test_arithmetic", "failed"),
        (POOLS, "failed"),
        (f"{POOLS} [pool size] (pool='cache')", "failed"),
        (f"{POOLS} [pool size] (pool='queue')", "failed"),
        (HUNG, "failed"),
    ]


def test_a_run_killed_on_a_file_s_wrapped_letters_stopped_in_a_test() -> None:
    """`check_many.py .......F…F [ 58%]`, then letters alone (the file's line wrapped at 80
    columns), cut by the kill: the test after the last letter was running, as when the file's
    first line is cut (before: 4 counted, the test it stopped in left out, as for pytest-xdist's
    letters, which never name a file)."""
    parsed = read_logs([str(STYLES / "wrapped_killed.txt")])
    assert parsed.failures == []
    [run] = parsed.summaries
    assert (run.failures, run.read, run.source) == (5, 0, "progress marks")
    assert run.text.endswith("mark 4 failure(s), and stop in a test that printed no result)")


def test_an_outcome_alone_after_output_printed_on_the_node_id_s_line_is_its_failure() -> None:
    """`-s -v`: `t.py::test_a worker 1 started (pid 4242)`, another line, then `FAILED` alone:
    the test is the one whose node id the lines before name (before: 0 of 2 read). Output
    ending with no newline, its outcome glued to it (`… half a lineFAILED`), is read too (it
    stayed unread until tests/fixtures/pytest/glued/ showed what follows such an outcome: the
    next test's start, as after one alone; see tests/test_pytest_glued.py)."""
    name = "prints_inline_s_verbose_no_summary.txt"
    parsed = read_logs([str(STYLES / name)])
    assert [(f.name, f.line_start, f.line_end) for f in parsed.failures] == [
        ("test_worker_answers", 9, 11),
        ("test_partial_line", 14, 14),
    ]
    [closing] = parsed.summaries
    assert (closing.failures, closing.read) == (2, 2)


@pytest.mark.parametrize("name", ["live_log_no_summary.txt", "live_log.txt"])
def test_the_run_history_reads_the_passes_named_by_a_live_log_s_start(name: str) -> None:
    """Under live logging a test that logs passes with `PASSED  [ 40%]` alone after its live
    log: its start names it (before: no pass read, so the run history could not tell a test
    that failed before and passes now)."""
    with (STYLES / name).open("rb") as stream:
        passed = [p.name for p in read_passes(stream, "pytest")]
    assert passed == ["test_checkout_returns_a_worker", "test_stop_fails_in_teardown"]


def test_a_quiet_run_with_live_logging_begins_at_its_first_test_s_start() -> None:
    """`-q` prints no session header: the first test's start, `check_styles.py::test_… `, is the
    run's first line (before: the outcomes alone were read outside any run, 0 of 4)."""
    name = "live_log_quiet_no_summary.txt"
    assert outcomes(name) == FAILED
    [closing] = read_logs([str(STYLES / name)]).summaries
    assert (closing.failures, closing.read) == (4, 4)


def test_a_quiet_run_with_live_logging_killed_in_a_test_is_read_as_pytest_s() -> None:
    """Killed, it holds no line pytest's format was known by (before: "format not recognised",
    exit 2); its live log's headings are pytest's own."""
    name = "live_log_quiet_killed.txt"
    parsed = read_logs([str(STYLES / name)])
    assert sorted((f.name, f.details["outcome"]) for f in parsed.failures) == sorted(
        [*FAILED, (HUNG, "failed")]
    )
    [run] = parsed.summaries
    assert run.inferred and run.text.startswith("(no closing line")


@pytest.mark.parametrize(
    "name", ["prints_alike_s_verbose.txt", "prints_alike_s_verbose_no_summary.txt"]
)
def test_an_outcome_a_test_printed_on_a_line_of_its_own_is_its_output(name: str) -> None:
    """A passing test prints `FAILED`, then `ERROR  [ 50%]`, on lines of their own: the line
    after its `FAILED` is none pytest prints after an outcome, so it is the test's text (read as
    a failure of the test before, with the outcomes alone: 2 of the run's 1)."""
    parsed = read_logs([str(STYLES / name)])
    assert [f.name for f in parsed.failures] == ["test_arithmetic"]
    [closing] = parsed.summaries
    assert (closing.failures, closing.read) == (1, 1)


def test_setup_show_s_indented_outcome_lines_name_the_failures() -> None:
    """`--setup-show -v`: `        t.py::test_a (fixtures used: pool) FAILED`, indented, the
    fixtures named before the outcome (before: 0 of 4 read)."""
    name = "setup_show_no_summary.txt"
    assert outcomes(name) == FAILED
    [closing] = read_logs([str(STYLES / name)]).summaries
    assert (closing.failures, closing.read) == (4, 4)


def test_a_run_with_setup_show_killed_in_a_test_keeps_its_failures() -> None:
    """Killed, its last line the test's start indented again, awaiting its outcome (before:
    1 failure, the teardown's ERROR named on a line of its own; the other 4 lost with nothing
    saying so)."""
    assert outcomes("setup_show_killed.txt") == sorted([*FAILED, (HUNG, "failed")])
