"""The protocols poolctl speaks: what a message means and which exchange comes first.

A protocol is an envelope (`dspex` or `jsonrpc`), a default framing, the steps of a session
(the handshake, the request `--command` names and `--count` repeats, the closing), the minimal
answers it gives to requests from the server, and the start-up budget `doctor` judges it
against. Adding a protocol is adding one entry to `PROTOCOLS`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from poolctl import __version__
from poolctl.errors import UsageProblem

MCP_PROTOCOL_VERSION = "2025-11-25"  # the version poolctl asks for; the server may choose another
# the versions MCP's releases name, which the SDKs' clients take (TypeScript's also 2024-10-07)
MCP_VERSIONS = ("2024-10-07", "2024-11-05", "2025-03-26", "2025-06-18", MCP_PROTOCOL_VERSION)


@dataclass(frozen=True)
class Step:
    """One message of a session: a request (answered) or a notification (not)."""

    method: str
    params: dict[str, Any] | None = None
    notification: bool = False
    repeat: bool = False  # the request `--command` names, sent `--count` times
    ends_process: bool = False  # after it the server should exit (LSP's `exit`)


# What a client that declares no capability answers to each request a server may send it.
_MINIMAL_ANSWERS: dict[str, Callable[[Any], Any]] = {
    "ping": lambda params: {},
    "roots/list": lambda params: {"roots": []},
    "elicitation/create": lambda params: {"action": "decline"},
    "window/workDoneProgress/create": lambda params: None,
    "client/registerCapability": lambda params: None,
    "client/unregisterCapability": lambda params: None,
    "window/showMessageRequest": lambda params: None,
    "window/showDocument": lambda params: {"success": False},
    "workspace/workspaceFolders": lambda params: None,
    "workspace/applyEdit": lambda params: {"applied": False},
    "workspace/configuration": lambda params: [
        None for _ in (params or {}).get("items", []) if isinstance(params, dict)
    ],
    "workspace/codeLens/refresh": lambda params: None,
    "workspace/semanticTokens/refresh": lambda params: None,
    "workspace/inlayHint/refresh": lambda params: None,
    "workspace/diagnostic/refresh": lambda params: None,
}


def serves(method: str) -> bool:
    """Whether poolctl answers this request of a server with a result (else it refuses it with
    -32601, as a client without the capability does)."""
    return method in _MINIMAL_ANSWERS


def answer_server_request(method: str, params: Any) -> dict[str, Any]:
    """The `result` (or, for a method poolctl cannot serve, the `error`) of a server request."""
    answer = _MINIMAL_ANSWERS.get(method)
    if answer is None:
        return {"error": {"code": -32601, "message": f"poolctl does not serve {method}"}}
    return {"result": answer(params)}


def workspace(cwd: str | None) -> Path:
    """The folder a session names as the client's workspace (LSP's rootUri): the worker's
    working directory, as an editor starts a server in the folder it opens."""
    return Path(cwd).resolve() if cwd else Path.cwd()


def _mcp_steps(
    command: str | None,
    args: dict[str, Any] | None,
    root: Path | None = None,
    init_options: Any = None,
) -> tuple[Step, ...]:
    return (
        Step(
            "initialize",
            {
                "protocolVersion": MCP_PROTOCOL_VERSION,
                "capabilities": {"roots": {"listChanged": False}},
                "clientInfo": {"name": "poolctl", "version": __version__},
            },
        ),
        Step("notifications/initialized", None, notification=True),
        Step(command or "ping", args, repeat=True),
        Step("tools/list", {}),
    )


def _lsp_steps(
    command: str | None,
    args: dict[str, Any] | None,
    root: Path | None = None,
    init_options: Any = None,
) -> tuple[Step, ...]:
    root = root or Path.cwd()
    middle = (Step(command, args, repeat=True),) if command else ()
    params: dict[str, Any] = {
        "processId": os.getpid(),
        "clientInfo": {"name": "poolctl", "version": __version__},
        "rootUri": root.as_uri(),
        "workspaceFolders": [{"uri": root.as_uri(), "name": root.name or "/"}],
        "capabilities": {
            "workspace": {"configuration": True, "workspaceFolders": True},
            "window": {"workDoneProgress": True},
        },
    }
    if init_options is not None:  # what some servers need to start (astro-ls: typescript.tsdk)
        params["initializationOptions"] = init_options
    return (
        Step("initialize", params),
        Step("initialized", {}, notification=True),
        *middle,
        Step("shutdown", None),
        Step("exit", None, notification=True, ends_process=True),
    )


def _single(
    command: str | None,
    args: dict[str, Any] | None,
    root: Path | None = None,
    init_options: Any = None,
) -> tuple[Step, ...]:
    return (Step(command or "ping", args if args is not None else {}, repeat=True),)


def _mcp_server(answers: Mapping[str, Any]) -> dict[str, Any]:
    init = answers.get("initialize") or {}
    info = init.get("serverInfo") or {}
    found: dict[str, Any] = {
        "name": info.get("name"),
        "version": info.get("version"),
        "protocol_version": init.get("protocolVersion"),
        "capabilities": sorted(init.get("capabilities") or {}),
    }
    tools = (answers.get("tools/list") or {}).get("tools")
    if isinstance(tools, list):
        found["tools"] = len(tools)
    return found


def _lsp_capabilities(result: Any) -> bool:
    """Whether an initialize answer declares a language server's capabilities."""
    capabilities = result.get("capabilities") if isinstance(result, dict) else None
    return isinstance(capabilities, dict) and any(
        key == "textDocumentSync" or key.endswith("Provider") for key in capabilities
    )


