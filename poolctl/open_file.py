"""Whether two file descriptors, of one process or two, are one open file: kcmp(2)'s
KCMP_FILE. /proc names only the path a descriptor points to (`/dev/null`), the same for every
open of it; a copy (`dup2`) shares the open file itself, which only the kernel can tell.

A few lines of `ctypes`: Python has no binding for kcmp. The call needs the right to read
both processes (as for /proc/PID/fd: the same user, a dumpable process) and a kernel built
with it (CONFIG_KCMP); where it is refused, the answer is None, and nothing is claimed.
"""

from __future__ import annotations

import ctypes
import functools
import platform
from collections.abc import Callable

KCMP_FILE = 0
# kcmp's system call number, by machine (the kernel's syscall tables); elsewhere: not asked
SYSCALLS = {"x86_64": 312, "aarch64": 272, "riscv64": 272, "ppc64le": 354, "s390x": 343}


@functools.cache
def _syscall() -> Callable[..., int] | None:
    number = SYSCALLS.get(platform.machine())
    if number is None:
        return None
    try:
        call = ctypes.CDLL(None, use_errno=True).syscall  # the C library poolctl runs on
    except (OSError, AttributeError):
        return None
    return functools.partial(call, number)


def same_open_file(pid_a: int, fd_a: int, pid_b: int, fd_b: int) -> bool | None:
    """True when fd `fd_a` of process `pid_a` and fd `fd_b` of `pid_b` are one open file;
    False when they are two; None when the kernel would not say (no kcmp, refused, a process
    gone or a descriptor closed)."""
    call = _syscall()
    if call is None:
        return None
    args = (ctypes.c_long(pid_a), ctypes.c_long(pid_b), ctypes.c_long(KCMP_FILE))
    found = call(*args, ctypes.c_long(fd_a), ctypes.c_long(fd_b))
    if found < 0:  # EPERM, ESRCH, EBADF, ENOSYS
        return None
    return found == 0  # 1 and 2 order two different files


__all__ = ["same_open_file"]
