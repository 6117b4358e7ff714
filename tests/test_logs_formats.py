"""The formats of issue "nothing lost": CI line prefixes, terminal-wrapped lines, every ExUnit
test type and closing line, pytest runs under tox/nox/xdist, JUnit from Jest, Go and
Surefire, and failures a runner counted that were not read."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest

from poolctl.cli import main
from poolctl.logs import detect_format, other_verdicts, read_logs
from poolctl.logs.ansi import strip_ansi
from poolctl.logs.prefixes import strip_prefixes
from poolctl.logs.records import ParsedLog
from poolctl.logs.unwrap import unwrap, wrap_width
from poolctl.model import Diagnosis
from poolctl.patterns import load_patterns
from poolctl.report.groups_view import coverage_of
from poolctl.triage import triage
from poolctl.triage.normalize import signature

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path("/work/shared/corpus/dspex-v2-phase1/exunit-17-failures.log")
KB = load_patterns()


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def triage_json(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, dict[str, Any]]:
    """`poolctl triage PATH --no-history --format json`: its exit code and its report."""
    code, out, _ = run(capsys, "triage", str(path), "--no-history", "--format", "json")
    return code, json.loads(out)


def finding_rows(
    report: dict[str, Any], *fields: str, source: str | None = None
) -> list[tuple[str, ...]]:
    """Each finding's failure `fields` (`pattern`: its pattern's id, `-` for none), of the
    runner `source` only when given."""

    def value(finding: dict[str, Any], field: str) -> str:
        if field == "pattern":
            return str(finding["outcome"].get("pattern_id", "-"))
        return str(finding["failure"][field])

    return [
        tuple(value(f, field) for field in fields)
        for f in report["findings"]
        if source is None or f["failure"]["source"] == source
    ]


# -- CI prefixes -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("2026-11-29T17:10:00.0030000Z E   KeyError: 'x'\n", "E   KeyError: 'x'\n"),
        ("2026-11-29T17:10:00Z ##[group]Run pytest\n", "Run pytest\n"),
        ("##[error]Process completed with exit code 1.\n", "Process completed with exit code 1.\n"),
        ("section_start:1764436200:step_script\rExecuting step\n", "Executing step\n"),
        ("[  967s]   1) test a (ATest)\n", "  1) test a (ATest)\n"),
        # Travis CI's timer ends on the line of the command's result
        (
            "travis_time:end:2d3e:start=1,finish=2,duration=1,event=script\rThe command "
            '"pytest" exited with 1.\ntravis_fold:start:install\r$ pip install x\n',
            'The command "pytest" exited with 1.\n$ pip install x\n',
        ),
        ("[2024-01-15T10:23:45.123Z] 3 tests, 1 failure\n", "3 tests, 1 failure\n"),
        ("[ 50%] is not a prefix\n12:00:00.000 [info] nor a Logger time\n", None),
        ("2026-11-29T17:10:00.012345Z 01O   1) test a (ATest)\n", "  1) test a (ATest)\n"),
        ("2026-11-29T17:10:00.012345Z 00E+ ret\n", "ret\n"),
        # a Kubernetes node's container log (CRI): stream and full or partial line
        ("2026-11-29T17:10:00.012345678Z stdout F   1) test a (ATest)\n", "  1) test a (ATest)\n"),
        ("2026-11-29T17:10:00.012345678Z stderr F \n", "\n"),
        ("app-1  | 3 tests, 1 failure\napp-1  |\n", "3 tests, 1 failure\n\n"),
        ("12:00:00   1) test a (ATest)\n12:00:01 \n", "  1) test a (ATest)\n\n"),
        # `gh run view --log`: the job's and step's names, a BOM before a step's first line
        (
            "test (3.12)\tRun pytest\t\ufeff2026-11-29T17:10:00.0120000Z ===== FAILURES\n"
            "test (3.12)\tRun pytest\t2026-11-29T17:10:00.0150000Z E   KeyError: 'x'\n",
            "===== FAILURES\nE   KeyError: 'x'\n",
        ),
        # TeamCity's service messages, after a verbose progress word or on a line of their own
        (
            "FAILED [ 70%]##teamcity[testFailed details='a |'b|' |[1|]|nc' name='t']\n"
            "##teamcity[testFinished name='t']\n",
            "FAILED [ 70%]\n\n",
        ),
        # `act`: the job in brackets and a bar before a step's output, not before act's own lines
        (
            "[CI/test] \u2b50 Run Main pytest\n[CI/test]   | E   KeyError: 'x'\n[CI/test]   | \n",
            "[CI/test] \u2b50 Run Main pytest\nE   KeyError: 'x'\n\n",
        ),
        # journalctl (-o short-iso, short-iso-precise, short, short-full): stamp, host, process
        (
            "2026-11-29T17:10:00+00:00 ci-runner pytest[48213]: E   KeyError: 'x'\n"
            "2026-11-29T17:10:00.123456+0000 ci-runner pytest[48213]: \n",
            "E   KeyError: 'x'\n\n",
        ),
        (
            "Nov 29 17:10:00 ci-runner mix[48213]:   1) test a (ATest)\n"
            "Sun 2026-11-29 17:10:00 UTC ci-runner mix[48213]: \n",
            "  1) test a (ATest)\n\n",
        ),
        (
            "[    5.123456] ci-runner pytest[48213]: E   KeyError: 'x'\n"
            "1764436200.123456 ci-runner pytest[48213]: \n",
            "E   KeyError: 'x'\n\n",
        ),
        # TeamCity's build log: clock, status, and the block a line is in
        (
            "[17:10:00] : Step 1/1: Run tests\n[17:10:00] :\t [Step 1/1] E   KeyError: 'x'\n"
            "[17:10:00]E:\t\t [pytest] FAILED a.py::t\n",
            "Step 1/1: Run tests\nE   KeyError: 'x'\nFAILED a.py::t\n",
        ),
        # `kubectl logs --prefix --timestamps`: the pod and container, then the time
        (
            "[pod/tests-7d9f8/tests] 2026-11-29T17:10:00.00125Z E   KeyError: 'x'\n"
            "[pod/tests-7d9f8/tests] 2026-11-29T17:10:01Z \n",
            "E   KeyError: 'x'\n\n",
        ),
        # Cloud Build's step, with its id or without; Tekton's task and step
        (
            'Step #0 - "test": E   KeyError: \'x\'\nStep #0 - "test":\nStep #1: FAILED a.py::t\n',
            "E   KeyError: 'x'\n\nFAILED a.py::t\n",
        ),
        ("[test : pytest] E   KeyError: 'x'\n[test : pytest] \n", "E   KeyError: 'x'\n\n"),
        # Bamboo's kind and time, each followed by a tab
        (
            "build\t29-Nov-2026 17:10:00\tE   KeyError: 'x'\nbuild\t29-Nov-2026 17:10:00\t\n",
            "E   KeyError: 'x'\n\n",
        ),
        ("[3/10] Building x.o\n[4/10] Linking x\n", None),
        # a runner's own line that starts so, among lines that do not: kept
        ("E  x | y\nname | value\nplain\nlines\nhere\n", None),
        ("[gw0] [ 50%] FAILED a.py::t\n[gw1] [100%] PASSED a.py::u\n", None),
        (
            "Nov 29 17:10:00 the time\nNov 29 17:10:01 host job[1] done\n",
            "the time\nhost job[1] done\n",
        ),
        ("12:00:00 the time\nplain\nlines\n", None),
    ],
)
def test_ci_prefixes_are_removed(raw: str, text: str | None) -> None:
    assert strip_prefixes(raw) == (raw if text is None else text)


# the captures as CI services store them that once lost their runs' diagnoses or were not
# recognised: each is read as the capture inside it, and triaged the same
STORED_BY_SERVICES = [
    ("exunit/services_jenkins_notes.log", "exunit/services_color.log"),
    # ... its text without the ESC bytes (copied from a page): `[8mha:…[0m`, `[31m`
    ("exunit/services_jenkins_notes_no_esc.log", "exunit/services_color.log"),
    ("pytest/services_act.txt", "pytest/services_suite.txt"),
    ("pytest/services_journal.txt", "pytest/services_suite.txt"),
    ("exunit/services_journal.log", "exunit/services_suite.log"),
    ("pytest/services_teamcity_log.txt", "pytest/services_suite.txt"),
    ("exunit/services_kubectl.log", "exunit/services_suite.log"),
    ("pytest/services_cloud_build.txt", "pytest/services_suite.txt"),
    ("exunit/services_tekton.log", "exunit/services_suite.log"),
    ("pytest/services_bamboo.txt", "pytest/services_suite.txt"),
    ("exunit/services_cri.log", "exunit/services_suite.log"),
]


def test_prefixed_logs_are_recognised_and_read_like_the_originals() -> None:
    head = (FIXTURES / "pytest/services_github_actions.txt").read_bytes()[:65536]
    assert detect_format(head) == "pytest"
    for prefixed, original in [
        ("pytest/services_github_actions.txt", "pytest/services_suite.txt"),
        ("exunit/services_obs.log", "exunit/services_trace.log"),
        ("exunit/services_gitlab.log", "exunit/services_color.log"),
        ("exunit/services_gitlab_timestamps.log", "exunit/services_color.log"),
        ("exunit/services_compose.log", "exunit/services_suite.log"),
        ("pytest/services_buildkite.txt", "pytest/services_suite.txt"),
        ("pytest/services_jenkins_clock.txt", "pytest/services_suite.txt"),
        ("pytest/services_gh_cli.txt", "pytest/services_suite.txt"),
        ("exunit/services_gh_cli.log", "exunit/services_suite.log"),
        *STORED_BY_SERVICES,
    ]:
        a = read_logs([str(FIXTURES / prefixed)]).failures
        b = read_logs([str(FIXTURES / original)]).failures
        shift = a[0].line_start - b[0].line_start  # the lines the CI service adds before
        assert [(f.name, f.kind, f.message, f.line_start - shift) for f in a] == [
            (f.name, f.kind, f.message, f.line_start) for f in b
        ]


def test_jenkins_console_notes_are_removed_whole() -> None:
    """A raw Jenkins log's hidden console notes (`ESC[8m ha:<base64> ESC[0m`) leave nothing
    before the runner's text, mid-line too; other concealed text keeps its characters."""
    note = "\x1b[8mha:////4OqX5BVeWCpavR1L2Lf7R4Li4JZTZP4RJgqvAXrQ0oZwAAAAPh+LCAA=\x1b[0m"
    assert strip_ansi(f"{note}[Pipeline] sh\n{note}\x1b[31m  1) test a{note}\x1b[0m\n") == (
        "[Pipeline] sh\n  1) test a\n"
    )
    assert strip_ansi("\x1b[8mhidden\x1b[0m\n") == "hidden\n"
    # the same without their ESC bytes (a page's copy): the notes and the colours go, a test's
    # parameter that looks like a colour stays; with no note, `[31m` is text
    bare = note.replace("\x1b", "")
    assert strip_ansi(f"{bare}[Pipeline] sh\n{bare}[31m  1) test a[1m]{bare}[0m\n") == (
        "[Pipeline] sh\n  1) test a[1m]\n"
    )
    assert strip_ansi("[31m  1) test a\n") == "[31m  1) test a\n"


