"""The output processing a worker turned on in the terminal of the buffering experiment
(poolctl/diagnose/pty_probe.py makes it raw): with OPOST and ONLCR, as `stty sane` or `stty
onlcr` set them, the terminal writes each `\\n` the worker writes as `\\r\\n`, which breaks a
length-prefixed frame or a Content-Length header. Undone exactly, the bytes are what it wrote,
and its answer is read as an answer (it was said 'no answer', and a block-buffered worker was
told to read one message at a time)."""

from __future__ import annotations

import termios

# output flags that rewrite bytes otherwise (CR to NL, CR dropped, NL as CR, lower to upper
# case, tabs to spaces): no exact undoing is attempted under any of them
_OTHER_REWRITES = termios.OCRNL | termios.ONOCR | termios.ONLRET | termios.OLCUC | termios.TAB3

# said of an answer read through them, after the experiment's `answered in … ms`
UNDONE_SAID = (
    "; the worker turned the terminal's output processing on (OPOST and ONLCR, as `stty sane` "
    "does), so each `\\n` it wrote came as `\\r\\n`: read as it wrote it"
)


def adds_carriage_returns(fd: int) -> bool:
    """Whether the terminal of `fd` (either side) writes each `\\n` as `\\r\\n` and rewrites
    nothing else."""
    try:
        oflag = termios.tcgetattr(fd)[1]
    except termios.error:  # closed by now
        return False
    both = termios.OPOST | termios.ONLCR
    return oflag & both == both and not oflag & _OTHER_REWRITES


class CarriageReturnsUndone:
    """The bytes read from the terminal's master `fd`, with the `\\r` before each `\\n` taken
    off from the first chunk read while its output processing adds them (see the module)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.seen = False  # once on, the bytes before the next read were written under it
        self._held = b""  # a `\r` that ended a chunk: the terminal's, if a `\n` follows

    def feed(self, chunk: bytes) -> bytes:
        self.seen = self.seen or adds_carriage_returns(self.fd)
        if not self.seen:
            return chunk
        data, self._held = self._held + chunk, b""
        if data.endswith(b"\r"):
            data, self._held = data[:-1], b"\r"
        return data.replace(b"\r\n", b"\n")  # the worker's own `\r\n` came as `\r\r\n`
