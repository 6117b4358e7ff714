"""Identifiers that tie log lines to a failure: pool names, pids, ports, worker and session ids.

A few compiled regexes find them; each match is normalised to a key such as
`:test_pool_8962`, `#PID<0.918.0>`, `os_pid 1925679`, `session error_test_2`,
`DSPex.Adapters.BridgeMock` or `'pool_a'`, the same key whichever runner printed it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_NAMEISH = r"(?:pool|worker|session|bridge|registry|supervisor|server|store|sup|queue|cache)"

# One regex per kind, each starting with a literal or a rare character: Python's `re` then
# skips to candidates at C speed, where one alternation of them all would try every branch at
# every position (measured: 6 MB/s for the alternation, over 150 MB/s for these together).
IDENTIFIER_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Erlang atoms that name something: with a digit, or with a pool/worker/... part.
    (
        re.compile(
            r":(?<![\w:]:)[a-z][A-Za-z0-9_]*(?:\d[A-Za-z0-9_]*|_" + _NAMEISH + r"\b[A-Za-z0-9_]*)"
        ),
        "",
    ),
    (re.compile(r"#P(?:ID<\d+\.\d+\.\d+|ort<\d+\.\d+)>"), ""),
    # OS pids: `os_pid: 1925679`, `pid=12127`, `(pid 12128)`, `'pid': 12110`.
    (re.compile(r"pid(?<![A-Za-z0-9]pid)(?:[:=] ?| |': )(\d{2,9})\b"), "os_pid "),
    # Worker ids: `worker_8834_1752478738618361`, `worker-3`, `worker programs_1203`.
    (
        re.compile(r"worker(?<!\wworker)(?:[_-][A-Za-z0-9]*\d[\w-]*| ([a-z][a-z0-9]*[_-][\w-]+))"),
        "",
    ),
    (re.compile(r"-w\d+\b"), "-w"),  # `pool_a-w1`: the name before is added by `key_of`
    (re.compile(r'\{:session, "([^"\n]{1,80})"\}'), "session "),
    (re.compile(r"session_id\b(?:=|: |\"?\s*=>\s*|['\"]?:\s*)['\"]?([\w.-]{1,80})"), "session "),
    # Module names used as process names.
    (re.compile(r"GenServer\.(?:call|cast|stop)\(([A-Z]\w*(?:\.[A-Z]\w*)+)"), ""),
    (re.compile(r"Process\.whereis\(([A-Z]\w*(?:\.[A-Z]\w*)+)"), ""),
    (re.compile(r"name: ([A-Z]\w*(?:\.[A-Z]\w*)+)"), ""),
    # Quoted names on the Python side: `'pool_a'`, `"test_pool_12110"`.
    (re.compile(r"(['\"])((?:[a-z][a-z0-9]*[_-])*" + _NAMEISH + r"(?:[_-][a-z0-9]+)+)\1"), "'"),
)
_TOKEN_BEFORE = re.compile(r"[a-z][a-z0-9_]*$")


def key_of(match: re.Match[str], prefix: str, text: str) -> str | None:
    """The normalised identifier of one match of `IDENTIFIER_PATTERNS` (None: not one)."""
    value = match.group(match.lastindex or 0)
    if prefix == "'":
        value = match.group(2)
        return f"'{value}'"
    if prefix == "-w":
        before = _TOKEN_BEFORE.search(text, max(0, match.start() - 80), match.start())
        return before.group(0) + value if before else None
    return prefix + value


def find_identifiers(text: str) -> list[tuple[int, str]]:
    """`(position, key)` of every identifier in `text`, in order of position."""
    found: list[tuple[int, str]] = []
    for pattern, prefix in IDENTIFIER_PATTERNS:
        for match in pattern.finditer(text):
            key = key_of(match, prefix, text)
            if key is not None:
                found.append((match.start(), key))
    found.sort()
    return found


def needle(key: str) -> str:
    """Text every line naming identifier `key` holds (a cheap test before `identifiers_in`)."""
    for prefix in ("os_pid ", "session "):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key.strip("'")


def names(text: str, key: str) -> bool:
    """Whether `text` names identifier `key`."""
    return needle(key) in text and key in identifiers_in(text)


def identifiers_in(text: str) -> Iterator[str]:
    """The identifier keys named in `text`, in order, each once."""
    seen: set[str] = set()
    for _, key in find_identifiers(text):
        if key not in seen:
            seen.add(key)
            yield key