def test_ci_service_logs_are_triaged_as_their_runs() -> None:
    """Each stored CI log (Jenkins' raw log with AnsiColor's notes, act, journalctl, TeamCity's
    build log, `kubectl logs --prefix --timestamps`, Cloud Build, Tekton, Bamboo, CRI) gets the
    triage of the capture inside it: before, the pytest logs were not recognised, and the
    ExUnit logs lost most diagnoses (0 or 6 of 12)."""

    def diagnoses(rel: str) -> list[tuple[str, str, str | None]]:
        report = triage(read_logs([str(FIXTURES / rel)]), KB)
        return [
            (f.failure.name, f.failure.kind, getattr(f.outcome, "pattern_id", None))
            for f in report.findings
        ]

    for prefixed, original in STORED_BY_SERVICES:
        assert diagnoses(prefixed) == diagnoses(original), prefixed


def test_a_timestamped_log_appended_to_a_plain_one_is_read_and_counted(tmp_path: Path) -> None:
    """A local run's log with a GitHub Actions log appended: the timestamps start past the
    chunk's first lines, and the second run's failures and closing line are read all the same."""
    plain = (FIXTURES / "pytest/pool_suite_verbose.txt").read_bytes()
    stamped = (FIXTURES / "pytest/services_github_actions.txt").read_bytes()
    both = tmp_path / "both.txt"
    both.write_bytes(plain + stamped)
    first = read_logs([str(FIXTURES / "pytest/pool_suite_verbose.txt")])
    second = read_logs([str(FIXTURES / "pytest/services_github_actions.txt")])
    parsed = read_logs([str(both)])
    assert len(parsed.failures) == len(first.failures) + len(second.failures) == 44
    counted = [s.failures for s in parsed.summaries if not s.inferred]
    assert counted == [s.failures for p in (first, second) for s in p.summaries] == [22, 22]


# -- terminal-wrapped lines ------------------------------------------------------------------
def test_only_the_log_copied_from_an_80_column_terminal_is_unwrapped() -> None:
    logs = sorted(FIXTURES.glob("*/*.log")) + sorted(FIXTURES.glob("*/*.txt"))
    widths = {p.name: wrap_width(p.read_text(errors="replace")) for p in logs}
    assert {name: w for name, w in widths.items() if w} == {"services_wrapped.log": 80}
    if CORPUS.exists():
        assert wrap_width(CORPUS.read_text(errors="replace")) is None


def test_unwrapping_keeps_every_line_number() -> None:
    width = 40
    header = "  1) test a name a terminal cut in two (Shop.PoolTest)"
    # three rows: the second ends where a space was, which the copy trimmed
    message = "x" * width + "a message whose row ends where a spaces" + " was cut"
    rows = [message[:width], message[width : 2 * width].rstrip(), message[2 * width :].lstrip()]
    text = "\n".join(
        [
            header[:width],
            header[width:],
            "     test/pool_test.exs:4",
            "=" * width,  # a separator fills the width on purpose
            "x" * width,  # as wide by chance: the next row is indented, a line of its own
            "     left:  1",
            *rows,
            "tail",
            "",
        ]
    )
    assert [len(r) for r in rows] == [width, width - 1, 7]
    assert unwrap(text, width).split("\n") == [
        header,
        "",
        "     test/pool_test.exs:4",
        "=" * width,
        "x" * width,
        "     left:  1",
        message,
        "",
        "",
        "tail",
        "",
    ]


