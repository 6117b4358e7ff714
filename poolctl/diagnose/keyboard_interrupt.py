"""A Python worker's `KeyboardInterrupt` read as the SIGINT it is: Python raises SIGINT in its
main thread as that exception and, uncaught, ends by SIGINT. Its traceback says where the signal
found the worker, not an error of the worker's; ping's crash reading
(poolctl/diagnose/hypotheses/crashed.py) and the pool's (poolctl/scenario/deaths.py) then say
the signal's words (poolctl/diagnose/signal_words.py)."""

from __future__ import annotations

import re
import signal

# the last frame of a traceback: its place and, when Python could read it, its source line
_FRAME = re.compile(
    r'^  File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>.+)\n(?P<src>    .*)?', re.M
)
# said after the signal's words, `where` the place `signalled_interrupt` read
INTERRUPT_SAID = (
    "Python raised it as `KeyboardInterrupt` in {where} (its traceback, quoted, says where the "
    "signal found the worker: no error of its own)"
)


def signalled_interrupt(exc: str | None, number: int | None, stderr: str) -> str | None:
    """Where a SIGINT found the worker (`file:line in func: source`), when `exc` is Python's
    `KeyboardInterrupt` for the SIGINT (`number`) that ended it; None otherwise: another
    exception, another ending, or its own code raised it (`raise KeyboardInterrupt`)."""
    if number != signal.SIGINT or exc is None or not re.match(r"KeyboardInterrupt\b", exc):
        return None
    last = stderr.rsplit("Traceback (most recent call last):\n", 1)[-1]
    frames = list(_FRAME.finditer(last))
    if not frames:
        return "an unknown place (its traceback names no frame)"
    frame = frames[-1]
    source = (frame["src"] or "").strip()
    if re.match(r"raise\s+KeyboardInterrupt\b", source):  # raised by its code, not a signal
        return None
    place = f"{frame['file']}:{frame['line']} in `{frame['func'].strip()}`"
    return f"{place}: `{source}`" if source else place
