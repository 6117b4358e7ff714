"""A request a server sent its client as a notification, which no answer follows: the Vue
language server 3.3.11 (with a TypeScript that has its compiler API, `--tsdk`) asks its
editor's TypeScript server plugin for a document's project in a `tsserver/request`
notification (`[[1, "_vue:projectInfo", {"file": …}]]`) and waits for a `tsserver/response`
before it answers a hover. poolctl, a client of LSP's standard methods, sends none; run-scenario's
finding and ping's verdict said the request timed out, the server alive, and no more."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from poolctl.model import Evidence
from poolctl.protocol.messages import Incoming

SHOWN = 200  # characters of the notification quoted


@dataclass(frozen=True)
class NotifiedRequest:
    """The first notification whose method names it a request, and how many came."""

    method: str
    quoted: str
    count: int
    origin: str

    def why(self) -> str:
        return (
            f"; it had sent its client {self.count} `{self.method}` notification(s), a request "
            f"of its own carried as a notification (`{self.quoted}`), which poolctl, knowing no "
            f"such method, leaves unanswered: it may be waiting for that answer (untested)"
        )

    def fix(self) -> str:
        return (
            f"Serve its `{self.method}` notifications as the client it was written for does (an "
            "editor extension's own part: its documentation names it), or drive it through that "
            "client: poolctl answers LSP's standard requests only."
        )

    def evidence(self) -> Evidence:
        return Evidence(self.quoted, self.origin, f"its first {self.method} notification")


def notified_request(notifications: Sequence[Incoming], origin: str) -> NotifiedRequest | None:
    """The requests a worker sent as notifications (a method ending in `/request`), when it
    sent any; None otherwise. `origin`: its stdout transcript."""
    asked = [m for m in notifications if m.method.endswith("/request")]
    if not asked:
        return None
    first = asked[0]
    quoted = json.dumps(first.raw, separators=(",", ":"))
    quoted = quoted if len(quoted) <= SHOWN else quoted[:SHOWN] + "…"
    return NotifiedRequest(first.method, quoted, len(asked), origin)
