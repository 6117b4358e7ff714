"""A server's refusal that says a program it runs could not be found: Node's `spawn fish ENOENT`
(child_process found no `fish` on the PATH: fish-lsp 1.1.4 refuses `initialize` so on a machine
without the fish shell), Go's `exec: "fish": executable file not found in $PATH`. The fix is the
program, not the server's settings, and where the PATH poolctl gave it finds one, the PATH."""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping

# or a shell's, the server running the program through one: @ansible/ansible-language-server
# 1.2.3 shows `Command failed: ansible-config dump\n/bin/sh: 1: ansible-config: not found`
# (dash), bash says `bash: line 1: x: command not found`
_NOT_FOUND_RE = re.compile(
    r"\bspawn (?P<node>[^\s'\"]+) ENOENT\b"
    r"|\bexec: \"(?P<go>[^\"]+)\": executable file not found in \$PATH"
    r"|(?:^|\s)(?:/bin/|/usr/bin/)?(?:sh|bash|dash): (?:\d+: |line \d+: )?"
    r"(?P<sh>[^\s:'\"/]+): (?:command )?not found\b"
)


def missing_program(message: str) -> tuple[str, str] | None:
    """The program a message says could not be started, and the words that say it."""
    found = _NOT_FOUND_RE.search(message)
    if found is None:
        return None
    return found["node"] or found["go"] or found["sh"], found[0].strip()


def missing_program_fix(message: str, env: Mapping[str, str]) -> str | None:
    """What to do about a server whose `message` says a program it runs is not there; None when
    it says no such thing. `env`: the environment the server was started with."""
    named = missing_program(message)
    if named is None:
        return None
    program, said = named
    where = shutil.which(program, path=env.get("PATH", ""))
    if where is not None:  # a name with a folder, or one the worker's PATH finds after all
        return (
            f"The server could not start the program `{program}` it runs (`{said}`), though "
            f"its PATH finds it at {where}: check that the server's own PATH or settings name "
            "that program, and that it runs there."
        )
    if "/" in program:
        return (
            f"The server could not start the program `{program}` it runs (`{said}`): no such "
            "file; install it there, or set the server's option that names it."
        )
    return (
        f"Install `{program}`, which the server runs (`{said}`: no `{program}` on its PATH), or "
        f"start the server with a PATH that holds it: the pool's settings are not the cause."
    )
