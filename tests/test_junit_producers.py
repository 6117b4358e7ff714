"""JUnit XML of producers met in real runs: Ant, JUnit 5's ConsoleLauncher, mocha and vitest
(tests/fixtures/junit/; see the fixtures' README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.history.identity import case_file, case_id
from poolctl.logs import read_logs
from poolctl.logs.passes import read_passes
from poolctl.model import Diagnosis, Unclassified
from poolctl.patterns import load_patterns
from poolctl.triage import triage

JUNIT = Path(__file__).parent / "fixtures" / "junit"
KB = load_patterns()


def test_a_worker_traceback_tagged_line_by_line_in_system_err_is_read_whole() -> None:
    parsed = read_logs([str(JUNIT / "vitest_junit.xml")])
    [traceback] = parsed.tracebacks
    assert traceback.exception == "ValueError: invalid literal for int() with base 10: 'abc'"
    assert traceback.text.splitlines() == [
        "Traceback (most recent call last):",
        '  File "/tmp/node_junit_pool_suite/worker.py", line 18, in <module>',
        '    size = int(request.get("payload", "abc"))',
        "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "ValueError: invalid literal for int() with base 10: 'abc'",
    ]


def _locations(name: str) -> dict[str, str]:
    return {f.name: f.location for f in read_logs([str(JUNIT / name)]).failures}


def test_a_node_failure_is_located_by_the_first_frame_in_the_test_file() -> None:
    # mocha-junit-reporter names the file on the suite, vitest in the classname; the frames
    # in it are the test's own lines (a pool's timer error has none: no line is made up)
    mocha = _locations("mocha_junit.xml")
    assert mocha["billing invoice totals include tax"] == "test/pool.test.js:79"
    assert mocha["worker pool checkout closing the pool lets a waiting caller finish"] == (
        "test/pool.test.js:23"
    )
    assert mocha["worker pool requests the worker answers a ping"] == ""
    vitest = _locations("vitest_junit.xml")
    assert vitest["billing > retry count comes from the config"] == "test/pool.test.js:84"
    assert vitest["worker pool > requests > the worker answers a ping"] == ""


def test_a_frame_after_a_message_longer_than_the_kept_text_still_locates_the_failure() -> None:
    # a 40 kB assertion message: the stack trace comes after what is kept of the text
    assert _locations("mocha_junit.xml")["billing the export matches the snapshot"] == (
        "test/pool.test.js:102"
    )
    assert _locations("vitest_junit.xml")["billing > the export matches the snapshot"] == (
        "test/pool.test.js:102"
    )


def test_a_worker_traceback_in_a_suites_own_output_is_read() -> None:
    # Ant writes a class's output once, after its test cases: the traceback is the log's, not
    # any one test's
    for name, start in [
        ("TEST-com.example.pool.PoolCheckoutTest.xml", 135),
        ("TESTS-TestSuites.xml", 400),
    ]:
        parsed = read_logs([str(JUNIT / "ant" / name)])
        [traceback] = parsed.tracebacks
        assert traceback.exception == "ValueError: invalid literal for int() with base 10: 'abc'"
        assert traceback.line_start == start
        assert all(not f.details.get("system-err") for f in parsed.failures)


def test_a_java_failure_says_what_caused_it_and_is_classified_by_it() -> None:
    # a service wraps the pool's checkout timeout in its own IllegalStateException
    log = str(JUNIT / "ant" / "TEST-com.example.pool.PoolCheckoutTest.xml")
    parsed = read_logs([log])
    [failure] = [f for f in parsed.failures if f.name == "aReportRendersWhileAnotherHoldsTheWorker"]
    assert failure.message == "could not render report monthly"
    assert failure.details["caused_by"] == (
        "com.example.pool.PoolTimeoutException: timed out waiting for an idle worker after 200 "
        "ms (pool renderers: 1 workers, 1 busy, 1 waiting)"
    )
    report = triage(parsed, KB)
    [finding] = [f for f in report.findings if f.failure is failure]
    assert isinstance(finding.outcome, Diagnosis)
    assert finding.outcome.pattern_id == "checkout-timeout-waiters"
    quoted = [(e.text, e.origin) for e in finding.outcome.evidence]
    assert (failure.details["caused_by"], f"{log}:112") in quoted


@pytest.mark.parametrize(
    "name",
    [
        "ant/TEST-com.example.pool.PoolCheckoutTest.xml",
        "junit5_console_jupiter.xml",
        "mocha_junit.xml",
        "vitest_junit.xml",
    ],
)
def test_a_java_or_node_pool_closed_under_its_callers_is_not_told_to_use_exunit(
    name: str,
) -> None:
    report = triage(read_logs([str(JUNIT / name)]), KB)
    [p2] = [
        f.outcome
        for f in report.findings
        if isinstance(f.outcome, Diagnosis)
        and f.outcome.pattern_id == "pool-shutdown-during-checkout"
    ]
    assert "join their threads, await their futures or promises" in p2.remediation
    assert not any(word in p2.remediation for word in ("ExUnit", "GenServer", "Task."))


@pytest.mark.parametrize(
    "name,crashed,line",
    [
        # the test's own <system-err> (vitest)
        ("vitest_junit.xml", "worker pool > requests > parse answers with the size", 78),
        # the suite's <system-err>, tagged with the pid the failure names (Ant)
        ("ant/TEST-com.example.pool.PoolCheckoutTest.xml", "parseAnswersWithTheSize", 138),
        ("ant/TESTS-TestSuites.xml", "parseAnswersWithTheSize", 403),
        (
            "ant/junitlauncher_TEST-com.example.pool.PoolJupiterTest.xml",
            "parseAnswersWithTheSize()",
            676,
        ),
    ],
)
def test_a_workers_traceback_in_system_err_shows_it_crashed(
    name: str, crashed: str, line: int
) -> None:
    log = str(JUNIT / name)
    report = triage(read_logs([log]), KB)
    causes = {
        f.failure.name: {h.id: h for h in f.outcome.hypotheses}
        for f in report.findings
        if isinstance(f.outcome, Diagnosis)
    }
    hypothesis = causes[crashed]["crashed"]
    assert hypothesis.status == "confirmed"
    [evidence] = hypothesis.evidence
    assert evidence.origin == f"{log}:{line}"
    printed = Path(log).read_text().splitlines()[line - 1]
    assert evidence.text.endswith("] Traceback (most recent call last):")
    assert evidence.text in printed
    # the silent worker's test in the same suite: the traceback is another worker's
    silent = [n for n in causes if "ping" in n.lower() or "Ping" in n]
    assert silent and all(causes[n]["crashed"].status == "untested" for n in silent)


SRC = JUNIT.parent / "src"


@pytest.mark.parametrize(
    "name,test,where",
    [
        (
            "ant/TEST-com.example.pool.PoolCheckoutTest.xml",
            "parseAnswersWithTheSize",
            "java_pool_suite/test4/com/example/pool/PoolCheckoutTest.java:70",
        ),
        # a nested class's test is in its top-level class's file
        (
            "junit5_console_jupiter.xml",
            "parseAnswersWithTheSize()",
            "java_pool_suite/test5/com/example/pool/PoolJupiterTest.java:78",
        ),
        # Maven's layout; the frame of the test's class past JUnit's own (`app//pool.…`)
        (
            "surefire_nested/TEST-pool.PoolTest$Inner.xml",
            "slow",
            "maven_nested_suite/src/test/java/pool/PoolTest.java:10",
        ),
    ],
)
def test_a_java_failure_is_located_by_the_first_frame_in_the_tests_class(
    name: str, test: str, where: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    log = str(JUNIT / name)
    monkeypatch.chdir(SRC)  # the project's source tree
    [found] = [f for f in read_logs([log]).failures if f.name == test]
    assert found.location == where
    path, line = where.rsplit(":", 1)
    assert (SRC / path).read_text().splitlines()[int(line) - 1].strip()
    # away from the sources: the file name and the line as the frame gives them
    copy = tmp_path / "report.xml"
    copy.write_bytes(Path(log).read_bytes())
    monkeypatch.chdir(tmp_path)
    [away] = [f for f in read_logs([str(copy)]).failures if f.name == test]
    assert away.location == f"{Path(path).name}:{line}"


def test_the_same_title_in_two_mocha_files_is_two_tests() -> None:
    """mocha-junit-reporter's classname is the test's own title and its name the describe
    path: `reports pool checks out a worker` in two files differed only by their suites'
    `file`, and the history took them for one test."""
    log = JUNIT / "mocha_same_titles.xml"
    parsed = read_logs([str(log)])
    failures = {(f.name, case_file(f)): f for f in parsed.failures}
    assert len(parsed.failures) == len(failures) == 3
    checkout = "/tmp/mocha_titles_suite/test/checkout.test.js"
    totals = "/tmp/mocha_titles_suite/test/totals.test.js"
    assert set(failures) == {
        ("reports pool checks out a worker", checkout),
        ("orders pool checks out a worker", checkout),
        ("reports pool checks out a worker", totals),
    }
    assert len({case_id(f).key for f in parsed.failures}) == 3
    with log.open("rb") as stream:
        passed = {(p.name, p.file) for p in read_passes(stream, "junit")}
    assert passed == {("reports pool starts", checkout), ("reports pool starts", totals)}
    verdicts = {
        key: f.outcome.pattern_id if isinstance(f.outcome, Diagnosis) else None
        for key, f in (
            ((x.failure.name, case_file(x.failure)), x) for x in triage(parsed, KB).findings
        )
    }
    assert verdicts == {
        ("reports pool checks out a worker", checkout): "checkout-timeout-waiters",
        ("orders pool checks out a worker", checkout): "pool-shutdown-during-checkout",
        ("reports pool checks out a worker", totals): None,
    }


def test_the_same_title_in_two_jest_files_loses_no_failure() -> None:
    # jest-junit writes no file by default: the two tests cannot be told apart by name, but
    # each failure is read and judged on its own
    parsed = read_logs([str(JUNIT / "jest_same_titles.xml")])
    report = triage(parsed, KB)
    verdicts = sorted(
        (f.failure.line_start, f.outcome.pattern_id if isinstance(f.outcome, Diagnosis) else "")
        for f in report.findings
    )
    assert verdicts == [
        (4, "checkout-timeout-waiters"),
        (12, "pool-shutdown-during-checkout"),
        (20, ""),
    ]
    assert [(s.failures, s.read) for s in parsed.summaries] == [(2, 2), (1, 1)]


def test_a_junit_failure_with_no_text_is_judged_by_nothing_of_another_test() -> None:
    """pytest writes its XML on one line: a `<failure message="Failed" />` with no text was
    searched in that line, and the next test's name and assertion (`assert 'pool' == 'port'">def
    test_adapter_mode_is_port`) made it the nearest of adapter-misconfigured, quoted as its
    evidence."""
    report = triage(read_logs([str(JUNIT / "pytest_textless.xml")]), KB)
    outcomes = {f.failure.name: f.outcome for f in report.findings}
    textless = outcomes["test_cleanup_hook_ran"]
    assert isinstance(textless, Unclassified)
    assert (textless.nearest, textless.score) == (None, 0)
    # the tests beside it are still judged on their own text
    assert isinstance(outcomes["test_backend_loads"], Diagnosis)
    assert outcomes["test_backend_loads"].pattern_id == "adapter-misconfigured"


def test_two_jest_cases_no_file_tells_apart_are_said_to_be_one_test_in_the_history() -> None:
    """jest-junit writes no file by default: the timeout in test/checkout.test.js and the pass of
    the same titles in test/totals.test.js are one test for the history (its runs showed it
    failed every time, the other test's pass lost), and nothing said so."""
    parsed = read_logs([str(JUNIT / "jest_same_key.xml")])
    [failure] = parsed.failures
    with (JUNIT / "jest_same_key.xml").open("rb") as stream:
        [passed] = read_passes(stream, "junit")
    assert (
        (passed.name, passed.file)
        == (failure.name, case_file(failure))
        == (
            "reports pool checks out a worker",
            "",
        )
    )
    [note] = [n for n in parsed.skipped if "no file to tell them apart" in n]
    assert "'reports pool checks out a worker' (lines 4, 12)" in note
    # what tells them apart, whichever reporter wrote them (pytest's two legs of a matrix, read
    # from one `cat` of their files, are the same names too); jest-junit's switch for it
    assert "(a `file` attribute tells them apart: jest-junit writes it with " in note
    assert "JEST_JUNIT_ADD_FILE_ATTRIBUTE=true" in note
    # with the file attribute the two are two tests, and nothing is said
    parsed = read_logs([str(JUNIT / "jest_same_key_file.xml")])
    [failure] = parsed.failures
    with (JUNIT / "jest_same_key_file.xml").open("rb") as stream:
        [passed] = read_passes(stream, "junit")
    assert (case_file(failure), passed.file) == ("test/checkout.test.js", "test/totals.test.js")
    assert not [n for n in parsed.skipped if "no file to tell them apart" in n]
    # two failures with the same titles: said too; mocha's suites name their files: not said
    [same] = [n for n in read_logs([str(JUNIT / "jest_same_titles.xml")]).skipped]
    assert "'reports pool checks out a worker' (lines 4, 20)" in same
    assert not read_logs([str(JUNIT / "mocha_same_titles.xml")]).skipped
