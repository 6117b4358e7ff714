"""A TAP test's failure is read from its `not ok` line and the diagnostics below it, and
classified as any runner's failure is (real captures: tests/fixtures/src/capture_tap.sh). Before,
each was counted and left unread: `N of the N failures the runner counted were not read`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

MIXED = Path(__file__).parent / "fixtures" / "mixed"
RUNS = MIXED / "tap_runs"
P1, P2, P3, P7 = (
    "port-no-response",
    "pool-shutdown-during-checkout",
    "checkout-timeout-waiters",
    "dependency-not-started",
)


def _triaged(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, dict[str, str]]:
    """The exit code, and each failure's pattern by the test's name."""
    code, out, _ = run(capsys, "triage", str(path), "--no-history", "--format", "json")
    report = json.loads(out)
    assert report["summary"]["unread"] == 0
    patterns = {
        f["failure"]["name"]: f["outcome"].get("pattern_id", "") for f in report["findings"]
    }
    return code, patterns


@pytest.mark.parametrize(
    ("log", "runner", "expected"),
    [
        # bats: the failed command's output under `# (in test file …)`
        (
            "bats_diag.log",
            "TAP",
            {"checkout after the pool stopped": P2, "worker answers ping": P1},
        ),
        # Test::More: `#   Failed test …`, `#   at …`, got and expected, a `diag`
        (
            "perl_diag.log",
            "TAP",
            {"checkout returns a worker": P2, "python bridge answers ping": P1},
        ),
        # node --test: a YAML block (`error:`, `code:`, `stack:`), counted by `# fail 3`
        (
            "node_tap_diag.log",
            "node --test",
            {
                "worker answers ping": P1,
                "checkout returns a worker": P2,
                "python bridge answers": P1,
            },
        ),
    ],
)
def test_a_tap_failures_diagnostics_are_read_and_classified(
    capsys: pytest.CaptureFixture[str], log: str, runner: str, expected: dict[str, str]
) -> None:
    parsed = read_logs([str(RUNS / log)])
    [theirs] = parsed.summaries
    assert (theirs.source, theirs.failures, theirs.read) == (runner, len(expected), len(expected))
    assert not any("run's verdict" in note for note in parsed.skipped)
    code, patterns = _triaged(capsys, RUNS / log)
    assert code == 1 and patterns == expected


def test_what_each_producer_says_is_the_message() -> None:
    parsed = read_logs([str(RUNS / "bats_diag.log")])
    bats = parsed.failures[0]
    assert (bats.location, bats.group) == ("diag/pool_diag.bats:13", "diag/pool_diag.bats")
    assert bats.message.splitlines() == [
        '`[ "$status" -eq 0 ]\' failed',
        "checkout failed: {:shutdown, {NimblePool, :checkout, [:test_pool_8962]}}",
    ]
    perl = read_logs([str(RUNS / "perl_diag.log")]).failures
    assert perl[0].location == "diag/pool_diag.t:7"
    assert "Failed test" not in perl[0].message and "got: '{:shutdown" in perl[0].message
    assert perl[1].message == "Python bridge timed out waiting for a response after 5000 ms"
    node = read_logs([str(RUNS / "node_tap_diag.log")]).failures
    assert [(f.kind, f.message.splitlines()[0]) for f in node] == [
        ("Error", "No response received within 5 seconds"),  # (not node's ERR_TEST_FAILURE)
        ("AssertionError", "Expected values to be strictly deep-equal:"),
        ("ETIMEDOUT", "Python bridge timed out waiting for a response after 5000 ms"),
    ]
    assert node[0].location.endswith("diag/pool_diag.test.mjs:7")
    assert node[0].stacktrace[0].startswith("TestContext.<anonymous> (file:///")


def test_a_node_suites_failed_subtests_are_its_failures(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`node --test` prints a describe's subtests indented above its own `not ok 1 - Pool`,
    whose YAML says only `failureType: 'subtestsFailed'`; `# fail 2` counts the subtests. The
    two subtests are read (the TODO one is not), the suite's line is no failure of its own."""
    path = MIXED / "pytest_then_node_tap.log"
    parsed = read_logs([str(path)])
    assert [(f.name, f.line_start) for f in parsed.failures] == [
        ("Pool > checkout times out", 18),
        ("Pool > connect refused", 37),
    ]
    [node] = [s for s in parsed.summaries if s.source == "node --test"]
    assert (node.failures, node.read) == (2, 2)
    code, patterns = _triaged(capsys, path)
    assert code == 1 and patterns == {"Pool > checkout times out": P3, "Pool > connect refused": P7}


