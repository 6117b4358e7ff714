"""The kind of an ExUnit assertion failure (`assertion ==`, `assert_receive`, `refute`…), from its
message line and the test's code: the headline ExUnit gives such a failure names no exception."""

from __future__ import annotations

import re


def assertion_kind(message: str, code: str) -> str:
    """The kind of an assertion failure, from its message line and its code."""
    first = message.split("\n", 1)[0].strip()
    if first.startswith("match (=) failed"):
        return "match (=) failed"
    match = re.match(r"(Assertion|Refute) with (\S+) failed", first)
    if match:
        return f"{'assertion' if match.group(1) == 'Assertion' else 'refute'} {match.group(2)}"
    if first.startswith(("Assertion failed, no matching message", "No message matching")):
        return "assert_receive"
    if first.startswith("Expected exception") or "but nothing was raised" in first:
        return "assert_raise"
    if code.startswith("flunk(") or " flunk(" in code:
        return "flunk"
    if first.startswith("Expected truthy"):
        return "assertion"
    if first.startswith("Expected false or nil") or code.startswith("refute"):
        return "refute"
    return "assertion"
