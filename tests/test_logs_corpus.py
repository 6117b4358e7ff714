"""The acceptance case: the real DSPex ExUnit log of the shared corpus (skipped without it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.records import ParsedLog

CORPUS = Path("/work/shared/corpus/dspex-v2-phase1")
LOG = CORPUS / "exunit-17-failures.log"

pytestmark = pytest.mark.skipif(not LOG.exists(), reason="the shared corpus is not here")

HEADERS = [4, 14, 40, 60, 129, 163, 177, 191, 208, 221, 249, 261, 275, 288, 301, 324, 351, 368, 403]


@pytest.fixture(scope="module")
def parsed() -> ParsedLog:
    return read_logs([str(LOG)])


def test_nineteen_failures_at_their_header_lines(parsed: ParsedLog) -> None:
    assert parsed.formats == {str(LOG): "exunit"}
    assert [f.line_start for f in parsed.failures] == HEADERS
    assert all(f.source == "exunit" and f.line_end >= f.line_start for f in parsed.failures)
    assert parsed.skipped == []


def test_names_groups_and_locations(parsed: ParsedLog) -> None:
    by_line = {f.line_start: f for f in parsed.failures}
    first = by_line[4]
    assert first.name == "test test capabilities provides correct test capabilities"
    assert first.group == "DSPex.Adapters.BridgeMockTest"
    assert first.location == "test/dspex/adapters/bridge_mock_test.exs:154"
    assert by_line[129].name == (
        "test V2 Pool Architecture error handling doesn't affect other operations"
    )
    assert by_line[129].group == "PoolV2Test"
    assert by_line[288].name == (
        "test get_adapter/1 respects TEST_MODE environment variable in test env"
    )
    assert by_line[403].group == "DSPex.Adapters.BehaviorComplianceTest"
    assert [f.details["counter"] for f in parsed.failures[:3]] == ["1", "2", "1"]


def test_kinds_and_messages(parsed: ParsedLog) -> None:
    by_line = {f.line_start: f for f in parsed.failures}
    assert by_line[4].kind == "exit"
    assert by_line[4].message.startswith(
        "exited in: GenServer.call(DSPex.Adapters.BridgeMock, :reset, 5000)"
    )
    assert "** (EXIT) no process: the process is not alive" in by_line[4].message
    assert by_line[4].stacktrace == ("(elixir 1.18.3) lib/gen_server.ex:1128: GenServer.call/3",)
    assert by_line[14].kind == "flunk"
    assert by_line[14].message == "No response received within 5 seconds"
    assert by_line[40].kind == "EXIT from"
    assert by_line[40].message == "shutdown"
    assert by_line[40].details["exit_from"] == "#PID<0.918.0>"
    assert by_line[60].kind == "match (=) failed"
    assert by_line[60].details["code"] == "assert :ok = adapter.health_check.()"
    assert by_line[60].details["right"] == (
        "{:error, {:shutdown, {NimblePool, :checkout, [:test_pool_8706]}}}"
    )
    assert by_line[163].kind == "MatchError"
    assert ":test_pool_8962" in by_line[163].message
    assert by_line[221].kind == "assertion !="
    assert by_line[261].details["right"] == '{:error, "Program ID is required"}'
    assert len(by_line[261].stacktrace) == 3
    assert by_line[275].kind == "assertion <"
    assert by_line[288].kind == "assertion =="
    assert by_line[288].details["left"] == "DSPex.Adapters.PythonPool"
    assert by_line[301].message == (
        'no match of right hand side value: {:error, "Python bridge not available"}'
    )


def test_function_clause_error_arguments(parsed: ParsedLog) -> None:
    failure = next(f for f in parsed.failures if f.line_start == 191)
    assert failure.kind == "FunctionClauseError"
    arguments = failure.details["arguments"]
    assert arguments.startswith("# 1\n%{async: false")
    assert "pid: #PID<0.1019.0>" in arguments
    assert "pool_pid" not in arguments
    assert failure.details["function"].startswith('PoolV2Test."test V2 Pool Architecture')
    assert failure.details["code"] == 'test "pool starts successfully with lazy workers", %{'


def test_two_runs_one_closing_line(parsed: ParsedLog) -> None:
    # The paste holds two runs; only the second printed its closing line.
    first, second = parsed.summaries
    assert first.inferred and first.failures == 2 and first.tests is None
    assert (second.line, second.text) == (416, "45 doctests, 563 tests, 17 failures, 11 skipped")
    assert (second.tests, second.failures, second.inferred) == (608, 17, False)


def test_python_traceback_between_failures(parsed: ParsedLog) -> None:
    [traceback] = parsed.tracebacks
    assert (traceback.line_start, traceback.line_end) == (47, 56)
    assert traceback.exception == "ValueError: Program not found: nonexistent"
    assert traceback.text.startswith("Traceback (most recent call last):")


def test_context_before_headers_and_by_identifier(parsed: ParsedLog) -> None:
    by_line = {f.line_start: f for f in parsed.failures}
    # A Logger line directly before a header (no blank line) is nearby context.
    assert any(c.line == 128 and c.why == "before the header" for c in by_line[129].context)
    assert any(c.line == 323 for c in by_line[324].context)
    # Nothing from the previous failure block leaks into the next one's context.
    assert all(c.line > 138 for c in by_line[163].context)
    # Lines elsewhere naming the same pool.
    naming = [c for c in by_line[129].context if c.why == "names :test_pool_8770_pool"]
    assert [c.line for c in naming][:2] == [71, 75]
    # Lines already kept as nearby context are not repeated.
    lines = [c.line for c in by_line[163].context]
    assert lines.count(154) == 1
