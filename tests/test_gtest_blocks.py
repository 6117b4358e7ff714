"""GoogleTest's console failures are read test by test: from a test's first `FILE:LINE:
Failure` (`unknown file: Failure` for an exception it did not catch) to its `[  FAILED  ]
Suite.Test (N ms)` line, counted by its ` 7 FAILED TESTS`, or under `--gtest_brief=1`, which
prints no count, by its closing `[==========] 8 tests from 1 test suite ran.`. Before, they were
counted and none read ('its own failure blocks are not read'), and a `--gtest_brief=1` log was
refused as of no format (exit 2). Linked with a main of the suite's own, `--gtest_brief=1`
prints nothing before the first failure: each test's failure is read back from its `[  FAILED
]` line. Real captures of `src/cpp_pool_suite/pool_gtest.cc`
(`tests/fixtures/src/capture_gtest_pool.sh`: GoogleTest 1.12, a pool of real worker
processes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "gtest_runs"
READ = [
    ("Pool.SecondCallerChecksOutWithin200ms", "", "", "checkout-timeout-waiters"),
    ("Pool.SilentWorkerAnswersWithinTheRequestTimeout", "", "", "port-no-response"),
    ("Pool.KeepsItsWorkerAfterARequest", "", "", "-"),
    ("Pool.ReadsTheOkOfAnAnswer", "pool_gtest.cc:37", "AssertionError", "-"),
    ("Pool.StartsAJob", "", "", "required-field-missing"),
    (
        "Pool.HandsAWorkerToACallerWaitingThroughShutdown",
        "",
        "",
        "pool-shutdown-during-checkout",
    ),
    ("Pool.CountsItsWorkers", "pool_gtest.cc:57", "AssertionError", "-"),
]


@pytest.mark.parametrize("log", ["console.txt", "brief.txt", "color.txt", "brief_own_main.txt"])
def test_each_failed_test_is_read_and_classified(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    code, out, _ = run(capsys, "triage", str(RUNS / log), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 7 and report["summary"]["unread"] == 0
    read = [
        (
            f["failure"]["name"],
            f["failure"]["location"],
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "-"),
        )
        for f in report["findings"]
    ]
    assert read == READ
    failures = [f["failure"] for f in report["findings"]]
    assert {f["group"] for f in failures} == {"Pool"}
    # an exception GoogleTest caught: its description, no class named
    assert failures[0]["message"] == (
        'C++ exception with description "checkout timed out after 200ms: pool pool_a has 0 idle'
        ' workers, 1 waiting" thrown in the test body.'
    )
    assert failures[6]["message"] == (
        "Expected equality of these values:\n  pool.size()\n    Which is: 2\n  3u\n    Which is: 3"
    )


def test_the_verdict_or_the_closing_line_counts_the_blocks_read() -> None:
    console = read_logs([str(RUNS / "console.txt")])
    assert [(s.text, s.failures, s.read) for s in console.summaries] == [("7 FAILED TESTS", 7, 7)]
    for log in ("brief.txt", "brief_own_main.txt"):
        brief = read_logs([str(RUNS / log)])
        [run] = brief.summaries
        assert run.text.startswith("[==========] 8 tests from 1 test suite ran. (")
        assert (run.failures, run.read) == (7, 7)
    # after a clean pytest run (capture_c_runners.sh): a test of several failed expectations
    # is one failure, a parameterized test named with its index
    after = read_logs([str(RUNS.parent / "pytest_then_gtest.log")])
    assert [(f.name, f.location) for f in after.failures] == [
        ("PoolCheckout.TimesOutWithCallersWaiting", ""),
        ("PoolCheckout.SeveralExpectationsFail", "pool_test.cc:16"),
        ("Worker.AnswersPing", "pool_test.cc:23"),
        ("ServiceTest.Reset", "pool_test.cc:35"),
        ("Misc.Arithmetic", "pool_test.cc:43"),
        ("Pool/Sizes.FitsThePool/1", "pool_test.cc:40"),
    ]
    assert [(s.failures, s.read) for s in after.summaries][-1] == (6, 6)
