"""Processes held by pidfd from the moment a search of /proc found them: a signal sent through
a pidfd reaches the process the search saw or, once it has exited, none; never a process
given its pid later. A worker's stop searches its family first, then signals it over seconds
(stdin closed, half a second for it to exit, SIGTERM and SIGCONT, the grace, SIGKILL): time
enough for a child that exited meanwhile to have its pid taken by another process, which a
signal by pid would hit. Each pid is opened, then checked against what the search saw of it
(the start tick and /proc inode, `proctree.seen_now`): one opened after its pid was taken
again is let go. Where there are no pidfds (Linux before 5.3; an fd limit reached), by pid as
before.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Mapping

from poolctl.proctree import Seen, seen_now


class Held:
    """The processes of a search, held by pidfd; signalled together, closed once done."""

    def __init__(self) -> None:
        self.fds: dict[int, int] = {}
        self.by_pid: set[int] = set()  # no pidfd to be had: signalled by pid

    @property
    def pids(self) -> set[int]:
        return set(self.fds) | self.by_pid

    def add(self, seen: Mapping[int, Seen | None]) -> set[int]:
        """Hold the processes a search saw (pid -> what it saw of it; None: unread) that are
        still those processes; the pids newly held."""
        added = set()
        for pid, saw in seen.items():
            if pid in self.fds or pid in self.by_pid:
                continue
            try:
                fd = os.pidfd_open(pid)
            except ProcessLookupError:
                continue  # gone: nothing to signal
            except OSError:  # no pidfds here, or no descriptor left
                self.by_pid.add(pid)
                added.add(pid)
                continue
            # read after the open: a pid taken again before it shows another start (or is
            # gone), and what the descriptor holds is then not the process the search saw
            if saw is not None and seen_now(pid, inode=saw[0] != 0) != saw:
                os.close(fd)
                continue
            self.fds[pid] = fd
            added.add(pid)
        return added

    def signal(self, sig: signal.Signals) -> None:
        for fd in self.fds.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                signal.pidfd_send_signal(fd, sig)
        for pid in self.by_pid:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)

    def close(self) -> None:
        fds, self.fds = self.fds, {}
        for fd in fds.values():
            os.close(fd)
        self.by_pid.clear()


__all__ = ["Held"]
