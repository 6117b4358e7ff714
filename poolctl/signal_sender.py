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
import faulthandler
import os
import signal
import sys
import threading
import time
from collections.abc import Collection, Iterator
from typing import NamedTuple

from poolctl.start_window import WINDOW

THREAD_NAME = "poolctl-signals"
# the signals that end a command as Ctrl-C does (`poolctl.lifecycle`)
ENDING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
# and, as the program, those whose default action ended poolctl at once, with no report, no
# word and its workers left to the parent-death signal and the reaper, and that mean nothing
# else to it: a worker telling its parent it is ready (SIGUSR1, as an X server does), a stray
# timer's SIGALRM, `ulimit -t`'s SIGXCPU before its SIGKILL.
UNEXPECTED = (signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM, signal.SIGXCPU)
# and, as the program, the signals whose default action kills poolctl (a core dump for most)
# that a worker or its family sends it with kill() (`os.kill(os.getppid(), SIGSEGV)`): hostile,
# said and ignored, the run going on to its report. A fault of poolctl's own still crashes it:
# the kernel forces a SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP or SIGSYS it raises through
# the block (its default action, handler or not), and abort() unblocks its SIGABRT; any other
# sender's gets the default action as before. SIGVTALRM is also the patterns' regex timer's
# (poolctl/patterns/regex.py) and SIGPROF a profiler's: the kernel's go to their handler.
# SIGPIPE is not among them: Python ignores it from its start.
HOSTILE = (
    signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT, signal.SIGSYS,
    signal.SIGTRAP, signal.SIGVTALRM, signal.SIGPROF, signal.SIGPWR, signal.SIGSTKFLT,
)  # fmt: skip
# those faulthandler handles: left alone when it is enabled (blocked, a real fault would
# bypass its dump of the stacks)
FAULTS = (signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT)
TIMERS = (signal.SIGVTALRM, signal.SIGPROF)
SI_USER_MAX = 0  # si_code <= 0: sent by a process (kill, sigqueue, tgkill); > 0: the kernel's
# the stop: a worker or its family that sent it stopped poolctl, and the run with it, until a
# SIGCONT that never came (a CI job waits out its time limit); any other sender's (Ctrl-Z at
# the terminal, `kill -TSTP`) stops it as before. Not SIGTTIN nor SIGTTOU: blocked, the kernel
# no longer stops a background poolctl that reads the terminal, its read fails (EIO)
STOPS = (signal.SIGTSTP,)
# the signal that interrupts the main thread's blocking call once a signal was taken: one no
# other part of poolctl uses, its default to ignore
POKE = signal.SIGURG
SETTLE_MOST = 1.0  # seconds the end of a command waits for a signal sent to be handed over
UNNAMED = "a process poolctl cannot name"  # the sender of one swallowed as a child started


class Sender(NamedTuple):
    """Who sent a signal, as /proc told when it was taken."""

    pid: int
    name: str  # its comm, or "gone"
    ancestors: list[int]  # its parent, its parent's, … up to poolctl


class Ignored(NamedTuple):
    """A hostile signal a worker or its family sent poolctl, ignored."""

    sig: signal.Signals
    sender: Sender
    command: str  # the sender's command line, as /proc told when it was taken
    whose: str  # the worker poolctl started that it is, or is under, in words


