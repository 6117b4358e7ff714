"""A signal that reaches `poolctl run-scenario` while it makes the pool's event loop. Seen at
SIGHUP 1 s into a run on a loaded machine: the run ended 129, but stderr held 'Exception ignored
in: <function BaseEventLoop.__del__ …>', a traceback ending in "AttributeError:
'_UnixSelectorEventLoop' object has no attribute '_ssock'" and "RuntimeWarning: coroutine
'ScenarioRunner._main' was never awaited": the signal's Interrupted left half a loop. Here the
moment is made certain: the loop's own step that makes its self-pipe sends poolctl the signal
and waits, as a machine slow at that moment does."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Processes, terminal_signals_at_defaults

SIGNALLED_WHILE_MADE = """\
import os, signal, sys, time
import asyncio.selector_events as events

made = events.BaseSelectorEventLoop._make_self_pipe

def signalled_while_made(self):
    os.kill(os.getpid(), signal.{sig})
    time.sleep(1)  # the signal is handled here, in the middle of making the loop
    made(self)

events.BaseSelectorEventLoop._make_self_pipe = signalled_while_made
from poolctl.cli import program
sys.argv[0] = "poolctl"
raise SystemExit(program())
"""

SCENARIO = """\
name: idle
description: two idle workers
worker:
  command: ["{python}", "-m", "poolctl.workers.reference"]
pool: {size: 2}
steps:
  - sleep: {seconds: 30}
"""


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_a_signal_while_the_loop_is_made_ends_the_run_with_one_line(
    tmp_path: Path, processes: Processes, sig: signal.Signals
) -> None:
    scenario = tmp_path / "idle.yaml"
    scenario.write_text(SCENARIO)
    run_dir = tmp_path / "run"
    proc = processes.popen(
        [
            sys.executable, "-c", SIGNALLED_WHILE_MADE.format(sig=sig.name),
            "run-scenario", str(scenario), "--run-dir", str(run_dir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=terminal_signals_at_defaults,  # under `nohup`, SIGHUP stays ignored
    )  # fmt: skip
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, err
    assert err.decode().splitlines() == [
        f"poolctl: interrupted by {sig.name}: every process stopped; what was captured is in "
        f"{run_dir}"
    ]
    assert (run_dir / "report.json").exists()
