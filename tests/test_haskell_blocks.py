"""Haskell's hspec and tasty failures are read. hspec's `Failures:` section, each entry under its
place (`HspecMain.hs:12:5:`), is counted by its verdict of RSpec's shape (`9 examples, 6
failures, 1 pending`), said to be hspec's; its `Finished in` and `Randomized with seed` lines
are no ExUnit run's. tasty's `  name:   FAIL` lines and the output under them are counted by
its `6 out of 8 tests failed (6.44s)`. Before, an hspec log was an RSpec run whose failures
were all unread, and a tasty log was refused as of no format (exit 2), or read as clean (0
failures, exit 0) after a clean pytest run in one log. Real captures of
`src/haskell_pool_suite` (`tests/fixtures/src/capture_haskell.sh`: hspec 2.8.5, tasty 1.4.2.3,
GHC 9.0.2, a pool of real worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "haskell_runs"
NAMES = [
    ("checks out a second worker within 200ms", "checkout-timeout-waiters"),
    ("counts its busy workers", "-"),
    ("answers ping when silent", "port-no-response"),
    ("keeps running after a request", "-"),
    ("starts a job", "required-field-missing"),
    ("adds", "-"),
]


@pytest.mark.parametrize("log", ["hspec.txt", "pytest_then_hspec.txt"])
def test_hspec_entries_are_read(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (6, 0)
    places = ["12", "18", "24", "26", "31", "33"]
    kinds = ["ErrorCall", "AssertionError", "ErrorCall", "ErrorCall"]
    kinds += ["AssertionError", "AssertionError"]
    expected = [
        (name, "checkout" if i < 2 else "worker", f"HspecMain.hs:{place}", kind, pattern)
        for i, ((name, pattern), place, kind) in enumerate(zip(NAMES, places, kinds, strict=True))
    ]
    assert sorted(
        finding_rows(report, "name", "group", "location", "kind", "pattern", source="hspec")
    ) == sorted(expected)
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["adds"] == "expected: 3\nbut got: 2"
    parsed = read_logs([str(RUNS / log)])
    theirs = [(s.source, s.failures, s.read) for s in parsed.summaries if s.failures]
    assert theirs == [("hspec", 6, 6)]  # (read once, as pytest's neighbour, not ExUnit's)


@pytest.mark.parametrize("log", ["tasty.txt", "pytest_then_tasty.txt"])
def test_tasty_failed_tests_are_read(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (6, 0)
    places = ["", "TastyMain.hs:18", "", "", "TastyMain.hs:32", "TastyMain.hs:33"]
    expected = [
        (
            name,
            "checkout" if i < 2 else "worker",
            place,
            "AssertionError" if place else "",
            pattern,
        )
        for i, ((name, pattern), place) in enumerate(zip(NAMES, places, strict=True))
    ]
    assert sorted(
        finding_rows(report, "name", "group", "location", "kind", "pattern", source="tasty")
    ) == sorted(expected)
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["keeps running after a request"] == (
        "Exception: worker exited with status 3 before answering"
    )  # (its rerun hint is no message)
    parsed = read_logs([str(RUNS / log)])
    theirs = [(s.source, s.failures, s.read) for s in parsed.summaries if s.failures]
    assert theirs == [("tasty", 6, 6)]


@pytest.mark.parametrize(
    ("log", "runner"),
    [
        ("hspec_clean.txt", "hspec"),
        ("hspec_clean_pending.txt", "hspec"),  # `3 examples, 0 failures, 1 pending`
        ("tasty_clean.txt", "tasty"),
        (Path("..") / "rspec_runs" / "clean.txt", "RSpec"),  # (its verdict is hspec's shape)
    ],
)
def test_a_clean_run_alone_is_a_clean_log_named_by_its_runner(
    capsys: pytest.CaptureFixture[str], log: str, runner: str
) -> None:
    """A clean hspec log was read as ExUnit's (its `Finished in`), a clean RSpec log as a pytest
    log with no result in it ("nothing in it says it passed")."""
    code, report = triage_json(capsys, RUNS / log)
    assert code == 0
    assert report["summary"]["failures"] == 0
    assert report["extra"]["formats"] == {str(RUNS / log): runner}
    assert (", 0 failures" in report["coverage"]["runs"][0]["text"]) == (runner != "tasty")
    assert not [n for n in report["notes"] if "nothing in it says it passed" in n]
