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
from poolctl.signal_sender import HOSTILE
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


HOSTILE_SAID = (
    r"poolctl: pid (\d+) \((?:python[\d.]*|gone)\), a worker poolctl started, sent poolctl {sig}, "
    r"which would have ended it: ignored"
)


@pytest.mark.parametrize("sig", HOSTILE, ids=[s.name for s in HOSTILE])
def test_a_worker_that_sends_poolctl_a_killing_signal_is_named_and_poolctl_stays_up(
    processes: Processes, tmp_path: Path, sig: signal.Signals
) -> None:
    """`os.kill(os.getppid(), SIGSEGV)` (or SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP,
    SIGVTALRM, SIGPROF, SIGPWR, SIGSTKFLT) from a worker killed poolctl by the signal's
    default action: `ping` exited 139 (and 135, 132, 136, 134, 159, 133, 154, 155, 158, 144),
    nothing said, no report. Now poolctl stays up: the sender is named on standard error and in
    the report, the worker's answer read, the run ends as it would have, and nothing is left."""
    proc, mark = ping(processes, tmp_path, sys.executable, str(WORKER), "self", sig.name, "answer")
    out, err = (part.decode() for part in proc.communicate(timeout=60))
    assert proc.returncode == 0, err
    assert "answered 'ping'" in out, out
    said = re.search(HOSTILE_SAID.format(sig=sig.name), err)
    assert said is not None, err
    assert left_behind(mark) == set()
    notes = json.loads((tmp_path / "run" / "report.json").read_text())["notes"]
    [note] = [n for n in notes if sig.name in n]
    command = f"`{sys.executable} {WORKER} self {sig.name} answer`"
    # (on a loaded machine the signal thread may read the sender once it has exited)
    gone = re.escape(f"pid {said[1]} (") + r"(python[\d.]*, its command line gone|gone by then)\), "
    assert note.startswith(f"pid {said[1]} ({command}), ") or re.match(gone, note), note
    assert note.endswith(
        f"a worker poolctl started, sent poolctl {sig.name} with kill(): ignored, the run went "
        "on (its default action kills the process it is sent to: a pool that does not guard "
        "against it dies, its workers left behind)"
    ), note


