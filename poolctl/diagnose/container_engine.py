"""A server started in a container (`docker run -i --rm mcp/git`, as MCP clients' settings
often start one) whose container engine cannot be reached: the docker client says `docker:
Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon
running?` and exits with code 125 before any server runs. The fix is the engine, not the
server."""

from __future__ import annotations

import re
from dataclasses import dataclass

from poolctl.model import Evidence

_UNREACHABLE = re.compile(
    r"^.*Cannot connect to (?:the )?(?P<engine>Docker daemon|Podman)"
    r"(?: at (?P<address>\S+?))?[.,](?=\s|$).*$",
    re.M,
)


@dataclass(frozen=True)
class EngineDown:
    """The container engine a wrapper could not reach, in its own words."""

    engine: str  # `Docker daemon`, `Podman`
    address: str  # where it looked, or ""
    line: str

    def why(self) -> str:
        at = f" at {self.address}" if self.address else ""
        return (
            f"its container engine could not be reached (the {self.engine}{at}): the server in "
            "the container never started"
        )

    def fix(self) -> str:
        if self.engine == "Podman":
            start = "Start Podman's service or machine (`podman system connection list` names it)"
        else:
            start = (
                "Start the Docker daemon (`systemctl start docker`, or Docker Desktop), or point "
                "DOCKER_HOST at one that runs"
            )
        return (
            f"{start}, then start the worker again; or run the server without a container, by "
            "its package's own command: the pool's settings are not the cause."
        )

    def evidence(self, origin: str) -> Evidence:
        return Evidence(self.line, origin, "its container engine's client, unable to reach it")


def engine_down(stderr: str) -> EngineDown | None:
    """The container engine a worker's stderr says could not be reached, if it says so."""
    found = _UNREACHABLE.search(stderr)
    if found is None:
        return None
    return EngineDown(found["engine"], found["address"] or "", found[0].strip()[:300])