_USE_LSP = "`--protocol lsp`; in a pool, `worker.protocol: lsp`"
_USE_MCP = "`--protocol mcp`; in a pool, `worker.protocol: mcp`"


def _mcp_opening(result: Any) -> str:
    """What makes an answer to MCP's initialize no MCP server's ("" when it is one): MCP
    requires its `protocolVersion`; a language server answers without one."""
    if isinstance(result, dict) and isinstance(result.get("protocolVersion"), str):
        return ""
    said = "its answer has no protocolVersion, which every MCP server's has"
    if _lsp_capabilities(result):
        return f"{said}; its capabilities are a language server's: speak lsp to it ({_USE_LSP})"
    return said


def _mcp_answer(method: str, result: Any) -> str:
    """What an MCP answer says went wrong ("" for nothing): a tool that failed answers
    `tools/call` with a result whose `isError` is true and whose content says why (the
    protocol's way; a JSON-RPC error is for a call that could not be made)."""
    if method != "tools/call" or not isinstance(result, dict) or result.get("isError") is not True:
        return ""
    content = result.get("content")
    items = content if isinstance(content, list) else []
    texts = [str(i.get("text", "")).strip() for i in items if isinstance(i, dict)]
    said = "; ".join(t for t in texts if t) or json.dumps(result)[:200]
    return f"the tool reported an error (isError): {said[:300]}"


def _lsp_opening(result: Any) -> str:
    """What makes an answer to LSP's initialize no language server's ("" when it is one)."""
    if isinstance(result, dict) and isinstance(result.get("capabilities"), dict):
        if "protocolVersion" in result and not _lsp_capabilities(result):
            return f"its answer names an MCP protocolVersion: speak mcp to it ({_USE_MCP})"
        return ""
    return "its answer has no capabilities, which every language server's has"


def _lsp_refusal(error: str) -> str:
    """What an error reply to LSP's initialize says of the server ("" for nothing): an MCP
    server's SDK rejects it for want of MCP's `protocolVersion`."""
    if "protocolVersion" in error:
        return f"its error names MCP's protocolVersion: speak mcp to it ({_USE_MCP})"
    return ""


def _lsp_server(answers: Mapping[str, Any]) -> dict[str, Any]:
    init = answers.get("initialize") or {}
    info = init.get("serverInfo") or {}
    return {
        "name": info.get("name"),
        "version": info.get("version"),
        "capabilities": sorted(init.get("capabilities") or {}),
    }


