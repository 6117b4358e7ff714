"""A fresh process asked another handshake protocol's opening that wrote that protocol's own
notifications in its framing, but no answer within its wait: a server of that protocol whose
start is slower than the wait. The Nomic Foundation's Solidity language server (0.8.4) spoken
MCP reads nothing it can parse; its copy asked LSP's initialize in content-length writes
`window/logMessage` 'Language server starting' at once, and answers 4 to 8 s later (a loaded
machine's). It shows nothing was refused: what it answers is untested, not ruled out."""

from __future__ import annotations

import json
from dataclasses import dataclass

from poolctl.errors import FramingError
from poolctl.framing import get_framing, quote
from poolctl.model import Evidence
from poolctl.protocol import PROTOCOLS

from .experiments import Outcome
from .observe import Observations
from .outcomes import result

# the methods of the notifications each handshake protocol's servers send unasked
_OWN_METHODS = {
    "lsp": ("window/", "$/", "telemetry/", "textDocument/publishDiagnostics"),
    "mcp": ("notifications/",),
}


@dataclass(frozen=True)
class Talking:
    """The protocol its copy talked, the copy's outcome, and the first notification's words."""

    protocol: str
    outcome: Outcome
    method: str
    said: str  # the first notification's message, "" when it carries none

    def reason(self) -> str:
        p = PROTOCOLS[self.protocol]
        what = f"`{self.method}`" + (f" '{self.said}'" if self.said else "")
        return (
            f"in a fresh process asked {self.protocol}'s opening ({p.opening().method} in "
            f"{p.framing}), it wrote {what} in {p.framing} frames, as {p.server_noun} does, and "
            f"{self.outcome.detail}: whether it answers {self.protocol} is untested (a start "
            "slower than the wait)"
        )

    def fix(self, timeout: float) -> str:
        name, noun = self.protocol, PROTOCOLS[self.protocol].server_noun
        return (
            f"Speak {name} to it, with a longer timeout (`poolctl ping --protocol {name} "
            f"--timeout {max(30, round(4 * timeout))}`; in a pool, `worker.protocol: {name}` "
            f"and a longer `init_timeout`): asked {name}'s opening in a fresh process, it "
            f"talked as {noun} but did not answer within the wait, so whether it serves so is "
            "untested."
        )

    def evidence(self, obs: Observations) -> Evidence:
        origin = f"{obs.rel(obs.worker.capture_dir)}/{self.outcome.worker_id}.stdout.bin"
        return Evidence(
            quote(self.outcome.stdout_head, 160),
            origin,
            f"what its copy asked {self.protocol}'s opening wrote: {self.protocol}'s own "
            "notifications, no answer",
        )


def talking_protocol(obs: Observations) -> Talking | None:
    """The other handshake protocol whose fresh process wrote that protocol's notifications in
    its framing and no answer (None when none did, or one answered)."""
    for name in _OWN_METHODS:
        r = result(obs, f"protocol-{name}")
        if name == obs.protocol or r is None or r.answered or not r.stdout_head:
            continue
        first = _notification(r.stdout_head, PROTOCOLS[name].framing, _OWN_METHODS[name])
        if first is not None:
            return Talking(name, r, *first)
    return None


def own_notification(data: bytes, framing: str, spoken: str) -> tuple[str, str, str] | None:
    """Another handshake protocol than `spoken` whose framing is `framing` and whose own
    notification opens `data`: the protocol, the method and its message. MCP servers on the
    MCP SDK 1 (mcp-server-calculator 0.2.1, mcp<2) spoken lsp write `notifications/message`
    'Internal Server Error' in line framing, then refuse LSP's initialize with -32602 'Invalid
    request parameters', naming no protocolVersion (the SDK 2's refusal names it)."""
    for name, methods in _OWN_METHODS.items():
        if name == spoken or PROTOCOLS[name].framing != framing:
            continue
        first = _notification(data, framing, methods)
        if first is not None:
            return (name, *first)
    return None


def _notification(data: bytes, framing: str, methods: tuple[str, ...]) -> tuple[str, str] | None:
    """The first whole frame of `data` in `framing`, when it is a JSON-RPC notification of one
    of `methods`: its method and message."""
    try:
        frames = get_framing(framing).decoder().feed(data)
    except FramingError:
        return None
    if not frames:
        return None
    try:
        message = json.loads(frames[0])
    except ValueError:
        return None
    if not isinstance(message, dict) or "id" in message or message.get("jsonrpc") != "2.0":
        return None
    method = message.get("method")
    if not isinstance(method, str) or not method.startswith(methods):
        return None
    params = message.get("params")
    said = params.get("message", params.get("data")) if isinstance(params, dict) else None
    return method, said[:80] if isinstance(said, str) else ""