def test_a_wrapped_header_is_read_whole_even_alone(tmp_path: Path) -> None:
    log = (
        "  1) test V2 Pool Architecture pool starts successfully with lazy wor\n"
        "kers (PoolSuite.PoolContextTest)\n"
        "     test/pool_context_test.exs:16\n"
        "     ** (RuntimeError) boom\n"
        "\n1 test, 1 failure\n"
    )
    [failure] = read_logs([write(tmp_path, "wrapped.log", log)]).failures
    assert failure.name == "test V2 Pool Architecture pool starts successfully with lazy workers"
    assert (failure.group, failure.line_start, failure.kind) == (
        "PoolSuite.PoolContextTest",
        1,
        "RuntimeError",
    )


# -- ExUnit ------------------------------------------------------------------------------------
def test_every_test_type_is_read_and_counted() -> None:
    parsed = read_logs([str(FIXTURES / "exunit/services_suite.log")])
    kinds = sorted({f.name.split(" ", 1)[0] for f in parsed.failures})
    assert kinds == ["doctest", "property", "scenario", "test"]
    [summary] = parsed.summaries
    assert summary.text == "2 doctests, 2 properties, 4 scenarios, 11 tests, 18 failures"
    assert (summary.tests, summary.failures, summary.read) == (19, 18, 18)


def test_a_run_of_scenarios_only_reports_its_failures() -> None:
    report = triage(read_logs([str(FIXTURES / "exunit/services_scenarios.log")]), KB)
    coverage = coverage_of(report)
    assert coverage is not None and coverage.runs[0].text == "4 scenarios, 4 failures"
    assert (len(report.findings), coverage.counted, coverage.unread) == (4, 4, 0)


def test_a_closing_line_counting_passed_subtests_is_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """pytest 9 counts passed subtests apart: `1 failed, 2 passed, 4 subtests passed in 0.7s`.
    Under `-v --tb=no -rN` its failed subtest is named nowhere else; the line was "no closing
    line", and the run 0 failures, exit 0 (real captures: capture_subtests_passed.sh)."""
    path = str(FIXTURES / "pytest/subtests_passed_tbno.txt")
    [summary] = read_logs([path]).summaries
    assert (summary.failures, summary.read) == (1, 0)
    assert "1 failed, 2 passed, 4 subtests passed in " in summary.text
    code, out, _ = run(capsys, "triage", path, "--no-history")
    assert code == 1 and "1 of the 1 failures the runner counted was not read" in out
    [read] = read_logs([str(FIXTURES / "pytest/subtests_passed.txt")]).summaries
    assert (read.failures, read.read) == (1, 1)


def test_a_subtest_whose_parameters_hold_dots_keeps_its_class() -> None:
    """`RatioTest.test_deadline (start=datetime.datetime(2026, 1, 1, 0, 0))`: the parameters'
    dots split no class, and the SUBFAILED line, parentheses within parentheses, gives its node
    id (the class was `RatioTest::test_deadline (start=datetime`; a real capture:
    capture_subtests_passed.sh; more-itertools' read so)."""
    [failure] = read_logs([str(FIXTURES / "pytest/subtests_params.txt")]).failures
    assert failure.group == "test_ratios.py::RatioTest"
    assert failure.details["nodeid"] == (
        "test_ratios.py::RatioTest::test_deadline (start=datetime.datetime(2026, 1, 1, 0, 0))"
    )


def test_an_empty_partition_of_mix_test_is_a_clean_run(capsys: pytest.CaptureFixture[str]) -> None:
    """A `mix test --partitions 2` shard with no test file prints only "There are no tests to
    run" and passes (a real capture: tests/fixtures/src/capture_other_runners.sh); it was
    "format not recognised", exit 2, failing the shard's CI job."""
    path = str(FIXTURES / "exunit/empty_partition.log")
    [summary] = read_logs([path]).summaries
    assert (summary.text, summary.tests, summary.failures) == ("There are no tests to run", 0, 0)
    code, out, _ = run(capsys, "triage", path, "--no-history")
    assert code == 0 and "0 failures" in out


def test_mix_test_stale_with_no_test_stale_is_a_clean_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`mix test --stale` run again on an unchanged tree prints only "No stale tests" and passes
    (a real capture: tests/fixtures/src/capture_exunit_stale.sh); it was "format not
    recognised", exit 2, as an empty partition was."""
    path = str(FIXTURES / "exunit/stale_none.log")
    [summary] = read_logs([path]).summaries
    assert (summary.text, summary.tests, summary.failures) == ("No stale tests", 0, 0)
    code, out, _ = run(capsys, "triage", path, "--no-history")
    assert code == 0 and "0 failures" in out


@pytest.mark.parametrize(
    ("name", "closing"),
    [
        ("deselected_all.txt", "8 deselected in "),
        ("deselected_all_quiet.txt", "8 deselected in "),
        ("deselected_all_collect_quiet.txt", "no tests collected (8 deselected) in "),
    ],
)
def test_a_run_whose_every_test_was_deselected_reads_the_same_with_q(
    capsys: pytest.CaptureFixture[str], name: str, closing: str
) -> None:
    """`pytest -k` selecting no test (src/capture_deselected_all.sh): a run of no test, with or
    without `-q`. Under `-q` its closing line is alone, with no `=` around it and no progress
    line: it was "format not recognised", exit 2, where the same run without `-q` read as 0
    failures. pytest exits 5 on it: one failure of the run (no_tests_ran.py), exit 1."""
    path = str(FIXTURES / "pytest" / name)
    parsed = read_logs([path])
    [summary] = parsed.summaries
    assert closing in summary.text and summary.failures == 0
    [failure] = parsed.failures
    assert (failure.name, failure.kind) == ("pytest ran no test", "NoTestsRan")
    assert failure.message.startswith("-k or -m deselected every test it collected (8): ")
    code, out, _ = run(capsys, "triage", path, "--no-history")
    assert code == 1 and "1 failure" in out


NO_TESTS = FIXTURES / "pytest" / "no_tests"


@pytest.mark.parametrize(
    ("log", "line", "said"),
    [
        ("empty_folder.txt", 7, "it collected no test: 'no tests ran in "),
        ("empty_folder_quiet.txt", 2, "it collected no test: 'no tests ran in "),
        ("marker_none.txt", 7, "-k or -m deselected every test it collected (4): '4 deselected "),
    ],
)
def test_a_pytest_run_of_no_test_is_a_failure_of_the_run(
    capsys: pytest.CaptureFixture[str], log: str, line: int, said: str
) -> None:
    """pytest over a folder of no test (`collected 0 items`, `no tests ran`; with `-q` that line
    alone) and `-m` of a marker no test has (real runs, src/capture_no_tests.sh): pytest exits
    5, a CI step fails on it; triage said 0 failures, exit 0 (`-q`'s: format not recognised,
    exit 2). One failure of the run on its closing line, exit 1."""
    path = str(NO_TESTS / log)
    [failure] = read_logs([path]).failures
    assert (failure.name, failure.line_start) == ("pytest ran no test", line)
    assert failure.message.startswith(said) and failure.message.endswith(
        "; pytest exits 5 on a run of no test"
    )
    code, out, _ = run(capsys, "triage", path, "--no-history")
    assert code == 1 and "1 failure" in out and "pytest ran no test" in out


