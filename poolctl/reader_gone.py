"""A standard stream whose reader went away: what is still written goes nowhere.

Kept apart from `poolctl.console` (which imports rich): `poolctl --version` answers before
anything else is imported.
"""

from __future__ import annotations

import contextlib
import errno
import os
from typing import IO

from poolctl.errors import PoolctlError


def reader_gone(exc: OSError, stream: IO[str] | IO[bytes]) -> None:
    """The pipe's reader went away (`poolctl … | head`), or the terminal did (a closed
    window, a dropped ssh: EIO): what follows goes nowhere, and the run ends as it would
    have (its report written, its folder scrubbed, its exit code), not by an exception
    from the middle of it. The descriptor now points at /dev/null, so that what Python
    still holds for it flushes without an error at exit. Any other error of standard output
    (a full disk under `> file`, `>/dev/full`) is bad output: an `OutputError` naming it,
    raised with the stream pointed at /dev/null all the same (it was blamed on the run folder,
    or a traceback). Standard error that cannot be written (`2>/dev/full`) is as good as gone:
    no line could say so, and its progress lines cost a scenario its run and its report (exit 2
    at the first one, nothing said), a triage its verdict."""
    name = STREAMS.get(_fileno(stream))
    if exc.errno not in (errno.EPIPE, errno.EIO) and name is None:
        raise exc
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    if exc.errno not in (errno.EPIPE, errno.EIO) and name == STREAMS[1]:
        raise OutputError(f"cannot write {name}: {exc.strerror or exc}") from None


STREAMS = {1: "standard output", 2: "standard error"}


class OutputError(PoolctlError):
    """A standard stream that cannot be written (its reader gone is no error)."""


def _fileno(stream: IO[str] | IO[bytes]) -> int:
    try:
        return stream.fileno()
    except (OSError, ValueError):
        return -1
