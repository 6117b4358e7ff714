"""Who sent the signal that killed a worker: its exit status does not say, and no record names
the sender of a signal but the OOM killer's. A fresh process of its command run under strace
(`strace -f`: it and every process it starts traced) shows the signal's delivery with its
sender's pid (`--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=N, …}`), and the kill()
that sent it when a process of its own did: its own child (a shell's subshell running
`kill $PPID`, a multiprocessing child's `os.kill(os.getppid(), …)`), the worker itself, or
none of them (a process outside it); a SIGKILL, which stops at no delivery, by the kill()
that sent it. Said of the copy only, and only when the copy died of the
same signal; where strace is missing or cannot trace (ptrace refused), nothing is said."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

from poolctl.model import Evidence

from .experiments import Experiment
from .killed import sigkill_sender
from .limit_reached import limit_reached
from .observe import Observations

EXPERIMENT = "signal-traced"
# the signals a process sends (a supervisor's, a user's, a worker's own); the kernel's own
# (faults, timers, SIGPIPE) are read otherwise, and SIGKILL, the OOM killer's too, only where
# the kernel log rules it out (its kill() then names the sender: no delivery stops at it)
SENT = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
CALLS = "kill,tkill,tgkill,pidfd_send_signal,execve,clone,clone3,fork,vfork"

_LINE = re.compile(r"^(?P<pid>\d+)\s+(?P<rest>.*)$")
_DELIVERED = re.compile(
    r"^--- (?P<sig>SIG\w+) \{si_signo=\w+, si_code=(?P<code>\w+), si_pid=(?P<by>\d+)"
)
_KILLED = re.compile(r"^\+\+\+ killed by (?P<sig>SIG\w+)")
_SENT = re.compile(r"^(?:<\.\.\. )?(?P<call>kill|tkill|tgkill|pidfd_send_signal)\b.*= 0$")
_SIGKILLED = re.compile(
    r"^(?:kill|tkill)\((?P<to>\d+), SIGKILL\)\s+= 0$|^tgkill\(\d+, (?P<tid>\d+), SIGKILL\)\s+= 0$"
)
_FORKED = re.compile(r"^(?:<\.\.\. )?(?:clone3?|v?fork)\b.*= (?P<child>\d+)$")
_EXECVE = re.compile(r'^execve\("[^"]*", \[(?P<argv>.*?)\](?:, |\.\.\.)')


def log_path(obs: Observations) -> Path:
    """Where strace writes what the fresh process did (in the run folder, scrubbed with it)."""
    worker = obs.worker
    return worker.capture_dir / f"{worker.worker_id}-exp-{EXPERIMENT}.strace"


def signal_traced(obs: Observations) -> tuple[Experiment, ...]:
    """For a worker killed by a signal a process sends: the same command under strace."""
    status = obs.exit_before
    strace = shutil.which("strace")
    if status is None or status.signal not in (*SENT, signal.SIGKILL) or strace is None:
        return ()
    if status.signal == signal.SIGKILL and not _oom_ruled_out(obs):
        return ()  # a copy the OOM killer may end too is not started again for it
    name = signal.Signals(status.signal).name
    traced = ("-e", f"trace={CALLS}", "-e", f"signal={name}", "-o", str(log_path(obs).absolute()))
    argv = (strace, "-f", "-qq", "-s", "200", *traced, "--", *obs.worker.spec.argv)
    spec = dataclasses.replace(obs.worker.spec, argv=argv)
    return (Experiment(EXPERIMENT, f"under strace, its {name} traced", spec),)


def _oom_ruled_out(obs: Observations) -> bool:
    """Whether the kernel log was read and names no OOM kill of the worker, nor did a limit
    of its own end it (its CPU time at `ulimit -t`): a copy would spend as much again."""
    worker = obs.worker
    if limit_reached(worker.end, signal.SIGKILL, obs.stderr_text) is not None:
        return False
    sender = sigkill_sender(worker.pid, worker.started_mono, memcg=worker.memcg)
    return sender.why.startswith("not the OOM killer")


@dataclass(frozen=True)
class Traced:
    """The sender of the signal that killed a fresh process of the worker's command."""

    why: str
    fix: str
    evidence: Evidence