def test_a_path_not_found_is_one_failure_not_two(capsys: pytest.CaptureFixture[str]) -> None:
    """`pytest tests/x.py` of a path not there: `no tests ran`, then `ERROR: file or directory
    not found` (exit 4; src/capture_run_errors.sh): its usage error alone, not a run of no test
    besides."""
    [failure] = read_logs([str(FIXTURES / "pytest" / "run_errors" / "file_not_found.txt")]).failures
    assert (failure.name, failure.kind) == ("pytest arguments", "UsageError")


def test_unittest_runs_of_no_test_and_failfast_say_so(capsys: pytest.CaptureFixture[str]) -> None:
    """Real runs (src/capture_no_tests.sh): Python 3.12's unittest over no test (`Ran 0 tests`,
    `NO TESTS RAN`, exit 5) is a failure of the run; 3.11's (`OK`, exit 0) a note; a failfast
    run (`-f`) whose command line the log holds (`bash -x`) a note that its count is not the
    suite's. All were said with nothing: 0 failures, or 1 failure of 'Ran 1 test'."""
    unittest_logs = FIXTURES / "unittest"
    parsed = read_logs([str(unittest_logs / "no_tests_312.txt")])
    [failure] = parsed.failures
    assert (failure.name, failure.kind, failure.line_start) == (
        "unittest ran no test",
        "NoTestsRan",
        5,
    )
    code, out, _ = run(capsys, "triage", str(unittest_logs / "no_tests_312.txt"), "--no-history")
    assert code == 1 and "read 5 lines (unittest)" in out
    parsed = read_logs([str(unittest_logs / "no_tests_311.txt")])
    assert parsed.failures == []
    [note] = parsed.skipped
    assert note.endswith(
        ":5: unittest ran no test ('Ran 0 tests in 0.000s', then 'OK'): Python "
        "3.11 and earlier pass such a run (exit 0), 3.12 and later fail it "
        "(exit 5, 'NO TESTS RAN'); nothing was tested"
    )
    parsed = read_logs([str(unittest_logs / "failfast_echoed.txt")])
    assert len(parsed.failures) == 1
    [note] = parsed.skipped
    assert note.endswith(
        ":1: unittest ran with --failfast (-f): it stops at the first failure "
        "or error, so its count is not the suite's; the tests after it did "
        "not run, and are not triaged"
    )
    code, out, _ = run(capsys, "triage", str(unittest_logs / "failfast_echoed.txt"), "--no-history")
    assert code == 1 and "--failfast" in out
    # without its command line, nothing in the log tells it from a suite of one test
    assert read_logs([str(unittest_logs / "failfast.txt")]).skipped == []


def test_the_pre_1_0_format() -> None:
    first, second = read_logs([str(FIXTURES / "constructed/exunit_pre_1_0.log")]).failures
    assert (first.name, first.location, first.kind) == (
        "test checkout waits for a free worker",
        "test/kv/pool_test.exs:84",
        "exit",
    )
    assert "at test" not in first.message
    assert (second.name, second.location) == (
        "test_bucket_stores_values",
        "test/kv/bucket_test.exs:12",
    )


def test_an_umbrella_counts_each_app_apart() -> None:
    parsed = read_logs([str(FIXTURES / "exunit/umbrella.log")])
    assert [(f.details["app"], f.group) for f in parsed.failures] == [
        ("billing", "BillingTest"),
        ("billing", "BillingTest"),
        ("sessions", "SessionsTest"),
        ("sessions", "SessionsTest"),
    ]
    assert [(s.start, s.line, s.failures, s.read) for s in parsed.summaries] == [
        (8, 32, 2, 2),
        (36, 58, 2, 2),
    ]


def test_the_1_18_key_error_keeps_its_map_and_hint() -> None:
    failure = read_logs([str(FIXTURES / "constructed/exunit_1_18_key_error.log")]).failures[0]
    assert failure.message.startswith('key :roles not found in:\n%{\nname: "Ada",\n')
    assert 'team: %{id: 7, name: "Billing", plan: :enterprise}\n}\n' in failure.message
    assert failure.message.endswith("Did you mean:\n* :role")
    assert failure.details["code"] == "assert :admin in user.roles"


def test_the_result_closing_line() -> None:
    [summary] = read_logs([str(FIXTURES / "constructed/exunit_result_line.log")]).summaries
    assert (summary.text, summary.failures, summary.tests, summary.read) == (
        "Result: 1 failed, 4 passed",
        1,
        5,
        1,
    )


# -- pytest ------------------------------------------------------------------------------------
def test_tox_runs_are_matched_run_by_run(tmp_path: Path) -> None:
    """Two environments fail the same test differently: each block keeps its own run's
    summary line."""
    run_ = (
        "{env}: commands[0]> pytest\n"
        "============================= test session starts ==============================\n"
        "=================================== FAILURES ===================================\n"
        "___________________________________ test_a ____________________________________\n"
        "E   {error}\n"
        "t.py:3: {kind}\n"
        "=========================== short test summary info ============================\n"
        "FAILED t.py::test_a - {error}\n"
        "============================== 1 failed in 0.01s ===============================\n"
    )
    log = run_.format(env="py311", error="KeyError: 'a'", kind="KeyError") + run_.format(
        env="py312", error="ValueError: b", kind="ValueError"
    )
    parsed = read_logs([write(tmp_path, "tox.txt", log)])
    assert [(f.kind, f.details["summary"], f.details["summary_line"]) for f in parsed.failures] == [
        ("KeyError", "KeyError: 'a'", "8"),
        ("ValueError", "ValueError: b", "17"),
    ]
    assert [(s.start, s.line, s.failures, s.read) for s in parsed.summaries] == [
        (2, 9, 1, 1),
        (11, 18, 1, 1),
    ]


def test_xdist_worker_lines_are_not_messages() -> None:
    parsed = read_logs([str(FIXTURES / "pytest/services_xdist.txt")])
    assert all("[gw" not in f.message and "[gw" not in f.kind for f in parsed.failures)
    plain = read_logs([str(FIXTURES / "pytest/services_suite.txt")])  # another run
    assert sorted((f.name, f.kind, signature(f)) for f in parsed.failures) == sorted(
        (f.name, f.kind, signature(f)) for f in plain.failures
    )


def test_a_collection_error_is_its_module() -> None:
    [failure] = read_logs([str(FIXTURES / "pytest/services_collect_error.txt")]).failures
    assert (failure.name, failure.group, failure.location, failure.kind) == (
        "collect_error_case.py",
        "",
        "collect_error_case.py",
        "ModuleNotFoundError",
    )
    assert failure.details["phase"] == "collection"


# -- JUnit -------------------------------------------------------------------------------------
def test_jest_and_go_bodies_give_the_message() -> None:
    jest = read_logs([str(FIXTURES / "junit/jest_junit.xml")]).failures
    assert jest[0].message.endswith("Rejected to value: [TimeoutError: ResourceRequest timed out]")
    assert "    at " not in jest[0].message and jest[0].kind == "Error"
    go = read_logs([str(FIXTURES / "constructed/go_junit_report.xml")]).failures
    assert [(f.kind, f.location, f.message) for f in go] == [
        ("failure", "pool_test.go:21", "dial tcp 127.0.0.1:6379: connect: connection refused"),
        ("failure", "invoice_test.go:12", "total = 15, want 18"),
    ]


