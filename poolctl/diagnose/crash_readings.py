"""What a dead worker's stderr says beyond its exception line, read by each reader that knows
one kind of death: an import the installed code cannot serve (heroku-mcp-server,
cmake-language-server), a module shadowed by a file of the worker's folder, a dependency's
release, an interpreter refusing its stdio encoding, a language server given no folder to load
its libraries from (@angular/language-server), a command line lacking the subcommand or argument
its error names (@cloudflare/mcp-server-cloudflare), an option it does not take or a value
of one it refuses (@stripe/mcp), a file it asks to be placed in a folder it names
(server-gmail-autoauth-mcp), a program it starts that is not there (cclsp). The first that
recognises it says why and what to do."""

from __future__ import annotations

from typing import Protocol

from poolctl.model import Evidence
from poolctl.worker_types import WorkerSpec

from .dependency_release import release_mismatch
from .file_asked import file_asked
from .node_calls import stretched_range
from .node_imports import extensionless_import, missing_export, unexported_subpath
from .option_refused import option_refused
from .probe_locations import probe_locations
from .runpy_module import runpy_miss
from .shadowed import shadowed_module
from .spawn_missing import spawn_missing
from .stdio_encoding import stdio_encoding
from .subcommand import command_lack
from .typescript_api import no_compiler_api


class Reading(Protocol):
    def why(self) -> str: ...

    def fix(self) -> str: ...

    def evidence(self) -> Evidence: ...


def crash_reading(exc: str, stderr: str, spec: WorkerSpec) -> Reading | None:
    """The first reader's account of the death whose exception line is `exc`, or None."""
    return (
        extensionless_import(exc)
        or runpy_miss(exc, spec.cwd)
        or shadowed_module(stderr, spec)
        or release_mismatch(stderr)
        or unexported_subpath(stderr)
        or missing_export(stderr)
        or stretched_range(stderr)
        or no_compiler_api(stderr)
        or stdio_encoding(stderr, spec)
        or probe_locations(stderr, spec)
        or command_lack(exc, spec.argv)
        or option_refused(exc, spec.argv)
        or file_asked(exc, spec.cwd)
        or spawn_missing(stderr, spec)
    )
