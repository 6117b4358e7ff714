"""The one console factory: every console and stream poolctl prints or renders through redacts.

Secrets (see `poolctl.redact`) are replaced in whatever reaches the stream, unless
`--keep-secrets` is in effect. The core never prints; the CLI and the writers make their
consoles and streams here.
"""

from __future__ import annotations

import io
import sys
from typing import IO

from rich.console import Console

from poolctl import redact


class RedactingStream(io.TextIOBase):  # rich writes whole lines: a secret is never split
    """A text stream that redacts what is written to it.

    With no `redactor`, the one in effect at each write: a console on standard output lives
    through a run whose workers add secrets as they start."""

    def __init__(self, stream: IO[str], redactor: redact.Redactor | None = None) -> None:
        self.stream = stream
        self.redactor = redactor

    def write(self, s: str) -> int:
        redactor = self.redactor or redact.active()
        self.stream.write(redactor.text(s))
        return len(s)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8") or "utf-8"


def make_console(
    file: IO[str] | None = None,
    *,
    color: bool | None = None,
    width: int | None = None,
    redactor: redact.Redactor | None = None,
) -> Console:
    """A console writing, redacted, to `file` (standard output by default).

    `color` None colours when the stream is a terminal; True forces ANSI colours, False none.
    Text is soft-wrapped (quoted evidence is never split mid-line), never highlighted, and
    `:name:` stays as written (no emoji codes in quoted worker output)."""
    target = file if file is not None else sys.stdout
    stream: IO[str] = RedactingStream(target, redactor)  # type: ignore[assignment]
    if color is None:
        return Console(file=stream, width=width, soft_wrap=True, highlight=False, emoji=False)
    return Console(
        file=stream,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        soft_wrap=True,
        highlight=False,
        emoji=False,
    )


def stdout_stream() -> RedactingStream:
    """Standard output for text written as it is (a rendered view, annotations)."""
    return RedactingStream(sys.stdout)


def stderr_stream() -> RedactingStream:
    """Standard error for one-line messages (errors, warnings)."""
    return RedactingStream(sys.stderr)


def stderr_console() -> Console:
    """Standard error for people: progress while a command runs (never on standard output, which
    may carry a JSON or JUnit document)."""
    return make_console(sys.stderr)


def stdout_console() -> Console:
    """Output for people: views printed as they come, progress lines, listings."""
    return make_console(sys.stdout)


def text_console(out: io.StringIO, *, color: bool, width: int) -> Console:
    """A console that renders a view into `out`; redacted with the redactor in effect now
    (a render takes an instant: finding the redactor once keeps a long report fast)."""
    return make_console(out, color=color, width=width, redactor=redact.active())
