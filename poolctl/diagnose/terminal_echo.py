"""A worker run behind a pseudo-terminal: `script -q -c 'server' /dev/null`, `unbuffer server`,
a wrapper that opens a pty so its server line-buffers. The server's stdin and stdout are the
terminal, not poolctl's pipes; the wrapper copies bytes between them. A terminal in its default
mode echoes what it is given back onto its output (control bytes as `^@`, `^C`…), so the first
bytes on the worker's stdout are the request itself; it hands input over a line at a time
(canonical mode), takes control bytes for keys (Ctrl-C sends SIGINT, Ctrl-D ends input) and
writes `\\n` as `\\r\\n`. No frame crosses it whole, and the text on stdout is none of the
server's."""

from __future__ import annotations

from dataclasses import dataclass

from poolctl.model import Evidence

from .live import Live
from .procinfo import ProcState

_PTS = "/dev/pts/"
_MASTER = "/dev/ptmx"
_SAME_AT_LEAST = 8  # echoed bytes that must match before the text is taken for the echo
FIX = (
    "Start the server itself as the worker, not behind `script`, `unbuffer` or another "
    "program that gives it a pseudo-terminal: the terminal echoes each request back onto "
    "stdout, holds input until a newline, takes control bytes for keys (Ctrl-C, Ctrl-D) and "
    "writes `\\n` as `\\r\\n`, so no frame crosses it whole. To have its output line-buffered "
    "or unbuffered, use its runtime's own switch (`python -u`, `stdbuf -oL`, flushing after "
    "each message)."
)


def echoed(data: bytes) -> bytes:
    """`data` as a terminal in its default mode (ECHO, ECHOCTL, ONLCR) echoes it: a control
    byte but tab and newline as `^` and a letter, DEL as `^?`, a newline as CR LF."""
    out = bytearray()
    for b in data:
        if b == 0x0A:
            out += b"\r\n"
        elif b < 0x20 and b != 0x09:
            out += bytes((0x5E, b + 0x40))
        elif b == 0x7F:
            out += b"^?"
        else:
            out.append(b)
    return bytes(out)


@dataclass(frozen=True)
class TerminalEcho:
    """The worker's process on a pseudo-terminal, the one holding its other end, and how much
    of the text on stdout is the request echoed."""

    server: ProcState
    terminal: str  # /dev/pts/N
    holder: ProcState | None  # the process holding the terminal's master side
    echoed: int  # bytes of stdout that are the request as the terminal echoes it
    origin: str

    def verdict(self) -> str:
        fds = [str(fd) for fd in (0, 1) if self.server.fds.get(fd) == self.terminal]
        held = ""
        if self.holder is not None:
            held = f", whose other end pid {self.holder.pid} ({self.holder.comm}) holds"
        return (
            f"The worker runs behind a pseudo-terminal: pid {self.server.pid} "
            f"({self.server.comm}) has {self.terminal} for its fd {' and '.join(fds)}{held}, "
            f"not poolctl's pipes; the first {self.echoed:,} bytes on stdout are the "
            "request echoed back by the terminal, none of the server's output"
        )

    def evidence(self) -> tuple[Evidence, ...]:
        reads = ""
        if _reads(self.server):
            reads = f"; it is blocked reading {self.terminal}, the request held by the terminal"
        return (
            Evidence(
                f"pid {self.server.pid} ({self.server.comm}): fds "
                + ", ".join(f"{fd}={t}" for fd, t in sorted(self.server.fds.items()) if fd < 3)
                + reads,
                self.origin,
                "a process of the worker on a pseudo-terminal",
            ),
        )


def terminal_echo(
    live: Live | None, request: bytes, stdout: bytes, origin: str
) -> TerminalEcho | None:
    """The pseudo-terminal a process of the worker reads or writes instead of its pipes, when
    `stdout` begins with `request` as that terminal echoes it; None otherwise."""
    if live is None or not request:
        return None
    on_terminal = [p for p in live.processes if _on_a_terminal(p)]
    if not on_terminal:
        return None
    # A wrapper's shell may still wait for its child on the terminal: the one reading it serves
    server = next((p for p in on_terminal if _reads(p)), on_terminal[-1])
    echo = echoed(request)
    same = 0
    for a, b in zip(echo, stdout, strict=False):
        if a != b:
            break
        same += 1
    if same < min(_SAME_AT_LEAST, len(echo)):
        return None
    terminal = next(t for fd, t in server.fds.items() if fd in (0, 1) and t.startswith(_PTS))
    holder = next((p for p in live.processes if _MASTER in p.fds.values()), None)
    return TerminalEcho(server, terminal, holder, same, origin)


def _reads(p: ProcState) -> bool:
    main = p.main
    return main is not None and main.syscall is not None and main.syscall.name == "read"


def _on_a_terminal(p: ProcState) -> bool:
    return any(p.fds.get(fd, "").startswith(_PTS) for fd in (0, 1))