def sender_traced(obs: Observations, sig: int) -> Traced | None:
    """Who sent `sig` to the fresh process strace traced, when that process died of it."""
    try:
        lines = log_path(obs).read_text("utf-8", "replace").splitlines()
    except OSError:
        return None
    calls = [(int(m["pid"]), m["rest"]) for m in map(_LINE.match, lines) if m]
    if not calls:
        return None
    root, name = calls[0][0], signal.Signals(sig).name
    ended = next((i for i, (p, r) in enumerate(calls) if p == root and _killed(r, name)), None)
    if ended is None:
        return None  # the copy did not die of it: untested, nothing said
    sent = _sigkill_sent(calls[:ended], root) if sig == signal.SIGKILL else None
    if sent is not None:  # no delivery to see: the kill() that named it
        by, quoted = sent[0], [f"{sent[0]} {sent[1]}", f"{root} {calls[ended][1]}"]
    else:
        delivered = [
            (i, m) for i, (p, r) in enumerate(calls[:ended])
            if p == root and (m := _DELIVERED.match(r)) and m["sig"] == name
        ]  # fmt: skip
        if not delivered:
            return None
        at, seen = delivered[-1]
        by = int(seen["by"])
        quoted = [f"{p} {r}" for p, r in calls[: at + 1] if p == by and _SENT.match(r)][-1:]
        quoted += [f"{root} {calls[at][1]}", f"{root} {calls[ended][1]}"]
    if by == os.getpid():
        return None  # poolctl's own stop of the copy, its wait over: the copy did not die so
    parents = {int(m["child"]): p for p, r in calls if (m := _FORKED.match(r))}
    evidence = Evidence(
        "\n".join(quoted),
        obs.rel(log_path(obs)),
        f"the {name} that ended a fresh process of its command (pid {root}), as strace saw it",
    )
    if by == root:
        return Traced(
            f"sent by the worker itself: a fresh process of its command under strace sent "
            f"itself {name} and died of it",
            f"Find where the worker sends itself {name} (`os.kill(os.getpid(), …)`, `kill $$`, "
            "`kill 0` to its process group): its copy under strace did (quoted).",
            evidence,
        )
    if by in parents:
        command = _command(calls, parents, by)
        whose = "its own child" if parents[by] == root else "a process under it"
        return Traced(
            f"sent by {whose}: in a fresh process of its command under strace, pid {by} "
            f"({command}) sent it {name}, and it died of it",
            f"Find where a process the worker starts sends it {name} (`kill $PPID`, "
            f"`os.kill(os.getppid(), …)`): in its copy under strace pid {by} ({command}) did "
            "(quoted); a process of the worker's own that ends it ends its place in the pool.",
            evidence,
        )
    return Traced(
        f"sent from outside the worker: a fresh process of its command under strace was sent "
        f"{name} by pid {by}, none of its own processes, and died of it",
        f"Find what sends {name} to the processes of this command (a supervisor, a watchdog's "
        f"`pkill`, a user): pid {by} sent it to a fresh one too (quoted).",
        evidence,
    )


def _sigkill_sent(calls: list[tuple[int, str]], root: int) -> tuple[int, str] | None:
    """The last kill() of `root` with SIGKILL among `calls` that succeeded: its caller, the
    call (a SIGKILL stops at no delivery, strace shows the call alone)."""
    sent = [
        (p, r) for p, r in calls
        if (m := _SIGKILLED.match(r)) and int(m["to"] or m["tid"]) == root
    ]  # fmt: skip
    return sent[-1] if sent else None


def _killed(rest: str, name: str) -> bool:
    found = _KILLED.match(rest)
    return found is not None and found["sig"] == name


def _command(calls: list[tuple[int, str]], parents: dict[int, int], pid: int) -> str:
    """The program `pid` ran, as its last execve shows it (`sh -c '…'`), or its parent's for a
    fork that ran none of its own (a shell's subshell, a multiprocessing child)."""
    at, seen = pid, set()
    while at not in seen:
        seen.add(at)
        runs = [m for p, r in calls if p == at and (m := _EXECVE.match(r))]
        if runs:
            words = re.findall(r'"((?:[^"\\]|\\.)*)"', runs[-1]["argv"])
            shown = f"`{' '.join(words)[:120]}`"
            return shown if at == pid else f"a fork of {shown}"
        if at not in parents:
            break
        at = parents[at]
    return "its program unread"
