"""The arguments a tools/call lacked, from the MCP TypeScript SDK's refusal of them: it checks
a call's `arguments` against the tool's input schema (zod) and answers `MCP error -32602: Input
validation error: Invalid arguments for tool echo: Invalid input: expected string, received
undefined at message`, an issue a line, each ending with the argument's path.
@modelcontextprotocol/server-sequential-thinking 2026.8.31 given only `thought` names three
(`Invalid input at nextThoughtNeeded`, `… received NaN at thoughtNumber`: a number coerced from
nothing). run-scenario left the rejection unclassified, 'without naming a missing field', and
ping's step showed it alone. The SDK 2 (@modelcontextprotocol/server 2.x) puts each issue's path
first and joins them with commas: context7-mcp 4.1.1's `Invalid arguments for tool
resolve-library-id: query: Invalid input: expected string, received undefined, libraryName:
Invalid input: …`. A server may check them itself, zod 3's issues each with its path first, the
tool unnamed: @mcp-get-community/server-curl 0.1.0's `Invalid arguments: url: Required`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_REFUSED = re.compile(r"Input validation error: Invalid arguments for tool (?P<tool>[^\s:]+): ")
# a server's own check of them, its issues path first (`Invalid arguments: url: Required`)
_OWN_CHECK = re.compile(r"\bInvalid arguments: (?=[A-Za-z_$][\w$]*(?:\.[\w$.]*)?: )")
# each issue's last words: ` at message`, ` at options.depth`
_AT_PATH = re.compile(r" at (?P<path>[A-Za-z_$][\w$]*)(?:[.\[][\w$.\[\]]*)?$", re.M)
# the SDK 2's: each issue opening with its path, `query: Invalid input…, libraryName: …`
_PATH_FIRST = re.compile(r"(?:\A|, )(?P<path>[A-Za-z_$][\w$]*)(?:\.[\w$.]*)?: ")


def missing_arguments(error: str, args: Mapping[str, Any]) -> tuple[str, list[str]] | None:
    """The tool and the arguments its refusal names that the call (`args`, a tools/call's
    params) did not give; None when it is no such refusal or every one it names was given
    (a value of the wrong kind, not a missing one)."""
    refused = _REFUSED.search(error)
    own = _OWN_CHECK.search(error) if refused is None else None
    if refused is not None:
        tool, issues = refused["tool"], error[refused.end() :]
    elif own is not None and isinstance(args.get("name"), str):
        tool, issues = args["name"], error[own.end() :]
    else:
        return None
    given = args.get("arguments")
    given = given if isinstance(given, Mapping) else {}
    found = [*_AT_PATH.finditer(issues), *_PATH_FIRST.finditer(issues)]
    named = dict.fromkeys(m["path"] for m in sorted(found, key=lambda m: m.start()))
    missing = [name for name in named if name not in given]
    return (tool, missing) if missing else None


def lacked_words(error: str, args: Mapping[str, Any]) -> str:
    """What ping's step adds when the refusal names arguments the call lacked ("" otherwise)."""
    lacked = missing_arguments(error, args)
    if lacked is None:
        return ""
    tool, names = lacked
    given = args.get("arguments")
    given = list(given) if isinstance(given, Mapping) else []
    them = "it" if len(names) == 1 else "them"
    return (
        f"; the tool {tool}'s input schema asks for {', '.join(names)}, and the call's arguments "
        f"({', '.join(given) or 'none'}) do not include {them}: send {them} in `--args`"
    )
