"""A JUnit report holding what XML does not allow is read on past it (see
poolctl/logs/junit_recover.py); one cut short is read up to the cut (tests/test_junit_cut.py)."""

from __future__ import annotations

import json
from pathlib import Path

from poolctl.logs import read_logs
from tests.conftest import RunCli

JUNIT = Path(__file__).parent / "fixtures" / "junit"
# node 20's JUnit reporter writes a failure's `]]>` as it is (a real capture:
# tests/fixtures/src/capture_node_junit_invalid.sh); the whole file was refused
NODE = JUNIT / "node_invalid.xml"


def test_node_junit_with_a_cdata_end_in_a_failure_is_read_past_it() -> None:
    parsed = read_logs([str(NODE)])
    assert [f.name for f in parsed.failures] == [  # (named by their path: node's suite's)
        "worker pool > the worker answers a ping",
        "worker pool > a second caller gets a worker while the first holds it",
    ]
    lines = NODE.read_text().splitlines()
    [note] = [n for n in parsed.skipped if "not well-formed" in n]
    # in an attribute `]]>` is allowed; in the failure's text it is not
    bad = next(n for n, text in enumerate(lines, 1) if "]]>" in text and "<" not in text)
    resumed = next(
        n for n, text in enumerate(lines, 1) if n > bad and text.strip().startswith("<testcase")
    )
    lost = next(n for n, text in enumerate(lines, 1) if "the report renders the totals" in text)
    assert note == (
        f"{NODE}:{bad}: not well-formed XML (not well-formed (invalid token)): read on from "
        f"line {resumed}, test case 'worker pool > the report renders the totals' (line {lost})"
        " skipped"
    )
    # the failure skipped is not made up, and is counted as not read
    [suite] = parsed.summaries
    assert (suite.failures, suite.read) == (3, 2)
    after = parsed.failures[1]
    assert after.line_start == resumed and lines[after.line_start - 1].strip().startswith(
        '<testcase name="a second caller'
    )


def test_a_report_read_past_a_fault_says_what_it_could_not_read(run_cli: RunCli) -> None:
    code, out, err = run_cli("triage", str(NODE), "--no-history", "--format", "json")
    assert code == 1, err
    doc = json.loads(out)
    assert (doc["summary"]["failures"], doc["summary"]["unread"]) == (2, 1)
    patterns = sorted(f["outcome"].get("pattern_id") for f in doc["findings"])
    assert patterns == ["checkout-timeout-waiters", "port-no-response"]


def test_a_fault_with_no_test_case_or_suite_after_it_ends_the_reading_there(
    tmp_path: Path,
) -> None:
    """The input ends before anything to read on from: it was cut short, past the fault; what
    was read whole before the fault is kept, its suite's counts partial (it was refused)."""
    text = NODE.read_text()
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: text.index('<testcase name="a second caller')])
    parsed = read_logs([str(cut)])
    assert [f.name for f in parsed.failures] == ["worker pool > the worker answers a ping"]
    [note] = parsed.skipped
    assert "JUnit XML cut short (not well-formed: " in note
    assert "no test case or suite follows before the end" in note
    assert "1 failing" in note and note.endswith("its counts are partial")
    [suite] = parsed.summaries
    assert (suite.source, suite.failures, suite.read) == ("cut short", 3, 1)


def test_a_test_case_whose_start_tag_is_not_well_formed_is_skipped_whole(tmp_path: Path) -> None:
    # a reporter that leaves `<` and `&` unescaped in a test's name: expat stops in the tag
    xml = tmp_path / "names.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<testsuites>\n'
        '\t<testsuite name="pool" tests="3" failures="3">\n'
        '\t\t<testcase name="a" classname="t">\n'
        '\t\t\t<failure message="timed out waiting for an idle worker">x</failure>\n'
        "\t\t</testcase>\n"
        '\t\t<testcase name="b <raw> & c" classname="t">\n'
        '\t\t\t<failure message="pool b was shut down while waiting">y</failure>\n'
        "\t\t</testcase>\n"
        '\t\t<testcase name="c" classname="t">\n'
        '\t\t\t<failure message="worker pid 4242 sent no response">z</failure>\n'
        "\t\t</testcase>\n\t</testsuite>\n</testsuites>\n"
    )
    parsed = read_logs([str(xml)])
    assert [(f.name, f.line_start) for f in parsed.failures] == [("a", 4), ("c", 10)]
    assert parsed.skipped == [
        f"{xml}:7: not well-formed XML (not well-formed (invalid token)): read on from line 10, "
        "what is between skipped"
    ]
    [suite] = parsed.summaries
    assert (suite.failures, suite.read) == (3, 2)


def test_a_failing_test_case_lost_to_a_fault_is_counted_where_no_suite_counts(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """node's JUnit reporter writes no count on its `<testsuites>` (a real capture:
    junit/node_ansi.xml, one failing test case). A byte XML does not allow (invalid UTF-8, as
    binary junk in a worker's output) inside its `<failure>` text loses the test case; it had
    failed, so it is one failure not read, exit 1, where it was a clean `0 failures`."""
    data = (JUNIT / "node_ansi.xml").read_bytes()
    at = data.index(b"code: 'ERR_TEST_FAILURE'")
    log = tmp_path / "node_ansi_damaged.xml"
    log.write_bytes(data[:at] + b"\xff\xfe junk " + data[at:])
    parsed = read_logs([str(log)])
    assert parsed.failures == []
    [lost] = parsed.summaries
    assert (lost.failures, lost.read) == (1, 0)
    assert "test case 'worker answers a ping' (line 3), which had failed" in lost.text
    code, out, err = run_cli("triage", str(log), "--no-history", "--format", "json")
    assert code == 1, err
    assert json.loads(out)["summary"]["unread"] == 1
