"""What a live process is doing, read from /proc: state, blocking system call, CPU time, fds.

Works for any worker, Python or not, without attaching to it: `/proc/PID/syscall` names the
call each thread is blocked in (read on fd 0 means waiting for stdin, write on fd 1 or 2 means
nobody drains that pipe), `/proc/PID/wchan` the kernel function it sleeps in.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import socket
import struct
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from poolctl.freezer import frozen_where
from poolctl.pipe_fill import unread_bytes as unread_bytes  # read here by most callers
from poolctl.program import running_program

# The system calls a blocked worker is typically found in, by number, per architecture.
_SYSCALLS: dict[str, dict[int, str]] = {
    "x86_64": {
        0: "read",
        1: "write",
        7: "poll",
        17: "pread64",
        18: "pwrite64",
        19: "readv",
        20: "writev",
        23: "select",
        34: "pause",
        35: "nanosleep",
        42: "connect",
        43: "accept",
        44: "sendto",
        45: "recvfrom",
        46: "sendmsg",
        47: "recvmsg",
        61: "wait4",
        72: "fcntl",
        73: "flock",
        128: "rt_sigtimedwait",
        130: "rt_sigsuspend",
        202: "futex",
        230: "clock_nanosleep",
        232: "epoll_wait",
        247: "waitid",
        270: "pselect6",
        271: "ppoll",
        281: "epoll_pwait",
        288: "accept4",
        441: "epoll_pwait2",
    },
    "aarch64": {
        22: "epoll_pwait",
        25: "fcntl",
        32: "flock",
        63: "read",
        64: "write",
        65: "readv",
        66: "writev",
        67: "pread64",
        68: "pwrite64",
        72: "pselect6",
        73: "ppoll",
        95: "waitid",
        98: "futex",
        101: "nanosleep",
        115: "clock_nanosleep",
        133: "rt_sigsuspend",
        137: "rt_sigtimedwait",
        202: "accept",
        203: "connect",
        206: "sendto",
        207: "recvfrom",
        211: "sendmsg",
        212: "recvmsg",
        242: "accept4",
        260: "wait4",
        441: "epoll_pwait2",
    },
}
SYSCALL_NAMES = _SYSCALLS.get(platform.machine(), {})

READS = frozenset({"read", "readv", "pread64", "recvfrom", "recvmsg"})
WRITES = frozenset({"write", "writev", "pwrite64", "sendto", "sendmsg"})
EVENT_WAITS = frozenset(
    {"poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait", "epoll_pwait2"}
)
CHILD_WAITS = frozenset({"wait4", "waitid"})
SLEEPS = frozenset({"nanosleep", "clock_nanosleep", "pause"})

_STATES = {
    "R": "running",
    "S": "sleeping",
    "D": "in uninterruptible sleep",
    "Z": "a zombie",
    "T": "stopped",
    "t": "stopped by a tracer",
    "X": "dead",
    "I": "idle",
}

CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Syscall:
    """The system call a thread is blocked in, from `/proc/PID/task/TID/syscall`."""

    name: str  # "read", "write", … ; "running" when on a CPU; "syscall 123" when unnamed
    number: int | None = None
    args: tuple[int, ...] = ()

    @property
    def fd(self) -> int | None:
        """The file descriptor argument of a read, write or epoll wait."""
        if self.args and (self.name in READS | WRITES or self.name.startswith("epoll")):
            return self.args[0]
        return None

    def describe(self, fds: dict[int, str] | None = None) -> str:
        fd = self.fd
        if fd is None:
            return self.name
        target = (fds or {}).get(fd)
        return f"{self.name}(fd {fd}{' = ' + target if target else ''})"


def parse_syscall(text: str) -> Syscall | None:
    """Parse `/proc/.../syscall`: `running`, `-1 sp pc` (not in a call) or `nr a1 … a6 sp pc`."""
    parts = text.split()
    if not parts:
        return None
    if parts[0] == "running":
        return Syscall("running")
    try:
        nr = int(parts[0])
        args = tuple(int(a, 16) for a in parts[1:7])
    except ValueError:
        return None
    if nr < 0:
        return Syscall("not in a system call")
    return Syscall(SYSCALL_NAMES.get(nr, f"syscall {nr}"), nr, args)


@dataclass(frozen=True)
class ThreadState:
    """One thread: its state letter, kernel wait channel and system call."""

    tid: int
    state: str
    wchan: str
    syscall: Syscall | None


@dataclass(frozen=True)
class ProcState:
    """A snapshot of one process."""

    pid: int
    comm: str
    state: str  # the state letter of the process (its main thread)
    ppid: int
    cpu_seconds: float
    age_seconds: float
    exe: str
    threads: tuple[ThreadState, ...]
    fds: dict[int, str] = field(default_factory=dict)  # fd -> "pipe:[123]", "/dev/null", …
    epoll_targets: dict[int, tuple[int, ...]] = field(default_factory=dict)  # epfd -> fds
    # the pseudo-terminal masters it holds: fd -> the N of the terminal /dev/pts/N (fdinfo's
    # tty-index), one it opened itself
    terminals: dict[int, str] = field(default_factory=dict)
    sid: int = 0  # its session (0: unknown); a descendant that called setsid() has its own
    cmdline: str = ""  # its command line, shell-quoted ("" when unreadable)
    stdout_flags: int | None = None  # its fd 1's open flags (O_NONBLOCK among them), from fdinfo
    # seconds its threads were runnable but not running (waiting for a CPU, or throttled by a
    # CPU quota), from /proc/PID/task/TID/schedstat; None where the kernel does not say
    cpu_wait_seconds: float | None = None
    # the freezer state file that says a cgroup freezer holds it (`…/freezer.state FROZEN`)
    frozen: str | None = None
    nice: int = 0  # its nice value (19: the lowest priority `nice` gives)

    @property
    def main(self) -> ThreadState | None:
        return next((t for t in self.threads if t.tid == self.pid), None)

    @property
    def state_text(self) -> str:
        return _STATES.get(self.state, self.state)

    def describe(self) -> str:
        """One line: `pid 12 (python3): sleeping in read(fd 0 = pipe:[9]), wchan pipe_read…`."""
        main = self.main
        call = ""
        if main is not None and main.syscall is not None and main.syscall.name != "running":
            call = f" in {main.syscall.describe(self.fds)}"
        wchan = f", wchan {main.wchan}" if main is not None and main.wchan else ""
        threads = f", {len(self.threads)} threads" if len(self.threads) > 1 else ""
        return (
            f"pid {self.pid} ({self.comm}): {self.state_text}{call}{wchan}, "
            f"{self.cpu_seconds:.2f} s CPU in {self.age_seconds:.2f} s{threads}"
        )


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return None


def _boot_relative_now() -> float:
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def _thread(pid: int, tid: int) -> ThreadState | None:
    base = f"/proc/{pid}/task/{tid}"
    stat = _read(f"{base}/stat")
    if stat is None:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    raw_syscall = _read(f"{base}/syscall")
    wchan = (_read(f"{base}/wchan") or "").strip()
    return ThreadState(
        tid=tid,
        state=fields[0] if fields else "?",
        wchan="" if wchan in ("0", "") else wchan,
        syscall=parse_syscall(raw_syscall) if raw_syscall is not None else None,
    )


def fd_targets(pid: int, fds: Iterable[int] | None = None) -> dict[int, str]:
    """Where a process's file descriptors point (all of them when `fds` is None)."""
    found: dict[int, str] = {}
    try:
        names = [str(fd) for fd in fds] if fds is not None else os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return found
    for name in names:
        with contextlib.suppress(OSError):
            found[int(name)] = os.readlink(f"/proc/{pid}/fd/{name}")
    return found


