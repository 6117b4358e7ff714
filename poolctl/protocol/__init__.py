"""Protocols: what a message means (its envelope) and which exchange comes first.

`messages` holds the envelopes (DSPex and JSON-RPC 2.0) and what a frame read in them can be;
`registry` the protocols built on them (`dspex`, `jsonrpc`, `mcp`, `lsp`). Framing, how bytes
become messages, is the separate layer in `poolctl.framing`.
"""

from __future__ import annotations

from .messages import (
    ENVELOPES,
    Incoming,
    Misencoded,
    MissingSuccess,
    NotAMessage,
    NotJSON,
    Request,
    RequestIds,
    Response,
    StrayOutput,
    TextBeforeFirstMessage,
    WrongEnvelope,
    WrongId,
    dumps,
    parse_jsonrpc,
    parse_message,
    parse_response,
    utc_timestamp,
)
from .registry import (
    PROTOCOLS,
    Protocol,
    Step,
    answer_server_request,
    get_protocol,
    workspace,
)

__all__ = [
    "ENVELOPES",
    "PROTOCOLS",
    "Incoming",
    "Misencoded",
    "MissingSuccess",
    "NotAMessage",
    "NotJSON",
    "Protocol",
    "Request",
    "RequestIds",
    "Response",
    "Step",
    "StrayOutput",
    "TextBeforeFirstMessage",
    "WrongEnvelope",
    "WrongId",
    "answer_server_request",
    "dumps",
    "get_protocol",
    "parse_jsonrpc",
    "parse_message",
    "parse_response",
    "utc_timestamp",
    "workspace",
]
