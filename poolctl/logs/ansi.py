"""Removing terminal escape sequences (colours, cursor moves) from log text."""

from __future__ import annotations

import re

# Jenkins' console notes first, whole: `ESC[8m ha:<base64> ESC[0m`, a serialised annotation
# hidden as concealed text, which a raw build log keeps before lines (`[Pipeline] sh`) and where
# the AnsiColor plugin saw a colour change; removing only its escapes left `ha:////4…` glued
# before the runner's text. Then CSI sequences (`ESC [ … final`), OSC and APC sequences
# (`ESC ] … BEL|ESC \\`; Buildkite's timestamps are APCs, `ESC _bk;t=1700000000000 BEL`) and
# two-byte escapes. None of them spans a newline, so stripping a whole chunk keeps line numbers
# intact.
ANSI_RE = re.compile(
    r"\x1b(?:\[8mha:[A-Za-z0-9+/=]*\x1b\[0m"
    r"|\[[0-9;:?<=>]*[ -/]*[@-~]|[\]_][^\x07\x1b\n]*(?:\x07|\x1b\\)?|[@-Z\\-_])"
)


def strip_ansi(text: str) -> str:
    """`text` without ANSI escape sequences; the cheap `in` test keeps plain text fast."""
    if "\x1b" not in text:
        return text
    return ANSI_RE.sub("", text)
