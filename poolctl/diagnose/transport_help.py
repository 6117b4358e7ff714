"""A language server started in another channel by an option's value (`graphql-lsp server -m
socket`, `--method node`, `--transport=tcp`), and the value that gives stdio, as its own words
name it: its error, else its `--help` (graphql-lsp's `-m, --method ... Can be one of: stream,
node, socket`). Without those words, nothing is guessed: the fix stays the general one."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass

from poolctl.signal_sender import WAITER
from poolctl.worker_types import WorkerSpec

from .procinfo import cpu_waited

# options whose value names the channel, and the values that are not stdin and stdout
_CHANNEL_OPTIONS = ("-m", "--method", "--transport", "--mode", "--connection", "--channel")
_OTHER_CHANNELS = (
    *("socket", "node", "ipc", "node-ipc", "pipe", "tcp", "websocket", "ws"),
    # an MCP server's HTTP transports (context7-mcp `--transport <stdio|http>`)
    *("http", "sse", "streamable-http", "streamablehttp", "httpstream"),
)
STDIO_VALUES = ("stdio", "stream")  # what servers call their stdin and stdout
HELP_WAIT = 5.0  # seconds its `--help` may take (a node server's start)
# and the time it waited for a CPU beside them, up to this in all: at a load of 20, graphql-lsp's
# `--help` took more than 5 s and the value it names for stdio went unsaid
HELP_WAIT_MOST = 30.0
HELP_LOOK = 0.5  # how often the time it waited for a CPU is read again
HELP_KEPT = 64 * 1024  # bytes of its help read
# the width its help is laid out in, for a parser that reads COLUMNS (Rich's, argparse's): at its
# default of 80 wcgw 5.6.7's typer box cut `<stdio|streamable-http>` into `<stdio|streamable-htt`
# and `p>`, on two lines, and the choices beside `stdio` were not read
HELP_COLUMNS = 200


@dataclass(frozen=True)
class ChannelValue:
    """`-m socket` in a command: the option, as given, and its value."""

    option: str
    value: str

    @property
    def given(self) -> str:
        return f"{self.option} {self.value}"


@dataclass(frozen=True)
class StdioValue:
    """The option's value that selects stdio, and where its words say so."""

    value: str
    said: str  # the line naming it
    where: str  # "its error" or "its `--help` (…)"


def channel_value(argv: tuple[str, ...]) -> ChannelValue | None:
    """The option in `argv` whose value picks another channel than stdio, or None."""
    for i, arg in enumerate(argv[1:], start=1):
        name, eq, value = arg.partition("=")
        if not eq:
            value = argv[i + 1] if i + 1 < len(argv) else ""
        if name in _CHANNEL_OPTIONS and value.lower() in _OTHER_CHANNELS:
            return ChannelValue(name, value)
    return None


def stdio_value(text: str, option: str) -> tuple[str, str] | None:
    """The value of `option` that selects stdio, as `text` (a help, an error) lists its values:
    the line naming them, within the option's own entry (its line and those indented under
    it)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not re.search(rf"(?<![\w-]){re.escape(option)}\b", line):
            continue
        entry = [line, *_indented_after(lines, i)]
        for said in entry:
            words = re.findall(r"[\w-]+", said.lower())
            for value in STDIO_VALUES:
                if value in words and any(other in words for other in _OTHER_CHANNELS):
                    return value, _unboxed(said)
    return None


def _unboxed(line: str) -> str:
    """A help's or an error's line without the frame of a box drawn round it (Rich's `│`, as
    typer and cyclopts print them) and the runs of spaces that align its columns."""
    return re.sub(r"[ \t]{2,}", " ", line.strip().strip("│┃║").strip())


def _indented_after(lines: list[str], i: int) -> list[str]:
    """The lines under an option's line, indented deeper than its option (its description)."""
    start = len(lines[i]) - len(lines[i].lstrip())
    entry = []
    for line in lines[i + 1 : i + 12]:
        depth = len(line) - len(line.lstrip())
        if not line.strip() or depth <= start or line.lstrip().startswith("-"):
            break
        entry.append(line)
    return entry


def read_help(spec: WorkerSpec, kept: dict[tuple[str, ...], str] | None = None) -> str:
    """Its command with `--help` added, run once (stdin empty, `HELP_WAIT` at most): what it
    prints, stdout and stderr together, or "" when it could not be read. With `kept` (the
    diagnosis' own), a help read already is not run again: several hypotheses ask for it, and a
    Node server's `--help` costs a start (graphql-lsp's 1.5 s of CPU, three times a ping)."""
    if kept is not None and spec.argv in kept:
        return kept[spec.argv]
    text = _run_help(spec)
    if kept is not None:
        kept[spec.argv] = text
    return text


def _run_help(spec: WorkerSpec) -> str:
    try:
        with WAITER.unblocked():  # (no child inherits the signals poolctl blocks)
            proc = subprocess.Popen(
                [*spec.argv, "--help"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                cwd=spec.cwd,
                env={**spec.environment(), "COLUMNS": str(HELP_COLUMNS)},
                start_new_session=True,  # its group ended with it: a launcher's node too
            )
    except OSError:
        return ""
    try:
        out = _printed(proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return out[:HELP_KEPT].decode("utf-8", "replace")


def _printed(proc: subprocess.Popen[bytes]) -> bytes:
    """What it printed by its exit, given `HELP_WAIT` seconds and the time it waited for a CPU
    beside them (`HELP_WAIT_MOST` in all); b"" when it did not exit by then."""
    start = time.monotonic()
    while True:
        given = min(HELP_WAIT + cpu_waited(proc.pid), HELP_WAIT_MOST)
        left = start + given - time.monotonic()
        if left <= 0:
            return b""
        try:
            return proc.communicate(timeout=min(left, HELP_LOOK))[0]
        except subprocess.TimeoutExpired:
            continue


def find_stdio_value(
    channel: ChannelValue,
    stderr: str,
    spec: WorkerSpec,
    may_run: bool,
    kept: dict[tuple[str, ...], str] | None = None,
) -> StdioValue | None:
    """The value giving stdio, from its error, else (when `may_run`: experiments allowed) from
    its `--help` (`read_help`, `kept`)."""
    found = stdio_value(stderr, channel.option)
    if found is not None:
        return StdioValue(*found, "its error")
    if not may_run:
        return None
    found = stdio_value(read_help(spec, kept), channel.option)
    if found is None:
        return None
    return StdioValue(*found, f"its `--help` (`{' '.join([*spec.argv, '--help'])}`)")
