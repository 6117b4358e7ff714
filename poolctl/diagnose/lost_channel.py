"""What a language server started on an editor's channel says when that channel is not there:
pyright 1.1.414 (and basedpyright 1.40.2) given `--socket=1`, a port nothing listens on, writes
`Sending log message failed` to stderr four times (vscode-languageserver's words when a message
to its client cannot be sent) and exits with code 0."""

from __future__ import annotations

import re

# the whole of what it said: these lines alone, however many
_LOST = re.compile(r"^Sending log message failed$")
LOST_WORDS = "vscode-languageserver's words for a message its client could not be sent"


def lost_channel(tail: list[str]) -> str:
    """The line of `tail` (its stderr's last lines) saying its messages could not be sent,
    when they say nothing else; "" otherwise."""
    lines = [line.strip() for line in tail if line.strip()]
    if lines and all(_LOST.match(line) for line in lines):
        return lines[0]
    return ""
