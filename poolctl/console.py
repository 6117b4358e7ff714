"""The one console factory: every console and stream poolctl prints or renders through redacts.

Secrets (see `poolctl.redact`) are replaced in whatever reaches the stream, unless the run's
`--keep-secrets` is in effect. The core never prints; the CLI and the writers make their
consoles and streams here.
"""

from __future__ import annotations

import io
import sys
from typing import IO

from rich.console import Console

from poolctl import redact
from poolctl.ascii_text import for_encoding
from poolctl.reader_gone import reader_gone
from poolctl.termenv import rich_width, use_color

# What a stream redacts with: a fixed redactor, a run's secrets (the run's redactor at each
# write: a console lives through a run whose workers add secrets as they start), or None for
# poolctl's environment and the token shapes.
RedactWith = redact.Redactor | redact.Secrets | None


class RedactingStream(io.TextIOBase):  # rich writes whole lines: a secret is never split
    """A text stream that redacts what is written to it."""

    def __init__(self, stream: IO[str], redactor: RedactWith = None) -> None:
        self.stream = stream
        self.redactor = redactor

    def current(self) -> redact.Redactor:
        if isinstance(self.redactor, redact.Secrets):
            return self.redactor.redactor()
        return self.redactor if self.redactor is not None else redact.environment()

    def write(self, s: str) -> int:
        text = self.current().text(s)
        if not text.isascii():
            text = self._writable(text)
        try:
            self.stream.write(text)
        except OSError as exc:
            reader_gone(exc, self.stream)
        return len(s)

    def _writable(self, text: str) -> str:
        """`text` as the stream's encoding writes it. Checked here, not by catching the write's
        error: standard error escapes what it cannot encode by itself (`backslashreplace`), so
        an ASCII terminal's `checking start-up…` came out as `\\u2026`."""
        try:
            text.encode(self.encoding)
        except UnicodeEncodeError:  # a name's byte that was not UTF-8 (a lone surrogate),
            # or an ASCII terminal: poolctl's marks as ASCII, the rest as escapes
            return for_encoding(text, self.encoding)
        return text

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as exc:
            reader_gone(exc, self.stream)

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
    redactor: RedactWith = None,
) -> Console:
    """A console writing, redacted, to `file` (standard output by default).

    `color` None colours when `use_color` says so; True forces ANSI colours, False none (no
    escape code at all, bold and dim included). Text is soft-wrapped (quoted evidence is never
    split mid-line), never highlighted, and `:name:` stays as written (no emoji codes in quoted
    worker output)."""
    target = file if file is not None else sys.stdout
    stream: IO[str] = RedactingStream(target, redactor)  # type: ignore[assignment]
    if color is None:
        color = use_color(target)
    return Console(
        file=stream,
        width=width if width is not None else rich_width(),
        force_terminal=color,
        color_system="standard" if color else None,
        soft_wrap=True,
        highlight=False,
        emoji=False,
    )


def stdout_stream(redactor: RedactWith = None) -> RedactingStream:
    """Standard output for text written as it is (a rendered view, annotations)."""
    return RedactingStream(sys.stdout, redactor)


def stderr_stream(redactor: RedactWith = None) -> RedactingStream:
    """Standard error for one-line messages (errors, warnings)."""
    return RedactingStream(sys.stderr, redactor)


def stdout_console(redactor: RedactWith = None) -> Console:
    """Output for people: views printed as they come, progress lines, listings; pass the
    run's `Secrets` to redact its workers' secrets too."""
    return make_console(sys.stdout, redactor=redactor)


def stderr_console(redactor: RedactWith = None) -> Console:
    """Progress for people, apart from the report on standard output."""
    return make_console(sys.stderr, redactor=redactor)


def text_console(out: io.StringIO, *, color: bool, width: int, redacting: bool = True) -> Console:
    """A console that renders a view into `out`, with the environment's redactor (the report
    it renders is already redacted with its run's secrets: `poolctl.report.publish.prepare`);
    `redacting` False for a report prepared under `--keep-secrets`."""
    redactor = redact.environment() if redacting else redact.Redactor(enabled=False)
    return make_console(out, color=color, width=width, redactor=redactor)