def test_a_jest_suite_that_failed_to_run_is_one_failure() -> None:
    """jest-junit writes it twice: its `<error>`, then a `<failure>` of the same name holding
    the error as JSON (a real capture: tests/fixtures/src/capture_jest_suite_error.sh)."""
    parsed = read_logs([str(FIXTURES / "junit/jest_suite_error.xml")])
    broken = [f for f in parsed.failures if f.name == "pool_client.test.js"]
    assert len(broken) == 1 and broken[0].details["outcome"] == "error"
    assert "Cannot find module './pool-client'" in broken[0].message
    assert [(s.failures, s.read) for s in parsed.summaries] == [(4, 4), (1, 1)]


def test_eunit_surefire_failures_say_their_reason_not_their_first_frame() -> None:
    """eunit writes the stack first and the reason last, with no `message` attribute (a real
    capture: tests/fixtures/src/capture_eunit_surefire.sh)."""
    parsed = read_logs([str(FIXTURES / "junit/eunit_surefire.xml")])
    said = [(f.name.split()[-1], f.kind, f.message) for f in parsed.failures]
    assert said == [
        ("checkout_test", "error", "{badmatch,worker_1}"),
        ("crash_test", "error", "{badmatch,{error,{shutdown,{pool,checkout,[my_pool]}}}}"),
        ("call_timeout_test", "exit", "{timeout,{gen_server,call,[<0.88.0>,slow,100]}}"),
    ]
    first = parsed.failures[0].stacktrace
    assert first[0] == "in function pool2_tests:checkout_test/0 (pool2_tests.erl, line 6)"
    assert all(frame.startswith(("in function", "in call from")) for frame in first)


def test_common_test_failures_say_their_reason_and_group() -> None:
    """cth_surefire's message is only `Test X in pool_SUITE failed!`: the reason is the element's
    text, an Erlang term before its stack; a test of a group is in the group (a real capture:
    tests/fixtures/src/capture_common_test.sh). The Erlang forms of "no process" and "connection
    refused" are pattern 7's, as the Elixir forms are."""
    parsed = read_logs([str(FIXTURES / "junit/common_test_surefire.xml")])
    said = {(f.group, f.name): f.message for f in parsed.failures}
    assert said == {
        ("pool_SUITE", "fail_case"): '{test_case_failed,"pool checkout failed: {shutdown,pool}"}',
        ("pool_SUITE", "badmatch_case"): "{{badmatch,{error,econnrefused}}",
        ("pool_SUITE", "noproc_case"): "{noproc,{gen_server,call,[not_started_pool,checkout]}}",
        ("pool_SUITE.g1", "timeout_case"): "timetrap_timeout",
        (
            "pool_SUITE.g1",
            "fail_case",
        ): '{test_case_failed,"pool checkout failed: {shutdown,pool}"}',
    }
    report = triage(parsed, KB)
    diagnosed = {
        f.failure.name: f.outcome.pattern_id
        for f in report.findings
        if isinstance(f.outcome, Diagnosis)
    }
    assert diagnosed == {
        "badmatch_case": "dependency-not-started",
        "noproc_case": "dependency-not-started",
    }


def test_a_common_test_skipped_because_its_init_per_testcase_failed_is_a_failure() -> None:
    """cth_surefire writes a test whose init_per_testcase failed as `<skipped>` holding
    `{tc_auto_skip,{failed,{…,init_per_testcase,…}}}`: its pool checkout timing out was read as
    a skip, lost with nothing said (a real capture: tests/fixtures/src/capture_ct_setup.sh).
    A user's skip stays a skip, and so does a test skipped after its group's init failed (the
    failing init_per_group is a test case of its own)."""
    parsed = read_logs([str(FIXTURES / "junit/common_test_setup.xml")])
    said = {(f.group, f.name): f.message for f in parsed.failures}
    assert said == {
        ("pool_setup_SUITE", "checkout_case"): (
            "init_per_testcase failed: {badmatch,{error,{timeout,{pool,checkout,[p1]}}}} "
            "(common_test skipped the test; its report says skipped)"
        ),
        ("pool_setup_SUITE.pool_group", "init_per_group"): (
            "{noproc,{gen_server,call,[pool_sup,start]}}"
        ),
    }
    # the suite counts neither: the skipped test is not among its failures
    [summary] = parsed.summaries
    assert (summary.failures, summary.read) == (0, 1)
    report = triage(parsed, KB)
    diagnosed = {
        f.failure.name: f.outcome.pattern_id
        for f in report.findings
        if isinstance(f.outcome, Diagnosis)
    }
    assert diagnosed == {
        "checkout_case": "checkout-timeout-waiters",
        "init_per_group": "dependency-not-started",
    }
    skipped = read_logs([str(FIXTURES / "junit/common_test_surefire.xml")])
    assert "skip_case" not in {f.name for f in skipped.failures}  # `{tc_user_skip,…}`


def test_nose2_failures_say_their_exception_not_test_failure() -> None:
    """nose2 writes message="test failure" on every element; the traceback in its text says
    what failed (a real capture: tests/fixtures/src/capture_nose2.sh)."""
    parsed = read_logs([str(FIXTURES / "junit/nose2_junit.xml")])
    said = {f.name: (f.kind, f.message.split("\n")[0]) for f in parsed.failures}
    assert said["test_cache_service"] == (
        "ConnectionRefusedError",
        "ConnectionRefusedError: [Errno 111] Connection refused",
    )
    assert said["test_queuepool"][0] == "TimeoutError"
    assert said["test_queuepool"][1].startswith("sqlalchemy.exc.TimeoutError: QueuePool limit")
    assert said["test_settings"] == (
        "AssertionError",
        "AssertionError: {'pool_size': 1} != {'pool_size': 2}",
    )


def test_a_failed_todo_test_of_node_is_no_failure() -> None:
    """node's JUnit reporter writes a failed `todo` test with `<skipped type="todo">` and a
    `<failure>`, and counts it in the suite's `failures` (its run passes on it); a real capture:
    tests/fixtures/src/capture_other_runners.sh."""
    parsed = read_logs([str(FIXTURES / "junit/node_test.xml")])
    assert [f.name for f in parsed.failures] == [
        "Pool > checkout times out",
        "Pool > connect refused",
    ]
    [suite] = parsed.summaries
    assert (suite.failures, suite.read) == (3, 3)  # the todo's failure is accounted for
    assert any("'Pool > resize' failed but is marked skipped" in n for n in parsed.skipped)


def test_a_test_eunit_cancelled_on_its_timeout_is_a_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """EUnit's surefire report writes a test its timeout cancelled (a port worker that never
    answers) as `<skipped type="timeout">` in a suite of `failures="0"`, while eunit:test
    returns error; a real capture: tests/fixtures/src/capture_eunit_timeout.sh. It was a
    skipped test, and the log clean (exit 0)."""
    path = str(FIXTURES / "junit/eunit_timeout.xml")
    [failure] = read_logs([path]).failures
    assert failure.name == "hangpool_tests:0 -port_answers_ping_test_/0-fun-0-"
    assert failure.kind == "timeout" and failure.message.startswith("the test timed out")
    assert any("hangpool_tests.erl, line 12" in frame for frame in failure.stacktrace), failure
    code, _, _ = run(capsys, "triage", path, "--no-history")
    assert code == 1