def _terminals(pid: int, fds: dict[int, str]) -> dict[int, str]:
    """The pseudo-terminal masters among `fds`, each with its terminal's number."""
    found = {}
    for fd in (fd for fd, path in fds.items() if path in ("/dev/ptmx", "/dev/pts/ptmx")):
        with contextlib.suppress(OSError, IndexError), open(f"/proc/{pid}/fdinfo/{fd}") as f:
            for line in f:
                if line.startswith("tty-index:"):
                    found[fd] = line.split()[1]
    return found


def _epoll_targets(pid: int, epfd: int) -> tuple[int, ...]:
    """The fds an epoll instance watches (`tfd:` lines of its fdinfo)."""
    text = _read(f"/proc/{pid}/fdinfo/{epfd}") or ""
    out = []
    for line in text.splitlines():
        if line.startswith("tfd:"):
            with contextlib.suppress(ValueError, IndexError):
                out.append(int(line.split()[1]))
    return tuple(out)


def snapshot(pid: int, max_threads: int = 64) -> ProcState | None:
    """A snapshot of `pid`, or None when it is gone or unreadable."""
    stat = _read(f"/proc/{pid}/stat")
    if stat is None:
        return None
    comm = stat[stat.find("(") + 1 : stat.rfind(")")]
    fields = stat[stat.rfind(")") + 2 :].split()
    try:
        utime, stime = int(fields[11]), int(fields[12])
        start_ticks = int(fields[19])
        ppid = int(fields[1])
        sid = int(fields[3])
    except (IndexError, ValueError):
        return None
    try:
        tids = sorted(int(t) for t in os.listdir(f"/proc/{pid}/task"))[:max_threads]
    except OSError:
        tids = [pid]
    threads = tuple(t for t in (_thread(pid, tid) for tid in tids) if t is not None)
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        exe = ""
    fds = fd_targets(pid)
    program = running_program(pid)
    epolls = {}
    for t in threads:
        sc = t.syscall
        if sc is not None and sc.name.startswith("epoll") and sc.fd is not None:
            epolls[sc.fd] = _epoll_targets(pid, sc.fd)
    return ProcState(
        pid=pid,
        comm=comm,
        state=fields[0],
        ppid=ppid,
        cpu_seconds=(utime + stime) / CLK_TCK,
        age_seconds=max(0.0, _boot_relative_now() - start_ticks / CLK_TCK),
        exe=exe,
        threads=threads,
        fds=fds,
        epoll_targets=epolls,
        terminals=_terminals(pid, fds),
        sid=sid,
        cmdline=program[1] if program is not None else "",
        stdout_flags=fd_flags(pid, 1),
        cpu_wait_seconds=_cpu_wait(pid, tids),
        frozen=frozen_where(pid) if fields[0] in ("D", "S") else None,  # frozen: D, v2's S
        nice=int(fields[16]) if len(fields) > 16 and fields[16].lstrip("-").isdigit() else 0,
    )


