"""Parameterized ExUnit tests (Elixir 1.18's `use ExUnit.Case, parameterize: [...]`): each test
runs once per parameter map under the same name, and a failure block names its parameters on
the line after its header. Real captures: tests/fixtures/src/capture_elixir_1_18.sh on
src/exunit_parameterized_suite (Elixir 1.18.3, Erlang/OTP 27)."""

from __future__ import annotations

import json
from pathlib import Path

from poolctl.logs import read_logs
from tests.conftest import RunCli

CAPTURES = Path(__file__).parent / "fixtures" / "exunit" / "elixir_1_18"


def test_each_parameter_maps_failure_is_a_test_of_its_own_with_its_error_read() -> None:
    parsed = read_logs([str(CAPTURES / "parameterized.log")])
    assert [(f.name, f.location, f.kind) for f in parsed.failures] == [
        ("test the session store answers [%{pool: :nimble}]", "test/checkout_test.exs:19", "exit"),
        (
            "test a checkout reaches the bridge [%{pool: :poolboy}]",
            "test/checkout_test.exs:13",
            "exit",
        ),
        ("test the session store answers [%{pool: :poolboy}]", "test/checkout_test.exs:19", "exit"),
    ]
    # the error, not the parameters' line, is the message
    called = "exited in: GenServer.call(ParamPool."
    assert all(f.message.startswith(called) for f in parsed.failures)
    assert [(s.tests, s.failures) for s in parsed.summaries] == [(6, 3)]


def test_a_parameter_map_that_passed_is_not_the_failed_ones_history(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """`--trace` lists every test run under its module's line and the parameters' line: the
    :nimble run of "a checkout reaches the bridge" passed, the :poolboy run failed; they are
    two tests in the history, not one test that both passed and failed in one run."""
    store = f"sqlite:///{tmp_path / 'history.sqlite'}"
    log = CAPTURES / "parameterized_trace.log"
    code, out, err = run_cli("triage", str(log), "--history", store, "-f", "json")
    assert code == 1, err
    assert json.loads(out)["summary"]["by_pattern"] == {"dependency-not-started": 3}
    lookup = ("history", "test", "checkout reaches", "--history", store, "-f", "json")
    code, out, err = run_cli(*lookup)
    assert code == 0, err
    outcomes = {(t["test"], t["outcome"]) for t in json.loads(out)["outcomes"]}
    assert outcomes == {
        ("test a checkout reaches the bridge [%{pool: :nimble}]", "passed"),
        ("test a checkout reaches the bridge [%{pool: :poolboy}]", "failed"),
    }
