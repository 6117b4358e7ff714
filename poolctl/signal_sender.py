"""Who sent the signal that ends poolctl: a Python signal handler is not told the sender, so
poolctl as the program blocks the signals it handles in every thread and one thread of its own
takes them with `sigwaitinfo`, which gives the sender's pid; the handler then runs in the main
thread as before (`_thread.interrupt_main`, and a poke that interrupts a blocking call, as the
signal itself did). A worker, or a process of its family, that signals poolctl
(`os.kill(os.getppid(), SIGTERM)`) is then named.

A blocked mask is inherited by every child: each one is started with the signals unblocked
(`unblocked`), and the forked copies of poolctl unblock them themselves (poolctl/forked.py).
"""

from __future__ import annotations

import _thread
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Collection, Iterator
from typing import NamedTuple

THREAD_NAME = "poolctl-signals"
# the signals that end a command as Ctrl-C does (`poolctl.lifecycle`)
ENDING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
# and, as the program, those whose default action ended poolctl at once, with no report, no
# word and its workers left to the parent-death signal and the reaper, and that mean nothing
# else to it: a worker telling its parent it is ready (SIGUSR1, as an X server does), a stray
# timer's SIGALRM, `ulimit -t`'s SIGXCPU before its SIGKILL. SIGVTALRM is the patterns'
# regex timer's (poolctl/patterns/regex.py), SIGPROF a profiler's.
UNEXPECTED = (signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM, signal.SIGXCPU)
# the stop: a worker or its family that sent it stopped poolctl, and the run with it, until a
# SIGCONT that never came (a CI job waits out its time limit); any other sender's (Ctrl-Z at
# the terminal, `kill -TSTP`) stops it as before. Not SIGTTIN nor SIGTTOU: blocked, the kernel
# no longer stops a background poolctl that reads the terminal, its read fails (EIO)
STOPS = (signal.SIGTSTP,)
# the signal that interrupts the main thread's blocking call once a signal was taken: one no
# other part of poolctl uses, its default to ignore
POKE = signal.SIGURG


class Sender(NamedTuple):
    """Who sent a signal, as /proc told when it was taken."""

    pid: int
    name: str  # its comm, or "gone"
    ancestors: list[int]  # its parent, its parent's, … up to poolctl


class SignalWaiter:
    """The thread that takes the handled signals, and who sent the last of each."""

    def __init__(self) -> None:
        self.signals: frozenset[signal.Signals] = frozenset()
        # the pid that sent each (0: the kernel), its name and its parents, read as the signal
        # is taken: a sender that exits right after its kill() (a worker's short-lived child)
        # is gone by the time the main thread asks
        self.senders: dict[signal.Signals, Sender] = {}
        self.active = False

    def start(self, signals: Collection[signal.Signals]) -> bool:
        """From the main thread, before any other: block `signals` and take them in a thread of
        its own. False where that cannot be done (the handlers then take them as before)."""
        if not sys.platform.startswith("linux") or not hasattr(signal, "sigwaitinfo"):
            return False
        if threading.current_thread() is not threading.main_thread():
            return False
        stops = {sig for sig in STOPS if signal.getsignal(sig) is signal.SIG_DFL}
        self.signals = frozenset(signals) | stops
        signal.signal(POKE, _poked)
        signal.pthread_sigmask(signal.SIG_BLOCK, self.signals)
        self.active = True
        main = threading.main_thread().ident
        assert main is not None
        thread = threading.Thread(target=self._take, args=(main,), name=THREAD_NAME, daemon=True)
        thread.start()
        return True

    def _take(self, main: int) -> None:
        while True:
            info = signal.sigwaitinfo(self.signals)
            sig = signal.Signals(info.si_signo)
            if sig in STOPS:
                _stop_unless_ours(sig, info.si_pid)
                continue
            self.senders[sig] = Sender(info.si_pid, _comm(info.si_pid), _ancestors(info.si_pid))
            if signal.getsignal(sig) in (signal.SIG_DFL, None):  # its handler restored: the
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {sig})  # default action, as before
                signal.raise_signal(sig)
            _thread.interrupt_main(sig)  # the main thread's handler runs, as for the signal
            with contextlib.suppress(OSError):
                signal.pthread_kill(main, POKE)  # and a blocking call there is interrupted

    @contextlib.contextmanager
    def unblocked(self) -> Iterator[None]:
        """Around a child's start: the child inherits no blocked signal. One that comes
        meanwhile reaches this thread's handler, its sender unnamed."""
        if not self.active:
            yield
            return
        before = signal.pthread_sigmask(signal.SIG_UNBLOCK, self.signals)
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _stop_unless_ours(sig: signal.Signals, pid: int) -> None:
    """A stop from a process poolctl started or one of their family (poolctl is their
    subreaper: a daemon they left is still under it) is said and ignored; any other stops
    poolctl, as the signal's default action does, and it goes on when continued."""
    if pid > 0 and pid != os.getpid() and _descends(pid):
        line = (
            f"poolctl: pid {pid} ({_comm(pid)}), a process poolctl started or one of its family,"
            f" sent poolctl {sig.name}, which would have stopped it and the run: ignored\n"
        )
        with contextlib.suppress(OSError):
            os.write(2, line.encode("utf-8", "replace"))
        return
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {sig})
    try:
        signal.raise_signal(sig)  # stopped here; on SIGCONT the thread goes on
    finally:
        signal.pthread_sigmask(signal.SIG_BLOCK, {sig})


def _descends(pid: int) -> bool:
    """Whether poolctl is among `pid`'s parents."""
    me = os.getpid()
    for _ in range(64):
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
                stat = f.read()
            pid = int(stat[stat.rfind(")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):
            return False
        if pid == me:
            return True
        if pid <= 1:
            return False
    return False


def _poked(signum: int, frame: object) -> None:
    """Nothing: the poke only interrupts the call the main thread was blocked in."""


WAITER = SignalWaiter()


def sender_words(sig: signal.Signals, children: Collection[int], token: str) -> str:
    """Who sent `sig`, when it is one of poolctl's `children` (the workers it started) or a
    process of their family (under one of them, or carrying the run's `token` in its
    environment: a daemon it left): ` from pid 12 (python3), a process poolctl started …`;
    "" for any other sender, or when it is not known."""
    sender = WAITER.senders.get(sig)
    if sender is None or sender.pid <= 0 or sender.pid == os.getpid():
        return ""
    pid, name, chain = sender.pid, sender.name, sender.ancestors
    worker = next((p for p in [pid, *chain] if p in children), None)
    if worker is None:
        if not _carries(pid, token):
            return ""
        return (
            f" from pid {pid} ({name}), a process that a worker poolctl started left (a "
            "worker's family signalled poolctl)"
        )
    if worker == pid:
        return f" from pid {pid} ({name}), a process poolctl started (a worker signalled poolctl)"
    return (
        f" from pid {pid} ({name}), a process under pid {worker} ({_comm(worker)}) that "
        "poolctl started (a worker's family signalled poolctl)"
    )


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return "gone"


def _carries(pid: int, token: str) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return token.encode() in f.read()
    except OSError:
        return False


def _ancestors(pid: int) -> list[int]:
    """`pid`'s parent, its parent's, … up to poolctl (or as far as /proc tells)."""
    chain: list[int] = []
    me = os.getpid()
    while pid > 1 and len(chain) < 64:
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
                stat = f.read()
            pid = int(stat[stat.rfind(")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):
            break
        if pid == me:
            break
        chain.append(pid)
    return chain
