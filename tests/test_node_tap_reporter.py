"""node-tap's own reporter in a CI log (no terminal): `base`, its default when colours are on,
and `terse`. Real captures of `src/more_runners_suite/js` under node-tap 21.8.0
(`tests/fixtures/src/capture_node_tap_reporter.sh`). Each log was refused, "format not
recognised" (exit 2), though node-tap counts its failed assertions (`# { total: 8, pass: 1,
fail: 7 }`) and prints each (`✖ test > message`, where, why)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "tap_runs"
P1, P3, P5 = "port-no-response", "checkout-timeout-waiters", "required-field-missing"
# tap.test.mjs's four failures, as node-tap's TAP output of it is read (test_tap_assertions.py)
TAP_TEST = [
    ("a second checkout waits for the first", "tap.test.mjs", "pool.mjs:36", "Error", P3),
    ("a worker answers ping", "tap.test.mjs", "pool.mjs:46", "Error", P1),
    ("a job needs its program_id", "tap.test.mjs", "tap.test.mjs:20", "AssertionError", P5),
    ("arithmetic", "tap.test.mjs", "tap.test.mjs:24", "AssertionError", "unclassified"),
]


def _report(capsys: pytest.CaptureFixture[str], name: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, "triage", str(RUNS / name), "--no-history", "--format", "json")
    return code, json.loads(out)


def _read(report: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    return [
        (
            f["failure"]["name"],
            f["failure"]["group"],
            f["failure"]["location"],
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "unclassified"),
        )
        for f in report["findings"]
    ]


@pytest.mark.parametrize("name", ["node_tap_base.log", "node_tap_terse.log"])
def test_node_tap_s_reporter_is_read_each_assertion_once(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """base prints each entry twice (under the file's line as it runs, then after TEST
    COMPLETE) and redraws its progress: the four failed assertions are four failures."""
    code, report = _report(capsys, name)
    assert code == 1
    assert report["summary"]["failures"] == 4 and report["summary"]["unread"] == 0
    assert _read(report) == TAP_TEST
    messages = [f["failure"]["message"] for f in report["findings"]]
    assert (
        messages[0] == "checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting"
    )
    assert messages[1].startswith("No response received from worker pid ")
    assert messages[2] == (
        "KeyError: 'program_id is required'\ncause: Error: KeyError: 'program_id is required'"
    )
    assert messages[3] == "one and one\n--- expected\n+++ actual\n@@ -1,1 +1,1 @@\n-3\n+2"


def test_node_tap_s_default_reporter_with_colours_reads_two_files(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`tap --color`: its progress redrawn every 250 ms (`Asserts:  0 pass  3 fail …`, each
    file's entries again), then the report; errors thrown are of the class node-tap names
    (`type: TypeError`), else Error; a frame with no function's name places one."""
    code, report = _report(capsys, "node_tap_color.log")
    assert code == 1
    assert report["summary"]["failures"] == 7 and report["summary"]["unread"] == 0
    read = _read(report)
    assert read[:3] == [
        ("a job answer has its result", "tap_thrown.test.mjs", "tap_thrown.test.mjs:15",
         "TypeError", "unclassified"),
        ("a silent worker times out", "tap_thrown.test.mjs", "tap_thrown.test.mjs:23",
         "WorkerTimeoutError", P1),
        ("a checkout throws", "tap_thrown.test.mjs", "pool.mjs:36", "Error", P3),
    ]  # fmt: skip
    assert read[3:] == TAP_TEST
    assert report["findings"][0]["failure"]["message"] == (
        "Cannot read properties of undefined (reading 'id')"  # (wrapped: ` 'id')`)
    )


def test_node_tap_s_tap_output_reads_the_kinds_its_reporter_prints() -> None:
    """The same run's TAP (node_tap14.log, capture_tap14.sh) and reporter (node_tap_terse.log):
    each failure of the same kind; the TAP's two assertions were of kind 'not ok'."""
    from poolctl.logs import read_logs

    tap = read_logs([str(RUNS / "node_tap14.log")]).failures
    terse = read_logs([str(RUNS / "node_tap_terse.log")]).failures
    assert [f.kind for f in tap] == [f.kind for f in terse] == [k for *_, k, _ in TAP_TEST]


