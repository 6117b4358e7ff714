"""A request's error that says a service on this machine refused the worker's connection, read
by the knowledge base's pattern 7 as run-scenario reads a rejection (poolctl/scenario/
responses.py): mcp-obsidian 0.2.3 with OBSIDIAN_API_KEY and no Obsidian running answers
obsidian_list_files_in_vault with `HTTPSConnectionPool(host='127.0.0.1', port=27124): … [Errno
111] Connection refused`. ping's step showed the error alone."""

from __future__ import annotations

import re

from poolctl.model import Diagnosis, Failure

NOT_STARTED = "dependency-not-started"
_LOOPBACK = re.compile(r"(?i)^(?:localhost|127(?:\.\d+){3}|::1|0\.0\.0\.0)$")


def refused_here(error: str) -> str:
    """What a step adds when its error is pattern 7 with an address on this machine ("" when
    it is not)."""
    # imported here: a ping or a pool run imports the triage engine only for an error to read
    from poolctl.patterns import builtin_patterns
    from poolctl.patterns.loader import PatternSet
    from poolctl.triage.engine import classify_failures

    kb = PatternSet(tuple(p for p in builtin_patterns() if p.id == NOT_STARTED))
    failure = Failure(source="ping", name="request", kind="worker-error", message=error)
    [found], _ = classify_failures([failure], kb)
    outcome = found.outcome
    address = outcome.facts.get("address") if isinstance(outcome, Diagnosis) else None
    if not address:
        return ""
    host = str(address).rpartition(":")[0].strip("[]")
    where = "on this machine " if _LOOPBACK.match(host) else ""
    return (
        f"; a service {where}refused its connection ({address}), as the error says: pattern 7 "
        f"(dependency-not-started), the request not at fault. Start the service on {address}, "
        "or point the worker at the address one listens on"
    )