def cpu_waited(pid: int) -> float:
    """The seconds `pid`'s threads have spent waiting for a CPU so far (0 when unknown)."""
    try:
        tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    except (OSError, ValueError):
        return 0.0
    return _cpu_wait(pid, tids) or 0.0


def _cpu_wait(pid: int, tids: Iterable[int]) -> float | None:
    """The seconds `pid`'s threads spent runnable, waiting for a CPU: each one's schedstat
    run_delay (its second field, in nanoseconds). None when none could be read."""
    total, read = 0, False
    for tid in tids:
        text = _read(f"/proc/{pid}/task/{tid}/schedstat")
        fields = text.split() if text else []
        if len(fields) >= 2 and fields[1].isdigit():
            total += int(fields[1])
            read = True
    return total / 1e9 if read else None


def tree_cpu_seconds(family: list[int]) -> float | None:
    """The CPU time a process and its live descendants (`family`, the process first) have used
    (a launcher's server included), or None when the process is gone."""
    total = 0.0
    for one in family:
        stat = _read(f"/proc/{one}/stat")
        fields = stat[stat.rfind(")") + 2 :].split() if stat is not None else []
        if len(fields) < 13:
            if one == family[0]:
                return None
            continue  # a child that ended meanwhile
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def fd_flags(pid: int, fd: int) -> int | None:
    """The open flags of `pid`'s `fd` (`flags:` of its fdinfo, in octal), or None."""
    text = _read(f"/proc/{pid}/fdinfo/{fd}") or ""
    found = re.search(r"^flags:\s*([0-7]+)$", text, re.MULTILINE)
    return int(found[1], 8) if found else None


def waits_for_input(pids: Iterable[int], stdin_pipe: str) -> bool:
    """Whether a thread of one of `pids` sleeps reading `stdin_pipe`, or in an event loop's wait
    that watches it (epoll): the process waits for its next message."""
    for pid in pids:
        p = snapshot(pid)
        if p is None:
            continue
        for t in p.threads:
            sc = t.syscall
            if sc is None or sc.fd is None or t.state not in ("S", "D"):
                continue
            if sc.name in READS and p.fds.get(sc.fd) == stdin_pipe:
                return True
            watched = p.epoll_targets.get(sc.fd, ()) if sc.name.startswith("epoll") else ()
            if any(p.fds.get(fd) == stdin_pipe for fd in watched):
                return True
    return False


