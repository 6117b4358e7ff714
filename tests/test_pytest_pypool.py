"""A hand-written Python worker pool's failures, as pytest prints them in several styles. Real
captures of `src/pytest_pypool_suite` (`tests/fixtures/src/capture_pypool.sh`, see the
fixtures' README)."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Finding
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
    """Under `--tb=line` the same failures get the verdicts `-v` gives them, but for four whose
    evidence is in the frames and source lines --tb=line does not print (a bare KeyError, a bare
    queue.Empty, a bare TimeoutError, a multiprocessing pool the task went to)."""

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
        "test_multiprocessing_result",
    }
    assert all(tbline[name] == "-" for name in differ)


def verdicts(name: str) -> dict[str, Finding]:
    report = triage(read_logs([str(PYPOOL / name)]), load_patterns())
    return {f.failure.name: f for f in report.findings}


def pattern(finding: Finding) -> str:
    return finding.outcome.pattern_id if isinstance(finding.outcome, Diagnosis) else "-"


def test_tb_native_reads_a_message_printed_on_several_lines() -> None:
    """After --tb=native's exception line, pydantic's field list and pytest's explanation of an
    assert are its message, as its `E` lines are under `-v`."""
    by_name = {f.name: f for f in read_logs([str(PYPOOL / "native.txt")]).failures}
    model = by_name["test_predict_request_model"].message.split("\n")
    assert model[0].endswith("ValidationError: 1 validation error for PredictRequest")
    assert model[1:3] == [
        "program_id",
        "  Field required [type=missing, input_value={'signature': 'q -> a', 'inputs': "
        "{'q': 'hi'}}, input_type=dict]",
    ]
    backend = by_name["test_backend_is_process"].message.split("\n")
    assert backend[:2] == [
        "AssertionError: tests expect the process backend",
        "assert 'ThreadBackend' == 'ProcessBackend'",
    ]
    assert backend[-2:] == ["  - ProcessBackend", "  + ThreadBackend"]


def test_tb_native_frames_are_read_as_a_stack_trace() -> None:
    """--tb=native's `File "…", line N, in f` frames are the stack trace the signals read: the
    checkout's queue.get and asyncio's read of a worker's stdout are found as under `-v`."""
    by_name = {f.name: f for f in read_logs([str(PYPOOL / "native.txt")]).failures}
    stack = by_name["test_six_callers_on_two_workers"].stacktrace
    assert any(frame.endswith("workerpool/jsonpool.py:53: in checkout") for frame in stack)
    assert stack[-1].endswith("/queue.py:179: _queue.Empty")
    # located at the test function's own frame, as the long style locates it
    assert by_name["test_six_callers_on_two_workers"].location == "checks/check_lifecycle.py:53"


def test_tb_native_diagnoses_what_its_lines_show_as_verbose_does() -> None:
    """Under --tb=native every failure gets the verdict `-v` gives it but one: the line that
    made the multiprocessing pool is not among the frames' lines, so nothing shows a worker."""
    verbose, native = verdicts("verbose.txt"), verdicts("native.txt")
    differ = {n for n in verbose if pattern(verbose[n]) != pattern(native[n])}
    assert differ == {"test_multiprocessing_result"}
    assert pattern(native["test_multiprocessing_result"]) == "-"


def test_a_result_timeout_is_a_silent_worker_only_with_a_worker_in_sight() -> None:
    """A future's timeout is pattern 1 when the task went to a worker process (a
    ProcessPoolExecutor, a multiprocessing pool), said as a silent or only slow worker; a
    thread's computation that outlasts its timeout is no worker's and stays unclassified."""
    more, verbose, shapes = verdicts("more.txt"), verdicts("verbose.txt"), verdicts("shapes.txt")
    for finding in (more["test_future_result_in_time"], verbose["test_multiprocessing_result"]):
        assert isinstance(finding.outcome, Diagnosis), finding.failure.name
        assert finding.outcome.pattern_id == "port-no-response"
        notes = " ".join(e.note for e in finding.outcome.evidence)
        assert "a silent worker and a slow task look the same" in notes
        assert "untested" in notes
        assert "went to a worker process" in notes
    assert pattern(shapes["test_thread_computation_result"]) == "-"


def test_a_task_group_is_read_from_the_waits_it_holds() -> None:
    """A TaskGroup's timeouts are a worker's silence when its tasks waited on workers' stdout
    for an answer; tasks that waited for processes to exit asked for none."""
    shapes, more = verdicts("shapes.txt"), verdicts("more.txt")
    assert pattern(shapes["test_taskgroup_of_worker_requests"]) == "port-no-response"
    assert pattern(more["test_taskgroup_of_workers"]) == "-"


def test_python_pool_shapes_and_their_look_alikes() -> None:
    """A semaphore of slots waited past its acquire timeout (3), the configured backend's module
    imported and not there (6), a worker daemon's Unix socket not there (7); an ordinary missing
    import and a missing settings file are no pool's."""
    shapes = verdicts("shapes.txt")
    semaphore = shapes["test_semaphore_limited_pool"].outcome
    assert isinstance(semaphore, Diagnosis)
    assert semaphore.pattern_id == "checkout-timeout-waiters"
    assert (semaphore.facts["pool_size"], semaphore.facts["timeout"]) == (2, "0.2 s")
    assert pattern(shapes["test_backend_module_loads"]) == "adapter-misconfigured"
    daemon = shapes["test_worker_daemon_socket"].outcome
    assert isinstance(daemon, Diagnosis)
    assert daemon.pattern_id == "dependency-not-started"
    assert "run/workerd.sock" in daemon.remediation
    assert pattern(shapes["test_retry_helper_imports"]) == "-"
    assert pattern(shapes["test_settings_file_read"]) == "-"


def test_a_run_pytest_timeout_ended_in_a_read_of_the_workers_stdout() -> None:
    """Its thread method ends the run with a stack dump: the test hung in `select` on the
    worker's stdout, a worker that never answered."""
    report = triage(read_logs([str(PYPOOL / "timeout_thread.txt")]), load_patterns())
    [finding] = report.findings
    assert isinstance(finding.outcome, Diagnosis)
    assert finding.outcome.pattern_id == "port-no-response"