@dataclass(frozen=True)
class Protocol:
    """What messages mean and which exchange comes first."""

    name: str
    envelope: str  # "dspex" or "jsonrpc"
    framing: str  # the default framing
    summary: str
    init_budget: float  # seconds from spawn to the first answer that `doctor` allows by default
    # the steps for `--command`, `--args`, the workspace folder (default: poolctl's own) and
    # the client's initialization options (LSP's initializationOptions; None: none sent)
    steps: Callable[[str | None, dict[str, Any] | None, Path | None, Any], tuple[Step, ...]] = (
        _single
    )
    server: Callable[[Mapping[str, Any]], dict[str, Any]] = field(default=lambda answers: {})
    # why the answer to the handshake's first request is not this protocol's ("" when it is)
    opening_problem: Callable[[Any], str] = field(default=lambda result: "")
    server_noun: str = "a server"  # `an MCP server`: what speaks it, in a sentence
    # what an answer to a method says went wrong, though it is no error reply ("" for nothing)
    answer_problem: Callable[[str, Any], str] = field(default=lambda method, result: "")
    # what an error reply to the opening says of the server ("" for nothing)
    refusal_hint: Callable[[str], str] = field(default=lambda error: "")

    def outcome_of(self, method: str, success: bool, result: Any, error: str) -> tuple[bool, str]:
        """Whether an answer to `method` succeeded, and what went wrong ("" for nothing): an
        error reply's message, or what a result says though it is no error (an MCP tool's
        `isError`)."""
        if not success:
            return False, error
        problem = self.answer_problem(method, result)
        return not problem, problem

    @property
    def handshake(self) -> bool:
        """Does a session open with an exchange of its own (not the request named)?"""
        return not self.steps(None, None, None, None)[0].repeat

    def opening(self, root: Path | None = None, init_options: Any = None) -> Step:
        """The first request of a session (what an experiment replays to test the protocol),
        naming `root` as the workspace."""
        return self.steps("ping", {}, root, init_options)[0]

    def handshake_steps(
        self, root: Path | None = None, init_options: Any = None
    ) -> tuple[Step, ...]:
        """The steps before the first request a caller makes: what a pool's worker goes through
        before it is ready (MCP's initialize and notifications/initialized); () for none."""
        steps = self.steps("ping", {}, root, init_options)
        first = next(i for i, s in enumerate(steps) if s.repeat)
        return steps[:first]

    def closing_steps(self) -> tuple[Step, ...]:
        """The steps after the last request that end the server's session, as a pool closes an
        idle worker (LSP's shutdown and exit); () where it ends with its stdin."""
        steps = self.steps("ping", {}, None, None)
        if not steps or not steps[-1].ends_process:
            return ()
        last = max(i for i, s in enumerate(steps) if s.repeat)
        return steps[last + 1 :]


PROTOCOLS: dict[str, Protocol] = {
    p.name: p
    for p in (
        Protocol(
            "dspex",
            "dspex",
            "packet-4",
            "the DSPex bridge envelope: {id, command, args, timestamp}",
            5.0,
        ),
        Protocol(
            "jsonrpc",
            "jsonrpc",
            "line",
            "JSON-RPC 2.0: --command is the method, --args the params",
            5.0,
        ),
        Protocol(
            "mcp",
            "jsonrpc",
            "line",
            "MCP over stdio: initialize, notifications/initialized, ping, tools/list",
            10.0,
            _mcp_steps,
            _mcp_server,
            _mcp_opening,
            "an MCP server",
            _mcp_answer,
        ),
        Protocol(
            "lsp",
            "jsonrpc",
            "content-length",
            "the Language Server Protocol: initialize, initialized, shutdown, exit",
            10.0,
            _lsp_steps,
            _lsp_server,
            _lsp_opening,
            "a language server",
            refusal_hint=_lsp_refusal,
        ),
    )
}


def get_protocol(name: str) -> Protocol:
    """Look up a protocol by name; an unknown name is a usage problem naming the choices."""
    try:
        return PROTOCOLS[name]
    except KeyError:
        choices = ", ".join(PROTOCOLS)
        raise UsageProblem(f"unknown protocol {name!r} (choose one of: {choices})") from None


def unknown_mcp_version(server: Mapping[str, Any]) -> tuple[str, str] | None:
    """What to say of an MCP server that chose a protocol version no MCP release names (what
    it does, the fix), or None: a client that does not know the version it answers with
    disconnects (the Python SDK's `Unsupported protocol version from the server`, the
    TypeScript SDK's `Server's protocol version is not supported`)."""
    version = server.get("protocol_version")
    if not isinstance(version, str) or version in MCP_VERSIONS:
        return None
    said = (
        f"it answered initialize with protocolVersion {version!r}, which no MCP release poolctl "
        f"knows names ({', '.join(MCP_VERSIONS[1:])}): the MCP SDKs' clients refuse it and "
        "disconnect"
    )
    fix = (
        f"Answer with the version the client asked for when the server supports it "
        f"({MCP_PROTOCOL_VERSION!r} here), else with one it supports that a release names."
    )
    return said, fix
