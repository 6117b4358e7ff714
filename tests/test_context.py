"""No process-wide state in the library API: each run carries its own `RunContext` (children,
secrets, run folders, prepared reports). The engines called twice in one process, or on two
threads at once, give the same results; one run's secrets and --keep-secrets stay its own."""

from __future__ import annotations

import dataclasses
import re
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from poolctl.context import RunContext
from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Report
from poolctl.patterns import builtin_patterns
from poolctl.ping import PingOptions, run_ping, to_report
from poolctl.report.json_writer import to_dict
from poolctl.report.publish import prepare
from poolctl.rundir import create_run_dir
from poolctl.scenario import load_scenario
from poolctl.scenario.report import run_scenario
from poolctl.triage import triage
from poolctl.worker import WorkerSpec
from tests.conftest import REFERENCE, Processes, RunCli

LOG = Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt"
SCENARIOS = Path(__file__).resolve().parent.parent / "poolctl" / "scenarios"
SECRET = "ctx-Secret-0a7f3e91"
T = TypeVar("T")


def twice_and_on_two_threads(run: Callable[[int], T]) -> list[T]:
    """`run` twice one after the other, then twice at the same time."""
    results = [run(0), run(1)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results += list(pool.map(run, (2, 3)))
    return results


def comparable(report: Report) -> dict[str, Any]:
    """The report as JSON, without what differs from run to run by nature."""
    doc = to_dict(dataclasses.replace(report, run_dir=None, environment={}))
    doc.pop("extra", None)
    return doc


def test_secrets_and_keep_secrets_belong_to_their_run() -> None:
    one, other = RunContext(), RunContext()
    one.secrets.remember_env({"WORKER_API_KEY": SECRET})
    assert one.secrets.text(f"k={SECRET}!") == "k=[redacted:WORKER_API_KEY]!"
    assert other.secrets.text(f"k={SECRET}!") == f"k={SECRET}!"  # never learnt there
    one.secrets.keep = True
    assert one.secrets.text(f"sk-{'x' * 20}") == f"sk-{'x' * 20}"
    assert other.secrets.text(f"sk-{'x' * 20}") == "[redacted]"  # still on there


def test_a_report_prepared_in_one_run_is_prepared_again_in_another() -> None:
    report = Report(kind="triage", title=f"t {SECRET}")
    one, other = RunContext(), RunContext()
    one.secrets.remember_env({"WORKER_API_KEY": SECRET})
    shown = prepare(report, one)
    assert SECRET not in shown.title and prepare(shown, one) is shown
    assert SECRET in prepare(report, other).title


def test_triage_twice_and_on_two_threads_gives_the_same_report() -> None:
    kb = builtin_patterns()

    def run(_: int) -> dict[str, Any]:
        return comparable(prepare(triage(read_logs([str(LOG)], "auto"), kb), RunContext()))

    first, *others = twice_and_on_two_threads(run)
    assert first["findings"] and all(o == first for o in others)


def test_the_cli_twice_in_one_process_prints_the_same(cli: RunCli) -> None:
    # without the run history, which is meant to change the second run's report (known)
    outputs = [cli("triage", str(LOG), "-f", "md", "--no-history") for _ in range(2)]
    (code, first, _), (code2, second, _) = outputs
    assert code == code2 == 1
    strip = [line for line in first.splitlines() if "reports/" not in line]
    assert strip == [line for line in second.splitlines() if "reports/" not in line]


def test_ping_twice_and_on_two_threads_gives_the_same_diagnosis(
    processes: Processes, tmp_path: Path
) -> None:
    """Each run's workers are its own: stopping one run's never touches another's, and the
    secret of one worker's environment is redacted in its run only."""
    spec = WorkerSpec(
        argv=(*REFERENCE, "--crash-on-start", "3", "--stderr-noise", f"boot {SECRET}"),
        env={"WORKER_API_KEY": SECRET},
    )

    def run(i: int) -> tuple[str, list[str], str, int]:
        folder = create_run_dir("ping", tmp_path / f"run{i}")
        result = run_ping(PingOptions(spec=spec, timeout=3, experiments=False), folder)
        report = prepare(to_report(result), folder.context)
        (finding,) = report.findings
        assert isinstance(finding.outcome, Diagnosis)
        confirmed = [h.id for h in finding.outcome.hypotheses if h.status == "confirmed"]
        stderr = folder.context.secrets.text((folder.workers / "w1.stderr.log").read_text())
        folder.release()
        cause = re.sub(r"pid \d+", "pid N", finding.outcome.cause)  # each its own process
        return cause, confirmed, stderr, len(folder.context.children.live())

    results = twice_and_on_two_threads(run)
    assert all(r == results[0] for r in results), results
    cause, confirmed, stderr, live = results[0]
    assert confirmed == ["crashed"] and "exited with code 3" in cause and live == 0
    assert "boot [redacted:WORKER_API_KEY]" in stderr


def test_a_scenario_twice_and_on_two_threads_gives_the_same_verdict(
    processes: Processes, tmp_path: Path
) -> None:
    scenario = load_scenario(SCENARIOS / "p5-required-field.yaml", builtin_patterns())

    def run(i: int) -> tuple[bool, frozenset[str], int]:
        folder = create_run_dir(scenario.name, tmp_path / f"run{i}")
        result = run_scenario(scenario, folder)
        folder.release()
        return result.passed, result.found, len(result.report.findings)

    results = twice_and_on_two_threads(run)
    assert all(r == results[0] for r in results) and results[0][0], results


def test_a_signal_while_a_run_folder_is_added_does_not_hang() -> None:
    """The CLI's signal handler runs on the main thread between two bytecodes, maybe inside
    `add_run`'s lock: `interrupt` must take that lock again there, not wait for itself."""
    ctx = RunContext()
    done = threading.Event()

    def handler_inside_the_lock() -> None:
        with ctx._lock:  # as `add_run` holds it when the signal comes
            assert ctx.interrupt(signal.SIGINT)
        done.set()

    worker = threading.Thread(target=handler_inside_the_lock, daemon=True)
    worker.start()
    assert done.wait(5), "interrupt() waited on the lock its own thread holds"
    assert ctx.signal == signal.SIGINT
