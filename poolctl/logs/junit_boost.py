"""What Boost.Test's JUnit logger (`--logger=JUNIT,error,FILE.xml`) writes in a `<failure>` or
`<error>`, whose `message` attribute says nothing of it (`failure`, `unexpected exception`):

    ASSERTION FAILURE:
    - file   : pool_boost.cc
    - line   : 37
    - message: check pool.size() == 3u has failed [2 != 3]

    UNCAUGHT EXCEPTION:
    - file: unknown location
    - line: 0
    …
    EXCEPTION STACK TRACE: --------------
    CheckoutTimeout: checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting
    -------------------------------------

    Last checkpoint:
    - message: ""a_second_caller_checks_out_within_200ms" test entry"
    - file: pool_boost.cc
    - line: 20

An assertion's message and place are its fields; an exception's kind and message are the line
its stack trace holds (the type Boost names), its place the last checkpoint's, as its console
is read (`poolctl.logs.boost_test_block`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ASSERTION = "ASSERTION FAILURE:"
_EXCEPTION = "UNCAUGHT EXCEPTION:"
_FIELD_RE = re.compile(r"^- (?P<key>file|line|message) *: ?(?P<value>.*)$")
_STACK_RE = re.compile(r"^EXCEPTION STACK TRACE: -+\n(?P<said>.*?)\n-+$", re.M | re.S)
_THROWN_RE = re.compile(r"^(?P<kind>[A-Za-z_][\w:<>, ]*?): (?P<message>.*)$", re.S)
_CHECKPOINT = "Last checkpoint:"
_UNKNOWN = "unknown location"
EXPECTATION = "AssertionError"


@dataclass(frozen=True)
class BoostFailure:
    kind: str
    message: str
    location: str


def boost_failure(body: str) -> BoostFailure | None:
    """What `body`, a `<failure>`'s or `<error>`'s text, says, if Boost.Test wrote it."""
    head = body[:64].lstrip()  # (a report's every failure is asked: its head alone, first)
    if not head.startswith((_ASSERTION, _EXCEPTION)):
        return None
    text = body.strip()
    if text.startswith(_ASSERTION):
        fields = _fields(text.splitlines()[1:])
        return BoostFailure(EXPECTATION, fields.get("message", ""), _place(fields))
    stack = _STACK_RE.search(text)
    said = stack["said"].strip() if stack else ""
    thrown = _THROWN_RE.match(said)
    kind, message = (thrown["kind"], thrown["message"]) if thrown else ("", said)
    lines = text.splitlines()
    at = lines.index(_CHECKPOINT) if _CHECKPOINT in lines else len(lines)
    place = _place(_fields(lines[at + 1 :])) or _place(_fields(lines[1:at]))
    return BoostFailure(kind, message, place)


def _fields(lines: list[str]) -> dict[str, str]:
    """The `- key: value` lines at the head of `lines`."""
    fields: dict[str, str] = {}
    for line in lines:
        found = _FIELD_RE.match(line.strip())
        if found is None:
            break
        fields.setdefault(found["key"], found["value"].strip())
    return fields


def _place(fields: dict[str, str]) -> str:
    file = fields.get("file", "")
    return f"{file}:{fields.get('line', '')}" if file and file != _UNKNOWN else ""
