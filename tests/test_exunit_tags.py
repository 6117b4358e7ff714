"""`mix test` with tags and partitions (real runs: tests/fixtures/src/capture_exunit_tags.sh):
`--exclude`/`--only` (their `Excluding tags:` lines, closing lines counting `excluded` and
`skipped`), and two partitions run at once into one log, their failure blocks interleaved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.conftest import RunCli

TAGS = Path(__file__).parent / "fixtures" / "exunit" / "tags"


def test_two_partitions_interleaved_in_one_log_are_each_counted_once(cli: RunCli) -> None:
    """Partitions 1 and 2 printed their blocks in turn (headers numbered 1, 1, 2, 2, 3, 3, 4):
    the second `1)` was read as the first run's end ('numbering restarts': a run of 1
    failure), its other blocks counted in the next run, whose closing line counts 3, and the
    last run read 1 of its 4: '3 unread' though all 7 were read. Each closing line now counts
    the run it closes: 3 and 4, all read."""
    path = TAGS / "partitions_interleaved.log"
    parsed = read_logs([str(path)])
    assert len(parsed.failures) == 7
    assert len({(f.name, f.group) for f in parsed.failures}) == 7
    runs = [(s.text, s.failures, s.read) for s in parsed.summaries]
    assert runs == [
        ("3 tests, 3 failures", 3, 3),
        ("1 doctest, 5 tests, 4 failures, 1 skipped", 4, 4),
    ]
    code, out, err = cli("triage", str(path), "--no-history", "--format", "json")
    assert code == 1, err
    summary = json.loads(out)["summary"]
    assert (summary["failures"], summary["unread"]) == (7, 0)


@pytest.mark.parametrize(
    ("log", "closing", "failures"),
    [
        ("exclude_slow.log", "1 doctest, 8 tests, 6 failures, 1 excluded, 1 skipped", 6),
        ("only_slow.log", "1 doctest, 8 tests, 1 failure, 8 excluded", 1),
    ],
)
def test_excluded_and_skipped_tests_are_counted_as_the_closing_line_says(
    log: str, closing: str, failures: int
) -> None:
    """`--exclude slow` and `--only slow`: every failure read, none past the count."""
    parsed = read_logs([str(TAGS / log)])
    [run] = parsed.summaries
    assert (run.text, run.failures, run.read) == (closing, failures, failures)
    assert len(parsed.failures) == failures


def test_interleaved_runs_as_long_are_not_told_apart_by_a_guess() -> None:
    """Partitions 1 and 2 each failed 2 of their 3 tests and printed both failures before either
    closing line (headers 1, 1, 2, 2, then `3 tests, 2 failures` twice): the first closing line
    was given the first run's start (line 1) and the second the other's (its first header, line
    14), though nothing in the log (no partition printed, the same seed, `Finished in` lines
    naming no run) says which line closes which. Both are now taken to run from line 1, with a
    note that says so; counts unchanged (tests/fixtures/src/capture_exunit_partitions_even.sh)."""
    parsed = read_logs([str(TAGS / "partitions_even.log")])
    assert len(parsed.failures) == 4
    runs = [(s.text, s.failures, s.read, s.start) for s in parsed.summaries]
    assert runs == [("3 tests, 2 failures", 2, 2, 1), ("3 tests, 2 failures", 2, 2, 1)]
    [note] = [n for n in parsed.skipped if "interleaved" in n]
    assert note.startswith(f"{TAGS / 'partitions_even.log'}:46: 2 interleaved `mix test` runs")
    assert "does not tell which of them this closing line closes" in note


def test_a_later_failure_s_module_tells_which_interleaved_run_closed() -> None:
    """partitions_interleaved.log: both runs had printed 3 failures when `3 tests, 3 failures`
    came (headers 1, 1, 2, 2, 3, 3); the first run read (its first line 1, TaggedTest's) was
    given it, though the `4) … (TaggedTest)` after it shows TaggedTest's partition still open:
    the line closes TaggedPoolTest's. ExUnit runs each module in one partition, so no note says
    the log does not tell; both runs are taken to run from line 1 (both began there)."""
    parsed = read_logs([str(TAGS / "partitions_interleaved.log")])
    runs = [(s.failures, s.read, s.start) for s in parsed.summaries]
    assert runs == [(3, 3, 1), (4, 4, 1)]
    assert not [n for n in parsed.skipped if "interleaved" in n]
