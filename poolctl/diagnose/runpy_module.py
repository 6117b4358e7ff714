"""A Python worker started as `python -m MODULE` that its interpreter cannot run: the module
is not installed for that Python (`/usr/bin/python3: No module named esbonio`, esbonio being
in a virtualenv), or it is a package with no `__main__` (`python -m jedi_language_server`:
`No module named jedi_language_server.__main__; 'jedi_language_server' is a package and cannot
be directly executed`; its server starts by the console script its package installs)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from poolctl.model import Evidence
from poolctl.venv_near import not_activated, python_with_module

# runpy's own line, printed by the interpreter before any code of the module runs
_NO_MODULE = re.compile(
    r"^(?P<python>\S+): No module named (?P<module>[\w.]+?)"
    r"(?P<package>\.__main__; '[\w.]+' is a package and cannot be directly executed)?$"
)


@dataclass(frozen=True)
class RunpyMiss:
    """The interpreter, the module it could not run, and whether it is a package without a
    `__main__`."""

    python: str
    module: str
    package: bool
    venv_python: str = ""  # a virtualenv's near the worker that has it, as it is to be named

    def why(self) -> str:
        if self.package:
            return (
                f"{self.module} is a package without a `__main__` module: `-m {self.module}` "
                "cannot run it"
            )
        return (
            f"the Python it was started with, {self.python}, has no module {self.module}: it "
            "is installed for another interpreter, or not at all"
        )

    def fix(self) -> str:
        if self.package:
            return (
                f"Start it by the command its package installs (its console script, as its "
                f"documentation names it), not `{self.python} -m {self.module}`."
            )
        if self.venv_python:
            return (
                f"Start it with the Python of the virtualenv that has {self.module} installed, "
                f"which is not activated: `{self.venv_python} -m {self.module}` (or activate "
                "that virtualenv where poolctl runs)."
            )
        return (
            f"Start it with the Python whose environment has {self.module} installed (a "
            f"virtualenv's `bin/python`, the one its `pip install` used), or install its "
            f"package for {self.python} (`{self.python} -m pip install …`)."
        )

    def evidence(self) -> Evidence:
        return Evidence(
            f"{self.python} -m {self.module}",
            "the worker's command",
            "the interpreter and the module it was asked to run",
        )


def runpy_miss(exc: str, cwd: str | None = None) -> RunpyMiss | None:
    """The module a `python -m` worker's interpreter could not run, from the line it died on,
    and the interpreter of a virtualenv near the worker's folder (`cwd`) that has it."""
    found = _NO_MODULE.match(exc)
    if found is None:
        return None
    package = found["package"] is not None
    venv = python_with_module(found["module"], cwd) if not package else None
    # (a virtualenv's python links to its base's: their paths, not their files, tell them apart)
    if venv is not None and os.path.abspath(found["python"]).startswith(f"{venv.parent.parent}/"):
        venv = None  # it was started with that one
    shown = not_activated(venv, cwd) if venv is not None else ""
    return RunpyMiss(found["python"], found["module"], package, shown)
