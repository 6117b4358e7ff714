"""The language a worker is written in, when its command says so (a Python interpreter named
directly or on its `#!` line, `perl`, `ruby`, `node`…), and how a worker in that language
flushes each frame. A shell script, a binary or an unknown interpreter says nothing about the
program that writes the frames (a start script often `exec`s Python): its fix stays generic.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .target import Target, shebang_of


@dataclass(frozen=True)
class Language:
    """A language a worker's command names, and the flush that language's worker needs."""

    name: str
    flush: str  # how its worker gets each frame onto the pipe
    reads_pythonunbuffered: bool = False  # PYTHONUNBUFFERED changes its stdout


PYTHON = Language(
    "Python",
    "flush stdout after every frame (`sys.stdout.flush()`, or `print(…, flush=True)`)",
    reads_pythonunbuffered=True,
)
# Interpreters whose programs are known by their name; a name not here leaves the language open.
_BY_INTERPRETER = {
    "perl": Language("Perl", "flush stdout after every frame (`$| = 1;` before the loop)"),
    "ruby": Language("Ruby", "flush stdout after every frame (`$stdout.sync = true`)"),
    "node": Language(
        "JavaScript",
        "write every frame with `process.stdout.write` as it is ready (uncork a corked stdout)",
    ),
}
_ALIASES = {"nodejs": "node"}
GENERIC_FLUSH = (
    "flush stdout after every frame, or make it line-buffered (`stdbuf -oL` in front of a "
    "program that writes through C's stdio)"
)


def worker_language(target: Target) -> Language | None:
    """The worker's language when its command names it, else None (a shell script, a binary)."""
    if target.python is not None:
        return PYTHON
    named = [target.program]  # `perl w.pl`; else the `#!` line's program (`./w.pl`)
    named += (shebang_of(target.head) or [])[:1]
    for program in named:
        name = os.path.basename(program)
        if found := _BY_INTERPRETER.get(_ALIASES.get(name, name)):
            return found
    return None


def flush_remedy(language: Language | None) -> str:
    """The fix for a worker that holds its frames in a buffer, in its language when known."""
    return language.flush if language is not None else GENERIC_FLUSH
