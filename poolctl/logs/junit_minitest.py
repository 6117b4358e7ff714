"""minitest-reporters' JUnitReporter (1.0.x, Debian's ruby-minitest-reporters): its `<failure>`
and `<error>` say little in their attributes. `type` is the test's name, not the exception's
class, and `message` is the message's first line with `...` after it (Builder's `trunc!`), so a
message whose telling words are on a later line reads as none of the patterns'. Its text holds
the message whole, after a header (`Failure:`, `test_a(PoolTest) [test/pool_test.rb:19]:`; an
error's message is the exception's class and message, then its backtrace):

    Failure:
    test_checkout_times_out(Minitest::Result) [test/pool_test.rb:8]:
    Pool::CheckoutTimeout: checkout timed out after 500ms
        test/pool_test.rb:8:in `checkout'

Read from there: the message whole (to the backtrace), and an error's class as its kind.
"""

from __future__ import annotations

import re

_CUT = "..."
_HEADER_RE = re.compile(
    r"^(?:Failure|Error):\n(?P<name>[^\n(]+)\([^\n)]*\)(?: \[[^\]\n]*\])?:\n(?P<rest>.*)\Z", re.S
)
# a backtrace line under the message (`    test/pool_test.rb:8:in `checkout'`)
_BACKTRACE_RE = re.compile(r"^\s+\S+:\d+:in ")
# an error's first line: a Ruby class, then its message (`Pool::CheckoutTimeout: …`)
_RUBY_CLASS_RE = re.compile(r"^(?:[A-Z]\w*::)*(?P<kind>[A-Z]\w*): ")


def whole_message(name: str, tag: str, kind: str, message: str, body: str) -> tuple[str, str]:
    """(kind, message) of the test `name`'s `<failure>` or `<error>` (`tag`) when
    minitest-reporters wrote it (`kind` its name, `message` cut with `...`, `body` its text
    with the message whole); else `kind` and `message` as they were. The kind read is an
    error's class, or '' for the caller's own default."""
    if kind != name or not message.endswith(_CUT):
        return kind, message
    header = _HEADER_RE.match(body.strip("\n"))
    if header is None or header["name"] != name:
        return kind, message
    lines: list[str] = []
    for line in header["rest"].splitlines():
        if _BACKTRACE_RE.match(line):
            break
        lines.append(line)
    whole = "\n".join(lines).strip()
    if not whole.startswith(message[: -len(_CUT)].strip()):
        return kind, message
    typed = _RUBY_CLASS_RE.match(whole) if tag == "error" else None
    return (typed["kind"] if typed else ""), whole
