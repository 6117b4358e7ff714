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


# The same notes with their ESC bytes lost, as the raw log reads once copied from a page or a
# viewer that drops control characters: `[8mha:<base64>[0m`. Where one is seen, the colour
# changes lost theirs too (`[31m`, `[0m`, AnsiColor's), and go with the notes (not one before
# a `]`: a test's parameter, `test_x[1m]`).
NOTE_NO_ESC = "[8mha:"
NOTE_NO_ESC_BYTES = NOTE_NO_ESC.encode()
_NO_ESC_RE = re.compile(r"\[8mha:[A-Za-z0-9+/=]*\[0m|\[[0-9;]*m(?!\])")


def strip_ansi(text: str) -> str:
    """`text` without ANSI escape sequences (nor Jenkins' notes that lost their ESC bytes); the
    cheap `in` tests keep plain text fast."""
    if "\x1b" in text:
        text = ANSI_RE.sub("", text)
    if NOTE_NO_ESC in text:
        text = _NO_ESC_RE.sub("", text)
    return text