def off_input(pid: int) -> bool:
    """Whether every thread of `pid` runs, sleeps on a timer (`time.sleep`, `pause`) or is
    ending: it waits for nothing it could be sent. False when that cannot be told."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    threads = [_thread(pid, int(tid)) for tid in tids]
    return bool(threads) and all(
        t is not None
        and (
            t.state in ("R", "Z", "X")
            or (t.syscall is not None and (t.syscall.name == "running" or t.syscall.name in SLEEPS))
        )
        for t in threads
    )


def pipe_name(fd: int) -> str:
    """How /proc names the pipe (or file) behind one of our own fds: `pipe:[12345]`."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return f"pipe:[{os.fstat(fd).st_ino}]"


def holders(target: str, exclude: Iterable[int] = ()) -> list[tuple[int, int, str]]:
    """Processes with an fd on `target` (e.g. `pipe:[123]`): (pid, fd, comm)."""
    skip = set(exclude) | {os.getpid()}
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in skip:
            continue
        pid = int(entry)
        for fd, where in fd_targets(pid).items():
            if where == target:
                comm = (_read(f"/proc/{pid}/comm") or "?").strip()
                found.append((pid, fd, comm))
    return found


def holders_of_our_fd(fd: int, exclude: Iterable[int] = ()) -> list[tuple[int, int, str]]:
    """`holders` of the pipe behind one of our own fds (a worker's stdout: what it left
    running); none when the fd is closed already."""
    try:
        pipe = pipe_name(fd)
    except OSError:
        return []
    return holders(pipe, exclude)


def listening_sockets() -> dict[str, str]:
    """The sockets that listen, by the name /proc gives them in a process's fds
    (`socket:[12345]`): their address (`127.0.0.1:8080`, `[::]:8080`, `unix /tmp/lsp.sock`)."""
    found: dict[str, str] = {}
    for table, six in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        for fields in table_rows(table):
            if len(fields) > 9 and fields[3] == "0A":  # TCP_LISTEN
                found[f"socket:[{fields[9]}]"] = tcp_address(fields[1], six)
    for fields in table_rows("/proc/net/unix"):
        if len(fields) > 6 and int(fields[3], 16) & 0x10000:  # __SO_ACCEPTCON: it listens
            path = fields[7] if len(fields) > 7 else "(unnamed)"
            found[f"socket:[{fields[6]}]"] = f"unix {path}"
    return found


def table_rows(path: str) -> list[list[str]]:
    """The rows of a /proc/net table, split on whitespace, its header left out."""
    text = _read(path) or ""
    return [line.split() for line in text.splitlines()[1:]]


def tcp_address(hex_address: str, six: bool) -> str:
    """`0100007F:6E18` -> `127.0.0.1:28184`: the kernel prints the address as 32-bit words in
    the host's byte order, the port as a number."""
    host, _, port = hex_address.partition(":")
    raw = b"".join(
        int(host[i : i + 8], 16).to_bytes(4, sys.byteorder) for i in range(0, len(host), 8)
    )
    if six:
        return f"[{socket.inet_ntop(socket.AF_INET6, raw)}]:{int(port, 16)}"
    return f"{socket.inet_ntop(socket.AF_INET, raw)}:{int(port, 16)}"


_POLLFD = struct.Struct("iHH")  # struct pollfd: int fd; short events; short revents


def polled_fds(pid: int, call: Syscall) -> list[int] | None:
    """The fds a thread blocked in poll/ppoll (its pollfd array) or select/pselect6 (its read
    set) waits on, read from the process's memory, which its parent may read (poolctl started
    it); None when that cannot be read, or it is in no such call."""
    if not call.args or len(call.args) < 2:
        return None
    if call.name in ("poll", "ppoll"):
        address, size = call.args[0], _POLLFD.size * min(call.args[1], 256)
    elif call.name in ("select", "pselect6"):
        address, size = call.args[1], (min(call.args[0], 4096) + 7) // 8
    else:
        return None
    if not address or not size:
        return None
    try:
        with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
            mem.seek(address)
            data = mem.read(size)
    except (OSError, ValueError, OverflowError):
        return None
    if call.name in ("poll", "ppoll"):
        whole = data[: len(data) // _POLLFD.size * _POLLFD.size]
        return [fd for fd, _, _ in _POLLFD.iter_unpack(whole) if fd >= 0]
    bits = int.from_bytes(data, "little")  # an fd_set: fd n is bit n
    return [fd for fd in range(len(data) * 8) if bits >> fd & 1]
