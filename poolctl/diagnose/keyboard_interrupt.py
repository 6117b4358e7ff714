"""A Python worker's `KeyboardInterrupt` read as the SIGINT it is: Python raises SIGINT in its
main thread as that exception and, uncaught, ends by SIGINT. Its traceback says where the signal
found the worker, not an error of the worker's; ping's crash reading
(poolctl/diagnose/hypotheses/crashed.py) and the pool's (poolctl/scenario/deaths.py) then say
the signal's words (poolctl/diagnose/signal_words.py), and who sent it where the evidence tells:
the traceback ending at a call of its own that sends SIGINT, or a shell that ran it and exited
with 130, not interrupted itself (the signal went to the program's pid alone)."""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass

# the last frame of a traceback: its place and, when Python could read it, its source line
_FRAME = re.compile(
    r'^  File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>.+)\n(?P<src>    .*)?', re.M
)
# a call that sends SIGINT (`os.kill(os.getpid(), signal.SIGINT)`, `os.killpg(…, SIGINT)`,
# `signal.raise_signal(signal.SIGINT)`), and one that sends it to the whole process group
_SENDS = re.compile(
    r"\b(?:kill|killpg|raise_signal|pthread_kill|send_signal)\(.*\b(?:SIGINT|Signals\.SIGINT)\b"
)
_TO_GROUP = re.compile(r"\bkill\(\s*0\s*,|\bkillpg\(")
# a shell's exit code for a program SIGINT ended: 128 + 2
SHELL_CODE = 128 + signal.SIGINT


@dataclass(frozen=True)
class Interrupt:
    """Where a SIGINT found the worker, as its traceback tells, and what tells its sender."""

    place: str  # `file:line in func`, or "an unknown place …"
    source: str  # that line's code ("" when Python could not read it)
    through_shell: bool  # it ended with code 130: a shell ran the program and was spared

    @property
    def where(self) -> str:
        """`file:line in func: source`."""
        return f"{self.place}: `{self.source}`" if self.source else self.place

    def own_call(self) -> bool:
        """Its traceback ends at a call of its own that sends SIGINT."""
        return bool(_SENDS.search(self.source))

    def said(self) -> str:
        """Said after the signal's words."""
        said = f"Python raised it as `KeyboardInterrupt` in {self.where}"
        if self.own_call():
            return f"{said}: the call that sent it"
        return (
            f"{said} (its traceback, quoted, says where the signal found the worker: no error "
            "of its own)"
        )

    def sender(self) -> tuple[str, str]:
        """Who sent it, as far as its traceback and its shell tell, and what to do."""
        if self.own_call():
            whom = "its whole process group" if _TO_GROUP.search(self.source) else "itself"
            return (
                f"sent by the worker's own code to {whom}: its traceback ends at that call",
                f"Remove the SIGINT the worker sends at {self.place} (`{self.source}`), or "
                "catch `KeyboardInterrupt` around it: Python raises the signal as that "
                "exception and, uncaught, ends by it.",
            )
        if not self.through_shell:  # the program's own exit: its pid or its group, not told
            return (
                "sent by another process (a supervisor, a timeout wrapper, a user's `kill "
                "-INT`, a process of its group's `kill 0`, a child of its own) or a thread of "
                "the worker's: its traceback ends where the signal found it, in no call of its "
                "own that sends it",
                "Find what sent SIGINT: a supervisor's or wrapper's log names what it stopped; "
                "a search of the worker's code for `kill` finds a thread's or a child's. "
                "Nothing at the place its traceback ends is to fix: its `KeyboardInterrupt` is "
                "Python's word for the signal.",
            )
        return (
            "sent to the program alone by another process that named its pid (a supervisor, a "
            "timeout wrapper, a user's `kill -INT`, a child of its own): its shell, in the same "
            f"process group, was not interrupted but exited with {SHELL_CODE}, so it was no "
            "Ctrl-C at a terminal nor a signal to the group, and the traceback ends in no call "
            "of its own that sends it",
            "Find what sent SIGINT to the program's pid: a supervisor's or wrapper's log names "
            "what it stopped. Nothing in the worker's code is to fix: its `KeyboardInterrupt` "
            "is Python's word for the signal.",
        )

    def shell_said(self) -> str:
        """Said after the shell's exit code, when a shell ran the program."""
        return (
            ": the program its shell ran was ended by SIGINT (2), as a shell's exit code of 128 "
            "+ the signal's number and the traceback ending in `KeyboardInterrupt` tell"
        )


def signalled_interrupt(
    exc: str | None, number: int | None, stderr: str, code: int | None = None
) -> Interrupt | None:
    """Where a SIGINT found the worker, when `exc` is Python's `KeyboardInterrupt` for the
    SIGINT (`number`) that ended it, or that ended the program a shell ran (exit `code` 130);
    None otherwise: another exception, another ending, or its own code raised it (`raise
    KeyboardInterrupt`)."""
    through_shell = number is None and code == SHELL_CODE
    if number != signal.SIGINT and not through_shell:
        return None
    if exc is None or not re.match(r"KeyboardInterrupt\b", exc):
        return None
    last = stderr.rsplit("Traceback (most recent call last):\n", 1)[-1]
    frames = list(_FRAME.finditer(last))
    if not frames:
        return Interrupt("an unknown place (its traceback names no frame)", "", through_shell)
    frame = frames[-1]
    source = (frame["src"] or "").strip()
    if re.match(r"raise\s+KeyboardInterrupt\b", source):  # raised by its code, not a signal
        return None
    return Interrupt(
        f"{frame['file']}:{frame['line']} in `{frame['func'].strip()}`", source, through_shell
    )
