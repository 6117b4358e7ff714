"""What a strict reader refuses in an answer poolctl's reader takes: NaN and the infinities
(Python's `json` writes and reads them by default, `allow_nan=True`; Elixir's Jason,
JavaScript's JSON.parse and Go's encoding/json refuse the whole message), and a JSON-RPC reply
whose shape the specification forbids (an error that is no `{code, message}` object, or both a
result and an error: the SDKs' clients cannot read it). A worker that answers a lenient client
answers a strict one with nothing."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from poolctl.protocol.registry import unknown_mcp_version


def out_of_json_numbers(value: Any, limit: int = 3) -> list[str]:
    """Where `value` (as Python's reader read it) holds NaN or an infinity, which JSON does not
    allow (RFC 8259) but Python's `json` writes by default: `result.score: NaN`, at most
    `limit` of them. Walked without recursion (a message may nest deep), and named only once
    one is found (a large answer's every value is looked at once, cheaply)."""
    if not _any_non_finite(value):
        return []
    found: list[str] = []
    stack: list[tuple[str, Any]] = [("", value)]
    while stack and len(found) < limit:
        path, item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            word = "NaN" if item != item else ("Infinity" if item > 0 else "-Infinity")
            found.append(f"{path or 'the message'}: {word}")
        elif isinstance(item, dict):
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", v) for i, v in reversed(list(enumerate(item))))
    return found


def _any_non_finite(value: Any, most: int = 100_000) -> bool:
    """Whether one of the first `most` values of `value` is NaN or an infinity (a large
    answer's values past them are not looked at: a ping's note is not worth seconds)."""
    stack = [value]
    while stack and most > 0:
        most -= 1
        item = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def out_of_json_words(message: Any) -> tuple[str, str] | None:
    """What an answer holding NaN or an infinity is, and what to do, in words (None when it
    holds none)."""
    found = out_of_json_numbers(message)
    if not found:
        return None
    said = (
        f"its answer holds {', '.join(found)}, which JSON does not allow (RFC 8259): Python's "
        "`json` writes it by default, and a strict reader refuses the whole message "
        "(Elixir's Jason, JavaScript's JSON.parse, Go's encoding/json)"
    )
    fix = "Write null or a string instead (`json.dumps(answer, allow_nan=False)` finds them)."
    return said, fix


def jsonrpc_reply_words(reply: Any) -> tuple[str, str] | None:
    """What is wrong with a JSON-RPC 2.0 reply's shape, and what to do, in words (None when
    nothing is): a response holds exactly one of `result` and `error`, and an error is an
    object with an integer `code` and a string `message`."""
    if not isinstance(reply, dict):
        return None
    fix = (
        'Reply with exactly one of "result" and "error", the error an object '
        '`{"code": -32603, "message": "…"}` (an integer code, a string message, an optional '
        '"data"), as JSON-RPC 2.0 requires.'
    )
    if "result" in reply and "error" in reply:
        return "its reply holds both result and error, which JSON-RPC 2.0 forbids", fix
    if "error" not in reply:
        return None
    error = reply["error"]
    if (
        isinstance(error, dict)
        and type(error.get("code")) is int
        and isinstance(error.get("message"), str)
    ):
        return None
    shown = json.dumps(error)[:80]
    said = (
        f"its error reply's error is {shown}, not an object with an integer code and a string "
        "message as JSON-RPC 2.0 requires: a client cannot read it (the MCP SDKs' validation "
        "refuses the message)"
    )
    return said, fix


def strict_refusals(
    answer: Any, *, jsonrpc: bool, mcp_server: Mapping[str, Any] | None = None
) -> list[tuple[str, str]]:
    """What a strict client refuses in an answer poolctl took, each in words with its fix: an
    MCP server's protocol version no release names (`mcp_server`: what it said of itself), a
    JSON-RPC reply's forbidden shape, NaN or an infinity."""
    found = [unknown_mcp_version(mcp_server)] if mcp_server is not None else []
    found.append(jsonrpc_reply_words(answer) if jsonrpc else None)
    found.append(out_of_json_words(answer))
    return [words for words in found if words is not None]


def as_note(words: tuple[str, str]) -> str:
    """A refusal's words and fix as one note."""
    said, fix = words
    return f"{said}; {fix[0].lower()}{fix[1:]}"
