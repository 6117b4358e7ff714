"""The moment a child starts: the thread starting it has the signals poolctl blocks unblocked,
so that the child inherits none blocked (`SignalWaiter.unblocked`). A hostile signal a worker's
family sends poolctl with kill() in that moment (another worker's child, its copies starting
side by side) reaches that thread, not the signal thread, and its default action ended poolctl
(SIGSEGV: exit -11 with no report).

For that moment each hostile signal left to its default action gets a handler that does nothing
and that the kernel resets to the default on its first delivery (SA_RESETHAND): a kill() is
swallowed, and seen afterwards by the default found in its place; a fault of poolctl's own
faults again on return and crashes it as before. A child does not keep the handler: exec
resets every handled signal to its default. Done with libc's sigaction, which Python's
`signal` module does not expose with its flags; the handler is libc's getpid, async-signal-safe
and free of effects.
"""

from __future__ import annotations

import ctypes
import platform
import signal
import sys
import threading
from collections.abc import Collection

SA_RESTART = 0x10000000
SA_RESETHAND = 0x80000000
SIG_DFL = 0
# the architectures whose glibc `struct sigaction` is laid out as below
_LAID_OUT = {"x86_64", "aarch64"}


class _SigAction(ctypes.Structure):
    _fields_ = [
        ("handler", ctypes.c_void_p),
        ("mask", ctypes.c_ulong * 16),  # sigset_t: 1024 bits
        ("flags", ctypes.c_int),
        ("restorer", ctypes.c_void_p),
    ]


class StartWindow:
    """The guard of the hostile signals while any thread starts a child, and the kill()s it
    swallowed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = 0  # threads starting a child now
        self._guarded: tuple[signal.Signals, ...] = ()
        self._libc: ctypes.CDLL | None = None
        self._handler = 0  # the address of libc's getpid

    def open(self, hostile: Collection[signal.Signals]) -> list[signal.Signals]:
        """A thread starts a child: guard `hostile` (those left to their default action).
        The signals swallowed while another thread's child started, if any."""
        with self._lock:
            if not self._ready():
                return []
            first = self._open == 0
            if first:
                self._guarded = tuple(hostile)
            self._open += 1
            fired = [] if first else self._fired()
            self._arm(self._handler, SA_RESETHAND | SA_RESTART)
            return fired

    def close(self) -> list[signal.Signals]:
        """The child started: once no other thread starts one, every guarded signal is left to
        its default again. The signals swallowed meanwhile, in order."""
        with self._lock:
            if self._libc is None or self._open == 0:
                return []
            fired = self._fired()
            self._open -= 1
            if self._open > 0:
                self._arm(self._handler, SA_RESETHAND | SA_RESTART)
            else:
                self._arm(SIG_DFL, 0)
            return fired

    def _ready(self) -> bool:
        if self._libc is None and sys.platform.startswith("linux"):
            if platform.machine() in _LAID_OUT:
                libc = ctypes.CDLL(None, use_errno=True)
                self._handler = ctypes.cast(libc.getpid, ctypes.c_void_p).value or 0
                self._libc = libc
        return self._libc is not None and self._handler != 0

    def _fired(self) -> list[signal.Signals]:
        """The guarded signals the kernel reset to their default: each delivered once."""
        return [sig for sig in self._guarded if self._get(sig) == SIG_DFL]

    def _arm(self, handler: int, flags: int) -> None:
        for sig in self._guarded:
            if self._get(sig) != handler:
                self._set(sig, handler, flags)

    def _get(self, sig: signal.Signals) -> int:
        assert self._libc is not None
        old = _SigAction()
        self._libc.sigaction(int(sig), None, ctypes.byref(old))
        return old.handler or 0

    def _set(self, sig: signal.Signals, handler: int, flags: int) -> None:
        assert self._libc is not None
        new = _SigAction()
        new.handler = handler
        new.flags = flags
        self._libc.sigaction(int(sig), ctypes.byref(new), None)


WINDOW = StartWindow()
