"""A language server that exits on an exception reading a property of null after it asked its
client for its settings (workspace/configuration), which poolctl answers with null for each
item, as LSP has a client with no such setting answer: @prisma/language-server 31.12.10 reads
`settings.enableDiagnostics` unchecked as it validates a document textDocument/didOpen opened,
and exits with code 1. The finding quoted the exception alone, and told to fix it as an error
'in the middle of a request': the request it named was not the one the error came from."""

from __future__ import annotations

import json
from dataclasses import dataclass

from poolctl.model import Evidence
from poolctl.protocol import answer_server_request
from poolctl.worker import WorkerProcess

ASKED = "workspace/configuration"


@dataclass(frozen=True)
class NullSettings:
    """What the exception adds to a death's words, its fix, and the request it rests on."""

    said: str
    fix: str
    evidence: Evidence


def null_settings(process: WorkerProcess, exc: str, origin: str) -> NullSettings | None:
    """The reading of `exc` (an exception line of the worker's stderr) when the worker asked
    for its settings and the exception reads a property of null (Node's words, Python's
    `'NoneType' object`); None otherwise. `origin`: where its stdout was captured."""
    asked = next((m for m in process.server_requests if m.method == ASKED), None)
    if asked is None or not ("Cannot read properties of null" in exc or "'NoneType' object" in exc):
        return None
    answer = json.dumps(answer_server_request(ASKED, asked.params)["result"])
    said = (
        f"; it had asked for its settings ({ASKED}), which poolctl answered with {answer}, as "
        "LSP has a client with no such setting answer, and the error reads a property of "
        "null: it may read them without checking for null (untested)"
    )
    fix = (
        f"Fix the error it reports (`{exc}`): have the server check each setting its {ASKED} "
        "request gets for null before reading it (LSP lets a client answer null for a setting "
        "it has not, as poolctl does)."
    )
    quoted = json.dumps(asked.raw, separators=(",", ":"))
    ev = Evidence(quoted, origin, f"its {ASKED} request; poolctl answered {answer}")
    return NullSettings(said, fix, ev)
