"""PHPUnit's `--testdox` output was counted by its `Tests: 11, Assertions: 5, Errors: 4,
Failures: 3, …` and none read: it prints no `There were 4 errors:` section, each test a sentence
under its class's heading, a failed one's message and frames in a box under its `✘`. Each `✘`
is now a failed test of source phpunit: named by its heading and sentence, grouped by the
heading, its message, an exception's class its kind or AssertionError for a `Failed asserting
that …`, placed at its frame in a test file; the patterns the same as the plain console's and
the JUnit report's. Real captures of `src/phpunit_pool_suite`
(`tests/fixtures/src/capture_phpunit_testdox.sh`: PHPUnit 9.6, a pool of real worker
processes), without colours and with `--colors=always`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "phpunit_runs"
READ = [
    ("Misc", "Invoice totals include tax", "MiscTest.php:8", "AssertionError", "-"),
    (
        "Misc",
        'Prices are formatted with data set "thousand"',
        "MiscTest.php:14",
        "AssertionError",
        "-",
    ),
    ("Misc", "Retry count comes from the config", "MiscTest.php:25", "", "-"),
    ("Misc", "Markup survives the report", "MiscTest.php:31", "AssertionError", "-"),
    (
        "Pool",
        "A second caller gets a worker while the first holds it",
        "PoolTest.php:11",
        "PoolTimeoutException",
        "checkout-timeout-waiters",
    ),
    (
        "Pool",
        "The worker answers a ping",
        "PoolTest.php:22",
        "WorkerTimeoutException",
        "port-no-response",
    ),
    (
        "Pool",
        'Execute runs a program with data set "without a session"',
        "PoolTest.php:34",
        "WorkerException",
        "required-field-missing",
    ),
]


def _read(capsys: pytest.CaptureFixture[str], name: str) -> list[tuple[str, ...]]:
    code, out, _ = run(capsys, "triage", str(RUNS / name), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 7 and report["summary"]["unread"] == 0
    assert {f["failure"]["source"] for f in report["findings"]} == {"phpunit"}
    return [
        (
            f["failure"]["group"],
            f["failure"]["name"],
            f["failure"]["location"].rsplit("/", 1)[-1],
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "-"),
        )
        for f in report["findings"]
    ]


def test_each_failed_test_of_testdox_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    read = _read(capsys, "testdox.txt")
    assert read == [(g, f"{g} › {t}", *rest) for g, t, *rest in READ]


def test_with_colours_the_same_tests_are_read(capsys: pytest.CaptureFixture[str]) -> None:
    read = _read(capsys, "testdox_color.txt")
    # (colours print a data set's name alone, its spaces as `·`)
    names = [name for _, name, *_ in read]
    assert names[1] == "Misc › Prices are formatted with thousand"
    assert names[6] == "Pool › Execute runs a program with without·a·session"
    assert [(g, *rest) for g, _, *rest in read] == [(g, *rest) for g, _, *rest in READ]


def test_a_message_and_frames_are_read_from_the_box() -> None:
    parsed = read_logs([str(RUNS / "testdox.txt")])
    assert [(s.failures, s.read) for s in parsed.summaries] == [(7, 7)]
    ping = parsed.failures[5]
    assert ping.message.startswith("WorkerTimeoutException: worker pid ")
    assert [f.rsplit("/", 1)[-1] for f in ping.stacktrace] == [
        "WorkerPool.php:32",
        "PoolTest.php:22",
    ]
    diff = parsed.failures[1].message.splitlines()
    assert diff[0] == "Failed asserting that two strings are identical."
    assert diff[-1] == "+'1,000.00'"  # (the box's frame and blank lines left out)
    assert not any("PHPUnit run's verdict" in note for note in parsed.skipped)


def test_a_cross_with_no_box_under_it_is_no_failed_test(tmp_path: Path) -> None:
    """Another tool's line of the same shape (docker compose's ` ✘ Container db  Error`, written
    here: no docker compose on this machine) before a testdox run is no failed test: testdox boxes
    every failed test's message."""
    log = tmp_path / "ci.log"
    compose = " ✘ Container pool-db  Error                                     0.3s\n"
    log.write_text(compose + (RUNS / "testdox.txt").read_text(encoding="utf-8"), encoding="utf-8")
    parsed = read_logs([str(log)])
    assert len(parsed.failures) == 7
    assert [(s.failures, s.read) for s in parsed.summaries] == [(7, 7)]
