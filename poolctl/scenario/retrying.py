"""A worker that gave a request no answer while its stderr logged, again and again, that it could
not reach a service: mcp-neo4j-cypher 0.6.0 with no Neo4j answers read_neo4j_cypher with
nothing for longer than a 30 s request_timeout, its driver logging `Transaction failed and will
be retried in 0.81s (Couldn't connect to localhost:7687 …)` five times meanwhile. Its request
waited on the retries: the service, not the request, is what to fix. A line naming no address
(arxiv-mcp-server 0.8.2 offline: `arXiv API request connection error; retrying in 2.0s`) is
told the way to a service it calls, not to start one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from poolctl.diagnose.asks import failure_to_reach
from poolctl.model import Evidence
from poolctl.pool import Pool

# `localhost:7687`, `127.0.0.1:5432`, `[::1]:6379`: the address the failed connection named
_ADDRESS = re.compile(
    r"(?<![\w.])(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):\d{2,5}\b"
)
_READ_AT_MOST = 65536  # of the end of its stderr log


@dataclass(frozen=True)
class Retrying:
    """The first such line, how many there were, and the address it names ("" when none)."""

    line: str
    count: int
    address: str
    origin: str

    def why(self) -> str:
        at = f" at {self.address}" if self.address else ""
        return (
            f"; meanwhile its stderr logged {self.count} failed connection(s) to a service{at} "
            f"(`{self.line}`): the request waited on its retries of a service it could not reach"
        )

    def fix(self) -> str:
        if not self.address:  # a service it names no address of: a remote one, maybe
            return (
                "Give the worker a way to the service it connects to (the network, a name "
                "server, or a proxy it is to use), or a request_timeout above its retries: the "
                "request waits while it retries."
            )
        return (
            f"Start the service the worker connects to ({self.address}) before the pool, or "
            "give the worker the address of one that runs (its settings or environment): the "
            "request waits while it retries, past its request_timeout."
        )

    def evidence(self) -> Evidence:
        return Evidence(self.line, self.origin, f"the first of {self.count} such lines")


def retrying_service(pool: Pool, worker_id: str) -> Retrying | None:
    """The failed connections the worker logged, when it logged more than one (one is an
    error of its start it may have got past)."""
    worker = next((w for w in pool.all_workers if w.id == worker_id), None)
    if worker is None or worker.process is None:
        return None
    stderr = worker.process.stderr_tail(_READ_AT_MOST)
    failed = [line for line in stderr.splitlines() if failure_to_reach(line)]
    if len(failed) < 2:
        return None
    first = failed[0].strip()[:200]
    address = _ADDRESS.search(first)
    origin = f"workers/{worker_id}.stderr.log"
    return Retrying(first, len(failed), address.group(0) if address else "", origin)
