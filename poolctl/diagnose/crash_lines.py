"""The line of a dead worker's stderr that says why it died: a Python traceback's exception, a
Node error, an Erlang/escript or Elixir exception, a Go or Rust panic, a Java exception, a Ruby
exception, PHP's fatal error, Python's `-m` finding no module, a shell's `command not found`."""

from __future__ import annotations

import re

_EXCEPTION_LINE = re.compile(
    r"^(?:[\w.]+(?:Error|Exception|Exit|Interrupt)|[\w.]+Warning)\b.*$", re.M
)

# The line that says why a process died, by runtime, in the order they are tried.
_CRASH_LINES: tuple[re.Pattern[str], ...] = (
    # Node: `Error: Cannot find module 'sharp'`, `TypeError: x is not a function`
    re.compile(r"^(?:Uncaught )?(?:\w*Error|Error \[\w+\]): .+$", re.M),
    # ... one its own handler logged in a record: `[DEBUG 2026-…Z] Uncaught exception: Error:
    # Unknown command: undefined. Expected 'init' or 'run'.` (@cloudflare/mcp-server-cloudflare)
    re.compile(r"(?<=\bUncaught exception: )(?:\w*Error|Error \[\w+\]): .+$", re.M),
    # ... and one its own code caught and printed: `Fatal error in main(): Cannot find module
    # '…/sdk/dist/esm/server/mcp' imported from …` (heroku-mcp-server 1.2.8, a broken install)
    re.compile(r"^.*\bCannot find (?:module|package) '.+$", re.M),
    # escript and Erlang: `escript: exception error: undefined function …`, a VM that halts
    re.compile(r"^escript: .*(?:exception|error).*$", re.M),
    re.compile(r"^(?:Runtime terminating during boot|Crash dump is being written).*$", re.M),
    re.compile(r"^\{\"init terminating in do_boot\".*$", re.M),
    # Elixir: `** (RuntimeError) boom`
    re.compile(r"^\s*\*\* \([\w.]+\) .*$", re.M),
    # Go and Rust
    re.compile(r"^panic: .*$", re.M),
    # (Rust 1.73+ writes the panic's message on the next line; 1.88+ the thread's id too:
    # `thread 'main' (23884) panicked at src/main.rs:7:45:`)
    re.compile(r"^thread '[^']*'(?: \(\d+\))? panicked at .*$", re.M),
    # Java: `Exception in thread "main" java.lang.NumberFormatException: Cannot parse null`
    re.compile(r'^Exception in thread "[^"]*" [\w.$]+(?::.*)?$', re.M),
    # Ruby: `w.rb:2:in `require': cannot load such file -- redis (LoadError)` (3.4 quotes
    # 'require' alike), the first line of its report
    re.compile(r"^\S+:\d+:in [`'][^`']*': .+ \([A-Z][\w:]*\)$", re.M),
    # PHP's CLI logging to stderr: `PHP Fatal error:  Uncaught Error: Call to undefined …`
    re.compile(r"^PHP (?:Fatal|Parse) error: .+$", re.M),
    # Python's `-m` that found nothing to run: `/usr/bin/python3: No module named esbonio`
    re.compile(r"^\S+: No module named [\w.]+.*$", re.M),
    # the shell: `worker.sh: line 3: nodee: command not found`, `sh: 1: x: not found`
    re.compile(r"^.*(?:: command not found|: \d+: \S+: not found)$", re.M),
)


def exception_line(stderr: str) -> str | None:
    """The line that says why the process died: the last `SomeError: message` of a Python
    traceback, or a Node error, an Erlang/escript or Elixir exception, a Go or Rust panic, a
    shell's `command not found`."""
    if "Traceback (most recent call last)" in stderr:
        ended = _traceback_end(stderr)
        if ended is not None:
            return ended
        found = _EXCEPTION_LINE.findall(stderr)
        if found:
            return str(found[-1])
    for pattern in _CRASH_LINES:
        match = pattern.search(stderr)
        if match:
            line = match.group(0).strip()
            if line.endswith(":"):  # its message on the next line (a Rust panic's)
                message = stderr[match.end() :].lstrip("\n").split("\n", 1)[0].strip()
                line = f"{line} {message}" if message else line
            return line
    return None


# the line that ends a Python traceback: the exception's name, dotted, and its message; a
# name of any shape (botocore's `ProfileNotFound`), not only `…Error`
_TRACEBACK_END = re.compile(r"^[A-Za-z_][\w.]*(?:: .*)?$")


def _traceback_end(stderr: str) -> str | None:
    """The first unindented line after the last traceback's header (its frames are
    indented): the exception that ended it, when it reads as one."""
    after = stderr.rsplit("Traceback (most recent call last):\n", 1)
    if len(after) < 2:
        return None
    for line in after[1].splitlines():
        if line[:1].isspace() or not line:
            continue
        return line.strip() if _TRACEBACK_END.match(line) else None
    return None


LINE_MOST = 300  # characters of a stderr line quoted: its end, where a message's words are


def line_end(line: str, most: int = LINE_MOST) -> str:
    """A stderr line as quoted: whole, or its last `most` characters after a count of those
    cut (a flood with no newline, 16 KiB of replacement characters for bytes not UTF-8)."""
    if len(line) <= most:
        return line
    cut = line[:-most]
    bad = cut.count("\ufffd")
    said = f", {bad:,} of them U+FFFD for bytes not UTF-8" if bad else ""
    return f"[{len(cut):,} characters cut{said}] …{line[-most:]}"