def test_control_characters_node_writes_into_its_junit_are_read_as_spaces(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """node's JUnit reporter writes a worker's ANSI colour codes raw, ESC bytes XML does not
    allow (a real capture: tests/fixtures/src/capture_node_ansi.sh): the whole file was refused
    as "cut short or not well-formed", exit 2."""
    path = str(FIXTURES / "junit/node_ansi.xml")
    parsed = read_logs([path])
    [failure] = parsed.failures
    assert failure.name == "worker answers a ping"
    assert "ERROR" in failure.message and "missing config PROGRAM_ID" in failure.message
    assert "\x1b" not in failure.message and "[31m" not in failure.message
    assert any("control character(s) XML does not allow" in n for n in parsed.skipped)
    code, _, err = run(capsys, "triage", path, "--no-history")
    assert code == 1, err


def test_surefire_counts_and_flaky_tests() -> None:
    parsed = read_logs(
        [str(FIXTURES / "constructed/surefire_TEST-com.example.pool.CheckoutTest.xml")]
    )
    assert "healthCheckAnswers" not in [f.name for f in parsed.failures]  # passed on a rerun
    [suite] = parsed.summaries
    assert (suite.failures, suite.read, suite.tests) == (3, 3, 5)


# -- failures counted but not read -------------------------------------------------------------
def test_counted_failures_that_were_not_read_are_named_with_where(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = str(FIXTURES / "pytest/services_counts_only.txt")
    code, out, err = run(capsys, "triage", log)
    assert code == 1, err  # not "0 failures, all fine"
    head = out.split("\n\n")[0]
    assert "22 of the 22 failures the runner counted were not read" in head
    assert (
        "services_counts_only.txt:8-13  not read as a failure: check_database.py FFFFFF [ 27%]"
        in head
    )
    code, out, _ = run(capsys, "triage", log, "--format", "json")
    doc = json.loads(out)
    assert (doc["summary"]["failures"], doc["summary"]["unread"]) == (0, 22)
    assert doc["coverage"]["regions"][0]["origin"].endswith("services_counts_only.txt:8-13")


def test_an_unknown_failure_header_is_an_unread_region(tmp_path: Path) -> None:
    log = (
        "  1) test a (ATest)\n     test/a_test.exs:3\n     ** (RuntimeError) a\n\n"
        "  2) check b [ATest]\n     test/a_test.exs:9\n     ** (RuntimeError) b\n\n"
        "  3) test c (ATest)\n     test/a_test.exs:12\n     ** (RuntimeError) c\n\n"
        "3 tests, 3 failures\n"
    )
    report = triage(read_logs([write(tmp_path, "odd.log", log)]), KB)
    coverage = coverage_of(report)
    assert coverage is not None
    assert (coverage.counted, coverage.read, coverage.unread) == (3, 2, 1)
    [region] = coverage.regions
    assert (region.start, region.end) == (5, 8)
    assert region.why == "not read as a failure: 2) check b [ATest]"


def test_a_cut_junit_file_is_exit_1_with_its_place(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Read up to the cut, its place in the notes, the failures it does not hold unread: exit 1
    (it was exit 2, the two failures before the cut not shown)."""
    text = (FIXTURES / "junit/jest_junit.xml").read_text()
    kept = text[: text.index("services the session cache")]
    cut = write(tmp_path, "jest.xml", kept)
    code, out, err = run(capsys, "triage", cut, "--no-history", "--format", "json")
    assert code == 1 and err == ""
    doc = json.loads(out)
    last = kept.count("\n") + 1
    assert doc["summary"]["failures"] == 2 and doc["summary"]["unread"] >= 1
    notes = [n for n in doc["notes"] if n.startswith(f"skipped: {cut}:{last}:")]
    assert len(notes) == 1 and "JUnit XML cut short" in notes[0]


@pytest.mark.parametrize(
    "log,forced,seen",
    [("pytest/pool_suite.txt", "exunit", "pytest"), ("exunit/pool_suite.log", "pytest", "exunit")],
)
def test_a_log_read_in_the_wrong_format_is_not_a_clean_run(
    capsys: pytest.CaptureFixture[str], log: str, forced: str, seen: str
) -> None:
    """A failed run read with another runner's parser found nothing: that is no clean run."""
    path = str(FIXTURES / log)
    code, out, err = run(capsys, "triage", path, "--log-format", forced, "--no-history")
    assert code == 2 and out == ""
    assert f"{path}: no " in err and f"(leave out --log-format, or give --log-format {seen})" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("forced", ["pytest", "exunit"])
def test_what_is_no_runner_s_output_is_not_a_clean_run_of_the_one_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, forced: str
) -> None:
    """Prose (a README given by mistake) read with --log-format, as the refusal of an unknown
    format advises: nothing of that runner in it, exit 2 (it was 0 failures, exit 0)."""
    prose = tmp_path / "notes.txt"
    prose.write_text("Release notes\n\nThe pool now starts its workers lazily.\n")
    code, out, err = run(capsys, "triage", str(prose), "--log-format", forced, "--no-history")
    assert (code, out, len(err.strip().splitlines())) == (2, "", 1)
    assert "no failure, no summary and no closing line of one" in err


MIXED = FIXTURES / "mixed" / "mix_then_pytest.log"  # `mix test`, then pytest, in one job log


@pytest.mark.parametrize("packed", [False, True])
def test_a_log_of_two_runners_is_read_as_both(tmp_path: Path, packed: bool) -> None:
    """The ExUnit run's 31 failures and the pytest run's 22, as each half of the log gives
    read alone."""
    path = MIXED
    if packed:
        path = tmp_path / "job.log.gz"
        path.write_bytes(gzip.compress(MIXED.read_bytes()))
    parsed = read_logs([str(path)])
    assert parsed.formats == {str(path): "exunit+pytest"}
    sources = [f.source for f in parsed.failures]
    assert (sources.count("exunit"), sources.count("pytest")) == (31, 22)
    # ExUnit's closing line counts 30 failures; its 2 invalid tests are one setup_all failure
    assert [(s.failures, s.read) for s in parsed.summaries] == [(22, 22), (30, 30)]


@pytest.mark.parametrize("name", ["make_k_pytest_q_then_mix.log", "make_k_mix_then_pytest_q.log"])
def test_a_make_k_log_of_pytest_q_and_mix_test_is_read_as_both(name: str) -> None:
    """`make -k` ran `pytest -q` (no session header) and `mix test` in one step, in either
    order (src/capture_make_k_two_runners.sh): read as ExUnit's, the pytest run's 22 failures
    were lost, with no word of them (31 failures for 53). Its FAILURES section tells it."""
    path = str(FIXTURES / "mixed" / name)
    parsed = read_logs([path])
    assert parsed.formats == {path: "exunit+pytest"}
    sources = [f.source for f in parsed.failures]
    assert (sources.count("exunit"), sources.count("pytest")) == (31, 22)
    counts = sorted((s.failures, s.read) for s in parsed.summaries)
    assert counts == [(22, 22), (30, 30)]


def test_a_log_of_two_runners_on_standard_input_says_what_it_did_not_read() -> None:
    parsed = read_logs(["-"], stdin=io.BytesIO(MIXED.read_bytes()))
    assert {f.source for f in parsed.failures} == {"pytest"}
    assert parsed.skipped == [
        "<stdin>: its ExUnit output was not read (standard input is read once)"
    ]


def test_a_failed_unittest_run_after_a_clean_pytest_run_is_not_a_clean_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Its verdict counts 3 failures (a real capture:
    tests/fixtures/src/capture_unittest_after_pytest.sh): read as pytest's, its blocks are read
    (`tests/test_unittest_blocks.py`); forced as ExUnit's too, though no mix test run is before
    them (`tests/test_before_mix.py`)."""
    path = str(FIXTURES / "mixed" / "pytest_then_unittest.log")
    verdict = "FAILED (failures=1, errors=1, unexpected successes=1)"
    for forced, read in (("auto", 3), ("exunit", 3)):  # read as pytest's, or forced as ExUnit's
        parsed = read_logs([path], fmt=forced)
        assert len(parsed.failures) == read
        unittest = [s for s in parsed.summaries if s.source == "unittest"]
        assert [(s.text, s.failures, s.read) for s in unittest] == [(verdict, 3, read)]
        assert any("unittest run's verdict" in n for n in parsed.skipped) == (not read)
    code, out, _ = run(capsys, "triage", path, "--no-history")
    assert code == 1 and "3 failures" in out and "not read" not in out


@pytest.mark.parametrize(("log", "code", "unread"), [("failed.txt", 1, 0), ("ok.txt", 0, 0)])
def test_a_unittest_run_alone_is_read_by_its_verdict(
    capsys: pytest.CaptureFixture[str], log: str, code: int, unread: int
) -> None:
    """`python -m unittest -v` alone (real captures: capture_unittest_after_pytest.sh): its
    `Ran N tests` line and its verdict are read, so a failed run counts its failures (its blocks
    read: none unread) and a clean one is clean (both were "format not recognised", exit 2)."""
    path = str(FIXTURES / "unittest" / log)
    assert detect_format((FIXTURES / "unittest" / log).read_bytes()) == "pytest"
    code_got, out, _ = run(capsys, "triage", path, "--no-history", "--format", "json")
    assert code_got == code
    assert json.loads(out)["summary"]["unread"] == unread


@pytest.mark.parametrize(
    ("log", "lines"),
    [("unittest/failed.txt", 38), ("unittest/ok.txt", 6), ("unittest/django_v2.txt", 36)],
)
def test_a_unittest_run_alone_is_said_to_be_unittests(
    capsys: pytest.CaptureFixture[str], log: str, lines: int
) -> None:
    """`python -m unittest -v` alone, failed or clean, and Django's runner (unittest's output;
    real captures: capture_unittest_after_pytest.sh, capture_django_blocks.sh): what triage read
    is named unittest, not pytest, whose parser reads it (it said `(pytest)`)."""
    _, out, _ = run(capsys, "triage", str(FIXTURES / log), "--no-history")
    assert f"read {lines} lines (unittest)\n" in out, out
    path = str(FIXTURES / "mixed" / "pytest_then_unittest.log")  # pytest's run, then unittest's
    _, out, _ = run(capsys, "triage", path, "--no-history")
    assert "read 47 lines (pytest)\n" in out


@pytest.mark.parametrize(
    ("log", "runner", "verdict"),
    [
        ("rebar3_eunit_then_ct.log", "rebar3 ct", "Failed 3 tests. Skipped 1 (1, 0) tests."),
        ("pytest_then_stestr.log", "stestr", "Failed 6 tests - output below:"),
        ("pytest_then_karma.log", "Karma", "TOTAL: 4 FAILED, 1 SUCCESS"),
        ("pytest_then_cmocka.log", "GoogleTest or cmocka", "2 FAILED TEST(S)"),
        ("pytest_then_criterion.log", "Criterion", "[====] Synthesis: Tested: 3 | Passing: 1"),
        ("pytest_then_cunit.log", "CUnit", "tests      3      3      1      2        0"),
        ("pytest_then_check.log", "Check", "33%: Checks: 3, Failures: 2, Errors: 0"),
    ],
)
def test_another_runners_failed_run_after_a_clean_one_is_not_a_clean_log(
    capsys: pytest.CaptureFixture[str], log: str, runner: str, verdict: str
) -> None:
    """A clean pytest or `mix test` run, then a failed run of a runner poolctl does not read,
    in one log (real captures: tests/fixtures/src/capture_other_runners.sh,
    capture_erlang_after_mix.sh, capture_rebar3.sh, capture_other_runners2.sh, capture_subunit.sh,
    capture_js_runners.sh, capture_bun.sh and capture_c_runners.sh): its verdict
    counts its failures, none read, from the line after the clean run's closing line, and a note
    says how to have them read; its progress marks (rebar3 ct's `.`) start no run of the first
    runner's."""
    path = str(FIXTURES / "mixed" / log)
    parsed = read_logs([path])
    assert parsed.failures == []
    assert len(parsed.summaries) == 2
    [clean] = [s for s in parsed.summaries if s.source == "closing line"]
    [theirs] = [s for s in parsed.summaries if s.source == runner]
    failed = theirs.failures
    assert theirs.text.startswith(verdict) and failed and theirs.read == 0
    assert theirs.start == clean.line + 1
    assert any(f"{runner} run's verdict" in n and "JUnit" in n for n in parsed.skipped)
    code, out, _ = run(capsys, "triage", path, "--no-history")
    were = "was" if failed == 1 else "were"
    assert code == 1 and f"{failed} of the {failed} failures the runner counted {were} not" in out


def test_a_failed_go_test_run_after_a_clean_pytest_run_reads_the_failures_of_its_package() -> None:
    """`go test` says a package failed, not how many of its tests (real capture:
    tests/fixtures/src/capture_other_runners2.sh): its `--- FAIL:` blocks say which, and are read
    (`tests/test_go_blocks.py`); the package's verdict counts them."""
    parsed = read_logs([str(FIXTURES / "mixed" / "pytest_then_go.log")])
    assert [(f.source, f.name, f.group) for f in parsed.failures] == [
        ("go", "TestCheckoutTimesOut", "example.com/pool"),
        ("go", "TestArithmetic", "example.com/pool"),
    ]
    [clean, go] = parsed.summaries
    assert (go.source, go.text, go.failures, go.read) == (
        "go test",
        "FAIL\texample.com/pool\t0.002s",
        2,
        2,
    )
    assert go.start == clean.line + 1
    assert parsed.skipped == []


def test_a_failed_make_check_after_a_clean_pytest_run_counts_each_failing_kind() -> None:
    """automake's Testsuite summary counts a line each: `# FAIL:  2`, `# XPASS: 1` and `# ERROR:
    1` all fail `make check` (real capture: tests/fixtures/src/capture_other_runners2.sh)."""
    parsed = read_logs([str(FIXTURES / "mixed" / "pytest_then_automake.log")])
    assert parsed.failures == []
    theirs = [(s.text, s.failures, s.read) for s in parsed.summaries if s.source == "automake"]
    assert theirs == [("# FAIL:  2", 2, 0), ("# XPASS: 1", 1, 0), ("# ERROR: 1", 1, 0)]


@pytest.mark.parametrize(
    ("log", "service", "said"),
    [
        ("ci_job_failed_github.txt", "GitHub Actions", "Process completed with exit code 1."),
        ("ci_job_failed_gitlab.txt", "GitLab CI", "ERROR: Job failed: exit code 1"),
        (
            "ci_job_failed_travis.txt",
            "Travis CI",
            'The command "pytest tests && ruff check pool_client.py" exited with 1.',
        ),
        ("ci_job_failed_appveyor.txt", "AppVeyor", "Command exited with code 1"),
        ("ci_job_failed_teamcity.txt", "TeamCity", "Process exited with code 1"),
        (
            "ci_job_failed_bamboo.txt",
            "Bamboo",
            "Failing task since return code of [/bin/sh /tmp/POOL-TST-JOB1-12-ScriptBuildTask-"
            "5127.sh] was 1 while expected 0",
        ),
        (
            "ci_job_failed_cloud_build.txt",
            "Cloud Build",
            'ERROR: build step 0 "python:3.11" failed: step exited with non-zero status: 1',
        ),
        ("ci_job_failed_act.txt", "act", "[CI/test] 🏁  Job failed"),
    ],
)
def test_a_failed_ci_job_whose_test_runs_passed_is_not_a_clean_log(
    capsys: pytest.CaptureFixture[str], log: str, service: str, said: str
) -> None:
    """pytest passed, then the job's lint step failed (a real capture,
    tests/fixtures/src/capture_ci_job_failed.sh, as each service stores it): the service's line
    for the failed job is one failure, unread, pointing at the lines after the clean run (it
    was "0 failures", exit 0, for a failed job)."""
    path = str(FIXTURES / "pytest" / log)
    parsed = read_logs([path])
    assert parsed.failures == []
    [job] = [s for s in parsed.summaries if s.source == service]
    assert (job.text, job.failures, job.read) == (said, 1, 0)
    [clean] = [s for s in parsed.summaries if s.source == "closing line"]
    assert clean.failures == 0 and job.start == clean.line + 1
    assert any(f"the {service} job failed" in n and "linter" in n for n in parsed.skipped)
    code, out, _ = run(capsys, "triage", path, "--no-history")
    assert code == 1 and "1 of the 1 failures the runner counted was not read" in out


@pytest.mark.parametrize(
    ("log", "tool", "said"),
    [
        ("tox4.txt", "tox session", "py311: FAIL code 1 (3.37=setup[3.09]+cmd[0.27,0.01] seconds)"),
        ("tox3.txt", "tox session", "ERROR:   py311: commands failed"),
        ("nox.txt", "nox session", "nox > Session tests failed."),
        ("make.txt", "make target", "make: *** [Makefile:4: check] Error 1"),
    ],
)
def test_a_failed_tox_nox_or_make_step_whose_pytest_run_passed_is_not_a_clean_log(
    capsys: pytest.CaptureFixture[str], log: str, tool: str, said: str
) -> None:
    """tox (4 and 3), nox and make ran a clean pytest run, then a command that failed (real
    runs, tests/fixtures/src/capture_tox_nox.sh): their line for the failed session (target) is
    one failure, unread, pointing at the lines after the clean run (it was "0 failures",
    exit 0)."""
    path = str(FIXTURES / "pytest" / "tox_nox" / log)
    parsed = read_logs([path])
    assert parsed.failures == []
    [session] = [s for s in parsed.summaries if s.source == tool.split()[0]]
    assert (session.text, session.failures, session.read) == (said, 1, 0)
    [clean] = [s for s in parsed.summaries if s.source == "closing line"]
    assert clean.failures == 0 and session.start == clean.line + 1
    assert any(f"the {tool} failed" in n and "linter" in n for n in parsed.skipped)
    code, out, _ = run(capsys, "triage", path, "--no-history")
    assert code == 1 and "1 of the 1 failures the runner counted was not read" in out


@pytest.mark.parametrize(
    "log", ["services_tox.txt", "services_nox.txt", "make_jobs.txt", "make_jobs_own_line.txt"]
)
def test_a_failed_session_s_line_after_a_failed_run_adds_nothing(log: str) -> None:
    parsed = read_logs([str(FIXTURES / "pytest" / log)])
    assert parsed.failures and parsed.job_failures  # seen, and set aside
    assert not [s for s in parsed.summaries if s.source in ("tox", "nox", "make")]


def test_a_failed_ci_jobs_line_after_a_failed_run_adds_nothing() -> None:
    """The job failed because its tests did: the failures read say it all."""
    parsed = read_logs([str(FIXTURES / "pytest" / "services_github_actions.txt")])
    assert len(parsed.failures) == 22
    assert not [s for s in parsed.summaries if s.source == "GitHub Actions"]
    assert parsed.job_failures  # seen, and set aside


@pytest.mark.parametrize(
    "line",
    [
        "# fail 0",
        "ℹ fail 0",
        "test result: ok. 3 passed; 0 failed;",
        "Tests:       4 passed, 4 total",
        "  0 failing",
        "  is failing",
        "Tests  3 passed (3)",
    ],
)
def test_a_clean_verdict_of_another_runner_counts_nothing(line: str) -> None:
    parsed = ParsedLog()
    assert not other_verdicts.read_verdict(parsed, "job.log", 1, line)
    assert parsed.summaries == [] and parsed.skipped == []


@pytest.mark.parametrize("log", ["quiet.txt", "quiet_xdist.txt"])
def test_a_quiet_pytest_run_reads_its_failures(log: str) -> None:
    """`pytest -q` (no session header) and `pytest -n 2` without `-v` print their FAILURES
    section right after the last progress line (real runs: tests/fixtures/src/capture_quiet.sh):
    that section was taken for a session a test printed under `-s`, and not one failure was
    read."""
    parsed = read_logs([str(FIXTURES / "pytest" / log)])
    names = sorted(f.name for f in parsed.failures)
    assert names == ["test_pool_checkout", "test_settings_key"]
    [summary] = [s for s in parsed.summaries if not s.inferred]
    assert (summary.failures, summary.read) == (2, 2)
    report = triage(parsed, KB)
    [checkout] = [f for f in report.findings if f.failure.name == "test_pool_checkout"]
    assert isinstance(checkout.outcome, Diagnosis)
    assert checkout.outcome.pattern_id == "checkout-timeout-waiters"


def test_stestr_s_unread_region_covers_the_output_below_its_verdict() -> None:
    """stestr prints `Failed 6 tests - output below:`, then each failed test's output, then its
    Totals (real capture: tests/fixtures/src/capture_subunit.sh): the region where its unread
    failures are goes on to the line before the Totals heading, not the verdict's."""
    path = str(FIXTURES / "mixed" / "pytest_then_stestr.log")
    coverage = coverage_of(triage(read_logs([path]), load_patterns([])))
    assert coverage is not None
    [region] = coverage.regions
    assert (region.start, region.end) == (10, 155)
    lines = (FIXTURES / "mixed" / "pytest_then_stestr.log").read_text().splitlines()
    assert lines[77] == "Failed 6 tests - output below:"
    assert "ConnectionRefusedError: [Errno 111]" in lines[151] and lines[155] == "======"
