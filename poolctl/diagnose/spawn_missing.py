"""A Node server that died starting a program of its own that is not there: `Error: spawn
/nonexistent/pylsp ENOENT` (cclsp 0.7.0, an MCP server that starts the language servers its
configuration file names, CCLSP_CONFIG_PATH). Node says ENOENT both for a program not found on
the PATH it searches and for a working folder that does not exist; which one is told from the
worker's PATH. A variable of the worker's environment naming a file that holds the program's
name is where that name came from, and is named."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from poolctl.model import Evidence
from poolctl.worker_types import WorkerSpec

_SPAWN = re.compile(r"\bError: spawn (?P<program>\S+) ENOENT\b")
_READ_AT_MOST = 1_000_000  # of a configuration file an environment variable names


@dataclass(frozen=True)
class SpawnMissing:
    program: str
    found: str | None  # where the worker's PATH finds it, if it does
    named_in: tuple[str, str] | None  # (variable, file) whose file names the program

    def why(self) -> str:
        if self.found is not None:
            return (
                f"it tried to start `{self.program}`, which the worker's PATH finds "
                f"({self.found}): Node says ENOENT too when the folder it was to start it in "
                "does not exist"
            )
        where = "does not exist" if "/" in self.program else "is not on the worker's PATH"
        source = f", named in {self.named_in[0]}={self.named_in[1]}" if self.named_in else ""
        return f"it tried to start the program `{self.program}`{source}, which {where}"

    def fix(self) -> str:
        if self.found is not None:
            return (
                f"Give the server a working folder that exists for `{self.program}` (its "
                "configuration's root or cwd setting); the program itself is found."
            )
        where = (
            f"fix its path in {self.named_in[1]} ({self.named_in[0]})"
            if self.named_in
            else "give the server the path of one that is installed"
        )
        if "/" in self.program:
            return (
                f"Install `{Path(self.program).name}` and {where}: `{self.program}` does not exist."
            )
        return (
            f"Install `{self.program}`, or put the folder that holds it on the worker's PATH "
            f"(`--env PATH=…`; in a pool, `worker.env`), or {where}: the server starts it as a "
            "process of its own."
        )

    def evidence(self) -> Evidence:
        if self.named_in is not None:
            return Evidence(
                f"{self.named_in[0]}={self.named_in[1]} names `{self.program}`",
                self.named_in[1],
                "where the server took the program's name from",
            )
        return Evidence(
            f"`{self.program}`: {self.found or 'not found on the worker PATH'}",
            "the worker's PATH",
            "the program Node could not start",
        )


def spawn_missing(stderr: str, spec: WorkerSpec) -> SpawnMissing | None:
    """Node's `Error: spawn X ENOENT` in the worker's stderr, read; None without it."""
    m = _SPAWN.search(stderr)
    if m is None:
        return None
    program = m["program"]
    env = spec.environment()
    path = env.get("PATH", os.defpath)
    if "/" in program:
        found = program if os.path.isfile(program) and os.access(program, os.X_OK) else None
    else:
        found = shutil.which(program, path=path)
    return SpawnMissing(program, found, None if found else _named_in(program, env))


def _named_in(program: str, env: dict[str, str]) -> tuple[str, str] | None:
    """The variable (and its file) of the worker's own environment whose file names
    `program`: a configuration the server read it from."""
    for name, value in sorted(env.items()):
        if name in os.environ and os.environ[name] == value:
            continue  # poolctl's own environment, not set for the worker
        try:
            file = Path(value)
            if not file.is_file() or file.stat().st_size > _READ_AT_MOST:
                continue
            if program in file.read_text(encoding="utf-8", errors="replace"):
                return name, value
        except (OSError, ValueError):
            continue
    return None
