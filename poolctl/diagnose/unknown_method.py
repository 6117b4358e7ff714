"""An error answer that says only that the method is unknown (JSON-RPC's -32601, or its words
under another code): the framing works and the request is another protocol's, which that
protocol's opening may name. No answer to what was asked."""

from __future__ import annotations

import re

from .experiments import Outcome, Result

# an error's message that says the method is unknown, whatever its code: Perl::LanguageServer
# 2.5.0 answers a JSON-RPC ping with -32001 'Unknown perlmethod _rpcreq_ping at …'
UNKNOWN_METHOD_RE = re.compile(
    r"(?i)\b(?:unknown \w*method|unhandled method|method not found|no such method)\b"
)


def unknown_method(result: Result) -> bool:
    """Did an experiment's answer say only that the method is unknown (JSON-RPC's -32601, or
    its words under another code)? The framing works, and the request is another protocol's:
    yaml-language-server sent `ping` in content-length answers `Unhandled method ping`, and
    LSP's opening names it."""
    response = result.response if isinstance(result, Outcome) else None
    if not isinstance(response, dict) or "result" in response:
        return False
    error = response.get("error")
    if not isinstance(error, dict):
        return False
    message = error.get("message")
    said = isinstance(message, str) and UNKNOWN_METHOD_RE.search(message) is not None
    return error.get("code") == -32601 or said