@pytest.mark.parametrize("log", ["prove_diag.log", "prove_verbose_diag.log"])
def test_test_mores_diagnostics_under_prove_are_the_failures(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    """prove prints no `not ok` line of a failing script, only Test::More's diagnostics (its
    stderr) and its Test Summary Report; `prove -v` prints the diagnostics before the TAP lines.
    Each `#   Failed test …` block is the failure, once."""
    parsed = read_logs([str(RUNS / log)])
    assert [(f.name, f.location, f.line_start) for f in parsed.failures] == [
        ("checkout returns a worker", "diag/pool_diag.t:7", 3),
        ("python bridge answers ping", "diag/pool_diag.t:9", 8),
    ]
    [prove] = parsed.summaries
    assert (prove.source, prove.failures, prove.read) == ("prove", 2, 2)
    code, patterns = _triaged(capsys, RUNS / log)
    assert code == 1 and patterns == {
        "checkout returns a worker": P2,
        "python bridge answers ping": P1,
    }


def test_a_test_that_says_only_where_it_failed_is_not_classified_by_its_name() -> None:
    """`t/pool.t`'s third test, `ok(0, 'connect refused: ECONNREFUSED 127.0.0.1:5432')`, says
    only `Failed test` and where: its name says nothing of why it failed, and is no message."""
    for log in ("pytest_then_perl_tap.log", "pytest_then_prove_verbose.log"):
        refused = read_logs([str(MIXED / log)]).failures[1]
        assert refused.name == "connect refused: ECONNREFUSED 127.0.0.1:5432"
        assert (refused.kind, refused.message, refused.location) == ("not ok", "", "t/pool.t:7")


def test_a_test_more_subtests_failure_is_read_once(capsys: pytest.CaptureFixture[str]) -> None:
    """Test::More prints a subtest's TAP and diagnostics indented, then its parent's `not ok 2 -
    checkout` saying only where it failed: one failure, the subtest's, read from its indented
    diagnostics (they were read with their indent: `#   Failed test …` as the message, and the
    parent counted again)."""
    path = RUNS / "perl_subtest.log"
    parsed = read_logs([str(path)])
    [failure] = parsed.failures
    assert (failure.name, failure.location) == ("after a resize", "diag/pool_subtest.t:11")
    assert failure.message.splitlines()[0].startswith("got: '{:shutdown, {NimblePool")
    [tap] = parsed.summaries
    assert (tap.failures, tap.read) == (1, 1)
    code, patterns = _triaged(capsys, path)
    assert code == 1 and patterns == {"after a resize": P2}


def test_a_bats_step_after_mix_test_has_its_failures_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`mix test`, then `bats` (real capture: capture_mix_then_tap.sh): the log reads as
    ExUnit's, whose parser counted the bats run and read none of it. Its two failures are read
    as TAP's (`source` `tap`), as in a pytest log (their context the lines around them, not an
    ExUnit test's region); the mix test run is read as before."""
    path = RUNS / "mix_then_bats.log"
    parsed = read_logs([str(path)])
    mix, bats = parsed.summaries
    assert (mix.source, mix.failures, mix.read) == ("closing line", 30, 30)
    assert (bats.source, bats.failures, bats.read) == ("TAP", 2, 2)
    theirs = [(f.name, f.source) for f in parsed.failures if "runner" in f.details]
    assert theirs == [
        ("checkout after the pool stopped", "tap"),
        ("worker answers ping", "tap"),
    ]
    code, out, _ = run(capsys, "triage", str(path), "--no-history", "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["summary"]["unread"] == 0
    patterns = {
        f["failure"]["name"]: f["outcome"].get("pattern_id")
        for f in report["findings"]
        if f["failure"]["details"].get("runner")
    }
    assert patterns == {"checkout after the pool stopped": P2, "worker answers ping": P1}


@pytest.mark.parametrize(
    ("log", "name", "location", "pattern"),
    [
        # bats: `(from function `ping_worker' in file …, line 6,` then ` in test file …, line 10)`
        ("bats_helper.log", "worker answers ping", "diag/pool_helper.bats:10", P1),
        # Test::More, a test with no name: `not ok 2`, `#   Failed test at … line 6.`
        ("perl_unnamed.log", "test 2", "diag/pool_unnamed.t:6", "adapter-misconfigured"),
        (
            "prove_unnamed.log",
            "the test at diag/pool_unnamed.t:6",
            "diag/pool_unnamed.t:6",
            "adapter-misconfigured",
        ),
    ],
)
def test_where_a_tap_test_failed_is_its_location_not_its_message(
    capsys: pytest.CaptureFixture[str], log: str, name: str, location: str, pattern: str
) -> None:
    """bats names a helper function before the test (`#  in test file …` on the next line), and
    Test::More says where a test with no name failed on its `Failed test` line: each is the
    failure's place, not what it says (the message began `in test file …`; the prove log's
    test was named `at diag/pool_unnamed.t line 6.`)."""
    parsed = read_logs([str(RUNS / log)])
    [failure] = parsed.failures
    assert (failure.name, failure.location) == (name, location)
    assert " line " not in failure.message and "in test file" not in failure.message
    assert _triaged(capsys, RUNS / log)[1] == {name: pattern}


def test_a_test_with_no_name_under_prove_verbose_is_counted_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`prove -v` of two tests with no name failing and a named one between (real capture:
    capture_tap.sh, `prove_verbose_unnamed.log`): Test::More's diagnostics, printed before the
    TAP lines, name a test with no name by its place (`the test at …:7`), its `not ok 2` line by
    its number (`test 2`); each was read twice, 5 failures of the 3 prove counted (`test 2` and
    `test 4` unclassified). A `not ok` line with no name is the diagnostics with no name read
    before it."""
    path = RUNS / "prove_verbose_unnamed.log"
    parsed = read_logs([str(path)])
    where = "diag/pool_unnamed_between.t"
    assert [(f.name, f.location) for f in parsed.failures] == [
        (f"the test at {where}:7", f"{where}:7"),
        ("checkout returns a worker", f"{where}:8"),
        (f"the test at {where}:9", f"{where}:9"),
    ]
    [prove] = parsed.summaries
    assert (prove.source, prove.failures, prove.read) == ("prove", 3, 3)
    code, patterns = _triaged(capsys, path)
    assert code == 1 and patterns == {
        f"the test at {where}:7": P1,
        "checkout returns a worker": P2,
        f"the test at {where}:9": "adapter-misconfigured",
    }


@pytest.mark.parametrize("log", ["prove_two_scripts.log", "prove_verbose_two_scripts.log"])
def test_each_prove_verdict_counts_the_failures_of_its_own_script(log: str) -> None:
    """`prove twofail/` and `prove -v` of it (real captures: capture_tap.sh): two scripts each
    failing one test, both named at the end in prove's Test Summary Report (padded to the
    longest name). Each verdict took the failures read since the one before it: the first took
    both, the second none, and the log said '1 of the 2 failures the runner counted was not
    read', though both were. A verdict now counts those whose place is in its script."""
    parsed = read_logs([str(RUNS / log)])
    assert [f.location for f in parsed.failures] == [
        "twofail/a_bridge.t:7",
        "twofail/b_checkout.t:4",
    ]
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [
        ("prove", 1, 1),
        ("prove", 1, 1),
    ]


def test_a_raw_tap_scripts_nameless_failure_after_a_test_more_one_is_its_own() -> None:
    """`prove -v rawtap/` (real capture: capture_tap.sh, `prove_verbose_raw_after_more.log`): a
    Test::More script's nameless failing test (its diagnostics first), then a raw TAP script's
    nameless `not ok 1` with none. Each `not ok` line was taken for those diagnostics, and the
    raw script's failure was lost; diagnostics stand for one `not ok` line."""
    parsed = read_logs([str(RUNS / "prove_verbose_raw_after_more.log")])
    where = "rawtap/a_more.t"
    assert [(f.name, f.location, f.line_start) for f in parsed.failures] == [
        (f"the test at {where}:6", f"{where}:6", 3),
        ("test 1", "", 13),
    ]


@pytest.mark.parametrize("log", ["prove_subtest.log", "prove_verbose_subtest.log"])
def test_a_test_more_subtest_under_prove_is_its_failed_test(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    """`prove` and `prove -v` of a Test::More subtest whose second test fails (real captures:
    capture_tap.sh): its diagnostics come indented (`    #   Failed test 'after a resize'`,
    the script's stderr: alone, or before the TAP lines), then its parent's (`#   Failed test
    'checkout'`, saying only where). The subtest's were left unread and its parent read as the
    failure, unclassified; under `prove -v` the subtest's `not ok 2 - after a resize` was one
    more: 2 failures of the 1 prove counted. The subtest's failure is read, as when the script
    runs alone (pattern 2)."""
    path = RUNS / log
    parsed = read_logs([str(path)])
    [failure] = parsed.failures
    assert (failure.name, failure.location) == ("after a resize", "diag/pool_subtest.t:11")
    assert failure.message.splitlines()[0].startswith("got: '{:shutdown, {NimblePool")
    [prove] = parsed.summaries
    assert (prove.source, prove.failures, prove.read) == ("prove", 1, 1)
    code, patterns = _triaged(capsys, path)
    assert code == 1 and patterns == {"after a resize": P2}


def test_a_node_test_failed_by_its_subtests_is_read_as_they_are(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`node --test` of tests failing in describe suites and in a test's subtests (`t.test`;
    real capture: capture_tap.sh, `node_tap_nested.log`): node counts the test whose subtest
    failed (`not ok 2 - bridge`, `failureType: 'subtestsFailed'`, no `type: 'suite'`) as a
    failure too, `# fail 4`, a suite not. Its three failures were read and the report said `1 of
    the 4 failures the runner counted was not read`; the test is read as its subtests are."""
    path = RUNS / "node_tap_nested.log"
    parsed = read_logs([str(path)])
    names = ["pool > checkout > returns a worker", "pool > answers ping", "bridge > answers"]
    assert [f.name for f in parsed.failures] == names
    [node] = parsed.summaries
    assert (node.source, node.failures, node.read) == ("node --test", 4, 4)
    assert any(note.endswith("their failures counted, 3 read") for note in parsed.skipped)
    code, patterns = _triaged(capsys, path)
    assert code == 1 and patterns == dict(zip(names, (P2, P1, P1), strict=True))
