"""Standard input that is a terminal: a person types or pastes a log and ends it with Ctrl-D.

A terminal's end of input does not last as a file's or a pipe's does: Ctrl-D makes one read
return nothing, and the next read waits for more typing. Reading a log takes more than one read
past its end (the format's sniffing, then the parse), and `poolctl triage -` on a terminal
waited on after the first Ctrl-D: a person had to press it three times, seeing nothing happen
the first two. Read through `TerminalInput`, the first end is the end.
"""

from __future__ import annotations

import io
import os
from typing import Any


class TerminalInput(io.RawIOBase):
    """Reads the terminal `fd` until its first end of input, and nothing after it."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.ended = False

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.ended:
            return 0
        data = os.read(self.fd, len(buffer))
        self.ended = not data
        buffer[: len(data)] = data
        return len(data)
