"""A silent worker whose handler waits on a connection it opened: a database, an API, another
service it called, which has not answered (or, connecting, not accepted). Read from where its
main thread is blocked (a read or a connect on a socket, or a poll of one) and the kernel's
TCP table; the listener, when the peer is on this machine."""

from __future__ import annotations

from dataclasses import dataclass

from poolctl.model import Evidence

from . import procinfo
from .observe import Observations

# /proc/net/tcp's state codes poolctl names
_STATES = {"01": "established", "02": "connecting (SYN sent)", "08": "closed by the peer"}


@dataclass(frozen=True)
class PeerWait:
    """The connection a worker's handler waits on."""

    pid: int
    fd: int
    call: str
    local: str
    remote: str
    state: str  # a _STATES code
    server: str  # who listens at `remote` on this machine ("" when none is seen)

    @property
    def connecting(self) -> bool:
        return self.state == "02"

    def evidence(self) -> Evidence:
        what = _STATES.get(self.state, f"state {self.state}")
        served = f"; {self.remote} is served here by {self.server}" if self.server else ""
        return Evidence(
            f"pid {self.pid} waits in {self.call} on fd {self.fd}, a TCP connection from "
            f"{self.local} to {self.remote} ({what}){served}",
            "/proc/net/tcp",
        )


def peer_wait(obs: Observations) -> PeerWait | None:
    """The TCP connection the worker's main thread is blocked on, if it is one."""
    live = obs.live
    p = live.busiest() if live is not None else None
    call = p.main.syscall if p is not None and p.main is not None else None
    if p is None or call is None or not call.args:
        return None
    if call.name in procinfo.READS or call.name == "connect":
        fds = [call.args[0]]
    else:
        fds = procinfo.polled_fds(p.pid, call) or []
    for fd in fds:
        target = p.fds.get(fd) or procinfo.fd_targets(p.pid, [fd]).get(fd, "")
        if fd <= 2 or not target.startswith("socket:["):  # its stdio are poolctl's
            continue
        found = _connection(target[len("socket:[") : -1])
        if found is not None:
            local, remote, state = found
            return PeerWait(p.pid, fd, call.name, local, remote, state, _server(local, remote))
    return None


def _connection(inode: str) -> tuple[str, str, str] | None:
    """(local, remote, state) of the TCP socket with this inode."""
    for table, six in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        for fields in procinfo.table_rows(table):
            if len(fields) > 9 and fields[9] == inode:
                local = procinfo.tcp_address(fields[1], six)
                return local, procinfo.tcp_address(fields[2], six), fields[3]
    return None


def _server(local: str, remote: str) -> str:
    """Who listens at `remote` on this machine (`pid 12 (postgres)`), when one does: a loopback
    address, or the connection's own local one (no name is looked up: DNS may hang)."""
    host, _, port = remote.rpartition(":")
    if not (host.startswith(("127.", "[::1]", "[::ffff:127.")) or host == local.rpartition(":")[0]):
        return ""
    for name, address in procinfo.listening_sockets().items():
        if address.rpartition(":")[2] == port:
            for pid, _, comm in procinfo.holders(name)[:1]:
                return f"pid {pid} ({comm})"
    return ""


def wait_words(wait: PeerWait) -> tuple[str, str]:
    """What the wait says of the silence, and the step it points to."""
    if wait.connecting:
        said = (
            f"; its handler is connecting to {wait.remote}, which has not accepted (its SYN "
            "unanswered: the host is down, unreachable, or a firewall drops it)"
        )
    else:
        said = (
            f"; its handler waits for {wait.remote} to answer, on a connection it opened (a "
            "database, an API or another service it called)"
        )
    step = (
        f"check the service at {wait.remote}"
        + (f" ({wait.server})" if wait.server else "")
        + ", and give that call a timeout and an error answer, so that a caller gets an "
        "error, not a silence"
    )
    return said, step
