"""The running worker as /proc showed it when its answer was due: its processes (the worker
first, then its descendants), their stacks, and readings of what the one doing the work does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from poolctl.program import Program

from .procinfo import (
    CHILD_WAITS,
    EVENT_WAITS,
    READS,
    SLEEPS,
    WRITES,
    ProcState,
    ThreadState,
    polled_fds,
)
from .pystack import NOT_PYTHON, NoStack, PyStack, Whereabouts, whereabouts

RUNTIME_HELPERS = frozenset({"erl_child_setup", "inet_gethost", "epmd"})  # not the worker


@dataclass(frozen=True)
class Blocked:
    """A thread found in a system call on a given file: who, in what, on which pipe."""

    process: ProcState
    thread: ThreadState
    target: str  # what the fd points to: "pipe:[123]"
    text: str  # "pid 12 (python3) blocked in read(fd 0 = pipe:[123])"


@dataclass(frozen=True)
class Live:
    """The running worker (and its descendants) when the answer was due."""

    processes: tuple[ProcState, ...]  # leader first
    stacks: tuple[PyStack | NoStack, ...]
    stdin_pipe: str
    stdout_pipe: str
    stdin_unread: int | None  # bytes still in the stdin pipe
    elapsed: float  # seconds since spawn
    blocked_writers: tuple[Blocked, ...]
    stack_file: Path | None
    cwd: str | None
    # the sockets its processes listen on: (process, fd, address), read from /proc/net once
    listening: tuple[tuple[ProcState, int, str], ...] = ()
    # whether the worker's fd 1 is the /dev/null poolctl gave it as its discarded stderr (kcmp,
    # asked as its fds were read); None: its stderr not discarded, or the kernel would not say
    stdout_on_discarded_stderr: bool | None = None
    # the program its process ran then (poolctl/program.py): a worker that exec()ed itself
    # again and then ended at the end of its input is told from this
    program: Program | None = None

    @property
    def leader(self) -> ProcState | None:
        return self.processes[0] if self.processes else None

    def stdin_closed(self) -> bool:
        """Whether no process of the worker holds its stdin pipe any more (fd 0 closed, or sent
        elsewhere): no request can reach it. Said only when every live process's fds were read
        (a zombie has none: the child a daemon's double fork leaves)."""
        procs = [p for p in self.processes if p.state != "Z"]
        if not self.stdin_pipe or not procs or not all(p.fds for p in procs):
            return False
        return not any(self.stdin_pipe in p.fds.values() for p in procs)

    def stdin_holders(self) -> list[ProcState]:
        """The worker's other processes holding its stdin pipe when the worker's own process
        does not (its fds read: fd 0 closed or sent elsewhere), those a process of the worker
        waits for first; or, when it holds it too, its children holding it while it waits for
        them; [] when the worker holds it otherwise, or no process does."""
        leader = self.leader
        if leader is None or not leader.fds or not self.stdin_pipe:
            return []
        holders = [p for p in self.processes[1:] if self.stdin_pipe in p.fds.values()]
        if self.stdin_pipe in leader.fds.values():
            # it keeps the pipe, but waits for a child that holds it too, which would read it:
            # a launcher's `subprocess.run` (basedpyright's Python entry point runs node)
            return [p for p in holders if p.ppid == leader.pid and self.waiter(p) is leader]
        return sorted(holders, key=lambda p: self.waiter(p) is None)

    def waiter(self, p: ProcState) -> ProcState | None:
        """`p`'s parent, when it is a process of the worker waiting for its children (wait4):
        a wrapper that handed its work to `p`."""
        parent = next((q for q in self.processes if q.pid == p.ppid), None)
        main = parent.main if parent is not None else None
        if main is None or main.syscall is None or main.syscall.name not in CHILD_WAITS:
            return None
        return parent

    def detached(self, p: ProcState) -> bool:
        """Whether `p`, a descendant, left the worker's session and its parent is gone (it was
        re-parented out of the worker): a daemon's double fork, which nothing of it waits for."""
        return self.escaped(p) and all(q.pid != p.ppid for q in self.processes)

    def reader(self) -> ProcState | None:
        """The process that would read a request: the worker, or the process it handed its
        stdin to (a wrapper's server) when it holds it no more."""
        holders = self.stdin_holders()
        return holders[0] if holders else self.leader

    def stdin_wait(self) -> Blocked | None:
        """A thread blocked reading stdin, or an event loop waiting on it."""
        for p in self.processes:
            for t in p.threads:
                sc = t.syscall
                if sc is None or sc.fd is None:
                    continue
                if sc.name in READS and p.fds.get(sc.fd) == self.stdin_pipe:
                    text = f"pid {p.pid} ({p.comm}) is blocked in {sc.describe(p.fds)}"
                    return Blocked(p, t, self.stdin_pipe, text)
                watched = p.epoll_targets.get(sc.fd, ())
                fds = [fd for fd in watched if p.fds.get(fd) == self.stdin_pipe]
                if sc.name.startswith("epoll") and fds:
                    text = (
                        f"pid {p.pid} ({p.comm}) waits in {sc.name}, its event loop, "
                        f"which watches its stdin (fd {fds[0]} = {self.stdin_pipe})"
                    )
                    return Blocked(p, t, self.stdin_pipe, text)
        for p in self.processes:
            main = p.main
            if main is not None and main.syscall is not None and main.syscall.name in EVENT_WAITS:
                polled = polled_fds(p.pid, main.syscall)
                if polled is not None:  # what it waits on is known: its stdin, or not
                    fds = [fd for fd in polled if p.fds.get(fd) == self.stdin_pipe]
                    if not fds:
                        continue
                    text = (
                        f"pid {p.pid} ({p.comm}) waits in {main.syscall.name}, which watches "
                        f"its stdin (fd {fds[0]} = {self.stdin_pipe})"
                    )
                    return Blocked(p, main, self.stdin_pipe, text)
                text = f"pid {p.pid} ({p.comm}) waits in {main.syscall.name} (an event loop)"
                return Blocked(p, main, "", text)
        return None

    def answers_astray(self) -> Blocked | None:
        """The process blocked reading its stdin, when it holds no end of the stdout pipe (its
        fds read): it reads the requests, and what it answers cannot reach poolctl."""
        wait = self.stdin_wait()
        if wait is None or not wait.target or not self.stdout_pipe or not wait.process.fds:
            return None
        return None if self.stdout_pipe in wait.process.fds.values() else wait

    def idle_elsewhere(self) -> str:
        """How the process doing the work idles in an event loop that does not watch its stdin
        ("" when it does not): it waits for something else, and will not read the request."""
        p = self.busiest()
        sc = p.main.syscall if p is not None and p.main is not None else None
        if p is None or sc is None or sc.fd is None or not sc.name.startswith("epoll"):
            return ""
        watched = p.epoll_targets.get(sc.fd, ())
        if not watched or any(p.fds.get(fd) == self.stdin_pipe for fd in watched):
            return ""
        files = ", ".join(f"fd {fd} = {p.fds.get(fd, '?')}" for fd in watched[:4])
        return (
            f"pid {p.pid} ({p.comm}) idles in {sc.name}, its event loop, which watches "
            f"{files} and not its stdin ({self.stdin_pipe}); {p.cpu_seconds:.2f} s CPU in "
            f"{p.age_seconds:.2f} s"
        )

    def stderr_on_stdout(self) -> list[ProcState]:
        """Processes of the worker whose stderr is the stdout pipe (merged, by us or by them)."""
        return [p for p in self.processes if self.stdout_pipe and p.fds.get(2) == self.stdout_pipe]

    def escaped(self, p: ProcState) -> bool:
        """Whether `p`, a descendant, left the worker's session (setsid(): a daemon's step): it
        works for itself, not on the worker's requests."""
        leader = self.leader
        return leader is not None and p is not leader and bool(p.sid) and p.sid != leader.sid

    def busiest(self) -> ProcState | None:
        """The process doing the work: not a shell waiting for its child, nor a runtime's
        helper (the Erlang VM's `erl_child_setup` is not the VM, `beam.smp` is), nor a
        descendant that left for a session of its own. The process that would read a request
        comes first when it is stopped: a child asleep beside a stopped worker does no work of
        its requests."""
        reader = self.reader()
        if reader is not None and (reader.state in ("T", "t") or reader.frozen):
            return reader
        for p in reversed(self.processes):
            if p.comm in RUNTIME_HELPERS or self.escaped(p) or p.state == "Z":  # a zombie: done
                continue
            main = p.main
            if main is None or main.syscall is None or main.syscall.name not in CHILD_WAITS:
                return p
        return self.leader

    def runnable(self) -> bool:
        """Whether a process of the worker was running, or waiting for a CPU or its disk (state
        R or D), when it was looked at: busy, perhaps still starting."""
        return any(p.state in ("R", "D") for p in self.processes)

    def stopped(self) -> ProcState | None:
        """The process doing the work, when it is stopped (SIGSTOP, SIGTSTP, a debugger) or
        frozen (its cgroup's freezer): it runs again only when continued or thawed, so waiting
        longer shows nothing."""
        p = self.busiest()
        return p if p is not None and (p.state in ("T", "t") or p.frozen) else None

    def native(self, pid: int) -> bool:
        """Whether py-spy found no interpreter in process `pid`: a program in C, Go, Rust or
        Java, whose stacks py-spy cannot take (nor a Python lock be its cause)."""
        return any(
            isinstance(s, NoStack) and s.pid == pid and s.reason.startswith(NOT_PYTHON)
            for s in self.stacks
        )

    def lock_waiter(self) -> ProcState | None:
        """The process doing the work, when its main thread waits on a lock or a condition
        (futex): a handler that returns only once something releases it."""
        p = self.busiest()
        main = p.main if p is not None else None
        call = main.syscall if main is not None else None
        return p if call is not None and call.name == "futex" else None

    def where(self) -> Whereabouts | None:
        """Where the process that would read a request is, in words, else the first Python
        process with a stack."""
        reader = self.reader()
        first = [s for s in self.stacks if reader is not None and s.pid == reader.pid]
        # not a daemon's that left its session: it works for itself, not on the requests
        away = {p.pid for p in self.processes if self.escaped(p) and p is not reader}
        waiter = self.waiter(reader) if reader is not None and reader is not self.leader else None
        if waiter is not None:  # its wait for the reader tells nothing of the reader's start
            away.add(waiter.pid)
        for s in [*first, *(s for s in self.stacks if s.pid not in away)]:
            if isinstance(s, PyStack) and s.main is not None:
                w = whereabouts(s.main, self.cwd)
                if w is not None:
                    return w
        return None

    def activity(self) -> str:
        """What the process doing the work is doing, from /proc."""
        p = self.busiest()
        if p is None:
            return "no process left"
        main = p.main
        name = main.syscall.name if main is not None and main.syscall is not None else ""
        if p.frozen:  # whatever call it was in: it makes no progress in it
            what = f"frozen by its cgroup's freezer ({p.frozen}): it runs only once thawed"
        elif name in SLEEPS:
            what = f"sleeping ({name})"
        elif p.state in ("T", "t"):
            what = "stopped (by SIGSTOP or SIGTSTP, or a debugger): it runs only once continued"
        elif name == "running" or p.state == "R":
            what = "running on a CPU"
        elif name == "futex":
            what = "waiting on a lock or condition (futex)"
        elif name in READS | WRITES | EVENT_WAITS:
            what = f"in {main.syscall.describe(p.fds) if main and main.syscall else name}"
        else:
            what = p.state_text + (f" in {name}" if name else "")
        cpu = f"{p.cpu_seconds:.2f} s CPU in {p.age_seconds:.2f} s"
        return f"pid {p.pid} ({p.comm}{self.kin(p)}) is {what}, {cpu}"

    def kin(self, p: ProcState) -> str:
        """Who `p` is to the worker, when it is not the worker itself: `, a child of …`."""
        leader = self.leader
        if leader is None or p is leader:
            return ""
        who = "a child" if p.ppid == leader.pid else f"a descendant (parent pid {p.ppid})"
        return f", {who} of the worker pid {leader.pid}"
