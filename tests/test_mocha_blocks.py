"""Mocha's failure list under its spec reporter (below `6 failing`: each entry's number, its
suites' and test's titles, the error, the stack) is read into failures and classified (real
captures: capture_mocha_blocks.sh, capture_other_runners.sh). Before, its verdict counted them
and none was read: `6 of the 6 failures the runner counted were not read`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

MIXED = Path(__file__).parent / "fixtures" / "mixed"
MOCHA = MIXED / "mocha_blocks"
# each entry: its test's full title, its outermost suite, its place, its kind
ENTRIES = [
    ("reads its settings", "", "test/pool.test.js:43", "AssertionError"),
    ("Pool request is answered", "Pool", "pool.js:27", "Error"),
    ("Pool second checkout waits", "Pool", "pool.js:21", "Error"),
    ("Pool jobs start without program_id", "Pool", "pool.js:40", "Error"),
    ("Pool jobs reply shape", "Pool", "test/pool.test.js:25", "AssertionError"),
    ('Broker "before each" hook for "publishes"', "Broker", "test/pool.test.js:36", "Error"),
]


@pytest.mark.parametrize("log", ["spec.txt", "color.txt"])
def test_each_entry_of_the_failure_list_is_read_once(log: str) -> None:
    """The tests numbered in the tree above the counts (`    2) request is answered`) are the
    list's again: each is read once, from the list, and the run, whose output goes on below its
    counts, reads 6 of 6."""
    parsed = read_logs([str(MOCHA / log)])
    assert [(f.name, f.group, f.location, f.kind) for f in parsed.failures] == ENTRIES
    assert {(f.source, f.details["runner"]) for f in parsed.failures} == {("mocha", "Mocha")}
    [mocha] = parsed.summaries
    assert (mocha.source, mocha.failures, mocha.read) == ("Mocha", 6, 6)
    assert mocha.output_end == parsed.failures[-1].line_end
    assert not [note for note in parsed.skipped if "its own failure blocks are not read" in note]


def test_an_assertions_message_goes_on_unindented_to_its_stack() -> None:
    parsed = read_logs([str(MOCHA / "spec.txt")])
    settings, *_, shape, _ = parsed.failures
    assert settings.message == "Expected values to be strictly equal:\nundefined !== '4'"
    assert settings.details["code"] == "ERR_ASSERTION"
    assert shape.message.startswith("Expected values to be strictly deep-equal:\n+ actual")
    assert '+  "result": "pang"' in shape.message  # Mocha's own diff
    assert shape.stacktrace[0] == "Context.<anonymous> (test/pool.test.js:25:14)"


def test_the_pool_failures_are_classified(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "triage", str(MOCHA / "spec.txt"), "--no-history", "-f", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["unread"] == 0
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in report["findings"]}
    assert patterns["Pool request is answered"] == "port-no-response"
    assert patterns["Pool second checkout waits"] == "checkout-timeout-waiters"
    assert patterns["Pool jobs start without program_id"] == "required-field-missing"
    assert patterns['Broker "before each" hook for "publishes"'] == "dependency-not-started"


def test_a_mocha_run_after_a_clean_pytest_run_is_read() -> None:
    parsed = read_logs([str(MIXED / "pytest_then_mocha.log")])
    assert [(f.name, f.message) for f in parsed.failures] == [
        ("Pool checkout times out", "TimeoutError: ResourceRequest timed out"),
        ("Pool connect refused", "connect ECONNREFUSED 127.0.0.1:5432"),
    ]
    clean, mocha = parsed.summaries
    assert (mocha.start, mocha.failures, mocha.read) == (clean.line + 1, 2, 2)
    assert parsed.skipped == []


def test_two_runs_in_one_log_each_read_their_own_list(tmp_path: Path) -> None:
    """The second run begins after the first's list, not after its counts: the first run's
    entries are not the second's too."""
    two = tmp_path / "two.txt"
    two.write_text((MOCHA / "spec.txt").read_text() * 2)
    parsed = read_logs([str(two)])
    assert len(parsed.failures) == 12
    first, second = parsed.summaries
    assert (first.read, second.read) == (6, 6)
    assert first.output_end is not None and second.start == first.output_end + 1


def test_a_log_cut_in_the_list_counts_the_rest_unread(tmp_path: Path) -> None:
    cut = tmp_path / "cut.txt"
    cut.write_text("".join((MOCHA / "spec.txt").read_text().splitlines(keepends=True)[:36]))
    parsed = read_logs([str(cut)])
    assert [f.name for f in parsed.failures] == [e[0] for e in ENTRIES[:3]]
    [mocha] = parsed.summaries
    assert (mocha.failures, mocha.read) == (6, 3)


def test_mocha_s_tap_reporter_is_read_as_its_spec_reporter_is() -> None:
    """Mocha's TAP (`--reporter tap`, capture_mocha_reporters.sh) indents each failed test's
    message, error and stack two spaces under its `not ok` line, with no `#` nor YAML: its six
    failures were read with no message, place nor kind (`not ok`), none classified. They now
    read as the spec reporter's list does, grouped by their place's file as TAP's are; the dot
    reporter prints the spec reporter's list."""
    tap = read_logs([str(MOCHA / "tap.txt")]).failures
    dot = read_logs([str(MOCHA / "dot.txt")]).failures
    assert [(f.name, f.location, f.kind) for f in tap] == [(n, p, k) for n, _, p, k in ENTRIES]
    assert [f.group for f in tap] == [p.rpartition(":")[0] for _, _, p, _ in ENTRIES]
    assert [f.message.split("\n")[0] for f in tap] == [
        "Expected values to be strictly equal:",
        f"No response received from worker pid {tap[1].message.split()[6]} within 300ms",
        "checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting",
        "program_id is required",
        "Expected values to be strictly deep-equal:",
        "connect ECONNREFUSED 127.0.0.1:5672",
    ]
    assert [(f.name, f.group, f.location, f.kind) for f in dot] == ENTRIES


def test_mocha_s_tap_run_is_named_mocha_by_its_counts_and_plan(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Mocha's TAP reporter ends in `# tests 7`, `# pass 1`, `# fail 6`, then its plan `1..7`;
    node's TAP reporter prints its plan first and counts on after `# fail` (`# cancelled 0`,
    `# duration_ms`: tests/fixtures/mixed/node_reporters/tap.log). The run was named node's
    (its note saying `alone (node --test)`); it is Mocha's."""
    parsed = read_logs([str(MOCHA / "tap.txt")])
    assert [(s.source, s.text, s.failures, s.read) for s in parsed.summaries] == [
        ("Mocha", "# fail 6", 6, 6)
    ]
    assert any("alone (Mocha), their failures counted, 6 read" in n for n in parsed.skipped)
    code, out, _ = run(capsys, "triage", str(MOCHA / "tap.txt"), "--no-history")
    assert code == 1 and "lines (Mocha)" in out
    node = read_logs([str(MIXED / "node_reporters" / "tap.log")])
    assert [s.source for s in node.summaries] == ["node --test"]


def test_a_tap_run_cut_after_its_fail_count_names_no_runner_it_cannot_tell(
    tmp_path: Path,
) -> None:
    """tap.txt cut before its plan, as a log size limit leaves it: nothing after `# fail 6`
    tells Mocha's reporter from node's; the run is TAP's, not node's."""
    cut = tmp_path / "tap_cut.txt"
    cut.write_text("".join((MOCHA / "tap.txt").read_text().splitlines(keepends=True)[:-1]))
    parsed = read_logs([str(cut)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("TAP", 6, 6)]
    assert parsed.formats == {str(cut): "TAP"}