def test_a_killing_signal_from_a_workers_child_names_the_worker_in_a_scenario(
    processes: Processes, tmp_path: Path
) -> None:
    """run-scenario, its pool's worker starting a child that sends poolctl SIGSEGV: the run
    goes on to its report, the child and the worker it is under named."""
    worker = [sys.executable, str(WORKER), "child", "SIGSEGV", "answer"]
    scenario = tmp_path / "signals.yaml"
    scenario.write_text(
        f"worker: {{command: {json.dumps(worker)}, init_timeout: 20}}\n"
        "pool: {size: 1}\n"
        "steps:\n  - request: {command: ping, timeout: 20}\n"
    )
    mark = uuid.uuid4().hex
    argv = [sys.executable, "-m", "poolctl", "run-scenario", str(scenario), "--no-history"]
    proc = processes.popen(
        [*argv, "--run-dir", str(tmp_path / "run")],
        env={**os.environ, MARK: mark},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    err = proc.communicate(timeout=90)[1].decode()
    assert proc.returncode == 0, err
    under = r"a process under pid \d+ \(python[\d.]*\), a worker poolctl started"
    said = rf"poolctl: pid \d+ \(python[\d.]*\), {under}, sent poolctl SIGSEGV, which would "
    assert re.search(said + "have ended it: ignored", err), err
    assert left_behind(mark) == set()
    notes = json.loads((tmp_path / "run" / "report.json").read_text())["notes"]
    # (and the same from the child of each copy of the worker poolctl's checks started)
    said = rf"{under}, sent poolctl SIGSEGV with kill\(\)( \(and \d+ more [^)]*\))?: ignored"
    assert any(re.search(said, n) for n in notes), notes


# a child of poolctl's that sends it SIGSEGV every 20 ms until poolctl is gone
SEGV_EVERY_20_MS = """import os, signal, time
parent = os.getppid()
while os.getppid() == parent:
    os.kill(parent, signal.SIGSEGV); time.sleep(0.02)"""
# poolctl's side: that child started, then 2 s of children started one after another, as the
# experiments start a worker's copies
STARTS_CHILDREN_UNDER_SEGV = f"""import signal, subprocess, sys, time
from poolctl.signal_sender import WAITER
assert WAITER.start([signal.SIGINT, signal.SIGTERM])
with WAITER.unblocked():
    sender = subprocess.Popen([sys.executable, "-c", {SEGV_EVERY_20_MS!r}])
WAITER.started.add(sender.pid)
end, started = time.monotonic() + 2, 0
while time.monotonic() < end:
    with WAITER.unblocked():
        child = subprocess.Popen(["true"])
    child.wait()
    started += 1
sender.kill()
sender.wait()
print(started, len(WAITER.ignored))
"""


def test_a_hostile_signal_sent_while_poolctl_starts_a_child_is_ignored_too(
    processes: Processes,
) -> None:
    """Before: a worker's family's SIGSEGV that came while poolctl started a child (its
    signals unblocked for the child to inherit none) took its default action: poolctl ended
    with -11 within the first few starts (a scenario whose worker's copies each sent one, as
    they started side by side, ended so in a fresh CI run)."""
    done = processes.run([sys.executable, "-c", STARTS_CHILDREN_UNDER_SEGV], timeout=60)
    assert done.returncode == 0, done.stderr
    started, ignored = map(int, done.stdout.split())
    assert started > 10 and ignored > 10, done.stdout
    assert "sent poolctl SIGSEGV, which would have ended it: ignored" in done.stderr


@pytest.mark.parametrize(
    ("how", "sig"),
    [
        ("import ctypes; ctypes.string_at(0)", signal.SIGSEGV),  # a fault of its own
        ("import os, signal; os.kill(os.getpid(), signal.SIGBUS)", signal.SIGBUS),  # its own
        ("import os; os.abort()", signal.SIGABRT),
    ],
)
def test_poolctls_own_fault_still_crashes_it(
    processes: Processes, how: str, sig: signal.Signals
) -> None:
    """Only what a worker or its family sends is ignored: with poolctl's signal thread taking
    the hostile signals, a fault of poolctl's own (the kernel forces it through the block), a
    signal it sends itself, and abort() still end it by the signal."""
    code = (
        "import signal, time; from poolctl.signal_sender import WAITER; "
        f"assert WAITER.start([]) and {int(sig)} in WAITER.signals; time.sleep(0.2); {how}; "
        "time.sleep(10)"  # (poolctl runs on: the signal thread acts on what it took)
    )
    done = processes.run([sys.executable, "-c", code], timeout=60)
    assert done.returncode == -sig, done.stderr


def test_the_regex_budget_holds_with_sigvtalrm_taken_by_the_signal_thread(
    processes: Processes, tmp_path: Path
) -> None:
    """The patterns' regex timer is SIGVTALRM: blocked for the signal thread, its expiry waited
    for the thread, which cannot take the GIL from a match running in C: a catastrophic
    fallback regex ran on past its 50 ms budget (minutes). As the program, triage ends it."""
    from tests.test_patterns_regex import CATASTROPHIC, LOG, user_pattern

    folder = user_pattern(tmp_path, "(?=a)" + CATASTROPHIC, "lookahead-runs")
    log = tmp_path / "run.log"
    log.write_text(LOG.format(message="a" * 40 + "!"))
    argv = [sys.executable, "-m", "poolctl", "triage", str(log), "--patterns", str(folder)]
    done = processes.run([*argv, "--no-history", "--format", "md"], timeout=120)
    assert done.returncode == 1, done.stderr
    assert "went past the 50 ms budget of a failure" in done.stdout


# poolctl as the program, its signal thread slowed as a loaded machine slows it (0.5 s between
# taking a signal and handing it over), sent Ctrl-C by a thread as `--version` starts
CTRL_C_AS_A_QUICK_COMMAND_ENDS = """import os, signal, threading, time
from poolctl import signal_sender
comm = signal_sender._comm
def slowly(pid):
    time.sleep(0.5)
    return comm(pid)
signal_sender._comm = slowly
def press():
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # (the signal thread takes it)
    while not signal_sender.WAITER.active:
        time.sleep(0.001)
    os.kill(os.getpid(), signal.SIGINT)
threading.Thread(target=press, daemon=True).start()
from poolctl.lifecycle import main
raise SystemExit(main(["--version"]))
"""


def test_a_ctrl_c_sent_as_a_quick_command_ends_still_ends_it_as_ctrl_c(
    processes: Processes,
) -> None:
    """Before: the command ended before the signal thread handed the Ctrl-C over, and poolctl
    exited 0 with its output complete (tests/test_fault_matrix.py's `patterns` at start-up, at
    a load of 20). A signal taken is now handed over before the command's end."""
    done = processes.run([sys.executable, "-c", CTRL_C_AS_A_QUICK_COMMAND_ENDS], timeout=60)
    assert done.returncode == 130, (done.returncode, done.stderr)
    assert "interrupted by SIGINT" in done.stderr
