"""A hand-written Python worker pool's failures, as pytest prints them in several styles. Real
captures of `src/pytest_pypool_suite` (`tests/fixtures/src/capture_pypool.sh`, see the
fixtures' README)."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs
from poolctl.model import Diagnosis
from poolctl.patterns import load_patterns
from poolctl.triage import triage

PYPOOL = Path(__file__).parent / "fixtures" / "pytest" / "pypool"


def test_tb_line_ends_a_failure_at_a_location_in_a_frozen_module() -> None:
    """`<frozen os>:679: KeyError: …` is a location line as `path.py:12: …` is: the KeyError
    is its own test's, not glued onto the next failure."""
    by_name = {f.name: f for f in read_logs([str(PYPOOL / "tbline.txt")]).failures}
    env, store = by_name["test_backend_env_name"], by_name["test_result_store_reachable"]
    assert (env.line_start, env.line_end, env.message) == (40, 41, "KeyError: 'WORKERPOOL_BACKEND'")
    assert (store.line_start, store.message) == (
        42,
        "ConnectionRefusedError: [Errno 111] Connection refused",
    )
    assert len(by_name) == 20


def test_tb_line_reads_a_message_printed_on_several_lines() -> None:
    """pydantic's field list and pytest's explanation of an assert follow the `E` line, indented:
    they are the message, as under `-v`."""
    by_name = {f.name: f for f in read_logs([str(PYPOOL / "tbline.txt")]).failures}
    model = by_name["test_predict_request_model"]
    assert model.message.split("\n")[1:3] == [
        "program_id",
        "  Field required [type=missing, input_value={'signature': 'q -> a', 'inputs': "
        "{'q': 'hi'}}, input_type=dict]",
    ]
    assert (
        "assert 'ThreadBackend' == 'ProcessBackend'" in by_name["test_backend_is_process"].message
    )


def test_tb_line_diagnoses_what_its_lines_show_as_verbose_does() -> None:
    """Under `--tb=line` the same failures get the verdicts `-v` gives them, but for three whose
    evidence is in the frames and source lines --tb=line does not print (a bare KeyError, a bare
    queue.Empty, a bare TimeoutError)."""

    def verdicts(name: str) -> dict[str, str]:
        report = triage(read_logs([str(PYPOOL / name)]), load_patterns())
        return {
            f.failure.name: f.outcome.pattern_id if isinstance(f.outcome, Diagnosis) else "-"
            for f in report.findings
        }

    verbose, tbline = verdicts("verbose.txt"), verdicts("tbline.txt")
    differ = {name for name in verbose if verbose[name] != tbline[name]}
    assert differ == {
        "test_fixture_pool_pid",
        "test_six_callers_on_two_workers",
        "test_asyncio_worker_answers",
    }
    assert all(tbline[name] == "-" for name in differ)


def test_a_run_pytest_timeout_ended_in_a_read_of_the_workers_stdout() -> None:
    """Its thread method ends the run with a stack dump: the test hung in `select` on the
    worker's stdout, a worker that never answered."""
    report = triage(read_logs([str(PYPOOL / "timeout_thread.txt")]), load_patterns())
    [finding] = report.findings
    assert isinstance(finding.outcome, Diagnosis)
    assert finding.outcome.pattern_id == "port-no-response"
