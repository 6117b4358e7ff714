"""A worker that exits saying a path on its command line does not exist: mcp-server-git
2026.10.19 given `--repository /x` logs `ERROR:mcp_server_git.server:/x does not exist` and exits
with code 1. The fix is the argument, and a relative one is read from the folder the server runs
in, which a pool may not share with the shell it was tried in."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from poolctl.model import Evidence
from poolctl.worker_types import WorkerSpec

# words that say a thing is not there; a path alone in an error is not enough
_ABSENT = re.compile(
    r"(?i)(?:does ?n[o']t exist|no such file or directory|not found|cannot find|can't find"
    r"|\bENOENT\b|not a directory|cannot access)"
)
_SHELLS = {"sh", "bash", "dash", "zsh", "ksh"}


@dataclass(frozen=True)
class MissingPath:
    """A path given on the command line, named in the error, that is not there."""

    option: str  # the option it was given to (`--repository`), or "" for an operand
    path: str  # as given
    relative: bool
    base: str  # the folder it was started in, for a relative path; "" when a shell's `cd` moved it
    # the folder of it that the error names in its place, "" when it names the path itself:
    # mcp-server-duckdb 1.1.0 given `--db-path /tmp/none.db --readonly` says `ValueError:
    # Database file does not exist: /tmp in read-only mode`
    folder: str = ""

    def given(self) -> str:
        return f"{self.option} {self.path}" if self.option else self.path

    def why(self) -> str:
        if not self.relative:
            where = ""
        elif self.base:
            where = f", looked up from the folder it was started in ({self.base})"
        else:
            where = ", relative to the folder its shell moved to"
        named = f" (the error names its folder, {self.folder}, in its place)" if self.folder else ""
        return f"; `{self.given()}` names a path that does not exist{where}{named}"

    def fix(self) -> str:
        what = f"`{self.option}`" if self.option else "it"
        fix = f"Give {what} a path that exists: `{self.path}` does not"
        if self.relative:
            started = f" in {self.base}, the folder it was started in" if self.base else ""
            fix += (
                f"{started}; a relative path is read from the server's working folder "
                "(`--cwd`, a scenario's `worker.cwd`), so give an absolute one"
            )
        return fix + "."

    def evidence(self) -> Evidence:
        note = "a path on its command line, which the error names as not there"
        return Evidence(f"`{self.given()}`", "the worker's command", note)


def _given(argv: tuple[str, ...] | list[str]) -> Iterator[tuple[str, str]]:
    """Each (option, value) of a command line, "" for an operand's option; a shell's `-c`
    script is read as the command line it runs (`sh -c 'cd / && exec server --x y'`)."""
    before = ""
    for i, arg in enumerate(argv):
        if before == "-c" and i >= 2 and _shell(tuple(argv)):
            with contextlib.suppress(ValueError):  # an unbalanced quote: not read
                yield from _given(shlex.split(arg))
        elif arg.startswith("--") and "=" in arg:
            option, _, value = arg.partition("=")
            yield option, value
        elif not arg.startswith("-"):
            yield (before if before.startswith("-") else ""), arg
        before = arg


def missing_path(said: str, spec: WorkerSpec, stderr: str = "") -> MissingPath | None:
    """The path on `spec`'s command line that `said` (an error it exited on), or else a line of
    `stderr` before it, names as missing and that is not there; None when none does.
    server-filesystem given a folder that is not there warns `Cannot access directory /x,
    skipping` and exits on `Error: None of the specified directories are accessible`."""
    found = _missing_in(said, spec)
    lines = (ln for ln in stderr.splitlines()[-50:] if _ABSENT.search(ln))
    return found or next((m for ln in lines if (m := _missing_in(ln, spec))), None)


def _missing_in(said: str, spec: WorkerSpec) -> MissingPath | None:
    if not _ABSENT.search(said):
        return None
    moved = any(_moves(arg) for arg in spec.argv[1:]) and _shell(spec.argv)
    base = Path(spec.cwd or os.getcwd())
    for option, value in _given(spec.argv):
        if "/" not in value or "\n" in value:  # a path, not a word or a script
            continue
        folder = ""
        if not _names(said, value):
            # or a folder of it, named as the file (mcp-server-duckdb's `dir_path`)
            folders = [str(p) for p in Path(value).parents if str(p) not in ("/", ".", "~")]
            folder = next((f for f in folders if _names(said, f)), "")
            if not folder:
                continue
        path = Path(os.path.expanduser(value))
        relative = not path.is_absolute()
        if (relative and moved) or not (base / path).exists():  # its own words, where cd moved
            return MissingPath(option, value, relative, "" if moved else str(base), folder)
    return None


def _names(said: str, path: str) -> bool:
    """Whether `said` names `path` whole (not a longer path it begins)."""
    return re.search(rf"(?<![\w./-]){re.escape(path)}(?![\w/-])", said) is not None


def _shell(argv: tuple[str, ...]) -> bool:
    return os.path.basename(argv[0]) in _SHELLS and "-c" in argv


def _moves(script: str) -> bool:
    """Whether a shell script changes its folder before it runs the server."""
    return re.search(r"(?:^|[;&|(]\s*)(?:cd|pushd)\s", script) is not None
