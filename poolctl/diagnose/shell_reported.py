"""A signal that ended the program a shell ran and waited for (`sh -c 'server; exit $?'`, a
wrapper script that does not `exec` its server): poolctl sees only the shell's exit code, 128 + the
signal's number, and the shell's line on its stderr, the signal's description (`Killed`, dash),
with the program's pid and command before and after it (`sh: line 1: 12 Killed  server`,
bash). Both together tell the signal; ping's crash reading (poolctl/diagnose/hypotheses/
crashed.py) and the pool's (poolctl/scenario/deaths.py) then say it as a signal that ended the
worker (it was 'exited with code 137', and 'run it by hand')."""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass

# a SIGKILL the shell reports without the program's pid (dash): no kernel log search can name
# whom the OOM killer ended
UNNAMED_SIGKILL = (
    "its shell names no pid to find in the kernel log: the OOM killer, a supervisor, a timeout "
    "wrapper, a user or the program itself sent it, and its exit does not say which"
)
UNNAMED_SIGKILL_FIX = (
    "Find what sent SIGKILL: the kernel log (`dmesg`) names a process the OOM killer ended "
    "(look for the program's name); a supervisor's or wrapper's log names what it killed."
)
# said after the fix: the shell between the pool and the program hides both
EXEC_IT = (
    "Start the program with `exec` in its shell (`sh -c 'exec server'`, `exec` on a wrapper "
    "script's last line): the pool then sees its own pid, signal and exit."
)


@dataclass(frozen=True)
class ShellReported:
    """The signal the shell's exit code and line report, the line, and the program's pid when
    the shell named it (bash does; dash does not)."""

    signal: int
    line: str
    pid: int | None

    def name(self) -> str:
        return f"{signal.Signals(self.signal).name} ({self.signal})"

    def said(self) -> str:
        """Said after the shell's exit code."""
        named = f"pid {self.pid}" if self.pid is not None else "the program it ran"
        return (
            f": its shell reports {named} killed by {self.name()} (`{self.line}` on its "
            "stderr: a shell exits with 128 + the signal's number of a program a signal ended)"
        )


def shell_reported(code: int | None, stderr: str) -> ShellReported | None:
    """The signal a shell reports in its exit `code` and the last line of its `stderr`; None
    when the two do not agree (a code of 137 alone may be a program's own `exit(137)`)."""
    if code is None or not 128 < code < 128 + signal.NSIG:
        return None
    try:
        number = signal.Signals(code - 128)
    except ValueError:
        return None
    words = signal.strsignal(number)
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    if not words or not lines:
        return None
    said = re.fullmatch(
        rf"(?:.*: line \d+: +(?P<pid>\d+) +)?{re.escape(words)}(?: \(core dumped\))?(?: +.*)?",
        lines[-1],
    )
    if said is None:
        return None
    pid = int(said["pid"]) if said["pid"] else None
    return ShellReported(int(number), lines[-1], pid)