@pytest.mark.parametrize("name", ["node_tap_dot.log", "node_tap_min.log"])
def test_node_tap_s_dot_and_min_reporters_count_no_run_and_are_read(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """node-tap's dot and min reporters print each failed assertion's entry and no count of the
    run (capture_node_tap_dot.sh): the log was refused, "format not recognised". Its entries are
    now read, and a run with no count of node-tap's counts them (it says so)."""
    code, report = _report(capsys, name)
    assert code == 1
    assert report["summary"]["failures"] == 4 and report["summary"]["unread"] == 0
    assert _read(report) == TAP_TEST


def test_a_run_cut_before_its_report_reads_each_entry_once(tmp_path: Path) -> None:
    """node_tap_color.log cut before its `TEST COMPLETE` (a run killed there): the entries its
    progress printed, each redrawn, are read once each, short as they are: no kind, the place
    after the message (`one and one tap.test.mjs:24:5`)."""
    from poolctl.logs import read_logs

    lines = (RUNS / "node_tap_color.log").read_bytes().splitlines(keepends=True)
    cut = tmp_path / "cut.log"
    cut.write_bytes(b"".join(lines[:245]))
    parsed = read_logs([str(cut)])
    failures = [(f.name, f.location, f.kind) for f in parsed.failures]
    assert failures[3:] == [(n, p, "") for n, _, p, _, _ in TAP_TEST]
    assert len(failures) == 7 and parsed.failures[-1].message == "one and one"
    [run] = parsed.summaries
    assert (run.failures, run.read) == (7, 7) and run.text.startswith("(no count: ")


def test_a_count_printed_twice_is_one_run_and_a_file_that_failed_to_load_is_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """node-tap printed `# { total: 4, pass: 0, fail: 4 }` twice, before and after its report
    (capture_node_tap_broken.sh): two runs of 4 were counted, 8 failures, 5 unread. It is one
    run: its three entries read, and the fourth failure, tap_broken.test.mjs, which failed to
    load (a file's line with no entry, ` FAIL  tap_broken.test.mjs 0 3.925s`), read as one
    failure named by its file; the terse reporter printed no error of it, and it says so."""
    code, report = _report(capsys, "node_tap_broken.log")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (4, 0)
    assert [(f["failure"]["name"], f["failure"]["kind"]) for f in report["findings"]] == [
        ("tap_broken.test.mjs", ""),
        ("a job answer has its result", "TypeError"),
        ("a silent worker times out", "WorkerTimeoutError"),
        ("a checkout throws", "Error"),
    ]
    assert "the reporter printed no error of it" in report["findings"][0]["failure"]["message"]


@pytest.mark.parametrize(
    ("name", "errors"),
    [
        # `base` prints each file's stderr, node's error in it
        (
            "node_tap_unloaded_base.log",
            [
                (
                    "tap_broken.test.mjs",
                    "Error",
                    "Cannot find module '/tmp/more_runners_js/missing_pool.mjs' imported from "
                    "/tmp/more_runners_js/tap_broken.test.mjs",
                ),
                ("tap_syntax.test.mjs:8", "SyntaxError", "missing ) after argument list"),
            ],
        ),
        # node-tap's TAP: each file a `not ok`, node's error printed above it
        (
            "node_tap_unloaded_tap.log",
            [
                (
                    "tap_broken.test.mjs",
                    "Error",
                    "Cannot find module '/tmp/more_runners_js/missing_pool.mjs' imported from "
                    "/tmp/more_runners_js/tap_broken.test.mjs",
                ),
                ("tap_syntax.test.mjs:8", "SyntaxError", "missing ) after argument list"),
            ],
        ),
        # `terse` prints none
        (
            "node_tap_unloaded_terse.log",
            [("tap_broken.test.mjs", "", ""), ("tap_syntax.test.mjs", "", "")],
        ),
    ],
)
def test_each_test_file_that_did_not_load_is_one_failure_named_by_its_file(
    capsys: pytest.CaptureFixture[str], name: str, errors: list[tuple[str, str, str]]
) -> None:
    """tap_broken.test.mjs imports a missing module, tap_syntax.test.mjs has a syntax error
    (capture_node_tap_unloaded.sh): node-tap counts each one failure, and gives each a line of
    its own, no entry (its TAP: a `not ok 1 - tap_broken.test.mjs` saying nothing). They were
    counted and none read (`base`: its count before its report and after it, two runs of 2
    counted; its TAP: read with no kind nor message). Each is one failure named by its file, its
    error's kind and message quoted where the log holds its stderr, placed at the source line node
    names (a syntax error's)."""
    code, report = _report(capsys, name)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (2, 0)
    read = [report["findings"][i]["failure"] for i in range(2)]
    assert [f["name"] for f in read] == ["tap_broken.test.mjs", "tap_syntax.test.mjs"]
    for failure, (where, kind, message) in zip(read, errors, strict=True):
        assert (failure["location"], failure["kind"]) == (where, kind)
        assert failure["message"] == message or (
            not message and "the reporter printed no error of it" in failure["message"]
        )


@pytest.mark.parametrize(
    ("name", "failed"),
    [
        ("node_tap_terse.log", 4),
        ("node_tap14.log", 4),
        # a file that did not load, a count printed before the report and after it
        ("node_tap_broken.log", 4),
        ("node_tap_unloaded_terse.log", 2),
        ("node_tap_unloaded_base.log", 2),
        ("node_tap_unloaded_tap.log", 2),
    ],
)
def test_two_runs_as_long_one_after_the_other_are_two_runs(
    tmp_path: Path, name: str, failed: int
) -> None:
    """A log of node-tap's reporter, or of its TAP, twice in one log (a CI job's retry): the
    second count, the same as the first, is a run of its own, its failures read after the
    first's. A file that did not load was kept once: the second run of node_tap_broken.log
    read 3 of 4, and node_tap_unloaded_{terse,base}.log's second run was the first's (one run
    of 2, 4 read)."""
    from poolctl.logs import read_logs

    twice = tmp_path / "twice.log"
    twice.write_bytes((RUNS / name).read_bytes() * 2)
    parsed = read_logs([str(twice)])
    assert [(s.failures, s.read) for s in parsed.summaries] == [(failed, failed)] * 2
    assert len(parsed.failures) == 2 * failed
    names = [f.name for f in parsed.failures]
    assert names[:failed] == names[failed:]


@pytest.mark.parametrize("name", ["node_tap_retry_terse.log", "node_tap_retry_base.log"])
def test_a_retried_run_is_read_as_two_runs_each_whole(name: str) -> None:
    """`tap … || tap …` (capture_node_tap_retry.sh): two real runs of 4 failures, a file that
    did not load among them, in one log. The second run's file that did not load was dropped
    (terse: 4 counted, 3 read); under base, whose count some runs print before its report and
    after it, the entries its progress printed were kept at the first count too (three runs,
    13 failures of 12 counted). Each run is now read as one run would be, alone."""
    from poolctl.logs import read_logs

    parsed = read_logs([str(RUNS / name)])
    assert [(s.failures, s.read) for s in parsed.summaries] == [(4, 4), (4, 4)]
    names = [f.name for f in parsed.failures]
    assert (
        names[:4]
        == names[4:]
        == [
            "tap_broken.test.mjs",
            "a job answer has its result",
            "a silent worker times out",
            "a checkout throws",
        ]
    )
    # (each run's own: base's first run failed its job answer by a timeout, under load)
    assert parsed.failures[0].message == parsed.failures[4].message
    assert "the reporter printed no error of it" in parsed.failures[4].message or (
        parsed.failures[4].kind == "Error"
    )
    assert all(f.kind for f in parsed.failures[5:]) and all(f.message for f in parsed.failures)
