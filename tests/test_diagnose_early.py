"""Experiments begun during the wait for an answer: a silent worker's are under way before its
timeout, the diagnosis uses those its plan calls for (and reaches the verdict it reaches
without them), and a worker that answers after all has them stopped, none left running."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from poolctl.ping import PingOptions, PingResult, run_ping
from poolctl.rundir import create_run_dir
from poolctl.worker import WorkerSpec
from tests.conftest import REFERENCE, Processes, marked_processes

pytestmark = pytest.mark.slow


def ping(
    tmp_path: Path, name: str, spec: WorkerSpec, **options: Any
) -> tuple[PingResult, list[dict[str, Any]]]:
    run = create_run_dir("ping", tmp_path / name)
    result = run_ping(PingOptions(spec=spec, **options), run)
    events = [json.loads(line) for line in run.events.read_text().splitlines()]
    run.release()
    return result, events


def confirmed(result: PingResult) -> list[str]:
    assert result.diagnosis is not None
    return [h.id for h in result.diagnosis.hypotheses if h.status == "confirmed"]


def test_a_silent_workers_experiments_run_alongside_the_wait(
    processes: Processes, tmp_path: Path
) -> None:
    spec = WorkerSpec((*REFERENCE, "--buffered"), unset_env=("PYTHONUNBUFFERED",))
    early, events = ping(tmp_path, "early", spec, timeout=2.0)
    after, _ = ping(tmp_path, "after", spec, timeout=2.0, early_experiments=False)
    assert confirmed(early) == confirmed(after) == ["buffered"]
    assert early.diagnosis is not None and after.diagnosis is not None
    assert early.diagnosis.cause == after.diagnosis.cause
    used = [e["id"] for e in early.diagnosis.facts["experiments"]]
    assert used == [e["id"] for e in after.diagnosis.facts["experiments"]]
    assert used == ["unbuffered", "pty", "many"]  # the plan's, in its order
    kinds = [e["type"] for e in events]
    silence = kinds.index("no_response")
    begun = [e["experiment"] for e in events[:silence] if e["type"] == "experiment_start"]
    assert set(used) <= set(begun)  # begun before the timeout, not after it
    # every experiment begun ends, in the trace, before the verdict
    all_begun = {e["experiment"] for e in events if e["type"] == "experiment_start"}
    ended = {e["experiment"] for e in events if e["type"] == "experiment_end"}
    assert ended == all_begun and kinds.index("diagnosis") > max(
        i for i, k in enumerate(kinds) if k == "experiment_end"
    )


def test_an_answer_after_the_experiments_began_stops_them(
    processes: Processes, tmp_path: Path
) -> None:
    """The request is read and answered 1.5 s later: the experiments begin at 1 s (at most
    1 s into the wait), or once a worker slow to start has read it, and stop when the answer
    comes. The timeout leaves room for a slow start on a loaded machine."""
    result, events = ping(
        tmp_path,
        "slow",
        WorkerSpec(REFERENCE),
        timeout=4.0,
        command="sleep",
        args={"seconds": 1.5},
    )
    assert result.ok and result.diagnosis is None
    ends = [e for e in events if e["type"] == "experiment_end"]
    assert ends and all(not e["answered"] for e in ends)
    assert any("did not need it" in e["detail"] for e in ends)
    assert marked_processes() == []  # every experiment's process stopped before ping returned


def test_an_answer_stops_an_experiment_blocked_writing_to_a_full_stdin(
    processes: Processes, tmp_path: Path
) -> None:
    """The 512 requests of the `many` experiment (128 KB here) fill the stdin pipe of a worker
    busy with the first: the answer stops that write too (it went on to the timeout, holding
    a healthy server's verdict back, as fortls' was)."""
    result, events = ping(
        tmp_path,
        "slow",
        WorkerSpec(REFERENCE),
        timeout=6.0,
        command="sleep",
        args={"seconds": 1.5, "padding": "x" * 200},
    )
    assert result.ok and result.diagnosis is None
    [many] = [e for e in events if e["type"] == "experiment_end" and e["experiment"] == "many"]
    assert "did not need it" in many["detail"], many
    assert marked_processes() == []


def test_a_worker_slow_to_start_has_its_experiments_begun_once_it_reads_the_request(
    processes: Processes, tmp_path: Path
) -> None:
    """Busy 1.2 s before it reads its request (past the 1 s lead), then silent: the
    experiments begin as soon as it has read it, still within the wait."""
    spec = WorkerSpec(
        (*REFERENCE, "--buffered", "--init-delay", "1.2"), unset_env=("PYTHONUNBUFFERED",)
    )
    result, events = ping(tmp_path, "late", spec, timeout=3.0)
    assert confirmed(result) == ["buffered"]
    kinds = [e["type"] for e in events]
    begun = [e for e in events[: kinds.index("no_response")] if e["type"] == "experiment_start"]
    assert begun, kinds
    first = events[kinds.index("experiment_start")]["t"]
    sent = next(e["t"] for e in events if e["type"] == "request")
    assert first - sent >= 1.2  # not before the request was read


def test_a_worker_busy_before_reading_its_request_has_no_experiment_begun(
    processes: Processes, tmp_path: Path
) -> None:
    """Still starting up when the experiments would begin: its plan waits longer instead."""
    result, events = ping(
        tmp_path, "init", WorkerSpec((*REFERENCE, "--init-delay", "3")), timeout=1
    )
    assert confirmed(result) == ["stuck-in-init"]
    assert not [e for e in events if e["type"] == "experiment_start"]


def test_doctors_probe_of_a_silent_worker_begins_its_experiments_during_the_wait(
    processes: Processes, tmp_path: Path
) -> None:
    from poolctl.doctor.probe import run_probe

    run = create_run_dir("doctor", tmp_path / "doctor")
    spec = WorkerSpec((*REFERENCE, "--buffered"), unset_env=("PYTHONUNBUFFERED",))
    probe = run_probe(spec, run, "w1", 2.0, diagnose=True)
    events = [json.loads(line) for line in run.events.read_text().splitlines()]
    run.release()
    assert probe.confirmed() == ["buffered"]
    kinds = [e["type"] for e in events]
    silence = kinds.index("no_response")
    begun = [e["experiment"] for e in events[:silence] if e["type"] == "experiment_start"]
    assert {"unbuffered", "pty", "many"} <= set(begun)  # before the timeout, as ping's are
    # every one begun ended (on a loaded machine none may answer in time, and the protocol
    # experiments follow the wait)
    all_begun = {e["experiment"] for e in events if e["type"] == "experiment_start"}
    ended = {e["experiment"] for e in events if e["type"] == "experiment_end"}
    assert ended == all_begun
    assert marked_processes() == []  # the probe returned with no experiment left running


def test_a_pools_silent_first_worker_has_its_experiments_begun_during_its_init(
    processes: Processes, tmp_path: Path
) -> None:
    import asyncio

    from poolctl.events import Trace
    from poolctl.pool import Pool, PoolConfig

    run = create_run_dir("pool", tmp_path / "pool")
    trace = Trace(run.events)
    spec = WorkerSpec((*REFERENCE, "--buffered"), unset_env=("PYTHONUNBUFFERED",))

    async def main() -> list[str]:
        pool = Pool(spec, PoolConfig(size=2, init_timeout=2.0, stop_grace=0.5), run, trace)
        try:
            await pool.start()
        finally:
            await pool.shutdown("abort", 0.5)
            pool.stop_now()
        return [
            h.id
            for d in pool.init_diagnoses.values()
            for h in d.hypotheses
            if h.status == "confirmed"
        ]

    try:
        confirmed_ids = asyncio.run(main())
    finally:
        trace.close()
    events = [json.loads(line) for line in run.events.read_text().splitlines()]
    run.release()
    assert confirmed_ids and set(confirmed_ids) == {"buffered"}
    kinds = [e["type"] for e in events]
    first_end = kinds.index("init_end")
    begun = [e["experiment"] for e in events[:first_end] if e["type"] == "experiment_start"]
    assert {"unbuffered", "pty", "many"} <= set(begun)  # before the init timed out
    ended = [e["experiment"] for e in events if e["type"] == "experiment_end"]
    assert sorted(ended) == sorted(begun)  # one worker's experiments, each ended once
    assert marked_processes() == []