class SignalWaiter:
    """The thread that takes the handled signals, and who sent the last of each."""

    def __init__(self) -> None:
        self.signals: frozenset[signal.Signals] = frozenset()
        # the pid that sent each (0: the kernel), its name and its parents, read as the signal
        # is taken: a sender that exits right after its kill() (a worker's short-lived child)
        # is gone by the time the main thread asks
        self.senders: dict[signal.Signals, Sender] = {}
        self.ignored: list[Ignored] = []  # the hostile signals the workers sent, in order
        # every child poolctl started (`Children.spawn`): a worker reaped before this thread
        # read its kill() (a loaded machine) is no longer under poolctl in /proc
        self.started: set[int] = set()
        self.active = False
        self.handing = False  # a signal taken, not yet handed over

    def start(self, signals: Collection[signal.Signals]) -> bool:
        """From the main thread, before any other: block `signals` and take them in a thread of
        its own. False where that cannot be done (the handlers then take them as before)."""
        if not sys.platform.startswith("linux") or not hasattr(signal, "sigwaitinfo"):
            return False
        if threading.current_thread() is not threading.main_thread():
            return False
        stops = {sig for sig in STOPS if signal.getsignal(sig) is signal.SIG_DFL}
        taken = hostile()
        self.signals = frozenset(signals) | stops | taken
        for sig in taken.intersection(TIMERS):
            # a timer's signal taken as its user restores the default finds a handler still
            # (Python's 'Signal 26 ignored due to race condition' otherwise)
            signal.signal(sig, _poked)
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
            self.handing = False
            info = signal.sigwaitinfo(self.signals)
            self.handing = True
            sig = signal.Signals(info.si_signo)
            if sig in STOPS:
                _stop_unless_ours(sig, info.si_pid)
                continue
            if sig in HOSTILE:
                self._hostile(sig, info)
                continue
            self.senders[sig] = Sender(info.si_pid, _comm(info.si_pid), _ancestors(info.si_pid))
            if signal.getsignal(sig) in (signal.SIG_DFL, None):  # its handler restored: the
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {sig})  # default action, as before
                signal.raise_signal(sig)
            _thread.interrupt_main(sig)  # the main thread's handler runs, as for the signal
            with contextlib.suppress(OSError):
                signal.pthread_kill(main, POKE)  # and a blocking call there is interrupted

    def settle(self, most: float = SETTLE_MOST) -> None:
        """From the main thread, as the command ends: a signal already sent that this thread has
        not yet handed to the main thread's handler (pending, or just taken) is waited for, as
        its handler ran at once before poolctl blocked the signals: at a load of 20, a Ctrl-C
        sent as `poolctl patterns list` started was taken after the command had ended, exit 0."""
        if not self.active:
            return
        end = time.monotonic() + most
        while self.handing or signal.sigpending() & self.signals:
            if time.monotonic() > end:
                return
            time.sleep(0.005)  # (its handler, run here, raises what ends the command)

    def _hostile(self, sig: signal.Signals, info: signal.struct_siginfo) -> None:
        """A worker's or its family's kill() is said and ignored; the kernel's timer signal
        goes to its handler (the regex timer's); any other, its default action."""
        pid = info.si_pid
        ours = pid in self.started or _descends(pid)
        if info.si_code <= SI_USER_MAX and 0 < pid != os.getpid() and ours:
            chain = _ancestors(pid)
            sender = Sender(pid, _comm(pid), chain)
            taken = Ignored(sig, sender, _cmdline(pid), _whose(sender))
            again = any((i.sig, i.command) == (sig, taken.command) for i in self.ignored)
            self.ignored.append(taken)
            if again:  # the experiments' fresh copies of one worker send it too: said once
                return
            line = (
                f"poolctl: pid {pid} ({sender.name}), {taken.whose}, sent poolctl "
                f"{sig.name}, which would have ended it: ignored\n"
            )
            with contextlib.suppress(OSError):
                os.write(2, line.encode("utf-8", "replace"))
            return
        if info.si_code > SI_USER_MAX and sig in TIMERS:
            # poolctl's own timer: its handler runs in the main thread (or none, once over)
            _thread.interrupt_main(sig)
            return
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {sig})
        try:
            signal.raise_signal(sig)  # its default action, as before
        finally:
            signal.pthread_sigmask(signal.SIG_BLOCK, {sig})

    def ignored_notes(self) -> list[str]:
        """The report's notes of the hostile signals the workers sent, one a signal and
        command (the experiments' copies of a worker send what it sends)."""
        groups: dict[tuple[signal.Signals, str], list[Ignored]] = {}
        for i in self.ignored:
            groups.setdefault((i.sig, i.command), []).append(i)
        notes = []
        for (sig, command), each in groups.items():
            first, pids = each[0], [i.sender.pid for i in each[1:]]
            if first.whose == UNNAMED:
                times = f" ({len(each)} times)" if len(each) > 1 else ""
                notes.append(
                    f"a process not named sent poolctl {sig.name} with kill(){times} while "
                    "poolctl started a child, the moment its sender cannot be named: ignored, "
                    "the run went on"
                )
                continue
            more = f" (and {len(pids)} more of its command: pids {_listed(pids)})" if pids else ""
            # (a sender gone, or a zombie, by the time the thread read it has none)
            shown = f"`{command}`" if command else f"{first.sender.name}, its command line gone"
            shown = "gone by then" if first.sender.name == "gone" and not command else shown
            notes.append(
                f"pid {first.sender.pid} ({shown}), {first.whose}, sent poolctl "
                f"{sig.name} with kill(){more}: ignored, the run went on (its default action "
                "kills the process it is sent to: a pool that does not guard against it dies, "
                "its workers left behind)"
            )
        return notes

    @contextlib.contextmanager
    def unblocked(self) -> Iterator[None]:
        """Around a child's start: the child inherits no blocked signal. One that comes
        meanwhile reaches this thread's handler, its sender unnamed."""
        if not self.active:
            yield
            return
        # the hostile ones meanwhile: guarded (poolctl/start_window.py), or their default
        # action would end poolctl
        guarded = [s for s in self.signals.intersection(HOSTILE) if _by_default(s)]
        self._swallowed(WINDOW.open(guarded))
        before = signal.pthread_sigmask(signal.SIG_UNBLOCK, self.signals)
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)
            self._swallowed(WINDOW.close())

    def _swallowed(self, signals: list[signal.Signals]) -> None:
        """Said and noted as the others are, the sender unnamed: the kernel does not tell it."""
        for sig in signals:
            self.ignored.append(Ignored(sig, Sender(0, UNNAMED, []), "", UNNAMED))
            line = (
                f"poolctl: a process sent poolctl {sig.name} while poolctl started a child (the "
                "moment its sender cannot be named), which would have ended it: ignored\n"
            )
            with contextlib.suppress(OSError):
                os.write(2, line.encode())


def hostile() -> set[signal.Signals]:
    """The hostile signals poolctl takes: those left to their default action (not ignored,
    nor a caller's), the faults not when faulthandler dumps the stacks on one."""
    faults = FAULTS if faulthandler.is_enabled() else ()
    return {s for s in HOSTILE if signal.getsignal(s) is signal.SIG_DFL and s not in faults}


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


def _by_default(sig: signal.Signals) -> bool:
    return signal.getsignal(sig) is signal.SIG_DFL


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


def _whose(sender: Sender) -> str:
    """`sender` as a worker poolctl started, or a process under one (`ancestors`)."""
    if not sender.ancestors:
        return "a worker poolctl started"
    worker = sender.ancestors[-1]
    return f"a process under pid {worker} ({_comm(worker)}), a worker poolctl started"


def _listed(pids: list[int], most: int = 5) -> str:
    shown = ", ".join(map(str, pids[:most]))
    return shown + (", …" if len(pids) > most else "")


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            words = f.read(4096).rstrip(b"\0").split(b"\0")
    except OSError:
        return ""
    return " ".join(w.decode("utf-8", "replace") for w in words if w)[:200]


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
