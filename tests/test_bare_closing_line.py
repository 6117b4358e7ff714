"""A closing line in pytest's words with no `=` rule around it (`2 failed, 3 passed in 0.01s`,
as `pytest -q` prints it) makes a log pytest's only with pytest's shape around it: the line
before it ends in the last test's progress letter (glued to what the test printed under `-s`),
or is the warnings summary's `-- Docs:` line, or another of pytest's marks is in the log. Real
captures (tests/fixtures/src/capture_bare_closing.sh): a shell script's and a Makefile's own
summaries were read as pytest runs that counted failures none of which was read (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import RunCli

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("log", ["smoke_script.out", "make_check.out"])
def test_a_summary_in_pytests_words_alone_is_no_pytest_log(cli: RunCli, log: str) -> None:
    code, out, err = cli("triage", str(FIXTURES / "mixed" / "bare_closing" / log), "--no-history")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "format not recognised" in err and log in err, err


@pytest.mark.parametrize(
    ("log", "code", "failures", "unread"),
    [
        ("bare_closing/q_tail.txt", 1, 1, 0),  # its FAILED line, then the closing line
        ("bare_closing/q_docs_tail.txt", 0, 0, 0),  # `-- Docs:`, then the closing line
        ("bare_closing/q_tbno.txt", 1, 0, 1),  # the progress line `F..  [100%]`
        ("s_quiet/s_quiet_tbno.txt", 1, 0, 3),  # `-s`: the letters glued to the tests' output
    ],
)
def test_pytest_q_logs_with_little_but_the_closing_line_still_read(
    cli: RunCli, log: str, code: int, failures: int, unread: int
) -> None:
    path = FIXTURES / "pytest" / log
    got, out, err = cli("triage", str(path), "--no-history", "-f", "json")
    assert got == code, err
    report = json.loads(out)
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (failures, unread)
    assert report["coverage"]["runs"][0]["text"].endswith("s")
    assert "format not recognised" not in " ".join(report["notes"])


def test_a_summary_in_pytests_words_after_a_pytest_run_is_no_second_run(cli: RunCli) -> None:
    """pytest -q, then a smoke script, in one CI step: once the log is pytest's, the script's
    own `2 failed, 3 passed in 0.00s` after its `ok`/`FAIL` lines was read as a second pytest
    run that counted 2 failures, none read. Outside a run, such a line closes one only right
    after pytest's own lines (its progress, short summary or `-- Docs:`)."""
    path = FIXTURES / "mixed" / "bare_closing" / "pytest_then_smoke.out"
    code, out, _ = cli("triage", str(path), "--no-history", "-f", "json")
    assert code == 1
    report = json.loads(out)
    [run] = report["coverage"]["runs"]
    assert run["text"] == "1 failed, 2 passed, 1 warning in 0.24s"
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (0, 1)
