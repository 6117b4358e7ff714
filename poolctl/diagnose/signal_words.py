"""Where a signal that ended a worker comes from, in words, and how to see more: ping's crash
reading (poolctl/diagnose/hypotheses/crashed.py) and the pool's (poolctl/scenario/deaths.py)
say it alike. SIGKILL's sender is read from the kernel log instead (poolctl/diagnose/killed.py),
and a limit's signal from the process's limits (poolctl/diagnose/limit_reached.py)."""

from __future__ import annotations

import signal

# Signals a process raises on itself by faulting: its own native code crashed.
FAULTS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE}
# Signals a process's own timers send it, and the calls that set them.
TIMERS: dict[int, str] = {
    signal.SIGALRM: "`alarm()` (`signal.alarm`, a timeout guard) or `setitimer(ITIMER_REAL)`",
    signal.SIGVTALRM: "`setitimer(ITIMER_VIRTUAL)`, a timer of its CPU time",
    signal.SIGPROF: "`setitimer(ITIMER_PROF)`, a profiler's timer",
}


def signal_words(number: int, argv: str, stack_shown: bool) -> tuple[str, str]:
    """Where a signal that ended the worker comes from, and how to see more (or "");
    `stack_shown`: faulthandler's stack of the crash is in the evidence."""
    if number in FAULTS:
        why = "a crash in its own native code: a C extension, ctypes, or the runtime itself"
        if stack_shown:
            return why, (
                "Read the stack of the crash in its stderr (quoted): its first frame is the "
                "call into native code that crashed."
            )
        return why, (
            f"Run `PYTHONFAULTHANDLER=1 {argv}` (a Python worker then prints the stack of the "
            "crash to stderr), or run it under gdb, or with core dumps on (`ulimit -c "
            "unlimited`), to see where it crashes."
        )
    if number == signal.SIGTRAP:
        return (
            "a trap, most often its own: a runtime stopping on a fatal error (V8's `Fatal "
            "process …`, a failed internal check) or a breakpoint left in native code; one "
            "another process sent looks the same",
            "Read its stderr for the fatal error it printed before it trapped (quoted), and fix "
            f"that; to see where, run `{argv}` with core dumps on (`ulimit -c unlimited`) or "
            "under gdb.",
        )
    if number == signal.SIGABRT:
        return (
            "it aborted itself: a failed assertion in native code, an uncaught C++ exception, "
            "or the C library finding its memory corrupted; its stderr usually says which",
            f"Read its stderr for why it aborted (an assertion, `terminate called after …`, "
            f"`free(): invalid pointer`); to see where, run `{argv}` with core dumps on "
            "(`ulimit -c unlimited`) or under gdb.",
        )
    if number == signal.SIGPIPE:
        return (
            "it wrote to a pipe whose reader had closed it",
            "Find the pipe it wrote to after its reader closed it (a child process's, a "
            "log's): Python ignores SIGPIPE (BrokenPipeError instead), so a Python worker "
            "killed by it restored the default, or a native library did.",
        )
    if number in TIMERS:  # a timer's signal, whose default ends the process
        name = signal.Signals(number).name
        return (
            f"most often a timer of its own that went off with no handler for {name}: "
            f"{TIMERS[number]}; another process may send it too, which its exit does not tell "
            "apart",
            f"Find the timer: a search of the worker's code (and of its libraries) for "
            f"`alarm`, `setitimer` and `{name}` finds it; a handler for it "
            f"(`signal.signal(signal.{name}, …)`), or the timer cancelled once its work is "
            "done (`signal.alarm(0)`), keeps it from ending the worker.",
        )
    # SIGKILL's sender is read from the kernel log: poolctl/diagnose/killed.py. No record
    # names another signal's sender: the worker may have sent it to itself or to its group
    # (`kill 0`, a shell's `trap 'kill 0' EXIT`), as well as a supervisor.
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    return (
        "sent by another process (a supervisor, a timeout wrapper, a user) or by the worker "
        "itself (`os.kill(os.getpid(), …)`, `kill 0` to its process group): its exit status "
        "does not say which",
        f"Find what sent {name}: a supervisor's or wrapper's log names what it stopped; a "
        "search of the worker's code (and of what it runs) for `kill` (`os.kill`, `os.killpg`, "
        "`kill 0`, `process.kill`) finds its own.",
    )
