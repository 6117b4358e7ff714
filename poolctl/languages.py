"""The language a worker is written in, when its command says so (an interpreter named directly
or on its `#!` line: `python3`, `perl`, `ruby`, `node`, `java`, `php`, `tclsh`…), and how a
worker in that language flushes each frame. A shell script, a binary or an unknown interpreter
says nothing about the program that writes the frames (a start script often `exec`s Python):
its fix stays generic. `doctor`'s Buffering check and the diagnosis' buffered verdict both
give the fix in the worker's language."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from poolctl.executable import read_head


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
JAVA = Language(
    "Java",
    "flush stdout after every frame (`out.flush()` after each answer: a `BufferedWriter` or "
    "`BufferedOutputStream` of its own holds 8 KiB, while `System.out.println` flushes)",
)
PHP = Language(
    "PHP",
    "write every frame with `fwrite(STDOUT, …)`, or end an output buffer (`ob_start()`) with "
    "`ob_end_flush()`: the buffer holds what `echo` writes until it is flushed",
)
# Interpreters whose programs are known by their name; a name not here leaves the language open.
_BY_INTERPRETER = {
    "perl": Language("Perl", "flush stdout after every frame (`$| = 1;` before the loop)"),
    "ruby": Language("Ruby", "flush stdout after every frame (`$stdout.sync = true`)"),
    "node": Language(
        "JavaScript",
        "write every frame with `process.stdout.write` as it is ready (uncork a corked stdout)",
    ),
    "java": JAVA,
    "php": PHP,
    "tclsh": Language(
        "Tcl",
        "flush stdout after every frame (`flush stdout`, or `fconfigure stdout -buffering "
        "line` for lines)",
    ),
}
_ALIASES = {"nodejs": "node"}
_VERSIONED = re.compile(r"^(?P<name>[a-z]+?)(?:[\d.]+)?(?:-cli)?$")  # ruby3.1, php8.2, tclsh8.6
_PYTHON_NAME = re.compile(r"^(?:python|pypy)(\d+(?:\.\d+)?)?$")
GENERIC_FLUSH = (
    "flush stdout after every frame, or make it line-buffered (`stdbuf -oL` in front of a "
    "program that writes through C's stdio)"
)


def language_named(programs: list[str]) -> Language | None:
    """The language of the first of `programs` (paths or names) that names an interpreter."""
    for program in programs:
        name = os.path.basename(program)
        if _PYTHON_NAME.match(name):
            return PYTHON
        versioned = _VERSIONED.match(name)
        base = versioned["name"] if versioned else name
        if found := _BY_INTERPRETER.get(_ALIASES.get(base, base)):
            return found
    return None


def command_language(argv: tuple[str, ...], cwd: str | None) -> Language | None:
    """The language the worker command `argv` names: its program, else its `#!` line's."""
    if not argv:
        return None
    named = [argv[0]]
    path = Path(cwd or ".") / argv[0] if "/" in argv[0] else shutil.which(argv[0])
    head = read_head(str(path), 256) if path is not None else b""
    if head.startswith(b"#!"):
        words = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace").split()
        if words and os.path.basename(words[0]) == "env":
            words = [w for w in words[1:] if w != "-S" and "=" not in w]
        named += words[:1]
    return language_named(named)


def flush_remedy(language: Language | None) -> str:
    """The fix for a worker that holds its frames in a buffer, in its language when known."""
    return language.flush if language is not None else GENERIC_FLUSH
