"""A Python worker started as `python -m MODULE` that its interpreter cannot run: the module
is not installed for that Python (`/usr/bin/python3: No module named esbonio`, esbonio being
in a virtualenv), or it is a package with no `__main__` (`python -m jedi_language_server`:
`No module named jedi_language_server.__main__; 'jedi_language_server' is a package and cannot
be directly executed`; its server starts by the console script its package installs)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from poolctl.model import Evidence

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


def runpy_miss(exc: str) -> RunpyMiss | None:
    """The module a `python -m` worker's interpreter could not run, from the line it died on."""
    found = _NO_MODULE.match(exc)
    if found is None:
        return None
    return RunpyMiss(found["python"], found["module"], found["package"] is not None)
