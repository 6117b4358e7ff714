"""Identifiers that tie log lines to a failure: pool names, pids, ports, worker and session ids.

One compiled regex finds them all; `identifiers_in` normalises each match to a key such as
`:test_pool_8962`, `#PID<0.918.0>`, `os_pid 1925679`, `session error_test_2`,
`DSPex.Adapters.BridgeMock` or `'pool_a'`, the same key whichever runner printed it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_NAMEISH = r"(?:pool|worker|session|bridge|registry|supervisor|server|store|sup|queue|cache)"

IDENTIFIER_RE = re.compile(
    # Erlang atoms that name something: with a digit, or with a pool/worker/... part.
    r"(?<![\w:])(?P<atom>:[a-z][A-Za-z0-9_]*(?:\d[A-Za-z0-9_]*|_" + _NAMEISH + r"\b[A-Za-z0-9_]*))"
    r"|(?P<pid>#(?:PID|Port)<\d+\.\d+(?:\.\d+)?>)"
    r"|(?:\bos_pid[:=]? ?|\bpid[ =]|'pid': )(?P<ospid>\d{2,9})\b"
    r"|(?P<worker>\bworker[_-][A-Za-z0-9]*\d[\w-]*|\b[a-z][a-z0-9_]*-w\d+\b)"
    r"|\bworker (?P<workername>[a-z][a-z0-9]*[_-][\w-]+)"
    r"|\{:session, \"(?P<session>[^\"\n]{1,80})\"\}"
    r"|\bsession_id\b(?:=|: |\"?\s*=>\s*|['\"]?:\s*)['\"]?(?P<sessionid>[\w.-]{1,80})"
    r"|(?:GenServer\.(?:call|cast|stop)|Process\.whereis|Agent\.(?:get|update)|:sys\.get_state)"
    r"\((?P<module>[A-Z]\w*(?:\.[A-Z]\w*)+)"
    r"|\bname: (?P<named>[A-Z]\w*(?:\.[A-Z]\w*)+)"
    r"|['\"](?P<quoted>(?:[a-z][a-z0-9]*[_-])*" + _NAMEISH + r"(?:[_-][a-z0-9]+)+)['\"]"
)

# Parts of a key; the `why` of a context line reads "names <key>".
_PREFIX = {"ospid": "os_pid ", "session": "session ", "sessionid": "session "}


def key_of(match: re.Match[str]) -> str:
    """The normalised identifier of one `IDENTIFIER_RE` match."""
    group = match.lastgroup or ""
    value = match.group(group)
    if group == "quoted":
        return f"'{value}'"
    return _PREFIX.get(group, "") + value


def identifiers_in(text: str) -> Iterator[str]:
    """The identifier keys named in `text`, in order, each once."""
    seen: set[str] = set()
    for match in IDENTIFIER_RE.finditer(text):
        key = key_of(match)
        if key not in seen:
            seen.add(key)
            yield key
