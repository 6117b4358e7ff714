"""The pool-shutdown remediation names ExUnit's calls (`Task.await_many`, `stop_supervised`)
only for an Elixir run. A C or C++ test (GoogleTest, Catch2, Boost.Test, doctest), a bats,
Perl or Erlang one places its failure in a file of its language, or says `C++ exception` where
GoogleTest names no file: each got ExUnit's text. Now the language is read from the failure's
place (or GoogleTest's words), and the remediation is the one naming no runtime's calls. Real
captures: the runners' own (tests/fixtures/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_logs_formats import CORPUS, triage_json

MIXED = Path(__file__).parent / "fixtures" / "mixed"
GENERIC = "Do not close or restart a pool while callers still wait in its checkout"


@pytest.mark.parametrize(
    ("log", "language"),
    [
        ("boost_test_runs/plain.txt", "cc"),
        ("doctest_cpp_runs/console.txt", "cc"),
        ("catch2_runs/console.txt", "cc"),
        ("gtest_runs/console.txt", "C++"),
        ("bats_pretty_runs/pool.txt", "bats"),
        ("tap_runs/prove_diag.log", "t"),
        ("mix_then_eunit.log", "erl"),
    ],
)
def test_the_shutdown_remediation_names_no_elixir_call(
    capsys: pytest.CaptureFixture[str], log: str, language: str
) -> None:
    _, report = triage_json(capsys, MIXED / log)
    shut = [
        f["outcome"]
        for f in report["findings"]
        if f["outcome"].get("pattern_id") == "pool-shutdown-during-checkout"
        and f["failure"]["source"] != "exunit"
    ]
    assert shut
    for outcome in shut:
        assert outcome["facts"]["language"] == language
        assert outcome["remediation"].startswith(GENERIC)
        assert "ExUnit" not in outcome["remediation"]


def test_an_exunit_run_keeps_exunits_calls(capsys: pytest.CaptureFixture[str]) -> None:
    # the seed log: its failures are placed in its .exs file
    _, report = triage_json(capsys, CORPUS)
    exunit = [
        f["outcome"]
        for f in report["findings"]
        if f["outcome"].get("pattern_id") == "pool-shutdown-during-checkout"
    ]
    assert len(exunit) == 3
    for outcome in exunit:
        assert "language" not in outcome["facts"]
        assert "Task.await_many" in outcome["remediation"]
