"""A worker that sends SIGTERM to its parent, poolctl (`os.kill(os.getppid(), SIGTERM)`), or a
process of its family that does: poolctl ends as on any SIGTERM (143, every process stopped),
and now names the sender, which a Python signal handler is not told (poolctl/signal_sender.py:
the signals taken by `sigwaitinfo` in a thread of their own). A SIGTERM from outside the
workers is said as before. Run as the program, in a process of its own."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

from poolctl.proctree import processes_with_env
from tests.conftest import Processes

WORKER = Path(__file__).parent / "workers" / "signals_its_parent.py"
MARK = "POOLCTL_TEST_SIGNAL_SENDER"


def ping(processes: Processes, tmp_path: Path, *worker: str) -> tuple[subprocess.Popen[bytes], str]:
    mark = uuid.uuid4().hex
    argv = [sys.executable, "-m", "poolctl", "ping", "--run-dir", str(tmp_path / "run")]
    proc = processes.popen(
        [*argv, "--timeout", "20", "--", *worker],
        env={**os.environ, MARK: mark},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    return proc, mark


def left_behind(mark: str) -> set[str]:
    """The processes of the run still there 5 s on (the reaper, which carries poolctl's
    environment, ends by itself once poolctl is gone), by command line."""
    deadline = time.monotonic() + 5
    while (left := processes_with_env(MARK, mark)) and time.monotonic() < deadline:
        time.sleep(0.1)
    named = set()
    for pid in left:
        with contextlib.suppress(OSError):
            named.add(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode())
    return named


@pytest.mark.parametrize(
    ("how", "said"),
    [
        (
            "self",
            r"from pid \d+ \(python[\d.]*\), a process poolctl started \(a worker signalled "
            r"poolctl\)",
        ),
        (
            "child",
            r"from pid \d+ \(python[\d.]*\), a process under pid \d+ \(python[\d.]*\) that "
            r"poolctl started \(a worker's family signalled poolctl\)",
        ),
    ],
)
def test_a_worker_that_sends_poolctl_sigterm_is_named(
    processes: Processes, tmp_path: Path, how: str, said: str
) -> None:
    proc, mark = ping(processes, tmp_path, sys.executable, str(WORKER), how)
    err = proc.communicate(timeout=60)[1].decode()
    assert proc.returncode == 143, err
    assert re.search(rf"poolctl: interrupted by SIGTERM {said}: every process stopped", err), err
    assert left_behind(mark) == set()  # nothing of the run left
    # and so does the report the interrupted run left
    notes = json.loads((tmp_path / "run" / "report.json").read_text())["notes"]
    assert any(re.match(rf"interrupted by SIGTERM {said}: the run was cut short", n) for n in notes)
    # the worker was started with no signal blocked (poolctl blocks its own in every thread)
    log = (tmp_path / "run" / "workers" / "w1.stderr.log").read_text()
    assert "SigBlk:\t0000000000000000" in log, log


@pytest.mark.parametrize("sig", [signal.SIGUSR1, signal.SIGALRM, signal.SIGTERM])
@pytest.mark.parametrize("command", ["ping", "run-scenario"])
def test_a_worker_that_signals_poolctl_ends_it_as_sigterm_does_and_is_named_in_the_report(
    processes: Processes, tmp_path: Path, sig: signal.Signals, command: str
) -> None:
    """A server that tells its parent it is ready with SIGUSR1 (as an X server does), or a
    stray SIGALRM: their default action ended poolctl at once (the shell's 'User defined signal
    1', 138), no line said, no report.json written, the run folder left unscrubbed for the next
    command. It now ends as on SIGTERM: every process stopped, the sender named, the report.
    A scenario's report named no sender, even of a SIGTERM."""
    worker = [sys.executable, str(WORKER), "self", sig.name]
    if command == "ping":
        proc, mark = ping(processes, tmp_path, *worker)
    else:
        scenario = tmp_path / "signals.yaml"
        scenario.write_text(
            f"worker: {{command: {json.dumps(worker)}, init_timeout: 20}}\n"
            "pool: {size: 1}\n"
            "steps:\n  - request: {command: ping}\n"
        )
        mark = uuid.uuid4().hex
        argv = [sys.executable, "-m", "poolctl", "run-scenario", str(scenario), "--no-history"]
        proc = processes.popen(
            [*argv, "--run-dir", str(tmp_path / "run")],
            env={**os.environ, MARK: mark},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    err = proc.communicate(timeout=60)[1].decode()
    assert proc.returncode == 128 + sig, err
    said = (
        r"from pid \d+ \(python[\d.]*\), a process poolctl started \(a worker signalled poolctl\)"
    )
    assert re.search(rf"poolctl: interrupted by {sig.name} {said}: every process stopped", err)
    assert left_behind(mark) == set()
    notes = json.loads((tmp_path / "run" / "report.json").read_text())["notes"]
    assert any(re.match(rf"interrupted by {sig.name} {said}", n) for n in notes), notes


def test_a_worker_that_sends_poolctl_a_stop_is_said_and_does_not_stop_it(
    processes: Processes, tmp_path: Path
) -> None:
    """A stop from a worker stopped poolctl, and its run with it, until a SIGCONT that never
    came: the ping below never ended. It is now said and ignored, and the worker's answer
    read. (Ctrl-Z at a terminal, whose sender is the kernel, stops poolctl as before.)"""
    stopper = Path(__file__).parent / "workers" / "stops_its_parent.py"
    proc, mark = ping(processes, tmp_path, sys.executable, str(stopper), "SIGTSTP")
    out, err = (part.decode() for part in proc.communicate(timeout=60))
    assert proc.returncode == 0, err
    assert "answered 'ping'" in out
    said = r"poolctl: pid \d+ \(python[\d.]*\), a process poolctl started or one of its family, "
    said += "sent poolctl SIGTSTP, which would have stopped it and the run: ignored"
    assert re.search(said, err), err
    assert left_behind(mark) == set()


def test_a_poolctl_reading_the_terminal_in_the_background_is_stopped_by_job_control(
    tmp_path: Path, pexpect_spawn: Callable[..., pexpect.spawn[str]]
) -> None:
    """`poolctl triage - &` at an interactive shell: the kernel stops it at its read of the
    terminal (SIGTTIN), as any program, until `fg`. With SIGTTIN blocked for the signal thread
    the read failed instead ('cannot read: Input/output error', exit 2)."""
    env = {**os.environ, "TERM": "dumb", "PS1": "PROMPT> ", "POOLCTL_REPORTS_DIR": str(tmp_path)}
    shell = pexpect_spawn("bash", ["--norc", "--noprofile", "-i"], env=env, encoding="utf-8")
    shell.expect("PROMPT> ")
    shell.sendline(f"{shlex.quote(sys.executable)} -m poolctl triage - --no-history &")
    shell.expect("PROMPT> ")
    deadline = time.monotonic() + 60
    while True:  # until the job has come to its read
        shell.sendline("jobs")
        shell.expect("PROMPT> ")
        jobs = str(shell.before)
        if "Stopped" in jobs or "Exit" in jobs or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert "Stopped" in jobs, jobs  # not "Exit 2"
    shell.sendline("kill -KILL %1")
    shell.expect("PROMPT> ")


def test_a_sigterm_from_outside_is_said_as_before(processes: Processes, tmp_path: Path) -> None:
    """The shell's `kill`, a CI runner's: no sender named, the run ends as it did."""
    sleeper = ("/bin/sh", "-c", "exec sleep 30")
    proc, mark = ping(processes, tmp_path, *sleeper)
    deadline = time.monotonic() + 30
    while not (tmp_path / "run" / "events.jsonl").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=60)[1].decode()
    assert proc.returncode == 143, err
    assert "poolctl: interrupted by SIGTERM: every process stopped" in err, err
    assert left_behind(mark) == set()


def test_the_kernel_log_reader_is_started_with_no_signal_blocked(
    processes: Processes, tmp_path: Path
) -> None:
    """`dmesg`, run to look for an OOM kill of a worker killed by SIGKILL, is a child too: it
    inherits no signal poolctl blocks for itself (a Ctrl-C must reach it as it reaches any)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    seen = tmp_path / "dmesg.status"
    dmesg = bin_dir / "dmesg"
    # (in Python: dash unblocks every signal as it starts, which would hide an inherited mask)
    dmesg.write_text(
        f"#!{sys.executable}\nimport re\nstatus = open('/proc/self/status').read()\n"
        f"open({str(seen)!r}, 'w').write(re.search('SigBlk:.*', status).group())\n"
        "print('[1.0] booted')\n"
    )
    dmesg.chmod(0o755)
    dies = Path(__file__).parent / "workers" / "dies_on_second_request.py"
    argv = [sys.executable, "-m", "poolctl", "ping", "--count", "2", "--timeout", "5"]
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    proc = processes.popen(
        [*argv, "--run-dir", str(tmp_path / "run"), "--", sys.executable, str(dies), "kill"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 1, err.decode()
    assert seen.read_text() == "SigBlk:\t0000000000000000"
