"""A JUnit report cut short (a runner killed while writing it, an artifact truncated) is read up
to the cut: the test cases whole before it, a note naming the cut (file:line:column), its
suite's counts marked partial, exit 1 as a text log's run that stopped short (real captures,
cut with `head -c`: tests/fixtures/src/capture_junit_cut.sh)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.junit_suites import CUT_SOURCE
from tests.conftest import RunCli

JUNIT = Path(__file__).parent / "fixtures" / "junit"
CUT = JUNIT / "cut"


def _end(path: Path, column_at_last_tag: bool) -> tuple[int, int]:
    """The cut's line and 1-based column: the end of the file, or the start of the tag it
    leaves open (where expat says an unclosed token begins)."""
    data = path.read_bytes()
    last = data.rsplit(b"\n", 1)[-1]
    column = last.rfind(b"<") + 1 if column_at_last_tag else len(last) + 1
    return data.count(b"\n") + 1, column


@pytest.mark.parametrize(
    ("name", "read", "declared", "cases", "lost", "at_tag"),
    [
        ("pytest_pool_suite", 9, 22, 11, "test_parse_retry_count", False),
        ("common_test", 2, 5, 4, "noproc_case", True),
    ],
)
def test_the_test_cases_before_the_cut_are_read_and_the_cut_is_named(
    name: str, read: int, declared: int, cases: int, lost: str, at_tag: bool
) -> None:
    full, cut = CUT / f"{name}.xml", CUT / f"{name}_cut.xml"
    whole = read_logs([str(full)])
    parsed = read_logs([str(cut)])
    # the same failures, on the same lines, as the whole report's first ones
    want = [(f.name, f.group, f.line_start, f.message) for f in whole.failures[:read]]
    assert [(f.name, f.group, f.line_start, f.message) for f in parsed.failures] == want
    line, column = _end(cut, at_tag)
    [note] = parsed.skipped
    assert note.startswith(f"{cut}:{line}:{column}: JUnit XML cut short (")
    assert f"{cases} test case(s) whole, {read} failing, test case {lost!r}" in note
    assert note.endswith("its counts are partial")
    [summary] = parsed.summaries
    assert (summary.source, summary.failures, summary.read, summary.line) == (
        CUT_SOURCE,
        declared,
        read,
        line,
    )
    assert f"cut short at {cut}:{line}:{column}" in summary.text
    assert "its counts are partial" in summary.text


def test_a_cut_report_exits_1_and_says_how_many_failures_it_does_not_hold(
    run_cli: RunCli,
) -> None:
    cut = CUT / "pytest_pool_suite_cut.xml"
    code, out, err = run_cli("triage", str(cut), "--no-history", "--format", "json")
    assert code == 1, err
    doc = json.loads(out)
    assert (doc["summary"]["failures"], doc["summary"]["unread"]) == (9, 13)
    [region] = doc["coverage"]["regions"]
    assert region["origin"].endswith("pytest_pool_suite_cut.xml:136")
    assert region["why"].endswith("22 counted, 9 read; the rest is not in the file")
    code, out, _ = run_cli("triage", str(cut), "--no-history", "-q")
    assert code == 1
    assert "13 of the 22 failures the runner counted were not read" in out


def test_a_cut_past_every_failure_counted_still_leaves_the_run_incomplete(
    tmp_path: Path, run_cli: RunCli
) -> None:
    """Cut after its last test case, the suite's own count is all read; what the cut lost is
    counted as one failure not read, as the test a text log's run stopped in: never exit 0."""
    text = (CUT / "common_test.xml").read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(text[: text.index(b"</testsuite>")])
    parsed = read_logs([str(cut)])
    [summary] = parsed.summaries
    assert (summary.failures, summary.read) == (6, 5)
    assert "the suite counts 5, all read" in summary.text
    code, out, err = run_cli("triage", str(cut), "--no-history", "--format", "json")
    assert code == 1, err
    assert json.loads(out)["summary"]["unread"] == 1


@pytest.mark.parametrize(
    ("before", "said"),
    [
        (b"<testsuite ", "declares no count"),  # in `<testsuites>`, before its suite
        # in the XML declaration's line (named JUnit: nothing in it says so)
        (b"<testsuites ", "outside the suites counted"),
    ],
)
def test_a_cut_before_any_test_case_is_one_failure_not_read(
    tmp_path: Path, before: bytes, said: str
) -> None:
    text = (CUT / "pytest_pool_suite.xml").read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(text[: text.index(before)])
    parsed = read_logs([str(cut)], fmt="junit")
    [summary] = parsed.summaries
    assert (summary.source, summary.failures, summary.read) == (CUT_SOURCE, 1, 0)
    assert said in summary.text


def test_a_suite_cut_before_its_first_test_case_counts_what_it_declares(tmp_path: Path) -> None:
    """Ant's report of two classes, cut in the second's `<properties>`: its start tag declares
    6 failures, none of them read (the first class's 5 are, whole)."""
    text = (JUNIT / "ant/TESTS-TestSuites.xml").read_bytes()
    second = text.index(b"<testsuite ", text.index(b"</testsuite>"))
    cut = tmp_path / "cut.xml"
    cut.write_bytes(text[: second + 200])
    parsed = read_logs([str(cut)])
    assert len(parsed.failures) == 5
    first, second_suite = parsed.summaries
    assert (first.source, first.failures, first.read) == ("suite attributes", 5, 5)
    assert (second_suite.source, second_suite.failures, second_suite.read) == (CUT_SOURCE, 6, 0)
    assert 'name="PoolCheckoutTest"' in second_suite.text


def test_testsuites_cut_between_its_suites_counts_for_them_all(tmp_path: Path) -> None:
    """jest-junit's `<testsuites>` declares the failures of every suite in it: cut after one,
    its totals are the count, the failures read in all of them what was read."""
    text = (JUNIT / "jest_junit.xml").read_bytes()
    end = text.index(b"</testsuite>") + len(b"</testsuite>")
    cut = tmp_path / "cut.xml"
    cut.write_bytes(text[:end])
    parsed = read_logs([str(cut)])
    [summary] = parsed.summaries
    assert (summary.source, summary.failures, summary.read) == (CUT_SOURCE, 5, 4)
    assert 'name="jest tests"' in summary.text and "the suite counts 4, all read" in summary.text
