"""A server that exits with an error code and says nothing, whose environment names a service on
this machine that nothing listens on. @benborla29/mcp-server-mysql 2.0.9 answers initialize,
connects to MySQL at MYSQL_HOST:MYSQL_PORT, and on `connect ECONNREFUSED 127.0.0.1:3306`
exits with code 1: its log function writes only under ENABLE_LOGGING, so its stderr stays
empty. poolctl sees no connect (it traces no system calls, and a refused loopback connect is
gone within microseconds, too soon for any sampling of the process's sockets); what it can
check is the kernel's table of listening sockets after the exit: nothing listened on the port
its environment names. That the server tried that port and exited of it stays untested."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

from poolctl.model import Evidence

# `mysql://u:p@127.0.0.1:3306/db`, `redis://localhost:6379`: a URL with a host and a port
_URL = re.compile(
    r"^[a-z][a-z0-9+.-]*://(?:[^@/\s]*@)?(?P<host>\[[^\]]+\]|[^:/?#@\s]+):(?P<port>\d+)"
)
_LISTEN = "0A"  # the TCP state LISTEN in /proc/net/tcp


@dataclass(frozen=True)
class Endpoint:
    """A host and port on this machine the worker's environment names, and by which variables."""

    host: str
    port: int
    names: tuple[str, ...]  # `MYSQL_HOST`, `MYSQL_PORT`; or the one holding a URL

    def why(self) -> str:
        return (
            f"; its environment names {self.address} ({', '.join(self.names)}), and nothing "
            f"listened on port {self.port} there after it exited (the kernel's table of "
            "listening sockets): a connection there is refused. That it tried one and exited "
            "of it is untested: it wrote nothing, and poolctl traces no connects"
        )

    def fix(self) -> str:
        return (
            f"Start the service it connects to on {self.address}, or point "
            f"{' and '.join(self.names)} at one that runs, and start it again. Its own word of "
            "why it exits may come with its logging on, where it has a setting for it."
        )

    def evidence(self) -> Evidence:
        return Evidence(
            f"no listening socket on port {self.port}",
            "/proc/net/tcp, /proc/net/tcp6",
            f"read after it exited: nothing serves {self.address}, which "
            f"{', '.join(self.names)} name",
        )

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def _loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _port(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and 0 < int(text) < 65536 else None


def named_endpoints(env: dict[str, str]) -> list[Endpoint]:
    """The loopback services `env` names: a `<X>HOST` with its `<X>PORT` (MYSQL_HOST and
    MYSQL_PORT, PGHOST and PGPORT), or a URL with a host and a port (DATABASE_URL)."""
    found: list[Endpoint] = []
    for name, value in sorted(env.items()):
        if name.startswith("POOLCTL_"):
            continue
        if name.endswith("HOST") and _loopback(value):
            port_name = name[: -len("HOST")] + "PORT"
            if (port := _port(env.get(port_name))) is not None:
                found.append(Endpoint(value.strip("[]"), port, (name, port_name)))
        elif (url := _URL.match(value)) and _loopback(url["host"]) and _port(url["port"]):
            found.append(Endpoint(url["host"].strip("[]"), int(url["port"]), (name,)))
    return found


def listening_ports(proc: Path = Path("/proc/net")) -> set[int] | None:
    """The TCP ports some socket listens on in this network namespace (None: unreadable)."""
    ports: set[int] = set()
    read = False
    for table in ("tcp", "tcp6"):
        try:
            lines = (proc / table).read_text().splitlines()[1:]
        except OSError:
            continue
        read = True
        for line in lines:
            fields = line.split()
            if len(fields) > 3 and fields[3] == _LISTEN:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports if read else None


def endpoint_down(env: dict[str, str]) -> Endpoint | None:
    """The first loopback service `env` names that nothing listens on (None: none named, all
    served, or the tables unreadable)."""
    endpoints = named_endpoints(env)
    if not endpoints:
        return None
    listening = listening_ports()
    if listening is None:
        return None
    return next((e for e in endpoints if e.port not in listening), None)
