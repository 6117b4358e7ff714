"""How many bytes wait in a pipe, asked on either end (`FIONREAD`): a worker's stdin pipe holds
the request it has not read yet."""

from __future__ import annotations

import array
import fcntl
import termios


def unread_bytes(fd: int) -> int | None:
    """Bytes waiting in the pipe behind `fd` (either end), or None when it cannot be told."""
    buf = array.array("i", [0])
    try:
        fcntl.ioctl(fd, termios.FIONREAD, buf, True)
    except OSError:
        return None
    return int(buf[0])
